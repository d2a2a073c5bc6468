/*
 * The back office's report pages: every report with the form that asks
 * for a draft, and one report with its state, what a supervisor may do
 * with it now, and its contents as they will be published.
 */

#include <string.h>
#include <time.h>

#include "app.h"
#include "report.h"


static const char *
state_words(const char *state)
{
	static const char *const words[][2] = {
		{ "requested", "Waiting for the builder" },
		{ "building", "Being built" },
		{ "draft", "Draft, ready for review" },
		{ "failed", "The build failed" },
		{ "publish_requested", "Waiting for a second supervisor" },
		{ "published", "Published" },
		{ "discarded", "Discarded" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i][0], state) == 0)
			return (words[i][1]);
	return (state);
}

/* Why a step was refused, in words. */
static const char *
refusal_words(const char *o)
{
	if (o == NULL || strcmp(o, "ok") == 0)
		return (NULL);
	if (strcmp(o, "same_person") == 0)
		return ("Another supervisor must approve it: you asked for it "
		    "to be published.");
	if (strcmp(o, "stale") == 0)
		return ("Another version of this quarter was published since "
		    "this draft was asked for. Ask for a new draft.");
	if (strcmp(o, "withdrawn") == 0)
		return ("An account in this draft may no longer be published: "
		    "its author withdrew their consent, their data was erased, "
		    "or the account was redrafted. Discard this draft and ask "
		    "for a new one.");
	if (strcmp(o, "forbidden") == 0)
		return ("Only a supervisor can do this.");
	if (strncmp(o, "invalid:", 8) == 0)
		return (NULL);
	return ("This is not possible any more: the report's state has "
	    "changed.");
}

/* The request form's problem with one field, from 'invalid:{...}'. */
static const char *
field_error(const json_t *errors, const char *field)
{
	return (json_string_value(json_object_get(errors, field)));
}

/* The quarters that have begun, newest first: this one and seven more. */
static void
quarter_options(struct sbuf *b, const char *chosen)
{
	time_t		 now = time(NULL);
	struct tm	 tm;
	int		 y, q, i;
	char		 code[32];

	gmtime_r(&now, &tm);
	y = tm.tm_year + 1900;
	q = tm.tm_mon / 3 + 1;
	for (i = 0; i < 8; i++) {
		(void)snprintf(code, sizeof(code), "%04d-Q%d", y, q);
		html_raw(b, "<option value=\"");
		html_attrs(b, code);
		html_raw(b, "\"");
		if (chosen != NULL && strcmp(chosen, code) == 0)
			html_raw(b, " selected");
		html_raw(b, ">");
		report_quarter_words(b, code);
		html_raw(b, "</option>\n");
		if (--q == 0) {
			q = 4;
			y--;
		}
	}
}

/*
 * The newest published versions that hold an account which may no longer
 * be published (consent withdrawn, data erased): each needs a correction.
 */
static void
corrections_owed(struct sbuf *b, const json_t *reports)
{
	const json_t	*r;
	size_t		 i, n = 0;

	json_array_foreach(reports, i, r) {
		if (!json_is_true(json_object_get(r, "newest")) ||
		    json_integer_value(json_object_get(r, "withdrawn")) == 0)
			continue;
		if (n++ == 0)
			html_raw(b, "<div class=\"notice\" id=\"corrections-"
			    "owed\" role=\"status\">\n<h2>Corrections owed"
			    "</h2>\n<ul>\n");
		html_raw(b, "<li>");
		report_quarter_words(b, report_text_of(r, "quarter"));
		sbuf_printf(b, ", version %lld, publishes %lld account%s that "
		    "may no longer be published (consent withdrawn, data "
		    "erased or account redrafted). Ask for a correction of this quarter; its note "
		    "could say \u201cAn account is removed at its author's "
		    "request.\u201d</li>\n", (long long)json_integer_value(
		    json_object_get(r, "version")),
		    (long long)json_integer_value(json_object_get(r,
		    "withdrawn")), json_integer_value(json_object_get(r,
		    "withdrawn")) == 1 ? "" : "s");
	}
	if (n > 0)
		html_raw(b, "</ul>\n</div>\n");
}

void
view_staff_reports(struct sbuf *b, const struct reports_view *v)
{
	json_t		*errors = NULL;
	const json_t	*r;
	const char	*eq, *en;
	size_t		 i;

	if (v->outcome != NULL && strncmp(v->outcome, "invalid:", 8) == 0)
		errors = json_loads(v->outcome + 8, 0, NULL);
	eq = field_error(errors, "quarter");
	en = field_error(errors, "note");
	page_staff_begin(b, errors != NULL ? "Error: transparency reports" :
	    "Transparency reports", v->who, v->csrf);
	html_raw(b, "<h1>Transparency reports</h1>\n");
	if (errors != NULL) {
		const char *ids[2] = { "quarter", "note" };
		const char *msgs[2] = { eq, en };

		page_error_summary(b, ids, msgs, 2);
	}
	html_raw(b, "<p>A draft is built from the figures as they stand when "
	    "you ask for it; small counts are hidden and every file is "
	    "signed. Another supervisor must approve its publication. A "
	    "published report never changes: ask for a correction instead, "
	    "saying what it changes and why.</p>\n");
	html_raw(b, "<form method=\"post\" action=\"/review/reports\" "
	    "class=\"action\" novalidate>\n<h2>Ask for a draft</h2>\n");
	page_hidden(b, "csrf", v->csrf);
	page_field_intro(b, "quarter", "Quarter", "A quarter that has begun; "
	    "figures are as at the moment you ask.", eq, 0);
	html_raw(b, "<select");
	page_field_aria(b, "quarter", eq);
	html_raw(b, ">\n");
	quarter_options(b, v->quarter);
	html_raw(b, "</select>\n</div>\n");
	page_field_intro(b, "note", "What a correction changes, and why",
	    "Only for a quarter already published: readers see this with the "
	    "new version.", en, 1);
	html_raw(b, "<textarea rows=\"3\" maxlength=\"4000\"");
	page_field_aria(b, "note", en);
	html_raw(b, ">");
	if (v->note != NULL)
		html_texts(b, v->note);
	html_raw(b, "</textarea>\n</div>\n<button type=\"submit\" "
	    "class=\"button\">Ask for a draft</button>\n</form>\n");
	corrections_owed(b, v->reports);
	html_raw(b, "<h2>Reports</h2>\n");
	if (json_array_size(v->reports) == 0)
		html_raw(b, "<p>None yet.</p>\n");
	else {
		html_raw(b, "<div class=\"table-wrap\" tabindex=\"0\" "
		    "role=\"region\" aria-labelledby=\"reports-cap\"><table>\n"
		    "<caption id=\"reports-cap\">Every report, newest first"
		    "</caption>\n<thead><tr><th scope=\"col\">Report</th>"
		    "<th scope=\"col\">Quarter</th><th scope=\"col\">Version"
		    "</th><th scope=\"col\">State</th><th scope=\"col\">Asked "
		    "for by</th></tr></thead>\n<tbody>\n");
		json_array_foreach(v->reports, i, r) {
			sbuf_printf(b, "<tr><th scope=\"row\"><a href=\""
			    "/review/reports/%lld\">Report %lld</a></th><td>",
			    (long long)json_integer_value(json_object_get(r,
			    "id")), (long long)json_integer_value(
			    json_object_get(r, "id")));
			html_texts(b, report_text_of(r, "quarter"));
			sbuf_printf(b, "</td><td>%lld</td><td>",
			    (long long)json_integer_value(json_object_get(r,
			    "version")));
			html_texts(b, state_words(report_text_of(r, "state")));
			html_raw(b, "</td><td>");
			html_texts(b, report_text_of(r, "requested_by"));
			html_raw(b, ", ");
			html_text(b, report_text_of(r, "requested_at"), 10);
			html_raw(b, "</td></tr>\n");
		}
		html_raw(b, "</tbody>\n</table></div>\n");
	}
	page_end(b);
	json_decref(errors);
}

/* A term and the report's member 'key', when it has one. */
static void
fact(struct sbuf *b, const char *term, const json_t *r, const char *key)
{
	if (!json_is_string(json_object_get(r, key)))
		return;
	html_raw(b, "<dt>");
	html_texts(b, term);
	html_raw(b, "</dt><dd>");
	html_texts(b, report_text_of(r, key));
	html_raw(b, "</dd>\n");
}

/* A form that takes one step on report 'id'. */
static void
step_form(struct sbuf *b, const struct reports_view *v, long long id,
    const char *step, const char *label, const char *style)
{
	sbuf_printf(b, "<form method=\"post\" action=\"/review/reports/%lld/%s\""
	    " class=\"inline\">", id, step);
	page_hidden(b, "csrf", v->csrf);
	html_raw(b, "<button type=\"submit\" class=\"button");
	html_raw(b, style);
	html_raw(b, "\">");
	html_texts(b, label);
	html_raw(b, "</button></form>\n");
}

void
view_staff_report(struct sbuf *b, const struct reports_view *v)
{
	const json_t	*r = v->report;
	const char	*state = report_text_of(r, "state"), *why;
	long long	 id = json_integer_value(json_object_get(r, "id"));
	long long	 me = v->who->id;
	char		 title[64], base[64];

	(void)snprintf(title, sizeof(title), "Report %lld", id);
	why = refusal_words(v->outcome);
	page_staff_begin(b, why != NULL ? "Error: report" : title, v->who,
	    v->csrf);
	sbuf_printf(b, "<p><a href=\"/review/reports\">All reports</a></p>\n"
	    "<h1>Report %lld: ", id);
	report_quarter_words(b, report_text_of(r, "quarter"));
	sbuf_printf(b, ", version %lld</h1>\n", (long long)json_integer_value(
	    json_object_get(r, "version")));
	if (why != NULL) {
		html_raw(b, "<div class=\"error-summary\" role=\"alert\" "
		    "tabindex=\"-1\"><h2>There is a problem</h2><p>");
		html_texts(b, why);
		html_raw(b, "</p></div>\n");
	}
	html_raw(b, "<dl class=\"facts summary\">\n<dt>State</dt><dd "
	    "id=\"report-state\">");
	html_texts(b, state_words(state));
	html_raw(b, "</dd>\n<dt>Asked for by</dt><dd>");
	html_texts(b, report_text_of(r, "requested_by"));
	html_raw(b, "</dd>\n<dt>Figures as at</dt><dd>");
	html_texts(b, report_text_of(r, "snapshot_at"));
	html_raw(b, "</dd>\n");
	fact(b, "Corrects the published version", r, "correction_note");
	fact(b, "Publication asked for by", r, "publish_requested_by");
	fact(b, "Approved and published by", r, "published_by");
	fact(b, "Published at", r, "published_at");
	fact(b, "Why the build failed", r, "build_error");
	sbuf_printf(b, "<dt>Accounts in their own words</dt><dd>%lld",
	    (long long)json_integer_value(json_object_get(r, "narratives")));
	if (json_integer_value(json_object_get(r, "withdrawn")) > 0)
		sbuf_printf(b, ", <strong id=\"narratives-withdrawn\">of "
		    "which %lld may no longer be published</strong> (consent "
		    "withdrawn, data erased or account redrafted): %s",
		    (long long)json_integer_value(json_object_get(r,
		    "withdrawn")), strcmp(state, "published") == 0 ?
		    "ask for a correction" : "ask for a new draft");
	html_raw(b, "</dd>\n</dl>\n");
	if (strcmp(state, "requested") == 0 || strcmp(state, "building") == 0)
		html_raw(b, "<p>The builder has not finished yet. Reload this "
		    "page in a moment.</p>\n");
	html_raw(b, "<div class=\"actions\">\n");
	if (strcmp(state, "draft") == 0)
		step_form(b, v, id, "publish_request", "Ask to publish", "");
	if (strcmp(state, "publish_requested") == 0) {
		if (json_integer_value(json_object_get(r,
		    "publish_requested_by_id")) != me)
			step_form(b, v, id, "approve", "Approve and publish", "");
		else
			html_raw(b, "<p>Another supervisor must approve the "
			    "publication.</p>\n");
	}
	if (strcmp(state, "draft") == 0 || strcmp(state, "failed") == 0 ||
	    strcmp(state, "publish_requested") == 0)
		step_form(b, v, id, "discard", "Discard", " secondary");
	html_raw(b, "</div>\n");
	if (v->document != NULL) {
		(void)snprintf(base, sizeof(base), "/review/reports/%lld/files/",
		    id);
		html_raw(b, "<h2>As it will be published</h2>\n");
		report_html_body(b, v->document, r, base, NULL, NULL);
	}
	page_end(b);
}
