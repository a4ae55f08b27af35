//! The exit codes, listed for users in `EXIT_CODES` in `main.rs` and in the
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
