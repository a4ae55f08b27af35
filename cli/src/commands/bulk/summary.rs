//! The end of a bulk run: the counts of each outcome, and the command that
//! continues the run.

use std::path::Path;

use super::results::Outcome;

/// A path as the user can paste it back into a shell.
pub fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[derive(Debug, Default)]
pub struct Counts {
    pub ok: usize,
    pub failed: usize,
    pub skipped: usize,
    pub invalid: usize,
    pub not_sent: usize,
}

impl Counts {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Invalid => self.invalid += 1,
            Outcome::NotSent => self.not_sent += 1,
        }
    }
}
