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
