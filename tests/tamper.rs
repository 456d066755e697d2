//! Edits to the SQLite file behind concord's back: `ledger verify` fails and names the first bad
//! entry, whatever was changed: an entry's bytes, its hash too, a deleted or reordered row, a
//! stored node, a checkpoint, or a ledger cut back to an earlier size.

use rusqlite::{Connection, params};

use crate::store::{TempStore, members, nato_store};

/// A store of 1 init entry and 8 votes (entries 1 to 8), each its own write.
fn store_with_votes() -> TempStore {
    let store = nato_store();
    for (i, m) in members(&store).iter().take(8).enumerate() {
        let at = format!("2025-06-{}", 16 + i);
        store.run(&["vote", "steadfast-2026-spec", m, "consent", "--at", &at]).success();
    }
    store.run(&["ledger", "verify"]).success();
    store
}

fn open(store: &TempStore) -> Connection {
    Connection::open(&store.db).unwrap()
}

/// Runs `ledger verify`, expects failure, and returns the entry it names.
#[track_caller]
fn named_entry(store: &TempStore) -> (u64, String) {
    let run = store.run(&["ledger", "verify"]).failure();
    let text = run.stderr;
    let at = text.find("at entry ").unwrap_or_else(|| panic!("no entry named: {text}"));
    let n: String = text[at + 9..].chars().take_while(char::is_ascii_digit).collect();
    (n.parse().unwrap(), text)
}

fn body(conn: &Connection, seq: u64) -> String {
    let bytes: Vec<u8> = conn.query_row("SELECT body FROM entry WHERE seq = ?1", [seq], |r| r.get(0)).unwrap();
    String::from_utf8(bytes).unwrap()
}

/// The RFC 6962 leaf hash of an entry, computed outside concord, as a forger would.
pub(crate) fn independent_leaf_hash(body: &str) -> Vec<u8> {
    let bytes = body.as_bytes();
    use std::process::Command;
    // sha256(0x00 || bytes) through Python's hashlib, independent of the project's code.
    let script =
        "import sys,hashlib;d=sys.stdin.buffer.read();sys.stdout.write(hashlib.sha256(b'\\x00'+d).hexdigest())";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    hex_decode(std::str::from_utf8(&out.stdout).unwrap())
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn a_changed_vote_is_named() {
    let store = store_with_votes();
    let conn = open(&store);
    let changed = body(&conn, 5).replace("consent", "object");
    conn.execute("UPDATE entry SET body = ?1 WHERE seq = 5", [changed.as_bytes()]).unwrap();
    let (entry, text) = named_entry(&store);
    assert_eq!(entry, 5, "{text}");
    // Commands that read the state refuse it too, rather than decide on a forged record.
    let run = store.run(&["decide"]).failure();
    assert!(run.stderr.contains("entry 5"), "{}", run.stderr);
}

#[test]
fn a_changed_vote_with_a_recomputed_hash_is_named_by_the_signed_checkpoints() {
    let store = store_with_votes();
    let conn = open(&store);
    let changed = body(&conn, 6).replace("consent", "abstain");
    conn.execute(
        "UPDATE entry SET body = ?1, leaf = ?2 WHERE seq = 6",
        params![changed.as_bytes(), independent_leaf_hash(&changed)],
    )
    .unwrap();
    let (entry, text) = named_entry(&store);
    assert_eq!(entry, 6, "{text}");
}

#[test]
fn a_deleted_entry_is_named() {
    let store = store_with_votes();
    open(&store).execute("DELETE FROM entry WHERE seq = 3", []).unwrap();
    let (entry, text) = named_entry(&store);
    assert_eq!(entry, 3, "{text}");
    assert!(text.contains("missing"), "{text}");
}

#[test]
fn reordered_entries_are_named() {
    let store = store_with_votes();
    let conn = open(&store);
    // Swap entries 4 and 7, hashes and all.
    conn.execute_batch(
        "UPDATE entry SET seq = -1 WHERE seq = 4; UPDATE entry SET seq = 4 WHERE seq = 7; UPDATE entry SET seq = 7 WHERE seq = -1;",
    )
    .unwrap();
    let (entry, text) = named_entry(&store);
    assert_eq!(entry, 4, "{text}");
}

#[test]
fn a_changed_stored_node_or_checkpoint_is_caught() {
    let store = store_with_votes();
    let conn = open(&store);
    conn.execute("UPDATE node SET hash = zeroblob(32) WHERE level = 2 AND idx = 1", []).unwrap();
    let (entry, text) = named_entry(&store);
    assert_eq!(entry, 4, "the node over entries 4 to 7: {text}");

    let store = store_with_votes();
    let conn = open(&store);
    conn.execute("UPDATE checkpoint SET time = '2020-01-01T00:00:00Z' WHERE tree_size = 4", []).unwrap();
    let (entry, text) = named_entry(&store);
    assert_eq!(entry, 3, "{text}");
    assert!(text.contains("signature"), "{text}");
}

#[test]
fn a_ledger_cut_back_is_caught_with_a_saved_checkpoint() {
    let store = store_with_votes();
    let saved = store.file("saved.json");
    std::fs::write(&saved, store.run(&["ledger", "checkpoint", "--format", "json"]).success().stdout).unwrap();
    store.run(&["ledger", "verify", "--checkpoint", &saved]).success();
    // Drop the last two entries with their nodes and checkpoints: consistent on its own.
    let conn = open(&store);
    conn.execute_batch(
        "DELETE FROM entry WHERE seq >= 7; DELETE FROM checkpoint WHERE tree_size > 7; \
         DELETE FROM node WHERE (idx + 1) * (1 << level) > 7;",
    )
    .unwrap();
    store.run(&["ledger", "verify"]).success();
    let run = store.run(&["ledger", "verify", "--checkpoint", &saved]).failure();
    assert!(run.stderr.contains("at entry 7") && run.stderr.contains("removed"), "{}", run.stderr);
}

#[test]
fn a_replaced_key_is_caught() {
    let store = store_with_votes();
    let other = nato_store();
    std::fs::copy(other.file("nato.db.pub"), store.file("nato.db.pub")).unwrap();
    let run = store.run(&["ledger", "verify"]).failure();
    assert!(run.stderr.contains("public key"), "{}", run.stderr);
}
