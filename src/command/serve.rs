//! `concord serve`: the store behind the HTTP server and its web page. Without `--db` it opens
//! `concord.db` in the current folder, creating it the first time from the NATO 2025 example
//! built into the binary.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use concord_core::Date;
use concord_server::{Clock, Config, Started};

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
    concord_server::serve(config, |started: &Started| {
        let origin = if started.created { format!(", created from the bundled {BUNDLED_NAME}") } else { String::new() };
        println!("concord serving http://{}/ (store {}{origin})", started.addr, db.display());
        if let Some(token) = &started.first_token {
            println!("first secretariat token (shown once; keep it): {}", token.token);
        }
        println!("stop with Ctrl-C");
    })
    .map_err(|e| Failure::Message(format!("cannot serve: {e}")))
}
