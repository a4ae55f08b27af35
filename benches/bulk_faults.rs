//! Bulk updates under faults: the same batch against the crate's mock with
//! seeded random faults (about 15% of requests: a 503, a stall, or a dropped
//! connection before or after the update is applied), measured in one run:
//!
//! - input order as it was (`reorder_window(0)`: the pace of
//!   `StreamExt::buffered`, where a slow update holds its slot until every
//!   earlier one is done);
//! - input order now (the default reorder window);
//! - unordered;
//! - a hand-written `buffer_unordered` loop with the same retries (up to 2,
//!   with the same doubling backoff).
//!
//! ```text
//! cargo bench --bench bulk_faults
//! ```
//!
//! Each variant gets a fresh mock with the same seed, so each sees the same
//! sequence of fault draws.

mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use talktohumans::mock::{Fault, MockServer, RandomFaults};
use talktohumans::{BulkOptions, RetryPolicy, UpdateContactInput};
use tokio::runtime::Runtime;

use support::hand_written::{self, HandWrittenClient};
use support::paired::{self, Variant};

const UPDATES: u64 = 1_000;
const CONCURRENCY: usize = 8;
const FAULT_RATE: f64 = 0.15;
const SEED: u64 = 20_261_127;
const STALL: Duration = Duration::from_millis(300);
/// The first retry's wait; it doubles. Shorter than the crate's default
/// (0.5 s) so that a round takes seconds, and the same on both sides.
const BACKOFF: Duration = Duration::from_millis(200);
const MAX_RETRIES: u32 = 2;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench --no-run` builds; `cargo test --benches` runs with no
    // `--bench`: measure only when asked to.
    if !args.iter().any(|a| a == "--bench") || !paired::selected("bulk_faults") {
        return;
    }
    let runtime = &runtime();
    let ours = |options: BulkOptions| {
        move || {
            runtime.block_on(async {
                let mock = faulty_mock().await;
                let client = mock
                    .client_builder()
                    .retry_policy(
                        RetryPolicy::default()
                            .max_retries(MAX_RETRIES)
                            .backoff(BACKOFF, BACKOFF * 4),
                    )
                    .build()
                    .expect("a client for the mock");
                let start = Instant::now();
                let mut results = client.update_contacts_with(options, stream::iter(inputs()));
                while let Some(item) = results.next().await {
                    black_box(item);
                }
                let elapsed = start.elapsed();
                assert_eq!(
                    results.summary().succeeded + results.summary().failed_total(),
                    UPDATES as usize
                );
                elapsed
            })
        }
    };
    let hand_written = || {
        runtime.block_on(async {
            let mock = faulty_mock().await;
            let theirs = HandWrittenClient::new(mock.base_url(), mock.api_key());
            let theirs = &theirs;
            let start = Instant::now();
            let done = stream::iter(1..=UPDATES)
                .map(|i| async move {
                    let body = hand_written::hot_lead();
                    let mut wait = BACKOFF;
                    let mut attempt = 0;
                    loop {
                        let result = theirs.update(contact_for(i), &body).await;
                        let retryable = match &result {
                            Ok(_) => false,
                            Err(e) => e.status().is_none_or(|s| s.is_server_error() || s == 429),
                        };
                        if !retryable || attempt == MAX_RETRIES {
                            return result;
                        }
                        attempt += 1;
                        tokio::time::sleep(wait).await;
                        wait *= 2;
                    }
                })
                .buffer_unordered(CONCURRENCY)
                .fold(0u64, |n, result| {
                    black_box(result.ok());
                    async move { n + 1 }
                })
                .await;
            assert_eq!(done, UPDATES);
            start.elapsed()
        })
    };
    let mut variants = [
        Variant::new(
            "before: input order, reorder_window(0)",
            ours(
                BulkOptions::default()
                    .concurrency(CONCURRENCY)
                    .reorder_window(0),
            ),
        ),
        Variant::new(
            "after: input order (default window)",
            ours(BulkOptions::default().concurrency(CONCURRENCY)),
        ),
        Variant::new(
            "ours, unordered",
            ours(BulkOptions::default().concurrency(CONCURRENCY).unordered()),
        ),
        Variant::new("hand-written buffer_unordered + retries", hand_written),
    ];
    paired::compare(
        &format!(
            "bulk under faults: {UPDATES} updates, concurrency {CONCURRENCY}, {:.0}% faults (time; lower is better)",
            FAULT_RATE * 100.0
        ),
        2,
        UPDATES,
        &mut variants,
        &[
            (0, 2, "before (input order) / unordered"),
            (1, 2, "after (input order) / unordered (target <= 1.15)"),
            (1, 0, "after / before"),
            (2, 3, "ours unordered / hand-written"),
            (1, 3, "ours input order / hand-written"),
        ],
        false,
    );
}

/// The mock's seeded contacts, in turn: every update applies.
fn contact_for(i: u64) -> &'static str {
    const CONTACTS: [&str; 3] = [
        talktohumans::mock::seed::MAYA_CHEN,
        talktohumans::mock::seed::PRIYA_RAMAN,
        talktohumans::mock::seed::TOMAS_HERRERA,
    ];
    CONTACTS[(i % 3) as usize]
}

fn inputs() -> impl Iterator<Item = UpdateContactInput> + Send + 'static {
    (1..=UPDATES).map(|i| {
        UpdateContactInput::builder(contact_for(i))
            .add_tag("Hot lead")
            .build()
            .expect("a valid update")
    })
}

async fn faulty_mock() -> MockServer {
    let mock = MockServer::start().await.expect("the mock starts");
    mock.random_faults(
        RandomFaults::new(SEED, FAULT_RATE)
            .fault(Fault::status(http::StatusCode::SERVICE_UNAVAILABLE))
            .fault(Fault::delay(STALL))
            .fault(Fault::disconnect())
            .fault(Fault::disconnect_after_applying()),
    );
    mock
}

/// The mock serves on this runtime's worker threads; two of them, one per
/// core, as the machine has.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}
