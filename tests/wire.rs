//! The JSON wire format (contract §3), checked field by field: the output of `decide`, `explain`
//! and `what-if` is read into structs written here with `deny_unknown_fields`, so that a field
//! renamed, dropped or turned into another type fails a test. Fields the contract prints always
//! (`reason`, `deadline`) must be present even when null; the others (`since`, `voted_at`,
//! `evaluation_errors`, `consenting_weight_share`) may be left out. The wire format of `power`
//! is checked in `power.rs`.
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
    tally: TallyWire,
    objections: Vec<ObjectionWire>,
    #[serde(default)]
    consenting_weight_share: Option<f64>,
    #[serde(default)]
    evaluation_errors: Option<Vec<EvalErrorWire>>,
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
    tally: TallyWire,
    objections: Vec<ObjectionWire>,
    #[serde(default)]
    consenting_weight_share: Option<f64>,
    #[serde(default)]
    evaluation_errors: Option<Vec<EvalErrorWire>>,
    at: String,
    stances: Vec<StanceWire>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Adopted,
    Blocked,
    Pending,
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
            tally: e.tally,
            objections: e.objections,
            consenting_weight_share: e.consenting_weight_share,
            evaluation_errors: e.evaluation_errors,
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
