// Drives the complainant's journey in a real browser, with JavaScript on and
// off: file a report through the form, read the receipt, follow the report
// with the code, recover from mistakes, and double-click without filing twice.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	BASE, launch, newContext, open, submit, daysAgo, db, caseCount,
	REFERENCE, RECEIPT,
} from './helpers.mjs';

// Several lines, an empty line, emoji (one a ZWJ sequence) and characters
// that must be escaped.
const DESCRIPTION = 'After one search for a payday loan 💸 I was shown ' +
    '"only 2 hours left!" adverts every day.\n' +
    'They stopped only when I wrote <stop> & blocked the sender.\n' +
    '\n' +
    'My family 👨‍👩‍👧 saw them too 😟 on the shared tablet.';

const LABEL = {
	category: 'I was shown different prices or offers because of my profile',
	firstCategory: 'My data was collected or used without clear consent',
	channel: 'Where did you meet the marketing?',
	occurred: 'When did it happen?',
	brand: 'Which brand or campaign was it?',
	description: 'What happened?',
	vulnerable: 'A child or a person in a vulnerable situation was affected',
	name: 'Your name',
	email: 'Your e-mail address',
	contact: 'You may contact me about this report',
	publish: 'You may publish my account without identifying details',
	demographics: 'You may use my optional answers about myself for ' +
	    'fairness statistics',
	code: 'Receipt code',
	whyShown: 'What did the platform say about why you saw it? (optional)',
};

const WHY = 'Why you\'re seeing this ad: Quick Loans 💸 wants to reach ' +
    'people aged 18-35 near Cork.';

let browser;
let pg;

before(async () => {
	browser = await launch();
	pg = db();
	await pg.connect();
});

after(async () => {
	await browser?.close();
	await pg?.end();
});

const sendButton = (page) =>
    page.getByRole('button', { name: 'Send my report' });

// The summary's links as [text, href] pairs, in page order.
async function summaryLinks(page) {
	const summary = page.locator('.error-summary');
	assert.equal(await summary.count(), 1, 'one error summary');
	assert.equal(await summary.getByRole('heading').innerText(),
	    'Please correct the following');
	return summary.getByRole('link').evaluateAll((links) =>
	    links.map((a) => [a.textContent, a.getAttribute('href')]));
}

// A field with an error: its message is shown, and the control says it is
// invalid and is described by the message.
async function assertFieldError(page, control, id, message) {
	assert.equal(await control.getAttribute('id'), `f-${id}`);
	assert.equal(await control.getAttribute('aria-invalid'), 'true',
	    `#f-${id} is marked invalid`);
	assert.match(await control.getAttribute('aria-describedby'),
	    new RegExp(`(^| )f-${id}-error( |$)`),
	    `#f-${id} is described by its error`);
	const err = page.locator(`#f-${id}-error`);
	assert.ok(await err.isVisible(), `#f-${id}-error is shown`);
	assert.equal(await err.textContent(), `Error: ${message}`);
}

// Follows a summary link and checks that it leads to its field: without
// the script the browser scrolls to the field; the script also moves the
// focus there and shows the field's label or question.
async function assertLinkShowsField(page, href, js) {
	await page.locator(`.error-summary a[href="${href}"]`).click();
	if (!js)
		await page.waitForURL((u) => u.hash === href);
	const where = await page.locator(href).evaluate((el) => {
		const box = el.closest('fieldset, .field, .check');
		return {
			top: el.getBoundingClientRect().top,
			boxTop: box.getBoundingClientRect().top,
			height: window.innerHeight,
			focused: el === document.activeElement,
		};
	});
	assert.ok(where.top > -1 && where.top < where.height,
	    `the link to ${href} scrolls its field into view`);
	if (js) {
		assert.ok(where.focused, `the link to ${href} focuses it`);
		assert.ok(where.boxTop > -1,
		    `the link to ${href} shows the field's label`);
	}
}

for (const js of [true, false]) {
	describe(`with JavaScript ${js ? 'on' : 'off'}`, () => {
		let context;
		let page;

		// One page for the whole journey: a new page costs a
		// renderer process.
		before(async () => {
			context = await newContext(browser,
			    { javaScriptEnabled: js });
			page = await context.newPage();
		});
		after(async () => {
			await context?.close();
		});

		test('a report filed through the form can be followed with ' +
		    'its receipt code', async () => {
			await open(page, '/');
			await Promise.all([
				page.waitForURL('**/complaints/new'),
				page.getByRole('main').getByRole('link',
				    { name: 'Report a concern' }).click(),
			]);
			// The script adds a character counter: proof that
			// the mode under test is the one we think.
			assert.equal(await page.locator('#f-description-count')
			    .count(), js ? 1 : 0, 'counter present iff JS on');

			const occurred = daysAgo(12);
			const brand = 'Brandé & Co <Spring "deal">';
			await page.getByLabel(LABEL.category).check();
			await page.getByLabel(LABEL.channel)
			    .selectOption({ label: 'Social media advert' });
			await page.getByLabel(LABEL.occurred).fill(occurred);
			await page.getByLabel(LABEL.brand).fill(brand);
			await page.getByLabel(LABEL.description)
			    .fill(DESCRIPTION);
			await page.getByLabel(LABEL.vulnerable).check();
			await page.getByLabel('Where I live or where I was',
			    { exact: true }).check();
			await page.getByLabel('My age', { exact: true }).check();
			await page.getByLabel('No, it did not say so',
			    { exact: true }).check();
			await page.getByLabel(LABEL.whyShown).fill(WHY);
			await page.getByLabel(LABEL.name).fill('Aoife Ní Bhriain');
			await page.getByLabel(LABEL.email)
			    .fill('aoife@example.org');
			await page.getByLabel(LABEL.contact).check();
			await page.getByLabel(LABEL.publish).check();
			assert.equal(await page.getByLabel(LABEL.demographics)
			    .isChecked(), false, 'no consent is ticked for you');
			if (js)
				assert.match(await page.locator(
				    '#f-description-count').innerText(),
				    /^\d+ of 10\s000 characters$/);

			const r = await submit(page, sendButton(page));
			assert.equal(r.status(), 201);
			assert.equal(await page.title(),
			    'Report received \u2013 Recourse');
			const reference = await page.locator('.reference')
			    .innerText();
			assert.match(reference, REFERENCE);
			const code = await page.locator('#receipt-code')
			    .innerText();
			assert.match(code, RECEIPT);
			assert.equal(await page.locator('#description')
			    .textContent(), DESCRIPTION, 'description as typed');
			assert.equal(await page.locator('#brand').textContent(),
			    brand);

			// Every answer reached the database (the description
			// and contact details are encrypted there).
			const { rows } = await pg.query(
			    'SELECT category, channel, occurred_on::text AS ' +
			    'occurred_on, brand, vulnerable, consent_contact, ' +
			    'consent_publish, consent_demographics, state, ' +
			    'targeting_reasons, ai_disclosed ' +
			    'FROM cases WHERE reference = $1', [reference]);
			assert.deepEqual(rows, [{
				category: 'bias.pricing',
				channel: 'social_ad',
				occurred_on: occurred,
				brand,
				vulnerable: true,
				consent_contact: true,
				consent_publish: true,
				consent_demographics: false,
				state: 'received',
				targeting_reasons: ['age', 'location'],
				ai_disclosed: 'no',
			}]);

			await Promise.all([
				page.waitForURL('**/track'),
				page.getByRole('main').getByRole('link',
				    { name: 'follow a report' }).click(),
			]);
			const typed = code.toLowerCase().replaceAll('-', ' ');
			assert.notEqual(typed, code);
			await page.getByLabel(LABEL.code).fill(typed);
			const t = await submit(page, page.getByRole('button',
			    { name: 'Show my report' }));
			assert.equal(t.status(), 200);
			assert.equal(await page.getByRole('heading',
			    { level: 1 }).innerText(), `Report ${reference}`);
			assert.equal(await page.locator('#status strong')
			    .innerText(), 'Received');
			assert.equal(await page.locator('#why-shown')
			    .textContent(), WHY, 'the platform\'s words as typed');
			assert.deepEqual(await page.locator('#targeting-reasons li')
			    .allInnerTexts(), ['My age',
			    'Where I live or where I was']);
		});

		test('an empty form comes back (422) with an error summary ' +
		    'that links to each field', async () => {
			await open(page, '/complaints/new');
			const r = await submit(page, sendButton(page));
			assert.equal(r.status(), 422);
			assert.equal(await page.title(),
			    'Error: report a concern \u2013 Recourse');
			const expected = [
				['Choose the kind of concern that fits best.',
				    '#f-category-0'],
				['Choose where you met the marketing.',
				    '#f-channel'],
				['Tell us what happened.', '#f-description'],
			];
			assert.deepEqual(await summaryLinks(page), expected);
			if (js)
				assert.ok(await page.locator('.error-summary')
				    .evaluate((el) => el === document.activeElement),
				    'the error summary has the focus');

			// The category link goes to the first choice; the
			// group carries the message.
			assert.equal(await page.getByLabel(LABEL.firstCategory)
			    .getAttribute('id'), 'f-category-0');
			const group = page.getByRole('group',
			    { name: 'What is your concern about?' });
			assert.match(await group.getAttribute('aria-describedby'),
			    /(^| )f-category-error( |$)/);
			assert.equal(await page.locator('#f-category-error')
			    .textContent(), `Error: ${expected[0][0]}`);
			await assertFieldError(page,
			    page.getByLabel(LABEL.channel), 'channel',
			    expected[1][0]);
			await assertFieldError(page,
			    page.getByLabel(LABEL.description), 'description',
			    expected[2][0]);
			assert.equal(await page.locator('.error').count(), 3,
			    'no other field shows an error');

			for (const [, href] of expected)
				await assertLinkShowsField(page, href, js);
		});

		test('a form with mistakes comes back (422) with what was ' +
		    'typed kept', async () => {
			await open(page, '/complaints/new');
			const values = {
				occurred: daysAgo(3),
				brand: 'Spring sale ✨',
				description: 'Too short 😀\nsorry',
				name: 'Sam O\'Neill',
				email: 'sam@example.org',
			};
			await page.getByLabel(LABEL.occurred)
			    .fill(values.occurred);
			await page.getByLabel(LABEL.brand).fill(values.brand);
			await page.getByLabel(LABEL.description)
			    .fill(values.description);
			await page.getByLabel(LABEL.name).fill(values.name);
			await page.getByLabel(LABEL.email).fill(values.email);
			await page.getByLabel(LABEL.publish).check();
			const r = await submit(page, sendButton(page));
			assert.equal(r.status(), 422);

			const description = 'Tell us a little more: at least 20 ' +
			    'characters.';
			const email = 'You gave an address but did not allow us ' +
			    'to contact you: tick "You may contact me" or clear ' +
			    'the address.';
			assert.deepEqual(await summaryLinks(page), [
				['Choose the kind of concern that fits best.',
				    '#f-category-0'],
				['Choose where you met the marketing.',
				    '#f-channel'],
				[description, '#f-description'],
				[email, '#f-contact_email'],
			]);
			await assertFieldError(page,
			    page.getByLabel(LABEL.description), 'description',
			    description);
			await assertFieldError(page, page.getByLabel(LABEL.email),
			    'contact_email', email);

			for (const key of ['occurred', 'brand', 'description',
			    'name', 'email'])
				assert.equal(await page.getByLabel(LABEL[key])
				    .inputValue(), values[key], `${key} kept`);
			assert.equal(await page.getByLabel(LABEL.publish)
			    .isChecked(), true, 'consent_publish kept');
			for (const key of ['vulnerable', 'contact',
			    'demographics'])
				assert.equal(await page.getByLabel(LABEL[key])
				    .isChecked(), false, `${key} still unticked`);
			assert.equal(await page.getByLabel(LABEL.channel)
			    .inputValue(), '');
		});

		// Without the script a double click really does send the form
		// twice (which shows the test can tell); the server's form
		// token must still make it one case.
		test(`a double click on Send files one case (${js ?
		    'the script sends the form once' :
		    'sent twice, recognised as a replay'})`, async () => {
			await open(page, '/complaints/new');
			await page.getByLabel(LABEL.firstCategory).check();
			await page.getByLabel(LABEL.channel)
			    .selectOption({ label: 'E-mail' });
			await page.getByLabel(LABEL.description).fill(
			    'Double-click test: the same report sent twice 🖱️🖱️');

			// Hold each answer back until both clicks are done, as
			// a slow network would, so that the second click lands
			// on the form; the request itself reaches the server.
			let posts = 0;
			let clicked;
			const clicks = new Promise((res) => { clicked = res; });
			await page.route(`${BASE}/complaints`, async (route) => {
				if (route.request().method() !== 'POST')
					return route.continue();
				posts++;
				try {
					const response = await route.fetch();
					await clicks;
					await route.fulfill({ response });
				} catch {
					// The browser dropped this request.
				}
			});

			const casesBefore = await caseCount(pg);
			const response = page.waitForResponse((r) =>
			    r.request().method() === 'POST' &&
			    r.request().isNavigationRequest());
			const loaded = page.waitForEvent('load');
			await sendButton(page).dblclick({ delay: 100 });
			clicked();
			const r = await response;
			await loaded;
			await page.unrouteAll();

			assert.equal(posts, js ? 1 : 2, 'POST requests sent');
			assert.equal(r.status(), 201);
			assert.equal(await caseCount(pg) - casesBefore, 1,
			    'new rows in cases');
			const { rows } = await pg.query('SELECT reference FROM ' +
			    'cases ORDER BY id DESC LIMIT 1');
			assert.equal(await page.locator('.reference').innerText(),
			    rows[0].reference);
			assert.match(await page.locator('#receipt-code')
			    .innerText(), RECEIPT, 'the receipt code is shown');
		});
	});
}
