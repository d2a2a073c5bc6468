/*
 * What a complainant does with their receipt code (reply, with or without
 * files; appeal; take a consent back; ask for erasure), shared by the
 * tracking page and the JSON API so that both check the same things, seal
 * the same way and run the same statement.
 */

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"

#define TRACK_TEXT_MAX	10000

/* The consents a complainant can take back, as the form and API name them. */
static const char *const consents[] = { "contact", "publish",
    "demographics" };

void
track_act_init(struct track_act *a, enum track_verb verb)
{
	size_t	 i;

	memset(a, 0, sizeof(*a));
	a->verb = verb;
	evidence_set_init(&a->ev);
	for (i = 0; i < 3; i++)
		sbuf_init(&a->ev_param[i]);
}

static void
files_unseal(struct track_act *a)
{
	size_t	 i;

	for (i = 0; i < 3; i++)
		sbuf_reset(&a->ev_param[i]);
	free(a->ev_meta);
	a->ev_meta = NULL;
	a->ev_first = 0;
}

void
track_act_free(struct track_act *a)
{
	size_t	 i;

	if (a->text != NULL) {
		sodium_memzero(a->text, strlen(a->text));
		free(a->text);
	}
	free(a->box);
	free(a->cbox);
	a->text = NULL;
	a->box = a->cbox = NULL;
	files_unseal(a);
	for (i = 0; i < 3; i++)
		sbuf_free(&a->ev_param[i]);
	evidence_set_free(&a->ev);
}

/*
 * A reply or the grounds of an appeal: required, valid UTF-8 without NUL,
 * at most 10 000 characters.  Returns what is wrong, or NULL having kept a
 * copy.
 */
const char *
track_act_text(struct track_act *a, const char *s, size_t n)
{
	if (s == NULL || n == 0 || strspn(s, " \t\r\n") == n)
		return (a->verb == TRACK_APPEAL ? "Say why you disagree with "
		    "the decision." : "Write your reply.");
	if (!utf8_valid(s, n) || memchr(s, '\0', n) != NULL)
		return ("Use only valid text characters.");
	if (utf8_count(s, n) > TRACK_TEXT_MAX)
		return ("Use at most 10 000 characters.");
	if ((a->text = strndup(s, n)) == NULL)
		fatal("strndup");
	return (NULL);
}

/* Which consent a withdrawal names; returns what is wrong, or NULL. */
const char *
track_act_consent(struct track_act *a, const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < sizeof(consents) / sizeof(consents[0]);
	    i++)
		if (strcmp(s, consents[i]) == 0)
			a->consent = consents[i];
	return (a->consent == NULL ? "Choose a consent to withdraw from "
	    "those listed." : NULL);
}

/* An erasure is asked for only with the consequences acknowledged. */
const char *
track_act_confirm(struct track_act *a, int confirmed)
{
	a->confirmed = confirmed;
	return (confirmed ? NULL : "Tick the box to confirm that you want "
	    "your data erased.");
}

/* Whether the act has what it needs (a text, a consent, a confirmation). */
int
track_act_ready(const struct track_act *a)
{
	switch (a->verb) {
	case TRACK_WITHDRAW:
		return (a->consent != NULL);
	case TRACK_ERASE:
		return (a->confirmed);
	case TRACK_REPLY:
		return (a->text != NULL && a->ev.error == NULL);
	case TRACK_APPEAL:
		return (a->text != NULL);
	default:
		return (0);
	}
}

/*
 * A reply's files, numbered from the case's next free number: each under a
 * key of its own sealed to the review key, its fingerprint sealed to the
 * complainant.  Sealed again only when the number changed.
 */
static void
files_seal(struct track_act *a, const struct track_detail *d)
{
	unsigned char	*box[EVIDENCE_MAX_FILES], *fp[EVIDENCE_MAX_FILES];
	unsigned char	 keys[EVIDENCE_MAX_FILES][VAULT_SEALED_KEYBYTES];
	unsigned char	*key[EVIDENCE_MAX_FILES];
	size_t		 box_len[EVIDENCE_MAX_FILES], fp_len[EVIDENCE_MAX_FILES];
	size_t		 key_len[EVIDENCE_MAX_FILES], i;
	char		 hex[65];

	if (a->ev_first == d->evidence_next)
		return;
	files_unseal(a);
	for (i = 0; i < a->ev.n; i++) {
		box[i] = vault_evidence_seal_own(app.keys.review_pk, d->salt,
		    d->evidence_next + (unsigned)i, a->ev.file[i].data,
		    a->ev.file[i].len, &box_len[i], keys[i]);
		if (box[i] == NULL)
			fatal("could not seal a reply's file");
		key[i] = keys[i];
		key_len[i] = sizeof(keys[i]);
		vault_hex(a->ev.hash[i], 32, hex);
		fp[i] = casebox_seal_to(d->complainant_pk, hex, &fp_len[i]);
	}
	pg_bytea_array(&a->ev_param[0], box, box_len, a->ev.n);
	pg_bytea_array(&a->ev_param[1], key, key_len, a->ev.n);
	pg_bytea_array(&a->ev_param[2], fp, fp_len, a->ev.n);
	for (i = 0; i < a->ev.n; i++) {
		free(box[i]);
		free(fp[i]);
	}
	a->ev_meta = evidence_set_meta(&a->ev);
	a->ev_first = d->evidence_next;
}

/*
 * Runs the act on the case 'receipt' names, which 'd' was read from.  A
 * reply or grounds go in two boxes: one the reviewers open, one only the
 * complainant's code opens.  The boxes stay in 'a' until the statement has
 * been sent.
 */
enum db_status
track_act_query(struct track_act *a, struct db_query *q,
    struct http_request *req, const unsigned char *receipt,
    const struct track_detail *d)
{
	const char	*v[8];
	int		 l[8], f[8] = { 1, 1, 1, 0, 1, 1, 1, 0 }, i;
	char		 first[16];

	v[0] = (const char *)receipt;
	l[0] = VAULT_HASHBYTES;
	if (a->verb == TRACK_ERASE)
		return (db_run(q, req, "SELECT complainant_request_erasure($1)",
		    1, v, l, f));
	if (a->verb == TRACK_WITHDRAW) {
		v[1] = a->consent;
		l[1] = (int)strlen(a->consent);
		f[1] = 0;
		return (db_run(q, req, "SELECT complainant_withdraw($1, $2)",
		    2, v, l, f));
	}
	if (a->box == NULL) {
		a->box = casebox_seal_to(app.keys.review_pk, a->text,
		    &a->box_len);
		a->cbox = casebox_seal_to(d->complainant_pk, a->text,
		    &a->cbox_len);
	}
	v[1] = (const char *)a->box;
	l[1] = (int)a->box_len;
	v[2] = (const char *)a->cbox;
	l[2] = (int)a->cbox_len;
	if (a->verb == TRACK_APPEAL)
		return (db_run(q, req, "SELECT complainant_appeal($1, $2, $3)",
		    3, v, l, f));
	if (a->ev.n == 0)
		return (db_run(q, req, "SELECT complainant_reply($1, $2, $3)",
		    3, v, l, f));
	files_seal(a, d);
	(void)snprintf(first, sizeof(first), "%u", a->ev_first);
	v[3] = first;
	l[3] = (int)strlen(first);
	for (i = 0; i < 3; i++) {
		v[4 + i] = a->ev_param[i].data;
		l[4 + i] = (int)a->ev_param[i].len;
	}
	v[7] = a->ev_meta;
	l[7] = (int)strlen(a->ev_meta);
	return (db_run(q, req, "SELECT complainant_reply_evidence($1, $2, $3, "
	    "$4::integer, $5::bytea[], $6::bytea[], $7::bytea[], $8::jsonb)",
	    8, v, l, f));
}

/* The statement's answer: TRACK_ACT_OK or why it was refused. */
enum track_act_outcome
track_act_outcome(const struct db_query *q)
{
	const char	*o;

	o = db_rows(q) == 1 ? db_value(q, 0, 0) : "";
	if (strcmp(o, "ok") == 0)
		return (TRACK_ACT_OK);
	if (strcmp(o, "too_late") == 0)
		return (TRACK_ACT_TOO_LATE);
	if (strcmp(o, "not_given") == 0)
		return (TRACK_ACT_NOT_GIVEN);
	if (strcmp(o, "already") == 0)
		return (TRACK_ACT_ALREADY);
	if (strcmp(o, "not_found") == 0)
		return (TRACK_ACT_GONE);
	if (strcmp(o, "busy") == 0)
		return (TRACK_ACT_BUSY);
	if (strcmp(o, "full") == 0)
		return (TRACK_ACT_FULL);
	return (TRACK_ACT_STATE);
}

/*
 * Whether to read the case again and send once more: another reply took
 * the number the files were sealed as, and the tries are not used up.
 */
int
track_act_retry(struct track_act *a, enum track_act_outcome o)
{
	return (o == TRACK_ACT_BUSY && ++a->tries < TRACK_ACT_RETRIES);
}

/* What a refused act tells the complainant, on the page and in the API. */
const char *
track_act_refusal(enum track_act_outcome o)
{
	switch (o) {
	case TRACK_ACT_TOO_LATE:
		return ("The six months for an appeal have passed.");
	case TRACK_ACT_NOT_GIVEN:
		return ("This consent was already withdrawn.");
	case TRACK_ACT_ALREADY:
		return ("You have already asked for your data to be erased.");
	case TRACK_ACT_GONE:
		return ("No report matches this code any more.");
	case TRACK_ACT_BUSY:
		return ("Other files were being added to your report at the "
		    "same moment. Nothing was sent: please send your reply "
		    "again.");
	case TRACK_ACT_FULL:
		return ("Your report already holds 50 files, the most it can. "
		    "Send your reply without files, and say in it what else "
		    "you have.");
	default:
		return ("This is not possible any more: the report's state "
		    "has changed.");
	}
}

/* What an act that was done tells the complainant. */
const char *
track_act_done(const struct track_act *a)
{
	if (a->verb == TRACK_APPEAL)
		return ("Your appeal has been sent. A different reviewer will "
		    "look at your report again.");
	if (a->verb == TRACK_REPLY && a->ev.n > 0)
		return (a->ev.n == 1 ? "Your reply and its file have been sent." :
		    "Your reply and its files have been sent.");
	if (a->verb == TRACK_REPLY)
		return ("Your reply has been sent.");
	if (a->verb == TRACK_ERASE)
		return ("You asked for your data to be erased. Until a reviewer "
		    "confirms it, this code still shows your report.");
	if (strcmp(a->consent, "contact") == 0)
		return ("You withdrew your consent to be contacted. We will "
		    "not e-mail you about this report, and reviewers no longer "
		    "see your contact details.");
	if (strcmp(a->consent, "publish") == 0)
		return ("You withdrew your consent to publication. Your "
		    "account will not be in the next version of our report.");
	return ("You withdrew your consent to the use of your answers about "
	    "yourself. We have destroyed them.");
}
