// The clocks in a real browser: the supervisor's SLA dashboard, the work list with risk in words and the case page's clock panel, each at 375px and 1280px with zero axe violations and no sideways scrolling; screenshots saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, checkPage, DESKTOP } from './helpers.mjs';
import { staffUser, freshCode, act, REVIEW } from '../lib/staff.mjs';
import { fileComplaint } from '../lib/client.mjs';
import { query } from '../lib/db.mjs';
import { caseId, recompute } from '../lib/sla.mjs';

let browser, context, page, user;
const cases = [];

before(async () => {
	await query(`INSERT INTO sla_pause_reasons (code, label) VALUES
	    ('legal_hold', 'Legal hold') ON CONFLICT DO NOTHING`);
	user = await staffUser({ roles: ['reviewer', 'supervisor'],
	    queues: ['general'], name: 'Bea Browser' });
	// Three cases: one breached (received ten days ago), one paused by
	// staff, one running.
	for (let i = 0; i < 3; i++) {
		const c = await fileComplaint({ category: 'privacy.consent' });
		cases.push({ ...c, id: await caseId(c.reference) });
		// Taken, so that the work list of this account shows just these.
		assert.equal((await act(user, c.reference, 'take')).status, 303);
	}
	await recompute(cases.map((c) => c.id));
	await query(`UPDATE case_events SET at = now() - interval '10 days'
	    WHERE case_id = $1`, [cases[0].id]);
	const r = await act(user, cases[1].reference, 'clock_pause',
	    { reason: 'legal_hold', text: 'Waiting for counsel' });
	assert.equal(r.status, 303);
	await recompute(cases.map((c) => c.id));

	browser = await launch();
	context = await newContext(browser, { viewport: DESKTOP });
	page = await context.newPage();
	// Logged in through the login page, with a code not used yet.
	await page.goto(REVIEW + '/review/login');
	const { step, code } = await freshCode(user);
	await page.getByLabel('Login name').fill(user.login);
	await page.getByLabel('Password').fill(user.password);
	await page.getByLabel('Code from your authenticator app').fill(code);
	await Promise.all([page.waitForEvent('load'),
	    page.getByRole('button', { name: 'Log in' }).click()]);
	assert.equal(new URL(page.url()).pathname, '/review');
	user.lastStep = step;
});

after(async () => {
	await browser?.close();
	await query("UPDATE cases SET state = 'rejected' WHERE id = ANY ($1)",
	    [cases.map((c) => c.id)]);
});

async function go(path) {
	const r = await page.goto(REVIEW + path);
	assert.equal(r.status(), 200, `GET ${path}`);
}

test('the SLA dashboard at 375 and 1280 px', async () => {
	await go('/review/dashboard');
	assert.equal(await page.locator('h1').textContent(),
	    'Service-level dashboard');
	assert.ok(await page.locator('#by-queue caption').count() === 1);
	await checkPage(page, 'SLA dashboard', 'sla-dashboard');
});

test('the work list with risk in words at 375 and 1280 px', async () => {
	await go('/review?assignee=me');
	const row = page.locator('table.worklist tr', { hasText:
	    cases[0].reference });
	assert.match(await row.textContent(), /Breached\s*overdue by/);
	const paused = page.locator('table.worklist tr', { hasText:
	    cases[1].reference });
	assert.match(await paused.textContent(), /Paused\s*paused since/);
	await checkPage(page, 'work list', 'sla-worklist');
});

test('the case page\'s clock panel at 375 and 1280 px', async () => {
	await go(`/review/cases/${cases[1].reference}`);
	assert.equal(await page.locator('#clocks-h').textContent(),
	    'Service-level clocks');
	assert.ok(await page.locator('table.pauses').count() === 1);
	await checkPage(page, 'clock panel', 'sla-clock-panel');
});
