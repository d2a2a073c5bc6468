// Free text survives byte-exact (newlines, emoji, RTL scripts, combining marks) and personal fields exist only encrypted in the database, while non-personal fields stay in clear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { caseByReference, dumpText, dumpHas, query } from '../lib/db.mjs';
import { htmlNewlines, textById } from '../lib/html.mjs';
import { openCase } from '../lib/vault.mjs';

// Mixed CRLF and LF, a lone CR, 4-byte emoji with a ZWJ sequence, Arabic
// and Hebrew with a direction mark, combining marks next to precomposed
// letters (no normalisation), a tab, and blank edges kept as typed.
function tricky(tag) {
	return `  Line one\r\nLine two\nLine three\rLine four\r\n` +
	    `Emoji: \u{1F600}\u{1F389} family \u{1F468}\u200D\u{1F469}\u200D\u{1F467} flag \u{1F1F3}\u{1F1F1}\n` +
	    `Arabic: \u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 \u200F\n` +
	    `Hebrew: \u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd\r\n` +
	    `Combining: e\u0301 vs \u00e9, a\u0308, n\u0303, Z\u0335\u0321\u0354\n` +
	    `Tab:\there & <angle> "quotes" 'single' ${tag}\n\n`;
}

function asciiJson(doc) {
	return JSON.stringify(doc).replace(/[\u007f-\uffff]/g, (ch) =>
	    '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}

test('JSON: description and brand are stored byte-exact', async () => {
	const description = tricky(c.marker('JX'));
	const brand = 'Caf\u00e9 \u05e9\u05dc\u05d5\u05dd \u{1F680} e\u0301';
	const res = await c.apiComplaint(c.validDoc({ description, brand }));
	assert.equal(res.status, 201, res.text);
	const row = await caseByReference(res.json.reference);
	const opened = await openCase(row);
	assert.ok(opened.description.equals(Buffer.from(description, 'utf8')),
	    `stored ${JSON.stringify(opened.description.toString())}`);
	assert.equal(row.brand, brand);
	assert.equal(opened.contact, null);
	assert.equal(row.contact_box, null);
});

test('JSON with \\u escapes (surrogate pairs included) stores the same bytes', async () => {
	const description = tricky(c.marker('JU'));
	const brand = '\u05e9\u05dc\u05d5\u05dd \u{1F680}';
	const raw = asciiJson(c.validDoc({ description, brand,
	    contact_name: '\u0645\u0631\u062d\u0628\u0627 \u{1F600}',
	    contact_email: 'escaped@example.org', consent_contact: true }));
	assert.ok(/\\ud83d\\ude00/.test(raw), 'the body really uses escapes');
	assert.ok(!/[^\x00-\x7f]/.test(raw), 'the body is pure ASCII');
	const res = await c.apiComplaint(null, { raw });
	assert.equal(res.status, 201, res.text);
	const row = await caseByReference(res.json.reference);
	const opened = await openCase(row);
	assert.ok(opened.description.equals(Buffer.from(description, 'utf8')));
	assert.equal(row.brand, brand);
	assert.deepEqual(opened.contact, { name:
	    '\u0645\u0631\u062d\u0628\u0627 \u{1F600}',
	    email: 'escaped@example.org' });
});

test('HTML multipart: stored byte-exact, shown exactly on the receipt page', async () => {
	const description = tricky(c.marker('HX'));
	const brand = '\u0645\u0631\u062d\u0628\u0627 & <Brand> \u{1F600}';
	const r = await c.fileComplaint({ description, brand }, { exact: true });
	assert.equal(r.res.status, 201, r.res.text);
	// The page's DOM text is what a browser shows: HTML parsing turns CRLF
	// and CR into LF, so compare with that, and every other byte exactly.
	assert.equal(textById(r.res.doc, 'description'), htmlNewlines(description));
	assert.equal(textById(r.res.doc, 'brand'), brand);
	const row = await caseByReference(r.reference);
	const opened = await openCase(row);
	assert.ok(opened.description.equals(Buffer.from(description, 'utf8')),
	    `stored ${JSON.stringify(opened.description.toString())}`);
	assert.equal(row.brand, brand);
});

test('HTML FormData: what the browser-style encoder sent is what is stored', async () => {
	// FormData sends every newline as CRLF, as browsers do for textareas.
	const description = tricky(c.marker('HF'));
	const sent = description.replace(/\r\n|\r|\n/g, '\r\n');
	const r = await c.fileComplaint({ description });
	assert.equal(r.res.status, 201, r.res.text);
	const opened = await openCase(await caseByReference(r.reference));
	assert.ok(opened.description.equals(Buffer.from(sent, 'utf8')));
	assert.equal(textById(r.res.doc, 'description'), htmlNewlines(sent));
});

test('non-personal fields are in clear; description and contact are not', async () => {
	const dMark = c.marker('DESC');
	const nMark = c.marker('NAME');
	const eLocal = c.marker('mail').toLowerCase();
	const bMark = c.marker('BRAND');
	const description = `What happened to me, in detail: ${dMark}`;
	const email = `${eLocal}@example.org`;
	const r = await c.fileComplaint({
		category: 'bias.pricing', channel: 'website',
		occurred_on: '2024-02-29', brand: `Brand ${bMark}`, description,
		contact_name: `Jane ${nMark}`, contact_email: email,
		consent_contact: 'yes', consent_demographics: 'yes',
	});
	assert.equal(r.res.status, 201, r.res.text);
	const row = await caseByReference(r.reference);
	assert.equal(row.category, 'bias.pricing');
	assert.equal(row.channel, 'website');
	assert.equal(row.brand, `Brand ${bMark}`);
	assert.equal(row.vulnerable, false);
	assert.equal(row.consent_contact, true);
	assert.equal(row.consent_publish, false);
	assert.equal(row.consent_demographics, true);
	const { rows: [d] } = await query(
	    'SELECT occurred_on::text AS d FROM cases WHERE id = $1', [row.id]);
	assert.equal(d.d, '2024-02-29');

	const opened = await openCase(row);
	assert.equal(opened.description.toString('utf8'), description);
	assert.deepEqual(opened.contact, { name: `Jane ${nMark}`, email });

	const dump = await dumpText();
	for (const t of ['cases', 'case_events', 'intake_requests'])
		assert.ok(dump.tables.includes(t), `dump covers ${t}`);
	// The search itself works: the brand is stored in clear.
	assert.ok(dumpHas(dump.text, bMark), 'brand marker found in the dump');
	assert.ok(!dumpHas(dump.text, dMark), 'description in clear in the database');
	assert.ok(!dumpHas(dump.text, nMark), 'contact name in clear in the database');
	assert.ok(!dumpHas(dump.text, eLocal), 'e-mail in clear in the database');
	assert.ok(!dumpHas(dump.text, r.code), 'receipt code in clear in the database');
	assert.ok(!dumpHas(dump.text, r.code.replace(/-/g, '')),
	    'normalised receipt code in clear in the database');
});
