/*
 * sla_words.h: a clock and its calendar in words for people: what is left
 * or overdue in the clock's measure, the due instant in the calendar's
 * zone, targets, holidays on the way, and the complainant's promise.
 *
 * Pure: no Kore, no libpq.  Local time through libical (PLATFORM.md).
 */
#ifndef RECOURSE_SLA_WORDS_H
#define RECOURSE_SLA_WORDS_H

#include <stddef.h>

#include "sla.h"

/* Enough for every phrase below. */
#define SLA_WORDS_MAX	256

/* A local wall time; weekday 0 is Monday ... 6 Sunday. */
struct sla_local {
	int	year, month, day, hour, minute, weekday;
};

/* The wall time of t in the zone (an icaltimezone *). */
void	sla_words_local(const void *tz, sla_time t, struct sla_local *out);

/* The libical zone of an IANA name, or NULL. */
const void *sla_words_zone(const char *name);

/* "business_days" and the rest (sla_unit_name's words); -1 if unknown. */
int	sla_words_unit(const char *name, enum sla_unit *out);

/*
 * "Tue 14:00 Europe/Madrid"; with the date ("Tue 14 Mar 14:00 ...") when
 * t is not within six days of now, and the year when not now's.
 */
void	sla_words_instant(char *out, size_t size,
	    const struct sla_calendar *, sla_time t, sla_time now);

/*
 * A span in a clock's measure: "3 business hours", "40 business minutes",
 * "2 days", "5 hours", "1 business hour 30 minutes".
 */
void	sla_words_span(char *out, size_t size, int64_t seconds, int business);

/*
 * Business time from 'from' to 'to': shorter than the open hours of the
 * last day in hours ("3 business hours"), else in open days ("2 business
 * days").
 */
void	sla_words_business(char *out, size_t size,
	    const struct sla_calendar *, sla_time from, sla_time to);

/*
 * What is left: "due in 3 business hours", "due in 2 business days",
 * "overdue by 5 business hours", "due in 12 days".  Business units count
 * open time; a span of a business day or more counts open days.
 */
void	sla_words_remaining(char *out, size_t size,
	    const struct sla_calendar *, int business, sla_time due,
	    sla_time now);

/*
 * A work-list row's or a clock's whole phrase for its state ("breached",
 * "at_risk", "running", "paused", "met"): "due in 3 business hours, Tue
 * 14:00 Europe/Madrid"; "paused since Mon 10:00 Europe/Madrid; due Wed
 * 15:00 Europe/Madrid if resumed now"; "met Tue 11:00 Europe/Madrid".
 * paused_since and met are 0 when unknown.
 */
void	sla_words_clock(char *out, size_t size, const struct sla_calendar *,
	    int business, const char *state, sla_time due,
	    sla_time paused_since, sla_time met, sla_time now);

/* "2 business days", "4 business hours", "30 days", "1 month". */
void	sla_words_target(char *out, size_t size, int n, enum sla_unit);

/*
 * The holidays that closed days otherwise open, from the local date of
 * 'from' to that of 'to': "closed on 25 Dec (Christmas Day) and 26 Dec";
 * "" when none.  At most a few are named, then "and N more".
 */
void	sla_words_closed(char *out, size_t size,
	    const struct sla_calendar *, sla_time from, sla_time to);

/*
 * The complainant's line for a clock due at 'due' in the zone: kind
 * "reply", "decide" or "appeal": "We aim to reply by 14 March" (the year
 * too when it is not now's); when late, "We aimed to reply by 14 March.
 * We are sorry for the delay and are working on it."  0, or -1 for an
 * unknown kind or zone.
 */
int	sla_words_promise(char *out, size_t size, const char *zone,
	    const char *kind, sla_time due, int late, sla_time now);

#endif
