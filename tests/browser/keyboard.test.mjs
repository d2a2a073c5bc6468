// A complainant with a keyboard alone, on a 375px phone: files a report answering the targeting questions, the AI question and, after ticking the consent that shows them, a question about themselves, with two files (a damaged one first, refused next to the field); follows it with the code, which shows the files' fingerprints; withdraws a consent; replies with a file (a damaged one first, refused next to the reply's file field); asks for erasure. Each field is reached with Tab and operated with Space, the arrow keys and typing; axe finds nothing in any new state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
	launch, newContext, open, checkPage, db, PHONE, REFERENCE, RECEIPT,
} from './helpers.mjs';

let browser;
let context;
let page;
let pg;

before(async () => {
	browser = await launch();
	context = await newContext(browser, { viewport: PHONE });
	page = await context.newPage();
	pg = db();
	await pg.connect();
});

after(async () => {
	await browser?.close();
	await pg?.end();
});

// Presses Tab until the element matching this selector (an id alone is
// taken as #id) has the focus; fails when Tab never reaches it (it is not
// in the keyboard's order).
async function tabTo(target, max = 120) {
	const sel = /^[\w-]+$/.test(target) ? `#${target}` : target;
	for (let i = 0; i < max; i++) {
		if (await page.evaluate((s) => document.activeElement?.matches(s) ??
		    false, sel))
			return;
		await page.keyboard.press('Tab');
	}
	assert.fail(`Tab never reached ${sel}`);
}

// Tabs to the button, presses Enter and waits for the next page.
async function pressAndLoad(target) {
	await tabTo(target);
	const [r] = await Promise.all([
		page.waitForResponse((x) => x.request().method() === 'POST' &&
		    x.request().isNavigationRequest()),
		page.waitForEvent('load'),
		page.keyboard.press('Enter'),
	]);
	return r;
}

test('filing, following and withdrawing a consent by keyboard alone',
    async () => {
	await open(page, '/complaints/new');
	await page.evaluate(() => document.activeElement?.blur());
	// The first concern, by Space on its radio.
	await tabTo('f-category-0');
	await page.keyboard.press('Space');
	await tabTo('f-channel');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('ArrowDown');
	await tabTo('f-description');
	await page.keyboard.type('An advert kept offering me loans after I ' +
	    'searched for debt advice once.');
	// Two targeting reasons: Space on each box.
	await tabTo('input[name="targeting_reasons"][value="age"]');
	await page.keyboard.press('Space');
	await tabTo('input[name="targeting_reasons"][value="retargeting"]');
	await page.keyboard.press('Space');
	await tabTo('f-why_shown');
	await page.keyboard.type('You are seeing this because you visited ' +
	    'our site.');
	// The AI question: into the group, then the arrow keys choose.
	await tabTo('f-ai_disclosed-0');
	await page.keyboard.press('ArrowDown');
	assert.equal(await page.inputValue(
	    'input[name="ai_disclosed"]:checked'), 'no');
	// The questions about oneself appear only with their consent.
	assert.equal(await page.isVisible('#demographics'), false);
	await tabTo('f-consent_demographics');
	await page.keyboard.press('Space');
	assert.equal(await page.isVisible('#demographics'), true);
	await checkPage(page, 'form with the questions about oneself shown');
	await page.setViewportSize(PHONE);
	await tabTo('f-age_band-0');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('ArrowDown');
	assert.equal(await page.inputValue('input[name="age_band"]:checked'),
	    'age_25_34');

	// Files: Tab reaches the picker; the test stands in for the system's
	// file dialog, which no page can drive.  A damaged file comes back
	// with its message next to the field, the other answers kept.
	const fixture = (name) => ({ name, mimeType: 'application/octet-stream',
	    buffer: readFileSync(new URL(`../unit/data/evidence/${name}`,
	    import.meta.url)) });
	await tabTo('f-evidence');
	await page.setInputFiles('#f-evidence', [fixture('truncated.jpg'),
	    fixture('note.txt')]);
	let r = await pressAndLoad('form.complaint button[type="submit"]');
	assert.equal(r.status(), 422);
	assert.match(await page.locator('#f-evidence-error').innerText(),
	    /"truncated\.jpg" is damaged or incomplete/);
	await checkPage(page, 'form with a file refused');
	await page.setViewportSize(PHONE);
	await tabTo('f-evidence');
	await page.setInputFiles('#f-evidence', [fixture('gps.jpg'),
	    fixture('note.txt')]);
	r = await pressAndLoad('form.complaint button[type="submit"]');
	assert.equal(r.status(), 201);
	assert.equal(await page.locator('ol.evidence li').count(), 2);
	await checkPage(page, 'receipt with two files');
	await page.setViewportSize(PHONE);
	const reference = await page.locator('.reference').innerText();
	assert.match(reference, REFERENCE);
	const code = await page.locator('#receipt-code').innerText();
	assert.match(code, RECEIPT);
	const { rows } = await pg.query('SELECT targeting_reasons, ' +
	    'ai_disclosed, consent_demographics, demographics_box IS NOT NULL ' +
	    'AS answered FROM cases WHERE reference = $1', [reference]);
	assert.deepEqual(rows, [{ targeting_reasons: ['age', 'retargeting'],
	    ai_disclosed: 'no', consent_demographics: true, answered: true }]);

	// Following it, by keyboard.
	await open(page, '/track');
	await tabTo('f-receipt_code');
	await page.keyboard.type(code);
	assert.equal((await pressAndLoad('form[action="/track"] ' +
	    'button[type="submit"]')).status(), 200);
	assert.equal(await page.locator('ol.evidence code.hash').count(), 2);
	await checkPage(page, 'tracking result with choices');
	await page.setViewportSize(PHONE);
	assert.equal((await pressAndLoad('form[action="/track/withdraw"]:has(' +
	    'input[value="demographics"]) button')).status(), 200);
	assert.match(await page.locator('main').innerText(),
	    /We have destroyed them/);
	await checkPage(page, 'tracking result after a withdrawal');
	const after = await pg.query('SELECT consent_demographics, ' +
	    'demographics_box FROM cases WHERE reference = $1', [reference]);
	assert.deepEqual(after.rows, [{ consent_demographics: false,
	    demographics_box: null }]);

	// A reply with a file: a damaged one first comes back next to the
	// reply's file field with the text kept; then a good one is sent.
	await tabTo('f-reply');
	await page.keyboard.type('Here is the text of the advert.');
	await tabTo('f-reply-evidence');
	await page.setInputFiles('#f-reply-evidence',
	    [fixture('polyglot-html.png')]);
	assert.equal((await pressAndLoad('form[action="/track/reply"] ' +
	    'button')).status(), 422);
	assert.match(await page.locator('#f-reply-evidence-error').innerText(),
	    /more than one kind of file/);
	assert.equal(await page.inputValue('#f-reply'),
	    'Here is the text of the advert.');
	await checkPage(page, 'tracking result with a reply\'s file refused');
	await page.setViewportSize(PHONE);
	await tabTo('f-reply-evidence');
	await page.setInputFiles('#f-reply-evidence', [fixture('note.txt')]);
	assert.equal((await pressAndLoad('form[action="/track/reply"] ' +
	    'button')).status(), 200);
	assert.equal(await page.locator('article.message ol.evidence ' +
	    'code.hash').count(), 1);
	await checkPage(page, 'tracking result with a reply and its file');
	await page.setViewportSize(PHONE);

	// Asking for erasure: Space ticks the consequences, Enter sends.
	await tabTo('f-erase');
	await page.keyboard.press('Space');
	assert.equal((await pressAndLoad('form[action="/track/erase"] ' +
	    'button')).status(), 200);
	assert.match(await page.locator('#erasure').innerText(),
	    /You asked on .* for your data to be erased/s);
	await checkPage(page, 'tracking result after asking for erasure');
	const asked = await pg.query('SELECT erasure_requested_at IS NOT NULL ' +
	    'AS asked FROM cases WHERE reference = $1', [reference]);
	assert.deepEqual(asked.rows, [{ asked: true }]);
});
