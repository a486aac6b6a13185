//! Tenants' own questions, kept as the JSON the API accepted, and a version
//! per tenant that every change bumps so other instances notice.

use sqlx::Row;

use super::{now_ms, Result, Store};

/// A question a tenant added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantQuestion {
    /// The question's id.
    pub id: String,
    /// The question as JSON (the corpus schema).
    pub body: String,
    /// When it was first added, Unix ms.
    pub created_ms: i64,
    /// When it was last replaced, Unix ms.
    pub updated_ms: i64,
}

impl Store {
    /// Stores question `id` of `tenant`. With `replace` false an existing
    /// question is left alone. Returns `Some(true)` when created,
    /// `Some(false)` when replaced, `None` when it existed and `replace` was false.
    pub async fn save_question(
        &self,
        tenant: &str,
        id: &str,
        body: &str,
        replace: bool,
    ) -> Result<Option<bool>> {
        self.ensure_tenant(tenant).await?;
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        // A write first, so SQLite takes its write lock before the read.
        bump_version(&mut tx, tenant).await?;
        let exists = sqlx::query("SELECT 1 AS one FROM tenant_questions WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if exists && !replace {
            tx.rollback().await?;
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO tenant_questions (tenant_id, id, body, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET body = excluded.body, updated_ms = excluded.updated_ms",
        )
        .bind(tenant)
        .bind(id)
        .bind(body)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(!exists))
    }

    /// Deletes question `id` of `tenant`; `false` when there was none.
    pub async fn delete_question(&self, tenant: &str, id: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM tenant_questions WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        bump_version(&mut tx, tenant).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every question of `tenant`, by id.
    pub async fn tenant_questions(&self, tenant: &str) -> Result<Vec<TenantQuestion>> {
        let rows = sqlx::query(
            "SELECT id, body, created_ms, updated_ms FROM tenant_questions WHERE tenant_id = $1 ORDER BY id",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TenantQuestion {
                    id: row.try_get("id")?,
                    body: row.try_get("body")?,
                    created_ms: row.try_get("created_ms")?,
                    updated_ms: row.try_get("updated_ms")?,
                })
            })
            .collect()
    }

    /// The question version of every tenant that ever had questions.
    pub async fn question_versions(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT tenant_id, version FROM tenant_question_versions ORDER BY tenant_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("tenant_id")?, row.try_get("version")?)))
            .collect()
    }
}

/// Adds one to `tenant`'s question version.
async fn bump_version(tx: &mut sqlx::Transaction<'static, sqlx::Any>, tenant: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO tenant_question_versions (tenant_id, version) VALUES ($1, 1) \
         ON CONFLICT (tenant_id) DO UPDATE SET version = tenant_question_versions.version + 1",
    )
    .bind(tenant)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
