//! Creating a store, atomically: `FILE`, `FILE.key` and `FILE.pub` appear complete and durable,
//! or not at all.
//!
//! The store and its keys are first written under temporary names in the same directory
//! (`.FILE.init`, `.FILE.init.key`, `.FILE.init.pub`) and made durable (each file and the
//! directory fsynced). Then the keys are linked to their names, and the store last: linking
//! `FILE` is the moment the store exists, and it fails rather than replace a file that appeared
//! meanwhile. The temporary names are removed after.
//!
//! A process killed at any moment leaves a whole store, or no store and at most temporaries and
//! key files identical to them; the next `init` of the same `FILE`, holding the directory's
//! lock, removes those before it starts. A refused `init` writes nothing at all: the scenario is checked in memory first, and
//! a failure on disk removes what was written.

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use concord_core::Date;
use ed25519_dalek::SigningKey;
use rusqlite::{TransactionBehavior, params};

use super::{
    FORMAT, Receipt, Store, StoreError, connect, key_path, migrate, public_key_path, sql_error, with_suffix,
    write_date, write_entries,
};
use crate::checkpoint;
use crate::frontier::Frontier;
use crate::record::{Body, Entry, Fold, Strictness};

/// The names a store is made under: its own, and the temporaries next to it.
struct Names {
    dir: PathBuf,
    db: PathBuf,
    key: PathBuf,
    public: PathBuf,
    temp_db: PathBuf,
    temp_key: PathBuf,
    temp_public: PathBuf,
}

impl Names {
    fn of(db: &Path) -> Result<Names, StoreError> {
        let Some(name) = db.file_name() else {
            return Err(StoreError::NotAStore {
                path: db.display().to_string(),
                message: "not a file name: a store is a file".to_owned(),
            });
        };
        let dir = match db.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        let mut temp = std::ffi::OsString::from(".");
        temp.push(name);
        temp.push(".init");
        let temp_db = dir.join(temp);
        Ok(Names {
            key: key_path(db),
            public: public_key_path(db),
            temp_key: with_suffix(&temp_db, ".key"),
            temp_public: with_suffix(&temp_db, ".pub"),
            db: db.to_owned(),
            dir,
            temp_db,
        })
    }

    /// The temporary store with the files SQLite keeps beside it.
    fn temp_db_files(&self) -> [PathBuf; 4] {
        ["", "-wal", "-shm", "-journal"].map(|suffix| with_suffix(&self.temp_db, suffix))
    }

    /// Removes what an `init` killed before it finished left: its temporaries and, when the
    /// store was never linked, the key files linked from them (identical to them).
    fn clean_up(&self) -> io::Result<()> {
        let left = self.temp_db_files().iter().chain([&self.temp_key, &self.temp_public]).any(|p| exists(p));
        if !left {
            return Ok(());
        }
        if !exists(&self.db) {
            for (temp, linked) in [(&self.temp_key, &self.key), (&self.temp_public, &self.public)] {
                if same_content(temp, linked) {
                    remove(linked)?;
                }
            }
        }
        for path in self.temp_db_files().iter().chain([&self.temp_key, &self.temp_public]) {
            remove(path)?;
        }
        sync_dir(&self.dir)
    }
}

/// Whether a name exists, as a file, a directory or a link (even one that leads nowhere).
fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn same_content(a: &Path, b: &Path) -> bool {
    matches!((fs::read(a), fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

fn remove(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Makes the directory's entries (new names, removed names) durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Gives `from`'s file the name `to` too, failing if `to` exists. Where the file system has no
/// hard links, copies it after checking that `to` does not exist.
fn link(from: &Path, to: &Path) -> io::Result<()> {
    match fs::hard_link(from, to) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists && !exists(to) => {
            fs::copy(from, to)?;
            File::open(to)?.sync_all()
        }
        other => other,
    }
}

/// The directory's lock, held while an `init` runs so that no other `init` in the directory
/// takes its temporaries for those of a killed one. Released when dropped, or when the process
/// dies. Where the directory cannot be locked, nothing is held.
fn lock_dir(dir: &Path) -> Result<Option<File>, StoreError> {
    #[cfg(unix)]
    {
        let file = File::open(dir).map_err(|e| io_error(dir, "cannot open the directory", &e))?;
        Ok(file.lock().is_ok().then_some(file))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(None)
    }
}

fn io_error(path: &Path, what: &str, e: &io::Error) -> StoreError {
    StoreError::Io(format!("{what} {}: {e}", path.display()))
}

/// What has been written so far, removed on drop unless the store was made.
struct Undo<'a> {
    names: &'a Names,
    linked: Vec<PathBuf>,
    done: bool,
}

impl Drop for Undo<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        for path in
            self.linked.iter().chain(&self.names.temp_db_files()).chain([&self.names.temp_key, &self.names.temp_public])
        {
            let _ = remove(path);
        }
        let _ = sync_dir(&self.names.dir);
    }
}

fn write_file(path: &Path, text: &str, private: bool) -> Result<(), StoreError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|e| io_error(path, "cannot create", &e))?;
    file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).map_err(|e| io_error(path, "cannot write", &e))
}

impl Store {
    /// Creates a store from a scenario file's text. Fails if the file exists. Writes the key
    /// pair next to it (`FILE.key`, mode 0600, and `FILE.pub`) and the init entry, dated `at` or
    /// the scenario's `as_of`, never after the clock.
    ///
    /// All or nothing: the three files appear once complete and durable. A refusal leaves
    /// nothing behind, and what a killed `create` left is removed by the next one.
    pub fn create(
        path: &Path,
        origin: &str,
        scenario: &str,
        at: Option<Date>,
        clock: Date,
        now: i64,
    ) -> Result<(Store, Receipt), StoreError> {
        if exists(path) {
            return Err(StoreError::Exists(path.display().to_string()));
        }
        // Everything about the scenario is checked before anything is written.
        let engine = concord_core::load(scenario, origin).map_err(|e| StoreError::Scenario(Box::new(e)))?;
        let at = write_date(Some(at.unwrap_or_else(|| engine.as_of())), None, clock).map_err(StoreError::Date)?;
        let id = engine.scenario().id.clone();
        drop(engine);
        let init = Entry { seq: 0, at, body: Body::Init { origin: origin.to_owned(), scenario: scenario.to_owned() } };
        let mut state = Fold::new(Strictness::Write);
        state.apply(&init).map_err(|m| StoreError::Refused(m.message))?;

        let names = Names::of(path)?;
        let _lock = lock_dir(&names.dir)?;
        names.clean_up().map_err(|e| io_error(&names.dir, "cannot remove what an earlier init left in", &e))?;
        if exists(path) {
            return Err(StoreError::Exists(path.display().to_string()));
        }
        for key in [&names.key, &names.public] {
            if exists(key) {
                return Err(StoreError::Key(format!(
                    "{} exists, but {} does not: it may be the key of a store that was moved; move it away or \
                     remove it, then run `init` again",
                    key.display(),
                    path.display()
                )));
            }
        }
        let key = checkpoint::generate_key().map_err(StoreError::Key)?;
        let mut undo = Undo { names: &names, linked: Vec::new(), done: false };
        write_file(&names.temp_key, &format!("{}\n", hex::encode(key.to_bytes())), true)?;
        write_file(&names.temp_public, &format!("{}\n", hex::encode(key.verifying_key().to_bytes())), false)?;
        let mut tree = Frontier::default();
        let receipt = write_store(&names.temp_db, &key, &id, &init, &mut tree, now)?;
        sync_dir(&names.dir).map_err(|e| io_error(&names.dir, "cannot sync", &e))?;

        for (temp, name) in [(&names.temp_public, &names.public), (&names.temp_key, &names.key)] {
            link(temp, name).map_err(|e| io_error(name, "cannot create", &e))?;
            undo.linked.push(name.clone());
        }
        match link(&names.temp_db, &names.db) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(StoreError::Exists(path.display().to_string()));
            }
            Err(e) => return Err(io_error(path, "cannot create", &e)),
        }
        // The store exists: from here on, nothing is taken back. A temporary left (the next
        // `init` removes it) takes nothing from the store.
        undo.done = true;
        sync_dir(&names.dir).map_err(|e| io_error(&names.dir, "cannot sync", &e))?;
        for temp in names.temp_db_files().iter().chain([&names.temp_key, &names.temp_public]) {
            let _ = remove(temp);
        }
        let _ = sync_dir(&names.dir);

        let store = Store {
            conn: connect(path, false)?,
            path: path.to_owned(),
            state,
            strictness: Strictness::Write,
            public: key.verifying_key(),
            origin: id,
            key: None,
            tree,
        };
        Ok((store, receipt))
    }
}

/// Writes a complete store, its init entry and first checkpoint, to a new file, and leaves it
/// durable and whole on its own (its write-ahead log merged and removed), ready to be linked.
fn write_store(
    path: &Path,
    key: &SigningKey,
    id: &str,
    init: &Entry,
    tree: &mut Frontier,
    now: i64,
) -> Result<Receipt, StoreError> {
    let sql = sql_error(path);
    let mut conn = connect(path, true)?;
    migrate(&conn, path)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('scenario', ?1), ('public_key', ?2), ('format', ?3)",
        params![id, hex::encode(key.verifying_key().to_bytes()), FORMAT],
    )
    .map_err(sql)?;
    let checkpoint = write_entries(&tx, path, key, id, std::slice::from_ref(init), tree, now)?;
    tx.commit().map_err(sql)?;
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0)).map_err(sql)?;
    conn.close().map_err(|(_, e)| sql(e))?;
    let wal = with_suffix(path, "-wal");
    if busy != 0 || fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(StoreError::Io(format!("cannot merge {} into the new store", wal.display())));
    }
    File::open(path).and_then(|f| f.sync_all()).map_err(|e| io_error(path, "cannot sync", &e))?;
    Ok(Receipt { entries: 0..1, checkpoint })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{SCENARIO, create, day};
    use super::*;

    /// The names in a directory, sorted.
    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    fn make(db: &Path) -> Result<(Store, Receipt), StoreError> {
        Store::create(db, "batch.toml", SCENARIO, None, day("2025-06-10"), 0)
    }

    // See: issue 11 (a refused `init` left an orphan key file that blocked the next one).
    #[test]
    fn r11_a_refused_create_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        assert!(matches!(
            Store::create(&db, "x.toml", "[scenario]", None, day("2025-06-10"), 0),
            Err(StoreError::Scenario(_))
        ));
        let late = Store::create(&db, "batch.toml", SCENARIO, Some(day("2030-01-01")), day("2025-06-10"), 0);
        assert!(matches!(late, Err(StoreError::Date(_))));
        assert_eq!(listing(dir.path()), Vec::<String>::new());

        fs::write(public_key_path(&db), "a public key of something else\n").unwrap();
        let err = make(&db).err().unwrap();
        assert!(err.to_string().contains("s.db.pub exists, but"), "{err}");
        assert_eq!(listing(dir.path()), ["s.db.pub"]);
        fs::remove_file(public_key_path(&db)).unwrap();
        make(&db).unwrap();
        assert_eq!(listing(dir.path()), ["s.db", "s.db.key", "s.db.pub"]);
        assert!(matches!(make(&db), Err(StoreError::Exists(_))));
        assert_eq!(listing(dir.path()), ["s.db", "s.db.key", "s.db.pub"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_that_leads_nowhere_is_a_file_that_exists() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        std::os::unix::fs::symlink(dir.path().join("nowhere/x.db"), &db).unwrap();
        assert!(matches!(make(&db), Err(StoreError::Exists(_))));
        assert_eq!(listing(dir.path()), ["s.db"]);
    }

    // See: issue 11 (a killed `init` left what blocked the next one).
    #[test]
    fn r11_what_a_killed_create_left_is_removed_by_the_next() {
        // Every moment a create can be killed at leaves a subset of the temporaries, and key
        // files identical to them: here, all of them.
        let made = tempfile::tempdir().unwrap();
        let (_, old) = create(&made);
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let names = Names::of(&db).unwrap();
        fs::copy(&old, &names.temp_db).unwrap();
        fs::write(with_suffix(&names.temp_db, "-journal"), b"").unwrap();
        for (from, temp, name) in
            [(key_path(&old), &names.temp_key, &names.key), (public_key_path(&old), &names.temp_public, &names.public)]
        {
            fs::copy(&from, temp).unwrap();
            fs::copy(&from, name).unwrap();
        }
        let key = *make(&db).unwrap().0.public_key();
        assert_eq!(listing(dir.path()), ["s.db", "s.db.key", "s.db.pub"]);
        assert_ne!(fs::read(key_path(&db)).unwrap(), fs::read(key_path(&old)).unwrap(), "a new key");
        let store = Store::open(&db).unwrap();
        assert_eq!(store.public_key(), &key);
        assert!(crate::verify(&store, &key).unwrap().fault.is_none());
        assert_eq!(fs::read_to_string(public_key_path(&db)).unwrap().trim(), hex::encode(key.to_bytes()));
    }

    #[test]
    fn key_files_that_are_not_an_interrupted_creates_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let names = Names::of(&db).unwrap();
        fs::write(&names.temp_key, "one key\n").unwrap();
        fs::write(&names.key, "another key\n").unwrap();
        let err = make(&db).err().unwrap();
        assert!(err.to_string().contains("s.db.key exists, but"), "{err}");
        assert_eq!(listing(dir.path()), ["s.db.key"], "the temporary is removed, the key file kept");
        assert_eq!(fs::read_to_string(&names.key).unwrap(), "another key\n");
    }

    #[cfg(unix)]
    #[test]
    fn the_private_key_is_made_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        make(&db).unwrap();
        assert_eq!(fs::metadata(key_path(&db)).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_init_holds_its_directory_for_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock_dir(dir.path()).unwrap();
        assert!(held.is_some());
        let other = File::open(dir.path()).unwrap();
        assert!(matches!(other.try_lock(), Err(fs::TryLockError::WouldBlock)));
        drop(held);
        other.try_lock().unwrap();
    }

    #[test]
    fn of_two_creates_at_once_one_makes_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2).map(|_| scope.spawn(|| make(&db).map(|(s, _)| *s.public_key()))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let made: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(made.len(), 1, "{results:?}");
        assert!(results.iter().any(|r| matches!(r, Err(StoreError::Exists(_)))), "{results:?}");
        let store = Store::open(&db).unwrap();
        assert_eq!(store.public_key(), made[0]);
        assert_eq!(fs::read_to_string(public_key_path(&db)).unwrap().trim(), hex::encode(made[0].to_bytes()));
        drop(store);
        assert_eq!(listing(dir.path()), ["s.db", "s.db.key", "s.db.pub"]);
    }
}
