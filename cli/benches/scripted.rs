//! `contact bulk` against what people would script instead: 3,000 rows over
//! 3,000 distinct contacts, each adding the tag Webinar (blue), against a
//! mock that answers 429 past 300 requests a second, so the ideal is 10 s.
//!
//! ```text
//! cargo bench -p talktohumans-cli --bench scripted        # 3 rounds
//! cargo bench -p talktohumans-cli --bench scripted -- 5   # 5 rounds
//! ```
//!
//! The contenders:
//! - the CLI with its defaults (8 in flight, adaptive rate);
//! - the CLI with `--max-rate 300`, the quota known;
//! - `benches/scripted/xargs.sh`: `xargs -P 8 curl --fail`, no retry;
//! - `benches/scripted/asyncio_bulk.py`: asyncio, a semaphore of 8, a sleep
//!   of `Retry-After` on 429 and a retry.
//!
//! All of them talk to the same in-process `MockServer` (capacity 300, its
//! default burst of one second's worth), a fresh one for each run, so a tag
//! applied by an earlier run does not count. What each run achieved is read
//! from the mock afterwards, not from the contender's own report: the
//! contacts that carry the tag with its color, the requests it got and how
//! many it answered 429. The rounds are interleaved (CLI, xargs, python,
//! CLI, ...) so that a change in the shared machine's load hits every
//! contender alike; the table gives medians and ratios, never a verdict on
//! time.
//!
//! A contender whose tools (curl, xargs, python3) are missing is skipped
//! with a message. Without `--bench` (as under `cargo test --benches`), one
//! round of 30 rows against a burst of 10 checks each contender: those that
//! retry apply every row, and xargs loses exactly the rows answered 429.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use talktohumans::mock::{MockServer, seed};

const ROWS: u64 = 3_000;
const CAPACITY: u32 = 300;
const ROUNDS: usize = 3;
const TAG: &str = "Webinar";
const COLOR: &str = "blue";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Contender {
    Cli,
    CliMaxRate,
    Xargs,
    Python,
}

impl Contender {
    const ALL: [Contender; 4] = [
        Contender::Cli,
        Contender::CliMaxRate,
        Contender::Xargs,
        Contender::Python,
    ];

    fn name(self) -> &'static str {
        match self {
            Contender::Cli => "talktohumans contact bulk",
            Contender::CliMaxRate => "talktohumans contact bulk --max-rate 300",
            Contender::Xargs => "xargs -P 8 curl --fail",
            Contender::Python => "python asyncio, semaphore 8, Retry-After",
        }
    }

    /// The tools it needs that are not on this machine.
    fn missing(self) -> Vec<&'static str> {
        let tools: &[&str] = match self {
            Contender::Cli | Contender::CliMaxRate => &[],
            Contender::Xargs => &["sh", "curl", "xargs", "tail", "cut"],
            Contender::Python => &["python3"],
        };
        tools
            .iter()
            .copied()
            .filter(|tool| !on_path(tool))
            .collect()
    }

    /// Runs it on `csv` against `mock`, to the end.
    fn run(self, mock: &MockServer, csv: &Path, scratch: &Path) -> Output {
        let output = match self {
            Contender::Cli | Contender::CliMaxRate => {
                let mut command = common::talktohumans();
                command
                    .env("TALKTOHUMANS_API_KEY", mock.api_key())
                    .args(["--base-url", mock.base_url(), "contact", "bulk", "--csv"])
                    .arg(csv)
                    .arg("--results")
                    .arg(scratch.join("rows.results.csv"))
                    .arg("--overwrite");
                if self == Contender::CliMaxRate {
                    command.args(["--max-rate", &CAPACITY.to_string()]);
                }
                command.output()
            }
            Contender::Xargs => script("sh", "xargs.sh", mock, csv).output(),
            Contender::Python => script("python3", "asyncio_bulk.py", mock, csv).output(),
        };
        output.unwrap_or_else(|e| panic!("{} could not run: {e}", self.name()))
    }
}

/// One of the scripts beside this file, run as its user would, with the
/// key and base URL in the environment.
fn script(interpreter: &str, name: &str, mock: &MockServer, csv: &Path) -> Command {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "benches", "scripted", name]
        .iter()
        .collect();
    let mut command = Command::new(interpreter);
    command
        .arg(path)
        .arg(csv)
        .env("TALKTOHUMANS_API_KEY", mock.api_key())
        .env("TALKTOHUMANS_BASE_URL", mock.base_url())
        .stdin(Stdio::null());
    command
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// What one run achieved, as the mock saw it.
struct Run {
    seconds: f64,
    requests: u64,
    rate_limited: u64,
    not_applied: u64,
    exit: Option<i32>,
    stderr: String,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filters: Vec<&String> = args
        .iter()
        .filter(|a| !a.starts_with('-') && a.parse::<usize>().is_err())
        .collect();
    if !filters.is_empty() && !filters.iter().any(|f| "scripted".contains(f.as_str())) {
        return;
    }
    let measuring = args.iter().any(|a| a == "--bench");
    let rounds = args
        .iter()
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(ROUNDS)
        .max(1);
    // `cargo test --benches`: one small round. A burst of 10 lets 429s
    // happen, so that the scripts' handling of them runs too.
    let (rows, rounds, burst) = if measuring {
        (ROWS, rounds, CAPACITY)
    } else {
        (30, 1, 10)
    };
    let ideal = rows as f64 / f64::from(CAPACITY);

    let contenders: Vec<Contender> = Contender::ALL
        .into_iter()
        .filter(|contender| {
            let missing = contender.missing();
            if !missing.is_empty() {
                println!(
                    "skipped: {} ({} not found on PATH)",
                    contender.name(),
                    missing.join(", ")
                );
            }
            missing.is_empty()
        })
        .collect();

    let scratch = tempfile::tempdir().expect("a scratch folder");
    let csv = write_rows(scratch.path(), rows);
    println!(
        "{rows} rows over {rows} contacts, mock capacity {CAPACITY} requests a second, burst {burst}: ideal {ideal:.1} s"
    );
    let mut runs: Vec<Vec<Run>> = contenders.iter().map(|_| Vec::new()).collect();
    for round in 1..=rounds {
        for (at, contender) in contenders.iter().enumerate() {
            let run = measure(*contender, &csv, scratch.path(), rows, burst);
            if !measuring {
                check(*contender, &run);
            }
            println!(
                "round {round}: {:<42} {:>6.2} s  {:>5.3}x  429s {:>6} / {:<6}  not applied {:>4}  exit {}",
                contender.name(),
                run.seconds,
                run.seconds / ideal,
                run.rate_limited,
                run.requests,
                run.not_applied,
                run.exit.map_or("signal".to_owned(), |c| c.to_string()),
            );
            runs[at].push(run);
        }
    }
    print_table(&contenders, &runs, ideal);
}

fn write_rows(dir: &Path, rows: u64) -> PathBuf {
    let mut text = String::from("contact_id,add\n");
    for i in 0..rows {
        text.push_str(&format!("{},{TAG}:{COLOR}\n", seed::generated_id(i)));
    }
    common::write(dir, "rows.csv", &text)
}

/// One run of `contender` against a fresh mock.
fn measure(contender: Contender, csv: &Path, scratch: &Path, rows: u64, burst: u32) -> Run {
    let mock = common::Mock::start_with(
        MockServer::builder()
            .capacity(CAPACITY)
            .burst(burst)
            .generated_contacts(rows),
    );
    let started = Instant::now();
    let output = contender.run(&mock.server, csv, scratch);
    let seconds = started.elapsed().as_secs_f64();
    let not_applied = (0..rows)
        .filter(|&i| {
            let tagged = mock
                .server
                .contact(&seed::generated_id(i))
                .is_some_and(|c| c.tag(TAG).is_some_and(|t| t.color() == Some(COLOR)));
            !tagged
        })
        .count() as u64;
    Run {
        seconds,
        requests: mock.server.request_count(),
        rate_limited: mock.server.rate_limited_count(),
        not_applied,
        exit: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// What the small run must show: the contenders that retry apply every
/// row; xargs, which does not, loses exactly the rows answered 429, and
/// says so by its exit code.
fn check(contender: Contender, run: &Run) {
    let context = format!("{}; its stderr:\n{}", contender.name(), run.stderr);
    match contender {
        Contender::Xargs => {
            assert_eq!(run.not_applied, run.rate_limited, "{context}");
            let expected = if run.rate_limited == 0 { 0 } else { 123 };
            assert_eq!(run.exit, Some(expected), "{context}");
        }
        Contender::Cli | Contender::CliMaxRate | Contender::Python => {
            assert_eq!(run.not_applied, 0, "{context}");
            assert_eq!(run.exit, Some(0), "{context}");
        }
    }
}

fn print_table(contenders: &[Contender], runs: &[Vec<Run>], ideal: f64) {
    println!();
    println!(
        "| contender | median wall time | median / ideal {ideal} s | 429s / requests, all runs | rows not applied, each run | exit codes |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | --- |");
    for (contender, runs) in contenders.iter().zip(runs) {
        let mut seconds: Vec<f64> = runs.iter().map(|r| r.seconds).collect();
        seconds.sort_by(f64::total_cmp);
        let median = seconds[seconds.len() / 2];
        let limited: u64 = runs.iter().map(|r| r.rate_limited).sum();
        let requests: u64 = runs.iter().map(|r| r.requests).sum();
        let share = 100.0 * limited as f64 / requests.max(1) as f64;
        let list = |f: &dyn Fn(&Run) -> String| runs.iter().map(f).collect::<Vec<_>>().join(", ");
        println!(
            "| {} | {median:.2} s | {:.3}x | {limited} / {requests} ({share:.1}%) | {} | {} |",
            contender.name(),
            median / ideal,
            list(&|r| r.not_applied.to_string()),
            list(&|r| r.exit.map_or("signal".to_owned(), |c| c.to_string())),
        );
    }
}
