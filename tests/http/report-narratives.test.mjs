// Consented narratives, through the forms the pages render: only a complainant who consented has an account to draft, only the case's reviewer drafts it, the scrubber's flags (e-mail, phone, the name they gave) are marked on the case page, the drafter cannot approve, an approval needs every flag checked and names the draft it read; a report holds the approved text only (never the original), a draft report holding an account whose consent is withdrawn cannot be published, and a published one is owed a correction that leaves the account out while the version before keeps it.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileComplaint, postTrack, randomIp, marker, BASE }
    from '../lib/client.mjs';
import { staffUser, act, forgeAct, casePage, offeredVerbs, reviewRequest,
    REVIEW } from '../lib/staff.mjs';
import { formsOf } from '../lib/pageform.mjs';
import { parseHtml } from '../lib/html.mjs';
import { query } from '../lib/db.mjs';
import { startReporter, built, publishReport } from '../lib/reporter.mjs';

// Narratives belong to the quarter they are approved in: this one.
const QUARTER = (() => {
	const d = new Date();
	return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
})();

let reporter, a, b, sup1, sup2;

before(async () => {
	[a, b, sup1, sup2] = await Promise.all([
		staffUser({ roles: ['reviewer'], queues: ['general'],
		    name: 'Drafting Reviewer' }),
		staffUser({ roles: ['reviewer'], queues: ['general'],
		    name: 'Approving Reviewer' }),
		staffUser({ roles: ['supervisor'], queues: [] }),
		staffUser({ roles: ['supervisor'], queues: [] }),
	]);
	reporter = startReporter();
});

after(async () => {
	await reporter?.stop();
});

// A random tag of letters, which the scrubber never flags.
const letters = () => [...randomBytes(12)]
    .map((x) => String.fromCharCode(97 + x % 26)).join('');

const CATEGORY_TWO = 'privacy.notice';
// The name given is looked for while the complainant consents to contact.
const CONSENT = { consent_publish: 'yes', consent_contact: 'yes',
    contact_name: 'Jane Quill', contact_email: 'jane.quill@example.org' };

// A complaint filed through the public form, taken by reviewer a.
async function consenting(over = {}) {
	const c = await fileComplaint({ ...CONSENT, ...over });
	assert.ok(c.reference, 'filed');
	assert.equal((await act(a, c.reference, 'take')).status, 303);
	return c;
}

// The case page's form for 'verb' as a PageForm, or undefined.
async function caseForm(user, ref, verb) {
	const { doc } = await casePage(user, ref);
	return formsOf(doc, `${REVIEW}/review/cases/${ref}`).find((f) =>
	    f.action === `/review/cases/${ref}/${verb}`);
}

async function draft(ref, text) {
	const f = await caseForm(a, ref, 'narrative');
	assert.ok(f, 'the drafting form is offered');
	const res = await f.set('text', text).submit({ cookie: a.cookie });
	assert.equal(res.status, 303, res.text.slice(0, 400));
}

async function approve(user, ref, { checked } = {}) {
	const f = await caseForm(user, ref, 'approve_narrative');
	assert.ok(f, 'the approval form is offered');
	// "Every flag checked", when the draft has flags to check.
	if (checked !== undefined && f.names().includes('checked'))
		f.set('checked', checked);
	return f.submit({ cookie: user.cookie });
}

async function withdrawPublication(code) {
	const ip = randomIp();
	const w = await postTrack(code, { ip });
	const f = formsOf(w.doc, w.url).find((x) =>
	    x.action === '/track/withdraw' && x.hidden('consent') === 'publish');
	assert.ok(f, 'the tracking page offers the withdrawal');
	assert.equal((await f.submit({ ip })).status, 200);
}

async function narrativeRow(ref) {
	return (await query(`SELECT n.* FROM case_narratives n JOIN cases c
	    ON c.id = n.case_id WHERE c.reference = $1`, [ref])).rows[0];
}

async function reportsPage(user, path) {
	const res = await reviewRequest(path, { cookie: user.cookie });
	return { status: res.status, doc: parseHtml(res.text),
	    url: REVIEW + path };
}

// Asks for a draft through the reports page; returns its path and files.
async function askDraft(user) {
	const p = await reportsPage(user, '/review/reports');
	const ask = formsOf(p.doc, p.url).find((f) =>
	    f.action === '/review/reports');
	const published = (await query(`SELECT count(*)::int AS n FROM reports
	    WHERE quarter = $1 AND state = 'published'`, [QUARTER])).rows[0].n;
	ask.set('quarter', QUARTER);
	if (published > 0)
		ask.set('note', 'A test builds it again.');
	const res = await ask.submit({ cookie: user.cookie });
	assert.equal(res.status, 303, res.text.slice(0, 300));
	const at = res.headers.get('location');
	const id = at.split('/').pop();
	assert.equal((await built(id)).state, 'draft');
	const file = async (name) => (await reviewRequest(`${at}/files/${name}`,
	    { cookie: user.cookie })).text;
	return { at, id, json: JSON.parse(await file('report.json')),
	    html: await file('report.html'), file };
}

async function step(user, at, name) {
	const p = await reportsPage(user, at);
	const f = formsOf(p.doc, p.url).find((x) => x.action === `${at}/${name}`);
	assert.ok(f, `${name} is offered`);
	return f.submit({ cookie: user.cookie });
}

test('no consent, no account to draft; only the case\'s reviewer drafts',
    async () => {
	const none = await fileComplaint({ contact_name: 'Jane Quill' });
	assert.equal((await act(a, none.reference, 'take')).status, 303);
	let { doc } = await casePage(a, none.reference);
	assert.ok(!offeredVerbs(doc, none.reference).includes('narrative'));
	assert.equal(doc.querySelector('#narrative'), null);
	const res = await forgeAct(a, none.reference, 'narrative',
	    { text: 'Published without consent.' });
	assert.equal(res.status, 409);
	assert.match(res.text, /not consented to publishing/);
	assert.equal(await narrativeRow(none.reference), undefined);

	const c = await consenting();
	({ doc } = await casePage(b, c.reference));
	assert.ok(!offeredVerbs(doc, c.reference).includes('narrative'),
	    'not offered to another reviewer');
	assert.equal((await forgeAct(b, c.reference, 'narrative',
	    { text: 'Not my case.' })).status, 409);
	assert.equal(await narrativeRow(c.reference), undefined);
});

test('the scrubber\'s flags are marked; the drafter cannot approve; an ' +
    'approval needs every flag checked and names the draft it read',
    async () => {
	const email = `quill.${Date.now()}@example.org`;
	const c = await consenting({ description: `Jane Quill here. Mail me ` +
	    `at ${email} or call 07700 900123. The advert knew I was ` +
	    `pregnant before my family did. ${marker('N')}` });
	// The form starts from what the complainant wrote.
	let f = await caseForm(a, c.reference, 'narrative');
	assert.match(f.values.get('text')[0], new RegExp(email.replace(/\./g,
	    '\\.')));
	await draft(c.reference, f.values.get('text')[0]);

	let { doc } = await casePage(a, c.reference);
	const kinds = doc.querySelectorAll('#narrative ul.flags li')
	    .map((li) => li.text);
	assert.ok(kinds.some((k) => k.startsWith('e-mail address') &&
	    k.includes(email)), kinds.join(' | '));
	assert.ok(kinds.some((k) => k.startsWith('phone number')), kinds);
	assert.ok(kinds.some((k) => k.startsWith('a name from the case') &&
	    k.includes('Jane Quill')), kinds);
	assert.ok(doc.querySelectorAll('#narrative-text mark').length >= 3);
	// Stored sealed: the flags hold offsets, never the text.
	const row = await narrativeRow(c.reference);
	assert.equal(row.draft, 1);
	assert.ok(!row.box.toString('latin1').includes(email));
	assert.ok(!JSON.stringify(row.flags).includes('Quill'));

	// The drafter is offered no approval and is refused one forged.
	assert.ok(!offeredVerbs(doc, c.reference).includes(
	    'approve_narrative'));
	let res = await forgeAct(a, c.reference, 'approve_narrative',
	    { draft: '1', checked: 'yes' });
	assert.equal(res.status, 409);
	assert.match(res.text, /someone else must approve/);

	// Another reviewer: the flags must be checked, next to the box.
	res = await approve(b, c.reference);
	assert.equal(res.status, 422);
	doc = parseHtml(res.text);
	assert.match(doc.querySelector('#f-approve_narrative-checked-error')
	    .text, /checked every flagged passage/);
	assert.equal((await narrativeRow(c.reference)).approved_at, null);

	// b reads draft 1; a redrafts meanwhile: b's approval is stale.
	const stale = await caseForm(b, c.reference, 'approve_narrative');
	// Letters only: a marker's digits would be flagged as a long number.
	const redacted = 'The advert knew I was pregnant before my family ' +
	    `did. I had told no one. ${letters()}`;
	await draft(c.reference, redacted);
	res = await stale.set('checked', true).submit({ cookie: b.cookie });
	assert.equal(res.status, 409);
	assert.match(res.text, /draft changed since you opened/);

	// Draft 2 has no flags: no box to tick, and the approval holds.
	f = await caseForm(b, c.reference, 'approve_narrative');
	assert.equal(f.hidden('draft'), '2');
	assert.ok(!f.names().includes('checked'));
	res = await f.submit({ cookie: b.cookie });
	assert.equal(res.status, 303, res.text.slice(0, 300));
	({ doc } = await casePage(a, c.reference));
	assert.match(doc.querySelector('#narrative .narrative-state').text,
	    /Approved by Approving Reviewer/);
	assert.ok(!offeredVerbs(doc, c.reference).includes(
	    'approve_narrative'));
	// A new draft withdraws the approval.
	await draft(c.reference, redacted + ' Redrafted.');
	assert.equal((await narrativeRow(c.reference)).approved_at, null);
	await withdrawPublication(c.code);
	assert.equal(await narrativeRow(c.reference), undefined,
	    'the withdrawal destroys the draft');
});

test('a report holds approved accounts only; a withdrawal refuses the ' +
    'draft holding it; once published, a correction leaves it out and ' +
    'the version before keeps it', async () => {
	const secret = `quill.${Date.now()}@example.org`;
	const one = await consenting({ description: `Write to ${secret}: ` +
	    `the ads followed me from site to site. ${marker('O')}` });
	const two = await consenting({ category: CATEGORY_TWO });
	const waiting = await consenting();
	const textOne = `Adverts followed me from site to site for weeks. ` +
	    `${marker('A')}`;
	const textTwo = `Only women were shown the lower price. ${marker('B')}`;
	const textWaiting = `Not approved, never published. ${marker('W')}`;
	await draft(one.reference, textOne);
	await draft(two.reference, textTwo);
	await draft(waiting.reference, textWaiting);
	assert.equal((await approve(b, one.reference, { checked: true }))
	    .status, 303);
	assert.equal((await approve(b, two.reference, { checked: true }))
	    .status, 303);

	// A draft with both approved accounts; neither the unapproved one
	// nor anything the complainant wrote.
	let d = await askDraft(sup1);
	let texts = d.json.narratives.map((n) => n.text);
	assert.ok(texts.includes(textOne) && texts.includes(textTwo), texts);
	assert.ok(!texts.includes(textWaiting));
	const mine = d.json.narratives.find((n) => n.text === textTwo);
	assert.equal(mine.category, CATEGORY_TWO);
	assert.ok(mine.category_label.length > 3);
	assert.equal(mine.outcome, null, 'not decided yet');
	for (const name of ['report.json', 'report.html'])
		assert.ok(!(await d.file(name)).includes(secret), name);
	const hd = parseHtml(d.html);
	assert.match(hd.querySelector('#narratives-h').text,
	    /In their own words/);
	assert.ok(d.html.includes(textOne));

	// One asks to publish; the first account's author withdraws: the
	// report is set aside with its files (the account in clear), and an
	// approval forged from the page read before is refused.
	assert.equal((await step(sup1, d.at, 'publish_request')).status, 303);
	let p = await reportsPage(sup2, d.at);
	const approval = formsOf(p.doc, p.url).find((x) =>
	    x.action === `${d.at}/approve`);
	await withdrawPublication(one.code);
	let res = await approval.submit({ cookie: sup2.cookie });
	assert.equal(res.status, 409);
	p = await reportsPage(sup2, d.at);
	assert.match(p.doc.querySelector('#report-state').text, /Discarded/);
	assert.equal((await reviewRequest(`${d.at}/files/report.html`,
	    { cookie: sup2.cookie })).status, 404);
	assert.equal((await query(`SELECT count(*)::int AS n FROM report_files
	    WHERE report_id = $1`, [d.id])).rows[0].n, 0);

	// A new draft leaves it out; it is published.
	d = await askDraft(sup1);
	texts = d.json.narratives.map((n) => n.text);
	assert.ok(!texts.includes(textOne) && texts.includes(textTwo), texts);
	assert.equal((await step(sup1, d.at, 'publish_request')).status, 303);
	assert.equal((await step(sup2, d.at, 'approve')).status, 303);
	const version = (await query('SELECT version FROM reports WHERE id = $1',
	    [d.id])).rows[0].version;
	const pub = await fetch(`${BASE}/transparency/${QUARTER}/v${version}/` +
	    'report.json');
	assert.ok((await pub.json()).narratives.some((n) => n.text ===
	    textTwo));

	// The second author withdraws: a correction is owed, and says so.
	await withdrawPublication(two.code);
	p = await reportsPage(sup1, '/review/reports');
	assert.match(p.doc.querySelector('#corrections-owed').text,
	    new RegExp(`version ${version}, publishes 1 account `));
	const next = await publishReport(QUARTER, sup1, sup2);
	assert.equal(next, version + 1);
	const now = await (await fetch(`${BASE}/transparency/${QUARTER}/` +
	    `v${next}/report.json`)).json();
	assert.ok(!now.narratives.some((n) => n.text === textTwo));
	const before = await (await fetch(`${BASE}/transparency/${QUARTER}/` +
	    `v${version}/report.json`)).json();
	assert.ok(before.narratives.some((n) => n.text === textTwo),
	    'a published version never changes');
	p = await reportsPage(sup1, '/review/reports');
	assert.equal(p.doc.querySelector('#corrections-owed'), null);
	// The reporter's log names no account.
	assert.ok(!reporter.log().includes('site to site'));
});

test('an account redrafted after a draft report was built: that report ' +
    'cannot be published, the next one has the new text', async () => {
	const c = await consenting();
	const first = `The first wording. ${letters()}`;
	const second = `The second wording. ${letters()}`;
	await draft(c.reference, first);
	assert.equal((await approve(b, c.reference)).status, 303);
	let d = await askDraft(sup1);
	assert.ok(d.json.narratives.some((n) => n.text === first));
	await draft(c.reference, second);
	assert.equal((await approve(b, c.reference)).status, 303);
	const res = await step(sup1, d.at, 'publish_request');
	assert.equal(res.status, 409);
	assert.match(parseHtml(res.text).querySelector('.error-summary').text,
	    /account was redrafted/);
	const p = await reportsPage(sup1, d.at);
	assert.match(p.doc.querySelector('#narratives-withdrawn').text,
	    /1 may no longer be published/);
	assert.equal((await step(sup1, d.at, 'discard')).status, 303);
	d = await askDraft(sup1);
	const texts = d.json.narratives.map((n) => n.text);
	assert.ok(texts.includes(second) && !texts.includes(first), texts);
	assert.equal((await step(sup1, d.at, 'discard')).status, 303);
	await withdrawPublication(c.code);
});

test('asking for erasure destroys the draft and ends the drafting',
    async () => {
	const c = await consenting();
	await draft(c.reference, `An account to forget. ${letters()}`);
	assert.ok(await narrativeRow(c.reference));
	const ip = randomIp();
	const w = await postTrack(c.code, { ip });
	const f = formsOf(w.doc, w.url).find((x) => x.action === '/track/erase');
	assert.equal((await f.set('confirm', true).submit({ ip })).status, 200);
	assert.equal(await narrativeRow(c.reference), undefined);
	const { doc } = await casePage(a, c.reference);
	assert.ok(!offeredVerbs(doc, c.reference).includes('narrative'));
	assert.equal((await forgeAct(a, c.reference, 'narrative',
	    { text: 'Again.' })).status, 409);
});
