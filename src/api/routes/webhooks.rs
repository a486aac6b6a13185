//! `/v1/webhooks`: an admin key registers its tenant's webhook endpoints,
//! reads their secrets, rotates them and reads each endpoint's delivery log.
//! [`Subscribers`] queues `evaluation.completed` for tenants that listen.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::api::auth::{require, Caller};
use crate::api::extract::{ApiJson, OptionalApiJson};
use crate::api::problem::{ApiError, FieldError};
use crate::api::AppState;
use crate::store::{rfc3339, Attempt, Delivery, DeliveryStatus, Endpoint, Principal, QueuedEvent};
use crate::webhooks::EVENTS;

/// Most endpoints per tenant.
const MAX_ENDPOINTS: usize = 20;
/// Default and largest overlap of an old secret after a rotation, in seconds.
const DEFAULT_OVERLAP_SECS: u64 = 24 * 60 * 60;
const MAX_OVERLAP_SECS: u64 = 7 * 24 * 60 * 60;
/// Default and largest page of the delivery log.
const DEFAULT_LOG_LIMIT: i64 = 50;
const MAX_LOG_LIMIT: i64 = 200;
/// How long "this tenant has no listener" is believed before asking again:
/// an endpoint registered on another instance is heard within this long.
const NO_LISTENER_TTL: Duration = Duration::from_secs(2);

/// An endpoint as the API shows it.
#[derive(Debug, Serialize)]
pub struct EndpointView {
    id: String,
    url: String,
    events: Vec<String>,
    created_at: String,
    disabled_at: Option<String>,
    disabled_reason: Option<String>,
    /// The signing secret; shown to admins on create, get and rotate.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    /// While a rotation overlaps: when the previous secret stops signing.
    previous_secret_expires_at: Option<String>,
}

impl EndpointView {
    fn new(endpoint: Endpoint, with_secret: bool) -> EndpointView {
        EndpointView {
            id: endpoint.id,
            url: endpoint.url,
            events: endpoint.events,
            created_at: rfc3339(endpoint.created_ms),
            disabled_at: endpoint.disabled_ms.map(rfc3339),
            disabled_reason: endpoint.disabled_reason,
            secret: with_secret.then_some(endpoint.secret),
            previous_secret_expires_at: endpoint
                .previous_until_ms
                .filter(|&until| until > crate::store::now_ms())
                .map(rfc3339),
        }
    }
}

/// The body of `GET /v1/webhooks`.
#[derive(Debug, Serialize)]
pub struct EndpointList {
    webhooks: Vec<EndpointView>,
}

/// The body of `POST /v1/webhooks`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpoint {
    url: Option<String>,
    events: Option<Vec<String>>,
}

/// The body of `POST /v1/webhooks/{id}/rotate`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rotate {
    overlap_seconds: Option<u64>,
}

/// One delivery in the log.
#[derive(Debug, Serialize)]
pub struct DeliveryView {
    id: String,
    event: String,
    status: DeliveryStatus,
    attempts: Vec<AttemptView>,
    created_at: String,
    next_attempt_at: Option<String>,
    finished_at: Option<String>,
}

/// One attempt in the log.
#[derive(Debug, Serialize)]
pub struct AttemptView {
    attempt: i64,
    at: String,
    status_code: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
}

impl DeliveryView {
    fn new(delivery: Delivery, attempts: Vec<Attempt>) -> DeliveryView {
        let pending = delivery.status == DeliveryStatus::Pending;
        DeliveryView {
            id: delivery.id,
            event: delivery.event,
            status: delivery.status,
            attempts: attempts
                .into_iter()
                .map(|a| AttemptView {
                    attempt: a.attempt,
                    at: rfc3339(a.at_ms),
                    status_code: a.status_code,
                    error: a.error,
                    duration_ms: a.duration_ms,
                })
                .collect(),
            created_at: rfc3339(delivery.created_ms),
            next_attempt_at: pending.then(|| rfc3339(delivery.next_attempt_ms)),
            finished_at: delivery.finished_ms.map(rfc3339),
        }
    }
}

/// The body of `GET /v1/webhooks/{id}/deliveries`.
#[derive(Debug, Serialize)]
pub struct DeliveryLog {
    deliveries: Vec<DeliveryView>,
}

/// The query of `GET /v1/webhooks/{id}/deliveries`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    limit: Option<i64>,
}

fn manages(caller: &Principal) -> Result<(), ApiError> {
    require(caller, caller.role.manages_keys(), "manage webhooks")
}

/// `GET /v1/webhooks`: the tenant's endpoints, without their secrets.
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<EndpointList>, ApiError> {
    manages(&caller)?;
    let endpoints = state.store.endpoints(&caller.tenant).await?;
    Ok(Json(EndpointList {
        webhooks: endpoints
            .into_iter()
            .map(|e| EndpointView::new(e, false))
            .collect(),
    }))
}

/// `POST /v1/webhooks`: registers an endpoint (`201`, with its secret).
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<CreateEndpoint>,
) -> Result<Response, ApiError> {
    manages(&caller)?;
    let mut errors = Vec::new();
    match &body.url {
        None => errors.push(FieldError::at(&["url"], "a url is required")),
        Some(url) => {
            if let Err(message) = crate::webhooks::check_url(url) {
                errors.push(FieldError::at(&["url"], message));
            }
        }
    }
    let events = body.events.unwrap_or_default();
    if events.is_empty() {
        errors.push(FieldError::at(
            &["events"],
            format!("name one or more of {}", EVENTS.join(", ")),
        ));
    }
    for (i, event) in events.iter().enumerate() {
        if !EVENTS.contains(&event.as_str()) {
            errors.push(FieldError::at(
                &["events", &i.to_string()],
                format!("`{event}` is not an event; use {}", EVENTS.join(", ")),
            ));
        }
    }
    let (Some(url), true) = (body.url, errors.is_empty()) else {
        return Err(ApiError::fields(errors));
    };
    if state.store.endpoints(&caller.tenant).await?.len() >= MAX_ENDPOINTS {
        return Err(ApiError::field(
            &["url"],
            format!("a tenant may register at most {MAX_ENDPOINTS} endpoints; remove one first"),
        ));
    }
    let mut events = events;
    events.sort();
    events.dedup();
    let endpoint = state.store.create_endpoint(&caller.tenant, &url, &events).await?;
    state.subscribers.changed(&caller.tenant);
    Ok((StatusCode::CREATED, Json(EndpointView::new(endpoint, true))).into_response())
}

/// `GET /v1/webhooks/{id}`: one endpoint, with its secret.
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<EndpointView>, ApiError> {
    manages(&caller)?;
    match state.store.endpoint(&caller.tenant, &id).await? {
        Some(endpoint) => Ok(Json(EndpointView::new(endpoint, true))),
        None => Err(ApiError::WebhookNotFound(id)),
    }
}

/// `DELETE /v1/webhooks/{id}`: removes an endpoint and its queue (`204`).
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    manages(&caller)?;
    if state.store.delete_endpoint(&caller.tenant, &id).await? {
        state.subscribers.changed(&caller.tenant);
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::WebhookNotFound(id))
    }
}

/// `POST /v1/webhooks/{id}/rotate`: a new secret; the old one keeps signing
/// beside it for `overlap_seconds` (default a day).
pub async fn rotate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    OptionalApiJson(body): OptionalApiJson<Rotate>,
) -> Result<Json<EndpointView>, ApiError> {
    manages(&caller)?;
    // The body is optional: none rotates with the default overlap.
    let body = body.unwrap_or_default();
    let overlap = body.overlap_seconds.unwrap_or(DEFAULT_OVERLAP_SECS);
    if overlap > MAX_OVERLAP_SECS {
        return Err(ApiError::field(
            &["overlap_seconds"],
            format!("must be at most {MAX_OVERLAP_SECS} (a week)"),
        ));
    }
    let overlap_ms = i64::try_from(overlap * 1000).unwrap_or(i64::MAX);
    match state
        .store
        .rotate_endpoint_secret(&caller.tenant, &id, overlap_ms)
        .await?
    {
        Some(endpoint) => Ok(Json(EndpointView::new(endpoint, true))),
        None => Err(ApiError::WebhookNotFound(id)),
    }
}

/// `GET /v1/webhooks/{id}/deliveries`: the endpoint's delivery log, newest first.
pub async fn deliveries(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    query: Result<Query<LogQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DeliveryLog>, ApiError> {
    manages(&caller)?;
    let Query(query) = query.map_err(|e| ApiError::invalid_query(e.body_text()))?;
    let limit = query.limit.unwrap_or(DEFAULT_LOG_LIMIT);
    if !(1..=MAX_LOG_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_query(format!(
            "limit must be 1 to {MAX_LOG_LIMIT}"
        )));
    }
    if state.store.endpoint(&caller.tenant, &id).await?.is_none() {
        return Err(ApiError::WebhookNotFound(id));
    }
    let log = state.store.deliveries(&caller.tenant, &id, limit).await?;
    Ok(Json(DeliveryLog {
        deliveries: log.into_iter().map(|(d, a)| DeliveryView::new(d, a)).collect(),
    }))
}

/// Which tenants have no webhook listener for which event, remembered
/// briefly so the evaluation path does not ask the store on every request,
/// and the events it queues with its writes.
#[derive(Debug, Default)]
pub struct Subscribers {
    /// By tenant, then event type.
    silent_until: Mutex<HashMap<String, HashMap<String, Instant>>>,
}

impl Subscribers {
    /// Forgets what is known of `tenant` (an endpoint was added or removed).
    pub fn changed(&self, tenant: &str) {
        if let Ok(mut map) = self.silent_until.lock() {
            map.remove(tenant);
        }
    }

    fn known_silent(&self, tenant: &str, event: &str) -> bool {
        self.silent_until
            .lock()
            .ok()
            .and_then(|map| map.get(tenant)?.get(event).copied())
            .is_some_and(|until| Instant::now() < until)
    }

    /// `event` with `data` for `tenant`'s endpoints, to queue in the
    /// transaction that stores what it reports; `None` when `tenant` was
    /// lately found to have no endpoint that receives it, so the write skips
    /// the lookup.
    pub fn event(&self, tenant: &str, event: &str, data: &serde_json::Value) -> Option<QueuedEvent> {
        (!self.known_silent(tenant, event)).then(|| QueuedEvent {
            tenant: tenant.to_owned(),
            event: event.to_owned(),
            payload: crate::webhooks::payload(event, crate::store::now_ms(), data),
        })
    }

    /// Learns from a write that queued `deliveries` messages for `tenant`'s
    /// events of type `event`: none means no endpoint listens, for a while.
    pub fn queued(&self, tenant: &str, event: &str, deliveries: usize) {
        if let Ok(mut map) = self.silent_until.lock() {
            if deliveries > 0 {
                if let Some(events) = map.get_mut(tenant) {
                    events.remove(event);
                }
            } else {
                let until = Instant::now() + NO_LISTENER_TTL;
                map.entry(tenant.to_owned())
                    .or_default()
                    .insert(event.to_owned(), until);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silent_tenant_is_remembered_per_event_until_it_changes() {
        let subscribers = Subscribers::default();
        let data = serde_json::json!({"score": 1});
        let first = subscribers.event("acme", "evaluation.completed", &data);
        assert!(first.is_some_and(|e| e.tenant == "acme" && e.payload.contains("\"score\":1")));
        subscribers.queued("acme", "evaluation.completed", 0);
        assert!(subscribers.event("acme", "evaluation.completed", &data).is_none());
        // Another event type, or another tenant, is still asked about.
        assert!(subscribers.event("acme", "assessment.completed", &data).is_some());
        assert!(subscribers.event("beta", "evaluation.completed", &data).is_some());
        subscribers.changed("acme");
        assert!(subscribers.event("acme", "evaluation.completed", &data).is_some());
        subscribers.queued("acme", "evaluation.completed", 0);
        subscribers.queued("acme", "evaluation.completed", 2);
        assert!(subscribers.event("acme", "evaluation.completed", &data).is_some());
    }
}
