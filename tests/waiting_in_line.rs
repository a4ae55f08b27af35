//! An update's deadline counts from its first attempt: the time it waits in
//! line for a paced batch's admission is not taken from it.
//!
//! On tokio's paused clock against the scripted server (see
//! `support::scripted`): the batch's 20 s of pacing take no real time.

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use support::scripted::{Reply, Server};
use talktohumans::{BulkOptions, UpdateContactInput};
use tokio::time::Instant;

const CONTACT: &str = r#"{"data":{"contact":{"contact_id":"1","name":"Ada"}}}"#;

/// 1,000 updates at 50 a second take 20 s, with 100 waiting in line at a
/// time, each for up to 2 s; the deadline is 1 s. Before, an update that
/// waited longer than its deadline was sent with no time left, timed out at
/// once, and the timeout was read as overload.
#[tokio::test(start_paused = true)]
async fn a_paced_batch_of_1000_updates_at_a_low_rate_has_no_timeouts() {
    let server = Server::start();
    server.reply_always(Reply::status(200).body("application/json", CONTACT));
    let client = server.client(support::builder().deadline(Duration::from_secs(1)));
    let updates = (1..=1000u32).map(|id| {
        UpdateContactInput::builder(id.to_string())
            .add_tag("Q4")
            .build()
            .unwrap()
    });
    let options = BulkOptions::default().concurrency(100).max_rate(50);
    let started = Instant::now();
    let mut batch = client.update_contacts_with(options, futures_util::stream::iter(updates));
    let mut failed = Vec::new();
    while let Some(item) = batch.next().await {
        if let Err(error) = item.result {
            failed.push((item.index, error.to_string()));
        }
    }
    assert!(
        failed.is_empty(),
        "{} failed, the first: {:?}",
        failed.len(),
        failed.first()
    );
    assert_eq!(server.request_count(), 1000, "one request each");
    assert_eq!(batch.summary().retries, 0);
    // The rate held: the batch ran for 20 s of paused time, far longer
    // than the deadline.
    assert!(started.elapsed() >= Duration::from_millis(19_900));
}

/// A retry that waits in line past its update's deadline is not sent: it
/// would time out at once, and that timeout would be read as overload.
/// The update ends with the error of its last attempt. Here the fixed rate
/// (1 a second, a burst of 2) holds the third attempt back to 1 s, past the
/// deadline of 0.5 s.
#[tokio::test(start_paused = true)]
async fn a_retry_admitted_after_the_deadline_is_not_sent() {
    let server = Server::start();
    server.reply_always(Reply::status(500));
    let client = server.client(
        support::builder()
            .retry_policy(
                talktohumans::RetryPolicy::default()
                    .max_retries(5)
                    .backoff(Duration::from_millis(5), Duration::from_millis(20)),
            )
            .deadline(Duration::from_millis(500)),
    );
    let update = UpdateContactInput::builder("1")
        .add_tag("Q4")
        .build()
        .unwrap();
    let options = BulkOptions::default().max_rate(1).adaptive(false);
    let mut batch = client.update_contacts_with(options, futures_util::stream::iter([update]));
    let item = batch.next().await.unwrap();
    let error = item.result.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500), "{error}");
    assert_eq!(error.attempts(), 2);
    assert_eq!(server.request_count(), 2);
}
