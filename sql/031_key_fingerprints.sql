-- Which master key and JWT key this database's secrets belong to (DESIGN §7
-- "Secrets"): per key, HMAC-SHA256(key, 'cabinet key check'). Recorded on the
-- first start (scripts/lib/keys.sh), compared on every later start and by
-- cabinet-admin, replaced by rotate-master-key in the transaction that
-- re-seals the secrets. A fingerprint reveals nothing of its key.
CREATE TABLE key_fingerprints (
    name        text PRIMARY KEY CHECK (name IN ('master', 'jwt')),
    fingerprint bytea NOT NULL CHECK (length(fingerprint) = 32),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
