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

// ---------------------------------------------------------------------------------------------
// Shared by the NATO enlargement and OSCE examples

/// `explain PROPOSAL --at DATE --format json`, with any further arguments.
fn explain_at(path: &str, proposal: &str, at: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["explain", path, proposal, "--at", at, "--format", "json"];
    args.extend_from_slice(extra);
    concord(&args).success().json()
}

/// `(member, position ids)` of every objection of a decision, by member, each list sorted.
fn objecting(d: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = d["objections"]
        .as_array()
        .expect("`objections` is an array")
        .iter()
        .map(|o| {
            let mut ids: Vec<String> = o["positions"]
                .as_array()
                .expect("`positions` is an array")
                .iter()
                .map(|p| p["id"].as_str().expect("position id").to_owned())
                .collect();
            ids.sort();
            (o["member"].as_str().expect("member id").to_owned(), ids)
        })
        .collect();
    out.sort();
    out
}

/// [`objecting`]'s expected value, written as literals.
fn objected(list: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    list.iter().map(|(m, ids)| ((*m).to_owned(), ids.iter().map(|&i| i.to_owned()).collect())).collect()
}

/// The members still awaited on a decision, sorted.
fn awaiting(d: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = d["awaiting"]
        .as_array()
        .expect("`awaiting` is an array")
        .iter()
        .map(|m| m.as_str().expect("member id").to_owned())
        .collect();
    out.sort();
    out
}

/// One member's entry in an explanation's `stances`.
#[track_caller]
fn stance_of<'a>(explained: &'a serde_json::Value, member: &str) -> &'a serde_json::Value {
    explained["stances"]
        .as_array()
        .expect("`stances` is an array")
        .iter()
        .find(|s| s["member"] == member)
        .unwrap_or_else(|| panic!("no stance of `{member}` in {explained:#}"))
}

/// The observation of `fact` that an objection of `member` read.
#[track_caller]
fn fact_read<'a>(d: &'a serde_json::Value, member: &str, fact: &str) -> &'a serde_json::Value {
    d["objections"]
        .as_array()
        .expect("`objections` is an array")
        .iter()
        .find(|o| o["member"] == member)
        .and_then(|o| o["facts"].as_array().expect("`facts` is an array").iter().find(|f| f["id"] == fact))
        .unwrap_or_else(|| panic!("no fact `{fact}` read by `{member}` in {d:#}"))
}

/// What a linked position of an objecting member read (`linked`: stances and outcomes).
#[track_caller]
fn linked<'a>(d: &'a serde_json::Value, member: &str, position: &str) -> &'a serde_json::Value {
    d["objections"]
        .as_array()
        .expect("`objections` is an array")
        .iter()
        .find(|o| o["member"] == member)
        .and_then(|o| o["positions"].as_array().expect("`positions` is an array").iter().find(|p| p["id"] == position))
        .map(|p| &p["linked"])
        .unwrap_or_else(|| panic!("no position `{position}` of `{member}` in {d:#}"))
}

// ---------------------------------------------------------------------------------------------
// NATO enlargement, 2022-24: Finland's and Sweden's accession protocols under unanimity, with
// Türkiye's conditions and Hungary's position linked to Türkiye's stance

const FIN_PROTOCOL: &str = "fin-accession-protocol";
const SWE_PROTOCOL: &str = "swe-accession-protocol";

#[test]
fn nato_enlargement_reproduces_both_accessions() {
    let path = crate::util::NATO_ENLARGEMENT;
    let run = concord(&["check", path]).success();
    for part in ["nato-enlargement-2022", "32 members", "2 committees", "2 proposals", "61 votes"] {
        assert!(run.stdout.contains(part), "summary lacks `{part}`: {}", run.stdout);
    }
    let report = decide(path, &[]);
    assert_eq!(outcomes(&report), pairs(&[(FIN_PROTOCOL, "adopted"), (SWE_PROTOCOL, "adopted")]));
    // Finland became the 31st ally on 4 April 2023 and Sweden the 32nd on 7 March 2024, each on
    // the day the last instrument of ratification was deposited, every party consenting.
    for (id, day, parties) in [(FIN_PROTOCOL, "2023-04-04", 30), (SWE_PROTOCOL, "2024-03-07", 31)] {
        let d = decision(&report, id);
        assert_eq!((&d["final"], &d["decided_on"]), (&json!(true), &json!(day)), "{d:#}");
        assert_eq!(d["tally"], json!({ "consent": parties, "object": 0, "abstain": 0, "silent": 0 }), "{id}");
    }
    // The day before, each waited for its last ratification only: Türkiye's, then Hungary's.
    let eve = explain_at(path, FIN_PROTOCOL, "2023-04-03", &[]);
    assert_eq!((&eve["outcome"], &eve["final"]), (&json!("pending"), &json!(false)), "{eve:#}");
    assert_eq!(awaiting(&eve), ["TUR"]);
    let eve = explain_at(path, SWE_PROTOCOL, "2024-03-06", &[]);
    assert_eq!((&eve["outcome"], &eve["final"]), (&json!("pending"), &json!(false)), "{eve:#}");
    assert_eq!(awaiting(&eve), ["HUN"]);
    // Before the allies signed them on 5 July 2022 the protocols were not before them.
    assert_eq!(outcomes(&decide(path, &["--at", "2022-07-04"])), pairs(&[]));
}

#[test]
fn nato_enlargement_turkiye_held_both_protocols_until_it_split_them() {
    let path = crate::util::NATO_ENLARGEMENT;
    // On 1 January 2023 Türkiye objected to both under the memorandum of 28 June 2022; the 28
    // allies that ratified in 2022 (the last, Spain, deposited on 5 October) had consented, and
    // Hungary, without a position on Finland, was silent.
    let report = decide(path, &["--at", "2023-01-01"]);
    assert_eq!(outcomes(&report), pairs(&[(FIN_PROTOCOL, "blocked"), (SWE_PROTOCOL, "blocked")]));
    let fin = decision(&report, FIN_PROTOCOL);
    assert_eq!(objecting(fin), objected(&[("TUR", &["tur-memorandum-finland"])]));
    assert_eq!(fin["tally"], json!({ "consent": 28, "object": 1, "abstain": 0, "silent": 1 }));
    let fact = fact_read(fin, "TUR", "tur_recognises_fin_steps");
    assert_eq!((&fact["value"], &fact["as_of"]), (&json!(false), &json!("2022-06-28")), "{fact}");
    assert_eq!(objecting(decision(&report, SWE_PROTOCOL)), objected(&[("TUR", &["tur-memorandum-sweden"])]));
    // On 17 March 2023 Erdoğan sent Finland's protocol alone to parliament: Finland's waited for
    // Hungary's and Türkiye's deposits, Sweden's stayed blocked, after the Quran burning.
    let report = decide(path, &["--at", "2023-03-20"]);
    assert_eq!(outcomes(&report), pairs(&[(FIN_PROTOCOL, "pending"), (SWE_PROTOCOL, "blocked")]));
    assert_eq!(awaiting(decision(&report, FIN_PROTOCOL)), ["HUN", "TUR"]);
    let swe = decision(&report, SWE_PROTOCOL);
    assert_eq!(objecting(swe), objected(&[("TUR", &["tur-memorandum-sweden"])]));
    let fact = fact_read(swe, "TUR", "tur_recognises_swe_steps");
    assert_eq!((&fact["value"], &fact["as_of"]), (&json!(false), &json!("2023-01-23")), "{fact}");
    assert!(fact["source"].as_str().unwrap().contains("blasphemy"), "{fact}");
    // Sweden's anti-terror law in force on 1 June 2023 was not enough; Türkiye's conditions were
    // met at Vilnius on 10 July, and from then it was silent until its deposit.
    let june = explain_at(path, SWE_PROTOCOL, "2023-06-15", &[]);
    let fact = fact_read(&june, "TUR", "swe_terror_law_in_force");
    assert_eq!((&fact["value"], &fact["as_of"]), (&json!(true), &json!("2023-06-01")), "{fact}");
    assert_eq!(stance_of(&june, "TUR")["stance"], "object");
    let vilnius = explain_at(path, SWE_PROTOCOL, "2023-07-10", &[]);
    assert_eq!(stance_of(&vilnius, "TUR")["stance"], "silent", "{vilnius:#}");
}

#[test]
fn nato_enlargement_hungary_would_not_be_the_last_so_it_waited_for_turkiye() {
    let path = crate::util::NATO_ENLARGEMENT;
    // Spring 2023: Hungary's grievance over Swedish criticism; its promise dates from July.
    let spring = explain_at(path, SWE_PROTOCOL, "2023-05-15", &[]);
    assert_eq!(
        objecting(&spring),
        objected(&[("HUN", &["hun-swedish-criticism"]), ("TUR", &["tur-memorandum-sweden"])])
    );
    // Late 2023: Türkiye had no objection left but had not consented, and Hungary withheld its
    // consent under both positions: "not the last" reads Türkiye's stance.
    let autumn = explain_at(path, SWE_PROTOCOL, "2023-11-01", &[]);
    assert_eq!(autumn["outcome"], "blocked");
    assert_eq!(stance_of(&autumn, "TUR")["stance"], "silent");
    assert_eq!(objecting(&autumn), objected(&[("HUN", &["hun-not-the-last", "hun-swedish-criticism"])]));
    assert_eq!(linked(&autumn, "HUN", "hun-not-the-last"), &json!([{ "member": "TUR", "stance": "silent" }]));
    // Had the trust been rebuilt then, the linked position alone would have held Hungary back.
    let trusting = explain_at(path, SWE_PROTOCOL, "2023-11-01", &["--set", "hun_swe_trust_rebuilt=true"]);
    assert_eq!(objecting(&trusting), objected(&[("HUN", &["hun-not-the-last"])]));
    // Türkiye deposited on 26 January 2024: the promise no longer held Hungary back, its
    // grievance did, until the Gripen agreement of 23 February.
    let february = explain_at(path, SWE_PROTOCOL, "2024-02-01", &[]);
    let tur = stance_of(&february, "TUR");
    assert_eq!((&tur["stance"], &tur["cause"]), (&json!("consent"), &json!("vote")), "{tur}");
    assert_eq!(objecting(&february), objected(&[("HUN", &["hun-swedish-criticism"])]));
    let fact = fact_read(&february, "HUN", "hun_swe_trust_rebuilt");
    assert_eq!((&fact["value"], &fact["as_of"]), (&json!(false), &json!("2023-03-26")), "{fact}");
    let after_gripen = explain_at(path, SWE_PROTOCOL, "2024-02-24", &[]);
    assert_eq!(after_gripen["outcome"], "pending");
    assert_eq!(stance_of(&after_gripen, "HUN")["stance"], "silent");
    assert_eq!(awaiting(&after_gripen), ["HUN"]);
}

#[test]
fn nato_enlargement_without_turkiyes_deposit_hungary_still_waits_for_it() {
    let path = crate::util::NATO_ENLARGEMENT;
    // Türkiye's deposit on Sweden taken back: after the Gripen agreement the promise not to be
    // the last alone holds Hungary back, and its own deposit of 7 March cannot complete.
    let text = replace_once(
        &read(path),
        "member = \"TUR\"\nstance = \"consent\"\nat = 2024-01-26\n",
        "member = \"TUR\"\nstance = \"silent\"\nat = 2024-01-26\n",
    );
    let file = scenario_file(&text);
    let d = explain_at(file.path(), SWE_PROTOCOL, "2024-02-24", &[]);
    assert_eq!(d["outcome"], "blocked");
    assert_eq!(objecting(&d), objected(&[("HUN", &["hun-not-the-last"])]));
    let report = decide(file.path(), &[]);
    assert_eq!(outcomes(&report), pairs(&[(FIN_PROTOCOL, "adopted"), (SWE_PROTOCOL, "pending")]));
    assert_eq!(awaiting(decision(&report, SWE_PROTOCOL)), ["TUR"]);
}

#[test]
fn nato_enlargement_what_if_hungarys_trust_had_been_rebuilt() {
    let path = crate::util::NATO_ENLARGEMENT;
    let what_if = |at: &str| {
        concord(&["what-if", path, "--set", "hun_swe_trust_rebuilt=true", "--at", at, "--format", "json"])
            .success()
            .json()
    };
    // In late 2023 nothing would have changed: Hungary would still have waited for Türkiye.
    assert_eq!(what_if("2023-11-01")["changed"], json!([]));
    // On 1 February 2024, after Türkiye's deposit, Sweden's protocol would have waited for
    // Hungary's deposit only.
    let changed = what_if("2024-02-01")["changed"].clone();
    let changed = changed.as_array().unwrap();
    assert_eq!(changed.len(), 1, "{changed:#?}");
    assert_eq!(
        (&changed[0]["proposal"], &changed[0]["before"], &changed[0]["after"]),
        (&json!(SWE_PROTOCOL), &json!("blocked"), &json!("pending"))
    );
    assert_eq!((&changed[0]["objecting_before"], &changed[0]["objecting_after"]), (&json!(["HUN"]), &json!([])));
}

#[test]
fn nato_enlargement_finland_ratified_swedens_protocol_as_its_first_act() {
    let path = crate::util::NATO_ENLARGEMENT;
    let members = |d: &serde_json::Value| -> Vec<String> {
        d["stances"].as_array().unwrap().iter().map(|s| s["member"].as_str().unwrap().to_owned()).collect()
    };
    // Finland is a party to Sweden's protocol from its accession on 4 April 2023, never to its own.
    let before = explain_at(path, SWE_PROTOCOL, "2023-04-03", &[]);
    assert_eq!(members(&before).len(), 30);
    assert!(!members(&before).contains(&"FIN".to_owned()));
    let on = explain_at(path, SWE_PROTOCOL, "2023-04-04", &[]);
    assert_eq!(members(&on).len(), 31);
    let fin = stance_of(&on, "FIN");
    assert_eq!((&fin["stance"], &fin["cause"]), (&json!("consent"), &json!("vote")), "{fin}");
    assert!(fin["source"].as_str().unwrap().contains("first act as a member state"), "{fin}");
    let own = explain_at(path, FIN_PROTOCOL, "2023-04-04", &[]);
    assert_eq!(members(&own).len(), 30);
    assert!(!members(&own).contains(&"FIN".to_owned()));
}

// ---------------------------------------------------------------------------------------------
// The OSCE in 2023: the 2024 Chairpersonship, the four top posts, the Unified Budget

const ESTONIA: &str = "chair-2024-estonia";
const PC_MALTA: &str = "pc-2023-recommend-malta";
const MALTA: &str = "chair-2024-malta";
const TOP_POSTS: &str = "top-posts-2023";
const BUDGET: &str = "ub-2023";

#[test]
fn osce_2023_reproduces_the_skopje_decisions() {
    let path = crate::util::OSCE_2023;
    let run = concord(&["check", path]).success();
    for part in ["osce-2023", "57 members", "2 committees", "5 proposals", "4 positions", "2 votes"] {
        assert!(run.stdout.contains(part), "summary lacks `{part}`: {}", run.stdout);
    }
    let report = decide(path, &[]);
    assert_eq!(
        outcomes(&report),
        pairs(&[
            (ESTONIA, "blocked"),
            (PC_MALTA, "adopted"),
            (MALTA, "adopted"),
            (TOP_POSTS, "adopted"),
            (BUDGET, "blocked")
        ])
    );
    // The Permanent Council recommended Malta on 27 November 2023; the Ministerial Council in
    // Skopje selected it and extended the four top posts on 1 December.
    for (id, day) in [(PC_MALTA, "2023-11-27"), (MALTA, "2023-12-01"), (TOP_POSTS, "2023-12-01")] {
        let d = decision(&report, id);
        assert_eq!((&d["final"], &d["decided_on"], &d["procedure"]), (&json!(true), &json!(day), &json!("meeting")));
    }
    // Estonia never withdrew, and the 2023 budget was never adopted: both stay open, blocked.
    for id in [ESTONIA, BUDGET] {
        let d = decision(&report, id);
        assert_eq!((&d["final"], &d["decided_on"], &d["procedure"]), (&json!(false), &json!(null), &json!("open")));
    }
    // On the eve of Skopje, Malta's selection was still before the council, unopposed.
    let eve = decide(path, &["--at", "2023-11-30"]);
    assert_eq!(decision(&eve, MALTA)["outcome"], "pending");
    assert_eq!(decision(&eve, TOP_POSTS)["outcome"], "blocked");
}

#[test]
fn osce_2023_estonia_was_blocked_by_russia_and_belarus_alone() {
    let path = crate::util::OSCE_2023;
    let report = decide(path, &[]);
    let d = decision(&report, ESTONIA);
    assert_eq!(objecting(d), objected(&[("BLR", &["blr-with-russia"]), ("RUS", &["rus-no-nato-chair-2024"])]));
    assert_eq!(d["tally"], json!({ "consent": 0, "object": 2, "abstain": 0, "silent": 55 }));
    assert_eq!(linked(d, "BLR", "blr-with-russia"), &json!([{ "member": "RUS", "stance": "object" }]));
    let rus = d["objections"].as_array().unwrap().iter().find(|o| o["member"] == "RUS").unwrap();
    assert!(rus["positions"][0]["source"].as_str().unwrap().contains("non-NATO member state"), "{rus}");
    // Estonia kept its candidacy but supported Malta, to which neither Russia nor Belarus objected.
    let malta = explain_at(path, MALTA, "2023-12-31", &[]);
    assert_eq!(malta["objections"], json!([]));
    let est = stance_of(&malta, "EST");
    assert_eq!(est["stance"], "consent");
    assert!(est["statement"].as_str().unwrap().contains("not withdrawing its candidacy"), "{est}");
    assert!(est["source"].as_str().unwrap().contains("Euractiv"), "{est}");
    for member in ["RUS", "BLR"] {
        assert_eq!(stance_of(&malta, member)["stance"], "silent", "{member}");
    }
    // Before the FT interview of 24 September 2023 the file has no candidacy before the council.
    assert_eq!(outcomes(&decide(path, &["--at", "2023-09-23"])), pairs(&[(BUDGET, "blocked")]));
}

#[test]
fn osce_2023_belarus_follows_russia_on_the_chair_and_the_top_posts() {
    let path = crate::util::OSCE_2023;
    // On 30 November neither had backed the top posts' renewal; on 1 December Russia agreed to
    // nine months, and Belarus no longer objected.
    let eve = explain_at(path, TOP_POSTS, "2023-11-30", &[]);
    assert_eq!((&eve["outcome"], &eve["final"]), (&json!("blocked"), &json!(false)));
    assert_eq!(objecting(&eve), objected(&[("BLR", &["blr-with-russia"]), ("RUS", &["rus-top-posts-three-months"])]));
    let skopje = explain_at(path, TOP_POSTS, "2023-12-01", &[]);
    assert_eq!((&skopje["outcome"], &skopje["decided_on"]), (&json!("adopted"), &json!("2023-12-01")));
    assert_eq!(skopje["objections"], json!([]));
    let rus = stance_of(&skopje, "RUS");
    assert_eq!((&rus["stance"], &rus["cause"]), (&json!("consent"), &json!("vote")), "{rus}");
    assert!(rus["source"].as_str().unwrap().contains("finally agreed"), "{rus}");
    assert_eq!(stance_of(&skopje, "BLR")["stance"], "silent");
    // Had Russia consented to Estonia in Skopje, Belarus would have had no objection left either,
    // and Estonia's candidacy would have been adopted that day.
    let text = format!(
        "{}\n[[vote]]\nproposal = \"{ESTONIA}\"\nmember = \"RUS\"\nstance = \"consent\"\nat = 2023-12-01\n",
        read(path)
    );
    let file = scenario_file(&text);
    let d = decision(&decide(file.path(), &[]), ESTONIA).clone();
    assert_eq!((&d["outcome"], &d["decided_on"]), (&json!("adopted"), &json!("2023-12-01")), "{d:#}");
    assert_eq!(d["objections"], json!([]));
}

#[test]
fn osce_2023_the_budget_was_blocked_by_russia_alone() {
    let path = crate::util::OSCE_2023;
    let d = explain_at(path, BUDGET, "2023-12-31", &[]);
    assert_eq!((&d["outcome"], &d["final"]), (&json!("blocked"), &json!(false)));
    assert_eq!(objecting(&d), objected(&[("RUS", &["rus-no-budget-naming-the-war"])]));
    let source = d["objections"][0]["positions"][0]["source"].as_str().unwrap();
    assert!(source.contains("Lukashevich") && source.contains("only the Russian Federation remained"), "{source}");
    assert_eq!(stance_of(&d, "BLR")["stance"], "silent", "Belarus does not follow Russia on the budget");
    // Without the references to the war against Ukraine no participating State in the file
    // objects: the 2023 budget would have been adopted when presented.
    let text = replace_once(
        &read(path),
        "attributes = { year = 2023, refers_to_war_against_ukraine = true }",
        "attributes = { year = 2023, refers_to_war_against_ukraine = false }",
    );
    let file = scenario_file(&text);
    let d = decision(&decide(file.path(), &[]), BUDGET).clone();
    assert_eq!((&d["outcome"], &d["decided_on"]), (&json!("adopted"), &json!("2022-10-20")), "{d:#}");
}

#[test]
fn osce_2023_a_nato_member_for_malta_would_have_been_blocked_too() {
    let path = crate::util::OSCE_2023;
    let text = read(path);
    // Russia's position reads the candidate's memberships from the proposal; they are the
    // candidate's `groups` in the file.
    let mut checked = 0;
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("attributes = { candidate = \"") else { continue };
        let candidate = &rest[..3];
        let groups = rest.split_once("chair_groups = ").unwrap().1.trim_end_matches(" }");
        let at = text.find(&format!("[[member]]\nid = \"{candidate}\"\n")).unwrap();
        let block = text[at..].split("\n\n").next().unwrap();
        assert!(block.contains(&format!("\ngroups = {groups}")), "{candidate}: {groups} vs\n{block}");
        checked += 1;
    }
    assert_eq!(checked, 3, "Estonia, and Malta twice");
    // With Malta in NATO, Russia, and Belarus with it, would have blocked its selection in Skopje.
    let edited = replace_once(
        &text,
        "procedure = \"meeting\"\nattributes = { candidate = \"MLT\", year = 2024, chair_groups = [\"EU\"] }\n\n\
         # -----",
        "procedure = \"meeting\"\nattributes = { candidate = \"MLT\", year = 2024, chair_groups = [\"EU\", \"NATO\"] }\n\n\
         # -----",
    );
    let file = scenario_file(&edited);
    let d = decision(&decide(file.path(), &[]), MALTA).clone();
    assert_eq!((&d["outcome"], &d["decided_on"]), (&json!("blocked"), &json!("2023-12-01")), "{d:#}");
    assert_eq!(objecting(&d), objected(&[("BLR", &["blr-with-russia"]), ("RUS", &["rus-no-nato-chair-2024"])]));
}
