//! `PUT /v1/question-sets/{id}`, `GET /v1/question-sets`: a tenant's named
//! question sets; `POST /v1/assessments`, `GET /v1/assessments/{id}`:
//! sending one to a candidate and reading where it stands. Also what the
//! candidate pages, reports and the Greenhouse API share: links, views and
//! the submission itself.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::auth::{require, Caller};
use crate::api::extract::ApiJson;
use crate::api::problem::{ApiError, FieldError};
use crate::api::AppState;
use crate::assess::{summarise, AnswerResult, Recommendation, ReportLinks, Summary};
use crate::bank::Slug;
use crate::score::RatingThresholds;
use crate::store::{
    now_ms, rfc3339, Assessment, NewAssessment, Principal, QuestionSet, QueuedEvent, Submission,
};

/// Most questions in a set.
pub const MAX_SET_QUESTIONS: usize = 50;
/// Longest set name, in characters.
const MAX_SET_NAME_CHARS: usize = 200;
/// Default and longest time a candidate has, in hours.
const DEFAULT_TIME_LIMIT_HOURS: u64 = 7 * 24;
const MAX_TIME_LIMIT_HOURS: u64 = 90 * 24;
/// Longest candidate reference and name, in characters.
const MAX_CANDIDATE_CHARS: usize = 256;

/// The body of `PUT /v1/question-sets/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutSet {
    name: Option<String>,
    question_ids: Option<Vec<String>>,
    time_limit_hours: Option<u64>,
}

/// A question set as the API shows it.
#[derive(Debug, Serialize)]
pub struct SetView {
    id: String,
    name: String,
    question_ids: Vec<String>,
    time_limit_hours: u64,
    created_at: String,
    updated_at: String,
}

impl SetView {
    fn new(set: QuestionSet) -> SetView {
        SetView {
            time_limit_hours: u64::try_from(set.time_limit_ms / 3_600_000).unwrap_or(0),
            id: set.id,
            name: set.name,
            question_ids: set.question_ids,
            created_at: rfc3339(set.created_ms),
            updated_at: rfc3339(set.updated_ms),
        }
    }
}

/// The body of `GET /v1/question-sets`.
#[derive(Debug, Serialize)]
pub struct SetList {
    question_sets: Vec<SetView>,
}

/// `hours` in ms, with an error at `#/time_limit_hours` unless it is 1 to
/// [`MAX_TIME_LIMIT_HOURS`].
fn time_limit(hours: u64, errors: &mut Vec<FieldError>) -> i64 {
    if !(1..=MAX_TIME_LIMIT_HOURS).contains(&hours) {
        errors.push(FieldError::at(
            &["time_limit_hours"],
            format!("must be 1 to {MAX_TIME_LIMIT_HOURS} (90 days)"),
        ));
    }
    i64::try_from(hours.min(MAX_TIME_LIMIT_HOURS) * 3_600_000).unwrap_or(i64::MAX)
}

fn manages(caller: &Principal) -> Result<(), ApiError> {
    require(
        caller,
        caller.role.writes_questions(),
        "manage question sets or assessments",
    )
}

/// `GET /v1/question-sets`: the tenant's question sets.
pub async fn list_sets(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<SetList>, ApiError> {
    manages(&caller)?;
    let sets = state.store.question_sets(&caller.tenant).await?;
    Ok(Json(SetList {
        question_sets: sets.into_iter().map(SetView::new).collect(),
    }))
}

/// `PUT /v1/question-sets/{id}`: creates (`201`) or replaces (`200`) a
/// set; every question must be one the tenant can evaluate.
pub async fn put_set(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PutSet>,
) -> Result<Response, ApiError> {
    manages(&caller)?;
    let mut errors = Vec::new();
    if let Err(message) = Slug::parse(&id) {
        errors.push(FieldError::at::<&str>(
            &[],
            format!("the id in the path: {message}"),
        ));
    }
    let name = body.name.unwrap_or_default();
    if name.trim().is_empty()
        || name.chars().count() > MAX_SET_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        errors.push(FieldError::at(
            &["name"],
            format!(
                "a name of 1 to {MAX_SET_NAME_CHARS} characters, without control characters, is required"
            ),
        ));
    }
    let ids = body.question_ids.unwrap_or_default();
    if ids.is_empty() || ids.len() > MAX_SET_QUESTIONS {
        errors.push(FieldError::at(
            &["question_ids"],
            format!("name 1 to {MAX_SET_QUESTIONS} questions"),
        ));
    }
    let evaluator = state.catalog.evaluator(&caller.tenant);
    for (i, question_id) in ids.iter().enumerate() {
        if evaluator.bank().get(question_id).is_none() {
            errors.push(FieldError::at(
                &["question_ids", &i.to_string()],
                format!("no question has the id `{question_id}`"),
            ));
        } else if ids[..i].contains(question_id) {
            errors.push(FieldError::at(
                &["question_ids", &i.to_string()],
                format!("`{question_id}` is in the set twice"),
            ));
        }
    }
    let time_limit_ms = time_limit(
        body.time_limit_hours.unwrap_or(DEFAULT_TIME_LIMIT_HOURS),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let set = QuestionSet {
        id,
        name: name.trim().to_owned(),
        question_ids: ids,
        time_limit_ms,
        created_ms: 0,
        updated_ms: 0,
    };
    let created = state.store.put_question_set(&caller.tenant, &set).await?;
    let stored = state
        .store
        .question_set(&caller.tenant, &set.id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a question set vanished after it was written")))?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(SetView::new(stored))).into_response())
}

/// The body of `POST /v1/assessments`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAssessment {
    question_set_id: Option<String>,
    candidate_ref: Option<String>,
    candidate_name: Option<String>,
    time_limit_hours: Option<u64>,
    callback_url: Option<String>,
}

/// A question of an assessment, for its sender.
#[derive(Debug, Serialize)]
pub struct AssessmentQuestion {
    position: i64,
    question_id: String,
    question: String,
    answered: bool,
    score: Option<f64>,
    rating: Option<String>,
}

/// The callback owed to the ATS that sent an assessment.
#[derive(Debug, Serialize)]
pub struct CallbackView {
    url: String,
    status: Option<String>,
    attempts: i64,
    error: Option<String>,
}

/// An assessment as its sender sees it.
#[derive(Debug, Serialize)]
pub struct AssessmentView {
    id: String,
    status: &'static str,
    question_set: SetRef,
    source: String,
    candidate_ref: Option<String>,
    candidate_name: Option<String>,
    created_at: String,
    deadline: String,
    started_at: Option<String>,
    submitted_at: Option<String>,
    score: Option<f64>,
    rating: Option<String>,
    recommendation: Option<Recommendation>,
    /// The candidate's page; shown once, when the assessment is created
    /// (only a digest of its token is kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    candidate_url: Option<String>,
    /// The recruiter's report page, signed and expiring.
    report_url: String,
    report_url_expires_at: String,
    questions: Vec<AssessmentQuestion>,
    callback: Option<CallbackView>,
    partner_error: Option<String>,
}

/// A question set named in a view.
#[derive(Debug, Serialize)]
pub struct SetRef {
    id: String,
    name: String,
}

impl SetRef {
    /// The set `assessment` was sent from.
    pub(crate) fn new(assessment: &Assessment) -> SetRef {
        SetRef {
            id: assessment.question_set_id.clone(),
            name: assessment.question_set_name.clone(),
        }
    }
}

/// The stored summary of a completed assessment.
pub(crate) fn stored_summary(assessment: &Assessment) -> Option<serde_json::Value> {
    assessment
        .report
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
}

/// The recommendation stored with a submitted assessment; `None` before.
pub(crate) fn recommendation(assessment: &Assessment) -> Option<Recommendation> {
    let mut summary = stored_summary(assessment)?;
    serde_json::from_value(summary.get_mut("recommendation")?.take()).ok()
}

impl AssessmentView {
    /// The view of `assessment`, with a fresh report link from `links`.
    pub(crate) fn new(
        state: &AppState,
        links: &ReportLinks,
        base: &str,
        assessment: Assessment,
        candidate_url: Option<String>,
    ) -> AssessmentView {
        let now = now_ms();
        let (report_url, expires) = report_url(state, links, base, &assessment.id);
        let recommendation = recommendation(&assessment)
            .or_else(|| (assessment.state(now) != "completed").then(Recommendation::undecided));
        let questions = assessment
            .answers
            .iter()
            .map(|a| {
                let result: Option<serde_json::Value> =
                    a.result.as_deref().and_then(|r| serde_json::from_str(r).ok());
                AssessmentQuestion {
                    position: a.position,
                    question_id: a.question_id.clone(),
                    question: a.question.clone(),
                    answered: a.answer.as_deref().is_some_and(|t| !t.trim().is_empty()),
                    score: result
                        .as_ref()
                        .and_then(|r| r.get("score"))
                        .and_then(|s| s.as_f64()),
                    rating: result
                        .as_ref()
                        .and_then(|r| r.get("rating"))
                        .and_then(|s| s.as_str())
                        .map(str::to_owned),
                }
            })
            .collect();
        AssessmentView {
            status: assessment.state(now),
            question_set: SetRef {
                id: assessment.question_set_id,
                name: assessment.question_set_name,
            },
            source: assessment.source,
            candidate_ref: assessment.candidate_ref,
            candidate_name: assessment.candidate_name,
            created_at: rfc3339(assessment.created_ms),
            deadline: rfc3339(assessment.deadline_ms),
            started_at: assessment.started_ms.map(rfc3339),
            submitted_at: assessment.submitted_ms.map(rfc3339),
            score: assessment.score,
            rating: assessment.rating,
            recommendation,
            candidate_url,
            report_url,
            report_url_expires_at: rfc3339(expires * 1000),
            questions,
            callback: assessment.callback_url.map(|url| CallbackView {
                url,
                status: assessment.callback_status,
                attempts: assessment.callback_attempts,
                error: assessment.callback_error,
            }),
            partner_error: assessment.partner_error,
            id: assessment.id,
        }
    }
}

/// The URL this service is reached at, for links it hands out: the
/// configured public URL, else the request's `Host` over http.
pub(crate) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .map_or_else(|| state.config.listen.to_string(), str::to_owned);
    format!("http://{host}")
}

/// The signer of report links, read from the store on first use.
pub(crate) async fn links(state: &AppState) -> Result<&ReportLinks, ApiError> {
    state
        .links
        .get_or_try_init(|| async {
            let secret = state.store.report_link_secret().await?;
            Ok::<_, ApiError>(ReportLinks::new(&secret))
        })
        .await
}

/// A signed link to the report of assessment `id`, and when it expires (Unix s).
pub(crate) fn report_url(state: &AppState, links: &ReportLinks, base: &str, id: &str) -> (String, i64) {
    let ttl = i64::try_from(state.config.report_link_ttl.as_secs()).unwrap_or(i64::MAX / 2);
    let expires = now_ms() / 1000 + ttl;
    (format!("{base}/r/{id}?{}", links.query(id, expires)), expires)
}

/// Who an assessment is for and who sent it.
#[derive(Debug)]
pub(crate) struct Invitation {
    /// `api` or `greenhouse`.
    pub source: &'static str,
    /// The sender's reference for the candidate.
    pub candidate_ref: Option<String>,
    /// The candidate's name.
    pub candidate_name: Option<String>,
    /// Overrides the set's time limit.
    pub time_limit_ms: Option<i64>,
    /// The ATS's callback URL.
    pub callback_url: Option<String>,
    /// The URL links start with, from the sender's request.
    pub link_base: String,
}

/// Creates an assessment of `set` for a candidate; `Ok((assessment, token))`.
pub(crate) async fn send(
    state: &AppState,
    tenant: &str,
    set: QuestionSet,
    invitation: Invitation,
) -> Result<(Assessment, String), ApiError> {
    let evaluator = state.catalog.evaluator(tenant);
    let mut wordings = Vec::with_capacity(set.question_ids.len());
    for id in &set.question_ids {
        match evaluator.bank().get(id) {
            Some(q) => wordings.push(q.question.to_string()),
            None => {
                return Err(ApiError::field(
                    &["question_set_id"],
                    format!("the set names `{id}`, which is no longer a question; replace the set"),
                ))
            }
        }
    }
    let deadline_ms = now_ms().saturating_add(invitation.time_limit_ms.unwrap_or(set.time_limit_ms));
    Ok(state
        .store
        .create_assessment(NewAssessment {
            tenant: tenant.to_owned(),
            question_set: set,
            wordings,
            source: invitation.source,
            candidate_ref: invitation.candidate_ref,
            candidate_name: invitation.candidate_name,
            deadline_ms,
            callback_url: invitation.callback_url,
            link_base: Some(invitation.link_base),
        })
        .await?)
}

/// Checks an optional candidate reference or name at the pointer `field`.
pub(crate) fn check_candidate_text(value: &Option<String>, field: &[&str], errors: &mut Vec<FieldError>) {
    if let Some(text) = value {
        let chars = text.chars().count();
        if text.trim().is_empty() || chars > MAX_CANDIDATE_CHARS || text.chars().any(char::is_control) {
            errors.push(FieldError::at(
                field,
                format!("must be 1 to {MAX_CANDIDATE_CHARS} characters, without control characters"),
            ));
        }
    }
}

/// `POST /v1/assessments`: sends a question set to a candidate (`201`),
/// returning the candidate's link (shown only now) and the report link.
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateAssessment>,
) -> Result<Response, ApiError> {
    manages(&caller)?;
    let mut errors = Vec::new();
    check_candidate_text(&body.candidate_ref, &["candidate_ref"], &mut errors);
    check_candidate_text(&body.candidate_name, &["candidate_name"], &mut errors);
    if let Some(url) = &body.callback_url {
        if let Err(message) = crate::webhooks::check_url(url) {
            errors.push(FieldError::at(&["callback_url"], message));
        }
    }
    let time_limit_ms = body.time_limit_hours.map(|h| time_limit(h, &mut errors));
    let Some(set_id) = body.question_set_id else {
        errors.push(FieldError::at(
            &["question_set_id"],
            "a question_set_id is required",
        ));
        return Err(ApiError::fields(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let set = state
        .store
        .question_set(&caller.tenant, &set_id)
        .await?
        .ok_or(ApiError::QuestionSetNotFound(set_id))?;
    let base = base_url(&state, &headers);
    let (assessment, token) = send(
        &state,
        &caller.tenant,
        set,
        Invitation {
            source: "api",
            candidate_ref: body.candidate_ref,
            candidate_name: body.candidate_name,
            time_limit_ms,
            callback_url: body.callback_url,
            link_base: base.clone(),
        },
    )
    .await?;
    let links = links(&state).await?;
    let candidate_url = format!("{base}/a/{token}");
    let view = AssessmentView::new(&state, links, &base, assessment, Some(candidate_url));
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// `GET /v1/assessments/{id}`: where an assessment stands, with a fresh
/// report link.
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<AssessmentView>, ApiError> {
    manages(&caller)?;
    let assessment = state
        .store
        .assessment(&caller.tenant, &id)
        .await?
        .ok_or_else(|| {
            ApiError::AssessmentNotFound(format!("no assessment of this tenant has the id `{id}`"))
        })?;
    let base = base_url(&state, &headers);
    let links = links(&state).await?;
    Ok(Json(AssessmentView::new(&state, links, &base, assessment, None)))
}

/// `DELETE /v1/assessments/{id}`: erases an assessment, its answers and
/// evaluations (`204`); its candidate and report links stop working.
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    manages(&caller)?;
    if state.store.delete_assessment(&caller.tenant, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::AssessmentNotFound(format!(
            "no assessment of this tenant has the id `{id}`"
        )))
    }
}

/// Evaluates every answer of `assessment` and stores the submission, once:
/// returning when; `Ok(None)` when it was submitted already. Queues `assessment.completed`
/// and the ATS callback, whose report links start with the configured
/// public URL or the one the sender's request used: never the Host of the
/// candidate's request, which the candidate controls.
pub(crate) async fn submit(state: &AppState, assessment: &Assessment) -> Result<Option<i64>, ApiError> {
    let base = state
        .config
        .public_url
        .clone()
        .or_else(|| assessment.link_base.clone())
        .unwrap_or_else(|| format!("http://{}", state.config.listen));
    let base = base.trim_end_matches('/');
    let evaluator = state.catalog.evaluator(&assessment.tenant);
    let answers = assessment.answers.clone();
    let (summary, results) = tokio::task::spawn_blocking(move || {
        let evaluations: Vec<Option<crate::Evaluation>> = answers
            .iter()
            .map(|a| {
                let text = a.answer.as_deref().filter(|t| !t.trim().is_empty())?;
                // Answers were checked when saved, and the set's questions
                // when sent; a question deleted since is left unscored.
                evaluator
                    .evaluate(&a.question_id, text)
                    .map_err(|err| tracing::warn!(error = %err, question = %a.question_id, "an assessment answer could not be evaluated"))
                    .ok()
            })
            .collect();
        let results: Vec<AnswerResult<'_>> = evaluations
            .iter()
            .map(|e| AnswerResult {
                evaluation: e.as_ref(),
            })
            .collect();
        let summary = summarise(&results, RatingThresholds::default());
        let stored: Vec<(i64, String)> = answers
            .iter()
            .zip(&evaluations)
            .filter_map(|(a, e)| Some((a.position, serde_json::to_string(e.as_ref()?).ok()?)))
            .collect();
        (summary, stored)
    })
    .await
    .map_err(|err| ApiError::Internal(err.into()))?;
    let report = serde_json::to_string(&summary).map_err(|err| ApiError::Internal(err.into()))?;
    let links = links(state).await?;
    let callback_body = assessment
        .callback_url
        .as_ref()
        .map(|_| super::greenhouse::status_body(state, links, base, assessment, Some(&summary)).to_string());
    let submission = Submission {
        score: summary.score,
        rating: summary.rating.as_str().to_owned(),
        report,
        results,
        callback_body,
    };
    let event = completed_event(state, assessment, &summary, links, base);
    let submitted = state
        .store
        .complete_assessment(&assessment.id, &submission, event.as_ref())
        .await?;
    Ok(submitted)
}

/// `assessment.completed` for the tenant's webhook endpoints, unless none listens.
fn completed_event(
    state: &AppState,
    assessment: &Assessment,
    summary: &Summary,
    links: &ReportLinks,
    base: &str,
) -> Option<QueuedEvent> {
    let (report_url, _) = report_url(state, links, base, &assessment.id);
    let data = serde_json::json!({
        "assessment_id": assessment.id,
        "question_set_id": assessment.question_set_id,
        "candidate_ref": assessment.candidate_ref,
        "score": summary.score,
        "rating": summary.rating,
        "recommendation": summary.recommendation,
        "questions": summary.questions,
        "answered": summary.answered,
        "red_flags": summary.red_flags,
        "report_url": report_url,
    });
    state
        .subscribers
        .event(&assessment.tenant, "assessment.completed", &data)
}
