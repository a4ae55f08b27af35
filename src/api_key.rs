//! The API key, held so that it cannot leak through formatting.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A talktohumans.app API key.
///
/// Its `Debug` output is `ApiKey(<redacted>)` and it has no `Display`, so it
/// cannot end up in logs or error messages by accident; its memory is zeroed
/// when dropped.
///
/// ```
/// let key = talktohumans::ApiKey::new("tth_live_secret");
/// assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
/// ```
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(SecretString::from(key.into()))
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        Self::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        Self::new(key)
    }
}
