//! Webhook endpoints and the delivery queue: kept in the store so a message
//! survives a restart and any instance can send it, exactly one at a time
//! (a sender leases a message before sending it).

use std::collections::HashMap;

use sqlx::any::AnyArguments;
use sqlx::{Arguments, Row};

use super::keys::random_hex;
use super::{now_ms, push_values, Result, Store, StoreError};

/// Random bytes in an endpoint id.
const ENDPOINT_ID_BYTES: usize = 8;
/// Most attempts listed per delivery in the log.
const MAX_LOGGED_ATTEMPTS: i64 = 50;

/// An endpoint a tenant registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `ep_…`.
    pub id: String,
    /// The tenant it belongs to.
    pub tenant: String,
    /// Where messages are POSTed.
    pub url: String,
    /// The event types it receives.
    pub events: Vec<String>,
    /// The current signing secret (`whsec_…`).
    pub secret: String,
    /// The secret before the last rotation, still signing until `previous_until_ms`.
    pub previous_secret: Option<String>,
    /// When the previous secret stops signing, Unix ms.
    pub previous_until_ms: Option<i64>,
    /// When it was registered, Unix ms.
    pub created_ms: i64,
    /// When it was disabled (the receiver answered 410 Gone), Unix ms.
    pub disabled_ms: Option<i64>,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
}

impl Endpoint {
    /// The secrets that sign a message sent at `now`: the current one, and
    /// the previous one while its overlap lasts.
    pub fn signing_secrets(&self, now: i64) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_until_ms) {
            if now < until {
                secrets.push(previous);
            }
        }
        secrets
    }
}

/// A webhook event to queue in the transaction that stores what it reports,
/// so that it is queued if and only if that is stored: a crash between the
/// commit and a later enqueue cannot lose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedEvent {
    /// The tenant whose endpoints receive it.
    pub tenant: String,
    /// Its type, `evaluation.completed` say.
    pub event: String,
    /// The message body, as signed and sent ([`crate::webhooks::payload`]).
    pub payload: String,
}

/// Messages per multi-row INSERT: 9 parameters each.
const DELIVERIES_PER_INSERT: usize = 100;

/// Queues `events` in `tx`, due at `now`: one message per event and enabled
/// endpoint of its tenant that receives its type. Each tenant's endpoints
/// are read once, and the messages written in multi-row INSERTs, so a group
/// commit of many events costs a few statements. Returns, per event, the
/// ids of its messages.
pub(super) async fn queue_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    events: &[&QueuedEvent],
    now: i64,
) -> Result<Vec<Vec<String>>> {
    let mut endpoints: HashMap<&str, Vec<Endpoint>> = HashMap::new();
    for event in events {
        if !endpoints.contains_key(event.tenant.as_str()) {
            let enabled = tenant_endpoints(&mut **tx, &event.tenant)
                .await?
                .into_iter()
                .filter(|e| e.disabled_ms.is_none())
                .collect();
            endpoints.insert(&event.tenant, enabled);
        }
    }
    let mut ids = Vec::with_capacity(events.len());
    let mut rows: Vec<(String, &str, &QueuedEvent)> = Vec::new();
    for event in events {
        let mut queued = Vec::new();
        let receivers = endpoints.get(event.tenant.as_str()).into_iter().flatten();
        for endpoint in receivers.filter(|e| e.events.contains(&event.event)) {
            let id = format!("msg_{}", uuid::Uuid::now_v7().simple());
            queued.push(id.clone());
            rows.push((id, &endpoint.id, event));
        }
        ids.push(queued);
    }
    for chunk in rows.chunks(DELIVERIES_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO webhook_deliveries (id, endpoint_id, event, payload, status, attempts, \
             next_attempt_ms, lease_until_ms, created_ms) VALUES ",
        );
        push_values(&mut sql, chunk.len(), 9);
        let mut args = AnyArguments::default();
        for (id, endpoint, event) in chunk {
            bind_delivery(&mut args, id, endpoint, event, now).map_err(StoreError::Database)?;
        }
        sqlx::query_with(&sql, args).execute(&mut **tx).await?;
    }
    Ok(ids)
}

/// `tenant`'s endpoints, oldest first, read through `executor`: the pool, or
/// a transaction that queues messages for them.
async fn tenant_endpoints<'c, E>(executor: E, tenant: &str) -> Result<Vec<Endpoint>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let sql = format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_ms, id"
    );
    let rows = sqlx::query(&sql).bind(tenant).fetch_all(executor).await?;
    rows.iter().map(endpoint_from).collect()
}

/// Binds one message's columns, in the INSERT's column order: pending, no
/// attempt yet, due and queued at `now`, not leased.
fn bind_delivery<'q>(
    args: &mut AnyArguments<'q>,
    id: &'q str,
    endpoint: &'q str,
    event: &'q QueuedEvent,
    now: i64,
) -> std::result::Result<(), sqlx::Error> {
    let add = |result: std::result::Result<(), sqlx::error::BoxDynError>| result.map_err(sqlx::Error::Encode);
    add(args.add(id))?;
    add(args.add(endpoint))?;
    add(args.add(event.event.as_str()))?;
    add(args.add(event.payload.as_str()))?;
    add(args.add("pending"))?;
    add(args.add(0i64))?;
    add(args.add(now))?;
    add(args.add(0i64))?;
    add(args.add(now))?;
    Ok(())
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt failed.
    Failed,
    /// The endpoint was disabled before it could be delivered.
    Disabled,
}

impl DeliveryStatus {
    fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Disabled => "disabled",
        }
    }

    fn parse(text: &str) -> Result<DeliveryStatus> {
        Ok(match text {
            "pending" => DeliveryStatus::Pending,
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            "disabled" => DeliveryStatus::Disabled,
            other => return Err(StoreError::Corrupt(format!("unknown delivery status `{other}`"))),
        })
    }
}

/// One message to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `msg_…`: the `webhook-id`, the same on every attempt.
    pub id: String,
    /// The endpoint it goes to.
    pub endpoint_id: String,
    /// Its event type.
    pub event: String,
    /// The JSON body sent.
    pub payload: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i64,
    /// When the next attempt is due, Unix ms.
    pub next_attempt_ms: i64,
    /// When it was queued, Unix ms.
    pub created_ms: i64,
    /// When it was delivered, failed or disabled, Unix ms.
    pub finished_ms: Option<i64>,
}

/// One attempt at a delivery, for the log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub attempt: i64,
    /// When it was made, Unix ms.
    pub at_ms: i64,
    /// The HTTP status the endpoint answered, if it answered.
    pub status_code: Option<i64>,
    /// Why it failed without an answer (connection refused, timeout).
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

/// What an attempt leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered: done.
    Delivered,
    /// Try again at this time (Unix ms).
    Retry(i64),
    /// Out of attempts: give up.
    Failed,
    /// The receiver is gone: disable the endpoint, stop its deliveries.
    Disable(String),
}

/// A new signing secret (`whsec_…`).
fn new_secret() -> Result<String> {
    crate::webhooks::Secret::generate().map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn endpoint_from(row: &sqlx::any::AnyRow) -> Result<Endpoint> {
    let events: String = row.try_get("events")?;
    Ok(Endpoint {
        id: row.try_get("id")?,
        tenant: row.try_get("tenant_id")?,
        url: row.try_get("url")?,
        events: events
            .split(',')
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect(),
        secret: row.try_get("secret")?,
        previous_secret: row.try_get("previous_secret")?,
        previous_until_ms: row.try_get("previous_until_ms")?,
        created_ms: row.try_get("created_ms")?,
        disabled_ms: row.try_get("disabled_ms")?,
        disabled_reason: row.try_get("disabled_reason")?,
    })
}

fn delivery_from(row: &sqlx::any::AnyRow) -> Result<Delivery> {
    let status: String = row.try_get("status")?;
    Ok(Delivery {
        id: row.try_get("id")?,
        endpoint_id: row.try_get("endpoint_id")?,
        event: row.try_get("event")?,
        payload: row.try_get("payload")?,
        status: DeliveryStatus::parse(&status)?,
        attempts: row.try_get("attempts")?,
        next_attempt_ms: row.try_get("next_attempt_ms")?,
        created_ms: row.try_get("created_ms")?,
        finished_ms: row.try_get("finished_ms")?,
    })
}

const ENDPOINT_COLUMNS: &str = "id, tenant_id, url, events, secret, previous_secret, previous_until_ms, \
     created_ms, disabled_ms, disabled_reason";
const DELIVERY_COLUMNS: &str =
    "id, endpoint_id, event, payload, status, attempts, next_attempt_ms, created_ms, finished_ms";

impl Store {
    /// Registers an endpoint of `tenant` receiving `events` at `url`, with a
    /// new signing secret.
    pub async fn create_endpoint(&self, tenant: &str, url: &str, events: &[String]) -> Result<Endpoint> {
        self.ensure_tenant(tenant).await?;
        let secret = new_secret()?;
        let endpoint = Endpoint {
            id: format!("ep_{}", random_hex(ENDPOINT_ID_BYTES)?),
            tenant: tenant.to_owned(),
            url: url.to_owned(),
            events: events.to_vec(),
            secret,
            previous_secret: None,
            previous_until_ms: None,
            created_ms: now_ms(),
            disabled_ms: None,
            disabled_reason: None,
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&endpoint.id)
        .bind(tenant)
        .bind(url)
        .bind(events.join(","))
        .bind(&endpoint.secret)
        .bind(endpoint.created_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(endpoint)
    }

    /// `tenant`'s endpoints, oldest first.
    pub async fn endpoints(&self, tenant: &str) -> Result<Vec<Endpoint>> {
        tenant_endpoints(&self.pool, tenant).await
    }

    /// Endpoint `id` of `tenant`.
    pub async fn endpoint(&self, tenant: &str, id: &str) -> Result<Option<Endpoint>> {
        let sql =
            format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(tenant)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(endpoint_from).transpose()
    }

    /// Removes endpoint `id` of `tenant` with its deliveries and their log.
    /// `false` when there was none.
    pub async fn delete_endpoint(&self, tenant: &str, id: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM webhook_attempts WHERE delivery_id IN \
             (SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
              WHERE e.tenant_id = $1 AND e.id = $2)",
        )
        .bind(tenant)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM webhook_deliveries WHERE endpoint_id IN \
             (SELECT id FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2)",
        )
        .bind(tenant)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let removed = sqlx::query("DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(removed == 1)
    }

    /// Gives endpoint `id` a new secret; the old one keeps signing (beside
    /// the new) for `overlap_ms`, so the receiver can switch without losing
    /// a message. `None` when there is no such endpoint.
    pub async fn rotate_endpoint_secret(
        &self,
        tenant: &str,
        id: &str,
        overlap_ms: i64,
    ) -> Result<Option<Endpoint>> {
        let Some(current) = self.endpoint(tenant, id).await? else {
            return Ok(None);
        };
        let secret = new_secret()?;
        let until = now_ms() + overlap_ms;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE webhook_endpoints SET secret = $1, previous_secret = $2, previous_until_ms = $3 \
             WHERE tenant_id = $4 AND id = $5",
        )
        .bind(&secret)
        .bind(&current.secret)
        .bind(until)
        .bind(tenant)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.endpoint(tenant, id).await
    }

    /// Queues a message of type `event` with `payload` for every enabled
    /// endpoint of `tenant` that receives it, in a transaction of its own.
    /// Returns the message ids.
    pub async fn enqueue_event(&self, tenant: &str, event: &str, payload: &str) -> Result<Vec<String>> {
        let mut tx = self.begin_write().await?;
        let queued = QueuedEvent {
            tenant: tenant.to_owned(),
            event: event.to_owned(),
            payload: payload.to_owned(),
        };
        let ids = queue_in(&mut tx, &[&queued], now_ms()).await?;
        tx.commit().await?;
        Ok(ids.into_iter().flatten().collect())
    }

    /// Claims up to `limit` deliveries due at `now` for `lease_ms`: no other
    /// sender takes them until the lease ends (or the attempt is recorded).
    pub async fn claim_due_deliveries(
        &self,
        now: i64,
        limit: i64,
        lease_ms: i64,
    ) -> Result<Vec<(Delivery, Endpoint)>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries \
             WHERE status = 'pending' AND next_attempt_ms <= $1 AND lease_until_ms <= $1 \
             ORDER BY next_attempt_ms, id LIMIT $2"
        );
        let due = sqlx::query(&sql)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut claimed = Vec::new();
        for row in &due {
            let delivery = delivery_from(row)?;
            let mut tx = self.begin_write().await?;
            let taken = sqlx::query(
                "UPDATE webhook_deliveries SET lease_until_ms = $1 \
                 WHERE id = $2 AND status = 'pending' AND lease_until_ms <= $3",
            )
            .bind(now + lease_ms)
            .bind(&delivery.id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            if taken != 1 {
                continue;
            }
            let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1");
            if let Some(row) = sqlx::query(&sql)
                .bind(&delivery.endpoint_id)
                .fetch_optional(&self.pool)
                .await?
            {
                claimed.push((delivery, endpoint_from(&row)?));
            }
        }
        Ok(claimed)
    }

    /// Records attempt `attempt` at delivery `delivery_id` and what follows.
    pub async fn record_attempt(
        &self,
        delivery_id: &str,
        attempt: &Attempt,
        outcome: &Outcome,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, attempt, at_ms, status_code, error, duration_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(delivery_id)
        .bind(attempt.attempt)
        .bind(attempt.at_ms)
        .bind(attempt.status_code)
        .bind(attempt.error.as_deref())
        .bind(attempt.duration_ms)
        .execute(&mut *tx)
        .await?;
        let now = now_ms();
        let (status, next) = match outcome {
            Outcome::Delivered => (DeliveryStatus::Delivered, None),
            Outcome::Retry(at) => (DeliveryStatus::Pending, Some(*at)),
            Outcome::Failed | Outcome::Disable(_) => (DeliveryStatus::Failed, None),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_ms = $3, \
             lease_until_ms = 0, finished_ms = $4 WHERE id = $5",
        )
        .bind(status.as_str())
        .bind(attempt.attempt)
        .bind(next.unwrap_or(now))
        .bind(next.is_none().then_some(now))
        .bind(delivery_id)
        .execute(&mut *tx)
        .await?;
        if let Outcome::Disable(reason) = outcome {
            sqlx::query(
                "UPDATE webhook_endpoints SET disabled_ms = $1, disabled_reason = $2 \
                 WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = $3)",
            )
            .bind(now)
            .bind(reason)
            .bind(delivery_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE webhook_deliveries SET status = 'disabled', finished_ms = $1 \
                 WHERE status = 'pending' AND endpoint_id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = $2)",
            )
            .bind(now)
            .bind(delivery_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The delivery log of endpoint `id` of `tenant`: its newest `limit`
    /// deliveries, newest first, each with its attempts in order.
    pub async fn deliveries(
        &self,
        tenant: &str,
        id: &str,
        limit: i64,
    ) -> Result<Vec<(Delivery, Vec<Attempt>)>> {
        // The endpoint's newest deliveries: listed, and the attempts read for.
        let newest =
            "SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE e.tenant_id = $1 AND e.id = $2 ORDER BY d.created_ms DESC, d.id DESC LIMIT $3";
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id IN ({newest}) \
             ORDER BY created_ms DESC, id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(tenant)
            .bind(id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        // Their attempts in one query; attempts are numbered 1, 2, … in order.
        let sql = format!(
            "SELECT delivery_id, attempt, at_ms, status_code, error, duration_ms FROM webhook_attempts \
             WHERE delivery_id IN ({newest}) AND attempt <= $4 ORDER BY delivery_id, attempt"
        );
        let mut attempts: HashMap<String, Vec<Attempt>> = HashMap::new();
        for r in sqlx::query(&sql)
            .bind(tenant)
            .bind(id)
            .bind(limit)
            .bind(MAX_LOGGED_ATTEMPTS)
            .fetch_all(&self.pool)
            .await?
        {
            let delivery: String = r.try_get("delivery_id")?;
            attempts.entry(delivery).or_default().push(Attempt {
                attempt: r.try_get("attempt")?,
                at_ms: r.try_get("at_ms")?,
                status_code: r.try_get("status_code")?,
                error: r.try_get("error")?,
                duration_ms: r.try_get("duration_ms")?,
            });
        }
        let mut out = Vec::new();
        for row in &rows {
            let delivery = delivery_from(row)?;
            let tried = attempts.remove(&delivery.id).unwrap_or_default();
            out.push((delivery, tried));
        }
        Ok(out)
    }
}
