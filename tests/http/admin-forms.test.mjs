// Every administration form, sent through the page that renders it with several invalid fields at once: 422, an error next to each bad field and in the summary (each linking to its field), everything typed or chosen still in the form, and nothing saved or audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import pg from 'pg';
import { dbConfig } from '../lib/db.mjs';
import { REVIEW, staffUser, reviewRequest, createAccount, uniqueLogin }
    from '../lib/staff.mjs';
import { parseHtml, errorFields, formValues } from '../lib/html.mjs';
import { formsOf } from '../lib/pageform.mjs';

let db;
let admin;

function letters(n) {
	return Array.from(crypto.randomBytes(n),
	    (b) => String.fromCharCode(97 + (b % 26))).join('');
}

before(async () => {
	db = new pg.Client(dbConfig());
	await db.connect();
	admin = await staffUser({ roles: ['admin'], queues: [],
	    name: `Forms Admin ${letters(6)}` });
});

after(async () => {
	await db?.end();
});

async function page(path) {
	const res = await reviewRequest(path, { cookie: admin.cookie });
	assert.equal(res.status, 200, `GET ${path}`);
	return { doc: parseHtml(res.text), url: REVIEW + path };
}

// The one form posting to 'action' that 'pick' accepts (by default the
// one whose code is typed, not hidden: a "new" form).
function theForm(doc, url, action, pick = (f) => f.hidden('code') === null) {
	const all = formsOf(doc, url).filter((f) => f.action === action &&
	    pick(f));
	assert.equal(all.length, 1, `${all.length} forms post to ${action}`);
	return all[0];
}

// Admin changes audited since the mark (by anyone: nothing may change).
async function auditMark() {
	const r = await db.query('SELECT coalesce(max(id), 0)::bigint AS id ' +
	    'FROM audit_events');
	return r.rows[0].id;
}

async function adminEvents(mark) {
	const r = await db.query('SELECT action FROM audit_events WHERE id > $1 ' +
	    'AND actor = $2 AND action ~ \'^(account|queue|routing_rule|' +
	    'category|targeting_reason)\\.\'', [mark, `staff:${admin.id}`]);
	return r.rows.map((x) => x.action);
}

// By id, which may hold a dot (a concern's code).
function byId(doc, id) {
	return doc.querySelector(`[id="${id}"]`);
}

/*
 * Sends the form filled with 'fields' and checks the answer: 422; an
 * error element f-<id>-error for exactly the ids in 'bad'; the summary
 * linking to each of them; the same form (found again by 'pick') holding
 * every value sent; no admin change audited and 'state' unchanged.
 */
async function refused({ path, action, pick, fields, bad, state }) {
	const { doc, url } = await page(path);
	const form = theForm(doc, url, action, pick).fill(fields);
	const sent = form.entries().filter(([k]) => k !== 'csrf');
	const before = await state();
	const mark = await auditMark();
	const res = await form.submit({ cookie: admin.cookie });
	const label = `${action} ${JSON.stringify(fields).slice(0, 80)}`;
	assert.equal(res.status, 422, `${label}: ${res.text.slice(0, 300)}`);
	assert.deepEqual(errorFields(res.doc), [...bad].sort(),
	    `${label}: fields with an error`);
	for (const id of bad) {
		const input = byId(res.doc, `f-${id}`) ??
		    res.doc.querySelectorAll(`[id^="f-${id}-"]`).find((e) =>
		    !e.getAttribute('id').endsWith('-error'));
		assert.ok(input, `${label}: no field f-${id}`);
	}
	const summary = res.doc.querySelector('.error-summary');
	assert.ok(summary, `${label}: no error summary`);
	const links = summary.querySelectorAll('a').map((a) =>
	    a.getAttribute('href'));
	for (const id of bad) {
		const msg = byId(res.doc, `f-${id}-error`).text
		    .replace(/^Error: /, '').trim();
		assert.ok(msg.length > 0, `${label}: empty error for ${id}`);
		const link = links.find((h) => h === `#f-${id}` ||
		    h.startsWith(`#f-${id}-`));
		assert.ok(link, `${label}: the summary does not link ${id} ` +
		    `(links: ${links})`);
		assert.ok(byId(res.doc, link.slice(1)), `${label}: ${link} ` +
		    'names no element');
		assert.ok(summary.text.includes(msg), `${label}: the summary ` +
		    `lacks "${msg}"`);
	}
	// The form as re-rendered: what a browser would send again.
	const again = theForm(res.doc, url, action, pick);
	assert.deepEqual(again.entries().filter(([k]) => k !== 'csrf'), sent,
	    `${label}: the form lost what was typed`);
	const shown = formValues(again.el);
	for (const [k, v] of Object.entries(fields))
		if (typeof v === 'string')
			assert.equal(shown[k], v, `${label}: ${k} shown`);
	assert.deepEqual(await adminEvents(mark), [], `${label}: audited`);
	assert.deepEqual(await state(), before, `${label}: something changed`);
	return res;
}

async function account(id) {
	const r = await db.query('SELECT a.login, a.display_name, a.roles::text, ' +
	    'a.active, (SELECT array_agg(m.queue ORDER BY m.queue) FROM ' +
	    'queue_members m WHERE m.account_id = a.id) AS queues, ' +
	    '(SELECT array_agg(b.brand_key ORDER BY b.brand_key) FROM ' +
	    'brand_bars b WHERE b.account_id = a.id) AS bars, ' +
	    '(SELECT count(*)::int FROM staff_setup_tokens t WHERE ' +
	    't.account_id = a.id) AS tokens FROM staff_accounts a ' +
	    'WHERE a.id = $1', [id]);
	return r.rows[0];
}

async function accountByLogin(login) {
	const r = await db.query('SELECT id FROM staff_accounts WHERE login = $1',
	    [login]);
	return r.rows.length;
}

async function queue(code) {
	const r = await db.query('SELECT * FROM queues WHERE code = $1', [code]);
	return r.rows;
}

async function targetingReason(code) {
	const r = await db.query('SELECT * FROM targeting_reasons ' +
	    'WHERE code = $1', [code]);
	return r.rows;
}

async function category(code) {
	const r = await db.query('SELECT * FROM concern_categories ' +
	    'WHERE code = $1', [code]);
	return r.rows;
}

test('new account: a taken login, a too long name and no role, all at ' +
    'once; the queues chosen stay ticked', async () => {
	const taken = admin.login;
	await refused({ path: '/admin/accounts', action: '/admin/accounts/create',
	    fields: { login: taken.toUpperCase(), name: 'N'.repeat(101),
	    roles: [], queues: ['fairness', 'security'] },
	    bad: ['new-login', 'new-name', 'new-roles'],
	    state: async () => [await account(admin.id),
	        await accountByLogin(taken.toUpperCase())] });
	const fresh = uniqueLogin('f');
	await refused({ path: '/admin/accounts', action: '/admin/accounts/create',
	    fields: { login: `9${fresh}`, name: ' ', roles: ['supervisor',
	    'admin'], queues: ['general'] },
	    bad: ['new-login', 'new-name'],
	    state: async () => accountByLogin(`9${fresh}`) });
});

test('one account: a blank name and no role, all at once; the queues and ' +
    'the unticked box stay as chosen', async () => {
	const acc = await createAccount({ name: 'Kept Person',
	    roles: ['reviewer'], queues: ['general'] });
	await refused({ path: `/admin/account?id=${acc.id}`,
	    action: '/admin/accounts/update', pick: () => true,
	    fields: { name: 'N'.repeat(101), roles: [],
	    queues: ['security', 'vulnerable'], active: false },
	    bad: ['new-name', 'acct-roles'],
	    state: () => account(acc.id) });
});

test('own account: dropping one\'s own admin role and deactivating oneself ' +
    'are both reported', async () => {
	await refused({ path: `/admin/account?id=${admin.id}`,
	    action: '/admin/accounts/update', pick: () => true,
	    fields: { name: 'Renamed Admin', roles: ['reviewer'],
	    queues: ['general'], active: false },
	    bad: ['acct-roles', 'acct-active'],
	    state: () => account(admin.id) });
});

test('brand bar: a too long brand keeps what was typed', async () => {
	const acc = await createAccount({ name: 'Barred Person' });
	await refused({ path: `/admin/account?id=${acc.id}`,
	    action: '/admin/accounts/bar', pick: () => true,
	    fields: { brand: `Brand ${'b'.repeat(200)}` },
	    bad: ['new-brand'], state: () => account(acc.id) });
});

test('queues: a new queue with a bad code and a too long name; a queue\'s ' +
    'own row with a blank name and a rule still routing to it', async () => {
	await refused({ path: '/admin/routing', action: '/admin/queues/save',
	    fields: { code: 'Bad Code', name: 'Q'.repeat(101) },
	    bad: ['new-code', 'new-name'],
	    state: () => queue('Bad Code') });
	// A queue of our own with a rule routing to it.
	const code = `q_${letters(10)}`;
	const { doc, url } = await page('/admin/routing');
	let res = await theForm(doc, url, '/admin/queues/save')
	    .fill({ code, name: 'Forms queue' }).submit({ cookie: admin.cookie });
	assert.equal(res.status, 303);
	const p2 = await page('/admin/routing');
	res = await theForm(p2.doc, p2.url, '/admin/rules/add', () => true)
	    .fill({ position: String(300000 + crypto.randomInt(600000)),
	    brand: `Forms ${letters(6)}`, queue: code })
	    .submit({ cookie: admin.cookie });
	assert.equal(res.status, 303);
	await refused({ path: '/admin/routing', action: '/admin/queues/save',
	    pick: (f) => f.hidden('code') === code,
	    fields: { name: '   ', active: false },
	    bad: [`q-${code}-name`, `q-${code}-active`],
	    state: () => queue(code) });
});

test('rules: a taken position and a too long brand; every choice made ' +
    'stays selected', async () => {
	const count = async () => (await db.query('SELECT count(*)::int AS n, ' +
	    'max(id) AS m FROM routing_rules')).rows[0];
	await refused({ path: '/admin/routing', action: '/admin/rules/add',
	    pick: () => true,
	    fields: { position: '30', category: 'bias.pricing', channel: 'sms',
	    vulnerable: 'no', brand: 'B'.repeat(201), queue: 'fairness',
	    priority: '4' },
	    bad: ['new-position', 'new-brand'], state: count });
	await refused({ path: '/admin/routing', action: '/admin/rules/add',
	    pick: () => true,
	    fields: { position: '1e3', category: '', channel: 'email',
	    vulnerable: 'yes', brand: ` ${'x'.repeat(201)} `, queue: 'security',
	    priority: '1' },
	    bad: ['new-position', 'new-brand'], state: count });
});

test('concerns: a new concern with every field wrong; a concern\'s own row ' +
    'with a blank label and a bad position', async () => {
	await refused({ path: '/admin/taxonomy',
	    action: '/admin/categories/save',
	    fields: { code: 'Bad..Code', label: 'L'.repeat(201),
	    hint: 'H'.repeat(501), position: 'first' },
	    bad: ['new-c-code', 'new-c-label', 'new-c-hint', 'new-c-position'],
	    state: () => category('Bad..Code') });
	const code = `formtest.c_${letters(8)}`;
	const { doc, url } = await page('/admin/taxonomy');
	const res = await theForm(doc, url, '/admin/categories/save')
	    .fill({ code, label: 'A forms test concern', hint: '',
	    position: '990001' }).submit({ cookie: admin.cookie });
	assert.equal(res.status, 303);
	await refused({ path: '/admin/taxonomy',
	    action: '/admin/categories/save',
	    pick: (f) => f.hidden('code') === code,
	    fields: { label: ' ', hint: 'A hint kept', position: '-5',
	    active: false },
	    bad: [`c-${code}-label`, `c-${code}-position`],
	    state: () => category(code) });
	// Retired again, so the public form does not offer it.
	const p = await page('/admin/taxonomy');
	const off = await theForm(p.doc, p.url, '/admin/categories/save',
	    (f) => f.hidden('code') === code).fill({ active: false })
	    .submit({ cookie: admin.cookie });
	assert.equal(off.status, 303);
});

test('targeting reasons: a new reason with every field wrong; a reason\'s ' +
    'own row with a blank label; a rule naming a reason and an AI answer ' +
    'keeps both chosen when refused', async () => {
	await refused({ path: '/admin/taxonomy',
	    action: '/admin/targeting/save',
	    pick: (f) => f.hidden('code') === null &&
	        f.controls.has('label'),
	    fields: { code: 'Not.A.Code', label: '', hint: 'H'.repeat(501),
	    position: 'x' },
	    bad: ['new-t-code', 'new-t-label', 'new-t-hint', 'new-t-position'],
	    state: () => targetingReason('Not.A.Code') });
	await refused({ path: '/admin/taxonomy',
	    action: '/admin/targeting/save',
	    pick: (f) => f.hidden('code') === 'retargeting',
	    fields: { label: '  ', position: '12' },
	    bad: ['t-retargeting-label'],
	    state: () => targetingReason('retargeting') });
	const count = async () => (await db.query('SELECT count(*)::int AS n, ' +
	    'max(id) AS m FROM routing_rules')).rows[0];
	await refused({ path: '/admin/routing', action: '/admin/rules/add',
	    pick: () => true,
	    fields: { position: '30', targeting_reason: 'lookalike_audience',
	    ai_disclosed: 'not_sure', queue: 'fairness', priority: '3' },
	    bad: ['new-position'], state: count });
});
