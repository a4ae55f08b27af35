//! The end of a bulk run: the counts of each outcome, why rows were not
//! sent, the command that continues the run, and the exit code.

use std::collections::BTreeMap;
use std::path::Path;

use super::results::Outcome;
use crate::exit;
use crate::print::{out, terminal};

/// How many distinct reasons for `not_sent` rows the summary lists.
const REASONS: usize = 5;

/// The rows of each outcome.
#[derive(Debug, Default)]
pub struct Counts {
    pub ok: u64,
    pub failed: u64,
    pub applied_unreadable: u64,
    pub skipped: u64,
    pub invalid: u64,
    pub not_sent: u64,
    /// Why rows were not sent, each reason once, with how many rows.
    pub reasons: BTreeMap<String, u64>,
}

impl Counts {
    pub fn add(&mut self, outcome: Outcome, error: Option<&str>) {
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::AppliedUnreadable => self.applied_unreadable += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Invalid => self.invalid += 1,
            Outcome::NotSent => {
                self.not_sent += 1;
                if let Some(reason) = error {
                    if let Some(count) = self.reasons.get_mut(reason) {
                        *count += 1;
                    } else if self.reasons.len() < REASONS {
                        self.reasons.insert(reason.to_owned(), 1);
                    }
                }
            }
        }
    }

    /// Prints the counts, and the reasons rows were not sent.
    pub fn print(&self) {
        out(format_args!(
            "rows: {} ok, {} failed, {} applied but unreadable, {} skipped, {} invalid, {} not sent",
            self.ok,
            self.failed,
            self.applied_unreadable,
            self.skipped,
            self.invalid,
            self.not_sent
        ));
        for (reason, count) in &self.reasons {
            out(format_args!("{} ({count} row(s))", terminal(reason)));
        }
    }

    /// Whether a resume has anything left to send.
    pub fn unfinished(&self) -> bool {
        self.failed > 0 || self.not_sent > 0
    }
}

/// How a run ended, besides its rows.
#[derive(Debug, Default)]
pub struct Ending {
    /// The results file could not be written.
    pub write_failed: bool,
    /// The first stop signal, if any.
    pub signal: Option<i32>,
}

/// The exit code: the most urgent of what happened.
pub fn exit_code(counts: &Counts, ending: &Ending) -> u8 {
    if ending.write_failed {
        exit::RESULTS_UNWRITABLE
    } else if let Some(signal) = ending.signal {
        exit::stopped_by(signal)
    } else if counts.applied_unreadable > 0 {
        exit::APPLIED_UNREADABLE
    } else if counts.failed > 0 {
        exit::PARTIAL_FAILURE
    } else {
        exit::OK
    }
}

/// A path as the user can paste it back into a shell.
pub fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
