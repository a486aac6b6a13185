//! `Idempotency-Key` on every POST: the first completed response for
//! (API key, Idempotency-Key) is stored and replayed byte for byte on a retry,
//! with `Idempotent-Replayed: true`.
//!
//! - the same key with a different request (method, path, query or body) is `422`;
//! - a retry while the first request is in flight is `409` with `Retry-After`;
//! - a first request that fails in a way worth retrying (`5xx`, `408`, `429`)
//!   gives the key up, so the retry runs afresh;
//! - handlers whose side effects must happen exactly once (evaluation
//!   records) complete the key themselves in the same transaction as the
//!   side effect and mark their response [`Completed`].

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use super::extract::buffered;
use super::middleware::{render_problem, RequestId};
use super::problem::{ApiError, Problem};
use super::AppState;
use crate::store::{Claim, ClaimOutcome, Completion, Principal, StoredResponse};

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The response header marking a replay.
pub const REPLAYED: &str = "idempotent-replayed";
/// Longest key accepted.
const MAX_KEY_LEN: usize = 255;
/// Longest response body stored for replay.
const MAX_STORED_BODY: usize = 16 * 1024 * 1024;

/// Marks a response whose idempotency key the handler already completed.
#[derive(Debug, Clone, Copy)]
pub struct Completed;

/// Claims, replays or refuses a POST carrying an `Idempotency-Key`; every
/// other request passes straight through.
pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(value) = request.headers().get(IDEMPOTENCY_KEY) else {
        return next.run(request).await;
    };
    let key = match value.to_str() {
        Ok(key)
            if !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            key.to_owned()
        }
        _ => return ApiError::InvalidIdempotencyKey.into_response(),
    };
    let Some(principal) = request.extensions().get::<Principal>().cloned() else {
        return ApiError::Internal(anyhow::anyhow!("idempotency ran before authentication")).into_response();
    };
    let path = request.uri().path().to_owned();
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let target = request
        .uri()
        .path_and_query()
        .map_or("", |p| p.as_str())
        .to_owned();
    let (mut request, body) = match buffered(request).await {
        Ok(read) => read,
        Err(err) => return err.into_response(),
    };
    let fingerprint = fingerprint(&target, &body);
    let config = &state.config;
    let outcome = state
        .store
        .claim_idempotency(
            &principal.key_id,
            &key,
            &fingerprint,
            config.idempotency_lease,
            config.idempotency_ttl,
        )
        .await;
    let claim = match outcome {
        Err(err) => return ApiError::from(err).into_response(),
        Ok(ClaimOutcome::Replay(stored)) => return replay(stored),
        Ok(ClaimOutcome::InFlight) => return ApiError::IdempotencyInProgress(key).into_response(),
        Ok(ClaimOutcome::Mismatch) => return ApiError::IdempotencyKeyReused(key).into_response(),
        Ok(ClaimOutcome::Claimed(claim)) => claim,
    };
    request.extensions_mut().insert(claim.clone());
    let response = next.run(request).await;
    if response.extensions().get::<Completed>().is_some() {
        return response;
    }
    finish(&state, &claim, response, &path, &request_id).await
}

/// Stores a handler's response for replay, or gives the key up when the
/// response says to retry.
async fn finish(
    state: &AppState,
    claim: &Claim,
    response: Response,
    path: &str,
    request_id: &str,
) -> Response {
    let status = response.status();
    if status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        if let Err(err) = state.store.release_idempotency(claim).await {
            tracing::warn!(error = %err, "could not release an idempotency key");
        }
        return response;
    }
    // Problems are rendered here, not at the edge, so the stored body is the one sent.
    let mut response = response;
    if let Some(problem) = response.extensions_mut().remove::<Problem>() {
        response = render_problem(response, problem, path, request_id);
    }
    let (parts, body) = response.into_parts();
    let bytes = match http_body_util::Limited::new(body, MAX_STORED_BODY)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(err) => {
            let _ = state.store.release_idempotency(claim).await;
            return ApiError::Internal(anyhow::anyhow!("reading a response to store: {err}")).into_response();
        }
    };
    let stored = StoredResponse {
        status: status.as_u16(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    let completion = Completion {
        claim,
        response: &stored,
    };
    match state.store.complete_idempotency(completion).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(key = %claim.idempotency_key, "idempotency lease lost before completion"),
        Err(err) => tracing::warn!(error = %err, "could not store an idempotent response"),
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// What makes two requests the same request: path, query and body.
fn fingerprint(target: &str, body: &[u8]) -> String {
    let mut data = Vec::with_capacity(target.len() + body.len() + 8);
    data.extend_from_slice(b"POST ");
    data.extend_from_slice(target.as_bytes());
    data.push(b'\n');
    data.extend_from_slice(body);
    crate::store::sha256_hex(&data)
}

/// A stored response, sent again.
fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    if let Ok(content_type) = HeaderValue::from_str(&stored.content_type) {
        headers.insert(header::CONTENT_TYPE, content_type);
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
