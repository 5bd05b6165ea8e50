#!/usr/bin/env bash
# Validates every response the e2e suites received (logged by tests/e2e/lib.sh
# `req` to $E2E_RESPONSE_LOG, one JSON line each) against nginx/openapi.yaml:
# status, headers and body of each must be what the document describes. Run
# by scripts/run-tests after the e2e suites (suite `openapi-responses`); by
# hand:
#   E2E_RESPONSE_LOG=/tmp/r.jsonl bash tests/e2e/groups_test.sh
#   E2E_RESPONSE_LOG=/tmp/r.jsonl bash tests/openapi/responses.sh
# Ends with `N passed, N failed`, one per response.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd -P)
NODE_MODULES=$REPO/build/npm/node_modules
if [[ -z ${E2E_RESPONSE_LOG:-} || ! -f $E2E_RESPONSE_LOG ]]; then
    echo "FAIL openapi-responses: no response log (E2E_RESPONSE_LOG=${E2E_RESPONSE_LOG:-})"
    echo "0 passed, 1 failed"
    exit 1
fi
if ! command -v node >/dev/null || [[ ! -d $NODE_MODULES/ajv ]]; then
    echo "FAIL openapi-responses: node or the npm tools in $NODE_MODULES are missing: run scripts/install-deps"
    echo "0 passed, 1 failed"
    exit 1
fi
NODE_PATH=$NODE_MODULES exec node "$REPO/tests/openapi/validate-responses.js" "$REPO/nginx/openapi.yaml" "$E2E_RESPONSE_LOG"
