//! A store of the NATO example in a temporary directory, for the tests that run commands or a
//! server on one (shared by the integration tests and the attacks of `attacks.rs`).

use std::path::PathBuf;

use crate::util::{EXAMPLE, Run, concord};

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
