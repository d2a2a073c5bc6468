/*
 * Retention: on a timer in the back office's first worker, erases the
 * personal data of closed cases whose queue's retention period has passed
 * (retention_pass in sql/0021-erasure.sql), a batch at a time, each case
 * once and audited by the database.  Its log line is a count, never a case.
 */

#include <stdlib.h>

#include "app.h"

#define RETENTION_BATCH	100

static struct bg_statement	pass = { .name = "retention pass" };
static int			full;	/* the last batch was full */

static void	retention_tick(void *, u_int64_t);

static void
pass_done(struct bg_statement *bg, struct kore_pgsql *sql)
{
	int	 n;

	full = 0;
	if (sql == NULL || kore_pgsql_ntuples(sql) != 1)
		return;
	n = atoi(kore_pgsql_getvalue(sql, 0, 0));
	if (n > 0)
		kore_log(LOG_INFO, "retention: erased the personal data of %d "
		    "closed cases", n);
	full = n == RETENTION_BATCH;
}

/* Once the connection is back: a full batch means more are due now. */
static void
pass_next(struct bg_statement *bg)
{
	if (full)
		retention_tick(NULL, 0);
}

static void
retention_tick(void *arg, u_int64_t msec)
{
	char		 limit[16];
	const char	*v[2];

	if (bg_busy(&pass))
		return;
	(void)snprintf(limit, sizeof(limit), "%d", RETENTION_BATCH);
	/* The test clock's offset counts only when this instance says so. */
	v[0] = app.test_clock ? "true" : "false";
	v[1] = limit;
	(void)bg_run(&pass, "SELECT retention_pass($1::boolean, $2::integer)",
	    2, v, NULL, NULL);
}

void
retention_start(void)
{
	pass.done = pass_done;
	pass.next = pass_next;
	kore_timer_add(retention_tick, (u_int64_t)app.retention_ms, NULL, 0);
}
