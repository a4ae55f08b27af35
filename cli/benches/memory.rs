//! Peak memory of `contact bulk` as the file grows: the binary runs against
//! its embedded mock (`--mock --mock-latency 0`) on files of 100,000 and
//! 1,000,000 rows, one process each, and its peak resident set size is read
//! from the kernel (`wait4`'s `ru_maxrss`) when it exits. Linux and other
//! Unix systems only.
//!
//! ```text
//! cargo bench -p talktohumans-cli --bench memory            # 100k and 1M rows
//! cargo bench -p talktohumans-cli --bench memory -- 250000  # one size
//! ```
//!
//! Both sizes cycle over the same 10,000 generated contacts
//! (`--mock-contacts 10000`), so that the mock, which lives in the same
//! process and holds every contact it knows, weighs the same in both; rows
//! next to each other are for different contacts, so that the batch stays
//! full. What grows with the file, if anything, is the tool's own.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const SIZES: [u64; 2] = [100_000, 1_000_000];
const CONTACTS: u64 = 10_000;
const FIRST_ID: u64 = 1_000_001;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let filters: Vec<&String> = args
        .iter()
        .filter(|a| !a.starts_with('-') && a.parse::<u64>().is_err())
        .collect();
    if !filters.is_empty() && !filters.iter().any(|f| "memory".contains(f.as_str())) {
        return;
    }
    let measuring = args.iter().any(|a| a == "--bench");
    let sizes: Vec<u64> = match numbers.as_slice() {
        [] if measuring => SIZES.to_vec(),
        // `cargo test --benches`: a quick check that it works.
        [] => vec![1_000],
        sizes => sizes.to_vec(),
    };
    let dir = tempfile::tempdir().expect("a scratch folder");
    let mut peaks = Vec::new();
    for rows in sizes {
        let (peak_kib, seconds) = measure(dir.path(), rows);
        println!(
            "{rows} rows: peak RSS {peak_kib} KiB ({:.1} MiB), {seconds:.1} s, {:.0} rows/s",
            peak_kib as f64 / 1024.0,
            rows as f64 / seconds
        );
        peaks.push((rows, peak_kib));
    }
    if let [(small, first), .., (large, last)] = peaks.as_slice() {
        println!(
            "peak at {large} rows / peak at {small} rows: {:.2}",
            *last as f64 / *first as f64
        );
    }
}

/// Runs the binary on a file of `rows` rows; its peak RSS and wall time.
fn measure(dir: &Path, rows: u64) -> (i64, f64) {
    let csv = dir.join(format!("rows-{rows}.csv"));
    let mut file = BufWriter::new(std::fs::File::create(&csv).expect("the input is created"));
    writeln!(file, "contact_id,add").unwrap();
    for i in 0..rows {
        writeln!(file, "{},Q4", FIRST_ID + i % CONTACTS).unwrap();
    }
    file.flush().unwrap();
    drop(file);
    let results = dir.join(format!("rows-{rows}.results.csv"));

    let started = Instant::now();
    // Reaped by `wait_with_peak`, which needs `wait4` for the usage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_talktohumans"))
        .args(["--mock", "--mock-latency", "0", "--mock-contacts"])
        .arg(CONTACTS.to_string())
        .args([
            "--concurrency",
            "64",
            "contact",
            "bulk",
            "--overwrite",
            "--csv",
        ])
        .arg(&csv)
        .arg("--results")
        .arg(&results)
        .env_remove("TALKTOHUMANS_API_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let (status, peak_kib) = wait_with_peak(child.id());
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(status, 0, "the run of {rows} rows failed");
    let recorded = std::fs::read_to_string(&results)
        .expect("the results")
        .lines()
        .count() as u64;
    assert_eq!(recorded, rows + 1, "every row is recorded");
    let _ = std::fs::remove_file(&csv);
    let _ = std::fs::remove_file(&results);
    (peak_kib, seconds)
}

/// Waits for the child and returns its exit code and peak RSS in KiB.
fn wait_with_peak(pid: u32) -> (i32, i64) {
    let mut status = 0;
    // SAFETY: `rusage` is plain data that the kernel fills in; `pid` is our
    // own child, not yet waited for (the `Child` handle never waits).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid as libc::pid_t, "wait4 failed");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, usage.ru_maxrss)
}
