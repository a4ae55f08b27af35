//! Observers: a user's hook into every call and attempt, for metrics, audit
//! logs and alerts, without parsing `tracing` output.
//!
//! The client keeps its observers in a boxed slice and checks it is empty
//! before making any event: with none set, a call allocates nothing more and
//! makes no dynamic call (see `BENCHMARKS.md`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::decode::ResponseDrift;
use crate::error::Error;
use crate::ids::ContactId;
use crate::response::UpdateContactOutput;

/// Watches the calls of a [`Client`](crate::Client): set with
/// [`ClientBuilder::observer`](crate::ClientBuilder::observer).
///
/// Every method does nothing unless overridden, so an observer implements
/// only what it needs, and a method added later breaks no observer. The
/// methods run on the task that makes the call, between its steps: keep
/// them short (count, push to a channel), since the call waits for them.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use talktohumans::{AttemptStart, Client, Observer};
///
/// #[derive(Default)]
/// struct Attempts(AtomicU64);
///
/// impl Observer for Attempts {
///     fn on_attempt_start(&self, _: &AttemptStart<'_>) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// let attempts = Arc::new(Attempts::default());
/// let client = Client::builder()
///     .api_key("tth_live_...")
///     .observer(attempts.clone())
///     .build()?;
/// # Ok::<(), talktohumans::Error>(())
/// ```
pub trait Observer: Send + Sync + 'static {
    /// An attempt is about to be sent.
    fn on_attempt_start(&self, attempt: &AttemptStart<'_>) {
        let _ = attempt;
    }

    /// An attempt got a response, whatever its status, and read its body.
    /// An attempt that got none (a timeout, a refused connection) has no
    /// such event; the retry or the call's end says why.
    fn on_response(&self, response: &AttemptResponse<'_>) {
        let _ = response;
    }

    /// An attempt failed, and the call will try again after a wait.
    fn on_retry_scheduled(&self, retry: &RetryScheduled<'_>) {
        let _ = retry;
    }

    /// The call ended, with the update applied or not. An update of a
    /// batch that is held back without a call (behind a failed update of
    /// its contact, with
    /// [`BulkOptions::stop_contact_on_failure`](crate::BulkOptions::stop_contact_on_failure))
    /// has no events: its [`BulkItem`](crate::BulkItem) says why.
    fn on_call_end(&self, end: &CallEnd<'_>) {
        let _ = end;
    }
}

/// An attempt about to be sent: [`Observer::on_attempt_start`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AttemptStart<'a> {
    /// The contact being updated.
    pub contact_id: &'a ContactId,
    /// The attempt's number, from 1.
    pub attempt: u32,
    /// The HTTP method (`PATCH`).
    pub method: &'a Method,
    /// The request's URL. It holds no secret: the key goes in a header, and
    /// a base URL with credentials is refused when the client is built.
    pub url: &'a str,
}

/// A response to an attempt: [`Observer::on_response`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AttemptResponse<'a> {
    /// The contact being updated.
    pub contact_id: &'a ContactId,
    /// The attempt's number, from 1.
    pub attempt: u32,
    /// The response's status.
    pub status: StatusCode,
    /// The response's headers.
    pub headers: &'a HeaderMap,
    /// From sending the request to the last byte of the body.
    pub duration: Duration,
}

/// A retry about to wait: [`Observer::on_retry_scheduled`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RetryScheduled<'a> {
    /// The contact being updated.
    pub contact_id: &'a ContactId,
    /// The number of the attempt that failed.
    pub attempt: u32,
    /// Why: the failed attempt's error.
    pub error: &'a Error,
    /// How long the call waits before the next attempt: the server's hint,
    /// else the backoff. In a batch paused by a 429 the batch waits as long.
    pub wait: Duration,
}

/// The end of a call: [`Observer::on_call_end`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CallEnd<'a> {
    /// The contact being updated.
    pub contact_id: &'a ContactId,
    /// The call's result.
    pub result: Result<&'a UpdateContactOutput, &'a Error>,
    /// Requests made, retries included (0 when nothing was sent).
    pub attempts: u32,
    /// From the call's start to its end.
    pub duration: Duration,
    /// The values of a successful response that did not fit their types
    /// (see [`UpdateContactOutput::drift`]); empty on an error.
    pub drift: &'a [ResponseDrift],
}

/// A client's observers, in the order they were added.
#[derive(Clone, Default)]
pub(crate) struct Observers(Box<[Arc<dyn Observer>]>);

impl Observers {
    pub(crate) fn push(&mut self, observer: Arc<dyn Observer>) {
        let mut all = std::mem::take(&mut self.0).into_vec();
        all.push(observer);
        self.0 = all.into_boxed_slice();
    }

    /// Whether there is none: checked before any event is made.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn each(&self, mut tell: impl FnMut(&dyn Observer)) {
        for observer in &self.0 {
            tell(observer.as_ref());
        }
    }
}

/// Observers are the user's types, which need not be `Debug`.
impl fmt::Debug for Observers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} observer(s)", self.0.len())
    }
}
