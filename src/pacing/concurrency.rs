//! The adaptive concurrency limit of a batch: AIMD on the requests in
//! flight, driven by latency and overload.

use std::time::Duration;

use tokio::time::Instant;

/// The adaptive concurrency limit: AIMD on the number of requests in
/// flight, driven by latency, as in Netflix's concurrency-limits.
///
/// - It starts at the batch's concurrency, which it never exceeds: that is
///   what the caller allowed, and a server that keeps up should get it.
/// - **Latency growth** (the recent average latency more than
///   [`LATENCY_TOLERANCE`] times the lowest seen, and more than
///   [`LATENCY_SLACK`] above it), a 503, a 504 or a timeout: the limit
///   becomes [`CONCURRENCY_DECREASE`] of itself (rounded down), never below 1,
///   at most once per round trip.
/// - **After a limit's worth of answers** without growth since the last
///   change, it rises by one.
///
/// A 429 does not lower it: the adaptive rate answers that, and fewer
/// requests in flight would only slow a batch whose server keeps up.
#[derive(Debug)]
pub(super) struct ConcurrencyLimit {
    max: usize,
    limit: usize,
    /// The lowest latency seen, drifting slowly up towards the samples, so
    /// that a server that became slower for good is not taken as overloaded
    /// forever.
    baseline: Option<f64>,
    /// Exponential moving average of recent latencies, in seconds.
    recent: Option<f64>,
    changed_at: Option<Instant>,
    good_since_change: usize,
}

/// How many times the lowest latency the recent latency may reach.
pub(crate) const LATENCY_TOLERANCE: f64 = 2.0;
/// How far above the lowest latency the recent latency may be anyway: on
/// loopback or a LAN, a few milliseconds of noise double the latency.
pub(crate) const LATENCY_SLACK: Duration = Duration::from_millis(10);
/// The factor of a decrease of the concurrency limit.
pub(crate) const CONCURRENCY_DECREASE: f64 = 0.75;
/// The weight of a new sample in the recent latency.
const RECENT_WEIGHT: f64 = 0.2;
/// How fast the baseline drifts towards higher samples.
const BASELINE_DRIFT: f64 = 0.001;

impl ConcurrencyLimit {
    pub(super) fn new(max: usize) -> Self {
        let max = max.max(1);
        Self {
            max,
            limit: max,
            baseline: None,
            recent: None,
            changed_at: None,
            good_since_change: 0,
        }
    }

    pub(super) fn limit(&self) -> usize {
        self.limit
    }

    pub(super) fn on_latency(&mut self, admitted_at: Instant, now: Instant) {
        let sample = now.duration_since(admitted_at).as_secs_f64();
        let baseline = match self.baseline {
            Some(baseline) if sample < baseline => sample,
            Some(baseline) => baseline + (sample - baseline) * BASELINE_DRIFT,
            None => sample,
        };
        let recent = self
            .recent
            .map_or(sample, |recent| recent + (sample - recent) * RECENT_WEIGHT);
        self.baseline = Some(baseline);
        self.recent = Some(recent);
        let grown = recent > baseline * LATENCY_TOLERANCE
            && recent - baseline > LATENCY_SLACK.as_secs_f64();
        if grown {
            self.decrease(admitted_at, now);
        } else {
            self.good_since_change += 1;
            if self.good_since_change >= self.limit && self.limit < self.max {
                self.limit += 1;
                self.good_since_change = 0;
            }
        }
    }

    pub(super) fn on_overload(&mut self, admitted_at: Instant, now: Instant) {
        self.decrease(admitted_at, now);
    }

    fn decrease(&mut self, admitted_at: Instant, now: Instant) {
        if self.changed_at.is_some_and(|at| admitted_at < at) {
            return;
        }
        self.limit = ((self.limit as f64 * CONCURRENCY_DECREASE) as usize).max(1);
        self.changed_at = Some(now);
        self.good_since_change = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn concurrency_backs_off_on_latency_growth_and_probes_back_up() {
        let mut limit = ConcurrencyLimit::new(8);
        let mut now = Instant::now();
        let answer = |limit: &mut ConcurrencyLimit, now: &mut Instant, latency: Duration| {
            let sent = *now;
            *now += latency;
            limit.on_latency(sent, *now);
        };
        for _ in 0..20 {
            answer(&mut limit, &mut now, 20 * MS);
        }
        assert_eq!(limit.limit(), 8, "steady latency keeps the limit");
        for _ in 0..200 {
            answer(&mut limit, &mut now, 200 * MS);
        }
        assert_eq!(limit.limit(), 1, "never below 1");
        for _ in 0..200 {
            answer(&mut limit, &mut now, 20 * MS);
        }
        assert_eq!(limit.limit(), 8, "back up, never above the maximum");
    }

    #[test]
    fn small_latency_noise_is_not_growth() {
        let mut limit = ConcurrencyLimit::new(8);
        let mut now = Instant::now();
        for i in 0..1000u32 {
            let sent = now;
            // 0.2 to 3 ms: ten times the lowest, yet within the slack.
            now += Duration::from_micros(200 + u64::from(i % 7) * 400);
            limit.on_latency(sent, now);
        }
        assert_eq!(limit.limit(), 8);
    }

    #[test]
    fn overload_lowers_the_limit_once_per_round_trip() {
        let mut limit = ConcurrencyLimit::new(8);
        let now = Instant::now();
        limit.on_overload(now, now + 10 * MS);
        limit.on_overload(now, now + 11 * MS);
        assert_eq!(limit.limit(), 6);
        limit.on_overload(now + 12 * MS, now + 30 * MS);
        assert_eq!(limit.limit(), 4);
    }
}
