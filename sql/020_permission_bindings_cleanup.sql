-- A binding names its subject and object by id without a foreign key (the id
-- is polymorphic). Deleting a group or a user removes the bindings naming it
-- in the deleting statement itself, whichever handler deletes it. The trigger
-- statements take a fresh snapshot, so they also remove a binding committed by
-- a concurrent POST /api/v1/permissions that held FOR KEY SHARE on the row.
CREATE FUNCTION permission_bindings_forget_group() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM permission_bindings
     WHERE (subject_type = 'group' AND subject_id = OLD.id)
        OR (object_type = 'resource' AND object_id = OLD.id);
    RETURN NULL;
END $$;

CREATE FUNCTION permission_bindings_forget_user() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM permission_bindings WHERE subject_type = 'user' AND subject_id = OLD.id;
    RETURN NULL;
END $$;

CREATE TRIGGER groups_forget_permission_bindings AFTER DELETE ON groups
    FOR EACH ROW EXECUTE FUNCTION permission_bindings_forget_group();
CREATE TRIGGER users_forget_permission_bindings AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION permission_bindings_forget_user();
