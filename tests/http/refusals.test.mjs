// Refused attempts by identified staff are in the audit chain, one row per refused request (who, what, when; no case content): cases out of reach or missing, refused actions, forged CSRF tokens, refused API tokens and pages for another role; nobody unidentified writes a row; the chain still verifies; a supervisor sees the counts per account and each account's rows, a reviewer does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import pg from 'pg';
import { dbConfig } from '../lib/db.mjs';
import { fileComplaint } from '../lib/client.mjs';
import { staffUser, forgeAct, reviewRequest, form } from '../lib/staff.mjs';
import { barBrand } from '../lib/fixtures.mjs';
import { parseHtml } from '../lib/html.mjs';
import { sodium } from '../lib/vault.mjs';

const MISSING = 'RC-2099-999998';
const k = {};
let db;

async function mark() {
	return (await db.query('SELECT coalesce(max(id), 0)::bigint AS id ' +
	    'FROM audit_events')).rows[0].id;
}

async function rowsSince(from) {
	return (await db.query('SELECT id, actor, action, object, detail, ' +
	    'to_jsonb(e)::text AS whole FROM audit_events e WHERE id > $1 ' +
	    'AND action LIKE \'refused.%\' ORDER BY id', [from])).rows;
}

// The refusal rows a request wrote.  The back office writes them just
// behind its answer, all of one request in one statement: wait until the
// first is there (then all of them are).
async function refusalsOf(fn) {
	const from = await mark();
	const res = await fn();
	const until = Date.now() + 5000;
	let rows;
	while ((rows = await rowsSince(from)).length === 0 && Date.now() < until)
		await new Promise((r) => setTimeout(r, 20));
	return { res, rows };
}

// Exactly one row, by 'user', with this action, object and detail; and
// nothing of the case's content (description, brand) in it.
function one(rows, user, action, object, detail) {
	assert.deepEqual(rows.map((r) => [r.actor, r.action, r.object]),
	    [[`staff:${user.id}`, action, object]]);
	assert.deepEqual(rows[0].detail, detail);
	for (const c of [k.hidden, k.visible])
		for (const secret of [c.fields.description, c.fields.brand])
			assert.ok(!rows[0].whole.includes(secret),
			    'case content in the audit row');
}

async function tokenFor(user) {
	const token = crypto.randomBytes(32).toString('hex');
	const s = await sodium();
	const hash = Buffer.from(s.crypto_generichash(32,
	    new TextEncoder().encode(token)));
	const r = await db.query('INSERT INTO api_tokens (account_id, ' +
	    'token_hash, label) VALUES ($1, $2, \'refusals test\') ' +
	    'RETURNING id', [user.id, hash]);
	return { token, id: Number(r.rows[0].id) };
}

function api(token, path, { json } = {}) {
	const method = json === undefined ? 'GET' : 'POST';
	const headers = { authorization: `Bearer ${token}` };
	if (json !== undefined)
		headers['content-type'] = 'application/json';
	return reviewRequest(path, { method, headers,
	    body: json === undefined ? undefined : JSON.stringify(json) });
}

before(async () => {
	db = new pg.Client(dbConfig());
	await db.connect();
	const brand = `Refusal Brand ${crypto.randomBytes(4).toString('hex')}`;
	const [hidden, visible, reviewer, supervisor] = await Promise.all([
		fileComplaint({ brand }),
		fileComplaint(),
		staffUser({ name: 'Curious Reviewer', queues: ['general'] }),
		staffUser({ name: 'Refusal Supervisor', roles: ['supervisor'],
		    queues: [] }),
	]);
	assert.ok(hidden.reference && visible.reference);
	await barBrand(reviewer.id, brand);
	Object.assign(k, { hidden, visible, reviewer, supervisor });
	k.token = await tokenFor(reviewer);
});

after(async () => {
	await db?.end();
});

test('a case out of reach, or missing, opened on the page or through the API: one case_read row each; the 404s are alike', async () => {
	const r = k.reviewer;
	const page = await refusalsOf(() => reviewRequest(
	    `/review/cases/${k.hidden.reference}`, { cookie: r.cookie }));
	assert.equal(page.res.status, 404);
	one(page.rows, r, 'refused.case_read', `case:${k.hidden.reference}`,
	    { reason: 'not_found', case_exists: true });

	const none = await refusalsOf(() => reviewRequest(
	    `/review/cases/${MISSING}`, { cookie: r.cookie }));
	assert.equal(none.res.status, 404);
	assert.equal(none.res.text, page.res.text, 'the 404s differ');
	one(none.rows, r, 'refused.case_read', `case:${MISSING}`,
	    { reason: 'not_found', case_exists: false });

	const viaApi = await refusalsOf(() => api(k.token.token,
	    `/api/v1/cases/${k.hidden.reference}`));
	assert.equal(viaApi.res.status, 404);
	one(viaApi.rows, r, 'refused.case_read', `case:${k.hidden.reference}`,
	    { reason: 'not_found', case_exists: true });
});

test('refused actions: out of reach, not assigned, a supervisor\'s action; one case_action row each', async () => {
	const r = k.reviewer;
	const note = await refusalsOf(() => forgeAct(r, k.hidden.reference, 'note',
	    { text: 'Looking around.' }));
	assert.equal(note.res.status, 404);
	one(note.rows, r, 'refused.case_action', `case:${k.hidden.reference}`,
	    { verb: 'note', reason: 'not_found', case_exists: true });

	const close = await refusalsOf(() => api(k.token.token,
	    `/api/v1/cases/${k.visible.reference}/actions/close`, { json: {} }));
	assert.equal(close.res.status, 409);
	one(close.rows, r, 'refused.case_action', `case:${k.visible.reference}`,
	    { verb: 'close', reason: 'not_assigned', case_exists: true });

	const sign = await refusalsOf(() => forgeAct(r, k.visible.reference, 'sign'));
	assert.equal(sign.res.status, 403);
	one(sign.rows, r, 'refused.case_action', `case:${k.visible.reference}`,
	    { verb: 'sign', reason: 'forbidden', case_exists: true });
});

test('a back-office form with a forged or missing CSRF token: one csrf row', async () => {
	const r = k.reviewer;
	const path = `/review/cases/${k.visible.reference}/take`;
	const forged = r.csrf.slice(0, -1) + (r.csrf.endsWith('0') ? '1' : '0');
	const res = await refusalsOf(() => reviewRequest(path, { method: 'POST',
	    cookie: r.cookie, body: form({ csrf: forged }) }));
	assert.equal(res.res.status, 403);
	one(res.rows, r, 'refused.csrf', path, { reason: 'csrf_token' });
	const none = await refusalsOf(() => reviewRequest('/review/account/' +
	    'password', { method: 'POST', cookie: r.cookie,
	    body: form({ password: 'whatever it is' }) }));
	assert.equal(none.res.status, 403);
	one(none.rows, r, 'refused.csrf', '/review/account/password',
	    { reason: 'csrf_token' });
	const row = await db.query('SELECT assignee FROM cases ' +
	    'WHERE reference = $1', [k.visible.reference]);
	assert.equal(row.rows[0].assignee, null, 'the forged take was done');
});

test('pages for another role: one role row', async () => {
	const r = k.reviewer;
	const admin = await refusalsOf(() => reviewRequest('/admin/accounts',
	    { cookie: r.cookie }));
	assert.equal(admin.res.status, 403);
	one(admin.rows, r, 'refused.role', '/admin/accounts', { needs: 'admin' });
	const sup = await refusalsOf(() => reviewRequest('/review/refusals',
	    { cookie: r.cookie }));
	assert.equal(sup.res.status, 403, 'a reviewer sees the refusals page');
	assert.ok(!sup.res.text.includes('refusal-counts'));
	one(sup.rows, r, 'refused.role', '/review/refusals',
	    { needs: 'supervisor' });
});

test('a revoked API token is recorded against its account; an unknown token or no session writes nothing', async () => {
	const r = k.reviewer;
	const spent = await tokenFor(r);
	await db.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1',
	    [spent.id]);
	const revoked = await refusalsOf(() => api(spent.token, '/api/v1/cases'));
	assert.equal(revoked.res.status, 401);
	one(revoked.rows, r, 'refused.api_token', `api_token:${spent.id}`,
	    { reason: 'revoked' });

	// Anonymous attempts of every kind, then one refusal that is written:
	// between the two marks, only that one.
	const from = await mark();
	const unknown = crypto.randomBytes(32).toString('hex');
	for (const res of await Promise.all([
		api(unknown, '/api/v1/cases'),
		api(unknown, `/api/v1/cases/${k.hidden.reference}`),
		reviewRequest(`/review/cases/${k.hidden.reference}`),
		reviewRequest(`/review/cases/${k.hidden.reference}/take`,
		    { method: 'POST', body: form({ csrf: r.csrf }) }),
		reviewRequest(`/review/cases/${k.hidden.reference}`, { cookie:
		    `__Host-rc_staff=${crypto.randomBytes(32).toString('hex')}` }),
		reviewRequest('/admin/accounts'),
		reviewRequest('/review/refusals'),
	]))
		assert.ok([401, 303].includes(res.status), `got ${res.status}`);
	const last = await refusalsOf(() => reviewRequest(
	    `/review/cases/${MISSING}`, { cookie: r.cookie }));
	const all = (await db.query('SELECT actor, action FROM audit_events ' +
	    'WHERE id > $1 ORDER BY id', [from])).rows;
	assert.deepEqual(all, [{ actor: `staff:${r.id}`,
	    action: 'refused.case_read' }], 'an anonymous request wrote a row');
	assert.equal(last.rows.length, 1);
});

test('the supervisor sees the counts per account and each account\'s rows; the chain verifies', async () => {
	const s = k.supervisor;
	const expected = (await db.query('SELECT count(*)::int AS n FROM ' +
	    'audit_events WHERE actor = $1 AND action LIKE \'refused.%\'',
	    [`staff:${k.reviewer.id}`])).rows[0].n;
	assert.ok(expected >= 12, `only ${expected} refusals recorded`);

	// From the work list, the link in the navigation.
	const home = await reviewRequest('/review', { cookie: s.cookie });
	const link = parseHtml(home.text).querySelector(
	    'nav a[href="/review/refusals"]');
	assert.ok(link, 'no link to the refusals page');
	const res = await reviewRequest(link.getAttribute('href'),
	    { cookie: s.cookie });
	assert.equal(res.status, 200);
	const doc = parseHtml(res.text);
	const row = doc.querySelector(`#refusal-counts tr[data-account="` +
	    `${k.reviewer.id}"]`);
	assert.ok(row, 'the reviewer is not in the counts');
	assert.equal(row.querySelector('.day').text, String(expected));
	assert.equal(row.querySelector('.month').text, String(expected));
	assert.ok(!doc.querySelector(`#refusal-counts tr[data-account="` +
	    `${s.id}"]`), 'the supervisor refused nothing');

	const detail = await reviewRequest(row.querySelector('a')
	    .getAttribute('href'), { cookie: s.cookie });
	assert.equal(detail.status, 200);
	const rows = parseHtml(detail.text).querySelectorAll('#events tbody tr');
	assert.equal(rows.length, expected);
	const actions = new Set(rows.map((tr) =>
	    tr.querySelector('[data-action]').getAttribute('data-action')));
	assert.deepEqual([...actions].sort(), ['refused.api_token',
	    'refused.case_action', 'refused.case_read', 'refused.csrf',
	    'refused.role']);
	for (const c of [k.hidden, k.visible])
		assert.ok(!detail.text.includes(c.fields.description));

	const bad = await reviewRequest('/review/refusals?account=x1',
	    { cookie: s.cookie });
	assert.equal(bad.status, 400);
	const gone = await reviewRequest('/review/refusals?account=999999999',
	    { cookie: s.cookie });
	assert.equal(gone.status, 404);

	// Every refusal sealed into the chain, and the chain intact.
	const until = Date.now() + 10000;
	let n;
	while ((n = (await db.query('SELECT count(*)::int AS n FROM ' +
	    'audit_pending')).rows[0].n) > 0 && Date.now() < until)
		await new Promise((r) => setTimeout(r, 100));
	assert.equal(n, 0, 'events still unsealed');
	const cli = await new Promise((resolve) => execFile(
	    process.env.RECOURSE_ADMIN, ['verify-audit'], { env: process.env },
	    (err, stdout) => resolve({ code: err ? err.code : 0, stdout })));
	assert.equal(cli.code, 0, cli.stdout);
});
