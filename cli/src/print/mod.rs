//! Output: what the commands print, written so that a closed pipe
//! (`talktohumans ... | head`, `2>&1 | head`) ends nothing with a panic, as
//! `println!` and `eprintln!` would; and the escaping of text from outside.

mod sanitize;

use std::io::Write;

pub use self::sanitize::{spreadsheet_cell, terminal};

/// Writes a line to standard output; a reader that has gone is ignored.
pub fn out(text: impl std::fmt::Display) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Writes a line to standard error; a reader that has gone is ignored.
pub fn err(text: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
