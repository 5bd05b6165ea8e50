-- S3 and Swift credentials, one set per user, created with the user; secrets encrypted.
CREATE TABLE storage_credentials (
    user_id          uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    s3_api_id        text NOT NULL UNIQUE,
    s3_secret_enc    bytea NOT NULL,
    swift_api_id     text NOT NULL UNIQUE,
    swift_secret_enc bytea NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
