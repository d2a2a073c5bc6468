// Resilience: case references keep their shape past the millionth case, and a module reload (SIGHUP) keeps configuration, keys and assets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as c from '../lib/client.mjs';
import { query } from '../lib/db.mjs';

test('references stay unique past RC-YYYY-999999', async () => {
	const { rows } = await query("SELECT last_value FROM case_reference_seq");
	const start = Math.max(Number(rows[0].last_value), 999998);
	await query('SELECT setval($1::regclass, $2)', ['case_reference_seq',
	    start]);
	const refs = [];
	for (let i = 0; i < 3; i++) {
		const r = await c.apiComplaint(c.validDoc());
		assert.equal(r.status, 201, r.text);
		refs.push(r.json.reference);
	}
	const year = new Date().getUTCFullYear();
	assert.deepEqual(refs, [start + 1, start + 2, start + 3].map((n) =>
	    `RC-${year}-${String(n).padStart(6, '0')}`));
	assert.match(refs[2], /^RC-\d{4}-\d{7}$/);
});

test('a reload (SIGHUP) keeps configuration, keys and static files', async () => {
	const { receipt_code: code } = (await c.apiComplaint(c.validDoc())).json;
	const pid = Number(fs.readFileSync(process.env.RECOURSE_KORE_PIDFILE,
	    'utf8').trim());
	process.kill(pid, 'SIGHUP');
	// Give both workers time to reload the module.
	const log = process.env.RECOURSE_KORE_LOG;
	for (let i = 0; i < 50; i++) {
		const n = (fs.readFileSync(log, 'utf8').match(
		    /\[wrk \d\]: reloaded/g) ?? []).length;
		if (n >= 2)
			break;
		await new Promise((r) => setTimeout(r, 100));
	}
	for (let i = 0; i < 6; i++) {
		const css = await c.request('/static/style.css');
		assert.equal(css.status, 200, 'assets survive');
		// The keys survive: the same code still finds the case.
		const t = await c.apiTrack(code);
		assert.equal(t.status, 200, t.text);
		// The configured limit survives (a zeroed one would refuse all).
		const u = await c.apiTrack(c.randomCode());
		assert.equal(u.status, 404, u.text);
	}
	assert.doesNotMatch(fs.readFileSync(log, 'utf8'),
	    /died|signal 11|exited with/);
});
