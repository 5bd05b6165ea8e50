# shellcheck shell=bash
# The OpenAPI suites (tests/openapi/*_test.sh): checks of nginx/openapi.yaml
# that need no running stack. Same conventions as tests/e2e/lib.sh: one
# function per documented property, run with `test_case`, then `summary`
# prints `N passed, N failed`. The end-to-end responses are checked against the
# document separately (tests/openapi/validate-responses.js, run by
# scripts/run-tests after the e2e suites).

OPENAPI_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
OPENAPI_DOC=$OPENAPI_REPO/nginx/openapi.yaml
NPM_MODULES=$OPENAPI_REPO/build/npm/node_modules
export NODE_PATH=$NPM_MODULES
OPENAPI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cabinet-openapi.XXXXXX")
trap 'rm -rf "$OPENAPI_TMP"' EXIT
OPENAPI_PASSED=0
OPENAPI_FAILED=0
CURRENT_TEST=""
ASSERTION_FAILED=99

fail() {
    echo "FAIL $CURRENT_TEST: $*" >&2
    exit "$ASSERTION_FAILED"
}

# The npm tools of scripts/install-deps, or a failure naming the fix.
need_npm_tools() {
    [[ -x $NPM_MODULES/.bin/redocly && -d $NPM_MODULES/ajv && -d $NPM_MODULES/js-yaml ]] ||
        fail "the OpenAPI test tools are not installed in $NPM_MODULES: run scripts/install-deps"
    command -v node >/dev/null || fail "node is not installed: run scripts/install-deps"
}

test_case() {
    local name=$1 fn=${2:-$1} rc
    CURRENT_TEST=$name
    set +e
    (
        set -euo pipefail
        "$fn"
    )
    rc=$?
    set -e
    if ((rc == 0)); then
        OPENAPI_PASSED=$((OPENAPI_PASSED + 1))
        if [[ ${VERBOSE:-0} == 1 ]]; then echo "ok   $name"; fi
    else
        OPENAPI_FAILED=$((OPENAPI_FAILED + 1))
        ((rc == ASSERTION_FAILED)) || echo "FAIL $name: a command failed (exit $rc)" >&2
    fi
    return 0
}

summary() {
    echo "$OPENAPI_PASSED passed, $OPENAPI_FAILED failed"
    ((OPENAPI_FAILED == 0))
}
