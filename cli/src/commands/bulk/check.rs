//! The first pass over the input: every row checked, the file's digest
//! taken, and for a resume, the rows already done counted; and the dry run.

use std::fs::File;

use serde_json::json;

use super::input::{self, Check, Format, Intake, Rows};
use super::plan::Setup;
use super::results::Previous;
use super::stop::{Stop, invalid};
use crate::exit;
use crate::print::{self, err, out, terminal};

/// Lines of each kind (invalid, skipped) listed while checking; the
/// results file has them all.
const SHOWN_ROWS: u64 = 20;

/// The first pass over the input.
pub struct Checked {
    pub file: File,
    pub sha256: String,
    pub rows: u64,
    pub invalid: u64,
    /// Rows a resume carries over.
    pub done: u64,
    /// For a resume whose input changed: which lines, as ", line 4
    /// changed, ...".
    pub changes: String,
}

/// Reads every row once: checks it, lists the invalid and no-op ones, and
/// takes the file's digest; for a resume, also finds which rows are done,
/// and which differ from the run's.
pub fn check_input(setup: &Setup) -> Result<Checked, Stop> {
    let shown = terminal(&setup.record.input.shown()).into_owned();
    let file = input::open(&setup.record.input.path, &shown).map_err(invalid)?;
    let mut rows = Rows::new(file, &shown, setup.record.intake()).map_err(invalid)?;
    // A CSV names its columns in its header; JSON Lines, line by line.
    let named = rows.ignored().len();
    if named > 0 {
        note_ignored(setup.record.input.format, rows.ignored());
    }
    let mut previous = match &setup.resumed {
        Some(_) => Some(Previous::open(&setup.results).map_err(invalid)?),
        None => None,
    };
    let (mut count, mut invalid_rows, mut skipped, mut done) = (0, 0, 0, 0);
    let mut changes = Vec::new();
    while let Some(row) = rows.next_row().map_err(invalid)? {
        count += 1;
        if let Some(previous) = &mut previous {
            match previous.at(row.line).map_err(invalid)? {
                Some(old) if old.digest != row.digest => {
                    changes.push(format!("line {} changed", row.line));
                }
                Some(old) if old.outcome.is_settled() => {
                    done += 1;
                    continue;
                }
                _ => {}
            }
        }
        match &row.check {
            Check::Invalid(why) => {
                invalid_rows += 1;
                if invalid_rows <= SHOWN_ROWS {
                    err(format_args!(
                        "line {}: invalid: {}",
                        row.line,
                        terminal(why)
                    ));
                }
            }
            Check::NothingToUpdate => {
                skipped += 1;
                if skipped <= SHOWN_ROWS {
                    err(format_args!(
                        "line {}: contact {}: changes nothing, skipped",
                        row.line,
                        terminal(&row.contact_id)
                    ));
                }
            }
            Check::Ready(_) => {}
        }
    }
    if rows.ignored().len() > named {
        note_ignored(setup.record.input.format, &rows.ignored()[named..]);
    }
    if let Some(previous) = &mut previous
        && let Some(line) = previous.beyond().map_err(invalid)?
    {
        changes.push(format!("the lines from {line} on are gone"));
    }
    for (kind, n) in [("invalid", invalid_rows), ("skipped", skipped)] {
        if n > SHOWN_ROWS {
            err(format_args!(
                "{} more {kind} row(s), listed in the results",
                n - SHOWN_ROWS
            ));
        }
    }
    let (sha256, file) = rows.finish().map_err(invalid)?;
    let changes = match changes.len() {
        0 => String::new(),
        n if n > 10 => format!(": {}, and {} more", changes[..10].join(", "), n - 10),
        _ => format!(": {}", changes.join(", ")),
    };
    Ok(Checked {
        file,
        sha256,
        rows: count,
        invalid: invalid_rows,
        done,
        changes,
    })
}

fn note_ignored(format: Format, names: &[String]) {
    let what = match format {
        Format::Jsonl => "key(s)",
        Format::Csv | Format::Ids => "column(s)",
    };
    err(format_args!(
        "ignoring the {what} this tool does not use: {}",
        terminal(&names.join(", "))
    ));
}

/// Prints what each row would send; sends nothing.
pub fn dry_run(file: File, shown: &str, intake: Intake<'_>) -> Result<u8, Stop> {
    let mut rows = Rows::new(file, &terminal(shown), intake).map_err(invalid)?;
    let mut count = 0;
    while let Some(row) = rows.next_row().map_err(invalid)? {
        if let Check::Ready(input) = row.check {
            count += 1;
            if print::json_mode() {
                print::json(&json!({
                    "line": row.line,
                    "contact_id": input.contact_id().as_str(),
                    "body": serde_json::from_str::<serde_json::Value>(&input.body_json())
                        .unwrap_or_default(),
                }));
                continue;
            }
            out(format_args!(
                "line {}: PATCH /v1/contacts/{} {}",
                row.line,
                input.contact_id(),
                input.body_json()
            ));
        }
    }
    err(format_args!(
        "dry run: {count} update(s) would be sent; nothing was sent"
    ));
    Ok(exit::OK)
}
