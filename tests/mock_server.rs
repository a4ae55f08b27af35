//! The mock server's semantics, through the crate's client where it can send
//! the request and through raw HTTP where the client would refuse to: every
//! assumption listed in `talktohumans::mock`, concurrency, and failure
//! injection.

mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use http::StatusCode;
use serde_json::{Value, json};
use support::{api_error, client, raw_http, tag_names};
use talktohumans::mock::{
    DEFAULT_API_KEY, Fault, MAX_BODY_BYTES, MockContact, MockError, MockServer, seed,
};
use talktohumans::types::Account;
use talktohumans::{Error, Tag};

async fn mock() -> MockServer {
    MockServer::start().await.expect("the mock starts")
}

/// `error.code` of an API error's JSON body.
fn code(error: &talktohumans::ApiError) -> &str {
    error
        .json()
        .and_then(|json| json["error"]["code"].as_str())
        .unwrap_or_else(|| panic!("no error code in {error:?}"))
}

/// A response read whole.
struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    json: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("<none>")
    }
}

/// A request as a raw HTTP client sends it, with nothing checked.
struct Raw<'a> {
    mock: &'a MockServer,
    method: http::Method,
    path: String,
    key: Option<String>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

fn raw<'a>(mock: &'a MockServer, path: &str, body: impl Into<Vec<u8>>) -> Raw<'a> {
    Raw {
        mock,
        method: http::Method::PATCH,
        path: path.to_owned(),
        key: Some(mock.api_key().to_owned()),
        content_type: Some("application/json"),
        body: body.into(),
    }
}

impl Raw<'_> {
    fn method(mut self, method: http::Method) -> Self {
        self.method = method;
        self
    }

    fn key(mut self, key: Option<&str>) -> Self {
        self.key = key.map(str::to_owned);
        self
    }

    fn content_type(mut self, content_type: Option<&'static str>) -> Self {
        self.content_type = content_type;
        self
    }

    async fn send(self) -> Answer {
        let address = self.mock.address();
        let mut request = format!(
            "{} {} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.method,
            self.path,
            self.body.len()
        );
        if let Some(key) = &self.key {
            request.push_str(&format!("Authorization: Bearer {key}\r\n"));
        }
        if let Some(content_type) = self.content_type {
            request.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(&self.body);
        let response = tokio::task::spawn_blocking(move || raw_http::exchange(address, &bytes))
            .await
            .expect("the exchange finishes")
            .expect("one whole response");
        let json = serde_json::from_slice(&response.body).unwrap_or_else(|e| {
            panic!(
                "the body is not JSON ({e}): {}",
                String::from_utf8_lossy(&response.body)
            )
        });
        Answer {
            status: response.status,
            headers: response.headers,
            json,
        }
    }
}

fn contact_path(id: &str) -> String {
    format!("/v1/contacts/{id}")
}

// --- Start, seed and configuration ---------------------------------------

#[tokio::test]
async fn starts_on_a_free_loopback_port_with_the_default_seed() {
    let first = mock().await;
    let second = mock().await;
    assert_ne!(first.address(), second.address());
    assert!(first.address().ip().is_loopback());
    assert_eq!(first.base_url(), format!("http://{}", first.address()));
    assert_eq!(first.api_key(), DEFAULT_API_KEY);
    for id in [
        seed::MAYA_CHEN,
        seed::JONAS_BERG,
        seed::PRIYA_RAMAN,
        seed::TOMAS_HERRERA,
    ] {
        assert!(first.contact(id).is_some(), "{id}");
    }
    let jonas = first.contact(seed::JONAS_BERG).unwrap();
    assert_eq!(
        jonas.account_ids(),
        [seed::SAM_ACCOUNT, seed::SALES_TEAM_ACCOUNT]
    );
    assert_eq!(first.request_count(), 0);
}

#[tokio::test]
async fn the_seed_is_configurable() {
    let mock = support::start(
        MockServer::builder()
            .api_key("tth_test_other")
            .without_default_seed()
            .account(Account {
                account_id: Some("5".into()),
                display_name: Some("Test account".into()),
                ..Account::default()
            })
            .contact(MockContact::new("100", "5").name("First"))
            .contact(
                MockContact::new("100", "5")
                    .name("Replaced")
                    .tag(Tag::new("a").with_color("red"))
                    .tag(Tag::new("a").with_color("blue"))
                    .notes("5", "[1]"),
            ),
    )
    .await;
    assert!(mock.contact(seed::MAYA_CHEN).is_none());
    let state = mock.contact("100").unwrap();
    assert_eq!(state.tags(), [Tag::new("a").with_color("blue")]);
    assert_eq!(state.notes("5"), Some("[1]"));
    let contact = mock.returned_contact("100", None).unwrap();
    assert_eq!(contact.name.as_deref(), Some("Replaced"));
    assert_eq!(
        contact.account.unwrap().display_name.as_deref(),
        Some("Test account")
    );
    assert!(mock.returned_contact("100", Some("6")).is_none());

    let contact = client(&mock)
        .update_contact("100")
        .add_tag("b")
        .send()
        .await
        .unwrap()
        .contact;
    assert_eq!(tag_names(&contact), ["a", "b"]);

    // The default seed plus one contact, which replaces a seeded one.
    let mock =
        support::start(MockServer::builder().contact(MockContact::new(seed::PRIYA_RAMAN, "5")))
            .await;
    assert!(mock.contact(seed::MAYA_CHEN).is_some());
    assert_eq!(
        mock.contact(seed::PRIYA_RAMAN).unwrap().account_ids(),
        ["5"]
    );
}

#[tokio::test]
async fn bad_configurations_are_refused() {
    for contact in [
        MockContact::new("012", "42"),
        MockContact::new("1", "4 2"),
        MockContact::new("1", "42").tag(""),
        MockContact::new("1", "42").notes("42", "{"),
        MockContact::new("1", "42").notes("43", "{}"),
    ] {
        let result = MockServer::builder().contact(contact.clone()).start().await;
        assert!(
            matches!(result, Err(MockError::InvalidSeed(_))),
            "{contact:?}: {result:?}"
        );
    }
    for key in ["", "a b", "ключ"] {
        let result = MockServer::builder().api_key(key).start().await;
        assert!(matches!(result, Err(MockError::InvalidApiKey)), "{key:?}");
    }
    let taken = mock().await;
    let result = MockServer::builder()
        .port(taken.address().port())
        .start()
        .await;
    assert!(matches!(result, Err(MockError::Bind { .. })), "{result:?}");
}

// --- What the API reference states ----------------------------------------

#[tokio::test]
async fn set_replaces_the_tags_exactly() {
    let mock = mock().await;
    let contact = client(&mock)
        .update_contact(seed::MAYA_CHEN)
        .set_tags([
            Tag::new("Customer").with_color("green"),
            Tag::new("Hot lead"),
        ])
        .send()
        .await
        .unwrap()
        .contact;
    assert_eq!(tag_names(&contact), ["Customer", "Hot lead"]);
    let state = mock.contact(seed::MAYA_CHEN).unwrap();
    // Replaced, so "Hot lead" lost its red.
    assert_eq!(
        state.tags(),
        [
            Tag::new("Customer").with_color("green"),
            Tag::new("Hot lead")
        ]
    );

    let contact = client(&mock)
        .update_contact(seed::MAYA_CHEN)
        .clear_tags()
        .send()
        .await
        .unwrap()
        .contact;
    assert_eq!(contact.tags.as_deref().map(<[_]>::len), Some(0));
    assert!(mock.contact(seed::MAYA_CHEN).unwrap().tags().is_empty());
}

#[tokio::test]
async fn set_merges_a_repeated_name_keeping_the_last_color() {
    let mock = mock().await;
    let body = json!({"tags": {"set": [
        {"name": "a", "color": "red"},
        {"name": "b"},
        {"name": "a", "color": "blue"},
        {"name": "a"}
    ]}});
    let answer = raw(&mock, &contact_path(seed::PRIYA_RAMAN), body.to_string())
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        mock.contact(seed::PRIYA_RAMAN).unwrap().tags(),
        [Tag::new("a").with_color("blue"), Tag::new("b")]
    );
}

#[tokio::test]
async fn add_appends_new_tags_and_recolors_present_ones_in_place() {
    let mock = mock().await;
    let contact = client(&mock)
        .update_contact(seed::MAYA_CHEN)
        .add_tag(Tag::new("Champion").with_color("gold"))
        .add_tag(Tag::new("Hot lead").with_color("orange"))
        .add_tag("Q3 pipeline")
        .send()
        .await
        .unwrap()
        .contact;
    assert_eq!(tag_names(&contact), ["Hot lead", "Q3 pipeline", "Champion"]);
    assert_eq!(
        mock.contact(seed::MAYA_CHEN).unwrap().tags(),
        [
            Tag::new("Hot lead").with_color("orange"),
            // Added again without a color: unchanged.
            Tag::new("Q3 pipeline").with_color("blue"),
            Tag::new("Champion").with_color("gold"),
        ]
    );
}

#[tokio::test]
async fn remove_takes_exact_names_and_an_absent_one_is_no_error() {
    let mock = mock().await;
    let contact = client(&mock)
        .update_contact(seed::TOMAS_HERRERA)
        .remove_tags(["Old tag", "Never there", "newsletter", "Newsletter "])
        .send()
        .await
        .unwrap()
        .contact;
    // Case and white space count: only "Old tag" matched.
    assert_eq!(tag_names(&contact), ["Newsletter"]);
    let again = client(&mock)
        .update_contact(seed::TOMAS_HERRERA)
        .remove_tag("Old tag")
        .send()
        .await
        .unwrap()
        .contact;
    assert_eq!(tag_names(&again), ["Newsletter"]);
    assert_eq!(mock.contact(seed::TOMAS_HERRERA).unwrap().update_count(), 2);
}

#[tokio::test]
async fn notes_are_stored_per_account_and_returned_as_sent() {
    let mock = mock().await;
    let sam_notes = mock
        .contact(seed::JONAS_BERG)
        .unwrap()
        .notes(seed::SAM_ACCOUNT)
        .map(str::to_owned);
    let text = r#"{ "stage" : "won", "n": [1, 2.50] }"#;
    let contact = client(&mock)
        .update_contact(seed::JONAS_BERG)
        .account_id(seed::SALES_TEAM_ACCOUNT)
        .notes_json(text)
        .send()
        .await
        .unwrap()
        .contact;
    assert_eq!(contact.notes_json.as_deref(), Some(text));
    assert_eq!(
        contact.account.and_then(|a| a.account_id).as_deref(),
        Some(seed::SALES_TEAM_ACCOUNT)
    );
    let state = mock.contact(seed::JONAS_BERG).unwrap();
    assert_eq!(state.notes(seed::SALES_TEAM_ACCOUNT), Some(text));
    assert_eq!(state.notes(seed::SAM_ACCOUNT), sam_notes.as_deref());

    // The other account's view still shows its own notes.
    let sam_view = mock
        .returned_contact(seed::JONAS_BERG, Some(seed::SAM_ACCOUNT))
        .unwrap();
    assert_eq!(sam_view.notes_json, sam_notes);
    // Each account's view has its own relationship id.
    assert_ne!(
        sam_view.account_relationship_id,
        contact.account_relationship_id
    );
}

#[tokio::test]
async fn null_or_empty_notes_clear_them() {
    let mock = mock().await;
    let contact = client(&mock)
        .update_contact(seed::MAYA_CHEN)
        .clear_notes()
        .send()
        .await
        .unwrap()
        .contact;
    assert_eq!(contact.notes_json, None);
    assert_eq!(
        mock.contact(seed::MAYA_CHEN)
            .unwrap()
            .notes(seed::SAM_ACCOUNT),
        None
    );

    let path = contact_path(seed::JONAS_BERG);
    let body = json!({"account_id": seed::SAM_ACCOUNT, "notes_json": null});
    let answer = raw(&mock, &path, body.to_string()).send().await;
    assert_eq!(answer.status, StatusCode::OK);
    let contact = &answer.json["data"]["contact"];
    // Absent or null: both mean no notes.
    assert!(contact.get("notes_json").is_none_or(Value::is_null));
    let state = mock.contact(seed::JONAS_BERG).unwrap();
    assert_eq!(state.notes(seed::SAM_ACCOUNT), None);
    assert!(state.notes(seed::SALES_TEAM_ACCOUNT).is_some());
}

#[tokio::test]
async fn the_answer_is_the_full_contact_under_the_account() {
    let mock = mock().await;
    let answer = raw(
        &mock,
        &contact_path(seed::MAYA_CHEN),
        r#"{"tags":{"add":[{"name":"Seen"}]}}"#,
    )
    .send()
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["content-type"], "application/json");
    let contact = &answer.json["data"]["contact"];
    assert_eq!(contact["contact_id"], seed::MAYA_CHEN);
    assert_eq!(contact["name"], "Maya Chen");
    assert_eq!(contact["account"]["account_id"], seed::SAM_ACCOUNT);
    assert_eq!(contact["account"]["display_name"], "Sam Rivera");
    assert!(contact["account_relationship_id"].is_string());
    assert_eq!(
        contact["tags"],
        json!([{"name": "Hot lead"}, {"name": "Q3 pipeline"}, {"name": "Seen"}])
    );
    assert!(contact["company"]["name"].is_string());
    assert!(contact["experiences"].is_array());
    assert!(contact["last_interaction_at"].is_string());
    // The answer decodes into the crate's types, and equals what the mock
    // says it returns.
    let decoded: talktohumans::types::Contact = serde_json::from_value(contact.clone()).unwrap();
    let expected = mock.returned_contact(seed::MAYA_CHEN, None).unwrap();
    assert_eq!(
        serde_json::to_value(&decoded).unwrap(),
        serde_json::to_value(&expected).unwrap()
    );
}

#[tokio::test]
async fn an_update_that_changes_nothing_is_answered_with_the_contact() {
    let mock = mock().await;
    let before = mock.contact(seed::MAYA_CHEN).unwrap();
    for body in ["{}", r#"{"tags":{"add":[]}}"#, r#"{"tags":{"remove":[]}}"#] {
        let answer = raw(&mock, &contact_path(seed::MAYA_CHEN), body)
            .send()
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{body}");
        assert_eq!(
            answer.json["data"]["contact"]["contact_id"],
            seed::MAYA_CHEN
        );
    }
    let after = mock.contact(seed::MAYA_CHEN).unwrap();
    assert_eq!(after.tags(), before.tags());
    assert_eq!(
        after.notes(seed::SAM_ACCOUNT),
        before.notes(seed::SAM_ACCOUNT)
    );
    assert_eq!(after.update_count(), 3);
}

// --- Accounts -------------------------------------------------------------

#[tokio::test]
async fn account_id_is_required_for_a_contact_under_several_accounts() {
    let mock = mock().await;
    let error = client(&mock)
        .update_contact(seed::JONAS_BERG)
        .add_tag("x")
        .send()
        .await
        .unwrap_err();
    let error = api_error(&error);
    assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(error), "account_id_required");
    assert!(error.message().unwrap().contains(seed::SALES_TEAM_ACCOUNT));
    assert!(mock.contact(seed::JONAS_BERG).unwrap().tag("x").is_none());

    for account in [seed::SAM_ACCOUNT, seed::SALES_TEAM_ACCOUNT] {
        let contact = client(&mock)
            .update_contact(seed::JONAS_BERG)
            .account_id(account)
            .add_tag("x")
            .send()
            .await
            .unwrap()
            .contact;
        assert_eq!(
            contact.account.and_then(|a| a.account_id).as_deref(),
            Some(account)
        );
    }
}

#[tokio::test]
async fn account_id_must_be_one_of_the_contacts_accounts() {
    let mock = mock().await;
    for (contact, account) in [
        (seed::JONAS_BERG, "99"),
        // Under one account, another one is refused too.
        (seed::MAYA_CHEN, seed::SALES_TEAM_ACCOUNT),
    ] {
        let error = client(&mock)
            .update_contact(contact)
            .account_id(account)
            .add_tag("x")
            .send()
            .await
            .unwrap_err();
        let error = api_error(&error);
        assert_eq!(error.status(), StatusCode::NOT_FOUND, "{contact}/{account}");
        assert_eq!(code(error), "contact_not_found");
    }
    // Its own single account is accepted.
    client(&mock)
        .update_contact(seed::MAYA_CHEN)
        .account_id(seed::SAM_ACCOUNT)
        .add_tag("x")
        .send()
        .await
        .unwrap();
}

// --- Refusals -------------------------------------------------------------

#[tokio::test]
async fn an_unknown_contact_is_404() {
    let mock = mock().await;
    let error = client(&mock)
        .update_contact("123")
        .add_tag("x")
        .send()
        .await
        .unwrap_err();
    let error = api_error(&error);
    assert_eq!(error.status(), StatusCode::NOT_FOUND);
    assert_eq!(code(error), "contact_not_found");
    // A huge id is just another unknown contact.
    let huge = "9".repeat(5000);
    let answer = raw(&mock, &contact_path(&huge), "{}").send().await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_401() {
    let mock = mock().await;
    let wrong = mock
        .client_builder()
        .api_key("tth_wrong")
        .max_retries(0)
        .build()
        .unwrap();
    let error = wrong
        .update_contact(seed::MAYA_CHEN)
        .add_tag("x")
        .send()
        .await
        .unwrap_err();
    let error = api_error(&error);
    assert_eq!(error.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(code(error), "unauthorized");
    assert_eq!(error.response().headers()["www-authenticate"], "Bearer");

    let path = contact_path(seed::MAYA_CHEN);
    let answer = raw(&mock, &path, "{}").key(None).send().await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    // The key is checked before the body and the contact.
    let answer = raw(&mock, &contact_path("0"), "nope")
        .key(Some("wrong"))
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(mock.contact(seed::MAYA_CHEN).unwrap().tag("x").is_none());
}

#[tokio::test]
async fn bodies_that_break_the_schema_are_422() {
    let mock = mock().await;
    let path = contact_path(seed::MAYA_CHEN);
    let before = mock.contact(seed::MAYA_CHEN).unwrap();
    for body in [
        json!({"tags": {"set": [], "add": [{"name": "a"}]}}),
        json!({"tags": {"set": [{"name": "a"}], "remove": []}}),
        json!({"tags": {}}),
        json!({"tags": {"add": [{"name": ""}]}}),
        json!({"tags": {"add": [{"name": "  \t"}]}}),
        json!({"tags": {"set": [{"name": "\u{3000}"}]}}),
        json!({"tags": {"remove": [" "]}}),
        json!({"tags": {"add": [{"name": "a", "colour": "red"}]}}),
        json!({"tags": {"add": ["a"]}}),
        json!({"tags": {"add": [{"name": "a", "color": 3}]}}),
        json!({"notes": "{}"}),
        json!({"notes_json": {"stage": "won"}}),
        json!({"account_id": "0042"}),
        json!({"account_id": 42}),
        json!({"account_id": null}),
        json!({"tags": null}),
        json!([{"tags": {"add": [{"name": "a"}]}}]),
        json!("{}"),
    ] {
        let answer = raw(&mock, &path, body.to_string()).send().await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(answer.code(), "invalid_request", "{body}");
        assert!(answer.json["error"]["message"].is_string());
    }
    assert_eq!(mock.contact(seed::MAYA_CHEN).unwrap(), before);
}

#[tokio::test]
async fn bad_contact_ids_in_the_path_are_422() {
    let mock = mock().await;
    for id in [
        "0",
        "0123",
        "abc",
        "-1",
        "1.5",
        "%20",
        "%FF",
        "1%2F2",
        "%EF%BC%91",
    ] {
        let answer = raw(&mock, &contact_path(id), "{}").send().await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{id}");
        assert_eq!(answer.code(), "invalid_contact_id", "{id}");
    }
    // Percent-encoded digits are digits.
    let encoded = seed::MAYA_CHEN.replace('1', "%31");
    let answer = raw(&mock, &contact_path(&encoded), "{}").send().await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn notes_that_are_not_json_are_422_and_change_nothing() {
    let mock = mock().await;
    let path = contact_path(seed::MAYA_CHEN);
    let before = mock.contact(seed::MAYA_CHEN).unwrap();
    for notes in ["{", "stage: won", "   ", "{} {}", "NaN"] {
        let body = json!({"tags": {"set": []}, "notes_json": notes});
        let answer = raw(&mock, &path, body.to_string()).send().await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{notes:?}");
        assert_eq!(answer.code(), "invalid_notes_json", "{notes:?}");
    }
    assert_eq!(mock.contact(seed::MAYA_CHEN).unwrap(), before);
}

#[tokio::test]
async fn a_tag_added_and_removed_at_once_is_422() {
    let mock = mock().await;
    let body = json!({"tags": {"add": [{"name": "Hot lead"}], "remove": ["Hot lead"]}});
    let answer = raw(&mock, &contact_path(seed::MAYA_CHEN), body.to_string())
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.code(), "tag_added_and_removed");
}

#[tokio::test]
async fn unreadable_requests_are_400() {
    let mock = mock().await;
    let path = contact_path(seed::MAYA_CHEN);
    for (content_type, body) in [
        (Some("application/json"), "{\"tags\":"),
        (Some("application/json"), "tags=a"),
        (Some("application/json"), ""),
        (Some("text/plain"), "{}"),
        (Some("application/x-www-form-urlencoded"), "{}"),
        (None, "{}"),
    ] {
        let answer = raw(&mock, &path, body)
            .content_type(content_type)
            .send()
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{content_type:?} {body:?}"
        );
        let expected = if content_type == Some("application/json") {
            "malformed_json"
        } else {
            "unsupported_content_type"
        };
        assert_eq!(answer.code(), expected, "{content_type:?} {body:?}");
    }
    // Deep nesting is refused, not a crash.
    let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    let answer = raw(&mock, &path, deep).send().await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    // Invalid UTF-8.
    let answer = raw(&mock, &path, b"{\"notes_json\":\"\xff\"}".to_vec())
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    // Parameters and case are allowed in the content type.
    let answer = raw(&mock, &path, "{}")
        .content_type(Some("Application/JSON; charset=utf-8"))
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let mock = mock().await;
    let notes = json!({"text": "x".repeat(MAX_BODY_BYTES)}).to_string();
    let body = json!({"notes_json": notes}).to_string();
    let answer = raw(&mock, &contact_path(seed::MAYA_CHEN), body)
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.code(), "body_too_large");
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn other_methods_are_405_and_other_paths_404() {
    let mock = mock().await;
    let path = contact_path(seed::MAYA_CHEN);
    for method in [
        http::Method::GET,
        http::Method::POST,
        http::Method::PUT,
        http::Method::DELETE,
    ] {
        let answer = raw(&mock, &path, "{}").method(method.clone()).send().await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(answer.headers["allow"], "PATCH");
        assert_eq!(answer.code(), "method_not_allowed");
    }
    for path in [
        "/",
        "/v1/contacts",
        "/v1/contacts/",
        "/v1/contacts/1/tags",
        "/v2/contacts/1",
    ] {
        let answer = raw(&mock, path, "{}").send().await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.code(), "not_found", "{path}");
    }
}

// --- Request ids, counting and the log ------------------------------------

#[tokio::test]
async fn every_request_is_counted_logged_and_given_an_id() {
    let mock = mock().await;
    let path = contact_path(seed::MAYA_CHEN);
    let first = raw(&mock, "/nowhere", "{}").send().await;
    let second = raw(&mock, &path, "{}").key(None).send().await;
    let updated = client(&mock)
        .update_contact(seed::MAYA_CHEN)
        .add_tag("x")
        .send()
        .await
        .unwrap();
    assert_eq!(first.headers["x-request-id"], "mock-1");
    assert_eq!(second.headers["x-request-id"], "mock-2");
    assert_eq!(updated.request_id(), Some("mock-3"));
    assert_eq!(mock.request_count(), 3);

    let log = mock.received_requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].path(), "/nowhere");
    assert_eq!(log[2].method(), "PATCH");
    assert_eq!(log[2].path(), path);
    assert_eq!(
        log[2].headers()["authorization"],
        format!("Bearer {}", mock.api_key()).as_str()
    );
    assert_eq!(
        log[2].body_json(),
        Some(json!({"tags": {"add": [{"name": "x"}]}}))
    );
}

// --- Concurrency ----------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_adds_are_all_applied() {
    let mock = mock().await;
    let client = client(&mock);
    let updates = (0..64).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .update_contact(seed::MAYA_CHEN)
                .add_tag(format!("t{i}"))
                .remove_tag("Hot lead")
                .send()
                .await
        })
    });
    for update in futures_join(updates).await {
        update.unwrap();
    }
    let state = mock.contact(seed::MAYA_CHEN).unwrap();
    let names: HashSet<&str> = state.tag_names().into_iter().collect();
    assert_eq!(names.len(), 65, "{names:?}");
    assert!(names.contains("Q3 pipeline"));
    assert!(!names.contains("Hot lead"));
    assert!((0..64).all(|i| names.contains(format!("t{i}").as_str())));
    assert_eq!(state.update_count(), 64);
    assert_eq!(mock.request_count(), 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replacements_never_mix() {
    let mock = mock().await;
    let client = client(&mock);
    let lists: Vec<Vec<String>> = (0..32)
        .map(|i| (0..5).map(|j| format!("list{i}-tag{j}")).collect())
        .collect();
    let updates = lists.iter().enumerate().map(|(i, list)| {
        let client = client.clone();
        let list = list.clone();
        tokio::spawn(async move {
            client
                .update_contact(seed::TOMAS_HERRERA)
                .set_tags(list)
                .notes(&json!({ "writer": i }))
                .send()
                .await
        })
    });
    let mut answers = Vec::new();
    for update in futures_join(updates).await {
        answers.push(update.unwrap());
    }
    // Each answer is one whole list, with the notes of the same request.
    for output in &answers {
        let contact = &output.contact;
        let names = tag_names(contact);
        let writer: Value = serde_json::from_str(contact.notes_json.as_deref().unwrap()).unwrap();
        let i = usize::try_from(writer["writer"].as_u64().unwrap()).unwrap();
        assert_eq!(names, lists[i]);
    }
    // The final state is one whole list and the notes of the same writer.
    let state = mock.contact(seed::TOMAS_HERRERA).unwrap();
    let writer: Value = serde_json::from_str(state.notes(seed::SAM_ACCOUNT).unwrap()).unwrap();
    let i = usize::try_from(writer["writer"].as_u64().unwrap()).unwrap();
    let names: Vec<String> = state.tag_names().into_iter().map(str::to_owned).collect();
    assert_eq!(names, lists[i]);
}

/// Awaits spawned tasks in order.
async fn futures_join<T>(tasks: impl IntoIterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for task in tasks.into_iter().collect::<Vec<_>>() {
        out.push(task.await.expect("the task finishes"));
    }
    out
}

// --- Failure injection ----------------------------------------------------

#[tokio::test]
async fn fail_next_answers_the_status_with_retry_hints_and_changes_nothing() {
    let mock = mock().await;
    mock.fail_next(
        2,
        StatusCode::SERVICE_UNAVAILABLE,
        Some(Duration::from_millis(1500)),
    );
    assert_eq!(mock.pending_faults(), 2);
    let client = client(&mock);
    let before = mock.contact(seed::MAYA_CHEN).unwrap();
    for _ in 0..2 {
        let error = client
            .update_contact(seed::MAYA_CHEN)
            .add_tag("x")
            .send()
            .await
            .unwrap_err();
        let error = api_error(&error);
        assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(code(error), "injected_fault");
        let headers = error.response().headers();
        assert_eq!(headers["retry-after"], "2");
        assert_eq!(headers["retry-after-ms"], "1500");
        assert!(error.retry_after().is_some());
    }
    assert_eq!(mock.contact(seed::MAYA_CHEN).unwrap(), before);
    assert_eq!(mock.pending_faults(), 0);
    client
        .update_contact(seed::MAYA_CHEN)
        .add_tag("x")
        .send()
        .await
        .unwrap();
    assert_eq!(mock.request_count(), 3);

    // Without a hint there are no retry headers.
    mock.fail_next(1, StatusCode::INTERNAL_SERVER_ERROR, None);
    let error = client
        .update_contact(seed::MAYA_CHEN)
        .add_tag("y")
        .send()
        .await
        .unwrap_err();
    let error = api_error(&error);
    assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(error.response().headers().get("retry-after").is_none());
    assert!(error.response().headers().get("retry-after-ms").is_none());
}

#[tokio::test]
async fn faults_come_before_the_key_and_the_route() {
    let mock = mock().await;
    mock.fail_next(2, StatusCode::TOO_MANY_REQUESTS, None);
    let answer = raw(&mock, &contact_path(seed::MAYA_CHEN), "{}")
        .key(None)
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    let answer = raw(&mock, "/elsewhere", "{}").send().await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers["x-request-id"], "mock-2");
    let answer = raw(&mock, "/elsewhere", "{}").send().await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn queued_faults_apply_in_order() {
    let mock = mock().await;
    mock.fail_next(1, StatusCode::BAD_GATEWAY, None);
    mock.inject(
        1,
        Fault::status(StatusCode::CONFLICT)
            .raw_body("text/html", "<h1>busy</h1>")
            .header(
                http::HeaderName::from_static("x-should-retry"),
                http::HeaderValue::from_static("false"),
            ),
    );
    mock.inject(
        1,
        Fault::status(StatusCode::OK).json_body(&json!({"data": {}})),
    );
    assert_eq!(mock.pending_faults(), 3);
    let client = client(&mock);
    let send = || client.update_contact(seed::MAYA_CHEN).add_tag("x").send();

    let error = send().await.unwrap_err();
    assert_eq!(api_error(&error).status(), StatusCode::BAD_GATEWAY);
    let error = send().await.unwrap_err();
    let error = api_error(&error);
    assert_eq!(error.status(), StatusCode::CONFLICT);
    assert_eq!(error.response().body().as_ref(), b"<h1>busy</h1>");
    assert_eq!(error.response().headers()["x-should-retry"], "false");
    // A 200 without a contact: the client reports it, the state is untouched.
    match send().await {
        Err(Error::UndecodableResponse(undecodable)) => {
            assert_eq!(undecodable.status(), StatusCode::OK)
        }
        other => panic!("expected an undecodable response, got {other:?}"),
    }
    assert!(mock.contact(seed::MAYA_CHEN).unwrap().tag("x").is_none());
    send().await.unwrap();

    mock.fail_next(5, StatusCode::BAD_GATEWAY, None);
    mock.clear_faults();
    assert_eq!(mock.pending_faults(), 0);
    send().await.unwrap();
}

#[tokio::test]
async fn the_client_retries_an_injected_failure() {
    let mock = mock().await;
    mock.fail_next(
        2,
        StatusCode::SERVICE_UNAVAILABLE,
        Some(Duration::from_millis(20)),
    );
    // The default client retries twice.
    let client = mock.client_builder().build().unwrap();
    let contact = client
        .update_contact(seed::MAYA_CHEN)
        .add_tag("Retried")
        .send()
        .await
        .unwrap()
        .contact;
    assert!(tag_names(&contact).contains(&"Retried"));
    assert_eq!(mock.request_count(), 3);
    assert_eq!(mock.contact(seed::MAYA_CHEN).unwrap().update_count(), 1);
}

#[tokio::test]
async fn delay_next_slows_requests_down_then_handles_them() {
    let mock = mock().await;
    mock.delay_next(2, Duration::from_millis(300));
    let client = client(&mock);
    let started = Instant::now();
    client
        .update_contact(seed::MAYA_CHEN)
        .add_tag("slow")
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(mock.contact(seed::MAYA_CHEN).unwrap().tag("slow").is_some());

    // A client that gives up during the delay sees a timeout.
    let impatient = mock
        .client_builder()
        .max_retries(0)
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let result = impatient
        .update_contact(seed::MAYA_CHEN)
        .add_tag("too late")
        .send()
        .await;
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert_eq!(mock.pending_faults(), 0);
    // The request was dropped with its connection during the delay, so it
    // never reached the contact.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        mock.contact(seed::MAYA_CHEN)
            .unwrap()
            .tag("too late")
            .is_none()
    );
    assert_eq!(mock.request_count(), 2);

    // A delayed failure waits, then fails.
    mock.inject(
        1,
        Fault::status(StatusCode::GATEWAY_TIMEOUT).delayed(Duration::from_millis(200)),
    );
    let started = Instant::now();
    let error = client
        .update_contact(seed::MAYA_CHEN)
        .add_tag("z")
        .send()
        .await
        .unwrap_err();
    let error = api_error(&error);
    assert_eq!(error.status(), StatusCode::GATEWAY_TIMEOUT);
    assert!(started.elapsed() >= Duration::from_millis(200));
}
