//! The handlers, one module per resource.

pub mod assessments;
pub mod evaluate;
pub mod evaluations;
pub mod greenhouse;
pub mod keys;
pub mod ops;
pub mod pages;
pub mod practice;
pub mod questions;
pub mod reports;
pub mod take;
pub mod webhooks;

use axum::http::{Method, Uri};

use super::problem::{ApiError, Suggestion};
use crate::Evaluator;

/// `404` for a path no route serves.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::NotFound(uri.path().to_owned())
}

/// `405` for a route that does not take the method used.
pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }
}

/// The questions named by `ids`, as suggestions.
fn suggestions<S: AsRef<str>>(evaluator: &Evaluator, ids: &[S]) -> Vec<Suggestion> {
    ids.iter()
        .filter_map(|id| evaluator.bank().get(id.as_ref()))
        .map(|q| Suggestion {
            question_id: q.id.to_string(),
            question: q.question.to_string(),
        })
        .collect()
}
