/*
 * The back office's case pages: the work list with its filters and pages,
 * and the case with its account, messages, decisions, timeline and the
 * forms of every action the viewer may take now.
 */

#include <string.h>

#include "app.h"

static const struct {
	const char	*code;
	const char	*label;
} staff_states[] = {
	{ "received", "Received" },
	{ "triaged", "Triaged" },
	{ "investigating", "Investigating" },
	{ "awaiting_complainant", "Awaiting complainant" },
	{ "decided", "Decided" },
	{ "appealed", "Appealed" },
	{ "closed", "Closed" },
	{ "rejected", "Rejected" },
};

static const char *const outcome_labels[] = { "Upheld", "Partly upheld",
    "Not upheld", "Out of scope", "Referred elsewhere", NULL };
static const char *const remedy_labels[] = { "Campaign stopped or changed",
    "Data deleted", "Consent flow fixed", "Model or targeting rule changed",
    "Opt-out honoured", "Apology", "Compensation", "Staff guidance", "None",
    NULL };

static const char *
state_label(const char *code)
{
	size_t	 i;

	for (i = 0; i < sizeof(staff_states) / sizeof(staff_states[0]); i++)
		if (strcmp(staff_states[i].code, code) == 0)
			return (staff_states[i].label);
	return (code);
}

/* "2026-12-01T10:00:00Z" (or with a space or +00:00): "2026-12-01 10:00 UTC" */
void
view_when(struct sbuf *b, const char *ts)
{
	char	 out[17];

	if (strlen(ts) < 16) {
		html_texts(b, ts);
		return;
	}
	memcpy(out, ts, 16);
	out[10] = ' ';
	out[16] = '\0';
	html_raw(b, "<time datetime=\"");
	html_attrs(b, ts);
	html_raw(b, "\">");
	html_texts(b, out);
	html_raw(b, " UTC</time>");
}

/* A clock's state in words; risk is shown in text, not colour alone. */
static void
sla_state_tag(struct sbuf *b, const char *state)
{
	if (strcmp(state, "breached") == 0)
		html_raw(b, " <strong class=\"tag late\">breached</strong>");
	else if (strcmp(state, "at_risk") == 0)
		html_raw(b, " <strong class=\"tag late\">at risk</strong>");
	else if (strcmp(state, "paused") == 0)
		html_raw(b, " <span class=\"tag\">paused</span>");
	else if (strcmp(state, "met") == 0)
		html_raw(b, " <span class=\"tag\">met</span>");
}

/* The plain-language label of a concern code, from the page's options. */
static const char *
category_label(json_t *options, const char *code)
{
	json_t	*o;
	size_t	 i;

	json_array_foreach(json_object_get(options, "categories"), i, o)
		if (strcmp(json_text(o, "code"), code) == 0)
			return (json_text(o, "label"));
	return (code);
}

/* ---------------------------------------------------------------- */
/* Work list                                                        */
/* ---------------------------------------------------------------- */

static void
option(struct sbuf *b, const char *value, const char *label,
    const char *selected)
{
	html_raw(b, "<option value=\"");
	html_attrs(b, value);
	html_raw(b, "\"");
	if (strcmp(value, selected) == 0)
		html_raw(b, " selected");
	html_raw(b, ">");
	html_texts(b, label);
	html_raw(b, "</option>\n");
}

static void
filter_select_open(struct sbuf *b, const char *id, const char *label)
{
	html_raw(b, "<div class=\"filter\"><label for=\"f-");
	html_attrs(b, id);
	html_raw(b, "\">");
	html_texts(b, label);
	html_raw(b, "</label>\n<select id=\"f-");
	html_attrs(b, id);
	html_raw(b, "\" name=\"");
	html_attrs(b, id);
	html_raw(b, "\">\n");
}

static void
worklist_filters(struct sbuf *b, const struct worklist_view *v)
{
	const struct worklist_filter	*f = v->filter;
	json_t				*o;
	size_t				 i;
	char				 p[2];

	html_raw(b, "<form method=\"get\" action=\"/review\" class=\"filters\" "
	    "role=\"search\" aria-label=\"Filter the work list\">\n");
	filter_select_open(b, "state", "State");
	option(b, "", "Open cases", f->state);
	for (i = 0; i < sizeof(staff_states) / sizeof(staff_states[0]); i++)
		option(b, staff_states[i].code, staff_states[i].label,
		    f->state);
	html_raw(b, "</select></div>\n");
	filter_select_open(b, "category", "Concern");
	option(b, "", "Any", f->category);
	json_array_foreach(json_object_get(v->options, "categories"), i, o)
		option(b, json_text(o, "code"), json_text(o, "label"), f->category);
	html_raw(b, "</select></div>\n");
	filter_select_open(b, "queue", "Queue");
	option(b, "", "Any of mine", f->queue);
	json_array_foreach(json_object_get(v->options, "queues"), i, o)
		option(b, json_text(o, "code"), json_text(o, "name"), f->queue);
	html_raw(b, "</select></div>\n");
	filter_select_open(b, "priority", "Priority");
	option(b, "", "Any", f->priority);
	for (i = 4; i >= 1; i--) {
		p[0] = '0' + (char)i;
		p[1] = '\0';
		option(b, p, i == 4 ? "4 urgent" : i == 3 ? "3 high" :
		    i == 2 ? "2 normal" : "1 low", f->priority);
	}
	html_raw(b, "</select></div>\n");
	filter_select_open(b, "assignee", "Assigned to");
	option(b, "", "Anyone or no one", f->assignee);
	option(b, "me", "Me", f->assignee);
	option(b, "none", "No one", f->assignee);
	html_raw(b, "</select></div>\n<div class=\"filter\"><label "
	    "for=\"f-brand\">Brand</label>\n<input type=\"text\" id=\"f-brand\" "
	    "name=\"brand\" maxlength=\"200\" value=\"");
	html_attrs(b, f->brand);
	html_raw(b, "\"></div>\n<button type=\"submit\" class=\"button\">"
	    "Show</button>\n</form>\n");
}

/* The link to the next page keeps the filters. */
static void
next_link(struct sbuf *b, const struct worklist_view *v)
{
	const struct worklist_filter	*f = v->filter;
	const char	*names[] = { "state", "category", "queue", "priority",
			    "assignee", "brand" };
	const char	*values[] = { f->state, f->category, f->queue,
			    f->priority, f->assignee, f->brand };
	struct sbuf	 url;
	size_t		 i;

	sbuf_init(&url);
	sbuf_adds(&url, "/review?");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (values[i][0] == '\0')
			continue;
		sbuf_printf(&url, "%s=", names[i]);
		html_query_escape(&url, values[i]);
		sbuf_addc(&url, '&');
	}
	sbuf_adds(&url, "after=");
	html_query_escape(&url, v->next);
	html_raw(b, "<p class=\"pager\"><a href=\"");
	html_attrs(b, sbuf_cstr(&url));
	html_raw(b, "\">Next page</a></p>\n");
	sbuf_free(&url);
}

void
view_worklist(struct sbuf *b, const struct worklist_view *v)
{
	json_t		*r;
	size_t		 i, n;

	page_staff_begin(b, v->filter->error_field ? "Error: work list" :
	    "Work list", v->who, v->csrf);
	html_raw(b, "<h1>Work list</h1>\n");
	if (v->filter->error_field != NULL) {
		html_raw(b, "<div class=\"error-summary\" role=\"alert\" "
		    "tabindex=\"-1\"><h2>There is a problem</h2><ul>\n");
		for (i = 0; i < (size_t)v->filter->nbad; i++) {
			html_raw(b, "<li>The filter &ldquo;");
			html_texts(b, v->filter->bad[i]);
			html_raw(b, "&rdquo; is not valid; choose again.</li>\n");
		}
		html_raw(b, "</ul></div>\n");
	}
	worklist_filters(b, v);
	n = json_array_size(v->rows);
	if (n == 0) {
		html_raw(b, "<p class=\"empty\">No cases match.</p>\n");
		page_end(b);
		return;
	}
	html_raw(b, "<div class=\"table-wrap\" role=\"region\" "
	    "aria-label=\"Cases\" tabindex=\"0\">\n<table class=\"worklist\">\n"
	    "<caption>Cases, breached and at risk first, then the "
	    "earliest deadline</caption>\n<thead><tr><th scope=\"col\">Case</th>"
	    "<th scope=\"col\">Risk and due time</th>"
	    "<th scope=\"col\">Priority</th>"
	    "<th scope=\"col\">State</th><th scope=\"col\">Concern</th>"
	    "<th scope=\"col\">Brand</th><th scope=\"col\">Queue</th>"
	    "<th scope=\"col\">Assigned to</th></tr></thead>\n<tbody>\n");
	json_array_foreach(v->rows, i, r) {
		html_raw(b, "<tr><th scope=\"row\"><a href=\"/review/cases/");
		html_attrs(b, json_text(r, "reference"));
		html_raw(b, "\">");
		html_texts(b, json_text(r, "reference"));
		html_raw(b, "</a>");
		if (json_is_true(json_object_get(r, "vulnerable")))
			html_raw(b, " <span class=\"tag\">vulnerable</span>");
		if (json_is_true(json_object_get(r, "appeal")))
			html_raw(b, " <span class=\"tag\">appeal</span>");
		html_raw(b, "</th><td>");
		/* Risk in words first; the colour only repeats it. */
		view_clock_risk(b, json_text(r, "sla_state"));
		html_raw(b, " ");
		if (json_is_string(json_object_get(r, "sla_words")))
			html_texts(b, json_text(r, "sla_words"));
		else if (json_is_string(json_object_get(r, "sla_due")))
			view_when(b, json_text(r, "sla_due"));
		sbuf_printf(b, "</td><td>%d</td><td>",
		    (int)json_integer_value(json_object_get(r, "priority")));
		html_texts(b, state_label(json_text(r, "state")));
		html_raw(b, "</td><td>");
		html_texts(b, category_label(v->options, json_text(r, "category")));
		html_raw(b, "</td><td dir=\"auto\">");
		html_texts(b, json_text(r, "brand"));
		html_raw(b, "</td><td>");
		html_texts(b, json_text(r, "queue"));
		html_raw(b, "</td><td>");
		html_texts(b, json_is_string(json_object_get(r,
		    "assignee_name")) ? json_text(r, "assignee_name") : "\xe2\x80\x94");
		html_raw(b, "</td></tr>\n");
	}
	html_raw(b, "</tbody>\n</table>\n</div>\n");
	if (v->next[0] != '\0')
		next_link(b, v);
	page_end(b);
}

/* ---------------------------------------------------------------- */
/* The case                                                         */
/* ---------------------------------------------------------------- */

const char *
view_clock_label(const char *clock)
{
	if (strcmp(clock, "acknowledge") == 0)
		return ("Acknowledge");
	if (strcmp(clock, "response") == 0)
		return ("First response");
	if (strcmp(clock, "decision") == 0)
		return ("Decision");
	if (strcmp(clock, "appeal") == 0)
		return ("Appeal decision");
	if (strcmp(clock, "erasure") == 0)
		return ("Erasure request");
	return (clock);
}

/* Each started clock: its state and due instant (met: when). */
static void
case_clocks(struct sbuf *b, json_t *c)
{
	json_t	*k;
	size_t	 i;

	json_array_foreach(json_object_get(c, "clocks"), i, k) {
		html_raw(b, "<dt>");
		html_texts(b, view_clock_label(json_text(k, "clock")));
		html_raw(b, "</dt><dd class=\"clock\">");
		if (strcmp(json_text(k, "state"), "met") == 0) {
			html_raw(b, "Met ");
			view_when(b, json_text(k, "met_at"));
		} else {
			html_raw(b, "Due ");
			view_when(b, json_text(k, "due_at"));
		}
		sla_state_tag(b, json_text(k, "state"));
		if (json_is_string(json_object_get(k, "breached_at"))) {
			html_raw(b, " (breached ");
			view_when(b, json_text(k, "breached_at"));
			html_raw(b, ")");
		}
		html_raw(b, "</dd>\n");
	}
	if (json_is_string(json_object_get(c, "escalated_at"))) {
		html_raw(b, "<dt>Escalated</dt><dd>");
		view_when(b, json_text(c, "escalated_at"));
		html_raw(b, "</dd>\n");
	}
}

static void
dl_item(struct sbuf *b, const char *term, const char *value)
{
	html_raw(b, "<dt>");
	html_texts(b, term);
	html_raw(b, "</dt><dd dir=\"auto\">");
	html_texts(b, value);
	html_raw(b, "</dd>\n");
}

static void
paragraphs(struct sbuf *b, const char *text)
{
	html_raw(b, "<div class=\"prose\" dir=\"auto\">");
	html_texts(b, text);
	html_raw(b, "</div>\n");
}

/* A personal text of the case, or a word saying it was erased (null). */
static void
personal_text(struct sbuf *b, const json_t *o, const char *key)
{
	if (json_is_string(json_object_get(o, key)))
		paragraphs(b, json_text(o, key));
	else
		html_raw(b, "<p class=\"erased\">Erased.</p>\n");
}

/* The posted action when the page comes back for this verb, else NULL. */
static const struct case_action *
typed_for(const struct case_view *v, const char *verb)
{
	if (v->typed == NULL || strcmp(case_verb_name(v->typed->verb),
	    verb) != 0)
		return (NULL);
	return (v->typed);
}

/* The error of field f of the action just posted, if it was this verb. */
const char *
view_case_error(const struct case_view *v, const char *verb,
    enum case_field f)
{
	const struct case_action	*t = typed_for(v, verb);

	return (t != NULL ? t->error[f] : NULL);
}

/* Opens an action's form; a refusal of this action goes first. */
static void
action_open(struct sbuf *b, const struct case_view *v, const char *verb,
    const char *title)
{
	html_raw(b, "<form method=\"post\" class=\"action\" id=\"act-");
	html_attrs(b, verb);
	html_raw(b, "\" action=\"/review/cases/");
	html_attrs(b, json_text(v->c, "reference"));
	html_raw(b, "/");
	html_attrs(b, verb);
	html_raw(b, "\" enctype=\"multipart/form-data\" novalidate>\n<h3>");
	html_texts(b, title);
	html_raw(b, "</h3>\n");
	page_hidden(b, "csrf", v->csrf);
	if (v->error != NULL && typed_for(v, verb) != NULL) {
		html_raw(b, "<p class=\"error\" role=\"alert\">");
		html_texts(b, v->error);
		html_raw(b, "</p>\n");
	}
}

/* The id of a field: f-VERB-NAME, unique on the page. */
static void
field_id(char *id, size_t size, const char *verb, enum case_field f)
{
	(void)snprintf(id, size, "%s-%s", verb, case_field_names[f]);
}

/* id, name and ARIA attributes of a control with its hint and error. */
static void
control_attrs(struct sbuf *b, const char *id, enum case_field f,
    const char *error)
{
	html_raw(b, " id=\"f-");
	html_attrs(b, id);
	html_raw(b, "\" name=\"");
	html_attrs(b, case_field_names[f]);
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

/* A textarea; what was typed comes back whenever the form does. */
static void
action_text(struct sbuf *b, const struct case_view *v, const char *verb,
    const char *label, const char *hint)
{
	const struct case_action	*t = typed_for(v, verb);
	char				 id[48];
	const char			*e;

	field_id(id, sizeof(id), verb, CF_TEXT);
	e = view_case_error(v, verb, CF_TEXT);
	page_field_intro(b, id, label, hint, e, 0);
	html_raw(b, "<textarea rows=\"5\" maxlength=\"10000\" dir=\"auto\"");
	control_attrs(b, id, CF_TEXT, e);
	html_raw(b, ">");
	if (t != NULL && t->text != NULL)
		html_texts(b, t->text);
	html_raw(b, "</textarea>\n</div>\n");
}

static void
action_button(struct sbuf *b, const char *label)
{
	html_raw(b, "<button type=\"submit\" class=\"button\">");
	html_texts(b, label);
	html_raw(b, "</button>\n</form>\n");
}

static void
select_field(struct sbuf *b, const struct case_view *v, const char *verb,
    enum case_field f, const char *label, const char *hint)
{
	char		 id[48];
	const char	*e;

	field_id(id, sizeof(id), verb, f);
	e = view_case_error(v, verb, f);
	page_field_intro(b, id, label, hint, e, 0);
	html_raw(b, "<select");
	control_attrs(b, id, f, e);
	html_raw(b, ">\n");
}

/* A fieldset of checkboxes or radios, its legend and any error. */
static void
fieldset_open(struct sbuf *b, const struct case_view *v, const char *verb,
    enum case_field f, const char *legend)
{
	char		 id[48];
	const char	*e;

	field_id(id, sizeof(id), verb, f);
	e = view_case_error(v, verb, f);
	html_raw(b, "<fieldset class=\"field");
	if (e != NULL)
		html_raw(b, " has-error");
	html_raw(b, "\" id=\"f-");
	html_attrs(b, id);
	html_raw(b, "\"");
	if (e != NULL) {
		html_raw(b, " aria-describedby=\"f-");
		html_attrs(b, id);
		html_raw(b, "-error\"");
	}
	html_raw(b, "><legend>");
	html_texts(b, legend);
	html_raw(b, "</legend>\n");
	if (e != NULL) {
		html_raw(b, "<p class=\"error\" id=\"f-");
		html_attrs(b, id);
		html_raw(b, "-error\"><span class=\"visually-hidden\">Error: "
		    "</span>");
		html_texts(b, e);
		html_raw(b, "</p>\n");
	}
}

/* One checkbox or radio of a fieldset. */
static void
choice(struct sbuf *b, const char *type, enum case_field f,
    const char *value, const char *label, int checked)
{
	html_raw(b, "<div class=\"check\"><input type=\"");
	html_raw(b, type);
	html_raw(b, "\" name=\"");
	html_attrs(b, case_field_names[f]);
	html_raw(b, "\" id=\"f-");
	html_attrs(b, case_field_names[f]);
	html_raw(b, "-");
	html_attrs(b, value);
	html_raw(b, "\" value=\"");
	html_attrs(b, value);
	html_raw(b, "\"");
	if (checked)
		html_raw(b, " checked");
	html_raw(b, "><label for=\"f-");
	html_attrs(b, case_field_names[f]);
	html_raw(b, "-");
	html_attrs(b, value);
	html_raw(b, "\">");
	html_texts(b, label);
	html_raw(b, "</label></div>\n");
}

static int
is(const char *state, const char *a)
{
	return (strcmp(state, a) == 0);
}

/* Whether case_actions() (SQL) lets the reader do this now. */
static int
may(const struct case_view *v, const char *verb)
{
	return (json_is_true(json_object_get(json_object_get(v->options,
	    "actions"), verb)));
}

static const char *
priority_label(int p)
{
	return (p == 4 ? "4 urgent" : p == 3 ? "3 high" : p == 2 ? "2 normal" :
	    "1 low");
}

static void
triage_form(struct sbuf *b, const struct case_view *v)
{
	const struct case_action	*t = typed_for(v, "triage");
	json_t				*o, *prios;
	size_t				 i;
	int				 cur;
	char				 p[2];

	action_open(b, v, "triage", "Triage");
	select_field(b, v, "triage", CF_CATEGORY, "Concern", "");
	json_array_foreach(json_object_get(v->options, "categories"), i, o)
		option(b, json_text(o, "code"), json_text(o, "label"),
		    t != NULL ? (t->category ? t->category : "") :
		    json_text(v->c, "category"));
	html_raw(b, "</select>\n</div>\n");
	select_field(b, v, "triage", CF_PRIORITY, "Priority",
	    "High (3) and urgent (4) decisions need a supervisor's second "
	    "signature.");
	cur = t != NULL ? t->priority :
	    (int)json_integer_value(json_object_get(v->c, "priority"));
	prios = json_object_get(json_object_get(v->options, "actions"),
	    "triage_priorities");
	p[1] = '\0';
	for (i = json_array_size(prios); i > 0; i--) {
		p[0] = '0' + (char)json_integer_value(json_array_get(prios,
		    i - 1));
		option(b, p, priority_label(p[0] - '0'), cur == p[0] - '0' ?
		    p : "");
	}
	html_raw(b, "</select>\n</div>\n");
	select_field(b, v, "triage", CF_QUEUE, "Queue", "");
	json_array_foreach(json_object_get(v->options, "queues"), i, o)
		option(b, json_text(o, "code"), json_text(o, "name"),
		    t != NULL && t->queue != NULL ? t->queue :
		    json_text(v->c, "queue"));
	html_raw(b, "</select>\n</div>\n");
	action_button(b, is(json_text(v->c, "state"), "received") ?
	    "Confirm triage" : "Save triage");
}

static void
decide_form(struct sbuf *b, const struct case_view *v)
{
	const struct case_action	*t = typed_for(v, "decide");
	size_t				 i;

	action_open(b, v, "decide", is(json_text(v->c, "state"), "appealed") ?
	    "Decide the appeal" : "Decide");
	select_field(b, v, "decide", CF_OUTCOME, "Outcome", "");
	option(b, "", "Choose", t != NULL && t->outcome != NULL ? t->outcome :
	    "");
	for (i = 0; case_outcomes[i] != NULL; i++)
		option(b, case_outcomes[i], outcome_labels[i],
		    t != NULL && t->outcome != NULL ? t->outcome : "");
	html_raw(b, "</select>\n</div>\n");
	fieldset_open(b, v, "decide", CF_REMEDIES, "Remedial actions");
	for (i = 0; case_remedies[i] != NULL; i++)
		choice(b, "checkbox", CF_REMEDIES, case_remedies[i],
		    remedy_labels[i], t != NULL && (t->remedies & (1u << i)));
	html_raw(b, "</fieldset>\n");
	fieldset_open(b, v, "decide", CF_AUTOMATED, "Were automated means "
	    "used to detect or decide?");
	choice(b, "radio", CF_AUTOMATED, "no", "No", t != NULL &&
	    t->automated == 0);
	choice(b, "radio", CF_AUTOMATED, "yes", "Yes", t != NULL &&
	    t->automated == 1);
	html_raw(b, "</fieldset>\n");
	action_text(b, v, "decide", "Reasons", "The complainant reads these. "
	    "Explain what you found and why you decided so.");
	action_button(b, "Record the decision");
}

static void
assign_form(struct sbuf *b, const struct case_view *v)
{
	const struct case_action	*t = typed_for(v, "assign");
	json_t				*o;
	size_t				 i;
	char				 id[24];

	action_open(b, v, "assign", "Assign");
	select_field(b, v, "assign", CF_TO, "Reviewer", "");
	json_array_foreach(json_object_get(v->options, "assignable"), i, o) {
		(void)snprintf(id, sizeof(id), "%lld",
		    (long long)json_integer_value(json_object_get(o, "id")));
		option(b, id, json_text(o, "name"), t != NULL &&
		    t->to != NULL ? t->to : "");
	}
	html_raw(b, "</select>\n</div>\n");
	action_button(b, "Assign");
}

static void
link_form(struct sbuf *b, const struct case_view *v)
{
	const struct case_action	*t = typed_for(v, "link_duplicate");
	char				 id[48];
	const char			*e;

	action_open(b, v, "link_duplicate", "Link as a duplicate");
	field_id(id, sizeof(id), "link_duplicate", CF_ORIGINAL);
	e = view_case_error(v, "link_duplicate", CF_ORIGINAL);
	page_field_intro(b, id, "Reference of the original case",
	    "Like RC-2026-000123.", e, 0);
	html_raw(b, "<input type=\"text\" maxlength=\"20\" class=\"short\"");
	control_attrs(b, id, CF_ORIGINAL, e);
	html_raw(b, " value=\"");
	if (t != NULL && t->original != NULL)
		html_attrs(b, t->original);
	html_raw(b, "\">\n</div>\n");
	action_button(b, "Link");
}

/* A form with nothing to fill in: a title, a sentence and a button. */
static void
plain_form(struct sbuf *b, const struct case_view *v, const char *verb,
    const char *title, const char *sentence, const char *button)
{
	action_open(b, v, verb, title);
	if (sentence != NULL) {
		html_raw(b, "<p>");
		html_texts(b, sentence);
		html_raw(b, "</p>\n");
	}
	action_button(b, button);
}

/* Every action the reader may take now, and only those (case_actions). */
static void
actions(struct sbuf *b, const struct case_view *v)
{
	static const char *const verbs[] = { "take", "release", "assign",
	    "triage", "investigate", "request_info", "message", "note",
	    "decide", "sign", "send_back", "close", "link_duplicate",
	    "reject", "erase", "hold", "lift_hold" };
	size_t	 i, n;

	html_raw(b, "<section aria-labelledby=\"actions-h\" class=\"actions\">"
	    "\n<h2 id=\"actions-h\">Actions</h2>\n");
	for (i = n = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		n += may(v, verbs[i]);
	if (n == 0)
		html_raw(b, "<p>There is nothing you can do on this case now."
		    "</p>\n");
	if (may(v, "take"))
		plain_form(b, v, "take", "Take this case", NULL, "Take it");
	if (may(v, "release"))
		plain_form(b, v, "release", "Release", NULL,
		    "Put it back in the queue");
	if (may(v, "assign"))
		assign_form(b, v);
	if (may(v, "take") && !may(v, "note"))
		html_raw(b, "<p>Take the case to work on it.</p>\n");
	if (may(v, "triage"))
		triage_form(b, v);
	if (may(v, "investigate"))
		plain_form(b, v, "investigate", "Start the investigation",
		    NULL, "Start");
	if (may(v, "request_info")) {
		action_open(b, v, "request_info", "Ask the complainant");
		action_text(b, v, "request_info", "Question", "Shown on the "
		    "complainant's tracking page; the case waits for the "
		    "answer.");
		action_button(b, "Send and wait for an answer");
	}
	if (may(v, "message")) {
		action_open(b, v, "message", "Message the complainant");
		action_text(b, v, "message", "Message", "Shown on the "
		    "complainant's tracking page.");
		action_button(b, "Send");
	}
	if (may(v, "note")) {
		action_open(b, v, "note", "Internal note");
		action_text(b, v, "note", "Note", "Only staff see notes.");
		action_button(b, "Add the note");
	}
	if (may(v, "decide"))
		decide_form(b, v);
	if (may(v, "sign"))
		plain_form(b, v, "sign", "Second signature", "This decision "
		    "reaches the complainant only once a supervisor other "
		    "than its author signs it.", "Sign and publish the "
		    "decision");
	if (may(v, "send_back")) {
		action_open(b, v, "send_back", "Send the decision back");
		action_text(b, v, "send_back", "Why you will not sign it",
		    "Only staff see this. The case goes back to the reviewer "
		    "to decide again; the complainant sees no trace of this "
		    "decision, and the decision deadline keeps running.");
		action_button(b, "Send it back");
	}
	if (may(v, "close"))
		plain_form(b, v, "close", "Close the case", NULL, "Close");
	if (may(v, "link_duplicate"))
		link_form(b, v);
	if (may(v, "reject")) {
		action_open(b, v, "reject", "Reject as out of scope");
		action_text(b, v, "reject", "Reason", "The complainant reads "
		    "this reason.");
		action_button(b, "Reject");
	}
	if (may(v, "erase"))
		plain_form(b, v, "erase", "Erase the personal data", "As the "
		    "complainant asked: their account, contact details, "
		    "answers, messages, the texts of decisions and appeals "
		    "and their receipt code are destroyed for good, and an "
		    "open case is closed. The statistics fields stay.",
		    "Erase for good");
	if (may(v, "hold")) {
		action_open(b, v, "hold", "Record a legal hold");
		action_text(b, v, "hold", "The legal obligation", "Neither the "
		    "complainant's request nor retention erases the case "
		    "until a supervisor lifts the hold. The complainant reads "
		    "this: name the obligation, not people (at most 1 000 "
		    "characters).");
		action_button(b, "Record the hold");
	}
	if (may(v, "lift_hold"))
		plain_form(b, v, "lift_hold", "Lift the legal hold", "A "
		    "pending request can then be confirmed, and retention "
		    "applies again.", "Lift the hold");
	html_raw(b, "</section>\n");
}

/*
 * The sent_back event whose detail names this decision or message (key
 * "decision" or "message"), or NULL.
 */
static json_t *
sent_back_event(const struct case_view *v, const char *key, json_t *id)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(v->c, "events"), i, e)
		if (strcmp(json_text(e, "kind"), "sent_back") == 0 &&
		    json_equal(json_object_get(json_object_get(e, "detail"),
		    key), id))
			return (e);
	return (NULL);
}

/* One file: a download link (none once erased), its type and size. */
static void
file_item(struct sbuf *b, const char *ref, const json_t *f)
{
	long long	 n = json_integer_value(json_object_get(f, "n"));
	int		 erased = json_is_true(json_object_get(f, "erased"));

	if (erased)
		sbuf_printf(b, "File %lld: ", n);
	else {
		html_raw(b, "<a href=\"/review/cases/");
		html_attrs(b, ref);
		sbuf_printf(b, "/evidence/%lld\" download>File %lld</a>: ", n,
		    n);
	}
	html_texts(b, evidence_kind_label(evidence_kind_parse(json_text(f,
	    "kind"))));
	html_raw(b, ", ");
	html_size(b, (long long)json_integer_value(json_object_get(f,
	    "size")));
	if (erased)
		html_raw(b, " (erased)");
}

/* The files that came with one of the complainant's replies. */
static void
message_files(struct sbuf *b, const json_t *c, const json_t *m)
{
	const json_t	*f;
	size_t		 i;
	int		 any = 0;

	json_array_foreach(json_object_get(c, "evidence"), i, f) {
		if (!json_equal(json_object_get(f, "message"),
		    json_object_get(m, "id")))
			continue;
		html_raw(b, any++ ? "</li>\n<li>" : "<p>With files:</p>\n"
		    "<ul class=\"message-files\">\n<li>");
		file_item(b, json_text(c, "reference"), f);
	}
	if (any)
		html_raw(b, "</li>\n</ul>\n");
}

static const char *
message_heading(const struct case_view *v, json_t *m)
{
	const char	*kind = json_text(m, "kind");

	if (sent_back_event(v, "message", json_object_get(m, "id")) != NULL)
		return ("Why a decision was sent back (internal)");
	if (strcmp(kind, "note") == 0)
		return ("Internal note");
	if (strcmp(kind, "from_complainant") == 0)
		return ("From the complainant");
	return ("To the complainant");
}

static void
messages(struct sbuf *b, const struct case_view *v)
{
	json_t	*m;
	size_t	 i;

	html_raw(b, "<section aria-labelledby=\"msgs-h\">\n<h2 id=\"msgs-h\">"
	    "Messages and notes</h2>\n");
	if (json_array_size(json_object_get(v->c, "messages")) == 0)
		html_raw(b, "<p>None yet.</p>\n");
	json_array_foreach(json_object_get(v->c, "messages"), i, m) {
		html_raw(b, "<article class=\"message ");
		html_attrs(b, json_text(m, "kind"));
		html_raw(b, "\"><h3>");
		html_texts(b, message_heading(v, m));
		html_raw(b, "</h3><p class=\"meta\">");
		view_when(b, json_text(m, "at"));
		if (json_is_string(json_object_get(m, "author"))) {
			html_raw(b, " by ");
			html_texts(b, json_text(m, "author"));
		}
		html_raw(b, "</p>\n");
		personal_text(b, m, "body");
		message_files(b, v->c, m);
		html_raw(b, "</article>\n");
	}
	html_raw(b, "</section>\n");
}

static const char *
label_of(const char *const *codes, const char *const *labels, const char *c)
{
	size_t	 i;

	for (i = 0; codes[i] != NULL; i++)
		if (strcmp(codes[i], c) == 0)
			return (labels[i]);
	return (c);
}

static void
decisions(struct sbuf *b, const struct case_view *v)
{
	json_t	*d, *r, *a;
	size_t	 i, j;

	if (json_array_size(json_object_get(v->c, "decisions")) == 0 &&
	    json_array_size(json_object_get(v->c, "appeals")) == 0)
		return;
	html_raw(b, "<section aria-labelledby=\"dec-h\">\n<h2 id=\"dec-h\">"
	    "Decisions and appeals</h2>\n");
	json_array_foreach(json_object_get(v->c, "decisions"), i, d) {
		html_raw(b, "<article class=\"decision\"><h3>");
		html_raw(b, json_is_true(json_object_get(d, "on_appeal")) ?
		    "Appeal decision: " : "Decision: ");
		html_texts(b, label_of(case_outcomes, outcome_labels,
		    json_text(d, "outcome")));
		html_raw(b, "</h3>\n<p class=\"meta\">");
		view_when(b, json_text(d, "decided_at"));
		html_raw(b, " by ");
		html_texts(b, json_text(d, "decided_by_name"));
		if (json_is_string(json_object_get(d, "sent_back_at"))) {
			html_raw(b, "; <strong>sent back</strong> ");
			view_when(b, json_text(d, "sent_back_at"));
			html_raw(b, " by ");
			html_texts(b, json_text(d, "sent_back_by_name"));
			html_raw(b, " (never shown to the complainant)");
		} else if (json_is_string(json_object_get(d,
		    "signed_by_name"))) {
			html_raw(b, "; second signature by ");
			html_texts(b, json_text(d, "signed_by_name"));
		} else if (json_is_null(json_object_get(d, "released_at"))) {
			html_raw(b, "; <strong>awaiting a supervisor's second "
			    "signature</strong> (the complainant cannot see it "
			    "yet)");
		}
		html_raw(b, "</p>\n<p>Remedial actions: ");
		json_array_foreach(json_object_get(d, "remedies"), j, r) {
			if (j > 0)
				html_raw(b, ", ");
			html_texts(b, label_of(case_remedies, remedy_labels,
			    json_string_value(r) ? json_string_value(r) : ""));
		}
		html_raw(b, ". Automated means used: ");
		html_raw(b, json_is_true(json_object_get(d, "automated")) ?
		    "yes" : "no");
		html_raw(b, ".</p>\n");
		personal_text(b, d, "reasons");
		html_raw(b, "</article>\n");
	}
	json_array_foreach(json_object_get(v->c, "appeals"), i, a) {
		html_raw(b, "<article class=\"appeal\"><h3>Appeal</h3>"
		    "<p class=\"meta\">");
		view_when(b, json_text(a, "at"));
		html_raw(b, "</p>\n");
		personal_text(b, a, "grounds");
		html_raw(b, "</article>\n");
	}
	html_raw(b, "</section>\n");
}

static void
timeline(struct sbuf *b, const struct case_view *v)
{
	json_t	*e;
	size_t	 i;

	html_raw(b, "<section aria-labelledby=\"tl-h\">\n<h2 id=\"tl-h\">"
	    "Timeline</h2>\n<ol class=\"timeline\">\n");
	json_array_foreach(json_object_get(v->c, "events"), i, e) {
		html_raw(b, "<li>");
		view_when(b, json_text(e, "at"));
		html_raw(b, " \xe2\x80\x94 <strong>");
		html_texts(b, json_text(e, "kind"));
		html_raw(b, "</strong> by ");
		html_texts(b, json_is_string(json_object_get(e, "actor_name")) ?
		    json_text(e, "actor_name") : json_text(e, "actor"));
		if (json_is_true(json_object_get(e, "visible")))
			html_raw(b, " <span class=\"tag\">seen by the "
			    "complainant</span>");
		html_raw(b, "</li>\n");
	}
	html_raw(b, "</ol>\n</section>\n");
}

/*
 * What went wrong with the action just posted: every faulty field, each
 * linking to it, or the reason it was refused.
 */
static void
error_summary(struct sbuf *b, const struct case_view *v)
{
	const char	*verb;
	char		 id[48];
	int		 f;

	if (v->typed == NULL || (v->error == NULL && v->typed->nerrors == 0))
		return;
	verb = case_verb_name(v->typed->verb);
	html_raw(b, "<div class=\"error-summary\" role=\"alert\" "
	    "aria-labelledby=\"error-summary-title\" tabindex=\"-1\">\n"
	    "<h2 id=\"error-summary-title\">Nothing was changed</h2>\n<ul>\n");
	if (v->error != NULL) {
		html_raw(b, "<li><a href=\"#act-");
		html_attrs(b, verb);
		html_raw(b, "\">");
		html_texts(b, v->error);
		html_raw(b, "</a></li>\n");
	}
	for (f = 0; f < CF__MAX; f++) {
		if (v->typed->error[f] == NULL)
			continue;
		field_id(id, sizeof(id), verb, f);
		html_raw(b, "<li><a href=\"#f-");
		html_attrs(b, id);
		html_raw(b, "\">");
		html_texts(b, v->typed->error[f]);
		html_raw(b, "</a></li>\n");
	}
	html_raw(b, "</ul>\n</div>\n");
}

/* Why the complainant thinks they were targeted, and the AI answer. */
static void
targeting_items(struct sbuf *b, const json_t *c)
{
	const json_t	*x;
	const char	*ai;
	size_t		 i;

	html_raw(b, "<dt>Targeting reasons given</dt><dd id=\"targeting\">");
	json_array_foreach(json_object_get(c, "targeting_reasons"), i, x) {
		if (i > 0)
			html_raw(b, ", ");
		html_raw(b, "<code>");
		html_texts(b, json_string_value(x));
		html_raw(b, "</code>");
	}
	if (json_array_size(json_object_get(c, "targeting_reasons")) == 0)
		html_raw(b, "None given");
	html_raw(b, "</dd>\n");
	ai = intake_ai_label(json_text(c, "ai_disclosed"));
	dl_item(b, "Said AI was used", ai != NULL ? ai : "Not answered");
}

/*
 * The files the complainant sent, each a download (never shown here: a
 * file's bytes are not to be trusted in a page), with the complaint or
 * with a reply.
 */
static void
case_files(struct sbuf *b, const json_t *c)
{
	const json_t	*files = json_object_get(c, "evidence"), *f;
	const char	*ref = json_text(c, "reference");
	size_t		 i;

	if (json_array_size(files) == 0)
		return;
	html_raw(b, "<h3>Files the complainant sent</h3>\n<p>Downloads only: "
	    "open them with care. Hidden details (place, camera) were removed "
	    "from pictures when they arrived.</p>\n<ul id=\"evidence\">\n");
	json_array_foreach(files, i, f) {
		html_raw(b, "<li>");
		file_item(b, ref, f);
		if (json_is_integer(json_object_get(f, "message"))) {
			html_raw(b, ", with a reply of ");
			view_when(b, json_text(f, "at"));
		} else
			html_raw(b, ", with the report");
		html_raw(b, "</li>\n");
	}
	html_raw(b, "</ul>\n");
}

/*
 * The complainant's request for erasure, a legal hold, or the erasure
 * itself; nothing when there is none of them.
 */
static void
erasure_section(struct sbuf *b, const json_t *c)
{
	const json_t	*e = json_object_get(c, "erasure");
	int		 erased, asked, held;

	erased = json_is_string(json_object_get(e, "erased_at"));
	asked = json_is_string(json_object_get(e, "requested_at"));
	held = json_is_string(json_object_get(e, "legal_hold"));
	if (!erased && !asked && !held)
		return;
	html_raw(b, "<section aria-labelledby=\"erasure-h\" id=\"erasure\">"
	    "\n<h2 id=\"erasure-h\">Erasure</h2>\n");
	if (erased) {
		html_raw(b, "<p>The personal data was erased ");
		view_when(b, json_text(e, "erased_at"));
		html_raw(b, strcmp(json_text(e, "basis"), "retention") == 0 ?
		    ", after the retention period. " : ", as the complainant "
		    "asked. ");
		html_raw(b, "What they wrote, their contact details and "
		    "answers, the texts of messages, decisions and appeals, "
		    "and their receipt code are gone; the fields above and "
		    "the timeline remain for the statistics.</p>\n");
	} else if (asked) {
		html_raw(b, "<p><strong>The complainant asked ");
		view_when(b, json_text(e, "requested_at"));
		html_raw(b, " for their personal data to be erased.</strong> "
		    "Confirm it, or record the legal obligation that requires "
		    "keeping it.</p>\n");
	}
	if (held && !erased) {
		html_raw(b, "<p>Legal hold since ");
		view_when(b, json_text(e, "legal_hold_at"));
		html_raw(b, " (the complainant reads this):</p>\n");
		paragraphs(b, json_text(e, "legal_hold"));
	}
	html_raw(b, "</section>\n");
}

void
view_case(struct sbuf *b, const struct case_view *v)
{
	json_t		*consents, *contact, *dups, *x;
	const char	*ref = json_text(v->c, "reference");
	struct sbuf	 title;
	char		 prio[4];
	size_t		 i;

	if ((v->typed != NULL && (v->error != NULL ||
	    v->typed->nerrors > 0)) || view_clock_failed(v)) {
		sbuf_init(&title);
		sbuf_printf(&title, "Error: %s", ref);
		page_staff_begin(b, sbuf_cstr(&title), v->who, v->csrf);
		sbuf_free(&title);
	} else
		page_staff_begin(b, ref, v->who, v->csrf);
	html_raw(b, "<p><a href=\"/review\">Back to the work list</a></p>\n"
	    "<h1>");
	html_texts(b, ref);
	html_raw(b, " <span class=\"state\">");
	html_texts(b, state_label(json_text(v->c, "state")));
	html_raw(b, "</span></h1>\n");
	error_summary(b, v);
	view_clock_errors(b, v);
	html_raw(b, "<dl class=\"summary\">\n");
	dl_item(b, "Concern", category_label(v->options,
	    json_text(v->c, "category")));
	dl_item(b, "Channel", json_text(v->c, "channel"));
	dl_item(b, "Brand or campaign", json_is_string(json_object_get(v->c,
	    "brand")) ? json_text(v->c, "brand") : "Not given");
	dl_item(b, "Happened on", json_is_string(json_object_get(v->c,
	    "occurred_on")) ? json_text(v->c, "occurred_on") : "Not given");
	(void)snprintf(prio, sizeof(prio), "%d",
	    (int)json_integer_value(json_object_get(v->c, "priority")));
	dl_item(b, "Priority", prio);
	dl_item(b, "Queue", json_text(v->c, "queue"));
	dl_item(b, "Child or vulnerable person affected",
	    json_is_true(json_object_get(v->c, "vulnerable")) ? "Yes" : "No");
	html_raw(b, "<dt>Received</dt><dd>");
	view_when(b, json_text(v->c, "received_at"));
	html_raw(b, "</dd>\n");
	case_clocks(b, v->c);
	dl_item(b, "Assigned to", json_is_string(json_object_get(v->c,
	    "assignee_name")) ? json_text(v->c, "assignee_name") : "No one");
	consents = json_object_get(v->c, "consents");
	dl_item(b, "May we contact them", json_is_true(json_object_get(
	    consents, "contact")) ? "Yes" : "No");
	dl_item(b, "May we publish their account (without identifying "
	    "details)", json_is_true(json_object_get(consents, "publish")) ?
	    "Yes" : "No");
	dl_item(b, "Demographic answers for fairness statistics",
	    json_is_true(json_object_get(consents, "demographics")) ? "Yes" :
	    "No");
	if (json_is_string(json_object_get(v->c, "duplicate_of"))) {
		html_raw(b, "<dt>Duplicate of</dt><dd><a href=\"/review/cases/");
		html_attrs(b, json_text(v->c, "duplicate_of"));
		html_raw(b, "\">");
		html_texts(b, json_text(v->c, "duplicate_of"));
		html_raw(b, "</a></dd>\n");
	}
	dups = json_object_get(v->c, "duplicates");
	if (json_array_size(dups) > 0) {
		html_raw(b, "<dt>Duplicates of this case</dt><dd>");
		json_array_foreach(dups, i, x) {
			html_raw(b, i ? ", <a href=\"/review/cases/" :
			    "<a href=\"/review/cases/");
			html_attrs(b, json_string_value(x) ?
			    json_string_value(x) : "");
			html_raw(b, "\">");
			html_texts(b, json_string_value(x) ?
			    json_string_value(x) : "");
			html_raw(b, "</a>");
		}
		html_raw(b, "</dd>\n");
	}
	targeting_items(b, v->c);
	html_raw(b, "</dl>\n");
	erasure_section(b, v->c);
	html_raw(b, "<section aria-labelledby=\"account-h\">\n"
	    "<h2 id=\"account-h\">The complainant's account</h2>\n");
	personal_text(b, v->c, "description");
	if (json_is_string(json_object_get(v->c, "why_shown"))) {
		html_raw(b, "<h3>What the platform said about why they saw "
		    "it</h3>\n<div id=\"why-shown\">");
		paragraphs(b, json_text(v->c, "why_shown"));
		html_raw(b, "</div>\n");
	}
	case_files(b, v->c);
	contact = json_object_get(v->c, "contact");
	if (json_is_object(contact)) {
		html_raw(b, "<h3>Contact details</h3>\n<dl>\n");
		dl_item(b, "Name", json_text(contact, "name"));
		dl_item(b, "E-mail", json_text(contact, "email"));
		html_raw(b, "</dl>\n");
	}
	html_raw(b, "</section>\n");
	view_clock_panel(b, v);
	actions(b, v);
	view_narrative(b, v);
	messages(b, v);
	decisions(b, v);
	timeline(b, v);
	page_end(b);
}

/* An action form's opening, for the other parts of the case page. */
void
view_case_form_open(struct sbuf *b, const struct case_view *v,
    const char *verb, const char *title)
{
	action_open(b, v, verb, title);
}
