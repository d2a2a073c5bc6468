// The footer of every back-office page links to the privacy notice, and the link resolves on the back office itself: a 200 page with the notice, for staff logged in or not.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { staffUser, reviewRequest, REVIEW } from '../lib/staff.mjs';
import { fileComplaint } from '../lib/client.mjs';
import { parseHtml } from '../lib/html.mjs';
import { assertSecurityHeaders } from '../lib/checks.mjs';

let user, c;

before(async () => {
	user = await staffUser({ roles: ['reviewer', 'admin'],
	    queues: ['general'] });
	c = await fileComplaint({ category: 'privacy.consent' });
});

test('the footer\'s privacy link resolves to the notice on every ' +
    'back-office page', async () => {
	const pages = [['/review/login'], ['/review', user.cookie],
	    [`/review/cases/${c.reference}`, user.cookie],
	    ['/review/account', user.cookie], ['/admin', user.cookie]];
	for (const [path, cookie] of pages) {
		const res = await reviewRequest(path, { cookie });
		assert.equal(res.status, 200, path);
		const a = parseHtml(res.text).querySelector('footer a');
		assert.ok(a, `${path}: no footer link`);
		assert.equal(a.text, 'How we handle your data', path);
		// Resolved as the browser would, against the page's address.
		const url = new URL(a.getAttribute('href'), REVIEW + path);
		const notice = await fetch(url, { redirect: 'manual',
		    headers: cookie ? { cookie } : {} });
		assert.equal(notice.status, 200, `${path}: ${url}`);
		const doc = parseHtml(await notice.text());
		assert.equal(doc.querySelector('h1').text,
		    'How we handle your data', path);
		assertSecurityHeaders(notice, { what: url.href });
	}
});
