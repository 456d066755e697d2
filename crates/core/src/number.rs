//! Exact decimal numbers for weights, shares and quotas.
//!
//! Rules compare counts and weights against shares (`0.55`, `0.65`, through
//! [`Share`](crate::share::Share)) and quotas; doing that in
//! floating point gets boundary cases wrong (55% of 20 members is exactly 11). A [`Decimal`] keeps
//! the number exactly as written, as an integer count of `10^-scale` units, with up to
//! [`MAX_DIGITS`](crate::limits::MAX_DIGITS) significant digits; comparisons that would not fit 128 bits are made with big
//! integers, so that they are exact too.

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigInt;

/// The most significant digits a decimal may have (and the most fractional digits).
pub(crate) const MAX_DIGITS: u32 = 28;

/// An exact decimal number: `units × 10^-scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    units: i128,
    scale: u32,
}

/// Why a number cannot be used as an exact decimal.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Not finite, or not written as digits.
    #[error("`{0}` is not a finite decimal number")]
    NotANumber(String),
    /// More significant or fractional digits than [`MAX_DIGITS`].
    #[error("`{0}` has more than 28 significant digits")]
    TooPrecise(String),
    /// Not used any more: a large number is too precise.
    #[error("`{0}` is too large")]
    TooLarge(String),
}

impl Decimal {
    /// A whole number.
    pub fn from_int(value: i64) -> Decimal {
        Decimal { units: i128::from(value), scale: 0 }
    }

    /// The exact decimal written by the shortest text that round-trips `value`, so `85.3`
    /// stays 85.3 and not 85.299999999999997.
    pub fn from_f64(value: f64) -> Result<Decimal, DecimalError> {
        if !value.is_finite() {
            return Err(DecimalError::NotANumber(value.to_string()));
        }
        Decimal::parse(&value.to_string())
    }

    /// Parses `-12.345` style text (no exponent).
    pub fn parse(text: &str) -> Result<Decimal, DecimalError> {
        let nan = || DecimalError::NotANumber(text.to_owned());
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(nan());
        }
        let frac = frac.trim_end_matches('0');
        let whole = whole.trim_start_matches('0');
        let digits = format!("{whole}{frac}");
        let significant = digits.trim_start_matches('0');
        if significant.len() > MAX_DIGITS as usize || frac.len() > MAX_DIGITS as usize {
            return Err(DecimalError::TooPrecise(text.to_owned()));
        }
        let scale = frac.len() as u32;
        let units: i128 = if significant.is_empty() { 0 } else { significant.parse().map_err(|_| nan())? };
        Ok(Decimal { units: if negative { -units } else { units }, scale })
    }

    /// Parses a number as TOML and JSON write it, exponent included (`1.5e-3`, `2E6`), exactly.
    pub fn parse_scientific(text: &str) -> Result<Decimal, DecimalError> {
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        let Some((mantissa, exponent)) = clean.split_once(['e', 'E']) else { return Decimal::parse(&clean) };
        let exponent: i64 = exponent.parse().map_err(|_| DecimalError::NotANumber(text.to_owned()))?;
        let (sign, body) = match mantissa.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        if whole.is_empty() || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(DecimalError::NotANumber(text.to_owned()));
        }
        if exponent.unsigned_abs() > 2 * u64::from(MAX_DIGITS) + 64 {
            return Err(DecimalError::TooPrecise(text.to_owned()));
        }
        // Move the point: the digits `whole ‖ frac`, with the point after `whole` + exponent.
        let digits = format!("{whole}{frac}");
        let point = whole.len() as i64 + exponent;
        let shifted = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}", "0".repeat(point as usize - digits.len()))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{a}.{b}")
        };
        Decimal::parse(&format!("{sign}{shifted}")).map_err(|e| match e {
            DecimalError::NotANumber(_) => DecimalError::NotANumber(text.to_owned()),
            _ => DecimalError::TooPrecise(text.to_owned()),
        })
    }

    /// Count of `10^-scale` units.
    pub fn units(self) -> i128 {
        self.units
    }

    /// Number of fractional digits.
    pub fn scale(self) -> u32 {
        self.scale
    }

    /// This number in units of `10^-scale`, for a `scale` at least its own, if it fits 128 bits.
    pub fn units_at(self, scale: u32) -> Option<i128> {
        10i128.checked_pow(scale.saturating_sub(self.scale)).and_then(|p| self.units.checked_mul(p))
    }

    /// This number in units of `10^-scale`, as a big integer: always exact.
    fn big_units_at(self, scale: u32) -> BigInt {
        BigInt::from(self.units) * BigInt::from(10).pow(scale.saturating_sub(self.scale))
    }

    /// Whether the number is below zero.
    pub fn is_negative(self) -> bool {
        self.units < 0
    }

    /// The nearest float, for display and for indices that are printed as floats.
    pub fn to_f64(self) -> f64 {
        // Exact for every value a scenario can hold up to f64's precision.
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Whether `count` units of `10^-scale` reach this number (`count × 10^-scale ≥ self`),
    /// exactly.
    pub fn reached_by(self, count: i128, scale: u32) -> bool {
        let common = self.scale.max(scale);
        let lift = |units: i128, own: u32| 10i128.checked_pow(common - own).and_then(|p| units.checked_mul(p));
        match (lift(count, scale), lift(self.units, self.scale)) {
            (Some(a), Some(b)) => a >= b,
            _ => BigInt::from(count) * BigInt::from(10).pow(common - scale) >= self.big_units_at(common),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        let scale = self.scale.max(other.scale);
        match (self.units_at(scale), other.units_at(scale)) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.big_units_at(scale).cmp(&other.big_units_at(scale)),
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let abs = self.units.unsigned_abs();
        if self.scale == 0 {
            return write!(f, "{sign}{abs}");
        }
        let pow = 10u128.pow(self.scale);
        write!(f, "{sign}{}.{:0width$}", abs / pow, abs % pow, width = self.scale as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_was_written() {
        assert_eq!(Decimal::from_f64(85.3).unwrap().to_string(), "85.3");
        assert_eq!(Decimal::from_f64(0.55).unwrap(), Decimal::parse("0.550").unwrap());
        assert_eq!(Decimal::parse("-1.05").unwrap().to_string(), "-1.05");
        assert_eq!(Decimal::parse("12").unwrap().to_string(), "12");
    }

    #[test]
    fn refuses_what_it_cannot_hold() {
        assert!(Decimal::from_f64(f64::NAN).is_err());
        assert!(Decimal::from_f64(f64::INFINITY).is_err());
        assert!(Decimal::parse("1e5").is_err());
        assert!(Decimal::parse("0.00000000000000000000000000001").is_err());
        assert!(Decimal::parse("12345678901234567890123456789").is_err());
        assert!(Decimal::parse("").is_err());
        assert!(Decimal::parse(".5").is_err());
    }

    /// See: issue 11 (a decimal of more than 15 significant digits lost digits on its way from a
    /// scenario file, through binary floating point).
    #[test]
    fn r11_twenty_eight_significant_digits_are_kept() {
        let d = Decimal::parse("1234567890123456.789012345678").unwrap();
        assert_eq!(d.to_string(), "1234567890123456.789012345678");
        assert_eq!(Decimal::parse("0.0000000000000000000000000001").unwrap().scale(), 28);
        assert_eq!(Decimal::parse_scientific("1.5e-3").unwrap(), Decimal::parse("0.0015").unwrap());
        assert_eq!(Decimal::parse_scientific("2E6").unwrap(), Decimal::from_int(2_000_000));
        assert_eq!(Decimal::parse_scientific("1_000.25").unwrap(), Decimal::parse("1000.25").unwrap());
        assert_eq!(Decimal::parse_scientific("-12.5e1").unwrap(), Decimal::from_int(-125));
        assert!(Decimal::parse_scientific("1e400").is_err());
        // Comparisons past 128 bits stay exact.
        let big = Decimal::parse("9999999999999999999999999999").unwrap();
        let tiny = Decimal::parse("0.0000000000000000000000000001").unwrap();
        assert!(big > tiny && tiny > Decimal::from_int(0));
        assert!(big.reached_by(i128::MAX, 0));
        assert!(!big.reached_by(1, 28));
    }

    #[test]
    fn orders_across_scales() {
        assert!(Decimal::parse("0.5").unwrap() > Decimal::parse("0.49").unwrap());
        assert_eq!(Decimal::parse("1.0").unwrap().cmp(&Decimal::from_int(1)), Ordering::Equal);
    }
}
