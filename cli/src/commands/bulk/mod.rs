//! `contact bulk`: many updates from a CSV file, with progress, a results
//! CSV written as rows settle, Ctrl-C that stops cleanly, and resume.

mod input;
mod progress;
mod results;
mod summary;

use std::path::PathBuf;

use clap::Args;
use futures_util::{StreamExt, stream};
use talktohumans::{BulkItem, BulkOptions, UpdateContactInput};

use self::input::Check;
use self::progress::Progress;
use self::results::{Outcome, ResultRow, ResultsWriter};
use self::summary::{Counts, shell_word};
use crate::context::{Connection, connect};
use crate::exit::{self, UsageError};
use crate::print::{err, out};

const FORMAT_HELP: &str = "\
CSV format:
  A header row, then one row per update. Columns, in any order; only
  contact_id is required:
    contact_id   the contact to update
    account_id   the LinkedIn account (needed when the contact is under several)
    add          tags to add
    remove       tags to remove
    set          tags that replace all the contact's tags; (clear) removes them all
    notes        JSON text that replaces the notes; (clear) clears them
  An empty cell changes nothing. Several tags in one cell are separated by ';'
  (write ';;' for a ';' inside a name), each NAME or NAME:COLOR; a name that
  contains ':' ends with ':' or ':COLOR' (\"Stage: won:\"). set does not go with
  add or remove in the same row. Quote a cell with a comma or quotes in it, as
  CSV does: \"{\"\"stage\"\": \"\"demo\"\"}\".

  contact_id,account_id,add,remove,set,notes
  41236,,Hot lead:red;Q4,Old tag,,
  27051,77,,,Partner:green;Renewal,\"{\"\"stage\"\": \"\"negotiation\"\"}\"
  18442,,,,(clear),(clear)

Results and resume:
  Every row gets a line in the results CSV (--results, by default beside the
  input as NAME.results.csv): line, contact_id, outcome (ok, failed, skipped,
  invalid, not_sent), http_status, request_id, error. It is written as rows
  finish, so an interrupted or crashed run loses nothing. To retry the
  failures, or to resume, run the same command with --only-failed RESULTS:
  the rows that are not ok or skipped in RESULTS (or missing from it) are
  sent again; sending an update twice is safe.

  Ctrl-C stops starting updates, waits for those in flight, and writes the
  rest as not_sent; a second Ctrl-C stops at once.";

/// Update many contacts from a CSV file.
///
/// Every row is checked before anything is sent; invalid rows are listed
/// with their line numbers, and nothing is sent unless --skip-invalid is
/// given. A row that changes nothing is reported and skipped.
#[derive(Debug, Args)]
#[command(after_help = format!("{FORMAT_HELP}\n\n{}", exit::EXIT_CODES))]
pub struct BulkArgs {
    /// The CSV file of updates (a file, not standard input: a resume reads
    /// it again).
    #[arg(long, value_name = "FILE")]
    csv: PathBuf,

    /// Where to write the results CSV [default: beside the input, as
    /// NAME.results.csv].
    #[arg(long, value_name = "FILE")]
    results: Option<PathBuf>,

    /// Send only the rows of the CSV that are not ok or skipped in this
    /// results file of an earlier run: retries failures, resumes an
    /// interrupted run.
    #[arg(long, value_name = "RESULTS")]
    only_failed: Option<PathBuf>,

    /// Send the valid rows even when some are invalid; the invalid ones are
    /// recorded as invalid in the results.
    #[arg(long)]
    skip_invalid: bool,

    /// Check every row and print the exact JSON body each would send; send
    /// nothing and write no results.
    #[arg(long)]
    dry_run: bool,

    /// Send at most this many requests a second, retries included, evenly
    /// spaced: for a quota you know. By default the run finds the server's
    /// rate by itself (see --no-adaptive).
    #[arg(long, value_name = "RPS", value_parser = clap::value_parser!(u32).range(1..))]
    max_rate: Option<u32>,

    /// Keep --concurrency updates in flight and do not adapt the send rate:
    /// only pause as the server asks on 429. By default the rate drops below
    /// the server's on 429 and probes back up, and fewer updates are in
    /// flight while the server slows down.
    #[arg(long)]
    no_adaptive: bool,
}

pub async fn run(connection: &Connection, args: BulkArgs) -> Result<u8, UsageError> {
    Ok(match run_checked(connection, &args).await {
        Ok(code) => code,
        Err((code, message)) => {
            err(format_args!("error: {message}"));
            code
        }
    })
}

type Failure = (u8, String);

/// Failures shown as they happen; past these, a terminal would scroll away
/// and the results CSV has them all.
const SHOWN_FAILURES: usize = 20;

async fn run_checked(connection: &Connection, args: &BulkArgs) -> Result<u8, Failure> {
    let invalid_input = |message: String| (exit::INVALID_INPUT, message);
    let mut rows = input::read(&args.csv).map_err(invalid_input)?;

    // A resume: the rows already settled are carried over, not sent again.
    let mut carried = Vec::new();
    if let Some(previous) = &args.only_failed {
        let mut recorded = results::read(previous).map_err(invalid_input)?;
        for row in &rows {
            if let Some(old) = recorded.get(&row.line)
                && old.contact_id != row.contact_id
            {
                return Err(invalid_input(format!(
                    "{} does not belong to {}: line {} is contact {:?} there and {:?} here",
                    previous.display(),
                    args.csv.display(),
                    row.line,
                    old.contact_id,
                    row.contact_id
                )));
            }
        }
        rows.retain(|row| {
            !recorded
                .get(&row.line)
                .is_some_and(|old| old.outcome.is_settled())
        });
        let lines: std::collections::BTreeSet<u64> = rows.iter().map(|r| r.line).collect();
        recorded.retain(|line, old| old.outcome.is_settled() && !lines.contains(line));
        carried.extend(recorded.into_values());
        err(format_args!(
            "resuming from {}: {} rows already done, {} to go",
            previous.display(),
            carried.len(),
            rows.len()
        ));
    }

    let invalid: Vec<_> = rows
        .iter()
        .filter_map(|row| match &row.check {
            Check::Invalid(why) => Some((row.line, why)),
            _ => None,
        })
        .collect();
    for (line, why) in &invalid {
        err(format_args!("line {line}: invalid: {why}"));
    }
    if !invalid.is_empty() && !args.skip_invalid {
        return Err(invalid_input(format!(
            "{} invalid row(s) in {}; nothing was sent. Fix them, or pass --skip-invalid to \
             send the valid rows only",
            invalid.len(),
            args.csv.display()
        )));
    }
    for row in &rows {
        if let Check::NothingToUpdate = row.check {
            err(format_args!(
                "line {}: contact {}: changes nothing, skipped",
                row.line, row.contact_id
            ));
        }
    }

    // Settled before sending: invalid and no-op rows; the rest go out.
    let mut settled = Vec::new();
    let mut sending: Vec<(u64, String)> = Vec::new();
    let mut inputs: Vec<UpdateContactInput> = Vec::new();
    for row in rows {
        match row.check {
            Check::Ready(input) => {
                sending.push((row.line, row.contact_id));
                inputs.push(*input);
            }
            Check::NothingToUpdate => {
                settled.push(ResultRow::new(row.line, &row.contact_id, Outcome::Skipped));
            }
            Check::Invalid(why) => {
                let mut result = ResultRow::new(row.line, &row.contact_id, Outcome::Invalid);
                result.error = Some(why);
                settled.push(result);
            }
        }
    }

    if args.dry_run {
        for ((line, _), input) in sending.iter().zip(&inputs) {
            out(format_args!(
                "line {line}: PATCH /v1/contacts/{} {}",
                input.contact_id(),
                input.body_json()
            ));
        }
        err(format_args!(
            "dry run: {} update(s) would be sent; nothing was sent",
            inputs.len()
        ));
        return Ok(exit::OK);
    }

    let session = connect(connection)
        .await
        .map_err(|message| (exit::USAGE, message))?;
    let results_path = args
        .results
        .clone()
        .unwrap_or_else(|| results::default_path(&args.csv));
    let write_error = |e: std::io::Error| {
        (
            exit::INVALID_INPUT,
            format!("cannot write {}: {e}", results_path.display()),
        )
    };
    let mut results = ResultsWriter::create(&results_path).map_err(write_error)?;
    let mut counts = Counts::default();
    for row in carried.into_iter().chain(settled) {
        counts.add(row.outcome);
        results.write(row).map_err(write_error)?;
    }

    let total = inputs.len();
    let mut done = vec![false; total];
    let mut progress = Progress::new(total as u64);
    let options = BulkOptions::default()
        .concurrency(usize::from(connection.concurrency))
        .max_rate(args.max_rate.unwrap_or(0))
        .adaptive(!args.no_adaptive)
        .unordered();
    let mut batch = session
        .client
        .update_contacts_with(options, stream::iter(inputs));
    // Stopping the batch sends nothing more: the updates not yet sent come
    // back as not sent, and those in flight finish.
    let stop = batch.stop_handle();
    let (interrupts, mut interrupted) = tokio::sync::mpsc::unbounded_channel();
    {
        let stop = stop.clone();
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                stop.stop();
                if interrupts.send(()).is_err() {
                    break;
                }
            }
        });
    }

    let mut presses = 0;
    loop {
        tokio::select! {
            item = batch.next() => {
                let Some(item) = item else { break };
                done[item.index] = true;
                let (line, contact_id) = &sending[item.index];
                let row = result_row(*line, contact_id, item);
                if row.outcome == Outcome::Failed && counts.failed < SHOWN_FAILURES {
                    progress.println(&format!(
                        "line {line}: contact {contact_id}: failed: {}",
                        row.error.as_deref().unwrap_or("")
                    ));
                }
                counts.add(row.outcome);
                if row.outcome == Outcome::Failed && counts.failed == SHOWN_FAILURES + 1 {
                    progress.println("more failures are only in the results CSV");
                }
                progress.advance(counts.failed);
                results.write(row).map_err(write_error)?;
            }
            Some(()) = interrupted.recv() => {
                presses += 1;
                if presses > 1 {
                    progress.println("stopping now: the updates in flight are recorded as not_sent");
                    break;
                }
                progress.println(
                    "stopping: no new updates; waiting for those in flight (Ctrl-C again to stop at once)",
                );
            }
        }
    }
    let summary = batch.summary().clone();
    drop(batch);
    progress.finish();

    for ((line, contact_id), done) in sending.iter().zip(&done) {
        if !done {
            counts.add(Outcome::NotSent);
            results
                .write(ResultRow::new(*line, contact_id, Outcome::NotSent))
                .map_err(write_error)?;
        }
    }
    results.finish().map_err(write_error)?;

    out(&summary);
    out(format_args!(
        "rows: {} ok, {} failed, {} skipped, {} invalid, {} not sent",
        counts.ok, counts.failed, counts.skipped, counts.invalid, counts.not_sent
    ));
    out(format_args!("results: {}", results_path.display()));
    let interrupted = stop.is_stopped();
    if counts.failed > 0
        || counts.not_sent > 0
        || (counts.invalid > 0 && args.only_failed.is_none())
    {
        let verb = if interrupted {
            "resume"
        } else {
            "retry the failed rows"
        };
        out(format_args!(
            "to {verb}: talktohumans contact bulk --csv {} --only-failed {}",
            shell_word(&args.csv),
            shell_word(&results_path)
        ));
    }
    Ok(if interrupted {
        exit::INTERRUPTED
    } else if counts.failed > 0 {
        exit::PARTIAL_FAILURE
    } else {
        exit::OK
    })
}

fn result_row(line: u64, contact_id: &str, item: BulkItem) -> ResultRow {
    match item.result {
        Ok(output) => ResultRow {
            http_status: Some(output.status.as_u16()),
            request_id: output.request_id().map(str::to_owned),
            ..ResultRow::new(line, contact_id, Outcome::Ok)
        },
        Err(error @ talktohumans::Error::NotSent(_)) => ResultRow {
            error: Some(error.to_string()),
            ..ResultRow::new(line, contact_id, Outcome::NotSent)
        },
        Err(error) => ResultRow {
            http_status: error.status().map(|s| s.as_u16()),
            request_id: error.request_id().map(str::to_owned),
            error: Some(error.to_string()),
            ..ResultRow::new(line, contact_id, Outcome::Failed)
        },
    }
}
