/*
 * Statements the service runs on its own, outside any request (timers):
 * one at a time per owner, asynchronously on Kore's pgsql layer, waiting
 * their turn when every connection is busy, with the result handed to a
 * callback and the connection always given back.
 */

#include <string.h>

#include "app.h"

/* The parameters kept while the statement waits in Kore's line. */
static void
bg_forget_params(struct bg_statement *bg)
{
	int	i;

	for (i = 0; bg->values != NULL && i < bg->nparams; i++)
		kore_free(bg->values[i]);
	kore_free(bg->values);
	kore_free(bg->lengths);
	kore_free(bg->formats);
	bg->values = NULL;
	bg->lengths = NULL;
	bg->formats = NULL;
	bg->nparams = 0;
}

static void
bg_keep_params(struct bg_statement *bg, const char *query, int n,
    const char *const *values, const int *lengths, const int *formats)
{
	size_t	len;
	int	i;

	bg->query = query;
	bg->nparams = n;
	if (n == 0)
		return;
	bg->values = kore_calloc((size_t)n, sizeof(char *));
	bg->lengths = kore_calloc((size_t)n, sizeof(int));
	bg->formats = kore_calloc((size_t)n, sizeof(int));
	for (i = 0; i < n; i++) {
		if (values[i] == NULL)
			continue;
		len = lengths != NULL && formats != NULL && formats[i] == 1 ?
		    (size_t)lengths[i] : strlen(values[i]);
		bg->values[i] = kore_malloc(len + 1);
		memcpy(bg->values[i], values[i], len);
		bg->values[i][len] = '\0';
		bg->lengths[i] = (int)len;
		bg->formats[i] = formats != NULL ? formats[i] : 0;
	}
}

static void
bg_finish(struct bg_statement *bg, int ok)
{
	struct kore_pgsql	*sql = bg->sql;

	/* Releasing a connection calls the callback again: not any more. */
	sql->cb = NULL;
	db_forget_dead_socket(sql);
	kore_pgsql_cleanup(sql);
	kore_free(sql);
	bg->sql = NULL;
	bg_forget_params(bg);
	if (!ok && bg->done != NULL)
		bg->done(bg, NULL);
}

static int	bg_send(struct bg_statement *);
static void	bg_resend(void *, u_int64_t);

/* Called by Kore's pgsql layer at every change of the statement's state. */
static void
bg_state(struct kore_pgsql *sql, void *arg)
{
	struct bg_statement	*bg = arg;

	switch (sql->state) {
	case KORE_PGSQL_STATE_INIT:
		/*
		 * Woken from Kore's line: a connection is free.  Kore takes
		 * the statement off its line only after this returns, so it
		 * is sent from a timer, never cleaned up here.
		 */
		kore_timer_add(bg_resend, 0, bg, KORE_TIMER_ONESHOT);
		break;
	case KORE_PGSQL_STATE_WAIT:
		break;
	case KORE_PGSQL_STATE_RESULT:
		if (bg->done != NULL)
			bg->done(bg, sql);
		kore_pgsql_continue(sql);
		break;
	case KORE_PGSQL_STATE_DONE:
		/* Releases the connection; we are called again, COMPLETE. */
		kore_pgsql_continue(sql);
		break;
	case KORE_PGSQL_STATE_ERROR:
		kore_log(LOG_NOTICE, "%s: %s", bg->name,
		    sql->error ? sql->error : "unknown error");
		bg_finish(bg, 0);
		break;
	case KORE_PGSQL_STATE_COMPLETE:
		bg_finish(bg, 1);
		if (bg->next != NULL)
			bg->next(bg);
		break;
	default:
		break;
	}
}

/* Whether a statement of this owner is still under way. */
int
bg_busy(struct bg_statement *bg)
{
	/*
	 * When PostgreSQL drops the connection mid-statement, Kore marks the
	 * statement failed but calls no callback: finish it here.
	 */
	if (bg->sql != NULL && bg->sql->state == KORE_PGSQL_STATE_ERROR &&
	    bg->sql->conn == NULL)
		bg_finish(bg, 0);
	return (bg->sql != NULL);
}

/*
 * Sends the kept statement once a connection is to be had; 1 when sent or
 * queued in Kore's line (bg_state sends it when woken), 0 on failure.
 */
static int
bg_send(struct bg_statement *bg)
{
	struct kore_pgsql	*sql = bg->sql;

	if (!kore_pgsql_setup(sql, "db", KORE_PGSQL_ASYNC))
		return (sql->state == KORE_PGSQL_STATE_INIT);
	if (!db_conn_usable(sql))
		return (0);
/* Kore's prototype lacks const; it only reads the arrays. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
	if (!kore_pgsql_query_param_fields(sql, bg->query, 0, bg->nparams,
	    (const char **)bg->values, bg->lengths, bg->formats))
		return (0);
#pragma GCC diagnostic pop
	/* PostgreSQL has the statement: the copies are no longer needed. */
	bg_forget_params(bg);
	return (1);
}

static void
bg_resend(void *arg, u_int64_t now)
{
	struct bg_statement	*bg = arg;

	if (bg->sql != NULL && !bg_send(bg))
		bg_finish(bg, 0);
}

/*
 * Starts a statement ('query' must outlive it: a literal); done() sees its
 * result (or NULL on failure), then next(), if set, runs once the
 * connection is back in the pool.  When every connection is busy the
 * statement waits its turn, as a request's does.  Returns 0 when it could
 * not start (busy, or PostgreSQL out of reach: the caller's timer tries
 * again).
 */
int
bg_run(struct bg_statement *bg, const char *query, int n,
    const char *const *values, const int *lengths, const int *formats)
{
	struct kore_pgsql	*sql;

	if (bg_busy(bg))
		return (0);
	sql = kore_calloc(1, sizeof(*sql));
	kore_pgsql_init(sql);
	kore_pgsql_bind_callback(sql, bg_state, bg);
	bg->sql = sql;
	bg_keep_params(bg, query, n, values, lengths, formats);
	if (!bg_send(bg)) {
		bg_finish(bg, 0);
		return (0);
	}
	return (1);
}
