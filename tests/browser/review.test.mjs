// The back office in a real browser: set-up link with an authenticator code, login, the work list, a case worked through its forms, a complainant's files and erasure request answered with a legal hold and then an erasure, and axe-core (WCAG 2.x A/AA) with reflow at 375px and 1280px on every back-office page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, checkPage, DESKTOP } from './helpers.mjs';
import { createAccount, totpAt, currentStep, awayFromStepEdge, REVIEW }
    from '../lib/staff.mjs';
import { readFileSync } from 'node:fs';
import { fileComplaint, trackAct } from '../lib/client.mjs';

const PASSWORD = 'a long and memorable passphrase';

let browser, context, page, account, secret, complaint;

before(async () => {
	browser = await launch();
	context = await newContext(browser, { viewport: DESKTOP });
	page = await context.newPage();
	account = await createAccount({ roles: ['reviewer', 'supervisor',
	    'admin'], queues: ['general'], name: 'Rosa Reviewer' });
	complaint = await fileComplaint({ category: 'privacy.consent',
	    brand: 'Browser Brand' });
});

after(async () => {
	await browser?.close();
});

const check = (name, shot) => checkPage(page, name, shot);

async function go(path, status = 200) {
	const r = await page.goto(REVIEW + path);
	assert.equal(r.status(), status, `GET ${path}`);
}

async function clickAndLoad(locator) {
	await Promise.all([page.waitForEvent('load'), locator.click()]);
}

test('set-up link: password and authenticator in one page', async () => {
	await go(`/account/setup?token=${account.token}`);
	await check('set-up page', 'review-setup');
	secret = (await page.locator('#totp-secret').textContent())
	    .replace(/\s+/g, '');
	assert.match(secret, /^[A-Z2-7]{32}$/);
	const uri = await page.locator('a[href^="otpauth:"]')
	    .getAttribute('href');
	assert.ok(uri.startsWith('otpauth://totp/Recourse%3A'));
	await awayFromStepEdge(5000);
	await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
	await page.getByLabel('New password again').fill(PASSWORD);
	// A wrong code first: the page comes back with the error at the field.
	await page.getByLabel('Code from your authenticator app').fill('000000');
	await clickAndLoad(page.getByRole('button', { name: 'Save and finish' }));
	assert.match(await page.title(), /^Error:/);
	await check('set-up page with an error');
	await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
	await page.getByLabel('New password again').fill(PASSWORD);
	await page.getByLabel('Code from your authenticator app')
	    .fill(totpAt(secret, currentStep()));
	await clickAndLoad(page.getByRole('button', { name: 'Save and finish' }));
	assert.equal(await page.locator('h1').textContent(),
	    'Your account is ready');
});

test('login with password and code; the session cookie is Secure and Strict', async () => {
	await go('/review/login');
	await check('login page', 'review-login');
	await page.getByLabel('Login name').fill(account.login.toUpperCase());
	await page.getByLabel('Password').fill(PASSWORD);
	// The set-up used this step's code: the next one is accepted.
	await page.getByLabel('Code from your authenticator app')
	    .fill(totpAt(secret, currentStep() + 1));
	await clickAndLoad(page.getByRole('button', { name: 'Log in' }));
	assert.equal(new URL(page.url()).pathname, '/review');
	const cookies = await context.cookies(REVIEW);
	const s = cookies.find((c) => c.name === '__Host-rc_staff');
	assert.ok(s, 'session cookie kept by the browser');
	assert.equal(s.secure, true);
	assert.equal(s.httpOnly, true);
	assert.equal(s.sameSite, 'Strict');
	assert.equal(s.path, '/');
});

test('the work list shows the new case and the filters work', async () => {
	await check('work list', 'review-worklist');
	// Other tests' cases may fill the first page: filter by the brand.
	await page.getByLabel('Brand').fill('browser brand');
	await clickAndLoad(page.getByRole('button', { name: 'Show' }));
	assert.equal(await page.getByRole('link', { name: complaint.reference })
	    .count(), 1);
	await page.getByLabel('Brand').fill('no such brand');
	await clickAndLoad(page.getByRole('button', { name: 'Show' }));
	assert.match(await page.textContent('main'), /No cases match/);
});

test('a case is taken, triaged and noted through its forms', async () => {
	await go(`/review/cases/${complaint.reference}`);
	await check('case page', 'review-case');
	await clickAndLoad(page.getByRole('button', { name: 'Take it' }));
	await page.locator('#f-triage-priority').selectOption('3');
	await clickAndLoad(page.getByRole('button', { name: 'Confirm triage' }));
	assert.match(await page.textContent('h1'), /Triaged/);
	// An empty note is refused next to its field, nothing saved.
	await clickAndLoad(page.getByRole('button', { name: 'Add the note' }));
	assert.match(await page.title(), /RC-/);
	assert.match(await page.textContent('#act-note'), /Write the note/);
	await check('case page with an error');
	await page.locator('#f-note-text').fill('Checked the banner myself.');
	await clickAndLoad(page.getByRole('button', { name: 'Add the note' }));
	assert.match(await page.textContent('main'), /Checked the banner myself/);
	await check('case page after work');
});

test('files, an erasure request, a legal hold and the erasure on the ' +
    'case page', async () => {
	const f = await fileComplaint({ evidence: [{ name: 'ad.png',
	    type: 'image/png', data: readFileSync(new URL(
	    '../unit/data/evidence/clean.png', import.meta.url)) }] });
	assert.equal((await trackAct(f.code, 'erase', 'yes',
	    { field: 'confirm' })).status, 200);
	await go(`/review/cases/${f.reference}`);
	assert.equal(await page.locator('#evidence a').count(), 1);
	assert.match(await page.textContent('#erasure'), /asked/);
	await check('case page with a file and an erasure request',
	    'review-erasure-requested');
	await page.locator('#f-hold-text').fill('A court order of 3 March ' +
	    'requires us to keep this report.');
	await clickAndLoad(page.getByRole('button', { name: 'Record the hold' }));
	assert.match(await page.textContent('#erasure'), /Legal hold since/);
	await check('case page under a legal hold');
	await clickAndLoad(page.getByRole('button', { name: 'Lift the hold' }));
	await clickAndLoad(page.getByRole('button', { name: 'Erase for good' }));
	assert.match(await page.textContent('#erasure'), /was erased/);
	assert.equal(await page.locator('#evidence a').count(), 0);
	await check('erased case page', 'review-erased');
});

test('account and administration pages pass the same checks', async () => {
	for (const [path, name] of [['/review/account', 'account'],
	    ['/admin', 'admin'], ['/admin/accounts', 'admin-accounts'],
	    [`/admin/account?id=${account.id}`, 'admin-account'],
	    ['/admin/routing', 'admin-routing'],
	    ['/admin/taxonomy', 'admin-taxonomy'],
	    ['/admin/audit', 'admin-audit'],
	    ['/admin/calendars', 'admin-calendars'],
	    ['/admin/calendars/default', 'admin-calendar'],
	    ['/admin/policies', 'admin-policies'],
	    ['/admin/policies/standard', 'admin-policy'],
	    ['/admin/pause-reasons', 'admin-pause-reasons'],
	    ['/admin/outbox', 'admin-outbox'],
	    ['/review/refusals', 'refusals']]) {
		await go(path);
		await check(name, `review-${name}`);
	}
});

test('logging out ends the session', async () => {
	await go('/review');
	await clickAndLoad(page.getByRole('button', { name: /Log out/ }));
	assert.equal(new URL(page.url()).pathname, '/review/login');
	const r = await page.goto(REVIEW + '/review');
	assert.equal(new URL(page.url()).pathname, '/review/login');
	assert.equal(r.status(), 200);
});
