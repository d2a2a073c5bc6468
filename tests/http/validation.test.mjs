// Every invalid field gets its own message beside it (HTML) or its own key (JSON), the user's input is kept, and nothing is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { query } from '../lib/db.mjs';
import { errorFields, formValues, htmlNewlines } from '../lib/html.mjs';

const CHANNELS = ['email', 'sms', 'social_ad', 'search_ad', 'website',
    'in_app', 'chatbot', 'phone', 'postal', 'other'];

async function counts() {
	const r = await query('SELECT (SELECT count(*) FROM cases)::int AS cases,' +
	    ' (SELECT count(*) FROM intake_requests)::int AS requests,' +
	    ' (SELECT count(*) FROM case_events)::int AS events');
	return r.rows[0];
}

// [label, form overrides, JSON overrides, the fields that must be blamed]
const CASES = [
	['category missing', { category: undefined }, { category: undefined },
	    ['category']],
	['category unknown but well-formed', { category: 'nonexistent.thing' },
	    { category: 'nonexistent.thing' }, ['category']],
	['category malformed', { category: 'Privacy Consent!' },
	    { category: 'Privacy Consent!' }, ['category']],
	['channel missing', { channel: undefined }, { channel: undefined },
	    ['channel']],
	['channel unknown', { channel: 'carrier_pigeon' },
	    { channel: 'carrier_pigeon' }, ['channel']],
	['occurred_on not a date', { occurred_on: '2023-02-30' },
	    { occurred_on: '2023-02-30' }, ['occurred_on']],
	['occurred_on not ISO', { occurred_on: '01/05/2024' },
	    { occurred_on: '01/05/2024' }, ['occurred_on']],
	['occurred_on in the future', { occurred_on: c.dateUTC(2) },
	    { occurred_on: c.dateUTC(2) }, ['occurred_on']],
	['brand over 200 characters', { brand: 'b'.repeat(201) },
	    { brand: 'b'.repeat(201) }, ['brand']],
	['brand over 200 characters (multi-byte)', { brand: '\u00e9'.repeat(201) },
	    { brand: '\u00e9'.repeat(201) }, ['brand']],
	['description missing', { description: undefined },
	    { description: undefined }, ['description']],
	['description blank', { description: '   \n\t  ' },
	    { description: '   \n\t  ' }, ['description']],
	['description too short', { description: 'x'.repeat(19) },
	    { description: 'x'.repeat(19) }, ['description']],
	['description too short in characters', { description:
	    '\u{1F600}'.repeat(19) }, { description: '\u{1F600}'.repeat(19) },
	    ['description']],
	['description too long', { description: 'y'.repeat(10001) },
	    { description: 'y'.repeat(10001) }, ['description']],
	['contact_email invalid', { contact_email: 'not-an-address',
	    consent_contact: 'yes' }, { contact_email: 'not-an-address',
	    consent_contact: true }, ['contact_email']],
	['consent_contact ticked without e-mail', { consent_contact: 'yes' },
	    { consent_contact: true }, ['contact_email']],
	['e-mail without consent_contact', { contact_email: 'me@example.org' },
	    { contact_email: 'me@example.org' }, ['contact_email']],
	['several at once', { category: undefined, brand: 'b'.repeat(250),
	    occurred_on: 'soon', contact_email: 'x@y', consent_contact: 'yes' },
	    { category: undefined, brand: 'b'.repeat(250), occurred_on: 'soon',
	    contact_email: 'x@y', consent_contact: true },
	    ['brand', 'category', 'contact_email', 'occurred_on']],
];

test('HTML: each invalid field has its own message and the input is kept', async () => {
	const start = await counts();
	for (const [label, over, , expected] of CASES) {
		const form = await c.getForm();
		const fields = c.validFields({ contact_name: 'Ana <Example>',
		    vulnerable: 'yes', ...over });
		// As a browser sends it, unless no browser could (a value
		// the page does not offer): then forged by hand.
		let res;
		try {
			res = await c.postComplaint(form, fields);
		} catch {
			res = await c.postComplaint(form, fields, { forged: true });
		}
		assert.equal(res.status, 422, `${label}: ${res.text.slice(0, 300)}`);
		assert.deepEqual(errorFields(res.doc), expected, label);
		for (const f of expected) {
			const msg = res.doc.querySelector(`#f-${f}-error`).text;
			assert.ok(msg.replace(/^Error:\s*/, '').trim().length > 10,
			    `${label}: a message for ${f}`);
		}
		const summary = res.doc.querySelectorAll('.error-summary li');
		assert.equal(summary.length, expected.length, `${label}: summary`);
		assert.match(res.doc.querySelector('title').text, /^Error:/);

		const kept = formValues(res.doc);
		assert.equal(kept.idempotency_token, form.token, `${label}: token`);
		assert.match(kept.csrf ?? '', /^[0-9a-f]{64}$/);
		for (const f of ['occurred_on', 'brand', 'contact_name',
		    'contact_email'])
			assert.equal(kept[f], fields[f] === undefined ? '' :
			    fields[f].trim(), `${label}: ${f} kept`);
		// A blank description counts as none; anything else is kept
		// as sent (FormData sends newlines as CRLF).
		assert.equal(kept.description, (fields.description ?? '')
		    .trim() === '' ? '' : htmlNewlines(fields.description
		    .replace(/\r?\n/g, '\r\n')), `${label}: description kept`);
		assert.equal(kept.channel, CHANNELS.includes(fields.channel) ?
		    fields.channel : '', `${label}: channel kept`);
		assert.equal(kept.category, fields.category === 'privacy.consent' ?
		    'privacy.consent' : undefined, `${label}: category kept`);
		assert.equal(kept.vulnerable, true, `${label}: vulnerable kept`);
		assert.equal(kept.consent_contact, fields.consent_contact === 'yes',
		    `${label}: consent_contact kept`);
		assert.equal(kept.consent_publish, false);
		for (const f of expected.filter((x) => x !== 'category'))
			assert.equal(res.doc.querySelector(`#f-${f}`)
			    ?.getAttribute('aria-invalid'), 'true', `${label}: ${f}`);
	}
	assert.deepEqual(await counts(), start, 'an invalid form stored something');
});

test('JSON: error.fields has exactly the invalid fields', async () => {
	const start = await counts();
	for (const [label, , over, expected] of CASES) {
		const res = await c.apiComplaint(c.validDoc(over));
		assert.equal(res.status, 422, `${label}: ${res.text.slice(0, 300)}`);
		assert.equal(res.json.error.code, 'invalid', label);
		assert.deepEqual(Object.keys(res.json.error.fields).sort(), expected,
		    label);
		for (const f of expected)
			assert.ok(res.json.error.fields[f].length > 10, label);
	}
	assert.deepEqual(await counts(), start, 'an invalid document stored something');
});

test('the limits themselves are accepted', async () => {
	const ok = [
		{ description: '\u{1F600}'.repeat(20) },
		{ description: 'z'.repeat(10000) },
		{ description: '\u{1F600}'.repeat(10000) },
		{ brand: '\u00e9'.repeat(200) },
		{ occurred_on: c.dateUTC(0) },
		{ occurred_on: undefined, brand: undefined },
		{ contact_email: 'a.b+c@mail.example.org', consent_contact: 'yes' },
	];
	for (const over of ok) {
		const r = await c.fileComplaint(over);
		assert.equal(r.res.status, 201, `${JSON.stringify(over).slice(0, 80)}:` +
		    ` ${r.res.text.slice(0, 300)}`);
		const j = await c.apiComplaint(c.validDoc({ ...over,
		    consent_contact: over.consent_contact ? true : undefined }));
		assert.equal(j.status, 201, j.text);
	}
});

test('text that is not one clean line, or not text at all, is refused per field', async () => {
	const start = await counts();
	// [label, multipart overrides (exact bytes), the blamed fields]
	const cases = [
		['brand on two lines', { brand: 'Acme\nWidgets' }, ['brand']],
		['contact_name on two lines', { contact_name: 'Ana\r\nB' },
		    ['contact_name']],
		['contact_name over 200 characters', { contact_name:
		    'n'.repeat(201) }, ['contact_name']],
		['description with a NUL byte', { description:
		    'twenty characters and\u0000 a NUL byte' }, ['description']],
		['description not UTF-8', { description: Buffer.concat([
		    Buffer.from('twenty characters and more '),
		    Buffer.from([0xc3, 0x28, 0xff])]) }, ['description']],
		['brand not UTF-8', { brand: Buffer.from([0x41, 0xed, 0xa0,
		    0x80]) }, ['brand']],
		['vulnerable neither yes nor no', { vulnerable: 'maybe' },
		    ['vulnerable']],
		['consent_publish neither yes nor no', { consent_publish: '2' },
		    ['consent_publish']],
	];
	for (const [label, over, expected] of cases) {
		const form = await c.getForm();
		const res = await c.postComplaint(form, c.validFields(over),
		    { exact: true });
		assert.equal(res.status, 422, `${label}: ${res.text.slice(0, 300)}`);
		assert.deepEqual(errorFields(res.doc), expected, label);
	}
	for (const [label, over, expected] of [
		['JSON description with NUL', { description:
		    'twenty characters and\u0000 a NUL byte' }, ['description']],
		['JSON brand on two lines', { brand: 'A\nB' }, ['brand']],
		['JSON consent not an object', { consent: true }, ['consent']],
	]) {
		const res = await c.apiComplaint(c.validDoc(over));
		assert.equal(res.status, 422, `${label}: ${res.text}`);
		assert.deepEqual(Object.keys(res.json.error.fields), expected, label);
	}
	assert.deepEqual(await counts(), start);
});
