/*
 * sla_ical.h: business calendars to and from iCalendar (RFC 5545), the
 * format governments publish public holidays in.  Pure: libical only.
 */
#ifndef RECOURSE_SLA_ICAL_H
#define RECOURSE_SLA_ICAL_H

#include <stddef.h>

#include "sla.h"

#define SLA_ICAL_MAX_BYTES	(1024 * 1024)
#define SLA_ICAL_MAX_EVENTS	2000

/*
 * Holidays from the bytes of an .ics file: all-day VEVENTs (several days
 * each when DTEND or DURATION says so); those that recur every year on
 * their date (RRULE:FREQ=YEARLY, with at most BYMONTH and BYMONTHDAY equal
 * to DTSTART's) become yearly holidays.  On success 0 and *json, to free,
 * holds {"holidays": [{"date", "name"}...], "yearly": [{"month", "day",
 * "name"}...]}: the members of the same names in a calendar definition.
 * On refusal -1, *json NULL and *err saying what failed ("file",
 * "events[3].DTSTART", ...).  Events this module's export marks as opening
 * hours are skipped, so an exported calendar imports back.
 */
int	sla_ical_import(const char *data, size_t len, char **json,
	    struct sla_error *err);

/*
 * A VCALENDAR of the calendar, to free: one all-day VEVENT per dated
 * holiday, one yearly recurring VEVENT per yearly holiday, the opening
 * hours as weekly recurring events in the calendar's zone (with its
 * VTIMEZONE); stable UIDs, CRLF, lines folded at 75 octets.  NULL when
 * out of memory.
 */
char	*sla_ical_export(const struct sla_calendar *, const char *name);

#endif
