//! The JSON wire format (contract §3), checked field by field: the output of `decide`, `explain`
//! and `what-if` is read into structs written here with `deny_unknown_fields`, so that a field
//! renamed, dropped or turned into another type fails a test. Fields the contract prints always
//! (`reason`, `deadline`, `decided_on`, `recorded`) must be present even when null; the others
//! (`since`, `voted_at`, `evaluation_errors`, `consenting_weight_share`, `computed`,
//! `would_now_be`, a record's `note`) may be left out. What the fields of decisions that stand
//! (contract §5) must hold together is checked in `check_finality`. The wire format of `power` is
//! checked in `power.rs`.
//!
//! The contract allows new fields; these structs refuse them on purpose, so that every change
//! of the wire format is a deliberate one.
//!
//! When a field is added on purpose, add it here too.

use serde::{Deserialize, Deserializer};

use crate::util::{EU_COUNCIL, EXAMPLE, UNSC, concord, eu_populations, example_text, replace_once, scenario_file};

/// An `Option` that must be present in the JSON, possibly as `null`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideWire {
    scenario: String,
    at: String,
    decisions: Vec<DecisionWire>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionWire {
    proposal: String,
    title: String,
    committee: String,
    rule: String,
    rule_text: String,
    outcome: Outcome,
    #[serde(deserialize_with = "nullable")]
    deadline: Option<String>,
    procedure: Procedure,
    #[serde(rename = "final")]
    is_final: bool,
    #[serde(deserialize_with = "nullable")]
    decided_on: Option<String>,
    #[serde(deserialize_with = "nullable")]
    recorded: Option<RecordedWire>,
    #[serde(default)]
    computed: Option<Outcome>,
    #[serde(default)]
    would_now_be: Option<Outcome>,
    stances_on: String,
    tally: TallyWire,
    objections: Vec<ObjectionWire>,
    #[serde(default)]
    consenting_weight_share: Option<f64>,
    #[serde(default)]
    evaluation_errors: Option<Vec<EvalErrorWire>>,
    awaiting: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainWire {
    proposal: String,
    title: String,
    committee: String,
    rule: String,
    rule_text: String,
    outcome: Outcome,
    #[serde(deserialize_with = "nullable")]
    deadline: Option<String>,
    procedure: Procedure,
    #[serde(rename = "final")]
    is_final: bool,
    #[serde(deserialize_with = "nullable")]
    decided_on: Option<String>,
    #[serde(deserialize_with = "nullable")]
    recorded: Option<RecordedWire>,
    #[serde(default)]
    computed: Option<Outcome>,
    #[serde(default)]
    would_now_be: Option<Outcome>,
    stances_on: String,
    tally: TallyWire,
    objections: Vec<ObjectionWire>,
    #[serde(default)]
    consenting_weight_share: Option<f64>,
    #[serde(default)]
    evaluation_errors: Option<Vec<EvalErrorWire>>,
    awaiting: Vec<String>,
    at: String,
    stances: Vec<StanceWire>,
}

/// A decision as the record gives it (contract §5).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RecordedWire {
    outcome: Outcome,
    on: String,
    source: String,
    #[serde(default)]
    note: Option<String>,
    trigger: Trigger,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Procedure {
    Silence,
    Meeting,
    Open,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Trigger {
    Record,
    Deadline,
    Adopted,
    Close,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Adopted,
    Blocked,
    Pending,
    Withdrawn,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Cause {
    Vote,
    Position,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Stance {
    Consent,
    Object,
    Abstain,
    Silent,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct TallyWire {
    consent: u32,
    object: u32,
    abstain: u32,
    silent: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ObjectionWire {
    member: String,
    cause: Cause,
    positions: Vec<PositionWire>,
    facts: Vec<FactWire>,
    #[serde(deserialize_with = "nullable")]
    reason: Option<String>,
    #[serde(default)]
    voted_at: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    statement: Option<String>,
    /// Whether the objection alone prevents adoption.
    veto: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PositionWire {
    id: String,
    source: String,
    #[serde(default)]
    since: Option<String>,
    reads: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactWire {
    id: String,
    value: serde_json::Value,
    as_of: String,
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalErrorWire {
    member: String,
    position: String,
    message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StanceWire {
    member: String,
    stance: Stance,
    #[serde(deserialize_with = "nullable")]
    cause: Option<Cause>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    statement: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WhatIfWire {
    at: String,
    set: serde_json::Map<String, serde_json::Value>,
    changed: Vec<ChangeWire>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeWire {
    proposal: String,
    title: String,
    before: Outcome,
    after: Outcome,
    /// Whether `before` is a decision taken.
    #[serde(rename = "final")]
    is_final: bool,
    objecting_before: Vec<String>,
    objecting_after: Vec<String>,
    positions: Vec<ShiftWire>,
}

/// A position that stopped (`applies: false`) or started objecting in a what-if.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShiftWire {
    member: String,
    position: String,
    applies: bool,
    facts: Vec<String>,
}

/// `unblock --format json` (contract §7).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnblockWire {
    proposal: String,
    at: String,
    outcome: Outcome,
    decided: bool,
    adopted_as_it_is: bool,
    max: usize,
    ways: Vec<WayWire>,
    conditions: Vec<ConditionWire>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WayWire {
    changes: Vec<ChangeOfWire>,
}

/// A change: a fact's value, or a member's stance.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(untagged, deny_unknown_fields)]
enum ChangeOfWire {
    Fact { fact: String, value: serde_json::Value },
    Stance { member: String, stance: Stance },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionWire {
    member: String,
    position: String,
    lifts_when: String,
    only_the_proposal: bool,
}

/// `levers --format json` (contract §7).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LeversWire {
    at: String,
    levers: Vec<LeverWire>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LeverWire {
    change: ChangeOfWire,
    adopts: usize,
    proposals: Vec<String>,
}

#[test]
fn unblock_and_levers_json_match_the_wire_format() {
    let u: UnblockWire = parse(&["unblock", EXAMPLE, "eadrcc-2025-montana", "--format", "json"]);
    assert_eq!(
        (u.proposal.as_str(), u.at.as_str(), u.outcome),
        ("eadrcc-2025-montana", "2025-06-15", Outcome::Blocked)
    );
    assert!(u.decided && !u.adopted_as_it_is && u.max == 3, "{u:?}");
    let ways: Vec<&Vec<ChangeOfWire>> = u.ways.iter().map(|w| &w.changes).collect();
    assert_eq!(ways.len(), 2, "{u:?}");
    assert_eq!(ways[0], &[ChangeOfWire::Stance { member: "TUR".to_owned(), stance: Stance::Consent }]);
    assert_eq!(
        ways[1],
        &[
            ChangeOfWire::Fact { fact: "gaza_aid_unobstructed".to_owned(), value: serde_json::json!(true) },
            ChangeOfWire::Fact { fact: "gaza_permanent_ceasefire".to_owned(), value: serde_json::json!(true) },
        ]
    );
    let c = &u.conditions[0];
    assert_eq!((c.member.as_str(), c.position.as_str()), ("TUR", "tur-no-new-israel-engagement"));
    assert!(!c.lifts_when.is_empty() && !c.only_the_proposal, "{c:?}");
    let l: LeversWire = parse(&["levers", EXAMPLE, "--format", "json"]);
    assert_eq!(l.at, "2025-06-15");
    assert!(l.levers.windows(2).all(|w| w[0].adopts >= w[1].adopts), "most first: {l:?}");
    assert!(l.levers.iter().all(|x| x.adopts == x.proposals.len()), "{l:?}");
    let tur = l.levers.iter().find(|x| x.proposals == ["eadrcc-2025-montana"]).unwrap();
    assert_eq!(tur.change, ChangeOfWire::Stance { member: "TUR".to_owned(), stance: Stance::Consent });
}

#[track_caller]
fn parse<T: for<'de> Deserialize<'de>>(args: &[&str]) -> T {
    let run = concord(args).success();
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("`concord {}`: the JSON does not match the wire format: {e}", args.join(" ")))
}

fn is_date(s: &str) -> bool {
    s.len() == 10 && s.parse::<concord_core::Date>().is_ok()
}

/// Checks what every decision must hold whatever its content.
fn check_decision(d: &DecisionWire, at: &str) {
    assert!(!d.proposal.is_empty() && !d.title.is_empty() && !d.committee.is_empty(), "{d:?}");
    assert!(!d.rule.is_empty() && !d.rule_text.is_empty(), "{d:?}");
    assert!(d.deadline.as_deref().is_none_or(is_date), "{d:?}");
    assert_eq!(d.tally.object as usize, d.objections.len(), "one objection per objecting member: {d:?}");
    // Only a pending proposal awaits votes, and never more members than are silent.
    assert!(d.awaiting.is_empty() || d.outcome == Outcome::Pending, "{d:?}");
    assert!(d.awaiting.len() <= d.tally.silent as usize, "{d:?}");
    for o in &d.objections {
        assert!(!o.member.is_empty());
        match o.cause {
            Cause::Vote => {
                assert!(o.positions.is_empty() && o.facts.is_empty(), "{o:?}");
                assert!(o.reason.as_deref().is_some_and(|r| !r.is_empty()), "{o:?}");
                assert!(o.voted_at.as_deref().is_some_and(|v| is_date(v) && v <= at), "{o:?}");
            }
            Cause::Position => {
                assert!(!o.positions.is_empty() && o.reason.is_none() && o.voted_at.is_none(), "{o:?}");
                for p in &o.positions {
                    assert!(!p.id.is_empty() && !p.source.is_empty(), "{p:?}");
                    assert!(p.since.as_deref().is_none_or(|s| is_date(s) && s <= at), "{p:?}");
                    for id in &p.reads {
                        assert!(o.facts.iter().any(|f| &f.id == id), "`{id}` read but not in `facts`: {o:?}");
                    }
                }
            }
        }
        for f in &o.facts {
            assert!(!f.id.is_empty() && !f.source.is_empty() && is_date(&f.as_of) && f.as_of.as_str() <= at);
            assert!(!f.value.is_null() && !f.value.is_array() && !f.value.is_object(), "{f:?}");
        }
    }
    if let Some(share) = d.consenting_weight_share {
        assert!((0.0..=1.0).contains(&share), "a share lies in [0, 1]: {d:?}");
        assert!(share == 0.0 || d.tally.consent > 0, "no weight consents without a consenting member: {d:?}");
    }
    for e in d.evaluation_errors.iter().flatten() {
        assert!(!e.member.is_empty() && !e.position.is_empty() && !e.message.is_empty(), "{e:?}");
    }
    assert_ne!(d.evaluation_errors.as_ref().map(Vec::len), Some(0), "an empty list is left out");
    check_finality(d, at);
}

/// What `final`, `decided_on`, `recorded`, `computed`, `would_now_be` and `stances_on` must hold
/// together (contract §5).
fn check_finality(d: &DecisionWire, at: &str) {
    assert_eq!(d.is_final, d.decided_on.is_some(), "`final` exactly when `decided_on` is set: {d:?}");
    assert!(!(d.is_final && d.outcome == Outcome::Pending), "a decision taken is never pending: {d:?}");
    assert!(d.is_final || d.outcome != Outcome::Withdrawn, "withdrawn is a decision: {d:?}");
    assert_eq!(
        d.procedure == Procedure::Open,
        d.deadline.is_none(),
        "`open` is the procedure without a deadline: {d:?}"
    );
    assert!(is_date(&d.stances_on) && d.stances_on.as_str() <= at, "{d:?}");
    match d.decided_on.as_deref() {
        Some(on) => {
            assert!(is_date(on) && on <= at, "decided on or before the evaluation date: {d:?}");
            if d.outcome != Outcome::Withdrawn && d.recorded.is_none() {
                assert_eq!(d.stances_on, on, "a decision taken reports the stances of its day: {d:?}");
            }
        }
        None => assert_eq!(d.stances_on, at, "an open proposal reports the stances of the day: {d:?}"),
    }
    if let Some(r) = &d.recorded {
        assert!(d.is_final, "a record is a decision taken: {d:?}");
        assert_eq!(Some(r.on.as_str()), d.decided_on.as_deref(), "{d:?}");
        assert_eq!(r.outcome, d.outcome, "the record stands: {d:?}");
        assert_ne!(r.outcome, Outcome::Pending, "a record is never pending: {d:?}");
        assert!(!r.source.trim().is_empty(), "{d:?}");
        assert!(r.note.as_deref().is_none_or(|n| !n.is_empty()), "{d:?}");
    }
    if let Some(c) = d.computed {
        assert!(d.recorded.is_some(), "`computed` only on a recorded decision: {d:?}");
        assert_ne!(c, d.outcome, "`computed` only where it differs: {d:?}");
        assert_ne!(c, Outcome::Withdrawn, "{d:?}");
    }
    if let Some(w) = d.would_now_be {
        assert!(d.is_final, "`would_now_be` only on a decision taken: {d:?}");
        assert_ne!(w, d.outcome, "`would_now_be` only where it differs: {d:?}");
        assert_ne!(w, Outcome::Withdrawn, "{d:?}");
    }
}

#[test]
fn decide_json_matches_the_wire_format() {
    let report: DecideWire = parse(&["decide", EXAMPLE, "--format", "json"]);
    assert_eq!(report.scenario, "nato-2025");
    assert_eq!(report.at, "2025-06-15");
    assert_eq!(report.decisions.len(), 7);
    for d in &report.decisions {
        check_decision(d, &report.at);
    }
    let montana = &report.decisions[0];
    assert_eq!(montana.proposal, "eadrcc-2025-montana");
    assert_eq!(montana.outcome, Outcome::Blocked);
    assert_eq!(montana.deadline.as_deref(), Some("2025-06-13"));
    assert_eq!(montana.tally, TallyWire { consent: 0, object: 1, abstain: 0, silent: 31 });
    assert_eq!(montana.objections[0].cause, Cause::Position);
    assert_eq!(montana.objections[0].positions[0].since.as_deref(), Some("2024-01-01"));
    assert_eq!(montana.objections[0].positions[0].reads, ["gaza_aid_unobstructed", "gaza_permanent_ceasefire"]);
    let nuc = report.decisions.iter().find(|d| d.proposal == "nuc-2025-statement").unwrap();
    assert_eq!(nuc.objections[0].cause, Cause::Vote);
    assert_eq!(nuc.objections[0].voted_at.as_deref(), Some("2025-06-11"));
    for d in &report.decisions {
        assert_eq!(d.consenting_weight_share, None, "consensus has no weights: {d:?}");
    }
}

#[test]
fn decisions_under_weighted_rules_carry_the_consenting_weight_share() {
    let report: DecideWire = parse(&["decide", EU_COUNCIL, "--format", "json"]);
    assert_eq!(report.decisions.len(), 3);
    for d in &report.decisions {
        check_decision(d, &report.at);
        match d.rule.as_str() {
            "qualified" => {
                let share = d.consenting_weight_share.unwrap_or_else(|| panic!("a qualified vote has a share: {d:?}"));
                assert!(share > 0.0 && share < 1.0, "{d:?}");
            }
            _ => assert_eq!(d.consenting_weight_share, None, "{} has no weights: {d:?}", d.rule),
        }
    }
    let directive = report.decisions.iter().find(|d| d.proposal == "dir-2025-207").unwrap();
    // Every member but the four objecting (DEU, FRA, ITA, POL) consents.
    let populations = eu_populations();
    let total: usize = populations.iter().map(|(_, p)| p).sum();
    let objecting: usize =
        populations.iter().filter(|(id, _)| ["DEU", "FRA", "ITA", "POL"].contains(&id.as_str())).map(|(_, p)| p).sum();
    let expected = (total - objecting) as f64 / total as f64;
    assert!((directive.consenting_weight_share.unwrap() - expected).abs() < 1e-12, "{directive:?}");

    let e: ExplainWire = parse(&["explain", EU_COUNCIL, "dir-2025-207", "--format", "json"]);
    assert!((e.consenting_weight_share.unwrap() - expected).abs() < 1e-12, "{e:?}");
    let e: ExplainWire = parse(&["explain", EXAMPLE, "eadrcc-2025-montana", "--format", "json"]);
    assert_eq!(e.consenting_weight_share, None);

    // Neither a veto rule nor NATO's consensus has weights.
    let report: DecideWire = parse(&["decide", UNSC, "--format", "json"]);
    assert!(report.decisions.iter().all(|d| d.consenting_weight_share.is_none()), "{report:?}");
}

#[test]
fn weighted_rules_carry_the_consenting_weight_share() {
    // The NATO example with the Military Committee deciding by population, 50% of the total.
    let text = replace_once(
        &example_text(),
        "id = \"MC\"\nname = \"Military Committee\"\nmembers = \"all\"\nrule = \"consensus\"",
        "id = \"MC\"\nname = \"Military Committee\"\nmembers = \"all\"\n\
         rule = { kind = \"weighted\", weight = \"population\", quota_share = 0.5 }",
    );
    let file = scenario_file(&text);
    let report: DecideWire = parse(&["decide", file.path(), "--format", "json"]);
    let mut weighted = 0;
    for d in &report.decisions {
        check_decision(d, &report.at);
        if d.committee == "MC" {
            weighted += 1;
            assert_eq!(d.rule, "weighted");
            assert!(d.consenting_weight_share.is_some(), "{d:?}");
        } else {
            assert_eq!(d.consenting_weight_share, None, "{d:?}");
        }
    }
    assert!(weighted > 0, "the example has proposals before the Military Committee");
}

#[test]
fn decide_json_with_set_and_evaluation_errors_matches_the_wire_format() {
    let report: DecideWire = parse(&[
        "decide",
        EXAMPLE,
        "--set",
        "gaza_permanent_ceasefire=true",
        "--set",
        "allies_meeting_2pct_gdp=31",
        "--format",
        "json",
    ]);
    for d in &report.decisions {
        check_decision(d, &report.at);
    }

    // A proposal without a deadline prints `"deadline": null`, and a position that cannot be
    // evaluated shows up in `evaluation_errors`.
    let text = replace_once(&example_text(), "circulated = 2025-05-15\ndeadline = 2025-06-13\n", "");
    let file = scenario_file(&text);
    let report: DecideWire = parse(&["decide", file.path(), "--at", "2024-06-01", "--format", "json"]);
    assert_eq!(report.decisions.len(), 1);
    let d = &report.decisions[0];
    check_decision(d, &report.at);
    assert_eq!(d.deadline, None);
    let errors = d.evaluation_errors.as_ref().expect("evaluation errors");
    assert_eq!((errors[0].member.as_str(), errors[0].position.as_str()), ("TUR", "tur-no-new-israel-engagement"));
}

#[test]
fn explain_json_matches_the_wire_format() {
    for proposal in ["eadrcc-2025-montana", "nuc-2025-statement", "steadfast-2026-spec"] {
        let e: ExplainWire = parse(&["explain", EXAMPLE, proposal, "--format", "json"]);
        assert_eq!(e.proposal, proposal);
        assert_eq!(e.at, "2025-06-15");
        assert_eq!(e.stances.len(), 32);
        let as_decision = DecisionWire {
            proposal: e.proposal,
            title: e.title,
            committee: e.committee,
            rule: e.rule,
            rule_text: e.rule_text,
            outcome: e.outcome,
            deadline: e.deadline,
            procedure: e.procedure,
            is_final: e.is_final,
            decided_on: e.decided_on,
            recorded: e.recorded,
            computed: e.computed,
            would_now_be: e.would_now_be,
            stances_on: e.stances_on,
            tally: e.tally,
            objections: e.objections,
            consenting_weight_share: e.consenting_weight_share,
            evaluation_errors: e.evaluation_errors,
            awaiting: e.awaiting,
        };
        check_decision(&as_decision, &e.at);
        let count = |s: Stance| e.stances.iter().filter(|x| x.stance == s).count() as u32;
        let t = &as_decision.tally;
        assert_eq!(
            (count(Stance::Consent), count(Stance::Object), count(Stance::Abstain), count(Stance::Silent)),
            (t.consent, t.object, t.abstain, t.silent),
            "stances agree with the tally"
        );
        for s in &e.stances {
            assert!(!s.member.is_empty());
            assert_eq!(s.cause.is_none(), s.stance == Stance::Silent, "{s:?}");
        }
    }
}

#[test]
fn what_if_json_matches_the_wire_format() {
    let report: WhatIfWire = parse(&[
        "what-if",
        EXAMPLE,
        "--set",
        "gaza_permanent_ceasefire=true",
        "--set",
        "gaza_aid_unobstructed=true",
        "--set",
        "allies_meeting_2pct_gdp=30",
        "--format",
        "json",
    ]);
    assert_eq!(report.at, "2025-06-15");
    assert_eq!(
        serde_json::Value::Object(report.set),
        serde_json::json!({ "gaza_permanent_ceasefire": true, "gaza_aid_unobstructed": true, "allies_meeting_2pct_gdp": 30 })
    );
    assert_eq!(report.changed.len(), 1);
    let c = &report.changed[0];
    assert_eq!(c.proposal, "eadrcc-2025-montana");
    assert!(c.title.starts_with("20th EADRCC"), "{c:?}");
    assert_eq!((c.before, c.after), (Outcome::Blocked, Outcome::Adopted));
    assert_eq!((c.objecting_before.as_slice(), c.objecting_after.as_slice()), (&["TUR".to_owned()][..], &[][..]));
    assert!(c.is_final, "blocked on its deadline, 2025-06-13: {c:?}");
    let [shift] = c.positions.as_slice() else { panic!("one position stops applying: {c:?}") };
    assert_eq!(
        (shift.member.as_str(), shift.position.as_str(), shift.applies),
        ("TUR", "tur-no-new-israel-engagement", false)
    );
    assert_eq!(shift.facts, ["gaza_aid_unobstructed", "gaza_permanent_ceasefire"], "only the facts set that it reads");
    // Before the deadline, the decision is not taken yet.
    let report: WhatIfWire = parse(&[
        "what-if",
        EXAMPLE,
        "--at",
        "2025-06-10",
        "--set",
        "gaza_permanent_ceasefire=true",
        "--set",
        "gaza_aid_unobstructed=true",
        "--format",
        "json",
    ]);
    let c = &report.changed[0];
    assert_eq!((c.before, c.after, c.is_final), (Outcome::Blocked, Outcome::Pending, false));
}

#[test]
fn objections_say_whether_they_veto() {
    let objections = |file: &str, proposal: &str| -> Vec<(String, bool)> {
        let report: DecideWire = parse(&["decide", file, "--format", "json"]);
        let d = report.decisions.iter().find(|d| d.proposal == proposal).unwrap_or_else(|| panic!("no `{proposal}`"));
        d.objections.iter().map(|o| (o.member.clone(), o.veto)).collect()
    };
    // Under consensus every objection blocks alone.
    assert_eq!(objections(EXAMPLE, "eadrcc-2025-montana"), [("TUR".to_owned(), true)]);
    // Under a veto rule only a veto holder's does.
    assert_eq!(objections(UNSC, "draft-2025-ceasefire"), [("RUS".to_owned(), true)]);
    assert!(objections(UNSC, "draft-2025-sanctions-panel").iter().all(|(_, veto)| !veto));
    // Under a qualified majority no single objection does.
    assert!(objections(EU_COUNCIL, "dir-2025-207").iter().all(|(_, veto)| !veto));
}

/// Every kind of decision of contract §5 in one file: a record that the rule disagrees with, a
/// withdrawal, a meeting, a proposal without a deadline, and one still open.
const PROCEDURES: &str = r#"
[scenario]
id = "procedures"
title = "Procedures"
as_of = 2025-07-01

[[member]]
id = "A"
name = "A"

[[member]]
id = "B"
name = "B"

[[committee]]
id = "CONS"
name = "By consensus"
members = "all"
rule = "consensus"

[[committee]]
id = "UNAN"
name = "By unanimity"
members = "all"
rule = "unanimity"

[[proposal]]
id = "recorded"
title = "Recorded"
committee = "CONS"
kind = "statement"
partners = []
engagement = "new"
circulated = 2025-06-01
deadline = 2025-06-30

[[proposal]]
id = "withdrawn"
title = "Withdrawn"
committee = "UNAN"
kind = "statement"
partners = []
engagement = "new"
circulated = 2025-06-01
deadline = 2025-06-30
withdrawn = 2025-06-20

[[proposal]]
id = "meeting"
title = "Meeting"
committee = "CONS"
kind = "statement"
partners = []
engagement = "new"
circulated = 2025-06-01
deadline = 2025-06-25
procedure = "meeting"

[[proposal]]
id = "no-deadline"
title = "No deadline"
committee = "UNAN"
kind = "statement"
partners = []
engagement = "new"
circulated = 2025-06-01

[[proposal]]
id = "still-open"
title = "Still open"
committee = "CONS"
kind = "statement"
partners = []
engagement = "new"
circulated = 2025-06-01
deadline = 2025-09-30

[[vote]]
proposal = "no-deadline"
member = "A"
stance = "consent"
at = 2025-06-02

[[vote]]
proposal = "still-open"
member = "B"
stance = "object"
at = 2025-06-03
reason = "not yet"

[[decision]]
proposal = "recorded"
on = 2025-06-30
outcome = "blocked"
source = "Chair's statement"
note = "no consensus was reached"
"#;

#[test]
fn decisions_that_stand_match_the_wire_format() {
    let file = scenario_file(PROCEDURES);
    let report: DecideWire = parse(&["decide", file.path(), "--format", "json"]);
    for d in &report.decisions {
        check_decision(d, &report.at);
    }
    let of = |id: &str| report.decisions.iter().find(|d| d.proposal == id).unwrap_or_else(|| panic!("no `{id}`"));

    let r = of("recorded");
    assert_eq!(
        (r.outcome, r.procedure, r.computed, r.would_now_be),
        (Outcome::Blocked, Procedure::Silence, Some(Outcome::Adopted), Some(Outcome::Adopted))
    );
    let rec = r.recorded.clone().expect("recorded");
    assert_eq!(
        (rec.on.as_str(), rec.source.as_str(), rec.note.as_deref(), rec.trigger),
        ("2025-06-30", "Chair's statement", Some("no consensus was reached"), Trigger::Record)
    );

    let w = of("withdrawn");
    assert_eq!((w.outcome, w.is_final, w.decided_on.as_deref()), (Outcome::Withdrawn, true, Some("2025-06-20")));
    assert!(w.recorded.is_none(), "{w:?}");

    let m = of("meeting");
    assert_eq!(
        (m.outcome, m.procedure, m.decided_on.as_deref()),
        (Outcome::Adopted, Procedure::Meeting, Some("2025-06-25"))
    );

    let n = of("no-deadline");
    assert_eq!(
        (n.outcome, n.procedure, n.is_final),
        (Outcome::Pending, Procedure::Open, false),
        "unanimity waits for B: {n:?}"
    );

    let o = of("still-open");
    assert_eq!((o.outcome, o.is_final, o.stances_on.as_str()), (Outcome::Blocked, false, "2025-07-01"));

    // explain carries the same fields.
    for id in ["recorded", "withdrawn", "meeting", "no-deadline", "still-open"] {
        let e: ExplainWire = parse(&["explain", file.path(), id, "--format", "json"]);
        assert_eq!((e.is_final, e.decided_on.as_deref()), (of(id).is_final, of(id).decided_on.as_deref()), "{id}");
    }
}

#[test]
fn decisions_recorded_in_a_store_match_the_wire_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let db = db.to_str().unwrap();
    concord(&["--db", db, "init", EXAMPLE]).success();
    concord(&["--db", db, "close", "steadfast-2026-spec", "--at", "2025-06-16", "--reason", "agreed early"]).success();
    concord(&["--db", db, "tick", "--now", "2025-06-16"]).success();
    let report: DecideWire = parse(&["--db", db, "decide", "--format", "json"]);
    for d in &report.decisions {
        check_decision(d, &report.at);
        let r = d.recorded.as_ref().unwrap_or_else(|| panic!("every decision is recorded by now: {d:?}"));
        assert!(r.source.starts_with("ledger entry "), "{d:?}");
        let expected = if d.proposal == "steadfast-2026-spec" { Trigger::Close } else { Trigger::Deadline };
        assert_eq!(r.trigger, expected, "{d:?}");
    }
}

/// Three members under unanimity: A consents to `both`, B and C hold positions against it, B's
/// lifting when `f` is true; `quiet` has A's consent only.
const LINKED_BLOCKERS: &str = r#"
[scenario]
id = "blockers"
as_of = 2025-06-15

[[member]]
id = "A"
[[member]]
id = "B"
[[member]]
id = "C"

[[committee]]
id = "U"
members = "all"
rule = "unanimity"

[[fact]]
id = "f"
value = false
as_of = 2025-01-01
source = "Wire report"

[[proposal]]
id = "both"
committee = "U"
kind = "exercise"
engagement = "new"

[[proposal]]
id = "quiet"
committee = "U"
kind = "statement"
engagement = "new"

[[position]]
id = "b-until-f"
member = "B"
source = "B's statement"
policy = '''
forbid (principal, action, resource) when { resource.kind == "exercise" } unless { context.facts.f };
'''

[[position]]
id = "c-never"
member = "C"
source = "C's statement"
policy = '''
forbid (principal, action, resource) when { resource.kind == "exercise" };
'''

[[vote]]
proposal = "quiet"
member = "A"
stance = "consent"
at = 2025-06-01
"#;

// See: issue 12 (what-if listed only proposals whose outcome changes, so a blocker that drops out
// while another remains was invisible).
#[test]
fn what_if_lists_a_blocker_that_drops_out_while_another_remains() {
    let file = scenario_file(LINKED_BLOCKERS);
    let report: WhatIfWire = parse(&["what-if", file.path(), "--set", "f=true", "--format", "json"]);
    assert_eq!(report.changed.len(), 1, "{report:?}");
    let c = &report.changed[0];
    assert_eq!(c.proposal, "both");
    assert_eq!((c.before, c.after), (Outcome::Blocked, Outcome::Blocked));
    assert_eq!(c.objecting_before, ["B", "C"]);
    assert_eq!(c.objecting_after, ["C"]);
    let table = concord(&["what-if", file.path(), "--set", "f=true"]).success().stdout;
    assert!(table.contains("B, C → C"), "{table}");
    assert!(table.contains("0 proposals change outcome; 1 changes only who objects."), "{table}");
}

// See: issue 12 (a pending unanimity item said "awaiting votes" without naming who).
#[test]
fn a_pending_proposal_names_the_members_it_awaits() {
    let file = scenario_file(LINKED_BLOCKERS);
    let report: DecideWire = parse(&["decide", file.path(), "--format", "json"]);
    let quiet = report.decisions.iter().find(|d| d.proposal == "quiet").unwrap();
    assert_eq!(quiet.outcome, Outcome::Pending);
    assert_eq!(quiet.awaiting, ["B", "C"]);
    let both = report.decisions.iter().find(|d| d.proposal == "both").unwrap();
    assert!(both.awaiting.is_empty(), "a blocked proposal awaits nobody: {both:?}");
    let explained: ExplainWire = parse(&["explain", file.path(), "quiet", "--format", "json"]);
    assert_eq!(explained.awaiting, ["B", "C"]);
    let text = concord(&["explain", file.path(), "quiet"]).success().stdout;
    assert!(text.contains("awaiting: B, C"), "{text}");
    let table = concord(&["decide", file.path()]).success().stdout;
    assert!(table.contains("awaiting votes from B, C"), "{table}");
}

// See: issue 12 (a consent's interpretative statement and a vote's source had no place).
#[test]
fn a_vote_keeps_its_source_and_statement_in_explain_and_decide() {
    let text = format!(
        "{LINKED_BLOCKERS}{}",
        r#"
[[vote]]
proposal = "quiet"
member = "B"
stance = "consent"
at = 2025-06-02
source = "B's note verbale of 2025-06-02"
statement = "B joins consensus on the understanding that the statement binds no one"

[[vote]]
proposal = "quiet"
member = "C"
stance = "object"
at = 2025-06-03
reason = "too early"
source = "C's statement to the council"
statement = "C reserves its position on the annex"
"#
    );
    let file = scenario_file(&text);
    let explained: ExplainWire = parse(&["explain", file.path(), "quiet", "--format", "json"]);
    let b = explained.stances.iter().find(|s| s.member == "B").unwrap();
    assert_eq!(b.source.as_deref(), Some("B's note verbale of 2025-06-02"));
    assert!(b.statement.as_deref().is_some_and(|s| s.starts_with("B joins consensus")));
    let c = &explained.objections[0];
    assert_eq!((c.member.as_str(), c.source.as_deref()), ("C", Some("C's statement to the council")));
    assert_eq!(c.statement.as_deref(), Some("C reserves its position on the annex"));
    let decided: DecideWire = parse(&["decide", file.path(), "--format", "json"]);
    let quiet = decided.decisions.iter().find(|d| d.proposal == "quiet").unwrap();
    assert_eq!(quiet.objections[0].statement.as_deref(), Some("C reserves its position on the annex"));
    let words = concord(&["explain", file.path(), "quiet"]).success().stdout;
    assert!(words.contains("statement: C reserves its position on the annex"), "{words}");
    assert!(
        words.contains("B consent, with a statement (B's note verbale of 2025-06-02): B joins consensus"),
        "{words}"
    );
    // The scenario written back keeps both.
    let exported = concord_core::scenario::write(concord_core::load(&text, "t.toml").unwrap().scenario());
    assert!(exported.contains("statement = \"C reserves its position on the annex\""), "{exported}");
}
