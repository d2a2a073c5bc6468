// A supervisor who will not sign a decision sends it back through the case page's own form: with a reason (an empty one is refused next to its field), audited, the case back to investigating (an appeal's to appealed), the decision kept but marked and never released, and no trace of it for the complainant; reviewers and the decider cannot.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { fileComplaint, trackAct, postTrack, apiTrack, marker }
    from '../lib/client.mjs';
import { staffUser, act, forgeAct, casePage, offeredVerbs }
    from '../lib/staff.mjs';
import { caseByReference, query, dumpText, dumpHas } from '../lib/db.mjs';
import { parseHtml } from '../lib/html.mjs';
import { caseId, recompute } from '../lib/sla.mjs';

let a, b, sup, sup2;

before(async () => {
	[a, b, sup, sup2] = await Promise.all([
		staffUser({ roles: ['reviewer'], queues: ['general'],
		    name: 'Decider' }),
		staffUser({ roles: ['reviewer'], queues: ['general'],
		    name: 'Appeal Reviewer' }),
		staffUser({ roles: ['supervisor'], queues: [],
		    name: 'Signing Supervisor' }),
		staffUser({ roles: ['supervisor'], queues: [],
		    name: 'Deciding Supervisor' }),
	]);
});

async function ok(user, ref, verb, fields = {}) {
	const r = await act(user, ref, verb, fields);
	assert.equal(r.status, 303, `${verb} by ${user.login}: ${r.status}`);
}

function decision(text) {
	return { outcome: 'upheld', remedies: ['apology'], automated: 'no',
	    text };
}

// A case of high priority (so its decision waits for a signature),
// decided by 'who' with reasons holding a marker.
async function decidedUnsigned(who = a) {
	const c = await fileComplaint({ category: 'privacy.notice' });
	await ok(who, c.reference, 'take');
	await ok(who, c.reference, 'triage', { priority: 3 });
	await ok(who, c.reference, 'investigate');
	// The answer before the decision, once the scheduler has computed
	// the clocks that its "next" line reads.
	await recompute([await caseId(c.reference)]);
	c.before = await apiTrack(c.code);
	c.reasons = `Draft reasons ${marker('D')}`;
	await ok(who, c.reference, 'decide', decision(c.reasons));
	return c;
}

async function snapshot(ref) {
	const r = await query('SELECT c.state, (SELECT count(*) FROM ' +
	    'case_events e WHERE e.case_id = c.id)::int AS events, (SELECT ' +
	    'count(*) FROM case_messages m WHERE m.case_id = c.id)::int AS ' +
	    'messages, (SELECT array_agg(d.sent_back_at IS NOT NULL ORDER BY ' +
	    'd.id) FROM case_decisions d WHERE d.case_id = c.id) AS sent ' +
	    'FROM cases c WHERE c.reference = $1', [ref]);
	return r.rows[0];
}

test('sent back through the form: audited, kept, never shown to the ' +
    'complainant; decided again, signed, closed', async () => {
	const c = await decidedUnsigned();
	const ref = c.reference;
	const page = await casePage(sup, ref);
	assert.ok(offeredVerbs(page.doc, ref).includes('send_back'));
	assert.ok(offeredVerbs(page.doc, ref).includes('sign'));

	const reason = `Not proven yet ${marker('R')}`;
	const r = await act(sup, ref, 'send_back', { text: reason });
	assert.equal(r.status, 303);
	assert.equal(r.headers.get('location'), `/review/cases/${ref}`);

	const row = await caseByReference(ref);
	assert.equal(row.state, 'investigating');
	const d = (await query('SELECT * FROM case_decisions WHERE case_id = ' +
	    '$1', [row.id])).rows;
	assert.equal(d.length, 1, 'the decision is kept');
	assert.ok(d[0].sent_back_at instanceof Date);
	assert.equal(Number(d[0].sent_back_by), sup.id);
	assert.equal(d[0].released_at, null);
	const ev = (await query('SELECT * FROM case_events WHERE ' +
	    "case_id = $1 AND kind = 'sent_back'", [row.id])).rows;
	assert.equal(ev.length, 1);
	assert.equal(ev[0].visible_to_complainant, false);
	assert.equal(ev[0].actor, `staff:${sup.id}`);
	assert.equal(ev[0].detail.decision, Number(d[0].id));
	const audit = (await query('SELECT * FROM audit_events WHERE ' +
	    "action = 'case.sent_back' AND object = $1", [`case:${ref}`]))
	    .rows;
	assert.equal(audit.length, 1);
	assert.equal(audit[0].actor, `staff:${sup.id}`);
	// The reason is a note, encrypted like every note.
	const note = (await query('SELECT * FROM case_messages WHERE id = $1',
	    [ev[0].detail.message])).rows[0];
	assert.equal(note.kind, 'note');
	assert.equal(note.complainant_box, null);
	const dump = (await dumpText()).text;
	assert.ok(!dumpHas(dump, reason), 'the reason is stored in clear');

	// Staff read the reason and see the decision marked.
	const after = await casePage(sup, ref);
	assert.ok(after.res.text.includes(reason));
	assert.match(after.doc.querySelector('article.decision').text,
	    /sent back/);
	assert.ok(!offeredVerbs(after.doc, ref).includes('sign'));

	// The complainant: the same answer as before the decision, and no
	// word of the draft or the reason on the page.
	assert.deepEqual((await apiTrack(c.code)).json, c.before.json);
	const track = await postTrack(c.code);
	assert.equal(track.status, 200);
	for (const secret of [c.reasons, reason, 'sent_back', 'sent back',
	    'Upheld'])
		assert.ok(!track.text.includes(secret),
		    `/track shows ${secret}`);

	// The reviewer decides again; the new decision is signed, released
	// alone, and the case closes.
	const final = `Final reasons ${marker('F')}`;
	await ok(a, ref, 'decide', decision(final));
	await ok(sup, ref, 'sign');
	const shown = await postTrack(c.code);
	assert.ok(shown.text.includes(final));
	assert.ok(!shown.text.includes(c.reasons), 'the draft is shown');
	assert.ok(!shown.text.includes(reason), 'the reason is shown');
	await ok(a, ref, 'close');
	assert.equal((await caseByReference(ref)).state, 'closed');
});

test('an empty reason: the error next to the field, nothing changed',
    async () => {
	const c = await decidedUnsigned();
	const was = await snapshot(c.reference);
	const r = await act(sup, c.reference, 'send_back', { text: '  ' });
	assert.equal(r.status, 422);
	const doc = parseHtml(r.text);
	const err = doc.querySelector('#f-send_back-text-error');
	assert.ok(err, 'no error at the reason field');
	assert.match(err.text, /why you send the decision back/);
	assert.equal(doc.querySelector('#f-send_back-text')
	    .getAttribute('aria-invalid'), 'true');
	assert.deepEqual(await snapshot(c.reference), was);
});

test('a reviewer cannot, nor the supervisor who decided', async () => {
	const c = await decidedUnsigned();
	for (const user of [a, b]) {
		const { doc } = await casePage(user, c.reference);
		assert.ok(!offeredVerbs(doc, c.reference)
		    .includes('send_back'));
	}
	const was = await snapshot(c.reference);
	const r = await forgeAct(a, c.reference, 'send_back',
	    { text: 'Mine to withdraw' });
	assert.equal(r.status, 403);
	assert.deepEqual(await snapshot(c.reference), was);

	const own = await decidedUnsigned(sup2);
	const { doc } = await casePage(sup2, own.reference);
	assert.ok(!offeredVerbs(doc, own.reference).includes('send_back'));
	const was2 = await snapshot(own.reference);
	const r2 = await forgeAct(sup2, own.reference, 'send_back',
	    { text: 'My own draft' });
	assert.equal(r2.status, 409);
	assert.deepEqual(await snapshot(own.reference), was2);
	// Another supervisor may.
	await ok(sup, own.reference, 'send_back', { text: 'Needs work' });
});

test('an appeal decision sent back: the appeal again, no trace on /track',
    async () => {
	const c = await fileComplaint({ category: 'privacy.notice' });
	const ref = c.reference;
	await ok(a, ref, 'take');
	await ok(a, ref, 'triage', { priority: 2 });
	await ok(a, ref, 'investigate');
	await ok(a, ref, 'decide', decision('First decision.'));
	assert.equal((await trackAct(c.code, 'appeal', 'I disagree.')).status,
	    200);
	await ok(b, ref, 'take');
	await recompute([await caseId(ref)]);
	const before = await apiTrack(c.code);
	await ok(b, ref, 'decide', decision(`Appeal draft ${marker('A')}`));
	await ok(sup, ref, 'send_back', { text: 'Look again.' });
	assert.equal((await caseByReference(ref)).state, 'appealed');
	assert.deepEqual((await apiTrack(c.code)).json, before.json);
	// b decides the appeal again.
	const { doc } = await casePage(b, ref);
	assert.ok(offeredVerbs(doc, ref).includes('decide'));
});
