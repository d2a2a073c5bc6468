/*
 * A case's clocks from the database's JSON and back: definitions parsed
 * once per version and kept, events read into the engine's form, the
 * engine run, the result written as sla_store() reads it.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseclocks.h"

/* Versions are few (one per admin change): a small table suffices. */
#define CC_SLOTS	32

struct cc_policy_slot {
	int64_t			version;
	struct sla_policy	policy;
};

struct cc_calendar_slot {
	int64_t			version;
	struct sla_calendar	calendar;
};

struct cc_cache {
	struct cc_policy_slot	policies[CC_SLOTS];
	size_t			npolicies;
	struct cc_calendar_slot	calendars[CC_SLOTS];
	size_t			ncalendars;
	size_t			next_evict;
};

struct cc_cache *
cc_cache_new(void)
{
	return (calloc(1, sizeof(struct cc_cache)));
}

void
cc_cache_free(struct cc_cache *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ncalendars; i++)
		sla_calendar_free(&c->calendars[i].calendar);
	free(c);
}

static const struct sla_policy *
cc_policy(struct cc_cache *c, const struct cc_input *in,
    struct sla_policy *scratch, struct sla_error *err)
{
	struct cc_policy_slot	*s;
	size_t			 i;

	for (i = 0; in->policy_version != 0 && i < c->npolicies; i++)
		if (c->policies[i].version == in->policy_version)
			return (&c->policies[i].policy);
	if (sla_policy_parse(scratch, in->policy, err) != 0)
		return (NULL);
	if (in->policy_version == 0)
		return (scratch);
	/* Full: start again; the versions in use come back on demand. */
	if (c->npolicies == CC_SLOTS)
		c->npolicies = 0;
	s = &c->policies[c->npolicies++];
	s->version = in->policy_version;
	s->policy = *scratch;
	return (&s->policy);
}

static const struct sla_calendar *
cc_calendar(struct cc_cache *c, const struct cc_input *in,
    struct sla_calendar *scratch, struct sla_error *err)
{
	struct cc_calendar_slot	*s;
	size_t			 i;

	for (i = 0; in->calendar_version != 0 && i < c->ncalendars; i++)
		if (c->calendars[i].version == in->calendar_version)
			return (&c->calendars[i].calendar);
	if (sla_calendar_parse(scratch, in->calendar, err) != 0)
		return (NULL);
	if (in->calendar_version == 0)
		return (scratch);
	if (c->ncalendars < CC_SLOTS)
		s = &c->calendars[c->ncalendars++];
	else {
		s = &c->calendars[c->next_evict];
		c->next_evict = (c->next_evict + 1) % CC_SLOTS;
		sla_calendar_free(&s->calendar);
	}
	s->version = in->calendar_version;
	s->calendar = *scratch;
	return (&s->calendar);
}

static void
cc_fail(struct sla_error *err, const char *field, const char *message)
{
	(void)snprintf(err->field, sizeof(err->field), "%s", field);
	(void)snprintf(err->message, sizeof(err->message), "%s", message);
}

/* The events that touch a clock, in the engine's form; NULL on error. */
static struct sla_event *
cc_events(const char *text, size_t *n, struct sla_error *err)
{
	json_t			*a, *e;
	struct sla_event	*ev;
	const char		*kind, *reason;
	size_t			 i;
	unsigned		 kinds;

	*n = 0;
	if ((a = json_loads(text, 0, NULL)) == NULL || !json_is_array(a)) {
		json_decref(a);
		cc_fail(err, "events", "the events are not a JSON array");
		return (NULL);
	}
	ev = calloc(json_array_size(a) + 1, sizeof(*ev));
	if (ev == NULL) {
		json_decref(a);
		cc_fail(err, "events", "out of memory");
		return (NULL);
	}
	json_array_foreach(a, i, e) {
		kind = json_string_value(json_object_get(e, "kind"));
		if (kind == NULL ||
		    !json_is_integer(json_object_get(e, "at"))) {
			free(ev);
			json_decref(a);
			cc_fail(err, "events", "an event without kind or time");
			return (NULL);
		}
		if ((kinds = sla_event_kinds(kind)) == 0)
			continue;
		ev[*n].at = json_integer_value(json_object_get(e, "at"));
		ev[*n].kinds = kinds;
		reason = json_string_value(json_object_get(e, "reason"));
		(void)snprintf(ev[*n].reason, sizeof(ev[*n].reason), "%s",
		    reason != NULL ? reason : "");
		(*n)++;
	}
	json_decref(a);
	return (ev);
}

int
cc_compute(struct cc_cache *c, const struct cc_input *in, sla_time now,
    struct sla_clock out[SLA_NCLOCKS], struct sla_error *err)
{
	struct sla_policy		 ps;
	struct sla_calendar		 cs;
	const struct sla_policy		*p;
	const struct sla_calendar	*k;
	struct sla_event		*ev;
	size_t				 n;
	int				 rc;

	memset(&cs, 0, sizeof(cs));
	if ((p = cc_policy(c, in, &ps, err)) == NULL)
		return (-1);
	if ((k = cc_calendar(c, in, &cs, err)) == NULL)
		return (-1);
	if ((ev = cc_events(in->events, &n, err)) == NULL)
		rc = -1;
	else
		rc = sla_compute(p, k, ev, n, now, out, err);
	free(ev);
	if (k == &cs)
		sla_calendar_free(&cs);
	return (rc);
}

/* 0 (none) and the engine's "never" (INT64_MAX) are both null. */
static json_t *
cc_instant(sla_time t)
{
	return (t != 0 && t != INT64_MAX ? json_integer(t) : json_null());
}

json_t *
cc_clocks_json(const struct sla_clock out[SLA_NCLOCKS])
{
	json_t	*a;
	int	 i;

	a = json_array();
	for (i = 0; i < SLA_NCLOCKS; i++) {
		if (out[i].state == SLA_NOT_STARTED)
			continue;
		json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,"
		    "s:o,s:I,s:I,s:I,s:b}",
		    "clock", sla_clock_name(out[i].kind),
		    "state", sla_state_name(out[i].state),
		    "started_at", cc_instant(out[i].started_at),
		    "due_at", cc_instant(out[i].due_at),
		    "at_risk_at", cc_instant(out[i].at_risk_at),
		    "met_at", cc_instant(out[i].met_at),
		    "breached_at", cc_instant(out[i].breached_at),
		    "target", (json_int_t)out[i].target_seconds,
		    "elapsed", (json_int_t)out[i].elapsed_seconds,
		    "paused", (json_int_t)out[i].paused_seconds,
		    "extended", out[i].extended != 0));
	}
	return (a);
}

sla_time
cc_next_change(const struct sla_clock out[SLA_NCLOCKS])
{
	sla_time	next;
	int		i;

	next = 0;
	for (i = 0; i < SLA_NCLOCKS; i++)
		if (out[i].next_change != 0 && out[i].next_change != INT64_MAX &&
		    (next == 0 || out[i].next_change < next))
			next = out[i].next_change;
	return (next);
}
