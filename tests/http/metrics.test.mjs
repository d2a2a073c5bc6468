// GET /metrics on both instances: promtool (Debian's prometheus) accepts every scrape without a lint warning; requests driven through real pages move the counters by exactly their number, whichever of the two workers answered; the database's gauges follow the cases, from a per-worker cache; no reference, brand, code or address in any label; README's nginx does not pass /metrics on.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { fileComplaint, getTrack, postTrack, randomCode, randomIp, marker,
    sentAddresses } from '../lib/client.mjs';
import { REVIEW, reviewRequest } from '../lib/staff.mjs';
import { startKore } from '../lib/kore.mjs';

const PUBLIC = process.env.RECOURSE_URL;
const CONNECTIONS = 4;

// promtool check metrics: its exit status and everything it printed.
function promtool(text) {
	return new Promise((resolve, reject) => {
		const p = spawn('promtool', ['check', 'metrics'],
		    { stdio: ['pipe', 'pipe', 'pipe'] });
		let out = '';
		p.stdout.on('data', (d) => { out += d; });
		p.stderr.on('data', (d) => { out += d; });
		p.on('error', reject);
		p.on('close', (code) => resolve({ code, out }));
		p.stdin.end(text);
	});
}

// The samples of a scrape: 'name{labels}' -> value.
function samples(text) {
	const m = new Map();
	for (const line of text.split('\n')) {
		if (line === '' || line.startsWith('#'))
			continue;
		const i = line.lastIndexOf(' ');
		m.set(line.slice(0, i), Number(line.slice(i + 1)));
	}
	return m;
}

// A GET on one kept-alive connection of 'agent' (one socket each).
function get(agent, base, path) {
	return new Promise((resolve, reject) => {
		http.get(base + path, { agent, headers: { 'x-real-ip':
		    randomIp() } }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { text += d; });
			res.on('end', () => resolve({ status: res.statusCode,
			    headers: res.headers, text }));
		}).on('error', reject);
	});
}

function agents() {
	return Array.from({ length: CONNECTIONS }, () =>
	    new http.Agent({ keepAlive: true, maxSockets: 1 }));
}

async function scrape(base, agent) {
	const res = agent ? await get(agent, base, '/metrics') :
	    await fetch(base + '/metrics').then(async (r) => ({
		status: r.status, headers: Object.fromEntries(r.headers),
		text: await r.text() }));
	assert.equal(res.status, 200);
	assert.match(res.headers['content-type'],
	    /^text\/plain; version=0\.0\.4/);
	const check = await promtool(res.text);
	assert.equal(check.code, 0, `promtool: ${check.out}`);
	assert.equal(check.out.trim(), '', `promtool warns: ${check.out}`);
	return { text: res.text, s: samples(res.text) };
}

// What moved between two scrapes, for the samples whose name starts so.
function moved(a, b, prefix) {
	const d = {};
	for (const [k, v] of b.s)
		if (k.startsWith(prefix) && v !== (a.s.get(k) ?? 0))
			d[k] = v - (a.s.get(k) ?? 0);
	return d;
}

function tally(into, group, status) {
	const k = `recourse_http_requests_total{group="${group}",` +
	    `code="${status}"}`;
	into[k] = (into[k] ?? 0) + 1;
}

const workerKey = (id) => `recourse_worker_requests_total{worker="${id}"}`;

test('the public side counts real pages by route group and status, ' +
    'over both workers; its gauges follow the cases', async () => {
	const before = await scrape(PUBLIC);
	const want = {};
	let n = 0;

	// A complaint filed through the form, a lookup that fails.
	const brand = `Brand ${marker('B')}`;
	const filed = await fileComplaint({ brand });
	assert.equal(filed.res.status, 201);
	tally(want, 'public_form', filed.form.status);
	tally(want, 'public_form', filed.res.status);
	const ip = randomIp();
	const t = await getTrack({ ip });
	tally(want, 'track', t.status);
	const miss = await postTrack(randomCode(), { ip, track: t });
	assert.notEqual(miss.status, 200);
	tally(want, 'track', miss.status);
	n += 4;

	// Several connections held open at once: Kore spreads them over
	// both workers (src/workers.c), and each worker counts into the
	// same table.
	const ag = agents();
	const round = () => Promise.all(ag.map((a) => get(a, PUBLIC, '/')));
	for (let i = 0; i < 5; i++) {
		for (const r of await round())
			tally(want, 'public_form', r.status);
		n += CONNECTIONS;
	}
	const nf = await get(ag[0], PUBLIC, '/no/such/page');
	tally(want, 'other', nf.status);
	n += 1;
	ag.forEach((a) => a.destroy());

	const after = await scrape(PUBLIC);
	// The scrape before counts itself once it has answered.
	want['recourse_http_requests_total{group="metrics",code="200"}'] = 1;
	assert.deepEqual(moved(before, after, 'recourse_http_requests_total'),
	    want);
	const byWorker = moved(before, after, 'recourse_worker_requests_total');
	assert.ok(byWorker[workerKey(1)] > 0 && byWorker[workerKey(2)] > 0,
	    `both workers answered: ${JSON.stringify(byWorker)}`);
	assert.equal(byWorker[workerKey(1)] + byWorker[workerKey(2)], n + 1);
	// Each answer falls in exactly one latency bucket.
	for (const [k, v] of Object.entries(want)) {
		const labels = k.slice(k.indexOf('{'), -1);
		const h = 'recourse_http_request_duration_seconds';
		const count = `${h}_count${labels}}`;
		const inf = `${h}_bucket${labels},le="+Inf"}`;
		assert.equal(after.s.get(count) - (before.s.get(count) ?? 0),
		    v);
		assert.equal(after.s.get(inf), after.s.get(count));
	}

	// From the database (RECOURSE_METRICS_CACHE_MS=0 in tests/env.sh).
	assert.deepEqual(moved(before, after, 'recourse_cases{'),
	    { 'recourse_cases{state="received"}': 1 });
	assert.equal(after.s.get('recourse_metrics_database_up'), 1);

	// Nothing personal in any label.
	for (const secret of [filed.reference, filed.code, brand,
	    ...sentAddresses])
		assert.ok(!after.text.includes(secret),
		    `the scrape holds ${secret}`);
});

test('the back office counts its own pages', async () => {
	const before = await scrape(REVIEW);
	const login = await reviewRequest('/review/login');
	const list = await reviewRequest('/review');
	const after = await scrape(REVIEW);
	const want = {};
	tally(want, 'account', login.status);
	tally(want, 'review', list.status);
	want['recourse_http_requests_total{group="metrics",code="200"}'] = 1;
	assert.deepEqual(moved(before, after, 'recourse_http_requests_total'),
	    want);
	assert.ok(after.s.has('recourse_cases{state="decided"}'));
	assert.equal(after.s.get('recourse_metrics_database_up'), 1);
});

let cached;

after(async () => {
	if (cached)
		await cached.stop();
});

test('each worker keeps the database gauges for ' +
    'RECOURSE_METRICS_CACHE_MS', async () => {
	cached = await startKore({ env: {
	    RECOURSE_METRICS_CACHE_MS: '3600000' } });
	const ag = agents();
	// Open every connection at once (both workers), each scrape
	// filling its worker's copy.
	const first = await Promise.all(ag.map((a) => scrape(cached.url, a)));
	const live = await scrape(PUBLIC);
	await fileComplaint();
	const second = await Promise.all(ag.map((a) => scrape(cached.url, a)));
	ag.forEach((a) => a.destroy());
	const fresh = await scrape(PUBLIC);
	assert.deepEqual(moved(live, fresh, 'recourse_cases{'),
	    { 'recourse_cases{state="received"}': 1 });
	for (let i = 0; i < CONNECTIONS; i++) {
		assert.deepEqual(moved(first[i], second[i],
		    'recourse_cases{'), {}, 'a cached gauge moved');
		assert.ok(second[i].s.get(
		    'recourse_metrics_database_age_seconds') >= 0);
	}
	// The request counters are not cached.
	const sum = (x) => [...x.s].filter(([k]) =>
	    k.startsWith('recourse_worker_requests_total')).reduce((a, [, v]) =>
	    a + v, 0);
	assert.ok(sum(second[CONNECTIONS - 1]) > sum(first[0]));
});

test("README's nginx answers /metrics itself in both server blocks",
    () => {
	const readme = fs.readFileSync(new URL('../../README.md',
	    import.meta.url), 'utf8');
	const nginx = /```nginx\n([\s\S]*?)```/.exec(readme)[1];
	const servers = nginx.split(/^server\s*\{/m).slice(1)
	    .filter((s) => /proxy_pass/.test(s));
	assert.equal(servers.length, 2);
	for (const s of servers)
		assert.match(s, /location = \/metrics \{ return 404; \}/);
});
