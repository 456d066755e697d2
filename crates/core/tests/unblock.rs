//! What it would take (issue 13) against a brute-force oracle: on random small scenarios under
//! every kind of rule, with linked positions, package deals, decided proposals and numeric
//! thresholds, every set of candidate changes up to the budget is tried by putting the proposal
//! again in a rewritten scenario (its record dropped, circulated and, where it has one, its
//! deadline moved to the date, the consents cast as votes that day) and deciding it there with
//! the facts held (a what-if). The minimal adopting sets must be exactly the ways
//! [`Engine::unblock`] lists, in its order.
//!
//! The oracle shares nothing with the search but the engine's evaluation of a scenario: not its
//! candidates (worked out here from the positions' templates), not its lenses, not its casts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use concord_core::report::ChangeOf;
use concord_core::{Date, Engine, Outcome, Stance, Value, Vote, VoteStance};
use proptest::prelude::*;

const DAYS: [&str; 5] = ["2025-05-01", "2025-05-10", "2025-06-01", "2025-06-10", "2025-06-20"];
const KINDS: usize = 2;
/// The budget of changes the oracle tries.
const MAX: usize = 2;

fn day(i: usize) -> Date {
    DAYS[i].parse().unwrap()
}

/// What a position means.
#[derive(Clone, Debug)]
enum Template {
    /// Objects while boolean fact `f` is true.
    Fact(usize),
    /// On kind `k`, objects unless both boolean facts are true (the seed case's shape).
    Both(usize),
    /// Objects while the number is below `t`.
    Below(i64),
    /// Objects to what continues (only a different proposal lifts it).
    Continuing,
    /// Objects while member `x` objects (linkage).
    Follows(usize),
    /// On kind `k`, objects until the last proposal is adopted (a package).
    Package(usize),
}

impl Template {
    fn policy(&self, last: usize) -> String {
        let body = match self {
            Template::Fact(f) => format!("when {{ context.facts.b{f} }}"),
            Template::Both(k) => {
                format!(r#"when {{ resource.kind == "k{k}" }} unless {{ context.facts.b0 && context.facts.b1 }}"#)
            }
            Template::Below(t) => format!("when {{ context.facts.n < {t} }}"),
            Template::Continuing => r#"when { resource.engagement == "continuing" }"#.to_owned(),
            Template::Follows(x) => {
                format!(r#"when {{ context.stances has M{x} && context.stances.M{x} == "object" }}"#)
            }
            Template::Package(k) => format!(
                r#"when {{ resource.kind == "k{k}" }} unless {{ context.outcomes has "p-{last}" && context.outcomes["p-{last}"] == "adopted" }}"#
            ),
        };
        format!("forbid (principal, action, resource) {body};")
    }
}

#[derive(Clone, Copy, Debug)]
enum RuleKind {
    Consensus,
    ConsensusMinusConcerned,
    Unanimity,
    ConstructiveAbstention,
    Majority,
    Qualified,
    Weighted,
    Veto,
}

impl RuleKind {
    fn toml(self) -> &'static str {
        match self {
            RuleKind::Consensus => r#""consensus""#,
            RuleKind::ConsensusMinusConcerned => r#"{ kind = "consensus", disregard = "concerned" }"#,
            RuleKind::Unanimity => r#""unanimity""#,
            RuleKind::ConstructiveAbstention => {
                r#"{ kind = "unanimity", constructive_abstention = { members_share = "1/3" } }"#
            }
            RuleKind::Majority => r#"{ kind = "majority", share = 0.5 }"#,
            RuleKind::Qualified => {
                r#"{ kind = "qualified", members_share = 0.55, weight = "w", weight_share = 0.65, blocking_min = 2 }"#
            }
            RuleKind::Weighted => r#"{ kind = "weighted", weight = "w", quota_share = 0.5 }"#,
            RuleKind::Veto => r#"{ kind = "veto", min_yes = 2, veto = ["M0"] }"#,
        }
    }
}

#[derive(Clone, Debug)]
struct ProposalSpec {
    kind: usize,
    continuing: bool,
    circulated: usize,
    /// A silence deadline this many days after circulation (in `DAYS`), or none.
    deadline: Option<usize>,
    /// A recorded decision on the day of circulation: adopted or blocked.
    record: Option<bool>,
    concerned: usize,
}

#[derive(Clone, Debug)]
struct VoteSpec {
    proposal: usize,
    member: usize,
    stance: Stance,
    at: usize,
}

#[derive(Clone, Debug)]
struct Spec {
    members: usize,
    weights: Vec<u8>,
    rule: RuleKind,
    proposals: Vec<ProposalSpec>,
    positions: Vec<Vec<Template>>,
    votes: Vec<VoteSpec>,
    /// The two booleans and the number: a first value, and maybe another from a later day.
    bools: [(bool, Option<(usize, bool)>); 2],
    number: (i64, Option<(usize, i64)>),
    at: usize,
}

/// The rules where one member can block: consensus, unanimity and their variants.
fn blocking_rule() -> impl Strategy<Value = RuleKind> {
    prop_oneof![
        Just(RuleKind::Consensus),
        Just(RuleKind::ConsensusMinusConcerned),
        Just(RuleKind::Unanimity),
        Just(RuleKind::ConstructiveAbstention),
    ]
}

/// The rules that count consents: majorities, weights and a veto.
fn counting_rule() -> impl Strategy<Value = RuleKind> {
    prop_oneof![Just(RuleKind::Majority), Just(RuleKind::Qualified), Just(RuleKind::Weighted), Just(RuleKind::Veto)]
}

fn spec(rule: impl Strategy<Value = RuleKind>) -> impl Strategy<Value = Spec> {
    (3usize..=4, 1usize..=3, rule).prop_flat_map(|(members, proposals, rule)| {
        let template = prop_oneof![
            1 => (0usize..2).prop_map(Template::Fact),
            1 => (0..KINDS).prop_map(Template::Both),
            1 => (0i64..6).prop_map(Template::Below),
            1 => Just(Template::Continuing),
            // Following a member of a higher index only: no cycle. Linkage is where the search
            // must look past the member in the way, so it comes up more often.
            3 => (0..members).prop_map(Template::Follows),
            2 => (0..KINDS).prop_map(Template::Package),
        ];
        let proposal = (
            0..KINDS,
            prop::bool::weighted(0.2),
            0usize..3,
            proptest::option::of(0usize..2),
            proptest::option::weighted(0.25, any::<bool>()),
            0..members,
        )
            .prop_map(|(kind, continuing, circulated, deadline, record, concerned)| ProposalSpec {
                kind,
                continuing,
                circulated,
                deadline,
                record,
                concerned,
            });
        let stance = prop_oneof![Just(Stance::Consent), Just(Stance::Object), Just(Stance::Abstain)];
        let vote = (0..proposals, 0..members, stance, 0usize..DAYS.len())
            .prop_map(|(proposal, member, stance, at)| VoteSpec { proposal, member, stance, at });
        let boolean = (any::<bool>(), proptest::option::of((1usize..DAYS.len(), any::<bool>())));
        (
            prop::collection::vec(1u8..=5, members),
            prop::collection::vec(proposal, proposals),
            prop::collection::vec(prop::collection::vec(template, 0..=2), members),
            prop::collection::vec(vote, 0..5),
            [boolean.clone(), boolean],
            (0i64..6, proptest::option::of((1usize..DAYS.len(), 0i64..6))),
            0usize..DAYS.len(),
        )
            .prop_map(move |(weights, proposals, positions, votes, bools, number, at)| {
                let positions = positions
                    .into_iter()
                    .enumerate()
                    .map(|(m, list)| {
                        list.into_iter()
                            .map(|t| match t {
                                Template::Follows(x) if x <= m => Template::Fact(0),
                                t => t,
                            })
                            .collect()
                    })
                    .collect();
                Spec { members, weights, rule, proposals, positions, votes, bools, number, at }
            })
    })
}

impl Spec {
    fn deadline(&self, p: &ProposalSpec) -> Option<usize> {
        p.deadline.map(|d| (p.circulated + d).min(DAYS.len() - 1))
    }

    /// The scenario, with the votes of `dropped` left out.
    fn toml(&self, dropped: &BTreeSet<usize>) -> String {
        let last = self.proposals.len() - 1;
        let mut t = String::from("[scenario]\nid = \"unblock\"\nas_of = 2025-06-20\n");
        for m in 0..self.members {
            let _ = write!(t, "\n[[member]]\nid = \"M{m}\"\nweights = {{ w = {} }}\n", self.weights[m]);
        }
        let _ = write!(t, "\n[[committee]]\nid = \"C\"\nmembers = \"all\"\nrule = {}\n", self.rule.toml());
        for (i, p) in self.proposals.iter().enumerate() {
            let engagement = if p.continuing { "continuing" } else { "new" };
            let _ = write!(
                t,
                "\n[[proposal]]\nid = \"p-{i}\"\ncommittee = \"C\"\nkind = \"k{}\"\nengagement = \"{engagement}\"\ncirculated = {}\nconcerned = [\"M{}\"]\n",
                p.kind, DAYS[p.circulated], p.concerned
            );
            if let Some(d) = self.deadline(p) {
                let _ = writeln!(t, "deadline = {}", DAYS[d]);
            }
        }
        for (f, (first, later)) in self.bools.iter().enumerate() {
            let _ = write!(t, "\n[[fact]]\nid = \"b{f}\"\nvalue = {first}\nas_of = {}\nsource = \"test\"\n", DAYS[0]);
            if let Some((d, v)) = later {
                let _ = write!(t, "\n[[fact]]\nid = \"b{f}\"\nvalue = {v}\nas_of = {}\nsource = \"test\"\n", DAYS[*d]);
            }
        }
        let (first, later) = self.number;
        let _ = write!(t, "\n[[fact]]\nid = \"n\"\nvalue = {first}\nas_of = {}\nsource = \"test\"\n", DAYS[0]);
        if let Some((d, v)) = later {
            let _ = write!(t, "\n[[fact]]\nid = \"n\"\nvalue = {v}\nas_of = {}\nsource = \"test\"\n", DAYS[d]);
        }
        for (m, list) in self.positions.iter().enumerate() {
            for (j, template) in list.iter().enumerate() {
                let _ = write!(
                    t,
                    "\n[[position]]\nid = \"M{m}-{j}\"\nmember = \"M{m}\"\nsource = \"test\"\npolicy = '{}'\n",
                    template.policy(last)
                );
            }
        }
        for (i, v) in self.votes.iter().enumerate() {
            // Votes come after circulation, and not after a recorded decision.
            if !self.written(i, dropped) {
                continue;
            }
            let reason = if v.stance == Stance::Object { "reason = \"test\"\n" } else { "" };
            let _ = write!(
                t,
                "\n[[vote]]\nproposal = \"p-{}\"\nmember = \"M{}\"\nstance = \"{}\"\nat = {}\n{reason}",
                v.proposal,
                v.member,
                v.stance.as_str(),
                DAYS[v.at]
            );
        }
        for (i, p) in self.proposals.iter().enumerate() {
            if let Some(adopted) = p.record {
                let outcome = if adopted { "adopted" } else { "blocked" };
                let _ = write!(
                    t,
                    "\n[[decision]]\nproposal = \"p-{i}\"\non = {}\noutcome = \"{outcome}\"\nsource = \"test\"\n",
                    DAYS[p.circulated]
                );
            }
        }
        t
    }

    /// Whether vote `i` is written to the file.
    fn written(&self, i: usize, dropped: &BTreeSet<usize>) -> bool {
        let v = &self.votes[i];
        let p = &self.proposals[v.proposal];
        !dropped.contains(&i) && v.at >= p.circulated && !(p.record.is_some() && v.at > p.circulated)
    }

    /// A fact's value on a day.
    fn value_on<T: Copy>(first: T, later: Option<(usize, T)>, at: usize) -> T {
        match later {
            Some((d, v)) if d <= at => v,
            _ => first,
        }
    }

    /// The candidate changes, worked out from the templates: every fact a position reads, at
    /// every value other than its value on the date (the number at each threshold, one either
    /// side, and its observed values), and every member's consent.
    fn candidates(&self) -> Vec<Candidate> {
        let templates: Vec<&Template> = self.positions.iter().flatten().collect();
        let links_outcomes = templates.iter().any(|t| matches!(t, Template::Package(_)));
        let mut out = Vec::new();
        for f in 0..2 {
            let reads = links_outcomes
                || templates
                    .iter()
                    .any(|t| matches!(t, Template::Fact(g) if *g == f) || matches!(t, Template::Both(_)));
            if reads {
                let (first, later) = self.bools[f];
                let now = Spec::value_on(first, later, self.at);
                out.push(Candidate::Fact(format!("b{f}"), Value::Bool(!now)));
            }
        }
        let thresholds: Vec<i64> = templates
            .iter()
            .filter_map(|t| match t {
                Template::Below(x) => Some(*x),
                _ => None,
            })
            .collect();
        if links_outcomes || !thresholds.is_empty() {
            let (first, later) = self.number;
            let now = Spec::value_on(first, later, self.at);
            let mut values: BTreeSet<i64> = thresholds.iter().flat_map(|&x| [x - 1, x, x + 1]).collect();
            values.insert(first);
            values.extend(later.map(|(_, v)| v));
            for v in values.into_iter().filter(|&v| v != now) {
                out.push(Candidate::Fact("n".to_owned(), Value::Long(v)));
            }
        }
        out.extend((0..self.members).map(Candidate::Consent));
        out
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Candidate {
    Fact(String, Value),
    Consent(usize),
}

/// Loads the scenario, leaving out the votes refused for coming after a decision the rule took
/// (the generator cannot know when an open proposal is adopted); nothing else may be refused.
fn load(spec: &Spec) -> Result<(Engine, String), TestCaseError> {
    let mut dropped = BTreeSet::new();
    loop {
        let toml = spec.toml(&dropped);
        match concord_core::load(&toml, "unblock.toml") {
            Ok(engine) => return Ok((engine, toml)),
            Err(errors) => {
                let votes: Vec<usize> = errors
                    .errors()
                    .iter()
                    .filter(|e| e.problem().site.table == concord_core::Table::Vote)
                    .map(|e| e.problem().site.index)
                    .collect();
                let messages: Vec<String> = errors.errors().iter().map(|e| e.problem().message.clone()).collect();
                if votes.len() != messages.len() {
                    return Err(TestCaseError::fail(format!("refused: {messages:?}\n{toml}")));
                }
                // Site indices count the votes written; map them back to the spec's.
                let written: Vec<usize> = (0..spec.votes.len()).filter(|i| spec.written(*i, &dropped)).collect();
                dropped.extend(votes.iter().filter_map(|&k| written.get(k).copied()));
            }
        }
    }
}

/// The proposal put again on the date in a rewritten scenario: its record and extensions
/// dropped, circulated (and its deadline, if it has one) on the date, each member's latest vote
/// cast again that day, and the members of `consents` consenting instead.
fn put_again(engine: &Engine, p: usize, at: Date, consents: &[usize]) -> Engine {
    let mut s = engine.scenario().clone();
    let id = s.proposals[p].id.clone();
    s.decisions.retain(|d| d.proposal != id);
    s.extensions.retain(|e| e.proposal != id);
    let proposal = &mut s.proposals[p];
    proposal.circulated = Some(at);
    if proposal.deadline.is_some() {
        proposal.deadline = Some(at);
    }
    let mut votes: Vec<Vote> = Vec::new();
    for (m, member) in s.members.iter().enumerate() {
        // The latest by date; on one day, the later in the file (`max_by_key` keeps the last).
        let latest =
            s.votes.iter().filter(|v| v.proposal == id && v.member == member.id && v.at <= at).max_by_key(|v| v.at);
        let vote = if consents.contains(&m) {
            Some(Vote {
                proposal: id.clone(),
                member: member.id.clone(),
                stance: VoteStance::Consent,
                at,
                reason: None,
                source: None,
                statement: None,
            })
        } else {
            latest.map(|v| Vote { at, ..v.clone() })
        };
        votes.extend(vote);
    }
    s.votes.retain(|v| v.proposal != id);
    s.votes.extend(votes);
    // A proposal that reads this one's outcome sees it circulated later, and may then be
    // decided before votes it holds. It does not bear on this one (linkage has no cycle): its
    // votes refused are dropped.
    loop {
        match Engine::new(s.clone()) {
            Ok(engine) => return engine,
            Err(problems) => {
                let refused: BTreeSet<usize> = problems
                    .iter()
                    .filter(|p| p.site.table == concord_core::Table::Vote)
                    .map(|p| p.site.index)
                    .filter(|&i| s.votes.get(i).is_some_and(|v| v.proposal != id))
                    .collect();
                assert!(
                    !refused.is_empty() && refused.len() == problems.len(),
                    "the rewritten scenario is refused: {problems:?}"
                );
                let mut i = 0;
                s.votes.retain(|_| {
                    i += 1;
                    !refused.contains(&(i - 1))
                });
            }
        }
    }
}

/// Whether the proposal, put again on the date with these consents, is adopted with these facts
/// held throughout (a what-if). The rewritten scenarios are kept by their consents.
fn adopts(
    engines: &mut HashMap<Vec<usize>, Engine>,
    engine: &Engine,
    p: usize,
    at: Date,
    changes: &[&Candidate],
) -> bool {
    let consents: Vec<usize> = changes
        .iter()
        .filter_map(|c| match c {
            Candidate::Consent(m) => Some(*m),
            Candidate::Fact(..) => None,
        })
        .collect();
    let again = engines.entry(consents.clone()).or_insert_with(|| put_again(engine, p, at, &consents));
    let set: Vec<(String, Value)> = changes
        .iter()
        .filter_map(|c| match c {
            Candidate::Fact(f, v) => Some((f.clone(), v.clone())),
            Candidate::Consent(_) => None,
        })
        .collect();
    let evaluation = again.evaluate(at, &set).unwrap();
    evaluation.decision(p).is_some_and(|d| d.outcome == Outcome::Adopted)
}

/// Every choice of at most `max` candidates, at most one value a fact, smallest first.
fn subsets(candidates: &[Candidate], max: usize) -> Vec<Vec<&Candidate>> {
    fn grow<'c>(
        c: &'c [Candidate],
        from: usize,
        pick: &mut Vec<&'c Candidate>,
        max: usize,
        out: &mut Vec<Vec<&'c Candidate>>,
    ) {
        out.push(pick.clone());
        if pick.len() == max {
            return;
        }
        for i in from..c.len() {
            let clash = match &c[i] {
                Candidate::Fact(f, _) => pick.iter().any(|x| matches!(x, Candidate::Fact(g, _) if g == f)),
                Candidate::Consent(_) => false,
            };
            if !clash {
                pick.push(&c[i]);
                grow(c, i + 1, pick, max, out);
                pick.pop();
            }
        }
    }
    let mut out = Vec::new();
    grow(candidates, 0, &mut Vec::new(), max, &mut out);
    out.sort_by_key(Vec::len);
    out
}

/// A change as `unblock` reports it.
fn reported(engine: &Engine, c: &Candidate) -> ChangeOf {
    match c {
        Candidate::Fact(fact, value) => ChangeOf::Fact { fact: fact.clone(), value: value.clone() },
        Candidate::Consent(m) => {
            ChangeOf::Stance { member: engine.scenario().members[*m].id.clone(), stance: Stance::Consent }
        }
    }
}

/// The ways `unblock` lists are exactly the minimal adopting sets of the brute-force search, smallest first.
fn check(spec: &Spec) -> Result<(), TestCaseError> {
    let (engine, toml) = load(spec)?;
    let at = day(spec.at);
    let candidates = spec.candidates();
    let all = subsets(&candidates, MAX);
    for p in 0..spec.proposals.len() {
        let found = match engine.unblock(p, at, MAX) {
            Ok(found) => found,
            Err(e) => {
                prop_assert!(spec.proposals[p].circulated > spec.at, "{e}");
                continue;
            }
        };
        let mut engines = HashMap::new();
        let adopting: Vec<&Vec<&Candidate>> = all.iter().filter(|s| adopts(&mut engines, &engine, p, at, s)).collect();
        let nothing = adopting.first().is_some_and(|s| s.is_empty());
        prop_assert_eq!(found.adopted_as_it_is, nothing, "adopted as it is, p-{}:\n{}", p, toml);
        let minimal: Vec<Vec<ChangeOf>> = if nothing {
            Vec::new()
        } else {
            adopting
                .iter()
                .filter(|s| !adopting.iter().any(|x| x.len() < s.len() && x.iter().all(|c| s.contains(c))))
                .map(|s| s.iter().map(|c| reported(&engine, c)).collect())
                .collect()
        };
        let listed: Vec<Vec<ChangeOf>> =
            found.ways.iter().map(|w| w.iter().map(|l| engine.change_of(l)).collect()).collect();
        let as_sets = |ways: &[Vec<ChangeOf>]| -> BTreeSet<Vec<String>> {
            ways.iter()
                .map(|w| {
                    let mut w: Vec<String> = w.iter().map(ChangeOf::in_words).collect();
                    w.sort();
                    w
                })
                .collect()
        };
        prop_assert_eq!(as_sets(&listed), as_sets(&minimal), "ways of p-{} on {}:\n{}", p, at, toml);
        prop_assert!(listed.windows(2).all(|w| w[0].len() <= w[1].len()), "not smallest first: {listed:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 80, ..ProptestConfig::default() })]

    #[test]
    fn under_consensus_and_unanimity_the_ways_are_the_minimal_sets_of_the_brute_force_search(
        spec in spec(blocking_rule())
    ) {
        check(&spec)?;
    }

    #[test]
    fn under_counting_rules_the_ways_are_the_minimal_sets_of_the_brute_force_search(spec in spec(counting_rule())) {
        check(&spec)?;
    }
}
