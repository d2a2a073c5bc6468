// A small HTTP client for Recourse's HTTP tests: the form's CSRF dance, multipart and JSON intake, tracking, and random X-Real-IP addresses.
import crypto from 'node:crypto';
import { parseHtml, hiddenValue } from './html.mjs';

export const BASE = process.env.RECOURSE_URL;
if (!BASE)
	throw new Error('RECOURSE_URL is not set: run the tests through tests/env.sh');

// Every address the tests send as X-Real-IP, so that the server log can be
// searched for them.  2001:db8::/32 is the documentation prefix.
export const sentAddresses = new Set();

export function randomIp() {
	const g = () => crypto.randomBytes(2).toString('hex');
	const ip = `2001:db8:${g()}:${g()}:${g()}:${g()}:${g()}:${g()}`;
	sentAddresses.add(ip);
	return ip;
}

// An IPv4 address from 198.18.0.0/15 (RFC 2544, for tests), never the same
// twice in one process: a test that used up an address's lookup allowance
// must not hand that address to the next test, which then got 429 for
// every lookup.  (From 203.0.113.0/24's 254 addresses that happened once
// in 254 runs, and far more often when the tests ran again within the hour
// against the same server.)
export function randomIpv4() {
	for (;;) {
		const b = crypto.randomBytes(3);
		const ip = `198.${18 + (b[0] & 1)}.${b[1]}.${1 + (b[2] % 254)}`;
		if (!sentAddresses.has(ip)) {
			sentAddresses.add(ip);
			return ip;
		}
	}
}

// fetch() with a fresh X-Real-IP unless the caller gives one ('ip'), and an
// optional cookie header.  Never follows redirects.
export async function request(path, { method = 'GET', headers = {}, body,
    ip, cookie, signal } = {}) {
	const h = { 'x-real-ip': ip ?? randomIp(), ...headers };
	if (cookie)
		h.cookie = cookie;
	const res = await fetch(BASE + path, { method, headers: h, body,
	    redirect: 'manual', signal });
	const buf = Buffer.from(await res.arrayBuffer());
	return { status: res.status, headers: res.headers, body: buf,
	    text: buf.toString('utf8') };
}

// The rc_csrf cookie a response sets, as a Cookie header value, or null.
export function csrfCookie(res) {
	const all = res.headers.getSetCookie ? res.headers.getSetCookie() :
	    [res.headers.get('set-cookie')].filter(Boolean);
	for (const c of all) {
		const m = /^rc_csrf=([^;]*)/.exec(c);
		if (m)
			return `rc_csrf=${m[1]}`;
	}
	return null;
}

// GET /complaints/new: the form's csrf and idempotency_token and the cookie.
export async function getForm(opts = {}) {
	const res = await request('/complaints/new', opts);
	const doc = parseHtml(res.text);
	return { res, doc, status: res.status,
	    cookie: csrfCookie(res) ?? opts.cookie ?? null,
	    csrf: hiddenValue(doc, 'csrf'),
	    token: hiddenValue(doc, 'idempotency_token') };
}

// GET /track: its csrf and cookie.
export async function getTrack(opts = {}) {
	const res = await request('/track', opts);
	const doc = parseHtml(res.text);
	return { res, doc, status: res.status,
	    cookie: csrfCookie(res) ?? opts.cookie ?? null,
	    csrf: hiddenValue(doc, 'csrf') };
}

let seq = 0;

// A unique marker put into free text so that it can be searched for in the
// database and the server log.
export function marker(tag = 'M') {
	seq++;
	return `RCMARK${tag}${process.pid}x${seq}x${crypto.randomBytes(4).toString('hex')}`;
}

// A valid complaint as form fields (strings; checkboxes "yes").
export function validFields(over = {}) {
	return {
		category: 'privacy.consent',
		channel: 'social_ad',
		occurred_on: '2024-05-01',
		brand: 'Acme Widgets',
		description: `An advert followed me everywhere. ${marker('D')}`,
		...over,
	};
}

// The same complaint as an API document (booleans for the flags).
export function validDoc(over = {}) {
	return {
		category: 'privacy.consent',
		channel: 'social_ad',
		occurred_on: '2024-05-01',
		brand: 'Acme Widgets',
		description: `An advert followed me everywhere. ${marker('J')}`,
		...over,
	};
}

export function formData(fields) {
	const fd = new FormData();
	for (const [k, v] of Object.entries(fields))
		if (v !== undefined && v !== null)
			fd.append(k, v);
	return fd;
}

// A multipart/form-data body built byte by byte, so that values arrive
// exactly as given (FormData turns every newline into CRLF).
export function multipartExact(fields) {
	const boundary = '----recourse' + crypto.randomBytes(12).toString('hex');
	const parts = [];
	for (const [k, v] of Object.entries(fields)) {
		if (v === undefined || v === null)
			continue;
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ` +
		    `form-data; name="${k}"\r\n\r\n`));
		parts.push(Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8'));
		parts.push(Buffer.from('\r\n'));
	}
	parts.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(parts),
	    contentType: `multipart/form-data; boundary=${boundary}` };
}

// POST /complaints.  'form' is the result of getForm(); fields are added to
// its csrf and idempotency_token unless given (null leaves one out).
export async function postComplaint(form, fields, { exact = false, ip,
    cookie, csrf, token } = {}) {
	const all = {
		csrf: csrf === undefined ? form.csrf : csrf,
		idempotency_token: token === undefined ? form.token : token,
		...fields,
	};
	const ck = cookie === undefined ? form.cookie : cookie;
	let body, headers = {};
	if (exact) {
		const m = multipartExact(all);
		body = m.body;
		headers['content-type'] = m.contentType;
	} else
		body = formData(all);
	const res = await request('/complaints', { method: 'POST', body,
	    headers, cookie: ck, ip });
	res.doc = parseHtml(res.text);
	return res;
}

// GET the form, then POST a valid complaint; returns the receipt details.
export async function fileComplaint(over = {}, opts = {}) {
	const form = await getForm();
	const fields = validFields(over);
	const res = await postComplaint(form, fields, opts);
	return { form, fields, res, ...receiptOf(res.doc) };
}

// The reference and receipt code shown on a receipt page.
export function receiptOf(doc) {
	const ref = doc.querySelector('.reference');
	const code = doc.querySelector('#receipt-code');
	return { reference: ref ? ref.text : null, code: code ? code.text : null };
}

// POST /track with a receipt code, using a fresh GET /track for the csrf.
export async function postTrack(code, { ip, track } = {}) {
	ip = ip ?? randomIp();
	const t = track ?? await getTrack({ ip });
	const fd = formData({ csrf: t.csrf, receipt_code: code });
	const res = await request('/track', { method: 'POST', body: fd,
	    cookie: t.cookie, ip });
	res.doc = parseHtml(res.text);
	return res;
}

export async function apiPost(path, doc, { key, ip, contentType =
    'application/json', raw } = {}) {
	const headers = { 'content-type': contentType };
	if (key !== undefined && key !== null)
		headers['idempotency-key'] = key;
	const res = await request(path, { method: 'POST', headers, ip,
	    body: raw !== undefined ? raw : JSON.stringify(doc) });
	try {
		res.json = JSON.parse(res.text);
	} catch {
		res.json = undefined;
	}
	return res;
}

export function newKey() {
	return 'test-' + crypto.randomUUID();
}

export function apiComplaint(doc, opts = {}) {
	return apiPost('/api/v1/complaints', doc, { key: newKey(), ...opts });
}

export function apiTrack(code, opts = {}) {
	return apiPost('/api/v1/track', { receipt_code: code }, opts);
}

// Receipt codes: six groups of four symbols of Crockford's base32.
export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECEIPT_RE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$/;
export const REFERENCE_RE = /^RC-\d{4}-\d{6,}$/;

export function randomCode() {
	const b = crypto.randomBytes(24);
	let s = '';
	for (let i = 0; i < 24; i++) {
		if (i > 0 && i % 4 === 0)
			s += '-';
		s += CROCKFORD[b[i] % 32];
	}
	return s;
}

// The same code with one symbol changed to another symbol of the alphabet.
export function mutateCode(code, at = 7) {
	const chars = code.split('');
	let i = at;
	while (chars[i] === '-')
		i++;
	const cur = CROCKFORD.indexOf(chars[i]);
	chars[i] = CROCKFORD[(cur + 1) % 32];
	return chars.join('');
}

export function dateUTC(offsetDays = 0) {
	const d = new Date(Date.now() + offsetDays * 86400000);
	return d.toISOString().slice(0, 10);
}
