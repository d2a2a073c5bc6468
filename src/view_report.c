/*
 * The transparency pages: the list of every published report, and one
 * report read from its published document (report.json) in the public
 * frame (report_html.c draws the report itself).
 */

#include <string.h>

#include "app.h"
#include "report.h"

/* A published version's page on the public side. */
void
view_report(struct sbuf *b, const json_t *doc, const json_t *info,
    const char *base, const json_t *versions)
{
	const char	*q = json_string_value(json_object_get(json_object_get(
	    doc, "report"), "quarter"));
	char		 title[64];

	(void)snprintf(title, sizeof(title), "Transparency report %s",
	    q != NULL ? q : "");
	page_begin(b, title);
	html_raw(b, "<h1>Transparency report: ");
	report_quarter_words(b, q != NULL ? q : "");
	html_raw(b, "</h1>\n");
	report_html_body(b, doc, info, base, "/transparency/key", versions);
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
		if (strcmp(last, report_text_of(r, "quarter")) != 0) {
			if (*last != '\0')
				html_raw(b, "</li>\n");
			html_raw(b, "<li><a href=\"/transparency/");
			html_attrs(b, report_text_of(r, "quarter"));
			html_raw(b, "\">");
			report_quarter_words(b, report_text_of(r, "quarter"));
			html_raw(b, "</a>");
			last = report_text_of(r, "quarter");
		}
		sbuf_printf(b, " \xc2\xb7 version %lld, ", (long long)
		    json_integer_value(json_object_get(r, "version")));
		html_text(b, report_text_of(r, "published_at"), 10);
	}
	html_raw(b, "</li>\n</ul>\n");
	page_end(b);
}
