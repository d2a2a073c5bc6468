// Erasure on request: the complainant asks on /track with the form the page renders (the consequences ticked), a reviewer confirms it with the case page's form, and then no table holds any ciphertext, key or receipt hash of the case, the receipt code answers exactly as an unknown one, the statistics fields are intact and the erasure is audited; a legal hold keeps the data and tells the complainant why.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { readFileSync } from 'node:fs';
import { formsOf } from '../lib/pageform.mjs';
import { staffUser, act, casePage, offeredVerbs, setStaffEmail }
    from '../lib/staff.mjs';
import { caseByReference, query } from '../lib/db.mjs';
import { caseId, recompute, park, unpark, clocksOf, clockEvents,
    setOffset } from '../lib/sla.mjs';

let reviewer, supervisor, parked = [];

before(async () => {
	reviewer = await staffUser({ roles: ['reviewer'], queues: ['general'] });
	supervisor = await staffUser({ roles: ['supervisor', 'admin'],
	    queues: [] });
	const r = await setStaffEmail(supervisor, supervisor.id,
	    'supervisor@example.org');
	assert.equal(r.status, 303, 'the supervisor\'s address');
});

after(async () => {
	await unpark(parked);
});

async function ok(user, ref, verb, fields = {}) {
	const r = await act(user, ref, verb, fields);
	assert.equal(r.status, 303, `${verb} answered ${r.status}: ` +
	    r.text.slice(0, 300));
}

// Asks for erasure through the /track page's form.
async function askErasure(code) {
	const ip = c.randomIp();
	const { form } = await trackForm(code, '/track/erase', ip);
	const res = await form.fill({ confirm: 'yes' }).submit({ ip });
	assert.equal(res.status, 200);
}

// Every secret the database holds for the case: its own columns, its
// messages, decisions, appeals, files and intake rows.
async function secretsOf(id) {
	const rows = await query(`
	    SELECT x FROM cases c, LATERAL (VALUES (c.receipt_hash),
	        (c.complainant_pk), (c.complainant_salt), (c.data_key_sealed),
	        (c.description_box), (c.contact_box), (c.complainant_copy_box),
	        (c.why_shown_box), (c.demographics_box)) v (x)
	    WHERE c.id = $1
	    UNION ALL SELECT unnest(ARRAY[m.body_box, m.complainant_box])
	    FROM case_messages m WHERE m.case_id = $1
	    UNION ALL SELECT unnest(ARRAY[d.reasons_box,
	        d.reasons_complainant_box])
	    FROM case_decisions d WHERE d.case_id = $1
	    UNION ALL SELECT unnest(ARRAY[a.grounds_box,
	        a.grounds_complainant_box])
	    FROM case_appeals a WHERE a.case_id = $1
	    UNION ALL SELECT unnest(ARRAY[r.token_hash, r.body_hash,
	        r.receipt_box])
	    FROM intake_requests r WHERE r.case_id = $1
	    UNION ALL SELECT unnest(ARRAY[e.box, e.key_sealed,
	        e.fingerprint_box])
	    FROM case_evidence e WHERE e.case_id = $1`,
	    [id]);
	return rows.rows.map((r) => r.x).filter((x) => x !== null);
}

// Every column of every table that could hold bytes or their hex: where
// any of 'secrets' is found, as "table.column".
async function whereFound(secrets) {
	const cols = (await query(`SELECT table_name, column_name, data_type
	    FROM information_schema.columns c
	    JOIN information_schema.tables t USING (table_schema, table_name)
	    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
	      AND data_type IN ('bytea', 'text', 'jsonb', 'ARRAY')`)).rows;
	const hex = secrets.map((s) => s.toString('hex'));
	const found = [];
	for (const { table_name: t, column_name: col, data_type: type }
	    of cols) {
		const r = type === 'bytea' ? await query(`SELECT count(*)::int
		    AS n FROM ${t} WHERE EXISTS (SELECT 1 FROM unnest($1::bytea[])
		    s WHERE position(s IN ${col}) > 0)`, [secrets]) :
		    await query(`SELECT count(*)::int AS n FROM ${t} WHERE
		    EXISTS (SELECT 1 FROM unnest($1::text[]) s
		    WHERE position(s IN ${col}::text) > 0)`, [hex]);
		if (r.rows[0].n > 0)
			found.push(`${t}.${col}`);
	}
	return found.sort();
}

// A rich case: contact, the platform's explanation, demographic answers,
// a note, a message, a reply with a file, a decision and an appeal.
async function richCase() {
	const f = await c.fileComplaint({ contact_name: 'Erin Example',
	    contact_email: 'erin@example.org', consent_contact: 'yes',
	    why_shown: `Because you visited a clinic. ${c.marker('W')}`,
	    consent_demographics: 'yes', age_band: 'age_35_44',
	    targeting_reasons: 'retargeting', ai_disclosed: 'no',
	    evidence: [{ name: 'ad.png', data: readFileSync(new URL(
	        '../unit/data/evidence/clean.png', import.meta.url)),
	        type: 'image/png' }] });
	assert.ok(f.code, 'filed');
	const r = f.reference;
	await ok(reviewer, r, 'take');
	await ok(reviewer, r, 'triage', { category: 'privacy.notice',
	    priority: 2, queue: 'general' });
	await ok(reviewer, r, 'investigate');
	await ok(reviewer, r, 'note', { text: `Check the logs. ${c.marker('N')}` });
	await ok(reviewer, r, 'message', { text: `Which clinic? ${c.marker('M')}` });
	assert.equal((await c.trackAct(f.code, 'reply',
	    `The one in town. ${c.marker('R')}`, { files: [{
	    name: 'clinic.txt', type: 'text/plain',
	    data: Buffer.from(`The clinic's letter. ${c.marker('F')}\n`) }] }))
	    .status, 200);
	await ok(reviewer, r, 'decide', { outcome: 'upheld',
	    remedies: ['data_deleted'], automated: 'no',
	    text: `The advertiser had no consent. ${c.marker('D')}` });
	assert.equal((await c.trackAct(f.code, 'appeal',
	    `They must also apologise. ${c.marker('A')}`)).status, 200);
	return f;
}

// The /track page's form with this action, on a fresh lookup.
async function trackForm(code, action, ip) {
	const page = await c.postTrack(code, { ip });
	assert.equal(page.status, 200);
	return { page, form: formsOf(page.doc, page.url).find((x) =>
	    x.action === action) };
}

// Without the token and the typed code, which differ per request.
function comparable(text, typed) {
	return text.replace(/(name="csrf" value=")[0-9a-f]*"/, '$1"')
	    .replace(`value="${typed}"`, 'value=""');
}

test('asked for on /track and confirmed by a reviewer, erasure leaves no ' +
    'secret of the case in any table and the code answers as an unknown ' +
    'one; the statistics fields stay', async () => {
	const f = await richCase();
	const before = await caseByReference(f.reference);
	const secrets = await secretsOf(before.id);
	assert.ok(secrets.length >= 15, `only ${secrets.length} secrets`);
	// The search finds them where the case keeps them, and nowhere else.
	assert.deepEqual((await whereFound(secrets)).filter((x) =>
	    x !== 'intake_requests.receipt_box'), [
	    'case_appeals.grounds_box', 'case_appeals.grounds_complainant_box',
	    'case_decisions.reasons_box', 'case_evidence.box',
	    'case_evidence.fingerprint_box', 'case_evidence.key_sealed',
	    'case_decisions.reasons_complainant_box',
	    'case_messages.body_box', 'case_messages.complainant_box',
	    'cases.complainant_copy_box', 'cases.complainant_pk',
	    'cases.complainant_salt', 'cases.contact_box',
	    'cases.data_key_sealed', 'cases.demographics_box',
	    'cases.description_box', 'cases.receipt_hash',
	    'cases.why_shown_box', 'intake_requests.body_hash',
	    'intake_requests.token_hash'].sort());

	// The box unticked: an error next to it, nothing recorded.
	const ip = c.randomIp();
	let { form } = await trackForm(f.code, '/track/erase', ip);
	assert.ok(form, 'the page offers erasure');
	let res = await form.submit({ ip });
	assert.equal(res.status, 422);
	assert.match(res.doc.querySelector('#erase-error').text,
	    /Tick the box/);
	assert.equal(res.doc.querySelector('#f-erase')
	    .getAttribute('aria-describedby'), 'erase-error');
	assert.equal((await caseByReference(f.reference))
	    .erasure_requested_at, null);

	({ form } = await trackForm(f.code, '/track/erase', ip));
	res = await form.fill({ confirm: 'yes' }).submit({ ip });
	assert.equal(res.status, 200, res.text.slice(0, 500));
	assert.match(res.doc.querySelector('.notice').text,
	    /asked for your data to be erased/);
	assert.match(res.doc.querySelector('#erasure').text, /You asked on/);
	assert.equal(res.doc.querySelector('form[action="/track/erase"]'), null,
	    'asked once, the form is gone');
	assert.match(res.doc.querySelectorAll('ol.timeline li').at(-1).text,
	    /asked for your data to be erased/);

	// The reviewer sees the request and confirms it.
	let { doc } = await casePage(reviewer, f.reference);
	assert.match(doc.querySelector('#erasure').text, /asked/);
	assert.ok(offeredVerbs(doc, f.reference).includes('erase'));
	await ok(reviewer, f.reference, 'erase');

	const after = await caseByReference(f.reference);
	assert.equal(after.state, 'closed', 'an open case is closed');
	assert.equal(after.erasure_basis, 'request');
	assert.ok(after.erased_at);
	assert.deepEqual(await whereFound(secrets), [],
	    'a secret of the case survived');
	for (const k of ['category', 'channel', 'brand', 'vulnerable',
	    'consent_contact', 'consent_publish', 'consent_demographics',
	    'queue', 'priority', 'received_at', 'occurred_on',
	    'targeting_reasons', 'ai_disclosed'])
		assert.deepEqual(after[k], before[k], k);
	const kept = await query(`SELECT
	    (SELECT count(*)::int FROM case_messages WHERE case_id = $1) m,
	    (SELECT array_agg(outcome) FROM case_decisions
	        WHERE case_id = $1) d,
	    (SELECT count(*)::int FROM case_appeals WHERE case_id = $1) a,
	    (SELECT count(*)::int FROM intake_requests WHERE case_id = $1) i,
	    (SELECT count(*)::int FROM outbox WHERE case_id = $1
	        AND kind = 'complainant_note' AND state = 'queued') o`,
	    [after.id]);
	assert.deepEqual(kept.rows[0], { m: 3, d: ['upheld'], a: 1, i: 0,
	    o: 0 });
	assert.deepEqual((await query('SELECT kind, size > 0 AS sized, box, ' +
	    'key_sealed, fingerprint_box FROM case_evidence WHERE case_id = $1 ' +
	    'ORDER BY n', [after.id])).rows,
	    [{ kind: 'png', sized: true, box: null, key_sealed: null,
	    fingerprint_box: null }, { kind: 'text', sized: true, box: null,
	    key_sealed: null, fingerprint_box: null }], 'the files are gone, ' +
	    'their types and sizes stay');
	const audit = await query(`SELECT actor, detail FROM audit_events
	    WHERE action = 'case.erased' AND object = $1`,
	    [`case:${f.reference}`]);
	assert.deepEqual(audit.rows, [{ actor: `staff:${reviewer.id}`,
	    detail: { basis: 'request', state_was: 'appealed' } }]);

	// The code now answers exactly as one never issued.
	const unknown = c.randomCode();
	const gone = await c.postTrack(f.code);
	const never = await c.postTrack(unknown);
	assert.equal(gone.status, 404);
	assert.equal(comparable(gone.text, f.code),
	    comparable(never.text, unknown));
	const jg = await c.apiTrack(f.code);
	const jn = await c.apiTrack(unknown);
	assert.deepEqual([jg.status, jg.text], [jn.status, jn.text]);

	// The case page says so, and offers nothing that needs the data.
	({ doc } = await casePage(supervisor, f.reference));
	assert.match(doc.querySelector('#erasure').text,
	    /erased .* as the complainant asked/s);
	assert.match(doc.querySelector('#account-h').parentNode.text,
	    /Erased\./);
	assert.deepEqual(offeredVerbs(doc, f.reference).filter((v) =>
	    ['note', 'message', 'erase', 'hold'].includes(v)), []);
	assert.ok(!doc.text.includes('Erin Example'));
});

test('a legal hold keeps the data: the complainant reads the obligation, ' +
    'erasure is not offered until a supervisor lifts it', async () => {
	const f = await c.fileComplaint();
	const ip = c.randomIp();
	let { form } = await trackForm(f.code, '/track/erase', ip);
	let res = await form.fill({ confirm: 'yes' }).submit({ ip });
	assert.equal(res.status, 200);
	const obligation = 'A court has ordered us to keep this report until ' +
	    'the case against the advertiser ends.';
	await ok(reviewer, f.reference, 'hold', { text: `  ${obligation} ` });
	let { doc } = await casePage(reviewer, f.reference);
	assert.ok(!offeredVerbs(doc, f.reference).includes('erase'));
	assert.ok(!offeredVerbs(doc, f.reference).includes('lift_hold'),
	    'only a supervisor lifts a hold');
	res = await c.postTrack(f.code);
	assert.equal(res.doc.querySelector('#legal-hold').text, obligation);
	assert.match(res.doc.querySelectorAll('ol.timeline li').at(-1).text,
	    /legal obligation to keep your data/);

	await ok(supervisor, f.reference, 'lift_hold');
	({ doc } = await casePage(reviewer, f.reference));
	assert.ok(offeredVerbs(doc, f.reference).includes('erase'));
	res = await c.postTrack(f.code);
	assert.equal(res.doc.querySelector('#legal-hold'), null);
	await ok(reviewer, f.reference, 'erase');
	assert.equal((await c.postTrack(f.code)).status, 404);
});

test('the hold form (a supervisor\'s, without a request) refuses an empty ' +
    'or overlong obligation next to the field, and records nothing',
    async () => {
	const f = await c.fileComplaint();
	for (const text of ['', '   ', 'x'.repeat(1001)]) {
		const r = await act(supervisor, f.reference, 'hold', { text });
		assert.equal(r.status, 422, JSON.stringify(text.slice(0, 5)));
		assert.ok(r.doc.querySelector(
		    '#f-hold-text[aria-invalid="true"]'),
		    'the error is on the field');
	}
	assert.equal((await caseByReference(f.reference)).legal_hold, null);
});

test('a request starts the erasure clock (a calendar month) and alerts the ' +
    'supervisors; past due it breaches and escalates once; a legal hold ' +
    'meets it', async () => {
	const f = await c.fileComplaint();
	const id = await caseId(f.reference);
	await askErasure(f.code);
	const alerts = await query(`SELECT payload->>'event' AS event
	    FROM outbox WHERE case_id = $1 AND kind = 'supervisor_alert'
	      AND account_id = $2`, [id, supervisor.id]);
	assert.deepEqual(alerts.rows, [{ event: 'erasure_requested' }]);

	parked = await park([id]);
	await recompute([id]);
	let k = (await clocksOf(id)).erasure;
	assert.equal(k?.state, 'running');
	const asked = (await caseByReference(f.reference)).erasure_requested_at;
	assert.equal(k.started, Math.floor(asked.getTime() / 1000));
	const due = new Date(asked);
	due.setUTCMonth(due.getUTCMonth() + 1);
	// A calendar month in the default calendar's zone: within a day of
	// the same day next month in UTC, whatever the zone's offset.
	assert.ok(Math.abs(k.due - due.getTime() / 1000) <= 86400,
	    `due ${new Date(k.due * 1000).toISOString()}`);
	const { doc } = await casePage(supervisor, f.reference);
	assert.match(doc.text, /Erasure request/);
	const page = await c.postTrack(f.code);
	assert.match(page.doc.querySelector('#erasure').text,
	    /A reviewer will confirm it by \d/);
	const api = await c.apiTrack(f.code);
	assert.equal(api.json.erasure.due_at, new Date(k.due * 1000)
	    .toISOString().replace('.000Z', 'Z'));

	await setOffset(k.due - Date.now() / 1000 + 60);
	await recompute([id]);
	k = (await clocksOf(id)).erasure;
	assert.equal(k.state, 'breached');
	await recompute([id]);
	const evs = await clockEvents(id);
	assert.deepEqual(evs.filter(([, clock]) => clock === 'erasure'),
	    [['clock_breached', 'erasure']], 'breached once, at once past ' +
	    'due (no at-risk step was seen)');
	assert.equal(evs.filter(([kind]) => kind === 'escalated').length, 1);
	// (Still on the moved clock: a store older than the last is refused.)
	await ok(supervisor, f.reference, 'hold', { text: 'A regulator ' +
	    'asked us to keep it.' });
	await recompute([id]);
	k = (await clocksOf(id)).erasure;
	assert.equal(k.state, 'met');
	assert.ok(k.breached, 'the breach stays on the record');
	await setOffset(0);
	// Out of the other tests' work lists.
	await ok(supervisor, f.reference, 'reject', { text: 'Test over.' });
});

test('a request made under a hold is answered by it; lifting the hold ' +
    'restarts the erasure clock from then', async () => {
	const f = await c.fileComplaint();
	const id = await caseId(f.reference);
	await ok(supervisor, f.reference, 'hold', { text: 'An inquiry by the ' +
	    'regulator requires us to keep it.' });
	await askErasure(f.code);
	await recompute([id]);
	assert.equal((await clocksOf(id)).erasure?.state, 'met',
	    'the standing hold answers the request');
	let page = await c.postTrack(f.code);
	assert.equal(page.doc.querySelector('#legal-hold').text.trim(),
	    'An inquiry by the regulator requires us to keep it.');
	await ok(supervisor, f.reference, 'lift_hold');
	await recompute([id]);
	const k = (await clocksOf(id)).erasure;
	assert.equal(k.state, 'running', 'staff must answer again');
	page = await c.postTrack(f.code);
	assert.match(page.doc.querySelector('#erasure').text,
	    /A reviewer will confirm it by \d/);
	await ok(supervisor, f.reference, 'erase');
	await recompute([id]);
	assert.equal((await clocksOf(id)).erasure.state, 'met');
});
