//! What the CLI says about itself: the library's spans with -v and
//! TALKTOHUMANS_LOG, warnings about answers that did not fit, and the manual
//! page.

mod common;

use common::{Mock, talktohumans};
use predicates::prelude::*;
use serde_json::json;
use talktohumans::mock::{Fault, seed};

fn update() -> assert_cmd::Command {
    let mut command = talktohumans();
    command.args([
        "--mock",
        "contact",
        "update",
        seed::TOMAS_HERRERA,
        "--add",
        "Q4",
    ]);
    command
}

#[test]
fn verbose_shows_each_call_without_bodies_or_the_key() {
    update()
        .arg("-v")
        .assert()
        .success()
        .stderr(predicate::str::contains("talktohumans.update_contact"))
        .stderr(predicate::str::contains("attempts=1"))
        .stderr(predicate::str::contains("request_id=\"mock-1\""))
        .stderr(predicate::str::contains("body=").not())
        .stderr(predicate::str::contains("Bearer").not());
}

#[test]
fn three_vs_show_the_bodies_and_none_shows_nothing() {
    update()
        .arg("-vvv")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            r#"request body={"tags":{"add":[{"name":"Q4"}]}}"#,
        ));
    update()
        .assert()
        .success()
        .stderr(predicate::str::contains("talktohumans.update_contact").not());
}

#[test]
fn the_log_variable_is_a_filter_and_a_bad_one_is_a_usage_error() {
    update()
        .env("TALKTOHUMANS_LOG", "talktohumans=debug")
        .assert()
        .success()
        .stderr(predicate::str::contains("attempt{attempt=1"));
    update()
        .env("TALKTOHUMANS_LOG", "talktohumans=loud")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "TALKTOHUMANS_LOG=\"talktohumans=loud\" is not a log filter",
        ));
}

#[test]
fn drift_is_told_once_per_field() {
    let mock = Mock::start();
    let body = json!({"data": {"contact": {
        "contact_id": seed::TOMAS_HERRERA,
        "tags": [null, {"name": "Q4"}, null],
    }}});
    mock.server
        .inject(1, Fault::status(http::StatusCode::OK).json_body(&body));
    let output = mock
        .command()
        .args(["contact", "update", seed::TOMAS_HERRERA, "--add", "Q4"])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(output).unwrap();
    let warnings: Vec<_> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("/data/contact/tags/0: expected struct ContactTag, found null"),
        "{stderr}"
    );
}

#[test]
fn the_manual_page_covers_every_command() {
    talktohumans()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(".ie"))
        .stdout(predicate::str::contains(".TH talktohumans 1"))
        .stdout(predicate::str::contains("auth"))
        .stdout(predicate::str::contains("contact"));
}

#[test]
fn drift_in_a_bulk_run_is_told_once_and_counted() {
    let mock = Mock::start();
    let body = json!({"data": {"contact": {"contact_id": "1", "tags": [null]}}});
    mock.server
        .inject(3, Fault::status(http::StatusCode::OK).json_body(&body));
    let dir = tempfile::tempdir().unwrap();
    let csv = common::write(
        dir.path(),
        "rows.csv",
        &format!(
            "contact_id,add\n{},A\n{},A\n{},A\n",
            seed::MAYA_CHEN,
            seed::JONAS_BERG,
            seed::PRIYA_RAMAN
        ),
    );
    let output = mock
        .command()
        .args(["contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let warnings = stderr.lines().filter(|l| l.starts_with("warning:")).count();
    assert_eq!(warnings, 1, "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(
            "drift: 3 values of the server's answers did not fit the API's types, \
             in 1 field (/data/contact/tags/*); the updates were applied"
        ),
        "{stdout}"
    );
}
