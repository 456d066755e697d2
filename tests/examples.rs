//! The example scenarios under rules other than consensus: the UN Security Council (a veto rule:
//! nine votes and no permanent member against) and the EU Council (qualified majority), decided
//! as their comments say.

use serde_json::json;

use crate::util::{EU_COUNCIL, UNSC, concord, decision, outcomes, read, replace_once, scenario_file};

const RENEWAL: &str = "draft-2025-mission-renewal";
const CEASEFIRE: &str = "draft-2025-ceasefire";
const SANCTIONS: &str = "draft-2025-sanctions-panel";
const ACCESS: &str = "draft-2025-humanitarian-access";

fn decide(path: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["decide", path, "--format", "json"];
    args.extend_from_slice(extra);
    concord(&args).success().json()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[test]
fn security_council_example_checks() {
    let run = concord(&["check", UNSC]).success();
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    for part in ["unsc-2025", "15 members", "4 proposals"] {
        assert!(run.stdout.contains(part), "summary lacks `{part}`: {}", run.stdout);
    }
}

#[test]
fn security_council_outcomes() {
    let report = decide(UNSC, &[]);
    assert_eq!(report["scenario"], "unsc-2025");
    assert_eq!(report["at"], "2025-06-30");
    assert_eq!(
        outcomes(&report),
        pairs(&[(RENEWAL, "adopted"), (CEASEFIRE, "blocked"), (SANCTIONS, "blocked"), (ACCESS, "pending")])
    );
    for d in report["decisions"].as_array().unwrap() {
        assert_eq!((&d["committee"], &d["rule"]), (&json!("SC"), &json!("veto")), "{d:#}");
    }
    // A draft's `deadline` stands for the day the Council votes: each draft voted by 2025-06-30
    // was decided then, and the draft still before it is open.
    let taken: Vec<(&str, &serde_json::Value)> = report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["proposal"].as_str().unwrap(), &d["decided_on"]))
        .collect();
    assert_eq!(
        taken,
        [
            (RENEWAL, &json!("2025-06-26")),
            (CEASEFIRE, &json!("2025-06-19")),
            (SANCTIONS, &json!("2025-06-11")),
            (ACCESS, &serde_json::Value::Null)
        ]
    );
}

#[test]
fn security_council_abstaining_permanent_members_do_not_block() {
    let report = decide(UNSC, &[]);
    let d = decision(&report, RENEWAL);
    assert_eq!(d["outcome"], "adopted");
    assert_eq!(d["tally"], json!({ "consent": 12, "object": 0, "abstain": 3, "silent": 0 }));
    let explained = concord(&["explain", UNSC, RENEWAL, "--format", "json"]).success().json();
    for permanent in ["CHN", "RUS"] {
        let stance = explained["stances"].as_array().unwrap().iter().find(|s| s["member"] == permanent).unwrap();
        assert_eq!(stance["stance"], "abstain", "{stance}");
    }
}

#[test]
fn security_council_one_permanent_member_against_is_a_veto() {
    let report = decide(UNSC, &[]);
    let d = decision(&report, CEASEFIRE);
    assert_eq!(d["outcome"], "blocked");
    assert_eq!(d["tally"], json!({ "consent": 14, "object": 1, "abstain": 0, "silent": 0 }));
    let objections = d["objections"].as_array().unwrap();
    assert_eq!(objections.len(), 1);
    assert_eq!((&objections[0]["member"], &objections[0]["cause"]), (&json!("RUS"), &json!("vote")));
    assert!(objections[0]["reason"].as_str().is_some_and(|r| r.starts_with("Illustrative")), "{d:#}");

    // The same draft with the permanent member abstaining instead is adopted.
    let text = read(UNSC);
    let (before, after) = text.split_once("member = \"RUS\"\nstance = \"object\"\nat = 2025-06-19\n").unwrap();
    assert!(after.starts_with("reason = "), "the veto's reason follows it");
    let after = after.split_once('\n').unwrap().1;
    let abstain = format!("{before}member = \"RUS\"\nstance = \"abstain\"\nat = 2025-06-19\n{after}");
    let file = scenario_file(&abstain);
    let d = decide(file.path(), &[]);
    assert_eq!(decision(&d, CEASEFIRE)["outcome"], "adopted");
    assert_eq!(decision(&d, CEASEFIRE)["tally"], json!({ "consent": 14, "object": 0, "abstain": 1, "silent": 0 }));
}

#[test]
fn security_council_fewer_than_nine_votes_fail_without_a_veto() {
    let report = decide(UNSC, &[]);
    let d = decision(&report, SANCTIONS);
    assert_eq!(d["outcome"], "blocked");
    assert_eq!(d["tally"], json!({ "consent": 7, "object": 2, "abstain": 6, "silent": 0 }));
    let objectors: Vec<&str> =
        d["objections"].as_array().unwrap().iter().map(|o| o["member"].as_str().unwrap()).collect();
    assert_eq!(objectors, ["ALG", "PAK"], "only elected members vote against");
}

#[test]
fn security_council_draft_before_the_council_is_pending_until_its_vote() {
    let report = decide(UNSC, &[]);
    let d = decision(&report, ACCESS);
    assert_eq!(d["outcome"], "pending");
    assert_eq!(d["deadline"], "2025-07-08");
    assert_eq!(d["tally"], json!({ "consent": 6, "object": 0, "abstain": 0, "silent": 9 }));
    let on_the_day = decide(UNSC, &["--at", "2025-07-08"]);
    let d = decision(&on_the_day, ACCESS);
    assert_eq!(d["outcome"], "blocked", "not carried by its deadline");
    assert_eq!((&d["final"], &d["decided_on"]), (&json!(true), &json!("2025-07-08")), "decided on the day of the vote");
    // Before it was circulated it is not before the Council.
    let before = decide(UNSC, &["--at", "2025-06-20"]);
    assert!(before["decisions"].as_array().unwrap().iter().all(|d| d["proposal"] != ACCESS));
}

#[test]
fn security_council_a_veto_blocks_at_once_before_the_vote() {
    let text = replace_once(
        &read(UNSC),
        "[[vote]]\nproposal = \"draft-2025-humanitarian-access\"\nmember = \"FRA\"\n",
        "[[vote]]\nproposal = \"draft-2025-humanitarian-access\"\nmember = \"CHN\"\nstance = \"object\"\n\
         at = 2025-06-28\nreason = \"test\"\n\n[[vote]]\nproposal = \"draft-2025-humanitarian-access\"\nmember = \"FRA\"\n",
    );
    let file = scenario_file(&text);
    assert_eq!(decision(&decide(file.path(), &[]), ACCESS)["outcome"], "blocked");
}

#[test]
fn eu_council_outcomes() {
    let report = decide(EU_COUNCIL, &[]);
    assert_eq!(
        outcomes(&report),
        pairs(&[("reg-2025-101", "adopted"), ("dir-2025-207", "blocked"), ("cfsp-2025-12", "pending")])
    );
    // Four members with 55% of the population form a blocking minority.
    let d = decision(&report, "dir-2025-207");
    assert_eq!(d["tally"], json!({ "consent": 23, "object": 4, "abstain": 0, "silent": 0 }));
    // Without a deadline a blocked proposal stays open: its objectors may still change their votes.
    assert_eq!((&d["final"], &d["procedure"]), (&json!(false), &json!("open")), "{d:#}");
}

// ---------------------------------------------------------------------------------------------
// EU Council, CFSP: unanimity with constructive abstention (issue 12)

/// The stances of one proposal's votes: `(member, stance)` where the stance is not `consent`.
fn not_consenting(report: &serde_json::Value) -> Vec<(String, String)> {
    report["stances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["stance"] != "consent")
        .map(|s| (s["member"].as_str().unwrap().to_owned(), s["stance"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn eu_cfsp_reproduces_the_two_peace_facility_decisions() {
    let report = decide(crate::util::EU_CFSP, &[]);
    assert_eq!(outcomes(&report), pairs(&[("epf-2022-338", "adopted"), ("epf-2024-890", "adopted")]));
    // Decision (CFSP) 2022/338 was adopted on 28 February 2022, and 2024/890 on 18 March 2024.
    let on = |id: &str| decision(&report, id)["decided_on"].as_str().unwrap().to_owned();
    assert_eq!((on("epf-2022-338").as_str(), on("epf-2024-890").as_str()), ("2022-02-28", "2024-03-18"));
    // Ireland, Austria and Malta abstained constructively in 2022, Hungary in 2024, with sources.
    let explain = |id: &str| concord(&["explain", crate::util::EU_CFSP, id, "--format", "json"]).success().json();
    let lethal = explain("epf-2022-338");
    assert_eq!(
        not_consenting(&lethal),
        pairs(&[("AUT", "abstain"), ("IRL", "abstain"), ("MLT", "abstain")]),
        "in the order of the Council's members"
    );
    let irl = lethal["stances"].as_array().unwrap().iter().find(|s| s["member"] == "IRL").unwrap();
    assert!(irl["source"].as_str().unwrap().contains("Irish Examiner"), "{irl}");
    assert!(irl["statement"].as_str().unwrap().contains("constructively abstain"), "{irl}");
    assert_eq!(not_consenting(&explain("epf-2024-890")), pairs(&[("HUN", "abstain")]));
}

#[test]
fn eu_cfsp_abstentions_block_at_a_third_of_the_states_holding_a_third_of_the_population() {
    let text = read(crate::util::EU_CFSP);
    // Hungary abstained on the 2024 fund: with eight more (nine, a third of 27), the largest hold
    // far more than a third of the population, the smallest far less.
    let abstain = |members: &[&str]| {
        let mut edited = text.clone();
        for m in members {
            edited = replace_once(
                &edited,
                &format!("proposal = \"epf-2024-890\"\nmember = \"{m}\"\nstance = \"consent\""),
                &format!("proposal = \"epf-2024-890\"\nmember = \"{m}\"\nstance = \"abstain\""),
            );
        }
        let file = scenario_file(&edited);
        let report = decide(file.path(), &[]);
        decision(&report, "epf-2024-890")["outcome"].as_str().unwrap().to_owned()
    };
    assert_eq!(abstain(&["DEU", "FRA", "ITA", "ESP", "POL", "ROU", "NLD"]), "adopted", "eight are fewer than a third");
    assert_eq!(abstain(&["DEU", "FRA", "ITA", "ESP", "POL", "ROU", "NLD", "BEL"]), "blocked");
    assert_eq!(abstain(&["HRV", "LTU", "SVN", "LVA", "EST", "CYP", "LUX", "MLT"]), "adopted", "nine with small ones");
}
