//! A non-2xx answer, kept whole.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;

use super::PREVIEW_CHARS;
use crate::preview::{cut, preview};
use crate::response::RawResponse;

/// The server answered with a status that is not a success.
///
/// Assumption: the API reference documents no error status or body. The body
/// is kept byte for byte; when it is JSON it is parsed, and a message is
/// looked for in the common places (`message`, `error`, `error.message`,
/// `detail`, `title`).
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
    pub(crate) json: Option<serde_json::Value>,
    pub(crate) attempts: u32,
}

impl ApiError {
    pub(crate) fn new(response: RawResponse, attempts: u32) -> Self {
        let json = serde_json::from_slice(&response.body).ok();
        Self {
            response,
            json,
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

    /// The body parsed as JSON, when it is JSON.
    pub fn json(&self) -> Option<&serde_json::Value> {
        self.json.as_ref()
    }

    /// The server's message, when its JSON body has one in a common place.
    pub fn message(&self) -> Option<&str> {
        let json = self.json.as_ref()?;
        let candidates = [
            json.get("message"),
            json.get("error").filter(|e| e.is_string()),
            json.get("error").and_then(|e| e.get("message")),
            json.get("detail"),
            json.get("title"),
        ];
        candidates.into_iter().flatten().find_map(|v| v.as_str())
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
