// Checks docs/openapi.yaml against the running server: every answer the tests
// provoke must match the documented status, headers and schema, and every
// documented operation must be provoked.

import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, test } from 'node:test';

import Ajv2020 from 'ajv/dist/2020.js';
import pg from 'pg';
import YAML from 'yaml';

const BASE = process.env.RECOURSE_URL;
const DOC_ID = 'https://recourse.invalid/docs/openapi.json';
const TRACK_LIMIT = Number(process.env.RECOURSE_TRACK_LIMIT ?? 10);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch',
    'trace'];

// Documented answers that cannot be provoked while the database is up, or
// without breaking the server: each is still checked to be documented.
const UNREACHABLE = [
	'POST /api/v1/complaints 500', 'POST /api/v1/complaints 503',
	'POST /api/v1/track 500', 'POST /api/v1/track 503',
	'GET /api/v1/taxonomy 500', 'GET /api/v1/taxonomy 503',
	'GET /readyz 503',
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
const KEY_SCHEMA = '/components/parameters/IdempotencyKey/schema';

/* ---- requests ---- */

const seen = [];		// { method, path, status } of every request
const exercised = new Set();	// 'METHOD path status' checked against the doc

const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/*
 * One request on its own connection.  'json' is serialised with a JSON
 * content type unless headers say otherwise (a header set to undefined is
 * not sent); 'chunked' sends the body without a Content-Length.
 */
function send(method, path, { json, body, headers = {}, chunked = false,
    ip = randomIp() } = {}) {
	let payload = null;
	const h = { 'x-real-ip': ip };

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
		const req = http.request(new URL(path, BASE), { method,
		    headers: h, agent: false }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString();
				const type = (res.headers['content-type'] ?? '')
				    .split(';')[0].trim().toLowerCase();
				let parsed;
				if (type === 'application/json' && text !== '')
					parsed = JSON.parse(text);
				const r = { method, path, status: res.statusCode,
				    headers: res.headers, type, text, json: parsed };
				seen.push({ method, path, status: r.status });
				resolve(r);
			});
		});
		req.on('error', reject);
		req.end(payload ?? undefined);
	});
}

/*
 * Asserts that the answer is documented for its path, method and status,
 * with the documented media type, body schema and headers.
 */
function conforms(res, expectStatus) {
	const what = `${res.method} ${res.path} → ${res.status}`;
	if (expectStatus !== undefined)
		assert.equal(res.status, expectStatus, `${what}: ${res.text}`);
	const op = opPointer(res.path, res.method);
	assert.ok(at(op), `${res.method} ${res.path} is not documented`);
	const { node: response, pointer } = deref(`${op}/responses/${res.status}`);
	assert.ok(response, `${what} is not a documented answer: ${res.text}`);

	if (response.content) {
		assert.ok(Object.hasOwn(response.content, res.type),
		    `${what}: content type "${res.type}" is not one of ` +
		    Object.keys(response.content).join(', '));
		if (res.method !== 'HEAD')
			check(`${pointer}/content/${esc(res.type)}/schema`,
			    res.json, `${what} body`);
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
	exercised.add(`${res.method} ${res.path} ${res.status}`);
	return res;
}

const complaint = (json, key = randomUUID(), extra = {}) =>
    send('POST', '/api/v1/complaints', { json, headers:
    { 'idempotency-key': key, ...extra } });
const track = (code, opts = {}) => send('POST', '/api/v1/track',
    { json: { receipt_code: code }, ...opts });

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
	    user: 'recourse' });
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

test('POST /api/v1/complaints: 413 for a body over 192 KiB', async () => {
	const res = conforms(await complaint({ ...MINIMAL,
	    description: 'x'.repeat(193 * 1024) }), 413);
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
		    ['receipt_code']);
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

/* ---- coverage ---- */

test('undocumented methods and paths under /api/v1 are refused with 404 or ' +
    '405, and Allow lists the documented methods', async () => {
	const probes = [
		['GET', '/api/v1/complaints'], ['PUT', '/api/v1/complaints'],
		['DELETE', '/api/v1/complaints'], ['GET', '/api/v1/track'],
		['POST', '/api/v1/taxonomy'], ['PATCH', '/api/v1/taxonomy'],
		['GET', '/api/v1/complaints/RC-2026-000001'],
		['GET', '/api/v1/cases'], ['GET', '/api/v1/taxonomy/'],
		['POST', '/api/v1/track/' + 'ABCD'], ['GET', '/api/v1'],
		['GET', '/api/v2/taxonomy'],
	];
	for (const [method, path] of probes) {
		const res = await send(method, path);
		const what = `${method} ${path} → ${res.status}`;
		assert.equal(at(opPointer(path, method)), undefined,
		    `${method} ${path} is documented; probe something else`);
		assert.ok([404, 405].includes(res.status), what);
		assert.equal(res.type, 'application/json', what);
		check('/components/schemas/Error', res.json, what);
		assert.equal(errorCode(res), res.status === 404 ? 'not_found' :
		    'method_not_allowed', what);
		if (res.status === 405) {
			const item = doc.paths[path] ?? {};
			const documented = METHODS.filter((m) => item[m])
			    .map((m) => m.toUpperCase());
			if (documented.includes('GET'))
				documented.push('HEAD');
			const allow = (res.headers.allow ?? '').split(',')
			    .map((m) => m.trim()).filter(Boolean);
			assert.deepEqual(allow.sort(), documented.sort(), what);
		} else
			assert.equal(doc.paths[path], undefined, `${what}, yet ` +
			    'the path is documented');
	}
	// HEAD is GET without a body.
	const head = await send('HEAD', '/api/v1/taxonomy');
	assert.equal(head.status, 200);
	assert.equal(head.type, 'application/json');
	assert.equal(head.text, '');
});

test('every request the tests made was to a documented operation, or was ' +
    'refused with 404 or 405', () => {
	assert.ok(seen.length > 50, `only ${seen.length} requests were made`);
	for (const { method, path, status } of seen) {
		const documented = at(opPointer(path, method)) ??
		    (method === 'HEAD' ? at(opPointer(path, 'GET')) : undefined);
		if (!documented)
			assert.ok([404, 405].includes(status), `${method} ${path} ` +
			    `answered ${status} but is not documented`);
	}
});

test('every documented operation and answer was exercised, except the ' +
    'ones that need the database down', () => {
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
