/*
 * The transparency report in HTML, shared by the signed report.html the
 * builder writes and the pages that show a report: its summary, each table
 * with its chart and caption, the methods (the suppression rule, how many
 * counts were hidden and why, the audit chain's head, how to check the
 * signatures) and its files.  Pure: the caller frames it.
 */

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "recourse.h"
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

/* A member's text, or "" (the pages read optional members). */
const char *
report_text_of(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : "");
}

/* The quarter in words: "2026-Q3" is "July to September 2026". */
void
report_quarter_words(struct sbuf *b, const char *q)
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

/* " (12 more than the quarter before)", or nothing. */
static void
change_words(struct sbuf *b, const json_t *d)
{
	long long	 n;

	if (!json_is_integer(d))
		return;
	n = json_integer_value(d);
	if (n == 0)
		html_raw(b, " (as many as the quarter before)");
	else
		sbuf_printf(b, " (%lld %s than the quarter before)", n > 0 ? n :
		    -n, n > 0 ? "more" : "fewer");
}

static void
summary(struct sbuf *b, const json_t *s)
{
	const json_t	*pct = json_object_get(s, "decided_on_time_percent");

	html_raw(b, "<section aria-labelledby=\"summary-h\">\n<h2 "
	    "id=\"summary-h\">In short</h2>\n<dl class=\"facts summary\">\n"
	    "<dt>Cases received</dt><dd>");
	cell_words(b, json_object_get(s, "received"));
	change_words(b, json_object_get(s, "received_change"));
	html_raw(b, "</dd>\n<dt>Decisions published</dt><dd>");
	cell_words(b, json_object_get(s, "decided"));
	change_words(b, json_object_get(s, "decided_change"));
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
	const char	*id = report_text_of(t, "id");
	const json_t	*c, *r;
	size_t		 i, j;

	html_raw(b, "<section class=\"report-table\" aria-labelledby=\"");
	html_attrs(b, id);
	html_raw(b, "-h\">\n<h2 id=\"");
	html_attrs(b, id);
	html_raw(b, "-h\">");
	html_texts(b, report_text_of(t, "title"));
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
	html_texts(b, report_text_of(t, "title"));
	html_raw(b, "</caption>\n<thead><tr><th scope=\"col\">");
	html_texts(b, report_text_of(t, "row_heading"));
	html_raw(b, "</th>");
	json_array_foreach(json_object_get(t, "columns"), j, c) {
		html_raw(b, "<th scope=\"col\">");
		html_texts(b, report_text_of(c, "label"));
		html_raw(b, "</th>");
	}
	html_raw(b, "</tr></thead>\n<tbody>\n");
	json_array_foreach(json_object_get(t, "rows"), i, r) {
		html_raw(b, strcmp(report_text_of(r, "code"), "total") == 0 ?
		    "<tr class=\"total\">" : "<tr>");
		html_raw(b, "<th scope=\"row\">");
		html_texts(b, report_text_of(r, "label"));
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
		html_texts(b, report_text_of(t, "note"));
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
/* One account: a paragraph for each of its lines. */
static void
account(struct sbuf *b, const char *text)
{
	const char	*nl;
	size_t		 n, m;

	html_raw(b, "<blockquote dir=\"auto\">\n");
	while (*text != '\0') {
		nl = strchr(text, '\n');
		n = nl != NULL ? (size_t)(nl - text) : strlen(text);
		m = n > 0 && text[n - 1] == '\r' ? n - 1 : n;
		if (m > 0) {
			html_raw(b, "<p>");
			html_text(b, text, m);
			html_raw(b, "</p>\n");
		}
		text += n + (nl != NULL);
	}
	html_raw(b, "</blockquote>\n");
}

/* The consented narratives, when the quarter has any. */
static void
narratives(struct sbuf *b, const json_t *list)
{
	const json_t	*x;
	size_t		 i;

	if (json_array_size(list) == 0)
		return;
	html_raw(b, "<section aria-labelledby=\"narratives-h\">\n<h2 "
	    "id=\"narratives-h\">In their own words</h2>\n<p>");
	sbuf_printf(b, "%zu account%s, published with %s author's consent "
	    "after a reviewer removed what could identify anyone and a second "
	    "person approved the text.", json_array_size(list),
	    json_array_size(list) == 1 ? "" : "s",
	    json_array_size(list) == 1 ? "its" : "each");
	html_raw(b, "</p>\n");
	json_array_foreach(list, i, x) {
		html_raw(b, "<figure class=\"account\">\n");
		account(b, report_text_of(x, "text"));
		html_raw(b, "<figcaption>Concern: ");
		html_texts(b, report_text_of(x, "category_label"));
		html_raw(b, ". Outcome: ");
		html_texts(b, json_is_string(json_object_get(x,
		    "outcome_label")) ? report_text_of(x, "outcome_label") :
		    "not decided by the snapshot");
		html_raw(b, ".</figcaption>\n</figure>\n");
	}
	html_raw(b, "</section>\n");
}

static void
methods(struct sbuf *b, const json_t *doc, const char *key)
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
	html_texts(b, report_text_of(json_object_get(doc, "report"), "snapshot_at"));
	html_raw(b, ".");
	if (*report_text_of(json_object_get(doc, "report"),
	    "taxonomy_version") != '\0') {
		html_raw(b, " Concerns, channels, reasons and answers are named "
		    "as in our taxonomy at that instant, version <code "
		    "class=\"hash\">");
		html_texts(b, report_text_of(json_object_get(doc, "report"),
		    "taxonomy_version"));
		html_raw(b, "</code>.");
	}
	html_raw(b, "</p>\n<p>So that no one can be recognised, every count "
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
		html_texts(b, report_text_of(audit, "hash"));
		html_raw(b, "</code>. Publishing it means that no entry up to "
		    "it can be changed or removed without it showing.</p>\n");
	}
	html_raw(b, "<p>Each file is signed. To check one, download it with "
	    "its <code>.sig</code> file and ");
	if (key != NULL) {
		html_raw(b, "<a href=\"");
		html_attrs(b, key);
		html_raw(b, "\">our public key</a>");
	} else
		html_raw(b, "our public key (report.pub, published on our "
		    "website at /transparency/key)");
	html_raw(b, ", then run <code>signify-openbsd -V -p report.pub -m "
	    "report.json</code>.</p>\n</section>\n");
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
		html_attrs(b, report_text_of(f, "name"));
		html_raw(b, "\">");
		html_texts(b, report_text_of(f, "name"));
		html_raw(b, "</a> (");
		html_size(b, (long long)json_integer_value(json_object_get(
		    f, "size")));
		html_raw(b, ", <a href=\"");
		html_attrs(b, base);
		html_attrs(b, report_text_of(f, "name"));
		html_raw(b, ".sig\">signature</a>)<br>SHA-256 <code "
		    "class=\"hash\">");
		html_texts(b, report_text_of(f, "sha256"));
		html_raw(b, "</code></li>\n");
	}
	html_raw(b, "</ul>\n</section>\n");
}

/*
 * One version of a report below its title: 'doc' its document, 'info' its
 * row of report_published() (or a draft's, from staff_report()), 'base'
 * the folder of its files ("/transparency/2026-Q3/v1/", or "" beside
 * them), 'key' where the signing key is (or NULL: named, not linked),
 * 'versions' every published version of the quarter (or NULL).
 */
void
report_html_body(struct sbuf *b, const json_t *doc, const json_t *info,
    const char *base, const char *key, const json_t *versions)
{
	const json_t	*rep = json_object_get(doc, "report"), *t, *v;
	size_t		 i;

	html_raw(b, "<p class=\"lede\">");
	if (json_is_string(json_object_get(info, "published_at"))) {
		sbuf_printf(b, "Version %lld", (long long)json_integer_value(
		    json_object_get(rep, "version")));
		html_raw(b, ", published ");
		html_text(b, report_text_of(info, "published_at"), 10);
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
		html_texts(b, report_text_of(rep, "correction_note"));
		html_raw(b, "</p></div>\n");
	}
	if (json_array_size(versions) > 1) {
		html_raw(b, "<p>All versions: ");
		json_array_foreach(versions, i, v) {
			if (i > 0)
				html_raw(b, ", ");
			sbuf_printf(b, "<a href=\"/transparency/%s/v%lld/\">"
			    "version %lld</a>", report_text_of(v, "quarter"),
			    (long long)json_integer_value(json_object_get(v,
			    "version")), (long long)json_integer_value(
			    json_object_get(v, "version")));
		}
		html_raw(b, ".</p>\n");
	}
	summary(b, json_object_get(doc, "summary"));
	json_array_foreach(json_object_get(doc, "tables"), i, t)
		table(b, t);
	narratives(b, json_object_get(doc, "narratives"));
	methods(b, doc, key);
	files(b, json_object_get(info, "files"), base);
}


/* The report's own stylesheet: the signed file stands alone. */
static const char report_css[] =
    "body{font-family:system-ui,sans-serif;line-height:1.5;color:#0b0c0c;"
    "max-width:48rem;margin:0 auto;padding:1rem}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;"
    "border-bottom:1px solid #b1b4b6}thead th{border-bottom:2px solid #0b0c0c}"
    "tr.total th,tr.total td{font-weight:700}"
    "caption{text-align:left;font-weight:700;padding:.5rem 0}"
    "dl.summary{display:grid;grid-template-columns:minmax(8rem,16rem) 1fr;"
    "gap:.25rem 1rem}dl.summary dt{font-weight:700}dl.summary dd{margin:0}"
    "svg.chart{width:100%;max-width:30rem;height:auto;display:block}"
    ".chart-bar{fill:#1d70b8}.chart-label,.chart-value{font-size:13px}"
    "code.hash{overflow-wrap:anywhere;word-break:break-all}"
    ".table-wrap{overflow-x:auto}.visually-hidden{position:absolute;"
    "width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
    "white-space:nowrap}"
    "@media print{section{break-inside:avoid}.table-wrap{overflow:visible}}";

/*
 * report.html: the document standing alone, with every file of the
 * report but itself listed beside it (the caller frees the text).
 */
char *
report_html_document(const json_t *doc, const json_t *files)
{
	const json_t	*rep = json_object_get(doc, "report");
	json_t		*info;
	struct sbuf	 b;

	sbuf_init(&b);
	html_raw(&b, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>"
	    "Transparency report ");
	html_texts(&b, report_text_of(rep, "quarter"));
	html_raw(&b, " \xe2\x80\x93 Recourse</title>\n<style>");
	html_raw(&b, report_css);
	html_raw(&b, "</style>\n</head>\n<body>\n<main>\n<h1>Recourse "
	    "transparency report: ");
	report_quarter_words(&b, report_text_of(rep, "quarter"));
	html_raw(&b, "</h1>\n");
	info = json_pack("{s:o}", "files", json_deep_copy(files));
	report_html_body(&b, doc, info, "", NULL, NULL);
	json_decref(info);
	html_raw(&b, "</main>\n</body>\n</html>\n");
	return (b.data);
}
