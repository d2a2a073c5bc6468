/*
 * The transparency report as published: the quarter's raw figures (from
 * report_figures() in SQL) turned into tables, each small count marked and
 * each table protected (report_sdc.c), rows and columns of fewer than 10
 * cases merged into "other ..." first, a table that still cannot be
 * protected withheld, and the summary read from the protected tables.  The
 * result is one JSON document from which every file is written, so that
 * every file shows the same marks.  Pure and deterministic: the same
 * figures give the same document.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report.h"

/* Brands are named only with this many cases or more. */
#define BRAND_MIN	10

/* The words of the codes the figures use that the taxonomy does not own. */
static const char *const fixed_labels[][2] = {
	{ "yes", "Yes" }, { "no", "No" }, { "not_sure", "Not sure" },
	{ "unanswered", "Not answered" },
	{ "upheld", "Upheld" }, { "partly_upheld", "Partly upheld" },
	{ "not_upheld", "Not upheld" }, { "out_of_scope", "Out of scope" },
	{ "referred", "Referred elsewhere" },
	{ "campaign_changed", "Campaign stopped or changed" },
	{ "data_deleted", "Data deleted" },
	{ "consent_fixed", "Consent flow fixed" },
	{ "model_changed", "Model or targeting rule changed" },
	{ "optout_honoured", "Opt-out honoured" }, { "apology", "Apology" },
	{ "compensation", "Compensation" },
	{ "staff_guidance", "Staff guidance" }, { "none", "None" },
	{ "acknowledge", "Acknowledge" }, { "response", "First response" },
	{ "decision", "Decision" }, { "appeal", "Appeal decision" },
	{ "erasure", "Erasure" },
	{ "contact", "Contact" }, { "publish", "Publication" },
	{ "demographics", "Answers about themselves" },
	{ "request", "At the complainant's request" },
	{ "not_answered", "Not answered" },
	{ "retention", "At the end of the retention period" },
};

/* A table on its way: the grid the disclosure control works on. */
struct grid {
	size_t		 rows, cols;	/* totals included, at index 0 */
	int		 row_totals, col_totals, keep_total;
	long long	*v;
	enum sdc_mark	*m;
	json_t		*row_meta;	/* [{code, label}] per grid row */
	json_t		*col_meta;	/* per grid column */
	const json_t	*prior;		/* the corrected version's table */
};

/* A code's words: from the list of {code, label} given, else ours. */
static const char *
label_in(const json_t *list, const char *code)
{
	const json_t	*x;
	size_t		 i;

	json_array_foreach(list, i, x)
		if (strcmp(json_string_value(json_object_get(x, "code")),
		    code) == 0)
			return (json_string_value(json_object_get(x, "label")));
	for (i = 0; i < sizeof(fixed_labels) / sizeof(fixed_labels[0]); i++)
		if (strcmp(fixed_labels[i][0], code) == 0)
			return (fixed_labels[i][1]);
	return (code);
}

static const char *
label_of(const json_t *labels, const char *kind, const char *code)
{
	return (label_in(kind != NULL ? json_object_get(labels, kind) : NULL,
	    code));
}

static json_t *
meta(const char *code, const char *label)
{
	return (json_pack("{s:s,s:s}", "code", code, "label", label));
}

static void
grid_init(struct grid *g, size_t rows, size_t cols, int row_totals,
    int col_totals)
{
	memset(g, 0, sizeof(*g));
	g->rows = rows;
	g->cols = cols;
	g->row_totals = row_totals;
	g->col_totals = col_totals;
	if ((g->v = calloc(rows * cols, sizeof(*g->v))) == NULL ||
	    (g->m = calloc(rows * cols, sizeof(*g->m))) == NULL)
		abort();
	g->row_meta = json_array();
	g->col_meta = json_array();
}

static void
grid_free(struct grid *g)
{
	free(g->v);
	free(g->m);
	json_decref(g->row_meta);
	json_decref(g->col_meta);
	memset(g, 0, sizeof(*g));
}

/* A published cell: the count, "<10" or "x". */
static json_t *
cell(long long v, enum sdc_mark m)
{
	if (m == SDC_SMALL)
		return (json_string(REPORT_MARK_SMALL));
	if (m == SDC_HIDDEN)
		return (json_string(REPORT_MARK_HIDDEN));
	return (json_integer(v));
}

/* Table 'id' of a list of tables, or NULL. */
const json_t *
report_table_in(const json_t *tables, const char *id)
{
	const json_t	*t;
	size_t		 i;

	json_array_foreach(tables, i, t)
		if (strcmp(json_string_value(json_object_get(t, "id")), id) == 0)
			return (t);
	return (NULL);
}

/* Table 'id' of the version a correction corrects ('prior'), or NULL. */
static const json_t *
prior_table(const json_t *prior, const char *id)
{
	return (report_table_in(json_object_get(prior, "tables"), id));
}

/*
 * A correction hides again every count its first version hid, where the
 * count is still 10 or more (the disclosure control keeps such a mark):
 * the two versions side by side tell no more than either.
 */
static void
prior_marks(struct grid *g)
{
	const json_t	*r, *c, *cell;
	size_t		 i, j, k, n;
	const char	*rc, *cc;

	json_array_foreach(json_object_get(g->prior, "rows"), k, r) {
		rc = json_string_value(json_object_get(r, "code"));
		json_array_foreach(json_object_get(g->prior, "columns"), n, c) {
			cell = json_array_get(json_object_get(r, "cells"), n);
			if (!json_is_string(cell))
				continue;
			cc = json_string_value(json_object_get(c, "code"));
			for (i = 0; i < g->rows; i++)
				for (j = 0; j < g->cols; j++)
					if (strcmp(json_string_value(json_object_get(
					    json_array_get(g->row_meta, i), "code")),
					    rc) == 0 && strcmp(json_string_value(
					    json_object_get(json_array_get(g->col_meta,
					    j), "code")), cc) == 0)
						g->m[i * g->cols + j] = SDC_HIDDEN;
		}
	}
}

/*
 * The grid protected and written as a table: interior rows first and the
 * total row last, the total column first.  A table that cannot be
 * protected is withheld: its rows are not published.
 */
static json_t *
grid_table(struct grid *g, const char *id, const char *title,
    const char *row_heading, const char *note)
{
	struct sdc_table t = { g->rows, g->cols, g->row_totals, g->col_totals,
	    g->v, g->m, g->keep_total };
	json_t		*tab, *rows, *cols, *r, *cells;
	size_t		 i, j, k, i0 = g->col_totals ? 1 : 0;
	int		 withheld, extra;

	if (g->prior != NULL)
		prior_marks(g);
	extra = sdc_protect(&t);
	withheld = extra < 0;
	cols = json_array();
	for (j = 0; j < g->cols; j++)
		json_array_append(cols, json_array_get(g->col_meta, j));
	rows = json_array();
	for (k = 0; k < g->rows && !withheld; k++) {
		i = k + i0 < g->rows ? k + i0 : 0;	/* total row last */
		cells = json_array();
		for (j = 0; j < g->cols; j++)
			json_array_append_new(cells, cell(g->v[i * g->cols + j],
			    g->m[i * g->cols + j]));
		r = json_deep_copy(json_array_get(g->row_meta, i));
		json_object_set_new(r, "cells", cells);
		json_array_append_new(rows, r);
	}
	tab = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:I}", "id", id, "title",
	    title, "row_heading", row_heading, "totals", g->row_totals &&
	    g->col_totals ? "both" : g->row_totals ? "rows" : g->col_totals ?
	    "columns" : "none", "columns", cols, "rows", rows, "withheld",
	    withheld, "protective", (json_int_t)(withheld ? 0 : extra));
	if (note != NULL)
		json_object_set_new(tab, "note", json_string(note));
	return (tab);
}

/*
 * A distribution [{code, n}] as a one-column table, with the total row
 * when the codes partition the cases (not for answers where one case may
 * give several).
 */
static json_t *
list_table(const json_t *prior, const json_t *list, const json_t *labels,
    const char *kind, long long total, int partition, const char *id,
    const char *title, const char *row_heading, const char *total_label,
    const char *note)
{
	struct grid	 g;
	const json_t	*x;
	size_t		 i, i0 = partition ? 1 : 0;
	json_t		*t;

	grid_init(&g, json_array_size(list) + i0, 1, 0, partition);
	g.keep_total = 1;
	json_array_append_new(g.col_meta, meta("n", "Cases"));
	if (partition) {
		g.v[0] = total;
		json_array_append_new(g.row_meta, meta("total", total_label));
	}
	json_array_foreach(list, i, x) {
		const char *code = json_string_value(json_object_get(x, "code"));
		const char *label = json_string_value(json_object_get(x,
		    "label"));

		g.v[i + i0] = json_integer_value(json_object_get(x, "n"));
		json_array_append_new(g.row_meta, meta(code, label != NULL ?
		    label : label_of(labels, kind, code)));
	}
	g.prior = prior_table(prior, id);
	t = grid_table(&g, id, title, row_heading, note);
	grid_free(&g);
	return (t);
}

/* Brands with 10 cases or more by name; the rest together. */
static json_t *
brand_table(const json_t *prior, const json_t *received)
{
	const json_t	*x;
	json_t		*list, *t;
	long long	 other = 0, n;
	size_t		 i;

	list = json_array();
	json_array_foreach(json_object_get(received, "brand"), i, x) {
		n = json_integer_value(json_object_get(x, "n"));
		if (n >= BRAND_MIN)
			json_array_append_new(list, json_deep_copy(x));
		else
			other += n;
	}
	json_array_append_new(list, json_pack("{s:s,s:s,s:I}", "code",
	    "other_brands", "label", "Other brands (fewer than 10 cases each)",
	    "n", (json_int_t)other));
	json_array_append_new(list, json_pack("{s:s,s:s,s:I}", "code",
	    "no_brand", "label", "No brand given", "n", (json_int_t)
	    json_integer_value(json_object_get(received, "no_brand"))));
	t = list_table(prior, list, NULL, NULL, json_integer_value(
	    json_object_get(
	    received, "total")), 1, "received_by_brand", "Cases received, by "
	    "brand or campaign", "Brand or campaign", "All cases",
	    "A brand is named only with 10 cases or more.");
	json_decref(list);
	return (t);
}

/*
 * Where each of n lines (rows or columns, with totals 'tot') goes in the
 * grid: 1, 2... for the lines kept, in order, then one "other" line for
 * those of 1 to 9; while that "other" line itself would hold 1 to 9, the
 * smallest kept line joins it.  Returns how many grid lines there are;
 * '*other' is the other line's index, or 0 when there is none.
 */
static size_t
merge_small(const long long *tot, size_t n, size_t *map, int *other)
{
	size_t		 i, k, lines;
	long long	 merged = 0, least;
	int		*joins;

	if ((joins = calloc(n + 1, sizeof(*joins))) == NULL)
		abort();
	for (i = 0; i < n; i++)
		if (tot[i] > 0 && tot[i] < SDC_HIDDEN_MIN) {
			joins[i] = 1;
			merged += tot[i];
		}
	while (merged > 0 && merged < SDC_HIDDEN_MIN) {
		k = n;
		least = 0;
		for (i = 0; i < n; i++)
			if (!joins[i] && tot[i] > 0 && (k == n ||
			    tot[i] < least)) {
				k = i;
				least = tot[i];
			}
		if (k == n)
			break;
		joins[k] = 1;
		merged += tot[k];
	}
	for (i = 0, lines = 0; i < n; i++)
		if (!joins[i])
			map[i] = ++lines;
	*other = 0;
	for (i = 0; i < n; i++)
		if (joins[i]) {
			if (*other == 0)
				*other = (int)++lines;
			map[i] = (size_t)*other;
		}
	free(joins);
	return (lines);
}

/*
 * Decisions by a case's attribute (its concern, an answer about oneself)
 * and outcome: 'byc' is [{code, outcomes: [{code, n}]}], 'row_labels' the
 * attribute's words.  A row (or an outcome) with fewer than 10 decisions
 * joins "other": a small total split in two or more would bound each part
 * below 9 whatever else were hidden.
 */
static json_t *
outcome_table(const json_t *prior, const json_t *byc,
    const json_t *row_labels, const char *id,
    const char *title, const char *heading, const char *total_label,
    const char *other_label)
{
	const json_t	*x, *o;
	struct grid	 g;
	size_t		 i, j, nr, nc, *rmap, *cmap, ncat, nout;
	long long	*rt, *ct, n;
	int		 other_row = 0, other_col = 0;
	json_t		*t;

	ncat = json_array_size(byc);
	nout = json_array_size(json_object_get(json_array_get(byc, 0),
	    "outcomes"));
	rt = calloc(ncat + 1, sizeof(*rt));
	ct = calloc(nout + 1, sizeof(*ct));
	rmap = calloc(ncat + 1, sizeof(*rmap));
	cmap = calloc(nout + 1, sizeof(*cmap));
	if (rt == NULL || ct == NULL || rmap == NULL || cmap == NULL)
		abort();
	json_array_foreach(byc, i, x)
		json_array_foreach(json_object_get(x, "outcomes"), j, o) {
			n = json_integer_value(json_object_get(o, "n"));
			rt[i] += n;
			ct[j] += n;
		}
	/* Grid rows and columns: 0 is the total, then the kept, then other. */
	nr = merge_small(rt, ncat, rmap, &other_row);
	nc = merge_small(ct, nout, cmap, &other_col);
	grid_init(&g, nr + 1, nc + 1, 1, 1);
	g.keep_total = 1;
	json_array_append_new(g.row_meta, meta("total", total_label));
	for (i = 0; i < ncat; i++)
		if (rmap[i] != (size_t)other_row || other_row == 0) {
			const char *code = json_string_value(json_object_get(
			    json_array_get(byc, i), "code"));
			json_array_append_new(g.row_meta, meta(code,
			    label_in(row_labels, code)));
		}
	if (other_row)
		json_array_append_new(g.row_meta, meta("others_together",
		    other_label));
	json_array_append_new(g.col_meta, meta("total", "All decisions"));
	for (j = 0; j < nout; j++)
		if (cmap[j] != (size_t)other_col || other_col == 0) {
			const char *code = json_string_value(json_object_get(
			    json_array_get(json_object_get(json_array_get(byc, 0),
			    "outcomes"), j), "code"));
			json_array_append_new(g.col_meta, meta(code,
			    label_in(NULL, code)));
		}
	if (other_col)
		json_array_append_new(g.col_meta, meta("other_outcomes",
		    "Other outcomes, together"));
	json_array_foreach(byc, i, x)
		json_array_foreach(json_object_get(x, "outcomes"), j, o) {
			n = json_integer_value(json_object_get(o, "n"));
			g.v[rmap[i] * g.cols + cmap[j]] += n;
			g.v[rmap[i] * g.cols] += n;
			g.v[cmap[j]] += n;
			g.v[0] += n;
		}
	g.prior = prior_table(prior, id);
	t = grid_table(&g, id, title, heading, NULL);
	grid_free(&g);
	free(rt);
	free(ct);
	free(rmap);
	free(cmap);
	return (t);
}

/* A table of figures with no equation between them (no totals). */
static json_t *
plain_table(const char *id, const char *title, const char *row_heading,
    json_t *cols, json_t *rows, const char *note)
{
	json_t	*t;

	t = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:i}", "id", id, "title",
	    title, "row_heading", row_heading, "totals", "none", "columns",
	    cols, "rows", rows, "withheld", 0, "protective", 0);
	if (note != NULL)
		json_object_set_new(t, "note", json_string(note));
	return (t);
}

/* A figure published on its own: the count, or "<10". */
static json_t *
count_cell(long long n)
{
	return (cell(n, n >= 1 && n <= SDC_SMALL_MAX ? SDC_SMALL : SDC_SHOWN));
}

/*
 * Rows that ended on time or late ([{code, ended, on_time, late}]): the
 * parts add up to those that ended, protected as a table.  A row with
 * fewer than 10 gives only that: split, each part would be bounded below
 * 9 whatever were hidden.
 */
static json_t *
split_table(const json_t *prior, const json_t *list, const char *key,
    const json_t *row_labels,
    const char *id, const char *title, const char *heading, const char *note)
{
	struct grid	 g;
	const json_t	*x;
	json_t		*t, *rows, *out;
	size_t		 i, k = 0, n = 0;
	long long	 ended;

	json_array_foreach(list, i, x) {
		ended = json_integer_value(json_object_get(x, "ended"));
		n += ended == 0 || ended >= SDC_HIDDEN_MIN;
	}
	grid_init(&g, n, 3, 1, 0);
	json_array_append_new(g.col_meta, meta("ended", "Ended"));
	json_array_append_new(g.col_meta, meta("on_time", "On time"));
	json_array_append_new(g.col_meta, meta("late", "Late"));
	json_array_foreach(list, i, x) {
		const char *code = json_string_value(json_object_get(x, key));

		ended = json_integer_value(json_object_get(x, "ended"));
		if (ended > 0 && ended < SDC_HIDDEN_MIN)
			continue;
		json_array_append_new(g.row_meta, meta(code, label_in(
		    row_labels, code)));
		g.v[k * 3] = ended;
		g.v[k * 3 + 1] = json_integer_value(json_object_get(x,
		    "on_time"));
		g.v[k * 3 + 2] = json_integer_value(json_object_get(x, "late"));
		k++;
	}
	g.prior = prior_table(prior, id);
	t = grid_table(&g, id, title, heading, note);
	grid_free(&g);
	if (json_is_true(json_object_get(t, "withheld")))
		return (t);
	/* Every row in its place, the small ones with their total alone. */
	rows = json_object_get(t, "rows");
	out = json_array();
	k = 0;
	json_array_foreach(list, i, x) {
		const char *code = json_string_value(json_object_get(x, key));

		ended = json_integer_value(json_object_get(x, "ended"));
		if (ended > 0 && ended < SDC_HIDDEN_MIN)
			json_array_append_new(out, json_pack("{s:s,s:s,s:[o,n,n]}",
			    "code", code, "label", label_in(row_labels, code),
			    "cells", count_cell(ended)));
		else
			json_array_append(out, json_array_get(rows, k++));
	}
	json_object_set_new(t, "rows", out);
	return (t);
}

/*
 * For the same clocks: how many were extended or paused (counts of their
 * own, in no sum), and the times, given only for 10 clocks or more.
 */
static json_t *
clock_times_table(const json_t *timeliness)
{
	static const char *const times[] = { "days_median", "days_p90",
	    "working_days_median", "working_days_p90", "paused_days_total",
	    "paused_days_median" };
	static const char *const time_labels[] = { "Median days",
	    "90th percentile days", "Median working days",
	    "90th percentile working days", "Days paused in all",
	    "Median days paused" };
	const json_t	*x;
	json_t		*cols, *rows, *cells;
	size_t		 i, k;
	long long	 ended;

	cols = json_array();
	json_array_append_new(cols, meta("extended", "Extended"));
	json_array_append_new(cols, meta("paused", "Paused"));
	for (k = 0; k < sizeof(times) / sizeof(times[0]); k++)
		json_array_append_new(cols, meta(times[k], time_labels[k]));
	rows = json_array();
	json_array_foreach(timeliness, i, x) {
		const char *clock = json_string_value(json_object_get(x,
		    "clock"));

		ended = json_integer_value(json_object_get(x, "ended"));
		cells = json_array();
		json_array_append_new(cells, count_cell(json_integer_value(
		    json_object_get(x, "extended"))));
		json_array_append_new(cells, count_cell(json_integer_value(
		    json_object_get(x, "paused"))));
		for (k = 0; k < sizeof(times) / sizeof(times[0]); k++)
			json_array_append_new(cells, ended >= SDC_HIDDEN_MIN &&
			    json_is_number(json_object_get(x, times[k])) ?
			    json_real(json_number_value(json_object_get(x,
			    times[k]))) : json_null());
		json_array_append_new(rows, json_pack("{s:s,s:s,s:o}", "code",
		    clock, "label", label_of(NULL, NULL, clock), "cells",
		    cells));
	}
	return (plain_table("timeliness_times", "Time taken, by clock", "Clock",
	    cols, rows, "Days are calendar days from the clock's start to when "
	    "it was met. Working days are the working days of the case's "
	    "calendar after the day it started, up to the day it was met. "
	    "Times are given only for 10 clocks or more."));
}

/* Figures with no equation between them: each count stands alone. */
static json_t *
count_table(const char *id, const char *title, const char *row_heading,
    const char *const *codes, const char *const *labels, const json_t *from)
{
	json_t	*rows;
	size_t	 i;

	rows = json_array();
	for (i = 0; codes[i] != NULL; i++)
		json_array_append_new(rows, json_pack("{s:s,s:s,s:[o]}", "code",
		    codes[i], "label", labels[i], "cells",
		    count_cell(json_integer_value(json_object_get(from,
		    codes[i])))));
	return (plain_table(id, title, row_heading, json_pack("[o]",
	    meta("n", "Number")), rows, NULL));
}

/* The cell of table 'id', row 'row', column 'col' (NULL when absent). */
static json_t *
find_cell(const json_t *tables, const char *id, const char *row,
    const char *col)
{
	const json_t	*t = report_table_in(tables, id), *x, *r;
	size_t		 i, j;

	if (t == NULL || json_is_true(json_object_get(t, "withheld")))
		return (NULL);
	json_array_foreach(json_object_get(t, "columns"), j, x)
		if (strcmp(json_string_value(json_object_get(x, "code")),
		    col) == 0)
			break;
	json_array_foreach(json_object_get(t, "rows"), i, r)
		if (strcmp(json_string_value(json_object_get(r, "code")),
		    row) == 0)
			return (json_array_get(json_object_get(r, "cells"), j));
	return (NULL);
}

/* A share in percent of two published counts, or null. */
static json_t *
share(const json_t *part, const json_t *whole)
{
	long long	 p, w;

	if (!json_is_integer(part) || !json_is_integer(whole) ||
	    (w = json_integer_value(whole)) == 0)
		return (json_null());
	p = json_integer_value(part);
	return (json_real((double)(p * 1000 / w) / 10.0));
}

/* All decisions with this outcome, from the raw figures. */
static long long
outcome_total(const json_t *decided, const char *outcome)
{
	const json_t	*x, *o;
	size_t		 i, j;
	long long	 n = 0;

	json_array_foreach(json_object_get(decided, "by_category"), i, x)
		json_array_foreach(json_object_get(x, "outcomes"), j, o)
			if (strcmp(json_string_value(json_object_get(o, "code")),
			    outcome) == 0)
				n += json_integer_value(json_object_get(o, "n"));
	return (n);
}

/*
 * A summary figure: its cell in the protected table; when that table is
 * withheld, the count alone (published on its own, no table gives it
 * away).
 */
static json_t *
figure(const json_t *tables, const char *id, const char *row,
    const char *col, long long raw)
{
	json_t	*c = find_cell(tables, id, row, col);

	return (c != NULL ? json_incref(c) : count_cell(raw));
}

/*
 * The quarter beside the four before it, each figure as its own report
 * published it (no new figure, so nothing new to protect); a quarter
 * with no published report has none.
 */
static json_t *
trend_table(const json_t *f, const json_t *summary)
{
	static const char *const keys[] = { "received", "decided", "upheld",
	    "decided_on_time_percent" };
	static const char *const labels[] = { "Cases received",
	    "Decisions published", "Upheld", "Decisions on time (%)" };
	const json_t	*p, *s;
	json_t		*cols, *rows, *cells;
	const char	*q;
	size_t		 i, k, n;

	cols = json_array();
	for (k = 0; k < 4; k++)
		json_array_append_new(cols, meta(keys[k], labels[k]));
	rows = json_array();
	n = json_array_size(json_object_get(f, "previous"));
	for (i = 0; i <= n; i++) {
		p = i < n ? json_array_get(json_object_get(f, "previous"), i) :
		    NULL;
		s = p != NULL ? json_object_get(p, "summary") : summary;
		cells = json_array();
		for (k = 0; k < 4; k++) {
			const json_t *c = json_object_get(s, keys[k]);

			json_array_append_new(cells, c != NULL ?
			    json_deep_copy(c) : json_null());
		}
		q = json_string_value(json_object_get(p != NULL ? p : f,
		    "quarter"));
		json_array_append_new(rows, json_pack("{s:s,s:s,s:o}", "code",
		    q, "label", q, "cells", cells));
	}
	return (plain_table("trends", "This quarter and the four before",
	    "Quarter", cols, rows, "Each quarter's figures as its newest "
	    "published report gave them; none for a quarter without one."));
}

/* This figure less the previous quarter's, when both are published. */
static json_t *
change(const json_t *now, const json_t *f, const char *key)
{
	const json_t	*prev = json_array_get(json_object_get(f, "previous"),
	    json_array_size(json_object_get(f, "previous")) - 1);
	const json_t	*then = json_object_get(json_object_get(prev,
	    "summary"), key);

	if (!json_is_integer(now) || !json_is_integer(then))
		return (json_null());
	return (json_integer(json_integer_value(now) -
	    json_integer_value(then)));
}

/* What a journalist quotes, read from the protected tables. */
static json_t *
summary(const json_t *tables, const json_t *f)
{
	const json_t	*dec = json_object_get(f, "decided");
	json_t		*s;

	s = json_object();
	json_object_set_new(s, "received", figure(tables,
	    "received_by_category", "total", "n", json_integer_value(
	    json_object_get(json_object_get(f, "received"), "total"))));
	json_object_set_new(s, "decided", figure(tables,
	    "decisions_by_category", "total", "total", outcome_total(dec,
	    "upheld") + outcome_total(dec, "partly_upheld") +
	    outcome_total(dec, "not_upheld") + outcome_total(dec,
	    "out_of_scope") + outcome_total(dec, "referred")));
	json_object_set_new(s, "upheld", figure(tables,
	    "decisions_by_category", "total", "upheld", outcome_total(dec,
	    "upheld")));
	json_object_set_new(s, "partly_upheld", figure(tables,
	    "decisions_by_category", "total", "partly_upheld",
	    outcome_total(dec, "partly_upheld")));
	json_object_set_new(s, "decided_on_time_percent", share(
	    find_cell(tables, "timeliness", "decision", "on_time"),
	    find_cell(tables, "timeliness", "decision", "ended")));
	json_object_set_new(s, "received_change", change(json_object_get(s,
	    "received"), f, "received"));
	json_object_set_new(s, "decided_change", change(json_object_get(s,
	    "decided"), f, "decided"));
	return (s);
}

/*
 * Outcomes and timeliness by each answer about oneself, for consenting
 * complainants (absent when the builder could not open the answers).
 */
static void
fairness_tables(const json_t *prior, json_t *tables, const json_t *fairness,
    const json_t *options)
{
	static const char *const qs[][2] = { { "age_band", "age" },
	    { "gender", "gender" }, { "disability", "disability" },
	    { "origin", "ethnic or national origin" } };
	const json_t	*q;
	char		 id[64], title[160];
	size_t		 i;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		if ((q = json_object_get(fairness, qs[i][0])) == NULL)
			continue;
		(void)snprintf(id, sizeof(id), "fairness_outcomes_%s",
		    qs[i][0]);
		(void)snprintf(title, sizeof(title), "Fairness: outcomes by %s "
		    "(complainants who agreed to say)", qs[i][1]);
		json_array_append_new(tables, outcome_table(prior,
		    json_object_get(q,
		    "outcomes"), json_object_get(options, qs[i][0]), id, title,
		    "Answer", "All who agreed", "Other answers, together"));
		(void)snprintf(id, sizeof(id), "fairness_timeliness_%s",
		    qs[i][0]);
		(void)snprintf(title, sizeof(title), "Fairness: decisions on time "
		    "by %s (complainants who agreed to say)", qs[i][1]);
		json_array_append_new(tables, split_table(prior,
		    json_object_get(q,
		    "timeliness"), "code", json_object_get(options, qs[i][0]),
		    id, title, "Answer", "Decisions made by the decision clock's "
		    "due instant, and after it. For fewer than 10 decisions only "
		    "their number is given."));
	}
}

/*
 * The consented narratives the figures carry ([{category, outcome, text}],
 * approved and still consented to at the snapshot), with their words.
 */
static json_t *
narratives(const json_t *list, const json_t *labels)
{
	json_t		*out, *x;
	const char	*cat, *outcome;
	size_t		 i;

	out = json_array();
	json_array_foreach(list, i, x) {
		if (!json_is_string(json_object_get(x, "text")))
			continue;
		cat = json_string_value(json_object_get(x, "category"));
		outcome = json_string_value(json_object_get(x, "outcome"));
		json_array_append_new(out, json_pack("{s:s?,s:s?,s:s?,s:s?,s:O}",
		    "category", cat, "category_label", cat != NULL ?
		    label_of(labels, "category", cat) : NULL, "outcome",
		    outcome, "outcome_label", outcome != NULL ? label_of(NULL,
		    NULL, outcome) : NULL, "text", json_object_get(x,
		    "text")));
	}
	return (out);
}

/*
 * The published document of the figures 'f' (report_figures()'s JSON).
 * 'about' is the report's identity as the caller knows it (version,
 * correction), copied in.  The caller owns the result.
 */
json_t *
report_model(const json_t *f, const json_t *about)
{
	static const char *const appeal_codes[] = { "received", "decided",
	    "changed", NULL };
	static const char *const appeal_labels[] = { "Appeals received",
	    "Appeals decided", "Decisions changed on appeal", NULL };
	static const char *const erasure_codes[] = { "request", "retention",
	    NULL };
	static const char *const erasure_labels[] = { "Erased at the "
	    "complainant's request", "Erased at the end of the retention "
	    "period", NULL };
	const json_t	*rec = json_object_get(f, "received");
	const json_t	*labels = json_object_get(f, "labels");
	const json_t	*dec = json_object_get(f, "decided");
	/* What a correction's first version hid stays hidden. */
	const json_t	*prior = json_object_get(f, "corrected");
	json_t		*doc, *tables, *t, *w, *x;
	long long	 total = json_integer_value(json_object_get(rec, "total"));
	size_t		 i;

	tables = json_array();
	json_array_append_new(tables, list_table(prior, json_object_get(rec,
	    "category"), labels, "category", total, 1, "received_by_category",
	    "Cases received, by concern", "Concern", "All cases", NULL));
	json_array_append_new(tables, list_table(prior, json_object_get(rec,
	    "channel"), labels, "channel", total, 1, "received_by_channel",
	    "Cases received, by channel", "Channel", "All cases", NULL));
	json_array_append_new(tables, list_table(prior, json_object_get(f,
	    "targeting"), labels, "targeting", total, 0,
	    "received_by_targeting", "Cases received, by reason given for "
	    "the targeting", "Reason", NULL, "A case may give several "
	    "reasons, so these do not add up to the cases received."));
	json_array_append_new(tables, list_table(prior, json_object_get(rec,
	    "ai_disclosed"), labels, "ai", total, 1, "received_by_ai",
	    "Cases received, by whether the message said AI was used",
	    "Said AI was used", "All cases", NULL));
	json_array_append_new(tables, brand_table(prior, rec));
	json_array_append_new(tables, list_table(prior, json_object_get(rec,
	    "vulnerable"), labels, "vulnerable", total, 1,
	    "received_by_vulnerable", "Cases received, by whether a child or "
	    "a vulnerable person was affected", "Vulnerable person affected",
	    "All cases", NULL));
	json_array_append_new(tables, outcome_table(prior, json_object_get(dec,
	    "by_category"), json_object_get(labels, "category"),
	    "decisions_by_category", "Decisions, by concern and outcome",
	    "Concern", "All concerns", "Other concerns, together (each with "
	    "fewer than 10 decisions, or the fewest)"));
	json_array_append_new(tables, list_table(prior, json_object_get(f,
	    "remedies"), labels, "remedy", 0, 0, "remedies", "Remedial "
	    "actions obtained", "Remedy", NULL, "A decision may obtain several "
	    "remedies."));
	t = count_table("automated", "Decisions in which automated means "
	    "were used", "Decisions", (const char *const[]){ "automated",
	    NULL }, (const char *const[]){ "Automated means used", NULL }, dec);
	json_array_append_new(tables, t);
	json_array_append_new(tables, split_table(prior, json_object_get(f,
	    "timeliness"), "clock", NULL, "timeliness", "Clocks met on time "
	    "and late", "Clock", "A clock ends when it is met; late means after "
	    "its due instant. For fewer than 10 clocks only their number is "
	    "given."));
	fairness_tables(prior, tables, json_object_get(f, "fairness"),
	    json_object_get(labels, "demographic"));
	json_array_append_new(tables, clock_times_table(json_object_get(f,
	    "timeliness")));
	json_array_append_new(tables, count_table("breaches", "Clock breaches "
	    "recorded", "Breaches", (const char *const[]){ "breaches", NULL },
	    (const char *const[]){ "Breaches recorded", NULL }, f));
	t = count_table("appeals", "Appeals", "Appeals", appeal_codes,
	    appeal_labels, json_object_get(f, "appeals"));
	x = json_object_get(json_object_get(f, "appeals"), "days_median");
	json_object_set_new(t, "median_days", json_integer_value(json_object_get(
	    json_object_get(f, "appeals"), "decided")) >= SDC_HIDDEN_MIN &&
	    json_is_number(x) ? json_real(json_number_value(x)) : json_null());
	json_array_append_new(tables, t);
	json_array_append_new(tables, count_table("erasures", "Personal data "
	    "erased", "Erasures", erasure_codes, erasure_labels,
	    json_object_get(f, "erasures")));
	w = json_object();
	json_array_foreach(json_object_get(f, "withdrawals"), i, x)
		json_object_set(w, json_string_value(json_object_get(x, "code")),
		    json_object_get(x, "n"));
	json_array_append_new(tables, count_table("withdrawals", "Consents "
	    "withdrawn", "Consent", (const char *const[]){ "contact",
	    "publish", "demographics", NULL }, (const char *const[]){
	    "Contact", "Publication", "Answers about themselves", NULL }, w));
	json_decref(w);

	doc = json_object();
	json_object_set_new(doc, "report", json_pack("{s:O,s:O,s:O,s:O}",
	    "quarter", json_object_get(f, "quarter"), "from",
	    json_object_get(f, "from"), "to", json_object_get(f, "to"),
	    "snapshot_at", json_object_get(f, "snapshot_at")));
	/* Which words the codes had: the taxonomy's version, when known. */
	if (json_is_string(json_object_get(f, "taxonomy_version")))
		json_object_set(json_object_get(doc, "report"),
		    "taxonomy_version", json_object_get(f, "taxonomy_version"));
	if (about != NULL)
		json_object_update_new(json_object_get(doc, "report"),
		    json_deep_copy(about));
	json_object_set_new(doc, "summary", summary(tables, f));
	json_array_append_new(tables, trend_table(f, json_object_get(doc,
	    "summary")));
	json_object_set_new(doc, "tables", tables);
	x = json_object_get(f, "audit");
	json_object_set_new(doc, "audit", x != NULL ? json_deep_copy(x) :
	    json_null());
	json_object_set_new(doc, "narratives", narratives(json_object_get(f,
	    "narratives"), labels));
	return (doc);
}
