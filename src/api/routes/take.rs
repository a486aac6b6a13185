//! The candidate's side of an assessment, behind the token in their link
//! (no API key): `GET /v1/take/{token}` (the questions and the answers
//! saved so far), `PUT /v1/take/{token}/answers/{position}` (save as they
//! go) and `POST /v1/take/{token}/submit` (once). Candidates never see
//! scores or model answers.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::assessments::{submit, SetRef};
use super::evaluate::too_long;
use crate::api::extract::ApiJson;
use crate::api::problem::ApiError;
use crate::api::AppState;
use crate::store::{now_ms, rfc3339, Assessment, SaveRefusal};

/// Longest token accepted, in characters (a real one is 48).
const MAX_TOKEN_CHARS: usize = 128;

/// A question as the candidate sees it.
#[derive(Debug, Serialize)]
pub struct TakeQuestion {
    position: i64,
    question_id: String,
    question: String,
    answer: Option<String>,
    saved_at: Option<String>,
}

/// The body of `GET /v1/take/{token}`.
#[derive(Debug, Serialize)]
pub struct TakeView {
    id: String,
    status: &'static str,
    question_set: SetRef,
    candidate_name: Option<String>,
    deadline: String,
    submitted_at: Option<String>,
    questions: Vec<TakeQuestion>,
}

/// The body of `PUT /v1/take/{token}/answers/{position}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveAnswer {
    answer: Option<String>,
}

/// The response to a save.
#[derive(Debug, Serialize)]
pub struct Saved {
    position: i64,
    saved_at: String,
    words: usize,
}

/// The response to a submission.
#[derive(Debug, Serialize)]
pub struct Submitted {
    status: &'static str,
    submitted_at: String,
}

/// The assessment `token` opens: `404` for none.
async fn open(state: &AppState, token: &str) -> Result<Assessment, ApiError> {
    let not_found = || ApiError::AssessmentNotFound("this assessment link is not valid".to_owned());
    if token.is_empty() || token.len() > MAX_TOKEN_CHARS || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    state
        .store
        .assessment_by_token(token)
        .await?
        .ok_or_else(not_found)
}

/// `409` when submitted, `410` when past the deadline.
fn still_open(assessment: &Assessment) -> Result<(), ApiError> {
    match assessment.state(now_ms()) {
        "completed" => Err(ApiError::AssessmentSubmitted),
        "expired" => Err(ApiError::AssessmentExpired(rfc3339(assessment.deadline_ms))),
        _ => Ok(()),
    }
}

/// `GET /v1/take/{token}`.
pub async fn view(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<TakeView>, ApiError> {
    let assessment = open(&state, &token).await?;
    Ok(Json(TakeView {
        status: assessment.state(now_ms()),
        question_set: SetRef::new(&assessment),
        candidate_name: assessment.candidate_name,
        deadline: rfc3339(assessment.deadline_ms),
        submitted_at: assessment.submitted_ms.map(rfc3339),
        questions: assessment
            .answers
            .into_iter()
            .map(|a| TakeQuestion {
                position: a.position,
                question_id: a.question_id,
                question: a.question,
                answer: a.answer,
                saved_at: a.saved_ms.map(rfc3339),
            })
            .collect(),
        id: assessment.id,
    }))
}

/// `PUT /v1/take/{token}/answers/{position}`: saves one answer.
pub async fn save(
    State(state): State<AppState>,
    Path((token, position)): Path<(String, String)>,
    ApiJson(body): ApiJson<SaveAnswer>,
) -> Result<Json<Saved>, ApiError> {
    let assessment = open(&state, &token).await?;
    still_open(&assessment)?;
    let position: i64 = position
        .parse()
        .ok()
        .filter(|p: &i64| (0..assessment.answers.len() as i64).contains(p))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "the position must be 0 to {}",
                assessment.answers.len().saturating_sub(1)
            ))
        })?;
    let Some(answer) = body.answer else {
        return Err(ApiError::field(
            &["answer"],
            "an answer is required (an empty string clears it)",
        ));
    };
    if answer.len() > state.config.max_answer_bytes {
        return Err(ApiError::field(&["answer"], too_long(&answer, &state.config)));
    }
    match state.store.save_answer(&assessment.id, position, &answer).await? {
        Ok(saved_ms) => Ok(Json(Saved {
            position,
            saved_at: rfc3339(saved_ms),
            words: answer.split_whitespace().count(),
        })),
        Err(SaveRefusal::Submitted) => Err(ApiError::AssessmentSubmitted),
        Err(SaveRefusal::Expired) => Err(ApiError::AssessmentExpired(rfc3339(assessment.deadline_ms))),
        Err(SaveRefusal::NoSuchQuestion) => Err(ApiError::BadRequest(format!(
            "no question at position {position}"
        ))),
    }
}

/// `POST /v1/take/{token}/submit`: evaluates and stores every answer, once.
pub async fn submit_answers(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<Submitted>, ApiError> {
    let assessment = open(&state, &token).await?;
    still_open(&assessment)?;
    // None: another submission won the race.
    let submitted_ms = submit(&state, &assessment)
        .await?
        .ok_or(ApiError::AssessmentSubmitted)?;
    Ok(Json(Submitted {
        status: "completed",
        submitted_at: rfc3339(submitted_ms),
    }))
}
