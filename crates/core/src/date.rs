//! Calendar dates: the only notion of time a scenario has.
//!
//! A [`Date`] is a proleptic Gregorian day, written `YYYY-MM-DD` everywhere (scenario files,
//! `--at`, JSON and the Cedar context). Dates compare chronologically.

use std::fmt;
use std::str::FromStr;

/// A calendar day. Ordering is chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a text or triple is not a date.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a date: expected `YYYY-MM-DD` with a real month and day")]
pub struct DateError {
    text: String,
}

impl Date {
    /// The first day of year 1, the earliest date there is.
    pub const FIRST: Date = Date { year: 1, month: 1, day: 1 };

    /// The date of a year, month and day, if such a day exists.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if is_leap(year) => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1 && (1..=days).contains(&day)).then_some(Date { year, month, day })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.day
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Date, DateError> {
        let err = || DateError { text: text.to_owned() };
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return Err(err());
        }
        let num = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = text.get(range)?;
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let (year, month, day) = (num(0..4), num(5..7), num(8..10));
        match (year, month, day) {
            (Some(y), Some(m), Some(d)) => {
                Date::new(y, u8::try_from(m).map_err(|_| err())?, u8::try_from(d).map_err(|_| err())?).ok_or_else(err)
            }
            _ => Err(err()),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d: Date = "2025-06-15".parse().unwrap();
        assert_eq!(d.to_string(), "2025-06-15");
        assert_eq!((d.year(), d.month(), d.day()), (2025, 6, 15));
    }

    #[test]
    fn leap_years() {
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("2000-02-29".parse::<Date>().is_ok());
        assert!("1900-02-29".parse::<Date>().is_err());
        assert!("2025-02-29".parse::<Date>().is_err());
    }

    #[test]
    fn rejects_bad_text() {
        for bad in
            ["", "2025-6-15", "2025-13-01", "2025-04-31", "2025/06/15", "0000-01-01", "+025-01-01", "2025-06-15x"]
        {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn orders_chronologically() {
        let a: Date = "2024-12-31".parse().unwrap();
        let b: Date = "2025-01-01".parse().unwrap();
        assert!(a < b);
    }
}
