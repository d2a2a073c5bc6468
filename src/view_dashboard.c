/*
 * The supervisor's service-level dashboard: tables with captions of the
 * cases at risk and breached now, by queue and by reviewer, each count
 * linking to the work list it counts; breaches this quarter; the oldest
 * unacknowledged case with its age in business time.
 */

#include <string.h>
#include <time.h>

#include "app.h"
#include "sla_words.h"

static long long
jint(json_t *o, const char *k)
{
	return ((long long)json_integer_value(json_object_get(o, k)));
}

/* A count, linking to the work list filtered so when there is any. */
static void
count_cell(struct sbuf *b, long long n, const char *query,
    const char *what, const char *whose)
{
	html_raw(b, "<td>");
	if (n == 0) {
		html_raw(b, "0");
	} else {
		html_raw(b, "<a href=\"/review?");
		html_attrs(b, query);
		html_raw(b, "\">");
		sbuf_printf(b, "%lld", n);
		html_raw(b, "<span class=\"visually-hidden\"> ");
		html_texts(b, what);
		html_raw(b, ": ");
		html_texts(b, whose);
		html_raw(b, "</span></a>");
	}
	html_raw(b, "</td>");
}

static void
table_open(struct sbuf *b, const char *id, const char *caption,
    const char *first)
{
	html_raw(b, "<div class=\"table-wrap\" role=\"region\" "
	    "aria-labelledby=\"");
	html_attrs(b, id);
	html_raw(b, "-cap\" tabindex=\"0\">\n<table class=\"dashboard\" id=\"");
	html_attrs(b, id);
	html_raw(b, "\"><caption id=\"");
	html_attrs(b, id);
	html_raw(b, "-cap\">");
	html_texts(b, caption);
	html_raw(b, "</caption>\n<thead><tr><th scope=\"col\">");
	html_texts(b, first);
	html_raw(b, "</th><th scope=\"col\">Breached</th>"
	    "<th scope=\"col\">At risk</th></tr></thead>\n<tbody>\n");
}

static void
by_queue(struct sbuf *b, json_t *queues)
{
	struct sbuf	 q;
	json_t		*r;
	size_t		 i;

	table_open(b, "by-queue", "Cases breached and at risk now, by queue",
	    "Queue");
	sbuf_init(&q);
	json_array_foreach(queues, i, r) {
		sbuf_reset(&q);
		sbuf_adds(&q, "queue=");
		html_query_escape(&q, json_text(r, "code"));
		html_raw(b, "<tr data-queue=\"");
		html_attrs(b, json_text(r, "code"));
		html_raw(b, "\"><th scope=\"row\">");
		html_texts(b, json_text(r, "name"));
		html_raw(b, "</th>");
		count_cell(b, jint(r, "breached"), sbuf_cstr(&q), "breached",
		    json_text(r, "name"));
		count_cell(b, jint(r, "at_risk"), sbuf_cstr(&q), "at risk",
		    json_text(r, "name"));
		html_raw(b, "</tr>\n");
	}
	sbuf_free(&q);
	html_raw(b, "</tbody>\n</table>\n</div>\n");
}

static void
by_reviewer(struct sbuf *b, json_t *reviewers)
{
	json_t		*r;
	size_t		 i;
	char		 q[40], id[24];
	const char	*name;

	if (json_array_size(reviewers) == 0) {
		html_raw(b, "<p id=\"by-reviewer-none\">No case is breached or "
		    "at risk now.</p>\n");
		return;
	}
	table_open(b, "by-reviewer", "Cases breached and at risk now, by "
	    "reviewer", "Reviewer");
	json_array_foreach(reviewers, i, r) {
		if (json_is_integer(json_object_get(r, "id"))) {
			(void)snprintf(id, sizeof(id), "%lld", jint(r, "id"));
			name = json_is_string(json_object_get(r, "name")) ?
			    json_text(r, "name") : id;
		} else {
			(void)snprintf(id, sizeof(id), "none");
			name = "Unassigned";
		}
		(void)snprintf(q, sizeof(q), "assignee=%s", id);
		html_raw(b, "<tr data-reviewer=\"");
		html_attrs(b, id);
		html_raw(b, "\"><th scope=\"row\">");
		html_texts(b, name);
		html_raw(b, "</th>");
		count_cell(b, jint(r, "breached"), q, "breached", name);
		count_cell(b, jint(r, "at_risk"), q, "at risk", name);
		html_raw(b, "</tr>\n");
	}
	html_raw(b, "</tbody>\n</table>\n</div>\n");
}

static void
oldest(struct sbuf *b, json_t *o, sla_time now)
{
	const struct sla_calendar	*cal;
	char				 age[SLA_WORDS_MAX], at[SLA_WORDS_MAX];
	sla_time			 started;

	html_raw(b, "<h2 id=\"oldest-h\">Oldest unacknowledged case</h2>\n");
	cal = json_is_object(o) ? clock_calendar(jint(o, "calendar_version"),
	    json_text(o, "calendar")) : NULL;
	if (cal == NULL) {
		html_raw(b, "<p id=\"oldest\">None: every open case has been "
		    "acknowledged.</p>\n");
		return;
	}
	started = (sla_time)jint(o, "started_at");
	sla_words_business(age, sizeof(age), cal, started, now);
	sla_words_instant(at, sizeof(at), cal, started, now);
	html_raw(b, "<p id=\"oldest\"><a href=\"/review/cases/");
	html_attrs(b, json_text(o, "reference"));
	html_raw(b, "\">");
	html_texts(b, json_text(o, "reference"));
	html_raw(b, "</a>, received ");
	html_texts(b, at);
	html_raw(b, ": waiting <span id=\"oldest-age\">");
	html_texts(b, age);
	html_raw(b, "</span>.</p>\n");
}

void
view_dashboard(struct sbuf *b, const struct staff *who, const char *csrf,
    json_t *d)
{
	json_t		*r;
	size_t		 i;
	long long	 breached = 0, at_risk = 0;

	page_staff_begin(b, "SLA dashboard", who, csrf);
	html_raw(b, "<h1>Service-level dashboard</h1>\n");
	json_array_foreach(json_object_get(d, "queues"), i, r) {
		breached += jint(r, "breached");
		at_risk += jint(r, "at_risk");
	}
	sbuf_printf(b, "<p id=\"now-totals\">Now: %lld case%s breached and "
	    "%lld at risk. A case counts once, by its nearest clock.</p>\n",
	    breached, breached == 1 ? "" : "s", at_risk);
	by_queue(b, json_object_get(d, "queues"));
	by_reviewer(b, json_object_get(d, "reviewers"));
	html_raw(b, "<h2>Breaches this quarter</h2>\n<p>Clocks breached in ");
	html_texts(b, json_text(d, "quarter"));
	sbuf_printf(b, ": <strong id=\"breaches-quarter\">%lld</strong>.</p>\n",
	    jint(d, "breaches_quarter"));
	oldest(b, json_object_get(d, "oldest"), time(NULL));
	page_end(b);
}
