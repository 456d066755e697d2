//! The store's record over time, read back: replays of recorded decisions, and a proposal's
//! history with the ledger entries about it.
//!
//! When decisions are taken, and every stance on the way, is the core's
//! ([`concord_core::Engine::history`]); this module adds what only the ledger knows.

use std::collections::BTreeMap;

use concord_core::change::Change;
use concord_core::{Date, Decided, Engine, History};
use serde::Serialize;

use crate::record::{Body, Entry, Fold, Strictness, engine_version};

/// Why the ledger cannot be replayed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TimelineError(pub String);

/// One recorded decision computed again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Replayed {
    /// The decision's entry.
    pub entry: u64,
    /// The proposal.
    pub proposal: String,
    /// The date it was computed on.
    pub on: Date,
    /// The recorded outcome.
    pub recorded: Decided,
    /// The outcome computed now from the entries before the decision.
    pub replayed: Decided,
    /// Whether the state rebuilt from the ledger has the recorded digest; `null` when the record
    /// was made by another version of the engine, whose scenario files are written differently.
    pub state_matches: Option<bool>,
    /// The engine that recorded it.
    pub engine: Option<String>,
    /// Outcome, objecting members and state all agree.
    pub same: bool,
    /// What differs, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<String>,
}

/// Recomputes every recorded decision from the entries before it. `entries` are the ledger's, in
/// order.
pub fn replay(entries: &[Entry], strictness: Strictness) -> Result<Vec<Replayed>, TimelineError> {
    // The states decisions were computed from, by the number of entries they fold.
    let mut wanted: BTreeMap<u64, usize> = BTreeMap::new();
    for e in entries {
        if let Body::Change(Change::Decision(d)) = &e.body {
            *wanted.entry(d.state.as_ref().map_or(e.seq, |s| s.entries)).or_default() += 1;
        }
    }
    let mut states: BTreeMap<u64, Fold> = BTreeMap::new();
    let mut fold = Fold::new(strictness);
    let mut out = Vec::new();
    for entry in entries {
        if wanted.contains_key(&fold.entries) && !states.contains_key(&fold.entries) {
            states.insert(fold.entries, fold.clone());
        }
        if let Body::Change(Change::Decision(d)) = &entry.body {
            let prefix = d.state.as_ref().map_or(entry.seq, |s| s.entries);
            let Some(state) = states.get(&prefix) else {
                return Err(TimelineError(format!(
                    "entry {}: the decision says it was computed from {prefix} entries, which the ledger never had before it",
                    entry.seq
                )));
            };
            let engine = state.engine().ok_or_else(|| TimelineError("the ledger has no init entry".to_owned()))?;
            let (outcome, objecting) = engine
                .decided_on_day(&d.proposal, d.on)
                .ok_or_else(|| TimelineError(format!("entry {}: unknown proposal `{}`", entry.seq, d.proposal)))?;
            let comparable = d.engine.as_deref() == Some(engine_version().as_str());
            let state_matches = match (&d.state, comparable) {
                (Some(recorded), true) => Some(*recorded == state.digest()),
                _ => None,
            };
            let mut differences = Vec::new();
            if state_matches == Some(false) {
                differences.push(format!(
                    "the state rebuilt from the first {prefix} entries has digest {}, the record says {}",
                    state.digest().sha256,
                    d.state.as_ref().map_or("", |s| s.sha256.as_str())
                ));
            }
            if outcome != d.outcome {
                differences.push(format!("outcome {} where {} was recorded", outcome.as_str(), d.outcome.as_str()));
            }
            if objecting != d.objecting {
                differences.push(format!(
                    "objecting [{}] where [{}] was recorded",
                    objecting.join(", "),
                    d.objecting.join(", ")
                ));
            }
            out.push(Replayed {
                entry: entry.seq,
                proposal: d.proposal.clone(),
                on: d.on,
                recorded: d.outcome,
                replayed: outcome,
                state_matches,
                engine: d.engine.clone(),
                same: differences.is_empty(),
                difference: (!differences.is_empty()).then(|| differences.join("; ")),
            });
            if let Some(count) = wanted.get_mut(&prefix) {
                *count -= 1;
                if *count == 0 {
                    states.remove(&prefix);
                }
            }
        }
        fold.apply(entry).map_err(|m| TimelineError(format!("entry {}: {m}", entry.seq)))?;
    }
    Ok(out)
}

/// A proposal's history, with the ledger entries about it: its creation, votes, extensions,
/// withdrawal and decision.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalHistory {
    /// The history the core computes.
    #[serde(flatten)]
    pub history: History,
    /// The ledger entries about the proposal.
    pub entries: Vec<Entry>,
}

/// A proposal's history up to `until`, or `None` for an unknown proposal.
pub fn history(engine: &Engine, proposal: &str, until: Date, entries: Vec<Entry>) -> Option<ProposalHistory> {
    let history = engine.history(engine.proposal_index(proposal)?, until)?;
    Some(ProposalHistory { history, entries })
}
