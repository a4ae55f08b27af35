//! The results CSV of a bulk run: one row per input row, written and flushed
//! as each row is settled, so that a crash loses no more than the updates in
//! flight. It is also the input of a resume (`--only-failed`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

const HEADER: [&str; 6] = [
    "line",
    "contact_id",
    "outcome",
    "http_status",
    "request_id",
    "error",
];

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Updated.
    Ok,
    /// Sent, and refused or not answered.
    Failed,
    /// Changes nothing; not sent.
    Skipped,
    /// Breaks a rule; not sent (only with `--skip-invalid`).
    Invalid,
    /// Not sent because the run was interrupted.
    NotSent,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
            Outcome::Invalid => "invalid",
            Outcome::NotSent => "not_sent",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            Outcome::Ok,
            Outcome::Failed,
            Outcome::Skipped,
            Outcome::Invalid,
            Outcome::NotSent,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }

    /// Whether a resume leaves the row alone: it needs nothing more.
    pub fn is_settled(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::Skipped)
    }
}

/// One row of the results.
#[derive(Debug, Clone)]
pub struct ResultRow {
    pub line: u64,
    pub contact_id: String,
    pub outcome: Outcome,
    pub http_status: Option<u16>,
    pub request_id: Option<String>,
    pub error: Option<String>,
}

impl ResultRow {
    pub fn new(line: u64, contact_id: &str, outcome: Outcome) -> Self {
        Self {
            line,
            contact_id: contact_id.to_owned(),
            outcome,
            http_status: None,
            request_id: None,
            error: None,
        }
    }

    fn record(&self) -> [String; 6] {
        [
            self.line.to_string(),
            self.contact_id.clone(),
            self.outcome.as_str().to_owned(),
            self.http_status.map(|s| s.to_string()).unwrap_or_default(),
            self.request_id.clone().unwrap_or_default(),
            self.error.clone().unwrap_or_default(),
        ]
    }
}

/// The path used when `--results` is not given: beside the input, so that a
/// resume finds it (`contacts.csv` gives `contacts.results.csv`).
pub fn default_path(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "contacts".to_owned());
    input.with_file_name(format!("{stem}.results.csv"))
}

/// Appends rows as they settle, then rewrites the file in line order at the
/// end, for people reading it.
pub struct ResultsWriter {
    path: PathBuf,
    writer: csv::Writer<File>,
    rows: Vec<ResultRow>,
}

impl ResultsWriter {
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut writer = csv::Writer::from_writer(File::create(path)?);
        writer.write_record(HEADER)?;
        writer.flush()?;
        Ok(Self {
            path: path.to_owned(),
            writer,
            rows: Vec::new(),
        })
    }

    /// Writes the row and flushes it to the file.
    pub fn write(&mut self, row: ResultRow) -> io::Result<()> {
        self.writer.write_record(row.record())?;
        self.writer.flush()?;
        self.rows.push(row);
        Ok(())
    }

    /// Rewrites the file sorted by line, through a temporary file and a
    /// rename, so that the complete unsorted file stays until the sorted one
    /// replaces it.
    pub fn finish(mut self) -> io::Result<()> {
        self.writer.flush()?;
        self.rows.sort_by_key(|row| row.line);
        let mut temporary = self.path.clone().into_os_string();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        let mut sorted = csv::Writer::from_path(&temporary)?;
        sorted.write_record(HEADER)?;
        for row in &self.rows {
            sorted.write_record(row.record())?;
        }
        sorted.flush()?;
        drop(sorted);
        std::fs::rename(&temporary, &self.path)
    }
}

/// Reads a results file: each line it records, with its row.
pub fn read(path: &Path) -> Result<BTreeMap<u64, ResultRow>, String> {
    let shown = path.display();
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let header = reader
        .headers()
        .map_err(|e| format!("{shown}: {e}"))?
        .clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{shown} is not a results file: it has no {name} column"))
    };
    let [line_at, id_at, outcome_at, status_at, request_at, error_at] = [
        column("line")?,
        column("contact_id")?,
        column("outcome")?,
        column("http_status")?,
        column("request_id")?,
        column("error")?,
    ];
    let mut rows = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{shown}: {e}"))?;
        let cell = |at: usize| record.get(at).unwrap_or("");
        let bad = |what: &str| format!("{shown}: line {:?}: {what}", cell(line_at));
        let line = cell(line_at)
            .parse()
            .map_err(|_| bad("the line is not a number"))?;
        let outcome = Outcome::parse(cell(outcome_at)).ok_or_else(|| bad("unknown outcome"))?;
        let text = |at: usize| Some(cell(at).to_owned()).filter(|s| !s.is_empty());
        rows.insert(
            line,
            ResultRow {
                line,
                contact_id: cell(id_at).to_owned(),
                outcome,
                http_status: cell(status_at).parse().ok(),
                request_id: text(request_at),
                error: text(error_at),
            },
        );
    }
    Ok(rows)
}
