//! The results CSV of a bulk run: one row per input row, in line order,
//! written and flushed as rows settle, so that a crash loses no more than
//! the updates in flight. A resume reads it back, in step with the input.
//!
//! Cells from outside (the contact id as written, the server's request id,
//! error messages that quote the server) are neutralised for spreadsheets:
//! one that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
//! leading `'`.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use crate::print::spreadsheet_cell;

/// The columns, in order.
pub const HEADER: [&str; 9] = [
    "line",
    "row_digest",
    "contact_id",
    "outcome",
    "http_status",
    "request_id",
    "error",
    "tags",
    "notes_sha256",
];

/// The columns a results file must have: those after them came later, and
/// a run recorded without them can still be resumed.
const REQUIRED: usize = 7;

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Updated.
    Ok,
    /// Sent, and refused or not answered.
    Failed,
    /// Sent and applied (the server answered 2xx), but the answer could not
    /// be read; a resume does not send it again.
    AppliedUnreadable,
    /// Changes nothing; not sent.
    Skipped,
    /// Breaks a rule; not sent (only with `--skip-invalid`).
    Invalid,
    /// Not sent: the run was stopped, or an earlier row of the contact
    /// failed.
    NotSent,
}

impl Outcome {
    const ALL: [Outcome; 6] = [
        Outcome::Ok,
        Outcome::Failed,
        Outcome::AppliedUnreadable,
        Outcome::Skipped,
        Outcome::Invalid,
        Outcome::NotSent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::AppliedUnreadable => "applied_unreadable",
            Outcome::Skipped => "skipped",
            Outcome::Invalid => "invalid",
            Outcome::NotSent => "not_sent",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// Whether a resume leaves the row alone: it needs nothing more, or
    /// sending it again would apply it twice.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            Outcome::Ok | Outcome::Skipped | Outcome::AppliedUnreadable
        )
    }

    /// Whether the row was sent (and so may have been applied).
    pub fn was_sent(self) -> bool {
        matches!(
            self,
            Outcome::Ok | Outcome::Failed | Outcome::AppliedUnreadable
        )
    }
}

/// One row of the results.
#[derive(Debug, Clone)]
pub struct ResultRow {
    pub line: u64,
    pub digest: String,
    pub contact_id: String,
    pub outcome: Outcome,
    pub http_status: Option<u16>,
    pub request_id: Option<String>,
    pub error: Option<String>,
    /// For an ok row: the contact's tags as the server returned them, as
    /// an input cell writes them.
    pub tags: Option<String>,
    /// For an ok row whose contact has notes: the first 16 hex digits of
    /// the SHA-256 of the notes' JSON text as the server returned it.
    pub notes_sha256: Option<String>,
    /// For an ok row, with `--contacts-out`: the contact, whole; not in
    /// the results CSV.
    pub contact: Option<serde_json::Value>,
}

impl ResultRow {
    pub fn new(line: u64, digest: &str, contact_id: &str, outcome: Outcome) -> Self {
        Self {
            line,
            digest: digest.to_owned(),
            contact_id: contact_id.to_owned(),
            outcome,
            http_status: None,
            request_id: None,
            error: None,
            tags: None,
            notes_sha256: None,
            contact: None,
        }
    }
}

/// The path used when `--results` is not given: beside the input, so that
/// it is easy to find (`contacts.csv` gives `contacts.results.csv`).
pub fn default_path(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "contacts".to_owned());
    input.with_file_name(format!("{stem}.results.csv"))
}

/// Writes rows, each flushed to the file as it comes.
pub struct Writer {
    csv: csv::Writer<File>,
}

impl Writer {
    /// Starts the results in `file`, header first.
    pub fn new(file: File) -> io::Result<Self> {
        let mut csv = csv::Writer::from_writer(file);
        csv.write_record(HEADER)?;
        csv.flush()?;
        Ok(Self { csv })
    }

    /// Writes the row and flushes it to the file.
    pub fn write(&mut self, row: &ResultRow) -> io::Result<()> {
        let status = row.http_status.map(|s| s.to_string()).unwrap_or_default();
        self.csv.write_record([
            row.line.to_string().as_str(),
            &row.digest,
            &spreadsheet_cell(&row.contact_id),
            row.outcome.as_str(),
            &status,
            &spreadsheet_cell(row.request_id.as_deref().unwrap_or("")),
            &spreadsheet_cell(row.error.as_deref().unwrap_or("")),
            &spreadsheet_cell(row.tags.as_deref().unwrap_or("")),
            row.notes_sha256.as_deref().unwrap_or(""),
        ])?;
        self.csv.flush()
    }
}

/// Reads a results file row by row.
pub struct Reader {
    shown: String,
    csv: csv::Reader<File>,
    /// Where each of [`HEADER`]'s columns is; `None` for a later column
    /// that an older file does not have.
    at: [Option<usize>; HEADER.len()],
    last_line: u64,
    /// Where the text after the last line break starts: a row there was
    /// cut short.
    complete: u64,
}

impl Reader {
    pub fn open(path: &Path) -> Result<Self, String> {
        let shown = path.display().to_string();
        let mut file = File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let complete =
            complete_length(&mut file).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let mut csv = csv::Reader::from_reader(file);
        let header = csv.headers().map_err(|e| format!("{shown}: {e}"))?.clone();
        let mut at = [None; HEADER.len()];
        for (column, (slot, name)) in at.iter_mut().zip(HEADER).enumerate() {
            *slot = header.iter().position(|h| h == name);
            if slot.is_none() && column < REQUIRED {
                return Err(format!(
                    "{shown} is not a results file of this version: it has no {name} column"
                ));
            }
        }
        Ok(Self {
            shown,
            csv,
            at,
            last_line: 0,
            complete,
        })
    }

    /// The next row, or `None` at the end. A last row cut short (the run
    /// that wrote it crashed mid-row) counts as the end: that row was not
    /// recorded.
    pub fn next_row(&mut self) -> Result<Option<ResultRow>, String> {
        let mut record = csv::StringRecord::new();
        let cut =
            |position: Option<&csv::Position>| position.is_some_and(|p| p.byte() >= self.complete);
        match self.csv.read_record(&mut record) {
            Ok(false) => return Ok(None),
            Ok(true) if cut(record.position()) => return Ok(None),
            Ok(true) => {}
            Err(e) if cut(e.position()) => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", self.shown)),
        }
        let cell = |column: usize| self.at[column].and_then(|at| record.get(at)).unwrap_or("");
        let bad = |what: &str| format!("{}: line {:?}: {what}", self.shown, cell(0));
        let line: u64 = cell(0)
            .parse()
            .map_err(|_| bad("the line is not a number"))?;
        if line <= self.last_line {
            return Err(bad("the rows are not in line order"));
        }
        self.last_line = line;
        let Some(outcome) = Outcome::parse(cell(3)) else {
            return Err(bad("unknown outcome"));
        };
        let text = |column: usize| Some(cell(column).to_owned()).filter(|s| !s.is_empty());
        Ok(Some(ResultRow {
            line,
            digest: cell(1).to_owned(),
            contact_id: cell(2).to_owned(),
            outcome,
            http_status: cell(4).parse().ok(),
            request_id: text(5),
            error: text(6),
            tags: text(7),
            notes_sha256: text(8),
            contact: None,
        }))
    }
}

/// The length of the file up to its last line break, from its end; the
/// file is left at its start.
fn complete_length(file: &mut File) -> io::Result<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let length = file.seek(SeekFrom::End(0))?;
    let tail_start = length.saturating_sub(64 * 1024);
    file.seek(SeekFrom::Start(tail_start))?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail)?;
    file.rewind()?;
    Ok(match tail.iter().rposition(|b| *b == b'\n') {
        Some(at) => tail_start + at as u64 + 1,
        None => tail_start,
    })
}

/// The rows of an earlier run, looked up in step with the input: both are
/// in line order, so one pass over each is enough.
pub struct Previous {
    reader: Reader,
    next: Option<ResultRow>,
    started: bool,
}

impl Previous {
    pub fn open(path: &Path) -> Result<Self, String> {
        Ok(Self {
            reader: Reader::open(path)?,
            next: None,
            started: false,
        })
    }

    /// The recorded row of `line`, if any; rows before it are passed over.
    /// Lines must be asked for in increasing order.
    pub fn at(&mut self, line: u64) -> Result<Option<ResultRow>, String> {
        if !self.started {
            self.started = true;
            self.next = self.reader.next_row()?;
        }
        while self.next.as_ref().is_some_and(|row| row.line < line) {
            self.next = self.reader.next_row()?;
        }
        if self.next.as_ref().is_some_and(|row| row.line == line) {
            let found = self.next.take();
            self.next = self.reader.next_row()?;
            return Ok(found);
        }
        Ok(None)
    }

    /// The first recorded line past every line asked for so far: a row of
    /// the earlier input that the current one does not have.
    pub fn beyond(&mut self) -> Result<Option<u64>, String> {
        if !self.started {
            self.started = true;
            self.next = self.reader.next_row()?;
        }
        Ok(self.next.as_ref().map(|row| row.line))
    }
}
