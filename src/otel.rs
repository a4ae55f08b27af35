//! OpenTelemetry's names for the fields of the call and attempt spans, from
//! its semantic conventions for HTTP clients, recorded beside the crate's
//! own (`status`, `request_id`, `duration_ms`, `attempts`), so that
//! dashboards built on either keep working.
//!
//! Numbers are recorded as `i64`: the conventions type them as integers,
//! and tracing-opentelemetry exports a `u64` as text.
//!
//! Only what a span that is enabled needs is computed: a disabled span (no
//! subscriber, or one that filters the crate out) costs no parsing and no
//! text.

use reqwest::StatusCode;

use crate::error::Error;

/// `http.request.method`: the endpoint's only method.
pub(crate) const METHOD: &str = "PATCH";

/// Records `server.address`, `server.port` and `url.full` of a request to
/// `contact_id`. The URL holds no secret: the key goes in a header, and a
/// base URL with credentials, a query or a fragment is refused when the
/// client is built.
pub(crate) fn record_target(span: &tracing::Span, base_url: &str, contact_id: &str) {
    if span.is_disabled() {
        return;
    }
    if let Ok(url) = reqwest::Url::parse(base_url) {
        if let Some(host) = url.host_str() {
            span.record("server.address", host);
        }
        if let Some(port) = url.port_or_known_default() {
            span.record("server.port", i64::from(port));
        }
    }
    span.record(
        "url.full",
        tracing::field::display(format_args!("{base_url}/v1/contacts/{contact_id}")),
    );
}

/// Records `http.response.status_code`.
pub(crate) fn record_status(span: &tracing::Span, status: StatusCode) {
    span.record("http.response.status_code", i64::from(status.as_u16()));
}

/// Records `http.request.resend_count` for attempt number `attempt` (from
/// 1): the conventions set it only on a request sent again.
pub(crate) fn record_resends(span: &tracing::Span, attempt: u32) {
    if attempt > 1 {
        span.record("http.request.resend_count", i64::from(attempt - 1));
    }
}

/// Records `error.type`: the status code for an answer of 400 or more, as
/// the conventions ask, else a short name of the kind of failure, with as
/// few distinct values as the crate has error kinds.
pub(crate) fn record_error(span: &tracing::Span, error: &Error) {
    match error.status() {
        Some(status) if status.as_u16() >= 400 => {
            span.record("error.type", status.as_str());
        }
        _ => {
            span.record("error.type", error_type(error));
        }
    }
}

fn error_type(error: &Error) -> &'static str {
    match error {
        Error::InvalidInput(_) => "invalid_input",
        Error::Config(_) => "config",
        Error::NotSent(_) => "not_sent",
        Error::Api(_) => "api",
        Error::UndecodableResponse(_) => "undecodable_response",
        Error::ResponseTooLarge(_) => "response_too_large",
        Error::Timeout { .. } => "timeout",
        Error::Transport { .. } => "transport",
    }
}
