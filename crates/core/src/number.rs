//! Exact decimal numbers for weights, shares and quotas.
//!
//! Rules compare counts and weights against shares (`0.55`, `0.65`) and quotas; doing that in
//! floating point gets boundary cases wrong (55% of 20 members is exactly 11). A [`Decimal`] keeps
//! the number exactly as written, as an integer count of `10^-scale` units.

use std::cmp::Ordering;
use std::fmt;

/// The most fractional digits a decimal may have.
pub(crate) const MAX_SCALE: u32 = 9;
/// The largest magnitude of a decimal's integer part.
pub(crate) const MAX_MAGNITUDE: i128 = 1_000_000_000_000_000;

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
    /// More fractional digits than [`MAX_SCALE`].
    #[error("`{0}` has more than 9 decimal places")]
    TooPrecise(String),
    /// Larger than [`MAX_MAGNITUDE`].
    #[error("`{0}` is too large (at most 10^15)")]
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
        let scale = u32::try_from(frac.len()).map_err(|_| DecimalError::TooPrecise(text.to_owned()))?;
        if scale > MAX_SCALE {
            return Err(DecimalError::TooPrecise(text.to_owned()));
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 16 {
            return Err(DecimalError::TooLarge(text.to_owned()));
        }
        let int: i128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| nan())? };
        if int > MAX_MAGNITUDE {
            return Err(DecimalError::TooLarge(text.to_owned()));
        }
        let fraction: i128 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| nan())? };
        let units = int * 10i128.pow(scale) + fraction;
        Ok(Decimal { units: if negative { -units } else { units }, scale })
    }

    /// Count of `10^-scale` units.
    pub fn units(self) -> i128 {
        self.units
    }

    /// Number of fractional digits.
    pub fn scale(self) -> u32 {
        self.scale
    }

    /// This number in units of `10^-scale`, for a `scale` at least its own.
    pub fn units_at(self, scale: u32) -> i128 {
        self.units * 10i128.pow(scale.saturating_sub(self.scale))
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

    /// Whether `count ≥ self × total` (`strict`: `>`), exactly. `count` and `total` are in the
    /// same units, whatever they are.
    pub fn share_reached(self, count: i128, total: i128, strict: bool) -> bool {
        // count ≥ (units / 10^scale) × total  ⇔  count × 10^scale ≥ units × total
        let lhs = count.saturating_mul(10i128.pow(self.scale));
        let rhs = self.units.saturating_mul(total);
        if strict { lhs > rhs } else { lhs >= rhs }
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
        self.units_at(scale).cmp(&other.units_at(scale))
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
        assert!(Decimal::parse("0.0000000001").is_err());
        assert!(Decimal::parse("10000000000000000").is_err());
        assert!(Decimal::parse("").is_err());
        assert!(Decimal::parse(".5").is_err());
    }

    #[test]
    fn shares_are_exact() {
        let share = Decimal::parse("0.55").unwrap();
        // 55% of 20 is exactly 11.
        assert!(share.share_reached(11, 20, false));
        assert!(!share.share_reached(11, 20, true));
        assert!(!share.share_reached(10, 20, false));
    }

    #[test]
    fn orders_across_scales() {
        assert!(Decimal::parse("0.5").unwrap() > Decimal::parse("0.49").unwrap());
        assert_eq!(Decimal::parse("1.0").unwrap().cmp(&Decimal::from_int(1)), Ordering::Equal);
    }
}
