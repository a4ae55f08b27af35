//! The bulk command's rate flags (`--max-rate`, `--no-adaptive`) and the
//! mock's capacity mode (`--mock-capacity`).

mod common;

use std::time::{Duration, Instant};

use common::{Mock, talktohumans, write};
use predicates::prelude::*;

/// A CSV of `n` rows, each adding its own tag to the same contact.
fn csv_of(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let mut text = String::from("contact_id,add\n");
    for i in 0..n {
        text.push_str(&format!("41236,Tag {i}\n"));
    }
    write(dir, "rows.csv", &text)
}

#[test]
fn max_rate_spaces_the_requests() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = csv_of(dir.path(), 11);
    let started = Instant::now();
    mock.command()
        .args(["contact", "bulk", "--max-rate", "10", "--csv"])
        .arg(&csv)
        .assert()
        .success();
    // 11 requests at 10 a second, evenly spaced but for a burst of 2 (the
    // slack for late timers): the last goes out 0.9 s after the first,
    // however fast the machine. (A lower bound only, which a slow machine
    // cannot break.)
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(mock.server.request_count(), 11);
}

#[test]
fn the_run_gets_through_a_rate_limited_mock() {
    let dir = tempfile::tempdir().unwrap();
    let csv = csv_of(dir.path(), 60);
    // 20 a second with a burst of 20: the first 429s come within the first
    // 60 rows, which the run retries until all are through.
    let output = talktohumans()
        .args(["--mock", "--mock-capacity", "20", "--max-retries", "20"])
        .args(["contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).unwrap();
    assert!(stdout.starts_with("60 succeeded, 0 failed, "), "{stdout}");
    assert!(
        !stdout.starts_with("60 succeeded, 0 failed, 0 retries"),
        "no 429 from a mock of 20 a second: {stdout}"
    );
}

#[test]
fn no_adaptive_is_accepted_and_bad_values_are_usage_errors() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = csv_of(dir.path(), 3);
    mock.command()
        .args(["contact", "bulk", "--no-adaptive", "--csv"])
        .arg(&csv)
        .assert()
        .success();
    assert_eq!(mock.server.request_count(), 3);
    talktohumans()
        .args(["--mock", "contact", "bulk", "--max-rate", "0", "--csv"])
        .arg(&csv)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--max-rate"));
    talktohumans()
        .args(["--mock-capacity", "5", "contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--mock"));
}
