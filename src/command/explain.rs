//! `concord explain SCENARIO PROPOSAL`: one proposal with the full chain of reasons.

use std::path::Path;

use concord_core::{Date, Value};

use super::TextFormat;
use crate::diagnostics::Failure;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The scenario file (TOML), then the proposal's id; with `--db`, the proposal's id alone.
    #[arg(value_name = "[SCENARIO] PROPOSAL", num_args = 1..=2, required = true)]
    targets: Vec<String>,
    /// Evaluation date (YYYY-MM-DD); default: the scenario's `as_of`.
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
    /// Explain in a world where a fact had this value throughout, for this run only (repeatable).
    #[arg(long = "set", value_name = "FACT=VALUE", value_parser = super::parse_set)]
    set: Vec<(String, Value)>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextFormat,
}

pub(crate) fn run(args: Args, db: Option<&Path>) -> Result<(), Failure> {
    let (source, index) = super::one_proposal(&args.targets, db)?;
    let engine = source.engine()?;
    let at = source.date(args.at)?;
    let evaluation = engine.evaluate(at, &args.set)?;
    let Some(report) = evaluation.explain(index) else {
        let proposal = engine.scenario().proposals.get(index);
        let circulated = proposal.and_then(|p| p.circulated);
        let proposal = proposal.map_or("", |p| p.id.as_str());
        let when = circulated.map_or_else(String::new, |c| format!(" (circulated {c})"));
        return Err(Failure::Message(format!("proposal `{proposal}` is not before its committee on {at}{when}")));
    };
    match args.format {
        TextFormat::Json => super::print_json(&report),
        TextFormat::Text => crate::render::explanation(&report),
    }
}
