//! `GET /v1/reports/{id}?expires=…&signature=…`: the recruiter's report of
//! an assessment, behind a signed, expiring link instead of an API key, so
//! it can be opened from an ATS or an email. The page `/r/{id}` reads it.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::assessments::{links, recommendation, SetRef};
use crate::api::problem::ApiError;
use crate::api::AppState;
use crate::assess::{LinkError, Recommendation};
use crate::store::{now_ms, rfc3339};

/// The signed query of a report link.
#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    expires: Option<i64>,
    signature: Option<String>,
}

/// One question of the report.
#[derive(Debug, Serialize)]
pub struct ReportQuestion {
    position: i64,
    question_id: String,
    question: String,
    answer: Option<String>,
    /// The evaluation, exactly as `POST /v1/evaluate` returns one; `null`
    /// when unanswered or not submitted.
    evaluation: Option<Value>,
}

/// The body of `GET /v1/reports/{id}`.
#[derive(Debug, Serialize)]
pub struct Report {
    id: String,
    status: &'static str,
    question_set: SetRef,
    candidate_name: Option<String>,
    candidate_ref: Option<String>,
    created_at: String,
    deadline: String,
    submitted_at: Option<String>,
    score: Option<f64>,
    rating: Option<String>,
    recommendation: Option<Recommendation>,
    link_expires_at: String,
    questions: Vec<ReportQuestion>,
}

/// `GET /v1/reports/{id}`: `403` for a link whose signature does not match,
/// `410` once it has expired (checked in that order, so a forged expiry is
/// never reported as merely expired).
pub async fn report(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<LinkQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Report>, ApiError> {
    let Query(query) = query.map_err(|_| ApiError::LinkInvalid)?;
    let (Some(expires), Some(signature)) = (query.expires, query.signature) else {
        return Err(ApiError::LinkInvalid);
    };
    let links = links(&state).await?;
    links
        .verify(&id, expires, &signature, now_ms() / 1000)
        .map_err(|err| match err {
            LinkError::Invalid => ApiError::LinkInvalid,
            LinkError::Expired => ApiError::LinkExpired,
        })?;
    let assessment = state
        .store
        .assessment_by_id(&id)
        .await?
        .ok_or_else(|| ApiError::AssessmentNotFound(format!("no assessment has the id `{id}`")))?;
    let completed = assessment.state(now_ms()) == "completed";
    Ok(Json(Report {
        status: assessment.state(now_ms()),
        question_set: SetRef::new(&assessment),
        candidate_name: assessment.candidate_name.clone(),
        candidate_ref: assessment.candidate_ref.clone(),
        created_at: rfc3339(assessment.created_ms),
        deadline: rfc3339(assessment.deadline_ms),
        submitted_at: assessment.submitted_ms.map(rfc3339),
        score: assessment.score,
        rating: assessment.rating.clone(),
        recommendation: if completed {
            recommendation(&assessment)
        } else {
            Some(Recommendation::undecided())
        },
        link_expires_at: rfc3339(expires.saturating_mul(1000)),
        questions: assessment
            .answers
            .into_iter()
            .map(|a| ReportQuestion {
                evaluation: a.result.as_deref().and_then(|r| serde_json::from_str(r).ok()),
                position: a.position,
                question_id: a.question_id,
                question: a.question,
                answer: completed.then_some(a.answer).flatten(),
            })
            .collect(),
        id: assessment.id,
    }))
}
