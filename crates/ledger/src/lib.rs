//! # concord-ledger
//!
//! The tamper-evident record of concord: an append-only RFC 6962 Merkle tree (SHA-256, leaf hash
//! `H(0x00 || entry)`, node hash `H(0x01 || left || right)`), its inclusion and consistency proofs,
//! and their verification. Like `ct-merkle`, nothing here touches storage: proof construction asks
//! a closure for the hashes of complete subtrees, so a database, a file or memory can serve them,
//! and verification needs only a root, a size, a leaf hash and a proof.
//!
//! ```
//! use concord_ledger::{leaf_hash, MemoryTree, verify_inclusion};
//!
//! let mut tree = MemoryTree::default();
//! for entry in [&b"first"[..], b"second", b"third"] {
//!     tree.push(entry);
//! }
//! let root = tree.root();
//! let proof = tree.inclusion_proof(1).unwrap();
//! verify_inclusion(1, 3, &leaf_hash(b"second"), &proof, &root).unwrap();
//! ```

mod hash;
mod proof;
mod tree;

pub use hash::{EMPTY_ROOT, Hash, HashError, leaf_hash, node_hash};
pub use proof::{ProofError, ProofOrStore, consistency_proof, inclusion_proof, verify_consistency, verify_inclusion};
pub use tree::{MemoryTree, NodeId, completed_nodes, range_hash, root};
