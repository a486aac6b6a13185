//! `POST /v1/evaluate` and `POST /v1/evaluate/batch`.
//!
//! A request names the question by `question_id`, by a free-text
//! `question` wording, or brings its own `rubric` (a question and reference
//! answers, optionally concepts and red flags); either way the body is
//! parsed into a [`ValidRequest`] before the evaluator sees it.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::{Deserialize, Serialize};

use super::suggestions;
use crate::api::auth::Caller;
use crate::api::extract::{pointer_path, ApiJson};
use crate::api::idempotency::Completed;
use crate::api::middleware::RequestId;
use crate::api::problem::{ApiError, FieldError, Problem};
use crate::api::{AppState, Config};
use crate::rubric::RubricSpec;
use crate::score::{EvaluateOptions, Evaluation, RatingThresholds};
use crate::store::{
    now_ms, Claim, Completion, EvaluationRecord, Principal, QueuedEvent, Recorded, StoredResponse,
};
use crate::Evaluator;

/// Answers up to this many bytes are evaluated on the request's own task;
/// longer ones move to the blocking pool so they never stall other requests.
const INLINE_ANSWER_BYTES: usize = 8 * 1024;
/// Most items in one batch.
pub const MAX_BATCH_ITEMS: usize = 100;
/// Longest `question` wording, in characters.
const MAX_WORDING_CHARS: usize = 1_000;
/// Longest `question_id`, in characters.
const MAX_ID_CHARS: usize = 200;
/// Longest `candidate_ref`, in characters.
const MAX_CANDIDATE_REF_CHARS: usize = 256;

/// The body of `POST /v1/evaluate`, as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    question_id: Option<String>,
    question: Option<String>,
    rubric: Option<RubricSpec>,
    answer: Option<String>,
    candidate_ref: Option<String>,
    rating_thresholds: Option<ThresholdsRequest>,
}

/// Rating thresholds as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdsRequest {
    no: f64,
    yes: f64,
    strong_yes: f64,
}

/// Which question an answer is to.
#[derive(Debug)]
enum Target {
    /// A bank id.
    Id(String),
    /// A free-text wording to look up.
    Wording(String),
    /// The caller's own rubric, and where it sits in the request.
    Rubric(Box<RubricSpec>, Vec<String>),
}

/// A request that passed validation.
#[derive(Debug)]
pub struct ValidRequest {
    target: Target,
    answer: String,
    candidate_ref: Option<String>,
    thresholds: RatingThresholds,
}

impl ValidRequest {
    /// Bytes of text the evaluation reads: the answer, and any references
    /// and concepts a rubric brings.
    fn work_bytes(&self) -> usize {
        let rubric = match &self.target {
            Target::Rubric(spec, _) => {
                spec.reference_answers.iter().map(String::len).sum::<usize>()
                    + spec
                        .concepts
                        .iter()
                        .flatten()
                        .flat_map(|c| &c.aliases)
                        .map(String::len)
                        .sum::<usize>()
            }
            Target::Id(_) | Target::Wording(_) => 0,
        };
        self.answer.len() + rubric
    }
}

impl EvaluateRequest {
    /// Checks every field, reporting all problems at once; `at` is the
    /// pointer prefix (empty for a single request, `items/3` in a batch).
    fn validate(self, config: &Config, at: &[String]) -> Result<ValidRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let field = |name: &str| -> Vec<String> { at.iter().cloned().chain([name.to_owned()]).collect() };
        let target = match (self.question_id, self.question, self.rubric) {
            (question_id, question, Some(rubric)) => {
                if question_id.is_some() || question.is_some() {
                    let name = if question_id.is_some() {
                        "question_id"
                    } else {
                        "question"
                    };
                    errors.push(FieldError::at(
                        &field(name),
                        format!("send either {name} or rubric (whose question goes inside it), not both"),
                    ));
                }
                Some(Target::Rubric(Box::new(rubric), field("rubric")))
            }
            (Some(_), Some(_), None) => {
                errors.push(FieldError::at(
                    &field("question"),
                    "send either question_id or question, not both",
                ));
                None
            }
            (None, None, None) => {
                errors.push(FieldError::at(
                    &field("question_id"),
                    "a question_id (or a free-text question, or a rubric) is required",
                ));
                None
            }
            (Some(id), None, None) => {
                let id = id.trim().to_owned();
                if id.is_empty() || id.chars().count() > MAX_ID_CHARS {
                    errors.push(FieldError::at(
                        &field("question_id"),
                        format!("must be 1 to {MAX_ID_CHARS} characters"),
                    ));
                }
                Some(Target::Id(id))
            }
            (None, Some(wording), None) => {
                if wording.trim().is_empty() || wording.chars().count() > MAX_WORDING_CHARS {
                    errors.push(FieldError::at(
                        &field("question"),
                        format!("must be 1 to {MAX_WORDING_CHARS} characters, not all blank"),
                    ));
                }
                Some(Target::Wording(wording))
            }
        };
        match &self.answer {
            None => errors.push(FieldError::at(&field("answer"), "an answer is required")),
            Some(answer) if answer.trim().is_empty() => {
                errors.push(FieldError::at(&field("answer"), "the answer is empty"))
            }
            Some(answer) if answer.len() > config.max_answer_bytes => {
                errors.push(FieldError::at(&field("answer"), too_long(answer, config)))
            }
            Some(_) => {}
        }
        if let Some(reference) = &self.candidate_ref {
            let chars = reference.chars().count();
            if chars == 0 || chars > MAX_CANDIDATE_REF_CHARS || reference.chars().any(char::is_control) {
                errors.push(FieldError::at(
                    &field("candidate_ref"),
                    format!("must be 1 to {MAX_CANDIDATE_REF_CHARS} characters, without control characters"),
                ));
            }
        }
        let thresholds = match self.rating_thresholds {
            None => RatingThresholds::default(),
            Some(t) => RatingThresholds::new(t.no, t.yes, t.strong_yes).unwrap_or_else(|err| {
                errors.push(FieldError::at(&field("rating_thresholds"), err.to_string()));
                RatingThresholds::default()
            }),
        };
        match (target, self.answer) {
            (Some(target), Some(answer)) if errors.is_empty() => Ok(ValidRequest {
                target,
                answer,
                candidate_ref: self.candidate_ref,
                thresholds,
            }),
            _ => Err(errors),
        }
    }
}

/// Why `answer` is refused as longer than the server takes.
pub(super) fn too_long(answer: &str, config: &Config) -> String {
    format!(
        "the answer is {} bytes long; the limit is {} bytes",
        answer.len(),
        config.max_answer_bytes
    )
}

/// The question an evaluation was made against.
#[derive(Debug, Serialize)]
pub struct QuestionMatchResponse {
    /// The wording sent.
    query: String,
    /// How sure the lookup is, 0–1.
    confidence: f32,
    /// Other questions the wording might mean, best first.
    alternatives: Vec<Alternative>,
}

/// A question a wording might mean.
#[derive(Debug, Serialize)]
pub struct Alternative {
    question_id: String,
    question: String,
    confidence: f32,
}

/// The body of a successful evaluation: the library's [`Evaluation`] plus
/// what the API adds.
#[derive(Debug, Serialize)]
pub struct EvaluateResponse {
    #[serde(flatten)]
    evaluation: Evaluation,
    /// The question's canonical wording.
    question: String,
    /// How a free-text `question` was matched; `null` for a `question_id`
    /// or a `rubric`.
    question_match: Option<QuestionMatchResponse>,
    /// The caller's reference, echoed.
    candidate_ref: Option<String>,
    /// The id of the stored record (`GET /v1/evaluations/{id}`); `null`
    /// when the server does not record evaluations.
    evaluation_id: Option<String>,
}

/// Evaluates a valid request.
fn evaluate_valid(evaluator: &Evaluator, request: &ValidRequest) -> Result<EvaluateResponse, ApiError> {
    let (evaluation, question_match) = match &request.target {
        Target::Id(id) => {
            if evaluator.bank().get(id).is_none() {
                return Err(ApiError::QuestionNotFound {
                    id: id.clone(),
                    suggestions: suggestions(evaluator, &evaluator.suggest(id)),
                });
            }
            let options = EvaluateOptions {
                thresholds: request.thresholds,
                asked: None,
            };
            (
                evaluator
                    .evaluate_with(id, &request.answer, &options)
                    .map_err(library_error)?,
                None,
            )
        }
        Target::Rubric(spec, at) => {
            let question = evaluator.prepare(spec).map_err(|problems| {
                ApiError::fields(
                    problems
                        .into_iter()
                        .map(|p| {
                            let path: Vec<&str> = at
                                .iter()
                                .map(String::as_str)
                                .chain(p.path.iter().map(String::as_str))
                                .collect();
                            FieldError::at(&path, p.message)
                        })
                        .collect(),
                )
            })?;
            let evaluation = evaluator
                .evaluate_ad_hoc(&question, &request.answer, request.thresholds)
                .map_err(library_error)?;
            return Ok(EvaluateResponse {
                evaluation,
                question: question.question().question.to_string(),
                question_match: None,
                candidate_ref: request.candidate_ref.clone(),
                evaluation_id: None,
            });
        }
        Target::Wording(wording) => {
            let found = evaluator
                .evaluate_wording(wording, &request.answer, request.thresholds)
                .map_err(|err| match err {
                    crate::Error::UnknownQuestion { suggestions: ids, .. } => {
                        ApiError::QuestionNotRecognised {
                            wording: wording.clone(),
                            suggestions: suggestions(evaluator, &ids),
                        }
                    }
                    other => library_error(other),
                })?;
            let alternatives = found
                .candidates
                .iter()
                .filter(|c| c.question != found.matched.question)
                .map(|c| {
                    let q = &evaluator.bank().questions()[c.question];
                    Alternative {
                        question_id: q.id.to_string(),
                        question: q.question.to_string(),
                        confidence: c.confidence,
                    }
                })
                .collect();
            let question_match = QuestionMatchResponse {
                query: wording.clone(),
                confidence: found.matched.confidence,
                alternatives,
            };
            (found.evaluation, Some(question_match))
        }
    };
    let question = evaluator
        .bank()
        .get(&evaluation.question_id)
        .map(|q| q.question.to_string())
        .unwrap_or_default();
    Ok(EvaluateResponse {
        evaluation,
        question,
        question_match,
        candidate_ref: request.candidate_ref.clone(),
        evaluation_id: None,
    })
}

/// Gives `response` a record id and returns the record to store, when the
/// server records evaluations.
fn record(
    state: &AppState,
    caller: &Principal,
    answer: &str,
    response: &mut EvaluateResponse,
) -> Result<Option<EvaluationRecord>, ApiError> {
    if !state.config.records {
        return Ok(None);
    }
    let id = uuid::Uuid::now_v7().to_string();
    response.evaluation_id = Some(id.clone());
    let result = serde_json::to_string(&*response).map_err(|err| ApiError::Internal(err.into()))?;
    Ok(Some(EvaluationRecord {
        id,
        tenant: caller.tenant.clone(),
        key_id: caller.key_id.clone(),
        question_id: response.evaluation.question_id.clone(),
        candidate_ref: response.candidate_ref.clone(),
        answer: state.config.store_answers.then(|| answer.to_owned()),
        score: response.evaluation.score,
        rating: response.evaluation.rating.as_str().to_owned(),
        result,
        scoring_version: response.evaluation.scoring_version.to_owned(),
        created_ms: now_ms(),
    }))
}

/// A `200` JSON response whose records are stored, whose idempotency key
/// (if any) is completed and whose webhook `events` (all of one type) are
/// queued, in one transaction before it is sent.
async fn respond_recorded<T: Serialize>(
    state: &AppState,
    caller: &Principal,
    claim: Option<&Claim>,
    records: &[EvaluationRecord],
    events: Vec<QueuedEvent>,
    body: &T,
) -> Result<Response, ApiError> {
    let body = serde_json::to_string(body).map_err(|err| ApiError::Internal(err.into()))?;
    let stored = claim.map(|_| StoredResponse {
        status: 200,
        content_type: "application/json".to_owned(),
        body: body.clone(),
    });
    let completion = claim
        .zip(stored.as_ref())
        .map(|(claim, response)| Completion { claim, response });
    let event = events.first().map(|e| e.event.clone());
    match state
        .store
        .record_evaluations(records, completion, events)
        .await?
    {
        Recorded::LeaseLost => {
            // Another request took the key over after this one's lease ran out.
            let key = claim.map(|c| c.idempotency_key.clone()).unwrap_or_default();
            return Err(ApiError::IdempotencyInProgress(key));
        }
        Recorded::Stored { deliveries } => {
            if let Some(event) = event {
                state.subscribers.queued(&caller.tenant, &event, deliveries);
            }
        }
    }
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response();
    if claim.is_some() {
        response.extensions_mut().insert(Completed);
    }
    Ok(response)
}

/// `evaluation.completed` for the tenant's webhook endpoints, unless none listens.
fn completed(state: &AppState, caller: &Principal, response: &EvaluateResponse) -> Option<QueuedEvent> {
    let data = serde_json::json!({
        "evaluation_id": response.evaluation_id,
        "question_id": response.evaluation.question_id,
        "candidate_ref": response.candidate_ref,
        "score": response.evaluation.score,
        "rating": response.evaluation.rating,
        "scoring_version": response.evaluation.scoring_version,
    });
    state
        .subscribers
        .event(&caller.tenant, "evaluation.completed", &data)
}

/// A library error that validation should have prevented, or a failure inside.
pub(super) fn library_error(err: crate::Error) -> ApiError {
    match err {
        crate::Error::AnswerTooLong { .. } => ApiError::field(&["answer"], err.to_string()),
        crate::Error::InvalidThresholds { .. } => ApiError::field(&["rating_thresholds"], err.to_string()),
        other => ApiError::Internal(other.into()),
    }
}

/// `POST /v1/evaluate` (and `POST /evaluate`): one answer.
pub async fn evaluate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    claim: Option<Extension<Claim>>,
    ApiJson(body): ApiJson<EvaluateRequest>,
) -> Result<Response, ApiError> {
    let request = body.validate(&state.config, &[]).map_err(ApiError::fields)?;
    let evaluator = state.catalog.evaluator(&caller.tenant);
    let (mut response, request) = if request.work_bytes() <= INLINE_ANSWER_BYTES {
        (evaluate_valid(&evaluator, &request)?, request)
    } else {
        tokio::task::spawn_blocking(move || evaluate_valid(&evaluator, &request).map(|r| (r, request)))
            .await
            .map_err(|err| ApiError::Internal(err.into()))??
    };
    let records: Vec<EvaluationRecord> = record(&state, &caller, &request.answer, &mut response)?
        .into_iter()
        .collect();
    let events = completed(&state, &caller, &response).into_iter().collect();
    let sent = respond_recorded(&state, &caller, claim.as_deref(), &records, events, &response).await?;
    state.metrics.observe_evaluation(response.evaluation.rating);
    Ok(sent)
}

/// The body of `POST /v1/evaluate/batch`, as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    items: Option<Vec<serde_json::Value>>,
}

/// One item's outcome: an evaluation or a problem, never both.
#[derive(Debug, Serialize)]
pub struct BatchResult {
    /// The item's position in the request.
    index: usize,
    /// The status the item would have had on its own.
    status: u16,
    /// The evaluation, when it succeeded.
    result: Option<EvaluateResponse>,
    /// The problem, when it failed.
    problem: Option<Problem>,
}

/// The body of a batch response.
#[derive(Debug, Serialize)]
pub struct BatchResponse {
    /// One result per item, in request order.
    results: Vec<BatchResult>,
    /// Items evaluated.
    succeeded: usize,
    /// Items refused.
    failed: usize,
}

/// `POST /v1/evaluate/batch`: up to [`MAX_BATCH_ITEMS`] answers, each
/// succeeding or failing on its own.
pub async fn batch(
    State(state): State<AppState>,
    Caller(caller): Caller,
    claim: Option<Extension<Claim>>,
    request_id: Option<Extension<RequestId>>,
    ApiJson(body): ApiJson<BatchRequest>,
) -> Result<Response, ApiError> {
    let items = match body.items {
        None => return Err(ApiError::field(&["items"], "items is required")),
        Some(items) if items.is_empty() || items.len() > MAX_BATCH_ITEMS => {
            return Err(ApiError::field(
                &["items"],
                format!("send 1 to {MAX_BATCH_ITEMS} items, not {}", items.len()),
            ))
        }
        Some(items) => items,
    };
    let request_id = request_id.map(|Extension(id)| id.0);
    let worker_state = state.clone();
    let caller_for_events = caller.clone();
    let evaluator = state.catalog.evaluator(&caller.tenant);
    let (results, records) = tokio::task::spawn_blocking(move || {
        let mut records = Vec::new();
        let results = items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                let (result, record) = batch_item(
                    &worker_state,
                    &evaluator,
                    &caller,
                    index,
                    item,
                    request_id.as_deref(),
                );
                records.extend(record);
                result
            })
            .collect::<Vec<_>>();
        (results, records)
    })
    .await
    .map_err(|err| ApiError::Internal(err.into()))?;
    let succeeded = results.iter().filter(|r| r.result.is_some()).count();
    let body = BatchResponse {
        failed: results.len() - succeeded,
        succeeded,
        results,
    };
    let evaluated = || body.results.iter().filter_map(|r| r.result.as_ref());
    let events = evaluated()
        .filter_map(|result| completed(&state, &caller_for_events, result))
        .collect();
    let sent = respond_recorded(
        &state,
        &caller_for_events,
        claim.as_deref(),
        &records,
        events,
        &body,
    )
    .await?;
    for result in evaluated() {
        state.metrics.observe_evaluation(result.evaluation.rating);
    }
    Ok(sent)
}

/// Parses, validates and evaluates one batch item, with the record to store.
fn batch_item(
    state: &AppState,
    evaluator: &Evaluator,
    caller: &Principal,
    index: usize,
    item: serde_json::Value,
    request_id: Option<&str>,
) -> (BatchResult, Option<EvaluationRecord>) {
    let at = vec!["items".to_owned(), index.to_string()];
    let outcome = parse_item(item, &at)
        .and_then(|request| request.validate(&state.config, &at).map_err(ApiError::fields))
        .and_then(|request| {
            let mut response = evaluate_valid(evaluator, &request)?;
            let record = record(state, caller, &request.answer, &mut response)?;
            Ok((response, record))
        });
    match outcome {
        Ok((response, record)) => (
            BatchResult {
                index,
                status: 200,
                result: Some(response),
                problem: None,
            },
            record,
        ),
        Err(err) => {
            let mut problem = err.to_problem();
            problem.request_id = request_id.map(str::to_owned);
            let result = BatchResult {
                index,
                status: problem.status,
                result: None,
                problem: Some(problem),
            };
            (result, None)
        }
    }
}

/// One item as an [`EvaluateRequest`], with errors pointing into the batch.
fn parse_item(item: serde_json::Value, at: &[String]) -> Result<EvaluateRequest, ApiError> {
    if !item.is_object() {
        return Err(ApiError::field(at, "each item must be a JSON object"));
    }
    serde_path_to_error::deserialize(item).map_err(|err| {
        let path: Vec<String> = at.iter().cloned().chain(pointer_path(err.path())).collect();
        ApiError::field(&path, err.into_inner().to_string())
    })
}
