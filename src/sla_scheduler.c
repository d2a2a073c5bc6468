/*
 * The SLA scheduler: on a timer in the back office's first worker, claims
 * the cases whose clocks are due a recomputation (sla_claim), computes
 * their five clocks with the engine and stores them in one call
 * (sla_store), which also writes the at-risk, breach and escalation events
 * exactly once.  Safe with several workers and nodes: the claim leases the
 * rows it takes, and the store locks each case and passes over one that
 * changed meanwhile.  Asynchronous statements only.  While a batch is
 * being stored the next one is claimed and computed on another connection
 * (its cases are not leased by the first), so that a busy pass keeps one
 * statement of each kind under way; at most one computed batch waits.
 */

#include <inttypes.h>

#include "app.h"
#include "caseclocks.h"

#define SLA_BATCH	500

static struct bg_statement	claim = { .name = "sla scheduler (claim)" };
static struct bg_statement	store = { .name = "sla scheduler (store)" };
static struct cc_cache		*cache;
static char			*results;	/* computed, not yet stored */
static char			 now_at[64];	/* its claim's now, as text */
static int			 full;		/* that batch was full: go on */

static void	scheduler_tick(void *, u_int64_t);

/* One case of the claim, computed into an element of the store's array. */
static json_t *
compute_row(struct kore_pgsql *sql, int row, sla_time now)
{
	struct sla_clock	out[SLA_NCLOCKS];
	struct sla_error	err;
	struct cc_input		in;
	sla_time		next;
	const char		*id;

	id = kore_pgsql_getvalue(sql, row, 2);
	in.policy_version = strtoll(kore_pgsql_getvalue(sql, row, 4), NULL, 10);
	in.policy = kore_pgsql_getvalue(sql, row, 5);
	in.calendar_version = strtoll(kore_pgsql_getvalue(sql, row, 6), NULL,
	    10);
	in.calendar = kore_pgsql_getvalue(sql, row, 7);
	in.events = kore_pgsql_getvalue(sql, row, 8);
	if (cc_compute(cache, &in, now, out, &err) != 0) {
		/* Left leased: tried again in a minute, logged each time. */
		kore_log(LOG_NOTICE, "sla scheduler: case id %s: %s: %s", id,
		    err.field, err.message);
		return (NULL);
	}
	next = cc_next_change(out);
	return (json_pack("{s:I,s:I,s:I,s:I,s:o,s:o}",
	    "case", (json_int_t)strtoll(id, NULL, 10),
	    "last_event", (json_int_t)strtoll(kore_pgsql_getvalue(sql, row, 3),
	    NULL, 10),
	    "policy", (json_int_t)in.policy_version,
	    "calendar", (json_int_t)in.calendar_version,
	    "next", next != 0 ? json_integer(next) : json_null(),
	    "clocks", cc_clocks_json(out)));
}

static void
claim_done(struct bg_statement *bg, struct kore_pgsql *sql)
{
	json_t		*all, *one;
	sla_time	 now;
	int		 i, n;

	/* scheduler_tick claims only when no computed batch waits. */
	full = 0;
	if (sql == NULL || (n = kore_pgsql_ntuples(sql)) == 0)
		return;
	(void)kore_strlcpy(now_at, kore_pgsql_getvalue(sql, 0, 0),
	    sizeof(now_at));
	now = strtoll(kore_pgsql_getvalue(sql, 0, 1), NULL, 10);
	all = json_array();
	for (i = 0; i < n; i++)
		if ((one = compute_row(sql, i, now)) != NULL)
			json_array_append_new(all, one);
	results = json_dumps(all, JSON_COMPACT);
	json_decref(all);
	full = n == SLA_BATCH;
}

/*
 * Once the claim's connection is back, and again once the store's is:
 * stores the computed batch if the store's connection is free, then claims
 * the next batch at once when this one was full.
 */
static void
store_start(struct bg_statement *bg)
{
	const char	*v[2];
	int		 more;

	if (results == NULL || bg_busy(&store))
		return;
	v[0] = now_at;
	v[1] = results;
	more = full;
	full = 0;
	/* libpq has copied the parameters once the statement is sent. */
	if (!bg_run(&store, "SELECT sla_store($1::timestamptz, $2::jsonb)", 2,
	    v, NULL, NULL))
		more = 0;	/* the cases stay leased; next tick or later */
	free(results);
	results = NULL;
	if (more)
		scheduler_tick(NULL, 0);
}

static void
scheduler_tick(void *arg, u_int64_t msec)
{
	char		 limit[16];
	const char	*v[2];

	/* A batch left waiting by a store that failed is stored first. */
	if (results != NULL) {
		store_start(NULL);
		return;
	}
	if (bg_busy(&claim))
		return;
	(void)snprintf(limit, sizeof(limit), "%d", SLA_BATCH);
	/* The test clock's offset counts only when this instance says so. */
	v[0] = app.test_clock ? "true" : "false";
	v[1] = limit;
	(void)bg_run(&claim, "SELECT now_at, now_epoch, case_id, "
	    "coalesce(last_event, 0), policy_version, policy, "
	    "calendar_version, calendar, events "
	    "FROM sla_claim($1::boolean, $2::integer)", 2, v, NULL, NULL);
}

void
sla_scheduler_start(void)
{
	if ((cache = cc_cache_new()) == NULL)
		fatal("sla scheduler: out of memory");
	claim.done = claim_done;
	claim.next = store_start;
	store.next = store_start;
	kore_timer_add(scheduler_tick, (u_int64_t)app.sla_tick_ms, NULL, 0);
}
