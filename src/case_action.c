/*
 * The actions a reviewer takes on a case, read from a posted form or a
 * JSON body into one struct, checked field by field, encrypted as the case
 * requires, and run as one SQL function call.
 */

#include <string.h>

#include <sodium.h>

#include "app.h"

#define ACTION_TEXT_MAX	10000
#define HOLD_TEXT_MAX	1000	/* a legal hold's reason, kept in clear */

static const struct {
	const char	*name;
	enum case_verb	 verb;
} verbs[] = {
	{ "take", CV_TAKE },
	{ "assign", CV_ASSIGN },
	{ "release", CV_RELEASE },
	{ "triage", CV_TRIAGE },
	{ "investigate", CV_INVESTIGATE },
	{ "note", CV_NOTE },
	{ "message", CV_MESSAGE },
	{ "request_info", CV_REQUEST_INFO },
	{ "link_duplicate", CV_LINK_DUPLICATE },
	{ "reject", CV_REJECT },
	{ "decide", CV_DECIDE },
	{ "sign", CV_SIGN },
	{ "close", CV_CLOSE },
	{ "send_back", CV_SEND_BACK },
	{ "erase", CV_ERASE },
	{ "hold", CV_HOLD },
	{ "lift_hold", CV_LIFT_HOLD },
	{ "narrative", CV_NARRATIVE },
	{ "approve_narrative", CV_APPROVE_NARRATIVE },
};

const char *const case_field_names[] = { "to", "category", "priority",
    "queue", "outcome", "remedies", "automated", "original", "text", "draft",
    "checked", NULL };

const char *const case_outcomes[] = { "upheld", "partly_upheld",
    "not_upheld", "out_of_scope", "referred", NULL };
const char *const case_remedies[] = { "campaign_changed", "data_deleted",
    "consent_fixed", "model_changed", "optout_honoured", "apology",
    "compensation", "staff_guidance", "none", NULL };

int
case_verb_parse(const char *name, enum case_verb *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verbs[i].name, name) == 0) {
			*out = verbs[i].verb;
			return (1);
		}
	}
	return (0);
}

const char *
case_verb_name(enum case_verb v)
{
	size_t	 i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (verbs[i].verb == v)
			return (verbs[i].name);
	return ("");
}

static int
list_index(const char *const *list, const char *v)
{
	int	 i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], v) == 0)
			return (i);
	return (-1);
}

void
case_action_init(struct case_action *a, enum case_verb verb)
{
	memset(a, 0, sizeof(*a));
	a->verb = verb;
	a->automated = -1;
	sbuf_init(&a->remedies_text);
}

void
case_action_free(struct case_action *a)
{
	if (a->text != NULL) {
		sodium_memzero(a->text, strlen(a->text));
		free(a->text);
	}
	free(a->category);
	free(a->queue);
	free(a->original);
	free(a->outcome);
	free(a->to);
	free(a->flags);
	free(a->box);
	free(a->cbox);
	sbuf_free(&a->remedies_text);
	memset(a, 0, sizeof(*a));
}

/* One message per field: the first problem found with it. */
static void
set_error(struct case_action *a, enum case_field f, const char *message)
{
	if (a->error[f] == NULL) {
		a->error[f] = message;
		a->nerrors++;
	}
}

static char *
dup_trimmed(const char *v)
{
	size_t	 n;

	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' ||
	    v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	return (strndup(v, n));
}

/* Sets one named input; unknown names are the caller's business. */
int
case_action_set(struct case_action *a, const char *name, const char *value)
{
	int	 i;

	if (strcmp(name, "text") == 0) {
		free(a->text);
		a->text = dup_trimmed(value);
	} else if (strcmp(name, "category") == 0) {
		free(a->category);
		a->category = dup_trimmed(value);
	} else if (strcmp(name, "queue") == 0) {
		free(a->queue);
		a->queue = dup_trimmed(value);
	} else if (strcmp(name, "priority") == 0) {
		a->priority = (strlen(value) == 1 && value[0] >= '1' &&
		    value[0] <= '4') ? value[0] - '0' : -1;
	} else if (strcmp(name, "original") == 0) {
		free(a->original);
		a->original = dup_trimmed(value);
	} else if (strcmp(name, "outcome") == 0) {
		free(a->outcome);
		a->outcome = dup_trimmed(value);
	} else if (strcmp(name, "remedies") == 0) {
		if ((i = list_index(case_remedies, value)) < 0)
			a->bad_remedy = 1;
		else
			a->remedies |= 1u << i;
	} else if (strcmp(name, "automated") == 0) {
		a->automated = strcmp(value, "yes") == 0 ? 1 :
		    strcmp(value, "no") == 0 ? 0 : -2;
	} else if (strcmp(name, "to") == 0) {
		free(a->to);
		a->to = dup_trimmed(value);
	} else if (strcmp(name, "draft") == 0) {
		a->draft = strlen(value) >= 1 && strlen(value) <= 9 &&
		    strspn(value, "0123456789") == strlen(value) ?
		    atoi(value) : -1;
	} else if (strcmp(name, "checked") == 0) {
		a->checked = strcmp(value, "yes") == 0;
	} else {
		return (0);
	}
	return (1);
}

static int
reference_valid(const char *r)
{
	size_t	 i, n;

	n = strlen(r);
	if (n < 14 || n > 20 || strncmp(r, "RC-", 3) != 0 || r[7] != '-')
		return (0);
	for (i = 3; i < n; i++)
		if (i != 7 && (r[i] < '0' || r[i] > '9'))
			return (0);
	return (1);
}

static void
check_text(struct case_action *a, const char *what)
{
	size_t	 n;

	if (a->text == NULL || *a->text == '\0') {
		set_error(a, CF_TEXT, what);
		return;
	}
	n = strlen(a->text);
	if (!utf8_valid(a->text, n))
		set_error(a, CF_TEXT, "Use only valid text characters.");
	else if (utf8_count(a->text, n) > ACTION_TEXT_MAX)
		set_error(a, CF_TEXT, "Use at most 10 000 characters.");
}

/*
 * Checks every field the verb needs, naming each faulty one; returns 1
 * when the action can be tried.
 */
int
case_action_validate(struct case_action *a)
{
	switch (a->verb) {
	case CV_ASSIGN:
		if (a->to == NULL || *a->to == '\0' || strlen(a->to) > 18 ||
		    strspn(a->to, "0123456789") != strlen(a->to))
			set_error(a, CF_TO, "Choose who should work this case.");
		break;
	case CV_TRIAGE:
		if (a->category == NULL || *a->category == '\0')
			set_error(a, CF_CATEGORY, "Choose the concern.");
		if (a->priority < 1)
			set_error(a, CF_PRIORITY, "Choose a priority from 1 "
			    "to 4.");
		if (a->queue != NULL && *a->queue == '\0') {
			free(a->queue);
			a->queue = NULL;
		}
		break;
	case CV_NOTE:
		check_text(a, "Write the note.");
		break;
	case CV_MESSAGE:
		check_text(a, "Write the message.");
		break;
	case CV_REQUEST_INFO:
		check_text(a, "Write what you need from the complainant.");
		break;
	case CV_REJECT:
		check_text(a, "Give the reason the complainant will read.");
		break;
	case CV_SEND_BACK:
		check_text(a, "Say why you send the decision back.");
		break;
	case CV_HOLD:
		check_text(a, "Say which legal obligation requires keeping "
		    "the data; the complainant reads it.");
		if (a->error[CF_TEXT] == NULL &&
		    utf8_count(a->text, strlen(a->text)) > HOLD_TEXT_MAX)
			set_error(a, CF_TEXT, "Use at most 1 000 characters.");
		break;
	case CV_NARRATIVE:
		check_text(a, "Write the account as it will be published.");
		break;
	case CV_APPROVE_NARRATIVE:
		if (a->draft < 1)
			set_error(a, CF_DRAFT, "Open the case again: which draft "
			    "you approve is missing.");
		break;
	case CV_LINK_DUPLICATE:
		if (a->original == NULL || !reference_valid(a->original))
			set_error(a, CF_ORIGINAL, "Give the reference of the "
			    "original case, like RC-2026-000123.");
		break;
	case CV_DECIDE:
		if (a->outcome == NULL ||
		    list_index(case_outcomes, a->outcome) < 0)
			set_error(a, CF_OUTCOME, "Choose the outcome.");
		if (a->bad_remedy || a->remedies == 0)
			set_error(a, CF_REMEDIES, "Choose at least one remedial "
			    "action, or none.");
		else if ((a->remedies & (1u << 8)) && a->remedies != 1u << 8)
			set_error(a, CF_REMEDIES, "\"None\" cannot go with other "
			    "remedial actions.");
		if (a->automated < 0)
			set_error(a, CF_AUTOMATED, "Say whether automated means "
			    "were used to detect or decide.");
		check_text(a, "Write the reasons for the decision.");
		break;
	default:
		break;
	}
	return (a->nerrors == 0);
}

/* Whether the verb writes text that must be encrypted for the case. */
static int
case_action_needs_keys(const struct case_action *a)
{
	return (a->verb == CV_NOTE || a->verb == CV_MESSAGE ||
	    a->verb == CV_REQUEST_INFO || a->verb == CV_REJECT ||
	    a->verb == CV_DECIDE || a->verb == CV_SEND_BACK);
}

/* Staff-only text: a note, or why a decision was sent back (a note too). */
static int
case_action_internal(const struct case_action *a)
{
	return (a->verb == CV_NOTE || a->verb == CV_SEND_BACK);
}

/*
 * The statement that fetches what encryption needs (see case_action_run):
 * nothing for a case out of the actor's reach, so that such a case costs
 * no more work than one that does not exist.
 */
static enum db_status
case_action_keys(struct db_query *q, struct http_request *req,
    const struct staff *who, const char *reference)
{
	char		 actor[24];
	const char	*v[2] = { actor, reference };

	(void)snprintf(actor, sizeof(actor), "%lld", (long long)who->id);
	return (db_run(q, req, "SELECT data_key_sealed, complainant_pk, "
	    "complainant_salt FROM case_keys($1, $2)", 2, v, NULL, NULL));
}

/*
 * Encrypts the action's text from the keys row: under the case data key
 * (with the label for its kind) and, when the complainant will read it,
 * sealed to their key.  Returns 0 when the keys cannot be opened.
 */
static int
case_action_seal(struct case_action *a, const struct db_query *keys)
{
	unsigned char	 dk[CASEBOX_KEYBYTES], *sealed, *pk, *salt;
	size_t		 sealed_len, pk_len, salt_len;
	const char	*label;
	int		 ok;

	if (db_rows(keys) != 1)
		return (1);	/* no such case: the action says not_found */
	if (db_isnull(keys, 0, 0)) {
		a->erased = 1;	/* nothing to seal to: the action says state */
		return (1);
	}
	sealed = db_bytea(keys, 0, 0, &sealed_len);
	pk = db_bytea(keys, 0, 1, &pk_len);
	salt = db_bytea(keys, 0, 2, &salt_len);
	ok = sealed != NULL && pk != NULL && pk_len == 32 && salt != NULL &&
	    salt_len == VAULT_SALTBYTES && casebox_key(app.review_sk,
	    app.keys.review_pk, sealed, sealed_len, dk);
	if (ok) {
		label = case_action_internal(a) ? CASEBOX_NOTE :
		    a->verb == CV_DECIDE ? CASEBOX_REASONS : CASEBOX_MESSAGE;
		a->box = vault_aead_seal(dk, label, salt, a->text,
		    &a->box_len);
		if (!case_action_internal(a))
			a->cbox = casebox_seal_to(pk, a->text, &a->cbox_len);
		a->sealed = 1;
	}
	sodium_memzero(dk, sizeof(dk));
	kore_free(sealed);
	kore_free(pk);
	kore_free(salt);
	return (ok);
}

/* The remedies as a PostgreSQL array literal. */
static void
remedies_literal(const struct case_action *a, struct sbuf *out)
{
	int	 i, first;

	sbuf_addc(out, '{');
	for (i = 0, first = 1; case_remedies[i] != NULL; i++) {
		if (!(a->remedies & (1u << i)))
			continue;
		sbuf_printf(out, "%s%s", first ? "" : ",", case_remedies[i]);
		first = 0;
	}
	sbuf_addc(out, '}');
}

/* Runs the action's SQL function; its one value is the outcome word. */
static enum db_status
case_action_run(struct case_action *a, struct db_query *q,
    struct http_request *req, const struct staff *who, const char *reference)
{
	char		 actor[24], prio[4], draft[16];
	const char	*v[7];
	int		 l[7] = { 0 }, f[7] = { 0 };
	const char	*sql;

	(void)snprintf(actor, sizeof(actor), "%lld", (long long)who->id);
	v[0] = actor;
	v[1] = reference;
	switch (a->verb) {
	case CV_TAKE:
		sql = "SELECT case_take($1, $2)";
		return (db_run(q, req, sql, 2, v, l, f));
	case CV_INVESTIGATE:
		sql = "SELECT case_investigate($1, $2)";
		return (db_run(q, req, sql, 2, v, l, f));
	case CV_SIGN:
		sql = "SELECT case_sign($1, $2)";
		return (db_run(q, req, sql, 2, v, l, f));
	case CV_CLOSE:
		sql = "SELECT case_close($1, $2)";
		return (db_run(q, req, sql, 2, v, l, f));
	case CV_ERASE:
		sql = "SELECT case_erase_confirm($1, $2)";
		return (db_run(q, req, sql, 2, v, l, f));
	case CV_LIFT_HOLD:
		sql = "SELECT case_lift_hold($1, $2)";
		return (db_run(q, req, sql, 2, v, l, f));
	case CV_HOLD:
		/* In clear: the complainant is told why, after erasure too. */
		v[2] = a->text;
		return (db_run(q, req, "SELECT case_legal_hold($1, $2, $3)", 3,
		    v, l, f));
	case CV_ASSIGN:
	case CV_RELEASE:
		v[2] = a->verb == CV_ASSIGN ? a->to : NULL;
		return (db_run(q, req, "SELECT case_assign($1, $2, $3)", 3, v,
		    l, f));
	case CV_APPROVE_NARRATIVE:
		(void)snprintf(draft, sizeof(draft), "%d", a->draft);
		v[2] = draft;
		v[3] = a->checked ? "t" : "f";
		return (db_run(q, req, "SELECT case_narrative_approve($1, $2, "
		    "$3, $4)", 4, v, l, f));
	case CV_TRIAGE:
		(void)snprintf(prio, sizeof(prio), "%d", a->priority);
		v[2] = a->category;
		v[3] = prio;
		v[4] = a->queue;
		return (db_run(q, req, "SELECT case_triage($1, $2, $3, $4, $5)",
		    5, v, l, f));
	case CV_LINK_DUPLICATE:
		v[2] = a->original;
		return (db_run(q, req, "SELECT case_link_duplicate($1, $2, $3)",
		    3, v, l, f));
	default:
		break;
	}
	if (!a->sealed)		/* no such case, or erased: nothing sealed */
		return (db_run(q, req, a->erased ? "SELECT 'state'" :
		    "SELECT 'not_found'", 0, NULL, NULL, NULL));
	v[2] = (const char *)a->box;
	l[2] = (int)a->box_len;
	f[2] = 1;
	switch (a->verb) {
	case CV_NARRATIVE:
		v[3] = a->flags;
		v[4] = a->flags_more ? "t" : "f";
		return (db_run(q, req, "SELECT case_narrative_draft($1, $2, $3, "
		    "$4::jsonb, $5)", 5, v, l, f));
	case CV_NOTE:
		return (db_run(q, req, "SELECT case_note($1, $2, $3)", 3, v, l,
		    f));
	case CV_SEND_BACK:
		return (db_run(q, req, "SELECT case_send_back($1, $2, $3)", 3,
		    v, l, f));
	case CV_MESSAGE:
	case CV_REQUEST_INFO:
	case CV_REJECT:
		v[3] = (const char *)a->cbox;
		l[3] = (int)a->cbox_len;
		f[3] = 1;
		if (a->verb == CV_REJECT)
			return (db_run(q, req, "SELECT case_reject($1, $2, $3, "
			    "$4)", 4, v, l, f));
		v[4] = a->verb == CV_REQUEST_INFO ? "t" : "f";
		return (db_run(q, req, "SELECT case_message($1, $2, $3, $4, "
		    "$5)", 5, v, l, f));
	case CV_DECIDE:
		v[3] = (const char *)a->cbox;
		l[3] = (int)a->cbox_len;
		f[3] = 1;
		v[4] = a->outcome;
		sbuf_reset(&a->remedies_text);
		remedies_literal(a, &a->remedies_text);
		v[5] = sbuf_cstr(&a->remedies_text);
		v[6] = a->automated ? "t" : "f";
		return (db_run(q, req, "SELECT case_decide($1, $2, $5, $6, $7, "
		    "$3, $4)", 7, v, l, f));
	default:
		return (DB_FAILED);
	}
}

/*
 * Carries a validated action out, over as many calls as it takes (call
 * again while DB_PENDING): the case's keys first when its text must be
 * encrypted, then the SQL function.  At DB_OK the query holds the outcome
 * word (see case_outcome_status); a key that does not open is DB_FAILED.
 */
enum db_status
case_action_perform(struct case_action *a, struct db_query *q,
    struct http_request *req, const struct staff *who, const char *reference)
{
	enum db_status	 st;
	int		 sealed;

	if (!a->keys_done && a->verb == CV_NARRATIVE) {
		if ((st = case_narrative_keys(q, req, who, reference)) != DB_OK)
			return (st);
		sealed = case_narrative_seal(a, q);
		db_done(q);
		if (!sealed)
			return (DB_FAILED);
	} else if (!a->keys_done && case_action_needs_keys(a)) {
		if ((st = case_action_keys(q, req, who, reference)) != DB_OK)
			return (st);
		sealed = case_action_seal(a, q);
		db_done(q);
		if (!sealed)
			return (DB_FAILED);
	}
	a->keys_done = 1;
	return (case_action_run(a, q, req, who, reference));
}

/*
 * Splits "PREFIX" "RC-2026-000001" "[/rest]" (the route's pattern has
 * checked the shape): the reference into ref, and *rest at what follows it
 * ("" or "/...").
 */
int
case_path_split(const char *path, const char *prefix, char *ref,
    size_t size, const char **rest)
{
	const char	*p, *slash;
	size_t		 n;

	if (strncmp(path, prefix, strlen(prefix)) != 0)
		return (0);
	p = path + strlen(prefix);
	slash = strchr(p, '/');
	n = slash ? (size_t)(slash - p) : strlen(p);
	if (n == 0 || n >= size)
		return (0);
	memcpy(ref, p, n);
	ref[n] = '\0';
	*rest = p + n;
	return (1);
}

/* The field a refusal is about (its message goes there), or -1. */
int
case_outcome_field(const char *outcome)
{
	return (strcmp(outcome, "unconfirmed") == 0 ? CF_CHECKED : -1);
}

/*
 * What an action's outcome word means for the answer: the status and a
 * sentence for the reviewer.  "ok" is 200 with no message.
 */
int
case_outcome_status(const char *outcome, const char **message)
{
	static const struct {
		const char	*word;
		int		 status;
		const char	*message;
	} map[] = {
		{ "ok", 200, NULL },
		{ "not_found", 404, "There is no case with this reference "
		    "that you can see." },
		{ "not_assigned", 409, "Take the case first: only the reviewer "
		    "working it (or a supervisor) can do this." },
		{ "state", 409, "This cannot be done in the case's present "
		    "state." },
		{ "forbidden", 403, "Only a supervisor can do this." },
		{ "excluded", 409, "You decided this case, so its appeal "
		    "(and its second signature) is for someone else." },
		{ "invalid", 422, "That choice is not possible for this case." },
		{ "no_consent", 409, "The complainant has not consented to "
		    "publishing their account (or has withdrawn it)." },
		{ "same_person", 409, "You wrote this draft: someone else must "
		    "approve it." },
		{ "stale", 409, "The draft changed since you opened the case: "
		    "read the new one before approving it." },
		{ "unconfirmed", 422, "Say that you checked every flagged "
		    "passage before approving." },
	};
	size_t	 i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].word, outcome) == 0) {
			*message = map[i].message;
			return (map[i].status);
		}
	}
	*message = "Something went wrong.";
	return (500);
}
