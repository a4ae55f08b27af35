//! The client's cost against what a user would write instead, all measured in
//! one run and reported as ratios (see BENCHMARKS.md):
//!
//! 1. `call`: one update, keep-alive, sequential: the crate's `Client::send`
//!    vs a hand-written reqwest + serde client vs raw hyper (the floor), and
//!    raw hyper followed by decoding the body (the floor for a client that
//!    returns the contact).
//! 2. `decode`: the seed's full contact response into the crate's types vs a
//!    hand-written struct; `decode_path`: the whole response path of one
//!    attempt without the network vs the hand-written equivalent.
//! 3. `request`: building, checking and serializing an update.
//! 4. `bulk`: 10,000 updates at concurrency 1, 16 and 64: `update_contacts_with`
//!    vs a hand-written `buffer_unordered` loop.
//!
//! Every network benchmark talks to a fixed-response server on 127.0.0.1
//! running on its own thread (`support/server.rs`).
//!
//! `cargo bench --bench client` runs everything and prints the ratios at the
//! end; `cargo bench --bench client -- call` runs one group.

mod support;

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use criterion::{BenchmarkId, Criterion, Throughput};
use futures_util::{StreamExt, stream};
use serde::Deserialize;
use talktohumans::{BulkOptions, Tag, UpdateContactInput};
use tokio::runtime::Runtime;

use support::hand_written::{self, HandWrittenClient};
use support::paired::{self, Variant};
use support::raw_hyper::RawHyperClient;
use support::server::FixedServer;
use support::{API_KEY, CONTACT_ID, SEED_REQUEST, SEED_RESPONSE, report};

/// Updates per bulk iteration.
const BULK_UPDATES: u64 = 10_000;
const BULK_CONCURRENCY: [usize; 3] = [1, 16, 64];

fn main() {
    let since = SystemTime::now();
    let mut criterion = Criterion::default().configure_from_args();
    let server = support::server::start();
    let runtime = support::client_runtime();

    single_call(&mut criterion, &runtime, &server);
    decode(&mut criterion, &runtime);
    request(&mut criterion);
    bulk(&mut criterion, &runtime, &server);

    criterion.final_summary();
    if report::measuring() {
        print_ratios(since);
        interleaved(&runtime, &server);
    }
}

/// An observer that counts every event, as a metrics observer would: the
/// cost of watching, against a client with none.
#[derive(Default)]
struct CountingObserver(std::sync::atomic::AtomicU64);

impl CountingObserver {
    fn count(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl talktohumans::Observer for CountingObserver {
    fn on_attempt_start(&self, _: &talktohumans::AttemptStart<'_>) {
        self.count();
    }
    fn on_response(&self, _: &talktohumans::AttemptResponse<'_>) {
        self.count();
    }
    fn on_retry_scheduled(&self, _: &talktohumans::RetryScheduled<'_>) {
        self.count();
    }
    fn on_call_end(&self, _: &talktohumans::CallEnd<'_>) {
        self.count();
    }
}

/// The same comparisons, interleaved round by round (see
/// `support/paired.rs`): the ratios to rely on when the machine is shared.
fn interleaved(runtime: &Runtime, server: &FixedServer) {
    println!();
    println!("Interleaved ratios: median of per-round ratios, interquartile range in brackets");
    let base_url = server.base_url();
    let ours = support::our_client(&base_url);
    let observed = talktohumans::Client::builder()
        .api_key(API_KEY)
        .base_url(&base_url)
        .observer(std::sync::Arc::new(CountingObserver::default()))
        .build()
        .expect("a loopback client builds");
    let theirs = HandWrittenClient::new(&base_url, API_KEY);

    if paired::selected("interleaved/call") {
        const CALLS: u64 = 200;
        let update = support::seed_update(CONTACT_ID);
        let body = hand_written::seed_request();
        // One connection each, so that each closure owns its own.
        let connect = || {
            runtime.block_on(RawHyperClient::connect(
                server,
                CONTACT_ID,
                API_KEY,
                SEED_REQUEST,
            ))
        };
        let (mut raw, mut raw_for_decode) = (connect(), connect());
        // Times `CALLS` runs of the body, within the client runtime.
        macro_rules! timed {
            ($body:block) => {
                runtime.block_on(async {
                    let start = Instant::now();
                    for _ in 0..CALLS $body
                    start.elapsed()
                })
            };
        }
        let mut variants = [
            Variant::new("ours", || {
                timed!({
                    black_box(ours.send(&update).await.expect("a 200"));
                })
            }),
            Variant::new("hand-written", || {
                timed!({
                    black_box(theirs.update(CONTACT_ID, &body).await.expect("a 200"));
                })
            }),
            Variant::new("raw hyper", || {
                timed!({
                    black_box(raw.call().await);
                })
            }),
            Variant::new("raw hyper + decode", || {
                timed!({
                    let body = raw_for_decode.call().await;
                    black_box(serde_json::from_slice::<OurEnvelope>(&body).expect("a contact"));
                })
            }),
            Variant::new("ours, one observer", || {
                timed!({
                    black_box(observed.send(&update).await.expect("a 200"));
                })
            }),
        ];
        paired::compare(
            "1. one call, keep-alive, sequential",
            40,
            CALLS,
            &mut variants,
            &[
                (0, 1, "ours / hand-written (target <= 1.05)"),
                (0, 2, "ours / raw hyper (target <= 1.3)"),
                (0, 3, "ours / raw hyper + decode"),
                (1, 2, "hand-written / raw hyper"),
                (4, 1, "ours, one observer / hand-written"),
                (4, 0, "ours, one observer / ours"),
            ],
            false,
        );
    }

    if paired::selected("interleaved/decode") {
        const DECODES: u64 = 2_000;
        let decode_loop = |f: &dyn Fn()| {
            let start = Instant::now();
            for _ in 0..DECODES {
                f();
            }
            start.elapsed()
        };
        let mut variants = [
            Variant::new("ours", || {
                decode_loop(&|| {
                    black_box(
                        serde_json::from_slice::<OurEnvelope>(black_box(SEED_RESPONSE)).unwrap(),
                    );
                })
            }),
            Variant::new("hand-written", || {
                decode_loop(&|| {
                    black_box(
                        serde_json::from_slice::<hand_written::UpdateResponse>(black_box(
                            SEED_RESPONSE,
                        ))
                        .unwrap(),
                    );
                })
            }),
            Variant::new("ours, tolerant", || {
                decode_loop(&|| {
                    black_box(
                        talktohumans::fuzzing::decode_body(black_box(SEED_RESPONSE), false)
                            .unwrap(),
                    );
                })
            }),
            // What asking `UpdateContactOutput::extra_fields()` adds to the
            // decoding (keeping the body adds nothing: it is moved, not
            // copied, and the fields are read only when asked for).
            Variant::new("ours, then extra_fields()", || {
                decode_loop(&|| {
                    black_box(
                        serde_json::from_slice::<OurEnvelope>(black_box(SEED_RESPONSE)).unwrap(),
                    );
                    black_box(talktohumans::fuzzing::extra_fields(black_box(
                        SEED_RESPONSE,
                    )));
                })
            }),
        ];
        paired::compare(
            "2. decode of the seed's full contact response",
            30,
            DECODES,
            &mut variants,
            &[
                (0, 1, "ours / hand-written (target <= 1.2)"),
                (2, 0, "tolerant / typed only, fitting body (target <= 1.05)"),
                (3, 0, "typed, then extra_fields() / typed only"),
            ],
            false,
        );
    }

    if paired::selected("interleaved/bulk") {
        for concurrency in BULK_CONCURRENCY {
            let ours_batch = |options: BulkOptions| {
                runtime.block_on(async {
                    let start = Instant::now();
                    let updates = stream::iter((1..=BULK_UPDATES).map(|id| {
                        UpdateContactInput::builder(id.to_string())
                            .add_tag("Hot lead")
                            .build()
                            .expect("a valid update")
                    }));
                    let mut results = ours.update_contacts_with(options, updates);
                    while let Some(item) = results.next().await {
                        black_box(item.result.expect("a 200"));
                    }
                    start.elapsed()
                })
            };
            let theirs = &theirs;
            let mut variants = [
                Variant::new("ours (input order)", || {
                    ours_batch(BulkOptions::default().concurrency(concurrency))
                }),
                Variant::new("ours, unordered", || {
                    ours_batch(BulkOptions::default().concurrency(concurrency).unordered())
                }),
                Variant::new("hand-written buffer_unordered", || {
                    runtime.block_on(async {
                        let start = Instant::now();
                        stream::iter(1..=BULK_UPDATES)
                            .map(|id| async move {
                                let body = hand_written::hot_lead();
                                theirs.update(&id.to_string(), &body).await
                            })
                            .buffer_unordered(concurrency)
                            .for_each(|result| {
                                black_box(result.expect("a 200"));
                                async {}
                            })
                            .await;
                        start.elapsed()
                    })
                }),
            ];
            paired::compare(
                &format!("4. bulk, concurrency {concurrency}: throughput"),
                8,
                BULK_UPDATES,
                &mut variants,
                &[
                    (0, 2, "ours / hand-written (target >= 0.9)"),
                    (1, 2, "ours unordered / hand-written"),
                ],
                true,
            );
        }
    }
}

/// 1. One call at a time on a kept-alive connection.
fn single_call(c: &mut Criterion, runtime: &Runtime, server: &FixedServer) {
    let base_url = server.base_url();
    let ours = support::our_client(&base_url);
    let update = support::seed_update(CONTACT_ID);
    let theirs = HandWrittenClient::new(&base_url, API_KEY);
    let body = hand_written::seed_request();
    let mut raw = runtime.block_on(RawHyperClient::connect(
        server,
        CONTACT_ID,
        API_KEY,
        SEED_REQUEST,
    ));

    let mut group = c.benchmark_group("call");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(50)
        .throughput(Throughput::Elements(1));
    group.bench_function("ours", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let updated = ours.send(&update).await.expect("a 200 from the server");
                    black_box(updated);
                }
                start.elapsed()
            })
        })
    });
    group.bench_function("hand_written", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let contact = theirs
                        .update(CONTACT_ID, &body)
                        .await
                        .expect("a 200 from the server");
                    black_box(contact);
                }
                start.elapsed()
            })
        })
    });
    group.bench_function("raw_hyper", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(raw.call().await);
                }
                start.elapsed()
            })
        })
    });
    // The floor for a client that returns the contact: raw hyper, then the
    // body decoded into the crate's types.
    group.bench_function("raw_hyper_decoded", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let body = raw.call().await;
                    black_box(serde_json::from_slice::<OurEnvelope>(&body).expect("the contact"));
                }
                start.elapsed()
            })
        })
    });
    group.finish();
}

/// The envelope the generated `UpdateContactResponse` has (`data` required,
/// `data.contact` optional), around the public generated `Contact`: the
/// generated envelope itself is private to the crate.
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

/// 2. Decoding the seed's full contact response.
fn decode(c: &mut Criterion, runtime: &Runtime) {
    // Both decoders must accept the body, or the comparison means nothing.
    serde_json::from_slice::<OurEnvelope>(SEED_RESPONSE).expect("the crate decodes the seed");
    serde_json::from_slice::<hand_written::UpdateResponse>(SEED_RESPONSE)
        .expect("the hand-written structs decode the seed");

    let mut group = c.benchmark_group("decode");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(SEED_RESPONSE.len() as u64));
    group.bench_function("ours", |b| {
        b.iter(|| serde_json::from_slice::<OurEnvelope>(black_box(SEED_RESPONSE)).unwrap())
    });
    // The crate's decoding of a success body, as a call runs it: the
    // generated types, and the tolerant reading only if they refuse the
    // body. On this fitting body, "ours" (the typed decoding alone, which is
    // all the crate did before the tolerant reading) is the baseline.
    let (_, drift) = talktohumans::fuzzing::decode_body(SEED_RESPONSE, false)
        .expect("the crate decodes the seed");
    assert!(drift.is_empty(), "the seed fits: {drift:?}");
    group.bench_function("ours_tolerant", |b| {
        b.iter(|| talktohumans::fuzzing::decode_body(black_box(SEED_RESPONSE), false).unwrap())
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| {
            serde_json::from_slice::<hand_written::UpdateResponse>(black_box(SEED_RESPONSE))
                .unwrap()
        })
    });
    group.finish();

    // The same, through everything one attempt does except the network:
    // for the crate, the request built by the generated code, the hooks
    // (which read and keep the body), the generated decoding of
    // `UpdateContactResponse`, the error mapping and the tracing spans (the
    // crate's private fuzzing seam hands the hook a canned response instead
    // of sending); for the hand-written client, reqwest's request building
    // and `Response::json`.
    let headers: [(&[u8], &[u8]); 2] = [
        (b"content-type", b"application/json"),
        (b"x-request-id", b"req_bench"),
    ];
    let theirs = HandWrittenClient::new("http://127.0.0.1:9", API_KEY);
    let body = hand_written::seed_request();
    let hand_written_path = || {
        let request = theirs
            .http()
            .patch(format!("http://127.0.0.1:9/v1/contacts/{CONTACT_ID}"))
            .bearer_auth(API_KEY)
            .json(&body)
            .build()
            .expect("a request");
        black_box(request);
        let response = http::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .header("x-request-id", "req_bench")
            .body(bytes::Bytes::copy_from_slice(SEED_RESPONSE))
            .expect("a response");
        reqwest::Response::from(response)
    };
    runtime.block_on(async {
        let ours = talktohumans::fuzzing::decode(200, &headers, SEED_RESPONSE).await;
        assert!(matches!(ours, Some(Ok(_))), "the crate decodes the seed");
        hand_written_path()
            .json::<hand_written::UpdateResponse>()
            .await
            .expect("the hand-written path decodes the seed");
    });

    let mut group = c.benchmark_group("decode_path");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(SEED_RESPONSE.len() as u64));
    group.bench_function("ours", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let decoded =
                        talktohumans::fuzzing::decode(200, &headers, black_box(SEED_RESPONSE))
                            .await;
                    black_box(decoded);
                }
                start.elapsed()
            })
        })
    });
    // The same path with `strict_responses(true)`: no tolerant reading to
    // fall back on, as the crate was before it had one.
    group.bench_function("ours_strict", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let decoded = talktohumans::fuzzing::decode_with(
                        true,
                        200,
                        &headers,
                        black_box(SEED_RESPONSE),
                    )
                    .await;
                    black_box(decoded);
                }
                start.elapsed()
            })
        })
    });
    group.bench_function("hand_written", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let decoded = hand_written_path()
                        .json::<hand_written::UpdateResponse>()
                        .await
                        .unwrap();
                    black_box(decoded);
                }
                start.elapsed()
            })
        })
    });
    group.finish();
}

/// 3. Building, checking and serializing an update.
fn request(c: &mut Criterion) {
    let mut group = c.benchmark_group("request");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    group.bench_function("build", |b| {
        b.iter(|| support::seed_update(black_box(CONTACT_ID)))
    });
    group.bench_function("build_and_serialize", |b| {
        b.iter(|| support::seed_update(black_box(CONTACT_ID)).body_json())
    });
    group.bench_function("build_with_notes_and_serialize", |b| {
        b.iter(|| {
            UpdateContactInput::builder(black_box(CONTACT_ID))
                .account_id("42")
                .add_tag(Tag::new("Hot lead").with_color("red"))
                .remove_tag("Old tag")
                .notes_json(r#"{"stage":"demo","owner":"sam","score":42}"#)
                .build()
                .expect("a valid update")
                .body_json()
        })
    });
    group.bench_function("hand_written_serialize", |b| {
        b.iter(|| serde_json::to_string(&hand_written::seed_request()).unwrap())
    });
    group.finish();
}

/// 4. Many updates through one client.
fn bulk(c: &mut Criterion, runtime: &Runtime, server: &FixedServer) {
    let base_url = server.base_url();
    let ours = support::our_client(&base_url);
    let theirs = HandWrittenClient::new(&base_url, API_KEY);

    let our_updates = || {
        stream::iter((1..=BULK_UPDATES).map(|id| {
            UpdateContactInput::builder(id.to_string())
                .add_tag("Hot lead")
                .build()
                .expect("a valid update")
        }))
    };

    let mut group = c.benchmark_group("bulk");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(10)
        .throughput(Throughput::Elements(BULK_UPDATES));
    for concurrency in BULK_CONCURRENCY {
        for (name, options) in [
            ("ours", BulkOptions::default().concurrency(concurrency)),
            (
                "ours_unordered",
                BulkOptions::default().concurrency(concurrency).unordered(),
            ),
        ] {
            group.bench_function(BenchmarkId::new(name, concurrency), |b| {
                b.iter_custom(|iters| {
                    runtime.block_on(async {
                        let start = Instant::now();
                        for _ in 0..iters {
                            let mut results = ours.update_contacts_with(options, our_updates());
                            while let Some(item) = results.next().await {
                                black_box(item.result.expect("a 200 from the server"));
                            }
                            assert_eq!(results.summary().succeeded as u64, BULK_UPDATES);
                        }
                        start.elapsed()
                    })
                })
            });
        }
        group.bench_function(BenchmarkId::new("hand_written", concurrency), |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let theirs = &theirs;
                        let done = stream::iter(1..=BULK_UPDATES)
                            .map(|id| async move {
                                let body = hand_written::hot_lead();
                                theirs.update(&id.to_string(), &body).await
                            })
                            .buffer_unordered(concurrency)
                            .fold(0u64, |done, result| {
                                black_box(result.expect("a 200 from the server"));
                                async move { done + 1 }
                            })
                            .await;
                        assert_eq!(done, BULK_UPDATES);
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
}

fn print_ratios(since: SystemTime) {
    println!();
    println!("Ratios of medians, this run (95 % interval of the ratio in brackets)");
    println!("1. one call, keep-alive, sequential (lower is better)");
    report::ratio(
        "   ours / hand-written (target <= 1.05)",
        "call/ours",
        "call/hand_written",
        since,
    );
    report::ratio(
        "   ours / raw hyper (target <= 1.3)",
        "call/ours",
        "call/raw_hyper",
        since,
    );
    report::ratio(
        "   ours / raw hyper + decode into the crate's types",
        "call/ours",
        "call/raw_hyper_decoded",
        since,
    );
    report::ratio(
        "   hand-written / raw hyper",
        "call/hand_written",
        "call/raw_hyper",
        since,
    );
    println!("2. decode of the seed's full contact response (lower is better)");
    report::ratio(
        "   ours / hand-written, serde_json only (target <= 1.2)",
        "decode/ours",
        "decode/hand_written",
        since,
    );
    report::ratio(
        "   ours / hand-written, whole response path",
        "decode_path/ours",
        "decode_path/hand_written",
        since,
    );
    report::ratio(
        "   tolerant / typed only, fitting body (target <= 1.05)",
        "decode/ours_tolerant",
        "decode/ours",
        since,
    );
    report::ratio(
        "   default / strict_responses, whole response path, fitting body (target <= 1.05)",
        "decode_path/ours",
        "decode_path/ours_strict",
        since,
    );
    println!("3. build + check + serialize one update");
    report::per_element("   seed update, build", "request/build", 1, since);
    report::per_element(
        "   seed update, build + body_json",
        "request/build_and_serialize",
        1,
        since,
    );
    report::per_element(
        "   seed update + notes, build + body_json",
        "request/build_with_notes_and_serialize",
        1,
        since,
    );
    report::per_element(
        "   hand-written struct, serialize only",
        "request/hand_written_serialize",
        1,
        since,
    );
    println!(
        "4. bulk, 10,000 updates: throughput ours / hand-written (higher is better, target >= 0.9)"
    );
    for concurrency in BULK_CONCURRENCY {
        for ours in ["ours", "ours_unordered"] {
            report::throughput_ratio(
                &format!("   concurrency {concurrency}, {ours}"),
                &format!("bulk/{ours}/{concurrency}"),
                &format!("bulk/hand_written/{concurrency}"),
                BULK_UPDATES,
                since,
            );
        }
    }
}
