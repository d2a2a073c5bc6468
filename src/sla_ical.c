/*
 * Business calendars to and from iCalendar through libical's parser.
 */

#include <stdlib.h>

#include "sla_ical.h"

int
sla_ical_import(const char *data, size_t len, char **json,
    struct sla_error *err)
{
	*json = NULL;
	return -1;
}

char *
sla_ical_export(const struct sla_calendar *cal, const char *name)
{
	return NULL;
}
