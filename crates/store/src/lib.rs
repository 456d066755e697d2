//! # concord-store
//!
//! A scenario's life over time, in one SQLite file: proposals circulated under a silence
//! procedure, votes, facts observed, positions declared and withdrawn, decisions recorded when
//! deadlines pass, each change an entry of an append-only RFC 6962 Merkle ledger whose tree heads
//! are signed with the store's Ed25519 key.
//!
//! - [`record`]: the entries and how they fold into a scenario's state (pure);
//! - [`timeline`]: deadlines, closing, replays and histories (pure);
//! - [`checkpoint`]: signed tree heads and keys;
//! - [`Store`]: the SQLite file, durable appends, proofs;
//! - [`tokens`]: bearer access tokens, stored as hashes outside the ledger;
//! - [`proof`]: inclusion proofs in the JSON shape people check them in;
//! - [`verify()`]: checks every entry, stored hash and checkpoint, naming the first bad entry.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use concord_store::{Store, record::{Change, VoteRecord}};
//! let dir = tempfile::tempdir()?;
//! let db = dir.path().join("demo.db");
//! let scenario = r#"
//! [scenario]
//! id = "demo"
//! as_of = 2025-06-01
//! [[member]]
//! id = "A"
//! [[committee]]
//! id = "C"
//! members = "all"
//! rule = "consensus"
//! [[proposal]]
//! id = "p"
//! committee = "C"
//! kind = "exercise"
//! partners = []
//! engagement = "new"
//! deadline = 2025-06-20
//! "#;
//! let day = |s: &str| s.parse::<concord_store::Date>();
//! let (mut store, _) = Store::create(&db, "demo.toml", scenario, day("2025-06-01")?, 0)?;
//! let vote = VoteRecord { proposal: "p".into(), member: "A".into(), stance: "consent".into(), reason: None };
//! let receipt = store.record(vec![(day("2025-06-02")?, Change::Vote(vote))], 0)?;
//! assert_eq!(receipt.entries, 1..2);
//! let key = *store.public_key();
//! assert!(concord_store::verify(&store, &key)?.fault.is_none());
//! # Ok(()) }
//! ```

pub mod checkpoint;
pub mod proof;
pub mod record;
mod sqlite;
pub mod timeline;
pub mod tokens;
mod verify;

pub use concord_core::Date;
pub use ed25519_dalek::VerifyingKey;
pub use sqlite::{Receipt, Store, StoreError, key_path, public_key_path};
pub use tokens::{Grant, NewToken, Role};
pub use verify::{Fault, Verified, verify};
