//! Exports the crate's spans to OpenTelemetry, printed on stdout: the call
//! span `talktohumans.update_contact` and one `attempt` span a request,
//! with the HTTP client fields of OpenTelemetry's semantic conventions
//! (`http.request.method`, `http.response.status_code`, `server.address`,
//! `server.port`, `url.full`, `http.request.resend_count`, `error.type`).
//!
//! ```text
//! cargo run --example opentelemetry_stdout
//! ```
//!
//! It runs against the crate's embedded mock of the API, told to answer the
//! first request with a 503, so that the output shows a resend and an
//! error. In a service, replace the stdout exporter with an OTLP one.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use talktohumans::http::StatusCode;
use talktohumans::mock::{Fault, MockServer, seed};
use tracing::Level;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
        .build();
    let tracer = provider.tracer("opentelemetry_stdout example");
    // The crate's spans down to the attempts, without the HTTP layers'
    // own events or the crate's TRACE events (which show the bodies).
    let only_the_crate = Targets::new().with_target("talktohumans", Level::DEBUG);
    let subscriber = tracing_subscriber::registry().with(
        tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_filter(only_the_crate),
    );
    tracing::subscriber::set_global_default(subscriber)?;

    let mock = MockServer::start().await?;
    mock.inject(
        1,
        Fault::status(StatusCode::SERVICE_UNAVAILABLE).retry_after_ms(Duration::from_millis(20)),
    );
    let client = mock.client_builder().build()?;
    let output = client
        .update_contact(seed::TOMAS_HERRERA)
        .add_tag("Hot lead")
        .send()
        .await?;
    eprintln!(
        "updated after {} attempts; the spans follow on stdout",
        output.attempts
    );

    // Each span was exported as it ended; this flushes and stops the
    // exporter.
    provider.shutdown()?;
    Ok(())
}
