//! An in-memory mock of the API, for tests and offline use (cargo feature
//! `mock`).
//!
//! [`MockServer`] serves `PATCH /v1/contacts/{contact_id}` on
//! `127.0.0.1:<free port>` with state in memory: updates change the seeded
//! contacts, and tests read the result back with [`MockServer::contact`]. It
//! is safe under concurrent requests: each update is applied whole, under
//! one lock, so concurrent updates apply one after the other.
//!
//! ```
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use talktohumans::Tag;
//! use talktohumans::mock::{seed, MockServer};
//!
//! let mock = MockServer::start().await?;
//! let client = mock.client_builder().max_retries(0).build()?;
//! let contact = client
//!     .update_contact(seed::JONAS_BERG)
//!     .account_id(seed::SALES_TEAM_ACCOUNT)
//!     .add_tag(Tag::new("Renewal").with_color("orange"))
//!     .notes(&serde_json::json!({"stage": "negotiation"}))
//!     .send()
//!     .await?
//!     .contact;
//! assert_eq!(contact.notes_json.as_deref(), Some(r#"{"stage":"negotiation"}"#));
//!
//! let state = mock.contact(seed::JONAS_BERG).unwrap();
//! assert_eq!(state.tag_names(), ["Partner", "Renewal"]);
//! assert_eq!(state.tag("Renewal").unwrap().color(), Some("orange"));
//! // Notes are per account: Sam's are untouched.
//! assert_eq!(state.notes(seed::SAM_ACCOUNT), Some(r#"{"met_at":"Nordic Logistics Summit 2025"}"#));
//! # Ok(())
//! # }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
//! ```
//!
//! It also runs on its own, for tests in any language and for tools:
//! `cargo run --features mock --example mock_server -- --port 8080 --api-key KEY`.
//!
//! # Behaviour
//! What the API reference states, the mock does:
//! - `tags.set` replaces the tags exactly (an empty list removes them all);
//!   `tags.add` and `tags.remove` change only the tags they name; `set`
//!   cannot be combined with `add` or `remove`;
//! - `notes_json` is JSON text stored per account; `null` or `""` clears it;
//! - `account_id` is required when the contact exists under several accounts;
//! - ids match `^[1-9][0-9]*$`; the key is sent as `Authorization: Bearer <key>`;
//! - the answer is `{"data": {"contact": ...}}`, the full contact in the
//!   documented shape, built from the crate's own response types.
//!
//! # Assumptions
//! The API reference is silent on the rest; the mock assumes:
//! 1. **Key**: a missing `Authorization`, another scheme than `Bearer`
//!    (compared in any case), or a key other than the mock's is answered 401
//!    with `WWW-Authenticate: Bearer`.
//! 2. **Errors** have a JSON body `{"error": {"code": "...", "message":
//!    "..."}}` with `Content-Type: application/json`. The codes are:
//!    `unauthorized` (401), `method_not_allowed` (405, with `Allow: PATCH`),
//!    `not_found` (404, any other path), `invalid_contact_id` (422),
//!    `unsupported_content_type` (400), `malformed_json` (400),
//!    `body_too_large` (413), `invalid_request` (422), `contact_not_found`
//!    (404), `account_id_required` (422), `invalid_notes_json` (422),
//!    `tag_added_and_removed` (422), `injected_fault` (injected status),
//!    `rate_limited` (429, capacity mode).
//! 3. **Order of checks**: capacity, when on (429, assumption 22), path (404), method (405), key (401), contact id
//!    (422), content type (400), JSON syntax (400), schema (422), contact
//!    (404), account (404 or 422), notes and tag rules (422). So a request
//!    that is valid by `openapi.yaml` for an unknown contact gets 404, never 422.
//! 4. **Unreadable requests are 400**: no `Content-Type: application/json`
//!    (parameters such as `charset` allowed; the type in any case), an empty
//!    body, or a body that is not JSON.
//! 5. **Schema violations are 422**: anything `openapi.yaml` refuses — a body
//!    that is not an object, unknown fields (at any level), a wrong type,
//!    `null` for `account_id`, `tags` or a color, ids that do not match
//!    `^[1-9][0-9]*$` (path or body; the path is percent-decoded first),
//!    `tags` empty or with both `set` and `add`/`remove` (even empty lists),
//!    a tag without a name, and tag names that are empty or only white space
//!    (white space by ECMAScript's `\S`, as the spec's pattern, or by
//!    Unicode, as the client).
//! 6. **Unknown contact** (valid id, no such contact): 404 `contact_not_found`.
//! 7. **`account_id`** must be one of the contact's accounts, or the answer is
//!    404 `contact_not_found` (the contact does not exist under that
//!    account), also for a contact under one account. Without it, a contact
//!    under several accounts is answered 422 `account_id_required` — for any
//!    update, tags only included, because the reference states the rule
//!    without exception.
//! 8. **Notes** must be valid JSON text (by serde_json: RFC 8259, surrounding
//!    white space allowed, nesting up to 128 levels), else 422
//!    `invalid_notes_json`; white space alone is not JSON and not a clear.
//!    They are stored and returned byte for byte, not re-serialized.
//! 9. **Tags belong to the contact**, shared by all its accounts; only the
//!    notes are per account (the reference calls only the notes
//!    account-scoped).
//! 10. **Tag names** are compared exactly (case and white space count).
//! 11. **`add` of a present name** keeps the tag in its place and takes the new
//!     color when one is given; without a color it changes nothing. A new
//!     tag goes to the end. Without a color, a tag has none.
//! 12. **`set`** is "remove all, then `add` each item in order": a name listed
//!     twice appears once, at its first place, with the last color given.
//! 13. **`remove` of an absent tag** changes nothing and is not an error.
//! 14. **A tag both added and removed** in one request is refused, 422
//!     `tag_added_and_removed` (the client refuses it too).
//! 15. **Colors** are any string, stored but not returned: the documented
//!     response tag has only `name`. [`MockServer::contact`] shows them.
//! 16. **An update that changes nothing** (`{}`, `{"tags": {"add": []}}`) is
//!     valid by the spec and answered 200 with the contact.
//! 17. **A refused update changes nothing**: the whole request is checked
//!     before any change.
//! 18. **The response** is the contact under the account the update was for
//!     (its only account without `account_id`): `account`,
//!     `account_relationship_id` and `notes_json` are that account's.
//!     Fields without data are left out, which the spec allows (every field
//!     may be absent or `null`).
//! 19. **Request ids**: every answer has `x-request-id: mock-<n>`, `n`
//!     counting requests from 1.
//! 20. **Bodies** over [`MAX_BODY_BYTES`] are answered 413; query strings and
//!     other headers are ignored.
//! 21. **Injected faults** ([`MockServer::fail_next`], [`MockServer::inject`],
//!     [`MockServer::delay_next`]) apply to the next requests in arrival
//!     order, whatever their path, key or body; a failing fault answers
//!     without changing any state; a delayed request is handled only after
//!     its delay.
//! 22. **Capacity mode** ([`MockServerBuilder::capacity`], off by default) is
//!     a token bucket in front of the API, as a gateway's rate limiter: the
//!     reference documents no rate limit, so its place, its answer and its
//!     headers are assumptions. It comes after the injected faults (an
//!     injected answer takes no token; a delayed request takes its token
//!     when its delay is over) and before every check of assumption 3, so
//!     any request takes a token, whatever its path, key or body. Past
//!     capacity the answer is 429 `rate_limited` with `Retry-After` (whole
//!     seconds, rounded up) and `retry-after-ms` (milliseconds until a token
//!     is there, rounded up), and the request changes nothing. The bucket
//!     holds one second's worth of tokens unless
//!     [`MockServerBuilder::burst`] says otherwise, and starts full.
//!
//! The default contacts are in [`seed`].

mod capacity;
mod contact;
mod error;
mod faults;
mod handler;
mod request;
pub mod seed;
mod server;
mod state;
mod store;

pub use contact::{ContactState, MockContact};
pub use faults::{Fault, RandomFaults};
pub use server::{DEFAULT_API_KEY, MockError, MockServer, MockServerBuilder};
pub use state::{MAX_BODY_BYTES, REQUEST_LOG_CAPACITY, ReceivedRequest};
