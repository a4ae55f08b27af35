//! Failure injection: the next requests are answered with a chosen status,
//! or delayed, so that callers can test their error handling and retries.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::mock::error::{error_body, json_response};

/// What the mock does to one request instead of (or before) handling it.
///
/// Queue faults with [`MockServer::inject`](crate::mock::MockServer::inject),
/// or with the shorthands
/// [`fail_next`](crate::mock::MockServer::fail_next) and
/// [`delay_next`](crate::mock::MockServer::delay_next).
///
/// ```
/// use std::time::Duration;
/// use http::StatusCode;
/// use talktohumans::mock::Fault;
///
/// // A 429 after half a second, asking to come back in 2 s (`Retry-After: 2`,
/// // `retry-after-ms: 2000`).
/// let throttled = Fault::status(StatusCode::TOO_MANY_REQUESTS)
///     .delayed(Duration::from_millis(500))
///     .retry_after(Duration::from_secs(2))
///     .retry_after_ms(Duration::from_secs(2));
/// // A gateway's HTML error page.
/// let gateway = Fault::status(StatusCode::BAD_GATEWAY)
///     .raw_body("text/html", "<html>Bad gateway</html>");
/// // A slow but otherwise normal answer.
/// let slow = Fault::delay(Duration::from_secs(1));
/// # let _ = (throttled, gateway, slow);
/// ```
#[derive(Debug, Clone)]
pub struct Fault {
    pub(crate) delay: Option<Duration>,
    pub(crate) answer: Option<FaultAnswer>,
    pub(crate) disconnect: Option<Disconnect>,
}

/// When a fault drops the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disconnect {
    /// Before the request is handled: the update is not applied.
    BeforeHandling,
    /// After the request is handled, in the middle of the answer: the update
    /// is applied, and the client cannot know it.
    AfterHandling,
}

/// The response a fault answers with.
#[derive(Debug, Clone)]
pub(crate) struct FaultAnswer {
    status: StatusCode,
    headers: HeaderMap,
    /// Content type and body; `None` is the mock's JSON error body.
    body: Option<(HeaderValue, Bytes)>,
}

impl Fault {
    /// Answers with this status, without looking at the request or changing
    /// any state. The body is `{"error": {"code": "injected_fault", "message":
    /// ...}}` unless [`json_body`](Self::json_body) or
    /// [`raw_body`](Self::raw_body) says otherwise.
    pub fn status(status: StatusCode) -> Self {
        Self {
            delay: None,
            answer: Some(FaultAnswer {
                status,
                headers: HeaderMap::new(),
                body: None,
            }),
            disconnect: None,
        }
    }

    /// Drops the connection instead of answering, without handling the
    /// request: the update is not applied. The client sees the response
    /// start (status 200 and headers) and then break off.
    pub fn disconnect() -> Self {
        Self {
            delay: None,
            answer: None,
            disconnect: Some(Disconnect::BeforeHandling),
        }
    }

    /// Handles the request (the update is applied), then drops the
    /// connection in the middle of the answer, as a proxy or a network
    /// failure can: the client cannot tell that the update went through.
    pub fn disconnect_after_applying() -> Self {
        Self {
            delay: None,
            answer: None,
            disconnect: Some(Disconnect::AfterHandling),
        }
    }

    /// Waits this long, then handles the request normally. A client that
    /// gives up while it waits leaves the state unchanged, because the
    /// request is only handled after the wait.
    pub fn delay(delay: Duration) -> Self {
        Self {
            delay: Some(delay),
            answer: None,
            disconnect: None,
        }
    }

    /// Waits this long before answering.
    #[must_use]
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Adds `Retry-After` in whole seconds, rounded up (only with a status).
    #[must_use]
    pub fn retry_after(self, wait: Duration) -> Self {
        let seconds = wait
            .as_secs()
            .saturating_add(u64::from(wait.subsec_nanos() > 0));
        self.header(RETRY_AFTER, HeaderValue::from(seconds))
    }

    /// Adds `retry-after-ms` in whole milliseconds (only with a status).
    #[must_use]
    pub fn retry_after_ms(self, wait: Duration) -> Self {
        let millis = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        self.header(
            HeaderName::from_static("retry-after-ms"),
            HeaderValue::from(millis),
        )
    }

    /// Adds a response header (only with a status), for example
    /// `x-should-retry` or a `Retry-After` in HTTP-date form.
    #[must_use]
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        if let Some(answer) = &mut self.answer {
            answer.headers.insert(name, value);
        }
        self
    }

    /// Answers with this JSON body instead of the mock's error body (only
    /// with a status).
    #[must_use]
    pub fn json_body(self, body: &serde_json::Value) -> Self {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        self.raw_body(HeaderValue::from_static("application/json"), bytes)
    }

    /// Answers with this body and content type (only with a status). A
    /// content type that is not a valid header value is sent as
    /// `application/octet-stream`.
    #[must_use]
    pub fn raw_body(
        mut self,
        content_type: impl TryInto<HeaderValue>,
        body: impl Into<Bytes>,
    ) -> Self {
        let content_type = content_type
            .try_into()
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
        if let Some(answer) = &mut self.answer {
            answer.body = Some((content_type, body.into()));
        }
        self
    }
}

impl FaultAnswer {
    pub(crate) fn into_response(self) -> Response {
        let mut response = match self.body {
            None => {
                let message = format!(
                    "failure injected by the mock server (HTTP {})",
                    self.status.as_u16()
                );
                json_response(self.status, error_body("injected_fault", &message))
            }
            Some((content_type, body)) => {
                let mut response = Response::new(Body::from(body));
                *response.status_mut() = self.status;
                response.headers_mut().insert(CONTENT_TYPE, content_type);
                response
            }
        };
        for (name, value) in &self.headers {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        response
    }
}

/// A response whose body breaks off after the status and headers, which
/// makes hyper drop the connection.
pub(crate) fn broken_off(mut response: Response) -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::other("connection dropped by the mock"))
    });
    *response.body_mut() = Body::from_stream(failing);
    response.headers_mut().remove(http::header::CONTENT_LENGTH);
    response
}

/// Faults for a share of all requests, drawn from a seeded generator, so
/// that a run under faults can be repeated: the same seed gives the same
/// sequence of draws (which request gets which fault still depends on the
/// order in which concurrent requests arrive).
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use http::StatusCode;
/// use talktohumans::mock::{Fault, MockServer, RandomFaults};
///
/// let mock = MockServer::start().await?;
/// // About 15% of requests: a 503, a 300 ms stall, or a dropped connection.
/// mock.random_faults(
///     RandomFaults::new(2026, 0.15)
///         .fault(Fault::status(StatusCode::SERVICE_UNAVAILABLE))
///         .fault(Fault::delay(Duration::from_millis(300)))
///         .fault(Fault::disconnect_after_applying()),
/// );
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct RandomFaults {
    rng: fastrand::Rng,
    rate: f64,
    faults: Vec<Fault>,
}

impl RandomFaults {
    /// Each request gets a fault with probability `rate` (clamped to 0..=1),
    /// drawn from a generator seeded with `seed`. Add the faults to choose
    /// from with [`fault`](Self::fault).
    pub fn new(seed: u64, rate: f64) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
            rate: if rate.is_nan() {
                0.0
            } else {
                rate.clamp(0.0, 1.0)
            },
            faults: Vec::new(),
        }
    }

    /// Adds a fault to choose from; each is equally likely.
    #[must_use]
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    fn draw(&mut self) -> Option<Fault> {
        if self.faults.is_empty() || self.rng.f64() >= self.rate {
            return None;
        }
        Some(self.faults[self.rng.usize(..self.faults.len())].clone())
    }
}

/// Faults waiting for requests, in the order they were queued; each request
/// takes the first. Requests that no queued fault covers draw from the
/// random faults, if any.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queue: Mutex<VecDeque<(Fault, usize)>>,
    random: Mutex<Option<RandomFaults>>,
}

impl FaultQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(Fault, usize)>> {
        // Nothing panics while holding the lock; recover anyway rather than
        // propagate a poison.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn random(&self) -> std::sync::MutexGuard<'_, Option<RandomFaults>> {
        self.random.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `fault` for the next `times` requests after those already
    /// queued.
    pub(crate) fn push(&self, fault: Fault, times: usize) {
        if times > 0 {
            self.lock().push_back((fault, times));
        }
    }

    /// Draws faults for every request the queue does not cover.
    pub(crate) fn set_random(&self, faults: RandomFaults) {
        *self.random() = Some(faults);
    }

    /// The fault for the request that just arrived, if any.
    pub(crate) fn take(&self) -> Option<Fault> {
        let mut queue = self.lock();
        let Some((fault, remaining)) = queue.front_mut() else {
            drop(queue);
            return self.random().as_mut().and_then(RandomFaults::draw);
        };
        let fault_now = fault.clone();
        *remaining -= 1;
        if *remaining == 0 {
            queue.pop_front();
        }
        Some(fault_now)
    }

    /// How many requests the queued faults will still affect.
    pub(crate) fn pending(&self) -> usize {
        self.lock()
            .iter()
            .fold(0usize, |sum, (_, times)| sum.saturating_add(*times))
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
        *self.random() = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_order_and_counts() {
        let queue = FaultQueue::default();
        queue.push(Fault::status(StatusCode::BAD_GATEWAY), 2);
        queue.push(Fault::delay(Duration::from_millis(1)), 0);
        queue.push(Fault::delay(Duration::from_millis(5)), 1);
        assert_eq!(queue.pending(), 3);
        let status = |f: Option<Fault>| f.and_then(|f| f.answer).map(|a| a.status);
        assert_eq!(status(queue.take()), Some(StatusCode::BAD_GATEWAY));
        assert_eq!(status(queue.take()), Some(StatusCode::BAD_GATEWAY));
        let delayed = queue.take().unwrap();
        assert_eq!(delayed.delay, Some(Duration::from_millis(5)));
        assert!(delayed.answer.is_none());
        assert!(queue.take().is_none());
        queue.push(Fault::status(StatusCode::CONFLICT), usize::MAX);
        queue.push(Fault::status(StatusCode::CONFLICT), usize::MAX);
        assert_eq!(queue.pending(), usize::MAX);
        queue.clear();
        assert_eq!(queue.pending(), 0);
    }

    #[test]
    fn retry_headers() {
        let answer = Fault::status(StatusCode::TOO_MANY_REQUESTS)
            .retry_after(Duration::from_millis(1500))
            .retry_after_ms(Duration::from_millis(1500))
            .answer
            .unwrap();
        let response = answer.into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()["retry-after"], "2");
        assert_eq!(response.headers()["retry-after-ms"], "1500");
        assert_eq!(response.headers()["content-type"], "application/json");
        let longest = Fault::status(StatusCode::TOO_MANY_REQUESTS)
            .retry_after(Duration::MAX)
            .retry_after_ms(Duration::MAX);
        let headers = longest.answer.unwrap().headers;
        assert_eq!(headers["retry-after"], u64::MAX.to_string().as_str());
        assert_eq!(headers["retry-after-ms"], u64::MAX.to_string().as_str());
        let zero = Fault::status(StatusCode::TOO_MANY_REQUESTS).retry_after(Duration::ZERO);
        assert_eq!(zero.answer.unwrap().headers["retry-after"], "0");
        // Headers on a delay-only fault have nowhere to go and are dropped.
        assert!(
            Fault::delay(Duration::ZERO)
                .retry_after(Duration::ZERO)
                .answer
                .is_none()
        );
    }

    #[test]
    fn bodies() {
        let response = Fault::status(StatusCode::BAD_GATEWAY)
            .raw_body("text/html", "<p>down</p>")
            .answer
            .unwrap()
            .into_response();
        assert_eq!(response.headers()["content-type"], "text/html");
        let bad_type = Fault::status(StatusCode::BAD_GATEWAY).raw_body("a\nb", "x");
        let (content_type, _) = bad_type.answer.unwrap().body.unwrap();
        assert_eq!(content_type, "application/octet-stream");
    }
}
