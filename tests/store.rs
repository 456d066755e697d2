//! The store's commands (contract §4) end to end: init, votes, facts, proposals, positions,
//! silence deadlines, closing, history, replay, export round trips, proofs checked without the
//! store, and bad commands that change nothing.

use serde_json::json;

use crate::util::{EXAMPLE, concord, outcomes};

pub(crate) use crate::temp_store::{TempStore, nato_store};

/// The ids of the MC's members, from `explain`.
pub(crate) fn members(store: &TempStore) -> Vec<String> {
    let e = store.run(&["explain", "eadrcc-2025-montana", "--format", "json"]).success().json();
    e["stances"].as_array().unwrap().iter().map(|s| s["member"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_new_store_decides_like_its_scenario_file() {
    let store = nato_store();
    let from_file = concord(&["decide", EXAMPLE, "--format", "json"]).success().json();
    let from_store = store.run(&["decide", "--format", "json"]).success().json();
    assert_eq!(from_store, from_file);
    for p in ["eadrcc-2025-montana", "isr-continuing-status"] {
        let a = concord(&["explain", EXAMPLE, p, "--format", "json"]).success().json();
        let b = store.run(&["explain", p, "--format", "json"]).success().json();
        assert_eq!(a, b);
    }
    assert_eq!(store.size(), 1);
}

#[test]
fn init_refuses_an_existing_file_and_a_bad_scenario_and_guards_its_key() {
    let store = nato_store();
    let again = store.run(&["init", EXAMPLE]).failure();
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(store.size(), 1);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.file("nato.db.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the private key must be readable by its owner only");
    }

    let bad = crate::util::scenario_file(&crate::util::replace_once(
        &crate::util::example_text(),
        "rule = \"consensus\"\n\n[[committee]]",
        "rule = \"consensus-ish\"\n\n[[committee]]",
    ));
    let db = store.file("bad.db");
    let run = concord(&["--db", &db, "init", bad.path()]).failure();
    assert!(run.stderr.contains("scenario.toml:"), "names the file and line: {}", run.stderr);
    assert!(!std::path::Path::new(&db).exists(), "a failed init leaves no store behind");
}

#[test]
fn a_silence_procedure_ends_at_its_deadline_unless_silence_is_broken() {
    let store = nato_store();
    store
        .run(&[
            "proposal",
            "dynamic-mongoose-2025",
            "--committee",
            "MC",
            "--kind",
            "exercise",
            "--title",
            "Dynamic Mongoose 2025",
            "--deadline",
            "2025-06-30",
            "--at",
            "2025-06-16",
        ])
        .success();
    // Before the deadline: pending; a member that breaks silence blocks it.
    let before = store.run(&["decide", "--at", "2025-06-20", "--format", "json"]).success().json();
    assert!(outcomes(&before).contains(&("dynamic-mongoose-2025".into(), "pending".into())));
    // Nothing is due before the deadline.
    let quiet = store.run(&["tick", "--now", "2025-06-29"]).success();
    assert!(!quiet.stdout.contains("dynamic-mongoose-2025"), "{}", quiet.stdout);
    let ticked = store.run(&["tick", "--now", "2025-07-01"]).success();
    assert!(ticked.stdout.contains("dynamic-mongoose-2025: adopted on 2025-06-30 (its deadline)"), "{}", ticked.stdout);
    // Every decision that fell due since the last tick is recorded in one write, dated the clock's
    // day: this one and steadfast-2026-spec's, whose deadline is the same.
    assert!(ticked.stdout.starts_with("recorded 2 decisions on 2025-07-01"), "{}", ticked.stdout);
    let d = store.run(&["decide", "--format", "json"]).success().json();
    let mongoose = crate::util::decision(&d, "dynamic-mongoose-2025");
    assert_eq!((&mongoose["outcome"], &mongoose["decided_on"]), (&json!("adopted"), &json!("2025-06-30")));
    assert_eq!(mongoose["recorded"]["trigger"], "deadline");
    // Ticking again records nothing more.
    let size = store.size();
    let again = store.run(&["tick", "--now", "2025-07-02"]).success();
    assert!(again.stdout.starts_with("no decision has fallen due"), "{}", again.stdout);
    assert_eq!(store.size(), size);
    // The record is closed: no stance after the decision.
    let late = store.run(&["vote", "dynamic-mongoose-2025", "TUR", "object", "--reason", "late", "--at", "2025-07-03"]);
    let late = late.failure();
    assert!(late.stderr.contains("comes after it") && late.stderr.contains("2025-06-30"), "{}", late.stderr);
    // Nor before it once the ledger has passed it: the ledger does not go back.
    let back = store.run(&["vote", "dynamic-mongoose-2025", "TUR", "object", "--reason", "late", "--at", "2025-06-29"]);
    assert!(back.failure().stderr.contains("before the last entry"));
    assert_eq!(store.size(), size);
}

#[test]
fn breaking_silence_blocks_and_history_shows_who_when_and_why() {
    let store = nato_store();
    store
        .run(&[
            "proposal",
            "steadfast-2025",
            "--committee",
            "MC",
            "--kind",
            "exercise",
            "--deadline",
            "2025-06-30",
            "--at",
            "2025-06-16",
        ])
        .success();
    store
        .run(&["vote", "steadfast-2025", "HUN", "object", "--reason", "scheduling conflict", "--at", "2025-06-18"])
        .success();
    store.run(&["vote", "steadfast-2025", "HUN", "consent", "--at", "2025-06-22"]).success();
    store.run(&["vote", "steadfast-2025", "GRC", "object", "--reason", "airspace", "--at", "2025-06-25"]).success();
    store.run(&["tick", "--now", "2025-07-01"]).success();
    let h = store.run(&["history", "steadfast-2025", "--format", "json"]).success().json();
    let changes: Vec<(String, String, String)> = h["stances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (c["date"].as_str().unwrap().into(), c["member"].as_str().unwrap().into(), c["to"].as_str().unwrap().into())
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("2025-06-18".into(), "HUN".into(), "object".into()),
            ("2025-06-22".into(), "HUN".into(), "consent".into()),
            ("2025-06-25".into(), "GRC".into(), "object".into()),
        ]
    );
    assert_eq!(h["stances"][0]["detail"], "scheduling conflict");
    let outcomes: Vec<(&str, &str, bool)> = h["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["date"].as_str().unwrap(), o["to"].as_str().unwrap(), o["final"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("2025-06-16", "pending", false),
            ("2025-06-18", "blocked", false),
            ("2025-06-22", "pending", false),
            ("2025-06-25", "blocked", false),
            ("2025-06-30", "blocked", true),
        ],
        "every change of the outcome, then the decision on the deadline"
    );
    assert_eq!((&h["decision"], &h["decided_on"]), (&json!("blocked"), &json!("2025-06-30")));
    // The ledger entries about the proposal: its circulation, the votes and the decision that
    // `tick` recorded, with the objecting member.
    let kinds: Vec<&str> = h["entries"].as_array().unwrap().iter().map(|e| e["change"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["proposal", "vote", "vote", "vote", "decision"]);
    let recorded = h["entries"].as_array().unwrap().last().unwrap();
    assert_eq!((&recorded["outcome"], &recorded["objecting"]), (&json!("blocked"), &json!(["GRC"])), "{recorded}");
    let text = store.run(&["history", "steadfast-2025"]).success().stdout;
    assert!(
        text.contains("HUN") && text.contains("scheduling conflict") && text.contains("decided blocked on 2025-06-30"),
        "{text}"
    );
}

#[test]
fn facts_and_positions_change_outcomes_and_replay_confirms_every_record() {
    let store = nato_store();
    // A new exercise with Israel: blocked by TUR's position while the Gaza facts are false.
    store
        .run(&[
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
    let outcome = |at: &str| -> String {
        let d = store.run(&["decide", "--at", at, "--format", "json"]).success().json();
        crate::util::decision(&d, "isr-drill-2025")["outcome"].as_str().unwrap().to_owned()
    };
    assert_eq!(outcome("2025-06-16"), "blocked");
    store
        .run(&["fact", "gaza_permanent_ceasefire", "true", "--source", "Test wire, 2025-06-16", "--at", "2025-06-16"])
        .success();
    store
        .run(&["fact", "gaza_aid_unobstructed", "true", "--source", "Test wire, 2025-06-16", "--at", "2025-06-16"])
        .success();
    let d = store.run(&["decide", "--format", "json"]).success().json();
    assert!(outcomes(&d).contains(&("isr-drill-2025".into(), "pending".into())), "no objection left: {d:#}");
    // The exercise decided on its deadline, 2025-06-13, stays blocked: the facts came after.
    let montana = crate::util::decision(&d, "eadrcc-2025-montana");
    assert_eq!((&montana["outcome"], &montana["would_now_be"]), (&json!("blocked"), &json!("adopted")), "{montana:#}");
    // A new position blocks it again; withdrawing it lifts the block from that date on.
    let policy = "forbid (principal, action, resource) when { resource.kind == \"exercise\" };";
    store
        .run(&[
            "position",
            "add",
            "grc-no-exercises",
            "--member",
            "GRC",
            "--source",
            "Test statement",
            "--policy",
            policy,
            "--at",
            "2025-06-17",
        ])
        .success();
    let blocked = store.run(&["explain", "isr-drill-2025", "--format", "json"]).success().json();
    assert_eq!(blocked["outcome"], "blocked");
    assert_eq!(blocked["objections"][0]["positions"][0]["id"], "grc-no-exercises");
    store.run(&["position", "withdraw", "grc-no-exercises", "--reason", "resolved", "--at", "2025-06-19"]).success();
    assert_eq!(outcome("2025-06-18"), "blocked");
    assert_eq!(outcome("2025-06-19"), "pending");
    // Close a proposal: its outcome is recorded with the state it came from.
    let closed =
        store.run(&["close", "isr-drill-2025", "--at", "2025-06-20", "--reason", "programme agreed"]).success();
    assert!(closed.stdout.contains("closed isr-drill-2025: adopted"), "{}", closed.stdout);
    store.run(&["tick", "--now", "2025-07-01"]).success();
    let replay = store.run(&["replay", "--format", "json"]).success().json();
    assert_eq!(replay["decisions"], 8, "the close and the seven procedures that fell due: {replay:#}");
    assert_eq!(replay["differing"], 0);
    assert!(replay["replayed"].as_array().unwrap().iter().all(|r| r["same"] == true && r["state_matches"] == true));
}

#[test]
fn export_round_trips_to_the_same_decisions() {
    let store = nato_store();
    store.run(&["vote", "steadfast-2026-spec", "HUN", "consent", "--at", "2025-06-16"]).success();
    store
        .run(&[
            "fact",
            "gaza_permanent_ceasefire",
            "true",
            "--source",
            "Wire \"quoted\"\nsecond line",
            "--as-of",
            "2025-06-12",
            "--at",
            "2025-06-17",
        ])
        .success();
    store
        .run(&[
            "proposal",
            "p-new",
            "--committee",
            "NAC",
            "--kind",
            "activity",
            "--partner",
            "ISR",
            "--attr",
            "host=BGR",
            "--attr",
            "size=1.50",
            "--attr",
            "hosts=[BGR, ROU]",
            "--deadline",
            "2025-07-01",
            "--at",
            "2025-06-18",
        ])
        .success();
    store.run(&["vote", "p-new", "TUR", "object", "--reason", "no new engagement", "--at", "2025-06-19"]).success();
    store
        .run(&["extend", "p-new", "--deadline", "2025-07-08", "--reason", "consultations", "--at", "2025-06-20"])
        .success();
    store
        .run(&[
            "proposal",
            "p-other",
            "--committee",
            "MC",
            "--kind",
            "exercise",
            "--deadline",
            "2025-07-15",
            "--at",
            "2025-06-20",
        ])
        .success();
    store.run(&["withdraw", "p-other", "--reason", "merged into another item", "--at", "2025-06-21"]).success();
    store.run(&["tick", "--now", "2025-06-21"]).success();
    let exported = store.run(&["export"]).success().stdout;
    // Records the store made are written so that the file decides as the store: decisions,
    // extensions, withdrawals and the date an earlier observation was recorded.
    for part in [
        "[[decision]]",
        "[[extension]]",
        "withdrawn = 2025-06-21",
        "recorded = 2025-06-17",
        r#"hosts = ["BGR", "ROU"]"#,
    ] {
        assert!(exported.contains(part), "the export lacks `{part}`:\n{exported}");
    }
    let file = store.file("exported.toml");
    std::fs::write(&file, &exported).unwrap();
    for at in [None, Some("2025-06-12"), Some("2025-06-16"), Some("2025-06-20"), Some("2025-07-02"), Some("2025-07-09")]
    {
        let mut a = vec!["decide", &file, "--format", "json"];
        let mut b = vec!["decide", "--format", "json"];
        if let Some(at) = at {
            a.extend(["--at", at]);
            b.extend(["--at", at]);
        }
        assert_eq!(concord(&a).success().json(), store.run(&b).success().json(), "at {at:?}");
    }
    // A store made from the export exports the same scenario again.
    let again = TempStore { db: store.dir.path().join("again.db"), dir: tempfile::tempdir().unwrap() };
    again.run(&["init", &file]).success();
    let twice = again.run(&["export"]).success().stdout;
    let body = |t: &str| t.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&twice), body(&exported));
}

#[test]
fn bad_commands_say_why_and_change_nothing() {
    let store = nato_store();
    store.run(&["vote", "steadfast-2026-spec", "HUN", "consent", "--at", "2025-06-16"]).success();
    let before = store.checkpoint();
    let tomorrow = crate::util::today().next().unwrap().to_string();
    let exported = store.run(&["export"]).success().stdout;
    let position_add = |policy: &'static str| -> Vec<&'static str> {
        vec!["position", "add", "x", "--member", "HUN", "--source", "s", "--policy", policy, "--at", "2025-06-17"]
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["vote", "no-such-proposal", "HUN", "consent", "--at", "2025-06-17"],
            "unknown proposal `no-such-proposal`",
        ),
        (vec!["vote", "steadfast-2026-spec", "XXX", "consent", "--at", "2025-06-17"], "unknown member `XXX`"),
        (vec!["vote", "steadfast-2026-spec", "HUN", "perhaps", "--at", "2025-06-17"], "unknown stance `perhaps`"),
        (vec!["vote", "steadfast-2026-spec", "HUN", "consent", "--at", "2025-06-15"], "before the last entry"),
        (vec!["vote", "steadfast-2026-spec", "HUN", "object", "--at", "2025-06-17"], "needs a `reason`"),
        (vec!["vote", "steadfast-2026-spec", "HUN", "consent", "--at", "2025-13-01"], "not a date"),
        (vec!["vote", "steadfast-2026-spec", "HUN", "consent", "--at", &tomorrow], "after the clock's date"),
        (vec!["vote", "steadfast-2026-spec", "HUN", "consent", "--at", "2025-07-01"], "was decided on 2025-06-30"),
        (
            vec!["vote", "eadrcc-2025-montana", "HUN", "consent", "--at", "2025-06-17"],
            "was decided on 2025-06-13 (on its deadline): a vote dated 2025-06-17 comes after it",
        ),
        (vec!["extend", "eadrcc-2025-montana", "--deadline", "2025-07-01", "--at", "2025-06-17"], "was decided"),
        (vec!["extend", "steadfast-2026-spec", "--deadline", "2025-06-16", "--at", "2025-06-17"], "2025-06-16"),
        (vec!["extend", "nope", "--deadline", "2025-07-01", "--at", "2025-06-17"], "nope"),
        (vec!["withdraw", "steadfast-2026-spec", "--reason", "", "--at", "2025-06-17"], "needs a reason"),
        (vec!["withdraw", "mtep-2026", "--reason", "late", "--at", "2025-06-17"], "was decided on 2025-06-06"),
        (vec!["withdraw", "nope", "--reason", "x", "--at", "2025-06-17"], "unknown proposal `nope`"),
        (vec!["close", "mtep-2026", "--at", "2025-06-17"], "was decided on 2025-06-06"),
        (
            vec!["proposal", "q", "--committee", "MC", "--kind", "x", "--supersedes", "nope", "--at", "2025-06-17"],
            "nope",
        ),
        (vec!["tick", "--now", "2025-06-10"], "before the last entry"),
        (
            vec!["fact", "gaza_permanent_ceasefire", "maybe", "--source", "x", "--at", "2025-06-17"],
            "gaza_permanent_ceasefire",
        ),
        (vec!["fact", "f", "1", "--source", "", "--at", "2025-06-17"], "source"),
        (
            vec!["proposal", "eadrcc-2025-montana", "--committee", "MC", "--kind", "x", "--at", "2025-06-17"],
            "duplicate proposal id `eadrcc-2025-montana`",
        ),
        (vec!["proposal", "q", "--committee", "NOPE", "--kind", "x", "--at", "2025-06-17"], "unknown committee `NOPE`"),
        (vec!["proposal", "q", "--committee", "MC", "--kind", "x", "--partner", "NOPE", "--at", "2025-06-17"], "NOPE"),
        (position_add("permit(principal, action, resource);"), "forbid"),
        (position_add("forbid (principal"), "policy"),
        (vec!["position", "withdraw", "nope", "--at", "2025-06-17"], "unknown position `nope`"),
        (vec!["close", "nope", "--at", "2025-06-17"], "unknown proposal `nope`"),
        (vec!["ledger", "prove", "99"], "no entry 99"),
    ];
    let mut wrong = Vec::new();
    for (args, says) in &cases {
        let run = store.run(args).failure();
        if !run.stderr.contains(says) {
            wrong.push(format!("`{}` should say `{says}`:\n{}", args.join(" "), run.stderr));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(store.checkpoint(), before, "no bad command wrote anything");
    assert_eq!(store.run(&["export"]).success().stdout, exported);
    store.run(&["ledger", "verify"]).success();
    // Without --db, store commands say what they need.
    let run = concord(&["vote", "p", "HUN", "consent"]).failure();
    assert!(run.stderr.contains("--db"), "{}", run.stderr);
    let run = concord(&["--db", "/nonexistent/x.db", "decide"]).failure();
    assert!(run.stderr.contains("no such store"), "{}", run.stderr);
}

#[test]
fn a_proof_is_checked_with_only_the_public_key_and_any_change_to_it_is_caught() {
    let store = nato_store();
    for (i, m) in members(&store).iter().take(5).enumerate() {
        let at = format!("2025-06-{}", 16 + i);
        store.run(&["vote", "steadfast-2026-spec", m, "consent", "--at", &at]).success();
    }
    let proof = store.run(&["ledger", "prove", "3", "--format", "json"]).success().json();
    for field in ["entry", "tree_size", "root", "leaf_hash", "path"] {
        assert!(proof.get(field).is_some(), "contract field `{field}` in {proof:#}");
    }
    assert_eq!(proof["entry"], 3);
    assert_eq!(proof["tree_size"], 6);
    // Away from the store: only the proof and the public key.
    let elsewhere = tempfile::tempdir().unwrap();
    let key = elsewhere.path().join("nato.pub");
    std::fs::copy(store.file("nato.db.pub"), &key).unwrap();
    let key = key.to_str().unwrap();
    let write = |name: &str, value: &serde_json::Value| {
        let path = elsewhere.path().join(name);
        std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let good = write("good.json", &proof);
    let ok = concord(&["ledger", "check-proof", &good, "--key", key]).success();
    assert!(ok.stdout.starts_with("ok: entry 3"), "{}", ok.stdout);

    let flip = |h: &serde_json::Value| {
        let mut s = h.as_str().unwrap().to_owned();
        let c = if s.starts_with('0') { "1" } else { "0" };
        s.replace_range(0..1, c);
        serde_json::Value::String(s)
    };
    let mut forgeries = Vec::new();
    for i in 0..proof["path"].as_array().unwrap().len() {
        let mut p = proof.clone();
        p["path"][i] = flip(&p["path"][i]);
        forgeries.push((format!("path[{i}] changed"), p));
    }
    let mut p = proof.clone();
    p["path"].as_array_mut().unwrap().pop();
    forgeries.push(("path shortened".into(), p));
    let mut p = proof.clone();
    p["path"].as_array_mut().unwrap().push(proof["root"].clone());
    forgeries.push(("path lengthened".into(), p));
    let mut p = proof.clone();
    p["entry"] = serde_json::json!(2);
    forgeries.push(("another index".into(), p));
    let mut p = proof.clone();
    p["entry_body"] = serde_json::Value::String(proof["entry_body"].as_str().unwrap().replace("consent", "object"));
    forgeries.push(("entry changed".into(), p));
    let mut p = proof.clone();
    p["checkpoint"]["text"] =
        serde_json::Value::String(proof["checkpoint"]["text"].as_str().unwrap().replace("\n6\n", "\n7\n"));
    p["tree_size"] = serde_json::json!(7);
    forgeries.push(("bigger tree claimed".into(), p));
    let mut p = proof.clone();
    p["root"] = flip(&proof["root"]);
    forgeries.push(("root changed".into(), p));
    for (what, forged) in forgeries {
        let path = write("forged.json", &forged);
        let run = concord(&["ledger", "check-proof", &path, "--key", key]).failure();
        assert!(run.stderr.contains("does not hold"), "{what}: {}", run.stderr);
    }
    // Another store's key does not vouch for this store's checkpoint.
    let other = nato_store();
    let run = concord(&["ledger", "check-proof", &good, "--key", &other.file("nato.db.pub")]).failure();
    assert!(run.stderr.contains("signature"), "{}", run.stderr);
}

#[test]
fn the_contract_commands_print_what_the_contract_says() {
    let store = nato_store();
    store
        .run(&["vote", "steadfast-2026-spec", "TUR", "object", "--reason", "no new engagement", "--at", "2025-06-16"])
        .success();
    // An observation as of an earlier date is recorded today (the default date of a write), not
    // refused.
    store.run(&["fact", "gaza_aid_unobstructed", "true", "--source", "Wire", "--as-of", "2025-06-10"]).success();
    let today = crate::util::today().to_string();
    let shown = store.run(&["ledger", "show", "--from", "2"]).success().json();
    assert_eq!((&shown["at"], &shown["as_of"]), (&json!(today), &json!("2025-06-10")));
    let d = store.run(&["decide", "--format", "json"]).success().json();
    assert_eq!(d["at"], today, "a store decides on its last entry's date by default");
    let e = store.run(&["explain", "steadfast-2026-spec", "--format", "json"]).success().json();
    assert_eq!(e["objections"][0]["cause"], "vote");
    assert_eq!(e["objections"][0]["reason"], "no new engagement");
    assert_eq!((&e["outcome"], &e["decided_on"]), (&json!("blocked"), &json!("2025-06-30")));
    let table = store.run(&["decide"]).success().stdout;
    assert!(table.contains("steadfast-2026-spec"));
    let what_if =
        store.run(&["what-if", "--set", "gaza_permanent_ceasefire=true", "--format", "json"]).success().json();
    assert_eq!(what_if["changed"], json!([]), "TUR's vote blocks whatever the facts");
    let power = store.run(&["power", "--committee", "NAC", "--format", "json"]).success().json();
    assert_eq!(power["players"], 32);
    let verify = store.run(&["ledger", "verify"]).success();
    assert!(verify.stdout.starts_with("ok: 3 entries"), "{}", verify.stdout);
}

#[test]
fn a_store_opens_as_fast_with_proposals_circulated_by_entries_as_with_them_in_its_file() {
    // A secretariat circulates proposals one by one: a store with 300 proposal entries must not
    // take much longer to open (every command opens it) than one made from a file that has them.
    let line = |i: usize| {
        format!(
            "{{\"at\":\"2025-06-16\",\"change\":\"proposal\",\"id\":\"load-{i:03}\",\"committee\":\"MC\",\"kind\":\"load\",\
             \"partners\":[],\"engagement\":\"new\",\"deadline\":\"2026-06-30\"}}\n"
        )
    };
    let by_entries = nato_store();
    let changes = by_entries.file("changes.jsonl");
    std::fs::write(&changes, (0..300).map(line).collect::<String>()).unwrap();
    by_entries.run(&["apply", &changes]).success();
    let mut text = crate::util::example_text();
    for i in 0..300 {
        text.push_str(&format!(
            "\n[[proposal]]\nid = \"load-{i:03}\"\ntitle = \"load-{i:03}\"\ncommittee = \"MC\"\nkind = \"load\"\n\
             partners = []\nengagement = \"new\"\ncirculated = 2025-06-16\ndeadline = 2026-06-30\n"
        ));
    }
    let file = crate::util::scenario_file(&text);
    let in_file = TempStore { db: by_entries.dir.path().join("file.db"), dir: tempfile::tempdir().unwrap() };
    in_file.run(&["init", file.path(), "--at", "2025-06-16"]).success();
    let time = |store: &TempStore| {
        let start = std::time::Instant::now();
        let report = store.run(&["decide", "--at", "2025-06-20", "--format", "json"]).success().json();
        assert_eq!(report["decisions"].as_array().unwrap().len(), 307);
        start.elapsed()
    };
    let (file_time, entries_time) = (time(&in_file), time(&by_entries));
    assert!(
        entries_time < file_time * 5 + std::time::Duration::from_millis(500),
        "opening a store of 300 proposal entries took {entries_time:?}, against {file_time:?} for the same proposals in its file"
    );
}

#[test]
fn export_round_trips_every_kind_of_change() {
    // A store opened before the example's deadlines, so that each change can still matter.
    let dir = tempfile::tempdir().unwrap();
    let store = TempStore { db: dir.path().join("nato.db"), dir };
    store.run(&["init", EXAMPLE, "--at", "2025-06-01"]).success();
    let exercises = "forbid (principal, action, resource) when { resource.kind == \"exercise\" };";
    let writes: Vec<Vec<&str>> = vec![
        // A same-day correction, then a return to silence.
        vec!["vote", "steadfast-2026-spec", "HUN", "object", "--reason", "first", "--at", "2025-06-03"],
        vec!["vote", "steadfast-2026-spec", "HUN", "consent", "--at", "2025-06-03"],
        vec!["vote", "steadfast-2026-spec", "TUR", "consent", "--at", "2025-06-04"],
        vec!["vote", "steadfast-2026-spec", "TUR", "silent", "--at", "2025-06-05"],
        // A revised text for a meeting, superseding a proposal still open.
        vec![
            "proposal",
            "mtep-2026-rev",
            "--committee",
            "MC",
            "--kind",
            "exercise",
            "--procedure",
            "meeting",
            "--deadline",
            "2025-06-25",
            "--supersedes",
            "mtep-2026",
            "--at",
            "2025-06-05",
        ],
        // A position recorded after the date it is in force from, later withdrawn.
        vec![
            "position",
            "add",
            "grc-x",
            "--member",
            "GRC",
            "--source",
            "s",
            "--policy",
            exercises,
            "--since",
            "2025-06-01",
            "--at",
            "2025-06-06",
        ],
        vec!["close", "diana-2026-challenges", "--at", "2025-06-07", "--reason", "early"],
        vec![
            "fact",
            "gaza_aid_unobstructed",
            "true",
            "--source",
            "late",
            "--as-of",
            "2025-06-01",
            "--at",
            "2025-06-07",
        ],
        vec!["extend", "isr-continuing-status", "--deadline", "2025-06-18", "--at", "2025-06-08"],
        vec!["position", "withdraw", "grc-x", "--at", "2025-06-20"],
        vec!["tick", "--now", "2025-07-01"],
    ];
    for w in &writes {
        store.run(w).success();
    }
    let exported = store.run(&["export"]).success().stdout;
    for part in [
        "supersedes = \"mtep-2026\"",
        "procedure = \"meeting\"",
        "stance = \"silent\"",
        "[[extension]]",
        "recorded = 2025-06-06",
    ] {
        assert!(exported.contains(part), "the export lacks `{part}`:\n{exported}");
    }
    let file = store.file("exported.toml");
    std::fs::write(&file, &exported).unwrap();
    concord(&["check", &file]).success();
    for at in [
        "2025-06-02",
        "2025-06-03",
        "2025-06-05",
        "2025-06-06",
        "2025-06-07",
        "2025-06-10",
        "2025-06-18",
        "2025-06-20",
        "2025-07-01",
    ] {
        let a = concord(&["decide", &file, "--at", at, "--format", "json"]).success().json();
        let b = store.run(&["decide", "--at", at, "--format", "json"]).success().json();
        assert_eq!(a, b, "at {at}");
    }
    let replay = store.run(&["replay", "--format", "json"]).success().json();
    assert_eq!(replay["differing"], 0, "{replay:#}");
    let again = TempStore { db: store.dir.path().join("again.db"), dir: tempfile::tempdir().unwrap() };
    again.run(&["init", &file]).success();
    let body = |t: &str| t.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&again.run(&["export"]).success().stdout), body(&exported));
}

#[test]
fn a_decision_is_never_taken_before_votes_the_store_already_holds() {
    // Made on 2025-06-01 from the example, the store holds POL's and HUN's votes of 2025-06-10
    // and 2025-06-11 on nuc-2025-statement. A withdrawal, a close or an earlier deadline before
    // them would leave votes dated after the decision, which a file may not have: the store must
    // refuse it, or its state must still be valid (its export a valid file, and new proposals
    // taken).
    let mut faults = Vec::new();
    for write in [
        vec!["withdraw", "nuc-2025-statement", "--reason", "redrafting", "--at", "2025-06-08"],
        vec!["close", "nuc-2025-statement", "--at", "2025-06-08"],
        vec!["extend", "nuc-2025-statement", "--deadline", "2025-06-09", "--at", "2025-06-05"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let store = TempStore { db: dir.path().join("nato.db"), dir };
        store.run(&["init", EXAMPLE, "--at", "2025-06-01"]).success();
        let run = store.run(&write);
        run.assert_no_panic();
        if run.code != Some(0) {
            assert_eq!(store.size(), 1, "`{}` refused, nothing recorded", write.join(" "));
            continue;
        }
        let exported = store.run(&["export"]).success().stdout;
        let file = store.file("exported.toml");
        std::fs::write(&file, &exported).unwrap();
        let check = concord(&["check", &file]);
        if check.code != Some(0) {
            faults.push(format!("`{}` was accepted, but its export is refused:\n{}", write.join(" "), check.stderr));
        }
        let next = store.run(&["proposal", "q", "--committee", "MC", "--kind", "exercise", "--at", "2025-06-09"]);
        if next.code != Some(0) {
            faults.push(format!("after `{}` the store refuses a new proposal:\n{}", write.join(" "), next.stderr));
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

#[test]
fn a_withdrawal_before_circulation_is_refused_and_never_jams_the_store() {
    // Made on 2025-05-01, the store holds steadfast-2026-spec, circulated on 2025-06-02. A vote,
    // an extension or a close before that date is refused; so must a withdrawal be (a file with
    // it is invalid), and whatever happens the store must go on taking new proposals.
    let dir = tempfile::tempdir().unwrap();
    let store = TempStore { db: dir.path().join("nato.db"), dir };
    store.run(&["init", EXAMPLE, "--at", "2025-05-01"]).success();
    let close = store.run(&["close", "steadfast-2026-spec", "--at", "2025-05-02"]).failure();
    assert!(close.stderr.contains("is circulated on 2025-06-02"), "{}", close.stderr);
    let withdrawal = store.run(&["withdraw", "steadfast-2026-spec", "--reason", "early", "--at", "2025-05-02"]);
    withdrawal.assert_no_panic();
    let next = store.run(&["proposal", "q", "--committee", "MC", "--kind", "exercise", "--at", "2025-05-03"]);
    next.assert_no_panic();
    assert_eq!(next.code, Some(0), "after the withdrawal the store refuses a new proposal:\n{}", next.stderr);
    assert_ne!(withdrawal.code, Some(0), "a withdrawal before circulation was accepted:\n{}", withdrawal.stdout);
    let exported = store.run(&["export"]).success().stdout;
    let file = store.file("exported.toml");
    std::fs::write(&file, &exported).unwrap();
    concord(&["check", &file]).success();
}
