// The full journey across both sides: a complaint filed on the public side is taken, triaged, questioned, answered on /track, decided with reasons, second-signed, read by the complainant, appealed, and decided again by a different reviewer; nothing written on the way is readable in the database.
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileComplaint, postTrack, trackAct, marker }
    from '../lib/client.mjs';
import { staffUser, act, forgeAct, reviewRequest, casePage, actionForm }
    from '../lib/staff.mjs';
import { query, caseByReference, dumpText, dumpHas } from '../lib/db.mjs';

// An expected success goes through the page's form; an expected refusal
// must not be offered on the page, and is then forged.
async function expectAct(user, ref, verb, fields, status = 303) {
	if (status !== 303) {
		const { doc } = await casePage(user, ref);
		assert.equal(actionForm(doc, ref, verb), null,
		    `${verb} is offered, yet refused with ${status}`);
	}
	const res = await (status === 303 ? act : forgeAct)(user, ref, verb,
	    fields);
	assert.equal(res.status, status, `${verb}: ${res.status}`);
	if (status === 303)
		assert.equal(res.headers.get('location'), `/review/cases/${ref}`);
	return res;
}

async function state(ref) {
	return (await caseByReference(ref)).state;
}

test('a complaint goes from intake to a reasoned, appealed and re-decided case', async () => {
	const first = await staffUser({ roles: ['reviewer'], queues: ['general'] });
	const second = await staffUser({ roles: ['reviewer'], queues: ['general'] });
	const sup = await staffUser({ roles: ['supervisor'], queues: [] });
	const brand = `Journey ${marker('B')}`;
	const c = await fileComplaint({ category: 'privacy.consent', brand });
	const ref = c.reference;
	const secrets = {
		question: `When did the adverts start? ${marker('Q')}`,
		answer: `They started in May. ${marker('A')}`,
		reasons: `The consent banner was pre-ticked. ${marker('R')}`,
		grounds: `The remedy is not enough. ${marker('G')}`,
		appealReasons: `On appeal, data deletion is added. ${marker('P')}`,
		note: `Check the vendor contract. ${marker('N')}`,
	};

	// The case is on the first reviewer's work list (filtered by its
	// brand: the suite files many cases before this one).
	let res = await reviewRequest(`/review?brand=${encodeURIComponent(brand)}`,
	    { cookie: first.cookie });
	assert.match(res.text, new RegExp(ref));

	await expectAct(first, ref, 'take');
	await expectAct(first, ref, 'triage', { category: 'privacy.consent',
	    priority: 3, queue: 'general' });
	assert.equal(await state(ref), 'triaged');
	await expectAct(first, ref, 'investigate');
	await expectAct(first, ref, 'note', { text: secrets.note });
	await expectAct(first, ref, 'request_info', { text: secrets.question });
	assert.equal(await state(ref), 'awaiting_complainant');

	// The complainant sees the question and answers it on /track.
	res = await postTrack(c.code);
	assert.equal(res.status, 200);
	assert.ok(res.text.includes(secrets.question), 'question shown');
	assert.ok(!res.text.includes(secrets.note), 'notes stay internal');
	assert.match(res.text, /Waiting for you/);
	res = await trackAct(c.code, 'reply', secrets.answer);
	assert.equal(res.status, 200);
	assert.match(res.text, /Your reply has been sent/);
	assert.equal(await state(ref), 'investigating');

	// The reviewer reads the answer and decides; priority 3 needs a
	// second signature, so the complainant does not see it yet.
	res = await reviewRequest(`/review/cases/${ref}`, { cookie: first.cookie });
	assert.ok(res.text.includes(secrets.answer), 'reply shown to staff');
	await expectAct(first, ref, 'decide', { outcome: 'upheld',
	    remedies: ['consent_fixed', 'apology'], automated: 'no',
	    text: secrets.reasons });
	assert.equal(await state(ref), 'decided');
	res = await postTrack(c.code);
	assert.ok(!res.text.includes(secrets.reasons), 'unsigned decision hidden');
	assert.match(res.text, /Under investigation/);
	// The decider cannot sign their own decision, nor can they close it.
	await expectAct(first, ref, 'sign', {}, 403);
	await expectAct(first, ref, 'close', {}, 409);
	await expectAct(sup, ref, 'sign');

	res = await postTrack(c.code);
	assert.ok(res.text.includes(secrets.reasons), 'signed decision shown');
	assert.match(res.text, /Upheld/);
	assert.match(res.text, /consent process was fixed/);
	assert.ok(res.doc.querySelector('form[action="/track/appeal"]'));

	// The complainant appeals; the first reviewer is now excluded.
	res = await trackAct(c.code, 'appeal', secrets.grounds);
	assert.equal(res.status, 200);
	assert.match(res.text, /Your appeal has been sent/);
	assert.equal(await state(ref), 'appealed');
	const row = await caseByReference(ref);
	assert.equal(Number(row.appeal_excluded), first.id);
	assert.equal(row.assignee, null);
	await expectAct(first, ref, 'take', {}, 409);

	await expectAct(second, ref, 'take');
	res = await reviewRequest(`/review/cases/${ref}`, { cookie: second.cookie });
	assert.ok(res.text.includes(secrets.grounds), 'grounds shown to staff');
	await expectAct(second, ref, 'decide', { outcome: 'partly_upheld',
	    remedies: ['consent_fixed', 'data_deleted'], automated: 'no',
	    text: secrets.appealReasons });
	res = await postTrack(c.code);
	assert.ok(!res.text.includes(secrets.appealReasons),
	    'appeal decision waits for its signature');
	await expectAct(sup, ref, 'sign');
	res = await postTrack(c.code);
	assert.ok(res.text.includes(secrets.appealReasons));
	assert.match(res.text, /The decision on your appeal/);
	assert.ok(!res.doc.querySelector('form[action="/track/appeal"]'),
	    'no second appeal');
	await expectAct(second, ref, 'close');
	assert.equal(await state(ref), 'closed');

	// Two decisions by different reviewers, both signed by the supervisor.
	const d = await query('SELECT decided_by, signed_by, on_appeal FROM ' +
	    'case_decisions WHERE case_id = $1 ORDER BY id', [row.id]);
	assert.deepEqual(d.rows.map((x) => [Number(x.decided_by),
	    Number(x.signed_by), x.on_appeal]), [[first.id, sup.id, false],
	    [second.id, sup.id, true]]);

	// Nothing written on the way is in the database as text.
	const dump = await dumpText();
	for (const [name, s] of Object.entries(secrets))
		assert.ok(!dumpHas(dump.text, s), `${name} stored in clear`);

	// The timeline the complainant sees.
	res = await postTrack(c.code);
	const items = res.doc.querySelectorAll('ol.timeline li').map((li) =>
	    li.text.replace(/^\S+\s/, ''));
	assert.deepEqual(items, ['We received your report.',
	    'A reviewer assessed your report.',
	    'A reviewer started looking into what happened.',
	    'A reviewer asked you a question.', 'You replied.',
	    'A decision was made.', 'You appealed against the decision.',
	    'A decision was made.', 'The report was closed.']);
});
