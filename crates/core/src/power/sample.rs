//! Shapley–Shubik values by sampling orderings, with a stated error bound.
//!
//! For bodies too large for the exact (size, weight) table, such as a 190-member board with
//! weights in the millions, the Shapley–Shubik index is estimated: draw `m` orderings of the
//! players uniformly at random (Fisher–Yates with the project's deterministic SplitMix64, so a
//! run is repeatable), and credit each ordering's pivot, the player whose arrival first makes
//! the coalition win. Each player's estimate is the share of orderings it pivots.
//!
//! Where even the swing counts need more memory or work than allowed (a 1,000-member weighted
//! game with weights in the millions needs tens of gigabytes), the Penrose index is estimated the
//! same way: draw `m` coalitions uniformly (each player in or out with probability ½), and credit
//! every player whose joining or leaving decides the outcome. For each player, the other players'
//! part of a uniform coalition is a uniform coalition of the others, so each draw is one unbiased
//! trial for every player at once.
//!
//! The bound printed with the estimate is the empirical Bernstein bound (Maurer and Pontil, 2009)
//! with a union bound over the players: with probability at least 99%, every player's true index
//! lies within its estimate ± the bound given by [`bound`].

use num_bigint::BigUint;
use num_traits::FromPrimitive;

use super::Banzhaf;
use super::exact::View;
use crate::synth::SplitMix64;

/// Confidence of the printed bound: it holds for all players at once with probability 1 − δ.
pub(crate) const DELTA: f64 = 0.01;

/// Estimated Shapley–Shubik values and each one's error bound.
pub(crate) fn shapley(
    view: &View<'_>,
    samples: u64,
    seed: u64,
    progress: &mut dyn FnMut(usize, usize),
) -> (Vec<f64>, Vec<f64>) {
    let game = view.game;
    let n = game.len();
    let mut pivots = vec![0u64; n];
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64::new(seed);
    let required_total = game.required.iter().filter(|&&r| r).count();
    let step = (samples / 100).max(1);
    for done in 0..samples {
        for i in (1..n).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let (mut count, mut weight, mut required) = (0usize, 0u128, 0usize);
        for &p in &order {
            count += 1;
            weight += u128::from(game.weights.get(p).copied().unwrap_or(0));
            if game.required.get(p).copied().unwrap_or(false) {
                required += 1;
            }
            if required == required_total && game.clauses.iter().any(|c| count >= c.min_count && weight >= c.min_weight)
            {
                if let Some(slot) = pivots.get_mut(p) {
                    *slot += 1;
                }
                break;
            }
        }
        if done % step == 0 {
            progress(done as usize, samples as usize);
        }
    }
    let m = samples as f64;
    let estimates: Vec<f64> = pivots.iter().map(|&c| c as f64 / m).collect();
    // A bound above 1 says nothing an index does not already say.
    let bounds = estimates.iter().map(|&p| bound(p, samples, n).min(1.0)).collect();
    (estimates, bounds)
}

/// Estimated swings, Penrose and Banzhaf values, each with its error bound.
pub(crate) fn banzhaf(view: &View<'_>, samples: u64, seed: u64, progress: &mut dyn FnMut(usize, usize)) -> Banzhaf {
    let game = view.game;
    let n = game.len();
    let weights: Vec<u128> = (0..n).map(|p| u128::from(game.weights.get(p).copied().unwrap_or(0))).collect();
    let required: Vec<bool> = (0..n).map(|p| game.required.get(p).copied().unwrap_or(false)).collect();
    let required_total = required.iter().filter(|&&r| r).count();
    let wins = |count: usize, weight: u128, required: usize| {
        required == required_total && game.clauses.iter().any(|c| count >= c.min_count && weight >= c.min_weight)
    };
    // Winning is monotone: whether a player decides depends, beyond the coalition's count, only
    // on its weight, so the players are looked at heaviest first and the look stops at the first
    // one that does not decide (every lighter one cannot either).
    let mut free: Vec<usize> = (0..n).filter(|&p| !required.get(p).copied().unwrap_or(false)).collect();
    free.sort_by_key(|&p| std::cmp::Reverse(weights.get(p).copied().unwrap_or(0)));
    let vetoes: Vec<usize> = (0..n).filter(|&p| required.get(p).copied().unwrap_or(false)).collect();
    let mut critical = vec![0u64; n];
    let mut winning = 0u64;
    let mut inside = vec![false; n];
    let mut rng = SplitMix64::new(seed ^ 0xB4A2_1F00_0000_0001);
    let step = (samples / 100).max(1);
    // Players credited in this draw, and over all draws the sum of that number and of its square
    // (for the bound on the total).
    let (mut credited, mut sum, mut sum_squares) = (0u64, 0f64, 0f64);
    let mut credit = |p: usize, credited: &mut u64| {
        if let Some(c) = critical.get_mut(p) {
            *c += 1;
            *credited += 1;
        }
    };
    for done in 0..samples {
        sum += credited as f64;
        sum_squares += (credited as f64).powi(2);
        credited = 0;
        let (mut count, mut total, mut req) = (0usize, 0u128, 0usize);
        let mut bits = 0u64;
        for (p, (slot, (&w, &r))) in inside.iter_mut().zip(weights.iter().zip(&required)).enumerate() {
            if p % 64 == 0 {
                bits = rng.next_u64();
            }
            *slot = bits & 1 == 1;
            bits >>= 1;
            if *slot {
                count += 1;
                total += w;
                req += usize::from(r);
            }
        }
        let is_in = |p: usize| inside.get(p).copied().unwrap_or(false);
        let weight = |p: usize| weights.get(p).copied().unwrap_or(0);
        // A player decides when the coalition of the others loses and wins with it: when S wins,
        // the members of S whose leaving makes it lose; when S loses, the others whose joining
        // makes it win.
        if wins(count, total, req) {
            winning += 1;
            for &p in vetoes.iter().filter(|&&p| is_in(p)) {
                credit(p, &mut credited);
            }
            for &p in free.iter().filter(|&&p| is_in(p)) {
                if wins(count - 1, total - weight(p), req) {
                    break;
                }
                credit(p, &mut credited);
            }
        } else {
            for &p in vetoes.iter().filter(|&&p| !is_in(p)) {
                if wins(count + 1, total + weight(p), req + 1) {
                    credit(p, &mut credited);
                }
            }
            for &p in free.iter().filter(|&&p| !is_in(p)) {
                if !wins(count + 1, total + weight(p), req) {
                    break;
                }
                credit(p, &mut credited);
            }
        }
        if done % step == 0 {
            progress(done as usize, samples as usize);
        }
    }
    sum += credited as f64;
    sum_squares += (credited as f64).powi(2);
    let m = samples as f64;
    // One bound per player and one for the total, holding all at once.
    let events = n + 1;
    let penrose: Vec<f64> = critical.iter().map(|&c| c as f64 / m).collect();
    let penrose_errors: Vec<f64> = penrose.iter().map(|&p| bound(p, samples, events).min(1.0)).collect();
    // The total of the Penrose values is the mean number of players a draw credits, a variable
    // in [0, n] with its own bound, much tighter than the sum of the players' bounds.
    let width = (n.max(1)) as f64;
    let mean = sum / m / width;
    let variance = ((sum_squares / m / (width * width)) - mean * mean).max(0.0) * m / (m - 1.0).max(1.0);
    let total: f64 = penrose.iter().sum();
    let total_error = width * bernstein(variance, samples, events);
    let (lower_sum, upper_sum) = ((total - total_error).max(0.0), total + total_error);
    // Normalised values, bounded by the players' intervals over the total's.
    let sum = total;
    let banzhaf: Vec<f64> = penrose.iter().map(|&p| if sum > 0.0 { p / sum } else { 0.0 }).collect();
    let banzhaf_errors = penrose
        .iter()
        .zip(&penrose_errors)
        .zip(&banzhaf)
        .map(|((&p, &e), &b)| {
            let low = if upper_sum > 0.0 { (p - e).max(0.0) / upper_sum } else { 0.0 };
            let high = if lower_sum > 0.0 { ((p + e) / lower_sum).min(1.0) } else { 1.0 };
            (b - low).max(high - b).min(1.0)
        })
        .collect();
    // Counts as the estimates say, rounded: Penrose × 2^(n−1) swings, and the winning share of 2^n.
    let scaled = |share: f64, exponent: usize| {
        BigUint::from_f64((share * 2f64.powi(exponent as i32)).round()).unwrap_or_default()
    };
    Banzhaf {
        swings: penrose.iter().map(|&p| scaled(p, n.saturating_sub(1))).collect(),
        winning: scaled(winning as f64 / m, n),
        penrose,
        banzhaf,
        errors: Some((penrose_errors, banzhaf_errors)),
    }
}

/// The empirical Bernstein bound for a mean of `m` Bernoulli samples with sample mean `p`,
/// holding for `n` players at once with probability `1 − DELTA`:
/// `sqrt(2·V·ln(4n/δ)/m) + 7·ln(4n/δ)/(3(m − 1))`, where `V = p(1 − p)·m/(m − 1)` is the
/// sample variance.
pub(crate) fn bound(p: f64, m: u64, n: usize) -> f64 {
    let samples = m.max(2) as f64;
    bernstein(p * (1.0 - p) * samples / (samples - 1.0), m, n)
}

/// The empirical Bernstein bound for a mean of `m` samples in [0, 1] with sample variance
/// `variance`, holding for `n` such means at once with probability `1 − DELTA`.
fn bernstein(variance: f64, m: u64, n: usize) -> f64 {
    let m = m.max(2) as f64;
    let l = (4.0 * n as f64 / DELTA).ln();
    (2.0 * variance * l / m).sqrt() + 7.0 * l / (3.0 * (m - 1.0))
}
