//! The server's clock: the date it lives on. The system's date in UTC, or a date fixed with
//! `--clock` at start, for a rehearsal, a demonstration or a test; the secretariat's tick may move
//! it forward, never back.
//!
//! No write moves the clock: a write's date is never after it (the store refuses one that is), so
//! a client cannot make "today" jump by dating a write in the future.

use std::sync::Mutex;

use concord_core::Date;

/// Where "today" comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The system clock, in UTC.
    System,
    /// A fixed date.
    Fixed(Date),
}

impl Clock {
    /// Today's date by this source.
    pub fn today(self) -> Date {
        match self {
            Clock::System => Date::from_days_since_epoch(unix_now().div_euclid(86_400)).unwrap_or(Date::FIRST),
            Clock::Fixed(date) => date,
        }
    }
}

/// The clock a running server reads: its source, with the latest date a tick moved it to as a
/// floor.
#[derive(Debug)]
pub(crate) struct ServerClock {
    source: Clock,
    /// The latest date the secretariat's tick reached.
    ticked: Mutex<Option<Date>>,
}

impl ServerClock {
    pub(crate) fn new(source: Clock) -> ServerClock {
        ServerClock { source, ticked: Mutex::new(None) }
    }

    /// The server's date: the source's, or the latest ticked date if that is later.
    pub(crate) fn today(&self) -> Date {
        let today = self.source.today();
        let ticked = *self.ticked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        ticked.map_or(today, |t| t.max(today))
    }

    /// Moves the clock forward to `to` (a date before today changes nothing).
    pub(crate) fn advance(&self, to: Date) {
        let mut ticked = self.ticked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *ticked = Some(ticked.map_or(to, |t| t.max(to)));
    }
}

/// Seconds since the Unix epoch, from the system clock (checkpoints are timestamped with it
/// whatever the clock says the date is).
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn a_tick_moves_the_clock_forward_never_back() {
        let day = |s: &str| s.parse::<Date>().unwrap();
        let clock = ServerClock::new(Clock::Fixed(day("2025-06-20")));
        assert_eq!(clock.today(), day("2025-06-20"));
        clock.advance(day("2025-06-10"));
        assert_eq!(clock.today(), day("2025-06-20"));
        clock.advance(day("2025-07-01"));
        clock.advance(day("2025-06-25"));
        assert_eq!(clock.today(), day("2025-07-01"));
    }
}
