// Mail test helpers: a real SMTP listener (Debian's python3-aiosmtpd, smtp-listener.py beside this file) that a test starts and stops, the sender (recourse-mailer) run against it as the back office's role, and the messages the listener took, parsed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, preloadEnv } from './kore.mjs';

const HERE = new URL('.', import.meta.url).pathname;

// A port nothing listens on now (the listener may take it later).
export { freePort };

export const FROM = 'Recourse <notify@recourse.test>';

export function tempFile(name) {
	return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rc-mail-')),
	    name);
}

async function stop(proc, signal = 'SIGTERM') {
	if (proc.exitCode !== null || proc.signalCode !== null)
		return;
	const done = new Promise((r) => proc.once('exit', r));
	proc.kill(signal);
	await done;
}

/*
 * Starts the listener on 'port' (0: any), appending what it takes to
 * 'file'; stallOnce withholds the final reply to the first message.
 */
export async function startListener({ port = 0, file = tempFile(
    'mail.jsonl'), stallOnce = false } = {}) {
	const args = [HERE + 'smtp-listener.py', file, String(port)];
	if (stallOnce)
		args.push('--stall-once');
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

export function readMessages(file) {
	if (!fs.existsSync(file))
		return [];
	return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)
	    .map((l) => parseMessage(JSON.parse(l)));
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
