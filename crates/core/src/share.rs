//! Shares of a whole, exactly: the `0.55` of a qualified majority, or the `"1/3"` of the EU's
//! constructive abstention (contract §6).
//!
//! A third has no exact decimal, and `0.3333` is not a third: 9 of 27 member states reach one
//! third but not 0.3334. A [`Share`] is a decimal as written or a fraction of whole numbers, and
//! every comparison with it is made in integers, so that boundary cases come out exactly.

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigInt;

use crate::number::Decimal;

/// A share of a whole in (0, 1]: a decimal, or a fraction `num/den`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Share {
    /// As written in decimals: `0.55`.
    Decimal(Decimal),
    /// As written as a fraction: `"1/3"` (not reduced: it is shown as written).
    Fraction {
        /// Numerator.
        num: u64,
        /// Denominator, at least the numerator.
        den: u64,
    },
}

impl Share {
    /// A share from a decimal, if it lies in (0, 1].
    pub fn from_decimal(d: Decimal) -> Result<Share, String> {
        if d > Decimal::from_int(0) && d <= Decimal::from_int(1) {
            Ok(Share::Decimal(d))
        } else {
            Err(format!("a share must be above 0 and at most 1, found `{d}`"))
        }
    }

    /// A share from the text of a fraction, `"a/b"` with whole numbers 0 < a ≤ b, or of a
    /// decimal (`"0.55"`).
    pub fn parse(text: &str) -> Result<Share, String> {
        let Some((num, den)) = text.split_once('/') else {
            let d = Decimal::parse(text.trim())
                .map_err(|_| format!("`{text}` is not a share: write a decimal (`0.55`) or a fraction (`\"1/3\"`)"))?;
            return Share::from_decimal(d);
        };
        let whole = |part: &str| part.trim().parse::<u64>().ok();
        match (whole(num), whole(den)) {
            (Some(num), Some(den)) if num > 0 && num <= den => Ok(Share::Fraction { num, den }),
            (Some(_), Some(_)) => Err(format!("a share must be above 0 and at most 1, found `{text}`")),
            _ => Err(format!("`{text}` is not a fraction of whole numbers such as `\"1/3\"`")),
        }
    }

    /// The share as numerator and denominator (for a decimal, its units over `10^scale`).
    pub fn ratio(self) -> (u128, u128) {
        match self {
            Share::Decimal(d) => (u128::try_from(d.units().max(0)).unwrap_or(0), 10u128.pow(d.scale())),
            Share::Fraction { num, den } => (u128::from(num), u128::from(den)),
        }
    }

    /// Whether `count ≥ self × total` (`strict`: `>`), exactly.
    pub fn share_reached(self, count: i128, total: i128, strict: bool) -> bool {
        let (num, den) = self.ratio();
        // count ≥ num/den × total  ⇔  count × den ≥ num × total
        let ordering = match (
            i128::try_from(den).ok().and_then(|den| count.checked_mul(den)),
            i128::try_from(num).ok().and_then(|num| total.checked_mul(num)),
        ) {
            (Some(lhs), Some(rhs)) => lhs.cmp(&rhs),
            _ => (BigInt::from(count) * BigInt::from(den)).cmp(&(BigInt::from(num) * BigInt::from(total))),
        };
        if strict { ordering == Ordering::Greater } else { ordering != Ordering::Less }
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Share::Decimal(d) => d.fmt(f),
            Share::Fraction { num, den } => write!(f, "{num}/{den}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(text: &str) -> Share {
        Share::Decimal(Decimal::parse(text).unwrap())
    }

    #[test]
    fn decimal_shares_are_exact() {
        let share = decimal("0.55");
        // 55% of 20 is exactly 11.
        assert!(share.share_reached(11, 20, false));
        assert!(!share.share_reached(11, 20, true));
        assert!(!share.share_reached(10, 20, false));
        // Decimals of 28 digits compare exactly, past 128 bits.
        assert!(!decimal("0.5000000000000000000000000001").share_reached(1, 2, false));
        assert!(decimal("0.5").share_reached(
            5_000_000_000_000_000_000_000_000_000,
            10_000_000_000_000_000_000_000_000_000,
            false
        ));
    }

    #[test]
    fn a_third_is_a_third() {
        let third = Share::parse("1/3").unwrap();
        assert!(third.share_reached(9, 27, false), "9 of 27 reach one third");
        assert!(!third.share_reached(8, 27, false));
        assert!(!third.share_reached(9, 27, true), "but do not exceed it");
        let rounded = Share::parse("0.3334").unwrap();
        assert!(!rounded.share_reached(9, 27, false), "0.3334 is not a third");
        assert_eq!(third.to_string(), "1/3");
    }

    #[test]
    fn shares_out_of_range_or_malformed_are_refused() {
        for bad in ["0/3", "4/3", "1/0", "a/3", "1/3/4", "0", "1.5", "-0.2", "x"] {
            assert!(Share::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Share::parse("3/3").unwrap().ratio(), (3, 3));
        assert_eq!(Share::parse("0.55").unwrap(), Share::Decimal(Decimal::parse("0.55").unwrap()));
    }

    #[test]
    fn comparisons_beyond_128_bits_stay_exact() {
        let big = Share::Fraction { num: u64::MAX - 1, den: u64::MAX };
        let total = i128::MAX / 2;
        assert!(big.share_reached(total, total, false));
        assert!(!big.share_reached(total / 2, total, false));
    }
}
