#!/usr/bin/env bash
# Cloud.ru groups and membership (/api/v1/groups…) end to end through nginx.
source "$(dirname "$0")/lib.sh"

SFX=$(($(date +%s%N) % 900000 + 100000))   # names and emails unique per run
TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
ADMIN_TOKEN=$TOKEN

# A plain `user` of the organization, made directly in the database (same password as the admin).
make_plain_user() {
    local email=$1
    psql_q "INSERT INTO users (organization_id, email, name, first_name, last_name, role, password_hash)
            SELECT organization_id, '$email', 'Plain User', 'Plain', 'User', 'user', password_hash
            FROM users WHERE id = '$ADMIN_ID' RETURNING id"
}
PLAIN_ID=$(make_plain_user "plain-groups-$SFX@example.com")
PLAIN_TOKEN=$(login "plain-groups-$SFX@example.com" "$ADMIN_PASSWORD")

activities_of() { psql_q "SELECT count(*) FROM activities WHERE organization_id = '$ORG_ID' AND type = '$1'"; }

create_group() { # name → id (the name gets the run's suffix)
    req POST /api/v1/groups "{\"name\":\"$1 $SFX\",\"description\":\"${2:-}\"}"
    jq -r .group.id <<<"$BODY"
}

creating_a_group_answers_201_with_the_group_and_audits_it() {
    local before; before=$(activities_of group.create)
    req POST /api/v1/groups '{"name":"Developers '"$SFX"'","description":"Software team","target":{"customerId":"'"$ORG_ID"'","projectId":"6f1f1c1e-0000-4000-8000-000000000001"}}'
    expect_status 201
    expect_json '.group.name' "Developers $SFX"
    expect_json '.group.description' 'Software team'
    expect_json '.group.target.customerId' "$ORG_ID"
    expect_json '.group.target.projectId' '6f1f1c1e-0000-4000-8000-000000000001'
    expect_json '.group.createdAt | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")' 'true'
    expect_json '.group.updatedAt == .group.createdAt' 'true'
    expect_header X-Request-Id '.+'
    local id; id=$(jq -r .group.id <<<"$BODY")
    expect_eq "$(psql_q "SELECT name FROM groups WHERE id = '$id' AND organization_id = '$ORG_ID'")" "Developers $SFX"
    expect_eq "$(activities_of group.create)" "$((before + 1))"
    expect_eq "$(psql_q "SELECT actor_id || ' ' || actor_type || ' ' || actor_ip_address FROM activities WHERE type = 'group.create' ORDER BY created_at DESC LIMIT 1")" "$ADMIN_ID user 127.0.0.1"
}

creating_a_group_without_target_uses_the_callers_organization() {
    req POST /api/v1/groups '{"name":"No Target '"$SFX"'"}'
    expect_status 201
    expect_json '.group.target.customerId' "$ORG_ID"
    expect_json '.group.target.projectId' 'null'
    expect_json '.group.description' ''
}

a_duplicate_group_name_answers_409_case_insensitively() {
    create_group "Unique Name" >/dev/null
    local count audits; count=$(psql_q "SELECT count(*) FROM groups"); audits=$(activities_of group.create)
    req POST /api/v1/groups '{"name":"UNIQUE name '"$SFX"'"}'
    expect_status 409
    expect_envelope CONFLICT
    expect_json '.error.details.field' 'name'
    expect_eq "$(psql_q "SELECT count(*) FROM groups")" "$count"
    expect_eq "$(activities_of group.create)" "$audits"
}

invalid_group_bodies_answer_400_and_change_nothing() {
    local count audits; count=$(psql_q "SELECT count(*) FROM groups"); audits=$(psql_q "SELECT count(*) FROM activities")
    req POST /api/v1/groups '{"name":"x","unknown":1}';            expect_status 400; expect_envelope VALIDATION_ERROR; expect_json '.error.details.field' 'unknown'
    req POST /api/v1/groups '{"name":"x","target":{"zone":"a"}}';  expect_status 400; expect_json '.error.details.field' 'target.zone'
    req POST /api/v1/groups '{"description":"no name"}';           expect_status 400; expect_json '.error.details.field' 'name'
    req POST /api/v1/groups '{"name":42}';                         expect_status 400; expect_json '.error.details.field' 'name'
    req POST /api/v1/groups '{"name":"   "}';                      expect_status 400
    req POST /api/v1/groups "{\"name\":\"$(printf 'a%.0s' {1..129})\"}"; expect_status 400
    req POST /api/v1/groups '{"name":"x","target":{"projectId":"not-a-uuid"}}'; expect_status 400; expect_json '.error.details.field' 'target.projectId'
    req POST /api/v1/groups '{"name":"x"';                         expect_status 400; expect_envelope INVALID_JSON
    req POST /api/v1/groups '["name"]';                            expect_status 400; expect_envelope INVALID_JSON
    req POST /api/v1/groups "$(printf '{"a":%.0s' {1..40})1$(printf '}%.0s' {1..40})"; expect_status 400; expect_envelope INVALID_JSON
    req POST /api/v1/groups $'{"name":"\xff\xfe"}';                expect_status 400; expect_envelope INVALID_JSON
    expect_eq "$(psql_q "SELECT count(*) FROM groups")" "$count"
    expect_eq "$(psql_q "SELECT count(*) FROM activities")" "$audits"
}

a_body_without_json_content_type_answers_415() {
    req POST /api/v1/groups '{"name":"Plain Text '"$SFX"'"}' -H 'Content-Type: text/plain'
    expect_status 415
    expect_envelope UNSUPPORTED_MEDIA_TYPE
    expect_eq "$(psql_q "SELECT count(*) FROM groups WHERE name = 'Plain Text $SFX'")" "0"
}

a_json_content_type_with_charset_is_accepted() {
    req POST /api/v1/groups '{"name":"Charset '"$SFX"'"}' -H 'Content-Type: application/json; charset=utf-8'
    expect_status 201
}

a_customer_id_of_another_organization_answers_404() {
    req POST /api/v1/groups '{"name":"Foreign","target":{"customerId":"'"$ORG2_ID"'"}}'
    expect_status 404
    expect_envelope NOT_FOUND
    req GET "/api/v1/groups?target.customerId=$ORG2_ID"
    expect_status 404
}

getting_a_group_answers_200_and_unknown_or_malformed_ids_404() {
    local id; id=$(create_group "Readable" "desc")
    req GET "/api/v1/groups/$id"
    expect_status 200
    expect_json '.group.id' "$id"
    expect_json '.group.name' "Readable $SFX"
    req GET /api/v1/groups/00000000-0000-4000-8000-000000000000; expect_status 404; expect_envelope NOT_FOUND
    req GET /api/v1/groups/not-a-uuid;                            expect_status 404; expect_envelope NOT_FOUND
}

updating_a_group_changes_the_given_fields_and_audits_it() {
    local id; id=$(create_group "Before Rename" "old")
    local before; before=$(activities_of group.update)
    req PUT "/api/v1/groups/$id" '{"name":"After Rename '"$SFX"'"}'
    expect_status 200
    expect_json '.group.name' "After Rename $SFX"
    expect_json '.group.description' 'old'
    req PUT "/api/v1/groups/$id" '{"description":"new"}'
    expect_status 200
    expect_json '.group.description' 'new'
    expect_json '.group.updatedAt >= .group.createdAt' 'true'
    expect_eq "$(psql_q "SELECT name || '/' || description FROM groups WHERE id = '$id'")" "After Rename $SFX/new"
    expect_eq "$(activities_of group.update)" "$((before + 2))"
    req PUT "/api/v1/groups/$id" '{"target":{}}'; expect_status 400
    req PUT "/api/v1/groups/$id" '{}';            expect_status 400
    req PUT /api/v1/groups/00000000-0000-4000-8000-000000000000 '{"name":"nobody"}'; expect_status 404
}

renaming_to_a_taken_name_answers_409() {
    create_group "Taken" >/dev/null
    local id; id=$(create_group "Free")
    req PUT "/api/v1/groups/$id" '{"name":"taken '"$SFX"'"}'
    expect_status 409
    expect_eq "$(psql_q "SELECT name FROM groups WHERE id = '$id'")" "Free $SFX"
}

deleting_a_group_answers_204_and_removes_memberships_and_bindings() {
    local id; id=$(create_group "Doomed")
    req POST "/api/v1/groups/$id/users/$PLAIN_ID"; expect_status 200
    psql_q "INSERT INTO permission_bindings (organization_id, object_id, object_type, role, subject_id, subject_type)
            VALUES ('$ORG_ID', '$id', 'resource', 'admin', '$PLAIN_ID', 'user')" >/dev/null
    local before; before=$(activities_of group.delete)
    req DELETE "/api/v1/groups/$id"
    expect_status 204
    expect_eq "$BODY" ""
    expect_eq "$(psql_q "SELECT count(*) FROM groups WHERE id = '$id'")" "0"
    expect_eq "$(psql_q "SELECT count(*) FROM memberships WHERE group_id = '$id'")" "0"
    expect_eq "$(psql_q "SELECT count(*) FROM permission_bindings WHERE object_id = '$id' OR subject_id = '$id'")" "0"
    expect_eq "$(activities_of group.delete)" "$((before + 1))"
    req DELETE "/api/v1/groups/$id"
    expect_status 404
}

membership_add_check_list_and_remove_follow_the_seed() {
    local id; id=$(create_group "Members")
    req GET "/api/v1/groups/$id/users/$PLAIN_ID"
    expect_status 200
    expect_json '.isMember' 'false'
    expect_json '.groupId' "$id"
    expect_json '.userId' "$PLAIN_ID"
    req POST "/api/v1/groups/$id/users/$PLAIN_ID"
    expect_status 200
    expect_json '.isMember' 'true'
    local adds; adds=$(activities_of group.member.add)
    req POST "/api/v1/groups/$id/users/$PLAIN_ID"   # idempotent: no second membership, no activity
    expect_status 200
    expect_eq "$(psql_q "SELECT count(*) FROM memberships WHERE group_id = '$id'")" "1"
    expect_eq "$(activities_of group.member.add)" "$adds"
    req GET "/api/v1/groups/$id/users/$PLAIN_ID"
    expect_json '.isMember' 'true'
    req GET "/api/v1/groups/$id/users"
    expect_status 200
    expect_json '.users | length' '1'
    expect_json '.users[0].userId' "$PLAIN_ID"
    expect_json '.users[0].username' 'Plain User'
    expect_json '.users[0].firstName' 'Plain'
    expect_json '.users[0].lastName' 'User'
    expect_json '.users[0].email' "plain-groups-$SFX@example.com"
    expect_json '.users[0].enabled' 'true'
    expect_json '.users[0].accountType' 'local'
    expect_json '.users[0].middleName' ''
    expect_json '.limit' '50'
    expect_json '.cursor | type' 'object'
    req DELETE "/api/v1/groups/$id/users/$PLAIN_ID"
    expect_status 204
    expect_eq "$(psql_q "SELECT count(*) FROM memberships WHERE group_id = '$id'")" "0"
    req DELETE "/api/v1/groups/$id/users/$PLAIN_ID"   # not a member: still 204
    expect_status 204
}

replacing_members_sets_exactly_the_given_users() {
    local id; id=$(create_group "Replace")
    req POST "/api/v1/groups/$id/users/$PLAIN_ID"
    req POST "/api/v1/groups/$id/users" '{"userIds":["'"$ADMIN_ID"'","'"$ADMIN_ID"'"]}'
    expect_status 200
    expect_json '.groupId' "$id"
    expect_json '.userIds' "[\"$ADMIN_ID\"]"
    expect_eq "$(psql_q "SELECT string_agg(user_id::text, ',') FROM memberships WHERE group_id = '$id'")" "$ADMIN_ID"
    req POST "/api/v1/groups/$id/users" '{"userIds":[]}'
    expect_status 200
    expect_json '.userIds' '[]'
    expect_eq "$(psql_q "SELECT count(*) FROM memberships WHERE group_id = '$id'")" "0"
}

membership_with_unknown_foreign_or_malformed_users_is_refused() {
    local id; id=$(create_group "Strict Members")
    req POST "/api/v1/groups/$id/users" '{"userIds":["not-a-uuid"]}'
    expect_status 400; expect_json '.error.details.field' 'userIds.0'
    req POST "/api/v1/groups/$id/users" '{"userIds":["'"$ORG2_ADMIN_ID"'"]}'
    expect_status 404
    req POST "/api/v1/groups/$id/users/$ORG2_ADMIN_ID"
    expect_status 404
    req GET "/api/v1/groups/$id/users/$ORG2_ADMIN_ID"
    expect_status 404
    req POST "/api/v1/groups/00000000-0000-4000-8000-000000000000/users/$PLAIN_ID"
    expect_status 404
    expect_eq "$(psql_q "SELECT count(*) FROM memberships WHERE group_id = '$id'")" "0"
}

list_walks_forward_and_backward_over_120_groups_without_gaps_or_duplicates() {
    psql_q "DELETE FROM groups WHERE organization_id = '$ORG3_ID'" >/dev/null
    local t3; t3=$(login "$ORG3_EMAIL" "$ORG3_PASSWORD")
    for i in $(seq 1 120); do
        TOKEN=$t3 req POST /api/v1/groups "{\"name\":\"walk-$i-$SFX\"}"
    done
    local want; want=$(psql_q "SELECT string_agg(id::text, ' ' ORDER BY created_at, id) FROM groups WHERE organization_id = '$ORG3_ID'")
    local seen="" after="" pages=0
    while :; do
        TOKEN=$t3 req GET "/api/v1/groups?limit=25${after:+&cursor.after=$after}"
        expect_status 200
        seen+=" $(jq -r '[.groups[].id] | join(" ")' <<<"$BODY")"
        pages=$((pages + 1))
        after=$(jq -r '.cursor.after // empty' <<<"$BODY")
        [[ -z $after || $pages -gt 10 ]] && break
    done
    expect_eq "$(echo $seen)" "$(echo $want)"
    expect_eq "$pages" "5"
    expect_json '.cursor.before | type' 'string'
    local before; before=$(jq -r .cursor.before <<<"$BODY")
    local back=""
    pages=0
    back="$(jq -r '[.groups[].id] | join(" ")' <<<"$BODY")"
    while [[ -n $before && $pages -lt 10 ]]; do
        TOKEN=$t3 req GET "/api/v1/groups?limit=25&cursor.before=$before"
        expect_status 200
        back="$(jq -r '[.groups[].id] | join(" ")' <<<"$BODY") $back"
        before=$(jq -r '.cursor.before // empty' <<<"$BODY")
        pages=$((pages + 1))
    done
    expect_eq "$(echo $back)" "$(echo $want)"
    expect_json '.cursor.after | type' 'string'
}

the_first_page_has_no_before_cursor_and_the_last_no_after_cursor() {
    local t3; t3=$(login "$ORG3_EMAIL" "$ORG3_PASSWORD")
    TOKEN=$t3 req GET "/api/v1/groups?limit=1000"
    expect_status 200
    expect_json '.cursor' '{}'
    expect_json '.limit' '1000'
}

tampered_cursors_and_bad_limits_answer_400() {
    req GET "/api/v1/groups?limit=1"
    local c; c=$(jq -r .cursor.after <<<"$BODY")
    req GET "/api/v1/groups?cursor.after=${c:0:5}x${c:6}"; expect_status 400; expect_json '.error.details.field' 'cursor.after'
    req GET "/api/v1/groups?cursor.before=garbage";        expect_status 400; expect_json '.error.details.field' 'cursor.before'
    req GET "/api/v1/groups?limit=0";    expect_status 400; expect_json '.error.details.field' 'limit'
    req GET "/api/v1/groups?limit=1001"; expect_status 400
    req GET "/api/v1/groups?limit=ten";  expect_status 400
    req GET "/api/v1/groups?target.projectId=zzz"; expect_status 400
    # a cursor of another organization's list does not verify here
    local t3; t3=$(login "$ORG3_EMAIL" "$ORG3_PASSWORD")
    TOKEN=$t3 req GET "/api/v1/groups?limit=1"
    local foreign; foreign=$(jq -r .cursor.after <<<"$BODY")
    req GET "/api/v1/groups?cursor.after=$foreign"; expect_status 400
}

list_filters_by_project() {
    local project; project="6f1f1c1e-0000-4000-8000-$(printf %012d "$SFX")"
    req POST /api/v1/groups '{"name":"Project Only '"$SFX"'","target":{"projectId":"'"$project"'"}}'
    expect_status 201
    req GET "/api/v1/groups?target.projectId=$project&target.customerId=$ORG_ID"
    expect_status 200
    expect_json '[.groups[].name]' "[\"Project Only $SFX\"]"
}

another_organizations_groups_are_invisible_and_untouchable() {
    local t2; t2=$(login "$ORG2_EMAIL" "$ORG2_PASSWORD")
    local theirs; theirs=$(TOKEN=$t2 create_group "Theirs")
    req GET "/api/v1/groups/$theirs";                    expect_status 404
    req PUT "/api/v1/groups/$theirs" '{"name":"Mine"}';  expect_status 404
    req DELETE "/api/v1/groups/$theirs";                 expect_status 404
    req GET "/api/v1/groups/$theirs/users";              expect_status 404
    req POST "/api/v1/groups/$theirs/users/$ADMIN_ID";   expect_status 404
    req GET "/api/v1/groups?limit=1000"
    expect_json "[.groups[].id] | index(\"$theirs\")" 'null'
    expect_eq "$(psql_q "SELECT name FROM groups WHERE id = '$theirs'")" "Theirs $SFX"
}

a_plain_user_reads_groups_but_cannot_change_them() {
    local id; id=$(create_group "Read Only")
    TOKEN=$PLAIN_TOKEN req GET "/api/v1/groups/$id";                 expect_status 200
    TOKEN=$PLAIN_TOKEN req GET "/api/v1/groups";                     expect_status 200
    TOKEN=$PLAIN_TOKEN req POST /api/v1/groups '{"name":"Nope"}';    expect_status 403; expect_envelope FORBIDDEN
    TOKEN=$PLAIN_TOKEN req PUT "/api/v1/groups/$id" '{"name":"Nope"}'; expect_status 403
    TOKEN=$PLAIN_TOKEN req DELETE "/api/v1/groups/$id";              expect_status 403
    TOKEN=$PLAIN_TOKEN req POST "/api/v1/groups/$id/users/$PLAIN_ID"; expect_status 403
    expect_eq "$(psql_q "SELECT name FROM groups WHERE id = '$id'")" "Read Only $SFX"
}

requests_without_a_valid_token_answer_401_with_www_authenticate() {
    TOKEN="" req GET /api/v1/groups
    expect_status 401; expect_envelope UNAUTHORIZED; expect_header WWW-Authenticate 'Bearer'
    TOKEN="not.a.token" req GET /api/v1/groups
    expect_status 401; expect_header WWW-Authenticate 'invalid_token'
    local forged; forged="$(cut -d. -f1,2 <<<"$ADMIN_TOKEN").AAAA"
    TOKEN=$forged req GET /api/v1/groups
    expect_status 401
    local none; none="$(printf '{"alg":"none","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=').$(cut -d. -f2 <<<"$ADMIN_TOKEN")."
    TOKEN=$none req GET /api/v1/groups
    expect_status 401
}

unsupported_methods_answer_405_with_allow() {
    req PATCH /api/v1/groups '{"name":"x"}'
    expect_status 405; expect_envelope METHOD_NOT_ALLOWED; expect_header Allow 'GET, POST'
}

no_client_input_yields_a_5xx() {
    local bodies=('' '{}' 'null' '[]' '"s"' '{"name":null}' '{"name":"\u0000"}' '{"name":"a","description":{"x":1}}'
                  '{"userIds":"x"}' '{"userIds":[1,2]}' '{"name":"🚀 group"}' "{\"name\":\"x'; DROP TABLE groups; --\"}")
    local paths=(/api/v1/groups /api/v1/groups/00000000-0000-4000-8000-000000000000 "/api/v1/groups/%00"
                 "/api/v1/groups/x/users" "/api/v1/groups?limit=%zz" "/api/v1/groups?cursor.after=%FF%FE"
                 "/api/v1/groups/00000000-0000-4000-8000-000000000000/users/../../x")
    local worst=0
    for p in "${paths[@]}"; do
        for m in GET POST PUT DELETE; do
            for b in "${bodies[@]}"; do
                req "$m" "$p" "$b"
                ((STATUS > worst)) && worst=$STATUS
                if ((STATUS >= 500)); then echo "  5xx for $m $p $b: $BODY"; fi
            done
        done
    done
    expect_eq "$((worst < 500))" "1"
    expect_eq "$(psql_q "SELECT to_regclass('groups') IS NOT NULL")" "t"
}

setup_other_organizations() {
    ORG2_EMAIL="org2-groups-$SFX@example.com"; ORG2_PASSWORD="second org password"
    local out; out=$(create_org "Second Org" "$ORG2_EMAIL" "$ORG2_PASSWORD")
    ORG2_ID=$(jq -r .organizationId <<<"$out"); ORG2_ADMIN_ID=$(jq -r .userId <<<"$out")
    ORG3_EMAIL="org3-groups-$SFX@example.com"; ORG3_PASSWORD="third org password"
    out=$(create_org "Third Org" "$ORG3_EMAIL" "$ORG3_PASSWORD")
    ORG3_ID=$(jq -r .organizationId <<<"$out")
}
setup_other_organizations

# Each handler process lends its CABINET_DB_CONNECTIONS Postgres connections to
# one request at a time (lib/server.cpp Pool), however many requests nginx
# sends at once: the rest wait for one, and every request is answered. The
# burst arrives while the groups table is locked, so all of it is in flight.
a_burst_of_requests_is_answered_within_the_pooled_connections() {
    local -a pids
    local per n locker
    mapfile -t pids < <(handler_worker_pids groups)
    per=$(tr '\0' '\n' <"/proc/${pids[0]}/environ" | sed -n 's/^CABINET_DB_CONNECTIONS=//p')
    [[ $per =~ ^[0-9]+$ ]] || { fail "no CABINET_DB_CONNECTIONS in the environment of ${pids[0]}"; return; }
    psql_q "BEGIN; LOCK TABLE groups IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT" >/dev/null &
    locker=$!
    sleep 0.3
    seq 1 48 | xargs -P 48 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
        "$BASE_URL/api/v1/groups?limit=1" >"$E2E_TMP/burst"
    wait "$locker"
    [[ $(grep -c '^200$' "$E2E_TMP/burst") == 48 ]] || fail "burst answers: $(sort "$E2E_TMP/burst" | uniq -c | tr '\n' ' ')"
    n=$(psql_q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cabinet-groups'")
    ((n >= 1 && n <= ${#pids[@]} * per)) || fail "$n connections of the groups handler, expected 1 to $((${#pids[@]} * per))"
}

test_case creating_a_group_answers_201_with_the_group_and_audits_it
test_case creating_a_group_without_target_uses_the_callers_organization
test_case a_duplicate_group_name_answers_409_case_insensitively
test_case invalid_group_bodies_answer_400_and_change_nothing
test_case a_body_without_json_content_type_answers_415
test_case a_json_content_type_with_charset_is_accepted
test_case a_customer_id_of_another_organization_answers_404
test_case getting_a_group_answers_200_and_unknown_or_malformed_ids_404
test_case updating_a_group_changes_the_given_fields_and_audits_it
test_case renaming_to_a_taken_name_answers_409
test_case deleting_a_group_answers_204_and_removes_memberships_and_bindings
test_case membership_add_check_list_and_remove_follow_the_seed
test_case replacing_members_sets_exactly_the_given_users
test_case membership_with_unknown_foreign_or_malformed_users_is_refused
test_case list_walks_forward_and_backward_over_120_groups_without_gaps_or_duplicates
test_case the_first_page_has_no_before_cursor_and_the_last_no_after_cursor
test_case tampered_cursors_and_bad_limits_answer_400
test_case list_filters_by_project
test_case another_organizations_groups_are_invisible_and_untouchable
test_case a_plain_user_reads_groups_but_cannot_change_them
test_case requests_without_a_valid_token_answer_401_with_www_authenticate
test_case a_burst_of_requests_is_answered_within_the_pooled_connections
test_case unsupported_methods_answer_405_with_allow
test_case no_client_input_yields_a_5xx
summary
