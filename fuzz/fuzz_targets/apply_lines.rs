//! `apply_lines`: any bytes as the file `concord apply` reads: one JSON line per change,
//! `{"at": DATE, "change": …}`, recorded one by one into a store of the NATO example until the
//! first line that fails. Each line goes two ways: through a real store on a temporary file
//! (`Store::record`, one durable write per line, as the command does) and through the ledger's
//! entry bytes and [`Fold`] in memory (what every later open of the store reads back). Both
//! accept the same lines; every entry's bytes read back to the same entry; the store then
//! verifies, and opened again holds the same state.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use concord_core::{Change, Date};
use concord_store::record::{Body, Entry, Fold};
use concord_store::{Store, Write};
use libfuzzer_sys::fuzz_target;

/// A line as `concord apply` reads it.
#[derive(serde::Deserialize)]
struct Line {
    at: Date,
    #[serde(flatten)]
    change: Change,
}

/// The store's clock: nothing is recorded after it.
fn clock() -> Date {
    "2025-12-31".parse().expect("a date")
}

const NOW: i64 = 1_767_139_200;

/// A store created from the NATO example once: its files, copied for every input.
struct Template {
    dir: tempfile::TempDir,
    fold: Fold,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        // On tmpfs where there is one: every write is synchronous.
        let dir = if Path::new("/dev/shm").is_dir() { tempfile::tempdir_in("/dev/shm") } else { tempfile::tempdir() };
        let dir = dir.expect("a temporary directory");
        let db = dir.path().join("template.db");
        let (store, _) =
            Store::create(&db, "nato-2025.toml", concord_fuzz::NATO, None, clock(), NOW).expect("the store is created");
        let fold = store.state().clone();
        drop(store);
        Template { dir, fold }
    })
}

/// A fresh copy of the template store, in a directory of its own.
fn fresh_store(into: &Path) -> PathBuf {
    let from = template().dir.path().join("template.db");
    let db = into.join("fuzz.db");
    for (a, b) in [
        (from.clone(), db.clone()),
        (concord_store::key_path(&from), concord_store::key_path(&db)),
        (concord_store::public_key_path(&from), concord_store::public_key_path(&db)),
    ] {
        std::fs::copy(a, b).expect("the template store copies");
    }
    db
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    concord_fuzz::on_server_stack(move || run(&text));
});

fn run(text: &str) {
    let lines: Vec<Line> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map_while(|l| serde_json::from_str::<Line>(l).ok())
        .take_while(|l| !matches!(l.change, Change::Decision(_)))
        .collect();
    if lines.is_empty() {
        return;
    }
    let template = template();
    let work = tempfile::tempdir_in(template.dir.path()).expect("a temporary directory");
    let db = fresh_store(work.path());
    let mut store = Store::open(&db).expect("the copied store opens");
    let mut fold = template.fold.clone();
    assert_eq!(fold.digest(), store.state().digest(), "the copied store reads back another state");

    for line in lines {
        let recorded = store.record(vec![Write::on(line.at, line.change.clone())], clock(), NOW);
        let folded = fold_line(&mut fold, line);
        assert_eq!(
            recorded.is_ok(),
            folded.is_ok(),
            "the store and the ledger's fold disagree: store {:?}, fold {:?}",
            recorded.as_ref().err().map(ToString::to_string),
            folded
        );
        if recorded.is_err() {
            break;
        }
    }
    assert_eq!(fold.digest(), store.state().digest(), "the store's state is not the fold of its entries");
    let engine = store.engine().expect("the store has an engine");
    let at = store.state().default_date();
    concord_fuzz::decide_and_explain(engine, at);

    let key = *store.public_key();
    let verified = concord_store::verify(&store, &key).expect("the store can be verified");
    assert!(verified.fault.is_none(), "the store does not verify: {:?}", verified.fault);
    drop(store);
    let reopened = Store::open(&db).expect("the store opens again");
    assert_eq!(reopened.state().digest(), fold.digest(), "the store reads back another state");
}

/// Applies a line as the store reads it back: its entry's bytes, read again, folded.
fn fold_line(fold: &mut Fold, line: Line) -> Result<(), String> {
    let at = concord_store::write_date(Some(line.at), fold.last_at, clock())?;
    let entry = Entry { seq: fold.entries, at, body: Body::Change(line.change) };
    let bytes = entry.to_bytes();
    let read = Entry::from_bytes(&bytes).expect("an entry's bytes read back");
    assert_eq!(read, entry, "an entry reads back different from {}", String::from_utf8_lossy(&bytes));
    fold.apply(&read).map_err(|m| m.message)
}
