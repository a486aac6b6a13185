//! Operational routes: liveness, readiness, metrics and the contract.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;

use crate::api::metrics::OPENMETRICS;
use crate::api::problem::ApiError;
use crate::api::{AppState, OPENAPI_YAML};
use crate::score::SCORING_VERSION;

/// The body of `/healthz`.
#[derive(Debug, Serialize)]
pub struct Health {
    status: &'static str,
}

/// `GET /healthz`: the process is alive and answering.
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The body of `/readyz`.
#[derive(Debug, Serialize)]
pub struct Readiness {
    status: &'static str,
    questions: usize,
    scoring_version: &'static str,
    version: &'static str,
    /// `sqlite` or `postgres`.
    store: &'static str,
}

/// `GET /readyz`: the bank is loaded and indexed and the store answers, so
/// evaluations can be served; `503` when the store does not answer.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Readiness>, ApiError> {
    state.store.ping().await?;
    Ok(Json(Readiness {
        status: "ready",
        questions: state.catalog.base().bank().questions().len(),
        scoring_version: SCORING_VERSION,
        version: env!("CARGO_PKG_VERSION"),
        store: match state.store.backend() {
            crate::store::Backend::Sqlite => "sqlite",
            crate::store::Backend::Postgres => "postgres",
        },
    }))
}

/// `GET /metrics`: Prometheus metrics in the OpenMetrics text format.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, OPENMETRICS)], state.metrics.encode())
}

/// `GET /openapi.yaml`: the HTTP contract.
pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/yaml")], OPENAPI_YAML)
}
