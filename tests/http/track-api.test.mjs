// POST /api/v1/track answers everything the tracking page shows, opened with the same code: messages, published decisions, appeals, what was sent, the consents as they stand and what the complainant may do now; the API and the page agree after every step, whichever of them the complainant acted through.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { staffUser, act } from '../lib/staff.mjs';
import { formsOf } from '../lib/pageform.mjs';

let decider, signer;

before(async () => {
	decider = await staffUser({ roles: ['supervisor'], queues: [] });
	signer = await staffUser({ roles: ['supervisor'], queues: [] });
});

async function ok(user, ref, verb, fields = {}) {
	const r = await act(user, ref, verb, fields);
	assert.equal(r.status, 303, `setting up: ${verb} answered ${r.status}`);
}

// The page and the API for one code, from one client.
async function both(code) {
	const ip = c.randomIp();
	const page = await c.postTrack(code, { ip });
	assert.equal(page.status, 200);
	const api = await c.apiTrack(code, { ip });
	assert.equal(api.status, 200, api.text);
	return { page, j: api.json };
}

function agree({ page, j }, label) {
	const texts = (sel) => page.doc.querySelectorAll(sel)
	    .map((e) => e.text);
	assert.deepEqual([...j.messages, ...j.appeals].map((m) => m.text),
	    texts('article.message .prose'), `${label}: messages and appeals`);
	assert.deepEqual(j.decisions.map((d) => d.text),
	    texts('section.decision .prose'), `${label}: decisions`);
	assert.equal(j.can_reply, page.doc.querySelector(
	    'form[action="/track/reply"]') !== null, `${label}: can_reply`);
	assert.equal(j.can_appeal, page.doc.querySelector(
	    'form[action="/track/appeal"]') !== null, `${label}: can_appeal`);
	const offered = page.doc.querySelectorAll(
	    'form[action="/track/withdraw"] input[name="consent"]')
	    .map((e) => e.getAttribute('value')).sort();
	assert.deepEqual(Object.keys(j.consents).filter((k) => j.consents[k])
	    .sort(), offered, `${label}: consents`);
	assert.equal(j.sent.description,
	    page.doc.querySelector('#description').text, `${label}: sent`);
	for (const x of [...j.messages, ...j.decisions, ...j.appeals])
		assert.match(x.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
}

test('the API and the page agree on a case through a message, a reply, a ' +
    'decision, an appeal and a withdrawn consent', async () => {
	const why = 'Because you looked at running shoes.';
	const f = await c.fileComplaint({ contact_email: 'runner@example.org',
	    consent_contact: true, consent_publish: true,
	    targeting_reasons: ['interests_or_browsing'], ai_disclosed: 'yes',
	    why_shown: why });
	const r = f.reference;
	let s = await both(f.code);
	agree(s, 'filed');
	assert.deepEqual(s.j.messages, []);
	assert.deepEqual(s.j.consents, { contact: true, publish: true,
	    demographics: false });
	assert.equal(s.j.sent.why_shown, why);
	assert.deepEqual(s.j.sent.targeting_reasons,
	    ['My interests or what I browsed']);
	assert.equal(s.j.sent.ai_disclosed, 'yes');
	assert.deepEqual(s.j.sent.contact, { email: 'runner@example.org' });

	const question = `Which shop was it? ${c.marker('Q')}`;
	await ok(decider, r, 'message', { text: question });
	const reply = `It was Stride Shoes. ${c.marker('R')}`;
	assert.equal((await c.trackAct(f.code, 'reply', reply)).status, 200);
	s = await both(f.code);
	agree(s, 'replied');
	assert.deepEqual(s.j.messages.map((m) => [m.kind, m.text]), [
	    ['to_complainant', question], ['from_complainant', reply]]);

	await ok(decider, r, 'triage', { category: 'privacy.notice',
	    priority: 3, queue: 'general' });
	await ok(decider, r, 'investigate');
	const reasons = `The advertiser disclosed the targeting. ${c.marker('D')}`;
	await ok(decider, r, 'decide', { outcome: 'not_upheld',
	    remedies: ['none'], automated: 'no', text: reasons });
	s = await both(f.code);
	agree(s, 'decided, unsigned');
	assert.deepEqual(s.j.decisions, [], 'an unsigned decision shows');
	await ok(signer, r, 'sign');
	s = await both(f.code);
	agree(s, 'published');
	assert.equal(s.j.decisions.length, 1);
	assert.equal(s.j.decisions[0].text, reasons);
	assert.equal(s.j.decisions[0].automated, false);
	assert.equal(s.j.can_appeal, true);
	assert.match(s.j.appeal_until, /^\d{4}-\d\d-\d\d$/);

	const grounds = `They never said so. ${c.marker('A')}`;
	assert.equal((await c.trackAct(f.code, 'appeal', grounds)).status,
	    200);
	s = await both(f.code);
	agree(s, 'appealed');
	assert.deepEqual(s.j.appeals.map((a) => a.text), [grounds]);
	assert.equal(s.j.can_appeal, false);

	const ip = c.randomIp();
	const w = await c.postTrack(f.code, { ip });
	const res = await formsOf(w.doc, w.url).find((x) =>
	    x.action === '/track/withdraw' && x.hidden('consent') === 'publish')
	    .submit({ ip });
	assert.equal(res.status, 200);
	s = await both(f.code);
	agree(s, 'publication withdrawn');
	assert.deepEqual(s.j.consents, { contact: true, publish: false,
	    demographics: false });
});

test('a reply, an appeal and a withdrawn consent sent through the API ' +
    'answer the case as it is after, and the page shows them', async () => {
	const f = await c.fileComplaint({ contact_email: 'api@example.org',
	    consent_contact: true });
	const r = f.reference;
	const question = `Where did you see it? ${c.marker('Q')}`;
	await ok(decider, r, 'message', { text: question });
	const reply = `In a game, twice. ${c.marker('R')}`;
	let res = await c.apiTrackAct(f.code, 'reply', reply);
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json.messages.map((m) => [m.kind, m.text]), [
	    ['to_complainant', question], ['from_complainant', reply]]);
	let s = await both(f.code);
	agree(s, 'replied through the API');
	assert.deepEqual(s.j, { ...res.json, events: s.j.events,
	    updated_at: s.j.updated_at }, 'the act answers what a lookup does');

	await ok(decider, r, 'triage', { category: 'privacy.notice',
	    priority: 3, queue: 'general' });
	await ok(decider, r, 'investigate');
	await ok(decider, r, 'decide', { outcome: 'upheld',
	    remedies: ['apology'], automated: 'no', text: 'Upheld in part.' });
	await ok(signer, r, 'sign');
	const grounds = `An apology is not enough. ${c.marker('A')}`;
	res = await c.apiTrackAct(f.code, 'appeal', grounds);
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.status, 'appealed');
	assert.equal(res.json.can_appeal, false);
	s = await both(f.code);
	agree(s, 'appealed through the API');
	assert.deepEqual(s.j.appeals.map((a) => a.text), [grounds]);

	res = await c.apiTrackAct(f.code, 'withdraw', 'contact');
	assert.equal(res.status, 200, res.text);
	s = await both(f.code);
	agree(s, 'contact withdrawn through the API');
	assert.equal(s.j.consents.contact, false);
	assert.equal(res.json.events.at(-1).kind, 'consent_withdrawn');
	assert.equal(s.page.doc.querySelectorAll('ol.timeline li').at(-1)
	    .text.endsWith(res.json.events.at(-1).label), true,
	    'the timeline on the page ends with the withdrawal');
});
