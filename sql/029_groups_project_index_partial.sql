-- The project filter of GET /api/v1/groups (target.projectId) reads this
-- index; a group without a project is never found through it, so it holds
-- only groups with one and inserting a group without a project skips it.
DROP INDEX groups_org_project_created_idx;
CREATE INDEX groups_org_project_created_idx ON groups (organization_id, project_id, created_at, id)
    WHERE project_id IS NOT NULL;
