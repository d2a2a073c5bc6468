/*
 * A table of the published report as a CSV file (RFC 4180): UTF-8, CRLF,
 * a header row, a field quoted when it holds a comma, a quote or a line
 * break, and a field that a spreadsheet would take for a formula (starting
 * with =, +, -, @, a tab or a CR) neutralised by a leading apostrophe.
 * Hidden counts carry the same marks as everywhere else ("<10", "x").
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report.h"

static void
put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	while (*len + n + 1 > *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		if ((*buf = realloc(*buf, *cap)) == NULL)
			abort();
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static void
field(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t	 i, n = strlen(s);
	int	 quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		put(buf, len, cap, "\"", 1);
	if (n > 0 && strchr("=+-@\t\r", s[0]) != NULL)
		put(buf, len, cap, "'", 1);
	for (i = 0; i < n; i++)
		put(buf, len, cap, s[i] == '"' ? "\"\"" : s + i, s[i] == '"' ?
		    2 : 1);
	if (quote)
		put(buf, len, cap, "\"", 1);
}

/* A cell as text: the count, its mark, a time, or empty for none. */
static void
cell_text(const json_t *c, char *out, size_t size)
{
	if (json_is_integer(c))
		(void)snprintf(out, size, "%lld", (long long)
		    json_integer_value(c));
	else if (json_is_real(c))
		(void)snprintf(out, size, "%.1f", json_real_value(c));
	else if (json_is_string(c))
		(void)snprintf(out, size, "%s", json_string_value(c));
	else
		out[0] = '\0';
}

/*
 * The CSV of one table of report_model()'s document, NUL-terminated
 * (the caller frees it); a withheld table has its header only.
 */
char *
report_csv(const json_t *table, size_t *outlen)
{
	char		*buf = NULL, text[64];
	size_t		 len = 0, cap = 0, i, j;
	const json_t	*c, *r;

	field(&buf, &len, &cap, json_string_value(json_object_get(table,
	    "row_heading")));
	json_array_foreach(json_object_get(table, "columns"), j, c) {
		put(&buf, &len, &cap, ",", 1);
		field(&buf, &len, &cap, json_string_value(json_object_get(c,
		    "label")));
	}
	put(&buf, &len, &cap, "\r\n", 2);
	json_array_foreach(json_object_get(table, "rows"), i, r) {
		field(&buf, &len, &cap, json_string_value(json_object_get(r,
		    "label")));
		json_array_foreach(json_object_get(r, "cells"), j, c) {
			put(&buf, &len, &cap, ",", 1);
			cell_text(c, text, sizeof(text));
			field(&buf, &len, &cap, text);
		}
		put(&buf, &len, &cap, "\r\n", 2);
	}
	*outlen = len;
	return (buf);
}

/* A row of the DSA export: indicator, basis, value. */
static void
dsa_row(char **buf, size_t *len, size_t *cap, const char *indicator,
    const char *basis, const json_t *value)
{
	char	 text[64];

	field(buf, len, cap, indicator);
	put(buf, len, cap, ",", 1);
	field(buf, len, cap, basis);
	put(buf, len, cap, ",", 1);
	cell_text(value, text, sizeof(text));
	field(buf, len, cap, text);
	put(buf, len, cap, "\r\n", 2);
}

/* Row 'code''s cell in column 'col' of table 'id' (NULL: not published). */
static const json_t *
cell_of(const json_t *doc, const char *id, const char *code, size_t col)
{
	const json_t	*t, *r;
	size_t		 i;

	t = report_table_in(json_object_get(doc, "tables"), id);
	json_array_foreach(json_object_get(t, "rows"), i, r)
		if (strcmp(json_string_value(json_object_get(r, "code")),
		    code) == 0)
			return (json_array_get(json_object_get(r, "cells"), col));
	return (NULL);
}

/*
 * The complaint-handling figures in the shape a Digital Services Act
 * transparency report asks for (indicator, basis, value), read from the
 * protected tables: the same marks, nothing more.
 */
char *
report_dsa_csv(const json_t *doc, size_t *outlen)
{
	char		*buf = NULL;
	size_t		 len = 0, cap = 0, i;
	const json_t	*tables = json_object_get(doc, "tables"), *t, *r, *c;

	put(&buf, &len, &cap, "indicator,basis,value\r\n", 23);
	t = report_table_in(tables, "received_by_category");
	json_array_foreach(json_object_get(t, "rows"), i, r)
		dsa_row(&buf, &len, &cap, "complaints_received",
		    strcmp(json_string_value(json_object_get(r, "code")),
		    "total") == 0 ? "all" : json_string_value(json_object_get(r,
		    "label")), json_array_get(json_object_get(r, "cells"), 0));
	t = report_table_in(tables, "decisions_by_category");
	json_array_foreach(json_object_get(t, "columns"), i, c)
		dsa_row(&buf, &len, &cap, "decisions", strcmp(json_string_value(
		    json_object_get(c, "code")), "total") == 0 ? "all" :
		    json_string_value(json_object_get(c, "label")),
		    cell_of(doc, "decisions_by_category", "total", i));
	dsa_row(&buf, &len, &cap, "decisions_automated", "all", cell_of(doc,
	    "automated", "automated", 0));
	dsa_row(&buf, &len, &cap, "median_days_to_decision", "all",
	    cell_of(doc, "timeliness_times", "decision", 2));
	dsa_row(&buf, &len, &cap, "appeals_received", "all", cell_of(doc,
	    "appeals", "received", 0));
	dsa_row(&buf, &len, &cap, "decisions_reversed_or_changed_on_appeal",
	    "all", cell_of(doc, "appeals", "changed", 0));
	*outlen = len;
	return (buf);
}
