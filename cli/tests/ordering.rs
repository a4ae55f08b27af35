//! Rows of one contact are applied one at a time, in file order, while rows
//! of different contacts stay concurrent: a bulk run against a server with
//! random latency ends in the state that the rows applied in file order give,
//! every time; and none of a contact's rows after one that failed is sent.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Mock, results, write};
use talktohumans::mock::{ContactState, Fault, MockServer, RandomFaults, seed};

const CONTACTS: u64 = 6;
const ROWS: u64 = 60;
const RUNS: u64 = 100;

/// Row `i` goes to contact `i % CONTACTS`, so that every contact's rows are
/// spread through the file, and each of its rows undoes or builds on the one
/// before: `set` wipes what came before it, `remove` takes away the tag that
/// the previous `add` gave, and the later `notes` replace the earlier.
fn rows() -> String {
    let mut csv = String::from("contact_id,account_id,add,remove,set,notes\n");
    for i in 0..ROWS {
        let contact = seed::generated_id(i % CONTACTS);
        let step = i / CONTACTS;
        let row = match step % 4 {
            0 => format!("{contact},,,,Set {step},"),
            1 => format!("{contact},,Added {step},,,"),
            2 => format!("{contact},,,Added {},,", step - 1),
            _ => format!(
                "{contact},{},,,,\"{{\"\"step\"\":{step}}}\"",
                seed::SAM_ACCOUNT
            ),
        };
        csv.push_str(&row);
        csv.push('\n');
    }
    csv
}

/// A mock of the generated contacts whose every answer takes 0 to 3 ms,
/// drawn from `seed`: enough to reorder requests that overlap.
fn mock_with_latency(seed: u64) -> Mock {
    let mock = Mock::start_with(MockServer::builder().generated_contacts(CONTACTS));
    let mut faults = RandomFaults::new(seed, 1.0);
    for ms in 0..=3 {
        faults = faults.fault(Fault::delay(Duration::from_millis(ms)));
    }
    mock.server.random_faults(faults);
    mock
}

fn final_states(mock: &Mock) -> Vec<ContactState> {
    (0..CONTACTS)
        .map(|i| {
            mock.server
                .contact(&seed::generated_id(i))
                .expect("a generated contact")
        })
        .collect()
}

fn run(mock: &Mock, csv: &Path, results_path: &Path, concurrency: &str) {
    mock.command()
        .args(["--concurrency", concurrency])
        .args(["contact", "bulk", "--no-adaptive", "--csv"])
        .arg(csv)
        .arg("--results")
        .arg(results_path)
        .assert()
        .success();
    let rows = results(results_path);
    assert_eq!(rows.len() as u64, ROWS, "one result row per input row");
    assert!(
        rows.iter().all(|row| row.contains("|ok|")),
        "every row was applied: {rows:#?}"
    );
}

#[test]
fn rows_of_one_contact_apply_in_file_order_under_random_latency() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "rows.csv", &rows());

    // File order, by definition: one update at a time.
    let sequential = mock_with_latency(0);
    run(&sequential, &csv, &dir.path().join("sequential.csv"), "1");
    let expected = final_states(&sequential);
    // The rows do reach a state that the order decides.
    assert_eq!(expected[0].tag_names(), ["Set 8", "Added 9"]);
    assert_eq!(expected[0].notes(seed::SAM_ACCOUNT), Some("{\"step\":7}"));

    for seed in 1..=RUNS {
        let mock = mock_with_latency(seed);
        let results_path = dir.path().join(format!("run-{seed}.csv"));
        run(&mock, &csv, &results_path, "8");
        assert_eq!(
            final_states(&mock),
            expected,
            "run with latency seed {seed} ended elsewhere than file order"
        );
    }
}

/// A contact's failed row holds back the later rows of that contact for the
/// whole run, not only while they wait behind it: with one update in flight,
/// the contact's last row is read long after its failed row has ended, and
/// it would apply cleanly if it were sent.
#[test]
fn a_failed_row_holds_back_its_contacts_rows_to_the_end_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("contact_id,account_id,add,remove,set,notes\n");
    // Jonas Berg is under two accounts: without one, his update fails.
    csv.push_str(&format!("{},,Renewal,,,\n", seed::JONAS_BERG));
    for step in 0..20 {
        csv.push_str(&format!("{},,Step {step},,,\n", seed::TOMAS_HERRERA));
    }
    csv.push_str(&format!(
        "{},{},Renewal,,,\n",
        seed::JONAS_BERG,
        seed::SALES_TEAM_ACCOUNT
    ));
    let csv = write(dir.path(), "rows.csv", &csv);
    let results_path = dir.path().join("results.csv");
    let mock = Mock::start();
    let before = mock.server.contact(seed::JONAS_BERG).unwrap();
    let output = mock
        .command()
        .args(["--concurrency", "1"])
        .args(["contact", "bulk", "--no-adaptive", "--csv"])
        .arg(&csv)
        .arg("--results")
        .arg(&results_path)
        .assert()
        .code(5)
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).unwrap();
    assert!(
        stdout.starts_with("20 succeeded, 1 failed, 0 retries"),
        "{stdout}"
    );
    assert!(stdout.contains("20 ok, 1 failed,"), "{stdout}");
    assert!(stdout.contains(", 1 not sent\n"), "{stdout}");

    let rows = results(&results_path);
    assert_eq!(rows.len(), 22);
    assert!(rows[0].starts_with("2|27051|failed|422|"), "{}", rows[0]);
    assert!(
        rows[1..21].iter().all(|row| row.contains("|ok|200|")),
        "{rows:#?}"
    );
    assert!(rows[21].starts_with("23|27051|not_sent|||"), "{}", rows[21]);
    assert!(
        rows[21]
            .ends_with("an earlier row of this contact (line 2) failed, so this one was held back"),
        "{}",
        rows[21]
    );
    assert_eq!(mock.server.request_count(), 21);
    assert_eq!(mock.server.contact(seed::JONAS_BERG).unwrap(), before);
}
