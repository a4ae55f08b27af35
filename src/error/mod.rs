//! The one error type, classified by where a call failed; each kind of
//! detail it carries has a file of its own.

mod api;
mod api_message;
mod config;
mod invalid_input;
mod not_sent;
mod too_large;
mod undecodable;

use std::time::Duration;

use reqwest::StatusCode;

use crate::response::RawResponse;

pub use api::ApiError;
pub use config::ConfigError;
pub use invalid_input::{IdProblem, InvalidInput};
pub use not_sent::NotSent;
pub use too_large::ResponseTooLarge;
pub use undecodable::UndecodableResponse;

/// How many characters of a value or a server message an error message shows.
const PREVIEW_CHARS: usize = 200;

/// Everything that can go wrong in a call, classified by where it failed:
/// before sending ([`InvalidInput`](Error::InvalidInput),
/// [`Config`](Error::Config), [`NotSent`](Error::NotSent)), on the way ([`Timeout`](Error::Timeout),
/// [`Transport`](Error::Transport)), or in the answer ([`Api`](Error::Api),
/// [`UndecodableResponse`](Error::UndecodableResponse),
/// [`ResponseTooLarge`](Error::ResponseTooLarge)).
///
/// No variant loses what the server sent: [`Error::Api`] and
/// [`Error::UndecodableResponse`] keep the status, headers and body bytes.
/// Messages never contain the API key, and show at most a short preview of
/// anything the server sent.
///
/// ```no_run
/// # async fn run(client: talktohumans::Client) {
/// use talktohumans::Error;
///
/// match client.update_contact("123").add_tag("Hot lead").send().await {
///     Ok(output) => println!("tags: {:?}", output.contact.tags),
///     Err(Error::InvalidInput(why)) => eprintln!("fix the input, nothing was sent: {why}"),
///     Err(Error::Api(api)) => eprintln!(
///         "HTTP {} (request id {:?}): {:?}",
///         api.status(),
///         api.request_id(),
///         api.message()
///     ),
///     Err(Error::UndecodableResponse(e)) => {
///         eprintln!("applied, but the answer did not decode: {}", e.reason())
///     }
///     Err(e @ Error::Timeout { .. }) => eprintln!("no answer in time: {e}"),
///     Err(other) => eprintln!("{other}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input broke a rule of the API; nothing was sent.
    #[error("invalid input, nothing was sent: {0}")]
    InvalidInput(#[from] InvalidInput),

    /// The client could not be built as configured; nothing was sent.
    #[error("invalid client configuration: {0}")]
    Config(#[from] ConfigError),

    /// In a batch, the update was not sent at all, for the reason given:
    /// the server cannot have applied it.
    #[error("not sent: {0}")]
    NotSent(NotSent),

    /// The server answered with a status that is not a success.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The server answered with a success status, so the update was applied,
    /// but its body is not the documented contact.
    #[error(transparent)]
    UndecodableResponse(Box<UndecodableResponse>),

    /// The response body was longer than
    /// [`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body),
    /// so it was not read to its end. Never retried: the same server would
    /// likely send the same body again. On a success status the update was
    /// applied.
    #[error(transparent)]
    ResponseTooLarge(Box<ResponseTooLarge>),

    /// No complete response arrived in time.
    #[error("timed out after {attempts} attempt(s): {source}")]
    Timeout {
        /// How many requests were sent.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },

    /// The request could not be sent or its response could not be read
    /// (connection refused or reset, TLS failure, ...).
    #[error("transport error after {attempts} attempt(s): {source}")]
    Transport {
        /// How many requests were sent.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
}

impl Error {
    /// The kind of error, for counting and matching without the details.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::Config(_) => ErrorKind::Config,
            Error::NotSent(_) => ErrorKind::NotSent,
            Error::Api(_) => ErrorKind::Api,
            Error::UndecodableResponse(_) => ErrorKind::UndecodableResponse,
            Error::ResponseTooLarge(_) => ErrorKind::ResponseTooLarge,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Transport { .. } => ErrorKind::Transport,
        }
    }

    /// How many requests the call made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::Timeout { attempts, .. } | Error::Transport { attempts, .. } => *attempts,
            Error::UndecodableResponse(e) => e.attempts,
            Error::ResponseTooLarge(e) => e.attempts,
            _ => 0,
        }
    }

    /// Whether the server applied the update although the call failed: it
    /// answered with a success status, and then its body could not be read
    /// ([`UndecodableResponse`](Error::UndecodableResponse), or
    /// [`ResponseTooLarge`](Error::ResponseTooLarge) on a success). Such an
    /// update must not be sent again as if it had failed.
    ///
    /// `false` does not mean that nothing was applied: a request that timed
    /// out, or whose connection broke, may have reached the server. Only
    /// [`NotSent`](Error::NotSent), [`InvalidInput`](Error::InvalidInput)
    /// and [`Config`](Error::Config) say for sure that nothing was sent.
    ///
    /// ```
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use talktohumans::mock::{Fault, MockServer, seed};
    ///
    /// let mock = MockServer::start().await?;
    /// mock.inject(1, Fault::status(http::StatusCode::OK).raw_body("text/html", "<h1>OK</h1>"));
    /// let client = mock.client_builder().build()?;
    /// let error = client.update_contact(seed::MAYA_CHEN).add_tag("Q4").send().await.unwrap_err();
    /// assert!(error.applied());
    /// let error = client.update_contact("999999").add_tag("Q4").send().await.unwrap_err();
    /// assert!(!error.applied());
    /// # Ok(())
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn applied(&self) -> bool {
        match self {
            Error::UndecodableResponse(_) => true,
            Error::ResponseTooLarge(e) => e.applied(),
            _ => false,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.response().map(RawResponse::status)
    }

    /// The server's response, exactly as it arrived, when it answered.
    pub fn response(&self) -> Option<&RawResponse> {
        match self {
            Error::Api(e) => Some(&e.response),
            Error::UndecodableResponse(e) => Some(&e.response),
            Error::ResponseTooLarge(e) => Some(&e.response),
            _ => None,
        }
    }

    /// The request id the server sent, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.response()?.request_id()
    }

    /// Why the update was not sent, when it was not
    /// ([`NotSent`](Error::NotSent)).
    pub fn not_sent(&self) -> Option<&NotSent> {
        match self {
            Error::NotSent(reason) => Some(reason),
            _ => None,
        }
    }

    /// How long to wait before sending the update again, when the server
    /// said: its hint on an [`Api`](Error::Api) error
    /// ([`ApiError::retry_after`]), or the hint that stopped the batch on
    /// [`NotSent::QuotaExhausted`].
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(api) => api.retry_after(),
            Error::NotSent(reason) => reason.retry_after(),
            _ => None,
        }
    }
}

/// The variants of [`Error`], without their details.
///
/// ```
/// use talktohumans::{ErrorKind, UpdateContactInput};
///
/// let error: talktohumans::Error = UpdateContactInput::builder("0").clear_tags().build().unwrap_err().into();
/// assert_eq!(error.kind(), ErrorKind::InvalidInput);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::InvalidInput`].
    InvalidInput,
    /// [`Error::Config`].
    Config,
    /// [`Error::NotSent`].
    NotSent,
    /// [`Error::Api`].
    Api,
    /// [`Error::UndecodableResponse`].
    UndecodableResponse,
    /// [`Error::ResponseTooLarge`].
    ResponseTooLarge,
    /// [`Error::Timeout`].
    Timeout,
    /// [`Error::Transport`].
    Transport,
}
