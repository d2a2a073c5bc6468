// The canary: unique markers in every personal field, message, demographic answer and uploaded file (with the complaint and with a reply) of several cases are found nowhere a person with the disk could read them (pg_dump, the PostgreSQL data directory with its WAL, Kore's working folder and every log), neither while the cases live nor after they are erased; a marker in a field kept in clear by design (the brand) is found, which proves the search looks in the right places.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as c from '../lib/client.mjs';
import { staffUser, act } from '../lib/staff.mjs';
import { caseByReference, dbConfig, query } from '../lib/db.mjs';
import { formsOf } from '../lib/pageform.mjs';

let reviewer, supervisor;
const secret = [];	// markers that must never be found
const clear = [];	// markers kept in clear by design

before(async () => {
	reviewer = await staffUser({ roles: ['reviewer'], queues: ['general'] });
	supervisor = await staffUser({ roles: ['supervisor'], queues: [] });
});

function mark(tag, list = secret) {
	const m = c.marker(tag);
	list.push(m);
	return m;
}

async function ok(user, ref, verb, fields = {}) {
	const r = await act(user, ref, verb, fields);
	assert.equal(r.status, 303, `${verb}: ${r.status}`);
}

// Every file under 'dir', recursively (the data directory is the
// cluster owner's; the tests run as root and may read it).
function filesUnder(dir) {
	const out = [];
	for (const name of readdirSync(dir)) {
		const p = join(dir, name);
		let st;
		try {
			st = statSync(p);
		} catch {
			continue;	/* gone meanwhile (a temporary file) */
		}
		if (st.isDirectory())
			out.push(...filesUnder(p));
		else if (st.isFile())
			out.push(p);
	}
	return out;
}

// Where each marker shows up: pg_dump's output, or a file of the test
// environment's folder (data directory, WAL, Kore's logs and files).
function whereFound(markers) {
	const hits = new Map(markers.map((m) => [m, []]));
	const look = (where, bytes) => {
		for (const m of markers)
			if (bytes.includes(m) || bytes.includes(Buffer.from(m,
			    'utf16le')))
				hits.get(m).push(where);
	};
	const { host, user, database } = dbConfig();
	look('pg_dump', execFileSync('pg_dump', ['-h', host, '-U', user,
	    database], { maxBuffer: 1 << 30 }));
	for (const p of filesUnder(process.env.RECOURSE_VAR)) {
		let bytes;
		try {
			bytes = readFileSync(p);
		} catch {
			continue;	/* gone meanwhile */
		}
		look(p, bytes);
	}
	return [...hits].filter(([, w]) => w.length > 0);
}

// Everything on disk that the server has written so far.
async function flushed() {
	await query('CHECKPOINT');
	await query('SELECT pg_switch_wal()');
}

async function richCase(i) {
	const f = await c.fileComplaint({
	    brand: mark(`B${i}`, clear),
	    description: `What happened: ${mark(`D${i}`)}`,
	    contact_name: mark(`N${i}`),
	    contact_email: `${mark(`E${i}`).toLowerCase()}@example.org`,
	    consent_contact: 'yes',
	    why_shown: `Because ${mark(`W${i}`)}`,
	    consent_demographics: 'yes', gender: 'self_described',
	    gender_description: mark(`G${i}`),
	    evidence: [{ name: 'note.txt', type: 'text/plain',
	        data: Buffer.from(`My note ${mark(`F${i}`)}\n`) }] });
	assert.equal(f.res.status, 201, f.res.text.slice(0, 300));
	const r = f.reference;
	await ok(reviewer, r, 'take');
	await ok(reviewer, r, 'triage', { category: 'privacy.notice',
	    priority: 2, queue: 'general' });
	await ok(reviewer, r, 'investigate');
	await ok(reviewer, r, 'note', { text: mark(`O${i}`) });
	await ok(reviewer, r, 'message', { text: mark(`M${i}`) });
	assert.equal((await c.trackAct(f.code, 'reply', mark(`R${i}`), {
	    files: [{ name: 'reply.txt', type: 'text/plain',
	    data: Buffer.from(`My reply's note ${mark(`Y${i}`)}\n`) }] }))
	    .status, 200);
	await ok(reviewer, r, 'decide', { outcome: 'upheld',
	    remedies: ['apology'], automated: 'no', text: mark(`X${i}`) });
	assert.equal((await c.trackAct(f.code, 'appeal', mark(`A${i}`)))
	    .status, 200);
	return f;
}

test('no personal marker of three cases is found on disk or in a dump, ' +
    'while they live and after they are erased; the brand, kept in ' +
    'clear, is found', async () => {
	const cases = [];
	for (let i = 0; i < 3; i++)
		cases.push(await richCase(i));
	await flushed();
	let found = whereFound([...secret, ...clear]);
	assert.deepEqual(found.filter(([m]) => secret.includes(m)), [],
	    'personal data in clear');
	for (const m of clear)
		assert.ok(found.some(([x, w]) => x === m && w.includes('pg_dump')
		    && w.some((p) => p.includes('/pg/'))),
		    `the brand ${m} was not found: the search sees nothing`);

	for (const f of cases) {
		const ip = c.randomIp();
		const page = await c.postTrack(f.code, { ip });
		const erase = formsOf(page.doc, page.url).find((x) =>
		    x.action === '/track/erase');
		const res = await erase.fill({ confirm: 'yes' }).submit({ ip });
		assert.equal(res.status, 200);
		await ok(supervisor, f.reference, 'erase');
		assert.ok((await caseByReference(f.reference)).erased_at);
	}
	await flushed();
	found = whereFound(secret);
	assert.deepEqual(found, [], 'personal data in clear after erasure');
});
