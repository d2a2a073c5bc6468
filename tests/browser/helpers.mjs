// Shared plumbing for the browser tests: launching Debian's Chromium, a fresh
// context per client, axe-core, and the test database.
import { createRequire } from 'node:module';
import { readFileSync, mkdirSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const pg = require('pg');

export const BASE = process.env.RECOURSE_URL;
if (!BASE)
	throw new Error('RECOURSE_URL is not set: source tests/env.sh and ' +
	    'run env_start first');

export const LAUNCH = {
	executablePath: '/usr/bin/chromium',
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
	    '--no-first-run', '--disable-background-networking',
	    '--disable-component-update', '--disable-sync'],
};

export function launch() {
	return chromium.launch(LAUNCH);
}

// A random address from the benchmarking range 198.18.0.0/15, so that each
// context is its own client for the tracking rate limit.
export function randomIp() {
	return `198.${randomInt(18, 20)}.${randomInt(0, 256)}.` +
	    `${randomInt(1, 255)}`;
}

// Every context sends a random X-Real-IP: each is its own client.
export async function newContext(browser, options = {}) {
	const ctx = await browser.newContext({
		extraHTTPHeaders: { 'X-Real-IP': randomIp() },
		...options,
	});
	ctx.setDefaultTimeout(10000);
	return ctx;
}

// Opens a page of the service and checks the status it was served with.
export async function open(page, path, status = 200) {
	const r = await page.goto(BASE + path);
	assert.equal(r.status(), status, `GET ${path}`);
	return r;
}

// Clicks a submit button and waits until the page the POST leads to has
// loaded; returns that POST's response.
export async function submit(page, button) {
	const response = page.waitForResponse((r) =>
	    r.request().method() === 'POST' &&
	    r.request().isNavigationRequest());
	const loaded = page.waitForEvent('load');
	await button.click();
	const r = await response;
	await loaded;
	return r;
}

// A past day, as the date input takes it (the server's day is UTC).
export function daysAgo(n) {
	return new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
}

export const PHONE = { width: 375, height: 812 };
export const DESKTOP = { width: 1280, height: 900 };

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'),
    'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// Runs axe-core on the page as it is; returns the violations. The page's
// CSP blocks script tags, so axe's source is evaluated directly.
export async function axe(page) {
	const has = await page.evaluate(() => typeof window.axe === 'object');
	if (!has)
		await page.evaluate(AXE_SOURCE);
	return page.evaluate(async (tags) => {
		const r = await window.axe.run(document, {
			runOnly: { type: 'tag', values: tags },
			resultTypes: ['violations'],
		});
		return r.violations.map((v) => ({
			id: v.id,
			impact: v.impact,
			help: v.help,
			targets: v.nodes.map((n) => ({
				target: n.target.join(' '),
				summary: n.failureSummary,
			})),
		}));
	}, AXE_TAGS);
}

const SHOTS = new URL('./screenshots/', import.meta.url).pathname;

// Runs axe on the page as it is at a phone's and a desktop's width, checks
// reflow (WCAG 1.4.10: nothing needs sideways scrolling), saves a
// screenshot at each width when 'shot' names one, and fails with every
// problem found.  The page is left at the desktop width.
export async function checkPage(page, name, shot) {
	const problems = [];

	for (const size of [PHONE, DESKTOP]) {
		await page.setViewportSize(size);
		const violations = await axe(page);
		if (violations.length > 0)
			problems.push(`${name} at ${size.width}px: ` +
			    `${violations.length} axe violation(s)\n` +
			    describeViolations(violations));
		const overflow = await page.evaluate(() =>
		    document.documentElement.scrollWidth -
		    document.documentElement.clientWidth);
		if (overflow > 0)
			problems.push(`${name} at ${size.width}px: the page is ` +
			    `${overflow}px wider than the window`);
		if (shot) {
			mkdirSync(SHOTS, { recursive: true });
			await page.screenshot({ fullPage: true,
			    path: `${SHOTS}${shot}-${size.width}.png` });
		}
	}
	assert.equal(problems.length, 0, '\n' + problems.join('\n'));
}

// Each violation with the elements it was found on and what to fix, for
// assertion messages.
export function describeViolations(violations) {
	return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
	    v.targets.map((t) => `    ${t.target}\n      ` +
	    String(t.summary).replace(/\n/g, '\n      ')).join('\n')).join('\n');
}

// A client for the test database (PostgreSQL's socket is in PGHOST).
export function db() {
	return new pg.Client({
		host: process.env.RECOURSE_PGHOST,
		user: process.env.RECOURSE_PGUSER,
		database: process.env.RECOURSE_DBNAME || 'recourse',
	});
}

export async function caseCount(client) {
	const r = await client.query('SELECT count(*)::int AS n FROM cases');
	return r.rows[0].n;
}

// A case reference, RC-YYYY-NNNNNN.
export const REFERENCE = /^RC-\d{4}-\d{6,}$/;
// A receipt code: six groups of four from Crockford's base-32 alphabet.
const GROUP = '[0-9A-HJKMNP-TV-Z]{4}';
export const RECEIPT = new RegExp(`^${GROUP}(?:-${GROUP}){5}$`);
