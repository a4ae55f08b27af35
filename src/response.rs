//! What came back from the server: the decoded contact, and the raw response
//! that every error keeps.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

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

/// A response exactly as it arrived: status, headers and body bytes.
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
    /// buffer.
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
/// response's status and headers.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Updated {
    /// The full contact after the update.
    pub contact: Contact,
    /// The HTTP status (200 for the documented API).
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// How many requests the call made, retries included.
    pub attempts: u32,
}

impl Updated {
    pub(crate) fn after_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// The request id from `x-request-id` or `request-id`, if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }
}
