//! `concord gen`: a synthetic scenario at programme scale, the same for the same seed.

use std::io::Write;
use std::path::PathBuf;

use concord_core::synth::Shape;

use crate::diagnostics::Failure;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Seed: the same seed and sizes give the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Members.
    #[arg(long, default_value_t = 32)]
    members: usize,
    /// Partners.
    #[arg(long, default_value_t = 40)]
    partners: usize,
    /// Proposals.
    #[arg(long, default_value_t = 50_000)]
    proposals: usize,
    /// Positions.
    #[arg(long, default_value_t = 200)]
    positions: usize,
    /// Distinct facts read by positions.
    #[arg(long, default_value_t = 50)]
    facts: usize,
    /// Linked positions besides `--positions`: members following others, and package deals.
    #[arg(long, default_value_t = 0)]
    linked: usize,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let shape = Shape {
        members: args.members,
        partners: args.partners,
        proposals: args.proposals,
        positions: args.positions,
        facts: args.facts,
        linked: args.linked,
    };
    let text = concord_core::synth::generate(&shape, args.seed).map_err(Failure::Message)?;
    match args.output {
        Some(path) => {
            std::fs::write(&path, text).map_err(|e| Failure::Message(format!("cannot write `{}`: {e}", path.display())))
        }
        None => {
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(())
        }
    }
}
