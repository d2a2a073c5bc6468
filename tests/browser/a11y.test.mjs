// Checks with axe-core (WCAG 2.0-2.2 A and AA rules) that every public page,
// in every state a complainant can reach, has no violations on a 375px phone
// and a 1280px desktop, and saves screenshots of the form with errors and the
// receipt.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	launch, newContext, open, submit, axe, checkPage, DESKTOP, RECEIPT,
} from './helpers.mjs';

let browser;
let context;
let page;
let receiptCode;

before(async () => {
	browser = await launch();
	context = await newContext(browser, { viewport: DESKTOP });
	page = await context.newPage();
});

after(async () => {
	await browser?.close();
});

const check = (name, shot) => checkPage(page, name, shot);

const sendButton = () => page.getByRole('button', { name: 'Send my report' });
const showButton = () => page.getByRole('button', { name: 'Show my report' });

test('axe reports a violation it is shown (the check can fail)', async () => {
	await open(page, '/');
	await page.evaluate(() => {
		const input = document.createElement('input');
		input.type = 'text';
		document.querySelector('main').append(input);
	});
	const ids = (await axe(page)).map((v) => v.id);
	assert.ok(ids.includes('label'), `axe found: ${ids.join(', ')}`);
});

test('home page', async () => {
	await open(page, '/');
	await check('home');
});

test('privacy notice', async () => {
	await open(page, '/privacy');
	await check('privacy');
});

test('empty form', async () => {
	await open(page, '/complaints/new');
	await check('form');
});

test('form with errors', async () => {
	await open(page, '/complaints/new');
	const r = await submit(page, sendButton());
	assert.equal(r.status(), 422);
	assert.equal(await page.locator('.error-summary li').count(), 3);
	await check('form with errors', 'form-errors');
});

test('receipt page', async () => {
	await open(page, '/complaints/new');
	await page.getByLabel('I was targeted or excluded because of who I am')
	    .check();
	await page.getByLabel('Where did you meet the marketing?')
	    .selectOption({ label: 'Text message (SMS)' });
	await page.getByLabel('Which brand or campaign was it?')
	    .fill('Summer offers');
	await page.getByLabel('What happened?').fill('Loan adverts came ' +
	    'every night 😟\nafter I searched once for debt advice.');
	const r = await submit(page, sendButton());
	assert.equal(r.status(), 201);
	receiptCode = await page.locator('#receipt-code').innerText();
	assert.match(receiptCode, RECEIPT);
	await check('receipt', 'receipt');
});

test('tracking form', async () => {
	await open(page, '/track');
	await check('track');
});

test('tracking form with "no report matches" (404)', async () => {
	await open(page, '/track');
	await page.getByLabel('Receipt code')
	    .fill('0000-0000-0000-0000-0000-0000');
	const r = await submit(page, showButton());
	assert.equal(r.status(), 404);
	assert.match(await page.locator('#f-receipt_code-error').textContent(),
	    /No report matches this code/);
	await check('track with error');
});

test('tracking result', async () => {
	assert.ok(receiptCode, 'the receipt page test filed a report');
	await open(page, '/track');
	await page.getByLabel('Receipt code').fill(receiptCode);
	const r = await submit(page, showButton());
	assert.equal(r.status(), 200);
	assert.equal(await page.locator('#status strong').innerText(),
	    'Received');
	await check('track result');
});

test('page not found (404)', async () => {
	await open(page, '/no/such/page', 404);
	assert.equal(await page.getByRole('heading', { level: 1 }).innerText(),
	    'Page not found');
	await check('404');
});
