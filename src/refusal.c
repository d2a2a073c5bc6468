/*
 * Refused attempts by identified staff (a case out of reach, a refused
 * action, a forged CSRF token, a page needing a role the account lacks),
 * noted while answering and written to the audit log just behind the
 * answer, so that a refusal looks and takes the same whatever is recorded.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

/* At most this many refusals wait in a worker while PostgreSQL is away. */
#define REFUSAL_QUEUE_MAX	4096
#define REFUSAL_RETRY_MS	1000
#define REFUSAL_OBJECT_MAX	190

static struct bg_statement	 writer = {
	.name = "could not record refused attempts"
};
static json_t			*pending;	/* noted, not yet sent */
static json_t			*inflight;	/* being written */
static long			 dropped, inflight_dropped;
static int			 scheduled;

static void	refusal_flush(void);
static void	refusal_tick(void *, u_int64_t);

static size_t
queued(void)
{
	return (json_array_size(pending) + json_array_size(inflight));
}

static void
schedule(u_int64_t ms)
{
	if (scheduled)
		return;
	scheduled = 1;
	(void)kore_timer_add(refusal_tick, ms, NULL, KORE_TIMER_ONESHOT);
}

/* Not written: back to the head of the queue, to be tried again. */
static void
writer_done(struct bg_statement *bg, struct kore_pgsql *sql)
{
	if (sql != NULL || inflight == NULL)
		return;
	(void)json_array_extend(inflight, pending);
	json_decref(pending);
	pending = inflight;
	inflight = NULL;
	dropped += inflight_dropped;
	inflight_dropped = 0;
	schedule(REFUSAL_RETRY_MS);
}

/* Written and committed: what was noted meanwhile goes next. */
static void
writer_next(struct bg_statement *bg)
{
	json_decref(inflight);
	inflight = NULL;
	inflight_dropped = 0;
	if (json_array_size(pending) > 0 || dropped > 0)
		refusal_flush();
}

/*
 * Sends everything noted so far as one statement: the refusals of one
 * request always travel together, so once one of them is in the log, all
 * of them are.
 */
static void
refusal_flush(void)
{
	const char	*v[2];
	char		*doc, n[24];

	if (bg_busy(&writer) || (json_array_size(pending) == 0 &&
	    dropped == 0))
		return;
	writer.done = writer_done;
	writer.next = writer_next;
	inflight = pending;
	pending = json_array();
	inflight_dropped = dropped;
	dropped = 0;
	if ((doc = json_dumps(inflight, JSON_COMPACT)) == NULL) {
		writer_done(&writer, NULL);
		return;
	}
	(void)snprintf(n, sizeof(n), "%ld", inflight_dropped);
	v[0] = doc;
	v[1] = n;
	/* On failure bg_run has called writer_done: queued again. */
	(void)bg_run(&writer, "SELECT audit_refusals($1::jsonb, $2::integer)",
	    2, v, NULL, NULL);
	free(doc);
}

static void
refusal_tick(void *arg, u_int64_t now)
{
	scheduled = 0;
	refusal_flush();
}

/*
 * Keeps an object name to letters, digits and / _ . - : (paths and case
 * references are already so; anything else is replaced), so that a
 * strange request cannot make the batch fail.
 */
static json_t *
object_text(const char *prefix, const char *s)
{
	char	 buf[REFUSAL_OBJECT_MAX + 1];
	size_t	 i, n;

	n = kore_strlcpy(buf, prefix, sizeof(buf));
	for (i = 0; s[i] != '\0' && n < sizeof(buf) - 1; i++)
		buf[n++] = isalnum((unsigned char)s[i]) ||
		    strchr("/_.-:", s[i]) != NULL ? s[i] : '_';
	buf[n] = '\0';
	return (json_string(buf));
}

/*
 * Notes a refusal by 'who' (already identified: nobody else can make the
 * log grow).  'object' is what was asked for ("case:RC-..." or a path);
 * 'verb', 'reason' and 'needs' may be NULL.
 */
static void
refusal_note(const struct staff *who, const char *kind, const char *prefix,
    const char *object, const char *verb, const char *reason,
    const char *needs)
{
	json_t	*r;

	if (pending == NULL)
		pending = json_array();
	if (queued() >= REFUSAL_QUEUE_MAX) {
		dropped++;
		schedule(0);
		return;
	}
	r = json_pack("{s:I,s:s}", "actor", (json_int_t)who->id, "kind", kind);
	json_object_set_new(r, "object", object_text(prefix, object));
	if (verb != NULL)
		json_object_set_new(r, "verb", json_string(verb));
	if (reason != NULL)
		json_object_set_new(r, "reason", json_string(reason));
	if (needs != NULL)
		json_object_set_new(r, "needs", json_string(needs));
	json_array_append_new(pending, r);
	/* After this request's handler: its refusals go in one batch. */
	schedule(0);
}

/* A case page or API read that found no case the reader may see. */
void
refusal_case_read(const struct staff *who, const char *reference)
{
	refusal_note(who, "case_read", "case:", reference, NULL, "not_found",
	    NULL);
}

/*
 * An action's outcome, noted when it was a refusal: out of reach, not
 * the case's assignee, a role the actor lacks, or the separation of
 * duties around appeals and second signatures.  A state conflict or an
 * invalid choice is ordinary work, not a refusal.
 */
void
refusal_case_action(const struct staff *who, enum case_verb verb,
    const char *reference, const char *outcome)
{
	refusal_case_verb(who, case_verb_name(verb), reference, outcome);
}

/* The same for an action named by its verb (the clocks' actions). */
void
refusal_case_verb(const struct staff *who, const char *verb,
    const char *reference, const char *outcome)
{
	if (strcmp(outcome, "not_found") != 0 &&
	    strcmp(outcome, "not_assigned") != 0 &&
	    strcmp(outcome, "forbidden") != 0 &&
	    strcmp(outcome, "excluded") != 0)
		return;
	refusal_note(who, "case_action", "case:", reference, verb, outcome,
	    NULL);
}

/* A back-office form whose CSRF token is not its session's. */
void
refusal_csrf(const struct staff *who, const char *path)
{
	refusal_note(who, "csrf", "", path, NULL, "csrf_token", NULL);
}

/* A page or command that needs a role ('needs') the account lacks. */
void
refusal_role(const struct staff *who, const char *path, const char *needs)
{
	refusal_note(who, "role", "", path, NULL, NULL, needs);
}
