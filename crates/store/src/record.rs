//! Ledger entries, and the state they fold into.
//!
//! Every change to a store is one [`Entry`]: its position in the ledger, the date it takes effect
//! and is recorded, and what changed: the scenario file the store was created from (entry 0), or
//! one [`Change`] of the core. An entry's bytes are its compact JSON (fields in a fixed order,
//! maps sorted), and those bytes are what the Merkle tree hashes, so anyone can read an entry and
//! check it against a proof.
//!
//! A store keeps no model of its own: [`Fold`] folds the entries, in order, into the core's
//! [`Engine`], which checks every change as it checks a scenario file. A ledger edited behind
//! concord's back is caught at the first entry that does not fit.
//!
//! This module is pure: no I/O, no clock.

use concord_core::change::{Change, DecisionChange, StateDigest};
use concord_core::{Date, Engine, Refused};
use serde::{Deserialize, Serialize};

/// The version of the engine that computes recorded decisions, as recorded with them.
pub fn engine_version() -> String {
    format!("concord-core {}", concord_core::VERSION)
}

/// What an entry holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// The first entry: the scenario file the store was created from, byte for byte.
    Init {
        /// The file's name when it was read.
        origin: String,
        /// The file's text.
        scenario: String,
    },
    /// A change to the scenario.
    Change(Change),
}

/// One ledger entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Position in the ledger, from 0.
    pub seq: u64,
    /// The date the change takes effect and is recorded. Never before the previous entry's.
    pub at: Date,
    /// What changed.
    pub body: Body,
}

/// The entry's JSON: `{"seq","at","change":"init","origin","scenario"}` or `{"seq","at",` then
/// the change's own fields (`"change":"vote",…`).
#[derive(Serialize)]
struct InitOut<'a> {
    seq: u64,
    at: Date,
    change: &'static str,
    origin: &'a str,
    scenario: &'a str,
}

#[derive(Serialize)]
struct ChangeOut<'a> {
    seq: u64,
    at: Date,
    #[serde(flatten)]
    change: &'a Change,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InitIn {
    seq: u64,
    at: Date,
    #[serde(rename = "change")]
    _change: String,
    origin: String,
    scenario: String,
}

#[derive(Deserialize)]
struct ChangeIn {
    seq: u64,
    at: Date,
    #[serde(flatten)]
    change: Change,
}

impl Serialize for Entry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.body {
            Body::Init { origin, scenario } => {
                InitOut { seq: self.seq, at: self.at, change: "init", origin, scenario }.serialize(s)
            }
            Body::Change(change) => ChangeOut { seq: self.seq, at: self.at, change }.serialize(s),
        }
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Entry {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "A ledger entry: `seq`, `at`, and the change's fields, tagged by `change` (`init`, `proposal`, \
                 `position`, `withdraw`, `fact`, `vote`, `decision`, `extend`, `withdraw_proposal`)",
            ))
            .property("seq", ObjectBuilder::new().schema_type(Type::Integer))
            .property("at", <Date as utoipa::PartialSchema>::schema())
            .property("change", ObjectBuilder::new().schema_type(Type::String))
            .required("seq")
            .required("at")
            .required("change")
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Entry {}

impl Entry {
    /// The bytes the ledger hashes: compact JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing plain data with string keys into memory cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads an entry from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Entry, String> {
        let fail = |e: serde_json::Error| format!("not a concord entry: {e}");
        let tagged: serde_json::Value = serde_json::from_slice(bytes).map_err(fail)?;
        if tagged.get("change").and_then(serde_json::Value::as_str) == Some("init") {
            let init: InitIn = serde_json::from_value(tagged).map_err(fail)?;
            return Ok(Entry {
                seq: init.seq,
                at: init.at,
                body: Body::Init { origin: init.origin, scenario: init.scenario },
            });
        }
        let entry: ChangeIn = serde_json::from_value(tagged).map_err(fail)?;
        Ok(Entry { seq: entry.seq, at: entry.at, body: Body::Change(entry.change) })
    }

    /// The entry's kind, as written in its `change` field.
    pub fn kind(&self) -> &'static str {
        match &self.body {
            Body::Init { .. } => "init",
            Body::Change(c) => c.kind(),
        }
    }

    /// The proposal, position or fact the entry is about, if any.
    pub fn subject(&self) -> Option<&str> {
        match &self.body {
            Body::Init { .. } => None,
            Body::Change(c) => Some(c.subject()),
        }
    }
}

/// Why an entry does not fit the state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Misfit {
    /// What is wrong, worded for people; names the field when one is at fault.
    pub message: String,
}

fn misfit(message: impl Into<String>) -> Misfit {
    Misfit { message: message.into() }
}

impl From<Refused> for Misfit {
    fn from(r: Refused) -> Misfit {
        misfit(r.to_string())
    }
}

/// How strictly entries are checked as they are folded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// Every check of a new write.
    Write,
    /// Reading a ledger that concord 0.1 wrote: it took votes dated after a deadline until the
    /// clock recorded the decision, and closes after a deadline had passed. Such entries are kept
    /// and read as written; every other check holds.
    Legacy,
}

/// The state after some entries: the scenario as the core has it, and the ledger's position.
#[derive(Clone, Debug, Default)]
pub struct Fold {
    engine: Option<Engine>,
    /// The init entry's file name.
    pub origin: String,
    /// Entries folded so far.
    pub entries: u64,
    /// The date of the last entry.
    pub last_at: Option<Date>,
    /// How entries are checked.
    pub strictness: Option<Strictness>,
}

impl Fold {
    /// An empty state, folding entries with this strictness.
    pub fn new(strictness: Strictness) -> Fold {
        Fold { strictness: Some(strictness), ..Fold::default() }
    }

    /// The engine, once the init entry is folded.
    pub fn engine(&self) -> Option<&Engine> {
        self.engine.as_ref()
    }

    /// The engine, to hand on to readers: the store's state compiled for decisions.
    pub fn take_engine(self) -> Option<Engine> {
        self.engine
    }

    /// The date a store decides on by default: the later of the scenario's `as_of` and the last
    /// entry's date.
    pub fn default_date(&self) -> Date {
        let as_of = self.engine.as_ref().and_then(|e| e.scenario().as_of);
        match (as_of, self.last_at) {
            (Some(a), Some(b)) => a.max(b),
            (a, b) => a.or(b).unwrap_or(Date::FIRST),
        }
    }

    /// Applies the next entry. On error the state is unchanged.
    pub fn apply(&mut self, entry: &Entry) -> Result<(), Misfit> {
        if entry.seq != self.entries {
            return Err(misfit(format!(
                "entry says it is entry {}, but it comes at position {}",
                entry.seq, self.entries
            )));
        }
        if let Some(last) = self.last_at
            && entry.at < last
        {
            return Err(misfit(format!("date {} is before the last entry's date {last}", entry.at)));
        }
        match (&entry.body, &mut self.engine) {
            (Body::Init { origin, scenario }, None) => {
                let engine = concord_core::load(scenario, origin).map_err(|e| misfit(e.to_string()))?;
                self.origin = origin.clone();
                self.engine = Some(engine);
            }
            (Body::Init { .. }, Some(_)) => return Err(misfit("a second init entry")),
            (Body::Change(_), None) => return Err(misfit("the first entry must be the init entry")),
            (Body::Change(change), Some(engine)) => {
                let mut change = change.clone();
                if let Change::Decision(d) = &mut change {
                    d.source = Some(format!("ledger entry {}", entry.seq));
                }
                match self.strictness.unwrap_or(Strictness::Write) {
                    Strictness::Write => engine.apply(entry.at, change)?,
                    Strictness::Legacy => engine.apply_legacy(entry.at, change)?,
                }
            }
        }
        self.entries += 1;
        self.last_at = Some(entry.at);
        Ok(())
    }

    /// Takes back the last entry applied, a change that applies in place
    /// ([`Change::can_undo`]); the caller restores `last_at`.
    pub fn undo(&mut self, entry: &Entry) {
        if let (Body::Change(change), Some(engine)) = (&entry.body, &mut self.engine)
            && engine.undo_last(change)
        {
            self.entries = self.entries.saturating_sub(1);
        }
    }

    /// The digest of this state: the SHA-256 of its scenario file.
    pub fn digest(&self) -> StateDigest {
        use sha2::{Digest, Sha256};
        let text = self.engine.as_ref().map(|e| concord_core::scenario::write(e.scenario())).unwrap_or_default();
        StateDigest { entries: self.entries, sha256: hex::encode(Sha256::digest(text.as_bytes())) }
    }

    /// Seals decisions computed from this state for recording: the state they were computed
    /// from and the engine that computed them.
    pub fn seal(&self, decisions: &mut [DecisionChange]) {
        if decisions.is_empty() {
            return;
        }
        let digest = self.digest();
        for d in decisions {
            d.state = Some(digest.clone());
            d.engine = Some(engine_version());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_written_by_concord_0_1_read_back_to_the_same_bytes() {
        let fixture = include_str!("../../../tests/fixtures/store-0.1.0/entries.jsonl");
        for line in fixture.lines() {
            let entry = Entry::from_bytes(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e}"));
            // A close that concord 0.1 recorded as `pending` reads as `blocked` (the ledger keeps
            // the bytes as written; they are never written again).
            let expected = line.replace(r#""outcome":"pending""#, r#""outcome":"blocked""#);
            assert_eq!(String::from_utf8(entry.to_bytes()).unwrap(), expected);
        }
        let init = Entry {
            seq: 0,
            at: "2025-06-01".parse().unwrap(),
            body: Body::Init { origin: "t.toml".into(), scenario: "x".into() },
        };
        let bytes = init.to_bytes();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"seq":0,"at":"2025-06-01","change":"init","origin":"t.toml","scenario":"x"}"#
        );
        assert_eq!(Entry::from_bytes(&bytes).unwrap(), init);
    }

    #[test]
    fn entries_with_unknown_fields_are_not_entries() {
        for line in [
            r#"{"seq":1,"at":"2025-06-16","change":"vote","proposal":"p","member":"A","stance":"consent","x":1}"#,
            r#"{"seq":0,"at":"2025-06-01","change":"init","origin":"t","scenario":"x","x":1}"#,
            r#"{"seq":1,"at":"2025-06-16","change":"vote","proposal":"p","member":"A","stance":"maybe"}"#,
        ] {
            assert!(Entry::from_bytes(line.as_bytes()).is_err(), "{line}");
        }
    }
}
