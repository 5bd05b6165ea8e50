#!/usr/bin/env bash
# Cloud.ru permission bindings (/api/v1/permissions), the effective-scope
# model they feed (DESIGN.md section 3) and the cabinet extension
# /api/v1/permissions/check, end to end through nginx.
source "$(dirname "$0")/lib.sh"

ADMIN_TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
TOKEN=$ADMIN_TOKEN
RUN=$(date +%s%N | tail -c 8) # keeps names unique when the suite runs twice on one stack

# A user of the organization with the admin's password, made in the database; prints its id.
make_user() { # email [role]
    psql_q "WITH u AS (INSERT INTO users (organization_id, email, name, first_name, last_name, role, password_hash)
            SELECT organization_id, '$1', 'Test User', 'Test', 'User', '${2:-user}', password_hash
            FROM users WHERE id = '$ADMIN_ID' RETURNING id) SELECT id FROM u"
}
new_email() { echo "perm-$RUN-$1@example.com"; }

# A group made by the admin; prints its id.
make_group() { # name [permissions JSON array]
    if [[ -n ${2:-} ]]; then
        TOKEN=$ADMIN_TOKEN req POST /api/groups "{\"name\":\"$1 $RUN\",\"permissions\":$2}"
    else
        TOKEN=$ADMIN_TOKEN req POST /api/v1/groups "{\"name\":\"$1 $RUN\"}"
    fi
    [[ $STATUS == 201 ]] || fail "make_group $1: $STATUS"
    jq -r .group.id <<<"$BODY"
}

binding() { # objectId objectType role subjectId subjectType [expiresAt]
    jq -cn --arg o "$1" --arg ot "$2" --arg r "$3" --arg s "$4" --arg st "$5" --arg e "${6:-}" \
        '{objectId: $o, objectType: $ot, role: $r, subjectId: $s, subjectType: $st}
         + (if $e == "" then {} else {expiresAt: $e} end)'
}

grant() { # the arguments of binding; the admin creates it (201 expected)
    TOKEN=$ADMIN_TOKEN req POST /api/v1/permissions "$(binding "$@")"
    [[ $STATUS == 201 ]] || fail "grant $*: $STATUS"
}

revoke() { # objectId objectType role subjectId subjectType; the admin deletes it (204 expected)
    TOKEN=$ADMIN_TOKEN req DELETE /api/v1/permissions "{\"id\":$(binding "$@")}"
    [[ $STATUS == 204 ]] || fail "revoke $*: $STATUS"
}

bindings_count() { psql_q "SELECT count(*) FROM permission_bindings"; }
activities_of() { psql_q "SELECT count(*) FROM activities WHERE organization_id = '$ORG_ID' AND type = '$1'"; }
iso_in() { date -u -d "$1" +%Y-%m-%dT%H:%M:%S.%3NZ; } # e.g. iso_in '+3 seconds'
new_uuid() { cat /proc/sys/kernel/random/uuid; }

OTHER_PASSWORD="Other-org-password-$RUN"
OTHER=$(create_org "Other $RUN" "$(new_email other-admin)" "$OTHER_PASSWORD")
OTHER_ORG=$(jq -r .organizationId <<<"$OTHER")
OTHER_ADMIN=$(jq -r .userId <<<"$OTHER")
OTHER_TOKEN=$(login "$(new_email other-admin)" "$OTHER_PASSWORD")

# ---------------------------------------------------------------- create

creating_a_binding_answers_201_with_the_permission_and_audits_it() {
    local user before expires
    user=$(make_user "$(new_email create)")
    before=$(activities_of permission.create)
    expires=$(iso_in '+1 day')
    req POST /api/v1/permissions "$(binding "$ORG_ID" organization auditor "$user" user "$expires")"
    expect_status 201
    expect_json '.permission | keys' '["createdAt","enabled","expiresAt","objectId","objectType","role","subjectId","subjectType","updatedAt"]'
    expect_json '.permission.objectId' "$ORG_ID"
    expect_json '.permission.objectType' 'organization'
    expect_json '.permission.role' 'auditor'
    expect_json '.permission.subjectId' "$user"
    expect_json '.permission.subjectType' 'user'
    expect_json '.permission.enabled' 'true'
    expect_json '.permission.expiresAt' "$expires"
    expect_json '.permission.createdAt | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")' 'true'
    expect_json '.permission.updatedAt == .permission.createdAt' 'true'
    expect_eq "$(psql_q "SELECT role || ' ' || organization_id FROM permission_bindings WHERE subject_id = '$user'")" "auditor $ORG_ID"
    expect_eq "$(activities_of permission.create)" "$((before + 1))"
    expect_eq "$(psql_q "SELECT actor_id || ' ' || actor_ip_address FROM activities WHERE organization_id = '$ORG_ID'
                         ORDER BY created_at DESC, id DESC LIMIT 1")" "$ADMIN_ID 127.0.0.1"
}

a_binding_without_expiry_has_expires_at_null() {
    local user; user=$(make_user "$(new_email noexpiry)")
    req POST /api/v1/permissions "$(binding "$ORG_ID" organization user "$user" user)"
    expect_status 201
    expect_json '.permission.expiresAt' 'null'
    req POST /api/v1/permissions "$(binding "$ORG_ID" organization auditor "$user" user | jq -c '.expiresAt = null')"
    expect_status 201
    expect_json '.permission.expiresAt' 'null'
}

an_expiry_with_an_offset_is_stored_in_utc_at_millisecond_precision() {
    local sa; sa=$(new_uuid)
    req POST /api/v1/permissions "$(binding "$ORG_ID" organization user "$sa" service_account 2999-01-01T03:00:00.123456+03:00)"
    expect_status 201
    expect_json '.permission.expiresAt' '2999-01-01T00:00:00.123Z'
}

a_duplicate_binding_answers_409_and_changes_nothing() {
    local user count audits
    user=$(make_user "$(new_email dup)")
    grant "$ORG_ID" organization user "$user" user
    count=$(bindings_count); audits=$(activities_of permission.create)
    req POST /api/v1/permissions "$(binding "$ORG_ID" organization user "$user" user "$(iso_in '+1 day')")"
    expect_status 409
    expect_envelope CONFLICT
    expect_eq "$(bindings_count)" "$count"
    expect_eq "$(activities_of permission.create)" "$audits"
    # Another role is another binding.
    req POST /api/v1/permissions "$(binding "$ORG_ID" organization auditor "$user" user)"
    expect_status 201
}

invalid_bindings_answer_400_and_change_nothing() {
    local user count audits
    user=$(make_user "$(new_email invalid)")
    count=$(bindings_count); audits=$(psql_q "SELECT count(*) FROM activities")
    bad() { # body field
        req POST /api/v1/permissions "$1"
        expect_status 400
        expect_envelope VALIDATION_ERROR
        expect_json '.error.details.field' "$2"
    }
    local ok; ok=$(binding "$ORG_ID" organization user "$user" user)
    bad "$(jq -c '.objectId = "not-a-uuid"' <<<"$ok")" objectId
    bad "$(jq -c '.objectType = "project"' <<<"$ok")" objectType
    bad "$(jq -c '.role = "owner"' <<<"$ok")" role
    bad "$(jq -c '.subjectId = "42"' <<<"$ok")" subjectId
    bad "$(jq -c '.subjectType = "robot"' <<<"$ok")" subjectType
    bad "$(jq -c '.expiresAt = "tomorrow"' <<<"$ok")" expiresAt
    bad "$(jq -c '.expiresAt = "2999-02-30T00:00:00Z"' <<<"$ok")" expiresAt
    bad "$(jq -c '.expiresAt = "2999-01-01"' <<<"$ok")" expiresAt
    bad "$(jq -c '.expiresAt = "2999-01-01T00:00:00"' <<<"$ok")" expiresAt
    bad "$(jq -c '.expiresAt = 42' <<<"$ok")" expiresAt
    bad "$(jq -c '.expiresAt = "2020-01-01T00:00:00Z"' <<<"$ok")" expiresAt
    bad "$(jq -c --arg t "$(iso_in '-1 second')" '.expiresAt = $t' <<<"$ok")" expiresAt
    bad "$(jq -c 'del(.role)' <<<"$ok")" role
    bad "$(jq -c '.id = "x"' <<<"$ok")" id
    bad "$(jq -c '.role = 1' <<<"$ok")" role
    req POST /api/v1/permissions '{"objectId":'
    expect_status 400
    expect_envelope INVALID_JSON
    expect_eq "$(bindings_count)" "$count"
    expect_eq "$(psql_q "SELECT count(*) FROM activities")" "$audits"
}

references_outside_the_organization_answer_404_and_change_nothing() {
    local user group other_group count
    user=$(make_user "$(new_email refs)")
    group=$(make_group "Refs")
    TOKEN=$OTHER_TOKEN req POST /api/v1/groups "{\"name\":\"Other group $RUN\"}"
    other_group=$(jq -r .group.id <<<"$BODY")
    count=$(bindings_count)
    for body in \
        "$(binding "$(new_uuid)" organization user "$user" user)" \
        "$(binding "$OTHER_ORG" organization user "$user" user)" \
        "$(binding "$(new_uuid)" resource user "$user" user)" \
        "$(binding "$other_group" resource user "$user" user)" \
        "$(binding "$ORG_ID" resource user "$user" user)" \
        "$(binding "$ORG_ID" organization user "$(new_uuid)" user)" \
        "$(binding "$ORG_ID" organization user "$OTHER_ADMIN" user)" \
        "$(binding "$ORG_ID" organization user "$(new_uuid)" group)" \
        "$(binding "$ORG_ID" organization user "$other_group" group)" \
        "$(binding "$ORG_ID" organization user "$group" user)" \
        "$(binding "$ORG_ID" organization user "$user" group)"; do
        req POST /api/v1/permissions "$body"
        expect_status 404
        expect_envelope NOT_FOUND
    done
    expect_eq "$(bindings_count)" "$count"
}

a_service_account_subject_is_stored_as_given_and_grants_nothing() {
    local sa; sa=$(new_uuid)
    req POST /api/v1/permissions "$(binding "$ORG_ID" organization admin "$sa" service_account)"
    expect_status 201
    expect_json '.permission.subjectType' 'service_account'
    expect_json '.permission.subjectId' "$sa"
    expect_eq "$(psql_q "SELECT subject_type FROM permission_bindings WHERE subject_id = '$sa'")" "service_account"
}

a_resource_binding_names_a_group_of_the_organization() {
    local group user
    group=$(make_group "Resource")
    user=$(make_user "$(new_email resource)")
    req POST /api/v1/permissions "$(binding "$group" resource user "$user" user)"
    expect_status 201
    expect_json '.permission.objectType' 'resource'
    expect_json '.permission.objectId' "$group"
}

# ---------------------------------------------------------------- delete

deleting_a_binding_answers_204_and_audits_it() {
    local user before
    user=$(make_user "$(new_email delete)")
    grant "$ORG_ID" organization auditor "$user" user
    before=$(activities_of permission.delete)
    req DELETE /api/v1/permissions "{\"id\":$(binding "$ORG_ID" organization auditor "$user" user)}"
    expect_status 204
    expect_eq "$BODY" ""
    expect_eq "$(psql_q "SELECT count(*) FROM permission_bindings WHERE subject_id = '$user'")" "0"
    expect_eq "$(activities_of permission.delete)" "$((before + 1))"
    req DELETE /api/v1/permissions "{\"id\":$(binding "$ORG_ID" organization auditor "$user" user)}"
    expect_status 404
    expect_envelope NOT_FOUND
    expect_eq "$(activities_of permission.delete)" "$((before + 1))"
}

deleting_needs_the_exact_five_tuple() {
    local user
    user=$(make_user "$(new_email tuple)")
    grant "$ORG_ID" organization auditor "$user" user
    req DELETE /api/v1/permissions "{\"id\":$(binding "$ORG_ID" organization user "$user" user)}"
    expect_status 404
    expect_eq "$(psql_q "SELECT count(*) FROM permission_bindings WHERE subject_id = '$user'")" "1"
}

invalid_delete_bodies_answer_400() {
    local user ok count
    user=$(make_user "$(new_email baddelete)")
    grant "$ORG_ID" organization auditor "$user" user
    ok=$(binding "$ORG_ID" organization auditor "$user" user)
    count=$(bindings_count)
    req DELETE /api/v1/permissions '{}'
    expect_status 400; expect_json '.error.details.field' 'id'
    req DELETE /api/v1/permissions "$ok"
    expect_status 400; expect_envelope VALIDATION_ERROR
    req DELETE /api/v1/permissions "{\"id\":$(jq -c 'del(.subjectType)' <<<"$ok")}"
    expect_status 400; expect_json '.error.details.field' 'id.subjectType'
    req DELETE /api/v1/permissions "{\"id\":$(jq -c '.subjectId = "nope"' <<<"$ok")}"
    expect_status 400; expect_json '.error.details.field' 'id.subjectId'
    req DELETE /api/v1/permissions "{\"id\":$(jq -c '.role = "root"' <<<"$ok")}"
    expect_status 400; expect_json '.error.details.field' 'id.role'
    req DELETE /api/v1/permissions "{\"id\":$(jq -c '.expiresAt = null' <<<"$ok")}"
    expect_status 400; expect_json '.error.details.field' 'id.expiresAt'
    req DELETE /api/v1/permissions
    expect_status 400; expect_envelope INVALID_JSON
    expect_eq "$(bindings_count)" "$count"
}

other_methods_answer_405() {
    req PUT /api/v1/permissions '{}'
    expect_status 405
    expect_envelope METHOD_NOT_ALLOWED
    expect_header Allow 'GET'
    req POST /api/v1/permissions/check '{}'
    expect_status 405
}

# ---------------------------------------------------------------- list

listing_returns_the_permission_shape_and_limit() {
    local user; user=$(make_user "$(new_email listshape)")
    grant "$ORG_ID" organization user "$user" user
    req GET "/api/v1/permissions?subjectId=$user"
    expect_status 200
    expect_json 'keys' '["limit","permissions"]'
    expect_json '.limit' '50'
    expect_json '.permissions | length' '1'
    expect_json '.permissions[0] | keys' '["createdAt","enabled","expiresAt","objectId","objectType","role","subjectId","subjectType","updatedAt"]'
    expect_json '.permissions[0].subjectId' "$user"
}

every_filter_narrows_the_list() {
    local group u1 u2 sa
    group=$(make_group "Filters")
    u1=$(make_user "$(new_email filter1)"); u2=$(make_user "$(new_email filter2)"); sa=$(new_uuid)
    grant "$group" resource user "$u1" user
    grant "$group" resource auditor "$u2" user
    grant "$group" resource user "$sa" service_account
    grant "$ORG_ID" organization auditor "$u1" user
    req GET "/api/v1/permissions?resourceId=$group"
    expect_status 200
    expect_json '[.permissions[].objectId] | unique' "[\"$group\"]"
    expect_json '.permissions | length' '3'
    req GET "/api/v1/permissions?resourceId=$group&role=user"
    expect_json '[.permissions[].subjectId] | sort' "$(jq -cn --arg a "$u1" --arg b "$sa" '[$a, $b] | sort')"
    req GET "/api/v1/permissions?resourceId=$group&subjectType=service_account"
    expect_json '[.permissions[].subjectId]' "[\"$sa\"]"
    req GET "/api/v1/permissions?subjectId=$u1"
    expect_json '.permissions | length' '2'
    expect_json '[.permissions[].subjectId] | unique' "[\"$u1\"]"
    req GET "/api/v1/permissions?subjectId=$u1&resourceId=$ORG_ID"
    expect_json '[.permissions[] | .objectType + " " + .role]' '["organization auditor"]'
    req GET "/api/v1/permissions?subjectId=$u1&customerId=$ORG_ID&role=auditor&subjectType=user"
    expect_json '.permissions | length' '1'
    req GET "/api/v1/permissions?subjectId=$u1&subjectType=group"
    expect_json '.permissions' '[]'
    req GET "/api/v1/permissions?role=admin&subjectId=$u2"
    expect_json '.permissions' '[]'
    # Every role filter value matches only its role.
    req GET "/api/v1/permissions?role=auditor&limit=1000"
    expect_json '[.permissions[].role] | unique' '["auditor"]'
}

malformed_filters_answer_400() {
    local q
    for q in resourceId=x customerId=x subjectId=123 role=owner subjectType=robot limit=0 limit=1001 limit=abc \
        limit=-1 after=garbage before=garbage; do
        req GET "/api/v1/permissions?$q"
        expect_status 400
        expect_envelope VALIDATION_ERROR
        expect_json '.error.details.field' "${q%%=*}"
    done
}

another_customer_id_answers_404() {
    req GET "/api/v1/permissions?customerId=$OTHER_ORG"
    expect_status 404
    expect_envelope NOT_FOUND
    req GET "/api/v1/permissions?customerId=$(new_uuid)"
    expect_status 404
}

# Walks every page of QUERY forward (after) from the first page, then backward
# (before) from the last; prints the items of both walks, one per line, as
# forward|<json> and backward|<json> in list order; checks the cursor keys.
walk() { # query limit
    local query=$1 limit=$2 cursor="" pages=0 page
    while :; do
        req GET "/api/v1/permissions?$query&limit=$limit${cursor:+&after=$cursor}"
        [[ $STATUS == 200 ]] || fail "walk forward: $STATUS"
        if ((pages == 0)); then jq -e 'has("before") | not' <<<"$BODY" >/dev/null || fail "first page has before"; fi
        ((pages > 0)) && { jq -e 'has("before")' <<<"$BODY" >/dev/null || fail "page $pages has no before"; }
        jq -e --argjson l "$limit" '.limit == $l and (.permissions | length) <= $l' <<<"$BODY" >/dev/null || fail "page size"
        jq -r '.permissions[] | "forward|" + tojson' <<<"$BODY"
        pages=$((pages + 1))
        ((pages < 100)) || fail "walk forward: too many pages"
        cursor=$(jq -r '.after // empty' <<<"$BODY")
        [[ -n $cursor ]] || break
    done
    # Backward from the last page (the body now holds it).
    page=$BODY
    local collected=()
    while :; do
        collected=("$(jq -c '.permissions' <<<"$page")" "${collected[@]}")
        cursor=$(jq -r '.before // empty' <<<"$page")
        [[ -n $cursor ]] || break
        req GET "/api/v1/permissions?$query&limit=$limit&before=$cursor"
        [[ $STATUS == 200 ]] || fail "walk backward: $STATUS"
        jq -e 'has("after")' <<<"$BODY" >/dev/null || fail "a before-page has no after"
        jq -e --argjson l "$limit" '(.permissions | length) == $l' <<<"$BODY" >/dev/null || fail "a before-page is short"
        page=$BODY
    done
    printf '%s\n' "${collected[@]}" | jq -r '.[] | "backward|" + tojson'
}

cursors_walk_forward_and_backward_without_duplicates_or_gaps() {
    local group i out forward backward want
    group=$(make_group "Walk")
    # One statement: many rows share a createdAt millisecond, so the id breaks the ties.
    psql_q "INSERT INTO permission_bindings (organization_id, object_id, object_type, role, subject_id, subject_type)
            SELECT '$ORG_ID', '$group', 'resource', 'user', gen_random_uuid(), 'service_account'
            FROM generate_series(1, 58)" >/dev/null
    for ((i = 0; i < 3; i++)); do grant "$group" resource user "$(new_uuid)" service_account; done
    (($(psql_q "SELECT count(DISTINCT created_at) FROM permission_bindings WHERE object_id = '$group'") < 61)) ||
        fail "expected createdAt ties"
    want=$(psql_q "SELECT subject_id FROM permission_bindings WHERE object_id = '$group' ORDER BY created_at, id")
    out=$(walk "resourceId=$group" 7)
    forward=$(sed -n 's/^forward|//p' <<<"$out" | jq -r .subjectId)
    backward=$(sed -n 's/^backward|//p' <<<"$out" | jq -r .subjectId)
    expect_eq "$(wc -l <<<"$forward")" "61"
    expect_eq "$(sort -u <<<"$forward" | wc -l)" "61"
    expect_eq "$forward" "$want"
    expect_eq "$backward" "$want"
    # The default page size is 50: two pages.
    req GET "/api/v1/permissions?resourceId=$group"
    expect_json '.permissions | length' '50'
    expect_json 'has("after") and (has("before") | not)' 'true'
    req GET "/api/v1/permissions?resourceId=$group&after=$(jq -r .after <<<"$BODY")"
    expect_json '.permissions | length' '11'
    expect_json 'has("before") and (has("after") | not)' 'true'
    # Items ascend by createdAt on every page.
    expect_json '[.permissions[].createdAt] == ([.permissions[].createdAt] | sort)' 'true'
}

the_whole_list_walks_in_creation_order() {
    local out forward backward want tuple='[.objectId, .objectType, .role, .subjectId, .subjectType] | join(" ")'
    out=$(walk "customerId=$ORG_ID" 23)
    forward=$(sed -n 's/^forward|//p' <<<"$out" | jq -r "$tuple")
    backward=$(sed -n 's/^backward|//p' <<<"$out" | jq -r "$tuple")
    want=$(psql_q "SELECT concat_ws(' ', object_id, object_type, role, subject_id, subject_type) FROM permission_bindings
                   WHERE organization_id = '$ORG_ID' ORDER BY created_at, id")
    expect_eq "$forward" "$want"
    expect_eq "$backward" "$want"
}

a_cursor_only_works_for_its_own_list() {
    local group cursor
    group=$(make_group "Cursor")
    grant "$group" resource user "$(new_uuid)" service_account
    grant "$group" resource user "$(new_uuid)" service_account
    req GET "/api/v1/permissions?resourceId=$group&limit=1"
    cursor=$(jq -r .after <<<"$BODY")
    [[ -n $cursor && $cursor != null ]] || fail "no after cursor"
    req GET "/api/v1/permissions?resourceId=$group&limit=1&after=$cursor"
    expect_status 200
    req GET "/api/v1/permissions?limit=1&after=$cursor"
    expect_status 400; expect_json '.error.details.field' 'after'
    req GET "/api/v1/permissions?resourceId=$group&role=user&limit=1&after=$cursor"
    expect_status 400
    req GET "/api/v1/permissions?resourceId=$group&limit=1&after=${cursor}x"
    expect_status 400
    req GET "/api/v1/permissions?resourceId=$group&limit=1&after=$cursor&before=$cursor"
    expect_status 400
    TOKEN=$OTHER_TOKEN req GET "/api/v1/permissions?resourceId=$group&limit=1&after=$cursor"
    expect_status 400
}

# ---------------------------------------------------------------- the effective-scope model

expiring_binding_grants_then_stops_granting_without_a_new_login() {
    local email user token expires i
    email=$(new_email expiring); user=$(make_user "$email")
    token=$(login "$email" "$ADMIN_PASSWORD")
    TOKEN=$token req GET /api/v1/permissions
    expect_status 403
    expires=$(iso_in '+3 seconds')
    grant "$ORG_ID" organization auditor "$user" user "$expires"
    TOKEN=$token req GET "/api/v1/permissions?subjectId=$user"
    expect_status 200
    expect_json '.permissions[0].expiresAt' "$expires"
    for ((i = 0; i < 60; i++)); do
        TOKEN=$token req GET /api/v1/permissions
        [[ $STATUS == 200 ]] || break
        sleep 0.2
    done
    expect_status 403
    expect_envelope FORBIDDEN
    [[ $(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) > "$expires" ]] || fail "revoked before $expires"
    # The binding is still listed, with its expiry.
    req GET "/api/v1/permissions?subjectId=$user"
    expect_json '.permissions[0].expiresAt' "$expires"
}

removing_a_binding_revokes_at_once() {
    local email user token
    email=$(new_email remove); user=$(make_user "$email")
    token=$(login "$email" "$ADMIN_PASSWORD")
    grant "$ORG_ID" organization auditor "$user" user
    TOKEN=$token req GET "/v1/organizations/$ORG_ID/activities?limit=1"
    expect_status 200
    revoke "$ORG_ID" organization auditor "$user" user
    TOKEN=$token req GET "/v1/organizations/$ORG_ID/activities?limit=1"
    expect_status 403
    expect_envelope FORBIDDEN
}

a_group_binding_grants_its_members_until_they_leave() {
    local email user token group
    email=$(new_email member); user=$(make_user "$email")
    token=$(login "$email" "$ADMIN_PASSWORD")
    group=$(make_group "Auditors")
    grant "$ORG_ID" organization auditor "$group" group
    TOKEN=$token req GET /api/v1/permissions
    expect_status 403
    TOKEN=$ADMIN_TOKEN req POST "/api/v1/groups/$group/users/$user"
    expect_status 200
    TOKEN=$token req GET /api/v1/permissions
    expect_status 200
    TOKEN=$ADMIN_TOKEN req DELETE "/api/v1/groups/$group/users/$user"
    expect_status 204
    TOKEN=$token req GET /api/v1/permissions
    expect_status 403
}

a_resource_admin_binding_manages_that_group_and_nothing_else() {
    local email user token g1 g2 other
    email=$(new_email resadmin); user=$(make_user "$email")
    other=$(make_user "$(new_email resother)")
    token=$(login "$email" "$ADMIN_PASSWORD")
    g1=$(make_group "Managed"); g2=$(make_group "Unmanaged")
    TOKEN=$token req PUT "/api/v1/groups/$g1" '{"description":"before"}'
    expect_status 403
    grant "$g1" resource admin "$user" user
    TOKEN=$token req PUT "/api/v1/groups/$g1" '{"description":"managed by a binding"}'
    expect_status 200
    expect_json '.group.description' 'managed by a binding'
    TOKEN=$token req POST "/api/v1/groups/$g1/users/$other"
    expect_status 200
    expect_json '.isMember' 'true'
    TOKEN=$token req POST "/api/v1/groups/$g1/users" "{\"userIds\":[\"$other\",\"$user\"]}"
    expect_status 200
    TOKEN=$token req DELETE "/api/v1/groups/$g1/users/$other"
    expect_status 204
    expect_eq "$(psql_q "SELECT count(*) FROM memberships WHERE group_id = '$g1'")" "1"
    TOKEN=$token req PUT "/api/v1/groups/$g2" '{"description":"not mine"}'
    expect_status 403
    TOKEN=$token req POST "/api/v1/groups/$g2/users/$other"
    expect_status 403
    TOKEN=$token req DELETE "/api/v1/groups/$g1"
    expect_status 403
    TOKEN=$token req POST /api/v1/groups "{\"name\":\"Mine $RUN\"}"
    expect_status 403
    TOKEN=$token req POST /api/v1/permissions "$(binding "$g2" resource admin "$user" user)"
    expect_status 403
    expect_eq "$(psql_q "SELECT description FROM groups WHERE id = '$g2'")" ""
    expect_eq "$(psql_q "SELECT count(*) FROM groups WHERE id = '$g1'")" "1"
}

an_org_wide_admin_binding_makes_an_administrator_until_removed() {
    local email user token target
    email=$(new_email orgadmin); user=$(make_user "$email")
    target=$(make_user "$(new_email orgadmintarget)")
    token=$(login "$email" "$ADMIN_PASSWORD")
    grant "$ORG_ID" organization admin "$user" user
    TOKEN=$token req POST /api/v1/groups "{\"name\":\"By binding $RUN\"}"
    expect_status 201
    TOKEN=$token req POST /api/v1/permissions "$(binding "$ORG_ID" organization admin "$target" user)"
    expect_status 201
    TOKEN=$token req DELETE /api/v1/permissions "{\"id\":$(binding "$ORG_ID" organization admin "$target" user)}"
    expect_status 204
    revoke "$ORG_ID" organization admin "$user" user
    TOKEN=$token req POST /api/v1/groups "{\"name\":\"After revoke $RUN\"}"
    expect_status 403
}

a_plain_user_cannot_grant_itself_anything() {
    local email user token count role
    email=$(new_email selfgrant); user=$(make_user "$email")
    token=$(login "$email" "$ADMIN_PASSWORD")
    count=$(bindings_count)
    for role in admin auditor user; do
        TOKEN=$token req POST /api/v1/permissions "$(binding "$ORG_ID" organization "$role" "$user" user)"
        expect_status 403
        expect_envelope FORBIDDEN
    done
    TOKEN=$token req GET /api/v1/permissions
    expect_status 403
    TOKEN=$token req GET "/api/v1/permissions/check?subjectId=$user&scope=read:users"
    expect_status 403
    grant "$ORG_ID" organization user "$user" user
    TOKEN=$token req DELETE /api/v1/permissions "{\"id\":$(binding "$ORG_ID" organization user "$user" user)}"
    expect_status 403
    expect_eq "$(bindings_count)" "$((count + 1))"
}

write_permissions_without_admin_grants_only_what_the_caller_holds() {
    local email user token group target count
    email=$(new_email delegate); user=$(make_user "$email")
    target=$(make_user "$(new_email delegatetarget)")
    token=$(login "$email" "$ADMIN_PASSWORD")
    group=$(make_group "Delegates" '["read:permissions","write:permissions"]')
    TOKEN=$ADMIN_TOKEN req POST "/api/v1/groups/$group/users/$user"
    expect_status 200
    count=$(bindings_count)
    # auditor would give read:activities and read:projects, which the caller lacks.
    TOKEN=$token req POST /api/v1/permissions "$(binding "$ORG_ID" organization auditor "$target" user)"
    expect_status 403
    TOKEN=$token req POST /api/v1/permissions "$(binding "$ORG_ID" organization admin "$target" user)"
    expect_status 403
    expect_eq "$(bindings_count)" "$count"
    TOKEN=$token req POST /api/v1/permissions "$(binding "$ORG_ID" organization user "$target" user)"
    expect_status 201
    expect_eq "$(psql_q "SELECT actor_id FROM activities WHERE type = 'permission.create' ORDER BY created_at DESC, id DESC LIMIT 1")" "$user"
    grant "$ORG_ID" organization admin "$target" user
    TOKEN=$token req DELETE /api/v1/permissions "{\"id\":$(binding "$ORG_ID" organization admin "$target" user)}"
    expect_status 403
    TOKEN=$token req DELETE /api/v1/permissions "{\"id\":$(binding "$ORG_ID" organization user "$target" user)}"
    expect_status 204
}

another_organizations_bindings_are_invisible() {
    local sa group count
    sa=$(new_uuid)
    TOKEN=$OTHER_TOKEN req POST /api/v1/permissions "$(binding "$OTHER_ORG" organization auditor "$sa" service_account)"
    expect_status 201
    req GET "/api/v1/permissions?subjectId=$sa"
    expect_status 200
    expect_json '.permissions' '[]'
    req GET "/api/v1/permissions?resourceId=$OTHER_ORG"
    expect_json '.permissions' '[]'
    req GET "/api/v1/permissions?limit=1000"
    expect_json "[.permissions[] | select(.objectId == \"$OTHER_ORG\")] | length" '0'
    req DELETE /api/v1/permissions "{\"id\":$(binding "$OTHER_ORG" organization auditor "$sa" service_account)}"
    expect_status 404
    expect_eq "$(psql_q "SELECT count(*) FROM permission_bindings WHERE subject_id = '$sa'")" "1"
    # And the other way round.
    group=$(make_group "Mine only")
    count=$(bindings_count)
    TOKEN=$OTHER_TOKEN req POST /api/v1/permissions "$(binding "$ORG_ID" organization admin "$OTHER_ADMIN" user)"
    expect_status 404
    TOKEN=$OTHER_TOKEN req POST /api/v1/permissions "$(binding "$group" resource admin "$OTHER_ADMIN" user)"
    expect_status 404
    TOKEN=$OTHER_TOKEN req POST /api/v1/permissions "$(binding "$OTHER_ORG" organization auditor "$ADMIN_ID" user)"
    expect_status 404
    TOKEN=$OTHER_TOKEN req GET "/api/v1/permissions/check?subjectId=$ADMIN_ID&scope=read:users"
    expect_status 404
    expect_eq "$(bindings_count)" "$count"
    TOKEN=$OTHER_TOKEN req GET "/api/v1/permissions?subjectId=$sa"
    expect_json '.permissions | length' '1'
}

deleting_a_group_removes_the_bindings_naming_it() {
    local group user
    group=$(make_group "Doomed")
    user=$(make_user "$(new_email doomed)")
    grant "$group" resource user "$user" user
    grant "$ORG_ID" organization auditor "$group" group
    req DELETE "/api/v1/groups/$group"
    expect_status 204
    expect_eq "$(psql_q "SELECT count(*) FROM permission_bindings WHERE object_id = '$group' OR subject_id = '$group'")" "0"
    expect_eq "$(psql_q "SELECT count(*) FROM permission_bindings WHERE subject_id = '$user'")" "0"
}

deleting_a_user_removes_its_bindings() {
    local user
    user=$(make_user "$(new_email gone)")
    grant "$ORG_ID" organization auditor "$user" user
    psql_q "DELETE FROM users WHERE id = '$user'" >/dev/null
    expect_eq "$(psql_q "SELECT count(*) FROM permission_bindings WHERE subject_id = '$user'")" "0"
}

# ---------------------------------------------------------------- check (cabinet extension)

check_explains_a_role_grant() {
    req GET "/api/v1/permissions/check?subjectId=$ADMIN_ID&scope=write:permissions"
    expect_status 200
    expect_json '.' '{"allowed":true,"via":[{"type":"role","role":"admin"}]}'
}

check_answers_false_with_no_reasons() {
    local user; user=$(make_user "$(new_email checkfalse)")
    req GET "/api/v1/permissions/check?subjectId=$user&scope=read:activities"
    expect_status 200
    expect_json '.' '{"allowed":false,"via":[]}'
    req GET "/api/v1/permissions/check?subjectId=$user&scope=read:users"
    expect_json '.' '{"allowed":true,"via":[{"type":"role","role":"user"}]}'
}

check_explains_group_permissions_and_bindings() {
    local user group group2 expires
    user=$(make_user "$(new_email checkall)")
    group=$(make_group "Readers" '["read:activities"]')
    group2=$(make_group "Binders")
    TOKEN=$ADMIN_TOKEN req POST "/api/v1/groups/$group/users/$user"
    TOKEN=$ADMIN_TOKEN req POST "/api/v1/groups/$group2/users/$user"
    expires=$(iso_in '+1 hour')
    grant "$ORG_ID" organization auditor "$user" user "$expires"
    grant "$ORG_ID" organization auditor "$group2" group
    req GET "/api/v1/permissions/check?subjectId=$user&scope=read:activities"
    expect_status 200
    expect_json '.allowed' 'true'
    expect_json '.via | length' '3'
    expect_json '.via[] | select(.type == "group")' "{\"type\":\"group\",\"groupId\":\"$group\",\"scope\":\"read:activities\"}"
    expect_json "[.via[] | select(.type == \"binding\" and .subjectType == \"user\")][0]" \
        "{\"type\":\"binding\",\"role\":\"auditor\",\"objectType\":\"organization\",\"objectId\":\"$ORG_ID\",\"subjectType\":\"user\",\"subjectId\":\"$user\",\"expiresAt\":\"$expires\"}"
    expect_json "[.via[] | select(.type == \"binding\" and .subjectType == \"group\")][0]" \
        "{\"type\":\"binding\",\"role\":\"auditor\",\"objectType\":\"organization\",\"objectId\":\"$ORG_ID\",\"subjectType\":\"group\",\"subjectId\":\"$group2\",\"expiresAt\":null}"
    req GET "/api/v1/permissions/check?subjectId=$user&scope=write:groups"
    expect_json '.' '{"allowed":false,"via":[]}'
}

check_explains_a_resource_binding_only_on_its_resource() {
    local user group other
    user=$(make_user "$(new_email checkres)")
    group=$(make_group "Checked"); other=$(make_group "Unchecked")
    grant "$group" resource admin "$user" user
    req GET "/api/v1/permissions/check?subjectId=$user&scope=write:groups&resourceId=$group"
    expect_status 200
    expect_json '.allowed' 'true'
    expect_json '.via' "[{\"type\":\"binding\",\"role\":\"admin\",\"objectType\":\"resource\",\"objectId\":\"$group\",\"subjectType\":\"user\",\"subjectId\":\"$user\",\"expiresAt\":null}]"
    req GET "/api/v1/permissions/check?subjectId=$user&scope=write:groups&resourceId=$other"
    expect_json '.' '{"allowed":false,"via":[]}'
    req GET "/api/v1/permissions/check?subjectId=$user&scope=write:groups"
    expect_json '.' '{"allowed":false,"via":[]}'
    req GET "/api/v1/permissions/check?subjectId=$user&scope=write:users&resourceId=$group"
    expect_json '.allowed' 'false'
}

check_of_a_disabled_user_allows_nothing() {
    local user; user=$(make_user "$(new_email checkdisabled)")
    psql_q "UPDATE users SET enabled = false WHERE id = '$user'" >/dev/null
    req GET "/api/v1/permissions/check?subjectId=$user&scope=read:users"
    expect_status 200
    expect_json '.' '{"allowed":false,"via":[]}'
}

check_rejects_bad_questions() {
    local user group; user=$(make_user "$(new_email checkbad)"); group=$(make_group "Check bad")
    req GET "/api/v1/permissions/check?scope=read:users"
    expect_status 400; expect_envelope VALIDATION_ERROR; expect_json '.error.details.field' 'subjectId'
    req GET "/api/v1/permissions/check?subjectId=nope&scope=read:users"
    expect_status 400; expect_json '.error.details.field' 'subjectId'
    req GET "/api/v1/permissions/check?subjectId=$user&scope=fly:planes"
    expect_status 400; expect_json '.error.details.field' 'scope'
    req GET "/api/v1/permissions/check?subjectId=$user"
    expect_status 400; expect_json '.error.details.field' 'scope'
    req GET "/api/v1/permissions/check?subjectId=$user&scope=read:users&resourceId=x"
    expect_status 400; expect_json '.error.details.field' 'resourceId'
    req GET "/api/v1/permissions/check?subjectId=$(new_uuid)&scope=read:users"
    expect_status 404; expect_envelope NOT_FOUND
    req GET "/api/v1/permissions/check?subjectId=$group&scope=read:users"
    expect_status 404
    req GET "/api/v1/permissions/check?subjectId=$user&scope=read:users&resourceId=$(new_uuid)"
    expect_status 404
}

# Every responder keeps the principals it has read (lib/auth.cpp) and reuses
# one only while its organization's authz epoch (sql/025) is unchanged. Each
# change below, made through the API or straight in the database, must apply
# to the very next request whichever responder answers it: the same request is
# sent twelve times (over kept and new FastCGI connections alike), and every
# answer must agree.
on_every_worker() { # token status method path [body]
    local i
    for ((i = 0; i < 12; i++)); do
        TOKEN=$1 req "$3" "$4" "${5-}"
        [[ $STATUS == "$2" ]] || { fail "request $((i + 1)) of $3 $4: $STATUS, expected $2"; return; }
    done
}

a_change_in_the_database_applies_at_once_on_every_worker() {
    local email user token group
    email=$(new_email everyworker); user=$(make_user "$email")
    token=$(login "$email" "$ADMIN_PASSWORD")
    after() { psql_q "$1" >/dev/null; on_every_worker "$token" "$2" GET /api/v1/permissions; } # sql status
    grant "$ORG_ID" organization auditor "$user" user
    on_every_worker "$token" 200 GET /api/v1/permissions
    after "UPDATE permission_bindings SET enabled = false WHERE subject_id = '$user'" 403
    after "UPDATE permission_bindings SET enabled = true WHERE subject_id = '$user'" 200
    after "DELETE FROM permission_bindings WHERE subject_id = '$user'" 403
    # A group's permissions, and the membership that carries them.
    group=$(make_group "Every reader" '["read:permissions"]')
    TOKEN=$ADMIN_TOKEN req POST "/api/v1/groups/$group/users/$user"
    expect_status 200
    on_every_worker "$token" 200 GET /api/v1/permissions
    after "UPDATE groups SET permissions = '{}' WHERE id = '$group'" 403
    after "UPDATE groups SET permissions = '{read:permissions}' WHERE id = '$group'" 200
    after "DELETE FROM memberships WHERE user_id = '$user'" 403
    # The user's role, then its token version and its existence.
    after "UPDATE users SET role = 'auditor' WHERE id = '$user'" 200
    after "UPDATE users SET token_version = token_version + 1 WHERE id = '$user'" 401
    token=$(login "$email" "$ADMIN_PASSWORD")
    on_every_worker "$token" 200 GET /api/v1/permissions
    after "DELETE FROM users WHERE id = '$user'" 401
}

# A kept principal is proven current by the guard sent ahead of the request's
# first statements (sql/030); an answer that needs no statement (a refusal, a
# body that fails validation) is proven by a round trip of its own. A write
# under a principal found stale does not happen.
a_change_applies_at_once_also_where_the_answer_needs_no_database() {
    local email user token name group
    email=$(new_email everyanswer); user=$(make_user "$email" admin)
    token=$(login "$email" "$ADMIN_PASSWORD")
    name="Stale writer $RUN"
    on_every_worker "$token" 400 POST /api/v1/groups '{"name":""}'
    psql_q "UPDATE users SET role = 'user' WHERE id = '$user'" >/dev/null
    on_every_worker "$token" 403 POST /api/v1/groups '{"name":""}'
    on_every_worker "$token" 403 POST /api/v1/groups "{\"name\":\"$name\"}"
    [[ $(psql_q "SELECT count(*) FROM groups WHERE name = '$name'") == 0 ]] || fail "a stale principal created a group"
    psql_q "UPDATE users SET role = 'admin' WHERE id = '$user'" >/dev/null
    TOKEN=$token req POST /api/v1/groups "{\"name\":\"$name\"}"
    expect_status 201
    group=$(jq -r .group.id <<<"$BODY")
    psql_q "UPDATE users SET enabled = false WHERE id = '$user'" >/dev/null
    on_every_worker "$token" 401 POST /api/v1/groups '{"name":""}'
    on_every_worker "$token" 401 DELETE "/api/v1/groups/$group"
    [[ $(psql_q "SELECT count(*) FROM groups WHERE name = '$name'") == 1 ]] || fail "a disabled user deleted a group"
}

an_expiring_group_binding_stops_granting_on_every_worker() {
    local email user token group expires
    email=$(new_email everyexpiry); user=$(make_user "$email")
    token=$(login "$email" "$ADMIN_PASSWORD")
    group=$(make_group "Expiring")
    TOKEN=$ADMIN_TOKEN req POST "/api/v1/groups/$group/users/$user"
    expect_status 200
    expires=$(iso_in '+3 seconds')
    grant "$ORG_ID" organization auditor "$group" group "$expires"
    on_every_worker "$token" 200 GET /api/v1/permissions
    while [[ $(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) < "$expires" ]]; do sleep 0.2; done
    sleep 0.1
    on_every_worker "$token" 403 GET /api/v1/permissions
}

requests_without_credentials_answer_401() {
    TOKEN="" req GET /api/v1/permissions
    expect_status 401
    expect_envelope UNAUTHORIZED
    TOKEN="" req POST /api/v1/permissions "$(binding "$ORG_ID" organization user "$ADMIN_ID" user)"
    expect_status 401
}

# ---------------------------------------------------------------- no escalation (DESIGN §3, v3)

join_group() { # group user; the admin adds user to group (200 expected)
    TOKEN=$ADMIN_TOKEN req POST "/api/v1/groups/$1/users/$2"
    [[ $STATUS == 200 ]] || fail "join_group $1 $2: $STATUS"
}
members_of() { psql_q "SELECT count(*) FROM memberships WHERE group_id = '$1'"; }

# A user of role `user` holding the scopes of a group it belongs to; prints "id token".
scoped_user() { # name permissions-JSON
    local user grp
    user=$(make_user "$(new_email "$1")")
    grp=$(make_group "scoped-$1" "$2")
    join_group "$grp" "$user"
    echo "$user $(login "$(new_email "$1")" "$ADMIN_PASSWORD")"
}
group_writer() { scoped_user "$1" '["read:groups","write:groups"]'; }
users_writer() { scoped_user "$1" '["read:users","write:users"]'; }

joining_a_group_that_holds_an_org_admin_binding_is_403_on_every_membership_path() {
    local me t grp
    read -r me t <<<"$(group_writer joinadmin)"
    grp=$(make_group joinadmin-target)
    grant "$ORG_ID" organization admin "$grp" group
    TOKEN=$t req POST "/api/v1/groups/$grp/users/$me"
    expect_status 403
    expect_envelope FORBIDDEN
    TOKEN=$t req POST "/api/groups/$grp/users" "{\"userId\":\"$me\"}"
    expect_status 403
    TOKEN=$t req POST "/api/v1/groups/$grp/users" "{\"userIds\":[\"$me\"]}"
    expect_status 403
    expect_eq "$(members_of "$grp")" 0
    TOKEN=$t req PATCH "/v1/organizations/$ORG_ID" '{"name":"taken over"}'
    expect_status 403
}

joining_a_group_whose_binding_gives_scopes_the_caller_lacks_is_403() {
    local me t grp
    read -r me t <<<"$(group_writer joinauditor)"
    grp=$(make_group joinauditor-target)
    grant "$ORG_ID" organization auditor "$grp" group  # gives read:activities, read:permissions, …
    TOKEN=$t req POST "/api/v1/groups/$grp/users/$me"
    expect_status 403
    expect_eq "$(members_of "$grp")" 0
}

joining_a_group_whose_bindings_give_only_what_the_caller_holds_is_allowed() {
    local me t grp
    read -r me t <<<"$(group_writer joinuser)"
    grp=$(make_group joinuser-target)
    grant "$ORG_ID" organization user "$grp" group  # read:users, read:groups, read:organization: the caller's role
    TOKEN=$t req POST "/api/v1/groups/$grp/users/$me"
    expect_status 200
    expect_json '.isMember' 'true'
    expect_eq "$(members_of "$grp")" 1
}

write_users_cannot_touch_a_user_who_is_admin_through_a_binding() {
    local me t direct via grp before
    read -r me t <<<"$(users_writer takeover)"
    direct=$(make_user "$(new_email takeover-direct)")
    grant "$ORG_ID" organization admin "$direct" user
    via=$(make_user "$(new_email takeover-via)")
    grp=$(make_group takeover-admins)
    grant "$ORG_ID" organization admin "$grp" group
    join_group "$grp" "$via"
    for target in "$direct" "$via"; do
        before=$(psql_q "SELECT email || password_hash || enabled FROM users WHERE id = '$target'")
        TOKEN=$t req PUT "/api/users/$target" '{"password":"a brand new password 1"}'
        expect_status 403
        TOKEN=$t req PUT "/api/users/$target" "{\"email\":\"$(new_email "moved-$target")\"}"
        expect_status 403
        TOKEN=$t req PUT "/api/users/$target" '{"enabled":false}'
        expect_status 403
        TOKEN=$t req DELETE "/api/users/$target"
        expect_status 403
        expect_eq "$(psql_q "SELECT email || password_hash || enabled FROM users WHERE id = '$target'")" "$before"
    done
    # A plain user is still the write:users holder's to manage.
    local plain
    plain=$(make_user "$(new_email takeover-plain)")
    TOKEN=$t req PUT "/api/users/$plain" '{"name":"Renamed"}'
    expect_status 200
}

revoking_a_binding_is_bounded_like_granting() {
    local me t target
    read -r me t <<<"$(scoped_user revoker '["read:permissions","write:permissions"]')"
    target=$(make_user "$(new_email revoked)")
    grant "$ORG_ID" organization auditor "$target" user  # read:activities: not the revoker's
    TOKEN=$t req DELETE /api/v1/permissions "{\"id\":$(binding "$ORG_ID" organization auditor "$target" user)}"
    expect_status 403
    expect_eq "$(psql_q "SELECT count(*) FROM permission_bindings WHERE subject_id = '$target'")" 1
    grant "$ORG_ID" organization user "$target" user  # only what a role-user revoker holds
    TOKEN=$t req DELETE /api/v1/permissions "{\"id\":$(binding "$ORG_ID" organization user "$target" user)}"
    expect_status 204
    expect_eq "$(psql_q "SELECT count(*) FROM permission_bindings WHERE subject_id = '$target'")" 1
}

test_case creating_a_binding_answers_201_with_the_permission_and_audits_it
test_case a_binding_without_expiry_has_expires_at_null
test_case an_expiry_with_an_offset_is_stored_in_utc_at_millisecond_precision
test_case a_duplicate_binding_answers_409_and_changes_nothing
test_case invalid_bindings_answer_400_and_change_nothing
test_case references_outside_the_organization_answer_404_and_change_nothing
test_case a_service_account_subject_is_stored_as_given_and_grants_nothing
test_case a_resource_binding_names_a_group_of_the_organization
test_case deleting_a_binding_answers_204_and_audits_it
test_case deleting_needs_the_exact_five_tuple
test_case invalid_delete_bodies_answer_400
test_case other_methods_answer_405
test_case listing_returns_the_permission_shape_and_limit
test_case every_filter_narrows_the_list
test_case malformed_filters_answer_400
test_case another_customer_id_answers_404
test_case cursors_walk_forward_and_backward_without_duplicates_or_gaps
test_case the_whole_list_walks_in_creation_order
test_case a_cursor_only_works_for_its_own_list
test_case expiring_binding_grants_then_stops_granting_without_a_new_login
test_case removing_a_binding_revokes_at_once
test_case a_group_binding_grants_its_members_until_they_leave
test_case a_resource_admin_binding_manages_that_group_and_nothing_else
test_case an_org_wide_admin_binding_makes_an_administrator_until_removed
test_case a_plain_user_cannot_grant_itself_anything
test_case write_permissions_without_admin_grants_only_what_the_caller_holds
test_case another_organizations_bindings_are_invisible
test_case deleting_a_group_removes_the_bindings_naming_it
test_case deleting_a_user_removes_its_bindings
test_case check_explains_a_role_grant
test_case check_answers_false_with_no_reasons
test_case check_explains_group_permissions_and_bindings
test_case check_explains_a_resource_binding_only_on_its_resource
test_case check_of_a_disabled_user_allows_nothing
test_case check_rejects_bad_questions
test_case a_change_in_the_database_applies_at_once_on_every_worker
test_case a_change_applies_at_once_also_where_the_answer_needs_no_database
test_case an_expiring_group_binding_stops_granting_on_every_worker
test_case requests_without_credentials_answer_401
test_case joining_a_group_that_holds_an_org_admin_binding_is_403_on_every_membership_path
test_case joining_a_group_whose_binding_gives_scopes_the_caller_lacks_is_403
test_case joining_a_group_whose_bindings_give_only_what_the_caller_holds_is_allowed
test_case write_users_cannot_touch_a_user_who_is_admin_through_a_binding
test_case revoking_a_binding_is_bounded_like_granting
summary
