//! The store's commands (`concord --db FILE …`): create it, record votes, facts, proposals and
//! positions, close proposals, let deadlines pass, and read back histories, replays and exports.
//!
//! Every write prints one acknowledgement line after its transaction is on disk, and changes
//! nothing when it fails.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use concord_core::{Date, Value};
use concord_store::record::{Change, FactRecord, PositionRecord, ProposalRecord, Trigger, ValueRecord, VoteRecord};
use concord_store::timeline;
use concord_store::{Receipt, Store};

use super::TextFormat;
use crate::diagnostics::Failure;

fn need_db(db: Option<&Path>) -> Result<&Path, Failure> {
    db.ok_or_else(|| Failure::Message("this command works on a store: give `--db FILE`".to_owned()))
}

fn acknowledge(what: &str, receipt: &Receipt) -> Result<(), Failure> {
    let entries = if receipt.entries.end - receipt.entries.start == 1 {
        format!("entry {}", receipt.entries.start)
    } else {
        format!("entries {}–{}", receipt.entries.start, receipt.entries.end.saturating_sub(1))
    };
    let cp = &receipt.checkpoint;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{what}: {entries}; ledger size {}, root {}", cp.tree_size, cp.root)?;
    out.flush()?;
    Ok(())
}

/// `init SCENARIO`.
#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    /// The scenario file to start from.
    scenario: PathBuf,
    /// The date of the init entry; default: the scenario's `as_of`.
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
}

pub(crate) fn init(args: InitArgs, db: Option<&Path>) -> Result<(), Failure> {
    let db = need_db(db)?;
    let origin = args.scenario.display().to_string();
    let text = std::fs::read_to_string(&args.scenario)
        .map_err(|e| Failure::Message(format!("cannot read `{origin}`: {e}")))?;
    let at = match args.at {
        Some(at) => at,
        None => concord_core::load(&text, &origin)?.as_of(),
    };
    let (store, receipt) = Store::create(db, &origin, &text, at, super::now())?;
    let s = &store.state().scenario;
    acknowledge(
        &format!(
            "created {} from {origin} ({} members, {} proposals, {} positions); keys {} (private, mode 0600) and {}",
            db.display(),
            s.members.len(),
            s.proposals.len(),
            s.positions.len(),
            concord_store::key_path(db).display(),
            concord_store::public_key_path(db).display()
        ),
        &receipt,
    )
}

/// `vote PROPOSAL MEMBER STANCE`.
#[derive(Debug, clap::Args)]
pub(crate) struct VoteArgs {
    /// The proposal's id.
    proposal: String,
    /// The member's id.
    member: String,
    /// `consent`, `object` or `abstain`.
    stance: String,
    /// Why; required to object.
    #[arg(long)]
    reason: Option<String>,
    /// The date of the stance; default: today (UTC).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
}

pub(crate) fn vote(args: VoteArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut store = Store::open(need_db(db)?)?;
    let what = format!("{} {} on {}", args.member, args.stance, args.proposal);
    let change = Change::Vote(VoteRecord {
        proposal: args.proposal,
        member: args.member,
        stance: args.stance,
        reason: args.reason,
    });
    let receipt = store.record(vec![(args.at.unwrap_or_else(super::today), change)], super::now())?;
    acknowledge(&format!("recorded {what}"), &receipt)
}

/// `fact FACT VALUE --source TEXT`.
#[derive(Debug, clap::Args)]
pub(crate) struct FactArgs {
    /// The fact's id.
    fact: String,
    /// Its value: `true`/`false`, a number, else a string.
    #[arg(allow_hyphen_values = true)]
    value: String,
    /// Where the observation comes from.
    #[arg(long)]
    source: String,
    /// The observation holds from this date; default: `--at`.
    #[arg(long, value_parser = super::parse_date)]
    as_of: Option<Date>,
    /// After this date the observation no longer holds.
    #[arg(long, value_parser = super::parse_date)]
    valid_until: Option<Date>,
    /// The date it is recorded; default: `--as-of` (or the last entry's date, if later), else
    /// today (UTC).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
}

pub(crate) fn fact(args: FactArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut store = Store::open(need_db(db)?)?;
    // An observation dated in the past is recorded now: on `--as-of` if the ledger has not gone
    // past it, else on the ledger's last date (never before it).
    let at = match (args.at, args.as_of) {
        (Some(at), _) => at,
        (None, Some(as_of)) => store.state().last_at.map_or(as_of, |last| last.max(as_of)),
        (None, None) => super::today(),
    };
    let value = Value::parse_loose(&args.value);
    let what = format!("recorded {} = {value}", args.fact);
    let change = Change::Fact(FactRecord {
        id: args.fact,
        value: ValueRecord::from(&value),
        as_of: args.as_of.unwrap_or(at),
        source: args.source,
        valid_until: args.valid_until,
    });
    let receipt = store.record(vec![(at, change)], super::now())?;
    acknowledge(&what, &receipt)
}

/// `proposal ID --committee C --kind K …`.
#[derive(Debug, clap::Args)]
pub(crate) struct ProposalArgs {
    /// The proposal's id.
    id: String,
    /// The committee that decides it.
    #[arg(long)]
    committee: String,
    /// A free tag such as `exercise`.
    #[arg(long)]
    kind: String,
    /// `new` or `continuing` engagement.
    #[arg(long, default_value = "new")]
    engagement: String,
    /// A partner taking part (repeatable).
    #[arg(long = "partner")]
    partners: Vec<String>,
    /// A human title.
    #[arg(long)]
    title: Option<String>,
    /// The silence procedure's deadline: adopted then unless a member breaks silence.
    #[arg(long, value_parser = super::parse_date)]
    deadline: Option<Date>,
    /// A free attribute KEY=VALUE (repeatable).
    #[arg(long = "attr", value_name = "KEY=VALUE", value_parser = super::parse_set)]
    attributes: Vec<(String, Value)>,
    /// The circulation date; default: today (UTC).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
}

pub(crate) fn proposal(args: ProposalArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut store = Store::open(need_db(db)?)?;
    let at = args.at.unwrap_or_else(super::today);
    let what = match args.deadline {
        Some(d) => format!("circulated {} to {} under silence until {d}", args.id, args.committee),
        None => format!("circulated {} to {}", args.id, args.committee),
    };
    let attributes: BTreeMap<String, ValueRecord> =
        args.attributes.iter().map(|(k, v)| (k.clone(), ValueRecord::from(v))).collect();
    let change = Change::Proposal(ProposalRecord {
        id: args.id,
        title: args.title,
        committee: args.committee,
        kind: args.kind,
        partners: args.partners,
        engagement: args.engagement,
        circulated: Some(at),
        deadline: args.deadline,
        attributes,
    });
    let receipt = store.record(vec![(at, change)], super::now())?;
    acknowledge(&what, &receipt)
}

/// `position add|withdraw`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum PositionCommand {
    /// Declare a member's standing position (Cedar `forbid` policies).
    Add {
        /// The position's id.
        id: String,
        /// The member holding it.
        #[arg(long)]
        member: String,
        /// Where it was declared.
        #[arg(long)]
        source: String,
        /// The policy text.
        #[arg(long, conflicts_with = "policy_file", required_unless_present = "policy_file")]
        policy: Option<String>,
        /// A file holding the policy text.
        #[arg(long)]
        policy_file: Option<PathBuf>,
        /// In force from this date; default: `--at`.
        #[arg(long, value_parser = super::parse_date)]
        since: Option<Date>,
        /// The date it is recorded; default: today (UTC).
        #[arg(long, value_parser = super::parse_date)]
        at: Option<Date>,
    },
    /// Withdraw a position: not in force from `--at` on.
    Withdraw {
        /// The position's id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
        /// The date of withdrawal; default: today (UTC).
        #[arg(long, value_parser = super::parse_date)]
        at: Option<Date>,
    },
}

pub(crate) fn position(command: PositionCommand, db: Option<&Path>) -> Result<(), Failure> {
    let mut store = Store::open(need_db(db)?)?;
    let (at, change, what) = match command {
        PositionCommand::Add { id, member, source, policy, policy_file, since, at } => {
            let policy = match (policy, policy_file) {
                (Some(text), _) => text,
                (None, Some(path)) => std::fs::read_to_string(&path)
                    .map_err(|e| Failure::Message(format!("cannot read `{}`: {e}", path.display())))?,
                (None, None) => {
                    return Err(Failure::Message("give `--policy TEXT` or `--policy-file FILE`".to_owned()));
                }
            };
            let what = format!("declared {member}'s position {id}");
            (at, Change::Position(PositionRecord { id, member, since, source, policy }), what)
        }
        PositionCommand::Withdraw { id, reason, at } => {
            let what = format!("withdrew position {id}");
            (at, Change::Withdraw { position: id, reason }, what)
        }
    };
    let receipt = store.record(vec![(at.unwrap_or_else(super::today), change)], super::now())?;
    acknowledge(&what, &receipt)
}

/// `close PROPOSAL`.
#[derive(Debug, clap::Args)]
pub(crate) struct CloseArgs {
    /// The proposal's id.
    proposal: String,
    /// The secretariat's note.
    #[arg(long)]
    reason: Option<String>,
    /// The date of closing, on which the outcome is computed; default: today (UTC).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
}

pub(crate) fn close(args: CloseArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut store = Store::open(need_db(db)?)?;
    let at = args.at.unwrap_or_else(super::today);
    if let Some(d) = store.state().decided.get(&args.proposal) {
        return Err(Failure::Message(format!(
            "proposal `{}` was already decided ({}) on {} in entry {}",
            args.proposal, d.recorded.outcome, d.recorded.on, d.entry
        )));
    }
    let engine = store.engine()?;
    let recorded = timeline::decide(store.state(), &engine, &args.proposal, at, Trigger::Close, args.reason)
        .map_err(|e| Failure::Message(e.to_string()))?;
    let what = format!("closed {}: {} on {at}", args.proposal, recorded.outcome);
    let receipt = store.record(vec![(at, Change::Decision(recorded))], super::now())?;
    acknowledge(&what, &receipt)
}

/// `tick --now DATE`.
#[derive(Debug, clap::Args)]
pub(crate) struct TickArgs {
    /// The clock's date; default: today (UTC).
    #[arg(long, value_parser = super::parse_date)]
    now: Option<Date>,
}

pub(crate) fn tick(args: TickArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut store = Store::open(need_db(db)?)?;
    let now = args.now.unwrap_or_else(super::today);
    let due = timeline::due(store.state(), now).map_err(|e| Failure::Message(e.to_string()))?;
    if due.is_empty() {
        println!("no silence deadline has passed on {now} without a recorded decision");
        return Ok(());
    }
    let lines: Vec<String> =
        due.iter().map(|d| format!("  {}: {} on its deadline {}", d.proposal, d.outcome, d.on)).collect();
    let receipt = store.record(due.into_iter().map(|d| (now, Change::Decision(d))).collect(), super::now())?;
    acknowledge(&format!("recorded {} decision(s) on {now}", lines.len()), &receipt)?;
    println!("{}", lines.join("\n"));
    Ok(())
}

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
    if store.state().proposal(&args.proposal).is_none() {
        return Err(Failure::Message(format!("no proposal `{}` in the store", args.proposal)));
    }
    let until = args.until.unwrap_or_else(|| store.state().default_date());
    let entries = store.entries_about(&args.proposal)?;
    let engine = store.engine()?;
    let decision = store.state().decided.get(&args.proposal).map(|d| &d.recorded);
    let history = timeline::history(&engine, decision, &args.proposal, until, entries)
        .map_err(|e| Failure::Message(e.to_string()))?;
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
    let mut entries = Vec::new();
    store.for_each_entry(|seq, bytes| {
        let entry = concord_store::record::Entry::from_bytes(bytes)
            .map_err(|message| concord_store::StoreError::Corrupt { entry: seq, message })?;
        entries.push(entry);
        Ok(())
    })?;
    let replayed = timeline::replay(&entries).map_err(|e| Failure::Message(e.to_string()))?;
    let differing = replayed.iter().filter(|r| !r.same).count();
    match args.format {
        TextFormat::Json => super::print_json(&serde_json::json!({
            "decisions": replayed.len(), "differing": differing, "replayed": replayed,
        }))?,
        TextFormat::Text => {
            let mut out = std::io::stdout().lock();
            for r in &replayed {
                let verdict = r.difference.as_deref().unwrap_or("same");
                writeln!(out, "entry {:>4}  {:<32} on {}  {:<8} {verdict}", r.entry, r.proposal, r.on, r.recorded)?;
            }
            writeln!(out, "{} recorded decision(s) replayed, {differing} differ", replayed.len())?;
        }
    }
    if differing > 0 {
        return Err(Failure::Message(format!("{differing} recorded decision(s) differ when computed again")));
    }
    Ok(())
}

/// `export`.
pub(crate) fn export(db: Option<&Path>) -> Result<(), Failure> {
    let store = Store::open(need_db(db)?)?;
    let state = store.state();
    let mut scenario = state.scenario.clone();
    scenario.as_of = Some(state.default_date());
    let checkpoint = store.latest_checkpoint()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "# Exported from the concord store {}", store.path().display())?;
    writeln!(out, "# {} ledger entries, root {}", checkpoint.tree_size, checkpoint.root)?;
    let mut decided: Vec<_> = state.decided.values().collect();
    decided.sort_by_key(|d| d.entry);
    for d in decided {
        writeln!(
            out,
            "# {} was decided {} on {} (entry {}, {:?})",
            d.recorded.proposal, d.recorded.outcome, d.recorded.on, d.entry, d.recorded.trigger
        )?;
    }
    writeln!(out)?;
    write!(out, "{}", concord_core::scenario::write(&scenario))?;
    out.flush()?;
    Ok(())
}

/// `apply FILE`: one change per line, as JSON.
#[derive(Debug, clap::Args)]
pub(crate) struct ApplyArgs {
    /// A file of changes, one JSON object per line (`-` for standard input).
    file: PathBuf,
}

#[derive(serde::Deserialize)]
struct Line {
    at: Date,
    #[serde(flatten)]
    change: Change,
}

/// Records each line as its own durable write and prints `ok ENTRY` for each, so a caller knows
/// exactly which were acknowledged. Stops at the first line that fails.
pub(crate) fn apply(args: ApplyArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut store = Store::open(need_db(db)?)?;
    let name = args.file.display().to_string();
    let reader: Box<dyn BufRead> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(&args.file).map_err(|e| Failure::Message(format!("cannot read `{name}`: {e}")))?,
        ))
    };
    let mut out = std::io::stdout().lock();
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Failure::Message(format!("cannot read `{name}`: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line =
            serde_json::from_str(&line).map_err(|e| Failure::Message(format!("{name}:{}: {e}", n + 1)))?;
        if matches!(parsed.change, Change::Init { .. } | Change::Decision(_)) {
            return Err(Failure::Message(format!(
                "{name}:{}: `{}` entries are made by `init`, `tick` and `close`, not applied",
                n + 1,
                parsed.change.kind()
            )));
        }
        let receipt = store
            .record(vec![(parsed.at, parsed.change)], super::now())
            .map_err(|e| Failure::Message(format!("{name}:{}: {e}", n + 1)))?;
        writeln!(out, "ok {}", receipt.entries.start)?;
        out.flush()?;
    }
    Ok(())
}
