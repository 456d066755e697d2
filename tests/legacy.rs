//! A store written by concord 0.1 (`tests/fixtures/store-0.1.0/`: `v1.db` with its keys; its
//! entries in `entries.jsonl`; concord 0.1's `export` in `export.toml` and its
//! `decide --at 2025-07-05 --format json` in `decide-2025-07-05.json`) still opens, verifies,
//! decides as it did, replays, exports and takes new writes (issue 10: "existing stores still open
//! and verify").
//!
//! The one decision that reads differently is `fx-2025-early`: concord 0.1 closed it early with
//! only silence and recorded `pending`, then showed it `adopted` once its deadline had passed (the
//! reopening bug); that close now reads as the decision it was meant to be, `blocked`.
//!
//! Like `finality`, these run the program through [`crate::util::concord_program`]. On concord 0.1
//! (`CONCORD_TEST_BIN=/tmp/concord-old`) every test but the first fails (confirmed): the first
//! checks what concord 0.1 already did.

use serde_json::{Value, json};

use crate::util::{Run, concord_program as concord, decision, read, scenario_file};

const FIXTURE: &str = "tests/fixtures/store-0.1.0";

/// The proposal whose close concord 0.1 recorded as `pending`.
const EARLY: &str = "fx-2025-early";

/// A copy of the fixture's store in a temporary directory (the fixture itself is never written).
struct Legacy {
    dir: tempfile::TempDir,
    db: String,
}

impl Legacy {
    fn new() -> Legacy {
        let dir = tempfile::tempdir().unwrap();
        for name in ["v1.db", "v1.db.key", "v1.db.pub"] {
            std::fs::copy(crate::util::root().join(FIXTURE).join(name), dir.path().join(name)).unwrap();
        }
        let db = dir.path().join("v1.db").to_str().unwrap().to_owned();
        Legacy { dir, db }
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--db", self.db.as_str()];
        all.extend_from_slice(args);
        concord(&all)
    }

    /// Every entry after the init entry, as `ledger show` prints them.
    fn entries(&self) -> Vec<Value> {
        let shown = self.run(&["ledger", "show", "--from", "1"]).success().stdout;
        shown.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

/// The root concord 0.1 printed for the fixture (the second line of its export).
fn root_0_1() -> String {
    let export = read(&format!("{FIXTURE}/export.toml"));
    let line = export.lines().nth(1).unwrap();
    line.rsplit_once("root ").unwrap().1.trim().to_owned()
}

#[test]
fn a_store_of_concord_0_1_opens_and_verifies_with_the_same_root_and_entries() {
    let store = Legacy::new();
    let verify = store.run(&["ledger", "verify"]).success();
    assert!(verify.stdout.starts_with("ok: 19 entries"), "{}", verify.stdout);
    assert!(verify.stdout.contains(&root_0_1()), "the root of concord 0.1: {}", verify.stdout);
    let listed: Vec<Value> =
        read(&format!("{FIXTURE}/entries.jsonl")).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(store.entries(), listed, "every entry as concord 0.1 wrote it");
    // Reading it changed nothing: it verifies again, with the same root.
    store.run(&["decide"]).success();
    let again = store.run(&["ledger", "verify"]).success();
    assert_eq!(again.stdout, verify.stdout);
}

#[test]
fn a_store_of_concord_0_1_decides_as_it_did_but_for_the_pending_close() {
    let store = Legacy::new();
    let now = store.run(&["decide", "--at", "2025-07-05", "--format", "json"]).success().json();
    let then: Value = serde_json::from_str(&read(&format!("{FIXTURE}/decide-2025-07-05.json"))).unwrap();
    let ids = |r: &Value| -> Vec<String> {
        r["decisions"].as_array().unwrap().iter().map(|d| d["proposal"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids(&now), ids(&then));
    let objecting = |d: &Value| -> Vec<(Value, Value)> {
        d["objections"].as_array().unwrap().iter().map(|o| (o["member"].clone(), o["cause"].clone())).collect()
    };
    for id in ids(&then) {
        let (a, b) = (decision(&now, &id), decision(&then, &id));
        assert_eq!(a["final"], true, "every proposal is decided by 2025-07-05: {a:#}");
        assert!(a["recorded"]["source"].as_str().is_some_and(|s| s.starts_with("ledger entry ")), "{a:#}");
        if id == EARLY {
            continue;
        }
        assert_eq!(a["outcome"], b["outcome"], "{id}");
        assert_eq!(a["tally"], b["tally"], "{id}");
        assert_eq!(objecting(a), objecting(b), "{id}");
        assert!(a.get("computed").is_none(), "{id}: the record agrees with the rule: {a:#}");
    }
    // concord 0.1 reopened the early close once the deadline had passed.
    assert_eq!(decision(&then, EARLY)["outcome"], "adopted");
    let early = decision(&now, EARLY);
    assert_eq!(early["outcome"], "blocked", "{early:#}");
    assert_eq!(early["decided_on"], "2025-06-23");
    assert_eq!(early["recorded"]["outcome"], "blocked");
    assert_eq!(early["recorded"]["trigger"], "close");
    assert_eq!(early["recorded"]["source"], "ledger entry 11");
    assert_eq!(early["computed"], "adopted", "with only silence, a close under consensus adopts: {early:#}");
    // Before the close it was open.
    let before = store.run(&["decide", "--at", "2025-06-22", "--format", "json"]).success().json();
    assert_eq!(decision(&before, EARLY)["final"], false);
}

#[test]
fn a_store_of_concord_0_1_replays_with_its_records_flagging_only_the_pending_close() {
    let store = Legacy::new();
    // `replay` reports, then exits non-zero because one record differs.
    let run = store.run(&["replay", "--format", "json"]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("1 recorded decision"), "{}", run.stderr);
    let replay = run.json();
    assert_eq!(replay["decisions"], 9);
    assert_eq!(replay["differing"], 1);
    for r in replay["replayed"].as_array().unwrap() {
        assert_eq!(r["state_matches"], Value::Null, "recorded by another engine version: {r}");
        assert_eq!(r["engine"], "concord-core 0.1.0", "{r}");
        assert_eq!(r["same"] == false, r["proposal"] == EARLY, "only the pending close differs: {r}");
    }
    let early = replay["replayed"].as_array().unwrap().iter().find(|r| r["proposal"] == EARLY).unwrap();
    assert_eq!((&early["recorded"], &early["replayed"]), (&json!("blocked"), &json!("adopted")), "{early}");
    assert_eq!(early["entry"], 11);
}

#[test]
fn a_store_of_concord_0_1_exports_a_file_that_decides_the_same() {
    let store = Legacy::new();
    let exported = store.run(&["export"]).success().stdout;
    assert_eq!(exported.lines().filter(|l| *l == "[[decision]]").count(), 9, "every record is exported:\n{exported}");
    let file = scenario_file(&exported);
    concord(&["check", file.path()]).success();
    for at in [None, Some("2025-06-10"), Some("2025-06-20"), Some("2025-06-23"), Some("2025-07-05"), Some("2025-08-01")]
    {
        let mut a = vec!["decide", file.path(), "--format", "json"];
        let mut b = vec!["decide", "--format", "json"];
        if let Some(at) = at {
            a.extend(["--at", at]);
            b.extend(["--at", at]);
        }
        assert_eq!(concord(&a).success().json(), store.run(&b).success().json(), "at {at:?}");
    }
    // A store made from the export exports the same scenario again.
    let again = store.dir.path().join("again.db");
    let again = again.to_str().unwrap();
    concord(&["--db", again, "init", file.path()]).success();
    let twice = concord(&["--db", again, "export"]).success().stdout;
    let body = |t: &str| t.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&twice), body(&exported));
}

#[test]
fn a_store_of_concord_0_1_takes_new_writes_that_verify() {
    let store = Legacy::new();
    let before = store.entries();
    store
        .run(&[
            "proposal",
            "fx-2025-late",
            "--committee",
            "MC",
            "--kind",
            "exercise",
            "--deadline",
            "2025-07-20",
            "--at",
            "2025-07-06",
        ])
        .success();
    store.run(&["vote", "fx-2025-late", "NOR", "consent", "--at", "2025-07-07"]).success();
    let d = store.run(&["decide", "--at", "2025-07-07", "--format", "json"]).success().json();
    let late = decision(&d, "fx-2025-late");
    assert_eq!((&late["outcome"], &late["final"]), (&json!("pending"), &json!(false)), "{late:#}");
    assert_eq!(late["tally"]["consent"], 1);
    let verify = store.run(&["ledger", "verify"]).success();
    assert!(verify.stdout.starts_with("ok: 21 entries"), "{}", verify.stdout);
    let after = store.entries();
    assert_eq!(after[..before.len()], before[..], "the entries of concord 0.1 are kept as they were");
    // Its decision is recorded by the clock and replays with a matching state.
    store.run(&["tick", "--now", "2025-07-21"]).success();
    store.run(&["ledger", "verify"]).success();
    let replay = store.run(&["replay", "--format", "json"]).json();
    let new = replay["replayed"].as_array().unwrap().iter().find(|r| r["proposal"] == "fx-2025-late").unwrap();
    assert_eq!(
        (&new["recorded"], &new["same"], &new["state_matches"]),
        (&json!("adopted"), &json!(true), &json!(true))
    );
    assert_eq!(replay["differing"], 1, "still only the pending close: {replay:#}");
}
