// The reports in the back office, through the forms its pages render: a supervisor asks for a draft of a quarter, reads it once the builder is done (its files downloadable, not cached), asks to publish it; the same supervisor is offered no approval and is refused one forged; a second supervisor approves and the public side shows it; no step changes a published report; a correction without its note is refused next to the field; a reviewer is refused the pages.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { staffUser, reviewRequest, REVIEW } from '../lib/staff.mjs';
import { formsOf } from '../lib/pageform.mjs';
import { parseHtml } from '../lib/html.mjs';
import { startReporter, built } from '../lib/reporter.mjs';

// A quarter no other test publishes.
const QUARTER = '2025-Q3';
let reporter, sup1, sup2, reviewer;

before(async () => {
	sup1 = await staffUser({ roles: ['supervisor'], queues: [] });
	sup2 = await staffUser({ roles: ['supervisor'], queues: [] });
	reviewer = await staffUser({ roles: ['reviewer'] });
	reporter = startReporter();
});

after(async () => {
	await reporter?.stop();
});

async function page(user, path) {
	const res = await reviewRequest(path, { cookie: user.cookie });
	return { status: res.status, doc: parseHtml(res.text),
	    url: REVIEW + path };
}

const formAt = (p, action) => formsOf(p.doc, p.url).find((f) =>
    f.action === action);

test('ask for a draft, read it, ask to publish; a second supervisor ' +
    'approves; the public side shows it', async () => {
	let p = await page(sup1, '/review/reports');
	assert.equal(p.status, 200);
	const ask = formAt(p, '/review/reports');
	assert.ok(ask, 'the page offers the request form');
	const res = await ask.set('quarter', QUARTER).submit({
	    cookie: sup1.cookie });
	assert.equal(res.status, 303, res.text.slice(0, 300));
	const at = res.headers.get('location');
	assert.match(at, /^\/review\/reports\/\d+$/);
	const id = at.split('/').pop();
	assert.equal((await built(id)).state, 'draft');

	p = await page(sup1, at);
	assert.equal(p.status, 200);
	assert.match(p.doc.querySelector('#report-state').text, /Draft/);
	assert.ok(p.doc.querySelectorAll('table').length >= 10);
	assert.match(p.doc.querySelector('.lede').text, /not published/);
	// Its files, as downloads that are not cached.
	const file = p.doc.querySelector(`a[href="${at}/files/report.json"]`);
	assert.ok(file);
	const dl = await reviewRequest(`${at}/files/report.json`,
	    { cookie: sup1.cookie });
	assert.equal(dl.status, 200);
	assert.equal(JSON.parse(dl.text).report.quarter, QUARTER);
	assert.equal(dl.headers.get('cache-control'), 'no-store');
	assert.match(dl.headers.get('content-disposition'), /^attachment/);
	const sig = await reviewRequest(`${at}/files/report.json.sig`,
	    { cookie: sup1.cookie });
	assert.match(sig.text, /^untrusted comment: verify with/);
	// Not public yet.
	assert.equal((await fetch(`${process.env.RECOURSE_URL}/transparency/` +
	    QUARTER)).status, 404);

	const publish = formAt(p, `${at}/publish_request`);
	assert.ok(publish);
	assert.equal((await publish.submit({ cookie: sup1.cookie })).status,
	    303);
	p = await page(sup1, at);
	assert.match(p.doc.querySelector('#report-state').text, /second/);
	assert.equal(formAt(p, `${at}/approve`), undefined,
	    'no approval offered to who asked');
	// Forged with the page's token: refused, and the page says why.
	const forged = formAt(p, `${at}/discard`);
	forged.action = `${at}/approve`;
	const refused = await forged.submit({ cookie: sup1.cookie });
	assert.equal(refused.status, 409);
	assert.match(refused.doc.querySelector('.error-summary').text,
	    /Another supervisor must approve/);

	p = await page(sup2, at);
	const approve = formAt(p, `${at}/approve`);
	assert.ok(approve, 'the second supervisor is offered the approval');
	assert.equal((await approve.submit({ cookie: sup2.cookie })).status,
	    303);
	p = await page(sup2, at);
	assert.match(p.doc.querySelector('#report-state').text, /Published/);
	assert.equal(formAt(p, `${at}/discard`), undefined);
	// A published report cannot be changed through the back office
	// either: a forged step on it is refused and changes nothing.
	const token = p.doc.querySelector('input[name="csrf"]')
	    .getAttribute('value');
	for (const step of ['discard', 'publish_request', 'approve']) {
		const forgedStep = await reviewRequest(`${at}/${step}`, {
		    method: 'POST', cookie: sup2.cookie, headers: {
		    'content-type': 'application/x-www-form-urlencoded',
		    origin: REVIEW, 'sec-fetch-site': 'same-origin' },
		    body: `csrf=${encodeURIComponent(token)}` });
		assert.equal(forgedStep.status, 409, `${step}: ${forgedStep.status}`);
	}
	p = await page(sup2, at);
	assert.match(p.doc.querySelector('#report-state').text, /Published/);
	const pub = await fetch(`${process.env.RECOURSE_URL}/transparency/` +
	    QUARTER);
	assert.equal(pub.status, 200);
});

test('a correction without its note is refused next to the field, the ' +
    'quarter kept; with it, a new version is drafted', async () => {
	let p = await page(sup2, '/review/reports');
	const res = await formAt(p, '/review/reports').set('quarter', QUARTER)
	    .submit({ cookie: sup2.cookie });
	assert.equal(res.status, 422);
	assert.match(res.doc.querySelector('#f-note-error').text,
	    /say what the correction changes/);
	assert.equal(res.doc.querySelector('#f-note').getAttribute(
	    'aria-invalid'), 'true');
	assert.ok(res.doc.querySelector('.error-summary a[href="#f-note"]'));
	p = { doc: res.doc, url: REVIEW + '/review/reports' };
	const again = formAt(p, '/review/reports');
	assert.deepEqual(again.values.get('quarter'), [QUARTER],
	    'the quarter is kept');
	const ok = await again.set('note', 'A late decision was missing.')
	    .submit({ cookie: sup2.cookie });
	assert.equal(ok.status, 303);
	const id = ok.headers.get('location').split('/').pop();
	assert.equal((await built(id)).state, 'draft');
	const draft = await page(sup2, `/review/reports/${id}`);
	assert.match(draft.doc.querySelector('h1').text, /version 2/);
	assert.match(draft.doc.querySelector('main').text,
	    /A late decision was missing/);
});

test('a reviewer is refused every report page', async () => {
	for (const path of ['/review/reports', '/review/reports/1',
	    '/review/reports/1/files/report.json'])
		assert.equal((await page(reviewer, path)).status, 403, path);
});
