-- rfc3339() is STABLE like the to_char() it wraps: a function declared more
-- strictly than its body is never inlined, so each statement that called it
-- parsed and planned the body again on every execution.
ALTER FUNCTION rfc3339(timestamptz) STABLE;
