// The report workflow in the database, as the back office's role runs it: a supervisor asks for a quarter, recourse-reporter builds it as a signed draft, one supervisor asks to publish and another approves (the same one cannot, a reviewer cannot), the published report and its files refuse every change, and a correction is a new version that says what it changes; the public side lists and serves only what is published.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { createAccount } from '../lib/staff.mjs';
import { query } from '../lib/db.mjs';
import { startReporter, built } from '../lib/reporter.mjs';
import { waitFor } from '../lib/mail.mjs';
import * as c from '../lib/client.mjs';

let reporter, sup1, sup2, reviewer;

// A client logged in as one of the service's roles.
async function as(role, sql, params = []) {
	const db = new pg.Client({ host: process.env.RECOURSE_PGHOST,
	    user: role, database: process.env.RECOURSE_DBNAME });
	await db.connect();
	try {
		return (await db.query(sql, params)).rows;
	} finally {
		await db.end();
	}
}
const review = (sql, params) => as('recourse_review', sql, params);
const publicSide = (sql, params) => as('recourse_public', sql, params);

// A quarter no other test publishes (the current one is the pages').
const QUARTER = '2025-Q1';

before(async () => {
	sup1 = await createAccount({ roles: ['supervisor'], queues: [] });
	sup2 = await createAccount({ roles: ['supervisor'], queues: [] });
	reviewer = await createAccount({ roles: ['reviewer'] });
	// Something to count.
	for (let i = 0; i < 3; i++)
		assert.ok((await c.fileComplaint()).code);
	reporter = startReporter();
});

after(async () => {
	await reporter?.stop();
});

async function request(actor, quarter, note = null) {
	return (await review('SELECT report_request($1, $2, $3) AS r',
	    [actor, quarter, note]))[0].r;
}
const step = async (fn, actor, id) => (await review(
    `SELECT ${fn}($1, $2) AS r`, [actor, id]))[0].r;

function verifies(name, body, signature) {
	const dir = mkdtempSync(join(tmpdir(), 'sig-'));
	writeFileSync(join(dir, name), body);
	writeFileSync(join(dir, `${name}.sig`), signature);
	return spawnSync('signify-openbsd', ['-V', '-q', '-p',
	    join(process.env.RECOURSE_KEYS, 'report.pub'), '-m',
	    join(dir, name)]).status === 0;
}

test('a draft is built and signed; publishing needs a second ' +
    'supervisor; a published report refuses every change', async () => {
	assert.equal(await request(reviewer.id, QUARTER), 'forbidden');
	assert.match(await request(sup1.id, '2099-Q1'), /quarter/);
	const id = await request(sup1.id, QUARTER);
	assert.match(id, /^\d+$/, id);
	const row = await built(id);
	assert.equal(row.state, 'draft', row.build_error ?? '');
	// The builder says so just after storing it.
	await waitFor('the builder\'s log line', () => new RegExp(`report ${id} `
	    + `\\(${QUARTER}\\): draft built`).test(reporter.log()));

	const files = (await query(`SELECT name, media_type, body, sha256,
	    signature FROM report_files WHERE report_id = $1 ORDER BY name`,
	    [id])).rows;
	assert.ok(files.some((f) => f.name === 'report.json'));
	for (const f of files) {
		assert.ok(verifies(f.name, f.body, f.signature), f.name);
		const sha = (await query(`SELECT sha256($1::bytea) AS h`,
		    [f.body])).rows[0].h;
		assert.deepEqual(f.sha256, sha, `${f.name}'s SHA-256`);
	}
	const doc = JSON.parse(files.find((f) => f.name === 'report.json')
	    .body);
	assert.equal(doc.report.quarter, QUARTER);
	assert.equal(doc.report.version, 1, 'the version it will have');
	// The builder's real document follows the published schema, and
	// names the taxonomy's version.
	const ajv = new Ajv2020({ allErrors: true, strict: true });
	const valid = ajv.compile(JSON.parse(readFileSync(new URL(
	    '../../docs/report.schema.json', import.meta.url))));
	assert.ok(valid(doc), JSON.stringify(valid.errors));
	assert.match(doc.report.taxonomy_version, /^[0-9a-f]{64}$/);
	assert.ok(files.find((f) => f.name === 'report.html').body.toString()
	    .includes(doc.report.taxonomy_version));
	assert.ok(doc.summary.received === '<10' ||
	    Number.isInteger(doc.summary.received), 'a count, or "<10"');

	// Nothing is public yet.
	assert.deepEqual(await publicSide('SELECT * FROM report_published() ' +
	    'WHERE quarter = $1', [QUARTER]), []);
	assert.equal(await step('report_publish_approve', sup2.id, id),
	    'state', 'approval before anyone asked');
	assert.equal(await step('report_publish_request', reviewer.id, id),
	    'forbidden');
	assert.equal(await step('report_publish_request', sup1.id, id), 'ok');
	assert.equal(await step('report_publish_approve', sup1.id, id),
	    'same_person');
	assert.equal(await step('report_publish_approve', sup2.id, id), 'ok');
	const listed = await publicSide('SELECT * FROM report_published() ' +
	    'WHERE quarter = $1', [QUARTER]);
	assert.equal(listed.length, 1);
	assert.equal(listed[0].version, 1);
	const served = await publicSide('SELECT * FROM report_published_file(' +
	    '$1, NULL, $2)', [QUARTER, 'report.json']);
	assert.equal(served.length, 1);
	assert.deepEqual(served[0].body, files.find((f) => f.name ===
	    'report.json').body);

	// Final: no change, no deletion, no file added, none altered.
	for (const sql of [
	    ['UPDATE reports SET correction_note = $2 WHERE id = $1', [id, 'x']],
	    ['DELETE FROM reports WHERE id = $1', [id]],
	    ['UPDATE report_files SET body = $2 WHERE report_id = $1',
	        [id, Buffer.from('forged')]],
	    ['DELETE FROM report_files WHERE report_id = $1', [id]],
	    [`INSERT INTO report_files VALUES ($1, 'extra.csv', 'text/csv',
	        '\\x00', sha256('\\x00'), 'x')`, [id]],
	    ['TRUNCATE report_files', []]]) {
		await assert.rejects(query(sql[0], sql[1]),
		    /published|cannot change|append-only/, sql[0]);
	}
	assert.equal(await step('report_discard', sup1.id, id), 'state');
});

test('a correction is a new version that says what it changes; the ' +
    'first stays as it was', async () => {
	const [first] = await publicSide('SELECT * FROM report_published() ' +
	    'WHERE quarter = $1 ORDER BY version LIMIT 1', [QUARTER]);
	assert.ok(first, 'the first test published version 1');
	assert.match(await request(sup1.id, QUARTER), /note/);
	const id = await request(sup2.id, QUARTER, 'Two cases were counted ' +
	    'under the wrong concern.');
	assert.match(id, /^\d+$/, id);
	assert.equal((await built(id)).state, 'draft');
	const doc = JSON.parse((await query(`SELECT body FROM report_files
	    WHERE report_id = $1 AND name = 'report.json'`, [id])).rows[0].body);
	assert.equal(doc.report.version, 2);
	assert.equal(doc.report.corrects, 1);
	const [v1] = await publicSide('SELECT body FROM report_published_file(' +
	    '$1, 1, $2)', [QUARTER, 'report.json']);
	assert.equal(doc.report.taxonomy_version, JSON.parse(v1.body).report
	    .taxonomy_version, 'the same words, the same version');
	assert.match(doc.report.correction_note, /wrong concern/);
	assert.equal(await step('report_publish_request', sup2.id, id), 'ok');
	assert.equal(await step('report_publish_approve', sup1.id, id), 'ok');
	const versions = await publicSide('SELECT version, corrects, ' +
	    'correction_note FROM report_published() WHERE quarter = $1 ' +
	    'ORDER BY version', [QUARTER]);
	assert.deepEqual(versions.map((v) => [v.version, v.corrects]),
	    [[1, null], [2, 1]]);
	// The newest is served by default; the first is still there.
	const latest = await publicSide('SELECT body FROM ' +
	    'report_published_file($1, NULL, $2)', [QUARTER, 'report.json']);
	assert.equal(JSON.parse(latest[0].body).report.version, 2);
	const old = await publicSide('SELECT body FROM ' +
	    'report_published_file($1, 1, $2)', [QUARTER, 'report.json']);
	assert.equal(JSON.parse(old[0].body).report.version, 1);
});

test('a draft whose version another publication took is refused as ' +
    'stale', async () => {
	const a = await request(sup1.id, QUARTER, 'First of two.');
	const b = await request(sup2.id, QUARTER, 'Second of two.');
	assert.equal((await built(a)).state, 'draft');
	assert.equal((await built(b)).state, 'draft');
	assert.equal(await step('report_publish_request', sup1.id, a), 'ok');
	assert.equal(await step('report_publish_request', sup1.id, b), 'ok');
	assert.equal(await step('report_publish_approve', sup2.id, a), 'ok');
	assert.equal(await step('report_publish_approve', sup2.id, b), 'stale');
	assert.equal(await step('report_discard', sup2.id, b), 'ok');
});

test('the next quarter\'s draft shows this one in its trends, as ' +
    'published, and the change against it', async () => {
	const id = await request(sup1.id, '2025-Q2');
	assert.equal((await built(id)).state, 'draft');
	const doc = JSON.parse((await query(`SELECT body FROM report_files
	    WHERE report_id = $1 AND name = 'report.json'`, [id])).rows[0].body);
	const published = JSON.parse((await publicSide('SELECT body FROM ' +
	    'report_published_file($1, NULL, $2)', [QUARTER, 'report.json']))[0]
	    .body);
	const trends = doc.tables.find((t) => t.id === 'trends');
	assert.deepEqual(trends.rows.map((r) => r.code), ['2024-Q2', '2024-Q3',
	    '2024-Q4', '2025-Q1', '2025-Q2']);
	const row = trends.rows.find((r) => r.code === QUARTER);
	assert.deepEqual(row.cells, [published.summary.received,
	    published.summary.decided, published.summary.upheld,
	    published.summary.decided_on_time_percent]);
	assert.deepEqual(trends.rows[0].cells, [null, null, null, null],
	    'no report then');
	const expect = Number.isInteger(doc.summary.received) &&
	    Number.isInteger(published.summary.received) ?
	    doc.summary.received - published.summary.received : null;
	assert.equal(doc.summary.received_change, expect);
	assert.equal(await step('report_discard', sup1.id, id), 'ok');
});
