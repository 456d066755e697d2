//! # concord-store
//!
//! A scenario's life over time, in one SQLite file: proposals circulated under a silence
//! procedure, votes, facts observed, positions declared and withdrawn, decisions recorded when
//! deadlines pass, each change an entry of an append-only RFC 6962 Merkle ledger whose tree heads
//! are signed with the store's Ed25519 key.
//!
//! - [`record`]: the entries and how they fold into the core's engine (pure);
//! - [`timeline`]: replays of recorded decisions and histories with their entries (pure);
//! - [`checkpoint`]: signed tree heads and keys;
//! - [`Store`]: the SQLite file, durable appends, proofs; [`Store::open`] checks every entry
//!   against its leaf hash and the root against the last signed checkpoint, and refuses a store
//!   that does not verify; [`Store::create`] is all or nothing;
//! - [`tokens`]: bearer access tokens, stored as hashes outside the ledger;
//! - [`proof`]: inclusion proofs in the JSON shape people check them in;
//! - [`verify()`]: checks every entry, stored hash and checkpoint, naming the first bad entry, on
//!   a store opened read-only ([`Store::open_read_only`]).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use concord_core::change::{Change, VoteChange};
//! use concord_core::VoteStance;
//! use concord_store::{Store, Write};
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
//! let clock = day("2025-06-02")?;
//! let (mut store, _) = Store::create(&db, "demo.toml", scenario, None, clock, 0)?;
//! let vote = VoteChange { proposal: "p".into(), member: "A".into(), stance: VoteStance::Consent, reason: None, source: None, statement: None };
//! let receipt = store.record(vec![Write::now(Change::Vote(vote))], clock, 0)?;
//! assert_eq!(receipt.entries, 1..2);
//! // Nothing is recorded after the clock's date.
//! let late = VoteChange { proposal: "p".into(), member: "A".into(), stance: VoteStance::Abstain, reason: None, source: None, statement: None };
//! assert!(store.record(vec![Write::on(day("2030-01-01")?, Change::Vote(late))], clock, 0).is_err());
//! let key = *store.public_key();
//! assert!(concord_store::verify(&store, &key)?.fault.is_none());
//! # Ok(()) }
//! ```

pub mod checkpoint;
mod frontier;
pub mod proof;
pub mod record;
mod sqlite;
pub mod timeline;
pub mod tokens;
mod verify;

pub use concord_core::Date;
pub use ed25519_dalek::VerifyingKey;
pub use sqlite::{Receipt, Store, StoreError, Write, key_path, public_key_path, write_date};
pub use tokens::{Grant, NewToken, Role};
pub use verify::{Fault, Verified, verify};
