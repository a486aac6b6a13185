//! Idempotency records: the first completed response to each
//! (key, `Idempotency-Key`), kept to replay on a retry.
//!
//! A request claims its key with an insert that only one writer can win. The
//! claim is a lease: if the instance holding it dies, another may take the
//! key over once the lease runs out. Completing checks the lease, so a
//! request that lost its lease can never store a second response.

use std::time::Duration;

use sqlx::Row;

use super::{millis, now_ms, Result, Store};

/// A request's hold on an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The API key the idempotency key is scoped to.
    pub key_id: String,
    /// The `Idempotency-Key` header.
    pub idempotency_key: String,
    /// This holder's lease token.
    pub lease: String,
}

/// A response as stored for replay: status, media type and exact body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: String,
    /// The body, byte for byte (every body the API sends is UTF-8 JSON).
    pub body: String,
}

/// A claimed key to complete with a response, in the same transaction as
/// the writes the response reports.
#[derive(Debug, Clone, Copy)]
pub struct Completion<'a> {
    /// The claim held.
    pub claim: &'a Claim,
    /// The response to store.
    pub response: &'a StoredResponse,
}

/// What claiming an idempotency key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The key is this request's to process.
    Claimed(Claim),
    /// An earlier request completed: replay its response.
    Replay(StoredResponse),
    /// An earlier request holds the key and may still complete.
    InFlight,
    /// The key was used for a different request.
    Mismatch,
}

impl Store {
    /// Claims `idempotency_key` of `key_id` for a request whose fingerprint
    /// is `request_sha256`, leasing it for `lease` and keeping the record for
    /// `keep`.
    pub async fn claim_idempotency(
        &self,
        key_id: &str,
        idempotency_key: &str,
        request_sha256: &str,
        lease: Duration,
        keep: Duration,
    ) -> Result<ClaimOutcome> {
        // Each pass either decides or removes/loses a stale record; a few
        // passes settle any race.
        for _ in 0..4 {
            let now = now_ms();
            let token = uuid::Uuid::new_v4().to_string();
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys \
                 (key_id, idempotency_key, request_sha256, lease, lease_until_ms, created_ms, expires_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key_id, idempotency_key) DO NOTHING",
            )
            .bind(key_id)
            .bind(idempotency_key)
            .bind(request_sha256)
            .bind(&token)
            .bind(now.saturating_add(millis(lease)))
            .bind(now)
            .bind(now.saturating_add(millis(keep)))
            .execute(&self.pool)
            .await?;
            let claim = |lease: String| Claim {
                key_id: key_id.to_owned(),
                idempotency_key: idempotency_key.to_owned(),
                lease,
            };
            if inserted.rows_affected() == 1 {
                return Ok(ClaimOutcome::Claimed(claim(token)));
            }
            let Some(row) = sqlx::query(
                "SELECT request_sha256, lease, lease_until_ms, status, content_type, body, expires_ms \
                 FROM idempotency_keys WHERE key_id = $1 AND idempotency_key = $2",
            )
            .bind(key_id)
            .bind(idempotency_key)
            .fetch_optional(&self.pool)
            .await?
            else {
                continue;
            };
            let expires: i64 = row.try_get("expires_ms")?;
            if expires <= now {
                sqlx::query(
                    "DELETE FROM idempotency_keys \
                     WHERE key_id = $1 AND idempotency_key = $2 AND expires_ms <= $3",
                )
                .bind(key_id)
                .bind(idempotency_key)
                .bind(now)
                .execute(&self.pool)
                .await?;
                continue;
            }
            let stored_sha: String = row.try_get("request_sha256")?;
            if stored_sha != request_sha256 {
                return Ok(ClaimOutcome::Mismatch);
            }
            let status: Option<i64> = row.try_get("status")?;
            if let Some(status) = status {
                return Ok(ClaimOutcome::Replay(StoredResponse {
                    status: u16::try_from(status).unwrap_or(500),
                    content_type: row
                        .try_get::<Option<String>, _>("content_type")?
                        .unwrap_or_default(),
                    body: row.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
                }));
            }
            let lease_until: i64 = row.try_get("lease_until_ms")?;
            if lease_until > now {
                return Ok(ClaimOutcome::InFlight);
            }
            // The holder's lease ran out (its instance died or stalled): take over.
            let previous: Option<String> = row.try_get("lease")?;
            let taken = sqlx::query(
                "UPDATE idempotency_keys SET lease = $1, lease_until_ms = $2 \
                 WHERE key_id = $3 AND idempotency_key = $4 AND status IS NULL \
                 AND lease_until_ms = $5 AND lease = $6",
            )
            .bind(&token)
            .bind(now.saturating_add(millis(lease)))
            .bind(key_id)
            .bind(idempotency_key)
            .bind(lease_until)
            .bind(previous.unwrap_or_default())
            .execute(&self.pool)
            .await?;
            if taken.rows_affected() == 1 {
                return Ok(ClaimOutcome::Claimed(claim(token)));
            }
        }
        Ok(ClaimOutcome::InFlight)
    }

    /// Stores the response of a claimed request; `false` when the claim's
    /// lease was lost to another request, which then owns the key.
    pub async fn complete_idempotency(&self, completion: Completion<'_>) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = complete_in(&mut tx, completion).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Gives a claimed key up (the request failed in a way worth retrying),
    /// so the next retry processes it afresh.
    pub async fn release_idempotency(&self, claim: &Claim) -> Result<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys \
             WHERE key_id = $1 AND idempotency_key = $2 AND lease = $3 AND status IS NULL",
        )
        .bind(&claim.key_id)
        .bind(&claim.idempotency_key)
        .bind(&claim.lease)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes expired records; returns how many.
    pub async fn purge_idempotency(&self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE expires_ms <= $1")
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// Stores a completion inside `tx`; `false` when the lease was lost.
pub(super) async fn complete_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    completion: Completion<'_>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE idempotency_keys SET status = $1, content_type = $2, body = $3, lease = NULL \
         WHERE key_id = $4 AND idempotency_key = $5 AND lease = $6 AND status IS NULL",
    )
    .bind(i64::from(completion.response.status))
    .bind(&completion.response.content_type)
    .bind(&completion.response.body)
    .bind(&completion.claim.key_id)
    .bind(&completion.claim.idempotency_key)
    .bind(&completion.claim.lease)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
