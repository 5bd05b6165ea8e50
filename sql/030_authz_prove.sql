-- The proof that a principal a handler kept is still current (lib/auth.cpp):
-- raises CB001 unless organization $1's authz epoch (sql/025) is still $2 and
-- now() is before $3, the earliest expiry among the principal's bindings. It
-- is sent ahead of a request's first statements in their round trip, so when
-- it fails none of them runs and the request runs again with the principal
-- read anew.
CREATE FUNCTION authz_prove(uuid, bigint, timestamptz) RETURNS void
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF coalesce((SELECT e.epoch FROM authz_epochs e WHERE e.organization_id = $1), 0) <> $2 OR now() >= $3 THEN
        RAISE EXCEPTION 'the caller''s authorization changed' USING ERRCODE = 'CB001';
    END IF;
END $$;
