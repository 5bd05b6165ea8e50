#!/usr/bin/env bash
# The ClickHouse activity log (/v1/organizations/{organizationId}/activities…)
# end to end through nginx: what the audit of every mutation looks like.
source "$(dirname "$0")/lib.sh"

ADMIN_TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
TOKEN=$ADMIN_TOKEN
RUN=$(date +%s%N | tail -c 8) # keeps names unique when the suite runs twice on one stack
LIST=/v1/organizations/$ORG_ID/activities
ACTIVITY_KEYS='["actorDetails","actorId","actorIpAddress","actorType","createdAt","id","organizationId","serviceId","type"]'

make_user() { # email role → id (the admin's password)
    psql_q "WITH u AS (INSERT INTO users (organization_id, email, name, first_name, last_name, role, password_hash)
            SELECT organization_id, '$1', 'Test User', 'Test', 'User', '$2', password_hash
            FROM users WHERE id = '$ADMIN_ID' RETURNING id) SELECT id FROM u"
}
new_email() { echo "act-$RUN-$1@example.com"; }
new_uuid() { cat /proc/sys/kernel/random/uuid; }
org_activities() { psql_q "SELECT count(*) FROM activities WHERE organization_id = '$ORG_ID'"; }

# Activities far in the past, so they never mix with what the other cases do now.
insert_old_activities() { # marker first-timestamp count: system rows of a real type, marked in actorDetails
    psql_q "INSERT INTO activities (organization_id, type, actor_type, actor_details, created_at)
            SELECT '$ORG_ID', 'organization.update', 'system', '$1', '$2'::timestamptz + make_interval(secs => (i - 1) / 1000.0)
            FROM generate_series(1, $3) AS i" >/dev/null
}

OTHER_PASSWORD="Other-org-password-$RUN"
OTHER=$(create_org "Activities other $RUN" "$(new_email other-admin)" "$OTHER_PASSWORD")
OTHER_ORG=$(jq -r .organizationId <<<"$OTHER")
OTHER_TOKEN=$(login "$(new_email other-admin)" "$OTHER_PASSWORD")

listing_answers_a_bare_array_newest_first() {
    req GET "$LIST"
    expect_status 200
    expect_header Content-Type '^application/json'
    expect_json 'type' 'array'
    expect_json 'length > 0 and length <= 1000' 'true'
    expect_json "map(keys == $ACTIVITY_KEYS) | all" 'true'
    expect_json '[.[].createdAt] == ([.[].createdAt] | sort | reverse)' 'true'
    expect_json 'map(.organizationId) | unique' "[\"$ORG_ID\"]"
    expect_json 'map(.serviceId) | unique' '[null]'
}

a_mutation_writes_exactly_one_activity_with_its_actor() {
    local before id
    before=$(org_activities)
    req POST /api/v1/groups "{\"name\":\"Audited $RUN\"}"
    expect_status 201
    id=$(jq -r .group.id <<<"$BODY")
    expect_eq "$(org_activities)" "$((before + 1))"
    req GET "$LIST?limit=1"
    expect_status 200
    expect_json 'length' '1'
    expect_json '.[0].type' 'group.create'
    expect_json '.[0].actorType' 'user'
    expect_json '.[0].actorId' "$ADMIN_ID"
    expect_json '.[0].actorDetails' "$ADMIN_EMAIL"
    expect_json '.[0].actorIpAddress' '127.0.0.1'
    expect_json '.[0].organizationId' "$ORG_ID"
    expect_json '.[0].serviceId' 'null'
    expect_json '.[0].createdAt | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")' 'true'
    req PUT "/api/v1/groups/$id" '{"description":"changed"}'
    expect_status 200
    req GET "$LIST?limit=2"
    expect_json '[.[].type]' '["group.update","group.create"]'
    expect_eq "$(org_activities)" "$((before + 2))"
    req DELETE "/api/v1/groups/$id"
    expect_status 204
    req GET "$LIST?limit=1"
    expect_json '.[0].type' 'group.delete'
    expect_eq "$(org_activities)" "$((before + 3))"
}

a_failed_mutation_writes_no_activity() {
    local before
    req POST /api/v1/groups "{\"name\":\"Twice $RUN\"}"
    expect_status 201
    before=$(org_activities)
    req POST /api/v1/groups "{\"name\":\"Twice $RUN\"}"
    expect_status 409
    req POST /api/v1/groups '{"name":""}'
    expect_status 400
    req DELETE "/api/v1/groups/$(new_uuid)"
    expect_status 404
    expect_eq "$(org_activities)" "$before"
}

an_activity_is_read_by_id() {
    local item id
    req GET "$LIST?limit=1"
    item=$(jq -c '.[0]' <<<"$BODY")
    id=$(jq -r .id <<<"$item")
    req GET "$LIST/$id"
    expect_status 200
    expect_json '.' "$item"
    req GET "$LIST/${id^^}"
    expect_status 200
    expect_json '.id' "$id"
}

unknown_or_malformed_activity_ids_answer_404() {
    local other_id
    req GET "$LIST/$(new_uuid)"
    expect_status 404
    expect_envelope NOT_FOUND
    req GET "$LIST/not-a-uuid"
    expect_status 404
    expect_envelope NOT_FOUND
    other_id=$(psql_q "SELECT id FROM activities WHERE organization_id = '$OTHER_ORG' LIMIT 1")
    [[ -n $other_id ]] || fail "the other organization has no activity"
    req GET "$LIST/$other_id"
    expect_status 404
    expect_envelope NOT_FOUND
}

another_organizations_log_answers_404() {
    local other_id
    other_id=$(psql_q "SELECT id FROM activities WHERE organization_id = '$OTHER_ORG' LIMIT 1")
    for path in "/v1/organizations/$OTHER_ORG/activities" "/v1/organizations/$OTHER_ORG/activities/$other_id" \
        "/v1/organizations/$(new_uuid)/activities" "/v1/organizations/not-a-uuid/activities"; do
        req GET "$path"
        expect_status 404
        expect_envelope NOT_FOUND
    done
    TOKEN=$OTHER_TOKEN req GET "/v1/organizations/$OTHER_ORG/activities"
    expect_status 200
    expect_json 'map(.organizationId) | unique' "[\"$OTHER_ORG\"]"
    expect_json '[.[].type] | index("auth.login") != null' 'true'
    TOKEN=$OTHER_TOKEN req GET "$LIST"
    expect_status 404
}

reading_the_log_needs_read_activities() {
    local plain auditor id token
    plain=$(new_email plain); make_user "$plain" user >/dev/null
    auditor=$(new_email auditor); make_user "$auditor" auditor >/dev/null
    id=$(psql_q "SELECT id FROM activities WHERE organization_id = '$ORG_ID' LIMIT 1")
    token=$(login "$plain" "$ADMIN_PASSWORD")
    TOKEN=$token req GET "$LIST"
    expect_status 403
    expect_envelope FORBIDDEN
    TOKEN=$token req GET "$LIST/$id"
    expect_status 403
    expect_envelope FORBIDDEN
    token=$(login "$auditor" "$ADMIN_PASSWORD")
    TOKEN=$token req GET "$LIST?limit=5"
    expect_status 200
    expect_json 'length' '5'
    TOKEN=$token req GET "$LIST/$id"
    expect_status 200
}

requests_without_credentials_answer_401() {
    TOKEN="" req GET "$LIST"
    expect_status 401
    expect_envelope UNAUTHORIZED
    expect_header WWW-Authenticate '.+'
}

other_methods_answer_405() {
    req POST "$LIST" '{}'
    expect_status 405
    expect_envelope METHOD_NOT_ALLOWED
    expect_header Allow 'GET'
}

date_filters_are_inclusive() {
    local type="test.window.$RUN" mine
    mine="[.[] | select(.actorDetails == \"$type\") | .createdAt]"
    insert_old_activities "$type" 2001-02-03T04:05:06.007Z 5 # .007 .008 .009 .010 .011
    req GET "$LIST?from_date=2001-02-03T04:05:06.008Z&to_date=2001-02-03T04:05:06.010Z"
    expect_status 200
    expect_json "$mine" '["2001-02-03T04:05:06.010Z","2001-02-03T04:05:06.009Z","2001-02-03T04:05:06.008Z"]'
    expect_json 'map(.createdAt >= "2001-02-03T04:05:06.008Z" and .createdAt <= "2001-02-03T04:05:06.010Z") | all' 'true'
    req GET "$LIST?from_date=2001-02-03T04:05:06.009Z&to_date=2001-02-03T04:05:06.009Z"
    expect_json "$mine" '["2001-02-03T04:05:06.009Z"]'
    # The same instant written with an offset, encoded or not.
    req GET "$LIST?from_date=2001-02-03T07:05:06.009%2B03:00&to_date=2001-02-03T07:05:06.009+03:00"
    expect_status 200
    expect_json "$mine" '["2001-02-03T04:05:06.009Z"]'
    req GET "$LIST?to_date=2001-02-03T04:05:06.008Z"
    expect_json "$mine" '["2001-02-03T04:05:06.008Z","2001-02-03T04:05:06.007Z"]'
    expect_json 'map(.createdAt <= "2001-02-03T04:05:06.008Z") | all' 'true'
    req GET "$LIST?from_date=2001-02-03T04:05:06.010Z&limit=10000"
    expect_json 'map(.createdAt >= "2001-02-03T04:05:06.010Z") | all' 'true'
    expect_json "$mine | length" '2'
    req GET "$LIST?from_date=2001-02-03T04:05:06.011Z&to_date=2001-02-03T04:05:06.007Z"
    expect_status 200
    expect_json '.' '[]'
}

malformed_dates_answer_400() {
    local q
    for q in from_date=yesterday to_date=2026-13-01T00:00:00Z from_date=2026-01-01 to_date=2026-02-29T00:00:00Z \
        from_date=2026-01-01T25:00:00Z 'to_date=2026-01-01T00:00:00' from_date=; do
        req GET "$LIST?$q"
        expect_status 400
        expect_envelope VALIDATION_ERROR
        expect_json '.error.details.field' "${q%%=*}"
    done
}

limit_bounds_the_answer() {
    local newest q
    req GET "$LIST?limit=3"
    expect_status 200
    expect_json 'length' '3'
    newest=$(jq -r '.[0].id' <<<"$BODY")
    req GET "$LIST?limit=1"
    expect_json '.[0].id' "$newest"
    req GET "$LIST?limit=10000"
    expect_status 200
    for q in limit=0 limit=10001 limit=abc limit=-1 limit=; do
        req GET "$LIST?$q"
        expect_status 400
        expect_envelope VALIDATION_ERROR
        expect_json '.error.details.field' 'limit'
    done
}

the_default_limit_is_1000() {
    (($(org_activities) > 1000)) || insert_old_activities "test.bulk.$RUN" 2000-01-01T00:00:00Z 1001
    req GET "$LIST"
    expect_status 200
    expect_json 'length' '1000'
    req GET "$LIST?limit=1001"
    expect_json 'length' '1001'
}

test_case listing_answers_a_bare_array_newest_first
test_case a_mutation_writes_exactly_one_activity_with_its_actor
test_case a_failed_mutation_writes_no_activity
test_case an_activity_is_read_by_id
test_case unknown_or_malformed_activity_ids_answer_404
test_case another_organizations_log_answers_404
test_case reading_the_log_needs_read_activities
test_case requests_without_credentials_answer_401
test_case other_methods_answer_405
test_case date_filters_are_inclusive
test_case malformed_dates_answer_400
test_case limit_bounds_the_answer
test_case the_default_limit_is_1000
summary
