-- Groups keep only the indexes a read walks. Every GET /api/groups answer
-- counts all of the organization's groups for `total`, so a search or a sort
-- by updatedAt reads the same rows the plain list reads (through
-- groups_org_created_idx) and costs what that list costs. Together the trigram
-- and updated_at indexes cost a fifth of the CPU of a POST /api/v1/groups (880
-- against 700 µs, every process counted) without changing the order of any
-- read's cost.
DROP INDEX groups_search_trgm_idx;
DROP INDEX groups_org_updated_idx;
