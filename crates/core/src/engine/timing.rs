//! When a decision is taken (contract §5), and the stances it is taken with.
//!
//! A proposal is open until its decision is taken, then decided for good:
//! - with a recorded decision (a `[[decision]]`, or a decision entry of a store): on the record's
//!   date, with the recorded outcome; before that date the proposal is open, whatever the rule
//!   computes;
//! - withdrawn (by `withdrawn`, or superseded by a revised text): on that date, if it comes before
//!   any other decision (on the same day, the withdrawal comes first);
//! - with a deadline: on the deadline in force then (extensions move it while it is open), with
//!   the rule's outcome on that day, silence counting as consent under consensus;
//! - without a deadline: on the first day the rule adopts it.
//!
//! Nothing dated after a decision can change it: the stances, facts, positions and seats of the
//! decision's day decide, and observations or positions recorded later are not known on it.
//!
//! The first day a rule adopts is found by walking from one date on which something can change to
//! the next, not day by day: under consensus, from one date to the next on which every objecting
//! member could have changed its stance.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::Engine;
use super::decision::{Cause, EvalIssue, MemberStance};
use super::world::{Day, Days, Verdict, World};
use crate::date::Date;
use crate::model::{Rule, VoteStance};
use crate::rules::{self, Outcome, Stance};

/// How a proposal's decision was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// On its deadline.
    Deadline,
    /// On the first day the rule adopted it (no deadline).
    Adopted,
    /// Withdrawn on its `withdrawn` date.
    Withdrawn,
    /// Withdrawn when a revised text (this proposal index) was circulated.
    Superseded {
        /// The proposal that supersedes it.
        by: usize,
    },
    /// As recorded (index into the scenario's decisions).
    Recorded {
        /// The record.
        record: usize,
    },
}

/// A decision taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The day it was taken.
    pub on: Date,
    /// Its outcome: adopted, blocked or withdrawn.
    pub outcome: Outcome,
    /// How.
    pub how: How,
}

/// The scenario seen in a world (as it is, or a counterfactual), with the days looked at so far.
#[derive(Debug, Clone)]
pub(crate) struct Lens<'e> {
    pub(crate) engine: &'e Engine,
    pub(crate) world: Arc<World>,
    pub(crate) days: Arc<Days>,
    /// The outcomes of proposals that linked positions read, by proposal and date (None: not
    /// before its committee): they depend on votes and records, so they live as long as the lens.
    pub(crate) outcomes: Arc<OutcomeMemo>,
    /// Stances held on one proposal whatever the votes and positions say (what it would take:
    /// a member's change of mind).
    pub(crate) cast: Option<Arc<Cast>>,
}

/// Stances of members on one proposal, held in a lens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Cast {
    pub(crate) proposal: usize,
    /// By member index.
    pub(crate) stances: Vec<(usize, Stance)>,
}

/// The stack kept free at each step of linkage (a stance read, an outcome read): more than the
/// 100 KiB Cedar checks for before it builds a context or evaluates.
const LINK_RED_ZONE: usize = 256 * 1024;
/// The segment grown when less is left.
const LINK_SEGMENT: usize = 4 * 1024 * 1024;

/// Outcomes computed for linked positions: by proposal and day while open, and once and for all
/// from the day a decision is taken (it stands).
#[derive(Debug, Default)]
pub(crate) struct OutcomeMemo {
    open: Mutex<HashMap<(usize, Date), Option<Outcome>>>,
    decided: Mutex<HashMap<usize, (Date, Outcome)>>,
    /// The next date a proposal's outcome can change, after a date (looking at the date itself
    /// up to another).
    next: Mutex<HashMap<(usize, Date, Date), Option<Date>>>,
}

impl<'e> Lens<'e> {
    pub(crate) fn new(engine: &'e Engine, world: Arc<World>, days: Arc<Days>) -> Lens<'e> {
        Lens { engine, world, days, outcomes: Arc::default(), cast: None }
    }

    /// A lens that keeps the outcomes it computes in `outcomes` (the engine's, between changes).
    pub(crate) fn sharing(
        engine: &'e Engine,
        world: Arc<World>,
        days: Arc<Days>,
        outcomes: Arc<OutcomeMemo>,
    ) -> Lens<'e> {
        Lens { engine, world, days, outcomes, cast: None }
    }
}

/// The stances of the seated members on one day, with positions that failed to evaluate.
#[derive(Debug, Default)]
pub(crate) struct Ballot {
    pub(crate) stances: Vec<MemberStance>,
    pub(crate) issues: Vec<EvalIssue>,
}

/// The stances of one proposal on one day computed so far (kept only where linked positions
/// read them), with the positions that failed to evaluate.
#[derive(Debug, Default)]
struct Memo {
    /// By member index, when the scenario has linked positions.
    stances: Vec<Option<MemberStance>>,
    issues: Vec<EvalIssue>,
}

impl Memo {
    fn new(engine: &Engine) -> Memo {
        let followed = engine.links.followed.iter().any(|&f| f);
        let stances = if followed { vec![None; engine.scenario.members.len()] } else { Vec::new() };
        Memo { stances, issues: Vec::new() }
    }

    /// Keeps a stance that linked positions read.
    fn keep(&mut self, engine: &Engine, stance: &MemberStance) {
        if engine.links.followed.get(stance.member).copied().unwrap_or(false)
            && let Some(slot) = self.stances.get_mut(stance.member)
        {
            *slot = Some(stance.clone());
        }
    }
}

/// Something a linked position read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRead {
    /// Another member's stance on the same proposal (None: not seated).
    Stance {
        /// Member index.
        member: usize,
        /// Its stance.
        stance: Option<Stance>,
    },
    /// Another proposal's outcome on the day (None: not before its committee).
    Outcome {
        /// Proposal index.
        proposal: usize,
        /// Its outcome.
        outcome: Option<Outcome>,
    },
}

impl Ballot {
    pub(crate) fn pairs(&self) -> Vec<(usize, Stance)> {
        self.stances.iter().map(|s| (s.member, s.stance)).collect()
    }
}

impl Lens<'_> {
    /// The stances a proposal's rule counts: every seated member's, but for the members
    /// concerned where the rule disregards them (their stance is shown, and does not count).
    pub(crate) fn counted(&self, proposal: usize, ballot: &Ballot) -> Vec<(usize, Stance)> {
        let disregarded = self.engine.disregarded(proposal);
        ballot.stances.iter().filter(|s| !disregarded.contains(&s.member)).map(|s| (s.member, s.stance)).collect()
    }
}

impl Engine {
    /// The deadline in force on `at`: the proposal's, as moved by the extensions made by then.
    pub fn deadline_on(&self, proposal: usize, at: Date) -> Option<Date> {
        let mut deadline = self.scenario.proposals.get(proposal)?.deadline;
        for &e in self.extensions_of.get(proposal).map_or(&[][..], Vec::as_slice) {
            match self.scenario.extensions.get(e) {
                Some(ext) if ext.on <= at => deadline = Some(ext.deadline),
                _ => break,
            }
        }
        deadline
    }

    /// The first day a proposal is before its committee: its `circulated` date, or, when it has
    /// none, the earliest of the scenario's `as_of` and the first day anything about it is
    /// recorded (a vote, an extension, its withdrawal, its decision).
    pub fn before_committee_from(&self, proposal: usize) -> Option<Date> {
        let p = self.scenario.proposals.get(proposal)?;
        if let Some(c) = p.circulated {
            return Some(c);
        }
        let first_vote = self
            .votes_by_proposal
            .get(proposal)
            .and_then(|v| v.first())
            .and_then(|&v| self.scenario.votes.get(v))
            .map(|v| v.at);
        let first_extension = self
            .extensions_of
            .get(proposal)
            .and_then(|x| x.first())
            .and_then(|&x| self.scenario.extensions.get(x))
            .map(|x| x.on);
        let record = self.record_of.get(proposal).copied().flatten().and_then(|r| self.scenario.decisions.get(r));
        [
            first_vote,
            first_extension,
            record.map(|r| r.on),
            self.withdrawal(proposal).map(|(w, _)| w),
            self.scenario.as_of,
        ]
        .into_iter()
        .flatten()
        .min()
        .or(Some(Date::FIRST))
    }

    /// The date a proposal is withdrawn on, explicitly or by a revised text, if any.
    pub(crate) fn withdrawal(&self, proposal: usize) -> Option<(Date, How)> {
        let explicit = self.scenario.proposals.get(proposal)?.withdrawn.map(|w| (w, How::Withdrawn));
        let superseded = self.superseded_by.get(proposal).copied().flatten().and_then(|by| {
            let on = self.scenario.proposals.get(by)?.circulated?;
            Some((on, How::Superseded { by }))
        });
        match (explicit, superseded) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        }
    }

    /// The dates of a proposal's own records on which its outcome can change: its circulation,
    /// its deadline, each extension (when made and the deadline it sets), its withdrawal and its
    /// recorded decision.
    pub(crate) fn record_dates(&self, proposal: usize) -> Vec<Date> {
        let Some(p) = self.scenario.proposals.get(proposal) else { return Vec::new() };
        let extensions = self.extensions_of.get(proposal).map_or(&[][..], Vec::as_slice);
        let moved = extensions.iter().filter_map(|&x| self.scenario.extensions.get(x)).flat_map(|x| [x.on, x.deadline]);
        let record =
            self.record_of.get(proposal).copied().flatten().and_then(|r| self.scenario.decisions.get(r)).map(|r| r.on);
        let withdrawn = self.withdrawal(proposal).map(|(w, _)| w);
        [p.circulated, p.deadline, record, withdrawn].into_iter().flatten().chain(moved).collect()
    }

    /// The committee's rule of a proposal.
    pub(crate) fn rule_of(&self, proposal: usize) -> Option<&crate::rules::CompiledRule> {
        self.committees.get(self.committee_of(proposal)).map(|c| &c.rule)
    }
}

impl<'e> Lens<'e> {
    pub(crate) fn day(&self, at: Date) -> Arc<Day> {
        self.days.day(self.engine, &self.world, at)
    }

    /// A position's verdict on a proposal on a day; a linked position's with the stances (of
    /// `memo`, filled as needed) and outcomes it reads there.
    fn verdict(&self, day: &Day, position: usize, proposal: usize, at: Date, memo: &mut Memo) -> Option<Verdict> {
        let e = self.engine;
        let table = e.position_table.get(position).and_then(|&t| e.tables.get(t))?;
        let class = table.class(proposal);
        let Some(links) = e.links.of(position) else {
            return day.verdicts.get(position)?.as_ref()?.get(e, position, class);
        };
        if !day.in_force.get(position).copied().unwrap_or(false) {
            return None;
        }
        let reads = links.classes.get(class)?;
        if reads.applies == 0 && links.only_linked {
            return Some(Verdict::Silent);
        }
        let holder = e.position_member.get(position).copied();
        let mut values: Vec<Option<&'static str>> = Vec::with_capacity(links.members.len() + links.proposals.len());
        for &m in &links.members {
            let read = reads.stances.binary_search(&m).is_ok();
            values.push(if read {
                self.stance_read(day, proposal, holder, m, at, memo).map(Stance::as_str)
            } else {
                None
            });
        }
        for &q in &links.proposals {
            let read = reads.outcomes.binary_search(&q).is_ok();
            values.push(if read { self.outcome_read(proposal, q, at).map(Outcome::as_str) } else { None });
        }
        self.days.linked(e, day, position, at, values).get(e, position, class)
    }

    /// The stance of member `m` on a proposal that a linked position of `holder` reads on a day:
    /// None when `m` is the holder itself or does not sit on the proposal's committee that day.
    fn stance_read(
        &self,
        day: &Day,
        proposal: usize,
        holder: Option<usize>,
        m: usize,
        at: Date,
        memo: &mut Memo,
    ) -> Option<Stance> {
        let seats = day.seated.get(self.engine.committee_of(proposal)).map_or(&[][..], Vec::as_slice);
        if Some(m) == holder || !seats.contains(&m) {
            return None;
        }
        // A chain of members following one another is as deep as it is long. Cedar wants
        // 100 KiB of stack left to build a context, or reports "recursion limit reached".
        Some(stacker::maybe_grow(LINK_RED_ZONE, LINK_SEGMENT, || self.stance_in(day, proposal, m, at, memo).stance))
    }

    /// The outcome of proposal `q` that a linked position on `proposal` reads on a date: None for
    /// the proposal itself, or when `q` is not before its committee then.
    fn outcome_read(&self, proposal: usize, q: usize, at: Date) -> Option<Outcome> {
        if q == proposal { None } else { self.outcome_on(q, at) }
    }

    /// The outcome of a proposal on a date as a linked position reads it: its decision's once
    /// taken, else the rule's on the day; None when it is not before its committee then.
    pub(crate) fn outcome_on(&self, proposal: usize, at: Date) -> Option<Outcome> {
        let memo = &self.outcomes;
        if let Some(&(on, outcome)) = memo.decided.lock().unwrap_or_else(PoisonError::into_inner).get(&proposal)
            && on <= at
        {
            return Some(outcome);
        }
        if let Some(&known) = memo.open.lock().unwrap_or_else(PoisonError::into_inner).get(&(proposal, at)) {
            return known;
        }
        let e = self.engine;
        let circulated = e.scenario.proposals.get(proposal)?.circulated;
        if circulated.is_some_and(|c| c > at) {
            memo.open.lock().unwrap_or_else(PoisonError::into_inner).insert((proposal, at), None);
            return None;
        }
        // Acyclic (checked at load), but as deep as the strata: grow the stack as needed.
        let outcome = stacker::maybe_grow(LINK_RED_ZONE, LINK_SEGMENT, || match self.taken(proposal, at) {
            Some((taken, _)) => {
                memo.decided.lock().unwrap_or_else(PoisonError::into_inner).insert(proposal, (taken.on, taken.outcome));
                taken.outcome
            }
            None => {
                let ballot = self.ballot(proposal, at);
                let outcome = self.outcome(proposal, &ballot, at, e.deadline_on(proposal, at));
                memo.open.lock().unwrap_or_else(PoisonError::into_inner).insert((proposal, at), Some(outcome));
                outcome
            }
        });
        Some(outcome)
    }

    /// The latest vote (index) of a member on a proposal up to `at`; a later vote of the same day
    /// supersedes an earlier one.
    pub(crate) fn latest_vote(&self, proposal: usize, member: usize, at: Date) -> Option<usize> {
        let e = self.engine;
        let votes = e.votes_by_proposal.get(proposal)?;
        let end = votes.partition_point(|&v| e.scenario.votes.get(v).is_some_and(|v| v.at <= at));
        votes.get(..end)?.iter().rev().copied().find(|&v| e.vote_member.get(v) == Some(&member))
    }

    /// A member's stance on a proposal on a day, with its cause, given the stances of the same
    /// proposal and day computed so far (its positions that fail to evaluate go to `memo`).
    fn stance_in(&self, day: &Day, proposal: usize, member: usize, at: Date, memo: &mut Memo) -> MemberStance {
        if let Some(Some(known)) = memo.stances.get(member) {
            return known.clone();
        }
        let e = self.engine;
        if let Some(cast) = self.cast.as_deref().filter(|c| c.proposal == proposal)
            && let Some(&(_, stance)) = cast.stances.iter().find(|(m, _)| *m == member)
        {
            let stance = MemberStance { member, stance, cause: None };
            memo.keep(e, &stance);
            return stance;
        }
        if let Some(v) = self.latest_vote(proposal, member, at) {
            let stance = match e.scenario.votes.get(v).map(|v| v.stance) {
                Some(VoteStance::Consent) => Some(Stance::Consent),
                Some(VoteStance::Object) => Some(Stance::Object),
                Some(VoteStance::Abstain) => Some(Stance::Abstain),
                Some(VoteStance::Silent) | None => None,
            };
            if let Some(stance) = stance {
                let stance = MemberStance { member, stance, cause: Some(Cause::Vote(v)) };
                memo.keep(e, &stance);
                return stance;
            }
        }
        let mut forbidding = Vec::new();
        for &pos in e.positions_by_member.get(member).map_or(&[][..], Vec::as_slice) {
            match self.verdict(day, pos, proposal, at, memo) {
                Some(Verdict::Forbids) => forbidding.push(pos),
                Some(Verdict::Error(message)) => {
                    let message = explain_error(e, day, pos, at, &message);
                    memo.issues.push(EvalIssue { member, position: pos, message });
                }
                Some(Verdict::Silent) | None => {}
            }
        }
        let stance = if forbidding.is_empty() {
            MemberStance { member, stance: Stance::Silent, cause: None }
        } else {
            MemberStance { member, stance: Stance::Object, cause: Some(Cause::Positions(forbidding)) }
        };
        memo.keep(e, &stance);
        stance
    }

    /// One member's stance on a proposal on a day.
    pub(crate) fn member_stance(&self, proposal: usize, member: usize, at: Date) -> Stance {
        let day = self.day(at);
        let mut memo = Memo::new(self.engine);
        self.stance_in(&day, proposal, member, at, &mut memo).stance
    }

    /// Every seated member's stance on a proposal on a day, in seat order.
    pub(crate) fn ballot(&self, proposal: usize, at: Date) -> Ballot {
        let day = self.day(at);
        let mut ballot = Ballot::default();
        let mut memo = Memo::new(self.engine);
        let seats = day.seated.get(self.engine.committee_of(proposal)).map_or(&[][..], Vec::as_slice);
        ballot.stances = seats.iter().map(|&m| self.stance_in(&day, proposal, m, at, &mut memo)).collect();
        // In seat order: a member's issues can be found while another's stance is worked out.
        memo.issues.sort_by_key(|i| seats.iter().position(|&m| m == i.member));
        ballot.issues = memo.issues;
        ballot
    }

    /// What a member's linked positions read on a proposal on a day: the stances and outcomes,
    /// as they were then (None where absent).
    pub(crate) fn links_read(&self, proposal: usize, position: usize, at: Date) -> Vec<LinkRead> {
        let e = self.engine;
        let Some(reads) = e.class_reads(&e.links, position, proposal) else { return Vec::new() };
        let day = self.day(at);
        let mut memo = Memo::new(e);
        let holder = e.position_member.get(position).copied();
        let mut out = Vec::new();
        for &m in &reads.stances {
            let stance = self.stance_read(&day, proposal, holder, m, at, &mut memo);
            out.push(LinkRead::Stance { member: m, stance });
        }
        for &q in reads.outcomes.iter().filter(|&&q| q != proposal) {
            out.push(LinkRead::Outcome { proposal: q, outcome: self.outcome_read(proposal, q, at) });
        }
        out
    }

    /// The rule's outcome on a day with these stances; `deadline` counts as reached when on or
    /// before `at`.
    pub(crate) fn outcome(&self, proposal: usize, ballot: &Ballot, at: Date, deadline: Option<Date>) -> Outcome {
        match self.engine.rule_of(proposal) {
            Some(rule) => rules::outcome(rule, &self.counted(proposal, ballot), at, deadline),
            None => Outcome::Pending,
        }
    }

    /// The decision taken on a proposal on or before `horizon`, if one was, with the stances of
    /// its day (empty for a withdrawal or a record, which read none).
    pub(crate) fn taken(&self, proposal: usize, horizon: Date) -> Option<(Taken, Option<Ballot>)> {
        let (on, how) = self.when(proposal, horizon)?;
        let e = self.engine;
        Some(match how {
            How::Deadline => {
                let ballot = self.ballot(proposal, on);
                let outcome = self.outcome(proposal, &ballot, on, Some(on));
                (Taken { on, outcome, how }, Some(ballot))
            }
            How::Adopted => (Taken { on, outcome: Outcome::Adopted, how }, None),
            How::Withdrawn | How::Superseded { .. } => (Taken { on, outcome: Outcome::Withdrawn, how }, None),
            How::Recorded { record } => {
                let outcome = e.scenario.decisions.get(record).map_or(Outcome::Blocked, |r| r.outcome.outcome());
                (Taken { on, outcome, how }, None)
            }
        })
    }

    /// When and how a proposal's decision was taken, on or before `horizon`, if it was.
    pub(crate) fn when(&self, proposal: usize, horizon: Date) -> Option<(Date, How)> {
        let e = self.engine;
        let circulated = e.before_committee_from(proposal)?;
        if circulated > horizon {
            return None;
        }
        if let Some(record) = e.record_of.get(proposal).copied().flatten() {
            let on = e.scenario.decisions.get(record)?.on;
            return (on <= horizon).then_some((on, How::Recorded { record }));
        }
        let withdrawal = e.withdrawal(proposal).filter(|(w, _)| *w <= horizon);
        // Other decisions can fall on the days before a withdrawal.
        let stop = match withdrawal {
            Some((w, _)) => match w.previous() {
                Some(day_before) => day_before.min(horizon),
                None => return withdrawal,
            },
            None => horizon,
        };
        self.when_by_rule(proposal, stop).or(withdrawal)
    }

    /// When the rule decides a proposal, on or before `to`: on the deadline in force, or on the
    /// first day it adopts a proposal without a deadline. Extensions start new stretches of time.
    pub(crate) fn when_by_rule(&self, proposal: usize, to: Date) -> Option<(Date, How)> {
        let e = self.engine;
        let p = e.scenario.proposals.get(proposal)?;
        let mut deadline = p.deadline;
        let mut start = e.before_committee_from(proposal).unwrap_or(Date::FIRST);
        let extensions = e.extensions_of.get(proposal).map_or(&[][..], Vec::as_slice);
        let stretches = extensions.iter().filter_map(|&x| e.scenario.extensions.get(x)).map(Some).chain([None]);
        for ext in stretches {
            let end = match ext.and_then(|ext| ext.on.previous()) {
                Some(d) => d.min(to),
                None => to,
            };
            if start <= end {
                match deadline {
                    Some(d) if d <= end => return Some((d.max(start), How::Deadline)),
                    Some(_) => {}
                    None => {
                        if let Some(on) = self.first_adoption(proposal, start, end) {
                            return Some((on, How::Adopted));
                        }
                    }
                }
            }
            match ext {
                Some(ext) if ext.on <= to => {
                    deadline = Some(ext.deadline);
                    start = start.max(ext.on);
                }
                _ => break,
            }
        }
        None
    }

    /// The first day in `from..=to` on which the rule adopts a proposal without a deadline.
    fn first_adoption(&self, proposal: usize, from: Date, to: Date) -> Option<Date> {
        let consensus = matches!(self.engine.rule_of(proposal).map(|r| r.rule()), Some(Rule::Consensus { .. }));
        let disregarded = self.engine.disregarded(proposal);
        let mut at = from;
        loop {
            let ballot = self.ballot(proposal, at);
            if self.outcome(proposal, &ballot, at, None) == Outcome::Adopted {
                return Some(at);
            }
            // Under consensus nothing adopts before every objecting member may have changed; under
            // other rules, before anything changes.
            let next = if consensus {
                ballot
                    .stances
                    .iter()
                    .filter(|s| s.stance == Stance::Object && !disregarded.contains(&s.member))
                    .map(|s| self.next_change_of(proposal, s.member, at, to))
                    .try_fold(at, |latest, next| next.map(|n| latest.max(n)))
            } else {
                self.next_change(proposal, at, to)
            };
            match next {
                Some(next) if next > at && next <= to => at = next,
                _ => return None,
            }
        }
    }

    /// The first date after `after` on which a member's stance on a proposal can change (looking
    /// at the date itself only up to `until`).
    pub(crate) fn next_change_of(&self, proposal: usize, member: usize, after: Date, until: Date) -> Option<Date> {
        let e = self.engine;
        let vote = e.votes_by_proposal.get(proposal).and_then(|votes| {
            votes
                .iter()
                .filter(|&&v| e.vote_member.get(v) == Some(&member))
                .filter_map(|&v| e.scenario.votes.get(v).map(|v| v.at))
                .find(|&at| at > after)
        });
        let held = e.positions_by_member.get(member).map_or(&[][..], Vec::as_slice);
        let positions = held.iter().filter_map(|&pos| self.world.next_change(pos, after, until));
        // A linked position changes when what it reads there does (acyclic, checked at load).
        let linked = held.iter().filter_map(|&pos| e.class_reads(&e.links, pos, proposal)).flat_map(|reads| {
            let stances = reads.stances.iter().filter(|&&m| m != member).filter_map(|&m| {
                let joined = e.scenario.members.get(m).and_then(|x| x.joined).filter(|&j| j > after);
                let next =
                    stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.next_change_of(proposal, m, after, until));
                next.into_iter().chain(joined).min()
            });
            let outcomes = reads.outcomes.iter().filter(|&&q| q != proposal).filter_map(|&q| {
                stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.next_outcome_change(q, after, until))
            });
            stances.chain(outcomes).collect::<Vec<_>>()
        });
        vote.into_iter().chain(positions).chain(linked).min()
    }

    /// The first date after `after` on which a proposal's outcome can change: it comes before
    /// its committee, a stance or a seat changes, a deadline falls or moves, it is withdrawn or
    /// a decision is recorded.
    fn next_outcome_change(&self, proposal: usize, after: Date, until: Date) -> Option<Date> {
        // A decision taken stands: its outcome never changes again.
        self.outcome_on(proposal, after);
        let decided = self.outcomes.decided.lock().unwrap_or_else(PoisonError::into_inner).get(&proposal).copied();
        if decided.is_some_and(|(on, _)| on <= after) {
            return None;
        }
        let key = (proposal, after, until);
        if let Some(&known) = self.outcomes.next.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return known;
        }
        let next = self.next_outcome_change_walked(proposal, after, until);
        self.outcomes.next.lock().unwrap_or_else(PoisonError::into_inner).insert(key, next);
        next
    }

    fn next_outcome_change_walked(&self, proposal: usize, after: Date, until: Date) -> Option<Date> {
        let fixed = self.engine.record_dates(proposal).into_iter().filter(|&d| d > after).min();
        fixed.into_iter().chain(self.next_change(proposal, after, until)).min()
    }

    /// The first date after `after` on which anything a proposal's decision reads can change:
    /// a seated member's stance, or a member taking its seat.
    pub(crate) fn next_change(&self, proposal: usize, after: Date, until: Date) -> Option<Date> {
        let e = self.engine;
        let seats = e.seats_of(proposal);
        let joins = seats.iter().filter_map(|&m| e.scenario.members.get(m)?.joined).filter(|&j| j > after);
        seats.iter().filter_map(|&m| self.next_change_of(proposal, m, after, until)).chain(joins).min()
    }
}

/// Cedar's message, led by the likely cause when the position reads facts with no observation
/// on the date.
fn explain_error(engine: &Engine, day: &Day, position: usize, at: Date, message: &str) -> String {
    let missing: Vec<String> = engine
        .positions
        .get(position)
        .map(|p| p.reads.facts.iter().filter(|f| day.facts.get(f).is_none()).map(|f| format!("`{f}`")).collect())
        .unwrap_or_default();
    if missing.is_empty() {
        message.to_owned()
    } else {
        let s = if missing.len() == 1 { "" } else { "s" };
        format!("it reads fact{s} {} with no observation on {at} ({message})", missing.join(", "))
    }
}
