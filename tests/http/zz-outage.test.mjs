// PostgreSQL outage: intake answers 503 with Retry-After and "NOT saved" quickly, never 500, health stays up and readiness goes down, intake recovers after a stop or a restart, and the run leaves a clean server log.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as c from '../lib/client.mjs';
import { assertLogClean, assertSecurityHeaders } from '../lib/checks.mjs';
import { countCases, query } from '../lib/db.mjs';
import { parseHtml as parse, htmlNewlines } from '../lib/html.mjs';
import { PGDATA, pgctl, pgRunning as running, startCluster }
    from '../lib/pgctl.mjs';

function stopCluster() {
	pgctl('-m', 'fast', '-w', 'stop');
}

// Whatever happens, the cluster is running again for whoever comes next.
after(() => startCluster());

// A request that must be answered within 5 seconds.
async function timed(fn) {
	const t0 = Date.now();
	const res = await fn(AbortSignal.timeout(5000));
	return { res, ms: Date.now() - t0 };
}

const codes = [];

async function sleep(ms) {
	await new Promise((r) => setTimeout(r, ms));
}

test('with PostgreSQL down intake is 503, not saved, and recovers after', async () => {
	const before = await countCases();
	// Everything a browser holds before the outage: a loaded form.
	const form = await c.getForm();
	const fields = c.validFields();
	const doc = c.validDoc();
	const key = c.newKey();
	const seen = [];

	stopCluster();
	assert.equal(running(), false, 'the cluster is stopped');
	try {
		let { res, ms } = await timed(async (signal) => {
			const m = c.multipartExact({ csrf: form.csrf,
			    idempotency_token: form.token, ...fields });
			return c.request('/complaints', { method: 'POST', body: m.body,
			    cookie: form.cookie, signal,
			    headers: { 'content-type': m.contentType } });
		});
		seen.push(res.status);
		assert.equal(res.status, 503, res.text.slice(0, 300));
		assert.ok(ms < 5000, `answered in ${ms} ms`);
		assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
		assert.match(res.text, /NOT saved/);
		assert.match(res.headers.get('content-type'), /^text\/html/);
		assertSecurityHeaders(res, { noStore: true, what: 'form 503' });
		// A worker that has the form's lists cached gives the answers
		// back, filled in, with the same token, to send again.
		if (res.text.includes('class="complaint"')) {
			const back = parse(res.text);
			assert.equal(back.querySelector('textarea[name="description"]')
			    .textContent, htmlNewlines(fields.description));
			assert.equal(back.querySelector(
			    'input[name="idempotency_token"]').getAttribute('value'),
			    form.token);
		}

		({ res, ms } = await timed((signal) => c.request('/api/v1/complaints',
		    { method: 'POST', signal, body: JSON.stringify(doc),
		    headers: { 'content-type': 'application/json',
		    'idempotency-key': key } })));
		seen.push(res.status);
		assert.equal(res.status, 503, res.text);
		assert.ok(ms < 5000, `answered in ${ms} ms`);
		assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
		const j = JSON.parse(res.text);
		assert.equal(j.error.code, 'unavailable');
		assert.match(j.error.message, /not saved|nothing was saved/i);
		assertSecurityHeaders(res, { noStore: true, what: 'API 503' });

		({ res, ms } = await timed((signal) => c.request('/readyz',
		    { signal })));
		seen.push(res.status);
		assert.equal(res.status, 503);
		assert.ok(ms < 5000);
		assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
		assertSecurityHeaders(res, { what: 'readyz 503' });

		({ res } = await timed((signal) => c.request('/healthz', { signal })));
		assert.equal(res.status, 200);
		assertSecurityHeaders(res, { what: 'healthz' });

		// The empty form comes from a worker's cached lists, or is 503.
		({ res, ms } = await timed((signal) => c.request('/complaints/new',
		    { signal })));
		seen.push(res.status);
		assert.ok(res.status === 200 || res.status === 503, res.status);
		assert.ok(ms < 5000, `form answered in ${ms} ms`);
		if (res.status === 200)
			assert.ok(parse(res.text).querySelectorAll(
			    'input[name="category"]').length > 0);
		assertSecurityHeaders(res, { what: 'form while down' });

		// Every other route that needs the database says 503.
		for (const [label, fn] of [
			['taxonomy', (signal) => c.request('/api/v1/taxonomy',
			    { signal })],
			['track', async (signal) => {
				const t = await c.getTrack();
				return t.pageForm().set('receipt_code',
				    c.randomCode()).submit({ signal });
			}],
			['API track', (signal) => c.request('/api/v1/track',
			    { method: 'POST', signal, body: JSON.stringify({
			    receipt_code: c.randomCode() }),
			    headers: { 'content-type': 'application/json' } })],
		]) {
			({ res, ms } = await timed(fn));
			seen.push(res.status);
			assert.equal(res.status, 503, label);
			assert.ok(ms < 5000, `${label} answered in ${ms} ms`);
			assertSecurityHeaders(res, { what: `${label} 503` });
		}
		// Pages that need no database still work.
		({ res } = await timed((signal) => c.request('/', { signal })));
		assert.equal(res.status, 200);
	} finally {
		startCluster();
	}
	assert.equal(running(), true);

	// The same form and the same key go through once the database is back.
	let html, api;
	for (let i = 0; i < 5; i++) {
		html = await c.postComplaint(form, fields, { exact: true });
		seen.push(html.status);
		if (html.status === 201)
			break;
		assert.equal(html.status, 503, html.text.slice(0, 300));
		await sleep(500);
	}
	assert.equal(html.status, 201, 'intake works again');
	for (let i = 0; i < 5; i++) {
		api = await c.apiComplaint(doc, { key });
		seen.push(api.status);
		if (api.status === 201)
			break;
		assert.equal(api.status, 503, api.text);
		await sleep(500);
	}
	assert.equal(api.status, 201, 'the API works again');
	const ready = await c.request('/readyz');
	assert.equal(ready.status, 200);
	assert.ok(!seen.includes(500), `statuses seen: ${seen.join(' ')}`);
	assert.equal(await countCases(), before + 2, 'one case each, none lost');
	codes.push(c.receiptOf(html.doc).code, api.json.receipt_code);
});

test('a restart behind a warm connection pool is invisible to users', async () => {
	const before = await countCases();
	let made = 0;
	// Each worker's pool holds up to pgsql_conn_max connections that all go
	// stale at once; a request must reach a fresh one, not answer 503.
	for (let round = 0; round < 3; round++) {
		const warm = await Promise.all(Array.from({ length: 24 }, () =>
		    c.apiComplaint(c.validDoc())));
		assert.deepEqual(warm.map((r) => r.status), Array(24).fill(201));
		pgctl('-m', 'fast', '-w', '-t', '30', '-l',
		    path.join(PGDATA, '..', 'postgres.log'), 'restart');
		const after = await Promise.all(Array.from({ length: 24 }, () =>
		    c.apiComplaint(c.validDoc())));
		assert.deepEqual(after.map((r) => r.status), Array(24).fill(201),
		    `round ${round}`);
		made += 48;
		codes.push(...after.map((r) => r.json.receipt_code));
	}
	assert.equal(await countCases(), before + made);
});

test('housekeeping still runs after a restart', async () => {
	// The restarts above dropped the purger's connection mid-flight too.
	const a = await c.apiComplaint(c.validDoc());
	assert.equal(a.status, 201, a.text);
	codes.push(a.json.receipt_code);
	const kept = `SELECT count(*)::int AS n FROM intake_requests r
	    JOIN cases k ON k.id = r.case_id
	    WHERE k.reference = $1 AND r.receipt_box IS NOT NULL`;
	await query(`UPDATE intake_requests SET created_at = created_at -
	    interval '25 hours' WHERE case_id = (SELECT id FROM cases
	    WHERE reference = $1)`, [a.json.reference]);
	let n = 1;
	for (let i = 0; i < 50 && n !== 0; i++) {
		await sleep(100);
		n = (await query(kept, [a.json.reference])).rows[0].n;
	}
	assert.equal(n, 0, 'the kept receipt code outlived 24 hours');
});

// This file runs last: the log of the whole run, outage included, must hold
// no receipt code, client address or submitted text.
test('the server log is clean after the whole run', async () => {
	assertLogClean({ codes, addresses: [...c.sentAddresses] });
});
