#!/usr/bin/env bash
# nginx/openapi.yaml itself: a real OpenAPI linter (@redocly/cli, pinned in
# tests/openapi/package-lock.json, installed by scripts/install-deps) finds no
# error and no warning beyond the ones nginx/.redocly.lint-ignore.yaml lists;
# cabinet's own rules hold (tests/openapi/check-document.js); and the JSON
# rendering nginx serves (nginx/openapi.json) is the YAML's, to the byte
# (regenerate it with scripts/openapi-json).
source "$(dirname "$0")/lib.sh"

the_document_lints_without_errors_or_warnings() {
    need_npm_tools
    local out rc=0
    out=$("$NPM_MODULES/.bin/redocly" lint --config "$OPENAPI_REPO/nginx/redocly.yaml" \
        --format=stylish "$OPENAPI_DOC" 2>&1) || rc=$?
    if ((rc != 0)) || grep -qE '^You have [0-9]+ warnings?' <<<"$out"; then
        fail "redocly lint (exit $rc):
$out"
    fi
    grep -q 'Your API description is valid' <<<"$out" || fail "redocly lint said nothing recognisable:
$out"
}

the_document_follows_the_house_rules() {
    need_npm_tools
    local out
    out=$(node "$OPENAPI_REPO/tests/openapi/check-document.js" "$OPENAPI_DOC" 2>&1) || fail "tests/openapi/check-document.js:
$out"
}

the_json_rendering_is_in_step_with_the_yaml() {
    need_npm_tools
    "$OPENAPI_REPO/scripts/openapi-json" - >"$OPENAPI_TMP/openapi.json"
    cmp -s "$OPENAPI_TMP/openapi.json" "$OPENAPI_REPO/nginx/openapi.json" ||
        fail "nginx/openapi.json differs from nginx/openapi.yaml: run scripts/openapi-json"
}

test_case the_document_lints_without_errors_or_warnings
test_case the_document_follows_the_house_rules
test_case the_json_rendering_is_in_step_with_the_yaml
summary
