//! The SQLite file's schema and connections: the migrations, a connection for reading and
//! writing (WAL, `synchronous = FULL`), and a read-only one that changes nothing in the file.

use std::path::Path;

use rusqlite::Connection;

use super::{StoreError, sql_error, with_suffix};

/// The schema, one script per version; a store at version v runs scripts v.. on open.
pub(super) const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entry (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT,
    body BLOB NOT NULL,
    leaf BLOB NOT NULL
);
CREATE INDEX entry_subject ON entry (subject, seq);
CREATE TABLE node (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE checkpoint (
    tree_size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    time TEXT NOT NULL,
    signature BLOB NOT NULL
);
",
    r"
-- Bearer tokens (crate::tokens): access control, not governance, so outside the ledger.
CREATE TABLE token (
    id INTEGER PRIMARY KEY,
    role TEXT NOT NULL,
    member TEXT,
    label TEXT,
    hash BLOB UNIQUE NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
",
];

/// How long a writer waits for another process's write to finish.
pub(super) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Refuses a path that is not a file, before SQLite would create one.
pub(super) fn must_be_a_file(path: &Path) -> Result<(), StoreError> {
    if path.is_file() {
        return Ok(());
    }
    Err(StoreError::NotAStore {
        path: path.display().to_string(),
        message: "no such store (create one with `concord --db FILE init SCENARIO`)".to_owned(),
    })
}

/// Opens a connection for reading and writing. A `new` file is made a store by [`migrate`]; any
/// other must be one already, which is checked before anything is set in it.
pub(super) fn connect(path: &Path, new: bool) -> Result<Connection, StoreError> {
    let sql = sql_error(path);
    let conn = Connection::open(path).map_err(sql)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
    if !new {
        check_schema(&conn, path)?;
    }
    // The journal mode is a property of the file; the first writer sets it.
    conn.pragma_update(None, "journal_mode", "WAL").map_err(sql)?;
    conn.pragma_update(None, "synchronous", "FULL").map_err(sql)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(sql)?;
    Ok(conn)
}

/// Opens a connection that cannot write (`SQLITE_OPEN_READ_ONLY`) and sets nothing in the file.
/// SQLite reads a file in WAL mode through its `-shm` index, which it creates next to the file;
/// in a directory this process cannot write, with no `-wal` file (so no writer), it reads the
/// file as immutable instead.
pub(super) fn connect_read_only(path: &Path) -> Result<Connection, StoreError> {
    use rusqlite::OpenFlags;
    let sql = sql_error(path);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let probe = |conn: &Connection| conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()));
    let conn = Connection::open_with_flags(path, flags).map_err(sql)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
    let refused = match probe(&conn) {
        Ok(()) => return Ok(conn),
        Err(e) => e,
    };
    let cannot_share =
        matches!(refused.sqlite_error_code(), Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen));
    if refused.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
        return Err(StoreError::NotAStore {
            path: path.display().to_string(),
            message: "not an SQLite file, so not a concord store".to_owned(),
        });
    }
    if !cannot_share || with_suffix(path, "-wal").exists() {
        return Err(sql(refused));
    }
    drop(conn);
    let uri =
        immutable_uri(path).map_err(|message| StoreError::NotAStore { path: path.display().to_string(), message })?;
    let conn = Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI).map_err(sql)?;
    probe(&conn).map_err(sql)?;
    Ok(conn)
}

/// `file:` URI of a path opened as immutable (RFC 3986 percent-encoding, as SQLite reads it).
pub(super) fn immutable_uri(path: &Path) -> Result<String, String> {
    let absolute = std::path::absolute(path).map_err(|e| format!("cannot resolve the path: {e}"))?;
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(absolute.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = absolute.to_string_lossy().replace('\\', "/").into_bytes();
    let mut uri = String::from("file://");
    if bytes.first() != Some(&b'/') {
        uri.push('/');
    }
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    Ok(uri)
}

/// Refuses a file that is not a store, or a store written by a newer concord, changing nothing.
pub(super) fn check_schema(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let sql = sql_error(path);
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(sql)?;
    let refuse = |message: String| Err(StoreError::NotAStore { path: path.display().to_string(), message });
    if version > MIGRATIONS.len() {
        return refuse(format!(
            "written by a newer concord (schema version {version}; this one knows up to {})",
            MIGRATIONS.len()
        ));
    }
    if version == 0 {
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).map_err(sql)?;
        return refuse(if tables > 0 {
            "an SQLite file that is not a concord store".to_owned()
        } else {
            "an empty file, not a concord store (create one with `concord --db FILE init SCENARIO`)".to_owned()
        });
    }
    Ok(())
}

/// Brings the schema up to this concord's version: from nothing, for a new store.
pub(super) fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let sql = sql_error(path);
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(sql)?;
    if version == MIGRATIONS.len() {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE").map_err(sql)?;
    let result = (|| {
        // Another process may have migrated while we waited.
        let now: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, script) in MIGRATIONS.iter().enumerate().skip(now) {
            conn.execute_batch(script)?;
            conn.pragma_update(None, "user_version", i + 1)?;
        }
        conn.execute_batch("COMMIT")
    })();
    if result.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result.map_err(sql)
}
