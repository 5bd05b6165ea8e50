# shellcheck shell=bash
# The private PostgreSQL 15 cluster of one state dir (sourced after common.sh).
#
# Contract: pg_up leaves a running cluster in $STATE/pg/data that listens only
# on the unix socket $PG_SOCK_DIR/.s.PGSQL.$PG_PORT (listen_addresses=''),
# requires scram-sha-256 passwords for every local connection, and has the
# role `cabinet` (password secrets/db.password) owning the database `cabinet`.
# The superuser is `postgres` (password secrets/pg-superuser.password). With
# CABINET_DATABASE_URL set, none of this is used.

pg_initialized() { [[ -s $PGDATA_DIR/PG_VERSION ]]; }

# Runs a command as the owner of the data dir (root: it may have been made
# by an earlier run as another user; dev-down must still stop it).
as_data_owner() {
    local owner
    owner=$(stat -c %U "$PGDATA_DIR")
    if is_root && [[ $owner != root ]]; then (cd / && runuser -u "$owner" -- "$@"); else "$@"; fi
}

pg_running() {
    pg_initialized && as_data_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

# Creates the cluster (first start only). Settings live in data/cabinet.conf,
# rewritten on every start, included from postgresql.conf.
pg_init() {
    local pwfile
    log "creating the private PostgreSQL cluster in $PGDATA_DIR"
    secret_file pg-superuser.password >/dev/null
    pwfile=$(mktemp "$PG_DIR/initdb-pw.XXXXXX")
    cat "$SECRETS_DIR/pg-superuser.password" >"$pwfile"
    is_root && chown "$PG_USER" "$pwfile"
    if ! as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres --pwfile="$pwfile" \
        --auth-local=scram-sha-256 --auth-host=reject -E UTF8 --locale=C.UTF-8 \
        >"$PG_DIR/log/initdb.log" 2>&1; then
        rm -f "$pwfile"
        die "initdb failed: $(tail -n 5 "$PG_DIR/log/initdb.log")"
    fi
    rm -f "$pwfile"
    echo "include 'cabinet.conf'" | as_pg tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null
}

# A quarter of the machine's memory, between 128 MB and 2 GB: enough to keep
# a million users and their indexes in shared buffers. CABINET_PG_SHARED_BUFFERS
# (MB) overrides it.
pg_shared_buffers_mb() {
    if [[ ${CABINET_PG_SHARED_BUFFERS:-} =~ ^[1-9][0-9]*$ ]]; then
        echo "$CABINET_PG_SHARED_BUFFERS"
        return
    fi
    local kb
    kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || true)
    [[ $kb =~ ^[0-9]+$ ]] || kb=1048576
    local mb=$((kb / 4096))
    ((mb < 128)) && mb=128
    ((mb > 2048)) && mb=2048
    echo "$mb"
}

# The settings of the private cluster; fsync and synchronous_commit stay on.
pg_write_conf() {
    as_pg tee "$PGDATA_DIR/cabinet.conf" >/dev/null <<EOF
# Written by scripts/lib/pg.sh on every start; edit there.
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$PG_SOCK_DIR'
unix_socket_permissions = 0777
shared_buffers = $(pg_shared_buffers_mb)MB
max_connections = 300
timezone = 'UTC'
log_timezone = 'UTC'
password_encryption = 'scram-sha-256'
EOF
}

# Starts the cluster if it is not running; waits until it accepts connections.
pg_start() {
    pg_running && return 0
    pg_write_conf
    log "starting PostgreSQL (socket $PG_SOCK_DIR, log $PG_LOG)"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 start >/dev/null ||
        die "PostgreSQL did not start: $(tail -n 5 "$PG_LOG")"
}

# psql as the superuser over the private socket.
super_psql() {
    PGPASSWORD=$(secret_file pg-superuser.password) PGOPTIONS='-c client_min_messages=warning' \
        psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"
}

# Creates the role and database of the app if absent; (re)sets the role's
# password to secrets/db.password.
pg_ensure_app_db() {
    super_psql -v pw="$(secret_file db.password)" <<'SQL' >/dev/null
SELECT 'CREATE ROLE cabinet LOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cabinet') \gexec
ALTER ROLE cabinet WITH LOGIN PASSWORD :'pw';
SELECT 'CREATE DATABASE cabinet OWNER cabinet'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'cabinet') \gexec
SQL
}

# Dies, naming CABINET_DATABASE_URL, unless that database answers a query.
check_database_url() {
    local err
    err=$(PGCONNECT_TIMEOUT=5 psql -X -q -At -c 'SELECT 1' "$CABINET_DATABASE_URL" 2>&1 >/dev/null) ||
        die "CABINET_DATABASE_URL does not answer a query: $(head -n 2 <<<"$err" | tr '\n' ' ')"
}

# Brings up the database the app will use: the private cluster (created on
# first start), or nothing to do with CABINET_DATABASE_URL.
pg_up() {
    if ! using_private_pg; then
        check_database_url
        return 0
    fi
    pg_initialized || pg_init
    pg_start
    pg_ensure_app_db
}

# Stops the private cluster of this state dir if it runs (fast shutdown).
pg_down() {
    pg_running || return 0
    log "stopping PostgreSQL"
    as_data_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null ||
        warn "PostgreSQL did not stop cleanly; see $PG_LOG"
}
