//! A typed client for the [talktohumans.app](https://talktohumans.app) API:
//! edit a contact's tags and its account-scoped JSON notes with
//! `PATCH /v1/contacts/{contact_id}`, and get the full contact back.
//!
//! ```no_run
//! # async fn run() -> Result<(), talktohumans::Error> {
//! use talktohumans::{Client, Tag};
//!
//! let client = Client::from_env()?; // TALKTOHUMANS_API_KEY
//! let contact = client
//!     .update_contact("123")
//!     .account_id("42")
//!     .add_tag(Tag::new("Hot lead").color("red"))
//!     .remove_tag("Old tag")
//!     .notes(&serde_json::json!({"stage": "demo"}))
//!     .send()
//!     .await?;
//! println!("{} now has {:?}", contact.name.unwrap_or_default(), contact.tags);
//! # Ok(())
//! # }
//! ```
//!
//! Every rule of the API is checked before anything is sent, and a broken rule
//! is an [`InvalidInput`]; `set` and `add`/`remove` cannot be combined at all
//! (see [`UpdateContact`]).
//!
//! The request and response types are generated at build time from
//! `openapi.yaml` by progenitor; the generated client is private, and this
//! crate's own layer is the only way to a request.
//!
//! # Assumptions
//! The API reference documents only the success response. This crate assumes:
//! - any 4xx or 5xx status can come back, with a body of unknown shape: it is
//!   kept byte for byte in [`ApiError`];
//! - every field below `data.contact` may be absent or `null` (no company, no
//!   sequence, ...), and unknown fields are ignored;
//! - `tags.set` takes the same `{name, color}` items as `tags.add`, and the
//!   color is optional;
//! - the request id, if any, is in `x-request-id` or `request-id`.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod api_key;
mod bulk;
mod client;
mod client_builder;
mod error;
#[cfg(feature = "__fuzz")]
#[doc(hidden)]
pub mod fuzzing;
mod generated;
mod hooks;
mod ids;
#[cfg(feature = "mock")]
pub mod mock;
mod response;
mod retry;
mod tag;
mod update;

pub use api_key::ApiKey;
pub use bulk::{BulkItem, BulkOptions, BulkSummary, BulkUpdates};
pub use client::Client;
pub use client_builder::{
    API_KEY_ENV, ClientBuilder, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_DEADLINE,
};
pub use error::{
    ApiError, ConfigError, Error, ErrorKind, IdProblem, InvalidInput, UndecodableResponse,
};
pub use ids::{AccountId, ContactId};
pub use response::{RawResponse, Updated};
pub use retry::RetryPolicy;
pub use tag::Tag;
pub use update::{ContactUpdate, Detached, UpdateContact, tags};

/// The contact and its parts, as the API returns them (generated from
/// `openapi.yaml`). Every field is optional: a server may omit it or send
/// `null`.
pub mod types {
    pub use crate::generated::types::{
        Account, Company, ConnectionInvitation, Contact, ContactTag, Education, Experience,
        Industry, Language, Location, Sequence, SequenceStep,
    };
}
pub use types::Contact;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
