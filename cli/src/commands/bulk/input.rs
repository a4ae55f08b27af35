//! Reads the input CSV of a bulk run and checks every row with the
//! library's builder, so that every problem is known before anything is
//! sent.
//!
//! The format (also in the README and `contact bulk --help`): a header row
//! naming the columns, in any order, of which only `contact_id` is required:
//! `contact_id,account_id,add,remove,set,notes`. An empty cell changes
//! nothing. Several tags in one cell are separated by `;` (`;;` for a `;` in
//! a name). `(clear)` in `set` removes every tag, and in `notes` clears the
//! notes. Notes are JSON text.

use std::path::Path;

use talktohumans::{InvalidInput, TagChange, UpdateContactInput};

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

/// Reads and checks every row. An error is about the file as a whole
/// (unreadable, no usable header); problems of single rows are in their
/// [`Check`].
pub fn read(path: &Path) -> Result<Vec<Row>, String> {
    let shown = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    let header = reader
        .headers()
        .map_err(|e| format!("{shown}: cannot read the header row: {e}"))?
        .clone();
    let columns = Columns::from_header(&header).map_err(|e| format!("{shown}: {e}"))?;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, csv::Position::line);
                rows.push(columns.row(line, &record));
            }
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(format!("cannot read {shown}: {e}"));
                }
                rows.push(Row {
                    line,
                    contact_id: String::new(),
                    check: Check::Invalid(unreadable(&e)),
                });
            }
        }
    }
    Ok(rows)
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
        let contact_id = self.cell(record, 0).trim().to_owned();
        let check = match self.input(&contact_id, record) {
            Ok(input) => Check::Ready(Box::new(input)),
            Err(RowError::Input(InvalidInput::NothingToUpdate)) => Check::NothingToUpdate,
            Err(RowError::Input(e)) => Check::Invalid(e.to_string()),
            Err(RowError::Tag(column, e)) => Check::Invalid(format!("{column}: {e}")),
        };
        Row {
            line,
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
