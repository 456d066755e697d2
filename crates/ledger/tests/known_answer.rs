//! Known-answer tests: the RFC 6962 vectors published with transparency-dev/merkle
//! (`proof/verify_test.go` at commit 02194e9afb6c1d95b5381350007963aa70fff472): eight leaves,
//! the roots of every prefix, and inclusion and consistency proofs between them. Each good proof
//! must verify, and every corruption of it (another index or size, a flipped bit, an element
//! added, removed or inserted, another root) must fail.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use concord_ledger::{Hash, MemoryTree, leaf_hash, verify_consistency, verify_inclusion};

fn h(hex: &str) -> Hash {
    hex.parse().unwrap()
}

fn leaves() -> Vec<Vec<u8>> {
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        .iter()
        .map(|x| (0..x.len() / 2).map(|i| u8::from_str_radix(&x[2 * i..2 * i + 2], 16).unwrap()).collect())
        .collect()
}

fn roots() -> Vec<Hash> {
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    .map(h)
    .to_vec()
}

/// (leaf number from 1, tree size, proof)
fn inclusion_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (1, 1, vec![]),
        (
            1,
            8,
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            6,
            8,
            vec![
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (3, 3, vec![h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
        (
            2,
            5,
            vec![
                h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
    ]
}

/// (old size, new size, proof)
fn consistency_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (1, 1, vec![]),
        (
            1,
            8,
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            6,
            8,
            vec![
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (
            2,
            5,
            vec![
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
        (
            6,
            7,
            vec![
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
    ]
}

fn tree(n: usize) -> MemoryTree {
    let mut t = MemoryTree::default();
    for leaf in leaves().iter().take(n) {
        t.push(leaf);
    }
    t
}

#[test]
fn roots_of_every_prefix() {
    let roots = roots();
    for n in 1..=8 {
        assert_eq!(tree(n).root(), roots[n - 1], "root of {n} leaves");
    }
}

#[test]
fn inclusion_proofs_are_generated_and_verified() {
    let (leaves, roots) = (leaves(), roots());
    for (leaf, size, proof) in inclusion_vectors() {
        let index = leaf - 1;
        let t = tree(size as usize);
        assert_eq!(t.inclusion_proof(index).unwrap(), proof, "proof of leaf {leaf} in {size}");
        let hash = leaf_hash(&leaves[index as usize]);
        let root = roots[size as usize - 1];
        verify_inclusion(index, size, &hash, &proof, &root).unwrap();
        // Every corruption fails.
        let bad_index = [index.wrapping_sub(1), index + 1, index ^ 2];
        for i in bad_index {
            assert!(verify_inclusion(i, size, &hash, &proof, &root).is_err(), "index {i}");
        }
        for s in [size * 2, size / 2] {
            assert!(verify_inclusion(index, s, &hash, &proof, &root).is_err(), "size {s}");
        }
        assert!(verify_inclusion(index, size, &leaf_hash(b"WrongLeaf"), &proof, &root).is_err());
        assert!(verify_inclusion(index, size, &hash, &proof, &concord_ledger::EMPTY_ROOT).is_err());
        let mut longer = proof.clone();
        longer.push(root);
        assert!(verify_inclusion(index, size, &hash, &longer, &root).is_err(), "trailing root");
        let mut preceded = vec![root];
        preceded.extend(proof.iter().copied());
        assert!(verify_inclusion(index, size, &hash, &preceded, &root).is_err(), "preceding root");
        for i in 0..proof.len() {
            let mut flipped = proof.clone();
            flipped[i].0[0] ^= 8;
            assert!(verify_inclusion(index, size, &hash, &flipped, &root).is_err(), "bit flip in {i}");
        }
        if !proof.is_empty() {
            assert!(verify_inclusion(index, size, &hash, &proof[..proof.len() - 1], &root).is_err(), "removed");
        }
    }
}

#[test]
fn consistency_proofs_are_generated_and_verified() {
    let roots = roots();
    for (old, new, proof) in consistency_vectors() {
        let t = tree(new as usize);
        assert_eq!(t.consistency_proof(old).unwrap(), proof, "proof {old} → {new}");
        let (r1, r2) = (roots[old as usize - 1], roots[new as usize - 1]);
        verify_consistency(old, new, &r1, &r2, &proof).unwrap();
        if proof.is_empty() {
            continue;
        }
        for (o, n) in [(old - 1, new), (old + 1, new), (old ^ 2, new), (old, new * 2), (old, new / 2)] {
            assert!(verify_consistency(o, n, &r1, &r2, &proof).is_err(), "sizes {o} → {n}");
        }
        assert!(verify_consistency(old, new, &r2, &r1, &proof).is_err(), "swapped roots");
        assert!(verify_consistency(old, new, &r1, &r2, &[]).is_err(), "empty proof");
        for extra in [r1, r2] {
            let mut longer = proof.clone();
            longer.push(extra);
            assert!(verify_consistency(old, new, &r1, &r2, &longer).is_err(), "trailing root");
            let mut preceded = vec![extra];
            preceded.extend(proof.iter().copied());
            assert!(verify_consistency(old, new, &r1, &r2, &preceded).is_err(), "preceding root");
        }
        assert!(verify_consistency(old, new, &r1, &r2, &proof[..proof.len() - 1]).is_err(), "truncated");
        for i in 0..proof.len() {
            let mut flipped = proof.clone();
            flipped[i].0[0] ^= 16;
            assert!(verify_consistency(old, new, &r1, &r2, &flipped).is_err(), "bit flip in {i}");
        }
    }
}
