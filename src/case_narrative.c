/*
 * A consented narrative's draft on its way into the database: the keys it
 * is sealed with, the scrubber's flags on its text (with the name the
 * complainant gave, which the reviewer may not see), and the text sealed
 * under the case data key.  case_action.c runs it as the 'narrative' verb.
 */

#include <string.h>

#include <sodium.h>

#include "app.h"
#include "report.h"

enum db_status
case_narrative_keys(struct db_query *q, struct http_request *req,
    const struct staff *who, const char *reference)
{
	char		 actor[24];
	const char	*v[2] = { actor, reference };

	(void)snprintf(actor, sizeof(actor), "%lld", (long long)who->id);
	return (db_run(q, req, "SELECT data_key_sealed, complainant_salt, "
	    "contact_box FROM case_narrative_keys($1, $2)", 2, v, NULL, NULL));
}

/*
 * The name in the case's contact box, opened with the data key; NULL when
 * none was given.  The caller wipes and frees it.
 */
static char *
contact_name(const struct db_query *keys, const unsigned char *dk,
    const unsigned char *salt)
{
	unsigned char	*box;
	size_t		 len;
	struct sbuf	 b;
	json_t		*contact;
	char		*name = NULL;

	if (db_isnull(keys, 0, 2))
		return (NULL);
	sbuf_init(&b);
	box = db_bytea(keys, 0, 2, &len);
	if (box != NULL && vault_aead_open(dk, VAULT_AD_CONTACT, salt, box,
	    len, &b) && (contact = json_loadb(b.data, b.len, 0, NULL)) !=
	    NULL) {
		if (json_is_string(json_object_get(contact, "name")))
			name = strdup(json_text(contact, "name"));
		json_decref(contact);
	}
	kore_free(box);
	if (b.data != NULL)
		sodium_memzero(b.data, b.len);
	sbuf_free(&b);
	return (name);
}

/*
 * Flags and seals the draft from the keys row.  Returns 0 when the keys do
 * not open; 1 otherwise, with a->sealed set when there was a case to seal
 * for (no row: not found; erased: the action says state).
 */
int
case_narrative_seal(struct case_action *a, const struct db_query *keys)
{
	unsigned char	 dk[CASEBOX_KEYBYTES], *sealed, *salt;
	size_t		 sealed_len, salt_len;
	char		*name;
	json_t		*flags;
	int		 ok;

	if (db_rows(keys) != 1)
		return (1);
	if (db_isnull(keys, 0, 0)) {
		a->erased = 1;
		return (1);
	}
	sealed = db_bytea(keys, 0, 0, &sealed_len);
	salt = db_bytea(keys, 0, 1, &salt_len);
	ok = sealed != NULL && salt != NULL && salt_len == VAULT_SALTBYTES &&
	    casebox_key(app.review_sk, app.keys.review_pk, sealed, sealed_len,
	    dk);
	if (ok) {
		name = contact_name(keys, dk, salt);
		flags = report_scrub_json(a->text, strlen(a->text), name,
		    &a->flags_more);
		if (name != NULL) {
			sodium_memzero(name, strlen(name));
			free(name);
		}
		free(a->flags);
		a->flags = json_dumps(flags, JSON_COMPACT);
		json_decref(flags);
		a->box = vault_aead_seal(dk, CASEBOX_NARRATIVE, salt, a->text,
		    &a->box_len);
		a->sealed = a->flags != NULL && a->box != NULL;
		ok = a->sealed;
	}
	sodium_memzero(dk, sizeof(dk));
	kore_free(sealed);
	kore_free(salt);
	return (ok);
}
