//! `concord explain SCENARIO PROPOSAL`: one proposal with the full chain of reasons.

use std::path::PathBuf;

use concord_core::{Date, Value};

use super::TextFormat;
use crate::diagnostics::Failure;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// The proposal's id.
    proposal: String,
    /// Evaluation date (YYYY-MM-DD); default: the scenario's `as_of`.
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
    /// Set a fact for this run only (repeatable).
    #[arg(long = "set", value_name = "FACT=VALUE", value_parser = super::parse_set)]
    set: Vec<(String, Value)>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextFormat,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let engine = super::load(&args.scenario)?;
    let Some(index) = engine.proposal_index(&args.proposal) else {
        return Err(Failure::Message(format!("no proposal `{}` in `{}`", args.proposal, args.scenario.display())));
    };
    let at = args.at.unwrap_or_else(|| engine.as_of());
    let evaluation = engine.evaluate(at, &args.set)?;
    let Some(report) = evaluation.explain(index) else {
        let circulated = engine.scenario().proposals.get(index).and_then(|p| p.circulated);
        let when = circulated.map_or_else(String::new, |c| format!(" (circulated {c})"));
        return Err(Failure::Message(format!(
            "proposal `{}` is not before its committee on {at}{when}",
            args.proposal
        )));
    };
    match args.format {
        TextFormat::Json => super::print_json(&report),
        TextFormat::Text => crate::render::explanation(&report),
    }
}
