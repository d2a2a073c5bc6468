/*
 * Signing the report's files so that anyone can check them with a common
 * tool: detached Ed25519 signatures (libsodium) written in OpenBSD
 * signify's format, and the public key in the same format; also the check
 * itself, for recourse-verify.
 */

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "report.h"

/* "Ed": signify's name for Ed25519, first in every key and signature. */
static const unsigned char pkalg[2] = { 'E', 'd' };

void
report_sign_keypair(struct report_signer *s)
{
	randombytes_buf(s->keynum, sizeof(s->keynum));
	crypto_sign_keypair(s->pk, s->sk);
}

/* The secret key file as recourse-keygen writes it; 0 when malformed. */
int
report_signer_load(struct report_signer *s, const unsigned char *p,
    size_t len)
{
	if (len != REPORT_SECRET_FILE_BYTES)
		return (0);
	memcpy(s->keynum, p, REPORT_KEYNUM_BYTES);
	memcpy(s->sk, p + REPORT_KEYNUM_BYTES, sizeof(s->sk));
	return (crypto_sign_ed25519_sk_to_pk(s->pk, s->sk) == 0);
}

void
report_signer_secret(const struct report_signer *s,
    unsigned char out[REPORT_SECRET_FILE_BYTES])
{
	memcpy(out, s->keynum, REPORT_KEYNUM_BYTES);
	memcpy(out + REPORT_KEYNUM_BYTES, s->sk, sizeof(s->sk));
}

void
report_signer_wipe(struct report_signer *s)
{
	sodium_memzero(s, sizeof(*s));
}

/* "untrusted comment: <comment>\n<base64 of parts>\n" into 'out'. */
static void
signify_text(const char *comment, const unsigned char *keynum,
    const unsigned char *body, size_t body_len,
    char out[REPORT_SIGN_TEXT_MAX])
{
	unsigned char	 raw[2 + REPORT_KEYNUM_BYTES + 64];
	char		 b64[sizeof(raw) * 4 / 3 + 4];

	memcpy(raw, pkalg, 2);
	memcpy(raw + 2, keynum, REPORT_KEYNUM_BYTES);
	memcpy(raw + 2 + REPORT_KEYNUM_BYTES, body, body_len);
	sodium_bin2base64(b64, sizeof(b64), raw, 2 + REPORT_KEYNUM_BYTES +
	    body_len, sodium_base64_VARIANT_ORIGINAL);
	(void)snprintf(out, REPORT_SIGN_TEXT_MAX, "untrusted comment: %s\n%s\n",
	    comment, b64);
}

/* The public key file; 'name' says whose key it is in its comment. */
void
report_sign_public(const struct report_signer *s, const char *name,
    char out[REPORT_SIGN_TEXT_MAX])
{
	char	 comment[128];

	(void)snprintf(comment, sizeof(comment), "%s public key", name);
	signify_text(comment, s->keynum, s->pk, sizeof(s->pk), out);
}

/*
 * The detached signature of 'len' bytes; its comment names the public key
 * file to verify it with, as signify's own does.
 */
void
report_sign(const struct report_signer *s, const char *key_file,
    const void *data, size_t len, char out[REPORT_SIGN_TEXT_MAX])
{
	unsigned char	 sig[crypto_sign_BYTES];
	char		 comment[128];

	crypto_sign_detached(sig, NULL, data, len, s->sk);
	(void)snprintf(comment, sizeof(comment), "verify with %s", key_file);
	signify_text(comment, s->keynum, sig, sizeof(sig), out);
}

/*
 * The second line of a signify file decoded, checked to start with "Ed"
 * and to be 'want' bytes long; 0 when it is not that.
 */
static int
signify_decode(const char *text, unsigned char *raw, size_t want)
{
	const char	*line, *end;
	size_t		 len;

	if (strncmp(text, "untrusted comment: ", 19) != 0 ||
	    (line = strchr(text, '\n')) == NULL)
		return (0);
	line++;
	if ((end = strchr(line, '\n')) == NULL || end[1] != '\0')
		return (0);
	return (sodium_base642bin(raw, want, line, (size_t)(end - line), NULL,
	    &len, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 && len == want &&
	    memcmp(raw, pkalg, 2) == 0);
}

/* Whether 'signature_text' signs the bytes under 'public_text'. */
int
report_verify(const char *public_text, const char *signature_text,
    const void *data, size_t len)
{
	unsigned char	 pk[2 + REPORT_KEYNUM_BYTES + 32];
	unsigned char	 sig[2 + REPORT_KEYNUM_BYTES + 64];

	if (!signify_decode(public_text, pk, sizeof(pk)) ||
	    !signify_decode(signature_text, sig, sizeof(sig)) ||
	    memcmp(pk + 2, sig + 2, REPORT_KEYNUM_BYTES) != 0)
		return (0);
	return (crypto_sign_verify_detached(sig + 2 + REPORT_KEYNUM_BYTES,
	    data, len, pk + 2 + REPORT_KEYNUM_BYTES) == 0);
}
