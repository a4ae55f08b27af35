//! `--ids`: one contact id a line, each given the same change (the flags
//! `--add`, `--set`, `--notes`, ...). White space around an id and blank
//! lines are ignored; anything else on a line makes it invalid, so that a
//! CSV given here by mistake is refused rather than read in part.

use std::fs::File;

use super::lines::{Line, Lines};
use super::{Check, Hashing, Row, digest_of};
use crate::change::Change;

pub(super) struct IdRows {
    lines: Lines,
    change: Change,
}

impl IdRows {
    pub(super) fn new(file: Hashing<File>, shown: &str, change: Change) -> Self {
        Self {
            lines: Lines::new(file, shown),
            change,
        }
    }

    pub(super) fn next_row(&mut self) -> Result<Option<Row>, String> {
        let Some((line, text)) = self.lines.next_line()? else {
            return Ok(None);
        };
        Ok(Some(match text {
            Line::Text(id) => Row {
                line,
                digest: digest_of(&[id]),
                contact_id: id.to_owned(),
                check: Check::of(self.change.input(id)),
            },
            Line::NotUtf8(text) => Row {
                line,
                digest: digest_of(&[&text]),
                contact_id: String::new(),
                check: Check::Invalid("is not valid UTF-8 text".to_owned()),
            },
        }))
    }

    pub(super) fn finish(self) -> Result<(String, File), String> {
        self.lines.finish()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn rows(text: &[u8], change: Change) -> Vec<Row> {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(text).unwrap();
        std::io::Seek::rewind(&mut file).unwrap();
        let mut rows = IdRows::new(Hashing::new(file), "ids.txt", change);
        std::iter::from_fn(|| rows.next_row().unwrap()).collect()
    }

    fn add(tag: &str) -> Change {
        Change {
            add: vec![tag.to_owned()],
            ..Change::default()
        }
    }

    #[test]
    fn each_id_gets_the_change_on_its_own_line_number() {
        let found = rows(
            b"\xef\xbb\xbf41236\r\n\n  27051  \n18442",
            add("Webinar:blue"),
        );
        let lines: Vec<(u64, &str)> = found
            .iter()
            .map(|r| (r.line, r.contact_id.as_str()))
            .collect();
        assert_eq!(lines, [(1, "41236"), (3, "27051"), (4, "18442")]);
        for row in &found {
            let Check::Ready(input) = &row.check else {
                panic!("line {}: {:?}", row.line, row.check);
            };
            assert_eq!(input.contact_id().to_string(), row.contact_id);
            assert!(input.body_json().contains(r#""name":"Webinar""#));
        }
        assert_ne!(found[0].digest, found[1].digest);
    }

    #[test]
    fn a_line_that_is_not_an_id_is_invalid() {
        let found = rows(b"contact_id\n41236,Hot lead\n\xff\xfe\n", add("Q4"));
        assert_eq!(found.len(), 3);
        for row in &found {
            assert!(matches!(row.check, Check::Invalid(_)), "{row:?}");
        }
        let Check::Invalid(why) = &found[2].check else {
            unreachable!()
        };
        assert_eq!(why, "is not valid UTF-8 text");
    }

    #[test]
    fn the_digest_is_of_the_whole_file() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"1\n2\n").unwrap();
        std::io::Seek::rewind(&mut file).unwrap();
        let mut rows = IdRows::new(Hashing::new(file), "ids.txt", add("Q4"));
        rows.next_row().unwrap();
        let (digest, _) = rows.finish().unwrap();
        assert_eq!(
            digest,
            crate::context::hex(&<sha2::Sha256 as sha2::Digest>::digest(b"1\n2\n"))
        );
    }
}
