#!/usr/bin/env bash
# build/handlers/users run as plain CGI from a shell (environment + stdin →
# stdout), against the test database.
source "$(dirname "$0")/lib.sh"

SFX=$(($(date +%s%N) % 900000 + 100000))
PW="Correct-Horse-$SFX"
TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")

# A user made through the CGI handler; prints its id.
cgi_user() {
    cgi users POST /api/users "{\"email\":\"$1-$SFX@example.com\",\"name\":\"CGI $1\",\"role\":\"user\",\"password\":\"$PW\"}"
    [[ $STATUS == 201 ]] || fail "creating $1: expected 201"
    jq -r .user.id <<<"$BODY"
}

a_cgi_post_creates_a_user_and_answers_201() {
    local a; a=$(psql_q "SELECT count(*) FROM activities WHERE type = 'user.create'")
    cgi users POST /api/users "{\"email\":\"cgi-$SFX@example.com\",\"name\":\"CGI User\",\"role\":\"user\",\"password\":\"$PW\"}"
    expect_status 201
    expect_header Content-Type '^application/json$'
    expect_header X-Request-Id '^cgi-test$'
    expect_json '.user.email' "cgi-$SFX@example.com"
    expect_json '.user.organizationId' "$ORG_ID"
    expect_eq "$(psql_q "SELECT name || ' ' || role FROM users WHERE email = 'cgi-$SFX@example.com'")" "CGI User user"
    expect_eq "$(psql_q "SELECT count(*) FROM activities WHERE type = 'user.create'")" "$((a + 1))"
    expect_eq "$(psql_q "SELECT actor_ip_address FROM activities WHERE type = 'user.create' ORDER BY created_at DESC LIMIT 1")" "127.0.0.1"
}

a_cgi_get_lists_users_with_query_parameters() {
    cgi_user "L${SFX}a" >/dev/null
    cgi_user "L${SFX}b" >/dev/null
    cgi users GET /api/users "" "search=l$SFX&sort=-email&limit=1&offset=1"
    expect_status 200
    expect_json '[.total, .limit, .offset]' '[2,1,1]'
    expect_json '[.users[].email]' "[\"L${SFX}a-$SFX@example.com\"]"
}

a_cgi_get_put_and_delete_one_user() {
    local id; id=$(cgi_user one)
    cgi users GET "/api/users/$id"
    expect_status 200
    expect_json '.user.name' 'CGI one'
    cgi users PUT "/api/users/$id" '{"name":"CGI renamed","enabled":false}'
    expect_status 200
    expect_json '[.user.name, .user.enabled]' '["CGI renamed",false]'
    expect_eq "$(psql_q "SELECT token_version FROM users WHERE id = '$id'")" "1"
    cgi users DELETE "/api/users/$id"
    expect_status 204
    expect_no_header Content-Type
    [[ -z $BODY ]] || fail "204 with a body"
    expect_eq "$(psql_q "SELECT count(*) FROM users WHERE id = '$id'")" "0"
}

a_cgi_bad_sort_answers_the_400_envelope() {
    cgi users GET /api/users "" "sort=password"
    expect_status 400
    expect_envelope VALIDATION_ERROR
    expect_json '.error.details' '{"field":"sort","value":"password"}'
}

a_cgi_unknown_field_answers_400_and_creates_nothing() {
    local n; n=$(psql_q "SELECT count(*) FROM users")
    cgi users POST /api/users "{\"email\":\"x-$SFX@example.com\",\"name\":\"X\",\"role\":\"user\",\"isAdmin\":true}"
    expect_status 400
    expect_json '.error.details.field' 'isAdmin'
    expect_eq "$(psql_q "SELECT count(*) FROM users")" "$n"
}

a_cgi_request_without_token_answers_401() {
    TOKEN="" cgi users GET /api/users
    expect_status 401
    expect_envelope UNAUTHORIZED
    expect_header WWW-Authenticate '^Bearer'
}

a_cgi_unknown_path_and_method_answer_404_and_405() {
    cgi users GET /api/users/x/y
    expect_status 404
    expect_envelope NOT_FOUND
    cgi users PATCH /api/users '{"name":"x"}'
    expect_status 405
    expect_header Allow '^GET, POST$'
}

the_organizations_handler_answers_as_cgi() {
    cgi organizations GET /v1/organizations
    expect_status 200
    expect_json '[.[].id]' "[\"$ORG_ID\"]"
    cgi organizations PUT "/api/organizations/$ORG_ID" '{"settings":{"timezone":"../../../etc/passwd"}}'
    expect_status 400
    expect_json '.error.details.field' 'settings.timezone'
}

test_case a_cgi_post_creates_a_user_and_answers_201
test_case a_cgi_get_lists_users_with_query_parameters
test_case a_cgi_get_put_and_delete_one_user
test_case a_cgi_bad_sort_answers_the_400_envelope
test_case a_cgi_unknown_field_answers_400_and_creates_nothing
test_case a_cgi_request_without_token_answers_401
test_case a_cgi_unknown_path_and_method_answer_404_and_405
test_case the_organizations_handler_answers_as_cgi
summary
