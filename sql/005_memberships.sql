-- Group membership; both sides belong to one organization.
CREATE TABLE memberships (
    group_id        uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    created_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX memberships_group_created_idx ON memberships (group_id, created_at, user_id);
CREATE INDEX memberships_user_idx ON memberships (user_id);
