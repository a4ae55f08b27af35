//! What every call of a client shares: the configuration a built client
//! holds. Its own module so that the client, its builder and the hooks all
//! depend on it, and not on each other.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::observe::Observers;
use crate::retry::RetryPolicy;

/// What every call of a client shares.
pub(crate) struct ClientConfig {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    /// `Bearer <key>`, marked sensitive.
    pub(crate) authorization: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) attempt_timeout: Duration,
    pub(crate) deadline: Duration,
    pub(crate) retry: RetryPolicy,
    /// Whether a value that does not fit its type fails the call.
    pub(crate) strict_responses: bool,
    /// The most bytes of a response body that are read.
    pub(crate) max_response_body: usize,
    /// Told of every attempt and call; usually none.
    pub(crate) observers: Observers,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("strict_responses", &self.strict_responses)
            .field("max_response_body", &self.max_response_body)
            .field("observers", &self.observers)
            .finish_non_exhaustive()
    }
}
