//! Evaluating a compiled scenario on a date: facts in force, position verdicts, decisions.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use cedar_policy::{Authorizer, Context, Request};

use super::Engine;
use super::decision::{Cause, Change, Decision, EvalIssue, MemberStance, Objection, Tally};
use crate::cedar::world;
use crate::date::Date;
use crate::model::{Value, VoteStance};
use crate::rules::{self, Stance};

/// The observation of a fact used on a date.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// The value.
    pub value: Value,
    /// From when it holds.
    pub as_of: Date,
    /// Where it comes from (`what-if` for a what-if run).
    pub source: String,
}

/// The facts in force on a date: one observation per fact id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FactSet(BTreeMap<String, Observation>);

impl FactSet {
    /// The observation of a fact, if one is in force.
    pub fn get(&self, id: &str) -> Option<&Observation> {
        self.0.get(id)
    }

    /// Every fact in force, by id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Observation)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// Why a what-if cannot be run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WhatIfError {
    /// The value's type differs from the fact's observations.
    #[error("fact `{fact}` is {expected}, but `{value}` is {found}")]
    WrongType {
        /// The fact id.
        fact: String,
        /// Its type in the scenario, with its article.
        expected: &'static str,
        /// The value given.
        value: String,
        /// The value's type, with its article.
        found: &'static str,
    },
    /// A decimal with more places than positions can read.
    #[error("cannot set fact `{fact}`: {message}")]
    BadValue {
        /// The fact id.
        fact: String,
        /// What is wrong.
        message: String,
    },
    /// Cedar refused the context (a bug, reported rather than hidden).
    #[error("cannot build the evaluation context: {0}")]
    Context(String),
}

/// What a position says of one class of proposals.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Verdict {
    Silent,
    Forbids,
    Error(Arc<str>),
}

/// Every stance and outcome of a scenario on one date.
#[derive(Debug)]
pub struct Evaluation<'e> {
    engine: &'e Engine,
    at: Date,
    facts: FactSet,
    /// For every position: None when not in force on `at`, else a verdict per class.
    verdicts: Vec<Option<Arc<Vec<Verdict>>>>,
    decisions: Vec<Decision>,
    /// Index in `decisions` of every proposal (`u32::MAX` when not before its committee).
    slots: Vec<u32>,
}

impl Engine {
    /// The facts in force on a date, per contract §1: for each fact, the observation with the
    /// latest `as_of <= at` whose `valid_until`, if set, is `>= at`.
    pub fn facts_at(&self, at: Date) -> FactSet {
        let mut out = BTreeMap::new();
        for (id, observations) in &self.facts_by_id {
            let best = observations
                .iter()
                .filter_map(|&i| self.scenario.facts.get(i))
                .filter(|f| f.as_of <= at && f.valid_until.is_none_or(|u| u >= at))
                .max_by_key(|f| f.as_of);
            if let Some(f) = best {
                out.insert(
                    id.clone(),
                    Observation { value: f.value.clone(), as_of: f.as_of, source: f.source.clone() },
                );
            }
        }
        FactSet(out)
    }

    /// Evaluates every proposal on a date, with what-if observations added on that date.
    pub fn evaluate(&self, at: Date, set: &[(String, Value)]) -> Result<Evaluation<'_>, WhatIfError> {
        let mut facts = self.facts_at(at);
        self.apply(&mut facts, at, set)?;
        Evaluation::new(self, at, facts, None)
    }

    fn apply(&self, facts: &mut FactSet, at: Date, set: &[(String, Value)]) -> Result<(), WhatIfError> {
        use crate::cedar::schema::ValueType;
        for (id, value) in set {
            let value = match (self.fact_types.get(id), value) {
                (Some(ValueType::Decimal), Value::Long(n)) => Value::Decimal(crate::Decimal::from_int(*n)),
                (Some(ty), v) if *ty != ValueType::of(v) => {
                    let expected = facts.get(id).map(|o| o.value.type_with_article()).or_else(|| {
                        self.facts_by_id
                            .get(id)
                            .and_then(|obs| obs.first())
                            .and_then(|&i| self.scenario.facts.get(i))
                            .map(|f| f.value.type_with_article())
                    });
                    return Err(WhatIfError::WrongType {
                        fact: id.clone(),
                        expected: expected.unwrap_or("another type"),
                        value: v.to_string(),
                        found: v.type_with_article(),
                    });
                }
                (_, v) => v.clone(),
            };
            if let Value::Decimal(d) = value {
                crate::model::check_cedar_decimal(d)
                    .map_err(|message| WhatIfError::BadValue { fact: id.clone(), message })?;
            }
            facts.0.insert(id.clone(), Observation { value, as_of: at, source: "what-if".to_owned() });
        }
        Ok(())
    }

    fn verdict(&self, position: usize, rep: usize, context: &Context) -> Verdict {
        let (Some(compiled), Some(proposal), Some(member)) = (
            self.positions.get(position),
            self.scenario.proposals.get(rep),
            self.position_member.get(position).and_then(|&m| self.scenario.members.get(m)),
        ) else {
            return Verdict::Silent;
        };
        let request = match Request::new(
            self.names.member(&member.id),
            self.names.consent.clone(),
            self.names.proposal(&proposal.id),
            context.clone(),
            None,
        ) {
            Ok(r) => r,
            Err(e) => return Verdict::Error(e.to_string().into()),
        };
        let response = Authorizer::new().is_authorized(&request, &compiled.policies, &self.entities);
        if response.diagnostics().reason().next().is_some() {
            return Verdict::Forbids;
        }
        let errors: Vec<String> = response.diagnostics().errors().map(|e| e.to_string()).collect();
        if errors.is_empty() { Verdict::Silent } else { Verdict::Error(errors.join("; ").into()) }
    }

    fn evaluate_position(&self, position: usize, context: &Context) -> Vec<Verdict> {
        let Some(table) = self.position_table.get(position).and_then(|&t| self.tables.get(t)) else {
            return Vec::new();
        };
        table.reps.iter().map(|&rep| self.verdict(position, rep, context)).collect()
    }

    fn in_force(&self, position: usize, at: Date) -> bool {
        self.scenario
            .positions
            .get(position)
            .is_some_and(|p| p.since.is_none_or(|since| since <= at) && p.withdrawn.is_none_or(|w| at < w))
    }

    /// The naive way to decide, kept as a baseline for benchmarks and a cross-check for tests:
    /// one Cedar authorization per seated member and proposal (with all of the member's
    /// positions in force, on the proposal itself) unless the member voted. Returns the objecting
    /// members of each proposal before its committee, in scenario and seat order.
    pub fn baseline_objections(&self, at: Date, all_proposals: &cedar_policy::Entities) -> Vec<Vec<usize>> {
        let facts = self.facts_at(at);
        let Ok(context) = world::context(facts.iter().map(|(k, o)| (k, &o.value)), at) else { return Vec::new() };
        let sets: Vec<cedar_policy::PolicySet> = self
            .positions_by_member
            .iter()
            .map(|list| {
                let mut set = cedar_policy::PolicySet::new();
                for &pos in list.iter().filter(|&&p| self.in_force(p, at)) {
                    if let Some(compiled) = self.positions.get(pos) {
                        for policy in compiled.policies.policies() {
                            let id = cedar_policy::PolicyId::new(format!("{pos}.{}", policy.id()));
                            let _ = set.add(policy.new_id(id));
                        }
                    }
                }
                set
            })
            .collect();
        let authorizer = Authorizer::new();
        let mut out = Vec::with_capacity(self.scenario.proposals.len());
        for (p, proposal) in self.scenario.proposals.iter().enumerate() {
            if proposal.circulated.is_some_and(|c| c > at) {
                continue;
            }
            let mut latest: BTreeMap<usize, VoteStance> = BTreeMap::new();
            for &v in self.votes_by_proposal.get(p).map_or(&[][..], Vec::as_slice) {
                if let (Some(vote), Some(&m)) = (self.scenario.votes.get(v), self.vote_member.get(v))
                    && vote.at <= at
                {
                    latest.insert(m, vote.stance);
                }
            }
            let mut objecting = Vec::new();
            for m in self.seated(self.committee_of(p), at) {
                if let Some(stance) = latest.get(&m) {
                    if *stance == VoteStance::Object {
                        objecting.push(m);
                    }
                    continue;
                }
                let (Some(member), Some(set)) = (self.scenario.members.get(m), sets.get(m)) else { continue };
                let Ok(request) = Request::new(
                    self.names.member(&member.id),
                    self.names.consent.clone(),
                    self.names.proposal(&proposal.id),
                    context.clone(),
                    None,
                ) else {
                    continue;
                };
                if authorizer.is_authorized(&request, set, all_proposals).diagnostics().reason().next().is_some() {
                    objecting.push(m);
                }
            }
            out.push(objecting);
        }
        out
    }

    /// Every partner and proposal as Cedar entities, for [`Engine::baseline_objections`].
    pub fn baseline_entities(&self) -> Result<cedar_policy::Entities, String> {
        let mut entities = Vec::new();
        for p in &self.scenario.partners {
            entities.push(self.names.partner_entity(p)?);
        }
        for p in &self.scenario.proposals {
            entities.push(self.names.proposal_entity(p)?);
        }
        cedar_policy::Entities::from_entities(entities, None).map_err(|e| e.to_string())
    }
}

impl<'e> Evaluation<'e> {
    fn new(
        engine: &'e Engine,
        at: Date,
        facts: FactSet,
        previous: Option<(&Evaluation<'e>, &BTreeSet<&str>)>,
    ) -> Result<Evaluation<'e>, WhatIfError> {
        let context = world::context(facts.iter().map(|(k, o)| (k, &o.value)), at).map_err(WhatIfError::Context)?;
        let verdicts: Vec<Option<Arc<Vec<Verdict>>>> = (0..engine.positions.len())
            .map(|pos| {
                if !engine.in_force(pos, at) {
                    return None;
                }
                if let Some((before, changed)) = previous {
                    let reads = engine.positions.get(pos).map(|p| &p.reads);
                    let affected = reads.is_none_or(|r| changed.iter().any(|id| r.reads_fact(id)));
                    if !affected && let Some(Some(v)) = before.verdicts.get(pos) {
                        return Some(Arc::clone(v));
                    }
                }
                Some(Arc::new(engine.evaluate_position(pos, &context)))
            })
            .collect();
        // After a what-if, only proposals in a class whose verdict changed need deciding again.
        let dirty = previous.map(|(before, _)| {
            let mut dirty = vec![false; engine.scenario.proposals.len()];
            for (pos, (new, old)) in verdicts.iter().zip(&before.verdicts).enumerate() {
                let (Some(new), Some(old)) = (new, old) else { continue };
                if Arc::ptr_eq(new, old) {
                    continue;
                }
                let changed: Vec<bool> = new.iter().zip(old.iter()).map(|(a, b)| a != b).collect();
                if !changed.contains(&true) {
                    continue;
                }
                let Some(table) = engine.position_table.get(pos).and_then(|&t| engine.tables.get(t)) else { continue };
                for (proposal, flag) in dirty.iter_mut().enumerate() {
                    *flag |= changed.get(table.class(proposal)).copied().unwrap_or(true);
                }
            }
            dirty
        });
        let mut evaluation = Evaluation { engine, at, facts, verdicts, decisions: Vec::new(), slots: Vec::new() };
        evaluation.decisions = match (previous, &dirty) {
            (Some((before, _)), Some(dirty)) => evaluation.decide_again(&before.decisions, dirty),
            _ => evaluation.decide_all(),
        };
        evaluation.slots = vec![u32::MAX; engine.scenario.proposals.len()];
        for (i, d) in evaluation.decisions.iter().enumerate() {
            if let Some(slot) = evaluation.slots.get_mut(d.proposal) {
                *slot = i as u32;
            }
        }
        Ok(evaluation)
    }

    /// The evaluation date.
    pub fn at(&self) -> Date {
        self.at
    }

    /// The engine evaluated.
    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// The facts in force, what-if observations included.
    pub fn facts(&self) -> &FactSet {
        &self.facts
    }

    /// Decisions on every proposal before its committee on the date, in scenario order.
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    /// The decision on one proposal, if it is before its committee on the date.
    pub fn decision(&self, proposal: usize) -> Option<&Decision> {
        self.decisions.get(*self.slots.get(proposal)? as usize)
    }

    /// The same evaluation with what-if observations added on its date. Only positions that read
    /// a fact set here are evaluated again.
    pub fn what_if(&self, set: &[(String, Value)]) -> Result<Evaluation<'e>, WhatIfError> {
        let mut facts = self.facts.clone();
        self.engine.apply(&mut facts, self.at, set)?;
        let changed: BTreeSet<&str> = set.iter().map(|(k, _)| k.as_str()).collect();
        Evaluation::new(self.engine, self.at, facts, Some((self, &changed)))
    }

    /// Proposals whose outcome differs in `other`, in scenario order.
    pub fn changes(&self, other: &Evaluation<'_>) -> Vec<Change> {
        self.decisions
            .iter()
            .zip(&other.decisions)
            .filter(|(a, b)| a.outcome != b.outcome)
            .map(|(a, b)| Change { proposal: a.proposal, before: a.outcome, after: b.outcome })
            .collect()
    }

    fn verdict(&self, position: usize, proposal: usize) -> Option<&Verdict> {
        let table = self.engine.position_table.get(position).and_then(|&t| self.engine.tables.get(t))?;
        self.verdicts.get(position)?.as_ref()?.get(table.class(proposal))
    }

    /// Latest vote (index) of every member on a proposal up to the date.
    fn latest_votes(&self, proposal: usize) -> Vec<(usize, usize)> {
        let mut latest: Vec<(usize, usize)> = Vec::new();
        for &v in self.engine.votes_by_proposal.get(proposal).map_or(&[][..], Vec::as_slice) {
            let Some(vote) = self.engine.scenario.votes.get(v) else { continue };
            if vote.at > self.at {
                break;
            }
            let member = self.engine.vote_member.get(v).copied().unwrap_or(0);
            match latest.iter_mut().find(|(m, _)| *m == member) {
                Some(slot) => slot.1 = v,
                None => latest.push((member, v)),
            }
        }
        latest
    }

    /// A member's stance on a proposal, its cause, and positions that failed to evaluate.
    fn stance(
        &self,
        proposal: usize,
        member: usize,
        votes: &[(usize, usize)],
        issues: &mut Vec<EvalIssue>,
    ) -> MemberStance {
        if let Some(&(_, v)) = votes.iter().find(|(m, _)| *m == member) {
            let stance = match self.engine.scenario.votes.get(v).map(|v| v.stance) {
                Some(VoteStance::Consent) => Stance::Consent,
                Some(VoteStance::Object) => Stance::Object,
                Some(VoteStance::Abstain) | None => Stance::Abstain,
            };
            return MemberStance { member, stance, cause: Some(Cause::Vote(v)) };
        }
        let mut forbidding = Vec::new();
        for &pos in self.engine.positions_by_member.get(member).map_or(&[][..], Vec::as_slice) {
            match self.verdict(pos, proposal) {
                Some(Verdict::Forbids) => forbidding.push(pos),
                Some(Verdict::Error(message)) => {
                    issues.push(EvalIssue { member, position: pos, message: self.explain_error(pos, message) })
                }
                Some(Verdict::Silent) | None => {}
            }
        }
        if forbidding.is_empty() {
            MemberStance { member, stance: Stance::Silent, cause: None }
        } else {
            MemberStance { member, stance: Stance::Object, cause: Some(Cause::Positions(forbidding)) }
        }
    }

    /// Cedar's message, led by the likely cause when the position reads facts with no
    /// observation on the date.
    fn explain_error(&self, position: usize, message: &str) -> String {
        let missing: Vec<String> = self
            .engine
            .positions
            .get(position)
            .map(|p| p.reads.facts.iter().filter(|f| self.facts.get(f).is_none()).map(|f| format!("`{f}`")).collect())
            .unwrap_or_default();
        if missing.is_empty() {
            message.to_owned()
        } else {
            let s = if missing.len() == 1 { "" } else { "s" };
            format!("it reads fact{s} {} with no observation on {} ({message})", missing.join(", "), self.at)
        }
    }

    /// Every seated member's stance on a proposal, in seat order.
    pub fn stances(&self, proposal: usize) -> Vec<MemberStance> {
        let votes = self.latest_votes(proposal);
        let mut issues = Vec::new();
        let committee = self.engine.committee_of(proposal);
        self.engine
            .seated(committee, self.at)
            .into_iter()
            .map(|m| self.stance(proposal, m, &votes, &mut issues))
            .collect()
    }

    fn decide_all(&self) -> Vec<Decision> {
        let engine = self.engine;
        let seated = self.seated_all();
        let mut decisions = Vec::with_capacity(engine.scenario.proposals.len());
        for (p, proposal) in engine.scenario.proposals.iter().enumerate() {
            if proposal.circulated.is_none_or(|c| c <= self.at) {
                decisions.push(self.decide_one(p, &seated));
            }
        }
        decisions
    }

    /// Decisions after a what-if on the same date: the same proposals, decided again only where
    /// `dirty`.
    fn decide_again(&self, before: &[Decision], dirty: &[bool]) -> Vec<Decision> {
        let seated = self.seated_all();
        before
            .iter()
            .map(|d| {
                if dirty.get(d.proposal).copied().unwrap_or(true) {
                    self.decide_one(d.proposal, &seated)
                } else {
                    d.clone()
                }
            })
            .collect()
    }

    fn seated_all(&self) -> Vec<Vec<usize>> {
        (0..self.engine.committees.len()).map(|c| self.engine.seated(c, self.at)).collect()
    }

    fn decide_one(&self, p: usize, seated: &[Vec<usize>]) -> Decision {
        let engine = self.engine;
        let committee = engine.committee_of(p);
        let votes = self.latest_votes(p);
        let mut tally = Tally::default();
        let mut objections = Vec::new();
        let mut issues = Vec::new();
        let seats = seated.get(committee).map_or(&[][..], Vec::as_slice);
        let mut ballot = Vec::with_capacity(seats.len());
        for &m in seats {
            let s = self.stance(p, m, &votes, &mut issues);
            tally.add(s.stance);
            ballot.push((m, s.stance));
            if let (Stance::Object, Some(cause)) = (s.stance, s.cause) {
                objections.push(Objection { member: m, cause });
            }
        }
        let deadline = engine.scenario.proposals.get(p).and_then(|x| x.deadline);
        let (outcome, weight) = match engine.committees.get(committee) {
            Some(c) => (rules::outcome(&c.rule, &ballot, self.at, deadline), c.rule.consenting_weight(&ballot)),
            None => (rules::Outcome::Pending, None),
        };
        Decision { proposal: p, outcome, tally, objections, issues, weight }
    }
}
