# shellcheck shell=bash
# The FastCGI handlers of one state dir (sourced after common.sh).
#
# Contract: handler NAME runs as N worker processes of
# $BUILD_DIR/handlers/NAME, accepting on $FCGI_SOCK_DIR/NAME.sock (root: mode
# 0660 owned by www-data, processes run as www-data; else 0600 and the current
# user), supervised by multiwatch under spawn-fcgi (spawn-fcgi -n binds the
# socket and execs `multiwatch -f N`, which forks the workers and replaces any
# that dies at once). $RUN_DIR/NAME.pid holds the supervisor's pid;
# handler_pids prints the live workers. stderr of the supervisor and of every
# worker appends (O_APPEND) to $LOG_DIR/NAME.log. Their only configuration is
# CABINET_CONFIG, the KEY=VALUE file $CABINET_ENV_FILE (a copy in the /tmp
# fallback when www-data cannot reach the state dir), CABINET_THREADS
# (handler_threads) and CABINET_DB_CONNECTIONS (handler_connections). N =
# CABINET_WORKERS_<NAME> or CABINET_WORKERS, default 2. SIGTERM to the
# supervisor forwards SIGTERM to the workers (each finishes its requests and
# exits), then the supervisor exits; it restarts nothing after that.

handler_pid_file() { echo "$RUN_DIR/$1.pid"; }
handler_sock() { echo "$FCGI_SOCK_DIR/$1.sock"; }

# A per-handler number: SETTING_<NAME> or SETTING, else DEFAULT; 1 to MAX.
handler_number() { # name setting default max
    local var=$2_${1^^}
    local n=${!var:-${!2:-$3}}
    [[ $n =~ ^[1-9][0-9]*$ ]] && ((n <= $4)) || die "$var / $2 must be 1 to $4"
    echo "$n"
}

# Processes of NAME: CABINET_WORKERS_<NAME> or CABINET_WORKERS, default 2.
handler_workers() { handler_number "$1" CABINET_WORKERS 2 1024; }

# Responder threads per process of NAME: CABINET_THREADS_<NAME> or
# CABINET_THREADS, default 12. Workers x threads must exceed the connections
# nginx may keep open to the handler (nginx_keepalive x 2 nginx workers), or
# a request can wait behind a thread pinned by an idle kept connection.
handler_threads() {
    local name=$1 n kept
    n=$(handler_number "$name" CABINET_THREADS 12 256)
    kept=$((2 * $(nginx_keepalive)))
    (($(handler_workers "$name") * n > kept)) ||
        die "$name: workers x threads ($(handler_workers "$name") x $n) must exceed the $kept connections nginx may keep (CABINET_FCGI_KEEPALIVE)"
    echo "$n"
}

# Postgres connections per process of NAME, lent to one request at a time
# (at most this many requests of a process are worked on at once):
# CABINET_DB_CONNECTIONS_<NAME> or CABINET_DB_CONNECTIONS, default 4.
handler_connections() { handler_number "$1" CABINET_DB_CONNECTIONS 4 256; }

# The minute/hour quota table of the handlers (lib/ratelimit.cpp): one
# mmap-ed file shared by every handler process of this node. Next to the
# sockets, so it survives handler restarts (and, unless in the /tmp fallback,
# stack restarts).
quota_file() { echo "${RUNTIME_FALLBACK:-$RUN_DIR}/quota.shm"; }

# Creates the quota table file (if missing) for the handler user, 0600: the
# handlers cannot create files in the run dir when root owns it.
prepare_quota_file() {
    local file
    file=$(quota_file)
    [[ -e $file ]] || (umask 077 && : >"$file")
    if is_root; then chown "$SERVICE_USER:$SERVICE_USER" "$file"; fi
    chmod 0600 "$file"
}

# The node's metrics file (lib/metrics.cpp): counters of every handler
# process, kept across handler restarts like the quota table beside it.
metrics_file() { echo "${RUNTIME_FALLBACK:-$RUN_DIR}/metrics.shm"; }

# Creates the metrics file (if missing) for the handler user, 0600.
prepare_metrics_file() {
    local file
    file=$(metrics_file)
    [[ -e $file ]] || (umask 077 && : >"$file")
    if is_root; then chown "$SERVICE_USER:$SERVICE_USER" "$file"; fi
    chmod 0600 "$file"
}

# Writes the handlers' config file (0640, group www-data when root): the
# database conninfo, the secrets, CABINET_TOKEN_TTL, the rate limits
# (CABINET_RATE_LIMITS; when on, the quota table CABINET_QUOTA_FILE and the
# quota numbers of scripts/common.sh), what the admin port's health handler
# reads (CABINET_METRICS_FILE, CABINET_FCGI_SOCKET_DIR, CABINET_HANDLERS) and,
# when set, CABINET_TRUSTED_PROXIES. Values are verbatim (no quoting).
write_cabinet_env() {
    local tmp
    check_rate_settings
    rate_limits_on && prepare_quota_file
    prepare_metrics_file
    tmp=$(mktemp "$STATE/cabinet.env.XXXXXX")
    {
        echo "# Written by scripts/dev-up: the settings of the handlers (CABINET_CONFIG)."
        echo "CABINET_DATABASE_URL=$(database_url)"
        echo "CABINET_JWT_SECRET=$(jwt_secret)"
        echo "CABINET_MASTER_KEY=$(master_key)"
        echo "CABINET_TOKEN_TTL=${CABINET_TOKEN_TTL:-3600}"
        echo "CABINET_RATE_LIMITS=$RATE_LIMITS"
        if rate_limits_on; then
            echo "CABINET_QUOTA_FILE=$(quota_file)"
            echo "CABINET_RATE_PER_MINUTE=$RATE_PER_MINUTE"
            echo "CABINET_RATE_PER_HOUR=$RATE_PER_HOUR"
            echo "CABINET_RATE_MINUTE_SECONDS=$RATE_MINUTE_SECONDS"
            echo "CABINET_RATE_HOUR_SECONDS=$RATE_HOUR_SECONDS"
        fi
        echo "CABINET_METRICS_FILE=$(metrics_file)"
        echo "CABINET_FCGI_SOCKET_DIR=$FCGI_SOCK_DIR"
        echo "CABINET_HANDLERS=${API_HANDLERS[*]}"
        if [[ -n ${CABINET_TRUSTED_PROXIES:-} ]]; then
            echo "CABINET_TRUSTED_PROXIES=$CABINET_TRUSTED_PROXIES"
        fi
    } >"$tmp"
    install_service_readable "$tmp" "$CABINET_ENV_FILE"
    rm -f "$tmp"
    if [[ $HANDLER_ENV_FILE != "$CABINET_ENV_FILE" ]]; then
        install_service_readable "$CABINET_ENV_FILE" "$HANDLER_ENV_FILE"
    fi
}

# Copies SRC to DST, readable by the service user (and its owner) only.
install_service_readable() {
    if is_root; then
        install -m 0640 -o root -g "$SERVICE_USER" "$1" "$2"
    else
        install -m 0600 "$1" "$2"
    fi
}

# Prints the binary to start for NAME: the build output, or (root, when
# www-data may not execute it there) a copy in the runtime dir.
handler_exec_path() {
    local name=$1 bin=$BUILD_DIR/handlers/$1 copy_dir
    if ! is_root || user_can_reach "$SERVICE_USER" "$(dirname "$bin")"; then
        echo "$bin"
        return 0
    fi
    copy_dir=${RUNTIME_FALLBACK:-$RUN_DIR}/bin
    mkdir -p "$copy_dir"
    chmod 0711 "$copy_dir"
    install -m 0755 "$bin" "$copy_dir/$name"
    echo "$copy_dir/$name"
}

# Environment of handler NAME: nothing but its config file, its thread and
# connection counts and the basics.
handler_env() {
    local -a env=(PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 TZ=UTC "CABINET_CONFIG=$HANDLER_ENV_FILE"
        "CABINET_THREADS=$(handler_threads "$1")" "CABINET_DB_CONNECTIONS=$(handler_connections "$1")")
    local var
    for var in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
        [[ -n ${!var:-} ]] && env+=("$var=${!var}")
    done
    printf '%s\n' "${env[@]}"
}

# multiwatch's restart throttle: it gives up on a worker that died
# MULTIWATCH_RETRIES times, each within MULTIWATCH_RETRY_MS of its start. A
# worker alive that long counts as healthy again, so only a crash loop (a
# worker that cannot start) stops being restarted.
MULTIWATCH_RETRIES=${CABINET_RESTART_RETRIES:-10}
MULTIWATCH_RETRY_MS=2000

# Starts NAME (not running) in its own session. A handler that is not built
# is skipped with a warning: nginx answers 503 JSON for its paths.
handler_start() {
    local name=$1 n sock pid_file bin
    local -a args env
    if [[ ! -x $BUILD_DIR/handlers/$name ]]; then
        warn "$BUILD_DIR/handlers/$name is not built: its paths answer 503"
        return 0
    fi
    [[ $MULTIWATCH_RETRIES =~ ^[1-9][0-9]{0,5}$ ]] || die "CABINET_RESTART_RETRIES must be 1 to 999999"
    n=$(handler_workers "$name")
    sock=$(handler_sock "$name")
    pid_file=$(handler_pid_file "$name")
    bin=$(handler_exec_path "$name")
    args=(-n -s "$sock" -d /)
    if is_root; then
        args+=(-M 0660 -U "$SERVICE_USER" -G "$SERVICE_USER" -u "$SERVICE_USER" -g "$SERVICE_USER")
    else
        args+=(-M 0600)
    fi
    mapfile -t env < <(handler_env "$name")
    rm -f "$sock" "$pid_file"
    # The pid written is the one that becomes spawn-fcgi, then multiwatch
    # (spawn-fcgi -n ignores -P); setsid keeps Ctrl-C of a terminal away.
    env -i "${env[@]}" setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pid_file" \
        spawn-fcgi "${args[@]}" -- "$(command -v multiwatch)" -f "$n" -s TERM \
        -r "$MULTIWATCH_RETRIES" -t "$MULTIWATCH_RETRY_MS" -- "$bin" \
        </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
}

# The supervisor's pid of NAME if it runs (a stale pid file is ignored).
handler_supervisor_pid() {
    local pid_file pid
    pid_file=$(handler_pid_file "$1")
    [[ -s $pid_file ]] || return 1
    pid=$(<"$pid_file")
    pid_matches "$pid" multiwatch || return 1
    echo "$pid"
}

# The live worker pids of NAME: the supervisor's children whose argv[0] ends
# in /NAME.
handler_pids() {
    local name=$1 sup pid
    sup=$(handler_supervisor_pid "$name") || return 0
    for pid in $(cat "/proc/$sup/task/$sup/children" 2>/dev/null); do
        pid_alive "$pid" || continue
        [[ $(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1) == */"$name" ]] && echo "$pid"
    done
    return 0
}

# Stops the given handlers (default: all): SIGTERM to each supervisor (which
# passes it on to its workers and restarts nothing), waits for supervisors
# and workers, SIGKILL after 10 s; removes their pid files and sockets.
handlers_stop() {
    local name sup pid i
    local -a sups=() all=() names=("$@")
    ((${#names[@]} > 0)) || names=("${HANDLERS[@]}")
    for name in "${names[@]}"; do
        sup=$(handler_supervisor_pid "$name") || continue
        sups+=("$sup")
        all+=("$sup")
        mapfile -t -O "${#all[@]}" all < <(handler_pids "$name")
    done
    for sup in "${sups[@]}"; do kill -TERM "$sup" 2>/dev/null || true; done
    for ((i = 0; i < 100; i++)); do
        ((${#all[@]} > 0)) && any_alive "${all[@]}" || break
        sleep 0.1
    done
    for pid in "${all[@]}"; do
        pid_alive "$pid" && warn "pid $pid ignored SIGTERM for 10 s; killing it" && kill -KILL "$pid" 2>/dev/null
    done
    for name in "${names[@]}"; do
        rm -f "$(handler_pid_file "$name")" "$(handler_sock "$name")"
    done
}

# (Re)starts every handler that is built; warns about any that died at once.
handlers_start() {
    local name
    handlers_stop
    for name in "${HANDLERS[@]}"; do handler_start "$name"; done
    for name in "${HANDLERS[@]}"; do
        [[ -x $BUILD_DIR/handlers/$name ]] || continue
        handler_wait_socket "$name" ||
            die "$name did not start: $(tail -n 3 "$LOG_DIR/$name.log")"
    done
    sleep 0.2
    for name in "${HANDLERS[@]}"; do
        [[ -s $(handler_pid_file "$name") ]] || continue
        [[ -n $(handler_pids "$name") ]] ||
            warn "$name exited at start: $(tail -n 3 "$LOG_DIR/$name.log")"
    done
}

# Waits up to 10 s for NAME's supervisor to run and its socket to exist.
handler_wait_socket() {
    local i
    for ((i = 0; i < 200; i++)); do
        handler_supervisor_pid "$1" >/dev/null && [[ -S $(handler_sock "$1") ]] && return 0
        sleep 0.05
    done
    return 1
}

# Names of the handlers with live processes.
handlers_running() {
    local name
    for name in "${HANDLERS[@]}"; do
        [[ -n $(handler_pids "$name") ]] && echo "$name"
    done
    return 0
}
