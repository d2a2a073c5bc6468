/* Tests the staff side's pure modules: TOTP codes and URIs against the RFC vectors, staff tokens, login hashes, CSRF, sealed TOTP secrets, the password rule, case boxes and the audit chain's links and verifier. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "recourse.h"

/* RFC 6238 appendix B: the SHA1 key is this ASCII text. */
#define RFC_SECRET	"12345678901234567890"
#define RFC_SECRET_LEN	20

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

static const unsigned char *
rfc_secret(void)
{
	return ((const unsigned char *)RFC_SECRET);
}

/* The code of a step as the six digits an app shows. */
static void
code_text(uint64_t step, char out[8])
{
	snprintf(out, 8, "%06u",
	    totp_code(rfc_secret(), RFC_SECRET_LEN, step));
}

/* ---- totp.c ---- */

static void
test_totp_rfc6238(void **state)
{
	static const struct {
		uint64_t	 t;
		unsigned int	 eight;
	} v[] = {
		{ 59ULL,		94287082 },
		{ 1111111109ULL,	 7081804 },
		{ 1111111111ULL,	14050471 },
		{ 1234567890ULL,	89005924 },
		{ 2000000000ULL,	69279037 },
		{ 20000000000ULL,	65353130 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned int	 got;

		got = totp_code(rfc_secret(), RFC_SECRET_LEN,
		    v[i].t / TOTP_PERIOD);
		if (got != v[i].eight % 1000000)
			fail_msg("t=%llu: got %06u, want %06u",
			    (unsigned long long)v[i].t, got,
			    v[i].eight % 1000000);
	}
	/* RFC 4226 appendix D, counter 0 and 1 (HOTP under the same key). */
	assert_int_equal(totp_code(rfc_secret(), RFC_SECRET_LEN, 0), 755224);
	assert_int_equal(totp_code(rfc_secret(), RFC_SECRET_LEN, 1), 287082);
	/* Another key gives another code. */
	assert_int_not_equal(totp_code((const unsigned char *)"x", 1,
	    1111111111ULL / TOTP_PERIOD), 50471);
}

static void
test_totp_verify_window(void **state)
{
	const uint64_t	 now = 1111111111ULL;
	const uint64_t	 s = now / TOTP_PERIOD;
	char		 c[5][8];
	int		 i, j;

	for (i = 0; i < 5; i++)
		code_text(s - 2 + i, c[i]);
	/* The fixed vectors must not collide, or the test proves nothing. */
	for (i = 0; i < 5; i++)
		for (j = i + 1; j < 5; j++)
			assert_string_not_equal(c[i], c[j]);

	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, c[1], now,
	    0), s - 1);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, c[2], now,
	    0), s);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, c[3], now,
	    0), s + 1);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, c[0], now,
	    0), 0);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, c[4], now,
	    0), 0);
	/* Any second within the step is the same step. */
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, c[2],
	    s * TOTP_PERIOD, 0), s);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, c[2],
	    s * TOTP_PERIOD + TOTP_PERIOD - 1, 0), s);
	/* The same code under another secret is refused. */
	assert_int_equal(totp_verify((const unsigned char *)"another secret!!!!!!",
	    20, c[2], now, 0), 0);
}

static void
test_totp_verify_vectors(void **state)
{
	/* RFC 6238 codes, including one with a leading zero, accepted. */
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, "081804",
	    1111111109ULL, 0), 1111111109ULL / TOTP_PERIOD);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, "287082",
	    59, 0), 1);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, "353130",
	    20000000000ULL, 0), 20000000000ULL / TOTP_PERIOD);
	/* Without the leading zero it is five digits, and refused. */
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, "81804",
	    1111111109ULL, 0), 0);
}

static void
test_totp_verify_replay(void **state)
{
	const uint64_t	 now = 1234567890ULL;
	const uint64_t	 s = now / TOTP_PERIOD;
	char		 prev[8], cur[8], next[8];

	code_text(s - 1, prev);
	code_text(s, cur);
	code_text(s + 1, next);

	/* The step just used cannot be used again. */
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, cur, now,
	    s - 1), s);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, cur, now,
	    s), 0);
	/* Nor can an older one, though it is in the window. */
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, prev, now,
	    s - 1), 0);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, prev, now,
	    s), 0);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, cur, now,
	    s + 1), 0);
	/* A newer one can. */
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, next, now,
	    s), s + 1);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, next, now,
	    s + 1), 0);
}

static void
test_totp_verify_format(void **state)
{
	const uint64_t	 now = 2000000000ULL;
	const uint64_t	 s = now / TOTP_PERIOD;
	char		 c[8], typed[32];
	static const char *bad[] = {
		"", " ", "      ", "27903", "2790370", "0279037", "279 03",
		"27903a", "a279037", "27903x", "２７９０３７", "279-037",
		"279\t037", "+79037", "-79037", "27903 7 7", "0x1234",
	};
	size_t		 i;

	code_text(s, c);
	assert_string_equal(c, "279037");
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, c, now, 0),
	    s);
	/* Spaces as apps show them, and stray ones around. */
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, "279 037",
	    now, 0), s);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN,
	    " 279 037 ", now, 0), s);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN,
	    "2 7 9 0 3 7", now, 0), s);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (totp_verify(rfc_secret(), RFC_SECRET_LEN, bad[i], now,
		    0) != 0)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	/* Long runs of digits are refused, without overrunning anything. */
	memset(typed, '7', sizeof(typed) - 1);
	typed[sizeof(typed) - 1] = '\0';
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, typed, now,
	    0), 0);
	{
		char	 huge[4096];

		memset(huge, '0', sizeof(huge) - 7);
		memcpy(huge + sizeof(huge) - 7, c, 7);
		assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN,
		    huge, now, 0), 0);
	}
	/* Seven digits that end or start with the right six. */
	snprintf(typed, sizeof(typed), "%s0", c);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, typed, now,
	    0), 0);
	snprintf(typed, sizeof(typed), "0%s", c);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, typed, now,
	    0), 0);
	/* Five of the six. */
	snprintf(typed, sizeof(typed), "%.5s", c);
	assert_int_equal(totp_verify(rfc_secret(), RFC_SECRET_LEN, typed, now,
	    0), 0);
}

static void
test_totp_base32(void **state)
{
	static const struct {
		const char	*in, *out;
	} v[] = {
		{ "",		"" },
		{ "f",		"MY" },
		{ "fo",		"MZXQ" },
		{ "foo",	"MZXW6" },
		{ "foob",	"MZXW6YQ" },
		{ "fooba",	"MZXW6YTB" },
		{ "foobar",	"MZXW6YTBOI" },
	};
	unsigned char	 secret[TOTP_SECRET_BYTES];
	char		 out[TOTP_SECRET_TEXT + 1 + 8];
	size_t		 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(out, 'Z', sizeof(out));
		totp_base32((const unsigned char *)v[i].in, strlen(v[i].in),
		    out, sizeof(out));
		assert_string_equal(out, v[i].out);
	}

	/* The RFC 6238 key as apps would be given it. */
	totp_base32(rfc_secret(), RFC_SECRET_LEN, out, sizeof(out));
	assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");

	/* Any 20 bytes make exactly 32 symbols of the alphabet. */
	for (i = 0; i < 100; i++) {
		size_t	 j;

		staff_totp_secret_new(secret);
		memset(out, 'x', sizeof(out));
		totp_base32(secret, sizeof(secret), out, TOTP_SECRET_TEXT + 1);
		assert_int_equal(strlen(out), TOTP_SECRET_TEXT);
		for (j = 0; j < TOTP_SECRET_TEXT; j++)
			assert_non_null(strchr(
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", out[j]));
		assert_int_equal(out[TOTP_SECRET_TEXT + 1], 'x');
	}
	memset(secret, 0xff, sizeof(secret));
	totp_base32(secret, sizeof(secret), out, TOTP_SECRET_TEXT + 1);
	assert_string_equal(out, "77777777777777777777777777777777");

	/* A short buffer is filled and terminated, never overrun. */
	memset(out, 'x', sizeof(out));
	totp_base32((const unsigned char *)"foobar", 6, out, 4);
	assert_string_equal(out, "MZX");
	assert_int_equal(out[4], 'x');
	memset(out, 'x', sizeof(out));
	totp_base32((const unsigned char *)"foobar", 6, out, 1);
	assert_int_equal(out[0], '\0');
	assert_int_equal(out[1], 'x');
	memset(out, 'x', sizeof(out));
	totp_base32((const unsigned char *)"foobar", 6, out, 0);
	assert_int_equal(out[0], 'x');
}

static void
test_totp_uri(void **state)
{
	struct sbuf	 u;

	sbuf_init(&u);
	totp_uri(&u, "Recourse", "ann@example.org",
	    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	assert_string_equal(sbuf_cstr(&u),
	    "otpauth://totp/Recourse%3Aann%40example.org"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Recourse"
	    "&algorithm=SHA1&digits=6&period=30");
	sbuf_free(&u);

	/* Reserved, blank and non-ASCII characters are escaped everywhere. */
	sbuf_init(&u);
	totp_uri(&u, "Acme & Co: R\xc3\xa9", "a b/c?d#e=f", "MY");
	assert_string_equal(sbuf_cstr(&u),
	    "otpauth://totp/Acme%20%26%20Co%3A%20R%C3%A9%3A"
	    "a%20b%2Fc%3Fd%23e%3Df"
	    "?secret=MY&issuer=Acme%20%26%20Co%3A%20R%C3%A9"
	    "&algorithm=SHA1&digits=6&period=30");
	sbuf_free(&u);

	/* RFC 3986's unreserved characters stay as they are. */
	sbuf_init(&u);
	totp_uri(&u, "A-Z_a.z~09", "x", "MY");
	assert_string_equal(sbuf_cstr(&u),
	    "otpauth://totp/A-Z_a.z~09%3Ax?secret=MY&issuer=A-Z_a.z~09"
	    "&algorithm=SHA1&digits=6&period=30");
	sbuf_free(&u);
}

/* ---- staffauth.c ---- */

static int
is_lower_hex(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (0);
	return (1);
}

static void
test_token_new(void **state)
{
	char	 a[STAFF_TOKEN_TEXT + 1], b[STAFF_TOKEN_TEXT + 1];
	int	 n;

	for (n = 0; n < 200; n++) {
		memset(a, 'x', sizeof(a));
		memset(b, 'x', sizeof(b));
		staff_token_new(a);
		staff_token_new(b);
		assert_int_equal(strlen(a), 64);
		assert_int_equal(strlen(b), 64);
		assert_true(is_lower_hex(a, 64));
		assert_true(is_lower_hex(b, 64));
		assert_string_not_equal(a, b);
	}
}

static void
test_token_hash(void **state)
{
	char		 a[STAFF_TOKEN_TEXT + 1], b[STAFF_TOKEN_TEXT + 1];
	char		 t[STAFF_TOKEN_TEXT + 2];
	unsigned char	 ha[VAULT_HASHBYTES], ha2[VAULT_HASHBYTES];
	unsigned char	 hb[VAULT_HASHBYTES], want[VAULT_HASHBYTES];
	unsigned char	 h[VAULT_HASHBYTES];

	staff_token_new(a);
	staff_token_new(b);
	assert_true(staff_token_hash(a, ha));
	assert_true(staff_token_hash(a, ha2));
	assert_true(staff_token_hash(b, hb));
	assert_memory_equal(ha, ha2, sizeof(ha));
	assert_memory_not_equal(ha, hb, sizeof(ha));
	/* Unkeyed BLAKE2b-256 of the text, as documented. */
	crypto_generichash(want, sizeof(want), (const unsigned char *)a, 64,
	    NULL, 0);
	assert_memory_equal(ha, want, sizeof(ha));

	/* A fixed all-hex token is accepted, in every digit. */
	assert_true(staff_token_hash(
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	    h));

	assert_false(staff_token_hash(NULL, h));
	assert_false(staff_token_hash("", h));
	/* Upper case. */
	memcpy(t, a, sizeof(a));
	t[10] = 'A';
	assert_false(staff_token_hash(t, h));
	assert_false(staff_token_hash(
	    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	    h));
	/* Not hex. */
	memcpy(t, a, sizeof(a));
	t[63] = 'g';
	assert_false(staff_token_hash(t, h));
	t[63] = ' ';
	assert_false(staff_token_hash(t, h));
	t[63] = '\xc3';
	assert_false(staff_token_hash(t, h));
	/* 63 and 65 characters. */
	memcpy(t, a, sizeof(a));
	t[63] = '\0';
	assert_false(staff_token_hash(t, h));
	memcpy(t, a, sizeof(a));
	t[64] = '0';
	t[65] = '\0';
	assert_false(staff_token_hash(t, h));
}

static void
test_login_normalize(void **state)
{
	char	 out[STAFF_LOGIN_MAX + 1];
	char	 in[STAFF_LOGIN_MAX + 8];
	char	 small[5];

	assert_true(staff_login_normalize("  Ann.Smith\t ", out, sizeof(out)));
	assert_string_equal(out, "ann.smith");
	assert_true(staff_login_normalize("\tBOB", out, sizeof(out)));
	assert_string_equal(out, "bob");
	assert_true(staff_login_normalize("x", out, sizeof(out)));
	assert_string_equal(out, "x");
	/* Inner blanks stay; only ASCII letters change case. */
	assert_true(staff_login_normalize(" Ann  Lee ", out, sizeof(out)));
	assert_string_equal(out, "ann  lee");
	assert_true(staff_login_normalize("Z@[\\]^_`AZaz09\xc3\x89", out,
	    sizeof(out)));
	assert_string_equal(out, "z@[\\]^_`azaz09\xc3\x89");

	assert_false(staff_login_normalize("", out, sizeof(out)));
	assert_false(staff_login_normalize(" ", out, sizeof(out)));
	assert_false(staff_login_normalize(" \t \t", out, sizeof(out)));

	/* Exactly what fits, then one more. */
	memset(in, 'A', STAFF_LOGIN_MAX);
	in[STAFF_LOGIN_MAX] = '\0';
	assert_true(staff_login_normalize(in, out, sizeof(out)));
	assert_int_equal(strlen(out), STAFF_LOGIN_MAX);
	assert_int_equal(out[0], 'a');
	memset(in, 'A', STAFF_LOGIN_MAX + 1);
	in[STAFF_LOGIN_MAX + 1] = '\0';
	assert_false(staff_login_normalize(in, out, sizeof(out)));
	/* Blanks around do not count against the length. */
	snprintf(in, sizeof(in), "  %s  ", "abcd");
	memset(small, 'x', sizeof(small));
	assert_true(staff_login_normalize(in, small, sizeof(small)));
	assert_string_equal(small, "abcd");
	assert_false(staff_login_normalize("abcde", small, sizeof(small)));
	assert_false(staff_login_normalize("a", small, 1));
	assert_false(staff_login_normalize("a", small, 0));
}

static void
test_login_hash(void **state)
{
	unsigned char	 a[VAULT_HASHBYTES], a2[VAULT_HASHBYTES];
	unsigned char	 b[VAULT_HASHBYTES], ak2[VAULT_HASHBYTES];
	unsigned char	 ab[VAULT_HASHBYTES], want[VAULT_HASHBYTES];
	char		 n1[STAFF_LOGIN_MAX + 1], n2[STAFF_LOGIN_MAX + 1];

	staff_login_hash(&fx.k, "ann", a);
	staff_login_hash(&fx.k, "ann", a2);
	staff_login_hash(&fx.k, "bob", b);
	staff_login_hash(&fx.k, "annb", ab);
	staff_login_hash(&fx.k2, "ann", ak2);
	assert_memory_equal(a, a2, sizeof(a));
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, ab, sizeof(a));
	assert_memory_not_equal(a, ak2, sizeof(a));
	/* Keyed: not the plain hash of the name. */
	crypto_generichash(want, sizeof(want), (const unsigned char *)"ann", 3,
	    NULL, 0);
	assert_memory_not_equal(a, want, sizeof(a));
	/* Keyed with the login key, not another purpose's key. */
	crypto_generichash(want, sizeof(want), (const unsigned char *)"ann", 3,
	    fx.k.login, sizeof(fx.k.login));
	assert_memory_equal(a, want, sizeof(a));

	/* Spellings that normalize alike hash alike. */
	assert_true(staff_login_normalize(" ANN ", n1, sizeof(n1)));
	assert_true(staff_login_normalize("ann", n2, sizeof(n2)));
	staff_login_hash(&fx.k, n1, a2);
	assert_memory_equal(a, a2, sizeof(a));
	staff_login_hash(&fx.k, n2, a2);
	assert_memory_equal(a, a2, sizeof(a));
}

static void
test_csrf(void **state)
{
	char	 s1[STAFF_TOKEN_TEXT + 1], s2[STAFF_TOKEN_TEXT + 1];
	char	 c1[STAFF_TOKEN_TEXT + 1], c1b[STAFF_TOKEN_TEXT + 1];
	char	 c2[STAFF_TOKEN_TEXT + 1], t[STAFF_TOKEN_TEXT + 2];
	size_t	 i;

	staff_token_new(s1);
	staff_token_new(s2);
	staff_csrf(&fx.k, s1, c1);
	staff_csrf(&fx.k, s1, c1b);
	staff_csrf(&fx.k, s2, c2);
	assert_int_equal(strlen(c1), 64);
	assert_true(is_lower_hex(c1, 64));
	assert_string_equal(c1, c1b);
	assert_string_not_equal(c1, c2);
	/* Not the session token itself, nor its plain hash. */
	assert_string_not_equal(c1, s1);
	{
		unsigned char	 mac[STAFF_TOKEN_TEXT / 2];
		char		 want[STAFF_TOKEN_TEXT + 1];

		crypto_generichash(mac, sizeof(mac), (const unsigned char *)s1,
		    64, NULL, 0);
		sodium_bin2hex(want, sizeof(want), mac, sizeof(mac));
		assert_string_not_equal(c1, want);
		/* Keyed with the session key, not another purpose's key. */
		crypto_generichash(mac, sizeof(mac), (const unsigned char *)s1,
		    64, fx.k.session, sizeof(fx.k.session));
		sodium_bin2hex(want, sizeof(want), mac, sizeof(mac));
		assert_string_equal(c1, want);
	}

	assert_true(staff_csrf_check(&fx.k, s1, c1));
	assert_true(staff_csrf_check(&fx.k, s2, c2));
	/* Another session's token, or another master key. */
	assert_false(staff_csrf_check(&fx.k, s1, c2));
	assert_false(staff_csrf_check(&fx.k, s2, c1));
	assert_false(staff_csrf_check(&fx.k2, s1, c1));
	/* The session token as its own CSRF token. */
	assert_false(staff_csrf_check(&fx.k, s1, s1));
	/* NULLs and the wrong length. */
	assert_false(staff_csrf_check(&fx.k, s1, NULL));
	assert_false(staff_csrf_check(&fx.k, NULL, c1));
	assert_false(staff_csrf_check(&fx.k, s1, ""));
	memcpy(t, c1, sizeof(c1));
	t[63] = '\0';
	assert_false(staff_csrf_check(&fx.k, s1, t));
	memcpy(t, c1, sizeof(c1));
	t[64] = '0';
	t[65] = '\0';
	assert_false(staff_csrf_check(&fx.k, s1, t));
	/* Any one character changed. */
	for (i = 0; i < 64; i++) {
		memcpy(t, c1, sizeof(c1));
		t[i] = t[i] == '0' ? '1' : '0';
		if (staff_csrf_check(&fx.k, s1, t))
			fail_msg("accepted a token changed at %zu", i);
	}
	/* Upper case is another token. */
	memcpy(t, c1, sizeof(c1));
	for (i = 0; i < 64; i++)
		if (t[i] >= 'a' && t[i] <= 'f')
			t[i] -= 32;
	if (strcmp(t, c1) != 0)
		assert_false(staff_csrf_check(&fx.k, s1, t));
}

static void
test_totp_seal_open(void **state)
{
	unsigned char	 secret[TOTP_SECRET_BYTES], back[TOTP_SECRET_BYTES];
	unsigned char	 box[STAFF_TOTP_BOX_BYTES], box2[STAFF_TOTP_BOX_BYTES];
	unsigned char	 t[STAFF_TOTP_BOX_BYTES + 1];
	size_t		 i;

	assert_int_equal(STAFF_TOTP_BOX_BYTES,
	    crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
	    TOTP_SECRET_BYTES);
	staff_totp_secret_new(secret);
	staff_totp_secret_new(back);
	assert_memory_not_equal(secret, back, sizeof(secret));

	staff_totp_seal(&fx.k, secret, box);
	staff_totp_seal(&fx.k, secret, box2);
	/* A fresh nonce each time. */
	assert_memory_not_equal(box, box2, sizeof(box));
	/* The secret does not appear in the box. */
	assert_null(memmem(box, sizeof(box), secret, sizeof(secret)));

	memset(back, 0, sizeof(back));
	assert_true(staff_totp_open(&fx.k, box, sizeof(box), back));
	assert_memory_equal(secret, back, sizeof(secret));
	memset(back, 0, sizeof(back));
	assert_true(staff_totp_open(&fx.k, box2, sizeof(box2), back));
	assert_memory_equal(secret, back, sizeof(secret));

	/* Another master key. */
	assert_false(staff_totp_open(&fx.k2, box, sizeof(box), back));
	/* Any byte flipped: nonce, tag or ciphertext. */
	for (i = 0; i < sizeof(box); i++) {
		memcpy(t, box, sizeof(box));
		t[i] ^= 0x01;
		if (staff_totp_open(&fx.k, t, sizeof(box), back))
			fail_msg("opened a box flipped at %zu", i);
	}
	/* Wrong lengths. */
	memcpy(t, box, sizeof(box));
	t[sizeof(box)] = 0;
	assert_false(staff_totp_open(&fx.k, t, sizeof(box) + 1, back));
	assert_false(staff_totp_open(&fx.k, box, sizeof(box) - 1, back));
	assert_false(staff_totp_open(&fx.k, box, 0, back));
	assert_false(staff_totp_open(&fx.k, box, crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES, back));

	/*
	 * Boxes made under the right key around a longer or shorter secret
	 * are refused by length, so nothing is written past secret[20].
	 */
	{
		unsigned char	 longer[TOTP_SECRET_BYTES + 1];
		unsigned char	 lbox[STAFF_TOTP_BOX_BYTES + 1];
		unsigned char	 sbox[STAFF_TOTP_BOX_BYTES - 1];
		unsigned char	 guard[TOTP_SECRET_BYTES + 16];

		randombytes_buf(longer, sizeof(longer));
		randombytes_buf(lbox, crypto_secretbox_NONCEBYTES);
		assert_int_equal(crypto_secretbox_easy(
		    lbox + crypto_secretbox_NONCEBYTES, longer, sizeof(longer),
		    lbox, fx.k.totp), 0);
		memset(guard, 0xaa, sizeof(guard));
		assert_false(staff_totp_open(&fx.k, lbox, sizeof(lbox),
		    guard));
		for (i = TOTP_SECRET_BYTES; i < sizeof(guard); i++)
			assert_int_equal(guard[i], 0xaa);
		randombytes_buf(sbox, crypto_secretbox_NONCEBYTES);
		assert_int_equal(crypto_secretbox_easy(
		    sbox + crypto_secretbox_NONCEBYTES, longer,
		    TOTP_SECRET_BYTES - 1, sbox, fx.k.totp), 0);
		assert_false(staff_totp_open(&fx.k, sbox, sizeof(sbox),
		    guard));
	}
}

static char *
repeat(const char *unit, size_t times, size_t *len)
{
	size_t	 u, i;
	char	*s;

	u = strlen(unit);
	*len = u * times;
	if ((s = malloc(*len + 1)) == NULL)
		abort();
	for (i = 0; i < times; i++)
		memcpy(s + i * u, unit, u);
	s[*len] = '\0';
	return (s);
}

/* The rule for n copies of unit: NULL when acceptable. */
static const char *
pw_rule(const char *unit, size_t times)
{
	const char	*r;
	size_t		 len;
	char		*s;

	s = repeat(unit, times, &len);
	r = staff_password_problem(s, len);
	free(s);
	return (r);
}

static void
test_password_length(void **state)
{
	static const char *units[] = {
		"a",			/* 1 byte */
		"\xc3\xa9",		/* é, 2 bytes */
		"\xe2\x82\xac",		/* €, 3 bytes */
		"\xf0\x9f\x94\x91",	/* U+1F511, 4 bytes */
	};
	const char	*r;
	size_t		 i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if ((r = pw_rule(units[i], 12)) != NULL)
			fail_msg("unit %zu x 12: %s", i, r);
		if ((r = pw_rule(units[i], 13)) != NULL)
			fail_msg("unit %zu x 13: %s", i, r);
		if ((r = pw_rule(units[i], 64)) != NULL)
			fail_msg("unit %zu x 64: %s", i, r);
		if ((r = pw_rule(units[i], 128)) != NULL)
			fail_msg("unit %zu x 128: %s", i, r);
		r = pw_rule(units[i], 11);
		assert_non_null(r);
		assert_non_null(strstr(r, "12"));
		r = pw_rule(units[i], 0);
		assert_non_null(r);
		assert_non_null(strstr(r, "12"));
		r = pw_rule(units[i], 129);
		assert_non_null(r);
		assert_non_null(strstr(r, "128"));
	}
	/* Characters, not bytes: 12 × é is 24 bytes and enough... */
	assert_null(staff_password_problem(
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 24));
	/* ...and 11 × é is 22 bytes and not. */
	assert_non_null(staff_password_problem(
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 22));
	/* The length given is what counts, not the terminator. */
	assert_non_null(staff_password_problem("abcdefghijklmnop", 11));
	assert_null(staff_password_problem("abcdefghijklmnop", 12));
	assert_non_null(staff_password_problem("", 0));
}

static void
test_password_invalid(void **state)
{
	static const struct {
		const char	*s;
		size_t		 len;
	} bad[] = {
		{ "abcdefghijk\xff", 12 },		/* not UTF-8 at all */
		{ "abcdefghijkl\x80", 13 },		/* lone continuation */
		{ "abcdefghijk\xc3", 12 },		/* cut short */
		{ "abcdefghijk\xe2\x82", 13 },		/* cut short */
		{ "abcdefghijkl\xc0\xaf", 14 },		/* overlong '/' */
		{ "abcdefghijkl\xe0\x80\xaf", 15 },	/* overlong '/' */
		{ "abcdefghijkl\xed\xa0\x80", 15 },	/* surrogate */
		{ "abcdefghijkl\xf4\x90\x80\x80", 16 },	/* above U+10FFFF */
		{ "\xc3\xa9\xc3(abcdefghijklmn", 18 },	/* bad in the middle */
	};
	size_t		 i, len;
	char		*s;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (staff_password_problem(bad[i].s, bad[i].len) == NULL)
			fail_msg("accepted invalid UTF-8 %zu", i);
	}

	/* Huge inputs are refused without a crash or a long count. */
	s = repeat("a", 100000, &len);
	assert_non_null(staff_password_problem(s, len));
	free(s);
	s = repeat("\xc3\xa9", 50000, &len);
	assert_non_null(staff_password_problem(s, len));
	free(s);
	s = repeat("\xff", 100000, &len);
	assert_non_null(staff_password_problem(s, len));
	free(s);
	/* 129 four-byte characters: 516 bytes, just past the byte cap. */
	s = repeat("\xf0\x9f\x94\x91", 129, &len);
	assert_non_null(staff_password_problem(s, len));
	free(s);
}

/* ---- casebox.c ---- */

static void
test_casebox_seal_open(void **state)
{
	unsigned char	 pk[32], sk[32], pk2[32], sk2[32];
	unsigned char	*box, *empty;
	size_t		 boxlen, emptylen, i;
	struct sbuf	 out;
	const char	*text = "Your case was reviewed: r\xc3\xa9sum\xc3\xa9.";

	assert_int_equal(crypto_box_keypair(pk, sk), 0);
	assert_int_equal(crypto_box_keypair(pk2, sk2), 0);

	box = casebox_seal_to(pk, text, &boxlen);
	assert_non_null(box);
	assert_int_equal(boxlen, strlen(text) + crypto_box_SEALBYTES);
	assert_null(memmem(box, boxlen, "reviewed", 8));

	sbuf_init(&out);
	assert_true(casebox_open_sealed(pk, sk, box, boxlen, &out));
	assert_int_equal(out.len, strlen(text));
	assert_memory_equal(out.data, text, out.len);
	sbuf_free(&out);

	/* Another key pair, or a mixed one. */
	sbuf_init(&out);
	assert_false(casebox_open_sealed(pk2, sk2, box, boxlen, &out));
	assert_false(casebox_open_sealed(pk, sk2, box, boxlen, &out));
	assert_false(casebox_open_sealed(pk2, sk, box, boxlen, &out));
	assert_int_equal(out.len, 0);
	/* Any byte flipped. */
	for (i = 0; i < boxlen; i++) {
		box[i] ^= 0x80;
		if (casebox_open_sealed(pk, sk, box, boxlen, &out))
			fail_msg("opened a box flipped at %zu", i);
		box[i] ^= 0x80;
	}
	/* Cut short, down to nothing. */
	assert_false(casebox_open_sealed(pk, sk, box, boxlen - 1, &out));
	assert_false(casebox_open_sealed(pk, sk, box, crypto_box_SEALBYTES,
	    &out));
	assert_false(casebox_open_sealed(pk, sk, box, crypto_box_SEALBYTES - 1,
	    &out));
	assert_false(casebox_open_sealed(pk, sk, box, 0, &out));
	assert_int_equal(out.len, 0);
	/* Untouched, it still opens. */
	assert_true(casebox_open_sealed(pk, sk, box, boxlen, &out));
	assert_int_equal(out.len, strlen(text));
	sbuf_free(&out);

	/* Sealing twice gives different boxes (fresh ephemeral key). */
	{
		unsigned char	*again;
		size_t		 againlen;

		again = casebox_seal_to(pk, text, &againlen);
		assert_int_equal(againlen, boxlen);
		assert_memory_not_equal(again, box, boxlen);
		free(again);
	}
	free(box);

	/* An empty text makes a box that opens to nothing. */
	empty = casebox_seal_to(pk, "", &emptylen);
	assert_int_equal(emptylen, crypto_box_SEALBYTES);
	sbuf_init(&out);
	assert_true(casebox_open_sealed(pk, sk, empty, emptylen, &out));
	assert_int_equal(out.len, 0);
	assert_false(casebox_open_sealed(pk2, sk2, empty, emptylen, &out));
	sbuf_free(&out);
	free(empty);
}

static void
test_casebox_key(void **state)
{
	unsigned char	 dk[CASEBOX_KEYBYTES], back[CASEBOX_KEYBYTES];
	unsigned char	 sealed[crypto_box_SEALBYTES + CASEBOX_KEYBYTES + 1];
	unsigned char	 shortsealed[crypto_box_SEALBYTES + CASEBOX_KEYBYTES - 1];
	unsigned char	 pk2[32], sk2[32];
	const size_t	 len = crypto_box_SEALBYTES + CASEBOX_KEYBYTES;
	size_t		 i;

	randombytes_buf(dk, sizeof(dk));
	assert_int_equal(crypto_box_seal(sealed, dk, sizeof(dk),
	    fx.review_pk), 0);
	sealed[len] = 0;

	memset(back, 0, sizeof(back));
	assert_true(casebox_key(fx.review_sk, fx.review_pk, sealed, len,
	    back));
	assert_memory_equal(dk, back, sizeof(dk));

	/* Wrong lengths, even with the right bytes in front. */
	assert_false(casebox_key(fx.review_sk, fx.review_pk, sealed, len - 1,
	    back));
	assert_false(casebox_key(fx.review_sk, fx.review_pk, sealed, len + 1,
	    back));
	assert_false(casebox_key(fx.review_sk, fx.review_pk, sealed, 0, back));
	/* A 31-byte key, sealed properly, is not a data key. */
	assert_int_equal(crypto_box_seal(shortsealed, dk, sizeof(dk) - 1,
	    fx.review_pk), 0);
	assert_false(casebox_key(fx.review_sk, fx.review_pk, shortsealed,
	    sizeof(shortsealed), back));

	/* A 33-byte key, sealed properly, is refused before it is opened. */
	{
		unsigned char	 longkey[CASEBOX_KEYBYTES + 1];
		unsigned char	 longsealed[crypto_box_SEALBYTES +
				    CASEBOX_KEYBYTES + 1];
		unsigned char	 guard[CASEBOX_KEYBYTES + 16];

		randombytes_buf(longkey, sizeof(longkey));
		assert_int_equal(crypto_box_seal(longsealed, longkey,
		    sizeof(longkey), fx.review_pk), 0);
		memset(guard, 0xaa, sizeof(guard));
		assert_false(casebox_key(fx.review_sk, fx.review_pk,
		    longsealed, sizeof(longsealed), guard));
		for (i = CASEBOX_KEYBYTES; i < sizeof(guard); i++)
			assert_int_equal(guard[i], 0xaa);
	}

	/* Another review key pair. */
	assert_int_equal(crypto_box_keypair(pk2, sk2), 0);
	assert_false(casebox_key(sk2, pk2, sealed, len, back));
	assert_false(casebox_key(sk2, fx.review_pk, sealed, len, back));
	/* Tampered. */
	for (i = 0; i < len; i++) {
		sealed[i] ^= 0x01;
		if (casebox_key(fx.review_sk, fx.review_pk, sealed, len, back))
			fail_msg("opened a data key flipped at %zu", i);
		sealed[i] ^= 0x01;
	}
	/* The vault seals case keys the same way casebox_key opens them. */
	{
		struct vault_sealed	 s;

		memset(&s, 0, sizeof(s));
		assert_true(vault_seal_case(&fx.k, "ABCDEFGHJKMNPQRSTVWXYZ01",
		    &(struct vault_plain){ .description = "what happened" }, &s));
		assert_int_equal(s.data_key_sealed_len, len);
		assert_true(casebox_key(fx.review_sk, fx.review_pk,
		    s.data_key_sealed, s.data_key_sealed_len, back));
		vault_sealed_free(&s);
	}
}

/* ---- audit.c ---- */

static const struct audit_event base_event = {
	7, 42, "2025-01-02 03:04:05.678+00", "staff:3", "case.read",
	"case:17", "{\"why\": \"review\"}"
};

static void
link_of(const unsigned char *key, const unsigned char *prev,
    const struct audit_event *e, unsigned char out[VAULT_HASHBYTES])
{
	audit_link_hash(key, prev, e, out);
}

static void
test_audit_link_hash(void **state)
{
	unsigned char		 prev[VAULT_HASHBYTES], prev2[VAULT_HASHBYTES];
	unsigned char		 h[VAULT_HASHBYTES], again[VAULT_HASHBYTES];
	unsigned char		 other[VAULT_HASHBYTES], zero[VAULT_HASHBYTES];
	struct audit_event	 e;
	int			 field;

	randombytes_buf(prev, sizeof(prev));
	memcpy(prev2, prev, sizeof(prev));
	prev2[31] ^= 1;
	memset(zero, 0, sizeof(zero));

	link_of(fx.k.audit, prev, &base_event, h);
	link_of(fx.k.audit, prev, &base_event, again);
	assert_memory_equal(h, again, sizeof(h));
	assert_memory_not_equal(h, zero, sizeof(h));

	/* Each field, one at a time, and the chain and key. */
	for (field = 0; field < 9; field++) {
		e = base_event;
		switch (field) {
		case 0: e.seq = 8; break;
		case 1: e.event_id = 43; break;
		case 2: e.at = "2025-01-02 03:04:05.679+00"; break;
		case 3: e.actor = "staff:4"; break;
		case 4: e.action = "case.reads"; break;
		case 5: e.object = ""; break;
		case 6: e.detail = "{\"why\": \"reviews\"}"; break;
		}
		if (field == 7)
			link_of(fx.k.audit, prev2, &e, other);
		else if (field == 8)
			link_of(fx.k2.audit, prev, &e, other);
		else
			link_of(fx.k.audit, prev, &e, other);
		if (memcmp(h, other, sizeof(h)) == 0)
			fail_msg("field %d does not change the link", field);
	}
	/* A different purpose key from the same master changes it too. */
	link_of(fx.k.login, prev, &base_event, other);
	assert_memory_not_equal(h, other, sizeof(h));

	/* Big seq and event numbers are hashed in full (all 64 bits). */
	e = base_event;
	e.seq = base_event.seq + (1ULL << 32);
	link_of(fx.k.audit, prev, &e, other);
	assert_memory_not_equal(h, other, sizeof(h));
	e = base_event;
	e.event_id = base_event.event_id | (1ULL << 63);
	link_of(fx.k.audit, prev, &e, other);
	assert_memory_not_equal(h, other, sizeof(h));

	/* Swapping seq and event_id is another event. */
	e = base_event;
	e.seq = base_event.event_id;
	e.event_id = base_event.seq;
	link_of(fx.k.audit, prev, &e, other);
	assert_memory_not_equal(h, other, sizeof(h));

	/* Length prefixes: the same bytes split differently differ. */
	e = base_event;
	e.actor = "ab";
	e.action = "c";
	link_of(fx.k.audit, prev, &e, h);
	e.actor = "a";
	e.action = "bc";
	link_of(fx.k.audit, prev, &e, other);
	assert_memory_not_equal(h, other, sizeof(h));
	e = base_event;
	e.object = "x";
	e.detail = "";
	link_of(fx.k.audit, prev, &e, h);
	e.object = "";
	e.detail = "x";
	link_of(fx.k.audit, prev, &e, other);
	assert_memory_not_equal(h, other, sizeof(h));
	/* Swapping two fields' values differs too. */
	e = base_event;
	e.actor = "system";
	e.action = "login";
	link_of(fx.k.audit, prev, &e, h);
	e.actor = "login";
	e.action = "system";
	link_of(fx.k.audit, prev, &e, other);
	assert_memory_not_equal(h, other, sizeof(h));
}

static void
put_u64(crypto_generichash_state *st, uint64_t v)
{
	unsigned char	 b[8];
	int		 i;

	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = v & 0xff;
	crypto_generichash_update(st, b, sizeof(b));
}

static void
put_text(crypto_generichash_state *st, const char *s)
{
	put_u64(st, strlen(s));
	crypto_generichash_update(st, (const unsigned char *)s, strlen(s));
}

/*
 * The link format stored chains depend on, rebuilt independently: keyed
 * BLAKE2b-256 of "recourse:audit:v1" || prev || seq || event_id, then each
 * text as a big-endian 64-bit length and its bytes.
 */
static void
test_audit_link_format(void **state)
{
	crypto_generichash_state	 st;
	unsigned char			 key[VAULT_KEYBYTES];
	unsigned char			 prev[VAULT_HASHBYTES];
	unsigned char			 want[VAULT_HASHBYTES];
	unsigned char			 got[VAULT_HASHBYTES];
	const struct audit_event	*e = &base_event;
	size_t				 i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < sizeof(prev); i++)
		prev[i] = (unsigned char)(0xff - i);
	crypto_generichash_init(&st, key, sizeof(key), sizeof(want));
	crypto_generichash_update(&st,
	    (const unsigned char *)"recourse:audit:v1", 17);
	crypto_generichash_update(&st, prev, sizeof(prev));
	put_u64(&st, e->seq);
	put_u64(&st, e->event_id);
	put_text(&st, e->at);
	put_text(&st, e->actor);
	put_text(&st, e->action);
	put_text(&st, e->object);
	put_text(&st, e->detail);
	crypto_generichash_final(&st, want, sizeof(want));

	audit_link_hash(key, prev, e, got);
	assert_memory_equal(got, want, sizeof(got));
}

#define CHAIN	5

struct chain {
	struct audit_event	 e[CHAIN];
	char			 at[CHAIN][32];
	char			 object[CHAIN][16];
	unsigned char		 link[CHAIN][VAULT_HASHBYTES];
};

/* Seals CHAIN events the way the service does: each over the one before. */
static void
chain_build(struct chain *c, const unsigned char *key)
{
	unsigned char	 prev[VAULT_HASHBYTES];
	int		 i;

	memset(c, 0, sizeof(*c));
	memset(prev, 0, sizeof(prev));
	for (i = 0; i < CHAIN; i++) {
		snprintf(c->at[i], sizeof(c->at[i]),
		    "2025-03-0%d 10:00:00+00", i + 1);
		snprintf(c->object[i], sizeof(c->object[i]), "case:%d",
		    100 + i);
		c->e[i].seq = (uint64_t)i + 1;
		c->e[i].event_id = 1000 + (uint64_t)i * 3;
		c->e[i].at = c->at[i];
		c->e[i].actor = i % 2 ? "staff:1" : "system";
		c->e[i].action = "case.read";
		c->e[i].object = c->object[i];
		c->e[i].detail = "{}";
		audit_link_hash(key, prev, &c->e[i], c->link[i]);
		memcpy(prev, c->link[i], sizeof(prev));
	}
}

static void
test_audit_verify_good(void **state)
{
	struct chain		 c;
	struct audit_verifier	 v;
	int			 i;

	chain_build(&c, fx.k.audit);
	audit_verifier_init(&v, fx.k.audit);
	assert_null(v.broken);
	assert_int_equal(v.verified, 0);
	assert_int_equal(v.next_seq, 1);
	for (i = 0; i < CHAIN; i++)
		assert_int_equal(audit_verify_next(&v, &c.e[i], c.link[i],
		    VAULT_HASHBYTES), 1);
	assert_null(v.broken);
	assert_int_equal(v.verified, CHAIN);
	assert_int_equal(v.next_seq, CHAIN + 1);
	assert_memory_equal(v.prev, c.link[CHAIN - 1], VAULT_HASHBYTES);

	/* The same chain under another key does not verify. */
	audit_verifier_init(&v, fx.k2.audit);
	assert_int_equal(audit_verify_next(&v, &c.e[0], c.link[0],
	    VAULT_HASHBYTES), 0);
	assert_non_null(v.broken);
	assert_int_equal(v.broken_seq, 1);
	assert_int_equal(v.verified, 0);
}

/* Runs the verifier over a chain; returns how many calls returned 1. */
static int
verify_all(struct audit_verifier *v, const struct chain *c)
{
	int	 i, ok;

	audit_verifier_init(v, fx.k.audit);
	for (ok = 0, i = 0; i < CHAIN; i++)
		ok += audit_verify_next(v, &c->e[i], c->link[i],
		    VAULT_HASHBYTES);
	return (ok);
}

static void
test_audit_verify_changed(void **state)
{
	struct chain		 c;
	struct audit_verifier	 v;
	int			 field;

	/* Any field of link 3 changed after sealing breaks at seq 3. */
	for (field = 0; field < 7; field++) {
		chain_build(&c, fx.k.audit);
		switch (field) {
		case 0: c.e[2].event_id++; break;
		case 1: c.at[2][0] = '3'; break;
		case 2: c.e[2].actor = "staff:2"; break;
		case 3: c.e[2].action = "case.close"; break;
		case 4: c.object[2][5] = '9'; break;
		case 5: c.e[2].detail = "{\"x\":1}"; break;
		case 6: c.link[2][0] ^= 1; break;
		}
		assert_int_equal(verify_all(&v, &c), 2);
		if (v.broken == NULL)
			fail_msg("change %d not found", field);
		assert_int_equal(v.broken_seq, 3);
		assert_int_equal(v.broken_event, c.e[2].event_id);
		assert_int_equal(v.verified, 2);
	}

	/* A changed stored link 4 also breaks at 4, not earlier. */
	chain_build(&c, fx.k.audit);
	c.link[3][31] ^= 0x80;
	assert_int_equal(verify_all(&v, &c), 3);
	assert_int_equal(v.broken_seq, 4);

	/* Link 5 resealed over a forged link 4 still breaks at 4. */
	chain_build(&c, fx.k.audit);
	c.e[3].detail = "{\"forged\":true}";
	audit_link_hash(fx.k.audit, c.link[2], &c.e[3], c.link[3]);
	c.e[3].detail = "{}";
	audit_link_hash(fx.k.audit, c.link[3], &c.e[4], c.link[4]);
	assert_int_equal(verify_all(&v, &c), 3);
	assert_int_equal(v.broken_seq, 4);

	/* A link sealed over the wrong predecessor (zeros) breaks. */
	chain_build(&c, fx.k.audit);
	{
		unsigned char	 zero[VAULT_HASHBYTES];

		memset(zero, 0, sizeof(zero));
		audit_link_hash(fx.k.audit, zero, &c.e[2], c.link[2]);
	}
	assert_int_equal(verify_all(&v, &c), 2);
	assert_int_equal(v.broken_seq, 3);

	/* A stored link of the wrong length breaks. */
	chain_build(&c, fx.k.audit);
	audit_verifier_init(&v, fx.k.audit);
	assert_int_equal(audit_verify_next(&v, &c.e[0], c.link[0],
	    VAULT_HASHBYTES - 1), 0);
	assert_non_null(v.broken);
	assert_int_equal(v.broken_seq, 1);
	audit_verifier_init(&v, fx.k.audit);
	assert_int_equal(audit_verify_next(&v, &c.e[0], NULL, 0), 0);
	assert_non_null(v.broken);
}

static void
test_audit_verify_skipped(void **state)
{
	struct chain		 c;
	struct audit_verifier	 v;
	const char		*why;

	chain_build(&c, fx.k.audit);
	audit_verifier_init(&v, fx.k.audit);
	assert_int_equal(audit_verify_next(&v, &c.e[0], c.link[0],
	    VAULT_HASHBYTES), 1);
	assert_int_equal(audit_verify_next(&v, &c.e[1], c.link[1],
	    VAULT_HASHBYTES), 1);
	/* Link 3 deleted: 4 comes next. */
	assert_int_equal(audit_verify_next(&v, &c.e[3], c.link[3],
	    VAULT_HASHBYTES), 0);
	assert_non_null(v.broken);
	assert_int_equal(v.broken_seq, 3);
	assert_int_equal(v.verified, 2);
	why = v.broken;
	/* Later calls return 0, even for the good links, and keep the first. */
	assert_int_equal(audit_verify_next(&v, &c.e[2], c.link[2],
	    VAULT_HASHBYTES), 0);
	assert_int_equal(audit_verify_next(&v, &c.e[4], c.link[4],
	    VAULT_HASHBYTES), 0);
	assert_ptr_equal(v.broken, why);
	assert_int_equal(v.broken_seq, 3);
	assert_int_equal(v.verified, 2);

	/* The first link missing: the chain starts at 1. */
	audit_verifier_init(&v, fx.k.audit);
	assert_int_equal(audit_verify_next(&v, &c.e[1], c.link[1],
	    VAULT_HASHBYTES), 0);
	assert_int_equal(v.broken_seq, 1);
	assert_int_equal(v.verified, 0);

	/* A link given twice. */
	audit_verifier_init(&v, fx.k.audit);
	assert_int_equal(audit_verify_next(&v, &c.e[0], c.link[0],
	    VAULT_HASHBYTES), 1);
	assert_int_equal(audit_verify_next(&v, &c.e[0], c.link[0],
	    VAULT_HASHBYTES), 0);
	assert_non_null(v.broken);
	assert_int_equal(v.broken_seq, 2);
	assert_int_equal(v.verified, 1);
}

static void
test_audit_verify_missing_event(void **state)
{
	struct chain		 c;
	struct audit_verifier	 v;
	const char		*why;

	chain_build(&c, fx.k.audit);
	c.e[1].at = NULL;	/* the event row of link 2 is gone */
	audit_verifier_init(&v, fx.k.audit);
	assert_int_equal(audit_verify_next(&v, &c.e[0], c.link[0],
	    VAULT_HASHBYTES), 1);
	assert_int_equal(audit_verify_next(&v, &c.e[1], c.link[1],
	    VAULT_HASHBYTES), 0);
	assert_non_null(v.broken);
	assert_int_equal(v.broken_seq, 2);
	assert_int_equal(v.broken_event, c.e[1].event_id);
	assert_int_equal(v.verified, 1);
	why = v.broken;
	/* Restoring it later does not mend the chain. */
	c.e[1].at = c.at[1];
	assert_int_equal(audit_verify_next(&v, &c.e[1], c.link[1],
	    VAULT_HASHBYTES), 0);
	assert_int_equal(audit_verify_next(&v, &c.e[2], c.link[2],
	    VAULT_HASHBYTES), 0);
	assert_ptr_equal(v.broken, why);
	assert_int_equal(v.broken_seq, 2);
	assert_int_equal(v.verified, 1);

	/* The three kinds of break are told apart. */
	{
		struct audit_verifier	 gap, changed;
		const char		*missing = why;

		audit_verifier_init(&gap, fx.k.audit);
		(void)audit_verify_next(&gap, &c.e[1], c.link[1],
		    VAULT_HASHBYTES);
		audit_verifier_init(&changed, fx.k.audit);
		(void)audit_verify_next(&changed, &c.e[0], c.link[1],
		    VAULT_HASHBYTES);
		assert_non_null(gap.broken);
		assert_non_null(changed.broken);
		assert_string_not_equal(gap.broken, missing);
		assert_string_not_equal(changed.broken, missing);
		assert_string_not_equal(gap.broken, changed.broken);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totp_rfc6238),
		cmocka_unit_test(test_totp_verify_window),
		cmocka_unit_test(test_totp_verify_vectors),
		cmocka_unit_test(test_totp_verify_replay),
		cmocka_unit_test(test_totp_verify_format),
		cmocka_unit_test(test_totp_base32),
		cmocka_unit_test(test_totp_uri),
		cmocka_unit_test(test_token_new),
		cmocka_unit_test(test_token_hash),
		cmocka_unit_test(test_login_normalize),
		cmocka_unit_test(test_login_hash),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_totp_seal_open),
		cmocka_unit_test(test_password_length),
		cmocka_unit_test(test_password_invalid),
		cmocka_unit_test(test_casebox_seal_open),
		cmocka_unit_test(test_casebox_key),
		cmocka_unit_test(test_audit_link_hash),
		cmocka_unit_test(test_audit_link_format),
		cmocka_unit_test(test_audit_verify_good),
		cmocka_unit_test(test_audit_verify_changed),
		cmocka_unit_test(test_audit_verify_skipped),
		cmocka_unit_test(test_audit_verify_missing_event),
	};

	return (cmocka_run_group_tests(tests, group_setup, NULL));
}
