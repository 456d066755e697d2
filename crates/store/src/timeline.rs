//! Time in a store: silence deadlines that pass, proposals closed by the secretariat, replays of
//! recorded decisions, and a proposal's history of stances.
//!
//! Everything here is pure: it reads a [`State`] (and builds an [`Engine`] from it) and returns the
//! changes to record or a report; the caller records and prints.

use concord_core::{Cause, Date, Engine, Proposal, Scenario, Stance};
use serde::Serialize;

use crate::record::{Entry, Recorded, State, Trigger, engine_version, outcome_name};

/// Why a decision cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TimelineError(pub String);

fn engine_of(state: &State) -> Result<Engine, TimelineError> {
    Engine::new(state.scenario.clone()).map_err(|p| TimelineError(crate::sqlite::join_problems(&p)))
}

/// Computes a proposal's decision on `on` from `state`, ready to record.
pub fn decide(
    state: &State,
    engine: &Engine,
    proposal: &str,
    on: Date,
    trigger: Trigger,
    reason: Option<String>,
) -> Result<Recorded, TimelineError> {
    let Some(index) = engine.proposal_index(proposal) else {
        return Err(TimelineError(format!("unknown proposal `{proposal}`")));
    };
    let evaluation = engine.evaluate(on, &[]).map_err(|e| TimelineError(e.to_string()))?;
    let Some(decision) = evaluation.decision(index) else {
        return Err(TimelineError(format!("proposal `{proposal}` is not before its committee on {on}")));
    };
    let members = &engine.scenario().members;
    Ok(Recorded {
        proposal: proposal.to_owned(),
        trigger,
        on,
        outcome: outcome_name(decision.outcome).to_owned(),
        objecting: decision.objections.iter().filter_map(|o| members.get(o.member).map(|m| m.id.clone())).collect(),
        state: state.digest(),
        engine: engine_version(),
        reason,
    })
}

/// The decisions a clock at `now` records: every proposal whose silence deadline is on or before
/// `now` and that has no recorded decision, decided on its deadline, earliest deadline first.
pub fn due(state: &State, now: Date) -> Result<Vec<Recorded>, TimelineError> {
    let mut due: Vec<(Date, &str)> = state
        .scenario
        .proposals
        .iter()
        .filter(|p| !state.decided.contains_key(&p.id))
        .filter_map(|p| p.deadline.filter(|&d| d <= now).map(|d| (d, p.id.as_str())))
        .collect();
    if due.is_empty() {
        return Ok(Vec::new());
    }
    due.sort();
    let engine = engine_of(state)?;
    due.into_iter().map(|(deadline, id)| decide(state, &engine, id, deadline, Trigger::Deadline, None)).collect()
}

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
    pub recorded: String,
    /// The outcome computed now.
    pub replayed: String,
    /// Whether the state rebuilt from the ledger has the recorded digest.
    pub state_matches: bool,
    /// The engine that recorded it.
    pub engine: String,
    /// Outcome, objecting members and state all agree.
    pub same: bool,
    /// What differs, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<String>,
}

/// Recomputes every recorded decision from the entries before it. `entries` are the ledger's,
/// in order (as [`State::apply`] accepts them).
pub fn replay(entries: &[Entry]) -> Result<Vec<Replayed>, TimelineError> {
    let mut state = State::default();
    let mut out = Vec::new();
    // Decisions in entry order; each names the number of entries its state folded.
    let mut pending: Vec<(u64, Recorded)> = entries
        .iter()
        .filter_map(|e| match &e.change {
            crate::record::Change::Decision(d) => Some((e.seq, d.clone())),
            _ => None,
        })
        .collect();
    pending.sort_by_key(|(seq, d)| (d.state.entries, *seq));
    let mut pending = pending.into_iter().peekable();
    let mut engine: Option<(u64, Engine)> = None;
    for entry in entries.iter().map(Some).chain(std::iter::once(None)) {
        while let Some((seq, recorded)) = pending.next_if(|(_, d)| d.state.entries == state.entries) {
            if engine.as_ref().is_none_or(|(n, _)| *n != state.entries) {
                engine = Some((state.entries, engine_of(&state)?));
            }
            let Some((_, eng)) = engine.as_ref() else { continue };
            let again = decide(&state, eng, &recorded.proposal, recorded.on, recorded.trigger, None)?;
            let state_matches = again.state == recorded.state;
            let mut differences = Vec::new();
            if !state_matches {
                differences.push(format!(
                    "the state rebuilt from the first {} entries has digest {}, the record says {}",
                    recorded.state.entries, again.state.sha256, recorded.state.sha256
                ));
            }
            if again.outcome != recorded.outcome {
                differences.push(format!("outcome {} where {} was recorded", again.outcome, recorded.outcome));
            }
            if again.objecting != recorded.objecting {
                differences.push(format!(
                    "objecting [{}] where [{}] was recorded",
                    again.objecting.join(", "),
                    recorded.objecting.join(", ")
                ));
            }
            out.push(Replayed {
                entry: seq,
                proposal: recorded.proposal.clone(),
                on: recorded.on,
                recorded: recorded.outcome.clone(),
                replayed: again.outcome,
                state_matches,
                engine: recorded.engine.clone(),
                same: differences.is_empty(),
                difference: (!differences.is_empty()).then(|| differences.join("; ")),
            });
        }
        let Some(entry) = entry else { break };
        state.apply(entry).map_err(|m| TimelineError(format!("entry {}: {m}", entry.seq)))?;
    }
    out.sort_by_key(|r| r.entry);
    Ok(out)
}

/// A member's stance on a proposal changing on a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StanceChange {
    /// The date from which the new stance holds.
    pub date: Date,
    /// The member.
    pub member: String,
    /// The stance before (`null` when the member was not seated or the proposal not circulated).
    pub from: Option<&'static str>,
    /// The stance from `date` on.
    pub to: &'static str,
    /// Why: `vote` or `position`, or `null` for silence.
    pub cause: Option<&'static str>,
    /// The vote's reason, or the ids of the objecting positions.
    pub detail: Option<String>,
}

/// A proposal's outcome changing on a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeChange {
    /// From this date.
    pub date: Date,
    /// The outcome before (`null` before circulation).
    pub from: Option<&'static str>,
    /// The outcome from `date` on.
    pub to: &'static str,
}

/// A proposal's history.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct History {
    /// The proposal.
    pub proposal: String,
    /// Its committee.
    pub committee: String,
    /// Circulation date, if any.
    pub circulated: Option<Date>,
    /// Silence deadline, if any.
    pub deadline: Option<Date>,
    /// The recorded decision, if any.
    pub decision: Option<Recorded>,
    /// The last date looked at.
    pub until: Date,
    /// Every change of a member's stance, by date then seat.
    pub stances: Vec<StanceChange>,
    /// Every change of the outcome.
    pub outcomes: Vec<OutcomeChange>,
    /// The ledger entries about the proposal: its creation, votes and decision.
    pub entries: Vec<Entry>,
}

fn stance_name(s: Stance) -> &'static str {
    match s {
        Stance::Consent => "consent",
        Stance::Object => "object",
        Stance::Abstain => "abstain",
        Stance::Silent => "silent",
    }
}

/// Every date on which something the proposal's decision depends on can change, from `start` to
/// `until`: vote dates, fact observations starting and ending, positions starting and ending,
/// members joining, and the deadline.
fn turning_points(s: &Scenario, proposal: &Proposal, start: Date, until: Date) -> Vec<Date> {
    let mut dates = vec![start];
    dates.extend(s.votes.iter().filter(|v| v.proposal == proposal.id).map(|v| v.at));
    for f in &s.facts {
        dates.push(f.as_of);
        dates.extend(f.valid_until.and_then(Date::next));
    }
    for p in &s.positions {
        dates.extend(p.since);
        dates.extend(p.withdrawn);
    }
    dates.extend(s.members.iter().filter_map(|m| m.joined));
    dates.extend(proposal.deadline);
    dates.retain(|d| (start..=until).contains(d));
    dates.sort();
    dates.dedup();
    dates
}

/// The history of a proposal up to `until`: how each member's stance and the outcome changed,
/// with dates and reasons, and the entries about it. `engine` is the state's compiled scenario
/// and `decision` the proposal's recorded decision, if any.
pub fn history(
    engine: &Engine,
    decision: Option<&Recorded>,
    proposal: &str,
    until: Date,
    entries: Vec<Entry>,
) -> Result<History, TimelineError> {
    let Some(index) = engine.proposal_index(proposal) else {
        return Err(TimelineError(format!("unknown proposal `{proposal}`")));
    };
    let s = engine.scenario();
    let p = s.proposals.get(index).ok_or_else(|| TimelineError(format!("unknown proposal `{proposal}`")))?;
    let start = p.circulated.or_else(|| entries.first().map(|e| e.at)).unwrap_or(until);
    let mut last: std::collections::HashMap<usize, Stance> = std::collections::HashMap::new();
    let mut last_outcome = None;
    let mut stances = Vec::new();
    let mut outcomes = Vec::new();
    for date in turning_points(s, p, start, until.max(start)) {
        let evaluation = engine.evaluate(date, &[]).map_err(|e| TimelineError(e.to_string()))?;
        let Some(decision) = evaluation.decision(index) else { continue };
        let outcome = outcome_name(decision.outcome);
        if last_outcome != Some(outcome) {
            outcomes.push(OutcomeChange { date, from: last_outcome, to: outcome });
            last_outcome = Some(outcome);
        }
        for st in evaluation.stances(index) {
            let previous = last.insert(st.member, st.stance);
            if previous == Some(st.stance) {
                continue;
            }
            let (cause, detail) = match &st.cause {
                Some(Cause::Vote(v)) => (Some("vote"), s.votes.get(*v).and_then(|v| v.reason.clone())),
                Some(Cause::Positions(ps)) => (
                    Some("position"),
                    Some(
                        ps.iter()
                            .filter_map(|&i| s.positions.get(i).map(|p| p.id.as_str()))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ),
                None => (None, None),
            };
            // A member that starts silent says nothing worth a line.
            if previous.is_none() && st.stance == Stance::Silent {
                continue;
            }
            stances.push(StanceChange {
                date,
                member: s.members.get(st.member).map(|m| m.id.clone()).unwrap_or_default(),
                from: previous.map(stance_name),
                to: stance_name(st.stance),
                cause,
                detail,
            });
        }
    }
    Ok(History {
        proposal: proposal.to_owned(),
        committee: p.committee.clone(),
        circulated: p.circulated,
        deadline: p.deadline,
        decision: decision.cloned(),
        until,
        stances,
        outcomes,
        entries,
    })
}
