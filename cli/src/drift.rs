//! What the server sent that did not fit the API's types (the library's
//! `ResponseDrift`): the update was applied, but a value of the returned
//! contact was left out or read losslessly. A person is told once per field
//! per run, not once per row, and the summary counts them all.

use std::collections::BTreeMap;

use talktohumans::ResponseDrift;

use crate::print::{err, terminal};

/// The fields seen so far in a run, with how often each drifted.
#[derive(Debug, Default)]
pub struct DriftLog {
    fields: BTreeMap<String, u64>,
    total: u64,
}

impl DriftLog {
    /// Counts `drift`, and warns on stderr about each field not seen before.
    pub fn note(&mut self, drift: &[ResponseDrift]) {
        for one in drift {
            self.total += 1;
            let count = self.fields.entry(field_of(one.path())).or_insert(0);
            *count += 1;
            if *count == 1 {
                err(format_args!(
                    "warning: the server's answer did not fit the API's types at {}; \
                     the update was applied (told once per field)",
                    terminal(&one.to_string())
                ));
            }
        }
    }

    /// "3 values in 2 fields (/tags/*/color, /updated_at)", or `None`.
    pub fn summary(&self) -> Option<String> {
        if self.total == 0 {
            return None;
        }
        let fields: Vec<&str> = self.fields.keys().map(String::as_str).collect();
        Some(format!(
            "{} value{} of the server's answers did not fit the API's types, in {} field{} ({})",
            self.total,
            plural(self.total),
            fields.len(),
            plural(fields.len() as u64),
            terminal(&fields.join(", "))
        ))
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The field of a JSON pointer: array indices become `*`, so that the 3rd
/// and the 40th tag's color are one field.
fn field_of(path: &str) -> String {
    path.split('/')
        .map(|step| {
            if !step.is_empty() && step.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                step
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_items_are_one_field() {
        assert_eq!(field_of("/tags/3/color"), "/tags/*/color");
        assert_eq!(field_of("/tags/40/color"), "/tags/*/color");
        assert_eq!(field_of("/updated_at"), "/updated_at");
        assert_eq!(field_of("/notes/2024"), "/notes/*");
    }

    #[test]
    fn nothing_to_say_without_drift() {
        assert_eq!(DriftLog::default().summary(), None);
    }
}
