//! Applying a [`Change`] to a compiled scenario, and the checks that depend on time.
//!
//! A change is checked by the same functions, in the same words, as the records of a scenario
//! file ([`crate::validate`] for each record on its own, [`Engine::check_timing`] for what depends
//! on dates), so that a file and a store accept and refuse the same things. A change that needs
//! the scenario compiled again (a proposal, a position, a fact never seen before) is checked by
//! compiling it again, exactly as a file is.
//!
//! In a store, changes come in order: once a proposal's decision is recorded, nothing more about
//! it is taken, not even on the same day (in a file, a record comes after the day's votes).

use std::fmt;
use std::sync::Arc;

use super::Engine;
use super::timing::{How, Lens};
use crate::change::{Change, DecisionChange};
use crate::date::Date;
use crate::model::{Decided, DecisionRecord, Extension, Fact, Position, Proposal, Trigger, Vote};
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

fn refuse(problem: Problem) -> Refused {
    Refused(vec![problem])
}

impl Engine {
    /// The scenario as it is, with the days looked at so far.
    pub(crate) fn lens(&self) -> Lens<'_> {
        Lens { engine: self, world: Arc::clone(&self.world), days: Arc::clone(&self.days) }
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
        match change {
            Change::Vote(v) => {
                let vote = Vote { proposal: v.proposal, member: v.member, stance: v.stance, at, reason: v.reason };
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
                };
                self.recompile(|s| s.proposals.push(proposal))
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

    /// Compiles the scenario again with a change made to it; on problems nothing changes.
    fn recompile(&mut self, change: impl FnOnce(&mut crate::model::Scenario)) -> Result<(), Refused> {
        let mut scenario = self.scenario.clone();
        change(&mut scenario);
        *self = Engine::new(scenario).map_err(Refused)?;
        Ok(())
    }

    /// A problem about a change to a proposal whose decision is already recorded.
    fn closed_record(&self, proposal: usize, site: Site, label: Option<&str>) -> Option<Problem> {
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

    fn apply_vote(&mut self, vote: Vote, legacy: bool) -> Result<(), Refused> {
        let i = self.scenario.votes.len();
        let mut c = Checker::new(&self.scenario);
        validate::check_vote(&mut c, &self.index, i, &vote);
        let mut problems = c.problems;
        if problems.is_empty()
            && let (Some(p), Some(m)) = (self.proposal_index(&vote.proposal), self.member_index(&vote.member))
        {
            let label = format!("{} on {}", vote.member, vote.proposal);
            problems.extend(self.closed_record(p, Site::field(Table::Vote, i, "at"), Some(&label)));
            if problems.is_empty() {
                problems.extend(self.vote_timing(&self.lens(), i, &vote, p, m, legacy));
            }
            if problems.is_empty() {
                let votes = &self.scenario.votes;
                if let Some(list) = self.votes_by_proposal.get_mut(p) {
                    let slot = list.partition_point(|&v| votes.get(v).is_some_and(|v| v.at <= vote.at));
                    list.insert(slot, i);
                }
                self.vote_member.push(m);
                self.scenario.votes.push(vote);
                return Ok(());
            }
        }
        Err(Refused(problems))
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
        if let (true, Some(p)) = (problems.is_empty(), self.proposal_index(&record.proposal)) {
            if let Some(r) = self.record_of.get(p).copied().flatten() {
                problems.push(
                    Problem::new(
                        Site::field(Table::Decision, i, "proposal"),
                        format!("proposal `{}` already has a decision (decision #{})", record.proposal, r + 1),
                    )
                    .with_entry_id(Some(&record.proposal)),
                );
            } else if !legacy {
                problems.extend(self.record_timing(&self.lens(), i, &record, p));
            }
            if problems.is_empty() {
                if let Some(slot) = self.record_of.get_mut(p) {
                    *slot = Some(i);
                }
                self.scenario.decisions.push(record);
                return Ok(());
            }
        }
        Err(Refused(problems))
    }

    fn apply_extension(&mut self, extension: Extension) -> Result<(), Refused> {
        let i = self.scenario.extensions.len();
        let mut c = Checker::new(&self.scenario);
        validate::check_extension(&mut c, &self.index, i, &extension);
        let mut problems = c.problems;
        if let (true, Some(p)) = (problems.is_empty(), self.proposal_index(&extension.proposal)) {
            problems.extend(self.closed_record(p, Site::field(Table::Extension, i, "on"), Some(&extension.proposal)));
            if problems.is_empty() {
                problems.extend(self.extension_timing(&self.lens(), i, &extension, p));
            }
            if problems.is_empty() {
                let extensions = &self.scenario.extensions;
                if let Some(list) = self.extensions_of.get_mut(p) {
                    let slot = list.partition_point(|&x| extensions.get(x).is_some_and(|x| x.on <= extension.on));
                    list.insert(slot, i);
                }
                self.scenario.extensions.push(extension);
                return Ok(());
            }
        }
        Err(Refused(problems))
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
        if let Some(problem) = self.closed_record(p, site(), Some(id)) {
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
        let mut proposal =
            self.scenario.proposals.get(p).cloned().ok_or_else(|| refuse(Problem::new(site(), "unknown proposal")))?;
        proposal.withdrawn = Some(at);
        proposal.withdrawn_reason = Some(reason);
        if let Some(problem) = self.withdrawal_timing(&self.lens(), p, &proposal) {
            return Err(refuse(problem));
        }
        if let Some(slot) = self.scenario.proposals.get_mut(p) {
            *slot = proposal;
        }
        Ok(())
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
        Ok(())
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
        if !c.problems.is_empty() {
            return Err(Refused(c.problems));
        }
        self.facts_by_id.entry(fact.id.clone()).or_default().push(i);
        self.scenario.facts.push(fact);
        self.refresh();
        Ok(())
    }

    /// The decision a close takes on `on`: the rule's outcome with that day's stances, as if the
    /// deadline were that day (`adopted` or `blocked`, never `pending`). Refused for a proposal
    /// already decided, or not yet circulated, on that day.
    pub fn closing(&self, id: &str, on: Date, reason: Option<String>) -> Result<DecisionChange, Refused> {
        let site = Site::field(Table::Decision, self.scenario.decisions.len(), "on");
        let problem = |message: String| refuse(Problem::new(site.clone(), message).with_entry_id(Some(id)));
        let Some(p) = self.proposal_index(id) else { return Err(problem(format!("unknown proposal `{id}`"))) };
        if let Some(closed) = self.closed_record(p, site.clone(), Some(id)) {
            return Err(refuse(closed));
        }
        if let Some(circulated) = self.scenario.proposals.get(p).and_then(|x| x.circulated)
            && on < circulated
        {
            return Err(problem(format!("proposal `{id}` is circulated on {circulated}, after {on}")));
        }
        let lens = self.lens();
        if let Some((when, how)) = lens.when(p, on)
            && (when < on || matches!(how, How::Withdrawn | How::Superseded { .. }))
        {
            let words = self.taken_in_words(p, when, how);
            let help = matches!(how, How::Deadline | How::Adopted).then_some("`tick` records it");
            let mut refused = problem(format!("{words}: it cannot be closed on {on}"));
            if let (Some(help), Some(first)) = (help, refused.0.first_mut()) {
                first.help = Some(help.to_owned());
            }
            return Err(refused);
        }
        let (outcome, objecting) = self.decided_on(&lens, p, on);
        Ok(DecisionChange {
            proposal: id.to_owned(),
            trigger: Trigger::Close,
            on,
            outcome,
            objecting,
            state: None,
            engine: None,
            reason,
            source: None,
        })
    }

    /// The rule's outcome on a day with that day's stances, as if the deadline were that day, and
    /// the objecting members: what a close on that day records, and what a replay checks a
    /// recorded decision against.
    pub fn decided_on_day(&self, id: &str, on: Date) -> Option<(Decided, Vec<String>)> {
        Some(self.decided_on(&self.lens(), self.proposal_index(id)?, on))
    }

    fn decided_on(&self, lens: &Lens<'_>, p: usize, on: Date) -> (Decided, Vec<String>) {
        let ballot = lens.ballot(p, on);
        let outcome = match lens.outcome(p, &ballot, on, Some(on)) {
            crate::rules::Outcome::Adopted => Decided::Adopted,
            _ => Decided::Blocked,
        };
        let members = &self.scenario.members;
        let objecting = ballot
            .stances
            .iter()
            .filter(|s| s.stance == crate::rules::Stance::Object)
            .filter_map(|s| members.get(s.member).map(|m| m.id.clone()))
            .collect();
        (outcome, objecting)
    }

    /// Checks every record whose validity depends on when decisions are taken (contract §5).
    pub(crate) fn check_timing(&self) -> Vec<Problem> {
        let lens = self.lens();
        let mut problems = Vec::new();
        for (i, v) in self.scenario.votes.iter().enumerate() {
            if let (Some(p), Some(m)) = (self.proposal_index(&v.proposal), self.member_index(&v.member)) {
                problems.extend(self.vote_timing(&lens, i, v, p, m, false));
            }
        }
        for (i, x) in self.scenario.extensions.iter().enumerate() {
            if let Some(p) = self.proposal_index(&x.proposal) {
                problems.extend(self.extension_timing(&lens, i, x, p));
            }
        }
        for (p, proposal) in self.scenario.proposals.iter().enumerate() {
            problems.extend(self.withdrawal_timing(&lens, p, proposal));
        }
        for (i, d) in self.scenario.decisions.iter().enumerate() {
            if let Some(p) = self.proposal_index(&d.proposal)
                && self.record_of.get(p) == Some(&Some(i))
            {
                problems.extend(self.record_timing(&lens, i, d, p));
            }
        }
        problems
    }

    /// The decision taken on a proposal before `at`, in words, if one was.
    fn decided_before(&self, lens: &Lens<'_>, p: usize, at: Date) -> Option<String> {
        let (on, how) = lens.when(p, at).filter(|(on, _)| *on < at)?;
        Some(self.taken_in_words(p, on, how))
    }

    fn taken_in_words(&self, p: usize, on: Date, how: How) -> String {
        let id = self.scenario.proposals.get(p).map_or("", |x| x.id.as_str());
        let how = match how {
            How::Deadline => "on its deadline".to_owned(),
            How::Adopted => "adopted: the rule adopted it, with no deadline".to_owned(),
            How::Withdrawn => "withdrawn".to_owned(),
            How::Superseded { by } => {
                format!("withdrawn: superseded by `{}`", self.scenario.proposals.get(by).map_or("", |x| x.id.as_str()))
            }
            How::Recorded { record } => match self.scenario.decisions.get(record) {
                Some(r) => format!("{}, as {} records", r.outcome.as_str(), r.source),
                None => "as recorded".to_owned(),
            },
        };
        format!("proposal `{id}` was decided on {on} ({how})")
    }

    fn vote_timing(&self, lens: &Lens<'_>, i: usize, v: &Vote, p: usize, m: usize, legacy: bool) -> Option<Problem> {
        let label = format!("{} on {}", v.member, v.proposal);
        let problem = |message: String| {
            Some(Problem::new(Site::field(Table::Vote, i, "at"), message).with_entry_id(Some(&label)))
        };
        let proposal = self.scenario.proposals.get(p)?;
        if let Some(circulated) = proposal.circulated
            && v.at < circulated
        {
            return problem(format!(
                "proposal `{}` is circulated on {circulated}, after this vote ({})",
                proposal.id, v.at
            ));
        }
        if let Some(joined) = self.scenario.members.get(m).and_then(|m| m.joined)
            && v.at < joined
        {
            return problem(format!("member `{}` joins on {joined}, after this vote ({})", v.member, v.at));
        }
        if legacy {
            return None;
        }
        let decided = self.decided_before(lens, p, v.at)?;
        problem(format!("{decided}: a vote dated {} comes after it", v.at))
    }

    fn extension_timing(&self, lens: &Lens<'_>, i: usize, x: &Extension, p: usize) -> Option<Problem> {
        let problem = |message: String| {
            Some(Problem::new(Site::field(Table::Extension, i, "on"), message).with_entry_id(Some(&x.proposal)))
        };
        if let Some(circulated) = self.scenario.proposals.get(p)?.circulated
            && x.on < circulated
        {
            return problem(format!(
                "proposal `{}` is circulated on {circulated}, after this extension ({})",
                x.proposal, x.on
            ));
        }
        let decided = self.decided_before(lens, p, x.on)?;
        problem(format!("{decided}: its deadline cannot be moved on {}", x.on))
    }

    /// An explicit withdrawal of a proposal already decided by its rule or its record.
    fn withdrawal_timing(&self, lens: &Lens<'_>, p: usize, proposal: &Proposal) -> Option<Problem> {
        let w = proposal.withdrawn?;
        let decided = match self.record_of.get(p).copied().flatten() {
            Some(r) => {
                self.scenario.decisions.get(r).filter(|d| d.on <= w).map(|d| (d.on, How::Recorded { record: r }))
            }
            None => w.previous().and_then(|before| lens.when_by_rule(p, before)),
        };
        let (on, how) = decided?;
        let words = self.taken_in_words(p, on, how);
        Some(
            Problem::new(
                Site::field(Table::Proposal, p, "withdrawn"),
                format!("{words}: it cannot be withdrawn on {w}"),
            )
            .with_entry_id(Some(&proposal.id)),
        )
    }

    /// A record that comes after the proposal's decision by its rule or its withdrawal.
    fn record_timing(&self, lens: &Lens<'_>, i: usize, d: &DecisionRecord, p: usize) -> Option<Problem> {
        let problem = |message: String, help: Option<String>| {
            let mut problem =
                Problem::new(Site::field(Table::Decision, i, "on"), message).with_entry_id(Some(&d.proposal));
            problem.help = help;
            Some(problem)
        };
        let proposal = self.scenario.proposals.get(p)?;
        if let Some(circulated) = proposal.circulated
            && d.on < circulated
        {
            return problem(
                format!("proposal `{}` is circulated on {circulated}, after this decision ({})", d.proposal, d.on),
                None,
            );
        }
        if let Some((w, how)) = self.withdrawal(p)
            && w < d.on
        {
            let words = self.taken_in_words(p, w, how);
            return problem(format!("{words}: a decision on {} comes after it", d.on), None);
        }
        let (on, how) = d.on.previous().and_then(|before| lens.when_by_rule(p, before))?;
        let words = self.taken_in_words(p, on, how);
        problem(
            format!("{words}: a decision on {} comes after it", d.on),
            Some(format!(
                "a proposal is decided on its deadline; if a meeting decided it on {}, give it `deadline = {}`",
                d.on, d.on
            )),
        )
    }
}
