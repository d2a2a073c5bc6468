// The audit log's hash chain: verification passes on a real run (recourse-admin verify-audit and /admin/audit agree with the stored seals, and the links recompute independently from the key); editing, deleting or reordering a row by hand as the database owner, deleting a seal or adding an event behind audit()'s back is detected by both, and undone exactly; the append-only triggers refuse UPDATE, DELETE and TRUNCATE.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import pg from 'pg';
import { dbConfig } from '../lib/db.mjs';
import { fileComplaint, request } from '../lib/client.mjs';
import { staffUser, reviewRequest, form, act } from '../lib/staff.mjs';
import { parseHtml } from '../lib/html.mjs';
import { sodium } from '../lib/vault.mjs';

const INSUFFICIENT_PRIVILEGE = '42501';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let db;
const k = {};

before(async () => {
	db = new pg.Client(dbConfig());
	await db.connect();
	const [admin, reviewer] = await Promise.all([
		staffUser({ roles: ['admin'], queues: [], name: 'Chain Admin' }),
		staffUser({ roles: ['reviewer'], queues: ['general'],
		    name: 'Chain Reviewer' }),
	]);
	Object.assign(k, { admin, reviewer });
});

after(async () => {
	await db?.end();
});

// Kore drops a keep-alive connection idle for 10 s with an unsolicited 408
// (though it advertises timeout=20), which fetch may read as the answer to
// its next request: such connections are spent on /healthz first.
beforeEach(async () => {
	await Promise.allSettled([
		...Array.from({ length: 6 }, () => request('/healthz')),
		...Array.from({ length: 6 }, () => reviewRequest('/healthz')),
	]);
});

// ------------------------------------------------------------ helpers

// recourse-admin verify-audit: exit code and output.
function verifyCli() {
	return new Promise((resolve) => {
		execFile(process.env.RECOURSE_ADMIN, ['verify-audit'],
		    { env: process.env, timeout: 30000 }, (err, stdout, stderr) =>
		    resolve({ code: err ? (typeof err.code === 'number' ?
		    err.code : -1) : 0, stdout, stderr }));
	});
}

// What /admin/audit says about the chain.
async function webChain() {
	const res = await reviewRequest('/admin/audit',
	    { cookie: k.admin.cookie });
	assert.equal(res.status, 200, `/admin/audit: ${res.status}`);
	const doc = parseHtml(res.text);
	const st = doc.querySelector('#chain-status');
	const head = doc.querySelector('#chain code.code');
	return { status: st ? st.text.replace(/\s+/g, ' ').trim() : '',
	    head: head ? head.text.trim() : null, doc };
}

async function pending() {
	return (await db.query('SELECT count(*)::int AS n FROM audit_pending'))
	    .rows[0].n;
}

// Until the sealer has sealed everything (it runs every 200 ms here).
async function waitSealed(ms = 5000) {
	const until = Date.now() + ms;
	let n;
	while ((n = await pending()) > 0 && Date.now() < until)
		await sleep(100);
	assert.equal(n, 0, `${n} audit events still unsealed after ${ms} ms`);
}

async function seals() {
	const r = await db.query('SELECT count(*)::int AS n, max(seq)::int AS ' +
	    'max, (SELECT encode(hash, \'hex\') FROM audit_seals ORDER BY seq ' +
	    'DESC LIMIT 1) AS head FROM audit_seals');
	return r.rows[0];
}

// Asserts that the CLI and the page both find the chain intact, with as
// many links as audit_seals holds and its last hash as the head.  (Test
// files running alongside may add links meanwhile: then it looks again.)
async function assertIntact(label) {
	for (let tries = 1; ; tries++) {
		await waitSealed();
		const before = await seals();
		const cli = await verifyCli();
		assert.equal(cli.code, 0, `${label}: verify-audit: ` +
		    `${cli.stdout}${cli.stderr}`);
		const m = /^audit chain intact: (\d+) links, head ([0-9a-f]{64}), (\d+) events awaiting a seal\n(published heads: \d+ reports, each head in the chain\n)?$/
		    .exec(cli.stdout);
		assert.ok(m, `${label}: verify-audit printed ${cli.stdout}`);
		const web = await webChain();
		assert.match(web.status, /^Intact: \d+ links verified/,
		    `${label}: /admin/audit says ${web.status}`);
		const after = await seals();
		const settled = before.n === after.n && Number(m[1]) === after.n &&
		    web.status.startsWith(`Intact: ${after.n} links`);
		if (!settled && tries < 20)
			continue;	// links were added meanwhile: look again
		assert.equal(Number(m[1]), after.n, `${label}: the CLI's links`);
		assert.equal(m[2], after.head, `${label}: the CLI's head`);
		assert.ok(web.status.startsWith(`Intact: ${after.n} links ` +
		    'verified'), `${label}: ${web.status}`);
		assert.equal(web.head, after.head, `${label}: the page's head`);
		return { links: after.n, head: after.head };
	}
}

// Asserts that both the CLI and the page report the chain broken.
async function assertBroken(label, cliRe, webRe) {
	const cli = await verifyCli();
	assert.equal(cli.code, 1, `${label}: verify-audit exited ${cli.code}: ` +
	    `${cli.stdout}${cli.stderr}`);
	assert.match(cli.stdout, /^audit chain BROKEN at link \d+ /,
	    `${label}: ${cli.stdout}`);
	assert.match(cli.stdout, cliRe, `${label}: ${cli.stdout}`);
	const web = await webChain();
	assert.match(web.status, /^BROKEN\b/, `${label}: ${web.status}`);
	assert.match(web.status, webRe, `${label}: ${web.status}`);
	assert.equal(web.head, null, `${label}: a broken chain shows a head`);
	return { cli, web };
}

// A client acting as the database owner with the triggers off (as
// pg_restore or a superuser with session_replication_role would), kept
// for one tampering and its undoing; temporary tables live on it.
async function owner() {
	const c = new pg.Client(dbConfig());
	await c.connect();
	await c.query('SET session_replication_role = replica');
	return c;
}

async function release(c) {
	try {
		await c.query('RESET session_replication_role');
	} finally {
		await c.end();
	}
}

// A link in the middle of the chain (not the first, not the last two),
// with its event and the next link.
async function middleLink() {
	const n = (await seals()).n;
	assert.ok(n >= 8, `only ${n} links: the set-up made too few events`);
	const r = await db.query('SELECT s.seq::int AS seq, s.event_id::int AS ' +
	    'event, (SELECT x.event_id::int FROM audit_seals x WHERE ' +
	    'x.seq = s.seq + 1) AS next_event FROM audit_seals s ORDER BY s.seq ' +
	    'OFFSET $1 LIMIT 1', [Math.floor(n / 2)]);
	return r.rows[0];
}

// Copies of an event and of a link, to put back exactly.
async function save(c, { events = [], seqs = [] }) {
	await c.query('CREATE TEMP TABLE IF NOT EXISTS saved_events ' +
	    '(LIKE audit_events)');
	await c.query('CREATE TEMP TABLE IF NOT EXISTS saved_seals ' +
	    '(LIKE audit_seals)');
	await c.query('TRUNCATE saved_events, saved_seals');
	await c.query('INSERT INTO saved_events SELECT * FROM audit_events ' +
	    'WHERE id = ANY ($1)', [events]);
	await c.query('INSERT INTO saved_seals SELECT * FROM audit_seals ' +
	    'WHERE seq = ANY ($1)', [seqs]);
	assert.equal((await c.query('SELECT count(*)::int AS n FROM ' +
	    'saved_events')).rows[0].n, events.length);
	assert.equal((await c.query('SELECT count(*)::int AS n FROM ' +
	    'saved_seals')).rows[0].n, seqs.length);
}

// The rows as they are now equal the saved copies.
async function assertRestored(c) {
	const r = await c.query(`SELECT
	    (SELECT count(*) FROM saved_events s WHERE NOT EXISTS (SELECT 1
	        FROM audit_events e WHERE to_jsonb(e) = to_jsonb(s)))::int AS e,
	    (SELECT count(*) FROM saved_seals s WHERE NOT EXISTS (SELECT 1
	        FROM audit_seals x WHERE to_jsonb(x) = to_jsonb(s)))::int AS s`);
	assert.deepEqual(r.rows[0], { e: 0, s: 0 }, 'not restored exactly');
}

const RESTORE_EVENTS = 'UPDATE audit_events e SET at = s.at, ' +
    'actor = s.actor, action = s.action, object = s.object, ' +
    'detail = s.detail FROM saved_events s WHERE e.id = s.id';

// Every link recomputed here from master.key, as src/audit.c defines it:
// keyed BLAKE2b-256 over "recourse:audit:v1", the previous link, seq and
// event id (64-bit big-endian) and the canonical fields, each prefixed by
// its length.
async function recomputeChain() {
	const s = await sodium();
	const master = new Uint8Array(fs.readFileSync(path.join(
	    process.env.RECOURSE_KEYS, 'master.key')));
	const key = s.crypto_kdf_derive_from_key(32, 6, 'recourse', master);
	const u64 = (v) => {
		const b = Buffer.alloc(8);
		b.writeBigUInt64BE(BigInt(v));
		return b;
	};
	const text = (t) => {
		const b = Buffer.from(t, 'utf8');
		return Buffer.concat([u64(b.length), b]);
	};
	const r = await db.query('SELECT s.seq, s.event_id, s.hash, c.at_text, ' +
	    'c.actor, c.action, c.object, c.detail_text FROM audit_seals s ' +
	    'JOIN audit_canonical c ON c.id = s.event_id ORDER BY s.seq');
	let prev = Buffer.alloc(32);
	let seq = 0n;
	for (const row of r.rows) {
		seq++;
		assert.equal(BigInt(row.seq), seq, 'links are numbered 1, 2, ...');
		const msg = Buffer.concat([Buffer.from('recourse:audit:v1'), prev,
		    u64(row.seq), u64(row.event_id), text(row.at_text),
		    text(row.actor), text(row.action), text(row.object),
		    text(row.detail_text)]);
		const h = Buffer.from(s.crypto_generichash(32, msg, key));
		assert.equal(h.toString('hex'), row.hash.toString('hex'),
		    `link ${row.seq} (event ${row.event_id}) does not recompute`);
		prev = h;
	}
	return { links: r.rows.length, head: prev.toString('hex') };
}

// ------------------------------------------------------------ a real run

test('verification passes on a real run: CLI, page and an independent ' +
    'recomputation agree', async () => {
	const mark = (await db.query('SELECT coalesce(max(id), 0)::int AS id ' +
	    'FROM audit_events')).rows[0].id;
	// Logins (in before()), a complaint, a take, a triage, a read, an
	// admin change.
	const c = await fileComplaint({ category: 'privacy.consent' });
	assert.equal(c.res.status, 201);
	let res = await act(k.reviewer, c.reference, 'take');
	assert.equal(res.status, 303, `take: ${res.status}`);
	res = await act(k.reviewer, c.reference, 'triage', {
	    category: 'privacy.consent', priority: 3, queue: 'general' });
	assert.equal(res.status, 303, `triage: ${res.status}`);
	res = await reviewRequest(`/review/cases/${c.reference}`,
	    { cookie: k.reviewer.cookie });
	assert.equal(res.status, 200);
	res = await reviewRequest('/admin/accounts/update', { method: 'POST',
	    cookie: k.admin.cookie, body: form({ csrf: k.admin.csrf,
	    id: k.reviewer.id, name: 'Chain Reviewer', roles: ['reviewer'],
	    queues: ['general', 'security'], active: 'yes' }) });
	assert.equal(res.status, 303, `admin update: ${res.status}`);

	await waitSealed();
	// Every event of the run is sealed, in the order written.
	const ev = (await db.query('SELECT e.id::int AS id, e.actor, e.action, ' +
	    's.seq::int AS seq FROM audit_events e LEFT JOIN audit_seals s ' +
	    'ON s.event_id = e.id WHERE e.id > $1 AND e.actor = ANY ($2) ' +
	    'ORDER BY e.id', [mark, [`staff:${k.admin.id}`,
	    `staff:${k.reviewer.id}`]])).rows;
	assert.ok(ev.every((e) => e.seq !== null), 'an event is unsealed');
	for (let i = 1; i < ev.length; i++)
		assert.ok(ev[i].seq > ev[i - 1].seq, 'sealed out of order');
	const actions = ev.map((e) => e.action);
	for (const a of ['case.assigned', 'case.triaged', 'case.read',
	    'account.update'])
		assert.ok(actions.includes(a), `no sealed ${a} event`);
	const logins = (await db.query('SELECT count(*)::int AS n FROM ' +
	    'audit_events e JOIN audit_seals s ON s.event_id = e.id ' +
	    'WHERE e.action = \'login\' AND e.actor = ANY ($1)',
	    [[`staff:${k.admin.id}`, `staff:${k.reviewer.id}`]])).rows[0].n;
	assert.equal(logins, 2, 'the logins are not sealed');

	const got = await assertIntact('real run');
	assert.ok(got.links >= ev.length);
	// The page lists the events with their link numbers.
	const web = await webChain();
	const rows = web.doc.querySelectorAll('table.audit tbody tr');
	assert.ok(rows.length > 0);
	assert.ok(!web.doc.querySelector('table.audit').text.includes('pending'),
	    'an event is shown as pending after sealing');

	// Independently of the service's code: the links recompute.
	const mine = await recomputeChain();
	assert.ok(mine.links >= got.links);
	if (mine.links === got.links)
		assert.equal(mine.head, got.head);
});

// ------------------------------------------------------------ tampering

test('editing an event or a link by hand is detected, and undoing it ' +
    'verifies again', async (t) => {
	const EDITS = [
		['object', 'UPDATE audit_events SET object = left(object || ' +
		    '\'.edited\', 200) WHERE id = $1'],
		['detail', 'UPDATE audit_events SET detail = detail || ' +
		    '\'{"edited": true}\' WHERE id = $1'],
		['time by a microsecond', 'UPDATE audit_events SET at = at + ' +
		    'interval \'1 microsecond\' WHERE id = $1'],
		['actor', 'UPDATE audit_events SET actor = CASE WHEN ' +
		    'actor = \'system\' THEN \'cli\' ELSE \'system\' END ' +
		    'WHERE id = $1'],
		['action', 'UPDATE audit_events SET action = action || \'x\' ' +
		    'WHERE id = $1'],
	];
	for (const [what, sql] of EDITS) {
		await t.test(`the event's ${what}`, async () => {
			await assertIntact(`before editing the ${what}`);
			const l = await middleLink();
			const c = await owner();
			try {
				await save(c, { events: [l.event] });
				const r = await c.query(sql, [l.event]);
				assert.equal(r.rowCount, 1);
				await assertBroken(`${what} edited`,
				    new RegExp(`BROKEN at link ${l.seq} \\(event ` +
				    `${l.event}\\): the event or the link was changed`),
				    new RegExp(`at link ${l.seq} \\(event ${l.event}\\)`));
			} finally {
				await c.query(RESTORE_EVENTS);
				await assertRestored(c);
				await release(c);
			}
			await assertIntact(`after restoring the ${what}`);
		});
	}
	await t.test('a link\'s hash', async () => {
		await assertIntact('before editing a hash');
		const l = await middleLink();
		const c = await owner();
		try {
			await save(c, { seqs: [l.seq] });
			await c.query('UPDATE audit_seals SET hash = set_byte(hash, ' +
			    '31, get_byte(hash, 31) # 1) WHERE seq = $1', [l.seq]);
			await assertBroken('hash edited',
			    new RegExp(`BROKEN at link ${l.seq} \\(event ${l.event}\\)` +
			    ': the event or the link was changed'),
			    new RegExp(`at link ${l.seq} `));
		} finally {
			await c.query('UPDATE audit_seals x SET hash = s.hash ' +
			    'FROM saved_seals s WHERE x.seq = s.seq');
			await assertRestored(c);
			await release(c);
		}
		await assertIntact('after restoring the hash');
	});
});

test('deleting a sealed event is detected; putting it back verifies again',
    async () => {
	await assertIntact('before deleting an event');
	const l = await middleLink();
	const c = await owner();
	try {
		await save(c, { events: [l.event] });
		const r = await c.query('DELETE FROM audit_events WHERE id = $1',
		    [l.event]);
		assert.equal(r.rowCount, 1);
		await assertBroken('event deleted',
		    new RegExp(`BROKEN at link ${l.seq} \\(event ${l.event}\\): ` +
		    'the event this link seals is missing'),
		    new RegExp(`at link ${l.seq} \\(event ${l.event}\\)`));
	} finally {
		await c.query('INSERT INTO audit_events SELECT * FROM saved_events ' +
		    'ON CONFLICT (id) DO NOTHING');
		await assertRestored(c);
		await release(c);
	}
	await assertIntact('after putting the event back');
});

test('reordering is detected: two links\' events swapped, or two events\' ' +
    'contents swapped', async (t) => {
	await t.test('links swapped', async () => {
		await assertIntact('before swapping links');
		const l = await middleLink();
		const c = await owner();
		const setEvent = (seq, ev) => c.query('UPDATE audit_seals SET ' +
		    'event_id = $2 WHERE seq = $1', [seq, ev]);
		try {
			await save(c, { seqs: [l.seq, l.seq + 1] });
			// (event_id is unique: through a placeholder.)
			await setEvent(l.seq, -1);
			await setEvent(l.seq + 1, l.event);
			await setEvent(l.seq, l.next_event);
			await assertBroken('links swapped',
			    new RegExp(`BROKEN at link ${l.seq} \\(event ` +
			    `${l.next_event}\\): the event or the link was changed`),
			    new RegExp(`at link ${l.seq} `));
		} finally {
			await setEvent(l.seq, -1);
			await setEvent(l.seq + 1, l.next_event);
			await setEvent(l.seq, l.event);
			await assertRestored(c);
			await release(c);
		}
		await assertIntact('after swapping the links back');
	});
	await t.test('event contents swapped', async () => {
		await assertIntact('before swapping events');
		const l = await middleLink();
		const c = await owner();
		const swap = 'UPDATE audit_events e SET at = o.at, actor = o.actor, ' +
		    'action = o.action, object = o.object, detail = o.detail ' +
		    'FROM saved_events o WHERE e.id IN ($1, $2) AND o.id = CASE ' +
		    'e.id WHEN $1 THEN $2 ELSE $1 END';
		try {
			await save(c, { events: [l.event, l.next_event] });
			const differ = await c.query('SELECT count(DISTINCT ' +
			    'c.at_text || c.actor || c.action || c.object || ' +
			    'c.detail_text)::int AS n FROM audit_canonical c ' +
			    'WHERE c.id IN ($1, $2)', [l.event, l.next_event]);
			assert.equal(differ.rows[0].n, 2, 'two identical events');
			const r = await c.query(swap, [l.event, l.next_event]);
			assert.equal(r.rowCount, 2);
			await assertBroken('events swapped',
			    new RegExp(`BROKEN at link ${l.seq} \\(event ${l.event}` +
			    '\\): the event or the link was changed'),
			    new RegExp(`at link ${l.seq} `));
		} finally {
			await c.query(RESTORE_EVENTS);
			await assertRestored(c);
			await release(c);
		}
		await assertIntact('after swapping the events back');
	});
});

test('deleting a link in the middle is detected; putting it back ' +
    'verifies again', async () => {
	await assertIntact('before deleting a link');
	const l = await middleLink();
	const c = await owner();
	try {
		await save(c, { seqs: [l.seq] });
		const r = await c.query('DELETE FROM audit_seals WHERE seq = $1',
		    [l.seq]);
		assert.equal(r.rowCount, 1);
		// The CLI names the link it holds (the one after the gap) and
		// says one is missing before it; the page names the missing one.
		const b = await assertBroken('link deleted',
		    new RegExp(`BROKEN at link ${l.seq + 1} \\(event ` +
		    `${l.next_event}\\): a link is missing before this one`),
		    new RegExp(`at link ${l.seq} .*a link is missing`));
		assert.ok(b);
	} finally {
		await c.query('INSERT INTO audit_seals SELECT * FROM saved_seals ' +
		    'ON CONFLICT (seq) DO NOTHING');
		await assertRestored(c);
		await release(c);
	}
	await assertIntact('after putting the link back');
});

test('an event written by hand, without audit(), is neither sealed nor ' +
    'waiting, and is reported', async () => {
	await assertIntact('before the forged event');
	const c = await owner();
	let id = null;
	try {
		const r = await c.query('INSERT INTO audit_events (actor, action, ' +
		    'object, detail) VALUES (\'system\', \'forged.by_hand\', ' +
		    '\'test\', \'{}\') RETURNING id::int AS id');
		id = r.rows[0].id;
		// Several sealer rounds pass: it stays outside the chain.
		await sleep(600);
		assert.equal((await db.query('SELECT count(*)::int AS n FROM ' +
		    'audit_seals WHERE event_id = $1', [id])).rows[0].n, 0,
		    'the forged event was sealed');
		await assertBroken('forged event',
		    new RegExp(`BROKEN at link \\d+ \\(event ${id}\\): event ${id} ` +
		    'is in neither the chain nor the queue'),
		    /1 events? (is|are) neither in the chain nor waiting/);
	} finally {
		if (id !== null)
			await c.query('DELETE FROM audit_events WHERE id = $1', [id]);
		await release(c);
	}
	await assertIntact('after removing the forged event');
});

// ------------------------------------------------------------ triggers

test('without the owner\'s bypass, UPDATE, DELETE and TRUNCATE of ' +
    'audit_events and audit_seals are refused (42501)', async () => {
	await waitSealed();
	const l = await middleLink();
	const refused = async (sql, params = []) => {
		await assert.rejects(db.query(sql, params), (e) => {
			assert.equal(e.code, INSUFFICIENT_PRIVILEGE,
			    `${sql}: ${e.code} ${e.message}`);
			assert.match(e.message, /append-only/);
			return true;
		}, sql);
	};
	await refused('UPDATE audit_events SET object = object WHERE id = $1',
	    [l.event]);
	await refused('UPDATE audit_events SET detail = \'{}\' WHERE id = $1',
	    [l.event]);
	await refused('DELETE FROM audit_events WHERE id = $1', [l.event]);
	await refused('UPDATE audit_seals SET hash = hash WHERE seq = $1',
	    [l.seq]);
	await refused('DELETE FROM audit_seals WHERE seq = $1', [l.seq]);
	// TRUNCATE inside a transaction that is rolled back whatever happens.
	for (const table of ['audit_seals', 'audit_events, audit_pending, ' +
	    'audit_seals']) {
		await db.query('BEGIN');
		try {
			await refused(`TRUNCATE ${table}`);
		} finally {
			await db.query('ROLLBACK');
		}
	}
	// The rows are as they were.
	const r = await db.query('SELECT (SELECT count(*) FROM audit_events ' +
	    'WHERE id = $1)::int AS e, (SELECT count(*) FROM audit_seals ' +
	    'WHERE seq = $2 AND event_id = $1)::int AS s', [l.event, l.seq]);
	assert.deepEqual(r.rows[0], { e: 1, s: 1 });
});

test('the chain is left intact and recomputes from the key', async () => {
	const got = await assertIntact('at the end');
	const mine = await recomputeChain();
	assert.ok(mine.links >= got.links);
});
