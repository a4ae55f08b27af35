//! Redirects: the API key never reaches another origin.
//!
//! Two mock servers on different ports are two origins. A redirect to
//! another origin is not followed at all: the key would not go along, so the
//! other server could only refuse the update, and the body (the contact's
//! notes) is the caller's data too. The redirect comes back as
//! [`Error::Api`] with its `Location`. On the same origin, 307 and 308 are
//! followed with the same method, body and key; 301, 302 and 303 are not,
//! because clients may turn them into a GET, which is not the update.

mod support;

use support::{API_KEY, client};
use talktohumans::{Error, UpdateContactInput};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const CONTACT: &str = r#"{"data":{"contact":{"contact_id":"123","name":"Ada"}}}"#;

fn update() -> UpdateContactInput {
    UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .notes_json(r#"{"private":true}"#)
        .build()
        .unwrap()
}

fn redirect(status: u16, location: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("location", location)
}

async fn mount_at(server: &MockServer, at: &str, response: ResponseTemplate) {
    Mock::given(path(at))
        .respond_with(response)
        .mount(server)
        .await;
}

/// A server that answers every request with a contact, like the API would.
async fn other_origin() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(CONTACT, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(CONTACT, "application/json"))
        .mount(&server)
        .await;
    server
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

fn assert_no_key(requests: &[Request]) {
    for request in requests {
        assert!(
            request.headers.get("authorization").is_none(),
            "{} {} carried the key",
            request.method,
            request.url
        );
        let body = String::from_utf8_lossy(&request.body);
        assert!(!body.contains(API_KEY), "the body carried the key");
    }
}

async fn assert_cross_origin_redirect_is_not_followed(status: u16) {
    let api = MockServer::start().await;
    let elsewhere = other_origin().await;
    let location = format!("{}/v1/contacts/123", elsewhere.uri());
    mount_at(&api, "/v1/contacts/123", redirect(status, &location)).await;

    let error = client(&api)
        .send(&update())
        .await
        .expect_err("a redirect elsewhere is not a success");

    let reached = received(&elsewhere).await;
    assert_no_key(&reached);
    assert!(
        reached.is_empty(),
        "HTTP {status}: the other origin was contacted"
    );
    let Error::Api(api_error) = &error else {
        panic!("HTTP {status}: {error:?}")
    };
    assert_eq!(api_error.status().as_u16(), status);
    assert_eq!(
        api_error.response().headers()["location"],
        location.as_str()
    );
    assert_eq!(api_error.attempts(), 1);
    assert_eq!(received(&api).await.len(), 1);
}

#[tokio::test]
async fn a_307_to_another_origin_does_not_carry_the_key() {
    assert_cross_origin_redirect_is_not_followed(307).await;
}

#[tokio::test]
async fn a_308_to_another_origin_does_not_carry_the_key() {
    assert_cross_origin_redirect_is_not_followed(308).await;
}

#[tokio::test]
async fn a_302_to_another_origin_does_not_carry_the_key() {
    assert_cross_origin_redirect_is_not_followed(302).await;
}

#[tokio::test]
async fn a_301_or_303_to_another_origin_does_not_carry_the_key() {
    assert_cross_origin_redirect_is_not_followed(301).await;
    assert_cross_origin_redirect_is_not_followed(303).await;
}

#[tokio::test]
async fn a_redirect_to_another_origin_and_on_within_it_does_not_carry_the_key() {
    // The key must not come back on a later hop that stays on the other
    // origin.
    let api = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let hop = format!("{}/hop", elsewhere.uri());
    let end = format!("{}/v1/contacts/123", elsewhere.uri());
    mount_at(&api, "/v1/contacts/123", redirect(307, &hop)).await;
    mount_at(&elsewhere, "/hop", redirect(307, &end)).await;
    Mock::given(path("/v1/contacts/123"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(CONTACT, "application/json"))
        .mount(&elsewhere)
        .await;

    let result = client(&api).send(&update()).await;

    assert_no_key(&received(&elsewhere).await);
    assert!(result.is_err(), "{result:?}");
}

#[tokio::test]
async fn a_same_origin_redirect_to_another_origin_does_not_carry_the_key() {
    let api = MockServer::start().await;
    let elsewhere = other_origin().await;
    let moved = format!("{}/moved", api.uri());
    mount_at(&api, "/v1/contacts/123", redirect(308, &moved)).await;
    mount_at(&api, "/moved", redirect(307, &elsewhere.uri())).await;

    let error = client(&api).send(&update()).await.unwrap_err();

    assert_no_key(&received(&elsewhere).await);
    assert!(received(&elsewhere).await.is_empty());
    assert_eq!(error.status().map(|s| s.as_u16()), Some(307));
    assert_eq!(received(&api).await.len(), 2);
}

#[tokio::test]
async fn a_same_origin_307_or_308_is_followed_with_the_method_body_and_key() {
    for status in [307, 308] {
        let api = MockServer::start().await;
        let moved = format!("{}/v2/contacts/123", api.uri());
        mount_at(&api, "/v1/contacts/123", redirect(status, &moved)).await;
        Mock::given(method("PATCH"))
            .and(path("/v2/contacts/123"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(CONTACT, "application/json"))
            .expect(1)
            .mount(&api)
            .await;

        let updated = client(&api)
            .send(&update())
            .await
            .unwrap_or_else(|e| panic!("HTTP {status}: {e:?}"));
        assert_eq!(updated.contact.contact_id.as_deref(), Some("123"));

        let requests = received(&api).await;
        assert_eq!(requests.len(), 2, "HTTP {status}");
        let (first, second) = (&requests[0], &requests[1]);
        assert_eq!(second.url.path(), "/v2/contacts/123");
        assert_eq!(second.method.as_str(), "PATCH");
        assert_eq!(
            second.body, first.body,
            "HTTP {status}: the body went along"
        );
        assert_eq!(
            second.headers.get("authorization").unwrap(),
            &format!("Bearer {API_KEY}"),
            "HTTP {status}: the key went along on the same origin"
        );
    }
}

#[tokio::test]
async fn a_same_origin_301_302_or_303_is_returned_not_followed() {
    for status in [301, 302, 303] {
        let api = MockServer::start().await;
        let moved = format!("{}/v2/contacts/123", api.uri());
        mount_at(&api, "/v1/contacts/123", redirect(status, &moved)).await;
        mount_at(
            &api,
            "/v2/contacts/123",
            ResponseTemplate::new(200).set_body_raw(CONTACT, "application/json"),
        )
        .await;

        let error = client(&api).send(&update()).await.unwrap_err();

        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(received(&api).await.len(), 1, "HTTP {status} was followed");
    }
}

#[tokio::test]
async fn a_redirect_loop_ends_with_the_redirect() {
    let api = MockServer::start().await;
    let same = format!("{}/v1/contacts/123", api.uri());
    mount_at(&api, "/v1/contacts/123", redirect(307, &same)).await;

    let error = client(&api).send(&update()).await.unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(307));
    assert_eq!(error.attempts(), 1);
    // The request and ten redirects.
    assert_eq!(received(&api).await.len(), 11);
}
