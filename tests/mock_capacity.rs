//! The mock's capacity mode: a token bucket in front of the API that
//! answers 429 past it, in the mock's error format, and changes nothing.

mod support;

use std::time::Duration;

use talktohumans::mock::{MockServer, seed};

#[tokio::test]
async fn past_capacity_the_answer_is_a_429_that_changes_nothing() {
    // 1 a second with a burst of 2: the third request in a row is refused.
    let mock = support::start(MockServer::builder().capacity(1).burst(2)).await;
    let http = reqwest::Client::new();
    let send = |tag: &str| {
        http.patch(format!(
            "{}/v1/contacts/{}",
            mock.base_url(),
            seed::MAYA_CHEN
        ))
        .bearer_auth(mock.api_key())
        .json(&serde_json::json!({"tags": {"add": [{"name": tag}]}}))
        .send()
    };
    assert_eq!(send("One").await.unwrap().status(), 200);
    assert_eq!(send("Two").await.unwrap().status(), 200);
    let refused = send("Three").await.unwrap();
    assert_eq!(refused.status(), 429);
    let headers = refused.headers().clone();
    assert_eq!(headers["retry-after"], "1");
    let millis: u64 = headers["retry-after-ms"].to_str().unwrap().parse().unwrap();
    assert!((1..=1000).contains(&millis), "{millis}");
    assert_eq!(headers["x-request-id"], "mock-3");
    assert_eq!(headers["content-type"], "application/json");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1 requests a second")
    );

    let contact = mock.contact(seed::MAYA_CHEN).unwrap();
    let tags = contact.tag_names();
    assert!(tags.contains(&"Two"));
    assert!(!tags.contains(&"Three"), "a refused update was applied");
    assert_eq!(mock.rate_limited_count(), 1);
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn the_limiter_comes_before_every_other_check_and_after_injected_faults() {
    let mock = support::start(MockServer::builder().capacity(1).burst(1)).await;
    let http = reqwest::Client::new();
    // An injected answer takes no token.
    mock.fail_next(1, http::StatusCode::SERVICE_UNAVAILABLE, None);
    let unknown_path = || http.get(format!("{}/nowhere", mock.base_url())).send();
    assert_eq!(unknown_path().await.unwrap().status(), 503);
    // The token goes to a request for an unknown path (404), then nothing
    // is left, even for such a request: the limiter is first.
    assert_eq!(unknown_path().await.unwrap().status(), 404);
    assert_eq!(unknown_path().await.unwrap().status(), 429);
    assert_eq!(mock.rate_limited_count(), 1);
}

#[tokio::test]
async fn without_capacity_nothing_is_limited() {
    let mock = support::start(MockServer::builder().burst(1)).await;
    let client = mock.client_builder().max_retries(0).build().unwrap();
    for i in 0..20 {
        client
            .update_contact(seed::MAYA_CHEN)
            .add_tag(format!("Tag {i}"))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(mock.rate_limited_count(), 0);
}

#[tokio::test]
async fn the_bucket_refills_at_the_rate() {
    let mock = support::start(MockServer::builder().capacity(20).burst(1)).await;
    let client = mock.client_builder().max_retries(0).build().unwrap();
    let send = || client.update_contact(seed::MAYA_CHEN).add_tag("Q4").send();
    send().await.unwrap();
    let error = send().await.unwrap_err();
    let hint = error.response().unwrap().headers()["retry-after-ms"]
        .to_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    assert!((1..=50).contains(&hint), "{hint}");
    // After the hint, a token is there again.
    tokio::time::sleep(Duration::from_millis(hint)).await;
    send().await.unwrap();
}
