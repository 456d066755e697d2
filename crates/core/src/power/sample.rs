//! Shapley–Shubik values by sampling orderings, with a stated error bound.
//!
//! For bodies too large for the exact (size, weight) table, such as a 190-member board with
//! weights in the millions, the Shapley–Shubik index is estimated: draw `m` orderings of the
//! players uniformly at random (Fisher–Yates with the project's deterministic SplitMix64, so a
//! run is repeatable), and credit each ordering's pivot, the player whose arrival first makes
//! the coalition win. Each player's estimate is the share of orderings it pivots.
//!
//! The bound printed with the estimate is the empirical Bernstein bound (Maurer and Pontil, 2009)
//! with a union bound over the players: with probability at least 99%, every player's true index
//! lies within its estimate ± the bound given by [`bound`].

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

/// The empirical Bernstein bound for a mean of `m` Bernoulli samples with sample mean `p`,
/// holding for `n` players at once with probability `1 − DELTA`:
/// `sqrt(2·V·ln(4n/δ)/m) + 7·ln(4n/δ)/(3(m − 1))`, where `V = p(1 − p)·m/(m − 1)` is the
/// sample variance.
pub(crate) fn bound(p: f64, m: u64, n: usize) -> f64 {
    let m = m.max(2) as f64;
    let l = (4.0 * n as f64 / DELTA).ln();
    let variance = p * (1.0 - p) * m / (m - 1.0);
    (2.0 * variance * l / m).sqrt() + 7.0 * l / (3.0 * (m - 1.0))
}
