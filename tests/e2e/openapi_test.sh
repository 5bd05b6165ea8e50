#!/usr/bin/env bash
# The OpenAPI description is published (README, DESIGN issue 7): nginx serves
# nginx/openapi.yaml at /openapi.yaml and its JSON rendering at /openapi.json,
# without credentials, GET only. Also exercises the operations the document
# lists that no other suite sends (every method of the retired /v1/user).
source "$(dirname "$0")/lib.sh"

REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd -P)

the_yaml_document_is_served_without_credentials() {
    TOKEN="" req GET /openapi.yaml
    expect_status 200
    expect_header Content-Type '^application/yaml'
    expect_header X-Request-Id '^[0-9a-f]{32}$'
    [[ "$BODY"$'\n' == "$(cat "$REPO_DIR/nginx/openapi.yaml")"$'\n' ]] || fail "the body is not nginx/openapi.yaml"
}

the_json_document_is_served_without_credentials() {
    TOKEN="" req GET /openapi.json
    expect_status 200
    expect_header Content-Type '^application/json'
    expect_header X-Request-Id '^[0-9a-f]{32}$'
    expect_json .openapi 3.1.0
    [[ $(jq -cS . <<<"$BODY") == "$(jq -cS . "$REPO_DIR/nginx/openapi.json")" ]] || fail "the body is not nginx/openapi.json"
}

the_documents_answer_other_methods_with_405_and_allow() {
    local path
    for path in /openapi.yaml /openapi.json; do
        req POST "$path" '{}'
        expect_status 405
        expect_envelope METHOD_NOT_ALLOWED
        expect_header Allow '^GET$'
    done
}

the_retired_v1_api_answers_410_to_every_method() {
    local method path
    for path in /v1/user /v1/user/auth /v1/user/any/deeper/path; do
        for method in GET PUT POST DELETE OPTIONS PATCH; do
            req "$method" "$path"
            expect_status 410
            expect_envelope GONE
        done
        req HEAD "$path"
        expect_status 410
    done
}

test_case the_yaml_document_is_served_without_credentials
test_case the_json_document_is_served_without_credentials
test_case the_documents_answer_other_methods_with_405_and_allow
test_case the_retired_v1_api_answers_410_to_every_method
summary
