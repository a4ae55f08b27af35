//! progenitor's client hooks: what every request gets before it goes out, and
//! how its response is kept for error reports.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{AUTHORIZATION, USER_AGENT};

use crate::client::Shared;
use crate::generated;
use crate::response::RawResponse;

/// The generated client's inner value: built for one request, so that the
/// raw response can be handed back to the layer whatever the generated code
/// makes of it.
#[derive(Clone, Debug)]
pub(crate) struct CallContext {
    pub(crate) shared: Arc<Shared>,
    /// This attempt's time limit: the client's, or less when the call's
    /// deadline is nearer.
    pub(crate) timeout: Duration,
    pub(crate) response: OnceLock<RawResponse>,
    /// Fuzzing only: the response `exec` hands on instead of sending the
    /// request (see `src/fuzzing.rs`).
    #[cfg(feature = "__fuzz")]
    pub(crate) canned: Option<RawResponse>,
}

impl CallContext {
    pub(crate) fn new(shared: Arc<Shared>, timeout: Duration) -> Self {
        Self {
            shared,
            timeout,
            response: OnceLock::new(),
            #[cfg(feature = "__fuzz")]
            canned: None,
        }
    }
}

impl ClientHooks<CallContext> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let shared = &self.inner.shared;
        let headers = request.headers_mut();
        // progenitor sends `api-version` (from info.version) on every request
        // and has no setting to stop it; the API does not document it, so it
        // does not go out.
        headers.remove("api-version");
        // progenitor ignores the spec's bearer scheme. The value is marked
        // sensitive, so reqwest and hyper leave it out of their Debug output.
        headers.insert(AUTHORIZATION, shared.authorization.clone());
        // Set here rather than on the reqwest client, so that a caller's own
        // reqwest client gets it too.
        headers.insert(USER_AGENT, shared.user_agent.clone());
        *request.timeout_mut() = Some(self.inner.timeout);
        Ok(())
    }

    /// Reads the whole body here, keeps a copy of the response, and hands the
    /// generated code an identical response built from the same bytes (the
    /// copy shares the buffer). The generated code would otherwise drop the
    /// status of a body it cannot decode.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        #[cfg(feature = "__fuzz")]
        let mut response = match &self.inner.canned {
            Some(canned) => canned.to_reqwest(),
            None => self.client.execute(request).await?,
        };
        #[cfg(not(feature = "__fuzz"))]
        let mut response = self.client.execute(request).await?;
        let status = response.status();
        // Taken, not cloned: the response is consumed by `bytes` next.
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await?;

        let raw = RawResponse {
            status,
            headers,
            body,
        };
        let handed_on = raw.to_reqwest();
        // The context is new for each request, so the cell is empty.
        let _ = self.inner.response.set(raw);
        Ok(handed_on)
    }
}
