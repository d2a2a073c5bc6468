/*
 * The clocks of a complaint filed now, computed in each public worker so
 * that intake stores them itself instead of leaving every new case to a
 * scheduler pass: the current policy and calendar versions are read every
 * few seconds, and once a second the clocks of a case received in that
 * second are computed for every (policy, calendar) pair, as the JSON that
 * intake_complaint() (sql/0016) picks the routed pair from.
 */

#include <inttypes.h>
#include <time.h>

#include "app.h"
#include "caseclocks.h"

/* How often the versions are read again; a stale copy only costs speed. */
#define DEFS_REFRESH_MS	5000
#define DEFS_MAX	32

struct definition {
	int64_t		 version;
	char		*text;
};

struct definitions {
	struct definition	policy[DEFS_MAX];
	size_t			npolicy;
	struct definition	calendar[DEFS_MAX];
	size_t			ncalendar;
};

static struct bg_statement	refresh = { .name = "intake clocks (versions)" };
static struct definitions	defs;
static struct cc_cache		*cache;
static char			*memo;		/* the JSON for memo_at */
static sla_time			 memo_at;

static void
definitions_clear(struct definitions *d)
{
	size_t	i;

	for (i = 0; i < d->npolicy; i++)
		free(d->policy[i].text);
	for (i = 0; i < d->ncalendar; i++)
		free(d->calendar[i].text);
	d->npolicy = d->ncalendar = 0;
}

static void
memo_clear(void)
{
	free(memo);
	memo = NULL;
	memo_at = 0;
}

static void
refresh_done(struct bg_statement *bg, struct kore_pgsql *sql)
{
	struct definition	*d;
	const char		*kind;
	int			 i, n;

	/* On failure the old copy stays: its versions are still exact. */
	if (sql == NULL)
		return;
	definitions_clear(&defs);
	memo_clear();
	n = kore_pgsql_ntuples(sql);
	for (i = 0; i < n; i++) {
		kind = kore_pgsql_getvalue(sql, i, 0);
		if (strcmp(kind, "policy") == 0 && defs.npolicy < DEFS_MAX)
			d = &defs.policy[defs.npolicy++];
		else if (strcmp(kind, "calendar") == 0 &&
		    defs.ncalendar < DEFS_MAX)
			d = &defs.calendar[defs.ncalendar++];
		else
			continue;
		d->version = strtoll(kore_pgsql_getvalue(sql, i, 1), NULL, 10);
		if ((d->text = strdup(kore_pgsql_getvalue(sql, i, 2))) == NULL)
			fatal("intake clocks: out of memory");
	}
}

static void
refresh_tick(void *arg, u_int64_t msec)
{
	/* A read still under way (or waiting for a connection) is left be. */
	(void)bg_run(&refresh, "SELECT kind, version, definition "
	    "FROM sla_current_definitions()", 0, NULL, NULL, NULL);
}

/*
 * One pair's clocks for a case received at 'at', as intake_complaint()
 * reads them: {"next", "due", "clocks": [[clock, due, at risk, target]]}
 * (each running since 'at', nothing elapsed or paused); NULL when the
 * scheduler should compute them (a clock not simply running, as with a
 * zero target, needs events only the scheduler writes).
 */
static json_t *
pair_json(const struct definition *p, const struct definition *k,
    sla_time at)
{
	struct sla_clock	out[SLA_NCLOCKS];
	struct sla_error	err;
	struct cc_input		in;
	json_t			*clocks;
	char			events[96];
	sla_time		next, due;
	int			i;

	(void)snprintf(events, sizeof(events),
	    "[{\"at\": %" PRId64 ", \"kind\": \"received\"}]", (int64_t)at);
	in.policy_version = p->version;
	in.policy = p->text;
	in.calendar_version = k->version;
	in.calendar = k->text;
	in.events = events;
	if (cc_compute(cache, &in, at, out, &err) != 0)
		return (NULL);
	if ((next = cc_next_change(out)) == 0)
		return (NULL);
	due = INT64_MAX;
	clocks = json_array();
	for (i = 0; i < SLA_NCLOCKS; i++) {
		if (out[i].state == SLA_NOT_STARTED)
			continue;
		if (out[i].state != SLA_RUNNING || out[i].started_at != at ||
		    out[i].due_at == 0 || out[i].due_at == INT64_MAX ||
		    out[i].at_risk_at == 0 || out[i].at_risk_at == INT64_MAX) {
			json_decref(clocks);
			return (NULL);
		}
		if (out[i].due_at < due)
			due = out[i].due_at;
		json_array_append_new(clocks, json_pack("[s,I,I,I]",
		    sla_clock_name(out[i].kind), (json_int_t)out[i].due_at,
		    (json_int_t)out[i].at_risk_at,
		    (json_int_t)out[i].target_seconds));
	}
	return (json_pack("{s:I,s:I,s:o}", "next", (json_int_t)next,
	    "due", (json_int_t)due, "clocks", clocks));
}

static char *
clocks_for(sla_time at)
{
	json_t		*pairs, *one, *all;
	char		 key[48];
	char		*text;
	size_t		 i, j;

	pairs = json_object();
	for (i = 0; i < defs.npolicy; i++) {
		for (j = 0; j < defs.ncalendar; j++) {
			one = pair_json(&defs.policy[i], &defs.calendar[j], at);
			if (one == NULL)
				continue;
			(void)snprintf(key, sizeof(key), "%" PRId64 ":%" PRId64,
			    defs.policy[i].version, defs.calendar[j].version);
			json_object_set_new(pairs, key, one);
		}
	}
	all = json_pack("{s:I,s:o}", "at", (json_int_t)at, "pairs", pairs);
	text = all != NULL ? json_dumps(all, JSON_COMPACT) : NULL;
	json_decref(all);
	return (text);
}

/*
 * The clocks of a case received in the current second, as text for
 * intake_complaint()'s last parameter; NULL (the scheduler computes them)
 * until the versions have been read.
 */
const char *
intake_clocks_now(void)
{
	sla_time	now;

	if (defs.npolicy == 0 || defs.ncalendar == 0)
		return (NULL);
	now = (sla_time)time(NULL);
	if (memo == NULL || memo_at != now) {
		memo_clear();
		if ((memo = clocks_for(now)) != NULL)
			memo_at = now;
	}
	return (memo);
}

/* Every public worker keeps its own copy: intake runs in all of them. */
void
intake_clocks_start(void)
{
	if ((cache = cc_cache_new()) == NULL)
		fatal("intake clocks: out of memory");
	refresh.done = refresh_done;
	kore_timer_add(refresh_tick, 1, NULL, KORE_TIMER_ONESHOT);
	kore_timer_add(refresh_tick, DEFS_REFRESH_MS, NULL, 0);
}
