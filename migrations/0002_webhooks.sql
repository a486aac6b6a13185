-- Webhooks (Standard Webhooks 1.0): endpoints a tenant registers, and a
-- delivery queue kept here so deliveries survive restarts and any instance
-- can send them. Same portable dialect as 0001.

-- An endpoint: where to POST, which events, and its signing secrets. While
-- `previous_secret` is set (until `previous_until_ms`), messages are signed
-- with both, so a receiver can switch secrets without losing a message.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until_ms BIGINT,
    created_ms BIGINT NOT NULL,
    disabled_ms BIGINT,
    disabled_reason TEXT
);
CREATE INDEX webhook_endpoints_by_tenant ON webhook_endpoints (tenant_id, created_ms);

-- One message to one endpoint. `status` is pending, delivered, failed (out
-- of attempts) or disabled (the endpoint was disabled first). A sender
-- claims a pending message by moving `lease_until_ms` past now.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    lease_until_ms BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    finished_ms BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_ms);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_ms);

-- Every attempt at a delivery: the endpoint's delivery log.
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
