//! A store as a secretariat machine that rewrites its own file, or a careless user, may leave it
//! (issue 11): every read checks the file and refuses one that does not verify; `ledger verify`
//! reads the file read-only and fails on an empty ledger; `init` is all or nothing, killed or
//! refused.
//!
//! Like `legacy`, these run the program through [`crate::util::concord_program`]: with
//! `CONCORD_TEST_BIN=/tmp/concord-i10` (the build before issue 11) every test here fails
//! (confirmed).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};

use crate::tamper::independent_leaf_hash;
use crate::util::{EXAMPLE, Run, concord_program, program, program_command, replace_once};

/// A store's path in its own temporary directory, run through the program under test.
struct Db {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Db {
    /// A directory with no store yet.
    fn new() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        Db { dir, db }
    }

    /// A store made from the NATO example.
    fn nato() -> Db {
        let db = Db::new();
        db.run(&["init", EXAMPLE]).success();
        db
    }

    /// A store made from the NATO example, with 8 votes on steadfast-2026-spec (entries 1 to 8),
    /// each its own write.
    fn with_votes() -> Db {
        let db = Db::nato();
        let e = db.run(&["explain", "steadfast-2026-spec", "--format", "json"]).success().json();
        let members: Vec<String> =
            e["stances"].as_array().unwrap().iter().map(|s| s["member"].as_str().unwrap().to_owned()).collect();
        for (i, m) in members.iter().take(8).enumerate() {
            db.run(&["vote", "steadfast-2026-spec", m, "consent", "--at", &format!("2025-06-{}", 16 + i)]).success();
        }
        db
    }

    fn path(&self) -> &str {
        self.db.to_str().unwrap()
    }

    fn file(&self, suffix: &str) -> PathBuf {
        PathBuf::from(format!("{}{suffix}", self.path()))
    }

    /// `program --db FILE ARGS…`.
    fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--db", self.path()];
        all.extend_from_slice(args);
        concord_program(&all)
    }

    fn conn(&self) -> Connection {
        Connection::open(&self.db).unwrap()
    }

    /// The names in the store's directory, sorted.
    fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn body(conn: &Connection, seq: u64) -> String {
    let bytes: Vec<u8> = conn.query_row("SELECT body FROM entry WHERE seq = ?1", [seq], |r| r.get(0)).unwrap();
    String::from_utf8(bytes).unwrap()
}

/// Asserts that a read refuses the store, naming `entry` and saying to run `ledger verify`.
#[track_caller]
fn refused(db: &Db, args: &[&str], entry: u64) -> String {
    let run = db.run(args).failure();
    assert!(
        run.stderr.contains(&format!("entry {entry} ")) && run.stderr.contains("ledger verify"),
        "`{}` should name entry {entry} and say to run `ledger verify`: {}",
        args.join(" "),
        run.stderr
    );
    run.stderr
}

/// The commands that read a store: each must refuse one that does not verify.
const READS: &[&[&str]] = &[
    &["decide"],
    &["explain", "eadrcc-2025-montana"],
    &["what-if", "--set", "gaza_permanent_ceasefire=true"],
    &["history", "eadrcc-2025-montana"],
    &["replay"],
    &["export"],
    &["ledger", "show"],
    &["ledger", "prove", "0"],
    &["ledger", "checkpoint"],
    &["token", "create", "--role", "observer"],
    &["vote", "steadfast-2026-spec", "HUN", "consent", "--at", "2025-06-20"],
];

/// Starts `serve` on the store and expects it to refuse to start: it exits with an error
/// rather than listen.
#[track_caller]
fn serve_refuses(db: &Db) -> String {
    let mut child = program_command(&["--db", db.path(), "serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            assert!(!out.status.success(), "serve exited 0 on a store that does not verify");
            return String::from_utf8_lossy(&out.stderr).into_owned();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    let _ = child.wait();
    panic!("serve started on a store that does not verify");
}

// See: issue 11 (reads trust the file: an entry's bytes edited with its leaf hash left alone
// changed what `decide` and the board show, Montana adopted, with exit 0 and no warning).
#[test]
fn r11_an_entry_edited_with_its_leaf_hash_left_alone_is_refused_by_every_read() {
    let db = Db::nato();
    let before = db.run(&["decide", "--format", "json"]).success().json();
    assert_eq!(crate::util::decision(&before, "eadrcc-2025-montana")["outcome"], "blocked");
    let conn = db.conn();
    // TUR's position no longer reads new engagements: Montana would be adopted.
    let forged =
        replace_once(&body(&conn, 0), r#"resource.engagement == \"new\""#, r#"resource.engagement == \"gone\""#);
    conn.execute("UPDATE entry SET body = ?1 WHERE seq = 0", [forged.as_bytes()]).unwrap();
    for args in READS {
        let message = refused(&db, args, 0);
        assert!(message.contains("leaf hash"), "{message}");
    }
    let message = serve_refuses(&db);
    assert!(message.contains("entry 0"), "{message}");
    assert!(db.run(&["ledger", "verify"]).failure().stderr.contains("at entry 0"));
}

// See: issue 11 (reads trust the file: an entry rewritten together with its leaf hash).
#[test]
fn r11_an_entry_rewritten_with_its_leaf_hash_is_refused_by_every_read() {
    let db = Db::with_votes();
    let conn = db.conn();
    let changed = body(&conn, 6).replace("consent", "abstain");
    conn.execute(
        "UPDATE entry SET body = ?1, leaf = ?2 WHERE seq = 6",
        params![changed.as_bytes(), independent_leaf_hash(&changed)],
    )
    .unwrap();
    for args in [&["decide"][..], &["history", "steadfast-2026-spec"], &["ledger", "show"]] {
        let message = refused(&db, args, 6);
        assert!(message.contains("signed root"), "{message}");
    }
    serve_refuses(&db);
}

// See: issue 11 (reads trust the file: the last signed checkpoint was not checked on open).
#[test]
fn r11_a_forged_or_missing_last_checkpoint_is_refused_by_every_read() {
    let db = Db::with_votes();
    db.conn().execute("UPDATE checkpoint SET signature = zeroblob(64) WHERE tree_size = 9", []).unwrap();
    let message = refused(&db, &["decide"], 8);
    assert!(message.contains("signature"), "{message}");

    let db = Db::with_votes();
    db.conn().execute("DELETE FROM checkpoint WHERE tree_size = 9", []).unwrap();
    let message = refused(&db, &["decide"], 8);
    assert!(message.contains("not covered by a signed checkpoint"), "{message}");
    serve_refuses(&db);
}

/// The RFC 6962 root of the stored entries' bytes, computed outside concord (Python's hashlib).
fn independent_root(db: &Db) -> String {
    let script = r#"
import sqlite3, sys, hashlib
c = sqlite3.connect(sys.argv[1])
leaves = [hashlib.sha256(b"\x00" + b).digest() for (b,) in c.execute("SELECT body FROM entry ORDER BY seq")]
def mth(l):
    if len(l) == 1: return l[0]
    k = 1
    while k * 2 < len(l): k *= 2
    return hashlib.sha256(b"\x01" + mth(l[:k]) + mth(l[k:])).digest()
print(mth(leaves).hex())
"#;
    let out = std::process::Command::new("python3").args(["-c", script, db.path()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

// See: issue 11 (reads trust the file: a write took the hashes it builds on from the stored
// nodes, so a changed node made the store sign a root of entries it does not hold).
#[test]
fn r11_a_write_after_a_changed_node_signs_the_root_of_its_entries() {
    let db = Db::with_votes();
    db.conn().execute("UPDATE node SET hash = zeroblob(32) WHERE level = 3", []).unwrap();
    db.run(&["vote", "steadfast-2026-spec", "HUN", "abstain", "--at", "2025-06-24"]).success();
    let checkpoint = db.run(&["ledger", "checkpoint", "--format", "json"]).success().json();
    let root = checkpoint["text"].as_str().unwrap().lines().nth(3).unwrap().to_owned();
    assert_eq!(root, independent_root(&db), "the signed root is the root of the entries");
    // The changed node is still there for `ledger verify` to find: the entries and every
    // signed root hold, the proofs built from the stored nodes do not.
    let run = db.run(&["ledger", "verify"]).failure();
    assert!(run.stderr.contains("the stored nodes"), "{}", run.stderr);
}

// See: issue 11 (an empty store verifies: `ledger verify` printed ok on a store whose entries,
// nodes and checkpoints were all deleted, while every read refused it without saying why).
#[test]
fn r11_a_store_with_no_entry_or_no_checkpoint_fails_verify() {
    let db = Db::with_votes();
    db.conn().execute_batch("DELETE FROM entry; DELETE FROM node; DELETE FROM checkpoint;").unwrap();
    let run = db.run(&["ledger", "verify"]).failure();
    assert!(run.stderr.contains("at entry 0") && run.stderr.contains("init entry"), "{}", run.stderr);
    let message = refused(&db, &["decide"], 0);
    assert!(message.contains("no entries"), "{message}");

    let db = Db::with_votes();
    db.conn().execute_batch("DELETE FROM checkpoint;").unwrap();
    let run = db.run(&["ledger", "verify"]).failure();
    assert!(run.stderr.contains("at entry 0") && run.stderr.contains("no signed checkpoint"), "{}", run.stderr);
    refused(&db, &["decide"], 0);
}

/// Runs `ledger verify` as the unprivileged user `nobody`, when this runs as root and `setpriv`
/// is there (root writes whatever the permissions say, so only another user shows that verify
/// needs no write access); `None` otherwise.
fn verify_as_nobody(db: &Db) -> Option<std::process::Output> {
    let root = std::process::Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&root.stdout).trim() != "0" {
        return None;
    }
    let mut command = std::process::Command::new("setpriv");
    command
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(program())
        .args(["--db", db.path(), "ledger", "verify"])
        .current_dir(crate::util::root())
        .env("NO_COLOR", "1")
        .env("CONCORD_ERROR_FORMAT", "plain")
        .stdin(Stdio::null());
    let probe = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(program())
        .arg("--version")
        .current_dir(crate::util::root())
        .output()
        .ok()?;
    probe.status.success().then(|| command.output().unwrap())
}

// See: issue 11 (`ledger verify` needed write access and created a schema in an empty file).
#[cfg(unix)]
#[test]
fn r11_verify_reads_the_file_read_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path, mode: u32| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();

    // An empty file is not a store, and stays empty.
    let empty = Db::new();
    std::fs::write(&empty.db, b"").unwrap();
    let run = empty.run(&["ledger", "verify"]);
    assert_eq!(std::fs::metadata(&empty.db).unwrap().len(), 0, "verify wrote to an empty file");
    assert_eq!(empty.listing(), ["s.db"]);
    assert!(run.failure().stderr.contains("not a concord store"));

    // Nor is another SQLite file, which stays as it was.
    let other = Db::new();
    Connection::open(&other.db).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    let bytes = std::fs::read(&other.db).unwrap();
    let run = other.run(&["ledger", "verify"]).failure();
    assert!(run.stderr.contains("not a concord store"), "{}", run.stderr);
    assert_eq!(std::fs::read(&other.db).unwrap(), bytes);

    // A store in a read-only file and directory verifies, and is left as it was.
    let db = Db::with_votes();
    let bytes = std::fs::read(&db.db).unwrap();
    mode(&db.db, 0o444);
    mode(db.dir.path(), 0o555);
    let ok = db.run(&["ledger", "verify"]).success();
    assert!(ok.stdout.starts_with("ok: 9 entries"), "{}", ok.stdout);
    assert_eq!(std::fs::read(&db.db).unwrap(), bytes);
    // As a user that cannot write there (SQLite cannot make its shared-memory file beside it).
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(db.file(suffix));
    }
    match verify_as_nobody(&db) {
        Some(out) => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "as nobody: {}", String::from_utf8_lossy(&out.stderr));
            assert!(stdout.starts_with("ok: 9 entries"), "as nobody: {stdout}");
            assert_eq!(db.listing(), ["s.db", "s.db.key", "s.db.pub"], "nothing made beside the store");
        }
        None => eprintln!("not root, or no `setpriv`: verify was not run as another user"),
    }
    assert_eq!(std::fs::read(&db.db).unwrap(), bytes);
    mode(db.dir.path(), 0o755);
}

// See: issue 11 (a refused `init` left an orphan key file that blocked the next one).
#[test]
fn r11_a_refused_init_leaves_nothing_that_blocks_the_next() {
    let db = Db::new();
    std::fs::write(db.file(".pub"), "a key someone left here\n").unwrap();
    let run = db.run(&["init", EXAMPLE]).failure();
    assert!(run.stderr.contains("s.db.pub exists"), "{}", run.stderr);
    assert_eq!(db.listing(), ["s.db.pub"], "a refused init writes nothing");
    std::fs::remove_file(db.file(".pub")).unwrap();
    db.run(&["init", EXAMPLE]).success();
    db.run(&["ledger", "verify"]).success();

    // A link to nowhere is a file that exists: it is neither followed nor replaced.
    #[cfg(unix)]
    {
        let db = Db::new();
        std::os::unix::fs::symlink(db.dir.path().join("nowhere/x.db"), &db.db).unwrap();
        let run = db.run(&["init", EXAMPLE]).failure();
        assert!(run.stderr.contains("already exists"), "{}", run.stderr);
        assert_eq!(db.listing(), ["s.db"]);
        std::fs::remove_file(&db.db).unwrap();
        db.run(&["init", EXAMPLE]).success();
    }

    // A scenario that does not load, or a date after the clock: nothing.
    let db = Db::new();
    db.run(&["init", "Cargo.toml"]).failure();
    db.run(&["init", EXAMPLE, "--at", "2999-01-01"]).failure();
    assert!(db.listing().is_empty(), "{:?}", db.listing());
}

/// Proposals in the scenario that the kill test inits: enough that init takes a while.
const LARGE: &str = "1000";

// See: issue 11 (a `SIGKILL` during `init` of a large scenario left an empty or half-made
// store, which `ledger verify` passed and `init` then refused to replace).
#[test]
fn r11_a_killed_init_leaves_nothing_that_blocks_the_next() {
    let rounds: usize = std::env::var("CONCORD_KILL_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let db = Db::new();
    let large = db.dir.path().join("large.toml");
    let text = concord_program(&["gen", "--seed", "3", "--proposals", LARGE]).success().stdout;
    std::fs::write(&large, text).unwrap();
    let large = large.to_str().unwrap();
    let remove_store = || {
        for suffix in ["", ".key", ".pub", "-wal", "-shm"] {
            let _ = std::fs::remove_file(db.file(suffix));
        }
    };
    // How long a whole init takes here (the quicker of two), to kill it anywhere in it.
    let mut whole = Duration::MAX;
    for _ in 0..2 {
        let start = Instant::now();
        db.run(&["init", large]).success();
        whole = whole.min(start.elapsed());
        remove_store();
    }

    let mut rng = xorshift(0x1_2011);
    let (mut none, mut whole_stores) = (0, 0);
    for round in 0..rounds {
        let mut child = program_command(&["--db", db.path(), "init", large])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Now and then after it, too: a whole store must then be there.
        let micros = u64::try_from(whole.as_micros()).unwrap().max(1) * 11 / 10;
        std::thread::sleep(Duration::from_micros(rng() % micros));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // Either a whole store that verifies, or no store.
        if db.db.exists() {
            let ok = db.run(&["ledger", "verify"]).success();
            assert!(ok.stdout.starts_with("ok: 1 entries"), "round {round}: {}", ok.stdout);
            whole_stores += 1;
            remove_store();
        } else {
            // Key files without their store are left only in the instant between their links
            // and the store's, identical to the temporaries that the next init removes.
            for suffix in [".key", ".pub"] {
                let temp = db.dir.path().join(format!(".s.db.init{suffix}"));
                if db.file(suffix).exists() {
                    assert_eq!(std::fs::read(db.file(suffix)).ok(), std::fs::read(&temp).ok(), "round {round}");
                }
            }
            none += 1;
        }
        // Whatever was left, a plain init then succeeds, and verifies.
        db.run(&["init", EXAMPLE]).success();
        db.run(&["ledger", "verify"]).success();
        // Nothing else is left (but SQLite's files beside the store, which verify opened).
        let mut listing = db.listing();
        listing.retain(|name| !name.ends_with("-wal") && !name.ends_with("-shm"));
        assert_eq!(listing, ["large.toml", "s.db", "s.db.key", "s.db.pub"], "round {round}");
        remove_store();
    }
    eprintln!("{rounds} kills during an init of {whole:?}: {none} left no store, {whole_stores} a whole one");
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
