//! The SQLite file: opening it (every open checks the ledger, `integrity`), appending entries
//! with their Merkle nodes and a signed checkpoint in one durable transaction, and reading
//! entries, proofs and checkpoints back. The schema and connections are in `schema`; creating
//! a store, atomically, in `init`.
//!
//! The file holds four tables. `entry` is the ledger: each row is an entry's bytes and leaf hash,
//! with its date, kind and subject copied out for queries. `node` holds the hash of every complete
//! subtree above the leaves, so proofs and roots take O(log n) reads. `checkpoint` holds one signed
//! tree head per write. `meta` holds the scenario id and the public key. The state is never
//! stored separately: it is the fold of the entries ([`crate::record::Fold`]), so editing a row
//! cannot change what concord decides without breaking the ledger, which every open checks.
//!
//! Every write runs in `BEGIN IMMEDIATE` with the WAL journal and `synchronous = FULL`: writers from
//! several processes queue for the lock, each sees the entries of those before it, and a write is
//! on disk when [`Store::record`] returns.

use std::path::{Path, PathBuf};

use concord_core::change::{Change, DecisionChange};
use concord_core::{Date, Engine};
use concord_ledger::{Hash, NodeId, ProofOrStore, leaf_hash};
use ed25519_dalek::{SigningKey, VerifyingKey};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::checkpoint::{self, Checkpoint, CheckpointError};
use crate::frontier::Frontier;
use crate::record::{Body, Entry, Fold, Strictness};

mod init;
mod integrity;
mod schema;

use schema::{check_schema, connect, connect_read_only, migrate, must_be_a_file};

/// The format of the ledger's entries, recorded in `meta` as `format`: stores written before it
/// was recorded (concord 0.1) are read with [`Strictness::Legacy`].
const FORMAT: &str = "2";

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("{path}: {source}")]
    Sqlite {
        /// The store's file.
        path: String,
        /// The error.
        source: rusqlite::Error,
    },
    /// A key or key file is unusable.
    #[error("{0}")]
    Key(String),
    /// A file cannot be created, written or removed.
    #[error("{0}")]
    Io(String),
    /// `init` on a file that exists.
    #[error("{0} already exists: a store is created once (remove it or choose another --db)")]
    Exists(String),
    /// The file is not a store, or was written by a newer concord.
    #[error("{path}: {message}")]
    NotAStore {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The change does not fit the state; nothing was written.
    #[error("refused, nothing was recorded: {0}")]
    Refused(String),
    /// The write's date is after the clock or before the last entry; nothing was written.
    #[error("refused, nothing was recorded: {0}")]
    Date(String),
    /// The scenario file given to `init` is invalid.
    #[error("{0}")]
    Scenario(Box<concord_core::LoadErrors>),
    /// A stored entry does not fit: the file was changed behind concord's back.
    #[error("entry {entry} does not fit the ledger ({message}); run `concord --db FILE ledger verify`")]
    Corrupt {
        /// The entry.
        entry: u64,
        /// Why.
        message: String,
    },
    /// A proof cannot be made.
    #[error("{0}")]
    Proof(concord_ledger::ProofError),
    /// No such entry in the ledger.
    #[error("no entry {entry}: the latest checkpoint covers entries 0 to {}", tree_size.saturating_sub(1))]
    NoEntry {
        /// The entry asked for.
        entry: u64,
        /// The latest checkpoint's size.
        tree_size: u64,
    },
}

/// What an acknowledged write returns: the entries it added and the checkpoint that covers them.
#[derive(Clone, Debug)]
pub struct Receipt {
    /// Sequence numbers of the new entries.
    pub entries: std::ops::Range<u64>,
    /// The signed tree head after the write.
    pub checkpoint: Checkpoint,
}

/// A change to record, on the date it asks for (`None`: the clock's date).
#[derive(Clone, Debug, PartialEq)]
pub struct Write {
    /// The date asked for.
    pub at: Option<Date>,
    /// The change.
    pub change: Change,
}

impl Write {
    /// A change on the clock's date.
    pub fn now(change: Change) -> Write {
        Write { at: None, change }
    }

    /// A change on a chosen date.
    pub fn on(at: Date, change: Change) -> Write {
        Write { at: Some(at), change }
    }
}

/// The date a write is recorded on: the date it asks for, or the clock's; never after the clock
/// nor before the last entry's date. This is the one place a write's date is chosen.
pub fn write_date(asked: Option<Date>, last: Option<Date>, clock: Date) -> Result<Date, String> {
    let at = asked.unwrap_or(clock);
    if at > clock {
        return Err(format!("the date {at} is after the clock's date {clock}: a change cannot be recorded in advance"));
    }
    if let Some(last) = last
        && at < last
    {
        return Err(match asked {
            Some(_) => format!("the date {at} is before the last entry's date {last}: the ledger does not go back"),
            None => format!(
                "the clock's date {clock} is before the last entry's date {last}: the store was written with a later clock"
            ),
        });
    }
    Ok(at)
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    state: Fold,
    /// How the entries on file were checked when folded.
    strictness: Strictness,
    public: VerifyingKey,
    /// The scenario id, as recorded at init: the origin line of checkpoints.
    origin: String,
    /// The signing key, read from `FILE.key` at the first write.
    key: Option<SigningKey>,
    /// The right edge of the tree of the entries folded into `state`, whose root the last
    /// checkpoint was checked against.
    tree: Frontier,
}

/// The private key file of a store: `FILE.key`.
pub fn key_path(db: &Path) -> PathBuf {
    with_suffix(db, ".key")
}

/// The public key file of a store: `FILE.pub`.
pub fn public_key_path(db: &Path) -> PathBuf {
    with_suffix(db, ".pub")
}

fn with_suffix(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl Store {
    /// Opens a store and folds its entries into the current state, checking the file as it
    /// reads it: each entry against its stored leaf hash and its columns, the root of all
    /// entries against the last signed checkpoint, and that checkpoint's signature against the
    /// store's public key. A store that does not pass is refused with
    /// [`StoreError::Corrupt`], naming the first bad entry.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut store = Store::open_unchecked(path)?;
        store.catch_up()?;
        Ok(store)
    }

    /// Opens a store without reading its entries, for what does not depend on them (tokens).
    /// Its state is empty. It applies migrations: use [`Store::open_read_only`] to read a file
    /// as an adversary may have left it.
    pub fn open_unchecked(path: &Path) -> Result<Store, StoreError> {
        must_be_a_file(path)?;
        let conn = connect(path, false)?;
        migrate(&conn, path)?;
        Store::with_connection(conn, path)
    }

    /// Opens a store read-only (`SQLITE_OPEN_READ_ONLY`), without reading its entries, for
    /// [`crate::verify()`]: no migration, no change of journal mode, no schema created, so a
    /// file that is not a store, or a store written by an older concord, is left exactly as it
    /// was. A file in a directory this process cannot write is read as it is on disk.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        must_be_a_file(path)?;
        let conn = connect_read_only(path)?;
        check_schema(&conn, path)?;
        Store::with_connection(conn, path)
    }

    fn with_connection(conn: Connection, path: &Path) -> Result<Store, StoreError> {
        let public = read_public_key(&conn, path)?;
        let origin = read_meta(&conn, path, "scenario")?;
        let format: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| r.get(0))
            .optional()
            .map_err(sql_error(path))?;
        let strictness = if format.is_some() { Strictness::Write } else { Strictness::Legacy };
        Ok(Store {
            conn,
            path: path.to_owned(),
            state: Fold::new(strictness),
            strictness,
            public,
            origin,
            key: None,
            tree: Frontier::default(),
        })
    }

    /// How the entries on file are checked when folded: [`Strictness::Legacy`] for a store
    /// written by concord 0.1.
    pub fn strictness(&self) -> Strictness {
        self.strictness
    }

    /// The scenario id checkpoints name.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn sql(&self) -> impl Fn(rusqlite::Error) -> StoreError + Copy + '_ {
        sql_error(&self.path)
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current state.
    pub fn state(&self) -> &Fold {
        &self.state
    }

    /// The public key checkpoints are signed with, as recorded in the store.
    pub fn public_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// The current state, compiled for decisions.
    pub fn engine(&self) -> Result<&Engine, StoreError> {
        self.state
            .engine()
            .ok_or_else(|| StoreError::Corrupt { entry: 0, message: "the store has no init entry".to_owned() })
    }

    /// Reads the whole ledger again: after a failed transaction, the state in memory may hold
    /// entries that are not on disk.
    fn reload(&mut self) -> Result<(), StoreError> {
        self.state = Fold::new(self.strictness);
        self.tree = Frontier::default();
        self.catch_up()
    }

    /// Records changes as consecutive entries in one durable transaction, with a checkpoint
    /// signed by the key in `FILE.key`. All or nothing: a change that does not fit the state
    /// refuses the whole write. `clock` is the store's date today: no write is dated after it.
    pub fn record(&mut self, writes: Vec<Write>, clock: Date, now: i64) -> Result<Receipt, StoreError> {
        let mut results = self.record_each(vec![writes], clock, now)?;
        match results.pop() {
            Some(Ok(entries)) => Ok(Receipt { entries, checkpoint: self.latest_checkpoint()? }),
            Some(Err(refusal)) => Err(refusal),
            None => Err(StoreError::Refused("nothing to record".to_owned())),
        }
    }

    /// Group commit: records several independent writes in one durable transaction with one
    /// checkpoint. Each group is all or nothing on its own: a group that does not fit the state
    /// (after the groups before it) is refused with its reason and the others are still written.
    /// The outer error means the transaction failed and nothing at all was written.
    pub fn record_each(
        &mut self,
        groups: Vec<Vec<Write>>,
        clock: Date,
        now: i64,
    ) -> Result<Vec<Result<std::ops::Range<u64>, StoreError>>, StoreError> {
        let key = match self.key.take() {
            Some(key) => key,
            None => {
                let key = read_signing_key(&self.path)?;
                if key.verifying_key() != self.public {
                    return Err(StoreError::Key(format!(
                        "{} does not belong to this store: its public key differs from the one recorded at init",
                        key_path(&self.path).display()
                    )));
                }
                key
            }
        };
        let results = self.record_with(&key, groups, clock, now);
        self.key = Some(key);
        results
    }

    fn record_with(
        &mut self,
        key: &SigningKey,
        groups: Vec<Vec<Write>>,
        clock: Date,
        now: i64,
    ) -> Result<Vec<Result<std::ops::Range<u64>, StoreError>>, StoreError> {
        let path = self.path.clone();
        let sql = sql_error(&path);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
        // Entries other writers added while we waited for the lock.
        let stored: u64 = tx.query_row("SELECT coalesce(max(seq) + 1, 0) FROM entry", [], |r| r.get(0)).map_err(sql)?;
        if stored != self.state.entries {
            drop(tx);
            self.catch_up()?;
            return self.record_with(key, groups, clock, now);
        }
        let first = self.state.entries;
        let mut applied: Vec<Entry> = Vec::new();
        let mut results = Vec::with_capacity(groups.len());
        for writes in groups {
            if writes.is_empty() {
                results.push(Err(StoreError::Refused("nothing to record".to_owned())));
                continue;
            }
            // A change that does not fit leaves the state as it was. The changes of a longer
            // group already applied are taken back one by one, or, when one of them cannot be
            // (a proposal, a position, a fact), from a copy made before.
            let undoable = writes.iter().all(|w| w.change.can_undo());
            let backup = (writes.len() > 1 && !undoable).then(|| self.state.clone());
            let last_at = self.state.last_at;
            let start = applied.len();
            let mut refusal = None;
            for write in writes {
                let at = match write_date(write.at, self.state.last_at, clock) {
                    Ok(at) => at,
                    Err(message) => {
                        refusal = Some(StoreError::Date(message));
                        break;
                    }
                };
                let entry = Entry { seq: self.state.entries, at, body: Body::Change(write.change) };
                match self.state.apply(&entry) {
                    Ok(()) => applied.push(entry),
                    Err(m) => {
                        refusal = Some(StoreError::Refused(m.message));
                        break;
                    }
                }
            }
            match refusal {
                None => results.push(Ok(first + start as u64..self.state.entries)),
                Some(e) => {
                    match backup {
                        Some(backup) => self.state = backup,
                        None => {
                            for entry in applied.drain(start..).rev() {
                                self.state.undo(&entry);
                            }
                            self.state.last_at = last_at;
                        }
                    }
                    applied.truncate(start);
                    results.push(Err(e));
                }
            }
        }
        if applied.is_empty() {
            return Ok(results);
        }
        let mut tree = self.tree.clone();
        let written = write_entries(&tx, &path, key, &self.origin, &applied, &mut tree, now);
        match written.and_then(|_| tx.commit().map_err(sql)) {
            Ok(()) => {
                self.tree = tree;
                Ok(results)
            }
            Err(e) => {
                self.reload()?;
                Err(e)
            }
        }
    }

    /// Records every decision that has fallen due by the clock's date and has no record yet
    /// (deadlines passed, proposals the rule adopted), in one write dated `clock`. `progress` is
    /// told how many there are before they are written.
    pub fn tick(
        &mut self,
        clock: Date,
        now: i64,
        progress: impl FnOnce(usize),
    ) -> Result<Option<(Receipt, Vec<DecisionChange>)>, StoreError> {
        let mut due = self.engine()?.evaluate(clock, &[]).map(|e| e.due()).unwrap_or_default();
        if due.is_empty() {
            return Ok(None);
        }
        progress(due.len());
        self.state.seal(&mut due);
        let writes = due.iter().map(|d| Write::now(Change::Decision(d.clone()))).collect();
        let receipt = self.record(writes, clock, now)?;
        Ok(Some((receipt, due)))
    }

    /// Takes a proposal's decision on `at` (default: the clock's date), as if its deadline were
    /// that day: it records `adopted` or `blocked`, never `pending`.
    pub fn close(
        &mut self,
        proposal: &str,
        reason: Option<String>,
        at: Option<Date>,
        clock: Date,
        now: i64,
    ) -> Result<(Receipt, DecisionChange), StoreError> {
        let on = write_date(at, self.state.last_at, clock).map_err(StoreError::Date)?;
        let mut decision =
            self.engine()?.closing(proposal, on, reason).map_err(|r| StoreError::Refused(r.to_string()))?;
        self.state.seal(std::slice::from_mut(&mut decision));
        let receipt = self.record(vec![Write::on(on, Change::Decision(decision.clone()))], clock, now)?;
        Ok((receipt, decision))
    }

    /// An entry's bytes; none for a number past the end (SQLite numbers rows with `i64`, so a
    /// larger number is past the end too).
    pub fn entry(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let Ok(seq) = i64::try_from(seq) else { return Ok(None) };
        self.conn.query_row("SELECT body FROM entry WHERE seq = ?1", [seq], |r| r.get(0)).optional().map_err(self.sql())
    }

    /// Entries about one subject (a proposal, position or fact id), in order.
    pub fn entries_about(&self, subject: &str) -> Result<Vec<Entry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, body FROM entry WHERE subject = ?1 ORDER BY seq")
            .map_err(self.sql())?;
        let rows =
            stmt.query_map([subject], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, Vec<u8>>(1)?))).map_err(self.sql())?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, body) = row.map_err(self.sql())?;
            out.push(Entry::from_bytes(&body).map_err(|message| StoreError::Corrupt { entry: seq, message })?);
        }
        Ok(out)
    }

    /// The entries from `from` on, in order, as stored (to bring a copy of the state up to date).
    pub fn read_entries(&self, from: u64) -> Result<Vec<Entry>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT seq, body FROM entry WHERE seq >= ?1 ORDER BY seq").map_err(self.sql())?;
        let rows =
            stmt.query_map([from], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, Vec<u8>>(1)?))).map_err(self.sql())?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, body) = row.map_err(self.sql())?;
            out.push(Entry::from_bytes(&body).map_err(|message| StoreError::Corrupt { entry: seq, message })?);
        }
        Ok(out)
    }

    /// Every entry's bytes in order, with its sequence number as stored.
    pub fn for_each_entry(&self, mut f: impl FnMut(u64, &[u8]) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare("SELECT seq, body FROM entry ORDER BY seq").map_err(self.sql())?;
        let mut rows = stmt.query([]).map_err(self.sql())?;
        while let Some(row) = rows.next().map_err(self.sql())? {
            let seq: u64 = row.get(0).map_err(self.sql())?;
            let body: Vec<u8> = row.get(1).map_err(self.sql())?;
            f(seq, &body)?;
        }
        Ok(())
    }

    /// The latest checkpoint.
    pub fn latest_checkpoint(&self) -> Result<Checkpoint, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT tree_size, root, time, signature FROM checkpoint ORDER BY tree_size DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, u64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, String>(2)?, r.get::<_, Vec<u8>>(3)?)),
            )
            .optional()
            .map_err(self.sql())?;
        let Some((tree_size, root, time, signature)) = row else {
            return Err(StoreError::Corrupt { entry: 0, message: "the store has no checkpoint".to_owned() });
        };
        checkpoint_from_row(&self.origin, tree_size, &root, time, &signature)
            .map_err(|message| StoreError::Corrupt { entry: tree_size.saturating_sub(1), message })
    }

    /// The inclusion proof of entry `index` in the first `size` entries, from stored nodes.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        concord_ledger::inclusion_proof(index, size, &mut |id| node(&self.conn, id)).map_err(|e| self.proof_error(e))
    }

    /// The consistency proof from the first `old` entries to the first `new`, from stored nodes.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        concord_ledger::consistency_proof(old, new, &mut |id| node(&self.conn, id)).map_err(|e| self.proof_error(e))
    }

    /// The root of the first `size` entries, from stored nodes.
    pub fn root(&self, size: u64) -> Result<Hash, StoreError> {
        concord_ledger::root(size, &mut |id| node(&self.conn, id)).map_err(self.sql())
    }

    fn proof_error(&self, e: ProofOrStore<rusqlite::Error>) -> StoreError {
        match e {
            ProofOrStore::Proof(p) => StoreError::Proof(p),
            ProofOrStore::Store(source) => StoreError::Sqlite { path: self.path.display().to_string(), source },
        }
    }

    /// The connection, for the verifier.
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Inserts applied entries with the nodes they complete, and signs and inserts the checkpoint.
/// The nodes and the signed root come from `tree`, the right edge of the entries checked when
/// they were folded, never from the stored nodes: a changed node cannot make the store sign a
/// root of entries it does not hold. `tree` is extended with the entries.
fn write_entries(
    tx: &Connection,
    path: &Path,
    key: &SigningKey,
    origin: &str,
    applied: &[Entry],
    tree: &mut Frontier,
    now: i64,
) -> Result<Checkpoint, StoreError> {
    let sql = sql_error(path);
    // The tree in memory lacking a subtree is a broken invariant, not a property of the file.
    let gap = |entry: u64, gap: crate::frontier::Gap| StoreError::Corrupt { entry, message: gap.to_string() };
    let mut insert_entry = tx
        .prepare_cached("INSERT INTO entry (seq, at, kind, subject, body, leaf) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .map_err(sql)?;
    let mut insert_node = tx.prepare_cached("INSERT INTO node (level, idx, hash) VALUES (?1, ?2, ?3)").map_err(sql)?;
    for entry in applied {
        let body = entry.to_bytes();
        let leaf = leaf_hash(&body);
        insert_entry
            .execute(params![entry.seq, entry.at.to_string(), entry.kind(), entry.subject(), body, &leaf.0[..]])
            .map_err(sql)?;
        let entry = tree.len();
        for (id, hash) in tree.push(leaf).map_err(|g| gap(entry, g))? {
            if id.level > 0 {
                insert_node.execute(params![id.level, id.index, &hash.0[..]]).map_err(sql)?;
            }
        }
    }
    let size = tree.len();
    let root = tree.root().map_err(|g| gap(size, g))?;
    let checkpoint = Checkpoint::sign(key, origin, size, root, checkpoint::rfc3339(now));
    tx.execute(
        "INSERT INTO checkpoint (tree_size, root, time, signature) VALUES (?1, ?2, ?3, ?4)",
        params![size, &root.0[..], checkpoint.time, &checkpoint.signature[..]],
    )
    .map_err(sql)?;
    Ok(checkpoint)
}

/// Wraps SQLite errors with the store's file name.
pub(crate) fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + Copy + '_ {
    move |source| StoreError::Sqlite { path: path.display().to_string(), source }
}

/// Builds a checkpoint from a stored row.
pub(crate) fn checkpoint_from_row(
    origin: &str,
    tree_size: u64,
    root: &[u8],
    time: String,
    signature: &[u8],
) -> Result<Checkpoint, String> {
    let root: [u8; 32] = root.try_into().map_err(|_| format!("checkpoint {tree_size}: the root is not 32 bytes"))?;
    let signature: [u8; 64] =
        signature.try_into().map_err(|_| format!("checkpoint {tree_size}: the signature is not 64 bytes"))?;
    Ok(Checkpoint { origin: origin.to_owned(), tree_size, root: Hash(root), time, signature })
}

/// The stored hash of a complete subtree: a leaf from `entry`, a node from `node`.
pub(crate) fn node(conn: &Connection, id: NodeId) -> Result<Hash, rusqlite::Error> {
    let bytes: Vec<u8> = if id.level == 0 {
        conn.prepare_cached("SELECT leaf FROM entry WHERE seq = ?1")?.query_row([id.index], |r| r.get(0))?
    } else {
        conn.prepare_cached("SELECT hash FROM node WHERE level = ?1 AND idx = ?2")?
            .query_row(params![id.level, id.index], |r| r.get(0))?
    };
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| rusqlite::Error::InvalidQuery)?;
    Ok(Hash(bytes))
}

fn read_meta(conn: &Connection, path: &Path, key: &str) -> Result<String, StoreError> {
    let text: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map_err(sql_error(path))?;
    text.ok_or_else(|| StoreError::NotAStore {
        path: path.display().to_string(),
        message: format!("the store has no `{key}`: it was never initialised"),
    })
}

fn read_public_key(conn: &Connection, path: &Path) -> Result<VerifyingKey, StoreError> {
    let text = read_meta(conn, path, "public_key")?;
    checkpoint::parse_public_key(&text).map_err(|e: CheckpointError| StoreError::NotAStore {
        path: path.display().to_string(),
        message: format!("the recorded public key: {e}"),
    })
}

fn read_signing_key(db: &Path) -> Result<SigningKey, StoreError> {
    let path = key_path(db);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        StoreError::Key(format!(
            "cannot read the signing key {}: {e} (writes need the key made at init)",
            path.display()
        ))
    })?;
    checkpoint::parse_signing_key(&text).map_err(|e| StoreError::Key(format!("{}: {e}", path.display())))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use concord_core::VoteStance;
    use concord_core::change::VoteChange;

    pub(super) const SCENARIO: &str = r#"
[scenario]
id = "batch"
as_of = 2025-06-01
[[member]]
id = "A"
[[member]]
id = "B"
[[committee]]
id = "C"
members = "all"
rule = "consensus"
[[proposal]]
id = "p"
committee = "C"
kind = "exercise"
partners = []
engagement = "new"
deadline = 2025-06-30
"#;

    pub(super) fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    pub(super) fn vote(member: &str, stance: VoteStance) -> Vec<Write> {
        let v = VoteChange {
            proposal: "p".into(),
            member: member.into(),
            stance,
            reason: None,
            source: None,
            statement: None,
        };
        vec![Write::on(day("2025-06-02"), Change::Vote(v))]
    }

    pub(super) fn create(dir: &tempfile::TempDir) -> (Store, PathBuf) {
        let db = dir.path().join("batch.db");
        let (store, _) = Store::create(&db, "batch.toml", SCENARIO, None, day("2025-06-10"), 0).unwrap();
        (store, db)
    }

    #[test]
    fn group_commit_refuses_one_group_and_writes_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, db) = create(&dir);
        let clock = day("2025-06-10");
        let groups =
            vec![vote("A", VoteStance::Consent), vote("Z", VoteStance::Consent), vote("B", VoteStance::Abstain)];
        let results = store.record_each(groups, clock, 0).unwrap();
        assert_eq!(results[0].as_ref().unwrap(), &(1..2));
        assert!(matches!(&results[1], Err(StoreError::Refused(m)) if m.contains("Z")), "{:?}", results[1]);
        assert_eq!(results[2].as_ref().unwrap(), &(2..3));
        assert_eq!(store.latest_checkpoint().unwrap().tree_size, 3);
        drop(store);
        let store = Store::open(&db).unwrap();
        assert_eq!(store.state().entries, 3);
        assert_eq!(store.engine().unwrap().scenario().votes.len(), 2);
        let key = *store.public_key();
        assert!(crate::verify(&store, &key).unwrap().fault.is_none());
    }

    #[test]
    fn a_refused_change_in_a_group_takes_back_the_group() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = create(&dir);
        let mut group = vote("A", VoteStance::Consent);
        group.extend(vote("Z", VoteStance::Consent));
        let results = store.record_each(vec![group, vote("B", VoteStance::Abstain)], day("2025-06-10"), 0).unwrap();
        assert!(results[0].is_err());
        assert_eq!(results[1].as_ref().unwrap(), &(1..2));
        assert_eq!(store.engine().unwrap().scenario().votes.len(), 1);
    }

    #[test]
    fn a_batch_of_refusals_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = create(&dir);
        let results = store.record_each(vec![vote("Z", VoteStance::Consent), vec![]], day("2025-06-10"), 0).unwrap();
        assert!(results.iter().all(Result::is_err));
        assert_eq!(store.latest_checkpoint().unwrap().tree_size, 1);
        assert_eq!(store.state().entries, 1);
    }

    /// See: issue 10 (a write dated after the clock moved the store's "today").
    #[test]
    fn r10_no_write_is_dated_after_the_clock_or_before_the_last_entry() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = create(&dir);
        let v = |at: &str| {
            let change = VoteChange {
                proposal: "p".into(),
                member: "A".into(),
                stance: VoteStance::Consent,
                reason: None,
                source: None,
                statement: None,
            };
            vec![Write::on(day(at), Change::Vote(change))]
        };
        let err = store.record(v("2030-01-01"), day("2025-06-10"), 0).unwrap_err();
        assert!(matches!(&err, StoreError::Date(m) if m.contains("after the clock")), "{err}");
        store.record(v("2025-06-05"), day("2025-06-10"), 0).unwrap();
        let err = store.record(v("2025-06-04"), day("2025-06-10"), 0).unwrap_err();
        assert!(matches!(&err, StoreError::Date(m) if m.contains("before the last entry")), "{err}");
        assert_eq!(store.state().last_at, Some(day("2025-06-05")));
    }

    #[test]
    fn write_dates_default_to_the_clock() {
        assert_eq!(write_date(None, None, day("2025-06-10")), Ok(day("2025-06-10")));
        assert!(write_date(None, Some(day("2025-06-11")), day("2025-06-10")).unwrap_err().contains("later clock"));
    }
}
