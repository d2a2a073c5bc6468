/*
 * Time-based one-time passwords (RFC 6238 over RFC 4226: HMAC-SHA1, 30 s
 * steps, 6 digits) and the base32 text authenticator apps expect.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "recourse.h"

static const char	b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void
totp_base32(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	size_t		 i, o;
	unsigned int	 acc, bits;

	acc = bits = 0;
	o = 0;
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5 && o + 1 < outlen) {
			out[o++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0 && o + 1 < outlen)
		out[o++] = b32[(acc << (5 - bits)) & 31];
	if (outlen > 0)
		out[o] = '\0';
}

/* The code for one time step (HOTP with the step as counter). */
unsigned int
totp_code(const unsigned char *secret, size_t len, uint64_t step)
{
	unsigned char	 msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen, off, bin;
	int		 i;

	for (i = 7; i >= 0; i--) {
		msg[i] = step & 0xff;
		step >>= 8;
	}
	if (HMAC(EVP_sha1(), secret, (int)len, msg, sizeof(msg), mac,
	    &maclen) == NULL || maclen < 20)
		return (1000000);	/* matches no six-digit code */
	off = mac[maclen - 1] & 0x0f;
	bin = ((unsigned int)(mac[off] & 0x7f) << 24) |
	    ((unsigned int)mac[off + 1] << 16) |
	    ((unsigned int)mac[off + 2] << 8) | mac[off + 3];
	OPENSSL_cleanse(mac, sizeof(mac));
	return (bin % 1000000);
}

/* Six ASCII digits, nothing else, to a number; -1 otherwise. */
static long
totp_parse(const char *typed)
{
	char	 digits[7];
	size_t	 n;
	long	 v;

	n = 0;
	/* People type "123 456" the way apps show it. */
	for (; *typed != '\0'; typed++) {
		if (*typed == ' ')
			continue;
		if (*typed < '0' || *typed > '9' || n == 6)
			return (-1);
		digits[n++] = *typed;
	}
	if (n != 6)
		return (-1);
	digits[6] = '\0';
	v = strtol(digits, NULL, 10);
	return (v);
}

/*
 * Checks a typed code against the steps now-1, now and now+1 (clock drift)
 * and returns the matching step, or 0 when none matches or the matching
 * step is not newer than last_step (a code is never accepted twice, and
 * never one older than a code already used).
 */
uint64_t
totp_verify(const unsigned char *secret, size_t len, const char *typed,
    uint64_t now_unix, uint64_t last_step)
{
	uint64_t	 now_step, step, found;
	long		 code;
	int		 d;

	if ((code = totp_parse(typed)) < 0)
		return (0);
	now_step = now_unix / TOTP_PERIOD;
	found = 0;
	/* Look at every step in the window so timing does not say which. */
	for (d = -1; d <= 1; d++) {
		step = now_step + d;
		if (totp_code(secret, len, step) == (unsigned int)code &&
		    found == 0)
			found = step;
	}
	if (found <= last_step)
		return (0);
	return (found);
}

/*
 * The otpauth:// URI authenticator apps read (the Key Uri Format): label
 * "issuer:account", the secret in base32, the issuer again as a parameter.
 */
void
totp_uri(struct sbuf *out, const char *issuer, const char *account,
    const char *secret_b32)
{
	sbuf_adds(out, "otpauth://totp/");
	html_query_escape(out, issuer);
	sbuf_adds(out, "%3A");
	html_query_escape(out, account);
	sbuf_printf(out, "?secret=%s&issuer=", secret_b32);
	html_query_escape(out, issuer);
	sbuf_printf(out, "&algorithm=SHA1&digits=6&period=%d", TOTP_PERIOD);
}
