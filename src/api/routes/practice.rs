//! `GET /v1/practice/questions` and `POST /v1/practice/evaluate`: what the
//! `/practice` page calls, without a key. Bank questions only, never
//! recorded, never model answers; all callers share one rate limit
//! ([`super::super::Config::practice_rate_per_minute`]).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::evaluate::too_long;
use crate::api::extract::{ApiJson, ApiQuery};
use crate::api::problem::{ApiError, FieldError};
use crate::api::AppState;
use crate::Evaluation;

/// Most questions listed.
const MAX_LIMIT: usize = 100;
/// Longest search text, in characters.
const MAX_QUERY_CHARS: usize = 200;

/// The query of `GET /v1/practice/questions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PracticeQuery {
    q: Option<String>,
    limit: Option<usize>,
}

/// A question to practise.
#[derive(Debug, Serialize)]
pub struct PracticeQuestion {
    id: String,
    question: String,
    group: String,
    tags: Vec<String>,
}

/// The body of `GET /v1/practice/questions`.
#[derive(Debug, Serialize)]
pub struct PracticeList {
    questions: Vec<PracticeQuestion>,
}

/// The body of `POST /v1/practice/evaluate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PracticeRequest {
    question_id: Option<String>,
    answer: Option<String>,
}

/// A practice evaluation: the evaluation and the question's wording.
#[derive(Debug, Serialize)]
pub struct PracticeResult {
    #[serde(flatten)]
    evaluation: Evaluation,
    question: String,
}

/// `404` when the server runs without practice; `429` when every caller
/// together is over the practice limit.
fn admit(state: &AppState, path: &str) -> Result<(), ApiError> {
    if !state.config.practice {
        return Err(ApiError::NotFound(path.to_owned()));
    }
    let Some(limiter) = &state.practice_limiter else {
        return Ok(());
    };
    limiter
        .check()
        .map_err(|not_until| ApiError::PracticeRateLimited {
            per_minute: state.config.practice_rate_per_minute,
            retry_after: crate::api::auth::retry_after(&not_until),
        })
}

/// `GET /v1/practice/questions`: the bank's questions, searched with `q`
/// (blank lists them all).
pub async fn questions(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PracticeQuery>,
) -> Result<Json<PracticeList>, ApiError> {
    admit(&state, "/v1/practice/questions")?;
    let limit = match query.limit {
        Some(n) if n == 0 || n > MAX_LIMIT => {
            return Err(ApiError::invalid_query(format!("limit must be 1 to {MAX_LIMIT}")))
        }
        Some(n) => n,
        None => MAX_LIMIT,
    };
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
        return Err(ApiError::invalid_query(format!(
            "q must be at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let evaluator = state.catalog.base();
    let bank = evaluator.bank().questions();
    let order: Vec<usize> = match q {
        Some(q) => evaluator
            .search(q, bank.len())
            .into_iter()
            .map(|(i, _)| i)
            .collect(),
        None => (0..bank.len()).collect(),
    };
    Ok(Json(PracticeList {
        questions: order
            .into_iter()
            .take(limit)
            .map(|i| {
                let q = &bank[i];
                PracticeQuestion {
                    id: q.id.to_string(),
                    question: q.question.to_string(),
                    group: q.group.to_string(),
                    tags: q.tags.iter().map(ToString::to_string).collect(),
                }
            })
            .collect(),
    }))
}

/// `POST /v1/practice/evaluate`: evaluates an answer to a bank question.
pub async fn evaluate(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PracticeRequest>,
) -> Result<Json<PracticeResult>, ApiError> {
    admit(&state, "/v1/practice/evaluate")?;
    let mut errors = Vec::new();
    let evaluator = std::sync::Arc::clone(state.catalog.base());
    match &body.question_id {
        None => errors.push(FieldError::at(&["question_id"], "a question_id is required")),
        Some(id) if evaluator.bank().get(id).is_none() => errors.push(FieldError::at(
            &["question_id"],
            format!("no question has the id `{id}`"),
        )),
        Some(_) => {}
    }
    match &body.answer {
        None => errors.push(FieldError::at(&["answer"], "an answer is required")),
        Some(a) if a.trim().is_empty() => errors.push(FieldError::at(&["answer"], "the answer is empty")),
        Some(a) if a.len() > state.config.max_answer_bytes => {
            errors.push(FieldError::at(&["answer"], too_long(a, &state.config)))
        }
        Some(_) => {}
    }
    let (Some(id), Some(answer), true) = (body.question_id, body.answer, errors.is_empty()) else {
        return Err(ApiError::fields(errors));
    };
    let result = tokio::task::spawn_blocking(move || {
        let evaluation = evaluator.evaluate(&id, &answer)?;
        let question = evaluator
            .bank()
            .get(&id)
            .map(|q| q.question.to_string())
            .unwrap_or_default();
        Ok::<_, crate::Error>(PracticeResult { evaluation, question })
    })
    .await
    .map_err(|err| ApiError::Internal(err.into()))?
    .map_err(super::evaluate::library_error)?;
    Ok(Json(result))
}
