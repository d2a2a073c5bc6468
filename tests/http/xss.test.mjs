// Script-like input in any field comes back only as escaped text: on the receipt page, the re-rendered form, tracking pages and error pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { activeContent, formValues, htmlNewlines, parseHtml, textById }
    from '../lib/html.mjs';

const PAYLOADS = [
	'<script>alert(1)</script>',
	'"><img src=x onerror=alert(1)>',
	"'><svg onload=alert(1)>",
	'javascript:alert(1)',
	'</textarea><script>alert(2)</script>',
	'<iframe src="javascript:alert(3)"></iframe>',
	'&lt;script&gt;alert(4)&lt;/script&gt;',
	'<a href="javascript:alert(5)">x</a><body onload=alert(6)>',
	'\u003cscript\u003ealert(7)\u003c/script\u003e',
	'<!-- --><script>alert(8)</script><![CDATA[',
];

function assertInert(doc, what) {
	assert.deepEqual(activeContent(doc), [], `${what}: active content`);
	const scripts = doc.querySelectorAll('script');
	assert.equal(scripts.length, 1, `${what}: only app.js`);
	assert.equal(scripts[0].getAttribute('src'), '/static/app.js');
}

test('receipt page: payloads in description and brand are shown as text', async () => {
	const description = `Attack text follows.\n${PAYLOADS.join('\n')}\n` +
	    c.marker('X');
	const brand = PAYLOADS[1] + ' ' + PAYLOADS[0];
	const r = await c.fileComplaint({ description, brand,
	    contact_name: PAYLOADS[1] + PAYLOADS[0],
	    contact_email: 'x@example.org', consent_contact: 'yes' },
	    { exact: true });
	assert.equal(r.res.status, 201, r.res.text.slice(0, 300));
	assertInert(r.res.doc, 'receipt');
	assert.equal(textById(r.res.doc, 'description'), htmlNewlines(description));
	assert.equal(textById(r.res.doc, 'brand'), brand);
	assert.ok(!r.res.text.includes('<script>alert'), 'raw <script> in page');
	assert.ok(!r.res.text.includes('<img'), 'raw <img in page');
	assert.ok(!r.res.text.includes('<svg'), 'raw <svg in page');
	assert.ok(r.res.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
	assert.ok(r.res.text.includes('&amp;lt;script&amp;gt;'),
	    'entities in input are escaped again');

	const t = await c.postTrack(r.code);
	assert.equal(t.status, 200);
	assertInert(t.doc, 'tracking result');
});

test('re-rendered form: payloads stay inside their attributes and textarea', async () => {
	const form = await c.getForm();
	const fields = c.validFields({ category: undefined,
	    description: PAYLOADS.join('\n'), brand: PAYLOADS[1],
	    contact_name: PAYLOADS[2], contact_email: PAYLOADS[1],
	    occurred_on: PAYLOADS[0], channel: PAYLOADS[3],
	    why_shown: PAYLOADS.join('\n'), consent_demographics: 'yes',
	    gender_description: PAYLOADS[2] });
	const res = await c.postComplaint(form, fields, { exact: true });
	assert.equal(res.status, 422);
	assertInert(res.doc, 'form');
	const kept = formValues(res.doc);
	assert.equal(kept.brand, PAYLOADS[1]);
	assert.equal(kept.contact_name, PAYLOADS[2]);
	assert.equal(kept.contact_email, PAYLOADS[1]);
	assert.equal(kept.occurred_on, PAYLOADS[0]);
	assert.equal(kept.description, PAYLOADS.join('\n'));
	assert.equal(kept.why_shown, PAYLOADS.join('\n'));
	assert.equal(kept.gender_description, PAYLOADS[2]);
	assert.equal(res.doc.querySelectorAll('textarea').length, 2);
	assert.equal(res.doc.querySelectorAll('form').length, 1);
});

test('tracking and error pages do not reflect payloads as markup', async () => {
	for (const p of PAYLOADS) {
		const t = await c.postTrack(p);
		assert.equal(t.status, 422, p);
		assertInert(t.doc, `track ${p}`);
	}
	const t = await c.postTrack('ABCD-EFGH-JKMN-PQRS-TVWX-YZ01');
	assert.equal(t.status, 404);
	assertInert(t.doc, 'track 404');

	for (const path of ['/%3Cscript%3Ealert(1)%3C/script%3E',
	    '/complaints/new?x=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E',
	    '/static/%3Cimg%3E']) {
		const res = await c.request(path);
		const doc = parseHtml(res.text);
		assertInert(doc, path);
		assert.ok(!res.text.includes('<img'), path);
		assert.ok(!res.text.includes('<script>alert'), path);
	}
});

test('JSON answers are JSON, never HTML', async () => {
	const res = await c.apiComplaint(c.validDoc({ [PAYLOADS[0]]: 1 }));
	assert.equal(res.status, 422);
	assert.match(res.headers.get('content-type'), /^application\/json/);
	assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
	assert.equal(res.headers.get('content-security-policy')
	    ?.includes("default-src 'none'"), true);
	assert.deepEqual(Object.keys(res.json.error.fields), [PAYLOADS[0]]);
});
