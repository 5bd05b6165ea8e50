#!/usr/bin/env bash
# scripts/deploy/render-logrotate: the logrotate configuration of a state
# dir's logs, checked with `logrotate -d`, then a real forced rotation of the
# test stack's logs (a state file of our own): nginx's logs are renamed and
# nginx writes to new files after USR1; the handlers' logs are copied and
# truncated in place, so whoever holds them open (O_APPEND) keeps writing to
# the file of that name.
#
# Needs the environment of scripts/test-stack (CABINET_STATE_DIR) with its
# stack running.
source "$(dirname "$0")/lib.sh"

LOG_DIR=$CABINET_STATE_DIR/logs
CONF=$E2E_TMP/logrotate.conf

render() {
    CABINET_STATE_DIR=$CABINET_STATE_DIR "$DEPLOY_REPO/scripts/deploy/render-logrotate" >"$CONF"
}

# The path fd FD of PID points to.
fd_target() { readlink "/proc/$1/fd/$2"; }

# The fds of PID open on FILE.
opens_file() {
    local pid=$1 file=$2 fd
    for fd in /proc/"$pid"/fd/*; do
        [[ $(readlink "$fd") == "$file" ]] && return 0
    done
    return 1
}

# The pids of this stack's recorded processes (run/*.pid) with FILE open.
writers_of() {
    local pid
    for pid in $(cat "$CABINET_STATE_DIR"/run/*.pid 2>/dev/null); do
        [[ -d /proc/$pid ]] && opens_file "$pid" "$1" && echo "$pid"
    done | sort -u
}

config_covers_every_log_and_passes_logrotate_debug() {
    local out name
    render
    out=$(logrotate -d "$CONF" 2>&1) || fail "logrotate -d failed: $out"
    ! grep -qE '^error' <<<"$out" || fail "logrotate -d reported: $(grep -E '^error' <<<"$out")"
    grep -qF "$LOG_DIR/nginx-*.log" "$CONF" || fail "no stanza for nginx's logs"
    for name in auth groups users organizations permissions account activities; do
        grep -qF "$LOG_DIR/$name.log" "$CONF" || fail "no stanza for $name.log"
    done
    grep -q copytruncate "$CONF" || fail "handler logs are not copytruncate"
}

# The handlers' stderr is opened with O_APPEND (>>): a stand-in writer holds
# groups.log the same way, and after copytruncate its next line starts the
# emptied file (no hole of NULs where the old content was).
rotation_keeps_writers_on_the_named_files() {
    local master marker=rotation-marker-$RANDOM$RANDOM pid
    local -a handler_writers
    render
    master=$(cat "$CABINET_STATE_DIR/nginx/nginx.pid")
    mapfile -t handler_writers < <(writers_of "$LOG_DIR/groups.log")
    exec 7>>"$LOG_DIR/groups.log"
    echo "$marker before" >&7
    echo "$marker" >>"$LOG_DIR/nginx-error.log"
    logrotate -f -s "$E2E_TMP/status" "$CONF" 2>"$E2E_TMP/rotate.err" || fail "logrotate failed: $(cat "$E2E_TMP/rotate.err")"
    # The handler log: copied, emptied in place, and written on from its start.
    grep -qx "$marker before" "$LOG_DIR/groups.log.1" || fail "groups.log.1 lacks the lines written before"
    echo "$marker after" >&7
    [[ $(cat "$LOG_DIR/groups.log") == "$marker after" ]] ||
        fail "groups.log after rotation holds $(od -c "$LOG_DIR/groups.log" | head -n 3)"
    for pid in "${handler_writers[@]}"; do
        opens_file "$pid" "$LOG_DIR/groups.log" || fail "pid $pid no longer writes to groups.log"
    done
    # nginx's log: renamed, and the master reopened the name after USR1.
    grep -qx "$marker" "$LOG_DIR/nginx-error.log.1" || fail "nginx-error.log.1 lacks the lines written before"
    wait_for 5 opens_file "$master" "$LOG_DIR/nginx-error.log" || fail "nginx did not reopen nginx-error.log"
    # nginx logs a too large body at error level, with the request line: that
    # line (our marker in its query) goes to the new file.
    TOKEN="" req POST "/api/v1/groups?after=$marker" "$(head -c 70000 /dev/zero | tr '\0' x)"
    expect_status 413
    wait_for 5 grep -q "too large body.*after=$marker" "$LOG_DIR/nginx-error.log" ||
        fail "nginx's next error line is not in nginx-error.log"
    ! grep -q "after=$marker" "$LOG_DIR/nginx-error.log.1" || fail "nginx wrote to nginx-error.log.1 after USR1"
}

test_case config_covers_every_log_and_passes_logrotate_debug
test_case rotation_keeps_writers_on_the_named_files
summary
