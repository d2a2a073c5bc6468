// Mail test helpers: a real SMTP listener (Debian's python3-aiosmtpd, smtp-listener.py beside this file) that a test starts and stops, with STARTTLS under a throwaway CA, AUTH or refusals; the sender (recourse-mailer) run against it as the back office's role; outbox rows made and read; the messages the listener took, parsed.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as c from './client.mjs';
import { act, reviewRequest } from './staff.mjs';
import { query } from './db.mjs';
import { parseHtml } from './html.mjs';
import { freePort, preloadEnv } from './kore.mjs';

const HERE = new URL('.', import.meta.url).pathname;

// A port nothing listens on now (the listener may take it later).
export { freePort };

export const FROM = 'Recourse <notify@recourse.test>';

export function tempFile(name) {
	return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rc-mail-')),
	    name);
}

// Stops a helper process and waits for it to end.
export async function stop(proc, signal = 'SIGTERM') {
	if (proc.exitCode !== null || proc.signalCode !== null)
		return;
	const done = new Promise((r) => proc.once('exit', r));
	proc.kill(signal);
	await done;
}

/*
 * A throwaway CA and a server certificate it signed for 127.0.0.1 (and
 * localhost), made with Debian's openssl CLI in a fresh folder: { ca,
 * cert, key } are file names.  Nothing outside the test trusts the CA.
 */
export function makeCertificates() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-ca-'));
	const f = (name) => path.join(dir, name);
	const ssl = (...args) => execFileSync('openssl', args,
	    { stdio: ['ignore', 'ignore', 'pipe'] });
	const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
	    '-nodes'];
	ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'),
	    '-subj', '/CN=Recourse test CA', '-days', '1',
	    '-addext', 'basicConstraints=critical,CA:TRUE',
	    '-addext', 'keyUsage=critical,keyCertSign');
	ssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'),
	    '-subj', '/CN=127.0.0.1');
	fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,' +
	    'DNS:localhost\nextendedKeyUsage=serverAuth\n');
	ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'),
	    '-CAkey', f('ca.key'), '-set_serial', '1', '-days', '1',
	    '-extfile', f('server.ext'), '-out', f('server.crt'));
	return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') };
}

// A credentials file for the sender: one line user:password, mode 600.
export function credentialsFile(user, password) {
	const file = tempFile('smtp-credentials');
	fs.writeFileSync(file, `${user}:${password}\n`, { mode: 0o600 });
	return file;
}

/*
 * Starts the listener on 'port' (0: any), appending what it takes to
 * 'file'; stallOnce withholds the final reply to the first message;
 * starttls ({ cert, key }) requires STARTTLS, auth ('user:password')
 * requires AUTH, refuse (an SMTP code) refuses every recipient, or with
 * refuseAt 'data' every message.
 */
export async function startListener({ port = 0, file = tempFile(
    'mail.jsonl'), stallOnce = false, starttls, auth, refuse,
    refuseAt = 'rcpt' } = {}) {
	const args = [HERE + 'smtp-listener.py', file, String(port)];
	if (stallOnce)
		args.push('--stall-once');
	if (starttls)
		args.push('--starttls', starttls.cert, starttls.key);
	if (auth)
		args.push('--auth', auth);
	if (refuse)
		args.push('--refuse', String(refuse), '--refuse-at', refuseAt);
	// Debian's python3, which has aiosmtpd (not another one on PATH).
	const proc = spawn('/usr/bin/python3', args,
	    { stdio: ['ignore', 'pipe', 'inherit'] });
	const bound = await new Promise((resolve, reject) => {
		let out = '';
		proc.stdout.on('data', (d) => {
			out += d;
			const m = /listening (\d+)/.exec(out);
			if (m)
				resolve(Number(m[1]));
		});
		proc.once('exit', (code) =>
		    reject(new Error(`the SMTP listener exited: ${code}`)));
	});
	return { port: bound, file, proc, messages: () => readMessages(file),
	    refusals: () => readLines(file).filter((x) => 'refused' in x),
	    stop: () => stop(proc) };
}

// Headers (lower-case names) and body of a message as the listener took it.
export function parseMessage(rec) {
	const at = rec.data.indexOf('\r\n\r\n');
	const headers = {};
	for (const line of rec.data.slice(0, at).split('\r\n')) {
		const i = line.indexOf(':');
		headers[line.slice(0, i).toLowerCase()] =
		    line.slice(i + 1).trim();
	}
	return { ...rec, headers, body: rec.data.slice(at + 4) };
}

function readLines(file) {
	if (!fs.existsSync(file))
		return [];
	return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)
	    .map((l) => JSON.parse(l));
}

// The messages the listener took (not the recipients it refused).
export function readMessages(file) {
	return readLines(file).filter((x) => 'data' in x).map(parseMessage);
}

/*
 * Starts recourse-mailer as the back office's role, sending to 'port' on
 * loopback (none: no SMTP host, mail stays queued); 'env' adds to or
 * overrides the settings.  Its output is kept in .log().
 */
export function startMailer({ port, env = {} } = {}) {
	// The sanitizer build's runtime options, as Kore gets them.
	const e = { ...preloadEnv(), PATH: process.env.PATH,
	    RECOURSE_DB: process.env.RECOURSE_REVIEW_DB,
	    RECOURSE_KEYS: process.env.RECOURSE_KEYS,
	    RECOURSE_SMTP_STARTTLS: 'none',
	    RECOURSE_SMTP_FROM: FROM,
	    RECOURSE_PUBLIC_BASE_URL: `${process.env.RECOURSE_URL}/track`,
	    RECOURSE_REVIEW_BASE_URL: process.env.RECOURSE_REVIEW_URL,
	    RECOURSE_MAILER_POLL_MS: '100',
	    RECOURSE_SMTP_BACKOFF_MS: '200',
	    RECOURSE_SMTP_TIMEOUT_SECONDS: '10',
	    RECOURSE_SMTP_LEASE_MS: '20000',
	    ...env };
	if (port !== undefined) {
		e.RECOURSE_SMTP_HOST = '127.0.0.1';
		e.RECOURSE_SMTP_PORT = String(port);
	}
	const proc = spawn(process.env.RECOURSE_MAILER, [], { env: e,
	    stdio: ['ignore', 'pipe', 'pipe'] });
	let log = '';
	proc.stdout.on('data', (d) => { log += d; });
	proc.stderr.on('data', (d) => { log += d; });
	// 'close': the exit status once its output has all been read.
	const exited = new Promise((r) => proc.once('close',
	    (code) => r(code)));
	return { proc, log: () => log, exited,
	    stop: () => stop(proc), kill: () => stop(proc, 'SIGKILL') };
}

// Polls fn until it returns something truthy; fails after 'limit' ms.
export async function waitFor(what, fn, limit = 30000) {
	const end = Date.now() + limit;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			throw new Error(`gave up waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/*
 * A case whose complainant consented, and a message to them from 'sup' (a
 * supervisor): one note in the outbox.  Returns the address, the row's id
 * and the case's reference.
 */
export async function noteFor(sup, tag) {
	const email = `${c.marker(tag).toLowerCase()}@example.org`;
	const f = await c.fileComplaint({ contact_email: email,
	    consent_contact: true });
	assert.equal((await act(sup, f.reference, 'message',
	    { text: 'An update.' })).status, 303);
	const r = await query('SELECT o.id FROM outbox o JOIN cases c ON ' +
	    'c.id = o.case_id WHERE c.reference = $1', [f.reference]);
	assert.equal(r.rows.length, 1);
	return { email, id: r.rows[0].id, reference: f.reference };
}

// An outbox row as the sender left it.
export async function outboxRow(id) {
	return (await query('SELECT state, attempts, next_attempt_at, ' +
	    'lease_until > now() AS leased, last_error, message_id FROM ' +
	    'outbox WHERE id = $1', [id])).rows[0];
}

/*
 * Row 'id' on /admin/outbox as 'admin' sees it: its cells' text (#, what,
 * to, state, attempts, next attempt, last error, created), and the page.
 */
export async function outboxPageRow(admin, id) {
	const page = await reviewRequest('/admin/outbox',
	    { cookie: admin.cookie });
	assert.equal(page.status, 200);
	const tr = parseHtml(page.text).querySelector(`tr[data-id="${id}"]`);
	assert.ok(tr, 'the row on /admin/outbox');
	return { cells: tr.querySelectorAll('td').map((x) => x.text),
	    page: page.text };
}
