/*
 * Staff actions on a case's clocks (the case page's clock panel): pause
 * for an admin-defined reason with a note, resume, and the policy's one
 * extension with a required reason; read, checked field by field, the
 * text kept under the case data key, and run as one SQL function call.
 */

#include <string.h>

#include <sodium.h>

#include "app.h"

#define CLOCK_TEXT_MAX	10000

static const struct {
	const char	*name;
	enum clock_verb	 verb;
} verbs[] = {
	{ "clock_pause", CK_PAUSE },
	{ "clock_resume", CK_RESUME },
	{ "clock_extend", CK_EXTEND },
};

const char *const clock_field_names[] = { "reason", "text", NULL };

int
clock_verb_parse(const char *name, enum clock_verb *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0) {
			*out = verbs[i].verb;
			return (1);
		}
	return (0);
}

const char *
clock_verb_name(enum clock_verb v)
{
	size_t	 i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (verbs[i].verb == v)
			return (verbs[i].name);
	return ("");
}

void
clock_action_init(struct clock_action *a, enum clock_verb verb)
{
	memset(a, 0, sizeof(*a));
	a->verb = verb;
}

void
clock_action_free(struct clock_action *a)
{
	if (a->text != NULL) {
		sodium_memzero(a->text, strlen(a->text));
		free(a->text);
	}
	free(a->reason);
	free(a->box);
	memset(a, 0, sizeof(*a));
}

static void
set_error(struct clock_action *a, enum clock_field f, const char *message)
{
	if (a->error[f] == NULL) {
		a->error[f] = message;
		a->nerrors++;
	}
}

/* Text without surrounding white space: blank is missing. */
static char *
trimmed(const char *v)
{
	size_t	 n;

	v += strspn(v, " \t\r\n");
	n = strlen(v);
	while (n > 0 && strchr(" \t\r\n", v[n - 1]) != NULL)
		n--;
	return (strndup(v, n));
}

/* Sets one named input; unknown names are the caller's business. */
int
clock_action_set(struct clock_action *a, const char *name,
    const char *value)
{
	char	**to;

	if (strcmp(name, "reason") == 0)
		to = &a->reason;
	else if (strcmp(name, "text") == 0)
		to = &a->text;
	else
		return (0);
	free(*to);
	*to = trimmed(value);
	return (1);
}

/* Returns 1 when the action can be tried; else each field has its error. */
int
clock_action_validate(struct clock_action *a)
{
	size_t	 n;

	if (a->reason != NULL && *a->reason == '\0') {
		free(a->reason);
		a->reason = NULL;
	}
	if (a->text != NULL && *a->text == '\0') {
		free(a->text);
		a->text = NULL;
	}
	/* Reason codes are short lower-case words (sla_pause_reasons). */
	if (a->verb != CK_EXTEND && (a->reason == NULL ||
	    strlen(a->reason) > 47 || strspn(a->reason,
	    "abcdefghijklmnopqrstuvwxyz_") != strlen(a->reason)))
		set_error(a, KF_REASON, a->verb == CK_PAUSE ?
		    "Choose why the clocks pause." :
		    "Choose the pause to end.");
	if (a->verb == CK_EXTEND && a->text == NULL)
		set_error(a, KF_TEXT, "Give the reason for the extension; "
		    "the complainant must be told why.");
	if (a->text != NULL) {
		n = strlen(a->text);
		if (!utf8_valid(a->text, n) || memchr(a->text, '\0', n))
			set_error(a, KF_TEXT, "Use only valid text characters.");
		else if (utf8_count(a->text, n) > CLOCK_TEXT_MAX)
			set_error(a, KF_TEXT, "Use at most 10 000 characters.");
	}
	if (a->verb == CK_RESUME && a->text != NULL) {
		free(a->text);		/* resuming takes no note */
		a->text = NULL;
	}
	return (a->nerrors == 0);
}

/* The case's keys, when the action has text to keep (nothing otherwise). */
static enum db_status
keys_query(struct db_query *q, struct http_request *req,
    const struct staff *who, const char *reference)
{
	char		 actor[24];
	const char	*v[2] = { actor, reference };

	(void)snprintf(actor, sizeof(actor), "%lld", (long long)who->id);
	return (db_run(q, req, "SELECT data_key_sealed, complainant_salt "
	    "FROM case_keys($1, $2)", 2, v, NULL, NULL));
}

/* The text under the case data key, as an internal note; 0 on failure. */
static int
seal_note(struct clock_action *a, const struct db_query *keys)
{
	unsigned char	 dk[CASEBOX_KEYBYTES], *sealed, *salt;
	size_t		 sealed_len, salt_len;
	int		 ok;

	if (db_rows(keys) != 1)
		return (1);	/* out of reach: the action says not_found */
	sealed = db_bytea(keys, 0, 0, &sealed_len);
	salt = db_bytea(keys, 0, 1, &salt_len);
	ok = sealed != NULL && salt != NULL && salt_len == VAULT_SALTBYTES &&
	    casebox_key(app.review_sk, app.keys.review_pk, sealed, sealed_len,
	    dk);
	if (ok)
		a->box = vault_aead_seal(dk, CASEBOX_NOTE, salt, a->text,
		    &a->box_len);
	sodium_memzero(dk, sizeof(dk));
	kore_free(sealed);
	kore_free(salt);
	return (ok && a->box != NULL);
}

/*
 * Carries a validated action out (call again while DB_PENDING): the keys
 * first when there is text, then the SQL function, whose one value is the
 * outcome word (clock_outcome_status).
 */
enum db_status
clock_action_perform(struct clock_action *a, struct db_query *q,
    struct http_request *req, const struct staff *who, const char *reference)
{
	enum db_status	 st;
	char		 actor[24];
	const char	*v[4];
	int		 l[4] = { 0 }, f[4] = { 0 }, ok;

	if (!a->keys_done && a->text != NULL) {
		if ((st = keys_query(q, req, who, reference)) != DB_OK)
			return (st);
		ok = seal_note(a, q);
		db_done(q);
		if (!ok)
			return (DB_FAILED);
	}
	a->keys_done = 1;
	(void)snprintf(actor, sizeof(actor), "%lld", (long long)who->id);
	v[0] = actor;
	v[1] = reference;
	v[2] = a->reason;
	/* A note kept by a case out of reach: there is no box, no note. */
	v[3] = (const char *)a->box;
	l[3] = (int)a->box_len;
	f[3] = 1;
	switch (a->verb) {
	case CK_PAUSE:
		return (db_run(q, req, "SELECT case_clock_pause($1, $2, $3, "
		    "$4)", 4, v, l, f));
	case CK_RESUME:
		return (db_run(q, req, "SELECT case_clock_resume($1, $2, $3)",
		    3, v, l, f));
	case CK_EXTEND:
		v[2] = v[3];
		l[2] = l[3];
		f[2] = 1;
		return (db_run(q, req, "SELECT case_clock_extend($1, $2, $3)",
		    3, v, l, f));
	}
	return (DB_FAILED);
}

/*
 * The outcome word as an answer: the words about a field put their
 * message next to it (422 or 409, *message NULL); the others mean what
 * they mean for every case action.
 */
int
clock_outcome_status(struct clock_action *a, const char *outcome,
    const char **message)
{
	static const struct {
		const char		*word;
		int			 status;
		enum clock_field	 field;
		const char		*message;
	} map[] = {
		{ "bad_reason", 422, KF_REASON, "Choose one of the reasons "
		    "offered." },
		{ "already_paused", 409, KF_REASON, "The clocks are already "
		    "paused for this reason." },
		{ "not_paused", 409, KF_REASON, "There is no such pause to "
		    "end." },
		{ "extended", 409, KF_TEXT, "The extension has already been "
		    "taken; it can be taken only once." },
		{ "no_extension", 409, KF_TEXT, "This case's policy has no "
		    "extension." },
	};
	size_t	 i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].word, outcome) == 0) {
			set_error(a, map[i].field, map[i].message);
			*message = NULL;
			return (map[i].status);
		}
	return (case_outcome_status(outcome, message));
}

/* What the case page's clock panel shows (case_clock_panel, 0015). */
enum db_status
clock_panel_query(struct db_query *q, struct http_request *req,
    const struct staff *who, const char *reference)
{
	char		 actor[24];
	const char	*v[2] = { actor, reference };

	(void)snprintf(actor, sizeof(actor), "%lld", (long long)who->id);
	return (db_run(q, req, "SELECT case_clock_panel($1, $2)", 2, v, NULL,
	    NULL));
}
