//! The one error type, and the typed reasons an input is refused.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;

use crate::preview::preview;
use crate::response::RawResponse;

/// How many characters of a value or a server message an error message shows.
const PREVIEW_CHARS: usize = 200;

/// Everything that can go wrong in a call, classified by where it failed:
/// before sending ([`InvalidInput`](Error::InvalidInput),
/// [`Config`](Error::Config)), on the way ([`Timeout`](Error::Timeout),
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

/// A rule of the API that an input breaks; each has its own variant.
///
/// ```
/// use talktohumans::{InvalidInput, UpdateContactInput};
///
/// let error = UpdateContactInput::builder("123")
///     .add_tag("Hot lead")
///     .remove_tag("Hot lead")
///     .build()
///     .unwrap_err();
/// assert_eq!(error, InvalidInput::TagAddedAndRemoved { name: "Hot lead".into() });
/// assert_eq!(error.to_string(), r#"tag "Hot lead" is both added and removed"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidInput {
    /// A contact id does not match `^[1-9][0-9]*$`.
    #[error("contact id {:?} {problem}", preview(.value, 40))]
    ContactId {
        /// The value given.
        value: String,
        /// What is wrong with it.
        problem: IdProblem,
    },

    /// An account id does not match `^[1-9][0-9]*$`.
    #[error("account id {:?} {problem}", preview(.value, 40))]
    AccountId {
        /// The value given.
        value: String,
        /// What is wrong with it.
        problem: IdProblem,
    },

    /// A tag name is empty or only white space.
    #[error("tag name {name:?} is empty or only white space")]
    BlankTagName {
        /// The name given.
        name: String,
    },

    /// The same tag is both added and removed in one update.
    #[error("tag {:?} is both added and removed", preview(.name, 80))]
    TagAddedAndRemoved {
        /// The tag's name.
        name: String,
    },

    /// The same tag appears twice in one list with different colors.
    #[error("tag {:?} appears twice with different colors ({first:?} and {second:?})", preview(.name, 80))]
    ConflictingTagColors {
        /// The tag's name.
        name: String,
        /// The color given first.
        first: Option<String>,
        /// The color given later.
        second: Option<String>,
    },

    /// The notes text is not valid JSON.
    #[error("notes text is not valid JSON: {reason}")]
    NotesNotJson {
        /// The parser's message (position and kind of error).
        reason: String,
    },

    /// The notes text is empty or only white space: ambiguous, since the API
    /// reads an empty string as "clear".
    #[error("notes text is empty: call clear_notes() to clear the notes")]
    EmptyNotesText,

    /// The notes value could not be serialized as JSON.
    #[error("notes could not be serialized as JSON: {reason}")]
    NotesNotSerializable {
        /// The serializer's message.
        reason: String,
    },

    /// The update both replaces the tags (`set_tags`, `clear_tags`) and adds
    /// or removes some (`add_tag`, `remove_tag`); the API takes one or the
    /// other. Use one [`TagChange`](crate::TagChange).
    #[error(
        "the update both replaces the tags and adds or removes some; the API takes one or the other"
    )]
    ReplaceCombinedWithAddOrRemove,

    /// The notes are JSON `null`: the API would store a null, not clear the
    /// notes. Clearing is `clear_notes()`.
    #[error(
        "notes are JSON null, which would be stored as null: call clear_notes() to clear the notes"
    )]
    NullNotes,

    /// The update sets no tag and no notes: sending it would change nothing.
    #[error("the update changes no tag and no notes")]
    NothingToUpdate,
}

/// Why an id does not match `^[1-9][0-9]*$`.
///
/// ```
/// use talktohumans::{ContactId, IdProblem, InvalidInput};
///
/// let Err(InvalidInput::ContactId { problem, .. }) = ContactId::new("12a") else {
///     panic!("12a is not an id");
/// };
/// assert_eq!(problem, IdProblem::NotADigit { at: 2, found: 'a' });
/// assert_eq!(problem.to_string(), "has 'a' at byte 2, where only ASCII digits are allowed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdProblem {
    /// The id is empty.
    Empty,
    /// The id starts with `0`.
    LeadingZero,
    /// A character is not an ASCII digit (a sign, a space, a non-ASCII digit...).
    NotADigit {
        /// Its byte offset.
        at: usize,
        /// The character.
        found: char,
    },
}

impl fmt::Display for IdProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdProblem::Empty => f.write_str("is empty"),
            IdProblem::LeadingZero => f.write_str("starts with 0"),
            IdProblem::NotADigit { at, found } => {
                write!(
                    f,
                    "has {found:?} at byte {at}, where only ASCII digits are allowed"
                )
            }
        }
    }
}

/// A client configuration that cannot work.
///
/// ```
/// use talktohumans::{Client, ConfigError, Error};
///
/// let error = Client::builder()
///     .api_key("tth_live_...")
///     .base_url("http://api.example.com")
///     .build()
///     .unwrap_err();
/// assert!(matches!(error, Error::Config(ConfigError::InsecureBaseUrl { .. })));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No API key was given and `TALKTOHUMANS_API_KEY` is not set.
    #[error("no API key: call ClientBuilder::api_key or set TALKTOHUMANS_API_KEY")]
    MissingApiKey,

    /// The API key is empty or has a character that is not printable ASCII
    /// (white space, control characters, non-ASCII letters).
    #[error("the API key is empty or has a character that is not printable ASCII")]
    InvalidApiKey,

    /// The base URL does not parse or is not http(s).
    #[error("base URL {url:?} is not usable: {reason}")]
    InvalidBaseUrl {
        /// The URL given.
        url: String,
        /// Why.
        reason: String,
    },

    /// The base URL is plain `http://` to a host that is not loopback: the key
    /// would travel in clear text.
    #[error(
        "base URL {url:?} would send the API key unencrypted; use https, a loopback host, or ClientBuilder::allow_insecure_http"
    )]
    InsecureBaseUrl {
        /// The URL given.
        url: String,
    },

    /// The TLS configuration could not be built.
    #[error("TLS could not be configured: {0}")]
    Tls(String),

    /// The base URL is `https://` but this build has no TLS: the crate's
    /// `rustls`, `rustls-ring` and `native-tls` features are all off and no
    /// HTTP client was given with
    /// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client).
    #[error(
        "base URL {url:?} needs TLS, but no TLS feature is enabled: enable the talktohumans feature rustls (the default), rustls-ring or native-tls, or pass your own client with ClientBuilder::http_client"
    )]
    NoTls {
        /// The URL given.
        url: String,
    },

    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built: {0}")]
    HttpClient(#[source] reqwest::Error),
}

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
            .field(
                "message",
                &self.message().map(|m| preview(m, PREVIEW_CHARS)),
            )
            .field("attempts", &self.attempts)
            .field("retry_after", &self.retry_after())
            .finish()
    }
}

impl std::error::Error for ApiError {}

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
            .field("reason", &preview(&self.reason, PREVIEW_CHARS))
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl std::error::Error for UndecodableResponse {}

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
