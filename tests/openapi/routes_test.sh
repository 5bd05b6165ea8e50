#!/usr/bin/env bash
# The document describes exactly the routes of the handlers: every
# {method, pattern} row of each handler's route table (as the handler itself
# prints it: `build/handlers/NAME --routes`) is an operation of
# nginx/openapi.yaml, and every operation is such a row. Path parameter names do not matter
# ({id} = {groupId}). A row with method "*" (any method) stands for the seven
# methods GET PUT POST DELETE OPTIONS HEAD PATCH (nginx itself answers TRACE
# with 405 everywhere); a pattern ending in /* (the rest of the path) stands
# for a path item marked `x-cabinet-wildcard: true` whose last parameter takes
# the rest of the path. Path items marked `x-cabinet-served-by: nginx`
# (/openapi.yaml, /openapi.json) are nginx's own: they must be exact
# locations of nginx/locations.conf.in instead. handlers/health.cpp serves
# the admin port (/ready, /metrics; DESIGN.md section 7), not the API: the
# document does not describe it.
source "$(dirname "$0")/lib.sh"

ANY_METHOD="GET PUT POST DELETE OPTIONS HEAD PATCH"

HANDLER_DIR=$(realpath -m "${CABINET_BUILD_DIR:-$OPENAPI_REPO/build}")/handlers
# The handlers that serve the API (the ones of the admin port are not in the document).
API_HANDLERS="auth groups users organizations permissions account activities"

# "METHOD /normalised/{}/path" for every route row of every handler.
handler_routes() {
    local name method pattern m
    for name in $API_HANDLERS; do
        "$HANDLER_DIR/$name" --routes
    done | while read -r method pattern; do
        pattern=$(sed -E 's/\{[^}]*\}/{}/g; s#/\*$#/{*}#' <<<"$pattern")
        if [[ $method == "*" ]]; then
            for m in $ANY_METHOD; do echo "$m $pattern"; done
        else
            echo "$method $pattern"
        fi
    done | sort -u
}

# The same for the document's operations (the served-by-nginx ones apart).
document_routes() {
    node -e '
        const yaml = require("js-yaml"), fs = require("fs");
        const doc = yaml.load(fs.readFileSync(process.argv[1], "utf8"), { schema: yaml.CORE_SCHEMA });
        const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
        for (const [path, item] of Object.entries(doc.paths)) {
            if (item["x-cabinet-served-by"] !== undefined) continue;
            let p = path.replace(/\{[^}]*\}/g, "{}");
            if (item["x-cabinet-wildcard"] === true) p = p.replace(/\{\}$/, "{*}");
            for (const m of methods) if (item[m]) console.log(`${m.toUpperCase()} ${p}`);
        }
    ' "$OPENAPI_DOC" | sort -u
}

every_handler_prints_its_route_table() {
    local name out
    for name in $API_HANDLERS; do
        [[ -x $HANDLER_DIR/$name ]] || fail "$HANDLER_DIR/$name is not built (make build)"
        out=$("$HANDLER_DIR/$name" --routes) || fail "$name --routes failed"
        grep -qE '^(\*|[A-Z]+) /' <<<"$out" || fail "$name --routes printed no route: $out"
        [[ -z $(grep -vE '^(\*|[A-Z]+) /[^ ]*$' <<<"$out") ]] || fail "$name --routes printed a malformed line: $out"
    done
}

every_handler_route_is_documented() {
    need_npm_tools
    handler_routes >"$OPENAPI_TMP/handlers"
    document_routes >"$OPENAPI_TMP/document"
    local missing
    missing=$(comm -23 "$OPENAPI_TMP/handlers" "$OPENAPI_TMP/document")
    [[ -z $missing ]] || fail "routes of handlers/*.cpp that nginx/openapi.yaml does not describe:
$missing"
}

every_documented_operation_is_a_handler_route() {
    need_npm_tools
    handler_routes >"$OPENAPI_TMP/handlers"
    document_routes >"$OPENAPI_TMP/document"
    local extra
    extra=$(comm -13 "$OPENAPI_TMP/handlers" "$OPENAPI_TMP/document")
    [[ -z $extra ]] || fail "operations of nginx/openapi.yaml that no handler route serves:
$extra"
}

# nginx's location choice (exact, then the longest prefix unless a regex
# matches first, in file order) applied to a sample path of every route: the
# location found must pass to the route's own handler.
nginx_sends_every_route_to_its_handler() {
    local name method pattern
    for name in $API_HANDLERS; do
        "$HANDLER_DIR/$name" --routes | while read -r method pattern; do echo "$name $pattern"; done
    done >"$OPENAPI_TMP/routes"
    node -e '
        const fs = require("fs");
        const conf = fs.readFileSync(process.argv[1], "utf8");
        const locs = [];
        const re = /^location\s+(=|~|\^~)?\s*(\S+)\s*\{([\s\S]*?)^\}/gm;
        for (let m; (m = re.exec(conf)); ) {
            const pass = /fastcgi_pass\s+@UPSTREAM@_(\w+);/.exec(m[3]);
            locs.push({ mod: m[1] || "", path: m[2], handler: pass ? pass[1] : null });
        }
        const choose = (uri) => {
            const exact = locs.find((l) => l.mod === "=" && l.path === uri);
            if (exact) return exact;
            let best = null;
            for (const l of locs) if ((l.mod === "" || l.mod === "^~") && uri.startsWith(l.path) && (!best || l.path.length > best.path.length)) best = l;
            if (best && best.mod === "^~") return best;
            const rx = locs.find((l) => l.mod === "~" && new RegExp(l.path).test(uri));
            return rx || best;
        };
        let bad = 0;
        for (const line of fs.readFileSync(process.argv[2], "utf8").trim().split("\n")) {
            const [handler, pattern] = line.split(" ");
            const uri = pattern.replace(/\{[^}]*\}/g, "00000000-0000-4000-8000-000000000000").replace(/\*$/, "x/y");
            const loc = choose(uri);
            const got = loc ? loc.handler : null;
            if (got !== handler) { console.log(`${pattern} (${handler}) goes to ${got} via location ${loc ? loc.mod + " " + loc.path : "none"}`); bad++; }
        }
        process.exit(bad ? 1 : 0);
    ' "$OPENAPI_REPO/nginx/locations.conf.in" "$OPENAPI_TMP/routes" >"$OPENAPI_TMP/misrouted" ||
        fail "routes nginx/locations.conf.in sends elsewhere:
$(cat "$OPENAPI_TMP/misrouted")"
}

paths_served_by_nginx_are_exact_nginx_locations() {
    need_npm_tools
    local path n=0
    while read -r path; do
        n=$((n + 1))
        grep -qE "^location = ${path//./\\.} \{" "$OPENAPI_REPO/nginx/locations.conf.in" ||
            fail "$path is x-cabinet-served-by nginx but nginx/locations.conf.in has no 'location = $path'"
    done < <(node -e '
        const yaml = require("js-yaml"), fs = require("fs");
        const doc = yaml.load(fs.readFileSync(process.argv[1], "utf8"), { schema: yaml.CORE_SCHEMA });
        for (const [path, item] of Object.entries(doc.paths)) if (item["x-cabinet-served-by"] === "nginx") console.log(path);
    ' "$OPENAPI_DOC")
    ((n > 0)) || fail "no path is x-cabinet-served-by nginx (/openapi.yaml, /openapi.json)"
}

test_case every_handler_prints_its_route_table
test_case every_handler_route_is_documented
test_case every_documented_operation_is_a_handler_route
test_case paths_served_by_nginx_are_exact_nginx_locations
test_case nginx_sends_every_route_to_its_handler
summary
