//! The API key appears in no output: every public type that can hold it is
//! formatted (Debug, pretty Debug, Display where there is one, and each
//! error's sources), and a call's tracing output at TRACE level is captured
//! and scanned.

use std::error::Error as _;
use std::fmt::Debug;
use std::sync::OnceLock;
use std::time::Duration;

mod support;

use support::loopback::{RawServer, RefusedAddress};
use support::{Endpoint, LogBuffer};
use talktohumans::{ApiKey, Client, Error, RetryPolicy, UpdateContactInput};
use tokio::io::AsyncReadExt;
use wiremock::matchers::{bearer_token, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "tth_live_S3cr3tK3yThatMustNeverBePrinted_0123";
/// A part of the key that a cut-short print would still show.
const KEY_PART: &str = "S3cr3tK3y";
const CONTACT: &str = r#"{"data":{"contact":{"contact_id":"123","name":"Ada"}}}"#;

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(KEY) && !text.contains(KEY_PART),
        "{what} shows the key: {text}"
    );
}

fn assert_debug_clean(what: &str, value: &impl Debug) {
    assert_clean(what, &format!("{value:?}"));
    assert_clean(what, &format!("{value:#?}"));
}

/// Display, Debug and every source's Display and Debug.
fn assert_error_clean(what: &str, error: &Error) {
    assert_clean(what, &error.to_string());
    assert_debug_clean(what, error);
    let mut source = error.source();
    while let Some(inner) = source {
        assert_clean(what, &inner.to_string());
        assert_clean(what, &format!("{inner:?}"));
        source = inner.source();
    }
}

/// A client with this file's key, whose failures take milliseconds.
fn fast_client(endpoint: &(impl Endpoint + ?Sized)) -> Client {
    support::builder_for(endpoint)
        .api_key(KEY)
        .timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::default().backoff(Duration::from_millis(5), Duration::from_millis(20)),
        )
        .build()
        .unwrap()
}

fn update() -> UpdateContactInput {
    UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .notes_json(r#"{"stage":"demo"}"#)
        .build()
        .unwrap()
}

async fn api(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/v1/contacts/123"))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

fn contact() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(CONTACT, "application/json")
}

/// A loopback server that accepts connections and never answers.
async fn silent_server() -> RawServer {
    RawServer::start(|mut stream| async move {
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink).await;
    })
    .await
}

#[test]
fn the_key_type_does_not_show_the_key() {
    assert_debug_clean("ApiKey", &ApiKey::new(KEY));
    assert_debug_clean("ApiKey from a String", &ApiKey::from(KEY.to_owned()));
    assert_debug_clean("ApiKey from a &str", &ApiKey::from(KEY));
}

#[test]
fn the_builder_and_the_client_do_not_show_the_key() {
    let builder = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:1");
    assert_debug_clean("ClientBuilder", &builder);
    let with_http = builder.clone().http_client(reqwest::Client::new());
    assert_debug_clean("ClientBuilder with a reqwest client", &with_http);
    let client = builder.build().unwrap();
    assert_debug_clean("Client", &client);
    assert_debug_clean("a clone of the Client", &client.clone());
    assert_debug_clean("Client with a reqwest client", &with_http.build().unwrap());
    // The key is there, so the checks above could fail.
    assert!(format!("{:?}", Client::builder().api_key(KEY)).contains("<redacted>"));
}

#[test]
fn configuration_errors_do_not_show_the_key() {
    // A key that cannot be a header value: refused, and not repeated.
    for bad in [format!("{KEY}\n"), format!(" {KEY}"), format!("{KEY} x")] {
        let error = Client::builder().api_key(bad).build().unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{error:?}");
        assert_error_clean("Config (invalid key)", &error);
    }
    let error = Client::builder()
        .api_key(KEY)
        .base_url("http://api.example")
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert_error_clean("Config (insecure base URL)", &error);
    let error = Client::builder()
        .api_key(KEY)
        .base_url("not a url")
        .build()
        .unwrap_err();
    assert_error_clean("Config (invalid base URL)", &error);
}

#[tokio::test]
async fn call_results_do_not_show_the_key() {
    // Api, after retries, with a body that is JSON with a message.
    let server = api(ResponseTemplate::new(401)
        .insert_header("x-request-id", "req_1")
        .set_body_raw(
            r#"{"error":{"message":"invalid API key"}}"#,
            "application/json",
        ))
    .await;
    let error = fast_client(&server).send(&update()).await.unwrap_err();
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_error_clean("Api", &error);
    let server = api(ResponseTemplate::new(503).insert_header("retry-after-ms", "1")).await;
    let error = fast_client(&server).send(&update()).await.unwrap_err();
    assert_eq!(error.attempts(), 3);
    assert_error_clean("Api after retries", &error);

    // UndecodableResponse.
    let server = api(ResponseTemplate::new(200).set_body_string("<html>")).await;
    let error = fast_client(&server).send(&update()).await.unwrap_err();
    assert!(matches!(error, Error::UndecodableResponse(_)), "{error:?}");
    assert_error_clean("UndecodableResponse", &error);

    // Transport.
    let error = fast_client(&RefusedAddress::new())
        .send(&update())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_error_clean("Transport", &error);

    // Timeout.
    let error = fast_client(&silent_server().await)
        .send(&update())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_error_clean("Timeout", &error);

    // InvalidInput: nothing is sent.
    let error = fast_client(&RefusedAddress::new())
        .update_contact("0123")
        .add_tag("x")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    assert_error_clean("InvalidInput", &error);

    // UpdateContactOutput.
    let server = api(contact()).await;
    let updated = fast_client(&server).send(&update()).await.unwrap();
    assert_debug_clean("UpdateContactOutput", &updated);
}

#[tokio::test]
async fn the_server_receives_the_key_as_a_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(bearer_token(KEY))
        .respond_with(contact())
        .expect(1)
        .mount(&server)
        .await;
    let client = fast_client(&server);
    client.send(&update()).await.expect("the key was sent");
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        request.headers["authorization"],
        format!("Bearer {KEY}").as_str()
    );
    assert_debug_clean("Client after a call", &client);
}

/// Everything logged in this test binary since `capture` was first called.
fn capture() -> LogBuffer {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    static BUFFER: OnceLock<LogBuffer> = OnceLock::new();
    BUFFER
        .get_or_init(|| {
            let buffer = LogBuffer::default();
            let writer = buffer.clone();
            let layer = tracing_subscriber::fmt::layer().with_writer(move || writer.clone());
            // Everything at TRACE, reqwest's and hyper's `log` records
            // included, except the mock server's own logs: it is the server,
            // and it logs the requests it receives.
            let filter = Targets::new()
                .with_default(LevelFilter::TRACE)
                .with_target("wiremock", LevelFilter::OFF);
            tracing_subscriber::registry()
                .with(layer)
                .with(filter)
                .try_init()
                .expect("the only subscriber of this test binary");
            buffer
        })
        .clone()
}

#[tokio::test]
async fn tracing_at_trace_level_never_shows_the_key() {
    let buffer = capture();
    // A retry, then a success; a refusal; a transport error.
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(contact().insert_header("x-request-id", "req_traced"))
        .mount(&server)
        .await;
    fast_client(&server).send(&update()).await.unwrap();
    let refused = api(ResponseTemplate::new(401).set_body_string("no")).await;
    fast_client(&refused).send(&update()).await.unwrap_err();
    fast_client(&RefusedAddress::new())
        .send(&update())
        .await
        .unwrap_err();

    let text = buffer.text();
    // The capture works: the call's span, its request id, the retry and the
    // bodies at TRACE level are there.
    for expected in [
        "talktohumans.update_contact",
        "req_traced",
        "retrying",
        "Hot lead",
        "busy",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    assert_clean("the TRACE output", &text);
    let lower = text.to_ascii_lowercase();
    assert!(
        !lower.contains("authorization"),
        "the TRACE output names the header:\n{text}"
    );
    assert!(
        !lower.contains("bearer"),
        "the TRACE output shows a bearer token:\n{text}"
    );
}
