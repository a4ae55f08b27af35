//! The fields a row of a CSV or JSON Lines input may have, and which field
//! a column header or a JSON key names: in any case, through `--column`,
//! and never a slip of one (`tags`, `contactid`) taken for something to
//! ignore.

use std::collections::BTreeMap;

use crate::change::Notes;
use crate::tags;

/// The value that clears, in `set` and `notes`. Not valid JSON, so it cannot
/// be mistaken for notes in a CSV.
pub const CLEAR: &str = "(clear)";

/// The tool's fields, in the order of [`Field`].
pub const FIELDS: [&str; 6] = ["contact_id", "account_id", "add", "remove", "set", "notes"];

/// A field of a row, as an index into [`FIELDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field(pub usize);

impl Field {
    pub const CONTACT_ID: Field = Field(0);
    pub const ACCOUNT_ID: Field = Field(1);
    pub const ADD: Field = Field(2);
    pub const REMOVE: Field = Field(3);
    pub const SET: Field = Field(4);
    pub const NOTES: Field = Field(5);

    pub fn name(self) -> &'static str {
        FIELDS[self.0]
    }
}

/// The input's own names for the tool's fields (`--column
/// contact_id="Record ID"`): each field, with the header or key it is read
/// from instead of its own name.
pub type ColumnNames = BTreeMap<String, String>;

/// Reads `NAME=HEADER` for `--column`: NAME one of the tool's fields.
pub fn parse_column(text: &str) -> Result<(String, String), String> {
    let Some((name, header)) = text.split_once('=') else {
        return Err(format!(
            "{text:?} is not NAME=HEADER, e.g. contact_id=\"Record ID\""
        ));
    };
    let name = name.trim().to_ascii_lowercase();
    if !FIELDS.contains(&name.as_str()) {
        return Err(format!(
            "{name:?} is not a column of this tool; the columns are {}",
            FIELDS.join(",")
        ));
    }
    if header.trim().is_empty() {
        return Err(format!("no header is named for {name}"));
    }
    Ok((name, header.trim().to_owned()))
}

/// The tags of a field (`add`, `remove`, `set`) written as one cell: `;`
/// between tags. Nothing written changes nothing; `(clear)` in `set` is
/// the empty list, which removes every tag (and is refused elsewhere). A `set` that names no tag
/// (`;`) is refused, so that a slip never clears a contact's tags.
pub fn tag_cell(field: Field, cell: &str) -> Result<Option<Vec<String>>, String> {
    let trimmed = cell.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed == CLEAR {
        return match field {
            Field::SET => Ok(Some(Vec::new())),
            _ => Err(format!(
                "{}: {CLEAR} clears only in set (to remove every tag)",
                field.name()
            )),
        };
    }
    let tags = tags::split_cell(cell);
    if tags.is_empty() && field == Field::SET {
        return Err(format!(
            "set: {trimmed:?} names no tag; write {CLEAR} to remove every tag"
        ));
    }
    Ok((!tags.is_empty()).then_some(tags))
}

/// The notes written as one cell: JSON text, or `(clear)`; nothing written
/// changes nothing.
pub fn notes_cell(cell: &str) -> Option<Notes> {
    match cell.trim() {
        "" => None,
        CLEAR => Some(Notes::Clear),
        _ => Some(Notes::Json(cell.to_owned())),
    }
}

/// What a header or key names.
#[derive(Debug, PartialEq, Eq)]
pub enum Named {
    /// One of the tool's fields.
    Field(Field),
    /// Something the tool does not use (an export's `name`, `email`).
    Other,
    /// Looks like a slip of a field's name: what it was probably meant to
    /// be.
    Slip(String),
}

/// What `written` names, given the input's own names.
pub fn named(written: &str, names: &ColumnNames) -> Named {
    let name = normalized(written);
    let renamed = names
        .iter()
        .find(|(_, header)| normalized(header) == name)
        .map(|(field, _)| field.as_str());
    let field = match renamed {
        Some(field) => field,
        // A field's own name counts only where no --column names another
        // header for it.
        None if !names.contains_key(&name) => name.as_str(),
        None => return Named::Other,
    };
    if let Some(at) = FIELDS.iter().position(|f| *f == field) {
        return Named::Field(Field(at));
    }
    match looks_like(&name) {
        Some(meant) => Named::Slip(meant),
        None => Named::Other,
    }
}

/// The message for a header or key that looks like a slip of a field.
/// `what` is the kind of name, with `{}` where the name goes.
pub fn slip_message(what: &str, written: &str, meant: &str) -> String {
    format!(
        "{} is not one of this tool's; did you mean {meant}? (Rename it, or map it with \
         --column {}={:?}.)",
        what.replace("{}", &format!("{:?}", shown(written))),
        meant.split(',').next().unwrap_or(meant),
        shown(written)
    )
}

/// A header or key as written, without a byte-order mark or surrounding
/// spaces.
pub fn shown(written: &str) -> &str {
    written.trim().trim_start_matches('\u{feff}').trim()
}

/// A header's name as compared: without a byte-order mark, surrounding
/// spaces or case.
fn normalized(name: &str) -> String {
    shown(name).to_lowercase()
}

/// The field that `name` (normalized) looks like a slip of, if any: the
/// same letters without `_`, `-` or spaces (`contactid`, `Contact ID`), one
/// or two edits away (`accont_id`, `note`), or `tag`/`tags`, which could
/// mean any of the three tag fields.
fn looks_like(name: &str) -> Option<String> {
    if matches!(name, "tag" | "tags") {
        return Some("add, remove or set".to_owned());
    }
    let squeezed = |text: &str| -> String {
        text.chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .collect()
    };
    FIELDS
        .iter()
        .find(|field| {
            squeezed(field) == squeezed(name)
                || strsim::damerau_levenshtein(field, name) <= slips_allowed(name)
        })
        .map(|field| (*field).to_owned())
}

/// How many edits a header may be from a field's name to be taken for a
/// slip of it: none for a short name (`id`), one for a name as short as the
/// tool's (`note`, but not `added`, an export's date), two for a longer one.
fn slips_allowed(name: &str) -> usize {
    match name.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_of_tags_changes_nothing_clears_or_names_tags() {
        assert_eq!(tag_cell(Field::ADD, "  "), Ok(None));
        assert_eq!(tag_cell(Field::ADD, ";"), Ok(None));
        assert_eq!(tag_cell(Field::SET, " (clear) "), Ok(Some(vec![])));
        assert!(
            tag_cell(Field::ADD, "(clear)")
                .unwrap_err()
                .contains("clears only in set"),
            "a tag named (clear) is not what anyone means"
        );
        assert_eq!(
            tag_cell(Field::SET, "A:red; B"),
            Ok(Some(vec!["A:red".to_owned(), "B".to_owned()]))
        );
        assert!(
            tag_cell(Field::SET, ";")
                .unwrap_err()
                .contains("names no tag"),
            "a set that names no tag never clears"
        );
        assert_eq!(notes_cell(""), None);
        assert_eq!(notes_cell("(clear)"), Some(Notes::Clear));
        assert_eq!(
            notes_cell(" {\"a\": 1}"),
            Some(Notes::Json(" {\"a\": 1}".to_owned()))
        );
    }

    #[test]
    fn a_slip_of_a_field_name_is_named_with_what_it_looks_like() {
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
            assert_eq!(
                named(header, &ColumnNames::new()),
                Named::Slip(meant.to_owned()),
                "{header}"
            );
        }
    }

    #[test]
    fn an_exports_own_names_near_the_tools_are_not_slips() {
        for header in ["added", "id", "account", "stage", "\u{feff}Name"] {
            assert_eq!(named(header, &ColumnNames::new()), Named::Other, "{header}");
        }
        assert_eq!(
            named(" Add ", &ColumnNames::new()),
            Named::Field(Field::ADD),
            "names are read without their case or spaces"
        );
    }

    #[test]
    fn column_names_map_an_exports_own() {
        let names: ColumnNames = [("contact_id".to_owned(), "Record ID".to_owned())].into();
        assert_eq!(named("record id", &names), Named::Field(Field::CONTACT_ID));
        // The tool's own name, once mapped away, is just another column.
        assert_eq!(named("contact_id", &names), Named::Other);
    }

    #[test]
    fn a_column_flag_names_a_tool_field() {
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
