// Every form on every page, public and back office, filled as a person would and sent: the fields its handler used (named by the test configuration in X-Recourse-Form-Reads) are exactly the fields the form has, so no handler reads a name the page never sends and no field is sent for nothing.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { formsOf } from '../lib/pageform.mjs';
import { parseHtml } from '../lib/html.mjs';
import { REVIEW, staffUser, createAccount, openSetup, reviewRequest,
    casePage } from '../lib/staff.mjs';
import { query, withDb } from '../lib/db.mjs';

let admin;

before(async () => {
	admin = await staffUser({ roles: ['admin', 'supervisor', 'reviewer'],
	    queues: ['general'] });
});

// A value a person could give each kind of field ('given' by name first:
// a handler that finds a field unusable may answer before reading the
// rest, so each form is filled to pass).
function fillLikeAPerson(form, given = {}) {
	for (const [name, els] of form.controls) {
		const hidden = (els[0].getAttribute('type') || '') === 'hidden';
		if (name in given && !hidden) {
			form.set(name, given[name]);
			continue;
		}
		const e = els[0];
		const tag = e.tagName.toLowerCase();
		const type = tag === 'input' ? (e.getAttribute('type') ||
		    'text').toLowerCase() : tag;
		if (type === 'hidden')
			continue;
		if (type === 'checkbox')
			form.set(name, [els[0].getAttribute('value') ?? 'on']);
		else if (type === 'radio')
			form.set(name, els[0].getAttribute('value'));
		else if (type === 'select') {
			const opts = e.querySelectorAll('option').map((o) =>
			    o.getAttribute('value') ?? o.text);
			form.set(name, opts.find((v) => v !== '') ?? '');
		} else if (form.values.get(name)?.[0])
			continue;	// already filled in by the page
		else if (type === 'email')
			form.set(name, 'person@example.org');
		else if (type === 'date')
			form.set(name, c.dateUTC(-3));
		else if (type === 'number')
			form.set(name, '5');
		else
			form.set(name, 'Something a person wrote.');
	}
	return form;
}

// Sends each POST form of the page (read again for each, since sending
// one may change the page) and compares what its handler used.
async function walk(label, load, { skip = [], cookie, given } = {}) {
	const first = await load();
	const actions = formsOf(first.doc, first.url).filter((f) =>
	    f.method === 'POST' && !skip.includes(f.action))
	    .map((f) => f.action);
	assert.ok(actions.length > 0, `${label}: no form found`);
	for (const [i, action] of actions.entries()) {
		const page = await load();
		const form = formsOf(page.doc, page.url).filter((f) =>
		    f.action === action)[0];
		if (!form)
			continue;	// gone after an earlier submission
		const res = await fillLikeAPerson(form, given).submit({ cookie });
		const header = res.headers.get('x-recourse-form-reads');
		assert.ok(header !== null, `${label} #${i} ${action} (` +
		    `${res.status}): the handler read no form`);
		const used = header.split(',').filter(Boolean).sort();
		assert.deepEqual(used, form.names(), `${label}: ${action}: ` +
		    'fields used by the handler vs. fields of the form');
	}
	return actions;
}

function publicPage(path) {
	return async () => {
		const res = await c.request(path);
		return { doc: parseHtml(res.text), url: c.BASE + path };
	};
}

function staffPage(path, user) {
	return async () => {
		const res = await reviewRequest(path, { cookie: user.cookie });
		assert.equal(res.status, 200, `GET ${path}`);
		return { doc: parseHtml(res.text), url: REVIEW + path };
	};
}

test('public side: the complaint form and the tracking form', async () => {
	await walk('new complaint', publicPage('/complaints/new'), { given: {
	    description: 'An advert followed me.', contact_email:
	    'person@example.org', occurred_on: c.dateUTC(-3) } });
	const f = await c.fileComplaint();
	await walk('track', publicPage('/track'), { given: {
	    receipt_code: f.code } });
});

test('public side: the reply, appeal and erasure forms of a decided report',
    async () => {
		const f = await c.fileComplaint();
		const { act } = await import('../lib/staff.mjs');
		for (const [verb, fields] of [
		    ['triage', { category: 'privacy.consent', priority: 2,
		        queue: 'general' }],
		    ['investigate', {}],
		    ['decide', { outcome: 'not_upheld', remedies: ['none'],
		        automated: 'no', text: 'No breach.' }]]) {
			const r = await act(admin, f.reference, verb, fields);
			assert.equal(r.status, 303, verb);
		}
		const ip = c.randomIp();
		const actions = await walk('report', async () => {
			const res = await c.postTrack(f.code, { ip });
			return { doc: res.doc, url: res.url };
		}, { given: { receipt_code: f.code } });
		assert.deepEqual(actions.sort(), ['/track', '/track/appeal',
		    '/track/erase', '/track/reply'].filter((a) =>
		    actions.includes(a)).sort());
		assert.ok(actions.includes('/track/reply') &&
		    actions.includes('/track/appeal') &&
		    actions.includes('/track/erase'));
});

test('back office: login and account set-up', async () => {
	await walk('login', async () => {
		const res = await reviewRequest('/review/login');
		return { doc: parseHtml(res.text), url: REVIEW + '/review/login' };
	});
	const acc = await createAccount();
	await walk('set-up', async () => {
		const page = await openSetup(acc.token);
		return { doc: page.doc, url: `${REVIEW}/account/setup?token=` +
		    acc.token };
	});
});

test('back office: every action form of the case page, in each state a ' +
    'case passes through', async () => {
	const { act } = await import('../lib/staff.mjs');
	const seen = new Set();
	const steps = [['take'], ['triage', { category: 'privacy.consent',
	    priority: 2, queue: 'general' }], ['investigate'],
	    ['request_info', { text: 'Which site?' }]];
	// A fresh case for each form, brought to the state by the steps,
	// since sending a form moves the case on.
	// Consenting to publication, so that the narrative's form shows.
	const caseAfter = async (n) => {
		const f = await c.fileComplaint({ consent_publish: 'yes' });
		for (const [verb, fields] of steps.slice(0, n)) {
			const r = await act(admin, f.reference, verb, fields ?? {});
			assert.equal(r.status, 303, verb);
		}
		return f;
	};
	const page = async (reference) => {
		const { res, doc } = await casePage(admin, reference);
		assert.equal(res.status, 200);
		return { doc, url: `${REVIEW}/review/cases/${reference}` };
	};
	for (let n = 0; n <= steps.length; n++) {
		const probe = await caseAfter(n);
		const first = await page(probe.reference);
		for (const form of formsOf(first.doc, first.url)) {
			const verb = form.action.split('/').pop();
			if (form.method !== 'POST' || seen.has(verb) ||
			    form.action === '/review/logout')
				continue;
			seen.add(verb);
			const k = await caseAfter(n);
			const fresh = await page(k.reference);
			const again = formsOf(fresh.doc, fresh.url).find((x) =>
			    x.action.endsWith(`/${verb}`));
			const res = await fillLikeAPerson(again, {
			    original: probe.reference }).submit(
			    { cookie: admin.cookie });
			const used = (res.headers.get('x-recourse-form-reads') ??
			    '').split(',').filter(Boolean).sort();
			assert.deepEqual(used, again.names(),
			    `${again.action} (${res.status})`);
		}
	}
	assert.ok(seen.size >= 8, `only ${[...seen]} walked`);
	assert.ok(seen.has('narrative'), 'the narrative\'s form was walked');
	// The approval: another supervisor's, of a draft with flags.
	const second = await staffUser({ roles: ['supervisor'], queues: [] });
	const k = await caseAfter(1);
	assert.equal((await act(admin, k.reference, 'narrative', { text:
	    'Write to me at someone@example.org.' })).status, 303);
	const { doc } = await casePage(second, k.reference);
	const approval = formsOf(doc, `${REVIEW}/review/cases/` +
	    k.reference).find((x) => x.action.endsWith('/approve_narrative'));
	const res = await fillLikeAPerson(approval, {}).submit(
	    { cookie: second.cookie });
	assert.equal(res.status, 303);
	assert.deepEqual((res.headers.get('x-recourse-form-reads') ?? '')
	    .split(',').filter(Boolean).sort(), approval.names());
});

test('back office: the work list, account and administration pages',
    async () => {
	const other = await staffUser({ roles: ['admin', 'supervisor'],
	    queues: ['general'] });
	await walk('work list', staffPage('/review', other), {
	    cookie: other.cookie, skip: ['/review/logout'] }).catch((e) => {
		// The work list's only POST form is logout, walked last.
		if (!/no form found/.test(e.message))
			throw e;
	});
	// The routing forms add and delete rules that the rest of the suite
	// relies on: the rules are put back as they were afterwards.  The
	// account page walked is one made for the purpose.
	const rules = (await query('SELECT * FROM routing_rules')).rows;
	const acc = await createAccount();
	try {
		for (const path of ['/admin/routing', '/admin/taxonomy',
		    '/admin/accounts', `/admin/account?id=${acc.id}`,
		    '/admin/calendars', '/admin/policies',
		    '/admin/pause-reasons', '/review/reports'])
			await walk(path, staffPage(path, other), {
			    cookie: other.cookie, skip: ['/review/logout'] });
	} finally {
		await withDb(async (db) => {
			await db.query('BEGIN');
			await db.query('DELETE FROM routing_rules');
			for (const r of rules)
				await db.query('INSERT INTO routing_rules (id, ' +
				    'position, category, channel, vulnerable, brand, ' +
				    'queue, priority) VALUES ($1, $2, $3, $4, $5, $6, ' +
				    '$7, $8)', [r.id, r.position, r.category, r.channel,
				    r.vulnerable, r.brand, r.queue, r.priority]);
			await db.query('COMMIT');
		});
	}
	// Last: the account page's forms end this session (password).
	await walk('account', staffPage('/review/account', other),
	    { cookie: other.cookie, skip: ['/review/logout'] });
	// And logout itself.
	await walk('logout', staffPage('/review', admin), { cookie: admin.cookie,
	    skip: ['/review'] });
});
