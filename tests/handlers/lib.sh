# shellcheck shell=bash
# Drives a handler binary as plain CGI (environment + stdin → stdout), the way
# a shell or a shared host runs it, and reuses the assertions of tests/e2e/lib.sh.
#
#   cgi HANDLER METHOD PATH [BODY] [QUERY]
#       runs build/handlers/HANDLER with REQUEST_METHOD, DOCUMENT_URI,
#       QUERY_STRING, CONTENT_TYPE/CONTENT_LENGTH (when BODY is given),
#       HTTP_AUTHORIZATION (Bearer $TOKEN when TOKEN is set), REMOTE_ADDR;
#       sets STATUS (from the Status: line), HEADERS and BODY.
# Needs CABINET_CONFIG (the handlers' config file) from test.env.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

CGI_BIN=$E2E_REPO/build/handlers

cgi() {
    local handler=$1 method=$2 path=$3 body=${4-} query=${5-}
    local out=$E2E_TMP/cgi.out
    LAST_REQUEST="cgi $handler $method $path"
    local -a env=(REQUEST_METHOD="$method" DOCUMENT_URI="$path" QUERY_STRING="$query" REMOTE_ADDR=127.0.0.1
                  REQUEST_ID="cgi-test")
    [[ -n ${TOKEN:-} ]] && env+=(HTTP_AUTHORIZATION="Bearer $TOKEN")
    if [[ -n $body ]]; then
        env+=(CONTENT_TYPE=application/json CONTENT_LENGTH="$(printf '%s' "$body" | wc -c)")
    fi
    printf '%s' "$body" >"$E2E_TMP/cgi.in"
    env -i PATH="$PATH" CABINET_CONFIG="$CABINET_CONFIG" "${env[@]}" "$CGI_BIN/$handler" \
        <"$E2E_TMP/cgi.in" >"$out" 2>"$E2E_TMP/cgi.err"
    # Headers end at the first empty line (CRLF).
    awk 'BEGIN{RS="\r\n"} /^$/{exit} {print}' "$out" >"$HEADERS"
    STATUS=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$HEADERS")
    BODY=$(awk 'BEGIN{RS="\r\n\r\n"} NR>1{printf "%s", $0; found=1}' "$out")
}
