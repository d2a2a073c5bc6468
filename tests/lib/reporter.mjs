// Starts recourse-reporter (the report builder) as the back office's role, and the report workflow's statements as the back office runs them.
import { spawn } from 'node:child_process';
import { preloadEnv } from './kore.mjs';
import { stop, waitFor } from './mail.mjs';
import { query } from './db.mjs';

const SCHEMA = new URL('../../docs/report.schema.json', import.meta.url)
    .pathname;

/* The builder, polling every 100 ms; its output is kept in .log(). */
export function startReporter(env = {}) {
	const proc = spawn(process.env.RECOURSE_REPORTER, [], { env: {
	    ...preloadEnv(), PATH: process.env.PATH,
	    RECOURSE_DB: process.env.RECOURSE_REVIEW_DB,
	    RECOURSE_KEYS: process.env.RECOURSE_KEYS,
	    RECOURSE_REPORT_SCHEMA: SCHEMA,
	    RECOURSE_REPORTER_POLL_MS: '100', ...env },
	    stdio: ['ignore', 'pipe', 'pipe'] });
	let log = '';
	proc.stdout.on('data', (d) => { log += d; });
	proc.stderr.on('data', (d) => { log += d; });
	return { proc, log: () => log, stop: () => stop(proc) };
}

// Until report 'id' leaves the builder's hands; returns its row.
export function built(id) {
	return waitFor(`report ${id} built`, async () => {
		const r = await query(`SELECT state, build_error FROM reports
		    WHERE id = $1`, [id]);
		return ['draft', 'failed'].includes(r.rows[0].state) ?
		    r.rows[0] : null;
	});
}

// Asks for a report of 'quarter' as supervisor s1 (a correction when the
// quarter is already published), waits for the build and has s2 approve
// s1's request to publish it.  Returns the published version.
export async function publishReport(quarter, s1, s2) {
	const one = async (sql, params) => (await query(sql, params)).rows[0].r;
	const before = await one(`SELECT count(*)::int AS r FROM reports
	    WHERE quarter = $1 AND state = 'published'`, [quarter]);
	const id = await one('SELECT report_request($1, $2, $3) AS r', [s1.id,
	    quarter, before > 0 ? 'Built again by a test.' : null]);
	if (!/^\d+$/.test(id))
		throw new Error(`report_request: ${id}`);
	const row = await built(id);
	if (row.state !== 'draft')
		throw new Error(`report ${id}: ${row.build_error}`);
	for (const [fn, who] of [['report_publish_request', s1],
	    ['report_publish_approve', s2]]) {
		const r = await one(`SELECT ${fn}($1, $2) AS r`, [who.id, id]);
		if (r !== 'ok')
			throw new Error(`${fn}: ${r}`);
	}
	return one('SELECT version AS r FROM reports WHERE id = $1', [id]);
}

// Asks for a draft of 'quarter' as supervisor 'sup' (with a note when the
// quarter is published already) and waits for it; returns its id and
// report.json.
export async function draftReport(quarter, sup) {
	const one = async (sql, params) => (await query(sql, params)).rows[0].r;
	const published = await one(`SELECT count(*)::int AS r FROM reports
	    WHERE quarter = $1 AND state = 'published'`, [quarter]);
	const id = await one('SELECT report_request($1, $2, $3) AS r', [sup.id,
	    quarter, published > 0 ? 'Built again by a test.' : null]);
	const row = await built(id);
	if (row.state !== 'draft')
		throw new Error(`report ${id}: ${row.build_error}`);
	const doc = JSON.parse(await one(`SELECT convert_from(body, 'UTF8') AS r
	    FROM report_files WHERE report_id = $1 AND name = 'report.json'`,
	    [id]));
	return { id, doc };
}
