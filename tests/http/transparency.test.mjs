// The published reports on the public side: /transparency lists them, /transparency/QUARTER shows the newest version with its summary, tables (each with a caption, charts with a text alternative) and signed files, every file and signature is served with its type, an ETag and a year's cache (304 when unchanged), every file verifies with signify against /transparency/key, /api/v1/reports lists them; drafts and unknown quarters are not found.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createAccount } from '../lib/staff.mjs';
import { query } from '../lib/db.mjs';
import { startReporter, built, publishReport } from '../lib/reporter.mjs';
import { parseHtml } from '../lib/html.mjs';
import * as c from '../lib/client.mjs';

const BASE = process.env.RECOURSE_URL;
let reporter, sup1, sup2, quarter, version, draftId;

const QUARTER = (() => {
	const d = new Date();
	return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
})();

async function sql(text, params) {
	return (await query(text, params)).rows[0].r;
}

before(async () => {
	sup1 = await createAccount({ roles: ['supervisor'], queues: [] });
	sup2 = await createAccount({ roles: ['supervisor'], queues: [] });
	for (let i = 0; i < 12; i++)
		assert.ok((await c.fileComplaint()).code);
	reporter = startReporter();
	// One published version, and a draft after it that stays a draft.
	version = await publishReport(QUARTER, sup1, sup2);
	draftId = await sql('SELECT report_request($1, $2, $3) AS r',
	    [sup2.id, QUARTER, 'A draft nobody publishes.']);
	assert.equal((await built(draftId)).state, 'draft');
	quarter = QUARTER;
});

after(async () => {
	await reporter?.stop();
});

const get = (path, headers = {}) => fetch(BASE + path, { headers,
    redirect: 'manual' });

test('/transparency lists the published version; the quarter\'s page ' +
    'shows it with captioned tables, charts described, and its files',
    async () => {
	const list = await get('/transparency');
	assert.equal(list.status, 200);
	const ldoc = parseHtml(await list.text());
	const link = ldoc.querySelector(`a[href="/transparency/${quarter}"]`);
	assert.ok(link, 'the quarter is listed');
	const item = link.parentNode.text;
	assert.match(item, new RegExp(`version ${version},`));
	assert.doesNotMatch(item, new RegExp(`version ${version + 1},`),
	    'the draft is not listed');

	const page = await get(`/transparency/${quarter}`);
	assert.equal(page.status, 200);
	const doc = parseHtml(await page.text());
	assert.match(doc.querySelector('h1').text, /Transparency report/);
	assert.match(doc.querySelector('.lede').text,
	    new RegExp(`Version ${version}, published`));
	const tables = doc.querySelectorAll('table');
	assert.ok(tables.length >= 10, `${tables.length} tables`);
	for (const t of tables)
		assert.ok(t.querySelector('caption')?.text.trim(), 'a caption');
	const charts = doc.querySelectorAll('svg.chart');
	assert.ok(charts.length >= 1);
	for (const svg of charts) {
		assert.equal(svg.getAttribute('role'), 'img');
		const [t, d] = svg.getAttribute('aria-labelledby').split(' ');
		assert.ok(svg.querySelector(`#${t}`).text.trim());
		assert.match(svg.querySelector(`#${d}`).text, /table below/);
	}
	assert.match(doc.querySelector('#methods-h').parentNode.text,
	    /fewer than 10/);
	const files = doc.querySelectorAll('ul.files a').map((a) =>
	    a.getAttribute('href'));
	const base = `/transparency/${quarter}/v${version}/`;
	assert.ok(files.includes(`${base}report.json`));
	assert.ok(files.includes(`${base}report.json.sig`));
	// The version's own address shows the same.
	assert.equal((await get(base)).status, 200);
});

test('every file and signature: its type, ETag, a year\'s cache, 304 ' +
    'when unchanged, and signify verifies it with /transparency/key',
    async () => {
	const key = await get('/transparency/key');
	assert.equal(key.status, 200);
	assert.match(key.headers.get('content-type'), /^text\/plain/);
	const dir = mkdtempSync(join(tmpdir(), 'verify-'));
	writeFileSync(join(dir, 'report.pub'), await key.text());
	const api = await get('/api/v1/reports');
	assert.equal(api.status, 200);
	const body = await api.json();
	assert.equal(body.key_url, '/transparency/key');
	const mine = body.reports.filter((r) => r.quarter === quarter &&
	    r.version === version);
	assert.equal(mine.length, 1);
	assert.deepEqual(body.reports.filter((r) => r.quarter === quarter)
	    .map((r) => r.version), [...Array(version).keys()].map((i) =>
	    version - i), 'every version, newest first; not the draft');
	assert.ok(mine[0].files.length >= 10);
	for (const f of mine[0].files) {
		const res = await get(f.url);
		assert.equal(res.status, 200, f.url);
		assert.equal(res.headers.get('content-type'), f.media_type);
		assert.equal(res.headers.get('etag'), `"${f.sha256}"`);
		assert.match(res.headers.get('cache-control'),
		    /max-age=31536000.*immutable/);
		assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
		const bytes = Buffer.from(await res.arrayBuffer());
		const again = await get(f.url, { 'if-none-match': `"${f.sha256}"` });
		assert.equal(again.status, 304);
		const sig = await get(f.signature_url);
		assert.equal(sig.status, 200);
		writeFileSync(join(dir, f.name), bytes);
		writeFileSync(join(dir, `${f.name}.sig`), await sig.text());
		const v = spawnSync('signify-openbsd', ['-V', '-q', '-p',
		    join(dir, 'report.pub'), '-m', join(dir, f.name)]);
		assert.equal(v.status, 0, `${f.name}: ${v.stderr}`);
	}
});

test('a draft, an unknown quarter or file, and other methods are refused',
    async () => {
	for (const path of [`/transparency/${quarter}/v${version + 1}/`,
	    `/transparency/${quarter}/v${version + 1}/report.json`,
	    '/transparency/1999-Q1',
	    `/transparency/${quarter}/v${version}/nothing.csv`,
	    `/transparency/${quarter}/v0/`, '/transparency/2026-Q5'])
		assert.equal((await get(path)).status, 404, path);
	const post = await fetch(`${BASE}/transparency/${quarter}`,
	    { method: 'POST' });
	assert.equal(post.status, 405);
	assert.ok(draftId);
});
