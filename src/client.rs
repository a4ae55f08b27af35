//! The client: one connection pool, the API key, and the call itself.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::client_builder::ClientBuilder;
use crate::error::{ApiError, Error, UndecodableResponse};
use crate::generated;
use crate::hooks::CallContext;
use crate::response::{RawResponse, Updated};
use crate::update::{ContactUpdate, UpdateContact};

/// A talktohumans.app API client.
///
/// Cheap to clone (the clones share one connection pool) and `Send + Sync`.
/// Its `Debug` output never shows the API key.
///
/// ```no_run
/// # async fn run() -> Result<(), talktohumans::Error> {
/// use talktohumans::{Client, Tag};
///
/// let client = Client::builder().api_key("tth_live_...").build()?;
/// let contact = client
///     .update_contact("123")
///     .account_id("42")
///     .add_tag(Tag::new("Hot lead").color("red"))
///     .remove_tag("Old tag")
///     .notes(&serde_json::json!({"stage": "demo"}))
///     .send()
///     .await?;
/// println!("{:?}", contact.tags);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) shared: Arc<Shared>,
}

/// What every call of a client shares.
pub(crate) struct Shared {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    /// `Bearer <key>`, marked sensitive.
    pub(crate) authorization: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) attempt_timeout: Duration,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("attempt_timeout", &self.attempt_timeout)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shared.fmt(f)
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client with the key from `TALKTOHUMANS_API_KEY` and the defaults.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::default().build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Starts an update of the contact with this id (checked when sent).
    pub fn update_contact(&self, contact_id: impl AsRef<str>) -> UpdateContact<&Client> {
        UpdateContact::new(self, contact_id.as_ref())
    }

    /// Sends a built update and returns the updated contact with the
    /// response's status and headers.
    pub async fn send(&self, update: &ContactUpdate) -> Result<Updated, Error> {
        self.attempt(update).await
    }

    /// One request, with every outcome mapped to the crate's error.
    async fn attempt(&self, update: &ContactUpdate) -> Result<Updated, Error> {
        let call = generated::Client::new_with_client(
            &self.shared.base_url,
            self.shared.http.clone(),
            CallContext {
                shared: Arc::clone(&self.shared),
                response: OnceLock::new(),
            },
        );
        let result = call
            .update_contact(update.contact_id().generated(), update.body())
            .await;
        let raw = call.inner.response.into_inner();
        outcome(result, raw)
    }
}

type GeneratedResult = Result<
    progenitor_client::ResponseValue<generated::types::UpdateContactResponse>,
    progenitor_client::Error<generated::types::ErrorBody>,
>;

/// Maps what the generated method returned, and the response the hooks kept,
/// to the crate's result.
fn outcome(result: GeneratedResult, raw: Option<RawResponse>) -> Result<Updated, Error> {
    use progenitor_client::Error as E;

    let error = match result {
        Ok(value) => {
            let status = value.status();
            let headers = value.headers().clone();
            return match value.into_inner().data.contact {
                Some(contact) => Ok(Updated {
                    contact,
                    status,
                    headers,
                }),
                None => Err(undecodable(
                    raw.unwrap_or(RawResponse {
                        status,
                        headers,
                        body: Default::default(),
                    }),
                    "the body has no data.contact".into(),
                )),
            };
        }
        Err(error) => error,
    };
    let Some(raw) = raw else {
        // No response arrived: the request failed on the way out or in.
        return Err(match error {
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e)
                if e.is_timeout() =>
            {
                Error::Timeout {
                    attempts: 1,
                    source: e,
                }
            }
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                Error::Transport {
                    attempts: 1,
                    source: e,
                }
            }
            // Only the generated request building produces these, and it
            // cannot fail on a checked update; reported rather than a panic.
            other => Error::Request {
                message: other.to_string(),
            },
        });
    };
    if raw.status.is_success() {
        let reason = match error {
            E::InvalidResponsePayload(_, e) => e.to_string(),
            _ => format!("HTTP {} is not the documented 200", raw.status),
        };
        Err(undecodable(raw, reason))
    } else {
        Err(Error::Api(Box::new(ApiError::new(raw, 1))))
    }
}

fn undecodable(response: RawResponse, reason: String) -> Error {
    Error::UndecodableResponse(Box::new(UndecodableResponse { response, reason }))
}
