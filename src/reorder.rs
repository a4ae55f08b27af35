//! Running futures with bounded concurrency and yielding their outputs in
//! input order, without letting a slow one stall the others.
//!
//! `StreamExt::buffered(n)` also yields in input order, but a finished future
//! keeps its slot until every earlier one has finished, so one slow future
//! (a retry's backoff, a stalled answer) stops new ones from starting: the
//! whole batch runs at the pace of its slowest member. Here a finished
//! future frees its slot at once and its output waits in a reorder buffer;
//! new futures start as long as fewer than `concurrency` run and fewer than
//! `window` outputs wait. Only when the buffer is full, behind a head of line
//! that is slower than `window` later futures together, does starting pause,
//! and memory stays bounded by `concurrency + window` outputs.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{Fuse, FuturesUnordered, Stream, StreamExt};

/// The stream made by [`in_input_order`].
pub(crate) struct InInputOrder<S>
where
    S: Stream,
    S::Item: Future,
{
    inputs: Fuse<S>,
    running: FuturesUnordered<Indexed<S::Item>>,
    /// Outputs of futures that finished before an earlier one; slot `i` is
    /// the output of input `next + i`.
    waiting: VecDeque<Option<<S::Item as Future>::Output>>,
    /// The index of the next output to yield.
    next: usize,
    /// How many futures have been started.
    started: usize,
    concurrency: usize,
    window: usize,
}

// Outputs are moved, never pinned, and the futures are boxed, so the stream
// may move whatever the outputs are.
impl<S> Unpin for InInputOrder<S>
where
    S: Stream + Unpin,
    S::Item: Future,
{
}

/// Runs the futures of `inputs`, at most `concurrency` at once, and yields
/// their outputs in input order, holding at most `window` finished outputs
/// back behind a slower earlier one.
pub(crate) fn in_input_order<S>(inputs: S, concurrency: usize, window: usize) -> InInputOrder<S>
where
    S: Stream,
    S::Item: Future,
{
    InInputOrder {
        inputs: inputs.fuse(),
        running: FuturesUnordered::new(),
        waiting: VecDeque::new(),
        next: 0,
        started: 0,
        concurrency: concurrency.max(1),
        window,
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

impl<S> InInputOrder<S>
where
    S: Stream + Unpin,
    S::Item: Future,
{
    /// Whether another future may start: a free slot, and room for its
    /// output should it finish before those ahead of it.
    fn may_start(&self) -> bool {
        self.running.len() < self.concurrency
            && self.started - self.next < self.concurrency + self.window
    }

    fn take_head(&mut self) -> Option<<S::Item as Future>::Output> {
        let output = self.waiting.front_mut()?.take()?;
        self.waiting.pop_front();
        self.next += 1;
        Some(output)
    }
}

impl<S> Stream for InInputOrder<S>
where
    S: Stream + Unpin,
    S::Item: Future,
{
    type Item = <S::Item as Future>::Output;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            while this.may_start() {
                match this.inputs.poll_next_unpin(cx) {
                    Poll::Ready(Some(future)) => {
                        this.running.push(Indexed {
                            index: this.started,
                            future: Box::pin(future),
                        });
                        this.started += 1;
                    }
                    Poll::Ready(None) | Poll::Pending => break,
                }
            }
            if let Some(output) = this.take_head() {
                return Poll::Ready(Some(output));
            }
            match this.running.poll_next_unpin(cx) {
                Poll::Ready(Some((index, output))) => {
                    let slot = index - this.next;
                    if this.waiting.len() <= slot {
                        this.waiting.resize_with(slot + 1, || None);
                    }
                    this.waiting[slot] = Some(output);
                }
                // Nothing runs: done if the inputs are, else they are pending
                // and have registered the waker.
                Poll::Ready(None) if this.inputs.is_done() => return Poll::Ready(None),
                Poll::Ready(None) | Poll::Pending => return Poll::Pending,
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
        let outputs: Vec<_> = in_input_order(sleepers(delays, started), 3, 4)
            .collect()
            .await;
        assert_eq!(outputs, (0..8).collect::<Vec<_>>());
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_head_does_not_stop_later_futures_from_starting() {
        // The head takes 1 s; the 40 behind it take 1 ms each. With 2 slots,
        // `buffered` would start only one more while the head runs.
        let mut delays = vec![1000];
        delays.extend([1; 40]);
        let started = Arc::new(AtomicUsize::new(0));
        let mut outputs = in_input_order(sleepers(delays, Arc::clone(&started)), 2, 100);
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
        let mut outputs = in_input_order(sleepers(delays, Arc::clone(&started)), 2, 5);
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
        assert_eq!(in_input_order(none, 4, 4).count().await, 0);
    }
}
