/*
 * Every use of cryptography in Recourse, through libsodium: receipt codes
 * and their keyed hashes, request tokens, CSRF tokens, and the envelope that
 * keeps a complainant's words readable only by the review key.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "recourse.h"

/* Crockford's base32: no I, L, O or U, so codes read aloud survive. */
static const char receipt_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define AD_RECEIPT	"recourse:intake:receipt:v1"

int
vault_init(void)
{
	return (sodium_init() >= 0);
}

/*
 * Splits the one master secret into a key per purpose, so that no hash made
 * for one purpose can be replayed as another.
 */
int
vault_keys_derive(struct vault_keys *k, const unsigned char *master,
    const unsigned char *review_pk)
{
	static const char	 ctx[crypto_kdf_CONTEXTBYTES] = "recourse";

	if (crypto_kdf_derive_from_key(k->receipt, sizeof(k->receipt), 1, ctx,
	    master) != 0 ||
	    crypto_kdf_derive_from_key(k->request, sizeof(k->request), 2, ctx,
	    master) != 0 ||
	    crypto_kdf_derive_from_key(k->csrf, sizeof(k->csrf), 3, ctx,
	    master) != 0 ||
	    crypto_kdf_derive_from_key(k->client, sizeof(k->client), 4, ctx,
	    master) != 0 ||
	    crypto_kdf_derive_from_key(k->totp, sizeof(k->totp), 5, ctx,
	    master) != 0 ||
	    crypto_kdf_derive_from_key(k->audit, sizeof(k->audit), 6, ctx,
	    master) != 0 ||
	    crypto_kdf_derive_from_key(k->login, sizeof(k->login), 7, ctx,
	    master) != 0 ||
	    crypto_kdf_derive_from_key(k->session, sizeof(k->session), 8, ctx,
	    master) != 0)
		return (0);
	memcpy(k->review_pk, review_pk, sizeof(k->review_pk));
	return (1);
}

void
vault_hex(const unsigned char *p, size_t len, char *out)
{
	sodium_bin2hex(out, len * 2 + 1, p, len);
}

/* A new receipt code, 120 bits, written in six groups of four. */
void
vault_receipt_new(char out[VAULT_RECEIPT_TEXT + 1])
{
	unsigned char	 raw[VAULT_RECEIPT_CHARS * 5 / 8];
	unsigned int	 acc = 0, bits = 0;
	size_t		 i, o, r;

	/* One draw of 15 bytes, read five bits per symbol. */
	randombytes_buf(raw, sizeof(raw));
	for (i = 0, o = 0, r = 0; i < VAULT_RECEIPT_CHARS; i++) {
		if (bits < 5) {
			acc = (acc << 8) | raw[r++];
			bits += 8;
		}
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = receipt_alphabet[(acc >> (bits - 5)) & 31];
		bits -= 5;
	}
	out[o] = '\0';
	sodium_memzero(raw, sizeof(raw));
}

/*
 * Reads a code as a person types it: any case, with or without hyphens and
 * spaces, O for 0 and I or L for 1.  Returns 0 unless exactly 24 symbols of
 * the alphabet remain.
 */
int
vault_receipt_normalize(const char *in, char out[VAULT_RECEIPT_CHARS + 1])
{
	size_t	 n;
	int	 c;

	for (n = 0; *in != '\0'; in++) {
		c = (unsigned char)*in;
		if (c == '-' || c == ' ' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (c == '\0' || strchr(receipt_alphabet, c) == NULL ||
		    n == VAULT_RECEIPT_CHARS)
			return (0);
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return (n == VAULT_RECEIPT_CHARS);
}

void
vault_receipt_hash(const struct vault_keys *k, const char *normalized,
    unsigned char out[VAULT_HASHBYTES])
{
	crypto_generichash(out, VAULT_HASHBYTES,
	    (const unsigned char *)normalized, strlen(normalized),
	    k->receipt, sizeof(k->receipt));
}

int
vault_receipt_verify(const struct vault_keys *k, const char *typed,
    const unsigned char stored[VAULT_HASHBYTES])
{
	char		 norm[VAULT_RECEIPT_CHARS + 1];
	unsigned char	 h[VAULT_HASHBYTES];

	if (!vault_receipt_normalize(typed, norm))
		return (0);
	vault_receipt_hash(k, norm, h);
	return (sodium_memcmp(h, stored, sizeof(h)) == 0);
}

/* 128 random bits as hex: form idempotency tokens and CSRF nonces. */
void
vault_token_new(char out[VAULT_TOKEN_TEXT + 1])
{
	unsigned char	 raw[VAULT_TOKEN_TEXT / 2];

	randombytes_buf(raw, sizeof(raw));
	vault_hex(raw, sizeof(raw), out);
}

/*
 * The stored names of an idempotent request: a keyed hash of its token
 * (scope separates form tokens from API keys) and one of token and content,
 * so that a replay with other content is told apart without keeping either.
 */
void
vault_request_hash(const struct vault_keys *k, const char *scope,
    const char *token, const void *body, size_t bodylen,
    unsigned char token_hash[VAULT_HASHBYTES],
    unsigned char body_hash[VAULT_HASHBYTES])
{
	crypto_generichash_state	 st;

	crypto_generichash_init(&st, k->request, sizeof(k->request),
	    VAULT_HASHBYTES);
	crypto_generichash_update(&st, (const unsigned char *)scope,
	    strlen(scope) + 1);
	crypto_generichash_update(&st, (const unsigned char *)token,
	    strlen(token) + 1);
	crypto_generichash_final(&st, token_hash, VAULT_HASHBYTES);

	crypto_generichash_init(&st, k->request, sizeof(k->request),
	    VAULT_HASHBYTES);
	crypto_generichash_update(&st, (const unsigned char *)scope,
	    strlen(scope) + 1);
	crypto_generichash_update(&st, (const unsigned char *)token,
	    strlen(token) + 1);
	crypto_generichash_update(&st, body, bodylen);
	crypto_generichash_final(&st, body_hash, VAULT_HASHBYTES);
}

/*
 * The key that only a replay of the same token and content can rebuild,
 * and only on this server (the request key is mixed in).
 */
static void
receipt_box_key(const struct vault_keys *k, const char *token,
    const void *body, size_t bodylen,
    unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES])
{
	crypto_generichash_state	 st;
	unsigned char			 tk[crypto_generichash_KEYBYTES];

	crypto_generichash(tk, sizeof(tk), (const unsigned char *)token,
	    strlen(token), k->request, sizeof(k->request));
	crypto_generichash_init(&st, tk, sizeof(tk),
	    crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	crypto_generichash_update(&st, (const unsigned char *)AD_RECEIPT,
	    sizeof(AD_RECEIPT));
	crypto_generichash_update(&st, body, bodylen);
	crypto_generichash_final(&st, key,
	    crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	sodium_memzero(tk, sizeof(tk));
}

void
vault_receipt_box(const struct vault_keys *k, const char *token,
    const void *body, size_t bodylen, const char *receipt, struct sbuf *out)
{
	unsigned char	 key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned char	 nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned char	 ct[VAULT_RECEIPT_TEXT +
			    crypto_aead_xchacha20poly1305_ietf_ABYTES];
	unsigned long long	 ctlen;

	if (strlen(receipt) > VAULT_RECEIPT_TEXT)
		abort();
	receipt_box_key(k, token, body, bodylen, key);
	randombytes_buf(nonce, sizeof(nonce));
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &ctlen,
	    (const unsigned char *)receipt, strlen(receipt),
	    (const unsigned char *)AD_RECEIPT, sizeof(AD_RECEIPT) - 1, NULL,
	    nonce, key);
	sbuf_add(out, nonce, sizeof(nonce));
	sbuf_add(out, ct, (size_t)ctlen);
	sodium_memzero(key, sizeof(key));
}

int
vault_receipt_unbox(const struct vault_keys *k, const char *token,
    const void *body, size_t bodylen,
    const unsigned char *box, size_t boxlen, char out[VAULT_RECEIPT_TEXT + 1])
{
	unsigned char		 key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned long long	 len;
	int			 ok;
	const size_t		 np = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

	/* The formatted code is 29 bytes, less than VAULT_RECEIPT_TEXT. */
	if (boxlen <= np + crypto_aead_xchacha20poly1305_ietf_ABYTES ||
	    boxlen > np + VAULT_RECEIPT_TEXT +
	    crypto_aead_xchacha20poly1305_ietf_ABYTES) {
		out[0] = '\0';
		return (0);
	}
	receipt_box_key(k, token, body, bodylen, key);
	ok = crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out,
	    &len, NULL, box + np, boxlen - np,
	    (const unsigned char *)AD_RECEIPT, sizeof(AD_RECEIPT) - 1, box,
	    key) == 0;
	sodium_memzero(key, sizeof(key));
	out[ok ? len : 0] = '\0';
	return (ok);
}

/*
 * Form tokens prove that a POST answers a page this server made, recently,
 * without a cookie (people who report tracking often refuse cookies).  The
 * token is the issuing time, a random nonce and a keyed MAC of both, all in
 * hex: VAULT_FORM_TIME_HEX + VAULT_FORM_NONCE_HEX + VAULT_FORM_MAC_HEX.  It
 * binds to no browser, so the caller must also check that the POST came
 * from our own origin (rt_util.c does, with Sec-Fetch-Site and Origin).
 */
#define VAULT_FORM_TIME_HEX	8
#define VAULT_FORM_NONCE_HEX	24
#define VAULT_FORM_MAC_HEX	32
#define VAULT_FORM_SIGNED	(VAULT_FORM_TIME_HEX + VAULT_FORM_NONCE_HEX)
/* Another instance's clock may run a little ahead of ours. */
#define VAULT_FORM_SKEW		120

static void
form_mac(const struct vault_keys *k, const char *signed_part,
    char out[VAULT_FORM_MAC_HEX + 1])
{
	static const char	 label[] = "recourse:form:v1:";
	unsigned char		 mac[VAULT_FORM_MAC_HEX / 2];
	crypto_generichash_state st;

	crypto_generichash_init(&st, k->csrf, sizeof(k->csrf), sizeof(mac));
	crypto_generichash_update(&st, (const unsigned char *)label,
	    sizeof(label) - 1);
	crypto_generichash_update(&st, (const unsigned char *)signed_part,
	    VAULT_FORM_SIGNED);
	crypto_generichash_final(&st, mac, sizeof(mac));
	vault_hex(mac, sizeof(mac), out);
}

void
vault_form_token(const struct vault_keys *k, int64_t now,
    char out[VAULT_FORM_TOKEN_TEXT + 1])
{
	unsigned char	 nonce[VAULT_FORM_NONCE_HEX / 2];

	(void)snprintf(out, VAULT_FORM_TIME_HEX + 1, "%08" PRIx32,
	    (uint32_t)now);
	randombytes_buf(nonce, sizeof(nonce));
	vault_hex(nonce, sizeof(nonce), out + VAULT_FORM_TIME_HEX);
	form_mac(k, out, out + VAULT_FORM_SIGNED);
}

enum vault_form
vault_form_token_check(const struct vault_keys *k, const char *token,
    int64_t now, int64_t max_age)
{
	char		 want[VAULT_FORM_MAC_HEX + 1];
	unsigned long	 issued;
	size_t		 i;
	char		 t[VAULT_FORM_TIME_HEX + 1];

	if (token == NULL || strlen(token) != VAULT_FORM_TOKEN_TEXT)
		return (VAULT_FORM_FORGED);
	for (i = 0; i < VAULT_FORM_TOKEN_TEXT; i++)
		if (strchr("0123456789abcdef", token[i]) == NULL)
			return (VAULT_FORM_FORGED);
	form_mac(k, token, want);
	if (sodium_memcmp(want, token + VAULT_FORM_SIGNED,
	    VAULT_FORM_MAC_HEX) != 0)
		return (VAULT_FORM_FORGED);
	memcpy(t, token, VAULT_FORM_TIME_HEX);
	t[VAULT_FORM_TIME_HEX] = '\0';
	issued = strtoul(t, NULL, 16);
	if ((int64_t)issued > now + VAULT_FORM_SKEW ||
	    now - (int64_t)issued > max_age)
		return (VAULT_FORM_EXPIRED);
	return (VAULT_FORM_OK);
}

/*
 * A short-lived pseudonym for a client address: keyed and bound to a period
 * (the current hour), so that the stored value cannot be turned back into an
 * address, nor linked from one period to the next.
 */
void
vault_client_id(const struct vault_keys *k, const char *address,
    const char *period, unsigned char out[VAULT_HASHBYTES])
{
	crypto_generichash_state	 st;

	crypto_generichash_init(&st, k->client, sizeof(k->client),
	    VAULT_HASHBYTES);
	crypto_generichash_update(&st, (const unsigned char *)period,
	    strlen(period) + 1);
	crypto_generichash_update(&st, (const unsigned char *)address,
	    strlen(address));
	crypto_generichash_final(&st, out, VAULT_HASHBYTES);
}

/*
 * The complainant's box key pair, rebuilt from the receipt code whenever it
 * is typed.  The code holds 120 random bits, so a fast keyed BLAKE2b is as
 * strong here as a slow password hash and keeps intake fast.
 */
void
vault_complainant_keypair(const char *receipt_normalized,
    const unsigned char salt[VAULT_SALTBYTES], unsigned char pk[32],
    unsigned char sk[32])
{
	unsigned char	 seed[crypto_box_SEEDBYTES];

	crypto_generichash(seed, sizeof(seed), salt, VAULT_SALTBYTES,
	    (const unsigned char *)receipt_normalized,
	    strlen(receipt_normalized));
	crypto_box_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof(seed));
}

/*
 * The additional data binds a ciphertext to its field and to its case (by
 * the case's salt), so that no one with write access to the database can
 * move ciphertexts between fields or cases unnoticed.
 */
static void
aead_ad(const char *label, const unsigned char salt[VAULT_SALTBYTES],
    unsigned char *out, size_t *outlen)
{
	size_t	 n;

	n = strlen(label);
	memcpy(out, label, n);
	memcpy(out + n, salt, VAULT_SALTBYTES);
	*outlen = n + VAULT_SALTBYTES;
}

#define AD_MAX	(64 + VAULT_SALTBYTES)

/* An evidence file's additional data: its case's and its own number. */
static void
evidence_ad(const unsigned char salt[VAULT_SALTBYTES], unsigned n,
    unsigned char *out, size_t *outlen)
{
	aead_ad(VAULT_AD_EVIDENCE, salt, out, outlen);
	out[(*outlen)++] = (n >> 24) & 0xff;
	out[(*outlen)++] = (n >> 16) & 0xff;
	out[(*outlen)++] = (n >> 8) & 0xff;
	out[(*outlen)++] = n & 0xff;
}

/* nonce || XChaCha20-Poly1305 of 'data' under 'key' with 'ad'. */
static unsigned char *
aead_seal_ad(const unsigned char *key, const unsigned char *ad, size_t adlen,
    const unsigned char *data, size_t len, size_t *outlen)
{
	const size_t		 np = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	unsigned char		*out;
	unsigned long long	 ctlen;

	if ((out = malloc(np + len +
	    crypto_aead_xchacha20poly1305_ietf_ABYTES)) == NULL)
		abort();
	randombytes_buf(out, np);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + np, &ctlen, data, len,
	    ad, adlen, NULL, out, key);
	*outlen = np + (size_t)ctlen;
	return (out);
}

/* Opens what aead_seal_ad() made into 'out'; 0 when it does not open. */
static int
aead_open_ad(const unsigned char *key, const unsigned char *ad, size_t adlen,
    const unsigned char *box, size_t boxlen, struct sbuf *out)
{
	const size_t		 np = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	const size_t		 ab = crypto_aead_xchacha20poly1305_ietf_ABYTES;
	unsigned char		*plain;
	unsigned long long	 len;
	int			 ok;

	if (boxlen < np + ab)
		return (0);
	if ((plain = malloc(boxlen - np - ab + 1)) == NULL)
		abort();
	ok = crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &len, NULL,
	    box + np, boxlen - np, ad, adlen, box, key) == 0;
	if (ok)
		sbuf_add(out, (const char *)plain, (size_t)len);
	sodium_memzero(plain, boxlen - np - ab);
	free(plain);
	return (ok);
}

/* File n of a case under 'key', with a nonce of its own: nonce || AEAD. */
unsigned char *
vault_evidence_seal(const unsigned char *key,
    const unsigned char salt[VAULT_SALTBYTES], unsigned n,
    const unsigned char *data, size_t len, size_t *outlen)
{
	unsigned char	 ad[AD_MAX + 4];
	size_t		 adlen;

	evidence_ad(salt, n, ad, &adlen);
	return (aead_seal_ad(key, ad, adlen, data, len, outlen));
}

int
vault_evidence_open(const unsigned char *key,
    const unsigned char salt[VAULT_SALTBYTES], unsigned n,
    const unsigned char *box, size_t boxlen, struct sbuf *out)
{
	unsigned char	 ad[AD_MAX + 4];
	size_t		 adlen;

	evidence_ad(salt, n, ad, &adlen);
	return (aead_open_ad(key, ad, adlen, box, boxlen, out));
}

/*
 * A file sent with a reply, when the case's data key is out of reach: a
 * key of its own encrypts it (with the additional data of a complaint's
 * file) and is sealed to the review key, which opens it as it opens a
 * case's data key.  NULL when the key cannot be sealed.
 */
unsigned char *
vault_evidence_seal_own(const unsigned char review_pk[32],
    const unsigned char salt[VAULT_SALTBYTES], unsigned n,
    const unsigned char *data, size_t len, size_t *outlen,
    unsigned char key_sealed[VAULT_SEALED_KEYBYTES])
{
	unsigned char	 key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned char	*box = NULL;

	_Static_assert(VAULT_SEALED_KEYBYTES == crypto_box_SEALBYTES +
	    crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "sealed key size");
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	if (crypto_box_seal(key_sealed, key, sizeof(key), review_pk) == 0)
		box = vault_evidence_seal(key, salt, n, data, len, outlen);
	sodium_memzero(key, sizeof(key));
	return (box);
}

/* BLAKE2b-256, unkeyed: what anyone can compute from the file itself. */
void
vault_evidence_hash(const unsigned char *data, size_t len,
    unsigned char out[32])
{
	crypto_generichash(out, 32, data, len, NULL, 0);
}

unsigned char *
vault_aead_seal(const unsigned char *key, const char *label,
    const unsigned char salt[VAULT_SALTBYTES], const char *text,
    size_t *outlen)
{
	unsigned char	 ad[AD_MAX];
	size_t		 adlen;

	aead_ad(label, salt, ad, &adlen);
	return (aead_seal_ad(key, ad, adlen, (const unsigned char *)text,
	    strlen(text), outlen));
}

int
vault_aead_open(const unsigned char *key, const char *label,
    const unsigned char salt[VAULT_SALTBYTES], const unsigned char *box,
    size_t boxlen, struct sbuf *out)
{
	unsigned char	 ad[AD_MAX];
	size_t		 adlen;

	aead_ad(label, salt, ad, &adlen);
	return (aead_open_ad(key, ad, adlen, box, boxlen, out));
}

/*
 * Encrypts a new case's personal fields under a fresh data key, seals that
 * key to the review public key, and derives the complainant's public key.
 * Intake never holds a secret that could open what it wrote.
 */
int
vault_seal_case(const struct vault_keys *k, const char *receipt_normalized,
    const struct vault_plain *p, struct vault_sealed *s)
{
	unsigned char	 dk[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned char	 csk[32];

	memset(s, 0, sizeof(*s));
	randombytes_buf(s->complainant_salt, sizeof(s->complainant_salt));
	crypto_aead_xchacha20poly1305_ietf_keygen(dk);
	s->description = vault_aead_seal(dk, VAULT_AD_DESCRIPTION,
	    s->complainant_salt, p->description, &s->description_len);
	if (p->contact_json != NULL)
		s->contact = vault_aead_seal(dk, VAULT_AD_CONTACT,
		    s->complainant_salt, p->contact_json, &s->contact_len);
	if (p->why_shown != NULL)
		s->why_shown = vault_aead_seal(dk, VAULT_AD_WHY_SHOWN,
		    s->complainant_salt, p->why_shown, &s->why_shown_len);
	if (p->demographics_json != NULL)
		s->demographics = vault_aead_seal(dk, VAULT_AD_DEMOGRAPHICS,
		    s->complainant_salt, p->demographics_json,
		    &s->demographics_len);
	for (s->nfiles = 0; s->nfiles < p->nfiles &&
	    s->nfiles < VAULT_MAX_FILES; s->nfiles++)
		s->files[s->nfiles] = vault_evidence_seal(dk,
		    s->complainant_salt, (unsigned)s->nfiles + 1,
		    p->files[s->nfiles].data, p->files[s->nfiles].len,
		    &s->files_len[s->nfiles]);
	s->data_key_sealed_len = crypto_box_SEALBYTES + sizeof(dk);
	if ((s->data_key_sealed = malloc(s->data_key_sealed_len)) == NULL)
		abort();
	if (crypto_box_seal(s->data_key_sealed, dk, sizeof(dk),
	    k->review_pk) != 0) {
		sodium_memzero(dk, sizeof(dk));
		vault_sealed_free(s);
		return (0);
	}
	sodium_memzero(dk, sizeof(dk));
	vault_complainant_keypair(receipt_normalized, s->complainant_salt,
	    s->complainant_pk, csk);
	sodium_memzero(csk, sizeof(csk));
	return (1);
}

/*
 * What the complainant sent, kept for them alone: the key comes from the
 * receipt code and the case's salt (like their box key pair, but for a
 * different purpose), so only someone holding the code can read it back.
 */
static void
copy_key(const char *receipt_normalized,
    const unsigned char salt[VAULT_SALTBYTES],
    unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES])
{
	static const char	 label[] = "recourse:complainant-copy:v1";
	crypto_generichash_state st;

	crypto_generichash_init(&st, (const unsigned char *)receipt_normalized,
	    strlen(receipt_normalized),
	    crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	crypto_generichash_update(&st, (const unsigned char *)label,
	    sizeof(label) - 1);
	crypto_generichash_update(&st, salt, VAULT_SALTBYTES);
	crypto_generichash_final(&st, key,
	    crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
}

unsigned char *
vault_copy_seal(const char *receipt_normalized,
    const unsigned char salt[VAULT_SALTBYTES], const char *text,
    size_t *outlen)
{
	unsigned char	 key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned char	*box;

	copy_key(receipt_normalized, salt, key);
	box = vault_aead_seal(key, VAULT_AD_COPY, salt, text, outlen);
	sodium_memzero(key, sizeof(key));
	return (box);
}

int
vault_copy_open(const char *receipt_normalized,
    const unsigned char salt[VAULT_SALTBYTES], const unsigned char *box,
    size_t boxlen, struct sbuf *out)
{
	unsigned char	 key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	int		 ok;

	copy_key(receipt_normalized, salt, key);
	ok = vault_aead_open(key, VAULT_AD_COPY, salt, box, boxlen, out);
	sodium_memzero(key, sizeof(key));
	return (ok);
}

void
vault_sealed_free(struct vault_sealed *s)
{
	size_t	 i;

	free(s->data_key_sealed);
	free(s->description);
	free(s->contact);
	free(s->why_shown);
	free(s->demographics);
	for (i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	memset(s, 0, sizeof(*s));
}

/* The back office's side: opens a case with the review secret key. */
int
vault_open_case(const unsigned char *review_sk, const unsigned char *review_pk,
    const struct vault_sealed *s, struct sbuf *description,
    struct sbuf *contact)
{
	unsigned char	 dk[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	int		 ok;

	if (s->data_key_sealed_len != crypto_box_SEALBYTES + sizeof(dk) ||
	    crypto_box_seal_open(dk, s->data_key_sealed,
	    s->data_key_sealed_len, review_pk, review_sk) != 0)
		return (0);
	ok = vault_aead_open(dk, VAULT_AD_DESCRIPTION, s->complainant_salt,
	    s->description, s->description_len, description);
	if (ok && s->contact != NULL && contact != NULL)
		ok = vault_aead_open(dk, VAULT_AD_CONTACT, s->complainant_salt, s->contact,
		    s->contact_len, contact);
	sodium_memzero(dk, sizeof(dk));
	return (ok);
}
