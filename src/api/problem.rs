//! RFC 9457 problem details: every error the API returns, in one table.
//!
//! Handlers return [`ApiError`]; each variant maps to one [`Code`], which
//! fixes the HTTP status, the `title` and the `type` URI. The response carries
//! the [`Problem`] in its extensions, and the edge middleware
//! ([`super::middleware::edge`]) renders it with the `instance` and request id,
//! so `into_response` never needs to know the request.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

macro_rules! problem_codes {
    ($($(#[$doc:meta])* $variant:ident, $name:literal, $status:ident, $title:literal;)*) => {
        /// The kinds of problem the API reports; `code` in the body.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, for the contract test.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The snake_case name sent as `code`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The HTTP status.
            pub fn status(self) -> StatusCode {
                match self { $(Code::$variant => StatusCode::$status,)* }
            }

            /// The short, stable summary sent as `title`.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

problem_codes! {
    /// The body is not well-formed JSON.
    MalformedJson, "malformed_json", BAD_REQUEST, "The request body is not valid JSON";
    /// The request line or path could not be read.
    BadRequest, "bad_request", BAD_REQUEST, "The request could not be read";
    /// The query string could not be read.
    InvalidQuery, "invalid_query", BAD_REQUEST, "The query string is not valid";
    /// The body is JSON but not the JSON this route takes.
    ValidationFailed, "validation_failed", UNPROCESSABLE_ENTITY, "The request is not valid";
    /// The body is not sent as `application/json`.
    UnsupportedMediaType, "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "The request body must be application/json";
    /// The body is longer than the limit.
    PayloadTooLarge, "payload_too_large", PAYLOAD_TOO_LARGE, "The request body is too large";
    /// No bank question has the id asked for.
    QuestionNotFound, "question_not_found", NOT_FOUND, "No question has this id";
    /// No bank question matches the wording sent.
    QuestionNotRecognised, "question_not_recognised", UNPROCESSABLE_ENTITY, "No question in the bank matches this wording";
    /// No route has this path.
    NotFound, "not_found", NOT_FOUND, "No such route";
    /// The route exists but not with this method.
    MethodNotAllowed, "method_not_allowed", METHOD_NOT_ALLOWED, "This route does not take this method";
    /// The request took longer than the server allows.
    RequestTimeout, "request_timeout", REQUEST_TIMEOUT, "The request took too long";
    /// Too many requests are in flight; retry after `Retry-After` seconds.
    Overloaded, "overloaded", SERVICE_UNAVAILABLE, "The server is busy";
    /// No valid API key was sent.
    Unauthorized, "unauthorized", UNAUTHORIZED, "A valid API key is required";
    /// The key's role may not do this.
    Forbidden, "forbidden", FORBIDDEN, "This key may not do this";
    /// The key sent more requests than its rate limit; retry after `Retry-After` seconds.
    RateLimited, "rate_limited", TOO_MANY_REQUESTS, "Too many requests for this key";
    /// The `Idempotency-Key` header is not a usable key.
    InvalidIdempotencyKey, "invalid_idempotency_key", BAD_REQUEST, "The Idempotency-Key header is not valid";
    /// The `Idempotency-Key` was used before with a different request.
    IdempotencyKeyReused, "idempotency_key_reused", UNPROCESSABLE_ENTITY, "This Idempotency-Key was used for a different request";
    /// A request with this `Idempotency-Key` is still being processed.
    IdempotencyInProgress, "idempotency_in_progress", CONFLICT, "A request with this Idempotency-Key is in progress";
    /// A question with this id exists already.
    QuestionExists, "question_exists", CONFLICT, "A question with this id exists";
    /// No evaluation record visible to this key has the id.
    EvaluationNotFound, "evaluation_not_found", NOT_FOUND, "No evaluation record has this id";
    /// No key of this tenant has the id.
    KeyNotFound, "key_not_found", NOT_FOUND, "No API key has this id";
    /// No webhook endpoint of this tenant has the id.
    WebhookNotFound, "webhook_not_found", NOT_FOUND, "No webhook endpoint has this id";
    /// No question set of this tenant has the id.
    QuestionSetNotFound, "question_set_not_found", NOT_FOUND, "No question set has this id";
    /// No assessment has this id or token.
    AssessmentNotFound, "assessment_not_found", NOT_FOUND, "No assessment matches";
    /// The assessment was submitted already; answers can no longer change.
    AssessmentSubmitted, "assessment_submitted", CONFLICT, "The assessment was already submitted";
    /// The assessment's deadline has passed.
    AssessmentExpired, "assessment_expired", GONE, "The assessment's deadline has passed";
    /// A report link's signature does not match.
    LinkInvalid, "link_invalid", FORBIDDEN, "The link is not valid";
    /// A report link is past its expiry.
    LinkExpired, "link_expired", GONE, "The link has expired";
    /// The store cannot be reached; retry after `Retry-After` seconds.
    StoreUnavailable, "store_unavailable", SERVICE_UNAVAILABLE, "The store is unavailable";
    /// Something failed inside the server; the detail is logged, not sent.
    Internal, "internal", INTERNAL_SERVER_ERROR, "Something went wrong on our side";
}

impl Code {
    /// The `type` URI: a relative reference naming the problem (RFC 9457 §3.1.1).
    pub fn type_uri(self) -> String {
        format!("/problems/{}", self.name().replace('_', "-"))
    }
}

/// One invalid field of a request body or query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// A JSON Pointer to the field, as a URI fragment (`#/answer`).
    pub pointer: String,
    /// What is wrong with it.
    pub detail: String,
}

impl FieldError {
    /// An error at the JSON Pointer built from `path` (`["items", "3", "answer"]`).
    pub fn at<S: AsRef<str>>(path: &[S], detail: impl Into<String>) -> FieldError {
        let mut pointer = String::from("#");
        for segment in path {
            pointer.push('/');
            pointer.push_str(&segment.as_ref().replace('~', "~0").replace('/', "~1"));
        }
        FieldError {
            pointer,
            detail: detail.into(),
        }
    }
}

/// A question the caller may have meant, sent with `question_not_found` and
/// `question_not_recognised`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The question's id.
    pub question_id: String,
    /// Its canonical wording.
    pub question: String,
}

/// An RFC 9457 problem details object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the kind of problem.
    pub title: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The request path this occurrence happened on.
    pub instance: Option<String>,
    /// The stable machine-readable kind (`validation_failed`).
    pub code: &'static str,
    /// The request's `X-Request-Id`, to quote in a support request.
    pub request_id: Option<String>,
    /// Per-field errors, for `validation_failed` and `invalid_query`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The closest questions, for an unknown question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<Suggestion>>,
}

impl Problem {
    /// A problem of kind `code` with this detail.
    pub fn new(code: Code, detail: impl Into<String>) -> Problem {
        Problem {
            type_uri: code.type_uri(),
            title: code.title(),
            status: code.status().as_u16(),
            detail: detail.into(),
            instance: None,
            code: code.name(),
            request_id: None,
            errors: Vec::new(),
            suggestions: None,
        }
    }

    /// The response: status and headers now, the body rendered at the edge.
    pub fn into_response_with(self, extra: Option<(header::HeaderName, HeaderValue)>) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = status.into_response();
        if let Some((name, value)) = extra {
            response.headers_mut().insert(name, value);
        }
        response.extensions_mut().insert(self);
        response
    }

    /// The JSON body.
    pub fn to_body(&self) -> Vec<u8> {
        // A struct of strings and numbers always serialises.
        serde_json::to_vec(self).unwrap_or_else(|_| b"{}".to_vec())
    }
}

/// Everything a handler can fail with; each variant is one [`Code`].
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `400`: the body is not well-formed JSON.
    #[error("{0}")]
    MalformedJson(String),
    /// `400`: the path or another part of the request could not be read.
    #[error("{0}")]
    BadRequest(String),
    /// `400`: the query string could not be read.
    #[error("{detail}")]
    InvalidQuery {
        /// What is wrong.
        detail: String,
        /// The fields at fault.
        errors: Vec<FieldError>,
    },
    /// `422`: fields are missing, of the wrong type or out of range.
    #[error("{detail}")]
    Validation {
        /// A one-line summary.
        detail: String,
        /// The fields at fault.
        errors: Vec<FieldError>,
    },
    /// `415`: the body is not sent as JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// `413`: the body is longer than `limit` bytes.
    #[error("the request body is over the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// `404`: no question has this id.
    #[error("no question has the id `{id}`")]
    QuestionNotFound {
        /// The id asked for.
        id: String,
        /// The closest questions.
        suggestions: Vec<Suggestion>,
    },
    /// `422`: no question matches this wording with enough confidence.
    #[error("no question in the bank matches `{wording}` with enough confidence")]
    QuestionNotRecognised {
        /// The wording sent.
        wording: String,
        /// The closest questions.
        suggestions: Vec<Suggestion>,
    },
    /// `404`: no route has this path.
    #[error("no route serves {0}")]
    NotFound(String),
    /// `405`: the route does not take this method.
    #[error("{path} does not take {method}")]
    MethodNotAllowed {
        /// The method used.
        method: String,
        /// The path asked for.
        path: String,
    },
    /// `408`: the request ran past the timeout.
    #[error("the request did not complete within {0:?}")]
    Timeout(std::time::Duration),
    /// `503`: too many requests in flight.
    #[error("the server is handling {0} requests, its limit; retry shortly")]
    Overloaded(usize),
    /// `401`: no key, or one that is malformed, unknown or revoked.
    #[error("{0}")]
    Unauthorized(String),
    /// `403`: the key's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// `429`: the key is over its rate limit.
    #[error("this key is over its limit of {per_minute} requests a minute; retry in {retry_after} s")]
    RateLimited {
        /// The key's limit.
        per_minute: u32,
        /// Seconds until a request would pass.
        retry_after: u64,
    },
    /// `429`: the practice routes, shared by every caller, are over their limit.
    #[error("practice is over its limit of {per_minute} requests a minute, shared by everyone; retry in {retry_after} s")]
    PracticeRateLimited {
        /// The shared limit.
        per_minute: u32,
        /// Seconds until a request would pass.
        retry_after: u64,
    },
    /// `400`: the `Idempotency-Key` header is empty, too long or not printable ASCII.
    #[error("the Idempotency-Key header must be 1 to 255 printable ASCII characters")]
    InvalidIdempotencyKey,
    /// `422`: the `Idempotency-Key` came with a different request before.
    #[error("the Idempotency-Key `{0}` was used for a different request; use a new key for a new request")]
    IdempotencyKeyReused(String),
    /// `409`: the `Idempotency-Key`'s first request has not finished.
    #[error("a request with the Idempotency-Key `{0}` is still in progress; retry shortly")]
    IdempotencyInProgress(String),
    /// `409`: a question with this id exists.
    #[error("a question with the id `{0}` exists; PUT /v1/questions/{0} replaces a question of your own")]
    QuestionExists(String),
    /// `404`: no visible evaluation record has this id.
    #[error("no evaluation record visible to this key has the id `{0}`")]
    EvaluationNotFound(String),
    /// `404`: no key of the tenant has this id.
    #[error("no API key of this tenant has the id `{0}`")]
    KeyNotFound(String),
    /// `404`: no webhook endpoint of the tenant has this id.
    #[error("no webhook endpoint of this tenant has the id `{0}`")]
    WebhookNotFound(String),
    /// `401` for the assessment-partner API: HTTP Basic with the key as user name.
    #[error("{0}")]
    PartnerUnauthorized(String),
    /// `404`: no question set of the tenant has this id.
    #[error("no question set of this tenant has the id `{0}`")]
    QuestionSetNotFound(String),
    /// `404`: no assessment has this id or token.
    #[error("{0}")]
    AssessmentNotFound(String),
    /// `409`: the assessment was submitted already.
    #[error("this assessment was already submitted; answers can no longer change")]
    AssessmentSubmitted,
    /// `410`: the assessment's deadline passed.
    #[error("this assessment's deadline passed at {0}")]
    AssessmentExpired(String),
    /// `403`: a report link's signature does not match.
    #[error("this report link is not valid; ask for a new one")]
    LinkInvalid,
    /// `410`: a report link expired.
    #[error("this report link expired; ask for a new one")]
    LinkExpired,
    /// `503`: the store failed; the cause is logged.
    #[error("the store is unavailable; retry shortly")]
    StoreUnavailable(#[source] crate::store::StoreError),
    /// `500`: a failure inside the server. The cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<crate::store::StoreError> for ApiError {
    fn from(err: crate::store::StoreError) -> ApiError {
        ApiError::StoreUnavailable(err)
    }
}

impl ApiError {
    /// The problem kind.
    pub fn code(&self) -> Code {
        match self {
            ApiError::MalformedJson(_) => Code::MalformedJson,
            ApiError::BadRequest(_) => Code::BadRequest,
            ApiError::InvalidQuery { .. } => Code::InvalidQuery,
            ApiError::Validation { .. } => Code::ValidationFailed,
            ApiError::UnsupportedMediaType(_) => Code::UnsupportedMediaType,
            ApiError::PayloadTooLarge { .. } => Code::PayloadTooLarge,
            ApiError::QuestionNotFound { .. } => Code::QuestionNotFound,
            ApiError::QuestionNotRecognised { .. } => Code::QuestionNotRecognised,
            ApiError::NotFound(_) => Code::NotFound,
            ApiError::MethodNotAllowed { .. } => Code::MethodNotAllowed,
            ApiError::Timeout(_) => Code::RequestTimeout,
            ApiError::Overloaded(_) => Code::Overloaded,
            ApiError::Unauthorized(_) => Code::Unauthorized,
            ApiError::Forbidden(_) => Code::Forbidden,
            ApiError::RateLimited { .. } | ApiError::PracticeRateLimited { .. } => Code::RateLimited,
            ApiError::InvalidIdempotencyKey => Code::InvalidIdempotencyKey,
            ApiError::IdempotencyKeyReused(_) => Code::IdempotencyKeyReused,
            ApiError::IdempotencyInProgress(_) => Code::IdempotencyInProgress,
            ApiError::QuestionExists(_) => Code::QuestionExists,
            ApiError::EvaluationNotFound(_) => Code::EvaluationNotFound,
            ApiError::KeyNotFound(_) => Code::KeyNotFound,
            ApiError::WebhookNotFound(_) => Code::WebhookNotFound,
            ApiError::PartnerUnauthorized(_) => Code::Unauthorized,
            ApiError::QuestionSetNotFound(_) => Code::QuestionSetNotFound,
            ApiError::AssessmentNotFound(_) => Code::AssessmentNotFound,
            ApiError::AssessmentSubmitted => Code::AssessmentSubmitted,
            ApiError::AssessmentExpired(_) => Code::AssessmentExpired,
            ApiError::LinkInvalid => Code::LinkInvalid,
            ApiError::LinkExpired => Code::LinkExpired,
            ApiError::StoreUnavailable(_) => Code::StoreUnavailable,
            ApiError::Internal(_) => Code::Internal,
        }
    }

    /// An `invalid_query` error with no per-field detail.
    pub fn invalid_query(detail: impl Into<String>) -> ApiError {
        ApiError::InvalidQuery {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A `validation_failed` error for one field.
    pub fn field<S: AsRef<str>>(path: &[S], detail: impl Into<String>) -> ApiError {
        ApiError::fields(vec![FieldError::at(path, detail)])
    }

    /// A `validation_failed` error for these fields, with a one-line summary.
    pub fn fields(errors: Vec<FieldError>) -> ApiError {
        let detail = match errors.as_slice() {
            [one] if one.pointer == "#" => one.detail.clone(),
            [one] => format!("{}: {}", one.pointer.trim_start_matches("#/"), one.detail),
            many => format!("{} fields are invalid", many.len()),
        };
        ApiError::Validation { detail, errors }
    }

    /// The problem this error is reported as.
    pub fn to_problem(&self) -> Problem {
        let code = self.code();
        let mut problem = Problem::new(code, self.to_string());
        match self {
            ApiError::InvalidQuery { errors, .. } | ApiError::Validation { errors, .. } => {
                problem.errors = errors.clone();
            }
            ApiError::QuestionNotFound { suggestions, .. }
            | ApiError::QuestionNotRecognised { suggestions, .. } => {
                problem.suggestions = Some(suggestions.clone());
            }
            ApiError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
            }
            ApiError::StoreUnavailable(cause) => {
                tracing::error!(error = %cause, "store unavailable");
            }
            _ => {}
        }
        problem
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let extra = match &self {
            ApiError::Overloaded(_) | ApiError::IdempotencyInProgress(_) | ApiError::StoreUnavailable(_) => {
                Some((header::RETRY_AFTER, HeaderValue::from_static("1")))
            }
            ApiError::RateLimited { retry_after, .. } | ApiError::PracticeRateLimited { retry_after, .. } => {
                Some((header::RETRY_AFTER, HeaderValue::from(*retry_after)))
            }
            ApiError::Unauthorized(_) => Some((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))),
            ApiError::PartnerUnauthorized(_) => Some((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"assay\", charset=\"UTF-8\""),
            )),
            _ => None,
        };
        self.to_problem().into_response_with(extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_distinct_names_and_error_statuses() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
        for code in Code::ALL {
            assert!(code.status().is_client_error() || code.status().is_server_error());
            assert!(code.type_uri().starts_with("/problems/"));
        }
    }

    #[test]
    fn pointers_escape_tilde_and_slash() {
        assert_eq!(FieldError::at(&["a/b", "c~d", "0"], "x").pointer, "#/a~1b/c~0d/0");
        assert_eq!(FieldError::at::<&str>(&[], "x").pointer, "#");
    }

    #[test]
    fn internal_errors_never_send_their_cause() {
        let problem = ApiError::Internal(anyhow::anyhow!("disk on fire at /secret/path")).to_problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("secret"), "{}", problem.detail);
    }
}
