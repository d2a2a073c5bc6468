/*
 * sla_test.h: what the SLA unit tests share: Madrid wall times as UTC
 * instants, the office calendar, and instant comparisons that say by how
 * much they missed.  Include after <cmocka.h>.
 */
#ifndef RECOURSE_SLA_TEST_H
#define RECOURSE_SLA_TEST_H

#include <stdio.h>
#include <time.h>

#include "sla.h"

#define CET	1	/* Madrid's offsets, in hours */
#define CEST	2
#define H	3600
#define DAY	86400

/* A UTC instant from a Madrid wall time and the offset then in force. */
static inline sla_time
at(int y, int mo, int d, int h, int mi, int s, int off)
{
	struct tm	tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm) - off * H;
}

/* Madrid, Monday to Friday 09:00-17:00, and 'extra' JSON members. */
static inline void
office_calendar(struct sla_calendar *cal, const char *extra)
{
	char			json[1024];
	struct sla_error	err;

	snprintf(json, sizeof(json), "{\"zone\": \"Europe/Madrid\", "
	    "\"week\": {\"mon\": [[\"09:00\", \"17:00\"]], "
	    "\"tue\": [[\"09:00\", \"17:00\"]], "
	    "\"wed\": [[\"09:00\", \"17:00\"]], "
	    "\"thu\": [[\"09:00\", \"17:00\"]], "
	    "\"fri\": [[\"09:00\", \"17:00\"]], \"sat\": [], \"sun\": []}%s}",
	    extra);
	if (sla_calendar_parse(cal, json, &err) != 0)
		fail_msg("calendar refused: %s: %s", err.field, err.message);
}

static inline void
check_time(sla_time got, sla_time want, const char *what)
{
	if (got != want)
		fail_msg("%s: %lld, want %lld (%+lld s)", what,
		    (long long)got, (long long)want, (long long)(got - want));
}

#endif
