//! The sender: takes due messages from the store's queue, signs and POSTs
//! them, and records each attempt and what follows — delivered, retried
//! with exponential backoff and jitter (or when the receiver's
//! `Retry-After` says), given up after the last attempt, or the endpoint
//! disabled when the receiver answers `410 Gone`.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use tokio::task::JoinHandle;

use super::signature::{signature_header, Secret};
use crate::store::{now_ms, Attempt, CallbackOutcome, Delivery, Endpoint, Outcome, Store};

/// How the sender paces itself.
#[derive(Debug, Clone)]
pub struct SenderConfig {
    /// How often the queue is checked for due messages.
    pub poll: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
    /// The delay before the second attempt; each later one doubles it.
    pub base_delay: Duration,
    /// The longest delay between attempts (a `Retry-After` may ask more).
    pub max_delay: Duration,
    /// Attempts before a message is given up.
    pub max_attempts: u32,
    /// Messages sent per poll at most.
    pub batch: i64,
}

impl Default for SenderConfig {
    /// About a day of retries: 5 s, 10 s, 20 s … capped at 2 h, 12 attempts.
    fn default() -> Self {
        SenderConfig {
            poll: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
            base_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(2 * 60 * 60),
            max_attempts: 12,
            batch: 32,
        }
    }
}

/// The delay before attempt `next` (2 for the first retry): `base` doubled
/// per earlier retry, capped at `max`, then scaled by `jitter` (0.75–1.25)
/// so receivers that failed together are not retried together.
pub fn backoff(config: &SenderConfig, next: u32, jitter: f64) -> Duration {
    let doublings = next.saturating_sub(2).min(30);
    let delay = config
        .base_delay
        .saturating_mul(1u32 << doublings)
        .min(config.max_delay);
    delay.mul_f64(jitter.clamp(0.75, 1.25))
}

/// A random factor in 0.75–1.25.
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        return 1.0;
    }
    0.75 + 0.5 * (u32::from_le_bytes(bytes) as f64 / u32::MAX as f64)
}

/// `Retry-After` as seconds (the HTTP-date form is not honoured).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds))
}

/// Starts the sender on the current runtime; it runs until aborted.
pub fn spawn(store: Store, config: SenderConfig) -> JoinHandle<()> {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
            Ok(client) => client,
            Err(err) => {
                tracing::error!(error = %err, "webhook sender could not start");
                return;
            }
        };
        let mut ticker = tokio::time::interval(config.poll);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(err) = send_due(&store, &client, &config).await {
                tracing::warn!(error = %err, "webhook deliveries could not be read");
            }
            if let Err(err) = send_due_callbacks(&store, &client, &config).await {
                tracing::warn!(error = %err, "assessment callbacks could not be read");
            }
        }
    })
}

/// Sends every message due now (up to a batch), concurrently, and waits
/// for all of them.
pub async fn send_due(
    store: &Store,
    client: &reqwest::Client,
    config: &SenderConfig,
) -> crate::store::Result<usize> {
    let lease = config.timeout.as_millis() as i64 * 2 + 1_000;
    let due = store.claim_due_deliveries(now_ms(), config.batch, lease).await?;
    let count = due.len();
    let mut sends = tokio::task::JoinSet::new();
    for (delivery, endpoint) in due {
        let (store, client, config) = (store.clone(), client.clone(), config.clone());
        sends.spawn(async move {
            let (attempt, outcome) = attempt(&client, &config, &delivery, &endpoint).await;
            if let Err(err) = store.record_attempt(&delivery.id, &attempt, &outcome).await {
                tracing::warn!(error = %err, delivery = %delivery.id, "webhook attempt could not be recorded");
            }
        });
    }
    while sends.join_next().await.is_some() {}
    Ok(count)
}

/// PATCHes every ATS callback due now (up to a batch): an assessment sent
/// by Greenhouse tells its `url` it is complete, with the same body as
/// `test_status`. Retried like a webhook; after the last attempt the ATS
/// still learns the result by polling `test_status`.
pub async fn send_due_callbacks(
    store: &Store,
    client: &reqwest::Client,
    config: &SenderConfig,
) -> crate::store::Result<usize> {
    let lease = config.timeout.as_millis() as i64 * 2 + 1_000;
    let due = store.claim_due_callbacks(now_ms(), config.batch, lease).await?;
    let count = due.len();
    let mut sends = tokio::task::JoinSet::new();
    for callback in due {
        let (store, client, config) = (store.clone(), client.clone(), config.clone());
        sends.spawn(async move {
            let sent = client
                .patch(&callback.url)
                .header(CONTENT_TYPE, "application/json")
                .body(callback.body.clone())
                .send()
                .await;
            let (code, error, wait) = match sent {
                Ok(response) => (
                    Some(response.status().as_u16()),
                    None,
                    retry_after(response.headers()),
                ),
                Err(err) => (None, Some(describe(err)), None),
            };
            let number = callback.attempts + 1;
            let outcome = match code {
                Some(code) if (200..300).contains(&code) => CallbackOutcome::Delivered,
                _ if number >= i64::from(config.max_attempts) => CallbackOutcome::Failed,
                _ => {
                    let next = u32::try_from(number + 1).unwrap_or(u32::MAX);
                    let delay = backoff(&config, next, jitter()).max(wait.unwrap_or_default());
                    CallbackOutcome::Retry(now_ms() + delay.as_millis() as i64)
                }
            };
            let error = error.or_else(|| {
                code.filter(|c| !(200..300).contains(c))
                    .map(|c| format!("answered {c}"))
            });
            if let Err(err) = store
                .record_callback(&callback.assessment_id, &outcome, error.as_deref())
                .await
            {
                tracing::warn!(error = %err, assessment = %callback.assessment_id, "callback attempt could not be recorded");
            }
        });
    }
    while sends.join_next().await.is_some() {}
    Ok(count)
}

/// Makes one attempt at `delivery` and says what follows.
async fn attempt(
    client: &reqwest::Client,
    config: &SenderConfig,
    delivery: &Delivery,
    endpoint: &Endpoint,
) -> (Attempt, Outcome) {
    let number = delivery.attempts + 1;
    let started = Instant::now();
    let at_ms = now_ms();
    let timestamp = at_ms / 1000;
    let secrets: Vec<Secret> = endpoint
        .signing_secrets(at_ms)
        .into_iter()
        .filter_map(|s| Secret::parse(s).ok())
        .collect();
    let signature = signature_header(&secrets, &delivery.id, timestamp, delivery.payload.as_bytes());
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (name, value) in [
        ("webhook-id", delivery.id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    let sent = client
        .post(&endpoint.url)
        .headers(headers)
        .body(delivery.payload.clone())
        .send()
        .await;
    let duration_ms = started.elapsed().as_millis() as i64;
    let (status_code, error, wait) = match sent {
        Ok(response) => (
            Some(i64::from(response.status().as_u16())),
            None,
            retry_after(response.headers()),
        ),
        Err(err) => (None, Some(describe(err)), None),
    };
    let record = Attempt {
        attempt: number,
        at_ms,
        status_code,
        error,
        duration_ms,
    };
    let outcome = match status_code {
        Some(code) if (200..300).contains(&code) => Outcome::Delivered,
        Some(410) => Outcome::Disable("the endpoint answered 410 Gone".to_owned()),
        _ if number >= i64::from(config.max_attempts) => Outcome::Failed,
        _ => {
            let next = u32::try_from(number + 1).unwrap_or(u32::MAX);
            let delay = backoff(config, next, jitter()).max(wait.unwrap_or_default());
            Outcome::Retry(now_ms() + delay.as_millis() as i64)
        }
    };
    (record, outcome)
}

/// A short description of a failed request, without the URL (it may hold a token).
fn describe(err: reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "could not connect".to_owned()
    } else {
        err.without_url().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_jitters() {
        let config = SenderConfig {
            base_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(60),
            ..SenderConfig::default()
        };
        assert_eq!(backoff(&config, 2, 1.0), Duration::from_secs(5));
        assert_eq!(backoff(&config, 3, 1.0), Duration::from_secs(10));
        assert_eq!(backoff(&config, 5, 1.0), Duration::from_secs(40));
        assert_eq!(backoff(&config, 9, 1.0), Duration::from_secs(60));
        assert_eq!(backoff(&config, 40, 1.0), Duration::from_secs(60));
        assert_eq!(backoff(&config, 2, 0.75), Duration::from_millis(3750));
        assert_eq!(backoff(&config, 2, 9.0), Duration::from_millis(6250));
        for _ in 0..100 {
            assert!((0.75..=1.25).contains(&jitter()));
        }
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }
}
