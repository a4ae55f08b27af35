//! Running a batch's futures with bounded concurrency, yielding their
//! outputs in input order or as they complete.
//!
//! **Input order without a stall.** `StreamExt::buffered(n)` also yields in
//! input order, but a finished future keeps its slot until every earlier one
//! has finished, so one slow future (a retry's backoff, a stalled answer)
//! stops new ones from starting: the whole batch runs at the pace of its
//! slowest member. Here a finished future frees its slot at once and its
//! output waits in a reorder buffer; new futures start as long as fewer than
//! `concurrency` run and fewer than `window` outputs wait. Only when the
//! buffer is full, behind a head of line that is slower than `window` later
//! futures together, does starting pause, and memory stays bounded by
//! `concurrency + window` outputs.
//!
//! **Room for futures that wait their turn.** A future that is only waiting
//! for an earlier update of its contact (see `contact_turns`) sends nothing,
//! so it does not count against `concurrency`: it says so through
//! [`Waiting`], and another future starts in its place. At most
//! `max_waiting` do so at once, which bounds what a long line of one
//! contact's updates can hold.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use futures_util::stream::{Fuse, FuturesUnordered, Stream, StreamExt};

/// The stream made by [`run`].
pub(crate) struct Runner<S>
where
    S: Stream,
    S::Item: Future,
{
    inputs: Fuse<S>,
    running: FuturesUnordered<Indexed<S::Item>>,
    /// In input order: outputs of futures that finished before an earlier
    /// one; slot `i` is the output of input `next + i`. `None`: unordered.
    reorder: Option<VecDeque<Option<<S::Item as Future>::Output>>>,
    /// The index of the next output to yield, in input order.
    next: usize,
    /// How many futures have been started.
    started: usize,
    concurrency: usize,
    window: usize,
    waiting: Waiting,
    max_waiting: usize,
}

// Outputs are moved, never pinned, and the futures are boxed, so the stream
// may move whatever the outputs are.
impl<S> Unpin for Runner<S>
where
    S: Stream + Unpin,
    S::Item: Future,
{
}

/// How the futures of a batch run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Futures running at once, not counting those that wait their turn.
    pub(crate) concurrency: usize,
    /// In input order, outputs held back behind a slower earlier future;
    /// `None`: yield outputs as they complete.
    pub(crate) window: Option<usize>,
    /// Futures waiting their turn at once, at most.
    pub(crate) max_waiting: usize,
}

/// Runs the futures of `inputs` within `limits`, yielding their outputs in
/// input order or as they complete. `waiting` is how the futures say that
/// they wait their turn.
pub(crate) fn run<S>(inputs: S, limits: Limits, waiting: Waiting) -> Runner<S>
where
    S: Stream,
    S::Item: Future,
{
    Runner {
        inputs: inputs.fuse(),
        running: FuturesUnordered::new(),
        reorder: limits.window.map(|_| VecDeque::new()),
        next: 0,
        started: 0,
        concurrency: limits.concurrency.max(1),
        window: limits.window.unwrap_or(0),
        waiting,
        max_waiting: limits.max_waiting,
    }
}

/// The count of a batch's futures that are waiting their turn, which they
/// keep with a [`WaitingGuard`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Waiting(Arc<AtomicUsize>);

impl Waiting {
    /// Counts the caller as waiting until the guard is dropped.
    pub(crate) fn enter(&self) -> WaitingGuard {
        self.0.fetch_add(1, Ordering::Relaxed);
        WaitingGuard(Arc::clone(&self.0))
    }

    fn count(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// Held while a future waits its turn.
#[derive(Debug)]
pub(crate) struct WaitingGuard(Arc<AtomicUsize>);

impl Drop for WaitingGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A future and its input index.
struct Indexed<F> {
    index: usize,
    future: Pin<Box<F>>,
}

impl<F: Future> Future for Indexed<F> {
    type Output = (usize, F::Output);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let index = self.index;
        self.future.as_mut().poll(cx).map(|output| (index, output))
    }
}

impl<S> Runner<S>
where
    S: Stream + Unpin,
    S::Item: Future,
{
    /// How many more futures may start now: a free slot (those that wait
    /// their turn hold none, up to `max_waiting` of them) and, in input
    /// order, room for its output should it finish before those ahead of it.
    fn room(&self) -> usize {
        let waiting = self.waiting.count().min(self.max_waiting);
        let slots = self
            .concurrency
            .saturating_add(waiting)
            .saturating_sub(self.running.len());
        match self.reorder {
            None => slots,
            Some(_) => {
                let held = self.started - self.next;
                let window = self
                    .concurrency
                    .saturating_add(self.window)
                    .saturating_add(waiting);
                slots.min(window.saturating_sub(held))
            }
        }
    }

    fn take_head(&mut self) -> Option<<S::Item as Future>::Output> {
        let reorder = self.reorder.as_mut()?;
        let output = reorder.front_mut()?.take()?;
        reorder.pop_front();
        self.next += 1;
        Some(output)
    }
}

impl<S> Stream for Runner<S>
where
    S: Stream + Unpin,
    S::Item: Future,
{
    type Item = <S::Item as Future>::Output;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            let mut inputs_pending = false;
            while this.room() > 0 {
                match this.inputs.poll_next_unpin(cx) {
                    Poll::Ready(Some(future)) => {
                        this.running.push(Indexed {
                            index: this.started,
                            future: Box::pin(future),
                        });
                        this.started += 1;
                    }
                    Poll::Ready(None) => break,
                    Poll::Pending => {
                        inputs_pending = true;
                        break;
                    }
                }
            }
            if let Some(output) = this.take_head() {
                return Poll::Ready(Some(output));
            }
            let room = this.room();
            match this.running.poll_next_unpin(cx) {
                Poll::Ready(Some((index, output))) => match &mut this.reorder {
                    None => return Poll::Ready(Some(output)),
                    Some(reorder) => {
                        let slot = index - this.next;
                        if reorder.len() <= slot {
                            reorder.resize_with(slot + 1, || None);
                        }
                        reorder[slot] = Some(output);
                    }
                },
                // Nothing runs: done if the inputs are, else they are pending
                // and have registered the waker.
                Poll::Ready(None) if this.inputs.is_done() => return Poll::Ready(None),
                Poll::Ready(None) => return Poll::Pending,
                // A future that began to wait its turn while polled made
                // room for another: start it now, since nothing else will
                // wake this stream for it.
                Poll::Pending
                    if this.room() > room && !inputs_pending && !this.inputs.is_done() => {}
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use futures_util::stream;

    use super::*;

    fn ordered<S>(inputs: S, concurrency: usize, window: usize) -> Runner<S>
    where
        S: Stream,
        S::Item: Future,
    {
        let limits = Limits {
            concurrency,
            window: Some(window),
            max_waiting: 0,
        };
        run(inputs, limits, Waiting::default())
    }

    /// Futures that take `delays[i]` milliseconds of (paused) time each.
    fn sleepers(
        delays: Vec<u64>,
        started: Arc<AtomicUsize>,
    ) -> impl Stream<Item = impl Future<Output = usize>> + Unpin {
        stream::iter(delays.into_iter().enumerate().map(move |(i, ms)| {
            started.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                i
            }
        }))
    }

    #[tokio::test(start_paused = true)]
    async fn outputs_come_in_input_order_whatever_the_finishing_order() {
        let delays = vec![50, 10, 40, 0, 30, 20, 0, 5];
        let started = Arc::new(AtomicUsize::new(0));
        let outputs: Vec<_> = ordered(sleepers(delays, started), 3, 4).collect().await;
        assert_eq!(outputs, (0..8).collect::<Vec<_>>());
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_head_does_not_stop_later_futures_from_starting() {
        // The head takes 1 s; the 40 behind it take 1 ms each. With 2 slots,
        // `buffered` would start only one more while the head runs.
        let mut delays = vec![1000];
        delays.extend([1; 40]);
        let started = Arc::new(AtomicUsize::new(0));
        let mut outputs = ordered(sleepers(delays, Arc::clone(&started)), 2, 100);
        let first = tokio::time::timeout(Duration::from_millis(500), outputs.next()).await;
        assert!(first.is_err(), "the head is still running");
        assert_eq!(started.load(Ordering::SeqCst), 41, "all started meanwhile");
        let all: Vec<_> = outputs.collect().await;
        assert_eq!(all, (0..41).collect::<Vec<_>>());
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_window_pauses_starting_and_bounds_what_waits() {
        let mut delays = vec![1000];
        delays.extend([1; 40]);
        let started = Arc::new(AtomicUsize::new(0));
        let mut outputs = ordered(sleepers(delays, Arc::clone(&started)), 2, 5);
        let first = tokio::time::timeout(Duration::from_millis(500), outputs.next()).await;
        assert!(first.is_err());
        // The head, one running or finished beside it, and a full window.
        assert_eq!(started.load(Ordering::SeqCst), 1 + 1 + 5);
        assert_eq!(outputs.next().await, Some(0));
        assert_eq!(outputs.count().await, 40);
    }

    #[tokio::test]
    async fn empty_input_ends_at_once() {
        let none = stream::iter(Vec::<std::future::Ready<u8>>::new());
        assert_eq!(ordered(none, 4, 4).count().await, 0);
    }
}
