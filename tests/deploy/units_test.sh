#!/usr/bin/env bash
# The systemd units of scripts/deploy/ (cabinet@.socket, cabinet@.service,
# cabinet.target): accepted by `systemd-analyze verify` without a warning,
# sandboxed per `systemd-analyze security`, and a handler started the way
# systemd starts it (its socket on fd 0, as the unit's user, with the unit's
# environment only) answers FastCGI requests with JSON. systemd is not PID 1
# here: the units are checked offline under a scratch root holding the
# system's unit files, the built handlers and a config file (the test
# stack's, readable by the unit's user).
#
# Needs root (the unit's user), the environment of scripts/test-stack
# (CABINET_CONFIG, ADMIN_EMAIL, ADMIN_PASSWORD) and a built tree.
source "$(dirname "$0")/lib.sh"

UNITS=$DEPLOY_REPO/scripts/deploy
R=""        # scratch root

cleanup() {
    [[ -n $R ]] && rm -rf "$R"
    rm -rf "$E2E_TMP"
}
trap cleanup EXIT

# Unit paths, moved into the scratch root.
map_path() {
    sed -e "s|/opt/cabinet|$R/opt/cabinet|g; s|/etc/cabinet|$R/etc/cabinet|g" \
        -e "s|/run/cabinet|$R/run/cabinet|g; s|/var/lib/cabinet|$R/var/lib/cabinet|g" <<<"$1"
}

# The handlers cabinet.target starts, from its Wants= lines.
target_handlers() {
    unit_values "$UNITS/cabinet.target" Wants | tr ' ' '\n' | sed -n 's/^cabinet@\(.*\)\.socket$/\1/p'
}

setup_root() {
    local user
    R=$(deploy_scratch units)
    mkdir -p "$R/etc/systemd/system" "$R/usr/lib/systemd" "$R/opt/cabinet/build/handlers" "$R/etc/cabinet" "$R/logs"
    cp -r /usr/lib/systemd/system "$R/usr/lib/systemd/"
    install -m 0644 "$UNITS/cabinet@.socket" "$UNITS/cabinet@.service" "$UNITS/cabinet.target" "$R/etc/systemd/system/"
    install -m 0755 "$DEPLOY_REPO"/build/handlers/* "$R/opt/cabinet/build/handlers/"
    user=$(unit_value "$UNITS/cabinet@.service" User)
    id -u "$user" >/dev/null 2>&1 ||
        useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$user"
    install -m 0640 -g "$(unit_value "$UNITS/cabinet@.service" Group)" "$CABINET_CONFIG" "$R/etc/cabinet/cabinet.env"
}

# ---------------------------------------------------------------- cases

target_starts_every_handler() {
    local -a want have
    mapfile -t want < <(cd "$DEPLOY_REPO/handlers" && ls -- *.cpp | sed 's/\.cpp$//' | sort)
    mapfile -t have < <(target_handlers | sort)
    [[ "${want[*]}" == "${have[*]}" ]] || fail "cabinet.target wants '${have[*]}', handlers/ has '${want[*]}'"
}

units_pass_systemd_analyze_verify() {
    local name out
    local -a units=(cabinet.target)
    while read -r name; do units+=("cabinet@$name.socket" "cabinet@$name.service"); done < <(target_handlers)
    out=$(systemd-analyze verify --man=no --root="$R" "${units[@]}" 2>&1) || fail "verify failed: $out"
    [[ -z $out ]] || fail "verify warned: $out"
}

verify_reports_a_broken_unit() {
    local out
    sed 's/^StandardInput=socket$/StandardInput=sockets/' "$UNITS/cabinet@.service" >"$R/etc/systemd/system/broken@.service"
    out=$(systemd-analyze verify --man=no --root="$R" broken@auth.service 2>&1 || true)
    rm -f "$R/etc/systemd/system/broken@.service"
    [[ $out == *StandardInput* || $out == *"input specifier"* ]] || fail "verify did not report the bad setting: $out"
}

service_is_sandboxed() {
    local out score
    out=$(systemd-analyze security --offline=yes --root="$R" --no-pager cabinet@groups.service 2>&1) ||
        fail "systemd-analyze security failed: $out"
    score=$(sed -n 's/.*Overall exposure level for cabinet@groups.service: \([0-9.]*\).*/\1/p' <<<"$out")
    [[ -n $score ]] || fail "no exposure level in: $(tail -n 3 <<<"$out")"
    awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' || fail "exposure level $score, want at most 2.5 (OK)"
    local key
    for key in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes PrivateDevices=yes \
        'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' Restart=always User=cabinet StandardInput=socket \
        StandardError=journal; do
        grep -qxF "$key" "$UNITS/cabinet@.service" || fail "cabinet@.service lacks $key"
    done
}

socket_activated_handler_answers_fastcgi_as_the_units_user() {
    local sock log=$R/logs/auth.log pid uid
    socket_activate auth "$R/etc/systemd/system/cabinet@.socket" "$R/etc/systemd/system/cabinet@.service" "$log"
    trap 'stop_activated "$ACTIVATED_PID"' EXIT
    sock=$R/run/cabinet/auth.sock
    [[ $(stat -c '%U:%G %a' "$sock") == "root:www-data 660" ]] || fail "socket is $(stat -c '%U:%G %a' "$sock")"
    TOKEN="" fcgi_request "$sock" POST /v2/user/auth \
        "$(jq -cn --arg u "$ADMIN_EMAIL" --arg p "$ADMIN_PASSWORD" '{username: $u, password: $p}')"
    expect_status 200
    expect_json .status Authorized
    expect_header X-Request-Id '^.+$'
    pid=$ACTIVATED_PID
    [[ $(tr '\0' ' ' <"/proc/$pid/cmdline") == "$R/opt/cabinet/build/handlers/auth "* ]] ||
        fail "pid $pid is not the handler: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
    uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
    [[ $uid == "$(id -u cabinet)" ]] || fail "the handler runs as uid $uid"
    [[ $(readlink "/proc/$pid/fd/0") == socket:* ]] || fail "fd 0 is $(readlink "/proc/$pid/fd/0")"
    tr '\0' '\n' <"/proc/$pid/environ" | grep -qx "CABINET_CONFIG=$R/etc/cabinet/cabinet.env" ||
        fail "the handler's CABINET_CONFIG is not the unit's"
    ! tr '\0' '\n' <"/proc/$pid/environ" | grep -q '^CABINET_DATABASE_URL=' ||
        fail "the handler inherited CABINET_DATABASE_URL"
    TOKEN="" fcgi_request "$sock" GET /api/v1/groups
    [[ $STATUS == 404 || $STATUS == 401 ]] || fail "a path of another handler: $STATUS"
    expect_envelope "$(jq -r .error.code <<<"$BODY")"
}

if ((EUID != 0)); then
    echo "deploy/units: needs root (the units' user); nothing checked" >&2
    summary
    exit 0
fi
setup_root
test_case target_starts_every_handler
test_case units_pass_systemd_analyze_verify
test_case verify_reports_a_broken_unit
test_case service_is_sandboxed
test_case socket_activated_handler_answers_fastcgi_as_the_units_user
summary
