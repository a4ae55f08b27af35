//! Stopping a batch gracefully: nothing more is sent, the updates in flight
//! finish, and every update not yet sent ends `NotSent::Stopped`, one item
//! per input.

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use talktohumans::mock::{MockServer, seed};
use talktohumans::{BulkOptions, Error, NotSent, UpdateContactInput};

fn inputs(n: u64) -> Vec<UpdateContactInput> {
    (0..n)
        .map(|i| {
            UpdateContactInput::builder(seed::generated_id(i))
                .add_tag("Q4")
                .build()
                .unwrap()
        })
        .collect()
}

/// At one request a second, 50 updates would take 50 s; stopped after the
/// first answer, the batch ends at once, with the updates waiting for the
/// rate (and those still in the input) not sent.
#[tokio::test]
async fn a_stopped_batch_sends_nothing_more_and_ends_every_update() {
    let mock = support::start(MockServer::builder().generated_contacts(50)).await;
    let client = mock.client_builder().build().unwrap();
    let options = BulkOptions::default().max_rate(1).concurrency(4);
    let mut batch = client.update_contacts_with(options, futures_util::stream::iter(inputs(50)));
    let stop = batch.stop_handle();
    assert!(!stop.is_stopped());

    let first = batch.next().await.unwrap();
    first.result.unwrap();
    stop.stop();
    assert!(stop.is_stopped());
    let rest: Vec<_> = tokio::time::timeout(Duration::from_secs(10), batch.collect())
        .await
        .expect("a stopped batch ends without waiting for the rate");
    assert_eq!(rest.len(), 49, "one item per input");
    let indexes: Vec<_> = rest.iter().map(|item| item.index).collect();
    assert_eq!(indexes, (1..50).collect::<Vec<_>>());
    let sent = mock.request_count() as usize;
    let not_sent = rest
        .iter()
        .filter(|item| matches!(item.result, Err(Error::NotSent(NotSent::Stopped))))
        .count();
    // The rate lets one request a second through; at most a second one may
    // have gone out before the stop.
    assert!(sent <= 2, "{sent} requests were sent");
    assert_eq!(not_sent, 50 - sent);
    for item in &rest {
        if let Err(error) = &item.result {
            assert_eq!(error.attempts(), 0, "{error}");
        }
    }
}

/// An update waiting to be retried when the batch stops does not wait out
/// its backoff, and ends with the error of its attempt, not `NotSent`: that
/// attempt was sent.
#[tokio::test]
async fn a_retry_waiting_when_the_batch_stops_ends_with_its_last_error() {
    let mock = support::start(MockServer::builder().generated_contacts(1)).await;
    mock.fail_next(
        1,
        http::StatusCode::SERVICE_UNAVAILABLE,
        Some(Duration::from_secs(30)),
    );
    let client = mock.client_builder().build().unwrap();
    let mut batch = client.update_contacts(inputs(1));
    let stop = batch.stop_handle();
    let item = tokio::time::timeout(Duration::from_secs(10), async {
        let (item, ()) = tokio::join!(batch.next(), async {
            // The 503 is answered at once; its retry would wait 30 s.
            while mock.request_count() < 1 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            stop.stop();
        });
        item
    })
    .await
    .expect("a stopped batch does not wait out a retry's backoff")
    .unwrap();
    let error = item.result.unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(error.attempts(), 1);
    assert_eq!(mock.request_count(), 1);
}
