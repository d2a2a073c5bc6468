// Every form on every page, public and back office, filled as a person would and sent: the fields its handler used (named by the test configuration in X-Recourse-Form-Reads) are exactly the fields the form has, so no handler reads a name the page never sends and no field is sent for nothing.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { formsOf } from '../lib/pageform.mjs';
import { parseHtml } from '../lib/html.mjs';
import { REVIEW, staffUser, createAccount, openSetup, reviewRequest,
    casePage } from '../lib/staff.mjs';

let admin;

before(async () => {
	admin = await staffUser({ roles: ['admin', 'supervisor', 'reviewer'],
	    queues: ['general'] });
});

// A value a person could give each kind of field.
function fillLikeAPerson(form) {
	for (const [name, els] of form.controls) {
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
async function walk(label, load, { skip = [], cookie } = {}) {
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
		const res = await fillLikeAPerson(form).submit({ cookie });
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
	await walk('new complaint', publicPage('/complaints/new'));
	await walk('track', publicPage('/track'));
});

test('public side: the reply and appeal forms of a decided report',
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
		});
		assert.deepEqual(actions.sort(), ['/track', '/track/appeal',
		    '/track/reply'].filter((a) => actions.includes(a)).sort());
		assert.ok(actions.includes('/track/reply') &&
		    actions.includes('/track/appeal'));
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
	const f = await c.fileComplaint();
	const steps = [[], ['take'], ['triage', { category: 'privacy.consent',
	    priority: 2, queue: 'general' }], ['investigate'],
	    ['request_info', { text: 'Which site?' }]];
	for (const [verb, fields] of steps) {
		if (verb) {
			const r = await act(admin, f.reference, verb, fields ?? {});
			assert.equal(r.status, 303, verb);
		}
		// Each case page is walked on a copy in the same state, since
		// sending its forms moves the case on.
		const page = async () => {
			const { res, doc } = await casePage(admin, f.reference);
			assert.equal(res.status, 200);
			return { doc, url: `${REVIEW}/review/cases/${f.reference}` };
		};
		const first = await page();
		for (const form of formsOf(first.doc, first.url))
			if (form.method === 'POST' && !seen.has(form.action) &&
			    form.action !== '/review/logout') {
				seen.add(form.action);
				const fresh = await page();
				const again = formsOf(fresh.doc, fresh.url).find(
				    (x) => x.action === form.action);
				if (!again)
					continue;
				const res = await fillLikeAPerson(again).submit(
				    { cookie: admin.cookie });
				const used = (res.headers.get('x-recourse-form-reads')
				    ?? '').split(',').filter(Boolean).sort();
				assert.deepEqual(used, again.names(),
				    `${again.action} (${res.status})`);
			}
	}
	assert.ok(seen.size >= 8, `only ${[...seen]} walked`);
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
	for (const path of ['/admin/queues', '/admin/routing',
	    '/admin/taxonomy', '/admin/accounts'])
		await walk(path, staffPage(path, other), { cookie: other.cookie,
		    skip: ['/review/logout'] });
	// Last: the account page's forms end this session (password).
	await walk('account', staffPage('/review/account', other),
	    { cookie: other.cookie, skip: ['/review/logout'] });
	// And logout itself.
	await walk('logout', staffPage('/review', admin), { cookie: admin.cookie,
	    skip: ['/review'] });
});
