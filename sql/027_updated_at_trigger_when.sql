-- The updated_at_from_created_at triggers (sql/023) run only when the two
-- column defaults did read different clock values: the condition is checked
-- without calling PL/pgSQL, so most inserts skip the call.
DROP TRIGGER organizations_updated_at_on_insert ON organizations;
DROP TRIGGER users_updated_at_on_insert ON users;
DROP TRIGGER groups_updated_at_on_insert ON groups;
DROP TRIGGER permission_bindings_updated_at_on_insert ON permission_bindings;
CREATE TRIGGER organizations_updated_at_on_insert BEFORE INSERT ON organizations FOR EACH ROW
    WHEN (NEW.updated_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION updated_at_from_created_at();
CREATE TRIGGER users_updated_at_on_insert BEFORE INSERT ON users FOR EACH ROW
    WHEN (NEW.updated_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION updated_at_from_created_at();
CREATE TRIGGER groups_updated_at_on_insert BEFORE INSERT ON groups FOR EACH ROW
    WHEN (NEW.updated_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION updated_at_from_created_at();
CREATE TRIGGER permission_bindings_updated_at_on_insert BEFORE INSERT ON permission_bindings FOR EACH ROW
    WHEN (NEW.updated_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION updated_at_from_created_at();
