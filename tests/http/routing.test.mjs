// Intake routing from the rules in the database: queue and priority per case, and a first 'received' event the complainant can see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { caseByReference, eventsOf } from '../lib/db.mjs';

async function routed(reference) {
	const row = await caseByReference(reference);
	assert.ok(row, reference);
	return row;
}

test('routing: queue and priority follow the rules', async () => {
	// [form overrides, queue, priority]
	const expectations = [
		[{ vulnerable: 'yes' }, 'vulnerable', 4],
		[{ vulnerable: 'yes', category: 'security.breach' }, 'vulnerable', 4],
		[{ category: 'security.breach' }, 'security', 3],
		[{ category: 'vulnerability.exploitation' }, 'vulnerable', 3],
		[{ category: 'bias.targeting' }, 'fairness', 2],
		[{ category: 'bias.pricing', channel: 'email' }, 'fairness', 2],
		[{ category: 'privacy.consent' }, 'general', 2],
		[{ category: 'other', channel: 'other' }, 'general', 2],
	];
	for (const [over, queue, priority] of expectations) {
		const r = await c.fileComplaint(over);
		assert.equal(r.res.status, 201);
		const row = await routed(r.reference);
		assert.equal(row.queue, queue, JSON.stringify(over));
		assert.equal(row.priority, priority, JSON.stringify(over));
	}
	const j = await c.apiComplaint(c.validDoc({ vulnerable: true }));
	assert.equal(j.status, 201);
	const row = await routed(j.json.reference);
	assert.equal(row.queue, 'vulnerable');
	assert.equal(row.priority, 4);
	const s = await c.apiComplaint(c.validDoc({ category: 'security.breach',
	    vulnerable: false }));
	assert.equal((await routed(s.json.reference)).queue, 'security');
});

test('each new case starts with one visible received event', async () => {
	const refs = [];
	refs.push((await c.fileComplaint({ vulnerable: 'yes' })).reference);
	refs.push((await c.fileComplaint({ category: 'security.breach' })).reference);
	refs.push((await c.apiComplaint(c.validDoc())).json.reference);
	for (const ref of refs) {
		const row = await routed(ref);
		const ev = await eventsOf(row.id);
		assert.equal(ev.length, 1, ref);
		assert.equal(ev[0].kind, 'received');
		assert.equal(ev[0].visible_to_complainant, true);
		assert.equal(ev[0].actor, 'complainant');
		assert.deepEqual(ev[0].detail, { queue: row.queue,
		    priority: row.priority });
		assert.ok(Math.abs(ev[0].at - row.received_at) < 5000);
		assert.equal(row.state, 'received');
	}
});
