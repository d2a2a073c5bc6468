/*
 * /admin/calendars, /admin/policies and /admin/pause-reasons: admins edit
 * the SLA's business calendars (with iCalendar import and export),
 * policies and pause reasons, assign calendars to queues and policies to
 * routing rules, and re-apply a calendar or policy to the open cases
 * still computed with an older version.  Every change is one SQL function
 * that checks the admin role and audits itself (sql/0014-sla-admin.sql).
 */

#include <string.h>

#include "app.h"
#include "caseclocks.h"
#include "sla_ical.h"
#include "slaform.h"

enum { PH_AUTH, PH_COMMAND, PH_ROWS, PH_STORE, PH_PAGE };

/* What a command does besides running its statement. */
enum { K_PLAIN, K_CALENDAR, K_POLICY, K_IMPORT, K_REAPPLY };

struct sla_command {
	const char	*path;
	const char	*sql;		/* $1 actor, then the fields */
	const char	*fields[4];	/* text fields, empty as NULL */
	int		 kind;
};

static const struct sla_command commands[] = {
	{ "/admin/calendars/create",
	    "SELECT admin_calendar_create($1, $2, $3, $4)",
	    { "code", "name", "from" }, K_PLAIN },
	{ "/admin/calendars/save",
	    "SELECT admin_sla_save($1, 'calendar', $2, $3, $4, $5)",
	    { "code", "name" }, K_CALENDAR },
	{ "/admin/calendars/import", NULL, { "code" }, K_IMPORT },
	{ "/admin/calendars/reapply", NULL, { "code" }, K_REAPPLY },
	{ "/admin/calendars/queue",
	    "SELECT admin_queue_calendar($1, $2, $3)",
	    { "code", "calendar" }, K_PLAIN },
	{ "/admin/policies/create",
	    "SELECT admin_policy_create($1, $2, $3, $4)",
	    { "code", "name", "preset" }, K_PLAIN },
	{ "/admin/policies/save",
	    "SELECT admin_sla_save($1, 'policy', $2, $3, $4, $5)",
	    { "code", "name" }, K_POLICY },
	{ "/admin/policies/reapply", NULL, { "code" }, K_REAPPLY },
	{ "/admin/policies/rule",
	    "SELECT admin_rule_policy($1, $2, $3)",
	    { "id", "policy" }, K_PLAIN },
	{ "/admin/pause-reasons/save",
	    "SELECT admin_pause_reason_save($1, $2, $3, $4)",
	    { "code", "label", "active" }, K_PLAIN },
};

#define REAPPLY_BATCH	500
#define NPARAMS		6

struct sla_ctx {
	int				 phase;
	struct staff_auth_ctx		 auth;
	struct db_query			 q;
	char				 csrf[STAFF_TOKEN_TEXT + 1];
	const struct sla_command	*cmd;
	struct admin_sla_view		 v;
	char				 code[48];	/* the page's */
	int				 export;	/* CODE.ics */
	char				*params[NPARAMS];
	int				 nparams;
	char				*outcome;
	json_t				*typed;
	json_t				*errors;
	/* The .ics's holidays. */
	json_t				*imported;
	/* Re-applying, batch by batch. */
	struct cc_cache			*cache;
	long long			 after, cases, moved;
	int				 full;
	/* The store's version, now, cases and results. */
	char				*store[4];
	char				 notice[200];
};

static void
sla_ctx_free(void *p)
{
	struct sla_ctx	*c = p;
	int		 i;

	staff_auth_free(&c->auth);
	db_done(&c->q);
	for (i = 0; i < NPARAMS; i++)
		free(c->params[i]);
	for (i = 0; i < 4; i++)
		free(c->store[i]);
	free(c->outcome);
	json_decref(c->typed);
	json_decref(c->errors);
	json_decref(c->imported);
	json_decref(c->v.config);
	cc_cache_free(c->cache);
}

/* The section of the path and what follows it ("", "/code", "/verb"). */
static const char *
section_of(const char *path, const char **rest)
{
	static const char *const sections[] = { "/admin/calendars",
	    "/admin/policies", "/admin/pause-reasons", NULL };
	size_t	 i, n;

	for (i = 0; sections[i] != NULL; i++) {
		n = strlen(sections[i]);
		if (strncmp(path, sections[i], n) == 0 &&
		    (path[n] == '\0' || path[n] == '/')) {
			*rest = path + n;
			return (sections[i] + 7);
		}
	}
	return (NULL);
}

/* GET /admin/calendars/CODE[.ics]: the code, which the route bounds. */
static int
page_code(struct sla_ctx *c, const char *rest)
{
	size_t	 n;

	if (*rest == '\0')
		return (1);
	n = strlen(++rest);
	if (n > 4 && strcmp(rest + n - 4, ".ics") == 0 &&
	    strcmp(c->v.section, "calendars") == 0) {
		c->export = 1;
		n -= 4;
	}
	if (n == 0 || n >= sizeof(c->code) || strspn(rest,
	    "abcdefghijklmnopqrstuvwxyz0123456789_") < n ||
	    strcmp(c->v.section, "pause-reasons") == 0)
		return (0);
	memcpy(c->code, rest, n);
	c->code[n] = '\0';
	c->v.code = c->code;
	return (1);
}

static void
param_set(struct sla_ctx *c, const char *v)
{
	c->params[c->nparams++] = v != NULL ? strdup(v) : NULL;
}

/* A field as typed (UTF-8 only), also kept to be shown again. */
static const char *
field_text(struct sla_ctx *c, struct formdata *fd, const char *name)
{
	const struct formfield	*f = formdata_get(fd, name);

	if (f == NULL || f->len == 0 || !utf8_valid(f->value, f->len)) {
		json_object_set_new(c->typed, name, json_string(""));
		return (NULL);
	}
	json_object_set_new(c->typed, name, json_stringn(f->value, f->len));
	return (f->value);
}

/* The fields the engine checks (calendar or policy), as its definition. */
static void
definition_read(struct sla_ctx *c, struct formdata *fd)
{
	char		 name[48];
	char		*def;
	int		 i;

	if (c->cmd->kind == K_CALENDAR) {
		(void)field_text(c, fd, "zone");
		for (i = 0; i < 7; i++)
			(void)field_text(c, fd, slaform_days[i]);
		(void)field_text(c, fd, "holidays");
		(void)field_text(c, fd, "yearly");
		def = slaform_calendar(c->typed, c->errors);
	} else {
		for (i = 0; i <= SLA_NCLOCKS; i++) {
			(void)snprintf(name, sizeof(name), "%s_n",
			    slaform_targets[i]);
			(void)field_text(c, fd, name);
			(void)snprintf(name, sizeof(name), "%s_unit",
			    slaform_targets[i]);
			(void)field_text(c, fd, name);
		}
		(void)field_text(c, fd, "at_risk_percent");
		def = slaform_policy(c->typed, c->errors);
	}
	param_set(c, def);
	free(def);
	def = json_dumps(c->errors, JSON_COMPACT);
	param_set(c, def);
	free(def);
}

/* The uploaded .ics through the engine's iCalendar import. */
static void
import_read(struct sla_ctx *c, struct formdata *fd)
{
	const struct formupload	*f = formdata_upload(fd, "file");
	struct sla_error	 err;
	char			*json, msg[400];

	if (f == NULL || f->len == 0) {
		json_object_set_new(c->errors, "file",
		    json_string("Choose an iCalendar (.ics) file."));
		return;
	}
	if (sla_ical_import(f->value, f->len, &json, &err) != 0) {
		(void)snprintf(msg, sizeof(msg), "The file was refused "
		    "(%s): %s Nothing was added.", err.field, err.message);
		json_object_set_new(c->errors, "file", json_string(msg));
		return;
	}
	c->imported = json_loads(json, 0, NULL);
	free(json);
}

/* The form into the command's parameters; 0 when it answered. */
static int
command_read(struct http_request *req, struct sla_ctx *c)
{
	struct formdata	 fd;
	const char	*v;
	int		 i;

	if (!staff_form(req, &c->auth.who, &fd))
		return (0);
	c->typed = json_object();
	c->errors = json_object();
	for (i = 0; i < 4 && c->cmd->fields[i] != NULL; i++) {
		v = field_text(c, &fd, c->cmd->fields[i]);
		if (strcmp(c->cmd->fields[i], "active") == 0)
			v = v != NULL && strcmp(v, "yes") == 0 ? "yes" : "no";
		param_set(c, v);
	}
	/* Which page the command belongs to: the one of its code. */
	v = json_string_value(json_object_get(c->typed, "code"));
	if (v != NULL && strlen(v) < sizeof(c->code) && c->cmd->kind !=
	    K_PLAIN && strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
	    strlen(v) && *v != '\0') {
		(void)snprintf(c->code, sizeof(c->code), "%s", v);
		c->v.code = c->code;
	}
	if (c->cmd->kind == K_CALENDAR || c->cmd->kind == K_POLICY)
		definition_read(c, &fd);
	else if (c->cmd->kind == K_IMPORT)
		import_read(c, &fd);
	rt_form_done(req, &fd);
	return (1);
}

static enum db_status
command_run(struct sla_ctx *c, struct http_request *req)
{
	const char	*v[NPARAMS + 1];
	char		 actor[24];
	int		 i;

	(void)snprintf(actor, sizeof(actor), "%lld", (long long)c->auth.who.id);
	v[0] = actor;
	for (i = 0; i < c->nparams; i++)
		v[i + 1] = c->params[i];
	return (db_run(&c->q, req, c->cmd->sql, c->nparams + 1, v, NULL,
	    NULL));
}

/* 'ok', 'forbidden' or 'invalid:{field: message}' into the view. */
static int
outcome_apply(struct sla_ctx *c)
{
	json_t	*e;

	if (strcmp(c->outcome, "forbidden") == 0) {
		c->v.error = "Only an admin can do this.";
		return (403);
	}
	if (strncmp(c->outcome, "invalid:", 8) == 0 &&
	    (e = json_loads(c->outcome + 8, 0, NULL)) != NULL) {
		json_object_update(c->errors, e);
		json_decref(e);
	}
	if (json_object_size(c->errors) == 0)
		c->v.error = "That change was refused.";
	return (422);
}

/* Where a change made on the page of 'code' goes back to. */
static void
back_to_page(struct http_request *req, struct sla_ctx *c)
{
	char	 loc[96];

	if (c->cmd->kind != K_PLAIN || (strstr(c->cmd->path, "/create") !=
	    NULL && c->params[0] != NULL && strlen(c->params[0]) < 48))
		(void)snprintf(loc, sizeof(loc), "/admin/%s/%s",
		    c->v.section, c->cmd->kind != K_PLAIN ? c->code :
		    c->params[0]);
	else
		(void)snprintf(loc, sizeof(loc), "/admin/%s", c->v.section);
	rt_redirect(req, loc);
}

static enum db_status
rows_query(struct sla_ctx *c, struct http_request *req)
{
	char		 actor[24], after[24], limit[16];
	const char	*v[6];

	(void)snprintf(actor, sizeof(actor), "%lld", (long long)c->auth.who.id);
	(void)snprintf(after, sizeof(after), "%lld", c->after);
	(void)snprintf(limit, sizeof(limit), "%d", REAPPLY_BATCH);
	v[0] = actor;
	v[1] = strcmp(c->v.section, "calendars") == 0 ? "calendar" : "policy";
	v[2] = c->code;
	v[3] = app.test_clock ? "true" : "false";
	v[4] = after;
	v[5] = limit;
	return (db_run(&c->q, req, "SELECT now_at, now_epoch, case_id, "
	    "coalesce(last_event, 0), old_version, old_def, new_version, "
	    "new_def, other_version, other_def, events FROM "
	    "admin_sla_reapply_rows($1, $2, $3, $4, $5, $6)", 6, v, NULL,
	    NULL));
}

/* Whether any clock's due instant differs between the two results. */
static int
due_moved(const struct sla_clock a[SLA_NCLOCKS],
    const struct sla_clock b[SLA_NCLOCKS])
{
	int	 i;

	for (i = 0; i < SLA_NCLOCKS; i++)
		if (a[i].due_at != b[i].due_at)
			return (1);
	return (0);
}

/*
 * One case of the batch computed with its version and with the current
 * one at the same now; its element of sla_store's array (as the
 * scheduler builds it) into 'results', its own into 'cases'.
 */
static void
reapply_row(struct sla_ctx *c, int row, sla_time now, json_t *cases,
    json_t *results)
{
	struct sla_clock	 before[SLA_NCLOCKS], after[SLA_NCLOCKS];
	struct sla_error	 err;
	struct cc_input		 in;
	int64_t			 v[3];
	int			 cal, i;
	sla_time		 next;

	cal = strcmp(c->v.section, "calendars") == 0;
	for (i = 0; i < 3; i++)
		v[i] = strtoll(db_value(&c->q, row, 4 + 2 * i), NULL, 10);
	in.events = db_value(&c->q, row, 10);
	in.policy_version = cal ? v[2] : v[0];
	in.policy = db_value(&c->q, row, cal ? 9 : 5);
	in.calendar_version = cal ? v[0] : v[2];
	in.calendar = db_value(&c->q, row, cal ? 5 : 9);
	if (cc_compute(c->cache, &in, now, before, &err) != 0)
		memset(before, 0, sizeof(before));
	if (cal) {
		in.calendar_version = v[1];
		in.calendar = db_value(&c->q, row, 7);
	} else {
		in.policy_version = v[1];
		in.policy = db_value(&c->q, row, 7);
	}
	if (cc_compute(c->cache, &in, now, after, &err) != 0) {
		/* Left on its version, as the scheduler would leave it. */
		kore_log(LOG_NOTICE, "sla re-apply: case id %s: %s: %s",
		    db_value(&c->q, row, 2), err.field, err.message);
		return;
	}
	next = cc_next_change(after);
	json_array_append_new(cases, json_pack("{s:I,s:I,s:b}",
	    "case", (json_int_t)strtoll(db_value(&c->q, row, 2), NULL, 10),
	    "from", (json_int_t)v[0], "moved", due_moved(before, after)));
	json_array_append_new(results, json_pack("{s:I,s:I,s:I,s:I,s:o,s:o}",
	    "case", (json_int_t)strtoll(db_value(&c->q, row, 2), NULL, 10),
	    "last_event", (json_int_t)strtoll(db_value(&c->q, row, 3), NULL,
	    10),
	    "policy", (json_int_t)in.policy_version,
	    "calendar", (json_int_t)in.calendar_version,
	    "next", next != 0 ? json_integer(next) : json_null(),
	    "clocks", cc_clocks_json(after)));
}

/* A batch read: computed into the store's parameters; 0 when none. */
static int
reapply_compute(struct sla_ctx *c)
{
	json_t		*cases, *results;
	sla_time	 now;
	int		 i, n;

	if ((n = db_rows(&c->q)) == 0)
		return (0);
	if (c->cache == NULL && (c->cache = cc_cache_new()) == NULL)
		return (0);
	now = strtoll(db_value(&c->q, 0, 1), NULL, 10);
	cases = json_array();
	results = json_array();
	for (i = 0; i < n; i++)
		reapply_row(c, i, now, cases, results);
	for (i = 0; i < 4; i++)
		free(c->store[i]);
	c->store[0] = strdup(db_value(&c->q, 0, 6));
	c->store[1] = strdup(db_value(&c->q, 0, 0));
	c->store[2] = json_dumps(cases, JSON_COMPACT);
	c->store[3] = json_dumps(results, JSON_COMPACT);
	json_decref(cases);
	json_decref(results);
	c->after = strtoll(db_value(&c->q, n - 1, 2), NULL, 10);
	c->full = n == REAPPLY_BATCH;
	return (1);
}

static enum db_status
store_query(struct sla_ctx *c, struct http_request *req)
{
	char		 actor[24];
	const char	*v[7];

	(void)snprintf(actor, sizeof(actor), "%lld", (long long)c->auth.who.id);
	v[0] = actor;
	v[1] = strcmp(c->v.section, "calendars") == 0 ? "calendar" : "policy";
	v[2] = c->code;
	v[3] = c->store[0];
	v[4] = c->store[1];
	v[5] = c->store[2];
	v[6] = c->store[3];
	return (db_run(&c->q, req, "SELECT admin_sla_reapply_store($1, $2, "
	    "$3, $4, $5::timestamptz, $6::jsonb, $7::jsonb)", 7, v, NULL,
	    NULL));
}

/* What re-applying did, for the admin who pressed the button. */
static void
reapply_notice(struct sla_ctx *c)
{
	(void)snprintf(c->notice, sizeof(c->notice), "%lld open case%s "
	    "re-applied; due times moved in %lld.", c->cases,
	    c->cases == 1 ? "" : "s", c->moved);
	c->v.notice = c->notice;
}

/* The calendar or policy of the page in the configuration, or NULL. */
static json_t *
config_item(struct sla_ctx *c)
{
	json_t	*x;
	size_t	 i;

	json_array_foreach(json_object_get(c->v.config, c->v.section), i, x)
		if (strcmp(json_text(x, "code"), c->code) == 0)
			return (x);
	return (NULL);
}

/* GET /admin/calendars/CODE.ics: the engine's export, as a download. */
static void
export_send(struct http_request *req, struct sla_ctx *c)
{
	struct sla_calendar	 cal;
	struct sla_error	 err;
	json_t			*k;
	char			*def, *ics, disp[96];

	if ((k = config_item(c)) == NULL) {
		rt_not_found(req);
		return;
	}
	def = json_dumps(json_object_get(k, "definition"), JSON_COMPACT);
	ics = NULL;
	if (def != NULL && sla_calendar_parse(&cal, def, &err) == 0) {
		ics = sla_ical_export(&cal, json_text(k, "name"));
		sla_calendar_free(&cal);
	}
	free(def);
	if (ics == NULL) {
		rt_error(req, 500, "The calendar could not be exported",
		    "Nothing was changed. Try again later.");
		return;
	}
	/* The code is [a-z0-9_]: safe in the header as it is. */
	(void)snprintf(disp, sizeof(disp), "attachment; filename=\"%s.ics\"",
	    c->code);
	rt_security_headers(req);
	http_response_header(req, "content-type", "text/calendar; "
	    "charset=utf-8");
	http_response_header(req, "content-disposition", disp);
	http_response_header(req, "cache-control", "no-store");
	http_response(req, 200, ics, strlen(ics));
	free(ics);
}

/* The import's holidays added to the calendar's form, to be saved. */
static void
import_preview(struct sla_ctx *c)
{
	json_t	*k, *merged, *fields;
	int	 added;

	if ((k = config_item(c)) == NULL)
		return;
	merged = slaform_calendar_merge(json_object_get(k, "definition"),
	    c->imported, &added);
	fields = slaform_calendar_fields(merged);
	json_object_set(fields, "name", json_object_get(k, "name"));
	json_object_set_new(fields, "code", json_string(c->code));
	json_decref(c->typed);
	c->typed = fields;
	json_decref(merged);
	(void)snprintf(c->notice, sizeof(c->notice), "The file holds %zu "
	    "holidays; %d not in this calendar yet are added below. Nothing "
	    "is saved until you press Save.",
	    json_array_size(json_object_get(c->imported, "holidays")) +
	    json_array_size(json_object_get(c->imported, "yearly")), added);
	c->v.notice = c->notice;
	c->v.posted = "/admin/calendars/save";
	c->v.typed = c->typed;
}

static void
page_send(struct http_request *req, struct sla_ctx *c, int status)
{
	struct sbuf	 b;

	if (c->outcome != NULL || json_object_size(c->errors) > 0) {
		if (c->outcome != NULL)
			status = outcome_apply(c);
		else
			status = 422;
		c->v.posted = c->cmd->path;
		c->v.typed = c->typed;
		c->v.errors = c->errors;
	} else if (c->imported != NULL)
		import_preview(c);
	if (c->v.code != NULL && config_item(c) == NULL && status == 200) {
		rt_not_found(req);
		return;
	}
	c->v.who = &c->auth.who;
	c->v.csrf = c->csrf;
	sbuf_init(&b);
	view_admin_sla(&b, &c->v);
	rt_send_html(req, status, &b);
	sbuf_free(&b);
}

/* Everything under /admin/calendars, /admin/policies, /admin/pause-reasons */
int
rt_admin_sla(struct http_request *req)
{
	struct sla_ctx	*c;
	const char	*rest, *v[1];
	char		 actor[24];
	json_t		*r;
	size_t		 i;
	int		 ret;

	if (req->hdlr_extra == NULL &&
	    !rt_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), sla_ctx_free);

	switch (c->phase) {
	case PH_AUTH:
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(commands[i].path, req->path) == 0)
				c->cmd = &commands[i];
		c->v.section = section_of(req->path, &rest);
		if (c->v.section == NULL ||
		    (c->cmd == NULL && !page_code(c, rest))) {
			rt_not_found(req);
			return (KORE_RESULT_OK);
		}
		if (!rt_method(req, c->cmd != NULL ? HTTP_METHOD_POST :
		    HTTP_METHOD_GET))
			return (KORE_RESULT_OK);
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		if (!staff_has(&c->auth.who, STAFF_ADMIN)) {
			refusal_role(&c->auth.who, req->path, "admin");
			rt_error(req, 403, "Administrators only", "This part "
			    "of "
			    "the back office is for administrators.");
			return (KORE_RESULT_OK);
		}
		staff_csrf_of(&c->auth.who, c->csrf);
		c->phase = PH_PAGE;
		if (c->cmd != NULL) {
			if (!command_read(req, c))
				return (KORE_RESULT_OK);
			if (c->cmd->kind == K_REAPPLY && c->v.code != NULL)
				c->phase = PH_ROWS;
			else if (c->cmd->sql != NULL)
				c->phase = PH_COMMAND;
		}
		return (rt_admin_sla(req));
	case PH_COMMAND:
		if (!rt_db_ready(req, command_run(c, req), &ret))
			return (ret);
		c->outcome = strdup(db_value(&c->q, 0, 0));
		db_done(&c->q);
		if (strcmp(c->outcome, "ok") == 0) {
			back_to_page(req, c);
			return (KORE_RESULT_OK);
		}
		c->phase = PH_PAGE;
		return (rt_admin_sla(req));
	case PH_ROWS:
		if (!rt_db_ready(req, rows_query(c, req), &ret))
			return (ret);
		ret = reapply_compute(c);
		db_done(&c->q);
		c->phase = ret ? PH_STORE : PH_PAGE;
		if (!ret)
			reapply_notice(c);
		return (rt_admin_sla(req));
	case PH_STORE:
		if (!rt_db_ready(req, store_query(c, req), &ret))
			return (ret);
		r = json_loads(db_value(&c->q, 0, 0), 0, NULL);
		db_done(&c->q);
		c->cases += json_integer_value(json_object_get(r, "cases"));
		c->moved += json_integer_value(json_object_get(r, "moved"));
		json_decref(r);
		/* Another batch while the last was full; else the count. */
		c->phase = c->full ? PH_ROWS : PH_PAGE;
		reapply_notice(c);
		return (rt_admin_sla(req));
	case PH_PAGE:
		(void)snprintf(actor, sizeof(actor), "%lld",
		    (long long)c->auth.who.id);
		v[0] = actor;
		if (!rt_db_ready(req, db_run(&c->q, req, "SELECT "
		    "admin_sla_config($1)", 1, v, NULL, NULL), &ret))
			return (ret);
		c->v.config = json_loads(db_value(&c->q, 0, 0), 0, NULL);
		db_done(&c->q);
		break;
	}
	if (c->export)
		export_send(req, c);
	else
		page_send(req, c, 200);
	return (KORE_RESULT_OK);
}
