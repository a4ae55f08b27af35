//! Why an update of a batch was never sent.

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
}
