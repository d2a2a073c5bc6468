/*
 * Statements the service runs on its own, outside any request (timers):
 * one at a time per owner, asynchronously on Kore's pgsql layer, with the
 * result handed to a callback and the connection always given back.
 */

#include "app.h"

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
	if (!ok && bg->done != NULL)
		bg->done(bg, NULL);
}

/* Called by Kore's pgsql layer at every change of the statement's state. */
static void
bg_state(struct kore_pgsql *sql, void *arg)
{
	struct bg_statement	*bg = arg;

	switch (sql->state) {
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
 * Starts a statement; done() sees its result (or NULL on failure), then
 * next(), if set, runs once the connection is back in the pool.  Returns 0
 * when it could not start (busy, or PostgreSQL out of reach: the caller's
 * timer tries again).
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
	if (!kore_pgsql_setup(sql, "db", KORE_PGSQL_ASYNC) ||
	    !db_conn_usable(sql))
		goto failed;
/* Kore's prototype lacks const; it only reads the arrays. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
	if (!kore_pgsql_query_param_fields(sql, query, 0, n,
	    (const char **)values, (int *)lengths, (int *)formats))
		goto failed;
#pragma GCC diagnostic pop
	return (1);
failed:
	bg_finish(bg, 0);
	return (0);
}
