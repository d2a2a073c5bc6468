/*
 * GET /review/dashboard: the supervisor's service-level dashboard (at
 * risk and breached now by queue and by reviewer, breaches this quarter,
 * the oldest unacknowledged case); anyone else is refused, and that is
 * recorded.
 */

#include "app.h"

struct dashboard_ctx {
	struct staff_auth_ctx	 auth;
	struct db_query		 q;
	int			 authed;
};

static void
dashboard_ctx_free(void *p)
{
	struct dashboard_ctx	*c = p;

	staff_auth_free(&c->auth);
	db_done(&c->q);
}

int
rt_dashboard(struct http_request *req)
{
	struct dashboard_ctx	*c;
	struct sbuf		 b;
	json_t			*d;
	char			 actor[24], csrf[STAFF_TOKEN_TEXT + 1];
	const char		*p[1] = { actor };
	int			 ret;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), dashboard_ctx_free);
	if (!c->authed) {
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		c->authed = 1;
		if (!staff_has(&c->auth.who, STAFF_SUPERVISOR)) {
			refusal_role(&c->auth.who, req->path, "supervisor");
			rt_error(req, 403, "Supervisors only", "This page is "
			    "for supervisors.");
			return (KORE_RESULT_OK);
		}
	}
	(void)snprintf(actor, sizeof(actor), "%lld",
	    (long long)c->auth.who.id);
	if (!rt_db_ready(req, db_run(&c->q, req, "SELECT sla_dashboard($1)",
	    1, p, NULL, NULL), &ret))
		return (ret);
	d = db_isnull(&c->q, 0, 0) ? NULL : json_loads(db_value(&c->q, 0, 0),
	    0, NULL);
	db_done(&c->q);
	if (d == NULL) {
		/* The role was taken away since the session began. */
		rt_error(req, 403, "Supervisors only", "This page is for "
		    "supervisors.");
		return (KORE_RESULT_OK);
	}
	staff_csrf_of(&c->auth.who, csrf);
	sbuf_init(&b);
	view_dashboard(&b, &c->auth.who, csrf, d);
	rt_send_html(req, 200, &b);
	sbuf_free(&b);
	json_decref(d);
	return (KORE_RESULT_OK);
}
