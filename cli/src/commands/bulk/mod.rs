//! `contact bulk`: many updates from a CSV file, checked first, sent with
//! one update per contact at a time in file order, recorded row by row in a
//! results file with a record of the run beside it, stopped cleanly by a
//! signal, and continued with `--resume`.

mod durable;
mod input;
mod progress;
mod record;
mod results;
mod send;
mod signals;
mod summary;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use talktohumans::BulkOptions;

use self::durable::Output;
use self::input::{Check, Rows};
use self::progress::Progress;
use self::record::{InputIdentity, RunRecord, SendOptions};
use self::results::{Previous, Writer};
use self::signals::Signals;
use self::summary::{Ending, shell_word};
use crate::context::{Connection, Target, api_key_fingerprint, connect};
use crate::exit::{self, UsageError};
use crate::print::{err, out, terminal};

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

Results, run record and resume:
  Every row gets a line in the results CSV (--results, by default beside the
  input as NAME.results.csv), in line order: line, row_digest, contact_id,
  outcome (ok, failed, applied_unreadable, skipped, invalid, not_sent),
  http_status, request_id, error. It is written as rows finish, so a crash
  loses at most the updates in flight. An existing file is never replaced
  unless --overwrite is given, and never when it is the input. Beside it,
  RESULTS.run.json records the run: where it went (the mock, or the base URL
  and a fingerprint of the API key), the input (its path and SHA-256) and the
  options that change what is sent.

  talktohumans contact bulk --resume RESULTS continues that run, with its own
  settings: it sends the rows that are not ok, skipped or applied_unreadable
  (failed, not_sent, or missing), and refuses flags that disagree with the
  record, an input that changed, and a mock run against an API. The new
  results replace RESULTS once they are complete and on disk.

  The rows of one contact go one at a time, in file order; once one fails,
  the contact's later rows are not sent (not_sent), so that a resume applies
  them in order.

  Ctrl-C, SIGTERM and SIGHUP stop starting updates, wait for those in flight,
  and record the rest as not_sent.";

/// Update many contacts from a CSV file.
///
/// Every row is checked before anything is sent; invalid rows are listed
/// with their line numbers, and nothing is sent unless --skip-invalid is
/// given. A row that changes nothing is reported and skipped.
#[derive(Debug, Args)]
#[command(after_help = format!("{FORMAT_HELP}\n\n{}", exit::EXIT_CODES))]
pub struct BulkArgs {
    /// The CSV file of updates (a file, not standard input: it is read
    /// twice, to check it and to send it). With --resume, where the run's
    /// input is now, if it moved.
    #[arg(long, value_name = "FILE", required_unless_present_any = ["resume", "only_failed"])]
    csv: Option<PathBuf>,

    /// Where to write the results CSV [default: beside the input, as
    /// NAME.results.csv]. Its run record goes beside it, as
    /// RESULTS.run.json.
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    results: Option<PathBuf>,

    /// Replace the results file (and its run record) if it exists.
    #[arg(long, conflicts_with = "resume")]
    overwrite: bool,

    /// Continue the run that wrote this results file, with that run's
    /// input, target and options: send the rows not yet done.
    #[arg(long, value_name = "RESULTS", conflicts_with = "dry_run")]
    resume: Option<PathBuf>,

    /// Replaced by --resume RESULTS.
    #[arg(long, value_name = "RESULTS", hide = true)]
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

const PATH: &[&str] = &["contact", "bulk"];

/// Lines of each kind (invalid, skipped) listed while checking; the
/// results file has them all.
const SHOWN_ROWS: u64 = 20;

/// Why a run ends before sending, or cannot go on.
enum Stop {
    /// The flags: shown with the usage, exit 2.
    Usage(String),
    /// Anything else, with its exit code.
    Exit(u8, String),
}

fn invalid(message: String) -> Stop {
    Stop::Exit(exit::INVALID_INPUT, message)
}

pub async fn run(connection: &Connection, args: BulkArgs) -> Result<u8, UsageError> {
    match bulk(connection, &args).await {
        Ok(code) => Ok(code),
        Err(Stop::Usage(message)) => Err(UsageError {
            path: PATH,
            message,
        }),
        Err(Stop::Exit(code, message)) => {
            err(format_args!("error: {message}"));
            Ok(code)
        }
    }
}

/// What the run is: new, or the continuation of a recorded one.
struct Setup {
    record: RunRecord,
    results: PathBuf,
    /// The record of the run being continued.
    resumed: Option<RunRecord>,
}

async fn bulk(connection: &Connection, args: &BulkArgs) -> Result<u8, Stop> {
    if args.only_failed.is_some() {
        return Err(Stop::Usage(
            "--only-failed is replaced by --resume RESULTS, which continues the run that \
             wrote RESULTS with its own input, target and options"
                .to_owned(),
        ));
    }
    // From the start, so that a signal while checking does not kill the
    // process on its way to sending.
    let signals = Signals::listen().map_err(|e| {
        Stop::Exit(
            exit::FAILURE,
            format!("cannot listen for stop signals: {e}"),
        )
    })?;
    let mut setup = setup(connection, args)?;
    check_paths(&setup, args.overwrite)?;
    let shown = setup.record.input.path.display().to_string();
    let checked = check_input(&setup)?;
    if let Some(resumed) = &setup.resumed
        && resumed.input.sha256 != checked.sha256
    {
        return Err(invalid(format!(
            "{} has changed since the run that {} records (SHA-256 {} then, {} now; {} rows \
             then, {} now){}; nothing was sent. A resume sends the same file: put it back as it \
             was, or start a new run with the rows still to send",
            terminal(&shown),
            terminal(&setup.results.display().to_string()),
            resumed.input.sha256,
            checked.sha256,
            resumed.input.rows,
            checked.rows,
            checked.changes
        )));
    }
    setup.record.input.sha256.clone_from(&checked.sha256);
    setup.record.input.rows = checked.rows;
    let record = &setup.record;
    if checked.invalid > 0 && !record.options.skip_invalid {
        return Err(invalid(format!(
            "{} invalid row(s) in {}; nothing was sent. Fix them, or pass --skip-invalid to \
             send the valid rows only",
            checked.invalid,
            terminal(&shown)
        )));
    }
    if args.dry_run {
        return dry_run(checked.file, &shown);
    }
    if setup.resumed.is_some() {
        err(format_args!(
            "resuming {}: {} row(s) already done, {} to go",
            terminal(&setup.results.display().to_string()),
            checked.done,
            checked.rows - checked.done
        ));
    }
    if let Some(signal) = signals.first() {
        err("stopped before anything was sent");
        return Ok(exit::stopped_by(signal));
    }

    let session = connect(&record.settings)
        .await
        .map_err(|message| Stop::Exit(exit::USAGE, message))?;
    let output = open_output(&setup, args.overwrite)?;
    let unwritable = |e: std::io::Error| {
        Stop::Exit(
            exit::RESULTS_UNWRITABLE,
            format!(
                "cannot write {}: {e}; nothing was sent",
                terminal(&setup.results.display().to_string())
            ),
        )
    };
    let writer = Writer::new(output.writer().map_err(unwritable)?).map_err(unwritable)?;
    let previous = match &setup.resumed {
        Some(_) => Some(Previous::open(&setup.results).map_err(invalid)?),
        None => None,
    };
    let options = BulkOptions::default()
        .concurrency(usize::from(record.settings.concurrency))
        .max_rate(record.options.max_rate.unwrap_or(0))
        .adaptive(!record.options.no_adaptive)
        .stop_contact_on_failure(true)
        // The results are put in line order by `send` itself.
        .unordered();
    let sent = send::send(send::Plan {
        client: session.client.clone(),
        options,
        rows: Rows::new(checked.file, &shown).map_err(invalid)?,
        previous,
        writer,
        progress: Progress::new(checked.rows),
        signals: Arc::clone(&signals),
    })
    .await;

    let mut ending = Ending {
        write_failed: false,
        signal: signals.first(),
    };
    let results_shown = terminal(&setup.results.display().to_string()).into_owned();
    let mut resumable = true;
    if let Some(e) = &sent.write_error {
        ending.write_failed = true;
        let kept = match output {
            Output::New { .. } => {
                let _ = output.commit();
                format!("{results_shown} holds the rows recorded before the error")
            }
            Output::Replacing { .. } => {
                resumable = setup.resumed.is_some();
                format!("{results_shown} is as it was before this run")
            }
        };
        err(format_args!(
            "error: cannot write the results: {e}. No update was sent after that; {kept}."
        ));
        if !sent.unrecorded.is_empty() {
            let lines: Vec<String> = sent.unrecorded.iter().map(u64::to_string).collect();
            let more = if sent.unrecorded_more > 0 {
                format!(" and {} more", sent.unrecorded_more)
            } else {
                String::new()
            };
            err(format_args!(
                "these rows were sent but are not in the results, and may have been applied: \
                 line(s) {}{more}",
                lines.join(", ")
            ));
        }
    } else {
        let saved = if matches!(output, Output::Replacing { .. })
            && setup.resumed.as_ref() != Some(&setup.record)
        {
            record::write(&setup.results, &setup.record, true)
        } else {
            Ok(())
        };
        if let Err(e) = saved.and_then(|()| output.commit()) {
            ending.write_failed = true;
            resumable = setup.resumed.is_some();
            err(format_args!(
                "error: cannot save the results in {results_shown}: {e}. The updates of this run \
                 are not recorded there"
            ));
        }
    }
    let mut code = summary::exit_code(&sent.counts, &ending);
    match &sent.input_end {
        Some(Err(e)) => {
            err(format_args!(
                "error: {}; the rows after it were not sent",
                terminal(e)
            ));
            if code == exit::OK || code == exit::PARTIAL_FAILURE {
                code = exit::INVALID_INPUT;
            }
        }
        Some(Ok(digest)) if *digest != checked.sha256 => err(format_args!(
            "warning: {} changed while the run read it; the results may not match it",
            terminal(&shown)
        )),
        _ => {}
    }

    out(&sent.summary);
    sent.counts.print();
    out(format_args!("results: {results_shown}"));
    if resumable && (sent.counts.unfinished() || ending.write_failed) {
        out(format_args!(
            "to continue: talktohumans contact bulk --resume {}",
            shell_word(&setup.results)
        ));
    }
    Ok(code)
}

/// The run's record, from the flags or from the run it continues.
fn setup(connection: &Connection, args: &BulkArgs) -> Result<Setup, Stop> {
    let given = SendOptions {
        skip_invalid: args.skip_invalid,
        max_rate: args.max_rate,
        no_adaptive: args.no_adaptive,
    };
    let canonical = |path: &Path| {
        std::fs::canonicalize(path).map_err(|e| {
            invalid(format!(
                "cannot read {}: {e}",
                terminal(&path.display().to_string())
            ))
        })
    };
    if let Some(results) = &args.resume {
        let resumed = record::read(results).map_err(invalid)?;
        let mut found = connection.disagreements(&resumed.settings);
        resumed.options.disagreements(&given, &mut found);
        if matches!(resumed.settings.target, Target::Api { .. })
            && let Some(key) = api_key_fingerprint()
            && resumed.api_key.as_ref() != Some(&key)
        {
            found.push(format!(
                "{} is another key than the run's",
                talktohumans::API_KEY_ENV
            ));
        }
        if !found.is_empty() {
            return Err(Stop::Usage(format!(
                "--resume continues the run recorded in {} as it was, and these disagree with \
                 it: {}; leave them out",
                terminal(&record::path_of(results).display().to_string()),
                found.join("; ")
            )));
        }
        let mut record = resumed.clone();
        if let Some(csv) = &args.csv {
            record.input.path = canonical(csv)?;
        }
        return Ok(Setup {
            record,
            results: results.clone(),
            resumed: Some(resumed),
        });
    }
    let Some(csv) = &args.csv else {
        return Err(Stop::Usage(
            "--csv FILE or --resume RESULTS is needed".to_owned(),
        ));
    };
    let settings = connection.settings();
    let api_key = match settings.target {
        Target::Api { .. } => api_key_fingerprint(),
        Target::Mock { .. } => None,
    };
    let input = InputIdentity {
        path: canonical(csv)?,
        sha256: String::new(),
        rows: 0,
    };
    Ok(Setup {
        record: RunRecord::new(settings, api_key, input, given),
        results: args
            .results
            .clone()
            .unwrap_or_else(|| results::default_path(csv)),
        resumed: None,
    })
}

/// Refuses a results file (or run record) that is the input, by file
/// identity (a hard link, `./x` and `x` are the same file), or that exists
/// when nothing said to replace it.
fn check_paths(setup: &Setup, overwrite: bool) -> Result<(), Stop> {
    let input = &setup.record.input.path;
    let sidecar = record::path_of(&setup.results);
    for (what, path) in [("results file", &setup.results), ("run record", &sidecar)] {
        if same_file::is_same_file(input, path).unwrap_or(false) {
            return Err(Stop::Usage(format!(
                "the {what} {} is the input {}, which it would overwrite; choose another \
                 --results",
                terminal(&path.display().to_string()),
                terminal(&input.display().to_string())
            )));
        }
        if setup.resumed.is_none() && !overwrite && path.symlink_metadata().is_ok() {
            return Err(Stop::Usage(format!(
                "{} exists (the results of another run?); continue that run with --resume {}, \
                 choose another --results, or pass --overwrite to replace it",
                terminal(&path.display().to_string()),
                shell_word(&setup.results)
            )));
        }
    }
    Ok(())
}

/// The first pass over the input.
struct Checked {
    file: File,
    sha256: String,
    rows: u64,
    invalid: u64,
    /// Rows a resume carries over.
    done: u64,
    /// For a resume whose input changed: which lines, as ", line 4
    /// changed, ...".
    changes: String,
}

/// Reads every row once: checks it, lists the invalid and no-op ones, and
/// takes the file's digest; for a resume, also finds which rows are done,
/// and which differ from the run's.
fn check_input(setup: &Setup) -> Result<Checked, Stop> {
    let path = &setup.record.input.path;
    let shown = path.display().to_string();
    let file =
        File::open(path).map_err(|e| invalid(format!("cannot read {}: {e}", terminal(&shown))))?;
    let mut rows = Rows::new(file, &terminal(&shown)).map_err(invalid)?;
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

/// Prints what each row would send; sends nothing.
fn dry_run(file: File, shown: &str) -> Result<u8, Stop> {
    let mut rows = Rows::new(file, &terminal(shown)).map_err(invalid)?;
    let mut count = 0;
    while let Some(row) = rows.next_row().map_err(invalid)? {
        if let Check::Ready(input) = row.check {
            count += 1;
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

/// Where the results go: a new file, created new; or, for a resume or with
/// --overwrite, a file that replaces the old one once complete. A new run's
/// record is written first, durably, so that its results can always be
/// continued; one that replaces another is written when its results are.
fn open_output(setup: &Setup, overwrite: bool) -> Result<Output, Stop> {
    let shown = terminal(&setup.results.display().to_string()).into_owned();
    let unwritable = |e: std::io::Error| {
        Stop::Exit(
            exit::RESULTS_UNWRITABLE,
            format!("cannot write {shown}: {e}; nothing was sent"),
        )
    };
    if setup.resumed.is_some() || overwrite {
        return Output::replacing(&setup.results).map_err(unwritable);
    }
    let sidecar = record::path_of(&setup.results);
    record::write(&setup.results, &setup.record, false).map_err(|e| {
        Stop::Exit(
            exit::RESULTS_UNWRITABLE,
            format!(
                "cannot write {}: {e}; nothing was sent",
                terminal(&sidecar.display().to_string())
            ),
        )
    })?;
    Output::create_new(&setup.results).map_err(unwritable)
}
