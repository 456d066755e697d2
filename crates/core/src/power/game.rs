//! Decision rules read as simple games.
//!
//! A coalition S *wins* when the rule adopts with S consenting and everyone else objecting
//! (contract §2). Every rule of the contract becomes the same shape: a set of *required* players
//! (veto holders) that S must contain, and a disjunction of *clauses*, each a minimum number of
//! members and a minimum weight. Weights are brought to integers exactly (decimals scaled by a
//! common power of ten, then divided by their greatest common divisor), so thresholds such as
//! "65% of population" are exact.

use crate::model::{Member, Quota, Rule};
use crate::number::Decimal;
use crate::share::Share;

/// One way to win: at least `min_count` members and at least `min_weight` weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clause {
    /// Members needed.
    pub min_count: usize,
    /// Weight needed, in the game's integer weight units.
    pub min_weight: u128,
}

/// A simple game: who plays, their integer weights, who must be in, and how to win.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Game {
    pub(crate) players: Vec<String>,
    /// Whether the rule has weights at all (consensus, majority and veto rules do not).
    pub(crate) weighted: bool,
    pub(crate) weights: Vec<u64>,
    pub(crate) required: Vec<bool>,
    pub(crate) clauses: Vec<Clause>,
}

/// Why a game cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GameError {
    /// No players.
    #[error("a game needs at least one player")]
    NoPlayers,
    /// More players than the exact counts can hold.
    #[error("{0} players is more than the {max} this computation supports", max = super::count::MAX_PLAYERS)]
    TooManyPlayers(usize),
    /// A negative weight.
    #[error("weight `{weight}` of `{player}` is negative")]
    NegativeWeight {
        /// Player.
        player: String,
        /// Its weight.
        weight: String,
    },
    /// A member lacks the weight the rule reads.
    #[error("member `{member}` has no weight `{weight}`")]
    MissingWeight {
        /// Member id.
        member: String,
        /// Weight name.
        weight: String,
    },
    /// Weights too large to count exactly.
    #[error("the weights are too large (their total must stay below 2^63 once scaled to whole numbers)")]
    WeightsTooLarge,
    /// A negative quota.
    #[error("the quota must not be negative")]
    NegativeQuota,
}

impl Game {
    /// A weighted game `[quota; w1, …, wn]`: players `p1`, `p2`, … win with weight ≥ quota.
    pub fn weighted(quota: Decimal, weights: &[Decimal]) -> Result<Game, GameError> {
        if quota.is_negative() {
            return Err(GameError::NegativeQuota);
        }
        let players: Vec<String> = (1..=weights.len()).map(|i| format!("p{i}")).collect();
        let (ints, scale) = integer_weights(&players, weights)?;
        let min_weight = threshold(quota, scale);
        Game::new(players, true, ints, vec![false; weights.len()], vec![Clause { min_count: 0, min_weight }])
    }

    /// The game of a committee's rule among the given members (in seat order).
    pub fn from_rule(rule: &Rule, members: &[&Member]) -> Result<Game, GameError> {
        Game::from_rule_disregarding(rule, members, &[])
    }

    /// As [`Game::from_rule`], for a proposal whose `concerned` members a consensus disregards:
    /// they are dummies, and every other member's consent is needed.
    pub fn from_rule_disregarding(rule: &Rule, members: &[&Member], concerned: &[&str]) -> Result<Game, GameError> {
        let n = members.len();
        let players: Vec<String> = members.iter().map(|m| m.id.clone()).collect();
        let weights: Vec<Decimal> = match rule.weight() {
            Some(name) => members
                .iter()
                .map(|m| {
                    m.weights
                        .get(name)
                        .copied()
                        .ok_or_else(|| GameError::MissingWeight { member: m.id.clone(), weight: name.to_owned() })
                })
                .collect::<Result<_, _>>()?,
            None => vec![Decimal::from_int(0); n],
        };
        let (ints, scale) = integer_weights(&players, &weights)?;
        let total: u128 = ints.iter().map(|&w| u128::from(w)).sum();
        // ceil(share × of), exactly.
        let share_of = |share: Share, of: u128| -> u128 {
            let (num, den) = share.ratio();
            mul_div_ceil(num, of, den)
        };
        let mut required = vec![false; n];
        let clauses = match rule {
            Rule::Consensus { disregard: Some(_) } if !concerned.is_empty() => {
                // Every member but those concerned must consent: they are required, and the
                // members concerned are dummies.
                for (slot, m) in required.iter_mut().zip(members) {
                    *slot = !concerned.contains(&m.id.as_str());
                }
                vec![Clause { min_count: 0, min_weight: 0 }]
            }
            Rule::Consensus { .. } | Rule::Unanimity { constructive_abstention: None } => {
                vec![Clause { min_count: n, min_weight: 0 }]
            }
            Rule::Unanimity { constructive_abstention: Some(c) } => {
                // The members outside a coalition abstain (an objection blocks whatever the
                // coalition): it wins unless they reach both shares, that is, when fewer than
                // ceil(share × n) abstain or they hold less than ceil(share × total) of the weight.
                let blocking_count = share_of(c.members_share, n as u128).max(1);
                let mut clauses =
                    vec![Clause { min_count: (n as u128 + 1).saturating_sub(blocking_count) as usize, min_weight: 0 }];
                if let Some(share) = c.weight_share {
                    let blocking_weight = share_of(share, total);
                    // With no weight at all, the weight is always reached: only the count decides.
                    clauses.push(Clause { min_count: 0, min_weight: (total + 1).saturating_sub(blocking_weight) });
                }
                clauses
            }
            Rule::Majority { share } => {
                // consents > share × n  ⇔  consents ≥ floor(share × n) + 1
                let (num, den) = share.ratio();
                let floor = mul_div_floor(num, n as u128, den);
                vec![Clause { min_count: floor as usize + 1, min_weight: 0 }]
            }
            Rule::Qualified { members_share, weight_share, blocking_min, .. } => {
                let mut c = vec![Clause {
                    min_count: share_of(*members_share, n as u128) as usize,
                    min_weight: share_of(*weight_share, total),
                }];
                if let Some(min) = blocking_min {
                    // fewer than `min` do not consent  ⇔  consents ≥ n − min + 1
                    c.push(Clause { min_count: (n + 1).saturating_sub(*min as usize), min_weight: 0 });
                }
                c
            }
            Rule::Weighted { quota: Quota::Absolute(q), .. } => {
                vec![Clause { min_count: 0, min_weight: threshold(*q, scale) }]
            }
            Rule::Weighted { quota: Quota::Share(s), .. } => {
                vec![Clause { min_count: 0, min_weight: share_of(*s, total) }]
            }
            Rule::Veto { min_yes, veto } => {
                for (slot, m) in required.iter_mut().zip(members) {
                    *slot = veto.contains(&m.id);
                }
                vec![Clause { min_count: *min_yes as usize, min_weight: 0 }]
            }
        };
        Game::new(players, rule.weight().is_some(), ints, required, clauses)
    }

    fn new(
        players: Vec<String>,
        weighted: bool,
        weights: Vec<u64>,
        required: Vec<bool>,
        clauses: Vec<Clause>,
    ) -> Result<Game, GameError> {
        if players.is_empty() {
            return Err(GameError::NoPlayers);
        }
        if players.len() > super::count::MAX_PLAYERS {
            return Err(GameError::TooManyPlayers(players.len()));
        }
        Ok(Game { players, weighted, weights, required, clauses }.reduced())
    }

    /// Divides weights and weight thresholds by their greatest common divisor.
    fn reduced(mut self) -> Game {
        let g = self.weights.iter().fold(0u64, |g, &w| gcd(g, w));
        if g > 1 {
            for w in &mut self.weights {
                *w /= g;
            }
            for c in &mut self.clauses {
                c.min_weight = c.min_weight.div_ceil(u128::from(g));
            }
        }
        self
    }

    /// Number of players.
    pub fn len(&self) -> usize {
        self.players.len()
    }

    /// Whether there are no players (never true for a built game).
    pub fn is_empty(&self) -> bool {
        self.players.is_empty()
    }

    /// Players' names, in order.
    pub fn players(&self) -> &[String] {
        &self.players
    }

    /// Whether the rule weighs its players.
    pub fn is_weighted(&self) -> bool {
        self.weighted
    }

    /// Players' integer weights (after scaling and reduction).
    pub fn weights(&self) -> &[u64] {
        &self.weights
    }

    /// Whether the coalition of players flagged in `members` wins.
    pub fn wins(&self, members: &[bool]) -> bool {
        let mut count = 0;
        let mut weight = 0u128;
        for (i, &inside) in members.iter().enumerate() {
            if inside {
                count += 1;
                weight += u128::from(self.weights.get(i).copied().unwrap_or(0));
            } else if self.required.get(i).copied().unwrap_or(false) {
                return false;
            }
        }
        self.clauses.iter().any(|c| count >= c.min_count && weight >= c.min_weight)
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The smallest integer weight (at `scale`) that reaches the decimal threshold `q`.
fn threshold(q: Decimal, scale: u32) -> u128 {
    // w / 10^scale ≥ q.units / 10^q.scale  ⇔  w ≥ q.units × 10^scale / 10^q.scale
    let units = q.units().max(0) as u128;
    if scale >= q.scale() {
        // Past u128, no weight (they total below 2^63) reaches it: the largest threshold says so.
        10u128.checked_pow(scale - q.scale()).and_then(|p| units.checked_mul(p)).unwrap_or(u128::MAX)
    } else {
        units.div_ceil(10u128.pow(q.scale() - scale))
    }
}

/// `⌈a × b / den⌉` without overflow, saturating at `u128::MAX` (`den > 0`).
fn mul_div_ceil(a: u128, b: u128, den: u128) -> u128 {
    match a.checked_mul(b) {
        Some(product) => product.div_ceil(den),
        None => big_div(a, b, den, true),
    }
}

/// `⌊a × b / den⌋` without overflow, saturating at `u128::MAX` (`den > 0`).
fn mul_div_floor(a: u128, b: u128, den: u128) -> u128 {
    match a.checked_mul(b) {
        Some(product) => product / den,
        None => big_div(a, b, den, false),
    }
}

fn big_div(a: u128, b: u128, den: u128, ceil: bool) -> u128 {
    use num_bigint::BigUint;
    let (product, den) = (BigUint::from(a) * BigUint::from(b), BigUint::from(den));
    let quotient = if ceil { (product + &den - 1u32) / den } else { product / den };
    u128::try_from(quotient).unwrap_or(u128::MAX)
}

/// Weights as integers at a common scale.
fn integer_weights(players: &[String], weights: &[Decimal]) -> Result<(Vec<u64>, u32), GameError> {
    if let Some((p, w)) = players.iter().zip(weights).find(|(_, w)| w.is_negative()) {
        return Err(GameError::NegativeWeight { player: p.clone(), weight: w.to_string() });
    }
    let scale = weights.iter().map(|w| w.scale()).max().unwrap_or(0);
    let ints: Vec<u64> = weights
        .iter()
        .map(|w| w.units_at(scale).and_then(|u| u64::try_from(u).ok()).ok_or(GameError::WeightsTooLarge))
        .collect::<Result<_, _>>()?;
    let total: u128 = ints.iter().map(|&w| u128::from(w)).sum();
    if total >= 1 << 63 {
        return Err(GameError::WeightsTooLarge);
    }
    Ok((ints, scale))
}
