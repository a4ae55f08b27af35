//! A success whose contact has a value that does not fit its type: by
//! default the call still returns the contact, with that value read
//! losslessly or left out, every other field as sent, and the value
//! reported; with `strict_responses` it is an `UndecodableResponse`.
//!
//! Each drift is put into the API reference's complete example response, so
//! that the comparison covers every other field of the contact.

mod support;

use serde_json::{Value, json};
use support::{answering_once, answering_once_with, fixture_json, json_response, send_update};
use talktohumans::{DriftResolution, Error};

/// One drift: where it goes (a JSON Pointer into the body), what is sent
/// there, and what the contact must have instead.
struct Drift {
    pointer: &'static str,
    sent: Value,
    expected_type: &'static str,
    resolution: DriftResolution,
    /// The value read losslessly, for `ReadLosslessly`.
    read_as: Option<Value>,
}

impl Drift {
    fn left_out(pointer: &'static str, sent: Value, expected_type: &'static str) -> Self {
        let resolution = if pointer
            .rsplit('/')
            .next()
            .is_some_and(|last| last.parse::<usize>().is_ok())
        {
            DriftResolution::ItemDropped
        } else {
            DriftResolution::SetToNone
        };
        Self {
            pointer,
            sent,
            expected_type,
            resolution,
            read_as: None,
        }
    }

    fn read_as(
        pointer: &'static str,
        sent: Value,
        expected_type: &'static str,
        value: Value,
    ) -> Self {
        Self {
            pointer,
            sent,
            expected_type,
            resolution: DriftResolution::ReadLosslessly,
            read_as: Some(value),
        }
    }

    /// The seed's example response with the drift in place. An array item is
    /// inserted before the pointed index, so the other items stay.
    fn body(&self) -> Value {
        let mut body = fixture_json("seed_example_response.json");
        let (parent, last) = self.pointer.rsplit_once('/').expect("a pointer");
        match body.pointer_mut(parent).expect("the parent is in the seed") {
            Value::Array(items) => items.insert(last.parse().expect("an index"), self.sent.clone()),
            Value::Object(fields) => {
                fields.insert(last.to_owned(), self.sent.clone());
            }
            other => panic!("{parent} is {other}"),
        }
        body
    }

    /// What the contact must be: the seed's, with the drifted value read or
    /// left out (a `None` field is not serialized).
    fn expected_contact(&self) -> Value {
        let mut contact = fixture_json("seed_example_response.json")["data"]["contact"].take();
        let inside = self
            .pointer
            .strip_prefix("/data/contact")
            .expect("in the contact");
        if let Some(value) = &self.read_as {
            *contact.pointer_mut(inside).expect("in the seed") = value.clone();
        } else if self.resolution == DriftResolution::SetToNone {
            let (parent, last) = inside.rsplit_once('/').expect("a pointer");
            contact
                .pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .expect("an object")
                .remove(last);
        }
        contact
    }
}

/// By default: the contact, exactly as sent but for the drift, which is
/// reported. With `strict_responses`: `UndecodableResponse`.
async fn check(drift: Drift) {
    let body = drift.body();

    let server = answering_once(&body.to_string()).await;
    let output = send_update(&server, false)
        .await
        .unwrap_or_else(|e| panic!("{}: the contact must come back: {e}", drift.pointer));
    assert_eq!(
        serde_json::to_value(&output.contact).unwrap(),
        drift.expected_contact(),
        "{}",
        drift.pointer
    );
    assert_eq!(output.drift.len(), 1, "{:?}", output.drift);
    let reported = &output.drift[0];
    assert_eq!(reported.path(), drift.pointer);
    assert_eq!(reported.expected(), drift.expected_type, "{reported}");
    assert_eq!(reported.found_preview(), drift.sent.to_string());
    assert_eq!(reported.resolution(), drift.resolution, "{reported}");
    // The path points at the value in the body as it was sent.
    assert_eq!(body.pointer(reported.path()), Some(&drift.sent));

    let server = answering_once(&body.to_string()).await;
    match send_update(&server, true).await {
        Err(Error::UndecodableResponse(e)) => {
            assert_eq!(e.status(), 200);
            assert!(e.to_string().contains("accepted the update"), "{e}");
            assert_eq!(e.response().body().as_ref(), body.to_string().as_bytes());
        }
        other => panic!(
            "{}: strict must refuse the drift, got {other:?}",
            drift.pointer
        ),
    }
}

const TIMESTAMP: &str = "an RFC 3339 formatted date and time string";

#[tokio::test]
async fn a_timestamp_without_an_offset() {
    check(Drift::left_out(
        "/data/contact/last_interaction_at",
        json!("2023-11-07T05:31:56"),
        TIMESTAMP,
    ))
    .await;
}

#[tokio::test]
async fn an_empty_timestamp() {
    check(Drift::left_out(
        "/data/contact/connection_invitation/received_at",
        json!(""),
        TIMESTAMP,
    ))
    .await;
}

#[tokio::test]
async fn a_count_sent_as_an_integral_float_is_read_as_the_integer() {
    check(Drift::read_as(
        "/data/contact/follower_count",
        json!(123.0),
        "i64",
        json!(123),
    ))
    .await;
}

#[tokio::test]
async fn a_count_sent_as_text_is_read_as_the_integer() {
    check(Drift::read_as(
        "/data/contact/company/employee_count",
        json!("500"),
        "i64",
        json!(500),
    ))
    .await;
}

#[tokio::test]
async fn a_count_sent_as_a_fraction() {
    check(Drift::left_out(
        "/data/contact/sequence/steps/0/position",
        json!(1.5),
        "i64",
    ))
    .await;
}

#[tokio::test]
async fn a_null_inside_an_array() {
    check(Drift::left_out(
        "/data/contact/tags/0",
        Value::Null,
        "struct ContactTag",
    ))
    .await;
}

#[tokio::test]
async fn a_number_where_text_was_documented() {
    check(Drift::left_out(
        "/data/contact/headline",
        json!(4.5),
        "a string",
    ))
    .await;
}

#[tokio::test]
async fn an_integer_where_text_was_documented_is_read_as_its_digits() {
    check(Drift::read_as(
        "/data/contact/account/account_id",
        json!(42),
        "a string",
        json!("42"),
    ))
    .await;
}

#[tokio::test]
async fn an_empty_array_where_an_object_was_documented_is_an_empty_object() {
    // PHP's json_encode writes an empty associative array as `[]`.
    check(Drift::read_as(
        "/data/contact/connection_invitation",
        json!([]),
        "struct ConnectionInvitation",
        json!({}),
    ))
    .await;
}

#[tokio::test]
async fn an_array_where_an_object_was_documented() {
    check(Drift::left_out(
        "/data/contact/account",
        json!(["42", "Sam"]),
        "struct Account",
    ))
    .await;
}

#[tokio::test]
async fn a_one_for_a_boolean() {
    check(Drift::left_out(
        "/data/contact/experiences/0/is_current",
        json!(1),
        "a boolean",
    ))
    .await;
}

#[tokio::test]
async fn a_fitting_body_has_no_drift() {
    let server = answering_once(&fixture_json("seed_example_response.json").to_string()).await;
    assert!(send_update(&server, false).await.unwrap().drift.is_empty());
    let server = answering_once(&fixture_json("seed_example_response.json").to_string()).await;
    assert!(send_update(&server, true).await.unwrap().drift.is_empty());
}

#[tokio::test]
async fn another_success_status_with_a_contact_returns_it() {
    let body = fixture_json("seed_example_response.json").to_string();
    let server = answering_once_with(json_response(201, &body)).await;
    let output = send_update(&server, false)
        .await
        .expect("a 201 applied the update too");
    assert_eq!(output.status, 201);
    assert_eq!(output.contact.contact_id.as_deref(), Some("<string>"));
}

#[tokio::test]
async fn still_undecodable_without_json_or_without_a_contact() {
    for body in [
        "not json",
        r#"{"data":{}}"#,
        r#"{"data":{"contact":null}}"#,
        r#"{"data":{"contact":"x"}}"#,
        "{}",
    ] {
        let server = answering_once_with(json_response(200, body)).await;
        match send_update(&server, false).await {
            Err(Error::UndecodableResponse(e)) => {
                assert!(
                    e.to_string()
                        .starts_with("the server accepted the update (HTTP 200 OK)"),
                    "{e}"
                );
            }
            other => panic!("{body}: {other:?}"),
        }
    }
}
