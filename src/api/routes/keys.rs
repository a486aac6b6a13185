//! `GET`/`POST /v1/keys` and `DELETE /v1/keys/{id}`: an admin key manages
//! its tenant's keys.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use crate::api::auth::{require, Caller};
use crate::api::extract::ApiJson;
use crate::api::idempotency::Completed;
use crate::api::problem::{ApiError, FieldError};
use crate::api::AppState;
use crate::store::{rfc3339, validate_name, ApiKey, Claim, Completion, Role, StoreError, StoredResponse};

/// A key as the API shows it: never its secret.
#[derive(Debug, Serialize)]
pub struct KeyView {
    id: String,
    name: String,
    role: Role,
    tenant: String,
    rate_limit_per_minute: Option<u32>,
    created_at: String,
    revoked_at: Option<String>,
}

impl From<ApiKey> for KeyView {
    fn from(key: ApiKey) -> KeyView {
        KeyView {
            id: key.id,
            name: key.name,
            role: key.role,
            tenant: key.tenant,
            rate_limit_per_minute: key.rate_per_minute,
            created_at: rfc3339(key.created_ms),
            revoked_at: key.revoked_ms.map(rfc3339),
        }
    }
}

/// The body of `GET /v1/keys`.
#[derive(Debug, Serialize)]
pub struct KeyList {
    keys: Vec<KeyView>,
}

/// `GET /v1/keys`: the tenant's keys, revoked ones included.
pub async fn list(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<KeyList>, ApiError> {
    require(&caller, caller.role.manages_keys(), "manage API keys")?;
    let keys = state.store.list_keys(Some(&caller.tenant)).await?;
    Ok(Json(KeyList {
        keys: keys.into_iter().map(KeyView::from).collect(),
    }))
}

/// The body of `POST /v1/keys`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    name: String,
    role: String,
    rate_limit_per_minute: Option<u32>,
}

/// The body of a created key: the only time its token is shown.
#[derive(Debug, Serialize)]
pub struct CreatedKey {
    key: KeyView,
    /// `Authorization: Bearer <token>`. `null` when the response is an
    /// `Idempotency-Key` replay: the secret is never stored, so never shown twice.
    token: Option<String>,
}

/// `POST /v1/keys`: a new key in the caller's tenant (`201`).
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    claim: Option<Extension<Claim>>,
    ApiJson(body): ApiJson<CreateKey>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.manages_keys(), "manage API keys")?;
    let mut errors = Vec::new();
    if let Err(message) = validate_name(&body.name) {
        errors.push(FieldError::at(&["name"], message));
    }
    let role = body
        .role
        .parse::<Role>()
        .map_err(|message| errors.push(FieldError::at(&["role"], message)))
        .ok();
    let (Some(role), true) = (role, errors.is_empty()) else {
        return Err(ApiError::fields(errors));
    };
    let created = state
        .store
        .create_key(&caller.tenant, &body.name, role, body.rate_limit_per_minute)
        .await?;
    let view = |token| CreatedKey {
        key: KeyView::from(created.key.clone()),
        token,
    };
    let body = serde_json::to_string(&view(Some(created.token.clone())))
        .map_err(|err| ApiError::Internal(err.into()))?;
    let mut response = (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response();
    if let Some(Extension(claim)) = claim {
        // The replay says the key exists but keeps the secret out of the store.
        let redacted = StoredResponse {
            status: 201,
            content_type: "application/json".to_owned(),
            body: serde_json::to_string(&view(None)).map_err(|err| ApiError::Internal(err.into()))?,
        };
        state
            .store
            .complete_idempotency(Completion {
                claim: &claim,
                response: &redacted,
            })
            .await?;
        response.extensions_mut().insert(Completed);
    }
    Ok(response)
}

/// `DELETE /v1/keys/{id}`: revokes a key of the caller's tenant; returns it
/// with `revoked_at` set.
pub async fn revoke(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<KeyView>, ApiError> {
    require(&caller, caller.role.manages_keys(), "manage API keys")?;
    let key = match state.store.revoke_key(Some(&caller.tenant), &id).await {
        Ok(key) => key,
        Err(StoreError::NotFound(_)) => return Err(ApiError::KeyNotFound(id)),
        Err(err) => return Err(err.into()),
    };
    state.auth.forget(&key.id);
    Ok(Json(KeyView::from(key)))
}
