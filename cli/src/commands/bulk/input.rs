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

use std::collections::BTreeMap;
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
    pub fn new(mut file: File, shown: &str, names: &ColumnNames) -> Result<Self, String> {
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
        let columns = Columns::from_header(&header, names).map_err(|e| format!("{shown}: {e}"))?;
        Ok(Self {
            shown: shown.to_owned(),
            csv,
            columns,
            record: csv::StringRecord::new(),
        })
    }

    /// The header's columns that the tool does not use (an export's
    /// `name`, `email`, ...), as written.
    pub fn ignored(&self) -> &[String] {
        &self.columns.ignored
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

/// The input's own names for the tool's columns (`--column
/// contact_id="Record ID"`): each tool column, with the header it is read
/// from instead of its own name.
pub type ColumnNames = BTreeMap<String, String>;

/// Reads `NAME=HEADER` for `--column`: NAME one of the tool's columns.
pub fn parse_column(text: &str) -> Result<(String, String), String> {
    let Some((name, header)) = text.split_once('=') else {
        return Err(format!(
            "{text:?} is not NAME=HEADER, e.g. contact_id=\"Record ID\""
        ));
    };
    let name = name.trim().to_ascii_lowercase();
    if !COLUMNS.contains(&name.as_str()) {
        return Err(format!(
            "{name:?} is not a column of this tool; the columns are {}",
            COLUMNS.join(",")
        ));
    }
    if header.trim().is_empty() {
        return Err(format!("no header is named for {name}"));
    }
    Ok((name, header.trim().to_owned()))
}

/// A header's name as compared: without a byte-order mark, surrounding
/// spaces or case.
fn normalized(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase()
}

/// The tool's column that `name` (normalized) looks like a slip of, if any:
/// the same letters without `_`, `-` or spaces (`contactid`, `Contact ID`),
/// one or two edits away (`accont_id`, `note`), or `tag`/`tags`, which could
/// mean any of the three tag columns.
fn looks_like(name: &str) -> Option<String> {
    if matches!(name, "tag" | "tags") {
        return Some("add, remove or set".to_owned());
    }
    let squeezed = |text: &str| -> String {
        text.chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .collect()
    };
    COLUMNS
        .iter()
        .find(|column| {
            squeezed(column) == squeezed(name)
                || strsim::damerau_levenshtein(column, name) <= slips_allowed(name)
        })
        .map(|column| (*column).to_owned())
}

/// How many edits a header may be from a column's name to be taken for a
/// slip of it: none for a short name (`id`), one for a name as short as the
/// tool's (`note`, but not `added`, an export's date), two for a longer one.
fn slips_allowed(name: &str) -> usize {
    match name.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// Where each known column is.
struct Columns {
    index: [Option<usize>; 6],
    /// The header's other columns, as written.
    ignored: Vec<String>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord, names: &ColumnNames) -> Result<Self, String> {
        let mut index = [None; 6];
        let mut ignored = Vec::new();
        for (at, written) in header.iter().enumerate() {
            let name = normalized(written);
            let renamed = names
                .iter()
                .find(|(_, header)| normalized(header) == name)
                .map(|(column, _)| column.as_str());
            let column = match renamed {
                Some(column) => column,
                // A tool column's own name counts only where no --column
                // names another header for it.
                None if !names.contains_key(&name) => name.as_str(),
                None => "",
            };
            let Some(known) = COLUMNS.iter().position(|c| *c == column) else {
                if renamed.is_none()
                    && !names.contains_key(&name)
                    && let Some(meant) = looks_like(&name)
                {
                    return Err(format!(
                        "column {name:?} in the header row is not one of this tool's; did you \
                         mean {meant}? (Rename it, or map it with --column {}=HEADER.)",
                        meant.split(',').next().unwrap_or(&meant)
                    ));
                }
                ignored.push(written.trim().trim_start_matches('\u{feff}').to_owned());
                continue;
            };
            if index[known].replace(at).is_some() {
                return Err(format!("column {column:?} appears twice in the header row"));
            }
        }
        for (column, header) in names {
            let known = COLUMNS.iter().position(|c| c == column);
            if known.is_some_and(|k| index[k].is_none()) {
                return Err(format!(
                    "--column {column}={header:?}: the header row has no column {header:?}"
                ));
            }
        }
        if index[0].is_none() {
            return Err(format!(
                "the header row has no contact_id column; the columns are {} (map an \
                 export's own name with --column contact_id=HEADER)",
                COLUMNS.join(",")
            ));
        }
        Ok(Self { index, ignored })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(header: &[&str], names: &[(&str, &str)]) -> Result<Columns, String> {
        let names = names
            .iter()
            .map(|(c, h)| ((*c).to_owned(), (*h).to_owned()))
            .collect();
        Columns::from_header(&csv::StringRecord::from(header.to_vec()), &names)
    }

    #[test]
    fn an_exports_other_columns_are_ignored_and_named() {
        let found = columns(
            &["\u{feff}Name", "contact_id", "email", "Add", "company"],
            &[],
        )
        .unwrap();
        assert_eq!(found.ignored, ["Name", "email", "company"]);
        assert_eq!(found.index[0], Some(1));
        assert_eq!(found.index[2], Some(3), "names are read without their case");
    }

    #[test]
    fn a_slip_of_a_column_name_is_refused_with_what_it_looks_like() {
        for (header, meant) in [
            ("contactid", "contact_id"),
            ("Contact ID", "contact_id"),
            ("accont_id", "account_id"),
            ("note", "notes"),
            ("tag", "add, remove or set"),
            ("tags", "add, remove or set"),
            ("remve", "remove"),
            ("sets", "set"),
        ] {
            let error = columns(&["contact_id", header], &[]).err().unwrap();
            assert!(
                error.contains(&format!("did you mean {meant}?")),
                "{header}: {error}"
            );
        }
    }

    #[test]
    fn an_exports_own_names_near_the_tools_are_not_slips() {
        let found = columns(&["contact_id", "added", "id", "account", "stage"], &[]).unwrap();
        assert_eq!(found.ignored, ["added", "id", "account", "stage"]);
    }

    #[test]
    fn column_names_map_an_exports_own() {
        let names = [("contact_id", "Record ID"), ("add", "Tags to add")];
        let found = columns(&["Record ID", "Tags to add", "contact_id"], &names).unwrap();
        assert_eq!(found.index[0], Some(0));
        assert_eq!(found.index[2], Some(1));
        // The tool's own name, once mapped away, is just another column.
        assert_eq!(found.ignored, ["contact_id"]);
        let error = columns(&["Id"], &[("contact_id", "Record ID")])
            .err()
            .unwrap();
        assert!(
            error.contains("the header row has no column \"Record ID\""),
            "{error}"
        );
    }

    #[test]
    fn a_column_flag_names_a_tool_column() {
        assert_eq!(
            parse_column("contact_id=Record ID").unwrap(),
            ("contact_id".to_owned(), "Record ID".to_owned())
        );
        assert!(
            parse_column("email=E-mail")
                .unwrap_err()
                .contains("not a column")
        );
        assert!(
            parse_column("contact_id")
                .unwrap_err()
                .contains("NAME=HEADER")
        );
    }
}
