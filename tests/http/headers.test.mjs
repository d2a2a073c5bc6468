// Security headers on every route and status the application answers (200, 201, 400, 403, 404, 405, 409, 413, 415, 422), no-store on intake and tracking pages, and no HSTS on plain HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { assertSecurityHeaders } from '../lib/checks.mjs';
import { countCases } from '../lib/db.mjs';

test('GET routes: 200 with security headers', async () => {
	// [path, must not be cached]
	const routes = [['/', false], ['/privacy', false],
	    ['/complaints/new', true], ['/track', true],
	    ['/api/v1/taxonomy', false], ['/healthz', false],
	    ['/readyz', false], ['/static/app.js', false],
	    ['/static/style.css', false]];
	for (const [path, noStore] of routes) {
		const res = await c.request(path);
		assert.equal(res.status, 200, path);
		assertSecurityHeaders(res, { noStore, what: path });
		const head = await c.request(path, { method: 'HEAD' });
		assert.equal(head.status, 200, `HEAD ${path}`);
		assertSecurityHeaders(head, { noStore, what: `HEAD ${path}` });
	}
});

test('404 for unknown paths, pages and files', async () => {
	for (const path of ['/nope', '/complaints/new/extra', '/static/nope.js',
	    '/api/v1/nope', '/static/../src/app.h', '/.git/config',
	    '/track/']) {
		const res = await c.request(path);
		assert.equal(res.status, 404, path);
		assertSecurityHeaders(res, { what: path });
		if (path.startsWith('/api/'))
			assert.equal(JSON.parse(res.text).error.code, 'not_found');
	}
});

test('405 for methods a route does not take, with Allow', async () => {
	const cases = [['DELETE', '/track', 'GET, HEAD, POST'],
	    ['PUT', '/api/v1/complaints', 'POST'],
	    ['GET', '/api/v1/complaints', 'POST'],
	    ['PATCH', '/complaints/new', 'GET, HEAD'],
	    ['GET', '/complaints', 'POST'],
	    ['POST', '/', 'GET, HEAD'],
	    ['POST', '/healthz', 'GET, HEAD'],
	    ['DELETE', '/api/v1/track', 'POST'],
	    ['OPTIONS', '/api/v1/taxonomy', 'GET, HEAD']];
	for (const [method, path, allow] of cases) {
		const res = await c.request(path, { method });
		assert.equal(res.status, 405, `${method} ${path}`);
		assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
		assertSecurityHeaders(res, { what: `${method} ${path}` });
	}
});

test('413 for bodies over 192 KiB on every form and API route, and over ' +
    '15 MiB on the two that take files', async () => {
	const before = await countCases();
	const form = await c.getForm();
	const big = 'a'.repeat(200 * 1024);
	const huge = 'a'.repeat(15 * 1024 * 1024 + 1);
	const multi = c.multipartExact({ csrf: form.csrf,
	    idempotency_token: form.token, ...c.validFields({ description:
	    huge }) });
	let res = await c.request('/complaints', { method: 'POST',
	    body: multi.body, cookie: form.cookie,
	    headers: { 'content-type': multi.contentType } });
	assert.equal(res.status, 413);
	assertSecurityHeaders(res, { noStore: true, what: 'POST /complaints' });

	res = await c.apiComplaint(c.validDoc({ description: huge }));
	assert.equal(res.status, 413, res.text);
	assert.equal(res.json.error.code, 'too_large');
	assertSecurityHeaders(res, { what: 'POST /api/v1/complaints' });

	const t = await c.getTrack();
	const tm = c.multipartExact({ csrf: t.csrf, receipt_code: big });
	res = await c.request('/track', { method: 'POST', body: tm.body,
	    cookie: t.cookie, headers: { 'content-type': tm.contentType } });
	assert.equal(res.status, 413);
	assertSecurityHeaders(res, { noStore: true, what: 'POST /track' });

	res = await c.apiPost('/api/v1/track', { receipt_code: big });
	assert.equal(res.status, 413);
	assertSecurityHeaders(res, { what: 'POST /api/v1/track' });

	// Just under the limit is read (and refused for its content).
	res = await c.apiComplaint(c.validDoc({ description:
	    'a'.repeat(60 * 1024) }));
	assert.equal(res.status, 422);
	assert.equal(await countCases(), before);
});

test('201, 400, 403, 409, 415 and 422 answers carry them too', async () => {
	const form = await c.getForm();
	const fields = c.validFields();
	const created = await c.postComplaint(form, fields);
	assert.equal(created.status, 201);
	assertSecurityHeaders(created, { noStore: true, what: 'receipt' });
	const conflict = await c.postComplaint(form, { ...fields, brand: 'X' });
	assert.equal(conflict.status, 409);
	assertSecurityHeaders(conflict, { noStore: true, what: 'conflict' });

	const invalid = await c.postComplaint(await c.getForm(),
	    c.validFields({ channel: undefined }));
	assert.equal(invalid.status, 422);
	assertSecurityHeaders(invalid, { noStore: true, what: 'form 422' });

	const forbidden = await c.postComplaint(await c.getForm(),
	    c.validFields(), { headers: { 'sec-fetch-site': 'cross-site' } });
	assert.equal(forbidden.status, 403);
	assertSecurityHeaders(forbidden, { noStore: true, what: 'form 403' });

	const noToken = await c.postComplaint(await c.getForm(),
	    c.validFields(), { token: 'short' });
	assert.equal(noToken.status, 400);
	assertSecurityHeaders(noToken, { noStore: true, what: 'form 400' });

	const unreadable = await c.request('/complaints', { method: 'POST',
	    body: 'garbage', headers: { 'content-type': 'text/plain' } });
	assert.equal(unreadable.status, 400);
	assertSecurityHeaders(unreadable, { what: 'form 400 body' });

	const api = await c.apiComplaint(c.validDoc());
	assert.equal(api.status, 201);
	assertSecurityHeaders(api, { noStore: true, what: 'API 201' });
	const track = await c.postTrack(c.receiptOf(created.doc).code);
	assert.equal(track.status, 200);
	assertSecurityHeaders(track, { noStore: true, what: 'track 200' });
	const apiTrack = await c.apiTrack(api.json.receipt_code);
	assert.equal(apiTrack.status, 200);
	assertSecurityHeaders(apiTrack, { noStore: true, what: 'API track 200' });

	for (const [label, res, status] of [
		['API 400', await c.apiPost('/api/v1/complaints', c.validDoc()), 400],
		['API 415', await c.apiComplaint(c.validDoc(),
		    { contentType: 'text/plain' }), 415],
		['API 422', await c.apiComplaint(c.validDoc({ x: 1 })), 422],
		['API 400 JSON', await c.apiComplaint(null, { raw: '{' }), 400],
	]) {
		assert.equal(res.status, status, label);
		assertSecurityHeaders(res, { what: label });
	}
});
