//! `GET /v1/questions`, `GET /v1/questions/{id}` and `GET /v1/questions/match`
//! over the caller's tenant's questions (the bank plus its own), and
//! `POST /v1/questions`, `PUT`/`DELETE /v1/questions/{id}` for its own.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::suggestions;
use crate::api::auth::{require, Caller};
use crate::api::catalog::QuestionRefusal;
use crate::api::extract::{ApiJson, ApiQuery};
use crate::api::problem::{ApiError, FieldError};
use crate::api::AppState;
use crate::bank::Question;
use crate::search::MIN_CONFIDENCE;

/// Where a question comes from.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The shipped bank, the same for every tenant.
    Bank,
    /// The caller's tenant's own.
    Tenant,
}

impl Source {
    fn of(state: &AppState, tenant: &str, id: &str) -> Source {
        if state.catalog.owns(tenant, id) {
            Source::Tenant
        } else {
            Source::Bank
        }
    }
}

/// Longest `q`, in characters.
const MAX_QUERY_CHARS: usize = 1_000;
/// Most questions a search returns.
const MAX_LIMIT: usize = 100;

/// Filters of `GET /v1/questions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    tag: Option<String>,
    group: Option<String>,
    q: Option<String>,
    limit: Option<usize>,
}

/// A question in a listing.
#[derive(Debug, Serialize)]
pub struct QuestionSummary {
    id: String,
    group: String,
    tags: Vec<String>,
    question: String,
    wordings: Vec<String>,
    concepts: usize,
    source: Source,
    /// BM25 relevance to `q`; `null` when not searching.
    relevance: Option<f32>,
}

impl QuestionSummary {
    fn new(question: &Question, source: Source, relevance: Option<f32>) -> QuestionSummary {
        QuestionSummary {
            source,
            id: question.id.to_string(),
            group: question.group.to_string(),
            tags: question.tags.iter().map(ToString::to_string).collect(),
            question: question.question.to_string(),
            wordings: question.wordings.iter().map(ToString::to_string).collect(),
            concepts: question.concepts.len(),
            relevance,
        }
    }
}

/// The body of `GET /v1/questions`.
#[derive(Debug, Serialize)]
pub struct QuestionList {
    questions: Vec<QuestionSummary>,
    /// Questions that passed the filters, before `limit`.
    total: usize,
}

/// `GET /v1/questions`: the bank, filtered by tag and group, or searched with `q`.
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<QuestionList>, ApiError> {
    let evaluator = state.catalog.evaluator(&caller.tenant);
    let limit = match query.limit {
        Some(0) => return Err(ApiError::invalid_query("limit must be 1 or more")),
        Some(n) => n.min(MAX_LIMIT),
        None => MAX_LIMIT,
    };
    let questions = evaluator.bank().questions();
    let ranked: Vec<(usize, Option<f32>)> = match query.q.as_deref().map(search_text).transpose()? {
        Some(q) => evaluator
            .search(q, questions.len())
            .into_iter()
            .map(|(i, score)| (i, Some(score)))
            .collect(),
        None => (0..questions.len()).map(|i| (i, None)).collect(),
    };
    let passes = |q: &Question| {
        query
            .tag
            .as_deref()
            .is_none_or(|t| q.tags.iter().any(|tag| tag.as_str() == t))
            && query.group.as_deref().is_none_or(|g| q.group.as_str() == g)
    };
    let filtered: Vec<QuestionSummary> = ranked
        .into_iter()
        .filter(|(i, _)| passes(&questions[*i]))
        .map(|(i, relevance)| {
            let q = &questions[i];
            QuestionSummary::new(q, Source::of(&state, &caller.tenant, q.id.as_str()), relevance)
        })
        .collect();
    let total = filtered.len();
    Ok(Json(QuestionList {
        questions: filtered.into_iter().take(limit).collect(),
        total,
    }))
}

/// The `q` parameter trimmed: `400` when blank or over [`MAX_QUERY_CHARS`].
fn search_text(q: &str) -> Result<&str, ApiError> {
    let q = q.trim();
    if q.is_empty() {
        return Err(ApiError::invalid_query("q must not be empty"));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid_query(format!(
            "q must be at most {MAX_QUERY_CHARS} characters"
        )));
    }
    Ok(q)
}

/// A concept as the API shows it.
#[derive(Debug, Serialize)]
pub struct ConceptView {
    id: String,
    label: String,
    weight: f64,
    hint: String,
    aliases: Vec<String>,
}

/// A red flag as the API shows it.
#[derive(Debug, Serialize)]
pub struct RedFlagView {
    id: String,
    label: String,
    severity: crate::bank::Severity,
    why: String,
}

/// A model answer as the API shows it.
#[derive(Debug, Serialize)]
pub struct ModelAnswerView {
    kind: crate::bank::AnswerKind,
    text: String,
}

/// The body of `GET /v1/questions/{id}`: the question and its rubric.
#[derive(Debug, Serialize)]
pub struct QuestionDetail {
    id: String,
    group: String,
    tags: Vec<String>,
    question: String,
    wordings: Vec<String>,
    source: Source,
    concepts: Vec<ConceptView>,
    red_flags: Vec<RedFlagView>,
    /// Left out for candidate keys, which must never see them.
    #[serde(skip_serializing_if = "Option::is_none")]
    model_answers: Option<Vec<ModelAnswerView>>,
}

/// `GET /v1/questions/{id}`: one question with its concepts, red flags and
/// model answers (not for candidate keys); `404` with the closest ids when unknown.
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<QuestionDetail>, ApiError> {
    let evaluator = state.catalog.evaluator(&caller.tenant);
    let Some(q) = evaluator.bank().get(&id) else {
        return Err(ApiError::QuestionNotFound {
            suggestions: suggestions(&evaluator, &evaluator.suggest(&id)),
            id,
        });
    };
    let source = Source::of(&state, &caller.tenant, &id);
    Ok(Json(detail(q, source, caller.role.sees_model_answers())))
}

/// A question's full view; model answers only `with_answers`.
fn detail(q: &Question, source: Source, with_answers: bool) -> QuestionDetail {
    QuestionDetail {
        source,
        id: q.id.to_string(),
        group: q.group.to_string(),
        tags: q.tags.iter().map(ToString::to_string).collect(),
        question: q.question.to_string(),
        wordings: q.wordings.iter().map(ToString::to_string).collect(),
        concepts: q
            .concepts
            .iter()
            .map(|c| ConceptView {
                id: c.id.to_string(),
                label: c.label.to_string(),
                weight: c.weight.get(),
                hint: c.hint.to_string(),
                aliases: c.aliases.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        red_flags: q
            .red_flags
            .iter()
            .map(|f| RedFlagView {
                id: f.id.to_string(),
                label: f.label.to_string(),
                severity: f.severity,
                why: f.why.to_string(),
            })
            .collect(),
        model_answers: with_answers.then(|| {
            q.model_answers
                .iter()
                .map(|a| ModelAnswerView {
                    kind: a.kind,
                    text: a.text.to_string(),
                })
                .collect()
        }),
    }
}

/// `POST /v1/questions`: adds a question of the caller's tenant (`201`,
/// `409` when the id is taken).
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    let Some(id) = body.get("id").and_then(|v| v.as_str()).map(str::to_owned) else {
        return Err(ApiError::field(&["id"], "a question needs a string id"));
    };
    save(&state, &caller, id, body, false).await
}

/// `PUT /v1/questions/{id}`: adds (`201`) or replaces (`200`) a question of
/// the caller's tenant. The body's `id` may be left out; if sent it must be `{id}`.
pub async fn put(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(mut body): ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    match body.get("id") {
        None => {
            if let Some(object) = body.as_object_mut() {
                object.insert("id".to_owned(), serde_json::Value::String(id.clone()));
            }
        }
        Some(sent) if sent.as_str() != Some(id.as_str()) => {
            return Err(ApiError::field(
                &["id"],
                format!("must be `{id}`, the id in the path"),
            ));
        }
        Some(_) => {}
    }
    save(&state, &caller, id, body, true).await
}

/// Checks a question exactly as `assay check` checks a corpus file, stores
/// it, and swaps in the tenant's new evaluator before answering.
async fn save(
    state: &AppState,
    caller: &crate::store::Principal,
    id: String,
    body: serde_json::Value,
    replace: bool,
) -> Result<Response, ApiError> {
    require(caller, caller.role.writes_questions(), "add or change questions")?;
    let tenant = caller.tenant.clone();
    let others = state.store.tenant_questions(&tenant).await?;
    let catalog = state.catalog.clone();
    let checked = body.clone();
    tokio::task::spawn_blocking(move || catalog.check(&others, &checked))
        .await
        .map_err(|err| ApiError::Internal(err.into()))?
        .map_err(|refusal| match refusal {
            QuestionRefusal::InBank(id) => ApiError::QuestionExists(id),
            QuestionRefusal::Invalid(problems) => ApiError::fields(
                problems
                    .into_iter()
                    .map(|p| FieldError {
                        pointer: format!("#{}", p.pointer),
                        detail: p.message,
                    })
                    .collect(),
            ),
        })?;
    let text = serde_json::to_string(&body).map_err(|err| ApiError::Internal(err.into()))?;
    let Some(created) = state.store.save_question(&tenant, &id, &text, replace).await? else {
        return Err(ApiError::QuestionExists(id));
    };
    state.catalog.refresh(&state.store, &tenant).await?;
    let evaluator = state.catalog.evaluator(&tenant);
    let q = evaluator
        .bank()
        .get(&id)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("question `{id}` saved but not indexed")))?;
    let view = detail(q, Source::Tenant, caller.role.sees_model_answers());
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = (status, Json(view)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/questions/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `DELETE /v1/questions/{id}`: removes one of the caller's tenant's questions (`204`).
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&caller, caller.role.writes_questions(), "delete questions")?;
    if !state.store.delete_question(&caller.tenant, &id).await? {
        let evaluator = state.catalog.evaluator(&caller.tenant);
        if evaluator.bank().get(&id).is_some() {
            return Err(ApiError::Forbidden(format!(
                "`{id}` is a question of the shipped bank, which no key can delete"
            )));
        }
        return Err(ApiError::QuestionNotFound {
            suggestions: suggestions(&evaluator, &evaluator.suggest(&id)),
            id,
        });
    }
    state.catalog.refresh(&state.store, &caller.tenant).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The query of `GET /v1/questions/match`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchQuery {
    q: String,
}

/// A candidate question for a wording.
#[derive(Debug, Serialize)]
pub struct MatchCandidate {
    question_id: String,
    question: String,
    confidence: f32,
}

/// The body of `GET /v1/questions/match`.
#[derive(Debug, Serialize)]
pub struct MatchResponse {
    /// The wording looked up.
    query: String,
    /// Whether a question passed the confidence bar.
    matched: bool,
    /// The question it means, or `null`.
    question_id: Option<String>,
    /// That question's canonical wording, or `null`.
    question: Option<String>,
    /// The lookup's confidence in it, or `null`.
    confidence: Option<f32>,
    /// The confidence a match needs.
    min_confidence: f32,
    /// The other candidates, best first.
    alternatives: Vec<MatchCandidate>,
}

/// `GET /v1/questions/match?q=`: which question a wording means.
pub async fn matching(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<MatchQuery>,
) -> Result<Json<MatchResponse>, ApiError> {
    let q = search_text(&query.q)?;
    let evaluator = state.catalog.evaluator(&caller.tenant);
    let lookup = evaluator.lookup(q);
    let questions = evaluator.bank().questions();
    let best = lookup.best.map(|b| &questions[b.question]);
    Ok(Json(MatchResponse {
        query: q.to_owned(),
        matched: best.is_some(),
        question_id: best.map(|b| b.id.to_string()),
        question: best.map(|b| b.question.to_string()),
        confidence: lookup.best.map(|b| b.confidence),
        min_confidence: MIN_CONFIDENCE,
        alternatives: lookup
            .candidates
            .iter()
            .filter(|c| Some(c.question) != lookup.best.map(|b| b.question))
            .map(|c| MatchCandidate {
                question_id: questions[c.question].id.to_string(),
                question: questions[c.question].question.to_string(),
                confidence: c.confidence,
            })
            .collect(),
    }))
}
