/*
 * The transparency pages: the list of every published report, and one
 * report read from its published document (report.json), its summary,
 * each table with its chart, the methods, and its signed files.
 */

#include <string.h>

#include "app.h"
#include "report.h"

/* A published cell in words for a page. */
static void
cell_words(struct sbuf *b, const json_t *c)
{
	if (json_is_integer(c))
		sbuf_printf(b, "%lld", (long long)json_integer_value(c));
	else if (json_is_real(c))
		sbuf_printf(b, "%.1f", json_real_value(c));
	else if (json_is_string(c) && strcmp(json_string_value(c),
	    REPORT_MARK_SMALL) == 0)
		html_raw(b, "fewer than 10");
	else if (json_is_string(c))
		html_raw(b, "hidden");
	else
		html_raw(b, "<span aria-hidden=\"true\">\xe2\x80\x93</span>"
		    "<span class=\"visually-hidden\">not given</span>");
}

static const char *
text_of(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : "");
}

/* The quarter in words: "2026-Q3" is "July to September 2026". */
void
view_quarter_words(struct sbuf *b, const char *q)
{
	static const char *const spans[] = { "January to March",
	    "April to June", "July to September", "October to December" };
	int	 n = q[6] - '1';

	if (strlen(q) != 7 || n < 0 || n > 3) {
		html_texts(b, q);
		return;
	}
	html_raw(b, spans[n]);
	html_raw(b, " ");
	html_text(b, q, 4);
}

static void
summary(struct sbuf *b, const json_t *s)
{
	const json_t	*pct = json_object_get(s, "decided_on_time_percent");

	html_raw(b, "<section aria-labelledby=\"summary-h\">\n<h2 "
	    "id=\"summary-h\">In short</h2>\n<dl class=\"facts summary\">\n"
	    "<dt>Cases received</dt><dd>");
	cell_words(b, json_object_get(s, "received"));
	html_raw(b, "</dd>\n<dt>Decisions published</dt><dd>");
	cell_words(b, json_object_get(s, "decided"));
	html_raw(b, "</dd>\n<dt>Upheld</dt><dd>");
	cell_words(b, json_object_get(s, "upheld"));
	html_raw(b, "</dd>\n<dt>Partly upheld</dt><dd>");
	cell_words(b, json_object_get(s, "partly_upheld"));
	html_raw(b, "</dd>\n<dt>Decisions made on time</dt><dd>");
	if (json_is_number(pct))
		sbuf_printf(b, "%.1f%%", json_number_value(pct));
	else
		html_raw(b, "not given (too few to publish)");
	html_raw(b, "</dd>\n</dl>\n</section>\n");
}

/* One table: its chart when it has one, then the table itself. */
static void
table(struct sbuf *b, const json_t *t)
{
	const char	*id = text_of(t, "id");
	const json_t	*c, *r;
	size_t		 i, j;

	html_raw(b, "<section class=\"report-table\" aria-labelledby=\"");
	html_attrs(b, id);
	html_raw(b, "-h\">\n<h2 id=\"");
	html_attrs(b, id);
	html_raw(b, "-h\">");
	html_texts(b, text_of(t, "title"));
	html_raw(b, "</h2>\n");
	if (json_is_true(json_object_get(t, "withheld"))) {
		html_raw(b, "<p>Too few cases to publish this breakdown "
		    "safely: it is withheld.</p>\n</section>\n");
		return;
	}
	if (report_svg_drawable(t)) {
		html_raw(b, "<figure>\n");
		report_svg_bars(b, t, id);
		html_raw(b, "</figure>\n");
	}
	/* A wide table scrolls: reachable and named for the keyboard. */
	html_raw(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
	    "aria-labelledby=\"");
	html_attrs(b, id);
	html_raw(b, "-cap\"><table>\n<caption id=\"");
	html_attrs(b, id);
	html_raw(b, "-cap\">");
	html_texts(b, text_of(t, "title"));
	html_raw(b, "</caption>\n<thead><tr><th scope=\"col\">");
	html_texts(b, text_of(t, "row_heading"));
	html_raw(b, "</th>");
	json_array_foreach(json_object_get(t, "columns"), j, c) {
		html_raw(b, "<th scope=\"col\">");
		html_texts(b, text_of(c, "label"));
		html_raw(b, "</th>");
	}
	html_raw(b, "</tr></thead>\n<tbody>\n");
	json_array_foreach(json_object_get(t, "rows"), i, r) {
		html_raw(b, strcmp(text_of(r, "code"), "total") == 0 ?
		    "<tr class=\"total\">" : "<tr>");
		html_raw(b, "<th scope=\"row\">");
		html_texts(b, text_of(r, "label"));
		html_raw(b, "</th>");
		json_array_foreach(json_object_get(r, "cells"), j, c) {
			html_raw(b, "<td>");
			cell_words(b, c);
			html_raw(b, "</td>");
		}
		html_raw(b, "</tr>\n");
	}
	html_raw(b, "</tbody>\n</table></div>\n");
	if (json_is_string(json_object_get(t, "note"))) {
		html_raw(b, "<p class=\"hint\">");
		html_texts(b, text_of(t, "note"));
		html_raw(b, "</p>\n");
	}
	if (json_object_get(t, "median_days") != NULL) {
		html_raw(b, "<p>Median days from appeal to decision: ");
		cell_words(b, json_object_get(t, "median_days"));
		html_raw(b, "</p>\n");
	}
	html_raw(b, "</section>\n");
}

/* How the figures were made safe, and how to check the files. */
static void
methods(struct sbuf *b, const json_t *doc)
{
	const json_t	*t, *r, *c, *audit = json_object_get(doc, "audit");
	size_t		 i, j, k, small = 0, hidden = 0;

	json_array_foreach(json_object_get(doc, "tables"), i, t)
		json_array_foreach(json_object_get(t, "rows"), j, r)
			json_array_foreach(json_object_get(r, "cells"), k, c) {
				if (!json_is_string(c))
					continue;
				if (strcmp(json_string_value(c),
				    REPORT_MARK_SMALL) == 0)
					small++;
				else
					hidden++;
			}
	html_raw(b, "<section aria-labelledby=\"methods-h\">\n<h2 "
	    "id=\"methods-h\">How these figures were made</h2>\n<p>Cases "
	    "received are those we received in the quarter; decisions, "
	    "appeals and clocks are those that ended in it. Every figure is "
	    "as the data stood at ");
	html_texts(b, text_of(json_object_get(doc, "report"), "snapshot_at"));
	html_raw(b, ".</p>\n<p>So that no one can be recognised, every count "
	    "from 1 to 9 is published as \"fewer than 10\" (\"&lt;10\" in "
	    "the open data). Where the totals would let a reader work such a "
	    "count out, or narrow it below the whole range from 1 to 9, "
	    "further counts are hidden (\"x\" in the open data); each hidden "
	    "count is 10 or more, and none can be worked out to a single "
	    "value. Rows or columns with fewer than 10 cases are first put "
	    "together as \"other\"; a table that still cannot be protected is "
	    "withheld. Times are given only for 10 cases or more.</p>\n");
	sbuf_printf(b, "<p>In this report, %zu counts are shown as fewer than "
	    "10, and %zu more are hidden to protect them.</p>\n", small, hidden);
	if (json_is_object(audit)) {
		html_raw(b, "<p>Our audit log, which records every action on "
		    "every case, had sealed ");
		sbuf_printf(b, "%lld", (long long)json_integer_value(
		    json_object_get(audit, "seq")));
		html_raw(b, " entries by then; the last seal is <code "
		    "class=\"hash\">");
		html_texts(b, text_of(audit, "hash"));
		html_raw(b, "</code>. Publishing it means that no entry up to "
		    "it can be changed or removed without it showing.</p>\n");
	}
	html_raw(b, "<p>Each file below is signed. To check one, download it "
	    "with its <code>.sig</code> file and <a href=\"/transparency/key\">"
	    "our public key</a>, then run <code>signify-openbsd -V -p "
	    "report.pub -m report.json</code>.</p>\n</section>\n");
}

/* The files of the version, each with its signature. */
static void
files(struct sbuf *b, const json_t *list, const char *base)
{
	const json_t	*f;
	size_t		 i;

	html_raw(b, "<section aria-labelledby=\"files-h\">\n<h2 "
	    "id=\"files-h\">Open data and signatures</h2>\n<ul class=\"files\">\n");
	json_array_foreach(list, i, f) {
		html_raw(b, "<li><a href=\"");
		html_attrs(b, base);
		html_attrs(b, text_of(f, "name"));
		html_raw(b, "\">");
		html_texts(b, text_of(f, "name"));
		html_raw(b, "</a> (");
		view_file_size(b, (long long)json_integer_value(json_object_get(
		    f, "size")));
		html_raw(b, ", <a href=\"");
		html_attrs(b, base);
		html_attrs(b, text_of(f, "name"));
		html_raw(b, ".sig\">signature</a>)<br>SHA-256 <code "
		    "class=\"hash\">");
		html_texts(b, text_of(f, "sha256"));
		html_raw(b, "</code></li>\n");
	}
	html_raw(b, "</ul>\n</section>\n");
}

/*
 * One version of a report below its title: 'doc' its document, 'info' its
 * row of report_published() (or a draft's, from staff_report()), 'base'
 * the folder of its files ("/transparency/2026-Q3/v1/"), 'versions' every
 * published version of the quarter (or NULL).
 */
void
view_report_body(struct sbuf *b, const json_t *doc, const json_t *info,
    const char *base, const json_t *versions)
{
	const json_t	*rep = json_object_get(doc, "report"), *t, *v;
	size_t		 i;

	html_raw(b, "<p class=\"lede\">");
	if (json_is_string(json_object_get(info, "published_at"))) {
		sbuf_printf(b, "Version %lld", (long long)json_integer_value(
		    json_object_get(rep, "version")));
		html_raw(b, ", published ");
		html_text(b, text_of(info, "published_at"), 10);
	} else
		sbuf_printf(b, "Draft of version %lld, not published",
		    (long long)json_integer_value(json_object_get(rep,
		    "version")));
	html_raw(b, ".</p>\n");
	if (json_is_integer(json_object_get(rep, "corrects"))) {
		html_raw(b, "<div class=\"notice\"><p>");
		sbuf_printf(b, "This version corrects version %lld: ",
		    (long long)json_integer_value(json_object_get(rep,
		    "corrects")));
		html_texts(b, text_of(rep, "correction_note"));
		html_raw(b, "</p></div>\n");
	}
	if (json_array_size(versions) > 1) {
		html_raw(b, "<p>All versions: ");
		json_array_foreach(versions, i, v) {
			if (i > 0)
				html_raw(b, ", ");
			sbuf_printf(b, "<a href=\"/transparency/%s/v%lld/\">"
			    "version %lld</a>", text_of(v, "quarter"),
			    (long long)json_integer_value(json_object_get(v,
			    "version")), (long long)json_integer_value(
			    json_object_get(v, "version")));
		}
		html_raw(b, ".</p>\n");
	}
	summary(b, json_object_get(doc, "summary"));
	json_array_foreach(json_object_get(doc, "tables"), i, t)
		table(b, t);
	methods(b, doc);
	files(b, json_object_get(info, "files"), base);
}

/* A published version's page on the public side. */
void
view_report(struct sbuf *b, const json_t *doc, const json_t *info,
    const char *base, const json_t *versions)
{
	const json_t	*rep = json_object_get(doc, "report");
	char		 title[64];

	(void)snprintf(title, sizeof(title), "Transparency report %s",
	    text_of(rep, "quarter"));
	page_begin(b, title);
	html_raw(b, "<h1>Transparency report: ");
	view_quarter_words(b, text_of(rep, "quarter"));
	html_raw(b, "</h1>\n");
	view_report_body(b, doc, info, base, versions);
	page_end(b);
}

/* Every published report, newest quarter first, each version listed. */
void
view_transparency(struct sbuf *b, const json_t *reports)
{
	const json_t	*r;
	size_t		 i;
	const char	*last = "";

	page_begin(b, "Transparency reports");
	html_raw(b, "<h1>Transparency reports</h1>\n<p>Every quarter we "
	    "publish what happened to the concerns people reported: how many, "
	    "about what, what we decided and how quickly. The figures are "
	    "made so that no one can be recognised from them, and every file "
	    "is signed with <a href=\"/transparency/key\">our public key</a>. "
	    "A published report is never changed: a correction is a new "
	    "version that says what it changes.</p>\n");
	if (json_array_size(reports) == 0) {
		html_raw(b, "<p>No report has been published yet.</p>\n");
		page_end(b);
		return;
	}
	html_raw(b, "<ul class=\"reports\">\n");
	json_array_foreach(reports, i, r) {
		if (strcmp(last, text_of(r, "quarter")) != 0) {
			if (*last != '\0')
				html_raw(b, "</li>\n");
			html_raw(b, "<li><a href=\"/transparency/");
			html_attrs(b, text_of(r, "quarter"));
			html_raw(b, "\">");
			view_quarter_words(b, text_of(r, "quarter"));
			html_raw(b, "</a>");
			last = text_of(r, "quarter");
		}
		sbuf_printf(b, " \xc2\xb7 version %lld, ", (long long)
		    json_integer_value(json_object_get(r, "version")));
		html_text(b, text_of(r, "published_at"), 10);
	}
	html_raw(b, "</li>\n</ul>\n");
	page_end(b);
}
