# shellcheck shell=bash
# Sourced by every script in scripts/: the paths of one state dir, the users
# things run as, secrets, logging and stopping processes by pid.
#
# Environment read here (DESIGN.md section 2):
#   CABINET_STATE_DIR   state dir (default $REPO/.run), made absolute
#   CABINET_PORT        nginx port on 127.0.0.1 (default 8080)
#   CABINET_ADMIN_PORT  nginx admin listener on 127.0.0.1: /live, /ready,
#                       /metrics (default CABINET_PORT + 1; DESIGN.md section 7)
#   CABINET_PG_PORT     private cluster port; it listens on a unix socket only,
#                       so the number only names the socket (default 5432)
#   CABINET_DATABASE_URL  use this Postgres (libpq conninfo) instead of the
#                       private cluster
#   CABINET_JWT_SECRET, CABINET_MASTER_KEY  64 hex chars; generated into the
#                       state dir on first start unless given
#   CABINET_TOKEN_TTL (3600)
#   CABINET_RATE_LIMITS (on) and the rate-limit numbers CABINET_RATE_*: see
#                       "rate limits" below, the one place they are set
#   CABINET_BUILD_DIR   where the binaries are (default $REPO/build)
#
# State dir layout ($STATE):
#   pg/data  pg/sock  pg/log/postgres.log      private PostgreSQL 15 cluster
#   secrets/{jwt.key,master.key,db.password,pg-superuser.password}   0600
#   run/<handler>.pid  run/sock/<handler>.sock  FastCGI responders (the pid
#                      of their supervisor, multiwatch: scripts/lib/handlers.sh)
#   run/metrics.shm  run/quota.shm   shared by the handler processes
#   logs/<handler>.log logs/nginx-error.log     stderr of everything
#   logs/access.log    nginx's JSON access log (CABINET_ACCESS_LOG)
#   nginx/               nginx prefix: rendered *.conf, nginx.pid, temp/
#   cabinet.env          CABINET_CONFIG file of the handlers (KEY=VALUE lines)
#   admin-credentials    the bootstrapped admin (0600)
# When root and www-data cannot reach $STATE (e.g. it is under /root), or the
# socket paths would be too long, the files www-data needs at run time
# (sockets, nginx temp, a copy of cabinet.env and of the handler binaries) go
# to /tmp/cabinet-<hash of $STATE>/ instead; see runtime_paths below.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# The API handlers (each probed by /ready), then health: the admin port's
# /ready and /metrics (handlers/health.cpp).
API_HANDLERS=(auth groups users organizations permissions account activities)
HANDLERS=("${API_HANDLERS[@]}" health)
# Where `make build` puts the binaries (CABINET_BUILD_DIR for e.g. a SANITIZE build).
BUILD_DIR=$(realpath -m "${CABINET_BUILD_DIR:-$REPO/build}")
PG_BIN=/usr/lib/postgresql/15/bin

STATE=$(realpath -m "${CABINET_STATE_DIR:-$REPO/.run}")
# The port this process was asked for (empty: none; dev-up then reports the
# port a running stack really has instead of refusing it). Not exported.
PORT_REQUESTED=${CABINET_PORT:-}
PORT=${CABINET_PORT:-8080}
PG_PORT=${CABINET_PG_PORT:-5432}
ADMIN_PORT=${CABINET_ADMIN_PORT:-$((PORT + 1))}
export CABINET_STATE_DIR=$STATE CABINET_PORT=$PORT CABINET_ADMIN_PORT=$ADMIN_PORT

# Idle FastCGI connections each nginx worker keeps per handler
# (CABINET_FCGI_KEEPALIVE, default 8; nginx/upstreams.conf.in).
nginx_keepalive() {
    local k=${CABINET_FCGI_KEEPALIVE:-8}
    [[ $k =~ ^[1-9][0-9]*$ ]] || die "CABINET_FCGI_KEEPALIVE must be a positive number"
    echo "$k"
}

PG_DIR=$STATE/pg
PGDATA_DIR=$PG_DIR/data
PG_LOG=$PG_DIR/log/postgres.log
SECRETS_DIR=$STATE/secrets
RUN_DIR=$STATE/run
LOG_DIR=$STATE/logs
NGINX_PREFIX=$STATE/nginx
CABINET_ENV_FILE=$STATE/cabinet.env
CREDENTIALS_FILE=$STATE/admin-credentials

# ---------------------------------------------------------------- rate limits

# Every rate-limit number (DESIGN.md section 4), its default here and nowhere
# else: scripts/lib/nginx.sh renders them into the nginx config (limit_req),
# scripts/lib/handlers.sh writes them into cabinet.env (minute/hour quotas of
# the handlers). Rates are requests per second; a burst is how many requests
# over the rate nginx lets through at once (nodelay) before answering 429.
#   CABINET_RATE_LIMITS        on | off (off: no limit_req, no quotas)
#   CABINET_RATE_API_RPS/_BURST      /api/* per credential            10 / 20
#   CABINET_RATE_V2_RPS/_BURST       /v2/* per endpoint per credential 20 / 40
#   CABINET_RATE_LOGIN_RPS/_BURST    POST /v2/user/auth per address     5 / 10
#   CABINET_RATE_ANON_RPS/_BURST     every request without a credential,
#                                    per address                       20 / 40
#   CABINET_RATE_PER_MINUTE, CABINET_RATE_PER_HOUR   /api/* quotas per
#                                    credential, counted by the handlers 100 / 1000
#   CABINET_RATE_MINUTE_SECONDS, CABINET_RATE_HOUR_SECONDS   the quota window
#                                    lengths; only tests change them    60 / 3600
#   CABINET_RATE_ZONE_SIZE           shared memory of each nginx zone   16m
RATE_LIMITS=${CABINET_RATE_LIMITS:-on}
RATE_API_RPS=${CABINET_RATE_API_RPS:-10}
RATE_API_BURST=${CABINET_RATE_API_BURST:-20}
RATE_V2_RPS=${CABINET_RATE_V2_RPS:-20}
RATE_V2_BURST=${CABINET_RATE_V2_BURST:-40}
RATE_LOGIN_RPS=${CABINET_RATE_LOGIN_RPS:-5}
RATE_LOGIN_BURST=${CABINET_RATE_LOGIN_BURST:-10}
RATE_ANON_RPS=${CABINET_RATE_ANON_RPS:-20}
RATE_ANON_BURST=${CABINET_RATE_ANON_BURST:-40}
RATE_PER_MINUTE=${CABINET_RATE_PER_MINUTE:-100}
RATE_PER_HOUR=${CABINET_RATE_PER_HOUR:-1000}
RATE_MINUTE_SECONDS=${CABINET_RATE_MINUTE_SECONDS:-60}
RATE_HOUR_SECONDS=${CABINET_RATE_HOUR_SECONDS:-3600}
RATE_ZONE_SIZE=${CABINET_RATE_ZONE_SIZE:-16m}

rate_limits_on() { [[ $RATE_LIMITS == on ]]; }

# Dies unless CABINET_RATE_LIMITS is on|off and every number a positive integer.
check_rate_settings() {
    local name value
    [[ $RATE_LIMITS == on || $RATE_LIMITS == off ]] || die "CABINET_RATE_LIMITS must be on or off"
    for name in API_RPS API_BURST V2_RPS V2_BURST LOGIN_RPS LOGIN_BURST ANON_RPS ANON_BURST \
        PER_MINUTE PER_HOUR MINUTE_SECONDS HOUR_SECONDS; do
        value=RATE_$name
        [[ ${!value} =~ ^[1-9][0-9]{0,8}$ ]] || die "CABINET_RATE_$name must be a positive integer"
    done
    [[ $RATE_ZONE_SIZE =~ ^[1-9][0-9]*[kKmM]?$ ]] || die "CABINET_RATE_ZONE_SIZE must be a size such as 16m"
}

# ---------------------------------------------------------------- messages

log() { printf 'cabinet: %s\n' "$*" >&2; }
warn() { printf 'cabinet: warning: %s\n' "$*" >&2; }
die() {
    printf 'cabinet: error: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------- users

is_root() { ((EUID == 0)); }

# Postgres refuses to run as root and nginx workers may not: when root the
# cluster runs as `postgres` and the handlers and nginx workers as `www-data`;
# otherwise everything runs as the current user.
if is_root; then
    PG_USER=postgres
    SERVICE_USER=www-data
else
    PG_USER=$(id -un)
    SERVICE_USER=$PG_USER
fi

# Runs a command as the Postgres OS user (from /, which that user can read).
as_pg() {
    if is_root; then (cd / && runuser -u "$PG_USER" -- "$@"); else "$@"; fi
}

# True if USER can search (cd into) DIR and every directory above it.
user_can_reach() {
    local user=$1 dir=$2
    if is_root && [[ $user != root ]]; then
        runuser -u "$user" -- test -x "$dir" 2>/dev/null
    else
        test -x "$dir"
    fi
}

# Prints the first directory on the path to DIR that USER cannot search.
first_unreachable_dir() {
    local user=$1 dir=$2 prefix=""
    local -a parts
    IFS=/ read -ra parts <<<"${dir#/}"
    for part in "${parts[@]}"; do
        prefix+=/$part
        [[ -d $prefix ]] || return 0
        user_can_reach "$user" "$prefix" || {
            echo "$prefix"
            return 0
        }
    done
}

# ---------------------------------------------------------------- run-time paths

# Sets PG_SOCK_DIR, FCGI_SOCK_DIR, NGINX_TEMP_DIR, HANDLER_ENV_FILE and
# RUNTIME_FALLBACK. Inside the state dir when www-data can reach it (we make
# the state dir itself traversable; its parents are not ours to change) and
# the longest socket path fits in sun_path (108 bytes); else in
# /tmp/cabinet-<hash>/. Deterministic, so dev-down finds what dev-up made.
runtime_paths() {
    local parent reachable=1
    parent=$(dirname "$STATE")
    if is_root && [[ -d $parent ]] && ! user_can_reach "$SERVICE_USER" "$parent"; then
        reachable=0
    fi
    if ((reachable && ${#STATE} + 40 < 108)); then
        RUNTIME_FALLBACK=""
        PG_SOCK_DIR=$PG_DIR/sock
        FCGI_SOCK_DIR=$RUN_DIR/sock
        NGINX_TEMP_DIR=$NGINX_PREFIX/temp
        HANDLER_ENV_FILE=$CABINET_ENV_FILE
    else
        RUNTIME_FALLBACK=/tmp/cabinet-$(printf '%s' "$STATE" | sha256sum | cut -c1-12)
        PG_SOCK_DIR=$RUNTIME_FALLBACK/pg-sock
        FCGI_SOCK_DIR=$RUNTIME_FALLBACK/sock
        NGINX_TEMP_DIR=$RUNTIME_FALLBACK/nginx-temp
        HANDLER_ENV_FILE=$RUNTIME_FALLBACK/cabinet.env
    fi
}
runtime_paths

# ---------------------------------------------------------------- state dir

# Creates the state dir layout (idempotent) and fixes ownership and modes, also
# of a state dir left by an earlier run as another user. Secrets stay 0600 and
# owned by the invoking user; pg/ belongs to the Postgres user.
prepare_state_dir() {
    umask 077
    mkdir -p "$STATE" "$SECRETS_DIR" "$RUN_DIR" "$LOG_DIR" "$NGINX_PREFIX" "$PG_DIR/log"
    if [[ -z $RUNTIME_FALLBACK ]]; then
        mkdir -p "$PG_SOCK_DIR" "$FCGI_SOCK_DIR" "$NGINX_TEMP_DIR"
    fi
    if is_root; then
        fix_ownership
    else
        check_ownership
    fi
}

# Root only: hand every part of the state dir to the user that uses it.
fix_ownership() {
    check_pg_owner
    chown root:root "$STATE" "$SECRETS_DIR" "$RUN_DIR" "$LOG_DIR" "$NGINX_PREFIX"
    chmod 0711 "$STATE" "$RUN_DIR" "$NGINX_PREFIX"
    chmod 0700 "$SECRETS_DIR"
    # Searchable, not listable: nginx's workers (www-data) reopen their logs
    # by name on USR1 (logrotate, scripts/deploy/render-logrotate).
    chmod 0711 "$LOG_DIR"
    chown -R root:root "$SECRETS_DIR"
    chown -R "$PG_USER:$PG_USER" "$PG_DIR"
    chmod 0711 "$PG_DIR"
    chmod 0700 "$PG_DIR/log"
    [[ -d $PGDATA_DIR ]] && chmod 0700 "$PGDATA_DIR"
    [[ -d $PG_DIR/sock ]] && chmod 0755 "$PG_DIR/sock"
    [[ -f $CABINET_ENV_FILE ]] && chown "root:$SERVICE_USER" "$CABINET_ENV_FILE"
    [[ -f $CREDENTIALS_FILE ]] && chown root:root "$CREDENTIALS_FILE" && chmod 0600 "$CREDENTIALS_FILE"
    if [[ -n $RUNTIME_FALLBACK ]]; then
        prepare_fallback_dir
    else
        chown root:root "$FCGI_SOCK_DIR" "$NGINX_TEMP_DIR"
        chmod 0711 "$FCGI_SOCK_DIR" "$NGINX_TEMP_DIR"
    fi
    check_pg_reachable
}

# Refuses to touch a state dir whose cluster runs as another user (an earlier
# run as that user): chown-ing its data under it would break it.
check_pg_owner() {
    local pid uid
    [[ -s $PGDATA_DIR/postmaster.pid ]] || return 0
    pid=$(head -n 1 "$PGDATA_DIR/postmaster.pid")
    pid_alive "$pid" || return 0
    uid=$(stat -c %u "/proc/$pid")
    [[ $uid == "$(id -u "$PG_USER")" ]] ||
        die "the Postgres of $STATE runs as $(id -nu "$uid"); stop it first (scripts/dev-down as that user)"
}

# The /tmp fallback must be ours (never reuse a directory someone else made).
prepare_fallback_dir() {
    mkdir -p "$RUNTIME_FALLBACK"
    [[ -O $RUNTIME_FALLBACK && ! -L $RUNTIME_FALLBACK ]] ||
        die "$RUNTIME_FALLBACK exists and is not owned by $(id -un); remove it"
    chmod 0711 "$RUNTIME_FALLBACK"
    mkdir -p "$FCGI_SOCK_DIR" "$NGINX_TEMP_DIR" "$PG_SOCK_DIR"
    chmod 0711 "$FCGI_SOCK_DIR" "$NGINX_TEMP_DIR"
    chown "$PG_USER:$PG_USER" "$PG_SOCK_DIR"
    chmod 0755 "$PG_SOCK_DIR"
}

# The private cluster's data lives in the state dir, so the Postgres user must
# reach it; there is no fallback for data.
check_pg_reachable() {
    [[ -n ${CABINET_DATABASE_URL:-} ]] && return 0
    user_can_reach "$PG_USER" "$PG_DIR" && return 0
    die "the state dir $STATE is not reachable by the '$PG_USER' user" \
        "($(first_unreachable_dir "$PG_USER" "$PG_DIR") is not searchable)." \
        "Use another CABINET_STATE_DIR (e.g. /var/tmp/cabinet) or chmod o+x that directory."
}

# Not root: everything must already be ours (a state dir from a run as root is not).
check_ownership() {
    local foreign
    foreign=$(find "$STATE" "${RUNTIME_FALLBACK:-$STATE}" -maxdepth 2 ! -user "$(id -u)" -print -quit 2>/dev/null || true)
    [[ -z $foreign ]] ||
        die "$foreign belongs to another user (an earlier run as root?): run as root or use another CABINET_STATE_DIR"
    chmod 0700 "$STATE"
    [[ -n $RUNTIME_FALLBACK ]] && prepare_fallback_dir
    return 0
}

# ---------------------------------------------------------------- secrets

# Prints the secret stored in $SECRETS_DIR/NAME, generating 32 random bytes
# (64 hex chars) on first use.
secret_file() {
    local file=$SECRETS_DIR/$1
    if [[ ! -s $file ]]; then
        (umask 077 && openssl rand -hex 32 >"$file")
    fi
    cat "$file"
}

# Prints env var VAR if set (it must be 64 hex chars), else the stored secret NAME.
secret_value() {
    local var=$1 name=$2 value
    value=${!var:-}
    if [[ -n $value ]]; then
        [[ $value =~ ^[0-9a-fA-F]{64}$ ]] || die "$var must be 64 hex characters"
        printf '%s\n' "$value"
    else
        secret_file "$name"
    fi
}

jwt_secret() { secret_value CABINET_JWT_SECRET jwt.key; }
master_key() { secret_value CABINET_MASTER_KEY master.key; }

# ---------------------------------------------------------------- database

using_private_pg() { [[ -z ${CABINET_DATABASE_URL:-} ]]; }

# The app's libpq conninfo: CABINET_DATABASE_URL, or the private cluster's
# socket with the `cabinet` role.
database_url() {
    if using_private_pg; then
        printf 'host=%s port=%s dbname=cabinet user=cabinet password=%s\n' \
            "$PG_SOCK_DIR" "$PG_PORT" "$(secret_file db.password)"
    else
        printf '%s\n' "$CABINET_DATABASE_URL"
    fi
}

# psql as the app role, quiet, stopping at the first error. The private
# cluster's password goes through the environment, not the command line.
app_psql() {
    if using_private_pg; then
        PGPASSWORD=$(secret_file db.password) PGOPTIONS='-c client_min_messages=warning' \
            psql -X -q -v ON_ERROR_STOP=1 \
            "host=$PG_SOCK_DIR port=$PG_PORT dbname=cabinet user=cabinet application_name=cabinet-scripts" "$@"
    else
        PGOPTIONS='-c client_min_messages=warning' \
            psql -X -q -v ON_ERROR_STOP=1 "$CABINET_DATABASE_URL" "$@"
    fi
}

# ---------------------------------------------------------------- processes

# True if PID is a live (not zombie) process. PID 1 here may not reap orphans.
pid_alive() {
    local pid=$1 stat
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

# True if PID is alive and its command line contains PATTERN (guards against
# a pid file that outlived its process and whose pid was reused).
pid_matches() {
    local pid=$1 pattern=$2
    pid_alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# Sends SIGNAL to every PID, waits up to 10 s for all of them to exit, then
# SIGKILLs the survivors.
stop_pids() {
    local signal=$1 pid i
    shift
    (($# > 0)) || return 0
    for pid in "$@"; do kill "-$signal" "$pid" 2>/dev/null || true; done
    for ((i = 0; i < 100; i++)); do
        any_alive "$@" || return 0
        sleep 0.1
    done
    for pid in "$@"; do
        pid_alive "$pid" && warn "pid $pid ignored SIG$signal for 10 s; killing it" && kill -KILL "$pid" 2>/dev/null
    done
    return 0
}

any_alive() {
    local pid
    for pid in "$@"; do pid_alive "$pid" && return 0; done
    return 1
}

# True if something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
