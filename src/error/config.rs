//! A client configuration that cannot work: refused when the client is built.

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
