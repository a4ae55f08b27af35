//! The input validators (ids, tag names, notes text) accept exactly what the
//! API allows, refuse the rest with the right typed error, and never panic.
//!
//! Run with `cargo fuzz run inputs` from the repository root.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use talktohumans::{AccountId, ContactId, UpdateContactInput, InvalidInput, Tag};

#[path = "../../tests/oracle/blank.rs"]
mod blank;
use blank::is_blank;

#[derive(Arbitrary, Debug)]
struct Inputs<'a> {
    id: &'a str,
    tag: &'a str,
    color: Option<&'a str>,
    other_tag: &'a str,
    notes: &'a str,
}

fn is_id(value: &str) -> bool {
    value.starts_with(|c: char| ('1'..='9').contains(&c))
        && value.bytes().all(|b| b.is_ascii_digit())
}

fuzz_target!(|input: Inputs<'_>| {
    match ContactId::new(input.id) {
        Ok(id) => assert!(is_id(input.id) && id.as_str() == input.id),
        Err(error) => {
            assert!(!is_id(input.id));
            assert!(matches!(error, InvalidInput::ContactId { .. }), "{error:?}");
            let _ = format!("{error} {error:?}");
        }
    }
    match AccountId::new(input.id) {
        Ok(id) => assert!(is_id(input.id) && id.as_str() == input.id),
        Err(error) => assert!(matches!(error, InvalidInput::AccountId { .. }) && !is_id(input.id)),
    }

    let mut tag = Tag::new(input.tag);
    if let Some(color) = input.color {
        tag = tag.with_color(color);
    }
    let built = UpdateContactInput::builder(input.id)
        .account_id(input.id)
        .add_tag(tag.clone())
        .remove_tag(input.other_tag)
        .notes_json(input.notes)
        .build();
    // The first broken rule, in the order the builder checks them.
    let notes_ok = !input.notes.trim().is_empty()
        && input.notes.trim() != "null"
        && serde_json::from_str::<serde::de::IgnoredAny>(input.notes).is_ok();
    match &built {
        Ok(update) => {
            assert!(is_id(input.id));
            assert!(!is_blank(input.tag) && !is_blank(input.other_tag));
            assert_ne!(input.tag, input.other_tag);
            assert!(notes_ok);
            let body: serde_json::Value = serde_json::from_str(&update.body_json()).unwrap();
            assert_eq!(body["notes_json"].as_str(), Some(input.notes));
            assert_eq!(body["tags"]["add"][0]["name"].as_str(), Some(input.tag));
            assert_eq!(body["tags"]["remove"][0].as_str(), Some(input.other_tag));
        }
        Err(InvalidInput::ContactId { .. } | InvalidInput::AccountId { .. }) => {
            assert!(!is_id(input.id))
        }
        Err(InvalidInput::BlankTagName { name }) => {
            assert!(is_id(input.id));
            assert!(is_blank(name) && (name == input.tag || name == input.other_tag));
        }
        Err(InvalidInput::TagAddedAndRemoved { name }) => {
            assert_eq!(name, input.tag);
            assert_eq!(input.tag, input.other_tag);
        }
        Err(
            InvalidInput::EmptyNotesText
            | InvalidInput::NotesNotJson { .. }
            | InvalidInput::NullNotes,
        ) => {
            assert!(!notes_ok);
        }
        Err(other) => panic!("{other:?}"),
    }
    if let Err(error) = &built {
        let _ = format!("{error} {error:?}");
    }

    // Replacing: the same name twice with different colors is refused.
    let set = UpdateContactInput::builder("1")
        .set_tags([tag.clone(), Tag::new(input.tag)])
        .build();
    match set {
        Ok(update) => {
            assert!(!is_blank(input.tag));
            assert!(input.color.is_none());
            let body: serde_json::Value = serde_json::from_str(&update.body_json()).unwrap();
            assert_eq!(body["tags"]["set"].as_array().map(Vec::len), Some(1));
        }
        Err(InvalidInput::BlankTagName { .. }) => assert!(is_blank(input.tag)),
        Err(InvalidInput::ConflictingTagColors { .. }) => assert!(input.color.is_some()),
        Err(other) => panic!("{other:?}"),
    }
});
