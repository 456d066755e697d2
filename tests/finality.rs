//! Decisions that stand (contract §5, issue 10): a decision, once taken, never reopens; the store
//! refuses what comes after it; the file and the store accept and refuse the same things.
//!
//! Every test here is a regression test for a fault of issue 10, named `r10_…`. They run the
//! program through [`crate::util::concord_program`], so that they can be pointed at an earlier
//! build: `CONCORD_TEST_BIN=/tmp/concord-old cargo test --test integration -- finality` runs them
//! on concord 0.1, on which each of them fails (confirmed for every test below, as its comment
//! says).

use serde_json::{Value, json};

use crate::util::{EXAMPLE, Run, concord_program as concord, decision, replace_once, scenario_file, today};

const MONTANA: &str = "eadrcc-2025-montana";

/// A store in its own temporary directory, run with the program under test.
struct Db {
    _dir: tempfile::TempDir,
    path: String,
}

impl Db {
    /// `init SCENARIO`, the init entry dated `at` (default: the scenario's `as_of`).
    fn init(scenario: &str, at: Option<&str>) -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db").to_str().unwrap().to_owned();
        let db = Db { _dir: dir, path };
        let mut args = vec!["init", scenario];
        if let Some(at) = at {
            args.extend(["--at", at]);
        }
        db.run(&args).success();
        db
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--db", self.path.as_str()];
        all.extend_from_slice(args);
        concord(&all)
    }

    fn decide(&self, at: &str) -> Value {
        self.run(&["decide", "--at", at, "--format", "json"]).success().json()
    }

    /// Every entry, as `ledger show` prints them.
    fn entries(&self) -> Vec<Value> {
        let shown = self.run(&["ledger", "show"]).success().stdout;
        shown.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

/// A body of three members, a committee deciding by consensus and one by unanimity, and a
/// proposal before each (`c` and `u`), circulated on 2025-06-01 with a deadline on 2025-06-30.
const SMALL: &str = r#"
[scenario]
id = "small"
title = "Small"
as_of = 2025-06-01

[[member]]
id = "A"
name = "A"

[[member]]
id = "B"
name = "B"

[[member]]
id = "C"
name = "C"

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
id = "c"
title = "C"
committee = "CONS"
kind = "statement"
partners = []
engagement = "new"
circulated = 2025-06-01
deadline = 2025-06-30

[[proposal]]
id = "u"
title = "U"
committee = "UNAN"
kind = "statement"
partners = []
engagement = "new"
circulated = 2025-06-01
deadline = 2025-06-30
"#;

/// The members' stances in an `explain --format json`, as `(member, stance, cause)`.
fn stances(explained: &Value) -> Vec<(String, String, Value)> {
    explained["stances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (s["member"].as_str().unwrap().to_owned(), s["stance"].as_str().unwrap().to_owned(), s["cause"].clone())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 1. A decision taken does not reopen when a member joins.

/// Finland's accession protocol (signed 5 July 2022), ratified by the two members shown here, the
/// last on 30 March 2023; Finland joins on 4 April 2023.
const RATIFICATION: &str = r#"
[scenario]
id = "ratification"
title = "Ratification"
as_of = 2023-05-01

[[member]]
id = "USA"
name = "United States"
joined = 1949-08-24

[[member]]
id = "TUR"
name = "Türkiye"
joined = 1952-02-18

[[member]]
id = "FIN"
name = "Finland"
joined = 2023-04-04

[[committee]]
id = "NAC"
name = "North Atlantic Council"
members = "all"
rule = "unanimity"

[[proposal]]
id = "fin-accession"
title = "Ratification of Finland's accession protocol"
committee = "NAC"
kind = "ratification"
partners = []
engagement = "new"
circulated = 2022-07-05

[[vote]]
proposal = "fin-accession"
member = "USA"
stance = "consent"
at = 2022-08-09

[[vote]]
proposal = "fin-accession"
member = "TUR"
stance = "consent"
at = 2023-03-30
"#;

// See: issue 10, "with `members = "all"`, a ratification adopted in March 2023 falls back to
// `pending` the day a new member joins". Confirmed failing on concord 0.1 (pending on 2023-05-01).
#[test]
fn r10_a_ratification_adopted_stays_adopted_when_a_new_member_joins() {
    let file = scenario_file(RATIFICATION);
    let on = |at: &str| {
        let report = concord(&["decide", file.path(), "--at", at, "--format", "json"]).success().json();
        decision(&report, "fin-accession").clone()
    };
    // Everyone then seated consents on 30 March: adopted that day, without a deadline, and it
    // stays adopted after Finland joins.
    const AFTER: [&str; 5] = ["2023-03-30", "2023-04-03", "2023-04-04", "2023-05-01", "2030-01-01"];
    for at in AFTER {
        assert_eq!(on(at)["outcome"], "adopted", "on {at}");
    }
    let open = on("2023-03-29");
    assert_eq!(
        (&open["outcome"], &open["final"], &open["decided_on"]),
        (&json!("pending"), &json!(false), &Value::Null)
    );
    for at in AFTER {
        let d = on(at);
        assert_eq!(d["final"], true, "on {at}: {d:#}");
        assert_eq!(d["decided_on"], "2023-03-30", "on {at}: {d:#}");
        assert_eq!(d["procedure"], "open", "no deadline: {d:#}");
        assert_eq!(d["stances_on"], "2023-03-30", "the tally of the decision's day: {d:#}");
        assert_eq!(d["tally"], json!({ "consent": 2, "object": 0, "abstain": 0, "silent": 0 }), "on {at}");
    }
    // Put again after Finland joined, unanimity would wait for Finland's vote: the decision stands.
    assert_eq!(on("2023-05-01")["would_now_be"], "pending");
    assert!(on("2023-04-03").get("would_now_be").is_none(), "nothing differs before Finland joins");

    // The committee of a decided proposal is the committee of its decision's day.
    let explained =
        concord(&["explain", file.path(), "fin-accession", "--at", "2023-05-01", "--format", "json"]).success().json();
    let members: Vec<String> = stances(&explained).into_iter().map(|(m, ..)| m).collect();
    assert_eq!(members, ["USA", "TUR"]);

    // A store made from the file decides the same, and its clock records the decision as the
    // rule took it.
    let db = Db::init(file.path(), None);
    assert_eq!(decision(&db.decide("2023-05-01"), "fin-accession"), &on("2023-05-01"));
    let ticked = db.run(&["tick", "--now", "2023-05-01"]).success();
    assert!(ticked.stdout.contains("fin-accession: adopted on 2023-03-30"), "{}", ticked.stdout);
    let d = decision(&db.decide("2023-05-01"), "fin-accession").clone();
    assert_eq!((&d["outcome"], &d["decided_on"]), (&json!("adopted"), &json!("2023-03-30")), "{d:#}");
    assert_eq!((&d["recorded"]["trigger"], &d["would_now_be"]), (&json!("adopted"), &json!("pending")), "{d:#}");
    db.run(&["replay"]).success();
}

// ---------------------------------------------------------------------------------------------
// 2. A decision recorded by the clock stands when a fact changes after it.

// See: issue 10, "a silence procedure recorded as blocked at its deadline shows adopted days later
// because a fact changed, next to 'outcome recorded: blocked'". Confirmed failing on concord 0.1
// (`decide` on 2025-06-20 printed eadrcc-2025-montana adopted).
#[test]
fn r10_a_silence_procedure_recorded_blocked_stays_blocked_when_a_fact_lifts_the_objection() {
    let db = Db::init(EXAMPLE, None);
    let ticked = db.run(&["tick", "--now", "2025-06-16"]).success();
    assert!(ticked.stdout.contains("eadrcc-2025-montana: blocked"), "{}", ticked.stdout);
    // A week later both facts that lift Türkiye's position are recorded.
    for fact in ["gaza_permanent_ceasefire", "gaza_aid_unobstructed"] {
        db.run(&["fact", fact, "true", "--source", "Test wire, 20 June 2025", "--at", "2025-06-20"]).success();
    }
    let report = db.run(&["decide", "--format", "json"]).success().json();
    assert_eq!(report["at"], "2025-06-20");
    let d = decision(&report, MONTANA);
    assert_eq!(d["outcome"], "blocked", "{d:#}");
    assert_eq!(d["final"], true, "{d:#}");
    assert_eq!(d["decided_on"], "2025-06-13", "{d:#}");
    assert_eq!(d["recorded"]["outcome"], "blocked", "{d:#}");
    assert_eq!(d["recorded"]["on"], "2025-06-13", "{d:#}");
    assert_eq!(d["recorded"]["trigger"], "deadline", "{d:#}");
    assert!(d["recorded"]["source"].as_str().is_some_and(|s| s.starts_with("ledger entry ")), "{d:#}");
    assert!(d.get("computed").is_none(), "the record agrees with the rule on its day: {d:#}");
    assert_eq!(d["would_now_be"], "adopted", "{d:#}");
    // The tally and the objection are those of the deadline, with the facts known then.
    assert_eq!(d["tally"], json!({ "consent": 0, "object": 1, "abstain": 0, "silent": 31 }));
    assert_eq!(d["objections"][0]["member"], "TUR");
    assert_eq!(d["objections"][0]["facts"][0]["value"], false);

    let table = db.run(&["decide"]).success().stdout;
    let row = table.lines().find(|l| l.starts_with(MONTANA)).unwrap_or_else(|| panic!("no row:\n{table}"));
    for part in ["blocked", "2025-06-13", "TUR", "would now be adopted"] {
        assert!(row.contains(part), "the row lacks `{part}`: {row}");
    }
    let text = db.run(&["explain", MONTANA]).success().stdout;
    for part in ["BLOCKED, decided on 2025-06-13", "would now be: adopted", "tally on 2025-06-13"] {
        assert!(text.contains(part), "explain lacks `{part}`:\n{text}");
    }
    let mut explained = db.run(&["explain", MONTANA, "--format", "json"]).success().json();
    let object = explained.as_object_mut().unwrap();
    object.remove("at");
    object.remove("stances");
    assert_eq!(&explained, d, "explain says what decide says");
}

// ---------------------------------------------------------------------------------------------
// 3. The clock: no write after today.

// See: issue 10, "a delegation posted a vote dated 2030-01-01; the server's 'today' jumped to
// 2030". Confirmed failing on concord 0.1 (the vote was recorded and the store's date moved).
#[test]
fn r10_a_vote_dated_after_today_is_refused_and_the_store_date_does_not_move() {
    let db = Db::init(EXAMPLE, None);
    db.run(&[
        "proposal",
        "far-2025",
        "--committee",
        "MC",
        "--kind",
        "exercise",
        "--deadline",
        "2999-12-31",
        "--at",
        "2025-06-16",
    ])
    .success();
    let today = today();
    let tomorrow = today.next().unwrap().to_string();
    let entries = db.entries();
    let run = db.run(&["vote", "far-2025", "HUN", "consent", "--at", &tomorrow]).failure();
    assert!(run.stderr.contains(&tomorrow) && run.stderr.contains(&today.to_string()), "{}", run.stderr);
    assert!(run.stderr.contains("after the clock's date"), "{}", run.stderr);
    assert_eq!(db.entries(), entries, "nothing recorded");
    assert_eq!(db.run(&["decide", "--format", "json"]).success().json()["at"], "2025-06-16", "the store's date");
    // The ledger still takes the next day's vote: its last date did not move.
    db.run(&["vote", "far-2025", "HUN", "consent", "--at", "2025-06-17"]).success();
    // A write without a date is dated today.
    db.run(&["vote", "far-2025", "POL", "consent"]).success();
    let last = db.entries().pop().unwrap();
    assert_eq!(last["at"], today.to_string(), "{last}");
}

// ---------------------------------------------------------------------------------------------
// 4. Closing early.

// See: issue 10, "closing a procedure early records `pending` as its final outcome". Confirmed
// failing on concord 0.1 (both closes recorded `pending`).
#[test]
fn r10_closing_before_the_deadline_records_adopted_or_blocked_never_pending() {
    let db = Db::init(scenario_file(SMALL).path(), None);
    // Only silence: unanimity needs every member's yes, consensus takes silence as consent.
    let u = db.run(&["close", "u", "--at", "2025-06-10", "--reason", "no agreement in sight"]).success();
    assert!(u.stdout.contains("closed u: blocked on 2025-06-10"), "{}", u.stdout);
    let c = db.run(&["close", "c", "--at", "2025-06-10"]).success();
    assert!(c.stdout.contains("closed c: adopted on 2025-06-10"), "{}", c.stdout);
    for e in db.entries().iter().filter(|e| e["change"] == "decision") {
        assert_ne!(e["outcome"], "pending", "{e}");
        assert_eq!(e["trigger"], "close", "{e}");
    }
    let report = db.decide("2025-06-15");
    for (id, outcome) in [("u", "blocked"), ("c", "adopted")] {
        let d = decision(&report, id);
        assert_eq!(d["outcome"], outcome, "{d:#}");
        assert_eq!(d["final"], true, "{d:#}");
        assert_eq!(d["decided_on"], "2025-06-10", "{d:#}");
        assert_eq!(d["recorded"]["trigger"], "close", "{d:#}");
        assert_eq!(d["recorded"]["outcome"], outcome, "{d:#}");
        assert_eq!(d["recorded"]["on"], "2025-06-10", "{d:#}");
    }
    assert_eq!(decision(&report, "u")["recorded"]["note"], "no agreement in sight");
    // Nothing more about a closed proposal is taken.
    let late = db.run(&["vote", "u", "A", "consent", "--at", "2025-06-11"]).failure();
    assert!(late.stderr.contains("2025-06-10"), "{}", late.stderr);
    let again = db.run(&["close", "u", "--at", "2025-06-11"]).failure();
    assert!(again.stderr.contains("2025-06-10"), "{}", again.stderr);
}

// ---------------------------------------------------------------------------------------------
// 5. The procedure over time: extensions, withdrawals, revised texts, corrections, silence, and
//    decisions as the record gives them.

// See: issue 10, "there is no way to extend a deadline". Confirmed failing on concord 0.1 (no
// `extend` command).
#[test]
fn r10_a_deadline_moves_earlier_or_later_while_the_proposal_is_open_only() {
    let db = Db::init(scenario_file(SMALL).path(), Some("2025-06-01"));
    db.run(&["extend", "c", "--deadline", "2025-07-15", "--reason", "two delegations asked", "--at", "2025-06-05"])
        .success();
    let d = decision(&db.decide("2025-07-01"), "c").clone();
    assert_eq!((&d["outcome"], &d["final"], &d["deadline"]), (&json!("pending"), &json!(false), &json!("2025-07-15")));
    // Never before the extension's own date.
    let run = db.run(&["extend", "c", "--deadline", "2025-06-04", "--at", "2025-06-06"]).failure();
    assert!(run.stderr.contains("2025-06-04") && run.stderr.contains("2025-06-06"), "{}", run.stderr);
    // Earlier again.
    db.run(&["extend", "c", "--deadline", "2025-06-20", "--at", "2025-06-06"]).success();
    let d = decision(&db.decide("2025-07-01"), "c").clone();
    assert_eq!(d["outcome"], "adopted", "{d:#}");
    assert_eq!(
        (&d["final"], &d["decided_on"], &d["deadline"]),
        (&json!(true), &json!("2025-06-20"), &json!("2025-06-20"))
    );
    // Once decided, a deadline cannot move.
    let run = db.run(&["extend", "c", "--deadline", "2025-07-20", "--at", "2025-06-21"]).failure();
    assert!(run.stderr.contains("was decided on 2025-06-20"), "{}", run.stderr);
    // A file with the same extensions decides the same.
    let exported = db.run(&["export"]).success().stdout;
    assert_eq!(exported.lines().filter(|l| *l == "[[extension]]").count(), 2, "{exported}");
    let file = scenario_file(&exported);
    let from_file = concord(&["decide", file.path(), "--at", "2025-07-01", "--format", "json"]).success().json();
    assert_eq!(decision(&from_file, "c"), &d);
}

// See: issue 10, "there is no way to withdraw a proposal". Confirmed failing on concord 0.1 (no
// `withdraw` command).
#[test]
fn r10_a_withdrawal_needs_a_reason_and_an_open_proposal() {
    let db = Db::init(scenario_file(SMALL).path(), Some("2025-06-01"));
    let run = db.run(&["withdraw", "u", "--reason", " ", "--at", "2025-06-21"]).failure();
    assert!(run.stderr.contains("reason"), "{}", run.stderr);
    let run = db.run(&["withdraw", "u", "--at", "2025-06-21"]).failure();
    assert!(run.stderr.contains("--reason"), "{}", run.stderr);
    assert_eq!(db.entries().len(), 1, "nothing recorded");

    db.run(&["withdraw", "u", "--reason", "overtaken by events", "--at", "2025-06-21"]).success();
    let d = decision(&db.decide("2025-06-25"), "u").clone();
    assert_eq!(d["outcome"], "withdrawn", "{d:#}");
    assert_eq!((&d["final"], &d["decided_on"]), (&json!(true), &json!("2025-06-21")), "{d:#}");
    let run = db.run(&["withdraw", "u", "--reason", "again", "--at", "2025-06-22"]).failure();
    assert!(run.stderr.contains("u"), "{}", run.stderr);
    let run = db.run(&["vote", "u", "A", "consent", "--at", "2025-06-22"]).failure();
    assert!(run.stderr.contains("2025-06-21"), "{}", run.stderr);

    // A proposal decided on its deadline cannot be withdrawn after it.
    db.run(&["tick", "--now", "2025-07-01"]).success();
    let run = db.run(&["withdraw", "c", "--reason", "too late", "--at", "2025-07-01"]).failure();
    assert!(run.stderr.contains("was decided") && run.stderr.contains("2025-06-30"), "{}", run.stderr);
    let d = decision(&db.decide("2025-07-01"), "c").clone();
    assert_eq!((&d["outcome"], &d["decided_on"]), (&json!("adopted"), &json!("2025-06-30")));
}

// See: issue 10, "there is no way to recirculate a revised text". Confirmed failing on concord 0.1
// (no `--procedure` nor `--supersedes`).
#[test]
fn r10_a_revised_text_withdraws_the_proposal_it_supersedes() {
    let db = Db::init(scenario_file(SMALL).path(), Some("2025-06-01"));
    db.run(&[
        "proposal",
        "c-rev1",
        "--committee",
        "CONS",
        "--kind",
        "statement",
        "--title",
        "C, revised",
        "--procedure",
        "meeting",
        "--deadline",
        "2025-07-10",
        "--supersedes",
        "c",
        "--at",
        "2025-06-05",
    ])
    .success();
    let report = db.decide("2025-06-15");
    let old = decision(&report, "c");
    assert_eq!(old["outcome"], "withdrawn", "{old:#}");
    assert_eq!((&old["final"], &old["decided_on"]), (&json!(true), &json!("2025-06-05")), "{old:#}");
    let new = decision(&report, "c-rev1");
    assert_eq!(
        (&new["outcome"], &new["final"], &new["procedure"]),
        (&json!("pending"), &json!(false), &json!("meeting"))
    );
    // The file says the same with `supersedes` and `circulated`.
    let text = format!(
        "{SMALL}\n[[proposal]]\nid = \"c-rev1\"\ntitle = \"C, revised\"\ncommittee = \"CONS\"\nkind = \"statement\"\n\
         partners = []\nengagement = \"new\"\ncirculated = 2025-06-05\ndeadline = 2025-07-10\nprocedure = \"meeting\"\n\
         supersedes = \"c\"\n"
    );
    let file = scenario_file(&text);
    let from_file = concord(&["decide", file.path(), "--at", "2025-06-15", "--format", "json"]).success().json();
    assert_eq!(decision(&from_file, "c"), old);
    assert_eq!(decision(&from_file, "c-rev1")["outcome"], "pending");
}

// See: issue 10, "there is no way to correct a stance on the same day". Confirmed failing on
// concord 0.1 (the second vote of the day was refused).
#[test]
fn r10_a_same_day_correction_counts_the_later_vote_and_history_keeps_both() {
    let db = Db::init(scenario_file(SMALL).path(), Some("2025-06-01"));
    db.run(&["vote", "u", "A", "object", "--reason", "sent in error", "--at", "2025-06-06"]).success();
    db.run(&["vote", "u", "A", "consent", "--at", "2025-06-06"]).success();
    let d = decision(&db.decide("2025-06-06"), "u").clone();
    assert_eq!(d["tally"], json!({ "consent": 1, "object": 0, "abstain": 0, "silent": 2 }), "{d:#}");
    assert_eq!(d["objections"], json!([]));
    let h = db.run(&["history", "u", "--until", "2025-06-06", "--format", "json"]).success().json();
    let votes: Vec<(&str, &str)> = h["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["change"] == "vote")
        .map(|e| (e["at"].as_str().unwrap(), e["stance"].as_str().unwrap()))
        .collect();
    assert_eq!(votes, [("2025-06-06", "object"), ("2025-06-06", "consent")], "both stay on record: {h:#}");
    let changes: Vec<(&str, &str, &str)> = h["stances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["date"].as_str().unwrap(), s["member"].as_str().unwrap(), s["to"].as_str().unwrap()))
        .collect();
    assert_eq!(changes, [("2025-06-06", "A", "consent")], "the stance of the day is the later vote");
    let text = db.run(&["history", "u", "--until", "2025-06-06"]).success().stdout;
    assert!(text.contains("sent in error"), "the corrected vote is listed:\n{text}");
}

// See: issue 10, "there is no way to return to silence". Confirmed failing on concord 0.1
// (`silent` was an unknown stance).
#[test]
fn r10_a_silent_vote_returns_a_member_to_its_positions() {
    let db = Db::init(EXAMPLE, None);
    db.run(&[
        "proposal",
        "isr-drill-2025",
        "--committee",
        "MC",
        "--kind",
        "exercise",
        "--partner",
        "ISR",
        "--deadline",
        "2025-06-30",
        "--at",
        "2025-06-16",
    ])
    .success();
    db.run(&["vote", "isr-drill-2025", "TUR", "consent", "--at", "2025-06-17"]).success();
    db.run(&["vote", "isr-drill-2025", "TUR", "silent", "--at", "2025-06-18"]).success();
    let tur = |at: &str| {
        let e = db.run(&["explain", "isr-drill-2025", "--at", at, "--format", "json"]).success().json();
        let s = stances(&e).into_iter().find(|(m, ..)| m == "TUR").unwrap();
        (s.1, s.2, e["outcome"].clone(), e["objections"].clone())
    };
    let (stance, cause, outcome, _) = tur("2025-06-16");
    assert_eq!((stance.as_str(), cause, outcome), ("object", json!("position"), json!("blocked")));
    let (stance, cause, outcome, _) = tur("2025-06-17");
    assert_eq!((stance.as_str(), cause, outcome), ("consent", json!("vote"), json!("pending")));
    let (stance, cause, outcome, objections) = tur("2025-06-18");
    assert_eq!((stance.as_str(), cause, outcome), ("object", json!("position"), json!("blocked")));
    assert_eq!(objections[0]["positions"][0]["id"], "tur-no-new-israel-engagement");
}

// See: issue 10, "a history that the record gives ('no consensus was reached', with no objector
// named) cannot be stated". Confirmed failing on concord 0.1 (`[[decision]]` was an unknown table).
#[test]
fn r10_a_recorded_decision_with_no_objector_is_explained_as_recorded() {
    let text = format!(
        "{SMALL}\n[[decision]]\nproposal = \"c\"\non = 2025-06-30\noutcome = \"blocked\"\n\
         source = \"Chair's statement, 30 June 2025\"\nnote = \"no consensus was reached\"\n"
    );
    let file = scenario_file(&text);
    concord(&["check", file.path()]).success();
    let e = concord(&["explain", file.path(), "c", "--at", "2025-07-01", "--format", "json"]).success().json();
    assert_eq!(e["outcome"], "blocked", "{e:#}");
    assert_eq!((&e["final"], &e["decided_on"]), (&json!(true), &json!("2025-06-30")), "{e:#}");
    assert_eq!(
        e["recorded"],
        json!({ "outcome": "blocked", "on": "2025-06-30", "source": "Chair's statement, 30 June 2025",
                "note": "no consensus was reached", "trigger": "record" })
    );
    assert_eq!(e["computed"], "adopted", "the rule, with everyone silent, adopts: the record stands");
    assert_eq!(e["objections"], json!([]), "no objector is named");
    assert_eq!(e["tally"]["object"], 0);
    // Before its date the proposal is open.
    let before = concord(&["explain", file.path(), "c", "--at", "2025-06-29", "--format", "json"]).success().json();
    assert_eq!((&before["final"], &before["recorded"]), (&json!(false), &Value::Null), "{before:#}");

    let text = concord(&["explain", file.path(), "c", "--at", "2025-07-01"]).success().stdout;
    for part in ["BLOCKED", "decided on 2025-06-30", "recorded", "Chair's statement", "no consensus was reached"] {
        assert!(text.contains(part), "explain lacks `{part}`:\n{text}");
    }
    assert!(text.contains("the rule gives adopted"), "the disagreement is shown:\n{text}");
}

// ---------------------------------------------------------------------------------------------
// 6. The generator writes files that `check` accepts.

// See: issue 10, "`concord gen --seed 3 --proposals 2000` writes a file that `check` itself
// refuses". Confirmed failing on concord 0.1 ("fact `f038` is observed twice on 2025-05-19").
#[test]
fn r10_a_generated_scenario_passes_check() {
    for seed in ["3", "1", "7"] {
        let generated = concord(&["gen", "--seed", seed, "--proposals", "2000"]).success().stdout;
        let file = scenario_file(&generated);
        let run = concord(&["check", file.path()]);
        assert_eq!(run.code, Some(0), "seed {seed}: {}", run.stderr);
        assert!(run.stdout.contains("2000 proposals"), "seed {seed}: {}", run.stdout);
    }
}

// ---------------------------------------------------------------------------------------------
// 7. The file and the store apply the same rules, in the same words.

/// Three members, the third joining on 2025-06-10, and one proposal before all of them.
const JOINING: &str = r#"
[scenario]
id = "joining"
title = "Joining"
as_of = 2025-06-01

[[member]]
id = "A"
name = "A"

[[member]]
id = "B"
name = "B"

[[member]]
id = "N"
name = "Newcomer"
joined = 2025-06-10

[[committee]]
id = "CONS"
name = "By consensus"
members = "all"
rule = "consensus"

[[proposal]]
id = "p"
title = "P"
committee = "CONS"
kind = "statement"
partners = []
engagement = "new"
circulated = 2025-06-01
deadline = 2025-06-30
"#;

fn vote_toml(member: &str, stance: &str, at: &str, reason: Option<&str>) -> String {
    let reason = reason.map_or_else(String::new, |r| format!("reason = \"{r}\"\n"));
    format!("\n[[vote]]\nproposal = \"p\"\nmember = \"{member}\"\nstance = \"{stance}\"\nat = {at}\n{reason}")
}

/// The message of a one-line error, without its location (`file:line:col: error: `) or the
/// store's preamble (`error: refused, nothing was recorded: `).
fn message(stderr: &str) -> String {
    let line = stderr.lines().next().unwrap_or_default();
    let after = line.split_once("error: ").map_or(line, |(_, m)| m);
    after.strip_prefix("refused, nothing was recorded: ").unwrap_or(after).to_owned()
}

// See: issue 10, "the store refuses things that `check` accepts in a file (a vote before the
// member joined, two votes on one day): the file and the store apply different rules". Confirmed
// failing on concord 0.1 (`check` accepted the early vote; the store refused the second vote).
#[test]
fn r10_the_file_and_the_store_accept_and_refuse_the_same_votes_in_the_same_words() {
    // A vote before its member joined.
    let file = scenario_file(&format!("{JOINING}{}", vote_toml("N", "consent", "2025-06-05", None)));
    let in_file = concord(&["check", file.path()]).failure();
    let db = Db::init(scenario_file(JOINING).path(), None);
    let in_store = db.run(&["vote", "p", "N", "consent", "--at", "2025-06-05"]).failure();
    let said = message(&in_file.stderr);
    assert!(said.contains("joins on 2025-06-10") && said.contains("N"), "{}", in_file.stderr);
    assert_eq!(message(&in_store.stderr), said, "same words:\n{}\n{}", in_file.stderr, in_store.stderr);

    // Two votes of one member on one day: the later counts, in both.
    let votes = format!(
        "{}{}",
        vote_toml("A", "object", "2025-06-05", Some("first thoughts")),
        vote_toml("A", "consent", "2025-06-05", None)
    );
    let file = scenario_file(&format!("{JOINING}{votes}"));
    concord(&["check", file.path()]).success();
    db.run(&["vote", "p", "A", "object", "--reason", "first thoughts", "--at", "2025-06-05"]).success();
    db.run(&["vote", "p", "A", "consent", "--at", "2025-06-05"]).success();
    let from_file = concord(&["decide", file.path(), "--at", "2025-06-05", "--format", "json"]).success().json();
    let d = decision(&from_file, "p");
    assert_eq!(d["tally"], json!({ "consent": 1, "object": 0, "abstain": 0, "silent": 1 }), "{d:#}");
    assert_eq!(decision(&db.decide("2025-06-05"), "p"), d);

    // A vote after the decision: refused by both, in the same words.
    let file = scenario_file(&format!("{JOINING}{votes}{}", vote_toml("B", "object", "2025-07-01", Some("late"))));
    let in_file = concord(&["check", file.path()]).failure();
    let later = db.run(&["vote", "p", "B", "object", "--reason", "late", "--at", "2025-07-01"]).failure();
    let said = message(&in_file.stderr);
    assert!(said.contains("was decided on 2025-06-30"), "{}", in_file.stderr);
    assert_eq!(message(&later.stderr), said, "same words:\n{}\n{}", in_file.stderr, later.stderr);
}

// See: issue 10, "the file and the store accept and refuse the same things with the same words",
// for a vote after a decision the store has recorded (`tick`) and its export. Confirmed failing on
// concord 0.1 (its export had no `[[decision]]`).
#[test]
fn r10_a_vote_after_a_recorded_decision_is_refused_in_the_same_words_by_the_file_and_the_store() {
    let db = Db::init(scenario_file(JOINING).path(), None);
    db.run(&["tick", "--now", "2025-07-01"]).success();
    let in_store = db.run(&["vote", "p", "B", "object", "--reason", "late", "--at", "2025-07-01"]).failure();
    let exported = db.run(&["export"]).success().stdout;
    assert!(exported.lines().any(|l| l == "[[decision]]"), "{exported}");
    let file = scenario_file(&format!("{exported}{}", vote_toml("B", "object", "2025-07-01", Some("late"))));
    let in_file = concord(&["check", file.path()]).failure();
    let said = message(&in_file.stderr);
    assert!(said.contains("2025-06-30") && said.contains("ledger entry 1"), "{}", in_file.stderr);
    assert_eq!(message(&in_store.stderr), said, "same words:\n{}\n{}", in_file.stderr, in_store.stderr);
}

// ---------------------------------------------------------------------------------------------
// 8. History sees positions that read the date.

// See: issue 10, "`history` misses stance changes caused by positions that read `context.date`".
// Confirmed failing on concord 0.1 (B's objection appeared on 2025-06-25, the last day looked at).
#[test]
fn r10_history_shows_the_day_a_position_on_the_date_starts_objecting() {
    let position = "\n[[position]]\nid = \"b-late-june\"\nmember = \"B\"\nsource = \"B's statement\"\npolicy = '''\n\
                    forbid (principal, action == Action::\"consent\", resource)\n\
                    when { context.date like \"2025-06-2*\" };\n'''\n";
    let text = replace_once(&format!("{JOINING}{position}"), "deadline = 2025-06-30", "deadline = 2025-06-25");
    let db = Db::init(scenario_file(&text).path(), None);
    db.run(&["vote", "p", "A", "consent", "--at", "2025-06-12"]).success();
    let h = db.run(&["history", "p", "--until", "2025-06-25", "--format", "json"]).success().json();
    let changes: Vec<(&str, &str, &str, &str)> = h["stances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["date"].as_str().unwrap(),
                s["member"].as_str().unwrap(),
                s["to"].as_str().unwrap(),
                s["cause"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(changes, [("2025-06-12", "A", "consent", "vote"), ("2025-06-20", "B", "object", "position")], "{h:#}");
    let b = &h["stances"][1];
    assert_eq!(b["detail"], "b-late-june");
    let outcomes: Vec<(&str, &str)> = h["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["date"].as_str().unwrap(), o["to"].as_str().unwrap()))
        .collect();
    assert_eq!(outcomes, [("2025-06-01", "pending"), ("2025-06-20", "blocked"), ("2025-06-25", "blocked")]);
    assert_eq!((&h["decision"], &h["decided_on"]), (&json!("blocked"), &json!("2025-06-25")));
    let text = db.run(&["history", "p", "--until", "2025-06-25"]).success().stdout;
    assert!(text.contains("2025-06-20  B"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// 9. What-if is a counterfactual.

/// The facts of the example, each with the value it has throughout.
const AS_THEY_ARE: [&str; 3] =
    ["gaza_permanent_ceasefire=false", "gaza_aid_unobstructed=false", "allies_meeting_2pct_gdp=23"];

// See: issue 10, "what-if as a counterfactual ... a `--set` on an unknown fact is refused with the
// closest ids suggested". Confirmed failing on concord 0.1 (the misspelt fact was taken, exit 0).
#[test]
fn r10_what_if_with_the_facts_as_they_are_changes_nothing_and_a_misspelt_fact_is_refused() {
    for at in ["2025-05-20", "2025-06-05", "2025-06-13", "2025-06-15", "2025-07-01"] {
        let mut args = vec!["what-if", EXAMPLE, "--at", at, "--format", "json"];
        for set in AS_THEY_ARE {
            args.extend(["--set", set]);
        }
        let report = concord(&args).success().json();
        assert_eq!(report["changed"], json!([]), "on {at}");
        // `decide --set` takes the same decisions, on the same days.
        let mut args = vec!["decide", EXAMPLE, "--at", at, "--format", "json"];
        let plain = concord(&args).success().json();
        for set in AS_THEY_ARE {
            args.extend(["--set", set]);
        }
        let set = concord(&args).success().json();
        let taken = |r: &Value| -> Vec<(Value, Value, Value, Value)> {
            r["decisions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| (d["proposal"].clone(), d["outcome"].clone(), d["final"].clone(), d["decided_on"].clone()))
                .collect()
        };
        assert_eq!(taken(&set), taken(&plain), "on {at}");
    }
    for cmd in ["what-if", "decide"] {
        let run = concord(&[cmd, EXAMPLE, "--set", "gaza_permanent_ceasfire=true"]).failure();
        assert!(run.stderr.contains("gaza_permanent_ceasfire"), "names the fact: {}", run.stderr);
        assert!(run.stderr.contains("`gaza_permanent_ceasefire`"), "suggests the closest: {}", run.stderr);
    }
}

// See: issue 10, "the README example still shows ... the what-if with both Gaza facts true adopting
// it", with the decision it would have been. Confirmed failing on concord 0.1 (no `final`).
#[test]
fn r10_the_readme_what_if_adopts_montana_on_its_deadline() {
    let report = concord(&[
        "what-if",
        EXAMPLE,
        "--set",
        "gaza_permanent_ceasefire=true",
        "--set",
        "gaza_aid_unobstructed=true",
        "--format",
        "json",
    ])
    .success()
    .json();
    assert_eq!(report["at"], "2025-06-15");
    let changed = report["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{report:#}");
    let c = &changed[0];
    assert_eq!((&c["proposal"], &c["before"], &c["after"]), (&json!(MONTANA), &json!("blocked"), &json!("adopted")));
    assert_eq!(c["final"], true, "blocked is the decision taken on 2025-06-13: {c:#}");
    // In that world the exercise was adopted on its deadline.
    let world = concord(&[
        "decide",
        EXAMPLE,
        "--set",
        "gaza_permanent_ceasefire=true",
        "--set",
        "gaza_aid_unobstructed=true",
        "--format",
        "json",
    ])
    .success()
    .json();
    let d = decision(&world, MONTANA);
    assert_eq!((&d["outcome"], &d["final"], &d["decided_on"]), (&json!("adopted"), &json!(true), &json!("2025-06-13")));
}
