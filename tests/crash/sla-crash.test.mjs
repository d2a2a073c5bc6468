// Deadlines that pass while the back office and PostgreSQL are killed (-9) are flagged and escalated exactly once after the restart, and each supervisor alert reaches the SMTP listener exactly once.  Runs in an environment of its own (tests/run.sh) whose back office has no scheduler: the one here is started, killed and started again by the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileComplaint, marker } from '../lib/client.mjs';
import { staffUser, setStaffEmail } from '../lib/staff.mjs';
import { query } from '../lib/db.mjs';
import { startKore } from '../lib/kore.mjs';
import { startListener, startMailer, waitFor } from '../lib/mail.mjs';
import { caseId, recompute, clocksOf, clockEvents } from '../lib/sla.mjs';
import { PGDATA, startCluster } from '../lib/pgctl.mjs';

let listener, mailer, scheduler, supEmail;
const refs = [], ids = [];

function backOffice() {
	return startKore({ conf: 'test-review.conf',
	    env: { RECOURSE_SURFACE: 'review', RECOURSE_SLA_TICK_MS: '200' } });
}

function sender() {
	// Digests are not what this test counts: not within the test.
	return startMailer({ port: listener.port,
	    env: { RECOURSE_DIGEST_MS: '3600000' } });
}

// kill -9 of the postmaster and every backend: a crash, not a shutdown;
// the next start replays the WAL.
function crashPostgres() {
	const pm = Number(fs.readFileSync(path.join(PGDATA, 'postmaster.pid'),
	    'utf8').split('\n')[0]);
	try {
		execFileSync('pkill', ['-KILL', '-P', String(pm)]);
	} catch {
		// no children left
	}
	process.kill(pm, 'SIGKILL');
	for (let i = 0; i < 100; i++) {
		try {
			process.kill(pm, 0);
		} catch {
			return;
		}
		execFileSync('sleep', ['0.05']);
	}
	throw new Error('the postmaster outlived SIGKILL');
}

// The test clock set so that the scheduler's now is 'epoch'.
async function clockAt(epoch) {
	await query('UPDATE test_clock SET offset_seconds = ' +
	    'ceil($1 - extract(epoch FROM now()))', [epoch]);
}

function alertsFor(reference) {
	return listener.messages().filter((m) => m.to.includes(supEmail) &&
	    m.headers.subject.includes(reference));
}

before(async () => {
	const admin = await staffUser({ roles: ['admin'], queues: [] });
	const sup = await staffUser({ roles: ['supervisor'], queues: [] });
	supEmail = `${marker('crash').toLowerCase()}@example.org`;
	const res = await setStaffEmail(admin, sup.id, supEmail);
	assert.equal(res.status, 303, 'the supervisor\'s address is saved');
	listener = await startListener();
	mailer = sender();
	scheduler = await backOffice();
});

after(async () => {
	startCluster();
	await query('UPDATE test_clock SET offset_seconds = 0');
	await scheduler?.stop();
	await mailer?.stop();
	await listener?.stop();
});

test('deadlines passing during a crash of Kore and PostgreSQL are ' +
    'escalated once after the restart, each alert mailed once', async () => {
	for (let i = 0; i < 3; i++) {
		const f = await fileComplaint({ category: 'privacy.notice' });
		refs.push(f.reference);
		ids.push(await caseId(f.reference));
	}
	await recompute(ids);
	const dues = [];
	for (const id of ids)
		dues.push((await clocksOf(id)).acknowledge.due);
	const due = Math.max(...dues);

	// Three seconds before the last deadline: the at-risk marks are
	// made, nothing is breached yet.
	await clockAt(due - 3);
	await waitFor('the at-risk marks', async () => {
		for (const id of ids)
			if (!(await clockEvents(id)).some(([k, c]) =>
			    k === 'clock_at_risk' && c === 'acknowledge'))
				return false;
		return true;
	});
	for (const id of ids)
		assert.ok(!(await clockEvents(id)).some(([k]) =>
		    k === 'clock_breached'), 'breached before the crash');

	// The crash: the scheduler's Kore, the sender and PostgreSQL, all
	// with SIGKILL; the deadlines pass while they are down.
	await scheduler.kill();
	await mailer.kill();
	crashPostgres();
	await new Promise((r) => setTimeout(r, 5000));
	startCluster();
	mailer = sender();
	scheduler = await backOffice();

	for (const [i, id] of ids.entries()) {
		await waitFor(`the breach of ${refs[i]}`, async () =>
		    (await clockEvents(id)).some(([k]) => k === 'escalated'));
		await waitFor(`the alert for ${refs[i]}`, () =>
		    alertsFor(refs[i]).length > 0);
	}
	// A second scheduler and more passes find nothing left to do.
	const second = await backOffice();
	await recompute(ids);
	await second.stop();
	// The sender has had time for any second delivery: its poll is 100 ms.
	await new Promise((r) => setTimeout(r, 1500));

	for (const [i, id] of ids.entries()) {
		const ev = (await clockEvents(id)).filter(([k]) =>
		    k !== 'clock_at_risk');
		assert.deepEqual(ev, [['clock_breached', 'acknowledge'],
		    ['escalated', 'acknowledge']], refs[i]);
		const k = (await clocksOf(id)).acknowledge;
		assert.equal(k.breached, dues[i],
		    'the breach is recorded at the due instant');
		const audits = await query("SELECT count(*)::int AS n FROM " +
		    "audit_events WHERE action = 'case.escalated' AND " +
		    'object = $1', [`case:${refs[i]}`]);
		assert.equal(audits.rows[0].n, 1, `one escalation audited`);
		const mails = alertsFor(refs[i]);
		assert.equal(mails.length, 1, `one alert for ${refs[i]}`);
		const rows = await query("SELECT state, attempts FROM outbox " +
		    "WHERE kind = 'supervisor_alert' AND case_id = $1", [id]);
		assert.deepEqual(rows.rows, [{ state: 'sent', attempts: 1 }]);
	}
	const msgIds = refs.map((r) => alertsFor(r)[0].headers['message-id']);
	assert.equal(new Set(msgIds).size, refs.length);
});
