//! Configuration of a [`Client`]: key, base URL, timeouts, HTTP client.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::api_key::ApiKey;
use crate::client::Client;
use crate::client_config::ClientConfig;
use crate::error::{ConfigError, Error};
use crate::observe::{Observer, Observers};
use crate::retry::RetryPolicy;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.talktohumans.app";
/// The environment variable [`ClientBuilder::build`] reads the key from when
/// none is given.
pub const API_KEY_ENV: &str = "TALKTOHUMANS_API_KEY";
/// Default time to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for one attempt, from sending the request to the last byte of
/// the response.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for a whole call, retries and waits included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);
/// Default limit of a response body, in bytes: 4 MiB, about a thousand
/// times the API reference's example contact (4.5 KB), notes included.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 4 * 1024 * 1024;

const USER_AGENT: &str = concat!("talktohumans-rust/", env!("CARGO_PKG_VERSION"));

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client with the key from `TALKTOHUMANS_API_KEY` and the defaults.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::default().build()
    }
}

/// Configures a [`Client`]; made by [`Client::builder`].
///
/// ```
/// use std::time::Duration;
///
/// let client = talktohumans::Client::builder()
///     .api_key("tth_live_...")
///     .base_url("http://127.0.0.1:8080")
///     .connect_timeout(Duration::from_secs(5))
///     .timeout(Duration::from_secs(20))
///     .build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:8080");
/// assert!(!format!("{client:?}").contains("tth_live_"));
/// # Ok::<(), talktohumans::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    base_url: String,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    deadline: Duration,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
    allow_insecure_http: bool,
    strict_responses: bool,
    max_response_body: usize,
    observers: Observers,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            retry: RetryPolicy::default(),
            http: None,
            allow_insecure_http: false,
            strict_responses: false,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            observers: Observers::default(),
        }
    }
}

impl ClientBuilder {
    /// The API key; without one, `build` reads `TALKTOHUMANS_API_KEY`.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Where requests go (default [`DEFAULT_BASE_URL`]); a trailing `/` is
    /// ignored.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Time to establish a connection (default 10 s). Ignored with
    /// [`http_client`](Self::http_client), whose own setting applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time for one attempt, from sending the request to the last byte of the
    /// response (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Limit for a whole call, retries and the waits between them included
    /// (default 120 s). An attempt that would run past it is cut short. In a
    /// batch it counts from the update's first attempt: the time the update
    /// waits in line for the batch's pace before it is first sent does not
    /// count.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// When and how failed calls are retried (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many times a failed call may be retried (default 2; 0 disables
    /// retries). Shorthand for the same setting of [`RetryPolicy`].
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry = self.retry.max_retries(retries);
        self
    }

    /// Uses this reqwest client (for proxies, TLS roots, ...) instead of one
    /// built here. Its connect timeout and redirect policy apply; the
    /// attempt timeout, the key and the `User-Agent` are still set per request.
    ///
    /// Its proxies are its own, too. The client built here bypasses the
    /// environment's proxy (`HTTP_PROXY`, `ALL_PROXY`, ...) for a loopback or
    /// plain-`http://` base URL, so that the key never reaches a proxy in
    /// clear text; a client passed here is used as configured. reqwest's
    /// `Client::new()` uses the environment's proxy for every host, loopback
    /// included: give it `.no_proxy()` for such a base URL, or start from
    /// [`reqwest_builder`](Self::reqwest_builder), which already has it.
    ///
    /// The client built here follows only 307 and 308 redirects that stay on
    /// the same origin. reqwest's default policy follows any redirect to any
    /// origin, and sends the key again on a later hop within another origin:
    /// give this client `.redirect(reqwest::redirect::Policy::none())` (or a
    /// policy as strict) unless every server it may be sent to is trusted.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The reqwest builder this client would build its HTTP client from: its
    /// TLS setup, connect timeout, redirect policy, and for a loopback or
    /// plain-`http://` base URL no proxy from the environment (a proxy added
    /// to it with `.proxy(...)` is still used). Add what you need
    /// (a proxy, root certificates) and pass the result to
    /// [`http_client`](Self::http_client).
    ///
    /// Start from this rather than `reqwest::Client::new()` to keep the
    /// redirect policy that protects the key (see
    /// [`http_client`](Self::http_client)) and the TLS backend this crate's
    /// features chose. With the `rustls-ring` feature the builder carries a
    /// finished rustls configuration, and reqwest ignores root certificates
    /// added to it; use the default `rustls` feature to add some.
    ///
    /// ```
    /// use talktohumans::reqwest;
    ///
    /// let builder = talktohumans::Client::builder().api_key("tth_live_...");
    /// let http = builder
    ///     .reqwest_builder()?
    ///     .proxy(reqwest::Proxy::https("http://proxy.internal:3128")?)
    ///     .build()?;
    /// let client = builder.http_client(http).build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reqwest_builder(&self) -> Result<reqwest::ClientBuilder, Error> {
        let direct = reqwest::Url::parse(&self.base_url).is_ok_and(|url| must_go_direct(&url));
        Ok(reqwest_builder(self.connect_timeout, direct)?)
    }

    /// Allows plain `http://` to a host that is not loopback. Without it such
    /// a base URL is refused, because the key would travel in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Makes any value of a successful response that does not fit its type
    /// an [`Error::UndecodableResponse`] (default `false`), for contract
    /// tests that must notice when the server drifts from the spec.
    ///
    /// By default such a value does not fail the call, because the update is
    /// applied by then: it is read losslessly when it can be (`123.0` or
    /// `"123"` as the integer 123), else left out of the contact, and listed
    /// in [`UpdateContactOutput::drift`](crate::UpdateContactOutput::drift)
    /// with a `tracing` warning. A body that fits costs the same either way:
    /// the tolerant reading runs only after the typed decoding refuses a
    /// body.
    ///
    /// ```
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use talktohumans::Error;
    /// use talktohumans::mock::{Fault, MockServer, seed};
    ///
    /// let mock = MockServer::start().await?;
    /// let drifted = r#"{"data":{"contact":{"contact_id":"123","follower_count":"many"}}}"#;
    /// mock.inject(1, Fault::status(http::StatusCode::OK).raw_body("application/json", drifted));
    /// let strict = mock.client_builder().strict_responses(true).build()?;
    /// let error = strict.update_contact(seed::TOMAS_HERRERA).add_tag("x").send().await.unwrap_err();
    /// assert!(matches!(error, Error::UndecodableResponse(_)));
    /// # Ok(())
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn strict_responses(mut self, strict: bool) -> Self {
        self.strict_responses = strict;
        self
    }

    /// The most bytes of a response body that are read (default
    /// [`DEFAULT_MAX_RESPONSE_BODY`], 4 MiB). Past it, reading stops, the
    /// connection is closed, and the call ends with
    /// [`Error::ResponseTooLarge`], which is never retried; a declared
    /// `Content-Length` past it is refused before the body is read. So a
    /// server, proxy or bug that sends an endless body costs at most this
    /// much memory, once.
    ///
    /// ```
    /// let client = talktohumans::Client::builder()
    ///     .api_key("tth_live_...")
    ///     .max_response_body(16 * 1024 * 1024)
    ///     .build()?;
    /// # Ok::<(), talktohumans::Error>(())
    /// ```
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Adds an observer, told of every attempt and call of the client (see
    /// [`Observer`]). Several may be added; each is told in the order
    /// added. With none, watching costs nothing.
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observers.push(observer);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let key = match self.api_key {
            Some(key) => key,
            None => std::env::var(API_KEY_ENV)
                .map(ApiKey::new)
                .map_err(|_| ConfigError::MissingApiKey)?,
        };
        let authorization = bearer(&key)?;
        let base_url = checked_base_url(&self.base_url, self.allow_insecure_http)?;
        if !HAS_TLS && self.http.is_none() && base_url.starts_with("https:") {
            return Err(ConfigError::NoTls { url: base_url }.into());
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                let direct = reqwest::Url::parse(&base_url).is_ok_and(|url| must_go_direct(&url));
                reqwest_builder(self.connect_timeout, direct)?
                    .build()
                    .map_err(ConfigError::HttpClient)?
            }
        };
        Ok(Client {
            shared: Arc::new(ClientConfig {
                http,
                base_url,
                authorization,
                user_agent: HeaderValue::from_static(USER_AGENT),
                attempt_timeout: self.attempt_timeout,
                deadline: self.deadline,
                retry: self.retry,
                strict_responses: self.strict_responses,
                max_response_body: self.max_response_body,
                observers: self.observers,
            }),
        })
    }
}

fn bearer(key: &ApiKey) -> Result<HeaderValue, ConfigError> {
    // Keys are printable ASCII; anything else is a copy-paste accident that
    // a header would carry in an unreadable form.
    let key_text = key.expose();
    if key_text.is_empty() || !key_text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ConfigError::InvalidApiKey);
    }
    let mut value = HeaderValue::try_from(format!("Bearer {}", key.expose()))
        .map_err(|_| ConfigError::InvalidApiKey)?;
    value.set_sensitive(true);
    Ok(value)
}

fn checked_base_url(url: &str, allow_insecure_http: bool) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it has a query or a fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("it has credentials"));
    }
    match parsed.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&parsed) => {}
        "http" => {
            return Err(ConfigError::InsecureBaseUrl {
                url: url.to_owned(),
            });
        }
        _ => return Err(invalid("the scheme is not http or https")),
    }
    Ok(url.trim_end_matches('/').to_owned())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(host)) => host.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Whether requests to `url` must bypass any proxy named in the environment
/// (`HTTP_PROXY`, `ALL_PROXY`, ...), which reqwest otherwise uses for every
/// host, loopback included.
///
/// - Plain `http://` would hand the proxy the request in clear text, the
///   `Authorization` header with it: the key travels over plain http only
///   straight to the host the caller named (loopback, or one allowed with
///   `allow_insecure_http`).
/// - A loopback host is this machine: a proxy elsewhere cannot reach it, and
///   one that can would see the mock's key and the contact's data, where the
///   caller was told nothing leaves the machine.
///
/// `https://` to another host keeps the environment's proxy: it gets only a
/// `CONNECT` tunnel, and the key stays inside TLS.
fn must_go_direct(url: &reqwest::Url) -> bool {
    url.scheme() == "http" || is_loopback(url)
}

fn reqwest_builder(
    connect_timeout: Duration,
    direct: bool,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .redirect(redirect_policy());
    if direct {
        builder = builder.no_proxy();
    }
    with_tls(builder)
}

/// The TLS backend of the crate's features; with several, the one asked for
/// most specifically: `rustls-ring`, then `native-tls`, then the default
/// `rustls`.
#[cfg(feature = "rustls-ring")]
fn with_tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(builder.tls_backend_preconfigured(ring_rustls_config()?))
}

#[cfg(all(feature = "native-tls", not(feature = "rustls-ring")))]
fn with_tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(builder.tls_backend_native())
}

#[cfg(all(
    feature = "rustls",
    not(any(feature = "native-tls", feature = "rustls-ring"))
))]
fn with_tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(builder.tls_backend_rustls())
}

/// No TLS: `build` refuses an `https://` base URL before this runs.
#[cfg(not(any(feature = "rustls", feature = "native-tls", feature = "rustls-ring")))]
fn with_tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(builder)
}

/// Whether this build of the crate can speak TLS on its own.
const HAS_TLS: bool = cfg!(any(
    feature = "rustls",
    feature = "native-tls",
    feature = "rustls-ring"
));

/// The most redirects followed in one request.
const MAX_REDIRECTS: usize = 10;

/// Follows a redirect only when it is a 307 or 308 and stays on the origin
/// (scheme, host and port) of the request; any other redirect is returned as
/// it is, and becomes an [`Error::Api`](crate::Error::Api) with its
/// `Location`.
///
/// - Another origin would get the body, the contact's data, without the key
///   (reqwest drops it), so it could only refuse the update. Worse, reqwest
///   drops the key only when a hop changes origin: after a hop to another
///   origin, a further hop within that origin would carry it again.
/// - 307 and 308 keep the method and the body. A 303 turns the `PATCH` into
///   a `GET`, whose answer would look like a successful update, and other
///   clients do the same with 301 and 302: none of them is the update.
/// - A loop ends after [`MAX_REDIRECTS`] with the last redirect.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let keeps_request = matches!(attempt.status().as_u16(), 307 | 308);
        let previous = attempt.previous();
        let same_origin = previous
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if keeps_request && same_origin && previous.len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// rustls with the `ring` provider and the platform's certificate store,
/// passed to this client only rather than installed as the process-wide
/// default, which would clash with an application's own choice.
#[cfg(feature = "rustls-ring")]
fn ring_rustls_config() -> Result<rustls::ClientConfig, ConfigError> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let tls_error = |e: rustls::Error| ConfigError::Tls(e.to_string());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_platform_verifier()
        .map_err(tls_error)?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let ok = |url, insecure| checked_base_url(url, insecure).unwrap();
        assert_eq!(
            ok("https://api.talktohumans.app/", false),
            "https://api.talktohumans.app"
        );
        assert_eq!(ok("http://127.0.0.1:8080", false), "http://127.0.0.1:8080");
        assert_eq!(ok("http://127.8.9.1:1", false), "http://127.8.9.1:1");
        assert_eq!(ok("http://[::1]:80/", false), "http://[::1]:80");
        assert_eq!(ok("http://LOCALHOST:80", false), "http://LOCALHOST:80");
        assert_eq!(ok("http://api.example:80", true), "http://api.example:80");
        for insecure in [
            "http://api.example",
            "http://10.0.0.1",
            "http://localhost.evil.example",
        ] {
            assert!(matches!(
                checked_base_url(insecure, false),
                Err(ConfigError::InsecureBaseUrl { .. })
            ));
        }
        for invalid in [
            "",
            "api.example",
            "ftp://x",
            "https://x/?a=1",
            "https://u:p@x/",
        ] {
            assert!(matches!(
                checked_base_url(invalid, false),
                Err(ConfigError::InvalidBaseUrl { .. })
            ));
        }
    }

    #[test]
    fn loopback_and_plain_http_bypass_the_environments_proxy() {
        let direct = |url: &str| must_go_direct(&reqwest::Url::parse(url).unwrap());
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost:9",
            "http://[::1]:80",
            "https://localhost:8443",
            "https://127.0.0.2",
            "http://api.example",
        ] {
            assert!(direct(url), "{url}");
        }
        assert!(!direct("https://api.talktohumans.app"));
        assert!(!direct("https://10.0.0.1"));
    }

    #[test]
    fn keys_that_cannot_be_a_header_are_refused() {
        for key in ["", "  ", "a b", "a\nb", "ключ"] {
            assert!(matches!(
                bearer(&ApiKey::new(key)),
                Err(ConfigError::InvalidApiKey)
            ));
        }
        assert!(bearer(&ApiKey::new("k")).unwrap().is_sensitive());
    }

    /// Without any TLS feature (`cargo test --no-default-features --lib`),
    /// `https://` is refused when the client is built, not when it sends.
    #[test]
    #[cfg(not(any(feature = "rustls", feature = "native-tls", feature = "rustls-ring")))]
    fn without_tls_https_is_a_configuration_error() {
        let error = Client::builder()
            .api_key("k")
            .base_url("https://api.talktohumans.app")
            .build()
            .unwrap_err();
        assert!(
            matches!(&error, Error::Config(ConfigError::NoTls { url }) if url == "https://api.talktohumans.app"),
            "{error:?}"
        );
        assert!(error.to_string().contains("no TLS feature"), "{error}");
        // Plain http to loopback, and a caller's own client, still work.
        Client::builder()
            .api_key("k")
            .base_url("http://127.0.0.1:1")
            .build()
            .unwrap();
        Client::builder()
            .api_key("k")
            .http_client(reqwest::Client::new())
            .build()
            .unwrap();
    }
}
