/*
 * The transparency reports in the back office, for supervisors:
 * /review/reports lists them and asks for a draft of a quarter (POST);
 * /review/reports/N shows one as it will be published, with what can be
 * done to it now (POST .../publish_request, .../approve, .../discard: one
 * supervisor asks to publish, another approves); /review/reports/N/files/
 * NAME is one of its files.  The builder (recourse-reporter) does the work.
 */

#include <stdlib.h>
#include <string.h>

#include "app.h"

enum { PH_AUTH, PH_ACT, PH_PAGE };

enum reports_action { RA_NONE, RA_REQUEST, RA_PUBLISH_REQUEST, RA_APPROVE,
	RA_DISCARD };

static const char *const action_path[] = {
	[RA_PUBLISH_REQUEST] = "publish_request", [RA_APPROVE] = "approve",
	[RA_DISCARD] = "discard",
};
static const char *const action_sql[] = {
	[RA_PUBLISH_REQUEST] = "SELECT report_publish_request($1, $2)",
	[RA_APPROVE] = "SELECT report_publish_approve($1, $2)",
	[RA_DISCARD] = "SELECT report_discard($1, $2)",
};

struct reports_ctx {
	int			 phase;
	struct staff_auth_ctx	 auth;
	struct db_query		 q;
	char			 actor[24];
	char			 id[16];	/* "" for the list */
	char			 file[96];	/* a file of the report, or "" */
	enum reports_action	 action;
	char			 quarter[16];	/* the request's fields */
	char			*note;
	char			*outcome;	/* what the action answered */
	char			 csrf[STAFF_TOKEN_TEXT + 1];
};

static void
reports_ctx_free(void *p)
{
	struct reports_ctx	*c = p;

	staff_auth_free(&c->auth);
	db_done(&c->q);
	free(c->note);
	free(c->outcome);
}

/* /review/reports[/N[/ACTION | /files/NAME]]; 0 for anything else. */
static int
parse_path(const char *path, struct reports_ctx *c)
{
	const char	*p = path + strlen("/review/reports");
	size_t		 n, k;

	if (*p == '\0')
		return (1);
	if (*p++ != '/' || (n = strspn(p, "0123456789")) == 0 ||
	    n >= sizeof(c->id) || *p == '0')
		return (0);
	memcpy(c->id, p, n);
	c->id[n] = '\0';
	p += n;
	if (*p == '\0')
		return (1);
	if (strncmp(p, "/files/", 7) == 0)
		return (kore_strlcpy(c->file, p + 7, sizeof(c->file)) <
		    sizeof(c->file) && c->file[0] != '\0');
	for (k = RA_PUBLISH_REQUEST; k <= RA_DISCARD; k++)
		if (strcmp(p + 1, action_path[k]) == 0 && *p == '/')
			c->action = (enum reports_action)k;
	return (c->action != RA_NONE);
}

/* The request form's fields, kept to show them again with its errors. */
static int
read_request(struct http_request *req, struct reports_ctx *c)
{
	const struct formfield	*f;
	struct formdata		 fd;

	if (!staff_form(req, &c->auth.who, &fd))
		return (0);
	if ((f = formdata_get(&fd, "quarter")) != NULL)
		(void)kore_strlcpy(c->quarter, f->value, sizeof(c->quarter));
	if ((f = formdata_get(&fd, "note")) != NULL && f->len > 0 &&
	    (c->note = strndup(f->value, f->len)) == NULL)
		fatal("strndup");
	rt_form_done(req, &fd);
	return (1);
}

/* A step on a report carries nothing but the form's token. */
static int
read_step(struct http_request *req, struct reports_ctx *c)
{
	struct formdata	 fd;

	if (!staff_form(req, &c->auth.who, &fd))
		return (0);
	rt_form_done(req, &fd);
	return (1);
}

static enum db_status
act(struct reports_ctx *c, struct http_request *req)
{
	const char	*v[3] = { c->actor, c->id, NULL };

	if (c->action == RA_REQUEST) {
		v[1] = c->quarter;
		v[2] = c->note;
		return (db_run(&c->q, req, "SELECT report_request($1, $2, $3)",
		    3, v, NULL, NULL));
	}
	return (db_run(&c->q, req, action_sql[c->action], 2, v, NULL, NULL));
}

/* A file of the report, as a download: drafts are not for the public. */
static int
send_file(struct http_request *req, struct reports_ctx *c)
{
	const char	*v[3] = { c->actor, c->id, c->file };
	unsigned char	*body;
	size_t		 len, n;
	int		 sig, ret;

	n = strlen(c->file);
	sig = n > 4 && strcmp(c->file + n - 4, ".sig") == 0;
	if (sig)
		c->file[n - 4] = '\0';
	if (!rt_db_ready(req, db_run(&c->q, req, "SELECT media_type, body, "
	    "signature FROM staff_report_file($1, $2, $3)", 3, v, NULL, NULL),
	    &ret))
		return (ret);
	if (db_rows(&c->q) != 1) {
		rt_error(req, 404, "No such file", "This report has no file of "
		    "that name.");
		return (KORE_RESULT_OK);
	}
	if (sig) {
		char	 name[sizeof(c->file) + 4];

		(void)snprintf(name, sizeof(name), "%s.sig", c->file);
		rt_send_download(req, "text/plain; charset=utf-8", name,
		    db_value(&c->q, 0, 2), strlen(db_value(&c->q, 0, 2)));
		return (KORE_RESULT_OK);
	}
	body = db_bytea(&c->q, 0, 1, &len);
	rt_send_download(req, db_value(&c->q, 0, 0), c->file, body, len);
	kore_free(body);
	return (KORE_RESULT_OK);
}

static int
send_page(struct http_request *req, struct reports_ctx *c)
{
	struct reports_view	 v;
	struct sbuf		 b;
	unsigned char		*doc;
	size_t			 len;
	int			 ret, status;

	if (!rt_db_ready(req, c->id[0] != '\0' ? db_run(&c->q, req,
	    "SELECT report, document FROM staff_report($1, $2)", 2,
	    (const char *[]){ c->actor, c->id }, NULL, NULL) :
	    db_run(&c->q, req, "SELECT staff_reports($1)", 1,
	    (const char *[]){ c->actor }, NULL, NULL), &ret))
		return (ret);
	memset(&v, 0, sizeof(v));
	v.who = &c->auth.who;
	v.csrf = c->csrf;
	v.outcome = c->outcome;
	v.quarter = c->quarter;
	v.note = c->note;
	if (c->id[0] != '\0') {
		if (db_rows(&c->q) != 1) {
			rt_error(req, 404, "No such report", "There is no "
			    "report with this number.");
			return (KORE_RESULT_OK);
		}
		v.report = json_loads(db_value(&c->q, 0, 0), 0, NULL);
		doc = db_bytea(&c->q, 0, 1, &len);
		v.document = doc != NULL ? json_loadb((const char *)doc, len, 0,
		    NULL) : NULL;
		kore_free(doc);
	} else
		v.reports = json_loads(db_isnull(&c->q, 0, 0) ? "[]" :
		    db_value(&c->q, 0, 0), 0, NULL);
	sbuf_init(&b);
	if (c->id[0] != '\0')
		view_staff_report(&b, &v);
	else
		view_staff_reports(&b, &v);
	/* A refused request or step says why, with its own status. */
	status = c->outcome == NULL || strcmp(c->outcome, "ok") == 0 ? 200 :
	    strncmp(c->outcome, "invalid:", 8) == 0 ? 422 : 409;
	rt_send_html(req, status, &b);
	sbuf_free(&b);
	json_decref(v.report);
	json_decref(v.document);
	json_decref(v.reports);
	return (KORE_RESULT_OK);
}

/* GET and POST /review/reports..., for supervisors. */
int
rt_review_reports(struct http_request *req)
{
	struct reports_ctx	*c;
	char			 to[64];
	int			 ret;

	c = rt_ctx(req, sizeof(*c), reports_ctx_free);
	switch (c->phase) {
	case PH_AUTH:
		if (!parse_path(req->path, c))
			return (rt_not_found(req));
		if (c->id[0] == '\0' && req->method == HTTP_METHOD_POST)
			c->action = RA_REQUEST;
		if (!rt_method(req, c->action != RA_NONE ? HTTP_METHOD_POST :
		    c->id[0] == '\0' ? HTTP_METHOD_GET | HTTP_METHOD_POST :
		    HTTP_METHOD_GET))
			return (KORE_RESULT_OK);
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		if (!staff_has(&c->auth.who, STAFF_SUPERVISOR)) {
			refusal_role(&c->auth.who, req->path, "supervisor");
			rt_error(req, 403, "Supervisors only", "Transparency "
			    "reports are built and published by supervisors.");
			return (KORE_RESULT_OK);
		}
		(void)snprintf(c->actor, sizeof(c->actor), "%lld",
		    (long long)c->auth.who.id);
		staff_csrf_of(&c->auth.who, c->csrf);
		if (c->file[0] != '\0')
			return (send_file(req, c));
		if (c->action == RA_NONE) {
			c->phase = PH_PAGE;
			return (rt_review_reports(req));
		}
		if (c->action == RA_REQUEST ? !read_request(req, c) :
		    !read_step(req, c))
			return (KORE_RESULT_OK);
		c->phase = PH_ACT;
		/* FALLTHROUGH */
	case PH_ACT:
		if (!rt_db_ready(req, act(c, req), &ret))
			return (ret);
		c->outcome = strdup(db_rows(&c->q) == 1 ? db_value(&c->q, 0, 0) :
		    "state");
		db_done(&c->q);
		if (c->action == RA_REQUEST && strspn(c->outcome,
		    "0123456789") == strlen(c->outcome)) {
			(void)snprintf(to, sizeof(to), "/review/reports/%s",
			    c->outcome);
			rt_redirect(req, to);
			return (KORE_RESULT_OK);
		}
		if (c->action != RA_REQUEST && strcmp(c->outcome, "ok") == 0) {
			(void)snprintf(to, sizeof(to), "/review/reports/%s",
			    c->id);
			rt_redirect(req, to);
			return (KORE_RESULT_OK);
		}
		c->phase = PH_PAGE;
		/* FALLTHROUGH */
	case PH_PAGE:
		return (send_page(req, c));
	}
	return (KORE_RESULT_OK);
}
