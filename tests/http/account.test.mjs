// Account set-up links and API tokens: set-up links absolute on the back office's address (admin page, recourse-admin and make admin's script), tokens made only with the password and a TOTP code used once, each refusal at its field, lifetimes shown and enforced, and tokens ended by a password change or a deactivation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { dbConfig } from '../lib/db.mjs';
import { parseHtml, errorFields, textById } from '../lib/html.mjs';
import { REVIEW, staffUser, reviewRequest, form, createToken, totpAt,
    currentStep, uniqueLogin } from '../lib/staff.mjs';

const run = promisify(execFile);
const TOP = new URL('../../', import.meta.url).pathname;
const LINK_RE = /^(http\S+)\/account\/setup\?token=[0-9a-f]{64}$/m;

let db;

before(async () => {
	db = new pg.Client(dbConfig());
	await db.connect();
});

after(async () => {
	await db?.end();
});

// What a browser sends for a form: hidden and text inputs with their
// values, ticked checkboxes and radios; 'over' replaces or (null) drops.
function formFields(f, over = {}) {
	const out = {};
	for (const el of f.querySelectorAll('input')) {
		const name = el.getAttribute('name');
		const type = (el.getAttribute('type') || 'text').toLowerCase();
		if (!name || ((type === 'checkbox' || type === 'radio') &&
		    !el.hasAttribute('checked')))
			continue;
		const v = el.getAttribute('value') ?? (type === 'checkbox' ?
		    'on' : '');
		out[name] = name in out ? [].concat(out[name], v) : v;
	}
	for (const [k, v] of Object.entries(over)) {
		if (v === null)
			delete out[k];
		else
			out[k] = v;
	}
	return out;
}

async function submitForm(user, page, action, over) {
	const res = await reviewRequest(page, { cookie: user.cookie });
	const f = parseHtml(res.text).querySelector(`form[action="${action}"]`);
	assert.ok(f, `${page} has a form for ${action}`);
	return reviewRequest(action, { method: 'POST', cookie: user.cookie,
	    body: form(formFields(f, over)) });
}

const api = (token) => reviewRequest('/api/v1/cases',
    { headers: { authorization: `Bearer ${token}` } });

async function tokenRows(accountId) {
	const r = await db.query(`SELECT id, label, revoked_at,
	    to_char(expires_at, 'YYYY-MM-DD HH24:MI') AS expires,
	    extract(epoch FROM expires_at - created_at)::int AS lifetime
	    FROM api_tokens WHERE account_id = $1 ORDER BY id`, [accountId]);
	return r.rows;
}

const DAY = 86400;

/* ---- set-up links ---- */

test('the admin page shows the set-up link absolute, on the back office',
    async () => {
	assert.equal(process.env.RECOURSE_REVIEW_BASE_URL, REVIEW);
	const admin = await staffUser({ roles: ['admin'], queues: [] });
	const login = uniqueLogin('lnk');
	const res = await submitForm(admin, '/admin/accounts',
	    '/admin/accounts/create', { login, name: 'Linked Person',
	    roles: 'reviewer' });
	assert.equal(res.status, 201, res.text.slice(0, 300));
	const link = textById(parseHtml(res.text), 'setup-link')?.trim();
	const m = LINK_RE.exec(link ?? '');
	assert.ok(m, `an absolute link: ${link}`);
	assert.equal(m[1], REVIEW);
	const page = await fetch(link);
	assert.equal(page.status, 200);
	assert.match(await page.text(), new RegExp(`<strong>${login}</strong>`));
});

test('make admin prints a link on the address make run recorded, not ' +
    'the public side', async () => {
	// As make admin runs it: only the folder make run keeps (here the
	// test environment's, with the address recorded as run.sh does).
	const env = { ...process.env, REVIEW_PORT: '1' };
	delete env.RECOURSE_REVIEW_BASE_URL;
	delete env.RECOURSE_DB;
	const login = uniqueLogin('mk');
	const { stdout } = await run('sh', [`${TOP}src/tools/admin.sh`, login,
	    'Made By Make'], { env });
	const m = LINK_RE.exec(stdout);
	assert.ok(m, stdout);
	assert.equal(m[1], REVIEW);
	assert.equal((await fetch(m[0])).status, 200);

	// recourse-admin itself: the same setting, and without any, the
	// back office make run serves (8081), never the public side's 8080.
	const tool = async (e) => LINK_RE.exec((await run(
	    process.env.RECOURSE_ADMIN, ['create-user', uniqueLogin('t'),
	    '--name', 'Tool Made', '--roles', 'admin'], { env: e })).stdout)[1];
	assert.equal(await tool(process.env), REVIEW);
	const bare = { ...process.env };
	delete bare.RECOURSE_REVIEW_BASE_URL;
	assert.equal(await tool(bare), 'http://127.0.0.1:8081');
});

/* ---- making a token ---- */

test('a token needs the password and an unused code; each refusal is ' +
    'shown at its field and makes nothing', async () => {
	const u = await staffUser({ name: 'Token Refusals' });
	const cases = [
		[{ password: '' }, 'token_password', /Type your password/],
		[{ code: '' }, 'token_code', /Type the code/],
		[{ password: 'not the password at all' }, 'token_password',
		    /not your password/],
		[{ code: totpAt(u.secret, currentStep() + 12) }, 'token_code',
		    /not right/],
		// The login used this step's code: a code works once.
		[{ code: totpAt(u.secret, u.lastStep) }, 'token_code',
		    /used already/],
	];
	for (const [over, field, message] of cases) {
		const r = await createToken(u, { label: 'refused', ...over });
		const what = JSON.stringify(over);
		assert.equal(r.res.status, 422, `${what}: ${r.res.status}`);
		assert.equal(r.token, null, what);
		assert.deepEqual(errorFields(r.doc), [field], what);
		assert.match(textById(r.doc, `f-${field}-error`), message, what);
		assert.equal(r.doc.querySelector(`#f-${field}`)
		    .getAttribute('aria-invalid'), 'true', what);
		// The label and lifetime come back; the password never does.
		assert.equal(r.doc.querySelector('#f-label')
		    .getAttribute('value'), 'refused', what);
		assert.equal(r.doc.querySelector('#f-token_password')
		    .hasAttribute('value'), false, what);
	}
	assert.deepEqual(await tokenRows(u.id), []);
	const audit = await db.query(`SELECT detail->>'reason' AS reason
	    FROM audit_events WHERE action = 'api_token.create_failed'
	    AND actor = $1 ORDER BY id`, [`staff:${u.id}`]);
	assert.deepEqual(audit.rows.map((r) => r.reason),
	    ['password', 'code', 'totp_replayed']);

	// With both right it is made, and its code cannot make another.
	const made = await createToken(u, { label: 'made' });
	assert.equal(made.res.status, 201, made.res.text.slice(0, 300));
	const again = await createToken(u, { label: 'again',
	    code: totpAt(u.secret, u.lastStep) });
	assert.equal(again.res.status, 422);
	assert.deepEqual(errorFields(again.doc), ['token_code']);
	assert.equal((await tokenRows(u.id)).length, 1);
});

test('wrong passwords for a token are throttled like logins', async () => {
	const u = await staffUser({ name: 'Token Throttle' });
	for (let i = 0; i < 5; i++) {
		const r = await createToken(u, { password: `wrong password ${i}` });
		assert.equal(r.res.status, 422, `attempt ${i + 1}`);
	}
	const r = await createToken(u, { password: u.password });
	assert.equal(r.res.status, 429);
	assert.ok(Number(r.res.headers.get('retry-after')) > 0);
	assert.match(textById(r.doc, 'f-token_password-error'), /Wait \d+ s/);
	assert.deepEqual(await tokenRows(u.id), []);
});

/* ---- lifetime ---- */

test('a token lasts 90 days unless a shorter life is chosen; the expiry ' +
    'is shown when made and listed', async () => {
	const u = await staffUser({ name: 'Token Lifetimes' });
	const long = await createToken(u, { label: 'default life' });
	assert.equal(long.res.status, 201);
	const short = await createToken(u, { label: 'a week', days: '7' });
	assert.equal(short.res.status, 201);
	const forged = await createToken(u, { label: 'a year', days: '365' });
	assert.equal(forged.res.status, 422);
	assert.deepEqual(errorFields(forged.doc), ['days']);

	const rows = await tokenRows(u.id);
	assert.deepEqual(rows.map((r) => [r.label, r.lifetime]),
	    [['default life', 90 * DAY], ['a week', 7 * DAY]]);
	assert.match(long.expires, new RegExp(`until ${rows[0].expires} UTC`));
	assert.match(short.expires, new RegExp(`until ${rows[1].expires} UTC`));
	const page = parseHtml((await reviewRequest('/review/account',
	    { cookie: u.cookie })).text);
	assert.deepEqual(page.querySelectorAll('td.expires')
	    .map((td) => td.text), rows.map((r) => r.expires));
});

test('an expired token is refused and listed as expired', async () => {
	const u = await staffUser({ name: 'Token Expiry' });
	const { token } = await createToken(u, { label: 'short lived' });
	assert.equal((await api(token)).status, 200);
	await db.query(`UPDATE api_tokens SET expires_at = now() -
	    interval '1 second' WHERE account_id = $1`, [u.id]);
	const res = await api(token);
	assert.equal(res.status, 401);
	const page = parseHtml((await reviewRequest('/review/account',
	    { cookie: u.cookie })).text);
	assert.match(page.querySelector('tbody tr').text, /Expired/);
});

/* ---- ended with the account's secret or access ---- */

test('changing the password ends every token', async () => {
	const u = await staffUser({ name: 'Token Password' });
	const { token } = await createToken(u, { label: 'before change' });
	assert.equal((await api(token)).status, 200);
	const next = 'another long passphrase here';
	const res = await submitForm(u, '/review/account',
	    '/review/account/password', { current_password: u.password,
	    password: next, password_confirm: next });
	assert.equal(res.status, 303, res.text.slice(0, 300));
	assert.equal((await api(token)).status, 401);
	assert.notEqual((await tokenRows(u.id))[0].revoked_at, null);
});

test('deactivating an account ends its tokens for good', async () => {
	const admin = await staffUser({ roles: ['admin'], queues: [] });
	const u = await staffUser({ name: 'Token Deactivated' });
	const { token } = await createToken(u, { label: 'before deactivation' });
	assert.equal((await api(token)).status, 200);
	const page = `/admin/account?id=${u.id}`;
	const off = await submitForm(admin, page, '/admin/accounts/update',
	    { active: null });
	assert.equal(off.status, 303, off.text.slice(0, 300));
	assert.equal((await api(token)).status, 401);
	// Reactivated, the account needs new tokens: the old one stays dead.
	const on = await submitForm(admin, page, '/admin/accounts/update',
	    { active: 'yes' });
	assert.equal(on.status, 303, on.text.slice(0, 300));
	assert.equal((await api(token)).status, 401);
	assert.notEqual((await tokenRows(u.id))[0].revoked_at, null);
});
