//! Exact coalition counts in fixed-width integers, chosen by the number of players.
//!
//! Counts of coalitions reach `2^n`, beyond 64 bits from 64 players on. The dynamic programmes
//! are generic over [`Count`] and run with the narrowest type that holds `2^n`: `u32`, `u64`, `u128`,
//! then 256, 512 and 1024 bits (`ruint`), so small bodies pay nothing for large ones.

use num_bigint::BigUint;
use ruint::Uint;

/// An unsigned count with wrapping arithmetic. The programmes never overflow the chosen width:
/// every value counts coalitions of the body, so it stays below 2^n; subtraction is exact
/// because deconvolution only removes what was added.
pub(crate) trait Count: Copy + Default + Eq + Send + Sync + 'static {
    /// The number of bits.
    const BITS: usize;
    fn one() -> Self;
    fn add(self, other: Self) -> Self;
    fn sub(self, other: Self) -> Self;
    fn to_big(self) -> BigUint;
}

macro_rules! primitive_count {
    ($($t:ty),*) => {$(
        impl Count for $t {
            const BITS: usize = <$t>::BITS as usize;
            fn one() -> $t {
                1
            }
            fn add(self, other: $t) -> $t {
                self.wrapping_add(other)
            }
            fn sub(self, other: $t) -> $t {
                self.wrapping_sub(other)
            }
            fn to_big(self) -> BigUint {
                BigUint::from(self)
            }
        }
    )*};
}

primitive_count!(u32, u64, u128);

macro_rules! wide_count {
    ($bits:literal, $limbs:literal) => {
        impl Count for Uint<$bits, $limbs> {
            const BITS: usize = $bits;
            fn one() -> Self {
                Uint::from(1u64)
            }
            fn add(self, other: Self) -> Self {
                self.wrapping_add(other)
            }
            fn sub(self, other: Self) -> Self {
                self.wrapping_sub(other)
            }
            fn to_big(self) -> BigUint {
                BigUint::from_bytes_le(&self.to_le_bytes_vec())
            }
        }
    };
}

wide_count!(256, 4);
wide_count!(512, 8);
wide_count!(1024, 16);

/// 256-bit counts.
pub(crate) type U256 = Uint<256, 4>;
/// 512-bit counts.
pub(crate) type U512 = Uint<512, 8>;
/// 1024-bit counts.
pub(crate) type U1024 = Uint<1024, 16>;

/// The most players any count type here can hold (`2^n` must fit with a bit to spare).
pub(crate) const MAX_PLAYERS: usize = 1022;

/// `num / den` as the nearest float, for exact big ratios (`den > 0`).
pub(crate) fn ratio(num: &BigUint, den: &BigUint) -> f64 {
    use num_traits::{ToPrimitive, Zero};
    if num.is_zero() || den.is_zero() {
        return 0.0;
    }
    // Scale so that the integer quotient has about 64 significant bits, then scale back.
    let shift = 64 + den.bits() as i64 - num.bits() as i64;
    let q = if shift >= 0 { (num << shift as u64) / den } else { num / (den << (-shift) as u64) };
    q.to_f64().unwrap_or(f64::NAN) * 2f64.powi(-(shift as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_accurate() {
        let r = ratio(&BigUint::from(76u32), &BigUint::from(385u32));
        assert!((r - 76.0 / 385.0).abs() < 1e-16);
        let tiny = ratio(&BigUint::from(1u32), &(BigUint::from(1u32) << 300u32));
        assert!((tiny - 2f64.powi(-300)).abs() < 1e-100);
        assert_eq!(ratio(&BigUint::from(0u32), &BigUint::from(5u32)), 0.0);
    }

    #[test]
    fn wide_counts_convert() {
        let x: U256 = U256::from(1u64) << 200usize;
        assert_eq!(x.to_big(), BigUint::from(1u32) << 200u32);
        assert_eq!(U256::one().add(U256::one()).sub(U256::one()), U256::one());
    }
}
