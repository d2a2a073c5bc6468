/*
 * SLA policy definitions (JSON, docs/SLA.md): five clock targets, the
 * at-risk share and the decision clock's one extension; and their names.
 */

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "sla_internal.h"

static const char *const clock_names[SLA_NCLOCKS] = {
	"acknowledge", "response", "decision", "appeal", "erasure"
};

/* A month, as the GDPR gives a controller to act on a request. */
const struct sla_target sla_erasure_default = { 1, SLA_CALENDAR_MONTHS };

static const char *const unit_names[] = {
	"business_hours", "business_days", "calendar_days", "calendar_months"
};

/* Largest n per unit: ten years, whatever the unit. */
static const int unit_max[] = { 87600, 3650, 3650, 120 };

const char *
sla_clock_name(enum sla_clock_kind k)
{
	return k >= 0 && k < SLA_NCLOCKS ? clock_names[k] : "unknown";
}

const char *
sla_unit_name(enum sla_unit u)
{
	return u >= SLA_BUSINESS_HOURS && u <= SLA_CALENDAR_MONTHS ?
	    unit_names[u] : "unknown";
}

/* {"n": 2, "unit": "business_days"} or null (no such clock). */
static int
parse_target(struct sla_target *t, json_t *v, const char *name,
    struct sla_error *err)
{
	char		 field[64];
	const char	*key, *u;
	json_t		*m, *nv, *uv;
	json_int_t	 n;
	int		 i;

	memset(t, 0, sizeof(*t));
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return sla_refuse(err, name, "A target is {\"n\": number, "
		    "\"unit\": unit} or null.");
	json_object_foreach(v, key, m)
		if (strcmp(key, "n") != 0 && strcmp(key, "unit") != 0)
			return sla_refuse(err, name, "Unknown member "
			    "\"%.40s\".", key);
	uv = json_object_get(v, "unit");
	snprintf(field, sizeof(field), "%s.unit", name);
	if (!json_is_string(uv))
		return sla_refuse(err, field, "A unit is required.");
	u = json_string_value(uv);
	for (i = 0; i < 4; i++)
		if (strcmp(u, unit_names[i]) == 0)
			break;
	if (i == 4)
		return sla_refuse(err, field, "The unit is business_hours, "
		    "business_days, calendar_days or calendar_months.");
	t->unit = (enum sla_unit)i;
	nv = json_object_get(v, "n");
	snprintf(field, sizeof(field), "%s.n", name);
	if (!json_is_integer(nv) || (n = json_integer_value(nv)) < 1 ||
	    n > unit_max[i])
		return sla_refuse(err, field, "A whole number from 1 to %d.",
		    unit_max[i]);
	t->n = (int)n;
	return 0;
}

static int
is_business(enum sla_unit u)
{
	return u == SLA_BUSINESS_HOURS || u == SLA_BUSINESS_DAYS;
}

int
sla_policy_parse(struct sla_policy *p, const char *json,
    struct sla_error *err)
{
	json_t		*root, *v;
	json_error_t	 jerr;
	const char	*key;
	json_int_t	 pct;
	int		 k, rc = -1;

	memset(p, 0, sizeof(*p));
	memset(err, 0, sizeof(*err));
	if (json == NULL ||
	    (root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return sla_refuse(err, "policy", "Not valid JSON.");
	if (!json_is_object(root)) {
		sla_refuse(err, "policy", "A policy is a JSON object.");
		goto done;
	}
	json_object_foreach(root, key, v) {
		for (k = 0; k < SLA_NCLOCKS; k++)
			if (strcmp(key, clock_names[k]) == 0)
				break;
		if (k == SLA_NCLOCKS && strcmp(key, "at_risk_percent") != 0 &&
		    strcmp(key, "extension") != 0) {
			sla_refuse(err, "policy", "Unknown member "
			    "\"%.40s\".", key);
			goto done;
		}
	}
	for (k = 0; k < SLA_NCLOCKS; k++)
		if (parse_target(&p->target[k],
		    json_object_get(root, clock_names[k]), clock_names[k],
		    err) == -1)
			goto done;
	/* Absent (policies older than the clock): the default; null: none. */
	if (json_object_get(root, "erasure") == NULL)
		p->target[SLA_ERASURE] = sla_erasure_default;
	p->at_risk_percent = 75;
	v = json_object_get(root, "at_risk_percent");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || (pct = json_integer_value(v)) < 1 ||
		    pct > 99) {
			sla_refuse(err, "at_risk_percent", "A whole number "
			    "from 1 to 99.");
			goto done;
		}
		p->at_risk_percent = (int)pct;
	}
	if (parse_target(&p->extension, json_object_get(root, "extension"),
	    "extension", err) == -1)
		goto done;
	if (p->extension.n != 0 && p->target[SLA_DECISION].n == 0) {
		sla_refuse(err, "extension", "An extension needs a decision "
		    "clock.");
		goto done;
	}
	/* The extension adds to the decision clock's measure: the same one. */
	if (p->extension.n != 0 && is_business(p->extension.unit) !=
	    is_business(p->target[SLA_DECISION].unit)) {
		sla_refuse(err, "extension.unit", "Business and calendar time "
		    "cannot be added: use the decision clock's kind of "
		    "unit.");
		goto done;
	}
	rc = 0;
done:
	json_decref(root);
	return rc;
}
