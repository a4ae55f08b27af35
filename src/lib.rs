#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod api_key;
mod bulk;
mod client;
mod client_builder;
mod client_config;
mod contact_turns;
mod decode;
mod error;
mod extra_fields;
mod fluent;
#[cfg(feature = "__fuzz")]
#[doc(hidden)]
pub mod fuzzing;
mod generated;
mod hooks;
mod ids;
mod input;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
mod observe;
mod options;
mod otel;
mod pacing;
mod preview;
mod response;
mod retry;
mod runner;
mod tag;

pub use api_key::ApiKey;
pub use bulk::{
    BulkItem, BulkOptions, BulkSummary, BulkUpdates, DEFAULT_MAX_THROTTLED_RETRIES,
    MAX_WAITING_FOR_TURN, StopHandle,
};
pub use client::Client;
pub use client_builder::{
    API_KEY_ENV, ClientBuilder, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BODY,
};
pub use decode::{DriftResolution, ResponseDrift};
pub use error::{
    ApiError, ConfigError, Error, ErrorKind, IdProblem, InvalidInput, NotSent, ResponseTooLarge,
    UndecodableResponse,
};
pub use fluent::UpdateContactFluentBuilder;
pub use ids::{AccountId, ContactId};
pub use input::{UpdateContactInput, UpdateContactInputBuilder};
pub use observe::{AttemptResponse, AttemptStart, CallEnd, Observer, RetryScheduled};
pub use response::{RawResponse, UpdateContactOutput};
pub use retry::RetryPolicy;
pub use tag::{Tag, TagChange};

/// The HTTP crate whose types (status codes, headers) appear in this crate's
/// API, re-exported so that its version always matches.
pub use http;
/// The HTTP client this crate is built on, re-exported for
/// [`ClientBuilder::http_client`] and [`ClientBuilder::reqwest_builder`], so
/// that the client you build is of the version this crate takes.
pub use reqwest;

/// The contact and its parts, as the API returns them (generated from
/// `openapi.yaml`). Every field is optional: a server may omit it or send
/// `null`.
///
/// ```
/// use talktohumans::types::Contact;
///
/// let contact: Contact = serde_json::from_str(r#"{"contact_id": "123", "tags": [{"name": "Hot lead"}]}"#)?;
/// assert_eq!(contact.contact_id.as_deref(), Some("123"));
/// assert_eq!(contact.tags.unwrap()[0].name.as_deref(), Some("Hot lead"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod types {
    pub use crate::generated::types::{
        Account, Company, ConnectionInvitation, Contact, ContactTag, Education, Experience,
        Industry, Language, Location, Sequence, SequenceStep,
    };
}
