// PostgreSQL helpers for the HTTP tests: a client on the test cluster's socket, counts, case lookup and a text dump for searching.
import pg from 'pg';

// The superuser (tests/env.sh): the tests observe and arrange the database
// beyond what the service's own roles may do.
export function dbConfig() {
	return { host: process.env.RECOURSE_PGHOST,
	    user: process.env.RECOURSE_PGUSER,
	    database: process.env.RECOURSE_DBNAME };
}

// Runs fn with a connected client and always closes it.
export async function withDb(fn) {
	const c = new pg.Client(dbConfig());
	await c.connect();
	try {
		return await fn(c);
	} finally {
		await c.end();
	}
}

export async function query(sql, params = []) {
	return withDb((c) => c.query(sql, params));
}

export async function countCases() {
	const r = await query('SELECT count(*)::int AS n FROM cases');
	return r.rows[0].n;
}

// The columns the SLA scheduler keeps (a cache it may rewrite at any
// moment): left out where a test compares a case before and after.
export const SCHEDULER_COLUMNS = ['next_check_at', 'sla_rank', 'sla_due',
    'intake_clocks'];

export async function caseByReference(reference) {
	const r = await query('SELECT * FROM cases WHERE reference = $1',
	    [reference]);
	const c = r.rows[0] ?? null;
	for (const k of SCHEDULER_COLUMNS)
		if (c)
			delete c[k];
	return c;
}

export async function eventsOf(caseId) {
	const r = await query('SELECT * FROM case_events WHERE case_id = $1 ' +
	    'ORDER BY at, id', [caseId]);
	return r.rows;
}

// Every row of every table in the public schema as text, as a dump would
// show it (bytea as \x hex).
export async function dumpText() {
	return withDb(async (c) => {
		const t = await c.query("SELECT tablename FROM pg_tables " +
		    "WHERE schemaname = 'public' ORDER BY 1");
		let out = '';
		for (const { tablename } of t.rows) {
			const r = await c.query(`SELECT t::text AS row FROM ` +
			    `"${tablename}" t`);
			out += `-- ${tablename}\n` +
			    r.rows.map((x) => x.row).join('\n') + '\n';
		}
		return { text: out, tables: t.rows.map((x) => x.tablename) };
	});
}

// True when 'needle' appears in the dump as text or as the hex of its
// UTF-8 bytes (inside a bytea).
export function dumpHas(dump, needle) {
	const hex = Buffer.from(needle, 'utf8').toString('hex');
	return dump.includes(needle) || dump.toLowerCase().includes(hex);
}
