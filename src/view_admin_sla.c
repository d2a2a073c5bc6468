/*
 * The SLA administration pages: business calendars (opening hours,
 * holidays, iCalendar import and export, queues), policies (targets,
 * presets, routing rules) and pause reasons, each form showing every
 * refused field next to itself with what was typed.
 */

#include <string.h>

#include "app.h"
#include "slaform.h"

#define NOTED_MAX	24

/* A page being drawn and the errors it has shown, for the summary. */
struct sla_out {
	struct sbuf			*b;
	const struct admin_sla_view	*v;
	int				 live;	/* the posted form */
	char				 ids[NOTED_MAX][96];
	const char			*links[NOTED_MAX];
	const char			*texts[NOTED_MAX];
	char				 names[NOTED_MAX][64];
	size_t				 n;
};

static const char *const unit_labels[5] = {
	"No such clock", "business hours", "business days", "calendar days",
	"calendar months"
};
static const char *const day_labels[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday"
};
static const char *const target_labels[SLA_NCLOCKS + 1] = {
	"Acknowledge (human triage)", "First substantive response",
	"Decision", "Decision on appeal", "Answer to a request for erasure "
	"(confirmed, or a legal hold recorded)", "Extension of the decision clock "
	"(once, with a recorded reason)"
};

static int
is_posted(const struct sla_out *o, const char *action, const char *key,
    const char *value)
{
	const char	*t;

	if (o->v->posted == NULL || strcmp(o->v->posted, action) != 0)
		return (0);
	if (key == NULL)
		return (1);
	t = json_string_value(json_object_get(o->v->typed, key));
	return (t != NULL && strcmp(t, value) == 0);
}

/* The error of 'name' in the live form, noted for the summary. */
static const char *
noted(struct sla_out *o, const char *id, const char *name)
{
	const char	*m;

	if (!o->live || o->n == NOTED_MAX || (m = json_string_value(
	    json_object_get(o->v->errors, name))) == NULL)
		return (NULL);
	(void)snprintf(o->ids[o->n], sizeof(o->ids[o->n]), "%s", id);
	o->links[o->n] = o->ids[o->n];
	o->texts[o->n] = m;
	/* Copied: a name may sit in a buffer the caller reuses. */
	(void)snprintf(o->names[o->n++], sizeof(o->names[0]), "%s", name);
	return (m);
}

static const char *
value_of(const struct sla_out *o, const char *name, const char *stored)
{
	const char	*t = json_string_value(json_object_get(o->v->typed,
			    name));

	return (o->live && t != NULL ? t : stored != NULL ? stored : "");
}

static void
start_form(struct sla_out *o, const char *action, int live, int upload)
{
	o->live = live;
	html_raw(o->b, "<form method=\"post\" action=\"");
	html_attrs(o->b, action);
	html_raw(o->b, "\" enctype=\"multipart/form-data\" novalidate "
	    "class=\"admin");
	html_raw(o->b, upload ? " upload\">\n" : "\">\n");
	page_hidden(o->b, "csrf", o->v->csrf);
}

static void
end_form(struct sla_out *o, const char *button)
{
	html_raw(o->b, "<button type=\"submit\" class=\"button\">");
	html_texts(o->b, button);
	html_raw(o->b, "</button>\n</form>\n");
	o->live = 0;
}

/* A text input f-<prefix>-<name>; 'list' names a datalist, or NULL. */
static void
input(struct sla_out *o, const char *prefix, const char *name,
    const char *label, const char *hint, const char *stored,
    const char *list)
{
	const char	*err;
	char		 id[96];

	(void)snprintf(id, sizeof(id), "%s-%s", prefix, name);
	err = noted(o, id, name);
	page_field_intro(o->b, id, label, hint, err, 0);
	html_raw(o->b, "<input type=\"text\"");
	if (list != NULL) {
		html_raw(o->b, " list=\"");
		html_attrs(o->b, list);
		html_raw(o->b, "\"");
	}
	page_field_aria_name(o->b, id, name, err);
	html_raw(o->b, " value=\"");
	html_attrs(o->b, value_of(o, name, stored));
	html_raw(o->b, "\">\n</div>\n");
}

static void
area(struct sla_out *o, const char *prefix, const char *name,
    const char *label, const char *hint, const char *stored)
{
	const char	*err;
	char		 id[96];

	(void)snprintf(id, sizeof(id), "%s-%s", prefix, name);
	err = noted(o, id, name);
	page_field_intro(o->b, id, label, hint, err, 0);
	html_raw(o->b, "<textarea rows=\"8\"");
	page_field_aria_name(o->b, id, name, err);
	/* The parser drops one newline after the tag: keep the first line. */
	html_raw(o->b, ">\n");
	html_texts(o->b, value_of(o, name, stored));
	html_raw(o->b, "</textarea>\n</div>\n");
}

/* A select of 'n' values with their labels (NULL labels: the values). */
static void
choice(struct sla_out *o, const char *prefix, const char *name,
    const char *label, json_t *values, json_t *labels, const char *stored)
{
	const char	*err, *sel, *val;
	char		 id[96];
	size_t		 i;

	(void)snprintf(id, sizeof(id), "%s-%s", prefix, name);
	err = noted(o, id, name);
	page_field_intro(o->b, id, label, "", err, 0);
	html_raw(o->b, "<select");
	page_field_aria_name(o->b, id, name, err);
	html_raw(o->b, ">\n");
	sel = value_of(o, name, stored);
	for (i = 0; i < json_array_size(values); i++) {
		val = json_string_value(json_array_get(values, i));
		html_raw(o->b, "<option value=\"");
		html_attrs(o->b, val);
		html_raw(o->b, strcmp(val, sel) == 0 ? "\" selected>" : "\">");
		html_texts(o->b, json_string_value(json_array_get(labels, i)));
		html_raw(o->b, "</option>\n");
	}
	html_raw(o->b, "</select>\n</div>\n");
}

/* Values and labels of a select from config rows ("" first: 'none'). */
static void
options_of(json_t *rows, const char *none, json_t **values,
    json_t **labels)
{
	json_t	*x;
	size_t	 i;

	*values = json_array();
	*labels = json_array();
	if (none != NULL) {
		json_array_append_new(*values, json_string(""));
		json_array_append_new(*labels, json_string(none));
	}
	json_array_foreach(rows, i, x) {
		json_array_append(*values, json_object_get(x, "code"));
		json_array_append(*labels, json_object_get(x, "name"));
	}
}

static void
choice_rows(struct sla_out *o, const char *prefix, const char *name,
    const char *label, json_t *rows, const char *none, const char *stored)
{
	json_t	*values, *labels;

	options_of(rows, none, &values, &labels);
	choice(o, prefix, name, label, values, labels, stored);
	json_decref(values);
	json_decref(labels);
}

static void
notice(struct sbuf *b, const char *text)
{
	if (text == NULL)
		return;
	html_raw(b, "<div class=\"notice\" role=\"status\" id=\"notice\"><p>");
	html_texts(b, text);
	html_raw(b, "</p></div>\n");
}

/* A table of calendars or policies, each code linking to its page. */
static void
versions_table(struct sbuf *b, const char *section, json_t *rows,
    const char *caption)
{
	json_t	*x;
	size_t	 i;

	html_raw(b, "<div class=\"table-wrap\" role=\"region\" aria-label=\"");
	html_attrs(b, caption);
	html_raw(b, "\" tabindex=\"0\"><table><thead><tr><th scope=\"col\">"
	    "Code</th><th scope=\"col\">Name</th><th scope=\"col\">Version"
	    "</th><th scope=\"col\">Open cases on an older version</th>"
	    "</tr></thead><tbody>\n");
	json_array_foreach(rows, i, x) {
		html_raw(b, "<tr><th scope=\"row\"><a href=\"/admin/");
		html_attrs(b, section);
		html_raw(b, "/");
		html_attrs(b, json_text(x, "code"));
		html_raw(b, "\">");
		html_texts(b, json_text(x, "code"));
		html_raw(b, "</a></th><td dir=\"auto\">");
		html_texts(b, json_text(x, "name"));
		sbuf_printf(b, "</td><td>%lld</td><td>%lld</td></tr>\n",
		    (long long)json_integer_value(json_object_get(x,
		    "version")), (long long)json_integer_value(
		    json_object_get(x, "behind")));
	}
	html_raw(b, "</tbody></table></div>\n");
}

/*
 * A list page's table, then its "new" form opened with the code and the
 * name ('what' is "calendar" or "policy").
 */
static void
list_top(struct sla_out *o, const char *section, json_t *rows,
    const char *what)
{
	char	 action[48];

	notice(o->b, o->v->notice);
	versions_table(o->b, section, rows, section);
	sbuf_printf(o->b, "<h2>New %s</h2>\n", what);
	(void)snprintf(action, sizeof(action), "/admin/%s/create", section);
	start_form(o, action, is_posted(o, action, NULL, NULL), 0);
	input(o, "new", "code", "Code", "Lower-case letters, digits and _.",
	    "", NULL);
	input(o, "new", "name", "Name", "", "", NULL);
}

/* One calendar's or policy's page: its title, then its form opened. */
static void
item_top(struct sla_out *o, const char *section, const char *prefix,
    json_t *item)
{
	char	 action[48];

	html_raw(o->b, "<p><a href=\"/admin/");
	html_attrs(o->b, section);
	html_raw(o->b, "\">All ");
	html_texts(o->b, section);
	html_raw(o->b, "</a></p>\n<h1>");
	html_texts(o->b, json_text(item, "name"));
	html_raw(o->b, "</h1>\n");
	notice(o->b, o->v->notice);
	(void)snprintf(action, sizeof(action), "/admin/%s/save", section);
	start_form(o, action, is_posted(o, action, NULL, NULL), 0);
	page_hidden(o->b, "code", json_text(item, "code"));
	input(o, prefix, "name", "Name", "", json_text(item, "name"), NULL);
}

static void
calendars_page(struct sla_out *o)
{
	struct sbuf	*b = o->b;
	json_t		*q, *cals;
	size_t		 i;
	char		 prefix[64];

	cals = json_object_get(o->v->config, "calendars");
	html_raw(b, "<h1>Business calendars</h1>\n<p>Opening hours and "
	    "holidays in a time zone: business-hour and business-day "
	    "targets count only open time. A queue's cases use its calendar, "
	    "others the default one. A change applies to new cases; re-apply "
	    "it to open cases from the calendar's page.</p>\n");
	list_top(o, "calendars", cals, "calendar");
	choice_rows(o, "new", "from", "Start as a copy of", cals, NULL,
	    "default");
	end_form(o, "Create the calendar");
	html_raw(b, "<h2>Queues</h2>\n");
	json_array_foreach(json_object_get(o->v->config, "queues"), i, q) {
		(void)snprintf(prefix, sizeof(prefix), "q-%s",
		    json_text(q, "code"));
		start_form(o, "/admin/calendars/queue", is_posted(o,
		    "/admin/calendars/queue", "code", json_text(q, "code")),
		    0);
		page_hidden(b, "code", json_text(q, "code"));
		choice_rows(o, prefix, "calendar", json_text(q, "name"), cals,
		    "The default calendar", json_is_string(json_object_get(q,
		    "calendar")) ? json_text(q, "calendar") : "");
		end_form(o, "Save");
	}
}

static void
zones_list(struct sbuf *b, json_t *zones)
{
	json_t	*z;
	size_t	 i;

	html_raw(b, "<datalist id=\"zones\">\n");
	json_array_foreach(zones, i, z) {
		html_raw(b, "<option value=\"");
		html_attrs(b, json_string_value(z));
		html_raw(b, "\"></option>\n");
	}
	html_raw(b, "</datalist>\n");
}

static void
reapply_form(struct sla_out *o, const char *section, json_t *item)
{
	char	 action[48];

	html_raw(o->b, "<h2>Open cases</h2>\n");
	sbuf_printf(o->b, "<p id=\"behind\">%lld open cases use an older "
	    "version. Re-applying computes their clocks again now with this "
	    "version.</p>\n", (long long)json_integer_value(
	    json_object_get(item, "behind")));
	(void)snprintf(action, sizeof(action), "/admin/%s/reapply", section);
	start_form(o, action, 0, 0);
	page_hidden(o->b, "code", json_text(item, "code"));
	end_form(o, "Re-apply to open cases");
}

static void
calendar_page(struct sla_out *o, json_t *k)
{
	struct sbuf	*b = o->b;
	json_t		*f;
	const char	*err;
	int		 i;

	f = slaform_calendar_fields(json_object_get(k, "definition"));
	item_top(o, "calendars", "cal", k);
	input(o, "cal", "zone", "Time zone", "A zone of the tz database, "
	    "such as Europe/London.", json_text(f, "zone"), "zones");
	zones_list(b, json_object_get(o->v->config, "zones"));
	html_raw(b, "<fieldset><legend>Opening hours</legend>\n");
	err = noted(o, "cal-mon", "week");
	page_field_error(b, "cal-week", err);
	for (i = 0; i < 7; i++)
		input(o, "cal", slaform_days[i], day_labels[i], "Such as "
		    "09:00-14:00, 15:00-18:00; empty when closed.",
		    json_text(f, slaform_days[i]), NULL);
	html_raw(b, "</fieldset>\n");
	area(o, "cal", "holidays", "Holidays on a date", "One a line: the "
	    "date, then the name (2026-12-25 Christmas Day). Delete a line to "
	    "remove it.", json_text(f, "holidays"));
	area(o, "cal", "yearly", "Holidays every year", "One a line: month "
	    "and day, then the name (12-25 Christmas Day).",
	    json_text(f, "yearly"));
	end_form(o, "Save");
	json_decref(f);

	html_raw(b, "<h2>Import holidays</h2>\n<p>From an iCalendar (.ics) "
	    "file, as governments publish public holidays. You see them "
	    "added to the form above before anything is saved.</p>\n");
	start_form(o, "/admin/calendars/import",
	    is_posted(o, "/admin/calendars/import", NULL, NULL), 1);
	page_hidden(b, "code", json_text(k, "code"));
	err = noted(o, "imp-file", "file");
	page_field_intro(b, "imp-file", "iCalendar file", "", err, 0);
	html_raw(b, "<input type=\"file\" accept=\".ics,text/calendar\"");
	page_field_aria_name(b, "imp-file", "file", err);
	html_raw(b, ">\n</div>\n");
	end_form(o, "Show the holidays");
	html_raw(b, "<h2>Export</h2>\n<p><a download href=\"/admin/"
	    "calendars/");
	html_attrs(b, json_text(k, "code"));
	html_raw(b, ".ics\" id=\"export\">This calendar as an .ics file</a>"
	    " for staff calendars.</p>\n");
	reapply_form(o, "calendars", k);
}

static void
policies_page(struct sla_out *o)
{
	struct sbuf	*b = o->b;
	json_t		*r, *pols;
	size_t		 i;
	char		 prefix[48], id[24];

	pols = json_object_get(o->v->config, "policies");
	html_raw(b, "<h1>Service-level policies</h1>\n<p>A target for each "
	    "clock. Routing rules choose the policy; without one, urgent "
	    "cases get <code>urgent</code> and the others "
	    "<code>standard</code>.</p>\n");
	list_top(o, "policies", pols, "policy");
	choice_rows(o, "new", "preset", "Start from",
	    json_object_get(o->v->config, "presets"), "No clock (set the "
	    "targets next)", "");
	end_form(o, "Create the policy");
	html_raw(b, "<h2>Routing rules</h2>\n<p>Rules are added at <a href="
	    "\"/admin/routing\">Queues and routing</a>.</p>\n");
	json_array_foreach(json_object_get(o->v->config, "rules"), i, r) {
		(void)snprintf(id, sizeof(id), "%lld", (long long)
		    json_integer_value(json_object_get(r, "id")));
		(void)snprintf(prefix, sizeof(prefix), "rule-%s", id);
		start_form(o, "/admin/policies/rule",
		    is_posted(o, "/admin/policies/rule", "id", id), 0);
		page_hidden(b, "id", id);
		sbuf_printf(b, "<p>Rule at position %lld: queue ",
		    (long long)json_integer_value(json_object_get(r,
		    "position")));
		html_texts(b, json_text(r, "queue"));
		html_raw(b, "</p>\n");
		choice_rows(o, prefix, "policy", "Policy", pols, "By urgency "
		    "(urgent or standard)", json_is_string(json_object_get(r,
		    "policy")) ? json_text(r, "policy") : "");
		end_form(o, "Save");
	}
}

static void
policy_page(struct sla_out *o, json_t *p)
{
	struct sbuf	*b = o->b;
	json_t		*f, *values, *labels;
	char		 n[48], u[48];
	int		 k;

	f = slaform_policy_fields(json_object_get(p, "definition"));
	values = json_array();
	labels = json_array();
	for (k = 0; k < 5; k++) {
		json_array_append_new(values, json_string(slaform_units[k]));
		json_array_append_new(labels, json_string(unit_labels[k]));
	}
	item_top(o, "policies", "pol", p);
	for (k = 0; k <= SLA_NCLOCKS; k++) {
		(void)snprintf(n, sizeof(n), "%s_n", slaform_targets[k]);
		(void)snprintf(u, sizeof(u), "%s_unit", slaform_targets[k]);
		html_raw(b, "<fieldset><legend>");
		html_texts(b, target_labels[k]);
		html_raw(b, "</legend>\n");
		input(o, "pol", n, "Number", "", json_text(f, n), NULL);
		choice(o, "pol", u, "Unit", values, labels, json_text(f, u));
		html_raw(b, "</fieldset>\n");
	}
	input(o, "pol", "at_risk_percent", "At risk from (per cent of the "
	    "target)", "", json_text(f, "at_risk_percent"), NULL);
	end_form(o, "Save");
	json_decref(f);
	json_decref(values);
	json_decref(labels);
	reapply_form(o, "policies", p);
}

static void
reasons_page(struct sla_out *o)
{
	struct sbuf	*b = o->b;
	json_t		*r, *rows;
	const char	*code, *err;
	size_t		 i;
	int		 live_new;
	char		 prefix[64], id[80];

	rows = json_object_get(o->v->config, "reasons");
	html_raw(b, "<h1>Pause reasons</h1>\n<p>While a case is paused for "
	    "one of these, its clocks stop. The system pauses for an answer "
	    "from the complainant itself.</p>\n");
	notice(b, o->v->notice);
	live_new = is_posted(o, "/admin/pause-reasons/save", NULL, NULL);
	json_array_foreach(rows, i, r) {
		code = json_text(r, "code");
		(void)snprintf(prefix, sizeof(prefix), "r-%s", code);
		(void)snprintf(id, sizeof(id), "%s-active", prefix);
		if (is_posted(o, "/admin/pause-reasons/save", "code", code))
			live_new = 0;
		start_form(o, "/admin/pause-reasons/save", is_posted(o,
		    "/admin/pause-reasons/save", "code", code), 0);
		page_hidden(b, "code", code);
		html_raw(b, "<p><code>");
		html_texts(b, code);
		html_raw(b, "</code></p>\n");
		input(o, prefix, "label", "Label", "", json_text(r, "label"),
		    NULL);
		err = noted(o, id, "active");
		page_field_error(b, id, err);
		html_raw(b, "<div class=\"check\"><input type=\"checkbox\" "
		    "name=\"active\" value=\"yes\" id=\"f-");
		html_attrs(b, id);
		html_raw(b, "\"");
		if (o->live ? strcmp(value_of(o, "active", ""), "yes") == 0 :
		    json_is_true(json_object_get(r, "active")))
			html_raw(b, " checked");
		html_raw(b, "><label for=\"f-");
		html_attrs(b, id);
		html_raw(b, "\">Active (staff may pause for it)</label>"
		    "</div>\n");
		end_form(o, "Save");
	}
	html_raw(b, "<h2>New pause reason</h2>\n");
	start_form(o, "/admin/pause-reasons/save", live_new, 0);
	input(o, "new", "code", "Code", "Lower-case letters and _.", "",
	    NULL);
	input(o, "new", "label", "Label", "", "", NULL);
	page_hidden(b, "active", "yes");
	end_form(o, "Add the reason");
}

/* The summary: errors shown at their fields, then the others. */
static void
summary(struct sbuf *b, struct sla_out *o)
{
	const char	*k;
	json_t		*m;
	size_t		 i;

	json_object_foreach(o->v->errors, k, m) {
		for (i = 0; i < o->n; i++)
			if (strcmp(o->names[i], k) == 0)
				break;
		if (i < o->n || o->n == NOTED_MAX || !json_is_string(m))
			continue;
		o->links[o->n] = NULL;
		o->texts[o->n++] = json_string_value(m);
	}
	if (o->v->error != NULL && o->n < NOTED_MAX) {
		o->links[o->n] = NULL;
		o->texts[o->n++] = o->v->error;
	}
	if (o->n > 0)
		page_error_summary(b, o->links, o->texts, o->n);
}

/* The calendar or policy of the page, or NULL. */
static json_t *
item(const struct admin_sla_view *v)
{
	json_t	*x;
	size_t	 i;

	json_array_foreach(json_object_get(v->config, v->section), i, x)
		if (v->code != NULL &&
		    strcmp(json_text(x, "code"), v->code) == 0)
			return (x);
	return (NULL);
}

void
view_admin_sla(struct sbuf *b, const struct admin_sla_view *v)
{
	struct sla_out	 o;
	struct sbuf	 body;
	json_t		*x = item(v);

	memset(&o, 0, sizeof(o));
	sbuf_init(&body);
	o.b = &body;
	o.v = v;
	if (strcmp(v->section, "calendars") == 0)
		x != NULL ? calendar_page(&o, x) : calendars_page(&o);
	else if (strcmp(v->section, "policies") == 0)
		x != NULL ? policy_page(&o, x) : policies_page(&o);
	else
		reasons_page(&o);
	page_staff_begin(b, o.n > 0 || v->error != NULL ||
	    json_object_size(v->errors) > 0 ? "Error: administration" :
	    "Administration", v->who, v->csrf);
	view_admin_subnav(b);
	summary(b, &o);
	sbuf_add(b, body.data, body.len);
	sbuf_free(&body);
	page_end(b);
}
