-- Cloud.ru permission bindings; the 5-tuple is the identity.
CREATE TABLE permission_bindings (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    object_id       uuid NOT NULL,
    object_type     text NOT NULL CHECK (object_type IN ('organization', 'resource')),
    role            text NOT NULL CHECK (role IN ('admin', 'user', 'auditor')),
    subject_id      uuid NOT NULL,
    subject_type    text NOT NULL CHECK (subject_type IN ('user', 'group', 'service_account')),
    enabled         boolean NOT NULL DEFAULT true,
    expires_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    UNIQUE (object_id, object_type, role, subject_id, subject_type)
);
CREATE INDEX permission_bindings_org_created_idx ON permission_bindings (organization_id, created_at, id);
CREATE INDEX permission_bindings_subject_idx ON permission_bindings (subject_id);
CREATE INDEX permission_bindings_object_idx ON permission_bindings (object_id);
