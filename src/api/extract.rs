//! Extractors that turn request bodies and query strings into typed values,
//! or into the API's own problems: never axum's plain-text rejections.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;

use super::problem::ApiError;

/// The body limit in force for a route, in bytes, as a request extension
/// (the router sets one for all routes and a larger one for batches).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// The most of an over-limit body read and thrown away so the client can
/// finish sending and read the 413; a longer body gets the 413 at once and the
/// connection closes under it. Clients that send `Expect: 100-continue` get
/// the 413 before sending anything.
const MAX_DRAINED_BYTES: u64 = 16 * 1024 * 1024;

/// A JSON body of type `T`: `415` unless sent as JSON, `413` over the limit,
/// `400` when not well-formed, `422` with a pointer to the field when of the
/// wrong shape.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            discard_body(req).await;
            return Err(ApiError::UnsupportedMediaType(
                "send the body with `Content-Type: application/json`".to_owned(),
            ));
        }
        let limit = req.extensions().get::<BodyLimit>().map_or(0, |l| l.0);
        let declared = declared_length(&req);
        let bytes = read_limited(req.into_body(), limit, declared).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// [`ApiJson`] for a body that may be left out: no body (or only white
/// space) is `None`; anything else must be JSON, as for [`ApiJson`].
#[derive(Debug)]
pub struct OptionalApiJson<T>(pub Option<T>);

impl<T, S> FromRequest<S> for OptionalApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let typed = req.headers().get(header::CONTENT_TYPE).cloned();
        let limit = req.extensions().get::<BodyLimit>().map_or(0, |l| l.0);
        let declared = declared_length(&req);
        let bytes = read_limited(req.into_body(), limit, declared).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalApiJson(None));
        }
        if !is_json(typed.as_ref()) {
            return Err(ApiError::UnsupportedMediaType(
                "send the body with `Content-Type: application/json`".to_owned(),
            ));
        }
        parse_json(&bytes).map(|v| OptionalApiJson(Some(v)))
    }
}

/// Reads a body of at most `limit` bytes; over it, drains what is left
/// (up to [`MAX_DRAINED_BYTES`]) and reports `413`.
async fn read_limited(mut body: Body, limit: usize, declared: Option<u64>) -> Result<Vec<u8>, ApiError> {
    let too_large = ApiError::PayloadTooLarge { limit };
    if let Some(declared) = declared {
        if declared > limit as u64 {
            if declared <= MAX_DRAINED_BYTES {
                drain(body, MAX_DRAINED_BYTES).await;
            }
            return Err(too_large);
        }
    }
    let mut bytes = Vec::with_capacity(declared.map_or(0, |d| d as usize));
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|err| ApiError::MalformedJson(format!("the body could not be read: {err}")))?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > limit {
                drain(
                    body,
                    MAX_DRAINED_BYTES.saturating_sub((bytes.len() + data.len()) as u64),
                )
                .await;
                return Err(too_large);
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

/// Reads a request's whole body under the route's [`BodyLimit`] and returns
/// the request with the same bytes put back, for layers that must see the
/// body before the handler does.
pub async fn buffered(req: Request) -> Result<(Request, Vec<u8>), ApiError> {
    let limit = req.extensions().get::<BodyLimit>().map_or(0, |l| l.0);
    let declared = declared_length(&req);
    let (parts, body) = req.into_parts();
    let bytes = read_limited(body, limit, declared).await?;
    let request = Request::from_parts(parts, Body::from(bytes.clone()));
    Ok((request, bytes))
}

/// The `Content-Length` the client declared, if any.
fn declared_length(req: &Request) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// Reads and discards a request's body before it is refused unread, so the
/// client finishes sending and reads the refusal on a connection that stays
/// usable; a body declared longer than [`MAX_DRAINED_BYTES`] is left, and the
/// connection closes under it.
pub async fn discard_body(req: Request) {
    if declared_length(&req).is_none_or(|d| d <= MAX_DRAINED_BYTES) {
        drain(req.into_body(), MAX_DRAINED_BYTES).await;
    }
}

/// Reads and discards up to `budget` more bytes of `body`.
async fn drain(mut body: Body, budget: u64) {
    let mut read = 0u64;
    while read <= budget {
        match body.frame().await {
            Some(Ok(frame)) => read += frame.data_ref().map_or(0, |d| d.len() as u64),
            _ => return,
        }
    }
}

/// Whether a `Content-Type` names JSON (`application/json` or `…+json`, any parameters).
fn is_json(content_type: Option<&header::HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses `bytes` as one JSON object of type `T`, with errors that locate the fault.
///
/// Every request body is an object; serde would also build a struct from an
/// array of its fields in order, which no client means, so anything but an
/// object is refused (`400` if it is not JSON at all, else `422`).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
            .map_err(|err| ApiError::MalformedJson(err.to_string()))?;
        return Err(ApiError::field::<&str>(&[], "the body must be a JSON object"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = pointer_path(err.path());
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => ApiError::field(&path, strip_position(&inner.to_string())),
            _ => ApiError::MalformedJson(inner.to_string()),
        }
    })?;
    deserializer
        .end()
        .map_err(|err| ApiError::MalformedJson(format!("trailing characters after the JSON value: {err}")))?;
    Ok(value)
}

/// A serde path as JSON Pointer segments.
pub fn pointer_path(path: &serde_path_to_error::Path) -> Vec<String> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect()
}

/// serde_json's data errors end with " at line L column C", which means little
/// next to a pointer.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// A query string of type `T`: `400 invalid_query` when it cannot be read.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(value)| ApiQuery(value))
            .map_err(|rejection| ApiError::InvalidQuery {
                detail: rejection.body_text(),
                errors: Vec::new(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        answer: String,
    }

    #[test]
    fn json_content_types_are_recognised() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/merge+json",
        ] {
            assert!(is_json(Some(&HeaderValue::from_static(ok))), "{ok}");
        }
        for bad in ["text/plain", "application/jsonx", "multipart/form-data", ""] {
            assert!(!is_json(Some(&HeaderValue::from_static(bad))), "{bad}");
        }
        assert!(!is_json(None));
    }

    #[test]
    fn a_wrong_type_points_at_the_field() {
        let err = parse_json::<Body>(br#"{"items": [{"answer": "a"}, {"answer": 5}]}"#).unwrap_err();
        let problem = err.to_problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors[0].pointer, "#/items/1/answer");
        assert!(
            problem.errors[0].detail.contains("expected a string"),
            "{:?}",
            problem.errors
        );
    }

    #[test]
    fn broken_json_is_malformed_not_invalid() {
        for bad in [
            &b"{\"items\": ["[..],
            b"",
            b"{\"items\": []} {}",
            b"\xff\xfe",
            b"{\"items\": [{\"answer\": \"\xff\"}]}",
        ] {
            let problem = parse_json::<Body>(bad).unwrap_err().to_problem();
            assert_eq!(problem.status, 400, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn anything_but_an_object_is_refused() {
        for (body, status) in [
            (&b"[\"a\"]"[..], 422),
            (b"\"answer\"", 422),
            (b"12", 422),
            (b"[1,", 400),
        ] {
            let problem = parse_json::<Body>(body).unwrap_err().to_problem();
            assert_eq!(problem.status, status, "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!(r#"{{"a": {}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        let problem = parse_json::<serde_json::Value>(deep.as_bytes())
            .unwrap_err()
            .to_problem();
        assert_eq!(problem.status, 400);
        assert!(problem.detail.contains("recursion limit"), "{}", problem.detail);
    }
}
