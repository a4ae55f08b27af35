//! Per-request options: extra headers, a per-attempt timeout, and the
//! retries and deadline, on both builders and per input in a batch. The
//! scripted server keeps each request as it arrived, so the tests compare
//! every header and the body byte for byte.

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use support::scripted::{Reply, Server};
use support::{API_KEY, USER_AGENT, invalid_input};
use talktohumans::{Client, Error, InvalidInput, RetryPolicy, UpdateContactInput};
use tokio::time::Instant;

const CONTACT: &str = r#"{"data":{"contact":{"contact_id":"123","name":"Ada"}}}"#;

fn builder() -> talktohumans::ClientBuilder {
    Client::builder()
        .api_key(API_KEY)
        .retry_policy(RetryPolicy::none())
}

fn ok() -> Reply {
    Reply::status(200).body("application/json", CONTACT)
}

/// Every header of a request, in the order it came, names in lower case.
fn wire_headers(request: &support::raw_http::Request) -> Vec<(String, String)> {
    request
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The headers the crate itself sends with a body of `length` bytes.
fn own_headers(port: u16, length: usize) -> Vec<(String, String)> {
    [
        ("content-type", "application/json".to_owned()),
        ("accept", "application/json".to_owned()),
        ("authorization", format!("Bearer {API_KEY}")),
        ("user-agent", USER_AGENT.to_owned()),
        ("host", format!("localhost:{port}")),
        ("content-length", length.to_string()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect()
}

fn sorted(mut headers: Vec<(String, String)>) -> Vec<(String, String)> {
    headers.sort();
    headers
}

fn port(client: &Client) -> u16 {
    client
        .base_url()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn extra_headers_go_out_beside_the_crates_own_and_nothing_else_changes() {
    let server = Server::start();
    server.reply_always(ok());
    let client = server.client(builder());
    client
        .update_contact("123")
        .add_tag("Hot lead")
        .header("X-Tenant", "acme")
        .header("x-trace-id", "abc-123")
        .header("x-tenant", "globex")
        .send()
        .await
        .unwrap();
    let body = br#"{"tags":{"add":[{"name":"Hot lead"}]}}"#;
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "PATCH");
    assert_eq!(request.path, "/v1/contacts/123");
    assert_eq!(request.body, body);
    let mut expected = own_headers(port(&client), body.len());
    for (name, value) in [
        ("x-tenant", "acme"),
        ("x-tenant", "globex"),
        ("x-trace-id", "abc-123"),
    ] {
        expected.push((name.to_owned(), value.to_owned()));
    }
    assert_eq!(sorted(wire_headers(request)), sorted(expected));
    // Repeated names keep their order.
    let tenants: Vec<_> = request.headers.get_all("x-tenant").iter().collect();
    assert_eq!(tenants, ["acme", "globex"]);
}

#[tokio::test(start_paused = true)]
async fn without_options_the_request_is_what_it_always_was() {
    let server = Server::start();
    server.reply_always(ok());
    let client = server.client(builder());
    client
        .update_contact("123")
        .clear_notes()
        .send()
        .await
        .unwrap();
    let body = br#"{"notes_json":""}"#;
    let request = &server.requests()[0];
    assert_eq!(request.body, body);
    assert_eq!(
        sorted(wire_headers(request)),
        sorted(own_headers(port(&client), body.len()))
    );
}

#[tokio::test(start_paused = true)]
async fn a_header_the_client_owns_is_refused_before_anything_is_sent() {
    let server = Server::start();
    server.reply_always(ok());
    let client = server.client(builder());
    for name in [
        "Authorization",
        "content-type",
        "ACCEPT",
        "Content-Length",
        "host",
        "User-Agent",
        "transfer-encoding",
        "proxy-authorization",
    ] {
        let result = client
            .update_contact("123")
            .add_tag("x")
            .header(name, "value")
            .send()
            .await;
        assert_eq!(
            invalid_input(result),
            InvalidInput::ReservedHeader {
                name: name.to_ascii_lowercase()
            }
        );
    }
    let result = client
        .update_contact("123")
        .add_tag("x")
        .header("x-token", "a\nb")
        .send()
        .await;
    assert!(matches!(
        invalid_input(result),
        InvalidInput::InvalidHeader { name, .. } if name == "x-token"
    ));
    let refused = UpdateContactInput::builder("123")
        .add_tag("x")
        .header("authorization", "Bearer other")
        .build()
        .unwrap_err();
    assert!(matches!(refused, InvalidInput::ReservedHeader { .. }));
    let zero = UpdateContactInput::builder("123")
        .add_tag("x")
        .attempt_timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(zero, InvalidInput::ZeroAttemptTimeout);
    assert_eq!(server.request_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_header_value_never_shows_in_debug_output() {
    let input = UpdateContactInput::builder("123")
        .add_tag("x")
        .header("x-signature", "s3cr3t-signature")
        .build()
        .unwrap();
    let debug = format!("{input:?}");
    assert!(debug.contains("x-signature"), "{debug}");
    assert!(!debug.contains("s3cr3t"), "{debug}");
}

#[tokio::test(start_paused = true)]
async fn the_attempt_timeout_of_one_update_replaces_the_clients() {
    let server = Server::start();
    server.reply_always(Reply::hang());
    let client = server.client(builder().timeout(Duration::from_secs(30)));
    let started = Instant::now();
    let error = client
        .update_contact("123")
        .add_tag("x")
        .attempt_timeout(Duration::from_secs(2))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed <= Duration::from_millis(2001),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_deadline_still_cuts_a_longer_attempt_timeout_short() {
    let server = Server::start();
    server.reply_always(Reply::hang());
    let client = server.client(builder());
    let started = Instant::now();
    let input = UpdateContactInput::builder("123")
        .add_tag("x")
        .attempt_timeout(Duration::from_secs(50))
        .deadline(Duration::from_secs(3))
        .max_retries(4)
        .build()
        .unwrap();
    let error = client.send(&input).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() <= Duration::from_millis(3001));
}

#[tokio::test(start_paused = true)]
async fn in_a_batch_each_input_carries_its_own_options() {
    let server = Server::start();
    server.reply_once(ok());
    server.reply_once(Reply::status(503));
    server.reply_always(ok());
    let client = server.client(Client::builder().api_key(API_KEY));
    let inputs = vec![
        UpdateContactInput::builder("1")
            .add_tag("x")
            .header("x-tenant", "acme")
            .build()
            .unwrap(),
        UpdateContactInput::builder("2")
            .add_tag("x")
            .header("x-tenant", "globex")
            .max_retries(0)
            .build()
            .unwrap(),
        UpdateContactInput::builder("3")
            .add_tag("x")
            .build()
            .unwrap(),
    ];
    let options = talktohumans::BulkOptions::default().concurrency(1);
    let items: Vec<_> = client
        .update_contacts_with(options, futures_util::stream::iter(inputs))
        .collect()
        .await;
    assert!(items[0].result.is_ok());
    // Its own `max_retries(0)`: the 503 is not retried.
    assert_eq!(
        items[1].result.as_ref().unwrap_err().status(),
        Some(503.try_into().unwrap())
    );
    assert!(items[2].result.is_ok());
    let tenants: Vec<(String, Vec<String>)> = server
        .requests()
        .iter()
        .map(|request| {
            let values = request
                .headers
                .get_all("x-tenant")
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect();
            (request.path.clone(), values)
        })
        .collect();
    assert_eq!(
        tenants,
        [
            ("/v1/contacts/1".to_owned(), vec!["acme".to_owned()]),
            ("/v1/contacts/2".to_owned(), vec!["globex".to_owned()]),
            ("/v1/contacts/3".to_owned(), vec![]),
        ]
    );
}
