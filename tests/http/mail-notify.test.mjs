// Notifications by e-mail, delivered by the real sender (recourse-mailer) to a real SMTP listener: the staff address set on the admin form (a bad one refused at its field), the complainant's content-free note with its headers, supervisors' breach alerts (one per escalation, naming its clocks), reviewers' digests with each item in exactly one, and /admin/outbox naming no address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { staffUser, act, reviewRequest, setStaffEmail, REVIEW }
    from '../lib/staff.mjs';
import { query, caseByReference } from '../lib/db.mjs';
import { parseHtml, errorFields } from '../lib/html.mjs';
import { startListener, startMailer, waitFor, FROM } from '../lib/mail.mjs';

let listener, mailer, admin, sup, rev;

// A unique address per use, so that messages of other tests never count.
function address(tag) {
	return `${c.marker(tag).toLowerCase()}@example.org`;
}

function to(addr) {
	return listener.messages().filter((m) => m.to.includes(addr));
}

before(async () => {
	admin = await staffUser({ roles: ['admin'], queues: [] });
	sup = await staffUser({ roles: ['supervisor'], queues: [] });
	rev = await staffUser({ roles: ['reviewer'], queues: ['general'] });
	listener = await startListener();
	mailer = startMailer({ port: listener.port, env: {
	    RECOURSE_DIGEST_MS: '300', RECOURSE_DIGEST_LAG_MS: '0' } });
});

after(async () => {
	await mailer?.stop();
	await listener?.stop();
});

test('the admin sets a staff address on the account form; a bad one is ' +
    'refused next to the field, nothing saved', async () => {
	const bad = await setStaffEmail(admin, rev.id, 'not an address');
	assert.equal(bad.status, 422);
	assert.deepEqual(errorFields(bad.doc), ['new-email']);
	assert.match(bad.doc.querySelector('#f-new-email-error').text,
	    /e-mail address/);
	assert.equal(bad.doc.querySelector('#f-new-email')
	    .getAttribute('value'), 'not an address');
	const row = async () => (await query('SELECT email FROM ' +
	    'staff_accounts WHERE id = $1', [rev.id])).rows[0].email;
	assert.equal(await row(), null);
	for (const [u, tag] of [[rev, 'R'], [sup, 'S']]) {
		u.email = address(tag);
		const ok = await setStaffEmail(admin, u.id, u.email);
		assert.equal(ok.status, 303, ok.text.slice(0, 300));
	}
	assert.equal(await row(), rev.email);
	const page = await reviewRequest(`/admin/account?id=${rev.id}`,
	    { cookie: admin.cookie });
	assert.equal(parseHtml(page.text).querySelector('#f-new-email')
	    .getAttribute('value'), rev.email);
	// The audit log says that it changed, not what to.
	const audit = await query('SELECT detail::text AS d FROM ' +
	    "audit_events WHERE action = 'account.update' AND object = $1",
	    [`account:${rev.id}`]);
	assert.ok(audit.rows.some((r) =>
	    r.d.includes('"email_changed": true')));
	assert.ok(audit.rows.every((r) => !r.d.includes(rev.email)));
});

test('a complainant who consented gets one content-free note per update ' +
    'burst: reference, the tracking address, fixed headers', async () => {
	const email = address('C');
	const name = `Zed ${c.marker('N')}`;
	const f = await c.fileComplaint({ brand: 'Very Secret Brand',
	    contact_name: name, contact_email: email, consent_contact: true,
	    category: 'privacy.consent' });
	const secret = `A message. ${c.marker('S')}`;
	const r = await act(sup, f.reference, 'message', { text: secret });
	assert.equal(r.status, 303);
	const [m] = await waitFor('the note', () => to(email).length > 0 &&
	    to(email));
	assert.equal(m.headers.to, `<${email}>`);
	assert.equal(m.headers.from, FROM);
	assert.equal(m.from, 'notify@recourse.test');
	assert.equal(m.headers.subject,
	    `Your case ${f.reference} has an update`);
	assert.match(m.headers['message-id'],
	    /^<outbox\.\d+\.[0-9a-f]{64}@recourse\.test>$/);
	assert.match(m.headers.date,
	    /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000$/);
	assert.equal(m.headers['auto-submitted'], 'auto-generated');
	assert.ok(m.body.includes(f.reference));
	assert.ok(m.body.includes(`${process.env.RECOURSE_URL}/track`));
	// Nothing of the case: no details, category, brand or names.
	const label = (await query('SELECT label FROM concern_categories ' +
	    "WHERE code = 'privacy.consent'")).rows[0].label;
	for (const s of [secret, f.fields.description, 'Very Secret Brand',
	    'privacy.consent', label, name, sup.login, 'Test Person', email])
		assert.ok(!m.body.includes(s) && !m.headers.subject.includes(s),
		    `the note says ${s}`);
	// The outbox row names the case only; the address is opened at send.
	const row = await query('SELECT o::text AS t, state, attempts FROM ' +
	    'outbox o WHERE case_id = $1', [(await caseByReference(
	    f.reference)).id]);
	assert.equal(row.rows.length, 1);
	assert.deepEqual([row.rows[0].state, row.rows[0].attempts],
	    ['sent', 1]);
	assert.ok(!row.rows[0].t.includes(email));
	assert.ok(!row.rows[0].t.includes('Very Secret'));
	assert.ok(!mailer.log().includes(email), 'the sender logs an address');
});

test('no note without consent to contact; none for the complainant\'s ' +
    'own reply', async () => {
	const f = await c.fileComplaint({});
	assert.equal((await act(sup, f.reference, 'message',
	    { text: 'Hello' })).status, 303);
	const g = await c.fileComplaint({ contact_email: address('Q'),
	    consent_contact: true });
	await c.trackAct(g.code, 'reply', 'More details from me.');
	const n = await query('SELECT count(*)::int AS n FROM outbox o JOIN ' +
	    'cases c ON c.id = o.case_id WHERE c.reference = ANY ($1)',
	    [[f.reference, g.reference]]);
	assert.equal(n.rows[0].n, 0);
});

test('a breach alerts every supervisor with an address at once; a ' +
    'reviewer gets it in a digest', async () => {
	const f = await c.fileComplaint({});
	const id = (await caseByReference(f.reference)).id;
	// The clock engine is another branch's: its events are written here
	// as the superuser, as that engine writes them (a breach and the
	// escalation it causes, in one transaction: one alert).
	await query("INSERT INTO case_events (case_id, kind, actor, " +
	    "visible_to_complainant, detail) VALUES ($1, 'clock_breached', " +
	    "'system', false, '{\"clock\": \"acknowledge\"}'), ($1, " +
	    "'escalated', 'system', false, '{\"clock\": \"acknowledge\"}')",
	    [id]);
	const [m] = await waitFor('the alert', () => to(sup.email).find((x) =>
	    x.headers.subject.includes(f.reference)) && to(sup.email).filter(
	    (x) => x.headers.subject.includes(f.reference)));
	assert.equal(m.headers.subject,
	    `Recourse: ${f.reference} breached its acknowledge deadline`);
	const alerts = await query("SELECT count(*)::int AS n FROM outbox " +
	    "WHERE kind = 'supervisor_alert' AND case_id = $1 AND " +
	    'account_id = $2', [id, sup.id]);
	assert.equal(alerts.rows[0].n, 1);
	assert.ok(!to(rev.email).some((x) => x.headers.subject.includes(
	    'breached')), 'a reviewer alerted');
	assert.ok(m.body.includes(`${REVIEW}/review/cases/${f.reference}`));
	assert.ok(!m.body.includes('Acme'), 'no brand in staff mail');
});

test('an escalation for several clocks is one alert naming them all',
    async () => {
	const f = await c.fileComplaint({});
	const id = (await caseByReference(f.reference)).id;
	// As the scheduler's store writes three breaches and their one
	// escalation (sql/0017-sla-pass.sql).
	await query("INSERT INTO case_events (case_id, kind, actor, " +
	    "visible_to_complainant, detail) SELECT $1, 'clock_breached', " +
	    "'system', false, jsonb_build_object('clock', k) FROM unnest(" +
	    "ARRAY['acknowledge', 'response', 'decision']) k", [id]);
	await query("INSERT INTO case_events (case_id, kind, actor, " +
	    "visible_to_complainant, detail) VALUES ($1, 'escalated', " +
	    "'system', false, '{\"clock\": \"acknowledge\", \"clocks\": " +
	    "[\"acknowledge\", \"response\", \"decision\"]}')", [id]);
	const [m] = await waitFor('the alert', () => to(sup.email).find((x) =>
	    x.headers.subject.includes(f.reference)) && to(sup.email).filter(
	    (x) => x.headers.subject.includes(f.reference)));
	assert.equal(m.headers.subject, `Recourse: ${f.reference} breached ` +
	    'its acknowledge, response and decision deadlines');
	const alerts = await query("SELECT count(*)::int AS n FROM outbox " +
	    "WHERE kind = 'supervisor_alert' AND case_id = $1 AND " +
	    'account_id = $2', [id, sup.id]);
	assert.equal(alerts.rows[0].n, 1);
});

test('digest: new cases in my queues, assigned to me, at risk; each item ' +
    'in exactly one digest', async () => {
	// The first run after the address was set starts from the present.
	await waitFor('a digest watermark', async () => (await query('SELECT ' +
	    'digest_event_id FROM staff_accounts WHERE id = $1',
	    [rev.id])).rows[0].digest_event_id !== null);
	const fresh = await c.fileComplaint({});
	const mine = await c.fileComplaint({});
	assert.equal((await act(sup, mine.reference, 'assign',
	    { to: rev.id })).status, 303);
	const risky = await c.fileComplaint({});
	await query("INSERT INTO case_events (case_id, kind, actor, " +
	    "visible_to_complainant, detail) VALUES ($1, 'clock_at_risk', " +
	    "'system', false, '{\"clock\": \"response\"}')",
	    [(await caseByReference(risky.reference)).id]);
	const refs = [fresh.reference, mine.reference, risky.reference];
	const mentions = (ref) => to(rev.email).filter((m) =>
	    m.body.includes(`/review/cases/${ref}\r\n`));
	await waitFor('every item in a digest', () =>
	    refs.every((r) => mentions(r).length > 0));
	// Several more digest runs pass; nothing comes twice.
	const runs = async () => (await query('SELECT last_run FROM ' +
	    'outbox_digest_clock')).rows[0].last_run.getTime();
	const t0 = await runs();
	await waitFor('two more digest runs', async () => await runs() > t0 &&
	    (await runs()) > t0 + 300);
	const all = to(rev.email);
	assert.ok(all.every((m) => m.headers.subject.startsWith(
	    'Recourse: your digest (')));
	const body = all.map((m) => m.body).join('\n');
	assert.match(body, new RegExp(`New cases in your queues:\\r\\n[^]*` +
	    fresh.reference));
	assert.match(body, new RegExp(
	    `Assigned to you:\\r\\n  ${mine.reference}`));
	assert.match(body, new RegExp(`At risk of missing a deadline:\\r\\n  ` +
	    `${risky.reference}.*\\r\\n    \\(response clock\\)`));
	// Each item once, in whichever digest: every case is new in the
	// queue; 'mine' was also assigned, 'risky' also at risk.
	const times = (ref) =>
	    body.split(`/review/cases/${ref}\r\n`).length - 1;
	assert.deepEqual([fresh, mine, risky].map((x) => times(x.reference)),
	    [1, 2, 2]);
	const ids = all.map((m) => m.headers['message-id']);
	assert.equal(new Set(ids).size, ids.length);
});

test('/admin/outbox lists the notifications for admins, naming the ' +
    'recipient by account or case, never by address', async () => {
	const res = await reviewRequest('/admin/outbox',
	    { cookie: admin.cookie });
	assert.equal(res.status, 200);
	const doc = parseHtml(res.text);
	const rows = doc.querySelectorAll('#outbox tbody tr');
	assert.ok(rows.length > 0);
	const cells = rows.map((r) => r.querySelectorAll('td').map((x) =>
	    x.text));
	assert.ok(cells.some((x) => /^complainant of RC-\d{4}-\d+$/.test(x[2])
	    && x[3] === 'sent' && x[4] === '1'), 'a sent note');
	assert.ok(cells.some((x) => x[2] === rev.login), 'a digest to rev');
	assert.ok(!/@example\.org/.test(res.text), 'an address on the page');
	const denied = await reviewRequest('/admin/outbox',
	    { cookie: sup.cookie });
	assert.equal(denied.status, 403);
	const bad = await reviewRequest('/admin/outbox?before=x',
	    { cookie: admin.cookie });
	assert.equal(bad.status, 400);
});
