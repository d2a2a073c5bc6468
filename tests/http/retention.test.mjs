// Retention: an admin sets a queue's retention period with the queues form; on the test clock, once it has passed since closing, the retention pass erases a closed case of that queue exactly once and audits it, while an open case, a case under a legal hold and a closed case of a queue with a longer period keep their data; the privacy notice and the tracking page state the period.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { formsOf } from '../lib/pageform.mjs';
import { staffUser, act, reviewRequest, REVIEW } from '../lib/staff.mjs';
import { caseByReference, query } from '../lib/db.mjs';
import { park, unpark, setOffset } from '../lib/sla.mjs';
import { parseHtml } from '../lib/html.mjs';

const DAY = 86400;
let admin, sup, queue, parked = [];

before(async () => {
	admin = await staffUser({ roles: ['admin'], queues: [] });
	sup = await staffUser({ roles: ['supervisor'], queues: [] });
});

after(async () => {
	await unpark(parked);
});

async function ok(user, ref, verb, fields = {}) {
	const r = await act(user, ref, verb, fields);
	assert.equal(r.status, 303, `${verb} answered ${r.status}`);
}

// A complaint triaged into 'q', then: rejected and closed (the default),
// rejected and left so, decided and closed, or left open.
async function caseIn(q, { open = false, end = 'closed' } = {}) {
	const f = await c.fileComplaint();
	await ok(sup, f.reference, 'triage', { category: 'privacy.notice',
	    priority: 2, queue: q });
	if (open)
		return f;
	if (end === 'decided') {
		await ok(sup, f.reference, 'investigate');
		await ok(sup, f.reference, 'decide', { outcome: 'not_upheld',
		    remedies: ['none'], automated: 'no', text: 'No breach.' });
		await ok(sup, f.reference, 'close');
		return f;
	}
	await ok(sup, f.reference, 'reject', { text: 'Not about ' +
	    'marketing: a billing dispute.' });
	if (end === 'closed')
		await ok(sup, f.reference, 'close');
	return f;
}

// Waits for the retention pass (every 200 ms here) to erase the case; a
// wait for the background pass, not a measure of its speed.
async function erased(reference, ms = 15000) {
	const end = Date.now() + ms;
	for (;;) {
		const row = await caseByReference(reference);
		if (row.erased_at !== null)
			return row;
		if (Date.now() > end)
			throw new Error(`retention did not erase ${reference}`);
		await new Promise((res) => setTimeout(res, 100));
	}
}

async function erasures(reference) {
	const r = await query(`SELECT
	    (SELECT count(*)::int FROM case_events e JOIN cases c
	        ON c.id = e.case_id WHERE c.reference = $1
	        AND e.kind = 'erased') AS events,
	    (SELECT count(*)::int FROM audit_events WHERE action = 'case.erased'
	        AND object = 'case:' || $1 AND actor = 'system'
	        AND detail->>'basis' = 'retention')
	        AS audits`, [reference]);
	return r.rows[0];
}

test('an admin gives a new queue one month of retention with the form; ' +
    'the privacy notice says so', async () => {
	queue = `ret_${c.marker('').slice(-8).replace(/[^a-z]/g, 'x')}`;
	const page = await reviewRequest('/admin/routing',
	    { cookie: admin.cookie });
	const forms = formsOf(parseHtml(page.text), REVIEW + '/admin/routing')
	    .filter((f) => f.action === '/admin/queues/save');
	const fresh = forms.at(-1);
	for (const months of ['0', '121', 'a year']) {
		const res = await fresh.fill({ code: queue, name: 'Short keep',
		    retention_months: months }).submit({ cookie: admin.cookie });
		assert.equal(res.status, 422, months);
		assert.ok(res.doc.querySelector(
		    '#f-new-retention_months[aria-invalid="true"]'), months);
	}
	const res = await fresh.fill({ code: queue, name: 'Short keep',
	    retention_months: '1' }).submit({ cookie: admin.cookie });
	assert.equal(res.status, 303);
	const row = await query('SELECT retention_months FROM queues ' +
	    'WHERE code = $1', [queue]);
	assert.equal(row.rows[0].retention_months, 1);

	const notice = await c.request('/privacy');
	const doc = parseHtml(notice.text);
	assert.match(doc.querySelector('#retention').text, /12 months after/);
	assert.ok(doc.querySelectorAll('#retention-queues li').some((li) =>
	    li.text === 'Short keep: 1 month'), doc.querySelector(
	    '#retention-queues')?.text);
});

test('once the period has passed since closing, the retention pass erases ' +
    'the closed case of that queue exactly once; open, held and longer-kept ' +
    'cases keep their data', async () => {
	assert.ok(queue, 'the queue test failed');
	const gone = await caseIn(queue);
	const rejected = await caseIn(queue, { end: 'rejected' });
	// Its decision can be appealed for six months: kept until then.
	const appealable = await caseIn(queue, { end: 'decided' });
	const open = await caseIn(queue, { open: true });
	const held = await caseIn(queue);
	const general = await caseIn('general');
	await ok(sup, held.reference, 'hold', { text: 'A regulator asked us ' +
	    'to keep this report until its inquiry ends.' });
	const page = await c.postTrack(gone.code);
	assert.match(page.doc.querySelector('#erasure').text,
	    /until 1 month after your report is closed/);

	// Nothing is erased before the period ends.
	parked = await park([]);
	await setOffset(27 * DAY);
	await new Promise((res) => setTimeout(res, 1000));
	assert.equal((await caseByReference(gone.reference)).erased_at, null);

	await setOffset(32 * DAY);
	const row = await erased(gone.reference);
	assert.equal((await erased(rejected.reference)).state, 'closed',
	    'a rejected case left so ends too, and is erased');
	assert.equal(row.erasure_basis, 'retention');
	assert.equal(row.data_key_sealed, null);
	assert.equal(row.description_box, null);
	assert.equal(row.category, 'privacy.notice', 'statistics stay');
	assert.equal((await c.postTrack(gone.code)).status, 404);

	// A later pass erases a case closed since, and not the first again.
	const later = await caseIn(queue);
	await erased(later.reference);
	assert.deepEqual(await erasures(gone.reference),
	    { events: 1, audits: 1 });
	assert.deepEqual(await erasures(later.reference),
	    { events: 1, audits: 1 });
	for (const kept of [open, held, general, appealable]) {
		const k = await caseByReference(kept.reference);
		assert.equal(k.erased_at, null, kept.reference);
		assert.notEqual(k.description_box, null);
	}
	assert.equal((await c.postTrack(held.code)).status, 200);
	await setOffset(0);
	// Out of the other tests' work lists.
	await ok(sup, open.reference, 'reject', { text: 'Test over.' });
});
