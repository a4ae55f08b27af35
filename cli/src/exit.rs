//! The exit codes, listed for users in `EXIT_CODES` below and in the
//! README; scripts depend on them, so they never change meaning.

/// Everything went as asked.
pub const OK: u8 = 0;
/// A usage error; clap's own code, so that all usage errors share it.
pub const USAGE: u8 = 2;
/// The input breaks a rule; nothing was sent.
pub const INVALID_INPUT: u8 = 3;
/// The single update was refused or could not be sent.
pub const API_FAILURE: u8 = 4;
/// One or more rows of a bulk run failed.
pub const PARTIAL_FAILURE: u8 = 5;
/// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED: u8 = 130;

/// Printed under every `--help`, so that scripts can be written against it.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    success (in bulk: every row sent was updated, or changed nothing and was skipped)
  2    usage error: unknown flag, flags that cannot go together, no API key
  3    invalid input: a tag, id, notes or CSV row breaks a rule; nothing was sent
  4    API failure: the single update was refused or could not be sent
  5    partial failure: one or more rows of a bulk run failed (see the results CSV)
  130  interrupted by Ctrl-C: the rows not sent are in the results CSV as not_sent

Environment:
  TALKTOHUMANS_API_KEY   the API key (not needed with --mock or --dry-run)
  TALKTOHUMANS_BASE_URL  the API's base URL, as --base-url";

/// A rule between flags that clap cannot express: shown as clap's usage
/// error (code 2), with the usage of the subcommand at `path`.
#[derive(Debug)]
pub struct UsageError {
    /// The subcommand, e.g. `["contact", "update"]`.
    pub path: &'static [&'static str],
    /// Why the flags do not go together.
    pub message: String,
}
