-- pg_trgm backs the case-insensitive substring search of users and groups.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
