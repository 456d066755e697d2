//! The decision engine: a validated, compiled scenario that decides proposals over time.
//!
//! [`Engine::new`] checks a [`Scenario`] (every problem at once), compiles its positions and
//! groups its proposals for fast evaluation. [`Engine::apply`] takes the scenario one
//! [`crate::Change`] further, with the same checks. [`Engine::evaluate`] gives an
//! [`Evaluation`]: every proposal's decision on a date, taken on its procedure's timing and never
//! reopened, or its outcome while it is open, with every member's stance and the reasons.
//! What-if runs ([`Evaluation::what_if`]) decide again in a world where some facts had other
//! values throughout; the scenario is never modified.

mod apply;
mod baseline;
pub(crate) mod calendar;
mod checks;
mod classes;
mod conditions;
mod decision;
mod evaluation;
mod history;
pub(crate) mod linkage;
mod timing;
mod unblock;
mod world;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use cedar_policy::{Entities, Validator};

pub use apply::Refused;
pub use baseline::Baseline;
pub use conditions::LiftsWhen;
pub use decision::{Cause, Decision, EvalIssue, MemberStance, Objection, OutcomeChange, PositionShift, Tally};
pub use evaluation::{Evaluation, FactSet, Observation, WhatIfError};
pub use history::{History, OutcomeStep, StanceStep};
pub use timing::{How, LinkRead, Taken};
pub use unblock::{Lever, LeverCount, Levers, Lifting, Unblock, UnblockError};

use crate::cedar::position::{self, CompiledPosition};
use crate::cedar::schema::{self, ValueType};
use crate::cedar::world::Names;
use crate::date::Date;
use crate::model::{Rule, Scenario, Seats};
use crate::problem::{Problem, Site, Table};
use crate::rules::CompiledRule;
use crate::validate::{self, Index};
use classes::{ClassTable, Codes};

/// A committee ready to decide.
#[derive(Debug, Clone)]
struct CompiledCommittee {
    /// Member indices of its seats.
    seats: Vec<usize>,
    rule: CompiledRule,
}

/// A scenario checked and compiled for decisions.
#[derive(Debug, Clone)]
pub struct Engine {
    scenario: Scenario,
    index: Index,
    names: Names,
    committees: Vec<CompiledCommittee>,
    /// Committee index of every proposal.
    proposal_committee: Vec<usize>,
    positions: Vec<CompiledPosition>,
    /// Member index of every position.
    position_member: Vec<usize>,
    positions_by_member: Vec<Vec<usize>>,
    /// Vote indices of every proposal, by date then file order.
    votes_by_proposal: Vec<Vec<usize>>,
    /// Member index of every vote.
    vote_member: Vec<usize>,
    /// Observation indices of every fact id, in file order.
    facts_by_id: BTreeMap<String, Vec<usize>>,
    fact_types: BTreeMap<String, ValueType>,
    /// Class tables, shared by positions that read the same things.
    tables: Vec<ClassTable>,
    /// Class table of every position.
    position_table: Vec<usize>,
    /// Every proposal's attributes as codes, to put a new proposal in its classes.
    codes: Codes,
    /// Every proposal attribute's type, first proposal and count.
    attrs: validate::AttributeShapes,
    /// Partners, and every proposal that represents a class.
    entities: Entities,
    /// The recorded decision of every proposal, if any (index into the scenario's decisions).
    record_of: Vec<Option<usize>>,
    /// The extensions of every proposal, by date then file order.
    extensions_of: Vec<Vec<usize>>,
    /// The proposal that supersedes each proposal (the first circulated), if any.
    superseded_by: Vec<Option<usize>>,
    /// The facts over time as the scenario has them.
    world: Arc<world::World>,
    /// What linked positions read, and the proposals' strata.
    links: linkage::Links,
    /// The outcomes linked positions read, kept from one evaluation to the next until a change.
    outcome_memo: Arc<timing::OutcomeMemo>,
    /// Days looked at and verdicts computed so far: shared by every evaluation of the scenario as
    /// it is, kept while votes, decisions and deadlines change, and made anew when facts or
    /// positions do.
    days: Arc<world::Days>,
    /// What questions of what it would take share, worked out on the first (a change to the
    /// engine starts it again).
    prepared: std::sync::OnceLock<Arc<unblock::Prepared>>,
}

fn internal(message: impl Into<String>) -> Vec<Problem> {
    vec![Problem::new(Site::entry(Table::Root, 0), message)]
}

/// The stances and outcomes a position names that the scenario does not have.
fn unknown_links(compiled: &CompiledPosition, index: &Index, i: usize, id: &str) -> Vec<Problem> {
    let site = || Site::field(Table::Position, i, "policy");
    let members = compiled.reads.stances.iter().filter(|m| !index.members.contains_key(*m)).map(|m| {
        let mut problem = Problem::new(site(), format!("the policy reads the stance of `{m}`, which is not a member"))
            .with_entry_id(Some(id));
        problem.help = Some("`context.stances` holds the stances of members, by member id".to_owned());
        problem
    });
    let proposals = compiled.reads.outcomes.iter().filter(|p| !index.proposals.contains_key(*p)).map(|p| {
        let mut problem =
            Problem::new(site(), format!("the policy reads the outcome of `{p}`, which is not a proposal"))
                .with_entry_id(Some(id));
        problem.help = Some("`context.outcomes` holds the outcomes of proposals, by proposal id".to_owned());
        problem
    });
    members.chain(proposals).collect()
}

impl Engine {
    /// Checks and compiles a scenario. Returns every problem found, in no particular order.
    pub fn new(scenario: Scenario) -> Result<Engine, Vec<Problem>> {
        let (index, mut shapes, attrs, mut problems) = validate::check(&scenario);
        // The stances and outcomes positions read by name enter the schema: read once without
        // it, only where the text may name them.
        for p in &scenario.positions {
            if (p.policy.contains("stances") || p.policy.contains("outcomes"))
                && let Ok(read) = position::compile(&p.policy, &p.member, None)
            {
                shapes.stances.extend(read.reads.stances);
                shapes.outcomes.extend(read.reads.outcomes);
            }
        }
        let schema = schema::build(&shapes).map_err(internal)?;
        let validator = Validator::new(schema);
        let mut positions = Vec::with_capacity(scenario.positions.len());
        for (i, p) in scenario.positions.iter().enumerate() {
            match position::compile(&p.policy, &p.member, Some(&validator)) {
                Ok(compiled) => {
                    problems.extend(unknown_links(&compiled, &index, i, &p.id));
                    positions.push(compiled);
                }
                Err(errs) => {
                    for e in errs {
                        let mut problem = Problem::new(Site::field(Table::Position, i, "policy"), e.message)
                            .with_entry_id(Some(&p.id))
                            .with_inner(e.range);
                        problem.help = e.help;
                        problems.push(problem);
                    }
                }
            }
        }
        if scenario.as_of.is_none() && problems.is_empty() {
            problems.push(Problem::new(Site::entry(Table::Scenario, 0), "missing field `as_of`"));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let names = Names::new().map_err(internal)?;
        let member_count = scenario.members.len();
        let member_of = |id: &str| index.members.get(id).copied().unwrap_or(0);

        let committees = scenario
            .committees
            .iter()
            .map(|c| {
                let seats: Vec<usize> = match &c.members {
                    Seats::All => (0..member_count).collect(),
                    Seats::Listed(ids) => ids.iter().map(|id| member_of(id)).collect(),
                };
                let weights: Vec<_> = match c.rule.weight() {
                    Some(w) => scenario.members.iter().map(|m| m.weights.get(w).copied()).collect(),
                    None => Vec::new(),
                };
                let mut veto = vec![false; member_count];
                if let Rule::Veto { veto: ids, .. } = &c.rule {
                    for id in ids {
                        if let Some(slot) = veto.get_mut(member_of(id)) {
                            *slot = true;
                        }
                    }
                }
                CompiledCommittee { seats, rule: CompiledRule::new(c.rule.clone(), &weights, veto) }
            })
            .collect();
        let proposal_committee =
            scenario.proposals.iter().map(|p| index.committees.get(&p.committee).copied().unwrap_or(0)).collect();

        let position_member: Vec<usize> = scenario.positions.iter().map(|p| member_of(&p.member)).collect();
        let mut positions_by_member = vec![Vec::new(); member_count];
        for (pos, &m) in position_member.iter().enumerate() {
            if let Some(list) = positions_by_member.get_mut(m) {
                list.push(pos);
            }
        }

        let vote_member: Vec<usize> = scenario.votes.iter().map(|v| member_of(&v.member)).collect();
        let mut votes_by_proposal = vec![Vec::new(); scenario.proposals.len()];
        for (i, v) in scenario.votes.iter().enumerate() {
            if let Some(list) = index.proposals.get(&v.proposal).and_then(|&p| votes_by_proposal.get_mut(p)) {
                list.push(i);
            }
        }
        for list in &mut votes_by_proposal {
            list.sort_by_key(|&i| (scenario.votes.get(i).map(|v| v.at), i));
        }

        let mut facts_by_id: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, f) in scenario.facts.iter().enumerate() {
            facts_by_id.entry(f.id.clone()).or_default().push(i);
        }

        // Group proposals once per distinct projection that some position reads.
        let codes = Codes::new(&scenario.proposals, &index.partners);
        let mut tables = Vec::new();
        let mut table_of_reads = HashMap::new();
        let mut position_table = Vec::with_capacity(positions.len());
        for p in &positions {
            let t = *table_of_reads.entry(p.reads.resource.clone()).or_insert_with(|| {
                tables.push(codes.classes(&p.reads.resource));
                tables.len() - 1
            });
            position_table.push(t);
        }
        let mut reps: Vec<usize> = tables.iter().flat_map(|t| t.reps.iter().copied()).collect();
        reps.sort_unstable();
        reps.dedup();
        let mut entities = Vec::with_capacity(scenario.members.len() + scenario.partners.len() + reps.len());
        for m in &scenario.members {
            entities.push(names.member_entity(m).map_err(internal)?);
        }
        for p in &scenario.partners {
            entities.push(names.partner_entity(p).map_err(internal)?);
        }
        for &r in &reps {
            if let Some(p) = scenario.proposals.get(r) {
                entities.push(names.proposal_entity(p).map_err(internal)?);
            }
        }
        let entities = Entities::from_entities(entities, None).map_err(|e| internal(e.to_string()))?;
        let proposal_index = |id: &str| index.proposals.get(id).copied();
        let mut record_of = vec![None; scenario.proposals.len()];
        for (i, d) in scenario.decisions.iter().enumerate() {
            if let Some(slot) = proposal_index(&d.proposal).and_then(|p| record_of.get_mut(p)) {
                slot.get_or_insert(i);
            }
        }
        let mut extensions_of = vec![Vec::new(); scenario.proposals.len()];
        for (i, x) in scenario.extensions.iter().enumerate() {
            if let Some(list) = proposal_index(&x.proposal).and_then(|p| extensions_of.get_mut(p)) {
                list.push(i);
            }
        }
        for list in &mut extensions_of {
            list.sort_by_key(|&i| (scenario.extensions.get(i).map(|x| x.on), i));
        }
        let mut superseded_by: Vec<Option<usize>> = vec![None; scenario.proposals.len()];
        for (i, p) in scenario.proposals.iter().enumerate() {
            let Some(old) = p.supersedes.as_deref().and_then(proposal_index) else { continue };
            let circulated = |j: usize| scenario.proposals.get(j).and_then(|q| q.circulated);
            if let Some(slot) = superseded_by.get_mut(old)
                && slot.is_none_or(|j| circulated(i) < circulated(j))
            {
                *slot = Some(i);
            }
        }

        let linked: Vec<(usize, Vec<linkage::LinkedPolicy>)> = positions
            .iter_mut()
            .enumerate()
            .filter(|(_, p)| !p.linked.is_empty())
            .map(|(i, p)| (i, std::mem::take(&mut p.linked)))
            .collect();
        let mut engine = Engine {
            links: linkage::Links::default(),
            outcome_memo: Arc::default(),
            fact_types: shapes.facts,
            scenario,
            index,
            names,
            committees,
            proposal_committee,
            positions,
            position_member,
            positions_by_member,
            votes_by_proposal,
            vote_member,
            facts_by_id,
            tables,
            position_table,
            codes,
            attrs,
            entities,
            record_of,
            extensions_of,
            superseded_by,
            world: Arc::new(world::World::empty()),
            days: Arc::default(),
            prepared: std::sync::OnceLock::new(),
        };
        engine.links = engine.link(linked)?;
        engine.refresh();
        let problems = engine.check_timing();
        if problems.is_empty() { Ok(engine) } else { Err(problems) }
    }

    /// Starts the facts over time and the cache of days again, after facts or positions changed.
    fn refresh(&mut self) {
        self.world = Arc::new(world::World::new(self, BTreeMap::new()));
        self.days = Arc::default();
        self.prepared = std::sync::OnceLock::new();
    }

    /// The scenario, as given.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The scenario's default evaluation date.
    pub fn as_of(&self) -> Date {
        self.scenario.as_of.unwrap_or(Date::FIRST)
    }

    /// The index of a proposal by id.
    pub fn proposal_index(&self, id: &str) -> Option<usize> {
        self.index.proposals.get(id).copied()
    }

    /// The index of a member by id.
    pub fn member_index(&self, id: &str) -> Option<usize> {
        self.index.members.get(id).copied()
    }

    /// The index of a committee by id.
    pub fn committee_index(&self, id: &str) -> Option<usize> {
        self.index.committees.get(id).copied()
    }

    /// The seats of a proposal's committee, whatever the date (member indices).
    pub(crate) fn seats_of(&self, proposal: usize) -> &[usize] {
        self.committees.get(self.committee_of(proposal)).map_or(&[][..], |c| c.seats.as_slice())
    }

    /// The members seated on a committee on a date: its seats, less members not yet joined.
    pub fn seated(&self, committee: usize, at: Date) -> Vec<usize> {
        let Some(c) = self.committees.get(committee) else { return Vec::new() };
        c.seats
            .iter()
            .copied()
            .filter(|&m| self.scenario.members.get(m).and_then(|m| m.joined).is_none_or(|joined| joined <= at))
            .collect()
    }

    /// The committee index of a proposal.
    pub fn committee_of(&self, proposal: usize) -> usize {
        self.proposal_committee.get(proposal).copied().unwrap_or(0)
    }

    /// The fact ids a position reads by name, and whether it reads every fact.
    pub fn position_reads(&self, position: usize) -> (Vec<&str>, bool) {
        match self.positions.get(position) {
            Some(p) => (p.reads.facts.iter().map(String::as_str).collect(), p.reads.all_facts),
            None => (Vec::new(), false),
        }
    }

    /// The type of a fact, as its observations have it.
    pub fn fact_type(&self, id: &str) -> Option<&'static str> {
        self.fact_types.get(id).map(|t| match t {
            ValueType::Bool => "boolean",
            ValueType::Long => "integer",
            ValueType::Decimal => "decimal",
            ValueType::String => "string",
        })
    }

    /// Whether a member's objection alone prevents adoption by a committee: under consensus and
    /// unanimity every member's does; under a veto rule, a veto holder's.
    pub fn is_veto(&self, committee: usize, member: usize) -> bool {
        let Some(c) = self.scenario.committees.get(committee) else { return false };
        match &c.rule {
            Rule::Consensus { disregard: None } | Rule::Unanimity { .. } => true,
            // The objection of a member concerned counts for nothing; any other member's blocks.
            Rule::Consensus { disregard: Some(_) } => true,
            Rule::Veto { veto, .. } => self.scenario.members.get(member).is_some_and(|m| veto.contains(&m.id)),
            Rule::Majority { .. } | Rule::Qualified { .. } | Rule::Weighted { .. } => false,
        }
    }

    /// A committee's rule as a simple game among the members seated on a date.
    pub fn committee_game(&self, committee: usize, at: Date) -> Result<crate::power::Game, crate::power::GameError> {
        self.game_of(committee, at, &[])
    }

    /// A committee's game among the members seated on a date, with `concerned` (member ids) as
    /// dummies where its rule disregards them.
    fn game_of(
        &self,
        committee: usize,
        at: Date,
        concerned: &[&str],
    ) -> Result<crate::power::Game, crate::power::GameError> {
        let members: Vec<&crate::model::Member> =
            self.seated(committee, at).into_iter().filter_map(|m| self.scenario.members.get(m)).collect();
        let rule = self.scenario.committees.get(committee).map_or(&Rule::CONSENSUS, |c| &c.rule);
        crate::power::Game::from_rule_disregarding(rule, &members, concerned)
    }

    /// The members concerned by a proposal whose objections its committee's rule disregards
    /// (`disregard = "concerned"`), by member index; empty under every other rule.
    pub fn disregarded(&self, proposal: usize) -> Vec<usize> {
        let committee = self.committee_of(proposal);
        let disregards = matches!(
            self.scenario.committees.get(committee).map(|c| &c.rule),
            Some(Rule::Consensus { disregard: Some(_) })
        );
        if !disregards {
            return Vec::new();
        }
        let concerned = self.scenario.proposals.get(proposal).map_or(&[][..], |p| p.concerned.as_slice());
        concerned.iter().filter_map(|id| self.member_index(id)).collect()
    }

    /// A proposal's game: its committee's rule among the members seated on a date, with the
    /// members concerned as dummies where the rule disregards them.
    pub fn proposal_game(&self, proposal: usize, at: Date) -> Result<crate::power::Game, crate::power::GameError> {
        let concerned: Vec<&str> = self
            .disregarded(proposal)
            .into_iter()
            .filter_map(|m| self.scenario.members.get(m).map(|m| m.id.as_str()))
            .collect();
        self.game_of(self.committee_of(proposal), at, &concerned)
    }

    /// How many distinct Cedar evaluations a full decision needs (one per position and class).
    pub fn evaluations_needed(&self) -> usize {
        self.position_table.iter().filter_map(|&t| self.tables.get(t)).map(|t| t.reps.len()).sum()
    }
}
