//! Entry points for fuzzing the response path; not part of the API.
//!
//! Why this exists: a response is decoded partly inside the method that
//! progenitor generates and partly in `Client::attempt`, both private, and
//! both run only after a request has gone out. To put arbitrary responses
//! through that real path without a network, the exec hook
//! (`src/hooks.rs`) hands on a canned response instead of sending the
//! request, and [`decode`] drives one attempt with it. Everything else (the
//! request building, the hooks, the generated decoding, the error mapping and
//! the tracing) runs as in a real call.
//!
//! Compiled only with the private `__fuzz` feature, which the fuzz targets in
//! `fuzz/` and the property tests enable; without it this module does not
//! exist and the hook always sends.

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::client::Client;
use crate::error::Error;
use crate::generated::types::Contact;
use crate::hooks::CallContext;
use crate::input::UpdateContactInput;
use crate::response::{RawResponse, UpdateContactOutput};

/// Runs one attempt of an update whose response is `status`, `headers` and
/// `body`, through the same decoding as a real call.
///
/// `None` when no server could deliver such a response, because hyper
/// refuses it before reqwest sees it: a status outside 100..=999. Headers
/// whose name or value is not valid are left out for the same reason.
pub async fn decode(
    status: u16,
    headers: &[(&[u8], &[u8])],
    body: &[u8],
) -> Option<Result<UpdateContactOutput, Error>> {
    decode_with(false, status, headers, body).await
}

/// [`decode`] with a client whose
/// [`strict_responses`](crate::ClientBuilder::strict_responses) is `strict`.
pub async fn decode_with(
    strict: bool,
    status: u16,
    headers: &[(&[u8], &[u8])],
    body: &[u8],
) -> Option<Result<UpdateContactOutput, Error>> {
    let status = StatusCode::from_u16(status).ok()?;
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            map.append(name, value);
        }
    }
    let (client, update) = fixture(strict);
    let mut context = CallContext::new(client.shared.clone(), Duration::from_secs(30), None);
    context.canned = Some(RawResponse {
        status,
        headers: map,
        body: Bytes::copy_from_slice(body),
    });
    Some(
        client
            .attempt(update, 1, context, &tracing::Span::none())
            .await,
    )
}

/// What `UpdateContactOutput::extra_fields` reads from a body, for the
/// benchmark of its cost beside the decoding.
pub fn extra_fields(body: &[u8]) -> serde_json::Map<String, serde_json::Value> {
    crate::extra_fields::extra_fields(body)
}

/// The decoding of a success body alone, as a call does it: the generated
/// types, then (unless `strict`) the tolerant reading. The contact and the
/// paths of the values that did not fit, or why the body does not decode.
pub fn decode_body(body: &[u8], strict: bool) -> Result<(Contact, Vec<String>), String> {
    crate::decode::success_body(body, strict)
        .map(|(contact, drift)| (contact, drift.iter().map(|d| d.path().to_owned()).collect()))
}

/// The tolerant reading alone of a body that the generated types refuse,
/// with how many decodes it took: each decodes one value of the body, and
/// their number is bounded by a constant times the body's size, or the body
/// is refused. The paths of the values that did not fit, or why the body
/// does not decode.
pub fn tolerant_work(body: &[u8]) -> (Result<Vec<String>, String>, usize) {
    let (result, decodes) = crate::decode::tolerant_counting(body);
    let paths = result.map(|(_, drift)| drift.iter().map(|d| d.path().to_owned()).collect());
    (paths, decodes)
}

/// A client and an update, built once per strictness: the canned response
/// means neither the key nor the address is ever used.
fn fixture(strict: bool) -> &'static (Client, UpdateContactInput) {
    static LENIENT: OnceLock<(Client, UpdateContactInput)> = OnceLock::new();
    static STRICT: OnceLock<(Client, UpdateContactInput)> = OnceLock::new();
    let cell = if strict { &STRICT } else { &LENIENT };
    cell.get_or_init(|| {
        let client = Client::builder()
            .api_key("fuzz")
            .base_url("http://127.0.0.1:9")
            .max_retries(0)
            .strict_responses(strict)
            .build()
            .expect("a client for a loopback address builds");
        let update = UpdateContactInput::builder("1")
            .add_tag("fuzz")
            .build()
            .expect("a valid update");
        (client, update)
    })
}
