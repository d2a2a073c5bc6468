// What a complainant sees on /track with their code: what has happened before what they can do, what they sent (readable with the code alone, never in clear in the database), and the appeal right the decision promises, kept after the case is closed and refused once six months have passed.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { staffUser, act, forgeAct, casePage, offeredVerbs }
    from '../lib/staff.mjs';
import { caseByReference, query, dumpText, dumpHas } from '../lib/db.mjs';
import { openCopy } from '../lib/vault.mjs';

let decider, signer, third;

before(async () => {
	decider = await staffUser({ roles: ['supervisor'], queues: [] });
	signer = await staffUser({ roles: ['supervisor'], queues: [] });
	third = await staffUser({ roles: ['supervisor'], queues: [] });
});

async function ok(user, ref, verb, fields = {}) {
	const r = await act(user, ref, verb, fields);
	assert.equal(r.status, 303, `setting up: ${verb} answered ${r.status}`);
}

// A case decided (priority 3: signed by a second supervisor) and closed.
async function closedCase(over = {}) {
	const f = await c.fileComplaint(over);
	const r = f.reference;
	await ok(decider, r, 'triage', { category: 'privacy.notice',
	    priority: 3, queue: 'general' });
	await ok(decider, r, 'investigate');
	await ok(decider, r, 'decide', { outcome: 'not_upheld',
	    remedies: ['none'], automated: 'no', text: 'No breach found.' });
	await ok(signer, r, 'sign');
	await ok(decider, r, 'close');
	assert.equal((await caseByReference(r)).state, 'closed');
	return f;
}

test('the report page shows what happened first, then what was sent, ' +
    'then the forms', async () => {
	const f = await c.fileComplaint({ brand: 'Lumen Ads',
	    contact_name: 'Ada Example', contact_email: 'ada@example.org',
	    consent_contact: true, vulnerable: true });
	const res = await c.postTrack(f.code);
	assert.equal(res.status, 200);
	const order = ['ol.timeline', '#sent', 'form[action="/track/reply"]']
	    .map((sel) => {
		const el = res.doc.querySelector(sel);
		assert.ok(el, `${sel} on the page`);
		return res.text.indexOf(el.outerHTML.slice(0, 40));
	    });
	assert.deepEqual([...order].sort((a, b) => a - b), order,
	    `timeline, what you sent, reply form: ${order}`);

	const sent = res.doc.querySelector('#sent');
	assert.equal(sent.querySelector('#description').text,
	    f.fields.description);
	const facts = Object.fromEntries(sent.querySelectorAll('dt').map(
	    (dt) => [dt.text, dt.nextElementSibling.text]));
	assert.equal(facts['Brand or campaign'], 'Lumen Ads');
	assert.equal(facts['Your name'], 'Ada Example');
	assert.equal(facts['Your e-mail address'], 'ada@example.org');
	assert.equal(facts['You may contact me'], 'Yes');
	assert.equal(facts['You may publish my account without my name'], 'No');
	assert.match(facts['A child or a person in a vulnerable situation ' +
	    'was affected'], /^Yes$/);
	assert.match(facts['Concern'], /consent/i);
});

test('what was sent is kept under the code alone: opened with it, never ' +
    'in clear, and the category as sent survives triage', async () => {
	const f = await c.fileComplaint({ category: 'privacy.consent',
	    contact_name: 'Bo Example' });
	const row = await caseByReference(f.reference);
	const copy = await openCopy(row, f.code);
	assert.equal(copy.description, f.fields.description);
	assert.deepEqual(copy.contact, { name: 'Bo Example' });
	const dump = await dumpText();
	assert.ok(!dumpHas(dump.text, f.fields.description));
	assert.ok(!dumpHas(dump.text, 'Bo Example'));

	await ok(decider, f.reference, 'triage', { category: 'privacy.notice',
	    priority: 2, queue: 'general' });
	const res = await c.postTrack(f.code);
	const facts = Object.fromEntries(res.doc.querySelectorAll('#sent dt')
	    .map((dt) => [dt.text, dt.nextElementSibling.text]));
	assert.match(facts['Concern'], /consent/i, 'as the complainant sent it');
});

test('a case filed before the copy was kept says so instead', async () => {
	const f = await c.fileComplaint();
	await query('UPDATE cases SET complainant_copy_box = NULL ' +
	    'WHERE reference = $1', [f.reference]);
	const res = await c.postTrack(f.code);
	assert.equal(res.status, 200);
	assert.match(res.doc.querySelector('#sent').text,
	    /cannot show your description/);
	assert.ok(!res.text.includes(f.fields.description));
});

test('a closed case can still be appealed within six months, through the ' +
    'form, and the decider is kept off the appeal', async () => {
	const f = await closedCase();
	const page = await c.postTrack(f.code);
	assert.match(page.text, /You can appeal until/);
	const res = await c.trackAct(f.code, 'appeal', 'The decision missed ' +
	    'the pre-ticked box.');
	assert.equal(res.status, 200);
	assert.match(res.text, /Your appeal has been sent/);
	assert.match(res.doc.querySelector('#status').text, /appeal/i);
	assert.match(res.text, /The decision missed the pre-ticked box\./,
	    'the appeal is shown to its author');
	const row = await caseByReference(f.reference);
	assert.equal(row.state, 'appealed');
	assert.equal(Number(row.appeal_excluded), decider.id);
	// The decider is not offered it, and may not take it by a forged
	// post; the appeal is decided by another.
	const { doc } = await casePage(decider, f.reference);
	assert.ok(!offeredVerbs(doc, f.reference).includes('take'));
	const t = await forgeAct(decider, f.reference, 'take');
	assert.equal(t.status, 409);
	await ok(signer, f.reference, 'decide', { outcome: 'upheld',
	    remedies: ['apology'], automated: 'no', text: 'On appeal: upheld.' });
	await ok(third, f.reference, 'sign');
	await ok(signer, f.reference, 'close');
	assert.equal((await caseByReference(f.reference)).state, 'closed');
	assert.ok(!await c.trackOffers(f.code, 'appeal'), 'no second appeal');
});

test('six months after the decision a closed case offers no appeal, and a ' +
    'forged one is refused', async () => {
	const f = await closedCase();
	const row = await caseByReference(f.reference);
	await query("UPDATE case_decisions SET released_at = now() - " +
	    "interval '6 months 1 day' WHERE case_id = $1", [row.id]);
	assert.ok(!await c.trackOffers(f.code, 'appeal'));
	const res = await c.trackForged(f.code, 'appeal', 'Too late?');
	assert.equal(res.status, 409);
	assert.match(res.text, /six months for an appeal have passed/);
	assert.equal((await caseByReference(f.reference)).state, 'closed');
});

test('the page, the database and the transition table agree on the ' +
    'appeal window', async () => {
	const t = await query("SELECT 1 FROM case_transitions WHERE " +
	    "from_state = 'closed' AND to_state = 'appealed'");
	assert.equal(t.rowCount, 1);
	// A closed rejection has no decision: nothing to appeal.
	const f = await c.fileComplaint();
	await ok(decider, f.reference, 'reject', { text: 'Not marketing.' });
	await ok(decider, f.reference, 'close');
	assert.ok(!await c.trackOffers(f.code, 'appeal'));
	const res = await c.trackForged(f.code, 'appeal', 'Why?');
	assert.equal(res.status, 409);
});
