-- Keyset pages of GET /api/v1/permissions filtered by role, subject type,
-- object (resourceId) or subject read one index range in (created_at, id)
-- order, whatever the filter's selectivity: a page costs the same at any
-- depth. The (object_id …) and (subject_id …) indexes replace the
-- single-column ones (equality lookups use their prefix).
CREATE INDEX permission_bindings_org_role_created_idx
    ON permission_bindings (organization_id, role, created_at, id);
CREATE INDEX permission_bindings_org_subject_type_created_idx
    ON permission_bindings (organization_id, subject_type, created_at, id);
CREATE INDEX permission_bindings_object_created_idx ON permission_bindings (object_id, created_at, id);
CREATE INDEX permission_bindings_subject_created_idx ON permission_bindings (subject_id, created_at, id);
DROP INDEX permission_bindings_object_idx;
DROP INDEX permission_bindings_subject_idx;
