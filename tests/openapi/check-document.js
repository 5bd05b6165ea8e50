#!/usr/bin/env node
// House rules of nginx/openapi.yaml that a generic linter does not know
// (DESIGN.md section 4), one problem per line on stdout; exit 1 if any:
//   - every response, x-cabinet-unmatched's included, has a required X-Request-Id;
//   - every response of an /api/* operation carries X-RateLimit-Limit,
//     -Remaining and -Reset (required on 429); every 429 has Retry-After, every
//     401 WWW-Authenticate, every 405 Allow;
//   - error responses (4xx/5xx) under /v2/account use the AccountError
//     envelope ("success":false), elsewhere the Error envelope;
//   - every handler operation documents 400, 413, 429, 500 and 503, and
//     401 unless it is public (security: []);
//   - every request body object schema has additionalProperties: false (the
//     handlers reject unknown fields), nested objects included.
//
//   NODE_PATH=build/npm/node_modules node tests/openapi/check-document.js nginx/openapi.yaml
'use strict';

const fs = require('fs');
const yaml = require('js-yaml');

const doc = yaml.load(fs.readFileSync(process.argv[2], 'utf8'), { schema: yaml.CORE_SCHEMA });
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const problems = [];

function pointer(ref) {
    let node = doc;
    for (const raw of ref.slice(2).split('/')) node = node[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node === undefined) throw new Error(`unresolvable $ref ${ref}`);
    return node;
}
function deref(o) {
    while (o && o.$ref) o = pointer(o.$ref);
    return o;
}
// The chain of schema component names a schema refers to through $ref.
function schemaRefs(schema) {
    const names = [];
    while (schema && schema.$ref) {
        names.push(schema.$ref.split('/').pop());
        schema = pointer(schema.$ref);
    }
    return names;
}

function checkResponse(where, path, status, response) {
    const r = deref(response);
    const headers = r.headers || {};
    const header = (name) => (headers[name] ? deref(headers[name]) : null);
    const rid = header('X-Request-Id');
    if (!rid || !rid.required) problems.push(`${where} ${status}: no required X-Request-Id header`);
    if (path.startsWith('/api/')) {
        for (const h of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) {
            const hh = header(h);
            if (!hh) problems.push(`${where} ${status}: no ${h} header (an /api/* response)`);
            else if (status === '429' && !hh.required) problems.push(`${where} 429: ${h} must be required`);
        }
    }
    if (status === '429' && !(header('Retry-After') || {}).required) problems.push(`${where} 429: no required Retry-After`);
    if (status === '401' && !(header('WWW-Authenticate') || {}).required) problems.push(`${where} 401: no required WWW-Authenticate`);
    if (status === '405' && !(header('Allow') || {}).required) problems.push(`${where} 405: no required Allow`);
    if (/^[45]/.test(status)) {
        const media = (r.content || {})['application/json'];
        const refs = media ? schemaRefs(media.schema) : [];
        const account = path.startsWith('/v2/account');
        const want = account ? 'AccountError' : 'Error';
        if (!refs.includes(want)) problems.push(`${where} ${status}: the body must be the ${want} envelope (refs: ${refs.join(' > ') || 'none'})`);
    }
}

function checkClosed(where, schema, seen = new Set()) {
    schema = deref(schema);
    if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
    seen.add(schema);
    const isObject = schema.type === 'object' || (Array.isArray(schema.type) && schema.type.includes('object')) || schema.properties;
    if (isObject && schema.additionalProperties !== false) problems.push(`${where}: an object schema without additionalProperties: false`);
    for (const s of Object.values(schema.properties || {})) checkClosed(where, s, seen);
    if (schema.items) checkClosed(where, schema.items, seen);
    for (const k of ['oneOf', 'anyOf', 'allOf']) for (const s of schema[k] || []) checkClosed(where, s, seen);
}

for (const [path, item] of Object.entries(doc.paths)) {
    const nginxOwn = item['x-cabinet-served-by'] === 'nginx';
    for (const m of METHODS) {
        const op = item[m];
        if (!op) continue;
        const where = `${m.toUpperCase()} ${path}`;
        for (const [status, response] of Object.entries(op.responses || {})) checkResponse(where, path, status, response);
        if (op.responses && op.responses.default) problems.push(`${where}: a default response (list every status instead)`);
        if (!nginxOwn) {
            const needed = ['413', '429', '500', '503'];
            if (!path.startsWith('/v1/user')) needed.push('400', '415');
            const isPublic = Array.isArray(op.security) && op.security.length === 0;
            if (!isPublic) needed.push('401');
            for (const s of needed) if (!(op.responses || {})[s]) problems.push(`${where}: no ${s} response`);
        }
        if (op.requestBody) {
            const media = (deref(op.requestBody).content || {})['application/json'];
            if (!media) problems.push(`${where}: a request body that is not application/json`);
            else checkClosed(`${where} request body`, media.schema);
        }
    }
}
for (const rule of (doc['x-cabinet-unmatched'] || {}).rules || []) {
    for (const kind of ['unknownPath', 'unknownMethod']) {
        for (const [status, response] of Object.entries(rule[kind] || {})) {
            checkResponse(`x-cabinet-unmatched ${rule.pathPrefix} ${kind}`, rule.pathPrefix, status, response);
        }
    }
}

for (const p of problems) console.log(p);
process.exit(problems.length ? 1 : 0);
