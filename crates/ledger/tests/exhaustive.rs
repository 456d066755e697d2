//! Every proof of every small tree, against the RFC 6962 definition written out directly.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use concord_ledger::{EMPTY_ROOT, Hash, MemoryTree, leaf_hash, node_hash, verify_consistency, verify_inclusion};

/// MTH(D[n]) exactly as RFC 6962 §2.1 defines it, from the leaves.
fn mth(leaves: &[Vec<u8>]) -> Hash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaf_hash(&leaves[0]),
        n => {
            // k: the largest power of two smaller than n.
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

#[test]
fn roots_and_proofs_of_every_tree_up_to_40() {
    let leaves: Vec<Vec<u8>> = (0..40u32).map(|i| format!("entry {i}").into_bytes()).collect();
    let mut tree = MemoryTree::default();
    for n in 1..=leaves.len() {
        tree.push(&leaves[n - 1]);
        let root = tree.root();
        assert_eq!(root, mth(&leaves[..n]), "root of {n}");
        for i in 0..n as u64 {
            let proof = tree.inclusion_proof(i).unwrap();
            verify_inclusion(i, n as u64, &leaf_hash(&leaves[i as usize]), &proof, &root).unwrap();
            assert!(verify_inclusion(i, n as u64, &leaf_hash(b"other"), &proof, &root).is_err());
        }
        for m in 0..=n as u64 {
            let proof = tree.consistency_proof(m).unwrap();
            let old = tree.root_at(m).unwrap();
            verify_consistency(m, n as u64, &old, &root, &proof).unwrap();
            if m > 0 && m < n as u64 {
                let wrong = leaf_hash(b"forged");
                assert!(verify_consistency(m, n as u64, &wrong, &root, &proof).is_err(), "{m} → {n}");
            }
        }
    }
}
