//! A driver for profilers: runs one workload of `benches/client.rs` a given
//! number of times, with the fixed-response server in a child process, so
//! that a profiler attached to this process sees only the client side.
//!
//! ```text
//! cargo bench --bench profile --no-run
//! valgrind --tool=callgrind target/release/deps/profile-<hash> call-ours 2000
//! ```
//!
//! Instructions per operation: run a workload with N and 2N and divide the
//! difference by N, which cancels start-up and connection setup. Workloads:
//! `call-ours`, `call-ours-observed`, `call-hand-written`, `call-raw-hyper`, `call-raw-hyper-decoded`,
//! `bulk-ours-<CONCURRENCY>`, `bulk-ours-unordered-<CONCURRENCY>`,
//! `bulk-hand-written-<CONCURRENCY>`, `decode-ours`, `decode-hand-written`,
//! `build`, and `sizes` (sizes of the in-flight futures). Under `cargo bench` (no workload) it does nothing.

mod support;

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use futures_util::{StreamExt, stream};
use serde::Deserialize;
use talktohumans::{BulkOptions, UpdateContactInput};

use support::hand_written::{self, HandWrittenClient};
use support::raw_hyper::RawHyperClient;
use support::server::FixedServer;
use support::{API_KEY, CONTACT_ID, SEED_REQUEST, SEED_RESPONSE};

/// Operations run before the counted ones (connections, lazy statics).
const WARM_UP: u64 = 200;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.as_slice() {
        [serve] if serve == "serve" => serve_until_stdin_closes(),
        [workload, count] => {
            let count: u64 = count.parse().expect("a count");
            run(workload, count);
        }
        _ => eprintln!("profile: no workload given (see benches/profile.rs); nothing to do"),
    }
}

/// The child: serves, prints its address, and exits when the parent closes
/// its standard input.
fn serve_until_stdin_closes() {
    let server = support::server::start();
    println!("{}", server.addr);
    std::io::stdout().flush().expect("flush");
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
}

fn run(workload: &str, count: u64) {
    let mut child = Command::new(std::env::current_exe().expect("this binary"))
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server process");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("its stdout"))
        .read_line(&mut line)
        .expect("its address");
    let server = FixedServer {
        addr: line.trim().parse::<SocketAddr>().expect("an address"),
    };
    let runtime = support::client_runtime();
    runtime.block_on(workload_future(workload, count, &server));
    drop(child.stdin.take());
    let _ = child.wait();
}

#[derive(Deserialize)]
struct OurEnvelope {
    #[allow(dead_code)]
    data: OurData,
}

#[derive(Deserialize)]
struct OurData {
    #[allow(dead_code)]
    contact: Option<talktohumans::types::Contact>,
}

async fn workload_future(workload: &str, count: u64, server: &FixedServer) {
    let base_url = server.base_url();
    let total = WARM_UP + count;
    match workload {
        "call-ours" => {
            let client = support::our_client(&base_url);
            let update = support::seed_update(CONTACT_ID);
            for _ in 0..total {
                black_box(client.send(&update).await.expect("a 200"));
            }
        }
        "call-ours-observed" => {
            // One observer that counts every event: the cost of watching.
            #[derive(Default)]
            struct Counting(std::sync::atomic::AtomicU64);
            impl talktohumans::Observer for Counting {
                fn on_attempt_start(&self, _: &talktohumans::AttemptStart<'_>) {
                    self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                fn on_response(&self, _: &talktohumans::AttemptResponse<'_>) {
                    self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                fn on_call_end(&self, _: &talktohumans::CallEnd<'_>) {
                    self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
            let client = talktohumans::Client::builder()
                .api_key(API_KEY)
                .base_url(&base_url)
                .observer(std::sync::Arc::new(Counting::default()))
                .build()
                .expect("a loopback client builds");
            let update = support::seed_update(CONTACT_ID);
            for _ in 0..total {
                black_box(client.send(&update).await.expect("a 200"));
            }
        }
        "call-hand-written" => {
            let client = HandWrittenClient::new(&base_url, API_KEY);
            let body = hand_written::seed_request();
            for _ in 0..total {
                black_box(client.update(CONTACT_ID, &body).await.expect("a 200"));
            }
        }
        "call-raw-hyper" => {
            let mut client =
                RawHyperClient::connect(server, CONTACT_ID, API_KEY, SEED_REQUEST).await;
            for _ in 0..total {
                black_box(client.call().await);
            }
        }
        "sizes" => {
            // What a request costs to hold while it is in flight: bulk keeps
            // one such future per request in its buffer.
            let ours = support::our_client(&base_url);
            let update = support::seed_update(CONTACT_ID);
            let theirs = HandWrittenClient::new(&base_url, API_KEY);
            let body = hand_written::seed_request();
            let options = BulkOptions::default();
            let batch = ours.update_contacts_with(options, stream::iter([update.clone()]));
            println!(
                "future of Client::send:             {} bytes",
                size_of_val(&ours.send(&update))
            );
            println!(
                "future of the hand-written update:  {} bytes",
                size_of_val(&theirs.update(CONTACT_ID, &body))
            );
            println!(
                "talktohumans::types::Contact:              {} bytes",
                size_of::<talktohumans::types::Contact>()
            );
            println!(
                "talktohumans::BulkItem:             {} bytes",
                size_of::<talktohumans::BulkItem>()
            );
            println!(
                "hand-written Contact:               {} bytes",
                size_of::<hand_written::Contact>()
            );
            drop(batch);
        }
        "call-raw-hyper-decoded" => {
            let mut client =
                RawHyperClient::connect(server, CONTACT_ID, API_KEY, SEED_REQUEST).await;
            for _ in 0..total {
                let body = client.call().await;
                black_box(serde_json::from_slice::<OurEnvelope>(&body).expect("the contact"));
            }
        }
        "decode-ours" => {
            for _ in 0..total {
                black_box(serde_json::from_slice::<OurEnvelope>(black_box(SEED_RESPONSE)).unwrap());
            }
        }
        "decode-hand-written" => {
            for _ in 0..total {
                black_box(
                    serde_json::from_slice::<hand_written::UpdateResponse>(black_box(
                        SEED_RESPONSE,
                    ))
                    .unwrap(),
                );
            }
        }
        "build" => {
            for _ in 0..total {
                black_box(support::seed_update(black_box(CONTACT_ID)).body_json());
            }
        }
        bulk => {
            let (name, concurrency) = bulk
                .strip_prefix("bulk-")
                .and_then(|rest| rest.rsplit_once('-'))
                .and_then(|(name, c)| Some((name, c.parse::<usize>().ok()?)))
                .unwrap_or_else(|| panic!("unknown workload {workload}"));
            let updates = move |n: u64| {
                stream::iter((1..=n).map(|id| {
                    UpdateContactInput::builder(id.to_string())
                        .add_tag("Hot lead")
                        .build()
                        .expect("a valid update")
                }))
            };
            match name {
                "ours" | "ours-unordered" => {
                    let client = support::our_client(&base_url);
                    let mut options = BulkOptions::default().concurrency(concurrency);
                    if name == "ours-unordered" {
                        options = options.unordered();
                    }
                    for n in [WARM_UP, count] {
                        let mut results = client.update_contacts_with(options, updates(n));
                        while let Some(item) = results.next().await {
                            black_box(item.result.expect("a 200"));
                        }
                    }
                }
                "hand-written" => {
                    let client = HandWrittenClient::new(&base_url, API_KEY);
                    let client = &client;
                    for n in [WARM_UP, count] {
                        stream::iter(1..=n)
                            .map(|id| async move {
                                client
                                    .update(&id.to_string(), &hand_written::hot_lead())
                                    .await
                            })
                            .buffer_unordered(concurrency)
                            .for_each(|result| {
                                black_box(result.expect("a 200"));
                                async {}
                            })
                            .await;
                    }
                }
                _ => panic!("unknown workload {workload}"),
            }
        }
    }
}
