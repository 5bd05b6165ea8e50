#!/usr/bin/env bash
# build/handlers/groups run as plain CGI from a shell, against the test database.
source "$(dirname "$0")/lib.sh"

SFX=$(($(date +%s%N) % 900000 + 100000))
TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")

a_cgi_post_creates_a_group_and_answers_201() {
    cgi groups POST /api/v1/groups "{\"name\":\"cgi $SFX\"}"
    expect_status 201
    expect_header Content-Type '^application/json$'
    expect_header X-Request-Id '^cgi-test$'
    expect_json '.group.name' "cgi $SFX"
    expect_eq "$(psql_q "SELECT count(*) FROM groups WHERE name = 'cgi $SFX'")" "1"
}

a_cgi_get_reads_the_group_list_with_query_parameters() {
    cgi groups GET /api/v1/groups "" "limit=2"
    expect_status 200
    expect_json '.limit' '2'
    expect_json '.groups | length <= 2' 'true'
}

a_cgi_request_without_token_answers_the_401_envelope() {
    TOKEN="" cgi groups GET /api/v1/groups
    expect_status 401
    expect_envelope UNAUTHORIZED
}

a_cgi_body_over_content_length_cap_answers_413() {
    local big; big=$(head -c 70000 /dev/zero | tr '\0' 'a')
    cgi groups POST /api/v1/groups "{\"name\":\"$big\"}"
    expect_status 413
    expect_envelope PAYLOAD_TOO_LARGE
}

a_cgi_handler_without_configuration_answers_503() {
    CABINET_CONFIG=/nonexistent cgi groups GET /api/v1/groups
    expect_status 503
    expect_envelope SERVICE_UNAVAILABLE
}

# DESIGN §4: a string holding U+0000 anywhere is a 400; nothing is stored truncated.
a_description_holding_u0000_answers_400_and_stores_nothing() {
    cgi groups POST /api/v1/groups "{\"name\":\"nul $SFX\",\"description\":\"before\\u0000after\"}"
    expect_status 400
    expect_envelope VALIDATION_ERROR
    expect_json '.error.details.field' 'description'
    expect_json '.error.message' 'Must not contain U+0000'
    expect_eq "$(psql_q "SELECT count(*) FROM groups WHERE name = 'nul $SFX'")" "0"
}

a_search_holding_u0000_answers_400() {
    cgi groups GET /api/groups "" "search=a%00b"
    expect_status 400
    expect_envelope VALIDATION_ERROR
    expect_json '.error.details.field' 'search'
}

the_auth_handler_logs_in_as_cgi() {
    TOKEN="" cgi auth POST /v2/user/auth "$(jq -cn --arg u "$ADMIN_EMAIL" --arg p "$ADMIN_PASSWORD" '{username:$u,password:$p}')"
    expect_status 200
    expect_json '.status' 'Authorized'
}

test_case a_cgi_post_creates_a_group_and_answers_201
test_case a_cgi_get_reads_the_group_list_with_query_parameters
test_case a_cgi_request_without_token_answers_the_401_envelope
test_case a_cgi_body_over_content_length_cap_answers_413
test_case a_cgi_handler_without_configuration_answers_503
test_case a_description_holding_u0000_answers_400_and_stores_nothing
test_case a_search_holding_u0000_answers_400
test_case the_auth_handler_logs_in_as_cgi
summary
