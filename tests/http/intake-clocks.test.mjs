// Filing stores a new case's clocks itself (sql/0016, src/intake_clocks.c): computed by the public worker for the routed policy and calendar versions and the second the case arrives, exactly what the scheduler computes from the events, with the scheduler's first look at the at-risk instant; clocks for another second or other versions are ignored and the scheduler computes the case instead.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { fileComplaint, apiComplaint, validDoc } from '../lib/client.mjs';
import { query } from '../lib/db.mjs';
import { caseId, clocksOf, recompute } from '../lib/sla.mjs';

const made = [];

after(async () => {
	await query("UPDATE cases SET state = 'rejected' WHERE id = ANY ($1)",
	    [made]);
});

// Whether intake wrote the case's clocks (in its own transaction, so at
// the instant the case was received), and what it stored for the case.
async function intakeWritten(id) {
	const r = await query(`SELECT c.sla_rank, c.sla_due, c.next_check_at,
	    bool_and(k.computed_at = c.received_at) AS at_intake,
	    count(k.*)::int AS clocks,
	    min(k.due_at) AS min_due, min(k.at_risk_at) AS min_risk,
	    c.intake_clocks IS NOT NULL AS on_row,
	    (SELECT count(*)::int FROM case_clocks_recomputed r
	        WHERE r.case_id = c.id) AS rows
	    FROM cases c LEFT JOIN case_clocks k ON k.case_id = c.id
	    WHERE c.id = $1
	    GROUP BY c.id`, [id]);
	return r.rows[0];
}

test('complaints filed through the form and the API carry their clocks, ' +
    'equal to the scheduler\'s recomputation', async () => {
	const ids = [];
	for (let i = 0; i < 6; i++) {
		const c = await fileComplaint({ category: 'privacy.notice' });
		assert.equal(c.res.status, 201);
		ids.push(await caseId(c.reference));
	}
	for (let i = 0; i < 4; i++) {
		const r = await apiComplaint(validDoc({ vulnerable: i % 2 === 0 }));
		assert.equal(r.status, 201, r.text);
		ids.push(await caseId(r.json.reference));
	}
	made.push(...ids);

	const first = new Map();
	let atIntake = 0;
	for (const id of ids) {
		const w = await intakeWritten(id);
		// A statement that ran in a later second than its clocks were
		// made for leaves the case to the scheduler: allowed, but rare.
		if (!w.at_intake)
			continue;
		atIntake++;
		assert.equal(w.clocks, 3, 'acknowledge, response, decision');
		assert.ok(w.on_row && w.rows === 0,
		    'kept on the case\'s row, not written as rows (sql/0018)');
		assert.equal(w.sla_rank, 2, 'running');
		assert.equal(w.sla_due.getTime(), w.min_due.getTime());
		assert.equal(w.next_check_at.getTime(), w.min_risk.getTime(),
		    'the scheduler first looks at the at-risk instant');
		first.set(id, await clocksOf(id));
	}
	assert.ok(atIntake >= 1, 'no case had its clocks written at intake');

	// The scheduler, asked to compute each case again, finds the same,
	// and its rows replace the clocks on the case's row.
	await recompute(ids);
	const left = await query('SELECT count(*)::int AS n FROM cases ' +
	    'WHERE id = ANY ($1) AND intake_clocks IS NOT NULL', [ids]);
	assert.equal(left.rows[0].n, 0);
	for (const [id, before] of first) {
		const again = await clocksOf(id);
		for (const name of Object.keys(again)) {
			const { state, started, due, at_risk } = again[name];
			assert.deepEqual({ state, started, due, at_risk }, {
			    state: before[name].state,
			    started: before[name].started, due: before[name].due,
			    at_risk: before[name].at_risk }, `${id} ${name}`);
		}
		assert.deepEqual(Object.keys(again).sort(),
		    Object.keys(before).sort());
	}
});

// intake_complaint called as the public worker calls it, with clocks made
// here for the versions routing will choose; 'at' is the second they are
// for (null: the statement's own second).
async function intakeWith(atShift, pairKey) {
	const b = (n) => crypto.randomBytes(n);
	const r = await query(`WITH t AS (
	        SELECT floor(extract(epoch FROM now()))::bigint AS at)
	    SELECT i.outcome, i.reference FROM t, intake_complaint($1, $2, NULL,
	        'privacy.consent', 'email', NULL, NULL, false, false, false,
	        false, $3, $4, $5, $6, $7, NULL, NULL,
	        jsonb_build_object('at', t.at + $8::bigint, 'pairs',
	        jsonb_build_object($9::text, jsonb_build_object(
	            'next', t.at + 3600, 'due', t.at + 7200,
	            'clocks', jsonb_build_array(jsonb_build_array(
	                'acknowledge', t.at + 7200, t.at + 3600, 9600)))))) i`,
	    [b(32), b(32), b(32), b(32), b(16), b(80), b(64), atShift, pairKey]);
	assert.equal(r.rows[0].outcome, 'created');
	const id = await caseId(r.rows[0].reference);
	made.push(id);
	return id;
}

async function routedPair() {
	const r = await query(`SELECT s.policy_version || ':' ||
	    s.calendar_version AS key FROM route_case('privacy.consent',
	    'email', false, NULL, '{}', NULL) q, sla_versions(q.policy, q.queue,
	    q.priority, false) s`);
	return r.rows[0].key;
}

test('intake keeps the routed pair\'s clocks for its own second', async () => {
	const id = await intakeWith(0, await routedPair());
	const w = await intakeWritten(id);
	assert.equal(w.at_intake, true);
	assert.equal(w.clocks, 1);
	const k = await clocksOf(id);
	assert.equal(k.acknowledge.due - k.acknowledge.started, 7200);
	assert.equal(k.acknowledge.at_risk - k.acknowledge.started, 3600);
	assert.equal(w.next_check_at.getTime() / 1000, k.acknowledge.at_risk);
	assert.equal(w.sla_due.getTime() / 1000, k.acknowledge.due);
});

test('clocks for another second or other versions are ignored: the ' +
    'scheduler computes the case', async () => {
	const pair = await routedPair();
	for (const id of [await intakeWith(-1, pair),
	    await intakeWith(0, '999999:999999')]) {
		const w = await intakeWritten(id);
		// The scheduler may have stored the case already, but nothing
		// was stored at intake.
		assert.notEqual(w.at_intake, true, 'stored from the wrong clocks');
		await recompute([id]);
		const k = await clocksOf(id);
		assert.deepEqual(Object.keys(k).sort(),
		    ['acknowledge', 'decision', 'response']);
	}
});
