-- Groups, shared by the Cloud.ru and 2GC families; names unique per organization, case-insensitively.
CREATE TABLE groups (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    project_id      uuid,
    name            text NOT NULL,
    description     text NOT NULL DEFAULT '',
    permissions     text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE UNIQUE INDEX groups_org_name_key ON groups (organization_id, lower(name));
CREATE INDEX groups_org_created_idx ON groups (organization_id, created_at, id);
CREATE INDEX groups_org_project_created_idx ON groups (organization_id, project_id, created_at, id);
CREATE INDEX groups_org_updated_idx ON groups (organization_id, updated_at, id);
CREATE INDEX groups_search_trgm_idx ON groups USING gin ((lower(name) || ' ' || lower(description)) gin_trgm_ops);
