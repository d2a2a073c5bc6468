/*
 * A clock and its calendar in words for people (sla_words.h): local wall
 * times through libical, spans in the clock's own measure.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "sla_internal.h"
#include "sla_words.h"

/* Holidays named in one phrase; the rest are counted. */
#define CLOSED_NAMED	3

static const char *const wdays[7] = { "Mon", "Tue", "Wed", "Thu", "Fri",
    "Sat", "Sun" };
static const char *const mon_short[12] = { "Jan", "Feb", "Mar", "Apr",
    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const mon_long[12] = { "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December" };

void
sla_words_local(const void *tz, sla_time t, struct sla_local *out)
{
	struct icaltimetype	tt;

	/* libical takes no const zone; it only reads (and caches) in it. */
	tt = icaltime_from_timet_with_zone((time_t)t, 0,
	    (icaltimezone *)(uintptr_t)tz);
	out->year = tt.year;
	out->month = tt.month;
	out->day = tt.day;
	out->hour = tt.hour;
	out->minute = tt.minute;
	/* libical: 1 Sunday ... 7 Saturday. */
	out->weekday = (icaltime_day_of_week(tt) + 5) % 7;
}

const void *
sla_words_zone(const char *name)
{
	return name == NULL ? NULL : icaltimezone_get_builtin_timezone(name);
}

int
sla_words_unit(const char *name, enum sla_unit *out)
{
	static const enum sla_unit	units[] = { SLA_BUSINESS_HOURS,
					    SLA_BUSINESS_DAYS,
					    SLA_CALENDAR_DAYS,
					    SLA_CALENDAR_MONTHS };
	size_t				i;

	for (i = 0; name != NULL && i < sizeof(units) / sizeof(units[0]);
	    i++)
		if (strcmp(name, sla_unit_name(units[i])) == 0) {
			*out = units[i];
			return 0;
		}
	return -1;
}

/* Local days since 1970-01-01 of the wall date of t. */
static int64_t
local_day(const void *tz, sla_time t)
{
	struct sla_local	l;

	sla_words_local(tz, t, &l);
	return sla_days_from_civil(l.year, l.month, l.day);
}

void
sla_words_instant(char *out, size_t size, const struct sla_calendar *cal,
    sla_time t, sla_time now)
{
	struct sla_local	l, n;
	int64_t			gap;

	sla_words_local(cal->tz, t, &l);
	sla_words_local(cal->tz, now, &n);
	gap = sla_days_from_civil(l.year, l.month, l.day) -
	    sla_days_from_civil(n.year, n.month, n.day);
	if (gap >= -6 && gap <= 6)
		snprintf(out, size, "%s %02d:%02d %s", wdays[l.weekday],
		    l.hour, l.minute, cal->zone);
	else if (l.year == n.year)
		snprintf(out, size, "%s %d %s %02d:%02d %s", wdays[l.weekday],
		    l.day, mon_short[l.month - 1], l.hour, l.minute,
		    cal->zone);
	else
		snprintf(out, size, "%s %d %s %d %02d:%02d %s",
		    wdays[l.weekday], l.day, mon_short[l.month - 1], l.year,
		    l.hour, l.minute, cal->zone);
}

static const char *
plural(int64_t n)
{
	return n == 1 ? "" : "s";
}

void
sla_words_span(char *out, size_t size, int64_t s, int business)
{
	const char	*b = business ? "business " : "";
	int64_t		 h, m;

	if (s < 0)
		s = 0;
	if (!business && s >= 2 * SLA_DAY) {
		snprintf(out, size, "%lld days", (long long)(s / SLA_DAY));
		return;
	}
	h = s / 3600;
	m = (s % 3600 + 59) / 60;
	if (m == 60) {
		h++;
		m = 0;
	}
	if (h == 0)
		snprintf(out, size, "%lld %sminute%s", (long long)m, b,
		    plural(m));
	else if (m == 0 || h >= 10)
		snprintf(out, size, "%lld %shour%s", (long long)(h +
		    (m >= 30 && h >= 10)), b, plural(h + (m >= 30 && h >= 10)));
	else
		snprintf(out, size, "%lld %shour%s %lld minute%s",
		    (long long)h, b, plural(h), (long long)m, plural(m));
}

/* Days of the local date range (a, b] that have open hours. */
static int64_t
open_days(const struct sla_calendar *cal, int64_t a, int64_t b)
{
	int64_t	d, n = 0;

	for (d = a + 1; d <= b && d - a <= 400 * 366; d++)
		if (cal->nweek[sla_weekday(d)] > 0 && !sla_holiday(cal, d))
			n++;
	return n;
}

void
sla_words_business(char *out, size_t size, const struct sla_calendar *cal,
    sla_time from, sla_time to)
{
	int64_t	s, d0, d1, days;

	s = sla_business_seconds(cal, from, to);
	d0 = local_day(cal->tz, from);
	d1 = local_day(cal->tz, to);
	days = open_days(cal, d0, d1);
	if (days < 2 || s < sla_day_seconds(cal, d1)) {
		sla_words_span(out, size, s, 1);
		return;
	}
	snprintf(out, size, "%lld business days", (long long)days);
}

void
sla_words_remaining(char *out, size_t size, const struct sla_calendar *cal,
    int business, sla_time due, sla_time now)
{
	char	 span[SLA_WORDS_MAX];
	int	 late = due <= now;

	if (business)
		sla_words_business(span, sizeof(span), cal, late ? due : now,
		    late ? now : due);
	else
		sla_words_span(span, sizeof(span), late ? now - due : due - now,
		    0);
	snprintf(out, size, late ? "overdue by %s" : "due in %s", span);
}

void
sla_words_clock(char *out, size_t size, const struct sla_calendar *cal,
    int business, const char *state, sla_time due, sla_time paused_since,
    sla_time met, sla_time now)
{
	char	 left[SLA_WORDS_MAX], at[SLA_WORDS_MAX], since[SLA_WORDS_MAX];

	if (strcmp(state, "met") == 0) {
		if (met == 0)
			snprintf(out, size, "met");
		else {
			sla_words_instant(at, sizeof(at), cal, met, now);
			snprintf(out, size, "met %s", at);
		}
		return;
	}
	if (due == 0 || due == SLA_NEVER) {
		snprintf(out, size, "no due time: the calendar never opens");
		return;
	}
	sla_words_instant(at, sizeof(at), cal, due, now);
	if (strcmp(state, "paused") == 0) {
		if (paused_since == 0)
			snprintf(out, size, "paused; due %s if resumed now", at);
		else {
			sla_words_instant(since, sizeof(since), cal,
			    paused_since, now);
			snprintf(out, size, "paused since %s; due %s if resumed "
			    "now", since, at);
		}
		return;
	}
	sla_words_remaining(left, sizeof(left), cal, business, due, now);
	snprintf(out, size, "%s, %s", left, at);
}

void
sla_words_target(char *out, size_t size, int n, enum sla_unit u)
{
	static const char *const words[] = { "business hour", "business day",
	    "day", "month" };

	snprintf(out, size, "%d %s%s", n, words[u], plural(n));
}

/* The name of the holiday on local date d, "" when it has none. */
static const char *
holiday_name(const struct sla_calendar *cal, int64_t d)
{
	int64_t	 y;
	int	 m, day;
	size_t	 i;

	for (i = 0; i < cal->nholidays; i++)
		if (cal->holidays[i] == d)
			return cal->holiday_names != NULL &&
			    cal->holiday_names[i] != NULL ?
			    cal->holiday_names[i] : "";
	sla_civil_from_days(d, &y, &m, &day);
	for (i = 0; i < cal->nyearly; i++)
		if (cal->yearly[i].month == m && cal->yearly[i].day == day)
			return cal->yearly_names[i] != NULL ?
			    cal->yearly_names[i] : "";
	return "";
}

void
sla_words_closed(char *out, size_t size, const struct sla_calendar *cal,
    sla_time from, sla_time to)
{
	int64_t		 d, d0, d1, y;
	int		 m, day, named = 0, more = 0;
	size_t		 len;
	const char	*name;

	out[0] = '\0';
	if (to <= from || to == SLA_NEVER)
		return;
	d0 = local_day(cal->tz, from);
	d1 = local_day(cal->tz, to);
	for (d = d0; d <= d1 && d - d0 <= 400 * 366; d++) {
		if (cal->nweek[sla_weekday(d)] == 0 || !sla_holiday(cal, d))
			continue;
		if (named == CLOSED_NAMED) {
			more++;
			continue;
		}
		sla_civil_from_days(d, &y, &m, &day);
		name = holiday_name(cal, d);
		len = strlen(out);
		snprintf(out + len, size - len, "%s%d %s%s%s%s",
		    named == 0 ? "closed on " : ", ", day, mon_short[m - 1],
		    *name ? " (" : "", name, *name ? ")" : "");
		named++;
	}
	if (more > 0) {
		len = strlen(out);
		snprintf(out + len, size - len, " and %d more holiday%s", more,
		    plural(more));
	}
}

int
sla_words_promise(char *out, size_t size, const char *zone,
    const char *kind, sla_time due, int late, sla_time now)
{
	struct sla_local	 l, n;
	const void		*tz;
	const char		*what;
	char			 date[64];

	if ((tz = sla_words_zone(zone)) == NULL)
		return -1;
	if (strcmp(kind, "reply") == 0)
		what = "reply";
	else if (strcmp(kind, "decide") == 0)
		what = "decide";
	else if (strcmp(kind, "appeal") == 0)
		what = "decide on your appeal";
	else
		return -1;
	sla_words_local(tz, due, &l);
	sla_words_local(tz, now, &n);
	if (l.year == n.year)
		snprintf(date, sizeof(date), "%d %s", l.day,
		    mon_long[l.month - 1]);
	else
		snprintf(date, sizeof(date), "%d %s %d", l.day,
		    mon_long[l.month - 1], l.year);
	if (late)
		snprintf(out, size, "We aimed to %s by %s. We are sorry for "
		    "the delay and are working on it.", what, date);
	else
		snprintf(out, size, "We aim to %s by %s", what, date);
	return 0;
}
