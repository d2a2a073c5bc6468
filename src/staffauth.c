/*
 * The staff side's secrets: session and link tokens (stored only hashed),
 * keyed hashes of login names for throttling, CSRF tokens bound to a
 * session, encrypted TOTP secrets, and the password length rule.
 */

#include <string.h>

#include <sodium.h>

#include "recourse.h"

/* A new 256-bit token as 64 lowercase hex digits. */
void
staff_token_new(char out[STAFF_TOKEN_TEXT + 1])
{
	unsigned char	 raw[STAFF_TOKEN_TEXT / 2];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, STAFF_TOKEN_TEXT + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

/*
 * The stored form of a token: BLAKE2b-256 of its text.  Tokens carry 256
 * random bits, so no key is needed to stop guessing.  Returns 0 for text
 * that is not a token (the caller treats it as no token at all).
 */
int
staff_token_hash(const char *token, unsigned char out[VAULT_HASHBYTES])
{
	size_t	 i;

	if (token == NULL || strlen(token) != STAFF_TOKEN_TEXT)
		return (0);
	for (i = 0; i < STAFF_TOKEN_TEXT; i++) {
		if (!((token[i] >= '0' && token[i] <= '9') ||
		    (token[i] >= 'a' && token[i] <= 'f')))
			return (0);
	}
	crypto_generichash(out, VAULT_HASHBYTES, (const unsigned char *)token,
	    STAFF_TOKEN_TEXT, NULL, 0);
	return (1);
}

/*
 * Login names are compared lower-cased and without surrounding blanks.
 * Returns 0 when the result is empty or too long to be a login.
 */
int
staff_login_normalize(const char *in, char *out, size_t outlen)
{
	size_t	 n, i;

	while (*in == ' ' || *in == '\t')
		in++;
	n = strlen(in);
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= outlen)
		return (0);
	for (i = 0; i < n; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? in[i] + 32 : in[i];
	out[n] = '\0';
	return (1);
}

/* The throttle's key for a login name, known account or not. */
void
staff_login_hash(const struct vault_keys *k, const char *normalized,
    unsigned char out[VAULT_HASHBYTES])
{
	crypto_generichash(out, VAULT_HASHBYTES,
	    (const unsigned char *)normalized, strlen(normalized), k->login,
	    sizeof(k->login));
}

/* The CSRF token of a session: a keyed hash of its token, in hex. */
void
staff_csrf(const struct vault_keys *k, const char *session_token,
    char out[STAFF_TOKEN_TEXT + 1])
{
	unsigned char	 mac[STAFF_TOKEN_TEXT / 2];

	crypto_generichash(mac, sizeof(mac),
	    (const unsigned char *)session_token, strlen(session_token),
	    k->session, sizeof(k->session));
	sodium_bin2hex(out, STAFF_TOKEN_TEXT + 1, mac, sizeof(mac));
}

int
staff_csrf_check(const struct vault_keys *k, const char *session_token,
    const char *typed)
{
	char	 want[STAFF_TOKEN_TEXT + 1];

	if (session_token == NULL || typed == NULL ||
	    strlen(typed) != STAFF_TOKEN_TEXT)
		return (0);
	staff_csrf(k, session_token, want);
	return (sodium_memcmp(want, typed, STAFF_TOKEN_TEXT) == 0);
}

/* A new TOTP secret: 160 bits, the size RFC 4226 recommends. */
void
staff_totp_secret_new(unsigned char secret[TOTP_SECRET_BYTES])
{
	randombytes_buf(secret, TOTP_SECRET_BYTES);
}

/* nonce || secretbox(secret) under the TOTP key derived from master.key. */
void
staff_totp_seal(const struct vault_keys *k,
    const unsigned char secret[TOTP_SECRET_BYTES],
    unsigned char out[STAFF_TOTP_BOX_BYTES])
{
	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, secret,
	    TOTP_SECRET_BYTES, out, k->totp);
}

int
staff_totp_open(const struct vault_keys *k, const unsigned char *box,
    size_t len, unsigned char secret[TOTP_SECRET_BYTES])
{
	if (len != STAFF_TOTP_BOX_BYTES)
		return (0);
	return (crypto_secretbox_open_easy(secret,
	    box + crypto_secretbox_NONCEBYTES,
	    len - crypto_secretbox_NONCEBYTES, box, k->totp) == 0);
}

/*
 * The TOTP step a typed code matches (after 'last_step', 0 for any), with
 * the secret opened from its box only for the check; 0 when none matches
 * or the box does not open.
 */
uint64_t
staff_totp_step(const struct vault_keys *k, const unsigned char *box,
    size_t len, const char *typed, uint64_t now, uint64_t last_step)
{
	unsigned char	 secret[TOTP_SECRET_BYTES];
	uint64_t	 step;

	if (!staff_totp_open(k, box, len, secret))
		return (0);
	step = totp_verify(secret, sizeof(secret), typed, now, last_step);
	sodium_memzero(secret, sizeof(secret));
	return (step);
}

/*
 * 12 to 128 characters of valid UTF-8.  The caller refuses anything else
 * before hashing, so an overlong password costs no Argon2id run.
 */
const char *
staff_password_problem(const char *pw, size_t len)
{
	size_t	 n;

	if (len > STAFF_PASSWORD_MAX * 4)
		return ("Use at most 128 characters.");
	if (!utf8_valid(pw, len))
		return ("Use only valid text characters.");
	n = utf8_count(pw, len);
	if (n < STAFF_PASSWORD_MIN)
		return ("Use at least 12 characters.");
	if (n > STAFF_PASSWORD_MAX)
		return ("Use at most 128 characters.");
	return (NULL);
}
