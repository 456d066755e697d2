//! Property tests of the decision engine on random scenarios built through the public model:
//! 1 to 8 members (some not yet joined), one committee per rule kind, random proposals, votes,
//! boolean facts and positions made from Cedar templates. Each property is a promise of the
//! contract (§1–2) that must hold whatever the scenario.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::collections::BTreeMap;

use concord_core::{
    Cause, Committee, Date, Decimal, Engagement, Engine, Fact, Framework, Member, Outcome, Partner, Position, Proposal,
    Quota, Rule, Scenario, Seats, Stance, Value, Vote, VoteStance,
};
use proptest::prelude::*;

/// The committees, one per rule kind (and both kinds of weighted quota), by index.
const COMMITTEES: [&str; 7] =
    ["C-consensus", "C-unanimity", "C-majority", "C-qualified", "C-weighted", "C-weighted-abs", "C-veto"];
const CONSENSUS: usize = 0;
const UNANIMITY: usize = 1;
const VETO: usize = 6;

/// Boolean facts read by positions, each observed once in force on the evaluation date.
const FACTS: usize = 4;
const PARTNERS: usize = 3;
const TEMPLATES: u8 = 10;

fn date(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

/// The evaluation date.
fn day() -> Date {
    date(2025, 6, 15)
}

fn dec(text: &str) -> Decimal {
    Decimal::parse(text).unwrap()
}

#[derive(Clone, Debug)]
struct ProposalSpec {
    committee: usize,
    partners: u8,
    new: bool,
    exercise: bool,
    size: i64,
    circulated: u8,
    deadline: u8,
}

#[derive(Clone, Debug)]
struct PositionSpec {
    member: usize,
    template: u8,
    fact: usize,
    partner: usize,
    since: u8,
}

#[derive(Clone, Debug)]
struct VoteSpec {
    proposal: usize,
    member: usize,
    stance: u8,
    day: u8,
}

/// A random scenario, in indices; [`Spec::scenario`] turns it into the model.
#[derive(Clone, Debug)]
struct Spec {
    weights: Vec<i64>,
    joined: Vec<u8>,
    facts: Vec<bool>,
    eop: Vec<bool>,
    min_yes: usize,
    two_vetoes: bool,
    blocking_min: Option<u32>,
    quota: i64,
    proposals: Vec<ProposalSpec>,
    positions: Vec<PositionSpec>,
    votes: Vec<VoteSpec>,
    /// Free choices for the properties (which member, which value).
    pick: Vec<usize>,
}

fn proposal_spec() -> impl Strategy<Value = ProposalSpec> {
    (0..COMMITTEES.len(), 0u8..8, any::<bool>(), any::<bool>(), 0i64..5, 0u8..4, 0u8..4).prop_map(
        |(committee, partners, new, exercise, size, circulated, deadline)| ProposalSpec {
            committee,
            partners,
            new,
            exercise,
            size,
            circulated,
            deadline,
        },
    )
}

fn position_spec() -> impl Strategy<Value = PositionSpec> {
    (
        any::<usize>(),
        0..TEMPLATES,
        0..FACTS,
        0..PARTNERS,
        prop_oneof![3 => Just(0u8), 1 => Just(1), 1 => Just(2), 1 => Just(3), 1 => Just(4)],
    )
        .prop_map(|(member, template, fact, partner, since)| PositionSpec {
            member,
            template,
            fact,
            partner,
            since,
        })
}

fn vote_spec() -> impl Strategy<Value = VoteSpec> {
    (
        any::<usize>(),
        any::<usize>(),
        0u8..3,
        prop_oneof![3 => Just(0u8), 1 => Just(1), 1 => Just(2), 1 => Just(3), 1 => Just(4)],
    )
        .prop_map(|(proposal, member, stance, day)| VoteSpec { proposal, member, stance, day })
}

fn spec() -> impl Strategy<Value = Spec> {
    let members = (1usize..=8).prop_flat_map(|n| {
        (
            prop::collection::vec(1i64..10, n),
            prop::collection::vec(prop_oneof![4 => Just(0u8), 1 => Just(1), 1 => Just(2)], n),
        )
    });
    (
        members,
        prop::collection::vec(any::<bool>(), FACTS),
        prop::collection::vec(any::<bool>(), PARTNERS),
        (any::<usize>(), any::<bool>(), prop::option::of(1u32..4), 1i64..30),
        prop::collection::vec(proposal_spec(), 1..10),
        prop::collection::vec(position_spec(), 0..7),
        prop::collection::vec(vote_spec(), 0..16),
        prop::collection::vec(any::<usize>(), 8),
    )
        .prop_map(
            |(
                (weights, joined),
                facts,
                eop,
                (min_yes, two_vetoes, blocking_min, quota),
                proposals,
                positions,
                votes,
                pick,
            )| {
                let n = weights.len();
                Spec {
                    weights,
                    joined,
                    facts,
                    eop,
                    min_yes: 1 + min_yes % n,
                    two_vetoes: two_vetoes && n > 1,
                    blocking_min,
                    quota,
                    proposals,
                    positions,
                    votes,
                    pick,
                }
            },
        )
}

fn member_id(i: usize) -> String {
    format!("M{i}")
}

impl Spec {
    fn members(&self) -> usize {
        self.weights.len()
    }

    fn rule(&self, committee: usize) -> Rule {
        match committee {
            0 => Rule::Consensus,
            1 => Rule::Unanimity,
            2 => Rule::Majority { share: dec("0.5") },
            3 => Rule::Qualified {
                members_share: dec("0.55"),
                weight: "w".to_owned(),
                weight_share: dec("0.65"),
                blocking_min: self.blocking_min,
            },
            4 => Rule::Weighted { weight: "w".to_owned(), quota: Quota::Share(dec("0.5")) },
            5 => Rule::Weighted { weight: "w".to_owned(), quota: Quota::Absolute(Decimal::from_int(self.quota)) },
            _ => Rule::Veto { min_yes: self.min_yes as u32, veto: self.vetoes() },
        }
    }

    fn vetoes(&self) -> Vec<String> {
        if self.two_vetoes { vec![member_id(0), member_id(1)] } else { vec![member_id(0)] }
    }

    fn position(&self, i: usize, p: &PositionSpec) -> Position {
        let member = member_id(p.member % self.members());
        let (k, j) = (p.fact, p.partner);
        let policy = match p.template {
            0 => format!("forbid (principal, action, resource) when {{ context.facts.f{k} }};"),
            1 => format!("forbid (principal, action, resource) unless {{ context.facts.f{k} }};"),
            2 => format!(
                "forbid (principal, action, resource) when {{ resource.partners.contains(Partner::\"P{j}\") }};"
            ),
            3 => format!(
                "forbid (principal, action == Action::\"consent\", resource)\n\
                 when {{ resource.partners.contains(Partner::\"P{j}\") && resource.engagement == \"new\" }}\n\
                 unless {{ context.facts.f{k} }};"
            ),
            4 => format!(
                "forbid (principal, action, resource) when {{ resource.kind == \"exercise\" && context.facts.f{k} }};"
            ),
            5 => format!("forbid (principal, action, resource) when {{ resource.attributes.size > {k} }};"),
            6 => format!(
                "forbid (principal, action, resource)\n\
                 when {{ resource.partners.contains(Partner::\"P{j}\") && Partner::\"P{j}\".statuses.contains(\"EOP\") }};"
            ),
            7 => format!(
                "forbid (principal == Member::\"{member}\", action, resource)\n\
                 when {{ resource.committee == \"{}\" }};",
                COMMITTEES[k % COMMITTEES.len()]
            ),
            // Reads a fact that has lapsed by the evaluation date: an evaluation error.
            8 => "forbid (principal, action, resource) when { context.facts.lapsed };".to_owned(),
            _ => format!(
                "// by date\nforbid (principal, action, resource) when {{ context.date like \"2025-06-*\" && context.facts.f{k} }};"
            ),
        };
        // 0: always in force; 1: from the day; 2: from a later date; 3: withdrawn on the day;
        // 4: withdrawn on a later date.
        let (since, withdrawn) = match p.since {
            0 => (None, None),
            1 => (Some(day()), None),
            2 => (Some(date(2025, 6, 20)), None),
            3 => (Some(date(2025, 1, 1)), Some(day())),
            _ => (None, Some(date(2025, 6, 20))),
        };
        Position { id: format!("pos{i}"), member, since, withdrawn, source: format!("source of pos{i}"), policy }
    }

    fn scenario(&self) -> Scenario {
        let n = self.members();
        let members = (0..n)
            .map(|i| Member {
                id: member_id(i),
                name: None,
                joined: match self.joined[i] {
                    0 => None,
                    1 => Some(day()),
                    _ => Some(date(2025, 7, 1)),
                },
                weights: BTreeMap::from([("w".to_owned(), Decimal::from_int(self.weights[i]))]),
            })
            .collect();
        let partners = (0..PARTNERS)
            .map(|j| Partner {
                id: format!("P{j}"),
                name: None,
                frameworks: vec!["F0".to_owned()],
                statuses: if self.eop[j] { vec!["EOP".to_owned()] } else { Vec::new() },
            })
            .collect();
        let committees = COMMITTEES
            .iter()
            .enumerate()
            .map(|(c, id)| Committee { id: (*id).to_owned(), name: None, members: Seats::All, rule: self.rule(c) })
            .collect();
        let observed = date(2025, 1, 1);
        let mut facts: Vec<Fact> = self
            .facts
            .iter()
            .enumerate()
            .map(|(k, &v)| Fact {
                id: format!("f{k}"),
                value: Value::Bool(v),
                as_of: observed,
                source: "wire".to_owned(),
                valid_until: None,
            })
            .collect();
        facts.push(Fact {
            id: "unused".to_owned(),
            value: Value::Bool(true),
            as_of: observed,
            source: "wire".to_owned(),
            valid_until: None,
        });
        facts.push(Fact {
            id: "lapsed".to_owned(),
            value: Value::Bool(true),
            as_of: observed,
            source: "wire".to_owned(),
            valid_until: Some(date(2025, 3, 1)),
        });
        let proposals = self
            .proposals
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let circulated = match p.circulated {
                    0 => None,
                    1 => Some(date(2025, 5, 1)),
                    2 => Some(day()),
                    _ => Some(date(2025, 7, 1)),
                };
                let deadline = match p.deadline {
                    _ if p.circulated == 3 => None,
                    0 => None,
                    1 => Some(date(2025, 6, 1)).filter(|_| p.circulated < 2),
                    2 => Some(day()),
                    _ => Some(date(2025, 6, 30)),
                };
                Proposal {
                    id: format!("p{i}"),
                    title: None,
                    committee: COMMITTEES[p.committee].to_owned(),
                    kind: if p.exercise { "exercise" } else { "statement" }.to_owned(),
                    partners: (0..PARTNERS).filter(|j| p.partners & (1 << j) != 0).map(|j| format!("P{j}")).collect(),
                    engagement: if p.new { Engagement::New } else { Engagement::Continuing },
                    circulated,
                    deadline,
                    attributes: BTreeMap::from([("size".to_owned(), Value::Long(p.size))]),
                }
            })
            .collect();
        let positions = self.positions.iter().enumerate().map(|(i, p)| self.position(i, p)).collect();
        let votes = self
            .votes
            .iter()
            .map(|v| {
                let stance = [VoteStance::Consent, VoteStance::Object, VoteStance::Abstain][usize::from(v.stance)];
                Vote {
                    proposal: format!("p{}", v.proposal % self.proposals.len()),
                    member: member_id(v.member % n),
                    stance,
                    at: match v.day {
                        0 => date(2025, 5, 10),
                        1 => day(),
                        _ => date(2025, 6, 20),
                    },
                    reason: (stance == VoteStance::Object).then(|| "a reason".to_owned()),
                }
            })
            .collect();
        Scenario {
            id: "prop".to_owned(),
            title: None,
            as_of: Some(day()),
            members,
            frameworks: vec![Framework { id: "F0".to_owned(), name: None, since: None }],
            partners,
            committees,
            facts,
            proposals,
            positions,
            votes,
        }
    }
}

#[track_caller]
fn engine(scenario: Scenario) -> Engine {
    Engine::new(scenario).unwrap_or_else(|problems| panic!("the generated scenario is invalid: {problems:#?}"))
}

/// Blocked < pending < adopted: how far a proposal has got.
fn rank(o: Outcome) -> u8 {
    match o {
        Outcome::Blocked => 0,
        Outcome::Pending => 1,
        Outcome::Adopted => 2,
    }
}

fn committee_of(spec: &Spec, proposal: usize) -> usize {
    spec.proposals[proposal].committee
}

/// The outcome the contract (§2) gives a ballot, worked out independently of the engine.
fn expected_outcome(spec: &Spec, committee: usize, ballot: &[(usize, Stance)], deadline: Option<Date>) -> Outcome {
    let reached = deadline.is_some_and(|d| day() >= d);
    let adopts = |silent_consents: bool| {
        let yes_of = |s: Stance| s == Stance::Consent || (silent_consents && s == Stance::Silent);
        let n = ballot.len() as i64;
        let yes = ballot.iter().filter(|(_, s)| yes_of(*s)).count() as i64;
        let total: i64 = ballot.iter().map(|(m, _)| spec.weights[*m]).sum();
        let yes_weight: i64 = ballot.iter().filter(|(_, s)| yes_of(*s)).map(|(m, _)| spec.weights[*m]).sum();
        let objects = ballot.iter().any(|(_, s)| *s == Stance::Object);
        match committee {
            0 => !objects,
            1 => !objects && ballot.iter().all(|(_, s)| yes_of(*s) || *s == Stance::Abstain),
            2 => 2 * yes > n,
            3 => {
                let double = 100 * yes >= 55 * n && 100 * yes_weight >= 65 * total;
                double || spec.blocking_min.is_some_and(|b| n - yes < i64::from(b))
            }
            4 => 2 * yes_weight >= total,
            5 => yes_weight >= spec.quota,
            _ => {
                let vetoes = spec.vetoes();
                let vetoed = ballot.iter().any(|(m, s)| *s == Stance::Object && vetoes.contains(&member_id(*m)));
                yes >= spec.min_yes as i64 && !vetoed
            }
        }
    };
    let adopted = if committee == CONSENSUS {
        let silent = ballot.iter().any(|(_, s)| *s == Stance::Silent);
        adopts(false) && (!silent || deadline.is_none() || reached)
    } else {
        adopts(false)
    };
    if adopted {
        Outcome::Adopted
    } else if reached || !adopts(true) {
        Outcome::Blocked
    } else {
        Outcome::Pending
    }
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 96, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    /// (a) Under consensus any objection blocks at once; so does any objection under unanimity,
    /// and an objection by a veto holder under the veto rule.
    #[test]
    fn an_objection_blocks_under_consensus(spec in spec()) {
        let engine = engine(spec.scenario());
        let evaluation = engine.evaluate(day(), &[]).unwrap();
        for d in evaluation.decisions() {
            let stances = evaluation.stances(d.proposal);
            let committee = committee_of(&spec, d.proposal);
            let objecting: Vec<String> =
                stances.iter().filter(|s| s.stance == Stance::Object).map(|s| member_id(s.member)).collect();
            let blocks = match committee {
                CONSENSUS | UNANIMITY => !objecting.is_empty(),
                VETO => objecting.iter().any(|m| spec.vetoes().contains(m)),
                _ => false,
            };
            if blocks {
                prop_assert_eq!(d.outcome, Outcome::Blocked, "p{} in {}: {:?}", d.proposal, COMMITTEES[committee], d);
            }
        }
    }

    /// (b) A silent member that consents never sets a proposal back, under every rule: an
    /// adopted proposal stays adopted, a pending one does not become blocked.
    #[test]
    fn consent_never_sets_a_proposal_back(spec in spec()) {
        let scenario = spec.scenario();
        let engine_before = engine(scenario.clone());
        let before = engine_before.evaluate(day(), &[]).unwrap();
        let mut after_scenario = scenario;
        let mut consenting = BTreeMap::new();
        for d in before.decisions() {
            let silent: Vec<usize> = before
                .stances(d.proposal)
                .iter()
                .filter(|s| s.stance == Stance::Silent)
                .map(|s| s.member)
                .collect();
            if silent.is_empty() {
                continue;
            }
            let m = silent[spec.pick[d.proposal % spec.pick.len()] % silent.len()];
            consenting.insert(d.proposal, m);
            after_scenario.votes.push(Vote {
                proposal: format!("p{}", d.proposal),
                member: member_id(m),
                stance: VoteStance::Consent,
                at: day(),
                reason: None,
            });
        }
        let engine_after = engine(after_scenario);
        let after = engine_after.evaluate(day(), &[]).unwrap();
        prop_assert_eq!(before.decisions().len(), after.decisions().len());
        for (b, a) in before.decisions().iter().zip(after.decisions()) {
            prop_assert_eq!(b.proposal, a.proposal);
            let Some(&m) = consenting.get(&b.proposal) else {
                prop_assert_eq!(b, a);
                continue;
            };
            prop_assert_eq!(a.tally.consent, b.tally.consent + 1);
            prop_assert_eq!(a.tally.silent + 1, b.tally.silent);
            prop_assert!(
                rank(a.outcome) >= rank(b.outcome),
                "p{} in {}: {:?} became {:?} when M{} consented",
                b.proposal, COMMITTEES[committee_of(&spec, b.proposal)], b.outcome, a.outcome, m
            );
        }
    }

    /// (c) Setting facts that no position reads changes no decision.
    #[test]
    fn what_if_on_unread_facts_changes_nothing(spec in spec(), value in any::<bool>()) {
        let engine = engine(spec.scenario());
        let before = engine.evaluate(day(), &[]).unwrap();
        let set = [
            ("unused".to_owned(), Value::Bool(value)),
            ("nowhere".to_owned(), Value::String("x".to_owned())),
        ];
        let after = before.what_if(&set).unwrap();
        prop_assert!(before.changes(&after).is_empty());
        prop_assert_eq!(before.decisions(), after.decisions());
        prop_assert_eq!(after.facts().get("nowhere").map(|o| o.source.as_str()), Some("what-if"));
    }

    /// (d) The incremental what-if gives the same evaluation as a full evaluation with the same
    /// facts set, including what-ifs on what-ifs.
    #[test]
    fn incremental_what_if_equals_full_evaluation(
        spec in spec(),
        first in prop::collection::vec((0usize..FACTS + 2, any::<bool>()), 1..4),
        second in prop::collection::vec((0usize..FACTS + 2, any::<bool>()), 1..3),
    ) {
        let name = |k: usize| match k {
            k if k < FACTS => format!("f{k}"),
            k if k == FACTS => "lapsed".to_owned(),
            _ => "unused".to_owned(),
        };
        let first: Vec<(String, Value)> = first.into_iter().map(|(k, v)| (name(k), Value::Bool(v))).collect();
        let second: Vec<(String, Value)> = second.into_iter().map(|(k, v)| (name(k), Value::Bool(v))).collect();
        let engine = engine(spec.scenario());
        let base = engine.evaluate(day(), &[]).unwrap();

        let incremental = base.what_if(&first).unwrap();
        let full = engine.evaluate(day(), &first).unwrap();
        prop_assert_eq!(incremental.facts(), full.facts());
        prop_assert_eq!(incremental.decisions(), full.decisions());
        prop_assert_eq!(base.changes(&incremental), base.changes(&full));

        let both: Vec<(String, Value)> = first.iter().chain(&second).cloned().collect();
        let chained = incremental.what_if(&second).unwrap();
        let full = engine.evaluate(day(), &both).unwrap();
        prop_assert_eq!(chained.facts(), full.facts());
        prop_assert_eq!(chained.decisions(), full.decisions());
    }

    /// (d') Votes added to a compiled engine decide exactly as the same votes compiled with the
    /// scenario, on every date, whatever the order of their dates.
    #[test]
    fn votes_added_later_decide_as_votes_compiled_in(spec in spec(), keep in 0usize..8) {
        let scenario = spec.scenario();
        let full = engine(scenario.clone());
        let mut base = scenario.clone();
        let added = base.votes.split_off(keep.min(base.votes.len()));
        let mut grown = engine(base);
        grown.add_votes(added).unwrap();
        prop_assert_eq!(grown.scenario(), full.scenario());
        for at in [date(2025, 1, 1), day(), date(2025, 6, 1), date(2025, 12, 31)] {
            let (a, b) = (full.evaluate(at, &[]).unwrap(), grown.evaluate(at, &[]).unwrap());
            prop_assert_eq!(a.decisions(), b.decisions());
            for p in 0..full.scenario().proposals.len() {
                prop_assert_eq!(a.stances(p), b.stances(p));
            }
        }
    }

    /// (e) Every proposal circulated by the date is decided, in scenario order, and its tally
    /// counts each seated member once; objections match the objecting stances.
    #[test]
    fn tally_counts_every_seated_member_once(spec in spec()) {
        let engine = engine(spec.scenario());
        let evaluation = engine.evaluate(day(), &[]).unwrap();
        let circulated: Vec<usize> = engine
            .scenario()
            .proposals
            .iter()
            .enumerate()
            .filter(|(_, p)| p.circulated.is_none_or(|c| c <= day()))
            .map(|(i, _)| i)
            .collect();
        let decided: Vec<usize> = evaluation.decisions().iter().map(|d| d.proposal).collect();
        prop_assert_eq!(decided, circulated);
        let seated: Vec<usize> = (0..spec.members()).filter(|&m| spec.joined[m] != 2).collect();
        for d in evaluation.decisions() {
            let t = d.tally;
            prop_assert_eq!((t.consent + t.object + t.abstain + t.silent) as usize, seated.len(), "{:?}", d);
            prop_assert_eq!(engine.seated(engine.committee_of(d.proposal), day()), seated.clone());
            let stances = evaluation.stances(d.proposal);
            prop_assert_eq!(stances.iter().map(|s| s.member).collect::<Vec<_>>(), seated.clone());
            prop_assert_eq!(t.object as usize, d.objections.len());
            let objecting: Vec<usize> =
                stances.iter().filter(|s| s.stance == Stance::Object).map(|s| s.member).collect();
            prop_assert_eq!(d.objections.iter().map(|o| o.member).collect::<Vec<_>>(), objecting);
        }
    }

    /// (f) A new position never unblocks anything: every proposal ends at most where it was.
    #[test]
    fn a_new_position_never_unblocks(spec in spec(), extra in position_spec()) {
        let before_engine = engine(spec.scenario());
        let before = before_engine.evaluate(day(), &[]).unwrap();
        let mut more = spec.clone();
        more.positions.push(extra);
        let after_engine = engine(more.scenario());
        let after = after_engine.evaluate(day(), &[]).unwrap();
        prop_assert_eq!(before.decisions().len(), after.decisions().len());
        for (b, a) in before.decisions().iter().zip(after.decisions()) {
            prop_assert!(
                rank(a.outcome) <= rank(b.outcome),
                "p{} in {}: {:?} became {:?} with {:?}",
                b.proposal, COMMITTEES[committee_of(&spec, b.proposal)], b.outcome, a.outcome,
                more.position(more.positions.len() - 1, more.positions.last().unwrap())
            );
            prop_assert!(a.tally.object >= b.tally.object);
        }
    }

    /// (g) Every outcome is the one the contract's rule table gives the stances on the date.
    #[test]
    fn outcomes_follow_the_rule_table(spec in spec()) {
        let engine = engine(spec.scenario());
        let evaluation = engine.evaluate(day(), &[]).unwrap();
        for d in evaluation.decisions() {
            let ballot: Vec<(usize, Stance)> =
                evaluation.stances(d.proposal).iter().map(|s| (s.member, s.stance)).collect();
            let committee = committee_of(&spec, d.proposal);
            let deadline = engine.scenario().proposals[d.proposal].deadline;
            prop_assert_eq!(
                d.outcome,
                expected_outcome(&spec, committee, &ballot, deadline),
                "p{} in {} ({}), deadline {:?}, ballot {:?}",
                d.proposal, COMMITTEES[committee], spec.rule(committee), deadline, ballot
            );
        }
    }

    /// (h) A member's stance is its latest vote on or before the date; without one, silent or
    /// objecting under its own positions in force.
    #[test]
    fn stances_follow_votes_then_positions(spec in spec()) {
        let engine = engine(spec.scenario());
        let s = engine.scenario();
        let evaluation = engine.evaluate(day(), &[]).unwrap();
        for d in evaluation.decisions() {
            for st in evaluation.stances(d.proposal) {
                let latest = s
                    .votes
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.proposal == s.proposals[d.proposal].id && v.member == member_id(st.member))
                    .filter(|(_, v)| v.at <= day())
                    .max_by_key(|(i, v)| (v.at, *i));
                match latest {
                    Some((i, v)) => {
                        let expected = match v.stance {
                            VoteStance::Consent => Stance::Consent,
                            VoteStance::Object => Stance::Object,
                            VoteStance::Abstain => Stance::Abstain,
                        };
                        prop_assert_eq!(st.stance, expected);
                        prop_assert_eq!(st.cause, Some(Cause::Vote(i)));
                    }
                    None => match (st.stance, &st.cause) {
                        (Stance::Silent, None) => {}
                        (Stance::Object, Some(Cause::Positions(list))) => {
                            prop_assert!(!list.is_empty());
                            for &p in list {
                                let p = &s.positions[p];
                                prop_assert_eq!(&p.member, &member_id(st.member));
                                prop_assert!(p.since.is_none_or(|since| since <= day()), "{:?}", p);
                                prop_assert!(p.withdrawn.is_none_or(|w| day() < w), "{:?}", p);
                            }
                        }
                        other => {
                            return Err(TestCaseError::fail(format!("stance without a vote: {other:?}")));
                        }
                    },
                }
            }
        }
    }

    /// (i) The objecting members the engine finds, evaluating positions once per class of
    /// proposals, are those of one Cedar authorization per member and proposal (the naive
    /// baseline).
    #[test]
    fn class_evaluation_matches_the_naive_baseline(spec in spec()) {
        let engine = engine(spec.scenario());
        let evaluation = engine.evaluate(day(), &[]).unwrap();
        let entities = engine.baseline_entities().unwrap();
        let naive = engine.baseline_objections(day(), &entities);
        let found: Vec<Vec<usize>> =
            evaluation.decisions().iter().map(|d| d.objections.iter().map(|o| o.member).collect()).collect();
        prop_assert_eq!(found, naive);
    }
}
