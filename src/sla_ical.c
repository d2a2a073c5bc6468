/*
 * Business calendars to and from iCalendar: holidays imported through
 * libical's parser (refused whole, with the reason, when anything is
 * off), and calendars exported as a VCALENDAR that libical writes.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libical/ical.h>

#include "sla_internal.h"
#include "sla_ical.h"

/* VCALENDAR > VEVENT > VALARM, VTIMEZONE > STANDARD: three levels. */
#define MAX_DEPTH	4
/* Days one event may span: a holiday of more than a year is a mistake. */
#define MAX_SPAN	366
#define ROLE_PROP	"X-RECOURSE-ROLE"
#define ROLE_OPEN	"opening-hours"

struct day {
	int32_t		 day;		/* dated: day number */
	int		 month, mday;	/* yearly */
	const char	*name;
};

struct import {
	struct day	 dated[SLA_MAX_HOLIDAYS];
	size_t		 ndated;
	struct day	 yearly[SLA_MAX_YEARLY];
	size_t		 nyearly;
	char		*names[SLA_ICAL_MAX_EVENTS];
	size_t		 nnames;
};

/*
 * Guards before libical sees the bytes: size, binary data, the opening
 * line, the number of events and how deep components nest (libical
 * frees components recursively: a deep file would exhaust the stack).
 */
static int
precheck(const char *data, size_t len, struct sla_error *err)
{
	const char	*p, *end = data + len, *eol;
	int		 depth = 0, events = 0;

	if (len > SLA_ICAL_MAX_BYTES)
		return sla_refuse(err, "file", "The file is larger than 1 "
		    "MiB.");
	if (memchr(data, '\0', len) != NULL)
		return sla_refuse(err, "file", "Not an iCalendar file: it "
		    "holds binary data.");
	p = data;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && (*p == '\r' || *p == '\n' || *p == ' '))
		p++;
	if ((size_t)(end - p) < 15 || strncasecmp(p, "BEGIN:VCALENDAR", 15))
		return sla_refuse(err, "file", "Not an iCalendar file: it does "
		    "not begin with BEGIN:VCALENDAR.");
	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', end - p)) == NULL)
			eol = end;
		if (eol - p >= 6 && strncasecmp(p, "BEGIN:", 6) == 0) {
			if (++depth > MAX_DEPTH)
				return sla_refuse(err, "file", "Components are "
				    "nested more than %d deep.", MAX_DEPTH);
			if (eol - p >= 12 &&
			    strncasecmp(p + 6, "VEVENT", 6) == 0 &&
			    ++events > SLA_ICAL_MAX_EVENTS)
				return sla_refuse(err, "file", "More than %d "
				    "events.", SLA_ICAL_MAX_EVENTS);
		} else if (eol - p >= 4 && strncasecmp(p, "END:", 4) == 0)
			depth--;
	}
	return 0;
}

/* The first parse error libical noted in a component, if any. */
static const char *
parse_error(icalcomponent *c)
{
	icalproperty	*p;
	icalcomponent	*sub;
	const char	*e;

	p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	if (p != NULL)
		return icalproperty_get_xlicerror(p);
	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	    sub != NULL;
	    sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		if ((e = parse_error(sub)) != NULL)
			return e;
	return NULL;
}

static int
year_ok(int y)
{
	return y >= SLA_FIRST_YEAR && y <= SLA_LAST_YEAR;
}

/* An RRULE this import understands: every year on DTSTART's date. */
static int
yearly_rule(icalcomponent *ev, struct icaltimetype start, int *yearly)
{
	icalproperty			*p;
	struct icalrecurrencetype	 r;

	*yearly = 0;
	if ((p = icalcomponent_get_first_property(ev,
	    ICAL_RRULE_PROPERTY)) == NULL)
		return 0;
	if (icalcomponent_get_next_property(ev, ICAL_RRULE_PROPERTY) != NULL)
		return -1;
	r = icalproperty_get_rrule(p);
	if (r.freq != ICAL_YEARLY_RECURRENCE || r.interval > 1 ||
	    r.count != 0 || !icaltime_is_null_time(r.until))
		return -1;
	if (r.by_month[0] != ICAL_RECURRENCE_ARRAY_MAX &&
	    (r.by_month[0] != start.month ||
	    r.by_month[1] != ICAL_RECURRENCE_ARRAY_MAX))
		return -1;
	if (r.by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX &&
	    (r.by_month_day[0] != start.day ||
	    r.by_month_day[1] != ICAL_RECURRENCE_ARRAY_MAX))
		return -1;
	if (r.by_second[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r.by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX)
		return -1;
	if (r.rscale != NULL && strcasecmp(r.rscale, "GREGORIAN") != 0)
		return -1;
	*yearly = 1;
	return 0;
}

/* How many days an all-day event covers: DTEND or DURATION, else one. */
static int
event_days(icalcomponent *ev, struct icaltimetype start, int *days,
    const char **bad)
{
	icalproperty			*p;
	struct icaltimetype		 end;
	struct icaldurationtype		 d;
	int64_t				 n;

	*days = 1;
	if ((p = icalcomponent_get_first_property(ev,
	    ICAL_DTEND_PROPERTY)) != NULL) {
		*bad = "DTEND";
		end = icalproperty_get_dtend(p);
		if (!end.is_date)
			return -1;
		n = sla_days_from_civil(end.year, end.month, end.day) -
		    sla_days_from_civil(start.year, start.month, start.day);
	} else if ((p = icalcomponent_get_first_property(ev,
	    ICAL_DURATION_PROPERTY)) != NULL) {
		*bad = "DURATION";
		d = icalproperty_get_duration(p);
		if (d.is_neg || d.hours || d.minutes || d.seconds)
			return -1;
		n = (int64_t)d.weeks * 7 + d.days;
	} else
		return 0;
	if (n < 1 || n > MAX_SPAN)
		return -1;
	*days = (int)n;
	return 0;
}

/* SUMMARY as a holiday name: UTF-8, at most SLA_MAX_NAME bytes. */
static int
event_name(struct import *im, icalcomponent *ev, const char **out)
{
	const char	*s;
	char		*n;
	size_t		 len;
	json_t		*j;

	s = icalcomponent_get_summary(ev);
	if (s == NULL)
		s = "";
	if ((j = json_string(s)) == NULL)
		return -1;
	json_decref(j);
	len = strlen(s);
	if (len > SLA_MAX_NAME) {
		/* Cut before a continuation byte, never inside a letter. */
		len = SLA_MAX_NAME;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	if ((n = strndup(s, len)) == NULL)
		return -1;
	im->names[im->nnames++] = n;
	*out = n;
	return 0;
}

/* Add the event's days, as dated or as yearly holidays. */
static int
add_days(struct import *im, struct icaltimetype start, int days,
    int yearly, const char *name, const char *field, struct sla_error *err)
{
	int64_t		first, d, y;
	int		m, md, k;
	size_t		i;

	first = sla_days_from_civil(start.year, start.month, start.day);
	for (k = 0; k < days; k++) {
		d = first + k;
		sla_civil_from_days(d, &y, &m, &md);
		if (!year_ok((int)y))
			return sla_refuse(err, field, "Dates lie from %d to "
			    "%d.", SLA_FIRST_YEAR, SLA_LAST_YEAR);
		if (yearly) {
			for (i = 0; i < im->nyearly; i++)
				if (im->yearly[i].month == m &&
				    im->yearly[i].mday == md)
					break;
			if (i < im->nyearly)
				continue;
			if (im->nyearly == SLA_MAX_YEARLY)
				return sla_refuse(err, "file", "More than %d "
				    "yearly holidays.", SLA_MAX_YEARLY);
			im->yearly[im->nyearly].month = m;
			im->yearly[im->nyearly].mday = md;
			im->yearly[im->nyearly++].name = name;
			continue;
		}
		if (im->ndated == SLA_MAX_HOLIDAYS)
			return sla_refuse(err, "file", "More than %d holiday "
			    "dates.", SLA_MAX_HOLIDAYS);
		im->dated[im->ndated].day = (int32_t)d;
		im->dated[im->ndated++].name = name;
	}
	return 0;
}

static int
import_event(struct import *im, icalcomponent *ev, size_t idx,
    struct sla_error *err)
{
	char			 field[64];
	icalproperty		*p;
	struct icaltimetype	 start;
	const char		*name, *bad = "";
	int			 days, yearly;

	p = icalcomponent_get_first_property(ev, ICAL_X_PROPERTY);
	for (; p != NULL; p = icalcomponent_get_next_property(ev,
	    ICAL_X_PROPERTY))
		if (strcasecmp(icalproperty_get_x_name(p), ROLE_PROP) == 0 &&
		    icalproperty_get_x(p) != NULL &&
		    strcmp(icalproperty_get_x(p), ROLE_OPEN) == 0)
			return 0;	/* our own export's opening hours */
	if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
		return 0;
	snprintf(field, sizeof(field), "events[%zu].DTSTART", idx);
	if ((p = icalcomponent_get_first_property(ev,
	    ICAL_DTSTART_PROPERTY)) == NULL)
		return sla_refuse(err, field, "The event has no DTSTART.");
	start = icalproperty_get_dtstart(p);
	if (icaltime_is_null_time(start) || !icaltime_is_valid_time(start))
		return sla_refuse(err, field, "The event's start is not a "
		    "date.");
	if (!start.is_date)
		return sla_refuse(err, field, "A timed event: holidays are "
		    "all-day events (DTSTART;VALUE=DATE).");
	if (!year_ok(start.year))
		return sla_refuse(err, field, "Dates lie from %d to %d.",
		    SLA_FIRST_YEAR, SLA_LAST_YEAR);
	if (event_days(ev, start, &days, &bad) == -1) {
		snprintf(field, sizeof(field), "events[%zu].%s", idx, bad);
		return sla_refuse(err, field, "An all-day end after the start, "
		    "at most %d days on, is required.", MAX_SPAN);
	}
	if (icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY) ||
	    icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY) ||
	    icalcomponent_get_first_property(ev, ICAL_EXRULE_PROPERTY) ||
	    yearly_rule(ev, start, &yearly) == -1) {
		snprintf(field, sizeof(field), "events[%zu].RRULE", idx);
		return sla_refuse(err, field, "Only a yearly repeat on the "
		    "event's own date (RRULE:FREQ=YEARLY) is supported.");
	}
	if (event_name(im, ev, &name) == -1) {
		snprintf(field, sizeof(field), "events[%zu].SUMMARY", idx);
		return sla_refuse(err, field, "The summary is not UTF-8 text.");
	}
	snprintf(field, sizeof(field), "events[%zu].DTEND", idx);
	return add_days(im, start, days, yearly, name, field, err);
}

static int
cmp_dated(const void *a, const void *b)
{
	const struct day	*x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

static char *
to_json(struct import *im)
{
	json_t		*root, *h, *y, *o;
	char		 date[16];
	int64_t		 yy;
	int		 m, d;
	size_t		 i;
	char		*out;

	/* Sorted, and a date twice (overlapping events) once: the first. */
	qsort(im->dated, im->ndated, sizeof(im->dated[0]), cmp_dated);
	root = json_object();
	h = json_array();
	y = json_array();
	for (i = 0; i < im->ndated; i++) {
		if (i > 0 && im->dated[i].day == im->dated[i - 1].day)
			continue;
		sla_civil_from_days(im->dated[i].day, &yy, &m, &d);
		snprintf(date, sizeof(date), "%04d-%02d-%02d", (int)yy, m, d);
		o = json_pack("{s:s, s:s}", "date", date, "name",
		    im->dated[i].name);
		json_array_append_new(h, o);
	}
	for (i = 0; i < im->nyearly; i++) {
		o = json_pack("{s:i, s:i, s:s}", "month", im->yearly[i].month,
		    "day", im->yearly[i].mday, "name", im->yearly[i].name);
		json_array_append_new(y, o);
	}
	json_object_set_new(root, "holidays", h);
	json_object_set_new(root, "yearly", y);
	out = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return out;
}

int
sla_ical_import(const char *data, size_t len, char **json,
    struct sla_error *err)
{
	struct import	*im;
	icalcomponent	*root, *cal, *ev;
	char		*buf;
	const char	*e;
	size_t		 i, idx = 0;
	int		 rc = -1;

	*json = NULL;
	memset(err, 0, sizeof(*err));
	if (data == NULL || precheck(data, len, err) == -1)
		return data == NULL ? sla_refuse(err, "file", "No file.") : -1;
	if ((buf = strndup(data, len)) == NULL)
		return sla_refuse(err, "file", "Out of memory.");
	icalerror_set_errors_are_fatal(0);
	root = icalparser_parse_string(buf);
	free(buf);
	if (root == NULL)
		return sla_refuse(err, "file", "Not a complete iCalendar file "
		    "(BEGIN:VCALENDAR ... END:VCALENDAR).");
	if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		icalcomponent_free(root);
		return sla_refuse(err, "file", "One VCALENDAR is expected.");
	}
	cal = root;
	if ((e = parse_error(cal)) != NULL) {
		sla_refuse(err, "file", "Malformed iCalendar: %.150s", e);
		goto done;
	}
	if ((im = calloc(1, sizeof(*im))) == NULL) {
		sla_refuse(err, "file", "Out of memory.");
		goto done;
	}
	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	    ev != NULL;
	    ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		if (import_event(im, ev, idx++, err) == -1)
			break;
	if (ev == NULL) {
		if ((*json = to_json(im)) == NULL)
			sla_refuse(err, "file", "Out of memory.");
		else
			rc = 0;
	}
	for (i = 0; i < im->nnames; i++)
		free(im->names[i]);
	free(im);
done:
	icalcomponent_free(root);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Export                                                            */
/* ---------------------------------------------------------------- */

/* FNV-1a: a stable tag of the calendar's name for its events' UIDs. */
static uint64_t
tag_of(const char *s)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static icalcomponent *
new_event(const char *uid, const char *summary, struct icaltimetype stamp)
{
	icalcomponent	*ev;

	ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(stamp));
	icalcomponent_add_property(ev, icalproperty_new_summary(summary));
	return ev;
}

static struct icaltimetype
date_of(int64_t day)
{
	struct icaltimetype	t = icaltime_null_date();
	int64_t			y;

	sla_civil_from_days(day, &y, &t.month, &t.day);
	t.year = (int)y;
	return t;
}

static void
add_all_day(icalcomponent *ev, int64_t day)
{
	icalcomponent_add_property(ev, icalproperty_new_dtstart(date_of(day)));
	icalcomponent_add_property(ev,
	    icalproperty_new_dtend(date_of(day + 1)));
	icalcomponent_add_property(ev,
	    icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
}

static void
export_holidays(icalcomponent *vcal, const struct sla_calendar *cal,
    uint64_t tag, struct icaltimetype stamp)
{
	icalcomponent			*ev;
	struct icalrecurrencetype	 r;
	char				 uid[96];
	const char			*name;
	size_t				 i;
	int64_t				 y;
	int				 m, d;

	for (i = 0; i < cal->nholidays; i++) {
		name = cal->holiday_names != NULL &&
		    cal->holiday_names[i][0] != '\0' ?
		    cal->holiday_names[i] : "Holiday";
		sla_civil_from_days(cal->holidays[i], &y, &m, &d);
		snprintf(uid, sizeof(uid), "holiday-%04d%02d%02d-%016llx"
		    "@recourse", (int)y, m, d, (unsigned long long)tag);
		ev = new_event(uid, name, stamp);
		add_all_day(ev, cal->holidays[i]);
		icalcomponent_add_component(vcal, ev);
	}
	for (i = 0; i < cal->nyearly; i++) {
		name = cal->yearly_names[i] != NULL &&
		    cal->yearly_names[i][0] != '\0' ?
		    cal->yearly_names[i] : "Holiday";
		snprintf(uid, sizeof(uid), "yearly-%02d%02d-%016llx@recourse",
		    cal->yearly[i].month, cal->yearly[i].day,
		    (unsigned long long)tag);
		ev = new_event(uid, name, stamp);
		/* From 2000, a leap year, so that 29 February has a start. */
		add_all_day(ev, sla_days_from_civil(2000, cal->yearly[i].month,
		    cal->yearly[i].day));
		icalrecurrencetype_clear(&r);
		r.freq = ICAL_YEARLY_RECURRENCE;
		r.by_month[0] = cal->yearly[i].month;
		r.by_month_day[0] = cal->yearly[i].day;
		icalcomponent_add_property(ev, icalproperty_new_rrule(r));
		icalcomponent_add_component(vcal, ev);
	}
}

/* A wall time in the calendar's zone: with its TZID, or in UTC (Z). */
static void
add_local(icalcomponent *ev, icalproperty *p, const struct sla_calendar *cal)
{
	if (cal->tz != icaltimezone_get_utc_timezone())
		icalproperty_add_parameter(p,
		    icalparameter_new_tzid(cal->zone));
	icalcomponent_add_property(ev, p);
}

/* Each distinct interval: one event repeating weekly on its days. */
static void
export_hours(icalcomponent *vcal, const struct sla_calendar *cal,
    const char *name, uint64_t tag, struct icaltimetype stamp)
{
	static const enum icalrecurrencetype_weekday wdays[7] = {
		ICAL_MONDAY_WEEKDAY, ICAL_TUESDAY_WEEKDAY,
		ICAL_WEDNESDAY_WEEKDAY, ICAL_THURSDAY_WEEKDAY,
		ICAL_FRIDAY_WEEKDAY, ICAL_SATURDAY_WEEKDAY, ICAL_SUNDAY_WEEKDAY
	};
	icalcomponent			*ev;
	icalproperty			*p;
	struct icalrecurrencetype	 r;
	struct icaltimetype		 s, e;
	struct sla_interval		 iv;
	char				 uid[96], summary[SLA_MAX_NAME + 32];
	char				 days[8];
	int				 wd, i, w, j, n, first;

	snprintf(summary, sizeof(summary), "Open: %s", name);
	for (wd = 0; wd < 7; wd++)
		for (i = 0; i < cal->nweek[wd]; i++) {
			iv = cal->week[wd][i];
			/* Written once, by the first day that has it. */
			for (w = 0; w < wd; w++) {
				for (j = 0; j < cal->nweek[w]; j++)
					if (cal->week[w][j].start ==
					    iv.start &&
					    cal->week[w][j].end == iv.end)
						break;
				if (j < cal->nweek[w])
					break;
			}
			if (w < wd)
				continue;
			icalrecurrencetype_clear(&r);
			r.freq = ICAL_WEEKLY_RECURRENCE;
			for (w = wd, n = 0; w < 7; w++)
				for (j = 0; j < cal->nweek[w]; j++)
					if (cal->week[w][j].start ==
					    iv.start &&
					    cal->week[w][j].end == iv.end) {
						r.by_day[n] = wdays[w];
						days[n++] = (char)('0' + w);
					}
			days[n] = '\0';
			first = wd;
			snprintf(uid, sizeof(uid),
			    "open-%s-%02d%02d-%02d%02d-%016llx@recourse", days,
			    iv.start / 60, iv.start % 60, iv.end / 60,
			    iv.end % 60, (unsigned long long)tag);
			ev = new_event(uid, summary, stamp);
			/* The week of Monday 1 January 2024. */
			s = icaltime_null_time();
			s.year = 2024;
			s.month = 1;
			s.day = 1 + first;
			s.hour = iv.start / 60;
			s.minute = iv.start % 60;
			if (cal->tz == icaltimezone_get_utc_timezone())
				s.zone = icaltimezone_get_utc_timezone();
			e = icaltime_add(s, icaldurationtype_from_int(
			    (iv.end - iv.start) * 60));
			add_local(ev, icalproperty_new_dtstart(s), cal);
			add_local(ev, icalproperty_new_dtend(e), cal);
			icalcomponent_add_property(ev,
			    icalproperty_new_rrule(r));
			p = icalproperty_new_x(ROLE_OPEN);
			icalproperty_set_x_name(p, ROLE_PROP);
			icalcomponent_add_property(ev, p);
			icalcomponent_add_component(vcal, ev);
		}
}

/* The zone's VTIMEZONE, its TZID the plain name the events use. */
static void
export_zone(icalcomponent *vcal, const struct sla_calendar *cal)
{
	icalcomponent	*vtz;
	icalproperty	*p;

	if (cal->tz == NULL || cal->tz == icaltimezone_get_utc_timezone())
		return;
	vtz = icaltimezone_get_component((icaltimezone *)(uintptr_t)cal->tz);
	if (vtz == NULL)
		return;
	vtz = icalcomponent_new_clone(vtz);
	if ((p = icalcomponent_get_first_property(vtz,
	    ICAL_TZID_PROPERTY)) != NULL)
		icalproperty_set_tzid(p, cal->zone);
	icalcomponent_add_component(vcal, vtz);
}

char *
sla_ical_export(const struct sla_calendar *cal, const char *name)
{
	icalcomponent		*vcal;
	icalproperty		*p;
	struct icaltimetype	 stamp;
	uint64_t		 tag;
	char			*s, *out, *clean;

	if (name == NULL)
		name = "";
	if ((clean = strdup(name)) == NULL)
		return NULL;
	/* X-WR-CALNAME is written verbatim: no line breaks into it. */
	for (s = clean; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
	name = clean;
	tag = tag_of(name);
	stamp = icaltime_current_time_with_zone(
	    icaltimezone_get_utc_timezone());
	vcal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalcomponent_add_property(vcal,
	    icalproperty_new_prodid("-//Recourse//Business calendar//EN"));
	icalcomponent_add_property(vcal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(vcal,
	    icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(vcal,
	    icalproperty_new_method(ICAL_METHOD_PUBLISH));
	p = icalproperty_new_x(name);
	icalproperty_set_x_name(p, "X-WR-CALNAME");
	icalcomponent_add_property(vcal, p);
	p = icalproperty_new_x(cal->zone);
	icalproperty_set_x_name(p, "X-WR-TIMEZONE");
	icalcomponent_add_property(vcal, p);
	export_zone(vcal, cal);
	export_holidays(vcal, cal, tag, stamp);
	export_hours(vcal, cal, name, tag, stamp);
	/* libical writes CRLF and folds at 75 octets, whole characters. */
	s = icalcomponent_as_ical_string_r(vcal);
	icalcomponent_free(vcal);
	free(clean);
	if (s == NULL)
		return NULL;
	out = strdup(s);
	icalmemory_free_buffer(s);
	return out;
}
