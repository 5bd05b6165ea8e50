# shellcheck shell=bash
# The whole stack of one state dir: Postgres, handlers, nginx (sourced after
# common.sh). Used by dev-up, dev-down, run and cabinet-admin.
source "$REPO/scripts/lib/pg.sh"
source "$REPO/scripts/lib/handlers.sh"
source "$REPO/scripts/lib/nginx.sh"

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

# Exports what the app's binaries read (for build/cabinet-admin).
export_app_env() {
    CABINET_DATABASE_URL=$(database_url)
    CABINET_MASTER_KEY=$(master_key)
    CABINET_JWT_SECRET=$(jwt_secret)
    export CABINET_DATABASE_URL CABINET_MASTER_KEY CABINET_JWT_SECRET
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
    out=$(export_app_env && "$BUILD_DIR/cabinet-admin" create-org --name "Demo Organization" \
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

# The path dev-up polls: the login of the auth handler (any 1xx-4xx answer
# comes from the handler; nginx's 503 does not count), or nginx alone when
# auth is not built.
readiness_path() {
    if [[ -x $BUILD_DIR/handlers/auth ]]; then echo /v2/user/auth; else echo /; fi
}

# Waits up to 60 s for the API to answer.
wait_ready() {
    local url code deadline=$((SECONDS + 60))
    url=http://127.0.0.1:$PORT$(readiness_path)
    while ((SECONDS < deadline)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
        [[ $code =~ ^[1-4][0-9][0-9]$ ]] && return 0
        sleep 0.2
    done
    die "the API did not answer within 60 s ($url: last status $code); logs in $LOG_DIR"
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
