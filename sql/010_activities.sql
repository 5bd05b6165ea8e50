-- The audit log; rows outlive the users that acted.
CREATE TABLE activities (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    type             text NOT NULL,
    actor_type       text NOT NULL CHECK (actor_type IN ('user', 'api', 'system', 'support')),
    actor_id         uuid,
    actor_details    text NOT NULL DEFAULT '',
    actor_ip_address text,
    service_id       text,
    created_at       timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX activities_org_created_idx ON activities (organization_id, created_at DESC, id DESC);
