//! `concord unblock SCENARIO PROPOSAL` and `concord levers SCENARIO` (contract §7): what it would
//! take to adopt a proposal, and the single changes that would adopt the most of a programme.

use std::path::{Path, PathBuf};

use concord_core::Date;

use super::{TableFormat, TextFormat};
use crate::diagnostics::Failure;

/// The most changes a way may have: the search grows with the number of candidate changes to
/// this power, so a larger `--max` could stall on a large programme.
pub(crate) const MAX_CHANGES: usize = 6;

#[derive(Debug, clap::Args)]
pub(crate) struct UnblockArgs {
    /// The scenario file (TOML), then the proposal's id; with `--db`, the proposal's id alone.
    #[arg(value_name = "[SCENARIO] PROPOSAL", num_args = 1..=2, required = true)]
    targets: Vec<String>,
    /// Evaluation date (YYYY-MM-DD); default: the scenario's `as_of` (a store's current date).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
    /// The most changes in a way (1 to 6).
    #[arg(long, default_value_t = 3, value_parser = parse_max)]
    max: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextFormat,
}

#[derive(Debug, clap::Args)]
pub(crate) struct LeversArgs {
    /// The scenario file (TOML); not with `--db`.
    scenario: Option<PathBuf>,
    /// Evaluation date (YYYY-MM-DD); default: the scenario's `as_of` (a store's current date).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TableFormat,
}

fn parse_max(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_CHANGES).contains(&n) => Ok(n),
        _ => Err(format!("expected a number of changes from 1 to {MAX_CHANGES}, found `{text}`")),
    }
}

pub(crate) fn unblock(args: UnblockArgs, db: Option<&Path>) -> Result<(), Failure> {
    let (source, index) = super::one_proposal(&args.targets, db)?;
    let engine = source.engine()?;
    let at = source.date(args.at)?;
    let found = engine.unblock(index, at, args.max).map_err(|e| Failure::Message(e.to_string()))?;
    let report = engine.unblock_report(&found, args.max);
    match args.format {
        TextFormat::Json => super::print_json(&report),
        TextFormat::Text => crate::render::unblock(&report),
    }
}

pub(crate) fn levers(args: LeversArgs, db: Option<&Path>) -> Result<(), Failure> {
    let source = super::source(db, args.scenario.as_deref())?;
    let engine = source.engine()?;
    let at = source.date(args.at)?;
    let report = engine.levers_report(&engine.levers(at));
    match args.format {
        TableFormat::Json => super::print_json(&report),
        TableFormat::Table => crate::render::levers(&report),
    }
}
