//! The exit codes, listed for users in `EXIT_CODES` below and in the
//! README; scripts depend on them, so they never change meaning.

/// Everything went as asked.
pub const OK: u8 = 0;
/// The tool itself could not run (no async runtime, no signal handlers),
/// or could not keep or read a profile or key on this machine.
pub const FAILURE: u8 = 1;
/// A usage error; clap's own code, so that all usage errors share it.
pub const USAGE: u8 = 2;
/// The input breaks a rule; nothing was sent.
pub const INVALID_INPUT: u8 = 3;
/// The single update was refused or could not be sent.
pub const API_FAILURE: u8 = 4;
/// One or more rows of a bulk run failed.
pub const PARTIAL_FAILURE: u8 = 5;
/// A bulk run had updates that the server applied (it answered 2xx) but
/// whose answers could not be read: they need a look.
pub const APPLIED_UNREADABLE: u8 = 6;
/// The results file of a bulk run could not be written: the run stopped
/// sending, and said which rows may have been applied.
pub const RESULTS_UNWRITABLE: u8 = 7;

/// Stopped by a signal (SIGINT from Ctrl-C, SIGTERM, SIGHUP): 128 + its
/// number, as shells report it (130, 143, 129).
pub fn stopped_by(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(u8::MAX)
}

/// Printed under every `--help`, so that scripts can be written against it.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    success (in bulk: every row sent was updated, or changed nothing and was skipped)
  1    the tool itself could not run (async runtime, signal handlers), or a profile
       or key could not be kept or read (auth)
  2    usage error: unknown flag, flags that cannot go together, no API key, a
       results file that exists or is the input, a resume whose flags disagree
       with its run
  3    invalid input: a tag, id, notes or CSV row breaks a rule, or a resumed
       run's input changed; nothing was sent
  4    API failure: the single update was refused or could not be sent
  5    partial failure: one or more rows of a bulk run failed (see the results CSV)
  6    applied but unreadable: the server answered 2xx to one or more rows but its
       answer could not be read; those rows were applied and need a look
       (outcome applied_unreadable), and a resume does not send them again
  7    the results file could not be written: no update was sent after that; the
       rows that may have been applied are listed
  129  stopped by SIGHUP, 130 by Ctrl-C (SIGINT), 143 by SIGTERM: the updates in
  130  flight finished, and the rows not sent are in the results CSV as not_sent
  143  (when several codes apply, the first of 7, a signal, 6, 5 wins)

Environment:
  TALKTOHUMANS_API_KEY     the API key (not needed with --mock or --dry-run); it comes
                           after --api-key-file and before a saved profile's key
  TALKTOHUMANS_BASE_URL    the API's base URL, as --base-url
  TALKTOHUMANS_PROFILE     the saved profile to use, as --profile
  TALKTOHUMANS_CONFIG_DIR  where profiles are kept [default: the user's config folder]
  TALKTOHUMANS_LOG         what to log on stderr, as an EnvFilter (wins over -v)
  TALKTOHUMANS_KEY_STORE   \"file\" keeps keys in files even where an OS credential
                           store exists (servers, tests)";

/// A rule between flags that clap cannot express: shown as clap's usage
/// error (code 2), with the usage of the subcommand at `path`.
#[derive(Debug)]
pub struct UsageError {
    /// The subcommand, e.g. `["contact", "update"]`.
    pub path: &'static [&'static str],
    /// Why the flags do not go together.
    pub message: String,
}
