#!/usr/bin/env node
// Validates the responses the end-to-end tests received against the OpenAPI
// document: every exchange tests/e2e/lib.sh `req` logged (E2E_RESPONSE_LOG,
// one JSON line each: suite, test, method, path, request, status, headers,
// body) must be described by the document.
//
//   node tests/openapi/validate-responses.js nginx/openapi.yaml RESPONSES.jsonl
//
// For each exchange: the path is matched to the document's path templates
// (the most literal template wins; a path item marked x-cabinet-wildcard lets
// its last parameter take the rest of the path). Then
//   - a described path and method: the status must be one of the operation's
//     responses (no `default`); its required headers must be present, once,
//     and valid; the Content-Type must be one of its media types and the body
//     must validate against that schema (204 and HEAD: no body is checked but
//     a 204 must have none); a 2xx answer to a request with a JSON body also
//     checks that body against the operation's requestBody schema (the
//     document must accept what the handler accepted);
//   - a described path with another method, or a path the document does not
//     describe: the answer must be one of x-cabinet-unmatched's (for the
//     longest matching pathPrefix), unknownMethod or unknownPath.
// Prints each distinct mismatch (with its first occurrence and count), the
// operations no test exercised, and ends with `N passed, N failed` (one per
// exchange); exits 1 if any failed.
//
// The tools come from build/npm (scripts/install-deps); NODE_PATH points there.
'use strict';

const fs = require('fs');
const yaml = require('js-yaml');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const BASE = 'https://cabinet.invalid/openapi.json';

function main() {
    const [docPath, logPath] = process.argv.slice(2);
    if (!docPath || !logPath) {
        console.error('usage: validate-responses.js OPENAPI.yaml RESPONSES.jsonl');
        process.exit(2);
    }
    const doc = yaml.load(fs.readFileSync(docPath, 'utf8'), { schema: yaml.CORE_SCHEMA });
    const v = new Validator(doc);
    const lines = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8').split('\n').filter((l) => l.trim()) : [];
    let passed = 0;
    let failed = 0;
    const problems = new Map(); // key -> {count, first}
    for (const line of lines) {
        let ex;
        try {
            ex = JSON.parse(line);
        } catch (e) {
            failed++;
            note(problems, `unreadable log line: ${e.message}`, line.slice(0, 200));
            continue;
        }
        let found;
        try {
            found = v.check(ex);
        } catch (e) {
            found = [`${ex.method} ${ex.path} ${ex.status}: cannot check: ${e.message}`];
        }
        if (found.length === 0) {
            passed++;
            continue;
        }
        failed++;
        const where = `${ex.suite} ${ex.test}: ${ex.method} ${ex.path} -> ${ex.status}`;
        for (const p of found) note(problems, p, where);
    }
    for (const [key, { count, first }] of problems) {
        console.log(`MISMATCH ${key}`);
        console.log(`  ${count} time(s); first: ${first}`);
    }
    const unexercised = v.unexercised();
    if (unexercised.length > 0) {
        console.log(`note: ${unexercised.length} documented operation(s) no end-to-end test exercised:`);
        for (const op of unexercised) console.log(`  ${op}`);
    }
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed > 0 ? 1 : 0);
}

function note(problems, key, where) {
    const p = problems.get(key);
    if (p) p.count++;
    else problems.set(key, { count: 1, first: where });
}

class Validator {
    constructor(doc) {
        this.doc = doc;
        this.ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
        this.ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);
        addFormats(this.ajv);
        this.headerAjv = new Ajv2020({ coerceTypes: true, strict: true, strictTypes: false, allowUnionTypes: true });
        this.headerAjv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);
        addFormats(this.headerAjv);
        const defs = {};
        for (const [name, schema] of Object.entries((doc.components || {}).schemas || {})) defs[name] = absolutize(schema);
        this.ajv.addSchema({ $id: BASE, $defs: defs });
        this.compiled = new Map();
        this.templates = Object.keys(doc.paths).map((t) => template(t, doc.paths[t]));
        this.exercised = new Set();
    }

    // The problems of one exchange ([] when it is described).
    check(ex) {
        const method = String(ex.method).toLowerCase();
        const path = removeDotSegments(String(ex.path).split('?')[0].split('#')[0]);
        const resp = parseHeaders(ex.headers || '');
        const item = this.match(path);
        if (!item) return this.unmatched(path, 'unknownPath', ex, resp, `undocumented path ${path}`);
        const op = item.pathItem[method];
        if (!op) return this.unmatched(path, 'unknownMethod', ex, resp, `${ex.method} ${item.template}`);
        const label = `${ex.method} ${item.template}`;
        this.exercised.add(label);
        const responses = op.responses || {};
        const response = responses[String(ex.status)];
        if (!response) return [`${label}: status ${ex.status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
        const problems = this.checkResponse(`${label} ${ex.status}`, this.deref(response), ex, resp, method);
        if (ex.status >= 200 && ex.status < 300 && op.requestBody && ex.request) {
            problems.push(...this.checkRequest(label, this.deref(op.requestBody), ex.request));
        }
        return problems;
    }

    unmatched(path, kind, ex, resp, label) {
        const rules = ((this.doc['x-cabinet-unmatched'] || {}).rules || [])
            .filter((r) => path.startsWith(r.pathPrefix))
            .sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
        const responses = rules.length ? rules[0][kind] || {} : {};
        const response = responses[String(ex.status)];
        const what = kind === 'unknownPath' ? label : `${label} (method not documented)`;
        if (!response) {
            return [`${what}: status ${ex.status} is not an x-cabinet-unmatched ${kind} answer (${Object.keys(responses).join(', ')})`];
        }
        return this.checkResponse(`${what} ${ex.status}`, this.deref(response), ex, resp, String(ex.method).toLowerCase());
    }

    checkResponse(label, response, ex, resp, method) {
        const problems = [];
        for (const [name, h] of Object.entries(response.headers || {})) {
            const header = this.deref(h);
            const values = resp.headers.get(name.toLowerCase()) || [];
            if (values.length === 0) {
                if (header.required) problems.push(`${label}: header ${name} is missing`);
                continue;
            }
            if (values.length > 1) problems.push(`${label}: header ${name} appears ${values.length} times`);
            if (header.schema) {
                const validate = this.compileHeader(header.schema);
                const data = { v: values[0] };
                if (!validate(data)) problems.push(`${label}: header ${name}: ${JSON.stringify(values[0])} ${errorText(validate.errors)}`);
            }
        }
        const content = response.content || null;
        const body = ex.body || '';
        if (!content) {
            if (body !== '') problems.push(`${label}: a body where the document says none`);
            return problems;
        }
        if (method === 'head') return problems;
        const ctype = ((resp.headers.get('content-type') || [''])[0].split(';')[0] || '').trim().toLowerCase();
        const media = content[ctype];
        if (!media) {
            problems.push(`${label}: Content-Type ${JSON.stringify(ctype)} is not documented (${Object.keys(content).join(', ')})`);
            return problems;
        }
        if (!media.schema || !/json/.test(ctype)) return problems;
        let data;
        try {
            data = JSON.parse(body);
        } catch (e) {
            problems.push(`${label}: the body is not JSON`);
            return problems;
        }
        const validate = this.compile(media.schema);
        if (!validate(data)) problems.push(`${label}: body ${errorText(validate.errors)}`);
        return problems;
    }

    checkRequest(label, requestBody, text) {
        const media = (requestBody.content || {})['application/json'];
        if (!media || !media.schema) return [];
        let data;
        try {
            data = JSON.parse(text);
        } catch (e) {
            return []; // not JSON, yet 2xx: the body was ignored
        }
        const validate = this.compile(media.schema);
        if (validate(data)) return [];
        return [`${label}: the handler accepted a request body the document rejects: ${errorText(validate.errors)}`];
    }

    match(path) {
        let best = null;
        for (const t of this.templates) {
            if (!t.regex.test(path)) continue;
            if (!best || t.literal > best.literal) best = t;
        }
        return best;
    }

    deref(obj) {
        let seen = 0;
        while (obj && typeof obj === 'object' && typeof obj.$ref === 'string') {
            if (++seen > 20) throw new Error(`$ref loop at ${obj.$ref}`);
            obj = pointer(this.doc, obj.$ref);
        }
        return obj;
    }

    compile(schema) {
        const key = JSON.stringify(schema);
        let fn = this.compiled.get(key);
        if (!fn) {
            fn = this.ajv.compile(absolutize(schema));
            this.compiled.set(key, fn);
        }
        return fn;
    }

    compileHeader(schema) {
        const key = 'h' + JSON.stringify(schema);
        let fn = this.compiled.get(key);
        if (!fn) {
            fn = this.headerAjv.compile({ type: 'object', properties: { v: schema } });
            this.compiled.set(key, fn);
        }
        return fn;
    }

    unexercised() {
        const out = [];
        for (const t of this.templates) {
            if (t.pathItem['x-cabinet-served-by']) continue;
            for (const m of METHODS) {
                if (!t.pathItem[m]) continue;
                const label = `${m.toUpperCase()} ${t.template}`;
                if (!this.exercised.has(label)) out.push(label);
            }
        }
        return out;
    }
}

// A path template as a regex; `literal` counts its fixed characters (the most
// literal match wins, so /a/b beats /a/{x}).
function template(t, pathItem) {
    const wildcard = pathItem['x-cabinet-wildcard'] === true;
    const parts = t.split(/(\{[^}]+\})/);
    let re = '^';
    let literal = 0;
    parts.forEach((p, i) => {
        if (/^\{[^}]+\}$/.test(p)) {
            const last = parts.slice(i + 1).every((q) => q === '');
            re += wildcard && last ? '(.+)' : '([^/]+)';
        } else {
            re += p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            literal += p.length;
        }
    });
    return { template: t, pathItem, regex: new RegExp(re + '$'), literal };
}

// RFC 3986 remove_dot_segments, as curl applies it to the URL it sends.
function removeDotSegments(path) {
    const out = [];
    const segs = path.split('/');
    segs.forEach((s, i) => {
        const last = i === segs.length - 1;
        if (s === '..') {
            if (out.length > 1) out.pop();
            if (last) out.push('');
        } else if (s === '.') {
            if (last) out.push('');
        } else {
            out.push(s);
        }
    });
    return out.join('/') || '/';
}

// The last header block of curl -D output (after any 100 Continue).
function parseHeaders(raw) {
    const blocks = raw.replace(/\r/g, '').split(/\n\n+/).filter((b) => /^HTTP\//.test(b));
    const headers = new Map();
    const block = blocks.length ? blocks[blocks.length - 1] : '';
    for (const line of block.split('\n').slice(1)) {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        const name = line.slice(0, i).trim().toLowerCase();
        const value = line.slice(i + 1).trim();
        if (!headers.has(name)) headers.set(name, []);
        headers.get(name).push(value);
    }
    return { headers };
}

function pointer(doc, ref) {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
    let node = doc;
    for (const raw of ref.slice(2).split('/')) {
        const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
        if (node === undefined || node === null || !(key in node)) throw new Error(`unresolvable $ref ${ref}`);
        node = node[key];
    }
    return node;
}

// A deep copy whose `#/components/schemas/X` refs point into the $defs of BASE.
function absolutize(schema) {
    if (Array.isArray(schema)) return schema.map(absolutize);
    if (!schema || typeof schema !== 'object') return schema;
    const out = {};
    for (const [k, val] of Object.entries(schema)) {
        if (k === '$ref' && typeof val === 'string' && val.startsWith('#/components/schemas/')) {
            out[k] = `${BASE}#/$defs/${val.slice('#/components/schemas/'.length)}`;
        } else {
            out[k] = absolutize(val);
        }
    }
    return out;
}

function errorText(errors) {
    return (errors || [])
        .slice(0, 5)
        .map((e) => {
            const at = e.instancePath || '(root)';
            const extra = e.keyword === 'additionalProperties' ? ` (${e.params.additionalProperty})` : '';
            return `${at} ${e.message}${extra}`;
        })
        .join('; ');
}

main();
