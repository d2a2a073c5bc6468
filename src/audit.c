/*
 * The audit chain's link hash: keyed BLAKE2b-256 over the previous link and
 * one event's canonical fields, shared by the sealer in the service and
 * the verifier on the command line so that both hash the same bytes.
 */

#include <string.h>

#include <sodium.h>

#include "recourse.h"

static void
hash_u64(crypto_generichash_state *st, uint64_t v)
{
	unsigned char	 b[8];
	int		 i;

	for (i = 7; i >= 0; i--) {
		b[i] = v & 0xff;
		v >>= 8;
	}
	crypto_generichash_update(st, b, sizeof(b));
}

/* Length-prefixed, so no two different events hash the same bytes. */
static void
hash_text(crypto_generichash_state *st, const char *s)
{
	size_t	 n;

	n = strlen(s);
	hash_u64(st, n);
	crypto_generichash_update(st, (const unsigned char *)s, n);
}

void
audit_link_hash(const unsigned char key[VAULT_KEYBYTES],
    const unsigned char prev[VAULT_HASHBYTES], const struct audit_event *e,
    unsigned char out[VAULT_HASHBYTES])
{
	crypto_generichash_state	 st;

	crypto_generichash_init(&st, key, VAULT_KEYBYTES, VAULT_HASHBYTES);
	crypto_generichash_update(&st, (const unsigned char *)"recourse:audit:v1",
	    17);
	crypto_generichash_update(&st, prev, VAULT_HASHBYTES);
	hash_u64(&st, e->seq);
	hash_u64(&st, e->event_id);
	hash_text(&st, e->at);
	hash_text(&st, e->actor);
	hash_text(&st, e->action);
	hash_text(&st, e->object);
	hash_text(&st, e->detail);
	crypto_generichash_final(&st, out, VAULT_HASHBYTES);
}

void
audit_verifier_init(struct audit_verifier *v, const unsigned char *key)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->key, key, VAULT_KEYBYTES);
	v->next_seq = 1;
}

/*
 * Checks the next link, in seq order.  A link whose event is missing (the
 * caller passes e->at == NULL), whose seq skips, or whose hash differs from
 * the recomputed one breaks the chain; the first break is kept and every
 * later call returns 0 without looking.
 */
int
audit_verify_next(struct audit_verifier *v, const struct audit_event *e,
    const unsigned char *stored, size_t stored_len)
{
	unsigned char	 want[VAULT_HASHBYTES];

	if (v->broken)
		return (0);
	v->broken_seq = e->seq;
	v->broken_event = e->event_id;
	if (e->seq != v->next_seq) {
		v->broken = "a link is missing before this one";
		v->broken_seq = v->next_seq;
		return (0);
	}
	if (e->at == NULL) {
		v->broken = "the event this link seals is missing";
		return (0);
	}
	audit_link_hash(v->key, v->prev, e, want);
	if (stored_len != VAULT_HASHBYTES ||
	    sodium_memcmp(want, stored, VAULT_HASHBYTES) != 0) {
		v->broken = "the event or the link was changed";
		return (0);
	}
	memcpy(v->prev, want, VAULT_HASHBYTES);
	v->next_seq++;
	v->verified++;
	return (1);
}
