//! The real binary against the mock API: single updates, usage errors, dry
//! runs, bulk runs with every kind of row, resume, and output without a
//! terminal.

mod common;

use common::{Mock, results, talktohumans, write};
use predicates::prelude::*;
use talktohumans::mock::seed;

#[test]
fn one_update_prints_a_readable_summary() {
    let output = talktohumans()
        .args([
            "--mock",
            "contact",
            "update",
            "41236",
            "--add",
            "Hot lead:red",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "using the embedded mock API at http://127.0.0.1:",
        ))
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(output).unwrap(),
        "Updated contact 41236: Tomás Herrera\n\
         \x20 headline:   Founder at Brasa Foods\n\
         \x20 account:    42 (Sam Rivera)\n\
         \x20 tags:       Old tag, Newsletter, Hot lead\n\
         \x20 notes:      (none)\n\
         \x20 request id: mock-1\n"
    );
}

#[test]
fn json_prints_the_full_contact() {
    let output = talktohumans()
        .args([
            "contact",
            "update",
            "27051",
            "--account",
            "77",
            "--remove",
            "Partner",
        ])
        .args(["--notes", r#"{"stage": "demo"}"#, "--json", "--mock"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let contact: serde_json::Value = serde_json::from_slice(&output).expect("stdout is JSON");
    assert_eq!(contact["contact_id"], "27051");
    assert_eq!(contact["name"], "Jonas Berg");
    assert_eq!(contact["account"]["account_id"], "77");
    assert_eq!(contact["notes_json"], r#"{"stage": "demo"}"#);
    assert_eq!(contact["tags"], serde_json::json!([]));
    assert_eq!(contact["company"]["name"], "Fjordline Logistics");
}

#[test]
fn set_with_add_is_a_usage_error_that_says_why() {
    let mock = Mock::start();
    mock.command()
        .args([
            "contact", "update", "41236", "--set", "Customer", "--add", "Hot lead",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: --set replaces all the contact's tags, so it cannot be combined with \
             --add or --remove",
        ))
        .stderr(predicate::str::contains(
            "Usage: talktohumans contact update",
        ));
    mock.command()
        .args([
            "contact",
            "update",
            "41236",
            "--clear-tags",
            "--remove",
            "Old tag",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: --clear-tags replaces all the contact's tags",
        ));
    assert_eq!(mock.server.request_count(), 0);
}

#[test]
fn invalid_input_exits_3_and_an_api_failure_4() {
    let mock = Mock::start();
    mock.command()
        .args(["contact", "update", "41236", "--add", "Stage: won"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            r#"tag "Stage: won": the color " won" has white space"#,
        ));
    mock.command()
        .args(["contact", "update", "41236", "--notes", "{not json"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("nothing was sent"));
    assert_eq!(mock.server.request_count(), 0);
    mock.command()
        .args(["contact", "update", "999999", "--add", "x"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("HTTP 404"));
    assert_eq!(mock.server.request_count(), 1);
}

#[test]
fn a_name_with_a_colon_ends_with_a_colon() {
    let mock = Mock::start();
    mock.command()
        .args([
            "contact",
            "update",
            "30917",
            "--add",
            "Stage: won:",
            "--add",
            "Q3: ok:blue",
        ])
        .assert()
        .success();
    let state = mock.server.contact(seed::PRIYA_RAMAN).unwrap();
    assert_eq!(state.tag_names(), ["Stage: won", "Q3: ok"]);
    assert_eq!(state.tag("Stage: won").unwrap().color(), None);
    assert_eq!(state.tag("Q3: ok").unwrap().color(), Some("blue"));
}

#[test]
fn a_dry_run_prints_the_body_and_sends_nothing() {
    let mock = Mock::start();
    mock.command()
        .args(["contact", "update", "41236", "--add", "Hot lead:red", "--remove", "Old tag"])
        .args(["--notes", r#"{"stage":"demo"}"#, "--dry-run"])
        .assert()
        .success()
        .stdout(
            r#"{"notes_json":"{\"stage\":\"demo\"}","tags":{"add":[{"color":"red","name":"Hot lead"}],"remove":["Old tag"]}}
"#,
        )
        .stderr("dry run: would send PATCH /v1/contacts/41236; nothing was sent\n");
    assert_eq!(mock.server.request_count(), 0);

    // The same command without --dry-run does reach this mock.
    mock.command()
        .args([
            "contact",
            "update",
            "41236",
            "--add",
            "Hot lead:red",
            "--remove",
            "Old tag",
        ])
        .assert()
        .success();
    assert_eq!(mock.server.request_count(), 1);
}

/// Good rows, a row that changes nothing, invalid rows, and rows the API
/// refuses.
const MIXED: &str = "\
contact_id,account_id,add,remove,set,notes
41236,,Hot lead:red,Old tag,,
18442,,,,,
12a,,Hot lead,,,
30917,77,Stage: won,,,
999999,,Hot lead,,,
27051,,Renewal,,,
27051,77,,,Partner:green;Renewal,\"{\"\"stage\"\": \"\"negotiation\"\"}\"
30917,77,Design,,Customer,
";

#[test]
fn invalid_rows_are_listed_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "contacts.csv", MIXED);
    let mock = Mock::start();
    mock.command()
        .args(["contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains(
            "line 4: invalid: contact id \"12a\" has 'a' at byte 2",
        ))
        .stderr(predicate::str::contains(
            "line 5: invalid: add: tag \"Stage: won\": the color \" won\" has white space",
        ))
        .stderr(predicate::str::contains("line 9: invalid: "))
        .stderr(predicate::str::contains("3 invalid row(s) in "))
        .stderr(predicate::str::contains("nothing was sent"));
    assert_eq!(mock.server.request_count(), 0);
    assert!(!dir.path().join("contacts.results.csv").exists());
}

#[test]
fn a_bulk_run_records_every_row_and_a_resume_sends_only_what_is_not_done() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "contacts.csv", MIXED);
    let mock = Mock::start();
    let output = mock
        .command()
        .args(["contact", "bulk", "--skip-invalid", "--csv"])
        .arg(&csv)
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "line 3: contact 18442: changes nothing, skipped",
        ))
        .stderr(predicate::str::contains(
            "line 6: contact 999999: failed: the API answered HTTP 404",
        ))
        .stderr(predicate::str::contains(
            "line 7: contact 27051: failed: the API answered HTTP 422",
        ))
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).unwrap();
    assert!(
        stdout.starts_with("1 succeeded, 2 failed, 0 retries"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "rows: 1 ok, 2 failed, 0 applied but unreadable, 1 skipped, 3 invalid, 1 not sent\n"
        ),
        "{stdout}"
    );
    let results_path = dir.path().join("contacts.results.csv");
    let expected_continue = format!(
        "to continue: talktohumans contact bulk --resume {}\n",
        results_path.display()
    );
    assert!(stdout.ends_with(&expected_continue), "{stdout}");
    // Row 8 is contact 27051's second row: it is held back after row 7
    // failed, so that it never lands before it.
    assert_eq!(mock.server.request_count(), 3);

    let rows = results(&results_path);
    let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.split('|').collect()).collect();
    let expected = [
        ("2", "41236", "ok", "200"),
        ("3", "18442", "skipped", ""),
        ("4", "12a", "invalid", ""),
        ("5", "30917", "invalid", ""),
        ("6", "999999", "failed", "404"),
        ("7", "27051", "failed", "422"),
        ("8", "27051", "not_sent", ""),
        ("9", "30917", "invalid", ""),
    ];
    assert_eq!(rows.len(), expected.len());
    for (row, (line, id, outcome, status)) in rows.iter().zip(expected) {
        assert_eq!(&row[..4], [line, id, outcome, status], "{row:?}");
        let sent = !status.is_empty();
        assert_eq!(row[4].starts_with("mock-"), sent, "request id of {row:?}");
        assert_eq!(
            row[5].is_empty(),
            outcome == "ok" || outcome == "skipped",
            "{row:?}"
        );
    }
    assert!(rows[2][5].starts_with("contact id \"12a\""));
    assert!(
        rows[4][5].contains("no contact with id 999999"),
        "{:?}",
        rows[4]
    );
    assert!(rows[5][5].contains("account"), "{:?}", rows[5]);
    assert!(
        rows[6][5].contains("an earlier row of this contact (line 7) failed"),
        "{:?}",
        rows[6]
    );
    assert!(rows[7][5].contains("replace"), "{:?}", rows[7]);
    let first_request_id = rows[0][4].to_owned();

    let tomas = mock.server.contact(seed::TOMAS_HERRERA).unwrap();
    assert_eq!(tomas.tag_names(), ["Newsletter", "Hot lead"]);

    // The printed command continues the run: only rows 6 and 7 go out
    // again (and fail again), and row 8 stays behind row 7.
    let before = mock.server.request_count();
    let output = mock
        .command()
        .args(["contact", "bulk", "--resume"])
        .arg(&results_path)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("2 row(s) already done, 6 to go"))
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).unwrap();
    assert!(
        stdout.contains(
            "rows: 1 ok, 2 failed, 0 applied but unreadable, 1 skipped, 3 invalid, 1 not sent\n"
        ),
        "{stdout}"
    );
    assert_eq!(mock.server.request_count() - before, 2);
    let rows = results(&results_path);
    // The carried row keeps its first request id.
    assert_eq!(rows[0], format!("2|41236|ok|200|{first_request_id}|"));
    assert_eq!(rows.len(), 8);
}

#[test]
fn a_bulk_dry_run_prints_each_body_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/contacts.csv");
    let mock = Mock::start();
    mock.command()
        .args(["contact", "bulk", "--dry-run", "--csv", example])
        .current_dir(dir.path())
        .assert()
        .success()
        .stdout(concat!(
            r#"line 2: PATCH /v1/contacts/41236 {"tags":{"add":[{"color":"red","name":"Hot lead"},{"name":"Q4 pipeline"}],"remove":["Old tag"]}}"#,
            "\n",
            r#"line 3: PATCH /v1/contacts/27051 {"account_id":"77","notes_json":"{\"stage\": \"negotiation\", \"next_step\": \"send contract\"}","tags":{"set":[{"color":"green","name":"Partner"},{"color":"orange","name":"Renewal"}]}}"#,
            "\n",
            r#"line 4: PATCH /v1/contacts/30917 {"account_id":"77","notes_json":"{\"met_at\": \"Config 2025\"}","tags":{"add":[{"color":"purple","name":"Design;UX"},{"name":"Stage: won"}]}}"#,
            "\n",
            r#"line 5: PATCH /v1/contacts/18442 {"notes_json":"","tags":{"set":[]}}"#,
            "\n",
        ))
        .stderr(predicate::str::ends_with(
            "dry run: 4 update(s) would be sent; nothing was sent\n",
        ));
    assert_eq!(mock.server.request_count(), 0);
}

#[test]
fn the_example_file_works_with_the_mock_and_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/contacts.csv"
    ))
    .unwrap();
    let csv = write(dir.path(), "contacts.csv", &example);
    let output = talktohumans()
        .args(["--mock", "contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .success()
        .stderr(predicate::str::contains("progress: 4/4 done, 0 failed,"))
        .get_output()
        .clone();
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains('\x1b'),
            "escape codes without a terminal: {text:?}"
        );
    }
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains(
        "rows: 4 ok, 0 failed, 0 applied but unreadable, 0 skipped, 0 invalid, 0 not sent\n"
    ));
    let outcomes: Vec<String> = results(&dir.path().join("contacts.results.csv"))
        .iter()
        .map(|r| r.split('|').take(4).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        outcomes,
        [
            "2,41236,ok,200",
            "3,27051,ok,200",
            "4,30917,ok,200",
            "5,18442,ok,200"
        ]
    );
}

#[test]
fn ctrl_c_stops_cleanly_and_the_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("contact_id,add\n");
    for i in 0..200 {
        text.push_str(&format!("{},Tag {i}\n", seed::generated_id(i)));
    }
    let csv = write(dir.path(), "big.csv", &text);
    let results_path = dir.path().join("big.results.csv");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("talktohumans"))
        .args(["--mock", "--mock-contacts", "200", "--mock-latency", "40"])
        .args(["--concurrency", "4"])
        .args(["contact", "bulk", "--csv"])
        .arg(&csv)
        .env_remove("TALKTOHUMANS_API_KEY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until some rows are recorded, then press Ctrl-C.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::fs::read_to_string(&results_path).map_or(0, |t| t.lines().count()) < 6 {
        assert!(std::time::Instant::now() < deadline, "no progress");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(130), "{stderr}\n{stdout}");
    assert!(stderr.contains("stopping: no new updates; waiting for those in flight"));
    assert!(
        stdout.contains(&format!(
            "to continue: talktohumans contact bulk --resume {}",
            results_path.display()
        )),
        "{stdout}"
    );

    let rows = results(&results_path);
    assert_eq!(rows.len(), 200, "every row is recorded");
    let ok = rows.iter().filter(|r| r.contains("|ok|200|")).count();
    let not_sent = rows.iter().filter(|r| r.contains("|not_sent|||")).count();
    assert_eq!(ok + not_sent, 200, "no row failed or was lost: {rows:?}");
    assert!(ok >= 5 && not_sent > 0, "{ok} ok, {not_sent} not sent");

    // The record says it was a mock run, at what latency and concurrency.
    let output = talktohumans()
        .args(["contact", "bulk", "--resume"])
        .arg(&results_path)
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
fn completions_are_generated() {
    talktohumans()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_talktohumans()"))
        .stdout(predicate::str::contains("--resume"));
}

#[test]
fn no_api_key_is_a_usage_error_that_points_to_mock() {
    talktohumans()
        .args(["contact", "update", "41236", "--add", "x"])
        .assert()
        .code(2)
        .stderr(
            "error: no API key: run `talktohumans auth login`, set TALKTOHUMANS_API_KEY, \
             or pass --api-key-file; or try the tool with --mock\n",
        );
}

/// The codes a block of text lists, one a line, as its first word.
fn codes(text: &str) -> Vec<u16> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_start_matches('|').trim();
            line.split([' ', '|', ','])
                .next()
                .and_then(|word| word.parse().ok())
        })
        .collect()
}

#[test]
fn the_exit_codes_in_the_help_are_those_of_the_readme() {
    let help = talktohumans()
        .args(["contact", "bulk", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(help).unwrap();
    let listed = help
        .split("Exit codes:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let table = readme
        .split("### Exit codes\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap();
    let mut in_readme = codes(table);
    // The README lists the signal codes in one row.
    in_readme.extend([130, 143]);
    in_readme.sort_unstable();
    assert_eq!(codes(listed), in_readme, "{listed}\n{table}");
    assert_eq!(in_readme, [0, 1, 2, 3, 4, 5, 6, 7, 129, 130, 143]);
}
