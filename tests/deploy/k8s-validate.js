// Validates Kubernetes documents offline, without a cluster: each document against
// its kind's OpenAPI schema (the npm package kubernetes-models), and every field name
// against the fields its kind declares, because those schemas accept unknown fields
// and a misspelt key (`replica:`, `readinesProbe:`) would pass them silently.
// Usage: node tests/deploy/k8s-validate.js NODE_MODULES_PARENT FILE.yaml...
// Prints "ok   Kind/name" or "FAIL Kind/name: reason" per document; exit 1 on any
// failure, 2 on bad usage.
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

if (process.argv.length < 4) {
    console.error('usage: node k8s-validate.js NODE_MODULES_PARENT FILE.yaml...');
    process.exit(2);
}
const req = createRequire(path.join(path.resolve(process.argv[2]), 'index.js'));
const YAML = req('yaml');

// ---- the fields each kind declares, read from kubernetes-models' .d.ts files ----
const parsed = new Map();

// {fields: {name: type}, imports: {TypeName: .d.ts path}} of the first interface in
// a .d.ts, or null for a type alias (Quantity, IntOrString, Time: leaves).
function parseDts(file) {
    if (parsed.has(file)) return parsed.get(file);
    const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const imports = {};
    for (const m of text.matchAll(/import \{([^}]+)\} from "([^"]+)";/g)) {
        for (const name of m[1].split(',').map((s) => s.trim().split(/\s+as\s+/).pop())) {
            const spec = m[2];
            const js = spec.startsWith('.')
                ? path.resolve(path.dirname(file), spec) + '.js'
                : req.resolve(spec);
            imports[name] = js.replace(/\.js$/, '.d.ts');
        }
    }
    const head = /export interface \w+[^{]*\{/.exec(text);
    let result = null;
    if (head) {
        const fields = {};
        let depth = 0, member = '';
        for (let i = head.index + head[0].length; i < text.length; i++) {
            const c = text[i];
            if (c === '{' || c === '<') depth++;
            if (c === '}' || c === '>') {
                if (depth === 0) break;
                depth--;
            }
            if (c === ';' && depth === 0) {
                const m = /^\s*"?([^"?:\s]+)"?\??:\s*([\s\S]*)$/.exec(member);
                if (m) fields[m[1]] = m[2].trim();
                member = '';
            } else {
                member += c;
            }
        }
        result = { fields, imports };
    }
    parsed.set(file, result);
    return result;
}

// Checks value against a TypeScript type written in file; problems go to errors.
function checkType(value, type, file, where, errors) {
    let m;
    if ((m = /^Array<([\s\S]*)>$/.exec(type))) {
        if (Array.isArray(value))
            value.forEach((v, i) => checkType(v, m[1].trim(), file, `${where}[${i}]`, errors));
    } else if ((m = /^\{\s*\[key: string\]:\s*([\s\S]*?);?\s*\}$/.exec(type))) {
        if (value && typeof value === 'object')
            for (const [k, v] of Object.entries(value))
                checkType(v, m[1].trim(), file, `${where}.${k}`, errors);
    } else if (/^\w+$/.test(type) && parseDts(file).imports[type]) {
        const iface = parseDts(parseDts(file).imports[type]);
        if (iface) checkFields(value, iface, parseDts(file).imports[type], where, errors);
    }
}

function checkFields(value, iface, file, where, errors) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value)) {
        if (!(k in iface.fields)) {
            errors.push(`${where}.${k}: unknown field (${where} has: ${Object.keys(iface.fields).join(', ')})`);
            continue;
        }
        checkType(v, iface.fields[k], file, `${where}.${k}`, errors);
    }
}

// ---- one document ----
function validate(doc) {
    const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : ['', doc.apiVersion];
    const spec = `kubernetes-models/${group ? group + '/' : ''}${version}/${doc.kind}`;
    let Model, js;
    try {
        js = req.resolve(spec);
        Model = req(spec)[doc.kind];
    } catch (e) {
        return [`no schema for ${doc.apiVersion} ${doc.kind}`];
    }
    const errors = [];
    try {
        new Model(doc).validate();
    } catch (e) {
        errors.push(e.message.replace(/\s+/g, ' '));
    }
    const dts = js.replace(/\.js$/, '.d.ts');
    checkFields(doc, parseDts(dts), dts, doc.kind, errors);
    return errors;
}

let failed = 0, total = 0;
for (const file of process.argv.slice(3)) {
    for (const d of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
        if (d.errors.length) {
            console.log(`FAIL ${file}: ${d.errors[0].message}`);
            failed++;
            continue;
        }
        const doc = d.toJS();
        if (doc === null) continue;
        total++;
        const name = `${doc.kind}/${doc.metadata && doc.metadata.name}`;
        const errors = doc.apiVersion && doc.kind ? validate(doc) : ['apiVersion and kind are required'];
        if (errors.length) {
            failed++;
            console.log(`FAIL ${name}: ${errors.join('; ')}`);
        } else {
            console.log(`ok   ${name}`);
        }
    }
}
console.log(`k8s: ${total - failed} valid, ${failed} invalid`);
process.exit(failed || total === 0 ? 1 : 0);
