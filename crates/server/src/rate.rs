//! The write rate of each token: a token bucket per token (bearer or session cookie alike), so
//! that one delegation's flood of writes cannot hold the writer from everyone else. Reads are
//! not counted.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::ApiError;

/// Buckets kept before full ones are forgotten (a full bucket is the same as none).
const PRUNE_AT: usize = 4096;

/// A token bucket per token id.
#[derive(Debug)]
pub(crate) struct WriteRate {
    /// Writes per second, on average; 0 for no limit.
    rate: f64,
    /// The bucket's size: writes at once.
    burst: f64,
    buckets: Mutex<HashMap<u64, Bucket>>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    /// Writes left, at `at`.
    left: f64,
    at: Instant,
}

impl WriteRate {
    pub(crate) fn new(rate: u32, burst: u32) -> WriteRate {
        WriteRate { rate: f64::from(rate), burst: f64::from(burst), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one write from the token's bucket, or answers 429 with the seconds until the next
    /// one is allowed.
    pub(crate) fn take(&self, token: u64) -> Result<(), ApiError> {
        self.take_at(token, Instant::now())
    }

    fn take_at(&self, token: u64, now: Instant) -> Result<(), ApiError> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= PRUNE_AT {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| b.refilled(now, rate, burst) < burst);
        }
        let bucket = buckets.entry(token).or_insert(Bucket { left: self.burst, at: now });
        let left = bucket.refilled(now, self.rate, self.burst);
        if left >= 1.0 {
            *bucket = Bucket { left: left - 1.0, at: now };
            return Ok(());
        }
        *bucket = Bucket { left, at: now };
        let wait = Duration::from_secs_f64((1.0 - left) / self.rate);
        let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Err(ApiError::TooMany {
            message: format!(
                "this token may write {} times a second ({} at once); nothing was recorded: try again in {retry_after} s",
                self.rate, self.burst
            ),
            retry_after: retry_after.max(1),
        })
    }
}

impl Bucket {
    fn refilled(&self, now: Instant, rate: f64, burst: f64) -> f64 {
        (self.left + now.saturating_duration_since(self.at).as_secs_f64() * rate).min(burst)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, reason = "tests")]

    use std::time::{Duration, Instant};

    use super::WriteRate;
    use crate::error::ApiError;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate_and_tokens_are_apart() {
        let rate = WriteRate::new(10, 3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(rate.take_at(1, start), Ok(()));
        }
        let Err(ApiError::TooMany { retry_after, message }) = rate.take_at(1, start) else { panic!("not refused") };
        assert_eq!(retry_after, 1, "{message}");
        assert!(message.contains("nothing was recorded"), "{message}");
        // Another token has its own bucket.
        assert_eq!(rate.take_at(2, start), Ok(()));
        // A tenth of a second gives one write back, and no more.
        let later = start + Duration::from_millis(101);
        assert_eq!(rate.take_at(1, later), Ok(()));
        assert!(rate.take_at(1, later).is_err());
        // A long rest fills the bucket, never past its size.
        let rested = later + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(rate.take_at(1, rested), Ok(()));
        }
        assert!(rate.take_at(1, rested).is_err());
    }

    #[test]
    fn a_rate_of_zero_is_no_limit() {
        let rate = WriteRate::new(0, 0);
        let now = Instant::now();
        for _ in 0..1000 {
            assert_eq!(rate.take_at(1, now), Ok(()));
        }
    }
}
