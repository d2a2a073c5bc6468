/*
 * The frame every public page shares: document head, skip link, site
 * header and navigation, and footer.
 */

#include "app.h"

void
page_begin(struct sbuf *b, const char *title)
{
	html_raw(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	html_texts(b, title);
	html_raw(b, " \xe2\x80\x93 Recourse</title>\n"
	    "<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
	    "<script src=\"/static/app.js\" defer></script>\n"
	    "</head>\n<body>\n"
	    "<a class=\"skip\" href=\"#main\">Skip to main content</a>\n"
	    "<header class=\"site\">\n"
	    "<a class=\"brand\" href=\"/\">Recourse</a>\n"
	    "<nav aria-label=\"Main\"><ul>\n"
	    "<li><a href=\"/complaints/new\">Report a concern</a></li>\n"
	    "<li><a href=\"/track\">Follow a report</a></li>\n"
	    "<li><a href=\"/privacy\">Privacy</a></li>\n"
	    "</ul></nav>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

void
page_end(struct sbuf *b)
{
	html_raw(b, "</main>\n<footer class=\"site\">\n<p>Recourse is an "
	    "independent accountability service for AI-driven marketing. "
	    "<a href=\"/privacy\">How we handle your data</a>.</p>\n"
	    "</footer>\n</body>\n</html>\n");
}
