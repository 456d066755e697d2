//! The server's clock: the system's date in UTC, or a date pinned with `--clock` for a
//! rehearsal, a demonstration or a test.

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
    /// Today's date.
    pub fn today(self) -> Date {
        match self {
            Clock::System => Date::from_days_since_epoch(unix_now().div_euclid(86_400)).unwrap_or(Date::FIRST),
            Clock::Fixed(date) => date,
        }
    }
}

/// Seconds since the Unix epoch, from the system clock (checkpoints are timestamped with it
/// whatever the clock says the date is).
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
