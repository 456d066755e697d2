//! Applying a [`Change`] to a compiled scenario.
//!
//! A change is checked by the same functions, in the same words, as the records of a scenario
//! file: [`crate::validate`] for each record on its own, then the checks that depend on time
//! ([`Engine::check_timing`]) for everything the change can move, with the change in place; a
//! change that does not pass is taken back. A change that alters what positions are checked
//! against (a position, a proposal with a new attribute or a revised text, a fact never seen
//! before) is checked by compiling the scenario again, exactly as a file is. Votes, decisions,
//! extensions, withdrawals, observations of known facts and ordinary proposals apply without
//! compiling anything again, so that a store of any size folds its ledger in one pass.
//!
//! In a store, changes come in order: once a proposal's decision is recorded, nothing more about
//! it is taken, not even on the same day (in a file, a record comes after the day's votes).

use std::fmt;
use std::sync::Arc;

use super::Engine;
use super::timing::Lens;
use crate::change::Change;
use crate::date::Date;
use crate::model::{DecisionRecord, Extension, Fact, Position, Proposal, Vote};
use crate::problem::{Problem, Site, Table};
use crate::validate::{self, Checker};

/// Why a change was refused: every problem found, worded as for a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub Vec<Problem>);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(Problem::to_string).collect();
        f.write_str(&lines.join("; "))
    }
}

impl std::error::Error for Refused {}

pub(crate) fn refuse(problem: Problem) -> Refused {
    Refused(vec![problem])
}

/// `Ok` when there is no problem.
fn passed(problems: Vec<Problem>) -> Result<(), Refused> {
    if problems.is_empty() { Ok(()) } else { Err(Refused(problems)) }
}

impl Engine {
    /// The scenario as it is, with the days looked at so far.
    pub(crate) fn lens(&self) -> Lens<'_> {
        Lens::new(self, Arc::clone(&self.world), Arc::clone(&self.days))
    }

    /// The lens evaluations start from: it keeps the outcomes linked positions read.
    pub(crate) fn shared_lens(&self) -> Lens<'_> {
        Lens::sharing(self, Arc::clone(&self.world), Arc::clone(&self.days), Arc::clone(&self.outcome_memo))
    }

    /// Applies a change dated `at`, after checking it as a file's record is checked; on refusal
    /// nothing changes. `at` is the date the change takes effect and is recorded: a vote's date,
    /// the date an observation or a position becomes known, the date of an extension or a
    /// withdrawal.
    pub fn apply(&mut self, at: Date, change: Change) -> Result<(), Refused> {
        self.apply_with(at, change, false)
    }

    /// Applies a change read from a ledger that concord 0.1 wrote, which took votes dated after a
    /// deadline until its clock recorded the decision, and closes after a deadline had passed:
    /// such a vote is kept on record (it does not count: it comes after the decision) and such a
    /// close stands as the record. Every other check holds.
    pub fn apply_legacy(&mut self, at: Date, change: Change) -> Result<(), Refused> {
        self.apply_with(at, change, true)
    }

    fn apply_with(&mut self, at: Date, change: Change, legacy: bool) -> Result<(), Refused> {
        // Whatever the change, the outcomes kept for linked positions may no longer hold.
        self.outcome_memo = Arc::default();
        // The candidates of what it would take read facts, positions and proposals.
        self.prepared = std::sync::OnceLock::new();
        match change {
            Change::Vote(v) => {
                let vote = Vote {
                    proposal: v.proposal,
                    member: v.member,
                    stance: v.stance,
                    at,
                    reason: v.reason,
                    source: v.source,
                    statement: v.statement,
                };
                self.apply_vote(vote, legacy)
            }
            Change::Decision(d) => {
                let record = DecisionRecord {
                    proposal: d.proposal,
                    on: d.on,
                    outcome: d.outcome,
                    source: d.source.unwrap_or_else(|| format!("recorded on {at}")),
                    note: d.reason,
                    trigger: d.trigger,
                    objecting: d.objecting,
                };
                self.apply_decision(at, record, legacy)
            }
            Change::Extend(x) => {
                let extension = Extension { proposal: x.proposal, on: at, deadline: x.deadline, reason: x.reason };
                self.apply_extension(extension)
            }
            Change::WithdrawProposal(w) => self.apply_withdrawal(at, &w.proposal, w.reason),
            Change::Withdraw(w) => self.withdraw_position(at, &w.position),
            Change::Fact(f) => {
                let as_of = f.as_of.unwrap_or(at);
                let fact = Fact {
                    id: f.id,
                    value: f.value,
                    as_of,
                    source: f.source,
                    valid_until: f.valid_until,
                    recorded: (as_of < at).then_some(at),
                };
                self.apply_fact(fact)
            }
            Change::Proposal(p) => {
                let circulated = p.circulated.unwrap_or(at);
                if circulated < at {
                    let index = self.scenario.proposals.len();
                    return Err(refuse(
                        Problem::new(
                            Site::field(Table::Proposal, index, "circulated"),
                            format!("a proposal recorded on {at} cannot be circulated earlier, on {circulated}"),
                        )
                        .with_entry_id(Some(&p.id)),
                    ));
                }
                let proposal = Proposal {
                    id: p.id,
                    title: p.title,
                    committee: p.committee,
                    kind: p.kind,
                    partners: p.partners,
                    engagement: p.engagement,
                    circulated: Some(circulated),
                    deadline: p.deadline,
                    procedure: p.procedure,
                    withdrawn: None,
                    withdrawn_reason: None,
                    supersedes: p.supersedes,
                    attributes: p.attributes,
                    concerned: p.concerned,
                };
                self.apply_proposal(proposal)
            }
            Change::Position(p) => {
                let since = p.since.unwrap_or(at);
                let position = Position {
                    id: p.id,
                    member: p.member,
                    since: Some(since),
                    withdrawn: None,
                    recorded: (since < at).then_some(at),
                    source: p.source,
                    policy: p.policy,
                };
                self.recompile(|s| s.positions.push(position))
            }
        }
    }

    /// Takes back the last change applied, when it is one that applies in place: a vote, a
    /// decision, an extension, a withdrawal of a proposal or a position. Returns whether it did
    /// (for any other change, keep a copy of the engine instead). A group of changes that must
    /// land together is taken back this way when one of them is refused.
    pub fn undo_last(&mut self, change: &Change) -> bool {
        let lookup = |s: &Self, id: &str| s.proposal_index(id);
        match change {
            Change::Vote(v) => {
                let Some(p) = lookup(self, &v.proposal) else { return false };
                let i = self.scenario.votes.len().saturating_sub(1);
                if let Some(list) = self.votes_by_proposal.get_mut(p) {
                    list.retain(|&x| x != i);
                }
                self.vote_member.pop();
                self.scenario.votes.pop();
            }
            Change::Decision(d) => {
                let Some(p) = lookup(self, &d.proposal) else { return false };
                if let Some(slot) = self.record_of.get_mut(p) {
                    *slot = None;
                }
                self.scenario.decisions.pop();
            }
            Change::Extend(x) => {
                let Some(p) = lookup(self, &x.proposal) else { return false };
                let i = self.scenario.extensions.len().saturating_sub(1);
                if let Some(list) = self.extensions_of.get_mut(p) {
                    list.retain(|&e| e != i);
                }
                self.scenario.extensions.pop();
            }
            Change::WithdrawProposal(w) => {
                let Some(p) = lookup(self, &w.proposal) else { return false };
                if let Some(proposal) = self.scenario.proposals.get_mut(p) {
                    proposal.withdrawn = None;
                    proposal.withdrawn_reason = None;
                }
            }
            Change::Withdraw(w) => {
                let Some(position) = self.scenario.positions.iter_mut().find(|p| p.id == w.position) else {
                    return false;
                };
                position.withdrawn = None;
                self.refresh();
            }
            Change::Fact(_) | Change::Proposal(_) | Change::Position(_) => return false,
        }
        true
    }

    /// Compiles the scenario again with a change made to it; on problems nothing changes.
    fn recompile(&mut self, change: impl FnOnce(&mut crate::model::Scenario)) -> Result<(), Refused> {
        let mut scenario = self.scenario.clone();
        change(&mut scenario);
        *self = Engine::new(scenario).map_err(Refused)?;
        Ok(())
    }

    /// A problem about a change to a proposal whose decision is already recorded.
    pub(crate) fn closed_record(&self, proposal: usize, site: Site, label: Option<&str>) -> Option<Problem> {
        let record = self.scenario.decisions.get(self.record_of.get(proposal).copied().flatten()?)?;
        let id = self.scenario.proposals.get(proposal).map_or("", |p| p.id.as_str());
        Some(
            Problem::new(
                site,
                format!(
                    "proposal `{id}` was decided ({}) on {}, as {} records: its record is closed",
                    record.outcome.as_str(),
                    record.on,
                    record.source
                ),
            )
            .with_entry_id(label),
        )
    }

    /// The timing checks of one proposal's records, with a change dated `at` in place: `Ok`
    /// when they pass. A change can only put a decision on or after its own date, so only a
    /// proposal that holds records dated after it (a scenario file can hold them ahead of a
    /// store's writes) needs checking.
    fn timing_holds(&self, p: usize, at: Date, legacy: bool) -> Result<(), Refused> {
        if !self.holds_records_after(p, at) {
            return Ok(());
        }
        passed(self.check_timing_of(&self.lens(), p, legacy))
    }

    /// The same for every proposal, after a change to facts or positions dated `at`.
    fn timing_holds_everywhere(&self, at: Date) -> Result<(), Refused> {
        let lens = self.lens();
        let problems: Vec<Problem> = (0..self.scenario.proposals.len())
            .filter(|&p| self.holds_records_after(p, at))
            .flat_map(|p| self.check_timing_of(&lens, p, false))
            .collect();
        passed(problems)
    }

    /// Whether anything about a proposal is dated after `at`: a vote, an extension, its
    /// withdrawal or its recorded decision.
    fn holds_records_after(&self, p: usize, at: Date) -> bool {
        let s = &self.scenario;
        let last = |list: Option<&Vec<usize>>| list.and_then(|l| l.last()).copied();
        last(self.votes_by_proposal.get(p)).and_then(|v| s.votes.get(v)).is_some_and(|v| v.at > at)
            || last(self.extensions_of.get(p)).and_then(|x| s.extensions.get(x)).is_some_and(|x| x.on > at)
            || s.proposals.get(p).and_then(|x| x.withdrawn).is_some_and(|w| w > at)
            || self.record_of.get(p).copied().flatten().and_then(|r| s.decisions.get(r)).is_some_and(|r| r.on > at)
    }

    fn apply_vote(&mut self, vote: Vote, legacy: bool) -> Result<(), Refused> {
        let i = self.scenario.votes.len();
        let mut c = Checker::new(&self.scenario);
        validate::check_vote(&mut c, &self.index, i, &vote);
        passed(c.problems)?;
        let (Some(p), Some(m)) = (self.proposal_index(&vote.proposal), self.member_index(&vote.member)) else {
            return Ok(());
        };
        let label = format!("{} on {}", vote.member, vote.proposal);
        // Dated after the decision: refused as a file's vote is; on the day of a recorded
        // decision, refused because the record came first.
        if let Some(problem) = self.vote_timing(&self.lens(), i, &vote, p, m, legacy) {
            return Err(refuse(problem));
        }
        if let Some(problem) = self.closed_record(p, Site::field(Table::Vote, i, "at"), Some(&label)) {
            return Err(refuse(problem));
        }
        let votes = &self.scenario.votes;
        let slot = self
            .votes_by_proposal
            .get(p)
            .map_or(0, |list| list.partition_point(|&v| votes.get(v).is_some_and(|v| v.at <= vote.at)));
        if let Some(list) = self.votes_by_proposal.get_mut(p) {
            list.insert(slot, i);
        }
        let at = vote.at;
        self.vote_member.push(m);
        self.scenario.votes.push(vote);
        // The vote may decide the proposal (its rule adopts it): nothing it already holds may
        // come after.
        self.timing_holds(p, at, legacy).inspect_err(|_| {
            if let Some(list) = self.votes_by_proposal.get_mut(p) {
                list.retain(|&v| v != i);
            }
            self.vote_member.pop();
            self.scenario.votes.pop();
        })
    }

    fn apply_decision(&mut self, at: Date, record: DecisionRecord, legacy: bool) -> Result<(), Refused> {
        let i = self.scenario.decisions.len();
        let mut c = Checker::new(&self.scenario);
        validate::check_decision(&mut c, &self.index, i, &record);
        let mut problems = c.problems;
        if record.on > at {
            problems.push(
                Problem::new(
                    Site::field(Table::Decision, i, "on"),
                    format!("a decision on {} cannot be recorded on the earlier date {at}", record.on),
                )
                .with_entry_id(Some(&record.proposal)),
            );
        }
        passed(problems)?;
        let Some(p) = self.proposal_index(&record.proposal) else { return Ok(()) };
        if let Some(r) = self.record_of.get(p).copied().flatten() {
            return Err(refuse(
                Problem::new(
                    Site::field(Table::Decision, i, "proposal"),
                    format!("proposal `{}` already has a decision (decision #{})", record.proposal, r + 1),
                )
                .with_entry_id(Some(&record.proposal)),
            ));
        }
        let on = record.on;
        if let Some(slot) = self.record_of.get_mut(p) {
            *slot = Some(i);
        }
        self.scenario.decisions.push(record);
        let own = match self.scenario.decisions.get(i) {
            Some(record) if !legacy => self.record_timing(&self.lens(), i, record, p),
            _ => None,
        };
        own.map_or(Ok(()), |problem| Err(refuse(problem))).and_then(|()| self.timing_holds(p, on, legacy)).inspect_err(
            |_| {
                if let Some(slot) = self.record_of.get_mut(p) {
                    *slot = None;
                }
                self.scenario.decisions.pop();
            },
        )
    }

    fn apply_extension(&mut self, extension: Extension) -> Result<(), Refused> {
        let i = self.scenario.extensions.len();
        let mut c = Checker::new(&self.scenario);
        validate::check_extension(&mut c, &self.index, i, &extension);
        passed(c.problems)?;
        let Some(p) = self.proposal_index(&extension.proposal) else { return Ok(()) };
        if let Some(problem) = self.extension_timing(&self.lens(), i, &extension, p) {
            return Err(refuse(problem));
        }
        if let Some(problem) = self.closed_record(p, Site::field(Table::Extension, i, "on"), Some(&extension.proposal))
        {
            return Err(refuse(problem));
        }
        let extensions = &self.scenario.extensions;
        let slot = self
            .extensions_of
            .get(p)
            .map_or(0, |list| list.partition_point(|&x| extensions.get(x).is_some_and(|x| x.on <= extension.on)));
        if let Some(list) = self.extensions_of.get_mut(p) {
            list.insert(slot, i);
        }
        let on = extension.on;
        self.scenario.extensions.push(extension);
        self.timing_holds(p, on, false).inspect_err(|_| {
            if let Some(list) = self.extensions_of.get_mut(p) {
                list.retain(|&x| x != i);
            }
            self.scenario.extensions.pop();
        })
    }

    fn apply_withdrawal(&mut self, at: Date, id: &str, reason: String) -> Result<(), Refused> {
        let Some(p) = self.proposal_index(id) else {
            return Err(refuse(
                Problem::new(
                    Site::field(Table::Proposal, self.scenario.proposals.len(), "id"),
                    format!("unknown proposal `{id}`"),
                )
                .with_entry_id(Some(id)),
            ));
        };
        let site = || Site::field(Table::Proposal, p, "withdrawn");
        if reason.trim().is_empty() {
            let problem = Problem::new(site(), "a withdrawal needs a reason").with_entry_id(Some(id));
            return Err(refuse(problem));
        }
        if let Some(w) = self.scenario.proposals.get(p).and_then(|x| x.withdrawn) {
            let problem =
                Problem::new(site(), format!("proposal `{id}` was already withdrawn on {w}")).with_entry_id(Some(id));
            return Err(refuse(problem));
        }
        if let Some(decided) = self.decided_before(&self.lens(), p, at) {
            let problem = Problem::new(site(), format!("{decided}: it cannot be withdrawn on {at}"));
            return Err(refuse(problem.with_entry_id(Some(id))));
        }
        if let Some(problem) = self.closed_record(p, site(), Some(id)) {
            return Err(refuse(problem));
        }
        let Some(before) = self.scenario.proposals.get(p).cloned() else { return Ok(()) };
        if let Some(slot) = self.scenario.proposals.get_mut(p) {
            slot.withdrawn = Some(at);
            slot.withdrawn_reason = Some(reason);
        }
        let own = self.scenario.proposals.get(p).and_then(|x| self.withdrawal_timing(&self.lens(), p, x));
        own.map_or(Ok(()), |problem| Err(refuse(problem))).and_then(|()| self.timing_holds(p, at, false)).inspect_err(
            |_| {
                if let Some(slot) = self.scenario.proposals.get_mut(p) {
                    *slot = before;
                }
            },
        )
    }

    fn withdraw_position(&mut self, at: Date, id: &str) -> Result<(), Refused> {
        let index = self.scenario.positions.iter().position(|p| p.id == id);
        let site = |i: usize| Site::field(Table::Position, i, "withdrawn");
        let Some((i, position)) = index.and_then(|i| Some((i, self.scenario.positions.get_mut(i)?))) else {
            let problem = Problem::new(site(self.scenario.positions.len()), format!("unknown position `{id}`"));
            return Err(refuse(problem.with_entry_id(Some(id))));
        };
        if let Some(w) = position.withdrawn {
            let problem = Problem::new(site(i), format!("position `{id}` was already withdrawn on {w}"));
            return Err(refuse(problem.with_entry_id(Some(id))));
        }
        if let Some(since) = position.since
            && at <= since
        {
            let problem =
                Problem::new(site(i), format!("position `{id}` is in force from {since}: withdraw it after that date"));
            return Err(refuse(problem.with_entry_id(Some(id))));
        }
        position.withdrawn = Some(at);
        self.refresh();
        // Without the position, a proposal may be adopted earlier than what it already holds.
        self.timing_holds_everywhere(at).inspect_err(|_| {
            if let Some(position) = self.scenario.positions.get_mut(i) {
                position.withdrawn = None;
            }
            self.refresh();
        })
    }

    fn apply_fact(&mut self, fact: Fact) -> Result<(), Refused> {
        use crate::cedar::schema::ValueType;
        // A fact never seen, or of another type, changes what positions are checked against.
        if self.fact_types.get(&fact.id) != Some(&ValueType::of(&fact.value)) {
            return self.recompile(|s| s.facts.push(fact));
        }
        let i = self.scenario.facts.len();
        let mut c = Checker::new(&self.scenario);
        validate::check_fact(&mut c, i, &fact);
        let clash = self.facts_by_id.get(&fact.id).and_then(|obs| {
            obs.iter().copied().find(|&o| {
                self.scenario.facts.get(o).is_some_and(|f| f.as_of == fact.as_of && f.known_from() == fact.known_from())
            })
        });
        if let Some(first) = clash {
            validate::check_fact_clash(&mut c, i, &fact, first);
        }
        passed(c.problems)?;
        let (id, from) = (fact.id.clone(), fact.known_from());
        self.facts_by_id.entry(id.clone()).or_default().push(i);
        self.scenario.facts.push(fact);
        self.refresh();
        // The observation may lift an objection, and a proposal be adopted earlier than what it
        // already holds.
        self.timing_holds_everywhere(from).inspect_err(|_| {
            if let Some(list) = self.facts_by_id.get_mut(&id) {
                list.pop();
            }
            self.scenario.facts.pop();
            self.refresh();
        })
    }

    /// A proposal, put in its classes without compiling the scenario again, unless it changes the
    /// schema (an attribute never seen, or one every proposal had that it lacks), revises
    /// another (whose records the withdrawal may leave after its decision) or linked positions
    /// may read it.
    fn apply_proposal(&mut self, proposal: Proposal) -> Result<(), Refused> {
        let i = self.scenario.proposals.len();
        let mut c = Checker::new(&self.scenario);
        c.new_id(Table::Proposal, i, &proposal.id, &self.index.proposals);
        let mut attrs = self.attrs.clone();
        validate::check_proposal(&mut c, &self.index, i, &proposal, &mut attrs);
        // The first item of a list that was empty everywhere gives the list its type.
        let same_types =
            attrs.iter().all(|(name, (ty, _, _))| self.attrs.get(name).is_none_or(|(old, _, _)| old == ty));
        let same_schema = self.codes.knows_attributes_of(&proposal)
            && same_types
            && self.attrs.iter().all(|(name, &(_, _, count))| count != i || proposal.attributes.contains_key(name));
        // Linked positions read per class of proposal, and a new proposal may close a cycle.
        if !same_schema || proposal.supersedes.is_some() || self.links.any() {
            return self.recompile(|s| s.proposals.push(proposal));
        }
        passed(c.problems)?;
        let committee = self.committee_index(&proposal.committee).unwrap_or(0);
        self.codes.push(&proposal);
        // A proposal that opens a class is evaluated as its representative: Cedar needs it.
        let new_class = self.tables.iter().any(|t| t.is_new_class(&self.codes, i));
        if new_class {
            let internal =
                |e: String| refuse(Problem::new(Site::entry(Table::Proposal, i), e).with_entry_id(Some(&proposal.id)));
            let entities = self
                .names
                .proposal_entity(&proposal)
                .and_then(|entity| self.entities.clone().add_entities([entity], None).map_err(|e| e.to_string()));
            match entities {
                Ok(entities) => self.entities = entities,
                Err(e) => {
                    self.codes.pop();
                    return Err(internal(e));
                }
            }
        }
        for table in &mut self.tables {
            table.add(&self.codes, i);
        }
        self.attrs = attrs;
        self.index.proposals.insert(proposal.id.clone(), i);
        self.proposal_committee.push(committee);
        self.votes_by_proposal.push(Vec::new());
        self.record_of.push(None);
        self.extensions_of.push(Vec::new());
        self.superseded_by.push(None);
        self.scenario.proposals.push(proposal);
        if new_class {
            // The verdicts kept have no room for the new class.
            self.refresh();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::{DecisionChange, ExtensionChange, PositionWithdrawal, ProposalWithdrawal, VoteChange};
    use crate::model::{Decided, Trigger, VoteStance};

    const SCENARIO: &str = r#"
[scenario]
id = "t"
as_of = 2025-06-01
[[member]]
id = "A"
[[member]]
id = "B"
[[committee]]
id = "C"
members = "all"
rule = "consensus"
[[proposal]]
id = "p"
committee = "C"
kind = "exercise"
partners = []
engagement = "new"
circulated = 2025-06-01
deadline = 2025-06-30
[[position]]
id = "b-no"
member = "B"
source = "s"
policy = "forbid (principal, action, resource) when { resource.kind == \"statement\" };"
"#;

    fn day(s: &str) -> Date {
        s.parse().unwrap_or(Date::FIRST)
    }

    /// Every change that applies in place is taken back to exactly the scenario before it.
    #[test]
    fn a_change_applied_in_place_is_taken_back_exactly() {
        let Ok(mut engine) = crate::load(SCENARIO, "t.toml") else { panic!("the scenario loads") };
        let changes = [
            Change::Vote(VoteChange {
                proposal: "p".into(),
                member: "A".into(),
                stance: VoteStance::Consent,
                reason: None,
                source: Some("the delegation".into()),
                statement: Some("an interpretative statement".into()),
            }),
            Change::Extend(ExtensionChange { proposal: "p".into(), deadline: day("2025-07-10"), reason: None }),
            Change::WithdrawProposal(ProposalWithdrawal { proposal: "p".into(), reason: "r".into() }),
            Change::Decision(DecisionChange {
                proposal: "p".into(),
                trigger: Trigger::Close,
                on: day("2025-06-05"),
                outcome: Decided::Adopted,
                objecting: Vec::new(),
                state: None,
                engine: None,
                reason: None,
                source: None,
            }),
            Change::Withdraw(PositionWithdrawal { position: "b-no".into(), reason: None }),
        ];
        for change in changes {
            let before = engine.scenario().clone();
            let decided = engine.evaluate(day("2025-07-15"), &[]).map(|e| e.report().decisions.len());
            assert!(change.can_undo());
            engine.apply(day("2025-06-05"), change.clone()).unwrap_or_else(|e| panic!("{change:?}: {e}"));
            assert_ne!(engine.scenario(), &before, "{change:?} changed nothing");
            assert!(engine.undo_last(&change));
            assert_eq!(engine.scenario(), &before, "{change:?} was not taken back");
            assert_eq!(engine.evaluate(day("2025-07-15"), &[]).map(|e| e.report().decisions.len()), decided);
            // Applied again, it is accepted again: the indexes were taken back too.
            engine.apply(day("2025-06-05"), change.clone()).unwrap_or_else(|e| panic!("{change:?} again: {e}"));
            assert!(engine.undo_last(&change));
        }
    }
}

#[cfg(test)]
mod refusals {
    use super::*;
    use crate::change::{DecisionChange, ProposalWithdrawal};
    use crate::model::{Decided, Trigger};

    const SCENARIO: &str = r#"
[scenario]
id = "t"
as_of = 2025-06-01
[[member]]
id = "A"
[[committee]]
id = "C"
members = "all"
rule = "consensus"
[[proposal]]
id = "p"
committee = "C"
kind = "exercise"
partners = []
engagement = "new"
circulated = 2025-06-10
deadline = 2025-06-20
"#;

    fn day(s: &str) -> Date {
        s.parse().unwrap_or(Date::FIRST)
    }

    /// A change that holds nothing after it is still checked on its own: a record after the
    /// proposal's deadline, a withdrawal before its circulation.
    #[test]
    fn a_change_with_nothing_after_it_is_still_checked_on_its_own() {
        let Ok(mut engine) = crate::load(SCENARIO, "t.toml") else { panic!("the scenario loads") };
        let record = |on: &str| {
            Change::Decision(DecisionChange {
                proposal: "p".into(),
                trigger: Trigger::Close,
                on: day(on),
                outcome: Decided::Blocked,
                objecting: Vec::new(),
                state: None,
                engine: None,
                reason: None,
                source: None,
            })
        };
        let late = engine.apply(day("2025-06-25"), record("2025-06-25")).unwrap_err().to_string();
        assert!(late.contains("was decided on 2025-06-20"), "{late}");
        let early = Change::WithdrawProposal(ProposalWithdrawal { proposal: "p".into(), reason: "r".into() });
        let refused = engine.apply(day("2025-06-05"), early).unwrap_err().to_string();
        assert!(refused.contains("before it was circulated"), "{refused}");
        assert!(engine.scenario().decisions.is_empty() && engine.scenario().proposals[0].withdrawn.is_none());
        engine.apply(day("2025-06-15"), record("2025-06-15")).unwrap_or_else(|e| panic!("{e}"));
    }
}
