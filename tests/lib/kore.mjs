// Starts a further Kore instance of the module under test, from the same configuration template as tests/env.sh, with environment variables of the test's choosing, and stops it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)),
    '../..');

export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

// The sanitizer build needs its runtime preloaded, as tests/env.sh does.
export function preloadEnv() {
	const env = {};
	for (const kv of (process.env.RECOURSE_KORE_ENV ?? '').split(' ')) {
		const i = kv.indexOf('=');
		if (i > 0)
			env[kv.slice(0, i)] = kv.slice(i + 1);
	}
	return env;
}

// startKore({ conf: 'test.conf', env: {...}, edit }): { url, port, stop(),
// log() }.  'env' is laid over the test environment's own (RECOURSE_DB,
// keys...); 'edit', if given, turns the filled-in configuration's text
// into the one to run.
export async function startKore({ conf = 'test.conf', env = {},
    edit = (text) => text } = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recourse-kore-'));
	const port = await freePort();
	const build = process.env.RECOURSE_BUILD ?? 'build';
	const text = fs.readFileSync(path.join(top, 'conf', conf), 'utf8')
	    .replaceAll('@PORT@', String(port))
	    .replaceAll('@PIDFILE@', path.join(dir, 'kore.pid'))
	    .replaceAll('@MODULE@', path.join(top, build, 'recourse.so'));
	fs.writeFileSync(path.join(dir, 'kore.conf'), edit(text));
	// Each instance logs in as its own role, as the suite's two do.
	const roleDb = (conf === 'test-review.conf' ?
	    process.env.RECOURSE_REVIEW_DB : process.env.RECOURSE_PUBLIC_DB) ??
	    process.env.RECOURSE_DB;
	const logFile = path.join(dir, 'kore.log');
	const out = fs.openSync(logFile, 'w');
	// In a process group of its own, so that its workers can be killed
	// with it.
	const child = spawn('kore', ['-f', '-n', '-r', '-c',
	    path.join(dir, 'kore.conf')], { cwd: dir, stdio: ['ignore', out,
	    out], env: { ...process.env, RECOURSE_DB: roleDb, ...preloadEnv(),
	    ...env },
	    detached: true });
	fs.closeSync(out);
	const exited = new Promise((resolve) => child.once('exit', resolve));
	const log = () => fs.readFileSync(logFile, 'utf8');
	const url = `http://127.0.0.1:${port}`;
	// As tests/env.sh stops Kore: a worker that hangs on the way out
	// (seen with the sanitizer runtime preloaded) is killed after 10 s.
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			let timer;
			const late = new Promise((r) => {
				timer = setTimeout(() => r('late'), 10000);
			});
			if (await Promise.race([exited, late]) === 'late') {
				process.stderr.write('kore did not stop in 10 s; ' +
				    'killing it\n');
				// The group: the parent waits for its workers.
				try {
					process.kill(-child.pid, 'SIGKILL');
				} catch {
					// already gone
				}
			}
			clearTimeout(timer);
		}
		await exited;
		fs.rmSync(dir, { recursive: true, force: true });
	};
	// Until /healthz answers, as tests/env.sh waits (at most 10 s).
	for (let i = 0; ; i++) {
		if (child.exitCode !== null || i > 100) {
			const text = log();
			await stop();
			throw new Error(`kore did not start:\n${text}`);
		}
		try {
			const res = await fetch(url + '/healthz');
			if (res.ok)
				break;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	// As a crash would: the whole group at once, no clean-up by Kore.
	const kill = async () => {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			// already gone
		}
		await exited;
		fs.rmSync(dir, { recursive: true, force: true });
	};
	return { url, port, stop, kill, log };
}
