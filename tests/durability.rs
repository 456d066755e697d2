//! Nothing acknowledged is lost: a writer killed with SIGKILL at random moments, many times,
//! keeps every write it acknowledged and leaves a ledger that verifies; two processes writing at
//! once lose nothing.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::Duration;

use crate::store::{TempStore, members};
use crate::util::command;

/// Proposals open for the whole stream of votes (a vote after a proposal's decision is refused).
const PROPOSALS: [&str; 6] = ["load-nac-1", "load-nac-2", "load-nac-3", "load-mc-1", "load-mc-2", "load-mc-3"];

/// Entries before the first vote: the init entry.
const SETUP: usize = 1;

/// A store made from the NATO example with [`PROPOSALS`] added to the scenario, circulated on
/// 2025-06-15 under silence until 2026-06-30, far beyond the last vote of any stream. (In the
/// scenario rather than circulated by entries, so that each writer starts as fast as it did.)
fn open_store() -> TempStore {
    let mut text = crate::util::example_text();
    for p in PROPOSALS {
        let committee = if p.starts_with("load-nac") { "NAC" } else { "MC" };
        text.push_str(&format!(
            "\n[[proposal]]\nid = \"{p}\"\ntitle = \"{p}\"\ncommittee = \"{committee}\"\nkind = \"load\"\npartners = []\n\
             engagement = \"new\"\ncirculated = 2025-06-15\ndeadline = 2026-06-30\n"
        ));
    }
    let file = crate::util::scenario_file(&text);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nato.db");
    let store = TempStore { dir, db };
    store.run(&["init", file.path()]).success();
    store
}

/// The i-th vote of a stream: every member, then every proposal, then the next day, so no two
/// votes share a member, proposal and day, and dates never go back.
fn vote_line(members: &[String], i: usize) -> String {
    let proposals = &PROPOSALS;
    let per_day = members.len() * proposals.len();
    let first: concord_core::Date = "2025-06-16".parse().unwrap();
    let days = i64::try_from(i / per_day).unwrap();
    let at = concord_core::Date::from_days_since_epoch(first.days_since_epoch() + days).unwrap();
    assert!(at < "2026-06-30".parse().unwrap(), "the stream outran its proposals' deadline");
    let within = i % per_day;
    let stance = if i.is_multiple_of(2) { "consent" } else { "abstain" };
    format!(
        r#"{{"at":"{at}","change":"vote","proposal":"{}","member":"{}","stance":"{stance}"}}"#,
        proposals[within / members.len()],
        members[within % members.len()]
    )
}

/// `concord --db FILE apply -`, with its standard streams piped.
fn spawn_apply(store: &TempStore) -> std::process::Child {
    command(&["--db", store.db.to_str().unwrap(), "apply", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn size(store: &TempStore) -> usize {
    store.size() as usize
}

/// Every entry's bytes, from `ledger show`.
fn entries(store: &TempStore) -> Vec<serde_json::Value> {
    let shown = store.run(&["ledger", "show"]).success().stdout;
    shown.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn a_writer_killed_at_random_moments_keeps_every_acknowledged_write() {
    let rounds: usize = std::env::var("CONCORD_KILL_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(25);
    let store = open_store();
    let members = members(&store);
    let mut rng = xorshift(0x5eed);
    let mut acknowledged: Vec<(usize, String)> = Vec::new();
    for _round in 0..rounds {
        let first = size(&store) - SETUP; // votes so far: entries after the setup
        let mut child = spawn_apply(&store);
        let mut stdin = child.stdin.take().unwrap();
        let lines: Vec<String> = (first..first + 2_000).map(|i| vote_line(&members, i)).collect();
        let sent = lines.clone();
        let feeder = std::thread::spawn(move || {
            for l in lines {
                if writeln!(stdin, "{l}").is_err() {
                    break;
                }
            }
        });
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acks = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = line.strip_prefix("ok ") {
                    acks.push(n.parse::<usize>().unwrap());
                }
            }
            acks
        });
        std::thread::sleep(Duration::from_millis(5 + rng() % 120));
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        let acks = reader.join().unwrap();
        let _ = feeder.join();
        for entry in acks {
            acknowledged.push((entry, sent[entry - SETUP - first].clone()));
        }
    }
    assert!(acknowledged.len() > rounds, "the writer acknowledged too little to test anything: {}", acknowledged.len());
    eprintln!("{rounds} kills, {} acknowledged writes checked", acknowledged.len());
    // The ledger verifies, and every acknowledged write is there, byte for byte as sent.
    let verify = store.run(&["ledger", "verify"]).success();
    assert!(verify.stdout.starts_with("ok"), "{}", verify.stdout);
    let all = entries(&store);
    for (entry, line) in &acknowledged {
        let sent: serde_json::Value = serde_json::from_str(line).unwrap();
        let stored = &all[*entry];
        for field in ["at", "change", "proposal", "member", "stance"] {
            assert_eq!(stored[field], sent[field], "entry {entry}: {stored} vs sent {sent}");
        }
    }
    // And the store still takes writes.
    let next = vote_line(&members, size(&store) - SETUP);
    let v: serde_json::Value = serde_json::from_str(&next).unwrap();
    store
        .run(&[
            "vote",
            v["proposal"].as_str().unwrap(),
            v["member"].as_str().unwrap(),
            "consent",
            "--at",
            v["at"].as_str().unwrap(),
        ])
        .success();
}

/// A small deterministic generator (xorshift), so a failing run can be repeated.
fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}

#[test]
fn two_processes_writing_at_once_lose_nothing() {
    let store = open_store();
    let members = members(&store);
    // Both write on the same day, each on its own proposals, so neither can refuse the other's.
    let batch = |proposals: &[&str]| -> String {
        let mut out = String::new();
        for p in proposals {
            for m in &members {
                out.push_str(&format!(
                    "{{\"at\":\"2025-06-16\",\"change\":\"vote\",\"proposal\":\"{p}\",\"member\":\"{m}\",\"stance\":\"consent\"}}\n"
                ));
            }
        }
        out
    };
    let a = batch(&PROPOSALS[..3]);
    let b = batch(&PROPOSALS[3..6]);
    let spawn = |text: String| {
        let mut child = spawn_apply(&store);
        let mut stdin = child.stdin.take().unwrap();
        std::thread::spawn(move || stdin.write_all(text.as_bytes()));
        child
    };
    let (ca, cb) = (spawn(a.clone()), spawn(b.clone()));
    let (oa, ob) = (ca.wait_with_output().unwrap(), cb.wait_with_output().unwrap());
    for o in [&oa, &ob] {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let acked =
        |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).lines().filter(|l| l.starts_with("ok ")).count();
    assert_eq!(acked(&oa), a.lines().count());
    assert_eq!(acked(&ob), b.lines().count());
    let total = a.lines().count() + b.lines().count();
    assert_eq!(size(&store), SETUP + total);
    let votes = entries(&store).iter().filter(|e| e["change"] == "vote").count();
    assert_eq!(votes, total);
    store.run(&["ledger", "verify"]).success();
}
