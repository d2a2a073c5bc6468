// Forms are accepted only with the CSRF token bound to this browser's rc_csrf cookie; anything else is 403 and stores nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { countCases } from '../lib/db.mjs';

function flipHex(s, at = 10) {
	const ch = s[at] === '0' ? '1' : '0';
	return s.slice(0, at) + ch + s.slice(at + 1);
}

test('complaint form: missing, wrong or unbound CSRF tokens are refused', async () => {
	const before = await countCases();
	const other = await c.getForm();
	const attempts = [
		['no csrf field', { csrf: null }],
		['empty csrf field', { csrf: '' }],
		['one hex digit changed', { csrf: 'flip' }],
		['upper-case token', { csrf: 'upper' }],
		['no cookie', { cookie: null }],
		['cookie of another browser', { cookie: other.cookie }],
		['csrf of another browser', { csrf: other.csrf }],
		['malformed cookie', { cookie: 'rc_csrf=zz' }],
	];
	for (const [label, opt] of attempts) {
		const form = await c.getForm();
		const o = { ...opt };
		if (o.csrf === 'flip')
			o.csrf = flipHex(form.csrf);
		if (o.csrf === 'upper')
			o.csrf = form.csrf.toUpperCase();
		const res = await c.postComplaint(form, c.validFields(), o);
		assert.equal(res.status, 403, `${label}: ${res.text.slice(0, 200)}`);
		assert.match(res.text, /Nothing was saved/, label);
		// The answers come back, under a new token: the posted one may
		// be a forger's, who could otherwise replay it for the receipt.
		const back = res.doc.querySelector(
		    'input[name="idempotency_token"]')?.getAttribute('value');
		assert.match(back ?? '', /^[0-9a-f]{32}$/, label);
		assert.notEqual(back, form.token, label);
	}
	assert.equal(await countCases(), before, 'a refused form stored a case');

	// The same request with the right token and cookie goes through.
	const form = await c.getForm();
	const ok = await c.postComplaint(form, c.validFields());
	assert.equal(ok.status, 201);
	assert.equal(await countCases(), before + 1);
});

test('a browser that already has the cookie keeps it and its token', async () => {
	const first = await c.getForm();
	const again = await c.getForm({ cookie: first.cookie });
	assert.equal(again.res.headers.get('set-cookie'), null,
	    'no new cookie when one is sent');
	assert.equal(again.csrf, first.csrf);
	const res = await c.postComplaint(again, c.validFields());
	assert.equal(res.status, 201);
});

test('tracking form: missing or wrong CSRF token is refused', async () => {
	const { json } = await c.apiComplaint(c.validDoc());
	const t = await c.getTrack();
	for (const [label, csrf, cookie] of [['no cookie', t.csrf, null],
	    ['wrong token', flipHex(t.csrf), t.cookie],
	    ['no token', undefined, t.cookie]]) {
		const fd = c.formData({ csrf, receipt_code: json.receipt_code });
		const res = await c.request('/track', { method: 'POST', body: fd,
		    cookie });
		assert.equal(res.status, 403, label);
		assert.ok(!res.text.includes(json.reference), label);
	}
	const ok = await c.postTrack(json.receipt_code, { track: t });
	assert.equal(ok.status, 200);
});
