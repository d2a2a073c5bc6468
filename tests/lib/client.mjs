// A small HTTP client for Recourse's HTTP tests: the pages' own forms filled and sent as a browser would, JSON intake, tracking, and random X-Real-IP addresses.
import crypto from 'node:crypto';
import { parseHtml, hiddenValue } from './html.mjs';
import { formFor } from './pageform.mjs';

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

// The rc_csrf cookie a response sets, as a Cookie header value, or null
// (the public side sets none since forms stopped needing one).
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

// The form posting to 'action' on a page of ours already fetched (its
// path 'pagePath'), ready to fill and submit.
export function pageFormOf(doc, pagePath, action) {
	return formFor(doc, BASE + pagePath, action);
}

// GET /complaints/new: the page, its form's csrf and idempotency_token,
// and any cookie.  pageForm() reads the form afresh for each submission.
export async function getForm(opts = {}) {
	const res = await request('/complaints/new', opts);
	const doc = parseHtml(res.text);
	const url = BASE + '/complaints/new';
	return { res, doc, url, status: res.status,
	    cookie: csrfCookie(res) ?? opts.cookie ?? null,
	    csrf: hiddenValue(doc, 'csrf'),
	    token: hiddenValue(doc, 'idempotency_token'),
	    pageForm: () => formFor(doc, url, '/complaints') };
}

// GET /track: the page, its csrf and any cookie.
export async function getTrack(opts = {}) {
	const res = await request('/track', opts);
	const doc = parseHtml(res.text);
	const url = BASE + '/track';
	return { res, doc, url, status: res.status,
	    cookie: csrfCookie(res) ?? opts.cookie ?? null,
	    csrf: hiddenValue(doc, 'csrf'),
	    pageForm: () => formFor(doc, url, '/track') };
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

// POST /complaints.  'form' is the result of getForm().  By default the
// page's form is filled by field name and sent as a browser sends it.
// A forged or malformed request (forged: true, exact: true for byte-exact
// multipart, or a csrf/token override, null leaving one out) is built by
// hand from the fields given instead.
export async function postComplaint(form, fields, { exact = false, ip,
    cookie, csrf, token, forged = false, headers } = {}) {
	if (!forged && !exact && csrf === undefined && token === undefined) {
		const res = await form.pageForm().fill(fields).submit({ ip,
		    headers, cookie: cookie === undefined ? form.cookie :
		    cookie });
		return res;
	}
	const all = {
		csrf: csrf === undefined ? form.csrf : csrf,
		idempotency_token: token === undefined ? form.token : token,
		...fields,
	};
	const ck = cookie === undefined ? form.cookie : cookie;
	let body, hdrs = {};
	if (exact) {
		const m = multipartExact(all);
		body = m.body;
		hdrs['content-type'] = m.contentType;
	} else
		body = formData(all);
	const res = await request('/complaints', { method: 'POST', body,
	    headers: { ...headers, ...hdrs }, cookie: ck, ip });
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

// POST /track with a receipt code typed into a fresh GET /track's form.
export async function postTrack(code, { ip, track, headers } = {}) {
	ip = ip ?? randomIp();
	const t = track ?? await getTrack({ ip });
	return t.pageForm().set('receipt_code', code).submit({ ip, headers,
	    cookie: t.cookie });
}

// Looks the case up, then sends the reply or appeal form that the
// report's page shows ('reply' or 'appeal'), typed as a person would, a
// reply with 'files' ([{name, data, type}]) chosen in its file input; or
// another of its forms with 'field' set ('erase' with confirm: 'yes').
// Returns the response, or throws when the page offers no such form.
export async function trackAct(code, verb, text, { ip, headers,
    field = verb, files } = {}) {
	ip = ip ?? randomIp();
	const page = await postTrack(code, { ip });
	if (page.status !== 200)
		throw new Error(`lookup answered ${page.status}`);
	const form = formFor(page.doc, page.url, `/track/${verb}`)
	    .set(field, text);
	if (files !== undefined)
		form.set('evidence', files);
	return form.submit({ ip, headers });
}

// Whether the report's page offers the reply or appeal form.
export async function trackOffers(code, verb, { ip } = {}) {
	const page = await postTrack(code, { ip });
	return page.doc.querySelector(`form[action="/track/${verb}"]`) !== null;
}

// A reply or appeal the page does not offer, forged by hand with the
// field names the page would use and a genuine token.
export async function trackForged(code, verb, text, { ip } = {}) {
	const t = await getTrack({ ip });
	const res = await request(`/track/${verb}`, { method: 'POST', ip,
	    body: formData({ csrf: t.csrf, receipt_code: code, [verb]: text }) });
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

// POST /api/v1/track/{reply,appeal,withdraw}: the text, or the consent;
// a reply's 'evidence' ([{name, content_base64}]) when given.
export function apiTrackAct(code, verb, value, opts = {}) {
	const { evidence, ...rest } = opts;
	return apiPost(`/api/v1/track/${verb}`, { receipt_code: code,
	    [verb === 'withdraw' ? 'consent' : 'text']: value,
	    ...(evidence !== undefined ? { evidence } : {}) }, rest);
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
