//! Many updates at once: bounded concurrency over one connection pool, one
//! result per update, and a batch that slows down as a whole when the server
//! says it is overloaded (the pacing itself is in `pacing`).

use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::stream::{self, BoxStream, Stream, StreamExt};

use crate::client::Client;
use crate::contact_turns::{ContactTurns, Ended};
use crate::error::{Error, ErrorKind, NotSent};
use crate::ids::ContactId;
use crate::input::UpdateContactInput;
use crate::pacing::{Pacer, PacingOptions};
use crate::response::UpdateContactOutput;
use crate::runner::{Limits, Waiting, run};

/// How a batch runs.
///
/// **One contact, one update at a time.** Whatever the options, an update
/// starts only once every earlier update of the same contact in the batch
/// has finished, retries included, so a contact ends as its updates applied
/// in input order would leave it (a `set` then an `add` is never the other
/// way round). Updates of different contacts run concurrently. An update
/// that waits for its contact's turn sends nothing and does not count
/// against [`concurrency`](Self::concurrency); up to [`MAX_WAITING_FOR_TURN`]
/// wait at once, and while that many do, the batch takes no more updates
/// from its input. With
/// [`stop_contact_on_failure`](Self::stop_contact_on_failure), a failed
/// update also holds back the later updates of its contact.
///
/// Results come in input order by default. A finished update does not hold
/// its slot while an earlier one is still running (being retried, say): it
/// waits in a reorder buffer, and the next update starts at once, so input
/// order runs about as fast as [`unordered`](Self::unordered). Only when
/// [`reorder_window`](Self::reorder_window) results are waiting behind one
/// slow update does the batch stop starting new ones until it finishes,
/// which bounds memory. Unordered results need no buffer at all: choose them
/// when order does not matter (each result carries its input index anyway).
///
/// **Rate control.** By default the batch adapts to the server, within the
/// concurrency you set:
///
/// - *the send rate*: none at first; on the first 429 it is set from the
///   rate the batch was sending at, then cut on each 429 (by up to half when
///   most answers are 429s, by a tenth when few are) and raised a little
///   with each success (additive increase, multiplicative decrease, as TCP
///   does), so that a server that allows N requests a second gets close to
///   N, with few 429s;
/// - *the requests in flight*: they drop when the latency grows (to more
///   than twice the lowest seen and 10 ms above it) or the server answers
///   503, 504 or times out, and climb back, one at a time, while answers
///   come back at the usual speed.
///
/// On any 429 the whole batch also pauses for the wait the server asks for.
/// A wait longer than the retry policy honours
/// ([`RetryPolicy::max_retry_after`](crate::RetryPolicy::max_retry_after),
/// 60 s by default), on a 429 or a 503, means a quota used up for that long:
/// the batch then stops as [`StopHandle::stop`] does, and each update not yet
/// sent ends with [`NotSent::QuotaExhausted`], which carries the wait.
/// [`adaptive(false)`](Self::adaptive) keeps only that pause. If you know your
/// quota, [`max_rate`](Self::max_rate) sends at most that many requests a
/// second, evenly spaced; it combines with the adaptive control.
///
/// ```
/// use talktohumans::BulkOptions;
///
/// // 32 requests in flight, results as they complete.
/// let options = BulkOptions::default().concurrency(32).unordered();
/// // A known quota of 300 requests a second, and nothing adaptive.
/// let quota = BulkOptions::default().max_rate(300).adaptive(false);
/// # let _ = (options, quota);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkOptions {
    concurrency: usize,
    ordered: bool,
    reorder_window: usize,
    max_rate: Option<NonZeroU32>,
    adaptive: bool,
    stop_contact_on_failure: bool,
    max_throttled_retries: u32,
}

/// How many times in a row an update of a batch is retried after a 429
/// while no update of the batch succeeds, by default (see
/// [`BulkOptions::max_throttled_retries`]).
pub const DEFAULT_MAX_THROTTLED_RETRIES: u32 = 10;

/// How many updates of a batch may wait at once for an earlier update of
/// their contact to finish (see [`BulkOptions`]).
pub const MAX_WAITING_FOR_TURN: usize = 1024;

impl Default for BulkOptions {
    /// 8 requests in flight, results in input order, up to 1,024 results
    /// waiting behind a slow one, adaptive rate control, no fixed rate, and
    /// a failed update does not hold back the later ones of its contact, and
    /// up to 10 retries after 429s in a row while nothing in the batch
    /// succeeds.
    fn default() -> Self {
        Self {
            concurrency: 8,
            ordered: true,
            reorder_window: 1024,
            max_rate: None,
            adaptive: true,
            stop_contact_on_failure: false,
            max_throttled_retries: DEFAULT_MAX_THROTTLED_RETRIES,
        }
    }
}

impl BulkOptions {
    /// How many requests may be in flight at once (at least 1; default 8).
    #[must_use]
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// Yields results as they complete instead of in input order. Each
    /// result still carries its input index.
    #[must_use]
    pub fn unordered(mut self) -> Self {
        self.ordered = false;
        self
    }

    /// In input order, how many finished results may wait behind an earlier
    /// update that is still running (default 1,024). While they wait, new
    /// updates keep starting; once this many wait, none starts until the
    /// earlier one finishes. Each waiting result holds a contact (a few KB),
    /// so this bounds the batch's memory. 0 gives the pace of
    /// `StreamExt::buffered`, where the slowest update holds back the batch.
    #[must_use]
    pub fn reorder_window(mut self, results: usize) -> Self {
        self.reorder_window = results;
        self
    }

    /// Sends at most this many requests a second, retries included, evenly
    /// spaced; 0 removes the limit (the default). For a quota you know: the
    /// adaptive control (if on) can only send slower. The only burst is 5 ms'
    /// worth, at least 1 (2 requests at once after a quiet spell at up to 200
    /// a second), so that a timer that wakes late does not lose its slot.
    ///
    /// ```
    /// use talktohumans::BulkOptions;
    ///
    /// // At most 5 requests a second: one every 200 ms.
    /// let options = BulkOptions::default().max_rate(5);
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn max_rate(mut self, requests_per_second: u32) -> Self {
        self.max_rate = NonZeroU32::new(requests_per_second);
        self
    }

    /// Whether the send rate and the requests in flight adapt to the
    /// server's 429s, errors and latency (default `true`; see
    /// [`BulkOptions`]). With `false`, the batch keeps its concurrency and
    /// only pauses as the server asks on 429.
    ///
    /// ```
    /// use talktohumans::BulkOptions;
    ///
    /// // Exactly 16 in flight, whatever the server does.
    /// let options = BulkOptions::default().concurrency(16).adaptive(false);
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn adaptive(mut self, on: bool) -> Self {
        self.adaptive = on;
        self
    }

    /// Whether a failed update holds back the later updates of the same
    /// contact in the batch (default `false`). With `true`, once an update of
    /// a contact fails (any error but one the server applied the update
    /// with, see [`Error::applied`]), the batch sends none of that
    /// contact's later updates: each ends with
    /// [`Error::NotSent`] ([`NotSent::EarlierUpdateFailed`], naming the
    /// failed one), so the contact stays as its earlier updates left it and
    /// can be finished, in order, by sending the failed update and those
    /// after it again. Updates of other contacts go on. The batch remembers
    /// each contact whose update failed until it ends, so that an update of
    /// it that comes much later in the input is held back too.
    ///
    /// ```
    /// use talktohumans::BulkOptions;
    ///
    /// // A file of changes to apply in order, contact by contact.
    /// let options = BulkOptions::default().stop_contact_on_failure(true);
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn stop_contact_on_failure(mut self, on: bool) -> Self {
        self.stop_contact_on_failure = on;
        self
    }

    /// How many times in a row an update is retried after a 429 while no
    /// update of the batch succeeds (default
    /// [`DEFAULT_MAX_THROTTLED_RETRIES`], 10).
    ///
    /// In a batch a 429 does not use up one of the update's retries: the
    /// batch pauses and slows down as a whole, and the update tries again.
    /// That is right while the batch moves, since some requests get through
    /// and the server is only saying "slower". A server that refuses every
    /// request is saying something else, and this bounds how long an update
    /// keeps asking: after this many such retries with no success in the
    /// batch since the first of them, its next 429 ends it with that error.
    /// Any success in the batch starts the count again. With 0, an update
    /// ends at its first 429.
    ///
    /// ```
    /// use talktohumans::BulkOptions;
    ///
    /// // Give up on an update after three 429s in a row.
    /// let options = BulkOptions::default().max_throttled_retries(3);
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn max_throttled_retries(mut self, retries: u32) -> Self {
        self.max_throttled_retries = retries;
        self
    }
}

/// The result of one update of a batch: which input it was, and what came of
/// it.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use futures_util::StreamExt;
/// use talktohumans::UpdateContactInput;
/// use talktohumans::mock::{MockServer, seed};
///
/// let mock = MockServer::start().await?;
/// let client = mock.client_builder().build()?;
/// let inputs = [seed::MAYA_CHEN, "999999"]
///     .map(|id| UpdateContactInput::builder(id).add_tag("Q4").build().unwrap());
/// let items: Vec<_> = client.update_contacts(inputs).collect().await;
/// assert_eq!((items[0].index, items[0].contact_id.as_str()), (0, seed::MAYA_CHEN));
/// assert!(items[0].result.is_ok());
/// assert_eq!(items[1].result.as_ref().unwrap_err().status().unwrap(), 404);
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkItem {
    /// The update's position in the input, from 0.
    pub index: usize,
    /// The contact it updated.
    pub contact_id: ContactId,
    /// The updated contact, or why not.
    pub result: Result<UpdateContactOutput, Error>,
}

/// Counts of a finished (or partly consumed) batch.
///
/// ```
/// let summary = talktohumans::BulkSummary::default();
/// assert_eq!(summary.succeeded + summary.failed_total(), 0);
/// assert!(summary.to_string().starts_with("0 succeeded, 0 failed, 0 retries"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkSummary {
    /// Updates that succeeded.
    pub succeeded: usize,
    /// Updates that failed, by kind of error.
    pub failed: BTreeMap<ErrorKind, usize>,
    /// Updates that failed with an HTTP status, by status.
    pub failed_by_status: BTreeMap<u16, usize>,
    /// Retries made over the whole batch (attempts beyond the first).
    pub retries: u64,
    /// Time from the first poll to the last result yielded.
    pub elapsed: Duration,
}

impl BulkSummary {
    /// Updates that failed, of any kind.
    pub fn failed_total(&self) -> usize {
        self.failed.values().sum()
    }

    fn count(&mut self, item: &BulkItem) {
        let attempts = match &item.result {
            Ok(updated) => {
                self.succeeded += 1;
                updated.attempts
            }
            Err(error) => {
                *self.failed.entry(error.kind()).or_default() += 1;
                if let Some(status) = error.status() {
                    *self.failed_by_status.entry(status.as_u16()).or_default() += 1;
                }
                error.attempts()
            }
        };
        self.retries += u64::from(attempts.saturating_sub(1));
    }
}

impl fmt::Display for BulkSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} succeeded, {} failed, {} retries, in {:.1?}",
            self.succeeded,
            self.failed_total(),
            self.retries,
            self.elapsed
        )?;
        for (kind, count) in &self.failed {
            write!(f, "; {kind:?}: {count}")?;
        }
        Ok(())
    }
}

/// The results of [`Client::update_contacts`]: a stream of [`BulkItem`]s,
/// one per update, and the running [`BulkSummary`].
///
/// Updates are taken from the input only as requests are started, so memory
/// stays flat whatever the number of updates. One failure never stops the
/// others. It owns a clone of the client and is `Send + 'static`, so it can
/// be moved into a task.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use futures_util::StreamExt;
/// use talktohumans::UpdateContactInput;
/// use talktohumans::mock::{MockServer, seed};
///
/// let mock = MockServer::start().await?;
/// let client = mock.client_builder().build()?;
/// let input = UpdateContactInput::builder(seed::PRIYA_RAMAN).add_tag("Q4").build()?;
/// let mut results = client.update_contacts([input]);
/// // The batch runs in its own task; the summary comes back with it.
/// let summary = tokio::spawn(async move {
///     while results.next().await.is_some() {}
///     results.summary().clone()
/// })
/// .await?;
/// assert_eq!(summary.succeeded, 1);
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[must_use = "a batch does nothing until its stream is polled"]
pub struct BulkUpdates {
    results: BoxStream<'static, BulkItem>,
    summary: BulkSummary,
    started: Option<Instant>,
    pacer: Arc<Pacer>,
}

impl BulkUpdates {
    /// The counts so far; final once the stream has ended.
    pub fn summary(&self) -> &BulkSummary {
        &self.summary
    }

    /// A handle that stops the batch gracefully, from anywhere (a signal
    /// handler, another task): see [`StopHandle`].
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            pacer: Arc::clone(&self.pacer),
        }
    }
}

/// Stops a batch gracefully; made by [`BulkUpdates::stop_handle`]. Cheap to
/// clone, `Send + Sync`.
///
/// After [`stop`](Self::stop), the batch sends no new request. The updates in
/// flight finish (their answers may already be on the way, and dropping them
/// would leave unknown whether they were applied). Every update not yet
/// sent, those taken from the input and those still in it, ends at once with
/// [`Error::NotSent`] ([`NotSent::Stopped`]), so the stream still yields one
/// item per input, and then ends. An update that was sent and is waiting to
/// be retried ends with the error of its last attempt. Dropping the stream
/// instead cancels everything at once, answers or not.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use futures_util::StreamExt;
/// use talktohumans::mock::{MockServer, seed};
/// use talktohumans::{Error, NotSent, UpdateContactInput};
///
/// let mock = MockServer::builder().generated_contacts(100).start().await?;
/// let client = mock.client_builder().build()?;
/// let inputs = (0..100).map(|i| {
///     UpdateContactInput::builder(seed::generated_id(i)).add_tag("Q4").build().unwrap()
/// });
/// let mut batch = client.update_contacts(inputs);
/// let stop = batch.stop_handle();
/// let mut not_sent = 0;
/// while let Some(item) = batch.next().await {
///     if item.index == 9 {
///         stop.stop(); // say, on Ctrl-C
///     }
///     if let Err(Error::NotSent(NotSent::Stopped)) = item.result {
///         not_sent += 1;
///     }
/// }
/// assert_eq!(batch.summary().succeeded + not_sent, 100);
/// assert!(not_sent > 0);
/// assert_eq!(mock.request_count() as usize, batch.summary().succeeded);
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Clone)]
pub struct StopHandle {
    pacer: Arc<Pacer>,
}

impl StopHandle {
    /// Stops the batch: no new request goes out (see [`StopHandle`]).
    /// Stopping again does nothing more.
    pub fn stop(&self) {
        self.pacer.stop(NotSent::Stopped);
    }

    /// Whether the batch was stopped, by this handle or for another reason.
    pub fn is_stopped(&self) -> bool {
        self.pacer.stopped().is_some()
    }
}

impl fmt::Debug for StopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StopHandle")
            .field("stopped", &self.is_stopped())
            .finish()
    }
}

impl fmt::Debug for BulkUpdates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkUpdates")
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

impl Stream for BulkUpdates {
    type Item = BulkItem;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<BulkItem>> {
        let this = &mut *self;
        let started = *this.started.get_or_insert_with(Instant::now);
        let polled = this.results.poll_next_unpin(cx);
        if let Poll::Ready(item) = &polled {
            if let Some(item) = item {
                this.summary.count(item);
            }
            this.summary.elapsed = started.elapsed();
        }
        polled
    }
}

impl Client {
    /// Sends many updates, 8 at a time, and yields one [`BulkItem`] per update
    /// in input order. See [`update_contacts_with`](Self::update_contacts_with).
    ///
    /// ```no_run
    /// # async fn run(client: talktohumans::Client) -> Result<(), talktohumans::InvalidInput> {
    /// use futures_util::StreamExt;
    /// use talktohumans::UpdateContactInput;
    ///
    /// let updates = ["101", "102", "103"]
    ///     .into_iter()
    ///     .map(|id| UpdateContactInput::builder(id).add_tag("Hot lead").build())
    ///     .collect::<Result<Vec<_>, _>>()?;
    /// let mut results = client.update_contacts(updates);
    /// while let Some(item) = results.next().await {
    ///     if let Err(error) = item.result {
    ///         eprintln!("contact {}: {error}", item.contact_id);
    ///     }
    /// }
    /// println!("{}", results.summary());
    /// # Ok(())
    /// # }
    /// ```
    pub fn update_contacts<I>(&self, updates: I) -> BulkUpdates
    where
        I: IntoIterator<Item = UpdateContactInput>,
        I::IntoIter: Send + 'static,
    {
        self.update_contacts_with(BulkOptions::default(), stream::iter(updates))
    }

    /// Sends a stream of updates with these options.
    ///
    /// The updates of one contact go one at a time, in input order, each
    /// after the previous one has finished (see [`BulkOptions`]); those of
    /// different contacts go concurrently.
    ///
    /// Every update follows the client's retry rules. When the server answers
    /// 429 (too many requests), the whole batch pauses for the wait it asks
    /// for (or the backoff), not only the request that got the 429, so that
    /// the batch does not keep hitting the limit; and unless
    /// [`BulkOptions::adaptive`] is off, the batch's send rate drops below the
    /// server's and then probes upward again (see [`BulkOptions`]). Such a
    /// 429 does not use up one of the update's retries, so that the first
    /// 429s of a batch that starts faster than the server allows fail no
    /// update; the call's deadline still bounds it, so does
    /// [`BulkOptions::max_throttled_retries`] while nothing in the batch
    /// succeeds, and with retries turned
    /// off ([`RetryPolicy::none`](crate::RetryPolicy::none)) a 429 fails the
    /// update as any error does.
    pub fn update_contacts_with<S>(&self, options: BulkOptions, updates: S) -> BulkUpdates
    where
        S: Stream<Item = UpdateContactInput> + Send + 'static,
    {
        let pacer = Arc::new(Pacer::new(PacingOptions {
            concurrency: options.concurrency,
            max_rate: options.max_rate,
            adaptive: options.adaptive,
            max_throttled_retries: options.max_throttled_retries,
        }));
        let turns = Arc::new(ContactTurns::new(options.stop_contact_on_failure));
        let waiting = Waiting::default();
        let client = self.clone();
        let stop_contact_on_failure = options.stop_contact_on_failure;
        let batch_pacer = Arc::clone(&pacer);
        let requests = {
            let waiting = waiting.clone();
            updates.enumerate().map(move |(index, update)| {
                // Here, in input order: the contact's line is input order.
                let mut turn = turns.enter(update.contact_id(), index);
                let pacer = Arc::clone(&pacer);
                let client = client.clone();
                let waiting = waiting.clone();
                async move {
                    let before = {
                        let _waiting = waiting.enter();
                        turn.wait().await
                    };
                    let result = match before {
                        // A stopped batch says why it stopped, the wait of a
                        // used-up quota included, rather than blame an
                        // earlier update that was itself not sent.
                        Some(Ended::Failed { first }) if stop_contact_on_failure => {
                            Err(Error::NotSent(
                                pacer
                                    .stopped()
                                    .unwrap_or(NotSent::EarlierUpdateFailed { index: first }),
                            ))
                        }
                        _ => client.send_paced(&update, Some(&pacer)).await,
                    };
                    turn.end(match &result {
                        Err(Error::NotSent(NotSent::EarlierUpdateFailed { index: first })) => {
                            Ended::Failed { first: *first }
                        }
                        Err(error) if !error.applied() => Ended::Failed { first: index },
                        _ => Ended::Applied,
                    });
                    BulkItem {
                        index,
                        contact_id: update.into_contact_id(),
                        result,
                    }
                }
            })
        };
        let limits = Limits {
            concurrency: options.concurrency,
            window: options.ordered.then_some(options.reorder_window),
            max_waiting: MAX_WAITING_FOR_TURN,
        };
        let results = run(Box::pin(requests), limits, waiting).boxed();
        BulkUpdates {
            results,
            summary: BulkSummary::default(),
            started: None,
            pacer: batch_pacer,
        }
    }
}
