/* Tests the clocks in words: remaining and overdue business time, due instants in the calendar's zone (winter, summer, another year), paused clocks, targets, holidays on the way and the complainant's promise. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sla.h"
#include "sla_words.h"

/* Madrid, weekdays 09:00-17:00, Christmas and one dated holiday. */
#define CAL	"{\"zone\": \"Europe/Madrid\", \"week\": {" \
		"\"mon\": [[\"09:00\", \"17:00\"]], " \
		"\"tue\": [[\"09:00\", \"17:00\"]], " \
		"\"wed\": [[\"09:00\", \"17:00\"]], " \
		"\"thu\": [[\"09:00\", \"17:00\"]], " \
		"\"fri\": [[\"09:00\", \"17:00\"]], " \
		"\"sat\": [], \"sun\": []}, " \
		"\"holidays\": [{\"date\": \"2026-12-28\", " \
		"\"name\": \"Office closed\"}], " \
		"\"yearly\": [{\"month\": 12, \"day\": 25, " \
		"\"name\": \"Christmas Day\"}]}"

/* Instants (UTC); Madrid is UTC+1 in winter, UTC+2 in summer. */
#define MON_10	1773046800	/* 2026-03-09 09:00Z: Mon 10:00 Madrid */
#define MON_13	1773057600	/* Mon 13:00 Madrid */
#define MON_15	1773064800	/* Mon 15:00 Madrid */
#define WED_10	1773219600	/* 2026-03-11 Wed 10:00 Madrid */
#define FRI_10	1773997200	/* 2026-03-20 Fri 10:00 Madrid */
#define SAT_13	1773489600	/* 2026-03-14 Sat 13:00 Madrid */
#define JUL_1	1782907200	/* 2026-07-01 12:00Z: 14:00 Madrid */
#define DEC_23	1798016400	/* 2026-12-23 Wed 10:00 Madrid */
#define DEC_28	1798473600	/* 2026-12-28 Mon 17:00 Madrid */
#define JAN_5	1799139600	/* 2027-01-05 Tue 10:00 Madrid */

static struct sla_calendar	cal;

static int
setup(void **state)
{
	struct sla_error	err;

	(void)state;
	return sla_calendar_parse(&cal, CAL, &err);
}

static int
teardown(void **state)
{
	(void)state;
	sla_calendar_free(&cal);
	return 0;
}

static void
test_local_time(void **state)
{
	struct sla_local	l;
	const void		*mx;

	(void)state;
	sla_words_local(cal.tz, MON_10, &l);
	assert_int_equal(l.hour, 10);
	assert_int_equal(l.weekday, 0);
	sla_words_local(cal.tz, JUL_1, &l);
	assert_int_equal(l.hour, 14);
	assert_int_equal(l.weekday, 2);
	/* PLATFORM.md's check: 15:00 UTC is 09:00 in Mexico City. */
	mx = sla_words_zone("America/Mexico_City");
	assert_non_null(mx);
	sla_words_local(mx, 1782918000, &l);	/* 2026-07-01 15:00Z */
	assert_int_equal(l.hour, 9);
	assert_null(sla_words_zone("Mars/Olympus_Mons"));
}

static void
test_instant(void **state)
{
	char	 s[SLA_WORDS_MAX];

	(void)state;
	sla_words_instant(s, sizeof(s), &cal, MON_13, MON_10);
	assert_string_equal(s, "Mon 13:00 Europe/Madrid");
	sla_words_instant(s, sizeof(s), &cal, FRI_10, MON_10);
	assert_string_equal(s, "Fri 20 Mar 10:00 Europe/Madrid");
	sla_words_instant(s, sizeof(s), &cal, JAN_5, DEC_23);
	assert_string_equal(s, "Tue 5 Jan 2027 10:00 Europe/Madrid");
}

static void
test_remaining(void **state)
{
	char	 s[SLA_WORDS_MAX];

	(void)state;
	sla_words_clock(s, sizeof(s), &cal, 1, "running", MON_13, 0, 0,
	    MON_10);
	assert_string_equal(s, "due in 3 business hours, Mon 13:00 "
	    "Europe/Madrid");
	sla_words_clock(s, sizeof(s), &cal, 1, "at_risk", WED_10, 0, 0,
	    MON_10);
	assert_string_equal(s, "due in 2 business days, Wed 10:00 "
	    "Europe/Madrid");
	sla_words_clock(s, sizeof(s), &cal, 1, "breached", MON_10, 0, 0,
	    MON_15);
	assert_string_equal(s, "overdue by 5 business hours, Mon 10:00 "
	    "Europe/Madrid");
	/* Due Friday 10:00; Saturday is closed: 7 business hours late. */
	sla_words_remaining(s, sizeof(s), &cal, 1, FRI_10 - 7 * 86400,
	    SAT_13);
	assert_string_equal(s, "overdue by 7 business hours");
	/* Calendar units count real time. */
	sla_words_remaining(s, sizeof(s), &cal, 0, FRI_10, MON_10);
	assert_string_equal(s, "due in 11 days");
	sla_words_remaining(s, sizeof(s), &cal, 0, MON_15, MON_13);
	assert_string_equal(s, "due in 2 hours");
	sla_words_remaining(s, sizeof(s), &cal, 1, MON_10 + 40 * 60, MON_10);
	assert_string_equal(s, "due in 40 business minutes");
	sla_words_remaining(s, sizeof(s), &cal, 1, MON_13 + 1800, MON_10);
	assert_string_equal(s, "due in 3 business hours 30 minutes");
}

static void
test_paused_and_met(void **state)
{
	char	 s[SLA_WORDS_MAX];

	(void)state;
	sla_words_clock(s, sizeof(s), &cal, 1, "paused", WED_10, MON_10, 0,
	    MON_15);
	assert_string_equal(s, "paused since Mon 10:00 Europe/Madrid; due "
	    "Wed 10:00 Europe/Madrid if resumed now");
	sla_words_clock(s, sizeof(s), &cal, 1, "met", WED_10, 0, MON_13,
	    MON_15);
	assert_string_equal(s, "met Mon 13:00 Europe/Madrid");
}

static void
test_target(void **state)
{
	char	 s[SLA_WORDS_MAX];
	enum sla_unit	u;

	(void)state;
	assert_int_equal(sla_words_unit("business_days", &u), 0);
	sla_words_target(s, sizeof(s), 2, u);
	assert_string_equal(s, "2 business days");
	sla_words_target(s, sizeof(s), 1, SLA_BUSINESS_HOURS);
	assert_string_equal(s, "1 business hour");
	sla_words_target(s, sizeof(s), 30, SLA_CALENDAR_DAYS);
	assert_string_equal(s, "30 days");
	sla_words_target(s, sizeof(s), 1, SLA_CALENDAR_MONTHS);
	assert_string_equal(s, "1 month");
	assert_int_equal(sla_words_unit("fortnights", &u), -1);
}

static void
test_closed(void **state)
{
	char	 s[SLA_WORDS_MAX];

	(void)state;
	sla_words_closed(s, sizeof(s), &cal, DEC_23, DEC_28);
	assert_string_equal(s, "closed on 25 Dec (Christmas Day), 28 Dec "
	    "(Office closed)");
	sla_words_closed(s, sizeof(s), &cal, MON_10, WED_10);
	assert_string_equal(s, "");
	/* A holiday on a weekend closes nothing that was open. */
	sla_words_closed(s, sizeof(s), &cal, DEC_28 + 300 * 86400,
	    DEC_28 + 370 * 86400);
	assert_string_equal(s, "");
}

static void
test_promise(void **state)
{
	char	 s[SLA_WORDS_MAX];

	(void)state;
	assert_int_equal(sla_words_promise(s, sizeof(s), "Europe/Madrid",
	    "reply", SAT_13, 0, MON_10), 0);
	assert_string_equal(s, "We aim to reply by 14 March");
	assert_int_equal(sla_words_promise(s, sizeof(s), "Europe/Madrid",
	    "decide", JAN_5, 0, DEC_23), 0);
	assert_string_equal(s, "We aim to decide by 5 January 2027");
	assert_int_equal(sla_words_promise(s, sizeof(s), "Europe/Madrid",
	    "appeal", MON_10, 1, MON_15), 0);
	assert_string_equal(s, "We aimed to decide on your appeal by 9 "
	    "March. We are sorry for the delay and are working on it.");
	/* 23:30 UTC on 31 Dec is already 1 January in Madrid. */
	assert_int_equal(sla_words_promise(s, sizeof(s), "Europe/Madrid",
	    "reply", 1798759800, 0, DEC_23), 0);
	assert_string_equal(s, "We aim to reply by 1 January 2027");
	assert_int_equal(sla_words_promise(s, sizeof(s), "Nowhere/Void",
	    "reply", MON_10, 0, MON_10), -1);
	assert_int_equal(sla_words_promise(s, sizeof(s), "Europe/Madrid",
	    "shrug", MON_10, 0, MON_10), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_time),
		cmocka_unit_test(test_instant),
		cmocka_unit_test(test_remaining),
		cmocka_unit_test(test_paused_and_met),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_closed),
		cmocka_unit_test(test_promise),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
