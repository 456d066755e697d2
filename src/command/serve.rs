//! `concord serve`: the store behind the HTTP server and its web page. Without `--db` it opens
//! `concord.db` in the current folder, creating it the first time from the NATO 2025 example
//! built into the binary.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use concord_core::Date;
use concord_server::{Clock, Config, Limits, Started};

use crate::diagnostics::Failure;

/// The example a new store starts from when none is given.
const BUNDLED: &str = include_str!("../../examples/nato-2025.toml");
const BUNDLED_NAME: &str = "examples/nato-2025.toml";

/// `serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Pin the server's date (YYYY-MM-DD) instead of the system clock's, for a rehearsal or a
    /// demonstration.
    #[arg(long, value_parser = super::parse_date)]
    clock: Option<Date>,
    /// Seconds between two looks of the clock for silence procedures that ended.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    tick_seconds: u64,
    /// Reading needs a token too (by default anyone who reaches the server may read).
    #[arg(long)]
    private: bool,
    /// The most connections held at once; past it the oldest idle one, or the new one, is
    /// answered 503 (lowered at start to what the limit on open files allows).
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Seconds a client has to send a whole request head.
    #[arg(long, default_value_t = Limits::default().header_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: u64,
    /// Seconds a connection with no request in progress may stay silent.
    #[arg(long, default_value_t = Limits::default().idle_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    idle_timeout: u64,
    /// Writes a second each token may make, on average (0: no limit); past it a write is
    /// answered 429 and nothing is recorded.
    #[arg(long, default_value_t = Limits::default().write_rate)]
    write_rate: u32,
    /// Writes a token may make at once before the rate applies.
    #[arg(long, default_value_t = Limits::default().write_burst, value_parser = clap::value_parser!(u32).range(1..))]
    write_burst: u32,
    /// The most memory one voting-power computation may take (`256MiB`, `1G`, or bytes):
    /// beyond it the indices are sampled, or refused when even sampling does not fit.
    #[arg(long, default_value = "256MiB", value_parser = super::power::parse_size)]
    power_memory: u64,
}

pub(crate) fn run(args: Args, db: Option<&Path>) -> Result<(), Failure> {
    let (db, seed) = match db {
        Some(db) => (db.to_owned(), None),
        None => (PathBuf::from("concord.db"), Some((BUNDLED_NAME.to_owned(), BUNDLED.to_owned()))),
    };
    let config = Config {
        db: db.clone(),
        seed,
        addr: args.addr,
        clock: args.clock.map_or(Clock::System, Clock::Fixed),
        tick: Duration::from_secs(args.tick_seconds),
        private: args.private,
    };
    let limits = Limits {
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        header_timeout: Duration::from_secs(args.header_timeout),
        idle_timeout: Duration::from_secs(args.idle_timeout),
        write_rate: args.write_rate,
        write_burst: args.write_burst,
        power_memory: args.power_memory,
        ..Limits::default()
    };
    concord_server::serve_with(config, limits, |started: &Started| {
        let origin = if started.created { format!(", created from the bundled {BUNDLED_NAME}") } else { String::new() };
        println!("concord serving http://{}/ (store {}{origin})", started.addr, db.display());
        if let Some(token) = &started.first_token {
            println!("first secretariat token (shown once; keep it): {}", token.token);
        }
        println!("stop with Ctrl-C");
    })
    .map_err(|e| Failure::Message(format!("cannot serve: {e}")))
}
