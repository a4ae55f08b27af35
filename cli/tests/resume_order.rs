//! One contact, one update at a time, in file order: against a mock with
//! random latency and random failures, a run and its resumes leave every
//! contact as the file's rows applied one by one, in order, leave it.

mod common;

use std::time::Duration;

use common::{Mock, continue_command, write};
use talktohumans::http::StatusCode;
use talktohumans::mock::{Fault, MockServer, RandomFaults, seed};
use talktohumans::{Tag, UpdateContactInput};

const CONTACTS: u64 = 6;
const ROWS: usize = 60;
const RUNS: u64 = 100;

/// A small seeded generator (xorshift64*), so that each run's file is
/// known from its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// One row: its contact, and the cells add, remove, set, notes.
struct Row {
    contact: String,
    add: String,
    remove: String,
    set: String,
    notes: String,
}

fn tag(rng: &mut Rng) -> String {
    let number = rng_name(rng);
    named(rng, number)
}

fn rng_name(rng: &mut Rng) -> u64 {
    rng.below(5)
}

fn named(rng: &mut Rng, number: u64) -> String {
    let name = format!("T{number}");
    match rng.below(3) {
        0 => format!("{name}:red"),
        1 => format!("{name}:blue"),
        _ => name,
    }
}

fn rows(seed_value: u64) -> Vec<Row> {
    let mut rng = Rng(seed_value.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    (0..ROWS)
        .map(|i| {
            let mut row = Row {
                contact: seed::generated_id(rng.below(CONTACTS)),
                add: String::new(),
                remove: String::new(),
                set: String::new(),
                notes: String::new(),
            };
            match rng.below(4) {
                0 => row.add = tag(&mut rng),
                1 => row.remove = format!("T{}", rng.below(5)),
                2 => {
                    // Two different names: one list names a tag once.
                    let first = rng_name(&mut rng);
                    let second = (first + 1 + rng.below(4)) % 5;
                    row.set = format!("{};{}", named(&mut rng, first), named(&mut rng, second));
                }
                _ => row.notes = format!("{{\"row\": {i}}}"),
            }
            if rng.below(4) == 0 {
                row.notes = format!("{{\"also\": {i}}}");
            }
            row
        })
        .collect()
}

fn csv_text(rows: &[Row]) -> String {
    let mut text = String::from("contact_id,add,remove,set,notes\n");
    for row in rows {
        let notes = row.notes.replace('"', "\"\"");
        text.push_str(&format!(
            "{},{},{},{},\"{notes}\"\n",
            row.contact, row.add, row.remove, row.set
        ));
    }
    text
}

fn parse_tag(text: &str) -> Tag {
    match text.split_once(':') {
        Some((name, color)) => Tag::new(name).with_color(color),
        None => Tag::new(text),
    }
}

/// A contact's tags (name, color) and notes.
type ContactState = (Vec<(String, Option<String>)>, Option<String>);

/// The state the rows leave, applied one at a time, in order, to a mock
/// without faults.
fn expected(rows: &[Row]) -> Vec<ContactState> {
    let mock = Mock::start_with(MockServer::builder().generated_contacts(CONTACTS));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = mock.server.client_builder().build().unwrap();
    runtime.block_on(async {
        for row in rows {
            let mut builder = UpdateContactInput::builder(&row.contact);
            if !row.add.is_empty() {
                builder = builder.add_tag(parse_tag(&row.add));
            }
            if !row.remove.is_empty() {
                builder = builder.remove_tag(row.remove.as_str());
            }
            if !row.set.is_empty() {
                builder = builder.set_tags(row.set.split(';').map(parse_tag).collect::<Vec<_>>());
            }
            if !row.notes.is_empty() {
                builder = builder.notes_json(row.notes.as_str());
            }
            client.send(&builder.build().unwrap()).await.unwrap();
        }
    });
    state(&mock.server)
}

fn state(server: &MockServer) -> Vec<ContactState> {
    (0..CONTACTS)
        .map(|i| {
            let contact = server.contact(&seed::generated_id(i)).unwrap();
            let tags = contact
                .tags()
                .iter()
                .map(|t| (t.name().to_owned(), t.color().map(str::to_owned)))
                .collect();
            (tags, contact.notes(seed::SAM_ACCOUNT).map(str::to_owned))
        })
        .collect()
}

#[test]
fn a_contacts_rows_apply_in_file_order_through_failures_and_resumes() {
    // Four runs at a time: each waits mostly on its processes and sockets.
    let resumed: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                scope.spawn(move || (worker..RUNS).step_by(4).map(one_run).sum::<usize>())
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    // The failures did happen, so the resumes were put to the test.
    assert!(resumed > RUNS as usize / 2, "{resumed} runs resumed");
}

/// One seeded run and its resumes; 1 if it needed a resume.
fn one_run(run: u64) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let rows = rows(run);
    let csv = write(dir.path(), &format!("run{run}.csv"), &csv_text(&rows));
    let mock = Mock::start_with(MockServer::builder().generated_contacts(CONTACTS));
    // Every answer takes 0-3 ms, and one in twenty is a 503 (not
    // retried: the mock's command has no retries), so that a contact's
    // row fails and its later rows must wait for a resume.
    let mut faults = RandomFaults::new(run, 1.0);
    for ms in 0..19 {
        faults = faults.fault(Fault::delay(Duration::from_millis(ms % 4)));
    }
    faults = faults.fault(Fault::status(StatusCode::SERVICE_UNAVAILABLE));
    mock.server.random_faults(faults);

    let output = mock
        .command()
        .args(["--concurrency", "8", "contact", "bulk", "--csv"])
        .arg(&csv)
        .output()
        .unwrap();
    assert_ne!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut code = output.status.code();
    let mut stdout = String::from_utf8(output.stdout).unwrap();
    let mut resumes = 0;
    while code == Some(5) {
        resumes += 1;
        assert!(resumes < 30, "run {run} does not finish: {stdout}");
        let command = continue_command(&stdout);
        let output = mock.command().args(&command).output().unwrap();
        code = output.status.code();
        stdout = String::from_utf8(output.stdout).unwrap();
    }
    assert_eq!(code, Some(0), "run {run}: {stdout}");
    assert_eq!(
        state(&mock.server),
        expected(&rows),
        "run {run}: the contacts are not as the rows in file order leave them"
    );
    usize::from(resumes > 0)
}
