// Administration under /admin: only admins see the pages or run the commands (everyone else gets 403, the anonymous are sent to log in or refused, a missing CSRF token or a wrong method changes nothing); accounts are created with a set-up link that really works, updated (roles and queues change what the person sees at once, deactivation ends their sessions, an admin cannot demote or deactivate themselves), given new links and barred from brands; queues, routing rules and the concern taxonomy are managed with routing taking effect at once; and every change is audited as staff:<admin id> without personal data.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import pg from 'pg';
import { dbConfig } from '../lib/db.mjs';
import { fileComplaint, getForm, postComplaint, validFields, apiComplaint,
    validDoc, request } from '../lib/client.mjs';
import { staffUser, reviewRequest, form, openSetup, setUp, login, totpAt,
    currentStep, awayFromStepEdge, sessionCsrf, uniqueLogin, act, forgeAct,
    createAccount }
    from '../lib/staff.mjs';
import { parseHtml, textById } from '../lib/html.mjs';
import { sodium } from '../lib/vault.mjs';

const PASSWORD = 'correct horse battery';
const ADMIN_ACTION = /^(account|queue|routing_rule|category)\./;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let db;			// one connection for the checks
const k = {};		// the shared set-up

// n random lower-case letters (queue codes take no digits).
function letters(n) {
	return Array.from(crypto.randomBytes(n),
	    (b) => String.fromCharCode(97 + (b % 26))).join('');
}

// A rule position nobody else uses (the suite's own rules are at 10..50).
function freePosition() {
	return String(200000 + crypto.randomInt(700000));
}

function mainText(res) {
	const m = parseHtml(res.text).querySelector('main');
	return (m ? m.text : res.text).replace(/\s+/g, ' ').trim();
}

function short(res) {
	return `${res.status} ${mainText(res).slice(0, 200)}`;
}

// The error summary of an admin page, or ''.
function errorSummary(res) {
	const el = parseHtml(res.text).querySelector('.error-summary');
	return el ? el.text.replace(/\s+/g, ' ').trim() : '';
}

function post(path, fields, { cookie, csrf } = {}) {
	const f = { ...fields };
	if (csrf !== undefined && csrf !== null)
		f.csrf = csrf;
	return reviewRequest(path, { method: 'POST', cookie, body: form(f) });
}

// An admin command as the shared admin, with their CSRF token.
function adminPost(path, fields, who = k.admin) {
	return post(path, fields, { cookie: who.cookie, csrf: who.csrf });
}

// The set-up token on a 201 page (an absolute link), or null.
function setupToken(res) {
	const t = textById(parseHtml(res.text), 'setup-link');
	const m = t && /^https?:\/\/[^/\s]+\/account\/setup\?token=([0-9a-f]{64})$/
	    .exec(t.trim());
	return m ? m[1] : null;
}

// Runs every case, then fails once naming each that went wrong (so that
// one bad case does not hide the others).
async function eachCase(cases, fn) {
	const problems = [];
	for (const c of cases) {
		try {
			await fn(...c);
		} catch (e) {
			const m = e.message.split('\n')[0];
			problems.push(m.startsWith(c[0]) ? m : `${c[0]}: ${m}`);
		}
	}
	assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
}

// Kore drops a keep-alive connection idle for 10 s (http_header_timeout)
// with an unsolicited 408, although it advertises keep-alive: timeout=20;
// fetch then reads that 408 as the answer to its next request, or fails
// with EPIPE.  After a pause, such connections are spent on /healthz.
async function flushIdle() {
	await Promise.allSettled([
		...Array.from({ length: 6 }, () => request('/healthz')),
		...Array.from({ length: 6 }, () => reviewRequest('/healthz')),
	]);
}

// ------------------------------------------------------------ TOTP logins

// The earliest step in the accepted window (now-1 .. now+1) newer than the
// last one the account used; waits for the next step when none is left.
async function nextCode(user, margin = 4000) {
	for (;;) {
		await awayFromStepEdge(margin);
		const now = currentStep();
		for (const step of [now - 1, now, now + 1])
			if (step > user.lastStep) {
				await flushIdle();
				return { step, code: totpAt(user.secret, step) };
			}
		await sleep(30000 - (Date.now() % 30000) + 200);
	}
}

// Logs in with a fresh code; returns the response (no assertion).
async function tryLogin(user) {
	const { step, code } = await nextCode(user);
	const r = await login(user.login, user.password, code);
	if (r.status === 303)
		user.lastStep = step;
	return r;
}

async function signIn(user) {
	const r = await tryLogin(user);
	assert.equal(r.status, 303, `login of ${user.login}: ${short(r.res)}`);
	user.cookie = r.cookie;
	user.csrf = await sessionCsrf(r.cookie);
	return user;
}

// Completes set-up through a link with the previous step's code (so this
// step and the next stay free for logins) and logs in.
async function activate(token, loginName, password = PASSWORD) {
	await awayFromStepEdge(8000);
	await flushIdle();
	const s = await setUp(token, password, { step: currentStep() - 1 });
	assert.equal(s.res.status, 200, `set-up of ${loginName}: ${short(s.res)}`);
	return signIn({ login: loginName, password, secret: s.secret,
	    lastStep: s.step });
}

// A member of staff made with recourse-admin (so that what is tested does
// not hang on the /admin create page), set up and logged in.
async function member(name, roles = ['reviewer'], queues = ['general']) {
	const loginName = uniqueLogin('m');
	const acc = await createAccount({ login: loginName, name, roles, queues });
	const user = await activate(acc.token, loginName);
	return { ...user, id: acc.id, name };
}

// ------------------------------------------------------------ database

// The link shown is the one stored: BLAKE2b-256 of the token's text is
// the hash of an unused set-up token of the account.
async function assertStoredLink(accountId, token) {
	const s = await sodium();
	const hash = Buffer.from(s.crypto_generichash(32,
	    new TextEncoder().encode(token))).toString('hex');
	const r = await db.query('SELECT encode(token_hash, \'hex\') AS h, ' +
	    'used_at FROM staff_setup_tokens WHERE account_id = $1',
	    [accountId]);
	const live = r.rows.filter((x) => x.used_at === null).map((x) => x.h);
	assert.deepEqual(live, [hash], 'the set-up link shown is not the one ' +
	    `stored (BLAKE2b-256 of the shown token is ${hash}; the account's ` +
	    `unused token hashes are ${JSON.stringify(live)})`);
}

async function accountByLogin(loginName) {
	const r = await db.query('SELECT a.*, (SELECT coalesce(array_agg(' +
	    'm.queue ORDER BY m.queue), \'{}\') FROM queue_members m ' +
	    'WHERE m.account_id = a.id) AS queues FROM staff_accounts a ' +
	    'WHERE a.login = $1', [loginName]);
	const a = r.rows[0];
	if (!a)
		return null;
	a.id = Number(a.id);
	// An array of an enum arrives as its text form.
	if (typeof a.roles === 'string')
		a.roles = a.roles.replace(/[{}]/g, '').split(',')
		    .filter((x) => x !== '');
	return a;
}

async function auditMark() {
	const r = await db.query('SELECT coalesce(max(id), 0)::bigint AS id ' +
	    'FROM audit_events');
	return r.rows[0].id;
}

// The admin changes an actor made after the mark.
async function adminEventsSince(mark, actorId = k.admin.id) {
	const r = await db.query('SELECT id, actor, action, object, detail, ' +
	    'detail::text AS detail_text FROM audit_events WHERE id > $1 ' +
	    'AND actor = $2 ORDER BY id', [mark, `staff:${actorId}`]);
	return r.rows.filter((e) => ADMIN_ACTION.test(e.action));
}

// Exactly one admin event since the mark: by the admin, with this action
// and object (and detail, when given), and none of 'names' in it.
async function expectAudit(mark, { action, object, detail, names = [] }) {
	const ev = await adminEventsSince(mark);
	assert.deepEqual(ev.map((e) => [e.action, e.object]), [[action, object]],
	    `audit events since ${mark}`);
	const e = ev[0];
	assert.equal(e.actor, `staff:${k.admin.id}`);
	if (detail !== undefined)
		assert.deepEqual(e.detail, detail, `${action} detail`);
	for (const n of names) {
		assert.ok(!e.detail_text.includes(n),
		    `${action}: the detail names ${n}: ${e.detail_text}`);
		assert.ok(!e.object.includes(n), `${action}: the object names ${n}`);
	}
	return e;
}

async function expectNoAudit(mark, label) {
	assert.deepEqual((await adminEventsSince(mark)).map((e) => e.action), [],
	    `${label}: a refused change was audited`);
}

// What the admin commands could change, limited to the rows the refused
// requests name (other test files may run alongside and change others).
async function snapshot(s) {
	const r = await db.query(`SELECT
	    (SELECT jsonb_agg(to_jsonb(a) ORDER BY a.id) FROM staff_accounts a
	        WHERE a.id = ANY ($1) OR a.login = ANY ($2)) AS accounts,
	    (SELECT jsonb_agg(to_jsonb(m) ORDER BY m.account_id, m.queue)
	        FROM queue_members m WHERE m.account_id = ANY ($1)) AS members,
	    (SELECT jsonb_agg(to_jsonb(b) ORDER BY b.account_id, b.brand_key)
	        FROM brand_bars b WHERE b.account_id = ANY ($1)) AS bars,
	    (SELECT jsonb_agg(jsonb_build_object('account', t.account_id,
	        'hash', encode(t.token_hash, 'hex'), 'used', t.used_at)
	        ORDER BY t.token_hash) FROM staff_setup_tokens t
	        WHERE t.account_id = ANY ($1)) AS tokens,
	    (SELECT count(*) FROM staff_sessions x
	        WHERE x.account_id = ANY ($1))::int AS sessions,
	    (SELECT jsonb_agg(to_jsonb(q) ORDER BY q.code) FROM queues q
	        WHERE q.code = ANY ($3)) AS queues,
	    (SELECT jsonb_agg(to_jsonb(r) ORDER BY r.id) FROM routing_rules r)
	        AS rules,
	    (SELECT jsonb_agg(to_jsonb(c) ORDER BY c.code) FROM concern_categories c)
	        AS categories,
	    (SELECT count(*) FROM audit_events e WHERE (e.actor = ANY ($4)
	        OR e.object = ANY ($5))
	        -- The refusal itself is recorded (refusals.test.mjs).
	        AND e.action NOT LIKE 'refused.%')::int AS audit`,
	    [s.ids, s.logins, s.queues, s.actors, s.objects]);
	return r.rows[0];
}

// ------------------------------------------------------------ set-up

before(async () => {
	db = new pg.Client(dbConfig());
	await db.connect();
	const tag = letters(6);
	k.adminName = `Ada Quillfeather ${tag}`;
	const [admin, reviewer, supervisor] = await Promise.all([
		staffUser({ roles: ['admin'], queues: [], name: k.adminName }),
		staffUser({ roles: ['reviewer'], queues: ['general'],
		    name: `Rex Reviewer ${tag}` }),
		staffUser({ roles: ['supervisor'], queues: [],
		    name: `Sue Supervisor ${tag}` }),
	]);
	Object.assign(k, { admin, reviewer, supervisor });
});

after(async () => {
	await db?.end();
});

beforeEach(flushIdle);

// ------------------------------------------------------------ who may

// Every admin page (one account's page about the shared reviewer).
function pages() {
	return ['/admin', '/admin/accounts', `/admin/account?id=${k.reviewer.id}`,
	    '/admin/routing', '/admin/taxonomy', '/admin/audit'];
}

test('admin pages answer 200 for an admin', async () => {
	for (const p of pages()) {
		const res = await reviewRequest(p, { cookie: k.admin.cookie });
		assert.equal(res.status, 200, `${p}: ${short(res)}`);
		assert.match(res.headers.get('content-type'), /^text\/html/);
	}
	const acc = await reviewRequest('/admin/accounts',
	    { cookie: k.admin.cookie });
	assert.ok(acc.text.includes(k.reviewer.login), 'accounts page lists staff');
	assert.ok(acc.text.includes(`/admin/account?id=${k.reviewer.id}`),
	    'accounts page links to the account\'s page');
	const one = await reviewRequest(`/admin/account?id=${k.reviewer.id}`,
	    { cookie: k.admin.cookie });
	assert.ok(one.text.includes(k.reviewer.login));
	const nope = await reviewRequest('/admin/nothing',
	    { cookie: k.admin.cookie });
	assert.equal(nope.status, 404);
});

test('non-admins, the anonymous, a missing CSRF token and wrong methods ' +
    'change nothing', async (t) => {
	const tag = letters(8);
	// A rule of our own for the delete attempts (never a seeded one).
	const pos = freePosition();
	let res = await adminPost('/admin/rules/add', { position: pos,
	    brand: `Denied ${tag}`, queue: 'general', priority: '3' });
	assert.equal(res.status, 303, short(res));
	const ruleId = (await db.query('SELECT id FROM routing_rules ' +
	    'WHERE position = $1', [Number(pos)])).rows[0].id;

	const newLogin = `denied${tag}`;
	const queueCode = `denied_${tag}`;
	const catCode = `denied_${tag}.new`;
	const victim = k.reviewer;
	// Commands with fields that an admin would get through, so a refusal
	// can only come from who is asking.
	const COMMANDS = [
		['/admin/accounts/create', { login: newLogin, name: 'Eve Intruder',
		    roles: ['admin'], queues: ['general'] }],
		['/admin/accounts/update', { id: victim.id, name: 'Renamed',
		    roles: ['reviewer', 'supervisor', 'admin'],
		    queues: ['general', 'security'], active: 'yes' }],
		['/admin/accounts/update', { id: k.admin.id, name: 'Renamed',
		    roles: ['reviewer'], queues: [] }],
		['/admin/accounts/reset', { id: victim.id }],
		['/admin/accounts/bar', { id: victim.id, brand: `Brand ${tag}` }],
		['/admin/accounts/unbar', { id: victim.id, brand: `Brand ${tag}` }],
		['/admin/queues/save', { code: queueCode, name: 'Sneaky',
		    active: 'yes' }],
		['/admin/queues/save', { code: 'general', name: 'Renamed',
		    active: 'yes' }],
		['/admin/rules/add', { position: freePosition(), queue: 'general',
		    priority: '4' }],
		['/admin/rules/delete', { id: ruleId }],
		['/admin/categories/save', { code: catCode, label: 'Sneaky',
		    hint: '', position: '5', active: 'yes' }],
		['/admin/categories/save', { code: 'other', label: 'Renamed',
		    hint: '', position: '110' }],
	];
	const scope = {
		ids: [victim.id, k.admin.id, k.supervisor.id],
		logins: [newLogin],
		queues: ['general', queueCode],
		actors: [victim, k.admin, k.supervisor].map((u) => `staff:${u.id}`),
		objects: [`account:${victim.id}`, `account:${k.admin.id}`,
		    `queue:${queueCode}`, 'queue:general', `routing_rule:${ruleId}`,
		    `category:${catCode}`, 'category:other'],
	};
	const unchanged = async (label, fn) => {
		const before = await snapshot(scope);
		const r = await fn();
		assert.deepEqual(await snapshot(scope), before,
		    `${label}: the database changed (answer ${short(r)})`);
		return r;
	};

	for (const [who, user] of [['reviewer', k.reviewer],
	    ['supervisor', k.supervisor]]) {
		await t.test(`${who}: every page is 403`, async () => {
			for (const p of pages()) {
				const r = await unchanged(`${who} GET ${p}`, () =>
				    reviewRequest(p, { cookie: user.cookie }));
				assert.equal(r.status, 403, `${who} GET ${p}: ${short(r)}`);
				assert.ok(!r.text.includes(k.admin.login),
				    `${who} GET ${p} shows the accounts`);
			}
		});
		await t.test(`${who}: every command is 403`, async () => {
			for (const [p, fields] of COMMANDS) {
				const r = await unchanged(`${who} POST ${p}`, () =>
				    post(p, fields, { cookie: user.cookie,
				    csrf: user.csrf }));
				assert.equal(r.status, 403, `${who} POST ${p}: ${short(r)}`);
				assert.equal(setupToken(r), null);
			}
		});
	}

	await t.test('anonymous: pages send to log in, commands are 401',
	    async () => {
		for (const p of pages()) {
			const r = await unchanged(`anonymous GET ${p}`, () =>
			    reviewRequest(p));
			assert.equal(r.status, 303, `anonymous GET ${p}: ${short(r)}`);
			assert.equal(r.headers.get('location'), '/review/login');
		}
		for (const [p, fields] of COMMANDS) {
			const r = await unchanged(`anonymous POST ${p}`, () =>
			    post(p, fields, { csrf: k.admin.csrf }));
			assert.equal(r.status, 401, `anonymous POST ${p}: ${short(r)}`);
			assert.equal(r.headers.get('location'), null);
		}
		// A made-up session is no better than none.
		const fake = '__Host-rc_staff=' + crypto.randomBytes(32)
		    .toString('hex');
		const r = await unchanged('made-up session', () =>
		    post(COMMANDS[0][0], COMMANDS[0][1], { cookie: fake,
		    csrf: k.admin.csrf }));
		assert.equal(r.status, 401, short(r));
	});

	await t.test('admin without the session\'s CSRF token: 403', async () => {
		for (const [p, fields] of COMMANDS) {
			for (const [label, csrf] of [['none', null], ['empty', ''],
			    ['another session\'s', k.reviewer.csrf],
			    ['altered', k.admin.csrf.slice(0, -1) +
			        (k.admin.csrf.endsWith('0') ? '1' : '0')]]) {
				const r = await unchanged(`admin ${label} csrf ${p}`,
				    () => post(p, fields, { cookie: k.admin.cookie,
				    csrf }));
				assert.equal(r.status, 403,
				    `${label} csrf POST ${p}: ${short(r)}`);
				assert.equal(setupToken(r), null);
			}
		}
	});

	await t.test('GET on a command and POST on a page: 405', async () => {
		for (const [p] of COMMANDS) {
			const r = await unchanged(`GET ${p}`, () =>
			    reviewRequest(p, { cookie: k.admin.cookie }));
			assert.equal(r.status, 405, `GET ${p}: ${short(r)}`);
			assert.match(r.headers.get('allow') ?? '', /POST/);
			assert.doesNotMatch(r.headers.get('allow') ?? '', /GET/);
		}
		for (const p of pages()) {
			const r = await unchanged(`POST ${p}`, () => post(p,
			    COMMANDS[0][1], { cookie: k.admin.cookie,
			    csrf: k.admin.csrf }));
			assert.equal(r.status, 405, `POST ${p}: ${short(r)}`);
			assert.match(r.headers.get('allow') ?? '', /GET/);
		}
	});

	// Clean up the rule; the same command from the admin does work.
	res = await adminPost('/admin/rules/delete', { id: ruleId });
	assert.equal(res.status, 303, short(res));
});

// ------------------------------------------------------------ accounts

test('create: a 201 page with a one-time link that really sets the ' +
    'account up; the change is audited without the name', async () => {
	const loginName = uniqueLogin('new');
	const name = `Grace Brewster ${letters(6)}`;
	const mark = await auditMark();
	const res = await adminPost('/admin/accounts/create', { login: loginName,
	    name, roles: ['reviewer'], queues: ['general', 'security'] });
	assert.equal(res.status, 201, short(res));
	assert.equal(res.headers.get('cache-control'), 'no-store',
	    'a page showing a set-up link is not cached');
	const token = setupToken(res);
	assert.ok(token, 'the page shows #setup-link with a token');
	assert.ok(!res.text.includes('error-summary'));

	const a = await accountByLogin(loginName);
	assert.ok(a, 'the account exists');
	await assertStoredLink(a.id, token);
	assert.equal(a.display_name, name);
	assert.deepEqual(a.roles, ['reviewer']);
	assert.deepEqual(a.queues, ['general', 'security']);
	assert.equal(a.active, true);
	assert.equal(a.password_hash, null, 'not set up yet');
	await expectAudit(mark, { action: 'account.create',
	    object: `account:${a.id}`, names: [name, loginName],
	    detail: { roles: ['reviewer'], queues: ['general', 'security'] } });

	// The link is shown once: the accounts page does not repeat it.
	const page = await reviewRequest('/admin/accounts',
	    { cookie: k.admin.cookie });
	assert.ok(page.text.includes(loginName));
	assert.ok(!page.text.includes(token), 'the link is shown again');

	// The link works: set-up, then a login, then the work list.
	const user = await activate(token, loginName);
	const list = await reviewRequest('/review', { cookie: user.cookie });
	assert.equal(list.status, 200, short(list));
	assert.match((await accountByLogin(loginName)).password_hash,
	    /^\$argon2id\$/);
	// ... once.
	assert.equal((await openSetup(token)).status, 404);
});

test('create: a taken login, a malformed login, no role, an unknown role ' +
    'or queue, no name are refused with 422 and nothing is made',
    async () => {
	const taken = k.reviewer.login;
	const cases = [
		['taken login', { login: taken }, 'login', /taken/],
		['taken login, other case and spaces',
		    { login: `  ${taken.toUpperCase()} ` }, 'login', /taken/],
		['starts with a digit', { login: `9${letters(6)}` }, 'login', null],
		['one character', { login: 'x' }, 'login', null],
		['a space inside', { login: `ab ${letters(4)}` }, 'login', null],
		['41 characters', { login: `a${letters(40)}` }, 'login', null],
		['a slash', { login: `a/${letters(5)}` }, 'login', null],
		['no login', { login: '' }, 'login', null],
		['no role', { roles: [] }, null, /role/],
		['an unknown role', { roles: ['root'] }, null, /role/],
		['an unknown queue', { queues: ['general', 'nowhere'] }, null,
		    /queue/i],
		['a blank name', { name: '   ' }, 'name', null],
		['an empty name', { name: '' }, 'name', null],
		['a 101-character name', { name: 'N'.repeat(101) }, 'name', null],
	];
	const takenBefore = await accountByLogin(taken);
	await eachCase(cases, async (label, over, field, msg) => {
		const loginName = uniqueLogin('bad');
		const fields = { login: loginName, name: 'Hedy Marker',
		    roles: ['reviewer'], queues: ['general'], ...over };
		const mark = await auditMark();
		const res = await adminPost('/admin/accounts/create', fields);
		assert.equal(res.status, 422, `${label}: ${short(res)}`);
		assert.equal(setupToken(res), null, `${label}: a link was shown`);
		const summary = errorSummary(res);
		assert.ok(summary, `${label}: no error summary`);
		if (msg)
			assert.match(summary, msg, label);
		if (field)
			assert.ok(textById(parseHtml(res.text),
			    `f-new-${field}-error`),
			    `${label}: no error on the ${field} field`);
		const norm = fields.login.trim().toLowerCase();
		if (norm !== taken && norm !== '')
			assert.equal(await accountByLogin(norm), null,
			    `${label}: the account was made`);
		await expectNoAudit(mark, label);
	});
	// The taken account itself is untouched.
	assert.deepEqual(await accountByLogin(taken), takenBefore);
});

test('update: roles and queues change what the person sees at once; ' +
    'supervisors see every queue', async () => {
	const name = `Rosalind Queue ${letters(6)}`;
	const user = await member(name);
	const { id, login: loginName } = user;
	let res;

	const brand = `Queue Shift ${letters(8)}`;
	const [g, s] = await Promise.all([
		fileComplaint({ brand, category: 'privacy.consent' }),
		fileComplaint({ brand, category: 'security.breach' }),
	]);
	assert.equal(g.res.status, 201);
	assert.equal(s.res.status, 201);
	const queues = (await db.query('SELECT reference, queue FROM cases ' +
	    'WHERE reference = ANY ($1)', [[g.reference, s.reference]])).rows;
	assert.deepEqual(Object.fromEntries(queues.map((x) =>
	    [x.reference, x.queue])), { [g.reference]: 'general',
	    [s.reference]: 'security' });

	const sees = async () => {
		const list = await reviewRequest('/review?brand=' +
		    encodeURIComponent(brand), { cookie: user.cookie });
		assert.equal(list.status, 200, short(list));
		const out = {};
		for (const [n, c] of [['general', g], ['security', s]]) {
			const p = await reviewRequest(`/review/cases/${c.reference}`,
			    { cookie: user.cookie });
			out[n] = [list.text.includes(c.reference), p.status];
		}
		return out;
	};
	assert.deepEqual(await sees(), { general: [true, 200],
	    security: [false, 404] }, 'in general');

	let mark = await auditMark();
	res = await adminPost('/admin/accounts/update', { id, name,
	    roles: ['reviewer'], queues: ['security'], active: 'yes' });
	assert.equal(res.status, 303, short(res));
	assert.equal(res.headers.get('location'), `/admin/account?id=${id}`);
	assert.deepEqual((await accountByLogin(loginName)).queues, ['security']);
	await expectAudit(mark, { action: 'account.update',
	    object: `account:${id}`, names: [name],
	    detail: { roles: ['reviewer'], queues: ['security'], active: true } });
	assert.deepEqual(await sees(), { general: [false, 404],
	    security: [true, 200] }, 'moved to security');

	mark = await auditMark();
	res = await adminPost('/admin/accounts/update', { id, name,
	    roles: ['supervisor'], queues: [], active: 'yes' });
	assert.equal(res.status, 303, short(res));
	await expectAudit(mark, { action: 'account.update',
	    object: `account:${id}`, names: [name],
	    detail: { roles: ['supervisor'], queues: [], active: true } });
	assert.deepEqual(await sees(), { general: [true, 200],
	    security: [true, 200] }, 'a supervisor');

	// Made an admin: /admin opens without logging in again; and closes
	// again when the role goes.
	res = await adminPost('/admin/accounts/update', { id, name,
	    roles: ['supervisor', 'admin'], queues: [], active: 'yes' });
	assert.equal(res.status, 303, short(res));
	assert.equal((await reviewRequest('/admin/accounts',
	    { cookie: user.cookie })).status, 200);
	res = await adminPost('/admin/accounts/update', { id, name,
	    roles: ['supervisor'], queues: [], active: 'yes' });
	assert.equal(res.status, 303, short(res));
	assert.equal((await reviewRequest('/admin/accounts',
	    { cookie: user.cookie })).status, 403);

	// A name change is stored, and still not audited as such.
	const renamed = `Rosalind Renamed ${letters(6)}`;
	mark = await auditMark();
	res = await adminPost('/admin/accounts/update', { id, name: renamed,
	    roles: ['supervisor'], queues: [], active: 'yes' });
	assert.equal(res.status, 303, short(res));
	assert.equal((await accountByLogin(loginName)).display_name, renamed);
	await expectAudit(mark, { action: 'account.update',
	    object: `account:${id}`, names: [renamed, name] });

	// Refused updates change nothing.
	await eachCase([['no role', { roles: [] }],
	    ['an unknown queue', { queues: ['nowhere'] }],
	    ['a blank name', { name: '  ' }], ['an empty name', { name: '' }],
	    ['no such account', { id: 999999999 }],
	    ['no id', { id: '' }], ['id not a number', { id: '12x' }]],
	    async (label, over) => {
		const before = await accountByLogin(loginName);
		mark = await auditMark();
		res = await adminPost('/admin/accounts/update', { id, name: renamed,
		    roles: ['supervisor'], queues: [], active: 'yes', ...over });
		assert.equal(res.status, 422, `${label}: ${short(res)}`);
		assert.ok(errorSummary(res), label);
		assert.deepEqual(await accountByLogin(loginName), before, label);
		await expectNoAudit(mark, label);
	});
});

test('update: deactivating ends the sessions at once and blocks logins; ' +
    'reactivating lets the person in again', async () => {
	const name = `Dora Inactive ${letters(6)}`;
	const user = await member(name);
	const { id, login: loginName } = user;
	let res;
	assert.equal((await reviewRequest('/review', { cookie: user.cookie }))
	    .status, 200);

	const mark = await auditMark();
	// The checkbox left unticked: not active.
	res = await adminPost('/admin/accounts/update', { id, name,
	    roles: ['reviewer'], queues: ['general'] });
	assert.equal(res.status, 303, short(res));
	await expectAudit(mark, { action: 'account.update',
	    object: `account:${id}`, names: [name],
	    detail: { roles: ['reviewer'], queues: ['general'], active: false } });
	const a = await accountByLogin(loginName);
	assert.equal(a.active, false);
	assert.equal((await db.query('SELECT count(*)::int AS n FROM ' +
	    'staff_sessions WHERE account_id = $1', [id])).rows[0].n, 0,
	    'the sessions were not ended');

	const gone = await reviewRequest('/review', { cookie: user.cookie });
	assert.equal(gone.status, 303, short(gone));
	assert.equal(gone.headers.get('location'), '/review/login');
	const posted = await forgeAct(user, 'RC-2099-999999', 'take');
	assert.equal(posted.status, 401, short(posted));

	// A right password and a fresh code do not let an inactive account in.
	const { step, code } = await nextCode(user);
	const refused = await login(loginName, PASSWORD, code);
	assert.equal(refused.status, 401, short(refused.res));
	assert.equal(refused.cookie, null);

	// Active again: the very same code now works (it was not consumed).
	res = await adminPost('/admin/accounts/update', { id, name,
	    roles: ['reviewer'], queues: ['general'], active: 'yes' });
	assert.equal(res.status, 303, short(res));
	if (currentStep() - 1 <= step) {
		const ok = await login(loginName, PASSWORD, code);
		assert.equal(ok.status, 303, short(ok.res));
		user.lastStep = step;
	} else {
		await signIn(user);
	}
});

test('update: an admin can neither drop their own admin role nor ' +
    'deactivate themselves', async () => {
	const me = k.admin;
	const before = await accountByLogin(me.login);
	for (const [label, fields] of [
		['drop admin', { roles: ['reviewer', 'supervisor'], active: 'yes' }],
		['deactivate', { roles: ['admin'] }],
		['both', { roles: ['reviewer'] }],
	]) {
		const mark = await auditMark();
		const res = await adminPost('/admin/accounts/update', { id: me.id,
		    name: k.adminName, queues: [], ...fields });
		assert.equal(res.status, 422, `${label}: ${short(res)}`);
		assert.match(errorSummary(res), /your own admin role|yourself/,
		    label);
		assert.deepEqual(await accountByLogin(me.login), before, label);
		await expectNoAudit(mark, label);
	}
	const still = await reviewRequest('/admin', { cookie: me.cookie });
	assert.equal(still.status, 200, 'the admin lost their access');
	// Keeping the role while changing something else is fine.
	const mark = await auditMark();
	const res = await adminPost('/admin/accounts/update', { id: me.id,
	    name: k.adminName, roles: ['admin', 'supervisor'], queues: [],
	    active: 'yes' });
	assert.equal(res.status, 303, short(res));
	await expectAudit(mark, { action: 'account.update',
	    object: `account:${me.id}`, names: [k.adminName] });
	const back = await adminPost('/admin/accounts/update', { id: me.id,
	    name: k.adminName, roles: ['admin'], queues: [], active: 'yes' });
	assert.equal(back.status, 303, short(back));
});

test('reset: a new link works and the earlier unused one stops working',
    async () => {
	const name = `Linus Reset ${letters(6)}`;
	const loginName = uniqueLogin('rl');
	// The first link from recourse-admin, the second from /admin.
	const acc = await createAccount({ login: loginName, name });
	const first = acc.token;
	const id = acc.id;
	let res;
	// The first link is opened (as if the person clicked it) but not used.
	const open = await openSetup(first);
	assert.equal(open.status, 200);

	const mark = await auditMark();
	res = await adminPost('/admin/accounts/reset', { id });
	assert.equal(res.status, 201, short(res));
	const second = setupToken(res);
	assert.ok(second, 'the page shows the new link');
	assert.notEqual(second, first);
	await assertStoredLink(id, second);
	await expectAudit(mark, { action: 'account.reset_link',
	    object: `account:${id}`, names: [name], detail: {} });

	assert.equal((await openSetup(first)).status, 404,
	    'the earlier link still opens');
	// The form the earlier link had open cannot finish the set-up either.
	await awayFromStepEdge(3000);
	const late = await reviewRequest('/account/setup', { method: 'POST',
	    cookie: `rc_csrf=${open.cookie}`, body: form({ csrf: open.csrf,
	    token: first, password: PASSWORD, password_confirm: PASSWORD,
	    code: totpAt(open.secret, currentStep()) }) });
	assert.notEqual(late.status, 200, 'the earlier link set the account up');
	assert.ok(late.status >= 400, short(late));
	assert.equal((await accountByLogin(loginName)).password_hash, null);

	await activate(second, loginName);
	assert.equal((await openSetup(second)).status, 404, 'a link works once');

	// No such account: 422, no link.
	const m2 = await auditMark();
	res = await adminPost('/admin/accounts/reset', { id: 999999999 });
	assert.equal(res.status, 422, short(res));
	assert.equal(setupToken(res), null);
	await expectNoAudit(m2, 'reset of no account');
});

test('brand bar: hides the brand\'s cases (case-insensitively, trimmed), ' +
    'releases one assigned to the person; unbar restores them', async () => {
	const name = `Barbara Barred ${letters(6)}`;
	const user = await member(name);
	const { id } = user;
	let res;

	const brand = `Bar Brand ${letters(8)}`;
	const [c1, c2, other] = await Promise.all([
		fileComplaint({ brand }),
		fileComplaint({ brand: `  ${brand.toLowerCase()}  ` }),
		fileComplaint({ brand: `${brand} Other` }),
	]);
	for (const c of [c1, c2, other])
		assert.equal(c.res.status, 201);
	const take = await act(user, c1.reference, 'take');
	assert.equal(take.status, 303, short(take));
	assert.equal(Number((await db.query('SELECT assignee FROM cases ' +
	    'WHERE reference = $1', [c1.reference])).rows[0].assignee), id);

	const sees = async () => {
		const out = [];
		for (const c of [c1, c2, other]) {
			const list = await reviewRequest('/review?brand=' +
			    encodeURIComponent(c.fields.brand), { cookie: user.cookie });
			const p = await reviewRequest(`/review/cases/${c.reference}`,
			    { cookie: user.cookie });
			out.push([list.text.includes(c.reference), p.status]);
		}
		return out;
	};
	assert.deepEqual(await sees(), [[true, 200], [true, 200], [true, 200]]);

	let mark = await auditMark();
	res = await adminPost('/admin/accounts/bar', { id,
	    brand: `   ${brand.toUpperCase()} ` });
	assert.equal(res.status, 303, short(res));
	assert.equal(res.headers.get('location'), `/admin/account?id=${id}`);
	await expectAudit(mark, { action: 'account.brand_bar',
	    object: `account:${id}`, names: [name],
	    detail: { brand: brand.toLowerCase() } });
	assert.deepEqual((await db.query('SELECT brand_key FROM brand_bars ' +
	    'WHERE account_id = $1', [id])).rows.map((r) => r.brand_key),
	    [brand.toLowerCase()]);
	assert.deepEqual(await sees(), [[false, 404], [false, 404], [true, 200]],
	    'after the bar');

	// The assigned case was released, on the record.
	const row = (await db.query('SELECT id, assignee FROM cases ' +
	    'WHERE reference = $1', [c1.reference])).rows[0];
	assert.equal(row.assignee, null, 'the barred reviewer still has the case');
	const ev = (await db.query('SELECT kind, actor, detail FROM case_events ' +
	    'WHERE case_id = $1 ORDER BY id', [row.id])).rows;
	const last = ev[ev.length - 1];
	assert.equal(last.kind, 'released');
	assert.equal(last.actor, `staff:${k.admin.id}`);
	assert.deepEqual(last.detail, { from: id, reason: 'brand_bar' });
	const released = await db.query('SELECT count(*)::int AS n FROM ' +
	    'audit_events WHERE action = \'case.released\' AND object = $1 ' +
	    'AND actor = $2 AND id > $3', [`case:${c1.reference}`,
	    `staff:${k.admin.id}`, mark]);
	assert.equal(released.rows[0].n, 1, 'the release is audited');
	// ... and cannot be taken back by the barred reviewer.
	const again = await forgeAct(user, c1.reference, 'take');
	assert.equal(again.status, 404, short(again));
	// The account's page lists the bar.
	const page = await reviewRequest(`/admin/account?id=${id}`,
	    { cookie: k.admin.cookie });
	assert.ok(page.text.includes(brand.toLowerCase()));

	mark = await auditMark();
	res = await adminPost('/admin/accounts/unbar', { id,
	    brand: brand.toLowerCase() });
	assert.equal(res.status, 303, short(res));
	await expectAudit(mark, { action: 'account.brand_unbar',
	    object: `account:${id}`, names: [name],
	    detail: { brand: brand.toLowerCase() } });
	assert.equal((await db.query('SELECT count(*)::int AS n FROM brand_bars ' +
	    'WHERE account_id = $1', [id])).rows[0].n, 0);
	assert.deepEqual(await sees(), [[true, 200], [true, 200], [true, 200]],
	    'after the unbar');

	// No brand: 422.
	mark = await auditMark();
	res = await adminPost('/admin/accounts/bar', { id, brand: '   ' });
	assert.equal(res.status, 422, short(res));
	await expectNoAudit(mark, 'empty bar');
});

// ------------------------------------------------------------ routing

test('queues: a new queue, a rename; general and a queue rules route to ' +
    'stay active', async () => {
	const code = `q_${letters(10)}`;
	let mark = await auditMark();
	let res = await adminPost('/admin/queues/save', { code,
	    name: 'Adtech test queue', active: 'yes', retention_months: '12' });
	assert.equal(res.status, 303, short(res));
	assert.equal(res.headers.get('location'), '/admin/routing');
	await expectAudit(mark, { action: 'queue.save', object: `queue:${code}`,
	    detail: { name: 'Adtech test queue', active: true,
	    retention_months: 12 } });
	const q = async (c) => (await db.query('SELECT code, name, active FROM ' +
	    'queues WHERE code = $1', [c])).rows;
	assert.deepEqual(await q(code), [{ code, name: 'Adtech test queue',
	    active: true }]);
	let page = await reviewRequest('/admin/routing',
	    { cookie: k.admin.cookie });
	assert.ok(page.text.includes(code));

	mark = await auditMark();
	res = await adminPost('/admin/queues/save', { code,
	    name: '  Renamed test queue ', active: 'yes',
	    retention_months: ' 18 ' });
	assert.equal(res.status, 303, short(res));
	assert.deepEqual(await q(code), [{ code, name: 'Renamed test queue',
	    active: true }]);
	await expectAudit(mark, { action: 'queue.save', object: `queue:${code}`,
	    detail: { name: 'Renamed test queue', active: true,
	    retention_months: 18 } });

	// A rule routes here: it cannot be switched off until the rule goes.
	const pos = freePosition();
	res = await adminPost('/admin/rules/add', { position: pos,
	    brand: `Queue Rule ${letters(6)}`, queue: code, priority: '2' });
	assert.equal(res.status, 303, short(res));
	const ruleId = (await db.query('SELECT id FROM routing_rules ' +
	    'WHERE position = $1', [Number(pos)])).rows[0].id;
	const generalBefore = await q('general');
	const securityBefore = await q('security');
	for (const [label, c, name, re] of [
		['general', 'general', generalBefore[0].name, /general/i],
		['security (seeded rule)', 'security', securityBefore[0].name,
		    /[Rr]ules/],
		['ours (our rule)', code, 'Renamed test queue', /[Rr]ules/],
	]) {
		mark = await auditMark();
		res = await adminPost('/admin/queues/save', { code: c, name,
		    retention_months: '12' });
		assert.equal(res.status, 422, `${label}: ${short(res)}`);
		assert.match(errorSummary(res), re, label);
		await expectNoAudit(mark, label);
	}
	assert.deepEqual(await q('general'), generalBefore);
	assert.deepEqual(await q('security'), securityBefore);
	assert.equal((await q(code))[0].active, true);

	res = await adminPost('/admin/rules/delete', { id: ruleId });
	assert.equal(res.status, 303, short(res));
	mark = await auditMark();
	res = await adminPost('/admin/queues/save', { code,
	    name: 'Renamed test queue', retention_months: '18' });
	assert.equal(res.status, 303, short(res));
	assert.equal((await q(code))[0].active, false);
	await expectAudit(mark, { action: 'queue.save', object: `queue:${code}`,
	    detail: { name: 'Renamed test queue', active: false,
	    retention_months: 18 } });
	// An inactive queue takes no new rules.
	mark = await auditMark();
	res = await adminPost('/admin/rules/add', { position: freePosition(),
	    queue: code, priority: '2' });
	assert.equal(res.status, 422, short(res));
	await expectNoAudit(mark, 'rule to an inactive queue');

	// Malformed codes and names.
	await eachCase([
		['no code', { code: '', name: 'x', active: 'yes' }],
		['upper case', { code: 'Bad_Queue', name: 'x', active: 'yes' }],
		['a digit', { code: `q${letters(4)}9`, name: 'x', active: 'yes' }],
		['one letter', { code: 'q', name: 'x', active: 'yes' }],
		['a blank name', { code: `q_${letters(8)}`, name: ' ',
		    active: 'yes' }],
		['an empty name', { code: `q_${letters(8)}`, name: '',
		    active: 'yes' }],
		...['', '0', '121', '1.5', 'x', '-3'].map((m) => [
		    `retention "${m}"`, { code: `q_${letters(8)}`, name: 'x',
		    active: 'yes', retention_months: m }]),
	], async (label, fields) => {
		mark = await auditMark();
		res = await adminPost('/admin/queues/save', fields);
		assert.equal(res.status, 422, `${label}: ${short(res)}`);
		await expectNoAudit(mark, label);
		assert.deepEqual(await q(fields.code), [], label);
	});
	page = await reviewRequest('/admin/routing', { cookie: k.admin.cookie });
	assert.equal(page.status, 200);
});

test('rules: a new rule routes the next public complaint at once; a taken ' +
    'position is refused; a deleted rule stops routing', async () => {
	const code = `q_${letters(10)}`;
	let res = await adminPost('/admin/queues/save', { code,
	    name: 'Routed test queue', active: 'yes', retention_months: '12' });
	assert.equal(res.status, 303, short(res));

	const brand = `Route Brand ${letters(8)}`;
	const pos = freePosition();
	let mark = await auditMark();
	res = await adminPost('/admin/rules/add', { position: pos,
	    category: 'privacy.consent', channel: '', vulnerable: 'no',
	    brand: `  ${brand}  `, queue: code, priority: '4' });
	assert.equal(res.status, 303, short(res));
	assert.equal(res.headers.get('location'), '/admin/routing');
	const rule = (await db.query('SELECT * FROM routing_rules ' +
	    'WHERE position = $1', [Number(pos)])).rows[0];
	assert.ok(rule, 'the rule was stored');
	assert.deepEqual({ ...rule, id: undefined }, { id: undefined,
	    position: Number(pos), category: 'privacy.consent', channel: null,
	    vulnerable: false, brand, queue: code, priority: 4,
	    // No SLA policy of its own: standard, or urgent when urgent.
	    policy: null, targeting_reason: null, ai_disclosed: null });
	await expectAudit(mark, { action: 'routing_rule.add',
	    object: `routing_rule:${rule.id}`, detail: { position: Number(pos),
	    category: 'privacy.consent', channel: null, vulnerable: false,
	    brand, queue: code, priority: 4, policy: null,
	    targeting_reason: null, ai_disclosed: null } });
	const page = await reviewRequest('/admin/routing',
	    { cookie: k.admin.cookie });
	assert.ok(page.text.includes(brand));

	const routed = async (over) => {
		const r = await fileComplaint({ category: 'privacy.consent', ...over });
		assert.equal(r.res.status, 201, short(r.res));
		return (await db.query('SELECT queue, priority FROM cases ' +
		    'WHERE reference = $1', [r.reference])).rows[0];
	};
	assert.deepEqual(await routed({ brand }), { queue: code, priority: 4 },
	    'the rule did not route the complaint');
	assert.deepEqual(await routed({ brand: brand.toUpperCase() }),
	    { queue: code, priority: 4 }, 'brands match case-insensitively');
	// The other conditions still apply.
	assert.deepEqual(await routed({ brand, category: 'privacy.notice' }),
	    { queue: 'general', priority: 2 });
	assert.deepEqual(await routed({ brand: `${brand} Other` }),
	    { queue: 'general', priority: 2 });
	// An earlier rule still wins: a vulnerable person goes to 'vulnerable'.
	assert.deepEqual(await routed({ brand, vulnerable: 'yes' }),
	    { queue: 'vulnerable', priority: 4 });

	// A taken position, and other bad rules.
	const count = async () => (await db.query('SELECT count(*)::int AS n ' +
	    'FROM routing_rules')).rows[0].n;
	// (Checked at the end, so that the rule is deleted in any case.)
	const refusals = eachCase([
		['taken position', {}, 'position'],
		['a seeded position', { position: '30' }, 'position'],
		['no position', { position: '' }, 'position'],
		['position not a number', { position: '1e3' }, 'position'],
		['priority 5', { position: freePosition(), priority: '5' }, null],
		['priority 0', { position: freePosition(), priority: '0' }, null],
		['unknown concern', { position: freePosition(),
		    category: 'no.such' }, null],
		['unknown channel', { position: freePosition(),
		    channel: 'pigeon' }, null],
		['unknown queue', { position: freePosition(), queue: 'nowhere' },
		    null],
		['vulnerable maybe', { position: freePosition(),
		    vulnerable: 'maybe' }, null],
	], async (label, over, field) => {
		const n = await count();
		mark = await auditMark();
		res = await adminPost('/admin/rules/add', { position: pos,
		    category: 'privacy.consent', brand: `Other ${letters(5)}`,
		    queue: code, priority: '3', ...over });
		assert.equal(res.status, 422, `${label}: ${short(res)}`);
		assert.ok(errorSummary(res), label);
		if (field)
			assert.ok(textById(parseHtml(res.text),
			    `f-new-${field}-error`), `${label}: no field error`);
		assert.equal(await count(), n, `${label}: a rule was added`);
		await expectNoAudit(mark, label);
	}).then(() => null, (e) => e);
	const refused = await refusals;

	mark = await auditMark();
	res = await adminPost('/admin/rules/delete', { id: rule.id });
	assert.equal(res.status, 303, short(res));
	assert.equal((await db.query('SELECT count(*)::int AS n FROM ' +
	    'routing_rules WHERE id = $1', [rule.id])).rows[0].n, 0);
	await expectAudit(mark, { action: 'routing_rule.delete',
	    object: `routing_rule:${rule.id}`, detail: { position: Number(pos),
	    category: 'privacy.consent', channel: null, vulnerable: false,
	    brand, queue: code, priority: 4, policy: null,
	    targeting_reason: null, ai_disclosed: null } });
	assert.deepEqual(await routed({ brand }), { queue: 'general',
	    priority: 2 }, 'the deleted rule still routes');

	// Deleting it again, or nonsense: 422.
	for (const id of [rule.id, 'abc', '']) {
		mark = await auditMark();
		res = await adminPost('/admin/rules/delete', { id });
		assert.equal(res.status, 422, `delete ${id}: ${short(res)}`);
		await expectNoAudit(mark, `delete ${id}`);
	}
	// Retire the queue again (no rule routes there now).
	res = await adminPost('/admin/queues/save', { code,
	    name: 'Routed test queue', retention_months: '12' });
	assert.equal(res.status, 303, short(res));
	if (refused)
		throw refused;
});

// ------------------------------------------------------------ taxonomy

// The category codes a form page offers.
function formCategories(doc) {
	return doc.querySelectorAll('input[name="category"]')
	    .map((e) => e.getAttribute('value'));
}

// Posts the complaint form with a category no one has (forged: no page
// offers it): the public side answers 422 and, having dropped its cached
// taxonomy, shows the form with the database's current list (no waiting
// for the cache to age).
async function freshPublicForm() {
	const f = await getForm();
	const res = await postComplaint(f, validFields({
	    category: `nosuch.${letters(8)}` }), { forged: true });
	assert.equal(res.status, 422, short(res));
	return formCategories(res.doc);
}

test('categories: a new concern is offered and accepted; a retired one is ' +
    'refused at intake; both audited', async () => {
	const code = `t${letters(8)}.added`;
	const label = `A new concern ${letters(6)}`;
	const cats = async () => (await db.query('SELECT code, label, hint, ' +
	    'position, active FROM concern_categories WHERE code = $1',
	    [code])).rows;

	let mark = await auditMark();
	let res = await adminPost('/admin/categories/save', { code, label,
	    hint: 'A hint for the new concern.', position: '115', active: 'yes' });
	assert.equal(res.status, 303, short(res));
	assert.equal(res.headers.get('location'), '/admin/taxonomy');
	assert.deepEqual(await cats(), [{ code, label,
	    hint: 'A hint for the new concern.', position: 115, active: true }]);
	await expectAudit(mark, { action: 'category.save',
	    object: `category:${code}`,
	    detail: { label, active: true, position: 115 } });
	let page = await reviewRequest('/admin/taxonomy',
	    { cookie: k.admin.cookie });
	assert.ok(page.text.includes(code) && page.text.includes(label));

	try {
		// The public side: offered on the form (once its cache is
		// refreshed) and accepted at intake at once.
		assert.ok((await freshPublicForm()).includes(code),
		    'the new concern is not on the public form');
		const ok = await apiComplaint(validDoc({ category: code }));
		assert.equal(ok.status, 201, ok.text.slice(0, 300));
		// The back office can triage to it.
		const opts = (await db.query('SELECT case_page_options($1, ' +
		    '$2) AS o', [k.supervisor.id, ok.json.reference])).rows[0].o;
		assert.ok(opts.categories.some((c) => c.code === code));
	} finally {
		// Retired (the checkbox left unticked).
		mark = await auditMark();
		res = await adminPost('/admin/categories/save', { code, label,
		    hint: 'A hint for the new concern.', position: '115' });
		assert.equal(res.status, 303, short(res));
	}
	assert.equal((await cats())[0].active, false);
	await expectAudit(mark, { action: 'category.save',
	    object: `category:${code}`,
	    detail: { label, active: false, position: 115 } });
	page = await reviewRequest('/admin/taxonomy', { cookie: k.admin.cookie });
	assert.ok(page.text.includes(code), 'a retired concern stays listed');

	// Refused at intake (the database decides, whatever a cache says),
	// and gone from the form the refusal shows.
	const api = await apiComplaint(validDoc({ category: code }));
	assert.equal(api.status, 422, api.text.slice(0, 300));
	assert.deepEqual(Object.keys(api.json.error.fields), ['category']);
	// (A page opened before the retirement still offered it: posted as
	// that page would, which today's page no longer can.)
	const f = await getForm();
	const viaForm = await postComplaint(f, validFields({ category: code }),
	    { forged: true });
	assert.equal(viaForm.status, 422, short(viaForm));
	assert.ok(!formCategories(viaForm.doc).includes(code),
	    'the refusal still offers the retired concern');
	assert.ok(!(await freshPublicForm()).includes(code));

	// A relabelled concern keeps its code; bad input is refused.
	await eachCase([
		['two dots', { code: 'a.b.c', label: 'x', position: '1' }],
		['upper case', { code: 'Privacy.X', label: 'x', position: '1' }],
		['a blank label', { code: `t${letters(6)}`, label: ' ',
		    position: '1' }],
		['an empty label', { code: `t${letters(6)}`, label: '',
		    position: '1' }],
		['no position', { code: `t${letters(6)}`, label: 'x',
		    position: '' }],
		['negative position', { code: `t${letters(6)}`, label: 'x',
		    position: '-1' }],
		['hint too long', { code: `t${letters(6)}`, label: 'x',
		    position: '1', hint: 'h'.repeat(501) }],
	], async (lbl, fields) => {
		mark = await auditMark();
		res = await adminPost('/admin/categories/save', { active: 'yes',
		    ...fields });
		assert.equal(res.status, 422, `${lbl}: ${short(res)}`);
		await expectNoAudit(mark, lbl);
		assert.equal((await db.query('SELECT count(*)::int AS n FROM ' +
		    'concern_categories WHERE code = $1', [fields.code])).rows[0].n,
		    0, lbl);
	});
});

// ------------------------------------------------------------ the log

test('the audit log page lists the admin changes by login, and the ' +
    'admin changes never carry display names', async () => {
	const page = await reviewRequest('/admin/audit',
	    { cookie: k.admin.cookie });
	assert.equal(page.status, 200);
	const rows = parseHtml(page.text).querySelectorAll('table.audit tbody tr')
	    .map((tr) => tr.querySelectorAll('td').map((td) => td.text.trim()));
	assert.ok(rows.some((r) => r[2] === k.admin.login &&
	    r[3] === 'account.create'), 'no account.create row by the admin');
	// Every admin change by this admin, whatever the action.
	const ev = await adminEventsSince(0);
	const actions = new Set(ev.map((e) => e.action));
	for (const a of ['account.create', 'account.update', 'account.reset_link',
	    'account.brand_bar', 'account.brand_unbar', 'queue.save',
	    'routing_rule.add', 'routing_rule.delete', 'category.save'])
		assert.ok(actions.has(a), `no ${a} event`);
	const names = (await db.query('SELECT display_name FROM ' +
	    'staff_accounts')).rows.map((r) => r.display_name)
	    .filter((n) => n.length >= 8);
	for (const e of ev)
		for (const n of names)
			assert.ok(!e.detail_text.includes(n) && !e.object.includes(n),
			    `${e.action} ${e.object} names ${n}`);
});
