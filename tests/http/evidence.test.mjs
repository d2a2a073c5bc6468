// Evidence files: filed with the form the page renders (and in JSON), each file's fingerprint on the receipt and on /track equals the fingerprint of the reviewer's download byte for byte, a GPS tag planted in a photo is gone, downloads are audited and carry attachment, nosniff and sandbox; every bad upload gets a message next to the field and leaves no case, no row and no file behind.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as c from '../lib/client.mjs';
import { staffUser, casePage, REVIEW } from '../lib/staff.mjs';
import { caseByReference, query } from '../lib/db.mjs';
import { sodium } from '../lib/vault.mjs';

const DATA = new URL('../unit/data/evidence/', import.meta.url);
const fixture = (name) => readFileSync(new URL(name, DATA));
let s, reviewer, outsider;

before(async () => {
	s = await sodium();
	reviewer = await staffUser({ roles: ['reviewer'], queues: ['general'] });
	outsider = await staffUser({ roles: ['reviewer'], queues: ['security'] });
});

const blake2b = (buf) => Buffer.from(s.crypto_generichash(32,
    new Uint8Array(buf))).toString('hex');
const file = (name, data, type = 'application/octet-stream') =>
    ({ name, data, type });

async function counts() {
	const r = await query(`SELECT (SELECT count(*)::int FROM cases) AS cases,
	    (SELECT count(*)::int FROM case_evidence) AS files,
	    (SELECT count(*)::int FROM intake_requests) AS requests`);
	return r.rows[0];
}

// What Kore's working folder and the system's temporary folder hold
// that Kore could have written (it keeps bodies in memory).
function kept() {
	const dirs = [process.env.RECOURSE_VAR, '/tmp'];
	return dirs.flatMap((d) => existsSync(d) ? readdirSync(d)
	    .filter((n) => /^(tmp_files|http_body|kore)/.test(n))
	    .map((n) => join(d, n)) : []).sort();
}

// A download through the case page's link, as the browser follows it.
async function download(user, href) {
	const res = await fetch(REVIEW + href, { headers: { cookie: user.cookie },
	    redirect: 'manual' });
	return { res, body: Buffer.from(await res.arrayBuffer()) };
}

test('two files filed with the form: fingerprints on the receipt and on ' +
    '/track equal the reviewer\'s downloads, the GPS tag is gone, each ' +
    'download is audited and served as an attachment', async () => {
	const gps = fixture('gps.jpg');
	const note = fixture('note.txt');
	const clean = fixture('clean.jpg');
	assert.ok(gps.includes('GPS') || gps.includes('RCMARKCAMERA'));
	const f = await c.fileComplaint({ evidence: [
	    file('IMG_2041.jpg', gps, 'image/jpeg'),
	    file('what the ad said.txt', note, 'text/plain')] });
	assert.equal(f.res.status, 201, f.res.text.slice(0, 400));
	const printed = f.res.doc.querySelectorAll('ol.evidence code.hash')
	    .map((e) => e.text);
	// Stripping the planted metadata gives back the clean picture.
	assert.deepEqual(printed, [blake2b(clean), blake2b(note)]);
	assert.match(f.res.doc.querySelector('ol.evidence').text,
	    /JPEG image.*Text file/s);

	const row = await caseByReference(f.reference);
	const files = await query('SELECT n, kind, size FROM case_evidence ' +
	    'WHERE case_id = $1 ORDER BY n', [row.id]);
	assert.deepEqual(files.rows, [{ n: 1, kind: 'jpeg', size: clean.length },
	    { n: 2, kind: 'text', size: note.length }]);

	const track = await c.postTrack(f.code);
	assert.deepEqual(track.doc.querySelectorAll('ol.evidence code.hash')
	    .map((e) => e.text), printed);

	const { doc } = await casePage(reviewer, f.reference);
	const links = doc.querySelectorAll('#evidence a').map((a) =>
	    a.getAttribute('href'));
	assert.deepEqual(links, [1, 2].map((n) =>
	    `/review/cases/${f.reference}/evidence/${n}`));
	for (const [i, href] of links.entries()) {
		const before = await query(`SELECT count(*)::int AS n
		    FROM audit_events WHERE action = 'case.evidence_read'
		      AND object = $1`, [`case:${f.reference}`]);
		const { res, body } = await download(reviewer, href);
		assert.equal(res.status, 200);
		assert.equal(blake2b(body), printed[i], 'byte for byte');
		assert.equal(res.headers.get('content-disposition'),
		    `attachment; filename="${f.reference}-evidence-${i + 1}.` +
		    `${i === 0 ? 'jpg' : 'txt'}"`);
		assert.equal(res.headers.get('x-content-type-options'),
		    'nosniff');
		assert.match(res.headers.get('content-security-policy'),
		    /^sandbox/);
		assert.equal(res.headers.get('content-type'), i === 0 ?
		    'image/jpeg' : 'text/plain; charset=utf-8');
		assert.equal(res.headers.get('cache-control'), 'no-store');
		const after = await query(`SELECT count(*)::int AS n, max(detail
		    ->>'n') AS last FROM audit_events
		    WHERE action = 'case.evidence_read' AND object = $1`,
		    [`case:${f.reference}`]);
		assert.equal(after.rows[0].n, before.rows[0].n + 1);
	}
	const photo = (await download(reviewer, links[0])).body;
	for (const mark of ['RCMARK', 'Exif', 'GPS', 'xmpmeta'])
		assert.ok(!photo.includes(mark), `${mark} survived`);
	assert.deepEqual(photo, clean);

	// A reviewer of another queue, a missing file: not found alike.
	const away = await download(outsider, links[0]);
	const none = await download(reviewer,
	    `/review/cases/${f.reference}/evidence/9`);
	assert.deepEqual([away.res.status, none.res.status], [404, 404]);
	assert.ok(!away.body.includes('evidence-1'));
});

test('every bad upload is refused next to the field, with the other ' +
    'answers kept, and leaves nothing behind', async () => {
	const png = fixture('clean.png');
	const bad = [
		['damaged', [file('a.jpg', fixture('truncated.jpg'))],
		    /damaged or incomplete/],
		['bad CRC', [file('a.png', fixture('badcrc.png'))],
		    /damaged or incomplete/],
		['huge picture', [file('bomb.png', fixture('bomb.png'))],
		    /too large to open/],
		['PNG and HTML', [file('a.png', fixture('polyglot-html.png'))],
		    /more than one kind of file/],
		['data after the end', [file('a.png', fixture('trailing.png'))],
		    /more than one kind of file/],
		['not a type we take', [file('a.png', fixture('binary.bin'),
		    'image/png')], /not a PNG, JPEG or WebP/],
		['empty', [file('empty.pdf', Buffer.alloc(0))], /is empty/],
		['path traversal', [file('../../etc/passwd', png)],
		    /name cannot be used/],
		['six files', Array.from({ length: 6 }, (_, i) =>
		    file(`${i}.png`, png)), /at most 5 files/],
		['over 10 MB', [file('a.txt', Buffer.alloc(6 * 1024 * 1024,
		    'a')), file('b.txt', Buffer.alloc(6 * 1024 * 1024, 'b'))],
		    /more than 10 MB together/],
	];
	const before = await counts();
	const files = kept();
	for (const [label, evidence, message] of bad) {
		const description = `Seen in an app. ${c.marker('E')}`;
		const form = await c.getForm();
		const res = await c.postComplaint(form, c.validFields({
		    description, evidence })).catch((e) => { throw new Error(`${label}: ${e.cause ?? e}`); });
		assert.equal(res.status, 422, label);
		const err = res.doc.querySelector('#f-evidence-error');
		assert.ok(err, `${label}: no message next to the field`);
		assert.match(err.text, message, label);
		assert.equal(res.doc.querySelector('#f-evidence')
		    .getAttribute('aria-invalid'), 'true', label);
		assert.equal(res.doc.querySelector('#f-description').text,
		    description, `${label}: the answers are kept`);
		assert.ok(res.doc.querySelector(
		    '.error-summary a[href="#f-evidence"]'), label);
	}
	assert.deepEqual(await counts(), before, 'no case, file or request');
	assert.deepEqual(kept(), files, 'no file written');
});

test('a form that comes back for another field asks for the files again',
    async () => {
	const form = await c.getForm();
	const res = await c.postComplaint(form, c.validFields({
	    description: 'short', evidence: [file('a.png',
	    fixture('clean.png'))] }));
	assert.equal(res.status, 422);
	assert.match(res.doc.querySelector('#f-evidence-again').text,
	    /Attach your file again/);
});

test('in JSON: base64 files, their fingerprints in the answer; bad ' +
    'base64 and bad files are named under fields.evidence', async () => {
	const webp = fixture('meta.webp');
	const pdf = fixture('sample.pdf');
	const res = await c.apiComplaint(c.validDoc({ evidence: [
	    { name: 'ad.webp', content_base64: webp.toString('base64') },
	    { name: 'letter.pdf', content_base64: pdf.toString('base64') }] }));
	assert.equal(res.status, 201, res.text);
	assert.deepEqual(res.json.evidence.map((e) => [e.n, e.kind]),
	    [[1, 'webp'], [2, 'pdf']]);
	assert.equal(res.json.evidence[1].blake2b, blake2b(pdf),
	    'a PDF is kept as it is');
	// The clean picture with the extended header its flags are in.
	assert.equal(res.json.evidence[0].size, fixture('clean.webp').length +
	    18, 'the WebP lost its Exif and XMP chunks');
	const t = await c.apiTrack(res.json.receipt_code);
	assert.deepEqual(t.json.sent.evidence, res.json.evidence);

	const before = await counts();
	for (const [evidence, message] of [
	    [[{ name: 'a.png', content_base64: '***' }], /not valid base64/],
	    [[{ name: 'a.png' }], /content_base64/],
	    [{ name: 'a.png' }, /array/],
	    [[{ name: 'a.png', content_base64: fixture('bomb.png')
	        .toString('base64') }], /too large to open/]]) {
		const r = await c.apiComplaint(c.validDoc({ evidence }));
		assert.equal(r.status, 422, r.text);
		assert.match(r.json.error.fields.evidence, message);
	}
	assert.deepEqual(await counts(), before);
});
