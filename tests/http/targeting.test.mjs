// Why the complainant was targeted: targeting reasons and the AI answer sent through the form and the API, kept in clear and sorted, the platform's explanation sealed, shown back on /track and to reviewers, refused with a message on the field when unknown, and used by routing rules.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { query, caseByReference, countCases } from '../lib/db.mjs';
import { REVIEW, staffUser, casePage, reviewRequest,
    createToken } from '../lib/staff.mjs';
import { formsOf } from '../lib/pageform.mjs';
import { parseHtml } from '../lib/html.mjs';
import { openCase } from '../lib/vault.mjs';

let reviewer;
let admin;

before(async () => {
	reviewer = await staffUser({ roles: ['reviewer', 'supervisor'],
	    queues: ['general', 'fairness'] });
	reviewer.token = (await createToken(reviewer)).token;
	admin = await staffUser({ roles: ['admin'], queues: [] });
});

async function clearFields(reference) {
	return (await query('SELECT targeting_reasons, ai_disclosed, ' +
	    'why_shown_box FROM cases WHERE reference = $1', [reference]))
	    .rows[0];
}

test('the form offers every active reason and the three AI answers, ' +
    'with the taxonomy API', async () => {
	const form = await c.getForm();
	const boxes = form.doc.querySelectorAll(
	    'input[type="checkbox"][name="targeting_reasons"]')
	    .map((e) => e.getAttribute('value'));
	const radios = form.doc.querySelectorAll(
	    'input[type="radio"][name="ai_disclosed"]')
	    .map((e) => e.getAttribute('value'));
	const j = JSON.parse((await c.request('/api/v1/taxonomy')).text);
	const db = (await query('SELECT code, label, hint FROM ' +
	    'targeting_reasons WHERE active ORDER BY position')).rows;
	assert.deepEqual(j.targeting_reasons, db);
	assert.deepEqual(boxes, db.map((x) => x.code));
	assert.ok(boxes.includes('platform_did_not_say'));
	assert.deepEqual(radios, ['yes', 'no', 'not_sure']);
	assert.deepEqual(j.ai_disclosed.map((x) => x.code), radios);
	// Each box has a label the person reads.
	for (const code of boxes) {
		const box = form.doc.querySelector(
		    `input[name="targeting_reasons"][value="${code}"]`);
		const label = form.doc.querySelector(
		    `label[for="${box.getAttribute('id')}"]`);
		assert.ok(label && label.text.trim().length > 0, code);
	}
});

test('filed through the form: the reasons sorted in clear, the ' +
    'explanation sealed, both shown on /track and to the reviewer',
    async () => {
	const why = `You are seeing this ad because you visited our shop. ${
	    c.marker('W')}`;
	const r = await c.fileComplaint({ targeting_reasons: ['retargeting',
	    'age'], ai_disclosed: 'not_sure', why_shown: why });
	assert.equal(r.res.status, 201, r.res.text.slice(0, 400));
	const row = await clearFields(r.reference);
	assert.deepEqual(row.targeting_reasons, ['age', 'retargeting']);
	assert.equal(row.ai_disclosed, 'not_sure');
	assert.ok(row.why_shown_box.length > why.length);
	assert.equal(row.why_shown_box.indexOf(Buffer.from(why)), -1);
	assert.equal(row.why_shown_box.indexOf(Buffer.from('visited our')),
	    -1);
	const full = (await query('SELECT * FROM cases WHERE reference = $1',
	    [r.reference])).rows[0];
	assert.equal((await openCase(full)).whyShown, why);

	// The complainant sees what they sent.
	const page = await c.postTrack(r.code);
	assert.equal(page.status, 200);
	const reasons = page.doc.querySelectorAll('#targeting-reasons li')
	    .map((e) => e.text.trim());
	assert.deepEqual(reasons, ['My age',
	    'I had visited the company\'s website or app']);
	assert.equal(page.doc.querySelector('#why-shown').text, why);
	assert.match(page.doc.querySelector('#sent').text, /I am not sure/);

	// The reviewer reads it on the case page and in the staff API.
	const cp = await casePage(reviewer, r.reference);
	assert.equal(cp.res.status, 200);
	assert.match(cp.doc.querySelector('#targeting').text,
	    /^age, retargeting$/);
	assert.ok(cp.doc.querySelector('#why-shown').text.includes(why));
	const api = await reviewRequest(`/api/v1/cases/${r.reference}`,
	    { headers: { authorization: `Bearer ${reviewer.token}` } });
	assert.equal(api.status, 200, api.text.slice(0, 200));
	const j = JSON.parse(api.text);
	assert.deepEqual(j.targeting_reasons, ['age', 'retargeting']);
	assert.equal(j.ai_disclosed, 'not_sure');
	assert.equal(j.why_shown, why);
});

test('a complaint without the questions answered stores none', async () => {
	const r = await c.fileComplaint();
	assert.equal(r.res.status, 201);
	const row = await clearFields(r.reference);
	assert.deepEqual(row.targeting_reasons, []);
	assert.equal(row.ai_disclosed, null);
	assert.equal(row.why_shown_box, null);
	const page = await c.postTrack(r.code);
	assert.equal(page.doc.querySelector('#targeting-reasons'), null);
	assert.equal(page.doc.querySelector('#why-shown'), null);
});

test('the API: repeats count once, order does not matter; unknown, ' +
    'malformed and too long answers are refused on their field with ' +
    'nothing saved', async () => {
	const ok = await c.apiComplaint(c.validDoc({ targeting_reasons: [
	    'lookalike_audience', 'age', 'lookalike_audience'],
	    ai_disclosed: 'yes', why_shown: 'Because you are similar to ' +
	    'our customers.' }));
	assert.equal(ok.status, 201, ok.text);
	const row = await clearFields(ok.json.reference);
	assert.deepEqual(row.targeting_reasons, ['age', 'lookalike_audience']);
	assert.equal(row.ai_disclosed, 'yes');

	const before = await countCases();
	const bad = [
		[{ targeting_reasons: ['age', 'mind_reading'] },
		    'targeting_reasons'],
		[{ targeting_reasons: 'age' }, 'targeting_reasons'],
		[{ targeting_reasons: ['age', 7] }, 'targeting_reasons'],
		[{ targeting_reasons: ['Age!'] }, 'targeting_reasons'],
		[{ targeting_reasons: Array.from({ length: 21 },
		    (_, i) => `reason_${String.fromCharCode(97 + i)}`) },
		    'targeting_reasons'],
		[{ ai_disclosed: 'maybe' }, 'ai_disclosed'],
		[{ ai_disclosed: true }, 'ai_disclosed'],
		[{ why_shown: 'w'.repeat(5001) }, 'why_shown'],
	];
	for (const [over, field] of bad) {
		const res = await c.apiComplaint(c.validDoc(over));
		assert.equal(res.status, 422, `${JSON.stringify(over)
		    .slice(0, 60)}: ${res.text}`);
		assert.deepEqual(Object.keys(res.json.error.fields), [field],
		    JSON.stringify(over).slice(0, 60));
	}
	assert.equal(await countCases(), before);
	// 5 000 characters are accepted.
	const edge = await c.apiComplaint(c.validDoc({
	    why_shown: 'w'.repeat(5000) }));
	assert.equal(edge.status, 201, edge.text.slice(0, 200));
});

test('the form: a retired reason is refused next to its boxes, the ' +
    'answers kept', async () => {
	const form = await c.getForm();
	await query("UPDATE targeting_reasons SET active = false " +
	    "WHERE code = 'purchase_history'");
	try {
		const before = await countCases();
		// Ticked on a form rendered while it was still offered.
		const res = await c.postComplaint(form, c.validFields({
		    targeting_reasons: ['purchase_history', 'location'],
		    ai_disclosed: 'no' }));
		assert.equal(res.status, 422, res.text.slice(0, 300));
		assert.equal(await countCases(), before);
		const err = res.doc.querySelector('#f-targeting_reasons-error');
		assert.ok(err, 'no error next to the reasons');
		assert.match(err.text, /listed reasons/);
		const link = res.doc.querySelector(
		    '.error-summary a[href="#f-targeting_reasons-0"]');
		assert.ok(link, 'the summary does not link the reasons');
		assert.ok(res.doc.querySelector('#f-targeting_reasons-0'));
		const again = c.pageFormOf(res.doc, '/complaints', '/complaints');
		assert.deepEqual(again.values.get('ai_disclosed'), ['no']);
		assert.ok(again.values.get('targeting_reasons')
		    .includes('location'));
	} finally {
		await query("UPDATE targeting_reasons SET active = true " +
		    "WHERE code = 'purchase_history'");
	}
});

test('a routing rule on a targeting reason and on the AI answer routes ' +
    'the cases that match, and only those', async () => {
	const page = async () => {
		const res = await reviewRequest('/admin/routing',
		    { cookie: admin.cookie });
		return formsOf(parseHtml(res.text), REVIEW + '/admin/routing')
		    .find((f) => f.action === '/admin/rules/add');
	};
	// Above the other tests' rules (freePosition in admin.test.mjs).
	const pos = () => String(950000 + Math.floor(Math.random() * 49000));
	let res = await (await page()).fill({ position: pos(),
	    targeting_reason: 'inferred_sensitive_trait', queue: 'fairness',
	    priority: '3' }).submit({ cookie: admin.cookie });
	assert.equal(res.status, 303, res.text.slice(0, 300));
	res = await (await page()).fill({ position: pos(),
	    ai_disclosed: 'no', channel: 'chatbot', queue: 'fairness',
	    priority: '4' }).submit({ cookie: admin.cookie });
	assert.equal(res.status, 303, res.text.slice(0, 300));
	const rules = (await query('SELECT targeting_reason, ai_disclosed ' +
	    "FROM routing_rules WHERE queue = 'fairness' AND position >= " +
	    '950000')).rows;
	assert.ok(rules.some((r) => r.targeting_reason ===
	    'inferred_sensitive_trait'));
	try {
		const cases = [
			[{ targeting_reasons: ['age', 'inferred_sensitive_trait'] },
			    'fairness', 3],
			[{ targeting_reasons: ['age'] }, 'general', 2],
			[{ channel: 'chatbot', ai_disclosed: 'no' }, 'fairness', 4],
			[{ channel: 'chatbot', ai_disclosed: 'yes' }, 'general', 2],
		];
		for (const [over, queue, priority] of cases) {
			const r = await c.fileComplaint(over);
			assert.equal(r.res.status, 201);
			const row = await caseByReference(r.reference);
			assert.equal(row.queue, queue, JSON.stringify(over));
			assert.equal(row.priority, priority, JSON.stringify(over));
		}
	} finally {
		await query('DELETE FROM routing_rules WHERE position >= 950000');
	}
});

test('a reason an admin adds is offered on the form and accepted',
    async () => {
	const code = `test_reason_${Math.random().toString(36).slice(2, 8)
	    .replace(/[0-9]/g, 'x')}`;
	const res0 = await reviewRequest('/admin/taxonomy',
	    { cookie: admin.cookie });
	const form = formsOf(parseHtml(res0.text), REVIEW + '/admin/taxonomy')
	    .find((f) => f.action === '/admin/targeting/save' &&
	    f.hidden('code') === null);
	const res = await form.fill({ code, label: 'A reason added by a test',
	    hint: '', position: '995' }).submit({ cookie: admin.cookie });
	assert.equal(res.status, 303, res.text.slice(0, 300));
	const audit = (await query('SELECT action FROM audit_events WHERE ' +
	    "object = $1", [`targeting_reason:${code}`])).rows;
	assert.deepEqual(audit.map((a) => a.action),
	    ['targeting_reason.save']);
	try {
		const r = await c.apiComplaint(c.validDoc({
		    targeting_reasons: [code] }));
		assert.equal(r.status, 201, r.text);
		assert.deepEqual((await clearFields(r.json.reference))
		    .targeting_reasons, [code]);
		const j = JSON.parse((await c.request('/api/v1/taxonomy')).text);
		assert.ok(j.targeting_reasons.some((x) => x.code === code));
	} finally {
		await query('UPDATE targeting_reasons SET active = false ' +
		    'WHERE code = $1', [code]);
	}
});
