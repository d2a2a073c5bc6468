// Idempotent intake: a replayed form or Idempotency-Key returns the first answer and stores one case; other content under the same token is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { countCases, query } from '../lib/db.mjs';

test('HTML: the same form posted twice gives the same receipt, one case', async () => {
	const before = await countCases();
	const form = await c.getForm();
	const fields = c.validFields({ contact_name: 'Sam', vulnerable: 'yes' });
	const a = await c.postComplaint(form, fields);
	const b = await c.postComplaint(form, fields);
	assert.equal(a.status, 201);
	assert.equal(b.status, 201);
	const ra = c.receiptOf(a.doc), rb = c.receiptOf(b.doc);
	assert.match(ra.code, c.RECEIPT_RE);
	assert.equal(rb.code, ra.code);
	assert.equal(rb.reference, ra.reference);
	assert.equal(await countCases(), before + 1);
	// Surrounding spaces in one-line fields do not make it a new request.
	const spaced = await c.postComplaint(form, { ...fields,
	    brand: `  ${fields.brand} ` });
	assert.equal(spaced.status, 201);
	assert.equal(c.receiptOf(spaced.doc).code, ra.code);
	assert.equal(await countCases(), before + 1);
});

test('HTML: 10 concurrent identical posts all get the same receipt, one case', async () => {
	const before = await countCases();
	const form = await c.getForm();
	const fields = c.validFields();
	const all = await Promise.all(Array.from({ length: 10 }, () =>
	    c.postComplaint(form, fields)));
	const codes = new Set(), refs = new Set();
	for (const r of all) {
		assert.equal(r.status, 201, r.text.slice(0, 300));
		codes.add(c.receiptOf(r.doc).code);
		refs.add(c.receiptOf(r.doc).reference);
	}
	assert.equal(codes.size, 1, [...codes].join(' '));
	assert.equal(refs.size, 1);
	assert.match([...codes][0], c.RECEIPT_RE);
	assert.equal(await countCases(), before + 1);
	const ev = await query('SELECT count(*)::int AS n FROM case_events e ' +
	    'JOIN cases k ON k.id = e.case_id WHERE k.reference = $1', [...refs]);
	assert.equal(ev.rows[0].n, 1, 'one received event');
});

test('HTML: the same token with other content is 409 and stores nothing', async () => {
	const form = await c.getForm();
	const fields = c.validFields();
	const first = await c.postComplaint(form, fields);
	assert.equal(first.status, 201);
	const { reference, code } = c.receiptOf(first.doc);
	const before = await countCases();
	for (const change of [{ description: fields.description + ' more' },
	    { brand: 'Other brand' }, { consent_publish: 'yes' },
	    { vulnerable: 'yes' }]) {
		const res = await c.postComplaint(form, { ...fields, ...change });
		assert.equal(res.status, 409, JSON.stringify(change));
		assert.equal(res.doc.querySelector('.reference')?.text, reference);
		assert.ok(!res.text.includes(code), 'the receipt code is not shown');
		assert.equal(res.doc.querySelector('#receipt-code'), null);
	}
	assert.equal(await countCases(), before);
});

test('JSON: same key and body gives the same answer, one case', async () => {
	const before = await countCases();
	const key = c.newKey();
	const doc = c.validDoc({ consent: { publish: true }, vulnerable: true });
	const a = await c.apiComplaint(doc, { key });
	const b = await c.apiComplaint(doc, { key });
	assert.equal(a.status, 201);
	assert.equal(b.status, 201);
	assert.deepEqual(b.json, a.json);
	// The same content written differently is the same request.
	const reordered = Object.fromEntries(Object.entries({ ...doc,
	    consent: undefined, consent_publish: true }).reverse());
	const c2 = await c.apiPost('/api/v1/complaints', null, { key,
	    raw: JSON.stringify(reordered, null, 2) });
	assert.equal(c2.status, 201, c2.text);
	assert.deepEqual(c2.json, a.json);
	assert.equal(await countCases(), before + 1);
});

test('JSON: 10 concurrent posts with one key get one answer, one case', async () => {
	const before = await countCases();
	const key = c.newKey();
	const doc = c.validDoc();
	const all = await Promise.all(Array.from({ length: 10 }, () =>
	    c.apiComplaint(doc, { key })));
	for (const r of all) {
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.json, all[0].json);
	}
	assert.equal(await countCases(), before + 1);
});

test('JSON: same key with another body is 422 idempotency_key_reused', async () => {
	const key = c.newKey();
	const doc = c.validDoc();
	const a = await c.apiComplaint(doc, { key });
	assert.equal(a.status, 201);
	const before = await countCases();
	const b = await c.apiComplaint({ ...doc, brand: 'Different' }, { key });
	assert.equal(b.status, 422, b.text);
	assert.equal(b.json.error.code, 'idempotency_key_reused');
	assert.ok(!b.text.includes(a.json.receipt_code));
	assert.equal(await countCases(), before);
	// A different key with the first body is a new complaint.
	const d = await c.apiComplaint(doc, { key: c.newKey() });
	assert.equal(d.status, 201);
	assert.notEqual(d.json.reference, a.json.reference);
	assert.equal(await countCases(), before + 1);
});

test('form tokens and API keys do not collide', async () => {
	const form = await c.getForm();
	const fields = c.validFields();
	const h = await c.postComplaint(form, fields);
	assert.equal(h.status, 201);
	const before = await countCases();
	const j = await c.apiComplaint(c.validDoc({ description:
	    fields.description }), { key: form.token });
	assert.equal(j.status, 201, j.text);
	assert.notEqual(j.json.reference, c.receiptOf(h.doc).reference);
	assert.equal(await countCases(), before + 1);
});

test('a receipt code kept for replays is destroyed once 24 hours old', async () => {
	const key = c.newKey();
	const doc = c.validDoc();
	const a = await c.apiComplaint(doc, { key });
	assert.equal(a.status, 201, a.text);
	const ref = a.json.reference;
	const kept = `SELECT count(*)::int AS n FROM intake_requests r
	    JOIN cases c ON c.id = r.case_id
	    WHERE c.reference = $1 AND r.receipt_box IS NOT NULL`;
	assert.equal((await query(kept, [ref])).rows[0].n, 1);
	// Age the record; the housekeeping timer (every second in tests)
	// must destroy the ciphertext without any request arriving.
	await query(`UPDATE intake_requests SET created_at = created_at -
	    interval '25 hours' WHERE case_id = (SELECT id FROM cases
	    WHERE reference = $1)`, [ref]);
	let n = 1;
	for (let i = 0; i < 50 && n !== 0; i++) {
		await new Promise((r) => setTimeout(r, 100));
		n = (await query(kept, [ref])).rows[0].n;
	}
	assert.equal(n, 0, 'receipt_box still present after 5 s');
	const b = await c.apiComplaint(doc, { key });
	assert.equal(b.status, 409, b.text);
	assert.equal(b.json.error.code, 'receipt_expired');
	assert.equal(b.json.error.reference, ref);
	assert.equal(b.json.receipt_code, undefined);
});
