-- The store's first schema. One dialect for SQLite and PostgreSQL: TEXT,
-- BIGINT and DOUBLE PRECISION columns only, times in Unix milliseconds.

-- A tenant owns keys, evaluation records and questions; nothing crosses tenants.
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    created_ms BIGINT NOT NULL
);

-- API keys. The secret is never stored, only its SHA-256 digest.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    rate_per_minute BIGINT,
    created_ms BIGINT NOT NULL,
    revoked_ms BIGINT
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_ms);

-- The first response to each (key, Idempotency-Key). While `lease` is set the
-- request is in flight and `lease_until_ms` says when another instance may
-- take it over; once `status` is set the response is replayed.
CREATE TABLE idempotency_keys (
    key_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    lease TEXT,
    lease_until_ms BIGINT NOT NULL,
    status BIGINT,
    content_type TEXT,
    body TEXT,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_ms);

-- Every evaluation made. Ids are UUIDv7, so they sort by time.
CREATE TABLE evaluations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    candidate_ref TEXT,
    answer TEXT,
    score DOUBLE PRECISION NOT NULL,
    rating TEXT NOT NULL,
    result TEXT NOT NULL,
    scoring_version TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX evaluations_by_candidate ON evaluations (tenant_id, candidate_ref, id);
CREATE INDEX evaluations_by_question ON evaluations (tenant_id, question_id, id);
CREATE INDEX evaluations_by_key ON evaluations (tenant_id, key_id, id);

-- A tenant's own questions, as the JSON the API accepted.
CREATE TABLE tenant_questions (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Bumped with every change to a tenant's questions; instances poll it.
CREATE TABLE tenant_question_versions (
    tenant_id TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
