//! Full verification of a store: every entry, every stored hash, every checkpoint.
//!
//! [`verify`] reads the file as an adversary may have left it and trusts nothing in it but the
//! public key it is given. In one pass over the entries, in order, it checks that
//! - the rows are numbered 0, 1, 2, … with no gap (a deleted row is named);
//! - each entry's bytes read as an entry whose own `seq` is its row (a moved row is named), whose
//!   leaf hash is the one stored, and whose date, kind and subject columns agree with its bytes;
//! - each entry fits the state folded from those before it (dates never go back, votes name
//!   existing proposals and members, …);
//!
//! then rebuilds the tree in memory and checks every stored node, every checkpoint's root and
//! signature, and a consistency proof between consecutive checkpoints built from the stored nodes
//! and verified element by element. When a checkpoint's root disagrees while every stored hash
//! agrees, the entries were rewritten together with their hashes: the first bad entry is then the
//! first one after the last checkpoint that still holds. A ledger without entries, or without
//! a checkpoint, fails at entry 0.
//!
//! The check of each row ([`check_row`]) is the one every open makes too
//! (`crate::sqlite::integrity`); what only [`verify`] adds is every checkpoint before the last,
//! the consistency proofs between them, and the stored nodes.

use concord_ledger::{Hash, MemoryTree, NodeId, leaf_hash, verify_consistency};
use ed25519_dalek::VerifyingKey;
use rusqlite::types::ValueRef;

use crate::record::{Entry, Fold};
use crate::sqlite::{Store, StoreError, checkpoint_from_row, sql_error};

/// What a verification found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Entries checked.
    pub entries: u64,
    /// Checkpoints checked.
    pub checkpoints: u64,
    /// The root of all entries.
    pub root: Hash,
    /// The first fault, if any.
    pub fault: Option<Fault>,
}

/// The first thing found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The first bad entry, when one can be named.
    pub entry: Option<u64>,
    /// What is wrong.
    pub message: String,
}

fn fault(entry: Option<u64>, message: impl Into<String>) -> Fault {
    Fault { entry, message: message.into() }
}

/// Verifies a whole store against a public key. `Err` is for a file that cannot be read at all;
/// anything wrong with its content is a [`Fault`].
pub fn verify(store: &Store, key: &VerifyingKey) -> Result<Verified, StoreError> {
    let conn = store.connection();
    let sql = sql_error(store.path());
    let mut tree = MemoryTree::default();
    let mut state = Fold::new(store.strictness());
    let mut first_fault: Option<Fault> = None;
    {
        let mut stmt = conn.prepare(ROWS).map_err(sql)?;
        let mut rows = stmt.query([0]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            let expected = tree.len();
            let row = Row::read(row).map_err(sql)?;
            let problem = match check_row(expected, &row) {
                Ok((entry, _)) => {
                    state.apply(&entry).err().map(|m| format!("it does not fit the entries before it: {m}"))
                }
                Err(message) => Some(message),
            };
            if let Some(message) = problem {
                first_fault = Some(fault(Some(expected), message));
                break;
            }
            tree.push(row.body());
        }
    }
    let entries = tree.len();
    let (checkpoints, fault) = match first_fault {
        Some(f) => (0, Some(f)),
        None if entries == 0 => (0, Some(fault(Some(0), NO_ENTRIES))),
        None => {
            // Checkpoints first: with one checkpoint per write they name a rewritten entry
            // exactly; stored nodes only narrow it to a subtree.
            let (count, fault) = check_checkpoints(store, key, &tree)?;
            (count, fault.map_or_else(|| check_nodes(store, &tree), |f| Ok(Some(f)))?)
        }
    };
    Ok(Verified { entries, checkpoints, root: tree.root(), fault })
}

/// What is wrong with a store without entries.
pub(crate) const NO_ENTRIES: &str = "the ledger has no entries: entry 0, the init entry, is missing";

/// What is wrong with a store without checkpoints.
pub(crate) const NO_CHECKPOINT: &str = "the store has no signed checkpoint";

/// The entries from `?1` on, in order, with every column [`check_row`] compares.
pub(crate) const ROWS: &str = "SELECT seq, at, kind, subject, body, leaf FROM entry WHERE seq >= ?1 ORDER BY seq";

/// A row of the `entry` table, as stored, borrowed from SQLite's row (a full read allocates
/// nothing for it). Its columns are taken as SQLite holds them: a value of the wrong type is a
/// fault of the entry, found by [`check_row`], not an error of the read.
pub(crate) struct Row<'a> {
    seq: i64,
    at: ValueRef<'a>,
    kind: ValueRef<'a>,
    subject: ValueRef<'a>,
    body: ValueRef<'a>,
    leaf: ValueRef<'a>,
}

impl<'a> Row<'a> {
    /// Reads a row selected by [`ROWS`].
    pub(crate) fn read(row: &'a rusqlite::Row<'_>) -> rusqlite::Result<Row<'a>> {
        Ok(Row {
            seq: row.get(0)?,
            at: row.get_ref(1)?,
            kind: row.get_ref(2)?,
            subject: row.get_ref(3)?,
            body: row.get_ref(4)?,
            leaf: row.get_ref(5)?,
        })
    }

    /// The entry's bytes, once [`check_row`] has passed the row.
    pub(crate) fn body(&self) -> &'a [u8] {
        self.body.as_blob().unwrap_or_default()
    }
}

/// A text column: `None` for NULL, an error for a value of another type.
fn text(value: ValueRef<'_>) -> Result<Option<&str>, ()> {
    value.as_str_or_null().map_err(drop)
}

/// Whether `text` is exactly how `date` is written, without writing it anywhere but the stack.
fn writes_as(text: &str, date: concord_core::Date) -> bool {
    struct Compare<'a>(&'a [u8], bool);
    impl std::fmt::Write for Compare<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            match self.0.strip_prefix(s.as_bytes()) {
                Some(rest) => self.0 = rest,
                None => self.1 = false,
            }
            Ok(())
        }
    }
    let mut compare = Compare(text.as_bytes(), true);
    let _ = std::fmt::Write::write_fmt(&mut compare, format_args!("{date}"));
    compare.1 && compare.0.is_empty()
}

/// Checks a stored row where entry `expected` belongs: that it is that entry (no gap, its bytes
/// say so), that its bytes hash to its stored leaf hash and read as an entry, and that its date,
/// kind and subject columns agree with them. Returns the entry and its leaf hash; whether it fits
/// the state is for the caller's fold. This is the one check of a stored entry: every open and
/// [`verify`] make it.
pub(crate) fn check_row(expected: u64, row: &Row<'_>) -> Result<(Entry, Hash), String> {
    if u64::try_from(row.seq).ok() != Some(expected) {
        return Err(format!("entry {expected} is missing (the next row is {})", row.seq));
    }
    let ValueRef::Blob(body) = row.body else {
        return Err("its bytes are not stored as bytes: the row was rewritten".to_owned());
    };
    let entry = Entry::from_bytes(body)?;
    let leaf = leaf_hash(body);
    if entry.seq != expected {
        return Err(format!("its bytes say entry {}: entries were moved", entry.seq));
    }
    if row.leaf != ValueRef::Blob(&leaf.0) {
        return Err("its bytes do not hash to its stored leaf hash: the entry or its hash was changed".to_owned());
    }
    let at = matches!(text(row.at), Ok(Some(at)) if writes_as(at, entry.at));
    if !at || text(row.kind) != Ok(Some(entry.kind())) || text(row.subject) != Ok(entry.subject()) {
        return Err("its date, kind or subject column disagrees with its bytes".to_owned());
    }
    Ok((entry, leaf))
}

/// Every checkpoint: signature, root against the rebuilt tree, and a consistency proof from the
/// one before, made from stored nodes. Every entry must be covered by the last one.
fn check_checkpoints(store: &Store, key: &VerifyingKey, tree: &MemoryTree) -> Result<(u64, Option<Fault>), StoreError> {
    let sql = sql_error(store.path());
    let entries = tree.len();
    let mut count = 0u64;
    let mut last_good: Option<(u64, Hash)> = None;
    let mut stmt = store
        .connection()
        .prepare("SELECT tree_size, root, time, signature FROM checkpoint ORDER BY tree_size")
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    while let Some(row) = rows.next().map_err(sql)? {
        let size: u64 = row.get(0).map_err(sql)?;
        let root: Vec<u8> = row.get(1).map_err(sql)?;
        let signature: Vec<u8> = row.get(3).map_err(sql)?;
        let cp = match checkpoint_from_row(store.origin(), size, &root, row.get(2).map_err(sql)?, &signature) {
            Ok(cp) => cp,
            Err(m) => return Ok((count, Some(fault(None, m)))),
        };
        count += 1;
        let covered = last_good.map_or(0, |(s, _)| s);
        if let Err(e) = cp.verify(key) {
            return Ok((count, Some(fault(Some(covered), e.to_string()))));
        }
        if size > entries {
            return Ok((
                count,
                Some(fault(Some(entries), format!("checkpoint {size} covers entries that are missing"))),
            ));
        }
        if tree.root_at(size) != Some(cp.root) {
            let message = format!(
                "the signed root at size {size} does not match the entries: entries from {covered} on were rewritten"
            );
            return Ok((count, Some(fault(Some(covered), message))));
        }
        if let Some((old, old_root)) = last_good {
            let proof = store.consistency_proof(old, size)?;
            if let Err(e) = verify_consistency(old, size, &old_root, &cp.root, &proof) {
                let message = format!("the stored nodes give no valid consistency proof from {old} to {size}: {e}");
                return Ok((count, Some(fault(Some(old), message))));
            }
        }
        last_good = Some((size, cp.root));
    }
    let covered = last_good.map_or(0, |(s, _)| s);
    if count == 0 {
        return Ok((0, Some(fault(Some(0), NO_CHECKPOINT))));
    }
    if covered != entries {
        return Ok((
            count,
            Some(fault(Some(covered), format!("entries from {covered} on are not covered by a signed checkpoint"))),
        ));
    }
    Ok((count, None))
}

/// Every stored node against the rebuilt tree (proofs are made from them), and their number.
fn check_nodes(store: &Store, tree: &MemoryTree) -> Result<Option<Fault>, StoreError> {
    let sql = sql_error(store.path());
    let mut stmt = store.connection().prepare("SELECT level, idx, hash FROM node ORDER BY idx, level").map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut count = 0u64;
    while let Some(row) = rows.next().map_err(sql)? {
        let id = NodeId { level: row.get(0).map_err(sql)?, index: row.get(1).map_err(sql)? };
        let hash: Vec<u8> = row.get(2).map_err(sql)?;
        count += 1;
        let first = id.index.checked_shl(id.level).unwrap_or(u64::MAX);
        match tree.node(id) {
            Some(h) if h.0[..] == hash[..] => {}
            Some(_) => {
                let last = first + (1 << id.level) - 1;
                let message = format!("the stored hash over entries {first} to {last} does not match them");
                return Ok(Some(fault(Some(first), message)));
            }
            None => return Ok(Some(fault(None, format!("a stored node at level {} is beyond the tree", id.level)))),
        }
    }
    // A tree of n leaves has n - popcount(n) complete subtrees above the leaves.
    let entries = tree.len();
    let expected = entries - u64::from(entries.count_ones());
    if count != expected {
        return Ok(Some(fault(
            None,
            format!("{count} stored nodes where there should be {expected}: nodes were deleted"),
        )));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_column_must_be_the_date_as_written() {
        let day: concord_core::Date = "2025-06-02".parse().unwrap();
        assert!(writes_as("2025-06-02", day));
        for other in ["2025-06-0", "2025-06-021", "2025-6-2", "", "2025-06-03"] {
            assert!(!writes_as(other, day), "{other}");
        }
    }
}
