//! An independent count of the EU Council's qualified-majority game, to check `concord power`
//! against: by (size, weight) tables rather than concord's algorithm, itself checked against the
//! enumeration of every coalition on small games.

use super::{PowerWire, close};

/// An independent count of a qualified-majority game (55% of the members and 65% of the
/// weight, or fewer than `blocking_min` members not consenting), by a method of its own.
///
/// A coalition reaches the weight quota q exactly when its complement weighs at most T − q, so
/// coalitions are counted through their complements in a table by (size, weight) that stops at
/// T − q (about a third of the EU Council's weight, which keeps this fast in a debug build). A player's
/// swings at size s are the coalitions of s others that win with it less those that win without
/// it (the game is monotone); the counts of coalitions without the player come from taking the
/// player out of the table.
pub(super) struct Qualified {
    winning: u128,
    swings: Vec<u128>,
    shapley_shubik: Vec<f64>,
}

impl Qualified {
    /// The game on `weights` once for each of `blocking_mins`.
    pub(super) fn count(weights: &[usize], blocking_mins: &[Option<usize>]) -> Vec<Qualified> {
        let n = weights.len();
        let total: usize = weights.iter().sum();
        let quota = (65 * total).div_ceil(100);
        // The least winning weight of a coalition of s players (None: s players never win).
        let threshold = |blocking_min: Option<usize>, s: usize| -> Option<usize> {
            if blocking_min.is_some_and(|b| n - s < b) {
                Some(0)
            } else if 100 * s >= 55 * n {
                Some(quota)
            } else {
                None
            }
        };
        let mut binomial = vec![vec![0u128; n + 1]; n + 1];
        for m in 0..=n {
            binomial[m][0] = 1;
            for k in 1..=m {
                binomial[m][k] = binomial[m - 1][k - 1] + if k < m { binomial[m - 1][k] } else { 0 };
            }
        }
        // Only complements of coalitions of at least 55% of the players are looked up.
        let rows = n - (55 * n).div_ceil(100) + 1;
        let width = total - quota + 1;
        // table[c * width + w]: coalitions of c < rows players weighing w < width.
        let mut table = vec![0u64; rows * width];
        table[0] = 1;
        for (k, &wi) in weights.iter().enumerate().filter(|&(_, &wi)| wi < width) {
            for c in (0..(k + 1).min(rows - 1)).rev() {
                let (low, high) = table.split_at_mut((c + 1) * width);
                for (to, &from) in high[wi..width].iter_mut().zip(&low[c * width..]) {
                    *to += from;
                }
            }
        }
        let row = |c: usize| &table[c * width..(c + 1) * width];
        let row_sums: Vec<u64> = (0..rows).map(|c| row(c).iter().sum()).collect();
        let mut games: Vec<Qualified> = blocking_mins
            .iter()
            .map(|&b| Qualified {
                winning: (0..=n)
                    .map(|s| match threshold(b, s) {
                        None => 0,
                        Some(0) => binomial[n][s],
                        Some(_) => u128::from(row_sums[n - s]),
                    })
                    .sum(),
                swings: Vec::new(),
                shapley_shubik: Vec::new(),
            })
            .collect();
        for &wi in weights {
            // without[c]: coalitions of c players other than this one, by weight.
            let mut without = vec![row(0).to_vec()];
            for c in 1..rows {
                let mut next = row(c).to_vec();
                for (x, &y) in next[wi.min(width)..].iter_mut().zip(&without[c - 1]) {
                    *x -= y;
                }
                without.push(next);
            }
            // Coalitions of c players other than this one weighing at most m < width, given
            // `all` of them below width: m is near width, the tail is short.
            let at_most = |c: usize, m: usize, all: u64| all - without[c][m + 1..].iter().sum::<u64>();
            // Those below width: a row of the table less those that include this player.
            let mut all = vec![1];
            for c in 1..rows {
                let with_it = if wi < width { at_most(c - 1, width - 1 - wi, all[c - 1]) } else { 0 };
                all.push(row_sums[c] - with_it);
            }
            // Coalitions of s players other than this one with weight + `extra` ≥ threshold t.
            let reaching = |s: usize, t: Option<usize>, extra: usize| -> u128 {
                match t {
                    None => 0,
                    Some(t) if t <= extra => binomial[n - 1][s],
                    // Their complements among the others weigh at most total − wi − (t − extra).
                    Some(t) => (total + extra)
                        .checked_sub(wi + t)
                        .map_or(0, |m| u128::from(at_most(n - 1 - s, m, all[n - 1 - s]))),
                }
            };
            for (game, &b) in games.iter_mut().zip(blocking_mins) {
                let (mut count, mut ss) = (0u128, 0f64);
                for (s, &orderings) in binomial[n - 1][..n].iter().enumerate() {
                    let c = reaching(s, threshold(b, s + 1), wi) - reaching(s, threshold(b, s), 0);
                    count += c;
                    // A coalition of s is followed by the player in s! (n − 1 − s)! of n! orderings.
                    ss += c as f64 / (n as f64 * orderings as f64);
                }
                game.swings.push(count);
                game.shapley_shubik.push(ss);
            }
        }
        games
    }

    /// How `report` differs from these counts.
    pub(super) fn differences(&self, report: &PowerWire) -> Vec<String> {
        let mut out = Vec::new();
        if report.winning_coalitions != self.winning.to_string() {
            out.push(format!("winning_coalitions {}, counted {}", report.winning_coalitions, self.winning));
        }
        let total: u128 = self.swings.iter().sum();
        let half = 2f64.powi(i32::try_from(self.swings.len()).unwrap() - 1);
        for ((m, &s), &ss) in report.members.iter().zip(&self.swings).zip(&self.shapley_shubik) {
            if m.swings != s.to_string() {
                out.push(format!("{}: swings {}, counted {s}", m.member, m.swings));
            }
            for (what, got, want) in [
                ("penrose", m.penrose, s as f64 / half),
                ("banzhaf", m.banzhaf, s as f64 / total as f64),
                ("shapley_shubik", m.shapley_shubik, ss),
            ] {
                if !close(got, want) {
                    out.push(format!("{}: {what} {got}, counted {want}", m.member));
                }
            }
        }
        out
    }
}

/// The same counts by enumerating every coalition and every ordering, for a few players.
fn brute_force(weights: &[usize], blocking_min: Option<usize>) -> Qualified {
    let n = weights.len();
    let total: usize = weights.iter().sum();
    let wins = |mask: u32| {
        let size = mask.count_ones() as usize;
        let weight: usize = (0..n).filter(|i| mask >> i & 1 == 1).map(|i| weights[i]).sum();
        (100 * size >= 55 * n && 100 * weight >= 65 * total) || blocking_min.is_some_and(|b| n - size < b)
    };
    let factorial = |k: usize| (1..=k).map(|x| x as f64).product::<f64>();
    let mut q = Qualified { winning: 0, swings: vec![0; n], shapley_shubik: vec![0.0; n] };
    for mask in 0u32..1 << n {
        if wins(mask) {
            q.winning += 1;
            continue;
        }
        let size = mask.count_ones() as usize;
        for i in (0..n).filter(|i| mask >> i & 1 == 0 && wins(mask | 1 << i)) {
            q.swings[i] += 1;
            q.shapley_shubik[i] += factorial(size) * factorial(n - size - 1) / factorial(n);
        }
    }
    q
}

#[test]
fn the_independent_count_agrees_with_brute_force() {
    let games: [&[usize]; 6] = [
        &[9, 9, 7, 3, 1, 1],
        &[5, 4, 3, 3, 2, 1, 1, 0],
        &[10, 1, 1, 1, 1, 1, 1, 1, 1],
        &[3, 3, 3],
        &[20, 1, 1, 1],
        &[7],
    ];
    for weights in games {
        for blocking_min in [None, Some(1), Some(2), Some(4)] {
            let fast = Qualified::count(weights, &[blocking_min]).remove(0);
            let slow = brute_force(weights, blocking_min);
            let what = format!("{weights:?}, blocking_min {blocking_min:?}");
            assert_eq!((fast.winning, &fast.swings), (slow.winning, &slow.swings), "{what}");
            for (a, b) in fast.shapley_shubik.iter().zip(&slow.shapley_shubik) {
                assert!((a - b).abs() < 1e-12, "{what}: {:?} {:?}", fast.shapley_shubik, slow.shapley_shubik);
            }
            let ss: f64 = fast.shapley_shubik.iter().sum();
            let proper = slow.winning > 0 && slow.winning < 1 << weights.len();
            assert!(!proper || (ss - 1.0).abs() < 1e-12, "{what}: Shapley–Shubik sums to {ss}");
        }
    }
}
