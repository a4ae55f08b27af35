//! Every retry rule of the client, one test each, against a local mock.
//!
//! Waits are shortened with `RetryPolicy::backoff`; elapsed times are checked
//! with tight lower bounds (a hint must be waited for) and loose upper bounds
//! (the machine running the tests may be slow).

use std::net::TcpListener;
use std::time::{Duration, Instant, SystemTime};

use talktohumans::{Client, Error, RetryPolicy, UpdateContactInput};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "tth_test_retries_key";
const CONTACT: &str = r#"{"data":{"contact":{"contact_id":"123","name":"Ada"}}}"#;
/// Far above any wait these tests expect: only a hang or a missed rule
/// reaches it.
const SLOW: Duration = Duration::from_secs(10);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The default policy with waits of 5 to 20 ms instead of 0.5 to 8 s.
fn fast() -> RetryPolicy {
    RetryPolicy::default().backoff(ms(5), ms(20))
}

fn client(base_url: &str, policy: RetryPolicy) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .retry_policy(policy)
        .build()
        .expect("a client for a loopback server")
}

fn update() -> UpdateContactInput {
    UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .build()
        .expect("a valid update")
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(CONTACT, "application/json")
}

/// Mounts `response` for the update's path, for the next `times` requests
/// (all of them when `None`).
async fn mount(server: &MockServer, response: ResponseTemplate, times: Option<u64>) {
    let mock = Mock::given(method("PATCH"))
        .and(path("/v1/contacts/123"))
        .respond_with(response);
    match times {
        Some(n) => mock.up_to_n_times(n).mount(server).await,
        None => mock.mount(server).await,
    }
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

/// Sends the update and returns the error, with how long the call took.
async fn fail(client: &Client, update: &UpdateContactInput) -> (Error, Duration) {
    let started = Instant::now();
    let result = client.send(update).await;
    let elapsed = started.elapsed();
    match result {
        Ok(updated) => panic!("expected an error, got {updated:?}"),
        Err(error) => (error, elapsed),
    }
}

/// A status that is retried: with 2 retries, 3 requests, then the error with
/// the count.
async fn assert_retried(status: u16) {
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(status), None).await;
    let (error, elapsed) = fail(&client(&server.uri(), fast()), &update()).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    assert_eq!(error.attempts(), 3, "HTTP {status}: {error}");
    assert_eq!(requests(&server).await, 3, "HTTP {status}");
    assert!(elapsed < SLOW, "{elapsed:?}");
}

#[tokio::test]
async fn retries_408() {
    assert_retried(408).await;
}

#[tokio::test]
async fn retries_409() {
    assert_retried(409).await;
}

#[tokio::test]
async fn retries_429() {
    assert_retried(429).await;
}

#[tokio::test]
async fn retries_500() {
    assert_retried(500).await;
}

#[tokio::test]
async fn retries_502() {
    assert_retried(502).await;
}

#[tokio::test]
async fn retries_503() {
    assert_retried(503).await;
}

#[tokio::test]
async fn retries_504() {
    assert_retried(504).await;
}

/// A status that is not retried: one request, and its error.
async fn assert_not_retried(server: &MockServer, status: u16) {
    server.reset().await;
    mount(server, ResponseTemplate::new(status), None).await;
    let (error, _) = fail(&client(&server.uri(), fast()), &update()).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    assert_eq!(error.attempts(), 1, "HTTP {status}: {error}");
    assert_eq!(requests(server).await, 1, "HTTP {status}");
}

#[tokio::test]
async fn does_not_retry_400_401_403_404_422() {
    let server = MockServer::start().await;
    for status in [400, 401, 403, 404, 422] {
        assert_not_retried(&server, status).await;
    }
}

#[tokio::test]
async fn does_not_retry_any_other_4xx_or_5xx() {
    let server = MockServer::start().await;
    let retried = [408, 409, 429, 500, 502, 503, 504];
    for status in (400..=599).filter(|s| !retried.contains(s)) {
        assert_not_retried(&server, status).await;
    }
}

#[tokio::test]
async fn retries_until_a_success_and_repeats_the_same_request() {
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(503), Some(1)).await;
    mount(&server, ResponseTemplate::new(429), Some(1)).await;
    mount(&server, ok(), None).await;
    let contact = client(&server.uri(), fast())
        .send(&update())
        .await
        .expect("the third attempt succeeds");
    assert_eq!(contact.contact.contact_id.as_deref(), Some("123"));
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    for request in &received {
        assert_eq!(
            request.body, received[0].body,
            "every attempt sends the same body"
        );
        assert_eq!(
            request.headers.get("authorization").unwrap(),
            &format!("Bearer {KEY}")
        );
    }
}

#[tokio::test]
async fn connection_errors_are_retried() {
    // A port that was just free: nothing listens there, so connecting fails.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = client(&format!("http://127.0.0.1:{port}"), fast().max_retries(3));
    let (error, elapsed) = fail(&client, &update()).await;
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(error.attempts(), 4, "{error}");
    assert!(error.to_string().contains("after 4 attempt(s)"), "{error}");
    assert!(elapsed < SLOW, "{elapsed:?}");
}

#[tokio::test]
async fn the_default_policy_retries_twice_with_half_a_second_backoff() {
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(503), None).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .build()
        .unwrap();
    let (error, elapsed) = fail(&client, &update()).await;
    assert_eq!(error.attempts(), 3);
    assert_eq!(requests(&server).await, 3);
    // 0.5 s then 1 s, each varied by up to 25% either way, and never below
    // the first wait: at least 0.5 + 0.75 s, at most 0.625 + 1.25 s.
    assert!(elapsed >= ms(1250), "{elapsed:?}");
    assert!(elapsed < ms(1875) + SLOW, "{elapsed:?}");
}

#[tokio::test]
async fn backoff_without_a_hint_doubles() {
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(500), None).await;
    let policy = RetryPolicy::default()
        .max_retries(3)
        .jitter(0.0)
        .backoff(ms(100), ms(1000));
    let (error, elapsed) = fail(&client(&server.uri(), policy), &update()).await;
    assert_eq!(error.attempts(), 4);
    // 100 + 200 + 400 ms.
    assert!(elapsed >= ms(700), "{elapsed:?}");
    assert!(elapsed < SLOW, "{elapsed:?}");
}

/// One response with `header`, then a success: returns how long the call took.
async fn time_hinted_retry(header: (&str, String)) -> Duration {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(503).insert_header(header.0, header.1.as_str()),
        Some(1),
    )
    .await;
    mount(&server, ok(), None).await;
    let started = Instant::now();
    client(&server.uri(), fast())
        .send(&update())
        .await
        .expect("the retry succeeds");
    assert_eq!(requests(&server).await, 2);
    started.elapsed()
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let elapsed = time_hinted_retry(("retry-after", "1".into())).await;
    assert!(elapsed >= ms(1000), "{elapsed:?}");
    assert!(elapsed < ms(1000) + SLOW, "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    // Three seconds ahead, cut to the second by the date format.
    let date = SystemTime::now() + Duration::from_secs(3);
    let text = httpdate::fmt_http_date(date);
    let whole_second = httpdate::parse_http_date(&text).unwrap();
    let elapsed = time_hinted_retry(("retry-after", text)).await;
    let now = SystemTime::now();
    assert!(
        now + ms(20) >= whole_second,
        "retried {:?} before the date",
        whole_second.duration_since(now).unwrap_or_default()
    );
    assert!(elapsed >= ms(1900), "{elapsed:?}");
    assert!(elapsed < ms(3000) + SLOW, "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_ms_is_honoured() {
    let elapsed = time_hinted_retry(("retry-after-ms", "300".into())).await;
    assert!(elapsed >= ms(300), "{elapsed:?}");
    assert!(elapsed < ms(300) + SLOW, "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_ms_wins_over_retry_after() {
    let server = MockServer::start().await;
    let hinted = ResponseTemplate::new(503)
        .insert_header("retry-after-ms", "50")
        .insert_header("retry-after", "30");
    mount(&server, hinted, Some(1)).await;
    mount(&server, ok(), None).await;
    let started = Instant::now();
    client(&server.uri(), fast()).send(&update()).await.unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed >= ms(50), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(30),
        "waited for Retry-After: {elapsed:?}"
    );
}

#[tokio::test]
async fn x_should_retry_false_stops_a_503() {
    let server = MockServer::start().await;
    let response = ResponseTemplate::new(503).insert_header("x-should-retry", "false");
    mount(&server, response, None).await;
    let (error, _) = fail(&client(&server.uri(), fast()), &update()).await;
    assert_eq!(error.attempts(), 1);
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn x_should_retry_true_retries_a_400() {
    let server = MockServer::start().await;
    let response = ResponseTemplate::new(400).insert_header("x-should-retry", "true");
    mount(&server, response, None).await;
    let (error, _) = fail(&client(&server.uri(), fast()), &update()).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(error.attempts(), 3);
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn a_hint_above_the_default_cap_gives_up_at_once_with_the_hint() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(429).insert_header("retry-after", "120"),
        None,
    )
    .await;
    let (error, elapsed) = fail(&client(&server.uri(), fast()), &update()).await;
    assert_eq!(requests(&server).await, 1);
    assert_eq!(error.attempts(), 1);
    assert!(elapsed < SLOW, "{elapsed:?}");
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.retry_after(), Some(Duration::from_secs(120)));
    assert!(error.to_string().contains("retry after 120s"), "{error}");
}

#[tokio::test]
async fn a_hint_above_a_custom_cap_gives_up_and_one_at_the_cap_is_honoured() {
    let server = MockServer::start().await;
    let cap = ms(200);
    mount(
        &server,
        ResponseTemplate::new(503).insert_header("retry-after-ms", "201"),
        None,
    )
    .await;
    let (error, _) = fail(
        &client(&server.uri(), fast().max_retry_after(cap)),
        &update(),
    )
    .await;
    assert_eq!(requests(&server).await, 1);
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.retry_after(), Some(ms(201)));
    assert_eq!(api.attempts(), 1);

    server.reset().await;
    mount(
        &server,
        ResponseTemplate::new(503).insert_header("retry-after-ms", "200"),
        Some(1),
    )
    .await;
    mount(&server, ok(), None).await;
    let started = Instant::now();
    client(&server.uri(), fast().max_retry_after(cap))
        .send(&update())
        .await
        .expect("a hint equal to the cap is waited for");
    assert!(started.elapsed() >= cap);
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn the_deadline_ends_retries_before_it_passes() {
    let server = MockServer::start().await;
    mount(
        &server,
        ResponseTemplate::new(503).insert_header("retry-after-ms", "400"),
        None,
    )
    .await;
    let deadline = ms(1000);
    let client = client(&server.uri(), fast().max_retries(10));
    let update = UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .deadline(deadline)
        .build()
        .unwrap();
    let (error, elapsed) = fail(&client, &update).await;
    // Attempts at about 0, 0.4 and 0.8 s; the next would start after 1 s.
    assert!((2..=3).contains(&error.attempts()), "{error}");
    assert_eq!(requests(&server).await, error.attempts() as usize);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(elapsed >= ms(400), "{elapsed:?}");
    assert!(elapsed < deadline + ms(1000), "{elapsed:?}");
}

#[tokio::test]
async fn the_client_deadline_cuts_a_hanging_attempt() {
    let server = MockServer::start().await;
    mount(&server, ok().set_delay(Duration::from_secs(60)), None).await;
    let deadline = ms(800);
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .retry_policy(fast())
        .timeout(Duration::from_secs(60))
        .deadline(deadline)
        .build()
        .unwrap();
    let (error, elapsed) = fail(&client, &update()).await;
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(error.attempts(), 1);
    assert!(elapsed >= deadline - ms(5), "{elapsed:?}");
    assert!(elapsed < deadline + ms(2000), "{elapsed:?}");
}

#[tokio::test]
async fn a_deadline_too_long_for_the_clock_is_no_deadline() {
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(503), Some(1)).await;
    mount(&server, ok(), None).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .retry_policy(fast().max_retry_after(Duration::MAX))
        .timeout(Duration::MAX)
        .deadline(Duration::MAX)
        .build()
        .unwrap();
    client.send(&update()).await.expect("no overflow, no panic");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn per_request_max_retries_overrides_the_client() {
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(503), None).await;
    let once = UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .max_retries(0)
        .build()
        .unwrap();
    let (error, _) = fail(&client(&server.uri(), fast().max_retries(5)), &once).await;
    assert_eq!(error.attempts(), 1);
    assert_eq!(requests(&server).await, 1);

    server.reset().await;
    mount(&server, ResponseTemplate::new(503), None).await;
    let thrice = UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .max_retries(2)
        .build()
        .unwrap();
    let (error, _) = fail(&client(&server.uri(), RetryPolicy::none()), &thrice).await;
    assert_eq!(error.attempts(), 3);
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn the_final_error_keeps_the_last_response_and_the_count() {
    let server = MockServer::start().await;
    let first = ResponseTemplate::new(503)
        .insert_header("x-request-id", "req_first")
        .set_body_string("first");
    let last_body = br#"{"error":{"message":"still overloaded"},"n":2}"#;
    let last = ResponseTemplate::new(502)
        .insert_header("x-request-id", "req_last")
        .insert_header("x-extra", "kept")
        .set_body_raw(last_body.to_vec(), "application/json");
    mount(&server, first, Some(1)).await;
    mount(&server, last, None).await;
    let (error, _) = fail(&client(&server.uri(), fast().max_retries(1)), &update()).await;
    assert_eq!(error.attempts(), 2);
    assert_eq!(error.request_id(), Some("req_last"));
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.attempts(), 2);
    assert_eq!(api.status().as_u16(), 502);
    assert_eq!(api.response().headers()["x-extra"], "kept");
    assert_eq!(api.response().body().as_ref(), last_body);
    assert_eq!(api.message(), Some("still overloaded"));
    let text = error.to_string();
    assert!(
        text.contains("HTTP 502") && text.contains("after 2 attempts"),
        "{text}"
    );
}

#[tokio::test]
async fn an_undecodable_success_is_never_retried() {
    let server = MockServer::start().await;
    // Even when the server says it may be retried: the update was applied.
    let response = ResponseTemplate::new(200)
        .insert_header("x-should-retry", "true")
        .set_body_raw("not json", "application/json");
    mount(&server, response, None).await;
    let (error, _) = fail(&client(&server.uri(), fast()), &update()).await;
    let Error::UndecodableResponse(undecodable) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(undecodable.status().as_u16(), 200);
    assert_eq!(undecodable.response().body().as_ref(), b"not json");
    assert_eq!(error.attempts(), 1);
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn an_undecodable_success_after_a_retry_counts_both_attempts() {
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(503), Some(1)).await;
    mount(
        &server,
        ResponseTemplate::new(200).set_body_string("{}"),
        None,
    )
    .await;
    let (error, _) = fail(&client(&server.uri(), fast()), &update()).await;
    let Error::UndecodableResponse(undecodable) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(undecodable.attempts(), 2);
    assert_eq!(error.attempts(), 2);
    assert_eq!(requests(&server).await, 2);
}
