//! A change to a contact as the tool takes it in, before the library checks
//! it: tags as written (`NAME` or `NAME:COLOR`), notes as JSON text. The
//! flags of `contact update` make one; so do `contact bulk --ids` (one
//! change for every id), and each row of a CSV or JSON Lines input.

use std::path::PathBuf;

use clap::Args;
use serde::{Deserialize, Serialize};
use talktohumans::{InvalidInput, UpdateContactInput};

use crate::tags;

/// The flags that say what to change, shared by `contact update` and
/// `contact bulk --ids`.
#[derive(Debug, Clone, Default, Args)]
pub struct ChangeArgs {
    /// The LinkedIn account whose view of the contact (and notes) to change;
    /// required when the contact exists under several accounts.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,

    /// Add a tag (repeatable): NAME or NAME:COLOR.
    #[arg(long, value_name = "TAG")]
    pub add: Vec<String>,

    /// Remove the tag with this name (repeatable).
    #[arg(long, value_name = "TAG")]
    pub remove: Vec<String>,

    /// Replace all the contact's tags with these (repeatable).
    #[arg(long, value_name = "TAG", conflicts_with = "clear_tags")]
    pub set: Vec<String>,

    /// Remove all the contact's tags.
    #[arg(long)]
    pub clear_tags: bool,

    /// Replace the notes with this JSON text.
    #[arg(long, value_name = "JSON", conflicts_with_all = ["notes_file", "clear_notes"])]
    pub notes: Option<String>,

    /// Replace the notes with the JSON text in this file (`-` reads standard
    /// input).
    #[arg(long, value_name = "FILE", conflicts_with = "clear_notes")]
    pub notes_file: Option<PathBuf>,

    /// Clear the notes.
    #[arg(long)]
    pub clear_notes: bool,
}

impl ChangeArgs {
    /// Whether any of the flags is given.
    pub fn given(&self) -> bool {
        self.account.is_some()
            || !self.add.is_empty()
            || !self.remove.is_empty()
            || !self.set.is_empty()
            || self.clear_tags
            || self.notes.is_some()
            || self.notes_file.is_some()
            || self.clear_notes
    }

    /// Why the flags do not go together, if they do not: clap cannot say
    /// why in its own message.
    pub fn conflict(&self) -> Option<String> {
        if (self.set.is_empty() && !self.clear_tags)
            || (self.add.is_empty() && self.remove.is_empty())
        {
            return None;
        }
        let replace = if self.clear_tags {
            "--clear-tags"
        } else {
            "--set"
        };
        Some(format!(
            "{replace} replaces all the contact's tags, so it cannot be combined with --add or \
             --remove; give the whole new list with --set, or change some tags with --add and \
             --remove"
        ))
    }

    /// The change the flags ask for, with the notes file read.
    pub fn change(&self) -> Result<Change, String> {
        let notes = if self.clear_notes {
            Some(Notes::Clear)
        } else if let Some(text) = &self.notes {
            Some(Notes::Json(text.clone()))
        } else if let Some(path) = &self.notes_file {
            let text = read_text(path)
                .map_err(|e| format!("cannot read the notes file {}: {e}", path.display()))?;
            Some(Notes::Json(text))
        } else {
            None
        };
        Ok(Change {
            account_id: self.account.clone(),
            add: self.add.clone(),
            remove: self.remove.clone(),
            set: if self.clear_tags {
                Some(Vec::new())
            } else if self.set.is_empty() {
                None
            } else {
                Some(self.set.clone())
            },
            notes,
        })
    }
}

/// A file argument whose `-` means standard input.
fn read_text(path: &PathBuf) -> std::io::Result<String> {
    if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
}

/// What to change in a contact, as written; [`Change::input`] checks it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The account whose view of the contact to change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Tags to add, each `NAME` or `NAME:COLOR`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add: Vec<String>,
    /// Names of tags to remove.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
    /// The tags that replace all the contact's; an empty list removes them
    /// all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<Vec<String>>,
    /// What becomes of the notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Notes>,
}

/// What becomes of the notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notes {
    /// Cleared.
    Clear,
    /// Replaced by this JSON text (checked by the library).
    Json(String),
}

/// Each tag of `field`, read with `parse`.
fn parse<T>(
    field: &'static str,
    texts: &[String],
    parse: fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, ChangeError> {
    texts
        .iter()
        .map(|text| parse(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ChangeError::Tag(field, e))
}

/// Why a change cannot be sent.
#[derive(Debug)]
pub enum ChangeError {
    /// A tag of this field (`add`, `remove`, `set`) is not written as the
    /// tool reads tags.
    Tag(&'static str, String),
    /// The library refuses the update.
    Input(InvalidInput),
}

impl Change {
    /// The update of `contact_id` this change makes, checked by the library.
    pub fn input(&self, contact_id: &str) -> Result<UpdateContactInput, ChangeError> {
        let mut builder = UpdateContactInput::builder(contact_id);
        if let Some(account) = &self.account_id {
            builder = builder.account_id(account);
        }
        if let Some(set) = &self.set {
            builder = builder.set_tags(parse("set", set, tags::parse_tag)?);
        }
        // After `set`, so that the builder sees both and refuses the mix
        // with its own message.
        builder = builder
            .add_tags(parse("add", &self.add, tags::parse_tag)?)
            .remove_tags(parse("remove", &self.remove, tags::parse_name)?);
        match &self.notes {
            Some(Notes::Clear) => builder = builder.clear_notes(),
            Some(Notes::Json(text)) => builder = builder.notes_json(text),
            None => {}
        }
        builder.build().map_err(ChangeError::Input)
    }

    /// The change as the flags that give it, for messages.
    pub fn as_flags(&self) -> String {
        let quoted = |text: &str| format!("{text:?}");
        let mut flags = Vec::new();
        if let Some(account) = &self.account_id {
            flags.push(format!("--account {}", quoted(account)));
        }
        for (flag, texts) in [("--add", &self.add), ("--remove", &self.remove)] {
            flags.extend(texts.iter().map(|t| format!("{flag} {}", quoted(t))));
        }
        match &self.set {
            Some(set) if set.is_empty() => flags.push("--clear-tags".to_owned()),
            Some(set) => flags.extend(set.iter().map(|t| format!("--set {}", quoted(t)))),
            None => {}
        }
        match &self.notes {
            Some(Notes::Clear) => flags.push("--clear-notes".to_owned()),
            Some(Notes::Json(text)) => flags.push(format!("--notes {}", quoted(text))),
            None => {}
        }
        if flags.is_empty() {
            "none".to_owned()
        } else {
            flags.join(" ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ChangeArgs {
        ChangeArgs::default()
    }

    #[test]
    fn set_or_clear_tags_with_add_or_remove_is_a_conflict() {
        let set_and_add = ChangeArgs {
            set: vec!["A".into()],
            add: vec!["B".into()],
            ..args()
        };
        assert!(
            set_and_add
                .conflict()
                .unwrap()
                .starts_with("--set replaces")
        );
        let clear_and_remove = ChangeArgs {
            clear_tags: true,
            remove: vec!["B".into()],
            ..args()
        };
        assert!(
            clear_and_remove
                .conflict()
                .unwrap()
                .starts_with("--clear-tags replaces")
        );
        let add_and_remove = ChangeArgs {
            add: vec!["A".into()],
            remove: vec!["B".into()],
            ..args()
        };
        assert_eq!(add_and_remove.conflict(), None);
    }

    #[test]
    fn flags_make_the_change_they_say() {
        let change = ChangeArgs {
            account: Some("77".into()),
            add: vec!["Webinar:blue".into()],
            clear_notes: true,
            ..args()
        }
        .change()
        .unwrap();
        let input = change.input("41236").unwrap();
        assert_eq!(input.contact_id().to_string(), "41236");
        let body: serde_json::Value = serde_json::from_str(&input.body_json()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "account_id": "77",
                "tags": {"add": [{"name": "Webinar", "color": "blue"}]},
                "notes_json": ""
            })
        );
        let cleared = ChangeArgs {
            clear_tags: true,
            ..args()
        }
        .change()
        .unwrap();
        let body: serde_json::Value =
            serde_json::from_str(&cleared.input("1").unwrap().body_json()).unwrap();
        assert_eq!(body, serde_json::json!({"tags": {"set": []}}));
    }

    #[test]
    fn a_bad_tag_is_named_by_its_field() {
        let change = Change {
            remove: vec!["Old:red".into()],
            ..Change::default()
        };
        match change.input("1") {
            Err(ChangeError::Tag("remove", message)) => {
                assert!(message.contains("has no color"), "{message}");
            }
            other => panic!("expected a remove tag error, got {other:?}"),
        }
    }

    #[test]
    fn the_change_round_trips_through_the_run_record() {
        let change = Change {
            add: vec!["Q4".into()],
            notes: Some(Notes::Json("{\"a\":1}".into())),
            ..Change::default()
        };
        let json = serde_json::to_string(&change).unwrap();
        assert_eq!(json, r#"{"add":["Q4"],"notes":{"json":"{\"a\":1}"}}"#);
        assert_eq!(serde_json::from_str::<Change>(&json).unwrap(), change);
        assert_eq!(change.as_flags(), r#"--add "Q4" --notes "{\"a\":1}""#);
    }
}
