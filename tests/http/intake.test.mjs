// The whole intake journey, as a page and as JSON: file a complaint, get a reference and receipt code, follow it with the code; and the JSON API's refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { caseByReference, countCases, eventsOf } from '../lib/db.mjs';
import { textById } from '../lib/html.mjs';

test('HTML: form, receipt page, then tracking shows the case as Received', async () => {
	const form = await c.getForm();
	assert.equal(form.status, 200);
	assert.match(form.csrf ?? '', /^[0-9a-f]{64}$/, 'csrf hidden field');
	assert.match(form.token ?? '', /^[0-9a-f]{32}$/,
	    'idempotency_token hidden field');
	assert.equal(form.res.headers.get('set-cookie'), null, 'no cookie');
	const formEl = form.doc.querySelector('form.complaint');
	assert.equal(formEl.getAttribute('enctype'), 'multipart/form-data');
	assert.equal(formEl.getAttribute('action'), '/complaints');

	const before = await countCases();
	const fields = c.validFields({ vulnerable: 'yes' });
	const res = await c.postComplaint(form, fields);
	assert.equal(res.status, 201, res.text);
	assert.match(res.headers.get('content-type'), /^text\/html/);
	const { reference, code } = c.receiptOf(res.doc);
	assert.match(reference ?? '', c.REFERENCE_RE);
	assert.equal(reference.slice(3, 7), String(new Date().getUTCFullYear()));
	assert.match(code ?? '', c.RECEIPT_RE);
	assert.equal(await countCases(), before + 1);
	const row = await caseByReference(reference);
	assert.ok(row, 'the case is stored under the reference shown');
	assert.equal(row.state, 'received');
	assert.equal(row.vulnerable, true);

	const t = await c.postTrack(code);
	assert.equal(t.status, 200, t.text);
	assert.equal(t.doc.querySelector('.reference')?.text, reference);
	assert.match(textById(t.doc, 'status') ?? '', /^Received\b/);
	const items = t.doc.querySelectorAll('ol.timeline li');
	assert.equal(items.length, 1);
	assert.match(items[0].text, /We received your report/);
	const when = items[0].querySelector('time')?.getAttribute('datetime');
	assert.match(when ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
	assert.ok(Math.abs(Date.parse(when) - Date.now()) < 120000,
	    'the received event is dated now');
});

test('HTML: the code is found however a person types it', async () => {
	const { code, reference } = await c.fileComplaint();
	const typed = [code.toLowerCase(), code.replace(/-/g, ''),
	    code.replace(/-/g, ' '), `  ${code}  `,
	    code.replace(/0/g, 'O').replace(/1/g, 'l')];
	for (const variant of typed) {
		const t = await c.postTrack(variant);
		assert.equal(t.status, 200, `lookup of "${variant}"`);
		assert.equal(t.doc.querySelector('.reference')?.text, reference);
	}
});

test('JSON: POST /api/v1/complaints then /api/v1/track', async () => {
	const before = await countCases();
	const res = await c.apiComplaint(c.validDoc());
	assert.equal(res.status, 201, res.text);
	assert.match(res.headers.get('content-type'), /^application\/json/);
	assert.deepEqual(Object.keys(res.json).sort(),
	    ['receipt_code', 'reference', 'status']);
	assert.match(res.json.reference, c.REFERENCE_RE);
	assert.match(res.json.receipt_code, c.RECEIPT_RE);
	assert.equal(res.json.status, 'received');
	assert.equal(await countCases(), before + 1);

	const t = await c.apiTrack(res.json.receipt_code);
	assert.equal(t.status, 200, t.text);
	assert.equal(t.json.reference, res.json.reference);
	assert.equal(t.json.status, 'received');
	assert.equal(t.json.status_label, 'Received');
	assert.ok(Array.isArray(t.json.events));
	assert.equal(t.json.events.length, 1);
	assert.equal(t.json.events[0].kind, 'received');
	assert.match(t.json.events[0].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
	assert.match(t.json.received_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('JSON: consent as an object sets the three consents', async () => {
	const res = await c.apiComplaint(c.validDoc({
		contact_email: 'someone@example.org',
		consent: { contact: true, publish: true, demographics: false },
	}));
	assert.equal(res.status, 201, res.text);
	const row = await caseByReference(res.json.reference);
	assert.equal(row.consent_contact, true);
	assert.equal(row.consent_publish, true);
	assert.equal(row.consent_demographics, false);

	const res2 = await c.apiComplaint(c.validDoc({
		consent: { demographics: true },
	}));
	assert.equal(res2.status, 201, res2.text);
	const row2 = await caseByReference(res2.json.reference);
	assert.equal(row2.consent_contact, false);
	assert.equal(row2.consent_publish, false);
	assert.equal(row2.consent_demographics, true);

	const res3 = await c.apiComplaint(c.validDoc({ consent_publish: true,
	    vulnerable: false }));
	assert.equal(res3.status, 201, res3.text);
	const row3 = await caseByReference(res3.json.reference);
	assert.equal(row3.consent_publish, true);
	assert.equal(row3.vulnerable, false);
	assert.equal((await eventsOf(row3.id)).length, 1);
});

test('JSON: unknown members and wrong types are 422 naming the member', async () => {
	const before = await countCases();
	const cases = [
		[{ colour: 'blue' }, 'colour'],
		[{ consent_contacts: true }, 'consent_contacts'],
		[{ consent: { contact: true, newsletter: true } }, 'consent'],
		[{ vulnerable: 'yes' }, 'vulnerable'],
		[{ vulnerable: 1 }, 'vulnerable'],
		[{ category: 5 }, 'category'],
		[{ channel: ['email'] }, 'channel'],
		[{ description: { text: 'x'.repeat(40) } }, 'description'],
		[{ occurred_on: 20240501 }, 'occurred_on'],
		[{ brand: true }, 'brand'],
		[{ consent: { publish: 'yes' } }, 'consent_publish'],
	];
	for (const [over, field] of cases) {
		const res = await c.apiComplaint(c.validDoc(over));
		const what = JSON.stringify(over);
		assert.equal(res.status, 422, `${what}: ${res.text}`);
		assert.equal(res.json?.error?.code, 'invalid', what);
		assert.deepEqual(Object.keys(res.json.error.fields), [field], what);
		assert.equal(typeof res.json.error.fields[field], 'string');
	}
	assert.equal(await countCases(), before, 'no case was created');
});

test('JSON: Idempotency-Key, content type and JSON syntax are required', async () => {
	const before = await countCases();
	let res = await c.apiPost('/api/v1/complaints', c.validDoc(), {});
	assert.equal(res.status, 400, res.text);
	assert.equal(res.json?.error?.code, 'idempotency_key_required');
	res = await c.apiPost('/api/v1/complaints', c.validDoc(),
	    { key: 'has a space' });
	assert.equal(res.status, 400, res.text);
	assert.equal(res.json?.error?.code, 'idempotency_key_required');
	res = await c.apiPost('/api/v1/complaints', c.validDoc(),
	    { key: 'k'.repeat(201) });
	assert.equal(res.status, 400, res.text);

	for (const type of ['text/plain', 'application/x-www-form-urlencoded',
	    'multipart/form-data; boundary=x']) {
		res = await c.apiComplaint(c.validDoc(), { contentType: type });
		assert.equal(res.status, 415, `${type}: ${res.text}`);
		assert.equal(res.json?.error?.code, 'unsupported_media_type');
	}

	for (const raw of ['{"category":', '{category: "other"}', '[]',
	    '"a string"', '', '{"brand":"a","brand":"b"}', '{} {}']) {
		res = await c.apiComplaint(null, { raw });
		assert.equal(res.status, 400, `${JSON.stringify(raw)}: ${res.text}`);
		assert.equal(res.json?.error?.code, 'malformed_json', raw);
	}
	assert.equal(await countCases(), before, 'no case was created');

	res = await c.apiComplaint(c.validDoc(),
	    { contentType: 'application/json; charset=utf-8' });
	assert.equal(res.status, 201, 'a charset parameter is accepted');
});

test('JSON track: a malformed or extra member is 422, naming it', async () => {
	for (const [doc, named] of [[{ receipt_code: 'ABC' }, 'receipt_code'],
	    [{ receipt_code: 12 }, 'receipt_code'], [{}, 'receipt_code'],
	    [{ receipt_code: c.randomCode(), extra: 1 }, 'extra']]) {
		const res = await c.apiPost('/api/v1/track', doc);
		assert.equal(res.status, 422, JSON.stringify(doc));
		assert.deepEqual(Object.keys(res.json.error.fields), [named]);
	}
});
