// The clocks as people see them: the case page's clock panel and its pause, resume and extension forms (due instants move by exactly the paused business time; the extension once, a second refused at its field), the work list's words, the supervisor's dashboard counts (reviewers refused), and /track's and the API's "what happens next".
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileComplaint, postTrack, apiTrack, marker } from '../lib/client.mjs';
import { staffUser, createAccount, act, forgeAct, casePage, offeredVerbs,
    reviewRequest } from '../lib/staff.mjs';
import { parseHtml, errorFields } from '../lib/html.mjs';
import { query } from '../lib/db.mjs';
import { caseId, recompute, clocksOf, quietMonday } from '../lib/sla.mjs';

const QUEUE = 'slaviews';
let reviewer, supervisor;
const made = [];

async function ok(user, ref, verb, fields = {}) {
	const r = await act(user, ref, verb, fields);
	assert.equal(r.status, 303, `${verb} answered ${r.status}`);
}

// A vulnerable person's case (urgent policy: decision in 5 business
// days), taken and triaged through the case page.
async function triagedCase() {
	const c = await fileComplaint({ category: 'privacy.notice',
	    vulnerable: 'yes' });
	await ok(reviewer, c.reference, 'take');
	await ok(reviewer, c.reference, 'triage', { category: 'privacy.notice',
	    priority: 4, queue: 'vulnerable' });
	const id = await caseId(c.reference);
	made.push(id);
	return { ...c, id };
}

async function filed(over = {}) {
	const c = await fileComplaint(over);
	const id = await caseId(c.reference);
	made.push(id);
	return { ...c, id };
}

const text = (doc, sel) => doc.querySelector(sel)?.text
    .replace(/\s+/g, ' ').trim();

// Moves a case's events of these kinds to a Madrid wall time.
function move(id, kinds, monday, days, time) {
	return query(`UPDATE case_events SET at = (($2::date + $3::interval
	    + $4::time) AT TIME ZONE 'Europe/Madrid')
	    WHERE case_id = $1 AND kind = ANY ($5)`,
	    [id, monday, `${days} days`, time, kinds]);
}

before(async () => {
	await query(`INSERT INTO sla_pause_reasons (code, label) VALUES
	    ('legal_hold', 'Legal hold'), ('third_party', 'Waiting for a third
	    party') ON CONFLICT DO NOTHING`);
	await query(`INSERT INTO queues (code, name) VALUES ($1,
	    'SLA views test') ON CONFLICT DO NOTHING`, [QUEUE]);
	reviewer = await staffUser({ queues: ['vulnerable', 'general'],
	    name: 'Vera Viewer' });
	supervisor = await staffUser({ roles: ['reviewer', 'supervisor'],
	    name: 'Sam Supervisor' });
});

after(async () => {
	await query("UPDATE cases SET state = 'rejected' WHERE id = ANY ($1)",
	    [made]);
});

test('pause and resume through the panel move the due instant by exactly ' +
    'the paused business time', async () => {
	const paused = await triagedCase();
	const control = await triagedCase();
	await recompute([paused.id]);

	// No reason chosen: the error is at the field, nothing is written.
	let r = await act(reviewer, paused.reference, 'clock_pause',
	    { reason: '', text: 'for the lawyers' });
	assert.equal(r.status, 422);
	let doc = parseHtml(r.text);
	assert.deepEqual(errorFields(doc), ['clock_pause-reason']);
	assert.match(text(doc, '#f-clock_pause-reason-error'), /Choose why/);
	assert.equal(text(doc, '#f-clock_pause-text'), 'for the lawyers',
	    'the note comes back');
	// A reason the page does not offer (forged): refused at the field.
	r = await forgeAct(reviewer, paused.reference, 'clock_pause',
	    { reason: 'awaiting_complainant' });
	assert.equal(r.status, 422);
	assert.deepEqual(errorFields(parseHtml(r.text)),
	    ['clock_pause-reason']);
	const none = await query(`SELECT count(*)::int AS n FROM case_events
	    WHERE case_id = $1 AND kind = 'clock_paused'`, [paused.id]);
	assert.equal(none.rows[0].n, 0);

	await ok(reviewer, paused.reference, 'clock_pause',
	    { reason: 'legal_hold', text: `Counsel asked us to wait ${marker()}` });
	await recompute([paused.id]);
	assert.equal((await clocksOf(paused.id)).decision.state, 'paused');
	const ev = await query(`SELECT kind, actor, detail FROM case_events
	    WHERE case_id = $1 AND kind IN ('clock_paused', 'clock_resumed')
	    ORDER BY id`, [paused.id]);
	assert.equal(ev.rows[0].detail.reason, 'legal_hold');
	assert.equal(ev.rows[0].detail.by, `staff:${reviewer.id}`);
	assert.ok(Number.isInteger(ev.rows[0].detail.note), 'note kept aside');
	assert.ok(!JSON.stringify(ev.rows[0].detail).includes('Counsel'),
	    'the note is not in the event');

	let page = await casePage(reviewer, paused.reference);
	assert.match(text(page.doc, '#clock-decision h3'), /Paused/);
	assert.match(text(page.doc, 'table.pauses'), /Legal hold.*Vera Viewer.*Still paused/);
	assert.ok(offeredVerbs(page.doc, paused.reference)
	    .includes('clock_resume'));
	// The same reason twice: refused at the field.
	r = await act(reviewer, paused.reference, 'clock_pause',
	    { reason: 'legal_hold' });
	assert.equal(r.status, 409);
	assert.match(text(parseHtml(r.text), '#f-clock_pause-reason-error'),
	    /already paused/);

	await ok(reviewer, paused.reference, 'clock_resume',
	    { reason: 'legal_hold' });
	await recompute([paused.id]);
	assert.notEqual((await clocksOf(paused.id)).decision.state, 'paused');
	page = await casePage(reviewer, paused.reference);
	assert.ok(!offeredVerbs(page.doc, paused.reference)
	    .includes('clock_resume'), 'nothing left to resume');

	// Both timelines in a past week: received Monday 10:00, the pause
	// on Tuesday from 10:00 to 13:00, three business hours.
	const monday = await quietMonday();
	for (const k of [paused, control]) {
		await move(k.id, ['received'], monday, 0, '10:00');
		await move(k.id, ['assigned'], monday, 0, '10:10');
		await move(k.id, ['triaged'], monday, 0, '10:30');
	}
	await move(paused.id, ['clock_paused'], monday, 1, '10:00');
	await move(paused.id, ['clock_resumed'], monday, 1, '13:00');
	await recompute([paused.id, control.id]);
	const p = (await clocksOf(paused.id)).decision;
	const c = (await clocksOf(control.id)).decision;
	assert.equal(p.paused, 3 * 3600);
	assert.equal(p.due - c.due, 3 * 3600, 'moved by the pause');

	// The panel explains it.
	page = await casePage(reviewer, paused.reference);
	const why = text(page.doc, '#clock-decision');
	assert.match(why, /Target ?5 business days/);
	assert.match(why, /Breach recorded ?Yes/);
	assert.match(why, /5 business days from Mon \d+ \w+ (\d{4} )?10:00 Europe\/Madrid; paused 3 business hours \(Legal hold\)/);
	assert.match(text(page.doc, 'table.pauses'),
	    /Legal hold.*Vera Viewer.*3 business hours/);
	assert.match(text(page.doc, 'section.clocks'),
	    /Calendar: Madrid office \(Europe\/Madrid\)/);
});

test('the extension is taken once with a reason; a second is refused at ' +
    'its field', async () => {
	const c = await triagedCase();
	// The case's policy becomes a GDPR preset's (one month, extension of
	// two months once), as routing would choose it.
	// A policy points at its current version, which names its policy:
	// made with a stand-in version first.
	await query(`INSERT INTO sla_policies (code, name, current_version)
	    SELECT 'gdpr_slaviews', 'GDPR request', current_version
	    FROM sla_policies WHERE code = 'standard'
	    ON CONFLICT (code) DO NOTHING`);
	const v = await query(`WITH v AS (INSERT INTO sla_policy_versions
	        (policy, created_by, definition)
	        SELECT 'gdpr_slaviews', 'test', s.definition
	        FROM sla_policy_presets s WHERE s.code = 'gdpr_dsr'
	        RETURNING id)
	    UPDATE sla_policies x SET current_version = v.id FROM v
	    WHERE x.code = 'gdpr_slaviews' RETURNING v.id`);
	await query('UPDATE cases SET sla_policy_version = $2 WHERE id = $1',
	    [c.id, v.rows[0].id]);
	await recompute([c.id]);
	const before = (await clocksOf(c.id)).decision;
	assert.equal(before.state, 'running');

	let page = await casePage(reviewer, c.reference);
	assert.ok(offeredVerbs(page.doc, c.reference).includes('clock_extend'));
	let r = await act(reviewer, c.reference, 'clock_extend', { text: '' });
	assert.equal(r.status, 422);
	assert.deepEqual(errorFields(parseHtml(r.text)),
	    ['clock_extend-text']);

	await ok(reviewer, c.reference, 'clock_extend',
	    { text: `Many systems to search ${marker()}` });
	await recompute([c.id]);
	const after = (await clocksOf(c.id)).decision;
	// One month, then two more from where it ended: three months from
	// the received wall time in Madrid.
	const want = await query(`SELECT extract(epoch FROM
	    ((started_at AT TIME ZONE 'Europe/Madrid') + interval '3 months')
	    AT TIME ZONE 'Europe/Madrid')::bigint AS t
	    FROM case_clocks WHERE case_id = $1 AND clock = 'decision'`,
	    [c.id]);
	assert.equal(after.due, Number(want.rows[0].t));
	assert.ok(after.due > before.due);
	const ext = await query(`SELECT detail FROM case_events
	    WHERE case_id = $1 AND kind = 'clock_extended'`, [c.id]);
	assert.equal(ext.rows.length, 1);
	assert.equal(ext.rows[0].detail.by, `staff:${reviewer.id}`);

	page = await casePage(reviewer, c.reference);
	assert.ok(!offeredVerbs(page.doc, c.reference).includes('clock_extend'),
	    'no second extension offered');
	assert.match(text(page.doc, '#clock-decision'),
	    /extended once.*extended by 2 months/);
	// A second one, forged with the same fields: refused at the field.
	r = await forgeAct(reviewer, c.reference, 'clock_extend',
	    { text: 'Once more' });
	assert.equal(r.status, 409);
	const doc = parseHtml(r.text);
	assert.deepEqual(errorFields(doc), ['clock_extend-text']);
	assert.match(text(doc, '#f-clock_extend-text-error'),
	    /only once/);
	const n = await query(`SELECT count(*)::int AS n FROM case_events
	    WHERE case_id = $1 AND kind = 'clock_extended'`, [c.id]);
	assert.equal(n.rows[0].n, 1);
});

test('the work list says the risk in words and the time left',
    async () => {
	const c = await triagedCase();
	await recompute([c.id]);
	const r = await reviewRequest('/review?queue=vulnerable&assignee=me',
	    { cookie: reviewer.cookie });
	assert.equal(r.status, 200);
	const row = parseHtml(r.text).querySelectorAll('table.worklist tr')
	    .find((tr) => tr.text.includes(c.reference));
	assert.ok(row, 'the case is listed');
	assert.match(row.text.replace(/\s+/g, ' '),
	    /(On track|At risk) (due in|overdue by) [^,]+, \w{3} (\d+ \w{3} )?\d\d:\d\d Europe\/Madrid/);
});

test('the dashboard counts at risk and breached by queue and by reviewer; ' +
    'reviewers are refused', async () => {
	// An assignee with no other case.
	const owner = await createAccount({ name: 'Dana Dashboard' });
	const breached = await filed();
	const atRisk = await filed();
	await query(`UPDATE cases SET queue = $2, assignee = $3
	    WHERE id = $1`, [breached.id, QUEUE, owner.id]);
	await query('UPDATE cases SET queue = $2 WHERE id = $1',
	    [atRisk.id, QUEUE]);
	// Received ten days ago and never acknowledged: breached for real.
	await query(`UPDATE case_events SET at = now() - interval '10 days'
	    WHERE case_id = $1`, [breached.id]);
	await recompute([breached.id]);
	assert.equal((await clocksOf(breached.id)).acknowledge.state,
	    'breached');
	// The other at risk as the scheduler would rank it.
	await query(`UPDATE cases SET sla_rank = 1, next_check_at = NULL
	    WHERE id = $1`, [atRisk.id]);

	const res = await reviewRequest('/review/dashboard',
	    { cookie: supervisor.cookie });
	assert.equal(res.status, 200);
	const doc = parseHtml(res.text);
	assert.ok(doc.querySelector('nav a[href="/review/dashboard"]'));
	const q = doc.querySelector(`#by-queue tr[data-queue="${QUEUE}"]`);
	const cells = q.querySelectorAll('td').map((td) => td.text.trim());
	assert.deepEqual(cells.map((t) => t.split(' ')[0]), ['1', '1']);
	assert.equal(q.querySelector('a').getAttribute('href'),
	    `/review?queue=${QUEUE}`);
	const me = doc.querySelector(
	    `#by-reviewer tr[data-reviewer="${owner.id}"]`);
	assert.equal(text(me, 'th'), 'Dana Dashboard');
	assert.equal(me.querySelectorAll('td')[0].text.trim().split(' ')[0],
	    '1');
	assert.equal(me.querySelector('a').getAttribute('href'),
	    `/review?assignee=${owner.id}`);
	assert.ok(doc.querySelector('#by-reviewer tr[data-reviewer="none"]'),
	    'unassigned cases counted');
	assert.ok(doc.querySelectorAll('caption').length >= 2);
	// Breaches are counted at the instant they happened.
	const sql = await query(`SELECT count(*)::int AS n
	    FROM case_events WHERE kind = 'clock_breached'
	      AND at >= date_trunc('quarter', now())`);
	assert.equal(Number(text(doc, '#breaches-quarter')), sql.rows[0].n);
	const old = await query(`SELECT c.reference FROM case_clocks k
	    JOIN cases c ON c.id = k.case_id WHERE k.clock = 'acknowledge'
	      AND k.met_at IS NULL AND c.state NOT IN ('closed', 'rejected')
	    ORDER BY k.started_at, c.id LIMIT 1`);
	assert.match(text(doc, '#oldest'), new RegExp(
	    `^${old.rows[0].reference}, received .*: waiting \\d+ business ` +
	    '(days|hours?|minutes?)( \\d+ minutes?)?\\.$'));

	// The count links to the work list it counts.
	const wl = await reviewRequest(`/review?queue=${QUEUE}`,
	    { cookie: supervisor.cookie });
	const rows = parseHtml(wl.text).querySelectorAll('table.worklist tbody tr')
	    .map((tr) => tr.text.replace(/\s+/g, ' '));
	assert.match(rows[0], new RegExp(`${breached.reference}.*Breached ` +
	    'overdue by'), 'breached first, in words');
	assert.match(rows[1], new RegExp(`${atRisk.reference}.*At risk`));

	const refused = await reviewRequest('/review/dashboard',
	    { cookie: reviewer.cookie });
	assert.equal(refused.status, 403);
	const page = await reviewRequest('/review', { cookie: reviewer.cookie });
	assert.ok(!page.text.includes('/review/dashboard'),
	    'no link for reviewers');
});

test('/track and the API say what happens next, in the complainant\'s ' +
    'terms', async () => {
	const c = await filed();
	await recompute([c.id]);
	const want = await query(`SELECT to_char(due_at AT TIME ZONE
	    'Europe/Madrid', 'FMDD FMMonth') || CASE WHEN
	    extract(year FROM due_at AT TIME ZONE 'Europe/Madrid') <>
	    extract(year FROM now() AT TIME ZONE 'Europe/Madrid')
	    THEN to_char(due_at AT TIME ZONE 'Europe/Madrid', ' YYYY')
	    ELSE '' END AS d
	    FROM case_clocks WHERE case_id = $1 AND clock = 'response'`,
	    [c.id]);
	const line = `We aim to reply by ${want.rows[0].d}`;
	let t = await postTrack(c.code);
	assert.equal(t.status, 200);
	assert.equal(text(t.doc, '#next'), line);
	const api = await apiTrack(c.code);
	assert.equal(api.status, 200);
	assert.equal(api.json.next, line);

	// Waiting for the complainant.
	const w = await triagedCase();
	await ok(reviewer, w.reference, 'request_info',
	    { text: `Which site was it? ${marker()}` });
	await recompute([w.id]);
	t = await postTrack(w.code);
	assert.equal(text(t.doc, '#next'),
	    'Paused: we are waiting for your reply');
	assert.equal((await apiTrack(w.code)).json.next,
	    'Paused: we are waiting for your reply');

	// Nothing is due from us on a rejected case.
	await query("UPDATE cases SET state = 'rejected' WHERE id = $1",
	    [c.id]);
	t = await postTrack(c.code);
	assert.equal(t.doc.querySelector('#next'), null);
	assert.equal((await apiTrack(c.code)).json.next, null);
});
