//! Reads the input of a bulk run as a stream, one row at a time, and checks
//! every row with the library's builder, so that every problem is known
//! before anything is sent. The same file is read twice: once to check it
//! (and take its digest), once to send it; nothing is held but the row at
//! hand. Standard input is first copied to a private temporary file, so
//! that it too can be read twice.
//!
//! Three formats (also in the README and `contact bulk --help`), each with
//! its own reader: a CSV with a header row (`csv`), one JSON object a line
//! (`jsonl`), and one contact id a line with one change for all (`ids`).
//! The first two have the same fields, read by `fields`.

mod csv;
mod fields;
mod ids;
mod jsonl;
mod lines;

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use talktohumans::{InvalidInput, UpdateContactInput};

pub use self::fields::{ColumnNames, parse_column};
use crate::change::{Change, ChangeError};
use crate::context::hex;
use crate::print::err;

/// The path that stands for standard input.
pub const STDIN: &str = "-";

/// How the input is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A header row, then one row per update (`--csv`).
    #[default]
    Csv,
    /// One JSON object a line (`--jsonl`).
    Jsonl,
    /// One contact id a line, with one change for all (`--ids`).
    Ids,
}

impl Format {
    /// The flag that reads this format.
    pub fn flag(self) -> &'static str {
        match self {
            Format::Csv => "--csv",
            Format::Jsonl => "--jsonl",
            Format::Ids => "--ids",
        }
    }
}

/// How to read an input: its format, the names its fields go by, and for
/// `--ids` the change for every id.
#[derive(Debug, Clone, Copy)]
pub struct Intake<'a> {
    pub format: Format,
    pub columns: &'a ColumnNames,
    pub change: Option<&'a Change>,
}

/// One data row of the input.
#[derive(Debug)]
pub struct Row {
    /// The line the row starts on in the file (a CSV's header is line 1).
    pub line: u64,
    /// A digest of the row's content, so that a resume matches rows by
    /// what they say, not only by where they are.
    pub digest: String,
    /// The contact id as written (trimmed), for the results.
    pub contact_id: String,
    pub check: Check,
}

/// What checking a row found.
#[derive(Debug)]
pub enum Check {
    /// Ready to send.
    Ready(Box<UpdateContactInput>),
    /// The row changes nothing: reported and skipped, not an error.
    NothingToUpdate,
    /// Why the row cannot be sent.
    Invalid(String),
}

impl Check {
    /// What the library made of a row's change.
    fn of(built: Result<UpdateContactInput, ChangeError>) -> Self {
        match built {
            Ok(input) => Check::Ready(Box::new(input)),
            Err(ChangeError::Input(InvalidInput::NothingToUpdate)) => Check::NothingToUpdate,
            Err(ChangeError::Input(e)) => Check::Invalid(e.to_string()),
            Err(ChangeError::Tag(field, e)) => Check::Invalid(format!("{field}: {e}")),
        }
    }
}

/// Reads the bytes it passes on into a SHA-256.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buffer)?;
        self.hasher.update(&buffer[..n]);
        Ok(n)
    }
}

impl Hashing<File> {
    fn new(inner: File) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// The SHA-256 of the whole file (what is left unread is read now), in
    /// hex, and the file, to read again.
    fn finish(mut self, shown: &str) -> Result<(String, File), String> {
        io::copy(&mut self, &mut io::sink()).map_err(|e| format!("cannot read {shown}: {e}"))?;
        Ok((hex(&self.hasher.finalize()), self.inner))
    }
}

/// The rows of an open input file, read in one pass from its start.
pub struct Rows(Reader);

enum Reader {
    Csv(csv::CsvRows),
    Jsonl(jsonl::JsonlRows),
    Ids(ids::IdRows),
}

impl Rows {
    /// Starts reading `file` from its beginning (a CSV's header first). An
    /// error is about the file as a whole (unreadable, no usable header);
    /// problems of single rows are in their [`Check`].
    pub fn new(mut file: File, shown: &str, intake: Intake<'_>) -> Result<Self, String> {
        io::Seek::rewind(&mut file).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let file = Hashing::new(file);
        Ok(Rows(match (intake.format, intake.change) {
            (Format::Csv, _) => Reader::Csv(csv::CsvRows::new(file, shown, intake.columns)?),
            (Format::Jsonl, _) => Reader::Jsonl(jsonl::JsonlRows::new(file, shown, intake.columns)),
            (Format::Ids, Some(change)) => {
                Reader::Ids(ids::IdRows::new(file, shown, change.clone()))
            }
            (Format::Ids, None) => {
                return Err("--ids needs a change for its ids (--add, --set, --notes, ...)".into());
            }
        }))
    }

    /// The input's fields that the tool does not use (an export's `name`,
    /// `email`, ...), as written, found so far.
    pub fn ignored(&self) -> &[String] {
        match &self.0 {
            Reader::Csv(rows) => rows.ignored(),
            Reader::Jsonl(rows) => rows.ignored(),
            Reader::Ids(_) => &[],
        }
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row>, String> {
        match &mut self.0 {
            Reader::Csv(rows) => rows.next_row(),
            Reader::Jsonl(rows) => rows.next_row(),
            Reader::Ids(rows) => rows.next_row(),
        }
    }

    /// The SHA-256 of the whole file (what is left unread is read now), in
    /// hex, and the file, to read again.
    pub fn finish(self) -> Result<(String, File), String> {
        match self.0 {
            Reader::Csv(rows) => rows.finish(),
            Reader::Jsonl(rows) => rows.finish(),
            Reader::Ids(rows) => rows.finish(),
        }
    }
}

/// A row's digest: the first 8 bytes of the SHA-256 of its parts, in a
/// fixed order, each with its length, so that no two rows that differ share
/// it by accident of concatenation.
fn digest_of(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize()[..8])
}

/// Opens the input: a file, or standard input copied to a private
/// temporary file (deleted when closed) so that it can be read twice.
pub fn open(path: &Path, shown: &str) -> Result<File, String> {
    if path.as_os_str() != STDIN {
        return File::open(path).map_err(|e| format!("cannot read {shown}: {e}"));
    }
    let stdin = io::stdin();
    if stdin.is_terminal() {
        err("reading the input from the terminal; end it with Ctrl-D");
    }
    let mut spool = tempfile::tempfile().map_err(|e| format!("cannot keep standard input: {e}"))?;
    io::copy(&mut stdin.lock(), &mut spool)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(spool)
}
