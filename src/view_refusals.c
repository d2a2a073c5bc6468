/*
 * The supervisor's page of refused attempts: a count per account for the
 * last 24 hours and 30 days, and one account's refusals in detail.
 */

#include <stdlib.h>
#include <string.h>

#include "app.h"

static const struct {
	const char	*action;
	const char	*label;
} refusal_labels[] = {
	{ "refused.case_read", "Opened a case out of reach, or none" },
	{ "refused.case_action", "Action on a case refused" },
	{ "refused.csrf", "Form sent with a wrong CSRF token" },
	{ "refused.role", "Page or command for another role" },
	{ "refused.api_token", "API call with a refused token" },
};

static const char *
refusal_label(const char *action)
{
	size_t	 i;

	for (i = 0; i < sizeof(refusal_labels) / sizeof(refusal_labels[0]);
	    i++)
		if (strcmp(refusal_labels[i].action, action) == 0)
			return (refusal_labels[i].label);
	return (action);
}

static long long
jint(const json_t *o, const char *k)
{
	return ((long long)json_integer_value(json_object_get(o, k)));
}

/* The detail object as "key: value; ...", values as JSON text. */
static void
detail_text(struct sbuf *b, json_t *detail)
{
	const char	*k;
	json_t		*val;
	char		*s;
	int		 first = 1;

	json_object_foreach(detail, k, val) {
		html_raw(b, first ? "" : "; ");
		first = 0;
		html_texts(b, k);
		html_raw(b, ": ");
		if (json_is_string(val))
			html_texts(b, json_string_value(val));
		else if ((s = json_dumps(val, JSON_ENCODE_ANY)) != NULL) {
			html_texts(b, s);
			free(s);
		}
	}
}

static void
accounts_table(struct sbuf *b, json_t *accounts)
{
	json_t	*a;
	size_t	 i;

	if (json_array_size(accounts) == 0) {
		html_raw(b, "<p id=\"no-refusals\">No refused attempts in the "
		    "last 30 days.</p>\n");
		return;
	}
	html_raw(b, "<div class=\"table-wrap\" role=\"region\" "
	    "aria-label=\"Refusals per account\" tabindex=\"0\">"
	    "<table class=\"refusals\" id=\"refusal-counts\"><thead><tr>"
	    "<th scope=\"col\">Account</th>"
	    "<th scope=\"col\">Last 24 hours</th>"
	    "<th scope=\"col\">Last 30 days</th>"
	    "<th scope=\"col\">Latest (UTC)</th></tr></thead><tbody>\n");
	json_array_foreach(accounts, i, a) {
		sbuf_printf(b, "<tr data-account=\"%lld\"><th scope=\"row\">"
		    "<a href=\"/review/refusals?account=%lld\">", jint(a, "id"),
		    jint(a, "id"));
		html_texts(b, json_text(a, "login"));
		html_raw(b, "</a> (");
		html_texts(b, json_text(a, "name"));
		html_raw(b, json_is_true(json_object_get(a, "active")) ? ")" :
		    ", deactivated)");
		sbuf_printf(b, "</th><td class=\"day\">%lld</td>"
		    "<td class=\"month\">%lld</td><td>", jint(a, "day"),
		    jint(a, "month"));
		html_texts(b, json_text(a, "last"));
		html_raw(b, "</td></tr>\n");
	}
	html_raw(b, "</tbody></table></div>\n");
}

static void
events_table(struct sbuf *b, json_t *account, json_t *events)
{
	json_t	*e;
	size_t	 i;

	html_raw(b, "<section aria-labelledby=\"events-h\" id=\"events\">"
	    "<h2 id=\"events-h\">Refused attempts by ");
	html_texts(b, json_text(account, "login"));
	html_raw(b, ", last 30 days</h2>\n");
	if (json_array_size(events) == 0) {
		html_raw(b, "<p>None.</p>\n</section>\n");
		return;
	}
	html_raw(b, "<div class=\"table-wrap\" role=\"region\" "
	    "aria-label=\"Refused attempts\" tabindex=\"0\">"
	    "<table class=\"audit\"><thead><tr>"
	    "<th scope=\"col\">Audit #</th><th scope=\"col\">Time (UTC)</th>"
	    "<th scope=\"col\">What</th><th scope=\"col\">Object</th>"
	    "<th scope=\"col\">Details</th></tr></thead><tbody>\n");
	json_array_foreach(events, i, e) {
		sbuf_printf(b, "<tr><td>%lld</td><td>", jint(e, "id"));
		html_texts(b, json_text(e, "at"));
		html_raw(b, "</td><td data-action=\"");
		html_attrs(b, json_text(e, "action"));
		html_raw(b, "\">");
		html_texts(b, refusal_label(json_text(e, "action")));
		html_raw(b, "</td><td>");
		html_texts(b, json_text(e, "object"));
		html_raw(b, "</td><td>");
		detail_text(b, json_object_get(e, "detail"));
		html_raw(b, "</td></tr>\n");
	}
	html_raw(b, "</tbody></table></div>\n</section>\n");
}

void
view_refusals(struct sbuf *b, const struct refusals_view *v)
{
	json_t	*account;

	page_staff_begin(b, "Refused attempts", v->who, v->csrf);
	html_raw(b, "<h1>Refused attempts</h1>\n<p>Requests by staff that "
	    "the service refused: a case out of their reach or that does not "
	    "exist, an action they may not take, a form with a wrong CSRF "
	    "token, a page for another role, an API call with a revoked or "
	    "expired token. Each is in the audit log; nothing of a case's "
	    "content is.</p>\n");
	accounts_table(b, json_object_get(v->report, "accounts"));
	account = json_object_get(v->report, "account");
	if (json_is_object(account))
		events_table(b, account, json_object_get(v->report, "events"));
	else if (v->account_asked)
		html_raw(b, "<p class=\"error\" id=\"no-account\">There is no "
		    "such account.</p>\n");
	page_end(b);
}
