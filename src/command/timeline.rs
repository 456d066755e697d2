//! The store's record read back (`concord --db FILE …`): a proposal's history, replays of the
//! recorded decisions, and the state exported as a scenario file.

use std::io::Write as _;
use std::path::Path;

use concord_core::Date;
use concord_store::{Store, timeline};

use super::TextFormat;
use super::store::need_db;
use crate::diagnostics::Failure;

/// `history PROPOSAL`.
#[derive(Debug, clap::Args)]
pub(crate) struct HistoryArgs {
    /// The proposal's id.
    proposal: String,
    /// The last date to look at; default: the store's current date.
    #[arg(long, value_parser = super::parse_date)]
    until: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextFormat,
}

pub(crate) fn history(args: HistoryArgs, db: Option<&Path>) -> Result<(), Failure> {
    let store = Store::open(need_db(db)?)?;
    let until = args.until.unwrap_or_else(|| store.state().default_date());
    let entries = store.entries_about(&args.proposal)?;
    let Some(history) = timeline::history(store.engine()?, &args.proposal, until, entries) else {
        return Err(Failure::Message(format!("no proposal `{}` in the store", args.proposal)));
    };
    match args.format {
        TextFormat::Json => super::print_json(&history),
        TextFormat::Text => crate::render::history(&history),
    }
}

/// `replay`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReplayArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TextFormat,
}

pub(crate) fn replay(args: ReplayArgs, db: Option<&Path>) -> Result<(), Failure> {
    let store = Store::open(need_db(db)?)?;
    let entries = store.read_entries(0)?;
    let replayed = timeline::replay(&entries, store.strictness()).map_err(|e| Failure::Message(e.to_string()))?;
    let differing = replayed.iter().filter(|r| !r.same).count();
    match args.format {
        TextFormat::Json => super::print_json(&serde_json::json!({
            "decisions": replayed.len(), "differing": differing, "replayed": replayed,
        }))?,
        TextFormat::Text => {
            let mut out = std::io::stdout().lock();
            for r in &replayed {
                let verdict = r.difference.as_deref().unwrap_or("same");
                writeln!(
                    out,
                    "entry {:>4}  {:<32} on {}  {:<9} {verdict}",
                    r.entry,
                    r.proposal,
                    r.on,
                    r.recorded.as_str()
                )?;
            }
            let n = replayed.len();
            writeln!(out, "{n} recorded decision{} replayed, {differing} differ", if n == 1 { "" } else { "s" })?;
        }
    }
    if differing > 0 {
        let s = if differing == 1 { "" } else { "s" };
        return Err(Failure::Message(format!("{differing} recorded decision{s} differ when computed again")));
    }
    Ok(())
}

/// `export`.
pub(crate) fn export(db: Option<&Path>) -> Result<(), Failure> {
    let store = Store::open(need_db(db)?)?;
    let mut scenario = store.engine()?.scenario().clone();
    scenario.as_of = Some(store.state().default_date());
    let checkpoint = store.latest_checkpoint()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "# Exported from the concord store {}", store.path().display())?;
    writeln!(out, "# {} ledger entries, root {}", checkpoint.tree_size, checkpoint.root)?;
    writeln!(out, "# Decisions taken in the store are the [[decision]] records below (source: ledger entry N).")?;
    writeln!(out)?;
    write!(out, "{}", concord_core::scenario::write(&scenario))?;
    out.flush()?;
    Ok(())
}
