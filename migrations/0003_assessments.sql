-- Assessments: a tenant's named question sets, sent to candidates (by the
-- API or an ATS such as Greenhouse), answered at a token link before a
-- deadline, submitted once and reported. Same portable dialect as 0001.

-- A named set of questions (Greenhouse's "test"). `question_ids` is a JSON
-- array of bank or tenant question ids, in the order they are asked.
CREATE TABLE question_sets (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    question_ids TEXT NOT NULL,
    time_limit_ms BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- One candidate's assessment. The candidate's link carries a random token
-- of which only the SHA-256 digest is kept. `status` is sent, started or
-- completed (expiry is read from `deadline_ms`). Once completed, `report`
-- holds the summary as JSON and each answer its evaluation. When an ATS
-- gave a callback URL, `callback_*` is its own small delivery queue.
CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    question_set_id TEXT NOT NULL,
    question_set_name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    candidate_ref TEXT,
    candidate_name TEXT,
    status TEXT NOT NULL,
    deadline_ms BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    started_ms BIGINT,
    submitted_ms BIGINT,
    score DOUBLE PRECISION,
    rating TEXT,
    report TEXT,
    callback_url TEXT,
    callback_body TEXT,
    callback_status TEXT,
    callback_attempts BIGINT NOT NULL,
    callback_next_ms BIGINT,
    callback_error TEXT,
    partner_error TEXT
);
CREATE INDEX assessments_by_tenant ON assessments (tenant_id, created_ms);
CREATE INDEX assessments_by_callback ON assessments (tenant_id, callback_url);
CREATE INDEX assessments_callbacks_due ON assessments (callback_status, callback_next_ms);

-- One question of an assessment: its wording when sent, the answer saved
-- so far, and after submission the evaluation.
CREATE TABLE assessment_answers (
    assessment_id TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    question_id TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT,
    saved_ms BIGINT,
    result TEXT,
    PRIMARY KEY (assessment_id, position)
);

-- Secrets the service keeps for itself, shared by every instance: the key
-- that signs report links.
CREATE TABLE service_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
