//! `concord decide SCENARIO` (or `concord --db FILE decide`): every proposal's outcome on a date,
//! as a table or JSON.

use std::path::{Path, PathBuf};

use concord_core::{Date, Value};

use super::TableFormat;
use crate::diagnostics::Failure;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The scenario file (TOML); not with `--db`.
    scenario: Option<PathBuf>,
    /// Evaluation date (YYYY-MM-DD); default: the scenario's `as_of` (a store's: its last entry's date).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
    /// Decide in a world where a fact had this value throughout, for this run only (repeatable).
    #[arg(long = "set", value_name = "FACT=VALUE", value_parser = super::parse_set)]
    set: Vec<(String, Value)>,
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
    let evaluation = source.engine()?.evaluate(at, &args.set)?;
    let report = evaluation.report();
    match args.format {
        TableFormat::Json => super::print_json(&report),
        TableFormat::Table => crate::render::decisions(&report, &args.set),
    }
}
