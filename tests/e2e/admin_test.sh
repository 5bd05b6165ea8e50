#!/usr/bin/env bash
# The admin listener (DESIGN.md section 7) of the test stack, on ADMIN_URL
# (scripts/test-stack): GET /live from nginx alone, /ready with every check,
# /metrics in the Prometheus text format (checked by promtool, Prometheus's
# own parser and linter) rising with traffic; other methods 405 with Allow;
# the API port answers the JSON 404 for these paths.
#
# One case stops (SIGSTOP) the processes of one handler for a moment and
# resumes them before it ends: /ready must say "down" for it within 2 s.
# That Postgres going away turns /ready to 503 is checked by the fault test
# (it stops the stack's Postgres; this suite shares the stack with the others).
source "$(dirname "$0")/lib.sh"
source "$E2E_REPO/scripts/common.sh"
source "$E2E_REPO/scripts/lib/handlers.sh"

ADMIN_URL=${ADMIN_URL:-http://127.0.0.1:${CABINET_ADMIN_PORT:-$((${CABINET_PORT:-8080} + 1))}}

# The /ready body when every check passes, handlers in CABINET_HANDLERS order.
all_ok_body() {
    jq -cn --args '{status: "ok", checks: {postgres: "ok", handlers: ($ARGS.positional | map({(.): "ok"}) | add)}}' \
        "${API_HANDLERS[@]}"
}

# admin_req METHOD PATH [curl args…]: req on the admin listener. Its answers
# are not API responses: they stay out of $E2E_RESPONSE_LOG (OpenAPI check).
admin_req() {
    local method=$1 path=$2
    shift 2
    E2E_RESPONSE_LOG="" BASE_URL=$ADMIN_URL req "$method" "$path" "" "$@"
}

# Prints the value of the sample SERIES (name{labels}, exactly as rendered)
# in the last /metrics body, 0 when absent.
sample() {
    awk -v s="$1 " 'index($0, s) == 1 { v = substr($0, length(s) + 1) } END { print v == "" ? 0 : v }' <<<"$BODY"
}

# Scrapes /metrics until SERIES is at least MIN (up to 3 s); fails otherwise.
expect_sample_at_least() {
    local series=$1 min=$2 deadline=$((SECONDS + 3))
    while :; do
        admin_req GET /metrics
        expect_status 200
        (($(sample "$series") >= min)) && return 0
        ((SECONDS < deadline)) || fail "$series is $(sample "$series"), want at least $min"
        sleep 0.1
    done
}

# ---------------------------------------------------------------- /live

live_answers_200_status_ok() {
    admin_req GET /live
    expect_status 200
    expect_header Content-Type '^application/json$'
    expect_header X-Request-Id '^[0-9a-f]{32}$'
    expect_eq "$BODY" '{"status":"ok"}'
}

admin_paths_answer_405_with_allow_get_for_other_methods() {
    local method path
    for path in /live /ready /metrics; do
        for method in POST PUT DELETE; do
            admin_req "$method" "$path"
            expect_status 405
            expect_envelope METHOD_NOT_ALLOWED
            expect_header Allow '^GET$'
        done
    done
}

unknown_admin_path_answers_404_envelope() {
    admin_req GET /health
    expect_status 404
    expect_envelope NOT_FOUND
    # The handlers' internal probe is not reachable from outside either.
    admin_req GET /_cabinet/ping
    expect_status 404
    expect_envelope NOT_FOUND
}

# ---------------------------------------------------------------- /ready

ready_answers_200_with_every_check_ok() {
    admin_req GET /ready --max-time 2
    expect_status 200
    expect_header Content-Type '^application/json$'
    expect_header X-Request-Id '^[0-9a-f]{32}$'
    expect_eq "$BODY" "$(all_ok_body)"
}

# Resumes whatever ready_reports_a_handler_that_does_not_answer_as_down stopped.
resume() { local pid; for pid in "$@"; do kill -CONT "$pid" 2>/dev/null || true; done; }

ready_reports_a_handler_that_does_not_answer_as_down_within_2_s() {
    local -a pids
    mapfile -t pids < <(handler_pids activities)
    ((${#pids[@]} > 0)) || fail "no activities processes found"
    trap 'resume "${pids[@]}"' EXIT
    kill -STOP "${pids[@]}"
    admin_req GET /ready --max-time 2
    resume "${pids[@]}"
    expect_status 503
    expect_header Content-Type '^application/json$'
    expect_eq "$(jq -c . <<<"$BODY")" "$(all_ok_body | jq -c '.status = "down" | .checks.handlers.activities = "down"')"
    # Resumed, it answers again.
    local deadline=$((SECONDS + 5))
    until admin_req GET /ready --max-time 2 && [[ $STATUS == 200 ]]; do
        ((SECONDS < deadline)) || fail "/ready did not return to 200 within 5 s of resuming"
        sleep 0.1
    done
    expect_eq "$BODY" "$(all_ok_body)"
}

# ---------------------------------------------------------------- /metrics

metrics_answer_prometheus_text_that_promtool_accepts() {
    local out
    admin_req GET /metrics
    expect_status 200
    expect_header Content-Type '^text/plain; version=0\.0\.4$'
    out=$(promtool check metrics <<<"$BODY" 2>&1) || fail "promtool check metrics: $out"
    for family in cabinet_http_requests_total:counter cabinet_http_request_duration_seconds:histogram \
        cabinet_db_connections:gauge cabinet_authz_retries_total:counter \
        cabinet_quota_rejections_total:counter cabinet_handler_starts_total:counter; do
        grep -qxF "# TYPE ${family%:*} ${family#*:}" <<<"$BODY" || fail "no TYPE line for ${family%:*}"
        grep -q "^# HELP ${family%:*} ." <<<"$BODY" || fail "no HELP line for ${family%:*}"
    done
}

requests_counter_and_histogram_rise_by_the_requests_made() {
    local series_ok='cabinet_http_requests_total{handler="groups",method="GET",route="/api/v1/groups",status="200"}'
    local series_404='cabinet_http_requests_total{handler="groups",method="GET",route="/api/v1/groups/{id}",status="404"}'
    local count='cabinet_http_request_duration_seconds_count{handler="groups",route="/api/v1/groups"}'
    local inf='cabinet_http_request_duration_seconds_bucket{handler="groups",route="/api/v1/groups",le="+Inf"}'
    local ok0 nf0 count0 inf0 i
    TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    admin_req GET /metrics
    ok0=$(sample "$series_ok") nf0=$(sample "$series_404") count0=$(sample "$count") inf0=$(sample "$inf")
    for ((i = 0; i < 5; i++)); do
        req GET /api/v1/groups
        expect_status 200
    done
    req GET /api/v1/groups/00000000-0000-4000-8000-00000000abcd
    expect_status 404
    expect_sample_at_least "$series_ok" $((ok0 + 5))
    expect_sample_at_least "$series_404" $((nf0 + 1))
    expect_sample_at_least "$count" $((count0 + 5))
    expect_sample_at_least "$inf" $((inf0 + 5))
}

every_api_handler_has_starts_and_connection_gauges() {
    local name
    admin_req GET /metrics
    expect_status 200
    for name in "${API_HANDLERS[@]}"; do
        (($(sample "cabinet_handler_starts_total{handler=\"$name\"}") >= 1)) || fail "no start of $name counted"
        grep -q "^cabinet_db_connections{handler=\"$name\",state=\"idle\"} [0-9]" <<<"$BODY" ||
            fail "no idle connections gauge of $name"
        grep -q "^cabinet_db_connections{handler=\"$name\",state=\"busy\"} [0-9]" <<<"$BODY" ||
            fail "no busy connections gauge of $name"
    done
    grep -qxF 'cabinet_quota_rejections_total{window="minute"} 0' <<<"$BODY" || fail "no minute quota series"
    grep -qxF 'cabinet_quota_rejections_total{window="hour"} 0' <<<"$BODY" || fail "no hour quota series"
}

# ---------------------------------------------------------------- the API port

api_port_answers_404_envelope_for_the_admin_paths() {
    local path
    for path in /live /ready /metrics /_cabinet/ping; do
        req GET "$path"
        expect_status 404
        expect_envelope NOT_FOUND
    done
}

test_case live_answers_200_status_ok
test_case admin_paths_answer_405_with_allow_get_for_other_methods
test_case unknown_admin_path_answers_404_envelope
test_case ready_answers_200_with_every_check_ok
test_case ready_reports_a_handler_that_does_not_answer_as_down_within_2_s
test_case metrics_answer_prometheus_text_that_promtool_accepts
test_case requests_counter_and_histogram_rise_by_the_requests_made
test_case every_api_handler_has_starts_and_connection_gauges
test_case api_port_answers_404_envelope_for_the_admin_paths
summary
