// The back office's authorisation matrix: for every case-scoped route and method, a reviewer outside the case's queue, a reviewer or supervisor barred from its brand, an anonymous client and a session without its CSRF token are refused, and nothing changes in the database; hidden cases answer exactly like missing ones, and the work list never shows them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import pg from 'pg';
import { dbConfig, SCHEDULER_COLUMNS } from '../lib/db.mjs';
import { fileComplaint, marker } from '../lib/client.mjs';
import { staffUser, act, forgeAct, reviewRequest, form }
    from '../lib/staff.mjs';
import { barBrand } from '../lib/fixtures.mjs';
import { parseHtml } from '../lib/html.mjs';

// A reference of the right shape that no case has.
const MISSING = 'RC-2099-999999';

// Every action the case page offers, with fields that pass the form checks
// (so that a refusal can only come from who is asking).  'actor' is the
// member of staff posting; 'k' the shared set-up.
const VERBS = [
	['take', () => ({})],
	['assign', (actor) => ({ to: actor.id })],
	['assign', (actor, k) => ({ to: k.insider.id }), 'assign to the insider'],
	['release', () => ({})],
	['triage', () => ({ category: 'privacy.consent', priority: 4,
	    queue: 'general' })],
	['investigate', () => ({})],
	['note', () => ({ text: `A note. ${marker('N')}` })],
	['message', () => ({ text: `A message. ${marker('S')}` })],
	['request_info', () => ({ text: `Tell us more. ${marker('R')}` })],
	['link_duplicate', (actor, k) => ({ original: k.other.reference })],
	['reject', () => ({ text: `Out of scope. ${marker('J')}` })],
	['decide', () => ({ outcome: 'upheld', remedies: ['apology'],
	    automated: 'no', text: `The reasons. ${marker('X')}` })],
	['sign', () => ({})],
	['close', () => ({})],
].map(([verb, fields, label]) => ({ verb, fields, label: label ?? verb }));

// Verbs whose form has required fields: posted empty they take the
// "show the case again with the problem" path, which must not show it.
const CHECKED = new Set(['assign', 'triage', 'note', 'message', 'request_info',
    'link_duplicate', 'reject', 'decide']);

const k = {};		// the shared set-up
let db;			// one connection for every snapshot

const pagePath = (ref) => `/review/cases/${ref}`;
const actionPath = (ref, verb) => `/review/cases/${ref}/${verb}`;

function mainText(res) {
	const m = parseHtml(res.text).querySelector('main');
	return m ? m.text.replace(/\s+/g, ' ').trim() : null;
}

function short(res) {
	return `${res.status} ${(mainText(res) ?? res.text).slice(0, 160)}`;
}

function flipHex(s, at = 10) {
	const ch = s[at] === '0' ? '1' : '0';
	return s.slice(0, at) + ch + s.slice(at + 1);
}

// What a refused request must leave alone: the rows of every case here as
// a whole, what hangs off the case, the same counts over all cases, every
// action the audit log records for any case, and every audit event naming
// the case or the spare one (a refused read must not be logged as a read
// either; the other case is shown to the barred reviewer, so its reads
// count as reads).  The refusal itself is recorded ('refused.*', see
// refusals.test.mjs), behind the answer: left out here.
async function snapshot() {
	const r = await db.query(`
	    SELECT to_jsonb(c) - $5::text[] AS "case",
	      (SELECT jsonb_object_agg(o.reference, to_jsonb(o) - $5::text[])
	          FROM cases o
	          WHERE o.reference = ANY ($2)) AS "others",
	      (SELECT count(*) FROM audit_events a
	          WHERE a.object = 'case:' || $3
	            AND a.action NOT LIKE 'refused.%')::int AS spare_audit,
	      (SELECT count(*) FROM audit_events a
	          WHERE a.object = 'case:' || $4 AND a.action <> 'case.read'
	            AND a.action NOT LIKE 'refused.%')::int AS other_actions,
	      (SELECT count(*) FROM case_events e WHERE e.case_id = c.id)::int
	          AS events,
	      (SELECT count(*) FROM case_messages m WHERE m.case_id = c.id)::int
	          AS messages,
	      (SELECT count(*) FROM case_decisions d WHERE d.case_id = c.id)::int
	          AS decisions,
	      (SELECT count(*) FROM case_appeals p WHERE p.case_id = c.id)::int
	          AS appeals,
	      (SELECT count(*) FROM cases)::int AS all_cases,
	      (SELECT count(*) FROM case_events)::int AS all_events,
	      (SELECT count(*) FROM case_messages)::int AS all_messages,
	      (SELECT count(*) FROM case_decisions)::int AS all_decisions,
	      (SELECT count(*) FROM case_appeals)::int AS all_appeals,
	      (SELECT count(*) FROM audit_events a WHERE a.action LIKE 'case.%'
	          AND a.action <> 'case.read')::int AS case_actions,
	      (SELECT count(*) FROM audit_events a
	          WHERE a.object = 'case:' || c.reference
	            AND a.action NOT LIKE 'refused.%')::int AS case_audit
	    FROM cases c WHERE c.reference = $1`,
	    [k.target.reference, [k.other.reference, k.spare.reference],
	        k.spare.reference, k.other.reference, SCHEDULER_COLUMNS]);
	assert.equal(r.rows.length, 1, 'snapshot: the case is gone');
	return r.rows[0];
}

// Runs one request and asserts that the database is as it was.
async function unchanged(label, fn) {
	const before = await snapshot();
	const res = await fn();
	const after = await snapshot();
	assert.deepEqual(after, before, `${label}: the database changed ` +
	    `(answer ${short(res)})`);
	return res;
}

function post(path, { cookie, fields = {}, headers } = {}) {
	return reviewRequest(path, { method: 'POST', cookie, headers,
	    body: form(fields) });
}

// What an actor who cannot see the case gets: exactly what they get for a
// reference that does not exist, for the page and for every action.
async function hiddenMatrix(t, who, actor) {
	await t.test(`${who}: GET the case page`, async () => {
		const res = await unchanged(`${who} GET`, () =>
		    reviewRequest(pagePath(k.target.reference),
		    { cookie: actor.cookie }));
		const none = await reviewRequest(pagePath(MISSING),
		    { cookie: actor.cookie });
		assert.equal(none.status, 404, `missing case: ${short(none)}`);
		assert.equal(res.status, 404, `${who} GET: ${short(res)}`);
		assert.equal(mainText(res), mainText(none),
		    `${who} GET: the page differs from a missing case's`);
		assert.ok(!res.text.includes(k.target.reference),
		    `${who} GET: the page names the case`);
		assert.equal(res.text, none.text, `${who} GET: body differs`);
		assert.equal(res.headers.get('content-type'),
		    none.headers.get('content-type'));
	});
	for (const v of VERBS) {
		await t.test(`${who}: POST ${v.label}`, async () => {
			const fields = v.fields(actor, k);
			const res = await unchanged(`${who} ${v.label}`, () =>
			    forgeAct(actor, k.target.reference, v.verb, fields));
			const none = await unchanged(`${who} ${v.label} (missing)`,
			    () => forgeAct(actor, MISSING, v.verb, fields));
			assert.equal(none.status, 404,
			    `${v.label} on a missing case: ${short(none)}`);
			assert.equal(res.status, 404, `${who} ${v.label}: ` +
			    short(res));
			assert.equal(mainText(res), mainText(none),
			    `${who} ${v.label}: differs from a missing case`);
			assert.equal(res.text, none.text,
			    `${who} ${v.label}: body differs from a missing case`);
			assert.equal(res.headers.get('location'), null);
		});
	}
	// A case of the brand nobody has taken: the assignee check cannot
	// stand in for the visibility check here ('take' would succeed).
	await t.test(`${who}: POST every action on an unassigned case`,
	    async () => {
		for (const v of VERBS) {
			const fields = v.fields(actor, k);
			const res = await unchanged(`${who} ${v.label} unassigned`,
			    () => forgeAct(actor, k.spare.reference, v.verb, fields));
			const none = await forgeAct(actor, MISSING, v.verb, fields);
			assert.equal(res.status, 404,
			    `${who} ${v.label} unassigned: ${short(res)}`);
			assert.equal(res.text, none.text,
			    `${who} ${v.label} unassigned: differs from missing`);
		}
		const res = await unchanged(`${who} GET unassigned`, () =>
		    reviewRequest(pagePath(k.spare.reference),
		    { cookie: actor.cookie }));
		assert.equal(res.status, 404, `${who} GET unassigned: ` +
		    short(res));
	});
	await t.test(`${who}: POST each checked form empty`, async () => {
		for (const verb of CHECKED) {
			const res = await unchanged(`${who} empty ${verb}`, () =>
			    forgeAct(actor, k.target.reference, verb, {}));
			const none = await forgeAct(actor, MISSING, verb, {});
			assert.equal(none.status, 404,
			    `empty ${verb} on a missing case: ${short(none)}`);
			assert.equal(res.status, 404,
			    `${who} empty ${verb}: ${short(res)}`);
			assert.equal(res.text, none.text,
			    `${who} empty ${verb}: differs from a missing case`);
		}
	});
}

before(async () => {
	db = new pg.Client(dbConfig());
	await db.connect();

	// The brand as the complainant typed it; the bars below are written
	// in other cases and spacing, as brand_bars stores lower(btrim()).
	k.brand = `Authz Brand ${crypto.randomBytes(4).toString('hex')}`;
	k.otherBrand = `Other Brand ${crypto.randomBytes(4).toString('hex')}`;
	const [target, other, spare, insider, outsider, barred, supervisor] =
	    await Promise.all([
		fileComplaint({ brand: k.brand }),
		fileComplaint({ brand: k.otherBrand }),
		fileComplaint({ brand: k.brand }),
		staffUser({ name: 'Insider', queues: ['general'] }),
		staffUser({ name: 'Outsider', queues: ['security'] }),
		staffUser({ name: 'Barred', queues: ['general'] }),
		staffUser({ name: 'Barred Supervisor', roles: ['supervisor'],
		    queues: [] }),
	]);
	for (const [n, c] of [['target', target], ['other', other],
	    ['spare', spare]]) {
		assert.equal(c.res.status, 201, `${n} complaint: ${c.res.status}`);
		assert.ok(c.reference, `${n} complaint has no reference`);
	}
	Object.assign(k, { target, other, spare, insider, outsider, barred,
	    supervisor });
	// (Filed side by side: either may have the lower id.)
	const q = await db.query('SELECT reference, queue, brand, state, ' +
	    'assignee FROM cases WHERE reference = ANY ($1)',
	    [[target.reference, other.reference, spare.reference]]);
	const by = Object.fromEntries(q.rows.map((r) => [r.reference,
	    [r.queue, r.brand, r.state, r.assignee]]));
	assert.deepEqual([by[target.reference], by[other.reference],
	    by[spare.reference]],
	    [['general', k.brand, 'received', null],
	        ['general', k.otherBrand, 'received', null],
	        ['general', k.brand, 'received', null]],
	    'the complaints should be routed to general, unassigned');

	await barBrand(barred.id, `  ${k.brand.toUpperCase()}  `);
	await barBrand(supervisor.id, k.brand);

	// The insider works the case, so every verb meets a realistic state.
	const take = await act(insider, target.reference, 'take');
	assert.equal(take.status, 303, `insider take: ${short(take)}`);
	const row = await db.query('SELECT assignee FROM cases ' +
	    'WHERE reference = $1', [target.reference]);
	assert.equal(Number(row.rows[0].assignee), insider.id);
});

after(async () => {
	await db?.end();
});

test('control: the insider\'s note changes the case, the outsider\'s ' +
    'identical one does not', async () => {
	const fields = { text: `Control note. ${marker('C')}` };
	const refused = await unchanged('outsider note', () =>
	    forgeAct(k.outsider, k.target.reference, 'note', fields));
	assert.equal(refused.status, 404, short(refused));

	const before = await snapshot();
	const res = await act(k.insider, k.target.reference, 'note', fields);
	const after = await snapshot();
	assert.equal(res.status, 303, short(res));
	assert.equal(res.headers.get('location'), pagePath(k.target.reference));
	assert.notDeepEqual(after, before, 'the note changed nothing');
	assert.equal(after.messages, before.messages + 1);
	assert.equal(after.events, before.events + 1);
	assert.equal(after.case_actions, before.case_actions + 1);

	// An authorised read is audited (so a refused read that wrote
	// nothing is a real refusal, not a read that is never logged).
	const before2 = await snapshot();
	const page = await reviewRequest(pagePath(k.target.reference),
	    { cookie: k.insider.cookie });
	const after2 = await snapshot();
	assert.equal(page.status, 200, short(page));
	assert.ok(mainText(page).includes(k.target.reference));
	assert.equal(after2.case_audit, before2.case_audit + 1,
	    'the insider\'s read was not audited');
	assert.equal(after2.case_actions, before2.case_actions);
});

test('a reviewer outside the case\'s queue is answered as if the case ' +
    'did not exist', async (t) => {
	await hiddenMatrix(t, 'outsider', k.outsider);
});

test('a reviewer in the queue but barred from the brand is answered as if ' +
    'the case did not exist', async (t) => {
	await hiddenMatrix(t, 'barred reviewer', k.barred);
});

test('a supervisor barred from the brand is answered as if the case did ' +
    'not exist', async (t) => {
	await hiddenMatrix(t, 'barred supervisor', k.supervisor);
});

test('an anonymous client is sent to log in or refused with 401',
    async (t) => {
	const ref = k.target.reference;
	// No cookie; a well-formed session token nobody holds; the insider's
	// real session token offered as a bearer token instead of a cookie
	// (the back-office pages take sessions from the cookie only).
	const clients = [
		['no cookie', {}],
		['unknown session', { cookie: '__Host-rc_staff=' +
		    crypto.randomBytes(32).toString('hex') }],
		['session token as bearer', { headers: { authorization:
		    'Bearer ' + k.insider.cookie.split('=')[1] } }],
	];
	for (const [label, c] of clients) {
		await t.test(`${label}: GET the case page`, async () => {
			const res = await unchanged(`${label} GET`, () =>
			    reviewRequest(pagePath(ref), c));
			assert.equal(res.status, 303, `${label} GET: ${short(res)}`);
			assert.equal(res.headers.get('location'), '/review/login');
			assert.ok(!res.text.includes(ref));
		});
		await t.test(`${label}: POST every action`, async () => {
			for (const v of VERBS) {
				const res = await unchanged(`${label} ${v.label}`,
				    () => post(actionPath(ref, v.verb), { ...c,
				    fields: { ...v.fields(k.insider, k),
				    csrf: k.insider.csrf } }));
				assert.equal(res.status, 401,
				    `${label} ${v.label}: ${short(res)}`);
				assert.equal(res.headers.get('location'), null);
				assert.ok(!res.text.includes(ref));
			}
		});
	}
	await t.test('no cookie: GET the work list', async () => {
		const res = await reviewRequest('/review');
		assert.equal(res.status, 303, short(res));
		assert.equal(res.headers.get('location'), '/review/login');
	});
});

test('the insider\'s session without its own CSRF token is refused with ' +
    '403', async (t) => {
	const ref = k.target.reference;
	const ins = k.insider;
	const bearer = { authorization: 'Bearer ' + ins.cookie.split('=')[1] };
	// [label, cookie, csrf field (undefined: left out), extra]
	const variants = [
		['no csrf field', ins.cookie, undefined],
		['empty csrf field', ins.cookie, ''],
		['one hex digit changed', ins.cookie, flipHex(ins.csrf)],
		['upper-case token', ins.cookie, ins.csrf.toUpperCase()],
		['token cut short', ins.cookie, ins.csrf.slice(0, 63)],
		['token with a digit added', ins.cookie, ins.csrf + '0'],
		['the outsider session\'s token', ins.cookie, k.outsider.csrf],
		['the barred session\'s token', ins.cookie, k.barred.csrf],
		['token in the query string only', ins.cookie, undefined,
		    { query: `?csrf=${ins.csrf}` }],
		['token in a header only', ins.cookie, undefined,
		    { headers: { 'x-csrf-token': ins.csrf } }],
		['with a bearer header too', ins.cookie, undefined,
		    { headers: bearer }],
		['outsider\'s cookie with the insider\'s token',
		    k.outsider.cookie, ins.csrf],
	];
	assert.notEqual(ins.csrf.toUpperCase(), ins.csrf,
	    'the token has letters to change case');
	for (const [label, cookie, csrf, extra = {}] of variants) {
		await t.test(label, async () => {
			for (const v of VERBS) {
				const fields = { ...v.fields(ins, k) };
				if (csrf !== undefined)
					fields.csrf = csrf;
				const res = await unchanged(`${label} ${v.label}`,
				    () => post(actionPath(ref, v.verb) +
				    (extra.query ?? ''), { cookie, fields,
				    headers: extra.headers }));
				assert.equal(res.status, 403,
				    `${label} ${v.label}: ${short(res)}`);
				assert.match(res.text, /Nothing was changed/,
				    `${label} ${v.label}`);
				assert.equal(res.headers.get('location'), null);
			}
		});
	}
});

test('wrong methods are refused with 405 for every actor, changing nothing',
    async (t) => {
	const ref = k.target.reference;
	const actors = [
		['insider', k.insider],
		['outsider', k.outsider],
		['barred reviewer', k.barred],
		['barred supervisor', k.supervisor],
		['anonymous', { cookie: undefined, csrf: undefined }],
	];
	for (const [who, a] of actors) {
		await t.test(who, async () => {
			// POST (or PUT, PATCH, DELETE) to the page, a valid token
			// and fields included.  (No body with DELETE: Kore
			// answers it without reading one, and a client still
			// sending it may see the connection reset.)
			for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
				const body = method === 'DELETE' ? undefined :
				    form({ csrf: a.csrf, text: 'x', to: a.id });
				const res = await unchanged(`${who} ${method} page`,
				    () => reviewRequest(pagePath(ref), { method,
				    cookie: a.cookie, body }));
				assert.equal(res.status, 405,
				    `${who} ${method} ${pagePath(ref)}: ${short(res)}`);
				const allow = res.headers.get('allow') ?? '';
				assert.match(allow, /GET/, `${who} ${method} page`);
				// (Methods other than GET and POST are refused
				// before the handler knows page from action, so
				// their Allow lists both.)
				if (method === 'POST')
					assert.doesNotMatch(allow, /POST/,
					    `${who} ${method} page: Allow: ${allow}`);
			}
			for (const v of VERBS) {
				for (const method of ['GET', 'PUT', 'DELETE']) {
					const opts = { method, cookie: a.cookie };
					if (method === 'PUT')
						opts.body = form({ ...v.fields(a, k),
						    csrf: a.csrf });
					const path = actionPath(ref, v.verb);
					const res = await unchanged(
					    `${who} ${method} ${v.label}`,
					    () => reviewRequest(path, opts));
					assert.equal(res.status, 405,
					    `${who} ${method} ${path}: ${short(res)}`);
					const allow = res.headers.get('allow') ?? '';
					assert.match(allow, /POST/,
					    `${who} ${method} ${path}`);
					if (method === 'GET')
						assert.doesNotMatch(allow, /GET/,
						    `${who} GET ${path}: Allow: ${allow}`);
					assert.ok(!res.text.includes(k.brand));
				}
			}
		});
	}
});

test('the work list shows the case to the insider only', async (t) => {
	const ref = k.target.reference;
	const brandQ = `?brand=${encodeURIComponent(k.brand)}`;
	const rows = (res) => parseHtml(res.text)
	    .querySelectorAll('table.worklist tbody tr')
	    .map((tr) => tr.querySelector('th a')?.text);
	// Every row of every page, following the pages' own next links (the
	// other tests' cases may fill the first page).
	const allRows = async (query, cookie) => {
		const out = [];
		for (let path = '/review' + query, n = 0; path && n < 200; n++) {
			const res = await reviewRequest(path, { cookie });
			assert.equal(res.status, 200, short(res));
			out.push(...rows(res));
			const next = parseHtml(res.text)
			    .querySelector('.pager a');
			path = next ? next.getAttribute('href') : null;
		}
		return out;
	};

	await t.test('insider: listed, and the brand filter finds it',
	    async () => {
		assert.ok((await allRows('', k.insider.cookie)).includes(ref),
		    'insider: case not listed');
		const f = await reviewRequest('/review' + brandQ,
		    { cookie: k.insider.cookie });
		assert.equal(f.status, 200, short(f));
		assert.deepEqual(rows(f).sort(),
		    [ref, k.spare.reference].sort());
	});
	const hidden = [
		['outsider', k.outsider],
		['barred reviewer', k.barred],
		['barred supervisor', k.supervisor],
	];
	for (const [who, a] of hidden) {
		await t.test(`${who}: not listed, not even by brand`, async () => {
			for (const q of ['', brandQ,
			    `?brand=${encodeURIComponent(`  ${k.brand.toLowerCase()} `)}`,
			    '?queue=general', '?assignee=' + k.insider.id,
			    '?state=received']) {
				const res = await unchanged(`${who} /review${q}`,
				    () => reviewRequest('/review' + q,
				    { cookie: a.cookie }));
				assert.equal(res.status, 200,
				    `${who} /review${q}: ${short(res)}`);
				const listed = await allRows(q, a.cookie);
				for (const r of [ref, k.spare.reference]) {
					assert.ok(!res.text.includes(r),
					    `${who} /review${q} shows ${r}`);
					assert.ok(!listed.includes(r),
					    `${who} /review${q} lists ${r}`);
				}
				// Only the hidden case names this brand.
				if (q.startsWith('?brand')) {
					assert.deepEqual(rows(res), [],
					    `${who} /review${q} lists rows`);
					assert.match(mainText(res), /No cases match/);
				}
			}
		});
	}
	// The barred people still see the rest of their queue: the bar
	// hides this brand only.
	await t.test('the barred reviewer still sees the other case',
	    async () => {
		const listed = await allRows('', k.barred.cookie);
		assert.ok(listed.includes(k.other.reference));
		assert.ok(!listed.includes(ref));
	});
});

test('a barred reviewer cannot point another case at the barred one',
    async () => {
	// The barred reviewer works the other case; linking it to the barred
	// case must fail exactly like linking it to a missing one.
	const take = await act(k.barred, k.other.reference, 'take');
	assert.equal(take.status, 303, short(take));
	const res = await unchanged('link to barred', () =>
	    act(k.barred, k.other.reference, 'link_duplicate',
	    { original: k.target.reference }));
	const none = await unchanged('link to missing', () =>
	    act(k.barred, k.other.reference, 'link_duplicate',
	    { original: MISSING }));
	assert.equal(none.status, 422, short(none));
	assert.equal(res.status, 422, short(res));
	assert.equal(mainText(res), mainText(none));
	const row = await db.query('SELECT duplicate_of FROM cases ' +
	    'WHERE reference = $1', [k.other.reference]);
	assert.equal(row.rows[0].duplicate_of, null);
});
