//! What it would take (contract §7): the smallest sets of changes that would adopt a proposal,
//! and the single changes that would adopt the most of a programme.
//!
//! A change is a fact held at another value throughout (a what-if) or a member's consent (a vote
//! on the date). A way is a set of changes with which the proposal, decided as if its decision
//! fell on the date (for a decided proposal: put again then), is adopted, and no proper subset
//! of which is.
//!
//! The search does not enumerate the space of changes. In a ballot the rule does not adopt, the
//! rule names an obstacle that every adopting ballot must clear ([`crate::rules::Obstacle`]): a
//! member that objects and must stop, or members of whom one must come to consent. A member stops
//! objecting by consenting, or by a change to what its positions read: the search tries each
//! smallest such change among the facts (and, for linked positions, the stances) the member's
//! positions read, then looks again. Every adopting set of changes contains a set this finds, so
//! the minimal ones among those found are exactly the minimal ways. Each is found by deciding
//! the proposal again with the engine, and `tests/unblock.rs` checks the whole against a
//! brute-force search of every set of candidate changes.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value as Json;

use super::Engine;
use super::timing::{Cast, Lens};
use super::world::{Days, World};
use crate::cedar::schema::ValueType;
use crate::date::Date;
use crate::model::Value;
use crate::number::Decimal;
use crate::rules::{Obstacle, Outcome, Stance};

/// One change: a fact's value, or a member's stance on the proposal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Lever {
    /// The fact holds this value throughout, as a what-if `--set` does.
    Fact {
        /// The fact id.
        fact: String,
        /// Its value.
        value: Value,
    },
    /// The member takes this stance on the proposal (a vote on the date).
    Stance {
        /// Member index.
        member: usize,
        /// The stance (consent).
        stance: Stance,
    },
}

/// A position's condition for lifting, for a member that objects under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lifting {
    /// Member index.
    pub member: usize,
    /// Position index.
    pub position: usize,
    /// When it would lift.
    pub lifts_when: super::LiftsWhen,
}

/// What it would take to adopt a proposal on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unblock {
    /// Proposal index.
    pub proposal: usize,
    /// The date.
    pub at: Date,
    /// Its outcome on the date, as `decide` gives it.
    pub outcome: Outcome,
    /// Whether its decision was taken by then (the ways are for putting it again).
    pub decided: bool,
    /// Whether it would be adopted as it is, were its decision taken on the date.
    pub adopted_as_it_is: bool,
    /// Every minimal way of at most `max` changes, smallest first, then by the facts' and the
    /// members' ids. Each way's changes: facts by id, then members by id.
    pub ways: Vec<Vec<Lever>>,
    /// For each member objecting under positions on the date, each position's condition.
    pub conditions: Vec<Lifting>,
}

/// Why what it would take cannot be answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnblockError {
    /// The proposal is not before its committee on the date.
    #[error("proposal `{proposal}` is not before its committee on {at}")]
    NotBefore {
        /// The proposal id.
        proposal: String,
        /// The date.
        at: Date,
    },
    /// The proposal was withdrawn: a withdrawn proposal is not put again.
    #[error("proposal `{proposal}` was withdrawn on {on}; a withdrawn proposal is not put again")]
    Withdrawn {
        /// The proposal id.
        proposal: String,
        /// When.
        on: Date,
    },
}

/// A change inside the search: a candidate fact value (fact and value indices), or a member's
/// consent. Ordered facts first, then members, as ways are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Step {
    Fact(usize, usize),
    Consent(usize),
}

/// A set of steps, kept sorted.
type Steps = BTreeSet<Step>;

/// The candidate values of every fact a position reads: both values of a boolean; for numbers
/// and strings, the literals positions compare it with (numbers one step either side too) and
/// the values observed.
#[derive(Debug, Default)]
pub(crate) struct Candidates {
    /// Fact ids, sorted, with their candidate values (sorted, without repeats).
    facts: Vec<(String, Vec<Value>)>,
    by_id: HashMap<String, usize>,
}

impl Candidates {
    fn new(engine: &Engine, ests: &[Vec<Json>]) -> Candidates {
        let mut values: BTreeMap<String, BTreeSet<ValueKey>> = BTreeMap::new();
        let read: BTreeSet<&String> = if engine.positions.iter().any(|p| p.reads.all_facts) {
            engine.fact_types.keys().collect()
        } else {
            engine.positions.iter().flat_map(|p| p.reads.facts.iter()).collect()
        };
        for id in read {
            let Some(ty) = engine.fact_types.get(id) else { continue };
            let set = values.entry(id.clone()).or_default();
            match ty {
                ValueType::Bool => {
                    set.insert(ValueKey(Value::Bool(false)));
                    set.insert(ValueKey(Value::Bool(true)));
                }
                _ => {
                    for &i in engine.facts_by_id.get(id).map_or(&[][..], Vec::as_slice) {
                        if let Some(f) = engine.scenario.facts.get(i) {
                            set.insert(ValueKey(f.value.clone()));
                        }
                    }
                }
            }
        }
        for est in ests.iter().flatten() {
            for (fact, literal) in crate::cedar::condition::compared(est) {
                let (Some(ty), Some(set)) = (engine.fact_types.get(&fact), values.get_mut(&fact)) else { continue };
                for v in around(*ty, &literal) {
                    set.insert(ValueKey(v));
                }
            }
        }
        let facts: Vec<(String, Vec<Value>)> =
            values.into_iter().map(|(k, v)| (k, v.into_iter().map(|v| v.0).collect())).collect();
        let by_id = facts.iter().enumerate().map(|(i, (id, _))| (id.clone(), i)).collect();
        Candidates { facts, by_id }
    }
}

/// A value ordered for listing: by type, then value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ValueKey(Value);

impl Ord for ValueKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        fn rank(v: &Value) -> u8 {
            match v {
                Value::Bool(_) => 0,
                Value::Long(_) => 1,
                Value::Decimal(_) => 2,
                Value::String(_) => 3,
            }
        }
        match (&self.0, &other.0) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Long(a), Value::Long(b)) => a.cmp(b),
            (Value::Decimal(a), Value::Decimal(b)) => a.units_at(4).cmp(&b.units_at(4)),
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (a, b) => rank(a).cmp(&rank(b)),
        }
    }
}

impl PartialOrd for ValueKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The values a literal compared with a fact of type `ty` gives: a number and one step either
/// side (1 for integers, 0.0001 for decimals, Cedar's finest), a string as it is.
fn around(ty: ValueType, literal: &str) -> Vec<Value> {
    match ty {
        ValueType::Long => literal.parse::<i64>().map_or(Vec::new(), |n| {
            [n.checked_sub(1), Some(n), n.checked_add(1)].into_iter().flatten().map(Value::Long).collect()
        }),
        ValueType::Decimal => {
            let Some(units) = Decimal::parse(literal).ok().and_then(|d| d.units_at(4)) else { return Vec::new() };
            [units - 1, units, units + 1]
                .into_iter()
                .filter_map(|u| {
                    let sign = if u < 0 { "-" } else { "" };
                    let u = u.unsigned_abs();
                    Decimal::parse(&format!("{sign}{}.{:04}", u / 10_000, u % 10_000)).ok()
                })
                .map(Value::Decimal)
                .collect()
        }
        ValueType::String => vec![Value::String(literal.trim_matches('"').to_owned())],
        ValueType::Bool => Vec::new(),
    }
}

/// What can change a member's stance on a proposal: the facts read by the positions that can
/// object to it (None: every fact), and the members whose stances they read, through linkage.
#[derive(Debug, Clone, Default)]
struct Influence {
    facts: Option<BTreeSet<usize>>,
    members: BTreeSet<usize>,
}

/// One question of what it would take: a proposal on a date.
struct Search<'s, 'e> {
    engine: &'e Engine,
    shared: &'s Shared<'e>,
    proposal: usize,
    at: Date,
    max: usize,
    /// The values of the candidate facts on the date, by fact index.
    now: Arc<Vec<Option<Value>>>,
    /// Each member's influence on the proposal, as worked out.
    influence: RefCell<HashMap<usize, Arc<Influence>>>,
}

/// What every question on an engine's state shares, worked out once: the positions' policies
/// as JSON, the candidate changes, and the candidate facts each position reads.
#[derive(Debug)]
pub(crate) struct Prepared {
    ests: Vec<Vec<Json>>,
    candidates: Candidates,
    /// By position: the candidate facts it reads (None: every fact).
    reads: Vec<Option<Vec<usize>>>,
}

impl Prepared {
    fn new(engine: &Engine) -> Prepared {
        let ests: Vec<Vec<Json>> =
            engine.positions.iter().map(|p| p.policies.policies().filter_map(|p| p.to_json().ok()).collect()).collect();
        let candidates = Candidates::new(engine, &ests);
        let reads = engine
            .positions
            .iter()
            .map(|p| {
                (!p.reads.all_facts)
                    .then(|| p.reads.facts.iter().filter_map(|f| candidates.by_id.get(f).copied()).collect())
            })
            .collect();
        Prepared { ests, candidates, reads }
    }
}

/// Whether a position can object to a proposal on a date, keyed by what that depends on: the
/// position, the proposal's class in its table, its committee (whose seats a linked position
/// may read) and the date.
type ForbidKey = (usize, usize, usize, Date);

/// What the questions of one run share: the prepared candidates, a lens for each set of facts,
/// and which positions can object to which proposals.
pub(crate) struct Shared<'e> {
    engine: &'e Engine,
    prepared: Arc<Prepared>,
    base: Lens<'e>,
    lenses: RefCell<HashMap<Vec<(usize, usize)>, Lens<'e>>>,
    now: RefCell<HashMap<Date, Arc<Vec<Option<Value>>>>>,
    forbids: RefCell<HashMap<ForbidKey, bool>>,
}

impl<'e> Shared<'e> {
    /// The questions on an engine, seen through its world and the days it has already looked at.
    pub(crate) fn new(engine: &'e Engine) -> Shared<'e> {
        let prepared = Arc::clone(engine.prepared.get_or_init(|| Arc::new(Prepared::new(engine))));
        let base = Lens::new(engine, Arc::clone(&engine.world), Arc::clone(&engine.days));
        Shared {
            engine,
            prepared,
            base,
            lenses: RefCell::default(),
            now: RefCell::default(),
            forbids: RefCell::default(),
        }
    }

    fn candidates(&self) -> &Candidates {
        &self.prepared.candidates
    }

    /// Whether a position can object to a proposal on a date, whatever the facts and stances
    /// it reads: in force, with some policy whose condition for lifting does not hold already.
    fn can_forbid(&self, position: usize, proposal: usize, at: Date) -> bool {
        let e = self.engine;
        let Some(class) = e.position_table.get(position).and_then(|&t| e.tables.get(t)).map(|t| t.class(proposal))
        else {
            return true;
        };
        let key = (position, class, e.committee_of(proposal), at);
        if let Some(&known) = self.forbids.borrow().get(&key) {
            return known;
        }
        let ests = self.prepared.ests.get(position).map_or(&[][..], Vec::as_slice);
        let can = e.can_forbid(ests, position, proposal, at);
        self.forbids.borrow_mut().insert(key, can);
        can
    }

    /// The value of every candidate fact on a date.
    fn now(&self, at: Date) -> Arc<Vec<Option<Value>>> {
        if let Some(now) = self.now.borrow().get(&at) {
            return Arc::clone(now);
        }
        let day = self.base.day(at);
        let now: Arc<Vec<Option<Value>>> = Arc::new(
            self.candidates().facts.iter().map(|(id, _)| day.facts.get(id).map(|o| o.value.clone())).collect(),
        );
        self.now.borrow_mut().insert(at, Arc::clone(&now));
        now
    }

    /// The lens of a world with these facts held (fact and value indices, sorted).
    fn lens(&self, facts: &[(usize, usize)]) -> Lens<'e> {
        if facts.is_empty() {
            return self.base.clone();
        }
        if let Some(lens) = self.lenses.borrow().get(facts) {
            return lens.clone();
        }
        let e = self.engine;
        let overrides: BTreeMap<String, Value> = facts
            .iter()
            .filter_map(|&(f, v)| {
                let (id, values) = self.candidates().facts.get(f)?;
                Some((id.clone(), values.get(v)?.clone()))
            })
            .collect();
        let days = Days::reading(&self.base.days);
        let lens = Lens::new(e, Arc::new(World::new(e, overrides)), Arc::new(days));
        let mut lenses = self.lenses.borrow_mut();
        if lenses.len() > 4096 {
            lenses.clear();
        }
        lenses.insert(facts.to_vec(), lens.clone());
        lens
    }
}

impl Engine {
    /// What it would take to adopt a proposal on a date: every minimal way of at most `max`
    /// changes, with the conditions of the positions that object.
    pub fn unblock(&self, proposal: usize, at: Date, max: usize) -> Result<Unblock, UnblockError> {
        let shared = Shared::new(self);
        let found = self.ways_with(&shared, proposal, at, max)?;
        let ballot = shared.base.ballot(proposal, at);
        let mut conditions = Vec::new();
        for s in &ballot.stances {
            if let (Stance::Object, Some(super::Cause::Positions(positions))) = (s.stance, &s.cause) {
                for &position in positions {
                    conditions.push(Lifting {
                        member: s.member,
                        position,
                        lifts_when: self.lifts_when(position, proposal, at),
                    });
                }
            }
        }
        Ok(Unblock {
            proposal,
            at,
            outcome: found.outcome,
            decided: found.decided,
            adopted_as_it_is: found.adopted_as_it_is,
            ways: found.ways,
            conditions,
        })
    }

    /// The levers of a programme on a date: every single change that would adopt a proposal
    /// not adopted then, with the proposals it would adopt, most first (then in the order of
    /// ways). Withdrawn proposals and those not before their committee are left out; a decided
    /// proposal counts for its reconsideration, as [`Engine::unblock`] answers it.
    pub fn levers(&self, at: Date) -> Levers {
        let shared = Shared::new(self);
        let mut by_change: HashMap<Lever, Vec<usize>> = HashMap::new();
        for proposal in 0..self.scenario.proposals.len() {
            if self.shared_lens().outcome_on(proposal, at) == Some(Outcome::Adopted) {
                continue;
            }
            let Ok(found) = self.ways_with(&shared, proposal, at, 1) else { continue };
            for way in found.ways {
                if let [change] = way.as_slice() {
                    by_change.entry(change.clone()).or_default().push(proposal);
                }
            }
        }
        Levers { at, levers: ranked(self, by_change) }
    }

    /// The minimal ways of a proposal on a date, with its outcome.
    fn ways_with<'e>(
        &'e self,
        shared: &Shared<'e>,
        proposal: usize,
        at: Date,
        max: usize,
    ) -> Result<Found, UnblockError> {
        let (search, outcome, decided) = self.question(shared, proposal, at, max)?;
        let adopted_as_it_is = search.adopts(&Steps::new());
        let ways = if adopted_as_it_is { Vec::new() } else { search.ways() };
        Ok(Found { outcome, decided, adopted_as_it_is, ways })
    }

    /// The question of a proposal on a date, with its outcome then and whether its decision
    /// was taken; refused for a proposal not before its committee, or withdrawn.
    fn question<'s, 'e>(
        &'e self,
        shared: &'s Shared<'e>,
        proposal: usize,
        at: Date,
        max: usize,
    ) -> Result<(Search<'s, 'e>, Outcome, bool), UnblockError> {
        let id = || self.scenario.proposals.get(proposal).map(|p| p.id.clone()).unwrap_or_default();
        let lens = self.shared_lens();
        let Some(outcome) = lens.outcome_on(proposal, at) else {
            return Err(UnblockError::NotBefore { proposal: id(), at });
        };
        let taken = lens.taken(proposal, at).map(|(t, _)| t);
        if let Some(t) = taken.filter(|t| t.outcome == Outcome::Withdrawn) {
            return Err(UnblockError::Withdrawn { proposal: id(), on: t.on });
        }
        Ok((Search::new(self, shared, proposal, at, max), outcome, taken.is_some()))
    }
}

/// The levers of a programme on a date ([`Engine::levers`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Levers {
    /// The date.
    pub at: Date,
    /// Most proposals first.
    pub levers: Vec<LeverCount>,
}

/// One single change and the proposals it alone would adopt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeverCount {
    /// The change.
    pub change: Lever,
    /// Proposal indices, in the scenario's order.
    pub proposals: Vec<usize>,
}

/// Levers, most proposals first, then in the order of changes in a way.
fn ranked(engine: &Engine, by_change: HashMap<Lever, Vec<usize>>) -> Vec<LeverCount> {
    let mut levers: Vec<LeverCount> =
        by_change.into_iter().map(|(change, proposals)| LeverCount { change, proposals }).collect();
    let key = |l: &LeverCount| lever_key(engine, &l.change);
    levers.sort_by(|a, b| b.proposals.len().cmp(&a.proposals.len()).then_with(|| key(a).cmp(&key(b))));
    levers
}

/// A proposal's ways, with its outcome.
struct Found {
    outcome: Outcome,
    decided: bool,
    adopted_as_it_is: bool,
    ways: Vec<Vec<Lever>>,
}

/// A change's sort key: facts first, by id and value, then members by id.
fn lever_key(engine: &Engine, lever: &Lever) -> (u8, String, Option<ValueKey>) {
    match lever {
        Lever::Fact { fact, value } => (0, fact.clone(), Some(ValueKey(value.clone()))),
        Lever::Stance { member, .. } => {
            (1, engine.scenario.members.get(*member).map(|m| m.id.clone()).unwrap_or_default(), None)
        }
    }
}

impl<'s, 'e> Search<'s, 'e> {
    fn new(engine: &'e Engine, shared: &'s Shared<'e>, proposal: usize, at: Date, max: usize) -> Search<'s, 'e> {
        Search { engine, shared, proposal, at, max, now: shared.now(at), influence: RefCell::default() }
    }

    /// What can change member `m`'s stance on the proposal: the facts read by those of its
    /// positions that can object to it, and through linkage the members they follow, with
    /// theirs. Another proposal's outcome can change with any fact.
    fn influence(&self, m: usize) -> Arc<Influence> {
        if let Some(known) = self.influence.borrow().get(&m) {
            return Arc::clone(known);
        }
        let e = self.engine;
        let mut out = Influence { facts: Some(BTreeSet::new()), members: BTreeSet::new() };
        let mut todo = vec![m];
        let mut seen = HashSet::new();
        while let Some(x) = todo.pop() {
            if !seen.insert(x) {
                continue;
            }
            if x != m {
                out.members.insert(x);
            }
            for &pos in e.positions_by_member.get(x).map_or(&[][..], Vec::as_slice) {
                if !self.shared.can_forbid(pos, self.proposal, self.at) {
                    continue;
                }
                match (self.shared.prepared.reads.get(pos), &mut out.facts) {
                    (Some(Some(facts)), Some(set)) => set.extend(facts.iter().copied()),
                    (_, set) => *set = None,
                }
                if let Some(reads) = e.class_reads(&e.links, pos, self.proposal) {
                    todo.extend(reads.stances.iter().copied().filter(|&y| y != x));
                    if reads.outcomes.iter().any(|&q| q != self.proposal) {
                        out.facts = None;
                    }
                }
            }
        }
        let out = Arc::new(out);
        self.influence.borrow_mut().insert(m, Arc::clone(&out));
        out
    }

    /// The lens of a set of steps: its facts held, its members consenting.
    fn lens(&self, steps: &Steps) -> Lens<'_> {
        let facts: Vec<(usize, usize)> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Fact(f, v) => Some((*f, *v)),
                Step::Consent(_) => None,
            })
            .collect();
        let mut lens = self.shared.lens(&facts);
        let stances: Vec<(usize, Stance)> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Consent(m) => Some((*m, Stance::Consent)),
                Step::Fact(..) => None,
            })
            .collect();
        if !stances.is_empty() {
            lens.cast = Some(Arc::new(Cast { proposal: self.proposal, stances }));
        }
        lens
    }

    /// The stances counted, and whether the rule adopts with them, decided on the date.
    fn decide(&self, steps: &Steps) -> (Vec<(usize, Stance)>, bool) {
        let lens = self.lens(steps);
        let ballot = lens.ballot(self.proposal, self.at);
        let deadline = self.engine.deadline_on(self.proposal, self.at).map(|_| self.at);
        let adopted = lens.outcome(self.proposal, &ballot, self.at, deadline) == Outcome::Adopted;
        (lens.counted(self.proposal, &ballot), adopted)
    }

    fn adopts(&self, steps: &Steps) -> bool {
        self.decide(steps).1
    }

    /// Every minimal way, sorted.
    fn ways(&self) -> Vec<Vec<Lever>> {
        let mut seen = HashSet::new();
        let mut found = Vec::new();
        self.explore(Steps::new(), &mut seen, &mut found);
        let minimal: Vec<&Steps> =
            found.iter().filter(|w| !found.iter().any(|x| x.len() < w.len() && x.is_subset(w))).collect();
        let mut ways = self.sorted(minimal.into_iter());
        ways.dedup();
        ways
    }

    /// Sets of steps as ways, smallest first, then by their facts' ids and values, then by
    /// their members' ids.
    fn sorted<'w>(&self, sets: impl Iterator<Item = &'w Steps>) -> Vec<Vec<Lever>> {
        let mut ways: Vec<Vec<Lever>> = sets.map(|w| self.levers(w)).collect();
        ways.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| self.order(a).cmp(&self.order(b))));
        ways
    }

    /// A way's sort key: its facts' ids and values, then its members' ids.
    fn order(&self, way: &[Lever]) -> Vec<(u8, String, Option<ValueKey>)> {
        way.iter().map(|l| lever_key(self.engine, l)).collect()
    }

    fn levers(&self, steps: &Steps) -> Vec<Lever> {
        let mut levers: Vec<Lever> = steps.iter().filter_map(|s| self.lever(*s)).collect();
        let order = |l: &Lever| self.order(std::slice::from_ref(l));
        levers.sort_by_key(order);
        levers
    }

    fn lever(&self, step: Step) -> Option<Lever> {
        Some(match step {
            Step::Fact(f, v) => {
                let (fact, values) = self.shared.candidates().facts.get(f)?;
                Lever::Fact { fact: fact.clone(), value: values.get(v)?.clone() }
            }
            Step::Consent(m) => Lever::Stance { member: m, stance: Stance::Consent },
        })
    }

    fn explore(&self, steps: Steps, seen: &mut HashSet<Steps>, found: &mut Vec<Steps>) {
        if !seen.insert(steps.clone()) {
            return;
        }
        let (counted, adopted) = self.decide(&steps);
        if adopted {
            found.push(steps);
            return;
        }
        if steps.len() >= self.max {
            return;
        }
        let Some(rule) = self.engine.rule_of(self.proposal) else { return };
        match rule.obstacle(&counted) {
            None => {}
            Some(Obstacle::Objects(m)) => {
                let mut with = steps.clone();
                with.insert(Step::Consent(m));
                self.explore(with, seen, found);
                for lift in self.lifts(&steps, m) {
                    let mut with = steps.clone();
                    with.extend(lift);
                    self.explore(with, seen, found);
                }
            }
            Some(Obstacle::Needs(members)) => {
                for m in members {
                    let mut with = steps.clone();
                    with.insert(Step::Consent(m));
                    if with.len() > steps.len() {
                        self.explore(with, seen, found);
                    }
                }
            }
        }
    }

    /// The smallest sets of steps, added to `steps` within the budget, with which member `m` no
    /// longer objects (its own consent aside).
    fn lifts(&self, steps: &Steps, m: usize) -> Vec<Vec<Step>> {
        let budget = self.max.saturating_sub(steps.len());
        let influence = self.influence(m);
        let held: HashSet<usize> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Fact(f, _) => Some(*f),
                Step::Consent(_) => None,
            })
            .collect();
        let facts: Vec<usize> = match &influence.facts {
            Some(set) => set.iter().copied().collect(),
            None => (0..self.shared.candidates().facts.len()).collect(),
        };
        let mut candidates: Vec<Step> = Vec::new();
        for f in facts.into_iter().filter(|f| !held.contains(f)) {
            let Some((_, values)) = self.shared.candidates().facts.get(f) else { continue };
            let now = self.now.get(f).and_then(Option::as_ref);
            for (v, value) in values.iter().enumerate() {
                if Some(value) != now {
                    candidates.push(Step::Fact(f, v));
                }
            }
        }
        candidates.extend(influence.members.iter().map(|&x| Step::Consent(x)).filter(|s| !steps.contains(s)));
        let mut out: Vec<Vec<Step>> = Vec::new();
        for size in 1..=budget.min(candidates.len()) {
            let mut pick = Vec::with_capacity(size);
            self.combinations(&candidates, 0, size, &mut pick, &mut |pick| {
                if out.iter().any(|lift| lift.iter().all(|s| pick.contains(s))) {
                    return;
                }
                let mut with = steps.clone();
                with.extend(pick.iter().copied());
                if self.lens(&with).member_stance(self.proposal, m, self.at) != Stance::Object {
                    out.push(pick.to_vec());
                }
            });
        }
        out
    }

    /// Calls `visit` with every choice of `size` steps from `from` on, at most one value a fact.
    fn combinations(
        &self,
        candidates: &[Step],
        from: usize,
        size: usize,
        pick: &mut Vec<Step>,
        visit: &mut dyn FnMut(&[Step]),
    ) {
        if pick.len() == size {
            visit(pick);
            return;
        }
        for i in from..candidates.len() {
            let Some(&step) = candidates.get(i) else { continue };
            let clash = match step {
                Step::Fact(f, _) => pick.iter().any(|s| matches!(s, Step::Fact(g, _) if *g == f)),
                Step::Consent(_) => false,
            };
            if clash {
                continue;
            }
            pick.push(step);
            self.combinations(candidates, i + 1, size, pick, visit);
            pick.pop();
        }
    }
}

/// The brute-force search, kept as the yardstick of the benchmark: every set of candidate
/// changes (every candidate fact at every value other than its value on the date, and the
/// consent of every seated member) up to the budget, each decided, smallest first.
impl Engine {
    /// Every minimal way of at most `max` changes, found by trying every set of candidates.
    #[doc(hidden)]
    pub fn unblock_brute_force(&self, proposal: usize, at: Date, max: usize) -> Vec<Vec<Lever>> {
        let shared = Shared::new(self);
        let search = Search::new(self, &shared, proposal, at, max);
        let candidates = brute_candidates(&search);
        let mut adopting: Vec<Steps> = Vec::new();
        let mut pick = Vec::new();
        for size in 0..=max.min(candidates.len()) {
            search.combinations(&candidates, 0, size, &mut pick, &mut |pick| {
                let steps: Steps = pick.iter().copied().collect();
                if !adopting.iter().any(|a| a.is_subset(&steps)) && search.adopts(&steps) {
                    adopting.push(steps);
                }
            });
        }
        if adopting.iter().any(BTreeSet::is_empty) {
            return Vec::new();
        }
        search.sorted(adopting.iter())
    }

    /// The levers of a programme, found by trying every candidate change on every proposal not
    /// adopted on the date.
    #[doc(hidden)]
    pub fn levers_brute_force(&self, at: Date) -> Levers {
        let shared = Shared::new(self);
        let mut by_change: HashMap<Lever, Vec<usize>> = HashMap::new();
        for proposal in 0..self.scenario.proposals.len() {
            let Ok((search, outcome, _)) = self.question(&shared, proposal, at, 1) else { continue };
            if outcome == Outcome::Adopted || search.adopts(&Steps::new()) {
                continue;
            }
            for step in brute_candidates(&search) {
                if search.adopts(&Steps::from([step]))
                    && let Some(lever) = search.lever(step)
                {
                    by_change.entry(lever).or_default().push(proposal);
                }
            }
        }
        Levers { at, levers: ranked(self, by_change) }
    }
}

/// Every candidate change of a question: each candidate fact at each value but its value on the
/// date, then each seated member's consent.
fn brute_candidates(search: &Search<'_, '_>) -> Vec<Step> {
    let mut out = Vec::new();
    for (f, (_, values)) in search.shared.candidates().facts.iter().enumerate() {
        let now = search.now.get(f).and_then(Option::as_ref);
        out.extend(values.iter().enumerate().filter(|(_, v)| Some(*v) != now).map(|(v, _)| Step::Fact(f, v)));
    }
    let day = search.shared.base.day(search.at);
    let seated = day.seated.get(search.engine.committee_of(search.proposal)).map_or(&[][..], Vec::as_slice);
    out.extend(seated.iter().map(|&m| Step::Consent(m)));
    out
}
