// recourse-admin sla-verify recomputes every open case's clocks from its events and versions: a healthy database passes, and a cached due instant corrupted by hand is named by case, clock and field.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileComplaint } from '../lib/client.mjs';
import { query } from '../lib/db.mjs';
import { caseId, recompute } from '../lib/sla.mjs';

const run = promisify(execFile);
let c, id;
const fresh = [];

// The tool as an operator runs it; { code, out }.
async function verify() {
	try {
		const r = await run(process.env.RECOURSE_ADMIN, ['sla-verify']);
		return { code: 0, out: r.stdout };
	} catch (e) {
		return { code: e.code, out: `${e.stdout}${e.stderr}` };
	}
}

// Runs sla-verify over a database with one corrupted due instant: exit 1,
// and exactly one difference named, by case, clock and field; the output.
async function oneDueDifference(reference, clock) {
	const r = await verify();
	assert.equal(r.code, 1, r.out);
	const lines = r.out.split('\n').filter((l) => l.startsWith('RC-'));
	assert.equal(lines.length, 1, r.out);
	assert.match(lines[0], new RegExp(`^${reference} ${clock}: ` +
	    'due_at stored \\S+Z, recomputed \\S+Z$'));
	return r.out;
}

before(async () => {
	c = await fileComplaint({ category: 'privacy.notice' });
	id = await caseId(c.reference);
	await recompute([id]);
});

after(async () => {
	await query("UPDATE cases SET state = 'rejected' WHERE id = ANY ($1)",
	    [[id, ...fresh]]);
});

test('sla-verify on a healthy database: exit 0, every open case compared',
    async () => {
	const r = await verify();
	assert.equal(r.code, 0, r.out);
	const m = r.out.match(/sla-verify: (\d+) open cases, (\d+) clocks compared, (\d+) cases behind the scheduler, 0 differences/);
	assert.ok(m, r.out);
	const open = await query("SELECT count(*)::int AS n FROM cases " +
	    "WHERE state NOT IN ('closed', 'rejected')");
	assert.equal(Number(m[1]), open.rows[0].n);
	assert.ok(Number(m[2]) >= 3, 'this case\'s three clocks at least');
});

test('a corrupted due instant is named: case, clock, field; exit 1',
    async () => {
	await query("UPDATE case_clocks_recomputed " +
	    "SET due_at = due_at + interval '1 hour' " +
	    "WHERE case_id = $1 AND clock = 'acknowledge'", [id]);
	const out = await oneDueDifference(c.reference, 'acknowledge');
	assert.match(out, /1 differences/);

	// The scheduler's next pass mends the cache.
	await recompute([id]);
	assert.equal((await verify()).code, 0);
});

// A new case's clocks stay on its row until the scheduler first looks at
// it (sql/0018); sla-verify compares those too.
test('a corrupted clock stored by intake is named the same way',
    async () => {
	let f;
	// A filing whose statement ran in a later second than its clocks
	// were computed for leaves the case to the scheduler: try again.
	for (let i = 0; i < 5 && f === undefined; i++) {
		const n = await fileComplaint({ category: 'privacy.notice' });
		const fid = await caseId(n.reference);
		fresh.push(fid);
		const r = await query('SELECT intake_clocks IS NOT NULL AS on_row ' +
		    'FROM cases WHERE id = $1', [fid]);
		if (r.rows[0].on_row)
			f = { id: fid, reference: n.reference };
	}
	assert.ok(f, 'no filing kept its clocks on its row');
	assert.equal((await verify()).code, 0);

	// The response clock's due instant, an hour late.
	await query(`UPDATE cases SET intake_clocks = (SELECT jsonb_agg(
	    CASE WHEN e->>0 = 'response'
	        THEN jsonb_set(e, '{1}', to_jsonb((e->>1)::bigint + 3600))
	        ELSE e END ORDER BY n)
	    FROM jsonb_array_elements(intake_clocks) WITH ORDINALITY x(e, n))
	    WHERE id = $1`, [f.id]);
	await oneDueDifference(f.reference, 'response');

	// The scheduler's first look replaces them by its own rows.
	await recompute([f.id]);
	const after = await query('SELECT intake_clocks FROM cases ' +
	    'WHERE id = $1', [f.id]);
	assert.equal(after.rows[0].intake_clocks, null);
	assert.equal((await verify()).code, 0);
});
