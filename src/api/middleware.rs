//! The layers every request passes through, outermost first:
//!
//! 1. [`edge`]: gives the request an id (echoed or generated), and renders
//!    every error as problem+json, including the bare 404/405/413 responses
//!    axum and hyper produce themselves.
//! 2. [`observe`]: metrics and one structured log line per request.
//! 3. tower-http's panic catcher, answering with [`panic_response`]: a bug
//!    that panics in a handler still gets a problem+json 500, logged and
//!    counted, instead of a connection dropped without an answer.
//! 4. [`limits`] (API routes only): the concurrency limit and the timeout.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use super::problem::{ApiError, Code, Problem, PROBLEM_JSON};
use super::AppState;

/// The header carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";
/// The longest request id echoed; longer ones are replaced.
const MAX_REQUEST_ID: usize = 128;

/// The id of the request being handled, in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The route template that served a request, copied from the request into
/// the response so [`observe`] can label metrics without one series per path.
#[derive(Debug, Clone)]
struct ServedRoute(String);

/// Echoes a sane `X-Request-Id` or makes one, and renders problems.
pub async fn edge(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= MAX_REQUEST_ID && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let has_body = request.headers().contains_key(header::TRANSFER_ENCODING)
        || request
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0");
    request.extensions_mut().insert(RequestId(id.clone()));

    let mut response = next.run(request).await;

    let problem = response.extensions_mut().remove::<Problem>().or_else(|| {
        let status = response.status();
        let is_error = status.is_client_error() || status.is_server_error();
        let is_problem = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
        (is_error && !is_problem).then(|| bare_problem(status, method.as_str(), &path))
    });
    if let Some(problem) = problem {
        // A request refused before its body was read (no route, no valid
        // key, over its rate limit, a bad Idempotency-Key, no store): hyper
        // then closes the connection, so say so rather than let a client
        // reuse it. An unauthenticated body is never read just to keep it open.
        let unread = has_body
            && matches!(
                problem.code,
                "not_found"
                    | "method_not_allowed"
                    | "unauthorized"
                    | "rate_limited"
                    | "invalid_idempotency_key"
                    | "store_unavailable"
            );
        response = render_problem(response, problem, &path, &id);
        if unread {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// Writes `problem` as the problem+json body of `response`, with the
/// request's path and id.
pub fn render_problem(response: Response, mut problem: Problem, path: &str, request_id: &str) -> Response {
    problem.instance = Some(path.to_owned());
    problem.request_id = Some(request_id.to_owned());
    let (mut parts, _) = response.into_parts();
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(problem.to_body()))
}

/// The response to a handler that panicked: an `internal` problem, its
/// message logged and never sent (it may quote the request).
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    ApiError::Internal(anyhow::anyhow!("a handler panicked: {message}")).into_response()
}

/// The problem for an error response produced outside the handlers.
fn bare_problem(status: StatusCode, method: &str, path: &str) -> Problem {
    let error = match status {
        StatusCode::NOT_FOUND => ApiError::NotFound(path.to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed {
            method: method.to_owned(),
            path: path.to_owned(),
        },
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge { limit: 0 },
        StatusCode::REQUEST_TIMEOUT => ApiError::Timeout(std::time::Duration::ZERO),
        StatusCode::BAD_REQUEST => ApiError::BadRequest(format!("{method} {path} could not be read")),
        _ => {
            // A status no handler produces: RFC 9457's generic problem.
            let mut problem = Problem::new(Code::Internal, status.canonical_reason().unwrap_or("error"));
            problem.type_uri = "about:blank".to_owned();
            problem.title = status.canonical_reason().unwrap_or("Error");
            problem.status = status.as_u16();
            problem.code = "http_error";
            return problem;
        }
    };
    error.to_problem()
}

/// Copies the matched route template into the response (a route layer, so it
/// runs only for requests a route matched).
pub async fn served_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(ServedRoute(route));
    }
    response
}

/// One request counted in the in-flight gauge for as long as it lives.
struct InFlight<'a>(&'a super::Metrics);

impl<'a> InFlight<'a> {
    fn enter(metrics: &'a super::Metrics) -> InFlight<'a> {
        metrics.in_flight().inc();
        InFlight(metrics)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight().dec();
    }
}

/// Counts and times each request and logs it.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let id = request
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let response = {
        // Decrements on drop too, when the client goes away mid-request.
        let _in_flight = InFlight::enter(&state.metrics);
        next.run(request).await
    };
    let elapsed = started.elapsed();
    let route = response
        .extensions()
        .get::<ServedRoute>()
        .map_or("unmatched", |r| r.0.as_str());
    let status = response.status().as_u16();
    state
        .metrics
        .observe_request(route, method_label(&method), status, elapsed.as_secs_f64());
    tracing::info!(
        request_id = %id,
        method = %method,
        path = %path,
        route,
        status,
        micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    response
}

/// The method as a metric label: the standard methods by name, any other as
/// `other`, so made-up methods cannot add series without bound.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Whether a route's body may be as large as the batch limit: batches of
/// answers and whole questions (model answers run long).
fn takes_large_body(method: &axum::http::Method, route: &str) -> bool {
    use axum::http::Method;
    matches!(
        (method, route),
        (&Method::POST, "/v1/evaluate/batch")
            | (&Method::POST, "/v1/questions")
            | (&Method::PUT, "/v1/questions/{id}")
    )
}

/// Raises the body limit for the routes that take large bodies, before any
/// layer reads the body.
pub async fn body_limit(
    State(config): State<Arc<super::Config>>,
    mut request: Request,
    next: Next,
) -> Response {
    let large = request
        .extensions()
        .get::<MatchedPath>()
        .is_some_and(|route| takes_large_body(request.method(), route.as_str()));
    if large {
        request
            .extensions_mut()
            .insert(super::BodyLimit(config.batch_body_limit));
    }
    next.run(request).await
}

/// The concurrency limit and timeout of the API routes.
#[derive(Debug, Clone)]
pub struct Limits {
    permits: Arc<Semaphore>,
    max_in_flight: usize,
    timeout: std::time::Duration,
}

impl Limits {
    /// At most `max_in_flight` requests at once, each within `timeout`.
    pub fn new(max_in_flight: usize, timeout: std::time::Duration) -> Limits {
        Limits {
            permits: Arc::new(Semaphore::new(max_in_flight.max(1))),
            max_in_flight: max_in_flight.max(1),
            timeout,
        }
    }
}

/// Refuses a request when the limit is reached (503, `Retry-After`) rather
/// than queueing it, and ends one that runs past the timeout (408).
pub async fn limits(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let Ok(_permit) = limits.permits.clone().try_acquire_owned() else {
        // Reading the (bounded) body is cheap next to evaluating it, and
        // lets the client read the 503 instead of a reset connection.
        let timeout = limits.timeout;
        let _ = tokio::time::timeout(timeout, super::extract::discard_body(request)).await;
        return ApiError::Overloaded(limits.max_in_flight).into_response();
    };
    match tokio::time::timeout(limits.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            // The body may be half read: the connection cannot be reused.
            let mut response = ApiError::Timeout(limits.timeout).into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tower::ServiceExt;

    /// A handler with a bug.
    async fn boom() -> &'static str {
        panic!("secret detail {}", 42)
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_with_an_internal_problem() {
        let app = axum::Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "ok" }))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
            .layer(axum::middleware::from_fn(edge));
        let request = |path: &str| Request::get(path).body(Body::empty()).unwrap();

        let response = app.clone().oneshot(request("/boom")).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert!(response.headers().contains_key(REQUEST_ID));
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "internal");
        assert_eq!(problem["status"], 500);
        assert_eq!(problem["instance"], "/boom");
        assert!(!String::from_utf8_lossy(&body).contains("secret"), "{problem}");

        // The service goes on answering after a panic.
        let response = app.oneshot(request("/fine")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
