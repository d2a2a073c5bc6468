// Staff accounts and sessions: the one-time set-up link, login with password and TOTP, per-name throttling, server-side sessions (hashed, fixation-proof, idle and absolute expiry, POST-only logout) and the password change.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { query, dumpText, dumpHas } from '../lib/db.mjs';
import { parseHtml, hiddenValue, errorFields } from '../lib/html.mjs';
import { sodium } from '../lib/vault.mjs';
import { createAccount, openSetup, setUp, login, totpAt, currentStep,
    awayFromStepEdge, reviewRequest, form, setCookie, sessionCsrf,
    base32Decode } from '../lib/staff.mjs';

const PASSWORD = 'correct horse battery';
const LOGIN_FAILED = 'The login name, password or code is not right.';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- helpers

// A member of staff whose set-up used the code of the step before the
// current one, so that the codes of this step and the next are still free
// for logins.  No session yet.
async function member({ password = PASSWORD } = {}) {
	await awayFromStepEdge(6000);
	const acc = await createAccount();
	const s = await setUp(acc.token, password, { step: currentStep() - 1 });
	assert.equal(s.res.status, 200, `set-up failed: ${s.res.text.slice(0, 300)}`);
	return { ...acc, password, secret: s.secret, lastStep: s.step };
}

// Several at once (each set-up is an Argon2id run on the server).
async function members(n, opts) {
	await awayFromStepEdge(8000);
	return Promise.all(Array.from({ length: n }, () => member(opts)));
}

// The code of the earliest step in the accepted window (now-1 .. now+1)
// newer than the last one this account used; waits for the next 30 s step
// when the window has none left.
async function nextCode(user, margin = 4000) {
	for (;;) {
		await awayFromStepEdge(margin);
		const now = currentStep();
		for (const step of [now - 1, now, now + 1])
			if (step > user.lastStep)
				return { step, code: totpAt(user.secret, step) };
		await sleep(30000 - (Date.now() % 30000) + 200);
	}
}

// Logs in with a fresh code and the account's password; asserts success.
async function signIn(user, { cookie, loginName = user.login } = {}) {
	const { step, code } = await nextCode(user);
	const r = await login(loginName, user.password, code, { cookie });
	assert.equal(r.status, 303, `login failed: ${r.res.text.slice(0, 300)}`);
	user.lastStep = step;
	return r;
}

// One login attempt with explicit fields (no assertion).
async function attempt(loginName, password, code, opts) {
	return login(loginName, password, code, opts);
}

// GET /review with this cookie header.
async function home(cookie) {
	return reviewRequest('/review', { cookie });
}

// Whether a session cookie opens the back office: true for 200 on /review,
// false for the redirect to the login page (anything else fails the test).
async function sessionWorks(cookie) {
	const r = await home(cookie);
	if (r.status === 200)
		return true;
	assert.equal(r.status, 303, `GET /review: ${r.status}`);
	assert.equal(r.headers.get('location'), '/review/login');
	return false;
}

async function blake2b256Hex(text) {
	const s = await sodium();
	return Buffer.from(s.crypto_generichash(32,
	    new TextEncoder().encode(text))).toString('hex');
}

async function sessionRow(token) {
	const h = await blake2b256Hex(token);
	const r = await query('SELECT *, encode(token_hash, \'hex\') AS hex ' +
	    'FROM staff_sessions WHERE token_hash = decode($1, \'hex\')', [h]);
	return r.rows[0] ?? null;
}

async function sessionCount(accountId) {
	const r = await query('SELECT count(*)::int AS n FROM staff_sessions ' +
	    'WHERE account_id = $1', [accountId]);
	return r.rows[0].n;
}

async function account(id) {
	const r = await query('SELECT * FROM staff_accounts WHERE id = $1', [id]);
	return r.rows[0];
}

async function auditCount(actor, action) {
	const r = await query('SELECT count(*)::int AS n FROM audit_events ' +
	    'WHERE actor = $1 AND action = $2', [actor, action]);
	return r.rows[0].n;
}

async function throttleRows() {
	const r = await query('SELECT encode(name_hash, \'hex\') AS h, ' +
	    'hour_failures FROM login_throttle');
	return new Map(r.rows.map((x) => [x.h, x.hour_failures]));
}

// The page's text with the per-response parts made comparable.
function normalized(text, replace = []) {
	let t = text;
	for (const [from, to] of replace)
		t = t.split(from).join(to);
	return t.replace(/name="csrf" value="[0-9a-f]+"/g,
	    'name="csrf" value="CSRF"');
}

function sessionSetCookie(res) {
	return res.headers.getSetCookie().find((c) =>
	    c.startsWith('__Host-rc_staff='));
}

// A POST that needs a session (an action on a case): 401 without one.
async function postWithSession(cookie, csrf) {
	return reviewRequest('/review/cases/RC-2025-000001/note', {
	    method: 'POST', cookie, body: form({ csrf, note: 'hello' }) });
}

function randomToken() {
	return crypto.randomBytes(32).toString('hex');
}

// Posts the set-up form of an opened page; fields override the defaults.
async function postSetup(page, token, fields = {}, { cookie, headers } = {}) {
	return reviewRequest('/account/setup', { method: 'POST', headers,
	    cookie: cookie === undefined ? `rc_csrf=${page.cookie}` : cookie,
	    body: form({ csrf: page.csrf, token, password: PASSWORD,
	    password_confirm: PASSWORD,
	    code: totpAt(page.secret, currentStep()), ...fields }) });
}

async function setupState(id) {
	const a = await account(id);
	const t = await query('SELECT used_at FROM staff_setup_tokens ' +
	    'WHERE account_id = $1', [id]);
	return { hash: a.password_hash, totp: a.totp_box,
	    used: t.rows.map((x) => x.used_at) };
}

// An account set up before the other tests run: by the time the password
// change test needs three logins, its set-up step is long past, so it need
// not wait for new codes (run alone, it waits).
let early;
before(async () => {
	early = await member();
});

// ---------------------------------------------------------------- set-up

test('set-up page shows a base32 TOTP secret and a matching otpauth URI, the same on reload, stored encrypted', async () => {
	const acc = await createAccount();
	const page = await openSetup(acc.token);
	assert.equal(page.status, 200);
	assert.match(page.secret ?? '', /^[A-Z2-7]{32}$/, 'a 160-bit base32 secret');
	const link = page.doc.querySelector('a[href^="otpauth://"]');
	assert.ok(link, 'an otpauth:// link');
	const uri = new URL(link.getAttribute('href'));
	assert.equal(uri.protocol, 'otpauth:');
	assert.equal(uri.host, 'totp');
	assert.equal(decodeURIComponent(uri.pathname), `/Recourse:${acc.login}`);
	assert.equal(uri.searchParams.get('secret'), page.secret);
	assert.equal(uri.searchParams.get('issuer'), 'Recourse');
	assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
	assert.equal(uri.searchParams.get('digits'), '6');
	assert.equal(uri.searchParams.get('period'), '30');
	assert.ok(page.csrf, 'the form is CSRF-protected');
	assert.equal(page.cookie, null, 'and needs no cookie for it');
	assert.equal(page.res.headers.get('cache-control'), 'no-store',
	    'a page showing a secret is not cached');
	assert.equal(hiddenValue(page.doc, 'token'), acc.token);

	const again = await openSetup(acc.token);
	assert.equal(again.status, 200);
	assert.equal(again.secret, page.secret, 'a reload shows the same secret');

	// Neither the secret nor the link's token is stored as such.
	const dump = (await dumpText()).text;
	assert.ok(!dumpHas(dump, page.secret), 'base32 secret in the database');
	assert.ok(!dump.toLowerCase().includes(
	    base32Decode(page.secret).toString('hex')), 'raw secret in the database');
	assert.ok(!dumpHas(dump, acc.token), 'set-up token in the database');
	assert.equal((await setupState(acc.id)).hash, null);
});

test('set-up refuses a wrong code or a mismatched confirmation (422) and the account stays unusable', async () => {
	await awayFromStepEdge(5000);
	const acc = await createAccount();
	const page = await openSetup(acc.token);

	const wrong = await postSetup(page, acc.token,
	    { code: totpAt(page.secret, currentStep() + 7) });
	assert.equal(wrong.status, 422);
	assert.deepEqual(errorFields(parseHtml(wrong.text)), ['code']);
	const notDigits = await postSetup(page, acc.token, { code: 'abcdef' });
	assert.equal(notDigits.status, 422);

	const mismatch = await postSetup(page, acc.token,
	    { password_confirm: PASSWORD + '!' });
	assert.equal(mismatch.status, 422);
	assert.deepEqual(errorFields(parseHtml(mismatch.text)),
	    ['password_confirm']);
	assert.match(mismatch.text, /The two passwords are not the same/);

	const st = await setupState(acc.id);
	assert.equal(st.hash, null, 'a password was stored');
	assert.equal(st.totp, null, 'a TOTP secret was enrolled');
	assert.deepEqual(st.used, [null], 'the link was spent');

	// Nobody can log in with what was typed.
	const l = await attempt(acc.login, PASSWORD,
	    totpAt(page.secret, currentStep() + 1));
	assert.equal(l.status, 401);
	assert.equal(l.cookie, null);

	// The same secret is still on offer, and the link still works.
	const again = await openSetup(acc.token);
	assert.equal(again.secret, page.secret);
	const ok = await postSetup(again, acc.token);
	assert.equal(ok.status, 200, ok.text.slice(0, 300));
	assert.match(ok.text, /Your account is ready/);
	assert.match((await setupState(acc.id)).hash, /^\$argon2id\$/);
});

test('set-up password length: 11 characters refused, 12 and 128 (multibyte) accepted, 129 refused', async () => {
	await awayFromStepEdge(8000);
	const [a, b, c] = await Promise.all([createAccount(), createAccount(),
	    createAccount()]);
	const pa = await openSetup(a.token);

	for (const [label, pw, msg] of [
	    ['11 ASCII', 'abcdefghijk', /Use at least 12 characters/],
	    ['11 multibyte (22 bytes)', 'é'.repeat(11), /Use at least 12 characters/],
	    ['129 ASCII', 'a'.repeat(129), /Use at most 128 characters/],
	    ['129 multibyte', '€'.repeat(129), /Use at most 128 characters/],
	    ['129 four-byte', '😀'.repeat(129), /Use at most 128 characters/]]) {
		const r = await postSetup(pa, a.token, { password: pw,
		    password_confirm: pw });
		assert.equal(r.status, 422, label);
		assert.deepEqual(errorFields(parseHtml(r.text)), ['password'],
		    label);
		assert.match(r.text, msg, label);
	}
	assert.equal((await setupState(a.id)).hash, null);

	// 12 characters: accepted.
	const twelve = 'abcdefghijkl';
	const ok12 = await postSetup(pa, a.token, { password: twelve,
	    password_confirm: twelve });
	assert.equal(ok12.status, 200, ok12.text.slice(0, 300));

	// 128 characters of four bytes each (512 bytes), and 128 mixed.
	const emoji = '😀'.repeat(128);
	const mixed = ('é€😀a').repeat(32);
	assert.equal([...mixed].length, 128);
	await awayFromStepEdge(6000);
	const pb = await openSetup(b.token);
	const pc = await openSetup(c.token);
	const step = currentStep() - 1;
	const okB = await postSetup(pb, b.token, { password: emoji,
	    password_confirm: emoji, code: totpAt(pb.secret, step) });
	assert.equal(okB.status, 200, okB.text.slice(0, 300));
	const okC = await postSetup(pc, c.token, { password: mixed,
	    password_confirm: mixed, code: totpAt(pc.secret, step) });
	assert.equal(okC.status, 200, okC.text.slice(0, 300));

	// The long passwords were stored whole: they log in, one
	// character less does not.
	const bUser = { ...b, password: emoji, secret: pb.secret, lastStep: step };
	const cUser = { ...c, password: mixed, secret: pc.secret, lastStep: step };
	const short = await attempt(b.login, '😀'.repeat(127),
	    totpAt(pb.secret, currentStep()));
	assert.equal(short.status, 401);
	await signIn(bUser);
	await signIn(cUser);
});

test('a set-up link works once: afterwards GET and POST answer 404 "cannot be used"', async () => {
	await awayFromStepEdge(5000);
	const acc = await createAccount();
	const page = await openSetup(acc.token);
	const ok = await postSetup(page, acc.token);
	assert.equal(ok.status, 200);
	const hash = (await setupState(acc.id)).hash;

	const get = await reviewRequest(`/account/setup?token=${acc.token}`);
	assert.equal(get.status, 404);
	assert.match(get.text, /cannot be used/);
	assert.equal(parseHtml(get.text).querySelector('#totp-secret'), null);

	const other = 'another password 123';
	const post = await postSetup(page, acc.token, { password: other,
	    password_confirm: other });
	assert.equal(post.status, 404);
	assert.match(post.text, /cannot be used/);
	assert.equal((await setupState(acc.id)).hash, hash,
	    'the password was changed through a spent link');
});

test('two set-ups sent at once with the same link: exactly one succeeds', async () => {
	await awayFromStepEdge(8000);
	const acc = await createAccount();
	const page = await openSetup(acc.token);
	const pws = ['first password one', 'second password two',
	    'third password three'];
	const rs = await Promise.all(pws.map((pw) => postSetup(page, acc.token,
	    { password: pw, password_confirm: pw })));
	assert.deepEqual(rs.map((r) => r.status).sort(), [200, 404, 404]);
	const winner = pws[rs.findIndex((r) => r.status === 200)];
	// The password of the one that succeeded is the one stored.
	const user = { ...acc, password: winner, secret: page.secret,
	    lastStep: Number((await account(acc.id)).totp_last_step) };
	for (const pw of pws.filter((p) => p !== winner)) {
		const r = await attempt(acc.login, pw,
		    totpAt(page.secret, currentStep() + 1));
		assert.equal(r.status, 401);
	}
	await signIn(user);
});

test('an expired or unknown set-up link answers 404', async () => {
	await awayFromStepEdge(5000);
	const acc = await createAccount();
	const page = await openSetup(acc.token);
	assert.equal(page.status, 200);
	await query('UPDATE staff_setup_tokens SET expires_at = now() - ' +
	    'interval \'1 second\' WHERE account_id = $1', [acc.id]);
	const get = await reviewRequest(`/account/setup?token=${acc.token}`);
	assert.equal(get.status, 404);
	assert.match(get.text, /cannot be used/);
	const post = await postSetup(page, acc.token);
	assert.equal(post.status, 404);
	assert.equal((await setupState(acc.id)).hash, null);

	// Never seen, or not a token at all.
	const unknown = randomToken();
	for (const q of [`token=${unknown}`, 'token=xyz', '',
	    `token=${acc.token.toUpperCase()}`]) {
		const r = await reviewRequest(`/account/setup?${q}`);
		assert.equal(r.status, 404, q);
		assert.match(r.text, /cannot be used/, q);
	}
	const p2 = await postSetup(page, unknown);
	assert.equal(p2.status, 404);
});

test('set-up without a valid CSRF token answers 403 and sets nothing', async () => {
	await awayFromStepEdge(8000);
	const acc = await createAccount();
	const page = await openSetup(acc.token);
	const flipped = page.csrf.slice(0, 45) +
	    (page.csrf[45] === '0' ? '1' : '0') + page.csrf.slice(46);
	for (const [label, fields, opts] of [
	    ['no csrf field', { csrf: null }, {}],
	    ['empty csrf', { csrf: '' }, {}],
	    ['changed csrf', { csrf: flipped }, {}],
	    ['posted from another site', {}, { headers: {
	        'sec-fetch-site': 'cross-site' } }],
	    ['Origin of another site', {}, { headers: {
	        origin: 'https://evil.example' } }]]) {
		const r = await postSetup(page, acc.token, fields, opts);
		assert.equal(r.status, 403, `${label}: ${r.text.slice(0, 200)}`);
		const st = await setupState(acc.id);
		assert.equal(st.hash, null, label);
		assert.equal(st.totp, null, label);
		assert.deepEqual(st.used, [null], label);
	}
	const ok = await postSetup(page, acc.token);
	assert.equal(ok.status, 200, 'the link still works with the right token');
});

// ---------------------------------------------------------------- login

test('login: 303 to /review with a __Host- session cookie (Secure, HttpOnly, SameSite=Strict); audited', async () => {
	const user = await member();
	const before = await auditCount(`staff:${user.id}`, 'login');
	const r = await signIn(user);
	assert.equal(r.res.headers.get('location'), '/review');
	const sc = sessionSetCookie(r.res);
	assert.ok(sc, 'a session cookie');
	const parts = sc.split(';').map((s) => s.trim());
	assert.match(parts[0], /^__Host-rc_staff=[0-9a-f]{64}$/);
	const attrs = parts.slice(1).map((s) => s.toLowerCase()).sort();
	assert.deepEqual(attrs, ['httponly', 'path=/', 'samesite=strict',
	    'secure']);
	assert.equal(sc, `__Host-rc_staff=${r.session}; Path=/; Secure; ` +
	    'HttpOnly; SameSite=Strict');
	assert.equal(await sessionWorks(r.cookie), true);
	assert.equal(await auditCount(`staff:${user.id}`, 'login'), before + 1);
});

test('wrong password, wrong code and unknown login all answer 401 with the same page', async () => {
	const user = await member();
	const failedBefore = await auditCount(`staff:${user.id}`, 'login.failed');
	const anonBefore = await auditCount('anonymous', 'login.failed');
	const { code } = await nextCode(user);
	const unknownName = `nobody${crypto.randomBytes(4).toString('hex')}`;
	const wrongPw = await attempt(user.login, PASSWORD + 'x', code);
	const wrongCode = await attempt(user.login, PASSWORD,
	    totpAt(user.secret, currentStep() + 9));
	const unknown = await attempt(unknownName, PASSWORD, code);
	for (const r of [wrongPw, wrongCode, unknown]) {
		assert.equal(r.status, 401);
		assert.equal(r.cookie, null);
		assert.ok(r.res.text.includes(LOGIN_FAILED));
	}
	const a = normalized(wrongPw.res.text, [[user.login, 'LOGIN']]);
	assert.equal(normalized(wrongCode.res.text, [[user.login, 'LOGIN']]), a);
	assert.equal(normalized(unknown.res.text, [[unknownName, 'LOGIN']]), a);
	assert.equal(await sessionCount(user.id), 0);
	assert.equal(await auditCount(`staff:${user.id}`, 'login.failed'),
	    failedBefore + 2);
	assert.equal(await auditCount('anonymous', 'login.failed'),
	    anonBefore + 1);
	// The code those attempts carried was not consumed.
	await signIn(user);
});

test('login without a valid CSRF token answers 403', async () => {
	const user = await member();
	const { code } = await nextCode(user);
	const page = await reviewRequest('/review/login');
	const csrf = hiddenValue(parseHtml(page.text), 'csrf');
	for (const [label, c, h] of [['no csrf', null, {}],
	    ['wrong csrf', 'ab'.repeat(32), {}],
	    ['posted from another site', csrf, { 'sec-fetch-site': 'cross-site' }],
	    ['Origin null', csrf, { origin: 'null' }]]) {
		const r = await reviewRequest('/review/login', { method: 'POST',
		    headers: h, body: form({ csrf: c, login: user.login,
		    password: user.password, code }) });
		assert.equal(r.status, 403, label);
		assert.equal(setCookie(r, '__Host-rc_staff'), null, label);
	}
	assert.equal(await sessionCount(user.id), 0);
});

test('login names are case-insensitive and trimmed', async () => {
	const [a, b] = await members(2);
	await signIn(a, { loginName: `  ${a.login.toUpperCase()}\t` });
	await signIn(b, { loginName: `${b.login[0].toUpperCase()}${b.login.slice(1)} ` });
	assert.equal(await sessionCount(a.id), 1);
	assert.equal(await sessionCount(b.id), 1);
});

test('a password over 128 characters is refused (401) even when its first 128 are right', async () => {
	const user = await member({ password: 'p'.repeat(128) });
	const { code } = await nextCode(user);
	for (const pw of ['p'.repeat(129), 'p'.repeat(600)]) {
		const r = await attempt(user.login, pw, code);
		assert.equal(r.status, 401);
		assert.ok(r.res.text.includes(LOGIN_FAILED));
		assert.equal(r.cookie, null);
	}
	await signIn(user);	// the 128-character one works
});

test('TOTP window: codes of steps now-1, now and now+1 are accepted, now-2 and now+2 refused', async () => {
	const user = await member();
	// As if the last code had been used long ago, so that every step of
	// the window is newer than it and only the window decides.
	await query('UPDATE staff_accounts SET totp_last_step = $2 WHERE id = $1',
	    [user.id, user.lastStep - 20]);
	await awayFromStepEdge(12000);
	const now = currentStep();
	for (const d of [-2, 2]) {
		const r = await attempt(user.login, user.password,
		    totpAt(user.secret, now + d));
		assert.equal(r.status, 401, `step now${d > 0 ? '+' : ''}${d}`);
	}
	// In increasing order: each is newer than the one before.
	for (const d of [-1, 0, 1]) {
		const r = await attempt(user.login, user.password,
		    totpAt(user.secret, now + d));
		assert.equal(r.status, 303, `step now${d >= 0 ? '+' : ''}${d}`);
		assert.equal((await account(user.id)).totp_last_step, String(now + d));
	}
	assert.ok(currentStep() === now, 'the checks ran within one step');
});

test('a TOTP code is never accepted twice, nor one older than the last used', async () => {
	await awayFromStepEdge(12000);
	const user = await member();
	const setupStep = user.lastStep;	// the step before the current one
	assert.equal(currentStep(), setupStep + 1, 'still in the set-up\'s step');
	// The code the set-up consumed cannot log in.
	const setupCode = await attempt(user.login, user.password,
	    totpAt(user.secret, setupStep));
	assert.equal(setupCode.status, 401, 'the set-up\'s code');

	const first = await attempt(user.login, user.password,
	    totpAt(user.secret, setupStep + 1));
	assert.equal(first.status, 303);
	const replay = await attempt(user.login, user.password,
	    totpAt(user.secret, setupStep + 1));
	assert.equal(replay.status, 401, 'the same code replayed');
	assert.equal(replay.cookie, null);
	const next = await attempt(user.login, user.password,
	    totpAt(user.secret, setupStep + 2));
	assert.equal(next.status, 303);
	const older = await attempt(user.login, user.password,
	    totpAt(user.secret, setupStep + 1));
	assert.equal(older.status, 401, 'a step older than the last used');
	assert.equal(await sessionCount(user.id), 2);
	assert.equal((await account(user.id)).totp_last_step,
	    String(setupStep + 2));
});

test('the same code sent in several logins at once logs in only one of them', async () => {
	const user = await member();
	const { code } = await nextCode(user, 8000);
	const rs = await Promise.all([1, 2, 3, 4].map(() =>
	    attempt(user.login, user.password, code)));
	assert.deepEqual(rs.map((r) => r.status).sort(), [303, 401, 401, 401]);
	assert.equal(await sessionCount(user.id), 1);
});

// ---------------------------------------------------------------- throttling

test('after 5 failures in a minute a login name gets 429 with Retry-After, even with the right password and code', async () => {
	const [user, other] = await members(2);
	const failedBefore = await auditCount(`staff:${user.id}`, 'login.failed');
	// The code is chosen first (waiting for one later could outlast the
	// block), with room for it to stay valid until the last attempt.
	const { step, code } = await nextCode(user, 12000);
	for (let i = 0; i < 5; i++) {
		const r = await attempt(user.login, `wrong password ${i}!`, '000000');
		assert.equal(r.status, 401, `failure ${i + 1}`);
	}
	assert.equal(await auditCount(`staff:${user.id}`, 'login.failed'),
	    failedBefore + 5);
	const blocked = await attempt(user.login, user.password, code);
	assert.equal(blocked.status, 429, blocked.res.text.slice(0, 300));
	const wait = Number(blocked.res.headers.get('retry-after'));
	assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 900,
	    `Retry-After ${blocked.res.headers.get('retry-after')}`);
	assert.equal(blocked.cookie, null);
	assert.equal(await sessionCount(user.id), 0);
	assert.match(blocked.res.text, /Too many failed attempts/);
	// The same name in another case and with blanks is the same name.
	const blocked2 = await attempt(` ${user.login.toUpperCase()}`,
	    user.password, code);
	assert.equal(blocked2.status, 429);

	// Other accounts are not affected meanwhile.
	const o = await signIn(other);
	assert.equal(await sessionWorks(o.cookie), true);

	// The delay passes; then the right password and code log in.
	await sleep(wait * 1000 + 300);
	const later = await attempt(user.login, user.password, code);
	assert.equal(later.status, 303, later.res.text.slice(0, 300));
	user.lastStep = step;
});

test('failures sent all at once are counted one by one: at most 5 reach the password check', async () => {
	const user = await member();
	const failedBefore = await auditCount(`staff:${user.id}`, 'login.failed');
	const answers = await Promise.all(Array.from({ length: 30 }, (_, i) =>
	    attempt(user.login, `wrong password ${i}!`, '000000')));
	const statuses = answers.map((a) => a.status);
	assert.equal(statuses.filter((x) => x === 401).length, 5,
	    statuses.join(' '));
	assert.equal(statuses.filter((x) => x === 429).length, 25);
	assert.equal(await auditCount(`staff:${user.id}`, 'login.failed'),
	    failedBefore + 5);
});

test('an unknown login name is throttled exactly like a known one', async () => {
	const user = await member();
	const unknownName = `ghost${crypto.randomBytes(4).toString('hex')}`;
	const { code } = await nextCode(user, 6000);
	const known = [];
	const unknown = [];
	for (let i = 0; i < 5; i++) {
		known.push((await attempt(user.login, `bad password ${i}!!`,
		    '123456')).status);
		unknown.push((await attempt(unknownName, `bad password ${i}!!`,
		    '123456')).status);
	}
	assert.deepEqual(known, [401, 401, 401, 401, 401]);
	assert.deepEqual(unknown, known);
	const k = await attempt(user.login, user.password, code);
	const u = await attempt(unknownName, user.password, '123456');
	assert.equal(k.status, 429);
	assert.equal(u.status, 429);
	assert.ok(k.res.headers.get('retry-after'));
	assert.ok(u.res.headers.get('retry-after'));
	assert.equal(
	    normalized(u.res.text, [[unknownName, 'LOGIN']])
		.replace(/Wait \d+ seconds?/g, 'Wait N seconds'),
	    normalized(k.res.text, [[user.login, 'LOGIN']])
		.replace(/Wait \d+ seconds?/g, 'Wait N seconds'));
});

test('at most 100 failures an hour per name: then 429 for up to an hour, other accounts unaffected', async () => {
	const [user, other] = await members(2);
	const before = await throttleRows();
	const first = await attempt(user.login, 'not the password!', '000000');
	assert.equal(first.status, 401);
	const after = await throttleRows();
	const changed = [...after].filter(([h, n]) => before.get(h) !== n);
	assert.equal(changed.length, 1, 'one throttle row for the name');
	const [hash] = changed[0];
	// 98 more failures spread over the hour, none within a minute of 5.
	await query('UPDATE login_throttle SET hour_failures = 99, ' +
	    'minute_failures = 0, blocked_until = NULL ' +
	    'WHERE name_hash = decode($1, \'hex\')', [hash]);
	const { code } = await nextCode(user);
	const hundredth = await attempt(user.login, 'still not it!!', '000000');
	assert.equal(hundredth.status, 401);
	const blocked = await attempt(user.login, user.password, code);
	assert.equal(blocked.status, 429);
	const wait = Number(blocked.res.headers.get('retry-after'));
	assert.ok(wait > 60 && wait <= 3600, `Retry-After ${wait}`);
	// Not the minute's short delay: clearing it changes nothing.
	await query('UPDATE login_throttle SET blocked_until = NULL, ' +
	    'minute_failures = 0 WHERE name_hash = decode($1, \'hex\')', [hash]);
	const still = await attempt(user.login, user.password, code);
	assert.equal(still.status, 429);
	const wait2 = Number(still.res.headers.get('retry-after'));
	assert.ok(wait2 > 60 && wait2 <= 3600, `Retry-After ${wait2}`);
	assert.equal(await sessionCount(user.id), 0);
	const o = await signIn(other);
	assert.equal(await sessionWorks(o.cookie), true);
});

// ---------------------------------------------------------------- sessions

test('the session token is stored only as its BLAKE2b-256 hash', async () => {
	const user = await member();
	const r = await signIn(user);
	assert.match(r.session, /^[0-9a-f]{64}$/);
	const rows = await query('SELECT encode(token_hash, \'hex\') AS h ' +
	    'FROM staff_sessions WHERE account_id = $1', [user.id]);
	assert.equal(rows.rows.length, 1);
	assert.equal(rows.rows[0].h, await blake2b256Hex(r.session));
	const dump = await dumpText();
	assert.ok(dump.tables.includes('staff_sessions'));
	assert.ok(!dumpHas(dump.text, r.session), 'the token is in the database');
	assert.ok(!dumpHas(dump.text, r.session.toUpperCase()));
});

test('GET /review without a (valid) session redirects to the login page', async () => {
	for (const cookie of [undefined, `__Host-rc_staff=${randomToken()}`,
	    '__Host-rc_staff=nothex', `__Host-rc_staff=${'A'.repeat(64)}`]) {
		const r = await home(cookie);
		assert.equal(r.status, 303, String(cookie));
		assert.equal(r.headers.get('location'), '/review/login');
	}
	const r = await postWithSession(`__Host-rc_staff=${randomToken()}`, 'x');
	assert.equal(r.status, 401);
});

test('fixation: a login that brings a session cookie gets a new token, and the brought session ends', async () => {
	const [a, b] = await members(2);
	const sa = await signIn(a);
	assert.equal(await sessionWorks(sa.cookie), true);

	// Someone else's valid session cookie planted in the browser.
	const sb = await signIn(b, { cookie: sa.cookie });
	assert.notEqual(sb.session, sa.session);
	assert.equal(await sessionWorks(sb.cookie), true);
	assert.equal(await sessionWorks(sa.cookie), false,
	    'the planted session still works');
	assert.equal(await sessionRow(sa.session), null);

	// A made-up token.
	const made = randomToken();
	const sb2 = await signIn(b, { cookie: `__Host-rc_staff=${made}` });
	assert.notEqual(sb2.session, made);
	assert.equal(await sessionRow(made), null);
	assert.equal(await sessionWorks(`__Host-rc_staff=${made}`), false);
	assert.equal(await sessionWorks(sb2.cookie), true);
	// b's own earlier session was not the one brought: it still works.
	assert.equal(await sessionWorks(sb.cookie), true);
});

test('logout is POST-only, needs the session CSRF token, and ends the session', async () => {
	const [user, other] = await members(2);
	const s = await signIn(user);
	const o = await signIn(other);
	const csrf = await sessionCsrf(s.cookie);
	assert.match(csrf ?? '', /^[0-9a-f]{64}$/);
	const otherCsrf = await sessionCsrf(o.cookie);

	const get = await reviewRequest('/review/logout', { cookie: s.cookie });
	assert.equal(get.status, 405);
	assert.match(get.headers.get('allow') ?? '', /POST/);
	assert.equal(await sessionWorks(s.cookie), true);

	for (const [label, c] of [['no csrf', null], ['empty', ''],
	    ['another session\'s csrf', otherCsrf],
	    ['changed', (csrf[0] === '0' ? '1' : '0') + csrf.slice(1)]]) {
		const r = await reviewRequest('/review/logout', { method: 'POST',
		    cookie: s.cookie, body: form({ csrf: c }) });
		assert.equal(r.status, 403, label);
		assert.equal(await sessionWorks(s.cookie), true, label);
	}

	const before = await auditCount(`staff:${user.id}`, 'logout');
	const out = await reviewRequest('/review/logout', { method: 'POST',
	    cookie: s.cookie, body: form({ csrf }) });
	assert.equal(out.status, 303);
	assert.equal(out.headers.get('location'), '/review/login');
	const cleared = sessionSetCookie(out);
	assert.ok(cleared && /^__Host-rc_staff=;/.test(cleared) &&
	    /Max-Age=0/i.test(cleared), `cookie not cleared: ${cleared}`);
	assert.equal(await auditCount(`staff:${user.id}`, 'logout'), before + 1);
	assert.equal(await sessionRow(s.session), null);

	// The old cookie, replayed: a page sends to the login, a form is 401.
	const page = await home(s.cookie);
	assert.equal(page.status, 303);
	assert.equal(page.headers.get('location'), '/review/login');
	const post = await postWithSession(s.cookie, csrf);
	assert.equal(post.status, 401);
	// The other account's session is untouched.
	assert.equal(await sessionWorks(o.cookie), true);
});

test('housekeeping ends a stale session with the same audit row a request would write', async () => {
	const [a] = await members(1);
	const sa = await signIn(a);
	const ha = await blake2b256Hex(sa.session);
	const before = await auditCount(`staff:${a.id}`, 'session.expired');
	await query('UPDATE staff_sessions SET last_seen_at = now() - ' +
	    'interval \'31 minutes\' WHERE token_hash = decode($1, \'hex\')',
	    [ha]);
	// No request: the back office's housekeeping (every second in the
	// tests) must find it.  Polled until it is gone, at most 10 s.
	const until = Date.now() + 10000;
	while (await sessionRow(sa.session) !== null && Date.now() < until)
		await new Promise((r) => setTimeout(r, 200));
	assert.equal(await sessionRow(sa.session), null, 'housekeeping ran');
	assert.equal(await auditCount(`staff:${a.id}`, 'session.expired'),
	    before + 1);
});

test('a session idle for 30 minutes ends; 29 minutes idle is still alive', async () => {
	const [a, b] = await members(2);
	const sa = await signIn(a);
	const sb = await signIn(b);
	const ha = await blake2b256Hex(sa.session);
	const hb = await blake2b256Hex(sb.session);
	const setSeen = (h, iv) => query('UPDATE staff_sessions SET ' +
	    `last_seen_at = now() - interval '${iv}' ` +
	    'WHERE token_hash = decode($1, \'hex\')', [h]);

	// Counted before the session goes stale: housekeeping (every second
	// in the tests) may end it before the request does, and either way
	// the expiry is audited exactly once.
	const expiredBefore = await auditCount(`staff:${a.id}`, 'session.expired');
	await setSeen(ha, '31 minutes');
	assert.equal(await sessionWorks(sa.cookie), false);
	assert.equal(await sessionRow(sa.session), null, 'the row is gone');
	assert.equal(await auditCount(`staff:${a.id}`, 'session.expired'),
	    expiredBefore + 1);
	assert.equal((await postWithSession(sa.cookie, 'x')).status, 401);

	await setSeen(hb, '29 minutes');
	assert.equal(await sessionWorks(sb.cookie), true);
	const row = await sessionRow(sb.session);
	assert.ok(row, 'the row is kept');
	assert.ok(Date.now() - row.last_seen_at.getTime() < 60000,
	    'the request refreshed last_seen_at');

	// Touched at most once a minute: a request 30 s after the last one
	// writes nothing.
	await setSeen(hb, '30 seconds');
	const seen = (await sessionRow(sb.session)).last_seen_at.getTime();
	assert.equal(await sessionWorks(sb.cookie), true);
	assert.equal((await sessionRow(sb.session)).last_seen_at.getTime(), seen);
});

test('a session older than 12 hours ends even when it was just used', async () => {
	const [a, b] = await members(2);
	const sa = await signIn(a);
	const sb = await signIn(b);
	const setAge = (token, iv) => blake2b256Hex(token).then((h) =>
	    query('UPDATE staff_sessions SET created_at = now() - ' +
	    `interval '${iv}', last_seen_at = now() - interval '10 seconds' ` +
	    'WHERE token_hash = decode($1, \'hex\')', [h]));
	await setAge(sa.session, '12 hours 1 minute');
	await setAge(sb.session, '11 hours 59 minutes');
	assert.equal(await sessionWorks(sa.cookie), false);
	assert.equal(await sessionRow(sa.session), null);
	assert.equal(await sessionWorks(sb.cookie), true);
});

// ---------------------------------------------------------------- password change

async function accountPage(cookie) {
	const r = await reviewRequest('/review/account', { cookie });
	return { res: r, doc: parseHtml(r.text) };
}

async function changePassword(cookie, fields) {
	return reviewRequest('/review/account/password', { method: 'POST',
	    cookie, body: form(fields) });
}

test('password change: the account page has the form; wrong current password or a bad new one is 422 and changes nothing', async () => {
	const user = await member();
	const s = await signIn(user);
	const { res, doc } = await accountPage(s.cookie);
	assert.equal(res.status, 200, `GET /review/account: ${res.status}`);
	const f = doc.querySelector('form[action="/review/account/password"]');
	assert.ok(f, 'a form posting to /review/account/password');
	assert.equal((f.getAttribute('method') ?? '').toLowerCase(), 'post');
	const names = f.querySelectorAll('input').map((i) => i.getAttribute('name'));
	for (const n of ['csrf', 'current_password', 'password', 'password_confirm'])
		assert.ok(names.includes(n), `field ${n}`);
	const csrf = f.querySelector('input[name="csrf"]').getAttribute('value');
	assert.equal(csrf, await sessionCsrf(s.cookie));

	const hash = (await account(user.id)).password_hash;
	const np = 'a brand new passphrase';
	for (const [label, fields, field] of [
	    ['wrong current', { current_password: 'not my password!',
		password: np, password_confirm: np }, 'current_password'],
	    ['too short', { current_password: user.password,
		password: 'short pw', password_confirm: 'short pw' }, 'password'],
	    ['too long', { current_password: user.password,
		password: 'x'.repeat(129), password_confirm: 'x'.repeat(129) },
		'password'],
	    ['mismatch', { current_password: user.password, password: np,
		password_confirm: np + '?' }, 'password_confirm']]) {
		const r = await changePassword(s.cookie, { csrf, ...fields });
		assert.equal(r.status, 422, label);
		assert.ok(errorFields(parseHtml(r.text)).includes(field), label);
		assert.equal(setCookie(r, '__Host-rc_staff'), null, label);
		assert.equal((await account(user.id)).password_hash, hash, label);
		assert.equal(await sessionWorks(s.cookie), true, label);
	}
	// Without the session's CSRF token: 403, nothing changes.
	const noCsrf = await changePassword(s.cookie, { current_password:
	    user.password, password: np, password_confirm: np });
	assert.equal(noCsrf.status, 403);
	assert.equal((await account(user.id)).password_hash, hash);
	// Without a session: 401.
	const noSession = await changePassword(undefined, { csrf,
	    current_password: user.password, password: np, password_confirm: np });
	assert.equal(noSession.status, 401);
	assert.equal((await account(user.id)).password_hash, hash);
});

test('password change: new cookie, every old session ends, the new password logs in and the old does not', async () => {
	const user = early;
	const s1 = await signIn(user);
	const s2 = await signIn(user);		// another browser
	assert.equal(await sessionCount(user.id), 2);
	const csrf = await sessionCsrf(s1.cookie);
	const np = 'a brand new passphrase ✓';
	const r = await changePassword(s1.cookie, { csrf,
	    current_password: user.password, password: np, password_confirm: np });
	assert.equal(r.status, 303, r.text.slice(0, 300));
	assert.match(r.headers.get('location') ?? '', /^\/review\/account(\?|$)/);
	const fresh = setCookie(r, '__Host-rc_staff');
	assert.match(fresh ?? '', /^[0-9a-f]{64}$/);
	assert.notEqual(fresh, s1.session);
	assert.equal(sessionSetCookie(r), `__Host-rc_staff=${fresh}; Path=/; ` +
	    'Secure; HttpOnly; SameSite=Strict');
	const cookie = `__Host-rc_staff=${fresh}`;
	assert.equal(await sessionWorks(cookie), true);
	assert.equal(await sessionWorks(s1.cookie), false, 'the old cookie');
	assert.equal(await sessionWorks(s2.cookie), false, 'the other session');
	assert.equal(await sessionCount(user.id), 1);
	assert.equal((await accountPage(cookie)).res.status, 200);

	const { step, code } = await nextCode(user);
	const old = await attempt(user.login, user.password, code);
	assert.equal(old.status, 401, 'the old password');
	const now = await attempt(user.login, np, code);
	assert.equal(now.status, 303, 'the new password');
	user.lastStep = step;
	user.password = np;
});
