// The sender's TLS, AUTH and refusal paths against a real SMTP listener that requires them: delivery over STARTTLS with the certificate checked against a throwaway CA and the configured user authenticated; an unknown CA, a sender without STARTTLS or with a wrong password leaves the row queued with its error on /admin/outbox and no secret in any text; a 550 to the recipient or to the message fails the row at its first attempt, a 451 leaves it queued for later.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { staffUser } from '../lib/staff.mjs';
import { query } from '../lib/db.mjs';
import { startListener, startMailer, waitFor, makeCertificates,
    credentialsFile, noteFor, outboxRow, outboxPageRow }
    from '../lib/mail.mjs';

const USER = 'recourse-relay';
const PASSWORD = 'pw-' + Math.random().toString(36).slice(2);
const WRONG = 'wrong-' + Math.random().toString(36).slice(2);

let sup, admin, certs, tls;

before(async () => {
	sup = await staffUser({ roles: ['supervisor'], queues: [] });
	admin = await staffUser({ roles: ['admin'], queues: [] });
	certs = makeCertificates();
	tls = await startListener({ starttls: certs,
	    auth: `${USER}:${PASSWORD}` });
});

after(async () => {
	await tls?.stop();
});

// Stops 'p' when test 't' ends, passed or not: a sender left running
// would take the next test's rows.
function own(t, p) {
	t.after(() => p.stop());
	return p;
}

// The sender as production runs it against the TLS listener: STARTTLS,
// the test's CA and credentials; 'env' changes a setting.  A row that
// failed waits ten minutes, so what a test reads of it stays put.
function tlsMailer(t, env = {}) {
	return own(t, startMailer({ port: tls.port, env: {
	    RECOURSE_SMTP_BACKOFF_MS: '600000',
	    RECOURSE_SMTP_STARTTLS: 'starttls',
	    RECOURSE_SMTP_CA_FILE: certs.ca,
	    RECOURSE_SMTP_CREDENTIALS_FILE: credentialsFile(USER, PASSWORD),
	    ...env } }));
}

// The row once the sender has recorded its first attempt.
async function firstAttempt(id) {
	return waitFor('an attempt recorded', async () => {
		const r = await outboxRow(id);
		return r.attempts >= 1 && !r.leased ? r : null;
	});
}

function mailTo(listener, email) {
	return listener.messages().filter((m) => m.to.includes(email));
}

/*
 * A note that the TLS listener refuses to a sender set up with 'env': it
 * is tried once, not sent, and waits in the queue (the refusal is about
 * the settings, not the message).  Returns the sender, note and row.
 */
async function refusedNote(t, env, tag) {
	const m = tlsMailer(t, env);
	const n = await noteFor(sup, tag);
	const r = await firstAttempt(n.id);
	await m.stop();
	assert.deepEqual([r.state, r.attempts], ['queued', 1]);
	assert.equal(mailTo(tls, n.email).length, 0);
	return { m, n, r };
}

test('STARTTLS and AUTH: the note reaches the listener over TLS as the ' +
    'configured user; the row is sent', async (t) => {
	const m = tlsMailer(t);
	const n = await noteFor(sup, 'T');
	await waitFor('the delivery', async () =>
	    (await outboxRow(n.id)).state === 'sent');
	const mails = mailTo(tls, n.email);
	assert.equal(mails.length, 1);
	assert.equal(mails[0].tls, true);
	assert.equal(mails[0].user, USER);
	assert.equal(mails[0].headers['message-id'],
	    (await outboxRow(n.id)).message_id);
	assert.match(mails[0].headers.subject, /^Your case RC-/);
	assert.match(m.log(), /\(STARTTLS\)/);
	for (const secret of [PASSWORD, n.email])
		assert.ok(!m.log().includes(secret), 'the log names a secret');
});

test('a server certificate from a CA the sender was not given is refused: ' +
    'nothing sent, the row waits with the reason', async (t) => {
	const { r } = await refusedNote(t, { RECOURSE_SMTP_CA_FILE: '' }, 'V');
	assert.match(r.last_error, /certificate could not be verified/);
});

test('a sender without STARTTLS is refused by a server that requires it: ' +
    'the row waits, its error on /admin/outbox', async (t) => {
	const { m, n, r } = await refusedNote(t,
	    { RECOURSE_SMTP_STARTTLS: 'none' }, 'N');
	assert.match(r.last_error, /requires STARTTLS or authentication/);
	assert.match(r.last_error, /\(SMTP 530\)/);
	const { cells, page } = await outboxPageRow(admin, n.id);
	assert.deepEqual(cells.slice(3, 5), ['queued', '1']);
	assert.equal(cells[6], r.last_error);
	assert.ok(!page.includes(n.email));
	assert.match(m.log(), new RegExp(`outbox ${n.id}: queued: the SMTP ` +
	    'server requires STARTTLS'));
});

test('a wrong password: nothing sent, the error names authentication, no ' +
    'password in the log or the outbox', async (t) => {
	const { m, n, r } = await refusedNote(t,
	    { RECOURSE_SMTP_CREDENTIALS_FILE: credentialsFile(USER, WRONG) },
	    'P');
	assert.match(r.last_error, /authentication failed/);
	assert.match(r.last_error, /\(SMTP 535\)/);
	const { cells, page } = await outboxPageRow(admin, n.id);
	assert.equal(cells[6], r.last_error);
	for (const secret of [WRONG, PASSWORD]) {
		assert.ok(!m.log().includes(secret), 'a password in the log');
		assert.ok(!r.last_error.includes(secret));
		assert.ok(!page.includes(secret));
	}
});

test('a CA file the sender cannot read stops it at start', async () => {
	const m = startMailer({ port: tls.port, env: {
	    RECOURSE_SMTP_STARTTLS: 'starttls',
	    RECOURSE_SMTP_CA_FILE: certs.ca + '.missing' } });
	assert.equal(await m.exited, 2);
	assert.match(m.log(), /RECOURSE_SMTP_CA_FILE .*No such file/);
});

// The answer to the recipient (RCPT) or to the message (after DATA).
for (const [at, what] of [['rcpt', 'recipient'], ['data', 'message']]) {
	test(`a 550 answer to the ${what} fails the row at its first ` +
	    'attempt, never retried', async (t) => {
		const listener = own(t, await startListener({ refuse: 550,
		    refuseAt: at }));
		const m = own(t, startMailer({ port: listener.port }));
		const n = await noteFor(sup, 'F');
		const r = await firstAttempt(n.id);
		assert.deepEqual([r.state, r.attempts], ['failed', 1]);
		assert.equal(r.last_error,
		    `the SMTP server refused the ${what}` +
		    ' (SMTP 550)');
		// More rounds pass (one every 100 ms): no second try.
		await new Promise((res) => setTimeout(res, 1000));
		assert.equal((await outboxRow(n.id)).attempts, 1);
		assert.equal(listener.refusals().filter((x) =>
		    x.to.includes(n.email)).length, 1);
		assert.ok(!m.log().includes(n.email), 'an address logged');
	});

	test(`a 451 answer to the ${what} leaves the row queued with a ` +
	    'later next attempt', async (t) => {
		const backoff = 120000;
		const listener = own(t, await startListener({ refuse: 451,
		    refuseAt: at }));
		const m = own(t, startMailer({ port: listener.port, env: {
		    RECOURSE_SMTP_BACKOFF_MS: String(backoff) } }));
		// The database's time before the row exists: the sender may
		// record its attempt before the test could read the new row.
		const { t0 } = (await query('SELECT clock_timestamp() AS t0'))
		    .rows[0];
		const n = await noteFor(sup, 'L');
		const r = await firstAttempt(n.id);
		await m.stop();
		assert.deepEqual([r.state, r.attempts], ['queued', 1]);
		assert.equal(r.last_error,
		    `the SMTP server refused the ${what}` +
		    ' (SMTP 451)');
		// Due again one backoff after the attempt, made after t0.
		assert.ok(r.next_attempt_at - t0 >= backoff,
		    `next attempt ${r.next_attempt_at.toISOString()}`);
		assert.equal(listener.refusals().filter((x) =>
		    x.to.includes(n.email)).length, 1);
	});
}
