//! A server that says "later": a quota used up for longer than the retry
//! policy waits stops a batch at once, and every update not yet sent ends
//! with the wait in its error, not with a request of its own.
//!
//! On tokio's paused clock against the scripted server (see
//! `support::scripted`), so that waits take no real time and a hang shows
//! as a timeout of paused time; and once against the mock's faults.

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use support::scripted::{Reply, Server};
use talktohumans::mock::{MockServer, seed};
use talktohumans::{BulkItem, Client, Error, NotSent, UpdateContactInput};

const QUOTA_BODY: &str =
    r#"{"error":{"code":"rate_limited","message":"the daily quota is used up"}}"#;
/// Far beyond what a batch that stops at once needs, in paused time: only
/// a batch that keeps waiting or sending reaches it.
const PROMPTLY: Duration = Duration::from_secs(10);

/// `n` updates of `n` different contacts.
fn updates(n: u64) -> Vec<UpdateContactInput> {
    (1..=n)
        .map(|id| {
            UpdateContactInput::builder(id.to_string())
                .add_tag("Q4")
                .build()
                .unwrap()
        })
        .collect()
}

async fn run(client: &Client, n: u64, within: Duration) -> Vec<BulkItem> {
    tokio::time::timeout(within, client.update_contacts(updates(n)).collect())
        .await
        .expect("every update ended promptly")
}

/// Checks that the updates sent ended with the server's answer and the
/// others with `NotSent::QuotaExhausted` carrying `wait` and `status`;
/// returns how many were sent.
fn assert_stopped(items: &[BulkItem], status: u16, wait: Duration) -> usize {
    let mut sent = 0;
    for item in items {
        match &item.result {
            Err(Error::Api(api)) => {
                assert_eq!(api.status().as_u16(), status);
                assert_eq!(api.attempts(), 1, "one request for an update that got it");
                sent += 1;
            }
            Err(error @ Error::NotSent(reason)) => {
                let NotSent::QuotaExhausted {
                    retry_after,
                    status: got,
                } = reason
                else {
                    panic!("not sent for another reason: {reason}");
                };
                assert_eq!((got.as_u16(), *retry_after), (status, wait));
                assert_eq!(error.retry_after(), Some(wait));
                assert_eq!(error.not_sent(), Some(reason));
                assert_eq!(error.attempts(), 0);
            }
            other => panic!("update {}: {other:?}", item.index),
        }
    }
    sent
}

/// The issue's case: every request 429 with `Retry-After: 3600`, 100
/// updates, default options. Before, the batch kept sending (slower and
/// slower, as the rate control read the 429s) and gave no result for a
/// minute; now the first answer stops it, and only the requests already in
/// flight (the default concurrency, 8) reach the server.
#[tokio::test(start_paused = true)]
async fn a_quota_used_up_for_an_hour_stops_the_batch_at_once() {
    let server = Server::start();
    server.reply_always(
        Reply::status(429)
            .header("retry-after", "3600")
            .body("application/json", QUOTA_BODY),
    );
    let items = run(&server.client(support::builder()), 100, PROMPTLY).await;
    assert_eq!(items.len(), 100, "one item per update");
    let sent = assert_stopped(&items, 429, Duration::from_secs(3600));
    assert_eq!(sent, server.request_count());
    assert!((1..=8).contains(&sent), "{sent} requests");
    let not_sent = items
        .iter()
        .find_map(|item| {
            item.result
                .as_ref()
                .err()
                .filter(|e| e.not_sent().is_some())
        })
        .expect("updates not sent");
    assert!(
        not_sent.to_string().contains("try again in 1 h"),
        "{not_sent}"
    );
}

/// A 503 with a long `retry-after-ms` (maintenance) stops the batch too.
#[tokio::test(start_paused = true)]
async fn a_long_503_stops_the_batch_too() {
    let server = Server::start();
    server.reply_always(Reply::status(503).header("retry-after-ms", "600000"));
    let items = run(&server.client(support::builder()), 40, PROMPTLY).await;
    let sent = assert_stopped(&items, 503, Duration::from_secs(600));
    assert!((1..=8).contains(&sent), "{sent} requests");
    assert_eq!(sent, server.request_count());
}

/// A hint within the policy's cap is waited out as before: the batch goes
/// on and succeeds.
#[tokio::test(start_paused = true)]
async fn a_hint_within_the_cap_is_waited_out() {
    let server = Server::start();
    server.reply_once(Reply::status(429).header("retry-after", "30"));
    server.reply_always(Reply::status(200).body(
        "application/json",
        r#"{"data":{"contact":{"contact_id":"1"}}}"#,
    ));
    let within = Duration::from_secs(31);
    let items = run(&server.client(support::builder()), 5, within).await;
    assert!(items.iter().all(|item| item.result.is_ok()), "{items:?}");
}

/// The same against the mock's faults, on the real clock: nothing waits,
/// so it takes no time.
#[tokio::test]
async fn the_mock_with_a_used_up_quota_gets_a_handful_of_requests() {
    let mock = support::start(MockServer::builder().generated_contacts(100)).await;
    mock.fail_next(
        10_000,
        http::StatusCode::TOO_MANY_REQUESTS,
        Some(Duration::from_secs(86_400)),
    );
    let client = mock.client_builder().build().unwrap();
    let inputs = (0..100).map(|i| {
        UpdateContactInput::builder(seed::generated_id(i))
            .add_tag("Q4")
            .build()
            .unwrap()
    });
    let items: Vec<_> = tokio::time::timeout(
        Duration::from_secs(20),
        client.update_contacts(inputs).collect(),
    )
    .await
    .expect("the batch ended without waiting a day");
    let sent = assert_stopped(&items, 429, Duration::from_secs(86_400));
    assert_eq!(sent as u64, mock.request_count());
    assert!((1..=8).contains(&sent), "{sent} requests");
}

/// A refusal that says "now": `Retry-After: 0`, `retry-after-ms: 0`, a date
/// already past.
fn refusals_that_say_now() -> Vec<Reply> {
    vec![
        Reply::status(429).header("retry-after", "0"),
        Reply::status(429).header("retry-after-ms", "0"),
        Reply::status(429).header("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"),
    ]
}

/// Queues `n` of `reply`, then a 404 for any request after them: a client
/// that asks again without end meets it, and the test fails rather than
/// hangs (the clock stands still while a request is served).
fn reply_n_then_404(server: &Server, reply: &Reply, n: usize) {
    for _ in 0..n {
        server.reply_once(reply.clone());
    }
    server.reply_always(Reply::status(404));
}

/// The issue's case: a 429 with a hint of zero, one update in a batch, a
/// 3 s deadline. Before, the batch asked again at once, without end (4,265
/// requests in 3 s), and with `adaptive(false)` too; now each retry waits
/// the backoff's base (0.5 s), so 3 s hold at most 7 requests.
#[tokio::test(start_paused = true)]
async fn a_hint_of_zero_waits_the_backoff_in_a_batch() {
    for adaptive in [true, false] {
        for reply in refusals_that_say_now() {
            let server = Server::start();
            reply_n_then_404(&server, &reply, 100);
            let client = server.client(support::builder());
            let update = UpdateContactInput::builder("1")
                .add_tag("Q4")
                .deadline(Duration::from_secs(3))
                .build()
                .unwrap();
            let options = talktohumans::BulkOptions::default().adaptive(adaptive);
            let items: Vec<_> = tokio::time::timeout(
                PROMPTLY,
                client
                    .update_contacts_with(options, futures_util::stream::iter([update]))
                    .collect(),
            )
            .await
            .expect("the update ended");
            let error = items[0].result.as_ref().unwrap_err();
            let sent = server.request_count();
            assert_eq!(error.status().map(|s| s.as_u16()), Some(429), "{reply:?}");
            assert!((2..=7).contains(&sent), "{sent} requests for {reply:?}");
        }
    }
}

/// Outside a batch too, a hint of zero waits the backoff: 3 attempts with
/// the default policy, 0.5 s (up to a quarter more) and 1 s (a quarter more
/// or less) apart.
#[tokio::test(start_paused = true)]
async fn a_hint_of_zero_waits_the_backoff_alone() {
    for reply in refusals_that_say_now() {
        let server = Server::start();
        reply_n_then_404(&server, &reply, 100);
        let started = tokio::time::Instant::now();
        let error = server
            .client(support::builder())
            .update_contact("1")
            .add_tag("Q4")
            .send()
            .await
            .unwrap_err();
        assert_eq!((error.attempts(), server.request_count()), (3, 3));
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(1250) && waited <= Duration::from_millis(1900),
            "{waited:?} for {reply:?}"
        );
    }
}

/// A batch that gets nothing but 429s, each with a short hint: an update
/// stops after the bounded number of retries in a row (10 by default, or
/// as set), not at the deadline.
#[tokio::test(start_paused = true)]
async fn an_update_stops_after_a_bounded_number_of_429s_in_a_row() {
    for (options, retries) in [
        (talktohumans::BulkOptions::default(), 10),
        (
            talktohumans::BulkOptions::default()
                .adaptive(false)
                .max_throttled_retries(3),
            3,
        ),
        (
            talktohumans::BulkOptions::default().max_throttled_retries(0),
            0,
        ),
    ] {
        let server = Server::start();
        reply_n_then_404(
            &server,
            &Reply::status(429).header("retry-after-ms", "100"),
            100,
        );
        let items: Vec<_> = tokio::time::timeout(
            PROMPTLY,
            server
                .client(support::builder())
                .update_contacts_with(options, futures_util::stream::iter(updates(1)))
                .collect(),
        )
        .await
        .expect("the update ended");
        let error = items[0].result.as_ref().unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
        assert_eq!(error.attempts(), retries + 1);
        assert_eq!(server.request_count(), retries as usize + 1);
    }
}

/// The bound on 429s in a row against the mock's faults, on the real clock
/// (the hints are a millisecond, and without the adaptive rate nothing else
/// waits): one update, every answer a 429, so 1 + 10 requests; before, it
/// asked until its deadline, two minutes later.
#[tokio::test]
async fn the_mock_refusing_everything_gets_a_bounded_number_of_requests() {
    let mock = MockServer::start().await.unwrap();
    mock.fail_next(
        10_000,
        http::StatusCode::TOO_MANY_REQUESTS,
        Some(Duration::from_millis(1)),
    );
    let client = mock.client_builder().build().unwrap();
    let update = UpdateContactInput::builder(seed::MAYA_CHEN)
        .add_tag("Q4")
        .build()
        .unwrap();
    let options = talktohumans::BulkOptions::default().adaptive(false);
    let mut batch = client.update_contacts_with(options, futures_util::stream::iter([update]));
    let item = tokio::time::timeout(Duration::from_secs(20), batch.next())
        .await
        .expect("the update ended")
        .unwrap();
    let error = item.result.unwrap_err();
    let bound = talktohumans::DEFAULT_MAX_THROTTLED_RETRIES;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.attempts(), bound + 1);
    assert_eq!(mock.request_count(), u64::from(bound) + 1);
}

/// With `stop_contact_on_failure`, the later updates of the contact whose
/// update got the quota answer also say that the quota stopped them, with
/// the wait, not that an earlier update failed.
#[tokio::test(start_paused = true)]
async fn a_contacts_later_updates_say_the_quota_stopped_them() {
    let server = Server::start();
    server.reply_always(Reply::status(429).header("retry-after", "3600"));
    let inputs = (0..3).map(|i| {
        UpdateContactInput::builder("1")
            .add_tag(format!("Tag {i}"))
            .build()
            .unwrap()
    });
    let options = talktohumans::BulkOptions::default().stop_contact_on_failure(true);
    let items: Vec<_> = tokio::time::timeout(
        PROMPTLY,
        server
            .client(support::builder())
            .update_contacts_with(options, futures_util::stream::iter(inputs))
            .collect(),
    )
    .await
    .expect("every update ended promptly");
    assert_eq!(assert_stopped(&items, 429, Duration::from_secs(3600)), 1);
    assert_eq!(server.request_count(), 1);
}
