# shellcheck shell=bash
# A tiny framework for end-to-end tests through nginx with curl and jq.
# A suite (tests/e2e/NAME_test.sh) sources this file, defines one function per
# documented behaviour, runs each with `test_case`, and ends with `summary`:
#
#   source "$(dirname "$0")/lib.sh"
#   unknown_path_answers_404_envelope() {
#       req GET /no/such/path
#       expect_status 404
#       expect_envelope NOT_FOUND
#   }
#   test_case unknown_path_answers_404_envelope
#   summary
#
# Environment: BASE_URL (default http://127.0.0.1:${CABINET_PORT:-8080}),
# CABINET_DATABASE_URL (for psql_q), and whatever test.env of
# scripts/test-stack exports (ADMIN_EMAIL, ADMIN_PASSWORD, ORG_ID, ADMIN_ID).
# VERBOSE=1 also prints passing cases.
#
# Functions:
#   req METHOD PATH [BODY] [curl args…]
#                 sends the request; sets STATUS (e.g. 200; 000 if no answer),
#                 BODY (response body) and HEADERS (a file with the response
#                 headers). Sends `Authorization: Bearer $TOKEN` when TOKEN is
#                 set and `Content-Type: application/json` when BODY is given
#                 (add -H 'Content-Type: …' to override it). With
#                 E2E_RESPONSE_LOG set, also appends the exchange to that file
#                 (one JSON line) for the OpenAPI response check.
#   login EMAIL PASSWORD         prints a token (POST /v2/user/auth), or fails
#   header NAME                  prints the value of response header NAME
#   expect_status N
#   expect_json 'jq filter' 'expected'   compares `jq -c` output (strings raw)
#   expect_header NAME 'regex'           header present, value matches
#   expect_no_header NAME
#   expect_envelope CODE   the body is exactly an error envelope with CODE
#                          (plus "success":false under /v2/account), JSON
#                          content type, exactly one X-Request-Id, no SQL
#   psql_q "SQL"           prints the result (psql -At) from $CABINET_DATABASE_URL
#   handler_worker_pids NAME   the live worker pids of handler NAME
#   fail MESSAGE           fails the current case
#   test_case NAME [FUNCTION]   runs FUNCTION (default NAME) in a subshell
#                               with `set -euo pipefail`; counts pass/fail
#   summary                prints `N passed, N failed`; returns 1 if any failed

BASE_URL=${BASE_URL:-http://127.0.0.1:${CABINET_PORT:-8080}}
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cabinet-e2e.XXXXXX")
trap 'rm -rf "$E2E_TMP"' EXIT
E2E_PASSED=0
E2E_FAILED=0
TOKEN=${TOKEN:-}
STATUS=""
BODY=""
HEADERS=$E2E_TMP/headers
CURRENT_TEST=""
LAST_REQUEST=""

req() {
    local method=$1 path=$2 body=${3-}
    shift 2
    (($# > 0)) && shift
    local -a args=(-sS --max-time 35 -o "$E2E_TMP/body" -D "$HEADERS" -w '%{http_code}')
    if [[ $method == HEAD ]]; then args+=(--head); else args+=(-X "$method"); fi
    [[ -n $TOKEN ]] && args+=(-H "Authorization: Bearer $TOKEN")
    if [[ -n $body ]]; then
        printf '%s' "$body" >"$E2E_TMP/request"
        [[ "$*" == *Content-Type:* ]] || args+=(-H 'Content-Type: application/json')
        args+=(--data-binary "@$E2E_TMP/request")
    fi
    : >"$E2E_TMP/body"
    LAST_REQUEST="$method $path"
    STATUS=$(curl "${args[@]}" "$@" "$BASE_URL$path" 2>"$E2E_TMP/curl.err") || true
    [[ -n $STATUS ]] || STATUS=000
    BODY=$(cat "$E2E_TMP/body")
    if [[ -n ${E2E_RESPONSE_LOG:-} && $STATUS != 000 ]]; then log_response "$method" "$path" "${body:+$E2E_TMP/request}"; fi
    return 0
}

# Appends the exchange req just made to $E2E_RESPONSE_LOG as one JSON line;
# tests/openapi/validate-responses.js checks every line against the OpenAPI
# document (nginx/openapi.yaml) after the suites.
log_response() {
    jq -cn --arg suite "e2e/$(basename "$0" _test.sh)" --arg test "$CURRENT_TEST" --arg method "$1" --arg path "$2" \
        --rawfile request "${3:-/dev/null}" --argjson status "$STATUS" --rawfile headers "$HEADERS" \
        --rawfile body "$E2E_TMP/body" \
        '{$suite, $test, $method, $path, $request, $status, $headers, $body}' >>"$E2E_RESPONSE_LOG"
}

login() {
    local email=$1 password=$2
    TOKEN="" req POST /v2/user/auth "$(jq -cn --arg u "$email" --arg p "$password" '{username: $u, password: $p}')"
    [[ $STATUS == 200 ]] || fail "login $email: expected 200"
    jq -er .token <<<"$BODY" || fail "login $email: no token in the body"
}

header() {
    tr -d '\r' <"$HEADERS" | sed -n "s/^$1: *//Ip" | head -n 1
}

header_count() {
    tr -d '\r' <"$HEADERS" | grep -ci "^$1:" || true
}

# Exit status of a case that failed an assertion (already reported).
E2E_ASSERTION_FAILED=99

fail() {
    {
        echo "FAIL $CURRENT_TEST: $*"
        echo "  request: $LAST_REQUEST -> status ${STATUS:-none}"
        if [[ -s $E2E_TMP/curl.err ]]; then echo "  curl: $(cat "$E2E_TMP/curl.err")"; fi
        echo "  body: ${BODY:0:2000}"
    } >&2
    exit "$E2E_ASSERTION_FAILED"
}

expect_status() {
    [[ $STATUS == "$1" ]] || fail "expect_status $1"
}

expect_json() {
    local filter=$1 expected=$2 actual
    actual=$(jq -c "$filter" <<<"$BODY" 2>/dev/null) || fail "expect_json '$filter': the body is not JSON"
    # Strings compare without their quotes.
    if [[ $actual == \"*\" ]]; then actual=$(jq -r . <<<"$actual"); fi
    [[ $actual == "$expected" ]] || fail "expect_json '$filter' == '$expected', got '$actual'"
}

expect_header() {
    local name=$1 regex=$2 value
    (($(header_count "$name") > 0)) || fail "expect_header $name: absent"
    value=$(header "$name")
    [[ $value =~ $regex ]] || fail "expect_header $name =~ '$regex', got '$value'"
}

expect_no_header() {
    (($(header_count "$1") == 0)) || fail "expect_no_header $1: got '$(header "$1")'"
}

expect_envelope() {
    local code=$1 n
    expect_header Content-Type '^application/json'
    n=$(header_count X-Request-Id)
    ((n == 1)) || fail "expect_envelope $code: $n X-Request-Id headers, want 1"
    jq -e --arg code "$code" '
        type == "object"
        and (keys - ["error", "success"] | length == 0)
        and ((has("success") | not) or .success == false)
        and (.error | type == "object")
        and (.error | keys - ["code", "message", "details"] | length == 0)
        and .error.code == $code
        and (.error.message | type == "string" and length > 0)
        and ((.error | has("details") | not) or (.error.details | type == "object"))
    ' <<<"$BODY" >/dev/null 2>&1 || fail "expect_envelope $code"
    if grep -qE 'SELECT|INSERT INTO|syntax error|ERROR:  ' <<<"$BODY"; then
        fail "expect_envelope $code: internals in the body"
    fi
}

psql_q() {
    [[ -n ${CABINET_DATABASE_URL:-} ]] || fail "psql_q: CABINET_DATABASE_URL is not set"
    psql -X -q -At -v ON_ERROR_STOP=1 "$CABINET_DATABASE_URL" -c "$1"
}

test_case() {
    local name=$1 fn=${2:-$1} rc errexit=0
    CURRENT_TEST=$name
    [[ $- == *e* ]] && errexit=1
    # Not in an if/|| context: set -e must stay in force inside the subshell.
    set +e
    (
        set -euo pipefail
        "$fn"
    )
    rc=$?
    ((errexit)) && set -e
    if ((rc == 0)); then
        E2E_PASSED=$((E2E_PASSED + 1))
        if [[ ${VERBOSE:-0} == 1 ]]; then echo "ok   $name"; fi
    else
        E2E_FAILED=$((E2E_FAILED + 1))
        if ((rc != E2E_ASSERTION_FAILED)); then
            echo "FAIL $name: a command failed (exit $rc)" >&2
        fi
    fi
    return 0
}

summary() {
    echo "$E2E_PASSED passed, $E2E_FAILED failed"
    ((E2E_FAILED == 0))
}

# expect_eq ACTUAL EXPECTED    plain string equality (database state, counts)
expect_eq() {
    [[ $1 == "$2" ]] || fail "expected '$2', got '$1'"
}

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# create_org NAME EMAIL PASSWORD   prints {"organizationId","userId"} (scripts/cabinet-admin)
create_org() {
    "$E2E_REPO/scripts/cabinet-admin" create-org --name "$1" --admin-email "$2" --admin-password "$3"
}

# handler_worker_pids NAME   the live worker pids of handler NAME of
#                            $CABINET_STATE_DIR (scripts/lib/handlers.sh)
handler_worker_pids() {
    (
        source "$E2E_REPO/scripts/common.sh"
        source "$E2E_REPO/scripts/lib/handlers.sh"
        handler_pids "$1"
    )
}
