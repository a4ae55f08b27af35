//! When a failed request is tried again, and how long to wait first.
//!
//! Retrying the update is safe: `set` replaces the tags with the same list,
//! `add` and `remove` converge (adding a present tag or removing an absent one
//! changes nothing more), and the notes are replaced whole. Repeating a
//! request whose response was lost therefore leaves the contact as one request
//! would.

use std::time::{Duration, SystemTime};

use exponential_backoff::Backoff;
use reqwest::StatusCode;

use crate::error::{Error, NotSent};
use crate::response::retry_after;

/// Statuses that are retried unless the server says otherwise with
/// `x-should-retry`.
const RETRIED_STATUSES: [StatusCode; 7] = [
    StatusCode::REQUEST_TIMEOUT,
    StatusCode::CONFLICT,
    StatusCode::TOO_MANY_REQUESTS,
    StatusCode::INTERNAL_SERVER_ERROR,
    StatusCode::BAD_GATEWAY,
    StatusCode::SERVICE_UNAVAILABLE,
    StatusCode::GATEWAY_TIMEOUT,
];

/// A server's hint shorter than this is taken as no hint: the backoff
/// applies instead.
const MIN_HINT: Duration = Duration::from_millis(1);

/// When and how often a call is retried.
///
/// Retried: connection errors, timeouts, and HTTP 408, 409, 429, 500, 502,
/// 503 and 504; never another 4xx, and never a success whose body did not
/// decode (the update was applied). A response header `x-should-retry: true`
/// or `false` overrides the status.
///
/// The wait before a retry is the server's hint when it gives one
/// (`retry-after-ms`, then `Retry-After` as seconds or an HTTP date), up to
/// [`max_retry_after`](Self::max_retry_after); a longer hint ends the call
/// with the error, whose [`ApiError::retry_after`](crate::ApiError::retry_after)
/// tells the caller when to come back. In a batch, a 429 or 503 with such a
/// hint also stops the batch: the updates not yet sent end with
/// [`NotSent::QuotaExhausted`](crate::NotSent::QuotaExhausted), which carries
/// the wait. A hint of zero (or under a millisecond, or a date already past)
/// is no guide, and counts as none. Without a hint the wait is exponential:
/// 0.5 s, 1 s, 2 s, ... up to 8 s, each varied by up to 25% so that many
/// clients do not retry in step.
///
/// ```
/// use std::time::Duration;
/// use talktohumans::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_retries(5)
///     .backoff(Duration::from_secs(1), Duration::from_secs(30));
/// let client = talktohumans::Client::builder()
///     .api_key("tth_live_...")
///     .retry_policy(patient)
///     .build()?;
/// # Ok::<(), talktohumans::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    jitter: f32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            jitter: 0.25,
        }
    }
}

impl RetryPolicy {
    /// No retries: one attempt per call.
    pub fn none() -> Self {
        Self::default().max_retries(0)
    }

    /// How many times a call may be retried after its first attempt
    /// (default 2; 0 disables retries).
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The first wait and the longest one, when the server gives no hint
    /// (default 0.5 s and 8 s); each wait doubles the last.
    #[must_use]
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The longest server-requested wait that is honoured (default 60 s).
    #[must_use]
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// How much each computed wait may vary, as a fraction from 0 to 1
    /// (default 0.25); values outside are clamped, and less than 1% is none.
    #[must_use]
    pub fn jitter(mut self, fraction: f32) -> Self {
        self.jitter = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        self
    }

    /// The retries allowed.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before a first retry, when the server gives no hint.
    pub(crate) fn first_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The waits between attempts: `Some(wait)` while a retry is left.
    pub(crate) fn schedule(&self) -> Schedule {
        let mut backoff = Backoff::new(
            self.max_retries.saturating_add(1),
            self.initial_backoff,
            self.max_backoff,
        );
        // The backoff crate works in whole percents: below 1% it would draw
        // from an empty range, which panics.
        let whole_percents = (self.jitter * 100.0) as u32;
        backoff.set_jitter(if whole_percents == 0 {
            0.0
        } else {
            self.jitter
        });
        Schedule(backoff.iter())
    }

    /// What to do after `error`, given the computed backoff: wait this long
    /// and retry, or stop.
    pub(crate) fn decide(&self, error: &Error, backoff: Duration) -> Decision {
        if !is_retryable(error) {
            return Decision::Stop;
        }
        match hint(error) {
            Some(hint) if hint > self.max_retry_after => Decision::Stop,
            Some(hint) => Decision::RetryAfter(hint),
            None => Decision::RetryAfter(backoff),
        }
    }

    /// Whether `error` says that the server's quota is used up for longer
    /// than this policy waits: a 429 or 503 whose hint is past
    /// [`max_retry_after`](Self::max_retry_after). A batch stops there with
    /// the reason returned, since every update would hear the same.
    pub(crate) fn quota_exhausted(&self, error: &Error) -> Option<NotSent> {
        let status = error.status()?;
        if status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::SERVICE_UNAVAILABLE {
            return None;
        }
        let hint = hint(error)?;
        (hint > self.max_retry_after).then_some(NotSent::QuotaExhausted {
            retry_after: hint,
            status,
        })
    }
}

/// The server's hint of how long to wait, if it gave one worth following.
/// `Retry-After: 0`, a date in the past, `retry-after-ms: 0`: a server that
/// says "now" while it refuses is no guide, and taken at its word it would
/// be asked again in a tight loop; such a hint counts as none, and the
/// backoff applies.
fn hint(error: &Error) -> Option<Duration> {
    let hint = retry_after(error.response()?.headers(), SystemTime::now())?;
    (hint >= MIN_HINT).then_some(hint)
}

/// The waits between attempts of one call.
pub(crate) struct Schedule(exponential_backoff::IntoIter);

impl Schedule {
    /// The backoff before the next retry, or `None` when no retry is left.
    pub(crate) fn next_backoff(&mut self) -> Option<Duration> {
        self.0.next().flatten()
    }
}

/// What to do after a failed attempt.
#[derive(Debug, PartialEq)]
pub(crate) enum Decision {
    RetryAfter(Duration),
    Stop,
}

/// Whether an error is worth another attempt, ignoring how many are left.
fn is_retryable(error: &Error) -> bool {
    match error {
        Error::Timeout { .. } | Error::Transport { .. } => true,
        Error::Api(api) => {
            match api
                .response()
                .headers()
                .get("x-should-retry")
                .map(|v| v.as_bytes())
            {
                Some(b"true") => true,
                Some(b"false") => false,
                _ => RETRIED_STATUSES.contains(&api.status()),
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_doubles_up_to_the_cap_and_stops() {
        let policy = RetryPolicy::default()
            .max_retries(6)
            .jitter(0.0)
            .backoff(Duration::from_millis(500), Duration::from_secs(8));
        let mut schedule = policy.schedule();
        let waits: Vec<_> = std::iter::from_fn(|| schedule.next_backoff()).collect();
        let ms = |n| Duration::from_millis(n);
        assert_eq!(
            waits,
            [ms(500), ms(1000), ms(2000), ms(4000), ms(8000), ms(8000)]
        );
        assert_eq!(RetryPolicy::none().schedule().next_backoff(), None);
    }

    fn api_error(status: u16, headers: &[(&'static str, &str)]) -> Error {
        let mut map = reqwest::header::HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        let response = crate::response::RawResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: Default::default(),
        };
        Error::Api(Box::new(crate::error::ApiError::new(response, 1)))
    }

    #[test]
    fn a_429_or_503_past_the_cap_is_a_used_up_quota() {
        let policy = RetryPolicy::default();
        let hour = Duration::from_secs(3600);
        let quota = |status, headers: &[(&'static str, &str)]| {
            policy.quota_exhausted(&api_error(status, headers))
        };
        assert_eq!(
            quota(429, &[("retry-after", "3600")]),
            Some(NotSent::QuotaExhausted {
                retry_after: hour,
                status: StatusCode::TOO_MANY_REQUESTS
            })
        );
        assert!(quota(503, &[("retry-after-ms", "3600000")]).is_some());
        // Within the cap, without a hint, or another status: not a quota.
        assert_eq!(quota(429, &[("retry-after", "60")]), None);
        assert_eq!(quota(429, &[]), None);
        assert_eq!(quota(500, &[("retry-after", "3600")]), None);
        // A cap of zero and a hint under a millisecond: no hint at all.
        let no_cap = RetryPolicy::default().max_retry_after(Duration::ZERO);
        let error = api_error(429, &[("retry-after-ms", "0.5")]);
        assert_eq!(no_cap.quota_exhausted(&error), None);
        assert_eq!(
            no_cap.decide(&error, Duration::from_millis(500)),
            Decision::RetryAfter(Duration::from_millis(500))
        );
    }

    #[test]
    fn tiny_jitter_does_not_panic() {
        for fraction in [0.001, 0.004, 0.006, 0.999, f32::MIN_POSITIVE] {
            let policy = RetryPolicy::default().jitter(fraction).max_retries(3);
            let mut schedule = policy.schedule();
            while schedule.next_backoff().is_some() {}
        }
    }

    #[test]
    fn jitter_stays_within_a_quarter() {
        let policy = RetryPolicy::default().max_retries(1);
        for _ in 0..1000 {
            let wait = policy.schedule().next_backoff().unwrap();
            assert!(
                wait >= Duration::from_millis(500) && wait <= Duration::from_millis(625),
                "{wait:?}"
            );
        }
    }
}
