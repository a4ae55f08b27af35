//! What goes on the wire for each kind of update: method, path, bearer key,
//! content type, `User-Agent`, no `api-version`, and the JSON body byte for
//! byte. Every mock must be called exactly once.

mod support;

use serde_json::json;
use support::{API_KEY, USER_AGENT, client, expect_exact_update, seed_response};
use talktohumans::{Tag, UpdateContactInput};
use wiremock::{Match, MockServer, Request};

/// The body is a JSON object without this key.
struct JsonLacksKey(&'static str);

impl Match for JsonLacksKey {
    fn matches(&self, request: &Request) -> bool {
        match request.body_json::<serde_json::Value>() {
            Ok(serde_json::Value::Object(map)) => !map.contains_key(self.0),
            _ => false,
        }
    }
}

#[tokio::test]
async fn adding_one_tag_sends_only_tags_add() {
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "123",
        r#"{"tags":{"add":[{"color":"red","name":"Hot lead"}]}}"#,
    )
    .await;

    let contact = client(&server)
        .update_contact("123")
        .add_tag(Tag::new("Hot lead").with_color("red"))
        .send()
        .await
        .expect("the update is accepted")
        .contact;

    assert_eq!(contact.name.as_deref(), Some("<string>"));
    server.verify().await;
}

#[tokio::test]
async fn a_tag_without_color_is_sent_without_a_color_key() {
    let server = MockServer::start().await;
    expect_exact_update(&server, "123", r#"{"tags":{"add":[{"name":"VIP"}]}}"#).await;

    client(&server)
        .update_contact("123")
        .add_tag("VIP")
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn removing_one_tag_sends_only_tags_remove() {
    let server = MockServer::start().await;
    expect_exact_update(&server, "123", r#"{"tags":{"remove":["Old tag"]}}"#).await;

    client(&server)
        .update_contact("123")
        .remove_tag("Old tag")
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn adding_and_removing_sends_both_lists() {
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "123",
        r#"{"tags":{"add":[{"color":"red","name":"Hot lead"}],"remove":["Old tag"]}}"#,
    )
    .await;

    client(&server)
        .update_contact("123")
        .add_tag(Tag::new("Hot lead").with_color("red"))
        .remove_tag("Old tag")
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn several_tags_keep_their_order_and_repeats_are_sent_once() {
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "123",
        r#"{"tags":{"add":[{"name":"b"},{"color":"red","name":"a"},{"name":"c"}],"remove":["z","y"]}}"#,
    )
    .await;

    client(&server)
        .update_contact("123")
        .add_tags(["b"])
        .add_tag(Tag::new("a").with_color("red"))
        .add_tags([
            Tag::new("c"),
            Tag::new("a").with_color("red"),
            Tag::new("b"),
        ])
        .remove_tags(["z", "y", "z"])
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn tag_names_are_sent_as_given() {
    // No trimming, no case folding, no escaping of non-ASCII text.
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "123",
        r#"{"tags":{"add":[{"name":" Hot lead "},{"name":"hot lead"},{"name":"🔥 Zoë \"quoted\""}]}}"#,
    )
    .await;

    client(&server)
        .update_contact("123")
        .add_tag(" Hot lead ")
        .add_tag("hot lead")
        .add_tag("🔥 Zoë \"quoted\"")
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn the_seeds_example_request_is_sent_as_documented() {
    // Byte for byte: the benchmarks send the fixture's bytes as the crate's
    // request, so they must be what the crate sends.
    let server = MockServer::start().await;
    expect_exact_update(&server, "123", &support::seed_request_body()).await;

    client(&server)
        .update_contact("123")
        .account_id("42")
        .add_tag(Tag::new("Hot lead").with_color("red"))
        .remove_tag("Old tag")
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn setting_tags_sends_tags_set_in_order() {
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "123",
        r#"{"tags":{"set":[{"color":"green","name":"Customer"},{"name":"Renewal"}]}}"#,
    )
    .await;

    client(&server)
        .update_contact("123")
        .set_tags([
            Tag::new("Customer").with_color("green"),
            Tag::new("Renewal"),
        ])
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn clearing_tags_sends_an_empty_set_list() {
    let server = MockServer::start().await;
    expect_exact_update(&server, "123", r#"{"tags":{"set":[]}}"#).await;

    client(&server)
        .update_contact("123")
        .clear_tags()
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn setting_no_tags_is_the_same_as_clearing_them() {
    let server = MockServer::start().await;
    expect_exact_update(&server, "123", r#"{"tags":{"set":[]}}"#).await;

    client(&server)
        .update_contact("123")
        .set_tags(Vec::<Tag>::new())
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn setting_notes_sends_them_as_json_text() {
    // Any `Serialize` value; a struct keeps its field order.
    #[derive(serde::Serialize)]
    struct Notes {
        stage: &'static str,
        score: u8,
    }
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "123",
        r#"{"notes_json":"{\"stage\":\"demo\",\"score\":3}"}"#,
    )
    .await;

    client(&server)
        .update_contact("123")
        .notes(&Notes {
            stage: "demo",
            score: 3,
        })
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn clearing_notes_sends_an_empty_string() {
    let server = MockServer::start().await;
    expect_exact_update(&server, "123", r#"{"notes_json":""}"#).await;

    client(&server)
        .update_contact("123")
        .clear_notes()
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn untouched_notes_are_left_out_of_the_body() {
    let server = MockServer::start().await;
    support::update_request("123")
        .and(JsonLacksKey("notes_json"))
        .and(wiremock::matchers::body_string(
            r#"{"tags":{"remove":["Old tag"]}}"#,
        ))
        .respond_with(seed_response())
        .expect(1)
        .mount(&server)
        .await;

    client(&server)
        .update_contact("123")
        .remove_tag("Old tag")
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn notes_json_text_is_sent_byte_for_byte() {
    // Not re-serialized: the spacing, the key order, `1.50`, `1e2`, the
    // `\u00e9` escape and the trailing newline all reach the server.
    let text = "  {\"b\": 1,  \"a\": [1.50, \"\\u00e9\", 1e2], \"who\": \"Zoë\"}\n";
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "123",
        r#"{"notes_json":"  {\"b\": 1,  \"a\": [1.50, \"\\u00e9\", 1e2], \"who\": \"Zoë\"}\n"}"#,
    )
    .await;

    client(&server)
        .update_contact("123")
        .notes_json(text)
        .send()
        .await
        .expect("the update is accepted");

    let received = server.received_requests().await.expect("recording is on");
    let body: serde_json::Value = received[0].body_json().expect("a JSON body");
    assert_eq!(body["notes_json"].as_str(), Some(text));
}

#[tokio::test]
async fn the_last_notes_call_wins() {
    let server = MockServer::start().await;
    expect_exact_update(&server, "123", r#"{"notes_json":"[1,2]"}"#).await;

    client(&server)
        .update_contact("123")
        .clear_notes()
        .notes_json("{}")
        .notes(&[1, 2])
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn account_id_is_sent_as_a_string() {
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "123",
        r#"{"account_id":"42","tags":{"remove":["Old tag"]}}"#,
    )
    .await;

    client(&server)
        .update_contact("123")
        .account_id("42")
        .remove_tag("Old tag")
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn everything_together() {
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "9876543210",
        r#"{"account_id":"42","notes_json":"{\"stage\":\"demo\"}","tags":{"add":[{"color":"red","name":"Hot lead"}],"remove":["Old tag"]}}"#,
    )
    .await;

    client(&server)
        .update_contact("9876543210")
        .account_id("42")
        .add_tag(Tag::new("Hot lead").with_color("red"))
        .remove_tag("Old tag")
        .notes(&json!({"stage": "demo"}))
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn replacing_tags_with_account_and_cleared_notes() {
    let server = MockServer::start().await;
    expect_exact_update(
        &server,
        "7",
        r#"{"account_id":"1","notes_json":"","tags":{"set":[{"color":"blue","name":"Partner"}]}}"#,
    )
    .await;

    client(&server)
        .update_contact("7")
        .set_tags([Tag::new("Partner").with_color("blue")])
        .clear_notes()
        .account_id("1")
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn a_built_update_is_sent_by_the_client() {
    let server = MockServer::start().await;
    expect_exact_update(&server, "55", r#"{"tags":{"set":[]}}"#).await;
    let update = UpdateContactInput::builder("55")
        .clear_tags()
        .build()
        .expect("a valid update");

    let updated = client(&server)
        .send(&update)
        .await
        .expect("the update is accepted");

    assert_eq!(updated.status, http::StatusCode::OK);
    server.verify().await;
}

#[tokio::test]
async fn send_detailed_returns_the_status_and_headers() {
    let server = MockServer::start().await;
    support::update_request("123")
        .and(wiremock::matchers::body_string(r#"{"notes_json":""}"#))
        .respond_with(seed_response().insert_header("x-request-id", "req_8f2e"))
        .expect(1)
        .mount(&server)
        .await;

    let updated = client(&server)
        .update_contact("123")
        .clear_notes()
        .send()
        .await
        .expect("the update is accepted");

    assert_eq!(updated.status, http::StatusCode::OK);
    assert_eq!(updated.request_id(), Some("req_8f2e"));
    assert_eq!(updated.headers["x-request-id"], "req_8f2e");
    assert_eq!(updated.contact.contact_id.as_deref(), Some("<string>"));
}

#[tokio::test]
async fn a_trailing_slash_on_the_base_url_is_ignored() {
    let server = MockServer::start().await;
    expect_exact_update(&server, "123", r#"{"notes_json":""}"#).await;
    let client = support::builder()
        .base_url(format!("{}/", server.uri()))
        .max_retries(0)
        .build()
        .expect("a client");

    client
        .update_contact("123")
        .clear_notes()
        .send()
        .await
        .expect("the update is accepted");
    server.verify().await;
}

#[tokio::test]
async fn headers_are_exactly_the_documented_ones() {
    let server = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(seed_response())
        .expect(1)
        .mount(&server)
        .await;

    client(&server)
        .update_contact("123")
        .clear_notes()
        .send()
        .await
        .expect("the update is accepted");

    let received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.method, http::Method::PATCH);
    assert_eq!(request.url.path(), "/v1/contacts/123");
    assert_eq!(request.url.query(), None);
    let headers = &request.headers;
    assert_eq!(
        headers.get_all("authorization").iter().collect::<Vec<_>>(),
        [format!("Bearer {API_KEY}").as_str()]
    );
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["accept"], "application/json");
    assert_eq!(headers["user-agent"], USER_AGENT);
    assert_eq!(
        USER_AGENT,
        format!("talktohumans-rust/{}", env!("CARGO_PKG_VERSION"))
    );
    // progenitor adds `api-version` to every request; the API does not
    // document it, so the crate takes it out.
    assert!(!headers.contains_key("api-version"), "{headers:?}");
}

/// `body_json()` is the body exactly as sent, with no server involved.
#[test]
fn body_json_is_the_exact_wire_body() {
    let body = |update: Result<UpdateContactInput, talktohumans::InvalidInput>| {
        update.expect("a valid update").body_json()
    };
    assert_eq!(
        body(
            UpdateContactInput::builder("1")
                .add_tag(Tag::new("Hot lead").with_color("red"))
                .build()
        ),
        r#"{"tags":{"add":[{"color":"red","name":"Hot lead"}]}}"#
    );
    assert_eq!(
        body(
            UpdateContactInput::builder("1")
                .remove_tag("Old tag")
                .build()
        ),
        r#"{"tags":{"remove":["Old tag"]}}"#
    );
    assert_eq!(
        body(UpdateContactInput::builder("1").clear_tags().build()),
        r#"{"tags":{"set":[]}}"#
    );
    assert_eq!(
        body(
            UpdateContactInput::builder("1")
                .set_tags(["a", "b"])
                .build()
        ),
        r#"{"tags":{"set":[{"name":"a"},{"name":"b"}]}}"#
    );
    assert_eq!(
        body(UpdateContactInput::builder("1").clear_notes().build()),
        r#"{"notes_json":""}"#
    );
    assert_eq!(
        body(
            UpdateContactInput::builder("1")
                .notes(&json!([null]))
                .build()
        ),
        r#"{"notes_json":"[null]"}"#,
        "a null inside the notes is data (a null alone is refused)"
    );
    assert_eq!(
        body(
            UpdateContactInput::builder("1")
                .notes_json(" [ 1 ] ")
                .build()
        ),
        r#"{"notes_json":" [ 1 ] "}"#
    );
    assert_eq!(
        body(
            UpdateContactInput::builder("1")
                .account_id("42")
                .notes(&json!({"a": 1}))
                .add_tag("x")
                .remove_tag("y")
                .build()
        ),
        r#"{"account_id":"42","notes_json":"{\"a\":1}","tags":{"add":[{"name":"x"}],"remove":["y"]}}"#
    );
}

#[test]
fn a_built_update_keeps_its_contact_id() {
    let update = UpdateContactInput::builder("9876543210")
        .clear_notes()
        .build()
        .expect("a valid update");
    assert_eq!(update.contact_id().as_str(), "9876543210");
}
