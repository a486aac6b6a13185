//! The state shared by every instance of the service: API keys, idempotency
//! records, evaluation records and tenants' own questions.
//!
//! One [`Store`] over two backends: an SQLite file, the embedded default that
//! needs nothing installed, and PostgreSQL for several instances. Both run
//! the same SQL (one portable dialect, `$n` parameters) through sqlx's `Any`
//! driver, and the same versioned migrations (`migrations/`), applied at
//! start under the backend's migration lock.

mod assessments;
mod idempotency;
mod keys;
mod questions;
mod records;
mod webhooks;
mod writer;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::AnyPool;
use sqlx::Executor;

pub use assessments::{
    Assessment, AssessmentAnswer, AssessmentStatus, Callback, CallbackOutcome, NewAssessment, QuestionSet,
    SaveRefusal, Submission,
};
pub use idempotency::{Claim, ClaimOutcome, Completion, StoredResponse};
pub(crate) use keys::hex;
pub use keys::{sha256_hex, token_digest, validate_name, MAX_NAME_CHARS};
pub use keys::{ApiKey, NewKey, Principal, Role, DEFAULT_TENANT, OPEN_KEY_ID};
pub use questions::TenantQuestion;
pub use records::{EvaluationRecord, RecordFilter, RecordPage, RecordSummary, Recorded, Scope};
pub use webhooks::{Attempt, Delivery, DeliveryStatus, Endpoint, Outcome, QueuedEvent};

/// Every migration, in order. Each is applied once; a changed file is refused.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "store", include_str!("../../migrations/0001_store.sql")),
    (2, "webhooks", include_str!("../../migrations/0002_webhooks.sql")),
    (
        3,
        "assessments",
        include_str!("../../migrations/0003_assessments.sql"),
    ),
    (
        4,
        "assessment link base",
        include_str!("../../migrations/0004_assessment_link_base.sql"),
    ),
];

/// The SQLite file inside a data directory.
pub const SQLITE_FILE: &str = "assay.sqlite3";

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database URL names neither SQLite nor PostgreSQL.
    #[error("ASSAY_DATABASE_URL must start with postgres://, postgresql:// or sqlite:, not `{0}`")]
    UnsupportedUrl(String),
    /// The data directory could not be created.
    #[error("creating the data directory {}: {source}", path.display())]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database could not be reached.
    #[error("connecting to {url}: {source}")]
    Connect {
        /// The URL, with any password removed.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// A migration failed or the database holds one this build does not know.
    #[error("applying migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The record writer task is gone (its runtime shut down).
    #[error("the record writer has stopped")]
    WriterStopped,
    /// A stored value is not what this build wrote.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// A key, tenant or record the operation names does not exist.
    #[error("{0}")]
    NotFound(String),
}

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file: one instance.
    Sqlite,
    /// A PostgreSQL server: any number of instances.
    Postgres,
}

/// Where the store lives: a database URL, or a data directory holding an
/// SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `postgres://…` or `sqlite:…`.
    Url(String),
    /// A directory; [`SQLITE_FILE`] inside it is created on first use.
    DataDir(PathBuf),
}

impl Location {
    /// The location from `ASSAY_DATABASE_URL`-style and `ASSAY_DATA_DIR`-style
    /// settings: the URL wins; without either, [`default_data_dir`].
    pub fn from_settings(database_url: Option<&str>, data_dir: Option<&Path>) -> Location {
        match (database_url.filter(|u| !u.trim().is_empty()), data_dir) {
            (Some(url), _) => Location::Url(url.trim().to_owned()),
            (None, Some(dir)) => Location::DataDir(dir.to_owned()),
            (None, None) => Location::DataDir(default_data_dir()),
        }
    }

    /// Where the store is, for logs and messages, without any password.
    pub fn describe(&self) -> String {
        match self {
            Location::Url(url) => redact(url),
            Location::DataDir(dir) => dir.join(SQLITE_FILE).display().to_string(),
        }
    }
}

/// `$XDG_DATA_HOME/assay`, else `~/.local/share/assay`, else `./assay-data`.
pub fn default_data_dir() -> PathBuf {
    let non_empty = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(data_home) = non_empty("XDG_DATA_HOME") {
        return data_home.join("assay");
    }
    if let Some(home) = non_empty("HOME") {
        return home.join(".local").join("share").join("assay");
    }
    PathBuf::from("assay-data")
}

/// A URL with its password replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

/// The current time in Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Unix milliseconds as an RFC 3339 UTC timestamp (`2026-11-23T10:00:00.123Z`).
pub fn rfc3339(ms: i64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_owned())
}

/// `duration` in whole milliseconds, saturating.
fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// A connection pool on one backend, migrated to this build's schema.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The group-commit writer of evaluation records, started on first use
    /// (on the runtime that first writes) and shared by every clone.
    writer: std::sync::Arc<std::sync::OnceLock<writer::RecordWriter>>,
}

impl Store {
    /// Opens (creating when needed) the store at `location` and migrates it.
    pub async fn open(location: &Location) -> Result<Store> {
        match location {
            Location::Url(url) => Store::connect(url).await,
            Location::DataDir(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                    path: dir.clone(),
                    source,
                })?;
                let path = dir.join(SQLITE_FILE);
                Store::connect(&format!("sqlite://{}?mode=rwc", path.display())).await
            }
        }
    }

    /// Connects to `url` (`postgres://…` or `sqlite:…`) and migrates it.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10));
        let options = match backend {
            Backend::Postgres => options,
            // WAL lets readers run beside the one writer; NORMAL syncs at
            // checkpoints, not every commit, and a crash still loses no
            // committed transaction's consistency. Waiting writers retry for 10 s.
            Backend::Sqlite => options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            }),
        };
        let pool = options.connect(url).await.map_err(|source| StoreError::Connect {
            url: redact(url),
            source,
        })?;
        migrator().run(&pool).await?;
        Ok(Store {
            pool,
            backend,
            writer: Default::default(),
        })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Succeeds when the database answers a query.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a transaction that holds the write lock from its first
    /// statement on SQLite, so two writers wait for each other instead of
    /// failing when a read lock cannot be upgraded.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        begin_write(&self.pool, self.backend).await
    }

    /// Makes sure `tenant` exists.
    pub async fn ensure_tenant(&self, tenant: &str) -> Result<()> {
        sqlx::query("INSERT INTO tenants (id, created_ms) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(tenant)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Appends the `VALUES` list of a multi-row INSERT to `sql`: `rows` tuples of
/// `columns` numbered parameters each, `($1, $2), ($3, $4)`, bound in order.
fn push_values(sql: &mut String, rows: usize, columns: usize) {
    use std::fmt::Write as _;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            // Writing to a String cannot fail.
            let _ = write!(sql, "${}", row * columns + column + 1);
        }
        sql.push(')');
    }
}

/// [`Store::begin_write`] on a bare pool, for the record writer.
async fn begin_write(pool: &AnyPool, backend: Backend) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    Ok(match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => pool.begin().await?,
    })
}

/// The migrations compiled into the binary.
fn migrator() -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_values_list_numbers_its_parameters_row_by_row() {
        let mut sql = String::from("VALUES ");
        push_values(&mut sql, 2, 3);
        assert_eq!(sql, "VALUES ($1, $2, $3), ($4, $5, $6)");
    }

    #[test]
    fn passwords_never_leave_a_url() {
        assert_eq!(
            redact("postgres://assay:hunter2@db:5432/assay?sslmode=disable"),
            "postgres://assay:***@db:5432/assay?sslmode=disable"
        );
        assert_eq!(redact("postgres://db/assay"), "postgres://db/assay");
        assert_eq!(redact("sqlite:///tmp/x.sqlite3"), "sqlite:///tmp/x.sqlite3");
    }

    #[test]
    fn a_url_wins_over_a_data_dir() {
        let dir = Path::new("/tmp/d");
        assert_eq!(
            Location::from_settings(Some("postgres://x/y"), Some(dir)),
            Location::Url("postgres://x/y".into())
        );
        assert_eq!(
            Location::from_settings(Some("  "), Some(dir)),
            Location::DataDir(dir.into())
        );
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_435_200_123), "2026-11-23T12:00:00.123Z");
    }
}
