//! How a tag is written on the command line and in a CSV cell.
//!
//! `NAME` or `NAME:COLOR`; the text after the last `:` is the color, so a
//! name that contains `:` is written with a trailing `:` (no color) or
//! `:COLOR`. No escape character is needed, which matters in shells and
//! spreadsheets, where backslashes get mangled. A color with white space is
//! refused: it is almost always a name with `:` written without the
//! trailing `:`, and sending it would create a wrong tag.

use talktohumans::Tag;

/// The syntax, for `--help` and error messages.
pub const SYNTAX: &str = "write a tag as NAME or NAME:COLOR (\"Hot lead:red\"); \
a name that contains ':' ends with ':' or ':COLOR' (\"Stage: won:\", \"Stage: won:green\")";

/// Parses `NAME` or `NAME:COLOR`. Blank names are left to the library's
/// check, whose message is the same everywhere.
pub fn parse_tag(text: &str) -> Result<Tag, String> {
    let Some((name, color)) = text.rsplit_once(':') else {
        return Ok(Tag::new(text));
    };
    if color.is_empty() {
        return Ok(Tag::new(name));
    }
    if color.chars().any(char::is_whitespace) {
        return Err(format!(
            "tag {text:?}: the color {color:?} has white space; {SYNTAX}"
        ));
    }
    Ok(Tag::new(name).with_color(color))
}

/// Parses a tag to remove: the same syntax, so that a tag copied from an
/// `add` reads the same, but a color makes no sense there and is refused
/// rather than ignored.
pub fn parse_name(text: &str) -> Result<String, String> {
    let tag = parse_tag(text)?;
    match tag.color() {
        None => Ok(tag.name().to_owned()),
        Some(color) => Err(format!(
            "tag {text:?}: a tag to remove has no color; drop \":{color}\" \
             (a name that contains ':' ends with ':', as in \"Stage: won:\")"
        )),
    }
}

/// Splits a CSV cell into its tags: separated by `;`, with `;;` for a `;`
/// inside a name; white space around each tag is dropped, and so are empty
/// items (a trailing `;`).
pub fn split_cell(cell: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ';' {
            if chars.peek() == Some(&';') {
                chars.next();
                current.push(';');
            } else {
                items.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

/// Writes tags as one CSV cell that [`split_cell`] and [`parse_tag`] read
/// back: the inverse of the input syntax, so a results cell can be pasted
/// into an input file. A name with `:` always gets its trailing `:` (or
/// `:COLOR`), or the text after its last `:` would read as a color.
pub fn write_cell<'a>(tags: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> String {
    let mut cell = String::new();
    for (name, color) in tags {
        if !cell.is_empty() {
            cell.push(';');
        }
        cell.push_str(&name.replace(';', ";;"));
        match color {
            Some(color) => {
                cell.push(':');
                cell.push_str(&color.replace(';', ";;"));
            }
            None if name.contains(':') => cell.push(':'),
            None => {}
        }
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_color_is_after_the_last_colon() {
        let tag = parse_tag("Hot lead:red").unwrap();
        assert_eq!((tag.name(), tag.color()), ("Hot lead", Some("red")));
        let tag = parse_tag("Hot lead").unwrap();
        assert_eq!((tag.name(), tag.color()), ("Hot lead", None));
        let tag = parse_tag("Stage: won:").unwrap();
        assert_eq!((tag.name(), tag.color()), ("Stage: won", None));
        let tag = parse_tag("Stage: won:green").unwrap();
        assert_eq!((tag.name(), tag.color()), ("Stage: won", Some("green")));
        let tag = parse_tag("a:b:").unwrap();
        assert_eq!((tag.name(), tag.color()), ("a:b", None));
    }

    #[test]
    fn a_colon_name_without_its_trailing_colon_is_refused() {
        let error = parse_tag("Stage: won").unwrap_err();
        assert!(error.contains("\" won\" has white space"), "{error}");
        assert!(error.contains("\"Stage: won:\""), "{error}");
    }

    #[test]
    fn a_tag_to_remove_has_no_color() {
        assert_eq!(parse_name("Old tag").unwrap(), "Old tag");
        assert_eq!(parse_name("Stage: won:").unwrap(), "Stage: won");
        assert!(
            parse_name("Old tag:gray")
                .unwrap_err()
                .contains("drop \":gray\"")
        );
    }

    #[test]
    fn cells_split_on_single_semicolons() {
        assert_eq!(split_cell("Hot lead:red; Q3 ;"), ["Hot lead:red", "Q3"]);
        assert_eq!(split_cell("R&D;;Ops;Sales"), ["R&D;Ops", "Sales"]);
        assert_eq!(split_cell("a;;;b"), ["a;", "b"]);
        assert!(split_cell("  ").is_empty());
    }

    #[test]
    fn written_cells_read_back_as_the_same_tags() {
        let tags = [
            ("Hot lead", Some("red")),
            ("R&D;Ops", None),
            ("Stage: won", None),
            ("Stage: lost", Some("gray")),
            ("a;", Some("b")),
            ("plain", None),
        ];
        let cell = write_cell(tags);
        assert_eq!(
            cell,
            "Hot lead:red;R&D;;Ops;Stage: won:;Stage: lost:gray;a;;:b;plain"
        );
        let back: Vec<(String, Option<String>)> = split_cell(&cell)
            .iter()
            .map(|item| {
                let tag = parse_tag(item).unwrap();
                (tag.name().to_owned(), tag.color().map(str::to_owned))
            })
            .collect();
        let expected: Vec<(String, Option<String>)> = tags
            .iter()
            .map(|(n, c)| ((*n).to_owned(), c.map(str::to_owned)))
            .collect();
        assert_eq!(back, expected);
        assert_eq!(write_cell([]), "");
    }
}
