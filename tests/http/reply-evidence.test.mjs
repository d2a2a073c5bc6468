// Files with a complainant's reply: sent with the reply form /track renders (and in JSON), numbered after the case's earlier files, each fingerprint shown with the reply equal to the reviewer's download byte for byte; a bad file is refused next to the reply's file field with the text kept and nothing written; a case holds at most 50 files; a reply whose number was taken while it waited is sealed again with the next, and two replies with files at once both land with their own numbers.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as c from '../lib/client.mjs';
import { staffUser, casePage, act, REVIEW } from '../lib/staff.mjs';
import { caseByReference, query, withDb } from '../lib/db.mjs';
import { sodium, openEvidence } from '../lib/vault.mjs';

const DATA = new URL('../unit/data/evidence/', import.meta.url);
const fixture = (name) => readFileSync(new URL(name, DATA));
let s, reviewer;

before(async () => {
	s = await sodium();
	reviewer = await staffUser({ roles: ['reviewer'], queues: ['general'] });
});

const blake2b = (buf) => Buffer.from(s.crypto_generichash(32,
    new Uint8Array(buf))).toString('hex');
const file = (name, data, type = 'application/octet-stream') =>
    ({ name, data, type });
const b64 = (name, data) => ({ name, content_base64: data.toString('base64') });

async function rows(id) {
	const r = await query(`SELECT (SELECT count(*)::int FROM case_messages
	        WHERE case_id = $1) AS messages,
	    (SELECT count(*)::int FROM case_evidence WHERE case_id = $1) AS files,
	    (SELECT state FROM cases WHERE id = $1) AS state`, [id]);
	return r.rows[0];
}

// Until a statement of the service waits for a lock (the reply above).
async function waitForLockWait() {
	for (let i = 0; i < 500; i++) {
		const r = await query(`SELECT count(*)::int AS n FROM pg_stat_activity
		    WHERE wait_event_type = 'Lock'
		      AND query LIKE '%complainant_reply_evidence%'`);
		if (r.rows[0].n > 0)
			return;
		await new Promise((res) => setTimeout(res, 10));
	}
	throw new Error('the reply never waited for the case');
}

async function download(href) {
	const res = await fetch(REVIEW + href, { headers: {
	    cookie: reviewer.cookie }, redirect: 'manual' });
	return { res, body: Buffer.from(await res.arrayBuffer()) };
}

// A case the reviewer has asked a question on, filed with one file.
async function askedCase() {
	const f = await c.fileComplaint({ evidence: [file('ad.png',
	    fixture('clean.png'), 'image/png')] });
	assert.ok(f.code, 'filed');
	for (const [verb, fields] of [['take', {}], ['triage', {
	    category: 'privacy.notice', priority: 2, queue: 'general' }],
	    ['investigate', {}], ['request_info', { text: 'Can you send the ' +
	    'advert itself?' }]]) {
		const r = await act(reviewer, f.reference, verb, fields);
		assert.equal(r.status, 303, `${verb}: ${r.status}`);
	}
	return { ...f, id: (await caseByReference(f.reference)).id };
}

test('a reply with two files from the page: numbered after the ' +
    'complaint\'s file, fingerprints on /track equal the reviewer\'s ' +
    'downloads, each under a key of its own', async () => {
	const k = await askedCase();
	assert.equal((await rows(k.id)).state, 'awaiting_complainant');
	const gps = fixture('gps.jpg');
	const note = fixture('note.txt');
	const res = await c.trackAct(k.code, 'reply', 'Here is the advert ' +
	    'and what it said.', { files: [file('IMG_1.jpg', gps, 'image/jpeg'),
	    file('said.txt', note, 'text/plain')] });
	assert.equal(res.status, 200, res.text.slice(0, 400));
	assert.match(res.doc.querySelector('.notice').text,
	    /reply and its files have been sent/);
	const article = res.doc.querySelectorAll('article.message').at(-1);
	const list = article.querySelector('ol.evidence');
	assert.equal(list.getAttribute('start'), '2', 'after the complaint\'s');
	const printed = list.querySelectorAll('code.hash').map((e) => e.text);
	assert.deepEqual(printed, [blake2b(fixture('clean.jpg')),
	    blake2b(note)], 'the GPS tag was stripped before the fingerprint');
	assert.equal((await rows(k.id)).state, 'investigating');

	const kept = (await query(`SELECT e.n, e.kind, e.message_id,
	    length(e.key_sealed) AS key, e.fingerprint_box IS NOT NULL AS fp,
	    m.kind AS from
	    FROM case_evidence e LEFT JOIN case_messages m ON m.id = e.message_id
	    WHERE e.case_id = $1 ORDER BY e.n`, [k.id])).rows;
	assert.deepEqual(kept.map((r) => [r.n, r.kind, r.key, r.fp, r.from]), [
	    [1, 'png', null, false, null],
	    [2, 'jpeg', 80, true, 'from_complainant'],
	    [3, 'text', 80, true, 'from_complainant']]);
	// Each file opens with its own key, under its own number only.
	const boxes = (await query(`SELECT e.n, e.box, e.key_sealed,
	    c.complainant_salt FROM case_evidence e JOIN cases c ON c.id = e.case_id
	    WHERE e.case_id = $1 AND e.n > 1 ORDER BY e.n`, [k.id])).rows;
	const opened = await Promise.all(boxes.map((r) => openEvidence(
	    r.key_sealed, r.complainant_salt, r.n, r.box)));
	assert.deepEqual(opened.map((o) => blake2b(o.data)), printed);
	assert.notDeepEqual(opened[0].key, opened[1].key, 'a key per file');
	await assert.rejects(openEvidence(boxes[0].key_sealed,
	    boxes[0].complainant_salt, 3, boxes[0].box), 'bound to its number');

	// The reviewer sees the files with the reply and downloads them.
	const { doc } = await casePage(reviewer, k.reference);
	const links = doc.querySelectorAll('article.message.from_complainant a')
	    .map((a) => a.getAttribute('href'));
	assert.deepEqual(links, [2, 3].map((n) =>
	    `/review/cases/${k.reference}/evidence/${n}`));
	assert.match(doc.querySelector('#evidence').text,
	    /File 1: .*with the report.*File 2: .*with a reply/s);
	for (const [i, href] of links.entries()) {
		const { res: r, body } = await download(href);
		assert.equal(r.status, 200);
		assert.equal(blake2b(body), printed[i], 'byte for byte');
		assert.equal(r.headers.get('content-disposition'),
		    `attachment; filename="${k.reference}-evidence-${i + 2}.` +
		    `${i === 0 ? 'jpg' : 'txt'}"`);
	}
	const audited = await query(`SELECT array_agg((detail->>'n')::int
	    ORDER BY id) AS n FROM audit_events
	    WHERE action = 'case.evidence_read' AND object = $1`,
	    [`case:${k.reference}`]);
	assert.deepEqual(audited.rows[0].n, [2, 3]);

	// The JSON API shows the same reply with the same fingerprints.
	const t = await c.apiTrack(k.code);
	assert.equal(t.status, 200);
	const last = t.json.messages.at(-1);
	assert.equal(last.kind, 'from_complainant');
	assert.deepEqual(last.files.map((x) => [x.n, x.kind, x.blake2b]),
	    [[2, 'jpeg', printed[0]], [3, 'text', printed[1]]]);
	assert.deepEqual(t.json.messages[0].files, [], 'the reviewer\'s');
});

test('a bad file is refused next to the reply\'s file field, the text ' +
    'kept, and nothing is written', async () => {
	const k = await askedCase();
	const before = await rows(k.id);
	const text = `About the advert. ${c.marker('T')}`;
	for (const [label, files, message] of [
	    ['PNG and HTML', [file('a.png', fixture('polyglot-html.png'))],
	        /more than one kind of file/],
	    ['path traversal', [file('../x.png', fixture('clean.png'))],
	        /name cannot be used/],
	    ['six files', Array.from({ length: 6 }, (_, i) =>
	        file(`${i}.txt`, fixture('note.txt'))), /at most 5 files/],
	    ['damaged', [file('a.jpg', fixture('truncated.jpg'))],
	        /damaged or incomplete/]]) {
		const res = await c.trackAct(k.code, 'reply', text, { files });
		assert.equal(res.status, 422, label);
		const err = res.doc.querySelector('#f-reply-evidence-error');
		assert.ok(err, `${label}: no message next to the field`);
		assert.match(err.text, message, label);
		assert.equal(res.doc.querySelector('#f-reply-evidence')
		    .getAttribute('aria-invalid'), 'true', label);
		assert.ok(res.doc.querySelector(
		    '.error-summary a[href="#f-reply-evidence"]'), label);
		assert.equal(res.doc.querySelector('#f-reply').text, text,
		    `${label}: the reply is kept`);
	}
	// Good files with a missing text: the files are asked for again.
	const res = await c.trackAct(k.code, 'reply', '', { files: [
	    file('a.txt', fixture('note.txt'))] });
	assert.equal(res.status, 422);
	assert.ok(res.doc.querySelector('#f-reply-error'));
	assert.match(res.doc.querySelector('#f-reply-evidence-again').text,
	    /Attach your file again/);
	assert.deepEqual(await rows(k.id), before, 'no message, file or change');
});

test('in JSON: a reply with base64 files answers the case with their ' +
    'fingerprints; bad files are named under fields.evidence', async () => {
	const k = await askedCase();
	const pdf = fixture('sample.pdf');
	const res = await c.apiTrackAct(k.code, 'reply', 'The letter.',
	    { evidence: [b64('letter.pdf', pdf)] });
	assert.equal(res.status, 200, res.text);
	assert.deepEqual(res.json.messages.at(-1).files, [{ n: 2, kind: 'pdf',
	    size: pdf.length, blake2b: blake2b(pdf) }]);

	const before = await rows(k.id);
	for (const [evidence, message] of [
	    [[{ name: 'a.png', content_base64: '***' }], /not valid base64/],
	    [{ name: 'a.png' }, /array/],
	    [[b64('a.png', fixture('bomb.png'))], /too large to open/]]) {
		const r = await c.apiTrackAct(k.code, 'reply', 'More.',
		    { evidence });
		assert.equal(r.status, 422, r.text);
		assert.match(r.json.error.fields.evidence, message);
		assert.equal(r.json.error.fields.text, undefined);
	}
	// Files belong to a reply, not to an appeal.
	const r = await c.apiPost('/api/v1/track/appeal', { receipt_code: k.code,
	    text: 'No.', evidence: [b64('a.txt', fixture('note.txt'))] });
	assert.equal(r.status, 422);
	assert.equal(r.json.error.fields.evidence, 'Unknown field.');
	assert.deepEqual(await rows(k.id), before);
});

test('a case holds at most 50 files: a reply that would pass it is ' +
    'refused whole', async () => {
	const k = await askedCase();
	// 46 more files as if filed earlier: 47 in all.
	await query(`INSERT INTO case_evidence (case_id, n, kind, size, box)
	    SELECT $1, n, 'text', 1, '\\x00' FROM generate_series(2, 47) n`,
	    [k.id]);
	const note = fixture('note.txt');
	const four = [1, 2, 3, 4].map((i) => b64(`${i}.txt`, note));
	const before = await rows(k.id);
	const r = await c.apiTrackAct(k.code, 'reply', 'Four more.',
	    { evidence: four });
	assert.equal(r.status, 409, r.text);
	assert.equal(r.json.error.code, 'too_many_files');
	assert.deepEqual(await rows(k.id), before);
	// The page says so next to the files, and keeps the text.
	const page = await c.trackAct(k.code, 'reply', 'Four more.', { files:
	    [1, 2, 3, 4].map((i) => file(`${i}.txt`, note, 'text/plain')) });
	assert.equal(page.status, 409);
	assert.match(page.doc.querySelector('#f-reply-evidence-error').text,
	    /already holds 50 files/);
	assert.ok(page.doc.querySelector(
	    '.error-summary a[href="#f-reply-evidence"]'));
	assert.equal(page.doc.querySelector('#f-reply-evidence-again'), null,
	    'not asked to attach the files again');
	assert.equal(page.doc.querySelector('#f-reply').text, 'Four more.');
	const three = await c.apiTrackAct(k.code, 'reply', 'Three more.',
	    { evidence: four.slice(1) });
	assert.equal(three.status, 200, three.text);
	assert.deepEqual(three.json.messages.at(-1).files.map((x) => x.n),
	    [48, 49, 50]);
});

test('a reply whose file number was taken while it was sealed is sealed ' +
    'again with the next; the database refuses the stale number', async () => {
	const k = await askedCase();
	const note = fixture('note.txt');
	// Another writer holds the case (its new file locks the case's key)
	// while the reply, which has read number 2, waits; then commits.
	await withDb(async (other) => {
		await other.query('BEGIN');
		await other.query(`INSERT INTO case_evidence (case_id, n, kind,
		    size, box) VALUES ($1, 2, 'text', 1, '\\x00')`, [k.id]);
		const sent = c.apiTrackAct(k.code, 'reply', 'While you add one.',
		    { evidence: [b64('late.txt', note)] });
		await waitForLockWait();
		await other.query('COMMIT');
		const r = await sent;
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.messages.at(-1).files.map((x) => x.n), [3]);
	});
	const [row] = (await query(`SELECT e.key_sealed, e.box,
	    c.complainant_salt FROM case_evidence e JOIN cases c ON c.id = e.case_id
	    WHERE e.case_id = $1 AND e.n = 3`, [k.id])).rows;
	assert.equal(blake2b((await openEvidence(row.key_sealed,
	    row.complainant_salt, 3, row.box)).data), blake2b(note));

	// Called with a number already taken, the function writes nothing.
	const before = await rows(k.id);
	const stale = await query(`SELECT complainant_reply_evidence(
	    receipt_hash, '\\x01', '\\x02', 2, ARRAY['\\x03'::bytea],
	    ARRAY['\\x04'::bytea], ARRAY['\\x05'::bytea],
	    '[{"kind": "text", "size": 1}]') AS o FROM cases WHERE id = $1`,
	    [k.id]);
	assert.equal(stale.rows[0].o, 'busy');
	assert.deepEqual(await rows(k.id), before);
});

test('two replies with files at the same moment both land, each file ' +
    'with its own number', async () => {
	const k = await askedCase();
	const note = fixture('note.txt');
	const text = fixture('clean.png');
	const sent = await Promise.all([0, 1, 2].map((i) =>
	    c.apiTrackAct(k.code, 'reply', `Reply ${i}`, { evidence: [
	    b64(`a${i}.txt`, note), b64(`b${i}.png`, text)] })));
	for (const r of sent)
		assert.equal(r.status, 200, r.text);
	const t = await c.apiTrack(k.code);
	const replies = t.json.messages.filter((m) =>
	    m.kind === 'from_complainant');
	assert.equal(replies.length, 3);
	assert.deepEqual(replies.flatMap((m) => m.files.map((x) => x.n))
	    .sort((a, b) => a - b), [2, 3, 4, 5, 6, 7]);
	for (const m of replies)
		assert.deepEqual(m.files.map((x) => x.kind), ['text', 'png'],
		    'each reply\'s own files');
	// Each opens with the number it was sealed as.
	const { doc } = await casePage(reviewer, k.reference);
	for (const a of doc.querySelectorAll('article.message.from_complainant a'))
		assert.equal((await download(a.getAttribute('href'))).res.status,
		    200);
});
