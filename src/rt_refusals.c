/*
 * GET /review/refusals[?account=ID]: refused attempts per account, for
 * supervisors (and admins); anyone else is refused, and that is recorded
 * too.
 */

#include <string.h>

#include "app.h"

#define REFUSALS_LIST_MAX	"200"

struct refusals_ctx {
	struct staff_auth_ctx	 auth;
	struct db_query		 q;
	int			 authed;
	char			 account[20];
};

static void
refusals_ctx_free(void *p)
{
	struct refusals_ctx	*c = p;

	staff_auth_free(&c->auth);
	db_done(&c->q);
}

/* "account=ID" or nothing; returns 0 for anything else. */
static int
account_param(const char *qs, char *out, size_t size)
{
	size_t	 n;

	out[0] = '\0';
	if (qs == NULL || *qs == '\0')
		return (1);
	if (strncmp(qs, "account=", 8) != 0)
		return (0);
	qs += 8;
	n = strspn(qs, "0123456789");
	if (n == 0 || n >= size || qs[n] != '\0' || (qs[0] == '0'))
		return (0);
	(void)kore_strlcpy(out, qs, size);
	return (1);
}

int
rt_refusals(struct http_request *req)
{
	struct refusals_ctx	*c;
	struct refusals_view	 v;
	struct sbuf		 b;
	char			 actor[24], csrf[STAFF_TOKEN_TEXT + 1];
	const char		*p[3];
	int			 ret;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), refusals_ctx_free);
	if (!c->authed) {
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		c->authed = 1;
		if (!staff_has(&c->auth.who, STAFF_SUPERVISOR | STAFF_ADMIN)) {
			refusal_role(&c->auth.who, req->path, "supervisor");
			rt_error(req, 403, "Supervisors only", "This page is "
			    "for supervisors.");
			return (KORE_RESULT_OK);
		}
		if (!account_param(req->query_string, c->account,
		    sizeof(c->account))) {
			rt_error(req, 400, "No such account", "The account in "
			    "the address is not a number. Choose one from the "
			    "list of refused attempts.");
			return (KORE_RESULT_OK);
		}
	}
	(void)snprintf(actor, sizeof(actor), "%lld",
	    (long long)c->auth.who.id);
	p[0] = actor;
	p[1] = c->account[0] ? c->account : NULL;
	p[2] = REFUSALS_LIST_MAX;
	if (!rt_db_ready(req, db_run(&c->q, req, "SELECT refusal_report($1, "
	    "$2, $3)", 3, p, NULL, NULL), &ret))
		return (ret);
	memset(&v, 0, sizeof(v));
	v.who = &c->auth.who;
	staff_csrf_of(&c->auth.who, csrf);
	v.csrf = csrf;
	v.account_asked = c->account[0] != '\0';
	v.report = db_isnull(&c->q, 0, 0) ? NULL :
	    json_loads(db_value(&c->q, 0, 0), 0, NULL);
	db_done(&c->q);
	sbuf_init(&b);
	view_refusals(&b, &v);
	rt_send_html(req, v.account_asked && !json_is_object(
	    json_object_get(v.report, "account")) ? 404 : 200, &b);
	sbuf_free(&b);
	json_decref(v.report);
	return (KORE_RESULT_OK);
}
