#!/usr/bin/env bash
# nginx's part of the contract (DESIGN.md section 4): its own errors are the
# JSON envelope with X-Request-Id, bodies over 65536 bytes are 413 chunked or
# not, /v2/account errors carry "success":false, and the path families reach
# their handlers.
source "$(dirname "$0")/lib.sh"

# A JSON-ish body of N bytes.
body_of() { printf '{"name":"%s"}' "$(head -c "$(($1 - 11))" /dev/zero | tr '\0' a)"; }

unknown_path_answers_404_envelope_with_request_id() {
    req GET /no/such/path
    expect_status 404
    expect_envelope NOT_FOUND
    expect_header X-Request-Id '^[0-9a-f]{32}$'
}

unknown_path_with_an_html_extension_is_still_json() {
    req GET /index.html
    expect_status 404
    expect_envelope NOT_FOUND
}

body_over_65536_bytes_answers_413_envelope() {
    req POST /api/v1/groups "$(body_of 70000)"
    expect_status 413
    expect_envelope PAYLOAD_TOO_LARGE
}

chunked_body_over_65536_bytes_answers_413_envelope() {
    req POST /api/v1/groups "$(body_of 70000)" -H 'Transfer-Encoding: chunked'
    expect_status 413
    expect_envelope PAYLOAD_TOO_LARGE
}

body_of_exactly_65536_bytes_reaches_the_handler() {
    req POST /api/v1/groups "$(body_of 65536)" -H 'Transfer-Encoding: chunked'
    [[ $STATUS != 413 && $STATUS != 503 && $STATUS != 000 ]] || fail "expected the handler's answer"
    expect_header X-Request-Id '^[0-9a-f]{32}$'
}

account_413_carries_success_false() {
    req POST /v2/account/data "$(body_of 70000)"
    expect_status 413
    expect_envelope PAYLOAD_TOO_LARGE
    expect_json .success false
}

unparsable_uri_answers_400_envelope_not_html() {
    req GET /api/v1/groups/%00
    expect_status 400
    expect_envelope VALIDATION_ERROR
}

unparsable_account_uri_answers_400_with_success_false() {
    req GET /v2/account/%00
    expect_status 400
    expect_envelope VALIDATION_ERROR
    expect_json .success false
}

trace_answers_405_envelope() {
    req TRACE /api/v1/groups
    expect_status 405
    expect_envelope METHOD_NOT_ALLOWED
}

v1_user_paths_answer_410_gone() {
    req GET /v1/user/anything
    expect_status 410
    expect_envelope GONE
    req DELETE /v1/user
    expect_status 410
    expect_envelope GONE
}

every_documented_path_family_reaches_its_handler() {
    local id=00000000-0000-4000-8000-000000000000 path
    for path in /api/v1/groups /api/v1/groups/$id/users /api/groups /api/v1/permissions \
        /api/users /api/users/$id /api/organizations/$id /v1/organizations \
        /v1/organizations/$id /v1/organizations/$id/activities /v2/account; do
        req GET "$path"
        [[ $STATUS == 401 ]] || fail "GET $path without credentials: expected the handler's 401"
        expect_header WWW-Authenticate '^(Bearer|Basic)'
    done
}

handler_responses_carry_one_request_id() {
    req GET /v2/user/auth
    [[ $STATUS != 503 && $STATUS != 000 ]] || fail "expected the auth handler's answer"
    expect_header X-Request-Id '^[0-9a-f]{32}$'
    (($(header_count X-Request-Id) == 1)) || fail "X-Request-Id twice"
}

test_case unknown_path_answers_404_envelope_with_request_id
test_case unknown_path_with_an_html_extension_is_still_json
test_case body_over_65536_bytes_answers_413_envelope
test_case chunked_body_over_65536_bytes_answers_413_envelope
test_case body_of_exactly_65536_bytes_reaches_the_handler
test_case account_413_carries_success_false
test_case unparsable_uri_answers_400_envelope_not_html
test_case unparsable_account_uri_answers_400_with_success_false
test_case trace_answers_405_envelope
test_case v1_user_paths_answer_410_gone
test_case every_documented_path_family_reaches_its_handler
test_case handler_responses_carry_one_request_id
summary
