/*
 * iCalendar import (a bank-holiday feed; malformed and hostile files
 * refused whole with the reason) and export (valid, folded, re-importable).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <libical/ical.h>

#include "sla.h"
#include "sla_ical.h"

#define N(t)	(sizeof(t) / sizeof((t)[0]))

/* tests/unit/data beside this file (the suite runs from the top). */
static char *
slurp(const char *name, size_t *len)
{
	char	 path[512];
	char	*buf;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), "%.*s/data/%s",
	    (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__, name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static json_t *
import_ok(const char *data, size_t len)
{
	struct sla_error	 err;
	char			*out;
	json_t			*j;

	if (sla_ical_import(data, len, &out, &err) != 0)
		fail_msg("refused: %s: %s", err.field, err.message);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	free(out);
	return j;
}

static void
refused(const char *data, size_t len, const char *field, const char *what)
{
	struct sla_error	 err;
	char			*out = (char *)"untouched";

	if (sla_ical_import(data, len, &out, &err) == 0)
		fail_msg("%s: accepted", what);
	assert_null(out);
	if (strcmp(err.field, field) != 0)
		fail_msg("%s: field %s (%s), want %s", what, err.field,
		    err.message, field);
	assert_true(err.message[0] != '\0');
}

/* A calendar around one event's lines. */
static void
refused_event(const char *lines, const char *field, const char *what)
{
	char	buf[2048];

	snprintf(buf, sizeof(buf), "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:a@t\r\n"
	    "DTSTAMP:20250101T000000Z\r\nDTSTART;VALUE=DATE:20260101\r\n"
	    "SUMMARY:ok\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b@t\r\n%s"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n", lines);
	refused(buf, strlen(buf), field, what);
}

static json_t *
import_event(const char *lines)
{
	char	buf[2048];

	snprintf(buf, sizeof(buf), "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:b@t\r\n%s"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n", lines);
	return import_ok(buf, strlen(buf));
}

static const char *
member(json_t *j, const char *arr, size_t i, const char *key)
{
	json_t	*v = json_object_get(json_array_get(json_object_get(j, arr),
		    i), key);

	assert_non_null(v);
	return json_is_string(v) ? json_string_value(v) : "";
}

static void
test_uk_bank_holidays(void **state)
{
	struct sla_calendar	 cal;
	struct sla_error	 err;
	json_t			*j, *def;
	char			*data, *text;
	size_t			 len;

	data = slurp("uk-bank-holidays.ics", &len);
	j = import_ok(data, len);
	assert_int_equal(json_array_size(json_object_get(j, "holidays")), 24);
	assert_int_equal(json_array_size(json_object_get(j, "yearly")), 0);
	assert_string_equal(member(j, "holidays", 0, "date"), "2025-01-01");
	assert_string_equal(member(j, "holidays", 0, "name"),
	    "New Year\xe2\x80\x99s Day");
	assert_string_equal(member(j, "holidays", 15, "date"), "2026-12-28");
	assert_string_equal(member(j, "holidays", 15, "name"),
	    "Boxing Day (substitute day)");
	/* The result drops into a calendar definition as it is. */
	def = json_pack("{s:s, s:{s:[[s,s]]}}", "zone", "Europe/London",
	    "week", "mon", "09:00", "17:00");
	json_object_set(def, "holidays", json_object_get(j, "holidays"));
	json_object_set(def, "yearly", json_object_get(j, "yearly"));
	text = json_dumps(def, 0);
	if (sla_calendar_parse(&cal, text, &err) != 0)
		fail_msg("%s: %s", err.field, err.message);
	assert_int_equal(cal.nholidays, 24);
	/* Easter Monday 2026, 12:00 BST: closed. */
	assert_false(sla_calendar_open(&cal, 1775473200));
	assert_true(sla_calendar_open(&cal, 1775473200 + 7 * 86400));
	sla_calendar_free(&cal);
	free(text);
	json_decref(def);
	json_decref(j);
	free(data);
}

static void
test_multi_day_and_yearly(void **state)
{
	json_t	*j;

	j = import_event("DTSTART;VALUE=DATE:20261224\r\n"
	    "DTEND;VALUE=DATE:20261227\r\nSUMMARY:Winter break\r\n");
	assert_int_equal(json_array_size(json_object_get(j, "holidays")), 3);
	assert_string_equal(member(j, "holidays", 2, "date"), "2026-12-26");
	assert_string_equal(member(j, "holidays", 2, "name"), "Winter break");
	json_decref(j);
	j = import_event("DTSTART;VALUE=DATE:20260101\r\nDURATION:P2D\r\n"
	    "RRULE:FREQ=YEARLY\r\nSUMMARY:New Year\r\n");
	assert_int_equal(json_array_size(json_object_get(j, "holidays")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "yearly")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(j, "yearly"), 1), "day")), 2);
	json_decref(j);
	j = import_event("DTSTART;VALUE=DATE:20240229\r\n"
	    "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29\r\nSUMMARY:Leap\r\n");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(j, "yearly"), 0), "month")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(j, "yearly"), 0), "day")), 29);
	json_decref(j);
}

static void
test_refusals(void **state)
{
	char	*data, *big;
	size_t	 len, i, o;

	refused("hello, world\r\n", 14, "file", "not iCalendar");
	refused("", 0, "file", "empty");
	refused("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\n"
	    "END:VEVENT\r\n", 51, "file", "no VCALENDAR");
	refused_event("SUMMARY:no start\r\n", "events[1].DTSTART",
	    "no DTSTART");
	refused_event("DTSTART:20260101T090000Z\r\n", "events[1].DTSTART",
	    "timed");
	refused_event("DTSTART;TZID=Europe/London:20260101T090000\r\n",
	    "events[1].DTSTART", "timed in a zone");
	refused_event("DTSTART;VALUE=DATE:19691231\r\n", "events[1].DTSTART",
	    "before 1970");
	refused_event("DTSTART;VALUE=DATE:22010101\r\n", "events[1].DTSTART",
	    "after 2200");
	refused_event("DTSTART;VALUE=DATE:22001231\r\nDURATION:P2D\r\n",
	    "events[1].DTEND", "running past 2200");
	refused_event("DTSTART;VALUE=DATE:20260105\r\n"
	    "DTEND;VALUE=DATE:20260101\r\n", "events[1].DTEND",
	    "end before start");
	refused_event("DTSTART;VALUE=DATE:20260105\r\n"
	    "DTEND:20260106T120000Z\r\n", "events[1].DTEND", "timed end");
	refused_event("DTSTART;VALUE=DATE:20260105\r\n"
	    "RRULE:FREQ=MONTHLY\r\n", "events[1].RRULE", "monthly");
	refused_event("DTSTART;VALUE=DATE:20260105\r\n"
	    "RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=1MO\r\n", "events[1].RRULE",
	    "first Monday of May");
	refused_event("DTSTART;VALUE=DATE:20260105\r\n"
	    "RRULE:FREQ=YEARLY;COUNT=3\r\n", "events[1].RRULE", "count");
	refused_event("DTSTART;VALUE=DATE:20260105\r\n"
	    "RRULE:FREQ=YEARLY;BYMONTH=6\r\n", "events[1].RRULE",
	    "another month");
	refused_event("DTSTART;VALUE=DATE:20260105\r\n"
	    "RDATE;VALUE=DATE:20270105\r\n", "events[1].RRULE", "RDATE");
	refused_event("DTSTART;VALUE=DATE:20260105\r\nthis is junk\r\n",
	    "file", "a line that is no property");

	data = slurp("truncated.ics", &len);
	refused(data, len, "file", "truncated");
	free(data);
	data = slurp("garbage.ics", &len);
	refused(data, len, "file", "binary garbage");
	free(data);
	data = slurp("nested.ics", &len);
	refused(data, len, "file", "nested");
	free(data);

	/* Over 1 MiB. */
	len = SLA_ICAL_MAX_BYTES + 1;
	big = malloc(len + 1);
	assert_non_null(big);
	memset(big, 'x', len);
	memcpy(big, "BEGIN:VCALENDAR\r\n", 17);
	big[len] = '\0';
	refused(big, len, "file", "over 1 MiB");
	/* More than 2000 events, each a fine holiday. */
	o = (size_t)sprintf(big, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	for (i = 0; i <= SLA_ICAL_MAX_EVENTS; i++)
		o += (size_t)sprintf(big + o, "BEGIN:VEVENT\r\nUID:%zu@t\r\n"
		    "DTSTART;VALUE=DATE:%04zu0101\r\nEND:VEVENT\r\n", i,
		    1980 + i / 10);
	o += (size_t)sprintf(big + o, "END:VCALENDAR\r\n");
	refused(big, o, "file", "2001 events");
	free(big);
}

/* A long line is read; its name is cut at SLA_MAX_NAME bytes. */
static void
test_huge_line(void **state)
{
	json_t	*j;
	char	*data;
	size_t	 len;

	data = slurp("huge-line.ics", &len);
	j = import_ok(data, len);
	assert_int_equal(strlen(member(j, "holidays", 0, "name")),
	    SLA_MAX_NAME);
	json_decref(j);
	free(data);
}

static int
count(const char *hay, const char *needle)
{
	int	n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

/* Exported: valid, CRLF, folded at 75 octets, stable UIDs, re-imports. */
static void
test_export_round_trip(void **state)
{
	struct sla_calendar	 cal;
	struct sla_error	 err;
	icalcomponent		*c, *ev;
	json_t			*j;
	char			*a, *b, *line, *eol;
	int			 events = 0;

	if (sla_calendar_parse(&cal, "{\"zone\": \"Europe/Madrid\", "
	    "\"week\": {\"mon\": [[\"09:00\", \"14:00\"], [\"15:00\", "
	    "\"18:00\"]], \"tue\": [[\"09:00\", \"14:00\"]], \"sat\": "
	    "[[\"10:00\", \"24:00\"]]}, \"holidays\": [{\"date\": "
	    "\"2026-12-25\", \"name\": \"Navidad, con una descripci\xc3\xb3n "
	    "muy larga que obliga a doblar la l\xc3\xadnea dos veces o "
	    "m\xc3\xa1s, \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\"}, {\"date\": \"2027-01-06\", \"name\": "
	    "\"Reyes\"}], \"yearly\": [{\"month\": 2, \"day\": 29, \"name\": "
	    "\"Leap day\"}, {\"month\": 5, \"day\": 1}]}", &err) != 0)
		fail_msg("%s: %s", err.field, err.message);
	a = sla_ical_export(&cal, "Oficina\r\nX-EVIL:1");
	assert_non_null(a);
	assert_true(strncmp(a, "BEGIN:VCALENDAR\r\n", 17) == 0);
	assert_true(strstr(a, "\r\nPRODID:") != NULL);
	assert_true(strstr(a, "\r\nVERSION:2.0\r\n") != NULL);
	assert_null(strstr(a, "\r\nX-EVIL"));
	for (line = a; *line != '\0'; line = eol + 1) {
		eol = strchr(line, '\n');
		assert_non_null(eol);
		assert_true(eol > line && eol[-1] == '\r');
		if (eol - 1 - line > 75)
			fail_msg("line of %d octets: %.80s",
			    (int)(eol - 1 - line), line);
		/* A continuation never starts inside a UTF-8 sequence. */
		assert_false(line[0] == ' ' &&
		    ((unsigned char)line[1] & 0xc0) == 0x80);
	}
	assert_int_equal(count(a, "FREQ=YEARLY;BYMONTHDAY=29;BYMONTH=2\r\n"),
	    1);
	assert_int_equal(count(a, "FREQ=YEARLY;BYMONTHDAY=1;BYMONTH=5\r\n"),
	    1);
	assert_int_equal(count(a, "DTSTART;TZID=Europe/Madrid:"), 3);
	assert_int_equal(count(a, "TZID:Europe/Madrid\r\n"), 1);
	assert_int_equal(count(a, "BYDAY=MO,TU"), 1);

	c = icalparser_parse_string(a);
	assert_non_null(c);
	assert_int_equal(icalcomponent_isa(c), ICAL_VCALENDAR_COMPONENT);
	for (ev = icalcomponent_get_first_component(c, ICAL_VEVENT_COMPONENT);
	    ev != NULL;
	    ev = icalcomponent_get_next_component(c, ICAL_VEVENT_COMPONENT)) {
		assert_null(icalcomponent_get_first_property(ev,
		    ICAL_XLICERROR_PROPERTY));
		events++;
	}
	/* 2 dated, 2 yearly, 09-14 (Mon, Tue), 15-18, 10-24. */
	assert_int_equal(events, 7);
	icalcomponent_free(c);

	j = import_ok(a, strlen(a));
	assert_int_equal(json_array_size(json_object_get(j, "holidays")), 2);
	assert_true(strncmp(member(j, "holidays", 0, "name"), "Navidad, con "
	    "una descripci\xc3\xb3n muy larga", 30) == 0);
	assert_string_equal(member(j, "holidays", 1, "date"), "2027-01-06");
	assert_int_equal(json_array_size(json_object_get(j, "yearly")), 2);
	assert_string_equal(member(j, "yearly", 0, "name"), "Leap day");
	json_decref(j);

	/* The same calendar exports the same UIDs. */
	b = sla_ical_export(&cal, "Oficina\r\nX-EVIL:1");
	assert_non_null(b);
	assert_int_equal(count(a, "UID:"), 7);
	for (line = strstr(a, "UID:"); line != NULL;
	    line = strstr(line + 1, "UID:")) {
		eol = strchr(line, '\r');
		*eol = '\0';
		assert_non_null(strstr(b, line));
		*eol = '\r';
	}
	free(a);
	free(b);
	sla_calendar_free(&cal);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uk_bank_holidays),
		cmocka_unit_test(test_multi_day_and_yearly),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_huge_line),
		cmocka_unit_test(test_export_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
