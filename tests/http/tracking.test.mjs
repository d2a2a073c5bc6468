// Tracking by receipt code: wrong and unknown codes look alike, malformed codes are 422, codes are stored only as keyed hashes, lookups are throttled per client, and the server log holds no code, address or description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { assertLogClean, assertSecurityHeaders } from '../lib/checks.mjs';
import { caseByReference, dumpHas, dumpText } from '../lib/db.mjs';
import { receiptHash } from '../lib/vault.mjs';

const codes = [];
const descriptions = [];

async function newCase() {
	const doc = c.validDoc();
	const res = await c.apiComplaint(doc);
	assert.equal(res.status, 201);
	codes.push(res.json.receipt_code);
	descriptions.push(doc.description);
	return res.json;
}

// The page without the CSRF token's value, which differs per browser, and
// without the code typed, which the form gives back to be corrected.
function withoutCsrf(text, typed) {
	return text.replace(/(name="csrf" value=")[0-9a-f]*"/, '$1"')
	    .replace(`value="${typed}"`, 'value=""');
}

test('a wrong code and an unknown code get the same answer', async () => {
	const { receipt_code: code, reference } = await newCase();
	const wrong = c.mutateCode(code);
	assert.notEqual(wrong, code);
	assert.match(wrong, c.RECEIPT_RE);
	const unknown = c.randomCode();

	const found = await c.postTrack(code);
	assert.equal(found.status, 200, 'the right code works');
	const w = await c.postTrack(wrong);
	const u = await c.postTrack(unknown);
	assert.equal(w.status, 404);
	assert.equal(u.status, 404);
	assert.notEqual(w.doc.querySelector('input[name="csrf"]')
	    .getAttribute('value'), u.doc.querySelector('input[name="csrf"]')
	    .getAttribute('value'), 'two browsers, two tokens');
	assert.equal(withoutCsrf(w.text, wrong), withoutCsrf(u.text, unknown));
	assert.ok(!w.text.includes(reference), 'a near miss reveals the case');
	assert.equal(w.doc.querySelector('input[name="receipt_code"]')
	    .getAttribute('value'), wrong, 'the typed code is given back');
	assert.equal(w.headers.get('content-length'),
	    u.headers.get('content-length'));
	assertSecurityHeaders(w, { noStore: true, what: 'track 404' });

	const jw = await c.apiTrack(wrong);
	const ju = await c.apiTrack(unknown);
	assert.equal(jw.status, 404);
	assert.equal(ju.status, 404);
	assert.equal(jw.text, ju.text);
	assert.equal(jw.json.error.code, 'not_found');
});

test('a malformed code is 422 and is not looked up', async () => {
	const base = c.randomCode();
	for (const bad of ['ABC', base + 'Z', base.slice(0, -1),
	    base.replace(/^./, 'U'), base.replace(/^./, '*'), '',
	    'x'.repeat(65), '\u00c5BCD-'.repeat(6)]) {
		const res = await c.postTrack(bad);
		assert.equal(res.status, 422, JSON.stringify(bad));
		assert.ok(res.doc.querySelector('#f-receipt_code-error'),
		    'the message is beside the field');
		assertSecurityHeaders(res, { noStore: true, what: 'track 422' });
		const j = await c.apiTrack(bad);
		assert.equal(j.status, 422, JSON.stringify(bad));
	}
});

test('receipt codes are stored only as their keyed hash', async () => {
	const { receipt_code: code, reference } = await newCase();
	const row = await caseByReference(reference);
	assert.ok(row.receipt_hash.equals(await receiptHash(code)),
	    'receipt_hash is the keyed hash of the code');
	const dump = await dumpText();
	assert.ok(dumpHas(dump.text, reference), 'the search works');
	for (const k of codes) {
		assert.ok(!dumpHas(dump.text, k), 'a receipt code is in the database');
		assert.ok(!dumpHas(dump.text, k.replace(/-/g, '')),
		    'a normalised receipt code is in the database');
		assert.ok(!dumpHas(dump.text, k.toLowerCase()));
	}
});

test('after 10 failed lookups in an hour a client is refused (429); successes do not count; others are not affected', async () => {
	const { receipt_code: code, reference } = await newCase();
	const hour = () => new Date().toISOString().slice(0, 13);
	// The pseudonym changes on the hour: start again if it turned.
	for (let attempt = 0; attempt < 2; attempt++) {
		const h0 = hour();
		const ip = c.randomIpv4();
		const results = [];
		// 10 failures with 2 successes among them: all answered.
		for (let i = 0; i < 12; i++) {
			const known = i === 4 || i === 7;
			const r = i % 2 ? await c.apiTrack(known ? code :
			    c.randomCode(), { ip }) : await c.postTrack(known ?
			    code : c.randomCode(), { ip });
			results.push(r.status);
		}
		const refused = await c.postTrack(code, { ip });
		const refusedApi = await c.apiTrack(code, { ip });
		if (hour() !== h0)
			continue;
		assert.deepEqual(results, [404, 404, 404, 404, 200, 404, 404,
		    200, 404, 404, 404, 404]);
		assert.equal(refused.status, 429);
		assert.match(refused.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
		assert.ok(!refused.text.includes(reference),
		    'a throttled lookup reveals nothing');
		assertSecurityHeaders(refused, { noStore: true, what: 'track 429' });
		assert.equal(refusedApi.status, 429);
		assert.match(refusedApi.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
		assert.equal(refusedApi.json.error.code, 'too_many_requests');

		const other = await c.postTrack(code, { ip: c.randomIpv4() });
		assert.equal(other.status, 200, 'another client is not throttled');
		// An unrelated request from the throttled client is unaffected.
		const form = await c.getForm({ ip });
		assert.equal(form.status, 200);
		return;
	}
	assert.fail('the hour turned twice during the test');
});

test('concurrent failed lookups from one client cannot exceed the allowance', async () => {
	const hour = () => new Date().toISOString().slice(0, 13);
	for (let attempt = 0; attempt < 2; attempt++) {
		const h0 = hour();
		const ip = c.randomIpv4();
		const all = await Promise.all(Array.from({ length: 40 }, () =>
		    c.apiTrack(c.randomCode(), { ip })));
		if (hour() !== h0)
			continue;	/* a new pseudonym mid-way: try again */
		const got = {};
		for (const r of all)
			got[r.status] = (got[r.status] || 0) + 1;
		assert.deepEqual(got, { 404: 10, 429: 30 },
		    `statuses of the 40 lookups: ${JSON.stringify(got)}`);
		return;
	}
	assert.fail('the hour turned twice during the test');
});

test('an IPv6 client is one /64: other addresses in it share the allowance', async () => {
	const { receipt_code: code } = await newCase();
	const hour = () => new Date().toISOString().slice(0, 13);
	for (let attempt = 0; attempt < 2; attempt++) {
		const h0 = hour();
		const p = () => Math.floor(Math.random() * 0xffff).toString(16);
		const net = `2001:db8:${p()}:${p()}`;
		for (let i = 0; i < 10; i++)
			await c.apiTrack(c.randomCode(), { ip: `${net}::${p()}:${i + 1}` });
		const same = await c.apiTrack(code, { ip: `${net}::beef` });
		const neighbour = await c.apiTrack(code,
		    { ip: `2001:db8:${p()}:${p()}::beef` });
		if (hour() !== h0)
			continue;
		assert.equal(same.status, 429, 'same /64, new address');
		assert.equal(neighbour.status, 200, 'another /64');
		return;
	}
	assert.fail('the hour turned twice during the test');
});

test('the server log holds no receipt code, client address or description', async () => {
	const { receipt_code: code } = await newCase();
	await c.postTrack(code);
	await c.postTrack(c.mutateCode(code));
	await c.postTrack('not a code');
	assertLogClean({ codes, addresses: [...c.sentAddresses],
	    texts: descriptions });
});
