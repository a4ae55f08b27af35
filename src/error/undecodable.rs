//! A success whose body is not the documented contact: the update was applied.

use std::fmt;

use reqwest::StatusCode;

use super::PREVIEW_CHARS;
use crate::preview::{cut, preview};
use crate::response::RawResponse;

/// The server answered with a success status, so it applied the update, but
/// the body is not the documented contact. Do not retry blindly: the change
/// is already made.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use talktohumans::Error;
/// use talktohumans::mock::{Fault, MockServer, seed};
///
/// let mock = MockServer::start().await?;
/// mock.inject(1, Fault::status(http::StatusCode::OK).raw_body("text/plain", "done"));
/// let client = mock.client_builder().build()?;
/// let Err(Error::UndecodableResponse(e)) =
///     client.update_contact(seed::TOMAS_HERRERA).add_tag("x").send().await
/// else {
///     panic!("a 200 with a text body does not decode");
/// };
/// assert_eq!(e.status(), 200);
/// assert_eq!(&e.response().body()[..], b"done");
/// assert!(e.to_string().contains("accepted the update"));
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
pub struct UndecodableResponse {
    pub(crate) response: RawResponse,
    pub(crate) reason: String,
    pub(crate) attempts: u32,
}

impl UndecodableResponse {
    /// The HTTP status (a success).
    pub fn status(&self) -> StatusCode {
        self.response.status
    }

    /// The response, exactly as it arrived.
    pub fn response(&self) -> &RawResponse {
        &self.response
    }

    /// Why the body could not be decoded.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// How many requests were sent, retries included (the last one is the
    /// success that did not decode; it is never retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for UndecodableResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the server accepted the update (HTTP {}) but its response of {} bytes could not be decoded: {}",
            self.response.status,
            self.response.body.len(),
            preview(&self.reason, PREVIEW_CHARS)
        )
    }
}

impl fmt::Debug for UndecodableResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UndecodableResponse")
            .field("response", &self.response)
            .field("reason", &cut(&self.reason, PREVIEW_CHARS))
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl std::error::Error for UndecodableResponse {}
