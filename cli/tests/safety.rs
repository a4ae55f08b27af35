//! What a bulk run must never do: overwrite its input or another run's
//! results, continue as another run (a trial reaching the real API, a run
//! reaching another URL), skip a row of a changed input, send again an
//! update the server applied, or pass text from outside raw to a
//! spreadsheet or a terminal.

mod common;

use common::{Mock, continue_command, results, talktohumans, write};
use predicates::prelude::*;
use talktohumans::http::StatusCode;
use talktohumans::mock::{Fault, MockContact, MockServer, seed};

const TWO_ROWS: &str = "contact_id,add\n41236,Hot lead\n999999,Hot lead\n";

#[test]
fn the_input_is_never_the_results_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "c.csv", TWO_ROWS);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let link = dir.path().join("hard-link.csv");
    std::fs::hard_link(&csv, &link).unwrap();
    // The same file by its own path, by another spelling of it, and by a
    // hard link: each is refused, even with --overwrite.
    for results in [csv.clone(), dir.path().join("sub/../c.csv"), link.clone()] {
        talktohumans()
            .args(["--mock", "contact", "bulk", "--overwrite", "--csv"])
            .arg(&csv)
            .arg("--results")
            .arg(&results)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("which it would overwrite"));
    }
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), TWO_ROWS);
}

#[test]
fn an_existing_results_file_is_replaced_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "c.csv", TWO_ROWS);
    let results_path = write(dir.path(), "r.csv", "someone's spreadsheet\n");
    talktohumans()
        .args(["--mock", "contact", "bulk", "--csv"])
        .arg(&csv)
        .arg("--results")
        .arg(&results_path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("r.csv exists"))
        .stderr(predicate::str::contains("--overwrite"));
    assert_eq!(
        std::fs::read_to_string(&results_path).unwrap(),
        "someone's spreadsheet\n"
    );

    // A symbolic link there is replaced by the new file, not followed.
    let victim = write(dir.path(), "victim.txt", "keep me\n");
    let linked = dir.path().join("linked.csv");
    std::os::unix::fs::symlink(&victim, &linked).unwrap();
    for target in [&results_path, &linked] {
        talktohumans()
            .args(["--mock", "contact", "bulk", "--overwrite", "--csv"])
            .arg(&csv)
            .arg("--results")
            .arg(target)
            .assert()
            .code(5);
        assert_eq!(results(target).len(), 2);
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    assert!(!linked.symlink_metadata().unwrap().file_type().is_symlink());
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn a_trial_is_never_continued_against_the_real_api() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "c.csv", TWO_ROWS);
    let output = talktohumans()
        .args(["--mock", "contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .code(5)
        .get_output()
        .stdout
        .clone();
    let command = continue_command(&String::from_utf8(output).unwrap());
    assert_eq!(command[..3], ["contact", "bulk", "--resume"]);

    // Pasted where a real key and base URL are set: it still runs against
    // the embedded mock, and the "real" API gets nothing.
    let real = Mock::start();
    let pasted = || {
        let mut command = talktohumans();
        command
            .env("TALKTOHUMANS_API_KEY", real.server.api_key())
            .env("TALKTOHUMANS_BASE_URL", real.server.base_url());
        command
    };
    pasted()
        .args(&command)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("using the embedded mock API"));
    assert_eq!(real.server.request_count(), 0);
    // With --mock it is the same run; other mock settings are refused.
    pasted().args(&command).arg("--mock").assert().code(5);
    pasted()
        .args(&command)
        .args(["--mock", "--mock-latency", "5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--mock-latency 5, where the run had none",
        ));
    assert_eq!(real.server.request_count(), 0);
    // Pointing it elsewhere on purpose is refused.
    pasted()
        .args(&command)
        .args(["--base-url", real.server.base_url()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the run was against the embedded mock",
        ));
    assert_eq!(real.server.request_count(), 0);
}

#[test]
fn a_real_run_is_continued_only_against_its_own_url_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "c.csv", TWO_ROWS);
    let first = Mock::start();
    let output = first
        .command()
        .args(["contact", "bulk", "--max-rate", "50", "--csv"])
        .arg(&csv)
        .assert()
        .code(5)
        .get_output()
        .stdout
        .clone();
    let command = continue_command(&String::from_utf8(output).unwrap());
    assert_eq!(first.server.request_count(), 2);

    let other = Mock::start();
    for (extra, says) in [
        (vec![], "TALKTOHUMANS_BASE_URL is http://"),
        (vec!["--mock"], "--mock: the run was against the API at"),
    ] {
        other
            .command()
            .args(&command)
            .args(extra)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    assert_eq!(other.server.request_count(), 0);
    for (flags, says) in [
        (["--max-rate", "80"], "--max-rate 80, where the run had 50"),
        (
            ["--concurrency", "3"],
            "--concurrency 3, where the run had 8",
        ),
    ] {
        first
            .command()
            .args(&command)
            .args(flags)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    // Another key is refused too (its fingerprint is in the record).
    first
        .command()
        .env("TALKTOHUMANS_API_KEY", "tth_another_key")
        .args(&command)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("another key than the run's"));
    assert_eq!(first.server.request_count(), 2);
    // As it was, it continues: only the failed row goes again.
    first.command().args(&command).assert().code(5);
    assert_eq!(first.server.request_count(), 3);
    // The old flag says what replaced it.
    first
        .command()
        .args(["contact", "bulk", "--csv"])
        .arg(&csv)
        .args(["--only-failed", &command[3]])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("replaced by --resume RESULTS"));
}

#[test]
fn a_changed_input_is_refused_and_says_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let text = "contact_id,add\n41236,A\n999999,B\n18442,C\n30917,D\n";
    let csv = write(dir.path(), "c.csv", text);
    let mock = Mock::start();
    mock.command()
        .args(["contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .code(5);
    let results_path = dir.path().join("c.results.csv");
    let before = mock.server.request_count();
    // A row above the failed one deleted: by line number, the failed row's
    // line would now hold a row that was done, and the failed row would be
    // taken as done.
    write(
        dir.path(),
        "c.csv",
        "contact_id,add\n999999,B\n18442,C\n30917,D\n",
    );
    mock.command()
        .args(["contact", "bulk", "--resume"])
        .arg(&results_path)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("has changed since the run"))
        .stderr(predicate::str::contains(
            "line 2 changed, line 3 changed, line 4 changed, the lines from 5 on are gone",
        ))
        .stderr(predicate::str::contains("nothing was sent"));
    // A changed tag in the failed row is a change too.
    write(
        dir.path(),
        "c.csv",
        "contact_id,add\n41236,A\n999999,B2\n18442,C\n30917,D\n",
    );
    mock.command()
        .args(["contact", "bulk", "--resume"])
        .arg(&results_path)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(": line 3 changed;"));
    assert_eq!(mock.server.request_count(), before);
    // Put back, it continues.
    write(dir.path(), "c.csv", text);
    mock.command()
        .args(["contact", "bulk", "--resume"])
        .arg(&results_path)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("3 row(s) already done, 1 to go"));
    assert_eq!(mock.server.request_count(), before + 1);
}

#[test]
fn an_applied_update_with_an_unreadable_answer_is_never_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "c.csv",
        "contact_id,add\n41236,A\n18442,B\n999999,C\n",
    );
    let mock = Mock::start();
    mock.server.inject(
        1,
        Fault::status(StatusCode::OK).raw_body("text/html", "<html>proxy page</html>"),
    );
    let output = mock
        .command()
        .args(["--concurrency", "1", "contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "line 2: contact 41236: applied, but the answer could not be read",
        ))
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).unwrap();
    assert!(
        stdout.contains("rows: 1 ok, 1 failed, 1 applied but unreadable,"),
        "{stdout}"
    );
    let results_path = dir.path().join("c.results.csv");
    let rows = results(&results_path);
    assert!(
        rows[0].starts_with("2|41236|applied_unreadable|200|"),
        "{rows:?}"
    );
    assert!(rows[0].contains("could not be decoded"), "{rows:?}");
    assert_eq!(mock.server.request_count(), 3);
    // A resume sends only the failed row.
    let command = continue_command(&stdout);
    mock.command()
        .args(&command)
        .assert()
        .code(6)
        .stderr(predicate::str::contains("2 row(s) already done, 1 to go"));
    assert_eq!(mock.server.request_count(), 4);
}

#[test]
fn text_from_the_server_is_harmless_in_a_spreadsheet_and_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "c.csv",
        "contact_id,add\n41236,A\n\"=HYPERLINK(\"\"http://x.example\"\")\",B\n",
    );
    let mock = Mock::start_with(
        MockServer::builder()
            .contact(MockContact::new("5", seed::SAM_ACCOUNT).name("\x1b]0;owned\x07Eve\x1b[2J")),
    );
    mock.server.inject(
        1,
        Fault::status(StatusCode::BAD_REQUEST)
            .json_body(&serde_json::json!({"message": "bad \x1b[31mred\x1b[0m"})),
    );
    let output = mock
        .command()
        .args(["contact", "bulk", "--skip-invalid", "--csv"])
        .arg(&csv)
        .assert()
        .code(5)
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
    assert!(stderr.contains("bad \\u{1b}[31mred"), "{stderr:?}");
    let text = std::fs::read_to_string(dir.path().join("c.results.csv")).unwrap();
    // The contact id as written, in an invalid row: a formula in a
    // spreadsheet, unless neutralised.
    assert!(
        text.contains(",\"'=HYPERLINK(\"\"http://x.example\"\")\",invalid,"),
        "{text}"
    );

    let output = mock
        .command()
        .args(["contact", "update", "5", "--add", "x"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).unwrap();
    assert!(
        !stdout.contains('\x1b') && !stdout.contains('\x07'),
        "{stdout:?}"
    );
    assert!(
        stdout.starts_with("Updated contact 5: \\u{1b}]0;owned\\u{7}Eve\\u{1b}[2J\n"),
        "{stdout:?}"
    );
}

#[test]
fn a_closed_stderr_is_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "c.csv", TWO_ROWS);
    let binary = assert_cmd::cargo::cargo_bin("talktohumans");
    // Closed outright, and a pipe whose reader has gone.
    for redirect in ["2>&-", "2>&1 | head -c1 >/dev/null"] {
        let status = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "\"$0\" --mock contact bulk --overwrite --csv \"$1\" {redirect}; \
                 exit ${{PIPESTATUS[0]}}"
            ))
            .arg(&binary)
            .arg(&csv)
            .env_remove("TALKTOHUMANS_API_KEY")
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(5), "{redirect}");
    }
}

#[test]
fn a_used_up_quota_is_said_once_and_its_rows_are_left_for_a_resume() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "c.csv",
        "contact_id,account_id,add\n41236,,A\n18442,,B\n30917,,C\n27051,77,D\n",
    );
    let mock = Mock::start();
    mock.server.inject(
        1,
        Fault::status(StatusCode::TOO_MANY_REQUESTS)
            .retry_after(std::time::Duration::from_secs(3 * 3600)),
    );
    let output = mock
        .command()
        .args(["--concurrency", "1", "contact", "bulk", "--csv"])
        .arg(&csv)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(5), "{stdout}");
    let quota_lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("quota is used up"))
        .collect();
    assert_eq!(quota_lines.len(), 1, "{stdout}");
    assert!(
        quota_lines[0].contains("try again in 3 h at the earliest (3 row(s))"),
        "{stdout}"
    );
    let rows = results(&dir.path().join("c.results.csv"));
    assert!(
        rows.iter().skip(1).all(|r| r.contains("|not_sent|")),
        "{rows:?}"
    );
    let command = continue_command(&stdout);
    mock.command().args(&command).assert().success();
    assert_eq!(results(&dir.path().join("c.results.csv")).len(), 4);
}
