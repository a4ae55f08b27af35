//! Observers see every attempt's start and response, each retry with its
//! reason and wait, and the call's end with its drift, in order, on tokio's
//! paused clock so that durations and waits are exact.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use support::API_KEY;
use support::scripted::{Reply, Server};
use talktohumans::{
    AttemptResponse, AttemptStart, CallEnd, Client, ClientBuilder, Observer, RetryScheduled,
    UpdateContactInput,
};

const CONTACT: &str = r#"{"data":{"contact":{"contact_id":"123","name":"Ada"}}}"#;

/// Writes each event as one line, prefixed with its name.
#[derive(Default)]
struct Recorder {
    name: &'static str,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn log(&self, line: String) {
        self.lines
            .lock()
            .unwrap()
            .push(format!("{} {line}", self.name));
    }
}

impl Observer for Recorder {
    fn on_attempt_start(&self, e: &AttemptStart<'_>) {
        let path = e.url.split_once("//").unwrap().1.split_once('/').unwrap().1;
        self.log(format!(
            "start {} #{} {} /{path}",
            e.contact_id, e.attempt, e.method
        ));
    }

    fn on_response(&self, e: &AttemptResponse<'_>) {
        let id = e.headers.get("x-request-id").map(|v| v.to_str().unwrap());
        self.log(format!(
            "response {} #{} {} {:?} in {:?}",
            e.contact_id,
            e.attempt,
            e.status.as_u16(),
            id,
            e.duration
        ));
    }

    fn on_retry_scheduled(&self, e: &RetryScheduled<'_>) {
        self.log(format!(
            "retry {} after #{} status {:?} wait {:?}",
            e.contact_id,
            e.attempt,
            e.error.status().map(|s| s.as_u16()),
            e.wait
        ));
    }

    fn on_call_end(&self, e: &CallEnd<'_>) {
        let result = match e.result {
            Ok(output) => format!("ok {}", output.status.as_u16()),
            Err(error) => format!("error {:?}", error.kind()),
        };
        let drift: Vec<&str> = e.drift.iter().map(|d| d.path()).collect();
        self.log(format!(
            "end {} {result} attempts {} in {:?} drift {drift:?}",
            e.contact_id, e.attempts, e.duration
        ));
    }
}

fn builder() -> ClientBuilder {
    Client::builder().api_key(API_KEY)
}

#[tokio::test(start_paused = true)]
async fn every_step_of_a_retried_call_is_told_to_every_observer_in_order() {
    let server = Server::start();
    server.reply_once(
        Reply::status(503)
            .header("retry-after-ms", "250")
            .header("x-request-id", "r1"),
    );
    server.reply_always(
        Reply::status(200)
            .header("x-request-id", "r2")
            .body("application/json", CONTACT),
    );
    let lines = Arc::new(Mutex::new(Vec::new()));
    let client = server.client(
        builder()
            .observer(Arc::new(Recorder {
                name: "a",
                lines: Arc::clone(&lines),
            }))
            .observer(Arc::new(Recorder {
                name: "b",
                lines: Arc::clone(&lines),
            })),
    );
    client
        .update_contact("123")
        .add_tag("x")
        .send()
        .await
        .unwrap();
    let lines = lines.lock().unwrap().clone();
    assert_eq!(
        lines,
        [
            "a start 123 #1 PATCH /v1/contacts/123",
            "b start 123 #1 PATCH /v1/contacts/123",
            "a response 123 #1 503 Some(\"r1\") in 0ns",
            "b response 123 #1 503 Some(\"r1\") in 0ns",
            "a retry 123 after #1 status Some(503) wait 250ms",
            "b retry 123 after #1 status Some(503) wait 250ms",
            "a start 123 #2 PATCH /v1/contacts/123",
            "b start 123 #2 PATCH /v1/contacts/123",
            "a response 123 #2 200 Some(\"r2\") in 0ns",
            "b response 123 #2 200 Some(\"r2\") in 0ns",
            "a end 123 ok 200 attempts 2 in 250ms drift []",
            "b end 123 ok 200 attempts 2 in 250ms drift []",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_timeout_has_no_response_and_the_end_says_why() {
    let server = Server::start();
    server.reply_always(Reply::hang());
    let recorder = Arc::new(Recorder {
        name: "o",
        ..Recorder::default()
    });
    let client = server.client(
        builder()
            .max_retries(0)
            .timeout(Duration::from_secs(3))
            .observer(recorder.clone()),
    );
    client
        .update_contact("123")
        .add_tag("x")
        .send()
        .await
        .unwrap_err();
    let lines = recorder.lines.lock().unwrap().clone();
    assert_eq!(
        lines,
        [
            "o start 123 #1 PATCH /v1/contacts/123",
            "o end 123 error Timeout attempts 1 in 3s drift []",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_call_end_carries_the_drift_of_an_applied_update() {
    let server = Server::start();
    let drifted = r#"{"data":{"contact":{"contact_id":"123","follower_count":"many"}}}"#;
    server.reply_always(Reply::status(200).body("application/json", drifted));
    let recorder = Arc::new(Recorder {
        name: "o",
        ..Recorder::default()
    });
    let client = server.client(builder().observer(recorder.clone()));
    let output = client
        .update_contact("123")
        .add_tag("x")
        .send()
        .await
        .unwrap();
    assert_eq!(output.drift.len(), 1);
    let lines = recorder.lines.lock().unwrap().clone();
    assert_eq!(
        lines.last().unwrap(),
        "o end 123 ok 200 attempts 1 in 0ns drift [\"/data/contact/follower_count\"]"
    );
}

#[tokio::test(start_paused = true)]
async fn a_batch_tells_the_observers_of_each_update() {
    let server = Server::start();
    server.reply_always(Reply::status(200).body("application/json", CONTACT));
    let recorder = Arc::new(Recorder {
        name: "o",
        ..Recorder::default()
    });
    let client = server.client(builder().observer(recorder.clone()));
    let inputs = ["1", "2"].map(|id| {
        UpdateContactInput::builder(id)
            .add_tag("x")
            .build()
            .unwrap()
    });
    let results: Vec<_> = client.update_contacts(inputs).collect().await;
    assert!(results.iter().all(|item| item.result.is_ok()));
    let mut ends: Vec<String> = recorder
        .lines
        .lock()
        .unwrap()
        .iter()
        .filter(|line| line.starts_with("o end"))
        .cloned()
        .collect();
    ends.sort();
    assert_eq!(
        ends,
        [
            "o end 1 ok 200 attempts 1 in 0ns drift []",
            "o end 2 ok 200 attempts 1 in 0ns drift []",
        ]
    );
}

#[test]
fn a_client_shows_how_many_observers_it_has() {
    let client = builder()
        .observer(Arc::new(Recorder::default()))
        .build()
        .unwrap();
    assert!(format!("{client:?}").contains("1 observer(s)"));
}
