// Forms read from a rendered page and sent as a browser sends them: the form's own action, method, enctype, hidden inputs and field defaults, filled by the names the page gives its fields.
import { parseHtml } from './html.mjs';

// The controls a browser submits (buttons only when they are the submitter).
const CONTROLS = 'input, textarea, select';

export class PageForm {
	constructor(el, pageUrl) {
		this.el = el;
		this.pageUrl = pageUrl;
		const action = el.getAttribute('action');
		this.action = new URL(action === null || action === '' ?
		    pageUrl : action, pageUrl).pathname;
		this.method = (el.getAttribute('method') || 'get').toUpperCase();
		this.enctype = (el.getAttribute('enctype') ||
		    'application/x-www-form-urlencoded').toLowerCase();
		this.values = new Map();	// name -> [values], as submitted
		this.controls = new Map();	// name -> [elements]
		for (const c of el.querySelectorAll(CONTROLS)) {
			const name = c.getAttribute('name');
			if (!name || c.hasAttribute('disabled'))
				continue;
			if (!this.controls.has(name))
				this.controls.set(name, []);
			this.controls.get(name).push(c);
		}
		for (const [name, els] of this.controls)
			this.values.set(name, defaults(els));
	}

	// Every field name the form has (hidden ones included).
	names() {
		return [...this.controls.keys()].sort();
	}

	// The value a hidden input carries, or null.
	hidden(name) {
		const els = this.controls.get(name) ?? [];
		const h = els.find((e) => type(e) === 'hidden');
		return h ? h.getAttribute('value') ?? '' : null;
	}

	// Fills a field as a person would: text for inputs and text areas,
	// true/false for a checkbox, an offered value for radios and
	// selects (an array for checkbox groups and multiple selects).
	// A name the form does not have is an error: that is the point.
	set(name, value) {
		const els = this.controls.get(name);
		if (!els)
			throw new Error(`form ${this.action} has no field ` +
			    `"${name}" (it has: ${this.names().join(', ')})`);
		const t = type(els[0]);
		if (t === 'hidden')
			throw new Error(`"${name}" is hidden: a person cannot ` +
			    'type into it');
		if (t === 'checkbox') {
			const want = Array.isArray(value) ? value : null;
			const out = [];
			for (const e of els) {
				const v = e.getAttribute('value') ?? 'on';
				if (want ? want.includes(v) : value === true ||
				    value === v)
					out.push(v);
			}
			if (want && out.length !== want.length)
				throw new Error(`"${name}" offers no ${want}`);
			this.values.set(name, out);
		} else if (t === 'file') {
			// Files a person picked: [{ name, data, type }].
			const files = Array.isArray(value) ? value : [value];
			if (files.length > 1 && !els[0].hasAttribute('multiple'))
				throw new Error(`"${name}" takes one file`);
			this.values.set(name, files.map((f) => ({ file: true,
			    name: f.name, data: f.data,
			    type: f.type ?? 'application/octet-stream' })));
		} else if (t === 'radio' || t === 'select') {
			const offered = t === 'radio' ? els.map((e) =>
			    e.getAttribute('value')) : els[0]
			    .querySelectorAll('option').map((o) =>
			    o.getAttribute('value') ?? o.text);
			const want = Array.isArray(value) ? value : [value];
			for (const v of want)
				if (!offered.includes(String(v)))
					throw new Error(`"${name}" offers no ` +
					    `"${v}" (offers ${offered})`);
			this.values.set(name, want.map(String));
		} else
			this.values.set(name, [String(value)]);
		return this;
	}

	// Fills several fields; see set().
	fill(fields) {
		for (const [k, v] of Object.entries(fields))
			if (v !== undefined)
				this.set(k, v);
		return this;
	}

	// [name, value] pairs in the order a browser sends them.
	entries() {
		const out = [];
		for (const [name, vals] of this.values)
			for (const v of vals)
				out.push([name, v]);
		return out;
	}

	// The body and content type the form's enctype asks for.
	encode() {
		if (this.enctype === 'multipart/form-data') {
			const fd = new FormData();
			for (const [k, v] of this.entries())
				if (v?.file)
					fd.append(k, new Blob([v.data],
					    { type: v.type }), v.name);
				else
					fd.append(k, v);
			return { body: fd, contentType: null };
		}
		const p = new URLSearchParams();
		for (const [k, v] of this.entries())
			p.append(k, v);
		return { body: p.toString(),
		    contentType: 'application/x-www-form-urlencoded' };
	}

	// Submits the form to its action as a browser on the page's own
	// origin would (Origin and Sec-Fetch-Site: same-origin).  Options:
	// cookie, ip (X-Real-IP), headers (added or overriding), signal.
	async submit({ cookie, ip, headers = {}, signal } = {}) {
		if (this.method !== 'POST')
			throw new Error(`form ${this.action} is ${this.method}`);
		const origin = new URL(this.pageUrl).origin;
		const { body, contentType } = this.encode();
		const h = { origin, 'sec-fetch-site': 'same-origin',
		    'sec-fetch-mode': 'navigate', ...headers };
		// A header given as undefined is left out (an older browser).
		for (const k of Object.keys(h))
			if (h[k] === undefined)
				delete h[k];
		if (contentType)
			h['content-type'] = contentType;
		if (cookie)
			h.cookie = cookie;
		if (ip)
			h['x-real-ip'] = ip;
		const res = await fetch(origin + this.action, { method: 'POST',
		    headers: h, body, redirect: 'manual', signal });
		const buf = Buffer.from(await res.arrayBuffer());
		const text = buf.toString('utf8');
		return { status: res.status, headers: res.headers, body: buf,
		    text, doc: parseHtml(text), url: origin + this.action };
	}
}

function type(el) {
	const tag = el.tagName.toLowerCase();
	if (tag !== 'input')
		return tag;
	return (el.getAttribute('type') || 'text').toLowerCase();
}

// What a control group submits untouched.
function defaults(els) {
	const out = [];
	for (const e of els) {
		const t = type(e);
		if (t === 'checkbox' || t === 'radio') {
			if (e.hasAttribute('checked'))
				out.push(e.getAttribute('value') ?? 'on');
		} else if (t === 'textarea')
			out.push(e.text);
		else if (t === 'select') {
			const opts = e.querySelectorAll('option');
			const sel = opts.filter((o) => o.hasAttribute('selected'));
			const pick = sel.length ? sel : e.hasAttribute('multiple') ?
			    [] : opts.slice(0, 1);
			for (const o of pick)
				out.push(o.getAttribute('value') ?? o.text);
		} else if (t === 'file')
			// No file picked: browsers send an empty part without name.
			out.push({ file: true, name: '', data: Buffer.alloc(0),
			    type: 'application/octet-stream' });
		else if (!['submit', 'button', 'reset', 'image'].includes(t))
			out.push(e.getAttribute('value') ?? '');
	}
	return out;
}

// Every form on a page.  'page' is a response with .doc (or .text) and
// the URL it was served from.
export function formsOf(doc, pageUrl) {
	return doc.querySelectorAll('form').map((f) => new PageForm(f,
	    pageUrl));
}

// The one form on the page whose action is 'action' (a path).
export function formFor(doc, pageUrl, action) {
	const all = formsOf(doc, pageUrl).filter((f) => f.action === action);
	if (all.length !== 1)
		throw new Error(`${all.length} forms post to ${action} on ` +
		    `${pageUrl}`);
	return all[0];
}
