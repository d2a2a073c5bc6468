// The optional demographic questions: offered from the database's options, kept sealed (never in clear, never to the reviewers deciding the case) and only with the consent to use them, which the database enforces; unknown answers refused on their field.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { query, countCases } from '../lib/db.mjs';
import { staffUser, casePage, reviewRequest,
    createToken } from '../lib/staff.mjs';
import { openCase } from '../lib/vault.mjs';

const QUESTIONS = ['age_band', 'gender', 'disability', 'origin'];

let reviewer;

before(async () => {
	reviewer = await staffUser({ roles: ['reviewer', 'supervisor'],
	    queues: ['general'] });
	reviewer.token = (await createToken(reviewer)).token;
});

async function row(reference) {
	return (await query('SELECT * FROM cases WHERE reference = $1',
	    [reference])).rows[0];
}

test('the form asks each question with the options in the database, ' +
    'each with "prefer not to say", and the API lists the same',
    async () => {
	const form = await c.getForm();
	const j = JSON.parse((await c.request('/api/v1/taxonomy')).text);
	for (const q of QUESTIONS) {
		const db = (await query('SELECT code, label FROM ' +
		    'demographic_options WHERE question = $1 AND active ' +
		    'ORDER BY position', [q])).rows;
		const offered = form.doc.querySelectorAll(
		    `input[type="radio"][name="${q}"]`)
		    .map((e) => e.getAttribute('value'));
		assert.deepEqual(offered, db.map((x) => x.code), q);
		assert.ok(offered.includes('prefer_not_to_say'), q);
		assert.deepEqual(j.demographics[q], db, q);
		// Each question says why it is asked.
		const hint = form.doc.querySelector(`#f-${q}-hint`);
		assert.ok(hint && hint.text.trim().length > 20, q);
	}
	assert.ok(form.doc.querySelector('input[name="gender_description"]'));
	assert.ok(form.doc.querySelector('#demographics').text
	    .includes('do not keep these answers'));
});

test('with consent, the answers are sealed on the case: not in clear, not ' +
    'on the case page nor in the staff API, and /track says they are kept',
    async () => {
	const words = `Two-spirit ${c.marker('G').slice(-8)}`;
	const r = await c.fileComplaint({ consent_demographics: true,
	    age_band: 'age_35_44', gender: 'self_described',
	    gender_description: words, disability: 'prefer_not_to_say',
	    origin: 'mixed' });
	assert.equal(r.res.status, 201, r.res.text.slice(0, 300));
	const cas = await row(r.reference);
	assert.ok(cas.demographics_box);
	assert.equal(cas.demographics_box.indexOf(Buffer.from(words)), -1);
	assert.equal(cas.demographics_box.indexOf(Buffer.from('age_35_44')),
	    -1);
	assert.deepEqual((await openCase(cas)).demographics, {
		age_band: 'age_35_44', gender: 'self_described',
		gender_description: words, disability: 'prefer_not_to_say',
		origin: 'mixed' });

	const page = await casePage(reviewer, r.reference);
	assert.equal(page.res.status, 200);
	assert.ok(!page.res.text.includes(words), 'the case page shows it');
	assert.ok(!page.res.text.includes('Mixed or multiple'));
	const api = await reviewRequest(`/api/v1/cases/${r.reference}`,
	    { headers: { authorization: `Bearer ${reviewer.token}` } });
	assert.equal(api.status, 200);
	assert.ok(!api.text.includes(words), 'the staff API shows it');

	const t = await c.postTrack(r.code);
	assert.equal(t.status, 200);
	assert.match(t.doc.querySelector('#sent').text,
	    /Your answers about yourself\s*Kept encrypted/);
	assert.ok(!t.text.includes(words), '/track shows the answers');
});

test('without consent the answers are not kept, nor checked', async () => {
	const r = await c.fileComplaint({ consent_demographics: false,
	    age_band: 'age_18_24', origin: 'white' });
	assert.equal(r.res.status, 201, r.res.text.slice(0, 300));
	assert.equal((await row(r.reference)).demographics_box, null);
	const t = await c.postTrack(r.code);
	assert.ok(!/Your answers about yourself/.test(t.doc
	    .querySelector('#sent').text));
	// An unknown answer without consent is dropped unread.
	const a = await c.apiComplaint(c.validDoc({ age_band: 'age_200_plus',
	    gender_description: 'x'.repeat(101) }));
	assert.equal(a.status, 201, a.text);
	assert.equal((await row(a.json.reference)).demographics_box, null);
});

test('the API: unknown answers and a description that contradicts the ' +
    'answer are refused on their fields, nothing saved; a description ' +
    'alone answers "in another way"', async () => {
	const before = await countCases();
	const bad = [
		[{ age_band: 'age_200_plus' }, ['age_band']],
		[{ origin: 'martian', disability: 'sometimes' },
		    ['disability', 'origin']],
		[{ origin: 'Not A Code' }, ['origin']],
		[{ gender: 'man', gender_description: 'Also a poet' },
		    ['gender_description']],
		[{ gender_description: 'g'.repeat(101) },
		    ['gender_description']],
		[{ gender_description: 'one\nline' }, ['gender_description']],
		[{ gender: 7 }, ['gender']],
	];
	for (const [over, fields] of bad) {
		const res = await c.apiComplaint(c.validDoc({
		    consent_demographics: true, ...over }));
		assert.equal(res.status, 422, `${JSON.stringify(over)}: ` +
		    res.text);
		assert.deepEqual(Object.keys(res.json.error.fields).sort(),
		    fields, JSON.stringify(over));
	}
	assert.equal(await countCases(), before);
	const ok = await c.apiComplaint(c.validDoc({
	    consent: { demographics: true },
	    gender_description: 'Genderqueer' }));
	assert.equal(ok.status, 201, ok.text);
	assert.deepEqual((await openCase(await row(ok.json.reference)))
	    .demographics, { gender: 'self_described',
	    gender_description: 'Genderqueer' });
});

test('the form: an answer no longer offered comes back on its field with ' +
    'the other answers kept', async () => {
	const form = await c.getForm();
	const before = await countCases();
	// Forged: a browser cannot send an option the page does not offer.
	const res = await c.postComplaint(form, c.validFields({
	    consent_demographics: 'yes', age_band: 'age_25_34',
	    origin: 'atlantean' }), { forged: true });
	assert.equal(res.status, 422, res.text.slice(0, 300));
	assert.equal(await countCases(), before);
	assert.match(res.doc.querySelector('#f-origin-error').text,
	    /listed answers/);
	assert.ok(res.doc.querySelector(
	    '.error-summary a[href="#f-origin-0"]'));
	assert.ok(res.doc.querySelector('input[name="age_band"]' +
	    '[value="age_25_34"][checked]'), 'the age answer is kept');
});

test('the database keeps no answers without the consent', async () => {
	const r = await c.fileComplaint({ consent_demographics: true,
	    age_band: 'age_25_34' });
	assert.equal(r.res.status, 201);
	await assert.rejects(query('UPDATE cases SET consent_demographics = ' +
	    'false WHERE reference = $1', [r.reference]),
	    /cases_demographics_consented/);
});
