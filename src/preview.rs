//! Short previews of text for messages and logs: error messages, drift
//! reports and TRACE events show what a server sent without repeating all of
//! it. Its own module because all three use it.

/// At most `max` characters of `text`, with an ellipsis when cut.
pub(crate) fn preview(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_cuts_on_char_boundaries() {
        assert_eq!(preview("abc", 3), "abc");
        assert_eq!(preview("abcd", 3), "abc…");
        assert_eq!(preview("ééé", 2), "éé…");
        assert_eq!(preview("", 0), "");
    }
}
