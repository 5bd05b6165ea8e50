-- A new row's updatedAt equals its createdAt: the two column defaults read the
-- clock separately and could differ by a millisecond.
CREATE FUNCTION updated_at_from_created_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := NEW.created_at;
    RETURN NEW;
END $$;

CREATE TRIGGER organizations_updated_at_on_insert BEFORE INSERT ON organizations
    FOR EACH ROW EXECUTE FUNCTION updated_at_from_created_at();
CREATE TRIGGER users_updated_at_on_insert BEFORE INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION updated_at_from_created_at();
CREATE TRIGGER groups_updated_at_on_insert BEFORE INSERT ON groups
    FOR EACH ROW EXECUTE FUNCTION updated_at_from_created_at();
CREATE TRIGGER permission_bindings_updated_at_on_insert BEFORE INSERT ON permission_bindings
    FOR EACH ROW EXECUTE FUNCTION updated_at_from_created_at();
