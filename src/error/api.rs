//! A non-2xx answer, kept whole.

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;

use super::{PREVIEW_CHARS, api_message};
use crate::preview::{cut, preview};
use crate::response::RawResponse;

/// The server answered with a status that is not a success.
///
/// Assumption: the API reference documents no error status or body. The body
/// is kept byte for byte, and read only when asked: the message is looked
/// for in the common places (`message`, `error`, `error.message`, `detail`,
/// `title`) without building the body in memory, and [`json`](Self::json)
/// parses it on its first call. So an error costs about its body's size,
/// however many are in flight.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use talktohumans::Error;
/// use talktohumans::mock::MockServer;
///
/// let mock = MockServer::start().await?;
/// let client = mock.client_builder().build()?;
/// let Err(Error::Api(api)) = client.update_contact("999999").add_tag("x").send().await else {
///     panic!("the mock has no contact 999999");
/// };
/// assert_eq!(api.status(), 404);
/// assert_eq!(api.json().unwrap()["error"]["code"], "contact_not_found");
/// assert!(api.message().is_some());
/// assert!(api.request_id().is_some());
/// assert_eq!(api.attempts(), 1);
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
pub struct ApiError {
    pub(crate) response: RawResponse,
    /// The body as JSON, parsed on the first call to `json`.
    json: OnceLock<Option<serde_json::Value>>,
    /// The server's message, found on the first call to `message`.
    message: OnceLock<Option<String>>,
    pub(crate) attempts: u32,
}

impl ApiError {
    pub(crate) fn new(response: RawResponse, attempts: u32) -> Self {
        Self {
            response,
            json: OnceLock::new(),
            message: OnceLock::new(),
            attempts,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.response.status
    }

    /// The response, exactly as it arrived.
    pub fn response(&self) -> &RawResponse {
        &self.response
    }

    /// The body parsed as JSON, when it is JSON. Parsed on the first call
    /// and kept: a large body takes much more memory as a
    /// `serde_json::Value` than as bytes (a 4 MiB array of numbers, about
    /// 64 MB), so prefer [`message`](Self::message) or
    /// [`response`](Self::response)'s bytes when they are enough.
    pub fn json(&self) -> Option<&serde_json::Value> {
        self.json
            .get_or_init(|| serde_json::from_slice(&self.response.body).ok())
            .as_ref()
    }

    /// The server's message, when its JSON body has one in a common place:
    /// the first string among `message`, `error`, `error.message`, `detail`
    /// and `title`. Found on the first call, reading the body as a stream.
    pub fn message(&self) -> Option<&str> {
        self.message
            .get_or_init(|| api_message::find(&self.response.body))
            .as_deref()
    }

    /// The request id from `x-request-id` or `request-id`, if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.response.request_id()
    }

    /// How many requests were sent, retries included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How long the server asked to wait before trying again, when it said so
    /// (`retry-after-ms`, or `Retry-After` as seconds or a date, from now).
    pub fn retry_after(&self) -> Option<Duration> {
        crate::response::retry_after(&self.response.headers, SystemTime::now())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the API answered HTTP {}", self.response.status)?;
        match self.message() {
            Some(message) => write!(f, ": {}", preview(message, PREVIEW_CHARS))?,
            None if self.response.body.is_empty() => f.write_str(" with an empty body")?,
            None => write!(f, " with a body of {} bytes", self.response.body.len())?,
        }
        if let Some(id) = self.request_id() {
            write!(f, " (request id {})", preview(id, 80))?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        if let Some(wait) = self.retry_after() {
            write!(f, "; the server asked to retry after {wait:?}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("response", &self.response)
            .field("message", &self.message().map(|m| cut(m, PREVIEW_CHARS)))
            .field("attempts", &self.attempts)
            .field("retry_after", &self.retry_after())
            .finish()
    }
}

impl std::error::Error for ApiError {}
