// The transparency pages in a real browser: a published report (with small counts hidden) at 375 and 1280 px has no axe violation and no sideways scrolling, its charts carry text alternatives that the table beneath completes, and it prints to a PDF; the list of reports likewise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, open, checkPage, DESKTOP } from './helpers.mjs';
import * as c from '../lib/client.mjs';
import { createAccount } from '../lib/staff.mjs';
import { startReporter, publishReport } from '../lib/reporter.mjs';

let browser, page, quarter;

before(async () => {
	// Cases in several concerns, some of them too few to show.
	const cats = ['privacy.consent', 'manipulation.pressure',
	    'bias.targeting'];
	for (let i = 0; i < 30; i++)
		assert.ok((await c.fileComplaint({ category: cats[i < 14 ? 0 :
		    i < 27 ? 1 : 2], channel: i % 3 ? 'email' : 'social_ad' })).code);
	const s1 = await createAccount({ roles: ['supervisor'], queues: [] });
	const s2 = await createAccount({ roles: ['supervisor'], queues: [] });
	const d = new Date();
	quarter = `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
	const reporter = startReporter();
	try {
		await publishReport(quarter, s1, s2);
	} finally {
		await reporter.stop();
	}
	browser = await launch();
	page = await (await newContext(browser, { viewport: DESKTOP }))
	    .newPage();
});

after(async () => {
	await browser?.close();
});

test('a published report: no axe violation at 375 and 1280 px, charts ' +
    'with text alternatives, small counts in words, and a printed PDF',
    async () => {
	await open(page, `/transparency/${quarter}`);
	await checkPage(page, 'transparency report', 'transparency-report');
	const charts = page.locator('svg.chart');
	assert.ok(await charts.count() >= 2);
	for (let i = 0; i < await charts.count(); i++) {
		const svg = charts.nth(i);
		assert.equal(await svg.getAttribute('role'), 'img');
		const name = await svg.evaluate((e) => e.getAttribute(
		    'aria-labelledby').split(' ').map((id) =>
		    document.getElementById(id).textContent).join(' '));
		assert.match(name, /table below gives every figure/);
		// The table the chart belongs to follows it.
		assert.equal(await svg.evaluate((e) => e.closest('section')
		    .querySelector('table') !== null), true);
	}
	const text = await page.locator('main').innerText();
	assert.match(text, /fewer than 10/);
	assert.match(text, /How these figures were made/);
	const pdf = await page.pdf({ format: 'A4' });
	assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
	assert.ok(pdf.length > 20000, `a ${pdf.length}-byte PDF`);
});

test('the list of reports: no axe violation, the quarter linked',
    async () => {
	await open(page, '/transparency');
	await checkPage(page, 'transparency list', 'transparency-list');
	assert.equal(await page.locator(`a[href="/transparency/${quarter}"]`)
	    .count(), 1);
});
