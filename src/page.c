/*
 * The frame every page shares (document head, skip link, header and
 * navigation of the public side or the back office, footer) and the parts
 * every form shares (error summary, label, hint, error, ARIA wiring).
 */

#include "app.h"

static void
page_head(struct sbuf *b, const char *title)
{
	int	 staff = app.review;

	html_raw(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	html_texts(b, title);
	html_raw(b, " \xe2\x80\x93 Recourse</title>\n"
	    "<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
	    "<script src=\"/static/app.js\" defer></script>\n"
	    "</head>\n");
	html_raw(b, staff ? "<body class=\"staff\">\n" : "<body>\n");
	html_raw(b, "<a class=\"skip\" href=\"#main\">Skip to main content"
	    "</a>\n");
}

void
page_begin(struct sbuf *b, const char *title)
{
	page_head(b, title);
	if (app.review) {
		/* Login, set-up and error pages of the back office. */
		html_raw(b, "<header class=\"site\">\n<a class=\"brand\" "
		    "href=\"/review\">Recourse back office</a>\n</header>\n"
		    "<main id=\"main\" tabindex=\"-1\">\n");
		return;
	}
	html_raw(b, "<header class=\"site\">\n"
	    "<a class=\"brand\" href=\"/\">Recourse</a>\n"
	    "<nav aria-label=\"Main\"><ul>\n"
	    "<li><a href=\"/complaints/new\">Report a concern</a></li>\n"
	    "<li><a href=\"/track\">Follow a report</a></li>\n"
	    "<li><a href=\"/transparency\">Reports</a></li>\n"
	    "<li><a href=\"/privacy\">Privacy</a></li>\n"
	    "</ul></nav>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

/* The back office's frame, with the staff member and a logout button. */
void
page_staff_begin(struct sbuf *b, const char *title, const struct staff *who,
    const char *csrf)
{
	page_head(b, title);
	html_raw(b, "<header class=\"site staff\">\n<a class=\"brand\" "
	    "href=\"/review\">Recourse back office</a>\n"
	    "<nav aria-label=\"Main\"><ul>\n"
	    "<li><a href=\"/review\">Work list</a></li>\n");
	if (staff_has(who, STAFF_SUPERVISOR | STAFF_ADMIN))
		html_raw(b, "<li><a href=\"/review/refusals\">Refused attempts"
		    "</a></li>\n");
	if (staff_has(who, STAFF_SUPERVISOR))
		html_raw(b, "<li><a href=\"/review/dashboard\">SLA dashboard"
		    "</a></li>\n<li><a href=\"/review/reports\">Reports"
		    "</a></li>\n");
	if (staff_has(who, STAFF_ADMIN))
		html_raw(b, "<li><a href=\"/admin\">Administration</a></li>\n");
	html_raw(b, "<li><a href=\"/review/account\">Account</a></li>\n"
	    "<li><form method=\"post\" action=\"/review/logout\" "
	    "class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"");
	html_attrs(b, csrf);
	html_raw(b, "\"><button type=\"submit\" class=\"link\">Log out ");
	html_texts(b, who->login);
	html_raw(b, "</button></form></li>\n</ul></nav>\n</header>\n"
	    "<main id=\"main\" tabindex=\"-1\">\n");
}

void
page_end(struct sbuf *b)
{
	html_raw(b, "</main>\n<footer class=\"site\">\n<p>Recourse is an "
	    "independent accountability service for AI-driven marketing. "
	    "<a href=\"/privacy\">How we handle your data</a>.</p>\n"
	    "</footer>\n</body>\n</html>\n");
}

/* Opens a form field: label, the reason we ask, and any error. */
void
page_field_intro(struct sbuf *b, const char *id, const char *label,
    const char *hint, const char *error, int optional)
{
	html_raw(b, "<div class=\"field");
	if (error != NULL)
		html_raw(b, " has-error");
	html_raw(b, "\">\n<label for=\"f-");
	html_attrs(b, id);
	html_raw(b, "\">");
	html_texts(b, label);
	if (optional)
		html_raw(b, " <span class=\"optional\">(optional)</span>");
	html_raw(b, "</label>\n<p class=\"hint\" id=\"f-");
	html_attrs(b, id);
	html_raw(b, "-hint\">");
	html_texts(b, hint);
	html_raw(b, "</p>\n");
	page_field_error(b, id, error);
}

/* The error of field f-<id>, as f-<id>-error; nothing when NULL. */
void
page_field_error(struct sbuf *b, const char *id, const char *error)
{
	if (error == NULL)
		return;
	html_raw(b, "<p class=\"error\" id=\"f-");
	html_attrs(b, id);
	html_raw(b, "-error\"><span class=\"visually-hidden\">Error: "
	    "</span>");
	html_texts(b, error);
	html_raw(b, "</p>\n");
}

void
page_field_aria(struct sbuf *b, const char *id, const char *error)
{
	page_field_aria_name(b, id, id, error);
}

/* The same for a field whose name differs from its id. */
void
page_field_aria_name(struct sbuf *b, const char *id, const char *name,
    const char *error)
{
	html_raw(b, " id=\"f-");
	html_attrs(b, id);
	html_raw(b, "\" name=\"");
	html_attrs(b, name);
	html_raw(b, "\" aria-describedby=\"f-");
	html_attrs(b, id);
	html_raw(b, "-hint");
	if (error != NULL) {
		html_raw(b, " f-");
		html_attrs(b, id);
		html_raw(b, "-error\" aria-invalid=\"true");
	}
	html_raw(b, "\"");
}

/*
 * The list of problems at the top of a form, each linking to its field;
 * app.js moves focus to it.  Entries with a NULL message are skipped; one
 * with a NULL id (about no field shown) is listed without a link.
 */
void
page_error_summary(struct sbuf *b, const char *const *ids,
    const char *const *messages, size_t n)
{
	size_t	 i;

	html_raw(b, "<div class=\"error-summary\" role=\"alert\" "
	    "aria-labelledby=\"error-summary-title\" tabindex=\"-1\">\n"
	    "<h2 id=\"error-summary-title\">There is a problem</h2>\n<ul>\n");
	for (i = 0; i < n; i++) {
		if (messages[i] == NULL)
			continue;
		if (ids[i] == NULL) {
			html_raw(b, "<li>");
			html_texts(b, messages[i]);
			html_raw(b, "</li>\n");
			continue;
		}
		html_raw(b, "<li><a href=\"#f-");
		html_attrs(b, ids[i]);
		html_raw(b, "\">");
		html_texts(b, messages[i]);
		html_raw(b, "</a></li>\n");
	}
	html_raw(b, "</ul>\n</div>\n");
}

void
page_hidden(struct sbuf *b, const char *name, const char *value)
{
	html_raw(b, "<input type=\"hidden\" name=\"");
	html_attrs(b, name);
	html_raw(b, "\" value=\"");
	html_attrs(b, value);
	html_raw(b, "\">\n");
}
