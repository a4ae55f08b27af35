//! `--csv`: a header row naming the columns, in any order and any case, of
//! which only `contact_id` is required: `contact_id,account_id,add,remove,
//! set,notes`. Other columns (an export's `name`, `email`) are ignored and
//! named once; one that looks like a slip of the tool's (`tags`) refuses
//! the file. An empty cell changes nothing. Several tags in one cell are
//! separated by `;` (`;;` for a `;` in a name). `(clear)` in `set` removes
//! every tag, and in `notes` clears the notes. Notes are JSON text.

use std::fs::File;

use super::fields::{self, ColumnNames, FIELDS, Field, Named};
use super::{Check, Hashing, Row, digest_of};
use crate::change::Change;

pub(super) struct CsvRows {
    shown: String,
    csv: csv::Reader<Hashing<File>>,
    columns: Columns,
    record: csv::StringRecord,
}

impl CsvRows {
    pub(super) fn new(
        file: Hashing<File>,
        shown: &str,
        names: &ColumnNames,
    ) -> Result<Self, String> {
        let mut csv = csv::ReaderBuilder::new().flexible(false).from_reader(file);
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

    pub(super) fn ignored(&self) -> &[String] {
        &self.columns.ignored
    }

    pub(super) fn next_row(&mut self) -> Result<Option<Row>, String> {
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

    pub(super) fn finish(self) -> Result<(String, File), String> {
        self.csv.into_inner().finish(&self.shown)
    }
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

/// Where each field's column is.
struct Columns {
    index: [Option<usize>; FIELDS.len()],
    /// The header's other columns, as written.
    ignored: Vec<String>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord, names: &ColumnNames) -> Result<Self, String> {
        let mut index = [None; FIELDS.len()];
        let mut ignored = Vec::new();
        for (at, written) in header.iter().enumerate() {
            match fields::named(written, names) {
                Named::Field(field) => {
                    if index[field.0].replace(at).is_some() {
                        return Err(format!(
                            "column {:?} appears twice in the header row",
                            field.name()
                        ));
                    }
                }
                Named::Other => ignored.push(fields::shown(written).to_owned()),
                Named::Slip(meant) => {
                    return Err(fields::slip_message(
                        "column {} in the header row",
                        written,
                        &meant,
                    ));
                }
            }
        }
        for (field, header) in names {
            let known = FIELDS.iter().position(|f| f == field);
            if known.is_some_and(|k| index[k].is_none()) {
                return Err(format!(
                    "--column {field}={header:?}: the header row has no column {header:?}"
                ));
            }
        }
        if index[Field::CONTACT_ID.0].is_none() {
            return Err(format!(
                "the header row has no contact_id column; the columns are {} (map an \
                 export's own name with --column contact_id=HEADER)",
                FIELDS.join(",")
            ));
        }
        Ok(Self { index, ignored })
    }

    fn cell<'r>(&self, record: &'r csv::StringRecord, field: Field) -> &'r str {
        self.index[field.0]
            .and_then(|at| record.get(at))
            .unwrap_or("")
    }

    fn row(&self, line: u64, record: &csv::StringRecord) -> Row {
        let cells: Vec<&str> = (0..FIELDS.len())
            .map(|f| self.cell(record, Field(f)))
            .collect();
        let contact_id = self.cell(record, Field::CONTACT_ID).trim().to_owned();
        let check = match self.change(record) {
            Ok(change) => Check::of(change.input(&contact_id)),
            Err(why) => Check::Invalid(why),
        };
        Row {
            line,
            digest: digest_of(&cells),
            contact_id,
            check,
        }
    }

    fn change(&self, record: &csv::StringRecord) -> Result<Change, String> {
        let cell = |field: Field| self.cell(record, field);
        let tags = |field: Field| fields::tag_cell(field, cell(field));
        let account_id = cell(Field::ACCOUNT_ID).trim();
        Ok(Change {
            account_id: (!account_id.is_empty()).then(|| account_id.to_owned()),
            add: tags(Field::ADD)?.unwrap_or_default(),
            remove: tags(Field::REMOVE)?.unwrap_or_default(),
            set: tags(Field::SET)?,
            notes: fields::notes_cell(cell(Field::NOTES)),
        })
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
    fn a_slip_of_a_column_name_refuses_the_file() {
        let error = columns(&["contact_id", "tags"], &[]).err().unwrap();
        assert!(
            error.contains("\"tags\" in the header row is not one of this tool's; did you mean add, remove or set?"),
            "{error}"
        );
        let error = columns(&["contact_id", "Add", "add"], &[]).err().unwrap();
        assert!(error.contains("\"add\" appears twice"), "{error}");
    }

    #[test]
    fn column_names_map_an_exports_own() {
        let names = [("contact_id", "Record ID"), ("add", "Tags to add")];
        let found = columns(&["Record ID", "Tags to add", "contact_id"], &names).unwrap();
        assert_eq!(found.index[0], Some(0));
        assert_eq!(found.index[2], Some(1));
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
    fn a_row_is_checked_with_its_fields() {
        let found = columns(&["contact_id", "set", "add", "notes"], &[]).unwrap();
        let row = |cells: &[&str]| found.row(2, &csv::StringRecord::from(cells.to_vec()));
        let Check::Ready(input) = row(&["41236", "(clear)", "", "(clear)"]).check else {
            panic!("a clearing row is ready");
        };
        assert_eq!(input.body_json(), r#"{"notes_json":"","tags":{"set":[]}}"#);
        let Check::Invalid(why) = row(&["41236", "A", "B", ""]).check else {
            panic!("set with add is invalid");
        };
        assert!(why.contains("replaces the tags and adds"), "{why}");
        let Check::Invalid(why) = row(&["41236", ";", "", ""]).check else {
            panic!("a set that names no tag is invalid");
        };
        assert!(why.contains("names no tag"), "{why}");
        assert!(matches!(
            row(&["41236", "", "", " "]).check,
            Check::NothingToUpdate
        ));
    }
}
