//! The facts over time, as they are or in a counterfactual, and what positions say on each day.
//!
//! A [`World`] is the scenario's observations of facts, possibly with some facts replaced by a
//! what-if value that held throughout. It knows, for every position, the dates on which what the
//! position reads can change (an observation starting or ending, the position coming into force
//! or being withdrawn), so that time can be walked from one such date to the next instead of day
//! by day.
//!
//! A [`Days`] cache holds, for each date looked at, the facts in force and every position's
//! verdict on every class of proposals. Verdicts are computed once per position and distinct
//! values of the facts it reads, so a position evaluated on a hundred deadlines whose facts are
//! the same is evaluated by Cedar once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use cedar_policy::{Authorizer, Context, Request};

use super::Engine;
use super::calendar::Calendar;
use super::evaluation::{FactSet, Observation};
use crate::cedar::reads::as_date;
use crate::cedar::world;
use crate::date::Date;
use crate::model::Value;

/// What a position says of one class of proposals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Silent,
    Forbids,
    Error(Arc<str>),
}

/// The facts over time: the scenario's observations, with some facts held at a what-if value.
#[derive(Debug)]
pub(crate) struct World {
    /// Facts held at one value throughout (a what-if), by id.
    pub(crate) overrides: BTreeMap<String, Value>,
    /// For every position, the sorted dates on which its verdicts can change, but for the days
    /// its `like` patterns start or stop matching the date.
    changes: Vec<Vec<Date>>,
    /// For every position that reads the date with `like` patterns, when they match.
    calendars: Vec<Option<Calendar>>,
}

impl World {
    /// A world with no facts and no positions, until the engine is built.
    pub(crate) fn empty() -> World {
        World { overrides: BTreeMap::new(), changes: Vec::new(), calendars: Vec::new() }
    }

    /// The world of the scenario, with `overrides` held throughout.
    pub(crate) fn new(engine: &Engine, overrides: BTreeMap<String, Value>) -> World {
        // The dates on which each fact's observation in force can change.
        let mut fact_changes: BTreeMap<&str, Vec<Date>> = BTreeMap::new();
        for f in &engine.scenario.facts {
            if overrides.contains_key(&f.id) {
                continue;
            }
            let dates = fact_changes.entry(f.id.as_str()).or_default();
            dates.push(f.known_from());
            dates.extend(f.valid_until.and_then(Date::next));
        }
        let all: Vec<Date> = fact_changes.values().flatten().copied().collect();
        // The strings of the world that are dates: a position that reads the date can compare it
        // with them.
        let reads_date = engine.positions.iter().any(|p| p.reads.date);
        let world_dates: BTreeSet<Date> = if reads_date { dates_in(engine, &overrides) } else { BTreeSet::new() };
        let changes = engine
            .scenario
            .positions
            .iter()
            .zip(&engine.positions)
            .map(|(position, compiled)| {
                let mut dates: Vec<Date> = if compiled.reads.all_facts {
                    all.clone()
                } else {
                    compiled
                        .reads
                        .facts
                        .iter()
                        .filter_map(|id| fact_changes.get(id.as_str()))
                        .flatten()
                        .copied()
                        .collect()
                };
                dates.extend(position.since);
                dates.extend(position.recorded);
                dates.extend(position.withdrawn);
                if compiled.reads.date {
                    // The date starts and stops being equal to one of these.
                    for &d in world_dates.iter().chain(&compiled.reads.dates) {
                        dates.push(d);
                        dates.extend(d.next());
                    }
                }
                dates.sort_unstable();
                dates.dedup();
                dates
            })
            .collect();
        let calendars = engine
            .positions
            .iter()
            .map(|p| if p.reads.date { Calendar::new(p.reads.patterns.clone()) } else { None })
            .collect();
        World { overrides, changes, calendars }
    }

    /// The first date in `after+1 ..= until` on which a position's verdict can change, or the first
    /// such date after `until` when it is known without looking at the date.
    pub(crate) fn next_change(&self, position: usize, after: Date, until: Date) -> Option<Date> {
        let fixed =
            self.changes.get(position).and_then(|dates| dates.get(dates.partition_point(|&d| d <= after)).copied());
        let calendar = self.calendars.get(position).and_then(Option::as_ref);
        let by_date = calendar.and_then(|c| c.next_change(after, fixed.map_or(until, |f| f.min(until))));
        by_date.or(fixed)
    }

    /// The dates in `from..=to` on which a position's verdict can change.
    pub(crate) fn changes_between(&self, position: usize, from: Date, to: Date) -> Vec<Date> {
        let Some(dates) = self.changes.get(position) else { return Vec::new() };
        let start = dates.partition_point(|&d| d < from);
        let mut out: Vec<Date> = dates.iter().skip(start).take_while(|&&d| d <= to).copied().collect();
        if let Some(calendar) = self.calendars.get(position).and_then(Option::as_ref) {
            out.extend(calendar.changes_between(from, to));
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// The facts in force on a date, per contract §1: for each fact, the observation known and
    /// holding on `at` with the latest `as_of` (then the latest recorded, then the last written).
    /// A what-if fact holds its value throughout.
    pub(crate) fn facts_at(&self, engine: &Engine, at: Date) -> FactSet {
        let mut out = BTreeMap::new();
        for (id, observations) in &engine.facts_by_id {
            if self.overrides.contains_key(id) {
                continue;
            }
            let best = observations
                .iter()
                .filter_map(|&i| engine.scenario.facts.get(i))
                .filter(|f| f.holds_on(at))
                .max_by_key(|f| (f.as_of, f.known_from()));
            if let Some(f) = best {
                out.insert(
                    id.clone(),
                    Observation { value: f.value.clone(), as_of: f.as_of, source: f.source.clone() },
                );
            }
        }
        for (id, value) in &self.overrides {
            out.insert(
                id.clone(),
                Observation { value: value.clone(), as_of: Date::FIRST, source: "what-if".to_owned() },
            );
        }
        FactSet::from_map(out)
    }
}

/// A position's verdicts on every class of proposals for one set of values of the facts it
/// reads, each computed the first time it is asked for.
#[derive(Debug)]
pub(crate) struct Verdicts {
    /// The context they are computed in (any day with those values gives the same answers).
    context: Arc<Result<Context, String>>,
    cells: Vec<OnceLock<Verdict>>,
}

impl Verdicts {
    /// The verdict on one class.
    pub(crate) fn get(&self, engine: &Engine, position: usize, class: usize) -> Option<Verdict> {
        let cell = self.cells.get(class)?;
        Some(
            cell.get_or_init(|| match self.context.as_ref() {
                Ok(context) => {
                    let rep = engine
                        .position_table
                        .get(position)
                        .and_then(|&t| engine.tables.get(t))
                        .and_then(|t| t.reps.get(class));
                    rep.map_or(Verdict::Silent, |&rep| engine.verdict_on(position, rep, class, context))
                }
                Err(e) => Verdict::Error(Arc::from(e.as_str())),
            })
            .clone(),
        )
    }

    /// How many verdicts were computed.
    fn computed(&self) -> usize {
        self.cells.iter().filter(|c| c.get().is_some()).count()
    }
}

/// One day: the facts in force and every position's verdicts.
#[derive(Debug)]
pub(crate) struct Day {
    pub(crate) facts: FactSet,
    /// For every position: `None` when not in force or linked (its verdicts depend on the
    /// stances and outcomes it reads as well: [`Days::linked`]), else its verdicts.
    pub(crate) verdicts: Vec<Option<Arc<Verdicts>>>,
    /// Whether every position is in force.
    pub(crate) in_force: Vec<bool>,
    /// The members seated on every committee.
    pub(crate) seated: Vec<Vec<usize>>,
}

/// A position's verdicts depend on its id, the values of the facts it reads, for a position
/// that reads `context.date` the date, and for a linked position the stances and outcomes it
/// reads (in the order of [`super::linkage::PositionLinks`]: members, then proposals).
type VerdictKey = (usize, Option<Date>, Vec<Option<Value>>, Vec<Option<&'static str>>);

/// The most days kept: past it, the days are forgotten (the verdicts are kept).
const MAX_DAYS: usize = 4096;
/// The most sets of verdicts kept (positions that read the date make one a day): past it, they
/// are forgotten and computed again when asked for.
const MAX_VERDICTS: usize = 65_536;

/// Days looked at, and verdicts computed, in one world. It holds no votes, decisions or deadlines,
/// so it stays right while those change; a change to facts or positions needs a new one.
#[derive(Debug, Default)]
pub(crate) struct Days {
    days: Mutex<HashMap<Date, Arc<Day>>>,
    verdicts: Mutex<HashMap<VerdictKey, Arc<Verdicts>>>,
    /// Verdicts found in the parent's chain, kept here so that the next day finds them at once
    /// (not counted as evaluations of this cache).
    found: Mutex<HashMap<VerdictKey, Arc<Verdicts>>>,
    /// The cache this one started from, whose verdicts it reads: a verdict depends on nothing
    /// but its key, so a set of verdicts computed in one world holds in any other.
    parent: Option<Arc<Days>>,
    /// The evaluations made in the parent's chain when this one started from it.
    inherited: usize,
}

impl Days {
    /// A cache that reads the verdicts of `other` and keeps its own: a world with other facts,
    /// where the positions that read none of them (or read them at values seen before) are
    /// not evaluated again.
    pub(crate) fn sharing(other: &Arc<Days>) -> Days {
        Days { inherited: other.total(), ..Days::reading(other) }
    }

    /// As [`Days::sharing`], without counting the evaluations of `other` first (its
    /// [`Days::evaluations`] then counts theirs too): for the many worlds of a search, which
    /// never report the count.
    pub(crate) fn reading(other: &Arc<Days>) -> Days {
        Days { parent: Some(Arc::clone(other)), ..Days::default() }
    }

    /// How many Cedar evaluations were made for this cache (not counting those of the cache it
    /// started from): one per position, class and distinct values of the facts it reads.
    pub(crate) fn evaluations(&self) -> usize {
        self.total().saturating_sub(self.inherited)
    }

    /// The evaluations made in this cache and the chain it started from.
    fn total(&self) -> usize {
        let own: usize =
            self.verdicts.lock().unwrap_or_else(PoisonError::into_inner).values().map(|v| v.computed()).sum();
        own + self.parent.as_ref().map_or(0, |p| p.total())
    }

    /// The verdicts of a key, here or in the chain this cache started from.
    fn find(&self, key: &VerdictKey) -> Option<Arc<Verdicts>> {
        if let Some(v) = self.verdicts.lock().unwrap_or_else(PoisonError::into_inner).get(key) {
            return Some(Arc::clone(v));
        }
        let parent = self.parent.as_ref()?;
        if let Some(v) = self.found.lock().unwrap_or_else(PoisonError::into_inner).get(key) {
            return Some(Arc::clone(v));
        }
        let v = parent.find(key)?;
        let mut found = self.found.lock().unwrap_or_else(PoisonError::into_inner);
        if found.len() >= MAX_VERDICTS {
            found.clear();
        }
        found.insert(key.clone(), Arc::clone(&v));
        Some(v)
    }

    /// The day `at` in `world`.
    pub(crate) fn day(&self, engine: &Engine, world: &World, at: Date) -> Arc<Day> {
        if let Some(day) = self.days.lock().unwrap_or_else(PoisonError::into_inner).get(&at) {
            return Arc::clone(day);
        }
        let facts = world.facts_at(engine, at);
        let mut context: Option<Arc<Result<Context, String>>> = None;
        let in_force: Vec<bool> = engine.scenario.positions.iter().map(|p| p.in_force(at)).collect();
        let verdicts = (0..engine.positions.len())
            .map(|pos| {
                if !in_force.get(pos).copied().unwrap_or(false) || engine.links.of(pos).is_some() {
                    return None;
                }
                let key = self.key(engine, &facts, pos, at, Vec::new());
                if let Some(v) = self.find(&key) {
                    return Some(v);
                }
                let context = Arc::clone(
                    context
                        .get_or_insert_with(|| Arc::new(world::context(facts.iter().map(|(k, o)| (k, &o.value)), at))),
                );
                let classes =
                    engine.position_table.get(pos).and_then(|&t| engine.tables.get(t)).map_or(0, |t| t.reps.len());
                let verdicts = Arc::new(Verdicts { context, cells: (0..classes).map(|_| OnceLock::new()).collect() });
                let mut cache = self.verdicts.lock().unwrap_or_else(PoisonError::into_inner);
                if cache.len() >= MAX_VERDICTS {
                    cache.clear();
                }
                Some(Arc::clone(cache.entry(key).or_insert(verdicts)))
            })
            .collect();
        let seated = (0..engine.committees.len()).map(|c| engine.seated(c, at)).collect();
        let day = Arc::new(Day { facts, verdicts, in_force, seated });
        let mut days = self.days.lock().unwrap_or_else(PoisonError::into_inner);
        if days.len() >= MAX_DAYS {
            days.clear();
        }
        days.insert(at, Arc::clone(&day));
        day
    }

    fn key(
        &self,
        engine: &Engine,
        facts: &FactSet,
        pos: usize,
        at: Date,
        linked: Vec<Option<&'static str>>,
    ) -> VerdictKey {
        let Some(reads) = engine.positions.get(pos).map(|p| &p.reads) else {
            return (pos, None, Vec::new(), linked);
        };
        let values = if reads.all_facts {
            facts.iter().map(|(_, o)| Some(o.value.clone())).collect()
        } else {
            reads.facts.iter().map(|id| facts.get(id).map(|o| o.value.clone())).collect()
        };
        (pos, reads.date.then_some(at), values, linked)
    }

    /// A linked position's verdicts on a day, with these values of the stances and outcomes it
    /// reads (None where absent: a member not seated, a proposal not before its committee).
    pub(crate) fn linked(
        &self,
        engine: &Engine,
        day: &Day,
        pos: usize,
        at: Date,
        linked: Vec<Option<&'static str>>,
    ) -> Arc<Verdicts> {
        let key = self.key(engine, &day.facts, pos, at, linked);
        if let Some(v) = self.find(&key) {
            return v;
        }
        let links = engine.links.of(pos);
        let named =
            |ids: &[usize], names: &dyn Fn(usize) -> Option<String>, from: usize| -> Vec<(String, &'static str)> {
                ids.iter().enumerate().filter_map(|(i, &x)| Some((names(x)?, (*key.3.get(from + i)?)?))).collect()
            };
        let (members, proposals) = links.map_or((&[][..], &[][..]), |l| (l.members.as_slice(), l.proposals.as_slice()));
        let member_id = |m: usize| engine.scenario.members.get(m).map(|m| m.id.clone());
        let proposal_id = |p: usize| engine.scenario.proposals.get(p).map(|p| p.id.clone());
        let stances = named(members, &member_id, 0);
        let outcomes = named(proposals, &proposal_id, members.len());
        let context =
            Arc::new(world::linked_context(day.facts.iter().map(|(k, o)| (k, &o.value)), at, &stances, &outcomes));
        let classes = engine.position_table.get(pos).and_then(|&t| engine.tables.get(t)).map_or(0, |t| t.reps.len());
        let verdicts = Arc::new(Verdicts { context, cells: (0..classes).map(|_| OnceLock::new()).collect() });
        let mut cache = self.verdicts.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= MAX_VERDICTS {
            cache.clear();
        }
        Arc::clone(cache.entry(key).or_insert(verdicts))
    }
}

/// The strings of the facts (as observed or held in a what-if) and of the proposals that are
/// dates.
fn dates_in(engine: &Engine, overrides: &BTreeMap<String, Value>) -> BTreeSet<Date> {
    let facts = engine.scenario.facts.iter().map(|f| &f.value).chain(overrides.values());
    let attributes = engine.scenario.proposals.iter().flat_map(|p| p.attributes.values().flat_map(|a| a.values()));
    let values = facts.chain(attributes).filter_map(|v| match v {
        Value::String(s) => Some(s.as_str()),
        _ => None,
    });
    let kinds = engine.scenario.proposals.iter().map(|p| p.kind.as_str());
    values.chain(kinds).filter_map(as_date).collect()
}

impl Engine {
    /// A position's verdict on the representative of one of its classes.
    pub(crate) fn verdict_on(&self, position: usize, rep: usize, class: usize, context: &Context) -> Verdict {
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
        let response =
            compiled.with_stack(|| Authorizer::new().is_authorized(&request, &compiled.policies, &self.entities));
        if response.diagnostics().reason().next().is_some() {
            return Verdict::Forbids;
        }
        // A linked policy whose guard fails on this class cannot forbid: what it could not read
        // there does not matter.
        let links = self.links.of(position);
        let errors: Vec<String> = response
            .diagnostics()
            .errors()
            .filter(|e| {
                let cedar_policy::AuthorizationError::PolicyEvaluationError(e) = e;
                links.is_none_or(|l| l.counts(class, e.policy_id()))
            })
            .map(|e| e.to_string())
            .collect();
        if errors.is_empty() { Verdict::Silent } else { Verdict::Error(errors.join("; ").into()) }
    }
}
