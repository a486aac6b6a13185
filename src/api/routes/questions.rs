//! `GET /v1/questions`, `GET /v1/questions/{id}` and `GET /v1/questions/match`.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::suggestions;
use crate::api::extract::ApiQuery;
use crate::api::problem::ApiError;
use crate::api::AppState;
use crate::bank::Question;
use crate::search::MIN_CONFIDENCE;

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
    /// BM25 relevance to `q`; `null` when not searching.
    relevance: Option<f32>,
}

impl QuestionSummary {
    fn new(question: &Question, relevance: Option<f32>) -> QuestionSummary {
        QuestionSummary {
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
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<QuestionList>, ApiError> {
    let limit = match query.limit {
        Some(0) => return Err(invalid_query("limit must be 1 or more")),
        Some(n) => n.min(MAX_LIMIT),
        None => MAX_LIMIT,
    };
    let questions = state.evaluator.bank().questions();
    let ranked: Vec<(usize, Option<f32>)> = match query.q.as_deref().map(search_text).transpose()? {
        Some(q) => state
            .evaluator
            .search(q, questions.len())
            .map_err(|err| ApiError::Internal(err.into()))?
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
        .map(|(i, relevance)| QuestionSummary::new(&questions[i], relevance))
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
        return Err(invalid_query("q must not be empty"));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(invalid_query(&format!(
            "q must be at most {MAX_QUERY_CHARS} characters"
        )));
    }
    Ok(q)
}

fn invalid_query(detail: &str) -> ApiError {
    ApiError::InvalidQuery {
        detail: detail.to_owned(),
        errors: Vec::new(),
    }
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
    concepts: Vec<ConceptView>,
    red_flags: Vec<RedFlagView>,
    model_answers: Vec<ModelAnswerView>,
}

/// `GET /v1/questions/{id}`: one question with its concepts, red flags and
/// model answers; `404` with the closest ids when unknown.
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<QuestionDetail>, ApiError> {
    let evaluator = &state.evaluator;
    let Some(q) = evaluator.bank().get(&id) else {
        return Err(ApiError::QuestionNotFound {
            suggestions: suggestions(evaluator, &evaluator.suggest(&id)),
            id,
        });
    };
    Ok(Json(QuestionDetail {
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
        model_answers: q
            .model_answers
            .iter()
            .map(|a| ModelAnswerView {
                kind: a.kind,
                text: a.text.to_string(),
            })
            .collect(),
    }))
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
    ApiQuery(query): ApiQuery<MatchQuery>,
) -> Result<Json<MatchResponse>, ApiError> {
    let q = search_text(&query.q)?;
    let lookup = state
        .evaluator
        .lookup(q)
        .map_err(|err| ApiError::Internal(err.into()))?;
    let questions = state.evaluator.bank().questions();
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
