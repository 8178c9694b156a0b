-- 幂等键 — the `Idempotency-Key`s of the API's create calls, per API token, kept 24 hours:
-- the fingerprint (SHA-256 of method, path and body) of the request that used the key first,
-- and what it created (for a complaint, its ticket: one complaint per ticket). The row is
-- written in the transaction that creates the resource, so of two requests with one key
-- only one can create; the other collides here and answers with what the first created.
CREATE TABLE idempotency_keys (
    token_id BIGINT NOT NULL REFERENCES api_tokens (id),
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    resource_kind TEXT NOT NULL,
    resource_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (token_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
