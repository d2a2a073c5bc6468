// A case's acknowledge clock walks through at risk and breach on the test clock; the breach is escalated exactly once, however many schedulers (a second back office here) and stores of the same result follow, and stays on the record after the clock is met.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileComplaint } from '../lib/client.mjs';
import { staffUser, act, casePage, setStaffEmail } from '../lib/staff.mjs';
import { query } from '../lib/db.mjs';
import { startKore } from '../lib/kore.mjs';
import { caseId, recompute, park, unpark, clocksOf, clockEvents,
    setOffset } from '../lib/sla.mjs';

let c, id, parked = [];
const more = [];		/* the cases of the last tests */

// The test clock set so that the scheduler's now is 'epoch'.
async function clockAt(epoch) {
	await query('UPDATE test_clock SET offset_seconds = ' +
	    'ceil($1 - extract(epoch FROM now()))', [epoch]);
}

async function escalations(x = c, xid = id) {
	const r = await query("SELECT count(*)::int AS n FROM audit_events " +
	    "WHERE action = 'case.escalated' AND object = $1",
	    [`case:${x.reference}`]);
	const k = await query('SELECT escalated_at FROM cases WHERE id = $1',
	    [xid]);
	return { audits: r.rows[0].n, at: k.rows[0].escalated_at };
}

before(async () => {
	// Standard policy (not urgent), general queue, default calendar.
	c = await fileComplaint({ category: 'privacy.notice' });
	id = await caseId(c.reference);
	parked = await park([id]);
	await recompute([id]);
});

after(async () => {
	await unpark(parked);
	// Out of the other tests' work lists.
	await query("UPDATE cases SET state = 'rejected' WHERE id = ANY ($1)",
	    [[id, ...more]]);
});

test('just before the at-risk instant the clock runs and nothing is written',
    async () => {
	const ack = (await clocksOf(id)).acknowledge;
	assert.equal(ack.state, 'running');
	assert.ok(ack.at_risk < ack.due);
	await clockAt(ack.at_risk - 120);
	await recompute([id]);
	assert.equal((await clocksOf(id)).acknowledge.state, 'running');
	assert.deepEqual(await clockEvents(id), []);
	assert.equal((await escalations()).at, null);
});

test('at the at-risk instant: one clock_at_risk event, at that instant',
    async () => {
	const ack = (await clocksOf(id)).acknowledge;
	await clockAt(ack.at_risk + 5);
	await recompute([id]);
	assert.equal((await clocksOf(id)).acknowledge.state, 'at_risk');
	assert.deepEqual(await clockEvents(id),
	    [['clock_at_risk', 'acknowledge']]);
	const e = await query("SELECT extract(epoch FROM at)::bigint AS at, " +
	    "actor, visible_to_complainant AS visible FROM case_events " +
	    "WHERE case_id = $1 AND kind = 'clock_at_risk'", [id]);
	assert.deepEqual(e.rows[0], { at: String(ack.at_risk),
	    actor: 'system', visible: false });
	const row = await query('SELECT sla_rank FROM cases WHERE id = $1',
	    [id]);
	assert.equal(row.rows[0].sla_rank, 1, 'at risk in the work list');
	// Recomputed again: still one event.
	await recompute([id]);
	assert.deepEqual(await clockEvents(id),
	    [['clock_at_risk', 'acknowledge']]);
});

test('at the due instant: breached, escalated once, first in the work list',
    async () => {
	const ack = (await clocksOf(id)).acknowledge;
	await clockAt(ack.due + 5);
	await recompute([id]);
	const now = (await clocksOf(id)).acknowledge;
	assert.equal(now.state, 'breached');
	assert.equal(now.breached, ack.due, 'the breach is the due instant');
	assert.deepEqual(await clockEvents(id), [
	    ['clock_at_risk', 'acknowledge'],
	    ['clock_breached', 'acknowledge'],
	    ['escalated', 'acknowledge']]);
	const esc = await escalations();
	assert.equal(esc.audits, 1);
	assert.notEqual(esc.at, null);
	const row = await query('SELECT sla_rank, sla_due FROM cases ' +
	    'WHERE id = $1', [id]);
	assert.equal(row.rows[0].sla_rank, 0);
	assert.equal(row.rows[0].sla_due.getTime() / 1000, ack.due);
});

test('two back offices recomputing the breached case write nothing more',
    async () => {
	const before = { events: await clockEvents(id),
	    esc: await escalations() };
	const second = await startKore({ conf: 'test-review.conf',
	    env: { RECOURSE_SURFACE: 'review' } });
	try {
		for (let i = 0; i < 5; i++)
			await recompute([id]);
	} finally {
		await second.stop();
	}
	assert.deepEqual(await clockEvents(id), before.events);
	assert.deepEqual(await escalations(), before.esc);
});

test('a second store of the same result writes no event again',
    async () => {
	// What the scheduler stored, sent again by hand as the claim that
	// leased the case would send it.
	const r = await query(`SELECT sla_now(true) AS now,
	    jsonb_build_array(jsonb_build_object('case', c.id,
	        'last_event', (SELECT max(e.id) FROM case_events e
	            WHERE e.case_id = c.id),
	        'policy', c.sla_policy_version,
	        'calendar', c.sla_calendar_version, 'next', NULL,
	        'clocks', (SELECT jsonb_agg(jsonb_build_object(
	            'clock', k.clock, 'state', k.state,
	            'started_at', extract(epoch FROM k.started_at)::bigint,
	            'due_at', extract(epoch FROM k.due_at)::bigint,
	            'at_risk_at', extract(epoch FROM k.at_risk_at)::bigint,
	            'met_at', extract(epoch FROM k.met_at)::bigint,
	            'breached_at', extract(epoch FROM k.breached_at)::bigint,
	            'target', k.target_seconds, 'elapsed', k.elapsed_seconds,
	            'paused', k.paused_seconds, 'extended', k.extended))
	            FROM case_clocks k WHERE k.case_id = c.id))) AS results
	    FROM cases c WHERE c.id = $1`, [id]);
	const { now, results } = r.rows[0];
	const before = { events: await clockEvents(id),
	    esc: await escalations() };
	await park([]);
	for (let i = 0; i < 2; i++) {
		await query('UPDATE cases SET next_check_at = $2::timestamptz + ' +
		    'sla_lease() WHERE id = $1', [id, now]);
		const s = await query('SELECT sla_store($1, $2) AS n',
		    [now, JSON.stringify(results)]);
		assert.equal(s.rows[0].n, 1, 'stored');
	}
	assert.deepEqual(await clockEvents(id), before.events);
	assert.deepEqual(await escalations(), before.esc);
});

test('met later, the breach stays on the record', async () => {
	const breached = (await clocksOf(id)).acknowledge.breached;
	const reviewer = await staffUser({ queues: ['general'] });
	assert.equal((await act(reviewer, c.reference, 'take')).status, 303);
	assert.equal((await act(reviewer, c.reference, 'triage',
	    { category: 'privacy.notice', priority: 2, queue: 'general' }))
	    .status, 303);
	await recompute([id]);
	const ack = (await clocksOf(id)).acknowledge;
	assert.equal(ack.state, 'met');
	assert.equal(ack.breached, breached);
	assert.equal((await escalations()).audits, 1);
	// The case page says so in words.
	const { res, doc } = await casePage(reviewer, c.reference);
	assert.equal(res.status, 200);
	const text = doc.querySelector('dl.summary').text;
	assert.match(text, /Acknowledge\s*Met .*met.*\(breached /s);
	assert.match(text, /Escalated/);
});

// A new case whose clocks are computed at the real now (nothing due yet),
// alone on the scheduler: the cases parked for it are unparked after().
async function lonelyCase() {
	await setOffset(0);
	const f = await fileComplaint({ category: 'privacy.notice' });
	const fid = await caseId(f.reference);
	more.push(fid);
	parked.push(...await park([fid]));
	await recompute([fid]);
	return { f, fid, clocks: await clocksOf(fid) };
}

async function escalationDetails(fid) {
	const r = await query("SELECT detail FROM case_events WHERE case_id = " +
	    "$1 AND kind = 'escalated' ORDER BY id", [fid]);
	return r.rows.map((x) => x.detail);
}

test('three clocks breaching in one store: three breach events, one ' +
    'escalation, one audit row, one alert per supervisor', async () => {
	const admin = await staffUser({ roles: ['admin'], queues: [] });
	const sups = [];
	for (let i = 0; i < 2; i++) {
		const s = await staffUser({ roles: ['supervisor'],
		    queues: [] });
		const res = await setStaffEmail(admin, s.id,
		    `sup-${s.login}@example.org`);
		assert.equal(res.status, 303, res.text.slice(0, 300));
		sups.push(s.id);
	}
	const { f, fid, clocks } = await lonelyCase();
	assert.deepEqual(await clockEvents(fid), []);
	// Past the decision clock's due instant: acknowledge, response and
	// decision all breach in the same store.
	await clockAt(clocks.decision.due + 5);
	await recompute([fid]);
	const now = await clocksOf(fid);
	for (const k of ['acknowledge', 'response', 'decision']) {
		assert.equal(now[k].state, 'breached', k);
		assert.equal(now[k].breached, clocks[k].due, `${k} at its due`);
	}
	assert.deepEqual((await clockEvents(fid)).filter(([k]) =>
	    k !== 'clock_at_risk'), [
	    ['clock_breached', 'acknowledge'],
	    ['clock_breached', 'response'],
	    ['clock_breached', 'decision'],
	    ['escalated', 'acknowledge']]);
	const detail = { clock: 'acknowledge',
	    clocks: ['acknowledge', 'response', 'decision'] };
	assert.deepEqual(await escalationDetails(fid), [detail]);
	const audit = await query("SELECT detail FROM audit_events WHERE " +
	    "action = 'case.escalated' AND object = $1", [`case:${f.reference}`]);
	assert.deepEqual(audit.rows.map((x) => x.detail), [detail]);
	const alerts = await query("SELECT account_id::int AS a, " +
	    "count(*)::int AS n, min(payload->>'event') AS event, " +
	    "min((payload->'clocks')::text) AS clocks FROM outbox WHERE " +
	    "kind = 'supervisor_alert' AND case_id = $1 GROUP BY account_id",
	    [fid]);
	for (const s of sups)
		assert.deepEqual(alerts.rows.find((x) => x.a === s), { a: s, n: 1,
		    event: 'escalated',
		    clocks: '["acknowledge", "response", "decision"]' });
	assert.ok(alerts.rows.every((x) => x.n === 1), 'one per supervisor');
	// Recomputed again: nothing more.
	await recompute([fid]);
	assert.equal((await escalationDetails(fid)).length, 1);
	assert.equal((await escalations(f, fid)).audits, 1);
});

test('a clock breaching in a later store escalates the case again, once',
    async () => {
	const { f, fid, clocks } = await lonelyCase();
	await clockAt(clocks.acknowledge.due + 5);
	await recompute([fid]);
	const first = (await escalations(f, fid)).at;
	assert.deepEqual(await escalationDetails(fid),
	    [{ clock: 'acknowledge', clocks: ['acknowledge'] }]);
	await clockAt(clocks.decision.due + 5);
	await recompute([fid]);
	assert.deepEqual(await escalationDetails(fid), [
	    { clock: 'acknowledge', clocks: ['acknowledge'] },
	    { clock: 'response', clocks: ['response', 'decision'] }]);
	const esc = await escalations(f, fid);
	assert.equal(esc.audits, 2);
	assert.deepEqual(esc.at, first, 'escalated_at is the first escalation');
});
