-- Per-user SSH public keys with integer ids.
CREATE TABLE ssh_keys (
    id              bigserial PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name            text NOT NULL,
    public_key      text NOT NULL,
    fingerprint     text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    UNIQUE (user_id, fingerprint)
);
