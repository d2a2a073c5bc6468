// Opens a stored case with the review key, as the back office would, to check what intake encrypted.
import fs from 'node:fs';
import path from 'node:path';
import sodiumModule from 'libsodium-wrappers';

const AD_DESCRIPTION = 'recourse:case:description:v1';
const AD_CONTACT = 'recourse:case:contact:v1';
const AD_WHY_SHOWN = 'recourse:case:why-shown:v1';
const AD_DEMOGRAPHICS = 'recourse:case:demographics:v1';

export async function sodium() {
	await sodiumModule.ready;
	return sodiumModule;
}

function key(name) {
	return new Uint8Array(fs.readFileSync(path.join(process.env.RECOURSE_KEYS,
	    name)));
}

// The additional data is the field's label followed by the case's salt.
function aeadOpen(s, dk, box, label, salt) {
	const np = s.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	const b = new Uint8Array(box);
	const ad = Buffer.concat([Buffer.from(label), Buffer.from(salt)]);
	return Buffer.from(s.crypto_aead_xchacha20poly1305_ietf_decrypt(null,
	    b.subarray(np), new Uint8Array(ad), b.subarray(0, np), dk));
}

// A row of 'cases' opened: the description's bytes, the contact JSON, the
// platform's explanation (text) and the demographic answers (JSON), each
// null when the row has none (or the row was read without the column).
export async function openCase(row) {
	const s = await sodium();
	const dk = s.crypto_box_seal_open(new Uint8Array(row.data_key_sealed),
	    key('review.pub'), key('review.sec'));
	const description = aeadOpen(s, dk, row.description_box, AD_DESCRIPTION,
	    row.complainant_salt);
	const contact = row.contact_box === null ? null :
	    JSON.parse(aeadOpen(s, dk, row.contact_box, AD_CONTACT,
	    row.complainant_salt).toString('utf8'));
	const whyShown = row.why_shown_box == null ? null :
	    aeadOpen(s, dk, row.why_shown_box, AD_WHY_SHOWN,
	    row.complainant_salt).toString('utf8');
	const demographics = row.demographics_box == null ? null :
	    JSON.parse(aeadOpen(s, dk, row.demographics_box, AD_DEMOGRAPHICS,
	    row.complainant_salt).toString('utf8'));
	return { description, contact, whyShown, demographics };
}

// The keyed hash the server stores for a receipt code (normalised: upper
// case, no hyphens), from the master key as the server derives it.
export async function receiptHash(code) {
	const s = await sodium();
	const rk = s.crypto_kdf_derive_from_key(32, 1, 'recourse',
	    key('master.key'));
	const norm = code.replace(/[-\s]/g, '').toUpperCase();
	return Buffer.from(s.crypto_generichash(32, new TextEncoder()
	    .encode(norm), rk));
}

// A form token as the server makes it (time, nonce, keyed MAC, in hex),
// issued at 'when' (Unix seconds); alienKey: under a key of no server.
export async function formToken(when, { alienKey = false } = {}) {
	const s = await sodium();
	const master = alienKey ? s.crypto_kdf_keygen() : key('master.key');
	const ck = s.crypto_kdf_derive_from_key(32, 3, 'recourse', master);
	const signed = (when >>> 0).toString(16).padStart(8, '0') +
	    Buffer.from(s.randombytes_buf(12)).toString('hex');
	const mac = s.crypto_generichash(16, new TextEncoder().encode(
	    'recourse:form:v1:' + signed), ck);
	return signed + Buffer.from(mac).toString('hex');
}

// The complainant's copy of what they sent, opened with their receipt
// code alone (as /track does): { description, contact }.
export async function openCopy(row, code) {
	const s = await sodium();
	const norm = code.replace(/[-\s]/g, '').toUpperCase();
	const k = s.crypto_generichash(32, new Uint8Array(Buffer.concat([
	    Buffer.from('recourse:complainant-copy:v1'),
	    Buffer.from(row.complainant_salt)])), new TextEncoder().encode(norm));
	return JSON.parse(aeadOpen(s, k, row.complainant_copy_box,
	    'recourse:case:complainant-copy:v1', row.complainant_salt)
	    .toString('utf8'));
}

// A file's bytes (sql/0023, 0024): 'sealed' is the key that opens it (a
// reply's file's own, or the case's data key) sealed to the review key;
// the additional data is the label, the case's salt and the file's number
// (four bytes, big-endian).  Returns the key too, to compare files' keys.
export async function openEvidence(sealed, salt, n, box) {
	const s = await sodium();
	const k = s.crypto_box_seal_open(new Uint8Array(sealed),
	    key('review.pub'), key('review.sec'));
	const num = Buffer.alloc(4);
	num.writeUInt32BE(n);
	const ad = Buffer.concat([Buffer.from('recourse:case:evidence:v1'),
	    Buffer.from(salt), num]);
	const np = s.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	const b = new Uint8Array(box);
	return { key: Buffer.from(k), data: Buffer.from(
	    s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, b.subarray(np),
	    new Uint8Array(ad), b.subarray(0, np), k)) };
}
