//! The flags of `contact bulk`, and its help.

use std::path::PathBuf;

use clap::Args;

use crate::change::ChangeArgs;
use crate::exit;

const FORMAT_HELP: &str = "\
CSV format (--csv):
  A header row, then one row per update. Columns, in any order, named in any
  case; only contact_id is required; other columns (an export's name, email,
  company, ...) are ignored, and a name that looks like a slip of one of
  these (contactid, note, tags) is refused. --column NAME=HEADER reads a
  column from the input's own header:
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

JSON Lines format (--jsonl):
  One JSON object a line, with the CSV's columns as keys (--column maps keys
  too); blank lines are skipped. Ids are strings or whole numbers. Tags are
  a string written as a CSV cell, or a list of strings, one tag each. notes
  is the JSON value itself, sent as written. What is not there changes
  nothing: a missing key, null, \"\" or []; \"(clear)\" clears set or notes.

  {\"contact_id\": 41236, \"add\": [\"Hot lead:red\", \"Q4\"], \"remove\": \"Old tag\"}
  {\"contact_id\": \"27051\", \"account_id\": 77, \"notes\": {\"stage\": \"negotiation\"}}

Ids (--ids):
  One contact id a line, each given the change of the flags --add, --remove,
  --set, --clear-tags, --notes, --notes-file, --clear-notes and --account:

  talktohumans contact bulk --ids webinar.txt --add \"Webinar:blue\"
  cut -d, -f1 export.csv | talktohumans contact bulk --ids - --results webinar.results.csv --add Webinar

Results, run record and resume:
  Every row gets a line in the results CSV (--results, by default beside the
  input as NAME.results.csv), in line order: line, row_digest, contact_id,
  outcome (ok, failed, applied_unreadable, skipped, invalid, not_sent),
  http_status, request_id, error, and for an ok row what the server returned:
  tags (the contact's tag names, written as an input cell) and notes_sha256
  (the first 16 hex digits of the SHA-256 of the notes' JSON text, empty
  without notes; printf %s 'JSON' | sha256sum | cut -c1-16 gives the same for
  the notes you meant). It is written as rows finish, so a crash
  loses at most the updates in flight. An existing file is never replaced
  unless --overwrite is given, and never when it is the input. Beside it,
  RESULTS.run.json records the run: where it went (the mock, or the base URL
  and a fingerprint of the API key), the input (its path, format and
  SHA-256) and the options that change what is sent (--ids's change too).
  Standard input (-) is read once, into a private temporary file, and needs
  --results.

  talktohumans contact bulk --resume RESULTS continues that run, with its own
  settings: it sends the rows that are not ok, skipped or applied_unreadable
  (failed, not_sent, or missing), and refuses flags that disagree with the
  record, an input that changed, and a mock run against an API. A run that
  read standard input is continued with the same input given again: --resume
  RESULTS --csv - (or --jsonl -, --ids -). The new
  results replace RESULTS once they are complete and on disk.

  The rows of one contact go one at a time, in file order; once one fails,
  the contact's later rows are not sent (not_sent), so that a resume applies
  them in order.

  Ctrl-C, SIGTERM and SIGHUP stop starting updates, wait for those in flight,
  and record the rest as not_sent.

JSON output (--format json):
  Standard output holds one JSON object when the run ends: {\"rows\": {\"ok\",
  \"failed\", \"applied_unreadable\", \"skipped\", \"invalid\", \"not_sent\"},
  \"not_sent_reasons\": {REASON: ROWS}, \"retries\", \"elapsed_ms\", \"drift\" (text
  or null), \"results\" (path), \"contacts\" (path or null), \"resume_command\"
  (or null), \"stopped_by_signal\" (number or null), \"exit_code\"}. With
  --dry-run, one object a valid row instead: {\"line\", \"contact_id\", \"body\"}.
  Each row's outcome is in the results CSV.";

/// Update many contacts from a CSV or JSON Lines file, or a list of ids.
///
/// Every row is checked before anything is sent; invalid rows are listed
/// with their line numbers, and nothing is sent unless --skip-invalid is
/// given. A row that changes nothing is reported and skipped.
#[derive(Debug, Args)]
#[command(after_help = format!("{FORMAT_HELP}\n\n{}", exit::EXIT_CODES))]
pub struct BulkArgs {
    /// The CSV file of updates; `-` reads standard input (with
    /// --results). With --resume, where the run's input is now, if it
    /// moved (or `-` for a run that read standard input).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present_any = ["resume", "only_failed", "jsonl", "ids"]
    )]
    pub csv: Option<PathBuf>,

    /// Read the updates as JSON Lines instead: one JSON object a line, with
    /// the CSV's columns as keys (see below); `-` reads standard input.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["csv", "ids"])]
    pub jsonl: Option<PathBuf>,

    /// Apply one change, given with the flags below (--add, --set, --notes,
    /// ...), to every contact id in FILE, one a line; `-` reads standard
    /// input.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["csv", "columns"])]
    pub ids: Option<PathBuf>,

    /// Where to write the results CSV [default: beside the input, as
    /// NAME.results.csv]. Its run record goes beside it, as
    /// RESULTS.run.json.
    #[arg(long, value_name = "FILE", conflicts_with = "resume")]
    pub results: Option<PathBuf>,

    /// Also write each contact that came back ok, whole and as the server
    /// returned it, to FILE as JSON Lines, in line order, for audit: {"line":
    /// N, "contact_id": "ID", "contact": {...}}. With --resume, the
    /// contacts of the rows that run sends.
    #[arg(long, value_name = "FILE", conflicts_with = "dry_run")]
    pub contacts_out: Option<PathBuf>,

    /// Replace the results file (and its run record), and the
    /// --contacts-out file, if they exist.
    #[arg(long, conflicts_with = "resume")]
    pub overwrite: bool,

    /// Continue the run that wrote this results file, with that run's
    /// input, target and options: send the rows not yet done.
    #[arg(long, value_name = "RESULTS", conflicts_with = "dry_run")]
    pub resume: Option<PathBuf>,

    /// Replaced by --resume RESULTS.
    #[arg(long, value_name = "RESULTS", hide = true)]
    pub only_failed: Option<PathBuf>,

    /// Send the valid rows even when some are invalid; the invalid ones are
    /// recorded as invalid in the results.
    #[arg(long)]
    pub skip_invalid: bool,

    /// Check every row and print the exact JSON body each would send; send
    /// nothing and write no results.
    #[arg(long)]
    pub dry_run: bool,

    /// Send at most this many requests a second, retries included, evenly
    /// spaced: for a quota you know. By default the run finds the server's
    /// rate by itself (see --no-adaptive).
    #[arg(long, value_name = "RPS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_rate: Option<u32>,

    /// Send only the first N rows that are to be sent, and record the rest
    /// as not_sent: a canary. `--resume RESULTS` then sends the rest (or,
    /// with --limit again, the next N).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,

    /// Read a column of the tool from the input's own header, for an export
    /// with its own names: --column contact_id="Record ID" (repeatable).
    /// Other columns the tool does not use are ignored, and named once.
    #[arg(
        long = "column",
        value_name = "NAME=HEADER",
        value_parser = super::input::parse_column
    )]
    pub columns: Vec<(String, String)>,

    /// Keep --concurrency updates in flight and do not adapt the send rate:
    /// only pause as the server asks on 429. By default the rate drops below
    /// the server's on 429 and probes back up, and fewer updates are in
    /// flight while the server slows down.
    #[arg(long)]
    pub no_adaptive: bool,

    /// The change for every id of --ids.
    #[command(flatten, next_help_heading = "The change for every id (with --ids)")]
    pub change: ChangeArgs,
}
