#!/usr/bin/env bash
# Operating a stack (DESIGN.md section 7: logs, secrets; issue 13's
# friction), on a stack of its own (scripts/test-stack): its cases stop and
# start that stack, which no other suite may see. It stops that stack on exit.
source "$(dirname "$0")/lib.sh"

O_STATE=""
stop_ops_stack() {
    [[ -n $O_STATE ]] && "$E2E_REPO/scripts/test-stack" stop "$O_STATE" >/dev/null 2>&1
    rm -rf "$E2E_TMP"
}
trap stop_ops_stack EXIT

start_ops_stack() {
    O_STATE=$("$E2E_REPO/scripts/test-stack" start 2>"$E2E_TMP/stack.log") || {
        cat "$E2E_TMP/stack.log" >&2
        return 1
    }
    # shellcheck disable=SC1091
    source "$O_STATE/test.env"
    BASE_URL=http://127.0.0.1:$CABINET_PORT
}

# ---------------------------------------------------------------- helpers

# The access log line of request id RID (polls: nginx writes it after the answer).
access_line() {
    local rid=$1 i line
    for ((i = 0; i < 100; i++)); do
        line=$(grep -F "\"requestId\":\"$rid\"" "$CABINET_STATE_DIR/logs/access.log" 2>/dev/null | head -n 1 || true)
        [[ -n $line ]] && break
        sleep 0.05
    done
    [[ -n $line ]] || fail "request $rid is not in logs/access.log"
    echo "$line"
}

# Runs scripts/dev-up or scripts/dev-down for the suite's stack with nothing
# of the environment but its state dir and port; output in $E2E_TMP/out.
stack_cmd() {
    env -u CABINET_DATABASE_URL -u CABINET_JWT_SECRET -u CABINET_MASTER_KEY -u CABINET_CONFIG \
        CABINET_STATE_DIR="$O_STATE" CABINET_PORT="$CABINET_PORT" CABINET_RATE_LIMITS=off CABINET_SKIP_BUILD=1 \
        "$E2E_REPO/scripts/$1" >"$E2E_TMP/out" 2>&1
}

# ---------------------------------------------------------------- cases

# One JSON line per request: time, request id, method, route template,
# status, duration, actor; the client sees neither X-Cabinet-* header.
access_log_has_a_json_line_per_request_with_route_and_actor() {
    local id line
    req POST /api/v1/groups '{"name":"access-log-group"}'
    expect_status 201
    id=$(jq -r .group.id <<<"$BODY")
    req GET "/api/v1/groups/$id"
    expect_status 200
    expect_no_header X-Cabinet-Route
    expect_no_header X-Cabinet-Actor
    line=$(access_line "$(header X-Request-Id)")
    jq -e --arg actor "$ADMIN_ID" --arg path "/api/v1/groups/$id" '
        .method == "GET" and .route == "/api/v1/groups/{id}" and .path == $path and .status == 200
        and .actor == $actor and (.duration | type == "number") and (.time | test("^[0-9]{4}-"))' \
        <<<"$line" >/dev/null || fail "access line: $line"
}

# Without a credential the actor is empty; the Authorization header and the
# query string never reach the log.
access_log_holds_no_credential() {
    local line
    TOKEN="" req GET "/api/v1/groups?limit=1&secret=query-secret-123" "" -H "Authorization: Bearer not.a.valid-token-456"
    expect_status 401
    line=$(access_line "$(header X-Request-Id)")
    jq -e '.actor == "" and .status == 401 and .path == "/api/v1/groups"' <<<"$line" >/dev/null ||
        fail "access line: $line"
    ! grep -qE "query-secret-123|valid-token-456|Bearer|$TOKEN" "$CABINET_STATE_DIR/logs/access.log" ||
        fail "a credential is in logs/access.log"
}

# logrotate's way: rename the file, SIGUSR1 to nginx; the next line lands in
# a new access.log.
access_log_reopens_on_usr1() {
    local line
    mv "$CABINET_STATE_DIR/logs/access.log" "$CABINET_STATE_DIR/logs/access.log.1"
    kill -USR1 "$(<"$CABINET_STATE_DIR/nginx/nginx.pid")"
    for ((i = 0; i < 100; i++)); do
        [[ -e $CABINET_STATE_DIR/logs/access.log ]] && break
        sleep 0.05
    done
    req GET /api/v1/groups?limit=1
    expect_status 200
    line=$(access_line "$(header X-Request-Id)")
    [[ -n $line ]] || fail "no line in the reopened access.log"
}

# Handler stderr is appended (O_APPEND) to logs/<handler>.log: after a
# copytruncate the next line starts the file, with its request id.
handler_log_is_appended_and_survives_copytruncate() {
    local log=$CABINET_STATE_DIR/logs/groups.log rid first
    truncate -s 0 "$log"
    TOKEN="" req GET /api/v1/groups "" -H "Authorization: Bearer not.a.token"
    expect_status 401
    rid=$(header X-Request-Id)
    for ((i = 0; i < 100; i++)); do
        grep -qF "\"requestId\":\"$rid\"" "$log" && break
        sleep 0.05
    done
    grep -qF "\"requestId\":\"$rid\"" "$log" || fail "request $rid is not in logs/groups.log"
    first=$(head -c 1 "$log")
    [[ $first == "{" ]] || fail "logs/groups.log does not start with a JSON line after truncation"
}

# CABINET_ACCESS_LOG=off renders no access log.
access_log_off_renders_access_log_off() {
    local out=$E2E_TMP/render
    env -u CABINET_CONFIG CABINET_STATE_DIR="$O_STATE" CABINET_ACCESS_LOG=off \
        "$E2E_REPO/scripts/render-nginx" "$out" >/dev/null
    grep -qE '^ *access_log off;' "$out/server.conf" || fail "server.conf: $(grep access_log "$out/server.conf")"
}

# A CABINET_CONFIG that cannot be read is named, by a handler and by cabinet-admin.
a_wrong_cabinet_config_path_is_named() {
    local out
    out=$(env -i PATH="$PATH" CABINET_CONFIG=/nonexistent/cabinet.env REQUEST_METHOD=GET DOCUMENT_URI=/api/v1/groups \
        "$E2E_REPO/build/handlers/groups" 2>"$E2E_TMP/err" || true)
    [[ $out == "Status: 503"* ]] || fail "handler answered: ${out:0:200}"
    grep -qF "CABINET_CONFIG=/nonexistent/cabinet.env cannot be read" "$E2E_TMP/err" ||
        fail "handler stderr: $(cat "$E2E_TMP/err")"
    if CABINET_CONFIG=/nonexistent/cabinet.env "$E2E_REPO/scripts/cabinet-admin" check-keys >/dev/null 2>"$E2E_TMP/err"; then
        fail "cabinet-admin accepted a missing CABINET_CONFIG"
    fi
    grep -qF "CABINET_CONFIG=/nonexistent/cabinet.env" "$E2E_TMP/err" || fail "cabinet-admin: $(cat "$E2E_TMP/err")"
}

# cabinet-admin uses the state dir's configuration, not keys of its own: the
# admin it creates logs in and reads its account through the handlers.
cabinet_admin_uses_the_handlers_keys() {
    local before after out
    before=$(ls "$O_STATE/secrets")
    out=$(env -u CABINET_DATABASE_URL -u CABINET_JWT_SECRET -u CABINET_MASTER_KEY -u CABINET_CONFIG \
        CABINET_STATE_DIR="$O_STATE" "$E2E_REPO/scripts/cabinet-admin" create-org --name "Ops Org" \
        --admin-email ops-admin@example.com --admin-password "a long ops password" 2>"$E2E_TMP/err")
    jq -e .userId <<<"$out" >/dev/null || fail "create-org: $out $(cat "$E2E_TMP/err")"
    after=$(ls "$O_STATE/secrets")
    expect_eq "$after" "$before"
    TOKEN=$(login ops-admin@example.com "a long ops password")
    req GET /v2/account
    expect_status 200
}

# dev-up on a running state dir prints its real URL, and refuses another port.
dev_up_on_a_running_stack_names_its_real_port() {
    env -u CABINET_PORT -u CABINET_CONFIG CABINET_STATE_DIR="$O_STATE" CABINET_SKIP_BUILD=1 \
        "$E2E_REPO/scripts/dev-up" >"$E2E_TMP/out" 2>&1 || fail "dev-up: $(cat "$E2E_TMP/out")"
    grep -qF "running at http://127.0.0.1:$CABINET_PORT" "$E2E_TMP/out" || fail "dev-up said: $(cat "$E2E_TMP/out")"
    if env -u CABINET_CONFIG CABINET_STATE_DIR="$O_STATE" CABINET_PORT=$((CABINET_PORT + 1)) CABINET_SKIP_BUILD=1 \
        "$E2E_REPO/scripts/dev-up" >"$E2E_TMP/out" 2>&1; then
        fail "dev-up with another port succeeded: $(cat "$E2E_TMP/out")"
    fi
    grep -qF "already runs on port $CABINET_PORT" "$E2E_TMP/out" || fail "dev-up said: $(cat "$E2E_TMP/out")"
}

# dev-up on a busy port stops before it starts anything, naming the port.
dev_up_on_a_busy_port_stops_before_starting_anything() {
    local state
    state=$(mktemp -d /tmp/cabinet-test.XXXXXX)
    if env -u CABINET_CONFIG -u CABINET_DATABASE_URL CABINET_STATE_DIR="$state" CABINET_PORT="$CABINET_PORT" \
        CABINET_SKIP_BUILD=1 timeout 10 "$E2E_REPO/scripts/dev-up" >"$E2E_TMP/out" 2>&1; then
        fail "dev-up started on a busy port"
    fi
    grep -qF "127.0.0.1:$CABINET_PORT is already in use" "$E2E_TMP/out" || fail "dev-up said: $(cat "$E2E_TMP/out")"
    [[ ! -e $state/pg ]] || fail "dev-up created a cluster before checking the port"
    rm -rf "$state"
}

# A CABINET_DATABASE_URL that does not answer is named, before anything starts.
dev_up_names_a_dead_database_url() {
    local state
    state=$(mktemp -d /tmp/cabinet-test.XXXXXX)
    if env -u CABINET_CONFIG CABINET_STATE_DIR="$state" CABINET_PORT=$((CABINET_PORT + 1)) CABINET_SKIP_BUILD=1 \
        CABINET_DATABASE_URL="host=$state/no-such-socket dbname=cabinet user=cabinet" \
        timeout 20 "$E2E_REPO/scripts/dev-up" >"$E2E_TMP/out" 2>&1; then
        fail "dev-up started with a dead CABINET_DATABASE_URL"
    fi
    grep -qF "CABINET_DATABASE_URL does not answer a query" "$E2E_TMP/out" || fail "dev-up said: $(cat "$E2E_TMP/out")"
    rm -rf "$state"
}

# A missing key file of a database that holds what the key sealed or signed
# stops the start, naming the file; no key is made in its place.
a_missing_key_file_stops_the_start_naming_it() {
    local name
    stack_cmd dev-down || fail "dev-down: $(cat "$E2E_TMP/out")"
    for name in master jwt; do
        mv "$O_STATE/secrets/$name.key" "$E2E_TMP/$name.key"
        if stack_cmd dev-up; then fail "dev-up started without secrets/$name.key"; fi
        grep -qF "secrets/$name.key is missing but the database holds" "$E2E_TMP/out" ||
            fail "dev-up said: $(tail -n 3 "$E2E_TMP/out")"
        [[ ! -e $O_STATE/secrets/$name.key ]] || fail "a new secrets/$name.key was made"
        mv "$E2E_TMP/$name.key" "$O_STATE/secrets/$name.key"
    done
}

# A master key other than the one the database recorded stops the start,
# naming the file; the right one starts again.
a_different_master_key_stops_the_start_naming_it() {
    cp "$O_STATE/secrets/master.key" "$E2E_TMP/master.key"
    openssl rand -hex 32 >"$O_STATE/secrets/master.key"
    if stack_cmd dev-up; then fail "dev-up started with another master key"; fi
    grep -qF "secrets/master.key is not the master key the database's secrets are sealed with" "$E2E_TMP/out" ||
        fail "dev-up said: $(tail -n 3 "$E2E_TMP/out")"
    cp "$E2E_TMP/master.key" "$O_STATE/secrets/master.key"
    stack_cmd dev-up || fail "dev-up with the right key: $(tail -n 5 "$E2E_TMP/out")"
}

# A foreground `make run` (scripts/run) exits when scripts/dev-down stops its stack.
run_exits_when_dev_down_stops_the_stack() {
    local pid i
    env -u CABINET_CONFIG CABINET_STATE_DIR="$O_STATE" CABINET_PORT="$CABINET_PORT" CABINET_SKIP_BUILD=1 \
        "$E2E_REPO/scripts/run" >"$E2E_TMP/run.out" 2>&1 &
    pid=$!
    for ((i = 0; i < 200; i++)); do
        grep -q "Press Ctrl-C" "$E2E_TMP/run.out" && break
        sleep 0.05
    done
    grep -q "Press Ctrl-C" "$E2E_TMP/run.out" || fail "scripts/run: $(cat "$E2E_TMP/run.out")"
    stack_cmd dev-down || fail "dev-down: $(cat "$E2E_TMP/out")"
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        fail "scripts/run still waits 5 s after dev-down"
    fi
}

start_ops_stack || {
    echo "0 passed, 1 failed"
    exit 1
}
TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
test_case access_log_has_a_json_line_per_request_with_route_and_actor
test_case access_log_holds_no_credential
test_case access_log_reopens_on_usr1
test_case handler_log_is_appended_and_survives_copytruncate
test_case access_log_off_renders_access_log_off
test_case a_wrong_cabinet_config_path_is_named
test_case cabinet_admin_uses_the_handlers_keys
test_case dev_up_on_a_running_stack_names_its_real_port
test_case dev_up_on_a_busy_port_stops_before_starting_anything
test_case dev_up_names_a_dead_database_url
test_case a_missing_key_file_stops_the_start_naming_it
test_case a_different_master_key_stops_the_start_naming_it
test_case run_exits_when_dev_down_stops_the_stack
summary
