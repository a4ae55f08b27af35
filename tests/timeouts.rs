//! Slow servers: the per-attempt timeout ends an attempt whose response does
//! not arrive in time, whether the headers never come or the body trickles.
//!
//! The servers are raw TCP listeners, so that they can misbehave in ways an
//! HTTP mock server will not.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::raw_http;
use talktohumans::{Client, Error, RetryPolicy, UpdateContactInput};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = "tth_test_timeouts_key";
const CONTACT: &str = r#"{"data":{"contact":{"contact_id":"123","name":"Ada"}}}"#;
const TIMEOUT: Duration = Duration::from_millis(400);
/// Generous: only a missing timeout reaches it.
const SLACK: Duration = Duration::from_secs(5);

/// What the server does with the `n`th connection (from 0).
#[derive(Clone, Copy)]
enum Behaviour {
    /// Reads the request and never answers.
    Silent,
    /// Sends the status line and headers a byte at a time, 50 ms apart.
    TrickleHeaders,
    /// Sends the headers of a 1000-byte body, then the body a byte every
    /// 50 ms: each byte comes well within the timeout, the whole body not.
    TrickleBody,
    /// Answers at once with a contact.
    Answer,
}

/// A server on a free loopback port whose `n`th connection behaves as
/// `plan(n)`; returns its base URL and its connection count.
async fn server(plan: fn(usize) -> Behaviour) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let n = counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve(stream, plan(n)));
        }
    });
    (url, count)
}

async fn serve(mut stream: TcpStream, behaviour: Behaviour) {
    // The client may hang up at any point: read and write errors end the
    // connection.
    if raw_http::read_request(&mut stream).await.is_err() {
        return;
    }
    let _ = match behaviour {
        Behaviour::Silent => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }
        Behaviour::TrickleHeaders => trickle(&mut stream, head(CONTACT.len()).as_bytes()).await,
        Behaviour::TrickleBody => match stream.write_all(head(1000).as_bytes()).await {
            Ok(()) => trickle(&mut stream, &[b' '; 1000]).await,
            Err(e) => Err(e),
        },
        Behaviour::Answer => {
            let response = format!("{}{CONTACT}", head(CONTACT.len()));
            stream.write_all(response.as_bytes()).await
        }
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

fn client(url: &str, policy: RetryPolicy) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(url)
        .timeout(TIMEOUT)
        .retry_policy(policy)
        .build()
        .unwrap()
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

/// Sends once and expects a timeout within the bounds; returns the error.
async fn expect_timeout(url: &str, policy: RetryPolicy, attempts: u32) -> Error {
    let started = Instant::now();
    let error = client(url, policy)
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
    error
}

#[tokio::test]
async fn headers_that_never_arrive_time_out() {
    let (url, connections) = server(|_| Behaviour::Silent).await;
    let error = expect_timeout(&url, RetryPolicy::none(), 1).await;
    assert!(
        error.to_string().contains("timed out after 1 attempt(s)"),
        "{error}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn headers_that_trickle_time_out() {
    let (url, _) = server(|_| Behaviour::TrickleHeaders).await;
    expect_timeout(&url, RetryPolicy::none(), 1).await;
}

#[tokio::test]
async fn a_body_that_trickles_times_out() {
    let (url, _) = server(|_| Behaviour::TrickleBody).await;
    expect_timeout(&url, RetryPolicy::none(), 1).await;
}

#[tokio::test]
async fn timeouts_are_retried_and_counted() {
    let (url, connections) = server(|_| Behaviour::Silent).await;
    expect_timeout(&url, fast(), 3).await;
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_trickling_body_is_retried_and_counted() {
    let (url, connections) = server(|_| Behaviour::TrickleBody).await;
    expect_timeout(&url, fast().max_retries(1), 2).await;
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_retry_after_a_timeout_can_succeed() {
    let (url, connections) = server(|n| {
        if n == 0 {
            Behaviour::Silent
        } else {
            Behaviour::Answer
        }
    })
    .await;
    let started = Instant::now();
    let updated = client(&url, fast())
        .send(&update())
        .await
        .expect("the second attempt is answered");
    assert_eq!(updated.contact.contact_id.as_deref(), Some("123"));
    assert_eq!(connections.load(Ordering::SeqCst), 2);
    assert!(started.elapsed() >= TIMEOUT);
}
