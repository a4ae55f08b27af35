//! Helpers shared by the integration tests: the one way to build a test
//! client, the fixtures, the exact request every update must be, raw HTTP
//! for the tests' own servers and clients, loopback endpoints of their own,
//! and a scripted server for tests on tokio's paused clock.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

pub mod loopback;
pub mod proxy;
pub mod raw_http;
pub mod scripted;

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use talktohumans::mock::MockServerBuilder;
use talktohumans::{ApiError, Client, ClientBuilder, Error, InvalidInput, UpdateContactOutput};
use wiremock::matchers::{bearer_token, body_string, header, method, path};
use wiremock::{Match, Mock, MockBuilder, MockServer, Request, ResponseTemplate};

/// The API key every test client uses; no output may ever show it.
pub const API_KEY: &str = "tth_test_5ecret_K3y_do_not_print";

/// The `User-Agent` the crate must send.
pub const USER_AGENT: &str = concat!("talktohumans-rust/", env!("CARGO_PKG_VERSION"));

/// Where a test client sends: a server of any kind the tests use, or a URL.
pub trait Endpoint {
    fn base_url(&self) -> String;

    /// The key the server takes.
    fn api_key(&self) -> &str {
        API_KEY
    }
}

impl Endpoint for str {
    fn base_url(&self) -> String {
        self.to_owned()
    }
}

impl Endpoint for String {
    fn base_url(&self) -> String {
        self.clone()
    }
}

impl Endpoint for MockServer {
    fn base_url(&self) -> String {
        self.uri()
    }
}

impl Endpoint for talktohumans::mock::MockServer {
    fn base_url(&self) -> String {
        talktohumans::mock::MockServer::base_url(self).to_owned()
    }

    fn api_key(&self) -> &str {
        talktohumans::mock::MockServer::api_key(self)
    }
}

impl Endpoint for loopback::RawServer {
    fn base_url(&self) -> String {
        self.url().to_owned()
    }
}

impl Endpoint for loopback::RefusedAddress {
    fn base_url(&self) -> String {
        self.url()
    }
}

/// A builder with [`API_KEY`] and nothing else set: where every test
/// client that needs settings of its own starts (the scripted server's
/// clients too, through `scripted::Server::client`).
pub fn builder() -> ClientBuilder {
    Client::builder().api_key(API_KEY)
}

/// A client for `endpoint` that makes exactly one attempt per call, so that
/// `.expect(n)` on a mock counts calls, not retries, and statuses come back
/// as they are.
pub fn client(endpoint: &(impl Endpoint + ?Sized)) -> Client {
    builder_for(endpoint)
        .max_retries(0)
        .build()
        .expect("a client for the test's server")
}

/// Sends the tests' usual update (tag 123 "Hot lead") to `endpoint` with
/// one attempt, reading the answer strictly (`strict_responses`) or not.
pub async fn send_update(
    endpoint: &(impl Endpoint + ?Sized),
    strict: bool,
) -> Result<UpdateContactOutput, Error> {
    builder_for(endpoint)
        .max_retries(0)
        .strict_responses(strict)
        .build()
        .expect("a client for the test's server")
        .update_contact("123")
        .add_tag("Hot lead")
        .send()
        .await
}

/// [`builder`] pointed at `endpoint`, with its key.
pub fn builder_for(endpoint: &(impl Endpoint + ?Sized)) -> ClientBuilder {
    builder()
        .api_key(endpoint.api_key())
        .base_url(endpoint.base_url())
}

/// The text of `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// `tests/fixtures/<name>`, parsed.
pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// The API reference's example request body, as the client serializes it
/// (the reference's key order and indentation are not the crate's):
/// `tests/fixtures/seed_example_request.json` without its final newline.
/// The benchmarks send these bytes as the crate's request.
pub fn seed_request_body() -> String {
    fixture("seed_example_request.json")
        .trim_ascii_end()
        .to_owned()
}

/// A 200 with the API reference's example response.
pub fn seed_response() -> ResponseTemplate {
    json_response(200, &fixture("seed_example_response.json"))
}

/// A response with this status and JSON text as its body.
pub fn json_response(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

/// A mock server that answers one request, whatever it is, 200 with this
/// JSON body (and fails the test when dropped if it got another number).
pub async fn answering_once(body: &str) -> MockServer {
    answering_once_with(json_response(200, body)).await
}

/// A mock server that answers one request, whatever it is, with `response`
/// (and fails the test when dropped if it got another number).
pub async fn answering_once_with(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// A `tracing` writer that keeps what it is given, for tests that read the
/// logs back: clone it into the subscriber's `with_writer` closure.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Matches `PATCH /v1/contacts/<contact_id>` with the bearer key, a JSON
/// content type and the crate's `User-Agent`, and no `api-version` header.
/// The body is matched by the caller.
pub fn update_request(contact_id: &str) -> MockBuilder {
    Mock::given(method("PATCH"))
        .and(path(format!("/v1/contacts/{contact_id}")))
        .and(bearer_token(API_KEY))
        .and(header("content-type", "application/json"))
        .and(header("user-agent", USER_AGENT))
        .and(NoHeader("api-version"))
}

/// Mounts a mock that answers the seed's example response to exactly this
/// request, byte for byte, and must be called exactly once.
pub async fn expect_exact_update(server: &MockServer, contact_id: &str, body: &str) {
    update_request(contact_id)
        .and(body_string(body))
        .respond_with(seed_response())
        .expect(1)
        .named(format!("PATCH {contact_id} with {body}"))
        .mount(server)
        .await;
}

/// Mounts a mock that answers anything and must never be called.
pub async fn expect_no_request(server: &MockServer) {
    Mock::given(wiremock::matchers::any())
        .respond_with(seed_response())
        .expect(0)
        .named("no request at all")
        .mount(server)
        .await;
}

/// Matches a request that does not carry this header.
pub struct NoHeader(pub &'static str);

impl Match for NoHeader {
    fn matches(&self, request: &Request) -> bool {
        !request.headers.contains_key(self.0)
    }
}

/// The refused input, or a panic naming what came instead.
pub fn invalid_input<T: std::fmt::Debug>(result: Result<T, Error>) -> InvalidInput {
    match result {
        Err(Error::InvalidInput(invalid)) => invalid,
        other => panic!("expected Error::InvalidInput, got {other:?}"),
    }
}

/// The API error inside `error`, or a panic naming what came instead.
pub fn api_error(error: &Error) -> &ApiError {
    match error {
        Error::Api(api) => api,
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

/// The names of a contact's tags, in order; a tag without a name fails the
/// test.
pub fn tag_names(contact: &talktohumans::types::Contact) -> Vec<&str> {
    contact
        .tags
        .iter()
        .flatten()
        .map(|tag| tag.name.as_deref().expect("every tag has a name"))
        .collect()
}

/// Starts the crate's mock as `builder` sets it up.
pub async fn start(builder: MockServerBuilder) -> talktohumans::mock::MockServer {
    builder.start().await.expect("the mock starts")
}
