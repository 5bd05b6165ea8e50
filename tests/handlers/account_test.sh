#!/usr/bin/env bash
# handlers/account in CGI mode (no nginx): the pipeline's answers under
# /v2/account, secrets that cannot be decrypted, and a mutation fuzz of the
# SSH public key parser checked against ssh-keygen.
# Needs the environment of scripts/test-stack (CABINET_CONFIG, CABINET_DATABASE_URL, ADMIN_*).
source "$(dirname "$0")/../e2e/lib.sh"

BIN=${CABINET_BUILD_DIR:-$E2E_REPO/build}/handlers
RUN=$RANDOM$RANDOM
KEYS=$E2E_TMP/keys
mkdir -p "$KEYS"

# cgi_with HANDLER METHOD PATH [BODY] [AUTHORIZATION] [ENV…]: runs the handler
# as plain CGI; sets STATUS, BODY, HEADERS (a file) and CGI_ERR (its stderr).
# AUTHORIZATION defaults to "Bearer $TOKEN" when TOKEN is set.
cgi_with() {
    local handler=$1 method=$2 path=$3 body=${4-} auth=${5-} out="" LC_ALL=C
    shift 5 2>/dev/null || shift $#
    [[ -z $auth && -n $TOKEN ]] && auth="Bearer $TOKEN"
    local -a env=(PATH="$PATH" CABINET_CONFIG="$CABINET_CONFIG" REQUEST_METHOD="$method" DOCUMENT_URI="$path"
        REMOTE_ADDR=127.0.0.1 HTTP_AUTHORIZATION="$auth")
    if [[ -n $body ]]; then
        env+=(CONTENT_TYPE="${CGI_CONTENT_TYPE:-application/json}" CONTENT_LENGTH="${#body}")
    fi
    LAST_REQUEST="$method $path (CGI $handler)"
    printf '%s' "$body" >"$E2E_TMP/cgi.in"
    env -i "${env[@]}" "$@" "$BIN/$handler" <"$E2E_TMP/cgi.in" >"$E2E_TMP/cgi.out" 2>"$E2E_TMP/cgi.err" ||
        fail "$handler exited with $?: $(cat "$E2E_TMP/cgi.err")"
    CGI_ERR=""
    IFS= read -rd '' CGI_ERR <"$E2E_TMP/cgi.err" || true
    IFS= read -rd '' out <"$E2E_TMP/cgi.out" || true
    printf '%s' "${out%%$'\r\n\r\n'*}" >"$HEADERS"
    BODY=${out#*$'\r\n\r\n'}
    STATUS=000
    [[ $out =~ ^Status:\ ([0-9]+) ]] && STATUS=${BASH_REMATCH[1]}
    return 0
}

cgi() { cgi_with account "$@"; }

cgi_login() { # email → token, through the auth handler in CGI mode
    TOKEN="" cgi_with auth POST /v2/user/auth "$(jq -cn --arg u "$1" --arg p "$ADMIN_PASSWORD" '{username: $u, password: $p}')"
    [[ $STATUS == 200 ]] || fail "login $1: expected 200"
    jq -r .token <<<"$BODY"
}

as_new_user() { # name → sets UID_ and TOKEN (a plain user, password $ADMIN_PASSWORD)
    UID_=$(psql_q "WITH u AS (INSERT INTO users (organization_id, email, name, role, password_hash)
                   SELECT organization_id, '$1-$RUN@example.com', 'CGI User', 'user', password_hash
                   FROM users WHERE id = '$ADMIN_ID' RETURNING id) SELECT id FROM u")
    TOKEN=$(cgi_login "$1-$RUN@example.com")
}

# ---------------------------------------------------------------- the pipeline

account_answers_200_with_success_true() {
    as_new_user shape
    cgi GET /v2/account
    expect_status 200
    expect_header Content-Type '^application/json'
    expect_header X-Request-Id '^[0-9a-f]{32}$'
    expect_json '[.success, .account.id, (.account | keys)]' \
        "[true,\"$UID_\",[\"api\",\"e24files\",\"email\",\"groups\",\"id\",\"name\",\"notification\",\"phone\",\"sshkeys\"]]"
}

missing_or_bad_credentials_answer_401_with_success_false() {
    TOKEN="" cgi GET /v2/account
    expect_status 401
    expect_envelope UNAUTHORIZED
    expect_json '.success' 'false'
    expect_header WWW-Authenticate 'Bearer'
    TOKEN="" cgi GET /v2/account "" "Bearer not.a.token"
    expect_status 401
    expect_envelope UNAUTHORIZED
    TOKEN="" cgi GET /v2/account "" "Basic $(printf 'cab_nokey:nosecret' | base64)"
    expect_status 401
    expect_envelope UNAUTHORIZED
}

basic_auth_with_an_api_key_works_in_cgi_mode() {
    as_new_user basic
    cgi PUT /v2/account/api
    expect_status 200
    local pair; pair=$(jq -r '.api.api_key + ":" + .api.secret_key' <<<"$BODY")
    TOKEN="" cgi GET /v2/account "" "Basic $(printf '%s' "$pair" | base64 -w0)"
    expect_status 200
    expect_json '.account.id' "$UID_"
}

wrong_methods_answer_405_with_allow() {
    as_new_user methods
    cgi GET /v2/account/api
    expect_status 405
    expect_envelope METHOD_NOT_ALLOWED
    expect_json '.success' 'false'
    expect_header Allow '^PUT, DELETE$'
    cgi POST /v2/account/7/sshkey
    expect_status 405
    expect_header Allow '^DELETE$'
}

unknown_paths_answer_404_with_success_false() {
    as_new_user unknown
    cgi GET /v2/account/everything
    expect_status 404
    expect_envelope NOT_FOUND
    expect_json '.success' 'false'
}

bodies_must_be_json_objects() {
    as_new_user bodies
    cgi POST /v2/account/data '{"phone":'
    expect_status 400
    expect_envelope INVALID_JSON
    cgi POST /v2/account/data '["phone"]'
    expect_status 400
    expect_envelope INVALID_JSON
    cgi POST /v2/account/data
    expect_status 400
    expect_envelope INVALID_JSON
    CGI_CONTENT_TYPE=text/plain cgi POST /v2/account/data '{"phone":"123456"}'
    expect_status 415
    expect_envelope UNSUPPORTED_MEDIA_TYPE
    expect_json '.success' 'false'
    CGI_CONTENT_TYPE='application/json; charset=utf-8' cgi POST /v2/account/data '{"phone":"123456"}'
    expect_status 200
    expect_json '.' '{"success":true}'
}

# ---------------------------------------------------------------- secrets

undecryptable_secrets_answer_500_and_only_the_log_has_the_reason() {
    as_new_user sealed
    cgi PUT /v2/account/api
    local secret; secret=$(jq -r .api.secret_key <<<"$BODY")
    # A changed nonce: the tag no longer verifies.
    psql_q "UPDATE api_keys SET secret_enc = '\\x00'::bytea || secret_enc WHERE user_id = '$UID_'" >/dev/null
    cgi GET /v2/account
    expect_status 500
    expect_envelope INTERNAL_ERROR
    expect_json '.success' 'false'
    [[ $BODY != *"$secret"* && $BODY != *decrypt* ]] || fail "the reason reached the response"
    [[ $CGI_ERR == *"cannot decrypt api secret"* ]] || fail "the log lacks the reason: $CGI_ERR"
    psql_q "UPDATE api_keys SET secret_enc = substring(secret_enc from 2) WHERE user_id = '$UID_'" >/dev/null
    cgi GET /v2/account
    expect_status 200
}

a_wrong_master_key_answers_500_not_garbage() {
    as_new_user masterkey
    cgi PUT /v2/account/api
    expect_status 200
    cgi GET /v2/account
    expect_status 200
    cgi GET /v2/account "" "" CABINET_MASTER_KEY="$(openssl rand -hex 32)"
    expect_status 500
    expect_envelope INTERNAL_ERROR
    expect_json '.success' 'false'
    [[ $CGI_ERR == *"cannot decrypt"* ]] || fail "the log lacks the reason: $CGI_ERR"
}

# A user made in SQL has no S3/Swift credentials: a GET shows them empty and
# creates none (a read never writes); files-new-secret-key makes them.
reading_an_account_without_storage_credentials_writes_nothing() {
    as_new_user nostorage
    cgi GET /v2/account
    expect_status 200
    expect_json '.account.e24files' '{"s3":{"api_id":"","secret_key":""},"swift":{"api_id":"","secret_key":""}}'
    local rows
    rows=$(psql_q "SELECT count(*) FROM storage_credentials WHERE user_id = '$UID_'")
    [[ $rows == 0 ]] || fail "GET /v2/account wrote storage credentials ($rows rows)"
}

# ---------------------------------------------------------------- master key rotation (cabinet-admin)

admin() { # [ENV…] -- ARGS…: build/cabinet-admin with the handlers' config; sets ADMIN_OUT, ADMIN_ERR, ADMIN_RC
    local -a env=()
    while [[ $1 != -- ]]; do env+=("$1"); shift; done
    shift
    ADMIN_RC=0
    env -i PATH="$PATH" CABINET_CONFIG="$CABINET_CONFIG" "${env[@]}" "$BIN/../cabinet-admin" "$@" \
        >"$E2E_TMP/admin.out" 2>"$E2E_TMP/admin.err" || ADMIN_RC=$?
    ADMIN_OUT=$(cat "$E2E_TMP/admin.out")
    ADMIN_ERR=$(cat "$E2E_TMP/admin.err")
}

# create-org checks its options with the API's validators (lib/validate):
# an organization name as PUT /api/organizations takes it, the email and
# password policy of POST /api/users; nothing is written when one fails.
create_org_rejects_what_the_api_rejects_and_writes_nothing() {
    local orgs; orgs=$(psql_q "SELECT count(*) FROM organizations")
    admin -- create-org --name "  " --admin-email "new-admin@example.com" --admin-password "correct horse battery"
    [[ $ADMIN_RC == 1 ]] || fail "a blank name exited with $ADMIN_RC"
    [[ $(head -n1 <<<"$ADMIN_ERR" | jq -c '.error | {message, details}') == \
        '{"message":"Must be 1 to 200 characters","details":{"field":"--name","value":"  "}}' ]] ||
        fail "a blank name answered: $ADMIN_ERR"
    admin -- create-org --name "Acme" --admin-email "not-an-email" --admin-password "correct horse battery"
    [[ $ADMIN_RC == 1 ]] || fail "a bad email exited with $ADMIN_RC"
    [[ $(head -n1 <<<"$ADMIN_ERR" | jq -c '.error | {message, details}') == \
        '{"message":"Invalid email format","details":{"field":"--admin-email","value":"not-an-email"}}' ]] ||
        fail "a bad email answered: $ADMIN_ERR"
    admin -- create-org --name "Acme" --admin-email "new-admin@example.com" --admin-password "New-Admin@Example.com"
    [[ $ADMIN_RC == 1 ]] || fail "a password equal to the email exited with $ADMIN_RC"
    [[ $(head -n1 <<<"$ADMIN_ERR" | jq -r '.error.message') == "Password must not equal the email" ]] ||
        fail "a password equal to the email answered: $ADMIN_ERR"
    [[ $(psql_q "SELECT count(*) FROM organizations") == "$orgs" ]] || fail "a refused create-org wrote an organization"
}

sealed_digest() { psql_q "SELECT md5(coalesce(string_agg(encode(secret_enc, 'hex') || encode(secret_hash, 'hex'), ',' ORDER BY id), ''))
                          || md5(coalesce((SELECT string_agg(encode(s3_secret_enc, 'hex') || encode(swift_secret_enc, 'hex'), ','
                                           ORDER BY user_id) FROM storage_credentials), '')) FROM api_keys"; }

rotating_the_master_key_keeps_every_secret_and_api_key_working() {
    as_new_user rotation
    cgi PUT /v2/account/api
    local basic old new before
    basic="Basic $(jq -r '.api.api_key + ":" + .api.secret_key' <<<"$BODY" | tr -d '\n' | base64 -w0)"
    cgi GET /v2/account
    before=$(jq -c '.account | {api, e24files}' <<<"$BODY")
    old=$(sed -n 's/^CABINET_MASTER_KEY=//p' "$CABINET_CONFIG")
    new=$(openssl rand -hex 32)
    printf '%s\n' "$old" >"$E2E_TMP/old.key"
    printf '%s\n' "$new" >"$E2E_TMP/new.key"
    admin -- rotate-master-key --new-key-file "$E2E_TMP/new.key"
    # Whatever happens below, the shared stack gets its key back.
    trap 'admin CABINET_MASTER_KEY="$new" -- rotate-master-key --new-key-file "$E2E_TMP/old.key"' EXIT
    [[ $ADMIN_RC == 0 ]] || fail "rotate-master-key exited with $ADMIN_RC: $ADMIN_ERR"
    jq -e '(.apiKeys | . >= 1) and (.storageCredentials | . >= 1) and (keys == ["apiKeys","storageCredentials"])' \
        <<<"$ADMIN_OUT" >/dev/null || fail "rotate-master-key printed '$ADMIN_OUT'"
    cgi GET /v2/account "" "" CABINET_MASTER_KEY="$new"
    expect_status 200
    expect_json '.account | {api, e24files}' "$before"
    TOKEN="" cgi GET /v2/account "" "$basic" CABINET_MASTER_KEY="$new"
    expect_status 200
    cgi GET /v2/account
    expect_status 500
    TOKEN="" cgi GET /v2/account "" "$basic"
    expect_status 401
    admin CABINET_MASTER_KEY="$new" -- rotate-master-key --new-key-file "$E2E_TMP/old.key"
    [[ $ADMIN_RC == 0 ]] || fail "rotating back exited with $ADMIN_RC: $ADMIN_ERR"
    trap - EXIT
    TOKEN="" cgi GET /v2/account "" "$basic"
    expect_status 200
    expect_json '.account | {api, e24files}' "$before"
}

a_failed_master_key_rotation_changes_nothing() {
    local before; before=$(sealed_digest)
    printf 'not hex\n' >"$E2E_TMP/bad.key"
    admin -- rotate-master-key --new-key-file "$E2E_TMP/bad.key"
    expect_eq "$ADMIN_RC" 1
    jq -e '.error.code == "VALIDATION_ERROR" and .error.details.field == "--new-key-file"' <<<"$(head -n 1 <<<"$ADMIN_ERR")" \
        >/dev/null || fail "expected the error envelope on stderr, got '$ADMIN_ERR'"
    admin -- rotate-master-key
    expect_eq "$ADMIN_RC" 1
    # Not the key the secrets are sealed under (its fingerprint differs from
    # the recorded one, sql/031): refused naming the setting, nothing is written.
    openssl rand -hex 32 >"$E2E_TMP/next.key"
    admin CABINET_MASTER_KEY="$(openssl rand -hex 32)" -- rotate-master-key --new-key-file "$E2E_TMP/next.key"
    expect_eq "$ADMIN_RC" 1
    [[ $ADMIN_OUT == "" && $ADMIN_ERR == *'"CONFLICT"'*CABINET_MASTER_KEY* ]] || fail "unexpected output '$ADMIN_OUT' / '$ADMIN_ERR'"
    expect_eq "$(sealed_digest)" "$before"
}

# ---------------------------------------------------------------- SSH key parser fuzz

# One mutation of a string: replace, delete or insert a character, truncate,
# or repeat a slice.
mutate() {
    local s=$1 n=${#1} pos ch
    local alphabet='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= -\'$'\t\n'
    pos=$((RANDOM % (n + 1)))
    ch=${alphabet:$((RANDOM % ${#alphabet})):1}
    case $((RANDOM % 5)) in
        0) printf '%s' "${s:0:pos}$ch${s:pos+1}" ;;
        1) printf '%s' "${s:0:pos}${s:pos+1}" ;;
        2) printf '%s' "${s:0:pos}$ch${s:pos}" ;;
        3) printf '%s' "${s:0:pos}" ;;
        4) printf '%s' "${s:0:pos}${s:pos:$((RANDOM % 16))}${s:pos}" ;;
    esac
}

# Every input gets 200, 400 or 409 (never a 5xx), the envelope on errors, and
# whatever is accepted, ssh-keygen reads as the same key (same fingerprint).
mutated_ssh_keys_never_crash_and_accepted_ones_agree_with_ssh_keygen() {
    as_new_user fuzz
    local seeds=() type i line fp accepted=0 rejected=0
    for type in ed25519 ecdsa rsa; do
        rm -f "$KEYS/$type"*
        ssh-keygen -q -t "$type" -N '' -C "seed@fuzz" -f "$KEYS/$type" </dev/null >/dev/null
        seeds+=("$(cat "$KEYS/$type.pub")")
    done
    RANDOM=${FUZZ_SEED:-20261123}
    for ((i = 0; i < ${FUZZ_ROUNDS:-80}; i++)); do
        line=${seeds[$((RANDOM % ${#seeds[@]}))]}
        line=$(mutate "$line")
        ((RANDOM % 3 == 0)) && line=$(mutate "$line")
        cgi PUT /v2/account/sshkey "$(jq -cn --arg k "$line" '{name: "fuzz", method: "upload", content: $k}')"
        case $STATUS in
            200)
                accepted=$((accepted + 1))
                printf '%s\n' "$line" >"$KEYS/accepted.pub"
                fp=$(ssh-keygen -lf "$KEYS/accepted.pub" 2>/dev/null | cut -d' ' -f2) ||
                    fail "accepted a key ssh-keygen rejects: $line"
                expect_json '.sshkeys.fingerprint' "$fp"
                cgi DELETE "/v2/account/$(jq -r .sshkeys.id <<<"$BODY")/sshkey"
                expect_status 200
                ;;
            400 | 409)
                rejected=$((rejected + 1))
                [[ $(jq -c '[.success, .error.code]' <<<"$BODY") == '[false,"'"$([[ $STATUS == 400 ]] && echo VALIDATION_ERROR || echo CONFLICT)"'"]' ]] ||
                    fail "input $(jq -Rn --arg k "$line" '$k'): not the error envelope"
                ;;
            *) fail "input $(jq -Rn --arg k "$line" '$k') answered $STATUS" ;;
        esac
    done
    ((rejected > 0)) || fail "nothing was rejected: the fuzz proves nothing"
}

random_blobs_under_every_type_are_rejected_without_crashing() {
    as_new_user blobs
    local type i blob
    for type in ssh-ed25519 ecdsa-sha2-nistp256 ecdsa-sha2-nistp384 ecdsa-sha2-nistp521 ssh-rsa; do
        for ((i = 0; i < 4; i++)); do
            # The right type string, then random bytes of a random length.
            blob=$( { printf '%08x' "${#type}" | xxd -r -p; printf '%s' "$type"; head -c $((RANDOM % 600)) /dev/urandom; } | base64 -w0)
            cgi PUT /v2/account/sshkey "$(jq -cn --arg k "$type $blob" '{name: "blob", method: "upload", content: $k}')"
            [[ $STATUS == 400 ]] || fail "$type with a random blob answered $STATUS"
            expect_envelope VALIDATION_ERROR
        done
    done
}

test_case account_answers_200_with_success_true
test_case missing_or_bad_credentials_answer_401_with_success_false
test_case basic_auth_with_an_api_key_works_in_cgi_mode
test_case wrong_methods_answer_405_with_allow
test_case unknown_paths_answer_404_with_success_false
test_case bodies_must_be_json_objects
test_case undecryptable_secrets_answer_500_and_only_the_log_has_the_reason
test_case a_wrong_master_key_answers_500_not_garbage
test_case reading_an_account_without_storage_credentials_writes_nothing
test_case create_org_rejects_what_the_api_rejects_and_writes_nothing
test_case rotating_the_master_key_keeps_every_secret_and_api_key_working
test_case a_failed_master_key_rotation_changes_nothing
test_case mutated_ssh_keys_never_crash_and_accepted_ones_agree_with_ssh_keygen
test_case random_blobs_under_every_type_are_rejected_without_crashing
summary
