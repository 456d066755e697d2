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
    /// Voting power (Banzhaf, Penrose, Shapley–Shubik) of a committee's rule or a weighted game.
    Power(command::power::Args),
    /// Generate a synthetic scenario at programme scale, deterministically from a seed.
    Gen(command::gen_scenario::Args),
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
    let result = match cli.command {
        Command::Check(args) => command::check::run(args),
        Command::Decide(args) => command::decide::run(args),
        Command::Explain(args) => command::explain::run(args),
        Command::WhatIf(args) => command::what_if::run(args),
        Command::Power(args) => command::power::run(args),
        Command::Gen(args) => command::gen_scenario::run(args),
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
