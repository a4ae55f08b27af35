//! What came back from the server: the decoded contact, and the raw response
//! that every error keeps.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Map, Value};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use crate::decode::ResponseDrift;
use crate::generated::types::Contact;

/// The headers a server may use to identify a request, in order of preference.
///
/// Assumption: the API reference documents neither; these are the two common
/// conventions.
const REQUEST_ID_HEADERS: [&str; 2] = ["x-request-id", "request-id"];

/// The request id the server sent, if any.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
}

/// A response exactly as it arrived: status, headers and body bytes. Every
/// error that has a response keeps it ([`Error::response`](crate::Error::response)).
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use talktohumans::mock::{MockServer, seed};
///
/// let mock = MockServer::start().await?;
/// let client = mock.client_builder().build()?;
/// let error = client.update_contact("999999").add_tag("x").send().await.unwrap_err();
/// let response = error.response().expect("the server answered");
/// assert_eq!(response.status(), 404);
/// assert!(response.request_id().is_some());
/// assert!(String::from_utf8_lossy(response.body()).contains("contact_not_found"));
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Clone)]
pub struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl RawResponse {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, byte for byte.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The request id from `x-request-id` or `request-id`, if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// The same response as reqwest hands it over; the body shares the
    /// buffer. Fuzzing feeds canned responses through the hooks with it.
    #[cfg(feature = "__fuzz")]
    pub(crate) fn to_reqwest(&self) -> reqwest::Response {
        let mut response = http::Response::new(self.body.clone());
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        reqwest::Response::from(response)
    }
}

/// Bodies can hold a contact's notes, so Debug shows only their size.
impl std::fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A successful update: the contact as the server returned it, with the
/// response's status and headers, and the values that did not fit their
/// types.
///
/// By default a value of the contact that does not fit its type (a count
/// sent as `"many"`, a timestamp without an offset, a `null` inside an array)
/// does not fail the call, since the update is applied by then: it is read
/// losslessly when it can be, else left out, and listed in
/// [`drift`](Self::drift). [`ClientBuilder::strict_responses`](crate::ClientBuilder::strict_responses)
/// makes any such value an [`Error::UndecodableResponse`](crate::Error::UndecodableResponse)
/// instead.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use talktohumans::mock::{MockServer, seed};
///
/// let mock = MockServer::start().await?;
/// let client = mock.client_builder().build()?;
/// let output = client.update_contact(seed::TOMAS_HERRERA).add_tag("Hot lead").send().await?;
/// assert_eq!(output.status, 200);
/// assert_eq!(output.attempts, 1);
/// assert!(output.request_id().is_some());
/// assert!(output.drift.is_empty());
/// assert!(output.contact.tags.iter().flatten().any(|t| t.name.as_deref() == Some("Hot lead")));
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct UpdateContactOutput {
    /// The full contact after the update.
    pub contact: Contact,
    /// The HTTP status (200 for the documented API).
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// How many requests the call made, retries included.
    pub attempts: u32,
    /// The values of the body that did not fit their types, in the order
    /// they were found; empty when the whole body fit. Everything else in
    /// [`contact`](Self::contact) is what the server sent.
    pub drift: Vec<ResponseDrift>,
    /// The body as it arrived; shares the buffer it was read into.
    pub(crate) raw_body: Bytes,
    /// [`extra_fields`](Self::extra_fields), read from the body when first
    /// asked for: most callers never do.
    pub(crate) extra: OnceLock<Map<String, Value>>,
}

/// The body can hold a contact's notes, and the contact is shown already,
/// so Debug shows only the body's size.
impl std::fmt::Debug for UpdateContactOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateContactOutput")
            .field("contact", &self.contact)
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("attempts", &self.attempts)
            .field("drift", &self.drift)
            .field("raw_body_len", &self.raw_body.len())
            .finish()
    }
}

impl UpdateContactOutput {
    /// The response body, byte for byte, as the server sent it: for
    /// logging, auditing, or decoding it into a type of your own.
    ///
    /// ```
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use talktohumans::mock::{MockServer, seed};
    ///
    /// let mock = MockServer::start().await?;
    /// let client = mock.client_builder().build()?;
    /// let output = client.update_contact(seed::TOMAS_HERRERA).add_tag("Hot lead").send().await?;
    /// let body: serde_json::Value = serde_json::from_slice(output.raw_body())?;
    /// assert_eq!(body["data"]["contact"]["contact_id"], seed::TOMAS_HERRERA);
    /// # Ok(())
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn raw_body(&self) -> &Bytes {
        &self.raw_body
    }

    /// The fields of the contact (`data.contact`) that the spec does not
    /// know, with their JSON values: what a server added after
    /// `openapi.yaml` was written, which [`contact`](Self::contact) cannot
    /// hold. Read from [`raw_body`](Self::raw_body) on the first call, then
    /// kept; empty when the server sent nothing more than the spec knows.
    ///
    /// ```
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use talktohumans::mock::{Fault, MockServer, seed};
    ///
    /// let mock = MockServer::start().await?;
    /// let newer = r#"{"data":{"contact":{"contact_id":"41236","lead_score":87}}}"#;
    /// mock.inject(1, Fault::status(http::StatusCode::OK).raw_body("application/json", newer));
    /// let client = mock.client_builder().build()?;
    /// let output = client.update_contact(seed::TOMAS_HERRERA).add_tag("x").send().await?;
    /// assert_eq!(output.extra_fields()["lead_score"], 87);
    /// assert!(!output.extra_fields().contains_key("contact_id"));
    /// # Ok(())
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn extra_fields(&self) -> &Map<String, Value> {
        self.extra
            .get_or_init(|| crate::extra_fields::extra_fields(&self.raw_body))
    }

    /// The request id from `x-request-id` or `request-id`, if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }
}

/// The wait a server asks for: `retry-after-ms` (milliseconds), else
/// `Retry-After` as whole seconds or as an HTTP date (measured from `now`).
///
/// A number too large for a `Duration` is `Duration::MAX`: still a hint, and
/// one above any cap, so the call gives up instead of ignoring it.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name| headers.get(name)?.to_str().ok().map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX));
    }
    let value = text("retry-after")?;
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn server_hints() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let at = |pairs: &[(&'static str, &str)]| retry_after(&headers(pairs), now);
        assert_eq!(
            at(&[("retry-after-ms", "1500")]),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            at(&[("retry-after-ms", "2.5")]),
            Some(Duration::from_micros(2500))
        );
        assert_eq!(at(&[("retry-after", "7")]), Some(Duration::from_secs(7)));
        assert_eq!(
            at(&[("retry-after-ms", "100"), ("retry-after", "7")]),
            Some(Duration::from_millis(100)),
            "retry-after-ms is the more precise hint"
        );
        let in_90s = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            at(&[("retry-after", &in_90s)]),
            Some(Duration::from_secs(90))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(at(&[("retry-after", &past)]), Some(Duration::ZERO));
        for junk in ["", "soon", "-1", "+1", "1e400", "NaN"] {
            assert_eq!(at(&[("retry-after", junk)]), None, "{junk:?}");
        }
        for junk in ["-5", "NaN", "inf"] {
            assert_eq!(at(&[("retry-after-ms", junk)]), None, "{junk:?}");
        }
        for huge in [
            ("retry-after", "99999999999999999999999"),
            ("retry-after-ms", "1e300"),
        ] {
            assert_eq!(at(&[huge]), Some(Duration::MAX), "{huge:?}");
        }
    }
}
