// Submitting a page's form as a browser would: read it from the rendered HTML (action, method, enctype, hidden inputs, defaults, field names), fill fields by name, encode as its enctype says, and post it with the page's cookies.
//
//   const form = formFor(doc, (f) => f.getAttribute('action') === '/x');
//   const res = await submitForm(BASE, form, { text: 'hello' }, { jar });
//
// fill() refuses a name the form has no control for, and a value a select,
// checkbox or radio does not offer: a browser cannot send either, so a test
// that needs one is about a forged request and should build it by hand.
import crypto from 'node:crypto';
import { parseHtml } from './html.mjs';

function controlsOf(formEl) {
	return formEl.querySelectorAll('input, select, textarea, button');
}

/*
 * The form of 'doc' (HTML text or a parsed document) that 'predicate'
 * accepts (a function of the form element, or a CSS selector), or null.
 * Returns { action, method, enctype, fields, controls, names }: 'fields'
 * are the [name, value] pairs the browser would send untouched (hidden
 * inputs, text values, selected options, checked boxes), 'controls' what
 * each name may take.
 */
export function formFor(doc, predicate) {
	if (typeof doc === 'string')
		doc = parseHtml(doc);
	const all = doc.querySelectorAll('form');
	const el = typeof predicate === 'string' ? doc.querySelector(predicate) :
	    all.find((f) => predicate(f));
	if (!el)
		return null;
	const fields = [];
	const controls = new Map();
	for (const c of controlsOf(el)) {
		const name = c.getAttribute('name');
		const tag = c.tagName.toLowerCase();
		if (!name || c.hasAttribute('disabled'))
			continue;
		const type = tag === 'input' ?
		    (c.getAttribute('type') || 'text').toLowerCase() : tag;
		if (type === 'submit' || type === 'button' || type === 'reset')
			continue;
		const ctl = controls.get(name) ?? { type, values: [] };
		controls.set(name, ctl);
		if (tag === 'select') {
			const opts = c.querySelectorAll('option');
			ctl.values.push(...opts.map((o) => o.getAttribute('value') ??
			    o.text));
			const sel = opts.filter((o) => o.hasAttribute('selected'));
			// A single select without a selected option sends its
			// first one.
			const chosen = sel.length ? sel :
			    c.hasAttribute('multiple') ? [] : opts.slice(0, 1);
			for (const o of chosen)
				fields.push([name, o.getAttribute('value') ?? o.text]);
		} else if (tag === 'textarea') {
			// The HTML parser drops one newline after <textarea>.
			fields.push([name, c.text.replace(/^\n/, '')]);
		} else if (type === 'checkbox' || type === 'radio') {
			const v = c.getAttribute('value') ?? 'on';
			ctl.values.push(v);
			if (c.hasAttribute('checked'))
				fields.push([name, v]);
		} else
			fields.push([name, c.getAttribute('value') ?? '']);
	}
	return {
		action: el.getAttribute('action') ?? '',
		method: (el.getAttribute('method') ?? 'get').toLowerCase(),
		enctype: (el.getAttribute('enctype') ??
		    'application/x-www-form-urlencoded').toLowerCase(),
		fields, controls, names: [...controls.keys()],
	};
}

/*
 * The pairs the browser would send after the user set 'values' by name:
 * a string (or number) for one value, an array for several checkboxes, or
 * null to clear (untick, empty).  Other fields keep their defaults.
 */
export function fill(form, values = {}) {
	let out = form.fields.slice();
	for (const [name, raw] of Object.entries(values)) {
		const ctl = form.controls.get(name);
		if (!ctl)
			throw new Error(`the form (${form.action}) has no field ` +
			    `"${name}"; it has ${form.names.join(', ')}`);
		const list = raw === null || raw === undefined ? [] :
		    (Array.isArray(raw) ? raw : [raw]).map(String);
		if (['select', 'checkbox', 'radio'].includes(ctl.type))
			for (const v of list)
				if (!ctl.values.includes(v))
					throw new Error(`"${name}" of ${form.action} ` +
					    `offers no "${v}" (${ctl.values.join(', ')})`);
		out = out.filter(([n]) => n !== name);
		if (ctl.type === 'select' || ctl.type === 'checkbox' ||
		    ctl.type === 'radio' || list.length > 0)
			for (const v of list)
				out.push([name, v]);
		else
			out.push([name, '']);	// a cleared text box is sent empty
	}
	return out;
}

/*
 * The body for 'pairs' as the enctype says: multipart byte for byte (text
 * parts verbatim), or urlencoded as browsers write it.
 */
export function encode(enctype, pairs) {
	if (enctype === 'multipart/form-data') {
		const boundary = '----formfill' + crypto.randomBytes(12)
		    .toString('hex');
		const parts = [];
		for (const [k, v] of pairs) {
			parts.push(Buffer.from(`--${boundary}\r\nContent-` +
			    `Disposition: form-data; name="${k}"\r\n\r\n`));
			parts.push(Buffer.from(String(v), 'utf8'));
			parts.push(Buffer.from('\r\n'));
		}
		parts.push(Buffer.from(`--${boundary}--\r\n`));
		return { body: Buffer.concat(parts),
		    contentType: `multipart/form-data; boundary=${boundary}` };
	}
	const p = new URLSearchParams();
	for (const [k, v] of pairs)
		p.append(k, String(v));
	return { body: p.toString(),
	    contentType: 'application/x-www-form-urlencoded' };
}

// Cookies as a browser keeps them for one site: set by answers, sent back.
export class CookieJar {
	constructor(header = '') {
		this.cookies = new Map();
		for (const c of header.split(';').map((x) => x.trim())
		    .filter(Boolean)) {
			const i = c.indexOf('=');
			this.cookies.set(c.slice(0, i), c.slice(i + 1));
		}
	}

	take(res) {
		const all = res.headers.getSetCookie ?
		    res.headers.getSetCookie() : [];
		for (const c of all) {
			const [pair, ...attrs] = c.split(';');
			const i = pair.indexOf('=');
			const name = pair.slice(0, i).trim();
			const gone = attrs.some((a) =>
			    /^\s*max-age=0\s*$/i.test(a));
			if (gone)
				this.cookies.delete(name);
			else
				this.cookies.set(name, pair.slice(i + 1));
		}
	}

	header() {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}
}

/*
 * Submits 'form' (from formFor) against 'base' with 'values' filled in;
 * 'jar' (a CookieJar) or 'cookie' (a header) carries the session.  Never
 * follows redirects.  Returns { status, headers, text, doc }.
 */
export async function submitForm(base, form, values = {}, { jar, cookie,
    headers = {} } = {}) {
	const pairs = fill(form, values);
	const h = { ...headers };
	const ck = jar ? jar.header() : cookie;
	if (ck)
		h.cookie = ck;
	let url = new URL(form.action || '/', base), body;
	if (form.method === 'post') {
		const e = encode(form.enctype, pairs);
		h['content-type'] = e.contentType;
		body = e.body;
	} else
		url.search = new URLSearchParams(pairs.map(([k, v]) =>
		    [k, String(v)])).toString();
	const res = await fetch(url, { method: form.method.toUpperCase(),
	    headers: h, body, redirect: 'manual' });
	jar?.take(res);
	const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
	return { status: res.status, headers: res.headers, text,
	    doc: parseHtml(text) };
}
