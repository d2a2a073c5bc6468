/*
 * The administration pages under /admin: accounts (with one-time set-up
 * links and brand bars), queues and routing rules, the concern taxonomy,
 * and the audit log with the chain's verification.  Every change is one
 * SQL function that checks the admin role and audits itself.
 */

#include <string.h>

#include <sodium.h>

#include "app.h"

enum { PH_AUTH, PH_COMMAND, PH_PAGE, PH_COUNTS, PH_VERIFY, PH_LOG };

/* How a form field becomes a parameter. */
enum { F_TEXT, F_ARRAY, F_CHECK, F_NUMBER, F_CONST };

struct admin_field {
	const char	*name;
	int		 kind;
};

#define MAX_FIELDS	9	/* a command's form fields ($2 on) */

struct admin_command {
	const char		*path;
	const char		*page;		/* where it is shown */
	const char		*sql;		/* $1 actor, then the fields */
	struct admin_field	 fields[MAX_FIELDS];
	int			 makes_link;	/* last param: token hash */
};

static const struct admin_command commands[] = {
	{ "/admin/accounts/create", "/admin/accounts",
	    "SELECT admin_account_create($1, $2, $3, $4, $5, $6, $7)",
	    { { "login", F_TEXT }, { "name", F_TEXT }, { "roles", F_ARRAY },
	    { "queues", F_ARRAY }, { "email", F_TEXT } }, 1 },
	{ "/admin/accounts/update", "/admin/account",
	    "SELECT admin_account_update($1, $2, $3, $4, $5, $6, $7)",
	    { { "id", F_NUMBER }, { "name", F_TEXT }, { "roles", F_ARRAY },
	    { "queues", F_ARRAY }, { "active", F_CHECK }, { "email", F_TEXT } },
	    0 },
	{ "/admin/accounts/reset", "/admin/account",
	    "SELECT admin_account_reset($1, $2, $3)",
	    { { "id", F_NUMBER } }, 1 },
	{ "/admin/accounts/bar", "/admin/account",
	    "SELECT admin_brand_bar($1, $2, $3, $4)",
	    { { "id", F_NUMBER }, { "brand", F_TEXT }, { "bar", F_CONST } },
	    0 },
	{ "/admin/accounts/unbar", "/admin/account",
	    "SELECT admin_brand_bar($1, $2, $3, $4)",
	    { { "id", F_NUMBER }, { "brand", F_TEXT }, { "unbar", F_CONST } },
	    0 },
	{ "/admin/queues/save", "/admin/routing",
	    "SELECT admin_queue_save($1, $2, $3, $4, $5)",
	    { { "code", F_TEXT }, { "name", F_TEXT }, { "active", F_CHECK },
	    { "retention_months", F_TEXT } }, 0 },
	{ "/admin/rules/add", "/admin/routing",
	    "SELECT admin_rule_add($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	    { { "position", F_TEXT }, { "category", F_TEXT },
	    { "channel", F_TEXT }, { "vulnerable", F_TEXT },
	    { "brand", F_TEXT }, { "queue", F_TEXT }, { "priority", F_TEXT },
	    { "targeting_reason", F_TEXT }, { "ai_disclosed", F_TEXT } }, 0 },
	{ "/admin/rules/delete", "/admin/routing",
	    "SELECT admin_rule_delete($1, $2)",
	    { { "id", F_TEXT } }, 0 },
	{ "/admin/categories/save", "/admin/taxonomy",
	    "SELECT admin_category_save($1, $2, $3, $4, $5, $6)",
	    { { "code", F_TEXT }, { "label", F_TEXT }, { "hint", F_TEXT },
	    { "position", F_TEXT }, { "active", F_CHECK } }, 0 },
	{ "/admin/targeting/save", "/admin/taxonomy",
	    "SELECT admin_targeting_save($1, $2, $3, $4, $5, $6)",
	    { { "code", F_TEXT }, { "label", F_TEXT }, { "hint", F_TEXT },
	    { "position", F_TEXT }, { "active", F_CHECK } }, 0 },
};

#define AUDIT_PAGE	100
#define AUDIT_SLICE	20000	/* links verified per statement */
#define MAX_PARAMS	(MAX_FIELDS + 1)

struct admin_ctx {
	int				 phase;
	struct staff_auth_ctx		 auth;
	struct db_query			 q;
	char				 csrf[STAFF_TOKEN_TEXT + 1];
	const struct admin_command	*cmd;
	const char			*page;
	struct sbuf			 params[MAX_PARAMS];
	int				 nparams;
	char				 link_token[STAFF_TOKEN_TEXT + 1];
	unsigned char			 link_hash[VAULT_HASHBYTES];
	char				*outcome;
	json_t				*typed;		/* the form as sent */
	json_t				*errors;	/* field -> message */
	char				 before[24];
	struct admin_view		 v;
	struct audit_verifier		 verifier;
};

static void
admin_ctx_free(void *p)
{
	struct admin_ctx	*c = p;
	int			 i;

	staff_auth_free(&c->auth);
	db_done(&c->q);
	for (i = 0; i < MAX_PARAMS; i++)
		sbuf_free(&c->params[i]);
	free(c->outcome);
	json_decref(c->typed);
	json_decref(c->errors);
	json_decref(c->v.config);
	json_decref(c->v.events);
	sodium_memzero(c->link_token, sizeof(c->link_token));
}

/* An array literal for PostgreSQL, every element quoted. */
static void
array_add(struct sbuf *b, const char *v)
{
	if (b->len > 1)
		sbuf_addc(b, ',');
	sbuf_addc(b, '"');
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			sbuf_addc(b, '\\');
		sbuf_addc(b, *v);
	}
	sbuf_addc(b, '"');
}

/*
 * The form's fields as the command's parameters, and as typed (to be
 * shown again if the change is refused); 0 when it answered.
 */
static int
command_read(struct http_request *req, struct admin_ctx *c)
{
	struct formdata			 fd;
	const struct formfield		*f;
	const struct admin_field	*af;
	struct sbuf			*p;
	json_t				*list;
	size_t				 i, j;
	int				 ok = 1;

	if (!staff_form(req, &c->auth.who, &fd))
		return (0);
	c->typed = json_object();
	c->nparams = 1;		/* $1 is the actor */
	for (i = 0; i < MAX_FIELDS && c->cmd->fields[i].name != NULL; i++) {
		af = &c->cmd->fields[i];
		p = &c->params[c->nparams++];
		sbuf_reset(p);
		switch (af->kind) {
		case F_CONST:
			sbuf_adds(p, af->name);
			break;
		case F_CHECK:
			f = formdata_get(&fd, af->name);
			sbuf_adds(p, f != NULL && strcmp(f->value, "yes") == 0 ?
			    "yes" : "no");
			json_object_set_new(c->typed, af->name,
			    json_string(sbuf_cstr(p)));
			break;
		case F_ARRAY:
			sbuf_addc(p, '{');
			list = json_array();
			formdata_mark(&fd, af->name);
			for (j = 0; j < fd.count; j++) {
				if (strcmp(fd.field[j].name, af->name) != 0)
					continue;
				array_add(p, fd.field[j].value);
				/* NULL (not UTF-8) is not appended. */
				json_array_append_new(list,
				    json_string(fd.field[j].value));
			}
			sbuf_addc(p, '}');
			json_object_set_new(c->typed, af->name, list);
			break;
		case F_NUMBER:
		case F_TEXT:
			f = formdata_get(&fd, af->name);
			if (f == NULL || f->len == 0) {
				/* NULL: the SQL says what is missing. */
				json_object_set_new(c->typed, af->name,
				    json_string(""));
				p->len = 0;
				if (p->data != NULL)
					p->data[0] = '\0';
				if (af->kind == F_NUMBER)
					ok = 0;
				break;
			}
			if (!utf8_valid(f->value, f->len) || (af->kind ==
			    F_NUMBER && (f->len > 18 || strspn(f->value,
			    "0123456789") != f->len))) {
				ok = 0;
				break;
			}
			sbuf_add(p, f->value, f->len);
			json_object_set_new(c->typed, af->name,
			    json_stringn(f->value, f->len));
			break;
		}
	}
	rt_form_done(req, &fd);
	/* Not what the page sends: nothing a person could correct. */
	if (!ok) {
		free(c->outcome);
		c->outcome = strdup("invalid:{\"form\": \"This form is not "
		    "valid; reload the page and try again.\"}");
	}
	return (1);
}

static enum db_status
command_run(struct admin_ctx *c, struct http_request *req)
{
	const char	*v[MAX_PARAMS + 1];
	int		 l[MAX_PARAMS + 1], f[MAX_PARAMS + 1];
	char		 actor[24];
	int		 i, n;

	memset(l, 0, sizeof(l));
	memset(f, 0, sizeof(f));
	(void)snprintf(actor, sizeof(actor), "%lld", (long long)c->auth.who.id);
	v[0] = actor;
	for (i = 1; i < c->nparams; i++) {
		/* An empty text field is NULL; an empty array is '{}'. */
		v[i] = c->params[i].len > 0 ? sbuf_cstr(&c->params[i]) : NULL;
	}
	n = c->nparams;
	if (c->cmd->makes_link) {
		/* Called again while the statement runs: one token only. */
		if (c->link_token[0] == '\0') {
			staff_token_new(c->link_token);
			(void)staff_token_hash(c->link_token, c->link_hash);
		}
		v[n] = (const char *)c->link_hash;
		l[n] = VAULT_HASHBYTES;
		f[n] = 1;
		n++;
	}
	return (db_run(&c->q, req, c->cmd->sql, n, v, l, f));
}

/*
 * The outcome into the view: 'ok', 'forbidden', or 'invalid:' and a JSON
 * object of field -> message, every problem of the form at once.
 */
static int
outcome_apply(struct admin_ctx *c)
{
	if (strcmp(c->outcome, "ok") == 0)
		return (200);
	if (strcmp(c->outcome, "forbidden") == 0) {
		c->v.error = "Only an admin can do this.";
		return (403);
	}
	if (strncmp(c->outcome, "invalid:", 8) == 0)
		c->errors = json_loads(c->outcome + 8, 0, NULL);
	if (json_object_size(c->errors) == 0)
		c->v.error = "That change was refused.";
	c->v.posted = c->cmd->path;
	c->v.typed = c->typed;
	c->v.errors = c->errors;
	return (422);
}

static const char *
admin_page_path(const char *path)
{
	static const char *const pages[] = { "/admin", "/admin/accounts",
	    "/admin/account",
	    "/admin/routing", "/admin/taxonomy", "/admin/audit", NULL };
	size_t	 i;

	for (i = 0; pages[i] != NULL; i++)
		if (strcmp(pages[i], path) == 0)
			return (pages[i]);
	return (NULL);
}

/* Back to the page the change was made on (one account's: with its id). */
static void
admin_redirect(struct http_request *req, struct admin_ctx *c)
{
	char	 loc[64];

	if (strcmp(c->page, "/admin/account") == 0 &&
	    c->cmd->fields[0].kind == F_NUMBER) {
		(void)snprintf(loc, sizeof(loc), "/admin/account?id=%s",
		    sbuf_cstr(&c->params[1]));
		rt_redirect(req, loc);
		return;
	}
	rt_redirect(req, c->page);
}

/* The account a one-account page is about: ?id=N, or the command's id. */
static long long
admin_account_id(struct http_request *req, struct admin_ctx *c)
{
	const char	*q = req->query_string;

	if (c->cmd != NULL && c->cmd->fields[0].kind == F_NUMBER &&
	    c->nparams > 1)
		return (strtoll(sbuf_cstr(&c->params[1]), NULL, 10));
	if (q != NULL && strncmp(q, "id=", 3) == 0 && q[3] != '\0' &&
	    strlen(q + 3) <= 18 && strspn(q + 3, "0123456789") == strlen(q + 3))
		return (strtoll(q + 3, NULL, 10));
	return (0);
}

static enum db_status
audit_counts_query(struct admin_ctx *c, struct http_request *req)
{
	return (db_run(&c->q, req, "SELECT pending, outside FROM "
	    "audit_counts()", 0, NULL, NULL, NULL));
}

/*
 * The chain is read in slices of AUDIT_SLICE links after the last one
 * checked, so a long log never sits in memory or in one statement whole.
 * Links are never changed once written, so slices from different
 * statements still make one chain.
 */
static enum db_status
audit_slice_query(struct admin_ctx *c, struct http_request *req)
{
	char		 after[24], limit[16];
	const char	*v[2] = { after, limit };

	(void)snprintf(after, sizeof(after), "%llu",
	    (unsigned long long)(c->verifier.next_seq - 1));
	(void)snprintf(limit, sizeof(limit), "%d", AUDIT_SLICE);
	return (db_run(&c->q, req, "SELECT seq, event_id, hash, at_text, "
	    "actor, action, object, detail_text FROM audit_slice($1, $2) "
	    "ORDER BY seq", 2, v, NULL, NULL));
}

/* Checks one slice; returns 1 when another slice may follow. */
static int
audit_slice_verify(struct admin_ctx *c)
{
	struct audit_event	 e;
	unsigned char		*hash;
	size_t			 len;
	int			 i, n;

	n = db_rows(&c->q);
	for (i = 0; i < n && c->verifier.broken == NULL; i++) {
		e.seq = strtoull(db_value(&c->q, i, 0), NULL, 10);
		e.event_id = strtoull(db_value(&c->q, i, 1), NULL, 10);
		e.at = db_isnull(&c->q, i, 3) ? NULL : db_value(&c->q, i, 3);
		e.actor = db_value(&c->q, i, 4);
		e.action = db_value(&c->q, i, 5);
		e.object = db_value(&c->q, i, 6);
		e.detail = db_value(&c->q, i, 7);
		hash = db_bytea(&c->q, i, 2, &len);
		(void)audit_verify_next(&c->verifier, &e, hash, len);
		kore_free(hash);
	}
	c->v.verifier = &c->verifier;
	vault_hex(c->verifier.prev, sizeof(c->verifier.prev), c->v.head);
	return (n == AUDIT_SLICE && c->verifier.broken == NULL);
}

static void
admin_send(struct http_request *req, struct admin_ctx *c, int status)
{
	struct sbuf	 b;

	c->v.who = &c->auth.who;
	c->v.csrf = c->csrf;
	c->v.page = c->page;
	if (c->link_token[0] != '\0' && c->outcome != NULL &&
	    strcmp(c->outcome, "ok") == 0)
		c->v.link_token = c->link_token;
	sbuf_init(&b);
	view_admin(&b, &c->v);
	rt_send_html(req, status, &b);
	sbuf_free(&b);
}

/* Everything under /admin */
int
rt_admin(struct http_request *req)
{
	struct admin_ctx	*c;
	char			 actor[24];
	const char		*v[3];
	size_t			 i;
	int			 ret, status;

	if (req->hdlr_extra == NULL &&
	    !rt_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), admin_ctx_free);
	(void)snprintf(actor, sizeof(actor), "%lld", (long long)c->auth.who.id);

	switch (c->phase) {
	case PH_AUTH:
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(commands[i].path, req->path) == 0)
				c->cmd = &commands[i];
		c->page = c->cmd != NULL ? c->cmd->page :
		    admin_page_path(req->path);
		if (c->page == NULL) {
			rt_not_found(req);
			return (KORE_RESULT_OK);
		}
		/* Pages are read with GET; commands are POSTs. */
		if (!rt_method(req, c->cmd != NULL ? HTTP_METHOD_POST :
		    HTTP_METHOD_GET))
			return (KORE_RESULT_OK);
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		/* Not an admin: the same page as for no such page. */
		if (!staff_has(&c->auth.who, STAFF_ADMIN)) {
			refusal_role(&c->auth.who, req->path, "admin");
			rt_error(req, 403, "Administrators only", "This part of "
			    "the back office is for administrators.");
			return (KORE_RESULT_OK);
		}
		staff_csrf_of(&c->auth.who, c->csrf);
		for (i = 0; i < MAX_PARAMS; i++)
			sbuf_init(&c->params[i]);
		if (c->cmd != NULL) {
			if (!command_read(req, c))
				return (KORE_RESULT_OK);
			c->phase = c->outcome != NULL ? PH_PAGE : PH_COMMAND;
		} else {
			c->phase = PH_PAGE;
		}
		return (rt_admin(req));
	case PH_COMMAND:
		if (!rt_db_ready(req, command_run(c, req), &ret))
			return (ret);
		c->outcome = strdup(db_value(&c->q, 0, 0));
		db_done(&c->q);
		if (strcmp(c->outcome, "ok") == 0 && !c->cmd->makes_link) {
			admin_redirect(req, c);
			return (KORE_RESULT_OK);
		}
		c->phase = PH_PAGE;
		/* FALLTHROUGH */
	case PH_PAGE:
		v[0] = actor;
		if (strcmp(c->page, "/admin/audit") == 0) {
			c->phase = PH_COUNTS;
			return (rt_admin(req));
		}
		if (!rt_db_ready(req, db_run(&c->q, req, "SELECT "
		    "admin_config($1)", 1, v, NULL, NULL), &ret))
			return (ret);
		c->v.config = json_loads(db_value(&c->q, 0, 0), 0, NULL);
		db_done(&c->q);
		c->v.account_id = admin_account_id(req, c);
		break;
	case PH_COUNTS:
		if (!rt_db_ready(req, audit_counts_query(c, req), &ret))
			return (ret);
		c->v.pending = strtoll(db_value(&c->q, 0, 0), NULL, 10);
		c->v.outside = strtoll(db_value(&c->q, 0, 1), NULL, 10);
		db_done(&c->q);
		audit_verifier_init(&c->verifier, app.keys.audit);
		c->phase = PH_VERIFY;
		/* FALLTHROUGH */
	case PH_VERIFY:
		if (!rt_db_ready(req, audit_slice_query(c, req), &ret))
			return (ret);
		ret = audit_slice_verify(c);
		db_done(&c->q);
		if (ret)
			return (rt_admin(req));
		c->phase = PH_LOG;
		/* FALLTHROUGH */
	case PH_LOG:
		v[0] = actor;
		v[1] = NULL;
		if (req->query_string != NULL && strncmp(req->query_string,
		    "before=", 7) == 0 && strlen(req->query_string + 7) <= 18 &&
		    strspn(req->query_string + 7, "0123456789") ==
		    strlen(req->query_string + 7) && req->query_string[7])
			v[1] = req->query_string + 7;
		(void)snprintf(c->before, sizeof(c->before), "%d", AUDIT_PAGE);
		v[2] = c->before;
		if (!rt_db_ready(req, db_run(&c->q, req, "SELECT "
		    "admin_audit_page($1, $2, $3)", 3, v, NULL, NULL), &ret))
			return (ret);
		c->v.events = json_loads(db_value(&c->q, 0, 0), 0, NULL);
		db_done(&c->q);
		break;
	}
	status = c->outcome != NULL ? outcome_apply(c) : 200;
	if (status == 200 && c->cmd != NULL && c->cmd->makes_link)
		status = 201;
	admin_send(req, c, status);
	return (KORE_RESULT_OK);
}
