/*
 * The SLA admin forms: each bad field gets the engine's own message,
 * every one at once; good forms become canonical definitions and back;
 * an import adds only the holidays a calendar lacks.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "slaform.h"

static json_t *
week_form(const char *mon, const char *tue)
{
	return (json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
	    "zone", "Europe/London", "mon", mon, "tue", tue, "wed", "",
	    "thu", "", "fri", "", "sat", "", "sun", "", "holidays", "",
	    "yearly", ""));
}

static const char *
msg(json_t *errors, const char *field)
{
	return (json_string_value(json_object_get(errors, field)));
}

static void
test_every_bad_field_at_once(void **state)
{
	json_t	*f, *e;

	f = week_form("17:00-09:00", "09:00-12:00, 11:00-13:00");
	json_object_set_new(f, "zone", json_string("Europe/Atlantis"));
	json_object_set_new(f, "wed", json_string("nine to five"));
	json_object_set_new(f, "holidays", json_string(
	    "2026-12-25 Christmas Day\n\n2026-02-30 Nothing\nxmas\n"));
	json_object_set_new(f, "yearly", json_string("02-30 Never"));
	e = json_object();
	assert_null(slaform_calendar(f, e));
	assert_int_equal(json_object_size(e), 6);
	assert_non_null(strstr(msg(e, "zone"), "time zone"));
	assert_non_null(strstr(msg(e, "mon"), "ends before it starts"));
	assert_non_null(strstr(msg(e, "tue"), "overlaps"));
	assert_non_null(strstr(msg(e, "wed"), "09:00-14:00"));
	/* Lines are counted as typed, the empty one too. */
	assert_non_null(strstr(msg(e, "holidays"), "Line 3:"));
	assert_non_null(strstr(msg(e, "holidays"), "Line 4:"));
	assert_non_null(strstr(msg(e, "yearly"), "Line 1:"));
	json_decref(f);
	json_decref(e);
}

static void
test_whole_calendar_rules(void **state)
{
	json_t	*f, *e;

	f = week_form("", "");
	e = json_object();
	assert_null(slaform_calendar(f, e));
	assert_non_null(msg(e, "week"));
	json_decref(f);
	json_decref(e);

	f = week_form("09:00-17:00", "");
	json_object_set_new(f, "holidays", json_string(
	    "2026-12-25 One\n2026-12-25 Two\n"));
	e = json_object();
	assert_null(slaform_calendar(f, e));
	assert_non_null(strstr(msg(e, "holidays"), "twice"));
	json_decref(f);
	json_decref(e);
}

static void
test_round_trip_and_merge(void **state)
{
	json_t	*f, *e, *def, *back, *imp, *merged;
	char	*text;
	int	 added;

	f = week_form(" 09:00 - 14:00,15:00-18:00 ", "09:00-24:00");
	json_object_set_new(f, "holidays", json_string(
	    "2026-12-26 Boxing Day\r\n2026-12-25   Christmas Day \n"));
	json_object_set_new(f, "yearly", json_string("01-01 New Year\n"));
	e = json_object();
	text = slaform_calendar(f, e);
	assert_non_null(text);
	assert_int_equal(json_object_size(e), 0);
	def = json_loads(text, 0, NULL);
	/* Sorted by date, names trimmed. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(def, "holidays"), 0), "name")), "Christmas Day");
	back = slaform_calendar_fields(def);
	assert_string_equal(json_string_value(json_object_get(back, "mon")),
	    "09:00-14:00, 15:00-18:00");
	assert_string_equal(json_string_value(json_object_get(back,
	    "holidays")), "2026-12-25 Christmas Day\n2026-12-26 Boxing Day\n");
	assert_string_equal(json_string_value(json_object_get(back,
	    "yearly")), "01-01 New Year\n");

	imp = json_loads("{\"holidays\": [{\"date\": \"2026-12-25\", "
	    "\"name\": \"Xmas\"}, {\"date\": \"2026-08-31\", \"name\": "
	    "\"Summer\"}], \"yearly\": [{\"month\": 1, \"day\": 1, \"name\": "
	    "\"NY\"}, {\"month\": 11, \"day\": 5, \"name\": \"Bonfire\"}]}",
	    0, NULL);
	merged = slaform_calendar_merge(def, imp, &added);
	assert_int_equal(added, 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(merged, "holidays"), 0), "date")), "2026-08-31");
	assert_int_equal(json_array_size(json_object_get(merged, "yearly")),
	    2);
	free(text);
	json_decref(f);
	json_decref(e);
	json_decref(def);
	json_decref(back);
	json_decref(imp);
	json_decref(merged);
}

static void
test_policy_fields(void **state)
{
	json_t	*f, *e, *def, *back;
	char	*text;

	f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
	    "acknowledge_n", "x", "acknowledge_unit", "business_days",
	    "response_n", "", "response_unit", "none",
	    "decision_n", "1", "decision_unit", "calendar_months",
	    "appeal_n", "0", "appeal_unit", "calendar_days",
	    "erasure_n", "30", "erasure_unit", "calendar_days",
	    "extension_n", "2", "extension_unit", "fortnights",
	    "at_risk_percent", "100");
	e = json_object();
	assert_null(slaform_policy(f, e));
	assert_non_null(msg(e, "acknowledge_n"));
	assert_non_null(msg(e, "appeal_n"));
	assert_non_null(msg(e, "extension_unit"));
	assert_non_null(msg(e, "at_risk_percent"));
	assert_int_equal(json_object_size(e), 4);
	json_decref(e);

	json_object_set_new(f, "acknowledge_n", json_string("7"));
	json_object_set_new(f, "appeal_unit", json_string("none"));
	json_object_set_new(f, "extension_unit", json_string("business_days"));
	json_object_set_new(f, "at_risk_percent", json_string("80"));
	e = json_object();
	assert_null(slaform_policy(f, e));
	assert_int_equal(json_object_size(e), 1);
	assert_non_null(msg(e, "extension_unit"));
	json_decref(e);

	json_object_set_new(f, "extension_unit", json_string(
	    "calendar_months"));
	e = json_object();
	text = slaform_policy(f, e);
	assert_non_null(text);
	def = json_loads(text, 0, NULL);
	assert_true(json_is_null(json_object_get(def, "appeal")));
	back = slaform_policy_fields(def);
	assert_string_equal(json_string_value(json_object_get(back,
	    "acknowledge_n")), "7");
	assert_string_equal(json_string_value(json_object_get(back,
	    "appeal_unit")), "none");
	assert_string_equal(json_string_value(json_object_get(back,
	    "erasure_n")), "30");
	assert_string_equal(json_string_value(json_object_get(back,
	    "erasure_unit")), "calendar_days");
	json_decref(back);
	/* A policy from before the erasure clock shows its default. */
	json_object_del(def, "erasure");
	back = slaform_policy_fields(def);
	assert_string_equal(json_string_value(json_object_get(back,
	    "erasure_n")), "1");
	assert_string_equal(json_string_value(json_object_get(back,
	    "erasure_unit")), "calendar_months");
	json_decref(back);
	json_object_set_new(def, "erasure", json_null());
	back = slaform_policy_fields(def);
	assert_string_equal(json_string_value(json_object_get(back,
	    "erasure_unit")), "none");
	free(text);
	json_decref(def);
	json_decref(back);
	json_decref(e);
	json_decref(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_bad_field_at_once),
		cmocka_unit_test(test_whole_calendar_rules),
		cmocka_unit_test(test_round_trip_and_merge),
		cmocka_unit_test(test_policy_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
