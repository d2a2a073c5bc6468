// A consented narrative in a real browser: the reviewer drafts it in the case page's form (the complainant's words to start from), the scrubber's flags are marked in the draft and listed, a second reviewer cannot approve it without saying every flag was checked, the reviewer takes the identifying details out, the second approves the clean draft, and the draft report shows it; each page at 375px and 1280px with zero axe violations and no sideways scrolling; screenshots saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, checkPage, DESKTOP } from './helpers.mjs';
import { staffUser, freshCode, act, REVIEW } from '../lib/staff.mjs';
import { fileComplaint } from '../lib/client.mjs';
import { startReporter, draftReport } from '../lib/reporter.mjs';
import { query } from '../lib/db.mjs';

let browser, reporter, drafter, approver, sup, complaint;

before(async () => {
	[drafter, approver, sup] = await Promise.all([
		staffUser({ roles: ['reviewer'], queues: ['general'],
		    name: 'Dana Drafter' }),
		staffUser({ roles: ['reviewer'], queues: ['general'],
		    name: 'Abel Approver' }),
		staffUser({ roles: ['supervisor'], queues: [] }),
	]);
	complaint = await fileComplaint({ category: 'privacy.consent',
	    consent_publish: 'yes', consent_contact: 'yes',
	    contact_name: 'Maria Lopez', contact_email: 'maria@example.org',
	    description: 'Maria Lopez here. The app showed me baby adverts ' +
	    'before I told anyone I was pregnant. Write to maria@example.org ' +
	    'or call 07700 900123.' });
	assert.equal((await act(drafter, complaint.reference, 'take')).status,
	    303);
	browser = await launch();
	reporter = startReporter();
});

after(async () => {
	await browser?.close();
	await reporter?.stop();
	await query("UPDATE cases SET state = 'rejected' WHERE reference = $1",
	    [complaint.reference]);
});

// A page logged in as 'user' through the login page.
async function loggedIn(user) {
	const context = await newContext(browser, { viewport: DESKTOP });
	const page = await context.newPage();
	await page.goto(REVIEW + '/review/login');
	const { step, code } = await freshCode(user);
	await page.getByLabel('Login name').fill(user.login);
	await page.getByLabel('Password').fill(user.password);
	await page.getByLabel('Code from your authenticator app').fill(code);
	await Promise.all([page.waitForEvent('load'),
	    page.getByRole('button', { name: 'Log in' }).click()]);
	user.lastStep = step;
	return page;
}

test('drafted in the form, flags marked and listed, approved by another ' +
    'reviewer after ticking the box; the draft report shows it',
    async () => {
	const path = `/review/cases/${complaint.reference}`;
	let page = await loggedIn(drafter);
	await page.goto(REVIEW + path);
	const box = page.getByLabel('The account as it will be published');
	assert.match(await box.inputValue(), /Maria Lopez here/);
	// Saved as the complainant wrote it: the scrubber flags three things.
	await Promise.all([page.waitForEvent('load'),
	    page.getByRole('button', { name: 'Save the draft' }).click()]);
	assert.equal(new URL(page.url()).pathname, path);
	const listed = await page.locator('#narrative ul.flags li')
	    .allTextContents();
	assert.ok(listed.some((t) => t.startsWith('a name from the case')));
	assert.ok(listed.some((t) => t.startsWith('e-mail address')));
	assert.ok(listed.some((t) => t.startsWith('phone number')));
	assert.equal(await page.locator('#narrative-text mark').count(),
	    listed.length);
	await checkPage(page, 'case page with a flagged draft',
	    'narrative-draft');

	page = await loggedIn(approver);
	await page.goto(REVIEW + path);
	// Approving without the box ticked: the error is next to it.
	await Promise.all([page.waitForEvent('load'),
	    page.getByRole('button', { name: 'Approve for publication' })
	        .click()]);
	assert.match(await page.locator(
	    '#f-approve_narrative-checked-error').textContent(),
	    /checked every flagged passage/);
	await checkPage(page, 'approval refused', 'narrative-unconfirmed');

	// The drafter takes the identifying details out: nothing is flagged.
	const redacted = 'The app showed me baby adverts before I told ' +
	    'anyone I was pregnant.';
	let other = await loggedIn(drafter);
	await other.goto(REVIEW + path);
	await other.getByLabel('The account as it will be published')
	    .fill(redacted);
	await Promise.all([other.waitForEvent('load'),
	    other.getByRole('button', { name: 'Save the draft' }).click()]);
	assert.match(await other.locator('#narrative').textContent(),
	    /flagged nothing in this draft/);
	assert.equal(await other.locator('#narrative-text mark').count(), 0);

	// The approver reads the new draft: no box to tick, and it holds.
	await page.goto(REVIEW + path);
	assert.equal(await page.getByLabel('I checked every flagged passage')
	    .count(), 0);
	await Promise.all([page.waitForEvent('load'),
	    page.getByRole('button', { name: 'Approve for publication' })
	        .click()]);
	assert.match(await page.locator('#narrative .narrative-state')
	    .textContent(), /Approved by Abel Approver/);
	await checkPage(page, 'approved', 'narrative-approved');

	// The supervisor's draft report, in the browser.
	const quarter = (() => {
		const d = new Date();
		return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) +
		    1}`;
	})();
	const { id, doc } = await draftReport(quarter, sup);
	assert.ok(doc.narratives.some((n) => n.text === redacted));
	assert.ok(!JSON.stringify(doc).includes('Maria'));
	page = await loggedIn(sup);
	await page.goto(`${REVIEW}/review/reports/${id}`);
	assert.match(await page.locator('#narratives-h').textContent(),
	    /In their own words/);
	await checkPage(page, 'draft report with an account',
	    'narrative-report');
	await query("UPDATE reports SET state = 'discarded' WHERE id = $1",
	    [id]);
});
