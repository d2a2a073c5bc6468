/*
 * The admin's outbox page: every notification with its recipient (an
 * account, or the complainant of a case: never an address), state,
 * attempts, next attempt and last error.
 */

#include <string.h>

#include "app.h"

static const struct {
	const char	*kind;
	const char	*label;
} outbox_kinds[] = {
	{ "complainant_note", "Update note to a complainant" },
	{ "supervisor_alert", "Breach or escalation alert" },
	{ "staff_digest", "Digest" },
};

static const char *
kind_label(const char *kind)
{
	size_t	 i;

	for (i = 0; i < sizeof(outbox_kinds) / sizeof(outbox_kinds[0]); i++)
		if (strcmp(outbox_kinds[i].kind, kind) == 0)
			return (outbox_kinds[i].label);
	return (kind);
}

static void
outbox_table(struct sbuf *b, json_t *rows)
{
	json_t	*r;
	size_t	 i;

	html_raw(b, "<div class=\"table-wrap\" role=\"region\" "
	    "aria-label=\"Outbox\" tabindex=\"0\">"
	    "<table class=\"outbox\" id=\"outbox\"><thead><tr>"
	    "<th scope=\"col\">#</th><th scope=\"col\">What</th>"
	    "<th scope=\"col\">To</th><th scope=\"col\">State</th>"
	    "<th scope=\"col\">Attempts</th>"
	    "<th scope=\"col\">Next attempt (UTC)</th>"
	    "<th scope=\"col\">Last error</th>"
	    "<th scope=\"col\">Created (UTC)</th></tr></thead><tbody>\n");
	json_array_foreach(rows, i, r) {
		sbuf_printf(b, "<tr data-id=\"%lld\"><td>%lld</td>"
		    "<td data-kind=\"", (long long)json_integer_value(
		    json_object_get(r, "id")), (long long)json_integer_value(
		    json_object_get(r, "id")));
		html_attrs(b, json_text(r, "kind"));
		html_raw(b, "\">");
		html_texts(b, kind_label(json_text(r, "kind")));
		html_raw(b, "</td><td class=\"to\">");
		html_texts(b, json_text(r, "recipient"));
		html_raw(b, "</td><td class=\"state\">");
		html_texts(b, json_text(r, "state"));
		sbuf_printf(b, "</td><td class=\"attempts\">%lld</td><td>",
		    (long long)json_integer_value(json_object_get(r,
		    "attempts")));
		html_texts(b, json_text(r, "next_attempt"));
		html_raw(b, "</td><td class=\"error\">");
		html_texts(b, json_text(r, "last_error"));
		html_raw(b, "</td><td>");
		html_texts(b, json_text(r, "created"));
		html_raw(b, "</td></tr>\n");
	}
	html_raw(b, "</tbody></table></div>\n");
}

void
view_outbox(struct sbuf *b, const struct outbox_view *v)
{
	page_staff_begin(b, "Outbox", v->who, v->csrf);
	view_admin_subnav(b);
	html_raw(b, "<h1>Outbox</h1>\n<p>Notifications by e-mail: digests "
	    "and alerts to staff, and content-free update notes to "
	    "complainants who asked for them. The sender delivers them; "
	    "without an SMTP server configured they stay queued here.</p>\n");
	if (json_array_size(v->rows) == 0)
		html_raw(b, "<p id=\"outbox-empty\">Nothing here.</p>\n");
	else
		outbox_table(b, v->rows);
	if (v->next_before > 0)
		sbuf_printf(b, "<p class=\"pager\"><a href=\"/admin/outbox?"
		    "before=%lld\">Older notifications</a></p>\n",
		    v->next_before);
	page_end(b);
}
