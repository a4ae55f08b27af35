//! Text from outside (the server's answers, the input file) made harmless
//! where it ends up: a terminal, which obeys escape sequences, and a
//! spreadsheet, which runs formulas.

use std::borrow::Cow;

/// Escapes control characters (C0, DEL and C1, such as ESC or the CSI of
/// an escape sequence) as `\u{..}`, so that text from outside cannot move
/// the cursor, change colors or retitle the terminal. Line breaks and tabs
/// are escaped too: one message stays on one line.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            safe.push_str(&c.escape_unicode().to_string());
        } else {
            safe.push(c);
        }
    }
    Cow::Owned(safe)
}

/// The first characters that make a spreadsheet read a cell as a formula
/// (OWASP's CSV injection list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet shows as text: one that starts with a formula
/// character gets a leading `'`, which spreadsheets take as "text follows"
/// and do not show. Other cells are unchanged.
pub fn spreadsheet_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(terminal("plain text, ünïcode"), "plain text, ünïcode");
        assert_eq!(
            terminal("\x1b[2Jname\x07\u{9b}31m"),
            "\\u{1b}[2Jname\\u{7}\\u{9b}31m"
        );
        assert_eq!(terminal("a\nb\tc\r"), "a\\u{a}b\\u{9}c\\u{d}");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_cell(cell), format!("'{cell}"));
        }
        for cell in ["mock-1", "", "a=b", "'=x", "HTTP 404"] {
            assert_eq!(spreadsheet_cell(cell), cell);
        }
    }
}
