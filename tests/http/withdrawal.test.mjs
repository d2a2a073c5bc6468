// A complainant takes consents back on /track, through the forms the page renders: contact (queued notes cancelled, reviewers no longer see the details), publication, and demographic answers (destroyed); each on the timeline and in the audit log; a second press, a forged consent and a foreign form change nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { query } from '../lib/db.mjs';
import { staffUser, act, casePage } from '../lib/staff.mjs';
import { formsOf } from '../lib/pageform.mjs';

let sup;

before(async () => {
	sup = await staffUser({ roles: ['reviewer', 'supervisor'],
	    queues: ['general'] });
});

async function caseRow(reference) {
	return (await query('SELECT id, consent_contact, consent_publish, ' +
	    'consent_demographics, demographics_box FROM cases WHERE ' +
	    'reference = $1', [reference])).rows[0];
}

// The report's page after a lookup with the code, as a browser gets it.
async function reportPage(code, ip) {
	const page = await c.postTrack(code, { ip });
	assert.equal(page.status, 200);
	return page;
}

// The withdrawal form for one consent on the page, or undefined.
function withdrawForm(page, consent) {
	return formsOf(page.doc, page.url).find((f) =>
	    f.action === '/track/withdraw' && f.hidden('consent') === consent);
}

async function fileWithEverything() {
	const email = `w${Date.now()}@example.org`;
	const name = `Wanda ${c.marker('N')}`;
	const r = await c.fileComplaint({ contact_name: name,
	    contact_email: email, consent_contact: true,
	    consent_publish: true, consent_demographics: true,
	    age_band: 'age_45_54' });
	assert.equal(r.res.status, 201, r.res.text.slice(0, 300));
	return { ...r, email, name };
}

test('withdrawing contact cancels the queued note, hides the details ' +
    'from reviewers, and is on the timeline and in the audit log',
    async () => {
	const f = await fileWithEverything();
	// A reviewer's message queues a note (no sender runs here).
	assert.equal((await act(sup, f.reference, 'message', {
	    text: 'Which site showed you the advert?' })).status, 303);
	const id = (await caseRow(f.reference)).id;
	const queued = async () => (await query('SELECT state FROM outbox ' +
	    "WHERE case_id = $1 AND kind = 'complainant_note'", [id])).rows
	    .map((r) => r.state);
	assert.deepEqual(await queued(), ['queued']);
	assert.ok((await casePage(sup, f.reference)).res.text
	    .includes(f.email), 'the supervisor sees the address first');

	const ip = c.randomIp();
	const page = await reportPage(f.code, ip);
	for (const k of ['contact', 'publish', 'demographics'])
		assert.ok(withdrawForm(page, k), `no form for ${k}`);
	const res = await withdrawForm(page, 'contact').submit({ ip });
	assert.equal(res.status, 200, res.text.slice(0, 300));
	assert.match(res.text, /You withdrew your consent to be contacted/);
	const row = await caseRow(f.reference);
	assert.equal(row.consent_contact, false);
	assert.equal(row.consent_publish, true);
	assert.equal(row.consent_demographics, true);
	assert.deepEqual(await queued(), ['cancelled']);
	// The page now offers the other two only.
	assert.equal(withdrawForm(res, 'contact'), undefined);
	assert.ok(withdrawForm(res, 'publish'));
	const items = res.doc.querySelectorAll('ol.timeline li')
	    .map((e) => e.text);
	assert.ok(items.some((t) => t.includes('You withdrew a consent.')),
	    'not on the timeline');

	const seen = (await casePage(sup, f.reference)).res.text;
	assert.ok(!seen.includes(f.email), 'reviewers still see the address');
	assert.ok(!seen.includes(f.name), 'reviewers still see the name');
	const audit = (await query('SELECT actor, detail FROM audit_events ' +
	    "WHERE action = 'case.consent_withdrawn' AND object = $1",
	    [`case:${f.reference}`])).rows;
	assert.deepEqual(audit, [{ actor: 'complainant',
	    detail: { consent: 'contact' } }]);
	// A new message queues nothing.
	assert.equal((await act(sup, f.reference, 'message', {
	    text: 'Anything else?' })).status, 303);
	assert.deepEqual(await queued(), ['cancelled']);

	// The same form sent again: already withdrawn, nothing changes.
	const again = await withdrawForm(page, 'contact').submit({ ip });
	assert.equal(again.status, 409);
	assert.match(again.doc.querySelector('#withdraw-error').text,
	    /already withdrawn/);
	assert.equal((await query('SELECT count(*)::int AS n FROM ' +
	    "case_events WHERE case_id = $1 AND kind = 'consent_withdrawn'",
	    [id])).rows[0].n, 1);
});

test('withdrawing the demographic consent destroys the answers; ' +
    'withdrawing publication leaves them', async () => {
	const f = await fileWithEverything();
	assert.ok((await caseRow(f.reference)).demographics_box);
	const ip = c.randomIp();
	let res = await withdrawForm(await reportPage(f.code, ip), 'publish')
	    .submit({ ip });
	assert.equal(res.status, 200);
	let row = await caseRow(f.reference);
	assert.equal(row.consent_publish, false);
	assert.ok(row.demographics_box, 'publication took the answers');
	res = await withdrawForm(res, 'demographics').submit({ ip });
	assert.equal(res.status, 200);
	assert.match(res.text, /We have destroyed them/);
	row = await caseRow(f.reference);
	assert.equal(row.consent_demographics, false);
	assert.equal(row.demographics_box, null);
	assert.match(res.doc.querySelector('#choices').text,
	    /We may contact you/);
});

test('a forged consent, a foreign form and an unknown code change nothing',
    async () => {
	const f = await fileWithEverything();
	const before = await caseRow(f.reference);
	const ip = c.randomIp();
	const page = await reportPage(f.code, ip);
	// Forged: the page offers no such consent.
	const forged = withdrawForm(page, 'contact');
	forged.values.set('consent', ['everything']);
	let res = await forged.submit({ ip });
	assert.equal(res.status, 422);
	assert.match(res.doc.querySelector('#withdraw-error').text,
	    /Choose a consent/);
	// Without the page's token.
	const foreign = withdrawForm(page, 'contact');
	foreign.values.set('csrf', ['']);
	res = await foreign.submit({ ip });
	assert.equal(res.status, 403);
	// Someone else's form with a code that matches nothing.
	const unknown = withdrawForm(page, 'contact');
	unknown.values.set('receipt_code', [c.randomCode()]);
	res = await unknown.submit({ ip });
	assert.equal(res.status, 404);
	assert.deepEqual(await caseRow(f.reference), before);
});
