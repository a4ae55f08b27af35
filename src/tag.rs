//! A tag as the caller writes it, and its checks.

use crate::error::InvalidInput;
use crate::generated::types;

/// A tag to add, or to set in a replacement list.
///
/// ```
/// use talktohumans::Tag;
///
/// let hot = Tag::new("Hot lead").color("red");
/// assert_eq!(hot.name(), "Hot lead");
/// assert_eq!(hot.color_name(), Some("red"));
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

    /// Sets the tag's color.
    #[must_use]
    pub fn color(mut self, color: impl Into<String>) -> Self {
        self.color = Some(color.into());
        self
    }

    /// The tag's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tag's color, if one was given.
    pub fn color_name(&self) -> Option<&str> {
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
}
