//! The tolerant reader: its cost grows linearly with the body.
//!
//! 1. `misfits`: a contact whose tags are all misfits (`[1,1,...]`), n, 2n
//!    and 4n of them, up to the limit of 1,000 repairs.
//! 2. `mixed`: 10,000, 20,000 and 40,000 tags (the issue's sizes), 1% of
//!    them misfits, so that most of the body fits and is walked too.
//! 3. `refused`: 5,000 and 40,000 misfitting tags, past the limit: the body
//!    is parsed, then the walk stops at the 1,001st repair.
//! 4. `fitting`: the seed's full contact, which fits, through the crate's
//!    decoding entry point against the typed decoding alone (BENCHMARKS.md
//!    §2's method): a body that fits never reaches the tolerant reader.
//!
//! After criterion, the same comparisons interleaved round by round, with
//! their ratios (see `support/paired.rs`).
//!
//! `cargo bench --bench decode` (about 2 minutes); one group:
//! `cargo bench --bench decode -- misfits`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use serde::Deserialize;
use talktohumans::fuzzing::decode_body;

#[path = "support/paired.rs"]
mod paired;

use paired::Variant;

const SEED_RESPONSE: &[u8] = include_bytes!("../tests/fixtures/seed_example_response.json");

/// The envelope the generated `UpdateContactResponse` has, around the public
/// generated `Contact`: the typed decoding alone, as in `benches/client.rs`.
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

/// A success whose contact has `tags` items, every `misfit_every`-th of
/// them a `1` (a misfit) and the others a fitting tag.
fn tags_body(tags: usize, misfit_every: usize) -> Vec<u8> {
    let items: Vec<&str> = (0..tags)
        .map(|i| {
            if i % misfit_every == 0 {
                "1"
            } else {
                r#"{"name":"t","color":"red"}"#
            }
        })
        .collect();
    format!(
        r#"{{"data":{{"contact":{{"contact_id":"1","name":"Ada","tags":[{}]}}}}}}"#,
        items.join(",")
    )
    .into_bytes()
}

const MISFITS: [usize; 3] = [250, 500, 1_000];
const MIXED: [usize; 3] = [10_000, 20_000, 40_000];
const REFUSED: [usize; 2] = [5_000, 40_000];

fn decode_ok(body: &[u8], repairs: usize) {
    let (_, drift) = decode_body(body, false).expect("the contact");
    assert_eq!(drift.len(), repairs);
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let misfits: Vec<(usize, Vec<u8>)> = MISFITS.iter().map(|&n| (n, tags_body(n, 1))).collect();
    let mixed: Vec<(usize, Vec<u8>)> = MIXED.iter().map(|&n| (n, tags_body(n, 100))).collect();
    let refused: Vec<(usize, Vec<u8>)> = REFUSED.iter().map(|&n| (n, tags_body(n, 1))).collect();
    for (n, body) in &misfits {
        decode_ok(body, *n);
    }
    for (n, body) in &mixed {
        decode_ok(body, n / 100);
    }
    for (_, body) in &refused {
        assert!(
            decode_body(body, false)
                .unwrap_err()
                .contains("more than 1000")
        );
    }
    serde_json::from_slice::<OurEnvelope>(SEED_RESPONSE).expect("the seed decodes");
    decode_ok(SEED_RESPONSE, 0);

    for (name, bodies) in [
        ("misfits", &misfits),
        ("mixed", &mixed),
        ("refused", &refused),
    ] {
        let mut group = criterion.benchmark_group(name);
        for (n, body) in bodies {
            group.throughput(Throughput::Bytes(body.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), body, |b, body| {
                b.iter(|| black_box(decode_body(black_box(body), false)))
            });
        }
        group.finish();
    }
    let mut group = criterion.benchmark_group("fitting");
    group.bench_function("typed_only", |b| {
        b.iter(|| {
            black_box(serde_json::from_slice::<OurEnvelope>(black_box(
                SEED_RESPONSE,
            )))
        })
    });
    group.bench_function("tolerant_entry", |b| {
        b.iter(|| black_box(decode_body(black_box(SEED_RESPONSE), false)))
    });
    group.finish();
    criterion.final_summary();

    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--list" || a == "--test") {
        // `cargo test --benches`: each benchmark ran once, as a test.
        return;
    }
    let timed = |body: &[u8], times: u64| {
        let start = Instant::now();
        for _ in 0..times {
            black_box(decode_body(black_box(body), false)).ok();
        }
        start.elapsed()
    };
    for (title, bodies, times) in [
        ("1. misfits: n, 2n, 4n misfitting tags", &misfits, 16),
        ("2. mixed: 10k, 20k, 40k tags, 1% misfits", &mixed, 2),
    ] {
        if !paired::selected(&format!("interleaved/{title}")) {
            continue;
        }
        let mut variants: Vec<Variant<'_>> = bodies
            .iter()
            .map(|(_, body)| Variant::new("", move || timed(body, times)))
            .collect();
        for (variant, name) in variants.iter_mut().zip(["n", "2n", "4n"]) {
            variant.name = name;
        }
        paired::compare(
            title,
            20,
            times,
            &mut variants,
            &[(1, 0, "2n / n (linear: 2)"), (2, 0, "4n / n (linear: 4)")],
            false,
        );
    }
    if !paired::selected("interleaved/4. fitting") {
        return;
    }
    const FITTING: u64 = 2_000;
    let fitting = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..FITTING {
            f();
        }
        start.elapsed()
    };
    let mut variants = [
        Variant::new("typed only (before)", || {
            fitting(&|| {
                black_box(serde_json::from_slice::<OurEnvelope>(black_box(SEED_RESPONSE)).ok());
            })
        }),
        Variant::new("tolerant entry point (after)", || {
            fitting(&|| {
                black_box(decode_body(black_box(SEED_RESPONSE), false).ok());
            })
        }),
    ];
    paired::compare(
        "4. fitting: the seed's full contact",
        30,
        FITTING,
        &mut variants,
        &[(1, 0, "tolerant / typed only (target <= 1.05)")],
        false,
    );
}
