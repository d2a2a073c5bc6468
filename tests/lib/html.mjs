// HTML helpers for the HTTP tests: parsing pages with node-html-parser and reading forms, field errors and active content.
import { parse } from 'node-html-parser';

export function parseHtml(text) {
	return parse(text, { comment: false, blockTextElements: {
	    script: true, style: true } });
}

// The value of the hidden input named 'name', or null.
export function hiddenValue(doc, name) {
	const el = doc.querySelector(`input[type="hidden"][name="${name}"]`);
	return el ? el.getAttribute('value') : null;
}

// The field names that have an error element f-<name>-error, sorted.
export function errorFields(doc) {
	const out = [];
	for (const el of doc.querySelectorAll('[id]')) {
		const m = /^f-(.+)-error$/.exec(el.getAttribute('id'));
		if (m)
			out.push(m[1]);
	}
	return out.sort();
}

// Decoded text of the element with this id, or null.
export function textById(doc, id) {
	const el = doc.querySelector(`#${id}`);
	return el ? el.text : null;
}

// What a browser's DOM holds for text sent in raw HTML: the HTML parser
// turns CRLF and lone CR into LF before anything else.
export function htmlNewlines(s) {
	return s.replace(/\r\n?/g, '\n');
}

// An inline drawing that cannot run or load anything (the set-up page's QR
// code): only shapes and text alternatives inside, no href of any kind.
const SVG_INERT = new Set(['path', 'rect', 'g', 'title', 'desc']);

function inertSvg(el) {
	for (const x of [el, ...el.querySelectorAll('*')]) {
		if (x !== el && !SVG_INERT.has(x.tagName.toLowerCase()))
			return false;
		if (Object.keys(x.attributes).some((n) => /^on|href$/i.test(n)))
			return false;
	}
	return true;
}

// Everything on a page that could run script: script elements other than
// our own /static/app.js, any on* attribute, any img, iframe, object,
// embed, base or meta refresh, an svg holding more than shapes, and
// javascript: URLs.
export function activeContent(doc) {
	const found = [];
	for (const el of doc.querySelectorAll('*')) {
		const tag = el.tagName ? el.tagName.toLowerCase() : '';
		if (tag === 'svg' && !inertSvg(el))
			found.push(`svg ${el.outerHTML.slice(0, 80)}`);
		if (tag === 'script' && !(el.getAttribute('src') ===
		    '/static/app.js' && el.text.trim() === ''))
			found.push(`script ${el.outerHTML.slice(0, 80)}`);
		if (['img', 'iframe', 'object', 'embed', 'base',
		    'frame', 'video', 'audio'].includes(tag))
			found.push(tag);
		if (tag === 'meta' && el.getAttribute('http-equiv'))
			found.push('meta http-equiv');
		for (const [name, value] of Object.entries(el.attributes)) {
			if (/^on/i.test(name))
				found.push(`${tag} ${name}`);
			if (/^(href|src|action|formaction)$/i.test(name) &&
			    /^\s*javascript:/i.test(value))
				found.push(`${tag} ${name}=${value}`);
		}
	}
	return found;
}

// The value a re-rendered form shows for each field: text inputs' value,
// the textarea's text, the selected option, the checked radio, checkboxes.
export function formValues(doc) {
	const v = {};
	for (const el of doc.querySelectorAll('input')) {
		const name = el.getAttribute('name');
		const type = (el.getAttribute('type') || 'text').toLowerCase();
		if (!name)
			continue;
		if (type === 'radio') {
			if (el.hasAttribute('checked'))
				v[name] = el.getAttribute('value');
		} else if (type === 'checkbox')
			v[name] = el.hasAttribute('checked');
		else
			v[name] = el.getAttribute('value');
	}
	for (const el of doc.querySelectorAll('textarea'))
		v[el.getAttribute('name')] = el.text;
	for (const el of doc.querySelectorAll('select')) {
		const sel = el.querySelector('option[selected]');
		v[el.getAttribute('name')] = sel ? sel.getAttribute('value') : '';
	}
	return v;
}
