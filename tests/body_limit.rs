//! A response body past `max_response_body` is not read to its end: the call
//! ends quickly with `ResponseTooLarge`, which says how much was read and,
//! on a success, that the update was applied, and it is never retried.
//!
//! The servers here stream forever, close-delimited or behind a huge
//! `Content-Length`, so a client that read on would never finish.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use support::loopback::RawServer;
use support::raw_http;
use talktohumans::{Client, DEFAULT_MAX_RESPONSE_BODY, Error, ErrorKind, ResponseTooLarge};
use tokio::io::AsyncWriteExt;

/// Bytes per write of the endless servers.
const WRITE: usize = 16 * 1024;
/// The most one read of the client can hold: hyper's largest read buffer
/// (8 KiB + 100 × 4 KiB). Reading stops within one read past the limit.
const CHUNK: usize = 8192 + 4096 * 100;
/// The limit the tests set: small, so that they are fast.
const LIMIT: usize = 256 * 1024;
/// How long a call may take: far below the 30 s attempt timeout, and
/// generous for a loaded machine.
const QUICKLY: Duration = Duration::from_secs(10);

/// A server that answers every connection with `head` and then writes
/// bytes until the client goes away.
async fn endless_server(head: &'static str) -> RawServer {
    RawServer::start(move |mut socket| async move {
        if raw_http::read_request(&mut socket).await.is_err() {
            return;
        }
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![b'x'; WRITE];
        while socket.write_all(&chunk).await.is_ok() {}
    })
    .await
}

/// The tests' client for `server`, reading at most `limit` bytes of a body,
/// with the default retries (which none of these answers may use).
fn limited_client(server: &RawServer, limit: usize) -> Client {
    support::builder_for(server)
        .max_response_body(limit)
        .build()
        .expect("a client")
}

async fn too_large(head: &'static str) -> (Box<ResponseTooLarge>, usize, Duration) {
    let server = endless_server(head).await;
    let started = Instant::now();
    let result = limited_client(&server, LIMIT)
        .update_contact("123")
        .add_tag("Hot lead")
        .send()
        .await;
    let took = started.elapsed();
    let error = result.expect_err("an endless body cannot be a contact");
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge, "{error}");
    assert_eq!(error.attempts(), 1);
    let Error::ResponseTooLarge(too_large) = error else {
        unreachable!()
    };
    // Give a retry, if one were made, the time to arrive.
    tokio::time::sleep(Duration::from_millis(200)).await;
    (too_large, server.connections(), took)
}

#[tokio::test]
async fn an_endless_close_delimited_success_stops_at_the_limit() {
    let (error, requests, took) =
        too_large("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\nx-request-id: req_big\r\n\r\n")
            .await;

    assert_eq!(requests, 1, "never retried");
    assert!(took < QUICKLY, "took {took:?}");
    assert_eq!(error.status(), 200);
    assert!(error.applied());
    assert_eq!(error.limit(), LIMIT);
    // Past the limit, but by less than one read: memory stays at the limit.
    assert!(error.bytes_read() > LIMIT as u64, "{}", error.bytes_read());
    assert!(
        error.bytes_read() <= (LIMIT + CHUNK) as u64,
        "{}",
        error.bytes_read()
    );
    assert!(error.response().body().len() <= 64 * 1024);
    assert!(error.response().body().iter().all(|&b| b == b'x'));
    assert_eq!(error.response().request_id(), Some("req_big"));
    let shown = error.to_string();
    assert!(
        shown.starts_with("the server accepted the update (HTTP 200 OK)"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("limit of {LIMIT} bytes")),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("after {} bytes", error.bytes_read())),
        "{shown}"
    );
}

#[tokio::test]
async fn a_huge_content_length_is_refused_before_reading() {
    let (error, requests, took) = too_large(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000000000\r\n\r\n",
    )
    .await;

    assert_eq!(requests, 1, "never retried");
    assert!(took < QUICKLY, "took {took:?}");
    assert!(error.applied());
    assert!(
        error.bytes_read() <= (LIMIT + CHUNK) as u64,
        "{}",
        error.bytes_read()
    );
    assert_eq!(error.response().headers()["content-length"], "100000000000");
    let shown = error.to_string();
    assert!(
        shown.starts_with("the server accepted the update (HTTP 200 OK)"),
        "{shown}"
    );
    assert!(shown.contains("Content-Length 100000000000"), "{shown}");
}

#[tokio::test]
async fn an_endless_error_body_is_not_retried_and_does_not_say_applied() {
    // A 503 is retried by default; one too large to read is not.
    let (error, requests, took) =
        too_large("HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n").await;

    assert_eq!(requests, 1, "never retried");
    assert!(took < QUICKLY, "took {took:?}");
    assert!(!error.applied());
    assert!(error.bytes_read() <= (LIMIT + CHUNK) as u64);
    let shown = error.to_string();
    assert!(shown.starts_with("the API answered HTTP 503"), "{shown}");
    assert!(!shown.contains("accepted"), "{shown}");
}

#[tokio::test]
async fn the_default_limit_also_stops_an_endless_body() {
    let server = endless_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n",
    )
    .await;
    let started = Instant::now();
    let error = support::builder_for(&server)
        .build()
        .expect("a client")
        .update_contact("123")
        .add_tag("Hot lead")
        .send()
        .await
        .expect_err("an endless body");
    assert!(
        started.elapsed() < QUICKLY * 3,
        "took {:?}",
        started.elapsed()
    );
    let Error::ResponseTooLarge(error) = error else {
        panic!("{error:?}");
    };
    assert_eq!(error.limit(), DEFAULT_MAX_RESPONSE_BODY);
    assert!(error.bytes_read() > DEFAULT_MAX_RESPONSE_BODY as u64);
    assert!(error.bytes_read() <= (DEFAULT_MAX_RESPONSE_BODY + 1024 * 1024) as u64);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_body_at_the_limit_is_read() {
    let body = support::fixture("seed_example_response.json");
    let server = fixed_server(body.clone()).await;
    let output = limited_client(&server, body.len())
        .update_contact("123")
        .add_tag("Hot lead")
        .send()
        .await
        .expect("a body of exactly the limit is read");
    assert_eq!(output.contact.contact_id.as_deref(), Some("<string>"));

    let server = fixed_server(body.clone()).await;
    let error = limited_client(&server, body.len() - 1)
        .update_contact("123")
        .add_tag("Hot lead")
        .send()
        .await
        .expect_err("one byte past the limit");
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge);
}

/// A server that answers `body` with a `Content-Length`.
async fn fixed_server(body: String) -> RawServer {
    let body = Arc::new(body);
    RawServer::start(move |mut socket| {
        let body = Arc::clone(&body);
        async move {
            if raw_http::read_request(&mut socket).await.is_err() {
                return;
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    })
    .await
}
