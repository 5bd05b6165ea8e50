#!/usr/bin/env bash
# The organization end to end through nginx: 2GC (/api/organizations/{orgId})
# and ClickHouse (/v1/organizations…) shapes, validation, admin-only changes,
# tenancy and the audit log.
source "$(dirname "$0")/lib.sh"

SFX=$(($(date +%s%N) % 900000 + 100000))
PW="Correct-Horse-$SFX"
ADMIN_TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
TOKEN=$ADMIN_TOKEN
ISO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$'

email_of() { echo "$1-$SFX@example.com"; }

# new_user TAG ROLE: created by the admin through the API; prints a token of it.
user_token_of_role() {
    TOKEN=$ADMIN_TOKEN req POST /api/users \
        "{\"email\":\"$(email_of "$1")\",\"name\":\"$1\",\"role\":\"$2\",\"password\":\"$PW\"}"
    [[ $STATUS == 201 ]] || fail "creating $1: expected 201"
    login "$(email_of "$1")" "$PW"
}

audits() { psql_q "SELECT count(*) FROM activities WHERE organization_id = '$ORG_ID'"; }
org_row() {
    psql_q "SELECT name || '|' || timezone || '|' || language || '|' || private_endpoints::text || '|' || rfc3339(updated_at)
            FROM organizations WHERE id = '${1:-$ORG_ID}'"
}
last_activity() {
    psql_q "SELECT actor_id || ' ' || actor_type FROM activities WHERE organization_id = '$ORG_ID'
            AND type = '$1' ORDER BY created_at DESC, id DESC LIMIT 1"
}

# ---------------------------------------------------------------- 2GC

getting_the_organization_answers_200_with_its_settings() {
    req GET "/api/organizations/$ORG_ID"
    expect_status 200
    expect_json 'keys' '["organization"]'
    expect_json '.organization | keys' '["createdAt","id","name","settings","updatedAt"]'
    expect_json '.organization.id' "$ORG_ID"
    expect_json '.organization.settings | keys' '["language","timezone"]'
    expect_json ".organization.createdAt | test(\"$ISO\")" 'true'
    expect_json '.organization.name' "$(psql_q "SELECT name FROM organizations WHERE id = '$ORG_ID'")"
}

updating_the_organization_changes_name_and_settings_and_audits_it() {
    local a before; a=$(audits); before=$(psql_q "SELECT rfc3339(updated_at) FROM organizations WHERE id = '$ORG_ID'")
    req PUT "/api/organizations/$ORG_ID" '{"name":"Updated Organization Name","settings":{"timezone":"UTC","language":"en"}}'
    expect_status 200
    expect_json '.organization.name' 'Updated Organization Name'
    expect_json '.organization.settings' '{"timezone":"UTC","language":"en"}'
    expect_json ".organization.updatedAt > \"$before\"" 'true'
    expect_eq "$(audits)" "$((a + 1))"
    expect_eq "$(last_activity organization.update)" "$ADMIN_ID user"
    req PUT "/api/organizations/$ORG_ID" '{"settings":{"timezone":"Europe/Moscow"}}'
    expect_status 200
    expect_json '.organization.settings' '{"timezone":"Europe/Moscow","language":"en"}'
    expect_json '.organization.name' 'Updated Organization Name'
    req PUT "/api/organizations/$ORG_ID" '{"settings":{"language":"zh-hant-tw"}}'
    expect_json '.organization.settings' '{"timezone":"Europe/Moscow","language":"zh-Hant-TW"}'
    req PUT "/api/organizations/$ORG_ID" '{"settings":{"language":"es-419","timezone":"America/Argentina/Buenos_Aires"}}'
    expect_json '.organization.settings' '{"timezone":"America/Argentina/Buenos_Aires","language":"es-419"}'
    req PUT "/api/organizations/$ORG_ID" '{"settings":{"language":"ru","timezone":"Etc/GMT+3"}}'
    expect_status 200
    expect_eq "$(psql_q "SELECT timezone || ' ' || language FROM organizations WHERE id = '$ORG_ID'")" "Etc/GMT+3 ru"
    expect_eq "$(audits)" "$((a + 5))"
    req GET "/api/organizations/$ORG_ID"
    expect_json '.organization.settings' '{"timezone":"Etc/GMT+3","language":"ru"}'
}

bad_timezones_answer_400_and_change_nothing() {
    local row a tz; row=$(org_row); a=$(audits)
    for tz in Mars/Olympus_Mons ../../etc/passwd /etc/localtime Europe/../UTC Europe posix/UTC right/UTC zone.tab \
        tzdata.zi localtime "" "Europe/Moscow " utc "Europe//Moscow" "Europe/Moscow/"; do
        req PUT "/api/organizations/$ORG_ID" "$(jq -cn --arg tz "$tz" '{settings: {timezone: $tz}}')"
        expect_status 400
        expect_envelope VALIDATION_ERROR
        expect_json '.error.details' "$(jq -cn --arg tz "$tz" '{field: "settings.timezone", value: $tz}')"
    done
    req PUT "/api/organizations/$ORG_ID" '{"settings":{"timezone":3}}'
    expect_status 400; expect_json '.error.details.field' 'settings.timezone'
    expect_eq "$(org_row)" "$row"
    expect_eq "$(audits)" "$a"
}

bad_languages_answer_400_and_change_nothing() {
    local row a lang; row=$(org_row); a=$(audits)
    for lang in english en_US e en- -en en-USA en-Latn-US-x en-U1 1234 en-Latn-Cyrl "" "en US" x-klingon; do
        req PUT "/api/organizations/$ORG_ID" "$(jq -cn --arg l "$lang" '{settings: {language: $l}}')"
        expect_status 400
        expect_envelope VALIDATION_ERROR
        expect_json '.error.details' "$(jq -cn --arg l "$lang" '{field: "settings.language", value: $l}')"
    done
    expect_eq "$(org_row)" "$row"
    expect_eq "$(audits)" "$a"
}

invalid_organization_bodies_answer_400_and_change_nothing() {
    local row a; row=$(org_row); a=$(audits)
    req PUT "/api/organizations/$ORG_ID" '{}';                               expect_status 400; expect_envelope VALIDATION_ERROR
    req PUT "/api/organizations/$ORG_ID" '{"settings":{}}';                  expect_status 400
    req PUT "/api/organizations/$ORG_ID" '{"plan":"enterprise"}';            expect_status 400; expect_json '.error.details.field' 'plan'
    req PUT "/api/organizations/$ORG_ID" '{"settings":{"currency":"EUR"}}';  expect_status 400; expect_json '.error.details.field' 'settings.currency'
    req PUT "/api/organizations/$ORG_ID" '{"settings":"UTC"}';               expect_status 400; expect_json '.error.details.field' 'settings'
    req PUT "/api/organizations/$ORG_ID" '{"name":""}';                      expect_status 400; expect_json '.error.details.field' 'name'
    req PUT "/api/organizations/$ORG_ID" "{\"name\":\"$(printf 'n%.0s' {1..201})\"}"; expect_status 400; expect_json '.error.details.field' 'name'
    req PUT "/api/organizations/$ORG_ID" '{"name":"a\u0001b"}';              expect_status 400; expect_json '.error.details.field' 'name'
    req PUT "/api/organizations/$ORG_ID" '{"name":"ok","settings":{"timezone":"Nowhere/City"}}'; expect_status 400
    req PUT "/api/organizations/$ORG_ID" '{"name":';                         expect_status 400; expect_envelope INVALID_JSON
    expect_eq "$(org_row)" "$row"
    expect_eq "$(audits)" "$a"
}

only_an_admin_changes_the_organization() {
    local user auditor row a; user=$(user_token_of_role plain user); auditor=$(user_token_of_role aud auditor)
    row=$(org_row); a=$(audits)
    TOKEN=$user req GET "/api/organizations/$ORG_ID";                              expect_status 200
    TOKEN=$user req GET /v1/organizations;                                          expect_status 200
    TOKEN=$user req GET "/v1/organizations/$ORG_ID";                                expect_status 200
    TOKEN=$user req PUT "/api/organizations/$ORG_ID" '{"name":"Pwned"}';            expect_status 403; expect_envelope FORBIDDEN
    TOKEN=$user req PATCH "/v1/organizations/$ORG_ID" '{"name":"Pwned"}';           expect_status 403; expect_envelope FORBIDDEN
    TOKEN=$auditor req PUT "/api/organizations/$ORG_ID" '{"settings":{"language":"de"}}'; expect_status 403
    TOKEN=$auditor req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"add":[{"id":"e","cloudProvider":"aws","region":"us-east-1"}]}}'
    expect_status 403
    expect_eq "$(org_row)" "$row"
    expect_eq "$(audits)" "$a"
}

an_admin_by_binding_changes_the_organization() {
    local t id
    t=$(user_token_of_role bound user)
    id=$(psql_q "SELECT id FROM users WHERE email = '$(email_of bound)'")
    psql_q "INSERT INTO permission_bindings (organization_id, object_id, object_type, role, subject_id, subject_type)
            VALUES ('$ORG_ID', '$ORG_ID', 'organization', 'admin', '$id', 'user')" >/dev/null
    TOKEN=$t req PUT "/api/organizations/$ORG_ID" '{"settings":{"language":"de"}}'
    expect_status 200
    expect_eq "$(last_activity organization.update)" "$id user"
}

another_organization_answers_404_and_stays_unchanged() {
    local out other row a
    out=$(create_org "Foreign Org $SFX" "$(email_of foreign)" "$PW")
    other=$(jq -r .organizationId <<<"$out")
    row=$(org_row "$other"); a=$(psql_q "SELECT count(*) FROM activities")
    req GET "/api/organizations/$other";                              expect_status 404; expect_envelope NOT_FOUND
    req PUT "/api/organizations/$other" '{"name":"Hijacked"}';        expect_status 404; expect_envelope NOT_FOUND
    req GET "/v1/organizations/$other";                               expect_status 404; expect_envelope NOT_FOUND
    req PATCH "/v1/organizations/$other" '{"name":"Hijacked"}';       expect_status 404; expect_envelope NOT_FOUND
    req GET /api/organizations/not-a-uuid;                            expect_status 404; expect_envelope NOT_FOUND
    req GET /v1/organizations/00000000-0000-4000-8000-000000000000;   expect_status 404; expect_envelope NOT_FOUND
    req PATCH /v1/organizations/xyz '{"name":"x"}';                   expect_status 404
    req GET /v1/organizations
    expect_json "[.[].id]" "[\"$ORG_ID\"]"
    expect_eq "$(org_row "$other")" "$row"
    expect_eq "$(psql_q "SELECT count(*) FROM activities")" "$a"
    # The other organization's admin sees its own.
    TOKEN=$(login "$(email_of foreign)" "$PW") req GET /v1/organizations
    expect_json "[.[].id]" "[\"$other\"]"
    expect_json '.[0].name' "Foreign Org $SFX"
}

requests_without_a_token_answer_401() {
    TOKEN="" req GET "/api/organizations/$ORG_ID"; expect_status 401; expect_envelope UNAUTHORIZED
    TOKEN="" req GET /v1/organizations;            expect_status 401; expect_envelope UNAUTHORIZED
}

undocumented_methods_answer_405() {
    req DELETE "/api/organizations/$ORG_ID";        expect_status 405; expect_envelope METHOD_NOT_ALLOWED; expect_header Allow 'PUT'
    req POST /v1/organizations '{"name":"x"}';      expect_status 405; expect_header Allow 'GET'
    req PUT "/v1/organizations/$ORG_ID" '{"name":"x"}'; expect_status 405; expect_header Allow 'PATCH'
}

# ---------------------------------------------------------------- ClickHouse

listing_organizations_answers_a_bare_array_of_the_callers_one() {
    req GET /v1/organizations
    expect_status 200
    expect_json 'type' 'array'
    expect_json 'length' '1'
    expect_json '.[0] | keys' '["byocConfig","createdAt","id","name","privateEndpoints"]'
    expect_json '.[0].id' "$ORG_ID"
    expect_json '.[0].byocConfig' '[]'
    expect_json ".[0].createdAt | test(\"$ISO\")" 'true'
}

getting_the_organization_answers_the_bare_object() {
    req GET "/v1/organizations/${ORG_ID^^}"
    expect_status 200
    expect_json 'keys' '["byocConfig","createdAt","id","name","privateEndpoints"]'
    expect_json '.id' "$ORG_ID"
    expect_json '.privateEndpoints | type' 'array'
    expect_json '.byocConfig' '[]'
}

patching_adds_and_removes_private_endpoints_by_id() {
    local a; a=$(audits)
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"add":[
        {"id":"vpce-a-'"$SFX"'","description":"primary","cloudProvider":"aws","region":"us-east-1"},
        {"id":"pe-b-'"$SFX"'","description":"gcp one","cloudProvider":"gcp","region":"europe-west4"}]}}'
    expect_status 200
    expect_json 'keys' '["byocConfig","createdAt","id","name","privateEndpoints"]'
    expect_json "[.privateEndpoints[] | select(.id | endswith(\"$SFX\"))]" \
        "[{\"id\":\"vpce-a-$SFX\",\"description\":\"primary\",\"cloudProvider\":\"aws\",\"region\":\"us-east-1\"},{\"id\":\"pe-b-$SFX\",\"description\":\"gcp one\",\"cloudProvider\":\"gcp\",\"region\":\"europe-west4\"}]"
    expect_eq "$(audits)" "$((a + 1))"
    expect_eq "$(last_activity organization.update)" "$ADMIN_ID user"
    # Adding a present id and removing an absent one change nothing (but are still an update).
    local n; n=$(jq '.privateEndpoints | length' <<<"$BODY")
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"add":[{"id":"vpce-a-'"$SFX"'","description":"changed?","cloudProvider":"azure","region":"eastus"}],"remove":[{"id":"absent-'"$SFX"'"}]}}'
    expect_status 200
    expect_json '.privateEndpoints | length' "$n"
    expect_json ".privateEndpoints[] | select(.id == \"vpce-a-$SFX\") | .description" 'primary'
    # Removal matches by id alone.
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"remove":[{"id":"vpce-a-'"$SFX"'","description":"whatever","cloudProvider":"gcp","region":"x"}]}}'
    expect_status 200
    expect_json "[.privateEndpoints[].id | select(endswith(\"$SFX\"))]" "[\"pe-b-$SFX\"]"
    req GET "/v1/organizations/$ORG_ID"
    expect_json "[.privateEndpoints[].id | select(endswith(\"$SFX\"))]" "[\"pe-b-$SFX\"]"
    expect_eq "$(psql_q "SELECT jsonb_array_length(private_endpoints) FROM organizations WHERE id = '$ORG_ID'")" "$((n - 1))"
    expect_eq "$(audits)" "$((a + 3))"
}

patching_the_name_answers_the_organization() {
    req PATCH "/v1/organizations/$ORG_ID" '{"name":"ClickHouse Name"}'
    expect_status 200
    expect_json '.name' 'ClickHouse Name'
    req GET "/api/organizations/$ORG_ID"
    expect_json '.organization.name' 'ClickHouse Name'
}

invalid_patches_answer_400_and_change_nothing() {
    local row a; row=$(org_row); a=$(audits)
    local pe='"id":"vpce-x","cloudProvider":"aws","region":"us-east-1"'
    req PATCH "/v1/organizations/$ORG_ID" '{}';                                                expect_status 400; expect_envelope VALIDATION_ERROR
    req PATCH "/v1/organizations/$ORG_ID" '{"byocConfig":[]}';                                  expect_status 400; expect_json '.error.details.field' 'byocConfig'
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":[]}';                            expect_status 400; expect_json '.error.details.field' 'privateEndpoints'
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"replace":[]}}';                expect_status 400; expect_json '.error.details.field' 'privateEndpoints.replace'
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"add":{}}}';                    expect_status 400; expect_json '.error.details.field' 'privateEndpoints.add'
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"add":["vpce-x"]}}';            expect_status 400; expect_json '.error.details.field' 'privateEndpoints.add.0'
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"add":[{"id":"vpce-x","cloudProvider":"ibm","region":"us-east-1"}]}}'
    expect_status 400; expect_json '.error.details' '{"field":"privateEndpoints.add.0.cloudProvider","value":"ibm"}'
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"add":[{"id":"vpce-x","cloudProvider":"aws"}]}}'
    expect_status 400; expect_json '.error.details.field' 'privateEndpoints.add.0.region'
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"add":[{'"$pe"'},{'"$pe"',"vpc":"x"}]}}'
    expect_status 400; expect_json '.error.details.field' 'privateEndpoints.add.1.vpc'
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"add":[{"id":"vpce-x","cloudProvider":"aws","region":"US East"}]}}'
    expect_status 400; expect_json '.error.details.field' 'privateEndpoints.add.0.region'
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"add":[{"id":"","cloudProvider":"aws","region":"us-east-1"}]}}'
    expect_status 400; expect_json '.error.details.field' 'privateEndpoints.add.0.id'
    req PATCH "/v1/organizations/$ORG_ID" '{"privateEndpoints":{"remove":[{"description":"no id"}]}}'
    expect_status 400; expect_json '.error.details.field' 'privateEndpoints.remove.0.id'
    req PATCH "/v1/organizations/$ORG_ID" '{"name":"ok","privateEndpoints":{"add":[{"id":"a b","cloudProvider":"aws","region":"us-east-1"}]}}'
    expect_status 400; expect_json '.error.details.field' 'privateEndpoints.add.0.id'
    req PATCH "/v1/organizations/$ORG_ID" '{"name":5}';                                         expect_status 400; expect_json '.error.details.field' 'name'
    expect_eq "$(org_row)" "$row"
    expect_eq "$(audits)" "$a"
}

test_case getting_the_organization_answers_200_with_its_settings
test_case updating_the_organization_changes_name_and_settings_and_audits_it
test_case bad_timezones_answer_400_and_change_nothing
test_case bad_languages_answer_400_and_change_nothing
test_case invalid_organization_bodies_answer_400_and_change_nothing
test_case only_an_admin_changes_the_organization
test_case an_admin_by_binding_changes_the_organization
test_case another_organization_answers_404_and_stays_unchanged
test_case requests_without_a_token_answer_401
test_case undocumented_methods_answer_405
test_case listing_organizations_answers_a_bare_array_of_the_callers_one
test_case getting_the_organization_answers_the_bare_object
test_case patching_adds_and_removes_private_endpoints_by_id
test_case patching_the_name_answers_the_organization
test_case invalid_patches_answer_400_and_change_nothing
summary
