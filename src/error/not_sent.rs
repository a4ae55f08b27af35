//! Why an update of a batch was never sent.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

/// Why an update of a batch was not sent: no request went out for it, so the
/// server cannot have applied it, and sending it later is safe.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use futures_util::StreamExt;
/// use talktohumans::mock::{Fault, MockServer, seed};
/// use talktohumans::{BulkOptions, Error, NotSent, UpdateContactInput};
///
/// let mock = MockServer::start().await?;
/// mock.fail_next(1, http::StatusCode::BAD_REQUEST, None);
/// let client = mock.client_builder().build()?;
/// let inputs = ["Q3", "Q4"]
///     .map(|tag| UpdateContactInput::builder(seed::MAYA_CHEN).add_tag(tag).build().unwrap());
/// let options = BulkOptions::default().stop_contact_on_failure(true);
/// let items: Vec<_> = client
///     .update_contacts_with(options, futures_util::stream::iter(inputs))
///     .collect()
///     .await;
/// assert_eq!(items[0].result.as_ref().unwrap_err().status().unwrap(), 400);
/// let Err(Error::NotSent(reason)) = &items[1].result else { panic!("sent") };
/// assert_eq!(*reason, NotSent::EarlierUpdateFailed { index: 0 });
/// assert_eq!(mock.request_count(), 1);
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotSent {
    /// An earlier update of the same contact in the batch failed, and the
    /// batch was told to stop that contact's updates there
    /// ([`BulkOptions::stop_contact_on_failure`](crate::BulkOptions::stop_contact_on_failure)),
    /// so that no later update lands on top of one that did not.
    #[error(
        "an earlier update of the same contact (input {index}) failed, so this one was held back"
    )]
    EarlierUpdateFailed {
        /// The input index of the first update of the contact that failed.
        index: usize,
    },

    /// The batch was stopped with [`StopHandle::stop`](crate::StopHandle::stop)
    /// before this update was sent.
    #[error("the batch was stopped before this update was sent")]
    Stopped,

    /// The server answered an update of the batch 429 or 503 with a wait
    /// longer than the retry policy honours
    /// ([`RetryPolicy::max_retry_after`](crate::RetryPolicy::max_retry_after)):
    /// a quota that is used up until then, such as a daily one. The batch
    /// stopped there rather than send every update only to hear the same.
    /// Send this update again once `retry_after` has passed.
    ///
    /// ```
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use futures_util::StreamExt;
    /// use talktohumans::mock::{MockServer, seed};
    /// use talktohumans::UpdateContactInput;
    ///
    /// let mock = MockServer::builder().generated_contacts(50).start().await?;
    /// // A daily quota, used up: every answer says "in a day".
    /// let day = Duration::from_secs(86_400);
    /// mock.fail_next(1_000, http::StatusCode::TOO_MANY_REQUESTS, Some(day));
    /// let client = mock.client_builder().build()?;
    /// let inputs = (0..50).map(|i| {
    ///     UpdateContactInput::builder(seed::generated_id(i)).add_tag("Q4").build().unwrap()
    /// });
    /// let mut batch = client.update_contacts(inputs);
    /// let mut not_sent = 0;
    /// while let Some(item) = batch.next().await {
    ///     let error = item.result.unwrap_err();
    ///     if error.not_sent().is_some() {
    ///         assert_eq!(error.retry_after(), Some(day));
    ///         not_sent += 1;
    ///     }
    /// }
    /// // Only the requests already in flight when the first answer came.
    /// assert_eq!(mock.request_count(), 50 - not_sent);
    /// assert!(not_sent >= 50 - 8);
    /// # Ok(())
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
    /// ```
    #[error(
        "the server's quota is used up (HTTP {status}): try again in {} at the earliest",
        Wait(*retry_after)
    )]
    QuotaExhausted {
        /// How long the server asked to wait, counted from its answer.
        retry_after: Duration,
        /// The status of that answer (429 or 503).
        status: StatusCode,
    },
}

impl NotSent {
    /// How long to wait before sending the update again, when the reason
    /// says ([`QuotaExhausted`](Self::QuotaExhausted)), counted from the
    /// server's answer that stopped the batch.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            NotSent::QuotaExhausted { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

/// A wait as people read it: the two largest units, rounded up, so that
/// "try again after" is never too early.
struct Wait(Duration);

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")];
        let mut secs = self.0.as_secs();
        if self.0.subsec_nanos() > 0 {
            secs = secs.saturating_add(1);
        }
        let Some(first) = UNITS.iter().position(|(unit, _)| secs >= *unit) else {
            return f.write_str("less than a second");
        };
        let (unit, name) = UNITS[first];
        // The largest unit, then the next one rounded up, so the two
        // together are never shorter than the wait.
        let (whole, rest) = (secs / unit, secs % unit);
        write!(f, "{whole} {name}")?;
        if let Some(&(next, next_name)) = UNITS.get(first + 1) {
            let next_count = rest.div_ceil(next);
            if next_count > 0 {
                write!(f, " {next_count} {next_name}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_reads_as_people_write_it_and_is_never_shorter() {
        let said = |secs: f64| Wait(Duration::from_secs_f64(secs)).to_string();
        assert_eq!(said(0.0), "less than a second");
        assert_eq!(said(0.2), "1 s");
        assert_eq!(said(59.0), "59 s");
        assert_eq!(said(90.0), "1 min 30 s");
        assert_eq!(said(3600.0), "1 h");
        assert_eq!(said(3601.0), "1 h 1 min");
        assert_eq!(said(86_400.0 * 2.0 + 1.0), "2 d 1 h");
        assert!(
            Wait(Duration::MAX)
                .to_string()
                .starts_with(&format!("{} d ", u64::MAX / 86_400))
        );
    }

    #[test]
    fn a_used_up_quota_says_when_to_try_again() {
        let reason = NotSent::QuotaExhausted {
            retry_after: Duration::from_secs(3600),
            status: StatusCode::TOO_MANY_REQUESTS,
        };
        assert_eq!(
            reason.to_string(),
            "the server's quota is used up (HTTP 429 Too Many Requests): try again in 1 h at the earliest"
        );
        assert_eq!(reason.retry_after(), Some(Duration::from_secs(3600)));
        assert_eq!(NotSent::Stopped.retry_after(), None);
    }
}
