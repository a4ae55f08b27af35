//! Stopping a bulk run: SIGTERM and SIGHUP as Ctrl-C, sent for real to the
//! binary mid-run, and a results file that cannot be written.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{continue_command, results, talktohumans, write};
use talktohumans::mock::seed;

/// A file of `n` rows, each for its own generated contact.
fn rows(dir: &Path, n: u64) -> PathBuf {
    let mut text = String::from("contact_id,add\n");
    for i in 0..n {
        text.push_str(&format!("{},Tag {i}\n", seed::generated_id(i)));
    }
    write(dir, "big.csv", &text)
}

/// Starts a 200-row run against a slow mock, waits until some rows are
/// recorded, and sends it `signal`.
fn stopped_by(signal: &str) -> (tempfile::TempDir, PathBuf, Output) {
    let dir = tempfile::tempdir().unwrap();
    let csv = rows(dir.path(), 200);
    let results_path = dir.path().join("big.results.csv");
    let child = Command::new(assert_cmd::cargo::cargo_bin("talktohumans"))
        .args(["--mock", "--mock-contacts", "200", "--mock-latency", "40"])
        .args(["--concurrency", "4", "contact", "bulk", "--csv"])
        .arg(&csv)
        .env_remove("TALKTOHUMANS_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(&results_path).map_or(0, |t| t.lines().count()) < 6 {
        assert!(Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    (dir, results_path, child.wait_with_output().unwrap())
}

fn assert_stopped_cleanly(signal: &str, code: i32) {
    let (_dir, results_path, output) = stopped_by(signal);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(code), "{stderr}\n{stdout}");
    assert!(
        stderr.contains("stopping: no new updates; waiting for those in flight"),
        "{stderr}"
    );
    let rows = results(&results_path);
    assert_eq!(rows.len(), 200, "every row is recorded");
    let ok = rows.iter().filter(|r| r.contains("|ok|200|")).count();
    let not_sent = rows.iter().filter(|r| r.contains("|not_sent|||")).count();
    assert_eq!(ok + not_sent, 200, "no row failed or was lost: {rows:?}");
    assert!(ok >= 5 && not_sent > 0, "{ok} ok, {not_sent} not sent");

    let command = continue_command(&stdout);
    let output = talktohumans()
        .args(&command)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).unwrap();
    assert!(
        stdout.starts_with(&format!("{not_sent} succeeded, 0 failed")),
        "{stdout}"
    );
    let rows = results(&results_path);
    assert_eq!(rows.iter().filter(|r| r.contains("|ok|200|")).count(), 200);
}

#[test]
fn sigterm_stops_as_ctrl_c_does() {
    assert_stopped_cleanly("TERM", 143);
}

#[test]
fn sighup_stops_as_ctrl_c_does() {
    assert_stopped_cleanly("HUP", 129);
}

#[test]
fn a_results_file_that_cannot_be_written_stops_the_run_and_says_what_may_be_applied() {
    let dir = tempfile::tempdir().unwrap();
    let csv = rows(dir.path(), 300);
    let results_path = dir.path().join("big.results.csv");
    // Files this process writes stop growing at 2 KiB (with SIGXFSZ
    // ignored, a write past it fails with EFBIG), some 40 rows in.
    let output = Command::new("bash")
        .arg("-c")
        .arg(
            "trap '' XFSZ; ulimit -f 2; exec \"$0\" --mock --mock-contacts 300 \
             --mock-latency 5 --concurrency 4 contact bulk --csv \"$1\"",
        )
        .arg(assert_cmd::cargo::cargo_bin("talktohumans"))
        .arg(&csv)
        .env_remove("TALKTOHUMANS_API_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(7), "{stderr}\n{stdout}");
    assert!(
        stderr.contains("error: cannot write the results: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("No update was sent after that; "),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "these rows were sent but are not in the results, and may have been applied: line(s) "
        ),
        "{stderr}"
    );
    // The last row may be cut short; a resume takes it as not recorded.
    let recorded = std::fs::read_to_string(&results_path)
        .unwrap()
        .lines()
        .count();
    assert!(recorded > 10 && recorded < 300, "{recorded} rows recorded");

    // What was recorded stands; a resume sends the rest.
    let command = continue_command(&stdout);
    talktohumans().args(&command).assert().success();
    let rows = results(&results_path);
    assert_eq!(rows.len(), 300);
    assert!(rows.iter().all(|r| r.contains("|ok|200|")), "{rows:?}");
}

#[test]
fn a_resume_leaves_the_previous_results_whole_until_its_own_are_complete() {
    let (dir, results_path, output) = stopped_by("TERM");
    assert_eq!(output.status.code(), Some(143));
    let before = std::fs::read(&results_path).unwrap();
    let command = continue_command(&String::from_utf8_lossy(&output.stdout));
    // The resume runs at the run's own 40 ms a row; killed outright once
    // its new file has rows, it must not have touched the old one.
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("talktohumans"))
        .args(&command)
        .env_remove("TALKTOHUMANS_API_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let partial = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(".partial"))
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "no progress");
        if let Some(path) = partial()
            && std::fs::read_to_string(&path).map_or(0, |t| t.lines().count()) > 20
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(std::fs::read(&results_path).unwrap(), before);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read(&results_path).unwrap(),
        before,
        "the previous results were changed"
    );
    // The record still continues the run from them.
    talktohumans().args(&command).assert().success();
    let rows = results(&results_path);
    assert_eq!(rows.iter().filter(|r| r.contains("|ok|200|")).count(), 200);
}
