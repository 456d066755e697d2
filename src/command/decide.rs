//! `concord decide SCENARIO`: every proposal's outcome on a date, as a table or JSON.

use std::path::PathBuf;

use concord_core::{Date, Value};

use super::TableFormat;
use crate::diagnostics::Failure;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Evaluation date (YYYY-MM-DD); default: the scenario's `as_of`.
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
    /// Set a fact for this run only, as an observation on the evaluation date (repeatable).
    #[arg(long = "set", value_name = "FACT=VALUE", value_parser = super::parse_set)]
    set: Vec<(String, Value)>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TableFormat,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let engine = super::load(&args.scenario)?;
    let at = args.at.unwrap_or_else(|| engine.as_of());
    let evaluation = engine.evaluate(at, &args.set)?;
    let report = evaluation.report();
    match args.format {
        TableFormat::Json => super::print_json(&report),
        TableFormat::Table => crate::render::decisions(&report, &args.set),
    }
}
