/* Tests the vault's receipt codes, keyed hashes, request and CSRF tokens, receipt boxes and sealed case envelopes against round trips and tampering. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "recourse.h"

#define CROCKFORD	"0123456789ABCDEFGHJKMNPQRSTVWXYZ"

struct fixture {
	unsigned char		 master[crypto_kdf_KEYBYTES];
	unsigned char		 master2[crypto_kdf_KEYBYTES];
	unsigned char		 review_pk[crypto_box_PUBLICKEYBYTES];
	unsigned char		 review_sk[crypto_box_SECRETKEYBYTES];
	struct vault_keys	 k;	/* from master */
	struct vault_keys	 k2;	/* from master2, same review key */
};

static struct fixture	 fx;

static int
group_setup(void **state)
{
	if (!vault_init())
		return (-1);
	crypto_kdf_keygen(fx.master);
	crypto_kdf_keygen(fx.master2);
	if (crypto_box_keypair(fx.review_pk, fx.review_sk) != 0)
		return (-1);
	if (!vault_keys_derive(&fx.k, fx.master, fx.review_pk) ||
	    !vault_keys_derive(&fx.k2, fx.master2, fx.review_pk))
		return (-1);
	return (0);
}

static void
test_keys_derive(void **state)
{
	struct vault_keys	 again;

	assert_true(vault_keys_derive(&again, fx.master, fx.review_pk));
	assert_memory_equal(&again, &fx.k, sizeof(again));
	/* One key per purpose, and none equal to another. */
	assert_memory_not_equal(fx.k.receipt, fx.k.request, VAULT_KEYBYTES);
	assert_memory_not_equal(fx.k.receipt, fx.k.csrf, VAULT_KEYBYTES);
	assert_memory_not_equal(fx.k.request, fx.k.client, VAULT_KEYBYTES);
	assert_memory_not_equal(fx.k.receipt, fx.k2.receipt, VAULT_KEYBYTES);
	assert_memory_equal(fx.k.review_pk, fx.review_pk, 32);
}

static void
test_receipt_format(void **state)
{
	char	 code[VAULT_RECEIPT_TEXT + 1];
	int	 seen[256] = { 0 };
	size_t	 i, j;
	int	 n;

	for (n = 0; n < 2000; n++) {
		vault_receipt_new(code);
		assert_int_equal(strlen(code), 29);
		for (i = 0; i < 29; i++) {
			if (i % 5 == 4) {
				assert_int_equal(code[i], '-');
				continue;
			}
			if (strchr(CROCKFORD, code[i]) == NULL ||
			    code[i] == '\0')
				fail_msg("%s: bad symbol at %zu", code, i);
			seen[(unsigned char)code[i]]++;
		}
	}
	/* 2000 x 24 symbols use every one of the 32, and only those. */
	for (j = 0; j < 256; j++) {
		if (strchr(CROCKFORD, (int)j) != NULL && j != 0)
			assert_true(seen[j] > 0);
		else
			assert_int_equal(seen[j], 0);
	}
	assert_int_equal(seen['I'] + seen['L'] + seen['O'] + seen['U'], 0);
}

static int
cmp_code(const void *a, const void *b)
{
	return (memcmp(a, b, VAULT_RECEIPT_CHARS));
}

static void
test_receipt_distinct(void **state)
{
	const size_t	 n = 100000;
	char		 code[VAULT_RECEIPT_TEXT + 1];
	char		(*norm)[VAULT_RECEIPT_CHARS + 1];
	size_t		 i;

	if ((norm = calloc(n, sizeof(*norm))) == NULL)
		fail();
	for (i = 0; i < n; i++) {
		vault_receipt_new(code);
		assert_true(vault_receipt_normalize(code, norm[i]));
	}
	qsort(norm, n, sizeof(*norm), cmp_code);
	for (i = 1; i < n; i++)
		if (memcmp(norm[i - 1], norm[i], VAULT_RECEIPT_CHARS) == 0)
			fail_msg("duplicate code %s", norm[i]);
	free(norm);
}

static void
test_normalize_accepts(void **state)
{
	static const char *const forms[] = {
		"0123-4567-89AB-CDEF-GHJK-MNPQ",
		"0123-4567-89ab-cdef-ghjk-mnpq",
		"012345678 9ABCDEFGHJKMNPQ",
		"0123 4567 89AB CDEF GHJK MNPQ",
		"  0123456789ABCDEFGHJKMNPQ\t",
		"O123-4567-89AB-CDEF-GHJK-MNPQ",	/* O for 0 */
		"o123-4567-89AB-CDEF-GHJK-MNPQ",
		"0I23-4567-89AB-CDEF-GHJK-MNPQ",	/* I for 1 */
		"0l23-4567-89AB-CDEF-GHJK-MNPQ",	/* l for 1 */
		"0L23-4567-89AB-CDEF-GHJK-MNPQ",
		"0123--4567-89AB-CDEF-GHJK-MNPQ-",
	};
	char	 out[VAULT_RECEIPT_CHARS + 1];
	size_t	 i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		memset(out, 'x', sizeof(out));
		if (!vault_receipt_normalize(forms[i], out))
			fail_msg("form %zu (%s) refused", i, forms[i]);
		assert_string_equal(out, "0123456789ABCDEFGHJKMNPQ");
	}
}

static void
test_normalize_rejects(void **state)
{
	static const char *const bad[] = {
		"0123-4567-89AB-CDEF-GHJK-MNP",		/* 23 symbols */
		"0123-4567-89AB-CDEF-GHJK-MNPQR",	/* 25 symbols */
		"0123-4567-89AB-CDEF-GHJK-MNPU",	/* U */
		"0123-4567-89AB-CDEF-GHJK-MNPu",
		"0123.4567.89AB.CDEF.GHJK.MNPQ",
		"0123_4567_89AB_CDEF_GHJK_MNPQ",
		"0123-4567-89AB-CDEF-GHJK-MNP!",
		"0123-4567-89AB-CDEF-GHJK-MNP\xc3\x96",	/* Ö */
		"\xef\xbc\x90" "123-4567-89AB-CDEF-GHJK-MNPQ",	/* fullwidth 0 */
		"0123-4567-89AB-CDEF-GHJK-MNPQ\n",
		"",
		"-----",
	};
	char	 out[VAULT_RECEIPT_CHARS + 1];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vault_receipt_normalize(bad[i], out))
			fail_msg("form %zu (%s) accepted", i, bad[i]);
}

static void
test_receipt_hash(void **state)
{
	const char	*norm = "0123456789ABCDEFGHJKMNPQ";
	unsigned char	 h1[VAULT_HASHBYTES], h2[VAULT_HASHBYTES];
	unsigned char	 h3[VAULT_HASHBYTES], h4[VAULT_HASHBYTES];

	vault_receipt_hash(&fx.k, norm, h1);
	vault_receipt_hash(&fx.k, norm, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
	vault_receipt_hash(&fx.k2, norm, h3);
	assert_memory_not_equal(h1, h3, sizeof(h1));
	vault_receipt_hash(&fx.k, "0123456789ABCDEFGHJKMNPR", h4);
	assert_memory_not_equal(h1, h4, sizeof(h1));
}

static void
test_receipt_verify(void **state)
{
	char		 code[VAULT_RECEIPT_TEXT + 1], norm[VAULT_RECEIPT_CHARS + 1];
	char		 typed[64];
	unsigned char	 stored[VAULT_HASHBYTES];
	size_t		 i, o;

	vault_receipt_new(code);
	assert_true(vault_receipt_normalize(code, norm));
	vault_receipt_hash(&fx.k, norm, stored);

	assert_true(vault_receipt_verify(&fx.k, code, stored));
	assert_true(vault_receipt_verify(&fx.k, norm, stored));
	/* Lower case, with spaces for hyphens. */
	for (i = 0; code[i] != '\0'; i++)
		typed[i] = code[i] == '-' ? ' ' :
		    (char)(code[i] >= 'A' && code[i] <= 'Z' ?
		    code[i] - 'A' + 'a' : code[i]);
	typed[i] = '\0';
	assert_true(vault_receipt_verify(&fx.k, typed, stored));
	/* 0 typed as O and 1 as I or l wherever they occur. */
	for (i = 0; code[i] != '\0'; i++)
		typed[i] = code[i] == '0' ? 'O' : code[i] == '1' ?
		    (i % 2 ? 'l' : 'I') : code[i];
	typed[i] = '\0';
	assert_true(vault_receipt_verify(&fx.k, typed, stored));

	/* Another master key does not verify it. */
	assert_false(vault_receipt_verify(&fx.k2, code, stored));

	/* Every one-symbol change fails. */
	for (i = 0; code[i] != '\0'; i++) {
		if (code[i] == '-')
			continue;
		strcpy(typed, code);
		typed[i] = code[i] == 'Z' ? 'Y' : (char)(strchr(CROCKFORD,
		    code[i])[1]);
		if (vault_receipt_verify(&fx.k, typed, stored))
			fail_msg("%s verified as %s", typed, code);
	}
	/* A dropped or extra symbol fails. */
	for (i = 0, o = 0; code[i] != '\0'; i++)
		if (i != 3)
			typed[o++] = code[i];
	typed[o] = '\0';
	assert_false(vault_receipt_verify(&fx.k, typed, stored));
	strcpy(typed, code);
	strcat(typed, "0");
	assert_false(vault_receipt_verify(&fx.k, typed, stored));
	assert_false(vault_receipt_verify(&fx.k, "", stored));
}

static void
test_token_new(void **state)
{
	char	 a[VAULT_TOKEN_TEXT + 1], b[VAULT_TOKEN_TEXT + 1];

	vault_token_new(a);
	vault_token_new(b);
	assert_int_equal(strlen(a), VAULT_TOKEN_TEXT);
	assert_int_equal(strspn(a, "0123456789abcdef"), VAULT_TOKEN_TEXT);
	assert_string_not_equal(a, b);
}

static void
test_request_hash(void **state)
{
	static const char	 body[] = "category=privacy.consent\n";
	static const char	 body2[] = "category=privacy.other\n";
	unsigned char		 t1[VAULT_HASHBYTES], b1[VAULT_HASHBYTES];
	unsigned char		 t2[VAULT_HASHBYTES], b2[VAULT_HASHBYTES];
	char			 tok[VAULT_TOKEN_TEXT + 1];

	vault_token_new(tok);
	vault_request_hash(&fx.k, "form", tok, body, sizeof(body) - 1, t1, b1);
	vault_request_hash(&fx.k, "form", tok, body, sizeof(body) - 1, t2, b2);
	assert_memory_equal(t1, t2, VAULT_HASHBYTES);
	assert_memory_equal(b1, b2, VAULT_HASHBYTES);
	assert_memory_not_equal(t1, b1, VAULT_HASHBYTES);

	/* Other content: same token hash, other body hash. */
	vault_request_hash(&fx.k, "form", tok, body2, sizeof(body2) - 1, t2,
	    b2);
	assert_memory_equal(t1, t2, VAULT_HASHBYTES);
	assert_memory_not_equal(b1, b2, VAULT_HASHBYTES);

	/* Other scope: the same token names another request. */
	vault_request_hash(&fx.k, "api", tok, body, sizeof(body) - 1, t2, b2);
	assert_memory_not_equal(t1, t2, VAULT_HASHBYTES);
	assert_memory_not_equal(b1, b2, VAULT_HASHBYTES);

	/* The scope/token boundary cannot be shifted. */
	vault_request_hash(&fx.k, "for", "m", body, sizeof(body) - 1, t1, b1);
	vault_request_hash(&fx.k, "form", "", body, sizeof(body) - 1, t2, b2);
	assert_memory_not_equal(t1, t2, VAULT_HASHBYTES);

	/* Other master key. */
	vault_request_hash(&fx.k, "form", tok, body, sizeof(body) - 1, t1, b1);
	vault_request_hash(&fx.k2, "form", tok, body, sizeof(body) - 1, t2,
	    b2);
	assert_memory_not_equal(t1, t2, VAULT_HASHBYTES);
	assert_memory_not_equal(b1, b2, VAULT_HASHBYTES);
}

static void
test_receipt_box(void **state)
{
	static const char	 body[] = "the canonical\ncomplaint\0with NUL";
	char			 code[VAULT_RECEIPT_TEXT + 1];
	char			 out[VAULT_RECEIPT_TEXT + 1];
	char			 tok[VAULT_TOKEN_TEXT + 1];
	char			 tok2[VAULT_TOKEN_TEXT + 1];
	struct sbuf		 box, box2;
	size_t			 i;

	vault_receipt_new(code);
	vault_token_new(tok);
	vault_token_new(tok2);
	sbuf_init(&box);
	sbuf_init(&box2);
	vault_receipt_box(&fx.k, tok, body, sizeof(body) - 1, code, &box);
	assert_true(box.len > strlen(code));
	assert_null(memmem(box.data, box.len, code, strlen(code)));

	memset(out, 'x', sizeof(out));
	assert_true(vault_receipt_unbox(&fx.k, tok, body, sizeof(body) - 1,
	    (unsigned char *)box.data, box.len, out));
	assert_string_equal(out, code);

	/* Two boxes of the same code differ (fresh nonce), both open. */
	vault_receipt_box(&fx.k, tok, body, sizeof(body) - 1, code, &box2);
	assert_int_equal(box.len, box2.len);
	assert_memory_not_equal(box.data, box2.data, box.len);
	assert_true(vault_receipt_unbox(&fx.k, tok, body, sizeof(body) - 1,
	    (unsigned char *)box2.data, box2.len, out));
	assert_string_equal(out, code);

	/* Another server (other master key) cannot open it. */
	assert_false(vault_receipt_unbox(&fx.k2, tok, body, sizeof(body) - 1,
	    (unsigned char *)box.data, box.len, out));

	/* Other body (even one byte shorter), other token. */
	assert_false(vault_receipt_unbox(&fx.k, tok, body, sizeof(body) - 2,
	    (unsigned char *)box.data, box.len, out));
	assert_false(vault_receipt_unbox(&fx.k, tok, "other", 5,
	    (unsigned char *)box.data, box.len, out));
	assert_false(vault_receipt_unbox(&fx.k, tok2, body, sizeof(body) - 1,
	    (unsigned char *)box.data, box.len, out));

	/* Any flipped byte, in nonce, ciphertext or tag. */
	for (i = 0; i < box.len; i++) {
		box.data[i] ^= 0x01;
		if (vault_receipt_unbox(&fx.k, tok, body, sizeof(body) - 1,
		    (unsigned char *)box.data, box.len, out))
			fail_msg("flipped byte %zu accepted", i);
		box.data[i] ^= 0x01;
	}
	/* Truncated or extended boxes. */
	assert_false(vault_receipt_unbox(&fx.k, tok, body, sizeof(body) - 1,
	    (unsigned char *)box.data, box.len - 1, out));
	assert_false(vault_receipt_unbox(&fx.k, tok, body, sizeof(body) - 1,
	    (unsigned char *)box.data, 0, out));
	sbuf_addc(&box, 0);
	assert_false(vault_receipt_unbox(&fx.k, tok, body, sizeof(body) - 1,
	    (unsigned char *)box.data, box.len, out));
	box.len--;
	assert_true(vault_receipt_unbox(&fx.k, tok, body, sizeof(body) - 1,
	    (unsigned char *)box.data, box.len, out));
	assert_string_equal(out, code);

	sbuf_free(&box);
	sbuf_free(&box2);
}

static void
test_form_token(void **state)
{
	const int64_t	 now = 1780000000, day = 86400;
	char		 tok[VAULT_FORM_TOKEN_TEXT + 1];
	char		 tok2[VAULT_FORM_TOKEN_TEXT + 1];
	char		 bad[VAULT_FORM_TOKEN_TEXT + 2];
	size_t		 i;

	vault_form_token(&fx.k, now, tok);
	assert_int_equal(strlen(tok), VAULT_FORM_TOKEN_TEXT);
	vault_form_token(&fx.k, now, tok2);
	/* Same second, new nonce: tokens never repeat. */
	assert_string_not_equal(tok, tok2);

	assert_int_equal(vault_form_token_check(&fx.k, tok, now, day),
	    VAULT_FORM_OK);
	assert_int_equal(vault_form_token_check(&fx.k, tok, now + day, day),
	    VAULT_FORM_OK);
	assert_int_equal(vault_form_token_check(&fx.k, tok, now + day + 1,
	    day), VAULT_FORM_EXPIRED);
	/* Issued in the future beyond another server's clock skew. */
	assert_int_equal(vault_form_token_check(&fx.k, tok, now - 121, day),
	    VAULT_FORM_EXPIRED);
	assert_int_equal(vault_form_token_check(&fx.k, tok, now - 120, day),
	    VAULT_FORM_OK);
	/* Another master key never accepts it, whatever the time. */
	assert_int_equal(vault_form_token_check(&fx.k2, tok, now, day),
	    VAULT_FORM_FORGED);

	/* Every character is covered: time, nonce and MAC. */
	for (i = 0; i < strlen(tok); i++) {
		strcpy(bad, tok);
		bad[i] = bad[i] == '0' ? '1' : '0';
		if (vault_form_token_check(&fx.k, bad, now, day) !=
		    VAULT_FORM_FORGED)
			fail_msg("flipped char %zu accepted", i);
	}
	strcpy(bad, tok);
	bad[strlen(bad) - 1] = '\0';
	assert_int_equal(vault_form_token_check(&fx.k, bad, now, day),
	    VAULT_FORM_FORGED);
	strcpy(bad, tok);
	strcat(bad, "0");
	assert_int_equal(vault_form_token_check(&fx.k, bad, now, day),
	    VAULT_FORM_FORGED);
	/* Upper-case hex is not what we make. */
	strcpy(bad, tok);
	for (i = 0; bad[i] != '\0'; i++)
		if (bad[i] >= 'a' && bad[i] <= 'f')
			bad[i] -= 'a' - 'A';
	if (strcmp(bad, tok) != 0)
		assert_int_equal(vault_form_token_check(&fx.k, bad, now, day),
		    VAULT_FORM_FORGED);
	assert_int_equal(vault_form_token_check(&fx.k, "", now, day),
	    VAULT_FORM_FORGED);
	assert_int_equal(vault_form_token_check(&fx.k, NULL, now, day),
	    VAULT_FORM_FORGED);
}

/* The complainant's copy opens with their code and case salt alone. */
static void
test_copy(void **state)
{
	char		 code[VAULT_RECEIPT_TEXT + 1];
	char		 norm[VAULT_RECEIPT_CHARS + 1];
	char		 norm2[VAULT_RECEIPT_CHARS + 1];
	unsigned char	 salt[VAULT_SALTBYTES], salt2[VAULT_SALTBYTES];
	unsigned char	*box;
	size_t		 len;
	struct sbuf	 out;

	vault_receipt_new(code);
	assert_true(vault_receipt_normalize(code, norm));
	vault_receipt_new(code);
	assert_true(vault_receipt_normalize(code, norm2));
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(salt2, sizeof(salt2));
	box = vault_copy_seal(norm, salt, "{\"description\":\"x\"}", &len);
	sbuf_init(&out);
	assert_true(vault_copy_open(norm, salt, box, len, &out));
	assert_int_equal(out.len, 19);
	assert_memory_equal(out.data, "{\"description\":\"x\"}", 19);
	sbuf_reset(&out);
	assert_false(vault_copy_open(norm2, salt, box, len, &out));
	assert_false(vault_copy_open(norm, salt2, box, len, &out));
	box[len - 1] ^= 1;
	assert_false(vault_copy_open(norm, salt, box, len, &out));
	assert_int_equal(out.len, 0);
	sbuf_free(&out);
	free(box);
}

static void
test_client_id(void **state)
{
	unsigned char	 a[VAULT_HASHBYTES], b[VAULT_HASHBYTES];

	vault_client_id(&fx.k, "192.0.2.1", "2026-03-14T10", a);
	vault_client_id(&fx.k, "192.0.2.1", "2026-03-14T10", b);
	assert_memory_equal(a, b, sizeof(a));
	vault_client_id(&fx.k, "192.0.2.1", "2026-03-14T11", b);
	assert_memory_not_equal(a, b, sizeof(a));
	vault_client_id(&fx.k, "192.0.2.2", "2026-03-14T10", b);
	assert_memory_not_equal(a, b, sizeof(a));
	vault_client_id(&fx.k2, "192.0.2.1", "2026-03-14T10", b);
	assert_memory_not_equal(a, b, sizeof(a));
	/* The period/address boundary cannot be shifted. */
	vault_client_id(&fx.k, "1", "2026-03-14T1", a);
	vault_client_id(&fx.k, "", "2026-03-14T11", b);
	assert_memory_not_equal(a, b, sizeof(a));
}

#define DESCR	"First line\n\nSecond line \xf0\x9f\x98\xa1 with emoji,\r\n" \
		"RTL \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d and <b>markup</b> & \"quotes\"\n"
#define CONTACT	"{\"name\":\"Ann O'Neill\",\"email\":\"ann@example.org\"}"

static void
test_seal_open(void **state)
{
	struct vault_sealed	 s;
	struct sbuf		 d, c;
	char			 code[VAULT_RECEIPT_TEXT + 1];
	char			 norm[VAULT_RECEIPT_CHARS + 1];

	vault_receipt_new(code);
	assert_true(vault_receipt_normalize(code, norm));
	assert_true(vault_seal_case(&fx.k, norm, &(struct vault_plain){ .description = DESCR,
	    .contact_json = CONTACT,
	    .why_shown = "Because you visited example.org" }, &s));
	assert_non_null(s.description);
	assert_non_null(s.contact);
	assert_non_null(s.why_shown);
	assert_null(memmem(s.why_shown, s.why_shown_len, "example.org", 11));
	assert_null(memmem(s.description, s.description_len, "First line",
	    10));
	assert_null(memmem(s.contact, s.contact_len, "ann@", 4));

	sbuf_init(&d);
	sbuf_init(&c);
	assert_true(vault_open_case(fx.review_sk, fx.review_pk, &s, &d, &c));
	assert_int_equal(d.len, strlen(DESCR));
	assert_memory_equal(d.data, DESCR, d.len);
	assert_int_equal(c.len, strlen(CONTACT));
	assert_memory_equal(c.data, CONTACT, c.len);
	sbuf_free(&d);
	sbuf_free(&c);
	vault_sealed_free(&s);
	assert_null(s.description);
}

static void
test_seal_no_contact(void **state)
{
	struct vault_sealed	 s;
	struct sbuf		 d, c;

	assert_true(vault_seal_case(&fx.k, "0123456789ABCDEFGHJKMNPQ",
	    &(struct vault_plain){ .description = DESCR }, &s));
	assert_null(s.contact);
	assert_null(s.why_shown);
	assert_int_equal(s.contact_len, 0);
	sbuf_init(&d);
	sbuf_init(&c);
	assert_true(vault_open_case(fx.review_sk, fx.review_pk, &s, &d, &c));
	assert_int_equal(d.len, strlen(DESCR));
	assert_memory_equal(d.data, DESCR, d.len);
	assert_int_equal(c.len, 0);
	sbuf_free(&d);
	sbuf_free(&c);
	vault_sealed_free(&s);
}

static void
test_seal_wrong_key(void **state)
{
	struct vault_sealed	 s;
	struct sbuf		 d, c;
	unsigned char		 pk[crypto_box_PUBLICKEYBYTES];
	unsigned char		 sk[crypto_box_SECRETKEYBYTES];

	crypto_box_keypair(pk, sk);
	assert_true(vault_seal_case(&fx.k, "0123456789ABCDEFGHJKMNPQ",
	    &(struct vault_plain){ .description = DESCR,
	    .contact_json = CONTACT }, &s));
	sbuf_init(&d);
	sbuf_init(&c);
	assert_false(vault_open_case(sk, pk, &s, &d, &c));
	assert_false(vault_open_case(sk, fx.review_pk, &s, &d, &c));
	assert_int_equal(d.len, 0);
	assert_int_equal(c.len, 0);
	/* The right key still opens it. */
	assert_true(vault_open_case(fx.review_sk, fx.review_pk, &s, &d, &c));
	assert_int_equal(d.len, strlen(DESCR));
	sbuf_free(&d);
	sbuf_free(&c);
	vault_sealed_free(&s);
}

/* Flips each byte of one sealed buffer in turn; opening must fail. */
static void
check_tamper(struct vault_sealed *s, unsigned char *p, size_t len,
    const char *what)
{
	struct sbuf	 d, c;
	size_t		 i;
	int		 ok;

	for (i = 0; i < len; i++) {
		sbuf_init(&d);
		sbuf_init(&c);
		p[i] ^= 0x80;
		ok = vault_open_case(fx.review_sk, fx.review_pk, s, &d, &c);
		p[i] ^= 0x80;
		sbuf_free(&d);
		sbuf_free(&c);
		if (ok)
			fail_msg("%s: flipped byte %zu opened", what, i);
	}
}

static void
test_seal_tampered(void **state)
{
	struct vault_sealed	 s, t;
	struct sbuf		 d, c;
	unsigned char		*p;
	size_t			 n;

	assert_true(vault_seal_case(&fx.k, "0123456789ABCDEFGHJKMNPQ",
	    &(struct vault_plain){ .description = DESCR,
	    .contact_json = CONTACT }, &s));
	check_tamper(&s, s.description, s.description_len, "description");
	check_tamper(&s, s.contact, s.contact_len, "contact");
	check_tamper(&s, s.data_key_sealed, s.data_key_sealed_len, "data key");

	/* Description and contact cannot be swapped. */
	p = s.description;
	n = s.description_len;
	s.description = s.contact;
	s.description_len = s.contact_len;
	s.contact = p;
	s.contact_len = n;
	sbuf_init(&d);
	sbuf_init(&c);
	assert_false(vault_open_case(fx.review_sk, fx.review_pk, &s, &d, &c));
	sbuf_free(&d);
	sbuf_free(&c);

	/* Nor can another case's data key be spliced in. */
	assert_true(vault_seal_case(&fx.k, "0123456789ABCDEFGHJKMNPQ",
	    &(struct vault_plain){ .description = DESCR,
	    .contact_json = CONTACT }, &t));
	p = s.data_key_sealed;
	s.data_key_sealed = t.data_key_sealed;
	t.data_key_sealed = p;
	sbuf_init(&d);
	sbuf_init(&c);
	assert_false(vault_open_case(fx.review_sk, fx.review_pk, &t, &d, &c));
	sbuf_free(&d);
	sbuf_free(&c);
	t.data_key_sealed = s.data_key_sealed;
	s.data_key_sealed = p;
	sbuf_init(&d);
	assert_true(vault_open_case(fx.review_sk, fx.review_pk, &t, &d, NULL));
	sbuf_free(&d);

	/*
	 * Moving a whole case's key and ciphertext to another case (another
	 * salt) is detected: the salt is part of the additional data.
	 */
	{
		unsigned char	 salt[VAULT_SALTBYTES];

		memcpy(salt, t.complainant_salt, sizeof(salt));
		memcpy(t.complainant_salt, s.complainant_salt, sizeof(salt));
		sbuf_init(&d);
		assert_false(vault_open_case(fx.review_sk, fx.review_pk, &t,
		    &d, NULL));
		sbuf_free(&d);
		memcpy(t.complainant_salt, salt, sizeof(salt));
	}

	/* A truncated description fails. */
	t.description_len--;
	sbuf_init(&d);
	assert_false(vault_open_case(fx.review_sk, fx.review_pk, &t, &d,
	    NULL));
	sbuf_free(&d);
	t.description_len = 10;
	sbuf_init(&d);
	assert_false(vault_open_case(fx.review_sk, fx.review_pk, &t, &d,
	    NULL));
	sbuf_free(&d);
	vault_sealed_free(&s);
	vault_sealed_free(&t);
}

static void
test_complainant_keypair(void **state)
{
	struct vault_sealed	 s;
	unsigned char		 pk[32], sk[32], pk2[32], sk2[32];
	unsigned char		 salt[VAULT_SALTBYTES], check[32];
	char			 code[VAULT_RECEIPT_TEXT + 1];
	char			 norm[VAULT_RECEIPT_CHARS + 1];
	char			 other[VAULT_RECEIPT_CHARS + 1];

	vault_receipt_new(code);
	assert_true(vault_receipt_normalize(code, norm));
	assert_true(vault_seal_case(&fx.k, norm,
	    &(struct vault_plain){ .description = DESCR }, &s));

	vault_complainant_keypair(norm, s.complainant_salt, pk, sk);
	assert_memory_equal(pk, s.complainant_pk, 32);
	/* The secret half belongs to the public half. */
	crypto_scalarmult_base(check, sk);
	assert_memory_equal(check, pk, 32);

	/* Rebuilt again: the same pair. */
	vault_complainant_keypair(norm, s.complainant_salt, pk2, sk2);
	assert_memory_equal(pk2, pk, 32);
	assert_memory_equal(sk2, sk, 32);

	/* Another salt or another code: another pair. */
	memcpy(salt, s.complainant_salt, sizeof(salt));
	salt[VAULT_SALTBYTES - 1] ^= 1;
	vault_complainant_keypair(norm, salt, pk2, sk2);
	assert_memory_not_equal(pk2, s.complainant_pk, 32);
	strcpy(other, norm);
	other[0] = other[0] == '0' ? '1' : '0';
	vault_complainant_keypair(other, s.complainant_salt, pk2, sk2);
	assert_memory_not_equal(pk2, s.complainant_pk, 32);
	vault_sealed_free(&s);

	/* A second sealing of the same code gets a fresh salt and key. */
	assert_true(vault_seal_case(&fx.k, norm,
	    &(struct vault_plain){ .description = DESCR }, &s));
	assert_memory_not_equal(pk, s.complainant_pk, 32);
	vault_sealed_free(&s);
	sodium_memzero(sk, sizeof(sk));
}

static void
test_hex(void **state)
{
	static const unsigned char	 in[] = { 0x00, 0x01, 0xab, 0xff };
	char				 out[sizeof(in) * 2 + 1];

	vault_hex(in, sizeof(in), out);
	assert_string_equal(out, "0001abff");
}

/*
 * An evidence file opens only with its case's key, salt and number (the
 * additional data); its fingerprint is BLAKE2b-256 of the bytes.
 */
static void
test_evidence_box(void **state)
{
	static const unsigned char file[] = "\x89PNG pretend picture";
	unsigned char	 key[32], salt[VAULT_SALTBYTES], other[VAULT_SALTBYTES];
	unsigned char	 hash[32], *box;
	char		 hex[65];
	struct sbuf	 out;
	size_t		 len;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(salt, sizeof(salt));
	memcpy(other, salt, sizeof(other));
	other[0] ^= 1;
	box = vault_evidence_seal(key, salt, 2, file, sizeof(file), &len);
	assert_int_equal(len, sizeof(file) + 24 + 16);
	sbuf_init(&out);
	assert_true(vault_evidence_open(key, salt, 2, box, len, &out));
	assert_int_equal(out.len, sizeof(file));
	assert_memory_equal(out.data, file, sizeof(file));
	sbuf_reset(&out);
	assert_false(vault_evidence_open(key, salt, 1, box, len, &out));
	assert_false(vault_evidence_open(key, other, 2, box, len, &out));
	box[len - 1] ^= 1;
	assert_false(vault_evidence_open(key, salt, 2, box, len, &out));
	assert_false(vault_evidence_open(key, salt, 2, box, 10, &out));
	assert_int_equal(out.len, 0);
	sbuf_free(&out);
	free(box);
	vault_evidence_hash((const unsigned char *)"abc", 3, hash);
	vault_hex(hash, 32, hex);
	assert_string_equal(hex, "bddd813c634239723171ef3fee98579b"
	    "94964e3bb1cb3e427262c8c068d52319");
}

/*
 * A reply's file has a key of its own that only the review key opens;
 * each file gets a fresh key, and the number and case still bind it.
 */
static void
test_evidence_own_key(void **state)
{
	static const unsigned char file[] = "%PDF-1.4 pretend document";
	unsigned char	 sealed[VAULT_SEALED_KEYBYTES], sealed2[VAULT_SEALED_KEYBYTES];
	unsigned char	 salt[VAULT_SALTBYTES], key[CASEBOX_KEYBYTES];
	unsigned char	 key2[CASEBOX_KEYBYTES], pk[32], sk[32], *box, *box2;
	struct sbuf	 out;
	size_t		 len, len2;

	randombytes_buf(salt, sizeof(salt));
	box = vault_evidence_seal_own(fx.review_pk, salt, 7, file,
	    sizeof(file), &len, sealed);
	box2 = vault_evidence_seal_own(fx.review_pk, salt, 7, file,
	    sizeof(file), &len2, sealed2);
	assert_non_null(box);
	assert_non_null(box2);
	assert_true(casebox_key(fx.review_sk, fx.review_pk, sealed,
	    sizeof(sealed), key));
	assert_true(casebox_key(fx.review_sk, fx.review_pk, sealed2,
	    sizeof(sealed2), key2));
	assert_memory_not_equal(key, key2, sizeof(key));
	sbuf_init(&out);
	assert_true(vault_evidence_open(key, salt, 7, box, len, &out));
	assert_memory_equal(out.data, file, sizeof(file));
	sbuf_reset(&out);
	assert_false(vault_evidence_open(key, salt, 6, box, len, &out));
	assert_false(vault_evidence_open(key2, salt, 7, box, len, &out));
	/* Another key pair cannot open the file's key. */
	crypto_box_keypair(pk, sk);
	assert_false(casebox_key(sk, pk, sealed, sizeof(sealed), key));
	sbuf_free(&out);
	free(box);
	free(box2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_derive),
		cmocka_unit_test(test_receipt_format),
		cmocka_unit_test(test_receipt_distinct),
		cmocka_unit_test(test_normalize_accepts),
		cmocka_unit_test(test_normalize_rejects),
		cmocka_unit_test(test_receipt_hash),
		cmocka_unit_test(test_receipt_verify),
		cmocka_unit_test(test_token_new),
		cmocka_unit_test(test_request_hash),
		cmocka_unit_test(test_receipt_box),
		cmocka_unit_test(test_form_token),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_client_id),
		cmocka_unit_test(test_seal_open),
		cmocka_unit_test(test_seal_no_contact),
		cmocka_unit_test(test_seal_wrong_key),
		cmocka_unit_test(test_seal_tampered),
		cmocka_unit_test(test_complainant_keypair),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_evidence_box),
		cmocka_unit_test(test_evidence_own_key),
	};

	return (cmocka_run_group_tests(tests, group_setup, NULL));
}
