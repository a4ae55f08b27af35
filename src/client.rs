//! The client: one connection pool, the API key, and the call itself.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use tokio::time::Instant;
use tracing::Instrument;

use crate::client_config::ClientConfig;
use crate::decode::{self, ResponseDrift};
use crate::error::{ApiError, Error, ResponseTooLarge, UndecodableResponse};
use crate::generated;
use crate::generated::types::Contact;
use crate::hooks::{BodyTooLarge, CallContext};
use crate::input::UpdateContactInput;
use crate::observe::{AttemptResponse, AttemptStart, CallEnd, RetryScheduled};
use crate::otel;
use crate::pacing::Pacer;
use crate::preview::preview;
use crate::response::{RawResponse, UpdateContactOutput};
use crate::retry::Decision;

/// A talktohumans.app API client.
///
/// Cheap to clone (the clones share one connection pool) and `Send + Sync`.
/// Its `Debug` output never shows the API key.
///
/// ```no_run
/// # async fn run() -> Result<(), talktohumans::Error> {
/// use talktohumans::{Client, Tag};
///
/// let client = Client::builder().api_key("tth_live_...").build()?;
/// let output = client
///     .update_contact("123")
///     .account_id("42")
///     .add_tag(Tag::new("Hot lead").with_color("red"))
///     .remove_tag("Old tag")
///     .notes(&serde_json::json!({"stage": "demo"}))
///     .send()
///     .await?;
/// println!("{:?}", output.contact.tags);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) shared: Arc<ClientConfig>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shared.fmt(f)
    }
}

impl Client {
    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Sends a checked update, retrying as the [`RetryPolicy`](crate::RetryPolicy) allows, and
    /// returns the updated contact with the response's status and headers.
    ///
    /// ```no_run
    /// # async fn run(client: talktohumans::Client) -> Result<(), talktohumans::Error> {
    /// use talktohumans::UpdateContactInput;
    ///
    /// let input = UpdateContactInput::builder("123").clear_tags().build()?;
    /// let output = client.send(&input).await?;
    /// assert!(output.contact.tags.unwrap_or_default().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Each call is a `tracing` span `talktohumans.update_contact` (contact
    /// id, attempts, status, request id, duration); each attempt a span
    /// within it. Bodies are logged only at TRACE level, cut short; the
    /// `Authorization` header never is.
    pub async fn send(&self, update: &UpdateContactInput) -> Result<UpdateContactOutput, Error> {
        self.send_paced(update, None).await
    }

    /// [`send`](Self::send), holding each attempt back while `pacer` says the
    /// batch it belongs to must wait.
    ///
    /// The retry loop and the call's span live in this one function, and each
    /// attempt is one more ([`attempt`](Self::attempt)): bulk keeps one such
    /// future per request in flight, so every nested layer would be state
    /// held, and a contact moved, per update.
    pub(crate) async fn send_paced(
        &self,
        update: &UpdateContactInput,
        pacer: Option<&Pacer>,
    ) -> Result<UpdateContactOutput, Error> {
        let span = tracing::info_span!(
            "talktohumans.update_contact",
            operation = "update_contact",
            contact_id = %update.contact_id(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            http.request.method = otel::METHOD,
            server.address = tracing::field::Empty,
            server.port = tracing::field::Empty,
            url.full = tracing::field::Empty,
            http.response.status_code = tracing::field::Empty,
            http.request.resend_count = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        otel::record_target(&span, &self.shared.base_url, update.contact_id().as_str());
        let started = Instant::now();
        let options = update.options();
        let changed_policy;
        let policy = match options.max_retries {
            Some(retries) => {
                changed_policy = self.shared.retry.clone().max_retries(retries);
                &changed_policy
            }
            None => &self.shared.retry,
        };
        let limit = options.deadline.unwrap_or(self.shared.deadline);
        let attempt_timeout = options
            .attempt_timeout
            .unwrap_or(self.shared.attempt_timeout);
        // Set at the first attempt: in a batch, the time an update waits in
        // line before it is first sent is the batch's, not the update's, and
        // counting it would leave a late update no time at all. The inner
        // `None`: so far ahead that `Instant` cannot hold it (a deadline of
        // `Duration::MAX`), which is no deadline at all. tokio's `Instant`,
        // the same as the standard one unless a test pauses the clock, so
        // that deadline tests take no real time.
        let mut first_deadline: Option<Option<Instant>> = None;
        // Made at the first failure: most calls never need it.
        let mut schedule = None;
        let mut attempts = 0;
        // The 429s this update got in a row, and the batch's successes
        // when the last of them came.
        let mut throttled_in_a_row = 0u32;
        let mut successes_seen = 0;
        // The error of the attempt before, while a retry waits for its turn.
        let mut last_error: Option<Error> = None;
        let result = loop {
            let admission = match pacer {
                Some(pacer) => match pacer.admit().await {
                    Ok(admission) => Some(admission),
                    // The batch was stopped: nothing more goes out. An update
                    // never sent says so; one that was sent ends with what its
                    // last attempt got, since that attempt may have been
                    // applied.
                    Err(reason) => break Err(last_error.take().unwrap_or(Error::NotSent(reason))),
                },
                None => None,
            };
            let deadline = *first_deadline.get_or_insert_with(|| Instant::now().checked_add(limit));
            let left = deadline.map_or(Duration::MAX, |at| {
                at.saturating_duration_since(Instant::now())
            });
            // A retry admitted only once the deadline has passed is not sent:
            // it would time out at once, and the pacer would read that as
            // an overloaded server. Dropping the admission teaches it nothing.
            if left.is_zero()
                && let Some(error) = last_error.take()
            {
                break Err(error);
            }
            attempts += 1;
            // An attempt whose time the deadline cut short says nothing
            // about the server's load when it times out.
            let cut_short = left < attempt_timeout;
            let context = CallContext::new(
                Arc::clone(&self.shared),
                attempt_timeout.min(left),
                options.headers.clone(),
            );
            // In a block of its own, so that the result's storage ends
            // here: a local that lives on to the waits below would be held
            // in the call's future, result and all, for the whole call.
            let error = {
                let result = self.attempt(update, attempts, context, &span).await;
                if let Some(admission) = admission {
                    admission.finish(&result, cut_short);
                }
                match result {
                    Ok(updated) => break Ok(updated),
                    Err(error) => error,
                }
            };
            // A quota used up for longer than the policy waits stops the
            // whole batch: every update would get the same answer, and each
            // request for it is one more against the quota.
            if let Some(pacer) = pacer
                && let Some(reason) = policy.quota_exhausted(&error)
            {
                pacer.stop(reason);
                break Err(error);
            }
            let throttled = error.status() == Some(StatusCode::TOO_MANY_REQUESTS);
            // In a batch, a 429 is the pacer's business: it has cut the
            // batch's rate, and the next turn waits with the whole batch. So
            // it does not use up one of the update's retries, which the first
            // 429s of a batch that starts faster than the server allows
            // would otherwise exhaust. The deadline still bounds the call,
            // and retries turned off stay off.
            //
            // Only while the batch moves, though: a server that refuses
            // everything would otherwise be asked again and again until the
            // deadline. An update that gets more 429s in a row than the
            // batch allows, with no success in the batch between them, fails.
            let free_retry = match pacer {
                Some(pacer) if throttled && policy.retries() > 0 => {
                    let successes = pacer.successes();
                    if successes != successes_seen {
                        successes_seen = successes;
                        throttled_in_a_row = 0;
                    }
                    throttled_in_a_row += 1;
                    if throttled_in_a_row > pacer.max_throttled_retries() {
                        break Err(error);
                    }
                    true
                }
                _ => false,
            };
            let backoff = if free_retry {
                policy.first_backoff()
            } else {
                let schedule = schedule.get_or_insert_with(|| policy.schedule());
                match schedule.next_backoff() {
                    Some(backoff) => backoff,
                    None => break Err(error),
                }
            };
            let wait = match policy.decide(&error, backoff) {
                Decision::RetryAfter(wait) => wait,
                Decision::Stop => break Err(error),
            };
            let past_deadline =
                |at: Instant| Instant::now().checked_add(wait).is_none_or(|t| t >= at);
            if deadline.is_some_and(past_deadline) {
                break Err(error);
            }
            tracing::info!(parent: &span, attempt = attempts, wait_ms = wait.as_millis() as u64, error = %error, "retrying");
            if !self.shared.observers.is_empty() {
                let event = RetryScheduled {
                    contact_id: update.contact_id(),
                    attempt: attempts,
                    error: &error,
                    wait,
                };
                self.shared
                    .observers
                    .each(|observer| observer.on_retry_scheduled(&event));
            }
            match pacer {
                // The next loop turn waits at the pacer, with the whole batch.
                Some(pacer) if throttled => pacer.pause_for(wait),
                // A stopped batch does not wait out a backoff: the next turn
                // ends the call with this error.
                Some(pacer) => {
                    let sleep = std::pin::pin!(tokio::time::sleep(wait));
                    let stopped = std::pin::pin!(pacer.until_stopped());
                    futures_util::future::select(sleep, stopped).await;
                }
                None => tokio::time::sleep(wait).await,
            }
            last_error = Some(error);
        };
        span.record("attempts", attempts);
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        let (status, request_id) = match &result {
            Ok(updated) => (Some(updated.status), updated.request_id()),
            Err(error) => (error.status(), error.request_id()),
        };
        if let Some(status) = status {
            span.record("status", status.as_u16());
            otel::record_status(&span, status);
        }
        otel::record_resends(&span, attempts);
        if let Err(error) = &result {
            otel::record_error(&span, error);
        }
        if let Some(id) = request_id {
            span.record("request_id", id);
        }
        if !self.shared.observers.is_empty() {
            let event = CallEnd {
                contact_id: update.contact_id(),
                result: result.as_ref(),
                attempts,
                duration: started.elapsed(),
                drift: result.as_ref().map_or(&[], |output| &output.drift),
            };
            self.shared
                .observers
                .each(|observer| observer.on_call_end(&event));
        }
        result
    }

    /// One request, with every outcome mapped to the crate's error, counted
    /// as attempt number `attempt` of the call whose span is `call`.
    pub(crate) async fn attempt(
        &self,
        update: &UpdateContactInput,
        attempt: u32,
        context: CallContext,
        call: &tracing::Span,
    ) -> Result<UpdateContactOutput, Error> {
        // The call's span is the parent by name rather than by instrumenting
        // the whole call, which would wrap the loop in one more future.
        let span = tracing::debug_span!(
            parent: call,
            "attempt",
            attempt,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            http.request.method = otel::METHOD,
            server.address = tracing::field::Empty,
            server.port = tracing::field::Empty,
            url.full = tracing::field::Empty,
            http.response.status_code = tracing::field::Empty,
            http.request.resend_count = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        if !span.is_disabled() {
            otel::record_target(&span, &self.shared.base_url, update.contact_id().as_str());
            otel::record_resends(&span, attempt);
        }
        // Only with observers: the URL is made, and the clock read, for
        // them alone.
        let sent = (!self.shared.observers.is_empty()).then(|| {
            let url = format!(
                "{}/v1/contacts/{}",
                self.shared.base_url,
                update.contact_id().as_str()
            );
            let event = AttemptStart {
                contact_id: update.contact_id(),
                attempt,
                method: &Method::PATCH,
                url: &url,
            };
            self.shared
                .observers
                .each(|observer| observer.on_attempt_start(&event));
            Instant::now()
        });
        let generated = generated::Client::new_with_client(
            &self.shared.base_url,
            self.shared.http.clone(),
            context,
        );
        if tracing::enabled!(tracing::Level::TRACE) {
            let body = update.body_json();
            tracing::trace!(parent: &span, body = %preview(&body, LOGGED_BODY_CHARS), "request");
        }
        let result = generated
            .update_contact(update.contact_id().generated(), update.body())
            .instrument(span.clone())
            .await;
        let too_large = generated.inner.too_large.into_inner();
        let raw = generated.inner.response.into_inner();
        if let Some(raw) = &raw {
            span.record("status", raw.status.as_u16());
            otel::record_status(&span, raw.status);
            if let Some(id) = raw.request_id() {
                span.record("request_id", id);
            }
            if let Some(sent) = sent {
                let event = AttemptResponse {
                    contact_id: update.contact_id(),
                    attempt,
                    status: raw.status,
                    headers: &raw.headers,
                    duration: sent.elapsed(),
                };
                self.shared
                    .observers
                    .each(|observer| observer.on_response(&event));
            }
            if tracing::enabled!(tracing::Level::TRACE) {
                let body = String::from_utf8_lossy(&raw.body);
                tracing::trace!(parent: &span, body = %preview(&body, LOGGED_BODY_CHARS), "response");
            }
        }
        let result = outcome(
            result,
            raw,
            too_large,
            attempt,
            self.shared.strict_responses,
        );
        if let Err(error) = &result {
            otel::record_error(&span, error);
        }
        result
    }
}

/// How much of a body a TRACE event shows.
const LOGGED_BODY_CHARS: usize = 1024;

type GeneratedResult = Result<
    progenitor_client::ResponseValue<generated::types::UpdateContactResponse>,
    progenitor_client::Error<generated::types::ErrorBody>,
>;

/// Maps what the generated method returned, and the response the hooks kept,
/// to the crate's result.
fn outcome(
    result: GeneratedResult,
    raw: Option<RawResponse>,
    too_large: Option<BodyTooLarge>,
    attempts: u32,
    strict: bool,
) -> Result<UpdateContactOutput, Error> {
    use progenitor_client::Error as E;

    let raw = match (raw, too_large) {
        // Whatever the generated code made of the empty body it was handed.
        (Some(response), Some(too_large)) => {
            return Err(Error::ResponseTooLarge(Box::new(ResponseTooLarge {
                response,
                read: too_large.read,
                limit: too_large.limit,
                attempts,
            })));
        }
        (raw, _) => raw,
    };
    let error = match result {
        Ok(value) => {
            // The exec hook keeps every response that arrives before the
            // generated code sees it, so this fallback is never taken; it
            // would only lose the headers, which the hook keeps for itself.
            let raw = raw.unwrap_or_else(|| RawResponse {
                status: value.status(),
                headers: value.headers().clone(),
                body: Default::default(),
            });
            return match decode::contact_of(value.into_inner()) {
                Ok(contact) => Ok(output(raw, contact, Vec::new(), attempts)),
                Err(reason) => Err(undecodable(raw, reason, attempts)),
            };
        }
        Err(error) => error,
    };
    let Some(raw) = raw else {
        // No response arrived: the request failed on the way out or in.
        return Err(match error {
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e)
                if e.is_timeout() =>
            {
                Error::Timeout {
                    attempts,
                    source: e,
                }
            }
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                Error::Transport {
                    attempts,
                    source: e,
                }
            }
            // The generated method builds its request with reqwest alone, so a
            // failure there is one of the arms above; the hooks return no
            // error of their own; and every other variant is made from a
            // response, which the exec hook keeps before the generated code
            // sees it.
            E::InvalidRequest(_)
            | E::Custom(_)
            | E::ErrorResponse(_)
            | E::InvalidResponsePayload(..)
            | E::UnexpectedResponse(_) => {
                unreachable!("no response was kept, yet the error is not reqwest's")
            }
        });
    };
    if !raw.status.is_success() {
        return Err(Error::Api(Box::new(ApiError::new(raw, attempts))));
    }
    // Any success applied the update, so its contact is worth reading even
    // when the generated code decodes only the documented 200.
    let decoded = match error {
        E::InvalidResponsePayload(_, typed_error) if strict => Err(typed_error.to_string()),
        E::InvalidResponsePayload(_, typed_error) => decode::tolerant(&raw.body, &typed_error),
        _ => decode::success_body(&raw.body, strict),
    };
    match decoded {
        Ok((contact, drift)) => {
            if !drift.is_empty() {
                // Paths and types only: values can be a contact's data, which
                // is logged at TRACE level alone.
                let paths: Vec<String> = drift
                    .iter()
                    .map(|d| format!("{} (expected {})", d.path(), d.expected()))
                    .collect();
                tracing::warn!(
                    count = drift.len(),
                    values = %paths.join(", "),
                    "the update was applied, but values of the response did not fit their types; they were left out or read losslessly"
                );
            }
            Ok(output(raw, contact, drift, attempts))
        }
        Err(reason) if raw.status == StatusCode::OK => Err(undecodable(raw, reason, attempts)),
        Err(reason) => {
            let reason = format!(
                "HTTP {} is not the documented 200, and {reason}",
                raw.status
            );
            Err(undecodable(raw, reason, attempts))
        }
    }
}

fn output(
    raw: RawResponse,
    contact: Contact,
    drift: Vec<ResponseDrift>,
    attempts: u32,
) -> UpdateContactOutput {
    UpdateContactOutput {
        contact,
        status: raw.status,
        headers: raw.headers,
        attempts,
        drift,
        raw_body: raw.body,
        extra: OnceLock::new(),
    }
}

fn undecodable(response: RawResponse, reason: String, attempts: u32) -> Error {
    Error::UndecodableResponse(Box::new(UndecodableResponse {
        response,
        reason,
        attempts,
    }))
}
