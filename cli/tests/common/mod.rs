//! What the CLI tests share: the binary, and a mock API that outlives the
//! binary's run so that the tests can count the requests it got.

#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;
use talktohumans::mock::{MockServer, MockServerBuilder};

/// The binary, with no key or base URL leaking in from the environment.
pub fn talktohumans() -> Command {
    let mut command = Command::cargo_bin("talktohumans").expect("the binary is built");
    command
        .env_remove("TALKTOHUMANS_API_KEY")
        .env_remove("TALKTOHUMANS_BASE_URL")
        .env_remove("TALKTOHUMANS_PROFILE")
        // Never the user's own profiles or OS credential store.
        .env(
            "TALKTOHUMANS_CONFIG_DIR",
            std::env::temp_dir().join("talktohumans-tests-no-config"),
        )
        .env("TALKTOHUMANS_KEY_STORE", "file");
    command
}

/// A mock API served by the test's own runtime, for tests that count what
/// the binary sent.
pub struct Mock {
    pub server: MockServer,
    _runtime: tokio::runtime::Runtime,
}

impl Mock {
    pub fn start() -> Self {
        Self::start_with(MockServer::builder())
    }

    /// A mock built as `builder` says.
    pub fn start_with(builder: MockServerBuilder) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let server = runtime.block_on(builder.start()).expect("the mock starts");
        Self {
            server,
            _runtime: runtime,
        }
    }

    /// The binary, pointed at this mock.
    pub fn command(&self) -> Command {
        let mut command = talktohumans();
        command
            .env("TALKTOHUMANS_API_KEY", self.server.api_key())
            .env("TALKTOHUMANS_BASE_URL", self.server.base_url())
            .args(["--max-retries", "0"]);
        command
    }
}

/// Writes `text` to `name` in `dir` and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("the test file is written");
    path
}

/// The rows of a results CSV, without its header and without the row
/// digests, cells joined by `|`.
pub fn results(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("the results exist");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("line,row_digest,contact_id,outcome,http_status,request_id,error,tags,notes_sha256")
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            let record = r.expect("a results row");
            let digest = &record[1];
            assert!(
                digest.len() == 16 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
                "{record:?}"
            );
            // What changed (tags, notes_sha256) is checked by `changed`.
            record
                .iter()
                .take(7)
                .enumerate()
                .filter(|(at, _)| *at != 1)
                .map(|(_, cell)| cell)
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

/// What each row of a results CSV says changed: `(line, tags,
/// notes_sha256)`.
pub fn changed(path: &Path) -> Vec<(String, String, String)> {
    let mut reader = csv::Reader::from_path(path).expect("the results exist");
    reader
        .records()
        .map(|r| {
            let record = r.expect("a results row");
            (
                record[0].to_owned(),
                record[7].to_owned(),
                record[8].to_owned(),
            )
        })
        .collect()
}

/// The lines of `text` that contain `needle`.
pub fn count(text: &str, needle: &str) -> usize {
    text.lines().filter(|l| l.contains(needle)).count()
}

/// The command a run printed to continue it, as arguments (the paths in
/// the tests have no spaces).
pub fn continue_command(stdout: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("to continue: talktohumans "))
        .unwrap_or_else(|| panic!("no command to continue in {stdout}"));
    line.split(' ').map(str::to_owned).collect()
}
