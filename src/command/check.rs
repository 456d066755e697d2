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
    use crate::render::count;
    let counts = [
        count(s.members.len(), "member", "members"),
        count(s.committees.len(), "committee", "committees"),
        count(s.partners.len(), "partner", "partners"),
        count(s.proposals.len(), "proposal", "proposals"),
        count(s.positions.len(), "position", "positions"),
        count(s.facts.len(), "fact observation", "fact observations"),
        count(s.votes.len(), "vote", "votes"),
    ];
    writeln!(
        out,
        "{}: ok: scenario `{}` as of {}: {}",
        args.scenario.display(),
        s.id,
        engine.as_of(),
        counts.join(", ")
    )?;
    Ok(())
}
