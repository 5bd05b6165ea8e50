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

# ---------------------------------------------------------------- systemd units

# Prints the values of KEY= in the unit file FILE, one per line, in order.
unit_values() {
    sed -n "s/^$2=//p" "$1"
}

# Prints one value of KEY= in FILE (the last one, as systemd takes it).
unit_value() {
    unit_values "$1" "$2" | tail -n 1
}

# Starts handler NAME as systemd would from the template units SOCKET_UNIT
# (cabinet@.socket) and SERVICE_UNIT (cabinet@.service): the socket of
# ListenStream= is made now (SocketGroup=, SocketMode=) and the handler is
# started on the first connection (systemd-socket-activate), as User=/Group=,
# with only the unit's Environment=, its StateDirectory= made for it and
# UMask=, the listening socket on fd 0 (StandardInput=socket). Every path of
# the units goes through the function map_path (defined by the caller: the
# identity, or a move into a scratch root). Fails unless the units ask for
# StandardInput=socket and Accept=no. Appends the handler's stderr to LOG and
# sets ACTIVATED_PID (systemd-socket-activate's pid, the handler's once it runs).
socket_activate() {
    local name=$1 socket_unit=$2 service_unit=$3 log=$4
    local listen exec user group umask state env_line var
    local -a env=(-E PATH=/usr/local/bin:/usr/bin:/bin)
    [[ $(unit_value "$service_unit" StandardInput) == socket ]] || fail "$service_unit: StandardInput is not socket"
    [[ $(unit_value "$socket_unit" Accept) == no ]] || fail "$socket_unit: Accept is not no"
    listen=$(map_path "$(unit_value "$socket_unit" ListenStream | sed "s/%i/$name/g")")
    exec=$(map_path "$(unit_value "$service_unit" ExecStart | sed "s/%i/$name/g")")
    user=$(unit_value "$service_unit" User)
    group=$(unit_value "$service_unit" Group)
    umask=$(unit_value "$service_unit" UMask)
    while read -r env_line; do
        for var in $env_line; do env+=(-E "$(map_path "$var")"); done
    done < <(unit_values "$service_unit" Environment)
    state=$(unit_value "$service_unit" StateDirectory)
    if [[ -n $state ]]; then
        state=$(map_path "/var/lib/$state")
        mkdir -p "$state"
        chown "$user:$group" "$state"
        chmod "$(unit_value "$service_unit" StateDirectoryMode)" "$state"
    fi
    mkdir -p "$(dirname "$listen")"
    chmod "$(unit_value "$socket_unit" DirectoryMode)" "$(dirname "$listen")"
    rm -f "$listen"
    (cd / && exec setsid env -i systemd-socket-activate -l "$listen" "${env[@]}" -- \
        setpriv --reuid="$user" --regid="$group" --init-groups -- \
        /bin/sh -c 'umask "$1"; exec "$2" <&3 3<&-' sh "$umask" "$exec" </dev/null >>"$log" 2>&1) &
    ACTIVATED_PID=$!
    wait_for 10 test -S "$listen" || fail "$listen did not appear: $(tail -n 3 "$log")"
    chown "$(unit_value "$socket_unit" SocketUser):$(unit_value "$socket_unit" SocketGroup)" "$listen"
    chmod "$(unit_value "$socket_unit" SocketMode)" "$listen"
}

# Stops what socket_activate started (its pid is the handler's once it runs).
stop_activated() {
    local pid
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "$@"; do wait_for 10 eval "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null || true; done
}

# Sends one FastCGI request to the socket SOCK with cgi-fcgi (libfcgi-bin):
# METHOD PATH [BODY]; sets STATUS and BODY from the CGI response, HEADERS.
fcgi_request() {
    local sock=$1 method=$2 path=$3 body=${4-} out
    out=$(printf '%s' "$body" | env -i REQUEST_METHOD="$method" DOCUMENT_URI="$path" REQUEST_URI="$path" \
        QUERY_STRING= CONTENT_TYPE=application/json CONTENT_LENGTH="${#body}" REMOTE_ADDR=127.0.0.1 \
        ${TOKEN:+HTTP_AUTHORIZATION="Bearer $TOKEN"} cgi-fcgi -bind -connect "$sock")
    LAST_REQUEST="fastcgi $method $path"
    printf '%s' "$out" | sed '/^\r\?$/q' >"$HEADERS"
    BODY=$(printf '%s' "$out" | sed '1,/^\r\?$/d')
    STATUS=$(header Status | cut -d' ' -f1)
    [[ -n $STATUS ]] || STATUS=200
}
