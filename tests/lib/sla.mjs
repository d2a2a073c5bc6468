// SLA test helpers: the test clock's offset, waking the scheduler for some cases and waiting until it has stored them, and parking every other case while a test moves the clock.
import { query } from './db.mjs';

// The scheduler's now is the database's plus this (RECOURSE_TEST_CLOCK=1).
export async function setOffset(seconds) {
	await query('UPDATE test_clock SET offset_seconds = $1',
	    [Math.round(seconds)]);
}

// The scheduler's now, in seconds since the epoch.
export async function schedulerNow() {
	const r = await query('SELECT extract(epoch FROM sla_now(true)) ' +
	    'AS t');
	return Number(r.rows[0].t);
}

export async function caseId(reference) {
	const r = await query('SELECT id FROM cases WHERE reference = $1',
	    [reference]);
	return r.rows[0].id;
}

// Asks for a recomputation of these cases now; returns the scheduler's
// now at that moment, for settled().
export async function wake(ids) {
	const r = await query('UPDATE cases SET next_check_at = now() ' +
	    'WHERE id = ANY ($1) RETURNING sla_now(true) AS at', [ids]);
	return r.rows[0].at;
}

// Waits until the scheduler has stored each case computed at or after
// 'since' and nothing is due for it (at most 'ms'; throws after).  A wait
// for the background pass, not a measure of its speed.
export async function settled(ids, since, ms = 15000) {
	const end = Date.now() + ms;
	for (;;) {
		const r = await query(`SELECT bool_and(
		    EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id
		        AND k.computed_at >= $2)
		    AND (c.next_check_at IS NULL
		        OR c.next_check_at > sla_now(true))) AS done
		    FROM cases c WHERE c.id = ANY ($1)`, [ids, since]);
		if (r.rows[0].done)
			return;
		if (Date.now() > end)
			throw new Error(`the scheduler did not recompute ${ids}`);
		await new Promise((res) => setTimeout(res, 100));
	}
}

export async function recompute(ids) {
	await settled(ids, await wake(ids));
}

// Moving the clock would make every open case of the suite due: the
// others are parked (nothing scheduled) until unpark().  A store already
// under way for one of them finds its lease gone and writes nothing.
export async function park(keep) {
	const r = await query('UPDATE cases SET next_check_at = NULL ' +
	    'WHERE next_check_at IS NOT NULL AND id <> ALL ($1) RETURNING id',
	    [keep]);
	return r.rows.map((x) => x.id);
}

export async function unpark(parked) {
	await setOffset(0);
	await query('UPDATE cases SET next_check_at = now() WHERE id = ANY ($1)',
	    [parked]);
}

// Each clock of a case as stored, by name, instants in seconds.
export async function clocksOf(id) {
	const r = await query(`SELECT clock, state, paused_seconds::int AS paused,
	    extract(epoch FROM started_at)::bigint AS started,
	    extract(epoch FROM due_at)::bigint AS due,
	    extract(epoch FROM at_risk_at)::bigint AS at_risk,
	    extract(epoch FROM breached_at)::bigint AS breached,
	    extract(epoch FROM met_at)::bigint AS met
	    FROM case_clocks WHERE case_id = $1`, [id]);
	const out = {};
	for (const k of r.rows)
		out[k.clock] = { ...k, started: Number(k.started),
		    due: k.due === null ? null : Number(k.due),
		    at_risk: k.at_risk === null ? null : Number(k.at_risk),
		    breached: k.breached === null ? null : Number(k.breached),
		    met: k.met === null ? null : Number(k.met) };
	return out;
}

// The scheduler's events of a case: [kind, clock] in timeline order.
export async function clockEvents(id) {
	const r = await query(`SELECT kind, detail->>'clock' AS clock
	    FROM case_events WHERE case_id = $1 AND kind IN ('clock_at_risk',
	        'clock_breached', 'escalated') ORDER BY id`, [id]);
	return r.rows.map((e) => [e.kind, e.clock]);
}

// A Monday at least three weeks back with no holiday of the default
// calendar in the eight days from it: a past week to move a timeline to.
export async function quietMonday() {
	const w = await query(`SELECT d::date AS monday
	    FROM generate_series(date_trunc('week', now() - interval '21 days'),
	        date_trunc('week', now() - interval '400 days'),
	        interval '-7 days') d
	    WHERE NOT EXISTS (SELECT 1
	        FROM generate_series(d, d + interval '8 days', interval '1 day') x,
	        jsonb_array_elements((SELECT v.definition->'yearly'
	            FROM sla_calendar_versions v JOIN sla_calendars k
	            ON v.id = k.current_version WHERE k.code = 'default')) y
	        WHERE extract(month FROM x) = (y->>'month')::int
	          AND extract(day FROM x) = (y->>'day')::int)
	    LIMIT 1`);
	return w.rows[0].monday;
}
