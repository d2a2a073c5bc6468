/*
 * slaform.h: the admin forms of SLA calendars and policies turned into the
 * engine's JSON definitions and back, each field checked by the engine
 * itself so that every invalid field gets its own message.  Pure.
 */
#ifndef RECOURSE_SLAFORM_H
#define RECOURSE_SLAFORM_H

#include <jansson.h>

#include "sla.h"

/* Form field names of the weekdays, Monday first (the engine's keys). */
extern const char *const slaform_days[7];
/* Form field prefixes of a policy's targets: the five clocks, extension. */
extern const char *const slaform_targets[SLA_NCLOCKS + 1];
/* The unit select's values; "none" first. */
extern const char *const slaform_units[5];

/*
 * A calendar's form as typed: 'form' maps field names (zone, mon..sun,
 * holidays, yearly) to strings.  Returns the definition (JSON text, to
 * free) or NULL with 'errors' (field -> message) filled in.
 */
char	*slaform_calendar(json_t *form, json_t *errors);

/* The form fields (as slaform_calendar reads them) of a definition. */
json_t	*slaform_calendar_fields(json_t *definition);

/*
 * 'definition' with the holidays of an iCalendar import added (those of a
 * date or month-day it does not have yet); *added counts them.  New.
 */
json_t	*slaform_calendar_merge(json_t *definition, json_t *imported,
	    int *added);

/* A policy's form as typed: <clock>_n, <clock>_unit, at_risk_percent. */
char	*slaform_policy(json_t *form, json_t *errors);
json_t	*slaform_policy_fields(json_t *definition);

#endif
