//! Per-request options: what one update may change of the client's settings
//! (retries, deadline, attempt timeout) and the headers it adds.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::InvalidInput;

/// Headers the crate or the HTTP layer writes itself. An extra header with
/// one of these names would replace or duplicate them: a second
/// `Authorization` could send another key, a `Content-Length` that does not
/// match the body would desynchronise the connection, and the hop-by-hop
/// ones belong to the connection, not to the request.
const RESERVED: [&str; 15] = [
    "authorization",
    "proxy-authorization",
    "content-type",
    "content-length",
    "content-encoding",
    "accept",
    "host",
    "user-agent",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "upgrade",
    "expect",
];

/// Per-call overrides of the client's settings, and the headers the update
/// adds to each of its requests.
#[derive(Debug, Clone, Default)]
pub(crate) struct SendOptions {
    pub(crate) max_retries: Option<u32>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    /// Checked, and shared: each attempt of a retried update, and each
    /// clone of the input, adds the same headers without copying them.
    pub(crate) headers: Option<Arc<HeaderMap>>,
}

/// The extra headers as given, checked when the input is built: a builder
/// never fails before `build`.
#[derive(Debug, Clone, Default)]
pub(crate) struct PendingHeaders(Vec<(String, Vec<u8>)>);

impl PendingHeaders {
    pub(crate) fn push(&mut self, name: String, value: Vec<u8>) {
        self.0.push((name, value));
    }

    /// The headers, or the first one that may not be sent. A name given
    /// twice is sent twice, as HTTP allows.
    pub(crate) fn check(self) -> Result<Option<Arc<HeaderMap>>, InvalidInput> {
        if self.0.is_empty() {
            return Ok(None);
        }
        let mut headers = HeaderMap::with_capacity(self.0.len());
        for (name, value) in self.0 {
            let parsed =
                HeaderName::try_from(name.as_str()).map_err(|_| InvalidInput::InvalidHeader {
                    name: name.clone(),
                    reason: "not a valid header name".to_owned(),
                })?;
            if RESERVED.contains(&parsed.as_str()) {
                return Err(InvalidInput::ReservedHeader {
                    name: parsed.as_str().to_owned(),
                });
            }
            let mut value =
                HeaderValue::from_bytes(&value).map_err(|_| InvalidInput::InvalidHeader {
                    name: name.clone(),
                    reason: "its value holds a control character or a line break".to_owned(),
                })?;
            // A tenant token or a signature is as secret as the key: kept
            // out of reqwest's and hyper's Debug output.
            value.set_sensitive(true);
            headers.append(parsed, value);
        }
        Ok(Some(Arc::new(headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pairs: &[(&str, &str)]) -> Result<Option<Arc<HeaderMap>>, InvalidInput> {
        let mut pending = PendingHeaders::default();
        for (name, value) in pairs {
            pending.push((*name).to_owned(), value.as_bytes().to_vec());
        }
        pending.check()
    }

    #[test]
    fn every_header_the_crate_or_the_connection_owns_is_refused_in_any_case() {
        for name in RESERVED {
            for spelled in [name.to_owned(), name.to_ascii_uppercase()] {
                assert_eq!(
                    check(&[("x-ok", "1"), (&spelled, "v")]).unwrap_err(),
                    InvalidInput::ReservedHeader {
                        name: name.to_owned()
                    },
                    "{spelled}"
                );
            }
        }
    }

    #[test]
    fn malformed_names_and_values_are_refused_without_showing_the_value() {
        let error = check(&[("bad name", "v")]).unwrap_err();
        assert!(
            matches!(error, InvalidInput::InvalidHeader { ref name, .. } if name == "bad name")
        );
        let error = check(&[("x-token", "secret\r\nx-injected: 1")]).unwrap_err();
        assert!(matches!(error, InvalidInput::InvalidHeader { ref name, .. } if name == "x-token"));
        assert!(!error.to_string().contains("secret"), "{error}");
    }

    #[test]
    fn headers_keep_their_order_and_repeats() {
        let headers = check(&[("X-Tenant", "a"), ("x-trace", "t"), ("x-tenant", "b")])
            .unwrap()
            .unwrap();
        let tenants: Vec<_> = headers.get_all("x-tenant").iter().collect();
        assert_eq!(tenants, ["a", "b"]);
        assert!(headers.get("x-trace").unwrap().is_sensitive());
        assert_eq!(check(&[]).unwrap(), None);
    }
}
