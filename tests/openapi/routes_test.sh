#!/usr/bin/env bash
# The document describes exactly the routes of the handlers: every
# {method, pattern} row of each handlers/*.cpp route table (its
# `const Service kService = {…}` block) is an operation of nginx/openapi.yaml,
# and every operation is such a row. Path parameter names do not matter
# ({id} = {groupId}). A row with method "*" (any method) stands for the seven
# methods GET PUT POST DELETE OPTIONS HEAD PATCH (nginx itself answers TRACE
# with 405 everywhere); a pattern ending in /* (the rest of the path) stands
# for a path item marked `x-cabinet-wildcard: true` whose last parameter takes
# the rest of the path. Path items marked `x-cabinet-served-by: nginx`
# (/openapi.yaml, /openapi.json) are nginx's own: they must be exact
# locations of nginx/locations.conf.in instead. handlers/health.cpp serves
# the admin port (/ready, /metrics; DESIGN.md section 7), not the API: it has
# no route table and the document does not describe it.
source "$(dirname "$0")/lib.sh"

# The API handlers' sources.
api_handler_files() {
    local file
    for file in "$OPENAPI_REPO"/handlers/*.cpp; do
        [[ $(basename "$file") == health.cpp ]] || echo "$file"
    done
}

ANY_METHOD="GET PUT POST DELETE OPTIONS HEAD PATCH"

# "METHOD /normalised/{}/path" for every route row of every handler.
handler_routes() {
    local file method pattern m
    for file in $(api_handler_files); do
        awk '/const Service kService *=/ { on = 1 } on { print } on && /^ *} *};/ { exit }' "$file" |
            grep -oE '\{"(\*|[A-Z]+)", *"[^"]+"' |
            sed -E 's/^\{"([^"]+)", *"([^"]+)"$/\1 \2/'
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

routes_were_found_in_every_handler() {
    local file n
    for file in $(api_handler_files); do
        n=$(awk '/const Service kService *=/ { on = 1 } on { print } on && /^ *} *};/ { exit }' "$file" |
            grep -cE '\{"(\*|[A-Z]+)", *"/' || true)
        ((n > 0)) || fail "no route rows found in $file (the parser of this test needs updating?)"
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

test_case routes_were_found_in_every_handler
test_case every_handler_route_is_documented
test_case every_documented_operation_is_a_handler_route
test_case paths_served_by_nginx_are_exact_nginx_locations
summary
