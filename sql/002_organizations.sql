-- One organization = Cloud.ru customerId = ClickHouse organizationId = 2GC orgId.
CREATE TABLE organizations (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    timezone          text NOT NULL DEFAULT 'UTC',
    language          text NOT NULL DEFAULT 'en',
    private_endpoints jsonb NOT NULL DEFAULT '[]',
    byoc_config       jsonb NOT NULL DEFAULT '[]',
    created_at        timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
    updated_at        timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
