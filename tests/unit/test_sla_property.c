/*
 * Property test of business time: sla_business_seconds and
 * sla_business_add against a slow minute-by-minute reference that asks
 * libical for each minute's local wall time, over random calendars.
 *
 *   SLA_SEED=n    replay a run (the seed is printed on every run)
 *   SLA_CASES=n   how many cases (default 10000; more for a soak)
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libical/ical.h>

#include "sla.h"

static const char *const zones[] = {
	"Europe/Madrid", "America/New_York", "Australia/Lord_Howe",
	"Asia/Kolkata", "America/Sao_Paulo", "Pacific/Apia",
	"Europe/London", "America/Santiago", "Asia/Kathmandu"
};
#define NZONES	(sizeof(zones) / sizeof(zones[0]))
static const char *const days[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

/* xorshift64*: the same cases on every machine for a given seed. */
static uint64_t	rng;

static uint64_t
next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static int64_t
pick(int64_t lo, int64_t hi)	/* in [lo, hi] */
{
	return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1));
}

/* The reference's own view of the calendar, kept apart from the engine's. */
struct ref {
	icaltimezone	*zone;
	int		 n[7];
	int		 s[7][4], e[7][4];	/* minutes */
	int		 nh;
	int		 hy[40], hm[40], hd[40];
	int		 ny;
	int		 ym[6], yd[6];
};

/* A random calendar, as JSON for the engine and as a struct for the ref. */
static void
random_calendar(struct ref *r, char *json, size_t len, int year)
{
	static const int	 edges[] = { 0, 60, 120, 150, 180, 540, 600,
				    720, 1020, 1380, 1410, 1440 };
	size_t			 o = 0;
	int			 d, i, k, a, b, any = 0;
	const char		*zn;

	memset(r, 0, sizeof(*r));
	zn = zones[pick(0, NZONES - 1)];
	r->zone = icaltimezone_get_builtin_timezone(zn);
	o += snprintf(json + o, len - o, "{\"zone\":\"%s\",\"week\":{", zn);
	for (d = 0; d < 7; d++) {
		o += snprintf(json + o, len - o, "%s\"%s\":[", d ? "," : "",
		    days[d]);
		k = (int)pick(0, 3);
		if (d == 6 && !any && k == 0)
			k = 1;
		for (i = 0, a = 0; i < k && a < 1440; i++) {
			/* Edges near DST change times, or anywhere. */
			if (pick(0, 1))
				a = a + (int)pick(0, 600);
			else if ((b = edges[pick(0, 10)]) > a)
				a = b;
			if (a >= 1439)
				break;
			b = a + (int)pick(1, 1440 - a);
			if (pick(0, 3) == 0)
				b = 1440 - (int)pick(0, 1) * (1440 - b);
			r->s[d][r->n[d]] = a;
			r->e[d][r->n[d]] = b;
			o += snprintf(json + o, len - o,
			    "%s[\"%02d:%02d\",\"%02d:%02d\"]",
			    r->n[d] ? "," : "", a / 60, a % 60, b / 60, b % 60);
			r->n[d]++;
			any = 1;
			a = b + (int)pick(0, 120);
		}
		o += snprintf(json + o, len - o, "]");
	}
	o += snprintf(json + o, len - o, "},\"holidays\":[");
	r->nh = (int)pick(0, 30);
	for (i = 0; i < r->nh; i++) {
		/* Unique dates: day-of-year steps, near the cases' year. */
		r->hy[i] = year + (int)pick(0, 1) - (i % 3 == 0);
		r->hm[i] = (int)pick(1, 12);
		r->hd[i] = (int)pick(1, 28);
		for (k = 0; k < i; k++)
			if (r->hy[k] == r->hy[i] && r->hm[k] == r->hm[i] &&
			    r->hd[k] == r->hd[i])
				break;
		if (k < i) {
			i--;
			r->nh--;
			continue;
		}
		o += snprintf(json + o, len - o,
		    "%s{\"date\":\"%04d-%02d-%02d\",\"name\":\"h%d\"}",
		    i ? "," : "", r->hy[i], r->hm[i], r->hd[i], i);
	}
	o += snprintf(json + o, len - o, "],\"yearly\":[");
	r->ny = (int)pick(0, 4);
	for (i = 0; i < r->ny; i++) {
		if (i == 0 && pick(0, 1)) {
			r->ym[i] = 2;
			r->yd[i] = 29;
		} else {
			r->ym[i] = (int)pick(1, 12);
			r->yd[i] = (int)pick(1, 28);
		}
		for (k = 0; k < i; k++)
			if (r->ym[k] == r->ym[i] && r->yd[k] == r->yd[i])
				break;
		if (k < i) {
			i--;
			r->ny--;
			continue;
		}
		o += snprintf(json + o, len - o,
		    "%s{\"month\":%d,\"day\":%d}", i ? "," : "", r->ym[i],
		    r->yd[i]);
	}
	snprintf(json + o, len - o, "]}");
}

/* Is the UTC minute starting at t open, by libical's local wall time? */
static int
ref_open(const struct ref *r, sla_time t)
{
	struct icaltimetype	tt;
	struct tm		tm;
	time_t			local;
	int			dst, tod, wd, i;

	/* libical's offset for this very minute; glibc's calendar. */
	tt = icaltime_from_timet_with_zone((time_t)t, 0,
	    icaltimezone_get_utc_timezone());
	local = (time_t)t + icaltimezone_get_utc_offset_of_utc_time(r->zone,
	    &tt, &dst);
	gmtime_r(&local, &tm);
	for (i = 0; i < r->nh; i++)
		if (tm.tm_year + 1900 == r->hy[i] &&
		    tm.tm_mon + 1 == r->hm[i] && tm.tm_mday == r->hd[i])
			return 0;
	for (i = 0; i < r->ny; i++)
		if (tm.tm_mon + 1 == r->ym[i] && tm.tm_mday == r->yd[i])
			return 0;
	/* tm_wday: 0 Sunday; ours: 0 Monday ... 6 Sunday. */
	wd = (tm.tm_wday + 6) % 7;
	tod = tm.tm_hour * 60 + tm.tm_min;
	for (i = 0; i < r->n[wd]; i++)
		if (tod >= r->s[wd][i] && tod < r->e[wd][i])
			return 1;
	return 0;
}

/*
 * Open seconds in [from, to), minute by minute (every offset since 1970
 * in these zones is whole minutes, and changes fall on whole minutes),
 * and the earliest instant by which 'want' of them have passed (0 if not
 * within the span).
 */
static int64_t
ref_seconds(const struct ref *r, sla_time from, sla_time to, int64_t want,
    sla_time *reached)
{
	sla_time	m, a, b;
	int64_t		sum = 0;

	*reached = want == 0 ? from : 0;
	for (m = from - (from % 60 + 60) % 60; m < to; m += 60) {
		if (!ref_open(r, m))
			continue;
		a = m > from ? m : from;
		b = m + 60 < to ? m + 60 : to;
		if (*reached == 0 && sum + (b - a) >= want)
			*reached = a + (want - sum);
		sum += b - a;
	}
	return sum;
}

/* A random day of the year on which the zone's offset changes, or 0. */
static sla_time
change_near(const struct ref *r, int64_t year)
{
	struct icaltimetype	tt;
	struct tm		tm = { 0 };
	sla_time		t0, t, when[8];
	int			n = 0, dst, prev, cur;

	tm.tm_year = (int)year - 1900;
	tm.tm_mday = 1;
	t0 = timegm(&tm);
	for (t = t0, prev = -1; t < t0 + 366 * 86400 && n < 8; t += 86400) {
		tt = icaltime_from_timet_with_zone((time_t)t, 0,
		    icaltimezone_get_utc_timezone());
		cur = icaltimezone_get_utc_offset_of_utc_time(r->zone, &tt,
		    &dst);
		if (prev != -1 && cur != prev)
			when[n++] = t;
		prev = cur;
	}
	return n == 0 ? 0 : when[pick(0, n - 1)];
}

static void
one_case(int n)
{
	struct sla_calendar	cal;
	struct sla_error	err;
	struct ref		r;
	char			json[4096];
	int64_t			year, span, want, got, ref;
	sla_time		from, to, reached, t;
	int			month;

	year = pick(1996, 2034);
	random_calendar(&r, json, sizeof(json), (int)year);
	if (sla_calendar_parse(&cal, json, &err) != 0)
		fail_msg("case %d: %s: %s in %s", n, err.field, err.message,
		    json);
	/* Half the cases start within two days of an offset change. */
	month = (int)pick(1, 12);
	{
		struct tm	tm = { 0 };

		tm.tm_year = (int)year - 1900;
		tm.tm_mon = month - 1;
		tm.tm_mday = (int)pick(1, 28);
		from = timegm(&tm) + pick(0, 86399);
	}
	if (pick(0, 1) && (t = change_near(&r, year)) != 0)
		from = t + pick(-2 * 86400, 2 * 86400);
	/* Mostly up to 2 days; one case in 25 up to 40 days. */
	span = pick(0, 24) == 0 ? pick(0, 40 * 86400) : pick(0, 2 * 86400);
	to = from + span;
	want = pick(0, span / 3 + 1);
	ref = ref_seconds(&r, from, to, want, &reached);
	got = sla_business_seconds(&cal, from, to);
	if (got != ref)
		fail_msg("case %d: seconds [%lld, %lld) = %lld, reference "
		    "%lld; calendar %s", n, (long long)from, (long long)to,
		    (long long)got, (long long)ref, json);
	t = sla_business_add(&cal, from, want);
	if (reached != 0 && t != reached)
		fail_msg("case %d: add(%lld, %lld) = %lld, reference %lld; "
		    "calendar %s", n, (long long)from, (long long)want,
		    (long long)t, (long long)reached, json);
	if (reached == 0 && (t < to || t == SLA_NEVER ||
	    sla_business_seconds(&cal, from, t) != want ||
	    sla_business_seconds(&cal, from, t - 1) >= want))
		fail_msg("case %d: add(%lld, %lld) = %lld, beyond %lld; "
		    "calendar %s", n, (long long)from, (long long)want,
		    (long long)t, (long long)to, json);
	if (sla_calendar_open(&cal, from) != ref_open(&r, from - (from % 60)))
		fail_msg("case %d: open(%lld) disagrees; calendar %s", n,
		    (long long)from, json);
	sla_calendar_free(&cal);
}

static void
test_business_time_matches_reference(void **state)
{
	const char	*s;
	uint64_t	 seed;
	int		 i, cases;

	s = getenv("SLA_SEED");
	seed = s != NULL ? strtoull(s, NULL, 10) : (uint64_t)time(NULL);
	s = getenv("SLA_CASES");
	cases = s != NULL ? atoi(s) : 10000;
	printf("property: SLA_SEED=%llu SLA_CASES=%d\n",
	    (unsigned long long)seed, cases);
	fflush(stdout);
	rng = seed * 2 + 1;
	for (i = 0; i < cases; i++)
		one_case(i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_business_time_matches_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
