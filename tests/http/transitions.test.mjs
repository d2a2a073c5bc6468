// Every case action at the HTTP layer from every state: each is offered on the case page and succeeds (through that form) exactly where PRODUCT.md's state machine allows it, moving the case to the expected state; everywhere else the page does not offer it and a forged post is refused with 409 and no change; the complainant's reply and appeal on /track likewise.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { fileComplaint, trackAct, trackOffers, trackForged }
    from '../lib/client.mjs';
import { staffUser, act, forgeAct, casePage, actionForm }
    from '../lib/staff.mjs';
import { caseByReference, query } from '../lib/db.mjs';

// sup works every case; signer second-signs and, since an appeal goes to
// someone other than the first decider, decides appeals; third signs those.
let sup, signer, third;

before(async () => {
	sup = await staffUser({ roles: ['supervisor'], queues: [] });
	signer = await staffUser({ roles: ['supervisor'], queues: [] });
	third = await staffUser({ roles: ['supervisor'], queues: [] });
});

async function ok(user, ref, verb, fields = {}) {
	const r = await act(user, ref, verb, fields);
	assert.equal(r.status, 303, `setting up: ${verb} answered ${r.status}`);
}

// The complainant's reply or appeal: through the form when the report's
// page offers it, otherwise forged by hand (which must then be refused).
async function trackPost(verb, code, text) {
	if (await trackOffers(code, verb))
		return { offered: true, ...await trackAct(code, verb, text) };
	return { offered: false, ...await trackForged(code, verb, text) };
}

const DECIDE = { outcome: 'not_upheld', remedies: ['none'], automated: 'no',
    text: 'We found no breach.' };

// A fresh case in the named state, reached through the pages only.
async function caseIn(state) {
	const c = await fileComplaint({ category: 'privacy.notice' });
	const r = c.reference;
	if (state === 'received')
		return c;
	if (state === 'rejected') {
		await ok(sup, r, 'reject', { text: 'Not about marketing.' });
		return c;
	}
	await ok(sup, r, 'triage', { category: 'privacy.notice',
	    priority: state === 'decided_unsigned' ? 3 : 2, queue: 'general' });
	if (state === 'triaged')
		return c;
	if (state === 'awaiting_complainant') {
		await ok(sup, r, 'request_info', { text: 'Which website?' });
		return c;
	}
	await ok(sup, r, 'investigate');
	if (state === 'investigating')
		return c;
	await ok(sup, r, 'decide', DECIDE);
	if (state === 'decided' || state === 'decided_unsigned')
		return c;
	if (state === 'closed') {
		await ok(sup, r, 'close');
		return c;
	}
	assert.equal(state, 'appealed');
	const a = await trackAct(c.code, 'appeal', 'I disagree.');
	assert.equal(a.status, 200);
	return c;
}

const STATES = ['received', 'triaged', 'investigating',
    'awaiting_complainant', 'decided', 'decided_unsigned', 'appealed',
    'closed', 'rejected'];

// verb → { from-state: state after }; every other state must give 409.
// (decided_unsigned is 'decided' with a decision awaiting its signature.)
const ALLOWED = {
	triage: { received: 'triaged', triaged: 'triaged',
	    investigating: 'investigating',
	    awaiting_complainant: 'awaiting_complainant' },
	investigate: { triaged: 'investigating' },
	request_info: { triaged: 'awaiting_complainant',
	    investigating: 'awaiting_complainant' },
	reject: { received: 'rejected', triaged: 'rejected',
	    investigating: 'rejected', awaiting_complainant: 'rejected' },
	decide: { investigating: 'decided', appealed: 'decided' },
	sign: { decided_unsigned: 'decided' },
	close: { decided: 'closed', rejected: 'closed' },
};

const FIELDS = {
	triage: { category: 'privacy.notice', priority: 2, queue: 'general' },
	request_info: { text: 'One more question.' },
	reject: { text: 'Out of scope.' },
	decide: DECIDE,
};

const dbState = (s) => s === 'decided_unsigned' ? 'decided' : s;

for (const [verb, allowed] of Object.entries(ALLOWED)) {
	test(`${verb}: allowed from ${Object.keys(allowed).join(', ')} ` +
	    'and refused from every other state', async () => {
		for (const from of STATES) {
			const c = await caseIn(from);
			const before = await caseByReference(c.reference);
			assert.equal(before.state, dbState(from), `set-up ${from}`);
			const user = verb === 'sign' ||
			    (verb === 'decide' && from === 'appealed') ? signer :
			    sup;
			const { doc } = await casePage(user, c.reference);
			const offered = actionForm(doc, c.reference, verb) !== null;
			assert.equal(offered, from in allowed,
			    `${verb} from ${from}: offered ${offered}`);
			const r = await (offered ? act : forgeAct)(user,
			    c.reference, verb, FIELDS[verb] ?? {});
			const after = await caseByReference(c.reference);
			if (from in allowed) {
				assert.equal(r.status, 303,
				    `${verb} from ${from}: ${r.status}`);
				assert.equal(after.state, allowed[from],
				    `${verb} from ${from}`);
			} else {
				assert.equal(r.status, 409,
				    `${verb} from ${from} should be refused`);
				assert.match(r.text, /Nothing was changed/);
				assert.deepEqual(after, before,
				    `${verb} from ${from} changed the case`);
			}
		}
	});
}

test('the complainant replies from any open state; an awaited reply ' +
    'resumes the investigation; closed and rejected cases take none',
    async () => {
	const expect = { received: 'received', triaged: 'triaged',
	    investigating: 'investigating',
	    awaiting_complainant: 'investigating', decided: 'decided',
	    appealed: 'appealed' };
	for (const from of STATES) {
		const c = await caseIn(from);
		const r = await trackPost('reply', c.code, 'More detail.');
		const after = await caseByReference(c.reference);
		if (from in expect) {
			assert.ok(r.offered, `reply form in ${from}`);
			assert.equal(r.status, 200, `reply in ${from}`);
			assert.equal(after.state, expect[from], `reply in ${from}`);
		} else if (from === 'decided_unsigned') {
			assert.ok(r.offered);
			assert.equal(r.status, 200);
			assert.equal(after.state, 'decided');
		} else {
			assert.ok(!r.offered, `reply form in ${from}`);
			// The form is not offered; a forged post is refused.
			assert.equal(r.status, 409, `reply in ${from}`);
			assert.equal(after.state, from);
		}
	}
});

test('the complainant appeals only a published first decision, also once ' +
    'the case is closed', async () => {
	for (const from of STATES) {
		const c = await caseIn(from);
		const r = await trackPost('appeal', c.code, 'I disagree.');
		const after = await caseByReference(c.reference);
		if (from === 'decided' || from === 'closed') {
			assert.ok(r.offered, `appeal form in ${from}`);
			assert.equal(r.status, 200, `appeal in ${from}`);
			assert.equal(after.state, 'appealed');
		} else {
			assert.ok(!r.offered, `appeal form in ${from}`);
			assert.equal(r.status, 409, `appeal in ${from}`);
			assert.equal(after.state, dbState(from));
		}
	}
	// An appeal decision cannot be appealed again.
	const c = await caseIn('appealed');
	await ok(signer, c.reference, 'decide', DECIDE);
	await ok(third, c.reference, 'sign');
	const r = await trackPost('appeal', c.code, 'Again.');
	assert.ok(!r.offered);
	assert.equal(r.status, 409);
	assert.equal((await caseByReference(c.reference)).state, 'decided');
	const n = await query('SELECT count(*)::int AS n FROM case_appeals a ' +
	    'JOIN cases c ON c.id = a.case_id WHERE c.reference = $1',
	    [c.reference]);
	assert.equal(n.rows[0].n, 1);
});

test('a reviewer cannot lower a high priority (and so skip the second ' +
    'signature); a supervisor can', async () => {
	const reviewer = await staffUser({ roles: ['reviewer'],
	    queues: ['general'] });
	const c = await fileComplaint({ category: 'privacy.notice' });
	await ok(reviewer, c.reference, 'take');
	await ok(reviewer, c.reference, 'triage', { category: 'privacy.notice',
	    priority: 4, queue: 'general' });
	await ok(reviewer, c.reference, 'investigate');
	const before = await caseByReference(c.reference);
	// The form offers only 3 and 4; a forged 1 is refused.
	const { doc } = await casePage(reviewer, c.reference);
	assert.deepEqual(actionForm(doc, c.reference, 'triage').controls
	    .get('priority').values.sort(), ['3', '4']);
	const r = await forgeAct(reviewer, c.reference, 'triage', {
	    category: 'privacy.notice', priority: 1, queue: 'general' });
	assert.equal(r.status, 403);
	assert.deepEqual(await caseByReference(c.reference), before);
	// Raising stays open to the reviewer; the decision needs a signature.
	await ok(reviewer, c.reference, 'triage', { category: 'privacy.notice',
	    priority: 3, queue: 'general' });
	await ok(reviewer, c.reference, 'decide', DECIDE);
	const d = await query('SELECT needs_signature, released_at FROM ' +
	    'case_decisions d JOIN cases c ON c.id = d.case_id WHERE ' +
	    'c.reference = $1', [c.reference]);
	assert.equal(d.rows[0].needs_signature, true);
	assert.equal(d.rows[0].released_at, null);
	const c2 = await fileComplaint({ category: 'privacy.notice' });
	await ok(sup, c2.reference, 'triage', { category: 'privacy.notice',
	    priority: 4, queue: 'general' });
	await ok(sup, c2.reference, 'triage', { category: 'privacy.notice',
	    priority: 1, queue: 'general' });
	assert.equal((await caseByReference(c2.reference)).priority, 1);
});
