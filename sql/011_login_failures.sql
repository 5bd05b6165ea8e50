-- Failed logins per user, counted over a sliding 15-minute window for the lockout.
CREATE TABLE login_failures (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX login_failures_user_idx ON login_failures (user_id, created_at);
