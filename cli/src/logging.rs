//! `-v`, `-vv`, `-vvv` and `TALKTOHUMANS_LOG`: the library's spans and events
//! on stderr, so that a run can be followed request by request.
//!
//! `-v` shows each call when it ends (contact, attempts, status, request id,
//! duration) and each retry with its wait; `-vv` adds each attempt; `-vvv`
//! adds the bodies sent and received, which hold contacts' notes and
//! profiles, so it is for debugging only. The API key is never logged.
//! `TALKTOHUMANS_LOG` takes an `EnvFilter` (for example
//! `talktohumans=debug,reqwest=info`) and wins over `-v`.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// The environment variable with an `EnvFilter`.
pub const LOG_ENV: &str = "TALKTOHUMANS_LOG";

/// Starts logging to stderr as `verbosity` (the count of `-v`) or
/// `TALKTOHUMANS_LOG` says; without either, nothing is logged: the commands
/// report what matters themselves.
pub fn init(verbosity: u8) -> Result<(), String> {
    let directives = match std::env::var(LOG_ENV) {
        Ok(text) if !text.trim().is_empty() => text,
        _ => match verbosity {
            0 => return Ok(()),
            1 => "talktohumans=info".to_owned(),
            2 => "talktohumans=debug".to_owned(),
            _ => "talktohumans=trace".to_owned(),
        },
    };
    let filter = EnvFilter::builder()
        .parse(&directives)
        .map_err(|e| format!("{LOG_ENV}={directives:?} is not a log filter: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // Its own errors would go to a stderr that may be closed
        // (`2>&- `, `2>&1 | head`), where they would panic.
        .log_internal_errors(false)
        .try_init()
        .map_err(|e| format!("cannot start logging: {e}"))
}
