//! The rules of the API an input can break, checked before anything is sent.

use std::fmt;

use crate::preview::cut;

/// A rule of the API that an input breaks; each has its own variant.
///
/// ```
/// use talktohumans::{InvalidInput, UpdateContactInput};
///
/// let error = UpdateContactInput::builder("123")
///     .add_tag("Hot lead")
///     .remove_tag("Hot lead")
///     .build()
///     .unwrap_err();
/// assert_eq!(error, InvalidInput::TagAddedAndRemoved { name: "Hot lead".into() });
/// assert_eq!(error.to_string(), r#"tag "Hot lead" is both added and removed"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidInput {
    /// A contact id does not match `^[1-9][0-9]*$`.
    #[error("contact id {:?} {problem}", cut(.value, 40))]
    ContactId {
        /// The value given.
        value: String,
        /// What is wrong with it.
        problem: IdProblem,
    },

    /// An account id does not match `^[1-9][0-9]*$`.
    #[error("account id {:?} {problem}", cut(.value, 40))]
    AccountId {
        /// The value given.
        value: String,
        /// What is wrong with it.
        problem: IdProblem,
    },

    /// A tag name is empty or only white space.
    #[error("tag name {name:?} is empty or only white space")]
    BlankTagName {
        /// The name given.
        name: String,
    },

    /// The same tag is both added and removed in one update.
    #[error("tag {:?} is both added and removed", cut(.name, 80))]
    TagAddedAndRemoved {
        /// The tag's name.
        name: String,
    },

    /// The same tag appears twice in one list with different colors.
    #[error("tag {:?} appears twice with different colors ({first:?} and {second:?})", cut(.name, 80))]
    ConflictingTagColors {
        /// The tag's name.
        name: String,
        /// The color given first.
        first: Option<String>,
        /// The color given later.
        second: Option<String>,
    },

    /// The notes text is not valid JSON.
    #[error("notes text is not valid JSON: {reason}")]
    NotesNotJson {
        /// The parser's message (position and kind of error).
        reason: String,
    },

    /// The notes text is empty or only white space: ambiguous, since the API
    /// reads an empty string as "clear".
    #[error("notes text is empty: call clear_notes() to clear the notes")]
    EmptyNotesText,

    /// The notes value could not be serialized as JSON.
    #[error("notes could not be serialized as JSON: {reason}")]
    NotesNotSerializable {
        /// The serializer's message.
        reason: String,
    },

    /// The update both replaces the tags (`set_tags`, `clear_tags`) and adds
    /// or removes some (`add_tag`, `remove_tag`); the API takes one or the
    /// other. Use one [`TagChange`](crate::TagChange).
    #[error(
        "the update both replaces the tags and adds or removes some; the API takes one or the other"
    )]
    ReplaceCombinedWithAddOrRemove,

    /// The notes are JSON `null`: the API would store a null, not clear the
    /// notes. Clearing is `clear_notes()`.
    #[error(
        "notes are JSON null, which would be stored as null: call clear_notes() to clear the notes"
    )]
    NullNotes,

    /// The update sets no tag and no notes: sending it would change nothing.
    #[error("the update changes no tag and no notes")]
    NothingToUpdate,

    /// An extra header would replace or duplicate one the crate or the
    /// connection sets itself (`Authorization`, `Content-Type`, `Accept`,
    /// `Content-Length`, `Host`, `User-Agent`, the hop-by-hop headers...).
    #[error("header {name:?} is set by the client and cannot be given as an extra header")]
    ReservedHeader {
        /// The header's name, in lower case.
        name: String,
    },

    /// An extra header's name is not a valid header name, or its value
    /// holds a byte a header cannot carry. The value is never shown: it can
    /// be a secret.
    #[error("header {:?} cannot be sent: {reason}", cut(.name, 80))]
    InvalidHeader {
        /// The header's name, as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A per-request attempt timeout of zero: every attempt would time out
    /// before it is sent.
    #[error("the attempt timeout is zero")]
    ZeroAttemptTimeout,
}

/// Why an id does not match `^[1-9][0-9]*$`.
///
/// ```
/// use talktohumans::{ContactId, IdProblem, InvalidInput};
///
/// let Err(InvalidInput::ContactId { problem, .. }) = ContactId::new("12a") else {
///     panic!("12a is not an id");
/// };
/// assert_eq!(problem, IdProblem::NotADigit { at: 2, found: 'a' });
/// assert_eq!(problem.to_string(), "has 'a' at byte 2, where only ASCII digits are allowed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdProblem {
    /// The id is empty.
    Empty,
    /// The id starts with `0`.
    LeadingZero,
    /// A character is not an ASCII digit (a sign, a space, a non-ASCII digit...).
    NotADigit {
        /// Its byte offset.
        at: usize,
        /// The character.
        found: char,
    },
}

impl fmt::Display for IdProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdProblem::Empty => f.write_str("is empty"),
            IdProblem::LeadingZero => f.write_str("starts with 0"),
            IdProblem::NotADigit { at, found } => {
                write!(
                    f,
                    "has {found:?} at byte {at}, where only ASCII digits are allowed"
                )
            }
        }
    }
}
