/*
 * The administration pages: accounts with their roles, queues, bars and
 * set-up links; queues and routing rules; the concern taxonomy; the audit
 * log with the result of verifying its chain.
 */

#include <string.h>

#include "app.h"

static long long
ji(json_t *o, const char *k)
{
	return ((long long)json_integer_value(json_object_get(o, k)));
}

static int
has(json_t *arr, const char *v)
{
	json_t	*x;
	size_t	 i;

	json_array_foreach(arr, i, x)
		if (json_string_value(x) && strcmp(json_string_value(x), v) == 0)
			return (1);
	return (0);
}

#define SHOWN_MAX	16	/* errors a page lists */

/*
 * A page being drawn: the view, whether the form being drawn is the one
 * whose change was refused (then it shows what was typed and the errors),
 * and the errors shown so far, for the summary above the page.
 */
struct admin_out {
	struct sbuf		*b;
	const struct admin_view	*v;
	int			 live;
	const char		*ids[SHOWN_MAX];
	const char		*messages[SHOWN_MAX];
	const char		*fields[SHOWN_MAX];
	char			 idbuf[SHOWN_MAX][128];
	size_t			 n;
};

/* Whether the refused change came from this form (a row: by its code). */
static int
posted(const struct admin_view *v, const char *action, const char *code)
{
	const char	*typed;

	if (v->posted == NULL || strcmp(v->posted, action) != 0)
		return (0);
	if (code == NULL)
		return (1);
	typed = json_string_value(json_object_get(v->typed, "code"));
	return (typed != NULL && strcmp(typed, code) == 0);
}

/* The "new" form of a list of rows: posted with a code no row has. */
static int
posted_new(const struct admin_view *v, const char *action, json_t *rows)
{
	json_t	*r;
	size_t	 i;

	if (!posted(v, action, NULL))
		return (0);
	json_array_foreach(rows, i, r)
		if (posted(v, action, json_text(r, "code")))
			return (0);
	return (1);
}

/*
 * The error of a field of the form being drawn, noted for the summary,
 * which links to 'link' (the field's first control); or NULL.
 */
static const char *
field_error(struct admin_out *o, const char *link, const char *name)
{
	const char	*msg;

	if (!o->live || (msg = json_string_value(json_object_get(
	    o->v->errors, name))) == NULL || o->n == SHOWN_MAX)
		return (NULL);
	(void)snprintf(o->idbuf[o->n], sizeof(o->idbuf[o->n]), "%s", link);
	o->ids[o->n] = o->idbuf[o->n];
	o->messages[o->n] = msg;
	o->fields[o->n] = name;
	o->n++;
	return (msg);
}

/* What a text field shows: as typed in the refused form, else 'stored'. */
static const char *
shown(const struct admin_out *o, const char *name, const char *stored)
{
	const char	*typed;

	typed = json_string_value(json_object_get(o->v->typed, name));
	return (o->live && typed != NULL ? typed : stored);
}

/* Whether a box is ticked: as sent in the refused form, else 'stored'. */
static int
ticked(const struct admin_out *o, const char *name, const char *value,
    int stored)
{
	json_t	*typed = json_object_get(o->v->typed, name);

	if (!o->live || typed == NULL)
		return (stored);
	if (json_is_array(typed))
		return (has(typed, value));
	return (json_is_string(typed) &&
	    strcmp(json_string_value(typed), value) == 0);
}

static void
form_open(struct admin_out *o, const char *action, const char *cls,
    int live)
{
	struct sbuf	*b = o->b;

	o->live = live;
	html_raw(b, "<form method=\"post\" action=\"");
	html_attrs(b, action);
	html_raw(b, "\" enctype=\"multipart/form-data\" novalidate class=\"");
	html_attrs(b, cls);
	html_raw(b, "\">\n");
	page_hidden(b, "csrf", o->v->csrf);
}

static void
hidden_id(struct sbuf *b, long long id)
{
	sbuf_printf(b, "<input type=\"hidden\" name=\"id\" value=\"%lld\">\n",
	    id);
}

/* A labelled text input; ids carry a prefix so they stay unique. */
static void
text_field(struct admin_out *o, const char *prefix, const char *name,
    const char *label, const char *value, int size)
{
	struct sbuf	*b = o->b;
	const char	*err;
	char		 id[96];

	(void)snprintf(id, sizeof(id), "%s-%s", prefix, name);
	err = field_error(o, id, name);
	page_field_intro(b, id, label, "", err, 0);
	sbuf_printf(b, "<input type=\"text\" maxlength=\"%d\"", size);
	page_field_aria_name(b, id, name, err);
	html_raw(b, " value=\"");
	html_attrs(b, shown(o, name, value));
	html_raw(b, "\">\n</div>\n");
}

/* A checkbox f-<id>; 'error' names the error describing it, if any. */
static void
check(struct sbuf *b, const char *id, const char *name, const char *value,
    const char *label, int checked, const char *error)
{
	html_raw(b, "<div class=\"check\"><input type=\"checkbox\" name=\"");
	html_attrs(b, name);
	html_raw(b, "\" value=\"");
	html_attrs(b, value);
	html_raw(b, "\" id=\"f-");
	html_attrs(b, id);
	html_raw(b, "\"");
	if (checked)
		html_raw(b, " checked");
	if (error != NULL) {
		html_raw(b, " aria-invalid=\"true\" aria-describedby=\"f-");
		html_attrs(b, error);
		html_raw(b, "-error\"");
	}
	html_raw(b, "><label for=\"f-");
	html_attrs(b, id);
	html_raw(b, "\">");
	html_texts(b, label);
	html_raw(b, "</label></div>\n");
}

/* A single box ticked by 'yes' (f-<prefix>-<name>-yes), with its error. */
static void
check_yes(struct admin_out *o, const char *prefix, const char *name,
    const char *label, int stored)
{
	const char	*err;
	char		 group[96], id[104];

	(void)snprintf(group, sizeof(group), "%s-%s", prefix, name);
	(void)snprintf(id, sizeof(id), "%s-yes", group);
	err = field_error(o, id, name);
	page_field_error(o->b, group, err);
	check(o->b, id, name, "yes", label, ticked(o, name, "yes", stored),
	    err != NULL ? group : NULL);
}

/*
 * A group of boxes under one name, in a fieldset: 'codes' are the values,
 * 'labels' what they show, 'stored' the ticked ones.  The error is the
 * group's (f-<prefix>-<name>-error), the summary links to the first box.
 */
static void
check_group(struct admin_out *o, const char *prefix, const char *name,
    const char *legend, json_t *codes, json_t *labels, json_t *stored)
{
	struct sbuf	*b = o->b;
	const char	*err, *code;
	char		 group[96], id[160];
	size_t		 i;

	(void)snprintf(group, sizeof(group), "%s-%s", prefix, name);
	(void)snprintf(id, sizeof(id), "%s-%s", group,
	    json_array_size(codes) > 0 ?
	    json_string_value(json_array_get(codes, 0)) : "none");
	err = field_error(o, id, name);
	html_raw(b, "<fieldset");
	if (err != NULL) {
		html_raw(b, " class=\"has-error\" aria-describedby=\"f-");
		html_attrs(b, group);
		html_raw(b, "-error\"");
	}
	html_raw(b, "><legend>");
	html_texts(b, legend);
	html_raw(b, "</legend>\n");
	page_field_error(b, group, err);
	for (i = 0; i < json_array_size(codes); i++) {
		code = json_string_value(json_array_get(codes, i));
		(void)snprintf(id, sizeof(id), "%s-%s", group, code);
		check(b, id, name, code,
		    json_string_value(json_array_get(labels, i)),
		    ticked(o, name, code, has(stored, code)),
		    err != NULL ? group : NULL);
	}
	html_raw(b, "</fieldset>\n");
}

static void
roles_and_queues(struct admin_out *o, const char *prefix, json_t *account)
{
	json_t	*roles, *codes, *names, *q;
	size_t	 i;

	roles = json_pack("[sss]", "reviewer", "supervisor", "admin");
	codes = json_array();
	names = json_array();
	json_array_foreach(json_object_get(o->v->config, "queues"), i, q) {
		json_array_append(codes, json_object_get(q, "code"));
		json_array_append(names, json_object_get(q, "name"));
	}
	check_group(o, prefix, "roles", "Roles", roles, roles,
	    json_object_get(account, "roles"));
	check_group(o, prefix, "queues", "Queues (what a reviewer sees; "
	    "supervisors see all)", codes, names,
	    json_object_get(account, "queues"));
	json_decref(roles);
	json_decref(codes);
	json_decref(names);
}

/* Absolute, on the back office's configured address: it is sent on. */
static void
link_notice(struct sbuf *b, const struct admin_view *v)
{
	struct sbuf	 link;

	if (v->link_token == NULL)
		return;
	html_raw(b, "<div class=\"notice\" role=\"status\"><p>Give this "
	    "one-time set-up link to the person, privately. It works once, "
	    "for 72 hours, and is shown only now:</p><p class=\"code uri\" "
	    "id=\"setup-link\">");
	sbuf_init(&link);
	baseurl_setup_link(&link, app.review_base_url, v->link_token);
	html_texts(b, sbuf_cstr(&link));
	sbuf_free(&link);
	html_raw(b, "</p></div>\n");
}

static void
roles_text(struct sbuf *b, json_t *a)
{
	json_t	*x;
	size_t	 i;

	json_array_foreach(json_object_get(a, "roles"), i, x) {
		if (i > 0)
			html_raw(b, ", ");
		html_texts(b, json_string_value(x));
	}
}

/* The list of accounts, each linking to its own page, and the new form. */
static void
accounts_page(struct admin_out *o)
{
	struct sbuf		*b = o->b;
	const struct admin_view	*v = o->v;
	json_t		*a, *x;
	size_t		 i, j;

	html_raw(b, "<h1>Accounts</h1>\n");
	link_notice(b, v);
	html_raw(b, "<div class=\"table-wrap\" role=\"region\" "
	    "aria-label=\"Accounts\" tabindex=\"0\"><table><thead><tr>"
	    "<th scope=\"col\">Login</th><th scope=\"col\">Name</th>"
	    "<th scope=\"col\">Roles</th><th scope=\"col\">Queues</th>"
	    "<th scope=\"col\">Status</th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(v->config, "accounts"), i, a) {
		sbuf_printf(b, "<tr><th scope=\"row\"><a href=\"/admin/"
		    "account?id=%lld\">", ji(a, "id"));
		html_texts(b, json_text(a, "login"));
		html_raw(b, "</a></th><td dir=\"auto\">");
		html_texts(b, json_text(a, "name"));
		html_raw(b, "</td><td>");
		roles_text(b, a);
		html_raw(b, "</td><td>");
		json_array_foreach(json_object_get(a, "queues"), j, x) {
			if (j > 0)
				html_raw(b, ", ");
			html_texts(b, json_string_value(x));
		}
		html_raw(b, "</td><td>");
		html_raw(b, !json_is_true(json_object_get(a, "active")) ?
		    "inactive" : !json_is_true(json_object_get(a, "set_up")) ?
		    "not set up yet" : "active");
		html_raw(b, "</td></tr>\n");
	}
	html_raw(b, "</tbody></table></div>\n<section aria-labelledby=\"new-h\">"
	    "<h2 id=\"new-h\">New account</h2>\n");
	form_open(o, "/admin/accounts/create", "admin",
	    posted(v, "/admin/accounts/create", NULL));
	text_field(o, "new", "login", "Login name", "", 40);
	text_field(o, "new", "name", "Name", "", 100);
	text_field(o, "new", "email", "E-mail for notifications (optional)",
	    "", 254);
	roles_and_queues(o, "new", NULL);
	html_raw(b, "<button type=\"submit\" class=\"button\">Create and show "
	    "the set-up link</button>\n</form>\n</section>\n");
}

/* One account: its roles, queues and state, a new link, its brand bars. */
static void
account_page(struct admin_out *o)
{
	struct sbuf		*b = o->b;
	const struct admin_view	*v = o->v;
	json_t		*a, *x, *found = NULL;
	size_t		 i, j;

	json_array_foreach(json_object_get(v->config, "accounts"), i, a)
		if (ji(a, "id") == v->account_id)
			found = a;
	if ((a = found) == NULL) {
		html_raw(b, "<h1>No such account</h1>\n<p><a href=\"/admin/"
		    "accounts\">All accounts</a></p>\n");
		return;
	}
	html_raw(b, "<p><a href=\"/admin/accounts\">All accounts</a></p>\n"
	    "<h1>");
	html_texts(b, json_text(a, "login"));
	html_raw(b, "</h1>\n");
	link_notice(b, v);
	form_open(o, "/admin/accounts/update", "admin",
	    posted(v, "/admin/accounts/update", NULL));
	hidden_id(b, ji(a, "id"));
	text_field(o, "new", "name", "Name", json_text(a, "name"), 100);
	text_field(o, "new", "email", "E-mail for notifications (optional)",
	    json_text(a, "email"), 254);
	roles_and_queues(o, "acct", a);
	check_yes(o, "acct", "active", "Active (can log in)",
	    json_is_true(json_object_get(a, "active")));
	html_raw(b, "<button type=\"submit\" class=\"button\">Save</button>\n"
	    "</form>\n<h2>Set-up link</h2>\n<p>For a forgotten password or a "
	    "lost authenticator: a new link replaces any unused one.</p>\n");
	form_open(o, "/admin/accounts/reset", "inline", 0);
	hidden_id(b, ji(a, "id"));
	html_raw(b, "<button type=\"submit\" class=\"button secondary\">"
	    "Make a new set-up link</button>\n</form>\n<h2>Brands this person "
	    "may not work on</h2>\n<p>Conflicts of interest: cases naming "
	    "these brands are hidden from them, and taken off them.</p>\n"
	    "<ul>\n");
	json_array_foreach(json_object_get(a, "bars"), j, x) {
		html_raw(b, "<li>");
		html_texts(b, json_string_value(x));
		html_raw(b, " ");
		form_open(o, "/admin/accounts/unbar", "inline", 0);
		hidden_id(b, ji(a, "id"));
		page_hidden(b, "brand", json_string_value(x));
		html_raw(b, "<button type=\"submit\" class=\"link\">Remove"
		    "</button></form></li>\n");
	}
	html_raw(b, "</ul>\n");
	form_open(o, "/admin/accounts/bar", "admin",
	    posted(v, "/admin/accounts/bar", NULL));
	hidden_id(b, ji(a, "id"));
	text_field(o, "new", "brand", "Bar from a brand", "", 200);
	html_raw(b, "<button type=\"submit\" class=\"button\">Add the bar"
	    "</button>\n</form>\n");
}

/* Opens the select f-new-<name>; returns the value to show selected. */
static const char *
select_open(struct admin_out *o, const char *name, const char *label)
{
	const char	*err;
	char		 id[96];

	(void)snprintf(id, sizeof(id), "new-%s", name);
	err = field_error(o, id, name);
	page_field_intro(o->b, id, label, "", err, 0);
	html_raw(o->b, "<select");
	page_field_aria_name(o->b, id, name, err);
	html_raw(o->b, ">\n");
	return (shown(o, name, NULL));
}

static void
opt(struct sbuf *b, const char *value, const char *label,
    const char *selected)
{
	html_raw(b, "<option value=\"");
	html_attrs(b, value);
	html_raw(b, "\"");
	if (selected != NULL && strcmp(selected, value) == 0)
		html_raw(b, " selected");
	html_raw(b, ">");
	html_texts(b, label);
	html_raw(b, "</option>\n");
}

static void
routing_page(struct admin_out *o)
{
	struct sbuf		*b = o->b;
	const struct admin_view	*v = o->v;
	json_t			*q, *r, *x, *queues;
	const char		*sel;
	size_t			 i;
	char			 prefix[48], months[24];

	html_raw(b, "<h1>Queues and routing</h1>\n<h2>Queues</h2>\n");
	queues = json_object_get(v->config, "queues");
	json_array_foreach(queues, i, q) {
		(void)snprintf(prefix, sizeof(prefix), "q-%s", json_text(q, "code"));
		form_open(o, "/admin/queues/save", "admin row",
		    posted(v, "/admin/queues/save", json_text(q, "code")));
		page_hidden(b, "code", json_text(q, "code"));
		html_raw(b, "<p><code>");
		html_texts(b, json_text(q, "code"));
		html_raw(b, "</code></p>\n");
		text_field(o, prefix, "name", "Name", json_text(q, "name"),
		    100);
		(void)snprintf(months, sizeof(months), "%lld",
		    (long long)json_integer_value(json_object_get(q,
		    "retention_months")));
		text_field(o, prefix, "retention_months", "Months after "
		    "closing until personal data is erased", months, 3);
		check_yes(o, prefix, "active", "Active",
		    json_is_true(json_object_get(q, "active")));
		html_raw(b, "<button type=\"submit\" class=\"button\">Save"
		    "</button>\n</form>\n");
	}
	html_raw(b, "<h3>New queue</h3>\n");
	form_open(o, "/admin/queues/save", "admin",
	    posted_new(v, "/admin/queues/save", queues));
	text_field(o, "new", "code", "Code", "", 40);
	text_field(o, "new", "name", "Name", "", 100);
	text_field(o, "new", "retention_months", "Months after closing until "
	    "personal data is erased", "12", 3);
	html_raw(b, "<input type=\"hidden\" name=\"active\" value=\"yes\">\n"
	    "<button type=\"submit\" class=\"button\">Add the queue</button>\n"
	    "</form>\n<h2>Routing rules</h2>\n<p>At intake the first rule (by "
	    "position) whose filled-in conditions all match decides the queue "
	    "and priority; with none, the case goes to <code>general</code> at "
	    "priority 2. A child or vulnerable person always raises the "
	    "priority to at least 3.</p>\n<div class=\"table-wrap\" "
	    "role=\"region\" aria-label=\"Routing rules\" tabindex=\"0\">"
	    "<table><thead><tr><th scope=\"col\">"
	    "Position</th><th scope=\"col\">Concern</th><th scope=\"col\">"
	    "Channel</th><th scope=\"col\">Vulnerable</th><th scope=\"col\">"
	    "Brand</th><th scope=\"col\">Targeting reason</th>"
	    "<th scope=\"col\">Said AI was used</th><th scope=\"col\">Queue</th><th scope=\"col\">Priority"
	    "</th><th scope=\"col\"><span class=\"visually-hidden\">Delete"
	    "</span></th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(v->config, "rules"), i, r) {
		x = json_object_get(r, "vulnerable");
		sbuf_printf(b, "<tr><td>%lld</td><td>", ji(r, "position"));
		html_texts(b, json_is_string(json_object_get(r, "category")) ?
		    json_text(r, "category") : "any");
		html_raw(b, "</td><td>");
		html_texts(b, json_is_string(json_object_get(r, "channel")) ?
		    json_text(r, "channel") : "any");
		html_raw(b, "</td><td>");
		html_raw(b, json_is_null(x) ? "either" : json_is_true(x) ?
		    "yes" : "no");
		html_raw(b, "</td><td dir=\"auto\">");
		html_texts(b, json_is_string(json_object_get(r, "brand")) ?
		    json_text(r, "brand") : "any");
		html_raw(b, "</td><td>");
		html_texts(b, json_is_string(json_object_get(r,
		    "targeting_reason")) ? json_text(r, "targeting_reason") :
		    "any");
		html_raw(b, "</td><td>");
		html_texts(b, json_is_string(json_object_get(r,
		    "ai_disclosed")) ? json_text(r, "ai_disclosed") : "any");
		html_raw(b, "</td><td>");
		html_texts(b, json_text(r, "queue"));
		sbuf_printf(b, "</td><td>%lld</td><td>", ji(r, "priority"));
		form_open(o, "/admin/rules/delete", "inline", 0);
		hidden_id(b, ji(r, "id"));
		html_raw(b, "<button type=\"submit\" class=\"link\">Delete"
		    "</button></form></td></tr>\n");
	}
	html_raw(b, "</tbody></table></div>\n<h3>New rule</h3>\n");
	form_open(o, "/admin/rules/add", "admin",
	    posted(v, "/admin/rules/add", NULL));
	text_field(o, "new", "position", "Position", "", 6);
	sel = select_open(o, "category", "Concern");
	opt(b, "", "Any", sel);
	json_array_foreach(json_object_get(v->config, "categories"), i, x)
		opt(b, json_text(x, "code"), json_text(x, "label"), sel);
	html_raw(b, "</select></div>\n");
	sel = select_open(o, "channel", "Channel");
	opt(b, "", "Any", sel);
	json_array_foreach(json_object_get(v->config, "channels"), i, x)
		opt(b, json_text(x, "code"), json_text(x, "label"), sel);
	html_raw(b, "</select></div>\n");
	sel = select_open(o, "vulnerable", "Child or vulnerable person "
	    "affected");
	opt(b, "", "Either", sel);
	opt(b, "yes", "Yes", sel);
	opt(b, "no", "No", sel);
	html_raw(b, "</select></div>\n");
	text_field(o, "new", "brand", "Brand (empty: any)", "", 200);
	sel = select_open(o, "targeting_reason", "Targeting reason given "
	    "(among others)");
	opt(b, "", "Any", sel);
	json_array_foreach(json_object_get(v->config, "targeting_reasons"), i,
	    x)
		opt(b, json_text(x, "code"), json_text(x, "label"), sel);
	html_raw(b, "</select></div>\n");
	sel = select_open(o, "ai_disclosed", "Said AI was used");
	opt(b, "", "Any answer", sel);
	for (i = 0; i < INTAKE_AI_ANSWERS; i++)
		opt(b, intake_ai_answer[i].code, intake_ai_answer[i].label,
		    sel);
	html_raw(b, "</select></div>\n");
	sel = select_open(o, "queue", "Queue");
	json_array_foreach(queues, i, q)
		if (json_is_true(json_object_get(q, "active")))
			opt(b, json_text(q, "code"), json_text(q, "name"), sel);
	html_raw(b, "</select></div>\n");
	sel = select_open(o, "priority", "Priority");
	opt(b, "2", "2 normal", sel);
	opt(b, "1", "1 low", sel);
	opt(b, "3", "3 high", sel);
	opt(b, "4", "4 urgent", sel);
	html_raw(b, "</select></div>\n<button type=\"submit\" class=\"button\">"
	    "Add the rule</button>\n</form>\n");
}

/*
 * One list of the taxonomy: a form per entry and one to add an entry, all
 * posting to 'action'.  Field ids start with 'letter' and the code.
 */
static void
taxon_forms(struct admin_out *o, json_t *rows, const char *action,
    const char *letter, const char *noun, const char *code_example)
{
	struct sbuf		*b = o->b;
	const struct admin_view	*v = o->v;
	json_t			*k;
	size_t			 i;
	char			 prefix[80], pos[24], text[120];

	json_array_foreach(rows, i, k) {
		(void)snprintf(prefix, sizeof(prefix), "%s-%s", letter,
		    json_text(k, "code"));
		(void)snprintf(pos, sizeof(pos), "%lld", ji(k, "position"));
		form_open(o, action, "admin row",
		    posted(v, action, json_text(k, "code")));
		page_hidden(b, "code", json_text(k, "code"));
		html_raw(b, "<p><code>");
		html_texts(b, json_text(k, "code"));
		html_raw(b, "</code></p>\n");
		text_field(o, prefix, "label", "Label", json_text(k, "label"),
		    200);
		text_field(o, prefix, "hint", "Hint", json_text(k, "hint"),
		    500);
		text_field(o, prefix, "position", "Position", pos, 6);
		check_yes(o, prefix, "active", "Offered on the form",
		    json_is_true(json_object_get(k, "active")));
		html_raw(b, "<button type=\"submit\" class=\"button\">Save"
		    "</button>\n</form>\n");
	}
	(void)snprintf(text, sizeof(text), "<h3>New %s</h3>\n", noun);
	html_raw(b, text);
	form_open(o, action, "admin", posted_new(v, action, rows));
	(void)snprintf(prefix, sizeof(prefix), "new-%s", letter);
	(void)snprintf(text, sizeof(text), "Code (like %s)", code_example);
	text_field(o, prefix, "code", text, "", 60);
	text_field(o, prefix, "label", "Label", "", 200);
	text_field(o, prefix, "hint", "Hint", "", 500);
	text_field(o, prefix, "position", "Position", "", 6);
	(void)snprintf(text, sizeof(text), "Add the %s", noun);
	html_raw(b, "<input type=\"hidden\" name=\"active\" value=\"yes\">\n"
	    "<button type=\"submit\" class=\"button\">");
	html_texts(b, text);
	html_raw(b, "</button>\n</form>\n");
}

static void
taxonomy_page(struct admin_out *o)
{
	struct sbuf		*b = o->b;
	const struct admin_view	*v = o->v;

	html_raw(b, "<h1>Taxonomy</h1>\n<p>What the complaint form offers "
	    "(the public side reloads it within a minute), what routing "
	    "rules match and what reports count by. Retire an entry rather "
	    "than delete it: old cases keep their codes.</p>\n"
	    "<h2>Concerns</h2>\n");
	taxon_forms(o, json_object_get(v->config, "categories"),
	    "/admin/categories/save", "c", "concern", "privacy.profiling");
	html_raw(b, "<h2>Targeting reasons</h2>\n<p>Why complainants think "
	    "they were shown the marketing; they may choose several.</p>\n");
	taxon_forms(o, json_object_get(v->config, "targeting_reasons"),
	    "/admin/targeting/save", "t", "targeting reason",
	    "contextual_keywords");
}

static void
audit_page(struct sbuf *b, const struct admin_view *v)
{
	json_t		*e;
	size_t		 i, n;
	long long	 last = 0;

	html_raw(b, "<h1>Audit log</h1>\n<section aria-labelledby=\"chain-h\" "
	    "id=\"chain\"><h2 id=\"chain-h\">Chain verification</h2>\n");
	if (v->verifier != NULL && v->verifier->broken == NULL &&
	    v->outside == 0) {
		sbuf_printf(b, "<p class=\"ok\" id=\"chain-status\"><strong>"
		    "Intact</strong>: %llu links verified; %lld events await "
		    "their seal.</p>\n", (unsigned long long)v->verifier->verified,
		    v->pending);
		html_raw(b, "<p>Head: <code class=\"code\">");
		html_texts(b, v->head);
		html_raw(b, "</code></p>\n");
	} else if (v->verifier != NULL && v->verifier->broken != NULL) {
		sbuf_printf(b, "<p class=\"error\" id=\"chain-status\"><strong>"
		    "BROKEN</strong> at link %llu (event %llu): ",
		    (unsigned long long)v->verifier->broken_seq,
		    (unsigned long long)v->verifier->broken_event);
		html_texts(b, v->verifier->broken);
		html_raw(b, ".</p>\n");
	} else {
		sbuf_printf(b, "<p class=\"error\" id=\"chain-status\"><strong>"
		    "BROKEN</strong>: %lld events are neither in the chain nor "
		    "waiting for their seal.</p>\n", v->outside);
	}
	html_raw(b, "<p>The same check runs from the command line: "
	    "<code>recourse-admin verify-audit</code>.</p>\n</section>\n"
	    "<div class=\"table-wrap\" role=\"region\" "
	    "aria-label=\"Audit events\" tabindex=\"0\"><table class=\"audit\">"
	    "<thead><tr><th scope=\"col\">#</th>"
	    "<th scope=\"col\">Time</th><th scope=\"col\">Who</th>"
	    "<th scope=\"col\">Action</th><th scope=\"col\">Object</th>"
	    "<th scope=\"col\">Link</th></tr></thead><tbody>\n");
	n = json_array_size(v->events);
	json_array_foreach(v->events, i, e) {
		last = ji(e, "id");
		sbuf_printf(b, "<tr><td>%lld</td><td>", last);
		html_text(b, json_text(e, "at"), strnlen(json_text(e, "at"), 19));
		html_raw(b, "</td><td>");
		html_texts(b, json_is_string(json_object_get(e, "actor_login")) ?
		    json_text(e, "actor_login") : json_text(e, "actor"));
		html_raw(b, "</td><td>");
		html_texts(b, json_text(e, "action"));
		html_raw(b, "</td><td>");
		html_texts(b, json_text(e, "object"));
		html_raw(b, "</td><td>");
		if (json_is_integer(json_object_get(e, "seq")))
			sbuf_printf(b, "%lld", ji(e, "seq"));
		else
			html_raw(b, "pending");
		html_raw(b, "</td></tr>\n");
	}
	html_raw(b, "</tbody></table></div>\n");
	if (n > 0 && last > 1)
		sbuf_printf(b, "<p class=\"pager\"><a href=\"/admin/audit?"
		    "before=%lld\">Older events</a></p>\n", last);
}

/*
 * The summary above the page: the errors shown next to their fields, in
 * the order of the form, then those about no field shown (a forged id, a
 * form that is not the page's), each without a link.
 */
static void
summary(struct sbuf *b, struct admin_out *o)
{
	const struct admin_view	*v = o->v;
	const char		*k;
	json_t			*m;
	size_t			 i;

	json_object_foreach(v->errors, k, m) {
		for (i = 0; i < o->n; i++)
			if (strcmp(o->fields[i], k) == 0)
				break;
		if (i < o->n || o->n == SHOWN_MAX || !json_is_string(m))
			continue;
		o->ids[o->n] = NULL;
		o->messages[o->n++] = json_string_value(m);
	}
	if (v->error != NULL && o->n < SHOWN_MAX) {
		o->ids[o->n] = NULL;
		o->messages[o->n++] = v->error;
	}
	if (o->n > 0)
		page_error_summary(b, o->ids, o->messages, o->n);
}

/* The administration pages' own navigation (also on /admin/outbox). */
void
view_admin_subnav(struct sbuf *b)
{
	html_raw(b, "<nav aria-label=\"Administration\" class=\"subnav\"><ul>"
	    "<li><a href=\"/admin/accounts\">Accounts</a></li>"
	    "<li><a href=\"/admin/routing\">Queues and routing</a></li>"
	    "<li><a href=\"/admin/taxonomy\">Taxonomy</a></li>"
	    "<li><a href=\"/admin/calendars\">Calendars</a></li>"
	    "<li><a href=\"/admin/policies\">Policies</a></li>"
	    "<li><a href=\"/admin/pause-reasons\">Pause reasons</a></li>"
	    "<li><a href=\"/admin/audit\">Audit log</a></li>"
	    "<li><a href=\"/admin/outbox\">Outbox</a></li></ul></nav>\n");
}

void
view_admin(struct sbuf *b, const struct admin_view *v)
{
	struct admin_out	 o;
	struct sbuf		 body;

	/* The body first: the summary lists the errors it showed. */
	memset(&o, 0, sizeof(o));
	sbuf_init(&body);
	o.b = &body;
	o.v = v;
	if (strcmp(v->page, "/admin/accounts") == 0)
		accounts_page(&o);
	else if (strcmp(v->page, "/admin/account") == 0)
		account_page(&o);
	else if (strcmp(v->page, "/admin/routing") == 0)
		routing_page(&o);
	else if (strcmp(v->page, "/admin/taxonomy") == 0)
		taxonomy_page(&o);
	else if (strcmp(v->page, "/admin/audit") == 0)
		audit_page(&body, v);
	else
		html_raw(&body, "<h1>Administration</h1>\n<p>Manage who "
		    "works here and on what, how cases are routed, what the "
		    "complaint form offers, and check the audit log.</p>\n");
	page_staff_begin(b, v->error != NULL || json_object_size(v->errors) >
	    0 ? "Error: administration" : "Administration", v->who, v->csrf);
	view_admin_subnav(b);
	summary(b, &o);
	sbuf_add(b, body.data, body.len);
	sbuf_free(&body);
	page_end(b);
}
