//! Text a server sends is shown escaped: an escape sequence, a carriage
//! return or a bidirectional override in a message, a request id or a value
//! that did not fit reaches no terminal or log through `Display`, which
//! shows it as `\u{1b}`, `\r`, `\u{202e}` instead.

use talktohumans::{Error, fuzzing};

/// Text that clears a terminal, rewrites a log line, and reverses what
/// follows it on screen.
const HOSTILE: &str = "\u{1b}[2Jcleared\rforged line\u{202e}txt.exe";
const ESCAPED: &str = "\\u{1b}[2Jcleared\\rforged line\\u{202e}txt.exe";

/// No character that acts on a terminal or hides text.
fn assert_safe(text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control()
            || ('\u{2066}'..='\u{2069}').contains(&c)
            || ('\u{202a}'..='\u{202e}').contains(&c)),
        "{text:?}"
    );
}

async fn answer(
    status: u16,
    headers: &[(&[u8], &[u8])],
    body: &str,
) -> Result<talktohumans::UpdateContactOutput, Error> {
    fuzzing::decode(status, headers, body.as_bytes())
        .await
        .expect("a valid status")
}

#[tokio::test]
async fn an_api_errors_message_is_escaped() {
    let body = serde_json::json!({ "error": { "message": HOSTILE } }).to_string();
    let error = answer(422, &[], &body).await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    // What the server sent is kept as it was sent.
    assert_eq!(api.message(), Some(HOSTILE));
    for shown in [error.to_string(), api.to_string()] {
        assert_safe(&shown);
        assert!(shown.contains(ESCAPED), "{shown}");
    }
    assert_safe(&format!("{error:?}"));
}

#[tokio::test]
async fn an_undecodable_reason_is_escaped() {
    let body = serde_json::json!({ "data": { "contact": HOSTILE } }).to_string();
    let error = answer(200, &[], &body).await.unwrap_err();
    let Error::UndecodableResponse(undecodable) = &error else {
        panic!("{error:?}")
    };
    // serde quotes the string it names in its message; the message is
    // escaped all the same, whatever the decoder put in it.
    assert_safe(undecodable.reason());
    let shown = error.to_string();
    assert_safe(&shown);
    assert!(shown.contains("\\u{1b}[2Jcleared\\rforged"), "{shown}");
    assert_safe(&format!("{error:?}"));
}

#[tokio::test]
async fn a_drifted_value_is_escaped() {
    let body = serde_json::json!({
        "data": { "contact": { "contact_id": "1", "follower_count": HOSTILE } }
    })
    .to_string();
    let output = answer(200, &[], &body).await.expect("the contact");
    let drift = &output.drift[0];
    assert_eq!(drift.path(), "/data/contact/follower_count");
    assert_safe(drift.found_preview());
    assert!(
        drift.found_preview().contains("\\u{202e}"),
        "{}",
        drift.found_preview()
    );
    let shown = drift.to_string();
    assert_safe(&shown);
    assert!(shown.contains("\\u{202e}txt.exe"), "{shown}");
}

#[tokio::test]
async fn a_request_id_is_escaped() {
    // A header value carries no control character but a tab.
    let error = answer(500, &[(b"x-request-id", b"req\t1")], "{}")
        .await
        .unwrap_err();
    let shown = error.to_string();
    assert_safe(&shown);
    assert!(shown.contains("(request id req\\t1)"), "{shown}");
}
