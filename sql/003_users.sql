-- Users; email is unique across the installation, case-insensitively.
CREATE TABLE users (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id    uuid NOT NULL REFERENCES organizations (id),
    email              text NOT NULL,
    name               text NOT NULL DEFAULT '',
    first_name         text NOT NULL DEFAULT '',
    middle_name        text NOT NULL DEFAULT '',
    last_name          text NOT NULL DEFAULT '',
    phone              text NOT NULL DEFAULT '',
    notification_email text NOT NULL DEFAULT '',
    notification_phone text NOT NULL DEFAULT '',
    role               text NOT NULL CHECK (role IN ('admin', 'user', 'auditor')),
    enabled            boolean NOT NULL DEFAULT true,
    account_type       text NOT NULL DEFAULT 'local',
    password_hash      text NOT NULL,
    token_version      integer NOT NULL DEFAULT 0,
    locked_until       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at         timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_org_created_idx ON users (organization_id, created_at, id);
CREATE INDEX users_org_updated_idx ON users (organization_id, updated_at, id);
CREATE INDEX users_org_name_idx ON users (organization_id, lower(name), id);
CREATE INDEX users_org_email_idx ON users (organization_id, lower(email), id);
CREATE INDEX users_org_role_idx ON users (organization_id, role, id);
CREATE INDEX users_search_trgm_idx ON users USING gin ((lower(name) || ' ' || lower(email)) gin_trgm_ops);
