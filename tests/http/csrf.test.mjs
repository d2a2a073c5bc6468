// The public forms need no cookie: a POST is accepted with a genuine form token no older than a day, sent from our own page (Sec-Fetch-Site, else Origin); forged, expired and cross-site posts are 403, store nothing and give the answers back with a new token and the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { countCases, caseByReference } from '../lib/db.mjs';
import { formToken } from '../lib/vault.mjs';

function flipHex(s, at = 40) {
	const ch = s[at] === '0' ? '1' : '0';
	return s.slice(0, at) + ch + s.slice(at + 1);
}

const HOST = new URL(c.BASE).host;

// Ways a POST can fail the check, and the words the page must use.
const REFUSED = [
	['no csrf field', { csrf: null }, /came from somewhere else/],
	['empty csrf field', { csrf: '' }, /came from somewhere else/],
	['one hex digit changed', { csrf: 'flip' }, /came from somewhere else/],
	['upper-case token', { csrf: 'upper' }, /came from somewhere else/],
	['a token made with another key', { csrf: 'alien' },
	    /came from somewhere else/],
	['a day and a minute old', { csrf: 'old' }, /more than a day/],
	['issued an hour from now', { csrf: 'future' }, /more than a day/],
	['Sec-Fetch-Site: cross-site', { headers: { 'sec-fetch-site':
	    'cross-site' } }, /came from somewhere else/],
	['Sec-Fetch-Site: same-site', { headers: { 'sec-fetch-site':
	    'same-site' } }, /came from somewhere else/],
	['Origin of another site, no Sec-Fetch-Site', { headers: {
	    'sec-fetch-site': undefined, origin: 'https://evil.example' } },
	    /came from somewhere else/],
	['Origin null, no Sec-Fetch-Site', { headers: {
	    'sec-fetch-site': undefined, origin: 'null' } },
	    /came from somewhere else/],
	['Origin on another port', { headers: { 'sec-fetch-site': undefined,
	    origin: 'http://127.0.0.1:1' } }, /came from somewhere else/],
];

async function tokenFor(kind, form) {
	const now = Math.floor(Date.now() / 1000);
	switch (kind) {
	case 'flip': return flipHex(form.csrf);
	case 'upper': return form.csrf.toUpperCase();
	case 'alien': return formToken(now, { alienKey: true });
	case 'old': return formToken(now - 86400 - 60);
	case 'future': return formToken(now + 3600);
	default: return kind;
	}
}

// Sends the complaint form; 'headers' entries set to undefined are left
// out, so that a test can send Origin without Sec-Fetch-Site.
async function send(form, fields, { csrf, headers = {} }) {
	if (csrf === undefined)
		return form.pageForm().fill(fields).submit({ headers });
	const h = { origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin',
	    ...headers };
	for (const k of Object.keys(h))
		if (h[k] === undefined)
			delete h[k];
	return c.postComplaint(form, fields, { forged: true, csrf: await
	    tokenFor(csrf, form), headers: h });
}

test('complaint form: forged, stale and cross-site posts are refused ' +
    'with the reason, store nothing and give the answers back', async () => {
	const before = await countCases();
	for (const [label, opt, reason] of REFUSED) {
		const form = await c.getForm();
		const fields = c.validFields();
		const res = await send(form, fields, opt);
		assert.equal(res.status, 403, `${label}: ${res.text.slice(0, 200)}`);
		assert.match(res.text, /Nothing was saved/, label);
		assert.match(res.text, reason, label);
		// The answers come back, under a new idempotency token (the
		// posted one may be a forger's, who could otherwise replay it
		// for the receipt) and a new form token that works.
		const back = res.doc.querySelector(
		    'input[name="idempotency_token"]')?.getAttribute('value');
		assert.match(back ?? '', /^[0-9a-f]{32}$/, label);
		assert.notEqual(back, form.token, label);
		assert.equal(res.doc.querySelector('textarea[name="description"]')
		    ?.text, fields.description, label);
		const again = res.doc.querySelector('input[name="csrf"]')
		    ?.getAttribute('value');
		assert.match(again ?? '', /^[0-9a-f]{64}$/, label);
	}
	assert.equal(await countCases(), before, 'a refused form stored a case');
});

test('a refused form, sent again from the page it came back on, is saved',
    async () => {
	const form = await c.getForm();
	const refused = await send(form, c.validFields(), { csrf: 'old' });
	assert.equal(refused.status, 403);
	const page = { ...form, doc: refused.doc, pageForm: () =>
	    c.pageFormOf(refused.doc, '/complaints/new', '/complaints') };
	const res = await page.pageForm().submit();
	assert.equal(res.status, 201, res.text.slice(0, 300));
	const { reference } = c.receiptOf(res.doc);
	assert.ok(await caseByReference(reference));
});

test('no cookie is set, and none is needed: a browser that refuses ' +
    'cookies files and tracks', async () => {
	const form = await c.getForm();
	assert.equal(form.res.headers.get('set-cookie'), null);
	const t = await c.getTrack();
	assert.equal(t.res.headers.get('set-cookie'), null);
	const filed = await c.fileComplaint({}, { cookie: null });
	assert.equal(filed.res.status, 201);
	assert.equal(filed.res.headers.get('set-cookie'), null);
	const res = await c.postTrack(filed.code);
	assert.equal(res.status, 200);
	assert.ok(res.text.includes(filed.reference));
	assert.equal(res.headers.get('set-cookie'), null);
});

test('a client that sends neither Sec-Fetch-Site nor Origin (no browser) ' +
    'is held to the token alone', async () => {
	const form = await c.getForm();
	const res = await send(form, c.validFields(), { headers: {
	    origin: undefined, 'sec-fetch-site': undefined } });
	assert.equal(res.status, 201);
	const res2 = await send(await c.getForm(), c.validFields(),
	    { csrf: 'flip', headers: { origin: undefined,
	    'sec-fetch-site': undefined } });
	assert.equal(res2.status, 403);
});

test('tracking form: forged, stale or cross-site lookups are refused and ' +
    'keep the typed code', async () => {
	const { json } = await c.apiComplaint(c.validDoc());
	for (const [label, csrf, headers] of [
	    ['wrong token', 'flip', {}],
	    ['stale token', 'old', {}],
	    ['no token', null, {}],
	    ['cross-site', undefined, { 'sec-fetch-site': 'cross-site' }]]) {
		const t = await c.getTrack();
		const f = t.pageForm().set('receipt_code', json.receipt_code);
		if (csrf !== undefined)
			f.values.set('csrf', csrf === null ? [] : [await
			    tokenFor(csrf, t)]);
		const res = await f.submit({ headers });
		assert.equal(res.status, 403, label);
		assert.ok(!res.text.includes(json.reference), label);
		assert.equal(res.doc.querySelector('input[name="receipt_code"]')
		    ?.getAttribute('value'), json.receipt_code, label);
		assert.match(res.text, /Nothing was sent/, label);
	}
	const ok = await c.postTrack(json.receipt_code);
	assert.equal(ok.status, 200);
});

test('a stale reply is not sent: the report comes back with the text ' +
    'kept, and sending it again from that page works', async () => {
	const { json } = await c.apiComplaint(c.validDoc());
	const ip = c.randomIp();
	const page = await c.postTrack(json.receipt_code, { ip });
	const f = c.pageFormOf(page.doc, '/track', '/track/reply');
	f.set('reply', 'Something I remembered.');
	f.values.set('csrf', [await tokenFor('old', page)]);
	const res = await f.submit({ ip });
	assert.equal(res.status, 403);
	assert.match(res.text, /Nothing was sent/);
	assert.equal(res.doc.querySelector('textarea[name="reply"]')?.text,
	    'Something I remembered.');
	const again = await c.pageFormOf(res.doc, '/track/reply',
	    '/track/reply').submit({ ip });
	assert.equal(again.status, 200);
	assert.match(again.text, /Your reply has been sent/);
	assert.match(again.text, /Something I remembered\./);
});
