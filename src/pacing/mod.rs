//! How fast a batch sends: the pause the server asks for on 429, an optional
//! fixed maximum rate, and the adaptive control of the send rate and of the
//! number of requests in flight.
//!
//! Every attempt of a batch asks the batch's [`Pacer`] for an [`Admission`]
//! before it is sent and reports how it went when it is done. The pacer
//! holds the attempt back while
//!
//! 1. the batch is paused (the server answered 429 and said how long to wait);
//! 2. the adaptive concurrency limit is reached (see [`ConcurrencyLimit`]);
//! 3. the fixed maximum rate has no token left (governor's GCRA);
//! 4. the adaptive send rate has no slot yet (see [`AdaptiveRate`]).
//!
//! Why the rate and not only the concurrency adapts: a server that limits
//! requests per second (a token bucket) answers in milliseconds, so even one
//! request in flight can send far more than its quota; only a limit on the
//! rate keeps the batch under it. The concurrency limit answers the other
//! kind of overload, a server that slows down, whose sign is latency.
//!
//! Here: the pacer, its admission, and what an attempt's outcome teaches it.
//! Each rule of the pace has a file of its own: the adaptive send rate
//! (`adaptive_rate`), the adaptive concurrency limit (`concurrency`) and the
//! fixed maximum rate (`fixed_rate`, governor on tokio's clock).
//!
//! Time is `tokio::time`, so that tests run the rules with paused time.

mod adaptive_rate;
mod concurrency;
mod fixed_rate;

use std::num::NonZeroU32;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use futures_util::future::Either;
use reqwest::StatusCode;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::error::{Error, NotSent};
use crate::response::UpdateContactOutput;
use adaptive_rate::AdaptiveRate;
use concurrency::ConcurrencyLimit;
use fixed_rate::FixedRate;

/// The longest pause a batch takes: as good as forever, and far enough
/// from the end of `Instant`'s range that slots booked after it still fit.
const LONGEST_PAUSE: Duration = Duration::from_secs(30 * 365 * 86_400);

/// What a batch's pacer does, from `BulkOptions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PacingOptions {
    /// The batch's concurrency: the adaptive limit never goes above it.
    pub(crate) concurrency: usize,
    /// Requests per second at most; `None`: no fixed rate.
    pub(crate) max_rate: Option<NonZeroU32>,
    /// Whether the send rate and the concurrency adapt.
    pub(crate) adaptive: bool,
    /// How many 429s in a row an update may get, with no success in the
    /// batch between them, before it fails.
    pub(crate) max_throttled_retries: u32,
}

/// The pace of one batch: shared by all its requests.
#[derive(Debug)]
pub(crate) struct Pacer {
    state: Mutex<State>,
    /// Woken when a request finishes or the limit rises, for requests
    /// waiting for a slot.
    slot_freed: Notify,
    fixed: Option<FixedRate>,
    adaptive: bool,
    max_throttled_retries: u32,
    /// Why the batch sends nothing more, once it was stopped.
    stopped: Mutex<Option<NotSent>>,
    /// Woken when the batch is stopped, for requests waiting to be admitted.
    stop_signal: Notify,
}

#[derive(Debug)]
struct State {
    /// No request of the batch starts before this (the server's 429 hint).
    resume_at: Option<Instant>,
    in_flight: usize,
    /// Attempts of the batch that succeeded so far.
    successes: u64,
    concurrency: ConcurrencyLimit,
    rate: AdaptiveRate,
}

impl Pacer {
    pub(crate) fn new(options: PacingOptions) -> Self {
        let now = Instant::now();
        Self {
            state: Mutex::new(State {
                resume_at: None,
                in_flight: 0,
                successes: 0,
                concurrency: ConcurrencyLimit::new(options.concurrency),
                rate: AdaptiveRate::new(now),
            }),
            slot_freed: Notify::new(),
            fixed: options.max_rate.map(FixedRate::new),
            adaptive: options.adaptive,
            max_throttled_retries: options.max_throttled_retries,
            stopped: Mutex::new(None),
            stop_signal: Notify::new(),
        }
    }

    /// Sends nothing more: every attempt not yet admitted, and every later
    /// one, is refused with `reason` (the first reason given stays).
    pub(crate) fn stop(&self, reason: NotSent) {
        self.stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(reason);
        self.stop_signal.notify_waiters();
    }

    /// Why the batch was stopped, if it was.
    pub(crate) fn stopped(&self) -> Option<NotSent> {
        self.stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits until the batch is stopped, and says why.
    pub(crate) async fn until_stopped(&self) -> NotSent {
        loop {
            // Created before the check, so that a stop between the check
            // and the wait is not missed.
            let signal = self.stop_signal.notified();
            if let Some(reason) = self.stopped() {
                return reason;
            }
            signal.await;
        }
    }

    /// How many attempts of the batch have succeeded so far: an update
    /// that gets 429 after 429 learns from it whether the batch moves.
    pub(crate) fn successes(&self) -> u64 {
        self.state().successes
    }

    /// How many 429s in a row, with no success in the batch between them,
    /// an update may get before it fails.
    pub(crate) fn max_throttled_retries(&self) -> u32 {
        self.max_throttled_retries
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // No code panics while holding the lock; a batch must keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Holds every request of the batch back for `wait` from now (or longer,
    /// if another pause already runs longer).
    pub(crate) fn pause_for(&self, wait: Duration) {
        // Saturated: a hint of `u64::MAX` seconds honoured under a cap of
        // `Duration::MAX` is past what `Instant` holds.
        let until = Instant::now() + wait.min(LONGEST_PAUSE);
        let mut state = self.state();
        if state.resume_at.is_none_or(|at| at < until) {
            state.resume_at = Some(until);
        }
        // The requests held back go out spaced by the rate after the pause,
        // not all at its end.
        state.rate.next_at = state.rate.next_at.max(until);
    }

    /// Waits until the batch is not paused.
    async fn unpaused(&self) {
        loop {
            let resume_at = self.state().resume_at;
            match resume_at {
                Some(at) if at > Instant::now() => tokio::time::sleep_until(at).await,
                _ => return,
            }
        }
    }

    /// Returns once this attempt may be sent: the batch is not paused, a
    /// slot is free under the adaptive concurrency limit, and the fixed and
    /// adaptive rates allow it. Report how the attempt went with
    /// [`Admission::finish`]; dropping the admission frees its slot.
    ///
    /// `Err` with the reason once the batch is stopped, also while waiting.
    pub(crate) async fn admit(&self) -> Result<Admission<'_>, NotSent> {
        if let Some(reason) = self.stopped() {
            return Err(reason);
        }
        // Stopped first when both are ready, so that a stop is never
        // outrun by a slot freed at the same moment.
        let stopped = std::pin::pin!(self.until_stopped());
        let admission = std::pin::pin!(self.admission());
        match futures_util::future::select(stopped, admission).await {
            Either::Left((reason, _)) => Err(reason),
            Either::Right((admission, _)) => Ok(admission),
        }
    }

    async fn admission(&self) -> Admission<'_> {
        self.unpaused().await;
        // A slot first, so that requests waiting for the rate hold one:
        // the limit then bounds those sent and those about to be.
        loop {
            // Created before the check, so that a slot freed between the
            // check and the wait is not missed.
            let freed = self.slot_freed.notified();
            {
                let mut state = self.state();
                if state.in_flight < state.concurrency.limit() {
                    state.in_flight += 1;
                    break;
                }
            }
            freed.await;
        }
        // From here on the slot is held; the guard frees it if this future
        // is dropped while it waits for the rate.
        let mut admission = Admission {
            pacer: self,
            admitted_at: Instant::now(),
        };
        if let Some(fixed) = &self.fixed {
            fixed.until_ready().await;
        }
        loop {
            let mut booked_at_decreases = 0;
            if self.adaptive {
                let now = Instant::now();
                let (slot, decreases) = {
                    let mut state = self.state();
                    (state.rate.reserve(now), state.rate.decreases)
                };
                booked_at_decreases = decreases;
                // Only a slot ahead is waited for: tokio's timer rounds a
                // deadline up to its next millisecond, so even a deadline of
                // now would hold every request back by up to 1 ms.
                if slot > now {
                    tokio::time::sleep_until(slot).await;
                }
            }
            // A 429 may have come back while this one waited for the rate:
            // then it waits out the pause, and books a slot again, spaced by
            // the new rate rather than the one that got the 429.
            let (resume_at, decreases) = {
                let state = self.state();
                (state.resume_at, state.rate.decreases)
            };
            match resume_at {
                Some(at) if at > Instant::now() => tokio::time::sleep_until(at).await,
                _ if self.adaptive && decreases != booked_at_decreases => {}
                _ => break,
            }
        }
        admission.admitted_at = Instant::now();
        admission
    }

    fn release(&self, outcome: Option<(LoadSignal, Instant)>) {
        let mut state = self.state();
        state.in_flight = state.in_flight.saturating_sub(1);
        if matches!(outcome, Some((LoadSignal::Succeeded, _))) {
            state.successes += 1;
        }
        if let (true, Some((outcome, admitted_at))) = (self.adaptive, outcome) {
            let now = Instant::now();
            let State {
                concurrency, rate, ..
            } = &mut *state;
            match outcome {
                LoadSignal::Answered => concurrency.on_latency(admitted_at, now),
                LoadSignal::Succeeded => {
                    rate.on_success(admitted_at, now);
                    concurrency.on_latency(admitted_at, now);
                }
                LoadSignal::Throttled => rate.on_throttled(admitted_at, now),
                LoadSignal::Overloaded => concurrency.on_overload(admitted_at, now),
                LoadSignal::Other => {}
            }
        }
        drop(state);
        self.slot_freed.notify_waiters();
    }

    /// The adaptive concurrency limit now (for tests).
    #[cfg(test)]
    fn concurrency_limit(&self) -> usize {
        self.state().concurrency.limit()
    }

    /// The adaptive send rate now, if one is set (for tests).
    #[cfg(test)]
    fn rate(&self) -> Option<f64> {
        self.state().rate.rate
    }
}

/// Leave to send one attempt; hold it while the attempt runs.
#[derive(Debug)]
pub(crate) struct Admission<'a> {
    pacer: &'a Pacer,
    admitted_at: Instant,
}

impl Admission<'_> {
    /// Tells the pacer how the attempt went: its latency and outcome adjust
    /// the batch's rate and concurrency. `cut_short`: the call's deadline
    /// left the attempt less than its usual time, so a timeout is the
    /// deadline's doing, not a sign of overload.
    pub(crate) fn finish(self, result: &Result<UpdateContactOutput, Error>, cut_short: bool) {
        self.finish_with(LoadSignal::of(result, cut_short));
    }

    fn finish_with(self, outcome: LoadSignal) {
        let admitted_at = self.admitted_at;
        let pacer = self.pacer;
        std::mem::forget(self);
        pacer.release(Some((outcome, admitted_at)));
    }
}

impl Drop for Admission<'_> {
    /// An attempt abandoned (its batch dropped) frees its slot and teaches
    /// nothing.
    fn drop(&mut self) {
        self.pacer.release(None);
    }
}

/// What an attempt's result says about the server's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LoadSignal {
    /// A success: the server kept up.
    Succeeded,
    /// 429: over the server's rate.
    Throttled,
    /// 503, 504 or a timeout: the server is overloaded.
    Overloaded,
    /// Another answer (a 404, a 422, ...): its latency counts, nothing else.
    Answered,
    /// No answer for another reason (connection refused, ...): says nothing.
    Other,
}

impl LoadSignal {
    fn of(result: &Result<UpdateContactOutput, Error>, cut_short: bool) -> Self {
        let error = match result {
            Ok(_) => return Self::Succeeded,
            Err(error) => error,
        };
        match error.status() {
            Some(StatusCode::TOO_MANY_REQUESTS) => Self::Throttled,
            Some(StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT) => Self::Overloaded,
            // A 2xx whose body did not decode or was too large: the server
            // kept up.
            Some(status) if status.is_success() => Self::Succeeded,
            Some(_) => Self::Answered,
            None if matches!(error, Error::Timeout { .. }) => Self::timed_out(cut_short),
            None => Self::Other,
        }
    }

    /// A timeout: overload, unless the call's deadline left the attempt
    /// less than its usual time, when it says nothing about the server.
    fn timed_out(cut_short: bool) -> Self {
        if cut_short {
            Self::Other
        } else {
            Self::Overloaded
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use futures_util::stream::{self, StreamExt};

    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn adaptive(concurrency: usize) -> PacingOptions {
        PacingOptions {
            concurrency,
            max_rate: None,
            adaptive: true,
            max_throttled_retries: 10,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_pacer_holds_requests_to_the_concurrency_limit() {
        let pacer = Pacer::new(adaptive(2));
        let first = pacer.admission().await;
        let _second = pacer.admission().await;
        let third = pacer.admission();
        tokio::pin!(third);
        assert!(
            tokio::time::timeout(Duration::from_secs(5), &mut third)
                .await
                .is_err(),
            "a third request went out with two in flight"
        );
        // Dropping an admission (an abandoned attempt) frees its slot.
        drop(first);
        let _third = tokio::time::timeout(MS, third).await.unwrap();
        assert_eq!(pacer.concurrency_limit(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_rate_admission_takes_no_time() {
        // Between whole milliseconds, a timer set for now would fire only
        // at the next one, and the paused clock would jump there; so this
        // fails if admission waits for a slot it already has.
        let pacer = Pacer::new(adaptive(1));
        let started = Instant::now();
        let step = Duration::from_micros(100);
        for _ in 0..100 {
            tokio::time::advance(step).await;
            pacer.admission().await.finish_with(LoadSignal::Succeeded);
        }
        assert_eq!(started.elapsed(), 100 * step);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_does_not_lower_the_concurrency_limit() {
        let pacer = Pacer::new(adaptive(8));
        for _ in 0..50 {
            pacer.admission().await.finish_with(LoadSignal::Succeeded);
            tokio::time::advance(10 * MS).await;
        }
        pacer.admission().await.finish_with(LoadSignal::Throttled);
        assert_eq!(pacer.concurrency_limit(), 8);
        assert!(pacer.rate().is_some());
        pacer.admission().await.finish_with(LoadSignal::Overloaded);
        assert_eq!(pacer.concurrency_limit(), 6);
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_the_deadline_cut_short_is_not_overload() {
        let pacer = Pacer::new(adaptive(8));
        pacer
            .admission()
            .await
            .finish_with(LoadSignal::timed_out(true));
        assert_eq!(pacer.concurrency_limit(), 8);
        pacer
            .admission()
            .await
            .finish_with(LoadSignal::timed_out(false));
        assert_eq!(pacer.concurrency_limit(), 6);
    }

    #[tokio::test(start_paused = true)]
    async fn not_adaptive_learns_nothing() {
        let pacer = Pacer::new(PacingOptions {
            adaptive: false,
            ..adaptive(8)
        });
        for _ in 0..50 {
            pacer.admission().await.finish_with(LoadSignal::Succeeded);
            tokio::time::advance(10 * MS).await;
        }
        pacer.admission().await.finish_with(LoadSignal::Throttled);
        pacer.admission().await.finish_with(LoadSignal::Overloaded);
        assert_eq!((pacer.concurrency_limit(), pacer.rate()), (8, None));
    }

    #[tokio::test(start_paused = true)]
    async fn the_fixed_rate_is_respected() {
        let pacer = Pacer::new(PacingOptions {
            max_rate: NonZeroU32::new(50),
            adaptive: false,
            ..adaptive(8)
        });
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..101 {
            let admission = pacer.admission().await;
            sent.push(Instant::now());
            admission.finish_with(LoadSignal::Succeeded);
        }
        // 50 per second, evenly, with a burst of 2 (5 ms' worth, at least
        // one extra): never more than 2 in 20 ms, 101 in 1.98 to 2 s.
        assert_eq!((sent[0], sent[1]), (start, start));
        for (i, pair) in sent.windows(3).enumerate() {
            assert!(
                pair[2] - pair[0] >= 20 * MS - Duration::from_micros(1),
                "requests {i} to {}: {:?}",
                i + 2,
                pair[2] - pair[0]
            );
        }
        assert!(sent[100] - start <= Duration::from_secs(2) + MS);
        assert!(sent[100] - start >= Duration::from_millis(1980) - MS);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_refuses_admission_and_ends_every_wait() {
        let pacer = Pacer::new(PacingOptions {
            max_rate: NonZeroU32::new(1),
            ..adaptive(8)
        });
        pacer
            .admit()
            .await
            .unwrap()
            .finish_with(LoadSignal::Succeeded);
        pacer.pause_for(Duration::from_secs(3600));
        let waiting = pacer.admit();
        tokio::pin!(waiting);
        assert!(
            tokio::time::timeout(Duration::from_secs(5), &mut waiting)
                .await
                .is_err()
        );
        let start = Instant::now();
        pacer.stop(NotSent::Stopped);
        pacer.stop(NotSent::EarlierUpdateFailed { index: 0 });
        assert_eq!(waiting.await.unwrap_err(), NotSent::Stopped);
        assert_eq!(Instant::now(), start, "the wait ended at once");
        assert_eq!(pacer.admit().await.unwrap_err(), NotSent::Stopped);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_request_back() {
        let pacer = Pacer::new(adaptive(8));
        let start = Instant::now();
        pacer.pause_for(Duration::from_millis(400));
        pacer.pause_for(Duration::from_millis(100));
        let _admission = pacer.admission().await;
        assert_eq!(Instant::now() - start, Duration::from_millis(400));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_too_long_for_the_clock_saturates() {
        let pacer = Pacer::new(adaptive(8));
        let start = Instant::now();
        pacer.pause_for(Duration::MAX);
        pacer.pause_for(Duration::from_secs(u64::MAX));
        let admission = pacer.admission().await;
        assert_eq!(Instant::now() - start, LONGEST_PAUSE);
        admission.finish_with(LoadSignal::Throttled);
        pacer.admission().await.finish_with(LoadSignal::Succeeded);
    }

    /// A server with a token bucket: `rate` tokens a second, `burst` at most.
    struct Bucket {
        rate: f64,
        burst: f64,
        tokens: f64,
        at: Instant,
    }

    impl Bucket {
        /// `Err(wait)`: refused, a token comes in `wait` (rounded up to a
        /// millisecond, as `retry-after-ms`).
        fn take(&mut self, now: Instant) -> Result<(), Duration> {
            let elapsed = now.duration_since(self.at).as_secs_f64();
            self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
            self.at = now;
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                Ok(())
            } else {
                let ms = ((1.0 - self.tokens) / self.rate * 1000.0).ceil();
                Err(Duration::from_millis(ms as u64))
            }
        }
    }

    /// What a run against a bucket measured.
    struct Run {
        elapsed: Duration,
        /// The share of answers that were 429s.
        throttled: f64,
        /// The most 429s one update got.
        most_refused: u32,
    }

    /// Runs `updates` through a pacer as a batch does (`concurrency` at a
    /// time, each retried after the pause on 429) against a token bucket of
    /// 300 per second.
    async fn against_a_bucket(
        updates: usize,
        burst: f64,
        latency: Duration,
        options: PacingOptions,
    ) -> Run {
        let pacer = Arc::new(Pacer::new(options));
        let bucket = Arc::new(Mutex::new(Bucket {
            rate: 300.0,
            burst,
            tokens: burst,
            at: Instant::now(),
        }));
        let throttled = Arc::new(Mutex::new(0usize));
        let start = Instant::now();
        let most_refused = stream::iter(0..updates)
            .map(|_| {
                let (pacer, bucket, throttled) = (
                    Arc::clone(&pacer),
                    Arc::clone(&bucket),
                    Arc::clone(&throttled),
                );
                async move {
                    let mut refused = 0;
                    loop {
                        let admission = pacer.admission().await;
                        // The server decides half way, as the request arrives.
                        tokio::time::sleep(latency / 2).await;
                        let verdict = bucket.lock().unwrap().take(Instant::now());
                        tokio::time::sleep(latency / 2).await;
                        match verdict {
                            Ok(()) => {
                                admission.finish_with(LoadSignal::Succeeded);
                                return refused;
                            }
                            Err(wait) => {
                                refused += 1;
                                *throttled.lock().unwrap() += 1;
                                admission.finish_with(LoadSignal::Throttled);
                                pacer.pause_for(wait);
                            }
                        }
                    }
                }
            })
            .buffer_unordered(options.concurrency)
            .collect::<Vec<u32>>()
            .await;
        let throttled = *throttled.lock().unwrap();
        Run {
            elapsed: Instant::now() - start,
            throttled: throttled as f64 / (updates + throttled) as f64,
            most_refused: most_refused.into_iter().max().unwrap_or(0),
        }
    }

    /// The goal, in paused time: 3,000 updates at 300 per second
    /// take at most 1.15 times the ideal 10 s, with at most 5% of 429s, for
    /// several latencies and bursts. (Timers here tick in milliseconds, so
    /// arrivals jitter by up to one; with a burst of 1, the server refuses
    /// any two requests closer than 3.3 ms, and the rate settles lower: see
    /// the next test.)
    #[tokio::test(start_paused = true)]
    async fn adaptive_rate_meets_the_goal_against_a_token_bucket() {
        let mut missed = Vec::new();
        for latency in [Duration::from_micros(200), 5 * MS, 20 * MS] {
            for burst in [10.0, 300.0] {
                let run = against_a_bucket(3000, burst, latency, adaptive(8)).await;
                let ratio = run.elapsed.as_secs_f64() / 10.0;
                let figures = format!(
                    "latency {latency:?}, burst {burst}: {ratio:.3}x the ideal, {:.1}% 429s, at most {} for one update",
                    run.throttled * 100.0,
                    run.most_refused
                );
                eprintln!("{figures}");
                // More than 2 429s for one update would exhaust the default
                // retry policy (2 retries), and the update would fail. On a
                // loopback-fast server, the first tens of milliseconds, while
                // the rate comes down from thousands a second, can refuse
                // one update a third time (see BENCHMARKS.md §7).
                let most = if latency < 5 * MS { 3 } else { 2 };
                if ratio > 1.15 || run.throttled > 0.05 || run.most_refused > most {
                    missed.push(figures);
                }
            }
        }
        assert!(missed.is_empty(), "{missed:#?}");
    }

    /// A server without any burst allowance: the rate settles below its
    /// capacity, by the jitter of arrivals, but the 429s stay few.
    #[tokio::test(start_paused = true)]
    async fn without_a_burst_the_429s_stay_few() {
        let run = against_a_bucket(3000, 1.0, 20 * MS, adaptive(8)).await;
        assert!(run.throttled <= 0.05, "{:.1}% 429s", run.throttled * 100.0);
        assert!(run.elapsed < Duration::from_secs(15), "{:?}", run.elapsed);
    }

    /// Without adaptive control, the pause alone lets many requests meet an
    /// empty bucket (12% here): what the adaptive rate is for.
    #[tokio::test(start_paused = true)]
    async fn the_pause_alone_gets_many_429s() {
        let options = PacingOptions {
            adaptive: false,
            ..adaptive(8)
        };
        let run = against_a_bucket(3000, 10.0, 20 * MS, options).await;
        assert!(run.throttled > 0.1, "{:.1}% 429", run.throttled * 100.0);
    }
}
