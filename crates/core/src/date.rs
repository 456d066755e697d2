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

    /// Days since 1970-01-01 (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil, on years that start in March.
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01, if it is between years 1 and 65535.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(u16::try_from(year).ok()?, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
    }

    /// The next day, if there is one.
    pub fn next(self) -> Option<Date> {
        Date::from_days_since_epoch(self.days_since_epoch() + 1)
    }

    /// The day before, if there is one.
    pub fn previous(self) -> Option<Date> {
        Date::from_days_since_epoch(self.days_since_epoch() - 1)
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

/// A date is a JSON string `YYYY-MM-DD`.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Date {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .examples(["2025-06-15"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Date {}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
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
    fn counts_days_from_the_epoch() {
        let epoch: Date = "1970-01-01".parse().unwrap();
        assert_eq!(epoch.days_since_epoch(), 0);
        let d: Date = "2025-06-15".parse().unwrap();
        assert_eq!(d.days_since_epoch(), 20_254);
        assert_eq!(Date::from_days_since_epoch(20_254), Some(d));
        assert_eq!(Date::FIRST.next().unwrap().to_string(), "0001-01-02");
        assert_eq!("2024-02-28".parse::<Date>().unwrap().next().unwrap().to_string(), "2024-02-29");
        assert_eq!("2024-12-31".parse::<Date>().unwrap().next().unwrap().to_string(), "2025-01-01");
        // Every day from year 1 to 2100 round-trips and follows the one before.
        let mut day = Date::FIRST;
        let mut n = Date::FIRST.days_since_epoch();
        while day.year() < 2100 {
            assert_eq!(day.days_since_epoch(), n);
            assert_eq!(Date::from_days_since_epoch(n), Some(day));
            day = day.next().unwrap();
            n += 1;
        }
        assert_eq!(Date::from_days_since_epoch(Date::FIRST.days_since_epoch() - 1), None);
    }

    #[test]
    fn orders_chronologically() {
        let a: Date = "2024-12-31".parse().unwrap();
        let b: Date = "2025-01-01".parse().unwrap();
        assert!(a < b);
    }
}
