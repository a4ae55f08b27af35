//! Makes an update fail in each way one can, and shows what to do and what
//! to log for each kind of error: input refused before sending, an error
//! answer from the API, an update that was applied but whose answer did not
//! decode, and a timeout.
//!
//! ```text
//! cargo run --example error_handling
//! ```
//!
//! It always runs against the crate's embedded mock of the API, told to
//! misbehave, because failures are the point and a real account cannot be
//! made to produce them on demand. It needs no account and no network.

use std::process::ExitCode;
use std::time::Duration;

use talktohumans::http::StatusCode;
use talktohumans::mock::{Fault, MockServer, seed};
use talktohumans::{Error, UpdateContactOutput};

#[tokio::main]
async fn main() -> ExitCode {
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

    println!("\n1. Replacing the tags and removing one in the same update");
    let before = mock.request_count();
    let result = client
        .update_contact(seed::MAYA_CHEN)
        .set_tags(["Customer"])
        .remove_tag("Hot lead")
        .send()
        .await;
    log_error(&expect_error(result)?);
    println!("   requests sent: {}", mock.request_count() - before);

    println!("\n2. Updating a contact that does not exist");
    let result = client
        .update_contact("99999999")
        .add_tag("Hot lead")
        .send()
        .await;
    log_error(&expect_error(result)?);

    println!("\n3. A success status with a body that is not the contact");
    // The mock answers an injected fault without applying the update; a
    // real 200 means the API did apply it.
    mock.inject(
        1,
        Fault::status(StatusCode::OK).raw_body("text/plain", "ok"),
    );
    let result = client
        .update_contact(seed::TOMAS_HERRERA)
        .add_tag("Hot lead")
        .send()
        .await;
    log_error(&expect_error(result)?);

    println!("\n4. No answer within the attempt's time limit");
    mock.delay_next(1, Duration::from_secs(2));
    // Timeouts are retried by default; with no retries the one attempt's
    // failure comes back at once.
    let impatient = mock
        .client_builder()
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .build()
        .map_err(|e| e.to_string())?;
    let result = impatient
        .update_contact(seed::TOMAS_HERRERA)
        .add_tag("Hot lead")
        .send()
        .await;
    log_error(&expect_error(result)?);
    Ok(())
}

/// The error of a call that the mock was set up to make fail.
fn expect_error(result: Result<UpdateContactOutput, Error>) -> Result<Error, String> {
    match result {
        Ok(_) => Err("the update succeeded, but the mock was set up to make it fail".into()),
        Err(error) => Ok(error),
    }
}

/// What an application would log for each kind of error, and what it means
/// for the update.
fn log_error(error: &Error) {
    match error {
        // The caller's data breaks a rule of the API. Sending it again would
        // fail the same way, so report it for a fix.
        Error::InvalidInput(why) => {
            println!("   invalid input, nothing was sent: {why}");
        }
        // The server refused the update. The request id is what the API's
        // support needs to find the request.
        Error::Api(api) => {
            println!("   the API answered HTTP {}", api.status());
            println!("   request id: {}", api.request_id().unwrap_or("-"));
            println!("   message:    {}", api.message().unwrap_or("-"));
            println!("   attempts:   {}", api.attempts());
            if let Some(wait) = api.retry_after() {
                println!("   the server asks to retry after {wait:?}");
            }
        }
        // The update is applied: do not report it as failed, and do not
        // queue it again. The body shows what the server sent instead.
        Error::UndecodableResponse(e) => {
            let body = String::from_utf8_lossy(e.response().body());
            println!(
                "   applied (HTTP {}), but the answer did not decode",
                e.status()
            );
            println!(
                "   request id: {}",
                e.response().request_id().unwrap_or("-")
            );
            println!("   reason:     {}", e.reason());
            println!(
                "   body:       {:?}",
                body.chars().take(80).collect::<String>()
            );
        }
        // Nothing came back, so the update may or may not have been applied.
        // Sending it again is safe: the same update leaves the contact as one
        // would.
        Error::Timeout { attempts, source } => {
            println!(
                "   timed out after {attempts} attempt(s): {}",
                chain(source)
            );
        }
        Error::Transport { attempts, source } => {
            println!(
                "   transport error after {attempts} attempt(s): {}",
                chain(source)
            );
        }
        Error::Config(why) => println!("   the client is misconfigured: {why}"),
        // `Error` is non-exhaustive: a later version may add kinds.
        other => println!("   {other}"),
    }
}

/// An error and its causes, as one line: reqwest's own message names only
/// the step that failed, and the cause says why.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
