/*
 * Business calendar definitions (JSON, docs/SLA.md): parsed, validated
 * field by field, and freed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sla_internal.h"

static const char *const day_keys[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

/* "HH:MM", 00:00..23:59 or 24:00, as minutes; -1 when malformed. */
static int
parse_hhmm(const char *s)
{
	int	h, m;

	if (strlen(s) != 5 || s[2] != ':' ||
	    s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '9' || s[4] < '0' || s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

/* "YYYY-MM-DD" within the calendar's years, as a day number. */
static int
parse_date(const char *s, int32_t *day)
{
	int	i, y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < SLA_FIRST_YEAR || y > SLA_LAST_YEAR || m < 1 || m > 12 ||
	    d < 1 || d > sla_days_in_month(y, m))
		return -1;
	*day = (int32_t)sla_days_from_civil(y, m, d);
	return 0;
}

static int
parse_zone(struct sla_calendar *cal, json_t *v, struct sla_error *err)
{
	const char	*z;
	size_t		 i;

	if (!json_is_string(v))
		return sla_refuse(err, "zone", "A time zone name is required, "
		    "such as Europe/Madrid.");
	z = json_string_value(v);
	for (i = 0; z[i] != '\0'; i++)
		if (!((z[i] >= 'A' && z[i] <= 'Z') ||
		    (z[i] >= 'a' && z[i] <= 'z') ||
		    (z[i] >= '0' && z[i] <= '9') ||
		    strchr("/_+-", z[i]) != NULL))
			break;
	if (i == 0 || z[i] != '\0' || i >= sizeof(cal->zone) ||
	    strstr(z, "..") != NULL || (cal->tz = sla_zone_find(z)) == NULL)
		return sla_refuse(err, "zone", "Not a time zone of the tz "
		    "database: use a name such as Europe/Madrid.");
	memcpy(cal->zone, z, i + 1);
	return 0;
}

static int
parse_day(struct sla_calendar *cal, int wd, json_t *v,
    struct sla_error *err)
{
	char			 field[64];
	json_t			*iv;
	struct sla_interval	*a;
	size_t			 i, j;
	int			 s, e;

	snprintf(field, sizeof(field), "week.%s", day_keys[wd]);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return sla_refuse(err, field, "A list of opening intervals is "
		    "required, such as [[\"09:00\", \"17:00\"]].");
	if (json_array_size(v) > SLA_MAX_INTERVALS)
		return sla_refuse(err, field, "At most %d intervals a day.",
		    SLA_MAX_INTERVALS);
	a = cal->week[wd];
	json_array_foreach(v, i, iv) {
		snprintf(field, sizeof(field), "week.%s[%zu]", day_keys[wd],
		    i);
		if (!json_is_array(iv) || json_array_size(iv) != 2 ||
		    !json_is_string(json_array_get(iv, 0)) ||
		    !json_is_string(json_array_get(iv, 1)))
			return sla_refuse(err, field, "An interval is two "
			    "times, such as [\"09:00\", \"17:00\"].");
		s = parse_hhmm(json_string_value(json_array_get(iv, 0)));
		e = parse_hhmm(json_string_value(json_array_get(iv, 1)));
		if (s < 0 || e < 0)
			return sla_refuse(err, field, "Times are written "
			    "HH:MM, from 00:00 to 24:00.");
		if (e <= s)
			return sla_refuse(err, field, "The interval ends "
			    "before it starts.");
		for (j = 0; j < i; j++)
			if (s < a[j].end && a[j].start < e)
				return sla_refuse(err, field, "The interval "
				    "overlaps another of the same day.");
		a[i].start = (int16_t)s;
		a[i].end = (int16_t)e;
	}
	cal->nweek[wd] = (int)i;
	/* Sorted by start: the walks over a day go forward. */
	for (i = 1; i < (size_t)cal->nweek[wd]; i++)
		for (j = i; j > 0 && a[j].start < a[j - 1].start; j--) {
			struct sla_interval t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	return 0;
}

static int
parse_week(struct sla_calendar *cal, json_t *v, struct sla_error *err)
{
	const char	*key;
	json_t		*dv;
	int		 wd, open = 0;

	if (!json_is_object(v))
		return sla_refuse(err, "week", "The weekly opening hours are "
		    "required.");
	json_object_foreach(v, key, dv) {
		for (wd = 0; wd < 7; wd++)
			if (strcmp(key, day_keys[wd]) == 0)
				break;
		if (wd == 7)
			return sla_refuse(err, "week", "Unknown day \"%.20s\": "
			    "use mon, tue, wed, thu, fri, sat, sun.", key);
	}
	for (wd = 0; wd < 7; wd++) {
		if (parse_day(cal, wd, json_object_get(v, day_keys[wd]),
		    err) == -1)
			return -1;
		open += cal->nweek[wd];
	}
	if (open == 0)
		return sla_refuse(err, "week", "At least one day needs opening "
		    "hours.");
	return 0;
}

/* A holiday's name: optional, UTF-8 (jansson checked), bounded. */
static int
parse_name(json_t *v, char **out, const char *field, struct sla_error *err)
{
	const char	*s = "";

	if (v != NULL && !json_is_null(v)) {
		if (!json_is_string(v))
			return sla_refuse(err, field, "A name is text.");
		s = json_string_value(v);
		if (strlen(s) > SLA_MAX_NAME)
			return sla_refuse(err, field, "A name is at most %d "
			    "bytes.", SLA_MAX_NAME);
	}
	if ((*out = strdup(s)) == NULL)
		return sla_refuse(err, field, "Out of memory.");
	return 0;
}

struct dated {
	int32_t	 day;
	char	*name;
};

static int
cmp_dated(const void *a, const void *b)
{
	const struct dated	*x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

static int
parse_holidays(struct sla_calendar *cal, json_t *v, struct sla_error *err)
{
	char		 field[64];
	struct dated	*h;
	json_t		*hv, *dv;
	size_t		 i, n;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return sla_refuse(err, "holidays", "A list of dated holidays "
		    "is required.");
	if ((n = json_array_size(v)) > SLA_MAX_HOLIDAYS)
		return sla_refuse(err, "holidays", "At most %d dated holidays.",
		    SLA_MAX_HOLIDAYS);
	if (n == 0)
		return 0;
	if ((h = calloc(n, sizeof(*h))) == NULL)
		return sla_refuse(err, "holidays", "Out of memory.");
	json_array_foreach(v, i, hv) {
		snprintf(field, sizeof(field), "holidays[%zu].date", i);
		dv = json_object_get(hv, "date");
		if (!json_is_object(hv) || !json_is_string(dv) ||
		    parse_date(json_string_value(dv), &h[i].day) == -1) {
			sla_refuse(err, field, "A date is written YYYY-MM-DD, "
			    "from %d to %d.", SLA_FIRST_YEAR, SLA_LAST_YEAR);
			goto fail;
		}
		snprintf(field, sizeof(field), "holidays[%zu].name", i);
		if (parse_name(json_object_get(hv, "name"), &h[i].name,
		    field, err) == -1)
			goto fail;
	}
	qsort(h, n, sizeof(*h), cmp_dated);
	for (i = 1; i < n; i++)
		if (h[i].day == h[i - 1].day) {
			sla_refuse(err, "holidays", "A date is listed twice.");
			goto fail;
		}
	cal->holidays = calloc(n, sizeof(*cal->holidays));
	cal->holiday_names = calloc(n, sizeof(*cal->holiday_names));
	if (cal->holidays == NULL || cal->holiday_names == NULL) {
		sla_refuse(err, "holidays", "Out of memory.");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		cal->holidays[i] = h[i].day;
		cal->holiday_names[i] = h[i].name;
	}
	cal->nholidays = n;
	free(h);
	return 0;
fail:
	for (i = 0; i < n; i++)
		free(h[i].name);
	free(h);
	return -1;
}

static int
parse_yearly(struct sla_calendar *cal, json_t *v, struct sla_error *err)
{
	char		 field[64];
	json_t		*yv, *mv, *dv;
	size_t		 i, j;
	json_int_t	 m, d;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return sla_refuse(err, "yearly", "A list of yearly holidays is "
		    "required.");
	if (json_array_size(v) > SLA_MAX_YEARLY)
		return sla_refuse(err, "yearly", "At most %d yearly holidays.",
		    SLA_MAX_YEARLY);
	json_array_foreach(v, i, yv) {
		mv = json_object_get(yv, "month");
		dv = json_object_get(yv, "day");
		snprintf(field, sizeof(field), "yearly[%zu].month", i);
		if (!json_is_integer(mv) || (m = json_integer_value(mv)) < 1 ||
		    m > 12)
			return sla_refuse(err, field, "A month is 1 to 12.");
		snprintf(field, sizeof(field), "yearly[%zu].day", i);
		/* 29 February is allowed: it applies in leap years. */
		if (!json_is_integer(dv) || (d = json_integer_value(dv)) < 1 ||
		    d > sla_days_in_month(2000, (int)m))
			return sla_refuse(err, field, "No such day in that "
			    "month.");
		for (j = 0; j < i; j++)
			if (cal->yearly[j].month == m &&
			    cal->yearly[j].day == d)
				return sla_refuse(err, field, "That day is "
				    "listed twice.");
		snprintf(field, sizeof(field), "yearly[%zu].name", i);
		if (parse_name(json_object_get(yv, "name"),
		    &cal->yearly_names[i], field, err) == -1)
			return -1;
		cal->yearly[i].month = (int8_t)m;
		cal->yearly[i].day = (int8_t)d;
		cal->nyearly = i + 1;
	}
	return 0;
}

int
sla_calendar_parse(struct sla_calendar *cal, const char *json,
    struct sla_error *err)
{
	json_t		*root, *v;
	json_error_t	 jerr;
	const char	*key;
	int		 rc = -1;

	memset(cal, 0, sizeof(*cal));
	memset(err, 0, sizeof(*err));
	if (json == NULL ||
	    (root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return sla_refuse(err, "calendar", "Not valid JSON.");
	if (!json_is_object(root)) {
		sla_refuse(err, "calendar", "A calendar is a JSON object.");
		goto done;
	}
	json_object_foreach(root, key, v)
		if (strcmp(key, "zone") != 0 && strcmp(key, "week") != 0 &&
		    strcmp(key, "holidays") != 0 &&
		    strcmp(key, "yearly") != 0) {
			sla_refuse(err, "calendar", "Unknown member \"%.40s\".",
			    key);
			goto done;
		}
	if (parse_zone(cal, json_object_get(root, "zone"), err) == 0 &&
	    parse_week(cal, json_object_get(root, "week"), err) == 0 &&
	    parse_holidays(cal, json_object_get(root, "holidays"), err) == 0 &&
	    parse_yearly(cal, json_object_get(root, "yearly"), err) == 0)
		rc = 0;
done:
	json_decref(root);
	if (rc == -1)
		sla_calendar_free(cal);
	return rc;
}

void
sla_calendar_free(struct sla_calendar *cal)
{
	size_t	i;

	for (i = 0; i < cal->nholidays && cal->holiday_names != NULL; i++)
		free(cal->holiday_names[i]);
	free(cal->holiday_names);
	free(cal->holidays);
	for (i = 0; i < SLA_MAX_YEARLY; i++)
		free(cal->yearly_names[i]);
	memset(cal, 0, sizeof(*cal));
}
