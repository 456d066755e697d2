//! The right edge of the ledger's Merkle tree: the last complete subtree of each level, which is
//! all it takes to append leaves and to compute the root, in O(log n) memory.
//!
//! A tree of n leaves splits into one complete subtree per bit set in n (RFC 6962's `MTH` takes
//! them from the left); appending leaf n needs, as left siblings, exactly the last complete
//! subtree of the levels where n has a bit set. This holds those hashes and leaves the hashing to
//! `concord_ledger` ([`completed_nodes`], [`concord_ledger::root`]), so it computes what the
//! stored nodes and [`concord_ledger::MemoryTree`] compute: it is how a store extends and checks
//! its tree as it folds its entries, without holding the whole tree.

use concord_ledger::{Hash, NodeId, completed_nodes};

/// The last complete subtree of each level of a tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Frontier {
    /// Leaves appended.
    size: u64,
    /// At each level, the index and hash of the last complete subtree of that level.
    levels: Vec<(u64, Hash)>,
}

/// A subtree the frontier should hold is not there: a broken invariant, never a property of
/// the file.
#[derive(Debug, thiserror::Error)]
#[error("the tree in memory lacks its subtree at level {level}, index {index}")]
pub(crate) struct Gap {
    level: u32,
    index: u64,
}

impl Frontier {
    /// Leaves appended.
    pub(crate) fn len(&self) -> u64 {
        self.size
    }

    fn get(&self, id: NodeId) -> Result<Hash, Gap> {
        match self.levels.get(id.level as usize) {
            Some(&(index, hash)) if index == id.index => Ok(hash),
            _ => Err(Gap { level: id.level, index: id.index }),
        }
    }

    /// Appends a leaf hash; returns the complete subtrees it completes, the leaf first.
    pub(crate) fn push(&mut self, leaf: Hash) -> Result<Vec<(NodeId, Hash)>, Gap> {
        let nodes = completed_nodes(self.size, leaf, &mut |id| self.get(id))?;
        for &(id, hash) in &nodes {
            let level = id.level as usize;
            match self.levels.get_mut(level) {
                Some(slot) => *slot = (id.index, hash),
                None => self.levels.push((id.index, hash)),
            }
        }
        self.size += 1;
        Ok(nodes)
    }

    /// The root of the tree.
    pub(crate) fn root(&self) -> Result<Hash, Gap> {
        concord_ledger::root(self.size, &mut |id| self.get(id))
    }
}

#[cfg(test)]
mod tests {
    use concord_ledger::{EMPTY_ROOT, MemoryTree, leaf_hash};

    use super::*;

    #[test]
    fn gives_the_roots_and_nodes_of_the_tree_in_memory() {
        let mut frontier = Frontier::default();
        let mut tree = MemoryTree::default();
        assert_eq!(frontier.root().unwrap(), EMPTY_ROOT);
        for i in 0..300u32 {
            let entry = i.to_be_bytes();
            let nodes = frontier.push(leaf_hash(&entry)).unwrap();
            tree.push(&entry);
            assert_eq!(frontier.len(), tree.len());
            assert_eq!(frontier.root().unwrap(), tree.root(), "size {}", tree.len());
            for (id, hash) in nodes {
                assert_eq!(tree.node(id), Some(hash), "{id:?}");
            }
        }
    }
}
