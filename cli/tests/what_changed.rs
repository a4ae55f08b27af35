//! The results CSV records what each ok row left: the contact's tags as the
//! server returned them, and a digest of its notes; and a results file from
//! before those columns can still be resumed.

mod common;

use common::{Mock, changed, results, write};
use sha2::{Digest, Sha256};
use talktohumans::mock::seed;

fn sha256_16(text: &str) -> String {
    Sha256::digest(text.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn an_ok_row_records_the_tags_and_notes_the_server_returned() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let notes = r#"{"stage": "won"}"#;
    let csv = write(
        dir.path(),
        "c.csv",
        &format!(
            "contact_id,add,set,notes\n\
             {tomas},Stage: won:;R&D;;Ops,,\"{notes_cell}\"\n\
             {maya},,(clear),\n\
             99999,A,,\n",
            tomas = seed::TOMAS_HERRERA,
            maya = seed::MAYA_CHEN,
            notes_cell = notes.replace('"', "\"\""),
        ),
    );
    mock.command()
        .args(["contact", "bulk", "--csv"])
        .arg(&csv)
        .assert()
        .code(5);
    let out = dir.path().join("c.results.csv");
    let maya_notes = mock
        .server
        .contact(seed::MAYA_CHEN)
        .unwrap()
        .notes(seed::SAM_ACCOUNT)
        .unwrap()
        .to_owned();
    assert_eq!(
        changed(&out),
        [
            (
                "2".to_owned(),
                "Old tag;Newsletter;Stage: won:;R&D;;Ops".to_owned(),
                sha256_16(notes)
            ),
            ("3".to_owned(), String::new(), sha256_16(&maya_notes)),
            ("4".to_owned(), String::new(), String::new()),
        ],
        "a failed row records nothing changed"
    );
}

#[test]
fn a_results_file_from_before_these_columns_is_resumed() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "c.csv",
        &format!(
            "contact_id,add\n{},A\n{},B\n",
            seed::MAYA_CHEN,
            seed::TOMAS_HERRERA
        ),
    );
    let out = dir.path().join("c.results.csv");
    let canary = mock
        .command()
        .args(["contact", "bulk", "--limit", "1", "--csv"])
        .arg(&csv)
        .assert()
        .success();
    drop(canary);
    // The file as the previous version wrote it: seven columns.
    let text = std::fs::read_to_string(&out).unwrap();
    let old: String = text
        .lines()
        .map(|line| {
            let mut record = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes());
            let cells = record.records().next().unwrap().unwrap();
            cells.iter().take(7).collect::<Vec<_>>().join(",") + "\n"
        })
        .collect();
    std::fs::write(&out, old).unwrap();
    mock.command()
        .args(["contact", "bulk", "--resume"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(mock.server.request_count(), 2, "only the rest was sent");
    let rows = results(&out);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.contains("|ok|")), "{rows:?}");
    let changed = changed(&out);
    assert_eq!(changed[0].1, "", "the old row had no tags recorded");
    assert_eq!(changed[1].1, "Old tag;Newsletter;B", "the resumed row has");
}

#[test]
fn contacts_out_holds_each_ok_rows_contact_whole_in_line_order() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "c.csv",
        &format!(
            "contact_id,add\n{},Webinar\n99999,A\n{},Webinar\n",
            seed::TOMAS_HERRERA,
            seed::MAYA_CHEN
        ),
    );
    let contacts = dir.path().join("contacts.jsonl");
    mock.command()
        .args(["contact", "bulk", "--csv"])
        .arg(&csv)
        .arg("--contacts-out")
        .arg(&contacts)
        .assert()
        .code(5)
        .stdout(predicates::str::contains(format!(
            "contacts: {}",
            contacts.display()
        )));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&contacts)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();
    assert_eq!(lines.len(), 2, "only the ok rows: {lines:?}");
    for (line, (number, id)) in lines
        .iter()
        .zip([(2, seed::TOMAS_HERRERA), (4, seed::MAYA_CHEN)])
    {
        assert_eq!(line["line"], number);
        assert_eq!(line["contact_id"], id);
        let contact = &line["contact"];
        assert_eq!(contact["contact_id"], id);
        let names: Vec<&str> = contact["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, mock.server.contact(id).unwrap().tag_names());
        assert!(
            contact.get("name").is_some(),
            "the whole contact, not only what changed: {contact}"
        );
    }
}

#[test]
fn contacts_out_never_replaces_a_file_unasked_nor_the_runs_own() {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "c.csv",
        &format!("contact_id,add\n{},A\n", seed::MAYA_CHEN),
    );
    let existing = write(dir.path(), "audit.jsonl", "kept\n");
    let refused = |target: &std::path::Path, message: &str| {
        mock.command()
            .args(["contact", "bulk", "--csv"])
            .arg(&csv)
            .arg("--contacts-out")
            .arg(target)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(message));
    };
    refused(
        &existing,
        "exists; choose another file, or pass --overwrite",
    );
    refused(&csv, "is the input");
    refused(&dir.path().join("c.results.csv"), "is the results file");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "kept\n");
    assert_eq!(mock.server.request_count(), 0);
    mock.command()
        .args(["contact", "bulk", "--overwrite", "--csv"])
        .arg(&csv)
        .arg("--contacts-out")
        .arg(&existing)
        .assert()
        .success();
    let text = std::fs::read_to_string(&existing).unwrap();
    assert!(text.starts_with("{\"contact\":"), "{text}");
}
