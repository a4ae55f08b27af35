//! The lines of a line-based input (JSON Lines, ids), with their numbers:
//! blank lines are skipped but counted, so that a line number is the one an
//! editor shows.

use std::fs::File;
use std::io::{BufRead, BufReader};

use super::Hashing;

pub(super) struct Lines {
    shown: String,
    reader: BufReader<Hashing<File>>,
    number: u64,
    buffer: Vec<u8>,
}

/// A non-blank line, trimmed.
pub(super) enum Line<'a> {
    Text(&'a str),
    /// Not UTF-8: the line as far as it could be read, for its digest.
    NotUtf8(String),
}

impl Lines {
    pub(super) fn new(file: Hashing<File>, shown: &str) -> Self {
        Self {
            shown: shown.to_owned(),
            reader: BufReader::new(file),
            number: 0,
            buffer: Vec::new(),
        }
    }

    /// The next non-blank line and its number, or `None` at the end.
    pub(super) fn next_line(&mut self) -> Result<Option<(u64, Line<'_>)>, String> {
        loop {
            self.buffer.clear();
            let read = self
                .reader
                .read_until(b'\n', &mut self.buffer)
                .map_err(|e| format!("cannot read {}: {e}", self.shown))?;
            if read == 0 {
                return Ok(None);
            }
            self.number += 1;
            let blank =
                std::str::from_utf8(&self.buffer).is_ok_and(|text| trimmed(text).is_empty());
            if !blank {
                break;
            }
        }
        let line = match std::str::from_utf8(&self.buffer) {
            Ok(text) => Line::Text(trimmed(text)),
            Err(_) => Line::NotUtf8(String::from_utf8_lossy(&self.buffer).trim().to_owned()),
        };
        Ok(Some((self.number, line)))
    }

    pub(super) fn finish(self) -> Result<(String, File), String> {
        // What the buffer holds was read, and so hashed, already.
        self.reader.into_inner().finish(&self.shown)
    }
}

/// A line without its line break, surrounding spaces or byte-order mark.
fn trimmed(text: &str) -> &str {
    text.trim().trim_start_matches('\u{feff}').trim()
}
