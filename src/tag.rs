//! A tag as the caller writes it, how an update changes the tags, and the
//! checks on tag names.

use crate::error::InvalidInput;
use crate::generated::types;

/// A tag to add, or to put in a replacement list.
///
/// ```
/// use talktohumans::Tag;
///
/// let hot = Tag::new("Hot lead").with_color("red");
/// assert_eq!(hot.name(), "Hot lead");
/// assert_eq!(hot.color(), Some("red"));
/// assert_eq!(Tag::from("Old tag").color(), None);
/// ```
///
/// Names are sent as given (no trimming, no case folding) and compared
/// exactly. The color is an open string: the API reference shows only "red"
/// and lists no values. Without a color the server decides (assumption: the
/// reference does not say whether a color is required).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tag {
    name: String,
    color: Option<String>,
}

impl Tag {
    /// A tag with this name and no color.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            color: None,
        }
    }

    /// The same tag with this color.
    #[must_use]
    pub fn with_color(mut self, color: impl Into<String>) -> Self {
        self.color = Some(color.into());
        self
    }

    /// The tag's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tag's color, if one was given.
    pub fn color(&self) -> Option<&str> {
        self.color.as_deref()
    }

    pub(crate) fn to_wire(&self) -> Result<types::TagInput, InvalidInput> {
        Ok(types::TagInput {
            name: tag_name(&self.name)?,
            color: self.color.clone(),
        })
    }
}

impl<S: Into<String>> From<S> for Tag {
    fn from(name: S) -> Self {
        Tag::new(name)
    }
}

/// How an update changes a contact's tags: the API takes either a whole new
/// list (`tags.set`) or names to add and remove (`tags.add`/`tags.remove`),
/// never both. Being one value, a change cannot be both either; choose the
/// variant at run time, for example from a CSV row.
///
/// ```
/// use talktohumans::{Tag, TagChange, UpdateContactInput};
///
/// // A row of an export: "set" wins when it has tags, else add/remove.
/// let (set, add, remove) = (Vec::<&str>::new(), vec!["Hot lead"], vec!["Cold"]);
/// let change = if set.is_empty() {
///     TagChange::incremental(add, remove)
/// } else {
///     TagChange::replace(set)
/// };
/// let input = UpdateContactInput::builder("123").tags(change).build()?;
/// assert_eq!(input.body_json(), r#"{"tags":{"add":[{"name":"Hot lead"}],"remove":["Cold"]}}"#);
/// # Ok::<(), talktohumans::InvalidInput>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TagChange {
    /// The contact's tags become exactly these, in this order (`tags.set`);
    /// an empty list removes every tag.
    Replace(Vec<Tag>),
    /// These tags are added and the tags with these names removed
    /// (`tags.add`/`tags.remove`); the contact's other tags stay.
    Incremental {
        /// Tags to add; adding a tag the contact has is left to the server.
        add: Vec<Tag>,
        /// Names of tags to remove; removing an absent tag is left to the
        /// server.
        remove: Vec<String>,
    },
}

impl TagChange {
    /// Replaces the contact's tags with exactly these.
    pub fn replace<I>(tags: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Tag>,
    {
        TagChange::Replace(tags.into_iter().map(Into::into).collect())
    }

    /// Removes every tag (`"tags": {"set": []}`).
    pub fn clear() -> Self {
        TagChange::Replace(Vec::new())
    }

    /// Adds the tags `add` and removes the tags named in `remove`.
    pub fn incremental<A, R>(add: A, remove: R) -> Self
    where
        A: IntoIterator,
        A::Item: Into<Tag>,
        R: IntoIterator,
        R::Item: Into<String>,
    {
        TagChange::Incremental {
            add: add.into_iter().map(Into::into).collect(),
            remove: remove.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether applying the change could leave the tags as they are: an
    /// incremental change with nothing to add or remove. A replacement,
    /// even by an empty list, is a change.
    pub fn is_empty(&self) -> bool {
        matches!(self, TagChange::Incremental { add, remove } if add.is_empty() && remove.is_empty())
    }
}

/// A checked tag name: not empty and not only white space.
pub(crate) fn tag_name(name: &str) -> Result<types::TagName, InvalidInput> {
    let blank = || InvalidInput::BlankTagName {
        name: name.to_owned(),
    };
    // The generated check (pattern `\S`) follows ECMAScript's idea of white
    // space; this one is Unicode's, and runs first, so both agree on refusal.
    if name.trim().is_empty() {
        return Err(blank());
    }
    types::TagName::try_from(name).map_err(|_| blank())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_names_are_refused() {
        for name in ["", " ", "\t\n", "\u{a0}", "\u{3000}", "\u{2003}"] {
            assert_eq!(
                tag_name(name).unwrap_err(),
                InvalidInput::BlankTagName { name: name.into() },
                "{name:?}"
            );
        }
        for name in ["a", " a ", "Hot lead", "🔥"] {
            assert_eq!(tag_name(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn an_empty_replacement_is_a_change_and_an_empty_edit_is_not() {
        assert!(!TagChange::clear().is_empty());
        assert!(TagChange::incremental(Vec::<Tag>::new(), Vec::<String>::new()).is_empty());
        assert!(!TagChange::incremental(["a"], Vec::<String>::new()).is_empty());
        assert!(!TagChange::incremental(Vec::<Tag>::new(), ["a"]).is_empty());
    }
}
