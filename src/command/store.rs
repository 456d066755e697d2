//! The store's writes (`concord --db FILE …`): create it, record votes, facts, proposals and
//! positions, move deadlines, withdraw and close proposals, and let the clock record the
//! decisions that fell due.
//!
//! Every write prints one acknowledgement line after its transaction is on disk, and changes
//! nothing when it fails. A write is dated `--at` or today (UTC), never after today nor before the
//! store's last entry: the store checks it.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write as _};
use std::path::{Path, PathBuf};

use concord_core::change::{
    Change, ExtensionChange, FactChange, PositionChange, PositionWithdrawal, ProposalChange, ProposalWithdrawal,
    VoteChange,
};
use concord_core::{Attribute, Date, Engagement, Procedure, Value, VoteStance};
use concord_store::{Receipt, Store, Write};

use crate::diagnostics::Failure;

/// The most bytes of one line of `apply`: a change with a policy at its limit, its texts and
/// JSON's escapes fit many times over.
const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The next line (without its end), or none at the end; a line longer than [`MAX_LINE_BYTES`] is
/// refused before it is read whole.
fn read_line(reader: &mut dyn BufRead, name: &str, number: usize) -> Result<Option<String>, Failure> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    let read = reader
        .take(MAX_LINE_BYTES as u64 + 1)
        .read_until(b'\n', &mut bytes)
        .map_err(|e| Failure::Message(format!("cannot read `{name}`: {e}")))?;
    if read == 0 {
        return Ok(None);
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    } else if bytes.len() > MAX_LINE_BYTES {
        return Err(Failure::Message(format!("{name}:{number}: the line is longer than {MAX_LINE_BYTES} bytes")));
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    String::from_utf8(bytes).map(Some).map_err(|e| {
        Failure::Message(format!("{name}:{number}: not UTF-8 text (at byte {})", e.utf8_error().valid_up_to()))
    })
}

pub(crate) fn need_db(db: Option<&Path>) -> Result<&Path, Failure> {
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

/// Records one change on `at` (default: today) and acknowledges it.
fn record_one(db: Option<&Path>, at: Option<Date>, change: Change, what: &str) -> Result<(), Failure> {
    let mut store = Store::open(need_db(db)?)?;
    let receipt = store.record(vec![Write { at, change }], super::today(), super::now())?;
    acknowledge(what, &receipt)
}

/// Parses a stance: `consent`, `object`, `abstain` or `silent`.
fn parse_stance(text: &str) -> Result<VoteStance, String> {
    VoteStance::parse(text)
        .ok_or_else(|| format!("unknown stance `{text}`: expected `consent`, `object`, `abstain` or `silent`"))
}

fn parse_engagement(text: &str) -> Result<Engagement, String> {
    match text {
        "new" => Ok(Engagement::New),
        "continuing" => Ok(Engagement::Continuing),
        other => Err(format!("unknown engagement `{other}`: expected `new` or `continuing`")),
    }
}

fn parse_procedure(text: &str) -> Result<Procedure, String> {
    Procedure::parse(text).ok_or_else(|| format!("unknown procedure `{text}`: expected `silence` or `meeting`"))
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
    let text = super::read_scenario(&args.scenario)?;
    let (store, receipt) = Store::create(db, &origin, &text, args.at, super::today(), super::now())?;
    let s = store.engine()?.scenario();
    acknowledge(
        &format!(
            "created {} from {origin} ({}, {}, {}); keys {} (private, mode 0600) and {}",
            db.display(),
            crate::render::count(s.members.len(), "member", "members"),
            crate::render::count(s.proposals.len(), "proposal", "proposals"),
            crate::render::count(s.positions.len(), "position", "positions"),
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
    /// `consent`, `object`, `abstain`, or `silent` to take back an earlier stance.
    #[arg(value_parser = parse_stance)]
    stance: VoteStance,
    /// Why; required to object.
    #[arg(long)]
    reason: Option<String>,
    /// Where the stance is known from (a statement, a communiqué, a press report).
    #[arg(long)]
    source: Option<String>,
    /// An interpretative statement or reservation attached to the stance (any stance).
    #[arg(long)]
    statement: Option<String>,
    /// The date of the stance; default: today (UTC). A later stance of the same day replaces
    /// an earlier one.
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
}

pub(crate) fn vote(args: VoteArgs, db: Option<&Path>) -> Result<(), Failure> {
    let what = format!("recorded {} {} on {}", args.member, args.stance.as_str(), args.proposal);
    let change = Change::Vote(VoteChange {
        proposal: args.proposal,
        member: args.member,
        stance: args.stance,
        reason: args.reason,
        source: args.source,
        statement: args.statement,
    });
    record_one(db, args.at, change, &what)
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
    /// The observation holds from this date; default: the date it is recorded. An observation
    /// recorded after its `--as-of` counts from the day it is recorded: decisions taken before
    /// did not know it.
    #[arg(long, value_parser = super::parse_date)]
    as_of: Option<Date>,
    /// After this date the observation no longer holds.
    #[arg(long, value_parser = super::parse_date)]
    valid_until: Option<Date>,
    /// The date it is recorded; default: today (UTC).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
}

pub(crate) fn fact(args: FactArgs, db: Option<&Path>) -> Result<(), Failure> {
    let value = Value::parse_loose(&args.value);
    let what = format!("recorded {} = {value}", args.fact);
    let change = Change::Fact(FactChange {
        id: args.fact,
        value,
        as_of: args.as_of,
        source: args.source,
        valid_until: args.valid_until,
    });
    record_one(db, args.at, change, &what)
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
    #[arg(long, default_value = "new", value_parser = parse_engagement)]
    engagement: Engagement,
    /// A partner taking part (repeatable).
    #[arg(long = "partner")]
    partners: Vec<String>,
    /// A human title.
    #[arg(long)]
    title: Option<String>,
    /// The deadline: adopted then unless a member breaks silence (or the date of the meeting
    /// that decides, with `--procedure meeting`). Without one, the proposal is decided the first
    /// day its committee's rule adopts it.
    #[arg(long, value_parser = super::parse_date)]
    deadline: Option<Date>,
    /// What the deadline is: `silence` (the default with a deadline) or `meeting`.
    #[arg(long, value_parser = parse_procedure, requires = "deadline")]
    procedure: Option<Procedure>,
    /// A proposal this one revises: that one is withdrawn today, unless already decided.
    #[arg(long)]
    supersedes: Option<String>,
    /// A member concerned by the proposal, whose objection a consensus that disregards the
    /// members concerned does not count (repeatable).
    #[arg(long = "concerned", value_name = "MEMBER")]
    concerned: Vec<String>,
    /// A free attribute KEY=VALUE, or KEY=[A,B] for a list (repeatable).
    #[arg(long = "attr", value_name = "KEY=VALUE", value_parser = super::parse_attribute)]
    attributes: Vec<(String, Attribute)>,
    /// The circulation date; default: today (UTC).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
}

pub(crate) fn proposal(args: ProposalArgs, db: Option<&Path>) -> Result<(), Failure> {
    let what = match (args.deadline, args.procedure) {
        (Some(d), Some(Procedure::Meeting)) => {
            format!("circulated {} to {} for the meeting of {d}", args.id, args.committee)
        }
        (Some(d), _) => format!("circulated {} to {} under silence until {d}", args.id, args.committee),
        (None, _) => format!("circulated {} to {}", args.id, args.committee),
    };
    let attributes: BTreeMap<String, Attribute> = args.attributes.into_iter().collect();
    let change = Change::Proposal(ProposalChange {
        id: args.id,
        title: args.title,
        committee: args.committee,
        kind: args.kind,
        partners: args.partners,
        engagement: args.engagement,
        circulated: None,
        deadline: args.deadline,
        attributes,
        procedure: args.procedure,
        supersedes: args.supersedes,
        concerned: args.concerned,
    });
    record_one(db, args.at, change, &what)
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
    let (at, change, what) = match command {
        PositionCommand::Add { id, member, source, policy, policy_file, since, at } => {
            let policy = match (policy, policy_file) {
                (Some(text), _) => text,
                (None, Some(path)) => {
                    super::read_text(&path, concord_core::limits::MAX_POLICY_BYTES, "a position's policy")?
                }
                (None, None) => {
                    return Err(Failure::Message("give `--policy TEXT` or `--policy-file FILE`".to_owned()));
                }
            };
            let what = format!("declared {member}'s position {id}");
            (at, Change::Position(PositionChange { id, member, since, source, policy }), what)
        }
        PositionCommand::Withdraw { id, reason, at } => {
            let what = format!("withdrew position {id}");
            (at, Change::Withdraw(PositionWithdrawal { position: id, reason }), what)
        }
    };
    record_one(db, at, change, &what)
}

/// `extend PROPOSAL --deadline DATE`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExtendArgs {
    /// The proposal's id.
    proposal: String,
    /// The new deadline: earlier or later, never before the date of the extension.
    #[arg(long, value_parser = super::parse_date)]
    deadline: Date,
    /// Why.
    #[arg(long)]
    reason: Option<String>,
    /// The date the deadline is moved; default: today (UTC).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
}

pub(crate) fn extend(args: ExtendArgs, db: Option<&Path>) -> Result<(), Failure> {
    let what = format!("moved the deadline of {} to {}", args.proposal, args.deadline);
    let change =
        Change::Extend(ExtensionChange { proposal: args.proposal, deadline: args.deadline, reason: args.reason });
    record_one(db, args.at, change, &what)
}

/// `withdraw PROPOSAL --reason TEXT`.
#[derive(Debug, clap::Args)]
pub(crate) struct WithdrawArgs {
    /// The proposal's id.
    proposal: String,
    /// Why (required).
    #[arg(long)]
    reason: String,
    /// The date of the withdrawal; default: today (UTC).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
}

pub(crate) fn withdraw(args: WithdrawArgs, db: Option<&Path>) -> Result<(), Failure> {
    let what = format!("withdrew {}", args.proposal);
    let change = Change::WithdrawProposal(ProposalWithdrawal { proposal: args.proposal, reason: args.reason });
    record_one(db, args.at, change, &what)
}

/// `close PROPOSAL`.
#[derive(Debug, clap::Args)]
pub(crate) struct CloseArgs {
    /// The proposal's id.
    proposal: String,
    /// The secretariat's note.
    #[arg(long)]
    reason: Option<String>,
    /// The date of closing, on which the decision is taken as if the deadline were that day;
    /// default: today (UTC).
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
}

pub(crate) fn close(args: CloseArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut store = Store::open(need_db(db)?)?;
    let (receipt, decision) = store.close(&args.proposal, args.reason, args.at, super::today(), super::now())?;
    let what = format!("closed {}: {} on {}", args.proposal, decision.outcome.as_str(), decision.on);
    acknowledge(&what, &receipt)
}

/// `tick --now DATE`.
#[derive(Debug, clap::Args)]
pub(crate) struct TickArgs {
    /// The clock's date: today (UTC, the default) or an earlier day.
    #[arg(long, value_parser = super::parse_date)]
    now: Option<Date>,
}

pub(crate) fn tick(args: TickArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut store = Store::open(need_db(db)?)?;
    let today = super::today();
    let clock = args.now.unwrap_or(today);
    if clock > today {
        return Err(Failure::Message(format!(
            "`--now {clock}` is after today ({today}): the clock does not run ahead (no decision is recorded in advance)"
        )));
    }
    let started = std::time::Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let progress = |n: usize| {
        if terminal {
            eprint!("recording {n} decision{} that fell due by {clock}…", if n == 1 { "" } else { "s" });
        }
    };
    let Some((receipt, due)) = store.tick(clock, super::now(), progress)? else {
        println!("no decision has fallen due by {clock} without a record");
        return Ok(());
    };
    if terminal {
        eprintln!(" done in {:.1} s", started.elapsed().as_secs_f64());
    }
    let n = due.len();
    acknowledge(&format!("recorded {n} decision{} on {clock}", if n == 1 { "" } else { "s" }), &receipt)?;
    let mut out = std::io::stdout().lock();
    for d in &due {
        let how = match d.trigger {
            concord_core::Trigger::Adopted => "the rule adopted it",
            _ => "its deadline",
        };
        writeln!(out, "  {}: {} on {} ({how})", d.proposal, d.outcome.as_str(), d.on)?;
    }
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
    let mut reader = reader;
    let mut out = std::io::stdout().lock();
    for number in 1.. {
        let Some(line) = read_line(&mut *reader, &name, number)? else { break };
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line =
            serde_json::from_str(&line).map_err(|e| Failure::Message(format!("{name}:{}: {e}", number)))?;
        if matches!(parsed.change, Change::Decision(_)) {
            return Err(Failure::Message(format!(
                "{name}:{}: decisions are taken by `tick` and `close`, not applied",
                number
            )));
        }
        let receipt = store
            .record(vec![Write::on(parsed.at, parsed.change)], super::today(), super::now())
            .map_err(|e| Failure::Message(format!("{name}:{}: {e}", number)))?;
        writeln!(out, "ok {}", receipt.entries.start)?;
        out.flush()?;
    }
    Ok(())
}
