//! One module per subcommand, and what they share: reading a scenario and parsing `--set`.

pub(crate) mod check;
pub(crate) mod decide;
pub(crate) mod explain;
pub(crate) mod gen_scenario;
pub(crate) mod power;
pub(crate) mod what_if;

use std::path::Path;

use concord_core::{Date, Engine, Value};

use crate::diagnostics::Failure;

/// Reads and loads a scenario file.
pub(crate) fn load(path: &Path) -> Result<Engine, Failure> {
    let src = std::fs::read_to_string(path)
        .map_err(|e| Failure::Message(format!("cannot read `{}`: {e}", path.display())))?;
    Ok(concord_core::load(&src, &path.display().to_string())?)
}

/// Parses a `--at` date.
pub(crate) fn parse_date(text: &str) -> Result<Date, String> {
    text.parse().map_err(|e: concord_core::DateError| e.to_string())
}

/// Parses `FACT=VALUE`: a boolean, then a number, else a string.
pub(crate) fn parse_set(text: &str) -> Result<(String, Value), String> {
    let Some((fact, value)) = text.split_once('=') else {
        return Err(format!("expected FACT=VALUE, found `{text}`"));
    };
    if !concord_core::is_valid_id(fact) {
        return Err(format!("`{fact}` is not a valid fact id: use letters, digits, `_`, `.` and `-`"));
    }
    Ok((fact.to_owned(), Value::parse_loose(value)))
}

/// Output formats of `decide` and `what-if`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum TableFormat {
    /// A table for people.
    #[default]
    Table,
    /// The documented JSON.
    Json,
}

/// Output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum TextFormat {
    /// A tree of reasons for people.
    #[default]
    Text,
    /// The documented JSON.
    Json,
}

/// Prints JSON followed by a newline.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| match e.io_error_kind() {
        Some(std::io::ErrorKind::BrokenPipe) => Failure::BrokenPipe,
        _ => Failure::Message(format!("cannot write JSON: {e}")),
    })?;
    writeln!(out)?;
    Ok(())
}
