//! `ledger_proof`: inclusion and consistency proofs, sizes and indices as a hostile prover sends
//! them, checked against a real tree of up to [`LEAVES`] entries. Verification never panics,
//! whatever the numbers (`u64::MAX` included); the proofs the tree makes verify; and a proof
//! that verifies against the tree's real root and size is the tree's own proof of the tree's
//! own entry: the fuzzer cannot make a forged path, leaf or old root pass.

#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use concord_ledger::{
    Hash, MemoryTree, NodeId, consistency_proof, inclusion_proof, leaf_hash, verify_consistency, verify_inclusion,
};
use libfuzzer_sys::fuzz_target;

const LEAVES: u64 = 300;

fn entry(i: u64) -> Vec<u8> {
    format!("{{\"seq\":{i},\"change\":\"vote\"}}").into_bytes()
}

fn tree() -> &'static MemoryTree {
    static TREE: OnceLock<MemoryTree> = OnceLock::new();
    TREE.get_or_init(|| {
        let mut tree = MemoryTree::default();
        for i in 0..LEAVES {
            tree.push(&entry(i));
        }
        tree
    })
}

fn node(id: NodeId) -> Result<Hash, ()> {
    tree().node(id).ok_or(())
}

/// A change to a proof or to what it is checked against.
#[derive(Arbitrary, Debug)]
enum Edit {
    /// Flips bits of one byte of one element.
    Flip { element: u8, byte: u8, bits: u8 },
    /// Removes an element.
    Remove(u8),
    /// Inserts an element.
    Insert(u8, [u8; 32]),
    /// Inserts another element of the tree (a node hash where a leaf hash goes, or the reverse).
    InsertNode { at: u8, level: u8, index: u16 },
    /// Swaps two elements.
    Swap(u8, u8),
    /// Keeps the first elements.
    Truncate(u8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// The real tree's size, taken modulo [`LEAVES`] + 1.
    size: u16,
    /// The entry, or the older size, taken modulo the size + 1.
    index: u16,
    /// Verify a consistency proof instead of an inclusion proof.
    consistency: bool,
    /// Claim another entry or older size.
    other_index: Option<u64>,
    /// Claim another tree size.
    other_size: Option<u64>,
    /// Claim another entry's bytes.
    other_entry: Option<Vec<u8>>,
    /// Claim another old root: this size's real root, or these bytes.
    other_old_root: Option<Result<u16, [u8; 32]>>,
    edits: Vec<Edit>,
    /// A proof from nowhere, checked against numbers from nowhere: it must not panic.
    raw: (u64, u64, [u8; 32], [u8; 32], Vec<[u8; 32]>),
}

fn edit(proof: &mut Vec<Hash>, edits: &[Edit]) {
    for e in edits {
        let at = |i: u8, len: usize| usize::from(i) % (len + 1);
        match *e {
            Edit::Flip { element, byte, bits } => {
                let len = proof.len();
                if let Some(h) = proof.get_mut(at(element, len)) {
                    h.0[usize::from(byte) % 32] ^= bits.max(1);
                }
            }
            Edit::Remove(i) => {
                let i = at(i, proof.len());
                if i < proof.len() {
                    proof.remove(i);
                }
            }
            Edit::Insert(i, h) => proof.insert(at(i, proof.len()), Hash(h)),
            Edit::InsertNode { at: i, level, index } => {
                let id = NodeId { level: u32::from(level % 10), index: u64::from(index) };
                if let Ok(h) = node(id) {
                    proof.insert(at(i, proof.len()), h);
                }
            }
            Edit::Swap(a, b) => {
                let len = proof.len();
                if len > 0 {
                    proof.swap(usize::from(a) % len, usize::from(b) % len);
                }
            }
            Edit::Truncate(n) => proof.truncate(usize::from(n)),
        }
    }
}

fuzz_target!(|input: Input| {
    concord_fuzz::catch_stack_overflow();
    let (a, b, h1, h2, raw) = &input.raw;
    let raw: Vec<Hash> = raw.iter().copied().map(Hash).collect();
    let _ = verify_inclusion(*a, *b, &Hash(*h1), &raw, &Hash(*h2));
    let _ = verify_consistency(*a, *b, &Hash(*h1), &Hash(*h2), &raw);

    let tree = tree();
    let size = u64::from(input.size) % (LEAVES + 1);
    let index = u64::from(input.index) % (size + 1);
    let root = tree.root_at(size).expect("a size within the tree");
    if input.consistency {
        let proof = consistency_proof(index, size, &mut node).expect("the tree proves its own prefix");
        let old_root = tree.root_at(index).expect("a size within the tree");
        verify_consistency(index, size, &old_root, &root, &proof).expect("the tree's own consistency proof verifies");

        let mut claimed = proof.clone();
        edit(&mut claimed, &input.edits);
        let old = input.other_index.unwrap_or(index);
        let new = input.other_size.unwrap_or(size);
        let claimed_old_root = match input.other_old_root {
            None => old_root,
            Some(Ok(s)) => tree.root_at(u64::from(s) % (LEAVES + 1)).expect("a size within the tree"),
            Some(Err(bytes)) => Hash(bytes),
        };
        let verdict = verify_consistency(old, new, &claimed_old_root, &root, &claimed);
        // Against the real size and root, only the real old tree and its real proof pass. (A
        // proof from the empty tree proves nothing and passes with any old root.)
        if verdict.is_ok() && new == size && old != 0 {
            assert!(old <= size, "a consistency proof from {old} to {size} entries verified");
            assert_eq!(Some(claimed_old_root), tree.root_at(old), "a forged old root verified");
            let real = consistency_proof(old, size, &mut node).expect("the tree proves its own prefix");
            assert_eq!(claimed, real, "a forged consistency proof from {old} to {size} verified");
        }
    } else if index < size {
        let proof = inclusion_proof(index, size, &mut node).expect("the tree proves its own entry");
        let leaf = leaf_hash(&entry(index));
        verify_inclusion(index, size, &leaf, &proof, &root).expect("the tree's own inclusion proof verifies");

        let mut claimed = proof.clone();
        edit(&mut claimed, &input.edits);
        let claimed_index = input.other_index.unwrap_or(index);
        let claimed_size = input.other_size.unwrap_or(size);
        let bytes = input.other_entry.clone().unwrap_or_else(|| entry(index));
        let verdict = verify_inclusion(claimed_index, claimed_size, &leaf_hash(&bytes), &claimed, &root);
        if verdict.is_ok() && claimed_size == size {
            assert!(claimed_index < size, "entry {claimed_index} verified in a tree of {size}");
            assert_eq!(bytes, entry(claimed_index), "a forged entry verified as entry {claimed_index}");
            let real = inclusion_proof(claimed_index, size, &mut node).expect("the tree proves its own entry");
            assert_eq!(claimed, real, "a forged inclusion proof of entry {claimed_index} verified");
        }
    }
});
