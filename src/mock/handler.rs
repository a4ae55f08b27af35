//! Request handling: the route, failure injection, the bearer key, and the
//! order in which a request is checked.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use crate::generated::types::{UpdateContactData, UpdateContactResponse};
use crate::mock::error::{Rejection, json_response};
use crate::mock::faults::{Disconnect, broken_off};
use crate::mock::request::{check_contact_id, is_json_content_type, parse};
use crate::mock::state::{MAX_BODY_BYTES, ReceivedRequest, ServerState};

/// The route of the one operation.
pub(crate) const ROUTE: &str = "/v1/contacts/{contact_id}";

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The mock's routes, with every request going through [`intake`] first.
pub(crate) fn router(shared: Arc<ServerState>) -> Router {
    Router::new()
        .route(ROUTE, any(update_contact))
        .fallback(unknown_route)
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), intake))
        .with_state(shared)
}

/// Counts and records every request, gives it a request id, applies the
/// next queued fault, then the capacity.
async fn intake(State(shared): State<Arc<ServerState>>, request: Request, next: Next) -> Response {
    let number = shared.next_request_number();
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await;
    shared.record(ReceivedRequest {
        method: parts.method.clone(),
        path: parts
            .uri
            .path_and_query()
            .map(ToString::to_string)
            .unwrap_or_default(),
        headers: parts.headers.clone(),
        body: body.as_ref().cloned().unwrap_or_default(),
    });
    let fault = shared.faults.take();
    if let Some(delay) = fault.as_ref().and_then(|f| f.delay) {
        tokio::time::sleep(delay).await;
    }
    let disconnect = fault.as_ref().and_then(|f| f.disconnect);
    if disconnect == Some(Disconnect::BeforeHandling) {
        return broken_off(Response::new(Body::empty()));
    }
    let answer = fault.and_then(|f| f.answer);
    // After the faults, so that an injected answer costs no token; before
    // everything else, as a gateway's limiter in front of the API would be.
    let over_capacity = match (&answer, &shared.capacity) {
        (None, Some(capacity)) => capacity.take().err().map(|wait| capacity.refusal(wait)),
        _ => None,
    };
    let mut response = match (answer, over_capacity, body) {
        (Some(answer), _, _) => answer.into_response(),
        (None, Some(refusal), _) => refusal,
        (None, None, Ok(body)) => next.run(Request::from_parts(parts, Body::from(body))).await,
        (None, None, Err(_)) => Rejection::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the request body could not be read or is larger than {MAX_BODY_BYTES} bytes"),
        )
        .into_response(),
    };
    if let Ok(id) = HeaderValue::try_from(format!("mock-{number}")) {
        response.headers_mut().insert(REQUEST_ID, id);
    }
    match disconnect {
        Some(Disconnect::AfterHandling) => broken_off(response),
        _ => response,
    }
}

/// `PATCH /v1/contacts/{contact_id}`.
///
/// Checked in this order, the first failure answering: method (405), bearer
/// key (401), contact id (422), content type (400), body syntax (400), body
/// schema (422), contact (404), account (404 or 422), notes and tag rules
/// (422).
async fn update_contact(
    State(shared): State<Arc<ServerState>>,
    method: Method,
    headers: HeaderMap,
    contact_id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match handle(&shared, &method, &headers, contact_id, body) {
        Ok(response) => response,
        Err(rejection) => rejection.into_response(),
    }
}

fn handle(
    shared: &ServerState,
    method: &Method,
    headers: &HeaderMap,
    contact_id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Rejection> {
    if method != Method::PATCH {
        return Err(Rejection::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{method} is not allowed here; use PATCH"),
        ));
    }
    check_bearer(headers, &shared.api_key)?;
    let Path(contact_id) = contact_id.map_err(|_| {
        Rejection::unprocessable(
            "invalid_contact_id",
            "the contact id is not valid UTF-8 text",
        )
    })?;
    check_contact_id(&contact_id)?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !is_json_content_type(content_type) {
        return Err(Rejection::bad_request(
            "unsupported_content_type",
            "the request body must be sent as Content-Type: application/json",
        ));
    }
    let body = body.map_err(|_| {
        Rejection::bad_request("malformed_json", "the request body could not be read")
    })?;
    let update = parse(&body)?;
    let contact = shared.store().apply(&contact_id, &update)?;
    let response = UpdateContactResponse {
        data: UpdateContactData {
            contact: Some(contact),
        },
    };
    let body = serde_json::to_vec(&response).map_err(|e| {
        Rejection::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            format!("the contact could not be serialized: {e}"),
        )
    })?;
    Ok(json_response(StatusCode::OK, body))
}

/// `Authorization: Bearer <key>`: the scheme in any case, then the key
/// exactly.
fn check_bearer(headers: &HeaderMap, api_key: &str) -> Result<(), Rejection> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(Rejection::unauthorized(
            "missing Authorization header; send Authorization: Bearer <api_key>",
        ));
    };
    let key = value
        .to_str()
        .ok()
        .and_then(|text| text.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim_start_matches(' '));
    match key {
        Some(key) if key == api_key => Ok(()),
        Some(_) => Err(Rejection::unauthorized("the API key is not valid")),
        None => Err(Rejection::unauthorized(
            "the Authorization header is not of the form Bearer <api_key>",
        )),
    }
}

/// Any other path.
async fn unknown_route(method: Method, uri: http::Uri) -> Response {
    let path: String = uri.path().chars().take(200).collect();
    Rejection::not_found(
        "not_found",
        format!("no route for {method} {path}; the mock serves PATCH {ROUTE}"),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn bearer_keys() {
        assert!(check_bearer(&with_auth("Bearer k1"), "k1").is_ok());
        assert!(check_bearer(&with_auth("bearer  k1"), "k1").is_ok());
        for wrong in [
            "Bearer k2",
            "Bearer",
            "Basic k1",
            "k1",
            "Bearer k1x",
            "Bearer ",
        ] {
            let rejection = check_bearer(&with_auth(wrong), "k1").unwrap_err();
            assert_eq!(rejection.status, StatusCode::UNAUTHORIZED, "{wrong}");
        }
        let mut binary = HeaderMap::new();
        binary.insert(
            AUTHORIZATION,
            HeaderValue::from_bytes(b"Bearer \xff").unwrap(),
        );
        assert!(check_bearer(&binary, "k1").is_err());
        assert!(check_bearer(&HeaderMap::new(), "k1").is_err());
    }
}
