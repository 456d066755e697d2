//! Helpers shared by the integration tests: running the built `concord` binary the way a script
//! would (no colour, plain one-line errors), reading its output, and scenario files in temporary
//! directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The example scenario, relative to the package root (the directory the binary runs in).
pub(crate) const EXAMPLE: &str = "examples/nato-2025.toml";

/// The example of a body deciding by qualified majority: the Council of the European Union.
pub(crate) const EU_COUNCIL: &str = "examples/eu-council.toml";

/// The example of a body deciding with vetoes: the UN Security Council.
pub(crate) const UNSC: &str = "examples/un-security-council.toml";

/// The EU Council under CFSP unanimity with constructive abstention (2022 and 2024).
pub(crate) const EU_CFSP: &str = "examples/eu-cfsp.toml";

/// NATO enlargement under unanimity: Finland's and Sweden's accession protocols (2022-24).
pub(crate) const NATO_ENLARGEMENT: &str = "examples/nato-enlargement-2022.toml";

/// The OSCE in 2023: the 2024 Chairpersonship, the four top posts and the Unified Budget.
pub(crate) const OSCE_2023: &str = "examples/osce-2023.toml";

/// The package root: the working directory of every run.
pub(crate) fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The text of the example scenario.
pub(crate) fn example_text() -> String {
    read(EXAMPLE)
}

/// The text of a file, relative to the package root.
#[track_caller]
pub(crate) fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("read `{path}`: {e}"))
}

/// `(id, population)` of every member of the EU example, in the file's order, read from its text
/// (independently of concord's reader).
pub(crate) fn eu_populations() -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut id = None;
    for line in read(EU_COUNCIL).lines() {
        if let Some(rest) = line.strip_prefix("id = \"") {
            id = Some(rest.trim_end_matches('"').to_owned());
        }
        if let Some(rest) = line.strip_prefix("weights = { population = ") {
            let population = rest.trim_end_matches(" }").parse().unwrap();
            out.push((id.take().unwrap(), population));
        }
    }
    assert_eq!(out.len(), 27);
    out
}

/// What one run of the binary did.
#[derive(Debug)]
pub(crate) struct Run {
    /// The arguments, for messages.
    pub(crate) args: Vec<String>,
    /// The exit code (None when killed by a signal).
    pub(crate) code: Option<i32>,
    /// Standard output.
    pub(crate) stdout: String,
    /// Standard error.
    pub(crate) stderr: String,
}

impl Run {
    /// Asserts exit status 0 and an empty standard error; returns the run.
    #[track_caller]
    pub(crate) fn success(self) -> Run {
        assert_eq!(self.code, Some(0), "`concord {}` failed:\n--- stderr\n{}", self.args.join(" "), self.stderr);
        assert!(self.stderr.is_empty(), "`concord {}` wrote to stderr:\n{}", self.args.join(" "), self.stderr);
        self
    }

    /// Asserts a non-zero exit (not a signal), no panic and nothing on standard output; returns
    /// the run.
    #[track_caller]
    pub(crate) fn failure(self) -> Run {
        self.assert_no_panic();
        assert!(
            matches!(self.code, Some(c) if c != 0),
            "`concord {}` should fail, exited with {:?}\n--- stdout\n{}",
            self.args.join(" "),
            self.code,
            self.stdout
        );
        assert!(self.stdout.is_empty(), "`concord {}` failed but printed:\n{}", self.args.join(" "), self.stdout);
        assert!(!self.stderr.trim().is_empty(), "`concord {}` failed without a message", self.args.join(" "));
        self
    }

    /// Asserts that the process did not panic and was not killed by a signal.
    #[track_caller]
    pub(crate) fn assert_no_panic(&self) {
        assert!(!self.stderr.contains("panicked"), "`concord {}` panicked:\n{}", self.args.join(" "), self.stderr);
        assert!(self.code.is_some(), "`concord {}` was killed by a signal:\n{}", self.args.join(" "), self.stderr);
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`concord {}` did not print JSON ({e}):\n{}", self.args.join(" "), self.stdout))
    }
}

/// The command, ready to run in the package root with colour off and plain errors.
pub(crate) fn command<S: AsRef<str>>(args: &[S]) -> Command {
    command_of(Path::new(env!("CARGO_BIN_EXE_concord")), args)
}

/// [`command`] for another program.
fn command_of<S: AsRef<str>>(program: &Path, args: &[S]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args.iter().map(AsRef::as_ref))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("CONCORD_ERROR_FORMAT", "plain")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null());
    cmd
}

/// Runs `concord ARGS…` and collects what it did.
pub(crate) fn concord<S: AsRef<str>>(args: &[S]) -> Run {
    collect(args, command(args))
}

/// Runs a command and collects what it did.
fn collect<S: AsRef<str>>(args: &[S], mut command: Command) -> Run {
    let output = command.output().expect("run the concord binary");
    Run {
        args: args.iter().map(|a| a.as_ref().to_owned()).collect(),
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A scenario file in its own temporary directory, removed on drop.
#[derive(Debug)]
pub(crate) struct TempScenario {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl TempScenario {
    /// The file's path, as a string to pass on the command line.
    pub(crate) fn path(&self) -> &str {
        self.path.to_str().expect("temporary paths are UTF-8")
    }
}

/// Writes `text` to `scenario.toml` in a new temporary directory.
pub(crate) fn scenario_file(text: &str) -> TempScenario {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, text).expect("write the scenario");
    TempScenario { _dir: dir, path }
}

/// `text` with `from` replaced by `to`, asserting that `from` occurs exactly once.
#[track_caller]
pub(crate) fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` should occur exactly once");
    text.replacen(from, to, 1)
}

/// The 1-based line on which `needle` first occurs in `text`.
#[track_caller]
pub(crate) fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not found"));
    text[..at].matches('\n').count() + 1
}

/// The decision on `proposal` in a `decide --format json` report.
#[track_caller]
pub(crate) fn decision<'a>(report: &'a serde_json::Value, proposal: &str) -> &'a serde_json::Value {
    report["decisions"]
        .as_array()
        .expect("`decisions` is an array")
        .iter()
        .find(|d| d["proposal"] == proposal)
        .unwrap_or_else(|| panic!("no decision on `{proposal}` in {report:#}"))
}

/// `(proposal, outcome)` of every decision in a `decide --format json` report, in order.
pub(crate) fn outcomes(report: &serde_json::Value) -> Vec<(String, String)> {
    report["decisions"]
        .as_array()
        .expect("`decisions` is an array")
        .iter()
        .map(|d| {
            (
                d["proposal"].as_str().expect("proposal id").to_owned(),
                d["outcome"].as_str().expect("outcome").to_owned(),
            )
        })
        .collect()
}

/// Today's date in UTC, as the command line's clock reads it.
pub(crate) fn today() -> concord_core::Date {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("a clock after 1970").as_secs();
    concord_core::Date::from_days_since_epoch(i64::try_from(secs / 86_400).expect("days fit")).expect("a date")
}

/// The program under test: the built `concord`, or the one named by `CONCORD_TEST_BIN` (to check
/// that a regression test fails on an earlier build, e.g. `CONCORD_TEST_BIN=/tmp/concord-old`).
/// Only the regression tests of `finality` and `legacy` run through it.
pub(crate) fn program() -> PathBuf {
    std::env::var_os("CONCORD_TEST_BIN").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_concord")), PathBuf::from)
}

/// Runs `program() ARGS…` as [`concord`] runs the built binary.
pub(crate) fn concord_program<S: AsRef<str>>(args: &[S]) -> Run {
    collect(args, command_of(&program(), args))
}

/// [`command`] for `program()`: the program under test, ready to spawn.
pub(crate) fn program_command<S: AsRef<str>>(args: &[S]) -> Command {
    command_of(&program(), args)
}

/// Held by the tests that load the whole machine (the attacks of `resilience.rs`, a browser):
/// within a test binary they run one at a time, so that a timing one measures the server under
/// its own attack and not under another test's on the same two cores.
pub(crate) fn machine_to_myself() -> std::sync::MutexGuard<'static, ()> {
    static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    HEAVY.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Raises this process's limit on open files to at least `at_least` (up to its hard limit, with
/// util-linux's `prlimit`), for tests that open thousands of sockets; returns the soft limit in
/// force after.
#[allow(dead_code, reason = "used by the attacks of tests/attacks.rs only")]
pub(crate) fn raise_open_files(at_least: u64) -> u64 {
    let read = |column: usize| -> Option<u64> {
        let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
        let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
        line.split_whitespace().nth(column).and_then(|v| v.parse().ok())
    };
    let soft = read(3).unwrap_or(u64::MAX);
    if soft >= at_least {
        return soft;
    }
    let hard = read(4).unwrap_or(at_least);
    let wanted = at_least.min(hard);
    let _ = Command::new("prlimit")
        .args([format!("--pid={}", std::process::id()), format!("--nofile={wanted}:{hard}")])
        .status();
    read(3).unwrap_or(soft)
}
