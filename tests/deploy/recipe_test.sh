#!/usr/bin/env bash
# The README's production recipe ("Production: Debian 12, systemd and the
# system nginx"), run as written: every block fenced `sh recipe`, in order, in
# one `bash -euo pipefail`, under a scratch root R. Paths move into R (/etc,
# /opt/cabinet, /run/cabinet, /var/lib/cabinet, /var/log/nginx,
# /var/run/postgresql) and port
# 80 to a free loopback port; nothing else of the text changes. The blocks
# fenced `sh recipe-host` need the machine itself; each must read exactly as
# HOST_BLOCKS below says (else this suite fails: update the stand-in with the
# text), and runs as its stand-in:
#   packages and build    a copy of the built tree in R/opt/cabinet
#   systemctl             every handler of cabinet.target started as its
#                         installed units say (tests/deploy/lib.sh
#                         socket_activate: systemd-socket-activate, the
#                         unit's user, environment and socket modes)
#   nginx reload          nginx -t, then an nginx master on R/etc/nginx, a
#                         copy of /etc/nginx with Debian's default site
#                         enabled on the same port
# The "existing PostgreSQL" is a cluster of this suite's own (peer
# authentication on a Unix socket, as Debian's), run as `postgres`. The
# recipe creates the system user `cabinet` for real (it is idempotent).
# Then the cases check what the recipe promises. Needs root and a built tree.
source "$(dirname "$0")/lib.sh"

R=""
PORT=""
PG_DATA=""
NGINX_PID=""
RECIPE_LOG=""

# The recipe-host blocks, in order, exactly as the README must say them.
HOST_BLOCKS=(
'apt-get update
apt-get install -y --no-install-recommends git ca-certificates make nginx-light postgresql-15
git clone "$CABINET_GIT_URL" /opt/cabinet    # or copy a checkout there
make -C /opt/cabinet -j"$(nproc)" build'
'systemctl daemon-reload
systemctl enable --now cabinet.target'
'nginx -t && systemctl reload nginx'
)

cleanup() {
    local pid
    if [[ -n $NGINX_PID ]]; then stop_activated "$NGINX_PID"; fi
    if [[ -s ${R:-/nonexistent}/activated.pids ]]; then
        mapfile -t pids <"$R/activated.pids"
        stop_activated "${pids[@]}"
    fi
    if [[ -n $PG_DATA && -s $PG_DATA/postmaster.pid ]]; then
        (cd / && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1) || true
    fi
    if [[ -n $R ]]; then
        if ((E2E_FAILED > 0)); then echo "recipe scratch root kept: $R (log $RECIPE_LOG)" >&2; else rm -rf "$R"; fi
    fi
    rm -rf "$E2E_TMP"
}
trap cleanup EXIT

# Prints the README's recipe as "KIND<TAB>BLOCK-NUMBER" headers followed by
# the block's lines; KIND is recipe or recipe-host.
recipe_blocks() {
    awk '/^```sh recipe(-host)?$/ { kind = substr($0, 7); n++; print "#@" kind "\t" n; inside = 1; next }
         inside && /^```$/ { inside = 0; next }
         inside { print }' "$DEPLOY_REPO/README.md"
}

# The text of one block, path-mapped into R.
map_text() {
    sed -e "s|/etc/|$R/etc/|g; s|/opt/cabinet|$R/opt/cabinet|g; s|/run/cabinet|$R/run/cabinet|g" \
        -e "s|/var/lib/cabinet|$R/var/lib/cabinet|g; s|/var/run/postgresql|$R/pgsock|g; s|/var/log/nginx|$R/var/log/nginx|g" \
        -e "s|CABINET_NGINX_LISTEN=80 |CABINET_NGINX_LISTEN=127.0.0.1:$PORT |g; s|http://127.0.0.1/|http://127.0.0.1:$PORT/|g"
}
map_path() { map_text <<<"$1"; }

# ---------------------------------------------------------------- the machine

# The existing PostgreSQL: a cluster of our own, peer authentication on a
# Unix socket in R/pgsock (port 5432 names only the socket).
start_postgres() {
    PG_DATA=$R/pg
    mkdir -p "$PG_DATA" "$R/pgsock"
    chown postgres:postgres "$PG_DATA" "$R/pgsock"
    (cd / && runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$PG_DATA" -U postgres \
        --auth-local=peer --auth-host=reject -E UTF8 --locale=C.UTF-8 >"$R/initdb.log" 2>&1) || return 1
    printf "listen_addresses = ''\nunix_socket_directories = '%s'\nport = 5432\nmax_connections = 100\n" "$R/pgsock" |
        runuser -u postgres -- tee -a "$PG_DATA/postgresql.conf" >/dev/null
    (cd / && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PG_DATA" -l "$PG_DATA/postgres.log" -w -t 60 start >/dev/null)
}

# A copy of the system's /etc/nginx: Debian's default site enabled, both it
# and whatever the recipe adds listening on 127.0.0.1:PORT instead of 80.
copy_system_nginx() {
    mkdir -p "$R/etc/systemd/system" "$R/run" "$R/var/lib" "$R/var/log/nginx"
    cp -a /etc/nginx "$R/etc/nginx"
    rm -f "$R/etc/nginx/sites-enabled/"*
    ln -s "$R/etc/nginx/sites-available/default" "$R/etc/nginx/sites-enabled/default"
    sed -i -e "s|/etc/nginx|$R/etc/nginx|g; s|/run/nginx.pid|$R/run/nginx.pid|; s|/var/log/nginx|$R/var/log/nginx|g" \
        "$R/etc/nginx/nginx.conf"
    sed -i -e "s|^\(\s*\)listen 80 default_server;|\1listen 127.0.0.1:$PORT default_server;|" \
        -e '/listen \[::\]:80 default_server;/d' "$R/etc/nginx/sites-available/default"
    grep -q "listen 127.0.0.1:$PORT default_server;" "$R/etc/nginx/sites-available/default"
}

# The stand-ins of the recipe-host blocks, run inside the recipe's shell
# (exported below). HOST_STEP N.
host_step() {
    case $1 in
    1) # packages (scripts/install-deps has installed them) and the build
        mkdir -p "$R/opt/cabinet/build"
        cp -a "$DEPLOY_REPO/scripts" "$DEPLOY_REPO/sql" "$DEPLOY_REPO/nginx" "$DEPLOY_REPO/README.md" "$R/opt/cabinet/"
        cp -a "$DEPLOY_REPO/build/handlers" "$DEPLOY_REPO/build/cabinet-admin" "$R/opt/cabinet/build/"
        chmod -R a+rX "$R/opt"
        ;;
    2) # systemctl daemon-reload && systemctl enable --now cabinet.target
        local units=$R/etc/systemd/system name
        for name in $(unit_values "$units/cabinet.target" Wants | tr ' ' '\n' | sed -n 's/^cabinet@\(.*\)\.socket$/\1/p'); do
            socket_activate "$name" "$units/cabinet@.socket" "$units/cabinet@.service" "$R/handler-$name.log"
            echo "$ACTIVATED_PID" >>"$R/activated.pids"
        done
        ;;
    3) # nginx -t && systemctl reload nginx
        nginx -t -q -c "$R/etc/nginx/nginx.conf" -e "$R/var/log/nginx/error.log"
        (cd / && exec setsid nginx -c "$R/etc/nginx/nginx.conf" -e "$R/var/log/nginx/error.log" -g 'daemon off;' \
            </dev/null >>"$R/var/log/nginx/error.log" 2>&1) &
        echo $! >"$R/nginx.master"
        wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/"
        ;;
    esac
}

# Writes R/recipe.sh: the README's blocks mapped into R, each host block
# checked against HOST_BLOCKS and replaced by its stand-in; at the end, the
# recipe's variables the cases need.
write_recipe() {
    local kind="" n=0 host=0 line block=""
    {
        echo "source '$DEPLOY_REPO/tests/deploy/lib.sh'"
        echo "source '$R/standins.sh'"
    } >"$R/recipe.sh"
    flush() {
        [[ -n $kind ]] || return 0
        if [[ $kind == recipe-host ]]; then
            ((host < ${#HOST_BLOCKS[@]})) || fail "the README has more recipe-host blocks than this suite knows"
            [[ ${block%$'\n'} == "${HOST_BLOCKS[$host]}" ]] ||
                fail "recipe-host block $((host + 1)) changed; its stand-in must change with it:
${block%$'\n'}"
            host=$((host + 1))
            echo "host_step $host" >>"$R/recipe.sh"
        else
            map_text <<<"${block%$'\n'}" >>"$R/recipe.sh"
        fi
    }
    while IFS= read -r line; do
        if [[ $line == "#@"* ]]; then
            flush
            kind=${line#\#@}
            kind=${kind%%$'\t'*}
            block=""
            n=$((n + 1))
        else
            block+=$line$'\n'
        fi
    done < <(recipe_blocks)
    flush
    ((host == ${#HOST_BLOCKS[@]})) || fail "the README has $host recipe-host blocks, want ${#HOST_BLOCKS[@]}"
    ((n >= 8)) || fail "only $n recipe blocks found in the README"
    echo "declare -p ADMIN_PASSWORD TOKEN >'$R/recipe.vars'" >>"$R/recipe.sh"
}

run_recipe() {
    R=$(deploy_scratch recipe)
    RECIPE_LOG=$R/recipe.log
    PORT=$(free_port)
    copy_system_nginx
    start_postgres || { cat "$R/initdb.log" "$PG_DATA/postgres.log" >&2 2>/dev/null; return 1; }
    {
        declare -f map_text map_path host_step
        printf 'R=%q PORT=%q DEPLOY_REPO=%q\n' "$R" "$PORT" "$DEPLOY_REPO"
    } >"$R/standins.sh"
    ( set -e; write_recipe ) || return 1
    # A root shell's environment (none of the test stack's CABINET_*), in root's home.
    (cd /root 2>/dev/null || cd /
        exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
            PGHOST="$R/pgsock" bash -euo pipefail "$R/recipe.sh") >"$RECIPE_LOG" 2>&1 || {
        echo "the recipe failed:" >&2
        tail -n 30 "$RECIPE_LOG" >&2
        return 1
    }
    NGINX_PID=$(cat "$R/nginx.master")
    # The recipe's variables, global here (declare inside a function is local).
    source <(sed 's/^declare -- /declare -g /' "$R/recipe.vars")
}

# ---------------------------------------------------------------- cases

# req METHOD PATH [BODY] to the recipe's server name.
req_cabinet() { req "$1" "$2" "${3-}" -H 'Host: cabinet.example.com'; }

# The README says what step 9 prints: "It prints `…`."
recipe_check_prints_what_the_readme_says() {
    local promised
    promised=$(sed -n 's/^It prints `\(.*\)`\.$/\1/p' "$DEPLOY_REPO/README.md")
    [[ -n $promised ]] || fail "the README does not say what the check prints"
    [[ $(tail -n 1 "$RECIPE_LOG") == "$promised" ]] ||
        fail "the recipe's check printed '$(tail -n 1 "$RECIPE_LOG")', the README says '$promised'"
}

first_admin_logs_in_on_the_cabinet_host() {
    TOKEN="" req_cabinet POST /v2/user/auth "$(jq -cn --arg p "$ADMIN_PASSWORD" '{username: "admin@example.com", password: $p}')"
    expect_status 200
    expect_json .status Authorized
}

default_site_keeps_every_other_host() {
    TOKEN="" req GET /v2/user/auth "" -H 'Host: www.example.org'
    expect_status 404
    expect_header Content-Type '^text/html'
    [[ $BODY == *"<html>"* ]] || fail "not the default site's HTML page"
}

cabinet_host_answers_json_errors() {
    TOKEN="" req_cabinet GET /no/such/path
    expect_status 404
    expect_envelope NOT_FOUND
    TOKEN=not.a.token req_cabinet GET /api/v1/groups
    expect_status 401
    expect_envelope UNAUTHORIZED
    expect_header WWW-Authenticate '^Bearer'
}

rate_limits_and_quotas_are_on() {
    req_cabinet GET /api/v1/groups
    expect_status 200
    expect_header X-RateLimit-Limit '^100$'
    expect_header X-RateLimit-Remaining '^[0-9]+$'
    grep -q 'limit_req zone=cabinet_api' "$R/etc/nginx/cabinet/locations.conf" || fail "no limit_req in the include"
    [[ -s $R/var/lib/cabinet/quota.shm ]] || fail "no quota table in /var/lib/cabinet"
}

handlers_run_as_cabinet_on_their_sockets() {
    local name sock pid uid checked=0
    for name in groups auth; do
        sock=$R/run/cabinet/$name.sock
        [[ $(stat -c '%U:%G %a' "$sock") == "root:www-data 660" ]] || fail "$sock is $(stat -c '%U:%G %a' "$sock")"
    done
    while read -r pid; do
        kill -0 "$pid" 2>/dev/null || continue
        [[ $(readlink "/proc/$pid/exe") == "$R/opt/cabinet/build/handlers/"* ]] || continue
        uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
        [[ $uid == "$(id -u cabinet)" ]] || fail "pid $pid runs as uid $uid"
        [[ $(readlink "/proc/$pid/fd/0") == socket:* ]] || fail "pid $pid: fd 0 is not a socket"
        checked=$((checked + 1))
    done <"$R/activated.pids"
    ((checked >= 2)) || fail "only $checked handlers were started by a request (auth and groups at least)"
}

config_keys_are_in_the_readme_table() {
    local key
    [[ $(stat -c '%U:%G %a' "$R/etc/cabinet/cabinet.env") == "root:cabinet 640" ]] ||
        fail "cabinet.env is $(stat -c '%U:%G %a' "$R/etc/cabinet/cabinet.env")"
    while IFS='=' read -r key _; do
        [[ -z $key || $key == \#* ]] && continue
        grep -qE "^\| [^|]*\`$key\`" "$DEPLOY_REPO/README.md" || fail "$key is not in a README table"
    done <"$R/etc/cabinet/cabinet.env"
}

recipe_is_idempotent_and_keeps_the_keys() {
    local before after
    before=$(sha256sum <"$R/etc/cabinet/cabinet.env")
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        PGHOST="$R/pgsock" bash -euo pipefail -c "$(recipe_blocks | awk '/^#@/ {n++} n >= 2 && n <= 5' | grep -v '^#@' | map_text)" \
        >"$R/rerun.log" 2>&1 || fail "running steps 2-5 again failed: $(tail -n 5 "$R/rerun.log")"
    after=$(sha256sum <"$R/etc/cabinet/cabinet.env")
    [[ $before == "$after" ]] || fail "cabinet.env changed"
    TOKEN="" req_cabinet POST /v2/user/auth "$(jq -cn --arg p "$ADMIN_PASSWORD" '{username: "admin@example.com", password: $p}')"
    expect_status 200
}

if ((EUID != 0)); then
    echo "deploy/recipe: the recipe runs as root; nothing checked" >&2
    summary
    exit 0
fi
if run_recipe; then
    BASE_URL=http://127.0.0.1:$PORT
    test_case recipe_check_prints_what_the_readme_says
    test_case first_admin_logs_in_on_the_cabinet_host
    test_case default_site_keeps_every_other_host
    test_case cabinet_host_answers_json_errors
    test_case rate_limits_and_quotas_are_on
    test_case handlers_run_as_cabinet_on_their_sockets
    test_case config_keys_are_in_the_readme_table
    test_case recipe_is_idempotent_and_keeps_the_keys
else
    E2E_FAILED=$((E2E_FAILED + 1))
fi
summary
