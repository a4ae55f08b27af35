//! No option value panics or hangs: sums and instants saturate, and every
//! update of a batch ends, whatever the options and whatever hints the
//! server sends.
//!
//! On tokio's paused clock against the scripted server (see
//! `support::scripted`): a wait of thirty years takes no real time, and a
//! hang shows as a timeout of paused time. The server answers a script of
//! hostile replies, then one final reply that ends every retry, so that the
//! number of requests is bounded and an option that retries without end
//! (`max_retries(u32::MAX)`, as asked) still finishes.

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use proptest::prelude::*;
use support::scripted::{Reply, Server};
use talktohumans::{BulkOptions, Client, ClientBuilder, RetryPolicy, UpdateContactInput};

const CONTACT: &str = r#"{"data":{"contact":{"contact_id":"1","name":"Ada"}}}"#;
/// Longer than any run of the script can wait in paused time (each wait is
/// at most about thirty years, and the script is short), and still within
/// what `Instant` holds.
const PAUSED_BOUND: Duration = Duration::from_secs(10_000 * 365 * 86_400);

/// `n` updates over three contacts, so that some wait for their contact's
/// turn.
fn updates(n: usize) -> Vec<UpdateContactInput> {
    (0..n)
        .map(|i| {
            UpdateContactInput::builder(format!("{}", 1 + i % 3))
                .add_tag(format!("Tag {i}"))
                .build()
                .unwrap()
        })
        .collect()
}

/// Runs a batch and then a single call against `server`, and checks that
/// each ends within the paused-time bound with one item per update.
async fn every_update_ends(
    server: &Server,
    builder: ClientBuilder,
    options: BulkOptions,
    n: usize,
) {
    let client: Client = server.client(builder);
    let items: Vec<_> = tokio::time::timeout(
        PAUSED_BOUND,
        client
            .update_contacts_with(options, futures_util::stream::iter(updates(n)))
            .collect(),
    )
    .await
    .expect("every update of the batch ended");
    assert_eq!(items.len(), n);
    let mut indexes: Vec<_> = items.iter().map(|item| item.index).collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..n).collect::<Vec<_>>());
    tokio::time::timeout(PAUSED_BOUND, client.send(&updates(1)[0]))
        .await
        .expect("a single call ended")
        .ok();
}

fn paused_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
}

fn ok() -> Reply {
    Reply::status(200).body("application/json", CONTACT)
}

/// The issue's case: `reorder_window(usize::MAX)` with `concurrency(1)`
/// overflowed `concurrency + window`; and `concurrency(usize::MAX)` overflowed
/// with an update waiting for its contact's turn.
#[tokio::test(start_paused = true)]
async fn the_largest_window_and_concurrency_do_not_overflow() {
    for options in [
        BulkOptions::default()
            .concurrency(1)
            .reorder_window(usize::MAX),
        BulkOptions::default()
            .concurrency(usize::MAX)
            .reorder_window(usize::MAX),
        BulkOptions::default().concurrency(usize::MAX).unordered(),
    ] {
        let server = Server::start();
        server.reply_always(ok());
        every_update_ends(&server, support::builder(), options, 9).await;
        // 9 for the batch, 1 for the single call.
        assert_eq!(server.request_count(), 10, "{options:?}");
    }
}

/// The issue's case: with `max_retry_after` and the deadline at
/// `Duration::MAX`, a huge `Retry-After` made `Instant::now() + wait` panic.
#[tokio::test(start_paused = true)]
async fn a_huge_hint_with_no_cap_and_no_deadline_does_not_panic() {
    for hint in ["18446744073709551615", "99999999999999999999999"] {
        let server = Server::start();
        server.reply_once(Reply::status(429).header("retry-after", hint));
        server.reply_once(Reply::status(503).header("retry-after", hint));
        server.reply_always(ok());
        let builder = support::builder()
            .retry_policy(RetryPolicy::default().max_retry_after(Duration::MAX))
            .deadline(Duration::MAX);
        every_update_ends(&server, builder, BulkOptions::default(), 3).await;
    }
}

/// Hostile replies: hints of zero, of the past, of forever, unreadable; 429,
/// 503, 500, 408; a success that does not decode.
fn hostile_reply() -> impl Strategy<Value = Reply> {
    let hints = prop::sample::select(vec![
        ("retry-after", "0"),
        ("retry-after", "1"),
        ("retry-after", "3600"),
        ("retry-after", "18446744073709551615"),
        ("retry-after", "99999999999999999999999"),
        ("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"),
        ("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"),
        ("retry-after", "soon"),
        ("retry-after-ms", "0"),
        ("retry-after-ms", "0.0001"),
        ("retry-after-ms", "1e300"),
        ("retry-after-ms", "-5"),
        ("retry-after-ms", "NaN"),
        ("x-none", "no hint"),
    ]);
    let statuses = prop::sample::select(vec![429u16, 429, 503, 500, 408, 200]);
    (statuses, hints).prop_map(|(status, (name, value))| match status {
        200 => Reply::status(200).body("text/html", "<h1>OK</h1>"),
        _ => Reply::status(status).header(name, value),
    })
}

fn duration(choices: Vec<Duration>) -> impl Strategy<Value = Duration> {
    prop::sample::select(choices)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn retry_policy() -> impl Strategy<Value = RetryPolicy> {
    (
        prop::sample::select(vec![0u32, 1, 2, 5, u32::MAX]),
        duration(vec![Duration::ZERO, ms(1), ms(500), Duration::MAX]),
        duration(vec![Duration::ZERO, ms(8000), Duration::MAX]),
        duration(vec![Duration::ZERO, ms(60_000), Duration::MAX]),
        prop::sample::select(vec![0.0f32, 0.25, 1.0, f32::NAN, -1.0, 2.0]),
    )
        .prop_map(|(retries, initial, max, cap, jitter)| {
            RetryPolicy::default()
                .max_retries(retries)
                .backoff(initial, max)
                .max_retry_after(cap)
                .jitter(jitter)
        })
}

fn bulk_options() -> impl Strategy<Value = BulkOptions> {
    (
        prop::sample::select(vec![1usize, 2, 8, usize::MAX]),
        prop::sample::select(vec![0usize, 1, 1024, usize::MAX]),
        any::<bool>(),
        prop::sample::select(vec![0u32, 1, 50, u32::MAX]),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![0u32, 1, 10, u32::MAX]),
    )
        .prop_map(
            |(concurrency, window, unordered, rate, adaptive, stop_contact, throttled)| {
                let options = BulkOptions::default()
                    .concurrency(concurrency)
                    .reorder_window(window)
                    .max_rate(rate)
                    .adaptive(adaptive)
                    .stop_contact_on_failure(stop_contact)
                    .max_throttled_retries(throttled);
                if unordered {
                    options.unordered()
                } else {
                    options
                }
            },
        )
}

/// Timeouts of zero are left out: the scripted server's task for a
/// connection that the client gives up on before connecting waits for it
/// in real time, which would only make the run slow.
fn client_builder() -> impl Strategy<Value = ClientBuilder> {
    (
        retry_policy(),
        duration(vec![ms(1000), ms(30_000), Duration::MAX]),
        duration(vec![ms(1000), Duration::MAX]),
        duration(vec![ms(1000), ms(120_000), Duration::MAX]),
        prop::sample::select(vec![0usize, 1, 4 << 20, usize::MAX]),
    )
        .prop_map(|(policy, timeout, connect, deadline, body)| {
            support::builder()
                .retry_policy(policy)
                .timeout(timeout)
                .connect_timeout(connect)
                .deadline(deadline)
                .max_response_body(body)
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_option_value_panics_or_hangs(
        builder in client_builder(),
        options in bulk_options(),
        script in prop::collection::vec(hostile_reply(), 0..10),
        end_with_success in any::<bool>(),
        n in 1usize..7,
    ) {
        paused_runtime().block_on(async {
            let server = Server::start();
            for reply in script {
                server.reply_once(reply);
            }
            server.reply_always(if end_with_success { ok() } else { Reply::status(404) });
            every_update_ends(&server, builder, options, n).await;
        });
    }
}
