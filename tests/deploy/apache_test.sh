#!/usr/bin/env bash
# The Apache 2.4 + mod_fcgid recipe (scripts/deploy/apache/, rendered by
# scripts/deploy/render-apache) through a real Apache: apache2 in the
# foreground with its own minimal config on a free loopback port (not the
# system service), mod_fcgid running the built handlers against the test
# stack's Postgres and keys (a copy of its CABINET_CONFIG with the rate
# limits on and a quota table of its own). Stops that Apache on exit.
#
# Needs the environment of scripts/test-stack (CABINET_CONFIG, ADMIN_EMAIL,
# ADMIN_PASSWORD, ORG_ID) and a built tree.
source "$(dirname "$0")/lib.sh"

AP=""          # scratch dir: conf/, handlers/, run/, logs/
AP_PID=""
SERVICE_USER=www-data
((EUID == 0)) || SERVICE_USER=$(id -un)

stop_apache() {
    if [[ -n $AP_PID ]] && kill -0 "$AP_PID" 2>/dev/null; then
        kill -TERM "$AP_PID" 2>/dev/null
        wait_for 10 eval '! kill -0 '"$AP_PID"' 2>/dev/null' || kill -KILL "$AP_PID" 2>/dev/null
    fi
    if [[ ${FAILED_KEEP:-0} == 1 && -n $AP ]]; then
        echo "apache logs: $AP/logs" >&2
    elif [[ -n $AP ]]; then
        rm -rf "$AP"
    fi
    rm -rf "$E2E_TMP"
}
trap stop_apache EXIT

# The handlers' config: the test stack's, rate limits on, its own quota table.
write_config() {
    local quota_dir=$AP/quota
    mkdir -p "$quota_dir"
    chown "$SERVICE_USER" "$quota_dir"
    chmod 0700 "$quota_dir"
    {
        grep -vE '^(CABINET_RATE_|CABINET_QUOTA_FILE=)' "$CABINET_CONFIG"
        echo "CABINET_RATE_LIMITS=on"
        echo "CABINET_QUOTA_FILE=$quota_dir/quota.shm"
        echo "CABINET_RATE_PER_MINUTE=100"
        echo "CABINET_RATE_PER_HOUR=1000"
    } >"$AP/cabinet.env"
    chgrp "$SERVICE_USER" "$AP/cabinet.env"
    chmod 0640 "$AP/cabinet.env"
}

# A minimal httpd.conf around the rendered recipe, on 127.0.0.1:PORT.
write_httpd_conf() {
    local port=$1 m=/usr/lib/apache2/modules module
    mkdir -p "$AP/run/fcgid" "$AP/logs" "$AP/htdocs"
    chown "$SERVICE_USER" "$AP/run/fcgid"
    {
        echo "ServerName 127.0.0.1"
        echo "Listen 127.0.0.1:$port"
        echo "PidFile $AP/run/httpd.pid"
        echo "DefaultRuntimeDir $AP/run"
        echo "ErrorLog $AP/logs/error.log"
        echo "LogLevel warn"
        if ((EUID == 0)); then echo "User www-data"; echo "Group www-data"; fi
        for module in mpm_event authz_core alias mime headers rewrite unique_id fcgid; do
            echo "LoadModule ${module}_module $m/mod_$module.so"
        done
        echo "TypesConfig /etc/mime.types"
        echo "FcgidIPCDir $AP/run/fcgid"
        echo "FcgidProcessTableFile $AP/run/fcgid_shm"
        echo "DocumentRoot $AP/htdocs"
        echo "<Directory />"
        echo "    Require all denied"
        echo "</Directory>"
        echo "<VirtualHost 127.0.0.1:$port>"
        echo "    Include $AP/conf/cabinet.conf"
        echo "</VirtualHost>"
    } >"$AP/httpd.conf"
}

start_apache() {
    local port
    AP=$(deploy_scratch apache)
    mkdir -p "$AP/handlers"
    install -m 0755 "$DEPLOY_REPO"/build/handlers/* "$AP/handlers/"
    write_config
    CABINET_CONFIG=$AP/cabinet.env CABINET_HANDLER_DIR=$AP/handlers \
        "$DEPLOY_REPO/scripts/deploy/render-apache" "$AP/conf" >/dev/null
    port=$(free_port)
    write_httpd_conf "$port"
    apache2 -t -f "$AP/httpd.conf" 2>"$AP/logs/configtest.log" || {
        cat "$AP/logs/configtest.log" >&2
        return 1
    }
    setsid apache2 -f "$AP/httpd.conf" -DFOREGROUND </dev/null >>"$AP/logs/error.log" 2>&1 &
    AP_PID=$!
    BASE_URL=http://127.0.0.1:$port
    wait_for 20 curl -s -o /dev/null "$BASE_URL/" || {
        tail -n 20 "$AP/logs/error.log" >&2
        return 1
    }
}

# ---------------------------------------------------------------- cases

login_answers_a_token() {
    TOKEN="" req POST /v2/user/auth "$(jq -cn --arg u "$ADMIN_EMAIL" --arg p "$ADMIN_PASSWORD" '{username: $u, password: $p}')"
    expect_status 200
    expect_json .status Authorized
    expect_json '.token | split(".") | length' 3
    expect_header X-Request-Id '^.+$'
}

group_create_answers_201_and_get_answers_it() {
    local name id
    TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    name="apache group $RANDOM$RANDOM"
    req POST /api/v1/groups "$(jq -cn --arg n "$name" '{name: $n, description: "through Apache"}')"
    expect_status 201
    id=$(jq -r .group.id <<<"$BODY")
    expect_json '.group | keys' '["createdAt","description","id","name","target","updatedAt"]'
    expect_json .group.name "$name"
    expect_json .group.target "{\"customerId\":\"$ORG_ID\",\"projectId\":null}"
    req GET "/api/v1/groups/$id"
    expect_status 200
    expect_json '.group | keys' '["createdAt","description","id","name","target","updatedAt"]'
    expect_json .group.id "$id"
    expect_json .group.name "$name"
    expect_json .group.description "through Apache"
    [[ $(psql_q "SELECT count(*) FROM groups WHERE id = '$id' AND name = '$name'") == 1 ]] ||
        fail "the group is not in the database"
}

query_string_reaches_the_handler() {
    TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    req GET '/api/v1/groups?limit=1'
    expect_status 200
    expect_json '.groups | length' 1
    req GET '/api/v1/groups?limit=0'
    expect_status 400
    expect_envelope VALIDATION_ERROR
}

unknown_path_answers_404_envelope() {
    req GET /no/such/path
    expect_status 404
    expect_envelope NOT_FOUND
    req GET /_cabinet_error/404.json
    expect_status 404
    expect_envelope NOT_FOUND
}

unknown_path_under_account_answers_404_with_success_false() {
    TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    req GET /v2/account/no/such/thing
    expect_status 404
    expect_envelope NOT_FOUND
    expect_json .success false
}

body_over_64k_answers_413_envelope() {
    local big
    TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    big=$(jq -cn --arg d "$(head -c 70000 /dev/zero | tr '\0' x)" '{name: "big", description: $d}')
    req POST /api/v1/groups "$big"
    expect_status 413
    expect_envelope PAYLOAD_TOO_LARGE
    req POST /v2/account/data "$big"
    expect_status 413
    expect_envelope PAYLOAD_TOO_LARGE
    expect_json .success false
}

# mod_fcgid reads the whole body before it starts a handler, and answers
# a chunked body over FcgidMaxRequestLen with 500 (README: Apache).
chunked_body_over_64k_is_refused_before_the_handler() {
    local big name
    TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    name="chunked big $RANDOM$RANDOM"
    big=$(jq -cn --arg n "$name" --arg d "$(head -c 70000 /dev/zero | tr '\0' x)" '{name: $n, description: $d}')
    req POST /api/v1/groups "$big" -H 'Transfer-Encoding: chunked'
    expect_status 500
    expect_envelope INTERNAL_ERROR
    [[ $(psql_q "SELECT count(*) FROM groups WHERE name = '$name'") == 0 ]] || fail "the group was created"
}

chunked_body_under_64k_reaches_the_handler() {
    local name
    TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    name="chunked $RANDOM$RANDOM"
    req POST /api/v1/groups "$(jq -cn --arg n "$name" '{name: $n}')" -H 'Transfer-Encoding: chunked'
    expect_status 201
    expect_json .group.name "$name"
}

trace_answers_405_envelope_with_allow() {
    TOKEN="" req TRACE /api/v1/groups
    expect_status 405
    expect_envelope METHOD_NOT_ALLOWED
    expect_header Allow 'GET'
}

bad_token_answers_401_with_www_authenticate() {
    TOKEN=not.a.token req GET /api/v1/groups
    expect_status 401
    expect_envelope UNAUTHORIZED
    expect_header WWW-Authenticate '^Bearer'
}

missing_token_answers_401_with_www_authenticate() {
    TOKEN="" req GET /api/users
    expect_status 401
    expect_envelope UNAUTHORIZED
    expect_header WWW-Authenticate '^Bearer'
}

api_answers_carry_quota_headers() {
    local first second
    TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    req GET /api/v1/groups
    expect_status 200
    expect_header X-RateLimit-Limit '^100$'
    expect_header X-RateLimit-Remaining '^[0-9]+$'
    expect_header X-RateLimit-Reset '^[0-9]{10}$'
    first=$(header X-RateLimit-Remaining)
    req GET /api/users
    expect_status 200
    second=$(header X-RateLimit-Remaining)
    ((second == first - 1)) || fail "X-RateLimit-Remaining went $first -> $second, want one less"
    req GET /v1/organizations
    expect_status 200
    expect_no_header X-RateLimit-Limit
}

every_path_family_reaches_its_handler() {
    local path
    TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    for path in /api/v1/groups /api/groups /api/v1/permissions /api/users "/api/organizations/$ORG_ID" \
        /v1/organizations "/v1/organizations/$ORG_ID" "/v1/organizations/$ORG_ID/activities" /v2/account; do
        req GET "$path"
        [[ $STATUS == 200 ]] || fail "GET $path: $STATUS"
        (($(header_count X-Request-Id) == 1)) || fail "GET $path: not exactly one X-Request-Id"
    done
    req GET /v1/user/anything
    expect_status 410
    expect_envelope GONE
}

if start_apache; then
    test_case login_answers_a_token
    test_case group_create_answers_201_and_get_answers_it
    test_case query_string_reaches_the_handler
    test_case every_path_family_reaches_its_handler
    test_case unknown_path_answers_404_envelope
    test_case unknown_path_under_account_answers_404_with_success_false
    test_case body_over_64k_answers_413_envelope
    test_case chunked_body_under_64k_reaches_the_handler
    test_case chunked_body_over_64k_is_refused_before_the_handler
    test_case trace_answers_405_envelope_with_allow
    test_case bad_token_answers_401_with_www_authenticate
    test_case missing_token_answers_401_with_www_authenticate
    test_case api_answers_carry_quota_headers
else
    E2E_FAILED=$((E2E_FAILED + 1))
    echo "FAIL apache did not start" >&2
fi
((E2E_FAILED == 0)) || FAILED_KEEP=1
summary
