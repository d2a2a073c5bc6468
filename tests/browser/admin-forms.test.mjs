// An administration form in Chromium with several mistakes: the page comes back with every error at its field and in the summary (which takes the focus), what was typed still in the fields, and no axe-core (WCAG 2.x A/AA) violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, checkPage, DESKTOP } from './helpers.mjs';
import { staffUser, REVIEW } from '../lib/staff.mjs';

let browser;
let page;

before(async () => {
	const admin = await staffUser({ roles: ['admin'], queues: [] });
	browser = await launch();
	const context = await newContext(browser, { viewport: DESKTOP });
	const [name, value] = admin.cookie.split('=');
	await context.addCookies([{ name, value, path: '/',
	    domain: new URL(REVIEW).hostname, secure: true, httpOnly: true,
	    sameSite: 'Strict' }]);
	page = await context.newPage();
});

after(async () => {
	await browser?.close();
});

test('a new concern with three mistakes', async () => {
	const r = await page.goto(`${REVIEW}/admin/taxonomy`);
	assert.equal(r.status(), 200);
	const form = () => page.locator('form[action="/admin/categories/save"]')
	    .last();
	const typed = { 'Code (like privacy.profiling)': 'Not A Code',
	    Label: ' ', Hint: 'A hint that stays', Position: 'first' };
	for (const [label, v] of Object.entries(typed))
		await form().getByLabel(label, { exact: true }).fill(v);
	const [res] = await Promise.all([
		page.waitForResponse((x) => x.request().method() === 'POST'),
		page.waitForEvent('load'),
		form().getByRole('button', { name: 'Add the concern' }).click(),
	]);
	assert.equal(res.status(), 422);
	assert.match(await page.title(), /^Error:/);
	for (const [label, v] of Object.entries(typed))
		assert.equal(await form().getByLabel(label, { exact: true })
		    .inputValue(), v, label);
	const invalid = await form().locator('[aria-invalid="true"]')
	    .evaluateAll((els) => els.map((e) => e.id));
	assert.deepEqual(invalid, ['f-new-c-code', 'f-new-c-label',
	    'f-new-c-position']);
	const links = await page.locator('.error-summary a')
	    .evaluateAll((els) => els.map((e) => e.getAttribute('href')));
	assert.deepEqual(links, ['#f-new-c-code', '#f-new-c-label',
	    '#f-new-c-position']);
	await page.waitForFunction(() => document.activeElement
	    ?.classList.contains('error-summary'));
	await checkPage(page, 'taxonomy with errors', 'admin-errors');
});
