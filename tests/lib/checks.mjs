// Shared assertions for the HTTP tests: security headers on every answer and a clean server log.
import assert from 'node:assert/strict';
import fs from 'node:fs';

// The headers every answer must carry; 'noStore' for pages that may hold
// receipt codes or personal data.
export function assertSecurityHeaders(res, { noStore = false, what = '' } = {}) {
	const h = res.headers;
	const where = `${what} (status ${res.status})`;
	const csp = h.get('content-security-policy');
	assert.ok(csp, `content-security-policy missing on ${where}`);
	const directives = csp.split(';').map((d) => d.trim());
	assert.ok(directives.includes("default-src 'none'"),
	    `CSP lacks default-src 'none' on ${where}: ${csp}`);
	assert.ok(directives.includes("frame-ancestors 'none'"),
	    `CSP lacks frame-ancestors 'none' on ${where}: ${csp}`);
	assert.ok(!csp.includes("'unsafe-inline'"),
	    `CSP allows unsafe-inline on ${where}`);
	assert.ok(!csp.includes("'unsafe-eval'"),
	    `CSP allows unsafe-eval on ${where}`);
	assert.equal(h.get('x-content-type-options'), 'nosniff', where);
	assert.equal(h.get('referrer-policy'), 'same-origin', where);
	assert.equal(h.get('strict-transport-security'), null,
	    `HSTS sent over plain HTTP on ${where}`);
	if (noStore)
		assert.match(h.get('cache-control') ?? '', /(^|,\s*)no-store(\s*,|$)/,
		    `cache-control no-store missing on ${where}`);
}

// The server log must hold no receipt code, no client address and no free
// text the tests submitted (every test description carries RCMARK).
export function assertLogClean({ codes = [], addresses = [],
    texts = [] } = {}) {
	const log = fs.readFileSync(process.env.RECOURSE_KORE_LOG, 'utf8');
	assert.ok(log.length > 0, 'the server log is empty: wrong file?');
	const norm = log.toUpperCase().replace(/-/g, '');
	for (const c of codes) {
		assert.ok(!log.includes(c), 'a receipt code is in the server log');
		assert.ok(!norm.includes(c.replace(/-/g, '')),
		    'a receipt code (without hyphens) is in the server log');
	}
	assert.doesNotMatch(log,
	    /\b[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}\b/,
	    'something shaped like a receipt code is in the server log');
	for (const a of addresses)
		assert.ok(!log.toLowerCase().includes(a.toLowerCase()),
		    `client address ${a} is in the server log`);
	// Kore names its own listening address when it starts; nothing else
	// in the log may look like an address.
	const rest = log.split('\n').filter((l) =>
	    !/\]: app serving http on 127\.0\.0\.1:\d+$/.test(l)).join('\n');
	assert.doesNotMatch(rest, /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/,
	    'an IPv4 address is in the server log');
	assert.doesNotMatch(rest, /\b[0-9a-f]{1,4}(:[0-9a-f]{0,4}){3,7}\b/i,
	    'an IPv6 address is in the server log');
	assert.doesNotMatch(rest, /(^|[^0-9a-z:])::(1|ffff:)/i,
	    'a loopback or mapped IPv6 address is in the server log');
	assert.doesNotMatch(log, /2001:db8:/i,
	    'a test client address (2001:db8::/32) is in the server log');
	assert.doesNotMatch(log, /203\.0\.113\./,
	    'a test client address (203.0.113.0/24) is in the server log');
	assert.ok(!log.includes('RCMARK'),
	    'submitted free text is in the server log');
	for (const t of texts)
		assert.ok(!log.includes(t), 'submitted text is in the server log');
	return log;
}
