//! `concord what-if SCENARIO --set FACT=VALUE…`: the proposals whose outcome changes.

use std::path::{Path, PathBuf};

use concord_core::{Date, Value};

use super::TableFormat;
use crate::diagnostics::Failure;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The scenario file (TOML); not with `--db`.
    scenario: Option<PathBuf>,
    /// A fact to set: in the world compared, it had this value throughout (repeatable, at least
    /// one).
    #[arg(long = "set", value_name = "FACT=VALUE", value_parser = super::parse_set, required = true)]
    set: Vec<(String, Value)>,
    /// Evaluation date (YYYY-MM-DD); default: the scenario's `as_of`.
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TableFormat,
}

pub(crate) fn run(args: Args, db: Option<&Path>) -> Result<(), Failure> {
    let source = super::source(db, args.scenario.as_deref())?;
    let at = match args.at {
        Some(at) => at,
        None => source.default_date()?,
    };
    let before = source.engine()?.evaluate(at, &[])?;
    let after = before.what_if(&args.set)?;
    let changes = before.changes(&after);
    let report = after.what_if_report(&args.set, &changes);
    match args.format {
        TableFormat::Json => super::print_json(&report),
        TableFormat::Table => crate::render::what_if(&report),
    }
}
