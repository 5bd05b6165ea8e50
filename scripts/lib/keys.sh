# shellcheck shell=bash
# Keys are never silently replaced (DESIGN.md section 7 "Secrets"; sourced
# after common.sh, by stack.sh). The database records a fingerprint of the
# master key and of the JWT key (sql/031_key_fingerprints.sql, written by
# `cabinet-admin check-keys` on the first start); a later start with a
# missing key file, or with a key whose fingerprint differs, stops with a
# message naming the file.

# key_var NAME / key_file NAME / key_what NAME for NAME = master | jwt.
key_var() { if [[ $1 == master ]]; then echo CABINET_MASTER_KEY; else echo CABINET_JWT_SECRET; fi; }
key_file() { if [[ $1 == master ]]; then echo "$SECRETS_DIR/master.key"; else echo "$SECRETS_DIR/jwt.key"; fi; }
key_what() {
    if [[ $1 == master ]]; then echo "secrets sealed with a master key"; else echo "tokens signed with a JWT key"; fi
}

# Where key NAME comes from: its variable when set, else its file.
key_source() {
    local var
    var=$(key_var "$1")
    if [[ -n ${!var:-} ]]; then echo "$var"; else key_file "$1"; fi
}

# True if the (migrated) database holds material of key NAME: a recorded
# fingerprint or, in a database from before sql/031, sealed secrets (master)
# or a login (jwt).
database_holds_key_material() {
    local q
    if [[ $1 == master ]]; then
        q="SELECT EXISTS (SELECT 1 FROM key_fingerprints WHERE name = 'master')
               OR EXISTS (SELECT 1 FROM api_keys) OR EXISTS (SELECT 1 FROM storage_credentials)"
    else
        q="SELECT EXISTS (SELECT 1 FROM key_fingerprints WHERE name = 'jwt')
               OR EXISTS (SELECT 1 FROM activities WHERE type = 'auth.login')"
    fi
    [[ $(app_psql -At -c "$q") == t ]]
}

# Dies when a key has neither its variable nor its file while the database
# holds material of it; run after migrate and before anything generates keys.
keys_require_present() {
    local name var file
    for name in master jwt; do
        var=$(key_var "$name")
        file=$(key_file "$name")
        [[ -n ${!var:-} || -s $file ]] && continue
        database_holds_key_material "$name" &&
            die "${file#"$STATE"/} is missing but the database holds $(key_what "$name"): restore it (from $file's backup) or set $var; a new key is never made for such a database"
    done
    return 0
}

# Compares the keys of the handlers' config file with the database's
# fingerprints (recording them on the first start); dies naming the file of a
# key that differs.
keys_check_fingerprints() {
    local out name source
    if [[ ! -x $BUILD_DIR/cabinet-admin ]]; then
        warn "$BUILD_DIR/cabinet-admin is not built: the keys are not checked against the database"
        return 0
    fi
    out=$(env -u CABINET_DATABASE_URL -u CABINET_MASTER_KEY -u CABINET_JWT_SECRET \
        CABINET_CONFIG="$CABINET_ENV_FILE" "$BUILD_DIR/cabinet-admin" check-keys) ||
        die "cabinet-admin check-keys failed (see above)"
    for name in master jwt; do
        [[ $(jq -r --arg n "$name" '.[$n]' <<<"$out") == differs ]] || continue
        source=$(key_source "$name")
        if [[ $name == master ]]; then
            die "${source#"$STATE"/} is not the master key the database's secrets are sealed with (its fingerprint differs from the one in key_fingerprints): restore the right one; change it only with scripts/cabinet-admin rotate-master-key"
        fi
        die "${source#"$STATE"/} is not the JWT key of this database (its fingerprint differs from the one in key_fingerprints): restore the right one, or, to sign out every user on purpose, DELETE FROM key_fingerprints WHERE name = 'jwt'"
    done
}
