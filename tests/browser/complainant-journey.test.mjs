// A complainant files a report, answers the reviewer's question, and appeals the decision after the case was closed, using only what the pages show: with JavaScript on and off, and with cookies allowed or blocked by Chromium's own setting (a profile of its own each time).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { BASE, LAUNCH, randomIp, open, submit, checkPage, db, RECEIPT }
    from './helpers.mjs';
import { staffUser, act } from '../lib/staff.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

let pg, reviewer, second;
const profiles = [];

before(async () => {
	pg = db();
	await pg.connect();
	reviewer = await staffUser({ roles: ['supervisor'], queues: [] });
	second = await staffUser({ roles: ['supervisor'], queues: [] });
});

after(async () => {
	await pg?.end();
	for (const dir of profiles)
		rmSync(dir, { recursive: true, force: true });
});

// A fresh Chromium profile whose preferences allow or block all cookies,
// as a person would set it in chrome://settings/cookies.
async function browserWith(javaScriptEnabled, blockCookies) {
	const dir = mkdtempSync(join(tmpdir(), 'recourse-nocookies-'));
	profiles.push(dir);
	mkdirSync(join(dir, 'Default'));
	writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify({
		profile: { default_content_setting_values: { cookies:
		    blockCookies ? 2 : 1 }, block_third_party_cookies: true },
	}));
	const ctx = await chromium.launchPersistentContext(dir, {
		...LAUNCH, javaScriptEnabled,
		extraHTTPHeaders: { 'X-Real-IP': randomIp() },
	});
	ctx.setDefaultTimeout(10000);
	return ctx;
}

async function ok(user, ref, verb, fields = {}) {
	const r = await act(user, ref, verb, fields);
	assert.equal(r.status, 303, `${verb} answered ${r.status}`);
}

async function stateOf(reference) {
	const r = await pg.query('SELECT state FROM cases WHERE reference = $1',
	    [reference]);
	return r.rows[0].state;
}

// Opens /track and types the code, as the complainant does each time.
async function lookUp(page, code) {
	await open(page, '/track');
	await page.getByLabel('Receipt code').fill(code);
	const r = await submit(page, page.getByRole('button',
	    { name: 'Show my report' }));
	assert.equal(r.status(), 200, 'the report opens');
}

for (const [js, block] of [[true, true], [false, true], [true, false],
    [false, false]]) {
	test(`cookies ${block ? 'blocked' : 'allowed'}, JavaScript ` +
	    `${js ? 'on' : 'off'}: file, reply and appeal a closed case`,
	    async () => {
		const ctx = await browserWith(js, block);
		try {
			const page = ctx.pages()[0] ?? await ctx.newPage();
			await open(page, '/complaints/new');
			if (js) {
				// The setting really is what the test says.
				assert.equal(await page.evaluate(() => {
					document.cookie = 'probe=1; path=/';
					return document.cookie;
				}), block ? '' : 'probe=1');
				await page.evaluate(() => {
					document.cookie = 'probe=; max-age=0; path=/';
				});
			}
			assert.deepEqual(await ctx.cookies(), []);

			// File.
			await page.getByLabel('My data was collected or used ' +
			    'without clear consent').check();
			await page.getByLabel('Where did you meet the marketing?')
			    .selectOption({ label: 'Social media advert' });
			const story = `An app kept tracking me after I said no ` +
			    `(${js ? 'js' : 'nojs'} ${Date.now()}).`;
			await page.getByLabel('What happened?').fill(story);
			let r = await submit(page, page.getByRole('button',
			    { name: 'Send my report' }));
			assert.equal(r.status(), 201, await page.content());
			const code = (await page.locator('#receipt-code')
			    .innerText()).trim();
			assert.match(code, RECEIPT);
			const reference = (await page.locator('.reference')
			    .first().innerText()).trim();

			// The reviewer asks a question.
			await ok(reviewer, reference, 'triage', {
			    category: 'privacy.consent', priority: 2,
			    queue: 'general' });
			await ok(reviewer, reference, 'request_info',
			    { text: 'Which app was it?' });

			// Reply, from the page the code opens.
			await lookUp(page, code);
			assert.ok(await page.getByText('Which app was it?')
			    .isVisible());
			assert.equal(await page.locator('#description')
			    .innerText(), story, 'what was sent is shown');
			await page.getByLabel('Your message').fill(
			    'It was the FitTrack app.\nSince March.');
			r = await submit(page, page.getByRole('button',
			    { name: 'Send my reply' }));
			assert.equal(r.status(), 200, await page.content());
			assert.ok(await page.getByText('Your reply has been sent.')
			    .isVisible());
			assert.equal(await stateOf(reference), 'investigating');

			// Decided (normal priority: published at once), closed.
			await ok(reviewer, reference, 'decide', {
			    outcome: 'not_upheld', remedies: ['none'],
			    automated: 'no', text: 'We found no breach.' });
			await ok(reviewer, reference, 'close');
			assert.equal(await stateOf(reference), 'closed');

			// Appeal the closed case, as the decision promises.
			await lookUp(page, code);
			// axe is a script: it checks the page with JavaScript on.
			if (js && block)
				await checkPage(page, 'closed report',
				    'track-closed-appeal');
			await page.getByLabel('Why you disagree').fill(
			    'The app shared my location with advertisers.');
			r = await submit(page, page.getByRole('button',
			    { name: 'Send my appeal' }));
			assert.equal(r.status(), 200, await page.content());
			assert.ok(await page.getByText('Your appeal has been ' +
			    'sent.', { exact: false }).isVisible());
			assert.equal(await stateOf(reference), 'appealed');
			const ex = await pg.query('SELECT appeal_excluded FROM ' +
			    'cases WHERE reference = $1', [reference]);
			assert.equal(Number(ex.rows[0].appeal_excluded),
			    reviewer.id);
			assert.deepEqual(await ctx.cookies(), [],
			    'the public side set no cookie');
			await ok(second, reference, 'take');
		} finally {
			await ctx.close();
		}
	});
}
