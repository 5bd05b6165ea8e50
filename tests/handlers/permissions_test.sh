#!/usr/bin/env bash
# build/handlers/permissions run as plain CGI from a shell, against the test database.
source "$(dirname "$0")/lib.sh"

SFX=$(($(date +%s%N) % 900000 + 100000))
TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
SA=$(cat /proc/sys/kernel/random/uuid) # a service account: stored as given
BINDING="{\"objectId\":\"$ORG_ID\",\"objectType\":\"organization\",\"role\":\"auditor\",\"subjectId\":\"$SA\",\"subjectType\":\"service_account\"}"

a_cgi_post_creates_a_binding_and_answers_201() {
    cgi permissions POST /api/v1/permissions "$BINDING"
    expect_status 201
    expect_header Content-Type '^application/json$'
    expect_header X-Request-Id '^cgi-test$'
    expect_json '.permission.subjectId' "$SA"
    expect_json '.permission.enabled' 'true'
    expect_json '.permission.expiresAt' 'null'
    expect_eq "$(psql_q "SELECT role FROM permission_bindings WHERE subject_id = '$SA'")" "auditor"
    expect_eq "$(psql_q "SELECT actor_ip_address FROM activities WHERE type = 'permission.create'
                         ORDER BY created_at DESC, id DESC LIMIT 1")" "127.0.0.1"
}

a_cgi_duplicate_answers_409() {
    cgi permissions POST /api/v1/permissions "$BINDING"
    expect_status 409
    expect_envelope CONFLICT
}

a_cgi_list_filters_by_subject_with_top_level_cursors() {
    cgi permissions GET /api/v1/permissions "" "subjectId=$SA&limit=1"
    expect_status 200
    expect_json 'keys' '["limit","permissions"]'
    expect_json '.limit' '1'
    expect_json '[.permissions[].subjectId]' "[\"$SA\"]"
}

a_cgi_list_with_a_bad_filter_answers_400() {
    cgi permissions GET /api/v1/permissions "" "subjectType=robot"
    expect_status 400
    expect_envelope VALIDATION_ERROR
    expect_json '.error.details.field' 'subjectType'
}

a_cgi_check_explains_the_admin_role() {
    cgi permissions GET /api/v1/permissions/check "" "subjectId=$ADMIN_ID&scope=read:activities"
    expect_status 200
    expect_json '.' '{"allowed":true,"via":[{"type":"role","role":"admin"}]}'
}

a_cgi_past_expiry_answers_400() {
    cgi permissions POST /api/v1/permissions "$(jq -c '.role = "user" | .expiresAt = "2001-01-01T00:00:00Z"' <<<"$BINDING")"
    expect_status 400
    expect_json '.error.details.field' 'expiresAt'
}

a_cgi_delete_answers_204_then_404() {
    cgi permissions DELETE /api/v1/permissions "{\"id\":$BINDING}"
    expect_status 204
    expect_eq "$BODY" ""
    cgi permissions DELETE /api/v1/permissions "{\"id\":$BINDING}"
    expect_status 404
    expect_envelope NOT_FOUND
    expect_eq "$(psql_q "SELECT count(*) FROM permission_bindings WHERE subject_id = '$SA'")" "0"
}

a_cgi_request_without_token_answers_401() {
    TOKEN="" cgi permissions GET /api/v1/permissions
    expect_status 401
    expect_envelope UNAUTHORIZED
    expect_header WWW-Authenticate '^Bearer'
}

a_cgi_unknown_path_answers_404_and_a_wrong_method_405() {
    cgi permissions GET /api/v1/permissions/nope
    expect_status 404
    expect_envelope NOT_FOUND
    cgi permissions PATCH /api/v1/permissions '{}'
    expect_status 405
    expect_envelope METHOD_NOT_ALLOWED
}

test_case a_cgi_post_creates_a_binding_and_answers_201
test_case a_cgi_duplicate_answers_409
test_case a_cgi_list_filters_by_subject_with_top_level_cursors
test_case a_cgi_list_with_a_bad_filter_answers_400
test_case a_cgi_check_explains_the_admin_role
test_case a_cgi_past_expiry_answers_400
test_case a_cgi_delete_answers_204_then_404
test_case a_cgi_request_without_token_answers_401
test_case a_cgi_unknown_path_answers_404_and_a_wrong_method_405
summary
