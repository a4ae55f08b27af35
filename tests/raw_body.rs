//! A successful update keeps the body's bytes and the contact's fields that
//! the spec does not know.

mod support;

use support::API_KEY;
use support::scripted::{Reply, Server};
use talktohumans::Client;

async fn send(body: &str) -> talktohumans::UpdateContactOutput {
    let server = Server::start();
    server.reply_always(Reply::status(200).body("application/json", body.to_owned()));
    let client = server.client(Client::builder().api_key(API_KEY).max_retries(0));
    client
        .update_contact("123")
        .add_tag("x")
        .send()
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn the_body_is_kept_byte_for_byte() {
    // White space and key order a re-encoding would lose.
    let body = "{ \"data\" : {\"contact\": {\"name\":\"Ada\",  \"contact_id\":\"123\"}},\n\"meta\":{\"v\":2} }";
    let output = send(body).await;
    assert_eq!(output.raw_body().as_ref(), body.as_bytes());
    assert_eq!(output.contact.name.as_deref(), Some("Ada"));
    // The body's text is not in the Debug output, only its size.
    let debug = format!("{output:?}");
    assert!(
        debug.contains(&format!("raw_body_len: {}", body.len())),
        "{debug}"
    );
    assert!(!debug.contains("\\\"meta\\\""), "{debug}");
}

#[tokio::test(start_paused = true)]
async fn fields_the_spec_does_not_know_are_given_as_json() {
    let body = r#"{"data":{"contact":{"contact_id":"123","name":"Ada","lead_score":87,"enrichment":{"source":"x","tags":[1,2]},"tags":[{"name":"Hot lead"}]}}}"#;
    let output = send(body).await;
    let extra = output.extra_fields();
    let mut names: Vec<&str> = extra.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["enrichment", "lead_score"]);
    assert_eq!(extra["lead_score"], 87);
    assert_eq!(
        extra["enrichment"],
        serde_json::json!({"source": "x", "tags": [1, 2]})
    );
    // Asked again, the same map; a clone keeps it.
    assert!(std::ptr::eq(extra, output.extra_fields()));
    assert_eq!(output.clone().extra_fields(), extra);
}

#[tokio::test(start_paused = true)]
async fn a_body_with_only_known_fields_has_no_extra_ones() {
    let body = support::fixture("seed_example_response.json");
    let output = send(&body).await;
    assert!(
        output.extra_fields().is_empty(),
        "{:?}",
        output.extra_fields()
    );
    assert_eq!(output.raw_body().as_ref(), body.as_bytes());
}

#[tokio::test(start_paused = true)]
async fn a_drifted_body_keeps_its_bytes_and_its_unknown_fields() {
    let body =
        r#"{"data":{"contact":{"contact_id":"123","follower_count":"many","lead_score":87}}}"#;
    let output = send(body).await;
    assert_eq!(output.drift.len(), 1);
    assert_eq!(output.raw_body().as_ref(), body.as_bytes());
    let extra = output.extra_fields();
    assert_eq!(extra.len(), 1, "{extra:?}");
    assert_eq!(extra["lead_score"], 87);
}
