//! Data as it comes: an export's extra columns are ignored and named once,
//! a slip of a column's name is refused with what it looks like, and
//! `--column` reads a column from the export's own header.

mod common;

use common::{Mock, write};
use predicates::prelude::*;
use talktohumans::mock::seed;

#[test]
fn an_exports_extra_columns_are_ignored_and_named_once() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "export.csv",
        &format!(
            "Name,Email,contact_id,Company,add\n\
             Maya,maya@example.com,{},Acme,Webinar:blue\n\
             Tomás,tomas@example.com,{},Initech,Webinar:blue\n",
            seed::MAYA_CHEN,
            seed::TOMAS_HERRERA
        ),
    );
    mock.command()
        .args(["contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .success()
        .stderr(
            predicate::str::contains(
                "ignoring the column(s) this tool does not use: Name, Email, Company",
            )
            .count(1),
        );
    assert_eq!(mock.server.request_count(), 2);
    let maya = mock.server.contact(seed::MAYA_CHEN).unwrap();
    assert!(maya.tag_names().contains(&"Webinar"));
}

#[test]
fn a_slip_of_a_column_name_is_refused_before_anything_is_sent() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "slip.csv",
        &format!("contactid,add\n{},Webinar\n", seed::MAYA_CHEN),
    );
    mock.command()
        .args(["contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "column \"contactid\" in the header row is not one of this tool's; did you mean \
             contact_id?",
        ));
    assert_eq!(mock.server.request_count(), 0);
}

#[test]
fn column_maps_an_exports_names_and_a_resume_keeps_them() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "crm.csv",
        &format!(
            "Record ID,Tags to add\n{},Webinar:blue\n",
            seed::PRIYA_RAMAN
        ),
    );
    let results = dir.path().join("crm.results.csv");
    mock.command()
        .args(["contact", "bulk", "--csv"])
        .arg(&csv)
        .args([
            "--column",
            "contact_id=Record ID",
            "--column",
            "add=Tags to add",
        ])
        .assert()
        .success();
    assert_eq!(mock.server.request_count(), 1);
    let record = std::fs::read_to_string(dir.path().join("crm.results.csv.run.json")).unwrap();
    assert!(record.contains("Record ID"), "{record}");

    // A resume with other names for the columns is another run.
    mock.command()
        .args(["contact", "bulk", "--resume"])
        .arg(&results)
        .args(["--column", "contact_id=Id"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--column contact_id=\"Id\", where the run had",
        ));
}

#[test]
fn a_canary_sends_the_first_rows_and_a_resume_the_rest() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let ids = [
        seed::MAYA_CHEN,
        seed::TOMAS_HERRERA,
        seed::PRIYA_RAMAN,
        seed::MAYA_CHEN,
    ];
    let rows: String = ids.iter().map(|id| format!("{id},Canary\n")).collect();
    let csv = write(dir.path(), "rows.csv", &format!("contact_id,add\n{rows}"));
    let results = dir.path().join("rows.results.csv");
    mock.command()
        .args(["contact", "bulk", "--limit", "2", "--csv"])
        .arg(&csv)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "not sent: past --limit 2; --resume sends the rest (2 row(s))",
        ))
        .stdout(predicate::str::contains(
            "to continue: talktohumans contact bulk --resume",
        ));
    assert_eq!(mock.server.request_count(), 2);
    let outcomes: Vec<String> = common::results(&results)
        .iter()
        .map(|row| row.split('|').nth(2).unwrap().to_owned())
        .collect();
    assert_eq!(outcomes, ["ok", "ok", "not_sent", "not_sent"]);

    mock.command()
        .args(["contact", "bulk", "--resume"])
        .arg(&results)
        .assert()
        .success();
    assert_eq!(mock.server.request_count(), 4, "only the rest was sent");
    let outcomes: Vec<String> = common::results(&results)
        .iter()
        .map(|row| row.split('|').nth(2).unwrap().to_owned())
        .collect();
    assert_eq!(outcomes, ["ok", "ok", "ok", "ok"]);
}
