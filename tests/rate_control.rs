//! Bulk rate control end to end, against the mock in capacity mode: the
//! default adaptive control gets a batch through a rate-limited server with
//! few 429s, and a fixed maximum rate spaces the requests.

mod support;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use talktohumans::mock::{MockServer, seed};
use talktohumans::{BulkOptions, RetryPolicy, UpdateContactInput};

fn updates(n: usize) -> impl Iterator<Item = UpdateContactInput> + Send + 'static {
    (0..n).map(|i| {
        UpdateContactInput::builder(seed::MAYA_CHEN)
            .add_tag(format!("Tag {}", i % 50))
            .build()
            .unwrap()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_options_get_through_a_rate_limited_server_with_few_429s() {
    let mock = support::start(MockServer::builder().capacity(200).burst(20)).await;
    // Retries enough that no update runs out of them while the rate is
    // found: this test is about how many 429s there are, not about giving up.
    let client = mock
        .client_builder()
        .retry_policy(RetryPolicy::default().max_retries(20))
        .build()
        .unwrap();
    let mut results = client.update_contacts_with(
        BulkOptions::default(),
        futures_util::stream::iter(updates(600)),
    );
    while let Some(item) = results.next().await {
        item.result.unwrap();
    }
    let limited = mock.rate_limited_count();
    let requests = mock.request_count();
    assert_eq!(
        requests,
        600 + limited,
        "every request was an update or a retry of one"
    );
    // Eight in flight on loopback go far past 200 a second: the server must
    // have refused some, or this test tests nothing.
    assert!(limited > 0);
    // A slower machine sends slower and gets fewer 429s, so this bound does
    // not depend on speed.
    assert!(
        limited * 100 <= requests * 15,
        "{limited} of {requests} requests answered 429"
    );
}

#[tokio::test]
async fn a_fixed_rate_spaces_the_batch() {
    let mock = MockServer::start().await.unwrap();
    let client = mock.client_builder().build().unwrap();
    let started = Instant::now();
    let mut results = client.update_contacts_with(
        BulkOptions::default().max_rate(40).adaptive(false),
        futures_util::stream::iter(updates(21)),
    );
    while let Some(item) = results.next().await {
        item.result.unwrap();
    }
    // 21 requests at 40 a second, evenly spaced but for a burst of 2 (the
    // slack for late timers): the last goes 19 periods of 25 ms after the
    // first, however fast the machine (a lower bound only).
    assert!(started.elapsed() >= Duration::from_millis(475));
    assert_eq!(mock.request_count(), 21);
}

#[tokio::test]
async fn in_a_batch_a_429_does_not_use_up_a_retry() {
    let mock = MockServer::start().await.unwrap();
    let client = mock.client_builder().build().unwrap();
    let update = || {
        UpdateContactInput::builder(seed::MAYA_CHEN)
            .add_tag("Q4")
            .build()
            .unwrap()
    };
    let throttle = |n| {
        mock.fail_next(
            n,
            talktohumans::reqwest::StatusCode::TOO_MANY_REQUESTS,
            Some(Duration::from_millis(5)),
        )
    };

    // Alone, three 429s use up the default two retries.
    throttle(3);
    let error = client.send(&update()).await.unwrap_err();
    assert_eq!(
        (error.status().unwrap().as_u16(), error.attempts()),
        (429, 3)
    );

    // In a batch, the pacer answers them, and the fourth attempt gets through.
    throttle(3);
    let mut results = client.update_contacts([update()]);
    let item = results.next().await.unwrap();
    assert_eq!(item.result.unwrap().attempts, 4);
    assert_eq!(results.summary().retries, 3);

    // Retries turned off stay off, in a batch too.
    throttle(1);
    let once = mock
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let mut results = once.update_contacts([update()]);
    let error = results.next().await.unwrap().result.unwrap_err();
    assert_eq!(
        (error.status().unwrap().as_u16(), error.attempts()),
        (429, 1)
    );
}
