//! `concord power`: voting power of a committee's members, or of a plain weighted game.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use concord_core::power::{self, Game, Options, ShapleyMethod};
use concord_core::{Date, Decimal};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::TableFormat;
use crate::diagnostics::Failure;

/// How to compute Shapley–Shubik.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Shapley {
    /// Exact when the table is small enough, sampled otherwise.
    #[default]
    Auto,
    /// Always exact.
    Exact,
    /// Always sampled.
    Sample,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The scenario file (TOML); with `--committee`. Not with `--db`.
    scenario: Option<PathBuf>,
    /// The committee whose rule to analyse.
    #[arg(long)]
    committee: Option<String>,
    /// Date whose seated members play (YYYY-MM-DD); default: the scenario's `as_of`.
    #[arg(long, value_parser = super::parse_date)]
    at: Option<Date>,
    /// A proposal: its committee, as it stood on the day the proposal was decided (or on `--at`
    /// while it is open).
    #[arg(long, conflicts_with = "committee")]
    proposal: Option<String>,
    /// Quota of a plain weighted game (instead of a scenario).
    #[arg(long, conflicts_with_all = ["scenario", "committee"], requires = "weights", allow_hyphen_values = true)]
    quota: Option<String>,
    /// Weights of a plain weighted game, comma-separated; players are named p1, p2, ….
    #[arg(long, value_delimiter = ',', requires = "quota", allow_hyphen_values = true)]
    weights: Vec<String>,
    /// How to compute the Shapley–Shubik index.
    #[arg(long, value_enum, default_value_t)]
    shapley: Shapley,
    /// Orderings drawn when Shapley–Shubik is sampled (at least 1).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    samples: u64,
    /// The most memory the exact tables may take (`512M`, `2G`, `8GiB`, or bytes): beyond it an
    /// index is sampled, or refused under `--shapley exact`.
    #[arg(long, default_value = "2GiB", value_parser = parse_size)]
    max_memory: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TableFormat,
}

/// A size in bytes: a number with an optional unit, `k`/`M`/`G`/`T` (powers of 1,000, also as
/// `kB`, `MB`, …) or `KiB`/`MiB`/`GiB`/`TiB` (powers of 1,024).
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "t" | "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        other => return Err(format!("unknown unit `{other}`: use B, k, M, G, T, KiB, MiB, GiB or TiB")),
    };
    let value = Decimal::parse(number).map_err(|_| format!("`{text}` is not a size such as `512M` or `2GiB`"))?;
    let units = u128::try_from(value.units()).map_err(|_| format!("`{text}` is negative"))?;
    let exact = units
        .checked_mul(u128::from(factor))
        .map(|b| b / 10u128.pow(value.scale()))
        .and_then(|b| u64::try_from(b).ok())
        .ok_or_else(|| format!("`{text}` is too large"))?;
    Ok(exact)
}

fn decimal(text: &str, what: &str) -> Result<Decimal, Failure> {
    Decimal::parse(text.trim()).map_err(|e| Failure::Message(format!("{what}: {e}")))
}

pub(crate) fn run(args: Args, db: Option<&Path>) -> Result<(), Failure> {
    let from_scenario = args.scenario.is_some() || (db.is_some() && args.quota.is_none());
    let (game, title) = match (from_scenario, &args.quota) {
        (true, None) => {
            let source = super::source(db, args.scenario.as_deref())?;
            let engine = source.engine()?;
            let place = source.place(args.scenario.as_deref());
            let mut at = match args.at {
                Some(at) => at,
                None => source.default_date()?,
            };
            let mut proposal = None;
            let id = match (&args.committee, &args.proposal) {
                (Some(id), _) => id.clone(),
                (None, Some(p)) => {
                    let Some(index) = engine.proposal_index(p) else {
                        return Err(Failure::Message(format!("no proposal `{p}` in {place}")));
                    };
                    // The committee of a decided proposal is the committee as it stood that day.
                    let evaluation = engine.evaluate(at, &[])?;
                    let Some(decision) = evaluation.decision(index) else {
                        return Err(Failure::Message(format!("proposal `{p}` is not before its committee on {at}")));
                    };
                    if let Some(taken) = decision.taken {
                        at = taken.on;
                    }
                    proposal = Some(index);
                    engine
                        .scenario()
                        .committees
                        .get(engine.committee_of(index))
                        .map(|c| c.id.clone())
                        .unwrap_or_default()
                }
                (None, None) => {
                    return Err(Failure::Message(
                        "give the committee to analyse: `--committee ID` (or `--proposal ID`)".to_owned(),
                    ));
                }
            };
            let id = &id;
            let Some(c) = engine.committee_index(id) else {
                let known: Vec<&str> = engine.scenario().committees.iter().map(|c| c.id.as_str()).collect();
                return Err(Failure::Message(format!("no committee `{id}` in {place} (it has {})", known.join(", "))));
            };
            // A proposal's game knows the members it concerns (dummies where the rule disregards
            // them).
            let game = match proposal {
                Some(p) => engine.proposal_game(p, at),
                None => engine.committee_game(c, at),
            }
            .map_err(|e| Failure::Message(e.to_string()))?;
            let rule = engine.scenario().committees.get(c).map(|c| c.rule.to_string()).unwrap_or_default();
            let seated = crate::render::count(game.len(), "member", "members");
            let title = format!("Voting power in {id} ({rule}), {seated} seated on {at}");
            (game, title)
        }
        (false, Some(quota)) => {
            let quota = decimal(quota, "--quota")?;
            let weights: Vec<Decimal> =
                args.weights.iter().map(|w| decimal(w, "--weights")).collect::<Result<_, _>>()?;
            let game = Game::weighted(quota, &weights).map_err(|e| Failure::Message(e.to_string()))?;
            let shown = if args.weights.len() <= 12 {
                args.weights.join(", ")
            } else {
                format!(
                    "{}, … ({} weights)",
                    args.weights.iter().take(6).cloned().collect::<Vec<_>>().join(", "),
                    args.weights.len()
                )
            };
            (game, format!("Voting power in the weighted game [{quota}; {shown}]"))
        }
        _ => {
            return Err(Failure::Message(
                "give a scenario and `--committee ID`, or `--quota Q --weights W1,W2,…`".to_owned(),
            ));
        }
    };
    let options = Options {
        shapley: match args.shapley {
            Shapley::Auto => ShapleyMethod::Auto,
            Shapley::Exact => ShapleyMethod::Exact,
            Shapley::Sample => ShapleyMethod::Sample(args.samples),
        },
        samples: args.samples,
        max_memory: args.max_memory,
        ..Options::default()
    };
    let mut bar = Progress::new();
    let result = power::analyse(&game, &options, &mut |done, total| bar.update(done, total));
    bar.finish();
    let report = result.map_err(|e| match e {
        power::PowerError::NeedsMemory { .. } => Failure::Message(format!(
            "{e} (`--max-memory`); raise it, or use `--shapley auto` (or `sample`) to sample what does not fit"
        )),
        e => Failure::Message(e.to_string()),
    })?;
    match args.format {
        TableFormat::Json => super::print_json(&report),
        TableFormat::Table => crate::render::power(&title, &report),
    }
}

/// A progress bar on standard error, shown only on a terminal and only once work has taken
/// more than a second.
struct Progress {
    start: Instant,
    bar: Option<ProgressBar>,
    terminal: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress { start: Instant::now(), bar: None, terminal: std::io::stderr().is_terminal() }
    }

    fn update(&mut self, done: usize, total: usize) {
        if !self.terminal {
            return;
        }
        if self.bar.is_none() && self.start.elapsed() > Duration::from_secs(1) {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} {elapsed_precise} [{bar:40}] {percent}% (eta {eta})")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        let _ = std::io::stderr().flush();
    }
}
