# shellcheck shell=bash
# nginx of one state dir (sourced after common.sh): render the templates of
# nginx/ into $NGINX_PREFIX, start it as its own master in the background
# (daemon off; pid in $NGINX_PREFIX/nginx.pid), stop it by that pid.

NGINX_PID_FILE=$NGINX_PREFIX/nginx.pid
NGINX_CONF=$NGINX_PREFIX/nginx.conf

# Escapes a value for the replacement side of a sed s|…|…| command.
sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

# render_template IN OUT NAME=VALUE…: replaces every @NAME@ of IN; fails if a
# placeholder is left.
render_template() {
    local in=$1 out=$2 pair script=""
    shift 2
    for pair in "$@"; do
        script+="s|@${pair%%=*}@|$(sed_escape "${pair#*=}")|g;"
    done
    sed -e "$script" "$in" >"$out.tmp"
    if grep -n '@[A-Z_]*@' "$out.tmp" >&2; then
        rm -f "$out.tmp"
        die "unrendered placeholder in $out"
    fi
    mv "$out.tmp" "$out"
}

# Renders the server block and its includes into OUT_DIR for LISTEN (the
# OpenAPI document into DOCS_DIR, default OUT_DIR), with the rate limits of scripts/common.sh (CABINET_RATE_LIMITS and the numbers),
# server_name CABINET_NGINX_SERVER_NAME (default _), sockets in FCGI_SOCK_DIR.
nginx_render_server() {
    local out=$1 listen=$2 off="# rate limits off (CABINET_RATE_LIMITS=off)"
    local settings=$off api=$off v2=$off login=$off other=$off
    check_rate_settings
    mkdir -p "$out"
    cp "$REPO/nginx/fastcgi_params.conf" "$REPO/nginx/error_pages.conf" "$out/"
    # The OpenAPI document, where the workers can read it (DOCS_DIR, default OUT_DIR).
    install -m 0644 "$REPO/nginx/openapi.yaml" "$REPO/nginx/openapi.json" "${3:-$out}/"
    if rate_limits_on; then
        local anon="limit_req zone=cabinet_anon burst=$RATE_ANON_BURST nodelay;"
        local v2_line="limit_req zone=cabinet_v2 burst=$RATE_V2_BURST nodelay;"
        settings="limit_req_status 429; limit_req_log_level warn;"
        api="limit_req zone=cabinet_api burst=$RATE_API_BURST nodelay; $anon"
        v2="$v2_line $anon"
        login="limit_req zone=cabinet_login burst=$RATE_LOGIN_BURST nodelay; $v2_line $anon"
        other=$anon
        render_template "$REPO/nginx/rate_limits.conf.in" "$out/rate_limits.conf" \
            ZONE_SIZE="$RATE_ZONE_SIZE" API_RPS="$RATE_API_RPS" V2_RPS="$RATE_V2_RPS" \
            LOGIN_RPS="$RATE_LOGIN_RPS" ANON_RPS="$RATE_ANON_RPS"
    else
        echo "$off" >"$out/rate_limits.conf"
    fi
    local upstream
    upstream=$(nginx_upstream)
    render_template "$REPO/nginx/upstreams.conf.in" "$out/upstreams.conf" \
        UPSTREAM="$upstream" SOCK_DIR="$FCGI_SOCK_DIR" KEEPALIVE="$(nginx_keepalive)"
    render_template "$REPO/nginx/locations.conf.in" "$out/locations.conf" \
        UPSTREAM="$upstream" CONF_DIR="$out" DOCS_DIR="${3:-$out}" \
        LIMIT_API="$api" LIMIT_V2="$v2" LIMIT_LOGIN="$login" LIMIT_OTHER="$other"
    render_template "$REPO/nginx/server.conf.in" "$out/server.conf" \
        LISTEN="$listen" SERVER_NAME="${CABINET_NGINX_SERVER_NAME:-_}" CONF_DIR="$out" LIMIT_REQ_SETTINGS="$settings" \
        ACCESS_LOG="$(access_log_setting)"
}

# The access_log value of the server block: CABINET_ACCESS_LOG is on (the
# default: $LOG_DIR/access.log), off, or an absolute file path.
access_log_setting() {
    local value=${CABINET_ACCESS_LOG:-on}
    case $value in
    on) echo "$LOG_DIR/access.log cabinet_access" ;;
    off) echo off ;;
    /*) echo "$value cabinet_access" ;;
    *) die "CABINET_ACCESS_LOG must be on, off or an absolute path" ;;
    esac
}

# Upstream names unique to this instance's sockets, should one nginx serve two.
nginx_upstream() { echo "cabinet_$(printf '%s' "$FCGI_SOCK_DIR" | cksum | cut -d' ' -f1)"; }

# Renders the admin listener (nginx/admin.conf.in) into OUT_DIR/admin.conf for
# LISTEN; it includes OUT_DIR's fastcgi params and error pages
# (nginx_render_server puts them there).
nginx_render_admin() {
    render_template "$REPO/nginx/admin.conf.in" "$1/admin.conf" \
        ADMIN_LISTEN="$2" CONF_DIR="$1" SOCK_DIR="$FCGI_SOCK_DIR" UPSTREAM="$(nginx_upstream)"
}

# Renders the full config of this state dir into $NGINX_PREFIX.
nginx_render() {
    local user_directive="# not root: workers run as $SERVICE_USER"
    is_root && user_directive="user $SERVICE_USER $SERVICE_USER;"
    nginx_render_server "$NGINX_PREFIX" "127.0.0.1:$PORT" "${RUNTIME_FALLBACK:-$NGINX_PREFIX}"
    nginx_render_admin "$NGINX_PREFIX" "127.0.0.1:$ADMIN_PORT"
    render_template "$REPO/nginx/nginx.conf.in" "$NGINX_CONF" \
        USER_DIRECTIVE="$user_directive" PREFIX="$NGINX_PREFIX" LOG_DIR="$LOG_DIR" \
        TEMP_DIR="$NGINX_TEMP_DIR" SERVER_CONF="$NGINX_PREFIX/server.conf"
}

nginx_cmd() { nginx -p "$NGINX_PREFIX/" -c "$NGINX_CONF" -e "$LOG_DIR/nginx-error.log" "$@"; }

nginx_test_config() {
    nginx_cmd -t -q 2>"$LOG_DIR/nginx-t.log" || die "nginx -t failed: $(cat "$LOG_DIR/nginx-t.log")"
}

# The master's pid if it runs, else nothing (exit 1).
nginx_pid() {
    local pid
    [[ -s $NGINX_PID_FILE ]] || return 1
    pid=$(<"$NGINX_PID_FILE")
    pid_matches "$pid" "nginx: master process" || return 1
    echo "$pid"
}

# Starts the master in its own session (Ctrl-C in the terminal is for
# scripts/run, which then stops everything in order); waits for its pid file.
nginx_start() {
    local pid i
    nginx_test_config
    port_in_use "$PORT" && die "127.0.0.1:$PORT is already in use; set CABINET_PORT"
    port_in_use "$ADMIN_PORT" && die "127.0.0.1:$ADMIN_PORT (the admin port) is already in use; set CABINET_ADMIN_PORT"
    rm -f "$NGINX_PID_FILE"
    setsid nginx -p "$NGINX_PREFIX/" -c "$NGINX_CONF" -e "$LOG_DIR/nginx-error.log" \
        </dev/null >>"$LOG_DIR/nginx-error.log" 2>&1 &
    pid=$!
    for ((i = 0; i < 100; i++)); do
        nginx_pid >/dev/null && return 0
        pid_alive "$pid" || break
        sleep 0.05
    done
    die "nginx did not start: $(tail -n 5 "$LOG_DIR/nginx-error.log")"
}

# Graceful stop (QUIT: finish in-flight requests), SIGKILL after 10 s.
nginx_stop() {
    local pid
    pid=$(nginx_pid) || {
        rm -f "$NGINX_PID_FILE"
        return 0
    }
    log "stopping nginx (pid $pid)"
    stop_pids QUIT "$pid"
    rm -f "$NGINX_PID_FILE"
}
