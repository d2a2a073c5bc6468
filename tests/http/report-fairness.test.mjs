// Fairness figures: complainants who agreed to answer questions about themselves, filed through the form, are counted by answer against the outcomes of their decisions; the builder opens their sealed answers with the review key and publishes only protected counts; the free self-description is in no file of the report and not in the builder's log.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../lib/client.mjs';
import { staffUser, createAccount, act } from '../lib/staff.mjs';
import { query } from '../lib/db.mjs';
import { startReporter, draftReport } from '../lib/reporter.mjs';
import { waitFor } from '../lib/mail.mjs';

let reporter, reviewer, sup;
const marker = c.marker('SELF');
const QUARTER = (() => {
	const d = new Date();
	return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
})();

async function decide(ref, outcome) {
	for (const [verb, fields] of [['take', {}], ['triage', {
	    category: 'privacy.notice', priority: 2, queue: 'general' }],
	    ['investigate', {}], ['decide', { outcome, remedies: ['apology'],
	    automated: 'no', text: 'Reasons.' }]]) {
		const r = await act(reviewer, ref, verb, fields);
		assert.equal(r.status, 303, `${verb}: ${r.status}`);
	}
}

before(async () => {
	reviewer = await staffUser({ roles: ['reviewer'], queues: ['general'] });
	sup = await createAccount({ roles: ['supervisor'], queues: [] });
	for (let i = 0; i < 12; i++) {
		const f = await c.fileComplaint({ consent_demographics: true,
		    age_band: 'age_25_34', gender: 'self_described',
		    gender_description: `${marker} ${i}`, disability: 'no' });
		assert.ok(f.code, 'filed');
		await decide(f.reference, 'upheld');
	}
	reporter = startReporter();
});

after(async () => {
	await reporter?.stop();
});

test('outcomes by each answer, protected, from the sealed answers; the ' +
    'self-description goes nowhere', async () => {
	const { id, doc } = await draftReport(QUARTER, sup);
	const t = doc.tables.find((x) => x.id === 'fairness_outcomes_age_band');
	assert.ok(t, 'the fairness table by age');
	assert.equal(t.withheld, false);
	const cols = t.columns.map((x) => x.code);
	const row = t.rows.find((r) => r.code === 'age_25_34');
	assert.ok(row, 'the answer given has its row');
	const upheld = row.cells[cols.indexOf('upheld')];
	assert.ok(upheld === 'x' || upheld >= 10, `upheld: ${upheld}`);
	const all = row.cells[cols.indexOf('total')];
	assert.ok(all === 'x' || all >= 12, `all: ${all}`);
	const byGender = doc.tables.find((x) =>
	    x.id === 'fairness_outcomes_gender');
	assert.ok(byGender.rows.some((r) => r.code === 'self_described'));
	assert.ok(doc.tables.some((x) => x.id === 'fairness_timeliness_age_band'));
	// No file holds a word of the description, nor the log.
	const files = (await query(`SELECT name, body FROM report_files
	    WHERE report_id = $1`, [id])).rows;
	assert.ok(files.length >= 10);
	for (const f of files)
		assert.ok(!f.body.includes(marker), `${f.name} holds it`);
	// The log is read once it says the draft was built.
	await waitFor('the builder\'s log line', () => reporter.log()
	    .includes(`report ${id} (${QUARTER}): draft built`));
	assert.ok(!reporter.log().includes(marker));
	assert.ok(!reporter.log().includes('age_25_34'));
});
