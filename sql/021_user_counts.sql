-- The number of users per organization, kept by statement-level triggers, so
-- the `total` of an unfiltered GET /api/users costs one row read instead of a
-- count(*) over every user (~0.3-1 s at a million). Exact and transactional:
-- a transaction sees its own inserts and deletes. Users never move between
-- organizations (nothing updates users.organization_id), so UPDATE needs no trigger.
CREATE TABLE organization_user_counts (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    users           bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION organization_user_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO organization_user_counts AS c (organization_id, users)
    SELECT organization_id, count(*) FROM added GROUP BY organization_id ORDER BY organization_id
    ON CONFLICT (organization_id) DO UPDATE SET users = c.users + EXCLUDED.users;
    RETURN NULL;
END $$;

CREATE FUNCTION organization_user_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organization_user_counts AS c SET users = c.users - r.n
      FROM (SELECT organization_id, count(*) AS n FROM removed GROUP BY organization_id) r
     WHERE c.organization_id = r.organization_id;
    RETURN NULL;
END $$;

CREATE FUNCTION organization_user_counts_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM organization_user_counts;
    RETURN NULL;
END $$;

CREATE TRIGGER users_count_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION organization_user_counts_add();
CREATE TRIGGER users_count_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION organization_user_counts_remove();
CREATE TRIGGER users_count_truncate AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION organization_user_counts_reset();

INSERT INTO organization_user_counts (organization_id, users)
SELECT organization_id, count(*) FROM users GROUP BY organization_id;
