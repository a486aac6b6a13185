//! API keys: created with a random secret shown once, stored as a SHA-256
//! digest, checked on every request, revoked but never deleted.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{now_ms, Result, Store, StoreError};

/// The tenant keys belong to unless told otherwise, and the one open mode uses.
pub const DEFAULT_TENANT: &str = "default";
/// The key id recorded for requests made in open mode, without a key.
pub const OPEN_KEY_ID: &str = "open";
/// What every key token starts with, so leaked keys are easy to scan for.
const TOKEN_PREFIX: &str = "assay_";
/// Random bytes in a key id and in a secret.
const ID_BYTES: usize = 8;
const SECRET_BYTES: usize = 32;
/// Longest key name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything in its tenant: keys, questions, every record.
    Admin,
    /// Evaluate, read and erase its own records, write questions, see model answers.
    Integration,
    /// Evaluate and read its own records; never model answers.
    Candidate,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Integration, Role::Candidate];

    /// The role's name (`integration`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Integration => "integration",
            Role::Candidate => "candidate",
        }
    }

    /// Whether the role may create, list and revoke keys.
    pub fn manages_keys(self) -> bool {
        self == Role::Admin
    }

    /// Whether the role may add, replace and delete its tenant's questions.
    pub fn writes_questions(self) -> bool {
        matches!(self, Role::Admin | Role::Integration)
    }

    /// Whether the role sees model answers.
    pub fn sees_model_answers(self) -> bool {
        matches!(self, Role::Admin | Role::Integration)
    }

    /// Whether the role sees every record of its tenant, not just its key's.
    pub fn sees_tenant_records(self) -> bool {
        self == Role::Admin
    }

    /// Whether the role may erase records.
    pub fn erases_records(self) -> bool {
        matches!(self, Role::Admin | Role::Integration)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(value: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == value)
            .ok_or_else(|| format!("`{value}` is not a role: use admin, integration or candidate"))
    }
}

/// Who is making a request: the key's id, tenant and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The key's id ([`OPEN_KEY_ID`] in open mode).
    pub key_id: String,
    /// The tenant the key belongs to.
    pub tenant: String,
    /// What the key may do.
    pub role: Role,
    /// The key's own rate limit, requests per minute; `None` for the server's.
    pub rate_per_minute: Option<u32>,
}

impl Principal {
    /// The principal of a request without a key in open mode: an admin of
    /// the default tenant.
    pub fn open() -> Principal {
        Principal {
            key_id: OPEN_KEY_ID.to_owned(),
            tenant: DEFAULT_TENANT.to_owned(),
            role: Role::Admin,
            rate_per_minute: None,
        }
    }
}

/// A stored key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// The public id (the part of the token before the secret).
    pub id: String,
    /// The tenant it belongs to.
    pub tenant: String,
    /// A name saying who or what uses it.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Its rate limit, requests per minute; `None` for the server's.
    pub rate_per_minute: Option<u32>,
    /// When it was created, Unix ms.
    pub created_ms: i64,
    /// When it was revoked, Unix ms.
    pub revoked_ms: Option<i64>,
}

/// A key just created, with the token to hand over: shown once, never stored.
#[derive(Debug, Clone)]
pub struct NewKey {
    /// The stored key.
    pub key: ApiKey,
    /// `assay_<id>_<secret>`, for `Authorization: Bearer`.
    pub token: String,
}

/// Checks a key name: 1 to [`MAX_NAME_CHARS`] characters, no control characters.
pub fn validate_name(name: &str) -> Result<(), String> {
    let chars = name.trim().chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!(
            "a key name must be 1 to {MAX_NAME_CHARS} characters, without control characters"
        ));
    }
    Ok(())
}

/// `bytes` random bytes from the operating system, as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|err| StoreError::Corrupt(format!("no randomness available: {err}")))?;
    Ok(hex(&buf))
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// The SHA-256 digest of `data`, as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// A digest of a whole token, to cache verified keys under without keeping
/// the token itself.
pub fn token_digest(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// Splits `assay_<id>_<secret>` into id and secret; `None` when malformed.
fn parse_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let is_hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    (is_hex(id, ID_BYTES * 2) && is_hex(secret, SECRET_BYTES * 2)).then_some((id, secret))
}

/// Compares two equal-length strings in time independent of where they differ.
fn same_digest(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn key_from_row(row: &sqlx::any::AnyRow) -> Result<ApiKey> {
    let role: String = row.try_get("role")?;
    let rate: Option<i64> = row.try_get("rate_per_minute")?;
    Ok(ApiKey {
        id: row.try_get("id")?,
        tenant: row.try_get("tenant_id")?,
        name: row.try_get("name")?,
        role: role.parse().map_err(StoreError::Corrupt)?,
        rate_per_minute: rate.and_then(|r| u32::try_from(r).ok()),
        created_ms: row.try_get("created_ms")?,
        revoked_ms: row.try_get("revoked_ms")?,
    })
}

const KEY_COLUMNS: &str = "id, tenant_id, name, role, rate_per_minute, created_ms, revoked_ms";

impl Store {
    /// Creates a key in `tenant` (created when new) and returns its token.
    pub async fn create_key(
        &self,
        tenant: &str,
        name: &str,
        role: Role,
        rate_per_minute: Option<u32>,
    ) -> Result<NewKey> {
        self.ensure_tenant(tenant).await?;
        let id = random_hex(ID_BYTES)?;
        let secret = random_hex(SECRET_BYTES)?;
        let created_ms = now_ms();
        sqlx::query(
            "INSERT INTO api_keys (id, tenant_id, name, role, secret_sha256, rate_per_minute, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(tenant)
        .bind(name.trim())
        .bind(role.as_str())
        .bind(sha256_hex(secret.as_bytes()))
        .bind(rate_per_minute.map(i64::from))
        .bind(created_ms)
        .execute(&self.pool)
        .await?;
        Ok(NewKey {
            token: format!("{TOKEN_PREFIX}{id}_{secret}"),
            key: ApiKey {
                id,
                tenant: tenant.to_owned(),
                name: name.trim().to_owned(),
                role,
                rate_per_minute,
                created_ms,
                revoked_ms: None,
            },
        })
    }

    /// The keys of `tenant`, or of every tenant, oldest first.
    pub async fn list_keys(&self, tenant: Option<&str>) -> Result<Vec<ApiKey>> {
        let rows = match tenant {
            Some(tenant) => {
                sqlx::query(&format!(
                    "SELECT {KEY_COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_ms, id"
                ))
                .bind(tenant)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY tenant_id, created_ms, id"
                ))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(key_from_row).collect()
    }

    /// Revokes key `id` (of `tenant`, when given). Revoking twice keeps the
    /// first time. [`StoreError::NotFound`] when no such key is visible.
    pub async fn revoke_key(&self, tenant: Option<&str>, id: &str) -> Result<ApiKey> {
        let now = now_ms();
        let result = sqlx::query(
            "UPDATE api_keys SET revoked_ms = COALESCE(revoked_ms, $1) \
             WHERE id = $2 AND ($3 = '' OR tenant_id = $3)",
        )
        .bind(now)
        .bind(id)
        .bind(tenant.unwrap_or(""))
        .execute(&self.pool)
        .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("no key has the id `{id}`")));
        }
        let row = sqlx::query(&format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        key_from_row(&row)
    }

    /// The principal a token stands for; `None` for a malformed, unknown or
    /// revoked token.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>> {
        let Some((id, secret)) = parse_token(token) else {
            return Ok(None);
        };
        let row = sqlx::query(&format!(
            "SELECT {KEY_COLUMNS}, secret_sha256 FROM api_keys WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let stored: String = row.try_get("secret_sha256")?;
        let key = key_from_row(&row)?;
        if key.revoked_ms.is_some() || !same_digest(&stored, &sha256_hex(secret.as_bytes())) {
            return Ok(None);
        }
        Ok(Some(Principal {
            key_id: key.id,
            tenant: key.tenant,
            role: key.role,
            rate_per_minute: key.rate_per_minute,
        }))
    }

    /// How many keys are not revoked, in every tenant.
    pub async fn active_keys(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM api_keys WHERE revoked_ms IS NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_only_in_their_exact_shape() {
        let id = "0123456789abcdef";
        let secret = "ab".repeat(32);
        let token = format!("assay_{id}_{secret}");
        assert_eq!(parse_token(&token), Some((id, secret.as_str())));
        assert_eq!(parse_token(&token[1..]), None);
        assert_eq!(parse_token(&format!("assay_{id}_{}", &secret[1..])), None);
        assert_eq!(parse_token(&format!("assay_{id}x_{secret}")), None);
        assert_eq!(parse_token("assay__"), None);
        assert_eq!(parse_token(""), None);
    }

    #[test]
    fn roles_round_trip_and_say_what_they_may_do() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
        assert!(Role::Admin.manages_keys() && !Role::Integration.manages_keys());
        assert!(!Role::Candidate.sees_model_answers() && Role::Integration.sees_model_answers());
        assert!(!Role::Candidate.erases_records());
    }

    #[test]
    fn digests_compare_whole() {
        assert!(same_digest("abcd", "abcd"));
        assert!(!same_digest("abcd", "abce"));
        assert!(!same_digest("abcd", "abc"));
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn names_are_bounded() {
        assert!(validate_name("ATS sync").is_ok());
        assert!(validate_name("  ").is_err());
        assert!(validate_name("a\nb").is_err());
        assert!(validate_name(&"x".repeat(101)).is_err());
    }
}
