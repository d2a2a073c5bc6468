/*
 * The case as the back office reads it: one audited statement, then the
 * personal fields opened with the review key into a JSON object that both
 * the case page and the staff API present.
 */

#include <string.h>

#include <sodium.h>

#include "app.h"

enum {
	C_ID, C_REFERENCE, C_STATE, C_CATEGORY, C_CHANNEL, C_OCCURRED_ON,
	C_BRAND, C_VULNERABLE, C_CONSENT_CONTACT, C_CONSENT_PUBLISH,
	C_CONSENT_DEMOGRAPHICS, C_QUEUE, C_PRIORITY, C_RECEIVED_AT,
	C_UPDATED_AT, C_CLOCKS, C_ASSIGNEE, C_ASSIGNEE_NAME, C_APPEAL_EXCLUDED,
	C_DUPLICATE_OF, C_DUPLICATES, C_SALT, C_DATA_KEY, C_DESCRIPTION,
	C_CONTACT, C_EVENTS, C_MESSAGES, C_DECISIONS, C_APPEALS, C_ESCALATED_AT,
	C_TARGETING, C_AI_DISCLOSED, C_WHY_SHOWN, C_ERASURE, C_EVIDENCE,
	C_NARRATIVE,
};

enum db_status
case_file_query(struct db_query *q, struct http_request *req,
    const struct staff *who, const char *reference)
{
	char		 actor[24];
	const char	*v[2] = { actor, reference };

	(void)snprintf(actor, sizeof(actor), "%lld", (long long)who->id);
	return (db_run(q, req, "SELECT * FROM case_read($1, $2)", 2, v, NULL,
	    NULL));
}

static json_t *
text_or_null(const struct db_query *q, int col)
{
	return (db_isnull(q, 0, col) ? json_null() :
	    json_string(db_value(q, 0, col)));
}

static json_t *
parsed(const struct db_query *q, int col)
{
	json_t	*j;

	j = json_loads(db_value(q, 0, col), 0, NULL);
	return (j != NULL ? j : json_array());
}

static json_t *
opened_text(struct sbuf *b, int ok)
{
	json_t	*j;

	j = ok ? json_stringn(b->data ? b->data : "", b->len) : NULL;
	if (b->data != NULL)
		sodium_memzero(b->data, b->len);
	sbuf_reset(b);
	return (j);
}

/* Replaces the hex box in each element's 'field' by its opened text. */
static int
open_list(json_t *list, const char *field, const unsigned char *dk,
    const unsigned char *salt)
{
	json_t		*item, *t;
	const char	*hex, *kind, *label;
	unsigned char	*box;
	size_t		 i, hexlen, len;
	struct sbuf	 b;
	int		 ok;

	sbuf_init(&b);
	json_array_foreach(list, i, item) {
		hex = json_string_value(json_object_get(item, field));
		kind = json_string_value(json_object_get(item, "kind"));
		if (hex == NULL)
			continue;
		hexlen = strlen(hex);
		box = kore_malloc(hexlen / 2 + 1);
		ok = sodium_hex2bin(box, hexlen / 2 + 1, hex, hexlen, NULL, &len,
		    NULL) == 0;
		/* From the complainant: sealed to the review key. */
		if (ok && (strcmp(field, "grounds") == 0 || (kind != NULL &&
		    strcmp(kind, "from_complainant") == 0)))
			ok = casebox_open_sealed(app.keys.review_pk,
			    app.review_sk, box, len, &b);
		else if (ok) {
			label = strcmp(field, "reasons") == 0 ? CASEBOX_REASONS :
			    (kind != NULL && strcmp(kind, "note") == 0) ?
			    CASEBOX_NOTE : CASEBOX_MESSAGE;
			ok = vault_aead_open(dk, label, salt, box, len, &b);
		}
		kore_free(box);
		if ((t = opened_text(&b, ok)) == NULL) {
			sbuf_free(&b);
			return (0);
		}
		json_object_set_new(item, field, t);
	}
	sbuf_free(&b);
	return (1);
}

/* Replaces the narrative's hex box by its opened text. */
static int
open_narrative(json_t *n, const unsigned char *dk, const unsigned char *salt)
{
	const char	*hex = json_string_value(json_object_get(n, "box"));
	unsigned char	*box;
	size_t		 hexlen, len;
	struct sbuf	 b;
	json_t		*t;
	int		 ok;

	if (hex == NULL)
		return (0);
	hexlen = strlen(hex);
	box = kore_malloc(hexlen / 2 + 1);
	sbuf_init(&b);
	ok = sodium_hex2bin(box, hexlen / 2 + 1, hex, hexlen, NULL, &len,
	    NULL) == 0 && vault_aead_open(dk, CASEBOX_NARRATIVE, salt, box, len,
	    &b);
	kore_free(box);
	t = opened_text(&b, ok);
	sbuf_free(&b);
	if (t == NULL)
		return (0);
	json_object_del(n, "box");
	json_object_set_new(n, "text", t);
	return (1);
}

/*
 * Marks each decision a supervisor sent back, from the sent_back events
 * that name it: when and by whom (null for the others).
 */
static void
mark_sent_back(json_t *c)
{
	json_t	*d, *e, *id;
	size_t	 i, j;

	json_array_foreach(json_object_get(c, "decisions"), i, d) {
		json_object_set_new(d, "sent_back_at", json_null());
		json_object_set_new(d, "sent_back_by_name", json_null());
		id = json_object_get(d, "id");
		json_array_foreach(json_object_get(c, "events"), j, e) {
			if (strcmp(json_text(e, "kind"), "sent_back") != 0 ||
			    !json_equal(json_object_get(json_object_get(e,
			    "detail"), "decision"), id))
				continue;
			json_object_set(d, "sent_back_at",
			    json_object_get(e, "at"));
			json_object_set(d, "sent_back_by_name",
			    json_object_get(e, "actor_name"));
		}
	}
}

/*
 * Opens the personal fields of the case with its data key into 'c': the
 * description, the contact (when case_read shows it), the platform's
 * explanation and the texts of messages, decisions and appeals.  Returns
 * 0 when one does not open.
 */
static int
open_personal(const struct db_query *q, json_t *c)
{
	unsigned char	 dk[CASEBOX_KEYBYTES], *sealed, *salt, *box;
	size_t		 sealed_len, salt_len, len;
	struct sbuf	 b;
	json_t		*t;
	int		 ok;

	sealed = db_bytea(q, 0, C_DATA_KEY, &sealed_len);
	salt = db_bytea(q, 0, C_SALT, &salt_len);
	ok = sealed != NULL && salt != NULL && salt_len == VAULT_SALTBYTES &&
	    casebox_key(app.review_sk, app.keys.review_pk, sealed, sealed_len,
	    dk);
	kore_free(sealed);
	if (!ok) {
		kore_free(salt);
		return (0);
	}
	sbuf_init(&b);
	box = db_bytea(q, 0, C_DESCRIPTION, &len);
	ok = box != NULL && vault_aead_open(dk, VAULT_AD_DESCRIPTION, salt,
	    box, len, &b);
	kore_free(box);
	if ((t = opened_text(&b, ok)) != NULL)
		json_object_set_new(c, "description", t);
	else
		ok = 0;
	/* Present only for those allowed to see it (case_read decides). */
	if (ok && !db_isnull(q, 0, C_CONTACT)) {
		box = db_bytea(q, 0, C_CONTACT, &len);
		ok = box != NULL && vault_aead_open(dk, VAULT_AD_CONTACT, salt,
		    box, len, &b);
		kore_free(box);
		if ((t = opened_text(&b, ok)) != NULL)
			json_object_set_new(c, "contact",
			    json_loads(json_string_value(t), 0, NULL));
		json_decref(t);
	}
	/* The platform's own explanation, when the complainant gave it. */
	if (ok && !db_isnull(q, 0, C_WHY_SHOWN)) {
		box = db_bytea(q, 0, C_WHY_SHOWN, &len);
		ok = box != NULL && vault_aead_open(dk, VAULT_AD_WHY_SHOWN,
		    salt, box, len, &b);
		kore_free(box);
		if ((t = opened_text(&b, ok)) != NULL)
			json_object_set_new(c, "why_shown", t);
	}
	/* The redacted account for the report, when one was drafted. */
	if (ok && (t = json_object_get(c, "narrative")) != NULL &&
	    json_is_object(t))
		ok = open_narrative(t, dk, salt);
	if (ok)
		ok = open_list(json_object_get(c, "messages"), "body", dk,
		    salt) && open_list(json_object_get(c, "decisions"),
		    "reasons", dk, salt) && open_list(json_object_get(c,
		    "appeals"), "grounds", dk, salt);
	sodium_memzero(dk, sizeof(dk));
	kore_free(salt);
	sbuf_free(&b);
	return (ok);
}

/*
 * Builds the case object from case_read's row.  Returns 0 when there was
 * no row (no such case, or out of reach), -1 when the encrypted fields do
 * not open (a key or data problem: 500), 1 with *out set.  An erased case
 * has its clear fields and its erasure, and null for every personal text.
 */
int
case_file_build(const struct db_query *q, json_t **out)
{
	json_t		*c, *erasure;

	*out = NULL;
	if (db_rows(q) != 1)
		return (0);
	c = json_object();
	json_object_set_new(c, "reference", json_string(db_value(q, 0,
	    C_REFERENCE)));
	json_object_set_new(c, "state", json_string(db_value(q, 0, C_STATE)));
	json_object_set_new(c, "category", json_string(db_value(q, 0,
	    C_CATEGORY)));
	json_object_set_new(c, "channel", json_string(db_value(q, 0,
	    C_CHANNEL)));
	json_object_set_new(c, "occurred_on", text_or_null(q, C_OCCURRED_ON));
	json_object_set_new(c, "brand", text_or_null(q, C_BRAND));
	json_object_set_new(c, "targeting_reasons", parsed(q, C_TARGETING));
	json_object_set_new(c, "ai_disclosed", text_or_null(q,
	    C_AI_DISCLOSED));
	json_object_set_new(c, "vulnerable", json_boolean(*db_value(q, 0,
	    C_VULNERABLE) == 't'));
	json_object_set_new(c, "consents", json_pack("{s:b,s:b,s:b}",
	    "contact", *db_value(q, 0, C_CONSENT_CONTACT) == 't',
	    "publish", *db_value(q, 0, C_CONSENT_PUBLISH) == 't',
	    "demographics", *db_value(q, 0, C_CONSENT_DEMOGRAPHICS) == 't'));
	json_object_set_new(c, "queue", json_string(db_value(q, 0, C_QUEUE)));
	json_object_set_new(c, "priority", json_integer(atoi(db_value(q, 0,
	    C_PRIORITY))));
	json_object_set_new(c, "received_at", json_string(db_value(q, 0,
	    C_RECEIVED_AT)));
	json_object_set_new(c, "updated_at", json_string(db_value(q, 0,
	    C_UPDATED_AT)));
	/* The scheduler's cache of each started clock (case_clocks). */
	json_object_set_new(c, "clocks", parsed(q, C_CLOCKS));
	json_object_set_new(c, "escalated_at", text_or_null(q,
	    C_ESCALATED_AT));
	json_object_set_new(c, "assignee", db_isnull(q, 0, C_ASSIGNEE) ?
	    json_null() : json_integer(strtoll(db_value(q, 0, C_ASSIGNEE),
	    NULL, 10)));
	json_object_set_new(c, "assignee_name", text_or_null(q,
	    C_ASSIGNEE_NAME));
	json_object_set_new(c, "appeal_excluded", db_isnull(q, 0,
	    C_APPEAL_EXCLUDED) ? json_null() : json_integer(strtoll(db_value(q,
	    0, C_APPEAL_EXCLUDED), NULL, 10)));
	json_object_set_new(c, "duplicate_of", text_or_null(q, C_DUPLICATE_OF));
	json_object_set_new(c, "duplicates", parsed(q, C_DUPLICATES));
	json_object_set_new(c, "events", parsed(q, C_EVENTS));
	json_object_set_new(c, "messages", parsed(q, C_MESSAGES));
	json_object_set_new(c, "decisions", parsed(q, C_DECISIONS));
	json_object_set_new(c, "appeals", parsed(q, C_APPEALS));
	mark_sent_back(c);
	json_object_set_new(c, "evidence", parsed(q, C_EVIDENCE));
	json_object_set_new(c, "narrative", db_isnull(q, 0, C_NARRATIVE) ?
	    json_null() : json_loads(db_value(q, 0, C_NARRATIVE), 0, NULL));
	erasure = json_loads(db_value(q, 0, C_ERASURE), 0, NULL);
	json_object_set_new(c, "erasure", erasure != NULL ? erasure :
	    json_object());
	json_object_set_new(c, "description", json_null());
	json_object_set_new(c, "why_shown", json_null());
	erasure = json_object_get(c, "erasure");
	if (!json_is_string(json_object_get(erasure, "erased_at")) &&
	    !open_personal(q, c)) {
		json_decref(c);
		return (-1);
	}
	*out = c;
	return (1);
}
