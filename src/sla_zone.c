/*
 * Time zones for the SLA engine: civil date arithmetic, and each zone's
 * offset changes found once per year by probing libical and cached.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "sla_internal.h"

/* Years whose offset changes are cached; outside, a day at a time. */
#define ZY_FIRST	1900
#define ZY_LAST		2300
#define ZY_MAXCHANGE	16
/*
 * Probe step within a year.  Every zone's changes are months apart; six
 * hours also catches a change undone within the same day.
 */
#define ZY_STEP		(6 * 3600)

struct zone_year {
	int		filled;
	int		n;
	int32_t		start_off;		/* at the year's first second */
	sla_time	at[ZY_MAXCHANGE];	/* first second of */
	int32_t		off[ZY_MAXCHANGE];	/* ... this offset */
};

struct zone_cache {
	const void		*tz;
	struct zone_year	*years;		/* ZY_FIRST .. ZY_LAST */
	struct zone_cache	*next;
};

/* Kore workers are single-threaded processes: one cache per process. */
static struct zone_cache	*zones;

int64_t
sla_floordiv(int64_t a, int64_t b)
{
	int64_t	q = a / b;

	if ((a % b) != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Howard Hinnant's days_from_civil. */
int64_t
sla_days_from_civil(int64_t y, int m, int d)
{
	int64_t		era, yoe, doy, doe;

	y -= m <= 2;
	era = sla_floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
sla_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t		era, doe, yoe, doy, mp;

	z += 719468;
	era = sla_floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int
sla_days_in_month(int64_t y, int m)
{
	static const int	dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };
	int			leap;

	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

int
sla_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (3 counting from Monday). */
	return (int)(((days % 7) + 7 + 3) % 7);
}

void *
sla_zone_find(const char *name)
{
	icaltimezone	*z;

	/* libical also answers "UTC" with its own zone; so does tzdata. */
	z = icaltimezone_get_builtin_timezone(name);
	return z;
}

/* The offset libical gives for a UTC instant. */
static int32_t
probe(const void *tz, sla_time t)
{
	struct icaltimetype	tt;
	int			dst;

	tt = icaltime_from_timet_with_zone((time_t)t, 0,
	    icaltimezone_get_utc_timezone());
	/* libical takes no const zone; it only reads (and caches) in it. */
	return icaltimezone_get_utc_offset_of_utc_time(
	    (icaltimezone *)(uintptr_t)tz, &tt, &dst);
}

static struct zone_cache *
cache_of(const void *tz)
{
	static struct zone_cache	*last;
	struct zone_cache		*c;

	if (last != NULL && last->tz == tz)
		return last;
	for (c = zones; c != NULL; c = c->next)
		if (c->tz == tz)
			return last = c;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->years = calloc(ZY_LAST - ZY_FIRST + 1, sizeof(*c->years));
	if (c->years == NULL) {
		free(c);
		return NULL;
	}
	c->tz = tz;
	c->next = zones;
	zones = c;
	return last = c;
}

/* Find a year's offset changes: probe every ZY_STEP, bisect each change. */
static void
fill_year(const void *tz, struct zone_year *zy, int64_t year)
{
	sla_time	ys, ye, t, lo, hi, mid;
	int32_t		prev, cur;

	ys = sla_days_from_civil(year, 1, 1) * SLA_DAY;
	ye = sla_days_from_civil(year + 1, 1, 1) * SLA_DAY;
	zy->start_off = prev = probe(tz, ys);
	zy->n = 0;
	for (t = ys; t < ye; t = hi) {
		hi = t + ZY_STEP < ye ? t + ZY_STEP : ye;
		cur = probe(tz, hi == ye ? ye - 1 : hi);
		if (cur == prev)
			continue;
		/* The change lies in (t, hi]: find its first second. */
		lo = t;
		mid = hi == ye ? ye - 1 : hi;
		while (mid - lo > 1) {
			sla_time m = lo + (mid - lo) / 2;
			if (probe(tz, m) == prev)
				lo = m;
			else
				mid = m;
		}
		if (zy->n < ZY_MAXCHANGE) {
			zy->at[zy->n] = mid;
			zy->off[zy->n] = cur = probe(tz, mid);
			zy->n++;
		}
		prev = cur;
		/* Look on from the change: another may follow in the step. */
		hi = mid;
	}
	zy->filled = 1;
}

int32_t
sla_zone_piece(const void *tz, sla_time t, sla_time *end)
{
	struct zone_cache	*c;
	struct zone_year	*zy;
	int64_t			 day, y;
	int			 m, d, i;
	int32_t			 off;

	/* Before year 1 or after 9999: one piece, the offset at its edge. */
	if (t < SLA_TIME_FIRST) {
		*end = SLA_TIME_FIRST;
		return probe(tz, SLA_TIME_FIRST);
	}
	if (t >= SLA_TIME_LIMIT) {
		*end = INT64_MAX;
		return probe(tz, SLA_TIME_LIMIT - 1);
	}
	day = sla_floordiv(t, SLA_DAY);
	sla_civil_from_days(day, &y, &m, &d);
	if (y < ZY_FIRST || y > ZY_LAST || (c = cache_of(tz)) == NULL) {
		*end = (day + 1) * SLA_DAY;
		return probe(tz, t);
	}
	zy = &c->years[y - ZY_FIRST];
	if (!zy->filled)
		fill_year(tz, zy, y);
	off = zy->start_off;
	for (i = 0; i < zy->n && zy->at[i] <= t; i++)
		off = zy->off[i];
	*end = i < zy->n ? zy->at[i] :
	    sla_days_from_civil(y + 1, 1, 1) * SLA_DAY;
	return off;
}

int32_t
sla_zone_offset(const void *tz, sla_time t)
{
	sla_time	end;

	return sla_zone_piece(tz, t, &end);
}

int64_t
sla_zone_local(const void *tz, sla_time t)
{
	return t + sla_zone_offset(tz, t);
}

sla_time
sla_zone_utc(const void *tz, int64_t local)
{
	sla_time	t, end;
	int32_t		off;

	/* Every instant with that wall time lies within SLA_MAX_OFFSET. */
	for (t = local - SLA_MAX_OFFSET; t <= local + SLA_MAX_OFFSET;
	    t = end) {
		off = sla_zone_piece(tz, t, &end);
		/* Local time rises within a piece: is 'local' reached here? */
		if (end - 1 + off >= local)
			return local - off > t ? local - off : t;
	}
	return local - sla_zone_offset(tz, local);
}
