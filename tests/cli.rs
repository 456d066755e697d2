//! The command line on the example scenario: what users and scripts rely on in `check`, `decide`,
//! `explain` and `what-if`, evaluation dates, and exit statuses.

use serde_json::{Value, json};

use crate::util::{EXAMPLE, concord, decision, example_text, outcomes, replace_once, scenario_file};

const CEASEFIRE: &str = "gaza_permanent_ceasefire";
const AID: &str = "gaza_aid_unobstructed";
const MONTANA: &str = "eadrcc-2025-montana";

fn decide(extra: &[&str]) -> Value {
    let mut args = vec!["decide", EXAMPLE, "--format", "json"];
    args.extend_from_slice(extra);
    concord(&args).success().json()
}

fn what_if(sets: &[&str]) -> Value {
    let mut args = vec!["what-if", EXAMPLE, "--format", "json"];
    for s in sets {
        args.extend_from_slice(&["--set", s]);
    }
    concord(&args).success().json()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

/// The outcomes of the example on its own date, as documented in docs/scenario-format.md §7.
const EXAMPLE_OUTCOMES: &[(&str, &str)] = &[
    ("eadrcc-2025-montana", "blocked"),
    ("isr-continuing-status", "adopted"),
    ("mrt-dcb-2025", "adopted"),
    ("mtep-2026", "adopted"),
    ("diana-2026-challenges", "adopted"),
    ("steadfast-2026-spec", "pending"),
    ("nuc-2025-statement", "blocked"),
];

// ---------------------------------------------------------------------------------------------
// check

#[test]
fn check_prints_a_one_line_summary() {
    let run = concord(&["check", EXAMPLE]).success();
    assert_eq!(run.stdout.lines().count(), 1, "one line expected:\n{}", run.stdout);
    assert!(run.stdout.starts_with(EXAMPLE), "the summary names the file: {}", run.stdout);
    for part in ["nato-2025", "32 members", "7 proposals", "1 position,", "6 fact observations", "2 votes"] {
        assert!(run.stdout.contains(part), "summary lacks `{part}`: {}", run.stdout);
    }
}

// ---------------------------------------------------------------------------------------------
// decide

#[test]
fn decide_json_header_names_scenario_and_date() {
    let report = decide(&[]);
    assert_eq!(report["scenario"], "nato-2025");
    assert_eq!(report["at"], "2025-06-15", "defaults to [scenario].as_of");
}

#[test]
fn decide_outcomes_match_the_documented_table() {
    assert_eq!(outcomes(&decide(&[])), pairs(EXAMPLE_OUTCOMES));
}

#[test]
fn decide_montana_blocked_by_turkeys_position_with_its_facts() {
    let report = decide(&[]);
    let d = decision(&report, MONTANA);
    assert_eq!(d["committee"], "MC");
    assert_eq!(d["rule"], "consensus");
    assert_eq!(d["outcome"], "blocked");
    assert_eq!(d["tally"], json!({ "consent": 0, "object": 1, "abstain": 0, "silent": 31 }));

    let objections = d["objections"].as_array().unwrap();
    assert_eq!(objections.len(), 1, "exactly one objection: {objections:#?}");
    let o = &objections[0];
    assert_eq!(o["member"], "TUR");
    assert_eq!(o["cause"], "position");
    assert_eq!(o["reason"], Value::Null, "`reason` is present and null for a position");

    let positions = o["positions"].as_array().unwrap();
    assert_eq!(positions.len(), 1);
    assert_eq!(positions[0]["id"], "tur-no-new-israel-engagement");
    assert!(positions[0]["source"].as_str().is_some_and(|s| s.starts_with("Middle East Eye")), "{positions:#?}");

    // The facts the position reads, with the observation in force on the date: for the ceasefire,
    // the later of its two observations.
    let facts = o["facts"].as_array().unwrap();
    let ids: Vec<&str> = facts.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [AID, CEASEFIRE], "only the facts the position reads, by id");
    for (f, as_of) in facts.iter().zip(["2025-03-02", "2025-03-18"]) {
        assert_eq!(f["value"], false, "{f}");
        assert_eq!(f["as_of"], as_of, "{f}");
        assert!(f["source"].as_str().is_some_and(|s| !s.trim().is_empty()), "{f}");
    }
}

#[test]
fn decide_vote_objection_names_vote_reason_and_date() {
    let report = decide(&[]);
    let d = decision(&report, "nuc-2025-statement");
    assert_eq!(d["outcome"], "blocked");
    assert_eq!(d["tally"], json!({ "consent": 1, "object": 1, "abstain": 0, "silent": 30 }));
    let objections = d["objections"].as_array().unwrap();
    assert_eq!(objections.len(), 1);
    let o = &objections[0];
    assert_eq!(o["member"], "HUN");
    assert_eq!(o["cause"], "vote");
    assert_eq!(o["positions"], json!([]));
    assert_eq!(o["facts"], json!([]));
    assert!(o["reason"].as_str().is_some_and(|r| r.starts_with("Illustrative: Hungary breaks silence")), "{o}");
    assert_eq!(o["voted_at"], "2025-06-11");
}

#[test]
fn decide_continuing_engagement_with_israel_is_adopted() {
    let report = decide(&[]);
    let d = decision(&report, "isr-continuing-status");
    assert_eq!(d["outcome"], "adopted");
    assert_eq!(d["objections"], json!([]));
    assert_eq!(d["tally"], json!({ "consent": 0, "object": 0, "abstain": 0, "silent": 32 }));
}

#[test]
fn decide_with_both_facts_set_adopts_montana_and_changes_nothing_else() {
    let report = decide(&["--set", &format!("{CEASEFIRE}=true"), "--set", &format!("{AID}=true")]);
    let d = decision(&report, MONTANA);
    assert_eq!(d["outcome"], "adopted");
    assert_eq!(d["objections"], json!([]));
    assert_eq!(d["tally"], json!({ "consent": 0, "object": 0, "abstain": 0, "silent": 32 }));
    let mut expected = pairs(EXAMPLE_OUTCOMES);
    expected[0].1 = "adopted".to_owned();
    assert_eq!(outcomes(&report), expected);
}

#[test]
fn decide_set_is_a_value_held_throughout_with_source_what_if() {
    // A `--set` is a counterfactual: the fact had that value throughout, so its observation holds
    // from the first date there is.
    let report = decide(&["--set", &format!("{CEASEFIRE}=true")]);
    let d = decision(&report, MONTANA);
    assert_eq!(d["outcome"], "blocked", "one fact is not enough: the position requires both");
    let facts = d["objections"][0]["facts"].as_array().unwrap();
    let ceasefire = facts.iter().find(|f| f["id"] == CEASEFIRE).expect("the set fact is listed");
    assert_eq!(ceasefire, &json!({ "id": CEASEFIRE, "value": true, "as_of": "0001-01-01", "source": "what-if" }));
    let aid = facts.iter().find(|f| f["id"] == AID).expect("the other fact is listed");
    assert_eq!(aid["as_of"], "2025-03-02", "a fact not set keeps its own observation");
}

#[test]
fn decide_says_when_each_decision_was_taken() {
    // On the example's date every silence procedure but steadfast-2026-spec's has reached its
    // deadline: decided on it, with the stances of that day.
    let report = decide(&[]);
    for d in report["decisions"].as_array().unwrap() {
        assert_eq!(d["procedure"], "silence", "{d:#}");
        assert_eq!(d["recorded"], Value::Null, "a file without `[[decision]]`: {d:#}");
        assert!(d.get("computed").is_none() && d.get("would_now_be").is_none(), "{d:#}");
        if d["proposal"] == "steadfast-2026-spec" {
            assert_eq!((&d["final"], &d["decided_on"]), (&json!(false), &Value::Null), "{d:#}");
            assert_eq!(d["stances_on"], "2025-06-15", "an open proposal's stances are the day's");
        } else {
            assert_eq!(d["final"], true, "{d:#}");
            assert_eq!(d["decided_on"], d["deadline"], "decided on its deadline: {d:#}");
            assert_eq!(d["stances_on"], d["decided_on"], "{d:#}");
        }
    }
    // After its deadline steadfast-2026-spec is adopted, on it; nothing else changes, however late.
    for at in ["2025-07-01", "2030-01-01"] {
        let later = decide(&["--at", at]);
        let mut expected = pairs(EXAMPLE_OUTCOMES);
        expected[5].1 = "adopted".to_owned();
        assert_eq!(outcomes(&later), expected, "on {at}");
        let s = decision(&later, "steadfast-2026-spec");
        assert_eq!((&s["final"], &s["decided_on"]), (&json!(true), &json!("2025-06-30")));
        let montana = decision(&later, MONTANA);
        assert_eq!(montana, decision(&report, MONTANA), "a decision taken reads the same on any later date");
    }
}

#[test]
fn decide_table_and_explain_say_decided_or_open() {
    let table = concord(&["decide", EXAMPLE]).success().stdout;
    assert!(table.lines().next().unwrap().contains("DECIDED"), "{table}");
    let row = |id: &str| table.lines().find(|l| l.starts_with(id)).unwrap_or_else(|| panic!("no `{id}`:\n{table}"));
    assert!(row(MONTANA).contains("2025-06-13"), "{table}");
    assert!(row("steadfast-2026-spec").contains("open"), "{table}");
    assert!(table.contains("6 decided, 1 open"), "{table}");

    let text = concord(&["explain", EXAMPLE, MONTANA]).success().stdout;
    assert!(text.contains("decided on 2025-06-13 at its silence deadline"), "{text}");
    assert!(text.contains("tally on 2025-06-13"), "{text}");
    let text = concord(&["explain", EXAMPLE, "steadfast-2026-spec"]).success().stdout;
    assert!(text.contains("PENDING (open)"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// what-if

#[test]
fn what_if_both_facts_changes_only_montana() {
    let report = what_if(&[&format!("{CEASEFIRE}=true"), &format!("{AID}=true")]);
    assert_eq!(report["at"], "2025-06-15");
    assert_eq!(report["set"], json!({ CEASEFIRE: true, AID: true }));
    let set_keys: Vec<&String> = report["set"].as_object().unwrap().keys().collect();
    assert_eq!(set_keys, [CEASEFIRE, AID], "`set` keeps the order given");
    let changed: Vec<(&str, &str, &str)> = report["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["proposal"].as_str().unwrap(), c["before"].as_str().unwrap(), c["after"].as_str().unwrap()))
        .collect();
    assert_eq!(changed, [(MONTANA, "blocked", "adopted")]);
}

#[test]
fn what_if_one_fact_alone_changes_nothing() {
    for set in [format!("{CEASEFIRE}=true"), format!("{AID}=true")] {
        let report = what_if(&[&set]);
        assert_eq!(report["changed"], json!([]), "--set {set}");
    }
}

#[test]
fn what_if_a_fact_no_position_reads_changes_nothing() {
    // Both are observed in the file; no position reads them.
    for set in ["allies_meeting_2pct_gdp=32", "gaza_ceasefire_in_force=true"] {
        let report = what_if(&[set]);
        assert_eq!(report["changed"], json!([]), "--set {set}");
    }
}

#[test]
fn a_set_of_a_fact_not_in_the_file_is_refused_with_the_closest_ids() {
    // A fact neither observed nor read by any position: a mistake, never silently ignored.
    for cmd in ["what-if", "decide", "explain"] {
        let mut args = vec![cmd, EXAMPLE];
        if cmd == "explain" {
            args.push(MONTANA);
        }
        args.extend(["--set", "not_in_the_file=yes"]);
        let run = concord(&args).failure();
        assert!(run.stderr.contains("`not_in_the_file`"), "`{}`: {}", args.join(" "), run.stderr);
    }
    let run = concord(&["what-if", EXAMPLE, "--set", "gaza_aid_unobstruted=true"]).failure();
    assert!(run.stderr.contains("`gaza_aid_unobstructed`"), "the closest id is suggested: {}", run.stderr);
}

#[test]
fn decide_set_and_what_if_agree_on_a_recorded_decision() {
    // The exercise's blocking recorded as the minutes give it. With both facts true throughout,
    // the rule adopts it on its day: the `--set` changes the computed outcome, so the recorded
    // decision does not stand in that world (contract §5, "What-if and decisions"), and `decide`,
    // `explain` and `what-if` say the same.
    let text = format!(
        "{}\n[[decision]]\nproposal = \"{MONTANA}\"\non = 2025-06-13\noutcome = \"blocked\"\nsource = \"MC minutes\"\n",
        example_text()
    );
    let file = scenario_file(&text);
    let sets = ["--set", "gaza_permanent_ceasefire=true", "--set", "gaza_aid_unobstructed=true"];
    let with_sets = |base: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(&sets);
        args.extend(["--format", "json"]);
        concord(&args).success().json()
    };
    let plain = concord(&["decide", file.path(), "--format", "json"]).success().json();
    assert_eq!(decision(&plain, MONTANA)["recorded"]["source"], "MC minutes");
    let report = with_sets(&["what-if", file.path()]);
    let changed = report["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{report:#}");
    assert_eq!((&changed[0]["before"], &changed[0]["after"]), (&json!("blocked"), &json!("adopted")));
    let decided = with_sets(&["decide", file.path()]);
    assert_eq!(decision(&decided, MONTANA)["outcome"], "adopted", "decide --set says what what-if's `after` says");
    let explained = with_sets(&["explain", file.path(), MONTANA]);
    assert_eq!(explained["outcome"], "adopted");
}

#[test]
fn what_if_says_whether_the_decision_before_was_final() {
    // On 2025-06-10 the exercise's silence procedure still runs (deadline 2025-06-13): blocked by
    // TUR while open; with both facts true throughout it is pending, not yet adopted.
    let sets = ["--set", "gaza_permanent_ceasefire=true", "--set", "gaza_aid_unobstructed=true"];
    let changed = |at: &str| -> Value {
        let mut args = vec!["what-if", EXAMPLE, "--at", at, "--format", "json"];
        args.extend_from_slice(&sets);
        concord(&args).success().json()["changed"].clone()
    };
    let open = changed("2025-06-10");
    assert_eq!(open.as_array().unwrap().len(), 1, "{open:#}");
    assert_eq!(
        (&open[0]["before"], &open[0]["after"], &open[0]["final"]),
        (&json!("blocked"), &json!("pending"), &json!(false))
    );
    // From the deadline on, both are decisions taken on 2025-06-13.
    for at in ["2025-06-13", "2025-06-15", "2026-01-01"] {
        let c = changed(at);
        assert_eq!(
            (&c[0]["before"], &c[0]["after"], &c[0]["final"]),
            (&json!("blocked"), &json!("adopted"), &json!(true)),
            "{at}"
        );
    }
}

#[test]
fn what_if_the_facts_as_they_are_changes_nothing() {
    let report = what_if(&[&format!("{CEASEFIRE}=false"), &format!("{AID}=false")]);
    assert_eq!(report["changed"], json!([]));
}

#[test]
fn what_if_on_another_date() {
    // On 2025-06-05 the silence procedure of eadrcc-2025-montana still runs, but TUR objects at
    // once: blocked, and adopted once both facts hold would need the deadline (2025-06-13).
    let run = concord(&[
        "what-if",
        EXAMPLE,
        "--at",
        "2025-06-05",
        "--set",
        &format!("{CEASEFIRE}=true"),
        "--set",
        &format!("{AID}=true"),
        "--format",
        "json",
    ])
    .success();
    let report = run.json();
    assert_eq!(report["at"], "2025-06-05");
    let changed = report["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{changed:#?}");
    assert_eq!(
        (&changed[0]["proposal"], &changed[0]["before"], &changed[0]["after"]),
        (&json!(MONTANA), &json!("blocked"), &json!("pending"))
    );
}

// ---------------------------------------------------------------------------------------------
// explain

#[test]
fn explain_json_is_the_decision_plus_every_seated_members_stance() {
    let mut explained = concord(&["explain", EXAMPLE, MONTANA, "--format", "json"]).success().json();
    let stances = explained["stances"].as_array().unwrap().clone();
    assert_eq!(stances.len(), 32, "one stance per seated member");
    let mut members: Vec<&str> = stances.iter().map(|s| s["member"].as_str().unwrap()).collect();
    members.sort_unstable();
    members.dedup();
    assert_eq!(members.len(), 32, "each member once");
    for s in &stances {
        if s["member"] == "TUR" {
            assert_eq!(s, &json!({ "member": "TUR", "stance": "object", "cause": "position" }));
        } else {
            assert_eq!(s["stance"], "silent", "{s}");
            assert_eq!(s["cause"], Value::Null, "{s}");
        }
    }
    assert_eq!(explained["at"], "2025-06-15");

    // Less `at` and `stances`, it is the very decision that `decide` prints.
    let object = explained.as_object_mut().unwrap();
    object.remove("at");
    object.remove("stances");
    assert_eq!(&explained, decision(&decide(&[]), MONTANA));
}

#[test]
fn explain_json_names_votes_as_causes() {
    let explained = concord(&["explain", EXAMPLE, "nuc-2025-statement", "--format", "json"]).success().json();
    let stances = explained["stances"].as_array().unwrap();
    let of = |m: &str| stances.iter().find(|s| s["member"] == m).unwrap().clone();
    assert_eq!(of("HUN"), json!({ "member": "HUN", "stance": "object", "cause": "vote" }));
    assert_eq!(of("POL"), json!({ "member": "POL", "stance": "consent", "cause": "vote" }));
    assert_eq!(of("TUR"), json!({ "member": "TUR", "stance": "silent", "cause": null }));
}

#[test]
fn explain_text_names_member_position_source_and_facts() {
    let run = concord(&["explain", EXAMPLE, MONTANA]).success();
    let text = &run.stdout;
    for part in [MONTANA, "BLOCKED", "TUR", "tur-no-new-israel-engagement", "Middle East Eye", CEASEFIRE, AID] {
        assert!(text.contains(part), "explanation lacks `{part}`:\n{text}");
    }
    assert!(!text.contains('\u{1b}'), "no colour codes with NO_COLOR and a pipe:\n{text}");
}

// ---------------------------------------------------------------------------------------------
// dates

#[test]
fn decide_leaves_out_proposals_not_yet_circulated() {
    // Every proposal of the example is circulated in May or June 2025.
    let report = decide(&["--at", "2024-01-01"]);
    assert_eq!(report["at"], "2024-01-01");
    assert_eq!(report["decisions"], json!([]));

    // On 2025-05-20: the five circulated by then, `isr-continuing-status` on that very day.
    let report = decide(&["--at", "2025-05-20"]);
    let ids: Vec<String> = outcomes(&report).into_iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids,
        ["eadrcc-2025-montana", "isr-continuing-status", "mrt-dcb-2025", "mtep-2026", "diana-2026-challenges"]
    );
}

#[test]
fn explain_of_a_proposal_not_yet_circulated_fails() {
    let run = concord(&["explain", EXAMPLE, "steadfast-2026-spec", "--at", "2025-06-01"]).failure();
    assert!(run.stderr.contains("steadfast-2026-spec"), "{}", run.stderr);
}

#[test]
fn silence_counts_as_consent_from_the_deadline_on() {
    // mtep-2026: deadline 2025-06-06, no objection.
    let before = decide(&["--at", "2025-06-05"]);
    assert_eq!(decision(&before, "mtep-2026")["outcome"], "pending");
    let on = decide(&["--at", "2025-06-06"]);
    assert_eq!(decision(&on, "mtep-2026")["outcome"], "adopted");
}

#[test]
fn a_vote_counts_from_its_date() {
    // HUN objects on 2025-06-11; POL consents on 2025-06-10; the deadline is 2025-06-12.
    let report = decide(&["--at", "2025-06-10"]);
    let d = decision(&report, "nuc-2025-statement");
    assert_eq!(d["outcome"], "pending");
    assert_eq!(d["tally"], json!({ "consent": 1, "object": 0, "abstain": 0, "silent": 31 }));
    let report = decide(&["--at", "2025-06-11"]);
    assert_eq!(decision(&report, "nuc-2025-statement")["outcome"], "blocked");
}

/// The example with `eadrcc-2025-montana` circulated in 2023, so that it is before the Military
/// Committee before Sweden joined (2024-03-07).
fn early_example() -> crate::util::TempScenario {
    scenario_file(&replace_once(&example_text(), "circulated = 2025-05-15", "circulated = 2023-12-01"))
}

#[test]
fn members_sit_only_from_their_joined_date() {
    let file = early_example();
    for (at, seated) in [("2024-01-01", 31), ("2024-03-06", 31), ("2024-03-07", 32)] {
        let report = concord(&["decide", file.path(), "--at", at, "--format", "json"]).success().json();
        let ids: Vec<String> = outcomes(&report).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, [MONTANA], "only the proposal circulated by {at}");
        let t = &decision(&report, MONTANA)["tally"];
        let total: u64 = ["consent", "object", "abstain", "silent"].iter().map(|k| t[k].as_u64().unwrap()).sum();
        assert_eq!(total, seated, "seated members on {at}: {t}");

        let explained = concord(&["explain", file.path(), MONTANA, "--at", at, "--format", "json"]).success().json();
        let stances = explained["stances"].as_array().unwrap();
        assert_eq!(stances.len() as u64, seated, "stances on {at}");
        assert_eq!(stances.iter().any(|s| s["member"] == "SWE"), seated == 32, "Sweden seated on {at}");
    }
}

#[test]
fn listed_members_sit_only_from_their_joined_date_too() {
    let text = r#"
[scenario]
id = "listed"
title = "Listed"
as_of = 2025-06-15

[[member]]
id = "A"
name = "A"

[[member]]
id = "B"
name = "B"
joined = 2025-07-01

[[member]]
id = "C"
name = "C"

[[committee]]
id = "AB"
name = "A and B"
members = ["A", "B"]
rule = "unanimity"

[[proposal]]
id = "p"
title = "P"
committee = "AB"
kind = "statement"
partners = []
engagement = "new"
circulated = 2025-05-01
deadline = 2025-07-10

[[vote]]
proposal = "p"
member = "A"
stance = "consent"
at = 2025-06-01
"#;
    let file = scenario_file(text);
    let report = concord(&["decide", file.path(), "--format", "json"]).success().json();
    let d = decision(&report, "p");
    assert_eq!(d["tally"], json!({ "consent": 1, "object": 0, "abstain": 0, "silent": 0 }), "only A sits; C never");
    assert_eq!((&d["outcome"], &d["final"]), (&json!("adopted"), &json!(false)), "open until its deadline: {d:#}");
    let report = concord(&["decide", file.path(), "--at", "2025-07-01", "--format", "json"]).success().json();
    let d = decision(&report, "p");
    assert_eq!(d["tally"], json!({ "consent": 1, "object": 0, "abstain": 0, "silent": 1 }), "B sits from 2025-07-01");
    assert_eq!(d["outcome"], "pending", "unanimity waits for B's vote");
    // On its deadline, with B still silent, unanimity is not met: blocked, and it stays so.
    let report = concord(&["decide", file.path(), "--at", "2025-08-01", "--format", "json"]).success().json();
    let d = decision(&report, "p");
    assert_eq!((&d["outcome"], &d["decided_on"]), (&json!("blocked"), &json!("2025-07-10")), "{d:#}");

    // Without a deadline the proposal is decided the first day unanimity holds: when only A sits,
    // on A's vote; B's seat later does not reopen it.
    let file = scenario_file(&replace_once(text, "deadline = 2025-07-10\n", ""));
    let report = concord(&["decide", file.path(), "--at", "2025-07-01", "--format", "json"]).success().json();
    let d = decision(&report, "p");
    assert_eq!(
        (&d["outcome"], &d["decided_on"], &d["procedure"]),
        (&json!("adopted"), &json!("2025-06-01"), &json!("open"))
    );
    assert_eq!(d["tally"], json!({ "consent": 1, "object": 0, "abstain": 0, "silent": 0 }), "the seats of its day");
}

#[test]
fn a_position_that_reads_an_absent_fact_does_not_object_and_says_why() {
    // On 2024-01-01 TUR's position is in force, but `gaza_permanent_ceasefire` has no
    // observation yet: an evaluation error, reported, never an objection.
    let file = early_example();
    let report = concord(&["decide", file.path(), "--at", "2024-01-01", "--format", "json"]).success().json();
    let d = decision(&report, MONTANA);
    assert_eq!(d["outcome"], "pending");
    assert_eq!(d["objections"], json!([]));
    let errors = d["evaluation_errors"].as_array().expect("`evaluation_errors` present when there are some");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["member"], "TUR");
    assert_eq!(errors[0]["position"], "tur-no-new-israel-engagement");
    assert!(errors[0]["message"].as_str().is_some_and(|m| m.contains(CEASEFIRE)), "{errors:#?}");

    // Without errors the field is left out.
    let report = decide(&[]);
    assert!(decision(&report, MONTANA).get("evaluation_errors").is_none());
}

// ---------------------------------------------------------------------------------------------
// exit statuses

#[test]
fn success_even_when_proposals_are_blocked() {
    for args in [
        vec!["decide", EXAMPLE],
        vec!["decide", EXAMPLE, "--format", "json"],
        vec!["explain", EXAMPLE, MONTANA],
        vec!["explain", EXAMPLE, "nuc-2025-statement", "--format", "json"],
        vec!["what-if", EXAMPLE, "--set", "gaza_aid_unobstructed=true"],
    ] {
        concord(&args).success();
    }
}

#[test]
fn missing_file_fails_naming_it() {
    for cmd in ["check", "decide"] {
        let run = concord(&[cmd, "no/such/scenario.toml"]).failure();
        assert!(run.stderr.contains("no/such/scenario.toml"), "{}", run.stderr);
    }
}

#[test]
fn unknown_proposal_in_explain_fails_naming_it() {
    let run = concord(&["explain", EXAMPLE, "no-such-proposal"]).failure();
    assert!(run.stderr.contains("no-such-proposal"), "{}", run.stderr);
}

#[test]
fn set_of_the_wrong_type_fails_naming_the_fact() {
    for (cmd, set) in [
        ("decide", "gaza_permanent_ceasefire=3"),
        ("decide", "gaza_permanent_ceasefire=yes"),
        ("what-if", "gaza_aid_unobstructed=1.5"),
        ("explain", "allies_meeting_2pct_gdp=thirty"),
    ] {
        let mut args = vec![cmd, EXAMPLE];
        if cmd == "explain" {
            args.push(MONTANA);
        }
        args.extend_from_slice(&["--set", set]);
        let run = concord(&args).failure();
        let fact = set.split_once('=').unwrap().0;
        assert!(run.stderr.contains(fact), "`{}` should name `{fact}`: {}", args.join(" "), run.stderr);
    }
}

#[test]
fn set_of_a_too_precise_decimal_fails_naming_the_fact() {
    let text = format!(
        "{}\n[[fact]]\nid = \"spend_share\"\nvalue = 1.85\nas_of = 2024-06-17\nsource = \"NATO\"\n",
        example_text()
    );
    let file = scenario_file(&text);
    for set in ["spend_share=1.123456789", "not_in_the_file=0.123456"] {
        let run = concord(&["decide", file.path(), "--set", set]).failure();
        let fact = set.split_once('=').unwrap().0;
        assert!(run.stderr.contains(&format!("`{fact}`")), "`--set {set}` should name the fact: {}", run.stderr);
        assert!(!run.stderr.contains("evaluation context"), "an internal error for a user mistake: {}", run.stderr);
    }
    // Four places are fine.
    concord(&["decide", file.path(), "--set", "spend_share=1.1234"]).success();
}

#[test]
fn malformed_set_fails() {
    for set in ["gaza_permanent_ceasefire", "bad id=true", "=true"] {
        concord(&["decide", EXAMPLE, "--set", set]).failure();
    }
}

#[test]
fn bad_at_fails() {
    for at in ["2025-02-30", "2025-13-01", "yesterday", "2025-6-1", "15/06/2025", ""] {
        let run = concord(&["decide", EXAMPLE, "--at", at]).failure();
        assert!(run.stderr.contains("--at"), "`--at {at}`: {}", run.stderr);
    }
}

#[test]
fn closed_output_is_not_an_error_for_tables() {
    // `concord decide … | head`: standard output closed before anything is written.
    let status = closed_stdout(&["decide", EXAMPLE]);
    assert_eq!(status, (Some(0), String::new()));
}

#[test]
fn closed_output_is_not_an_error_for_json() {
    for args in [
        vec!["decide", EXAMPLE, "--format", "json"],
        vec!["explain", EXAMPLE, MONTANA, "--format", "json"],
        vec!["what-if", EXAMPLE, "--set", "gaza_aid_unobstructed=true", "--format", "json"],
    ] {
        assert_eq!(closed_stdout(&args), (Some(0), String::new()), "{}", args.join(" "));
    }
}

/// Runs with standard output a pipe whose reading end is already closed; returns the exit code
/// and standard error.
fn closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = crate::util::command(args).stdout(writer).stderr(std::process::Stdio::piped()).output().unwrap();
    (output.status.code(), String::from_utf8(output.stderr).unwrap())
}

#[test]
fn argument_errors_follow_the_json_error_format() {
    let run = concord(&["--error-format", "json", "decide", EXAMPLE, "--at", "2025-13-01"]).failure();
    let errors: serde_json::Value =
        serde_json::from_str(run.stderr.trim()).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
    let message = errors[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("2025-13-01"), "{message}");
}
