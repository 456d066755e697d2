//! `concord`: the command line of the concord consensus governance engine.
//!
//! A thin shell over `concord-core`: it reads files, parses arguments, calls the core and prints.
//! One module per subcommand under `command/`; output for people in `render`, error reports in
//! `diagnostics`.

mod command;
mod diagnostics;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use diagnostics::{ErrorFormat, Failure};

/// concord: who blocks what, under which position, resting on which facts.
#[derive(Debug, Parser)]
#[command(name = "concord", version, about, long_about = None, max_term_width = 100)]
struct Cli {
    /// How errors are reported: `human` (with the source shown), `plain` (one line each,
    /// `file:line:column: error: …`) or `json`. Default: human on a terminal, plain otherwise.
    #[arg(long, global = true, env = "CONCORD_ERROR_FORMAT", value_enum)]
    error_format: Option<ErrorFormat>,

    /// A store (SQLite file): the state of a scenario over time with its signed ledger. With it,
    /// `decide`, `explain`, `what-if` and `power` read the store instead of a scenario file.
    #[arg(long, global = true, env = "CONCORD_DB", value_name = "FILE")]
    db: Option<std::path::PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a scenario: prints nothing but errors, or a one-line summary.
    Check(command::check::Args),
    /// Decide every proposal of a scenario on a date.
    Decide(command::decide::Args),
    /// Explain one proposal: outcome, objecting members, their positions, sources and facts.
    Explain(command::explain::Args),
    /// List the proposals whose outcome changes when facts are set.
    WhatIf(command::what_if::Args),
    /// What it would take to adopt a proposal: every smallest set of fact values and consents.
    Unblock(command::unblock::UnblockArgs),
    /// The single changes (a fact's value, a member's consent) that would adopt the most.
    Levers(command::unblock::LeversArgs),
    /// Voting power (Banzhaf, Penrose, Shapley–Shubik) of a committee's rule or a weighted game.
    Power(command::power::Args),
    /// Generate a synthetic scenario at programme scale, deterministically from a seed.
    Gen(command::gen_scenario::Args),
    /// Create a store (`--db FILE`) from a scenario file, with a new signing key.
    Init(command::store::InitArgs),
    /// Record a member's stance on a proposal.
    Vote(command::store::VoteArgs),
    /// Record an observation of a fact.
    Fact(command::store::FactArgs),
    /// Put a proposal before a committee, optionally under a silence procedure.
    Proposal(command::store::ProposalArgs),
    /// Declare or withdraw a member's standing position.
    #[command(subcommand)]
    Position(command::store::PositionCommand),
    /// Move an open proposal's deadline, earlier or later.
    Extend(command::store::ExtendArgs),
    /// Withdraw an open proposal.
    Withdraw(command::store::WithdrawArgs),
    /// Close a proposal: take its decision now, as if its deadline were today (adopted or
    /// blocked); no stance can be recorded after.
    Close(command::store::CloseArgs),
    /// Let the clock reach a date: record every decision that fell due (deadlines passed,
    /// proposals the rule adopted) in one write.
    Tick(command::store::TickArgs),
    /// A proposal's history: every change of stance and outcome, with dates and reasons, up to
    /// its decision.
    History(command::timeline::HistoryArgs),
    /// Recompute every recorded decision from the ledger and report any that differ.
    Replay(command::timeline::ReplayArgs),
    /// Print the store's state as a scenario file.
    Export,
    /// Record changes from a file of JSON lines, each acknowledged once durable.
    Apply(command::store::ApplyArgs),
    /// Verify the ledger, make and check proofs, print checkpoints and entries.
    #[command(subcommand)]
    Ledger(command::ledger::LedgerCommand),
    /// Make, list and revoke bearer tokens for the server; a secret is shown once.
    #[command(subcommand)]
    Token(command::token::TokenCommand),
    /// Serve the store over HTTP: the JSON API and the decision board (default store: concord.db,
    /// made from the bundled NATO example).
    Serve(command::serve::Args),
}

/// Whether JSON errors were asked for, read from the raw arguments and the environment: when
/// the arguments do not parse, there is no parsed `--error-format` to go by.
fn asked_for_json_errors() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let flag = args.iter().zip(args.iter().skip(1)).any(|(a, b)| a == "--error-format" && b == "json")
        || args.iter().any(|a| a == "--error-format=json");
    flag || std::env::var("CONCORD_ERROR_FORMAT").is_ok_and(|v| v == "json")
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if e.use_stderr() && asked_for_json_errors() {
                diagnostics::report(&Failure::Message(e.render().to_string().trim().to_owned()), ErrorFormat::Json);
            } else {
                let _ = e.print();
            }
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let format = cli.error_format.unwrap_or_else(ErrorFormat::default_for_stderr);
    let db = cli.db.as_deref();
    let result = match cli.command {
        Command::Check(args) => command::check::run(args),
        Command::Decide(args) => command::decide::run(args, db),
        Command::Explain(args) => command::explain::run(args, db),
        Command::WhatIf(args) => command::what_if::run(args, db),
        Command::Unblock(args) => command::unblock::unblock(args, db),
        Command::Levers(args) => command::unblock::levers(args, db),
        Command::Power(args) => command::power::run(args, db),
        Command::Gen(args) => command::gen_scenario::run(args),
        Command::Init(args) => command::store::init(args, db),
        Command::Vote(args) => command::store::vote(args, db),
        Command::Fact(args) => command::store::fact(args, db),
        Command::Proposal(args) => command::store::proposal(args, db),
        Command::Position(c) => command::store::position(c, db),
        Command::Extend(args) => command::store::extend(args, db),
        Command::Withdraw(args) => command::store::withdraw(args, db),
        Command::Close(args) => command::store::close(args, db),
        Command::Tick(args) => command::store::tick(args, db),
        Command::History(args) => command::timeline::history(args, db),
        Command::Replay(args) => command::timeline::replay(args, db),
        Command::Export => command::timeline::export(db),
        Command::Apply(args) => command::store::apply(args, db),
        Command::Ledger(c) => command::ledger::run(c, db),
        Command::Token(c) => command::token::run(c, db),
        Command::Serve(args) => command::serve::run(args, db),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(failure) => {
            diagnostics::report(&failure, format);
            ExitCode::from(1)
        }
    }
}
