//! Exact swing counts and Shapley–Shubik values by dynamic programming over coalitions.
//!
//! Let F be the players that are not required (veto holders are required), r the number of
//! required players and `wR` their weight. Every coalition that can win is R plus some T ⊆ F,
//! so the programmes count subsets T of F by size and weight:
//!
//! - **count-free games** (every clause's member count is met by R alone: weighted games) need
//!   only `P[x]`, the number of T with weight below x. A player's swings are
//!   `P[t] − 2·P₋ᵢ[t − wᵢ]` where t is the weight threshold, and `P₋ᵢ` follows from `P` by the
//!   alternating series `P₋ᵢ[x] = Σⱼ (−1)ʲ P[x − j·wᵢ]`, which has `x / wᵢ` terms. Players are
//!   added lightest first, so the table fills at the cost of the weights added so far.
//! - **general games** (counts and weights, or Shapley–Shubik, which needs sizes) count T by
//!   size k and weight w, weights saturating at the largest threshold. Each player's table
//!   without it is obtained by deconvolution, row by row, in O(|F| × cap).

use num_bigint::BigUint;

use super::count::Count;
use super::game::Game;

/// A game as seen from its free players.
pub(crate) struct View<'g> {
    pub(crate) game: &'g Game,
    /// Indices of the players that are not required.
    pub(crate) free: Vec<usize>,
    /// Number of required players.
    pub(crate) r: usize,
    /// Clauses relative to T ⊆ F: (members of T needed, weight of T needed).
    pub(crate) clauses: Vec<(usize, u128)>,
}

impl<'g> View<'g> {
    pub(crate) fn new(game: &'g Game) -> View<'g> {
        let free: Vec<usize> = (0..game.len()).filter(|&i| !game.required.get(i).copied().unwrap_or(false)).collect();
        let r = game.len() - free.len();
        let wr: u128 = (0..game.len())
            .filter(|&i| game.required.get(i).copied().unwrap_or(false))
            .map(|i| u128::from(game.weights.get(i).copied().unwrap_or(0)))
            .sum();
        let clauses =
            game.clauses.iter().map(|c| (c.min_count.saturating_sub(r), c.min_weight.saturating_sub(wr))).collect();
        View { game, free, r, clauses }
    }

    fn weight(&self, player: usize) -> u64 {
        self.game.weights.get(player).copied().unwrap_or(0)
    }

    /// Whether every clause's member count is met by the required players alone.
    pub(crate) fn count_free(&self) -> bool {
        self.clauses.iter().all(|&(k, _)| k == 0)
    }

    /// The least weight with which some T of size k (with R) wins, or `u128::MAX` when none
    /// does: winning is monotone in weight, so a size's winning weights are a threshold.
    pub(crate) fn threshold(&self, k: usize) -> u128 {
        self.clauses.iter().filter(|&&(ck, _)| k >= ck).map(|&(_, cw)| cw).min().unwrap_or(u128::MAX)
    }

    fn free_weight(&self) -> u128 {
        self.free.iter().map(|&p| u128::from(self.weight(p))).sum()
    }

    /// The saturation cap of the (size, weight) table: the largest weight any clause can need.
    pub(crate) fn cap(&self) -> u128 {
        let need = self.clauses.iter().map(|&(_, w)| w).max().unwrap_or(0);
        need.min(self.free_weight() + 1)
    }
}

/// Where the rows of the (size, weight) table lie. Subsets of F are symmetric,
/// C[k][w] = C[f − k][W − w] (complements), so the table is kept only up to about half the free
/// weight (`stored`) and the rest is read through complements; row k only spans the weights a
/// subset of k players can have, from the k lightest to the k heaviest (or the stored end, where
/// heavier subsets saturate). Row k is at `offset[k]..offset[k + 1]`.
struct Layout {
    free_weight: usize,
    stored: usize,
    /// The free players' weights, lightest first.
    ascending: Vec<usize>,
    lo: Vec<usize>,
    hi: Vec<usize>,
    offset: Vec<usize>,
}

impl Layout {
    fn new(view: &View<'_>) -> Layout {
        let f = view.free.len();
        let cap = usize::try_from(view.cap()).unwrap_or(usize::MAX);
        let free_weight = usize::try_from(view.free_weight()).unwrap_or(usize::MAX);
        let stored = cap.min(free_weight / 2 + 1);
        let mut ascending: Vec<usize> = view.free.iter().map(|&p| view.weight(p) as usize).collect();
        ascending.sort_unstable();
        let mut lo = vec![0usize; f + 1];
        let mut hi = vec![0usize; f + 1];
        let (mut light, mut heavy) = (0usize, 0usize);
        for k in 1..=f {
            light = light.saturating_add(ascending.get(k - 1).copied().unwrap_or(0));
            heavy = heavy.saturating_add(ascending.get(f - k).copied().unwrap_or(0));
            if let (Some(l), Some(h)) = (lo.get_mut(k), hi.get_mut(k)) {
                (*l, *h) = (light.min(stored), heavy.min(stored));
            }
        }
        let mut offset = vec![0usize; f + 2];
        for k in 0..=f {
            let row = |v: &[usize]| v.get(k).copied().unwrap_or(0);
            let next = row(&offset).saturating_add(row(&hi) - row(&lo)).saturating_add(1);
            if let Some(slot) = offset.get_mut(k + 1) {
                *slot = next;
            }
        }
        Layout { free_weight, stored, ascending, lo, hi, offset }
    }

    fn cells(&self) -> usize {
        self.offset.last().copied().unwrap_or(0)
    }

    fn row_len(&self, k: usize) -> usize {
        self.hi.get(k).copied().unwrap_or(0) - self.lo.get(k).copied().unwrap_or(0) + 1
    }
}

/// What an exact programme costs before it runs: the bytes of its tables and the additions it
/// makes, counted in machine words (a 1,024-bit count is 16), so that a caller can refuse or
/// sample instead of running out of memory or time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cost {
    /// Bytes of the tables.
    pub(crate) bytes: u64,
    /// Word additions.
    pub(crate) work: u64,
}

/// Bytes of one count for a game with `f` free players (the type `with_count!` picks).
pub(crate) fn count_bytes(f: usize) -> u64 {
    fn size<C: Count>() -> u64 {
        std::mem::size_of::<C>() as u64
    }
    crate::power::with_count!(f, size())
}

impl View<'_> {
    /// The cost of [`banzhaf_count_free`].
    pub(crate) fn count_free_cost(&self) -> Cost {
        let word = count_bytes(self.free.len());
        let words = (word / 8).max(1);
        let t = self.clauses.iter().map(|&(_, w)| w).min().unwrap_or(0).min(self.free_weight() + 1);
        let t = u64::try_from(t).unwrap_or(u64::MAX);
        let mut weights: Vec<u64> = self.free.iter().map(|&p| self.weight(p)).filter(|&w| w < t).collect();
        weights.sort_unstable();
        let mut additions = 0u64;
        let mut reach = 0u64;
        for &w in &weights {
            reach = if w == 0 { reach } else { reach.saturating_add(w).min(t.saturating_sub(1)) };
            additions = additions.saturating_add((reach + 1).saturating_sub(w));
        }
        additions = additions.saturating_add(t);
        for p in 0..self.game.len() {
            let w = self.weight(p);
            if w > 0 && w < t {
                additions = additions.saturating_add(t / w);
            }
        }
        Cost {
            bytes: t.saturating_mul(2).saturating_add(2).saturating_mul(word),
            work: additions.saturating_mul(words),
        }
    }

    /// The cost of [`general`]: the table, filling it, and each kind of player's swings by size
    /// (and their weighting by orderings, in big integers).
    pub(crate) fn general_cost(&self) -> Cost {
        let layout = Layout::new(self);
        let f = self.free.len();
        let n = self.game.len() as u64;
        let word = count_bytes(f);
        let words = (word / 8).max(1);
        let cells = layout.cells() as u64;
        let mut additions = cells;
        for k in 0..=f {
            additions = additions.saturating_add((layout.row_len(k) as u64).saturating_mul((f - k) as u64));
        }
        let mut kinds: Vec<(u64, bool)> = (0..self.game.len())
            .map(|p| (self.weight(p), self.game.required.get(p).copied().unwrap_or(false)))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        let kinds = kinds.len() as u64;
        // Per kind: two alternating series of up to k terms for each size k, then one product of
        // a count by an ordering weight (about n·log2(n) bits) for each size.
        let big_words = (n * u64::from(n.max(2).ilog2() + 1)).div_ceil(64);
        let per_kind = (f as u64 * (f as u64 + 1)).saturating_add(n.saturating_mul(words).saturating_mul(big_words));
        additions = additions.saturating_mul(words).saturating_add(kinds.saturating_mul(per_kind));
        let tables = cells.saturating_add(2 * f as u64 + 4).saturating_mul(word);
        // Factorials and ordering weights, about n² · log2(n) / 8 bytes.
        let big = n.saturating_mul(big_words).saturating_mul(16);
        Cost { bytes: tables.saturating_add(big), work: additions }
    }

    /// Cells of the (size, weight) table.
    pub(crate) fn general_cells(&self) -> u64 {
        Layout::new(self).cells() as u64
    }
}

/// 2^e as a count.
fn pow2<C: Count>(e: usize) -> C {
    let mut x = C::one();
    for _ in 0..e {
        x = x.add(x);
    }
    x
}

/// Swings and the number of winning coalitions, for a count-free game.
pub(crate) fn banzhaf_count_free<C: Count>(
    view: &View<'_>,
    progress: &mut dyn FnMut(usize, usize),
) -> (Vec<BigUint>, BigUint) {
    let n = view.game.len();
    // The weight threshold for T: the easiest clause.
    let t = view.clauses.iter().map(|&(_, w)| w).min().unwrap_or(0).min(view.free_weight() + 1) as usize;
    let f = view.free.len();
    // P[x] for x in 0..=t: subsets of F with weight < x. Built from C[w], w < t.
    let mut table: Vec<C> = vec![C::default(); t.max(1)];
    let mut dp_steps = 0;
    if t > 0 {
        if let Some(first) = table.first_mut() {
            *first = C::one();
        }
        let mut order: Vec<u64> =
            view.free.iter().map(|&p| view.weight(p)).filter(|&w| (w as u128) < t as u128).collect();
        order.sort_unstable();
        dp_steps = order.len();
        let mut reach = 0usize;
        for (done, &w) in order.iter().enumerate() {
            let w = w as usize;
            if w == 0 {
                // A weightless player doubles every count.
                for x in table.iter_mut().take(reach + 1) {
                    *x = x.add(*x);
                }
            } else {
                reach = (reach + w).min(t - 1);
                // C[x] += C[x − w], from the top so that each subset is counted once.
                for x in (w..=reach).rev() {
                    let source = table.get(x - w).copied().unwrap_or_default();
                    if let Some(target) = table.get_mut(x) {
                        *target = target.add(source);
                    }
                }
            }
            progress(done + 1, dp_steps + n);
        }
    }
    // Prefix sums: prefix[x] = Σ_{w < x} C[w], x in 0..=t.
    let mut prefix: Vec<C> = Vec::with_capacity(t + 1);
    prefix.push(C::default());
    let mut acc = C::default();
    for &c in table.iter().take(t) {
        acc = acc.add(c);
        prefix.push(acc);
    }
    drop(table);
    let p = |x: i128| -> C { if x <= 0 { C::default() } else { prefix.get(x as usize).copied().unwrap_or_default() } };
    let all_free: C = pow2(f);
    let below_t = p(t as i128);
    let winning = all_free.sub(below_t);
    let mut swings = vec![BigUint::default(); n];
    for (done, player) in (0..n).enumerate() {
        let s = if view.game.required.get(player).copied().unwrap_or(false) {
            winning
        } else {
            let wi = i128::from(view.weight(player));
            if wi == 0 {
                C::default()
            } else if wi >= t as i128 {
                // Never part of a losing T: every T below t swings with it.
                below_t
            } else {
                // P₋ᵢ[t − wᵢ] by the alternating series.
                let (mut plus, mut minus) = (C::default(), C::default());
                let mut x = t as i128 - wi;
                let mut sign = true;
                while x > 0 {
                    if sign {
                        plus = plus.add(p(x));
                    } else {
                        minus = minus.add(p(x));
                    }
                    sign = !sign;
                    x -= wi;
                }
                let without = plus.sub(minus);
                below_t.sub(without).sub(without)
            }
        };
        if let Some(slot) = swings.get_mut(player) {
            *slot = s.to_big();
        }
        progress(dp_steps + done + 1, dp_steps + n);
    }
    (swings, winning.to_big())
}

/// Factorials 0!..=n! as big integers.
pub(crate) fn factorials(n: usize) -> Vec<BigUint> {
    let mut out = Vec::with_capacity(n + 1);
    let mut f = BigUint::from(1u32);
    out.push(f.clone());
    for i in 1..=n {
        f *= BigUint::from(i);
        out.push(f.clone());
    }
    out
}

/// Swings, winning coalitions and exact Shapley–Shubik values, by the (size, weight) table.
pub(crate) fn general<C: Count>(
    view: &View<'_>,
    progress: &mut dyn FnMut(usize, usize),
) -> (Vec<BigUint>, BigUint, Vec<f64>) {
    let n = view.game.len();
    let f = view.free.len();
    let cap = view.cap() as usize;
    let width = cap + 1;
    let Layout { free_weight, stored, ascending, lo, hi, offset } = Layout::new(view);
    let bound = |v: &[usize], k: usize| v.get(k).copied().unwrap_or(0);
    // C[k][w] at offset[k] + (w − lo[k]); the cell of weight `stored` holds every heavier subset.
    let mut c: Vec<C> = vec![C::default(); bound(&offset, f + 1)];
    if let Some(first) = c.first_mut() {
        *first = C::one();
    }
    // Lightest first: the rows stay short until the heavy players come.
    let mut reach = 0usize;
    for (done, &wi) in ascending.iter().enumerate() {
        let top = reach.min(stored);
        reach = reach.saturating_add(wi);
        for k in (0..=done).rev() {
            // Row k + 1 gains row k shifted by wᵢ; what lands at or past the end saturates.
            let (lo_k, lo_next) = (bound(&lo, k), bound(&lo, k + 1));
            let (lower, upper) = c.split_at_mut(bound(&offset, k + 1));
            let src_len = (bound(&hi, k).min(top) + 1).saturating_sub(lo_k);
            let (Some(src), Some(dst)) = (
                lower.get(bound(&offset, k)..bound(&offset, k) + src_len),
                upper.get_mut(..bound(&hi, k + 1) - lo_next + 1),
            ) else {
                continue;
            };
            // Cells that land below the stored end; those past the row's end are empty (no subset
            // of this size is that heavy), so the run is clamped to the row.
            let start = (lo_k + wi).saturating_sub(lo_next);
            let direct =
                stored.saturating_sub(wi).saturating_sub(lo_k).min(src.len()).min(dst.len().saturating_sub(start));
            if let Some(targets) = dst.get_mut(start..start + direct) {
                for (d, &v) in targets.iter_mut().zip(src) {
                    *d = d.add(v);
                }
            }
            let saturated = src.get(direct..).unwrap_or_default().iter().fold(C::default(), |a, &b| a.add(b));
            if saturated != C::default()
                && let Some(last) = dst.last_mut()
            {
                *last = last.add(saturated);
            }
        }
        progress(done + 1, f + n);
    }
    // Rows become prefix sums: P[k][x] = Σ_{w < x} C[k][w].
    for k in 0..=f {
        if let Some(row) = c.get_mut(bound(&offset, k)..bound(&offset, k + 1)) {
            let mut acc = C::default();
            for cell in row.iter_mut() {
                let v = *cell;
                *cell = acc;
                acc = acc.add(v);
            }
        }
    }
    // Binomials C(f, k) and C(f − 1, k): whole rows, with and without one player.
    let binomials = |m: usize| -> Vec<C> {
        let mut row: Vec<C> = vec![C::default(); m + 1];
        if let Some(first) = row.first_mut() {
            *first = C::one();
        }
        for j in 1..=m {
            for k in (1..=j).rev() {
                let prev = row.get(k - 1).copied().unwrap_or_default();
                if let Some(slot) = row.get_mut(k) {
                    *slot = slot.add(prev);
                }
            }
        }
        row
    };
    let all = binomials(f);
    let others = binomials(f.saturating_sub(1));
    // Subsets of F of size k with weight below x; above the stored half, by complements:
    // P[k](x) = C(f, k) − P[f − k](W − x + 1).
    let prefix = |k: usize, x: usize| -> C {
        // Subsets of size k lighter than x, for 0 < x ≤ stored, from the row's prefix sums.
        let stored_prefix = |k: usize, x: usize| -> C {
            if x <= bound(&lo, k) {
                C::default()
            } else if x > bound(&hi, k) {
                all.get(k).copied().unwrap_or_default()
            } else {
                c.get(bound(&offset, k) + x - bound(&lo, k)).copied().unwrap_or_default()
            }
        };
        if x == 0 {
            C::default()
        } else if x <= stored {
            stored_prefix(k, x)
        } else {
            let total = all.get(k).copied().unwrap_or_default();
            match (free_weight + 1).checked_sub(x).filter(|&y| y > 0) {
                Some(y) => total.sub(stored_prefix(f - k, y.min(stored))),
                None => total,
            }
        }
    };
    let facts = factorials(n);
    // s! (n − s − 1)!: orderings in which a given coalition of size s precedes the pivot.
    let order_weights: Vec<BigUint> = (0..n)
        .map(|s| {
            facts.get(s).cloned().unwrap_or_default() * facts.get(n.saturating_sub(s + 1)).cloned().unwrap_or_default()
        })
        .collect();
    let n_fact = facts.get(n).cloned().unwrap_or_default();
    // thresholds[k]: the first winning weight column for size k (width when none).
    let thresholds: Vec<usize> = (0..=f + 1).map(|k| view.threshold(k).min(width as u128) as usize).collect();
    let threshold = |k: usize| thresholds.get(k).copied().unwrap_or(width);
    // Subsets of F of size k with weight below x (x = width: all of them).
    let below =
        |k: usize, x: usize| -> C { if x >= width { all.get(k).copied().unwrap_or_default() } else { prefix(k, x) } };
    let mut winning = BigUint::default();
    for k in 0..=f {
        winning += below(k, width).sub(below(k, threshold(k))).to_big();
    }
    let mut swings = vec![BigUint::default(); n];
    let mut shapley = vec![0.0; n];
    // Players of equal weight and standing have equal power: compute each kind once.
    let mut seen: std::collections::HashMap<(u64, bool), usize> = std::collections::HashMap::new();
    for (done, player) in (0..n).enumerate() {
        let kind = (view.weight(player), view.game.required.get(player).copied().unwrap_or(false));
        if let Some(&twin) = seen.get(&kind) {
            let (s, ss) = (swings.get(twin).cloned().unwrap_or_default(), shapley.get(twin).copied().unwrap_or(0.0));
            if let (Some(a), Some(b)) = (swings.get_mut(player), shapley.get_mut(player)) {
                (*a, *b) = (s, ss);
            }
            continue;
        }
        seen.insert(kind, player);
        let mut by_size: Vec<C> = vec![C::default(); n];
        if kind.1 {
            // S = T ∪ R∖{i} loses without i; T ∪ R must win.
            for k in 0..=f {
                if let Some(slot) = by_size.get_mut(k + view.r - 1) {
                    *slot = slot.add(below(k, width).sub(below(k, threshold(k))));
                }
            }
        } else {
            let wi = kind.0 as usize;
            // Subsets of F∖{i} of size k with weight below x, from the rows with i by the
            // alternating series P₋ᵢ[k](x) = Σⱼ (−1)ʲ P[k − j](x − j·wᵢ), for x ≤ cap.
            let without = |k: usize, x: usize| -> C {
                if x >= width {
                    return others.get(k).copied().unwrap_or_default();
                }
                let (mut plus, mut minus) = (C::default(), C::default());
                for j in 0..=k {
                    let Some(y) = x.checked_sub(j * wi).filter(|&y| y > 0) else { break };
                    let term = prefix(k - j, y);
                    if j % 2 == 0 {
                        plus = plus.add(term);
                    } else {
                        minus = minus.add(term);
                    }
                }
                plus.sub(minus)
            };
            for k in 0..f {
                // T of size k loses (w below its threshold) and wins with i (w + wᵢ reaches the
                // threshold of size k + 1; thresholds never exceed the cap, so saturation is exact).
                let next = threshold(k + 1);
                let lo = if next >= width { width } else { next.saturating_sub(wi) };
                let hi = threshold(k);
                if lo < hi
                    && let Some(slot) = by_size.get_mut(k + view.r)
                {
                    *slot = slot.add(without(k, hi).sub(without(k, lo)));
                }
            }
        }
        let mut total = BigUint::default();
        let mut weighted = BigUint::default();
        for (s, count) in by_size.iter().enumerate() {
            let count = count.to_big();
            if let Some(orderings) = order_weights.get(s) {
                weighted += &count * orderings;
            }
            total += count;
        }
        if let Some(slot) = swings.get_mut(player) {
            *slot = total;
        }
        if let Some(slot) = shapley.get_mut(player) {
            *slot = super::count::ratio(&weighted, &n_fact);
        }
        progress(f + done + 1, f + n);
    }
    (swings, winning, shapley)
}
