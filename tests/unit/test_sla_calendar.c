/*
 * Business calendars: definitions refused field by field, and business
 * time over weekends, holidays, closing times, DST changes and leap days.
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

static void
load(struct sla_calendar *cal, const char *json)
{
	struct sla_error	err;

	if (sla_calendar_parse(cal, json, &err) != 0)
		fail_msg("refused: %s: %s", err.field, err.message);
}


/* Each refusal names the field an admin must fix. */
static void
test_refusals_name_the_field(void **state)
{
	static const struct { const char *json, *field; } t[] = {
		{ "{\"zone\": \"Europe/Atlantis\", \"week\": {\"mon\": "
		  "[[\"09:00\", \"17:00\"]]}}", "zone" },
		{ "{\"zone\": \"../../etc/passwd\", \"week\": {\"mon\": "
		  "[[\"09:00\", \"17:00\"]]}}", "zone" },
		{ "{\"week\": {\"mon\": [[\"09:00\", \"17:00\"]]}}", "zone" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"mon\": "
		  "[[\"17:00\", \"09:00\"]]}}", "week.mon[0]" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"mon\": "
		  "[[\"09:00\", \"09:00\"]]}}", "week.mon[0]" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"tue\": "
		  "[[\"09:00\", \"14:00\"], [\"13:00\", \"18:00\"]]}}",
		  "week.tue[1]" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"tue\": "
		  "[[\"13:00\", \"18:00\"], [\"09:00\", \"19:00\"]]}}",
		  "week.tue[1]" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"wed\": "
		  "[[\"09:00\", \"24:01\"]]}}", "week.wed[0]" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"wed\": "
		  "[[\"9:00\", \"17:00\"]]}}", "week.wed[0]" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"mon\": [], "
		  "\"sun\": []}}", "week" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {}}", "week" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"monday\": "
		  "[[\"09:00\", \"17:00\"]]}}", "week" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"mon\": "
		  "[[\"09:00\", \"17:00\"]]}, \"holidays\": [{\"date\": "
		  "\"2026-02-29\"}]}", "holidays[0].date" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"mon\": "
		  "[[\"09:00\", \"17:00\"]]}, \"holidays\": [{\"date\": "
		  "\"2026-12-25\"}, {\"date\": \"26-12-2026\"}]}",
		  "holidays[1].date" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"mon\": "
		  "[[\"09:00\", \"17:00\"]]}, \"holidays\": [{\"date\": "
		  "\"1969-12-31\"}]}", "holidays[0].date" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"mon\": "
		  "[[\"09:00\", \"17:00\"]]}, \"yearly\": [{\"month\": 2, "
		  "\"day\": 30}]}", "yearly[0].day" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"mon\": "
		  "[[\"09:00\", \"17:00\"]]}, \"yearly\": [{\"month\": 13, "
		  "\"day\": 1}]}", "yearly[0].month" },
		{ "{\"zone\": \"Europe/Madrid\", \"week\": {\"mon\": "
		  "[[\"09:00\", \"17:00\"]]}, \"colour\": 1}", "calendar" },
		{ "not json", "calendar" },
	};
	struct sla_calendar	cal;
	struct sla_error	err;
	size_t			i;

	for (i = 0; i < N(t); i++) {
		if (sla_calendar_parse(&cal, t[i].json, &err) == 0)
			fail_msg("accepted: %s", t[i].json);
		if (strcmp(err.field, t[i].field) != 0)
			fail_msg("%s: field %s, want %s", t[i].json, err.field,
			    t[i].field);
		assert_true(err.message[0] != '\0');
		/* Nothing half-built is left behind. */
		assert_null(cal.holidays);
	}
}

/* The example of docs/SLA.md, and 29 February as a yearly holiday. */
static void
test_documented_example_parses(void **state)
{
	struct sla_calendar	cal;

	load(&cal, "{\"zone\": \"Europe/Madrid\", \"week\": {\"mon\": "
	    "[[\"15:00\", \"18:00\"], [\"09:00\", \"14:00\"]], \"tue\": "
	    "[[\"09:00\", \"17:00\"]], \"wed\": [], \"thu\": [], \"fri\": [], "
	    "\"sat\": [], \"sun\": []}, \"holidays\": [{\"date\": "
	    "\"2026-12-25\", \"name\": \"Christmas Day\"}], \"yearly\": "
	    "[{\"month\": 1, \"day\": 1, \"name\": \"New Year's Day\"}, "
	    "{\"month\": 2, \"day\": 29}]}");
	assert_string_equal(cal.zone, "Europe/Madrid");
	assert_int_equal(cal.nweek[0], 2);
	/* Intervals come back in order of their start. */
	assert_int_equal(cal.week[0][0].start, 9 * 60);
	assert_int_equal(cal.week[0][1].end, 18 * 60);
	assert_int_equal(cal.nholidays, 1);
	assert_string_equal(cal.holiday_names[0], "Christmas Day");
	assert_int_equal(cal.nyearly, 2);
	assert_string_equal(cal.yearly_names[0], "New Year's Day");
	assert_string_equal(cal.yearly_names[1], "");
	sla_calendar_free(&cal);
}

/* Friday afternoon plus two hours is Monday morning. */
static void
test_weekends(void **state)
{
	struct sla_calendar	cal;
	sla_time		fri = at(2026, 3, 6, 16, 0, 0, CET);

	office_calendar(&cal, "");
	check_time(sla_business_add(&cal, fri, 2 * H),
	    at(2026, 3, 9, 10, 0, 0, CET), "Fri 16:00 + 2 h");
	assert_int_equal(sla_business_seconds(&cal, fri,
	    at(2026, 3, 9, 10, 0, 0, CET)), 2 * H);
	/* A whole week is five days of eight hours. */
	assert_int_equal(sla_business_seconds(&cal, fri,
	    at(2026, 3, 13, 16, 0, 0, CET)), 40 * H);
	assert_false(sla_calendar_open(&cal, at(2026, 3, 7, 12, 0, 0, CET)));
	sla_calendar_free(&cal);
}

/* A holiday on the due day, the day before it, and the day after. */
static void
test_holidays_around_the_due_day(void **state)
{
	struct sla_calendar	cal;
	sla_time		fri = at(2026, 3, 6, 16, 0, 0, CET);

	/* On it: Monday 9 March is a holiday, so Tuesday. */
	office_calendar(&cal, ", \"holidays\": [{\"date\": \"2026-03-09\"}]");
	check_time(sla_business_add(&cal, fri, 2 * H),
	    at(2026, 3, 10, 10, 0, 0, CET), "holiday on the due day");
	sla_calendar_free(&cal);
	/* Before it: Friday is the holiday, so Thursday's case waits. */
	office_calendar(&cal, ", \"holidays\": [{\"date\": \"2026-03-06\"}]");
	check_time(sla_business_add(&cal, at(2026, 3, 5, 16, 0, 0, CET),
	    2 * H), at(2026, 3, 9, 10, 0, 0, CET), "holiday the day before");
	sla_calendar_free(&cal);
	/* After it: Tuesday's holiday changes nothing. */
	office_calendar(&cal, ", \"yearly\": [{\"month\": 3, \"day\": 10}]");
	check_time(sla_business_add(&cal, fri, 2 * H),
	    at(2026, 3, 9, 10, 0, 0, CET), "holiday the day after");
	sla_calendar_free(&cal);
}

/* Received at night, on a holiday, at the last second of a day. */
static void
test_received_outside_hours(void **state)
{
	struct sla_calendar	cal;
	sla_time		last = at(2026, 3, 6, 16, 59, 59, CET);

	office_calendar(&cal, ", \"holidays\": [{\"date\": \"2026-03-10\"}]");
	check_time(sla_business_add(&cal, at(2026, 3, 7, 12, 0, 0, CET), H),
	    at(2026, 3, 9, 10, 0, 0, CET), "Saturday + 1 h");
	check_time(sla_business_add(&cal, at(2026, 3, 4, 23, 30, 0, CET), H),
	    at(2026, 3, 5, 10, 0, 0, CET), "Wednesday night + 1 h");
	check_time(sla_business_add(&cal, at(2026, 3, 10, 11, 0, 0, CET), H),
	    at(2026, 3, 11, 10, 0, 0, CET), "on the holiday + 1 h");
	assert_true(sla_calendar_open(&cal, last));
	assert_false(sla_calendar_open(&cal, last + 1));
	check_time(sla_business_add(&cal, last, 1), last + 1,
	    "last second + 1 s");
	check_time(sla_business_add(&cal, last, 2),
	    at(2026, 3, 9, 9, 0, 1, CET), "last second + 2 s");
	assert_int_equal(sla_business_seconds(&cal, last,
	    at(2026, 3, 9, 9, 0, 0, CET)), 1);
	sla_calendar_free(&cal);
}

/* Eight hours from the opening are due at closing time, not tomorrow. */
static void
test_target_ends_at_closing_time(void **state)
{
	struct sla_calendar	cal;

	office_calendar(&cal, "");
	check_time(sla_business_add(&cal, at(2026, 3, 2, 9, 0, 0, CET), 8 * H),
	    at(2026, 3, 2, 17, 0, 0, CET), "Mon 09:00 + 8 h");
	check_time(sla_business_add(&cal, at(2026, 3, 2, 8, 0, 0, CET), 16 * H),
	    at(2026, 3, 3, 17, 0, 0, CET), "Mon 08:00 + 16 h");
	check_time(sla_business_add(&cal, at(2026, 3, 2, 10, 0, 0, CET), 0),
	    at(2026, 3, 2, 10, 0, 0, CET), "+ 0");
	sla_calendar_free(&cal);
}

/* Open all day: 23 hours on 29 March 2026, 25 on 25 October. */
static void
test_dst_days_of_23_and_25_hours(void **state)
{
	struct sla_calendar	cal;
	sla_time		a, b;

	load(&cal, "{\"zone\": \"Europe/Madrid\", \"week\": {\"sun\": "
	    "[[\"00:00\", \"24:00\"]]}}");
	a = at(2026, 3, 29, 0, 0, 0, CET);
	b = at(2026, 3, 30, 0, 0, 0, CEST);
	assert_int_equal(b - a, 23 * H);
	assert_int_equal(sla_business_seconds(&cal, a, b), 23 * H);
	assert_int_equal(sla_business_seconds(&cal, a - 7 * 86400, b), 47 * H);
	check_time(sla_business_add(&cal, a, 23 * H), b, "spring day");
	a = at(2026, 10, 25, 0, 0, 0, CEST);
	b = at(2026, 10, 26, 0, 0, 0, CET);
	assert_int_equal(b - a, 25 * H);
	assert_int_equal(sla_business_seconds(&cal, a, b), 25 * H);
	check_time(sla_business_add(&cal, a - 86400, 25 * H), b, "autumn day");
	sla_calendar_free(&cal);
}

/* 02:30 does not exist on 29 March (opens at 03:00); happens twice on
 * 25 October (open both times). */
static void
test_dst_missing_and_repeated_opening(void **state)
{
	struct sla_calendar	cal;
	sla_time		jump, back;

	load(&cal, "{\"zone\": \"Europe/Madrid\", \"week\": {\"sun\": "
	    "[[\"02:30\", \"03:30\"]]}}");
	/* 02:00 CET becomes 03:00 CEST at 01:00 UTC. */
	jump = at(2026, 3, 29, 3, 0, 0, CEST);
	assert_false(sla_calendar_open(&cal, jump - 1));
	assert_true(sla_calendar_open(&cal, jump));
	assert_int_equal(sla_business_seconds(&cal, jump - 86400,
	    jump + 86400), 30 * 60);
	check_time(sla_business_add(&cal, jump - 3 * H, 1), jump + 1,
	    "first second after the gap");
	/* 03:00 CEST becomes 02:00 CET at 01:00 UTC: 02:30-03:00 CEST, then
	 * 02:30-03:30 CET. */
	back = at(2026, 10, 25, 2, 0, 0, CET);
	assert_true(sla_calendar_open(&cal, back - 30 * 60));
	assert_false(sla_calendar_open(&cal, back));
	assert_true(sla_calendar_open(&cal, back + 30 * 60));
	assert_int_equal(sla_business_seconds(&cal, back - 86400,
	    back + 86400), 90 * 60);
	check_time(sla_business_add(&cal, back - 86400, 45 * 60),
	    back + 45 * 60, "45 minutes over both 02:30s");
	sla_calendar_free(&cal);
}

/* A yearly 29 February closes leap years only. */
static void
test_leap_day_holiday(void **state)
{
	struct sla_calendar	cal;

	office_calendar(&cal, ", \"yearly\": [{\"month\": 2, \"day\": 29}]");
	/* Monday 28 Feb 2028 16:00 + 2 h: Tuesday 29 is closed. */
	check_time(sla_business_add(&cal, at(2028, 2, 28, 16, 0, 0, CET),
	    2 * H), at(2028, 3, 1, 10, 0, 0, CET), "over 29 Feb 2028");
	assert_false(sla_calendar_open(&cal, at(2028, 2, 29, 12, 0, 0, CET)));
	/* 2027 has no 29 February: 1 March is an ordinary Monday. */
	assert_true(sla_calendar_open(&cal, at(2027, 3, 1, 12, 0, 0, CET)));
	assert_true(sla_calendar_open(&cal, at(2027, 2, 26, 12, 0, 0, CET)));
	sla_calendar_free(&cal);
}

/* No open hour for centuries: SLA_NEVER, not a hang. */
static void
test_never_open(void **state)
{
	struct sla_calendar	cal;

	office_calendar(&cal, "");
	assert_true(sla_business_add(&cal, 0, INT64_MAX / 4) == SLA_NEVER);
	sla_calendar_free(&cal);
}

/* Nonsense instants (a corrupt row) end quickly and overflow nothing. */
static void
test_extreme_instants(void **state)
{
	struct sla_calendar	cal;

	office_calendar(&cal, "");
	assert_int_equal(sla_business_seconds(&cal, INT64_MIN,
	    INT64_MIN + 10), 0);
	assert_int_equal(sla_business_seconds(&cal, INT64_MAX - 10,
	    INT64_MAX), 0);
	assert_false(sla_calendar_open(&cal, INT64_MAX));
	assert_false(sla_calendar_open(&cal, INT64_MIN));
	assert_true(sla_business_add(&cal, INT64_MAX - 5, 1) == SLA_NEVER);
	assert_true(sla_business_add(&cal, INT64_MIN, 1) < 0);
	sla_calendar_free(&cal);
}

/* A 30-day span costs microseconds (a loose bound: the machine is busy). */
static void
test_thirty_days_is_cheap(void **state)
{
	struct sla_calendar	cal;
	struct timespec		a, b;
	sla_time		from = at(2026, 3, 2, 10, 0, 0, CET);
	int64_t			sum = 0;
	double			us;
	int			i;

	office_calendar(&cal, ", \"yearly\": [{\"month\": 12, \"day\": 25}]");
	sum += sla_business_seconds(&cal, from, from + 30 * 86400);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 10000; i++) {
		sum += sla_business_seconds(&cal, from + i, from + i +
		    30 * 86400);
		sum += sla_business_add(&cal, from + i, 170 * H) - from;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 /
	    20000;
	printf("30-day span: %.2f us a call\n", us);
	assert_true(sum > 0);
	sla_calendar_free(&cal);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals_name_the_field),
		cmocka_unit_test(test_documented_example_parses),
		cmocka_unit_test(test_weekends),
		cmocka_unit_test(test_holidays_around_the_due_day),
		cmocka_unit_test(test_received_outside_hours),
		cmocka_unit_test(test_target_ends_at_closing_time),
		cmocka_unit_test(test_dst_days_of_23_and_25_hours),
		cmocka_unit_test(test_dst_missing_and_repeated_opening),
		cmocka_unit_test(test_leap_day_holiday),
		cmocka_unit_test(test_never_open),
		cmocka_unit_test(test_extreme_instants),
		cmocka_unit_test(test_thirty_days_is_cheap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
