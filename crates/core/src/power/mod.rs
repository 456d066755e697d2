//! Voting power of a committee's rule: exact Banzhaf (swings), Penrose and Shapley–Shubik.
//!
//! A rule is read as a simple game ([`Game`]): a coalition wins when the rule adopts with it
//! consenting and everyone else objecting. [`analyse`] computes, for every player:
//!
//! - `swings`: the coalitions S without the player that lose, but win with it (exact count);
//! - `penrose`: the absolute Banzhaf index, swings / 2^(n−1);
//! - `banzhaf`: the normalised Banzhaf index, swings / total swings of all players;
//! - `shapley_shubik`: the share of orderings in which the player is pivotal, exact where the
//!   (size, weight) table fits in [`Options::max_cells`], otherwise sampled with a stated error
//!   bound (or always exact, or always sampled, as asked).
//!
//! Counts are exact integers of whatever width the number of players needs (see `count`); no
//! enumeration of coalitions is done except by [`brute_force`], the test oracle. The method is
//! explained in `docs/power.md`.
//!
//! ```
//! use concord_core::power::{analyse, Game, Options};
//! use concord_core::Decimal;
//!
//! // The UN Security Council since 1965: five permanent members with a veto, ten elected.
//! let weights: Vec<Decimal> = [7, 7, 7, 7, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1].map(Decimal::from_int).to_vec();
//! let game = Game::weighted(Decimal::from_int(39), &weights).unwrap();
//! let power = analyse(&game, &Options::default(), &mut |_done, _total| {}).unwrap();
//! assert_eq!(power.winning_coalitions, "848");
//! assert_eq!(power.members[0].swings, "848");
//! assert!((power.members[0].shapley_shubik - 421.0 / 2145.0).abs() < 1e-12);
//! assert!((power.members[5].shapley_shubik - 4.0 / 2145.0).abs() < 1e-12);
//! ```

mod count;
mod exact;
mod game;
mod sample;

use num_bigint::BigUint;
use serde::Serialize;

pub use game::{Clause, Game, GameError};

use count::{Count, U256, U512, U1024};
use exact::View;

/// How to compute the Shapley–Shubik index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapleyMethod {
    /// Exact when the table fits in `max_cells`, sampled otherwise.
    Auto,
    /// Always exact (may be slow or refuse when the table is too large).
    Exact,
    /// Always sampled, with this many orderings.
    Sample(u64),
}

/// Options of [`analyse`].
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// How to compute Shapley–Shubik.
    pub shapley: ShapleyMethod,
    /// The largest (size × weight) table to build, in cells.
    pub max_cells: u64,
    /// Orderings drawn when sampling under [`ShapleyMethod::Auto`].
    pub samples: u64,
    /// Seed of the sampler.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options { shapley: ShapleyMethod::Auto, max_cells: 60_000_000, samples: 1_000_000, seed: 1 }
    }
}

/// Why power cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PowerError {
    /// The game could not be built.
    #[error(transparent)]
    Game(#[from] GameError),
    /// An exact computation was asked for a table too large to build.
    #[error(
        "exact Shapley–Shubik values need a table of {cells} cells, more than the limit of {limit}; sample instead"
    )]
    TooLarge {
        /// Cells needed.
        cells: u128,
        /// The limit.
        limit: u64,
    },
    /// The weight threshold is too large for the exact weight table.
    #[error("the weight threshold {0} is too large for an exact table; reduce the weights' precision")]
    ThresholdTooLarge(u128),
}

/// One player's power.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberPower {
    /// Player (member id, or `p1`, `p2`, … for a plain weighted game).
    pub member: String,
    /// Integer weight in the game (after scaling and reduction); absent under rules without
    /// weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u64>,
    /// Swings, as a decimal string.
    pub swings: String,
    /// Absolute Banzhaf index: swings / 2^(n−1).
    pub penrose: f64,
    /// Normalised Banzhaf index: swings / total swings.
    pub banzhaf: f64,
    /// Shapley–Shubik index.
    pub shapley_shubik: f64,
    /// The error bound of a sampled Shapley–Shubik value (99% for all players at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shapley_shubik_error: Option<f64>,
}

/// The power of every player of a game (contract §3: `power --format json`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Power {
    /// Number of players.
    pub players: usize,
    /// Number of winning coalitions, as a decimal string.
    pub winning_coalitions: String,
    /// Total swings of all players, as a decimal string.
    pub total_swings: String,
    /// `exact` or `sampled`.
    pub shapley_shubik_method: &'static str,
    /// Orderings drawn, when sampled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shapley_shubik_samples: Option<u64>,
    /// Every player, in the game's order.
    pub members: Vec<MemberPower>,
}

/// Runs a programme generic over [`Count`] with the narrowest count type that holds 2^f, with
/// room for the wrapping arithmetic's bit.
macro_rules! with_count {
    ($f:expr, $($run:ident)::+ ($($arg:expr),*)) => {{
        let f: usize = $f;
        if f < <u32 as Count>::BITS - 1 {
            $($run)::+::<u32>($($arg),*)
        } else if f < <u64 as Count>::BITS - 1 {
            $($run)::+::<u64>($($arg),*)
        } else if f < <u128 as Count>::BITS - 1 {
            $($run)::+::<u128>($($arg),*)
        } else if f < <U256 as Count>::BITS - 1 {
            $($run)::+::<U256>($($arg),*)
        } else if f < <U512 as Count>::BITS - 1 {
            $($run)::+::<U512>($($arg),*)
        } else {
            $($run)::+::<U1024>($($arg),*)
        }
    }};
}

/// Computes every player's power. `progress(done, total)` is called as work advances.
pub fn analyse(game: &Game, options: &Options, progress: &mut dyn FnMut(usize, usize)) -> Result<Power, PowerError> {
    let view = View::new(game);
    let f = view.free.len();
    let cells = (f as u128 + 1) * (view.cap() + 1);
    let exact_ss = match options.shapley {
        ShapleyMethod::Exact => {
            if cells > u128::from(options.max_cells) {
                return Err(PowerError::TooLarge { cells, limit: options.max_cells });
            }
            true
        }
        ShapleyMethod::Auto => cells <= u128::from(options.max_cells),
        ShapleyMethod::Sample(_) => false,
    };
    let samples = match options.shapley {
        ShapleyMethod::Sample(m) => m.max(1),
        _ => options.samples.max(1),
    };
    let (swings, winning, shapley, errors) = if exact_ss {
        let (s, w, ss) = with_count!(f, exact::general(&view, progress));
        (s, w, ss, None)
    } else {
        let (s, w) = if view.count_free() {
            let t = view.clauses.iter().map(|&(_, w)| w).min().unwrap_or(0);
            if t > 1 << 31 {
                return Err(PowerError::ThresholdTooLarge(t));
            }
            with_count!(f, exact::banzhaf_count_free(&view, progress))
        } else {
            if cells > u128::from(options.max_cells) * 4 {
                return Err(PowerError::TooLarge { cells, limit: options.max_cells * 4 });
            }
            let (s, w, _) = with_count!(f, exact::general(&view, progress));
            (s, w)
        };
        let (ss, err) = sample::shapley(&view, samples, options.seed, progress);
        (s, w, ss, Some(err))
    };
    Ok(assemble(game, swings, winning, shapley, errors, samples))
}

fn assemble(
    game: &Game,
    swings: Vec<BigUint>,
    winning: BigUint,
    shapley: Vec<f64>,
    errors: Option<Vec<f64>>,
    samples: u64,
) -> Power {
    let n = game.len();
    let total: BigUint = swings.iter().sum();
    let half = BigUint::from(1u32) << (n.saturating_sub(1) as u64);
    let members = swings
        .iter()
        .enumerate()
        .map(|(i, s)| MemberPower {
            member: game.players.get(i).cloned().unwrap_or_default(),
            weight: game.weighted.then(|| game.weights.get(i).copied().unwrap_or(0)),
            swings: s.to_string(),
            penrose: count::ratio(s, &half),
            banzhaf: count::ratio(s, &total),
            shapley_shubik: shapley.get(i).copied().unwrap_or(0.0),
            shapley_shubik_error: errors.as_ref().and_then(|e| e.get(i).copied()),
        })
        .collect();
    Power {
        players: n,
        winning_coalitions: winning.to_string(),
        total_swings: total.to_string(),
        shapley_shubik_method: if errors.is_some() { "sampled" } else { "exact" },
        shapley_shubik_samples: errors.is_some().then_some(samples),
        members,
    }
}

/// The same results by enumerating every coalition and every ordering: the test oracle, for
/// games of up to about 20 players (Shapley–Shubik from the coalition sizes, exactly).
pub fn brute_force(game: &Game) -> Power {
    let n = game.len();
    let mut swings = vec![BigUint::default(); n];
    let mut ss_num = vec![BigUint::default(); n];
    let mut winning = BigUint::default();
    let facts = exact::factorials(n);
    let mut members = vec![false; n];
    for mask in 0u64..(1u64 << n) {
        for (i, m) in members.iter_mut().enumerate() {
            *m = mask >> i & 1 == 1;
        }
        let wins = game.wins(&members);
        if wins {
            winning += 1u32;
        }
        if wins {
            continue;
        }
        let size = mask.count_ones() as usize;
        for i in 0..n {
            if mask >> i & 1 == 1 {
                continue;
            }
            if let Some(m) = members.get_mut(i) {
                *m = true;
            }
            if game.wins(&members) {
                if let Some(s) = swings.get_mut(i) {
                    *s += 1u32;
                }
                if let Some(s) = ss_num.get_mut(i) {
                    *s += facts.get(size).cloned().unwrap_or_default()
                        * facts.get(n - size - 1).cloned().unwrap_or_default();
                }
            }
            if let Some(m) = members.get_mut(i) {
                *m = false;
            }
        }
    }
    let n_fact = facts.get(n).cloned().unwrap_or_default();
    let shapley = ss_num.iter().map(|s| count::ratio(s, &n_fact)).collect();
    assemble(game, swings, winning, shapley, None, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Member, Quota, Rule};
    use crate::number::Decimal;
    use crate::rules::{CompiledRule, Stance};
    use proptest::prelude::*;

    fn weighted(quota: i64, weights: &[i64]) -> Game {
        let w: Vec<Decimal> = weights.iter().map(|&w| Decimal::from_int(w)).collect();
        Game::weighted(Decimal::from_int(quota), &w).unwrap()
    }

    fn run(game: &Game) -> Power {
        analyse(game, &Options::default(), &mut |_, _| {}).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1e-300) + 1e-15
    }

    #[test]
    fn security_council_since_1965() {
        let mut w = vec![7; 5];
        w.extend([1; 10]);
        let p = run(&weighted(39, &w));
        assert_eq!(p.winning_coalitions, "848");
        assert_eq!(p.members[0].swings, "848");
        assert_eq!(p.members[5].swings, "84");
        assert!(close(p.members[0].shapley_shubik, 421.0 / 2145.0));
        assert!(close(p.members[5].shapley_shubik, 4.0 / 2145.0));
        assert!(close(p.members[0].penrose, 53.0 / 1024.0));
        assert!(close(p.members[5].banzhaf, 21.0 / 1270.0));
    }

    #[test]
    fn nassau_county_dummies() {
        let p = run(&weighted(16, &[9, 9, 7, 3, 1, 1]));
        let swings: Vec<&str> = p.members.iter().map(|m| m.swings.as_str()).collect();
        assert_eq!(swings, ["16", "16", "16", "0", "0", "0"]);
        assert!(close(p.members[2].shapley_shubik, 1.0 / 3.0));
        assert_eq!(p.members[5].shapley_shubik, 0.0);
    }

    #[test]
    fn unanimity_of_32() {
        let p = run(&weighted(32, &[1; 32]));
        assert_eq!(p.winning_coalitions, "1");
        assert!(p.members.iter().all(|m| m.swings == "1" && close(m.shapley_shubik, 1.0 / 32.0)));
        assert!(close(p.members[0].penrose, 2f64.powi(-31)));
    }

    #[test]
    fn the_count_free_path_agrees_with_the_table() {
        let game = weighted(50, &[20, 17, 13, 9, 9, 7, 5, 3, 1, 0]);
        let table = run(&game);
        let sampled =
            analyse(&game, &Options { shapley: ShapleyMethod::Sample(20_000), ..Options::default() }, &mut |_, _| {})
                .unwrap();
        assert_eq!(sampled.shapley_shubik_method, "sampled");
        for (a, b) in table.members.iter().zip(&sampled.members) {
            assert_eq!(a.swings, b.swings);
            let err = b.shapley_shubik_error.unwrap();
            assert!((a.shapley_shubik - b.shapley_shubik).abs() <= err, "{a:?} {b:?}");
        }
        assert_eq!(table.winning_coalitions, sampled.winning_coalitions);
    }

    #[test]
    fn large_bodies_use_wide_counts() {
        // 130 equal members, simple majority: counts beyond 2^128.
        let game = weighted(66, &[1; 130]);
        let p = analyse(&game, &Options { shapley: ShapleyMethod::Sample(1000), ..Options::default() }, &mut |_, _| {})
            .unwrap();
        // Swings of each: C(129, 65).
        let mut c = BigUint::from(1u32);
        for i in 0..65u32 {
            c = c * BigUint::from(129 - i) / BigUint::from(i + 1);
        }
        assert_eq!(p.members[0].swings, c.to_string());
    }

    fn member(id: usize, weight: u32) -> Member {
        Member {
            id: format!("M{id}"),
            weights: [("w".to_owned(), Decimal::from_int(i64::from(weight)))].into(),
            ..Member::default()
        }
    }

    fn rule_strategy() -> impl Strategy<Value = Rule> {
        let share = (1u32..=100).prop_map(|p| Decimal::parse(&format!("0.{p:02}")).unwrap_or(Decimal::from_int(1)));
        prop_oneof![
            Just(Rule::Consensus),
            Just(Rule::Unanimity),
            share.clone().prop_map(|share| Rule::Majority { share }),
            (share.clone(), share.clone(), proptest::option::of(1u32..6)).prop_map(|(m, w, b)| Rule::Qualified {
                members_share: m,
                weight: "w".into(),
                weight_share: w,
                blocking_min: b
            }),
            (0i64..60)
                .prop_map(|q| Rule::Weighted { weight: "w".into(), quota: Quota::Absolute(Decimal::from_int(q)) }),
            share.prop_map(|s| Rule::Weighted { weight: "w".into(), quota: Quota::Share(s) }),
            (0u32..8, proptest::collection::vec(any::<bool>(), 16)).prop_map(|(min_yes, v)| Rule::Veto {
                min_yes,
                veto: v.iter().enumerate().filter(|(_, b)| **b).map(|(i, _)| format!("M{i}")).take(3).collect()
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The game wins exactly when the rule adopts with the coalition consenting and the rest
        /// objecting; the fast algorithms agree with enumeration; and the classic properties hold.
        #[test]
        fn games_match_rules_and_enumeration(rule in rule_strategy(), weights in proptest::collection::vec(0u32..12, 1..=16)) {
            let members: Vec<Member> = weights.iter().enumerate().map(|(i, &w)| member(i, w)).collect();
            let refs: Vec<&Member> = members.iter().collect();
            let game = Game::from_rule(&rule, &refs).unwrap();
            let n = members.len();
            let decimals: Vec<Option<Decimal>> = members.iter().map(|m| m.weights.get("w").copied()).collect();
            let veto: Vec<bool> = members.iter().map(|m| matches!(&rule, Rule::Veto { veto, .. } if veto.contains(&m.id))).collect();
            let compiled = CompiledRule::new(rule.clone(), &decimals, veto);
            for mask in 0u32..(1 << n) {
                let inside: Vec<bool> = (0..n).map(|i| mask >> i & 1 == 1).collect();
                let ballot: Vec<(usize, Stance)> = inside.iter().enumerate().map(|(i, &c)| (i, if c { Stance::Consent } else { Stance::Object })).collect();
                prop_assert_eq!(game.wins(&inside), compiled.adopts(&ballot, false), "coalition {:b}", mask);
            }
            let fast = run(&game);
            let slow = brute_force(&game);
            prop_assert_eq!(&fast.winning_coalitions, &slow.winning_coalitions);
            for (a, b) in fast.members.iter().zip(&slow.members) {
                prop_assert_eq!(&a.swings, &b.swings);
                prop_assert!(close(a.shapley_shubik, b.shapley_shubik), "{:?} {:?}", a, b);
            }
            let sum: f64 = fast.members.iter().map(|m| m.shapley_shubik).sum();
            let any_pivot = fast.members.iter().any(|m| m.swings != "0");
            if any_pivot {
                prop_assert!((sum - 1.0).abs() < 1e-9, "Shapley–Shubik sums to {}", sum);
            }
            // Dummies have no power; equal members of the same standing have equal power.
            for (i, a) in fast.members.iter().enumerate() {
                if a.swings == "0" {
                    prop_assert_eq!(a.shapley_shubik, 0.0);
                }
                for (j, b) in fast.members.iter().enumerate().skip(i + 1) {
                    if weights[i] == weights[j] && game.required[i] == game.required[j] {
                        prop_assert_eq!(&a.swings, &b.swings);
                        prop_assert!(close(a.shapley_shubik, b.shapley_shubik));
                    }
                }
            }
        }

        /// Plain weighted games of up to 16 players, both algorithms against enumeration.
        #[test]
        fn weighted_games_match_enumeration(weights in proptest::collection::vec(0i64..40, 1..=16), share in 1i64..=100) {
            let total: i64 = weights.iter().sum();
            let quota = (total * share).div_euclid(100);
            let game = weighted(quota, &weights);
            let slow = brute_force(&game);
            let fast = run(&game);
            let count_free = analyse(&game, &Options { shapley: ShapleyMethod::Sample(10), ..Options::default() }, &mut |_, _| {}).unwrap();
            prop_assert_eq!(&fast.winning_coalitions, &slow.winning_coalitions);
            prop_assert_eq!(&count_free.winning_coalitions, &slow.winning_coalitions);
            for ((a, b), c) in fast.members.iter().zip(&slow.members).zip(&count_free.members) {
                prop_assert_eq!(&a.swings, &b.swings);
                prop_assert_eq!(&c.swings, &b.swings);
                prop_assert!(close(a.shapley_shubik, b.shapley_shubik));
                prop_assert!(close(a.penrose, b.penrose) && close(a.banzhaf, b.banzhaf));
            }
        }
    }
}
