//! Regression tests of the crashes the fuzz targets found (fuzz/README.md), one per crash, named
//! `r11_fuzz_TARGET_WHAT`. Each runs the input through the library as its target does, in a child
//! process (this test binary again, running that one test) on a thread with the server's 2 MiB
//! stack, so that a stack overflow or a stall fails its own test and not the whole binary.
//!
//! See: issue 11, "Hostile input and resource limits", item 6.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use concord_core::change::{Change, PositionChange};
use concord_core::{Engine, Value};

use crate::util::example_text;

/// The environment variable naming the one test a child process runs for real.
const CHILD: &str = "CONCORD_FUZZED_CHILD";

/// The stack of the server's writer thread and of tokio's workers, which the fuzz targets run on.
const SERVER_STACK: usize = 2 * 1024 * 1024;

/// Runs `check` in a child process on a [`SERVER_STACK`] thread, and fails if the child fails,
/// is killed by a signal, or takes longer than `limit` (then it is killed).
#[track_caller]
fn isolated(test: &str, limit: Duration, check: fn()) {
    if std::env::var(CHILD).as_deref() == Ok(test) {
        let thread = std::thread::Builder::new().stack_size(SERVER_STACK).spawn(check).expect("a thread");
        if let Err(panic) = thread.join() {
            std::panic::resume_unwind(panic);
        }
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let log = dir.path().join("child.log");
    let out = std::fs::File::create(&log).expect("a log file");
    let err = out.try_clone().expect("a log file");
    let mut child = Command::new(std::env::current_exe().expect("this test binary"))
        .args([&format!("fuzzed::{test}"), "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, test)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("run this test binary again");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{test}: still running after {limit:?}, killed\n{}", read_log(&log));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{test}: the child failed ({status})\n{}", read_log(&log));
}

fn read_log(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// A test of one fuzz crash: `isolated` with the test's own name.
macro_rules! fuzzed {
    ($(#[$meta:meta])* $name:ident, $limit:expr, $body:block) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            isolated(stringify!($name), $limit, || $body);
        }
    };
}

/// The scenario the `policy` target adds its position to, trimmed to what these tests read.
const SMALL: &str = r#"[scenario]
id = "t"
as_of = 2025-06-15

[[member]]
id = "A"

[[member]]
id = "B"

[[partner]]
id = "X"

[[committee]]
id = "C"
members = "all"
rule = "consensus"

[[fact]]
id = "f"
value = false
as_of = 2025-01-01
source = "Fact source"

[[proposal]]
id = "p"
committee = "C"
kind = "exercise"
partners = ["X"]
engagement = "new"
"#;

/// `SMALL` with a position of A holding `policy`, as a basic TOML string.
fn with_position(policy: &str) -> String {
    let quoted = serde_json::to_string(policy).unwrap();
    format!("{SMALL}\n[[position]]\nid = \"fz\"\nmember = \"A\"\nsource = \"fuzz\"\npolicy = {quoted}\n")
}

fn nato() -> Engine {
    concord_core::load(&example_text(), "nato-2025.toml").unwrap()
}

/// Applies a change given as JSON (the `change_json` target's input) to the NATO example on its date.
fn apply_json(json: &str) -> (Engine, Result<(), concord_core::Refused>) {
    let change: Change = serde_json::from_str(json).unwrap();
    let mut engine = nato();
    let at = engine.as_of();
    let result = engine.apply(at, change);
    (engine, result)
}

fuzzed!(
    /// `policy` (and `scenario`): a Cedar policy nested 1,000 parentheses deep overflowed the
    /// stack in Cedar's parser (`cedar_policy_core::parser::cst_to_ast`, `to_expr_or_special`);
    /// on a 2 MiB thread 150 levels did. Both ways a position arrives must refuse it.
    r11_fuzz_policy_nested_parentheses,
    Duration::from_secs(120),
    {
        for depth in [150, 300, 1000] {
            let policy = format!(
                "forbid (principal, action, resource) when {{ {}context.facts.f{} }};",
                "(".repeat(depth),
                ")".repeat(depth)
            );
            assert!(concord_core::load(&with_position(&policy), "deep.toml").is_err(), "{depth} deep was read");
            let mut engine = concord_core::load(SMALL, "small.toml").unwrap();
            let at = engine.as_of();
            let change = PositionChange {
                id: "fz".into(),
                member: "A".into(),
                since: None,
                source: "fuzz".into(),
                policy: policy.clone(),
            };
            assert!(engine.apply(at, Change::Position(change)).is_err(), "{depth} deep was applied");
        }
    }
);

fuzzed!(
    /// `change_json`: a decimal fact beyond Cedar's `decimal` (±922337203685477.5807) was
    /// applied; no position could read it afterwards. It must be refused when applied.
    r11_fuzz_change_json_decimal_beyond_cedar,
    Duration::from_secs(60),
    {
        let (_, applied) =
            apply_json(r#"{"change":"fact","id":"big","value":{"decimal":"922337203685478"},"source":"fuzz"}"#);
        assert!(applied.is_err(), "a decimal beyond Cedar's range was applied");
    }
);

fuzzed!(
    /// `change_json`: a decimal of 19 significant digits, applied, was written out by
    /// `scenario::write` exactly but read back through binary floating point, as
    /// 922337203685477.6: `export` of a store decided on another number than the store.
    r11_fuzz_change_json_decimal_digits_lost,
    Duration::from_secs(60),
    {
        let (engine, applied) = apply_json(
            r#"{"change":"fact","id":"precise","value":{"decimal":"922337203685477.5807"},"source":"fuzz"}"#,
        );
        applied.unwrap();
        let written = concord_core::scenario::write(engine.scenario());
        let again = concord_core::load(&written, "written.toml").unwrap();
        let value = |e: &Engine| e.scenario().facts.iter().find(|f| f.id == "precise").map(|f| f.value.clone());
        assert_eq!(value(&again), value(&engine), "the written scenario reads back another number");
        assert!(matches!(value(&engine), Some(Value::Decimal(_))));
    }
);

fuzzed!(
    /// `scenario`: a 400-byte scenario with one vote dated 4050 and a position that reads the
    /// date took seconds to load (27 s for the fuzzer's input, 5 s for this one, in a release
    /// build): checking the vote's timing walks every day from the proposal's circulation to the
    /// vote, evaluating the position each day (`Engine::new` → `checks::vote_timing` →
    /// `decided_before` → `timing::when` → `first_adoption` → `ballot`). Loading must not
    /// take time in proportion to a date's distance.
    r11_fuzz_scenario_far_future_vote,
    Duration::from_secs(20),
    {
        let text = format!(
            "{SMALL}{}",
            r#"
[[position]]
id = "b-dated"
member = "B"
source = "B's statement"
policy = '''
forbid (principal, action, resource) when { context.date like "2*" };
'''

[[vote]]
proposal = "p"
member = "A"
stance = "consent"
at = 4050-06-01
"#
        );
        let start = Instant::now();
        let _ = concord_core::load(&text, "far.toml");
        assert!(start.elapsed() < Duration::from_secs(5), "loading took {:?}", start.elapsed());
    }
);
