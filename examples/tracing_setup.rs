//! Sets up `tracing-subscriber` so that the crate's spans show, then updates
//! one contact.
//!
//! ```text
//! cargo run --example tracing_setup
//! cargo run --example tracing_setup -- --trace   # request and response bodies too
//! ```
//!
//! It runs against the crate's embedded mock of the API, so it needs no
//! account and no network.
//!
//! Each call is a span `talktohumans.update_contact` (INFO) with the
//! contact id, the number of attempts, the status, the request id and the
//! duration; each attempt is a span `attempt` (DEBUG) within it, and a retry
//! an INFO event. Request and response bodies are events at TRACE only, cut
//! to 1024 characters: they hold the contact's notes and profile, so turn
//! TRACE on for this crate only while debugging. The API key is never
//! logged, at any level.

use std::process::ExitCode;

use talktohumans::Tag;
use talktohumans::mock::{MockServer, seed};
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::prelude::*;

#[tokio::main]
async fn main() -> ExitCode {
    let level = if std::env::args().any(|arg| arg == "--trace") {
        Level::TRACE
    } else {
        Level::DEBUG
    };
    // A filter by target rather than by level alone, so that this crate can
    // be verbose while reqwest, hyper and the rest stay at WARN. (With the
    // `env-filter` feature, `EnvFilter` reads the same from `RUST_LOG`.)
    let filter = Targets::new()
        .with_target("talktohumans", level)
        .with_default(Level::WARN);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                // The crate records a call's outcome on its span rather than
                // in an event, so a span shows its fields when it closes.
                .with_span_events(FmtSpan::CLOSE)
                .with_writer(std::io::stderr),
        )
        .with(filter)
        // `init` also routes the `log` records of reqwest and hyper into
        // tracing (feature `tracing-log`), under the same filter.
        .init();

    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let mock = MockServer::start().await.map_err(|e| e.to_string())?;
    let client = mock.client_builder().build().map_err(|e| e.to_string())?;
    println!("Using the embedded mock API at {}", mock.base_url());

    let updated = client
        .update_contact(seed::TOMAS_HERRERA)
        .add_tag(Tag::new("Hot lead").with_color("red"))
        .notes(&serde_json::json!({"stage": "contacted"}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "Updated contact {} (request id {})",
        seed::TOMAS_HERRERA,
        updated.request_id().unwrap_or("-")
    );
    Ok(())
}
