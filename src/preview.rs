//! Text from outside shown safely and briefly: error messages, drift reports
//! and TRACE events show what a server sent without repeating all of it, and
//! without letting it act on the terminal or log that shows it. Its own
//! module because all three use it.

use std::borrow::Cow;
use std::fmt::Write;

/// At most `max` characters of `text`, with an ellipsis when cut, escaped
/// (see [`escape`]): for a `Display` of text that came from outside.
pub(crate) fn preview(text: &str, max: usize) -> Cow<'_, str> {
    match cut(text, max) {
        Cow::Borrowed(text) => escape(text),
        Cow::Owned(text) => Cow::Owned(escape(&text).into_owned()),
    }
}

/// At most `max` characters of `text`, with an ellipsis when cut, not
/// escaped: for text shown with `{:?}`, whose quoting escapes it already.
pub(crate) fn cut(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
    }
}

/// `text` with every character that could act on a terminal or hide text
/// written as an escape: control characters (C0, DEL and C1, so that no
/// escape sequence such as `ESC [2J` reaches a terminal, and no `\r` or `\n`
/// rewrites or forges a log line) as `\r`, `\n`, `\t` or `\u{1b}`, and the
/// invisible formatting characters that reorder or hide text (bidirectional
/// overrides and isolates, zero-width characters, line and paragraph
/// separators, the byte order mark) as `\u{202e}` and the like, as Rust's
/// `Debug` writes them. Borrowed when nothing needs escaping.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(needs_escape) else {
        return Cow::Borrowed(text);
    };
    let mut escaped = String::with_capacity(text.len() + 8);
    escaped.push_str(&text[..first]);
    for c in text[first..].chars() {
        match c {
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            c if needs_escape(c) => {
                // Writing to a String cannot fail.
                let _ = write!(escaped, "\\u{{{:x}}}", u32::from(c));
            }
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'              // Arabic letter mark
            | '\u{200b}'..='\u{200f}' // zero-width characters, LRM, RLM
            | '\u{2028}'..='\u{202e}' // separators, embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // isolates
            | '\u{feff}'              // byte order mark, zero-width no-break space
        )
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
        assert_eq!(cut("abcd", 3), "abc…");
    }

    #[test]
    fn what_acts_on_a_terminal_is_escaped() {
        assert_eq!(escape("\u{1b}[2Jgone"), "\\u{1b}[2Jgone");
        assert_eq!(escape("ok\rforged"), "ok\\rforged");
        assert_eq!(escape("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(escape("\u{7f}\u{85}\u{9b}"), "\\u{7f}\\u{85}\\u{9b}");
        assert_eq!(escape("user\u{202e}gpj.exe"), "user\\u{202e}gpj.exe");
        assert_eq!(
            escape("\u{2066}x\u{2069}\u{200b}\u{feff}"),
            "\\u{2066}x\\u{2069}\\u{200b}\\u{feff}"
        );
    }

    #[test]
    fn ordinary_text_is_kept_as_it_is() {
        let text = "Contact not found: \"Tomás\" (42) — 日本語 \\u{1b}";
        assert!(matches!(escape(text), Cow::Borrowed(t) if t == text));
    }

    /// The cut counts the characters sent, and the escape comes after it, so
    /// that an escape is never cut in half.
    #[test]
    fn previews_escape_after_cutting() {
        assert_eq!(preview("ab\u{1b}cd", 3), "ab\\u{1b}…");
    }
}
