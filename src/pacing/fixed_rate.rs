//! The fixed maximum rate of a batch (`BulkOptions::max_rate`): governor's
//! GCRA, adapted to tokio's clock and timer.

use std::num::NonZeroU32;
use std::ops::Add;
use std::time::Duration;

use governor::clock::{Clock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use tokio::time::Instant;

/// The fixed maximum rate: governor's GCRA, on tokio's clock so that it
/// follows paused time in tests, and waited for with tokio's timer.
#[derive(Debug)]
pub(super) struct FixedRate(
    RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<TokioInstant>>,
);

impl FixedRate {
    pub(super) fn new(per_second: NonZeroU32) -> Self {
        // Evenly spaced, with a burst of 5 ms' worth (at least 1 extra): a
        // server's own burst allowance is unknown, and a second's worth
        // could meet an empty bucket; but a timer wakes up late by up to a
        // millisecond, and without any burst each late wake-up would be
        // lost for good (at 300 a second, a quarter of the rate).
        let period = Duration::from_secs(1) / per_second.get();
        let burst = NonZeroU32::MIN.saturating_add(per_second.get().div_ceil(200));
        let quota = Quota::with_period(period.max(Duration::from_nanos(1)))
            .map(|quota| quota.allow_burst(burst))
            .unwrap_or_else(|| Quota::per_second(per_second));
        Self(RateLimiter::direct_with_clock(quota, TokioClock))
    }

    pub(super) async fn until_ready(&self) {
        while let Err(not_until) = self.0.check() {
            let wait = not_until.wait_time_from(TokioClock.now());
            tokio::time::sleep(wait).await;
        }
    }
}

/// tokio's clock, for governor.
#[derive(Debug, Clone, Copy, Default)]
struct TokioClock;

impl Clock for TokioClock {
    type Instant = TokioInstant;

    fn now(&self) -> TokioInstant {
        TokioInstant(Instant::now())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct TokioInstant(Instant);

impl Add<Nanos> for TokioInstant {
    type Output = Self;

    fn add(self, nanos: Nanos) -> Self {
        Self(self.0 + Duration::from(nanos))
    }
}

impl Reference for TokioInstant {
    fn duration_since(&self, earlier: Self) -> Nanos {
        Nanos::from(self.0.saturating_duration_since(earlier.0))
    }

    fn saturating_sub(&self, duration: Nanos) -> Self {
        Self(
            self.0
                .checked_sub(Duration::from(duration))
                .unwrap_or(self.0),
        )
    }
}
