//! Every retry rule of the client, one test each, against a scripted local
//! server.
//!
//! The tests run on tokio's paused clock, with a server that holds the
//! clock still while a request is in flight (`support::scripted`): the
//! client's waits take no real time, and a call's elapsed time on the tokio
//! clock is exactly the sum of its waits, which the tests check to the
//! millisecond. The tests that run on the real clock say why.

mod support;

use std::time::{Duration, SystemTime};

use support::API_KEY;
use support::loopback::RefusedAddress;
use support::scripted::{Reply, Server};
use talktohumans::{Client, Error, RetryPolicy, UpdateContactInput};
use tokio::time::Instant;

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

/// A client for `server` with this retry policy.
fn client_retrying(server: &Server, policy: RetryPolicy) -> Client {
    server.client(support::builder().retry_policy(policy))
}

fn update() -> UpdateContactInput {
    UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .build()
        .expect("a valid update")
}

fn ok() -> Reply {
    Reply::status(200).body("application/json", CONTACT)
}

/// Sends the update and returns the error, with how long the call took on
/// the tokio clock.
async fn fail(client: &Client, update: &UpdateContactInput) -> (Error, Duration) {
    let started = Instant::now();
    let result = client.send(update).await;
    let elapsed = started.elapsed();
    match result {
        Ok(updated) => panic!("expected an error, got {updated:?}"),
        Err(error) => (error, elapsed),
    }
}

/// Asserts that a call whose waits add up to `waited` took that long on the
/// paused clock. The timer rounds each of the `waits` up to its next
/// millisecond.
fn assert_waited(elapsed: Duration, waited: Duration, waits: u32) {
    assert!(
        elapsed >= waited && elapsed <= waited + ms(waits.into()),
        "took {elapsed:?}, not the {waited:?} of its waits"
    );
}

/// A status that is retried: with 2 retries, 3 requests, then the error with
/// the count.
async fn assert_retried(status: u16) {
    let server = Server::start();
    server.reply_always(Reply::status(status));
    let (error, elapsed) = fail(&client_retrying(&server, fast()), &update()).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    assert_eq!(error.attempts(), 3, "HTTP {status}: {error}");
    assert_eq!(server.request_count(), 3, "HTTP {status}");
    assert!(elapsed < SLOW, "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn retries_408() {
    assert_retried(408).await;
}

#[tokio::test(start_paused = true)]
async fn retries_409() {
    assert_retried(409).await;
}

#[tokio::test(start_paused = true)]
async fn retries_429() {
    assert_retried(429).await;
}

#[tokio::test(start_paused = true)]
async fn retries_500() {
    assert_retried(500).await;
}

#[tokio::test(start_paused = true)]
async fn retries_502() {
    assert_retried(502).await;
}

#[tokio::test(start_paused = true)]
async fn retries_503() {
    assert_retried(503).await;
}

#[tokio::test(start_paused = true)]
async fn retries_504() {
    assert_retried(504).await;
}

/// A status that is not retried: one request, and its error.
async fn assert_not_retried(server: &Server, client: &Client, status: u16) {
    server.reset();
    server.reply_always(Reply::status(status));
    let (error, _) = fail(client, &update()).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    assert_eq!(error.attempts(), 1, "HTTP {status}: {error}");
    assert_eq!(server.request_count(), 1, "HTTP {status}");
}

#[tokio::test(start_paused = true)]
async fn does_not_retry_400_401_403_404_422() {
    let server = Server::start();
    let client = client_retrying(&server, fast());
    for status in [400, 401, 403, 404, 422] {
        assert_not_retried(&server, &client, status).await;
    }
}

#[tokio::test(start_paused = true)]
async fn does_not_retry_any_other_4xx_or_5xx() {
    let server = Server::start();
    // One client for them all: building one costs more than its request.
    let client = client_retrying(&server, fast());
    let retried = [408, 409, 429, 500, 502, 503, 504];
    for status in (400..=599).filter(|s| !retried.contains(s)) {
        assert_not_retried(&server, &client, status).await;
    }
}

#[tokio::test(start_paused = true)]
async fn retries_until_a_success_and_repeats_the_same_request() {
    let server = Server::start();
    server.reply_once(Reply::status(503));
    server.reply_once(Reply::status(429));
    server.reply_always(ok());
    let contact = client_retrying(&server, fast())
        .send(&update())
        .await
        .expect("the third attempt succeeds");
    assert_eq!(contact.contact.contact_id.as_deref(), Some("123"));
    let received = server.requests();
    assert_eq!(received.len(), 3);
    for request in &received {
        assert_eq!(request.method, "PATCH");
        assert_eq!(request.path, "/v1/contacts/123");
        assert_eq!(
            request.body, received[0].body,
            "every attempt sends the same body"
        );
        assert_eq!(
            request.headers.get("authorization").unwrap(),
            &format!("Bearer {API_KEY}")
        );
    }
}

// On the real clock: with no server to hold the paused one, tokio could
// move it past the connect timeout before the refusal comes back through
// the socket. The waits here are a few milliseconds.
#[tokio::test]
async fn connection_errors_are_retried() {
    let refused = RefusedAddress::new();
    let client = support::builder_for(&refused)
        .retry_policy(fast().max_retries(3))
        .build()
        .unwrap();
    let (error, elapsed) = fail(&client, &update()).await;
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(error.attempts(), 4, "{error}");
    assert!(error.to_string().contains("after 4 attempt(s)"), "{error}");
    assert!(elapsed < SLOW, "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn the_default_policy_retries_twice_with_half_a_second_backoff() {
    let server = Server::start();
    server.reply_always(Reply::status(503));
    let client = server.client(support::builder());
    let (error, elapsed) = fail(&client, &update()).await;
    assert_eq!(error.attempts(), 3);
    assert_eq!(server.request_count(), 3);
    // 0.5 s then 1 s, each varied by up to 25% either way, and never below
    // the first wait: at least 0.5 + 0.75 s, at most 0.625 + 1.25 s (and a
    // millisecond of rounding for each).
    assert!(elapsed >= ms(1250), "{elapsed:?}");
    assert!(elapsed <= ms(1875 + 2), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn backoff_without_a_hint_doubles() {
    let server = Server::start();
    server.reply_always(Reply::status(500));
    let policy = RetryPolicy::default()
        .max_retries(3)
        .jitter(0.0)
        .backoff(ms(100), ms(1000));
    let (error, elapsed) = fail(&client_retrying(&server, policy), &update()).await;
    assert_eq!(error.attempts(), 4);
    assert_waited(elapsed, ms(100 + 200 + 400), 3);
}

/// One response with `header`, then a success: returns how long the call
/// took on the tokio clock.
async fn time_hinted_retry(header: (&str, String)) -> Duration {
    let server = Server::start();
    server.reply_once(Reply::status(503).header(header.0, &header.1));
    server.reply_always(ok());
    let started = Instant::now();
    client_retrying(&server, fast())
        .send(&update())
        .await
        .expect("the retry succeeds");
    assert_eq!(server.request_count(), 2);
    started.elapsed()
}

#[tokio::test(start_paused = true)]
async fn retry_after_in_seconds_is_honoured() {
    let elapsed = time_hinted_retry(("retry-after", "1".into())).await;
    assert_waited(elapsed, ms(1000), 1);
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_is_honoured() {
    // Three seconds ahead, cut to the second by the date format.
    let sent = SystemTime::now();
    let text = httpdate::fmt_http_date(sent + Duration::from_secs(3));
    let date = httpdate::parse_http_date(&text).unwrap();
    let elapsed = time_hinted_retry(("retry-after", text)).await;
    let answered = SystemTime::now();
    // The client reads the date against the system clock, which runs in
    // real time even here, at some moment between `sent` and `answered`. It
    // must wait from that moment to the date: no less, or it retried before
    // the date, and no more.
    let least = date.duration_since(answered).unwrap_or_default();
    let most = date.duration_since(sent).unwrap() + ms(1);
    assert!(
        (least..=most).contains(&elapsed),
        "waited {elapsed:?} for a date {least:?} to {most:?} ahead"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_ms_is_honoured() {
    let elapsed = time_hinted_retry(("retry-after-ms", "300".into())).await;
    assert_waited(elapsed, ms(300), 1);
}

#[tokio::test(start_paused = true)]
async fn retry_after_ms_wins_over_retry_after() {
    let server = Server::start();
    let hinted = Reply::status(503)
        .header("retry-after-ms", "50")
        .header("retry-after", "30");
    server.reply_once(hinted);
    server.reply_always(ok());
    let started = Instant::now();
    client_retrying(&server, fast())
        .send(&update())
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(30),
        "waited for Retry-After: {elapsed:?}"
    );
    assert_waited(elapsed, ms(50), 1);
}

#[tokio::test(start_paused = true)]
async fn x_should_retry_false_stops_a_503() {
    let server = Server::start();
    server.reply_always(Reply::status(503).header("x-should-retry", "false"));
    let (error, _) = fail(&client_retrying(&server, fast()), &update()).await;
    assert_eq!(error.attempts(), 1);
    assert_eq!(server.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn x_should_retry_true_retries_a_400() {
    let server = Server::start();
    server.reply_always(Reply::status(400).header("x-should-retry", "true"));
    let (error, _) = fail(&client_retrying(&server, fast()), &update()).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(error.attempts(), 3);
    assert_eq!(server.request_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_hint_above_the_default_cap_gives_up_at_once_with_the_hint() {
    let server = Server::start();
    server.reply_always(Reply::status(429).header("retry-after", "120"));
    let (error, elapsed) = fail(&client_retrying(&server, fast()), &update()).await;
    assert_eq!(server.request_count(), 1);
    assert_eq!(error.attempts(), 1);
    assert_eq!(elapsed, Duration::ZERO, "waited before giving up");
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.retry_after(), Some(Duration::from_secs(120)));
    assert!(error.to_string().contains("retry after 120s"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn a_hint_above_a_custom_cap_gives_up_and_one_at_the_cap_is_honoured() {
    let server = Server::start();
    let cap = ms(200);
    server.reply_always(Reply::status(503).header("retry-after-ms", "201"));
    let (error, elapsed) = fail(
        &client_retrying(&server, fast().max_retry_after(cap)),
        &update(),
    )
    .await;
    assert_eq!(server.request_count(), 1);
    assert_eq!(elapsed, Duration::ZERO, "waited before giving up");
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.retry_after(), Some(ms(201)));
    assert_eq!(api.attempts(), 1);

    server.reset();
    server.reply_once(Reply::status(503).header("retry-after-ms", "200"));
    server.reply_always(ok());
    let started = Instant::now();
    client_retrying(&server, fast().max_retry_after(cap))
        .send(&update())
        .await
        .expect("a hint equal to the cap is waited for");
    assert_waited(started.elapsed(), cap, 1);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_deadline_ends_retries_before_it_passes() {
    let server = Server::start();
    server.reply_always(Reply::status(503).header("retry-after-ms", "400"));
    let deadline = ms(1000);
    let client = client_retrying(&server, fast().max_retries(10));
    let update = UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .deadline(deadline)
        .build()
        .unwrap();
    let (error, elapsed) = fail(&client, &update).await;
    // Attempts at 0, 0.4 and 0.8 s; the next would start at 1.2 s, past the
    // deadline, so the call ends with the third answer instead of waiting.
    assert_eq!(error.attempts(), 3, "{error}");
    assert_eq!(server.request_count(), 3);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_waited(elapsed, ms(800), 2);
}

#[tokio::test(start_paused = true)]
async fn the_client_deadline_cuts_a_hanging_attempt() {
    let server = Server::start();
    server.reply_always(Reply::hang());
    let deadline = ms(800);
    let client = server.client(
        support::builder()
            .retry_policy(fast())
            .timeout(Duration::from_secs(60))
            .deadline(deadline),
    );
    let (error, elapsed) = fail(&client, &update()).await;
    // The attempt's own limit (60 s) is cut to what is left of the deadline,
    // and once it is spent no retry starts.
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(error.attempts(), 1);
    assert_eq!(server.request_count(), 1);
    assert_waited(elapsed, deadline, 1);
}

#[tokio::test(start_paused = true)]
async fn a_deadline_too_long_for_the_clock_is_no_deadline() {
    let server = Server::start();
    server.reply_once(Reply::status(503));
    server.reply_always(ok());
    let client = server.client(
        support::builder()
            .retry_policy(fast().max_retry_after(Duration::MAX))
            .timeout(Duration::MAX)
            .deadline(Duration::MAX),
    );
    client.send(&update()).await.expect("no overflow, no panic");
    assert_eq!(server.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn per_request_max_retries_overrides_the_client() {
    let server = Server::start();
    server.reply_always(Reply::status(503));
    let once = UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .max_retries(0)
        .build()
        .unwrap();
    let (error, _) = fail(&client_retrying(&server, fast().max_retries(5)), &once).await;
    assert_eq!(error.attempts(), 1);
    assert_eq!(server.request_count(), 1);

    server.reset();
    server.reply_always(Reply::status(503));
    let thrice = UpdateContactInput::builder("123")
        .add_tag("Hot lead")
        .max_retries(2)
        .build()
        .unwrap();
    let (error, _) = fail(&client_retrying(&server, RetryPolicy::none()), &thrice).await;
    assert_eq!(error.attempts(), 3);
    assert_eq!(server.request_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_final_error_keeps_the_last_response_and_the_count() {
    let server = Server::start();
    let first = Reply::status(503)
        .header("x-request-id", "req_first")
        .body("text/plain", "first");
    let last_body = br#"{"error":{"message":"still overloaded"},"n":2}"#;
    let last = Reply::status(502)
        .header("x-request-id", "req_last")
        .header("x-extra", "kept")
        .body("application/json", last_body.to_vec());
    server.reply_once(first);
    server.reply_always(last);
    let (error, _) = fail(&client_retrying(&server, fast().max_retries(1)), &update()).await;
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

#[tokio::test(start_paused = true)]
async fn an_undecodable_success_is_never_retried() {
    let server = Server::start();
    // Even when the server says it may be retried: the update was applied.
    let response = Reply::status(200)
        .header("x-should-retry", "true")
        .body("application/json", "not json");
    server.reply_always(response);
    let (error, _) = fail(&client_retrying(&server, fast()), &update()).await;
    let Error::UndecodableResponse(undecodable) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(undecodable.status().as_u16(), 200);
    assert_eq!(undecodable.response().body().as_ref(), b"not json");
    assert_eq!(error.attempts(), 1);
    assert_eq!(server.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_undecodable_success_after_a_retry_counts_both_attempts() {
    let server = Server::start();
    server.reply_once(Reply::status(503));
    server.reply_always(Reply::status(200).body("text/plain", "{}"));
    let (error, _) = fail(&client_retrying(&server, fast()), &update()).await;
    let Error::UndecodableResponse(undecodable) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(undecodable.attempts(), 2);
    assert_eq!(error.attempts(), 2);
    assert_eq!(server.request_count(), 2);
}
