#!/usr/bin/env bash
# build/handlers/activities run as plain CGI from a shell, against the test database.
source "$(dirname "$0")/lib.sh"

TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
LIST=/v1/organizations/$ORG_ID/activities

a_cgi_list_answers_the_newest_activity_first() {
    cgi activities GET "$LIST" "" "limit=1"
    expect_status 200
    expect_header Content-Type '^application/json$'
    expect_json 'length' '1'
    expect_json '.[0].id' "$(psql_q "SELECT id FROM activities WHERE organization_id = '$ORG_ID'
                                    ORDER BY created_at DESC, id DESC LIMIT 1")"
}

a_cgi_get_reads_one_activity() {
    local id; id=$(psql_q "SELECT id FROM activities WHERE organization_id = '$ORG_ID' LIMIT 1")
    cgi activities GET "$LIST/$id"
    expect_status 200
    expect_json '.id' "$id"
    expect_json '.organizationId' "$ORG_ID"
    expect_json '.serviceId' 'null'
}

a_cgi_bad_date_answers_400() {
    cgi activities GET "$LIST" "" "from_date=2026-02-30T00:00:00Z"
    expect_status 400
    expect_envelope VALIDATION_ERROR
    expect_json '.error.details.field' 'from_date'
}

a_cgi_other_organization_answers_404() {
    cgi activities GET "/v1/organizations/$(cat /proc/sys/kernel/random/uuid)/activities"
    expect_status 404
    expect_envelope NOT_FOUND
}

a_cgi_request_without_token_answers_401() {
    TOKEN="" cgi activities GET "$LIST"
    expect_status 401
    expect_envelope UNAUTHORIZED
}

test_case a_cgi_list_answers_the_newest_activity_first
test_case a_cgi_get_reads_one_activity
test_case a_cgi_bad_date_answers_400
test_case a_cgi_other_organization_answers_404
test_case a_cgi_request_without_token_answers_401
summary
