// The decision form's error path in a real browser, with JavaScript on and off: reasons typed but no outcome, remedies or answer about automated means; the page comes back with an error next to each missing field, a summary linking to them, and the reasons still in their box.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, checkPage, submit, DESKTOP } from './helpers.mjs';
import { staffUser, act, REVIEW } from '../lib/staff.mjs';
import { fileComplaint } from '../lib/client.mjs';
import { caseByReference } from '../lib/db.mjs';

let browser, sup;

before(async () => {
	browser = await launch();
	sup = await staffUser({ roles: ['supervisor'], queues: [],
	    name: 'Dana Decider' });
});

after(async () => {
	await browser?.close();
});

// A case under investigation that 'sup' may decide, set up through the
// forms of the case page.
async function investigating() {
	const c = await fileComplaint({ category: 'privacy.consent' });
	for (const [verb, fields] of [['take', {}], ['triage', {
	    category: 'privacy.consent', priority: 2, queue: 'general' }],
	    ['investigate', {}]]) {
		const r = await act(sup, c.reference, verb, fields);
		assert.equal(r.status, 303, `${verb}: ${r.status}`);
	}
	return c;
}

for (const javaScriptEnabled of [true, false]) {
	test(`decision without an outcome (JavaScript ${javaScriptEnabled ?
	    'on' : 'off'}): every missing field named, the reasons kept`,
	    async () => {
		const c = await investigating();
		const ctx = await newContext(browser, { viewport: DESKTOP,
		    javaScriptEnabled });
		const [name, value] = sup.cookie.split('=');
		await ctx.addCookies([{ name, value, path: '/',
		    domain: new URL(REVIEW).hostname, secure: true,
		    httpOnly: true, sameSite: 'Strict' }]);
		const page = await ctx.newPage();
		const r = await page.goto(`${REVIEW}/review/cases/${c.reference}`);
		assert.equal(r.status(), 200);

		const reasons = 'We read the banner.\nIt was pre-ticked; ' +
		    'that is not consent.';
		await page.getByLabel('Reasons').fill(reasons);
		const res = await submit(page, page.getByRole('button',
		    { name: 'Record the decision' }));
		assert.equal(res.status(), 422);
		assert.match(await page.title(), /^Error: /);

		// An error next to each field left out, and the summary.
		for (const [field, message] of [
		    ['outcome', /Choose the outcome/],
		    ['remedies', /remedial action/],
		    ['automated', /automated means/]]) {
			const err = page.locator(`#f-decide-${field}-error`);
			assert.match(await err.textContent(), message, field);
			const link = page.locator(
			    `.error-summary a[href="#f-decide-${field}"]`);
			assert.equal(await link.count(), 1, `summary: ${field}`);
		}
		assert.equal(await page.locator('#f-decide-text-error').count(),
		    0, 'the reasons were given');
		assert.equal(await page.locator('#f-decide-outcome')
		    .getAttribute('aria-invalid'), 'true');
		// The reasons are still there, as typed.
		assert.equal(await page.getByLabel('Reasons').inputValue(),
		    reasons);
		if (javaScriptEnabled) {
			// app.js puts the focus on the summary.
			assert.equal(await page.evaluate(() => document
			    .activeElement.classList.contains('error-summary')),
			    true);
			// (axe runs as a script: only with JavaScript on.)
			await checkPage(page, 'case page, decision with errors');
		}

		// Completing the form now records the decision.
		await page.locator('#f-decide-outcome').selectOption('upheld');
		await page.getByLabel('Apology').check();
		await page.getByLabel('No', { exact: true }).check();
		const done = await submit(page, page.getByRole('button',
		    { name: 'Record the decision' }));
		assert.equal(done.status(), 303);
		assert.equal((await caseByReference(c.reference)).state,
		    'decided');
		await ctx.close();
	});
}
