/*
 * A chart of one report table, drawn on the server as inline SVG: a bar
 * per row with its label above and its figure written beside it, so that
 * colour is never the only signal and the chart reads without JavaScript.
 * Hidden counts get no bar, only their words.  The table itself follows
 * the chart on the page, as its text alternative in full.
 */

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "recourse.h"
#include "report.h"

#define WIDTH		640
#define LABEL_H		20
#define BAR_H		18
#define ROW_H		(LABEL_H + BAR_H + 10)
#define BAR_MAX		(WIDTH - 140)

/* Whether a table is drawn: one column of counts, two rows or more. */
int
report_svg_drawable(const json_t *t)
{
	return (!json_is_true(json_object_get(t, "withheld")) &&
	    json_array_size(json_object_get(t, "columns")) == 1 &&
	    json_array_size(json_object_get(t, "rows")) >= 2);
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
 * The chart of table 't' (rows but the total), with 'id' for its title
 * and description.
 */
void
report_svg_bars(struct sbuf *b, const json_t *t, const char *id)
{
	const json_t	*rows = json_object_get(t, "rows"), *r, *c;
	long long	 max = 1, v;
	size_t		 i, n = 0, y;

	json_array_foreach(rows, i, r) {
		c = json_array_get(json_object_get(r, "cells"), 0);
		if (strcmp(json_string_value(json_object_get(r, "code")),
		    "total") == 0)
			continue;
		n++;
		if (json_is_integer(c) && json_integer_value(c) > max)
			max = json_integer_value(c);
	}
	sbuf_printf(b, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d "
	    "%zu\" width=\"100%%\" aria-labelledby=\"%s-title %s-desc\" "
	    "xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"%s-title\">",
	    WIDTH, n * ROW_H + 4, id, id, id);
	html_texts(b, json_string_value(json_object_get(t, "title")));
	sbuf_printf(b, "</title>\n<desc id=\"%s-desc\">A bar for each row, its "
	    "length the number of cases; rows with fewer than 10 cases, or "
	    "hidden to protect them, have no bar. The table below gives every "
	    "figure.</desc>\n", id);
	y = 0;
	json_array_foreach(rows, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "code")),
		    "total") == 0)
			continue;
		c = json_array_get(json_object_get(r, "cells"), 0);
		sbuf_printf(b, "<text x=\"0\" y=\"%zu\" class=\"chart-label\">",
		    y + LABEL_H - 5);
		html_texts(b, json_string_value(json_object_get(r, "label")));
		html_raw(b, "</text>\n");
		v = json_is_integer(c) ? json_integer_value(c) : 0;
		if (v > 0)
			sbuf_printf(b, "<rect x=\"0\" y=\"%zu\" width=\"%lld\" "
			    "height=\"%d\" class=\"chart-bar\"/>\n", y + LABEL_H,
			    v * BAR_MAX / max > 1 ? v * BAR_MAX / max : 1, BAR_H);
		sbuf_printf(b, "<text x=\"%lld\" y=\"%zu\" class=\"chart-value\">",
		    (v > 0 ? v * BAR_MAX / max : 0) + 6, y + LABEL_H + BAR_H - 4);
		figure_words(b, c);
		html_raw(b, "</text>\n");
		y += ROW_H;
	}
	html_raw(b, "</svg>\n");
}
