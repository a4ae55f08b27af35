//! The call and attempt spans carry OpenTelemetry's HTTP client fields
//! beside the crate's own: a `tracing-subscriber` layer captures every
//! span's fields as they are recorded, and the tests read them back.

mod support;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use support::API_KEY;
use support::scripted::{Reply, Server};
use talktohumans::{Client, RetryPolicy};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Subscriber, subscriber};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

const CONTACT: &str = r#"{"data":{"contact":{"contact_id":"123","name":"Ada"}}}"#;

/// A span's name and its fields, each as its value's `Debug` text (strings
/// without quotes).
#[derive(Debug, Clone, Default)]
struct CapturedSpan {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

/// Every span opened, in order; its fields grow as they are recorded.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<(Id, CapturedSpan)>>>);

impl Capture {
    fn spans(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        let spans = self.0.lock().unwrap();
        spans
            .iter()
            .filter(|(_, span)| span.name == name)
            .map(|(_, span)| span.fields.clone())
            .collect()
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    /// Integers the conventions type as such are recorded as `i64`, which
    /// exporters keep as integers: marked so, to tell them from text.
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), format!("{value}"));
        self.0
            .insert(format!("{} is i64", field.name()), String::new());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut span = CapturedSpan {
            name: attrs.metadata().name(),
            ..CapturedSpan::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        self.0.lock().unwrap().push((id.clone(), span));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        // The registry reuses ids of closed spans: the latest is this one.
        if let Some((_, span)) = spans.iter_mut().rev().find(|(known, _)| known == id) {
            values.record(&mut Fields(&mut span.fields));
        }
    }
}

fn field<'a>(fields: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    fields.get(name).map(String::as_str)
}

/// Runs `call` with the capturing layer as the thread's subscriber.
async fn captured<F: Future>(call: impl FnOnce() -> F) -> (Capture, F::Output) {
    let capture = Capture::default();
    let subscriber = Registry::default().with(capture.clone());
    let _guard = subscriber::set_default(subscriber);
    let output = call().await;
    (capture, output)
}

#[tokio::test(start_paused = true)]
async fn a_retried_call_carries_the_conventions_fields_beside_the_old_ones() {
    let server = Server::start();
    server.reply_once(Reply::status(503).header("retry-after-ms", "10"));
    server.reply_always(
        Reply::status(200)
            .header("x-request-id", "r2")
            .body("application/json", CONTACT),
    );
    let client = server.client(Client::builder().api_key(API_KEY));
    let port = client.base_url().rsplit(':').next().unwrap().to_owned();
    let url = format!("{}/v1/contacts/123", client.base_url());
    let (capture, result) = captured(|| client.update_contact("123").add_tag("x").send()).await;
    result.unwrap();

    let calls = capture.spans("talktohumans.update_contact");
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(field(call, "http.request.method"), Some("PATCH"));
    assert_eq!(field(call, "server.address"), Some("localhost"));
    assert_eq!(field(call, "server.port"), Some(port.as_str()));
    assert_eq!(field(call, "url.full"), Some(url.as_str()));
    assert_eq!(field(call, "http.response.status_code"), Some("200"));
    assert_eq!(field(call, "http.request.resend_count"), Some("1"));
    assert_eq!(field(call, "error.type"), None);
    for integer in [
        "server.port",
        "http.response.status_code",
        "http.request.resend_count",
    ] {
        assert!(call.contains_key(&format!("{integer} is i64")), "{integer}");
    }
    // The crate's own names are still there.
    assert_eq!(field(call, "status"), Some("200"));
    assert_eq!(field(call, "attempts"), Some("2"));
    assert_eq!(field(call, "request_id"), Some("r2"));
    assert!(field(call, "duration_ms").is_some());
    assert!(!format!("{call:?}").contains(API_KEY));

    let attempts = capture.spans("attempt");
    assert_eq!(attempts.len(), 2);
    let (first, second) = (&attempts[0], &attempts[1]);
    for attempt in [first, second] {
        assert_eq!(field(attempt, "http.request.method"), Some("PATCH"));
        assert_eq!(field(attempt, "server.address"), Some("localhost"));
        assert_eq!(field(attempt, "server.port"), Some(port.as_str()));
        assert_eq!(field(attempt, "url.full"), Some(url.as_str()));
    }
    assert_eq!(field(first, "http.response.status_code"), Some("503"));
    assert_eq!(field(first, "error.type"), Some("503"));
    assert_eq!(field(first, "http.request.resend_count"), None);
    assert_eq!(field(first, "status"), Some("503"));
    assert_eq!(field(second, "http.response.status_code"), Some("200"));
    assert_eq!(field(second, "error.type"), None);
    assert_eq!(field(second, "http.request.resend_count"), Some("1"));
}

#[tokio::test(start_paused = true)]
async fn a_failure_without_a_response_names_its_kind() {
    let server = Server::start();
    server.reply_always(Reply::hang());
    let client = server.client(
        Client::builder()
            .api_key(API_KEY)
            .retry_policy(RetryPolicy::none()),
    );
    let (capture, result) = captured(|| client.update_contact("123").add_tag("x").send()).await;
    result.unwrap_err();
    let call = &capture.spans("talktohumans.update_contact")[0];
    assert_eq!(field(call, "error.type"), Some("timeout"));
    assert_eq!(field(call, "http.response.status_code"), None);
    assert_eq!(field(call, "http.request.resend_count"), None);
    let attempt = &capture.spans("attempt")[0];
    assert_eq!(field(attempt, "error.type"), Some("timeout"));
}

#[tokio::test(start_paused = true)]
async fn an_api_error_is_its_status() {
    let server = Server::start();
    server.reply_always(Reply::status(404).body(
        "application/json",
        r#"{"error":{"code":"contact_not_found","message":"no"}}"#,
    ));
    let client = server.client(Client::builder().api_key(API_KEY));
    let (capture, result) = captured(|| client.update_contact("123").add_tag("x").send()).await;
    result.unwrap_err();
    let call = &capture.spans("talktohumans.update_contact")[0];
    assert_eq!(field(call, "error.type"), Some("404"));
    assert_eq!(field(call, "http.response.status_code"), Some("404"));
}
