//! progenitor's client hooks: what every request gets before it goes out, and
//! how its response is kept for error reports.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::ResponseBuilderExt;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, USER_AGENT};

use crate::client_config::ClientConfig;
use crate::generated;
use crate::response::RawResponse;

/// The generated client's inner value: built for one request, so that the
/// raw response can be handed back to the layer whatever the generated code
/// makes of it.
#[derive(Clone, Debug)]
pub(crate) struct CallContext {
    pub(crate) shared: Arc<ClientConfig>,
    /// This attempt's time limit: the client's, or less when the call's
    /// deadline is nearer.
    pub(crate) timeout: Duration,
    /// The update's extra headers, checked when it was built.
    pub(crate) headers: Option<Arc<HeaderMap>>,
    pub(crate) response: OnceLock<RawResponse>,
    /// Set when the body passed the client's limit and was not read to its
    /// end; `response` then holds the start of it.
    pub(crate) too_large: OnceLock<BodyTooLarge>,
    /// Fuzzing only: the response `exec` hands on instead of sending the
    /// request (see `src/fuzzing.rs`).
    #[cfg(feature = "__fuzz")]
    pub(crate) canned: Option<RawResponse>,
}

impl CallContext {
    pub(crate) fn new(
        shared: Arc<ClientConfig>,
        timeout: Duration,
        headers: Option<Arc<HeaderMap>>,
    ) -> Self {
        Self {
            shared,
            timeout,
            headers,
            response: OnceLock::new(),
            too_large: OnceLock::new(),
            #[cfg(feature = "__fuzz")]
            canned: None,
        }
    }
}

/// A body that was not read to its end because it passed the limit.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyTooLarge {
    /// Bytes received before reading stopped (0 when the declared
    /// `Content-Length` was already past the limit).
    pub(crate) read: u64,
    pub(crate) limit: usize,
}

/// Made at compile time: a name given as a string is parsed again on every
/// request.
const API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// How much of a body that is too large is kept for the error: enough to
/// see what it is (an HTML error page, the start of a JSON document), and
/// little enough that many such errors held at once stay small.
const KEPT_PREFIX_BYTES: usize = 64 * 1024;

/// Reads `response`'s body up to `limit` bytes. `Err` with the start of the
/// body and the count read when it is longer: reading stops there, so an
/// endless body costs at most the limit plus one chunk.
async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
) -> reqwest::Result<Result<Bytes, (Bytes, BodyTooLarge)>> {
    let too_large = |kept: &[u8], read: u64| {
        let kept = Bytes::copy_from_slice(&kept[..kept.len().min(KEPT_PREFIX_BYTES)]);
        Err((kept, BodyTooLarge { read, limit }))
    };
    // A declared length past the limit is refused before anything is read.
    let declared = response.content_length();
    if declared.is_some_and(|length| length > limit as u64) {
        return Ok(too_large(&[], 0));
    }
    // One chunk is the usual case: hand it on without a copy.
    let Some(first) = response.chunk().await? else {
        return Ok(Ok(Bytes::new()));
    };
    if first.len() > limit {
        return Ok(too_large(&first, first.len() as u64));
    }
    let Some(second) = response.chunk().await? else {
        return Ok(Ok(first));
    };
    let capacity = declared.map_or(first.len() + second.len(), |length| length as usize);
    let mut body = BytesMut::with_capacity(capacity);
    body.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if body.len() + chunk.len() > limit {
            let read = (body.len() + chunk.len()) as u64;
            body.extend_from_slice(
                &chunk[..KEPT_PREFIX_BYTES
                    .saturating_sub(body.len())
                    .min(chunk.len())],
            );
            return Ok(too_large(&body, read));
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await?;
    }
    Ok(Ok(body.freeze()))
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
        headers.remove(&API_VERSION);
        // Before the crate's own, which replace any header of the same
        // name; building the input already refused those names.
        if let Some(extra) = &self.inner.headers {
            for (name, value) in extra.iter() {
                headers.append(name, value.clone());
            }
        }
        // progenitor ignores the spec's bearer scheme. The value is marked
        // sensitive, so reqwest and hyper leave it out of their Debug output.
        headers.insert(AUTHORIZATION, shared.authorization.clone());
        // Set here rather than on the reqwest client, so that a caller's own
        // reqwest client gets it too.
        headers.insert(USER_AGENT, shared.user_agent.clone());
        *request.timeout_mut() = Some(self.inner.timeout);
        Ok(())
    }

    /// Reads the whole body here and keeps the response, then hands the
    /// generated code the status and the same body bytes (shared, not
    /// copied). The generated code would otherwise drop the status of a body
    /// it cannot decode.
    ///
    /// What is handed on carries the request's URL, so that reqwest does not
    /// parse a placeholder one, and no headers: the kept response has them,
    /// and progenitor would copy them into its value only to be dropped.
    ///
    /// The body of a status that is not a success is not handed on: the
    /// error is made from the kept response.
    ///
    /// A body past the client's limit is not read further: the generated
    /// code gets an empty body, and the context says why, for `outcome` to
    /// turn into `Error::ResponseTooLarge` (reqwest has no error to return
    /// for it).
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
        let url = response.url().clone();
        // Taken, not cloned: reading the body consumes the response next.
        let headers = std::mem::take(response.headers_mut());
        let (kept, handed_on) =
            match read_body(&mut response, self.inner.shared.max_response_body).await? {
                // An error's body is read from the kept response, lazily
                // (`ApiError`): handed on, the generated code would parse it
                // whole into a `serde_json::Value`, at up to 16 times its
                // size, only for it to be dropped.
                Ok(body) if !status.is_success() => (body, Bytes::new()),
                Ok(body) => (body.clone(), body),
                Err((start, too_large)) => {
                    // The context is new for each request, so the cells are
                    // empty.
                    let _ = self.inner.too_large.set(too_large);
                    (start, Bytes::new())
                }
            };
        // Dropping the response before its end closes the connection, so the
        // rest of a body that is too large is never read.
        drop(response);
        let _ = self.inner.response.set(RawResponse {
            status,
            headers,
            body: kept,
        });
        // The builder fails only after a step that failed, and setting the
        // URL cannot; were it to, reqwest would parse its placeholder URL.
        let (parts, ()) = http::Response::builder()
            .url(url)
            .body(())
            .unwrap_or_default()
            .into_parts();
        let mut handed_on = http::Response::from_parts(parts, handed_on);
        *handed_on.status_mut() = status;
        Ok(reqwest::Response::from(handed_on))
    }
}
