//! Peak memory of a bulk update: sends N updates through
//! `Client::update_contacts_with` to the fixed-response server (in this
//! process, on its own thread) and prints the peak resident set size
//! (`VmHWM` from `/proc/self/status`, Linux only) before and after.
//!
//! ```text
//! cargo bench --bench bulk_memory -- 10000 [CONCURRENCY]   # one size
//! cargo bench --bench bulk_memory                          # 10k and 100k, one process each
//! ```
//!
//! The updates are made lazily by the input stream and every result is
//! dropped as soon as it arrives, as a caller streaming a large batch would
//! do; flat memory means the peak does not grow with N.

mod support;

use std::process::Command;
use std::time::Instant;

use futures_util::{StreamExt, stream};
use talktohumans::{BulkOptions, UpdateContactInput};

const DEFAULT_SIZES: [u64; 2] = [10_000, 100_000];
const DEFAULT_CONCURRENCY: usize = 64;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let filters: Vec<&String> = args
        .iter()
        .filter(|a| !a.starts_with('-') && a.parse::<u64>().is_err())
        .collect();
    if !filters.is_empty() && !filters.iter().any(|f| "bulk_memory".contains(f.as_str())) {
        return;
    }
    let measuring = args.iter().any(|a| a == "--bench");

    match numbers.as_slice() {
        [updates] => run(*updates, DEFAULT_CONCURRENCY),
        [updates, concurrency, ..] => run(*updates, *concurrency as usize),
        [] if measuring => {
            // One process per size, so that each peak is its own.
            let exe = std::env::current_exe().expect("the path of this binary");
            for updates in DEFAULT_SIZES {
                let status = Command::new(&exe)
                    .arg(updates.to_string())
                    .status()
                    .expect("run a measurement");
                assert!(
                    status.success(),
                    "the measurement of {updates} updates failed"
                );
            }
        }
        // `cargo test --benches`: a quick check that it works.
        [] => run(1_000, DEFAULT_CONCURRENCY),
    }
}

fn run(updates: u64, concurrency: usize) {
    let server = support::server::start();
    let client = support::our_client(&server.base_url());
    let runtime = support::client_runtime();

    // Warm up: the connections, the runtime and the allocator's arenas are
    // in place before the first reading.
    runtime.block_on(async {
        let mut results = client.update_contacts_with(
            BulkOptions::default().concurrency(concurrency),
            batch(1_000),
        );
        while results.next().await.is_some() {}
    });
    let before = peak_rss_kib();

    let started = Instant::now();
    let (succeeded, failed) = runtime.block_on(async {
        let mut results = client.update_contacts_with(
            BulkOptions::default().concurrency(concurrency),
            batch(updates),
        );
        while let Some(item) = results.next().await {
            drop(item);
        }
        let summary = results.summary();
        (summary.succeeded, summary.failed_total())
    });
    let elapsed = started.elapsed();
    let after = peak_rss_kib();

    println!(
        "bulk_memory: updates={updates} concurrency={concurrency} succeeded={succeeded} failed={failed} \
         elapsed={elapsed:.2?} peak_rss_before_kib={before} peak_rss_after_kib={after} growth_kib={}",
        after.saturating_sub(before)
    );
    assert_eq!(succeeded as u64, updates, "every update succeeds");
}

/// `updates` updates, made one by one as the batch takes them.
fn batch(updates: u64) -> impl futures_util::Stream<Item = UpdateContactInput> + Send {
    stream::iter((1..=updates).map(|id| {
        UpdateContactInput::builder(id.to_string())
            .add_tag("Hot lead")
            .build()
            .expect("a valid update")
    }))
}

/// The peak resident set size so far, in KiB (0 where it cannot be read).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
