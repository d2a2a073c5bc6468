/*
 * The JSON API's documents: a complaint read from JSON into the same intake
 * struct the form fills, and error bodies of one shape,
 * {"error": {"code", "message", "fields"}}; and reading a string member,
 * which the views of JSON-shaped data share.
 */

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"

static int
field_index(const char *name)
{
	int	 f;

	for (f = 0; f < IF__MAX; f++)
		if (strcmp(intake_field_name[f], name) == 0)
			return (f);
	return (-1);
}

static int
is_flag(int f)
{
	return (f == IF_VULNERABLE || f == IF_CONSENT_CONTACT ||
	    f == IF_CONSENT_PUBLISH || f == IF_CONSENT_DEMOGRAPHICS);
}

static void
set_value(struct intake *in, int f, json_t *v)
{
	json_t	*x;
	size_t	 i;

	if (json_is_null(v))
		return;
	if (f == IF_TARGETING_REASONS) {
		if (!json_is_array(v)) {
			in->error[f] = "Must be an array of reason codes.";
			return;
		}
		json_array_foreach(v, i, x) {
			if (!json_is_string(x)) {
				in->error[f] = "Must be an array of reason "
				    "codes.";
				return;
			}
			intake_set(in, f, json_string_value(x),
			    json_string_length(x));
		}
		return;
	}
	if (is_flag(f)) {
		if (!json_is_boolean(v))
			in->error[f] = "Must be true or false.";
		else
			intake_set(in, f, json_is_true(v) ? "1" : "0", 1);
		return;
	}
	if (!json_is_string(v)) {
		in->error[f] = "Must be a string.";
		return;
	}
	intake_set(in, f, json_string_value(v), json_string_length(v));
}

/*
 * Fills 'in' from a JSON object.  'consent' may be an object
 * {"contact","publish","demographics"} instead of the three consent_*
 * fields.  Returns 0 and names the member when the document has one we do
 * not know (a typo must not silently drop a consent).
 */
int
apijson_intake(json_t *doc, struct intake *in, const char **bad_field)
{
	static const struct { const char *key; int field; } consent[] = {
		{ "contact", IF_CONSENT_CONTACT },
		{ "publish", IF_CONSENT_PUBLISH },
		{ "demographics", IF_CONSENT_DEMOGRAPHICS },
	};
	const char	*key, *ck;
	json_t		*v, *cv;
	size_t		 i;
	int		 f, found;

	*bad_field = NULL;
	/* Two ways to give the consents in one document would be ambiguous. */
	if (json_object_get(doc, "consent") != NULL &&
	    (json_object_get(doc, "consent_contact") != NULL ||
	    json_object_get(doc, "consent_publish") != NULL ||
	    json_object_get(doc, "consent_demographics") != NULL)) {
		*bad_field = "consent";
		return (0);
	}
	json_object_foreach(doc, key, v) {
		if (strcmp(key, "consent") == 0) {
			if (!json_is_object(v)) {
				*bad_field = "consent";
				return (0);
			}
			json_object_foreach(v, ck, cv) {
				for (found = 0, i = 0; i < 3; i++)
					if (strcmp(ck, consent[i].key) == 0) {
						set_value(in, consent[i].field,
						    cv);
						found = 1;
					}
				if (!found) {
					*bad_field = "consent";
					return (0);
				}
			}
			continue;
		}
		if ((f = field_index(key)) < 0) {
			*bad_field = key;
			return (0);
		}
		/* Files are the caller's (evidence_set_from_json). */
		if (f != IF_EVIDENCE)
			set_value(in, f, v);
	}
	return (1);
}

/* {"error": {"code": "invalid", "message", "fields": {name: message}}} */
json_t *
apijson_field_errors(const struct intake *in)
{
	json_t	*fields, *j;
	int	 f;

	fields = json_object();
	for (f = 0; f < IF__MAX; f++)
		if (in->error[f] != NULL)
			json_object_set_new(fields, intake_field_name[f],
			    json_string(in->error[f]));
	j = apijson_error("invalid", "Some fields are missing or invalid.");
	json_object_set_new(json_object_get(j, "error"), "fields", fields);
	return (j);
}

json_t *
apijson_error(const char *code, const char *message)
{
	return (json_pack("{s:{s:s,s:s}}", "error", "code", code, "message",
	    message));
}

/* A string member's value, or "" when it is missing or not a string. */
const char *
json_text(const json_t *o, const char *key)
{
	const char	*v;

	v = json_string_value(json_object_get(o, key));
	return (v != NULL ? v : "");
}
