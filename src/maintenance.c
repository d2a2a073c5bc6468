/*
 * Housekeeping on a timer in the first worker.  The public side destroys
 * receipt codes kept for replays once they are 24 hours old and stale
 * tracking throttle windows; the back office ends expired sessions and old
 * login throttles and seals the audit log.  All of it runs even when no
 * request arrives.
 */

#include "app.h"

static struct bg_statement	purge = { .name = "could not purge expired data" };

static void
purge_done(struct bg_statement *bg, struct kore_pgsql *sql)
{
	if (sql == NULL || kore_pgsql_ntuples(sql) != 1)
		return;
	if (atoi(kore_pgsql_getvalue(sql, 0, 0)) > 0 ||
	    atoi(kore_pgsql_getvalue(sql, 0, 1)) > 0)
		kore_log(LOG_INFO, "purged %s %s and %s %s",
		    kore_pgsql_getvalue(sql, 0, 0),
		    app.review ? "expired sessions" : "kept receipt codes",
		    kore_pgsql_getvalue(sql, 0, 1),
		    app.review ? "login throttles" : "throttle windows");
}

static void
maintenance_run(void *arg, u_int64_t now)
{
	purge.done = purge_done;
	(void)bg_run(&purge, app.review ?
	    "SELECT sessions, throttles FROM purge_staff_expired()" :
	    "SELECT receipts, windows FROM purge_expired()", 0, NULL, NULL,
	    NULL);
}

/* Starts the timers in worker 1 only; one of each is enough. */
void
maintenance_start(void)
{
	if (worker == NULL || worker->id != 1)
		return;
	kore_timer_add(maintenance_run, 2000, NULL, KORE_TIMER_ONESHOT);
	kore_timer_add(maintenance_run, (u_int64_t)app.maintenance_seconds *
	    1000, NULL, 0);
	if (app.review) {
		audit_sealer_start();
		if (app.sla_tick_ms > 0)
			sla_scheduler_start();
		if (app.retention_ms > 0)
			retention_start();
	}
}
