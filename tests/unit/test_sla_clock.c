/*
 * The five clocks of a case from its events: targets in each unit,
 * pauses, at-risk and breach to the second, met, appeal, extension and
 * the answer to a request for erasure.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sla.h"
#include "sla_test.h"

#define N(t)	(sizeof(t) / sizeof((t)[0]))

static struct sla_calendar	cal;	/* Madrid, Mon-Fri 09:00-17:00 */

static void
office(const char *holidays)
{
	char	extra[512];

	sla_calendar_free(&cal);
	snprintf(extra, sizeof(extra), ", \"holidays\": [%s]", holidays);
	office_calendar(&cal, extra);
}

static void
policy(struct sla_policy *p, const char *json)
{
	struct sla_error	err;

	if (sla_policy_parse(p, json, &err) != 0)
		fail_msg("policy refused: %s: %s", err.field, err.message);
}

/* One clock of the policy {"<clock>": {"n": n, "unit": unit}}. */
static void
one(struct sla_policy *p, const char *clock, int n, const char *unit)
{
	char	json[256];

	snprintf(json, sizeof(json), "{\"%s\": {\"n\": %d, \"unit\": "
	    "\"%s\"}}", clock, n, unit);
	policy(p, json);
}

static struct sla_event
ev(sla_time t, const char *kind, const char *reason)
{
	struct sla_event	e;

	memset(&e, 0, sizeof(e));
	e.at = t;
	e.kinds = sla_event_kinds(kind);
	if (reason != NULL)
		snprintf(e.reason, sizeof(e.reason), "%s", reason);
	return e;
}

static void
run(const struct sla_policy *p, const struct sla_event *e, size_t n,
    sla_time now, struct sla_clock out[SLA_NCLOCKS])
{
	struct sla_error	err;

	if (sla_compute(p, &cal, e, n, now, out, &err) != 0)
		fail_msg("compute: %s: %s", err.field, err.message);
}

static void
check_state(enum sla_state got, enum sla_state want, const char *what)
{
	if (got != want)
		fail_msg("%s: %s, want %s", what, sla_state_name(got),
		    sla_state_name(want));
}

/* Due instant of one clock for a case received at 'rec'. */
static sla_time
due_of(const struct sla_policy *p, enum sla_clock_kind k, sla_time rec)
{
	struct sla_event	e = ev(rec, "received", NULL);
	struct sla_clock	c[SLA_NCLOCKS];

	run(p, &e, 1, rec, c);
	return c[k].due_at;
}

static void
test_event_meanings(void **state)
{
	assert_int_equal(sla_event_kinds("received"), SLA_EV_RECEIVED);
	assert_int_equal(sla_event_kinds("triaged"), SLA_EV_ACKNOWLEDGED);
	assert_int_equal(sla_event_kinds("rejected"), SLA_EV_ACKNOWLEDGED |
	    SLA_EV_RESPONDED | SLA_EV_DECIDED);
	assert_int_equal(sla_event_kinds("erased"), SLA_EV_ACKNOWLEDGED |
	    SLA_EV_RESPONDED | SLA_EV_DECIDED | SLA_EV_ERASURE_ANSWERED);
	assert_int_equal(sla_event_kinds("erasure_requested"),
	    SLA_EV_ERASURE_ASKED);
	assert_int_equal(sla_event_kinds("legal_hold"),
	    SLA_EV_ERASURE_ANSWERED);
	assert_int_equal(sla_event_kinds("erasure_held"),
	    SLA_EV_ERASURE_ANSWERED);
	assert_int_equal(sla_event_kinds("erasure_resumed"),
	    SLA_EV_ERASURE_ASKED);
	assert_int_equal(sla_event_kinds("message"), SLA_EV_RESPONDED);
	assert_int_equal(sla_event_kinds("information_requested"),
	    SLA_EV_RESPONDED);
	assert_int_equal(sla_event_kinds("decision_published"),
	    SLA_EV_RESPONDED | SLA_EV_DECIDED);
	assert_int_equal(sla_event_kinds("appealed"), SLA_EV_APPEALED);
	assert_int_equal(sla_event_kinds("clock_paused"), SLA_EV_PAUSED);
	assert_int_equal(sla_event_kinds("clock_resumed"), SLA_EV_RESUMED);
	assert_int_equal(sla_event_kinds("clock_extended"), SLA_EV_EXTENDED);
	/* A decision drafted but not signed meets nothing. */
	assert_int_equal(sla_event_kinds("decided"), 0);
	assert_int_equal(sla_event_kinds("note"), 0);
	assert_int_equal(sla_event_kinds(NULL), 0);
	assert_string_equal(sla_state_name(SLA_AT_RISK), "at_risk");
	assert_string_equal(sla_clock_name(SLA_APPEAL), "appeal");
	assert_string_equal(sla_unit_name(SLA_CALENDAR_MONTHS),
	    "calendar_months");
}

static void
test_policy_refusals(void **state)
{
	static const struct { const char *json, *field; } t[] = {
		{ "{\"acknowledge\": {\"n\": 2, \"unit\": \"weeks\"}}",
		  "acknowledge.unit" },
		{ "{\"response\": {\"n\": 0, \"unit\": \"business_days\"}}",
		  "response.n" },
		{ "{\"decision\": {\"n\": \"5\", \"unit\": \"calendar_days\"}}",
		  "decision.n" },
		{ "{\"decision\": {\"n\": 1, \"unit\": \"calendar_months\"}, "
		  "\"at_risk_percent\": 100}", "at_risk_percent" },
		{ "{\"decision\": {\"n\": 1, \"unit\": \"calendar_months\"}, "
		  "\"extension\": {\"n\": 5, \"unit\": \"business_days\"}}",
		  "extension.unit" },
		{ "{\"extension\": {\"n\": 2, \"unit\": \"calendar_months\"}}",
		  "extension" },
		{ "{\"deadline\": {\"n\": 2, \"unit\": \"calendar_days\"}}",
		  "policy" },
	};
	struct sla_policy	p;
	struct sla_error	err;
	size_t			i;

	for (i = 0; i < N(t); i++) {
		if (sla_policy_parse(&p, t[i].json, &err) == 0)
			fail_msg("accepted: %s", t[i].json);
		if (strcmp(err.field, t[i].field) != 0)
			fail_msg("%s: field %s, want %s", t[i].json, err.field,
			    t[i].field);
	}
	/* The documented standard policy. */
	policy(&p, "{\"acknowledge\": {\"n\": 2, \"unit\": "
	    "\"business_days\"}, \"response\": {\"n\": 5, \"unit\": "
	    "\"business_days\"}, \"decision\": {\"n\": 30, \"unit\": "
	    "\"calendar_days\"}, \"appeal\": {\"n\": 30, \"unit\": "
	    "\"calendar_days\"}, \"at_risk_percent\": 75, \"extension\": "
	    "null}");
	assert_int_equal(p.target[SLA_DECISION].n, 30);
	assert_int_equal(p.target[SLA_DECISION].unit, SLA_CALENDAR_DAYS);
	assert_int_equal(p.at_risk_percent, 75);
	assert_int_equal(p.extension.n, 0);
}

/* 4 business hours from Monday 10:00: at risk 13:00, breached 14:00. */
static void
test_exact_second_of_at_risk_and_breach(void **state)
{
	struct sla_policy	p;
	struct sla_clock	c[SLA_NCLOCKS];
	struct sla_event	e;
	sla_time		rec = at(2026, 3, 2, 10, 0, 0, CET);
	sla_time		risk = at(2026, 3, 2, 13, 0, 0, CET);
	sla_time		due = at(2026, 3, 2, 14, 0, 0, CET);

	office("");
	one(&p, "acknowledge", 4, "business_hours");
	e = ev(rec, "received", NULL);
	run(&p, &e, 1, risk - 1, c);
	check_state(c[SLA_ACKNOWLEDGE].state, SLA_RUNNING, "at risk - 1");
	check_time(c[SLA_ACKNOWLEDGE].at_risk_at, risk, "at_risk_at");
	check_time(c[SLA_ACKNOWLEDGE].due_at, due, "due_at");
	check_time(c[SLA_ACKNOWLEDGE].next_change, risk, "next change");
	assert_int_equal(c[SLA_ACKNOWLEDGE].target_seconds, 4 * H);
	assert_int_equal(c[SLA_ACKNOWLEDGE].elapsed_seconds, 3 * H - 1);
	run(&p, &e, 1, risk, c);
	check_state(c[SLA_ACKNOWLEDGE].state, SLA_AT_RISK, "at risk");
	check_time(c[SLA_ACKNOWLEDGE].next_change, due, "next change");
	run(&p, &e, 1, due - 1, c);
	check_state(c[SLA_ACKNOWLEDGE].state, SLA_AT_RISK, "due - 1");
	assert_int_equal(c[SLA_ACKNOWLEDGE].breached_at, 0);
	run(&p, &e, 1, due, c);
	check_state(c[SLA_ACKNOWLEDGE].state, SLA_BREACHED, "due");
	check_time(c[SLA_ACKNOWLEDGE].breached_at, due, "breached_at");
	assert_int_equal(c[SLA_ACKNOWLEDGE].next_change, 0);
	assert_int_equal(c[SLA_ACKNOWLEDGE].ntransitions, 3);
	check_state(c[SLA_ACKNOWLEDGE].transitions[0].state, SLA_RUNNING,
	    "first");
	check_time(c[SLA_ACKNOWLEDGE].transitions[0].at, rec, "first");
	check_time(c[SLA_ACKNOWLEDGE].transitions[1].at, risk, "second");
	check_time(c[SLA_ACKNOWLEDGE].transitions[2].at, due, "third");
	/* The other clocks are not on this policy. */
	check_state(c[SLA_DECISION].state, SLA_NOT_STARTED, "decision");
	/* The at-risk share rounds up: 75 % of 1 s is 1 s. */
	one(&p, "response", 1, "business_hours");
	run(&p, &e, 1, rec, c);
	check_time(c[SLA_RESPONSE].at_risk_at, rec + 45 * 60, "share");
}

/* Business days keep the offset into the day; holidays around the day. */
static void
test_business_days(void **state)
{
	struct sla_policy	p;
	sla_time		mon = at(2026, 3, 2, 10, 0, 0, CET);

	one(&p, "acknowledge", 2, "business_days");
	office("");
	check_time(due_of(&p, SLA_ACKNOWLEDGE, mon),
	    at(2026, 3, 4, 10, 0, 0, CET), "Mon 10:00 + 2 days");
	/* Outside hours the clock starts at the next opening: two whole
	 * business days then end at a closing time. */
	check_time(due_of(&p, SLA_ACKNOWLEDGE, at(2026, 3, 7, 12, 0, 0, CET)),
	    at(2026, 3, 10, 17, 0, 0, CET), "Saturday + 2 days");
	check_time(due_of(&p, SLA_ACKNOWLEDGE, at(2026, 3, 2, 8, 0, 0, CET)),
	    at(2026, 3, 3, 17, 0, 0, CET), "Mon 08:00 + 2 days");
	/* On the due day, the day before, the day after. */
	office("{\"date\": \"2026-03-04\"}");
	check_time(due_of(&p, SLA_ACKNOWLEDGE, mon),
	    at(2026, 3, 5, 10, 0, 0, CET), "holiday on the due day");
	office("{\"date\": \"2026-03-03\"}");
	check_time(due_of(&p, SLA_ACKNOWLEDGE, mon),
	    at(2026, 3, 5, 10, 0, 0, CET), "holiday the day before");
	office("{\"date\": \"2026-03-05\"}");
	check_time(due_of(&p, SLA_ACKNOWLEDGE, mon),
	    at(2026, 3, 4, 10, 0, 0, CET), "holiday the day after");
	/* Received on a holiday: it starts at Tuesday's opening. */
	office("{\"date\": \"2026-03-02\"}");
	one(&p, "acknowledge", 1, "business_days");
	check_time(due_of(&p, SLA_ACKNOWLEDGE, at(2026, 3, 2, 12, 0, 0, CET)),
	    at(2026, 3, 3, 17, 0, 0, CET), "received on a holiday");
	/* Received at the last second of Friday: Monday, same offset. */
	office("");
	check_time(due_of(&p, SLA_ACKNOWLEDGE,
	    at(2026, 3, 6, 16, 59, 59, CET)),
	    at(2026, 3, 9, 16, 59, 59, CET), "last second of Friday");
	/* Received at 17:00 (closed): Monday's closing time. */
	check_time(due_of(&p, SLA_ACKNOWLEDGE, at(2026, 3, 6, 17, 0, 0, CET)),
	    at(2026, 3, 9, 17, 0, 0, CET), "Friday at closing time");
}

/* Calendar days across a DST change; calendar months clamp. */
static void
test_calendar_days_and_months(void **state)
{
	struct sla_policy	p;
	struct sla_event	e;
	struct sla_clock	c[SLA_NCLOCKS];

	office("");
	one(&p, "decision", 1, "calendar_days");
	e = ev(at(2026, 3, 28, 10, 0, 0, CET), "received", NULL);
	run(&p, &e, 1, e.at, c);
	check_time(c[SLA_DECISION].due_at, at(2026, 3, 29, 10, 0, 0, CEST),
	    "1 day over the spring change");
	assert_int_equal(c[SLA_DECISION].target_seconds, 23 * H);
	/* 02:30 that day does not exist: the first instant after the gap. */
	check_time(due_of(&p, SLA_DECISION, at(2026, 3, 28, 2, 30, 0, CET)),
	    at(2026, 3, 29, 3, 0, 0, CEST), "into the gap");
	/* 02:30 on 25 October happens twice: the first time. */
	check_time(due_of(&p, SLA_DECISION, at(2026, 10, 24, 2, 30, 0, CEST)),
	    at(2026, 10, 25, 2, 30, 0, CEST), "into the repeated hour");

	one(&p, "decision", 1, "calendar_months");
	check_time(due_of(&p, SLA_DECISION, at(2026, 1, 31, 10, 0, 0, CET)),
	    at(2026, 2, 28, 10, 0, 0, CET), "31 Jan 2026 + 1 month");
	check_time(due_of(&p, SLA_DECISION, at(2028, 1, 31, 10, 0, 0, CET)),
	    at(2028, 2, 29, 10, 0, 0, CET), "31 Jan 2028 + 1 month");
	check_time(due_of(&p, SLA_DECISION, at(2028, 2, 29, 10, 0, 0, CET)),
	    at(2028, 3, 29, 10, 0, 0, CEST), "29 Feb 2028 + 1 month");
	one(&p, "decision", 12, "calendar_months");
	check_time(due_of(&p, SLA_DECISION, at(2028, 2, 29, 10, 0, 0, CET)),
	    at(2029, 2, 28, 10, 0, 0, CET), "29 Feb 2028 + 12 months");
	one(&p, "decision", 3, "calendar_months");
	check_time(due_of(&p, SLA_DECISION, at(2026, 11, 30, 10, 0, 0, CET)),
	    at(2027, 2, 28, 10, 0, 0, CET), "30 Nov + 3 months");
}

/* A pause from Thursday afternoon over a weekend and a holiday Monday
 * to Tuesday morning moves the due instant by its business time. */
static void
test_pause_over_nights_weekend_and_holiday(void **state)
{
	struct sla_policy	p;
	struct sla_clock	c[SLA_NCLOCKS];
	struct sla_event	e[3];
	sla_time		rec = at(2026, 3, 5, 10, 0, 0, CET);

	office("{\"date\": \"2026-03-09\"}");
	one(&p, "acknowledge", 8, "business_hours");
	e[0] = ev(rec, "received", NULL);
	e[1] = ev(at(2026, 3, 5, 16, 0, 0, CET), "clock_paused",
	    "awaiting_complainant");
	e[2] = ev(at(2026, 3, 10, 10, 0, 0, CET), "clock_resumed",
	    "awaiting_complainant");
	run(&p, e, 1, rec, c);
	check_time(c[SLA_ACKNOWLEDGE].due_at, at(2026, 3, 6, 10, 0, 0, CET),
	    "unpaused");
	run(&p, e, 2, at(2026, 3, 7, 12, 0, 0, CET), c);
	check_state(c[SLA_ACKNOWLEDGE].state, SLA_PAUSED, "while paused");
	/* As if the pause ended now (Saturday): 2 h left from Monday...
	 * a holiday: Tuesday 11:00. */
	check_time(c[SLA_ACKNOWLEDGE].due_at, at(2026, 3, 10, 11, 0, 0, CET),
	    "while paused");
	assert_int_equal(c[SLA_ACKNOWLEDGE].next_change, 0);
	run(&p, e, 3, at(2026, 3, 10, 10, 0, 0, CET), c);
	check_state(c[SLA_ACKNOWLEDGE].state, SLA_AT_RISK, "resumed");
	check_time(c[SLA_ACKNOWLEDGE].due_at, at(2026, 3, 10, 12, 0, 0, CET),
	    "after the pause");
	/* 6 h of 8 had passed when the pause began: at risk from then. */
	check_time(c[SLA_ACKNOWLEDGE].at_risk_at, at(2026, 3, 5, 16, 0, 0, CET),
	    "at risk as the pause began");
	assert_int_equal(c[SLA_ACKNOWLEDGE].paused_seconds, 10 * H);
	assert_int_equal(sla_business_seconds(&cal,
	    at(2026, 3, 6, 10, 0, 0, CET), c[SLA_ACKNOWLEDGE].due_at), 10 * H);
	assert_int_equal(c[SLA_ACKNOWLEDGE].paused_wall_seconds,
	    4 * DAY + 18 * H);
	assert_int_equal(c[SLA_ACKNOWLEDGE].elapsed_seconds, 6 * H);
	assert_int_equal(c[SLA_ACKNOWLEDGE].ntransitions, 3);
	check_state(c[SLA_ACKNOWLEDGE].transitions[1].state, SLA_PAUSED, "t1");
	check_state(c[SLA_ACKNOWLEDGE].transitions[2].state, SLA_AT_RISK,
	    "t2");
}

/* Overlapping pauses for two reasons; a resume for a reason never
 * paused changes nothing; calendar units pause in real seconds. */
static void
test_several_pauses(void **state)
{
	struct sla_policy	p;
	struct sla_clock	c[SLA_NCLOCKS];
	struct sla_event	e[8];
	sla_time		rec = at(2026, 3, 2, 9, 0, 0, CET);

	office("");
	policy(&p, "{\"acknowledge\": {\"n\": 8, \"unit\": "
	    "\"business_hours\"}, \"decision\": {\"n\": 30, \"unit\": "
	    "\"calendar_days\"}}");
	e[0] = ev(rec, "received", NULL);
	e[1] = ev(rec + 2 * H, "clock_paused", "awaiting_complainant");
	e[2] = ev(rec + 2 * H + 1800, "clock_paused", "legal_review");
	e[3] = ev(rec + 3 * H, "clock_resumed", "awaiting_complainant");
	e[4] = ev(rec + 3 * H + 60, "clock_resumed", "other");
	e[5] = ev(rec + 4 * H, "clock_resumed", "legal_review");
	e[6] = ev(rec + 5 * H, "clock_paused", "awaiting_complainant");
	e[7] = ev(rec + 5 * H + 900, "clock_resumed",
	    "awaiting_complainant");
	run(&p, e, 8, rec + 6 * H, c);
	/* Paused 11:00-13:00 and 14:00-14:15. */
	assert_int_equal(c[SLA_ACKNOWLEDGE].paused_seconds, 2 * H + 900);
	check_time(c[SLA_ACKNOWLEDGE].due_at, at(2026, 3, 3, 11, 15, 0, CET),
	    "8 h + 2 h 15 of pauses");
	assert_int_equal(c[SLA_DECISION].paused_seconds, 2 * H + 900);
	/* 30 days on is after the spring change: real seconds count. */
	check_time(c[SLA_DECISION].due_at, at(2026, 4, 1, 9, 0, 0, CEST) +
	    2 * H + 900, "30 days + pauses");
	/* Still paused at 12:30: legal_review was open. */
	run(&p, e, 8, rec + 3 * H + 1800, c);
	check_state(c[SLA_ACKNOWLEDGE].state, SLA_PAUSED, "one reason open");
	check_state(c[SLA_DECISION].state, SLA_PAUSED, "decision too");
}

/* Met in time, met late (the breach stays), appeals, out of order. */
static void
test_met_late_appeal_and_order(void **state)
{
	struct sla_policy	p;
	struct sla_clock	c[SLA_NCLOCKS];
	struct sla_event	e[6];
	struct sla_error	err;
	sla_time		rec = at(2026, 3, 2, 10, 0, 0, CET);

	office("");
	policy(&p, "{\"acknowledge\": {\"n\": 4, \"unit\": "
	    "\"business_hours\"}, \"response\": {\"n\": 1, \"unit\": "
	    "\"business_days\"}, \"decision\": {\"n\": 30, \"unit\": "
	    "\"calendar_days\"}, \"appeal\": {\"n\": 5, \"unit\": "
	    "\"business_days\"}}");
	e[0] = ev(rec, "received", NULL);
	e[1] = ev(rec + 5 * H, "triaged", NULL);
	e[2] = ev(rec + 6 * H, "decision_published", NULL);
	e[3] = ev(rec + 7 * DAY, "appealed", NULL);
	e[4] = ev(rec + 8 * DAY, "appealed", NULL);
	e[5] = ev(rec + 9 * DAY, "decision_published", NULL);
	run(&p, e, 6, rec + 10 * DAY, c);
	check_state(c[SLA_ACKNOWLEDGE].state, SLA_MET, "late triage");
	check_time(c[SLA_ACKNOWLEDGE].breached_at, rec + 4 * H, "breach kept");
	check_time(c[SLA_ACKNOWLEDGE].met_at, rec + 5 * H, "met_at");
	assert_int_equal(c[SLA_ACKNOWLEDGE].elapsed_seconds, 5 * H);
	check_state(c[SLA_ACKNOWLEDGE].transitions[2].state, SLA_BREACHED,
	    "t2");
	check_state(c[SLA_ACKNOWLEDGE].transitions[3].state, SLA_MET, "t3");
	check_state(c[SLA_RESPONSE].state, SLA_MET, "response");
	assert_int_equal(c[SLA_RESPONSE].breached_at, 0);
	check_state(c[SLA_DECISION].state, SLA_MET, "decision");
	check_time(c[SLA_APPEAL].started_at, rec + 8 * DAY, "latest appeal");
	check_time(c[SLA_APPEAL].met_at, rec + 9 * DAY, "appeal decided");
	/* Before the appeal was decided it ran from the latest appeal. */
	run(&p, e, 5, rec + 8 * DAY + H, c);
	check_state(c[SLA_APPEAL].state, SLA_RUNNING, "appeal running");
	/* Met at the due instant itself is on time. */
	e[1].at = rec + 4 * H;
	run(&p, e, 2, rec + 5 * H, c);
	check_state(c[SLA_ACKNOWLEDGE].state, SLA_MET, "met at due");
	assert_int_equal(c[SLA_ACKNOWLEDGE].breached_at, 0);
	/* Events out of time order are refused, naming the first. */
	e[1].at = rec - 1;
	assert_int_equal(sla_compute(&p, &cal, e, 2, rec, c, &err), -1);
	assert_string_equal(err.field, "events[1]");
}

/* GDPR: one month, extended once by two months from where it ended. */
static void
test_extension(void **state)
{
	struct sla_policy	p;
	struct sla_clock	c[SLA_NCLOCKS];
	struct sla_event	e[3];
	sla_time		rec = at(2026, 1, 31, 10, 0, 0, CET);

	office("");
	policy(&p, "{\"decision\": {\"n\": 1, \"unit\": \"calendar_months\"}, "
	    "\"extension\": {\"n\": 2, \"unit\": \"calendar_months\"}}");
	e[0] = ev(rec, "received", NULL);
	e[1] = ev(at(2026, 2, 10, 12, 0, 0, CET), "clock_extended", NULL);
	e[2] = ev(at(2026, 2, 12, 12, 0, 0, CET), "clock_extended", NULL);
	run(&p, e, 3, at(2026, 3, 1, 12, 0, 0, CET), c);
	assert_int_equal(c[SLA_DECISION].extended, 1);
	/* 28 February + 2 months: 28 April. */
	check_time(c[SLA_DECISION].due_at, at(2026, 4, 28, 10, 0, 0, CEST),
	    "extended due");
	check_state(c[SLA_DECISION].state, SLA_RUNNING, "extended");
	/* Taken after the due instant, it comes too late. */
	e[1].at = at(2026, 3, 2, 12, 0, 0, CET);
	run(&p, e, 2, at(2026, 3, 3, 12, 0, 0, CET), c);
	assert_int_equal(c[SLA_DECISION].extended, 0);
	check_state(c[SLA_DECISION].state, SLA_BREACHED, "late extension");
	check_time(c[SLA_DECISION].breached_at, at(2026, 2, 28, 10, 0, 0, CET),
	    "breached");
}

/*
 * The erasure clock: a calendar month from the request unless the policy
 * says otherwise (null: none), never paused while the case waits for the
 * complainant, met by the erasure or by a legal hold.
 */
static void
test_erasure_clock(void **state)
{
	struct sla_policy	p;
	struct sla_event	e[4];
	struct sla_clock	c[SLA_NCLOCKS];
	sla_time		asked = at(2026, 1, 31, 10, 0, 0, CET);

	office("");
	one(&p, "decision", 30, "calendar_days");
	assert_int_equal(p.target[SLA_ERASURE].n, 1);
	assert_int_equal(p.target[SLA_ERASURE].unit, SLA_CALENDAR_MONTHS);
	e[0] = ev(at(2026, 1, 5, 10, 0, 0, CET), "received", NULL);
	e[1] = ev(asked - 3600, "clock_paused", "awaiting_complainant");
	e[2] = ev(asked, "erasure_requested", NULL);
	run(&p, e, 3, asked + 60, c);
	check_state(c[SLA_DECISION].state, SLA_PAUSED, "the decision waits");
	check_state(c[SLA_ERASURE].state, SLA_RUNNING, "erasure does not");
	check_time(c[SLA_ERASURE].started_at, asked, "started");
	check_time(c[SLA_ERASURE].due_at, at(2026, 2, 28, 10, 0, 0, CET),
	    "31 January + 1 month");
	assert_int_equal(c[SLA_ERASURE].paused_seconds, 0);
	run(&p, e, 3, at(2026, 2, 28, 10, 0, 1, CET), c);
	check_state(c[SLA_ERASURE].state, SLA_BREACHED, "a month passed");

	e[3] = ev(at(2026, 2, 20, 9, 0, 0, CET), "legal_hold", NULL);
	run(&p, e, 4, at(2026, 3, 10, 9, 0, 0, CET), c);
	check_state(c[SLA_ERASURE].state, SLA_MET, "a hold answers it");
	check_time(c[SLA_ERASURE].met_at, e[3].at, "met at the hold");
	e[3] = ev(at(2026, 2, 20, 9, 0, 0, CET), "erased", NULL);
	run(&p, e, 4, at(2026, 3, 10, 9, 0, 0, CET), c);
	check_state(c[SLA_ERASURE].state, SLA_MET, "so does the erasure");

	/* A hold lifted while the request waits: a new month from then. */
	{
		struct sla_event	r[5];

		r[0] = e[0];
		r[1] = ev(asked, "erasure_requested", NULL);
		r[2] = ev(asked + 3600, "legal_hold", NULL);
		r[3] = ev(at(2026, 3, 2, 10, 0, 0, CET), "erasure_resumed",
		    NULL);
		run(&p, r, 4, at(2026, 3, 3, 10, 0, 0, CET), c);
		check_state(c[SLA_ERASURE].state, SLA_RUNNING, "resumed");
		check_time(c[SLA_ERASURE].started_at, r[3].at, "from then");
		check_time(c[SLA_ERASURE].due_at, at(2026, 4, 2, 10, 0, 0,
		    CEST), "a month later");
		/* A request a hold already answers: met at once. */
		r[1] = ev(asked, "erasure_requested", NULL);
		r[2] = ev(asked, "erasure_held", NULL);
		run(&p, r, 3, asked + 60, c);
		check_state(c[SLA_ERASURE].state, SLA_MET, "held already");
	}

	policy(&p, "{\"erasure\": {\"n\": 10, \"unit\": \"business_days\"}}");
	run(&p, e, 3, asked + 60, c);
	check_time(c[SLA_ERASURE].due_at, at(2026, 2, 13, 17, 0, 0, CET),
	    "10 business days from a Saturday request: Monday 2 to Friday "
	    "13 February, to its closing");
	policy(&p, "{\"erasure\": null}");
	run(&p, e, 3, asked + 60, c);
	check_state(c[SLA_ERASURE].state, SLA_NOT_STARTED, "no such clock");
}

/* No received event: nothing started. */
static void
test_not_started(void **state)
{
	struct sla_policy	p;
	struct sla_clock	c[SLA_NCLOCKS];

	office("");
	one(&p, "acknowledge", 2, "business_days");
	run(&p, NULL, 0, 1000, c);
	check_state(c[SLA_ACKNOWLEDGE].state, SLA_NOT_STARTED, "no events");
	assert_int_equal(c[SLA_ACKNOWLEDGE].due_at, 0);
}

static int
teardown(void **state)
{
	sla_calendar_free(&cal);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_meanings),
		cmocka_unit_test(test_policy_refusals),
		cmocka_unit_test(test_exact_second_of_at_risk_and_breach),
		cmocka_unit_test(test_business_days),
		cmocka_unit_test(test_calendar_days_and_months),
		cmocka_unit_test(test_pause_over_nights_weekend_and_holiday),
		cmocka_unit_test(test_several_pauses),
		cmocka_unit_test(test_met_late_appeal_and_order),
		cmocka_unit_test(test_extension),
		cmocka_unit_test(test_not_started),
		cmocka_unit_test(test_erasure_clock),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
