// A clock's time in working days, as the report's figures give it: the working days of the case's calendar (the default: Monday to Friday in Europe/Madrid, 15 August a holiday) after the day the clock started, up to the day it was met, in the calendar's zone, next to the calendar days.
import test from 'node:test';
import assert from 'node:assert/strict';
import { query } from '../lib/db.mjs';

// A quarter no other test reads.
const QUARTER = '2023-Q3';

test('working days skip weekends and holidays and count local dates',
    async () => {
	const cv = (await query(`SELECT current_version AS v FROM sla_calendars
	    WHERE code = 'default'`)).rows[0].v;
	const pv = (await query(`SELECT current_version AS v FROM sla_policies
	    WHERE code = 'standard'`)).rows[0].v;
	// A closed case of the quarter, written whole: the scheduler never
	// looks at it (no next check), so its clocks stay as written.
	const tag = `${process.pid}${Date.now() % 100000}`;
	const id = (await query(`INSERT INTO cases (reference, state, category,
	    channel, vulnerable, consent_contact, consent_publish,
	    consent_demographics, queue, priority, received_at, updated_at,
	    closed_at, receipt_hash, complainant_pk, complainant_salt,
	    data_key_sealed, description_box, sla_policy_version,
	    sla_calendar_version, sla_rank, sla_due)
	    VALUES ('RC-2023-' || $1, 'closed', 'privacy.consent', 'email',
	    false, false, false, false, 'general', 2, '2023-08-14 09:00Z',
	    '2023-08-28 09:00Z', '2023-08-28 09:00Z', sha256($1::bytea),
	    sha256(('pk' || $1)::bytea),
	    substring(sha256(('s' || $1)::bytea) FROM 1 FOR 16),
	    sha256(('a' || $1)::bytea) || sha256(('b' || $1)::bytea) ||
	    substring(sha256(('c' || $1)::bytea) FROM 1 FOR 16),
	    '\\x00', $2, $3, 2, '2023-09-13 09:00Z') RETURNING id`,
	    [tag, pv, cv])).rows[0].id;
	const clock = (name, started, met) => query(`INSERT INTO
	    case_clocks_recomputed (case_id, clock, state, started_at, due_at,
	    met_at, target_seconds, elapsed_seconds, paused_seconds,
	    computed_at) VALUES ($1, $2, 'met', $3, $4, $4, 86400, 0, 0, now())`,
	    [id, name, started, met]);
	// Monday 14 August to Wednesday 16: Tuesday 15 is a holiday.
	await clock('acknowledge', '2023-08-14 09:00Z', '2023-08-16 09:00Z');
	// Friday 18 August to Monday 21: the weekend does not count.
	await clock('response', '2023-08-18 16:00Z', '2023-08-21 08:00Z');
	// Wednesday 16 August, 22:30 UTC: already Thursday 17 in Madrid.
	await clock('decision', '2023-08-16 10:00Z', '2023-08-16 22:30Z');
	// Two weeks: 16-18, 21-25 and 28 August.
	await clock('appeal', '2023-08-14 09:00Z', '2023-08-28 09:00Z');

	const f = (await query('SELECT report_figures($1, now()) AS f',
	    [QUARTER])).rows[0].f;
	const by = Object.fromEntries(f.timeliness.map((t) => [t.clock, t]));
	const got = (c) => [by[c].working_days_median, by[c].working_days_p90,
	    by[c].days_median];
	assert.deepEqual(got('acknowledge'), [1, 1, 2]);
	assert.deepEqual(got('response'), [1, 1, 2.7]);
	assert.deepEqual(got('decision'), [1, 1, 0.5]);
	assert.deepEqual(got('appeal'), [9, 9, 14]);
});
