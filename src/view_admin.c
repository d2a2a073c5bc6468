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

static void
form_open(struct sbuf *b, const struct admin_view *v, const char *action,
    const char *cls)
{
	html_raw(b, "<form method=\"post\" action=\"");
	html_attrs(b, action);
	html_raw(b, "\" enctype=\"multipart/form-data\" novalidate class=\"");
	html_attrs(b, cls);
	html_raw(b, "\">\n");
	page_hidden(b, "csrf", v->csrf);
}

static void
hidden_id(struct sbuf *b, long long id)
{
	sbuf_printf(b, "<input type=\"hidden\" name=\"id\" value=\"%lld\">\n",
	    id);
}

/* A labelled text input; ids carry a prefix so they stay unique. */
static void
text_field(struct sbuf *b, const struct admin_view *v, const char *prefix,
    const char *name, const char *label, const char *value, int size)
{
	const char	*err;
	char		 id[64];

	(void)snprintf(id, sizeof(id), "%s-%s", prefix, name);
	err = v->error_field != NULL && strcmp(v->error_field, name) == 0 &&
	    strcmp(prefix, "new") == 0 ? v->error : NULL;
	page_field_intro(b, id, label, "", err, 0);
	sbuf_printf(b, "<input type=\"text\" maxlength=\"%d\"", size);
	html_raw(b, " id=\"f-");
	html_attrs(b, id);
	html_raw(b, "\" name=\"");
	html_attrs(b, name);
	html_raw(b, "\" value=\"");
	html_attrs(b, value);
	html_raw(b, "\"");
	if (err != NULL)
		html_raw(b, " aria-invalid=\"true\"");
	html_raw(b, ">\n</div>\n");
}

static void
check(struct sbuf *b, const char *prefix, const char *name, const char *value,
    const char *label, int checked)
{
	html_raw(b, "<div class=\"check\"><input type=\"checkbox\" name=\"");
	html_attrs(b, name);
	html_raw(b, "\" value=\"");
	html_attrs(b, value);
	html_raw(b, "\" id=\"f-");
	html_attrs(b, prefix);
	html_raw(b, "-");
	html_attrs(b, name);
	html_raw(b, "-");
	html_attrs(b, value);
	html_raw(b, "\"");
	if (checked)
		html_raw(b, " checked");
	html_raw(b, "><label for=\"f-");
	html_attrs(b, prefix);
	html_raw(b, "-");
	html_attrs(b, name);
	html_raw(b, "-");
	html_attrs(b, value);
	html_raw(b, "\">");
	html_texts(b, label);
	html_raw(b, "</label></div>\n");
}

static void
roles_and_queues(struct sbuf *b, const struct admin_view *v,
    const char *prefix, json_t *account)
{
	static const char *const roles[] = { "reviewer", "supervisor", "admin" };
	json_t	*q;
	size_t	 i;

	html_raw(b, "<fieldset><legend>Roles</legend>\n");
	for (i = 0; i < 3; i++)
		check(b, prefix, "roles", roles[i], roles[i], account != NULL &&
		    has(json_object_get(account, "roles"), roles[i]));
	html_raw(b, "</fieldset>\n<fieldset><legend>Queues (what a reviewer "
	    "sees; supervisors see all)</legend>\n");
	json_array_foreach(json_object_get(v->config, "queues"), i, q)
		check(b, prefix, "queues", json_text(q, "code"), json_text(q, "name"),
		    account != NULL && has(json_object_get(account, "queues"),
		    json_text(q, "code")));
	html_raw(b, "</fieldset>\n");
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
accounts_page(struct sbuf *b, const struct admin_view *v)
{
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
	form_open(b, v, "/admin/accounts/create", "admin");
	text_field(b, v, "new", "login", "Login name", "", 40);
	text_field(b, v, "new", "name", "Name", "", 100);
	roles_and_queues(b, v, "new", NULL);
	html_raw(b, "<button type=\"submit\" class=\"button\">Create and show "
	    "the set-up link</button>\n</form>\n</section>\n");
}

/* One account: its roles, queues and state, a new link, its brand bars. */
static void
account_page(struct sbuf *b, const struct admin_view *v)
{
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
	form_open(b, v, "/admin/accounts/update", "admin");
	hidden_id(b, ji(a, "id"));
	text_field(b, v, "new", "name", "Name", json_text(a, "name"), 100);
	roles_and_queues(b, v, "acct", a);
	check(b, "acct", "active", "yes", "Active (can log in)",
	    json_is_true(json_object_get(a, "active")));
	html_raw(b, "<button type=\"submit\" class=\"button\">Save</button>\n"
	    "</form>\n<h2>Set-up link</h2>\n<p>For a forgotten password or a "
	    "lost authenticator: a new link replaces any unused one.</p>\n");
	form_open(b, v, "/admin/accounts/reset", "inline");
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
		form_open(b, v, "/admin/accounts/unbar", "inline");
		hidden_id(b, ji(a, "id"));
		page_hidden(b, "brand", json_string_value(x));
		html_raw(b, "<button type=\"submit\" class=\"link\">Remove"
		    "</button></form></li>\n");
	}
	html_raw(b, "</ul>\n");
	form_open(b, v, "/admin/accounts/bar", "admin");
	hidden_id(b, ji(a, "id"));
	text_field(b, v, "new", "brand", "Bar from a brand", "", 200);
	html_raw(b, "<button type=\"submit\" class=\"button\">Add the bar"
	    "</button>\n</form>\n");
}

static void
select_open(struct sbuf *b, const char *id, const char *name,
    const char *label)
{
	html_raw(b, "<div class=\"field\"><label for=\"f-");
	html_attrs(b, id);
	html_raw(b, "\">");
	html_texts(b, label);
	html_raw(b, "</label>\n<select id=\"f-");
	html_attrs(b, id);
	html_raw(b, "\" name=\"");
	html_attrs(b, name);
	html_raw(b, "\">\n");
}

static void
opt(struct sbuf *b, const char *value, const char *label)
{
	html_raw(b, "<option value=\"");
	html_attrs(b, value);
	html_raw(b, "\">");
	html_texts(b, label);
	html_raw(b, "</option>\n");
}

static void
routing_page(struct sbuf *b, const struct admin_view *v)
{
	json_t	*q, *r, *x;
	size_t	 i;
	char	 prefix[48];

	html_raw(b, "<h1>Queues and routing</h1>\n<h2>Queues</h2>\n");
	json_array_foreach(json_object_get(v->config, "queues"), i, q) {
		(void)snprintf(prefix, sizeof(prefix), "q-%s", json_text(q, "code"));
		form_open(b, v, "/admin/queues/save", "admin row");
		page_hidden(b, "code", json_text(q, "code"));
		html_raw(b, "<p><code>");
		html_texts(b, json_text(q, "code"));
		html_raw(b, "</code></p>\n");
		text_field(b, v, prefix, "name", "Name", json_text(q, "name"), 100);
		check(b, prefix, "active", "yes", "Active",
		    json_is_true(json_object_get(q, "active")));
		html_raw(b, "<button type=\"submit\" class=\"button\">Save"
		    "</button>\n</form>\n");
	}
	html_raw(b, "<h3>New queue</h3>\n");
	form_open(b, v, "/admin/queues/save", "admin");
	text_field(b, v, "new", "code", "Code", "", 40);
	text_field(b, v, "new", "name", "Name", "", 100);
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
	    "Brand</th><th scope=\"col\">Queue</th><th scope=\"col\">Priority"
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
		html_texts(b, json_text(r, "queue"));
		sbuf_printf(b, "</td><td>%lld</td><td>", ji(r, "priority"));
		form_open(b, v, "/admin/rules/delete", "inline");
		hidden_id(b, ji(r, "id"));
		html_raw(b, "<button type=\"submit\" class=\"link\">Delete"
		    "</button></form></td></tr>\n");
	}
	html_raw(b, "</tbody></table></div>\n<h3>New rule</h3>\n");
	form_open(b, v, "/admin/rules/add", "admin");
	text_field(b, v, "new", "position", "Position", "", 6);
	select_open(b, "new-category", "category", "Concern");
	opt(b, "", "Any");
	json_array_foreach(json_object_get(v->config, "categories"), i, x)
		opt(b, json_text(x, "code"), json_text(x, "label"));
	html_raw(b, "</select></div>\n");
	select_open(b, "new-channel", "channel", "Channel");
	opt(b, "", "Any");
	json_array_foreach(json_object_get(v->config, "channels"), i, x)
		opt(b, json_text(x, "code"), json_text(x, "label"));
	html_raw(b, "</select></div>\n");
	select_open(b, "new-vulnerable", "vulnerable", "Child or vulnerable "
	    "person affected");
	opt(b, "", "Either");
	opt(b, "yes", "Yes");
	opt(b, "no", "No");
	html_raw(b, "</select></div>\n");
	text_field(b, v, "new", "brand", "Brand (empty: any)", "", 200);
	select_open(b, "new-queue", "queue", "Queue");
	json_array_foreach(json_object_get(v->config, "queues"), i, q)
		if (json_is_true(json_object_get(q, "active")))
			opt(b, json_text(q, "code"), json_text(q, "name"));
	html_raw(b, "</select></div>\n");
	select_open(b, "new-priority", "priority", "Priority");
	opt(b, "2", "2 normal");
	opt(b, "1", "1 low");
	opt(b, "3", "3 high");
	opt(b, "4", "4 urgent");
	html_raw(b, "</select></div>\n<button type=\"submit\" class=\"button\">"
	    "Add the rule</button>\n</form>\n");
}

static void
taxonomy_page(struct sbuf *b, const struct admin_view *v)
{
	json_t	*k;
	size_t	 i;
	char	 prefix[80], pos[24];

	html_raw(b, "<h1>Concern taxonomy</h1>\n<p>What the complaint form "
	    "offers (the public side reloads it within a minute) and what "
	    "reports count by. Retire a concern rather than delete it: old "
	    "cases keep their code.</p>\n");
	json_array_foreach(json_object_get(v->config, "categories"), i, k) {
		(void)snprintf(prefix, sizeof(prefix), "c-%s", json_text(k, "code"));
		(void)snprintf(pos, sizeof(pos), "%lld", ji(k, "position"));
		form_open(b, v, "/admin/categories/save", "admin row");
		page_hidden(b, "code", json_text(k, "code"));
		html_raw(b, "<p><code>");
		html_texts(b, json_text(k, "code"));
		html_raw(b, "</code></p>\n");
		text_field(b, v, prefix, "label", "Label", json_text(k, "label"), 200);
		text_field(b, v, prefix, "hint", "Hint", json_text(k, "hint"), 500);
		text_field(b, v, prefix, "position", "Position", pos, 6);
		check(b, prefix, "active", "yes", "Offered on the form",
		    json_is_true(json_object_get(k, "active")));
		html_raw(b, "<button type=\"submit\" class=\"button\">Save"
		    "</button>\n</form>\n");
	}
	html_raw(b, "<h2>New concern</h2>\n");
	form_open(b, v, "/admin/categories/save", "admin");
	text_field(b, v, "new", "code", "Code (like privacy.profiling)", "", 60);
	text_field(b, v, "new", "label", "Label", "", 200);
	text_field(b, v, "new", "hint", "Hint", "", 500);
	text_field(b, v, "new", "position", "Position", "", 6);
	html_raw(b, "<input type=\"hidden\" name=\"active\" value=\"yes\">\n"
	    "<button type=\"submit\" class=\"button\">Add the concern</button>\n"
	    "</form>\n");
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

void
view_admin(struct sbuf *b, const struct admin_view *v)
{
	page_staff_begin(b, v->error ? "Error: administration" :
	    "Administration", v->who, v->csrf);
	html_raw(b, "<nav aria-label=\"Administration\" class=\"subnav\"><ul>"
	    "<li><a href=\"/admin/accounts\">Accounts</a></li>"
	    "<li><a href=\"/admin/routing\">Queues and routing</a></li>"
	    "<li><a href=\"/admin/taxonomy\">Concern taxonomy</a></li>"
	    "<li><a href=\"/admin/audit\">Audit log</a></li></ul></nav>\n");
	if (v->error != NULL) {
		html_raw(b, "<div class=\"error-summary\" role=\"alert\" "
		    "tabindex=\"-1\"><h2>Nothing was changed</h2><p>");
		html_texts(b, v->error);
		html_raw(b, "</p></div>\n");
	}
	if (strcmp(v->page, "/admin/accounts") == 0)
		accounts_page(b, v);
	else if (strcmp(v->page, "/admin/account") == 0)
		account_page(b, v);
	else if (strcmp(v->page, "/admin/routing") == 0)
		routing_page(b, v);
	else if (strcmp(v->page, "/admin/taxonomy") == 0)
		taxonomy_page(b, v);
	else if (strcmp(v->page, "/admin/audit") == 0)
		audit_page(b, v);
	else
		html_raw(b, "<h1>Administration</h1>\n<p>Manage who works "
		    "here and on what, how cases are routed, what the "
		    "complaint form offers, and check the audit log.</p>\n");
	page_end(b);
}
