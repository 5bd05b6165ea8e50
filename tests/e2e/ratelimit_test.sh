#!/usr/bin/env bash
# Rate limits and quotas (DESIGN.md section 4), through nginx with limits ON.
#
# The standard test stack runs with CABINET_RATE_LIMITS=off, so this suite
# starts its own stack (scripts/test-stack with CABINET_TEST_RATE_LIMITS=on)
# with the seeds' per-second limits and small quotas in short windows: 30
# requests per 6-second "minute" and 61 per hour, so a window can be seen to
# end without waiting for a real one. It stops that stack on exit. The stack
# of the environment (BASE_URL etc. from scripts/run-tests, limits off) is
# where "limits off answers no 429" is checked.
#
# Bursts are sent by one curl with every transfer in parallel (-Z), so they
# arrive well within a second whatever the machine.
source "$(dirname "$0")/lib.sh"

RL_MINUTE=6     # CABINET_RATE_MINUTE_SECONDS of the suite's stack
RL_PER_MINUTE=30
RL_PER_HOUR=61  # > 2 * 30: the hour shows in the headers only if 429s counted

# The limits-off stack of the environment (scripts/run-tests).
OFF_BASE_URL=${BASE_URL:-}
OFF_CONFIG=${CABINET_CONFIG:-}
OFF_ADMIN_EMAIL=${ADMIN_EMAIL:-}
OFF_ADMIN_PASSWORD=${ADMIN_PASSWORD:-}

RL_STATE=""
stop_rl_stack() {
    [[ -n $RL_STATE ]] && "$E2E_REPO/scripts/test-stack" stop "$RL_STATE" >/dev/null 2>&1
    rm -rf "$E2E_TMP"
}
trap stop_rl_stack EXIT

start_rl_stack() {
    RL_STATE=$(CABINET_TEST_RATE_LIMITS=on \
        CABINET_RATE_PER_MINUTE=$RL_PER_MINUTE CABINET_RATE_PER_HOUR=$RL_PER_HOUR \
        CABINET_RATE_MINUTE_SECONDS=$RL_MINUTE CABINET_RATE_HOUR_SECONDS=3600 \
        CABINET_RATE_API_RPS=10 CABINET_RATE_API_BURST=20 CABINET_RATE_V2_RPS=20 CABINET_RATE_V2_BURST=40 \
        CABINET_RATE_LOGIN_RPS=5 CABINET_RATE_LOGIN_BURST=10 CABINET_RATE_ANON_RPS=20 CABINET_RATE_ANON_BURST=40 \
        "$E2E_REPO/scripts/test-stack" start 2>"$E2E_TMP/rl-stack.log") || {
        cat "$E2E_TMP/rl-stack.log" >&2
        return 1
    }
    # shellcheck disable=SC1091
    source "$RL_STATE/test.env"
}

# ---------------------------------------------------------------- helpers

now_ms() { date +%s%3N; }

# Sleeps MS milliseconds.
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# Sleeps until a quota window has just begun (at most RL_MINUTE seconds):
# windows are aligned to multiples of their length since the epoch.
wait_window_start() {
    local m=$((RL_MINUTE * 1000)) now
    now=$(now_ms)
    sleep_ms $((m - now % m + 50))
}

# Sleeps until a window begins unless at least MS milliseconds are left in this one.
ensure_window_left() {
    local m=$((RL_MINUTE * 1000)) now
    now=$(now_ms)
    ((m - now % m >= $1)) || wait_window_start
}

# login_as EMAIL PASSWORD: prints a token; retries a 429 (a bounded number
# of times), since the address may have just spent its login budget.
login_as() {
    local i
    for ((i = 0; i < 20; i++)); do
        TOKEN="" req POST /v2/user/auth "$(jq -cn --arg u "$1" --arg p "$2" '{username: $u, password: $p}')"
        [[ $STATUS == 429 ]] || break
        sleep 0.5
    done
    [[ $STATUS == 200 ]] || fail "login $1: expected 200"
    jq -er .token <<<"$BODY"
}

# new_user NAME: creates a user (role user) with the admin token; prints its email.
PW='Rate-limit-pw-1'
new_user() {
    local email="rl-$1-$RANDOM$RANDOM@example.com"
    TOKEN=$ADMIN_TOKEN req POST /api/users \
        "{\"email\":\"$email\",\"name\":\"Rate $1\",\"role\":\"user\",\"password\":\"$PW\"}"
    [[ $STATUS == 201 ]] || fail "creating user $1: expected 201"
    echo "$email"
}

# A burst: requests queued with burst_add, then sent by burst_send all at
# once (one curl, every transfer in parallel). Each answer is a line
# "status retry-after x-ratelimit-remaining method" in $E2E_TMP/burst; the
# headers and body of each are kept for use_429.
BURST_ARGS=()
BURST_N=0
# burst_add METHOD PATH [curl args…]
burst_add() {
    local method=$1 path=$2
    shift 2
    BURST_N=$((BURST_N + 1))
    ((BURST_N > 1)) && BURST_ARGS+=(--next)
    BURST_ARGS+=(-s -X "$method" --max-time 30 -o "$E2E_TMP/burst.d/$BURST_N.body" -D "$E2E_TMP/burst.d/$BURST_N.headers"
        -w '%{http_code} %header{retry-after} %header{x-ratelimit-remaining} %{method}\n' "$@" "$BASE_URL$path")
}
burst_send() {
    rm -rf "$E2E_TMP/burst.d"
    mkdir -p "$E2E_TMP/burst.d"
    curl -Z --parallel-immediate --parallel-max "$BURST_N" "${BURST_ARGS[@]}" >"$E2E_TMP/burst" 2>/dev/null || true
    BURST_ARGS=()
    BURST_N=0
}
# burst N METHOD PATH [curl args…]: N times the same request; a %n in PATH
# becomes the request's number.
burst() {
    local n=$1 method=$2 path=$3 i
    shift 3
    mkdir -p "$E2E_TMP/burst.d"
    for ((i = 1; i <= n; i++)); do burst_add "$method" "${path//%n/$i}" "$@"; done
    burst_send
}

# burst_count STATUS [METHOD]: how many answers of the last burst had STATUS.
burst_count() { grep -c "^$1 .* ${2:-[A-Z]*}\$" "$E2E_TMP/burst" || true; }
burst_summary() { sort "$E2E_TMP/burst" | uniq -c | tr '\n' ';'; }

# The last burst got at least one 429, each with Retry-After, and no 5xx.
expect_some_429() {
    (($(burst_count 429 "${1:-}") > 0)) || fail "burst: no 429 among $(burst_summary)"
    ! grep -qE '^(5..|000) ' "$E2E_TMP/burst" || fail "burst: errors: $(burst_summary)"
    ! grep -qE '^429  ' "$E2E_TMP/burst" || fail "burst: a 429 without Retry-After"
}

expect_no_429() {
    (($(burst_count 429) == 0)) || fail "burst: got 429: $(burst_summary)"
    ! grep -qE '^(5..|000) ' "$E2E_TMP/burst" || fail "burst: errors: $(burst_summary)"
}

# Makes one 429 answer of the last burst the current response (STATUS, BODY,
# HEADERS) for the expect_* functions.
use_429() {
    local f
    f=$(grep -l -m 1 '^HTTP/[0-9.]* 429' "$E2E_TMP"/burst.d/*.headers | head -n 1)
    [[ -n $f ]] || fail "use_429: no 429 in the last burst"
    STATUS=429
    cp "$f" "$HEADERS"
    BODY=$(cat "${f%.headers}.body")
    LAST_REQUEST="(a 429 of the last burst)"
}

# The 429 envelope with Retry-After of 1..MAX seconds.
expect_rate_limited() {
    expect_status 429
    expect_envelope RATE_LIMITED
    expect_header Retry-After '^[0-9]+$'
    local after
    after=$(header Retry-After)
    ((after >= 1 && after <= $1)) || fail "Retry-After $after not in 1..$1"
}

expect_quota_headers() {
    expect_header X-RateLimit-Limit '^[0-9]+$'
    expect_header X-RateLimit-Remaining '^[0-9]+$'
    expect_header X-RateLimit-Reset '^[0-9]+$'
}

# ---------------------------------------------------------------- cases

every_api_response_carries_the_quota_headers_and_remaining_drops_by_one_across_handlers() {
    local email t reset now
    email=$(new_user headers)
    t=$(login_as "$email" "$PW")
    ensure_window_left 3000
    TOKEN=$t req GET /api/v1/groups
    expect_status 200
    expect_quota_headers
    expect_header X-RateLimit-Limit "^$RL_PER_MINUTE\$"
    expect_header X-RateLimit-Remaining "^$((RL_PER_MINUTE - 1))\$"
    reset=$(header X-RateLimit-Reset)
    now=$(date +%s)
    ((reset > now && reset <= now + RL_MINUTE)) || fail "X-RateLimit-Reset $reset is not the end of this window (now $now)"
    TOKEN=$t req GET /api/users
    expect_status 200
    expect_header X-RateLimit-Remaining "^$((RL_PER_MINUTE - 2))\$"
    expect_header X-RateLimit-Reset "^$reset\$"
    TOKEN=$t req GET "/api/organizations/$ORG_ID"
    expect_status 200
    expect_header X-RateLimit-Remaining "^$((RL_PER_MINUTE - 3))\$"
    # Errors too: a 404 of the same credential, and a 401 (charged to the address).
    TOKEN=$t req GET /api/v1/groups/00000000-0000-4000-8000-000000000000
    expect_status 404
    expect_header X-RateLimit-Remaining "^$((RL_PER_MINUTE - 4))\$"
    TOKEN="" req GET /api/v1/groups
    expect_status 401
    expect_quota_headers
}

a_burst_over_10_per_second_on_api_gets_429_envelope_with_retry_after() {
    local email t
    email=$(new_user burst)
    t=$(login_as "$email" "$PW")
    ensure_window_left 2000
    burst 40 GET /api/v1/groups -H "Authorization: Bearer $t"
    expect_some_429
    # Burst 20 + 1 at 10 r/s: about 21 pass within the burst's fraction of a second.
    (($(burst_count 200) >= 20)) || fail "burst: fewer than 20 passed: $(burst_summary)"
    use_429
    expect_rate_limited 1
    # nginx's own 429 on /api/* carries the caller's quota headers too, counting nothing.
    ! grep -qE '^429 [0-9]+  ' "$E2E_TMP/burst" || fail "burst: a 429 without X-RateLimit-Remaining: $(burst_summary)"
    expect_header X-RateLimit-Limit '^[0-9]+$'
    expect_header X-RateLimit-Reset '^[0-9]+$'
}

varying_the_scheme_case_of_the_credential_does_not_dodge_the_limit() {
    local email t i variants=(Bearer bearer BEARER bEARER BeArEr bEaReR beaRER BEArer)
    email=$(new_user scheme)
    t=$(login_as "$email" "$PW")
    ensure_window_left 2000
    # 8 spellings x 5: each spelling alone would stay within the burst.
    for ((i = 0; i < 40; i++)); do
        burst_add GET /api/users -H "Authorization: ${variants[i % 8]} $t"
    done
    burst_send
    expect_some_429
}

the_minute_quota_answers_429_until_reset_then_recovers_and_429s_do_not_count() {
    local email i reset now before after
    local -a tokens=()
    email=$(new_user quota)
    # Three tokens of one user: nginx counts each apart (10 r/s, burst 20),
    # the quota counts the user, so 30 at once reach the quota and no nginx limit.
    for i in 0 1 2; do tokens+=("$(login_as "$email" "$PW")"); done
    wait_window_start
    for ((i = 0; i < RL_PER_MINUTE; i++)); do
        burst_add GET /api/v1/groups -H "Authorization: Bearer ${tokens[i % 3]}"
    done
    burst_send
    (($(burst_count 200) == RL_PER_MINUTE)) || fail "expected $RL_PER_MINUTE x 200: $(burst_summary)"
    # Counted exactly across the handler processes: each Remaining once.
    [[ $(cut -d' ' -f3 "$E2E_TMP/burst" | sort -n | tr '\n' ' ') == "$(seq -s ' ' 0 $((RL_PER_MINUTE - 1))) " ]] ||
        fail "Remaining values are not 0..$((RL_PER_MINUTE - 1)) once each: $(burst_summary)"
    reset=$(tr -d '\r' <"$E2E_TMP/burst.d/1.headers" | sed -n 's/^X-RateLimit-Reset: //Ip')
    (($(cat "$E2E_TMP"/burst.d/*.headers | tr -d '\r' | grep -i '^X-RateLimit-Reset:' | sort -u | wc -l) == 1)) ||
        fail "the burst straddled two windows (machine too slow?)"
    # Over the quota: 429 with the headers of the exhausted window, and
    # Retry-After the seconds left until its Reset.
    before=$(date +%s)
    TOKEN=${tokens[0]} req GET /api/users
    now=$(date +%s)
    expect_rate_limited "$RL_MINUTE"
    expect_header X-RateLimit-Limit "^$RL_PER_MINUTE\$"
    expect_header X-RateLimit-Remaining '^0$'
    expect_header X-RateLimit-Reset "^$reset\$"
    after=$(header Retry-After)
    ((after >= reset - now && after <= reset - before + 1)) ||
        fail "Retry-After $after does not point at the reset $reset (sent at $before, answered by $now)"
    # Until Reset every request is refused, by any handler; these 9 refusals
    # must not be counted (checked after the reset).
    for ((i = 0; i < 9; i++)); do
        burst_add GET "/api/organizations/$ORG_ID" -H "Authorization: Bearer ${tokens[i % 3]}"
    done
    burst_send
    (($(grep -c '^429 [0-9]* 0 GET$' "$E2E_TMP/burst") == 9)) || fail "expected 9 refusals with Remaining 0: $(burst_summary)"
    now=$(now_ms)
    ((reset * 1000 - now <= RL_MINUTE * 1000)) || fail "reset $reset is more than a window away"
    ((reset * 1000 > now)) || fail "the window ended before the refusals were made (machine too slow?)"
    sleep_ms $((reset * 1000 - now + 100))
    # Recovered. The hour has 61 - 30 = 31 left if the 10 refusals were not
    # counted (the minute's 30 is tighter: Limit 30, Remaining 29), but
    # 61 - 40 = 21 if they were (the hour would name the headers: Limit 61).
    TOKEN=${tokens[1]} req GET /api/v1/groups
    expect_status 200
    expect_header X-RateLimit-Limit "^$RL_PER_MINUTE\$"
    expect_header X-RateLimit-Remaining "^$((RL_PER_MINUTE - 1))\$"
    expect_header X-RateLimit-Reset "^$((reset + RL_MINUTE))\$"
}

# Prints cabinet_quota_rejections_total{window="WINDOW"} of the suite's
# stack, from its admin port (ADMIN_URL of its test.env).
quota_rejections() {
    curl -sS --max-time 5 "$ADMIN_URL/metrics" |
        awk -v s="cabinet_quota_rejections_total{window=\"$1\"} " 'index($0, s) == 1 { print substr($0, length(s) + 1) }'
}

quota_refusals_are_counted_by_window_in_the_metrics() {
    local email i minute0 hour0
    local -a tokens=()
    email=$(new_user quotametrics)
    for i in 0 1 2; do tokens+=("$(login_as "$email" "$PW")"); done
    minute0=$(quota_rejections minute) hour0=$(quota_rejections hour)
    [[ -n $minute0 && -n $hour0 ]] || fail "no cabinet_quota_rejections_total series on $ADMIN_URL/metrics"
    wait_window_start
    for ((i = 0; i < RL_PER_MINUTE + 5; i++)); do
        burst_add GET /api/v1/groups -H "Authorization: Bearer ${tokens[i % 3]}"
    done
    burst_send
    (($(burst_count 429) == 5)) || fail "expected 5 refusals: $(burst_summary)"
    expect_eq "$(quota_rejections minute)" $((minute0 + 5))
    expect_eq "$(quota_rejections hour)" "$hour0"
}

v2_limits_count_each_endpoint_separately() {
    local i
    # At once: 60 x GET /v2/account (20 r/s, burst 40: some 429) and 40 x
    # DELETE /v2/account/{id}/sshkey (within its own burst: none) of one credential.
    for ((i = 1; i <= 60; i++)); do burst_add GET /v2/account -H "Authorization: Bearer $ADMIN_TOKEN"; done
    for ((i = 1; i <= 40; i++)); do burst_add DELETE "/v2/account/9$i/sshkey" -H "Authorization: Bearer $ADMIN_TOKEN"; done
    burst_send
    expect_some_429 GET
    (($(burst_count 404 DELETE) == 40)) || fail "DELETE counted with GET: $(burst_summary)"
    use_429
    expect_rate_limited 1
    expect_json .success false
}

one_route_template_is_one_v2_endpoint_whatever_the_id() {
    sleep 2 # the case above filled the GET bucket, not this one; let both drain anyway
    # DELETE /v2/account/{id}/sshkey with 60 different ids: one bucket.
    burst 60 DELETE /v2/account/9%n/sshkey -H "Authorization: Bearer $ADMIN_TOKEN"
    expect_some_429
    (($(burst_count 404) >= 40)) || fail "expected the handler's 404 for about 41: $(burst_summary)"
}

requests_without_a_credential_have_a_per_address_ceiling() {
    local i
    # ClickHouse paths have no per-credential limit; without a credential,
    # 20 r/s burst 40 per address. A malformed "credential" is none: 30
    # without a header and 30 with an invented token share the address bucket.
    for ((i = 1; i <= 30; i++)); do
        burst_add GET /v1/organizations
        burst_add GET /v1/organizations -H "Authorization: Bearer not-a-jwt-$i"
    done
    burst_send
    expect_some_429
    (($(burst_count 401) >= 40)) || fail "expected 401s from the handler: $(burst_summary)"
    use_429
    expect_rate_limited 1
}

login_is_limited_per_address() {
    sleep 2 # the ceiling case above spent this address's budget (refills at 20 r/s)
    # Wrong logins of an unknown user (a known one would get locked).
    burst 30 POST /v2/user/auth -H 'Content-Type: application/json' \
        -d '{"username":"nobody-rl@example.com","password":"Wrong-password-1"}'
    expect_some_429
    (($(burst_count 401) >= 10 && $(burst_count 401) <= 20)) ||
        fail "expected about 11 to reach the handler: $(burst_summary)"
    use_429
    expect_rate_limited 1
}

limits_off_answers_no_429_under_the_same_bursts() {
    [[ -n $OFF_BASE_URL && -n $OFF_CONFIG ]] || fail "no limits-off stack in the environment (run through scripts/run-tests)"
    grep -qx 'CABINET_RATE_LIMITS=off' "$OFF_CONFIG" || fail "the environment's stack does not run with CABINET_RATE_LIMITS=off"
    local t
    t=$(BASE_URL=$OFF_BASE_URL login_as "$OFF_ADMIN_EMAIL" "$OFF_ADMIN_PASSWORD")
    BASE_URL=$OFF_BASE_URL
    burst 40 GET /api/v1/groups -H "Authorization: Bearer $t"
    expect_no_429
    (($(burst_count 200) == 40)) || fail "expected 40 x 200: $(burst_summary)"
    ! grep -qE '^200 [^ ]* [0-9]' "$E2E_TMP/burst" || fail "X-RateLimit-Remaining with limits off"
    burst 60 GET /v2/account -H "Authorization: Bearer $t"
    expect_no_429
    burst 60 GET /v1/organizations
    expect_no_429
    burst 30 POST /v2/user/auth -H 'Content-Type: application/json' \
        -d '{"username":"nobody-rl@example.com","password":"Wrong-password-1"}'
    expect_no_429
    (($(burst_count 401) == 30)) || fail "expected 30 x 401: $(burst_summary)"
}

# ---------------------------------------------------------------- run

# Not a case: starts the suite's stack and logs its admin in (variables stay set).
setup() {
    start_rl_stack || {
        echo "FAIL setup: scripts/test-stack start (rate limits on) failed" >&2
        return 1
    }
    BASE_URL=http://127.0.0.1:$CABINET_PORT
    grep -qx 'CABINET_RATE_LIMITS=on' "$CABINET_CONFIG" || {
        echo "FAIL setup: the suite's stack runs without rate limits" >&2
        return 1
    }
    ADMIN_TOKEN=$(login_as "$ADMIN_EMAIL" "$ADMIN_PASSWORD") || return 1
}

CURRENT_TEST=setup
setup_ok=0
if setup; then setup_ok=1; fi
if ((setup_ok)); then
    test_case every_api_response_carries_the_quota_headers_and_remaining_drops_by_one_across_handlers
    test_case a_burst_over_10_per_second_on_api_gets_429_envelope_with_retry_after
    test_case varying_the_scheme_case_of_the_credential_does_not_dodge_the_limit
    test_case the_minute_quota_answers_429_until_reset_then_recovers_and_429s_do_not_count
    test_case quota_refusals_are_counted_by_window_in_the_metrics
    test_case v2_limits_count_each_endpoint_separately
    test_case one_route_template_is_one_v2_endpoint_whatever_the_id
    test_case requests_without_a_credential_have_a_per_address_ceiling
    test_case login_is_limited_per_address
else
    E2E_FAILED=$((E2E_FAILED + 1))
fi
test_case limits_off_answers_no_429_under_the_same_bursts
summary
