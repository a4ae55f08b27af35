//! `--format json` puts one JSON document on standard output, and nothing
//! else; `--quiet` leaves only errors.

mod common;

use common::{Mock, write};
use serde_json::Value;
use talktohumans::mock::seed;

/// Standard output, which must be exactly one JSON document a line.
fn documents(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

#[test]
fn update_prints_the_contact_whole_or_the_body_or_the_error() {
    let mock = Mock::start();
    let done = mock
        .command()
        .args(["--format", "json", "contact", "update", seed::TOMAS_HERRERA])
        .args(["--add", "Webinar:blue"])
        .assert()
        .success();
    let [doc] = &documents(&done.get_output().stdout)[..] else {
        panic!("one document");
    };
    assert_eq!(doc["dry_run"], false);
    assert_eq!(doc["contact_id"], seed::TOMAS_HERRERA);
    assert_eq!(doc["http_status"], 200);
    assert!(doc["request_id"].is_string());
    assert_eq!(doc["contact"]["contact_id"], seed::TOMAS_HERRERA);
    let names: Vec<&str> = doc["contact"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Webinar"), "{names:?}");

    let dry = mock
        .command()
        .args(["--format", "json", "contact", "update", seed::TOMAS_HERRERA])
        .args(["--remove", "Old tag", "--dry-run"])
        .assert()
        .success();
    assert_eq!(
        documents(&dry.get_output().stdout),
        [serde_json::json!({
            "dry_run": true,
            "contact_id": seed::TOMAS_HERRERA,
            "body": {"tags": {"remove": ["Old tag"]}}
        })]
    );

    let failed = mock
        .command()
        .args([
            "--format", "json", "contact", "update", "99999", "--add", "A",
        ])
        .assert()
        .code(4);
    let [doc] = &documents(&failed.get_output().stdout)[..] else {
        panic!("one document");
    };
    assert_eq!(doc["error"]["http_status"], 404);
    assert_eq!(doc["error"]["applied"], false);
    assert!(doc["error"]["message"].is_string());
}

#[test]
fn bulk_prints_one_summary_that_agrees_with_the_results() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "c.csv",
        &format!(
            "contact_id,add\n{},A\n99999,B\n{},\n",
            seed::MAYA_CHEN,
            seed::TOMAS_HERRERA
        ),
    );
    let run = mock
        .command()
        .args(["--format", "json", "contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .code(5);
    let [doc] = &documents(&run.get_output().stdout)[..] else {
        panic!("one document");
    };
    assert_eq!(
        doc["rows"],
        serde_json::json!({"ok": 1, "failed": 1, "applied_unreadable": 0, "skipped": 1, "invalid": 0, "not_sent": 0})
    );
    assert_eq!(doc["exit_code"], 5);
    assert_eq!(doc["stopped_by_signal"], Value::Null);
    assert_eq!(doc["contacts"], Value::Null);
    let results = dir.path().join("c.results.csv");
    assert_eq!(doc["results"], results.display().to_string());
    assert_eq!(
        doc["resume_command"],
        format!("talktohumans contact bulk --resume {}", results.display())
    );
    let stderr = String::from_utf8(run.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("rows: 1 ok, 1 failed"),
        "prose goes to stderr: {stderr}"
    );

    let dry = mock
        .command()
        .args(["--format", "json", "contact", "bulk", "--dry-run", "--csv"])
        .arg(&csv)
        .assert()
        .success();
    let lines = documents(&dry.get_output().stdout);
    assert_eq!(lines.len(), 2, "one object a valid row: {lines:?}");
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["contact_id"], "99999");
    assert_eq!(
        lines[1]["body"],
        serde_json::json!({"tags": {"add": [{"name": "B"}]}})
    );
}

#[test]
fn quiet_leaves_only_errors() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "c.csv",
        &format!("contact_id,add,email\n{},A,x\n", seed::MAYA_CHEN),
    );
    mock.command()
        .args(["--quiet", "contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert_eq!(mock.server.request_count(), 1);
    mock.command()
        .args(["-q", "contact", "update", seed::MAYA_CHEN, "--add", "B"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    mock.command()
        .args(["-q", "contact", "update", "99999", "--add", "B"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(predicates::str::starts_with("error: "));
    let quiet_json = mock
        .command()
        .args([
            "-q",
            "--format",
            "json",
            "contact",
            "update",
            seed::MAYA_CHEN,
        ])
        .args(["--add", "C"])
        .assert()
        .success()
        .stderr("");
    assert_eq!(documents(&quiet_json.get_output().stdout).len(), 1);
}
