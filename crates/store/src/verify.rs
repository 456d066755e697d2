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
//! first one after the last checkpoint that still holds.

use concord_ledger::{Hash, MemoryTree, NodeId, leaf_hash, verify_consistency};
use ed25519_dalek::VerifyingKey;

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
        let mut stmt =
            conn.prepare("SELECT seq, at, kind, subject, body, leaf FROM entry ORDER BY seq").map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            let expected = tree.len();
            let seq: i64 = row.get(0).map_err(sql)?;
            let at: String = row.get(1).map_err(sql)?;
            let kind: String = row.get(2).map_err(sql)?;
            let subject: Option<String> = row.get(3).map_err(sql)?;
            let body: Vec<u8> = row.get(4).map_err(sql)?;
            let leaf: Vec<u8> = row.get(5).map_err(sql)?;
            if u64::try_from(seq).ok() != Some(expected) {
                first_fault =
                    Some(fault(Some(expected), format!("entry {expected} is missing (the next row is {seq})")));
                break;
            }
            let entry = match Entry::from_bytes(&body) {
                Ok(e) => e,
                Err(m) => {
                    first_fault = Some(fault(Some(expected), m));
                    break;
                }
            };
            let computed = leaf_hash(&body);
            let problem = if entry.seq != expected {
                Some(format!("its bytes say entry {}: entries were moved", entry.seq))
            } else if leaf != computed.0 {
                Some("its bytes do not hash to its stored leaf hash: the entry or its hash was changed".to_owned())
            } else if at != entry.at.to_string() || kind != entry.kind() || subject.as_deref() != entry.subject() {
                Some("its date, kind or subject column disagrees with its bytes".to_owned())
            } else {
                state.apply(&entry).err().map(|m| format!("it does not fit the entries before it: {m}"))
            };
            if let Some(message) = problem {
                first_fault = Some(fault(Some(expected), message));
                break;
            }
            tree.push(&body);
        }
    }
    let entries = tree.len();
    let (checkpoints, fault) = match first_fault {
        Some(f) => (0, Some(f)),
        None => {
            // Checkpoints first: with one checkpoint per write they name a rewritten entry
            // exactly; stored nodes only narrow it to a subtree.
            let (count, fault) = check_checkpoints(store, key, &tree)?;
            (count, fault.map_or_else(|| check_nodes(store, &tree), |f| Ok(Some(f)))?)
        }
    };
    Ok(Verified { entries, checkpoints, root: tree.root(), fault })
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
