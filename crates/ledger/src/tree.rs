//! Merkle tree heads from complete subtrees, and a tree kept in memory.
//!
//! A store keeps the hash of every *complete* subtree: a leaf, or a node over 2^level leaves
//! starting at a multiple of 2^level ([`NodeId`]). Appending a leaf completes at most
//! log2(n) + 1 of them ([`completed_nodes`]). The head of any range the RFC 6962 recursion uses,
//! the root included, combines at most log2(n) of them ([`range_hash`]).

use crate::hash::{EMPTY_ROOT, Hash, leaf_hash, node_hash};

/// A complete subtree: `level` levels above the leaves, the `index`-th of its level, covering
/// leaves `[index · 2^level, (index + 1) · 2^level)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height above the leaves (0 for a leaf).
    pub level: u32,
    /// Position within the level.
    pub index: u64,
}

/// The largest power of two strictly below `n` (n ≥ 2).
pub(crate) fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// The RFC 6962 head `MTH(D[start:end])` of a range of leaves, from the hashes of complete
/// subtrees that `complete` gives.
pub fn range_hash<E>(start: u64, end: u64, complete: &mut impl FnMut(NodeId) -> Result<Hash, E>) -> Result<Hash, E> {
    let n = end.saturating_sub(start);
    if n == 0 {
        return Ok(EMPTY_ROOT);
    }
    if n.is_power_of_two() && start.is_multiple_of(n) {
        return complete(NodeId { level: n.trailing_zeros(), index: start / n });
    }
    let k = split(n);
    let left = range_hash(start, start + k, complete)?;
    let right = range_hash(start + k, end, complete)?;
    Ok(node_hash(&left, &right))
}

/// The root of the first `size` leaves.
pub fn root<E>(size: u64, complete: &mut impl FnMut(NodeId) -> Result<Hash, E>) -> Result<Hash, E> {
    range_hash(0, size, complete)
}

/// The complete subtrees that appending leaf `index` (with hash `leaf`) completes, from the leaf
/// up, each with its hash. `complete` gives the left siblings, which are already stored.
pub fn completed_nodes<E>(
    index: u64,
    leaf: Hash,
    complete: &mut impl FnMut(NodeId) -> Result<Hash, E>,
) -> Result<Vec<(NodeId, Hash)>, E> {
    let mut out = vec![(NodeId { level: 0, index }, leaf)];
    let (mut level, mut i, mut hash) = (0u32, index, leaf);
    while !i.is_multiple_of(2) {
        let left = complete(NodeId { level, index: i - 1 })?;
        hash = node_hash(&left, &hash);
        level += 1;
        i /= 2;
        out.push((NodeId { level, index: i }, hash));
    }
    Ok(out)
}

/// A tree held in memory: every level's complete subtrees. For tests, tools and small logs.
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    /// Appends an entry; returns its index.
    pub fn push(&mut self, entry: &[u8]) -> u64 {
        let index = self.len();
        let nodes = completed_nodes(index, leaf_hash(entry), &mut |id| self.node(id).ok_or(())).unwrap_or_default();
        for (id, hash) in nodes {
            let level = id.level as usize;
            if self.levels.len() <= level {
                self.levels.push(Vec::new());
            }
            if let Some(row) = self.levels.get_mut(level) {
                row.push(hash);
            }
        }
        index
    }

    /// Number of entries.
    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// Whether the tree is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The hash of a complete subtree, if it exists.
    pub fn node(&self, id: NodeId) -> Option<Hash> {
        self.levels.get(id.level as usize)?.get(usize::try_from(id.index).ok()?).copied()
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        self.root_at(self.len()).unwrap_or(EMPTY_ROOT)
    }

    /// The root of the first `size` entries.
    pub fn root_at(&self, size: u64) -> Option<Hash> {
        (size <= self.len()).then(|| root(size, &mut |id| self.node(id).ok_or(())).ok()).flatten()
    }

    /// An inclusion proof of entry `index` in the whole tree.
    pub fn inclusion_proof(&self, index: u64) -> Option<Vec<Hash>> {
        crate::proof::inclusion_proof(index, self.len(), &mut |id| self.node(id).ok_or(())).ok()
    }

    /// A consistency proof from the first `size` entries to the whole tree.
    pub fn consistency_proof(&self, size: u64) -> Option<Vec<Hash>> {
        crate::proof::consistency_proof(size, self.len(), &mut |id| self.node(id).ok_or(())).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits() {
        assert_eq!(split(2), 1);
        assert_eq!(split(3), 2);
        assert_eq!(split(4), 2);
        assert_eq!(split(5), 4);
        assert_eq!(split(8), 4);
        assert_eq!(split(9), 8);
    }

    #[test]
    fn empty_and_single() {
        let mut t = MemoryTree::default();
        assert_eq!(t.root(), EMPTY_ROOT);
        t.push(b"a");
        assert_eq!(t.root(), leaf_hash(b"a"));
    }
}
