// SLA administration through the pages' own forms: calendars (every invalid field at once, nothing saved; iCalendar import with a preview, a hostile file refused; export), policies from presets, pause reasons, and the issue's test: a holiday added in /admin moves due instants only when re-applied.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { fileComplaint } from '../lib/client.mjs';
import { REVIEW, staffUser, reviewRequest } from '../lib/staff.mjs';
import { parseHtml, errorFields } from '../lib/html.mjs';
import { formsOf } from '../lib/pageform.mjs';
import { query } from '../lib/db.mjs';
import { caseId, recompute, clocksOf } from '../lib/sla.mjs';

let admin;
const tag = crypto.randomBytes(3).toString('hex');
// Queue codes take letters and underscores only.
const queue = `slaq_${tag.replace(/[0-9]/g, (d) => 'abcdefghij'[d])}`;
const brand = `Holiday Brand ${tag}`;
const calendar = `cal_${tag}`;
let ruleId;

before(async () => {
	admin = await staffUser({ roles: ['admin'], queues: [] });
	// Cases of one brand go to a queue of their own, so that re-applying
	// this test's calendar touches no other test's case.
	await query('INSERT INTO queues (code, name) VALUES ($1, $2)',
	    [queue, `Queue ${tag}`]);
	const r = await query(`INSERT INTO routing_rules (position, brand,
	    queue, priority) VALUES ((SELECT coalesce(min(position), 0) - 1
	    FROM routing_rules), $1, $2, 2) RETURNING id`, [brand, queue]);
	ruleId = r.rows[0].id;
});

after(async () => {
	await query(`UPDATE cases SET state = 'rejected' WHERE queue = $1`,
	    [queue]);
	await query('DELETE FROM routing_rules WHERE id = $1', [ruleId]);
});

async function page(path) {
	const res = await reviewRequest(path, { cookie: admin.cookie });
	assert.equal(res.status, 200, `GET ${path}: ${res.text.slice(0, 200)}`);
	return { doc: parseHtml(res.text), url: REVIEW + path, text: res.text };
}

function theForm(p, action, pick = () => true) {
	const all = formsOf(p.doc, p.url).filter((f) => f.action === action &&
	    pick(f));
	assert.equal(all.length, 1, `${all.length} forms post to ${action}`);
	return all[0];
}

async function send(path, action, fields, pick) {
	const f = theForm(await page(path), action, pick);
	for (const [k, v] of Object.entries(fields))
		f.set(k, v);
	return f.submit({ cookie: admin.cookie });
}

async function versions(table, col, code) {
	const r = await query(`SELECT count(*)::int AS n FROM ${table}
	    WHERE ${col} = $1`, [code]);
	return r.rows[0].n;
}

async function currentDefinition(code) {
	const r = await query(`SELECT v.definition FROM sla_calendars k
	    JOIN sla_calendar_versions v ON v.id = k.current_version
	    WHERE k.code = $1`, [code]);
	return r.rows[0].definition;
}

// The form's file input sent with 'content', the other fields as shown.
async function upload(path, action, content) {
	const f = theForm(await page(path), action);
	const fd = new FormData();
	for (const [k, v] of f.entries())
		if (k !== 'file')
			fd.append(k, v);
	fd.append('file', new Blob([content], { type: 'text/calendar' }),
	    'holidays.ics');
	const res = await fetch(REVIEW + action, { method: 'POST', body: fd,
	    redirect: 'manual', headers: { cookie: admin.cookie,
	    origin: new URL(REVIEW).origin, 'sec-fetch-site': 'same-origin' } });
	const text = await res.text();
	return { status: res.status, text, doc: parseHtml(text) };
}

test('a calendar is created from the list page and assigned to a queue',
    async () => {
	let r = await send('/admin/calendars', '/admin/calendars/create',
	    { code: calendar, name: `Calendar ${tag}`, from: 'default' });
	assert.equal(r.status, 303, r.text.slice(0, 300));
	assert.equal(r.headers.get('location'), `/admin/calendars/${calendar}`);
	assert.equal(await versions('sla_calendar_versions', 'calendar',
	    calendar), 1);
	r = await send('/admin/calendars', '/admin/calendars/queue',
	    { calendar }, (f) => f.hidden('code') === queue);
	assert.equal(r.status, 303);
	const q = await query('SELECT calendar FROM queues WHERE code = $1',
	    [queue]);
	assert.equal(q.rows[0].calendar, calendar);
	const a = await query(`SELECT action FROM audit_events
	    WHERE actor = $1 AND action IN ('sla_calendar.create',
	    'queue.calendar')`, [`staff:${admin.id}`]);
	assert.equal(a.rows.length, 2);
});

test('every invalid calendar field is refused at once, nothing saved',
    async () => {
	const path = `/admin/calendars/${calendar}`;
	const before = await versions('sla_calendar_versions', 'calendar',
	    calendar);
	const r = await send(path, '/admin/calendars/save', {
	    name: '', zone: 'Europe/Atlantis', mon: '17:00-09:00',
	    tue: '09:00-12:00, 11:00-13:00', wed: 'nine to five',
	    holidays: '2026-12-25 Christmas Day\n2026-02-30 No such day\n',
	    yearly: '13-01 Thirteenth month' });
	assert.equal(r.status, 422, r.text.slice(0, 300));
	assert.deepEqual(errorFields(r.doc), ['cal-holidays', 'cal-mon',
	    'cal-name', 'cal-tue', 'cal-wed', 'cal-yearly', 'cal-zone']);
	assert.match(r.doc.querySelector('#f-cal-mon-error').text,
	    /ends before it starts/);
	assert.match(r.doc.querySelector('#f-cal-tue-error').text, /overlaps/);
	assert.match(r.doc.querySelector('#f-cal-zone-error').text,
	    /time zone/);
	assert.match(r.doc.querySelector('#f-cal-holidays-error').text,
	    /Line 2/);
	// What was typed is still there.
	assert.equal(r.doc.querySelector('#f-cal-zone').getAttribute('value'),
	    'Europe/Atlantis');
	assert.equal(r.doc.querySelector('#f-cal-wed').getAttribute('value'),
	    'nine to five');
	assert.equal(await versions('sla_calendar_versions', 'calendar',
	    calendar), before);

	// A week with no opening hours at all.
	const closed = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri',
	    'sat', 'sun'].map((d) => [d, '']));
	const w = await send(path, '/admin/calendars/save', closed);
	assert.equal(w.status, 422);
	assert.deepEqual(errorFields(w.doc), ['cal-week']);
	assert.equal(await versions('sla_calendar_versions', 'calendar',
	    calendar), before);
});

// A realistic UK bank-holidays file, as GOV.UK publishes it.
function ukBankHolidays() {
	const ev = (uid, date, end, name) => [
	    'BEGIN:VEVENT', `DTEND;VALUE=DATE:${end}`,
	    `DTSTART;VALUE=DATE:${date}`, `SUMMARY:${name}`,
	    `UID:${uid}@www.gov.uk`, 'SEQUENCE:0', 'DTSTAMP:20250901T000000Z',
	    'END:VEVENT'].join('\r\n');
	return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'METHOD:PUBLISH',
	    'PRODID:-//uk.gov/GOVUK calendars//EN', 'CALSCALE:GREGORIAN',
	    ev('ca6894c6', '20270101', '20270102', "New Year’s Day"),
	    ev('ca6894c7', '20270326', '20270327', 'Good Friday'),
	    ev('ca6894c8', '20270329', '20270330', 'Easter Monday'),
	    ev('ca6894c9', '20270503', '20270504', 'Early May bank holiday'),
	    ev('ca6894ca', '20270531', '20270601', 'Spring bank holiday'),
	    ev('ca6894cb', '20270830', '20270831', 'Summer bank holiday'),
	    ev('ca6894cc', '20271227', '20271228',
	        'Christmas Day (substitute day)'),
	    ev('ca6894cd', '20271228', '20271229',
	        'Boxing Day (substitute day)'),
	    'END:VCALENDAR', ''].join('\r\n');
}

test('an .ics import is previewed, then saved with one more press',
    async () => {
	const path = `/admin/calendars/${calendar}`;
	const before = await versions('sla_calendar_versions', 'calendar',
	    calendar);
	const r = await upload(path, '/admin/calendars/import',
	    ukBankHolidays());
	assert.equal(r.status, 200, r.text.slice(0, 400));
	assert.match(r.doc.querySelector('#notice').text, /8 not in this/);
	const area = r.doc.querySelector('#f-cal-holidays').text;
	assert.match(area, /2027-03-26 Good Friday/);
	assert.match(area, /2027-12-28 Boxing Day \(substitute day\)/);
	assert.equal(await versions('sla_calendar_versions', 'calendar',
	    calendar), before, 'nothing saved by the preview');

	// The preview's own form, saved as it stands.
	const save = theForm({ doc: r.doc, url: REVIEW + path },
	    '/admin/calendars/save');
	const s = await save.submit({ cookie: admin.cookie });
	assert.equal(s.status, 303, s.text.slice(0, 300));
	const def = await currentDefinition(calendar);
	assert.equal(def.holidays.length, 8);
	assert.deepEqual(def.holidays[1], { date: '2027-03-26',
	    name: 'Good Friday' });
	assert.equal(await versions('sla_calendar_versions', 'calendar',
	    calendar), before + 1);
});

test('a malformed or hostile .ics is refused with the reason', async () => {
	const path = `/admin/calendars/${calendar}`;
	const before = await versions('sla_calendar_versions', 'calendar',
	    calendar);
	for (const bad of [
	    'this is not a calendar at all',
	    // A meeting, not a holiday: a timed event.
	    ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT',
	        'DTSTART:20270101T090000Z', 'SUMMARY:Meeting',
	        'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'),
	    // Binary bytes where text should be.
	    `BEGIN:VCALENDAR\r\n${'\u0000\u0001\u00ff'.repeat(50)}\r\n`,
	    ['BEGIN:VCALENDAR', 'VERSION:2.0',
	        ...Array.from({ length: 2100 }, (_, i) => ['BEGIN:VEVENT',
	        `DTSTART;VALUE=DATE:${20300101 + (i % 28)}`,
	        `SUMMARY:Flood ${i}`, 'END:VEVENT']).flat(),
	        'END:VCALENDAR', ''].join('\r\n')]) {
		const r = await upload(path, '/admin/calendars/import', bad);
		assert.equal(r.status, 422, `${bad.slice(0, 60)}: ` +
		    r.doc.querySelector('#notice')?.text);
		assert.deepEqual(errorFields(r.doc), ['imp-file']);
		assert.match(r.doc.querySelector('#f-imp-file-error').text,
		    /refused/);
	}
	assert.equal(await versions('sla_calendar_versions', 'calendar',
	    calendar), before);
});

test('a calendar exports as an .ics file of its holidays', async () => {
	const res = await reviewRequest(`/admin/calendars/${calendar}.ics`,
	    { cookie: admin.cookie });
	assert.equal(res.status, 200);
	assert.match(res.headers.get('content-type'), /^text\/calendar/);
	assert.match(res.headers.get('content-disposition'),
	    new RegExp(`attachment; filename="${calendar}.ics"`));
	const text = res.text.replace(/\r\n[ \t]/g, '');
	assert.match(text, /^BEGIN:VCALENDAR\r\n/);
	assert.match(text, /DTSTART;VALUE=DATE:20270326\r\n/);
	assert.match(text, /SUMMARY:Good Friday\r\n/);
	assert.match(text, /RRULE:FREQ=YEARLY/, 'the yearly holidays');
	assert.match(text, /TZID:Europe\/Madrid/);
	// It imports back through the engine: nothing new to add.
	const r = await upload(`/admin/calendars/${calendar}`,
	    '/admin/calendars/import', res.text);
	assert.equal(r.status, 200, r.text.slice(0, 300));
	assert.match(r.doc.querySelector('#notice').text, / 0 not in this/);
});

test('policies: from a preset; every invalid target refused at once',
    async () => {
	const code = `pol_${tag}`;
	let r = await send('/admin/policies', '/admin/policies/create',
	    { code, name: `GDPR ${tag}`, preset: 'gdpr_dsr' });
	assert.equal(r.status, 303, r.text.slice(0, 300));
	const v = await query(`SELECT v.definition FROM sla_policies p
	    JOIN sla_policy_versions v ON v.id = p.current_version
	    WHERE p.code = $1`, [code]);
	assert.deepEqual(v.rows[0].definition.extension,
	    { n: 2, unit: 'calendar_months' });
	const before = await versions('sla_policy_versions', 'policy', code);
	r = await send(`/admin/policies/${code}`, '/admin/policies/save', {
	    acknowledge_n: 'two', acknowledge_unit: 'business_days',
	    appeal_n: '0', appeal_unit: 'calendar_days',
	    at_risk_percent: '150' });
	assert.equal(r.status, 422, r.text.slice(0, 300));
	assert.deepEqual(errorFields(r.doc), ['pol-acknowledge_n',
	    'pol-appeal_n', 'pol-at_risk_percent']);
	assert.equal(r.doc.querySelector('#f-pol-acknowledge_n')
	    .getAttribute('value'), 'two');
	// Business time cannot extend a calendar-time decision clock.
	r = await send(`/admin/policies/${code}`, '/admin/policies/save',
	    { extension_unit: 'business_days' });
	assert.equal(r.status, 422);
	assert.deepEqual(errorFields(r.doc), ['pol-extension_unit']);
	assert.equal(await versions('sla_policy_versions', 'policy', code),
	    before);
	r = await send(`/admin/policies/${code}`, '/admin/policies/save',
	    { acknowledge_n: '3', acknowledge_unit: 'business_days' });
	assert.equal(r.status, 303);
	assert.equal(await versions('sla_policy_versions', 'policy', code),
	    before + 1);
	// The routing rule of this test's queue takes the policy.
	r = await send('/admin/policies', '/admin/policies/rule',
	    { policy: code }, (f) => f.hidden('id') === String(ruleId));
	assert.equal(r.status, 303);
	r = await send('/admin/policies', '/admin/policies/rule',
	    { policy: '' }, (f) => f.hidden('id') === String(ruleId));
	assert.equal(r.status, 303);
	const rule = await query('SELECT policy FROM routing_rules ' +
	    'WHERE id = $1', [ruleId]);
	assert.equal(rule.rows[0].policy, null);
});

test('pause reasons: added, renamed, deactivated; the system one stays',
    async () => {
	const code = `waiting_${tag.replace(/[0-9]/g, 'x')}`;
	let r = await send('/admin/pause-reasons', '/admin/pause-reasons/save',
	    { code, label: 'Waiting for the brand' },
	    (f) => f.hidden('code') === null);
	assert.equal(r.status, 303, r.text.slice(0, 300));
	r = await send('/admin/pause-reasons', '/admin/pause-reasons/save',
	    { label: 'Waiting for the brand’s answer', active: false },
	    (f) => f.hidden('code') === code);
	assert.equal(r.status, 303);
	const row = await query('SELECT label, active FROM sla_pause_reasons ' +
	    'WHERE code = $1', [code]);
	assert.deepEqual(row.rows[0], { label: 'Waiting for the brand’s answer',
	    active: false });
	r = await send('/admin/pause-reasons', '/admin/pause-reasons/save',
	    { active: false }, (f) => f.hidden('code') ===
	    'awaiting_complainant');
	assert.equal(r.status, 422);
	assert.deepEqual(errorFields(r.doc),
	    ['r-awaiting_complainant-active']);
	const sys = await query('SELECT active FROM sla_pause_reasons ' +
	    "WHERE code = 'awaiting_complainant'");
	assert.equal(sys.rows[0].active, true);
});

test('a holiday added in /admin moves due instants only when re-applied',
    async () => {
	const c = await fileComplaint({ brand });
	assert.ok(c.reference, 'filed');
	const id = await caseId(c.reference);
	await recompute([id]);
	const was = (await clocksOf(id)).acknowledge;
	assert.ok(was?.due, 'the acknowledge clock runs');

	// The due day's local date, and the next business day after it.
	const def = await currentDefinition(calendar);
	const d = await query(`SELECT to_char(to_timestamp($1) AT TIME ZONE
	    'Europe/Madrid', 'YYYY-MM-DD') AS day, to_char(to_timestamp($1)
	    AT TIME ZONE 'Europe/Madrid', 'HH24:MI:SS') AS time`, [was.due]);
	const day = d.rows[0].day;
	const closed = new Set(def.holidays.map((h) => h.date).concat(day));
	const yearly = new Set(def.yearly.map((y) =>
	    `${String(y.month).padStart(2, '0')}-${String(y.day)
	        .padStart(2, '0')}`));
	let next = new Date(`${day}T00:00:00Z`);
	do
		next = new Date(next.getTime() + 86400000);
	while ([0, 6].includes(next.getUTCDay()) ||
	    closed.has(next.toISOString().slice(0, 10)) ||
	    yearly.has(next.toISOString().slice(5, 10)));
	const e = await query(`SELECT extract(epoch FROM ($1::date + $2::time)
	    AT TIME ZONE 'Europe/Madrid')::bigint AS t`,
	    [next.toISOString().slice(0, 10), d.rows[0].time]);
	const expected = Number(e.rows[0].t);

	// The holiday, typed into the calendar's form.
	const p = await page(`/admin/calendars/${calendar}`);
	const f = theForm(p, '/admin/calendars/save');
	const area = p.doc.querySelector('#f-cal-holidays').text
	    .replace(/^\n/, '');
	f.set('holidays', `${area}${day} Founders' Day\n`);
	const s = await f.submit({ cookie: admin.cookie });
	assert.equal(s.status, 303, s.text.slice(0, 300));

	// Not re-applied: the case keeps its version and its due instant.
	await recompute([id]);
	assert.equal((await clocksOf(id)).acknowledge.due, was.due);
	assert.match((await page(`/admin/calendars/${calendar}`)).doc
	    .querySelector('#behind').text, /^1 open cases/);

	const r = await send(`/admin/calendars/${calendar}`,
	    '/admin/calendars/reapply', {});
	assert.equal(r.status, 200, r.text.slice(0, 300));
	assert.equal(r.doc.querySelector('#notice').text.trim(),
	    '1 open case re-applied; due times moved in 1.');
	const now = (await clocksOf(id)).acknowledge;
	assert.equal(now.due, expected, 'one business day later');
	const a = await query(`SELECT detail FROM audit_events
	    WHERE actor = $1 AND action = 'sla_calendar.reapply'`,
	    [`staff:${admin.id}`]);
	assert.equal(a.rows.length, 1);
	assert.equal(a.rows[0].detail.cases, 1);
	assert.equal(a.rows[0].detail.moved, 1);
	// Pressed again: nothing left to move.
	const again = await send(`/admin/calendars/${calendar}`,
	    '/admin/calendars/reapply', {});
	assert.equal(again.doc.querySelector('#notice').text.trim(),
	    '0 open cases re-applied; due times moved in 0.');
});

test('a changed policy is re-applied to the open cases that use it',
    async () => {
	const code = `pol_${tag}`;
	let r = await send('/admin/policies', '/admin/policies/rule',
	    { policy: code }, (f) => f.hidden('id') === String(ruleId));
	assert.equal(r.status, 303);
	const c = await fileComplaint({ brand });
	const id = await caseId(c.reference);
	await recompute([id]);
	const was = (await clocksOf(id)).acknowledge;
	assert.equal(was.state, 'running');
	r = await send(`/admin/policies/${code}`, '/admin/policies/save',
	    { acknowledge_n: '6' });
	assert.equal(r.status, 303);
	await recompute([id]);
	assert.equal((await clocksOf(id)).acknowledge.due, was.due,
	    'not before it is re-applied');
	r = await send(`/admin/policies/${code}`, '/admin/policies/reapply',
	    {});
	assert.equal(r.status, 200);
	assert.equal(r.doc.querySelector('#notice').text.trim(),
	    '1 open case re-applied; due times moved in 1.');
	const now = (await clocksOf(id)).acknowledge;
	assert.ok(now.due > was.due, 'three business days later');
	const v = await query(`SELECT c.sla_policy_version = p.current_version
	    AS current FROM cases c, sla_policies p
	    WHERE c.id = $1 AND p.code = $2`, [id, code]);
	assert.equal(v.rows[0].current, true);
});
