//! Inclusion and consistency proofs (RFC 6962 §2.1.1–2.1.2) and their verification
//! (RFC 9162 §2.1.3.2 and §2.1.4.2).
//!
//! Verification checks every element of a proof: a proof with an element too many or too few
//! fails, as does one whose path does not end exactly at the root. (A verifier that stopped
//! early, ignoring trailing elements, is a known flaw of other logs.)

use crate::hash::{Hash, node_hash};
use crate::tree::{NodeId, range_hash, split};

/// Why a proof does not verify, or cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The entry is not in a tree of that size.
    #[error("entry {index} is not in a tree of {size} entries")]
    IndexOutOfRange {
        /// The entry.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The older tree is larger than the newer one.
    #[error("a tree of {old} entries cannot precede one of {new}")]
    SizesOutOfOrder {
        /// The older size.
        old: u64,
        /// The newer size.
        new: u64,
    },
    /// More elements than the path needs.
    #[error("the proof has more elements than the path from the entry to the root")]
    TooLong,
    /// Fewer elements than the path needs.
    #[error("the proof has fewer elements than the path from the entry to the root")]
    TooShort,
    /// Every element used, and the result is another root.
    #[error("the proof leads to root {computed}, not {expected}")]
    RootMismatch {
        /// The root the proof leads to.
        computed: Hash,
        /// The root expected.
        expected: Hash,
    },
    /// A consistency proof leads to another old root.
    #[error("the proof leads to old root {computed}, not {expected}")]
    OldRootMismatch {
        /// The old root the proof leads to.
        computed: Hash,
        /// The old root expected.
        expected: Hash,
    },
}

/// The inclusion proof of entry `index` in the first `size` entries: the audit path, from the
/// leaf's sibling up.
pub fn inclusion_proof<E>(
    index: u64,
    size: u64,
    complete: &mut impl FnMut(NodeId) -> Result<Hash, E>,
) -> Result<Vec<Hash>, ProofOrStore<E>> {
    if index >= size {
        return Err(ProofOrStore::Proof(ProofError::IndexOutOfRange { index, size }));
    }
    let mut out = Vec::new();
    path(index, 0, size, complete, &mut out).map_err(ProofOrStore::Store)?;
    Ok(out)
}

/// Either a proof that cannot be made, or the store failed to give a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofOrStore<E> {
    /// The request is impossible.
    Proof(ProofError),
    /// The store failed.
    Store(E),
}

fn path<E>(
    m: u64,
    start: u64,
    end: u64,
    complete: &mut impl FnMut(NodeId) -> Result<Hash, E>,
    out: &mut Vec<Hash>,
) -> Result<(), E> {
    let n = end - start;
    if n <= 1 {
        return Ok(());
    }
    let k = split(n);
    if m < k {
        path(m, start, start + k, complete, out)?;
        out.push(range_hash(start + k, end, complete)?);
    } else {
        path(m - k, start + k, end, complete, out)?;
        out.push(range_hash(start, start + k, complete)?);
    }
    Ok(())
}

/// The consistency proof from the first `old` entries to the first `new` ones.
pub fn consistency_proof<E>(
    old: u64,
    new: u64,
    complete: &mut impl FnMut(NodeId) -> Result<Hash, E>,
) -> Result<Vec<Hash>, ProofOrStore<E>> {
    if old > new {
        return Err(ProofOrStore::Proof(ProofError::SizesOutOfOrder { old, new }));
    }
    let mut out = Vec::new();
    if old > 0 && old < new {
        subproof(old, 0, new, true, complete, &mut out).map_err(ProofOrStore::Store)?;
    }
    Ok(out)
}

fn subproof<E>(
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    complete: &mut impl FnMut(NodeId) -> Result<Hash, E>,
    out: &mut Vec<Hash>,
) -> Result<(), E> {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(range_hash(start, end, complete)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(m, start, start + k, whole, complete, out)?;
        out.push(range_hash(start + k, end, complete)?);
    } else {
        subproof(m - k, start + k, end, false, complete, out)?;
        out.push(range_hash(start, start + k, complete)?);
    }
    Ok(())
}

/// Verifies that `leaf` is entry `index` of the tree of `size` entries with root `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(ProofError::TooLong);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::TooShort);
    }
    if r != *root {
        return Err(ProofError::RootMismatch { computed: r, expected: *root });
    }
    Ok(())
}

/// Verifies that the tree of `old` entries with root `old_root` is a prefix of the tree of
/// `new` entries with root `new_root`.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizesOutOfOrder { old, new });
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::TooLong);
        }
        if old_root != new_root {
            return Err(ProofError::RootMismatch { computed: *old_root, expected: *new_root });
        }
        return Ok(());
    }
    if old == 0 {
        // Every tree extends the empty one; there is nothing to prove.
        return if proof.is_empty() { Ok(()) } else { Err(ProofError::TooLong) };
    }
    let mut elements: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        elements.push(*old_root);
    }
    elements.extend_from_slice(proof);
    let Some((&first, rest)) = elements.split_first() else { return Err(ProofError::TooShort) };
    if proof.is_empty() {
        return Err(ProofError::TooShort);
    }
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (first, first);
    for c in rest {
        if s == 0 {
            return Err(ProofError::TooLong);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::TooShort);
    }
    if fr != *old_root {
        return Err(ProofError::OldRootMismatch { computed: fr, expected: *old_root });
    }
    if sr != *new_root {
        return Err(ProofError::RootMismatch { computed: sr, expected: *new_root });
    }
    Ok(())
}
