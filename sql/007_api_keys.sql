-- Per-user API keys; the secret is kept encrypted (for display) and as a keyed hash (for verification).
CREATE TABLE api_keys (
    id              bigserial PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    api_key         text NOT NULL UNIQUE,
    secret_enc      bytea NOT NULL,
    secret_hash     bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, id);
