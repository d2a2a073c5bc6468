// The audit chain's head published in each report: recourse-admin verify-audit checks the chain against every published head, so a report naming a link the chain no longer holds (its tail cut) or a link with another hash (the chain rebuilt) is reported broken; the heads it compares are those of report.json files signed by report.pub.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { createAccount } from '../lib/staff.mjs';
import { dbConfig, query } from '../lib/db.mjs';
import { startReporter, publishReport } from '../lib/reporter.mjs';

const FIGURES = new URL('./data/report/figures.json', import.meta.url);
let reporter;

before(async () => {
	const s1 = await createAccount({ roles: ['supervisor'], queues: [] });
	const s2 = await createAccount({ roles: ['supervisor'], queues: [] });
	reporter = startReporter();
	// A real report, its head taken from the live chain.
	await publishReport('2024-Q1', s1, s2);
	await reporter.stop();
});

after(async () => {
	await reporter?.stop();
});

function verifyAudit() {
	return new Promise((resolve) => {
		execFile(process.env.RECOURSE_ADMIN, ['verify-audit'],
		    { env: process.env, timeout: 30000 }, (err, stdout) =>
		    resolve({ code: err ? err.code : 0, stdout }));
	});
}

/*
 * A report of 'quarter' published by hand whose report.json, signed with
 * the real key, names 'audit' as the chain's head; removed afterwards
 * (as the owner, past the finality triggers, as a restore would).
 */
async function withForgedHead(quarter, audit, fn) {
	const fig = JSON.parse(readFileSync(FIGURES));
	fig.quarter = quarter;
	fig.audit = audit;
	const dir = mkdtempSync(join(tmpdir(), 'forged-'));
	writeFileSync(join(dir, 'fig.json'), JSON.stringify(fig));
	execFileSync(process.env.RECOURSE_REPORTER, ['files',
	    join(dir, 'fig.json'), join(dir, 'f')], { env: { ...process.env,
	    RECOURSE_REPORT_SCHEMA: new URL('../../docs/report.schema.json',
	    import.meta.url).pathname } });
	const sup = await createAccount({ roles: ['supervisor'], queues: [] });
	const other = await createAccount({ roles: ['supervisor'], queues: [] });
	const id = (await query(`INSERT INTO reports (quarter, snapshot_at,
	    planned_version, requested_by, state) VALUES ($1, now(), 1, $2,
	    'draft') RETURNING id`, [quarter, sup.id])).rows[0].id;
	for (const name of readdirSync(join(dir, 'f')).filter((n) =>
	    !n.endsWith('.sig')))
		await query(`INSERT INTO report_files VALUES ($1, $2, 'x', $3,
		    sha256($3), $4)`, [id, name, readFileSync(join(dir, 'f',
		    name)), readFileSync(join(dir, 'f', `${name}.sig`), 'utf8')]);
	await query(`UPDATE reports SET state = 'published', version = 1,
	    publish_requested_by = $2, published_by = $3, published_at = now()
	    WHERE id = $1`, [id, sup.id, other.id]);
	try {
		await fn();
	} finally {
		const c = new pg.Client(dbConfig());
		await c.connect();
		await c.query('SET session_replication_role = replica');
		await c.query('DELETE FROM report_files WHERE report_id = $1', [id]);
		await c.query('DELETE FROM reports WHERE id = $1', [id]);
		await c.end();
	}
}

test('verify-audit finds every published head in the chain', async () => {
	const r = await verifyAudit();
	assert.equal(r.code, 0, r.stdout);
	assert.match(r.stdout, /^published heads: \d+ reports, each head in the chain$/m);
});

test('a head the chain no longer holds, or holds with another hash, is ' +
    'reported broken', async () => {
	await withForgedHead('2024-Q2', { seq: 1000000000, hash: 'ab'.repeat(32) },
	    async () => {
		const r = await verifyAudit();
		assert.equal(r.code, 1, r.stdout);
		assert.match(r.stdout, /report 2024-Q2 version 1 published link 1000000000, which the chain no longer holds: its tail was cut/);
	});
	await withForgedHead('2024-Q2', { seq: 1, hash: '00'.repeat(32) },
	    async () => {
		const r = await verifyAudit();
		assert.equal(r.code, 1, r.stdout);
		assert.match(r.stdout, /report 2024-Q2 version 1 published link 1 with another hash/);
	});
	// Cleaned up: intact again.
	assert.equal((await verifyAudit()).code, 0);
});
