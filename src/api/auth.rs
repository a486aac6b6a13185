//! Who is calling: `Authorization: Bearer <key>` checked against the store,
//! the key's role, and its rate limit.
//!
//! Verified keys are cached for a short time ([`super::Config::auth_cache`])
//! so a request costs no database round trip; revoking a key on this
//! instance drops it from the cache at once, other instances within that time.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::problem::ApiError;
use super::AppState;
use crate::store::{Principal, Store};

/// Cached keys beyond which the cache is cleared rather than grown.
const MAX_CACHED_KEYS: usize = 10_000;

/// Key verification with a short-lived cache, and per-key rate limiters.
#[derive(Debug)]
pub struct Auth {
    cache: RwLock<HashMap<String, (Principal, Instant)>>,
    limiters: RwLock<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
    cache_for: Duration,
    default_rate: u32,
}

impl Auth {
    /// Caches verified keys for `cache_for`; keys without their own limit get
    /// `default_rate` requests a minute.
    pub fn new(cache_for: Duration, default_rate: u32) -> Auth {
        Auth {
            cache: RwLock::new(HashMap::new()),
            limiters: RwLock::new(HashMap::new()),
            cache_for,
            default_rate,
        }
    }

    /// The principal `token` stands for, from the cache or the store.
    pub(crate) async fn verify(&self, store: &Store, token: &str) -> Result<Option<Principal>, ApiError> {
        let digest = crate::store::token_digest(token);
        if let Ok(cache) = self.cache.read() {
            if let Some((principal, at)) = cache.get(&digest) {
                if at.elapsed() < self.cache_for {
                    return Ok(Some(principal.clone()));
                }
            }
        }
        let principal = store.authenticate(token).await?;
        if let (Some(principal), Ok(mut cache)) = (&principal, self.cache.write()) {
            if cache.len() >= MAX_CACHED_KEYS {
                cache.clear();
            }
            cache.insert(digest, (principal.clone(), Instant::now()));
        }
        Ok(principal)
    }

    /// Forgets key `key_id`, after it was revoked here.
    pub fn forget(&self, key_id: &str) {
        if let Ok(mut cache) = self.cache.write() {
            cache.retain(|_, (principal, _)| principal.key_id != key_id);
        }
    }

    /// Takes one request from `principal`'s allowance; the seconds to wait
    /// when there is none left.
    pub(crate) fn admit(&self, principal: &Principal) -> Result<(), ApiError> {
        let per_minute = principal.rate_per_minute.unwrap_or(self.default_rate);
        let Some(rate) = NonZeroU32::new(per_minute) else {
            return Ok(());
        };
        let limiter = self.limiter(&principal.key_id, rate);
        limiter.check().map_err(|not_until| ApiError::RateLimited {
            per_minute,
            retry_after: retry_after(&not_until),
        })
    }

    /// The limiter of `key_id`, made on first use: `rate` a minute, with
    /// bursts of up to a tenth of a minute's allowance.
    fn limiter(&self, key_id: &str, rate: NonZeroU32) -> Arc<DefaultDirectRateLimiter> {
        if let Ok(limiters) = self.limiters.read() {
            if let Some(limiter) = limiters.get(key_id) {
                return Arc::clone(limiter);
            }
        }
        let limiter = Arc::new(per_minute(rate));
        match self.limiters.write() {
            Ok(mut limiters) => Arc::clone(limiters.entry(key_id.to_owned()).or_insert(limiter)),
            Err(_) => limiter,
        }
    }
}

/// A limiter of `rate` requests a minute, with bursts of up to a tenth of
/// a minute's allowance: every rate limit of the service.
pub(crate) fn per_minute(rate: NonZeroU32) -> DefaultDirectRateLimiter {
    let burst = NonZeroU32::new(rate.get() / 10).unwrap_or(NonZeroU32::MIN);
    RateLimiter::direct(Quota::per_minute(rate).allow_burst(burst))
}

/// Whole seconds until a refused request would pass, rounded up.
pub(crate) fn retry_after(not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// The bearer token of a request: `Ok(None)` without an `Authorization`
/// header, an error when it is there but not `Bearer <token>`.
fn bearer(parts: &axum::http::HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || ApiError::Unauthorized("send the key as `Authorization: Bearer <key>`".to_owned());
    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(malformed());
    }
    Ok(Some(token.trim()))
}

/// Authenticates an API request and puts its [`Principal`] in the
/// extensions: `401` without a valid key (unless open mode lets a request
/// without any key through), `429` over the key's rate limit.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let principal = match bearer(request.headers()) {
        Err(err) => return err.into_response(),
        Ok(None) if state.config.open => Principal::open(),
        Ok(None) => {
            return ApiError::Unauthorized(
                "this request needs an API key: send `Authorization: Bearer <key>` (create one with `assay keys create`)"
                    .to_owned(),
            )
            .into_response()
        }
        Ok(Some(token)) => match state.auth.verify(&state.store, token).await {
            Ok(Some(principal)) => principal,
            Ok(None) => {
                return ApiError::Unauthorized("the API key is not valid or was revoked".to_owned()).into_response()
            }
            Err(err) => return err.into_response(),
        },
    };
    if principal.key_id != crate::store::OPEN_KEY_ID {
        if let Err(err) = state.auth.admit(&principal) {
            return err.into_response();
        }
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// The caller of a request, for handlers.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

/// `Ok` when `allowed`, else `403` saying what `caller`'s role may not do.
pub fn require(caller: &Principal, allowed: bool, action: &str) -> Result<(), ApiError> {
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "a key with the role `{}` may not {action}",
            caller.role
        )))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a route missed the authentication layer")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Role;

    fn principal(rate: Option<u32>) -> Principal {
        Principal {
            key_id: "k1".into(),
            tenant: "t".into(),
            role: Role::Integration,
            rate_per_minute: rate,
        }
    }

    #[test]
    fn a_key_over_its_limit_is_told_when_to_retry() {
        let auth = Auth::new(Duration::from_secs(1), 6000);
        let p = principal(Some(60));
        // 60 a minute allows a burst of 6, then one a second.
        for _ in 0..6 {
            assert!(auth.admit(&p).is_ok());
        }
        match auth.admit(&p) {
            Err(ApiError::RateLimited {
                per_minute,
                retry_after,
            }) => {
                assert_eq!(per_minute, 60);
                assert_eq!(retry_after, 1);
            }
            other => panic!("expected rate_limited, got {other:?}"),
        }
    }

    #[test]
    fn a_zero_limit_means_unlimited() {
        let auth = Auth::new(Duration::from_secs(1), 0);
        let p = principal(None);
        for _ in 0..10_000 {
            assert!(auth.admit(&p).is_ok());
        }
    }

    #[test]
    fn only_bearer_tokens_are_read() {
        let mut headers = axum::http::HeaderMap::new();
        assert!(matches!(bearer(&headers), Ok(None)));
        headers.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert!(matches!(bearer(&headers), Ok(Some("abc"))));
        headers.insert(header::AUTHORIZATION, "bearer   abc ".parse().unwrap());
        assert!(matches!(bearer(&headers), Ok(Some("abc"))));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert!(bearer(&headers).is_err());
        headers.insert(header::AUTHORIZATION, "Bearer".parse().unwrap());
        assert!(bearer(&headers).is_err());
    }
}
