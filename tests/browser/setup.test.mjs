// The set-up link in a real browser: opened exactly as make admin's script prints it, its QR code scanned from a screenshot (jsQR) to the otpauth link, the key in groups of four, and password inputs styled like text inputs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { launch, newContext, DESKTOP } from './helpers.mjs';
import { REVIEW, uniqueLogin } from '../lib/staff.mjs';

const require = createRequire(import.meta.url);
const jsQR = require('jsqr');
const { PNG } = require('pngjs');
const run = promisify(execFile);
const TOP = new URL('../../', import.meta.url).pathname;

let browser, page, login, link;

before(async () => {
	browser = await launch();
	page = await (await newContext(browser, { viewport: DESKTOP }))
	    .newPage();
	// make admin's body, finding the back office as make run left it.
	const env = { ...process.env };
	delete env.RECOURSE_REVIEW_BASE_URL;
	login = uniqueLogin('qr');
	const { stdout } = await run('sh', [`${TOP}src/tools/admin.sh`, login,
	    'Quinn Scanner', 'reviewer'], { env });
	link = stdout.trim().split('\n').pop();
});

after(async () => {
	await browser?.close();
});

// The properties that make an input look like the form's other inputs.
const LOOK = ['display', 'borderTopWidth', 'borderTopStyle',
    'borderTopColor', 'borderLeftWidth', 'paddingTop', 'paddingLeft',
    'fontSize', 'fontFamily', 'backgroundColor', 'color', 'borderRadius'];

test('the printed set-up link opens the set-up page as printed', async () => {
	assert.ok(link.startsWith(`${REVIEW}/account/setup?token=`), link);
	const r = await page.goto(link);
	assert.equal(r.status(), 200);
	assert.equal(await page.locator('h1').textContent(),
	    'Set up your account');
	assert.match(await page.textContent('main'), new RegExp(login));
});

test('the QR code scans to the otpauth link; the key is shown in groups',
    async () => {
	const qr = page.getByRole('img', { name: /QR code/ });
	assert.equal(await qr.count(), 1);
	const shot = PNG.sync.read(await qr.screenshot());
	const found = jsQR(new Uint8ClampedArray(shot.data), shot.width,
	    shot.height);
	assert.ok(found, 'the QR code did not scan');
	const href = await page.locator('a[href^="otpauth:"]')
	    .getAttribute('href');
	assert.equal(found.data, href);
	const key = (await page.locator('#totp-secret').textContent()).trim();
	assert.match(key, /^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/);
	const uri = new URL(found.data);
	assert.equal(uri.protocol, 'otpauth:');
	assert.equal(uri.searchParams.get('secret'), key.replace(/ /g, ''));
	assert.equal(uri.host, 'totp');
	assert.equal(decodeURIComponent(uri.pathname), `/Recourse:${login}`);
});

test('password inputs look like the other inputs', async () => {
	const looks = await page.evaluate((props) => {
		const look = (el) => props.map((p) => getComputedStyle(el)[p]);
		const text = document.createElement('input');
		text.type = 'text';
		document.querySelector('form').append(text);
		return { text: look(text), password: look(
		    document.querySelector('input[type=password]')) };
	}, LOOK);
	assert.deepEqual(looks.password, looks.text);
	assert.equal(looks.password[1], '2px', 'the stylesheet applies');
});
