/*
 * Housekeeping on a timer in the first worker: destroys receipt codes kept
 * for replays once they are 24 hours old, and stale throttle windows, even
 * when no request arrives to do it.
 */

#include "app.h"


static struct kore_pgsql	*running;

static void
maintenance_finish(struct kore_pgsql *sql)
{
	/* Releasing a connection calls the callback again: not any more. */
	sql->cb = NULL;
	db_forget_dead_socket(sql);
	kore_pgsql_cleanup(sql);
	kore_free(sql);
	running = NULL;
}

/* Called by Kore's pgsql layer at every change of the statement's state. */
static void
maintenance_result(struct kore_pgsql *sql, void *arg)
{
	switch (sql->state) {
	case KORE_PGSQL_STATE_WAIT:
		break;
	case KORE_PGSQL_STATE_RESULT:
		if (kore_pgsql_ntuples(sql) == 1 &&
		    (atoi(kore_pgsql_getvalue(sql, 0, 0)) > 0 ||
		    atoi(kore_pgsql_getvalue(sql, 0, 1)) > 0))
			kore_log(LOG_INFO, "purged %s kept receipt codes and "
			    "%s throttle windows", kore_pgsql_getvalue(sql, 0, 0),
			    kore_pgsql_getvalue(sql, 0, 1));
		kore_pgsql_continue(sql);
		break;
	case KORE_PGSQL_STATE_DONE:
		/* Releases the connection; we are called again, COMPLETE. */
		kore_pgsql_continue(sql);
		break;
	case KORE_PGSQL_STATE_ERROR:
		kore_log(LOG_NOTICE, "could not purge expired data: %s",
		    sql->error ? sql->error : "unknown error");
		maintenance_finish(sql);
		break;
	case KORE_PGSQL_STATE_COMPLETE:
		maintenance_finish(sql);
		break;
	default:
		break;
	}
}

static void
maintenance_run(void *arg, u_int64_t now)
{
	struct kore_pgsql	*sql;

	/*
	 * When PostgreSQL drops the connection mid-statement, Kore marks the
	 * statement failed but calls no callback: finish it here.
	 */
	if (running != NULL && running->state == KORE_PGSQL_STATE_ERROR &&
	    running->conn == NULL)
		maintenance_finish(running);
	if (running != NULL)
		return;
	sql = kore_calloc(1, sizeof(*sql));
	kore_pgsql_init(sql);
	kore_pgsql_bind_callback(sql, maintenance_result, NULL);
	running = sql;
	/* Busy or unreachable: try again at the next tick. */
	if (!kore_pgsql_setup(sql, "db", KORE_PGSQL_ASYNC) ||
	    !db_conn_usable(sql) ||
	    !kore_pgsql_query(sql, "SELECT receipts, windows "
	    "FROM purge_expired()"))
		maintenance_finish(sql);
}

/* Starts the timer in worker 1 only; one purger is enough. */
void
maintenance_start(void)
{
	if (worker == NULL || worker->id != 1)
		return;
	kore_timer_add(maintenance_run, 2000, NULL, KORE_TIMER_ONESHOT);
	kore_timer_add(maintenance_run, (u_int64_t)app.maintenance_seconds *
	    1000, NULL, 0);
}
