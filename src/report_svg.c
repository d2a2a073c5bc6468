/*
 * A chart of one report table, drawn on the server as inline SVG: a bar
 * per row with cases, its label above and its figure written beside it, so that
 * colour is never the only signal and the chart reads without JavaScript.
 * Hidden counts get no bar, only their words.  The table itself follows
 * the chart on the page, as its text alternative in full.
 */

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "recourse.h"
#include "report.h"

#define WIDTH		360
#define LINE_H		16	/* a line of a label */
#define LINE_CHARS	46	/* what fits on one at 13 px */
#define BAR_H		16
#define GAP		10
#define BAR_MAX		(WIDTH - 110)

/* The rows a chart leaves out: the total, and those with no case. */
static int
skipped(const json_t *r)
{
	const json_t	*c = json_array_get(json_object_get(r, "cells"), 0);

	return (strcmp(json_string_value(json_object_get(r, "code")),
	    "total") == 0 || (json_is_integer(c) && json_integer_value(c) == 0));
}

/* Whether a table is drawn: one column of counts, a row with cases. */
int
report_svg_drawable(const json_t *t)
{
	const json_t	*r;
	size_t		 i, n = 0;

	if (json_is_true(json_object_get(t, "withheld")) ||
	    json_array_size(json_object_get(t, "columns")) != 1)
		return (0);
	json_array_foreach(json_object_get(t, "rows"), i, r)
		n += !skipped(r);
	return (n > 0);
}

/* A figure in words, as the chart writes it. */
static void
figure_words(struct sbuf *b, const json_t *c)
{
	if (json_is_integer(c))
		sbuf_printf(b, "%lld", (long long)json_integer_value(c));
	else if (json_is_string(c) && strcmp(json_string_value(c),
	    REPORT_MARK_SMALL) == 0)
		html_raw(b, "fewer than 10");
	else
		html_raw(b, "hidden");
}

/*
 * How many lines a label takes when broken at spaces to LINE_CHARS
 * characters; with 'b', also writes them as tspans from 'y'.
 */
static size_t
label_lines(struct sbuf *b, const char *s, size_t y)
{
	const char	*p = s, *end, *brk;
	size_t		 n = 0;

	while (*p != '\0') {
		end = p;
		brk = NULL;
		while (*end != '\0' && (size_t)(end - p) < LINE_CHARS) {
			if (*end == ' ')
				brk = end;
			end++;
		}
		if (*end != '\0' && brk != NULL)
			end = brk;
		if (b != NULL) {
			sbuf_printf(b, "<tspan x=\"0\" y=\"%zu\">", y +
			    (n + 1) * LINE_H - 4);
			html_text(b, p, (size_t)(end - p));
			html_raw(b, "</tspan>");
		}
		n++;
		p = *end == ' ' ? end + 1 : end;
	}
	return (n > 0 ? n : 1);
}

/*
 * The chart of table 't' (rows but the total), with 'id' for its title
 * and description.
 */
void
report_svg_bars(struct sbuf *b, const json_t *t, const char *id)
{
	const json_t	*rows = json_object_get(t, "rows"), *r, *c;
	long long	 max = 1, v, w;
	size_t		 i, h = 0, y, lines;

	json_array_foreach(rows, i, r) {
		if (skipped(r))
			continue;
		c = json_array_get(json_object_get(r, "cells"), 0);
		h += label_lines(NULL, json_string_value(json_object_get(r,
		    "label")), 0) * LINE_H + BAR_H + GAP;
		if (json_is_integer(c) && json_integer_value(c) > max)
			max = json_integer_value(c);
	}
	sbuf_printf(b, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d "
	    "%zu\" aria-labelledby=\"%s-title %s-desc\" "
	    "xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"%s-title\">",
	    WIDTH, h, id, id, id);
	html_texts(b, json_string_value(json_object_get(t, "title")));
	sbuf_printf(b, "</title>\n<desc id=\"%s-desc\">A bar for each row with "
	    "cases, its length the number of cases; rows with fewer than 10 "
	    "cases, or hidden to protect them, have no bar, and rows with none "
	    "are left out. The table below gives every figure.</desc>\n", id);
	y = 0;
	json_array_foreach(rows, i, r) {
		if (skipped(r))
			continue;
		c = json_array_get(json_object_get(r, "cells"), 0);
		html_raw(b, "<text class=\"chart-label\">");
		lines = label_lines(b, json_string_value(json_object_get(r,
		    "label")), y);
		html_raw(b, "</text>\n");
		y += lines * LINE_H;
		v = json_is_integer(c) ? json_integer_value(c) : 0;
		w = v > 0 ? (v * BAR_MAX / max > 1 ? v * BAR_MAX / max : 1) : 0;
		if (w > 0)
			sbuf_printf(b, "<rect x=\"0\" y=\"%zu\" width=\"%lld\" "
			    "height=\"%d\" class=\"chart-bar\"/>\n", y, w, BAR_H);
		sbuf_printf(b, "<text x=\"%lld\" y=\"%zu\" "
		    "class=\"chart-value\">", w + 6, y + BAR_H - 3);
		figure_words(b, c);
		html_raw(b, "</text>\n");
		y += BAR_H + GAP;
	}
	html_raw(b, "</svg>\n");
}
