//! What every open checks: each entry against its stored leaf hash and columns as it is folded,
//! and the tree of all entries against the last signed checkpoint. One pass over the entries,
//! one leaf hash each, and the right edge of the tree in memory (`crate::frontier::Frontier`); only a store
//! that is already refused is read a second time, by [`crate::verify()`], to name the first bad
//! entry.

use rusqlite::OptionalExtension;

use super::{Store, StoreError, checkpoint_from_row, sql_error};
use crate::verify::{Fault, NO_CHECKPOINT, NO_ENTRIES, ROWS, Row, check_row};

impl Store {
    /// Folds entries that other processes appended since this store was opened (all of them,
    /// on open), each checked as [`crate::verify()`] checks it, then checks the tree against the
    /// last signed checkpoint. On error the store must not be used: its state may be partly
    /// folded.
    pub(super) fn catch_up(&mut self) -> Result<(), StoreError> {
        let sql = sql_error(&self.path);
        // One read transaction, so that the entries and the last checkpoint are read from the
        // same state of the file, whatever other writers commit meanwhile.
        let snapshot = self.conn.unchecked_transaction().map_err(sql)?;
        let mut stmt = snapshot.prepare_cached(ROWS).map_err(sql)?;
        let mut rows = stmt.query([self.state.entries]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            let row = Row::read(row).map_err(sql)?;
            let seq = self.state.entries;
            let corrupt = |message| StoreError::Corrupt { entry: seq, message };
            let (entry, leaf) = check_row(seq, &row).map_err(corrupt)?;
            self.state.apply(&entry).map_err(|m| corrupt(m.message))?;
            self.tree.push(leaf).map_err(|gap| corrupt(gap.to_string()))?;
        }
        drop(rows);
        drop(stmt);
        self.check_head()?;
        snapshot.commit().map_err(sql)
    }

    /// Checks the tree of the entries folded against the last signed checkpoint: there are
    /// entries, the checkpoint's signature verifies with the store's public key, it covers every
    /// entry, and its root is the root of the entries. When it does not hold, the full
    /// verification names the first bad entry.
    fn check_head(&self) -> Result<(), StoreError> {
        let entries = self.state.entries;
        if entries == 0 {
            return Err(StoreError::Corrupt { entry: 0, message: NO_ENTRIES.to_owned() });
        }
        let row = self
            .conn
            .query_row(
                "SELECT tree_size, root, time, signature FROM checkpoint ORDER BY tree_size DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, u64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, String>(2)?, r.get::<_, Vec<u8>>(3)?)),
            )
            .optional()
            .map_err(self.sql())?;
        let Some((size, root, time, signature)) = row else {
            return Err(StoreError::Corrupt { entry: 0, message: NO_CHECKPOINT.to_owned() });
        };
        let problem = match checkpoint_from_row(&self.origin, size, &root, time, &signature) {
            Err(message) => Some(message),
            Ok(cp) => match cp.verify(&self.public) {
                Err(e) => Some(e.to_string()),
                Ok(()) if size > entries => {
                    Some(format!("the last signed checkpoint covers {size} entries, the store has {entries}"))
                }
                Ok(()) if size < entries => {
                    Some(format!("entries from {size} on are not covered by a signed checkpoint"))
                }
                Ok(()) => {
                    let root =
                        self.tree.root().map_err(|gap| StoreError::Corrupt { entry: 0, message: gap.to_string() })?;
                    (root != cp.root).then(|| format!("the root of the entries is not the signed root at size {size}"))
                }
            },
        };
        let Some(message) = problem else { return Ok(()) };
        // The slow path, only for a store that is already refused: the checkpoints before the
        // last one say which entry was rewritten first.
        let found = crate::verify(self, &self.public).ok().and_then(|v| v.fault);
        Err(match found {
            Some(Fault { entry: Some(entry), message }) => StoreError::Corrupt { entry, message },
            _ => StoreError::Corrupt { entry: size.min(entries).saturating_sub(1), message },
        })
    }
}

#[cfg(test)]
mod tests {
    use concord_core::VoteStance;
    use concord_ledger::MemoryTree;
    use rusqlite::{Connection, params};

    use super::super::tests::{create, day, vote};
    use crate::{Store, StoreError};

    /// A store of the init entry and one vote per write (entries 1 to `votes`), closed.
    fn store_with_votes(dir: &tempfile::TempDir, votes: usize) -> std::path::PathBuf {
        let (mut store, db) = create(dir);
        for (i, member) in ["A", "B"].iter().cycle().take(votes).enumerate() {
            let stance = if i < 2 { VoteStance::Consent } else { VoteStance::Abstain };
            store.record(vote(member, stance), day("2025-06-10"), 0).unwrap();
        }
        db
    }

    fn body(conn: &Connection, seq: u64) -> String {
        let bytes: Vec<u8> = conn.query_row("SELECT body FROM entry WHERE seq = ?1", [seq], |r| r.get(0)).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[track_caller]
    fn corrupt(db: &std::path::Path) -> (u64, String) {
        match Store::open(db) {
            Err(StoreError::Corrupt { entry, message }) => (entry, message),
            Err(e) => panic!("refused, but not as corrupt: {e}"),
            Ok(_) => panic!("a store that does not verify was opened"),
        }
    }

    // See: issue 11 (reads trust the file: an entry's bytes changed with its leaf hash left
    // alone changed what a store decides, and only `ledger verify` noticed).
    #[test]
    fn r11_open_refuses_an_entry_changed_with_its_leaf_hash_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = store_with_votes(&dir, 3);
        let conn = Connection::open(&db).unwrap();
        let changed = body(&conn, 2).replace("consent", "abstain");
        conn.execute("UPDATE entry SET body = ?1 WHERE seq = 2", [changed.as_bytes()]).unwrap();
        let (entry, message) = corrupt(&db);
        assert_eq!(entry, 2, "{message}");
        assert!(message.contains("leaf hash"), "{message}");
        let text = Store::open(&db).err().unwrap().to_string();
        assert!(text.contains("entry 2") && text.contains("ledger verify"), "{text}");
    }

    #[test]
    fn a_column_of_another_type_is_a_fault_of_its_entry_not_an_error_of_the_read() {
        for update in [
            "UPDATE entry SET body = CAST(body AS TEXT) WHERE seq = 1",
            "UPDATE entry SET leaf = hex(leaf) WHERE seq = 1",
            "UPDATE entry SET at = 20250602 WHERE seq = 1",
            "UPDATE entry SET subject = CAST(subject AS BLOB) WHERE seq = 1",
            "UPDATE entry SET subject = 7 WHERE seq = 0",
        ] {
            let dir = tempfile::tempdir().unwrap();
            let db = store_with_votes(&dir, 2);
            Connection::open(&db).unwrap().execute(update, []).unwrap();
            let expected = if update.contains("seq = 0") { 0 } else { 1 };
            assert_eq!(corrupt(&db).0, expected, "{update}");
            let store = Store::open_read_only(&db).unwrap();
            let fault = crate::verify(&store, store.public_key()).unwrap().fault.unwrap();
            assert_eq!(fault.entry, Some(expected), "{update}: {fault:?}");
        }
    }

    // See: issue 11 (reads trust the file: an entry rewritten with its leaf hash).
    #[test]
    fn r11_open_names_an_entry_rewritten_with_its_leaf_hash() {
        let dir = tempfile::tempdir().unwrap();
        let db = store_with_votes(&dir, 4);
        let conn = Connection::open(&db).unwrap();
        let changed = body(&conn, 3).replace("abstain", "consent");
        let leaf = concord_ledger::leaf_hash(changed.as_bytes());
        conn.execute("UPDATE entry SET body = ?1, leaf = ?2 WHERE seq = 3", params![changed.as_bytes(), &leaf.0[..]])
            .unwrap();
        let (entry, message) = corrupt(&db);
        assert_eq!(entry, 3, "the first checkpoint that no longer holds covers the write of entry 3: {message}");
        assert!(message.contains("signed root"), "{message}");
    }

    // See: issue 11 (an empty store: every read refused it with no word of why, and
    // `ledger verify` passed it).
    #[test]
    fn r11_open_and_verify_refuse_a_store_without_entries_or_checkpoints() {
        for (tables, expected) in [
            ("DELETE FROM entry; DELETE FROM node; DELETE FROM checkpoint;", "entry 0, the init entry, is missing"),
            ("DELETE FROM checkpoint;", "no signed checkpoint"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let db = store_with_votes(&dir, 2);
            Connection::open(&db).unwrap().execute_batch(tables).unwrap();
            let (entry, message) = corrupt(&db);
            assert_eq!(entry, 0, "{tables}: {message}");
            assert!(message.contains(expected), "{tables}: {message}");
            let store = Store::open_read_only(&db).unwrap();
            let fault = crate::verify(&store, store.public_key()).unwrap().fault.unwrap();
            assert_eq!(fault.entry, Some(0), "{tables}: {fault:?}");
            assert!(fault.message.contains(expected), "{tables}: {fault:?}");
        }
    }

    // See: issue 11 (reads trust the file: the last checkpoint was never checked on open).
    #[test]
    fn r11_open_refuses_a_forged_or_missing_last_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let db = store_with_votes(&dir, 3);
        let conn = Connection::open(&db).unwrap();
        conn.execute("UPDATE checkpoint SET time = '2020-01-01T00:00:00Z' WHERE tree_size = 4", []).unwrap();
        let (entry, message) = corrupt(&db);
        assert_eq!(entry, 3, "the entry after the last good checkpoint: {message}");
        assert!(message.contains("signature"), "{message}");

        conn.execute("DELETE FROM checkpoint WHERE tree_size = 4", []).unwrap();
        let (entry, message) = corrupt(&db);
        assert_eq!(entry, 3, "{message}");
        assert!(message.contains("not covered"), "{message}");
    }

    // See: issue 11 (reads trust the file: a write took its left siblings from the stored
    // nodes, so a changed node made the store sign a root of entries it does not hold).
    #[test]
    fn r11_a_write_signs_the_root_of_its_entries_whatever_the_stored_nodes_say() {
        let dir = tempfile::tempdir().unwrap();
        let db = store_with_votes(&dir, 3);
        Connection::open(&db).unwrap().execute("UPDATE node SET hash = zeroblob(32) WHERE level = 2", []).unwrap();
        // Opening does not read the nodes (`ledger verify` does); writing must not trust them.
        let mut store = Store::open(&db).unwrap();
        let receipt = store.record(vote("A", VoteStance::Abstain), day("2025-06-10"), 0).unwrap();
        let mut tree = MemoryTree::default();
        store
            .for_each_entry(|_, bytes| {
                tree.push(bytes);
                Ok(())
            })
            .unwrap();
        assert_eq!(receipt.checkpoint.root, tree.root());
        let fault = crate::verify(&store, store.public_key()).unwrap().fault.unwrap();
        assert!(fault.message.contains("stored hash over entries 0 to 3"), "{fault:?}");
    }

    #[test]
    fn a_store_catches_up_with_another_writer_and_checks_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let db = store_with_votes(&dir, 1);
        let mut first = Store::open(&db).unwrap();
        let mut second = Store::open(&db).unwrap();
        first.record(vote("B", VoteStance::Consent), day("2025-06-10"), 0).unwrap();
        let receipt = second.record(vote("A", VoteStance::Abstain), day("2025-06-10"), 0).unwrap();
        assert_eq!(receipt.entries, 3..4);
        assert_eq!(second.state().entries, 4);
        first.record(vote("B", VoteStance::Abstain), day("2025-06-10"), 0).unwrap();
        assert_eq!(Store::open(&db).unwrap().state().entries, 5);
    }

    // See: issue 11 (`ledger verify` needed write access and created a schema in an empty
    // file).
    #[test]
    fn r11_a_read_only_open_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        let err = Store::open_read_only(&empty).err().unwrap();
        assert!(err.to_string().contains("not a concord store"), "{err}");
        assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
        // Nor does any open make a schema in it.
        assert!(Store::open(&empty).is_err() && Store::open_unchecked(&empty).is_err());
        assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);

        let other = dir.path().join("other.db");
        Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        let before = std::fs::read(&other).unwrap();
        let err = Store::open_read_only(&other).err().unwrap();
        assert!(err.to_string().contains("not a concord store"), "{err}");
        assert_eq!(std::fs::read(&other).unwrap(), before);

        let text = dir.path().join("text.db");
        std::fs::write(&text, "not sqlite at all, just some text that is long enough to be read").unwrap();
        let err = Store::open_read_only(&text).err().unwrap();
        assert!(err.to_string().contains("not an SQLite file"), "{err}");

        let db = store_with_votes(&dir, 2);
        let before = std::fs::read(&db).unwrap();
        let store = Store::open_read_only(&db).unwrap();
        assert!(crate::verify(&store, store.public_key()).unwrap().fault.is_none());
        assert!(store.connection().execute("DELETE FROM checkpoint", []).is_err(), "the connection cannot write");
        drop(store);
        assert_eq!(std::fs::read(&db).unwrap(), before);
    }

    #[test]
    fn an_immutable_uri_escapes_the_path() {
        let uri = super::super::schema::immutable_uri(std::path::Path::new("/tmp/a b?c#d%.db")).unwrap();
        assert_eq!(uri, "file:///tmp/a%20b%3Fc%23d%25.db?immutable=1");
    }
}
