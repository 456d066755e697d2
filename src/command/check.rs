//! `concord check SCENARIO`: validate, and say what the scenario holds.

use std::path::PathBuf;

use crate::diagnostics::Failure;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    use std::io::Write;
    let engine = super::load(&args.scenario)?;
    let s = engine.scenario();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: ok: scenario `{}` as of {}: {} members, {} committees, {} partners, {} proposals, {} positions, {} fact observations, {} votes",
        args.scenario.display(),
        s.id,
        engine.as_of(),
        s.members.len(),
        s.committees.len(),
        s.partners.len(),
        s.proposals.len(),
        s.positions.len(),
        s.facts.len(),
        s.votes.len()
    )?;
    Ok(())
}
