//! The adaptive send rate of a batch: AIMD on requests per second, driven
//! by the server's 429s.

use std::time::Duration;

use tokio::time::Instant;

/// The adaptive send rate: AIMD on requests per second, in the manner of
/// TCP's congestion control and of the AWS SDKs' "adaptive" retry mode.
///
/// Hand-written: governor's quota cannot change once its limiter is built,
/// and the adaptive-limiter crates (congestion-limiter and the ports of
/// Netflix's concurrency-limits) control concurrency, which cannot bound the
/// rate against a server that answers at once. The rules:
///
/// - **No rate at first**: the batch sends as fast as its concurrency lets it,
///   so that a server without a rate limit costs nothing.
/// - **The first 429** seeds the rate at [`SEED_FACTOR`] times the rate the
///   batch was sending at (over the last second). That is above the
///   server's, perhaps far above (a burst the server allowed at the start
///   makes it look faster than it is); the next rules bring it down.
/// - **On a later 429** (at most one per round trip: a 429 for a request
///   sent before the last decrease was sent at the old rate and says
///   nothing new), the rate becomes [`MIN_DECREASE`] times the server's
///   rate, as measured by the successes of the requests sent since the 429s
///   began: while the server refuses some requests, those it accepts come at
///   its own rate. Until there are enough of those (see [`Episode`]), the
///   rate is multiplied by `1 - share`, where `share` is the share of 429s
///   among the last [`RECENT_ANSWERS`] answers (as DCTCP scales its cut by
///   the share of marked packets), kept between [`MAX_DECREASE`] and
///   [`MIN_DECREASE`]: far above the server's rate most answers are 429s
///   and the rate drops to a quarter; just above it, one answer in many is,
///   and the rate drops by a tenth.
/// - **After each success**, the rate grows by [`GROWTH`] requests per
///   second, so by `GROWTH` times itself per second: it gets back to the
///   server's rate within a second or two, and overshoots it by little in
///   one round trip. It stays at most [`HEADROOM`] times the measured send
///   rate, so that a batch held back by something else (its concurrency, a
///   slow server) does not build up a rate it never used.
/// - Never below [`MIN_RATE`].
#[derive(Debug)]
pub(super) struct AdaptiveRate {
    /// Requests per second; `None` until the first 429.
    pub(super) rate: Option<f64>,
    /// The earliest time the next request may go.
    pub(super) next_at: Instant,
    /// When the rate was last decreased.
    decreased_at: Option<Instant>,
    /// How many times it was.
    pub(super) decreases: u64,
    recent: RecentAnswers,
    sent: SendWindow,
    episode: Option<Episode>,
}

/// The last [`RECENT_ANSWERS`] answers: whether each was a 429.
#[derive(Debug, Default)]
struct RecentAnswers {
    /// Bit 0 is the latest answer; a set bit a 429.
    throttled: u32,
    count: u32,
}

/// How many answers the share of 429s is taken over.
pub(crate) const RECENT_ANSWERS: u32 = 16;

impl RecentAnswers {
    fn push(&mut self, throttled: bool) {
        self.throttled = (self.throttled << 1 | u32::from(throttled)) & ((1 << RECENT_ANSWERS) - 1);
        self.count = (self.count + 1).min(RECENT_ANSWERS);
    }

    /// The share of 429s, over at least [`MIN_ANSWERS`]: one 429 in the
    /// first two answers is too few to say that half are refused.
    fn share(&self) -> f64 {
        f64::from(self.throttled.count_ones()) / f64::from(self.count.max(MIN_ANSWERS))
    }
}

/// A run of 429s, none more than [`EPISODE_GAP`] after the one before.
/// While the server refuses some requests, those it accepts come at its own
/// rate: the successes of the requests sent since the episode began measure
/// it (by the time between the first and the last, so that the latency does
/// not count).
#[derive(Debug)]
struct Episode {
    started: Instant,
    last_429: Instant,
    first_success: Option<Instant>,
    last_success: Option<Instant>,
    succeeded: u32,
}

/// A 429 this long after the last one starts a new episode.
const EPISODE_GAP: Duration = Duration::from_secs(1);
/// The shortest span of successes, and the fewest, that measure the
/// server's rate: fewer would be noise.
const EPISODE_MIN: Duration = Duration::from_millis(10);
const EPISODE_MIN_SUCCESSES: u32 = 5;

impl Episode {
    fn new(now: Instant) -> Self {
        Self {
            started: now,
            last_429: now,
            first_success: None,
            last_success: None,
            succeeded: 0,
        }
    }

    fn on_success(&mut self, admitted_at: Instant, now: Instant) {
        if admitted_at < self.started {
            return;
        }
        self.first_success.get_or_insert(now);
        self.last_success = Some(now);
        self.succeeded = self.succeeded.saturating_add(1);
    }

    /// The server's rate, as the successes since the episode began show it.
    fn server_rate(&self) -> Option<f64> {
        let span = self.last_success?.duration_since(self.first_success?);
        (span >= EPISODE_MIN && self.succeeded >= EPISODE_MIN_SUCCESSES)
            .then(|| f64::from(self.succeeded - 1) / span.as_secs_f64())
    }
}

/// The factor from the send rate to the rate seeded by the first 429.
pub(crate) const SEED_FACTOR: f64 = 0.5;
/// The smallest factor of a decrease (the largest cut).
pub(crate) const MAX_DECREASE: f64 = 0.25;
/// The largest factor of a decrease (the smallest cut).
pub(crate) const MIN_DECREASE: f64 = 0.9;
/// The fewest answers the share of 429s is taken over.
pub(crate) const MIN_ANSWERS: u32 = 8;
/// Requests per second added to the rate by each success.
pub(crate) const GROWTH: f64 = 0.3;
/// How far above the measured send rate the rate may grow.
pub(crate) const HEADROOM: f64 = 2.0;
/// The lowest rate, in requests per second.
pub(crate) const MIN_RATE: f64 = 1.0;

impl AdaptiveRate {
    pub(super) fn new(now: Instant) -> Self {
        Self {
            rate: None,
            next_at: now,
            decreased_at: None,
            decreases: 0,
            recent: RecentAnswers::default(),
            sent: SendWindow::new(now),
            episode: None,
        }
    }

    /// Books the next slot: when a request asking now may go.
    pub(super) fn reserve(&mut self, now: Instant) -> Instant {
        let slot = match self.rate {
            None => now,
            Some(rate) => {
                let slot = self.next_at.max(now);
                self.next_at = slot + Duration::from_secs_f64(1.0 / rate);
                slot
            }
        };
        self.sent.record(slot);
        slot
    }

    pub(super) fn on_success(&mut self, admitted_at: Instant, now: Instant) {
        self.recent.push(false);
        if let Some(episode) = &mut self.episode {
            episode.on_success(admitted_at, now);
        }
        if let Some(rate) = &mut self.rate {
            let ceiling = self
                .sent
                .per_second(now)
                .map_or(f64::MAX, |measured| (measured * HEADROOM).max(MIN_RATE));
            *rate = (*rate + GROWTH).min(ceiling.max(*rate));
        }
    }

    pub(super) fn on_throttled(&mut self, admitted_at: Instant, now: Instant) {
        self.recent.push(true);
        match &mut self.episode {
            Some(episode) if now.duration_since(episode.last_429) <= EPISODE_GAP => {
                episode.last_429 = now;
            }
            _ => self.episode = Some(Episode::new(now)),
        }
        if self.decreased_at.is_some_and(|at| admitted_at < at) {
            return;
        }
        let Some(base) = self.rate.or_else(|| self.sent.per_second(now)) else {
            // Nothing sent yet that the window still holds: nothing to seed
            // from, and the pause the server asks for holds the batch back.
            return;
        };
        let rate = match self.episode.as_ref().and_then(Episode::server_rate) {
            Some(server_rate) => server_rate * MIN_DECREASE,
            // The first 429 after sending without a rate: that rate is
            // unknown, and the burst the server allowed at first may have
            // made it look far higher than the server's.
            None if self.rate.is_none() => base * SEED_FACTOR,
            None => {
                let factor = (1.0 - self.recent.share()).clamp(MAX_DECREASE, MIN_DECREASE);
                base * factor
            }
        };
        let rate = rate.max(MIN_RATE);
        self.rate = Some(rate);
        self.decreased_at = Some(now);
        self.decreases += 1;
        // Requests waiting for slots booked at the old rate book again (see
        // `Pacer::admit`); the slot booked last is kept as the start.
    }
}

/// Requests sent over the last second, counted in eighths of a second, so
/// that the measure costs the same whatever the rate.
#[derive(Debug)]
struct SendWindow {
    origin: Instant,
    /// The latest eighth of a second recorded, counted from `origin`; its
    /// count is at its index modulo [`Self::BUCKETS`].
    latest: u64,
    counts: [u32; Self::BUCKETS],
}

impl SendWindow {
    const BUCKETS: usize = 8;
    const BUCKET: Duration = Duration::from_millis(125);
    /// A shorter span is not measured: requests sent together at the start
    /// are not a rate of millions a second.
    const MIN_SPAN: Duration = Duration::from_millis(1);

    fn new(origin: Instant) -> Self {
        Self {
            origin,
            latest: 0,
            counts: [0; Self::BUCKETS],
        }
    }

    fn bucket_of(&self, at: Instant) -> u64 {
        (at.saturating_duration_since(self.origin).as_nanos() / Self::BUCKET.as_nanos()) as u64
    }

    /// Moves the window to `now`, emptying the buckets it leaves behind.
    fn advance(&mut self, now: Instant) {
        let bucket = self.bucket_of(now);
        if bucket <= self.latest {
            return;
        }
        let stale = (bucket - self.latest).min(Self::BUCKETS as u64);
        for step in 1..=stale {
            self.counts[((self.latest + step) % Self::BUCKETS as u64) as usize] = 0;
        }
        self.latest = bucket;
    }

    fn record(&mut self, at: Instant) {
        self.advance(at);
        // A slot booked ahead counts in the current bucket.
        let index = (self.latest % Self::BUCKETS as u64) as usize;
        self.counts[index] = self.counts[index].saturating_add(1);
    }

    /// Requests per second over the window: the current eighth so far and
    /// the seven before it (or since the start, if shorter); `None` when
    /// none was sent.
    fn per_second(&mut self, now: Instant) -> Option<f64> {
        self.advance(now);
        let total: u32 = self.counts.iter().sum();
        if total == 0 {
            return None;
        }
        let since_origin = now.saturating_duration_since(self.origin);
        let into_bucket = since_origin.saturating_sub(Self::BUCKET * self.latest as u32);
        let window = Self::BUCKET * (Self::BUCKETS as u32 - 1) + into_bucket;
        let span = since_origin.min(window).max(Self::MIN_SPAN);
        Some(f64::from(total) / span.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// A rate with `n` requests sent and answered over the last second.
    fn measured(n: u32) -> (AdaptiveRate, Instant) {
        let start = Instant::now();
        let mut rate = AdaptiveRate::new(start);
        let step = Duration::from_secs(1) / n;
        for i in 1..=n {
            rate.reserve(start + step * i);
            rate.on_success(start + step * i, start + step * i);
        }
        (rate, start + Duration::from_secs(1))
    }

    #[test]
    fn no_rate_until_a_429_and_none_from_a_429_before_any_send() {
        let now = Instant::now();
        let mut rate = AdaptiveRate::new(now);
        rate.on_throttled(now, now);
        assert_eq!(rate.rate, None);
        assert_eq!(rate.reserve(now), now);
        assert_eq!(rate.reserve(now), now, "no rate: no spacing");
    }

    #[test]
    fn the_first_429_seeds_the_rate_below_the_send_rate() {
        let (mut rate, now) = measured(400);
        rate.on_throttled(now, now);
        let seeded = rate.rate.unwrap();
        assert!((seeded - 400.0 * SEED_FACTOR).abs() < 2.0, "{seeded}");
        // Slots are spaced by the rate.
        let first = rate.reserve(now);
        let second = rate.reserve(now);
        assert_eq!(second - first, Duration::from_secs_f64(1.0 / seeded));
    }

    #[test]
    fn backs_off_once_per_round_trip_and_harder_when_most_answers_are_429s() {
        let (mut rate, now) = measured(400);
        let sent_before = now - 5 * MS;
        rate.on_throttled(sent_before, now);
        let once = rate.rate.unwrap();
        // More 429s for requests sent before the decrease change nothing.
        rate.on_throttled(sent_before, now + MS);
        rate.on_throttled(now - MS, now + 2 * MS);
        assert_eq!(rate.rate, Some(once));
        // One sent after it decreases the rate again: 4 of the last 16
        // answers are 429s, so by a quarter.
        rate.on_throttled(now + 3 * MS, now + 20 * MS);
        let twice = once * 0.75;
        assert_eq!(rate.rate, Some(twice));
        // Far above the server's rate, all answers are 429s: the largest cut.
        for _ in 0..RECENT_ANSWERS {
            rate.on_throttled(now + 19 * MS, now + 22 * MS);
        }
        assert_eq!(rate.rate, Some(twice), "sent before the decrease");
        rate.on_throttled(now + 21 * MS, now + 25 * MS);
        assert_eq!(rate.rate, Some(twice * MAX_DECREASE));
        // One 429 among 16 answers: the smallest cut.
        for _ in 0..RECENT_ANSWERS - 1 {
            rate.on_success(now + 20 * MS, now + 26 * MS);
        }
        rate.on_throttled(now + 26 * MS, now + 27 * MS);
        let grown = twice * MAX_DECREASE + f64::from(RECENT_ANSWERS - 1) * GROWTH;
        assert!((rate.rate.unwrap() - grown * MIN_DECREASE).abs() < 1e-9);
    }

    #[test]
    fn while_429s_come_the_successes_measure_the_servers_rate() {
        let (mut rate, mut now) = measured(1000);
        rate.on_throttled(now, now);
        let seeded = rate.rate.unwrap();
        // The server lets one through every 10 ms: 100 a second.
        for _ in 0..6 {
            let sent = now;
            now += 10 * MS;
            rate.on_success(sent, now);
        }
        rate.on_throttled(now, now);
        assert!(seeded > 400.0);
        let set = rate.rate.unwrap();
        assert!((set - 100.0 * MIN_DECREASE).abs() < 1e-6, "{set}");
        // Successes of requests sent before the 429s began do not count:
        // they came at whatever rate the batch had before.
        let (mut rate, now) = measured(1000);
        rate.on_throttled(now, now);
        for i in 1..=20 {
            rate.on_success(now - MS, now + MS * i);
        }
        let before = rate.rate.unwrap();
        rate.on_throttled(now + 21 * MS, now + 21 * MS);
        let after = rate.rate.unwrap();
        assert!((after - before * MIN_DECREASE).abs() < 1e-6, "{after}");
    }

    #[test]
    fn never_below_the_minimum_rate() {
        let (mut rate, mut now) = measured(10);
        for _ in 0..200 {
            rate.on_throttled(now, now);
            now += 10 * MS;
        }
        assert_eq!(rate.rate, Some(MIN_RATE));
    }

    #[test]
    fn probes_upward_after_successes_up_to_the_headroom() {
        let (mut rate, mut now) = measured(100);
        rate.on_throttled(now, now);
        let low = rate.rate.unwrap();
        for _ in 0..100 {
            now += 5 * MS;
            rate.reserve(now);
            rate.on_success(now, now);
        }
        let grown = rate.rate.unwrap();
        assert!((grown - (low + 100.0 * GROWTH)).abs() < 1e-6, "{grown}");
        // Held to 200 a second by something else (a request every 5 ms,
        // whatever the rate allows), it never passes twice that.
        for _ in 0..100_000 {
            now += 5 * MS;
            rate.sent.record(now);
            rate.on_success(now, now);
        }
        let capped = rate.rate.unwrap();
        assert!(
            (300.0..=200.0 * HEADROOM * 1.02).contains(&capped),
            "{capped}"
        );
    }

    #[test]
    fn the_send_window_forgets_what_is_older_than_a_second() {
        let start = Instant::now();
        let mut window = SendWindow::new(start);
        for i in 0..100 {
            window.record(start + 10 * MS * i);
        }
        let rate = window.per_second(start + Duration::from_secs(1)).unwrap();
        assert!((99.0..=101.0).contains(&rate), "{rate}");
        assert_eq!(window.per_second(start + Duration::from_secs(3)), None);
        // Early on, the span is the time since the start.
        let mut window = SendWindow::new(start);
        window.record(start + MS);
        window.record(start + MS);
        assert_eq!(window.per_second(start + 4 * MS), Some(500.0));
    }
}
