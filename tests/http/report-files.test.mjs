// The transparency report's files, built by recourse-reporter from figures: the reader who solves for hidden counts with a real LP solver (glpsol) over every published table finds no small count narrower than 1 to 9 and no hidden count pinned; report.json validates against its published schema; every file verifies with OpenBSD's signify and a flipped byte does not; the same figures give byte-identical files; the CSV files are RFC 4180 with formulas neutralised; a small fixed data set gives the checked-in JSON and CSV files exactly, and a page whose headings, captions and rows follow the document and which lists every other file with its hash.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import Ajv2020 from 'ajv/dist/2020.js';
import { createHash } from 'node:crypto';
import { parseHtml } from '../lib/html.mjs';

const REPORTER = process.env.RECOURSE_REPORTER;
const KEYS = process.env.RECOURSE_KEYS;
const SCHEMA = new URL('../../docs/report.schema.json', import.meta.url);
const GOLDEN = new URL('./data/report/', import.meta.url);

// A reproducible stream of numbers (mulberry32).
function prng(seed) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// A count that is often small, sometimes zero, else large.
function counter(rand) {
	return () => {
		const r = rand();
		return r < 0.35 ? 1 + Math.floor(rand() * 9) : r < 0.45 ? 0 :
		    10 + Math.floor(rand() * 200);
	};
}

const list = (codes, n) => codes.map((code) => ({ code, n: n() }));
const sum = (xs) => xs.reduce((a, x) => a + x.n, 0);

// report_figures()'s shape, with many small counts planted.
function figures(seed) {
	const n = counter(prng(seed));
	const cats = ['privacy.consent', 'privacy.notice', 'security.breach',
	    'bias.targeting', 'bias.pricing', 'manipulation.pressure',
	    'vulnerability.exploitation', 'transparency.ai_undisclosed',
	    'transparency.explanation', 'optout.not_honoured', 'other'];
	const outcomes = ['upheld', 'partly_upheld', 'not_upheld',
	    'out_of_scope', 'referred'];
	const category = list(cats, n);
	const total = sum(category);
	// Every other partition of the same cases: fill the last to the total.
	const partition = (codes) => {
		const xs = list(codes.slice(0, -1), () => Math.min(n(), total));
		let left = total - sum(xs);
		while (left < 0) {
			const big = xs.reduce((a, x) => x.n > a.n ? x : a);
			const cut = Math.min(big.n, -left);
			big.n -= cut;
			left += cut;
		}
		return [...xs, { code: codes.at(-1), n: left }];
	};
	// Brands and "no brand" share the cases out too.
	const shares = partition([...Array.from({ length: 12 }, (_, i) =>
	    `brand ${i}`), 'no_brand']);
	const brands = shares.slice(0, -1).map((b, i) => ({ code: b.code,
	    label: `Brand, "${i}"`, n: b.n }))
	    .sort((a, b) => b.n - a.n || (a.code < b.code ? -1 : 1));
	const clocks = ['acknowledge', 'response', 'decision', 'appeal',
	    'erasure'].map((clock) => {
		const onTime = n(), late = n();
		return { clock, ended: onTime + late, on_time: onTime, late,
		    extended: Math.min(n(), onTime + late), paused: 0,
		    days_median: 2.5, days_p90: 9.1, paused_days_total: 0.0,
		    paused_days_median: 0.0 };
	});
	return {
		quarter: '2026-Q3', from: '2026-07-01T00:00:00Z',
		to: '2026-10-01T00:00:00Z', snapshot_at: '2026-10-02T09:00:00Z',
		labels: { category: cats.map((code) => ({ code,
		    label: `Concern ${code}` })), channel: [], targeting: [],
		    demographic: Object.fromEntries(Object.entries(ANSWERS).map(
		    ([q, codes]) => [q, codes.map((code) => ({ code,
		    label: `Answer ${code}` }))])) },
		audit: { seq: 42, hash: 'ab'.repeat(32) },
		received: { total, category,
		    channel: partition(['email', 'sms', 'social_ad', 'other']),
		    ai_disclosed: partition(['yes', 'no', 'not_sure',
		        'unanswered']),
		    vulnerable: partition(['yes', 'no']),
		    brand: brands, no_brand: shares.at(-1).n },
		targeting: list(['age', 'location', 'retargeting'], n),
		decided: { total: 0, automated: n(), by_category: cats.map(
		    (code) => ({ code, outcomes: list(outcomes, n) })) },
		remedies: list(['apology', 'data_deleted', 'none'], n),
		timeliness: clocks, breaches: n(),
		appeals: { received: n(), decided: n(), changed: n(),
		    days_median: 12.0 },
		erasures: { request: n(), retention: n() },
		withdrawals: list(['contact', 'publish', 'demographics'], n),
		fairness: Object.fromEntries(Object.entries(ANSWERS).map(([q,
		    codes]) => [q, {
			outcomes: [...codes, 'not_answered'].map((code) => ({ code,
			    outcomes: list(outcomes, n) })),
			timeliness: [...codes, 'not_answered'].map((code) => {
				const onTime = n(), late = n();
				return { code, ended: onTime + late, on_time: onTime,
				    late };
			}) }])),
	};
}

// The questions about oneself and a few of their answers.
const ANSWERS = { age_band: ['age_18_24', 'age_25_34', 'age_35_44'],
    gender: ['woman', 'man', 'non_binary'], disability: ['yes', 'no'],
    origin: ['asian', 'black', 'white', 'other'] };

function build(fig, dir = mkdtempSync(join(tmpdir(), 'report-'))) {
	const path = join(dir, 'figures.json');
	writeFileSync(path, JSON.stringify(fig));
	const out = join(dir, 'files');
	execFileSync(REPORTER, ['files', path, out], { env: { ...process.env,
	    RECOURSE_REPORT_SCHEMA: SCHEMA.pathname } });
	return out;
}

const isHidden = (c) => c === '<10' || c === 'x';
// A cell the reader must solve for: hidden, or not given at all (null).
const isUnknown = (c) => isHidden(c) || c === null;

// The equations a reader writes down from one table, as rows of
// [cells[], constant]: the cells must sum to the constant.
function equations(t) {
	const grid = t.rows.map((r) => r.cells);
	const eqs = [];
	const cell = (i, j) => ({ i, j, v: grid[i][j] });
	if (t.totals === 'columns' || t.totals === 'both') {
		const last = grid.length - 1;	// the total row
		for (let j = 0; j < t.columns.length; j++)
			eqs.push({ plus: [cell(last, j)], minus: grid.slice(0, last)
			    .map((_, i) => cell(i, j)) });
	}
	if (t.totals === 'rows' || t.totals === 'both') {
		for (let i = 0; i < grid.length; i++)
			eqs.push({ plus: [cell(i, 0)], minus: grid[i].slice(1)
			    .map((_, j) => cell(i, j + 1)) });
	}
	return eqs;
}

// glpsol's bound for cell (ci, cj) of table t: null when unbounded.
function lpBound(t, ci, cj, dir, sense) {
	const name = (i, j) => `c_${i}_${j}`;
	const lines = [sense === 'max' ? 'Maximize' : 'Minimize',
	    ` obj: ${name(ci, cj)}`, 'Subject To'];
	for (const [k, e] of equations(t).entries()) {
		let rhs = 0;
		const terms = [];
		for (const [sign, cells] of [[1, e.plus], [-1, e.minus]])
			for (const c of cells) {
				if (isUnknown(c.v))
					terms.push(`${sign > 0 ? '+' : '-'} ${name(c.i, c.j)}`);
				else
					rhs -= sign * c.v;
			}
		lines.push(` e${k}: ${terms.length ? terms.join(' ') :
		    `0 ${name(ci, cj)}`} = ${rhs}`);
	}
	lines.push('Bounds');
	t.rows.forEach((r, i) => r.cells.forEach((v, j) => {
		if (v === '<10')
			lines.push(` 1 <= ${name(i, j)} <= 9`);
		else if (v === 'x')
			lines.push(` ${name(i, j)} >= 10`);
		else if (v === null)
			lines.push(` ${name(i, j)} >= 0`);
	}));
	lines.push('End');
	const lp = join(dir, 'attack.lp');
	writeFileSync(lp, lines.join('\n') + '\n');
	const r = spawnSync('glpsol', ['--lp', lp, '-o', '/dev/stdout'],
	    { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	if (/UNBOUNDED/.test(r.stdout))
		return null;
	const m = /Objective:\s+obj = (-?[\d.e+]+)/.exec(r.stdout);
	assert.ok(m, r.stdout);
	return Math.round(Number(m[1]));
}

let dir;

test('a reader solving every published table with glpsol narrows no ' +
    'small count below 1 to 9 and pins no hidden count', () => {
	dir = mkdtempSync(join(tmpdir(), 'attack-'));
	let small = 0, protective = 0, solved = 0;
	for (const seed of [1, 2, 3, 4, 5, 6]) {
		const files = build(figures(seed));
		const doc = JSON.parse(readFileSync(join(files, 'report.json')));
		for (const t of doc.tables) {
			if (t.withheld)
				continue;
			t.rows.forEach((r, i) => r.cells.forEach((v, j) => {
				if (!isHidden(v))
					return;
				small += v === '<10';
				protective += v === 'x';
				if (t.totals === 'none')
					return;
				const lo = lpBound(t, i, j, dir, 'min');
				const hi = lpBound(t, i, j, dir, 'max');
				solved++;
				const where = `${t.id} ${r.code}/${t.columns[j].code}`;
				if (v === '<10') {
					assert.equal(lo, 1, `${where}: low bound`);
					assert.ok(hi === null || hi >= 9, `${where}: ` +
					    `high bound ${hi}`);
				} else
					assert.ok(hi === null || hi > lo, `${where}: ` +
					    `pinned at ${lo}`);
			}));
		}
	}
	// The data planted many small counts, and protection was needed.
	assert.ok(small > 100, `only ${small} small counts`);
	assert.ok(protective > 10, `only ${protective} protective cells`);
	assert.ok(solved > 100, `only ${solved} cells solved for`);
});

test('report.json validates against the published schema', () => {
	const ajv = new Ajv2020({ allErrors: true, strict: true });
	const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA)));
	for (const seed of [7, 8]) {
		const doc = JSON.parse(readFileSync(join(build(figures(seed)),
		    'report.json')));
		assert.ok(validate(doc), JSON.stringify(validate.errors));
	}
	// The schema is not a formality: a negative count fails it.
	const doc = JSON.parse(readFileSync(join(build(figures(7)),
	    'report.json')));
	doc.summary.received = -1;
	assert.equal(validate(doc), false);
});

test('every file verifies with signify; a flipped byte does not', () => {
	const files = build(figures(9));
	const names = readdirSync(files).filter((f) => !f.endsWith('.sig'));
	assert.ok(names.includes('report.json'));
	assert.ok(names.includes('report.schema.json'));
	assert.ok(names.filter((f) => f.endsWith('.csv')).length >= 10);
	for (const name of names) {
		const verify = () => spawnSync('signify-openbsd', ['-V', '-q', '-p',
		    join(KEYS, 'report.pub'), '-m', join(files, name), '-x',
		    join(files, `${name}.sig`)]);
		assert.equal(verify().status, 0, `${name} did not verify`);
		const body = readFileSync(join(files, name));
		const flipped = Buffer.from(body);
		flipped[Math.floor(body.length / 2)] ^= 1;
		writeFileSync(join(files, name), flipped);
		assert.notEqual(verify().status, 0, `${name} flipped verified`);
		writeFileSync(join(files, name), body);
	}
});

test('recourse-verify checks a downloaded folder and names the file ' +
    'that fails', () => {
	const files = build(figures(12));
	const key = join(KEYS, 'report.pub');
	const ok = spawnSync(process.env.RECOURSE_VERIFY, [key, files],
	    { encoding: 'utf8' });
	assert.equal(ok.status, 0, ok.stdout);
	assert.match(ok.stdout, /OK report\.json\n/);
	assert.match(ok.stdout, /^OK: \d+ file\(s\) verified, 0 failed$/m);
	const csv = join(files, 'received_by_channel.csv');
	writeFileSync(csv, readFileSync(csv, 'utf8') + 'x,1\r\n');
	const bad = spawnSync(process.env.RECOURSE_VERIFY, [key, files],
	    { encoding: 'utf8' });
	assert.equal(bad.status, 1);
	assert.match(bad.stdout,
	    /FAILED received_by_channel\.csv: the signature does not match/);
	assert.match(bad.stdout, /OK report\.json/);
});

test('a correction hides again what its first version hid, and stays ' +
    'protected', () => {
	const fig = JSON.parse(readFileSync(new URL('figures.json', GOLDEN)));
	const model = (f) => {
		const dir = mkdtempSync(join(tmpdir(), 'model-'));
		writeFileSync(join(dir, 'f.json'), JSON.stringify(f));
		return JSON.parse(execFileSync(REPORTER, ['model',
		    join(dir, 'f.json')]));
	};
	const first = model(fig);
	const cell = (doc, id, code) => doc.tables.find((t) => t.id === id)
	    .rows.find((r) => r.code === code).cells[0];
	assert.equal(cell(first, 'received_by_channel', 'social_ad'), 70);
	// Say the first version had hidden it (as a different pattern would).
	const corrected = structuredClone(first);
	corrected.tables.find((t) => t.id === 'received_by_channel').rows
	    .find((r) => r.code === 'social_ad').cells[0] = 'x';
	const second = model({ ...fig, corrected });
	assert.equal(cell(second, 'received_by_channel', 'social_ad'), 'x');
	// Everything the first hid is hidden in the second.
	for (const t of first.tables)
		t.rows.forEach((r, i) => r.cells.forEach((c, j) => {
			if (c === '<10' || c === 'x')
				assert.ok(['<10', 'x'].includes(second.tables.find(
				    (u) => u.id === t.id).rows[i].cells[j]), `${t.id} ` +
				    `${r.code}/${j}`);
		}));
	// And the reader still narrows nothing in the changed table.
	const t = second.tables.find((x) => x.id === 'received_by_channel');
	dir = mkdtempSync(join(tmpdir(), 'attack-'));
	t.rows.forEach((r, i) => r.cells.forEach((v, j) => {
		if (v === '<10') {
			assert.equal(lpBound(t, i, j, dir, 'min'), 1);
			assert.ok((lpBound(t, i, j, dir, 'max') ?? 99) >= 9);
		}
	}));
});

test('the same figures give byte-identical files', () => {
	const a = build(figures(10)), b = build(figures(10));
	const names = readdirSync(a).sort();
	assert.deepEqual(readdirSync(b).sort(), names);
	for (const name of names)
		assert.ok(readFileSync(join(a, name)).equals(readFileSync(
		    join(b, name))), `${name} differs`);
});

test('CSV: RFC 4180 with a header row, quoted fields, formulas ' +
    'neutralised, the same marks as the JSON', () => {
	// The biggest brand's name would be a formula in a spreadsheet.
	const fig = figures(11);
	fig.received.brand[0].label = '=HYPERLINK("x")';
	const files = build(fig);
	const csv = readFileSync(join(files, 'received_by_brand.csv'), 'utf8');
	const lines = csv.split('\r\n');
	assert.equal(lines.at(-1), '', 'ends with CRLF');
	assert.ok(!/[^\r]\n/.test(csv), 'only CRLF line breaks');
	assert.equal(lines[0], 'Brand or campaign,Cases');
	assert.ok(!csv.includes(',=') && !csv.includes('\r\n=') &&
	    !csv.includes('"='), 'no cell starts a formula');
	assert.ok(csv.includes(`"'=HYPERLINK(""x"")"`), 'the formula ' +
	    'brand is there, neutralised and quoted');
	const doc = JSON.parse(readFileSync(join(files, 'report.json')));
	const t = doc.tables.find((x) => x.id === 'received_by_category');
	const rows = readFileSync(join(files, 'received_by_category.csv'),
	    'utf8').split('\r\n').slice(1, -1).map((l) => l.split(','));
	assert.deepEqual(rows.map((r) => r[1]), t.rows.map((r) =>
	    String(r.cells[0])));
});

test('a small fixed data set gives the checked-in files exactly', () => {
	const fig = JSON.parse(readFileSync(new URL('figures.json', GOLDEN)));
	const files = build(fig);
	const expected = new URL('expected/', GOLDEN);
	const names = readdirSync(expected).sort();
	assert.deepEqual(readdirSync(files).filter((f) => !f.endsWith('.sig') &&
	    f !== 'report.schema.json' && f !== 'report.html').sort(), names);
	for (const name of names)
		assert.equal(readFileSync(join(files, name), 'utf8'),
		    readFileSync(new URL(name, expected), 'utf8'), name);

	// The page: read for its structure, not its bytes.
	const doc = JSON.parse(readFileSync(join(files, 'report.json')));
	const html = readFileSync(join(files, 'report.html'), 'utf8');
	const page = parseHtml(html);
	assert.match(page.querySelector('h1').text, /July to September 2026/);
	assert.deepEqual(page.querySelectorAll('h2').map((h) => h.text),
	    ['In short', ...doc.tables.map((t) => t.title),
	    'In their own words', 'How these figures were made',
	    'Open data and signatures']);
	// Each account in its own quotation, a paragraph a line, escaped,
	// with its concern and outcome in words.
	const accounts = page.querySelectorAll('figure.account');
	assert.equal(accounts.length, doc.narratives.length);
	assert.deepEqual(accounts[0].querySelectorAll('blockquote p')
	    .map((x) => x.text), ['The app kept showing me adverts for baby ' +
	    'things.', 'I had told no one yet.', 'They stopped once you ' +
	    'asked them to.']);
	assert.match(accounts[0].querySelector('figcaption').text,
	    /Concern: .+\. Outcome: Upheld\./);
	assert.match(accounts[1].querySelector('figcaption').text,
	    /Outcome: not decided by the snapshot\./);
	assert.ok(html.includes('price &lt;and&gt; I want'));
	const shown = doc.tables.filter((t) => !t.withheld);
	assert.deepEqual(page.querySelectorAll('caption').map((c) => c.text),
	    shown.map((t) => t.title));
	for (const t of shown) {
		const table = page.querySelector(`#${t.id}-cap`).parentNode;
		assert.equal(table.querySelectorAll('tbody tr').length,
		    t.rows.length, t.id);
	}
	// It stands alone: no script, nothing fetched from elsewhere; it lists
	// every other file with its hash, and not itself.
	assert.ok(!/<script|\ssrc=|<link|href="https?:|url\(|@import/i
	    .test(html), 'nothing to fetch, nothing to run');
	const listed = page.querySelectorAll('ul.files a:not([href$=".sig"])')
	    .map((a) => a.getAttribute('href')).sort();
	assert.deepEqual(listed, readdirSync(files).filter((f) =>
	    !f.endsWith('.sig') && f !== 'report.html').sort());
	for (const li of page.querySelectorAll('ul.files li')) {
		const name = li.querySelector('a').getAttribute('href');
		assert.equal(li.querySelector('code.hash').text, createHash(
		    'sha256').update(readFileSync(join(files, name)))
		    .digest('hex'), name);
	}
});
