// Delivery when things go wrong, against a real SMTP listener the test starts and stops: without an SMTP host mail stays queued (and shows on /admin/outbox); while the listener is down attempts grow with exponential backoff, and when it returns the note arrives once; a sender killed after the server took the message but before it recorded it leaves the row to another, which sends it again with the same Message-ID, so the recipient's server keeps one message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { staffUser } from '../lib/staff.mjs';
import { query } from '../lib/db.mjs';
import { startListener, startMailer, waitFor, freePort, tempFile,
    noteFor as note, outboxRow as row, outboxPageRow }
    from '../lib/mail.mjs';

let sup, admin;
const running = [];

before(async () => {
	sup = await staffUser({ roles: ['supervisor'], queues: [] });
	admin = await staffUser({ roles: ['admin'], queues: [] });
});

after(async () => {
	for (const p of running)
		await p.stop();
});

function keep(p) {
	running.push(p);
	return p;
}

// A note to a consenting complainant, from the supervisor.
const noteFor = (tag) => note(sup, tag);

test('the sender refuses a credentials file others may read', async () => {
	const file = tempFile('smtp-credentials');
	fs.writeFileSync(file, 'user:secret\n', { mode: 0o644 });
	fs.chmodSync(file, 0o644);
	const m = startMailer({ port: 25, env: {
	    RECOURSE_SMTP_CREDENTIALS_FILE: file } });
	assert.equal(await m.exited, 2);
	assert.match(m.log(), /may be read by others/);
	assert.ok(!m.log().includes('secret'));
});

test('without an SMTP host mail stays queued and shows on /admin/outbox',
    async () => {
	const m = keep(startMailer({ env: { RECOURSE_DIGEST_MS: '200' } }));
	const n = await noteFor('Q');
	// Digests are still queued by it: wait for two of its rounds.
	const runs = async () => (await query('SELECT last_run FROM ' +
	    'outbox_digest_clock')).rows[0].last_run.getTime();
	const t0 = await runs();
	await waitFor('two rounds', async () => await runs() > t0 + 200);
	assert.match(m.log(), /no RECOURSE_SMTP_HOST: mail stays queued/);
	const r = await row(n.id);
	assert.deepEqual([r.state, r.attempts], ['queued', 0]);
	const { cells, page } = await outboxPageRow(admin, n.id);
	assert.deepEqual(cells.slice(2, 5), [`complainant of ${n.reference}`,
	    'queued', '0']);
	assert.ok(!page.includes(n.email));
	await m.stop();
});

test('listener down: attempts grow with exponential backoff; listener up: ' +
    'delivered once', async () => {
	const port = await freePort();
	const base = 300, cap = 2400;
	const m = keep(startMailer({ port, env: {
	    RECOURSE_SMTP_BACKOFF_MS: String(base),
	    RECOURSE_SMTP_BACKOFF_MAX_MS: String(cap) } }));
	const n = await noteFor('R');
	// Each attempt's schedule, as the sender recorded it.
	const seen = new Map();
	await waitFor('four failed attempts', async () => {
		const r = await row(n.id);
		if (!r.leased && r.attempts > 0)
			seen.set(r.attempts, r);
		return seen.size >= 4 && r.attempts >= 4;
	});
	const got = [...seen.keys()].sort((a, b) => a - b);
	for (const k of got) {
		const r = seen.get(k);
		assert.equal(r.state, 'queued');
		assert.match(r.last_error, /connect/i);
		assert.ok(!r.last_error.includes(n.email));
	}
	// The next attempt is at least base x 2^(k-1) after the k-th, which
	// began no earlier than the (k-1)-th was due.
	for (const k of got)
		if (seen.has(k + 1))
			assert.ok(seen.get(k + 1).next_attempt_at -
			    seen.get(k).next_attempt_at >= Math.min(cap,
			    base * 2 ** k) - 1, `gap after attempt ${k}`);
	assert.match(m.log(), new RegExp(`outbox ${n.id}: queued: `));
	const listener = keep(await startListener({ port }));
	await waitFor('the delivery', async () => (await row(n.id)).state ===
	    'sent');
	const r = await row(n.id);
	// Let a few more rounds pass: nothing is sent twice.
	const more = r.attempts;
	await new Promise((res) => setTimeout(res, 1000));
	const mails = listener.messages().filter((x) => x.to.includes(n.email));
	assert.equal(mails.length, 1);
	assert.equal(mails[0].headers['message-id'], r.message_id);
	assert.equal((await row(n.id)).attempts, more);
	assert.ok(!m.log().includes(n.email), 'the sender logs an address');
	await m.stop();
	await listener.stop();
});

test('a sender killed after the server took the message: the next one ' +
    'sends it again with the same Message-ID and Date; one message kept',
    async () => {
	const listener = keep(await startListener({ stallOnce: true }));
	const env = { RECOURSE_SMTP_TIMEOUT_SECONDS: '30',
	    RECOURSE_SMTP_LEASE_MS: '36000' };
	const first = keep(startMailer({ port: listener.port, env }));
	const n = await noteFor('K');
	const mine = () => listener.messages().filter((x) =>
	    x.to.includes(n.email));
	await waitFor('the message taken', () => mine().length === 1);
	// The server has it; the sender still waits for its reply, holding
	// the lease, nothing recorded.
	const during = await row(n.id);
	assert.deepEqual([during.state, during.attempts, during.leased],
	    ['queued', 1, true]);
	await first.kill();
	// Another sender may take the row only when the lease has run out;
	// the test moves the lease's end instead of waiting 36 s for it.
	await query('UPDATE outbox SET lease_until = now() WHERE id = $1',
	    [n.id]);
	const second = keep(startMailer({ port: listener.port, env }));
	await waitFor('the row sent', async () => (await row(n.id)).state ===
	    'sent', 40000);
	const all = mine();
	assert.equal(all.length, 2, 'delivered twice to the server');
	assert.equal(all[0].headers['message-id'],
	    all[1].headers['message-id']);
	assert.equal(all[0].headers.date, all[1].headers.date);
	assert.equal(all[0].body, all[1].body);
	// The recipient's server deduplicates by Message-ID, as a real one
	// does: one message reaches the recipient.
	assert.equal(new Set(all.map((x) => x.headers['message-id'])).size, 1);
	assert.equal((await row(n.id)).attempts, 2);
	await second.stop();
	await listener.stop();
});
