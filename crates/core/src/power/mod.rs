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

use exact::View;

/// How to compute the Shapley–Shubik index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapleyMethod {
    /// Exact when the table fits in `max_cells` and the budgets, sampled otherwise.
    Auto,
    /// Always exact: refused, with the figures, when it does not fit the budgets.
    Exact,
    /// Always sampled, with this many orderings.
    Sample(u64),
}

/// Options of [`analyse`].
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// How to compute Shapley–Shubik.
    pub shapley: ShapleyMethod,
    /// The largest (size × weight) table to build for an exact Shapley–Shubik index under
    /// [`ShapleyMethod::Auto`], in cells.
    pub max_cells: u64,
    /// Orderings (and coalitions) drawn when an index is sampled.
    pub samples: u64,
    /// Seed of the sampler.
    pub seed: u64,
    /// The most memory the exact tables may take, in bytes: beyond it an index is sampled, or,
    /// under [`ShapleyMethod::Exact`], refused.
    pub max_memory: u64,
    /// The most work, in word additions (see [`Plan::work`]), any computation may take: beyond
    /// it an index is sampled, or refused when sampling too would exceed it.
    pub max_work: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            shapley: ShapleyMethod::Auto,
            max_cells: 60_000_000,
            samples: 1_000_000,
            seed: 1,
            max_memory: DEFAULT_MAX_MEMORY,
            max_work: u64::MAX,
        }
    }
}

/// The default memory budget of the exact tables: 2 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 2 << 30;

/// How an index is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Exactly, by counting.
    Exact,
    /// Estimated from this many random draws, with a stated error bound.
    Sampled(u64),
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Sampled(_) => "sampled",
        }
    }

    fn samples(self) -> Option<u64> {
        match self {
            Method::Exact => None,
            Method::Sampled(m) => Some(m),
        }
    }
}

/// What [`analyse`] will do and what it will cost, known before anything is allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// How swings, Penrose and Banzhaf are computed.
    pub banzhaf: Method,
    /// How Shapley–Shubik is computed.
    pub shapley: Method,
    /// Bytes of the tables, at most.
    pub memory: u64,
    /// Work, in additions of machine words (a 1,024-bit count adds as 16): about a nanosecond
    /// each on a current machine.
    pub work: u64,
}

/// Why power cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PowerError {
    /// The game could not be built.
    #[error(transparent)]
    Game(#[from] GameError),
    /// An exact computation was asked that needs more memory than allowed.
    #[error("{what} need {} of memory, more than the limit of {}", bytes(*.needed), bytes(*.limit))]
    NeedsMemory {
        /// What was asked.
        what: &'static str,
        /// Bytes needed.
        needed: u64,
        /// The limit.
        limit: u64,
    },
    /// A computation would take more work than allowed.
    #[error("{what} need about {needed} word additions, more than the limit of {limit}")]
    NeedsWork {
        /// What was asked.
        what: &'static str,
        /// Work needed.
        needed: u64,
        /// The limit.
        limit: u64,
    },
}

/// A number of bytes as people read it: `512 B`, `3.2 MB`, `31.1 GB` (powers of 1,000).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS.get(unit).copied().unwrap_or("EB"))
}

/// Decides how to compute each index of `game` under `options`, from the exact size of the
/// tables and the work of each programme, before anything is allocated.
pub fn plan(game: &Game, options: &Options) -> Result<Plan, PowerError> {
    let view = View::new(game);
    let fits = |c: exact::Cost| c.bytes <= options.max_memory && c.work <= options.max_work;
    let refuse = |what: &'static str, c: exact::Cost| {
        if c.bytes > options.max_memory {
            PowerError::NeedsMemory { what, needed: c.bytes, limit: options.max_memory }
        } else {
            PowerError::NeedsWork { what, needed: c.work, limit: options.max_work }
        }
    };
    let general = view.general_cost();
    let samples = match options.shapley {
        ShapleyMethod::Sample(m) => m.max(1),
        _ => options.samples.max(1),
    };
    let exact_shapley = match options.shapley {
        ShapleyMethod::Exact if fits(general) => true,
        ShapleyMethod::Exact => return Err(refuse("exact Shapley–Shubik values", general)),
        ShapleyMethod::Auto => view.general_cells() <= options.max_cells && fits(general),
        ShapleyMethod::Sample(_) => false,
    };
    if exact_shapley {
        return Ok(Plan { banzhaf: Method::Exact, shapley: Method::Exact, memory: general.bytes, work: general.work });
    }
    let exact_banzhaf = if view.count_free() { view.count_free_cost() } else { general };
    let per_draw = (game.len() as u64).saturating_mul(game.clauses.len() as u64 + 2);
    let draws = samples.saturating_mul(per_draw);
    let sampled = |work: u64| exact::Cost { bytes: 0, work };
    let (banzhaf, memory, work) = if fits(exact_banzhaf) {
        (Method::Exact, exact_banzhaf.bytes, exact_banzhaf.work.saturating_add(draws))
    } else {
        (Method::Sampled(samples), 0, draws.saturating_mul(2))
    };
    if work > options.max_work {
        return Err(refuse("sampled power indices", sampled(work)));
    }
    let memory = memory.saturating_add(game.len() as u64 * 64);
    Ok(Plan { banzhaf, shapley: Method::Sampled(samples), memory, work })
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
    /// Swings, as a decimal string (an estimate, rounded, when Banzhaf is sampled).
    pub swings: String,
    /// Absolute Banzhaf index: swings / 2^(n−1).
    pub penrose: f64,
    /// Normalised Banzhaf index: swings / total swings.
    pub banzhaf: f64,
    /// Shapley–Shubik index.
    pub shapley_shubik: f64,
    /// The error bound of a sampled Penrose value (99% for all players at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penrose_error: Option<f64>,
    /// The error bound of a sampled normalised Banzhaf value (it holds whenever the Penrose
    /// bounds do).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banzhaf_error: Option<f64>,
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
    /// Number of winning coalitions, as a decimal string (an estimate, rounded, when Banzhaf is
    /// sampled).
    pub winning_coalitions: String,
    /// Total swings of all players, as a decimal string.
    pub total_swings: String,
    /// How swings, Penrose and Banzhaf were computed: `exact` or `sampled` (when the exact
    /// tables would not fit the memory or work budget).
    pub banzhaf_method: &'static str,
    /// Coalitions drawn, when Banzhaf is sampled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banzhaf_samples: Option<u64>,
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
        if f < <u32 as $crate::power::count::Count>::BITS - 1 {
            $($run)::+::<u32>($($arg),*)
        } else if f < <u64 as $crate::power::count::Count>::BITS - 1 {
            $($run)::+::<u64>($($arg),*)
        } else if f < <u128 as $crate::power::count::Count>::BITS - 1 {
            $($run)::+::<u128>($($arg),*)
        } else if f < <$crate::power::count::U256 as $crate::power::count::Count>::BITS - 1 {
            $($run)::+::<$crate::power::count::U256>($($arg),*)
        } else if f < <$crate::power::count::U512 as $crate::power::count::Count>::BITS - 1 {
            $($run)::+::<$crate::power::count::U512>($($arg),*)
        } else {
            $($run)::+::<$crate::power::count::U1024>($($arg),*)
        }
    }};
}
pub(crate) use with_count;

/// Computes every player's power, as [`plan`] decides. `progress(done, total)` is called as work
/// advances.
pub fn analyse(game: &Game, options: &Options, progress: &mut dyn FnMut(usize, usize)) -> Result<Power, PowerError> {
    let plan = plan(game, options)?;
    let view = View::new(game);
    let f = view.free.len();
    let mut power = match (plan.banzhaf, plan.shapley) {
        (Method::Exact, Method::Exact) => {
            let (swings, winning, shapley) = with_count!(f, exact::general(&view, progress));
            assemble(game, Banzhaf::exact(game, swings, winning), shapley, None)
        }
        (Method::Exact, _) => {
            let (swings, winning) = if view.count_free() {
                with_count!(f, exact::banzhaf_count_free(&view, progress))
            } else {
                let (s, w, _) = with_count!(f, exact::general(&view, progress));
                (s, w)
            };
            let (shapley, errors) = sample::shapley(&view, plan.shapley.samples().unwrap_or(1), options.seed, progress);
            assemble(game, Banzhaf::exact(game, swings, winning), shapley, Some(errors))
        }
        (Method::Sampled(m), _) => {
            let banzhaf = sample::banzhaf(&view, m, options.seed, progress);
            let (shapley, errors) = sample::shapley(&view, plan.shapley.samples().unwrap_or(1), options.seed, progress);
            assemble(game, banzhaf, shapley, Some(errors))
        }
    };
    power.banzhaf_method = plan.banzhaf.name();
    power.banzhaf_samples = plan.banzhaf.samples();
    power.shapley_shubik_samples = plan.shapley.samples();
    Ok(power)
}

/// Swings and the indices derived from them, counted or estimated.
pub(crate) struct Banzhaf {
    /// Swings of each player (estimates, rounded, when sampled).
    pub(crate) swings: Vec<BigUint>,
    /// Winning coalitions (an estimate, rounded, when sampled).
    pub(crate) winning: BigUint,
    pub(crate) penrose: Vec<f64>,
    pub(crate) banzhaf: Vec<f64>,
    /// Error bounds of the sampled Penrose and Banzhaf values.
    pub(crate) errors: Option<(Vec<f64>, Vec<f64>)>,
}

impl Banzhaf {
    fn exact(game: &Game, swings: Vec<BigUint>, winning: BigUint) -> Banzhaf {
        let total: BigUint = swings.iter().sum();
        let half = BigUint::from(1u32) << (game.len().saturating_sub(1) as u64);
        let penrose = swings.iter().map(|s| count::ratio(s, &half)).collect();
        let banzhaf = swings.iter().map(|s| count::ratio(s, &total)).collect();
        Banzhaf { swings, winning, penrose, banzhaf, errors: None }
    }
}

fn assemble(game: &Game, b: Banzhaf, shapley: Vec<f64>, shapley_errors: Option<Vec<f64>>) -> Power {
    let total: BigUint = b.swings.iter().sum();
    let at = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(0.0);
    let members = b
        .swings
        .iter()
        .enumerate()
        .map(|(i, s)| MemberPower {
            member: game.players.get(i).cloned().unwrap_or_default(),
            weight: game.weighted.then(|| game.weights.get(i).copied().unwrap_or(0)),
            swings: s.to_string(),
            penrose: at(&b.penrose, i),
            banzhaf: at(&b.banzhaf, i),
            shapley_shubik: at(&shapley, i),
            penrose_error: b.errors.as_ref().map(|(p, _)| at(p, i)),
            banzhaf_error: b.errors.as_ref().map(|(_, z)| at(z, i)),
            shapley_shubik_error: shapley_errors.as_ref().map(|e| at(e, i)),
        })
        .collect();
    Power {
        players: game.len(),
        winning_coalitions: b.winning.to_string(),
        total_swings: total.to_string(),
        banzhaf_method: if b.errors.is_some() { "sampled" } else { "exact" },
        banzhaf_samples: None,
        shapley_shubik_method: if shapley_errors.is_some() { "sampled" } else { "exact" },
        shapley_shubik_samples: None,
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
    assemble(game, Banzhaf::exact(game, swings, winning), shapley, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Member, Quota, Rule};
    use crate::number::Decimal;
    use crate::rules::{CompiledRule, Stance};
    use crate::share::Share;
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

    /// Weights from a fixed generator, between 1 and `max`.
    fn spread(n: usize, max: u64, seed: u64) -> Vec<i64> {
        let mut rng = crate::synth::SplitMix64::new(seed);
        (0..n).map(|_| (rng.next_u64() % max + 1) as i64).collect()
    }

    fn half_plus_one(weights: &[i64]) -> i64 {
        weights.iter().sum::<i64>() / 2 + 1
    }

    #[test]
    fn r11_a_thousand_member_weighted_game_is_sampled_not_aborted() {
        // Weights in the millions: the exact swing table alone would be 31 GB of 1,024-bit counts.
        let w = spread(1000, 1_000_000, 7);
        let game = weighted(half_plus_one(&w), &w);
        let plan = plan(&game, &Options::default()).unwrap();
        assert_eq!(plan.banzhaf, Method::Sampled(1_000_000));
        assert!(plan.memory <= DEFAULT_MAX_MEMORY);
        let exact = Options { shapley: ShapleyMethod::Exact, ..Options::default() };
        let Err(PowerError::NeedsMemory { needed, limit, .. }) = super::plan(&game, &exact) else {
            panic!("an exact run must be refused with the memory it needs")
        };
        assert!(needed > 30_000_000_000 && limit == DEFAULT_MAX_MEMORY, "{needed} {limit}");
        let quick = Options { samples: 2_000, ..Options::default() };
        let p = analyse(&game, &quick, &mut |_, _| {}).unwrap();
        assert_eq!((p.banzhaf_method, p.shapley_shubik_method), ("sampled", "sampled"));
        assert_eq!(p.banzhaf_samples, Some(2_000));
        assert!(p.members.iter().all(|m| m.penrose_error.is_some() && m.banzhaf_error.is_some()));
        let total: f64 = p.members.iter().map(|m| m.banzhaf).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn r11_a_two_hundred_member_qualified_game_samples_when_asked() {
        // The EU Council's rule over 200 members with populations in the tens of thousands: the
        // (size, weight) table has over a billion cells, so even swings cannot be counted.
        let w = spread(200, 90_000, 3);
        let members: Vec<Member> = w.iter().enumerate().map(|(i, &w)| member(i, w as u32)).collect();
        let seated: Vec<&Member> = members.iter().collect();
        let rule = Rule::Qualified {
            members_share: Share::Decimal(Decimal::parse("0.55").unwrap()),
            weight: "w".to_owned(),
            weight_share: Share::Decimal(Decimal::parse("0.65").unwrap()),
            blocking_min: Some(4),
        };
        let game = Game::from_rule(&rule, &seated).unwrap();
        for shapley in [ShapleyMethod::Sample(2_000), ShapleyMethod::Auto] {
            let options = Options { shapley, samples: 2_000, ..Options::default() };
            let p = analyse(&game, &options, &mut |_, _| {}).unwrap();
            assert_eq!(p.banzhaf_method, "sampled");
            assert_eq!(p.players, 200);
        }
    }

    #[test]
    fn sampled_banzhaf_lies_within_its_bound_of_the_exact_value() {
        let w = spread(40, 100, 11);
        let game = weighted(half_plus_one(&w), &w);
        let exact = run(&game);
        let tiny = Options { max_memory: 0, samples: 200_000, ..Options::default() };
        let sampled = analyse(&game, &tiny, &mut |_, _| {}).unwrap();
        assert_eq!(sampled.banzhaf_method, "sampled");
        for (e, s) in exact.members.iter().zip(&sampled.members) {
            let (pe, be) = (s.penrose_error.unwrap(), s.banzhaf_error.unwrap());
            assert!((e.penrose - s.penrose).abs() <= pe, "{}: {} vs {} ± {pe}", e.member, e.penrose, s.penrose);
            assert!((e.banzhaf - s.banzhaf).abs() <= be, "{}: {} vs {} ± {be}", e.member, e.banzhaf, s.banzhaf);
            assert!(pe < 0.01);
        }
    }

    #[test]
    fn the_work_budget_samples_or_refuses() {
        let w = spread(60, 1000, 5);
        let game = weighted(half_plus_one(&w), &w);
        let everything = plan(&game, &Options::default()).unwrap();
        assert_eq!((everything.banzhaf, everything.shapley), (Method::Exact, Method::Exact));
        // Less work than the (size, weight) table: Shapley–Shubik is sampled, swings still counted.
        let bounded = Options { max_work: everything.work / 2, samples: 1_000, ..Options::default() };
        let swings_only = plan(&game, &bounded).unwrap();
        assert_eq!((swings_only.banzhaf, swings_only.shapley), (Method::Exact, Method::Sampled(1_000)));
        // Less than the swing table too: both sampled.
        let draws = Options { max_work: 1_000 * 60 * 3 * 2, samples: 1_000, ..Options::default() };
        assert_eq!(plan(&game, &draws).unwrap().banzhaf, Method::Sampled(1_000));
        let none = Options { max_work: 10, ..Options::default() };
        assert!(matches!(plan(&game, &none), Err(PowerError::NeedsWork { .. })));
    }

    #[test]
    fn r11_thresholds_of_twenty_eight_digits_do_not_overflow() {
        let tiny = Decimal::parse("0.0000000000000000000000000001").unwrap();
        let game = Game::weighted(Decimal::parse("99999999999999999999").unwrap(), &[tiny, tiny]).unwrap();
        assert_eq!(run(&game).winning_coalitions, "0");
        let members = [member(0, 3), member(1, 4)];
        let rule = Rule::Qualified {
            members_share: Share::Decimal(Decimal::parse("0.5").unwrap()),
            weight: "w".to_owned(),
            weight_share: Share::Decimal(Decimal::parse("0.6500000000000000000000000001").unwrap()),
            blocking_min: None,
        };
        let game = Game::from_rule(&rule, &members.iter().collect::<Vec<_>>()).unwrap();
        // 65% of 7 is 4.55: only a coalition holding weight 5 or more (both members) wins.
        assert_eq!(run(&game).winning_coalitions, "1");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(31_050_155_392), "31.1 GB");
        assert_eq!(bytes(2 << 30), "2.1 GB");
    }

    fn member(id: usize, weight: u32) -> Member {
        Member {
            id: format!("M{id}"),
            weights: [("w".to_owned(), Decimal::from_int(i64::from(weight)))].into(),
            ..Member::default()
        }
    }

    fn rule_strategy() -> impl Strategy<Value = Rule> {
        let share = (1u32..=100, any::<bool>(), 1u64..=7).prop_map(|(p, fraction, den)| {
            if fraction {
                Share::Fraction { num: u64::from(p) % den + 1, den }
            } else {
                Share::Decimal(Decimal::parse(&format!("0.{p:02}")).unwrap_or(Decimal::from_int(1)))
            }
        });
        prop_oneof![
            Just(Rule::CONSENSUS),
            Just(Rule::UNANIMITY),
            (share.clone(), proptest::option::of(share.clone())).prop_map(|(m, w)| Rule::Unanimity {
                constructive_abstention: Some(crate::model::ConstructiveAbstention {
                    members_share: m,
                    weight: w.map(|_| "w".to_owned()),
                    weight_share: w,
                })
            }),
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

    /// The sampler's draws checked the naive way: every player, with and without it, by
    /// [`Game::wins`]. The same seed gives the same coalitions.
    fn naive_sampled_penrose(game: &Game, samples: u64, seed: u64) -> Vec<f64> {
        let n = game.len();
        let mut rng = crate::synth::SplitMix64::new(seed ^ 0xB4A2_1F00_0000_0001);
        let mut critical = vec![0u64; n];
        for _ in 0..samples {
            let mut inside = vec![false; n];
            let mut bits = 0;
            for (p, slot) in inside.iter_mut().enumerate() {
                if p % 64 == 0 {
                    bits = rng.next_u64();
                }
                *slot = bits & 1 == 1;
                bits >>= 1;
            }
            for p in 0..n {
                let (mut with, mut without) = (inside.clone(), inside.clone());
                with[p] = true;
                without[p] = false;
                if game.wins(&with) && !game.wins(&without) {
                    critical[p] += 1;
                }
            }
        }
        critical.iter().map(|&c| c as f64 / samples as f64).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Sampled Penrose values credit exactly the players the naive check credits, on the
        /// same draws, for every rule kind.
        #[test]
        fn sampled_swings_match_the_naive_check(rule in rule_strategy(), weights in proptest::collection::vec(0u32..12, 1..=70)) {
            let members: Vec<Member> = weights.iter().enumerate().map(|(i, &w)| member(i, w)).collect();
            let refs: Vec<&Member> = members.iter().collect();
            let game = Game::from_rule(&rule, &refs).unwrap();
            let options = Options { max_memory: 0, samples: 300, ..Options::default() };
            let sampled = analyse(&game, &options, &mut |_, _| {}).unwrap();
            prop_assert_eq!(sampled.banzhaf_method, "sampled");
            let naive = naive_sampled_penrose(&game, 300, options.seed);
            let fast: Vec<f64> = sampled.members.iter().map(|m| m.penrose).collect();
            prop_assert_eq!(fast, naive);
        }

        /// Consensus disregarding the members concerned: the game wins exactly when the rule
        /// adopts with the stances it counts (all but the members concerned), and the members
        /// concerned have no power.
        #[test]
        fn consensus_minus_the_concerned_matches_the_rule(n in 1usize..=10, concerned in proptest::collection::vec(any::<bool>(), 10)) {
            let members: Vec<Member> = (0..n).map(|i| member(i, 1)).collect();
            let refs: Vec<&Member> = members.iter().collect();
            let ids: Vec<&str> = members.iter().zip(&concerned).filter(|(_, c)| **c).map(|(m, _)| m.id.as_str()).collect();
            let rule = Rule::Consensus { disregard: Some(crate::model::Disregard::Concerned) };
            let game = Game::from_rule_disregarding(&rule, &refs, &ids).unwrap();
            let compiled = CompiledRule::new(rule.clone(), &[], Vec::new());
            for mask in 0u32..(1 << n) {
                let inside: Vec<bool> = (0..n).map(|i| mask >> i & 1 == 1).collect();
                let counted: Vec<(usize, Stance)> = inside
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !ids.contains(&members[*i].id.as_str()))
                    .map(|(i, &c)| (i, if c { Stance::Consent } else { Stance::Object }))
                    .collect();
                prop_assert_eq!(game.wins(&inside), compiled.adopts(&counted, false), "coalition {:b}", mask);
            }
            let p = run(&game);
            for (m, c) in p.members.iter().zip(&concerned) {
                if *c {
                    prop_assert_eq!(&m.swings, "0", "{} is concerned", m.member);
                }
            }
            let slow = brute_force(&game);
            for (a, b) in p.members.iter().zip(&slow.members) {
                prop_assert_eq!(&a.swings, &b.swings);
            }
        }

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
                // Outside the coalition a member objects; under a constructive abstention it
                // abstains, which is what the game counts (an objection blocks anyway).
                let against = if matches!(&rule, Rule::Unanimity { constructive_abstention: Some(_) }) { Stance::Abstain } else { Stance::Object };
                let ballot: Vec<(usize, Stance)> = inside.iter().enumerate().map(|(i, &c)| (i, if c { Stance::Consent } else { against })).collect();
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
