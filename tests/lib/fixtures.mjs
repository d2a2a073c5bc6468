// Database-level fixtures for the tests: staff accounts, cases filed through intake_complaint, brand bars and queue membership, made directly in SQL.
import crypto from 'node:crypto';
import { query } from './db.mjs';

// A well-formed Argon2id string that no password verifies against (its
// "hash" is the eight bytes of "fakehash"), and a one-byte TOTP "box" that
// no key opens.  An account carrying them counts as set up, so it can see
// and work cases in SQL, but it can never log in: logins are tested through
// HTTP elsewhere, with accounts set up through the real one-time link.
export const FAKE_PASSWORD_HASH =
    '$argon2id$v=19$m=65536,t=2,p=1$ZmFrZXNhbHQ$ZmFrZWhhc2g';
export const FAKE_TOTP_BOX = Buffer.from([0]);

export function randomBytes(n) {
	return crypto.randomBytes(n);
}

// The optional first argument of the fixtures is a connected pg client, so
// that a test can make everything on one connection; without it each
// statement uses a connection of its own.
function split(args) {
	if (args.length > 0 && args[0] && typeof args[0].query === 'function')
		return [args[0], args.slice(1)];
	return [null, args];
}

function run(client, sql, params) {
	return client ? client.query(sql, params) : query(sql, params);
}

// Creates a staff account the way an admin does (staff_create, with a
// random set-up token hash), then marks it as set up (see above) unless
// setUp is false, which leaves password_hash NULL as for a link not yet
// used.  Returns { id, login }.
export async function makeStaff(...args) {
	const [client, [opts = {}]] = split(args);
	const {
		login = 'r' + crypto.randomBytes(8).toString('hex'),
		roles = ['reviewer'],
		queues = ['general'],
		name = 'Test ' + login,
		setUp = true,
	} = opts;
	const r = await run(client, 'SELECT staff_create($1, $2, $3, ' +
	    '$4::staff_role[], $5::text[], $6) AS id',
	    ['cli', login, name, roles, queues, crypto.randomBytes(32)]);
	const id = r.rows[0].id;
	if (id === null)
		throw new Error(`makeStaff: login ${login} is taken`);
	if (setUp) {
		await run(client, 'UPDATE staff_accounts SET password_hash = $2, ' +
		    'totp_box = $3 WHERE id = $1',
		    [id, FAKE_PASSWORD_HASH, FAKE_TOTP_BOX]);
	}
	return { id: Number(id), login };
}

// Files a complaint through intake_complaint with random secrets of the
// lengths the cases table requires, optionally overriding the routed
// priority.  Returns { id, reference, receiptHash } (the receipt hash as a
// Buffer, for complainant_reply and complainant_appeal).
export async function makeCase(...args) {
	const [client, [opts = {}]] = split(args);
	const {
		category = 'privacy.consent',
		channel = 'email',
		vulnerable = false,
		brand = null,
		priority,
	} = opts;
	const b = (n) => crypto.randomBytes(n);
	const receiptHash = b(32);
	const r = await run(client, 'SELECT * FROM intake_complaint($1, $2, ' +
	    '$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)',
	    [b(32), b(32), null, category, channel, null, brand, vulnerable,
	        false, false, false, receiptHash, b(32), b(16), b(80), b(64),
	        null]);
	const { outcome, reference } = r.rows[0];
	if (outcome !== 'created')
		throw new Error(`makeCase: intake_complaint said ${outcome}`);
	const row = await run(client, 'SELECT id FROM cases WHERE reference = $1',
	    [reference]);
	const id = Number(row.rows[0].id);
	if (priority !== undefined) {
		await run(client, 'UPDATE cases SET priority = $2 WHERE id = $1',
		    [id, priority]);
	}
	return { id, reference, receiptHash };
}

// Bars an account from cases naming a brand (stored the way the brand_bars
// CHECK wants it: trimmed and lower-cased).
export async function barBrand(...args) {
	const [client, [accountId, brand]] = split(args);
	await run(client, 'INSERT INTO brand_bars (account_id, brand_key) ' +
	    'VALUES ($1, lower(btrim($2)))', [accountId, brand]);
}

export async function addToQueue(...args) {
	const [client, [accountId, queue]] = split(args);
	await run(client, 'INSERT INTO queue_members (account_id, queue) ' +
	    'VALUES ($1, $2) ON CONFLICT DO NOTHING', [accountId, queue]);
}
