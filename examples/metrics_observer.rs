//! Counts attempts, statuses, retries and calls into a metrics map with an
//! [`Observer`], the way a service feeds its metrics system, then prints the
//! map.
//!
//! ```text
//! cargo run --example metrics_observer
//! ```
//!
//! It runs against the crate's embedded mock of the API, which is told to
//! answer one request with a 503 so that a retry shows up in the counts.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use talktohumans::http::StatusCode;
use talktohumans::mock::{Fault, MockServer, seed};
use talktohumans::{
    AttemptResponse, AttemptStart, CallEnd, Observer, RetryScheduled, UpdateContactInput,
};

/// Counters by name, as a metrics library would keep them.
#[derive(Default)]
struct Metrics(Mutex<BTreeMap<String, u64>>);

impl Metrics {
    fn add(&self, name: impl Into<String>, by: u64) {
        let mut counters = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *counters.entry(name.into()).or_default() += by;
    }
}

impl Observer for Metrics {
    fn on_attempt_start(&self, _: &AttemptStart<'_>) {
        self.add("attempts", 1);
    }

    fn on_response(&self, response: &AttemptResponse<'_>) {
        self.add(format!("status.{}", response.status.as_u16()), 1);
        self.add("response_time_ms.sum", response.duration.as_millis() as u64);
    }

    fn on_retry_scheduled(&self, retry: &RetryScheduled<'_>) {
        self.add(format!("retries.{:?}", retry.error.kind()), 1);
        self.add("retry_wait_ms.sum", retry.wait.as_millis() as u64);
    }

    fn on_call_end(&self, end: &CallEnd<'_>) {
        let outcome = if end.result.is_ok() { "ok" } else { "error" };
        self.add(format!("calls.{outcome}"), 1);
        // A server that drifts from the spec is worth an alert.
        self.add("drifted_values", end.drift.len() as u64);
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockServer::start().await?;
    mock.inject(
        1,
        Fault::status(StatusCode::SERVICE_UNAVAILABLE).retry_after_ms(Duration::from_millis(20)),
    );
    let metrics = Arc::new(Metrics::default());
    let client = mock.client_builder().observer(metrics.clone()).build()?;

    client
        .update_contact(seed::MAYA_CHEN)
        .add_tag("Hot lead")
        .send()
        .await?;
    let inputs = [seed::JONAS_BERG, seed::PRIYA_RAMAN, "999999"].map(|id| {
        UpdateContactInput::builder(id)
            .add_tag("Newsletter")
            .build()
    });
    let inputs = inputs.into_iter().collect::<Result<Vec<_>, _>>()?;
    let mut results = client.update_contacts(inputs);
    while let Some(item) = results.next().await {
        if let Err(error) = item.result {
            println!("contact {}: {error}", item.contact_id);
        }
    }

    let counters = metrics.0.lock().unwrap_or_else(|e| e.into_inner());
    for (name, value) in counters.iter() {
        // Times vary from run to run; the counts do not.
        if !name.ends_with("_ms.sum") {
            println!("{name} = {value}");
        }
    }
    Ok(())
}
