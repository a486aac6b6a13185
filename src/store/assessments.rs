//! Question sets and assessments: what a tenant sends to candidates, the
//! answers saved as they write, the submission (once, whatever races it),
//! the callback owed to the ATS that sent it, and the secret that signs
//! report links.

use sqlx::Row;

use super::keys::{random_hex, sha256_hex};
use super::webhooks::{queue_in, QueuedEvent};
use super::{now_ms, Result, Store, StoreError};

/// Random bytes in an assessment id and in a candidate's token.
const ASSESSMENT_ID_BYTES: usize = 8;
const TOKEN_BYTES: usize = 24;
/// Bytes of the report-link signing secret.
const LINK_SECRET_BYTES: usize = 32;

/// A named set of questions a tenant sends to candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionSet {
    /// The tenant's id for it (`backend-core`).
    pub id: String,
    /// What recruiters see (`Backend core`).
    pub name: String,
    /// Bank or tenant question ids, in the order asked.
    pub question_ids: Vec<String>,
    /// How long a candidate has from when it is sent, in ms.
    pub time_limit_ms: i64,
    /// When it was created, Unix ms.
    pub created_ms: i64,
    /// When it was last replaced, Unix ms.
    pub updated_ms: i64,
}

/// Where an assessment stands, as stored (expiry is read from the deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessmentStatus {
    /// Sent; nothing saved yet.
    Sent,
    /// An answer was saved.
    Started,
    /// Submitted and evaluated.
    Completed,
}

impl AssessmentStatus {
    fn as_str(self) -> &'static str {
        match self {
            AssessmentStatus::Sent => "sent",
            AssessmentStatus::Started => "started",
            AssessmentStatus::Completed => "completed",
        }
    }

    fn parse(text: &str) -> Result<AssessmentStatus> {
        Ok(match text {
            "sent" => AssessmentStatus::Sent,
            "started" => AssessmentStatus::Started,
            "completed" => AssessmentStatus::Completed,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown assessment status `{other}`"
                )))
            }
        })
    }
}

/// One question of an assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentAnswer {
    /// 0 for the first question.
    pub position: i64,
    /// The question's id.
    pub question_id: String,
    /// Its wording when the assessment was sent.
    pub question: String,
    /// The answer saved so far.
    pub answer: Option<String>,
    /// When it was last saved, Unix ms.
    pub saved_ms: Option<i64>,
    /// After submission: the evaluation as JSON (`None` when unanswered).
    pub result: Option<String>,
}

/// A candidate's assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// `as_…`: also Greenhouse's `partner_interview_id`.
    pub id: String,
    /// The tenant that sent it.
    pub tenant: String,
    /// The question set sent.
    pub question_set_id: String,
    /// Its name when sent.
    pub question_set_name: String,
    /// Who sent it: `api` or `greenhouse`.
    pub source: String,
    /// The sender's reference for the candidate.
    pub candidate_ref: Option<String>,
    /// The candidate's name, shown on their page and the report.
    pub candidate_name: Option<String>,
    /// Where it stands.
    pub status: AssessmentStatus,
    /// When answers stop being accepted, Unix ms.
    pub deadline_ms: i64,
    /// When it was sent, Unix ms.
    pub created_ms: i64,
    /// When the first answer was saved, Unix ms.
    pub started_ms: Option<i64>,
    /// When it was submitted, Unix ms.
    pub submitted_ms: Option<i64>,
    /// After submission: the overall score.
    pub score: Option<f64>,
    /// After submission: the overall rating's name.
    pub rating: Option<String>,
    /// After submission: the summary, as JSON.
    pub report: Option<String>,
    /// The ATS's callback URL (Greenhouse's `url`), PATCHed on completion.
    pub callback_url: Option<String>,
    /// The URL its links start with, from the request that sent it.
    pub link_base: Option<String>,
    /// The callback's state: `pending`, `delivered` or `failed`; `None` before completion.
    pub callback_status: Option<String>,
    /// Callback attempts made.
    pub callback_attempts: i64,
    /// Why the last callback attempt failed.
    pub callback_error: Option<String>,
    /// The last error the ATS reported about this assessment.
    pub partner_error: Option<String>,
    /// Its questions, in order.
    pub answers: Vec<AssessmentAnswer>,
}

impl Assessment {
    /// `completed`, `expired` (past its deadline, not submitted), `started` or `sent`.
    pub fn state(&self, now: i64) -> &'static str {
        match self.status {
            AssessmentStatus::Completed => "completed",
            _ if now >= self.deadline_ms => "expired",
            status => status.as_str(),
        }
    }
}

/// A new assessment to store.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    /// The tenant sending it.
    pub tenant: String,
    /// The set sent.
    pub question_set: QuestionSet,
    /// The wording of each of the set's questions, in order.
    pub wordings: Vec<String>,
    /// `api` or `greenhouse`.
    pub source: &'static str,
    /// The sender's reference for the candidate.
    pub candidate_ref: Option<String>,
    /// The candidate's name.
    pub candidate_name: Option<String>,
    /// When answers stop being accepted, Unix ms.
    pub deadline_ms: i64,
    /// The ATS's callback URL.
    pub callback_url: Option<String>,
    /// The URL its links start with, from the request that sends it.
    pub link_base: Option<String>,
}

/// What a submission stores.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The overall score.
    pub score: f64,
    /// The overall rating's name.
    pub rating: String,
    /// The summary, as JSON.
    pub report: String,
    /// Each answered position's evaluation, as JSON.
    pub results: Vec<(i64, String)>,
    /// The body to PATCH to the callback URL, if there is one.
    pub callback_body: Option<String>,
}

/// Why an answer could not be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveRefusal {
    /// Already submitted.
    Submitted,
    /// Past the deadline.
    Expired,
    /// No question at that position.
    NoSuchQuestion,
}

/// A callback owed to an ATS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    /// The assessment it reports.
    pub assessment_id: String,
    /// Where to PATCH.
    pub url: String,
    /// The JSON body.
    pub body: String,
    /// Attempts made before this one.
    pub attempts: i64,
}

/// What a callback attempt leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackOutcome {
    /// Accepted: done.
    Delivered,
    /// Try again at this time (Unix ms).
    Retry(i64),
    /// Out of attempts: the ATS still polls `test_status`.
    Failed,
}

const SET_COLUMNS: &str = "id, name, question_ids, time_limit_ms, created_ms, updated_ms";
const ASSESSMENT_COLUMNS: &str = "id, tenant_id, question_set_id, question_set_name, source, candidate_ref, \
     candidate_name, status, deadline_ms, created_ms, started_ms, submitted_ms, score, rating, report, \
     callback_url, callback_status, callback_attempts, callback_error, partner_error, link_base";

fn set_from(row: &sqlx::any::AnyRow) -> Result<QuestionSet> {
    let ids: String = row.try_get("question_ids")?;
    Ok(QuestionSet {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        question_ids: serde_json::from_str(&ids)
            .map_err(|e| StoreError::Corrupt(format!("question set ids: {e}")))?,
        time_limit_ms: row.try_get("time_limit_ms")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

fn assessment_from(row: &sqlx::any::AnyRow) -> Result<Assessment> {
    let status: String = row.try_get("status")?;
    Ok(Assessment {
        id: row.try_get("id")?,
        tenant: row.try_get("tenant_id")?,
        question_set_id: row.try_get("question_set_id")?,
        question_set_name: row.try_get("question_set_name")?,
        source: row.try_get("source")?,
        candidate_ref: row.try_get("candidate_ref")?,
        candidate_name: row.try_get("candidate_name")?,
        status: AssessmentStatus::parse(&status)?,
        deadline_ms: row.try_get("deadline_ms")?,
        created_ms: row.try_get("created_ms")?,
        started_ms: row.try_get("started_ms")?,
        submitted_ms: row.try_get("submitted_ms")?,
        score: row.try_get("score")?,
        rating: row.try_get("rating")?,
        report: row.try_get("report")?,
        callback_url: row.try_get("callback_url")?,
        link_base: row.try_get("link_base")?,
        callback_status: row.try_get("callback_status")?,
        callback_attempts: row.try_get("callback_attempts")?,
        callback_error: row.try_get("callback_error")?,
        partner_error: row.try_get("partner_error")?,
        answers: Vec::new(),
    })
}

impl Store {
    /// Creates or replaces `tenant`'s question set `set.id`; `true` when it is new.
    pub async fn put_question_set(&self, tenant: &str, set: &QuestionSet) -> Result<bool> {
        self.ensure_tenant(tenant).await?;
        let ids = serde_json::to_string(&set.question_ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE question_sets SET name = $3, question_ids = $4, time_limit_ms = $5, updated_ms = $6 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(&set.id)
        .bind(&set.name)
        .bind(&ids)
        .bind(set.time_limit_ms)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO question_sets (tenant_id, id, name, question_ids, time_limit_ms, created_ms, updated_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(tenant)
            .bind(&set.id)
            .bind(&set.name)
            .bind(&ids)
            .bind(set.time_limit_ms)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(updated == 0)
    }

    /// `tenant`'s question sets, by id.
    pub async fn question_sets(&self, tenant: &str) -> Result<Vec<QuestionSet>> {
        let sql = format!("SELECT {SET_COLUMNS} FROM question_sets WHERE tenant_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql).bind(tenant).fetch_all(&self.pool).await?;
        rows.iter().map(set_from).collect()
    }

    /// `tenant`'s question set `id`.
    pub async fn question_set(&self, tenant: &str, id: &str) -> Result<Option<QuestionSet>> {
        let sql = format!("SELECT {SET_COLUMNS} FROM question_sets WHERE tenant_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(tenant)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(set_from).transpose()
    }

    /// Stores a new assessment; returns it with the candidate's token, which
    /// is never stored (only its digest) and so is shown only now.
    pub async fn create_assessment(&self, new: NewAssessment) -> Result<(Assessment, String)> {
        let token = random_hex(TOKEN_BYTES)?;
        let id = format!("as_{}", random_hex(ASSESSMENT_ID_BYTES)?);
        let created_ms = now_ms();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO assessments (id, tenant_id, question_set_id, question_set_name, token_sha256, source, \
             candidate_ref, candidate_name, status, deadline_ms, created_ms, callback_url, callback_attempts, \
             link_base) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13)",
        )
        .bind(&id)
        .bind(&new.tenant)
        .bind(&new.question_set.id)
        .bind(&new.question_set.name)
        .bind(sha256_hex(token.as_bytes()))
        .bind(new.source)
        .bind(&new.candidate_ref)
        .bind(&new.candidate_name)
        .bind(AssessmentStatus::Sent.as_str())
        .bind(new.deadline_ms)
        .bind(created_ms)
        .bind(&new.callback_url)
        .bind(&new.link_base)
        .execute(&mut *tx)
        .await?;
        let mut answers = Vec::new();
        for (position, (question_id, wording)) in new
            .question_set
            .question_ids
            .iter()
            .zip(&new.wordings)
            .enumerate()
        {
            let position = position as i64;
            sqlx::query(
                "INSERT INTO assessment_answers (assessment_id, position, question_id, question) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&id)
            .bind(position)
            .bind(question_id)
            .bind(wording)
            .execute(&mut *tx)
            .await?;
            answers.push(AssessmentAnswer {
                position,
                question_id: question_id.clone(),
                question: wording.clone(),
                answer: None,
                saved_ms: None,
                result: None,
            });
        }
        tx.commit().await?;
        let assessment = Assessment {
            id,
            tenant: new.tenant,
            question_set_id: new.question_set.id,
            question_set_name: new.question_set.name,
            source: new.source.to_owned(),
            candidate_ref: new.candidate_ref,
            candidate_name: new.candidate_name,
            status: AssessmentStatus::Sent,
            deadline_ms: new.deadline_ms,
            created_ms,
            started_ms: None,
            submitted_ms: None,
            score: None,
            rating: None,
            report: None,
            callback_url: new.callback_url,
            link_base: new.link_base,
            callback_status: None,
            callback_attempts: 0,
            callback_error: None,
            partner_error: None,
            answers,
        };
        Ok((assessment, token))
    }

    /// The assessment matching `condition` (with `binds` for its `$n`), with its answers.
    async fn assessment_where(&self, condition: &str, binds: &[&str]) -> Result<Option<Assessment>> {
        let sql = format!("SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE {condition}");
        let mut query = sqlx::query(&sql);
        for bind in binds {
            query = query.bind(*bind);
        }
        let Some(row) = query.fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let mut assessment = assessment_from(&row)?;
        let rows = sqlx::query(
            "SELECT position, question_id, question, answer, saved_ms, result FROM assessment_answers \
             WHERE assessment_id = $1 ORDER BY position",
        )
        .bind(&assessment.id)
        .fetch_all(&self.pool)
        .await?;
        assessment.answers = rows
            .iter()
            .map(|row| {
                Ok(AssessmentAnswer {
                    position: row.try_get("position")?,
                    question_id: row.try_get("question_id")?,
                    question: row.try_get("question")?,
                    answer: row.try_get("answer")?,
                    saved_ms: row.try_get("saved_ms")?,
                    result: row.try_get("result")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Some(assessment))
    }

    /// Assessment `id` of `tenant`.
    pub async fn assessment(&self, tenant: &str, id: &str) -> Result<Option<Assessment>> {
        self.assessment_where("tenant_id = $1 AND id = $2", &[tenant, id])
            .await
    }

    /// Assessment `id`, whatever its tenant (for signed report links).
    pub async fn assessment_by_id(&self, id: &str) -> Result<Option<Assessment>> {
        self.assessment_where("id = $1", &[id]).await
    }

    /// The assessment a candidate's `token` opens.
    pub async fn assessment_by_token(&self, token: &str) -> Result<Option<Assessment>> {
        let digest = sha256_hex(token.as_bytes());
        self.assessment_where("token_sha256 = $1", &[&digest]).await
    }

    /// `tenant`'s assessment that reports to `callback_url`, if any: an ATS
    /// that retries a send gets the same assessment, not a second one.
    pub async fn assessment_by_callback(
        &self,
        tenant: &str,
        callback_url: &str,
    ) -> Result<Option<Assessment>> {
        self.assessment_where("tenant_id = $1 AND callback_url = $2", &[tenant, callback_url])
            .await
    }

    /// Saves `answer` at `position` of assessment `id`, unless it was
    /// submitted or its deadline passed (checked in the same statement).
    pub async fn save_answer(
        &self,
        id: &str,
        position: i64,
        answer: &str,
    ) -> Result<std::result::Result<i64, SaveRefusal>> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let saved = sqlx::query(
            "UPDATE assessment_answers SET answer = $3, saved_ms = $4 \
             WHERE assessment_id = $1 AND position = $2 AND EXISTS (SELECT 1 FROM assessments \
             WHERE id = $1 AND status <> 'completed' AND deadline_ms > $4)",
        )
        .bind(id)
        .bind(position)
        .bind(answer)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if saved == 0 {
            tx.rollback().await?;
            let row = sqlx::query("SELECT status, deadline_ms FROM assessments WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            let refusal = match row {
                Some(row) => {
                    let status: String = row.try_get("status")?;
                    let deadline: i64 = row.try_get("deadline_ms")?;
                    if status == "completed" {
                        SaveRefusal::Submitted
                    } else if now >= deadline {
                        SaveRefusal::Expired
                    } else {
                        SaveRefusal::NoSuchQuestion
                    }
                }
                None => SaveRefusal::NoSuchQuestion,
            };
            return Ok(Err(refusal));
        }
        sqlx::query(
            "UPDATE assessments SET status = 'started', started_ms = $2 WHERE id = $1 AND status = 'sent'",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(now))
    }

    /// Marks assessment `id` submitted with its results and returns when;
    /// `None` when it already was (a second submission changes nothing). Queues the
    /// callback when the assessment has a callback URL, and `event` (when given)
    /// for the tenant's webhook endpoints, in the same transaction.
    pub async fn complete_assessment(
        &self,
        id: &str,
        submission: &Submission,
        event: Option<&QueuedEvent>,
    ) -> Result<Option<i64>> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE assessments SET status = 'completed', submitted_ms = $2, score = $3, rating = $4, report = $5, \
             callback_body = $6, \
             callback_status = CASE WHEN callback_url IS NULL THEN NULL ELSE 'pending' END, \
             callback_next_ms = CASE WHEN callback_url IS NULL THEN NULL ELSE $2 END \
             WHERE id = $1 AND status <> 'completed'",
        )
        .bind(id)
        .bind(now)
        .bind(submission.score)
        .bind(&submission.rating)
        .bind(&submission.report)
        .bind(&submission.callback_body)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        for (position, result) in &submission.results {
            sqlx::query(
                "UPDATE assessment_answers SET result = $3 WHERE assessment_id = $1 AND position = $2",
            )
            .bind(id)
            .bind(*position)
            .bind(result)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(event) = event {
            queue_in(&mut tx, &[event], now).await?;
        }
        tx.commit().await?;
        Ok(Some(now))
    }

    /// Erases assessment `id` of `tenant` with its answers and evaluations;
    /// `false` when there is none.
    pub async fn delete_assessment(&self, tenant: &str, id: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM assessment_answers WHERE assessment_id IN \
             (SELECT id FROM assessments WHERE tenant_id = $1 AND id = $2)",
        )
        .bind(tenant)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let deleted = sqlx::query("DELETE FROM assessments WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted > 0)
    }

    /// Records the error an ATS reported about assessment `id` of `tenant`;
    /// `false` when there is no such assessment.
    pub async fn record_partner_error(&self, tenant: &str, id: &str, message: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let updated =
            sqlx::query("UPDATE assessments SET partner_error = $3 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant)
                .bind(id)
                .bind(message)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(updated > 0)
    }

    /// Claims up to `batch` callbacks due at `now` for `lease_ms`, so no
    /// other instance sends them meanwhile.
    pub async fn claim_due_callbacks(&self, now: i64, batch: i64, lease_ms: i64) -> Result<Vec<Callback>> {
        let rows = sqlx::query(
            "SELECT id, callback_url, callback_body, callback_attempts, callback_next_ms FROM assessments \
             WHERE callback_status = 'pending' AND callback_next_ms <= $1 ORDER BY callback_next_ms LIMIT $2",
        )
        .bind(now)
        .bind(batch)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::new();
        for row in rows {
            let id: String = row.try_get("id")?;
            let next: i64 = row.try_get("callback_next_ms")?;
            let mut tx = self.begin_write().await?;
            let took = sqlx::query(
                "UPDATE assessments SET callback_next_ms = $3 WHERE id = $1 AND callback_next_ms = $2 \
                 AND callback_status = 'pending'",
            )
            .bind(&id)
            .bind(next)
            .bind(now + lease_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            if took == 1 {
                let url: Option<String> = row.try_get("callback_url")?;
                let body: Option<String> = row.try_get("callback_body")?;
                claimed.push(Callback {
                    assessment_id: id,
                    url: url.unwrap_or_default(),
                    body: body.unwrap_or_default(),
                    attempts: row.try_get("callback_attempts")?,
                });
            }
        }
        Ok(claimed)
    }

    /// Records a callback attempt on assessment `id` and what follows.
    pub async fn record_callback(
        &self,
        id: &str,
        outcome: &CallbackOutcome,
        error: Option<&str>,
    ) -> Result<()> {
        let (status, next) = match outcome {
            CallbackOutcome::Delivered => ("delivered", None),
            CallbackOutcome::Retry(at) => ("pending", Some(*at)),
            CallbackOutcome::Failed => ("failed", None),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE assessments SET callback_status = $2, callback_next_ms = $3, \
             callback_attempts = callback_attempts + 1, callback_error = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(next)
        .bind(error)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The secret that signs report links, made on first use and shared by
    /// every instance.
    pub async fn report_link_secret(&self) -> Result<Vec<u8>> {
        let candidate = random_hex(LINK_SECRET_BYTES)?;
        sqlx::query(
            "INSERT INTO service_secrets (name, value, created_ms) VALUES ('report_links', $1, $2) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(&candidate)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        let value: String =
            sqlx::query_scalar("SELECT value FROM service_secrets WHERE name = 'report_links'")
                .fetch_one(&self.pool)
                .await?;
        Ok(value.into_bytes())
    }
}
