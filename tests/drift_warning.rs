//! The one warning a call whose response drifted logs, in a test binary of
//! its own: tracing caches per call site whether anyone listens, and another
//! test of the same process that reaches the same warning on another thread
//! while this test's subscriber is being set can leave "no one" cached for
//! it, which made this check fail now and then when it shared a binary.

mod support;

use serde_json::json;
use support::{LogBuffer, answering_once, fixture_json, send_update, tag_names};

/// Every drift at once: each reported, with the paths of the body as sent,
/// and one warning for the call.
#[tokio::test]
async fn every_drift_at_once_is_reported_with_one_warning() {
    let mut body = fixture_json("seed_example_response.json");
    let contact = &mut body["data"]["contact"];
    contact["last_interaction_at"] = json!("2023-11-07T05:31:56");
    contact["connection_invitation"]["received_at"] = json!("");
    contact["follower_count"] = json!(123.0);
    contact["company"]["employee_count"] = json!("500");
    contact["tags"] = json!([null, {"name": "a"}, 7, {"name": "b"}]);
    contact["headline"] = json!(4.5);
    contact["account"] = json!([]);
    contact["experiences"][0]["is_current"] = json!(1);
    let server = answering_once(&body.to_string()).await;

    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(move || writer.clone())
        .finish();
    let output = {
        let _default = tracing::subscriber::set_default(subscriber);
        send_update(&server, false)
            .await
            .expect("the contact comes back")
    };

    let mut paths: Vec<_> = output.drift.iter().map(|d| d.path()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "/data/contact/account",
            "/data/contact/company/employee_count",
            "/data/contact/connection_invitation/received_at",
            "/data/contact/experiences/0/is_current",
            "/data/contact/follower_count",
            "/data/contact/headline",
            "/data/contact/last_interaction_at",
            "/data/contact/tags/0",
            "/data/contact/tags/2",
        ]
    );
    assert_eq!(tag_names(&output.contact), ["a", "b"]);
    assert_eq!(output.contact.follower_count, Some(123));
    assert_eq!(
        output.contact.company.as_ref().unwrap().employee_count,
        Some(500)
    );
    assert_eq!(output.contact.name.as_deref(), Some("<string>"));

    let logs = logs.text();
    assert_eq!(logs.matches("WARN").count(), 1, "{logs}");
    assert!(logs.contains("/data/contact/tags/2"), "{logs}");
    // Values stay out of the warning: they are the contact's data.
    assert!(!logs.contains("2023-11-07T05:31:56\""), "{logs}");
}
