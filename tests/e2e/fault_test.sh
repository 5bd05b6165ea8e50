#!/usr/bin/env bash
# Faults under load (DESIGN.md section 7: supervision, Postgres away), on a
# stack of its own (scripts/test-stack), so that killing handlers and
# restarting Postgres disturbs no other suite. It stops that stack on exit.
#
# The load: LOAD_CLIENTS background loops, each alternating
# GET /api/v1/groups?limit=1 and POST /api/v1/groups (a new name each time)
# with the admin's token, one request at a time, recording for every request
# its start and end (ms), method, status, Content-Type, Retry-After and
# X-Request-Id, the bodies of the 201s and of every non-2xx answer. Each
# fault is then judged on the answers whose request overlapped it.
source "$(dirname "$0")/lib.sh"

LOAD_CLIENTS=3
F_STATE=""
LOAD_DIR=$E2E_TMP/load
LOAD_PIDS=()

stop_all() {
    stop_load
    [[ -n $F_STATE ]] && "$E2E_REPO/scripts/test-stack" stop "$F_STATE" >/dev/null 2>&1
    rm -rf "$E2E_TMP"
}
trap stop_all EXIT

start_fault_stack() {
    F_STATE=$("$E2E_REPO/scripts/test-stack" start 2>"$E2E_TMP/stack.log") || {
        cat "$E2E_TMP/stack.log" >&2
        return 1
    }
    # shellcheck disable=SC1091
    source "$F_STATE/test.env"
    BASE_URL=http://127.0.0.1:$CABINET_PORT
}

# ---------------------------------------------------------------- helpers

now_ms() { date +%s%3N; }

# One load client: requests until $LOAD_DIR/stop exists. Lines of
# $LOAD_DIR/CLIENT.log: start_ms end_ms method status content_type
# retry_after request_id body_file (body_file "-" for a 2xx other than 201).
load_client() {
    local client=$1 n=0 method path data start out status ctype retry rid body keep
    while [[ ! -e $LOAD_DIR/stop ]]; do
        n=$((n + 1))
        body=$LOAD_DIR/$client.$n.body
        if ((n % 2)); then
            method=GET path="/api/v1/groups?limit=1" data=()
        else
            method=POST path=/api/v1/groups
            data=(-H 'Content-Type: application/json' --data-binary "{\"name\":\"fault-$client-$n\"}")
        fi
        start=$(now_ms)
        out=$(curl -s --max-time 20 -X "$method" -H "Authorization: Bearer $TOKEN" "${data[@]}" -o "$body" \
            -w '%{http_code} %{content_type} %header{retry-after} %header{x-request-id}' "$BASE_URL$path" || true)
        read -r status ctype retry rid <<<"$out"
        keep=$body
        if [[ $status == 2* && $status != 201 ]]; then
            rm -f "$body"
            keep=-
        fi
        echo "$start $(now_ms) $method ${status:-000} ${ctype:--} ${retry:--} ${rid:--} $keep" >>"$LOAD_DIR/$client.log"
    done
}

start_load() {
    local c
    mkdir -p "$LOAD_DIR"
    rm -f "$LOAD_DIR/stop"
    for ((c = 1; c <= LOAD_CLIENTS; c++)); do
        load_client "$c" &
        LOAD_PIDS+=($!)
    done
}

stop_load() {
    ((${#LOAD_PIDS[@]} > 0)) || return 0
    mkdir -p "$LOAD_DIR"
    : >"$LOAD_DIR/stop"
    wait "${LOAD_PIDS[@]}" 2>/dev/null || true
    LOAD_PIDS=()
}

# The load's answers whose request overlapped [FROM_MS, TO_MS].
answers_between() { cat "$LOAD_DIR"/*.log 2>/dev/null | awk -v a="$1" -v b="$2" '$2 >= a && $1 <= b'; }

# Waits until the load has N more answers than now (at most 20 s).
wait_for_load() {
    local want deadline=$((SECONDS + 20))
    want=$(($(cat "$LOAD_DIR"/*.log 2>/dev/null | wc -l) + $1))
    while (($(cat "$LOAD_DIR"/*.log 2>/dev/null | wc -l) < want)); do
        ((SECONDS < deadline)) || fail "the load made no progress"
        sleep 0.05
    done
}

# Polls GET /api/v1/groups?limit=1 until it answers 2xx; prints the ms of
# that answer, or fails after LIMIT_MS from FROM_MS.
first_2xx_after() {
    local from=$1 limit=$2 code
    while :; do
        code=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
            "$BASE_URL/api/v1/groups?limit=1" || true)
        if [[ $code == 2* ]]; then
            now_ms
            return 0
        fi
        (($(now_ms) - from <= limit + 3000)) || fail "no 2xx within $((limit + 3000)) ms (last status $code)"
        sleep 0.02
    done
}

# Fails unless every non-2xx answer of LINES (answers_between output) is a
# 503 SERVICE_UNAVAILABLE envelope (502 also allowed when ALLOW_502=1) with
# Retry-After when REQUIRE_RETRY=1.
expect_failures_are_envelopes() {
    local lines=$1 start end method status ctype retry rid body
    while read -r start end method status ctype retry rid body; do
        [[ -n $status && $status != 2* ]] || continue
        [[ $status == 503 || (${ALLOW_502:-0} == 1 && $status == 502) ]] ||
            fail "$method at $start answered $status: $(head -c 300 "$body" 2>/dev/null)"
        [[ $ctype == application/json* ]] || fail "$method $status at $start: Content-Type $ctype: $(head -c 300 "$body")"
        jq -e '.error.code == "SERVICE_UNAVAILABLE" and (.error.message | type == "string")' "$body" >/dev/null 2>&1 ||
            fail "$method $status at $start: not the envelope: $(head -c 300 "$body")"
        if [[ ${REQUIRE_RETRY:-0} == 1 && ! $retry =~ ^[0-9]+$ ]]; then
            fail "$method $status at $start: no Retry-After (request id $rid)"
        fi
    done <<<"$lines"
}

# ---------------------------------------------------------------- cases

# kill -9 of every worker of the groups handler under load: multiwatch
# replaces them, the handler answers 2xx again within 2 s, and only requests
# in flight at the kill failed, each with the JSON envelope.
killed_workers_are_replaced_and_only_requests_in_flight_fail() {
    local -a before after
    local killed_at back_at failures lines
    mapfile -t before < <(handler_worker_pids groups)
    ((${#before[@]} == 2)) || fail "expected 2 groups workers, found ${#before[@]}"
    wait_for_load 30
    killed_at=$(now_ms)
    kill -KILL "${before[@]}"
    back_at=$(first_2xx_after "$killed_at" 2000)
    ((back_at - killed_at <= 2000)) || fail "groups answered 2xx only $((back_at - killed_at)) ms after the kill"
    wait_for_load 30
    mapfile -t after < <(handler_worker_pids groups)
    ((${#after[@]} == 2)) || fail "expected 2 groups workers after the kill, found ${#after[@]}"
    [[ " ${before[*]} " != *" ${after[0]} "* && " ${before[*]} " != *" ${after[1]} "* ]] ||
        fail "the workers were not replaced: before ${before[*]}, after ${after[*]}"
    lines=$(answers_between "$killed_at" "$back_at")
    echo "  statuses around the kill (2xx again after $((back_at - killed_at)) ms):" \
        "$(awk '{ print $4 }' <<<"$lines" | sort | uniq -c | tr -s ' \n' ' ')" >&2
    ALLOW_502=1 expect_failures_are_envelopes "$lines"
    failures=$(awk '$4 !~ /^2/' <<<"$lines" | grep -c . || true)
    ((failures <= LOAD_CLIENTS)) ||
        fail "$failures requests failed around the kill, more than the $LOAD_CLIENTS that can be in flight"
    # Every request sent after the handler was back got a 2xx.
    failures=$(answers_between "$back_at" "$(now_ms)" | awk -v b="$back_at" '$1 > b && $4 !~ /^2/')
    [[ -z $failures ]] || fail "failures after the handler was back: $(head -n 3 <<<"$failures")"
}

# The admin port's /ready: its status code; the body in $E2E_TMP/ready.
ready_status() { curl -s -o "$E2E_TMP/ready" -w '%{http_code}' --max-time 5 "$ADMIN_URL/ready" || true; }

# Polls /ready until it answers 200, for at most $1 ms; prints the ms it took.
ready_within() {
    local start now
    start=$(now_ms)
    while [[ $(ready_status) != 200 ]]; do
        now=$(now_ms)
        ((now - start <= $1)) || fail "/ready not 200 within $1 ms: $(cat "$E2E_TMP/ready")"
        sleep 0.05
    done
    echo $(($(now_ms) - start))
}

# Postgres stopped (fast) and started again under load: while it is away,
# every answer is 503 SERVICE_UNAVAILABLE with Retry-After (never a 500) and
# /ready answers 503 with postgres "down"; within 2 s of it answering again,
# the handlers serve 2xx and /ready answers 200.
postgres_restart_answers_503_with_retry_after_then_recovers_within_2s() {
    local stop_at up_at back_at lines statuses pgctl=/usr/lib/postgresql/15/bin/pg_ctl
    local data=$CABINET_STATE_DIR/pg/data
    wait_for_load 30
    stop_at=$(now_ms)
    runuser -u postgres -- "$pgctl" -D "$data" -m fast -w -t 30 stop >/dev/null || fail "pg_ctl stop failed"
    [[ $(ready_status) == 503 ]] || fail "/ready while Postgres is away: expected 503, got $(cat "$E2E_TMP/ready")"
    jq -e '.status == "down" and .checks.postgres == "down" and ([.checks.handlers[]] | all(. == "ok"))' \
        "$E2E_TMP/ready" >/dev/null || fail "/ready body while Postgres is away: $(cat "$E2E_TMP/ready")"
    wait_for_load 20
    runuser -u postgres -- "$pgctl" -D "$data" -l "$CABINET_STATE_DIR/pg/log/postgres.log" -w -t 30 start >/dev/null ||
        fail "pg_ctl start failed"
    up_at=$(now_ms)
    local ready_ms
    ready_ms=$(ready_within 2000) || fail "/ready did not answer 200 within 2 s of Postgres being back"
    echo "  /ready 200 again $ready_ms ms after Postgres was back" >&2
    back_at=$(first_2xx_after "$up_at" 2000)
    wait_for_load 30
    lines=$(answers_between "$stop_at" "$back_at")
    statuses=$(awk '{ print $4 }' <<<"$lines" | sort | uniq -c | tr -s ' \n' ' ')
    echo "  statuses around the Postgres restart: $statuses" >&2
    grep -q ' 503 ' <<<" $(awk '{ print $4 }' <<<"$lines" | tr '\n' ' ') " ||
        fail "no 503 seen while Postgres was away ($statuses)"
    REQUIRE_RETRY=1 expect_failures_are_envelopes "$lines"
    echo "  2xx again $((back_at - up_at)) ms after Postgres was back" >&2
    ((back_at - up_at <= 2000)) || fail "2xx only $((back_at - up_at)) ms after Postgres was back"
}

# The request id of a 503 answered while Postgres was away is in the groups
# handler's log, with the internal reason.
a_503s_request_id_and_reason_are_in_the_handler_log() {
    local rid line
    rid=$(cat "$LOAD_DIR"/*.log | awk '$4 == 503 && $7 != "-" { print $7 }' | head -n 1)
    [[ -n $rid ]] || fail "no 503 with an X-Request-Id in the load"
    line=$(grep -F "\"requestId\":\"$rid\"" "$CABINET_STATE_DIR/logs/groups.log" | head -n 1)
    [[ -n $line ]] || fail "request id $rid not in logs/groups.log"
    jq -e '.level == "error" and (.detail | type == "string" and length > 0)' <<<"$line" >/dev/null ||
        fail "log line without level error and a reason: $line"
}

# Every POST acknowledged with 201 has its group row, and every group of the
# organization its group.create activity (one transaction each).
no_acknowledged_write_is_lost() {
    local ids acked found groups activities
    ids=$(cat "$LOAD_DIR"/*.log | awk '$4 == 201 { print $8 }' | xargs -r cat | jq -r '.group.id // .id')
    acked=$(grep -c . <<<"$ids" || true)
    ((acked > 0)) || fail "no POST was acknowledged"
    found=$(psql_q "SELECT count(*) FROM groups WHERE id = ANY ('{$(paste -sd, <<<"$ids")}'::uuid[])")
    expect_eq "$found" "$acked"
    groups=$(psql_q "SELECT count(*) FROM groups WHERE organization_id = '$ORG_ID'")
    activities=$(psql_q "SELECT count(*) FROM activities WHERE organization_id = '$ORG_ID' AND type = 'group.create'")
    expect_eq "$activities" "$groups"
}

# dev-down stops every supervisor and worker and removes the pid files and
# sockets.
stopping_the_stack_leaves_no_process_pid_file_or_socket() {
    local -a pids=()
    local name sup left
    for name in auth groups users organizations permissions account activities; do
        sup=$(<"$CABINET_STATE_DIR/run/$name.pid")
        pids+=("$sup")
        mapfile -t -O "${#pids[@]}" pids < <(handler_worker_pids "$name")
    done
    ((${#pids[@]} == 21)) || fail "expected 7 supervisors and 14 workers, found ${#pids[@]} processes"
    CABINET_STATE_DIR=$F_STATE "$E2E_REPO/scripts/dev-down" 2>/dev/null
    for sup in "${pids[@]}"; do
        [[ ! -e /proc/$sup ]] || [[ $(awk '{ print $3 }' "/proc/$sup/stat" 2>/dev/null) == Z ]] ||
            fail "pid $sup ($(tr '\0' ' ' <"/proc/$sup/cmdline")) outlived dev-down"
    done
    left=$(find "$CABINET_STATE_DIR/run" \( -name '*.pid' -o -type s \) -print)
    [[ -z $left ]] || fail "left after dev-down: $left"
}

start_fault_stack || {
    echo "0 passed, 1 failed"
    exit 1
}
TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
start_load
test_case killed_workers_are_replaced_and_only_requests_in_flight_fail
test_case postgres_restart_answers_503_with_retry_after_then_recovers_within_2s
stop_load
test_case a_503s_request_id_and_reason_are_in_the_handler_log
test_case no_acknowledged_write_is_lost
test_case stopping_the_stack_leaves_no_process_pid_file_or_socket
summary
