/*
 * The case page's part for a consented narrative: the redacted account as
 * it stands with the scrubber's flags marked in it, who drafted and who
 * approved it, and the forms to draft and to approve it.
 */

#include <string.h>

#include "app.h"
#include "report.h"

/* Text with its line breaks kept. */
static void
lines(struct sbuf *b, const char *s, size_t len)
{
	const char	*nl;
	struct sbuf	 part;

	sbuf_init(&part);
	while (len > 0) {
		nl = memchr(s, '\n', len);
		sbuf_reset(&part);
		sbuf_add(&part, s, nl != NULL ? (size_t)(nl - s) : len);
		html_texts(b, sbuf_cstr(&part));
		if (nl == NULL)
			break;
		html_raw(b, "<br>\n");
		len -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	sbuf_free(&part);
}

/* A flag's offsets, when they fit the text and follow the last one. */
static int
flag_span(const json_t *f, size_t len, size_t after, size_t *start,
    size_t *end)
{
	json_int_t	 a, z;

	a = json_integer_value(json_object_get(f, "start"));
	z = json_integer_value(json_object_get(f, "end"));
	if (a < (json_int_t)after || z <= a || z > (json_int_t)len)
		return (0);
	*start = (size_t)a;
	*end = (size_t)z;
	return (1);
}

/* The draft, each flagged passage marked and named for screen readers. */
static void
marked_text(struct sbuf *b, const char *text, const json_t *flags)
{
	size_t		 len = strlen(text), at = 0, start, end, i;
	const json_t	*f;

	html_raw(b, "<div class=\"narrative-text\" id=\"narrative-text\" "
	    "dir=\"auto\">\n<p>");
	json_array_foreach(flags, i, f) {
		if (!flag_span(f, len, at, &start, &end))
			continue;
		lines(b, text + at, start - at);
		html_raw(b, "<mark>");
		lines(b, text + start, end - start);
		html_raw(b, "<span class=\"visually-hidden\"> (flagged: ");
		html_texts(b, report_scrub_code_words(json_text(f, "kind")));
		html_raw(b, ")</span></mark>");
		at = end;
	}
	lines(b, text + at, len - at);
	html_raw(b, "</p>\n</div>\n");
}

/* What the scrubber found, as a list a reviewer works through. */
static void
flag_list(struct sbuf *b, const char *text, const json_t *n)
{
	const json_t	*flags = json_object_get(n, "flags"), *f;
	size_t		 len = strlen(text), at = 0, start, end, i;
	struct sbuf	 part;

	if (json_array_size(flags) == 0) {
		html_raw(b, "<p>The scrubber flagged nothing in this draft. "
		    "It only finds what looks like contact details, names "
		    "from the case and long numbers: read it all.</p>\n");
		return;
	}
	sbuf_init(&part);
	sbuf_printf(&part, "The scrubber flagged %zu passage%s that may "
	    "identify someone%s; each is marked in the text.",
	    json_array_size(flags), json_array_size(flags) == 1 ? "" : "s",
	    json_is_true(json_object_get(n, "flags_more")) ? ", and stopped "
	    "counting" : "");
	html_raw(b, "<p class=\"flags-summary\"><strong>");
	html_texts(b, sbuf_cstr(&part));
	html_raw(b, "</strong></p>\n<ul class=\"flags\">\n");
	json_array_foreach(flags, i, f) {
		if (!flag_span(f, len, at, &start, &end))
			continue;
		at = end;
		sbuf_reset(&part);
		sbuf_add(&part, text + start, end - start);
		html_raw(b, "<li>");
		html_texts(b, report_scrub_code_words(json_text(f, "kind")));
		html_raw(b, ": \xe2\x80\x9c");
		html_texts(b, sbuf_cstr(&part));
		html_raw(b, "\xe2\x80\x9d</li>\n");
	}
	html_raw(b, "</ul>\n");
	sbuf_free(&part);
}

static void
draft_form(struct sbuf *b, const struct case_view *v, const json_t *n)
{
	const char	*e = view_case_error(v, "narrative", CF_TEXT), *text;

	view_case_form_open(b, v, "narrative", n != NULL ? "Redraft the "
	    "account for publication" : "Draft the account for publication");
	page_field_intro(b, "narrative-text", "The account as it will be "
	    "published", "Start from what the complainant wrote and remove "
	    "names, contact details, addresses, account and order numbers, "
	    "and anything else that could identify them or anyone else. "
	    "Saving a new draft withdraws any approval.", e, 0);
	html_raw(b, "<textarea rows=\"12\" maxlength=\"10000\" dir=\"auto\"");
	page_field_aria_name(b, "narrative-text", "text", e);
	html_raw(b, ">");
	if (v->typed != NULL && v->typed->verb == CV_NARRATIVE)
		text = v->typed->text;
	else if (n != NULL)
		text = json_text(n, "text");
	else
		text = json_string_value(json_object_get(v->c, "description"));
	if (text != NULL)
		html_texts(b, text);
	html_raw(b, "</textarea>\n</div>\n<button type=\"submit\" "
	    "class=\"button\">Save the draft</button>\n</form>\n");
}

static void
approve_form(struct sbuf *b, const struct case_view *v, const json_t *n)
{
	const char	*e = view_case_error(v,
	    "approve_narrative", CF_CHECKED);
	char		 draft[24];

	view_case_form_open(b, v, "approve_narrative", "Approve the account "
	    "for publication");
	(void)snprintf(draft, sizeof(draft), "%lld",
	    (long long)json_integer_value(json_object_get(n, "draft")));
	page_hidden(b, "draft", draft);
	if (json_array_size(json_object_get(n, "flags")) > 0 ||
	    json_is_true(json_object_get(n, "flags_more"))) {
		html_raw(b, "<div class=\"field");
		if (e != NULL)
			html_raw(b, " has-error");
		html_raw(b, "\">\n<p class=\"hint\" "
		    "id=\"f-approve_narrative-checked-hint\">Each flagged "
		    "passage must be gone, or be something that identifies "
		    "no one.</p>\n");
		page_field_error(b, "approve_narrative-checked", e);
		html_raw(b, "<div class=\"check\"><input type=\"checkbox\" "
		    "value=\"yes\"");
		page_field_aria_name(b, "approve_narrative-checked", "checked",
		    e);
		html_raw(b, "><label for=\"f-approve_narrative-checked\">I "
		    "checked every flagged passage</label></div>\n</div>\n");
	}
	html_raw(b, "<p>You approve draft ");
	html_texts(b, draft);
	html_raw(b, " as it reads above. The report of this quarter publishes "
	    "it while the complainant's consent stands.</p>\n<button "
	    "type=\"submit\" class=\"button\">Approve for publication"
	    "</button>\n</form>\n");
}

void
view_narrative(struct sbuf *b, const struct case_view *v)
{
	const json_t	*n = json_object_get(v->c, "narrative");
	const json_t	*actions = json_object_get(v->options, "actions");
	int		 may_draft, may_approve;

	if (!json_is_object(n))
		n = NULL;
	may_draft = json_is_true(json_object_get(actions, "narrative"));
	may_approve = n != NULL && json_is_true(json_object_get(actions,
	    "approve_narrative"));
	if (n == NULL && !may_draft)
		return;
	html_raw(b, "<section aria-labelledby=\"narrative-h\" "
	    "id=\"narrative\">\n<h2 id=\"narrative-h\">Account for the "
	    "transparency report</h2>\n<p>The complainant consented to "
	    "publishing their account without identifying details. Once "
	    "redacted here and approved by a second person, the report of "
	    "the quarter it is approved in publishes it, as long as the "
	    "consent stands.</p>\n");
	if (n != NULL && json_is_string(json_object_get(n, "text"))) {
		html_raw(b, "<p class=\"narrative-state\">Draft ");
		sbuf_printf(b, "%lld", (long long)json_integer_value(
		    json_object_get(n, "draft")));
		html_raw(b, " by ");
		html_texts(b, json_text(n, "drafted_by_name"));
		html_raw(b, ", ");
		view_when(b, json_text(n, "drafted_at"));
		if (json_is_string(json_object_get(n, "approved_at"))) {
			html_raw(b, ". <strong>Approved</strong> by ");
			html_texts(b, json_text(n, "approved_by_name"));
			html_raw(b, ", ");
			view_when(b, json_text(n, "approved_at"));
			html_raw(b, ".");
		} else {
			html_raw(b, ". <strong>Not approved yet</strong>: "
			    "someone other than ");
			html_texts(b, json_text(n, "drafted_by_name"));
			html_raw(b, " approves it.");
		}
		html_raw(b, "</p>\n");
		flag_list(b, json_text(n, "text"), n);
		marked_text(b, json_text(n, "text"), json_object_get(n,
		    "flags"));
	}
	if (may_approve && n != NULL)
		approve_form(b, v, n);
	if (may_draft)
		draft_form(b, v, n);
	html_raw(b, "</section>\n");
}
