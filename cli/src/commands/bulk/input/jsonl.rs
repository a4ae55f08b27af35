//! `--jsonl`: one JSON object a line, with the CSV's fields as keys.
//!
//! Ids are strings or whole numbers. Tags are a string written as a CSV
//! cell (`"Hot lead:red;Q4"`) or a list of strings, one tag each. `notes`
//! is the JSON value itself, sent as written in the file (key order and
//! number spelling kept). As in a CSV, what is not there changes nothing:
//! a missing key, `null`, `""` or `[]`; `"(clear)"` clears `set` or
//! `notes`. So an export's `"notes": null` never wipes a contact's notes.
//! A key given twice (in any case) makes the row invalid, since which one
//! was meant cannot be known.

use std::fmt;
use std::fs::File;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::fields::{self, CLEAR, ColumnNames, FIELDS, Field, Named};
use super::lines::{Line, Lines};
use super::{Check, Hashing, Row, digest_of};
use crate::change::{Change, Notes};

/// Keys the tool does not use, named at most this many times; past these,
/// "...".
const NAMED_IGNORED: usize = 20;

pub(super) struct JsonlRows {
    lines: Lines,
    names: ColumnNames,
    ignored: Vec<String>,
}

impl JsonlRows {
    pub(super) fn new(file: Hashing<File>, shown: &str, names: &ColumnNames) -> Self {
        Self {
            lines: Lines::new(file, shown),
            names: names.clone(),
            ignored: Vec::new(),
        }
    }

    pub(super) fn ignored(&self) -> &[String] {
        &self.ignored
    }

    pub(super) fn next_row(&mut self) -> Result<Option<Row>, String> {
        let Some((line, text)) = self.lines.next_line()? else {
            return Ok(None);
        };
        let (digest, contact_id, check) = match text {
            Line::Text(text) => {
                let (contact_id, check) =
                    read_row(text, &self.names, &mut |key| note(&mut self.ignored, key));
                (digest_of(&[text]), contact_id, check)
            }
            Line::NotUtf8(text) => (
                digest_of(&[&text]),
                String::new(),
                Check::Invalid("is not valid UTF-8 text".to_owned()),
            ),
        };
        Ok(Some(Row {
            line,
            digest,
            contact_id,
            check,
        }))
    }

    pub(super) fn finish(self) -> Result<(String, File), String> {
        self.lines.finish()
    }
}

/// Notes a key the tool does not use, once.
fn note(ignored: &mut Vec<String>, key: &str) {
    let key = fields::shown(key);
    if ignored.len() <= NAMED_IGNORED && !ignored.iter().any(|k| k == key) {
        ignored.push(if ignored.len() == NAMED_IGNORED {
            "...".to_owned()
        } else {
            key.to_owned()
        });
    }
}

/// A line's contact id (as far as it could be read) and what checking it
/// found.
fn read_row(text: &str, names: &ColumnNames, ignore: &mut dyn FnMut(&str)) -> (String, Check) {
    let Entries(entries) = match serde_json::from_str(text) {
        Ok(entries) => entries,
        Err(e) if e.is_data() => {
            return (
                String::new(),
                Check::Invalid("is not a JSON object (one object a line)".to_owned()),
            );
        }
        Err(e) => {
            return (
                String::new(),
                Check::Invalid(format!("is not valid JSON: {e}")),
            );
        }
    };
    let mut values: [Option<&RawValue>; FIELDS.len()] = Default::default();
    let mut problem = None;
    for (key, value) in &entries {
        match fields::named(key, names) {
            Named::Field(field) => {
                if values[field.0].replace(value).is_some() && problem.is_none() {
                    problem = Some(format!("has the key {} twice", field.name()));
                }
            }
            Named::Other => ignore(key),
            Named::Slip(meant) => {
                problem.get_or_insert_with(|| fields::slip_message("key {}", key, &meant));
            }
        }
    }
    let contact_id = match id(values[Field::CONTACT_ID.0], Field::CONTACT_ID) {
        Ok(id) => id.unwrap_or_default(),
        Err(why) => return (String::new(), Check::Invalid(why)),
    };
    if let Some(problem) = problem {
        return (contact_id, Check::Invalid(problem));
    }
    let check = match change(&values) {
        Ok(change) => Check::of(change.input(&contact_id)),
        Err(why) => Check::Invalid(why),
    };
    (contact_id, check)
}

fn change(values: &[Option<&RawValue>; FIELDS.len()]) -> Result<Change, String> {
    let value = |field: Field| values[field.0];
    Ok(Change {
        account_id: id(value(Field::ACCOUNT_ID), Field::ACCOUNT_ID)?,
        add: tags(value(Field::ADD), Field::ADD)?.unwrap_or_default(),
        remove: tags(value(Field::REMOVE), Field::REMOVE)?.unwrap_or_default(),
        set: tags(value(Field::SET), Field::SET)?,
        notes: value(Field::NOTES).map(notes).transpose()?.flatten(),
    })
}

/// An id: a string, or a whole number written as digits (kept as written,
/// however long).
fn id(value: Option<&RawValue>, field: Field) -> Result<Option<String>, String> {
    let Some(raw) = value else {
        return Ok(None);
    };
    let text = raw.get();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(text.to_owned()));
    }
    match parsed(raw) {
        Value::Null => Ok(None),
        Value::String(id) if id.trim().is_empty() => Ok(None),
        Value::String(id) => Ok(Some(id.trim().to_owned())),
        other => Err(format!(
            "{} is {}; write an id as a string or a whole number",
            field.name(),
            kind(&other)
        )),
    }
}

/// Tags: a string written as a CSV cell, or a list of strings, one tag
/// each.
fn tags(value: Option<&RawValue>, field: Field) -> Result<Option<Vec<String>>, String> {
    let Some(raw) = value else {
        return Ok(None);
    };
    match parsed(raw) {
        Value::Null => Ok(None),
        Value::String(cell) => fields::tag_cell(field, &cell),
        Value::Array(items) => {
            let mut tags = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(tag) = item else {
                    return Err(format!(
                        "{}: a list of tags holds strings, not {}",
                        field.name(),
                        kind(&item)
                    ));
                };
                match tag.trim() {
                    "" => {}
                    CLEAR => {
                        return Err(format!(
                            "{}: {CLEAR} is not a tag; write \"set\": \"{CLEAR}\" to remove \
                             every tag",
                            field.name()
                        ));
                    }
                    tag => tags.push(tag.to_owned()),
                }
            }
            Ok((!tags.is_empty()).then_some(tags))
        }
        other => Err(format!(
            "{} is {}; write tags as a string (\"Hot lead:red;Q4\") or a list of strings",
            field.name(),
            kind(&other)
        )),
    }
}

/// Notes: the JSON value as written; `null` or `""` changes nothing and
/// `"(clear)"` clears.
fn notes(raw: &RawValue) -> Result<Option<Notes>, String> {
    let text = raw.get();
    Ok(match text.as_bytes().first() {
        Some(b'n') => None,
        Some(b'"') => match parsed(raw) {
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) if s.trim() == CLEAR => Some(Notes::Clear),
            _ => Some(Notes::Json(text.to_owned())),
        },
        _ => Some(Notes::Json(text.to_owned())),
    })
}

/// A raw value that serde_json has already read, as a value.
fn parsed(raw: &RawValue) -> Value {
    // A RawValue is valid JSON by construction; Null stands for the
    // impossible.
    serde_json::from_str(raw.get()).unwrap_or(Value::Null)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// An object's entries in the order written, duplicates kept, each value
/// as written.
struct Entries(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Entries;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object (one object a line)")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str) -> (String, Check) {
        read_row(text, &ColumnNames::new(), &mut |_| {})
    }

    fn body(text: &str) -> serde_json::Value {
        match row(text).1 {
            Check::Ready(input) => serde_json::from_str(&input.body_json()).unwrap(),
            other => panic!("{text}: {other:?}"),
        }
    }

    fn invalid(text: &str) -> String {
        match row(text).1 {
            Check::Invalid(why) => why,
            other => panic!("{text}: expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn fields_are_the_csvs_with_tags_as_a_cell_or_a_list() {
        assert_eq!(
            body(r#"{"contact_id": 41236, "add": "Hot lead:red;Q4", "remove": ["Old tag"]}"#),
            serde_json::json!({"tags": {
                "add": [{"name": "Hot lead", "color": "red"}, {"name": "Q4"}],
                "remove": ["Old tag"]
            }})
        );
        assert_eq!(
            body(r#"{"Contact_ID": "27051", "account_id": 77, "set": ["Partner:green"]}"#),
            serde_json::json!({"account_id": "77", "tags": {"set": [{"name": "Partner", "color": "green"}]}})
        );
        assert_eq!(
            body(r#"{"contact_id": "1", "set": "(clear)", "notes": "(clear)"}"#),
            serde_json::json!({"tags": {"set": []}, "notes_json": ""})
        );
    }

    #[test]
    fn notes_are_the_json_value_sent_as_written() {
        let (_, check) =
            row(r#"{"contact_id": "1", "notes": {"z": 1.50, "a": [12345678901234567890123]}}"#);
        let Check::Ready(input) = check else {
            panic!("{check:?}")
        };
        assert!(
            input
                .body_json()
                .contains(r#""notes_json":"{\"z\": 1.50, \"a\": [12345678901234567890123]}""#),
            "key order and number spelling kept: {}",
            input.body_json()
        );
        assert_eq!(
            body(r#"{"contact_id": "1", "notes": "a note"}"#),
            serde_json::json!({"notes_json": "\"a note\""}),
            "a string is a JSON value like any other"
        );
    }

    #[test]
    fn what_is_not_there_changes_nothing() {
        for text in [
            r#"{"contact_id": "1", "notes": null, "set": [], "add": "", "remove": null}"#,
            r#"{"contact_id": "1", "email": "a@b.c"}"#,
        ] {
            assert!(matches!(row(text).1, Check::NothingToUpdate), "{text}");
        }
    }

    #[test]
    fn ids_are_strings_or_whole_numbers_kept_as_written() {
        let (id, _) = row(r#"{"contact_id": 123456789012345678901234, "add": "A"}"#);
        assert_eq!(id, "123456789012345678901234");
        assert!(invalid(r#"{"contact_id": 1.5, "add": "A"}"#).contains("contact_id is a number"));
        assert!(invalid(r#"{"contact_id": true, "add": "A"}"#).contains("true or false"));
        assert!(invalid(r#"{"add": "A"}"#).contains("contact"), "no id");
    }

    #[test]
    fn a_row_that_cannot_be_read_as_meant_is_invalid() {
        assert!(invalid("[1, 2]").starts_with("is not a JSON object"));
        assert!(invalid(r#"{"contact_id": "1", "add": "A""#).starts_with("is not valid JSON: EOF"));
        assert!(invalid(r#"{"contact_id": "1", "Add": "A", "add": "B"}"#).contains("twice"));
        assert!(
            invalid(r#"{"contact_id": "1", "tags": "A"}"#)
                .contains("did you mean add, remove or set?")
        );
        assert!(invalid(r#"{"contact_id": "1", "add": 3}"#).contains("add is a number"));
        assert!(invalid(r#"{"contact_id": "1", "add": ["A", 3]}"#).contains("holds strings"));
        assert!(invalid(r#"{"contact_id": "1", "set": ["(clear)"]}"#).contains("is not a tag"));
        let (id, _) = row(r#"{"contact_id": "9", "tags": "A"}"#);
        assert_eq!(
            id, "9",
            "the id is kept for the results even when the row is invalid"
        );
    }

    #[test]
    fn keys_the_tool_does_not_use_are_noted_once() {
        let mut ignored = Vec::new();
        for text in [
            r#"{"contact_id": "1", "add": "A", "email": "x", "Name": "y"}"#,
            r#"{"contact_id": "2", "add": "A", "email": "z"}"#,
        ] {
            read_row(text, &ColumnNames::new(), &mut |key| {
                note(&mut ignored, key)
            });
        }
        assert_eq!(ignored, ["email", "Name"]);
        for n in 0..30 {
            note(&mut ignored, &format!("k{n}"));
        }
        assert_eq!(ignored.len(), NAMED_IGNORED + 1);
        assert_eq!(ignored.last().map(String::as_str), Some("..."));
    }

    #[test]
    fn column_names_map_keys() {
        let names: ColumnNames = [("contact_id".to_owned(), "Record ID".to_owned())].into();
        let (id, check) = read_row(r#"{"Record ID": "5", "add": "A"}"#, &names, &mut |_| {});
        assert_eq!(id, "5");
        assert!(matches!(check, Check::Ready(_)));
    }
}
