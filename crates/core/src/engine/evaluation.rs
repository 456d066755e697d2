//! Evaluating a compiled scenario on a date: every proposal's decision as taken on its
//! procedure's timing, or its outcome while open, with the stances of the decision's day.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::Engine;
use super::decision::{Decision, MemberStance, Objection, OutcomeChange, Tally};
use super::timing::{Ballot, How, Lens, Taken};
use super::world::{Days, World};
use crate::change::DecisionChange;
use crate::date::Date;
use crate::model::{Decided, Rule, Trigger, Value};
use crate::rules::{Outcome, Stance};

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
    pub(crate) fn from_map(map: BTreeMap<String, Observation>) -> FactSet {
        FactSet(map)
    }

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
    /// The scenario has no such fact: no observation, and no position reads it.
    #[error("unknown fact `{fact}`{}", suggest(.suggestions))]
    UnknownFact {
        /// The fact id given.
        fact: String,
        /// The closest known fact ids, closest first.
        suggestions: Vec<String>,
    },
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
}

fn suggest(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!(": did you mean `{one}`?"),
        more => {
            format!(": did you mean one of {}?", more.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "))
        }
    }
}

/// Each day looked at by a what-if, in the world before and after.
type Differ = std::collections::HashMap<Date, (Arc<super::world::Day>, Arc<super::world::Day>)>;

/// Every proposal's decision or outcome on one date.
#[derive(Debug)]
pub struct Evaluation<'e> {
    lens: Lens<'e>,
    at: Date,
    decisions: Vec<Decision>,
    /// Index in `decisions` of every proposal (`u32::MAX` when not before its committee).
    slots: Vec<u32>,
    /// In a what-if: the rule's outcome of every recorded decision in the scenario as it is.
    real: Option<Arc<std::collections::HashMap<usize, Outcome>>>,
}

impl Engine {
    /// The facts in force on a date, per contract §1: for each fact, the observation known and
    /// holding on `at` with the latest `as_of`.
    pub fn facts_at(&self, at: Date) -> FactSet {
        self.world.facts_at(self, at)
    }

    /// Evaluates every proposal on a date. `set` holds facts at other values throughout (a
    /// counterfactual): each proposal is decided again with them on its procedure's timing.
    pub fn evaluate(&self, at: Date, set: &[(String, Value)]) -> Result<Evaluation<'_>, WhatIfError> {
        let evaluation = Evaluation::new(self.shared_lens(), at, None);
        if set.is_empty() {
            return Ok(evaluation);
        }
        // Against the scenario as it is: a recorded decision stays as recorded unless the set
        // facts change the rule's outcome on its day, as `what-if` says.
        evaluation.what_if(set)
    }

    /// Checks what-if values against the scenario's facts: known ids, the facts' types.
    fn overrides(&self, set: &[(String, Value)]) -> Result<BTreeMap<String, Value>, WhatIfError> {
        use crate::cedar::schema::ValueType;
        let mut out = BTreeMap::new();
        for (id, value) in set {
            if !self.facts_by_id.contains_key(id) && !self.positions.iter().any(|p| p.reads.facts.contains(id)) {
                return Err(WhatIfError::UnknownFact { fact: id.clone(), suggestions: self.closest_facts(id) });
            }
            let value = match (self.fact_types.get(id), value) {
                (Some(ValueType::Decimal), Value::Long(n)) => Value::Decimal(crate::Decimal::from_int(*n)),
                (Some(ty), v) if *ty != ValueType::of(v) => {
                    let expected = self
                        .facts_by_id
                        .get(id)
                        .and_then(|obs| obs.first())
                        .and_then(|&i| self.scenario.facts.get(i))
                        .map(|f| f.value.type_with_article());
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
            out.insert(id.clone(), value);
        }
        Ok(out)
    }

    /// Known fact ids close to `id`, closest first.
    fn closest_facts(&self, id: &str) -> Vec<String> {
        let mut known: Vec<&str> = self.facts_by_id.keys().map(String::as_str).collect();
        known.extend(self.positions.iter().flat_map(|p| p.reads.facts.iter().map(String::as_str)));
        known.sort_unstable();
        known.dedup();
        let mut scored: Vec<(f64, &str)> =
            known.into_iter().map(|k| (strsim::jaro_winkler(id, k), k)).filter(|(score, _)| *score >= 0.7).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.into_iter().take(3).map(|(_, k)| k.to_owned()).collect()
    }
}

impl<'e> Evaluation<'e> {
    fn new(lens: Lens<'e>, at: Date, base: Option<(&Evaluation<'e>, &[&str])>) -> Evaluation<'e> {
        let engine = lens.engine;
        let mut evaluation = Evaluation {
            lens,
            at,
            decisions: Vec::new(),
            slots: vec![u32::MAX; engine.scenario.proposals.len()],
            real: None,
        };
        // For a what-if: the positions that read a fact set, by committee whose members hold them.
        let affected: Option<Vec<Vec<usize>>> = base.map(|(_, facts)| {
            let reading = engine.affected_by(facts);
            engine
                .committees
                .iter()
                .map(|c| {
                    (0..engine.positions.len())
                        .filter(|&pos| reading.get(pos).copied().unwrap_or(true))
                        .filter(|pos| engine.position_member.get(*pos).is_some_and(|m| c.seats.contains(m)))
                        .collect()
                })
                .collect()
        });
        let mut differ = Differ::new();
        // Lower strata first: the outcomes that linked positions read are known when they read.
        let mut order: Vec<usize> = (0..engine.scenario.proposals.len()).collect();
        if engine.links.any() {
            order.sort_by_key(|&p| engine.links.strata.get(p).copied().unwrap_or(0));
        }
        for p in order {
            let Some(proposal) = engine.scenario.proposals.get(p) else { continue };
            if proposal.circulated.is_none_or(|c| c <= at) {
                let kept = match (base, &affected) {
                    (Some((before, _)), Some(affected)) => before
                        .decision(p)
                        .filter(|d| {
                            let affected = affected.get(engine.committee_of(p)).map_or(&[][..], Vec::as_slice);
                            evaluation.same_as(before, d, affected, &mut differ)
                        })
                        .cloned(),
                    _ => None,
                };
                let decision = kept.unwrap_or_else(|| evaluation.decide(p));
                evaluation.decisions.push(decision);
            }
        }
        // In scenario order.
        evaluation.decisions.sort_by_key(|d| d.proposal);
        for (i, d) in evaluation.decisions.iter().enumerate() {
            if let Some(slot) = evaluation.slots.get_mut(d.proposal) {
                *slot = i as u32;
            }
        }
        evaluation
    }

    fn decide(&self, p: usize) -> Decision {
        let (lens, at) = (&self.lens, self.at);
        let engine = lens.engine;
        match lens.taken(p, at) {
            Some((taken, ballot)) => {
                let ballot = ballot.unwrap_or_else(|| lens.ballot(p, taken.on));
                let deadline = engine.deadline_on(p, taken.on);
                let computed = match taken.how {
                    How::Recorded { .. } if taken.outcome != Outcome::Withdrawn => {
                        Some(lens.outcome(p, &ballot, taken.on, Some(taken.on)))
                    }
                    _ => None,
                };
                let mut decision = self.decision_of(p, &ballot, taken.outcome, taken.on, deadline);
                decision.taken = Some(taken);
                decision.computed = computed;
                decision
            }
            None => {
                let ballot = lens.ballot(p, at);
                let deadline = engine.deadline_on(p, at);
                let outcome = lens.outcome(p, &ballot, at, deadline);
                self.decision_of(p, &ballot, outcome, at, deadline)
            }
        }
    }

    /// Whether a decision of `before` holds in this evaluation's world as it is: its timing does
    /// not depend on facts (it has a deadline or a record) and none of the `affected` positions
    /// says otherwise of it on the days it reads. `differ` keeps the days looked at.
    fn same_as(&self, before: &Evaluation<'e>, d: &Decision, affected: &[usize], differ: &mut Differ) -> bool {
        let engine = self.lens.engine;
        let p = d.proposal;
        let fixed = engine.scenario.proposals.get(p).is_some_and(|x| x.deadline.is_some())
            || engine.record_of.get(p).is_some_and(Option::is_some);
        if !fixed {
            return false;
        }
        let class_of =
            |pos: usize| engine.position_table.get(pos).and_then(|&t| engine.tables.get(t)).map(|t| t.class(p));
        // A decision reads the stances of one day: its own once taken, the evaluation date while
        // open (what it would now be is worked out when it is reported).
        let day = d.stances_on;
        let (old, new) = differ.entry(day).or_insert_with(|| (before.lens.day(day), self.lens.day(day)));
        affected.iter().all(|&pos| {
            // A linked position reads stances and outcomes, which the what-if may change too.
            if engine.links.of(pos).is_some() {
                return false;
            }
            let (a, b) = (old.verdicts.get(pos).cloned().flatten(), new.verdicts.get(pos).cloned().flatten());
            match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) if Arc::ptr_eq(&a, &b) => true,
                (Some(a), Some(b)) => {
                    let Some(class) = class_of(pos) else { return false };
                    a.get(engine, pos, class) == b.get(engine, pos, class)
                }
                _ => false,
            }
        })
    }

    fn decision_of(&self, p: usize, ballot: &Ballot, outcome: Outcome, on: Date, deadline: Option<Date>) -> Decision {
        let mut tally = Tally::default();
        let mut objections = Vec::new();
        for s in &ballot.stances {
            tally.add(s.stance);
            if let (Stance::Object, Some(cause)) = (s.stance, &s.cause) {
                objections.push(Objection { member: s.member, cause: cause.clone() });
            }
        }
        let weight = self.lens.engine.rule_of(p).and_then(|r| r.consenting_weight(&ballot.pairs()));
        // Under a silence procedure (consensus) silence is consent at the deadline: no vote is
        // awaited. Under the other rules a silent member's vote can still decide.
        let silence_procedure = matches!(self.lens.engine.rule_of(p).map(|r| r.rule()), Some(Rule::Consensus { .. }));
        let awaiting = if outcome == Outcome::Pending && !silence_procedure {
            ballot.stances.iter().filter(|s| s.stance == Stance::Silent).map(|s| s.member).collect()
        } else {
            Vec::new()
        };
        Decision {
            proposal: p,
            outcome,
            taken: None,
            stances_on: on,
            deadline,
            computed: None,
            tally,
            objections,
            issues: ballot.issues.clone(),
            weight,
            awaiting,
        }
    }

    /// How many Cedar evaluations this evaluation (and the what-if runs it shares verdicts with)
    /// has made so far.
    pub fn cedar_evaluations(&self) -> usize {
        self.lens.days.evaluations()
    }

    /// The evaluation date.
    pub fn at(&self) -> Date {
        self.at
    }

    /// The engine evaluated.
    pub fn engine(&self) -> &'e Engine {
        self.lens.engine
    }

    /// The facts in force on the evaluation date, what-if values included.
    pub fn facts(&self) -> FactSet {
        self.facts_on(self.at)
    }

    /// The facts in force on a date, what-if values included.
    pub fn facts_on(&self, at: Date) -> FactSet {
        self.lens.day(at).facts.clone()
    }

    /// The facts held at a what-if value, by id.
    pub fn what_if_facts(&self) -> &BTreeMap<String, Value> {
        &self.lens.world.overrides
    }

    /// Decisions on every proposal before its committee on the date, in scenario order.
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    /// The decision on one proposal, if it is before its committee on the date.
    pub fn decision(&self, proposal: usize) -> Option<&Decision> {
        self.decisions.get(*self.slots.get(proposal)? as usize)
    }

    /// Every seated member's stance on a proposal, in seat order, on the day its decision was
    /// taken (or on the evaluation date while it is open).
    pub fn stances(&self, proposal: usize) -> Vec<MemberStance> {
        let on = self.decision(proposal).map_or(self.at, |d| d.stances_on);
        self.lens.ballot(proposal, on).stances
    }

    /// The same date in a world where the facts in `set` had these values throughout: every
    /// proposal decided again on its procedure's timing. A recorded decision stays as recorded
    /// unless the set facts change the rule's outcome on its day.
    pub fn what_if(&self, set: &[(String, Value)]) -> Result<Evaluation<'e>, WhatIfError> {
        self.counterfactual(set, true)
    }

    /// [`Evaluation::what_if`] with every proposal decided again from scratch: the oracle the
    /// incremental way is tested against.
    #[doc(hidden)]
    pub fn what_if_from_scratch(&self, set: &[(String, Value)]) -> Result<Evaluation<'e>, WhatIfError> {
        self.counterfactual(set, false)
    }

    fn counterfactual(&self, set: &[(String, Value)], incremental: bool) -> Result<Evaluation<'e>, WhatIfError> {
        let engine = self.lens.engine;
        let mut overrides = self.lens.world.overrides.clone();
        overrides.extend(engine.overrides(set)?);
        let changed: Vec<&str> = set.iter().map(|(k, _)| k.as_str()).collect();
        let days = Days::sharing(&self.lens.days);
        let lens = Lens::new(engine, Arc::new(World::new(engine, overrides)), Arc::new(days));
        let base = incremental.then_some((self, changed.as_slice()));
        let mut after = Evaluation::new(lens, self.at, base);
        // What the rule gives recorded decisions in the scenario as it is.
        let real = match &self.real {
            Some(real) => Arc::clone(real),
            None => Arc::new(
                self.decisions
                    .iter()
                    .filter_map(|d| Some((d.proposal, d.computed?)))
                    .collect::<std::collections::HashMap<_, _>>(),
            ),
        };
        for d in &mut after.decisions {
            let Some(Taken { how: How::Recorded { record }, .. }) = d.taken else { continue };
            let recorded = engine.scenario.decisions.get(record).map(|r| r.outcome.outcome());
            d.outcome = match (d.computed, real.get(&d.proposal)) {
                (Some(now), Some(&before)) if now != before => now,
                _ => recorded.unwrap_or(d.outcome),
            };
        }
        after.real = Some(real);
        Ok(after)
    }

    /// Proposals whose outcome, or whose objecting members, differ in `other` (the same
    /// proposals, paired by id), in scenario order: a blocker that drops out while another
    /// remains is a change too.
    pub fn changes(&self, other: &Evaluation<'_>) -> Vec<OutcomeChange> {
        self.decisions
            .iter()
            .filter_map(|a| {
                let b = other.decision(a.proposal)?;
                let (objecting_before, objecting_after) = (a.objecting(), b.objecting());
                (a.outcome != b.outcome || objecting_before != objecting_after).then(|| OutcomeChange {
                    proposal: a.proposal,
                    before: a.outcome,
                    after: b.outcome,
                    final_before: a.taken.is_some(),
                    objecting_before,
                    objecting_after,
                    positions: self.shifts(other, a.proposal),
                })
            })
            .collect()
    }

    /// The positions that object to a proposal in one evaluation and not in the other, with the
    /// facts they read whose values differ between the two worlds.
    fn shifts(&self, other: &Evaluation<'_>, proposal: usize) -> Vec<super::PositionShift> {
        let objecting = |e: &Evaluation<'_>| -> BTreeSet<(usize, usize)> {
            e.stances(proposal)
                .into_iter()
                .filter_map(|st| match st.cause {
                    Some(super::Cause::Positions(list)) => Some(list.into_iter().map(move |p| (st.member, p))),
                    _ => None,
                })
                .flatten()
                .collect()
        };
        let (before, after) = (objecting(self), objecting(other));
        let (mine, theirs) = (self.what_if_facts(), other.what_if_facts());
        let differ: BTreeSet<&String> =
            mine.keys().chain(theirs.keys()).filter(|k| mine.get(*k) != theirs.get(*k)).collect();
        let engine = self.lens.engine;
        let mut out: Vec<super::PositionShift> = before
            .symmetric_difference(&after)
            .map(|&(member, position)| super::PositionShift {
                member,
                position,
                applies: after.contains(&(member, position)),
                facts: differ
                    .iter()
                    .filter(|f| engine.positions.get(position).is_some_and(|p| p.reads.reads_fact(f)))
                    .map(|f| (*f).clone())
                    .collect(),
            })
            .collect();
        out.sort_by_key(|s| (s.member, s.position));
        out
    }

    /// The decisions a clock that reached the evaluation date records: every decision taken by
    /// the rule (on a deadline, or adopted without one) that has no record yet, earliest first.
    pub fn due(&self) -> Vec<DecisionChange> {
        let engine = self.lens.engine;
        let mut due: Vec<(Date, usize, DecisionChange)> = self
            .decisions
            .iter()
            .filter_map(|d| {
                let taken = d.taken?;
                let trigger = match taken.how {
                    How::Deadline => Trigger::Deadline,
                    How::Adopted => Trigger::Adopted,
                    How::Withdrawn | How::Superseded { .. } | How::Recorded { .. } => return None,
                };
                let outcome = match taken.outcome {
                    Outcome::Adopted => Decided::Adopted,
                    _ => Decided::Blocked,
                };
                let change = DecisionChange {
                    proposal: engine.scenario.proposals.get(d.proposal)?.id.clone(),
                    trigger,
                    on: taken.on,
                    outcome,
                    objecting: self.objecting(d),
                    state: None,
                    engine: None,
                    reason: None,
                    source: None,
                };
                Some((taken.on, d.proposal, change))
            })
            .collect();
        due.sort_by_key(|(on, p, _)| (*on, *p));
        due.into_iter().map(|(_, _, c)| c).collect()
    }

    /// On a decision taken (not a withdrawal): the rule's outcome with the stances of the
    /// evaluation date, were the proposal put again then (decided at once under a deadline
    /// procedure), when it differs from the decision.
    pub fn would_now_be(&self, d: &Decision) -> Option<Outcome> {
        // A withdrawn proposal is not put again.
        let taken = d.taken.filter(|t| t.outcome != Outcome::Withdrawn)?;
        let (lens, at) = (&self.lens, self.at);
        let now = lens.ballot(d.proposal, at);
        let again = lens.outcome(d.proposal, &now, at, d.deadline.map(|_| at));
        (again != taken.outcome).then_some(again)
    }

    /// What a linked position read on a proposal on a date: the other members' stances on it
    /// and the other proposals' outcomes, as they were then. Empty for a position not linked.
    pub fn links_read(&self, proposal: usize, position: usize, on: Date) -> Vec<super::LinkRead> {
        self.lens.links_read(proposal, position, on)
    }

    /// A proposal's outcome on a date as linked positions read it (its decision's once taken, else
    /// the rule's on the day), or None when it is not before its committee then.
    #[doc(hidden)]
    pub fn outcome_on(&self, proposal: usize, at: Date) -> Option<Outcome> {
        self.lens.outcome_on(proposal, at)
    }

    /// The ids of a decision's objecting members, in seat order.
    pub fn objecting(&self, d: &Decision) -> Vec<String> {
        let members = &self.lens.engine.scenario.members;
        d.objections.iter().filter_map(|o| members.get(o.member).map(|m| m.id.clone())).collect()
    }
}
