// The client address behind the tracking allowance: X-Real-IP is believed only from a configured proxy, must be an address (else 400), and every spelling of one address is one client; without a trusted proxy the header is ignored and the peer address counts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import * as c from '../lib/client.mjs';
import { assertLogClean } from '../lib/checks.mjs';
import { startKore } from '../lib/kore.mjs';

const hour = () => new Date().toISOString().slice(0, 13);

// Runs fn until it finishes within one clock hour (the pseudonym turns on
// the hour and would start a fresh allowance half-way).
async function withinHour(fn) {
	for (let attempt = 0; attempt < 2; attempt++) {
		const h0 = hour();
		const result = await fn();
		if (hour() === h0)
			return result;
	}
	assert.fail('the hour turned twice during the test');
}

// A fresh IPv4 address in several spellings of the same address.
function spellings() {
	const ip = c.randomIpv4();
	const [a, b, x, y] = ip.split('.').map(Number);
	const hi = ((a << 8) | b).toString(16);
	const lo = ((x << 8) | y).toString(16);
	return [ip, `::ffff:${ip}`, `::FFFF:${ip}`, `0:0:0:0:0:ffff:${hi}:${lo}`,
	    `::ffff:${hi}:${lo}`, `0000:0000:0000:0000:0000:ffff:` +
	    `${hi.toUpperCase().padStart(4, '0')}:${lo.padStart(4, '0')}`];
}

test('with loopback trusted, 40 different X-Real-IP values are 40 clients (the proxy vouches for them)', async () => {
	const statuses = await withinHour(() => Promise.all(
	    Array.from({ length: 40 }, () => c.apiTrack(c.randomCode(),
	    { ip: c.randomIp() }).then((r) => r.status))));
	assert.deepEqual(statuses, Array(40).fill(404),
	    'each invented address has its own allowance');
});

test('spellings of one address share one allowance', async () => {
	const { receipt_code: code } = (await c.apiComplaint(c.validDoc())).json;
	const got = await withinHour(async () => {
		const names = spellings();
		const statuses = [];
		for (let i = 0; i < 10; i++)
			statuses.push((await c.apiTrack(c.randomCode(),
			    { ip: names[i % names.length] })).status);
		const refused = [];
		for (const ip of names)
			refused.push((await c.apiTrack(code, { ip })).status);
		// An IPv6 client written with leading zeros and capitals.
		const g = () => crypto.randomBytes(2).toString('hex');
		const net6 = `2001:db8:${g()}:${g()}`;
		for (let i = 0; i < 10; i++)
			statuses.push((await c.apiTrack(c.randomCode(),
			    { ip: `${net6}::${i + 1}` })).status);
		const [a, b, x, y] = net6.split(':');
		refused.push((await c.apiTrack(code, { ip: `${a}:0${b.toUpperCase()}:` +
		    `${x.padStart(4, '0')}:${y.padStart(4, '0')}:0:0:0:ABCD` }))
		    .status);
		return { statuses, refused };
	});
	assert.deepEqual(got.statuses, Array(20).fill(404));
	assert.deepEqual(got.refused, Array(7).fill(429),
	    'another spelling of a throttled address is the same client');
});

test('an X-Real-IP that is not an address is refused (400) and looks nothing up', async () => {
	const { receipt_code: code } = (await c.apiComplaint(c.validDoc())).json;
	for (const ip of ['203.0.113.07', '0203.0.113.7', '203.0.113.7 x',
	    'unknown', '203.0.113.7, 198.51.100.1', 'fe80::1%eth0',
	    '2001:db8::/64', '[2001:db8::1]']) {
		const api = await c.apiTrack(code, { ip });
		assert.equal(api.status, 400, ip);
		assert.equal(api.json.error.code, 'bad_request');
		assert.ok(!api.text.includes('RC-'), 'no case is shown');
		const page = await c.postTrack(code, { ip });
		assert.equal(page.status, 400, ip);
		assert.ok(!page.text.includes('RC-'), 'no case is shown');
	}
	assertLogClean({ addresses: ['203.0.113.07', '0203.0.113.7'] });
});

// POST /api/v1/track to 'url' from the local address 'from', so that the
// server sees that peer address.
function trackFrom(url, from, code, realIp) {
	const body = JSON.stringify({ receipt_code: code });
	const u = new URL(url + '/api/v1/track');
	return new Promise((resolve, reject) => {
		const req = http.request({ host: u.hostname, port: u.port,
		    path: u.pathname, method: 'POST', localAddress: from,
		    agent: false, headers: { 'content-type': 'application/json',
		    'content-length': Buffer.byteLength(body),
		    'x-real-ip': realIp } }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode));
		});
		req.on('error', reject);
		req.end(body);
	});
}

let untrusted = null;
after(async () => {
	if (untrusted)
		await untrusted.stop();
});

test('with no trusted proxy configured, X-Real-IP is ignored: invented values share the peer\'s allowance', async () => {
	untrusted = await startKore({ env: { RECOURSE_TRUSTED_PROXIES: '' } });
	// A loopback address of this test's own, so that no other test's
	// lookups from 127.0.0.1 share its allowance.
	const from = `127.${1 + crypto.randomInt(254)}.${crypto.randomInt(256)}` +
	    `.${1 + crypto.randomInt(254)}`;
	const statuses = await withinHour(async () => {
		const s = [];
		for (let i = 0; i < 12; i++)
			s.push(await trackFrom(untrusted.url, from, c.randomCode(),
			    i === 11 ? 'not an address' : c.randomIp()));
		return s;
	});
	assert.deepEqual(statuses, [...Array(10).fill(404), 429, 429],
	    'twelve invented addresses from one peer are one client');
	// The suite's instance trusts 127.0.0.1 alone, not all of loopback:
	// from this peer it ignores the header too.
	assert.equal(await trackFrom(c.BASE, from, c.randomCode(), c.randomIp()),
	    429, 'a peer not in the list is not a proxy');
});
