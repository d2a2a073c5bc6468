/*
 * Business time: which instants are open, how many open seconds lie
 * between two instants, and when a number of them will have passed.
 *
 * The open-instants rule of docs/SLA.md, done without any DST exception:
 * UTC time is cut into pieces of constant offset; within a piece local
 * time is UTC plus that offset, so the piece's open seconds are the open
 * seconds of its local span, counted on plain local days.
 */

#include <stdlib.h>

#include "sla_internal.h"

/* How far sla_business_add looks for open time before giving up. */
#define SEARCH_SPAN	((sla_time)400 * 366 * SLA_DAY)

static int
cmp_day(const void *a, const void *b)
{
	int32_t	x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

int
sla_holiday(const struct sla_calendar *cal, int64_t day)
{
	int32_t		key;
	int64_t		y;
	int		m, d;
	size_t		i;

	if (cal->nholidays > 0 && day >= INT32_MIN && day <= INT32_MAX) {
		key = (int32_t)day;
		if (bsearch(&key, cal->holidays, cal->nholidays,
		    sizeof(key), cmp_day) != NULL)
			return 1;
	}
	if (cal->nyearly == 0)
		return 0;
	sla_civil_from_days(day, &y, &m, &d);
	for (i = 0; i < cal->nyearly; i++)
		if (cal->yearly[i].month == m && cal->yearly[i].day == d)
			return 1;
	return 0;
}

/* Open seconds of one whole local day, holidays aside. */
static int64_t
weekday_seconds(const struct sla_calendar *cal, int wd)
{
	int64_t	sum = 0;
	int	i;

	for (i = 0; i < cal->nweek[wd]; i++)
		sum += (cal->week[wd][i].end - cal->week[wd][i].start) * 60;
	return sum;
}

/*
 * The earliest local time in [x, lim] by which *rem open seconds have
 * passed since x, with *rem set to 0; else lim, with *rem reduced by the
 * open seconds of [x, lim).
 */
static int64_t
local_add(const struct sla_calendar *cal, int64_t x, int64_t lim,
    int64_t *rem)
{
	int64_t	d, ds, s, e, whole;
	int	wd, i;

	for (d = sla_floordiv(x, SLA_DAY); d * SLA_DAY < lim; d++) {
		wd = sla_weekday(d);
		if (cal->nweek[wd] == 0 || sla_holiday(cal, d))
			continue;
		ds = d * SLA_DAY;
		if (ds >= x && ds + SLA_DAY <= lim &&
		    (whole = weekday_seconds(cal, wd)) < *rem) {
			*rem -= whole;
			continue;
		}
		for (i = 0; i < cal->nweek[wd]; i++) {
			s = ds + cal->week[wd][i].start * 60;
			e = ds + cal->week[wd][i].end * 60;
			if (s < x)
				s = x;
			if (e > lim)
				e = lim;
			if (e <= s)
				continue;
			if (e - s >= *rem) {
				s += *rem;
				*rem = 0;
				return s;
			}
			*rem -= e - s;
		}
	}
	return lim;
}

/* Open seconds of local wall time [x, y): all of them "passed". */
static int64_t
local_open(const struct sla_calendar *cal, int64_t x, int64_t y)
{
	int64_t	rem = INT64_MAX;

	local_add(cal, x, y, &rem);
	return INT64_MAX - rem;
}

int64_t
sla_window_seconds(const struct sla_calendar *cal, sla_time from,
    sla_time to, int64_t lo, int64_t hi)
{
	sla_time	t, end;
	int64_t		x, y, sum = 0;
	int32_t		off;

	/* Outside years 1 to 9999 nothing is open. */
	if (from < SLA_TIME_FIRST)
		from = SLA_TIME_FIRST;
	if (to > SLA_TIME_LIMIT)
		to = SLA_TIME_LIMIT;
	for (t = from; t < to; t = end) {
		off = sla_zone_piece(cal->tz, t, &end);
		x = t + off;
		y = (end < to ? end : to) + off;
		if (x < lo)
			x = lo;
		if (y > hi)
			y = hi;
		if (x < y)
			sum += local_open(cal, x, y);
	}
	return sum;
}

sla_time
sla_window_add(const struct sla_calendar *cal, sla_time from,
    int64_t seconds, int64_t lo, int64_t hi)
{
	sla_time	t, end, limit;
	int64_t		x, y, r;
	int32_t		off;

	if (seconds <= 0)
		return from;
	if (from >= SLA_TIME_LIMIT - SEARCH_SPAN)
		return SLA_NEVER;
	if (from < SLA_TIME_FIRST)
		from = SLA_TIME_FIRST;
	limit = from + SEARCH_SPAN;
	for (t = from; t < limit; t = end) {
		/* Past the window's end whatever the offset: give up. */
		if (hi != INT64_MAX && t > hi + SLA_MAX_OFFSET)
			break;
		off = sla_zone_piece(cal->tz, t, &end);
		x = t + off;
		y = end + off;
		if (x < lo)
			x = lo;
		if (y > hi)
			y = hi;
		if (x >= y)
			continue;
		r = local_add(cal, x, y, &seconds);
		if (seconds == 0)
			return r - off;
	}
	return SLA_NEVER;
}

int
sla_calendar_open(const struct sla_calendar *cal, sla_time t)
{
	int64_t	local, day, tod;
	int	wd, i;

	if (t < SLA_TIME_FIRST || t >= SLA_TIME_LIMIT)
		return 0;
	local = sla_zone_local(cal->tz, t);
	day = sla_floordiv(local, SLA_DAY);
	tod = local - day * SLA_DAY;
	wd = sla_weekday(day);
	for (i = 0; i < cal->nweek[wd]; i++)
		if (tod >= cal->week[wd][i].start * 60 &&
		    tod < cal->week[wd][i].end * 60)
			return !sla_holiday(cal, day);
	return 0;
}

int64_t
sla_business_seconds(const struct sla_calendar *cal, sla_time from,
    sla_time to)
{
	return sla_window_seconds(cal, from, to, INT64_MIN, INT64_MAX);
}

sla_time
sla_business_add(const struct sla_calendar *cal, sla_time from,
    int64_t seconds)
{
	return sla_window_add(cal, from, seconds, INT64_MIN, INT64_MAX);
}

int64_t
sla_day_seconds(const struct sla_calendar *cal, int64_t day)
{
	int64_t	d0 = day * SLA_DAY;

	return sla_window_seconds(cal, d0 - SLA_MAX_OFFSET,
	    d0 + SLA_DAY + SLA_MAX_OFFSET, d0, d0 + SLA_DAY);
}
