//! Evaluation records: every evaluation made, readable and erasable by the
//! tenant (or the key) that made it.

use sqlx::any::AnyArguments;
use sqlx::{Arguments, Row};

use super::idempotency::Completion;
use super::webhooks::QueuedEvent;
use super::writer::RecordWriter;
use super::{Result, Store, StoreError};

/// One stored evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRecord {
    /// A UUIDv7, so ids sort by creation time.
    pub id: String,
    /// The tenant of the key that asked.
    pub tenant: String,
    /// The key that asked.
    pub key_id: String,
    /// The question evaluated against.
    pub question_id: String,
    /// The caller's reference for the candidate.
    pub candidate_ref: Option<String>,
    /// The answer text; `None` when the server does not store answers.
    pub answer: Option<String>,
    /// The score, 0–100.
    pub score: f64,
    /// The rating's name.
    pub rating: String,
    /// The evaluation as JSON, exactly as returned.
    pub result: String,
    /// The scoring version that produced it.
    pub scoring_version: String,
    /// When it was made, Unix ms.
    pub created_ms: i64,
}

/// A record in a listing: everything but the answer and the full result.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordSummary {
    /// The record's id.
    pub id: String,
    /// The key that asked.
    pub key_id: String,
    /// The question.
    pub question_id: String,
    /// The caller's reference for the candidate.
    pub candidate_ref: Option<String>,
    /// The score, 0–100.
    pub score: f64,
    /// The rating's name.
    pub rating: String,
    /// The scoring version.
    pub scoring_version: String,
    /// When it was made, Unix ms.
    pub created_ms: i64,
}

/// Whose records a request may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every record of a tenant (admin keys).
    Tenant(String),
    /// The records one key made (other keys).
    Key {
        /// The key's tenant.
        tenant: String,
        /// The key.
        key_id: String,
    },
}

/// Filters and position of a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    /// Only this candidate's records.
    pub candidate_ref: Option<String>,
    /// Only records for this question.
    pub question_id: Option<String>,
    /// Only records older than this id (the previous page's cursor).
    pub before: Option<String>,
    /// Most records on the page.
    pub limit: u32,
}

/// One page of records, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPage {
    /// The records.
    pub records: Vec<RecordSummary>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A `WHERE` clause over numbered parameters, built from a scope and filters.
struct Conditions {
    sql: String,
    args: AnyArguments<'static>,
    count: usize,
}

impl Conditions {
    fn new(scope: &Scope) -> Result<Conditions> {
        let mut conditions = Conditions {
            sql: String::new(),
            args: AnyArguments::default(),
            count: 0,
        };
        match scope {
            Scope::Tenant(tenant) => conditions.push("tenant_id =", tenant.clone())?,
            Scope::Key { tenant, key_id } => {
                conditions.push("tenant_id =", tenant.clone())?;
                conditions.push("key_id =", key_id.clone())?;
            }
        }
        Ok(conditions)
    }

    /// Adds `AND <left> $n`, binding `value` as `$n`.
    fn push(&mut self, left: &str, value: String) -> Result<()> {
        self.count += 1;
        if !self.sql.is_empty() {
            self.sql.push_str(" AND ");
        }
        self.sql.push_str(&format!("{left} ${}", self.count));
        self.args
            .add(value)
            .map_err(|err| StoreError::Corrupt(format!("binding a parameter: {err}")))
    }
}

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<RecordSummary> {
    Ok(RecordSummary {
        id: row.try_get("id")?,
        key_id: row.try_get("key_id")?,
        question_id: row.try_get("question_id")?,
        candidate_ref: row.try_get("candidate_ref")?,
        score: row.try_get("score")?,
        rating: row.try_get("rating")?,
        scoring_version: row.try_get("scoring_version")?,
        created_ms: row.try_get("created_ms")?,
    })
}

/// What [`Store::record_evaluations`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Everything was stored, and this many webhook deliveries were queued.
    Stored {
        /// Messages queued, one per event and endpoint that receives it.
        deliveries: usize,
    },
    /// Nothing was stored: another request took the idempotency key over
    /// after this one's lease ran out.
    LeaseLost,
}

impl Recorded {
    /// Whether the writes were stored.
    pub fn is_stored(self) -> bool {
        matches!(self, Recorded::Stored { .. })
    }
}

impl Store {
    /// Stores `records`, completes an idempotency claim (when given) with
    /// the response that reports them, and queues `events` for the webhook
    /// endpoints that receive them, all in one transaction, and returns once
    /// it has committed. Nothing is stored when the claim's lease was lost.
    ///
    /// The transaction is a group commit (the store's `writer` module): it also holds
    /// the writes of other requests that queued meanwhile.
    pub async fn record_evaluations(
        &self,
        records: &[EvaluationRecord],
        completion: Option<Completion<'_>>,
        events: Vec<QueuedEvent>,
    ) -> Result<Recorded> {
        if records.is_empty() && completion.is_none() && events.is_empty() {
            return Ok(Recorded::Stored { deliveries: 0 });
        }
        let writer = self
            .writer
            .get_or_init(|| RecordWriter::start(self.pool.clone(), self.backend));
        let completion = completion.map(|c| (c.claim.clone(), c.response.clone()));
        writer.write(records.to_vec(), completion, events).await
    }

    /// Record `id`, when `scope` may see it.
    pub async fn evaluation(&self, scope: &Scope, id: &str) -> Result<Option<EvaluationRecord>> {
        let mut conditions = Conditions::new(scope)?;
        conditions.push("id =", id.to_owned())?;
        let sql = format!(
            "SELECT id, tenant_id, key_id, question_id, candidate_ref, answer, score, rating, result, \
             scoring_version, created_ms FROM evaluations WHERE {}",
            conditions.sql
        );
        let row = sqlx::query_with(&sql, conditions.args)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(EvaluationRecord {
                id: row.try_get("id")?,
                tenant: row.try_get("tenant_id")?,
                key_id: row.try_get("key_id")?,
                question_id: row.try_get("question_id")?,
                candidate_ref: row.try_get("candidate_ref")?,
                answer: row.try_get("answer")?,
                score: row.try_get("score")?,
                rating: row.try_get("rating")?,
                result: row.try_get("result")?,
                scoring_version: row.try_get("scoring_version")?,
                created_ms: row.try_get("created_ms")?,
            })
        })
        .transpose()
    }

    /// A page of the records `scope` may see, newest first.
    pub async fn evaluations(&self, scope: &Scope, filter: &RecordFilter) -> Result<RecordPage> {
        let mut conditions = Conditions::new(scope)?;
        if let Some(candidate) = &filter.candidate_ref {
            conditions.push("candidate_ref =", candidate.clone())?;
        }
        if let Some(question) = &filter.question_id {
            conditions.push("question_id =", question.clone())?;
        }
        if let Some(before) = &filter.before {
            conditions.push("id <", before.clone())?;
        }
        let limit = filter.limit.max(1);
        // One more than the page, to know whether another page follows.
        let sql = format!(
            "SELECT id, key_id, question_id, candidate_ref, score, rating, scoring_version, created_ms \
             FROM evaluations WHERE {} ORDER BY id DESC LIMIT {}",
            conditions.sql,
            u64::from(limit) + 1
        );
        let rows = sqlx::query_with(&sql, conditions.args)
            .fetch_all(&self.pool)
            .await?;
        let mut records = rows.iter().map(summary_from_row).collect::<Result<Vec<_>>>()?;
        let next_cursor = if records.len() > limit as usize {
            records.truncate(limit as usize);
            records.last().map(|r| r.id.clone())
        } else {
            None
        };
        Ok(RecordPage { records, next_cursor })
    }

    /// Erases record `id`, when `scope` may see it; `false` when there was none.
    pub async fn delete_evaluation(&self, scope: &Scope, id: &str) -> Result<bool> {
        Ok(self.delete_where(scope, "id =", id).await? > 0)
    }

    /// Erases every record of `candidate_ref` that `scope` may see; returns how many.
    pub async fn delete_candidate(&self, scope: &Scope, candidate_ref: &str) -> Result<u64> {
        self.delete_where(scope, "candidate_ref =", candidate_ref).await
    }

    /// Erases the records `scope` may see where `left` `value` holds; returns how many.
    async fn delete_where(&self, scope: &Scope, left: &str, value: &str) -> Result<u64> {
        let mut conditions = Conditions::new(scope)?;
        conditions.push(left, value.to_owned())?;
        let sql = format!("DELETE FROM evaluations WHERE {}", conditions.sql);
        let done = sqlx::query_with(&sql, conditions.args)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
