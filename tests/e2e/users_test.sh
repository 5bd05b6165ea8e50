#!/usr/bin/env bash
# 2GC users (/api/users…) end to end through nginx: shapes, errors, tenancy,
# the authorization rules of DESIGN §3, the last-admin rule, token revocation,
# cascades and the audit log.
source "$(dirname "$0")/lib.sh"

SFX=$(($(date +%s%N) % 900000 + 100000))
PW="Correct-Horse-$SFX"
ADMIN_TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
TOKEN=$ADMIN_TOKEN

email_of() { echo "$1-$SFX@example.com"; }

# new_user TAG [ROLE] [ENABLED]: created by the admin through the API; prints its id.
new_user() {
    local body
    body=$(jq -cn --arg e "$(email_of "$1")" --arg n "User $1" --arg r "${2:-user}" --arg p "$PW" \
        --argjson en "${3:-true}" '{email: $e, name: $n, role: $r, password: $p, enabled: $en}')
    TOKEN=$ADMIN_TOKEN req POST /api/users "$body"
    [[ $STATUS == 201 ]] || fail "new_user $1: expected 201"
    jq -r .user.id <<<"$BODY"
}

user_token() { login "$(email_of "$1")" "${2:-$PW}"; }

audits() { psql_q "SELECT count(*) FROM activities WHERE organization_id = '$ORG_ID'"; }
users_count() { psql_q "SELECT count(*) FROM users"; }
# The newest activity of TYPE: "actor_id actor_type".
last_activity() {
    psql_q "SELECT actor_id || ' ' || actor_type FROM activities WHERE organization_id = '$ORG_ID'
            AND type = '$1' ORDER BY created_at DESC, id DESC LIMIT 1"
}
row_of() { psql_q "SELECT email || '|' || name || '|' || role || '|' || enabled || '|' || token_version FROM users WHERE id = '$1'"; }

ISO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$'

# ---------------------------------------------------------------- create

creating_a_user_answers_201_with_the_user_and_audits_it() {
    local before; before=$(audits)
    req POST /api/users "{\"email\":\"$(email_of created)\",\"name\":\"John Doe\",\"role\":\"user\",\"password\":\"$PW\"}"
    expect_status 201
    expect_json '.user | keys' '["createdAt","email","enabled","id","name","organizationId","role","updatedAt"]'
    expect_json '.user.email' "$(email_of created)"
    expect_json '.user.name' 'John Doe'
    expect_json '.user.role' 'user'
    expect_json '.user.enabled' 'true'
    expect_json '.user.organizationId' "$ORG_ID"
    expect_json ".user.createdAt | test(\"$ISO\")" 'true'
    expect_json '.user.updatedAt == .user.createdAt' 'true'
    local id; id=$(jq -r .user.id <<<"$BODY")
    expect_eq "$(row_of "$id")" "$(email_of created)|John Doe|user|true|0"
    expect_eq "$(psql_q "SELECT count(*) FROM storage_credentials WHERE user_id = '$id'")" "1"
    expect_eq "$(audits)" "$((before + 1))"
    expect_eq "$(last_activity user.create)" "$ADMIN_ID user"
    user_token created >/dev/null
}

creating_a_disabled_user_keeps_it_from_logging_in() {
    local id; id=$(new_user disabled-at-birth user false)
    expect_eq "$(psql_q "SELECT enabled FROM users WHERE id = '$id'")" "f"
    TOKEN="" req POST /v2/user/auth "{\"username\":\"$(email_of disabled-at-birth)\",\"password\":\"$PW\"}"
    expect_status 401
}

a_user_created_without_password_cannot_log_in_until_a_reset() {
    req POST /api/users "{\"email\":\"$(email_of nopw)\",\"name\":\"No Password\",\"role\":\"user\"}"
    expect_status 201
    local id; id=$(jq -r .user.id <<<"$BODY")
    expect_eq "$(psql_q "SELECT password_hash LIKE '\$pbkdf2-sha256\$%' FROM users WHERE id = '$id'")" "t"
    TOKEN="" req POST /v2/user/auth "{\"username\":\"$(email_of nopw)\",\"password\":\"$PW\"}"
    expect_status 401
    req PUT "/api/users/$id" "{\"password\":\"$PW\"}"
    expect_status 200
    user_token nopw >/dev/null
}

a_duplicate_email_answers_409_case_insensitively_and_changes_nothing() {
    new_user dup >/dev/null
    local n a; n=$(users_count); a=$(audits)
    local upper; upper=$(email_of dup | tr '[:lower:]' '[:upper:]')
    req POST /api/users "{\"email\":\"$upper\",\"name\":\"Dup\",\"role\":\"user\",\"password\":\"$PW\"}"
    expect_status 409
    expect_envelope CONFLICT
    expect_json '.error.details.field' 'email'
    expect_eq "$(users_count)" "$n"
    expect_eq "$(audits)" "$a"
}

invalid_create_bodies_answer_400_and_change_nothing() {
    local n a e; n=$(users_count); a=$(audits); e=$(email_of invalid)
    req POST /api/users "{\"email\":\"invalid-email\",\"name\":\"X\",\"role\":\"user\",\"password\":\"$PW\"}"
    expect_status 400; expect_envelope VALIDATION_ERROR
    expect_json '.error' '{"code":"VALIDATION_ERROR","message":"Invalid email format","details":{"field":"email","value":"invalid-email"}}'
    req POST /api/users "{\"email\":\"a@@b.com\",\"name\":\"X\",\"role\":\"user\"}";                expect_status 400; expect_json '.error.details.field' 'email'
    req POST /api/users "{\"email\":\"$e\",\"name\":\"X\",\"role\":\"superuser\",\"password\":\"$PW\"}"; expect_status 400
    expect_json '.error.details' '{"field":"role","value":"superuser"}'
    req POST /api/users "{\"email\":\"$e\",\"name\":\"X\",\"role\":\"user\",\"password\":\"short\"}";  expect_status 400; expect_json '.error.details.field' 'password'
    req POST /api/users "{\"email\":\"$e\",\"name\":\"X\",\"role\":\"user\",\"password\":\"$(printf 'p%.0s' {1..257})\"}"; expect_status 400; expect_json '.error.details.field' 'password'
    req POST /api/users "{\"email\":\"$e\",\"name\":\"X\",\"role\":\"user\",\"password\":\"$(tr '[:lower:]' '[:upper:]' <<<"$e")\"}"; expect_status 400
    expect_json '.error.details.field' 'password'
    expect_json '.error.details | has("value")' 'false'
    req POST /api/users "{\"email\":\"$e\",\"name\":\"X\",\"role\":\"user\",\"admin\":true}";        expect_status 400; expect_json '.error.details.field' 'admin'
    req POST /api/users "{\"email\":\"$e\",\"role\":\"user\"}";                                       expect_status 400; expect_json '.error.details.field' 'name'
    req POST /api/users "{\"email\":\"$e\",\"name\":\"X\"}";                                          expect_status 400; expect_json '.error.details.field' 'role'
    req POST /api/users "{\"email\":\"$e\",\"name\":\"   \",\"role\":\"user\"}";                       expect_status 400; expect_json '.error.details.field' 'name'
    req POST /api/users "{\"email\":\"$e\",\"name\":\"X\",\"role\":\"user\",\"enabled\":\"yes\"}";    expect_status 400; expect_json '.error.details.field' 'enabled'
    req POST /api/users "{\"email\":\"$e\",\"name\":7,\"role\":\"user\"}";                             expect_status 400; expect_json '.error.details.field' 'name'
    req POST /api/users '{"email":';                                                                   expect_status 400; expect_envelope INVALID_JSON
    expect_eq "$(users_count)" "$n"
    expect_eq "$(audits)" "$a"
}

# ---------------------------------------------------------------- read

getting_a_user_answers_200_with_the_user() {
    local id; id=$(new_user getme)
    req GET "/api/users/$id"
    expect_status 200
    expect_json '.user.id' "$id"
    expect_json '.user.email' "$(email_of getme)"
    expect_json '.user.name' 'User getme'
    expect_json '.user | keys | length' '8'
}

unknown_or_malformed_user_ids_answer_404() {
    req GET /api/users/00000000-0000-4000-8000-000000000000;   expect_status 404; expect_envelope NOT_FOUND
    req GET /api/users/not-a-uuid;                             expect_status 404; expect_envelope NOT_FOUND
    req PUT /api/users/00000000-0000-4000-8000-000000000000 '{"name":"x"}'; expect_status 404
    req DELETE /api/users/00000000-0000-4000-8000-000000000000; expect_status 404
}

requests_without_a_token_answer_401() {
    TOKEN="" req GET /api/users
    expect_status 401
    expect_envelope UNAUTHORIZED
    expect_header WWW-Authenticate '^Bearer'
}

an_undocumented_method_answers_405_with_allow() {
    req PATCH /api/users '{"name":"x"}'
    expect_status 405
    expect_envelope METHOD_NOT_ALLOWED
    expect_header Allow 'GET'
}

# ---------------------------------------------------------------- list

listing_users_answers_the_page_with_total_limit_and_offset() {
    req GET /api/users
    expect_status 200
    expect_json 'keys' '["limit","offset","total","users"]'
    expect_json '.limit' '50'
    expect_json '.offset' '0'
    expect_json ".total == $(psql_q "SELECT count(*) FROM users WHERE organization_id = '$ORG_ID'")" 'true'
    expect_json '[.users[].organizationId] | unique' "[\"$ORG_ID\"]"
    expect_json '.users | (map(.createdAt) == (map(.createdAt) | sort))' 'true'
}

searching_sorting_and_paging_the_users() {
    local tag="srch$SFX"
    TOKEN=$ADMIN_TOKEN req POST /api/users "{\"email\":\"b.$tag@example.com\",\"name\":\"Zed Alpha\",\"role\":\"user\"}"; expect_status 201
    TOKEN=$ADMIN_TOKEN req POST /api/users "{\"email\":\"a.$tag@example.com\",\"name\":\"Mia Beta\",\"role\":\"auditor\"}"; expect_status 201
    TOKEN=$ADMIN_TOKEN req POST /api/users "{\"email\":\"c@$tag.example.com\",\"name\":\"Al Gamma\",\"role\":\"admin\"}"; expect_status 201
    req GET "/api/users?search=${tag^^}"
    expect_status 200
    expect_json '.total' '3'
    expect_json '[.users[].name]' '["Zed Alpha","Mia Beta","Al Gamma"]'
    req GET "/api/users?search=$tag&sort=name";      expect_json '[.users[].name]' '["Al Gamma","Mia Beta","Zed Alpha"]'
    req GET "/api/users?search=$tag&sort=-name";     expect_json '[.users[].name]' '["Zed Alpha","Mia Beta","Al Gamma"]'
    req GET "/api/users?search=$tag&sort=email";     expect_json '[.users[].name]' '["Mia Beta","Zed Alpha","Al Gamma"]'
    req GET "/api/users?search=$tag&sort=role";      expect_json '[.users[].role]' '["admin","auditor","user"]'
    req GET "/api/users?search=$tag&sort=-createdAt"; expect_json '[.users[].name]' '["Al Gamma","Mia Beta","Zed Alpha"]'
    req GET "/api/users?search=$tag&sort=updatedAt"; expect_json '[.users[].name]' '["Zed Alpha","Mia Beta","Al Gamma"]'
    req GET "/api/users?search=$tag&sort=name&limit=1&offset=1"
    expect_json '[.users[].name]' '["Mia Beta"]'
    expect_json '[.total, .limit, .offset]' '[3,1,1]'
    req GET "/api/users?search=$tag&offset=10"
    expect_json '[.users, .total]' '[[],3]'
    req GET "/api/users?search=mia%20beta"
    expect_json '.total >= 1' 'true'
    # The name or the email, never across them; LIKE characters are literal.
    req GET "/api/users?search=c@$tag";               expect_json '.total' '1'
    req GET "/api/users?search=gamma%20c@$tag";       expect_json '.total' '0'
    req GET "/api/users?search=gamma%0Ac@$tag";       expect_status 200; expect_json '[.users, .total]' '[[],0]'
    req GET "/api/users?search=gamma%0Ac@$tag&offset=5"; expect_json '[.users, .total]' '[[],0]'
    req GET "/api/users?search=%25$tag";              expect_json '.total' '0'
    req GET "/api/users?search=_.$tag";               expect_json '.total' '0'
}

bad_list_parameters_answer_400() {
    req GET '/api/users?sort=password';  expect_status 400; expect_envelope VALIDATION_ERROR; expect_json '.error.details' '{"field":"sort","value":"password"}'
    req GET '/api/users?sort=-';         expect_status 400; expect_json '.error.details.field' 'sort'
    req GET '/api/users?offset=-1';      expect_status 400; expect_json '.error.details' '{"field":"offset","value":"-1"}'
    req GET '/api/users?offset=x';       expect_status 400; expect_json '.error.details.field' 'offset'
    req GET '/api/users?limit=0';        expect_status 400; expect_json '.error.details.field' 'limit'
    req GET '/api/users?limit=1001';     expect_status 400; expect_json '.error.details.field' 'limit'
    req GET "/api/users?search=$(printf 'a%.0s' {1..201})"; expect_status 400; expect_json '.error.details.field' 'search'
    req GET '/api/users?limit=1000';     expect_status 200; expect_json '.limit' '1000'
}

# ---------------------------------------------------------------- update

updating_a_user_changes_only_the_given_fields_and_audits_it() {
    local id; id=$(new_user upd)
    local created; created=$(psql_q "SELECT rfc3339(updated_at) FROM users WHERE id = '$id'")
    local a; a=$(audits)
    req PUT "/api/users/$id" '{"name":"John Smith"}'
    expect_status 200
    expect_json '.user.name' 'John Smith'
    expect_json '.user.email' "$(email_of upd)"
    expect_json '.user.role' 'user'
    expect_json ".user.updatedAt > \"$created\"" 'true'
    expect_eq "$(row_of "$id")" "$(email_of upd)|John Smith|user|true|0"
    expect_eq "$(audits)" "$((a + 1))"
    expect_eq "$(last_activity user.update)" "$ADMIN_ID user"
    req PUT "/api/users/$id" "{\"email\":\"$(email_of upd2)\",\"role\":\"auditor\",\"enabled\":true}"
    expect_status 200
    expect_eq "$(row_of "$id")" "$(email_of upd2)|John Smith|auditor|true|0"
    user_token upd2 >/dev/null
}

invalid_updates_answer_400_and_change_nothing() {
    local id; id=$(new_user badupd)
    local row a; row=$(row_of "$id"); a=$(audits)
    req PUT "/api/users/$id" '{}';                          expect_status 400; expect_envelope VALIDATION_ERROR
    req PUT "/api/users/$id" '{"email":"nope"}';            expect_status 400; expect_json '.error.details' '{"field":"email","value":"nope"}'
    req PUT "/api/users/$id" '{"role":"root"}';             expect_status 400; expect_json '.error.details.field' 'role'
    req PUT "/api/users/$id" '{"password":"short"}';        expect_status 400; expect_json '.error.details.field' 'password'
    req PUT "/api/users/$id" "{\"password\":\"$(email_of badupd)\"}"; expect_status 400; expect_json '.error.details.field' 'password'
    req PUT "/api/users/$id" '{"name":"ok","organizationId":"x"}'; expect_status 400; expect_json '.error.details.field' 'organizationId'
    req PUT "/api/users/$id" '{"enabled":null}';            expect_status 400; expect_json '.error.details.field' 'enabled'
    expect_eq "$(row_of "$id")" "$row"
    expect_eq "$(audits)" "$a"
}

changing_the_email_to_a_taken_one_answers_409() {
    local id; id=$(new_user taken1); new_user taken2 >/dev/null
    local row a; row=$(row_of "$id"); a=$(audits)
    req PUT "/api/users/$id" "{\"email\":\"$(email_of taken2 | tr '[:lower:]' '[:upper:]')\"}"
    expect_status 409
    expect_envelope CONFLICT
    expect_eq "$(row_of "$id")" "$row"
    expect_eq "$(audits)" "$a"
}

# ---------------------------------------------------------------- delete

deleting_a_user_removes_its_memberships_bindings_keys_and_credentials_but_keeps_its_activities() {
    local id; id=$(new_user doomed)
    user_token doomed >/dev/null   # an auth.login activity by the user
    req POST /api/groups "{\"name\":\"doomed-group-$SFX\"}"; expect_status 201
    local gid; gid=$(jq -r .group.id <<<"$BODY")
    req POST "/api/groups/$gid/users" "{\"userId\":\"$id\"}"; expect_status 200
    psql_q "INSERT INTO permission_bindings (organization_id, object_id, object_type, role, subject_id, subject_type)
            VALUES ('$ORG_ID', '$ORG_ID', 'organization', 'auditor', '$id', 'user')" >/dev/null
    psql_q "INSERT INTO api_keys (user_id, organization_id, api_key, secret_enc, secret_hash)
            VALUES ('$id', '$ORG_ID', 'doomed-key-$SFX', '\\x00', '\\x00')" >/dev/null
    psql_q "INSERT INTO ssh_keys (user_id, organization_id, name, public_key, fingerprint)
            VALUES ('$id', '$ORG_ID', 'k', 'ssh-ed25519 AAAA', 'SHA256:doomed')" >/dev/null
    local a; a=$(audits)
    req DELETE "/api/users/$id"
    expect_status 204
    [[ -z $BODY ]] || fail "204 with a body"
    expect_eq "$(psql_q "SELECT count(*) FROM users WHERE id = '$id'")" "0"
    expect_eq "$(psql_q "SELECT count(*) FROM memberships WHERE user_id = '$id'")" "0"
    expect_eq "$(psql_q "SELECT count(*) FROM permission_bindings WHERE subject_id = '$id'")" "0"
    expect_eq "$(psql_q "SELECT count(*) FROM api_keys WHERE user_id = '$id'")" "0"
    expect_eq "$(psql_q "SELECT count(*) FROM ssh_keys WHERE user_id = '$id'")" "0"
    expect_eq "$(psql_q "SELECT count(*) FROM storage_credentials WHERE user_id = '$id'")" "0"
    expect_eq "$(psql_q "SELECT count(*) FROM groups WHERE id = '$gid'")" "1"
    expect_eq "$(psql_q "SELECT count(*) > 0 FROM activities WHERE actor_id = '$id' AND type = 'auth.login'")" "t"
    expect_eq "$(audits)" "$((a + 1))"
    expect_eq "$(last_activity user.delete)" "$ADMIN_ID user"
    req GET "/api/users/$id";    expect_status 404
    req DELETE "/api/users/$id"; expect_status 404
    expect_eq "$(audits)" "$((a + 1))"
}

a_deleted_users_token_stops_working() {
    local id; id=$(new_user gone)
    local t; t=$(user_token gone)
    TOKEN=$t req GET /api/users?limit=1; expect_status 200
    req DELETE "/api/users/$id"; expect_status 204
    TOKEN=$t req GET /api/users?limit=1; expect_status 401
}

# ---------------------------------------------------------------- tenancy

another_organizations_user_answers_404_and_stays_unchanged() {
    local out other_org other_user
    out=$(create_org "Other Org $SFX" "$(email_of other-admin)" "$PW")
    other_org=$(jq -r .organizationId <<<"$out"); other_user=$(jq -r .userId <<<"$out")
    local row a; row=$(row_of "$other_user"); a=$(psql_q "SELECT count(*) FROM activities")
    req GET "/api/users/$other_user";                           expect_status 404; expect_envelope NOT_FOUND
    req PUT "/api/users/$other_user" '{"name":"Hijacked"}';     expect_status 404; expect_envelope NOT_FOUND
    req PUT "/api/users/$other_user" "{\"password\":\"$PW-x\"}"; expect_status 404
    req DELETE "/api/users/$other_user";                        expect_status 404
    req GET "/api/users?search=$(email_of other-admin)";        expect_json '.total' '0'
    expect_eq "$(row_of "$other_user")" "$row"
    expect_eq "$(psql_q "SELECT count(*) FROM activities")" "$a"
    # And the other organization's admin sees only its own organization.
    TOKEN=$(user_token other-admin) req GET /api/users
    expect_json '[.users[].organizationId] | unique' "[\"$other_org\"]"
    expect_json '.total' '1'
}

# ---------------------------------------------------------------- authorization

a_plain_user_reads_but_cannot_create_update_or_delete_users() {
    local id; id=$(new_user plain)
    local victim; victim=$(new_user victim)
    local t; t=$(user_token plain)
    local n a; n=$(users_count); a=$(audits)
    TOKEN=$t req GET /api/users;                     expect_status 200
    TOKEN=$t req GET "/api/users/$victim";           expect_status 200
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of p1)\",\"name\":\"X\",\"role\":\"user\",\"password\":\"$PW\"}"
    expect_status 403; expect_envelope FORBIDDEN
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of p2)\",\"name\":\"X\",\"role\":\"admin\",\"password\":\"$PW\"}"
    expect_status 403
    TOKEN=$t req PUT "/api/users/$id" '{"role":"admin"}';          expect_status 403
    TOKEN=$t req PUT "/api/users/$victim" '{"name":"Renamed"}';    expect_status 403
    TOKEN=$t req PUT "/api/users/$ADMIN_ID" "{\"password\":\"$PW-evil\"}"; expect_status 403
    TOKEN=$t req DELETE "/api/users/$ADMIN_ID";                    expect_status 403
    expect_eq "$(row_of "$id")" "$(email_of plain)|User plain|user|true|0"
    expect_eq "$(psql_q "SELECT role FROM users WHERE id = '$ADMIN_ID'")" "admin"
    expect_eq "$(users_count)" "$n"
    expect_eq "$(audits)" "$a"
    user_token plain >/dev/null
}

an_auditor_reads_but_cannot_write_users() {
    new_user aud auditor >/dev/null
    local t; t=$(user_token aud)
    TOKEN=$t req GET /api/users; expect_status 200
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of a1)\",\"name\":\"X\",\"role\":\"user\"}"; expect_status 403
}

write_users_through_a_group_manages_users_but_not_admins() {
    local mgr; mgr=$(new_user mgr)
    local t; t=$(user_token mgr)
    # Before the group: no write:users.
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of m1)\",\"name\":\"M1\",\"role\":\"user\",\"password\":\"$PW\"}"
    expect_status 403
    req POST /api/groups "{\"name\":\"user-managers-$SFX\",\"permissions\":[\"write:users\"]}"; expect_status 201
    local gid; gid=$(jq -r .group.id <<<"$BODY")
    req POST "/api/groups/$gid/users" "{\"userId\":\"$mgr\"}"; expect_status 200
    # The same token, on the next request.
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of m1)\",\"name\":\"M1\",\"role\":\"user\",\"password\":\"$PW\"}"
    expect_status 201
    local m1; m1=$(jq -r .user.id <<<"$BODY")
    expect_eq "$(last_activity user.create)" "$mgr user"
    TOKEN=$t req PUT "/api/users/$m1" '{"name":"M1 Renamed","enabled":false}'; expect_status 200
    expect_eq "$(last_activity user.update)" "$mgr user"
    TOKEN=$t req PUT "/api/users/$m1" '{"role":"user"}';                   expect_status 200
    local n a; n=$(users_count); a=$(audits)
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of m2)\",\"name\":\"M2\",\"role\":\"admin\",\"password\":\"$PW\"}"
    expect_status 403
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of m3)\",\"name\":\"M3\",\"role\":\"auditor\"}"; expect_status 403
    TOKEN=$t req PUT "/api/users/$m1" '{"role":"auditor"}';                 expect_status 403
    TOKEN=$t req PUT "/api/users/$mgr" '{"role":"admin"}';                  expect_status 403
    TOKEN=$t req PUT "/api/users/$ADMIN_ID" '{"name":"Renamed Admin"}';     expect_status 403
    TOKEN=$t req PUT "/api/users/$ADMIN_ID" "{\"password\":\"$PW-evil\"}";  expect_status 403
    TOKEN=$t req PUT "/api/users/$ADMIN_ID" '{"enabled":false}';            expect_status 403
    TOKEN=$t req DELETE "/api/users/$ADMIN_ID";                              expect_status 403
    expect_eq "$(users_count)" "$n"
    expect_eq "$(audits)" "$a"
    expect_eq "$(psql_q "SELECT name || ' ' || role || ' ' || enabled FROM users WHERE id = '$ADMIN_ID'")" "Administrator admin true"
    TOKEN=$t req DELETE "/api/users/$m1"; expect_status 204
    expect_eq "$(last_activity user.delete)" "$mgr user"
    # Out of the group: the right is gone on the next request.
    psql_q "DELETE FROM memberships WHERE group_id = '$gid'" >/dev/null
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of m4)\",\"name\":\"M4\",\"role\":\"user\"}"; expect_status 403
}

an_admin_promotes_and_demotes_users() {
    local id; id=$(new_user promo)
    req PUT "/api/users/$id" '{"role":"admin"}'; expect_status 200; expect_json '.user.role' 'admin'
    req PUT "/api/users/$id" '{"role":"auditor"}'; expect_status 200; expect_json '.user.role' 'auditor'
    req POST /api/users "{\"email\":\"$(email_of newadmin)\",\"name\":\"New Admin\",\"role\":\"admin\"}"
    expect_status 201; expect_json '.user.role' 'admin'
}

an_admin_by_binding_cannot_make_itself_an_admin_by_role() {
    local id; id=$(new_user bound)
    psql_q "INSERT INTO permission_bindings (organization_id, object_id, object_type, role, subject_id, subject_type)
            VALUES ('$ORG_ID', '$ORG_ID', 'organization', 'admin', '$id', 'user')" >/dev/null
    local t; t=$(user_token bound)
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of bound-made)\",\"name\":\"X\",\"role\":\"auditor\"}"; expect_status 201
    TOKEN=$t req PUT "/api/users/$id" '{"role":"admin"}'
    expect_status 403
    expect_eq "$(psql_q "SELECT role FROM users WHERE id = '$id'")" "user"
}

# ---------------------------------------------------------------- last admin

the_last_enabled_admin_cannot_be_demoted_disabled_or_deleted() {
    local out org admin t
    out=$(create_org "Last Admin $SFX" "$(email_of last-admin)" "$PW")
    org=$(jq -r .organizationId <<<"$out"); admin=$(jq -r .userId <<<"$out")
    t=$(user_token last-admin)
    local a; a=$(psql_q "SELECT count(*) FROM activities WHERE organization_id = '$org'")
    TOKEN=$t req PUT "/api/users/$admin" '{"role":"user"}';   expect_status 409; expect_envelope CONFLICT
    TOKEN=$t req PUT "/api/users/$admin" '{"enabled":false}'; expect_status 409
    TOKEN=$t req DELETE "/api/users/$admin";                   expect_status 409
    # A disabled admin does not count.
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of off-admin)\",\"name\":\"Off\",\"role\":\"admin\",\"enabled\":false}"; expect_status 201
    TOKEN=$t req PUT "/api/users/$admin" '{"role":"auditor"}'; expect_status 409
    expect_eq "$(psql_q "SELECT role || ' ' || enabled FROM users WHERE id = '$admin'")" "admin true"
    expect_eq "$(psql_q "SELECT count(*) FROM activities WHERE organization_id = '$org'")" "$((a + 1))"
    # With a second enabled admin, the first may step down; then the second is the last.
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of second-admin)\",\"name\":\"Second\",\"role\":\"admin\",\"password\":\"$PW\"}"; expect_status 201
    local second; second=$(jq -r .user.id <<<"$BODY")
    TOKEN=$t req PUT "/api/users/$admin" '{"role":"user"}'; expect_status 200
    local t2; t2=$(user_token second-admin)
    TOKEN=$t2 req DELETE "/api/users/$second"; expect_status 409
    TOKEN=$t2 req PUT "/api/users/$second" '{"enabled":false}'; expect_status 409
    TOKEN=$t2 req DELETE "/api/users/$admin"; expect_status 204
}

two_concurrent_demotions_leave_one_enabled_admin() {
    local out org a b d t i
    out=$(create_org "Race $SFX" "$(email_of race-a)" "$PW")
    org=$(jq -r .organizationId <<<"$out"); a=$(jq -r .userId <<<"$out")
    t=$(user_token race-a)
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of race-b)\",\"name\":\"B\",\"role\":\"admin\"}"; expect_status 201
    b=$(jq -r .user.id <<<"$BODY")
    # The demotions come from an admin by binding, whom the rule does not count
    # and whose rights neither demotion takes away.
    TOKEN=$t req POST /api/users "{\"email\":\"$(email_of race-d)\",\"name\":\"D\",\"role\":\"user\",\"password\":\"$PW\"}"; expect_status 201
    d=$(jq -r .user.id <<<"$BODY")
    psql_q "INSERT INTO permission_bindings (organization_id, object_id, object_type, role, subject_id, subject_type)
            VALUES ('$org', '$org', 'organization', 'admin', '$d', 'user')" >/dev/null
    t=$(user_token race-d)
    for i in 1 2; do
        local target=$a; ((i == 2)) && target=$b
        curl -s -o /dev/null -w '%{http_code}\n' -X PUT "$BASE_URL/api/users/$target" -H "Authorization: Bearer $t" \
            -H 'Content-Type: application/json' -d '{"role":"user"}' >"$E2E_TMP/race.$i" &
    done
    wait
    expect_eq "$(sort "$E2E_TMP"/race.* | tr '\n' ' ')" "200 409 "
    expect_eq "$(psql_q "SELECT count(*) FROM users WHERE organization_id = '$org' AND role = 'admin' AND enabled")" "1"
}

# ---------------------------------------------------------------- token revocation

a_password_reset_revokes_the_users_tokens() {
    local id; id=$(new_user reset)
    local t; t=$(user_token reset)
    TOKEN=$t req GET /api/users?limit=1; expect_status 200
    req PUT "/api/users/$id" "{\"password\":\"$PW-new\"}"
    expect_status 200
    expect_eq "$(psql_q "SELECT token_version FROM users WHERE id = '$id'")" "1"
    TOKEN=$t req GET /api/users?limit=1
    expect_status 401
    expect_envelope UNAUTHORIZED
    TOKEN="" req POST /v2/user/auth "{\"username\":\"$(email_of reset)\",\"password\":\"$PW\"}"; expect_status 401
    TOKEN=$(user_token reset "$PW-new") req GET /api/users?limit=1; expect_status 200
}

disabling_a_user_revokes_its_tokens_and_blocks_login() {
    local id; id=$(new_user disable)
    local t; t=$(user_token disable)
    req PUT "/api/users/$id" '{"enabled":false}'
    expect_status 200
    expect_json '.user.enabled' 'false'
    TOKEN=$t req GET /api/users?limit=1; expect_status 401
    TOKEN="" req POST /v2/user/auth "{\"username\":\"$(email_of disable)\",\"password\":\"$PW\"}"; expect_status 401
    req PUT "/api/users/$id" '{"enabled":true}'; expect_status 200
    TOKEN=$t req GET /api/users?limit=1; expect_status 401
    user_token disable >/dev/null
}

a_rename_does_not_revoke_tokens() {
    local id; id=$(new_user keep)
    local t; t=$(user_token keep)
    req PUT "/api/users/$id" '{"name":"Still Logged In"}'; expect_status 200
    TOKEN=$t req GET /api/users?limit=1; expect_status 200
}

a_password_reset_lifts_a_login_lock() {
    local id; id=$(new_user locked)
    local i
    for i in 1 2 3 4 5; do
        TOKEN="" req POST /v2/user/auth "{\"username\":\"$(email_of locked)\",\"password\":\"wrong-password-$i\"}"
    done
    TOKEN="" req POST /v2/user/auth "{\"username\":\"$(email_of locked)\",\"password\":\"$PW\"}"
    expect_status 423
    req PUT "/api/users/$id" "{\"password\":\"$PW-unlocked\"}"; expect_status 200
    expect_eq "$(psql_q "SELECT locked_until IS NULL FROM users WHERE id = '$id'")" "t"
    expect_eq "$(psql_q "SELECT count(*) FROM login_failures WHERE user_id = '$id'")" "0"
    user_token locked "$PW-unlocked" >/dev/null
}

test_case creating_a_user_answers_201_with_the_user_and_audits_it
test_case creating_a_disabled_user_keeps_it_from_logging_in
test_case a_user_created_without_password_cannot_log_in_until_a_reset
test_case a_duplicate_email_answers_409_case_insensitively_and_changes_nothing
test_case invalid_create_bodies_answer_400_and_change_nothing
test_case getting_a_user_answers_200_with_the_user
test_case unknown_or_malformed_user_ids_answer_404
test_case requests_without_a_token_answer_401
test_case an_undocumented_method_answers_405_with_allow
test_case listing_users_answers_the_page_with_total_limit_and_offset
# A list statement is prepared per Postgres connection under a name that says
# which sort it is, and connections pass between responder threads
# (lib/server.cpp Pool): each sort keeps its own order whichever thread first
# met it, with the four sorts of each round asked at once.
every_sort_keeps_its_order_whichever_responder_answers() {
    local round sort list order f
    for round in 1 2 3; do
        req POST /api/groups "{\"name\":\"sorted $RANDOM-$round-$(date +%s%N)\"}"
        expect_status 201
    done
    for round in 1 2 3 4 5 6 7 8; do
        for list in users groups; do
            for sort in createdAt -updatedAt -createdAt updatedAt; do
                curl -s -o "$E2E_TMP/sort.$list.$sort" -H "Authorization: Bearer $TOKEN" \
                    "$BASE_URL/api/$list?sort=$sort&limit=1000" &
            done
        done
        wait
        for f in "$E2E_TMP"/sort.*; do
            list=${f#"$E2E_TMP"/sort.}; sort=${list#*.}; list=${list%%.*}
            order='sort'; [[ $sort == -* ]] && order='sort | reverse'
            BODY=$(<"$f")
            expect_json "[.$list[].${sort#-}] as \$a | (\$a | unique | length) > 1 and \$a == (\$a | $order)" true
        done
        rm -f "$E2E_TMP"/sort.*
    done
}

test_case searching_sorting_and_paging_the_users
test_case every_sort_keeps_its_order_whichever_responder_answers
test_case bad_list_parameters_answer_400
test_case updating_a_user_changes_only_the_given_fields_and_audits_it
test_case invalid_updates_answer_400_and_change_nothing
test_case changing_the_email_to_a_taken_one_answers_409
test_case deleting_a_user_removes_its_memberships_bindings_keys_and_credentials_but_keeps_its_activities
test_case a_deleted_users_token_stops_working
test_case another_organizations_user_answers_404_and_stays_unchanged
test_case a_plain_user_reads_but_cannot_create_update_or_delete_users
test_case an_auditor_reads_but_cannot_write_users
test_case write_users_through_a_group_manages_users_but_not_admins
test_case an_admin_promotes_and_demotes_users
test_case an_admin_by_binding_cannot_make_itself_an_admin_by_role
test_case the_last_enabled_admin_cannot_be_demoted_disabled_or_deleted
test_case two_concurrent_demotions_leave_one_enabled_admin
test_case a_password_reset_revokes_the_users_tokens
test_case disabling_a_user_revokes_its_tokens_and_blocks_login
test_case a_rename_does_not_revoke_tokens
test_case a_password_reset_lifts_a_login_lock
summary
