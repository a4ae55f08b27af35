//! Slow servers: the per-attempt timeout ends an attempt whose response does
//! not arrive in time, whether the headers never come or the body trickles.
//!
//! A server that never answers is the scripted one, on tokio's paused clock
//! (`support::scripted`), where the timeouts fire at once and exactly on
//! time. The trickling servers are raw TCP listeners, so that they can
//! misbehave in ways an HTTP mock server will not, and run on the real
//! clock: their tests say why.

mod support;

use std::time::Duration;

use support::loopback::RawServer;
use support::raw_http;
use support::scripted::{Reply, Server};
use talktohumans::{Client, Error, RetryPolicy, UpdateContactInput};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::Instant;

const CONTACT: &str = r#"{"data":{"contact":{"contact_id":"123","name":"Ada"}}}"#;
const TIMEOUT: Duration = Duration::from_millis(400);
/// Generous: only a missing timeout reaches it.
const SLACK: Duration = Duration::from_secs(5);

/// How a trickling server answers.
#[derive(Clone, Copy)]
enum Trickle {
    /// Sends the status line and headers a byte at a time, 50 ms apart.
    Headers,
    /// Sends the headers of a 1000-byte body, then the body a byte every
    /// 50 ms: each byte comes well within the timeout, the whole body not.
    Body,
}

/// A trickling server on a free loopback port.
async fn trickling_server(trickle: Trickle) -> RawServer {
    RawServer::start(move |stream| serve(stream, trickle)).await
}

async fn serve(mut stream: TcpStream, how: Trickle) {
    // The client may hang up at any point: read and write errors end the
    // connection.
    if raw_http::read_request(&mut stream).await.is_err() {
        return;
    }
    let _ = match how {
        Trickle::Headers => trickle(&mut stream, head(CONTACT.len()).as_bytes()).await,
        Trickle::Body => match stream.write_all(head(1000).as_bytes()).await {
            Ok(()) => trickle(&mut stream, &[b' '; 1000]).await,
            Err(e) => Err(e),
        },
    };
}

/// Writes `bytes` one at a time, 50 ms apart.
async fn trickle(stream: &mut TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    for byte in bytes {
        stream.write_all(std::slice::from_ref(byte)).await?;
        stream.flush().await?;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

fn head(length: usize) -> String {
    format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n")
}

/// The tests' builder with this file's attempt timeout and `policy`.
fn builder(policy: RetryPolicy) -> talktohumans::ClientBuilder {
    support::builder().timeout(TIMEOUT).retry_policy(policy)
}

fn update() -> UpdateContactInput {
    UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .build()
        .unwrap()
}

fn fast() -> RetryPolicy {
    RetryPolicy::default().backoff(Duration::from_millis(5), Duration::from_millis(20))
}

/// Sends once and expects a timeout within the bounds; returns the error
/// and how long the call took on the tokio clock.
async fn expect_timeout(client: &Client, attempts: u32) -> (Error, Duration) {
    let started = Instant::now();
    let error = client
        .send(&update())
        .await
        .expect_err("the server is too slow");
    let elapsed = started.elapsed();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(error.attempts(), attempts, "{error}");
    assert!(error.status().is_none());
    let least = TIMEOUT * attempts;
    assert!(elapsed >= least, "{elapsed:?} < {least:?}");
    assert!(elapsed < least + SLACK, "{elapsed:?}");
    (error, elapsed)
}

#[tokio::test(start_paused = true)]
async fn headers_that_never_arrive_time_out() {
    let server = Server::start();
    server.reply_always(Reply::hang());
    let (error, elapsed) = expect_timeout(&server.client(builder(RetryPolicy::none())), 1).await;
    // On the paused clock the timeout is the only thing that moves it.
    assert!(elapsed <= TIMEOUT + Duration::from_millis(1), "{elapsed:?}");
    assert!(
        error.to_string().contains("timed out after 1 attempt(s)"),
        "{error}"
    );
    assert_eq!(server.request_count(), 1);
}

// The trickling tests run on the real clock. On a paused one, tokio would
// move the clock on to the attempt timeout while the request is still on
// its way to the server, so the timeout would fire before any byte
// trickled, and the tests would pass without testing anything.

#[tokio::test]
async fn headers_that_trickle_time_out() {
    let server = trickling_server(Trickle::Headers).await;
    expect_timeout(
        &builder(RetryPolicy::none())
            .base_url(server.url())
            .build()
            .unwrap(),
        1,
    )
    .await;
}

#[tokio::test]
async fn a_body_that_trickles_times_out() {
    let server = trickling_server(Trickle::Body).await;
    expect_timeout(
        &builder(RetryPolicy::none())
            .base_url(server.url())
            .build()
            .unwrap(),
        1,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn timeouts_are_retried_and_counted() {
    let server = Server::start();
    server.reply_always(Reply::hang());
    let (_, elapsed) = expect_timeout(&server.client(builder(fast())), 3).await;
    // Three timeouts and two waits of 5 to 20 ms.
    assert!(
        elapsed <= TIMEOUT * 3 + Duration::from_millis(40),
        "{elapsed:?}"
    );
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn a_trickling_body_is_retried_and_counted() {
    let server = trickling_server(Trickle::Body).await;
    expect_timeout(
        &builder(fast().max_retries(1))
            .base_url(server.url())
            .build()
            .unwrap(),
        2,
    )
    .await;
    assert_eq!(server.connections(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_a_timeout_can_succeed() {
    let server = Server::start();
    server.reply_once(Reply::hang());
    server.reply_always(Reply::status(200).body("application/json", CONTACT));
    let started = Instant::now();
    let updated = server
        .client(builder(fast()))
        .send(&update())
        .await
        .expect("the second attempt is answered");
    assert_eq!(updated.contact.contact_id.as_deref(), Some("123"));
    assert_eq!(server.request_count(), 2);
    // One timeout and one wait of 5 to 20 ms.
    let elapsed = started.elapsed();
    assert!(elapsed >= TIMEOUT, "{elapsed:?}");
    assert!(
        elapsed <= TIMEOUT + Duration::from_millis(20),
        "{elapsed:?}"
    );
}
