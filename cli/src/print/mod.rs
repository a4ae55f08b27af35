//! Output: what the commands print, written so that a closed pipe
//! (`talktohumans ... | head`, `2>&1 | head`) ends nothing with a panic, as
//! `println!` and `eprintln!` would; and the escaping of text from outside.

mod sanitize;

use std::io::Write;
use std::sync::OnceLock;

pub use self::sanitize::{spreadsheet_cell, terminal};

/// How the results are printed (`--format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Sentences for people.
    #[default]
    Text,
    /// JSON on standard output, for scripts; sentences go to standard error.
    Json,
}

#[derive(Debug, Clone, Copy, Default)]
struct Mode {
    format: Format,
    quiet: bool,
}

static MODE: OnceLock<Mode> = OnceLock::new();

/// Sets `--format` and `--quiet` for the whole run, once, before anything
/// is printed.
pub fn set_mode(format: Format, quiet: bool) {
    let _ = MODE.set(Mode { format, quiet });
}

fn mode() -> Mode {
    MODE.get().copied().unwrap_or_default()
}

/// Whether `--format json` is on.
pub fn json_mode() -> bool {
    mode().format == Format::Json
}

/// Whether `--quiet` is on.
pub fn quiet() -> bool {
    mode().quiet
}

/// Writes a line for people: to standard output, or with `--format json`
/// to standard error, so that standard output holds JSON only; nothing
/// with `--quiet`. A reader that has gone is ignored.
pub fn out(text: impl std::fmt::Display) {
    let mode = mode();
    if mode.quiet {
        return;
    }
    let _ = match mode.format {
        Format::Text => writeln!(std::io::stdout().lock(), "{text}"),
        Format::Json => writeln!(std::io::stderr().lock(), "{text}"),
    };
}

/// Writes a line to standard error; a reader that has gone is ignored.
/// With `--quiet`, only errors and warnings are written: every message
/// about a failure starts with one of those words.
pub fn err(text: impl std::fmt::Display) {
    let text = text.to_string();
    if quiet() && !(text.starts_with("error") || text.starts_with("warning")) {
        return;
    }
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Writes one JSON document on a line of standard output, whatever
/// `--quiet` says: a script asked for it.
pub fn json(value: &serde_json::Value) {
    let _ = writeln!(std::io::stdout().lock(), "{value}");
}
