/*
 * Who a back-office request comes from: a session cookie (browser) or a
 * bearer token (API), looked up in PostgreSQL; the session cookie itself
 * and the CSRF token bound to it.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "app.h"

#define SESSION_COOKIE	"__Host-rc_staff"

static const char *const role_names[] = { "reviewer", "supervisor", "admin" };

/* The session token the browser sent, if it looks like one. */
const char *
staff_cookie(struct http_request *req)
{
	char	*v;

	http_populate_cookies(req);
	if (http_request_cookie(req, SESSION_COOKIE, &v) &&
	    strlen(v) == STAFF_TOKEN_TEXT)
		return (v);
	return (NULL);
}

/*
 * The cookie is always __Host- prefixed and Secure (the back office is only
 * ever reached over TLS through nginx; browsers treat 127.0.0.1 as secure
 * for development), Strict so no other site's page can send it.
 */
void
staff_cookie_set(struct http_request *req, const char *token)
{
	char	 v[160];

	(void)snprintf(v, sizeof(v), SESSION_COOKIE "=%s; Path=/; Secure; "
	    "HttpOnly; SameSite=Strict", token);
	http_response_header(req, "set-cookie", v);
}

void
staff_cookie_clear(struct http_request *req)
{
	http_response_header(req, "set-cookie", SESSION_COOKIE "=; Path=/; "
	    "Secure; HttpOnly; SameSite=Strict; Max-Age=0");
}

static const char *
bearer_token(struct http_request *req)
{
	const char	*h;

	if (!http_request_header(req, "authorization", &h))
		return (NULL);
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return (NULL);
	h += 7;
	return (strlen(h) == STAFF_TOKEN_TEXT ? h : NULL);
}

static void
staff_read(const struct db_query *q, struct staff *who)
{
	const char	*roles;
	size_t		 i;

	who->id = strtoll(db_value(q, 0, 0), NULL, 10);
	(void)kore_strlcpy(who->login, db_value(q, 0, 1), sizeof(who->login));
	(void)kore_strlcpy(who->name, db_value(q, 0, 2), sizeof(who->name));
	/* A text[] arrives as {reviewer,admin}. */
	roles = db_value(q, 0, 3);
	who->roles = 0;
	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strstr(roles, role_names[i]) != NULL)
			who->roles |= 1u << i;
}

/*
 * Identifies the request's staff member: STAFF_OK fills 'who', STAFF_NONE
 * means not logged in (no, unknown, expired or idle session; no or revoked
 * token).  Call again while STAFF_PENDING.
 */
enum staff_auth
staff_authenticate(struct staff_auth_ctx *c, struct http_request *req,
    int api)
{
	unsigned char	 hash[VAULT_HASHBYTES];
	const char	*token, *values[1];
	int		 lengths[1], formats[1];
	enum db_status	 st;

	if (c->done)
		return (c->result);
	if (!c->started) {
		token = api ? bearer_token(req) : staff_cookie(req);
		if (token == NULL || !staff_token_hash(token, hash)) {
			c->done = 1;
			c->result = STAFF_NONE;
			return (c->result);
		}
		(void)kore_strlcpy(c->who.token, api ? "" : token,
		    sizeof(c->who.token));
		c->who.api = api;
		memcpy(c->hash, hash, sizeof(hash));
		c->started = 1;
	}
	values[0] = (const char *)c->hash;
	lengths[0] = VAULT_HASHBYTES;
	formats[0] = 1;
	/* A refused token that names an account is audited (0008). */
	st = db_run(&c->q, req, api ?
	    "SELECT account_id, login, display_name, roles "
	    "FROM api_token_check($1)" :
	    "SELECT account_id, login, display_name, roles "
	    "FROM session_touch($1)", 1, values, lengths, formats);
	if (st == DB_PENDING)
		return (STAFF_PENDING);
	c->done = 1;
	if (st == DB_UNAVAILABLE || st == DB_FAILED)
		c->result = st == DB_UNAVAILABLE ? STAFF_UNAVAILABLE :
		    STAFF_FAILED;
	else if (db_rows(&c->q) != 1 || db_isnull(&c->q, 0, 0))
		c->result = STAFF_NONE;
	else {
		staff_read(&c->q, &c->who);
		c->result = STAFF_OK;
	}
	db_done(&c->q);
	return (c->result);
}

void
staff_auth_free(struct staff_auth_ctx *c)
{
	db_done(&c->q);
	sodium_memzero(c->who.token, sizeof(c->who.token));
}

int
staff_has(const struct staff *who, unsigned role)
{
	return ((who->roles & role) != 0);
}

/*
 * A state change from a browser must carry the CSRF token of its session;
 * API requests carry a bearer token no other site can attach, so they need
 * none.
 */
int
staff_csrf_valid(const struct staff *who, const char *typed)
{
	if (who->api)
		return (1);
	return (staff_csrf_check(&app.keys, who->token, typed));
}

void
staff_csrf_of(const struct staff *who, char out[STAFF_TOKEN_TEXT + 1])
{
	staff_csrf(&app.keys, who->token, out);
}

/*
 * The common start of a back-office handler.  Returns 1 when the request
 * comes from a logged-in member of staff; otherwise it has answered (or
 * must be called again: *ret is KORE_RESULT_RETRY) and returns 0.  Pages
 * send browsers without a session to the login page; a form post or an API
 * call gets 401.
 */
int
staff_gate(struct staff_auth_ctx *c, struct http_request *req, int api,
    int *ret)
{
	*ret = KORE_RESULT_OK;
	switch (staff_authenticate(c, req, api)) {
	case STAFF_OK:
		return (1);
	case STAFF_PENDING:
		*ret = KORE_RESULT_RETRY;
		break;
	case STAFF_NONE:
		if (!api && (req->method == HTTP_METHOD_GET ||
		    req->method == HTTP_METHOD_HEAD)) {
			rt_redirect(req, "/review/login");
			break;
		}
		if (api) {
			http_response_header(req, "www-authenticate",
			    "Bearer realm=\"recourse\"");
			rt_error(req, 401, "Unauthenticated", "Send a valid API "
			    "token as Authorization: Bearer; nothing was "
			    "changed.");
			break;
		}
		rt_error(req, 401, "Please log in again",
		    "Your session has ended, so nothing was changed. Log in "
		    "and try again.");
		break;
	case STAFF_UNAVAILABLE:
		rt_unavailable(req);
		break;
	case STAFF_FAILED:
		rt_error(req, 500, "Something went wrong", "Please try again.");
		break;
	}
	return (0);
}

/*
 * Reads a back-office form and checks its CSRF token against the session.
 * Returns 0 having answered (400 for an unreadable form, 403 for a missing
 * or wrong token, with nothing changed); otherwise the caller owns 'fd'.
 */
int
staff_form(struct http_request *req, const struct staff *who,
    struct formdata *fd)
{
	const struct formfield	*f;

	memset(fd, 0, sizeof(*fd));
	if (!rt_form(req, fd))
		return (0);
	f = formdata_get(fd, "csrf");
	if (f == NULL || !staff_csrf_valid(who, f->value)) {
		refusal_csrf(who, req->path);
		rt_form_done(req, fd);
		rt_error(req, 403, "This form had expired", "Nothing was "
		    "changed. Go back, reload the page and try again.");
		return (0);
	}
	return (1);
}
