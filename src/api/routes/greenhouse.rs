//! The partner side of Greenhouse's Assessment Partner API, under
//! `/greenhouse/`: `list_tests` (the tenant's question sets), `send_test`
//! (an assessment for a candidate, with Greenhouse's callback `url`),
//! `test_status` and `response_error`.
//!
//! Greenhouse authenticates with HTTP Basic: the tenant's API key as the
//! user name, an empty password. When a candidate submits, the sender
//! PATCHes the callback `url` with the same body `test_status` returns;
//! Greenhouse also polls `test_status`.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::assessments::{
    base_url, check_candidate_text, links, recommendation, report_url, send, stored_summary, Invitation,
};
use crate::api::extract::ApiJson;
use crate::api::problem::{ApiError, FieldError};
use crate::api::AppState;
use crate::assess::{ReportLinks, Summary};
use crate::store::{now_ms, Assessment, Principal};

/// Longest message kept from `response_error`, in characters.
const MAX_PARTNER_ERROR_CHARS: usize = 2_000;

/// The tenant a Greenhouse request acts for: its API key, sent as the
/// Basic user name. Candidate keys may not act as a partner.
async fn partner(state: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let refuse = |detail: &str| ApiError::PartnerUnauthorized(detail.to_owned());
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| refuse("send the API key as HTTP Basic user name, with an empty password"))?
        .to_str()
        .map_err(|_| refuse("the Authorization header is not readable"))?;
    let (scheme, encoded) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| refuse("send `Authorization: Basic base64(<key>:)`"))?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(refuse("send `Authorization: Basic base64(<key>:)`"));
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| refuse("the Basic credentials are not base64 of `<key>:`"))?;
    let key = decoded.split_once(':').map_or(decoded.as_str(), |(user, _)| user);
    let principal = state
        .auth
        .verify(&state.store, key)
        .await?
        .ok_or_else(|| refuse("the API key is not valid or was revoked"))?;
    if !principal.role.writes_questions() {
        return Err(ApiError::Forbidden(format!(
            "a key with the role `{}` may not act as an assessment partner; use an admin or integration key",
            principal.role
        )));
    }
    state.auth.admit(&principal)?;
    Ok(principal)
}

/// `GET /greenhouse/list_tests`: the tenant's question sets as Greenhouse tests.
pub async fn list_tests(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let caller = partner(&state, &headers).await?;
    let sets = state.store.question_sets(&caller.tenant).await?;
    Ok(Json(Value::Array(
        sets.into_iter()
            .map(|s| json!({"partner_test_id": s.id, "partner_test_name": s.name}))
            .collect(),
    )))
}

/// The candidate as Greenhouse sends it.
#[derive(Debug, Default, Deserialize)]
pub struct GreenhouseCandidate {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
}

/// The body of `POST /greenhouse/send_test`. Fields Greenhouse adds that
/// Assay does not use are ignored.
#[derive(Debug, Deserialize)]
pub struct SendTest {
    partner_test_id: Option<String>,
    candidate: Option<GreenhouseCandidate>,
    url: Option<String>,
}

/// `POST /greenhouse/send_test`: creates the assessment; Assay emails
/// nothing, and returns the candidate's link beside `partner_interview_id`.
/// Sent again with the same callback `url`, it returns the same assessment.
pub async fn send_test(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<ApiJson<SendTest>, ApiError>,
) -> Result<Response, ApiError> {
    // The key first: a caller without one learns nothing about the body.
    let caller = partner(&state, &headers).await?;
    let ApiJson(body) = body?;
    let mut errors = Vec::new();
    let candidate = body.candidate.unwrap_or_default();
    let name = [candidate.first_name.as_deref(), candidate.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let name = (!name.is_empty()).then_some(name);
    let email = candidate.email.filter(|e| !e.trim().is_empty());
    check_candidate_text(&name, &["candidate", "first_name"], &mut errors);
    check_candidate_text(&email, &["candidate", "email"], &mut errors);
    if let Some(url) = &body.url {
        if let Err(message) = crate::webhooks::check_url(url) {
            errors.push(FieldError::at(&["url"], message));
        }
    }
    let Some(test_id) = body.partner_test_id else {
        errors.push(FieldError::at(
            &["partner_test_id"],
            "a partner_test_id is required",
        ));
        return Err(ApiError::fields(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    if let Some(url) = &body.url {
        if let Some(existing) = state.store.assessment_by_callback(&caller.tenant, url).await? {
            return Ok(Json(json!({"partner_interview_id": existing.id})).into_response());
        }
    }
    let set = state
        .store
        .question_set(&caller.tenant, &test_id)
        .await?
        .ok_or(ApiError::QuestionSetNotFound(test_id))?;
    let base = base_url(&state, &headers);
    let (assessment, token) = send(
        &state,
        &caller.tenant,
        set,
        Invitation {
            source: "greenhouse",
            candidate_ref: email,
            candidate_name: name,
            time_limit_ms: None,
            callback_url: body.url,
            link_base: base.clone(),
        },
    )
    .await?;
    Ok(Json(json!({
        "partner_interview_id": assessment.id,
        "candidate_url": format!("{base}/a/{token}"),
    }))
    .into_response())
}

/// Greenhouse's `partner_status` for an assessment.
fn partner_status(assessment: &Assessment) -> &'static str {
    match assessment.state(now_ms()) {
        "completed" => "complete",
        other => other,
    }
}

/// The body of `test_status` (and of the PATCH to the callback URL): status,
/// the report page, the score and flat metadata. `summary` is the result
/// of a submission being stored now; otherwise the stored one is read.
pub(crate) fn status_body(
    state: &AppState,
    links: &ReportLinks,
    base: &str,
    assessment: &Assessment,
    summary: Option<&Summary>,
) -> Value {
    let (profile_url, _) = report_url(state, links, base, &assessment.id);
    let stored = match summary {
        Some(summary) => serde_json::to_value(summary).ok(),
        None => stored_summary(assessment),
    };
    let status = if summary.is_some() {
        "complete"
    } else {
        partner_status(assessment)
    };
    let mut metadata = serde_json::Map::new();
    metadata.insert("Question set".into(), json!(assessment.question_set_name));
    if let Some(s) = &stored {
        let recommendation = summary
            .map(|s| s.recommendation.clone())
            .or_else(|| recommendation(assessment));
        metadata.insert("Rating".into(), s["rating"].clone());
        if let Some(r) = recommendation {
            metadata.insert("Recommendation".into(), json!(r.greenhouse));
            metadata.insert("Lever score (1-4)".into(), json!(r.lever));
            metadata.insert("Workable stars (0-4)".into(), json!(r.workable));
            metadata.insert("Summary".into(), json!(r.summary));
        }
        for (key, field) in [
            ("Questions", "questions"),
            ("Answered", "answered"),
            ("Concepts covered", "concepts_covered"),
            ("Concepts missing", "concepts_missing"),
            ("Red flags", "red_flags"),
        ] {
            metadata.insert(key.into(), s[field].clone());
        }
    }
    json!({
        "partner_interview_id": assessment.id,
        "partner_status": status,
        "partner_profile_url": profile_url,
        "partner_score": stored.as_ref().map(|s| s["score"].clone()),
        "metadata": metadata,
    })
}

/// The query of `GET /greenhouse/test_status`.
#[derive(Debug, Deserialize)]
pub struct StatusQuery {
    partner_interview_id: Option<String>,
}

/// `GET /greenhouse/test_status?partner_interview_id=`.
pub async fn test_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<StatusQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let caller = partner(&state, &headers).await?;
    let Query(query) = query.map_err(|e| ApiError::invalid_query(e.body_text()))?;
    let id = query
        .partner_interview_id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::invalid_query("partner_interview_id is required"))?;
    let assessment = state
        .store
        .assessment(&caller.tenant, &id)
        .await?
        .ok_or_else(|| {
            ApiError::AssessmentNotFound(format!("no assessment of this tenant has the id `{id}`"))
        })?;
    let base = base_url(&state, &headers);
    let links = links(&state).await?;
    Ok(Json(status_body(&state, links, &base, &assessment, None)))
}

/// `POST /greenhouse/response_error`: Greenhouse reports that it could not
/// use a response; the message is kept on the assessment (shown by
/// `GET /v1/assessments/{id}`) and logged. The body is read leniently: any
/// JSON object, with `partner_interview_id` when it names one.
pub async fn response_error(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<ApiJson<Value>, ApiError>,
) -> Result<Json<Value>, ApiError> {
    let caller = partner(&state, &headers).await?;
    let ApiJson(body) = body?;
    let Some(object) = body.as_object() else {
        return Err(ApiError::field::<&str>(&[], "send a JSON object"));
    };
    let message: String = body.to_string().chars().take(MAX_PARTNER_ERROR_CHARS).collect();
    let id = object.get("partner_interview_id").and_then(Value::as_str);
    tracing::warn!(tenant = %caller.tenant, assessment = id.unwrap_or("-"), error = %message, "Greenhouse reported an error");
    let recorded = match id {
        Some(id) => {
            state
                .store
                .record_partner_error(&caller.tenant, id, &message)
                .await?
        }
        None => false,
    };
    Ok(Json(json!({"received": true, "recorded": recorded})))
}
