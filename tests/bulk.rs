//! The bulk API: order, isolation of failures, bounded concurrency, the
//! batch-wide pause on 429, and the summary.
//!
//! Unlike the retry tests, these run on the real clock. Their servers answer
//! after a delay (wiremock's, on its own thread, or the crate's mock's), and
//! on tokio's paused clock the attempt timeout would fire while such an
//! answer is on its way over the socket; and the batch's pause after a 429
//! is timed with `std::time::Instant`, which a paused clock does not move.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use talktohumans::mock::{MockContact, MockServer as ApiMock};
use talktohumans::{BulkOptions, Client, ErrorKind, RetryPolicy, UpdateContactInput};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use support::{fixture, seed_response};

fn updates(ids: impl IntoIterator<Item = u32>) -> Vec<UpdateContactInput> {
    ids.into_iter()
        .map(|id| {
            UpdateContactInput::builder(id.to_string())
                .add_tag("Hot lead")
                .build()
                .unwrap()
        })
        .collect()
}

/// A client for `server` with this retry policy.
fn client_retrying(server: &MockServer, retry: RetryPolicy) -> Client {
    support::builder_for(server)
        .retry_policy(retry)
        .build()
        .unwrap()
}

#[tokio::test]
async fn results_come_in_input_order_and_one_failure_stops_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/v1/contacts/3"))
        .respond_with(
            ResponseTemplate::new(404).set_body_string(r#"{"message":"no such contact"}"#),
        )
        .mount(&server)
        .await;
    // Early contacts answer late, so completion order differs from input order.
    for id in 1..=6u64 {
        Mock::given(method("PATCH"))
            .and(path(format!("/v1/contacts/{id}")))
            .respond_with(seed_response().set_delay(Duration::from_millis(60 - 10 * id)))
            .mount(&server)
            .await;
    }
    let client = client_retrying(&server, RetryPolicy::none());

    let mut results = client.update_contacts_with(
        BulkOptions::default().concurrency(6),
        futures_util::stream::iter(updates(1..=6)),
    );
    let mut seen = Vec::new();
    while let Some(item) = results.next().await {
        assert_eq!(item.contact_id.as_str(), (item.index + 1).to_string());
        seen.push((
            item.index,
            item.result.map_err(|e| e.status().map(|s| s.as_u16())),
        ));
    }
    let indexes: Vec<_> = seen.iter().map(|(i, _)| *i).collect();
    assert_eq!(indexes, [0, 1, 2, 3, 4, 5]);
    assert_eq!(seen[2].1.as_ref().unwrap_err(), &Some(404));
    assert_eq!(seen.iter().filter(|(_, r)| r.is_ok()).count(), 5);

    let summary = results.summary();
    assert_eq!(summary.succeeded, 5);
    assert_eq!(summary.failed_total(), 1);
    assert_eq!(summary.failed.get(&ErrorKind::Api), Some(&1));
    assert_eq!(summary.failed_by_status.get(&404), Some(&1));
    assert_eq!(summary.retries, 0);
    assert!(summary.elapsed >= Duration::from_millis(50), "{summary}");
}

#[tokio::test]
async fn unordered_results_come_as_they_complete_and_keep_their_index() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/v1/contacts/1"))
        .respond_with(seed_response().set_delay(Duration::from_millis(300)))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v1/contacts/2"))
        .respond_with(seed_response())
        .mount(&server)
        .await;
    let client = client_retrying(&server, RetryPolicy::none());

    let items: Vec<_> = client
        .update_contacts_with(
            BulkOptions::default().unordered(),
            futures_util::stream::iter(updates([1, 2])),
        )
        .collect()
        .await;
    let order: Vec<_> = items
        .iter()
        .map(|i| (i.index, i.contact_id.as_str()))
        .collect();
    assert_eq!(order, [(1, "2"), (0, "1")]);
}

#[tokio::test]
async fn concurrency_is_bounded() {
    let server = MockServer::start().await;
    let delay = Duration::from_millis(200);
    Mock::given(method("PATCH"))
        .and(path_regex("^/v1/contacts/[0-9]+$"))
        .respond_with(seed_response().set_delay(delay))
        .expect(8)
        .mount(&server)
        .await;
    let client = client_retrying(&server, RetryPolicy::none());

    let started = Instant::now();
    let mut results = client.update_contacts_with(
        BulkOptions::default().concurrency(4),
        futures_util::stream::iter(updates(1..=8)),
    );
    while let Some(item) = results.next().await {
        item.result.unwrap();
    }
    let elapsed = started.elapsed();
    // Four at a time: two waves at least; far less than one at a time.
    assert!(elapsed >= 2 * delay, "{elapsed:?}");
    assert!(elapsed < 8 * delay, "{elapsed:?}");
    assert_eq!(results.summary().succeeded, 8);
}

/// Answers the first request with a 429 asking for `pause`, every other one
/// with the seed response after `delay`, and notes when each arrived.
struct RateLimitOnce {
    arrivals: Arc<Mutex<Vec<(Instant, bool)>>>,
    pause: Duration,
    delay: Duration,
}

impl Respond for RateLimitOnce {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut arrivals = self.arrivals.lock().unwrap();
        let first = arrivals.is_empty();
        arrivals.push((Instant::now(), first));
        if first {
            ResponseTemplate::new(429).insert_header(
                "retry-after-ms",
                self.pause.as_millis().to_string().as_str(),
            )
        } else {
            ResponseTemplate::new(200)
                .set_body_raw(fixture("seed_example_response.json"), "application/json")
                .set_delay(self.delay)
        }
    }
}

#[tokio::test]
async fn a_429_pauses_the_whole_batch() {
    let server = MockServer::start().await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let pause = Duration::from_millis(400);
    Mock::given(method("PATCH"))
        .respond_with(RateLimitOnce {
            arrivals: Arc::clone(&arrivals),
            pause,
            delay: Duration::from_millis(50),
        })
        .mount(&server)
        .await;
    let client = client_retrying(&server, RetryPolicy::default());

    // Unordered, so that the limited update does not hold the others back
    // by itself: only the pause may.
    let mut results = client.update_contacts_with(
        BulkOptions::default().concurrency(4).unordered(),
        futures_util::stream::iter(updates(1..=12)),
    );
    while let Some(item) = results.next().await {
        item.result.unwrap();
    }

    let arrivals = arrivals.lock().unwrap();
    assert_eq!(arrivals.len(), 13, "12 updates and one retry");
    let limited_at = arrivals.iter().find(|(_, first)| *first).unwrap().0;
    // The first wave (4, the concurrency) went out together with the limited
    // request; every later request starts after a first-wave answer, so
    // after the 429 came back, and must have waited out the pause. Counting
    // by arrival order rather than by a time margin keeps this true on a
    // loaded machine, where the first wave can arrive late.
    for (at, _) in arrivals.iter().skip(4) {
        assert!(
            *at >= limited_at + pause,
            "a request started {:?} after the 429, inside the {pause:?} pause",
            *at - limited_at
        );
    }
    assert_eq!(results.summary().retries, 1);
    assert_eq!(results.summary().succeeded, 12);
}

#[tokio::test]
async fn retries_are_counted_in_the_summary() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/v1/contacts/1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(seed_response())
        .mount(&server)
        .await;
    let retry = RetryPolicy::default().backoff(Duration::from_millis(5), Duration::from_millis(10));
    let client = client_retrying(&server, retry);

    let mut results = client.update_contacts(updates(1..=3));
    let mut attempts = Vec::new();
    while let Some(item) = results.next().await {
        attempts.push(item.result.unwrap().attempts);
    }
    assert_eq!(attempts, [3, 1, 1]);
    assert_eq!(results.summary().retries, 2);
}

/// A mock with `n` contacts of its own and, for each, an update that adds
/// a tag: distinct contacts, so that no update waits for another's turn.
async fn distinct_contacts(n: u32) -> (ApiMock, Vec<UpdateContactInput>) {
    let ids: Vec<String> = (1..=n).map(|i| (7000 + i).to_string()).collect();
    let mock = support::start(
        ApiMock::builder().contacts(ids.iter().map(|id| MockContact::new(id, "42"))),
    )
    .await;
    let inputs = ids
        .iter()
        .map(|id| {
            UpdateContactInput::builder(id)
                .add_tag("Q4")
                .build()
                .unwrap()
        })
        .collect();
    (mock, inputs)
}

/// Waits, on the real clock, until `mock` has received `count` requests;
/// false if `within` passes first.
async fn received(mock: &ApiMock, count: u64, within: Duration) -> bool {
    let started = Instant::now();
    while mock.request_count() < count {
        if started.elapsed() > within {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

/// A stalled head of line in input order: while the first update's answer
/// is held back, the second slot keeps working through the rest of the
/// batch. With `buffered(2)` (the pace of a 0 reorder window), at most one
/// more request would arrive during the stall.
#[tokio::test]
async fn a_stalled_head_of_line_does_not_stop_later_updates_from_starting() {
    let (mock, inputs) = distinct_contacts(30).await;
    let client = mock.client_builder().max_retries(0).build().unwrap();
    // Long, so that a loaded machine's slowness is never taken for a stall:
    // a pass takes well under a second.
    let stall = Duration::from_secs(60);
    mock.delay_next(1, stall);
    let mut results = client.update_contacts_with(
        // A fixed limit: the adaptive one may lower itself to the single slot
        // the stalled head holds when a loaded machine answers slowly.
        BulkOptions::default().concurrency(2).adaptive(false),
        futures_util::stream::iter(inputs),
    );
    // Polling the stream drives the batch; it can yield nothing before the
    // head's answer, so this times out once every update was sent.
    let first = tokio::time::timeout(stall / 2, async {
        let next = results.next().await;
        (next, mock.request_count())
    });
    let sent_meanwhile = tokio::select! {
        first = first => panic!("the batch yielded or stalled: {first:?}"),
        all = received(&mock, 30, stall / 2) => all,
    };
    assert!(
        sent_meanwhile,
        "every update should have been sent while the head stalled, got {}",
        mock.request_count()
    );
}

/// The same stall, with a reorder window of 0: the head and the one beside
/// it fill the window, and nothing more starts until the head answers.
#[tokio::test]
async fn a_zero_reorder_window_keeps_the_old_pace_of_buffered() {
    let (mock, inputs) = distinct_contacts(10).await;
    let client = mock.client_builder().max_retries(0).build().unwrap();
    let stall = Duration::from_secs(2);
    mock.delay_next(1, stall);
    let mut results = client.update_contacts_with(
        BulkOptions::default().concurrency(2).reorder_window(0),
        futures_util::stream::iter(inputs),
    );
    let first = tokio::time::timeout(stall / 2, results.next()).await;
    assert!(first.is_err());
    // The head and the one beside it: the window is full.
    assert_eq!(mock.request_count(), 2);
    assert_eq!(results.count().await, 10);
}
