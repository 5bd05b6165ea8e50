#!/usr/bin/env bash
# e24cloud account self-service (/v2/account…) end to end through nginx:
# account details, data, API keys (also as Basic credentials), SSH keys,
# storage credentials, secrets at rest.
source "$(dirname "$0")/lib.sh"

RUN=$RANDOM$RANDOM  # unique emails, so the suite can run twice against one stack
KEYS=$E2E_TMP/keys
mkdir -p "$KEYS"

# A plain `user` of the admin's organization (password $ADMIN_PASSWORD),
# made through the API as users are (with its storage credentials); prints its id.
make_user() {
    local id
    TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD") req POST /api/users \
        "$(jq -cn --arg e "$1" --arg p "$ADMIN_PASSWORD" '{email: $e, name: "Test User", role: "user", password: $p}')"
    [[ $STATUS == 201 ]] || fail "POST /api/users $1: expected 201, got $STATUS $BODY"
    id=$(jq -r .user.id <<<"$BODY")
    psql_q "UPDATE users SET first_name = 'Test', last_name = 'User' WHERE id = '$id'" >/dev/null
    echo "$id"
}

# make_user + login: sets UID_ and TOKEN.
as_new_user() {
    UID_=$(make_user "$1-$RUN@example.com")
    TOKEN=$(login "$1-$RUN@example.com" "$ADMIN_PASSWORD")
}

activities() { # user type → count
    psql_q "SELECT count(*) FROM activities WHERE actor_id = '$1' AND type = '$2'"
}

new_api_key() { # → "api_key secret_key" of a new key of the TOKEN's user
    req PUT /v2/account/api
    [[ $STATUS == 200 ]] || fail "PUT /v2/account/api: expected 200"
    jq -r '.api.api_key + " " + .api.secret_key' <<<"$BODY"
}

upload_body() { # name file → the upload request body
    jq -cn --arg n "$1" --rawfile k "$2" '{name: $n, method: "upload", content: $k}'
}

upload() { # name file → sets STATUS/BODY
    req PUT /v2/account/sshkey "$(upload_body "$1" "$2")"
}

# A key pair made by ssh-keygen: keygen NAME TYPE [BITS] → $KEYS/NAME(.pub)
keygen() {
    rm -f "$KEYS/$1" "$KEYS/$1.pub"
    ssh-keygen -q -t "$2" ${3:+-b "$3"} -N '' -C "$1@test" -f "$KEYS/$1" </dev/null >/dev/null
}

success_only() {
    expect_status 200
    expect_json '.' '{"success":true}'
}

# ---------------------------------------------------------------- GET /v2/account

account_answers_the_documented_shape_and_types() {
    as_new_user shape
    read -r key _ <<<"$(new_api_key)"
    keygen shape ed25519
    upload laptop "$KEYS/shape.pub"
    expect_status 200
    local gid
    gid=$(psql_q "WITH g AS (INSERT INTO groups (organization_id, name) VALUES ('$ORG_ID', 'Shape $RUN') RETURNING id)
                  SELECT id FROM g")
    psql_q "INSERT INTO memberships (group_id, user_id, organization_id) VALUES ('$gid', '$UID_', '$ORG_ID')" >/dev/null
    req GET /v2/account
    expect_status 200
    expect_header Content-Type '^application/json'
    expect_json 'keys' '["account","success"]'
    expect_json '.success' 'true'
    expect_json '.account | keys' '["api","e24files","email","groups","id","name","notification","phone","sshkeys"]'
    expect_json '.account | [.id, .name, .email, .phone] | map(type)' '["string","string","string","string"]'
    expect_json '.account.id' "$UID_"
    expect_json '.account.email' "shape-$RUN@example.com"
    expect_json '.account.name' 'Test User'
    expect_json '.account.notification | keys' '["email","phone"]'
    expect_json '.account.notification | map(type)' '["string","string"]'
    expect_json '.account.e24files | keys' '["s3","swift"]'
    expect_json '.account.e24files | map(keys)' '[["api_id","secret_key"],["api_id","secret_key"]]'
    expect_json '[.account.e24files[][] | type] | unique' '["string"]'
    expect_json '[.account.e24files[][] | length > 15] | all' 'true'
    expect_json '.account.api | length' '1'
    expect_json '.account.api[0] | keys' '["api_key","secret_key"]'
    expect_json '.account.api[0].api_key' "$key"
    expect_json '.account.sshkeys | length' '1'
    expect_json '.account.sshkeys[0] | keys' '["fingerprint","id","name"]'
    expect_json '.account.sshkeys[0] | [.id, .name, .fingerprint] | map(type)' '["number","string","string"]'
    expect_json '.account.sshkeys[0].id | . == floor' 'true'
    expect_json '.account.sshkeys[0].name' 'laptop'
    expect_json '.account.groups' "[{\"id\":\"$gid\",\"name\":\"Shape $RUN\"}]"
}

account_without_a_credential_answers_401_with_success_false() {
    TOKEN="" req GET /v2/account
    expect_status 401
    expect_envelope UNAUTHORIZED
    expect_json '.success' 'false'
    expect_header WWW-Authenticate '.+'
}

unknown_account_paths_and_methods_answer_with_success_false() {
    TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    req GET /v2/account/nothing-here
    expect_status 404
    expect_envelope NOT_FOUND
    expect_json '.success' 'false'
    req GET /v2/account/api
    expect_status 405
    expect_envelope METHOD_NOT_ALLOWED
    expect_json '.success' 'false'
    expect_header Allow 'PUT'
}

# ---------------------------------------------------------------- POST /v2/account/data

updating_data_sets_the_parts_and_the_display_name() {
    as_new_user data
    req POST /v2/account/data '{"first_name":"Jan","last_name":"Kowalski","phone":"+48 600 700 800","notification_email":"alerts@example.com","notification_phone":"+48 111 222 333"}'
    success_only
    expect_eq "$(psql_q "SELECT concat_ws('|', first_name, last_name, name, phone, notification_email, notification_phone)
                         FROM users WHERE id = '$UID_'")" "Jan|Kowalski|Jan Kowalski|+48 600 700 800|alerts@example.com|+48 111 222 333"
    expect_eq "$(activities "$UID_" account.update)" 1
    expect_eq "$(activities "$UID_" account.password.change)" 0
    req GET /v2/account
    expect_json '.account | [.name, .phone, .notification.email, .notification.phone]' \
        '["Jan Kowalski","+48 600 700 800","alerts@example.com","+48 111 222 333"]'
}

updating_one_name_keeps_the_other_in_the_display_name() {
    as_new_user onename
    req POST /v2/account/data '{"last_name":"Nowak"}'
    success_only
    expect_eq "$(psql_q "SELECT concat_ws('|', first_name, last_name, name) FROM users WHERE id = '$UID_'")" "Test|Nowak|Test Nowak"
    req POST /v2/account/data '{"phone":"123 456 789"}'
    success_only
    expect_eq "$(psql_q "SELECT concat_ws('|', name, phone) FROM users WHERE id = '$UID_'")" "Test Nowak|123 456 789"
}

invalid_data_answers_400_and_changes_nothing() {
    as_new_user baddata
    local before body
    before=$(psql_q "SELECT to_jsonb(u) - 'updated_at' FROM users u WHERE id = '$UID_'")
    for body in '{}' '{"nickname":"x"}' '{"first_name":""}' '{"first_name":7}' '{"phone":"call me"}' \
        '{"notification_email":"not-an-email"}' '{"password":"short"}' \
        "{\"password\":\"baddata-$RUN@example.com\"}" '{"last_name":"ok","phone":"+1 (555) x"}'; do
        req POST /v2/account/data "$body"
        expect_status 400
        expect_envelope VALIDATION_ERROR
        expect_json '.success' 'false'
    done
    req POST /v2/account/data '{"first_name":'
    expect_status 400
    expect_envelope INVALID_JSON
    expect_eq "$(psql_q "SELECT to_jsonb(u) - 'updated_at' FROM users u WHERE id = '$UID_'")" "$before"
    expect_eq "$(psql_q "SELECT count(*) FROM activities WHERE actor_id = '$UID_' AND type LIKE 'account.%'")" 0
}

changing_the_password_revokes_every_existing_token() {
    as_new_user passwd
    local first=$TOKEN second version
    second=$(login "passwd-$RUN@example.com" "$ADMIN_PASSWORD")
    version=$(psql_q "SELECT token_version FROM users WHERE id = '$UID_'")
    TOKEN=$first req POST /v2/account/data '{"password":"a brand new passphrase"}'
    success_only
    expect_eq "$(psql_q "SELECT token_version FROM users WHERE id = '$UID_'")" "$((version + 1))"
    expect_eq "$(activities "$UID_" account.password.change)" 1
    TOKEN=$first req GET /v2/account
    expect_status 401
    expect_envelope UNAUTHORIZED
    TOKEN=$second req GET /v2/account
    expect_status 401
    TOKEN="" req POST /v2/user/auth "{\"username\":\"passwd-$RUN@example.com\",\"password\":\"$ADMIN_PASSWORD\"}"
    expect_status 401
    TOKEN=$(login "passwd-$RUN@example.com" "a brand new passphrase")
    req GET /v2/account
    expect_status 200
}

# ---------------------------------------------------------------- API keys

creating_an_api_key_answers_a_recognisable_key_and_secret() {
    as_new_user apikey
    req PUT /v2/account/api
    expect_status 200
    expect_json 'keys' '["api","success"]'
    expect_json '.success' 'true'
    expect_json '.api | keys' '["api_key","secret_key"]'
    expect_json '.api.api_key | test("^cab_[0-9A-Za-z]{24}$")' 'true'
    expect_json '.api.secret_key | test("^cabs_[0-9A-Za-z]{40}$")' 'true'
    local key secret
    key=$(jq -r .api.api_key <<<"$BODY")
    secret=$(jq -r .api.secret_key <<<"$BODY")
    expect_eq "$(psql_q "SELECT count(*) FROM api_keys WHERE api_key = '$key' AND user_id = '$UID_' AND organization_id = '$ORG_ID'")" 1
    expect_eq "$(activities "$UID_" account.apikey.create)" 1
    req GET /v2/account
    expect_json '.account.api' "[{\"api_key\":\"$key\",\"secret_key\":\"$secret\"}]"
}

basic_auth_with_a_fresh_key_works_and_is_audited_as_api() {
    as_new_user basic
    local key secret
    read -r key secret <<<"$(new_api_key)"
    TOKEN="" req GET /v2/account "" -u "$key:$secret"
    expect_status 200
    expect_json '.account.id' "$UID_"
    TOKEN="" req GET /api/v1/groups "" -u "$key:$secret"
    expect_status 200
    expect_json '.groups | type' 'array'
    TOKEN="" req PUT /v2/account/sshkey '{"name":"via api","method":"generate"}' -u "$key:$secret"
    expect_status 200
    expect_eq "$(psql_q "SELECT actor_type || ' ' || actor_id || ' ' || (position('$key' in actor_details) > 0)
                         FROM activities WHERE type = 'account.sshkey.create' AND actor_id = '$UID_'")" "api $UID_ true"
}

a_wrong_or_unknown_api_key_answers_401() {
    as_new_user wrongkey
    local key secret
    read -r key secret <<<"$(new_api_key)"
    TOKEN="" req GET /v2/account "" -u "$key:${secret}x"
    expect_status 401
    expect_envelope UNAUTHORIZED
    TOKEN="" req GET /v2/account "" -u "cab_unknownunknownunknown0:$secret"
    expect_status 401
    expect_envelope UNAUTHORIZED
    TOKEN="" req GET /v2/account "" -H "Authorization: Basic not-base64!"
    expect_status 401
    expect_envelope UNAUTHORIZED
}

a_disabled_users_api_keys_stop_working_until_it_is_enabled() {
    as_new_user disabled
    local key secret
    read -r key secret <<<"$(new_api_key)"
    psql_q "UPDATE users SET enabled = false WHERE id = '$UID_'" >/dev/null
    TOKEN="" req GET /v2/account "" -u "$key:$secret"
    expect_status 401
    expect_envelope UNAUTHORIZED
    psql_q "UPDATE users SET enabled = true WHERE id = '$UID_'" >/dev/null
    TOKEN="" req GET /v2/account "" -u "$key:$secret"
    expect_status 200
}

rotating_an_api_secret_revokes_the_old_one_at_once() {
    as_new_user rotate
    local key secret new
    read -r key secret <<<"$(new_api_key)"
    TOKEN="" req GET /v2/account "" -u "$key:$secret"
    expect_status 200
    req POST /v2/account/api-new-secret-key "{\"api_key\":\"$key\"}"
    expect_status 200
    expect_json 'keys' '["api","success"]'
    expect_json '.success' 'true'
    expect_json '.api.api_key' "$key"
    new=$(jq -r .api.secret_key <<<"$BODY")
    [[ $new != "$secret" && $new =~ ^cabs_ ]] || fail "the secret did not change"
    TOKEN="" req GET /v2/account "" -u "$key:$secret"
    expect_status 401
    TOKEN="" req GET /v2/account "" -u "$key:$new"
    expect_status 200
    expect_json '.account.api[0].secret_key' "$new"
    expect_eq "$(activities "$UID_" account.apikey.rotate)" 1
}

deleting_an_api_key_revokes_it_at_once() {
    as_new_user delkey
    local key secret
    read -r key secret <<<"$(new_api_key)"
    req DELETE /v2/account/api "{\"api_key\":\"$key\"}"
    success_only
    TOKEN="" req GET /v2/account "" -u "$key:$secret"
    expect_status 401
    expect_eq "$(psql_q "SELECT count(*) FROM api_keys WHERE api_key = '$key'")" 0
    expect_eq "$(activities "$UID_" account.apikey.delete)" 1
    req DELETE /v2/account/api "{\"api_key\":\"$key\"}"
    expect_status 404
    expect_envelope NOT_FOUND
    expect_json '.success' 'false'
}

another_users_api_key_answers_404_and_keeps_working() {
    as_new_user keyowner
    local key secret owner=$UID_
    read -r key secret <<<"$(new_api_key)"
    as_new_user keythief
    req POST /v2/account/api-new-secret-key "{\"api_key\":\"$key\"}"
    expect_status 404
    expect_envelope NOT_FOUND
    req DELETE /v2/account/api "{\"api_key\":\"$key\"}"
    expect_status 404
    expect_envelope NOT_FOUND
    req POST /v2/account/api-new-secret-key '{"api_key":"cab_doesnotexistdoesnotexis"}'
    expect_status 404
    TOKEN="" req GET /v2/account "" -u "$key:$secret"
    expect_status 200
    expect_json '.account.id' "$owner"
    expect_eq "$(psql_q "SELECT count(*) FROM activities WHERE actor_id = '$UID_' AND type LIKE 'account.apikey.%'")" 0
}

api_key_bodies_are_validated() {
    as_new_user keybody
    for body in '{}' '{"api_key":""}' '{"api_key":5}' '{"api_key":"k","extra":1}'; do
        req POST /v2/account/api-new-secret-key "$body"
        expect_status 400
        expect_envelope VALIDATION_ERROR
        req DELETE /v2/account/api "$body"
        expect_status 400
        expect_envelope VALIDATION_ERROR
    done
}

a_user_has_at_most_10_api_keys() {
    as_new_user tenkeys
    local i
    for ((i = 0; i < 10; i++)); do new_api_key >/dev/null; done
    req PUT /v2/account/api
    expect_status 409
    expect_envelope CONFLICT
    expect_json '.success' 'false'
    expect_eq "$(psql_q "SELECT count(*) FROM api_keys WHERE user_id = '$UID_'")" 10
    expect_eq "$(activities "$UID_" account.apikey.create)" 10
}

# ---------------------------------------------------------------- storage credentials

files_new_secret_key_rotates_both_secrets_and_keeps_the_api_ids() {
    as_new_user files
    local key before
    read -r key _ <<<"$(new_api_key)"
    req GET /v2/account
    before=$(jq -c .account.e24files <<<"$BODY")
    req POST /v2/account/files-new-secret-key "{\"api_key\":\"$key\"}"
    expect_status 200
    expect_json 'keys' '["e24files","success"]'
    expect_json '.success' 'true'
    expect_json '.e24files | map(keys)' '[["api_id","secret_key"],["api_id","secret_key"]]'
    expect_json '[.e24files[][] | type] | unique' '["string"]'
    expect_json '.e24files.s3.api_id' "$(jq -r .s3.api_id <<<"$before")"
    expect_json '.e24files.swift.api_id' "$(jq -r .swift.api_id <<<"$before")"
    expect_json ".e24files.s3.secret_key != $(jq .s3.secret_key <<<"$before")" 'true'
    expect_json ".e24files.swift.secret_key != $(jq .swift.secret_key <<<"$before")" 'true'
    local after=$BODY
    req GET /v2/account
    expect_json '.account.e24files' "$(jq -c .e24files <<<"$after")"
    expect_eq "$(activities "$UID_" account.files.rotate)" 1
}

files_new_secret_key_with_a_foreign_or_unknown_api_key_answers_404() {
    as_new_user filesowner
    local foreign before
    read -r foreign _ <<<"$(new_api_key)"
    as_new_user filesother
    req GET /v2/account
    before=$(jq -c .account.e24files <<<"$BODY")
    for key in "$foreign" "cab_nosuchkeynosuchkeynosu"; do
        req POST /v2/account/files-new-secret-key "{\"api_key\":\"$key\"}"
        expect_status 404
        expect_envelope NOT_FOUND
        expect_json '.success' 'false'
    done
    req GET /v2/account
    expect_json '.account.e24files' "$before"
    expect_eq "$(activities "$UID_" account.files.rotate)" 0
}

# ---------------------------------------------------------------- SSH keys

generated_ssh_key_is_an_openssh_ed25519_pair_shown_once() {
    as_new_user sshgen
    req PUT /v2/account/sshkey '{"name":"generated","method":"generate"}'
    expect_status 200
    expect_json 'keys' '["sshkeys","success"]'
    expect_json '.success' 'true'
    expect_json '.sshkeys | keys' '["fingerprint","id","name","private_key","public_key"]'
    expect_json '.sshkeys.id | type' 'number'
    expect_json '.sshkeys.name' 'generated'
    expect_json '.sshkeys.public_key | test("^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]+=*$")' 'true'
    expect_json '.sshkeys.private_key | startswith("-----BEGIN OPENSSH PRIVATE KEY-----\n")' 'true'
    jq -r .sshkeys.private_key <<<"$BODY" >"$KEYS/generated"
    chmod 600 "$KEYS/generated"
    local derived
    derived=$(ssh-keygen -y -f "$KEYS/generated") || fail "ssh-keygen -y rejects the private key"
    expect_eq "$(cut -d' ' -f1,2 <<<"$derived")" "$(jq -r .sshkeys.public_key <<<"$BODY")"
    expect_eq "$(ssh-keygen -lf "$KEYS/generated" | cut -d' ' -f2)" "$(jq -r .sshkeys.fingerprint <<<"$BODY")"
    local id fp
    id=$(jq -r .sshkeys.id <<<"$BODY")
    fp=$(jq -r .sshkeys.fingerprint <<<"$BODY")
    expect_eq "$(psql_q "SELECT public_key FROM ssh_keys WHERE id = $id AND user_id = '$UID_'")" "$(jq -r .sshkeys.public_key <<<"$BODY")"
    expect_eq "$(psql_q "SELECT count(*) FROM ssh_keys t WHERE to_jsonb(t)::text LIKE '%PRIVATE%'")" 0
    expect_eq "$(activities "$UID_" account.sshkey.create)" 1
    req GET /v2/account
    expect_json '.account.sshkeys' "[{\"id\":$id,\"name\":\"generated\",\"fingerprint\":\"$fp\"}]"
    expect_json '[.. | strings | select(contains("PRIVATE"))] | length' '0'
}

uploaded_keys_carry_the_ssh_keygen_fingerprint() {
    as_new_user sshup
    local spec name type bits n=0
    for spec in ed25519:ed25519: ec256:ecdsa:256 ec384:ecdsa:384 ec521:ecdsa:521 rsa2048:rsa:2048 rsa3072:rsa:3072; do
        IFS=: read -r name type bits <<<"$spec"
        keygen "$name" "$type" "$bits"
        upload "$name" "$KEYS/$name.pub"
        expect_status 200
        expect_json 'keys' '["sshkeys","success"]'
        expect_json '.sshkeys | keys' '["fingerprint","id","name"]'
        expect_json '.sshkeys.id | type' 'number'
        expect_json '.sshkeys.name' "$name"
        expect_json '.sshkeys.fingerprint' "$(ssh-keygen -lf "$KEYS/$name.pub" | cut -d' ' -f2)"
        n=$((n + 1))
    done
    expect_eq "$(psql_q "SELECT count(*) FROM ssh_keys WHERE user_id = '$UID_'")" "$n"
    expect_eq "$(activities "$UID_" account.sshkey.create)" "$n"
}

uploading_a_key_without_comment_or_with_surrounding_blanks_works() {
    as_new_user sshblank
    keygen blank ed25519
    local line
    line="  $(cut -d' ' -f1,2 "$KEYS/blank.pub")  "$'\n'
    req PUT /v2/account/sshkey "$(jq -cn --arg k "$line" '{name: "blank", method: "upload", content: $k}')"
    expect_status 200
    expect_json '.sshkeys.fingerprint' "$(ssh-keygen -lf "$KEYS/blank.pub" | cut -d' ' -f2)"
}

# Prints stdin as one SSH wire-format string: 4-byte big-endian length, then the bytes.
wire_string() {
    cat >"$E2E_TMP/wire"
    printf '%08x' "$(stat -c %s "$E2E_TMP/wire")" | xxd -r -p
    cat "$E2E_TMP/wire"
}

rejected_ssh_keys_answer_400_and_change_nothing() {
    as_new_user sshbad
    keygen ok ed25519
    keygen rsa1024 rsa 1024
    keygen ec ecdsa 256
    local ok_line ok_b64 junk_b64 mismatch dsa name file
    ok_line=$(cat "$KEYS/ok.pub")
    ok_b64=$(cut -d' ' -f2 "$KEYS/ok.pub")
    if ssh-keygen -q -t dsa -N '' -f "$KEYS/dsa" </dev/null >/dev/null 2>&1; then
        dsa=$(cat "$KEYS/dsa.pub")
    else # a handcrafted ssh-dss line: p, q, g, y of DSA-1024 sizes (ssh-keygen -lf reads it as "1024 … (DSA)")
        dsa="ssh-dss $( { printf ssh-dss | wire_string
            for n in 129 21 129 129; do { printf '\x00\xc1'; head -c $((n - 2)) /dev/urandom; } | wire_string; done; } | base64 -w0)"
    fi
    # The blob of a valid key with 4 extra bytes appended inside it.
    junk_b64=$( { base64 -d <<<"$ok_b64"; printf 'JUNK'; } | base64 -w0)
    # An ed25519 blob under the ecdsa type name.
    mismatch="ecdsa-sha2-nistp256 $ok_b64"
    printf '%s\n' "$dsa" >"$KEYS/bad-dsa"
    cp "$KEYS/rsa1024.pub" "$KEYS/bad-rsa1024"
    printf 'this is not a key\n' >"$KEYS/bad-garbage"
    cp "$KEYS/ok" "$KEYS/bad-private"
    printf '%s\nssh-rsa AAAA trailing\n' "$ok_line" >"$KEYS/bad-second-line"
    printf 'ssh-ed25519 %s\n' "$junk_b64" >"$KEYS/bad-blob-trailing"
    printf 'ssh-ed25519 %sAAAA\n' "$ok_b64" >"$KEYS/bad-b64-trailing"
    printf '%s\n' "$mismatch" >"$KEYS/bad-type-mismatch"
    printf 'ssh-ed25519 %s\n' "$(cut -d' ' -f2 "$KEYS/ec.pub")" >"$KEYS/bad-type-mismatch2"
    printf 'ssh-ed25519\n' >"$KEYS/bad-no-blob"
    printf 'ssh-ed25519 %s comment\x01\n' "$ok_b64" >"$KEYS/bad-control"
    printf 'command="ls" %s\n' "$ok_line" >"$KEYS/bad-options"
    printf 'ssh-ed25519-cert-v01@openssh.com %s\n' "$ok_b64" >"$KEYS/bad-cert"
    printf '' >"$KEYS/bad-empty"
    for file in "$KEYS"/bad-*; do
        name=${file##*/}
        upload "$name" "$file"
        [[ $STATUS == 400 ]] || fail "$name: expected 400"
        expect_envelope VALIDATION_ERROR
        expect_json '.success' 'false'
        expect_json '.error.details.field' 'content'
    done
    expect_eq "$(psql_q "SELECT count(*) FROM ssh_keys WHERE user_id = '$UID_'")" 0
    expect_eq "$(psql_q "SELECT count(*) FROM activities WHERE actor_id = '$UID_' AND type LIKE 'account.%'")" 0
}

invalid_ssh_key_requests_answer_400() {
    as_new_user sshreq
    keygen req ed25519
    local k; k=$(cat "$KEYS/req.pub")
    for body in '{"name":"x","method":"upload"}' '{"name":"x","method":"steal"}' '{"method":"generate"}' \
        '{"name":"","method":"generate"}' '{"name":"x","method":"generate","content":"ssh-ed25519 AAAA"}' \
        "$(jq -cn --arg k "$k" '{name: "x", method: "upload", content: $k, extra: true}')"; do
        req PUT /v2/account/sshkey "$body"
        expect_status 400
        expect_envelope VALIDATION_ERROR
        expect_json '.success' 'false'
    done
    expect_eq "$(psql_q "SELECT count(*) FROM ssh_keys WHERE user_id = '$UID_'")" 0
}

a_key_the_user_already_has_answers_409() {
    as_new_user sshdup
    keygen dup ed25519
    upload first "$KEYS/dup.pub"
    expect_status 200
    # The same key with another comment is still the same key.
    sed 's/ [^ ]*$/ other-comment/' "$KEYS/dup.pub" >"$KEYS/dup2.pub"
    upload second "$KEYS/dup2.pub"
    expect_status 409
    expect_envelope CONFLICT
    expect_json '.success' 'false'
    expect_eq "$(psql_q "SELECT count(*) FROM ssh_keys WHERE user_id = '$UID_'")" 1
    # Another user may hold the same public key.
    as_new_user sshdup2
    upload mine "$KEYS/dup.pub"
    expect_status 200
}

a_user_has_at_most_50_ssh_keys() {
    as_new_user ssh50
    psql_q "INSERT INTO ssh_keys (user_id, organization_id, name, public_key, fingerprint)
            SELECT '$UID_', '$ORG_ID', 'k' || i, 'ssh-ed25519 x', 'SHA256:fake' || i FROM generate_series(1, 49) i" >/dev/null
    keygen fifty ed25519
    upload fifty "$KEYS/fifty.pub"
    expect_status 200
    keygen fiftyone ed25519
    upload fiftyone "$KEYS/fiftyone.pub"
    expect_status 409
    expect_envelope CONFLICT
    expect_eq "$(psql_q "SELECT count(*) FROM ssh_keys WHERE user_id = '$UID_'")" 50
    req PUT /v2/account/sshkey '{"name":"gen","method":"generate"}'
    expect_status 409
}

deleting_an_ssh_key_removes_it() {
    as_new_user sshdel
    keygen del ed25519
    upload del "$KEYS/del.pub"
    local id; id=$(jq -r .sshkeys.id <<<"$BODY")
    req DELETE "/v2/account/$id/sshkey"
    success_only
    expect_eq "$(psql_q "SELECT count(*) FROM ssh_keys WHERE id = $id")" 0
    expect_eq "$(activities "$UID_" account.sshkey.delete)" 1
    req GET /v2/account
    expect_json '.account.sshkeys' '[]'
    req DELETE "/v2/account/$id/sshkey"
    expect_status 404
    expect_envelope NOT_FOUND
    expect_json '.success' 'false'
    # Deleted, it may be uploaded again.
    upload del "$KEYS/del.pub"
    expect_status 200
}

another_users_or_a_malformed_ssh_key_id_answers_404() {
    as_new_user sshowner
    keygen owned ed25519
    upload owned "$KEYS/owned.pub"
    local id; id=$(jq -r .sshkeys.id <<<"$BODY")
    as_new_user sshother
    local path
    for path in "/v2/account/$id/sshkey" /v2/account/abc/sshkey /v2/account/-1/sshkey /v2/account/1.5/sshkey \
        /v2/account/99999999999999999999/sshkey /v2/account/0/sshkey; do
        req DELETE "$path"
        [[ $STATUS == 404 ]] || fail "DELETE $path: expected 404"
        expect_envelope NOT_FOUND
        expect_json '.success' 'false'
    done
    expect_eq "$(psql_q "SELECT count(*) FROM ssh_keys WHERE id = $id")" 1
    expect_eq "$(psql_q "SELECT count(*) FROM activities WHERE actor_id = '$UID_' AND type LIKE 'account.%'")" 0
}

# ---------------------------------------------------------------- secrets at rest

no_secret_is_stored_in_clear() {
    as_new_user atrest
    local key secret s3 swift dump value hexv
    read -r key secret <<<"$(new_api_key)"
    req POST /v2/account/files-new-secret-key "{\"api_key\":\"$key\"}"
    expect_status 200
    s3=$(jq -r .e24files.s3.secret_key <<<"$BODY")
    swift=$(jq -r .e24files.swift.secret_key <<<"$BODY")
    # Every table, every row, as text (bytea as hex).
    dump=$(psql_q "SELECT string_agg(t.x, E'\n') FROM (
                     SELECT to_jsonb(a)::text AS x FROM api_keys a UNION ALL
                     SELECT to_jsonb(s)::text FROM storage_credentials s UNION ALL
                     SELECT to_jsonb(u)::text FROM users u UNION ALL
                     SELECT to_jsonb(v)::text FROM activities v) t")
    [[ $dump == *"$key"* ]] || fail "the dump does not hold the (public) api_key: the check would prove nothing"
    for value in "$secret" "$s3" "$swift"; do
        hexv=$(printf '%s' "$value" | xxd -p | tr -d '\n')
        [[ $dump != *"$value"* ]] || fail "a secret is stored in clear"
        [[ $dump != *"$hexv"* ]] || fail "a secret is stored in clear (as bytea)"
    done
    # Sealed values are nonce || ciphertext || tag: 12 + length + 16 bytes.
    expect_eq "$(psql_q "SELECT length(secret_enc) FROM api_keys WHERE api_key = '$key'")" "$((12 + ${#secret} + 16))"
}

# ---------------------------------------------------------------- run

test_case account_answers_the_documented_shape_and_types
test_case account_without_a_credential_answers_401_with_success_false
test_case unknown_account_paths_and_methods_answer_with_success_false
test_case updating_data_sets_the_parts_and_the_display_name
test_case updating_one_name_keeps_the_other_in_the_display_name
test_case invalid_data_answers_400_and_changes_nothing
test_case changing_the_password_revokes_every_existing_token
test_case creating_an_api_key_answers_a_recognisable_key_and_secret
test_case basic_auth_with_a_fresh_key_works_and_is_audited_as_api
test_case a_wrong_or_unknown_api_key_answers_401
test_case a_disabled_users_api_keys_stop_working_until_it_is_enabled
test_case rotating_an_api_secret_revokes_the_old_one_at_once
test_case deleting_an_api_key_revokes_it_at_once
test_case another_users_api_key_answers_404_and_keeps_working
test_case api_key_bodies_are_validated
test_case a_user_has_at_most_10_api_keys
test_case files_new_secret_key_rotates_both_secrets_and_keeps_the_api_ids
test_case files_new_secret_key_with_a_foreign_or_unknown_api_key_answers_404
test_case generated_ssh_key_is_an_openssh_ed25519_pair_shown_once
test_case uploaded_keys_carry_the_ssh_keygen_fingerprint
test_case uploading_a_key_without_comment_or_with_surrounding_blanks_works
test_case rejected_ssh_keys_answer_400_and_change_nothing
test_case invalid_ssh_key_requests_answer_400
test_case a_key_the_user_already_has_answers_409
test_case a_user_has_at_most_50_ssh_keys
test_case deleting_an_ssh_key_removes_it
test_case another_users_or_a_malformed_ssh_key_id_answers_404
test_case no_secret_is_stored_in_clear
summary
