// Back-office helpers for the tests: accounts made with the real recourse-admin tool, set up and logged in through the real pages with TOTP codes computed here, and actions submitted through the forms the case page renders (or forged by hand where a test is about a forged request).
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseHtml, hiddenValue } from './html.mjs';
import { formFor as pageFormFor, formsOf } from './pageform.mjs';
import { formFor, submitForm } from './forms.mjs';

const run = promisify(execFile);

export const REVIEW = process.env.RECOURSE_REVIEW_URL;
if (!REVIEW)
	throw new Error('RECOURSE_REVIEW_URL is not set: run the tests through tests/env.sh');

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(s) {
	let bits = '';
	for (const ch of s.replace(/=+$/, ''))
		bits += B32.indexOf(ch).toString(2).padStart(5, '0');
	const out = [];
	for (let i = 0; i + 8 <= bits.length; i += 8)
		out.push(parseInt(bits.slice(i, i + 8), 2));
	return Buffer.from(out);
}

// The RFC 6238 code (SHA-1, 30 s, 6 digits) for a time step.
export function totpAt(secretB32, step) {
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(step));
	const h = crypto.createHmac('sha1', base32Decode(secretB32))
	    .update(msg).digest();
	const o = h[h.length - 1] & 15;
	return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000)
	    .padStart(6, '0');
}

export function currentStep(at = Date.now()) {
	return Math.floor(at / 30000);
}

// Waits until at least 'margin' ms remain in the current 30 s step, so a
// test that uses neighbouring steps is not split by a step boundary.
export async function awayFromStepEdge(margin = 3000) {
	const left = 30000 - (Date.now() % 30000);
	if (left < margin)
		await new Promise((r) => setTimeout(r, left + 100));
}

// fetch() against the back office; never follows redirects.
export async function reviewRequest(path, { method = 'GET', headers = {},
    body, cookie } = {}) {
	const h = { ...headers };
	if (cookie)
		h.cookie = cookie;
	const res = await fetch(REVIEW + path, { method, headers: h, body,
	    redirect: 'manual' });
	const buf = Buffer.from(await res.arrayBuffer());
	return { status: res.status, headers: res.headers, body: buf,
	    text: buf.toString('utf8') };
}

// The value of a cookie set by a response, or null.
export function setCookie(res, name) {
	for (const c of res.headers.getSetCookie()) {
		const m = new RegExp(`^${name.replace(/[-]/g, '\\-')}=([^;]*)`)
		    .exec(c);
		if (m)
			return m[1];
	}
	return null;
}

export function form(fields) {
	const fd = new FormData();
	for (const [k, v] of Object.entries(fields)) {
		if (Array.isArray(v))
			for (const x of v)
				fd.append(k, x);
		else if (v !== undefined && v !== null)
			fd.append(k, String(v));
	}
	return fd;
}

let serial = 0;

export function uniqueLogin(prefix = 'u') {
	serial++;
	return `${prefix}${process.pid}x${serial}${crypto.randomBytes(3)
	    .toString('hex')}`;
}

// recourse-admin create-user; returns { id, token, link }.
export async function createAccount({ login = uniqueLogin(), name = 'Test Person',
    roles = ['reviewer'], queues = ['general'] } = {}) {
	const args = ['create-user', login, '--name', name, '--roles',
	    roles.join(',')];
	if (queues.length)
		args.push('--queues', queues.join(','));
	args.push('--base-url', REVIEW);
	const { stdout } = await run(process.env.RECOURSE_ADMIN, args,
	    { env: process.env });
	const id = Number(/account (\d+)/.exec(stdout)[1]);
	const link = /(http\S+\/account\/setup\?token=([0-9a-f]{64}))/
	    .exec(stdout);
	return { id, login, link: link[1], token: link[2] };
}

// Opens the set-up page: its csrf cookie and token, and the TOTP secret.
export async function openSetup(token) {
	const res = await reviewRequest(`/account/setup?token=${token}`);
	const doc = parseHtml(res.text);
	const secretEl = doc.querySelector('#totp-secret');
	return { res, status: res.status, doc,
	    secret: secretEl ? secretEl.text.replace(/\s+/g, '') : null,
	    csrf: hiddenValue(doc, 'csrf'),
	    cookie: setCookie(res, 'rc_csrf') };
}

// Completes set-up with a code for the current step, through the form the
// set-up page renders, filled as a person would.
export async function setUp(token, password, { step = currentStep() } = {}) {
	const page = await openSetup(token);
	const res = await pageFormFor(page.doc, `${REVIEW}/account/setup?token=` +
	    token, '/account/setup').fill({ password, password_confirm:
	    password, code: totpAt(page.secret, step) }).submit();
	return { res, secret: page.secret, step };
}

// Logs in through the login page's own form; returns the response and the
// session cookie header, if any.
export async function login(loginName, password, code, { cookie } = {}) {
	const page = await reviewRequest('/review/login', { cookie });
	const res = await pageFormFor(parseHtml(page.text), REVIEW +
	    '/review/login', '/review/login').fill({ login: loginName, password,
	    code }).submit({ cookie });
	const session = setCookie(res, '__Host-rc_staff');
	return { res, status: res.status,
	    cookie: session ? `__Host-rc_staff=${session}` : null,
	    session };
}

// The CSRF token of a session, read from a back-office page.
export async function sessionCsrf(cookie) {
	const res = await reviewRequest('/review', { cookie });
	return hiddenValue(parseHtml(res.text), 'csrf');
}

// A ready member of staff: created, set up and logged in.  Set-up and
// login use the codes of the previous and the current step, so the next
// step's code is free at once (making an API token wants one).
export async function staffUser({ roles = ['reviewer'], queues = ['general'],
    name = 'Test Person', password = 'correct horse battery' } = {}) {
	await awayFromStepEdge(5000);
	const acc = await createAccount({ roles, queues, name });
	const s = await setUp(acc.token, password, { step: currentStep() - 1 });
	if (s.res.status !== 200)
		throw new Error(`set-up failed: ${s.res.status}`);
	const l = await login(acc.login, password, totpAt(s.secret, s.step + 1));
	if (!l.cookie)
		throw new Error(`login failed: ${l.status}`);
	const csrf = await sessionCsrf(l.cookie);
	return { ...acc, password, secret: s.secret, lastStep: s.step + 1,
	    cookie: l.cookie, csrf };
}

// The earliest step in the accepted window (now-1 .. now+1) newer than the
// last one the account used, and its code; waits for the next 30 s step
// when the window has none left.
export async function freshCode(user, margin = 4000) {
	for (;;) {
		await awayFromStepEdge(margin);
		const now = currentStep();
		for (const step of [now - 1, now, now + 1])
			if (step > user.lastStep)
				return { step, code: totpAt(user.secret, step) };
		await new Promise((r) => setTimeout(r,
		    30000 - (Date.now() % 30000) + 200));
	}
}

// Makes an API token through the form the account page renders: its
// hidden fields, a label, the lifetime it offers (or 'days'), the
// password and a fresh code unless given.  Returns the response, its
// document, the token shown (or null) and the expiry shown with it.
export async function createToken(user, { label = 'test token', days,
    password = user.password, code, csrf = true, cookie = user.cookie,
    headers } = {}) {
	const page = await reviewRequest('/review/account',
	    { cookie: user.cookie });
	const f = parseHtml(page.text)
	    .querySelector('form[action="/review/account/tokens"]');
	if (!f)
		throw new Error(`no token form: ${page.status}`);
	const fields = {};
	for (const el of f.querySelectorAll('input[type="hidden"]'))
		fields[el.getAttribute('name')] = el.getAttribute('value');
	if (!csrf)
		delete fields.csrf;
	const offered = f.querySelector('input[name="days"][checked]');
	let step = null;
	if (code === undefined)
		({ step, code } = await freshCode(user));
	Object.assign(fields, { label, days: days ?? offered
	    ?.getAttribute('value'), token_password: password,
	    token_code: code });
	const res = await reviewRequest(f.getAttribute('action'), {
	    method: f.getAttribute('method').toUpperCase(), cookie, headers,
	    body: form(fields) });
	if (res.status === 201 && step !== null)
		user.lastStep = step;
	const doc = parseHtml(res.text);
	const el = doc.querySelector('#new-token');
	return { res, doc, token: el ? el.text.trim() : null,
	    expires: doc.querySelector('#new-token-expires')?.text ?? null };
}

// The case page as this user: { res, doc }.
export async function casePage(user, reference) {
	const res = await reviewRequest(`/review/cases/${reference}`,
	    { cookie: user.cookie });
	return { res, doc: parseHtml(res.text) };
}

// The verbs whose forms the case page offers this user now.
export function offeredVerbs(doc, reference) {
	const prefix = `/review/cases/${reference}/`;
	return doc.querySelectorAll('form').map((f) => f.getAttribute('action'))
	    .filter((a) => a && a.startsWith(prefix))
	    .map((a) => a.slice(prefix.length)).sort();
}

// The action's form on a case page (see forms.mjs), or null.
export function actionForm(doc, reference, verb) {
	return formFor(doc, (f) => f.getAttribute('action') ===
	    `/review/cases/${reference}/${verb}`);
}

/*
 * Does what a reviewer does in the browser: opens the case page, finds
 * the action's form and submits it with 'fields' filled in by name.
 * Throws when the page offers no such form (a test of a refused action
 * posts by hand with forgeAct).
 */
export async function act(user, reference, verb, fields = {}) {
	const { res, doc } = await casePage(user, reference);
	const f = actionForm(doc, reference, verb);
	if (!f)
		throw new Error(`the case page of ${reference} (${res.status}) ` +
		    `offers ${user.login} no "${verb}" form; it offers ` +
		    `${offeredVerbs(doc, reference).join(', ') || 'none'}`);
	const r = await submitForm(REVIEW, f, fields, { cookie: user.cookie });
	return { ...r, body: Buffer.from(r.text) };
}

// A hand-built POST /review/cases/REF/VERB, for forged requests: actions
// the page does not offer, cases out of reach (csrf: false leaves it out).
export async function forgeAct(user, reference, verb, fields = {},
    { csrf = true } = {}) {
	const f = { ...fields };
	if (csrf)
		f.csrf = user.csrf;
	return reviewRequest(`/review/cases/${reference}/${verb}`, {
	    method: 'POST', cookie: user.cookie, body: form(f) });
}

// Sets an account's e-mail address through the form its admin page
// renders, as 'admin' (an admin's staffUser).
export async function setStaffEmail(admin, id, email) {
	const path = `/admin/account?id=${id}`;
	const page = await reviewRequest(path, { cookie: admin.cookie });
	const f = formsOf(parseHtml(page.text), REVIEW + path).find((x) =>
	    x.action === '/admin/accounts/update');
	return f.fill({ email }).submit({ cookie: admin.cookie });
}
