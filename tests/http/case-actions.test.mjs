// The case page offers exactly what its reader may do: for every state a case can be in (and a complainant's request for erasure, a legal hold, an erasure) and every kind of reader (the assignee, who also decided; another reviewer of the queue; a supervisor), each action whose form the page shows succeeds when that form is submitted as a browser would, and each action it leaves out is refused when forged, changing nothing.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { fileComplaint, trackAct, marker }
    from '../lib/client.mjs';
import { staffUser, act, forgeAct, casePage, offeredVerbs }
    from '../lib/staff.mjs';
import { caseByReference, query } from '../lib/db.mjs';

const VERBS = ['take', 'assign', 'release', 'triage', 'investigate', 'note',
    'message', 'request_info', 'link_duplicate', 'reject', 'decide', 'sign',
    'close', 'send_back', 'erase', 'hold', 'lift_hold'];

let a, b, sup, other;

before(async () => {
	// a works (and decides) every case; b shares its queue.
	[a, b, sup] = await Promise.all([
		staffUser({ roles: ['reviewer'], queues: ['general'],
		    name: 'Assignee' }),
		staffUser({ roles: ['reviewer'], queues: ['general'],
		    name: 'Colleague' }),
		staffUser({ roles: ['supervisor'], queues: [],
		    name: 'Supervisor' }),
	]);
	other = await fileComplaint({ category: 'privacy.notice' });
});

async function ok(user, ref, verb, fields = {}) {
	const r = await act(user, ref, verb, fields);
	assert.equal(r.status, 303, `setting up: ${verb} by ${user.login} ` +
	    `answered ${r.status}`);
}

const DECIDE = { outcome: 'not_upheld', remedies: ['none'], automated: 'no',
    text: 'We found no breach.' };

// What the form of each verb needs beyond its defaults.
const FIELDS = {
	note: () => ({ text: `A note. ${marker('N')}` }),
	message: () => ({ text: `A message. ${marker('S')}` }),
	request_info: () => ({ text: `A question. ${marker('Q')}` }),
	reject: () => ({ text: `Out of scope. ${marker('J')}` }),
	link_duplicate: () => ({ original: other.reference }),
	decide: () => DECIDE,
	send_back: () => ({ text: `Not yet. ${marker('B')}` }),
	hold: () => ({ text: `A court order requires it. ${marker('H')}` }),
};

// A fresh case in 'state', worked by a through the pages.
async function caseIn(state) {
	const c = await fileComplaint({ category: 'privacy.notice' });
	const r = c.reference;
	if (state === 'received')
		return c;
	if (state === 'erasure_requested') {
		const e = await trackAct(c.code, 'erase', 'yes', { field:
		    'confirm' });
		assert.equal(e.status, 200);
		return c;
	}
	if (state === 'held' || state === 'erased') {
		await ok(sup, r, 'reject', { text: 'Not about marketing.' });
		await ok(sup, r, 'close');
		if (state === 'held')
			await ok(sup, r, 'hold', FIELDS.hold());
		else {
			const e = await trackAct(c.code, 'erase', 'yes',
			    { field: 'confirm' });
			assert.equal(e.status, 200);
			await ok(sup, r, 'erase');
		}
		return c;
	}
	await ok(a, r, 'take');
	if (state === 'received_taken')
		return c;
	if (state === 'rejected') {
		await ok(a, r, 'reject', { text: 'Not about marketing.' });
		return c;
	}
	await ok(a, r, 'triage', { priority: state === 'decided_unsigned' ?
	    3 : 2 });
	if (state === 'triaged')
		return c;
	if (state === 'awaiting_complainant') {
		await ok(a, r, 'request_info', { text: 'Which website?' });
		return c;
	}
	await ok(a, r, 'investigate');
	if (state === 'investigating')
		return c;
	await ok(a, r, 'decide', DECIDE);
	if (state === 'decided' || state === 'decided_unsigned')
		return c;
	if (state === 'closed') {
		await ok(a, r, 'close');
		return c;
	}
	assert.equal(state, 'appealed');
	const ap = await trackAct(c.code, 'appeal', 'I disagree.');
	assert.equal(ap.status, 200);
	return c;
}

const STATES = ['received', 'received_taken', 'triaged', 'investigating',
    'awaiting_complainant', 'decided', 'decided_unsigned', 'appealed',
    'closed', 'rejected', 'erasure_requested', 'held', 'erased'];

// What every case page must offer, by state and reader; the test then
// proves each offer good and each omission refused.
const EXPECTED = {
	received: { a: ['take'], b: ['take'],
		sup: ['assign', 'hold', 'link_duplicate', 'message', 'note',
		    'reject', 'take', 'triage'] },
	received_taken: {
		a: ['link_duplicate', 'message', 'note', 'reject', 'release',
		    'triage'],
		b: [],
		sup: ['assign', 'hold', 'link_duplicate', 'message', 'note',
		    'reject', 'release', 'take', 'triage'] },
	triaged: {
		a: ['investigate', 'link_duplicate', 'message', 'note',
		    'reject', 'release', 'request_info', 'triage'],
		b: [],
		sup: ['assign', 'hold', 'investigate', 'link_duplicate',
		    'message', 'note', 'reject', 'release', 'request_info',
		    'take', 'triage'] },
	investigating: {
		a: ['decide', 'link_duplicate', 'message', 'note', 'reject',
		    'release', 'request_info', 'triage'],
		b: [],
		sup: ['assign', 'decide', 'hold', 'link_duplicate', 'message',
		    'note', 'reject', 'release', 'request_info', 'take',
		    'triage'] },
	awaiting_complainant: {
		a: ['link_duplicate', 'message', 'note', 'reject', 'release',
		    'triage'],
		b: [],
		sup: ['assign', 'hold', 'link_duplicate', 'message', 'note',
		    'reject', 'release', 'take', 'triage'] },
	decided: {
		a: ['close', 'link_duplicate', 'message', 'note', 'release'],
		b: [],
		sup: ['assign', 'close', 'hold', 'link_duplicate', 'message',
		    'note', 'release', 'take'] },
	decided_unsigned: {
		a: ['link_duplicate', 'message', 'note', 'release'],
		b: [],
		sup: ['assign', 'hold', 'link_duplicate', 'message', 'note',
		    'release', 'send_back', 'sign', 'take'] },
	// The appeal is unassigned and a, who decided, is out of it.
	appealed: {
		a: [],
		b: ['take'],
		sup: ['assign', 'decide', 'hold', 'link_duplicate', 'message',
		    'note', 'take'] },
	// A supervisor may keep a closed case from retention.
	closed: { a: [], b: [], sup: ['hold'] },
	rejected: {
		a: ['close', 'link_duplicate', 'message', 'note'],
		b: [],
		sup: ['close', 'hold', 'link_duplicate', 'message', 'note'] },
	// Unassigned: any reviewer of the queue answers the request.
	erasure_requested: { a: ['erase', 'hold', 'take'],
		b: ['erase', 'hold', 'take'],
		sup: ['assign', 'erase', 'hold', 'link_duplicate', 'message',
		    'note', 'reject', 'take', 'triage'] },
	held: { a: [], b: [], sup: ['lift_hold'] },
	erased: { a: [], b: [], sup: [] },
};

async function actionCount(ref) {
	const r = await query('SELECT (SELECT count(*) FROM case_events e ' +
	    'WHERE e.case_id = c.id)::int AS events, (SELECT count(*) FROM ' +
	    'case_messages m WHERE m.case_id = c.id)::int AS messages, ' +
	    '(SELECT count(*) FROM case_decisions d WHERE d.case_id = ' +
	    'c.id)::int AS decisions FROM cases c WHERE c.reference = $1',
	    [ref]);
	return r.rows[0];
}

for (const state of STATES) {
	test(`${state}: the page offers each reader exactly what succeeds`,
	    async () => {
		const readers = { a, b, sup };
		const probe = await caseIn(state);
		for (const [who, user] of Object.entries(readers)) {
			const { res, doc } = await casePage(user, probe.reference);
			assert.equal(res.status, 200);
			const offered = offeredVerbs(doc, probe.reference);
			assert.deepEqual(offered, [...EXPECTED[state][who]].sort(),
			    `${state}, ${who}: offered`);
			// Every action left out is refused when forged.
			for (const verb of VERBS.filter((v) =>
			    !offered.includes(v))) {
				const before = [await caseByReference(
				    probe.reference), await actionCount(
				    probe.reference)];
				const fields = { ...(FIELDS[verb]?.() ?? {}) };
				if (verb === 'triage')
					Object.assign(fields, { category:
					    'privacy.notice', priority: 2,
					    queue: 'general' });
				if (verb === 'assign')
					fields.to = b.id;
				const r = await forgeAct(user, probe.reference,
				    verb, fields);
				// (Taking one's own case or releasing an
				// unassigned one is done already: not offered,
				// and answered as done, changing nothing.)
				assert.ok([403, 409].includes(r.status) ||
				    (r.status === 303 && ['take', 'release']
				    .includes(verb)),
				    `${state}, ${who}: ${verb} not offered, ` +
				    `yet answered ${r.status}`);
				assert.deepEqual([await caseByReference(
				    probe.reference), await actionCount(
				    probe.reference)], before,
				    `${state}, ${who}: ${verb} changed the case`);
			}
			// Every action offered succeeds through its form, each
			// on a case of its own in the same state.
			for (const verb of offered) {
				const c = await caseIn(state);
				const r = await act(user, c.reference, verb,
				    FIELDS[verb]?.() ?? {});
				assert.equal(r.status, 303, `${state}, ${who}: ` +
				    `${verb} offered, yet answered ${r.status}`);
			}
		}
	});
}
