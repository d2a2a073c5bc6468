// A case awaiting the complainant pauses its clocks: the reviewer asks through the case page's form, the complainant answers through /track's, the database records the pause and its end, and the decision clock's due instant moves by exactly the paused business time.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileComplaint, trackAct, marker } from '../lib/client.mjs';
import { staffUser, act } from '../lib/staff.mjs';
import { query } from '../lib/db.mjs';
import { caseId, recompute, clocksOf, quietMonday } from '../lib/sla.mjs';

let reviewer, paused, control;

async function ok(ref, verb, fields = {}) {
	const r = await act(reviewer, ref, verb, fields);
	assert.equal(r.status, 303, `${verb} answered ${r.status}`);
}

// A vulnerable person's case (urgent policy: decision in 5 business days),
// taken and triaged through the case page.
async function triagedCase() {
	const c = await fileComplaint({ category: 'privacy.notice',
	    vulnerable: 'yes' });
	await ok(c.reference, 'take');
	await ok(c.reference, 'triage', { category: 'privacy.notice',
	    priority: 4, queue: 'vulnerable' });
	return { ...c, id: await caseId(c.reference) };
}

async function pauseEvents(id) {
	const r = await query(`SELECT kind, actor, detail FROM case_events
	    WHERE case_id = $1 AND kind IN ('clock_paused', 'clock_resumed')
	    ORDER BY id`, [id]);
	return r.rows;
}

before(async () => {
	reviewer = await staffUser({ queues: ['vulnerable'] });
	paused = await triagedCase();
	control = await triagedCase();
});

after(async () => {
	await query("UPDATE cases SET state = 'rejected' WHERE id = ANY ($1)",
	    [[paused.id, control.id]]);
});

test('asking the complainant pauses the clocks; the answer resumes them',
    async () => {
	await recompute([paused.id]);
	assert.equal((await clocksOf(paused.id)).decision.state, 'running');

	await ok(paused.reference, 'request_info',
	    { text: `Which website was it? ${marker('Q')}` });
	await recompute([paused.id]);
	const k = await clocksOf(paused.id);
	assert.equal(k.decision.state, 'paused');
	assert.equal(k.response.state, 'met', 'a question is a response');
	const row = await query('SELECT sla_rank FROM cases WHERE id = $1',
	    [paused.id]);
	assert.equal(row.rows[0].sla_rank, 3, 'paused in the work list');
	assert.deepEqual(await pauseEvents(paused.id), [{
	    kind: 'clock_paused', actor: 'system',
	    detail: { reason: 'awaiting_complainant' } }]);

	const r = await trackAct(paused.code, 'reply',
	    `The shop's own site. ${marker('R')}`);
	assert.equal(r.status, 200);
	await recompute([paused.id]);
	assert.notEqual((await clocksOf(paused.id)).decision.state, 'paused');
	assert.deepEqual((await pauseEvents(paused.id)).map((e) =>
	    [e.kind, e.detail.reason]), [
	    ['clock_paused', 'awaiting_complainant'],
	    ['clock_resumed', 'awaiting_complainant']]);
});

test('the due instant moves by exactly the paused business time',
    async () => {
	// Events carry the database's real time, so a pause of seconds would
	// be worth nothing, or nothing at night.  Both timelines are moved to
	// a past week without holidays: received Monday 10:00 Madrid,
	// triaged 10:30; the pause on Tuesday from 10:00 to 15:00, five
	// business hours.
	const monday = await quietMonday();
	const local = `(($2::date + $3::interval + $4::time)
	    AT TIME ZONE 'Europe/Madrid')`;
	const move = (kinds, days, time, id) => query(`UPDATE case_events
	    SET at = ${local} WHERE case_id = $1 AND kind = ANY ($5)`,
	    [id, monday, `${days} days`, time, kinds]);
	for (const k of [paused, control]) {
		await move(['received'], 0, '10:00', k.id);
		await move(['assigned'], 0, '10:10', k.id);
		await move(['triaged'], 0, '10:30', k.id);
	}
	await move(['information_requested', 'clock_paused'], 1, '10:00',
	    paused.id);
	await move(['complainant_replied', 'clock_resumed'], 1, '15:00',
	    paused.id);
	await recompute([paused.id, control.id]);

	const expect = async (days, time) => Number((await query(
	    `SELECT extract(epoch FROM ${local.replaceAll('$2', '$1')
	        .replaceAll('$3', '$2').replaceAll('$4', '$3')})::bigint AS t`,
	    [monday, `${days} days`, time])).rows[0].t);
	const p = (await clocksOf(paused.id)).decision;
	const c = (await clocksOf(control.id)).decision;
	// Five business days from Monday 10:00: the next Monday 10:00.
	assert.equal(c.due, await expect(7, '10:00'));
	assert.equal(c.paused, 0);
	assert.equal(p.paused, 5 * 3600);
	assert.equal(p.due - c.due, 5 * 3600, 'moved by the pause');
	assert.equal(p.due, await expect(7, '15:00'));
	// At risk at 75 % of the 40 business hours: Thursday 16:00, and with
	// the pause five business hours later, over the night: Friday 13:00.
	assert.equal(c.at_risk, await expect(3, '16:00'));
	assert.equal(p.at_risk, await expect(4, '13:00'));
});
