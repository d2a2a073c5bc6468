/*
 * GET /admin/outbox[?before=ID]: the notifications, newest first, with
 * their state and attempts, for admins; anyone else is refused, and that
 * is recorded.
 */

#include <stdlib.h>
#include <string.h>

#include "app.h"

#define OUTBOX_PAGE	50

struct outbox_ctx {
	struct staff_auth_ctx	 auth;
	struct db_query		 q;
	int			 authed;
	char			 before[20];
};

static void
outbox_ctx_free(void *p)
{
	struct outbox_ctx	*c = p;

	staff_auth_free(&c->auth);
	db_done(&c->q);
}

/* "before=ID" or nothing; returns 0 for anything else. */
static int
before_param(const char *qs, char *out, size_t size)
{
	size_t	 n;

	out[0] = '\0';
	if (qs == NULL || *qs == '\0')
		return (1);
	if (strncmp(qs, "before=", 7) != 0)
		return (0);
	qs += 7;
	n = strspn(qs, "0123456789");
	if (n == 0 || n >= size || qs[n] != '\0' || qs[0] == '0')
		return (0);
	(void)kore_strlcpy(out, qs, size);
	return (1);
}

int
rt_outbox(struct http_request *req)
{
	struct outbox_ctx	*c;
	struct outbox_view	 v;
	struct sbuf		 b;
	char			 actor[24], limit[16];
	char			 csrf[STAFF_TOKEN_TEXT + 1];
	const char		*p[3];
	json_t			*last;
	int			 ret;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), outbox_ctx_free);
	if (!c->authed) {
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		c->authed = 1;
		if (!staff_has(&c->auth.who, STAFF_ADMIN)) {
			refusal_role(&c->auth.who, req->path, "admin");
			rt_error(req, 403, "Administrators only", "This part "
			    "of the back office is for administrators.");
			return (KORE_RESULT_OK);
		}
		if (!before_param(req->query_string, c->before,
		    sizeof(c->before))) {
			rt_error(req, 400, "No such page", "The address asks "
			    "for a page of the outbox that does not exist. "
			    "Start from the newest.");
			return (KORE_RESULT_OK);
		}
	}
	(void)snprintf(actor, sizeof(actor), "%lld",
	    (long long)c->auth.who.id);
	(void)snprintf(limit, sizeof(limit), "%d", OUTBOX_PAGE);
	p[0] = actor;
	p[1] = c->before[0] ? c->before : NULL;
	p[2] = limit;
	if (!rt_db_ready(req, db_run(&c->q, req, "SELECT admin_outbox_page("
	    "$1, $2, $3)", 3, p, NULL, NULL), &ret))
		return (ret);
	memset(&v, 0, sizeof(v));
	v.who = &c->auth.who;
	staff_csrf_of(&c->auth.who, csrf);
	v.csrf = csrf;
	v.rows = db_isnull(&c->q, 0, 0) ? json_array() :
	    json_loads(db_value(&c->q, 0, 0), 0, NULL);
	db_done(&c->q);
	/* A full page may have an older one after it. */
	if (json_array_size(v.rows) == OUTBOX_PAGE) {
		last = json_array_get(v.rows, OUTBOX_PAGE - 1);
		v.next_before = (long long)json_integer_value(
		    json_object_get(last, "id"));
	}
	sbuf_init(&b);
	view_outbox(&b, &v);
	rt_send_html(req, 200, &b);
	sbuf_free(&b);
	json_decref(v.rows);
	return (KORE_RESULT_OK);
}
