// Connections: a quiet instance closes silent connections and stalled bodies within two seconds of their timeouts, and with 1 500 idle connections held a complaint is still filed through the form within a second.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as c from '../lib/client.mjs';
import { parseHtml } from '../lib/html.mjs';
import { startKore } from '../lib/kore.mjs';

const HOLDER = new URL('../lib/idle-holder.mjs', import.meta.url).pathname;

// The timeouts of the quiet instance, in seconds; Kore may be late by at
// most LATE.
const KEEPALIVE = 2;
const BODY = 3;
const LATE = 2;

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

// A third, quiet Kore from the same module and the suite's configuration,
// with short timeouts and housekeeping once an hour: what a public instance
// with no traffic is like.  One worker, the one that runs housekeeping: a
// worker with a timer pending waits for it (up to an hour here, 5 minutes
// in production) even while a request waits for its body; one without
// timers wakes every 100 ms while a request is open.  The suite's own
// instances keep their timeouts (keep-alive in every other test depends on
// them).
let quiet;

async function startQuiet() {
	const set = (text, re, line) => {
		assert.match(text, re, `test.conf has ${re}`);
		return text.replace(re, line);
	};
	const t0 = Date.now();
	quiet = await startKore({
		env: { RECOURSE_MAINTENANCE_SECONDS: '3600' },
		edit: (conf) => {
			conf = set(conf, /^workers\s.*$/m, 'workers\t\t\t1');
			conf = set(conf, /^http_header_timeout\s.*$/m,
			    `http_header_timeout\t${BODY}\n` +
			    `http_body_timeout\t${BODY}`);
			return set(conf, /^http_keepalive_time\s.*$/m,
			    `http_keepalive_time\t${KEEPALIVE}`);
		},
	});
	// Past the first housekeeping run, 2 s after start.
	await sleep(Math.max(0, 2500 - (Date.now() - t0)));
}

async function stopQuiet() {
	if (!quiet)
		return;
	const log = quiet.log();
	await quiet.stop();
	assert.doesNotMatch(log, /sandbox violation|worker \d+ exited/,
	    'no worker of the quiet instance died');
}

before(startQuiet);
after(stopQuiet);

// Connects, sends 'send' (if any), then waits up to 'limit' ms for the
// server to close: the milliseconds until it did (null if it did not) and
// what it answered.
function closedAfter(port, send, limit) {
	return new Promise((resolve, reject) => {
		const t0 = Date.now();
		const s = net.connect({ port, host: '127.0.0.1' });
		let got = '';
		const t = setTimeout(() => {
			s.destroy();
			resolve({ ms: null, got });
		}, limit);
		s.on('connect', () => {
			if (send)
				s.write(send);
		});
		s.on('data', (d) => {
			got += d.toString('latin1');
		});
		s.on('error', reject);
		s.on('close', () => {
			clearTimeout(t);
			resolve({ ms: Date.now() - t0, got });
		});
	});
}

test('a connection that sends nothing is closed within 2 s of the keep-alive time, on a quiet instance', async () => {
	const limit = (KEEPALIVE + LATE) * 1000;
	const { ms } = await closedAfter(quiet.port, null, limit + 500);
	assert.notEqual(ms, null, `still open after ${limit + 500} ms`);
	assert.ok(ms >= KEEPALIVE * 1000 - 100, `closed early, after ${ms} ms`);
	assert.ok(ms <= limit, `closed after ${ms} ms, limit ${limit}`);
});

test('a body stalled at 2 of 50 bytes gets its 408 within 2 s of the body timeout, on a quiet instance', async () => {
	const limit = (BODY + LATE) * 1000;
	const { ms, got } = await closedAfter(quiet.port,
	    'POST /complaints HTTP/1.1\r\nHost: localhost\r\n' +
	    'Content-Type: application/x-www-form-urlencoded\r\n' +
	    'Content-Length: 50\r\n\r\nab', limit + 500);
	assert.notEqual(ms, null, `still open after ${limit + 500} ms`);
	assert.match(got, /^HTTP\/1\.1 408 /, 'answered 408');
	assert.ok(ms >= BODY * 1000 - 100, `closed early, after ${ms} ms`);
	assert.ok(ms <= limit, `closed after ${ms} ms, limit ${limit}`);
});

// Established TCP connections to 'port' that each Kore worker holds, read
// from /proc (the workers run as the same user as the tests).
function heldByWorkers(port) {
	const parent = fs.readFileSync(process.env.RECOURSE_KORE_PIDFILE,
	    'utf8').trim();
	const inodes = new Set();
	for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
		for (const line of fs.readFileSync(f, 'utf8').split('\n').slice(1)) {
			const col = line.trim().split(/\s+/);
			if (col.length > 9 && col[3] === '01' &&
			    parseInt(col[1].split(':')[1], 16) === port)
				inodes.add(col[9]);
		}
	}
	const held = [];
	for (const pid of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(pid))
			continue;
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		} catch {
			continue;
		}
		if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] !== parent)
			continue;
		let n = 0;
		for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
			let link;
			try {
				link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
			} catch {
				continue;
			}
			const m = /^socket:\[(\d+)\]$/.exec(link);
			if (m && inodes.has(m[1]))
				n++;
		}
		held.push(n);
	}
	return held;
}

// The complaint form as a browser submits it: GET the page, read the form's
// action, method, enctype and fields, choose the first category and
// channel, write a description, send it with the cookie the page set.
async function fileThroughForm() {
	const ip = c.randomIp();
	const page = await c.request('/complaints/new', { ip });
	assert.equal(page.status, 200);
	const form = parseHtml(page.text).querySelector('form[method="post"]');
	assert.ok(form, 'the page has a form');
	assert.equal(form.getAttribute('enctype'), 'multipart/form-data');
	const fd = new FormData();
	const chosen = new Set();
	for (const el of form.querySelectorAll('input, select, textarea')) {
		const name = el.getAttribute('name');
		const type = (el.getAttribute('type') ?? '').toLowerCase();
		if (!name || type === 'checkbox')
			continue;
		if (type === 'radio') {
			if (!chosen.has(name))
				fd.append(name, el.getAttribute('value'));
			chosen.add(name);
		} else if (el.tagName === 'SELECT') {
			const opt = el.querySelectorAll('option').find((o) =>
			    o.getAttribute('value'));
			fd.append(name, opt.getAttribute('value'));
		} else if (el.tagName === 'TEXTAREA')
			fd.append(name, `Idle connections test. ${c.marker('I')}`);
		else
			fd.append(name, el.getAttribute('value') ?? '');
	}
	const res = await c.request(form.getAttribute('action'), {
	    method: form.getAttribute('method').toUpperCase(), body: fd,
	    cookie: c.csrfCookie(page), ip });
	assert.equal(res.status, 201, res.text);
	assert.match(c.receiptOf(parseHtml(res.text)).code ?? '', c.RECEIPT_RE);
}

// Starts tests/lib/idle-holder.mjs holding 'count' connections; resolves
// once Kore's workers hold them all, with what each worker holds and a
// function that closes them.
async function hold(port, count) {
	// The holder needs more descriptors than a test runner may have: a
	// child shell raises its limit (up to the hard limit) first.
	const holder = spawn('sh', ['-c', `ulimit -n ${count + 100} && ` +
	    `exec node "${HOLDER}" ${port} ${count}`],
	    { stdio: ['pipe', 'pipe', 'inherit'] });
	const release = () => new Promise((r) => {
		holder.stdin.end();
		if (holder.exitCode !== null)
			r();
		else
			holder.once('exit', r);
	});
	const before = heldByWorkers(port).reduce((a, b) => a + b, 0);
	const said = await new Promise((resolve) => {
		let out = '';
		holder.stdout.on('data', (d) => {
			out += d;
			if (out.includes('\n'))
				resolve(out.trim());
		});
		holder.once('exit', (code) => resolve(`exited ${code}`));
	});
	if (said !== `held ${count}`) {
		await release();
		assert.fail(`the holder said: ${said}`);
	}
	// Connected is not yet accepted: wait until Kore holds them all.
	let held = [];
	for (let i = 0; i < 50; i++) {
		held = heldByWorkers(port);
		if (held.reduce((a, b) => a + b, 0) >= before + count)
			break;
		await sleep(100);
	}
	return { held, release, all: held.reduce((a, b) => a + b, 0) >= before +
	    count };
}

test('new connections are spread evenly over the workers', async () => {
	const port = Number(new URL(c.BASE).port);
	for (const count of [8, 64]) {
		const h = await hold(port, count);
		await h.release();
		assert.ok(h.all, `Kore's workers hold ${h.held.join(' + ')}`);
		assert.equal(h.held.length, 2, 'two workers');
		assert.ok(Math.abs(h.held[0] - h.held[1]) <= 1,
		    `${count} connections landed ${h.held.join(' / ')}`);
		// Until Kore has closed them, they count on both sides.
		await sleep(200);
	}
});

test('with 1 500 idle connections held, a complaint is still filed through the form within a second', async () => {
	const port = Number(new URL(c.BASE).port);
	const h = await hold(port, 1500);
	try {
		assert.ok(h.all, `Kore's workers hold ${h.held.join(' + ')} ` +
		    'connections');
		for (let i = 0; i < 3; i++) {
			const t0 = Date.now();
			await fileThroughForm();
			const ms = Date.now() - t0;
			assert.ok(ms < 1000, `filing ${i + 1} took ${ms} ms ` +
			    `(workers hold ${h.held.join(' + ')} idle connections)`);
		}
	} finally {
		await h.release();
	}
});
