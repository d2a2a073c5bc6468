/*
 * The back office's encryption of what it writes into a case: notes and
 * messages under the case's data key, copies for the complainant sealed to
 * the key their receipt code derives, and the opening of both.
 */

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "recourse.h"

/* Opens the case's data key with the review key pair. */
int
casebox_key(const unsigned char *review_sk, const unsigned char *review_pk,
    const unsigned char *sealed, size_t len,
    unsigned char dk[CASEBOX_KEYBYTES])
{
	if (len != crypto_box_SEALBYTES + CASEBOX_KEYBYTES)
		return (0);
	return (crypto_box_seal_open(dk, sealed, len, review_pk,
	    review_sk) == 0);
}

/* An anonymous sealed box to a public key (the complainant's, or review). */
unsigned char *
casebox_seal_to(const unsigned char pk[32], const char *text, size_t *outlen)
{
	unsigned char	*out;
	size_t		 len;

	len = strlen(text);
	*outlen = len + crypto_box_SEALBYTES;
	if ((out = malloc(*outlen)) == NULL)
		abort();
	if (crypto_box_seal(out, (const unsigned char *)text, len, pk) != 0)
		abort();
	return (out);
}

int
casebox_open_sealed(const unsigned char pk[32], const unsigned char sk[32],
    const unsigned char *box, size_t len, struct sbuf *out)
{
	unsigned char	*plain;
	int		 ok;

	if (len < crypto_box_SEALBYTES)
		return (0);
	if ((plain = malloc(len - crypto_box_SEALBYTES + 1)) == NULL)
		abort();
	ok = crypto_box_seal_open(plain, box, len, pk, sk) == 0;
	if (ok)
		sbuf_add(out, plain, len - crypto_box_SEALBYTES);
	sodium_memzero(plain, len - crypto_box_SEALBYTES);
	free(plain);
	return (ok);
}
