//! `GET /v1/evaluations`, `GET`/`DELETE /v1/evaluations/{id}` and
//! `DELETE /v1/evaluations?candidate_ref=`: the stored evaluations an admin
//! key's tenant made, or another key made itself.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::auth::{require, Caller};
use crate::api::extract::ApiQuery;
use crate::api::problem::ApiError;
use crate::api::AppState;
use crate::store::{rfc3339, Principal, RecordFilter, RecordSummary, Scope};

/// Records on a page unless `limit` says otherwise.
const DEFAULT_LIMIT: u32 = 50;
/// Most records on a page.
const MAX_LIMIT: u32 = 100;

/// The records `caller` may see and erase.
fn scope(caller: &Principal) -> Scope {
    if caller.role.sees_tenant_records() {
        Scope::Tenant(caller.tenant.clone())
    } else {
        Scope::Key {
            tenant: caller.tenant.clone(),
            key_id: caller.key_id.clone(),
        }
    }
}

/// Filters of `GET /v1/evaluations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    candidate_ref: Option<String>,
    question_id: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

/// A record in a listing.
#[derive(Debug, Serialize)]
pub struct RecordView {
    id: String,
    key_id: String,
    question_id: String,
    candidate_ref: Option<String>,
    score: f64,
    rating: String,
    scoring_version: String,
    created_at: String,
}

impl From<RecordSummary> for RecordView {
    fn from(r: RecordSummary) -> RecordView {
        RecordView {
            created_at: rfc3339(r.created_ms),
            id: r.id,
            key_id: r.key_id,
            question_id: r.question_id,
            candidate_ref: r.candidate_ref,
            score: r.score,
            rating: r.rating,
            scoring_version: r.scoring_version,
        }
    }
}

/// The body of `GET /v1/evaluations`.
#[derive(Debug, Serialize)]
pub struct RecordList {
    /// Newest first.
    evaluations: Vec<RecordView>,
    /// Pass as `cursor` for the next page; `null` on the last.
    next_cursor: Option<String>,
}

/// `GET /v1/evaluations?candidate_ref=&question_id=&cursor=&limit=`.
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<RecordList>, ApiError> {
    let limit = match query.limit {
        Some(0) => return Err(ApiError::invalid_query("limit must be 1 or more")),
        Some(n) => n.min(MAX_LIMIT),
        None => DEFAULT_LIMIT,
    };
    if let Some(cursor) = &query.cursor {
        if uuid::Uuid::parse_str(cursor).is_err() {
            return Err(ApiError::invalid_query(
                "cursor must be a next_cursor this API returned",
            ));
        }
    }
    let filter = RecordFilter {
        candidate_ref: query.candidate_ref,
        question_id: query.question_id,
        before: query.cursor,
        limit,
    };
    let page = state.store.evaluations(&scope(&caller), &filter).await?;
    Ok(Json(RecordList {
        evaluations: page.records.into_iter().map(RecordView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// The body of `GET /v1/evaluations/{id}`.
#[derive(Debug, Serialize)]
pub struct RecordDetail {
    #[serde(flatten)]
    summary: RecordView,
    /// The answer evaluated; `null` when the server does not keep answers.
    answer: Option<String>,
    /// The evaluation exactly as `POST /v1/evaluate` returned it.
    result: serde_json::Value,
}

/// `GET /v1/evaluations/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<RecordDetail>, ApiError> {
    let record = state
        .store
        .evaluation(&scope(&caller), &id)
        .await?
        .ok_or(ApiError::EvaluationNotFound(id))?;
    let result = serde_json::from_str(&record.result).map_err(|err| ApiError::Internal(err.into()))?;
    Ok(Json(RecordDetail {
        summary: RecordView {
            id: record.id,
            key_id: record.key_id,
            question_id: record.question_id,
            candidate_ref: record.candidate_ref,
            score: record.score,
            rating: record.rating,
            scoring_version: record.scoring_version,
            created_at: rfc3339(record.created_ms),
        },
        answer: record.answer,
        result,
    }))
}

/// `DELETE /v1/evaluations/{id}`: erases one record (`204`).
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&caller, caller.role.erases_records(), "erase evaluation records")?;
    if state.store.delete_evaluation(&scope(&caller), &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::EvaluationNotFound(id))
    }
}

/// The query of `DELETE /v1/evaluations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseQuery {
    candidate_ref: Option<String>,
}

/// The body of `DELETE /v1/evaluations?candidate_ref=`.
#[derive(Debug, Serialize)]
pub struct Erased {
    candidate_ref: String,
    /// Records erased.
    deleted: u64,
}

/// `DELETE /v1/evaluations?candidate_ref=`: erases every record of a
/// candidate that the key may see (erasure on request).
pub async fn erase_candidate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<EraseQuery>,
) -> Result<Json<Erased>, ApiError> {
    require(&caller, caller.role.erases_records(), "erase evaluation records")?;
    let Some(candidate_ref) = query.candidate_ref.filter(|c| !c.is_empty()) else {
        return Err(ApiError::invalid_query(
            "candidate_ref is required: name the candidate whose records to erase",
        ));
    };
    let deleted = state
        .store
        .delete_candidate(&scope(&caller), &candidate_ref)
        .await?;
    Ok(Json(Erased {
        candidate_ref,
        deleted,
    }))
}
