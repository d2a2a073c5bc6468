// The case workflow proven in SQL alone, as from psql: the state machine refuses every transition PRODUCT.md does not list, the case_* functions answer as documented, queues, brand bars and account set-up hide cases, every action is audited, and the audit log and decision rules hold even against direct writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { withDb, SCHEDULER_COLUMNS } from '../lib/db.mjs';
import { makeStaff, makeCase, barBrand } from '../lib/fixtures.mjs';

const STATES = ['received', 'triaged', 'investigating', 'awaiting_complainant',
    'decided', 'appealed', 'closed', 'rejected'];

// PRODUCT.md, "Case states".  Hard-coded on purpose: the test must fail if
// the case_transitions table is edited.
const ALLOWED = new Set([
	['received', 'triaged'],
	['received', 'rejected'],
	['triaged', 'investigating'],
	['triaged', 'awaiting_complainant'],
	['triaged', 'rejected'],
	['investigating', 'awaiting_complainant'],
	['investigating', 'decided'],
	['investigating', 'rejected'],
	['awaiting_complainant', 'investigating'],
	['awaiting_complainant', 'rejected'],
	['decided', 'closed'],
	['decided', 'appealed'],
	['appealed', 'decided'],
	['rejected', 'closed'],
	// The appeal right outlives closing (six months from the decision).
	['closed', 'appealed'],
].map(([from, to]) => `${from}->${to}`));

const CHECK_VIOLATION = '23514';
const INSUFFICIENT_PRIVILEGE = '42501';

// Stand-ins for the encrypted bodies the service would pass.
const box = () => crypto.randomBytes(48);

// bigint columns arrive as strings; ids here are small.
const num = (v) => (v === null || v === undefined ? v : Number(v));

// SELECT fn($1, ...) and its text answer.
async function call(db, fn, ...args) {
	const params = args.map((_, i) => `$${i + 1}`).join(', ');
	const r = await db.query(`SELECT ${fn}(${params})::text AS r`, args);
	return r.rows[0].r;
}

// The workflow functions with plausible defaults for what the tests do not
// care about.
const act = {
	take: (db, actor, ref) => call(db, 'case_take', actor, ref),
	assign: (db, actor, ref, to) => call(db, 'case_assign', actor, ref, to),
	triage: (db, actor, ref, { category = 'privacy.consent', priority = 2,
	    queue = null } = {}) =>
		call(db, 'case_triage', actor, ref, category, priority, queue),
	investigate: (db, actor, ref) => call(db, 'case_investigate', actor, ref),
	note: (db, actor, ref) => call(db, 'case_note', actor, ref, box()),
	message: (db, actor, ref, { requestInfo = false } = {}) =>
		call(db, 'case_message', actor, ref, box(), box(), requestInfo),
	linkDuplicate: (db, actor, ref, original) =>
		call(db, 'case_link_duplicate', actor, ref, original),
	reject: (db, actor, ref) => call(db, 'case_reject', actor, ref, box(), box()),
	decide: (db, actor, ref, { outcome = 'upheld', remedies = ['apology'],
	    automated = false } = {}) =>
		call(db, 'case_decide', actor, ref, outcome, remedies, automated,
		    box(), box()),
	sign: (db, actor, ref) => call(db, 'case_sign', actor, ref),
	close: (db, actor, ref) => call(db, 'case_close', actor, ref),
	reply: (db, receiptHash) =>
		call(db, 'complainant_reply', receiptHash, box(), box()),
	appeal: (db, receiptHash) =>
		call(db, 'complainant_appeal', receiptHash, box(), box()),
};

async function caseRow(db, id) {
	const r = await db.query('SELECT * FROM cases WHERE id = $1', [id]);
	const c = r.rows[0];
	for (const k of ['id', 'assignee', 'appeal_excluded', 'duplicate_of'])
		c[k] = num(c[k]);
	for (const k of SCHEDULER_COLUMNS)
		delete c[k];
	return c;
}

async function policyVersion(db, code) {
	const r = await db.query('SELECT current_version FROM sla_policies ' +
	    'WHERE code = $1', [code]);
	return r.rows[0].current_version;
}

async function decisionsOf(db, caseId) {
	const r = await db.query('SELECT * FROM case_decisions WHERE case_id = $1 ' +
	    'ORDER BY id', [caseId]);
	return r.rows.map((d) => ({ ...d, id: num(d.id),
	    decided_by: num(d.decided_by), signed_by: num(d.signed_by) }));
}

async function eventsOf(db, caseId) {
	const r = await db.query('SELECT * FROM case_events WHERE case_id = $1 ' +
	    'ORDER BY id', [caseId]);
	return r.rows;
}

async function lastEvent(db, caseId) {
	const ev = await eventsOf(db, caseId);
	return ev[ev.length - 1];
}

const supervisor = (db, opts = {}) =>
	makeStaff(db, { roles: ['supervisor'], queues: [], ...opts });

// Brings a new case to 'state' through the workflow functions, worked by
// 'actor' (a new supervisor by default).  Its decision is released at once
// unless the priority is 3 or more.
async function caseIn(db, state, { actor, priority = 2 } = {}) {
	actor ??= await supervisor(db);
	const k = await makeCase(db, { priority });
	const [id, ref] = [actor.id, k.reference];
	const ok = async (what, p) =>
		assert.equal(await p, 'ok', `caseIn(${state}): ${what}`);
	if (state === 'rejected') {
		await ok('reject', act.reject(db, id, ref));
	} else if (state !== 'received') {
		await ok('take', act.take(db, id, ref));
		await ok('triage', act.triage(db, id, ref, { priority }));
		if (state === 'awaiting_complainant') {
			await ok('request information',
			    act.message(db, id, ref, { requestInfo: true }));
		} else if (state !== 'triaged') {
			await ok('investigate', act.investigate(db, id, ref));
			if (state !== 'investigating')
				await ok('decide', act.decide(db, id, ref));
			if (state === 'closed')
				await ok('close', act.close(db, id, ref));
			if (state === 'appealed')
				await ok('appeal', act.appeal(db, k.receiptHash));
		}
	}
	assert.equal((await caseRow(db, k.id)).state, state);
	return { ...k, actor };
}

// Every staff action on a case, each answer by name.
async function everyAction(db, actor, k, other) {
	const ref = k.reference;
	return {
		take: await act.take(db, actor, ref),
		assign: await act.assign(db, actor, ref, actor),
		release: await act.assign(db, actor, ref, null),
		triage: await act.triage(db, actor, ref),
		investigate: await act.investigate(db, actor, ref),
		note: await act.note(db, actor, ref),
		message: await act.message(db, actor, ref),
		requestInfo: await act.message(db, actor, ref, { requestInfo: true }),
		linkDuplicate: await act.linkDuplicate(db, actor, ref, other.reference),
		reject: await act.reject(db, actor, ref),
		decide: await act.decide(db, actor, ref),
		sign: await act.sign(db, actor, ref),
		close: await act.close(db, actor, ref),
	};
}

function allNotFound(results) {
	return Object.fromEntries(Object.keys(results).map((k) => [k, 'not_found']));
}

// What an action could have changed: the case row, and the counts of its
// timeline, messages, decisions, appeals and audit events (the case's, and
// the actor's).
async function snapshot(db, k, actorId) {
	const r = await db.query(`SELECT
	    (SELECT count(*) FROM case_events WHERE case_id = $1)::int AS events,
	    (SELECT count(*) FROM case_messages WHERE case_id = $1)::int AS messages,
	    (SELECT count(*) FROM case_decisions WHERE case_id = $1)::int AS decisions,
	    (SELECT count(*) FROM case_appeals WHERE case_id = $1)::int AS appeals,
	    (SELECT count(*) FROM audit_events WHERE object = 'case:' || $2
	        OR actor = 'staff:' || $3)::int AS audit`,
	    [k.id, k.reference, actorId]);
	return { row: await caseRow(db, k.id), ...r.rows[0] };
}

// Runs every action as 'actor' and checks that each answered 'not_found'
// and that nothing changed.
async function assertInvisible(db, actor, k, other, label) {
	const before = await snapshot(db, k, actor.id);
	const results = await everyAction(db, actor.id, k, other);
	assert.deepEqual(results, allNotFound(results), label);
	assert.deepEqual(await snapshot(db, k, actor.id), before, label);
}

async function assertSqlError(promise, code, message) {
	await assert.rejects(promise, (e) => {
		assert.equal(e.code, code, `${message ?? ''}: ${e.message}`);
		return true;
	}, message);
}

// Ages a case's decisions by 'interval' (triggers off only for this).
async function ageDecisions(db, caseId, interval) {
	await db.query('SET session_replication_role = replica');
	try {
		await db.query('UPDATE case_decisions SET ' +
		    'decided_at = decided_at - $2::interval, ' +
		    'released_at = released_at - $2::interval WHERE case_id = $1',
		    [caseId, interval]);
	} finally {
		await db.query('RESET session_replication_role');
	}
}

// A decision row written directly, bypassing case_decide.
function insertDecision(db, caseId, fields) {
	const d = { on_appeal: false, outcome: 'upheld', remedies: ['apology'],
	    needs_signature: false, signed_by: null, signed_at: null,
	    released_at: new Date(), ...fields };
	return db.query(`INSERT INTO case_decisions (case_id, on_appeal, outcome,
	    remedies, automated, reasons_box, reasons_complainant_box, decided_by,
	    needs_signature, signed_by, signed_at, released_at)
	    VALUES ($1, $2, $3, $4, false, $5, $6, $7, $8, $9, $10, $11)`,
	    [caseId, d.on_appeal, d.outcome, d.remedies, box(), box(),
	        d.decided_by, d.needs_signature, d.signed_by, d.signed_at,
	        d.released_at]);
}

// ---------------------------------------------------------------------
// The state machine, with plain UPDATEs
// ---------------------------------------------------------------------

for (const from of STATES) {
	for (const to of STATES) {
		const allowed = from === to || ALLOWED.has(`${from}->${to}`);
		const what = from === to ? 'is a no-op' :
		    allowed ? 'is allowed' : 'is refused';
		test(`UPDATE cases SET state: ${from} -> ${to} ${what}`, () =>
		    withDb(async (db) => {
			const k = await caseIn(db, from);
			const before = await caseRow(db, k.id);
			const update = db.query('UPDATE cases SET state = $2 ' +
			    'WHERE id = $1', [k.id, to]);
			if (allowed) {
				const r = await update;
				assert.equal(r.rowCount, 1);
				const after = await caseRow(db, k.id);
				assert.equal(after.state, to);
				if (from === to)
					assert.deepEqual(after, before);
				else
					assert.ok(after.updated_at >= before.updated_at);
			} else {
				await assertSqlError(update, CHECK_VIOLATION,
				    `${from} -> ${to}`);
				assert.deepEqual(await caseRow(db, k.id), before);
			}
		}));
	}
}

test('the refusal names the case and both states', () => withDb(async (db) => {
	const k = await makeCase(db);
	await assert.rejects(db.query("UPDATE cases SET state = 'closed' " +
	    'WHERE id = $1', [k.id]), (e) => {
		assert.equal(e.code, CHECK_VIOLATION);
		assert.match(e.message, new RegExp(`${k.reference}: received -> ` +
		    'closed is not an allowed transition'));
		return true;
	});
}));

// ---------------------------------------------------------------------
// The workflow functions
// ---------------------------------------------------------------------

test('take, take-over by a supervisor, assign and release', () =>
    withDb(async (db) => {
	const a = await makeStaff(db);
	const b = await makeStaff(db);
	const sup = await supervisor(db);
	const outsider = await makeStaff(db, { queues: ['security'] });
	const k = await makeCase(db);
	const ref = k.reference;
	const assignee = async () => (await caseRow(db, k.id)).assignee;

	assert.equal(await act.take(db, a.id, ref), 'ok');
	assert.equal(await assignee(), a.id);
	assert.equal(await act.take(db, b.id, ref), 'not_assigned');
	assert.equal(await assignee(), a.id);
	const n = (await eventsOf(db, k.id)).length;
	assert.equal(await act.take(db, a.id, ref), 'ok', 'taking again');
	assert.equal((await eventsOf(db, k.id)).length, n, 'is a no-op');

	assert.equal(await act.take(db, sup.id, ref), 'ok');
	assert.equal(await assignee(), sup.id);
	const over = await lastEvent(db, k.id);
	assert.equal(over.kind, 'assigned');
	assert.equal(over.actor, `staff:${sup.id}`);
	assert.equal(over.visible_to_complainant, false);
	assert.deepEqual(over.detail, { to: sup.id, from: a.id });

	assert.equal(await act.assign(db, a.id, ref, b.id), 'forbidden');
	assert.equal(await act.assign(db, sup.id, ref, outsider.id), 'invalid');
	assert.equal(await act.assign(db, sup.id, ref, 999999999), 'invalid');
	assert.equal(await assignee(), sup.id);
	assert.equal(await act.assign(db, sup.id, ref, b.id), 'ok');
	assert.equal(await assignee(), b.id);

	assert.equal(await act.assign(db, a.id, ref, null), 'not_assigned');
	assert.equal(await act.assign(db, b.id, ref, null), 'ok');
	assert.equal(await assignee(), null);
	const rel = await lastEvent(db, k.id);
	assert.equal(rel.kind, 'released');
	assert.deepEqual(rel.detail, { from: b.id });

	assert.deepEqual((await eventsOf(db, k.id)).map((e) => e.kind),
	    ['received', 'assigned', 'assigned', 'assigned', 'released']);
	assert.equal((await caseRow(db, k.id)).state, 'received');
}));

test('a reviewer cannot work an unassigned case without taking it', () =>
    withDb(async (db) => {
	// "Only the assignee works a case; a supervisor may act on any."
	const a = await makeStaff(db);
	const k = await makeCase(db);
	const before = await caseRow(db, k.id);
	assert.equal(await act.triage(db, a.id, k.reference), 'not_assigned');
	assert.equal(await act.note(db, a.id, k.reference), 'not_assigned');
	assert.equal(await act.reject(db, a.id, k.reference), 'not_assigned');
	assert.deepEqual(await caseRow(db, k.id), before);
}));

test('triage, investigation, notes, messages and the complainant\'s reply',
    () => withDb(async (db) => {
	const a = await makeStaff(db);
	const b = await makeStaff(db);
	const k = await makeCase(db);
	const ref = k.reference;
	const first = await caseRow(db, k.id);

	assert.equal(await act.take(db, a.id, ref), 'ok');
	assert.equal(await act.investigate(db, a.id, ref), 'state');
	assert.equal(await act.message(db, a.id, ref, { requestInfo: true }),
	    'state');
	assert.equal(await act.triage(db, a.id, ref, { category: 'no.such' }),
	    'invalid');
	assert.equal(await act.triage(db, a.id, ref, { priority: 5 }), 'invalid');
	assert.equal(await act.triage(db, a.id, ref, { queue: 'nowhere' }),
	    'invalid');
	assert.equal(await act.triage(db, b.id, ref), 'not_assigned');
	assert.equal((await caseRow(db, k.id)).state, 'received');

	assert.equal(await act.triage(db, a.id, ref,
	    { category: 'bias.pricing', priority: 1 }), 'ok');
	const triaged = await caseRow(db, k.id);
	assert.equal(triaged.state, 'triaged');
	assert.equal(triaged.category, 'bias.pricing');
	assert.equal(triaged.priority, 1);
	// PRODUCT.md: priority 1 is not urgent, so the standard policy.
	assert.equal(triaged.sla_policy_version, await policyVersion(db,
	    'standard'));
	assert.equal(first.sla_policy_version, triaged.sla_policy_version);
	let ev = await lastEvent(db, k.id);
	assert.equal(ev.kind, 'triaged');
	assert.equal(ev.actor, `staff:${a.id}`);
	assert.equal(ev.visible_to_complainant, true);
	assert.deepEqual(ev.detail.was, { category: 'privacy.consent',
	    priority: 2, queue: 'general' });

	// A second triage changes fields only; the complainant does not see it.
	assert.equal(await act.triage(db, a.id, ref, { priority: 2 }), 'ok');
	const again = await caseRow(db, k.id);
	assert.equal(again.state, 'triaged');
	assert.equal(again.sla_policy_version, triaged.sla_policy_version);
	// Priority 4 makes the case urgent: the urgent policy from now on.
	assert.equal(await act.triage(db, a.id, ref, { priority: 4 }), 'ok');
	assert.equal((await caseRow(db, k.id)).sla_policy_version,
	    await policyVersion(db, 'urgent'));
	assert.equal((await lastEvent(db, k.id)).visible_to_complainant, false);

	assert.equal(await act.investigate(db, b.id, ref), 'not_assigned');
	assert.equal(await act.investigate(db, a.id, ref), 'ok');
	assert.equal((await caseRow(db, k.id)).state, 'investigating');
	assert.equal(await act.investigate(db, a.id, ref), 'state');

	assert.equal(await act.note(db, b.id, ref), 'not_assigned');
	assert.equal(await act.note(db, a.id, ref), 'ok');
	ev = await lastEvent(db, k.id);
	assert.equal(ev.kind, 'note');
	assert.equal(ev.visible_to_complainant, false);
	const note = (await db.query('SELECT * FROM case_messages WHERE id = $1',
	    [ev.detail.message])).rows[0];
	assert.equal(note.kind, 'note');
	assert.equal(num(note.author), a.id);
	assert.equal(note.complainant_box, null);

	assert.equal(await act.message(db, a.id, ref), 'ok');
	ev = await lastEvent(db, k.id);
	assert.equal(ev.kind, 'message');
	assert.equal(ev.visible_to_complainant, true);
	assert.equal((await caseRow(db, k.id)).state, 'investigating');

	assert.equal(await act.message(db, a.id, ref, { requestInfo: true }), 'ok');
	assert.equal((await caseRow(db, k.id)).state, 'awaiting_complainant');
	ev = await lastEvent(db, k.id);
	assert.equal(ev.kind, 'information_requested');
	assert.equal(ev.visible_to_complainant, true);
	assert.equal(await act.message(db, a.id, ref, { requestInfo: true }),
	    'state', 'already waiting');

	assert.equal(await act.reply(db, crypto.randomBytes(32)), 'not_found');
	assert.equal(await act.reply(db, k.receiptHash), 'ok');
	assert.equal((await caseRow(db, k.id)).state, 'investigating');
	ev = await lastEvent(db, k.id);
	assert.equal(ev.kind, 'complainant_replied');
	assert.equal(ev.actor, 'complainant');
	assert.equal(ev.visible_to_complainant, true);
	const reply = (await db.query('SELECT * FROM case_messages WHERE id = $1',
	    [ev.detail.message])).rows[0];
	assert.equal(reply.kind, 'from_complainant');
	assert.equal(reply.author, null);

	// A reply nobody asked for is kept without changing the state.
	assert.equal(await act.reply(db, k.receiptHash), 'ok');
	assert.equal((await caseRow(db, k.id)).state, 'investigating');
}));

test('request for information from triaged, answered, then investigated',
    () => withDb(async (db) => {
	const k = await caseIn(db, 'triaged');
	const ref = k.reference;
	assert.equal(await act.message(db, k.actor.id, ref,
	    { requestInfo: true }), 'ok');
	assert.equal((await caseRow(db, k.id)).state, 'awaiting_complainant');
	assert.equal(await act.investigate(db, k.actor.id, ref), 'state');
	assert.equal(await act.reply(db, k.receiptHash), 'ok');
	assert.equal((await caseRow(db, k.id)).state, 'investigating');
}));

test('linking a duplicate', () => withDb(async (db) => {
	const a = await makeStaff(db);
	const original = await makeCase(db);
	const hidden = await makeCase(db, { category: 'security.breach' });
	const k = await makeCase(db);
	const ref = k.reference;
	assert.equal(await act.take(db, a.id, ref), 'ok');
	assert.equal(await act.linkDuplicate(db, a.id, ref, ref), 'invalid');
	assert.equal(await act.linkDuplicate(db, a.id, ref, 'RC-2000-999999'),
	    'invalid');
	assert.equal(await act.linkDuplicate(db, a.id, ref, hidden.reference),
	    'invalid', 'an original the reviewer cannot see');
	assert.equal((await caseRow(db, k.id)).duplicate_of, null);
	assert.equal(await act.linkDuplicate(db, a.id, ref, original.reference),
	    'ok');
	assert.equal((await caseRow(db, k.id)).duplicate_of, original.id);
	const ev = await lastEvent(db, k.id);
	assert.equal(ev.kind, 'linked_duplicate');
	assert.deepEqual(ev.detail, { original: original.reference });
}));

test('case_reject only where rejected is a listed next state, then close',
    () => withDb(async (db) => {
	for (const state of STATES) {
		const k = await caseIn(db, state);
		const expect = ALLOWED.has(`${state}->rejected`) ? 'ok' : 'state';
		const before = await caseRow(db, k.id);
		assert.equal(await act.reject(db, k.actor.id, k.reference), expect,
		    state);
		if (expect === 'ok') {
			assert.equal((await caseRow(db, k.id)).state, 'rejected');
			const ev = await lastEvent(db, k.id);
			assert.equal(ev.kind, 'rejected');
			assert.equal(ev.visible_to_complainant, true);
			assert.equal(await act.reply(db, k.receiptHash), 'state');
			assert.equal(await act.close(db, k.actor.id, k.reference), 'ok');
			assert.equal((await caseRow(db, k.id)).state, 'closed');
		} else {
			assert.deepEqual(await caseRow(db, k.id), before, state);
		}
	}
}));

test('a normal-priority decision is released at once and can be closed',
    () => withDb(async (db) => {
	const a = await makeStaff(db);
	const sup = await supervisor(db);
	const early = await caseIn(db, 'triaged', { actor: a });
	assert.equal(await act.decide(db, a.id, early.reference), 'state');

	const k = await caseIn(db, 'investigating', { actor: a });
	const ref = k.reference;
	assert.equal(await act.decide(db, a.id, ref, { outcome: 'partly_upheld',
	    remedies: ['data_deleted', 'apology'], automated: true }), 'ok');
	assert.equal((await caseRow(db, k.id)).state, 'decided');
	const [d] = await decisionsOf(db, k.id);
	assert.equal(d.outcome, 'partly_upheld');
	assert.deepEqual(d.remedies, ['data_deleted', 'apology']);
	assert.equal(d.automated, true);
	assert.equal(d.decided_by, a.id);
	assert.equal(d.on_appeal, false);
	assert.equal(d.needs_signature, false);
	assert.ok(d.released_at instanceof Date);
	const ev = await lastEvent(db, k.id);
	assert.equal(ev.kind, 'decided');
	assert.equal(ev.visible_to_complainant, true);
	assert.equal(ev.detail.needs_signature, false);

	assert.equal(await act.decide(db, a.id, ref), 'state', 'decided twice');
	assert.equal(await act.sign(db, sup.id, ref), 'state', 'nothing to sign');
	assert.equal(await act.close(db, a.id, ref), 'ok');
	const closed = await caseRow(db, k.id);
	assert.equal(closed.state, 'closed');
	assert.equal(closed.assignee, null);
	assert.equal((await lastEvent(db, k.id)).kind, 'closed');

	// Closed is final for the reviewers; the complainant may still
	// appeal within six months of the decision.
	assert.equal(await act.take(db, a.id, ref), 'state');
	assert.equal(await act.triage(db, sup.id, ref), 'state');
	assert.equal(await act.note(db, sup.id, ref), 'state');
	assert.equal(await act.message(db, sup.id, ref), 'state');
	assert.equal(await act.close(db, sup.id, ref), 'state');
	assert.equal(await act.reply(db, k.receiptHash), 'state');
	assert.equal(await act.appeal(db, k.receiptHash), 'ok');
	const appealed = await caseRow(db, k.id);
	assert.equal(appealed.state, 'appealed');
	assert.equal(Number(appealed.appeal_excluded), a.id);
	assert.equal(await act.appeal(db, k.receiptHash), 'state',
	    'appealed twice');
}));

test('a high-priority decision waits for a supervisor\'s second signature',
    () => withDb(async (db) => {
	const a = await makeStaff(db);
	const b = await makeStaff(db);
	const sup = await supervisor(db);
	const k = await caseIn(db, 'investigating', { actor: a, priority: 3 });
	const ref = k.reference;
	assert.equal(await act.decide(db, a.id, ref), 'ok');
	let [d] = await decisionsOf(db, k.id);
	assert.equal(d.needs_signature, true);
	assert.equal(d.released_at, null);
	const ev = await lastEvent(db, k.id);
	assert.equal(ev.kind, 'decided');
	assert.equal(ev.visible_to_complainant, false);

	assert.equal(await act.close(db, a.id, ref), 'state');
	assert.equal(await act.appeal(db, k.receiptHash), 'state',
	    'nothing published to appeal against');
	assert.equal(await act.sign(db, a.id, ref), 'forbidden');
	assert.equal(await act.sign(db, b.id, ref), 'forbidden');
	assert.equal((await decisionsOf(db, k.id))[0].released_at, null);

	assert.equal(await act.sign(db, sup.id, ref), 'ok');
	[d] = await decisionsOf(db, k.id);
	assert.equal(d.signed_by, sup.id);
	assert.ok(d.signed_at instanceof Date);
	assert.ok(d.released_at instanceof Date);
	const last = (await eventsOf(db, k.id)).slice(-2);
	assert.deepEqual(last.map((e) => [e.kind, e.visible_to_complainant]),
	    [['signed', false], ['decision_published', true]]);
	assert.equal(await act.sign(db, sup.id, ref), 'state', 'signed twice');
	assert.equal(await act.close(db, a.id, ref), 'ok');
}));

test('a supervisor cannot second-sign their own decision', () =>
    withDb(async (db) => {
	const s1 = await supervisor(db);
	const s2 = await supervisor(db);
	const k = await caseIn(db, 'investigating', { actor: s1, priority: 4 });
	assert.equal(await act.decide(db, s1.id, k.reference), 'ok');
	assert.equal(await act.sign(db, s1.id, k.reference), 'excluded');
	assert.equal((await decisionsOf(db, k.id))[0].signed_by, null);
	assert.equal(await act.sign(db, s2.id, k.reference), 'ok');
	assert.equal((await decisionsOf(db, k.id))[0].signed_by, s2.id);
}));

test('an appeal goes to someone other than the decider and needs a signature',
    () => withDb(async (db) => {
	const a = await makeStaff(db);
	const b = await makeStaff(db);
	const sup = await supervisor(db);
	const k = await caseIn(db, 'decided', { actor: a });
	const ref = k.reference;
	const [first] = await decisionsOf(db, k.id);

	assert.equal(await act.appeal(db, crypto.randomBytes(32)), 'not_found');
	assert.equal(await act.appeal(db, k.receiptHash), 'ok');
	const row = await caseRow(db, k.id);
	assert.equal(row.state, 'appealed');
	assert.equal(row.appeal_excluded, a.id);
	assert.equal(row.assignee, null);
	const appeals = (await db.query('SELECT * FROM case_appeals ' +
	    'WHERE case_id = $1', [k.id])).rows;
	assert.equal(appeals.length, 1);
	assert.equal(num(appeals[0].decision_id), first.id);
	const ev = await lastEvent(db, k.id);
	assert.equal(ev.kind, 'appealed');
	assert.equal(ev.actor, 'complainant');
	assert.equal(ev.visible_to_complainant, true);

	assert.equal(await act.take(db, a.id, ref), 'excluded');
	assert.equal(await act.assign(db, sup.id, ref, a.id), 'excluded');
	assert.equal((await caseRow(db, k.id)).assignee, null);

	assert.equal(await act.take(db, b.id, ref), 'ok');
	assert.equal(await act.decide(db, a.id, ref), 'not_assigned');
	assert.equal(await act.decide(db, b.id, ref, { outcome: 'not_upheld',
	    remedies: ['none'] }), 'ok');
	const [, second] = await decisionsOf(db, k.id);
	assert.equal(second.on_appeal, true);
	assert.equal(second.decided_by, b.id);
	assert.equal(second.needs_signature, true, 'appeal decisions are signed');
	assert.equal(second.released_at, null);
	assert.equal(await act.close(db, b.id, ref), 'state');
	assert.equal(await act.appeal(db, k.receiptHash), 'state',
	    'the appeal decision is not published yet');

	assert.equal(await act.sign(db, sup.id, ref), 'ok');
	assert.equal(await act.appeal(db, k.receiptHash), 'state',
	    'one appeal only');
	assert.equal((await caseRow(db, k.id)).state, 'decided');
	assert.equal(await act.close(db, b.id, ref), 'ok');
}));

test('a supervisor who decided can neither take nor decide the appeal', () =>
    withDb(async (db) => {
	const s1 = await supervisor(db);
	const s2 = await supervisor(db);
	const k = await caseIn(db, 'appealed', { actor: s1 });
	assert.equal(await act.take(db, s1.id, k.reference), 'excluded');
	assert.equal(await act.assign(db, s2.id, k.reference, s1.id), 'excluded');
	assert.equal(await act.decide(db, s1.id, k.reference), 'excluded');
	assert.equal((await decisionsOf(db, k.id)).length, 1);
	assert.equal(await act.decide(db, s2.id, k.reference), 'ok');
	assert.equal(await act.sign(db, s2.id, k.reference), 'excluded');
	const s3 = await supervisor(db);
	assert.equal(await act.sign(db, s3.id, k.reference), 'ok');
}));

test('an appeal is possible for six months after the decision', () =>
    withDb(async (db) => {
	const late = await caseIn(db, 'decided');
	await ageDecisions(db, late.id, '6 months 1 day');
	assert.equal(await act.appeal(db, late.receiptHash), 'too_late');
	assert.equal((await caseRow(db, late.id)).state, 'decided');
	assert.equal((await db.query('SELECT 1 FROM case_appeals ' +
	    'WHERE case_id = $1', [late.id])).rowCount, 0);

	const inTime = await caseIn(db, 'decided');
	await ageDecisions(db, inTime.id, '6 months -1 day');
	assert.equal(await act.appeal(db, inTime.receiptHash), 'ok');
}));

// ---------------------------------------------------------------------
// Who sees a case
// ---------------------------------------------------------------------

test('a reviewer outside the case\'s queue finds nothing and changes nothing',
    () => withDb(async (db) => {
	const outsider = await makeStaff(db, { queues: ['security', 'fairness'] });
	const other = await makeCase(db, { category: 'security.breach' });
	for (const state of ['received', 'investigating', 'decided']) {
		const k = await caseIn(db, state);
		await assertInvisible(db, outsider, k, other, state);
	}
	const unsigned = await caseIn(db, 'investigating', { priority: 3 });
	assert.equal(await act.decide(db, unsigned.actor.id, unsigned.reference),
	    'ok');
	await assertInvisible(db, outsider, unsigned, other, 'to sign');
	// The same reviewer does see a case in their queue.
	assert.equal(await act.take(db, outsider.id, other.reference), 'ok');
}));

test('a brand bar hides the case whatever the brand\'s case and spacing', () =>
    withDb(async (db) => {
	const barred = await makeStaff(db);
	const free = await makeStaff(db);
	const sup = await supervisor(db);
	await barBrand(db, barred.id, 'acme corp');
	const other = await makeCase(db);
	for (const brand of ['Acme Corp', '  ACME CORP  ', 'acme corp ']) {
		const k = await makeCase(db, { brand });
		await assertInvisible(db, barred, k, other, brand);
		assert.equal(await act.assign(db, sup.id, k.reference, barred.id),
		    'invalid', `assigning ${brand}`);
		assert.equal(await act.take(db, free.id, k.reference), 'ok', brand);
	}
	// A barred original cannot be linked either.
	const barredOriginal = await makeCase(db, { brand: 'ACME Corp' });
	const mine = await makeCase(db);
	assert.equal(await act.take(db, barred.id, mine.reference), 'ok');
	assert.equal(await act.linkDuplicate(db, barred.id, mine.reference,
	    barredOriginal.reference), 'invalid');
	// Another brand that merely starts the same is not barred.
	const near = await makeCase(db, { brand: 'Acme Corporation' });
	assert.equal(await act.take(db, barred.id, near.reference), 'ok');
}));

test('a supervisor sees every queue, unless barred from the brand', () =>
    withDb(async (db) => {
	const sup = await supervisor(db);
	const barredSup = await supervisor(db);
	await barBrand(db, barredSup.id, 'globex');
	const other = await makeCase(db);
	const plain = await makeCase(db, { category: 'security.breach' });
	assert.equal((await caseRow(db, plain.id)).queue, 'security');
	assert.equal(await act.take(db, sup.id, plain.reference), 'ok');
	assert.equal(await act.take(db, barredSup.id, plain.reference), 'ok',
	    'the barred supervisor still sees other brands');

	const k = await makeCase(db, { category: 'security.breach',
	    brand: ' Globex ' });
	await assertInvisible(db, barredSup, k, other, 'barred supervisor');
	assert.equal(await act.assign(db, sup.id, k.reference, barredSup.id),
	    'invalid');
	assert.equal(await act.take(db, sup.id, k.reference), 'ok');
}));

test('an account not set up, inactive, or admin only sees nothing', () =>
    withDb(async (db) => {
	const sup = await supervisor(db);
	const other = await makeCase(db);
	const notSetUp = await makeStaff(db, { setUp: false });
	const notSetUpSup = await supervisor(db, { setUp: false });
	const inactive = await makeStaff(db);
	await db.query('UPDATE staff_accounts SET active = false WHERE id = $1',
	    [inactive.id]);
	const admin = await makeStaff(db, { roles: ['admin'] });
	const who = { notSetUp, notSetUpSup, inactive, admin };
	const pw = await db.query('SELECT password_hash FROM staff_accounts ' +
	    'WHERE id = $1', [notSetUp.id]);
	assert.equal(pw.rows[0].password_hash, null);
	for (const [name, account] of Object.entries(who)) {
		const k = await makeCase(db);
		await assertInvisible(db, account, k, other, name);
		assert.equal(await act.assign(db, sup.id, k.reference, account.id),
		    'invalid', `assigning to ${name}`);
	}
}));

// ---------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------

// The case's audit events after 'since', each with whether it waits in
// audit_pending (or was sealed meanwhile, should a sealer be running).
async function auditOf(db, ref, since) {
	const r = await db.query(`SELECT e.id, e.actor, e.action, e.object,
	    p.event_id IS NOT NULL AS pending, s.event_id IS NOT NULL AS sealed
	    FROM audit_events e
	    LEFT JOIN audit_pending p ON p.event_id = e.id
	    LEFT JOIN audit_seals s ON s.event_id = e.id
	    WHERE e.object = $1 AND e.id > $2 ORDER BY e.id`, ['case:' + ref, since]);
	return r.rows.map((x) => ({ ...x, id: num(x.id) }));
}

test('every successful action writes one audit event per timeline event', () =>
    withDb(async (db) => {
	const a = await makeStaff(db);
	const b = await makeStaff(db);
	const sup = await supervisor(db);
	const original = await makeCase(db);
	const k = await makeCase(db, { priority: 3 });
	const r = k.reference;
	const staff = (s) => `staff:${s.id}`;
	// [what, action, answer, actor, audit actions]
	const steps = [
		['take', () => act.take(db, a.id, r), 'ok', staff(a), ['assigned']],
		['take by another', () => act.take(db, b.id, r), 'not_assigned', null, []],
		['release', () => act.assign(db, a.id, r, null), 'ok', staff(a), ['released']],
		['take again', () => act.take(db, a.id, r), 'ok', staff(a), ['assigned']],
		['triage', () => act.triage(db, a.id, r, { priority: 3 }), 'ok', staff(a), ['triaged']],
		['investigate', () => act.investigate(db, a.id, r), 'ok', staff(a), ['investigating']],
		['investigate twice', () => act.investigate(db, a.id, r), 'state', null, []],
		['note', () => act.note(db, a.id, r), 'ok', staff(a), ['note']],
		['message', () => act.message(db, a.id, r), 'ok', staff(a), ['message']],
		['request info', () => act.message(db, a.id, r, { requestInfo: true }), 'ok', staff(a), ['information_requested']],
		['reply', () => act.reply(db, k.receiptHash), 'ok', 'complainant', ['complainant_replied']],
		['link', () => act.linkDuplicate(db, a.id, r, original.reference), 'ok', staff(a), ['linked_duplicate']],
		['decide', () => act.decide(db, a.id, r), 'ok', staff(a), ['decided']],
		['sign by a reviewer', () => act.sign(db, b.id, r), 'forbidden', null, []],
		['sign', () => act.sign(db, sup.id, r), 'ok', staff(sup), ['signed', 'decision_published']],
		['appeal', () => act.appeal(db, k.receiptHash), 'ok', 'complainant', ['appealed']],
		['assign', () => act.assign(db, sup.id, r, b.id), 'ok', staff(sup), ['assigned']],
		['decide appeal', () => act.decide(db, b.id, r), 'ok', staff(b), ['decided']],
		['sign appeal', () => act.sign(db, sup.id, r), 'ok', staff(sup), ['signed', 'decision_published']],
		['close', () => act.close(db, b.id, r), 'ok', staff(b), ['closed']],
	];
	let since = 0;
	let expectedKinds = ['received'];
	for (const [what, run, answer, actor, actions] of steps) {
		assert.equal(await run(), answer, what);
		const events = await auditOf(db, r, since);
		assert.deepEqual(events.map((e) => e.action),
		    actions.map((x) => `case.${x}`), what);
		for (const e of events) {
			assert.equal(e.actor, actor, what);
			assert.equal(e.object, `case:${r}`);
			assert.ok(e.pending || e.sealed, `${what}: not pending`);
		}
		if (events.length)
			since = events[events.length - 1].id;
		expectedKinds = expectedKinds.concat(actions);
	}
	assert.equal((await caseRow(db, k.id)).state, 'closed');
	// The database's own events are no one's action: the pause of the
	// clocks while the case awaited the complainant (0011).
	const timeline = await eventsOf(db, k.id);
	assert.deepEqual(timeline.filter((e) => e.actor !== 'system')
	    .map((e) => e.kind), expectedKinds,
	    'the timeline and the audit log agree');
	assert.deepEqual(timeline.filter((e) => e.actor === 'system')
	    .map((e) => e.kind), ['clock_paused', 'clock_resumed']);

	const rejected = await makeCase(db);
	assert.equal(await act.reject(db, sup.id, rejected.reference), 'ok');
	const ev = await auditOf(db, rejected.reference, 0);
	assert.deepEqual(ev.map((e) => [e.actor, e.action]),
	    [[staff(sup), 'case.rejected']]);
}));

test('audit_events and audit_seals refuse UPDATE, DELETE and TRUNCATE', () =>
    withDb(async (db) => {
	// Everything happens in one transaction that is rolled back, so the
	// seal made here never joins the real chain.
	await db.query('BEGIN');
	try {
		// The sealer in the service waits for this transaction.
		await db.query("SELECT pg_advisory_xact_lock(hashtext('audit_seal'))");
		await db.query("SELECT audit('system', 'test.append_only', " +
		    "'test', '{}')");
		const id = num((await db.query('SELECT max(id) AS id ' +
		    'FROM audit_events')).rows[0].id);
		const seq = num((await db.query('INSERT INTO audit_seals ' +
		    '(seq, event_id, hash) SELECT coalesce(max(seq), 0) + 1, $1, $2 ' +
		    'FROM audit_seals RETURNING seq', [id, crypto.randomBytes(32)]))
		    .rows[0].seq);
		const refused = [
			['UPDATE audit_events SET action = \'tampered\' WHERE id = $1', [id]],
			['UPDATE audit_events SET detail = \'{}\'', []],
			['DELETE FROM audit_events WHERE id = $1', [id]],
			['DELETE FROM audit_events', []],
			['TRUNCATE audit_events CASCADE', []],
			['TRUNCATE audit_events, audit_pending, audit_seals', []],
			['UPDATE audit_seals SET hash = $2 WHERE seq = $1',
			    [seq, crypto.randomBytes(32)]],
			['DELETE FROM audit_seals WHERE seq = $1', [seq]],
			['TRUNCATE audit_seals', []],
		];
		for (const [sql, params] of refused) {
			await db.query('SAVEPOINT s');
			await assertSqlError(db.query(sql, params),
			    INSUFFICIENT_PRIVILEGE, sql);
			await db.query('ROLLBACK TO SAVEPOINT s');
		}
		// Without CASCADE the foreign keys of audit_pending and
		// audit_seals refuse it before the trigger does.
		await db.query('SAVEPOINT s');
		await assert.rejects(db.query('TRUNCATE audit_events'));
		await db.query('ROLLBACK TO SAVEPOINT s');
		const still = await db.query('SELECT action FROM audit_events ' +
		    'WHERE id = $1', [id]);
		assert.equal(still.rows[0].action, 'test.append_only');
	} finally {
		await db.query('ROLLBACK');
	}
}));

// ---------------------------------------------------------------------
// Decision rules that hold against direct writes
// ---------------------------------------------------------------------

test('nobody second-signs their own decision, and only a supervisor signs',
    () => withDb(async (db) => {
	const a = await makeStaff(db);
	const sup = await supervisor(db);
	const k = await caseIn(db, 'investigating', { actor: sup, priority: 3 });
	assert.equal(await act.decide(db, sup.id, k.reference), 'ok');
	const [d] = await decisionsOf(db, k.id);
	await assertSqlError(db.query('UPDATE case_decisions SET signed_by = ' +
	    'decided_by, signed_at = now(), released_at = now() WHERE id = $1',
	    [d.id]), CHECK_VIOLATION, 'signed by the decider');
	await assertSqlError(db.query('UPDATE case_decisions SET signed_by = $2, ' +
	    'signed_at = now(), released_at = now() WHERE id = $1',
	    [d.id, a.id]), CHECK_VIOLATION, 'signed by a reviewer');
	const now = new Date();
	await assertSqlError(insertDecision(db, k.id, { decided_by: sup.id,
	    needs_signature: true, signed_by: sup.id, signed_at: now,
	    released_at: now }), CHECK_VIOLATION, 'inserted self-signed');
	assert.equal((await decisionsOf(db, k.id))[0].signed_by, null);
}));

test('an appeal decision by the original decider is refused even by INSERT',
    () => withDb(async (db) => {
	const a = await makeStaff(db);
	const b = await makeStaff(db);
	const k = await caseIn(db, 'appealed', { actor: a });
	const fields = { on_appeal: true, needs_signature: true,
	    released_at: null };
	await assert.rejects(insertDecision(db, k.id, { ...fields,
	    decided_by: a.id }), (e) => {
		assert.equal(e.code, CHECK_VIOLATION);
		assert.match(e.message, /different reviewer/);
		return true;
	});
	assert.equal((await decisionsOf(db, k.id)).length, 1);
	await insertDecision(db, k.id, { ...fields, decided_by: b.id });
	assert.equal((await decisionsOf(db, k.id)).length, 2);
}));

test('remedies and outcomes outside the fixed lists are refused', () =>
    withDb(async (db) => {
	const a = await makeStaff(db);
	const k = await caseIn(db, 'investigating', { actor: a });
	for (const remedies of [['free_lunch'], ['apology', 'vouchers'], [],
	    ['Apology']]) {
		await assertSqlError(act.decide(db, a.id, k.reference, { remedies }),
		    CHECK_VIOLATION, JSON.stringify(remedies));
		await assertSqlError(insertDecision(db, k.id, { decided_by: a.id,
		    remedies }), CHECK_VIOLATION, JSON.stringify(remedies));
	}
	await assertSqlError(act.decide(db, a.id, k.reference,
	    { outcome: 'maybe' }), CHECK_VIOLATION, 'outcome');
	assert.equal((await caseRow(db, k.id)).state, 'investigating');
	assert.equal((await decisionsOf(db, k.id)).length, 0);
	assert.equal(await act.decide(db, a.id, k.reference, { remedies:
	    ['campaign_changed', 'data_deleted', 'consent_fixed', 'model_changed',
	        'optout_honoured', 'apology', 'compensation', 'staff_guidance'] }),
	    'ok');
}));
