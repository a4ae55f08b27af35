//! Reads the input CSV of a bulk run as a stream, one row at a time, and
//! checks every row with the library's builder, so that every problem is
//! known before anything is sent. The same file is read twice: once to
//! check it (and take its digest), once to send it; nothing is held but the
//! row at hand.
//!
//! The format (also in the README and `contact bulk --help`): a header row
//! naming the columns, in any order, of which only `contact_id` is required:
//! `contact_id,account_id,add,remove,set,notes`. An empty cell changes
//! nothing. Several tags in one cell are separated by `;` (`;;` for a `;` in
//! a name). `(clear)` in `set` removes every tag, and in `notes` clears the
//! notes. Notes are JSON text.

use std::fs::File;
use std::io::{self, Read, Seek};

use sha2::{Digest, Sha256};
use talktohumans::{InvalidInput, TagChange, UpdateContactInput};

use crate::context::hex;
use crate::tags;

/// The value that clears, in `set` and `notes`. Not valid JSON, so it cannot
/// be mistaken for notes.
pub const CLEAR: &str = "(clear)";

const COLUMNS: [&str; 6] = ["contact_id", "account_id", "add", "remove", "set", "notes"];

/// One data row of the input.
#[derive(Debug)]
pub struct Row {
    /// The line the row starts on in the file (the header is line 1).
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

/// The rows of an open input file, read in one pass from its start.
pub struct Rows {
    shown: String,
    csv: csv::Reader<Hashing<File>>,
    columns: Columns,
    record: csv::StringRecord,
}

impl Rows {
    /// Starts reading `file` from its beginning, header first. An error is
    /// about the file as a whole (unreadable, no usable header); problems
    /// of single rows are in their [`Check`].
    pub fn new(mut file: File, shown: &str) -> Result<Self, String> {
        file.rewind()
            .map_err(|e| format!("cannot read {shown}: {e}"))?;
        let mut csv = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(Hashing {
                inner: file,
                hasher: Sha256::new(),
            });
        let header = csv
            .headers()
            .map_err(|e| format!("{shown}: cannot read the header row: {e}"))?
            .clone();
        let columns = Columns::from_header(&header).map_err(|e| format!("{shown}: {e}"))?;
        Ok(Self {
            shown: shown.to_owned(),
            csv,
            columns,
            record: csv::StringRecord::new(),
        })
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row>, String> {
        match self.csv.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.record.position().map_or(0, csv::Position::line);
                Ok(Some(self.columns.row(line, &self.record)))
            }
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(format!("cannot read {}: {e}", self.shown));
                }
                Ok(Some(Row {
                    line,
                    digest: digest_of(&[]),
                    contact_id: String::new(),
                    check: Check::Invalid(unreadable(&e)),
                }))
            }
        }
    }

    /// The SHA-256 of the whole file (what is left unread is read now), in
    /// hex, and the file, to read again.
    pub fn finish(self) -> Result<(String, File), String> {
        let mut hashing = self.csv.into_inner();
        io::copy(&mut hashing, &mut io::sink())
            .map_err(|e| format!("cannot read {}: {e}", self.shown))?;
        Ok((hex(&hashing.hasher.finalize()), hashing.inner))
    }
}

/// A row's digest: the first 8 bytes of the SHA-256 of its known cells, in
/// a fixed order, each with its length, so that no two rows that differ
/// share it by accident of concatenation.
fn digest_of(cells: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for cell in cells {
        hasher.update((cell.len() as u64).to_le_bytes());
        hasher.update(cell.as_bytes());
    }
    hex(&hasher.finalize()[..8])
}

fn unreadable(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} cells where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8 text".to_owned(),
        _ => error.to_string(),
    }
}

/// Where each known column is.
struct Columns {
    index: [Option<usize>; 6],
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Self, String> {
        let mut index = [None; 6];
        for (at, name) in header.iter().enumerate() {
            let name = name
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase();
            let Some(known) = COLUMNS.iter().position(|c| *c == name) else {
                return Err(format!(
                    "unknown column {name:?} in the header row; the columns are {}",
                    COLUMNS.join(",")
                ));
            };
            if index[known].replace(at).is_some() {
                return Err(format!("column {name:?} appears twice in the header row"));
            }
        }
        if index[0].is_none() {
            return Err(format!(
                "the header row has no contact_id column; the columns are {}",
                COLUMNS.join(",")
            ));
        }
        Ok(Self { index })
    }

    fn cell<'r>(&self, record: &'r csv::StringRecord, column: usize) -> &'r str {
        self.index[column]
            .and_then(|at| record.get(at))
            .unwrap_or("")
    }

    fn row(&self, line: u64, record: &csv::StringRecord) -> Row {
        let cells: Vec<&str> = (0..COLUMNS.len()).map(|c| self.cell(record, c)).collect();
        let digest = digest_of(&cells);
        let contact_id = self.cell(record, 0).trim().to_owned();
        let check = match self.input(&contact_id, record) {
            Ok(input) => Check::Ready(Box::new(input)),
            Err(RowError::Input(InvalidInput::NothingToUpdate)) => Check::NothingToUpdate,
            Err(RowError::Input(e)) => Check::Invalid(e.to_string()),
            Err(RowError::Tag(column, e)) => Check::Invalid(format!("{column}: {e}")),
        };
        Row {
            line,
            digest,
            contact_id,
            check,
        }
    }

    fn input(
        &self,
        contact_id: &str,
        record: &csv::StringRecord,
    ) -> Result<UpdateContactInput, RowError> {
        let mut builder = UpdateContactInput::builder(contact_id);
        let account_id = self.cell(record, 1).trim();
        if !account_id.is_empty() {
            builder = builder.account_id(account_id);
        }
        let add = tags::split_cell(self.cell(record, 2))
            .iter()
            .map(|t| tags::parse_tag(t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| RowError::Tag("add", e))?;
        let remove = tags::split_cell(self.cell(record, 3))
            .iter()
            .map(|t| tags::parse_name(t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| RowError::Tag("remove", e))?;
        let set = self.cell(record, 4).trim();
        if set == CLEAR {
            builder = builder.tags(TagChange::clear());
        } else if !set.is_empty() {
            let set = tags::split_cell(set)
                .iter()
                .map(|t| tags::parse_tag(t))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| RowError::Tag("set", e))?;
            builder = builder.set_tags(set);
        }
        // After `set`, so that the builder sees both and refuses the mix
        // with its own message.
        builder = builder.add_tags(add).remove_tags(remove);
        let notes = self.cell(record, 5);
        if notes.trim() == CLEAR {
            builder = builder.clear_notes();
        } else if !notes.trim().is_empty() {
            builder = builder.notes_json(notes);
        }
        Ok(builder.build()?)
    }
}

enum RowError {
    Input(InvalidInput),
    Tag(&'static str, String),
}

impl From<InvalidInput> for RowError {
    fn from(e: InvalidInput) -> Self {
        RowError::Input(e)
    }
}
