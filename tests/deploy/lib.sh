# shellcheck shell=bash
# Helpers of the deployment suites (tests/deploy/*_test.sh), on top of
# tests/e2e/lib.sh (req, expect_*, test_case, summary).
#
#   free_port            prints a loopback TCP port in 28001-38000 nobody listens on
#   wait_for SECONDS CMD…  runs CMD every 0.1 s until it succeeds; fails after SECONDS
#   deploy_scratch NAME  prints a new /tmp/cabinet-NAME.XXXXXX directory, mode 0711
#                        (reachable, not listable, by the service users)

# The responses of these suites are not those of nginx: keep them out of the
# OpenAPI response check of the e2e suites.
unset E2E_RESPONSE_LOG
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
DEPLOY_REPO=$E2E_REPO

free_port() {
    local p i
    for ((i = 0; i < 10000; i++)); do
        p=$((28001 + (RANDOM + i) % 10000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || {
            echo "$p"
            return 0
        }
    done
    echo "no free port in 28001-38000" >&2
    return 1
}

wait_for() {
    local seconds=$1 deadline
    shift
    deadline=$((SECONDS + seconds))
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

deploy_scratch() {
    local dir
    dir=$(mktemp -d "/tmp/cabinet-$1.XXXXXX")
    chmod 0711 "$dir"
    echo "$dir"
}
