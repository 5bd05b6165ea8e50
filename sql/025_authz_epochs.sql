-- One counter per organization, bumped in the same transaction as every
-- change that can alter a caller's principal (lib/auth.cpp): a user's role,
-- enabled flag, token version or email, a user's removal, a membership, a
-- group's permissions, a permission binding. A handler keeps the principals
-- it has read and reuses one only when the request's own round trip shows the
-- counter unchanged, so a revocation still applies to the very next request.
-- No row means 0.
CREATE TABLE authz_epochs (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    epoch           bigint NOT NULL
);

-- For statement-level triggers whose transition table is named `changed`.
CREATE FUNCTION authz_epochs_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO authz_epochs AS e (organization_id, epoch)
    SELECT DISTINCT organization_id, 1 FROM changed ORDER BY organization_id
    ON CONFLICT (organization_id) DO UPDATE SET epoch = e.epoch + 1;
    RETURN NULL;
END $$;

-- For row-level triggers (those with a WHEN on the columns that matter).
CREATE FUNCTION authz_epochs_bump_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO authz_epochs AS e (organization_id, epoch) VALUES (NEW.organization_id, 1)
    ON CONFLICT (organization_id) DO UPDATE SET epoch = e.epoch + 1;
    RETURN NULL;
END $$;

CREATE FUNCTION authz_epochs_bump_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE authz_epochs SET epoch = epoch + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER users_authz_update AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.enabled IS DISTINCT FROM NEW.enabled
          OR OLD.token_version IS DISTINCT FROM NEW.token_version OR OLD.email IS DISTINCT FROM NEW.email
          OR OLD.organization_id IS DISTINCT FROM NEW.organization_id)
    EXECUTE FUNCTION authz_epochs_bump_row();
CREATE TRIGGER users_authz_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION authz_epochs_bump();

CREATE TRIGGER groups_authz_update AFTER UPDATE ON groups FOR EACH ROW
    WHEN (OLD.permissions IS DISTINCT FROM NEW.permissions) EXECUTE FUNCTION authz_epochs_bump_row();

CREATE TRIGGER memberships_authz_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION authz_epochs_bump();
CREATE TRIGGER memberships_authz_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION authz_epochs_bump();

CREATE TRIGGER permission_bindings_authz_insert AFTER INSERT ON permission_bindings
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION authz_epochs_bump();
CREATE TRIGGER permission_bindings_authz_update AFTER UPDATE ON permission_bindings
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION authz_epochs_bump();
CREATE TRIGGER permission_bindings_authz_delete AFTER DELETE ON permission_bindings
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION authz_epochs_bump();

CREATE TRIGGER users_authz_truncate AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION authz_epochs_bump_all();
CREATE TRIGGER memberships_authz_truncate AFTER TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION authz_epochs_bump_all();
CREATE TRIGGER permission_bindings_authz_truncate AFTER TRUNCATE ON permission_bindings
    FOR EACH STATEMENT EXECUTE FUNCTION authz_epochs_bump_all();
