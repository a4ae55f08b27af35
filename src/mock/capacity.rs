//! Capacity mode: a token bucket of N requests a second in front of the
//! API, as rate-limited APIs have; past it, 429 with `Retry-After` and
//! `retry-after-ms`.
//!
//! Written here rather than taken from the client's rate limiter, so that
//! the mock does not share a bug with what it tests. Time is `tokio::time`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::response::Response;
use http::header::RETRY_AFTER;
use http::{HeaderName, HeaderValue, StatusCode};
use tokio::time::Instant;

use crate::mock::error::{error_body, json_response};

/// A token bucket: `rate` tokens a second, at most `burst` of them; each
/// request takes one.
#[derive(Debug)]
pub(crate) struct Capacity {
    rate: f64,
    burst: f64,
    bucket: Mutex<Bucket>,
    refused: AtomicU64,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Capacity {
    /// A full bucket of `burst` (at least 1) tokens, refilled at
    /// `per_second` (at least 1) a second.
    pub(crate) fn new(per_second: u32, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            rate: f64::from(per_second.max(1)),
            burst,
            bucket: Mutex::new(Bucket {
                tokens: burst,
                at: Instant::now(),
            }),
            refused: AtomicU64::new(0),
        }
    }

    /// Takes a token, or says how long until one is there.
    pub(crate) fn take(&self) -> Result<(), Duration> {
        let now = Instant::now();
        let mut bucket = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
        let refilled = now.duration_since(bucket.at).as_secs_f64() * self.rate;
        bucket.tokens = (bucket.tokens + refilled).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        self.refused.fetch_add(1, Ordering::Relaxed);
        Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate))
    }

    /// How many requests were refused.
    pub(crate) fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// The 429 for a request that found the bucket empty, a token being
    /// `wait` away.
    pub(crate) fn refusal(&self, wait: Duration) -> Response {
        let millis = wait.as_secs_f64() * 1000.0;
        let whole_millis = millis.ceil().max(1.0) as u64;
        let whole_seconds = whole_millis.div_ceil(1000);
        let message = format!(
            "over the mock's capacity of {} requests a second; retry in {whole_millis} ms",
            self.rate
        );
        let mut response = json_response(
            StatusCode::TOO_MANY_REQUESTS,
            error_body("rate_limited", &message),
        );
        let headers = response.headers_mut();
        headers.insert(RETRY_AFTER, HeaderValue::from(whole_seconds));
        headers.insert(
            HeaderName::from_static("retry-after-ms"),
            HeaderValue::from(whole_millis),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test(start_paused = true)]
    async fn a_burst_then_the_rate() {
        let capacity = Capacity::new(100, 5);
        for _ in 0..5 {
            assert_eq!(capacity.take(), Ok(()));
        }
        let wait = capacity.take().unwrap_err();
        assert_eq!(wait, 10 * MS);
        tokio::time::advance(4 * MS).await;
        let wait = capacity.take().unwrap_err();
        assert!((wait.as_secs_f64() - 0.006).abs() < 1e-9, "{wait:?}");
        tokio::time::advance(6 * MS).await;
        assert_eq!(capacity.take(), Ok(()));
        assert_eq!(capacity.refused(), 2);
        // A long idle time refills the burst, no more.
        tokio::time::advance(Duration::from_secs(60)).await;
        for _ in 0..5 {
            assert_eq!(capacity.take(), Ok(()));
        }
        assert!(capacity.take().is_err());
    }

    #[tokio::test]
    async fn the_refusal_rounds_the_waits_up() {
        let capacity = Capacity::new(300, 1);
        let response = capacity.refusal(Duration::from_micros(3334));
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let headers = response.headers();
        assert_eq!(headers[RETRY_AFTER], "1");
        assert_eq!(headers["retry-after-ms"], "4");
        assert_eq!(headers["content-type"], "application/json");
        let response = capacity.refusal(Duration::from_millis(2000));
        assert_eq!(response.headers()[RETRY_AFTER], "2");
        assert_eq!(response.headers()["retry-after-ms"], "2000");
    }
}
