# shellcheck shell=bash
# The whole stack of one state dir: Postgres, handlers, nginx (sourced after
# common.sh). Used by dev-up, dev-down, run and cabinet-admin.
source "$REPO/scripts/lib/pg.sh"
source "$REPO/scripts/lib/handlers.sh"
source "$REPO/scripts/lib/nginx.sh"
source "$REPO/scripts/lib/keys.sh"

# The stack answers (nginx of this state dir runs).
stack_running() { nginx_pid >/dev/null; }

# Stops nginx, then the handlers, then Postgres; removes the runtime files.
# Idempotent; touches only processes recorded in this state dir.
stack_stop() {
    [[ -d $STATE ]] || return 0
    if ! is_root && [[ ! -O $STATE ]]; then
        die "$STATE belongs to $(stat -c %U "$STATE"): run this as root or as that user"
    fi
    # Each step runs even if an earlier one failed.
    nginx_stop || warn "stopping nginx failed"
    handlers_stop || warn "stopping the handlers failed"
    pg_down || warn "stopping PostgreSQL failed"
    if [[ -n $RUNTIME_FALLBACK && -d $RUNTIME_FALLBACK && -O $RUNTIME_FALLBACK ]]; then
        rm -rf "$RUNTIME_FALLBACK"
    fi
    return 0
}

# Prints field KEY of the admin-credentials file (KEY=VALUE lines: email,
# password, organizationId, userId).
credential() {
    [[ -f $CREDENTIALS_FILE ]] || return 0
    sed -n "s/^$1=//p" "$CREDENTIALS_FILE" | head -n 1
}

# First start: creates "Demo Organization" and its admin (CABINET_ADMIN_EMAIL,
# CABINET_ADMIN_PASSWORD or a generated one) and records them, 0600, in
# $CREDENTIALS_FILE. Later starts keep what that file says.
bootstrap_admin() {
    local email password out org user
    [[ -s $CREDENTIALS_FILE ]] && return 0
    if [[ ! -x $BUILD_DIR/cabinet-admin ]]; then
        warn "$BUILD_DIR/cabinet-admin is not built: no demo organization yet"
        return 0
    fi
    email=${CABINET_ADMIN_EMAIL:-admin@example.com}
    password=${CABINET_ADMIN_PASSWORD:-$(openssl rand -base64 18)}
    out=$(env -u CABINET_DATABASE_URL -u CABINET_MASTER_KEY -u CABINET_JWT_SECRET \
        CABINET_CONFIG="$CABINET_ENV_FILE" "$BUILD_DIR/cabinet-admin" create-org --name "Demo Organization" \
        --admin-email "$email" --admin-password "$password") ||
        die "bootstrap: cabinet-admin create-org failed (see above)"
    org=$(jq -r '.organizationId // empty' <<<"$out")
    user=$(jq -r '.userId // empty' <<<"$out")
    [[ -n $org && -n $user ]] || die "bootstrap: unexpected cabinet-admin output: $out"
    (
        umask 077
        printf 'email=%s\npassword=%s\norganizationId=%s\nuserId=%s\n' \
            "$email" "$password" "$org" "$user" >"$CREDENTIALS_FILE"
    )
    log "created the demo organization $org and its admin $email"
}

# Waits up to 60 s for the node to be ready: the admin listener's /ready
# answers 200 once Postgres answers a query and every API handler answers its
# probe (DESIGN §7). When a handler is not built (its paths answer 503), or the
# health handler is not, it waits instead for the API to answer from Postgres:
# GET /v2/account with an API key that does not exist is a 401 only once the
# account handler has looked the key up (any answer of nginx will do when
# account is not built either).
wait_ready() {
    local url code want='^200$' deadline=$((SECONDS + 60)) name
    local -a probe=()
    url=http://127.0.0.1:$ADMIN_PORT/ready
    for name in "${HANDLERS[@]}"; do
        [[ -x $BUILD_DIR/handlers/$name ]] && continue
        url=http://127.0.0.1:$PORT/v2/account
        probe=(-u cabinet-readiness-probe:none)
        want='^401$'
        [[ -x $BUILD_DIR/handlers/account ]] || want='^[1-5][0-9][0-9]$'
        break
    done
    while ((SECONDS < deadline)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "${probe[@]}" "$url" || true)
        [[ $code =~ $want ]] && return 0
        sleep 0.2
    done
    die "the node was not ready within 60 s ($url: last status $code); logs in $LOG_DIR"
}

# What a user needs to start: URL, credentials, a curl example.
print_info() {
    local base=http://127.0.0.1:$PORT email password
    email=$(credential email)
    password=$(credential password)
    echo "cabinet is running at $base"
    echo "  state dir: $STATE (logs in $LOG_DIR); stop with scripts/dev-down"
    echo "  admin port: http://127.0.0.1:$ADMIN_PORT (/live /ready /metrics)"
    if [[ -n $email ]]; then
        echo "  admin: $email"
        echo "  password: $password"
        echo "  organization: $(credential organizationId)"
        echo "Try:"
        echo "  TOKEN=\$(curl -s $base/v2/user/auth -H 'Content-Type: application/json' \\"
        echo "      -d '$(jq -cn --arg u "$email" --arg p "$password" '{username: $u, password: $p}')' | jq -r .token)"
        echo "  curl -s $base/api/v1/groups -H \"Authorization: Bearer \$TOKEN\" | jq ."
    fi
    local name missing=()
    for name in "${HANDLERS[@]}"; do
        [[ -x $BUILD_DIR/handlers/$name ]] || missing+=("$name")
    done
    ((${#missing[@]} == 0)) || echo "  not built (their paths answer 503): ${missing[*]}"
}
