#!/usr/bin/env bash
# Login (POST /v2/user/auth), lockout, token claims and the retired v1 API, through nginx.
source "$(dirname "$0")/lib.sh"

SFX=$(($(date +%s%N) % 900000 + 100000))

# A user made directly in the database with the admin's password hash.
make_user() { # email [enabled]
    psql_q "INSERT INTO users (organization_id, email, name, role, enabled, password_hash)
            SELECT organization_id, '$1', 'Login Test', 'user', ${2:-true}, password_hash
            FROM users WHERE id = '$ADMIN_ID' RETURNING id"
}

b64url_json() { local p=$1; p=${p//-/+}; p=${p//_//}; while ((${#p} % 4)); do p+="="; done; base64 -d <<<"$p"; }

login_answers_authorized_with_a_token_carrying_the_documented_claims() {
    req POST /v2/user/auth "$(jq -cn --arg u "$ADMIN_EMAIL" --arg p "$ADMIN_PASSWORD" '{username:$u,password:$p}')"
    expect_status 200
    expect_json '.status' 'Authorized'
    expect_json 'keys' '["status","token"]'
    local token payload header
    token=$(jq -r .token <<<"$BODY")
    header=$(b64url_json "$(cut -d. -f1 <<<"$token")")
    payload=$(b64url_json "$(cut -d. -f2 <<<"$token")")
    expect_eq "$(jq -r .alg <<<"$header")" "HS256"
    expect_eq "$(jq -r .sub <<<"$payload")" "$ADMIN_ID"
    expect_eq "$(jq -r .id <<<"$payload")" "$ADMIN_ID"
    expect_eq "$(jq -r .org <<<"$payload")" "$ORG_ID"
    expect_eq "$(jq -r .email <<<"$payload")" "$ADMIN_EMAIL"
    expect_eq "$(jq -r '.exp - .iat' <<<"$payload")" "3600"
    expect_eq "$(jq -r '.jti | test("^[0-9a-f-]{36}$")' <<<"$payload")" "true"
    expect_eq "$(jq -r '.ver | type' <<<"$payload")" "number"
    expect_eq "$(psql_q "SELECT type || ' ' || actor_id FROM activities WHERE type LIKE 'auth.%' ORDER BY created_at DESC LIMIT 1")" "auth.login $ADMIN_ID"
    TOKEN=$token req GET /api/v1/groups
    expect_status 200
}

login_is_case_insensitive_in_the_username() {
    req POST /v2/user/auth "$(jq -cn --arg u "${ADMIN_EMAIL^^}" --arg p "$ADMIN_PASSWORD" '{username:$u,password:$p}')"
    expect_status 200
}

wrong_password_unknown_and_disabled_users_get_the_same_401() {
    local email="disabled-$SFX@example.com"
    make_user "$email" false >/dev/null
    req POST /v2/user/auth "$(jq -cn --arg u "$ADMIN_EMAIL" '{username:$u,password:"wrong password here"}')"
    expect_status 401; expect_envelope UNAUTHORIZED
    local wrong=$BODY
    req POST /v2/user/auth '{"username":"nobody-'"$SFX"'@example.com","password":"wrong password here"}'
    expect_status 401
    expect_eq "$BODY" "$wrong"
    req POST /v2/user/auth "$(jq -cn --arg u "$email" --arg p "$ADMIN_PASSWORD" '{username:$u,password:$p}')"
    expect_status 401
    expect_eq "$BODY" "$wrong"
}

malformed_login_bodies_answer_400() {
    req POST /v2/user/auth '{"username":"a@example.com"}';                       expect_status 400; expect_json '.error.details.field' 'password'
    req POST /v2/user/auth '{"username":"a@example.com","password":"x","otp":1}'; expect_status 400; expect_json '.error.details.field' 'otp'
    req POST /v2/user/auth '{"username":1,"password":"x"}';                       expect_status 400; expect_envelope VALIDATION_ERROR
    req POST /v2/user/auth 'username=a';                                           expect_status 400; expect_envelope INVALID_JSON
    req POST /v2/user/auth '{"username":"a@example.com","password":"x"}' -H 'Content-Type: text/plain'; expect_status 415
    req GET /v2/user/auth;                                                         expect_status 405; expect_header Allow 'POST'
}

the_fifth_failure_locks_the_account_for_15_minutes() {
    local email="lockout-$SFX@example.com" id
    id=$(make_user "$email")
    TOKEN=$(login "$email" "$ADMIN_PASSWORD")
    local issued=$TOKEN
    TOKEN=""
    for i in 1 2 3 4 5; do
        req POST /v2/user/auth "$(jq -cn --arg u "$email" '{username:$u,password:"not the password"}')"
        expect_status 401
    done
    req POST /v2/user/auth "$(jq -cn --arg u "$email" --arg p "$ADMIN_PASSWORD" '{username:$u,password:$p}')"
    expect_status 423
    expect_envelope LOCKED
    expect_eq "$(psql_q "SELECT locked_until > now() + interval '14 minutes' FROM users WHERE id = '$id'")" "t"
    expect_eq "$(psql_q "SELECT count(*) FROM activities WHERE actor_id = '$id' AND type = 'auth.locked'")" "1"
    expect_eq "$(psql_q "SELECT count(*) >= 5 FROM activities WHERE actor_id = '$id' AND type = 'auth.login.failed'")" "t"
    # tokens issued before the lock stay valid
    TOKEN=$issued req GET /api/v1/groups
    expect_status 200
    # once the lock has passed, the right password works again
    psql_q "UPDATE users SET locked_until = now() - interval '1 second' WHERE id = '$id'" >/dev/null
    psql_q "UPDATE login_failures SET created_at = now() - interval '16 minutes' WHERE user_id = '$id'" >/dev/null
    req POST /v2/user/auth "$(jq -cn --arg u "$email" --arg p "$ADMIN_PASSWORD" '{username:$u,password:$p}')"
    expect_status 200
}

four_failures_then_success_do_not_lock() {
    local email="nolock-$SFX@example.com" id
    id=$(make_user "$email")
    for i in 1 2 3 4; do
        req POST /v2/user/auth "$(jq -cn --arg u "$email" '{username:$u,password:"not the password"}')"
    done
    req POST /v2/user/auth "$(jq -cn --arg u "$email" --arg p "$ADMIN_PASSWORD" '{username:$u,password:$p}')"
    expect_status 200
    expect_eq "$(psql_q "SELECT count(*) FROM login_failures WHERE user_id = '$id'")" "0"
}

a_token_of_a_disabled_user_or_an_older_version_is_refused() {
    local email="revoked-$SFX@example.com" id
    id=$(make_user "$email")
    TOKEN=$(login "$email" "$ADMIN_PASSWORD")
    req GET /api/v1/groups; expect_status 200
    psql_q "UPDATE users SET token_version = token_version + 1 WHERE id = '$id'" >/dev/null
    req GET /api/v1/groups; expect_status 401; expect_header WWW-Authenticate 'invalid_token'
    TOKEN=$(login "$email" "$ADMIN_PASSWORD")
    psql_q "UPDATE users SET enabled = false WHERE id = '$id'" >/dev/null
    req GET /api/v1/groups; expect_status 401
}

v1_user_paths_answer_410_for_every_method_before_auth() {
    for m in GET POST PUT PATCH DELETE; do
        TOKEN="" req "$m" /v1/user/auth
        expect_status 410
        expect_envelope GONE
    done
    TOKEN="" req GET /v1/user
    expect_status 410
    TOKEN="" req POST /v1/user/anything/deeper '{"x":1}'
    expect_status 410
}

test_case login_answers_authorized_with_a_token_carrying_the_documented_claims
test_case login_is_case_insensitive_in_the_username
test_case wrong_password_unknown_and_disabled_users_get_the_same_401
test_case malformed_login_bodies_answer_400
test_case the_fifth_failure_locks_the_account_for_15_minutes
test_case four_failures_then_success_do_not_lock
test_case a_token_of_a_disabled_user_or_an_older_version_is_refused
test_case v1_user_paths_answer_410_for_every_method_before_auth
summary
