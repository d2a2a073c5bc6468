// The test cluster's pg_ctl, run as the cluster's owner, for the tests that stop, crash and start PostgreSQL.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const PGDATA = process.env.RECOURSE_PGDATA;
const bindir = execFileSync('pg_config', ['--bindir']).toString().trim();

// pg_ctl as the cluster's owner: 'postgres' when the tests run as root
// (tests/env.sh creates the cluster that way), otherwise ourselves.
export function pgctl(...args) {
	const cmd = [path.join(bindir, 'pg_ctl'), '-D', PGDATA, ...args];
	const [file, argv] = process.getuid() === 0 ?
	    ['runuser', ['-u', 'postgres', '--', ...cmd]] : [cmd[0], cmd.slice(1)];
	return execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
	    .toString();
}

export function pgRunning() {
	try {
		pgctl('status');
		return true;
	} catch {
		return false;
	}
}

// Starts the cluster unless it runs (after a crash it replays the WAL).
export function startCluster() {
	if (!pgRunning())
		pgctl('-l', path.join(PGDATA, '..', 'postgres.log'), '-w', '-t',
		    '60', 'start');
}
