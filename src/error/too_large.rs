//! A response body past the client's limit, not read to its end.

use std::fmt;

use reqwest::StatusCode;

use crate::preview::preview;
use crate::response::RawResponse;

/// The server's response body was longer than the client's limit
/// ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body)),
/// so reading stopped there and the connection was closed. It is never
/// retried. On a success status the update was applied.
///
/// [`response`](Self::response) keeps the status and headers, and at most
/// the first 64 KiB of the body.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use talktohumans::Error;
/// use talktohumans::mock::{Fault, MockServer, seed};
///
/// let mock = MockServer::start().await?;
/// let huge = format!(r#"{{"data":{{"contact":{{"about":"{}"}}}}}}"#, "x".repeat(100_000));
/// mock.inject(1, Fault::status(http::StatusCode::OK).raw_body("application/json", huge));
/// let client = mock.client_builder().max_response_body(10_000).build()?;
/// let Err(Error::ResponseTooLarge(e)) =
///     client.update_contact(seed::TOMAS_HERRERA).add_tag("x").send().await
/// else {
///     panic!("the body is past the limit");
/// };
/// assert!(e.applied());
/// assert_eq!(e.limit(), 10_000);
/// assert_eq!(e.attempts(), 1);
/// assert!(e.to_string().contains("accepted the update"));
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
pub struct ResponseTooLarge {
    pub(crate) response: RawResponse,
    pub(crate) read: u64,
    pub(crate) limit: usize,
    pub(crate) attempts: u32,
}

impl ResponseTooLarge {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.response.status
    }

    /// Whether the server applied the update: its status is a success.
    pub fn applied(&self) -> bool {
        self.response.status.is_success()
    }

    /// The status, the headers, and at most the first 64 KiB of the body.
    pub fn response(&self) -> &RawResponse {
        &self.response
    }

    /// How many bytes of the body were received before reading stopped: 0
    /// when the declared `Content-Length` was already past the limit, else
    /// more than the limit by less than one read of the connection.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// The limit the body passed, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// How many requests were sent, retries included (the last one is never
    /// retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The `Content-Length` the server declared, if any.
    fn declared_length(&self) -> Option<u64> {
        self.response
            .headers
            .get(http::header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }
}

impl fmt::Display for ResponseTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.applied() {
            write!(
                f,
                "the server accepted the update (HTTP {}) but its response body",
                self.response.status
            )?;
        } else {
            write!(
                f,
                "the API answered HTTP {} with a body that",
                self.response.status
            )?;
        }
        write!(f, " is longer than the limit of {} bytes", self.limit)?;
        match self.declared_length() {
            Some(length) if self.read == 0 => {
                write!(f, " (Content-Length {length}); nothing of it was read")?
            }
            _ => write!(f, "; reading stopped after {} bytes", self.read)?,
        }
        if let Some(id) = self.response.request_id() {
            write!(f, " (request id {})", preview(id, 80))?;
        }
        Ok(())
    }
}

impl fmt::Debug for ResponseTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseTooLarge")
            .field("response", &self.response)
            .field("bytes_read", &self.read)
            .field("limit", &self.limit)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl std::error::Error for ResponseTooLarge {}
