// The staff JSON API end to end: tokens made on the account page (shown once, stored only as a hash, revocable, never a session, never accepted by the pages), the same visibility, validation and workflow rules as the case pages, and a case worked entirely through the API, checked in the database after each step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import pg from 'pg';
import { dbConfig, dumpText, dumpHas, SCHEDULER_COLUMNS }
    from '../lib/db.mjs';
import { fileComplaint, postTrack, marker } from '../lib/client.mjs';
import { staffUser, reviewRequest, form, createToken as makeToken }
    from '../lib/staff.mjs';
import { barBrand } from '../lib/fixtures.mjs';
import { parseHtml } from '../lib/html.mjs';
import { sodium } from '../lib/vault.mjs';

// A reference of the right shape that no case has.
const MISSING = 'RC-2099-999999';
const TOKEN_RE = /^[0-9a-f]{64}$/;

const k = {};		// people, tokens and cases shared by the tests
let db;

async function tokenHashHex(token) {
	const s = await sodium();
	return Buffer.from(s.crypto_generichash(32,
	    new TextEncoder().encode(token))).toString('hex');
}

// POST /review/account/tokens as 'user' (the page's form, with password
// and a fresh code); the token the page shows, if any.
async function createToken(user, label = 'staff-api test', { csrf = true,
    cookie = user.cookie, headers } = {}) {
	return makeToken(user, { label, csrf, cookie, headers });
}

async function newToken(user, label) {
	const { res, token } = await createToken(user, label);
	assert.equal(res.status, 201, `token for ${user.login}: ${res.status}`);
	assert.match(token ?? '', TOKEN_RE);
	return token;
}

async function revoke(user, id) {
	return reviewRequest('/review/account/tokens/revoke', { method: 'POST',
	    cookie: user.cookie, body: form({ csrf: user.csrf, id }) });
}

// A request to the staff API; 'token' null sends no Authorization.
async function api(token, path, { method = 'GET', json, body, headers = {},
    cookie } = {}) {
	const h = { ...headers };
	if (token)
		h.authorization = `Bearer ${token}`;
	if (json !== undefined) {
		h['content-type'] = 'application/json';
		body = JSON.stringify(json);
	}
	const res = await reviewRequest(path, { method, headers: h, body,
	    cookie });
	try {
		res.json = JSON.parse(res.text);
	} catch {
		res.json = undefined;
	}
	return res;
}

const listCases = (token, query = '') => api(token, `/api/v1/cases${query}`);
const getCase = (token, ref) => api(token, `/api/v1/cases/${ref}`);
const act = (token, ref, verb, json = {}) =>
    api(token, `/api/v1/cases/${ref}/actions/${verb}`, { method: 'POST',
    json });
const refs = (res) => res.json.cases.map((c) => c.reference);
const short = (res) => `${res.status} ${res.text.slice(0, 200)}`;

async function ok(who, ref, verb, json = {}) {
	const res = await act(who.token, ref, verb, json);
	assert.equal(res.status, 200, `${verb}: ${short(res)}`);
	assert.deepEqual(res.json, { outcome: 'ok', reference: ref });
}

function assertUnauthenticated(res, what) {
	assert.equal(res.status, 401, `${what}: ${short(res)}`);
	assert.equal(res.json?.error?.code, 'unauthenticated', what);
	assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer\b/,
	    what);
}

// The case row as JSON and the counts of what hangs off it: a refused
// request must leave all of it alone.
async function snapshot(ref) {
	// Less the columns the SLA scheduler may rewrite at any moment.
	const r = await db.query(`SELECT to_jsonb(c) - $2::text[] AS "case",
	      (SELECT count(*) FROM case_events e WHERE e.case_id = c.id)::int
	          AS events,
	      (SELECT count(*) FROM case_messages m WHERE m.case_id = c.id)::int
	          AS messages,
	      (SELECT count(*) FROM case_decisions d
	          WHERE d.case_id = c.id)::int AS decisions,
	      (SELECT count(*) FROM audit_events a
	          WHERE a.object = 'case:' || c.reference
	            AND a.action <> 'case.read'
	            AND a.action NOT LIKE 'refused.%')::int AS actions
	    FROM cases c WHERE c.reference = $1`, [ref, SCHEDULER_COLUMNS]);
	assert.equal(r.rows.length, 1, `no case ${ref}`);
	return r.rows[0];
}

async function unchanged(ref, label, fn) {
	const before = await snapshot(ref);
	const res = await fn();
	assert.deepEqual(await snapshot(ref), before,
	    `${label}: the case changed (${short(res)})`);
	return res;
}

async function caseRow(ref) {
	const r = await db.query('SELECT * FROM cases WHERE reference = $1',
	    [ref]);
	return r.rows[0];
}

async function tokenRows(accountId) {
	const r = await db.query('SELECT id, label, encode(token_hash, \'hex\') ' +
	    'AS hash, created_at, last_used_at, revoked_at FROM api_tokens ' +
	    'WHERE account_id = $1 ORDER BY id', [accountId]);
	return r.rows;
}

const filed = [];	// every case the tests file, closed at the end

async function file(over = {}, opts = {}) {
	const c = await fileComplaint(over, opts);
	assert.equal(c.res.status, 201, `complaint: ${c.res.status}`);
	assert.ok(c.reference && c.code, 'no receipt');
	filed.push(c.reference);
	return c;
}

before(async () => {
	db = new pg.Client(dbConfig());
	await db.connect();
	k.brand = `Staff API Brand ${crypto.randomBytes(4).toString('hex')}`;
	const [a, b, outsider, barred, sup, holder, other] = await Promise.all([
		staffUser({ name: 'Api Reviewer A', queues: ['general'] }),
		staffUser({ name: 'Api Reviewer B', queues: ['general'] }),
		staffUser({ name: 'Api Outsider', queues: ['security'] }),
		staffUser({ name: 'Api Barred', queues: ['general'] }),
		staffUser({ name: 'Api Supervisor', roles: ['supervisor'],
		    queues: [] }),
		staffUser({ name: 'Api Token Holder', queues: ['general'] }),
		staffUser({ name: 'Api Other Holder', queues: ['general'] }),
	]);
	await barBrand(barred.id, `  ${k.brand.toUpperCase()} `);
	for (const u of [a, b, outsider, barred, sup])
		u.token = await newToken(u, `staff-api ${u.login}`);
	Object.assign(k, { a, b, outsider, barred, sup, holder, other });
});

after(async () => {
	// No open case is left behind: later test files read the first page
	// of the work list.
	if (db && filed.length) {
		await db.query("UPDATE cases SET state = 'rejected' WHERE " +
		    "reference = ANY ($1) AND state IN ('received', 'triaged', " +
		    "'investigating', 'awaiting_complainant')", [filed]);
		await db.query("UPDATE cases SET state = 'closed', " +
		    "assignee = NULL WHERE reference = ANY ($1) " +
		    "AND state IN ('rejected', 'decided')", [filed]);
	}
	await db?.end();
});

/* ---- tokens ---- */

test('a token is shown once, on the page that makes it; only its hash is ' +
    'stored', async () => {
	const u = k.holder;
	const label = 'Nightly export script';
	const made = await createToken(u, label);
	assert.equal(made.res.status, 201, short(made.res));
	assert.match(made.token ?? '', TOKEN_RE);
	assert.ok(made.res.text.includes(label), 'the label is listed');
	const token = made.token;

	// Not again: the account page lists the token but never shows it.
	const page = await reviewRequest('/review/account', { cookie: u.cookie });
	assert.equal(page.status, 200);
	assert.equal(parseHtml(page.text).querySelector('#new-token'), null);
	assert.ok(!page.text.includes(token), 'the token is shown again');
	assert.ok(page.text.includes(label));
	const second = await newToken(u, 'Second token');
	assert.notEqual(second, token);
	k.holderToken = token;
	k.holderSecond = second;

	// In the database: the BLAKE2b-256 hash, never the token.
	const rows = await tokenRows(u.id);
	assert.deepEqual(rows.map((r) => r.label), [label, 'Second token']);
	assert.equal(rows[0].hash, await tokenHashHex(token));
	assert.equal(rows[1].hash, await tokenHashHex(second));
	assert.equal(rows[0].revoked_at, null);
	assert.equal(rows[0].last_used_at, null);
	const dump = await dumpText();
	assert.ok(dump.tables.includes('api_tokens'));
	for (const t of [token, second]) {
		assert.ok(!dumpHas(dump.text, t), 'a token is in the database');
		assert.ok(!dumpHas(dump.text, t.toUpperCase()));
	}
	const audit = await db.query("SELECT actor FROM audit_events WHERE " +
	    "action = 'api_token.create' AND object = $1",
	    [`api_token:${rows[0].id}`]);
	assert.deepEqual(audit.rows.map((r) => r.actor), [`staff:${u.id}`]);

	// It works, as its holder, and its use is noted.
	const res = await listCases(token);
	assert.equal(res.status, 200, short(res));
	assert.ok(Array.isArray(res.json.cases));
	assert.notEqual((await tokenRows(u.id))[0].last_used_at, null);
});

test('making a token takes the session and its CSRF token, and a label',
    async () => {
	const u = k.other;
	const count = async () => (await tokenRows(u.id)).length;
	const before = await count();
	const noCsrf = await createToken(u, 'no csrf', { csrf: false });
	assert.equal(noCsrf.res.status, 403, short(noCsrf.res));
	assert.equal(noCsrf.token, null);
	// A token cannot make tokens: the pages want the session cookie.
	const byToken = await createToken(u, 'by token', { cookie: null,
	    headers: { authorization: `Bearer ${k.a.token}` } });
	assert.equal(byToken.res.status, 401, short(byToken.res));
	assert.equal(byToken.token, null);
	assert.equal((await tokenRows(k.a.id)).length, 1);
	const bad = [];
	for (const label of ['', 'x'.repeat(101)]) {
		const res = await createToken(u, label);
		assert.equal(res.token, null);
		assert.match(res.res.text, /Name the token/);
		bad.push(res.res.status);
	}
	assert.equal(await count(), before);
	assert.deepEqual(bad, [422, 422], 'a label refused is 422');
});

test('a revoked token is refused at once; a made-up or malformed one too',
    async () => {
	assert.ok(k.holderToken, 'the first token test failed');
	const u = k.holder;
	const [first] = await tokenRows(u.id);
	const ref = (await file()).reference;

	// Someone else cannot revoke it.
	const foreign = await revoke(k.other, first.id);
	assert.equal(foreign.status, 404, short(foreign));
	assert.equal((await listCases(k.holderToken)).status, 200);

	const res = await revoke(u, first.id);
	assert.equal(res.status, 200, short(res));
	assert.match(parseHtml(res.text).querySelector('main').text, /Revoked/);
	const rows = await tokenRows(u.id);
	assert.notEqual(rows[0].revoked_at, null);
	assert.equal(rows[1].revoked_at, null);
	const audit = await db.query("SELECT actor FROM audit_events WHERE " +
	    "action = 'api_token.revoke' AND object = $1",
	    [`api_token:${first.id}`]);
	assert.deepEqual(audit.rows.map((r) => r.actor), [`staff:${u.id}`]);
	assert.equal((await revoke(u, first.id)).status, 404, 'revoked twice');

	assertUnauthenticated(await listCases(k.holderToken), 'revoked: list');
	assertUnauthenticated(await getCase(k.holderToken, ref),
	    'revoked: case');
	await unchanged(ref, 'revoked: take', async () => {
		const r = await act(k.holderToken, ref, 'take');
		assertUnauthenticated(r, 'revoked: take');
		return r;
	});
	// Revocation is per token.
	assert.equal((await listCases(k.holderSecond)).status, 200);

	assertUnauthenticated(await listCases(null), 'no Authorization');
	const madeUp = crypto.randomBytes(32).toString('hex');
	for (const [name, header] of [
	    ['made up', `Bearer ${madeUp}`],
	    ['upper case', `Bearer ${k.holderSecond.toUpperCase()}`],
	    ['too short', `Bearer ${k.holderSecond.slice(1)}`],
	    ['too long', `Bearer ${k.holderSecond}0`],
	    ['another scheme', `Basic ${k.holderSecond}`],
	    ['no scheme', k.holderSecond]]) {
		const res2 = await api(null, '/api/v1/cases',
		    { headers: { authorization: header } });
		assertUnauthenticated(res2, name);
		assert.equal(res2.json.cases, undefined);
	}
});

test('an account that is deactivated has its tokens refused', async () => {
	assert.ok(k.holderSecond, 'the first token test failed');
	const u = k.holder;
	assert.equal((await listCases(k.holderSecond)).status, 200);
	await db.query('UPDATE staff_accounts SET active = false WHERE id = $1',
	    [u.id]);
	try {
		assertUnauthenticated(await listCases(k.holderSecond),
		    'deactivated');
	} finally {
		await db.query('UPDATE staff_accounts SET active = true ' +
		    'WHERE id = $1', [u.id]);
	}
});

test('the API takes no session cookie, and the pages take no token',
    async () => {
	const { a } = k;
	const ref = (await file()).reference;

	// The session cookie of a logged-in reviewer, without a token.
	for (const [what, fn] of [
	    ['list', () => api(null, '/api/v1/cases', { cookie: a.cookie })],
	    ['case', () => api(null, `/api/v1/cases/${ref}`,
	        { cookie: a.cookie })],
	    ['take', () => api(null, `/api/v1/cases/${ref}/actions/take`,
	        { method: 'POST', json: {}, cookie: a.cookie })]]) {
		const res = await unchanged(ref, `cookie ${what}`, fn);
		assertUnauthenticated(res, `cookie on the API: ${what}`);
	}

	// A valid token on the pages: as if logged out.
	const bearer = { authorization: `Bearer ${a.token}` };
	for (const path of ['/review', `/review/cases/${ref}`,
	    '/review/account']) {
		const res = await reviewRequest(path, { headers: bearer });
		assert.equal(res.status, 303, `${path}: ${short(res)}`);
		assert.equal(res.headers.get('location'), '/review/login', path);
	}
	const post = await unchanged(ref, 'token on the take form', () =>
	    reviewRequest(`/review/cases/${ref}/take`, { method: 'POST',
	    headers: bearer, body: form({ csrf: a.csrf }) }));
	assert.equal(post.status, 401, short(post));
	assert.match(post.headers.get('content-type'), /^text\/html/);
	// The token still works where it belongs.
	assert.equal((await getCase(a.token, ref)).status, 200);
});

/* ---- the same rules as the pages ---- */

test('the API shows a case only to those who may see it; 404 is the same ' +
    'for a hidden case as for a missing one', async () => {
	const c = await file({ brand: k.brand });
	const ref = c.reference;
	assert.equal((await caseRow(ref)).queue, 'general');

	for (const who of [k.outsider, k.barred]) {
		const none = await getCase(who.token, MISSING);
		assert.equal(none.status, 404, short(none));
		const res = await unchanged(ref, `${who.login} GET`, () =>
		    getCase(who.token, ref));
		assert.equal(res.status, 404, short(res));
		assert.equal(res.text, none.text, 'differs from a missing case');
		assert.ok(!res.text.includes(ref));
		for (const [verb, json] of [['take', {}],
		    ['note', { text: 'A note.' }]]) {
			const hidden = await unchanged(ref, `${who.login} ${verb}`,
			    () => act(who.token, ref, verb, json));
			const missing = await act(who.token, MISSING, verb, json);
			assert.equal(hidden.status, 404, short(hidden));
			assert.equal(hidden.text, missing.text, verb);
		}
		const list = await listCases(who.token);
		assert.equal(list.status, 200);
		assert.ok(!refs(list).includes(ref), `${who.login}: listed`);
		const byBrand = await listCases(who.token, '?brand=' +
		    encodeURIComponent(k.brand));
		assert.deepEqual(refs(byBrand), [], `${who.login}: by brand`);
	}
	for (const who of [k.a, k.sup]) {
		assert.equal((await getCase(who.token, ref)).status, 200);
		assert.ok(refs(await listCases(who.token, '?brand=' +
		    encodeURIComponent(k.brand))).includes(ref), who.login);
	}
});

test('the API refuses what the forms refuse: 422 naming the field, and ' +
    'nothing changes', async () => {
	const ref = (await file()).reference;
	await ok(k.a, ref, 'take');
	const decision = { outcome: 'upheld', remedies: ['apology'],
	    automated: false, text: 'Reasons.' };
	const { automated: _, ...noAutomated } = decision;
	for (const [verb, json, field] of [
	    ['note', {}, 'text'],
	    ['note', { text: '   ' }, 'text'],
	    ['note', { text: 42 }, 'text'],
	    ['message', { text: 'x'.repeat(10001) }, 'text'],
	    ['triage', { category: 'privacy.consent', priority: '2' },
	        'priority'],
	    ['triage', { priority: 2 }, 'category'],
	    ['take', { assignee: k.a.id }, 'assignee'],
	    ['note', { text: 'A note.', Text: 'again' }, 'Text'],
	    ['decide', noAutomated, 'automated'],
	    ['decide', { ...decision, remedies: ['none', 'apology'] },
	        'remedies'],
	    ['link_duplicate', { original: 'RC-12' }, 'original']]) {
		const what = `${verb} ${JSON.stringify(json).slice(0, 60)}`;
		const res = await unchanged(ref, what, () =>
		    act(k.a.token, ref, verb, json));
		assert.equal(res.status, 422, `${what}: ${short(res)}`);
		assert.equal(res.json.error.code, 'invalid', what);
		assert.deepEqual(Object.keys(res.json.error.fields ?? {}),
		    [field], what);
		assert.ok(res.json.error.fields[field].length > 0);
	}
});

test('the API keeps to the workflow: 409 for the wrong state or the wrong ' +
    'reviewer, 403 for a supervisor\'s action', async () => {
	const ref = (await file()).reference;
	const decision = { outcome: 'upheld', remedies: ['apology'],
	    automated: false, text: 'Reasons.' };
	// Not taken: only the assignee (or a supervisor) may act.
	let res = await unchanged(ref, 'decide untaken', () =>
	    act(k.a.token, ref, 'decide', decision));
	assert.equal(res.status, 409, short(res));
	assert.equal(res.json.error.code, 'not_assigned');
	await ok(k.a, ref, 'take');
	for (const [who, verb, json, status, code] of [
	    [k.a, 'decide', decision, 409, 'state'],
	    [k.a, 'close', {}, 409, 'state'],
	    [k.a, 'investigate', {}, 409, 'state'],
	    [k.b, 'take', {}, 409, 'not_assigned'],
	    [k.b, 'triage', { category: 'other', priority: 1 }, 409,
	        'not_assigned'],
	    [k.a, 'assign', { to: k.b.id }, 403, 'forbidden'],
	    [k.a, 'sign', {}, 403, 'forbidden']]) {
		res = await unchanged(ref, `${who.login} ${verb}`, () =>
		    act(who.token, ref, verb, json));
		assert.equal(res.status, status, `${verb}: ${short(res)}`);
		assert.equal(res.json.error.code, code, verb);
	}
	assert.equal((await caseRow(ref)).state, 'received');
});

/* ---- a case worked through the API ---- */

test('a case worked entirely through the API: take, triage, investigate, ' +
    'message, decide, close, each checked in the database', async () => {
	const { a } = k;
	const c = await file();
	const ref = c.reference;
	const id = (await caseRow(ref)).id;
	const texts = {
		message: `We are looking into the advert. ${marker('S')}`,
		reasons: `The consent was not valid; the advertiser fixed it. ${marker('X')}`,
	};
	const events = async () => (await db.query('SELECT kind, actor, ' +
	    'visible_to_complainant AS visible FROM case_events ' +
	    'WHERE case_id = $1 ORDER BY at, id', [id])).rows;
	const last = async () => (await events()).at(-1);
	const staffActor = `staff:${a.id}`;

	await ok(a, ref, 'take');
	let row = await caseRow(ref);
	assert.deepEqual([row.state, Number(row.assignee)], ['received', a.id]);
	assert.deepEqual(await last(), { kind: 'assigned', actor: staffActor,
	    visible: false });

	await ok(a, ref, 'triage', { category: 'manipulation.pressure',
	    priority: 1, queue: 'general' });
	row = await caseRow(ref);
	assert.deepEqual([row.state, row.category, row.priority, row.queue],
	    ['triaged', 'manipulation.pressure', 1, 'general']);
	// The clocks replace due_at: the case now names its clocks.
	const got = await getCase(a.token, ref);
	assert.equal(got.status, 200);
	assert.ok(Array.isArray(got.json.clocks));
	assert.equal('due_at' in got.json, false);
	assert.deepEqual(await last(), { kind: 'triaged', actor: staffActor,
	    visible: true });

	await ok(a, ref, 'investigate');
	assert.equal((await caseRow(ref)).state, 'investigating');
	assert.equal((await last()).kind, 'investigating');

	await ok(a, ref, 'message', { text: texts.message });
	const msgs = await db.query('SELECT kind, author, body_box, ' +
	    'complainant_box FROM case_messages WHERE case_id = $1', [id]);
	assert.equal(msgs.rows.length, 1);
	assert.equal(msgs.rows[0].kind, 'to_complainant');
	assert.equal(Number(msgs.rows[0].author), a.id);
	assert.ok(msgs.rows[0].complainant_box, 'not sealed to the complainant');
	assert.equal((await caseRow(ref)).state, 'investigating');
	assert.deepEqual(await last(), { kind: 'message', actor: staffActor,
	    visible: true });
	let track = await postTrack(c.code);
	assert.ok(track.text.includes(texts.message),
	    'the complainant does not see the message');

	await ok(a, ref, 'decide', { outcome: 'upheld',
	    remedies: ['consent_fixed', 'apology'], automated: false,
	    text: texts.reasons });
	const dec = await db.query('SELECT outcome, remedies, automated, ' +
	    'decided_by, needs_signature, released_at, on_appeal ' +
	    'FROM case_decisions WHERE case_id = $1', [id]);
	assert.equal(dec.rows.length, 1);
	const d = dec.rows[0];
	assert.deepEqual([d.outcome, d.remedies, d.automated,
	    Number(d.decided_by), d.needs_signature, d.on_appeal],
	    ['upheld', ['consent_fixed', 'apology'], false, a.id, false, false]);
	assert.notEqual(d.released_at, null, 'priority 1: released at once');
	assert.equal((await caseRow(ref)).state, 'decided');
	assert.equal((await last()).kind, 'decided');
	track = await postTrack(c.code);
	assert.ok(track.text.includes(texts.reasons),
	    'the complainant does not see the reasons');

	await ok(a, ref, 'close');
	row = await caseRow(ref);
	assert.deepEqual([row.state, row.assignee], ['closed', null]);
	assert.deepEqual(await last(), { kind: 'closed', actor: staffActor,
	    visible: true });

	// Every action was audited as this reviewer's.
	const audit = await db.query("SELECT actor, action FROM audit_events " +
	    "WHERE object = $1 AND action <> 'case.read' ORDER BY id",
	    [`case:${ref}`]);
	assert.deepEqual(audit.rows.map((r) => r.action), ['case.assigned',
	    'case.triaged', 'case.investigating', 'case.message',
	    'case.decided', 'case.closed']);
	assert.ok(audit.rows.every((r) => r.actor === staffActor));

	// The API reads back what it wrote; the database holds none of it.
	const res = await getCase(k.sup.token, ref);
	assert.equal(res.status, 200, short(res));
	assert.deepEqual(res.json.messages.map((m) => [m.kind, m.body,
	    m.author]), [['to_complainant', texts.message, 'Api Reviewer A']]);
	assert.deepEqual(res.json.decisions.map((x) => [x.outcome, x.reasons]),
	    [['upheld', texts.reasons]]);
	assert.deepEqual(res.json.events.map((e) => e.kind), ['received',
	    'assigned', 'triaged', 'investigating', 'message', 'decided',
	    'closed']);
	const dump = await dumpText();
	for (const [name, t] of Object.entries(texts))
		assert.ok(!dumpHas(dump.text, t), `${name} stored in clear`);
});

test('GET gives the description as filed, and contact details only to the ' +
    'assignee or a supervisor, and only with consent', async () => {
	const { a, b, sup } = k;
	const description = `First line — café ✓\nsecond line, «quoted» ` +
	    marker('D');
	const c = await file({ description, contact_name: 'Robin Roe',
	    contact_email: 'robin@example.org', consent_contact: 'yes',
	    occurred_on: '2025-11-02', brand: 'Acme Widgets' }, { exact: true });
	const ref = c.reference;
	const contact = { name: 'Robin Roe', email: 'robin@example.org' };
	const read = async (who) => {
		const res = await getCase(who.token, ref);
		assert.equal(res.status, 200, short(res));
		assert.equal(res.headers.get('cache-control'), 'no-store');
		return res.json;
	};

	let got = await read(a);
	assert.equal(got.description, description);
	assert.deepEqual([got.category, got.channel, got.occurred_on,
	    got.brand, got.consents.contact], ['privacy.consent', 'social_ad',
	    '2025-11-02', 'Acme Widgets', true]);
	assert.ok(!('contact' in got), 'contact shown before anyone took it');
	assert.deepEqual((await read(sup)).contact, contact);

	await ok(a, ref, 'take');
	assert.deepEqual((await read(a)).contact, contact);
	assert.ok(!('contact' in await read(b)), 'contact shown to B');
	await ok(sup, ref, 'assign', { to: b.id });
	assert.deepEqual((await read(b)).contact, contact);
	assert.ok(!('contact' in await read(a)), 'contact still shown to A');
	assert.ok(!JSON.stringify(await read(a)).includes('robin@'));

	// A name given without consent to contact is never shown.
	const n = await file({ contact_name: 'Kim Private' });
	await ok(a, n.reference, 'take');
	for (const who of [a, sup]) {
		got = (await getCase(who.token, n.reference)).json;
		assert.equal(got.consents.contact, false);
		assert.ok(!('contact' in got), `contact without consent (${who.login})`);
		assert.ok(!JSON.stringify(got).includes('Kim Private'));
	}
	k.contactCase = ref;
});

test('every read of a case is in the audit log, saying whether contact ' +
    'details were shown', async () => {
	assert.ok(k.contactCase, 'the contact test failed');
	const r = await db.query("SELECT actor, detail FROM audit_events WHERE " +
	    "action = 'case.read' AND object = $1 ORDER BY id",
	    [`case:${k.contactCase}`]);
	const [a, b, sup] = [k.a, k.b, k.sup].map((u) => `staff:${u.id}`);
	assert.deepEqual(r.rows.map((x) => x.actor),
	    [a, sup, a, b, b, a, a]);
	assert.deepEqual(r.rows.map((x) => x.detail.contact),
	    [false, true, true, false, true, false, false]);
});

test('a work-list page key that is no real instant is refused with 422, ' +
    'not a server error', async () => {
	for (const after of ['2026-13-45T99:99:99.000000Z~1~1',
	    '2026-02-30T10:00:00.000000Z~2~7']) {
		const res = await listCases(k.a.token,
		    `?after=${encodeURIComponent(after)}`);
		assert.equal(res.status, 422, `${after}: ${short(res)}`);
		assert.deepEqual(Object.keys(res.json.error.fields ?? {}),
		    ['after'], after);
	}
});
