// Checks docs/openapi.yaml against the running servers (the public side and
// the back office's staff API): every answer the tests provoke must match the
// documented status, headers and schema, and every documented operation must
// be provoked.

import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, test } from 'node:test';

import Ajv2020 from 'ajv/dist/2020.js';
import pg from 'pg';
import YAML from 'yaml';

import { dbConfig } from '../lib/db.mjs';
import { createToken, reviewRequest, staffUser } from '../lib/staff.mjs';
import { caseId, recompute } from '../lib/sla.mjs';

const BASE = process.env.RECOURSE_URL;
const REVIEW = process.env.RECOURSE_REVIEW_URL;
const BASES = { public: BASE, review: REVIEW };
const DOC_ID = 'https://recourse.invalid/docs/openapi.json';
const TRACK_LIMIT = Number(process.env.RECOURSE_TRACK_LIMIT ?? 10);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch',
    'trace'];

// Documented answers that cannot be provoked while the database is up, or
// without breaking the server: each is still checked to be documented.
const UNREACHABLE = [
	'POST /api/v1/complaints 500', 'POST /api/v1/complaints 503',
	'POST /api/v1/track 500', 'POST /api/v1/track 503',
	'POST /api/v1/track/reply 500', 'POST /api/v1/track/reply 503',
	'POST /api/v1/track/appeal 500', 'POST /api/v1/track/appeal 503',
	'POST /api/v1/track/withdraw 500', 'POST /api/v1/track/withdraw 503',
	'POST /api/v1/track/erase 500', 'POST /api/v1/track/erase 503',
	'GET /api/v1/taxonomy 500', 'GET /api/v1/taxonomy 503',
	'GET /api/v1/reports 500', 'GET /api/v1/reports 503',
	'GET /readyz 503',
	'GET /api/v1/cases 500', 'GET /api/v1/cases 503',
	'GET /api/v1/cases/{reference} 500', 'GET /api/v1/cases/{reference} 503',
	'POST /api/v1/cases/{reference}/actions/{verb} 500',
	'POST /api/v1/cases/{reference}/actions/{verb} 503',
];

const doc = YAML.parse(readFileSync(new URL('../../docs/openapi.yaml',
    import.meta.url), 'utf8'));

/* ---- schemas ---- */

function realDate(s) {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
	if (!m)
		return false;
	const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
	return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 &&
	    d.getUTCDate() === +m[3];
}

// Strict about keywords and formats (a typo fails), not about the idioms
// of refining a $ref'd schema.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false,
    strictRequired: false });
ajv.addFormat('date', realDate);
ajv.addFormat('date-time', (s) => {
	const m = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i.exec(s);
	return m !== null && realDate(m[1]);
});
ajv.addFormat('email', /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/);
// The document's top-level members are not schema keywords; the schemas
// inside it are compiled strictly.
ajv.addVocabulary(['openapi', 'info', 'servers', 'paths', 'webhooks',
    'components', 'security', 'tags', 'externalDocs', 'jsonSchemaDialect']);
ajv.addSchema({ ...doc, $id: DOC_ID });

const esc = (s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1');
const opPointer = (path, method) => `/paths/${esc(path)}/${method.toLowerCase()}`;

function at(pointer) {
	let node = doc;
	for (const part of pointer.split('/').slice(1)) {
		node = node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
	}
	return node;
}

// Follows OpenAPI-level $refs (responses, parameters, headers).
function deref(pointer) {
	for (let i = 0; i < 10; i++) {
		const node = at(pointer);
		if (node === undefined || typeof node.$ref !== 'string')
			return { node, pointer };
		assert.match(node.$ref, /^#\//, `only local $refs: ${node.$ref}`);
		pointer = node.$ref.slice(1);
	}
	assert.fail(`$ref loop at ${pointer}`);
}

const validators = new Map();
function validatorAt(pointer) {
	assert.ok(at(pointer) !== undefined, `no schema at ${pointer}`);
	if (!validators.has(pointer)) {
		const ref = DOC_ID + '#' + pointer.split('/').map(
		    encodeURIComponent).join('/');
		validators.set(pointer, ajv.compile({ $ref: ref }));
	}
	return validators.get(pointer);
}

function check(pointer, value, what) {
	const v = validatorAt(pointer);
	assert.ok(v(value), `${what} does not match ${pointer}: ` +
	    `${ajv.errorsText(v.errors)}\n${JSON.stringify(value)}`);
}

function refuses(pointer, value, what) {
	assert.equal(validatorAt(pointer)(value), false,
	    `${what} is refused by the server but allowed by ${pointer}: ` +
	    JSON.stringify(value));
}

const COMPLAINT_SCHEMA = opPointer('/api/v1/complaints', 'post') +
    '/requestBody/content/application~1json/schema';
const TRACK_SCHEMA = opPointer('/api/v1/track', 'post') +
    '/requestBody/content/application~1json/schema';
const actPath = (verb) => `/api/v1/track/${verb}`;
const actSchema = (verb) => opPointer(actPath(verb), 'post') +
    '/requestBody/content/application~1json/schema';
const KEY_SCHEMA = '/components/parameters/IdempotencyKey/schema';

/* ---- paths, surfaces and operations ---- */

// The surfaces ('public', 'review') that answer a documented path.
function surfacesOf(template) {
	const servers = doc.paths[template]?.servers ?? doc.servers;
	return servers.map((s) => s['x-recourse-surface']);
}

// The parameters of a path item and of its operation for 'method' (of all
// its operations when it has none for that method), $refs followed.
function parametersOf(template, method) {
	const item = doc.paths[template];
	const m = String(method).toLowerCase();
	const ops = item[m] ? [item[m]] :
	    METHODS.map((x) => item[x]).filter(Boolean);
	return [item.parameters ?? [], ...ops.map((o) => o.parameters ?? [])]
	    .flat().map((p) => p.$ref ? at(p.$ref.slice(1)) : p);
}

/*
 * The documented path (template) a concrete path is an instance of: every
 * {name} segment must hold a value that its parameter's schema accepts
 * (an unknown verb or a malformed reference is no documented path).
 */
function templateOf(path, method) {
	const parts = path.split('?')[0].split('/');
	for (const template of Object.keys(doc.paths)) {
		const tparts = template.split('/');
		if (tparts.length !== parts.length)
			continue;
		const params = parametersOf(template, method);
		const ok = tparts.every((t, i) => {
			const m = /^\{(.+)\}$/.exec(t);
			if (!m)
				return t === parts[i];
			const p = params.find((x) => x.in === 'path' &&
			    x.name === m[1]);
			assert.ok(p, `${template}: {${m[1]}} is not a parameter`);
			return schemaAccepts(p.schema, decodeURIComponent(parts[i]));
		});
		if (ok)
			return template;
	}
	return null;
}

// An inline parameter schema (with local $refs), compiled once.
const inlineValidators = new Map();
function schemaAccepts(schema, value) {
	const key = JSON.stringify(schema);
	if (!inlineValidators.has(key)) {
		const fixed = JSON.parse(key.replaceAll('"$ref":"#/',
		    `"$ref":"${DOC_ID}#/`));
		inlineValidators.set(key, ajv.compile(fixed));
	}
	return inlineValidators.get(key)(value);
}

// { template, pointer } of the documented operation, or null.
function operation(method, path) {
	const template = templateOf(path, method);
	if (template === null || !at(opPointer(template, method)))
		return null;
	return { template, pointer: opPointer(template, method) };
}

/* ---- requests ---- */

const seen = [];		// { method, path, surface, status } of every request
const exercised = new Set();	// 'METHOD template status' found documented

const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/*
 * One request on its own connection.  'json' is serialised with a JSON
 * content type unless headers say otherwise (a header set to undefined is
 * not sent); 'chunked' sends the body without a Content-Length.
 */
function send(method, path, { json, body, headers = {}, chunked = false,
    ip = randomIp(), surface = 'public', token } = {}) {
	let payload = null;
	const h = { 'x-real-ip': ip };

	if (token !== undefined)
		h.authorization = `Bearer ${token}`;

	if (json !== undefined) {
		payload = Buffer.from(JSON.stringify(json));
		h['content-type'] = 'application/json';
	} else if (body !== undefined)
		payload = Buffer.from(body);
	for (const [k, v] of Object.entries(headers)) {
		delete h[k.toLowerCase()];
		if (v !== undefined)
			h[k.toLowerCase()] = v;
	}
	if (chunked)
		h['transfer-encoding'] = 'chunked';
	else if (method !== 'GET' && method !== 'HEAD')
		h['content-length'] = payload ? payload.length : 0;

	return new Promise((resolve, reject) => {
		const req = http.request(new URL(path, BASES[surface]), {
		    method, headers: h, agent: false }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString();
				const type = (res.headers['content-type'] ?? '')
				    .split(';')[0].trim().toLowerCase();
				let parsed;
				if (type === 'application/json' && text !== '')
					parsed = JSON.parse(text);
				const r = { method, path, surface,
				    status: res.statusCode, headers: res.headers,
				    type, text, json: parsed,
				    auth: h.authorization !== undefined };
				seen.push({ method, path, surface,
				    status: r.status });
				resolve(r);
			});
		});
		req.on('error', reject);
		req.end(payload ?? undefined);
	});
}

/*
 * Asserts that the answer is documented for its path, method, surface and
 * status, with the documented media type, body schema and headers.  An
 * answer counts as provoked once it is found documented; a body or header
 * that does not match fails the test that provoked it.
 */
function conforms(res, expectStatus) {
	const what = `${res.method} ${res.path} (${res.surface}) → ${res.status}`;
	if (expectStatus !== undefined)
		assert.equal(res.status, expectStatus, `${what}: ${res.text}`);
	const found = operation(res.method, res.path);
	assert.ok(found, `${res.method} ${res.path} is not documented`);
	const { template, pointer: op } = found;
	assert.ok(surfacesOf(template).includes(res.surface),
	    `${what}: ${template} is not documented on the ${res.surface} side`);
	const security = at(op).security ?? doc.security;
	if (res.status < 400 && security.length > 0)
		assert.ok(res.auth, `${what} without credentials, yet the ` +
		    'operation is documented to need them');
	const { node: response, pointer } = deref(`${op}/responses/${res.status}`);
	assert.ok(response, `${what} is not a documented answer: ${res.text}`);
	exercised.add(`${res.method} ${template} ${res.status}`);

	if (response.content) {
		assert.ok(Object.hasOwn(response.content, res.type),
		    `${what}: content type "${res.type}" is not one of ` +
		    Object.keys(response.content).join(', '));
		// JSON is checked parsed; any other type as its text.
		if (res.method !== 'HEAD')
			check(`${pointer}/content/${esc(res.type)}/schema`,
			    res.type === 'application/json' ? res.json : res.text,
			    `${what} body`);
	} else
		assert.equal(res.text, '', `${what} is documented without a body`);

	for (const name of Object.keys(response.headers ?? {})) {
		const { node: header, pointer: hp } =
		    deref(`${pointer}/headers/${esc(name)}`);
		const raw = res.headers[name.toLowerCase()];
		if (header.required)
			assert.ok(raw !== undefined, `${what}: no ${name} header`);
		if (raw === undefined)
			continue;
		const type = at(`${hp}/schema`)?.type;
		const value = (type === 'integer' || type === 'number') &&
		    /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
		check(`${hp}/schema`, value, `${what} header ${name}`);
	}
	return res;
}

const complaint = (json, key = randomUUID(), extra = {}) =>
    send('POST', '/api/v1/complaints', { json, headers:
    { 'idempotency-key': key, ...extra } });
const track = (code, opts = {}) => send('POST', '/api/v1/track',
    { json: { receipt_code: code }, ...opts });
const apiAct = (verb, json, opts = {}) => send('POST', actPath(verb),
    { json, ...opts });

const errorCode = (res) => res.json?.error?.code;

/* ---- state shared by the tests, in order ---- */

const MINIMAL = {
	category: 'privacy.consent',
	channel: 'social_ad',
	description: 'An advert showed I had been to a clinic; I never agreed.',
};
const FULL = {
	category: 'vulnerability.exploitation',
	channel: 'in_app',
	occurred_on: '2026-01-05',
	brand: 'SpinCity Casino',
	description: 'After I self-excluded, the app kept sending me ' +
	    `free-spin offers every night. (${randomUUID()})`,
	vulnerable: true,
	contact_name: 'Sam Doe',
	contact_email: 'sam@example.org',
	consent_contact: true,
	consent_publish: false,
	consent_demographics: true,
};
let filed;		// the FULL complaint's receipt
let db;

before(() => {
	assert.ok(BASE, 'RECOURSE_URL is not set (source tests/env.sh)');
});

after(async () => {
	await db?.end();
});

/* ---- the document itself ---- */

test('the document is OpenAPI 3.1 and every schema in it compiles', () => {
	assert.match(String(doc.openapi), /^3\.1\.\d+$/);
	assert.equal(typeof doc.info?.title, 'string');
	assert.ok(Object.keys(doc.paths ?? {}).length > 0, 'no paths');
	for (const name of Object.keys(doc.components?.schemas ?? {}))
		validatorAt(`/components/schemas/${esc(name)}`);
	assert.ok(at('/components/schemas/Error'), 'no shared Error schema');
});

test('every example in the document matches its schema', () => {
	let n = 0;
	const walk = (node, pointer, inSchemas) => {
		if (node === null || typeof node !== 'object')
			return;
		if (inSchemas && Array.isArray(node.examples)) {
			node.examples.forEach((e, i) => check(pointer, e,
			    `${pointer}/examples/${i}`));
			n++;
		}
		if (!inSchemas && node.schema && node.examples &&
		    !Array.isArray(node.examples)) {
			for (const [k, e] of Object.entries(node.examples)) {
				check(`${pointer}/schema`, e.value,
				    `${pointer}/examples/${k}`);
				n++;
			}
		}
		if (!inSchemas && node.schema && 'example' in node) {
			check(`${pointer}/schema`, node.example,
			    `${pointer}/example`);
			n++;
		}
		for (const [k, v] of Object.entries(node)) {
			if (k === 'examples' || k === 'example')
				continue;
			walk(v, `${pointer}/${esc(k)}`, inSchemas ||
			    pointer === '/components/schemas' || k === 'schema');
		}
	};
	walk(doc, '', false);
	assert.ok(n > 10, `only ${n} examples were found`);
});

/* ---- probes and taxonomy ---- */

test('GET /api/v1/openapi.yaml serves this document on both sides',
    async () => {
	const file = readFileSync(new URL('../../docs/openapi.yaml',
	    import.meta.url), 'utf8');
	for (const surface of ['public', 'review']) {
		const res = conforms(await send('GET', '/api/v1/openapi.yaml',
		    { surface }), 200);
		assert.equal(res.text, file, surface);
		assert.equal(res.headers['x-content-type-options'], 'nosniff');
	}
});

test('GET /healthz and GET /readyz', async () => {
	assert.equal(conforms(await send('GET', '/healthz'), 200).json.status,
	    'ok');
	assert.equal(conforms(await send('GET', '/readyz'), 200).json.status,
	    'ready');
});

test('GET /api/v1/taxonomy lists the codes complaints are filed under',
    async () => {
	const res = conforms(await send('GET', '/api/v1/taxonomy'), 200);
	const cats = res.json.categories.map((c) => c.code);
	const chans = res.json.channels.map((c) => c.code);
	for (const c of [MINIMAL.category, FULL.category])
		assert.ok(cats.includes(c), `category ${c} missing`);
	for (const c of [MINIMAL.channel, FULL.channel])
		assert.ok(chans.includes(c), `channel ${c} missing`);
	assert.equal(new Set(cats).size, cats.length, 'duplicate categories');
	assert.equal(new Set(chans).size, chans.length, 'duplicate channels');
});

test('GET /api/v1/reports lists the published reports (none or more)',
    async () => {
	const res = conforms(await send('GET', '/api/v1/reports'), 200);
	assert.equal(res.json.key_url, '/transparency/key');
	assert.ok(Array.isArray(res.json.reports));
});

/* ---- POST /api/v1/complaints ---- */

test('POST /api/v1/complaints: 201 for valid complaints in both consent forms',
    async () => {
	const bodies = [MINIMAL, FULL, {
		category: 'manipulation.pressure',
		channel: 'email',
		occurred_on: null,
		description: 'Every e-mail said the offer ends tonight; for a month.',
		contact_email: 'sam@example.org',
		consent: { contact: true, publish: true, demographics: false },
	}];
	const refs = new Set();
	for (const body of bodies) {
		check(COMPLAINT_SCHEMA, body, 'an accepted complaint');
		const key = randomUUID();
		check(KEY_SCHEMA, key, 'an accepted Idempotency-Key');
		const res = conforms(await complaint(body, key), 201);
		assert.equal(res.json.status, 'received');
		assert.equal(res.headers['cache-control'], 'no-store');
		refs.add(res.json.reference);
		if (body === FULL)
			filed = { ...res.json, key };
	}
	assert.equal(refs.size, 3, 'three complaints, three references');
});

test('POST /api/v1/complaints: same key and same complaint answer the same; ' +
    'another complaint under that key is 422; a refused one binds no key',
    async () => {
	assert.ok(filed, 'the 201 test filed nothing');
	const again = conforms(await complaint(FULL, filed.key), 201);
	assert.deepEqual(again.json, { reference: filed.reference,
	    receipt_code: filed.receipt_code, status: filed.status });

	// The same content written differently is the same complaint.
	const { consent_contact, consent_publish, consent_demographics,
	    ...rest } = FULL;
	const respelled = { consent: { demographics: consent_demographics,
	    publish: consent_publish, contact: consent_contact },
	    ...Object.fromEntries(Object.entries(rest).reverse()),
	    brand: `  ${FULL.brand}  ` };
	check(COMPLAINT_SCHEMA, respelled, 'a respelled complaint');
	const same = conforms(await complaint(respelled, filed.key), 201);
	assert.equal(same.json.receipt_code, filed.receipt_code);

	const other = conforms(await complaint({ ...FULL,
	    consent_publish: true }, filed.key), 422);
	assert.equal(errorCode(other), 'idempotency_key_reused');

	// A refused complaint does not bind its key: fixed, it is filed.
	const key = randomUUID();
	const refused = conforms(await complaint({ ...MINIMAL,
	    description: 'Too short.' }, key), 422);
	assert.equal(errorCode(refused), 'invalid');
	const fixed = conforms(await complaint(MINIMAL, key), 201);
	assert.notEqual(fixed.json.reference, filed.reference);
});

test('POST /api/v1/complaints: 409 receipt_expired for a replay after 24 hours',
    async () => {
	const body = { ...MINIMAL, description: MINIMAL.description +
	    ` (${randomUUID()})` };
	const key = randomUUID();
	const first = conforms(await complaint(body, key), 201);

	db = new pg.Client({ host: process.env.RECOURSE_PGHOST,
	    database: process.env.RECOURSE_DBNAME ?? 'recourse',
	    user: process.env.RECOURSE_PGUSER });
	await db.connect();
	const aged = await db.query(`UPDATE intake_requests r
	    SET created_at = r.created_at - interval '25 hours'
	    FROM cases c WHERE c.id = r.case_id AND c.reference = $1`,
	    [first.json.reference]);
	assert.equal(aged.rowCount, 1, 'the intake request was not found');

	const res = conforms(await complaint(body, key), 409);
	assert.equal(errorCode(res), 'receipt_expired');
	assert.equal(res.json.error.reference, first.json.reference);
	assert.ok(!res.text.includes(first.json.receipt_code),
	    'the expired receipt code was shown again');
});

test('POST /api/v1/complaints: 400 for a bad Idempotency-Key or a body that ' +
    'is not one JSON object', async () => {
	const keys = { missing: undefined, long: 'k'.repeat(201),
	    space: 'my key', short: 'k'.repeat(15) };
	for (const [name, key] of Object.entries(keys)) {
		if (key !== undefined)
			refuses(KEY_SCHEMA, key, `Idempotency-Key (${name})`);
		const res = conforms(await send('POST', '/api/v1/complaints', {
		    json: MINIMAL, headers: { 'idempotency-key': key } }), 400);
		assert.equal(errorCode(res), 'idempotency_key_required', name);
	}
	check(KEY_SCHEMA, 'k'.repeat(200), 'a 200-character key');
	check(KEY_SCHEMA, 'k'.repeat(16), 'a 16-character key');

	// Refused by the HTTP layer before the API sees them, with an empty
	// body, as the document's conventions say.
	for (const [name, key] of Object.entries({ empty: '',
	    tab: 'my\tkey', latin1: 'cl\u00e9' })) {
		refuses(KEY_SCHEMA, key, `Idempotency-Key (${name})`);
		const res = await send('POST', '/api/v1/complaints', {
		    json: MINIMAL, headers: { 'idempotency-key': key } });
		assert.equal(res.status, 400, name);
		assert.equal(res.text, '', name);
	}

	const bodies = ['{"category":', '[]', '"text"', '',
	    '{"category":"other","category":"other"}'];
	for (const body of bodies) {
		const res = conforms(await send('POST', '/api/v1/complaints', {
		    body, headers: { 'content-type': 'application/json',
		    'idempotency-key': randomUUID() } }), 400);
		assert.equal(errorCode(res), 'malformed_json', body);
	}
});

test('POST /api/v1/complaints: 411 for a chunked body', async () => {
	const res = await send('POST', '/api/v1/complaints', { chunked: true,
	    json: MINIMAL, headers: { 'idempotency-key': randomUUID() } });
	conforms(res, 411);
});

test('POST /api/v1/complaints: 413 for a body over 15 MiB (files ' +
    'included)', async () => {
	const res = conforms(await complaint({ ...MINIMAL,
	    description: 'x'.repeat(15 * 1024 * 1024 + 1) }), 413);
	assert.equal(errorCode(res), 'too_large');
});

test('POST /api/v1/complaints: 415 unless the body is application/json',
    async () => {
	for (const type of ['text/plain', 'application/x-www-form-urlencoded',
	    undefined]) {
		const res = conforms(await complaint(MINIMAL, randomUUID(),
		    { 'content-type': type }), 415);
		assert.equal(errorCode(res), 'unsupported_media_type');
	}
	const ok = conforms(await complaint(MINIMAL, randomUUID(),
	    { 'content-type': 'application/json; charset=utf-8' }), 201);
	assert.equal(ok.json.status, 'received');
});

test('POST /api/v1/complaints: 422 invalid names every faulty member',
    async () => {
	// [body, the members error.fields must name, refused by the schema?]
	const cases = [
		[{}, ['category', 'channel', 'description'], true],
		[{ ...MINIMAL, description: 'Too short to say.' },
		    ['description'], true],
		[{ ...MINIMAL, description: 'x'.repeat(10001) },
		    ['description'], true],
		[{ ...MINIMAL, consent_contacts: true }, ['consent_contacts'],
		    true],
		[{ ...MINIMAL, consent: { contacts: true } }, ['consent'], true],
		[{ ...MINIMAL, vulnerable: 'yes', brand: 42 },
		    ['vulnerable', 'brand'], true],
		[{ ...MINIMAL, occurred_on: '2026-02-30' }, ['occurred_on'],
		    true],
		[{ ...MINIMAL, occurred_on: '2999-01-01' }, ['occurred_on'],
		    false],
		[{ ...MINIMAL, brand: 'two\nlines' }, ['brand'], true],
		[{ ...MINIMAL, contact_name: 'n'.repeat(201) },
		    ['contact_name'], true],
		[{ ...MINIMAL, contact_email: 'sam@example.org' },
		    ['contact_email'], true],
		[{ ...MINIMAL, consent_contact: true }, ['contact_email'], true],
		[{ ...MINIMAL, contact_email: 'not-an-address',
		    consent_contact: true }, ['contact_email'], true],
		[{ ...MINIMAL, category: 'no_such_category' }, ['category'],
		    false],
		[{ ...MINIMAL, channel: 'carrier_pigeon' }, ['channel'], false],
	];
	for (const [body, fields, schemaRefuses] of cases) {
		if (schemaRefuses)
			refuses(COMPLAINT_SCHEMA, body, 'this complaint');
		const res = conforms(await complaint(body), 422);
		assert.equal(errorCode(res), 'invalid', JSON.stringify(body));
		assert.deepEqual(Object.keys(res.json.error.fields).sort(),
		    [...fields].sort(), JSON.stringify(body));
	}
});

/* ---- POST /api/v1/track ---- */

test('POST /api/v1/track: 200 with the case, for the code as issued and as ' +
    'typed', async () => {
	assert.ok(filed, 'the 201 test filed nothing');
	const loose = filed.receipt_code.toLowerCase().replaceAll('-', ' ')
	    .replaceAll('0', 'o').replaceAll('1', 'l');
	for (const code of [filed.receipt_code, loose]) {
		check(TRACK_SCHEMA, { receipt_code: code }, 'a receipt code');
		const res = conforms(await track(code), 200);
		assert.equal(res.json.reference, filed.reference);
		assert.equal(res.json.status, 'received');
		assert.equal(res.json.events[0].kind, 'received');
		assert.equal(res.headers['cache-control'], 'no-store');
		assert.ok(res.json.received_at <= res.json.updated_at);
	}
});

test('POST /api/v1/track: 404 for a well-formed code that matches no case',
    async () => {
	const res = conforms(await track('0000-0000-0000-0000-0000-0000'), 404);
	assert.equal(errorCode(res), 'not_found');
});

test('POST /api/v1/track: 400, 411, 413, 415 for a body that is not a ' +
    'small JSON object', async () => {
	for (const body of ['{"receipt_code":', '["x"]', '']) {
		const res = conforms(await send('POST', '/api/v1/track', { body,
		    headers: { 'content-type': 'application/json' } }), 400);
		assert.equal(errorCode(res), 'malformed_json', body);
	}
	conforms(await track(filed.receipt_code, { chunked: true }), 411);
	const big = conforms(await track('x'.repeat(193 * 1024)), 413);
	assert.equal(errorCode(big), 'too_large');
	const type = conforms(await track(filed.receipt_code,
	    { headers: { 'content-type': 'text/plain' } }), 415);
	assert.equal(errorCode(type), 'unsupported_media_type');
});

test('POST /api/v1/track: 422 for anything but one well-formed code',
    async () => {
	const code = filed.receipt_code;
	const bodies = [{}, { receipt_code: 42 }, { receipt_code: null },
	    { receipt_code: code.slice(0, -1) }, { receipt_code: code + 'A' },
	    { receipt_code: code.replace(/[A-Z0-9]/, 'U') },
	    { receipt_code: code + ' '.repeat(40) },
	    { receipt_code: code, extra: true }];
	for (const body of bodies) {
		refuses(TRACK_SCHEMA, body, 'this lookup');
		const res = conforms(await send('POST', '/api/v1/track',
		    { json: body }), 422);
		assert.equal(errorCode(res), 'invalid', JSON.stringify(body));
		assert.deepEqual(Object.keys(res.json.error.fields),
		    [body.extra ? 'extra' : 'receipt_code']);
	}
});

test('POST /api/v1/track: 429 once a client has used its lookups for the hour',
    async () => {
	const ip = randomIp();
	let misses = 0, res;
	// Bounded at twice the limit in case the hour turns meanwhile.
	while (misses <= 2 * TRACK_LIMIT) {
		res = await track('ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ', { ip });
		if (res.status !== 404)
			break;
		conforms(res);
		misses++;
	}
	conforms(res, 429);
	assert.equal(errorCode(res), 'too_many_requests');
	assert.ok(misses >= 1 && misses <= 2 * TRACK_LIMIT, `${misses} misses`);
	// Even the right code is refused now; another client is not affected.
	conforms(await track(filed.receipt_code, { ip }), 429);
	conforms(await track(filed.receipt_code), 200);
});


/* ---- the staff API (back office) ---- */

const CASES = '/api/v1/cases';
const ACTION = '/api/v1/cases/{reference}/actions/{verb}';
const ACTION_SCHEMA = opPointer(ACTION, 'post') +
    '/requestBody/content/application~1json/schema';
const VERBS = at('/components/schemas/Verb/enum');
// A reference of the right shape that no case has.
const MISSING = 'RC-2099-999999';
const DECISION = { outcome: 'not_upheld', remedies: ['none'],
    automated: false, text: 'The advert used no personal data.' };

const st = {};		// the staff set-up: people with tokens, cases
const verbsDone = new Set();
let sdb;

after(async () => {
	// No open case is left behind: later test files read the first page
	// of the work list.
	const refs = ['w', 'd', 'r', 'v', 'x', 'y'].map((n) => st[n]?.reference)
	    .filter(Boolean);
	if (sdb && refs.length)
		await closeCases(sdb, refs);
	await sdb?.end();
});

async function closeCases(client, refs) {
	await client.query("UPDATE cases SET state = 'rejected' WHERE " +
	    "reference = ANY ($1) AND state IN ('received', 'triaged', " +
	    "'investigating', 'awaiting_complainant')", [refs]);
	await client.query("UPDATE cases SET state = 'closed', assignee = NULL " +
	    "WHERE reference = ANY ($1) AND state IN ('rejected', 'decided')",
	    [refs]);
}

const staffGet = (path, token, opts = {}) => send('GET', path,
    { surface: 'review', token, ...opts });
const action = (token, reference, verb, json, opts = {}) => send('POST',
    `/api/v1/cases/${reference}/actions/${verb}`,
    { surface: 'review', token, json, ...opts });
const casePath = (reference) => `/api/v1/cases/${reference}`;

// An action the server must accept; its body must be one the document
// accepts too.
async function done(who, reference, verb, body = {}) {
	check(ACTION_SCHEMA, body, `the ${verb} body`);
	const res = conforms(await action(who.token, reference, verb, body),
	    200);
	assert.deepEqual(res.json, { outcome: 'ok', reference });
	verbsDone.add(verb);
	return res;
}

async function refused(who, reference, verb, body, status, code) {
	const res = conforms(await action(who.token, reference, verb, body),
	    status);
	assert.equal(errorCode(res), code, `${verb} ${JSON.stringify(body)}`);
	return res;
}

async function caseRow(reference) {
	const r = await sdb.query(`SELECT c.state::text, c.assignee::int,
	    c.priority, c.queue, c.category,
	    (SELECT count(*) FROM case_events e WHERE e.case_id = c.id)::int
	        AS events
	    FROM cases c WHERE c.reference = $1`, [reference]);
	assert.equal(r.rows.length, 1, `no case ${reference}`);
	return r.rows[0];
}

// A token made on the account page, which shows it once.
async function newToken(user) {
	const { res, token } = await createToken(user,
	    { label: `openapi ${user.login}` });
	assert.equal(res.status, 201, `token for ${user.login}: ${res.status}`);
	assert.match(token ?? '', /^[0-9a-f]{64}$/,
	    'the token is 64 lower-case hex digits, as bearerAuth says');
	return token;
}

// A complaint filed through the public API: { reference, receipt_code }.
async function fileCase(over = {}) {
	const body = { category: 'privacy.consent', channel: 'email',
	    description: 'The advert knew my home address; I never gave it. ' +
	    `(${randomUUID()})`, ...over };
	const res = conforms(await complaint(body), 201);
	return { ...res.json, body };
}

// What the complainant sends with their code, through the public API; the
// answer is the case as it is after.
async function complainantSends(verb, code, text) {
	const body = { receipt_code: code, text };
	check(actSchema(verb), body, `the ${verb} body`);
	const res = conforms(await apiAct(verb, body), 200);
	assert.equal(res.json.appeals.at(-1)?.text === text ||
	    res.json.messages.at(-1)?.text === text, true,
	    `${verb}: the answer shows what was sent`);
	return res;
}

function ready() {
	assert.ok(st.sup?.token, 'the staff set-up test failed');
}

test('staff API: every /api/v1/cases operation needs the bearer token and ' +
    'is served by the back office only', () => {
	const scheme = doc.components?.securitySchemes?.bearerAuth;
	assert.deepEqual([scheme?.type, scheme?.scheme], ['http', 'bearer']);
	assert.deepEqual(doc.servers.map((s) => s['x-recourse-surface']),
	    ['public', 'review']);
	let staffOps = 0;
	for (const [template, item] of Object.entries(doc.paths)) {
		const staff = template.startsWith('/api/v1/cases');
		// (The document itself is served by both.)
		const both = !template.startsWith('/api/') ||
		    template === '/api/v1/openapi.yaml';
		assert.deepEqual(surfacesOf(template), staff ? ['review'] :
		    both ? ['public', 'review'] : ['public'],
		    `${template}: servers`);
		for (const m of METHODS.filter((x) => item[x])) {
			const security = item[m].security ?? doc.security;
			assert.deepEqual(security, staff ? [{ bearerAuth: [] }] :
			    [], `${m} ${template}: security`);
			if (staff) {
				staffOps++;
				assert.ok(item[m].responses['401'],
				    `${m} ${template}: no 401`);
			}
		}
	}
	assert.equal(staffOps, 3);
	assert.ok(VERBS.length >= 13, 'the verbs');
});

test('staff API: reviewers, an outsider and a supervisor make tokens on ' +
    'their account page; complaints to work are filed', async () => {
	sdb = new pg.Client(dbConfig());
	await sdb.connect();
	const [a, b, outsider, sup] = await Promise.all([
		staffUser({ name: 'API Reviewer A', queues: ['general'] }),
		staffUser({ name: 'API Reviewer B', queues: ['general'] }),
		staffUser({ name: 'API Outsider', queues: ['security'] }),
		staffUser({ name: 'API Supervisor', roles: ['supervisor'],
		    queues: [] }),
	]);
	for (const u of [a, b, outsider, sup])
		u.token = await newToken(u);
	// W is worked through every verb, D is its duplicate, R is
	// rejected, V takes the refusals, X waits for a signature.
	const [w, d, r, v, x] = await Promise.all([
		fileCase({ contact_name: 'Sam Doe',
		    contact_email: 'sam@example.org', consent_contact: true }),
		fileCase(), fileCase(),
		fileCase({ brand: `Staff API Brand ${randomUUID()}` }),
		fileCase()]);
	const rows = await sdb.query('SELECT queue, state::text FROM cases ' +
	    'WHERE reference = ANY ($1)', [[w, d, r, v, x].map((c) =>
	    c.reference)]);
	assert.deepEqual(rows.rows.map((q) => [q.queue, q.state]),
	    Array(5).fill(['general', 'received']));
	Object.assign(st, { a, b, outsider, sup, w, d, r, v, x });
});

test('staff API: 401 with WWW-Authenticate: Bearer for a missing, ' +
    'malformed or unknown token', async () => {
	ready();
	const before = await caseRow(st.v.reference);
	const bad = {
		none: undefined,
		basic: `Basic ${st.a.token}`,
		short: 'Bearer 0123abcd',
		upper: `Bearer ${st.a.token.toUpperCase()}`,
		unknown: `Bearer ${'0123456789abcdef'.repeat(4)}`,
		noScheme: st.a.token,
	};
	for (const [name, value] of Object.entries(bad)) {
		const headers = { authorization: value };
		for (const res of [
		    await staffGet(CASES, undefined, { headers }),
		    await staffGet(casePath(st.v.reference), undefined,
		        { headers }),
		    await action(undefined, st.v.reference, 'take', {},
		        { headers })]) {
			conforms(res, 401);
			assert.equal(errorCode(res), 'unauthenticated', name);
			assert.match(res.headers['www-authenticate'], /^Bearer/);
			assert.ok(!res.text.includes(st.v.reference), name);
		}
	}
	assert.deepEqual(await caseRow(st.v.reference), before);
});

test('GET /api/v1/cases: 200 with the cases one may see, filtered', async () => {
	ready();
	const refs = (res) => res.json.cases.map((c) => c.reference);
	// Every row of every page, following each page's own next key (the
	// suite files many cases before this one).
	const allRows = async (token) => {
		const rows = [];
		let after = null;
		do {
			const res = conforms(await staffGet(after === null ? CASES :
			    `${CASES}?after=${encodeURIComponent(after)}`, token),
			    200);
			assert.equal(res.headers['cache-control'], 'no-store');
			rows.push(...res.json.cases);
			after = res.json.next;
		} while (after !== null && rows.length < 5000);
		return rows;
	};
	// Keyset pages over an order the scheduler moves: W is looked for
	// once its own place is settled (its first pass moves it).
	await recompute([await caseId(st.w.reference)]);
	const mine = await allRows(st.a.token);
	assert.ok(mine.some((c) => c.reference === st.w.reference),
	    'W on A\'s list');
	assert.ok(mine.every((c) => c.queue === 'general'));
	const out = await allRows(st.outsider.token);
	assert.ok(!out.some((c) => c.reference === st.w.reference),
	    'W on the outsider\'s');
	assert.ok(out.every((c) => c.queue === 'security'));

	const param = (name) => parametersOf(CASES, 'get')
	    .find((p) => p.name === name);
	const filters = [
		['state', 'received', (c) => c.state === 'received'],
		['category', 'privacy.consent',
		    (c) => c.category === 'privacy.consent'],
		['priority', 2, (c) => c.priority === 2],
		['assignee', 'none', (c) => c.assignee === null],
		['assignee', String(st.a.id), (c) => c.assignee === st.a.id],
		['queue', 'general', (c) => c.queue === 'general'],
		['brand', ` ${st.v.body.brand.toUpperCase()} `,
		    (c) => c.brand === st.v.body.brand, st.v.reference],
	];
	for (const [name, value, holds, expected] of filters) {
		assert.ok(schemaAccepts(param(name).schema, value),
		    `${name}=${value} is refused by the document`);
		const res = conforms(await staffGet(`${CASES}?${name}=` +
		    encodeURIComponent(value), st.sup.token), 200);
		assert.ok(res.json.cases.every(holds), `${name}=${value}`);
		if (expected)
			assert.deepEqual(refs(res), [expected], `${name}=${value}`);
	}
	const combined = conforms(await staffGet(`${CASES}?state=received&` +
	    'assignee=none&queue=general', st.a.token), 200);
	assert.ok(combined.json.cases.every((c) => c.state === 'received' &&
	    c.assignee === null && c.queue === 'general'));
});

test('GET /api/v1/cases: pages of 50 follow one another by their next key',
    async () => {
	ready();
	const brand = `Paging ${randomUUID()}`;
	const filed = [];
	for (let i = 0; i < 51; i += 17)
		filed.push(...await Promise.all(Array.from({ length: Math.min(17,
		    51 - i) }, () => fileCase({ brand }))));
	// Closed, so that no other test's work list meets them.
	for (const state of ['rejected', 'closed'])
		await sdb.query('UPDATE cases SET state = $2 WHERE brand = $1',
		    [brand, state]);
	// The SLA scheduler's first pass over new cases moves them in the
	// order; pages are read once it has been.
	await recompute((await sdb.query('SELECT id FROM cases ' +
	    'WHERE brand = $1', [brand])).rows.map((x) => x.id));
	const q = `${CASES}?state=closed&brand=${encodeURIComponent(brand)}`;
	const first = conforms(await staffGet(q, st.sup.token), 200);
	assert.equal(first.json.cases.length, 50);
	assert.equal(typeof first.json.next, 'string');
	const second = conforms(await staffGet(`${q}&after=` +
	    encodeURIComponent(first.json.next), st.sup.token), 200);
	assert.equal(second.json.cases.length, 1);
	assert.equal(second.json.next, null);
	const got = [...first.json.cases, ...second.json.cases]
	    .map((c) => c.reference);
	assert.deepEqual([...got].sort(), filed.map((c) => c.reference).sort());
	// Risk order: the rank of sla_state, then the nearest due instant
	// (none last).
	const rank = ['breached', 'at_risk', 'running', 'paused', 'none'];
	const key = (c) => `${rank.indexOf(c.sla_state)}~` +
	    `${c.sla_due ?? '9999'}`;
	const order = [...first.json.cases, ...second.json.cases].map(key);
	assert.deepEqual(order, [...order].sort(), 'risk order');
});

test('GET /api/v1/cases: 422 invalid names every filter that is not valid',
    async () => {
	ready();
	const param = (name) => parametersOf(CASES, 'get')
	    .find((p) => p.name === name);
	const cases = [
		['state=nope', 'state', 'nope'],
		['priority=5', 'priority', 5],
		['priority=0', 'priority', 0],
		['assignee=someone', 'assignee', 'someone'],
		['after=yesterday', 'after', 'yesterday'],
		['brand=%FF', 'brand', null],
		['%zz', 'filters', null],
	];
	for (const [query, field, value] of cases) {
		if (value !== null)
			assert.ok(!schemaAccepts(param(field).schema, value),
			    `${query} is allowed by the document`);
		const res = conforms(await staffGet(`${CASES}?${query}`,
		    st.a.token), 422);
		assert.equal(errorCode(res), 'invalid', query);
		assert.deepEqual(Object.keys(res.json.error.fields), [field],
		    query);
	}
	// Every bad filter at once.
	const res = conforms(await staffGet(`${CASES}?state=nope&priority=5&` +
	    'assignee=someone', st.a.token), 422);
	assert.deepEqual(Object.keys(res.json.error.fields).sort(),
	    ['assignee', 'priority', 'state']);
});

test('GET /api/v1/cases/{reference}: 200 the case opened; contact only for ' +
    'the assignee or a supervisor', async () => {
	ready();
	const path = casePath(st.w.reference);
	// What the answers say is checked first, their conformance at the end.
	const answers = [];
	const read = async (who) => {
		const res = await staffGet(path, who.token);
		assert.equal(res.status, 200, res.text);
		answers.push(res);
		assert.equal(res.json.reference, st.w.reference);
		assert.equal(res.json.description, st.w.body.description);
		assert.equal(res.json.consents.contact, true);
		assert.equal(res.headers['cache-control'], 'no-store');
		return res.json;
	};
	assert.ok(!('contact' in await read(st.a)), 'contact before take');
	assert.deepEqual((await read(st.sup)).contact,
	    { name: 'Sam Doe', email: 'sam@example.org' });
	await done(st.a, st.w.reference, 'take');
	assert.deepEqual((await read(st.a)).contact,
	    { name: 'Sam Doe', email: 'sam@example.org' });
	assert.ok(!('contact' in await read(st.b)), 'contact for B');
	const c = await read(st.a);
	assert.equal(c.state, 'received');
	assert.equal(c.assignee, st.a.id);
	assert.equal(c.assignee_name, 'API Reviewer A');
	assert.deepEqual(c.events.map((e) => e.kind), ['received', 'assigned']);

	// Each read is in the audit log.
	const audit = await sdb.query("SELECT actor, detail FROM audit_events " +
	    "WHERE action = 'case.read' AND object = $1 ORDER BY id",
	    [`case:${st.w.reference}`]);
	assert.deepEqual(audit.rows.map((r) => r.actor), [st.a, st.sup, st.a,
	    st.b, st.a].map((u) => `staff:${u.id}`));
	assert.deepEqual(audit.rows.map((r) => r.detail.contact === true),
	    [false, true, true, false, true]);
	for (const res of answers)
		conforms(res, 200);
});

test('GET /api/v1/cases/{reference}: 404 alike for a missing case and one ' +
    'out of reach; 401 without a token', async () => {
	ready();
	const missing = conforms(await staffGet(casePath(MISSING),
	    st.outsider.token), 404);
	assert.equal(errorCode(missing), 'not_found');
	const hidden = conforms(await staffGet(casePath(st.w.reference),
	    st.outsider.token), 404);
	assert.equal(hidden.text, missing.text);
	conforms(await staffGet(casePath(st.w.reference), undefined), 401);
});

test('POST /api/v1/cases/{reference}/actions/{verb}: 200 for every verb, ' +
    'through a question, an appeal and a second signature', async () => {
	ready();
	const { a, b, sup } = st;
	const W = st.w.reference;
	const texts = {
		note: 'Ask the advertiser for its consent records.',
		message: 'We are looking into the advert you reported.',
		question: 'On which site did you first see the advert?',
		reply: 'On a news site, in March.',
		reasons: 'The advertiser had no valid consent for the address.',
		grounds: 'An apology is not enough; my data must be deleted.',
		appealReasons: 'On appeal: the address data is to be deleted.',
		sentBack: 'Name the data deleted.',
	};
	// A holds W (the read test took it).
	await done(sup, W, 'assign', { to: b.id });
	assert.equal((await caseRow(W)).assignee, b.id);
	await done(b, W, 'release');
	assert.equal((await caseRow(W)).assignee, null);
	await done(a, W, 'take');
	await done(a, W, 'take');	// already A's: nothing changes
	assert.equal((await caseRow(W)).assignee, a.id);
	await done(a, W, 'triage', { category: 'privacy.consent', priority: 2,
	    queue: null });
	assert.equal((await caseRow(W)).state, 'triaged');
	await done(a, W, 'investigate');
	await done(a, W, 'note', { text: texts.note });
	await done(a, W, 'message', { text: texts.message });
	await done(a, W, 'request_info', { text: texts.question });
	assert.equal((await caseRow(W)).state, 'awaiting_complainant');
	await complainantSends('reply', st.w.receipt_code, texts.reply);
	assert.equal((await caseRow(W)).state, 'investigating');
	await done(sup, st.d.reference, 'link_duplicate', { original: W });
	await done(a, W, 'decide', { outcome: 'partly_upheld',
	    remedies: ['consent_fixed', 'apology'], automated: false,
	    text: texts.reasons });
	assert.equal((await caseRow(W)).state, 'decided');
	await complainantSends('appeal', st.w.receipt_code, texts.grounds);
	assert.deepEqual(await caseRow(W).then((r) => [r.state, r.assignee]),
	    ['appealed', null]);
	await refused(a, W, 'take', {}, 409, 'excluded');
	await done(b, W, 'take');
	await done(b, W, 'decide', { outcome: 'upheld',
	    remedies: ['data_deleted', 'apology'], automated: true,
	    text: texts.appealReasons });
	// Sent back unsigned: the appeal is decided again.
	await done(sup, W, 'send_back', { text: texts.sentBack });
	assert.equal((await caseRow(W)).state, 'appealed');
	await done(b, W, 'decide', { outcome: 'upheld',
	    remedies: ['data_deleted', 'apology'], automated: true,
	    text: texts.appealReasons });
	await refused(b, W, 'close', {}, 409, 'state');
	await done(sup, W, 'sign');
	await done(b, W, 'close');
	assert.deepEqual(await caseRow(W).then((r) => [r.state, r.assignee]),
	    ['closed', null]);

	await done(a, st.r.reference, 'take');
	await done(a, st.r.reference, 'reject', { text: 'Not about ' +
	    'marketing: a billing dispute is for the ombudsman.' });
	await done(a, st.r.reference, 'close');
	assert.equal((await caseRow(st.r.reference)).state, 'closed');

	// Erasure: asked for with the code, held, released, confirmed.
	const R = st.r.reference;
	await refused(a, R, 'erase', {}, 409, 'state');
	const ask = { receipt_code: st.r.receipt_code, confirm: true };
	check(actSchema('erase'), ask, 'an erasure request');
	let asked = conforms(await apiAct('erase', ask), 200);
	assert.match(asked.json.erasure.requested_at ?? '', /Z$/);
	assert.equal(errorCode(conforms(await apiAct('erase', ask), 409)),
	    'already_requested');
	const hold = 'A court order of 3 March 2026 requires us to keep it.';
	await refused(a, R, 'hold', { text: 'x'.repeat(1001) }, 422, 'invalid');
	await done(a, R, 'hold', { text: hold });
	await refused(a, R, 'erase', {}, 409, 'state');
	await refused(a, R, 'lift_hold', {}, 403, 'forbidden');
	asked = conforms(await track(st.r.receipt_code), 200);
	assert.equal(asked.json.erasure.legal_hold, hold);
	await done(sup, R, 'lift_hold');
	await done(a, R, 'erase');
	await refused(a, R, 'hold', { text: hold }, 409, 'state');
	conforms(await track(st.r.receipt_code), 404);
	const erased = conforms(await staffGet(casePath(R), sup.token), 200);
	assert.equal(erased.json.description, null);
	assert.equal(erased.json.erasure.basis, 'request');
	assert.ok(erased.json.messages.every((m) => m.body === null));
	// The account for the report: drafted by the assignee, with the
	// name the complainant gave flagged; approved by someone else, who
	// says every flag was checked.
	const N = (await fileCase({ consent_publish: true,
	    consent_contact: true, contact_name: 'Pat Lane',
	    contact_email: 'pat.lane@example.org' })).reference;
	await done(a, N, 'take');
	await refused(a, st.w.reference, 'narrative', { text: 'No consent.' },
	    409, 'no_consent');
	await done(a, N, 'narrative', { text: 'Pat Lane saw it everywhere.' });
	await refused(a, N, 'approve_narrative', { draft: 1, checked: true },
	    409, 'same_person');
	const un = await refused(b, N, 'approve_narrative', { draft: 1 }, 422,
	    'unconfirmed');
	assert.deepEqual(Object.keys(un.json.error.fields), ['checked']);
	await refused(b, N, 'approve_narrative', { draft: 2, checked: true },
	    409, 'stale');
	await done(b, N, 'approve_narrative', { draft: 1, checked: true });
	const told = conforms(await staffGet(casePath(N), a.token), 200);
	assert.equal(told.json.narrative.text, 'Pat Lane saw it everywhere.');
	assert.deepEqual(told.json.narrative.flags, [{ start: 0, end: 8,
	    kind: 'name' }]);
	assert.equal(told.json.narrative.approved_by_name, 'API Reviewer B');
	assert.deepEqual(VERBS.filter((v) => !verbsDone.has(v)), [],
	    'verbs never used');

	// The case now holds every kind of thing a case can.
	const answer = await staffGet(casePath(W), sup.token);
	assert.equal(answer.status, 200, answer.text);
	const c = answer.json;
	assert.equal(c.state, 'closed');
	assert.equal(c.appeal_excluded, a.id);
	assert.deepEqual(c.duplicates, [st.d.reference]);
	assert.deepEqual(c.messages.map((m) => [m.kind, m.body]), [
	    ['note', texts.note], ['to_complainant', texts.message],
	    ['to_complainant', texts.question],
	    ['from_complainant', texts.reply], ['note', texts.sentBack]]);
	assert.deepEqual(c.decisions.map((d) => [d.on_appeal, d.reasons,
	    d.decided_by, d.needs_signature, d.signed_by_name,
	    d.released_at !== null, d.sent_back_by_name]), [
	    [false, texts.reasons, a.id, false, null, true, null],
	    [true, texts.appealReasons, b.id, true, null, false,
	        'API Supervisor'],
	    [true, texts.appealReasons, b.id, true, 'API Supervisor', true,
	        null]]);
	assert.deepEqual(c.appeals.map((p) => [p.grounds, p.decision]),
	    [[texts.grounds, c.decisions[0].id]]);
	const dup = await staffGet(casePath(st.d.reference), sup.token);
	assert.equal(dup.json.duplicate_of, W);
	conforms(answer, 200);
	conforms(dup, 200);
});

test('POST /api/v1/cases/{reference}/actions/{verb}: 400, 411, 413, 415 for ' +
    'a body that is not a small JSON object', async () => {
	ready();
	const V = st.v.reference;
	const before = await caseRow(V);
	for (const body of ['{"text":', '[]', '"text"', '',
	    '{"text":"a","text":"b"}']) {
		const res = conforms(await send('POST', `${casePath(V)}/actions/note`,
		    { surface: 'review', token: st.a.token, body, headers:
		    { 'content-type': 'application/json' } }), 400);
		assert.equal(errorCode(res), 'malformed_json', body);
	}
	conforms(await action(st.a.token, V, 'take', {}, { chunked: true }),
	    411);
	const big = conforms(await action(st.a.token, V, 'note',
	    { text: 'x'.repeat(193 * 1024) }), 413);
	assert.equal(errorCode(big), 'too_large');
	for (const type of ['text/plain', 'application/x-www-form-urlencoded',
	    undefined]) {
		const res = conforms(await action(st.a.token, V, 'take', {},
		    { headers: { 'content-type': type } }), 415);
		assert.equal(errorCode(res), 'unsupported_media_type');
	}
	assert.deepEqual(await caseRow(V), before);
});

test('POST /api/v1/cases/{reference}/actions/{verb}: 401, and 404 alike for ' +
    'a missing case and one out of reach', async () => {
	ready();
	const V = st.v.reference;
	const before = await caseRow(V);
	// Every documented verb is one the server knows: it asks who is
	// asking, where an unknown verb is not found.
	for (const verb of VERBS) {
		const res = conforms(await action(undefined, V, verb, {}), 401);
		assert.equal(errorCode(res), 'unauthenticated', verb);
	}
	const unknown = await action(st.a.token, V, 'escalate', {});
	assert.equal(unknown.status, 404);
	assert.equal(operation('POST', unknown.path), null);
	for (const [verb, body] of [['take', {}], ['note', { text: 'A note.' }],
	    ['decide', DECISION]]) {
		const missing = conforms(await action(st.outsider.token, MISSING,
		    verb, body), 404);
		assert.equal(errorCode(missing), 'not_found');
		const hidden = conforms(await action(st.outsider.token, V, verb,
		    body), 404);
		assert.equal(hidden.text, missing.text, verb);
	}
	assert.deepEqual(await caseRow(V), before);
});

test('POST /api/v1/cases/{reference}/actions/{verb}: 403, 409 and 422 as ' +
    'documented, and nothing changes', async () => {
	ready();
	const { a, b, sup, outsider } = st;
	const V = st.v.reference;
	await done(a, V, 'take');
	const before = await caseRow(V);

	await refused(a, V, 'assign', { to: b.id }, 403, 'forbidden');
	await refused(a, V, 'sign', {}, 403, 'forbidden');
	await refused(a, V, 'decide', DECISION, 409, 'state');
	await refused(a, V, 'close', {}, 409, 'state');
	await refused(a, V, 'investigate', {}, 409, 'state');
	await refused(b, V, 'take', {}, 409, 'not_assigned');
	await refused(b, V, 'triage', { category: 'privacy.consent',
	    priority: 1 }, 409, 'not_assigned');

	// [verb, body, the member error.fields names, refused by the schema]
	const { text: _t, ...noText } = DECISION;
	const { automated: _a, ...noAutomated } = DECISION;
	const invalid = [
		['note', {}, 'text', false],
		['note', { text: ' \n\t ' }, 'text', true],
		['note', { text: 'x'.repeat(10001) }, 'text', true],
		['note', { text: null }, 'text', true],
		['message', { text: 42 }, 'text', true],
		['message', { text: 'a\u0000b' }, 'text', true],
		['triage', { priority: 2 }, 'category', false],
		['triage', { category: 'privacy.consent' }, 'priority', false],
		['triage', { category: 'privacy.consent', priority: '2' },
		    'priority', true],
		['triage', { category: 'privacy.consent', priority: 5 },
		    'priority', true],
		['triage', { category: 'privacy.consent', priority: 2,
		    queue: 7 }, 'queue', true],
		['take', { urgent: true }, 'urgent', true],
		['assign', {}, 'to', false],
		['assign', { to: -1 }, 'to', true],
		['assign', { to: String(b.id) }, 'to', true],
		['link_duplicate', {}, 'original', false],
		['link_duplicate', { original: 'RC-1' }, 'original', true],
		['decide', { ...DECISION, outcome: 'maybe' }, 'outcome', true],
		['decide', { ...DECISION, remedies: [] }, 'remedies', true],
		['decide', { ...DECISION, remedies: ['none', 'apology'] },
		    'remedies', true],
		['decide', { ...DECISION, remedies: ['refund'] }, 'remedies',
		    true],
		['decide', { ...DECISION, remedies: 'apology' }, 'remedies',
		    true],
		['decide', { ...DECISION, automated: 'no' }, 'automated', true],
		['decide', noAutomated, 'automated', false],
		['decide', noText, 'text', false],
	];
	// Every faulty member at once.
	invalid.push(['decide', {}, ['automated', 'outcome', 'remedies',
	    'text'], false]);
	invalid.push(['triage', { queue: 7 }, ['category', 'priority',
	    'queue'], true]);
	for (const [verb, body, field, schemaRefuses] of invalid) {
		const what = `${verb} ${JSON.stringify(body).slice(0, 80)}`;
		if (schemaRefuses)
			refuses(ACTION_SCHEMA, body, what);
		else
			check(ACTION_SCHEMA, body, what);
		const res = conforms(await action(a.token, V, verb, body), 422);
		assert.equal(errorCode(res), 'invalid', what);
		assert.deepEqual(Object.keys(res.json.error.fields ?? {}).sort(),
		    [field].flat(), what);
	}

	// Well-formed, but not possible for this case: no fields.
	for (const [who, verb, body] of [
	    [a, 'triage', { category: 'no.such_category', priority: 2 }],
	    [a, 'triage', { category: 'privacy.consent', priority: 2,
	        queue: 'no_such_queue' }],
	    [a, 'link_duplicate', { original: V }],
	    [sup, 'assign', { to: outsider.id }]]) {
		check(ACTION_SCHEMA, body, `${verb} body`);
		const res = conforms(await action(who.token, V, verb, body), 422);
		assert.equal(errorCode(res), 'invalid', verb);
		assert.equal(res.json.error.fields, undefined, verb);
	}
	assert.deepEqual(await caseRow(V), before);

	// Nobody second-signs their own decision.
	const X = st.x.reference;
	await done(sup, X, 'take');
	await done(sup, X, 'triage', { category: 'privacy.consent',
	    priority: 3 });
	await done(sup, X, 'investigate');
	await done(sup, X, 'decide', DECISION);
	await refused(sup, X, 'sign', {}, 409, 'excluded');
	await refused(sup, X, 'close', {}, 409, 'state');
	assert.equal((await caseRow(X)).state, 'decided');
});

/* ---- coverage ---- */

/*
 * Requests that no documented operation covers on that side: each must be
 * refused with 404 (no such path there) or 405 (a documented path, another
 * method; the Allow header lists the documented methods), in the Error
 * shape.
 */
async function probe(probes) {
	for (const [surface, method, path] of probes) {
		const res = await send(method, path, { surface });
		const what = `${method} ${path} (${surface}) → ${res.status}`;
		const op = operation(method, path);
		assert.ok(!op || !surfacesOf(op.template).includes(surface),
		    `${method} ${path} is documented; probe something else`);
		assert.ok([404, 405].includes(res.status), what);
		assert.equal(res.type, 'application/json', what);
		check('/components/schemas/Error', res.json, what);
		assert.equal(errorCode(res), res.status === 404 ? 'not_found' :
		    'method_not_allowed', what);
		const template = templateOf(path, method);
		const here = template !== null &&
		    surfacesOf(template).includes(surface);
		if (res.status === 405) {
			assert.ok(here, `${what}, yet the path is not documented ` +
			    'on this side');
			const p = '/components/responses/MethodNotAllowed';
			check(`${p}/content/application~1json/schema`, res.json,
			    what);
			const { pointer: hp } = deref(`${p}/headers/Allow`);
			check(`${hp}/schema`, res.headers.allow ?? '',
			    `${what} Allow`);
			const item = doc.paths[template];
			const documented = METHODS.filter((m) => item[m])
			    .map((m) => m.toUpperCase());
			if (documented.includes('GET'))
				documented.push('HEAD');
			const allow = (res.headers.allow ?? '').split(',')
			    .map((m) => m.trim()).filter(Boolean);
			assert.deepEqual(allow.sort(), documented.sort(), what);
			// The answer every operation of the path documents.
			for (const m of METHODS.filter((x) => item[x])) {
				const op = opPointer(template, m);
				const { node, pointer } = deref(`${op}/responses/405`);
				assert.ok(node, `${m.toUpperCase()} ${template} ` +
				    'does not document its 405');
				check(`${pointer}/content/application~1json/schema`,
				    res.json, what);
				exercised.add(`${m.toUpperCase()} ${template} 405`);
			}
		} else
			assert.ok(!here, `${what}, yet the path is documented ` +
			    'on this side');
	}
}

/* ---- the complainant's acts (public side) ---- */

test('POST /api/v1/track/{reply,appeal,withdraw}: 200 with the case after, ' +
    '409 for what the case no longer allows', async () => {
	ready();
	const { a } = st;
	const f = await fileCase({ contact_email: 'ada@example.org',
	    consent_contact: true, consent_publish: true });
	st.y = f;
	const code = f.receipt_code;
	const messages = async () => (await sdb.query(`SELECT count(*)::int
	    AS n FROM case_messages m JOIN cases c ON c.id = m.case_id
	    WHERE c.reference = $1`, [f.reference])).rows[0].n;

	let res = await complainantSends('reply', code, 'It came twice a day.');
	assert.equal(res.json.reference, f.reference);
	assert.deepEqual(res.json.messages.map((m) => m.kind),
	    ['from_complainant']);
	const body = { receipt_code: code, consent: 'contact' };
	check(actSchema('withdraw'), body, 'a withdrawal');
	res = conforms(await apiAct('withdraw', body), 200);
	assert.deepEqual(res.json.consents, { contact: false, publish: true,
	    demographics: false });
	assert.equal(res.json.events.at(-1).kind, 'consent_withdrawn');
	assert.equal(res.json.sent.contact?.email, 'ada@example.org',
	    'their own copy still shows what they sent');
	res = conforms(await apiAct('withdraw', body), 409);
	assert.equal(errorCode(res), 'already_withdrawn');
	res = conforms(await apiAct('appeal', { receipt_code: code,
	    text: 'Nothing was decided yet.' }), 409);
	assert.equal(errorCode(res), 'not_possible');
	assert.equal(await messages(), 1, 'the refusals changed nothing');

	// Decided, then appealed too late.
	await done(a, f.reference, 'take');
	await done(a, f.reference, 'triage', { category: 'privacy.consent',
	    priority: 2, queue: null });
	await done(a, f.reference, 'investigate');
	await done(a, f.reference, 'decide', DECISION);
	res = conforms(await track(code), 200);
	assert.equal(res.json.can_appeal, true);
	assert.equal(res.json.can_reply, true);
	await sdb.query(`UPDATE case_decisions SET released_at = now() -
	    interval '6 months 1 day' WHERE case_id = (SELECT id FROM cases
	    WHERE reference = $1)`, [f.reference]);
	res = conforms(await apiAct('appeal', { receipt_code: code,
	    text: 'Too late?' }), 409);
	assert.equal(errorCode(res), 'too_late');
	await done(a, f.reference, 'close');
	res = conforms(await apiAct('reply', { receipt_code: code,
	    text: 'After closing.' }), 409);
	assert.equal(errorCode(res), 'not_possible');
	assert.equal(await messages(), 1);
});

test('POST /api/v1/track/{reply,appeal,withdraw}: 400, 411, 413, 415, 422, ' +
    '404 and 429 as for a lookup, and nothing is changed', async () => {
	assert.ok(filed, 'the 201 test filed nothing');
	const code = filed.receipt_code;
	const good = { reply: { receipt_code: code, text: 'More detail.' },
	    appeal: { receipt_code: code, text: 'I disagree.' },
	    withdraw: { receipt_code: code, consent: 'demographics' },
	    erase: { receipt_code: code, confirm: true } };
	const memberOf = { reply: 'text', appeal: 'text',
	    withdraw: 'consent', erase: 'confirm' };
	const badValues = { withdraw: [42, '', 'everything', 'Contact'],
	    erase: [false, 'yes', 1, null] };
	const before = conforms(await track(code), 200).json;
	for (const verb of Object.keys(good)) {
		const member = memberOf[verb];
		for (const b of ['{"receipt_code":', '[]', '']) {
			const res = conforms(await send('POST', actPath(verb),
			    { body: b, headers: { 'content-type':
			    'application/json' } }), 400);
			assert.equal(errorCode(res), 'malformed_json');
		}
		conforms(await apiAct(verb, good[verb], { chunked: true }), 411);
		// A reply may carry files: its limit is a complaint's.
		conforms(await apiAct(verb, { ...good[verb],
		    [member]: 'x'.repeat(verb === 'reply' ? 15 * 1024 * 1024 + 1 :
		    193 * 1024) }), 413);
		conforms(await apiAct(verb, good[verb], { headers:
		    { 'content-type': 'text/plain' } }), 415);
		const values = badValues[verb] ?? [42, '', ' \r\n\t',
		    'a\u0000b', 'é'.repeat(10001)];
		const bad = [
			[{}, ['receipt_code', member]],
			[{ ...good[verb], receipt_code: code.slice(1) },
			    ['receipt_code']],
			[{ receipt_code: code }, [member]],
			[{ ...good[verb], extra: true }, ['extra']],
			...values.map((v) => [{ ...good[verb], [member]: v },
			    [member]]),
		];
		for (const [body, fields] of bad) {
			refuses(actSchema(verb), body, `this ${verb}`);
			const res = conforms(await apiAct(verb, body), 422);
			assert.equal(errorCode(res), 'invalid');
			assert.deepEqual(Object.keys(res.json.error.fields).sort(),
			    fields.sort(), `${verb} ${JSON.stringify(body)
			    .slice(0, 80)}`);
		}
		const res = conforms(await apiAct(verb, { ...good[verb],
		    receipt_code: '0000-0000-0000-0000-0000-0000' }), 404);
		assert.equal(errorCode(res), 'not_found');
	}
	// The longest text allowed is taken, counted in characters.
	const long = 'é'.repeat(10000);
	const res = conforms(await apiAct('reply', { receipt_code: code,
	    text: long }), 200);
	assert.equal(res.json.messages.at(-1).text, long);
	const after = conforms(await track(code), 200).json;
	assert.deepEqual(after.consents, before.consents);
	assert.equal(after.messages.length, before.messages.length + 1);

	// A client out of lookups may not act either.
	const ip = randomIp();
	let misses = 0;
	while (misses <= 2 * TRACK_LIMIT && (await track(
	    'ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ', { ip })).status === 404)
		misses++;
	for (const verb of Object.keys(good)) {
		const r = conforms(await apiAct(verb, good[verb], { ip }), 429);
		assert.equal(errorCode(r), 'too_many_requests');
	}
	const now = conforms(await track(code), 200).json;
	assert.deepEqual(now.consents, before.consents);
	assert.equal(now.erasure.requested_at, null, 'no erasure was asked');
});

test('undocumented methods and paths are refused with 404 or 405 on both ' +
    'sides, and Allow lists the documented methods', async () => {
	const ref = st.v?.reference ?? MISSING;
	const probes = [
		['public', 'GET', '/api/v1/complaints'],
		['public', 'PUT', '/api/v1/complaints'],
		['public', 'DELETE', '/api/v1/complaints'],
		['public', 'GET', '/api/v1/track'],
		['public', 'GET', '/api/v1/track/reply'],
		['public', 'PUT', '/api/v1/track/appeal'],
		['public', 'DELETE', '/api/v1/track/withdraw'],
		['public', 'GET', '/api/v1/track/erase'],
		['public', 'POST', '/api/v1/track/delete'],
		['review', 'POST', '/api/v1/track/reply'],
		['public', 'POST', '/api/v1/taxonomy'],
		['public', 'PATCH', '/api/v1/taxonomy'],
		['public', 'POST', '/api/v1/reports'],
		['review', 'GET', '/api/v1/reports'],
		['public', 'GET', '/api/v1/complaints/RC-2026-000001'],
		['public', 'GET', '/api/v1/taxonomy/'],
		['public', 'POST', '/api/v1/track/' + 'ABCD'],
		['public', 'GET', '/api/v1'], ['public', 'GET', '/api/v2/taxonomy'],
		// The staff API is not on the public side, nor the public
		// API in the back office.
		['public', 'GET', CASES], ['public', 'GET', casePath(ref)],
		['public', 'POST', `${casePath(ref)}/actions/take`],
		['review', 'POST', '/api/v1/complaints'],
		['review', 'POST', '/api/v1/track'],
		['review', 'GET', '/api/v1/taxonomy'],
		['review', 'POST', CASES], ['review', 'DELETE', CASES],
		['review', 'POST', casePath(ref)],
		['review', 'GET', `${casePath(ref)}/actions/take`],
		['review', 'POST', `${casePath(ref)}/actions/escalate`],
		['review', 'POST', `${casePath(ref)}/actions/`],
		['review', 'GET', `${casePath(ref)}/decisions`],
		['review', 'GET', '/api/v1/cases/RC-2026-1'],
		['review', 'GET', '/api/v1/cases/RC-2026-0000000000001'],
		['review', 'GET', `${CASES}/`], ['review', 'GET', '/api/v2/cases'],
		['public', 'POST', '/api/v1/openapi.yaml'],
		['review', 'DELETE', '/api/v1/openapi.yaml'],
	];
	// HEAD is GET without a body.
	const head = await send('HEAD', '/api/v1/taxonomy');
	assert.equal(head.status, 200);
	assert.equal(head.type, 'application/json');
	assert.equal(head.text, '');
	if (st.a?.token) {
		const list = await send('HEAD', CASES, { surface: 'review',
		    token: st.a.token });
		assert.deepEqual([list.status, list.type, list.text],
		    [200, 'application/json', '']);
		const anon = await send('HEAD', CASES, { surface: 'review' });
		assert.deepEqual([anon.status, anon.text], [401, '']);
	}
	// The probes are answered on both sides.
	for (const surface of ['public', 'review'])
		conforms(await send('GET', '/healthz', { surface }), 200);
	await probe(probes);
});

test('Allow on the staff paths lists exactly the methods they take',
    async () => {
	const ref = st.v?.reference ?? MISSING;
	await probe([
		['review', 'PUT', casePath(ref)],
		['review', 'DELETE', casePath(ref)],
		['review', 'PUT', `${casePath(ref)}/actions/close`],
		['review', 'PATCH', `${casePath(ref)}/actions/take`],
	]);
});

test('every request the tests made was to a documented operation on its ' +
    'side, or was refused with 404 or 405', () => {
	assert.ok(seen.length > 50, `only ${seen.length} requests were made`);
	for (const { method, path, surface, status } of seen) {
		const op = operation(method === 'HEAD' ? 'GET' : method, path);
		if (!op || !surfacesOf(op.template).includes(surface))
			assert.ok([404, 405].includes(status), `${method} ${path} ` +
			    `(${surface}) answered ${status} but is not documented`);
	}
});

test('every documented operation and answer was exercised, except the ' +
    'ones that need the database down or a broken key', () => {
	const documented = [];
	const operations = [];
	for (const [path, item] of Object.entries(doc.paths)) {
		for (const method of METHODS.filter((m) => item[m])) {
			const m = method.toUpperCase();
			operations.push(`${m} ${path}`);
			for (const status of Object.keys(item[method].responses))
				documented.push(`${m} ${path} ${status}`);
		}
	}
	const used = new Set([...exercised].map((e) =>
	    e.split(' ').slice(0, 2).join(' ')));
	assert.deepEqual(operations.filter((o) => !used.has(o)), [],
	    'documented operations that were never called');
	for (const u of UNREACHABLE)
		assert.ok(documented.includes(u), `${u} is not documented`);
	assert.deepEqual(documented.filter((d) => !exercised.has(d)).sort(),
	    [...UNREACHABLE].sort(), 'documented answers never provoked');
});
