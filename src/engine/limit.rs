//! A shared token bucket that caps transfer speed across connections.
//!
//! Every connection of one direction shares one [`RateLimiter`]; a transfer
//! takes tokens for the bytes it moved and sleeps off any debt, so the sum of
//! all transfers stays at the rate. The rate can change while transfers run
//! (the queue's speed-limit controls), and a rate of 0 means no limit: the
//! limiter then stays in the path at the cost of one atomic load per buffer.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A bytes-per-second limit shared by any number of transfers.
#[derive(Debug)]
pub struct RateLimiter {
    /// Bytes per second; 0 = unlimited.
    rate: AtomicU64,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled: Instant,
}

impl RateLimiter {
    /// A limiter of `bytes_per_sec` (at least 1).
    pub fn new(bytes_per_sec: u64) -> Self {
        Self {
            rate: AtomicU64::new(bytes_per_sec.max(1)),
            state: Mutex::new(Bucket {
                tokens: 0.0,
                refilled: Instant::now(),
            }),
        }
    }

    /// A limiter that does not limit until [`RateLimiter::set_rate`] gives it a rate.
    pub fn unlimited() -> Self {
        let limiter = Self::new(1);
        limiter.rate.store(0, Ordering::Relaxed);
        limiter
    }

    /// The limit in bytes per second; 0 when unlimited.
    pub fn rate(&self) -> u64 {
        self.rate.load(Ordering::Relaxed)
    }

    /// Changes the limit for every transfer sharing this limiter; `None` lifts it.
    pub fn set_rate(&self, bytes_per_sec: Option<u64>) {
        self.rate
            .store(bytes_per_sec.map_or(0, |r| r.max(1)), Ordering::Relaxed);
    }

    /// Accounts for `bytes` just moved and waits as long as the rate requires.
    pub async fn take(&self, bytes: usize) {
        let rate = self.rate.load(Ordering::Relaxed);
        if rate == 0 {
            return;
        }
        let rate = rate as f64;
        let wait = {
            // A poisoned lock only means another transfer panicked; the bucket is still sound.
            let mut bucket = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let burst = (rate / 10.0).max(64.0 * 1024.0);
            let elapsed = now.duration_since(bucket.refilled).as_secs_f64();
            bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
            bucket.refilled = now;
            bucket.tokens -= bytes as f64;
            if bucket.tokens < 0.0 {
                Duration::from_secs_f64(-bucket.tokens / rate)
            } else {
                Duration::ZERO
            }
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// Parses a rate such as `2M`, `500K` or `1048576` (bytes per second; K and M are 1024-based).
pub fn parse_rate(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, factor) = match text.chars().last() {
        Some('k' | 'K') => (&text[..text.len() - 1], 1024),
        Some('m' | 'M') => (&text[..text.len() - 1], 1024 * 1024),
        Some('g' | 'G') => (&text[..text.len() - 1], 1024 * 1024 * 1024),
        _ => (text, 1),
    };
    let value: f64 = digits
        .parse()
        .map_err(|_| format!("not a rate: {text} (e.g. 500K, 2M)"))?;
    if value.is_nan() || value <= 0.0 {
        return Err(format!("rate must be positive: {text}"));
    }
    Ok((value * factor as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates() {
        assert_eq!(parse_rate("2M"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_rate("500k"), Ok(500 * 1024));
        assert_eq!(parse_rate("1000"), Ok(1000));
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("0").is_err());
    }

    #[tokio::test]
    async fn holds_the_rate_across_callers() {
        let limiter = std::sync::Arc::new(RateLimiter::new(4 * 1024 * 1024));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..2 {
            let limiter = std::sync::Arc::clone(&limiter);
            tasks.push(tokio::spawn(async move {
                for _ in 0..16 {
                    limiter.take(64 * 1024).await;
                }
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        // 2 MiB at 4 MiB/s: about half a second, minus the initial burst allowance.
        let secs = started.elapsed().as_secs_f64();
        assert!(secs > 0.35, "too fast: {secs}");
        assert!(secs < 1.5, "too slow: {secs}");
    }
}
