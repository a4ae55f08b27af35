//! Goodput against a rate-limited server: 3,000 updates against the crate's
//! mock in capacity mode (a token bucket of 300 requests a second), so the
//! ideal is 10 s. For each client: the time taken over the ideal, the share
//! of requests answered 429, and whether every update succeeded.
//!
//! ```text
//! cargo bench --bench goodput
//! ```
//!
//! - ours, default `BulkOptions` (adaptive rate control, concurrency 8);
//! - ours with `max_rate(300)`, the quota known;
//! - a hand-written `buffer_unordered(64)` loop over plain reqwest that, on
//!   each 429, sleeps `retry-after-ms` (else `Retry-After`) and retries.
//!
//! Each runs against a fresh mock, with the mock's default burst (300: one
//! second's worth) and with a burst of 10, at 20 ms of latency (a realistic
//! API's) and at none (loopback). A burst of B lets the first B requests
//! through at once, so the best possible time is (3000 - B) / 300 s: 9 s
//! with a burst of 300, 9.97 s with 10; the ratios are to the issue's 10 s.

use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use talktohumans::mock::{MockServer, seed};
use talktohumans::{BulkOptions, UpdateContactInput};

const UPDATES: usize = 3_000;
const CAPACITY: u32 = 300;
const IDEAL: Duration = Duration::from_secs(10);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench --no-run` builds; `cargo test --benches` runs with no
    // `--bench`: measure only when asked to.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    // The mock on its own runtime (one thread), the clients on another, as
    // a server and its clients would be.
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime for the mock");
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the clients");
    println!("{UPDATES} updates against a mock of {CAPACITY} requests a second; ideal {IDEAL:?}");
    println!(
        "| latency | burst | client | elapsed | elapsed / ideal | 429s / requests | all succeeded |"
    );
    println!("| ---: | ---: | --- | ---: | ---: | ---: | --- |");
    for latency in [Duration::from_millis(20), Duration::ZERO] {
        for burst in [300, 10] {
            for variant in [Variant::Ours, Variant::OursMaxRate, Variant::HandWritten] {
                let mock = server.block_on(async {
                    let mock = MockServer::builder()
                        .capacity(CAPACITY)
                        .burst(burst)
                        .start()
                        .await
                        .expect("the mock starts");
                    if !latency.is_zero() {
                        // One queued fault covers every request to come.
                        mock.delay_next(usize::MAX, latency);
                    }
                    mock
                });
                let (elapsed, succeeded) = client.block_on(variant.run(&mock));
                let requests = mock.request_count();
                let limited = mock.rate_limited_count();
                println!(
                    "| {latency:?} | {burst} | {} | {:.2} s | {:.3} | {limited} / {requests} = {:.1}% | {} |",
                    variant.name(),
                    elapsed.as_secs_f64(),
                    elapsed.as_secs_f64() / IDEAL.as_secs_f64(),
                    limited as f64 * 100.0 / requests as f64,
                    if succeeded == UPDATES {
                        "yes".to_owned()
                    } else {
                        format!("no, {succeeded} of {UPDATES}")
                    },
                );
                // The mock stops on its own runtime.
                let _guard = server.enter();
                drop(mock);
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Variant {
    Ours,
    OursMaxRate,
    HandWritten,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Ours => "ours, default options",
            Variant::OursMaxRate => "ours, `max_rate(300)`",
            Variant::HandWritten => "hand-written `buffer_unordered(64)`",
        }
    }

    /// Runs the batch; returns the time taken and how many updates
    /// succeeded.
    async fn run(self, mock: &MockServer) -> (Duration, usize) {
        match self {
            Variant::Ours => ours(mock, BulkOptions::default()).await,
            Variant::OursMaxRate => ours(mock, BulkOptions::default().max_rate(CAPACITY)).await,
            Variant::HandWritten => hand_written(mock).await,
        }
    }
}

/// The mock's seeded contacts, in turn: every update applies.
fn contact_for(i: usize) -> &'static str {
    const CONTACTS: [&str; 3] = [seed::MAYA_CHEN, seed::PRIYA_RAMAN, seed::TOMAS_HERRERA];
    CONTACTS[i % 3]
}

async fn ours(mock: &MockServer, options: BulkOptions) -> (Duration, usize) {
    // The client's default retry policy (2 retries).
    let client = mock
        .client_builder()
        .build()
        .expect("a client for the mock");
    let inputs = (0..UPDATES).map(|i| {
        UpdateContactInput::builder(contact_for(i))
            .add_tag("Hot lead")
            .build()
            .expect("a valid update")
    });
    let start = Instant::now();
    let mut results = client.update_contacts_with(options, stream::iter(inputs));
    while results.next().await.is_some() {}
    (start.elapsed(), results.summary().succeeded)
}

/// What a user would write: 64 in flight, and on a 429 that request sleeps
/// the server's hint and tries again, as often as it takes.
async fn hand_written(mock: &MockServer) -> (Duration, usize) {
    let http = reqwest::Client::new();
    let key = mock.api_key().to_owned();
    let base = mock.base_url().to_owned();
    let start = Instant::now();
    let succeeded = stream::iter(0..UPDATES)
        .map(|i| {
            let (http, key, base) = (&http, &key, &base);
            async move {
                let url = format!("{base}/v1/contacts/{}", contact_for(i));
                let body = serde_json::json!({"tags": {"add": [{"name": "Hot lead"}]}});
                loop {
                    let Ok(response) = http.patch(&url).bearer_auth(key).json(&body).send().await
                    else {
                        return false;
                    };
                    if response.status() != 429 {
                        let ok = response.status().is_success();
                        let _ = response.bytes().await;
                        return ok;
                    }
                    let header = |name: &str| {
                        response
                            .headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.parse::<u64>().ok())
                    };
                    let wait = header("retry-after-ms")
                        .map(Duration::from_millis)
                        .or_else(|| header("retry-after").map(Duration::from_secs))
                        .unwrap_or(Duration::from_secs(1));
                    tokio::time::sleep(wait).await;
                }
            }
        })
        .buffer_unordered(64)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await;
    (start.elapsed(), succeeded)
}
