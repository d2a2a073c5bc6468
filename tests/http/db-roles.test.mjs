// Least privilege in the database: each Kore instance logs in as its own role, which owns nothing, may not bypass triggers, write or read tables, alter anything or run programs, and may execute only the functions its instance calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { withDb } from '../lib/db.mjs';
import { request } from '../lib/client.mjs';
import { reviewRequest } from '../lib/staff.mjs';

const RUNTIME = ['recourse_public', 'recourse_review'];
// The audit tables, each with a rewrite that reads nothing (so only the
// UPDATE privilege decides).
const AUDIT = [['audit_events', "action = 'forged'"],
    ['audit_seals', "hash = '\\x00'"], ['audit_pending', 'event_id = 0']];
const DENIED = /permission denied|must be owner/;

// Runs fn with a client logged in as a runtime role, as the instance is.
async function as(role, fn) {
	const c = new pg.Client({ host: process.env.RECOURSE_PGHOST,
	    user: role, database: process.env.RECOURSE_DBNAME });
	await c.connect();
	try {
		return await fn(c);
	} finally {
		await c.end();
	}
}

// The statement must be refused for want of a privilege (SQLSTATE 42501),
// with the message PostgreSQL gives for that, not the audit tables' own
// append-only trigger (which raises the same code).
async function refused(c, sql, message = DENIED) {
	await assert.rejects(c.query(sql), (err) => {
		assert.equal(err.code, '42501', `${sql}: ${err.message}`);
		assert.match(err.message, message, sql);
		return true;
	}, sql);
}

// Tables and views of the schema, as the role sees them in the catalogue.
async function relations(c) {
	const r = await c.query(`SELECT c.relname, c.relkind FROM pg_class c
	    WHERE c.relnamespace = 'public'::regnamespace
	      AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY 1`);
	assert.ok(r.rows.length > 20, 'the schema is there');
	return r.rows;
}

for (const role of RUNTIME) {
	test(`${role}: cannot set session_replication_role`, () =>
	    as(role, async (c) => {
		await refused(c, 'SET session_replication_role = replica');
		await refused(c, 'SET ROLE recourse_owner');
	}));

	test(`${role}: cannot write the audit tables`, () =>
	    as(role, async (c) => {
		for (const [t, set] of AUDIT) {
			await refused(c, `UPDATE ${t} SET ${set}`);
			await refused(c, `DELETE FROM ${t}`);
			await refused(c, `TRUNCATE ${t}`);
		}
		await refused(c, 'INSERT INTO audit_events (actor, action) ' +
		    "VALUES ('system', 'forged')");
	}));

	test(`${role}: can neither alter nor read any table`, () =>
	    as(role, async (c) => {
		for (const { relname: t, relkind } of await relations(c)) {
			const kind = relkind === 'v' ? 'VIEW' : 'TABLE';
			await refused(c, `ALTER ${kind} ${t} OWNER TO ${role}`);
			if (kind === 'TABLE')
				await refused(c, `ALTER TABLE ${t} ` +
				    'DISABLE TRIGGER ALL');
			await refused(c, `SELECT * FROM ${t} LIMIT 1`);
		}
	}));

	test(`${role}: cannot create objects or run programs`, () =>
	    as(role, async (c) => {
		await refused(c, 'CREATE TABLE planted (x int)');
		await refused(c, 'CREATE TEMP TABLE planted (x int)');
		await refused(c, 'CREATE FUNCTION planted() RETURNS int ' +
		    'LANGUAGE sql AS $$ SELECT 1 $$');
		await refused(c, "COPY (SELECT 1) TO PROGRAM 'true'",
		    /pg_execute_server_program|superuser/);
		await refused(c, "COPY (SELECT 1) TO '/tmp/planted'",
		    /pg_write_server_files|superuser/);
		await refused(c, "SELECT pg_read_file('PG_VERSION')");
		// The helper that writes audit events: only through functions.
		await refused(c, "SELECT audit('system', 'forged', '')");
	}));
}

test('recourse_public: runs intake, tracking and housekeeping, nothing of ' +
    'the back office', () => as('recourse_public', async (c) => {
	const t = await c.query('SELECT kind, code FROM taxonomy_active()');
	assert.ok(t.rows.some((r) => r.kind === 'category'));
	const p = await c.query('SELECT receipts FROM purge_expired()');
	assert.equal(p.rows.length, 1);
	await refused(c, "SELECT * FROM case_read(1, 'R-1')");
	await refused(c, "SELECT * FROM session_touch('\\x00')");
	await refused(c, "SELECT audit_seal(NULL, '{}', '{}')");
	await refused(c, 'SELECT * FROM audit_counts()');
	await refused(c, 'SELECT * FROM purge_staff_expired()');
}));

test('recourse_review: runs the back office, nothing of intake', () =>
    as('recourse_review', async (c) => {
	const s = await c.query("SELECT * FROM session_touch('\\x00')");
	assert.equal(s.rows[0].account_id, null);
	const a = await c.query('SELECT pending FROM audit_counts()');
	assert.equal(a.rows.length, 1);
	await refused(c, 'SELECT * FROM taxonomy_active()');
	await refused(c, 'SELECT * FROM purge_expired()');
	await refused(c, "SELECT * FROM track_detail('\\x00')");
}));

test('the runtime roles own nothing, are in no role and are not privileged',
    () => withDb(async (db) => {
	const r = await db.query(`SELECT rolname, rolsuper, rolcreaterole,
	    rolcreatedb, rolreplication, rolbypassrls FROM pg_roles
	    WHERE rolname = ANY ($1) OR rolname = 'recourse_owner'`,
	    [RUNTIME]);
	assert.equal(r.rows.length, 3);
	for (const x of r.rows)
		assert.deepEqual([x.rolsuper, x.rolcreaterole, x.rolcreatedb,
		    x.rolreplication, x.rolbypassrls], Array(5).fill(false),
		    x.rolname);
	const m = await db.query(`SELECT g.rolname
	    FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid
	    JOIN pg_roles u ON u.oid = a.member WHERE u.rolname = ANY ($1)`,
	    [RUNTIME]);
	assert.deepEqual(m.rows, []);
	const owned = await db.query(`SELECT 'class ' || relname AS o
	    FROM pg_class WHERE relowner::regrole::text = ANY ($1)
	    UNION ALL SELECT 'function ' || proname FROM pg_proc
	    WHERE proowner::regrole::text = ANY ($1)
	    UNION ALL SELECT 'type ' || typname FROM pg_type
	    WHERE typowner::regrole::text = ANY ($1)
	    UNION ALL SELECT 'schema ' || nspname FROM pg_namespace
	    WHERE nspowner::regrole::text = ANY ($1)
	    UNION ALL SELECT 'database ' || datname FROM pg_database
	    WHERE datdba::regrole::text = ANY ($1)`, [RUNTIME]);
	assert.deepEqual(owned.rows, []);
	// And everything of the schema is the owner's.
	const others = await db.query(`SELECT relname AS o FROM pg_class
	    WHERE relnamespace = 'public'::regnamespace
	      AND relowner <> 'recourse_owner'::regrole
	    UNION ALL SELECT proname FROM pg_proc
	    WHERE pronamespace = 'public'::regnamespace
	      AND proowner <> 'recourse_owner'::regrole`);
	assert.deepEqual(others.rows, []);
}));

test('no table right for a runtime role, no function for PUBLIC', () =>
    withDb(async (db) => {
	const t = await db.query(`SELECT r.rolname, c.relname
	    FROM pg_class c, pg_roles r
	    WHERE c.relnamespace = 'public'::regnamespace
	      AND c.relkind IN ('r', 'v', 'm', 'p', 'S')
	      AND r.rolname = ANY ($1)
	      AND (CASE WHEN c.relkind = 'S'
	        THEN has_sequence_privilege(r.oid, c.oid,
	            'USAGE, SELECT, UPDATE')
	        ELSE has_table_privilege(r.oid, c.oid, 'SELECT, INSERT,
	            UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') END)`,
	    [RUNTIME]);
	assert.deepEqual(t.rows, []);
	const pub = await db.query(`SELECT p.proname FROM pg_proc p,
	    aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
	    WHERE p.pronamespace = 'public'::regnamespace
	      AND a.grantee = 0 AND a.privilege_type = 'EXECUTE'`);
	assert.deepEqual(pub.rows.map((x) => x.proname), []);
}));

test('every function a runtime role may run is a SECURITY DEFINER with ' +
    'a pinned search_path, for one instance only', () =>
    withDb(async (db) => {
	const r = await db.query(`SELECT p.proname, r.rolname, p.prosecdef,
	    p.proconfig FROM pg_proc p, pg_roles r
	    WHERE p.pronamespace = 'public'::regnamespace
	      AND r.rolname = ANY ($1)
	      AND has_function_privilege(r.oid, p.oid, 'EXECUTE')`,
	    [RUNTIME]);
	const of = (role) => r.rows.filter((x) => x.rolname === role)
	    .map((x) => x.proname);
	assert.ok(of('recourse_public').includes('intake_complaint'));
	assert.ok(of('recourse_review').includes('case_read'));
	assert.deepEqual(of('recourse_public').filter((x) =>
	    of('recourse_review').includes(x)), []);
	for (const f of r.rows) {
		assert.equal(f.prosecdef, true, f.proname);
		assert.ok((f.proconfig ?? []).includes(
		    'search_path=pg_catalog, public, pg_temp'), f.proname);
	}
}));

test('each instance is logged in as its own role', async () => {
	// Every worker's pooled connections stay open after a request.
	assert.equal((await request('/readyz')).status, 200);
	assert.equal((await reviewRequest('/readyz')).status, 200);
	await withDb(async (db) => {
		// Only clients: an autovacuum worker has no user name.
		const r = await db.query(`SELECT DISTINCT usename
		    FROM pg_stat_activity WHERE datname = current_database()
		      AND backend_type = 'client backend'
		      AND pid <> pg_backend_pid() ORDER BY 1`);
		assert.deepEqual(r.rows.map((x) => x.usename), RUNTIME);
	});
});
