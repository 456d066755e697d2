//! The limits that keep one client, or many, from taking the server from everyone else: how
//! many connections it holds, how long a request may take to arrive, how long a quiet
//! connection is kept, how fast one token may write, and how much memory a voting-power
//! computation may take. `docs/server.md` gives each with its default and what it defends.

use std::time::Duration;

/// The most seconds between two looks of the clock (a day): a tick records only what fell due,
/// so looking more often changes nothing but the load, and a longer interval is a mistake.
pub const MAX_TICK: Duration = Duration::from_secs(86_400);

/// The largest request head (request line and headers), in bytes; a larger one is answered 431.
pub const HEAD_LIMIT: usize = 16 * 1024;

/// File descriptors kept free of connections: the store's files, the listening socket, the
/// answers refusing connections past the cap, and a margin.
pub(crate) const RESERVED_FILES: u64 = 128;

/// How much the server lets a client take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most connections open at once. A connection past it takes the place of the oldest
    /// one with no request in progress, which is answered 503; when every connection has a
    /// request in progress, the new one is answered 503 with `Retry-After` and closed. Lowered
    /// at start to what the limit on open files allows.
    pub max_connections: usize,
    /// How long a client has to send a whole request head, from the moment the server waits
    /// for it (the connection opened, or the previous answer went out); then the connection is
    /// closed.
    pub header_timeout: Duration,
    /// How long a connection with no request in progress may stay silent (no byte either way)
    /// before it is closed. An answer the client does not read is closed after the same time.
    pub idle_timeout: Duration,
    /// How long a request body may take to arrive once its handler reads it; then it is
    /// answered 408 and nothing is recorded.
    pub body_timeout: Duration,
    /// Writes per second each token may make, on average; 0 for no limit. Past it a write is
    /// answered 429 with `Retry-After`, and nothing is recorded. Reads are not limited.
    pub write_rate: u32,
    /// Writes a token may make at once before the rate applies.
    pub write_burst: u32,
    /// The most memory one voting-power computation may take, in bytes, as estimated before it
    /// starts: a larger one is sampled, or refused (422) when even that does not fit.
    pub power_memory: u64,
    /// The most work one voting-power computation may take, in additions of machine words
    /// (about a nanosecond each), as estimated before it starts: past it, as for memory.
    pub power_work: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(10),
            write_rate: 50,
            write_burst: 100,
            power_memory: 256 * 1024 * 1024,
            power_work: 4_000_000_000,
        }
    }
}

impl Limits {
    /// Refuses limits the server cannot run with, naming the one at fault.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.max_connections == 0 {
            return Err("the connection cap must be at least 1".to_owned());
        }
        for (name, value) in [
            ("header timeout", self.header_timeout),
            ("idle timeout", self.idle_timeout),
            ("body timeout", self.body_timeout),
        ] {
            if value.is_zero() || value > Duration::from_secs(3600) {
                return Err(format!("the {name} must be between 1 ms and an hour, not {} s", value.as_secs_f64()));
            }
        }
        if self.write_rate > 0 && self.write_burst == 0 {
            return Err("a write rate needs a burst of at least 1".to_owned());
        }
        Ok(())
    }
}

/// Checks the clock's interval: at least a second, at most [`MAX_TICK`].
pub(crate) fn check_tick(tick: Duration) -> Result<(), String> {
    if tick < Duration::from_secs(1) || tick > MAX_TICK {
        return Err(format!(
            "the clock's interval is {} s; it must be from 1 to {} s (a day)",
            tick.as_secs(),
            MAX_TICK.as_secs()
        ));
    }
    Ok(())
}

/// The connection cap that fits the limit on open files: the soft limit is raised (up to the
/// hard one) to what `wanted` connections need, and the cap is lowered when it still does not
/// fit. Says on standard error when it lowers the cap.
pub(crate) fn fit_connections(wanted: usize) -> usize {
    let needed = wanted as u64 + RESERVED_FILES;
    match open_files(needed) {
        Some(limit) if limit < needed => {
            let cap = usize::try_from(limit.saturating_sub(RESERVED_FILES).max(1)).unwrap_or(1);
            eprintln!(
                "concord serve: at most {cap} connections at once (the limit on open files is {limit}; raise it with `ulimit -n` for more)"
            );
            cap
        }
        _ => wanted,
    }
}

/// The limit on open files after raising it towards `needed`, if the system has one.
#[cfg(unix)]
fn open_files(needed: u64) -> Option<u64> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let current = limit.current?;
    if current >= needed {
        return Some(current);
    }
    let raised = limit.maximum.map_or(needed, |max| max.min(needed));
    if raised > current && setrlimit(Resource::Nofile, Rlimit { current: Some(raised), maximum: limit.maximum }).is_ok()
    {
        return Some(raised);
    }
    Some(current)
}

#[cfg(not(unix))]
fn open_files(_needed: u64) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::time::Duration;

    use super::*;

    #[test]
    fn the_defaults_are_valid_and_nonsense_is_named() {
        assert_eq!(Limits::default().check(), Ok(()));
        let zero = Limits { max_connections: 0, ..Limits::default() };
        assert!(zero.check().unwrap_err().contains("connection cap"));
        let never = Limits { header_timeout: Duration::ZERO, ..Limits::default() };
        assert!(never.check().unwrap_err().contains("header timeout"));
        let no_burst = Limits { write_burst: 0, ..Limits::default() };
        assert!(no_burst.check().unwrap_err().contains("burst"));
        let unlimited = Limits { write_rate: 0, write_burst: 0, ..Limits::default() };
        assert_eq!(unlimited.check(), Ok(()));
    }

    // See: issue 11 (`--tick-seconds` near `u64::MAX` panicked the clock task).
    #[test]
    fn r11_a_tick_over_a_day_is_refused_with_the_limit() {
        assert_eq!(check_tick(Duration::from_secs(60)), Ok(()));
        assert_eq!(check_tick(MAX_TICK), Ok(()));
        let message = check_tick(Duration::from_secs(u64::MAX)).unwrap_err();
        assert!(message.contains("18446744073709551615 s") && message.contains("86400"), "{message}");
        assert!(check_tick(Duration::ZERO).is_err());
    }
}
