//! Input as it comes: a CSV on standard input, JSON Lines, and a list of ids
//! given one change. Each goes through the same checks, dry run, ordering,
//! results and resume as a CSV file.

mod common;

use common::{Mock, continue_command, results, write};
use predicates::prelude::*;
use talktohumans::mock::seed;

#[test]
fn a_csv_on_standard_input_is_checked_sent_and_recorded() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("piped.results.csv");
    mock.command()
        .args(["contact", "bulk", "--csv", "-", "--results"])
        .arg(&out)
        .write_stdin(format!(
            "contact_id,add\n{},Webinar:blue\n{},Webinar:blue\n",
            seed::MAYA_CHEN,
            seed::TOMAS_HERRERA
        ))
        .assert()
        .success();
    assert_eq!(
        results(&out),
        [
            format!("2|{}|ok|200||", seed::MAYA_CHEN),
            format!("3|{}|ok|200||", seed::TOMAS_HERRERA),
        ]
        .map(|row| with_request_id(&out, row))
    );
    let record = std::fs::read_to_string(dir.path().join("piped.results.csv.run.json")).unwrap();
    assert!(record.contains(r#""path": "-""#), "{record}");
    assert!(record.contains(r#""format": "csv""#), "{record}");
    let tomas = mock.server.contact(seed::TOMAS_HERRERA).unwrap();
    assert_eq!(tomas.tag("Webinar").unwrap().color(), Some("blue"));
}

/// The results rows hold the mock's request ids, which differ each run:
/// `row` with the request id of its line filled in from `out`.
fn with_request_id(out: &std::path::Path, row: String) -> String {
    let line = row.split('|').next().unwrap().to_owned();
    let found = results(out)
        .into_iter()
        .find(|r| r.split('|').next() == Some(line.as_str()))
        .unwrap();
    let request_id = found.split('|').nth(4).unwrap().to_owned();
    assert!(!request_id.is_empty(), "{found}");
    row.replacen("200||", &format!("200|{request_id}|"), 1)
}

#[test]
fn standard_input_needs_a_named_results_file() {
    let mock = Mock::start();
    mock.command()
        .args(["contact", "bulk", "--jsonl", "-"])
        .write_stdin(format!(
            "{{\"contact_id\": {}, \"add\": \"A\"}}\n",
            seed::MAYA_CHEN
        ))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--jsonl - reads standard input, which has no place for the results beside it",
        ));
    assert_eq!(mock.server.request_count(), 0);
}

#[test]
fn json_lines_apply_in_order_with_notes_sent_as_written() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let notes = r#"{"stage": "won", "amount": 24000.50, "by": ["alex"]}"#;
    let input = write(
        dir.path(),
        "changes.jsonl",
        &format!(
            "{{\"contact_id\": {maya}, \"add\": [\"Webinar:blue\", \"Q4\"], \"email\": \"m@x.io\"}}\n\
             \n\
             {{\"Contact_ID\": \"{tomas}\", \"remove\": \"Old tag\", \"notes\": {notes}}}\n\
             {{\"contact_id\": \"{maya}\", \"remove\": [\"Q4\"], \"notes\": null, \"name\": \"Maya\"}}\n\
             {{\"contact_id\": \"{tomas}\", \"notes\": null}}\n",
            maya = seed::MAYA_CHEN,
            tomas = seed::TOMAS_HERRERA,
        ),
    );
    let out = dir.path().join("changes.results.csv");
    mock.command()
        .args(["contact", "bulk", "--jsonl"])
        .arg(&input)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("ignoring the key(s) this tool does not use: email, name")
                .count(1)
                .and(predicate::str::contains(format!(
                    "line 5: contact {}: changes nothing, skipped",
                    seed::TOMAS_HERRERA
                ))),
        );
    let rows: Vec<String> = results(&out)
        .iter()
        .map(|r| {
            let cells: Vec<&str> = r.split('|').collect();
            format!("{} {} {}", cells[0], cells[1], cells[2])
        })
        .collect();
    assert_eq!(
        rows,
        [
            format!("1 {} ok", seed::MAYA_CHEN),
            format!("3 {} ok", seed::TOMAS_HERRERA),
            format!("4 {} ok", seed::MAYA_CHEN),
            format!("5 {} skipped", seed::TOMAS_HERRERA),
        ],
        "line numbers are the file's, blank lines counted"
    );
    let maya = mock.server.contact(seed::MAYA_CHEN).unwrap();
    assert!(maya.tag("Webinar").is_some());
    assert!(
        maya.tag("Q4").is_none(),
        "the contact's later line (remove Q4) applied after its earlier one (add Q4)"
    );
    assert!(
        maya.notes(seed::SAM_ACCOUNT)
            .unwrap()
            .contains("demo booked"),
        "\"notes\": null changes nothing"
    );
    let tomas = mock.server.contact(seed::TOMAS_HERRERA).unwrap();
    assert_eq!(
        tomas.notes(seed::SAM_ACCOUNT),
        Some(notes),
        "sent as written"
    );
    assert!(tomas.tag("Old tag").is_none());
}

#[test]
fn a_json_lines_row_that_cannot_be_read_as_meant_stops_the_run() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "slips.jsonl",
        &format!(
            "{{\"contact_id\": {maya}, \"add\": \"A\"}}\n\
             {{\"contact_id\": {maya}, \"tags\": \"B\"}}\n\
             {{\"contact_id\": 1.5, \"add\": \"C\"}}\n\
             [\"not\", \"an object\"]\n",
            maya = seed::MAYA_CHEN
        ),
    );
    mock.command()
        .args(["contact", "bulk", "--jsonl"])
        .arg(&input)
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains(
                "line 2: invalid: key \"tags\" is not one of this tool's; did you mean add, \
                 remove or set?",
            )
            .and(predicate::str::contains(
                "line 3: invalid: contact_id is a number; write an id as a string or a whole \
                 number",
            ))
            .and(predicate::str::contains(
                "line 4: invalid: is not a JSON object (one object a line)",
            ))
            .and(predicate::str::contains("3 invalid row(s)")),
        );
    assert_eq!(mock.server.request_count(), 0, "nothing is sent");
}

#[test]
fn ids_are_each_given_the_one_change() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let ids = write(
        dir.path(),
        "webinar.txt",
        &format!("{}\n\n  {}  \n", seed::MAYA_CHEN, seed::TOMAS_HERRERA),
    );
    mock.command()
        .args(["contact", "bulk", "--ids"])
        .arg(&ids)
        .args([
            "--add",
            "Webinar:blue",
            "--notes",
            r#"{"webinar": "2026-12"}"#,
        ])
        .assert()
        .success();
    let out = dir.path().join("webinar.results.csv");
    let rows: Vec<String> = results(&out)
        .iter()
        .map(|r| r.split('|').take(3).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        rows,
        [
            format!("1 {} ok", seed::MAYA_CHEN),
            format!("3 {} ok", seed::TOMAS_HERRERA),
        ]
    );
    for id in [seed::MAYA_CHEN, seed::TOMAS_HERRERA] {
        let contact = mock.server.contact(id).unwrap();
        assert_eq!(contact.tag("Webinar").unwrap().color(), Some("blue"));
        assert_eq!(
            contact.notes(seed::SAM_ACCOUNT),
            Some(r#"{"webinar": "2026-12"}"#)
        );
    }
    let record = std::fs::read_to_string(dir.path().join("webinar.results.csv.run.json")).unwrap();
    assert!(record.contains(r#""format": "ids""#), "{record}");
    assert!(
        record.contains(r#""add": ["#),
        "the change is recorded: {record}"
    );
}

#[test]
fn a_dry_run_of_ids_on_standard_input_prints_each_body() {
    let mock = Mock::start();
    mock.command()
        .args([
            "contact",
            "bulk",
            "--ids",
            "-",
            "--dry-run",
            "--set",
            "Customer:green",
        ])
        .write_stdin(format!(
            "{}\nnot-an-id\n{}\n",
            seed::MAYA_CHEN,
            seed::PRIYA_RAMAN
        ))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("line 2: invalid: "));
    mock.command()
        .args(["contact", "bulk", "--ids", "-", "--dry-run", "--set", "Customer:green"])
        .write_stdin(format!("{}\n{}\n", seed::MAYA_CHEN, seed::PRIYA_RAMAN))
        .assert()
        .success()
        .stdout(format!(
            "line 1: PATCH /v1/contacts/{} {{\"tags\":{{\"set\":[{{\"color\":\"green\",\"name\":\"Customer\"}}]}}}}\n\
             line 2: PATCH /v1/contacts/{} {{\"tags\":{{\"set\":[{{\"color\":\"green\",\"name\":\"Customer\"}}]}}}}\n",
            seed::MAYA_CHEN,
            seed::PRIYA_RAMAN
        ));
    assert_eq!(mock.server.request_count(), 0);
}

#[test]
fn the_change_flags_belong_to_ids_and_must_make_sense_before_anything_is_sent() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "a.csv",
        &format!("contact_id,add\n{},A\n", seed::MAYA_CHEN),
    );
    let ids = write(dir.path(), "ids.txt", &format!("{}\n", seed::MAYA_CHEN));
    let refused = |args: &[&str], code: i32, message: &str| {
        mock.command()
            .args(["contact", "bulk"])
            .args(args)
            .assert()
            .code(code)
            .stderr(predicate::str::contains(message));
    };
    let (csv, ids) = (csv.to_str().unwrap(), ids.to_str().unwrap());
    refused(
        &["--csv", csv, "--add", "B"],
        2,
        "give one change for every id of --ids; a CSV or JSON Lines input says the change of \
         each contact in its rows",
    );
    refused(
        &["--ids", ids],
        2,
        "--ids needs the change to make to every id",
    );
    refused(
        &["--ids", ids, "--set", "A", "--remove", "B"],
        2,
        "--set replaces all the contact's tags, so it cannot be combined with --add or --remove",
    );
    refused(
        &["--ids", ids, "--account", "77"],
        2,
        "--account alone changes nothing",
    );
    refused(
        &["--ids", ids, "--notes", "{stage: won}"],
        3,
        "the change: notes text is not valid JSON",
    );
    refused(
        &["--ids", "-", "--notes-file", "-", "--results", "r.csv"],
        2,
        "the input and --notes-file cannot both be standard input",
    );
    refused(
        &["--ids", ids, "--column", "contact_id=Id"],
        2,
        "cannot be used with",
    );
    assert_eq!(mock.server.request_count(), 0);
}

#[test]
fn a_run_that_read_standard_input_resumes_with_it_given_again() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ids.results.csv");
    let ids = format!(
        "{}\n{}\n{}\n",
        seed::MAYA_CHEN,
        seed::TOMAS_HERRERA,
        seed::PRIYA_RAMAN
    );
    let canary = mock
        .command()
        .args([
            "contact",
            "bulk",
            "--ids",
            "-",
            "--add",
            "Webinar",
            "--limit",
            "1",
            "--results",
        ])
        .arg(&out)
        .write_stdin(ids.clone())
        .assert()
        .success();
    let stdout = String::from_utf8(canary.get_output().stdout.clone()).unwrap();
    assert_eq!(mock.server.request_count(), 1);
    let resume = continue_command(&stdout);
    assert_eq!(
        resume[resume.len() - 2..],
        ["--ids", "-"],
        "the printed command gives standard input again"
    );
    let resume = &resume[..resume.len() - 2];
    // Without the input: it is gone, and the message says how to give it.
    mock.command()
        .args(resume)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "the run read its input from standard input, which is gone: give it again, as \
             --resume {} --ids -",
            out.display()
        )));
    // Another input on standard input is not the run's.
    mock.command()
        .args(resume)
        .args(["--ids", "-"])
        .write_stdin(format!("{}\n", seed::PRIYA_RAMAN))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "standard input has changed since the run",
        ));
    // Another change is not the run's either.
    mock.command()
        .args(resume)
        .args(["--ids", "-", "--add", "Other"])
        .write_stdin(ids.clone())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the change --add \"Other\", where the run's was --add \"Webinar\"",
        ));
    assert_eq!(mock.server.request_count(), 1);
    mock.command()
        .args(resume)
        .args(["--ids", "-"])
        .write_stdin(ids)
        .assert()
        .success();
    assert_eq!(mock.server.request_count(), 3, "only the rest was sent");
    for id in [seed::MAYA_CHEN, seed::TOMAS_HERRERA, seed::PRIYA_RAMAN] {
        let contact = mock.server.contact(id).unwrap();
        assert_eq!(contact.update_count(), 1, "{id} updated once");
    }
    let outcomes: Vec<String> = results(&out)
        .iter()
        .map(|r| r.split('|').take(3).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        outcomes,
        [
            format!("1 {} ok", seed::MAYA_CHEN),
            format!("2 {} ok", seed::TOMAS_HERRERA),
            format!("3 {} ok", seed::PRIYA_RAMAN),
        ]
    );
}
