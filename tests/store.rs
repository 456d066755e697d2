//! The store's commands (contract §4) end to end: init, votes, facts, proposals, positions,
//! silence deadlines, closing, history, replay, export round trips, proofs checked without the
//! store, and bad commands that change nothing.

use std::path::PathBuf;

use crate::util::{EXAMPLE, Run, concord, outcomes};

/// A store in its own temporary directory.
pub(crate) struct TempStore {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) db: PathBuf,
}

impl TempStore {
    /// `concord --db FILE ARGS…`.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--db", self.db.to_str().unwrap()];
        all.extend_from_slice(args);
        concord(&all)
    }

    /// A path in the store's directory.
    pub(crate) fn file(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_owned()
    }

    /// The latest checkpoint's JSON.
    pub(crate) fn checkpoint(&self) -> serde_json::Value {
        self.run(&["ledger", "checkpoint", "--format", "json"]).success().json()
    }

    /// Number of entries, from the latest checkpoint's text.
    pub(crate) fn size(&self) -> u64 {
        let text = self.checkpoint()["text"].as_str().unwrap().to_owned();
        text.lines().nth(2).unwrap().parse().unwrap()
    }
}

/// A new store made from the NATO example.
pub(crate) fn nato_store() -> TempStore {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nato.db");
    let store = TempStore { dir, db };
    store.run(&["init", EXAMPLE]).success();
    store
}

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
    assert!(ticked.stdout.contains("dynamic-mongoose-2025: adopted on its deadline 2025-06-30"), "{}", ticked.stdout);
    // Ticking again records nothing more.
    let size = store.size();
    let again = store.run(&["tick", "--now", "2025-07-02"]).success();
    assert!(again.stdout.starts_with("no silence deadline"), "{}", again.stdout);
    assert_eq!(store.size(), size);
    // The record is closed: no stance after the decision.
    let late = store.run(&["vote", "dynamic-mongoose-2025", "TUR", "object", "--reason", "late", "--at", "2025-07-03"]);
    assert!(late.failure().stderr.contains("record is closed"));
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
    let outcomes: Vec<&str> = h["outcomes"].as_array().unwrap().iter().map(|o| o["to"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["pending", "blocked", "pending", "blocked"]);
    assert_eq!(h["decision"]["outcome"], "blocked");
    assert_eq!(h["decision"]["objecting"], serde_json::json!(["GRC"]));
    let text = store.run(&["history", "steadfast-2025"]).success().stdout;
    assert!(
        text.contains("HUN") && text.contains("scheduling conflict") && text.contains("decided blocked on 2025-06-30")
    );
}

#[test]
fn facts_and_positions_change_outcomes_and_replay_confirms_every_record() {
    let store = nato_store();
    // The example's exercise is blocked by TUR's position while the Gaza facts are false.
    store
        .run(&["fact", "gaza_permanent_ceasefire", "true", "--source", "Test wire, 2025-06-16", "--at", "2025-06-16"])
        .success();
    store
        .run(&["fact", "gaza_aid_unobstructed", "true", "--source", "Test wire, 2025-06-16", "--at", "2025-06-16"])
        .success();
    let d = store.run(&["decide", "--format", "json"]).success().json();
    assert!(outcomes(&d).contains(&("eadrcc-2025-montana".into(), "adopted".into())), "{d:#}");
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
    let blocked = store.run(&["explain", "eadrcc-2025-montana", "--format", "json"]).success().json();
    assert_eq!(blocked["outcome"], "blocked");
    assert_eq!(blocked["objections"][0]["positions"][0]["id"], "grc-no-exercises");
    store.run(&["position", "withdraw", "grc-no-exercises", "--reason", "resolved", "--at", "2025-06-19"]).success();
    let on_18 = store.run(&["decide", "--at", "2025-06-18", "--format", "json"]).success().json();
    let on_19 = store.run(&["decide", "--at", "2025-06-19", "--format", "json"]).success().json();
    assert!(outcomes(&on_18).contains(&("eadrcc-2025-montana".into(), "blocked".into())));
    assert!(outcomes(&on_19).contains(&("eadrcc-2025-montana".into(), "adopted".into())));
    // Close a proposal: its outcome is recorded with the state it came from.
    let closed =
        store.run(&["close", "eadrcc-2025-montana", "--at", "2025-06-20", "--reason", "programme agreed"]).success();
    assert!(closed.stdout.contains("closed eadrcc-2025-montana: adopted"), "{}", closed.stdout);
    store.run(&["tick", "--now", "2025-06-21"]).success();
    let replay = store.run(&["replay", "--format", "json"]).success().json();
    assert!(replay["decisions"].as_u64().unwrap() >= 2, "{replay:#}");
    assert_eq!(replay["differing"], 0);
    assert!(replay["replayed"].as_array().unwrap().iter().all(|r| r["same"] == true && r["state_matches"] == true));
}

#[test]
fn export_round_trips_to_the_same_decisions() {
    let store = nato_store();
    store.run(&["vote", "eadrcc-2025-montana", "HUN", "consent", "--at", "2025-06-16"]).success();
    store
        .run(&[
            "fact",
            "gaza_permanent_ceasefire",
            "true",
            "--source",
            "Wire \"quoted\"\nsecond line",
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
            "--deadline",
            "2025-07-01",
            "--at",
            "2025-06-18",
        ])
        .success();
    store.run(&["vote", "p-new", "TUR", "object", "--reason", "no new engagement", "--at", "2025-06-19"]).success();
    let exported = store.run(&["export"]).success().stdout;
    let file = store.file("exported.toml");
    std::fs::write(&file, &exported).unwrap();
    for at in [None, Some("2025-06-16"), Some("2025-07-02")] {
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
    store.run(&["vote", "eadrcc-2025-montana", "HUN", "consent", "--at", "2025-06-16"]).success();
    let before = store.checkpoint();
    let exported = store.run(&["export"]).success().stdout;
    let position_add = |policy: &'static str| -> Vec<&'static str> {
        vec!["position", "add", "x", "--member", "HUN", "--source", "s", "--policy", policy, "--at", "2025-06-17"]
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["vote", "no-such-proposal", "HUN", "consent", "--at", "2025-06-17"],
            "unknown proposal `no-such-proposal`",
        ),
        (vec!["vote", "eadrcc-2025-montana", "XXX", "consent", "--at", "2025-06-17"], "unknown member `XXX`"),
        (vec!["vote", "eadrcc-2025-montana", "HUN", "perhaps", "--at", "2025-06-17"], "unknown stance `perhaps`"),
        (vec!["vote", "eadrcc-2025-montana", "HUN", "consent", "--at", "2025-06-15"], "before the last entry"),
        (vec!["vote", "eadrcc-2025-montana", "HUN", "object", "--at", "2025-06-17"], "needs a reason"),
        (vec!["vote", "eadrcc-2025-montana", "HUN", "consent", "--at", "2025-13-01"], "not a date"),
        (
            vec!["fact", "gaza_permanent_ceasefire", "maybe", "--source", "x", "--at", "2025-06-17"],
            "gaza_permanent_ceasefire",
        ),
        (vec!["fact", "f", "1", "--source", "", "--at", "2025-06-17"], "source"),
        (
            vec!["proposal", "eadrcc-2025-montana", "--committee", "MC", "--kind", "x", "--at", "2025-06-17"],
            "already exists",
        ),
        (vec!["proposal", "q", "--committee", "NOPE", "--kind", "x", "--at", "2025-06-17"], "unknown committee `NOPE`"),
        (vec!["proposal", "q", "--committee", "MC", "--kind", "x", "--partner", "NOPE", "--at", "2025-06-17"], "NOPE"),
        (position_add("permit(principal, action, resource);"), "forbid"),
        (position_add("forbid (principal"), "policy"),
        (vec!["position", "withdraw", "nope", "--at", "2025-06-17"], "unknown position `nope`"),
        (vec!["close", "nope", "--at", "2025-06-17"], "unknown proposal `nope`"),
        (vec!["ledger", "prove", "99"], "no entry 99"),
    ];
    for (args, says) in &cases {
        let run = store.run(args).failure();
        assert!(run.stderr.contains(says), "`{}` should say `{says}`:\n{}", args.join(" "), run.stderr);
    }
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
        store.run(&["vote", "isr-continuing-status", m, "consent", "--at", &at]).success();
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
        .run(&["vote", "eadrcc-2025-montana", "TUR", "object", "--reason", "no new engagement", "--at", "2025-06-16"])
        .success();
    // An observation as of an earlier date is recorded on the ledger's last date, not refused.
    store.run(&["fact", "gaza_aid_unobstructed", "true", "--source", "Wire", "--as-of", "2025-06-10"]).success();
    let shown = store.run(&["ledger", "show", "--from", "2"]).success().json();
    assert_eq!((&shown["at"], &shown["as_of"]), (&serde_json::json!("2025-06-16"), &serde_json::json!("2025-06-10")));
    let d = store.run(&["decide", "--format", "json"]).success().json();
    assert_eq!(d["at"], "2025-06-16");
    let e = store.run(&["explain", "eadrcc-2025-montana", "--format", "json"]).success().json();
    assert_eq!(e["objections"][0]["cause"], "vote");
    assert_eq!(e["objections"][0]["reason"], "no new engagement");
    let table = store.run(&["decide"]).success().stdout;
    assert!(table.contains("eadrcc-2025-montana"));
    let what_if =
        store.run(&["what-if", "--set", "gaza_permanent_ceasefire=true", "--format", "json"]).success().json();
    assert_eq!(what_if["changed"], serde_json::json!([]), "TUR's vote blocks whatever the facts");
    let power = store.run(&["power", "--committee", "NAC", "--format", "json"]).success().json();
    assert_eq!(power["players"], 32);
    let verify = store.run(&["ledger", "verify"]).success();
    assert!(verify.stdout.starts_with("ok: 3 entries"), "{}", verify.stdout);
}
