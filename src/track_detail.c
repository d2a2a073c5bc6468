/*
 * A case as its complainant may read it: track_detail's row, with the
 * messages, published decisions and appeals opened with the key pair their
 * receipt code derives, and their own copy of what they sent.  Shared by
 * /track and POST /api/v1/track.
 */

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"

enum {
	D_STATE, D_PK, D_SALT, D_CAN_REPLY, D_CAN_APPEAL, D_APPEAL_UNTIL,
	D_MESSAGES, D_DECISIONS, D_APPEALS, D_SENT, D_COPY, D_EVIDENCE_NEXT,
};

enum db_status
track_detail_query(struct db_query *q, struct http_request *req,
    const unsigned char *receipt_hash)
{
	const char	*v[1] = { (const char *)receipt_hash };
	int		 l[1] = { VAULT_HASHBYTES }, f[1] = { 1 };

	return (db_run(q, req, "SELECT public_state, complainant_pk, "
	    "complainant_salt, can_reply, can_appeal, appeal_until, messages, "
	    "decisions, appeals, sent, copy_box, evidence_next "
	    "FROM track_detail($1)", 1, v,
	    l, f));
}

/* Replaces each element's hex "box" by "text", opened with the code's key. */
static int
open_boxes(json_t *list, const unsigned char *pk, const unsigned char *sk)
{
	json_t		*item;
	const char	*hex;
	unsigned char	*bin;
	size_t		 i, len, hexlen;
	struct sbuf	 b;
	int		 ok;

	if (!json_is_array(list))
		return (0);
	sbuf_init(&b);
	json_array_foreach(list, i, item) {
		if ((hex = json_string_value(json_object_get(item, "box"))) ==
		    NULL)
			continue;
		hexlen = strlen(hex);
		bin = kore_malloc(hexlen / 2 + 1);
		ok = sodium_hex2bin(bin, hexlen / 2 + 1, hex, hexlen, NULL, &len,
		    NULL) == 0 && casebox_open_sealed(pk, sk, bin, len, &b);
		kore_free(bin);
		if (!ok) {
			sbuf_free(&b);
			return (0);
		}
		json_object_set_new(item, "text", json_stringn(b.data ? b.data :
		    "", b.len));
		json_object_del(item, "box");
		if (b.data != NULL)
			sodium_memzero(b.data, b.len);
		sbuf_reset(&b);
	}
	sbuf_free(&b);
	return (1);
}

/*
 * The files of each reply: their fingerprints, sealed like the messages,
 * become "blake2b" as the complaint's own files show them.
 */
static int
open_files(json_t *messages, const unsigned char *pk, const unsigned char *sk)
{
	json_t	*m, *files, *f;
	size_t	 i, j;

	json_array_foreach(messages, i, m) {
		if ((files = json_object_get(m, "files")) == NULL)
			continue;
		if (!open_boxes(files, pk, sk))
			return (0);
		json_array_foreach(files, j, f) {
			json_object_set(f, "blake2b", json_object_get(f, "text"));
			json_object_del(f, "text");
		}
	}
	return (1);
}

/*
 * What the complainant sent: the clear fields, and the description and
 * contact details from the copy only their code opens (NULL for cases
 * filed before the copy was kept).
 */
static int
open_copy(const struct db_query *q, const char *norm, struct track_detail *d)
{
	unsigned char	*salt, *box;
	size_t		 salt_len, box_len;
	struct sbuf	 plain;
	int		 ok;

	d->sent = json_loads(db_value(q, 0, D_SENT), 0, NULL);
	if (db_isnull(q, 0, D_COPY))
		return (d->sent != NULL);
	salt = db_bytea(q, 0, D_SALT, &salt_len);
	box = db_bytea(q, 0, D_COPY, &box_len);
	sbuf_init(&plain);
	ok = salt != NULL && salt_len == VAULT_SALTBYTES && box != NULL &&
	    vault_copy_open(norm, salt, box, box_len, &plain);
	if (ok)
		d->copy = json_loadb(plain.data ? plain.data : "", plain.len,
		    0, NULL);
	if (plain.data != NULL)
		sodium_memzero(plain.data, plain.len);
	sbuf_free(&plain);
	kore_free(salt);
	kore_free(box);
	return (ok && d->sent != NULL && d->copy != NULL);
}

/*
 * Reads track_detail's row into 'd', opening what the complainant may
 * read with the key pair 'norm' (the normalised receipt code) derives.
 * Returns 0 when there is no row or something does not open.
 */
int
track_detail_read(const struct db_query *q, const char *norm,
    struct track_detail *d)
{
	unsigned char	 pk[32], sk[32], *salt, *dbpk;
	size_t		 salt_len, pk_len;
	int		 ok;

	track_detail_free(d);
	if (db_rows(q) != 1 || db_isnull(q, 0, D_STATE))
		return (0);
	salt = db_bytea(q, 0, D_SALT, &salt_len);
	dbpk = db_bytea(q, 0, D_PK, &pk_len);
	ok = salt != NULL && salt_len == VAULT_SALTBYTES && dbpk != NULL &&
	    pk_len == 32;
	if (ok) {
		memcpy(d->complainant_pk, dbpk, 32);
		memcpy(d->salt, salt, VAULT_SALTBYTES);
		vault_complainant_keypair(norm, salt, pk, sk);
	}
	kore_free(salt);
	kore_free(dbpk);
	if (!ok)
		return (0);
	(void)kore_strlcpy(d->public_state, db_value(q, 0, D_STATE),
	    sizeof(d->public_state));
	d->can_reply = *db_value(q, 0, D_CAN_REPLY) == 't';
	d->can_appeal = *db_value(q, 0, D_CAN_APPEAL) == 't';
	(void)kore_strlcpy(d->appeal_until, db_isnull(q, 0, D_APPEAL_UNTIL) ?
	    "" : db_value(q, 0, D_APPEAL_UNTIL), sizeof(d->appeal_until));
	d->evidence_next = (unsigned)strtoul(db_value(q, 0, D_EVIDENCE_NEXT),
	    NULL, 10);
	d->messages = json_loads(db_value(q, 0, D_MESSAGES), 0, NULL);
	d->decisions = json_loads(db_value(q, 0, D_DECISIONS), 0, NULL);
	d->appeals = json_loads(db_value(q, 0, D_APPEALS), 0, NULL);
	ok = open_boxes(d->messages, pk, sk) &&
	    open_files(d->messages, pk, sk) &&
	    open_boxes(d->decisions, pk, sk) &&
	    open_boxes(d->appeals, pk, sk) && open_copy(q, norm, d);
	sodium_memzero(sk, sizeof(sk));
	return (ok);
}

void
track_detail_free(struct track_detail *d)
{
	json_decref(d->messages);
	json_decref(d->decisions);
	json_decref(d->appeals);
	json_decref(d->sent);
	json_decref(d->copy);
	memset(d, 0, sizeof(*d));
}
