//! What the caller gets when the server does not answer with the documented
//! contact: a typed error that keeps the status, headers and body bytes, and
//! a message that shows the server's words but never a whole body or the key.

mod support;

use std::time::Duration;

use http::StatusCode;
use support::loopback::RefusedAddress;
use support::{API_KEY, answering_once_with, api_error, client, json_response, send_update};
use talktohumans::{Client, Error, UndecodableResponse};
use wiremock::ResponseTemplate;

/// The error statuses every kind of body is tried with.
const STATUSES: [u16; 8] = [400, 401, 404, 409, 422, 429, 500, 503];

/// A marker that sits in bodies where no message should ever show it.
const HIDDEN: &str = "HIDDEN_NOTES_7f3a";

/// Sends one valid update to a server that answers `response` once.
async fn error_for(response: ResponseTemplate) -> Error {
    error_from(response, false).await
}

/// The same, with a client that refuses any value that does not fit its
/// type (`strict_responses`).
async fn strict_error_for(response: ResponseTemplate) -> Error {
    error_from(response, true).await
}

async fn error_from(response: ResponseTemplate, strict: bool) -> Error {
    let server = answering_once_with(response).await;
    let result = send_update(&server, strict).await;
    server.verify().await;
    result.expect_err("the server did not send the documented contact")
}

fn undecodable(error: &Error) -> &UndecodableResponse {
    match error {
        Error::UndecodableResponse(undecodable) => undecodable,
        other => panic!("expected Error::UndecodableResponse, got {other:?}"),
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).expect("a valid status")
}

#[tokio::test]
async fn json_error_bodies_keep_status_body_headers_and_message() {
    for code in STATUSES {
        let body = format!(
            r#"{{"message":"Contact 123 could not be updated ({code})","code":"E{code}","details":{{"notes":"{HIDDEN}"}}}}"#
        );
        let request_id = format!("req_{code}_a1b2");
        let error = error_for(
            json_response(code, &body)
                .insert_header("x-request-id", request_id.as_str())
                .insert_header("x-extra", "kept"),
        )
        .await;

        let api = api_error(&error);
        assert_eq!(api.status(), status(code));
        assert_eq!(error.status(), Some(status(code)));
        assert_eq!(api.response().status(), status(code));
        assert_eq!(api.response().body().as_ref(), body.as_bytes(), "{code}");
        assert_eq!(
            api.json(),
            Some(&serde_json::from_str::<serde_json::Value>(&body).expect("JSON"))
        );
        let message = format!("Contact 123 could not be updated ({code})");
        assert_eq!(api.message(), Some(message.as_str()));
        assert_eq!(api.request_id(), Some(request_id.as_str()));
        assert_eq!(error.request_id(), Some(request_id.as_str()));
        assert_eq!(api.response().headers()["x-extra"], "kept");
        assert_eq!(api.response().headers()["content-type"], "application/json");
        assert_eq!(api.attempts(), 1);

        let shown = error.to_string();
        assert!(
            shown.starts_with(&format!("the API answered HTTP {}: ", status(code))),
            "{shown}"
        );
        assert!(shown.contains(&message), "{shown}");
        assert!(shown.contains(&request_id), "{shown}");
        assert!(!shown.contains(HIDDEN), "{shown}");
        assert!(!shown.contains("details"), "{shown}");
        assert!(!format!("{error:?}").contains(HIDDEN));
    }
}

#[tokio::test]
async fn html_error_bodies_are_kept_but_not_shown() {
    for code in STATUSES {
        let body = format!(
            "<!DOCTYPE html>\n<html><head><title>{code}</title></head>\
             <body><h1>Error {code}</h1><p>{HIDDEN}</p></body></html>\n"
        );
        let error = error_for(
            ResponseTemplate::new(code).set_body_raw(body.clone().into_bytes(), "text/html"),
        )
        .await;

        let api = api_error(&error);
        assert_eq!(api.status(), status(code));
        assert_eq!(api.response().body().as_ref(), body.as_bytes(), "{code}");
        assert_eq!(api.response().headers()["content-type"], "text/html");
        assert_eq!(api.json(), None);
        assert_eq!(api.message(), None);
        assert_eq!(api.request_id(), None);

        let shown = error.to_string();
        assert_eq!(
            shown,
            format!(
                "the API answered HTTP {} with a body of {} bytes",
                status(code),
                body.len()
            )
        );
        assert!(!format!("{error:?}").contains(HIDDEN));
    }
}

#[tokio::test]
async fn empty_error_bodies_are_reported_as_empty() {
    for code in STATUSES {
        let error = error_for(ResponseTemplate::new(code)).await;

        let api = api_error(&error);
        assert_eq!(api.status(), status(code));
        assert!(api.response().body().is_empty());
        assert_eq!(api.json(), None);
        assert_eq!(api.message(), None);
        assert_eq!(
            error.to_string(),
            format!("the API answered HTTP {} with an empty body", status(code))
        );
    }
}

#[tokio::test]
async fn the_server_message_is_found_in_the_common_places() {
    let cases = [
        (r#"{"message":"one"}"#, Some("one")),
        (r#"{"error":"two"}"#, Some("two")),
        (r#"{"error":{"message":"three","code":4}}"#, Some("three")),
        (r#"{"detail":"four"}"#, Some("four")),
        (r#"{"title":"five"}"#, Some("five")),
        (r#"{"message":42}"#, None),
        (r#"["message"]"#, None),
        (r#""just text""#, None),
        ("null", None),
    ];
    for (body, expected) in cases {
        let error = error_for(json_response(422, body)).await;
        let api = api_error(&error);
        assert_eq!(api.message(), expected, "{body}");
        assert!(api.json().is_some(), "{body} is JSON");
        assert_eq!(api.response().body().as_ref(), body.as_bytes());
        let shown = error.to_string();
        match expected {
            Some(message) => assert!(shown.ends_with(&format!(": {message}")), "{shown}"),
            None => assert!(shown.ends_with(&format!("{} bytes", body.len())), "{shown}"),
        }
    }
}

#[tokio::test]
async fn a_long_server_message_is_cut_short_in_the_display() {
    let message = format!("{}{HIDDEN}", "x".repeat(5_000));
    let body = serde_json::json!({ "message": message }).to_string();

    let error = error_for(json_response(400, &body)).await;

    let api = api_error(&error);
    assert_eq!(api.message(), Some(message.as_str()), "the message is kept");
    let shown = error.to_string();
    assert!(shown.len() < 400, "{} bytes shown", shown.len());
    assert!(shown.ends_with('…'), "{shown}");
    assert!(!shown.contains(HIDDEN));
    assert!(!format!("{error:?}").contains(HIDDEN));
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_kept_byte_for_byte() {
    let body = vec![0xff, 0xfe, 0x00, b'{', 0xc3];

    let error = error_for(
        ResponseTemplate::new(500).set_body_raw(body.clone(), "application/octet-stream"),
    )
    .await;

    let api = api_error(&error);
    assert_eq!(api.response().body().as_ref(), body.as_slice());
    assert_eq!(api.json(), None);
    assert_eq!(
        error.to_string(),
        "the API answered HTTP 500 Internal Server Error with a body of 5 bytes"
    );
}

/// Success statuses with a contact whose values do not all fit their types:
/// undecodable only with `strict_responses`.
fn drifted_successes() -> Vec<(u16, ResponseTemplate, Vec<u8>)> {
    let json = |code: u16, body: &str| (code, json_response(code, body), body.as_bytes().to_vec());
    vec![
        json(200, r#"{"data":{"contact":{"contact_id":123}}}"#),
        json(
            200,
            r#"{"data":{"contact":{"contact_id":"123","follower_count":"many"}}}"#,
        ),
        json(200, r#"{"data":{"contact":{"tags":{"name":"x"}}}}"#),
    ]
}

/// Success statuses with bodies that are not the documented contact.
fn undecodable_successes() -> Vec<(u16, ResponseTemplate, Vec<u8>)> {
    let json = |code: u16, body: &str| (code, json_response(code, body), body.as_bytes().to_vec());
    vec![
        (
            200,
            ResponseTemplate::new(200).set_body_raw(b"OK".to_vec(), "text/plain"),
            b"OK".to_vec(),
        ),
        json(200, r#"{"data":{"contact":"x"}}"#),
        json(200, r#"{"data":{"contact":[1]}}"#),
        json(200, r#"{"data":[]}"#),
        json(200, r#"{"data":{}}"#),
        json(200, r#"{"data":{"contact":null}}"#),
        json(200, r#"{"data":null}"#),
        json(200, "{}"),
        json(200, "[]"),
        json(200, ""),
        (
            201,
            ResponseTemplate::new(201).set_body_raw(b"Created".to_vec(), "text/plain"),
            b"Created".to_vec(),
        ),
        (204, ResponseTemplate::new(204), Vec::new()),
    ]
}

#[tokio::test]
async fn a_success_that_does_not_decode_says_the_update_was_accepted() {
    let strict_only = drifted_successes().into_iter().map(|case| (true, case));
    let always = undecodable_successes()
        .into_iter()
        .flat_map(|case| [(false, case.clone()), (true, case)]);
    for (strict, (code, response, body)) in strict_only.chain(always) {
        let response = response.insert_header("x-request-id", "req_ok_1");
        let error = error_from(response, strict).await;
        let case = format!(
            "{code} {} (strict: {strict})",
            String::from_utf8_lossy(&body)
        );

        let undecodable = undecodable(&error);
        assert_eq!(undecodable.status(), status(code), "{case}");
        assert_eq!(error.status(), Some(status(code)), "{case}");
        assert_eq!(undecodable.response().body().as_ref(), body, "{case}");
        assert_eq!(error.request_id(), Some("req_ok_1"), "{case}");
        assert!(!undecodable.reason().is_empty(), "{case}");
        let shown = error.to_string();
        assert!(
            shown.starts_with(&format!(
                "the server accepted the update (HTTP {})",
                status(code)
            )),
            "{case}: {shown}"
        );
    }
}

#[tokio::test]
async fn a_drifted_success_decodes_without_strict_responses() {
    for (code, response, body) in drifted_successes() {
        let server = answering_once_with(response).await;
        let output = client(&server)
            .update_contact("123")
            .add_tag("Hot lead")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{code} {}: {e}", String::from_utf8_lossy(&body)));
        assert_eq!(output.drift.len(), 1, "{}", String::from_utf8_lossy(&body));
    }
}

#[tokio::test]
async fn a_drift_never_shows_the_whole_value() {
    let value = format!("{}{HIDDEN}", "n".repeat(5_000));
    let body = serde_json::json!({"data": {"contact": {"follower_count": value}}}).to_string();
    let server = answering_once_with(json_response(200, &body)).await;

    let output = client(&server)
        .update_contact("123")
        .add_tag("Hot lead")
        .send()
        .await
        .expect("the contact comes back");

    let drift = &output.drift[0];
    assert!(drift.found_preview().chars().count() <= 81);
    assert!(!drift.to_string().contains(HIDDEN));
    assert!(!format!("{output:?}").contains(HIDDEN));
}

#[tokio::test]
async fn an_undecodable_success_never_shows_the_whole_body() {
    // serde's message quotes the value it could not use: it must be cut.
    let value = format!("{}{HIDDEN}", "n".repeat(5_000));
    let body = serde_json::json!({"data": {"contact": {"follower_count": value}}}).to_string();

    let error = strict_error_for(json_response(200, &body)).await;

    let undecodable = undecodable(&error);
    assert_eq!(undecodable.response().body().as_ref(), body.as_bytes());
    let shown = error.to_string();
    assert!(shown.starts_with("the server accepted the update (HTTP 200 OK)"));
    assert!(shown.len() < 600, "{} bytes shown", shown.len());
    assert!(!shown.contains(HIDDEN), "{shown}");
    assert!(!format!("{error:?}").contains(HIDDEN));
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let refused = RefusedAddress::new();
    let client = client(&refused);

    let error = client
        .update_contact("123")
        .clear_notes()
        .send()
        .await
        .unwrap_err();

    assert!(
        matches!(error, Error::Transport { attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(error.status(), None);
    assert!(!format!("{error:?}").contains(API_KEY));
    assert!(!error.to_string().contains(API_KEY));
}

// On tokio's paused clock, with the scripted server, which holds the clock
// until the request has arrived: the timeout then fires without real time
// passing.
#[tokio::test(start_paused = true)]
async fn a_slow_server_is_a_timeout() {
    let server = support::scripted::Server::start();
    server.reply_always(support::scripted::Reply::hang());
    let client = server.client(
        support::builder()
            .timeout(Duration::from_millis(200))
            .max_retries(0),
    );

    let error = client
        .update_contact("123")
        .clear_notes()
        .send()
        .await
        .unwrap_err();

    assert!(
        matches!(error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(server.request_count(), 1);
    assert!(!format!("{error:?}").contains(API_KEY));
}

#[tokio::test]
async fn debug_output_never_shows_the_api_key() {
    let builder = support::builder()
        .base_url("http://127.0.0.1:9")
        .max_retries(0);
    let builder_debug = format!("{builder:?}");
    assert!(!builder_debug.contains(API_KEY), "{builder_debug}");
    assert!(builder_debug.contains("<redacted>"), "{builder_debug}");

    let client = builder.build().expect("a client");
    let client_debug = format!("{client:?}");
    assert!(!client_debug.contains(API_KEY), "{client_debug}");
    assert!(client_debug.contains("<redacted>"), "{client_debug}");
    assert!(
        client_debug.contains("http://127.0.0.1:9"),
        "{client_debug}"
    );
    let pending = client.update_contact("123").clear_notes();
    assert!(!format!("{pending:?}").contains(API_KEY));
    assert!(!format!("{:?}", talktohumans::ApiKey::new(API_KEY)).contains(API_KEY));

    let api = error_for(json_response(401, r#"{"message":"bad key"}"#)).await;
    assert!(!format!("{api:?}").contains(API_KEY));
    assert!(!api.to_string().contains(API_KEY));
    let undecodable = error_for(json_response(200, "{}")).await;
    assert!(!format!("{undecodable:?}").contains(API_KEY));
    assert!(!undecodable.to_string().contains(API_KEY));

    // A key the builder refuses is not echoed either.
    let refused_key = "tth_live_has space";
    let config = Client::builder()
        .api_key(refused_key)
        .build()
        .expect_err("a key with a space is refused");
    assert!(matches!(config, Error::Config(_)), "{config:?}");
    assert!(!format!("{config:?}").contains(refused_key));
    assert!(!config.to_string().contains(refused_key));
}
