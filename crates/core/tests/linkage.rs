//! Linkage against a brute-force model (issue 12): random small scenarios whose positions read
//! facts, other members' stances (`context.stances`) and other proposals' outcomes
//! (`context.outcomes`), decided by the engine and by a naive evaluator that walks every day and
//! evaluates each position's meaning directly, with no Cedar, no classes and no strata.
//!
//! The properties: a scenario is refused exactly when its positions depend on each other in a
//! cycle (found here on the graph of every member's stance on every proposal), the refusal names
//! the positions of the cycle, and otherwise every proposal's outcome, decision day and objecting
//! members agree with the model on every day looked at.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use concord_core::{Date, Engine, Outcome, Stance, Table};
use proptest::prelude::*;

/// The days records are dated on.
const DAYS: [&str; 6] = ["2025-05-01", "2025-05-10", "2025-06-01", "2025-06-10", "2025-06-20", "2025-07-01"];
const FACTS: usize = 2;
const KINDS: usize = 2;

fn day(i: usize) -> Date {
    DAYS[i].parse().unwrap()
}

/// What a position means, written in Cedar by [`Template::policy`] and evaluated directly by
/// the model.
#[derive(Clone, Debug)]
enum Template {
    /// Objects while fact `f` is true.
    Fact(usize),
    /// Objects while member `x` objects.
    Follows(usize),
    /// Objects until member `x` consents ("not before it": not the last).
    Awaits(usize),
    /// On proposals of kind `k`, objects while member `x` objects.
    FollowsOnKind(usize, usize),
    /// On proposals of kind `k`, objects until proposal `q` is adopted (a package).
    Package(usize, usize),
    /// Objects while proposal `q` is blocked.
    AgainstBlocked(usize),
}

impl Template {
    fn policy(&self) -> String {
        let stance = |x: usize, s: &str| format!(r#"context.stances has M{x} && context.stances.M{x} == "{s}""#);
        let outcome =
            |q: usize, o: &str| format!(r#"context.outcomes has "p-{q}" && context.outcomes["p-{q}"] == "{o}""#);
        let body = match self {
            Template::Fact(f) => format!("when {{ context.facts.f{f} }}"),
            Template::Follows(x) => format!("when {{ {} }}", stance(*x, "object")),
            Template::Awaits(x) => format!("unless {{ {} }}", stance(*x, "consent")),
            Template::FollowsOnKind(k, x) => {
                format!(r#"when {{ resource.kind == "k{k}" && {} }}"#, stance(*x, "object"))
            }
            Template::Package(k, q) => {
                format!(r#"when {{ resource.kind == "k{k}" }} unless {{ {} }}"#, outcome(*q, "adopted"))
            }
            Template::AgainstBlocked(q) => format!("when {{ {} }}", outcome(*q, "blocked")),
        };
        format!("forbid (principal, action, resource) {body};")
    }
}

#[derive(Clone, Debug)]
struct ProposalSpec {
    kind: usize,
    circulated: usize,
    /// A meeting on this day (at or after circulation), or none: adopted the first day the rule
    /// adopts it.
    deadline: Option<usize>,
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
    unanimity: bool,
    proposals: Vec<ProposalSpec>,
    /// Per member, its positions.
    positions: Vec<Vec<Template>>,
    votes: Vec<VoteSpec>,
    /// Every fact's value from the first day, and maybe another from a later one.
    facts: Vec<(bool, Option<(usize, bool)>)>,
}

fn template(members: usize, proposals: usize) -> impl Strategy<Value = Template> {
    prop_oneof![
        (0..FACTS).prop_map(Template::Fact),
        (0..members).prop_map(Template::Follows),
        (0..members).prop_map(Template::Awaits),
        (0..KINDS, 0..members).prop_map(|(k, x)| Template::FollowsOnKind(k, x)),
        (0..KINDS, 0..proposals).prop_map(|(k, q)| Template::Package(k, q)),
        (0..proposals).prop_map(Template::AgainstBlocked),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (2usize..=4, 1usize..=4, any::<bool>()).prop_flat_map(|(members, proposals, unanimity)| {
        let proposal = (0..KINDS, 0usize..3, proptest::option::of(0usize..3)).prop_map(|(kind, circulated, later)| {
            ProposalSpec { kind, circulated, deadline: later.map(|l| circulated + l) }
        });
        let stance = prop_oneof![Just(Stance::Consent), Just(Stance::Object), Just(Stance::Abstain)];
        let vote = (0..proposals, 0..members, stance, 0usize..DAYS.len())
            .prop_map(|(proposal, member, stance, at)| VoteSpec { proposal, member, stance, at });
        let fact = (any::<bool>(), proptest::option::of((1usize..DAYS.len(), any::<bool>())));
        (
            prop::collection::vec(proposal, proposals),
            prop::collection::vec(prop::collection::vec(template(members, proposals), 0..=2), members),
            prop::collection::vec(vote, 0..6),
            prop::collection::vec(fact, FACTS),
        )
            .prop_map(move |(proposals, positions, votes, facts)| {
                // A position follows another member, never its own.
                let positions = positions
                    .into_iter()
                    .enumerate()
                    .map(|(m, list)| {
                        list.into_iter()
                            .map(|t| match t {
                                Template::Follows(x) | Template::Awaits(x) | Template::FollowsOnKind(_, x)
                                    if x == m =>
                                {
                                    Template::Fact(0)
                                }
                                t => t,
                            })
                            .collect()
                    })
                    .collect();
                Spec { members, unanimity, proposals, positions, votes, facts }
            })
    })
}

impl Spec {
    /// The scenario, with the votes kept (by index).
    fn toml(&self, kept: &[usize]) -> String {
        let mut t = String::from("[scenario]\nid = \"linked\"\nas_of = 2025-07-01\n");
        for m in 0..self.members {
            let _ = write!(t, "\n[[member]]\nid = \"M{m}\"\n");
        }
        let rule = if self.unanimity { "unanimity" } else { "consensus" };
        let _ = write!(t, "\n[[committee]]\nid = \"C\"\nmembers = \"all\"\nrule = \"{rule}\"\n");
        for (i, p) in self.proposals.iter().enumerate() {
            let _ = write!(
                t,
                "\n[[proposal]]\nid = \"p-{i}\"\ncommittee = \"C\"\nkind = \"k{}\"\nengagement = \"new\"\ncirculated = {}\n",
                p.kind, DAYS[p.circulated]
            );
            if let Some(d) = p.deadline {
                let _ = write!(t, "deadline = {}\nprocedure = \"meeting\"\n", DAYS[d]);
            }
        }
        for (f, (first, later)) in self.facts.iter().enumerate() {
            let _ = write!(t, "\n[[fact]]\nid = \"f{f}\"\nvalue = {first}\nas_of = {}\nsource = \"test\"\n", DAYS[0]);
            if let Some((d, v)) = later {
                let _ = write!(t, "\n[[fact]]\nid = \"f{f}\"\nvalue = {v}\nas_of = {}\nsource = \"test\"\n", DAYS[*d]);
            }
        }
        for (m, list) in self.positions.iter().enumerate() {
            for (j, template) in list.iter().enumerate() {
                let _ = write!(
                    t,
                    "\n[[position]]\nid = \"M{m}-{j}\"\nmember = \"M{m}\"\nsource = \"test\"\npolicy = '{}'\n",
                    template.policy()
                );
            }
        }
        for &i in kept {
            let v = &self.votes[i];
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
        t
    }

    /// Whether some stance depends on itself: the graph of every member's stance on every
    /// proposal, with an edge to each stance a position of the member reads there.
    fn has_cycle(&self) -> bool {
        let node = |m: usize, p: usize| m * self.proposals.len() + p;
        let mut edges: HashMap<usize, Vec<usize>> = HashMap::new();
        for p in 0..self.proposals.len() {
            for m in 0..self.members {
                for t in &self.positions[m] {
                    let kind = self.proposals[p].kind;
                    let to: Vec<usize> = match *t {
                        Template::Fact(_) => Vec::new(),
                        Template::Follows(x) | Template::Awaits(x) => vec![node(x, p)],
                        Template::FollowsOnKind(k, x) if k == kind => vec![node(x, p)],
                        Template::Package(k, q) if k == kind && q != p => {
                            (0..self.members).map(|k| node(k, q)).collect()
                        }
                        Template::AgainstBlocked(q) if q != p => (0..self.members).map(|k| node(k, q)).collect(),
                        _ => Vec::new(),
                    };
                    edges.entry(node(m, p)).or_default().extend(to);
                }
            }
        }
        // Depth-first search for a back edge.
        fn visit(
            n: usize,
            edges: &HashMap<usize, Vec<usize>>,
            open: &mut HashSet<usize>,
            done: &mut HashSet<usize>,
        ) -> bool {
            if done.contains(&n) {
                return false;
            }
            if !open.insert(n) {
                return true;
            }
            let found = edges.get(&n).is_some_and(|list| list.iter().any(|&m| visit(m, edges, open, done)));
            open.remove(&n);
            done.insert(n);
            found
        }
        let (mut open, mut done) = (HashSet::new(), HashSet::new());
        (0..self.members * self.proposals.len()).any(|n| visit(n, &edges, &mut open, &mut done))
    }
}

/// A proposal's outcome and the day its decision was taken, if it was; None before circulation.
type Settled = Option<(Outcome, Option<Date>)>;

/// A refused scenario's problems: the table of each and its message.
type Refusal = Vec<(Table, String)>;

/// The naive evaluator: every stance and outcome from its definition, day by day.
struct Model<'s> {
    spec: &'s Spec,
    kept: &'s [usize],
    stances: HashMap<(usize, usize, Date), Stance>,
    outcomes: HashMap<(usize, Date), Settled>,
}

impl Model<'_> {
    fn fact(&self, f: usize, at: Date) -> bool {
        let (first, later) = self.spec.facts[f];
        match later {
            Some((d, v)) if day(d) <= at => v,
            _ => first,
        }
    }

    fn vote(&self, p: usize, m: usize, at: Date) -> Option<Stance> {
        self.kept
            .iter()
            .map(|&i| &self.spec.votes[i])
            .filter(|v| v.proposal == p && v.member == m && day(v.at) <= at)
            .enumerate()
            .max_by_key(|(i, v)| (day(v.at), *i))
            .map(|(_, v)| v.stance)
    }

    fn stance(&mut self, p: usize, m: usize, at: Date) -> Stance {
        if let Some(&s) = self.stances.get(&(p, m, at)) {
            return s;
        }
        let s = match self.vote(p, m, at) {
            Some(s) => s,
            None => {
                let kind = self.spec.proposals[p].kind;
                let mut objects = false;
                for t in self.spec.positions[m].clone() {
                    objects |= match t {
                        Template::Fact(f) => self.fact(f, at),
                        Template::Follows(x) => self.stance(p, x, at) == Stance::Object,
                        Template::Awaits(x) => self.stance(p, x, at) != Stance::Consent,
                        Template::FollowsOnKind(k, x) => k == kind && self.stance(p, x, at) == Stance::Object,
                        Template::Package(k, q) => {
                            k == kind && (q == p || self.outcome(q, at).map(|(o, _)| o) != Some(Outcome::Adopted))
                        }
                        Template::AgainstBlocked(q) => {
                            q != p && self.outcome(q, at).map(|(o, _)| o) == Some(Outcome::Blocked)
                        }
                    };
                }
                if objects { Stance::Object } else { Stance::Silent }
            }
        };
        self.stances.insert((p, m, at), s);
        s
    }

    /// The rule on a day: adopted (silence counting as consent when `silence`), blocked by an
    /// objection, or neither.
    fn rule(&mut self, p: usize, at: Date, silence: bool) -> Option<Outcome> {
        let stances: Vec<Stance> = (0..self.spec.members).map(|m| self.stance(p, m, at)).collect();
        if stances.contains(&Stance::Object) {
            return Some(Outcome::Blocked);
        }
        let silent = stances.contains(&Stance::Silent);
        let adopted = if self.spec.unanimity { !silent } else { !silent || silence };
        adopted.then_some(Outcome::Adopted)
    }

    /// A proposal's outcome on a date and the day its decision was taken, if it was; None when
    /// it is not yet circulated.
    fn outcome(&mut self, p: usize, at: Date) -> Settled {
        if let Some(&known) = self.outcomes.get(&(p, at)) {
            return known;
        }
        let spec = self.spec.proposals[p].clone();
        let result = if day(spec.circulated) > at {
            None
        } else {
            match spec.deadline.map(day) {
                Some(deadline) if deadline <= at => {
                    let o = self.rule(p, deadline, true).unwrap_or(Outcome::Blocked);
                    Some((o, Some(deadline)))
                }
                Some(_) => Some((self.rule(p, at, false).unwrap_or(Outcome::Pending), None)),
                None => {
                    let mut d = day(spec.circulated);
                    let mut found = None;
                    while d <= at {
                        if self.rule(p, d, true) == Some(Outcome::Adopted) {
                            found = Some(d);
                            break;
                        }
                        d = d.next().unwrap();
                    }
                    match found {
                        Some(d) => Some((Outcome::Adopted, Some(d))),
                        None => Some((self.rule(p, at, true).unwrap_or(Outcome::Pending), None)),
                    }
                }
            }
        };
        self.outcomes.insert((p, at), result);
        result
    }
}

/// Loads the scenario, leaving out the votes the engine refuses (dated after their proposal's
/// decision), as a secretariat would not record them.
fn load(spec: &Spec) -> Result<(Engine, Vec<usize>), Refusal> {
    let mut kept: Vec<usize> = (0..spec.votes.len()).collect();
    loop {
        match concord_core::load(&spec.toml(&kept), "linked.toml") {
            Ok(engine) => return Ok((engine, kept)),
            Err(errors) => {
                let problems: Refusal =
                    errors.errors().iter().map(|e| (e.problem().site.table, e.problem().message.clone())).collect();
                let votes: Vec<usize> = errors
                    .errors()
                    .iter()
                    .filter(|e| e.problem().site.table == Table::Vote)
                    .map(|e| e.problem().site.index)
                    .collect();
                if votes.is_empty() || votes.len() != problems.len() {
                    return Err(problems);
                }
                // Drop the last refused vote only: the others may stand without it.
                let last = votes.into_iter().max().unwrap();
                kept.remove(last);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn linked_positions_decide_as_the_brute_force_model(spec in spec()) {
        let cyclic = spec.has_cycle();
        let (engine, kept) = match load(&spec) {
            Ok(loaded) => loaded,
            Err(problems) => {
                prop_assert!(cyclic, "refused without a cycle: {problems:?}\n{}", spec.toml(&[]));
                prop_assert!(
                    problems.iter().all(|(table, message)| *table == Table::Position && message.contains("cycle")),
                    "{problems:?}"
                );
                return Ok(());
            }
        };
        prop_assert!(!cyclic, "a cycle was accepted:\n{}", spec.toml(&kept));
        let mut model = Model { spec: &spec, kept: &kept, stances: HashMap::new(), outcomes: HashMap::new() };
        for at in (0..DAYS.len()).map(day).chain(["2025-05-20".parse().unwrap(), "2025-08-01".parse().unwrap()]) {
            let evaluation = engine.evaluate(at, &[]).unwrap();
            for p in 0..spec.proposals.len() {
                let expected = model.outcome(p, at);
                let got = evaluation.decision(p);
                prop_assert_eq!(got.is_some(), expected.is_some(), "p-{} on {}", p, at);
                let (Some(d), Some((outcome, taken))) = (got, expected) else { continue };
                prop_assert_eq!(d.outcome, outcome, "outcome of p-{} on {}:\n{}", p, at, spec.toml(&kept));
                prop_assert_eq!(d.taken.map(|t| t.on), taken, "decision day of p-{} on {}", p, at);
                let on = d.stances_on;
                let objecting: Vec<usize> =
                    (0..spec.members).filter(|&m| model.stance(p, m, on) == Stance::Object).collect();
                prop_assert_eq!(d.objecting(), objecting, "objecting on p-{} on {}", p, on);
            }
        }
    }
}

/// Four participating States: Russia objects to a chair from NATO, Belarus follows Russia, Malta
/// holds the chair decision until the top posts are extended (a package), and Russia votes on
/// the posts.
const OSCE: &str = r#"
[scenario]
id = "linked"
as_of = 2023-12-01

[[member]]
id = "RUS"
[[member]]
id = "BLR"
[[member]]
id = "EST"
[[member]]
id = "MLT"

[[committee]]
id = "MC"
members = "all"
rule = "consensus"

[[proposal]]
id = "chair-est"
committee = "MC"
kind = "chair"
engagement = "new"
attributes = { groups = ["EU", "NATO"] }

[[proposal]]
id = "chair-mlt"
committee = "MC"
kind = "chair"
engagement = "new"
circulated = 2023-11-27
deadline = 2023-12-01
procedure = "meeting"
attributes = { groups = ["EU"] }

[[proposal]]
id = "top-posts"
committee = "MC"
kind = "posts"
engagement = "continuing"
circulated = 2023-11-27
deadline = 2023-12-01
procedure = "meeting"
attributes = { groups = [] }

[[position]]
id = "rus-no-nato-chair"
member = "RUS"
source = "test"
policy = 'forbid (principal, action, resource) when { resource.kind == "chair" && resource.attributes.groups.contains("NATO") };'

[[position]]
id = "blr-follows-rus"
member = "BLR"
source = "test"
policy = 'forbid (principal, action, resource) when { context.stances has RUS && context.stances.RUS == "object" };'

[[position]]
id = "mlt-chair-with-posts"
member = "MLT"
source = "test"
policy = 'forbid (principal, action, resource) when { resource.kind == "chair" } unless { context.outcomes has "top-posts" && context.outcomes["top-posts"] == "adopted" };'

[[vote]]
proposal = "top-posts"
member = "RUS"
stance = "object"
reason = "three months, not nine"
at = 2023-11-28

[[vote]]
proposal = "top-posts"
member = "RUS"
stance = "consent"
at = 2023-12-01
"#;

fn objecting_on(engine: &Engine, proposal: &str, at: &str) -> (Outcome, Vec<String>) {
    let evaluation = engine.evaluate(at.parse().unwrap(), &[]).unwrap();
    let d = evaluation.decision(engine.proposal_index(proposal).unwrap()).unwrap();
    (d.outcome, evaluation.objecting(d))
}

#[test]
fn a_member_follows_another_and_a_package_waits_on_its_other_part() {
    let engine = concord_core::load(OSCE, "osce.toml").unwrap();
    // Before the meeting Russia objects to the posts, and Belarus with it; the chair waits.
    assert_eq!(objecting_on(&engine, "top-posts", "2023-11-29"), (Outcome::Blocked, vec!["RUS".into(), "BLR".into()]));
    assert_eq!(objecting_on(&engine, "chair-mlt", "2023-11-29"), (Outcome::Blocked, vec!["MLT".into()]));
    // At the meeting Russia consents: Belarus follows, the posts are extended, so the chair passes.
    assert_eq!(objecting_on(&engine, "top-posts", "2023-12-01"), (Outcome::Adopted, vec![]));
    assert_eq!(objecting_on(&engine, "chair-mlt", "2023-12-01"), (Outcome::Adopted, vec![]));
    // Estonia's chair stays blocked by Russia and, through it, Belarus.
    assert_eq!(objecting_on(&engine, "chair-est", "2023-12-01"), (Outcome::Blocked, vec!["RUS".into(), "BLR".into()]));
}

#[test]
fn the_explanation_names_what_a_linked_position_read() {
    let engine = concord_core::load(OSCE, "osce.toml").unwrap();
    let evaluation = engine.evaluate("2023-11-29".parse().unwrap(), &[]).unwrap();
    let report = evaluation.explain(engine.proposal_index("chair-est").unwrap()).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let blr = &json["objections"][1];
    assert_eq!(blr["member"], "BLR");
    assert_eq!(blr["positions"][0]["linked"], serde_json::json!([{ "member": "RUS", "stance": "object" }]));
    let report = evaluation.explain(engine.proposal_index("chair-mlt").unwrap()).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["objections"][0]["positions"][0]["linked"],
        serde_json::json!([{ "proposal": "top-posts", "outcome": "blocked" }])
    );
    // A position that reads no stance or outcome has no `linked`.
    let rus = &serde_json::to_value(evaluation.explain(0).unwrap()).unwrap()["objections"][0];
    assert!(rus["positions"][0].get("linked").is_none(), "{rus}");
}

#[test]
fn a_cycle_is_refused_on_every_position_in_it_with_its_line() {
    let text = format!(
        "{OSCE}\n[[position]]\nid = \"rus-follows-blr\"\nmember = \"RUS\"\nsource = \"test\"\npolicy = 'forbid (principal, action, resource) when {{ resource.kind == \"posts\" && context.stances.BLR == \"object\" }};'\n"
    );
    let errors = concord_core::load(&text, "osce.toml").unwrap_err();
    let found: Vec<(usize, Option<&str>, &str)> = errors
        .errors()
        .iter()
        .map(|e| (e.line(), e.problem().entry_id.as_deref(), e.problem().message.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    let line_of = |id: &str| text.lines().position(|l| l == format!("id = \"{id}\"")).unwrap() + 1;
    assert_eq!(found[0].1, Some("blr-follows-rus"));
    assert_eq!(found[1].1, Some("rus-follows-blr"));
    assert!(found[0].0 > line_of("blr-follows-rus") && found[1].0 > line_of("rus-follows-blr"), "{found:?}");
    for (_, _, message) in &found {
        assert_eq!(
            *message,
            "positions depend on each other in a cycle: on proposal `top-posts`, RUS's `rus-follows-blr` reads BLR's stance, and BLR's `blr-follows-rus` reads RUS's stance"
        );
    }
    // Only on the posts: the same positions on chairs would be no cycle, since Russia's reads
    // Belarus on the posts alone.
    let package = format!(
        "{OSCE}\n[[position]]\nid = \"mlt-posts-with-chair\"\nmember = \"MLT\"\nsource = \"test\"\npolicy = 'forbid (principal, action, resource) when {{ resource.kind == \"posts\" }} unless {{ context.outcomes has \"chair-mlt\" && context.outcomes[\"chair-mlt\"] == \"adopted\" }};'\n"
    );
    let errors = concord_core::load(&package, "osce.toml").unwrap_err();
    let message = &errors.errors()[0].problem().message;
    assert!(
        message.starts_with("positions depend on each other in a cycle of outcomes: ")
            && message.contains("`mlt-chair-with-posts` reads the outcome of `top-posts`")
            && message.contains("`mlt-posts-with-chair` reads the outcome of `chair-mlt`"),
        "{message}"
    );
}

#[test]
fn a_stance_or_outcome_named_that_does_not_exist_is_refused() {
    let text = OSCE.replace("context.stances.RUS ==", "context.stances.RUS == \"x\" || context.stances.USA ==");
    let errors = concord_core::load(&text, "osce.toml").unwrap_err();
    assert!(
        errors
            .errors()
            .iter()
            .any(|e| e.problem().message.contains("reads the stance of `USA`, which is not a member")),
        "{errors}"
    );
    let text = OSCE.replace(r#"context.outcomes["top-posts"]"#, r#"context.outcomes["top-post"]"#);
    let errors = concord_core::load(&text, "osce.toml").unwrap_err();
    assert!(
        errors
            .errors()
            .iter()
            .any(|e| e.problem().message.contains("reads the outcome of `top-post`, which is not a proposal")),
        "{errors}"
    );
    let text = OSCE.replace("context.stances has RUS && context.stances.RUS == \"object\"", "context.stances == {}");
    let errors = concord_core::load(&text, "osce.toml").unwrap_err();
    assert!(
        errors.errors().iter().any(|e| e.problem().message.contains("reads `context.stances` as a whole")),
        "{errors}"
    );
}

/// The outcomes linked positions read are kept between evaluations: a vote applied afterwards
/// must be seen (the kept outcomes go with the change).
#[test]
fn a_vote_applied_after_an_evaluation_reaches_the_positions_that_read_its_outcome() {
    let without = OSCE
        .replace("\n[[vote]]\nproposal = \"top-posts\"\nmember = \"RUS\"\nstance = \"consent\"\nat = 2023-12-01\n", "");
    let mut engine = concord_core::load(&without, "osce.toml").unwrap();
    // Without Russia's consent the posts are blocked at the meeting, so the chair is too.
    assert_eq!(objecting_on(&engine, "chair-mlt", "2023-12-01"), (Outcome::Blocked, vec!["MLT".into()]));
    let vote = r#"{"change":"vote","proposal":"top-posts","member":"RUS","stance":"consent"}"#;
    engine.apply("2023-12-01".parse().unwrap(), serde_json::from_str(vote).unwrap()).unwrap();
    assert_eq!(objecting_on(&engine, "top-posts", "2023-12-01"), (Outcome::Adopted, vec![]));
    assert_eq!(objecting_on(&engine, "chair-mlt", "2023-12-01"), (Outcome::Adopted, vec![]));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    /// A what-if decides linked positions as the model does with the fact held throughout, and
    /// the incremental what-if as the one from scratch.
    #[test]
    fn a_what_if_reaches_linked_positions(spec in spec(), fact in 0..FACTS, value in any::<bool>()) {
        let Ok((engine, kept)) = load(&spec) else { return Ok(()) };
        let mut held = spec.clone();
        held.facts[fact] = (value, None);
        let mut model = Model { spec: &held, kept: &kept, stances: HashMap::new(), outcomes: HashMap::new() };
        let set = [(format!("f{fact}"), concord_core::Value::Bool(value))];
        for at in [day(2), day(5)] {
            let base = engine.evaluate(at, &[]).unwrap();
            let quick = base.what_if(&set).unwrap();
            let full = base.what_if_from_scratch(&set).unwrap();
            for p in 0..spec.proposals.len() {
                let (a, b) = (quick.decision(p), full.decision(p));
                prop_assert_eq!(a, b, "incremental and full what-if differ on p-{} on {}", p, at);
                let Some(d) = a else { continue };
                // A recorded decision stays as recorded; none here, so the model decides.
                let expected = model.outcome(p, at).map(|(o, _)| o);
                prop_assert_eq!(Some(d.outcome), expected, "what-if outcome of p-{} on {}:\n{}", p, at, held.toml(&kept));
            }
        }
    }
}

/// Hostile depth: 1,000 members each following the one before, and 300 proposals each held
/// until the one before is adopted (one stratum each), decide on a thread with a small stack (a
/// server's worker has 2 MiB), without overflowing it.
#[test]
fn long_chains_of_linkage_decide_on_a_small_stack() {
    let mut text = String::from("[scenario]\nid = \"chains\"\nas_of = 2025-06-01\n");
    for m in 0..1000 {
        let _ = write!(text, "\n[[member]]\nid = \"M{m}\"\n");
    }
    let ten: Vec<String> = (1..=10).map(|m| format!("\"M{m}\"")).collect();
    let _ = write!(text, "\n[[committee]]\nid = \"C\"\nmembers = [{}]\nrule = \"consensus\"\n", ten.join(", "));
    text.push_str("\n[[committee]]\nid = \"ALL\"\nmembers = \"all\"\nrule = \"consensus\"\n");
    text.push_str("\n[[proposal]]\nid = \"follow\"\ncommittee = \"ALL\"\nkind = \"f\"\nengagement = \"new\"\n");
    const CHAIN: usize = 300;
    for p in 0..CHAIN {
        let _ = write!(
            text,
            "\n[[proposal]]\nid = \"p{p}\"\ncommittee = \"C\"\nkind = \"step\"\nengagement = \"new\"\ncirculated = 2025-05-01\ndeadline = 2025-05-20\nprocedure = \"meeting\"\n"
        );
    }
    // The last member objects and each member follows the next: the first in seat order is
    // worked out through all the others.
    text.push_str("\n[[position]]\nid = \"m999-objects\"\nmember = \"M999\"\nsource = \"test\"\npolicy = 'forbid (principal, action, resource) when { resource.kind == \"f\" };'\n");
    for m in 0..999 {
        let _ = write!(
            text,
            "\n[[position]]\nid = \"m{m}-follows\"\nmember = \"M{m}\"\nsource = \"test\"\npolicy = 'forbid (principal, action, resource) when {{ resource.kind == \"f\" && context.stances has M{} && context.stances.M{} == \"object\" }};'\n",
            m + 1,
            m + 1
        );
    }
    for p in 1..CHAIN {
        let _ = write!(
            text,
            "\n[[position]]\nid = \"after-{p}\"\nmember = \"M{}\"\nsource = \"test\"\npolicy = 'forbid (principal, action, resource == Proposal::\"p{p}\") unless {{ context.outcomes has \"p{}\" && context.outcomes[\"p{}\"] == \"adopted\" }};'\n",
            1 + p % 10,
            p - 1,
            p - 1
        );
    }
    let decided = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let engine = concord_core::load(&text, "chains.toml").unwrap();
            let evaluation = engine.evaluate("2025-06-01".parse().unwrap(), &[]).unwrap();
            let follow = evaluation.decision(engine.proposal_index("follow").unwrap()).unwrap();
            let last = evaluation.decision(engine.proposal_index(&format!("p{}", CHAIN - 1)).unwrap()).unwrap();
            (follow.objections.len(), follow.issues.len(), last.outcome)
        })
        .unwrap()
        .join()
        .unwrap();
    // Everyone follows M999 on `follow`; every step is adopted at the meeting, one after the other.
    // No position fails for want of stack (Cedar would say "recursion limit reached").
    assert_eq!(decided, (1000, 0, Outcome::Adopted));
}

/// See: a proposal's history looked only at its own dates, so a package whose other part was
/// decided (with nothing of its own changing that day) showed no step then.
#[test]
fn the_history_of_a_package_steps_when_its_other_part_is_decided() {
    let text = format!(
        "{OSCE}\n[[proposal]]\nid = \"mandate\"\ncommittee = \"MC\"\nkind = \"mandate\"\nengagement = \"new\"\ncirculated = 2023-11-27\ndeadline = 2023-12-20\nprocedure = \"meeting\"\nattributes = {{ groups = [] }}\n\n[[position]]\nid = \"est-mandate-with-posts\"\nmember = \"EST\"\nsource = \"test\"\npolicy = 'forbid (principal, action, resource) when {{ resource.kind == \"mandate\" }} unless {{ context.outcomes has \"top-posts\" && context.outcomes[\"top-posts\"] == \"adopted\" }};'\n"
    );
    let engine = concord_core::load(&text, "osce.toml").unwrap();
    let p = engine.proposal_index("mandate").unwrap();
    assert_eq!(objecting_on(&engine, "mandate", "2023-12-01"), (Outcome::Pending, vec![]));
    let history = engine.history(p, "2023-12-31".parse().unwrap()).unwrap();
    let steps: Vec<(String, Outcome)> = history.outcomes.iter().map(|s| (s.date.to_string(), s.to)).collect();
    // Blocked until the posts are extended, then pending until its own meeting adopts it.
    let expected =
        [("2023-11-27", Outcome::Blocked), ("2023-12-01", Outcome::Pending), ("2023-12-20", Outcome::Adopted)];
    assert_eq!(steps, expected.map(|(d, o)| (d.to_owned(), o)));
}
