-- What GET /api/users?search= matches: the name and the email, lowercased
-- once when written, joined by a newline (names and emails hold no control
-- characters, and a search holding one matches nothing), so a match cannot
-- span the two. One LIKE per candidate row instead of three lower() calls and
-- up to three LIKEs; the trigram index moves to the stored column.
ALTER TABLE users ADD COLUMN search_text text
    GENERATED ALWAYS AS (lower(name) || E'\n' || lower(email)) STORED;
DROP INDEX users_search_trgm_idx;
CREATE INDEX users_search_trgm_idx ON users USING gin (search_text gin_trgm_ops);
