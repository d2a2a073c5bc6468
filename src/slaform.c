/*
 * The SLA admin forms to the engine's definitions and back.  A person
 * types a day's hours as "09:00-14:00, 15:00-18:00" and holidays one a
 * line; every piece is checked by the engine on its own (so that each bad
 * field gets its message, not only the first), then the whole.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slaform.h"

const char *const slaform_days[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};
const char *const slaform_targets[SLA_NCLOCKS + 1] = {
	"acknowledge", "response", "decision", "appeal", "erasure",
	"extension"
};
const char *const slaform_units[5] = {
	"none", "business_hours", "business_days", "calendar_days",
	"calendar_months"
};

#define LINE_ERRORS	3	/* bad lines named in one message */

static const char *
typed(json_t *form, const char *name)
{
	const char	*s = json_string_value(json_object_get(form, name));

	return (s != NULL ? s : "");
}

static void
set_error(json_t *errors, const char *field, const char *message)
{
	if (json_object_get(errors, field) == NULL)
		json_object_set_new(errors, field, json_string(message));
}

/* The engine's verdict on a calendar definition, or NULL when valid. */
static int
engine_calendar(json_t *def, struct sla_error *err)
{
	struct sla_calendar	 cal;
	char			*text;
	int			 rc;

	if ((text = json_dumps(def, JSON_COMPACT)) == NULL) {
		(void)snprintf(err->field, sizeof(err->field), "form");
		(void)snprintf(err->message, sizeof(err->message),
		    "Out of memory.");
		return (-1);
	}
	rc = sla_calendar_parse(&cal, text, err);
	if (rc == 0)
		sla_calendar_free(&cal);
	free(text);
	return (rc);
}

/* A calendar holding only 'member': the rest as simple as can be valid. */
static json_t *
lone(const char *key, json_t *member)
{
	json_t	*def;

	def = json_pack("{s:s,s:{s:[[s,s]]}}", "zone", "UTC", "week", "mon",
	    "09:00", "10:00");
	if (strcmp(key, "zone") == 0 || strcmp(key, "week") == 0)
		json_object_set(def, key, member);
	else
		json_object_set_new(def, key, json_pack("[O]", member));
	return (def);
}

static const char *
skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return (p);
}

/* "HH:MM" at p (as typed, checked by the engine later); 0 if not there. */
static int
take_time(const char **p, char out[6])
{
	const char	*s = *p;

	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return (0);
	memcpy(out, s, 5);
	out[5] = '\0';
	*p = s + 5;
	return (1);
}

/* "09:00-14:00, 15:00-18:00" as [["09:00","14:00"], ...]; NULL if not. */
static json_t *
day_intervals(const char *text)
{
	json_t		*a;
	const char	*p = skip_space(text);
	char		 from[6], to[6];

	a = json_array();
	while (*p != '\0') {
		if (!take_time(&p, from))
			goto bad;
		p = skip_space(p);
		if (*p++ != '-')
			goto bad;
		p = skip_space(p);
		if (!take_time(&p, to))
			goto bad;
		json_array_append_new(a, json_pack("[ss]", from, to));
		p = skip_space(p);
		if (*p == ',')
			p = skip_space(p + 1);
		else if (*p != '\0')
			goto bad;
	}
	return (a);
bad:
	json_decref(a);
	return (NULL);
}

/*
 * One holiday line, "2026-12-25 Christmas Day" (dated) or "12-25
 * Christmas Day" (yearly), as the engine's object; NULL when the date is
 * not where it should be.
 */
static json_t *
holiday_line(const char *line, size_t len, int yearly)
{
	char		 date[11], name[SLA_MAX_NAME * 2];
	size_t		 dl = yearly ? 5 : 10, nl;
	const char	*n;

	if (len < dl || (len > dl && line[dl] != ' ' && line[dl] != '\t'))
		return (NULL);
	memcpy(date, line, dl);
	date[dl] = '\0';
	n = skip_space(line + dl);
	nl = len - (size_t)(n - line);
	while (nl > 0 && isspace((unsigned char)n[nl - 1]))
		nl--;
	if (nl >= sizeof(name))
		/* Cut, and refused by the engine as too long. */
		nl = sizeof(name) - 1;
	memcpy(name, n, nl);
	name[nl] = '\0';
	if (!yearly)
		return (json_pack("{s:s,s:s}", "date", date, "name", name));
	if (!isdigit((unsigned char)date[0]) || !isdigit((unsigned char)
	    date[1]) || date[2] != '-' || !isdigit((unsigned char)date[3]) ||
	    !isdigit((unsigned char)date[4]))
		return (NULL);
	return (json_pack("{s:i,s:i,s:s}", "month", atoi(date), "day",
	    atoi(date + 3), "name", name));
}

/*
 * The lines of a holidays text area, each checked alone by the engine;
 * the array, with the first few bad lines named in errors[field].
 */
static json_t *
holiday_lines(const char *text, const char *field, json_t *errors)
{
	struct sla_error	 err;
	json_t			*a, *h, *def;
	const char		*p, *start, *eol, *next;
	char			 msg[LINE_ERRORS * 260], one[260];
	size_t			 len, used = 0;
	int			 line, nbad = 0, yearly;

	yearly = strcmp(field, "yearly") == 0;
	a = json_array();
	msg[0] = '\0';
	for (p = text, line = 1; *p != '\0'; p = next, line++) {
		if ((eol = strchr(p, '\n')) == NULL)
			eol = p + strlen(p);
		next = *eol == '\n' ? eol + 1 : eol;
		start = skip_space(p);
		len = (size_t)(eol - start);
		while (len > 0 && isspace((unsigned char)start[len - 1]))
			len--;
		if (len == 0)
			continue;
		one[0] = '\0';
		if ((h = holiday_line(start, len, yearly)) == NULL) {
			(void)snprintf(one, sizeof(one), "Line %d: start with "
			    "the date as %s, then the name.", line, yearly ?
			    "MM-DD" : "YYYY-MM-DD");
		} else {
			def = lone(field, h);
			if (engine_calendar(def, &err) == 0)
				json_array_append(a, h);
			else
				(void)snprintf(one, sizeof(one), "Line %d: %s",
				    line, err.message);
			json_decref(def);
			json_decref(h);
		}
		if (one[0] != '\0' && nbad++ < LINE_ERRORS &&
		    used < sizeof(msg))
			used += (size_t)snprintf(msg + used, sizeof(msg) - used,
			    "%s%s", used > 0 ? " " : "", one);
	}
	if (msg[0] != '\0')
		set_error(errors, field, msg);
	return (a);
}

static int
by_date(const void *a, const void *b)
{
	json_t *const	*x = a, *const *y = b;

	return (strcmp(json_string_value(json_object_get(*x, "date")),
	    json_string_value(json_object_get(*y, "date"))));
}

/* Dated holidays in date order: one definition for one set of days. */
static void
sort_dated(json_t *a)
{
	json_t	**v;
	size_t	  i, n = json_array_size(a);

	if (n < 2 || (v = calloc(n, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof(*v), by_date);
	json_array_clear(a);
	for (i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
}

/* Where the whole-calendar check's field path belongs on the form. */
static const char *
calendar_field(const char *path)
{
	static char	 day[4];
	int		 i;

	if (strncmp(path, "week.", 5) == 0)
		for (i = 0; i < 7; i++)
			if (strncmp(path + 5, slaform_days[i], 3) == 0) {
				(void)snprintf(day, sizeof(day), "%s",
				    slaform_days[i]);
				return (day);
			}
	if (strncmp(path, "holidays", 8) == 0)
		return ("holidays");
	if (strncmp(path, "yearly", 6) == 0)
		return ("yearly");
	if (strcmp(path, "zone") == 0 || strcmp(path, "week") == 0)
		return (path);
	return ("form");
}

char *
slaform_calendar(json_t *form, json_t *errors)
{
	struct sla_error	 err;
	json_t			*def, *week, *day, *one, *w;
	char			*out = NULL;
	int			 i;

	def = json_object();
	json_object_set_new(def, "zone", json_string(typed(form, "zone")));
	one = lone("zone", json_object_get(def, "zone"));
	if (engine_calendar(one, &err) != 0)
		set_error(errors, "zone", err.message);
	json_decref(one);

	week = json_object();
	for (i = 0; i < 7; i++) {
		day = day_intervals(typed(form, slaform_days[i]));
		if (day == NULL) {
			set_error(errors, slaform_days[i], "Write the hours "
			    "as 09:00-14:00, several separated by commas, "
			    "or leave empty when closed.");
			day = json_array();
		} else if (json_array_size(day) > 0) {
			w = json_pack("{sO}", slaform_days[i], day);
			one = lone("week", w);
			json_decref(w);
			if (engine_calendar(one, &err) != 0)
				set_error(errors, slaform_days[i],
				    err.message);
			json_decref(one);
		}
		json_object_set_new(week, slaform_days[i], day);
	}
	json_object_set_new(def, "week", week);
	json_object_set_new(def, "holidays", holiday_lines(typed(form,
	    "holidays"), "holidays", errors));
	sort_dated(json_object_get(def, "holidays"));
	json_object_set_new(def, "yearly", holiday_lines(typed(form,
	    "yearly"), "yearly", errors));

	/* The rules between fields: a week with no hours, a date twice. */
	if (json_object_size(errors) == 0) {
		if (engine_calendar(def, &err) != 0)
			set_error(errors, calendar_field(err.field),
			    err.message);
		else
			out = json_dumps(def, JSON_COMPACT);
	}
	json_decref(def);
	return (out);
}

json_t *
slaform_calendar_fields(json_t *def)
{
	json_t		*f, *x, *iv;
	char		 buf[SLA_MAX_NAME + 32];
	char		*text;
	size_t		 i, j, len;
	int		 d;
	FILE		*m;

	f = json_object();
	json_object_set_new(f, "zone", json_string(json_string_value(
	    json_object_get(def, "zone")) ?: ""));
	for (d = 0; d < 7; d++) {
		if ((m = open_memstream(&text, &len)) == NULL)
			continue;
		json_array_foreach(json_object_get(json_object_get(def,
		    "week"), slaform_days[d]), i, iv)
			fprintf(m, "%s%s-%s", i > 0 ? ", " : "",
			    json_string_value(json_array_get(iv, 0)),
			    json_string_value(json_array_get(iv, 1)));
		fclose(m);
		json_object_set_new(f, slaform_days[d], json_string(text));
		free(text);
	}
	for (j = 0; j < 2; j++) {
		if ((m = open_memstream(&text, &len)) == NULL)
			continue;
		json_array_foreach(json_object_get(def, j == 0 ? "holidays" :
		    "yearly"), i, x) {
			if (j == 0)
				(void)snprintf(buf, sizeof(buf), "%s",
				    json_string_value(json_object_get(x,
				    "date")));
			else
				(void)snprintf(buf, sizeof(buf), "%02d-%02d",
				    (int)json_integer_value(json_object_get(x,
				    "month")), (int)json_integer_value(
				    json_object_get(x, "day")));
			fprintf(m, "%s %s\n", buf, json_string_value(
			    json_object_get(x, "name")) ?: "");
		}
		fclose(m);
		json_object_set_new(f, j == 0 ? "holidays" : "yearly",
		    json_string(text));
		free(text);
	}
	return (f);
}

/* Whether 'list' has an element equal to 'h' in the keys named. */
static int
listed(json_t *list, json_t *h, int yearly)
{
	json_t	*x;
	size_t	 i;

	json_array_foreach(list, i, x) {
		if (yearly && json_equal(json_object_get(x, "month"),
		    json_object_get(h, "month")) && json_equal(
		    json_object_get(x, "day"), json_object_get(h, "day")))
			return (1);
		if (!yearly && json_equal(json_object_get(x, "date"),
		    json_object_get(h, "date")))
			return (1);
	}
	return (0);
}

json_t *
slaform_calendar_merge(json_t *def, json_t *imported, int *added)
{
	json_t		*out, *list, *h;
	const char	*key;
	size_t		 i;
	int		 y;

	*added = 0;
	out = json_deep_copy(def);
	for (y = 0; y < 2; y++) {
		key = y ? "yearly" : "holidays";
		if ((list = json_object_get(out, key)) == NULL) {
			list = json_array();
			json_object_set_new(out, key, list);
		}
		json_array_foreach(json_object_get(imported, key), i, h)
			if (!listed(list, h, y)) {
				json_array_append(list, h);
				(*added)++;
			}
	}
	sort_dated(json_object_get(out, "holidays"));
	return (out);
}

/* The error's field on the policy form: "decision.n" is decision_n. */
static void
policy_error(json_t *errors, const char *path, const char *message)
{
	char	 field[64], *dot;

	(void)snprintf(field, sizeof(field), "%s", path);
	if ((dot = strchr(field, '.')) != NULL)
		*dot = '_';
	else if (strcmp(field, "at_risk_percent") != 0)
		(void)snprintf(field, sizeof(field), "%.50s_unit", path);
	set_error(errors, field, message);
}

static int
engine_policy(json_t *def, struct sla_error *err)
{
	struct sla_policy	 p;
	char			*text;
	int			 rc;

	if ((text = json_dumps(def, JSON_COMPACT)) == NULL)
		return (-1);
	rc = sla_policy_parse(&p, text, err);
	free(text);
	return (rc);
}

/* A whole number as typed: 1 to 6 digits; -1 when not. */
static long
whole(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > 6 || strspn(s, "0123456789") != n)
		return (-1);
	return (strtol(s, NULL, 10));
}

char *
slaform_policy(json_t *form, json_t *errors)
{
	struct sla_error	 err;
	json_t			*def, *t, *one;
	const char		*unit;
	char			 name[48];
	char			*out = NULL;
	long			 n;
	int			 k, u;

	def = json_object();
	for (k = 0; k <= SLA_NCLOCKS; k++) {
		(void)snprintf(name, sizeof(name), "%s_unit",
		    slaform_targets[k]);
		unit = typed(form, name);
		for (u = 0; u < 5; u++)
			if (strcmp(unit, slaform_units[u]) == 0)
				break;
		if (u == 5) {
			set_error(errors, name, "Choose a unit from the list.");
			u = 0;
		}
		(void)snprintf(name, sizeof(name), "%s_n", slaform_targets[k]);
		n = whole(typed(form, name));
		if (u == 0) {
			json_object_set_new(def, slaform_targets[k],
			    json_null());
			continue;
		}
		if (n < 0) {
			set_error(errors, name, "Give a whole number.");
			n = 1;
		}
		t = json_pack("{s:I,s:s}", "n", (json_int_t)n, "unit",
		    slaform_units[u]);
		one = json_pack("{s:O}", slaform_targets[k], t);
		/* The extension alone needs its clock; checked as a whole. */
		if (k < SLA_NCLOCKS && engine_policy(one, &err) != 0)
			policy_error(errors, err.field, err.message);
		json_decref(one);
		json_object_set_new(def, slaform_targets[k], t);
	}
	n = whole(typed(form, "at_risk_percent"));
	json_object_set_new(def, "at_risk_percent", json_integer(n));
	one = json_pack("{s:I}", "at_risk_percent", (json_int_t)n);
	if (n < 0)
		set_error(errors, "at_risk_percent", "Give a whole number "
		    "from 1 to 99.");
	else if (engine_policy(one, &err) != 0)
		policy_error(errors, err.field, err.message);
	json_decref(one);
	if (json_object_size(errors) == 0) {
		if (engine_policy(def, &err) != 0)
			policy_error(errors, err.field, err.message);
		else
			out = json_dumps(def, JSON_COMPACT);
	}
	json_decref(def);
	return (out);
}

json_t *
slaform_policy_fields(json_t *def)
{
	json_t	*f, *t, *erasure_default = NULL;
	char	 name[48], n[24];
	int	 k;

	f = json_object();
	for (k = 0; k <= SLA_NCLOCKS; k++) {
		t = json_object_get(def, slaform_targets[k]);
		/* A policy from before the erasure clock has its default. */
		if (k == SLA_ERASURE && t == NULL)
			t = erasure_default = json_pack("{s:i,s:s}", "n",
			    sla_erasure_default.n, "unit", sla_unit_name(
			    sla_erasure_default.unit));
		(void)snprintf(name, sizeof(name), "%s_unit",
		    slaform_targets[k]);
		json_object_set_new(f, name, json_string(json_is_object(t) ?
		    json_string_value(json_object_get(t, "unit")) : "none"));
		(void)snprintf(name, sizeof(name), "%s_n", slaform_targets[k]);
		n[0] = '\0';
		if (json_is_object(t))
			(void)snprintf(n, sizeof(n), "%lld", (long long)
			    json_integer_value(json_object_get(t, "n")));
		json_object_set_new(f, name, json_string(n));
	}
	(void)snprintf(n, sizeof(n), "%lld", json_is_integer(json_object_get(
	    def, "at_risk_percent")) ? (long long)json_integer_value(
	    json_object_get(def, "at_risk_percent")) : 75LL);
	json_object_set_new(f, "at_risk_percent", json_string(n));
	json_decref(erasure_default);
	return (f);
}
