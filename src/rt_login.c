/*
 * Staff login and logout: password (Argon2id on a task thread) and TOTP
 * code in one form, per-name throttling, a new server-side session at
 * every login, and an answer that never says whether a name exists.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app.h"

#define LOGIN_FAILED	"The login name, password or code is not right. " \
			"Check them and try again."

enum { PH_START, PH_BEGIN, PH_PASSWORD, PH_FINISH };

struct login_ctx {
	int			 phase;
	struct db_query		 q;
	struct pwjob		*pw;
	char			 csrf[VAULT_TOKEN_TEXT * 2 + 1];
	char			 typed[STAFF_LOGIN_MAX * 4 + 1];
	char			 login[STAFF_LOGIN_MAX + 1];
	char			 code[16];
	unsigned char		 name_hash[VAULT_HASHBYTES];
	int			 has_account;
	char			 account_id[24];
	unsigned char		 totp_box[STAFF_TOTP_BOX_BYTES];
	size_t			 totp_box_len;
	uint64_t		 last_step;
	uint64_t		 step;
	char			 session[STAFF_TOKEN_TEXT + 1];
	char			 password[STAFF_PASSWORD_MAX * 4 + 1];
	size_t			 pwlen;
	int			 wait;
	int			 ok;
};

struct logout_ctx {
	int			 phase;
	struct staff_auth_ctx	 auth;
	struct db_query		 q;
};

static void
login_ctx_free(void *p)
{
	struct login_ctx	*c = p;

	db_done(&c->q);
	password_release(c->pw);
	sodium_memzero(c, sizeof(*c));
}

static void
logout_ctx_free(void *p)
{
	struct logout_ctx	*c = p;

	staff_auth_free(&c->auth);
	db_done(&c->q);
}

static void
login_form(struct http_request *req, struct login_ctx *c, int status,
    const char *error)
{
	struct sbuf	 b;

	sbuf_init(&b);
	view_login(&b, c->csrf, c->typed, error);
	rt_send_html(req, status, &b);
	sbuf_free(&b);
}

/*
 * Reads the form.  Returns 0 when it answered (CSRF failure); a bad name
 * or an overlong password still goes through the throttle and fails like
 * any wrong password, so nothing about the input's fate is revealed.
 */
static int
login_read(struct http_request *req, struct login_ctx *c,
    struct formdata *fd)
{
	const struct formfield	*f;

	/* Too long to be a name or a code: refused, never cut to size. */
	if ((f = formdata_get(fd, "login")) != NULL &&
	    f->len < sizeof(c->typed))
		(void)kore_strlcpy(c->typed, f->value, sizeof(c->typed));
	if ((f = formdata_get(fd, "code")) != NULL && f->len < sizeof(c->code))
		(void)kore_strlcpy(c->code, f->value, sizeof(c->code));
	f = formdata_get(fd, "csrf");
	if (f == NULL || !rt_csrf_valid(req, f->value)) {
		login_form(req, c, 403, "This form had expired. Please log in "
		    "again.");
		return (0);
	}
	if (!staff_login_normalize(c->typed, c->login, sizeof(c->login)))
		c->login[0] = '\0';
	staff_login_hash(&app.keys, c->login, c->name_hash);
	return (1);
}

static enum db_status
login_begin(struct login_ctx *c, struct http_request *req)
{
	const char	*v[2] = { c->login, (const char *)c->name_hash };
	int		 l[2] = { 0, VAULT_HASHBYTES }, f[2] = { 0, 1 };

	return (db_run(&c->q, req, "SELECT wait_seconds, account_id, "
	    "password_hash, totp_box, totp_last_step FROM login_begin($1, $2)",
	    2, v, l, f));
}

static enum db_status
login_finish(struct login_ctx *c, struct http_request *req, int ok)
{
	unsigned char	 session_hash[VAULT_HASHBYTES], old_hash[VAULT_HASHBYTES];
	char		 step[24];
	const char	*old, *v[6];
	int		 l[6] = { VAULT_HASHBYTES, 0, 0, 0, VAULT_HASHBYTES,
			    VAULT_HASHBYTES };
	int		 f[6] = { 1, 0, 0, 0, 1, 1 };

	(void)staff_token_hash(c->session, session_hash);
	old = staff_cookie(req);
	if (old == NULL || !staff_token_hash(old, old_hash))
		memset(old_hash, 0, sizeof(old_hash));
	(void)snprintf(step, sizeof(step), "%llu", (unsigned long long)c->step);
	v[0] = (const char *)c->name_hash;
	v[1] = c->has_account ? c->account_id : NULL;
	v[2] = ok ? "t" : "f";
	v[3] = step;
	v[4] = (const char *)session_hash;
	v[5] = (const char *)old_hash;
	return (db_run(&c->q, req, "SELECT login_finish($1, $2, $3, $4, $5, $6)",
	    6, v, l, f));
}

/* Keeps what login_begin returned that the next steps need. */
static void
login_account(struct login_ctx *c, const char **stored)
{
	unsigned char	*box;
	size_t		 len;

	*stored = NULL;
	c->wait = atoi(db_value(&c->q, 0, 0));
	if (c->wait > 0 || db_isnull(&c->q, 0, 1))
		return;
	c->has_account = 1;
	(void)kore_strlcpy(c->account_id, db_value(&c->q, 0, 1),
	    sizeof(c->account_id));
	*stored = db_value(&c->q, 0, 2);
	if ((box = db_bytea(&c->q, 0, 3, &len)) != NULL &&
	    len == sizeof(c->totp_box)) {
		memcpy(c->totp_box, box, len);
		c->totp_box_len = len;
	}
	kore_free(box);
	c->last_step = strtoull(db_value(&c->q, 0, 4), NULL, 10);
}

/* The TOTP step the typed code matches, or 0. */
static uint64_t
login_totp(struct login_ctx *c)
{
	if (!c->has_account)
		return (0);
	return (staff_totp_step(&app.keys, c->totp_box, c->totp_box_len,
	    c->code, (uint64_t)time(NULL), c->last_step));
}

static void
login_wait_answer(struct http_request *req, struct login_ctx *c)
{
	char	 secs[16], msg[200];

	(void)snprintf(secs, sizeof(secs), "%d", c->wait);
	http_response_header(req, "retry-after", secs);
	(void)snprintf(msg, sizeof(msg), "Too many failed attempts for this "
	    "login name. Wait %d second%s, then try again.", c->wait,
	    c->wait == 1 ? "" : "s");
	login_form(req, c, 429, msg);
}

/* GET and POST /review/login */
int
rt_login(struct http_request *req)
{
	struct login_ctx	*c;
	struct formdata		 fd;
	const struct formfield	*f;
	const char		*stored;
	int			 ret;

	if (req->hdlr_extra == NULL &&
	    !rt_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), login_ctx_free);

	switch (c->phase) {
	case PH_START:
		rt_csrf_issue(req, c->csrf, sizeof(c->csrf));
		if (req->method != HTTP_METHOD_POST) {
			login_form(req, c, 200, NULL);
			return (KORE_RESULT_OK);
		}
		memset(&fd, 0, sizeof(fd));
		if (!rt_form(req, &fd))
			return (KORE_RESULT_OK);
		if (!login_read(req, c, &fd)) {
			rt_form_done(req, &fd);
			return (KORE_RESULT_OK);
		}
		/* An unacceptable length is refused without hashing. */
		f = formdata_get(&fd, "password");
		if (f != NULL && staff_password_problem(f->value, f->len) ==
		    NULL) {
			memcpy(c->password, f->value, f->len);
			c->pwlen = f->len;
		}
		rt_form_done(req, &fd);
		c->phase = PH_BEGIN;
		/* FALLTHROUGH */
	case PH_BEGIN:
		if (!rt_db_ready(req, login_begin(c, req), &ret))
			return (ret);
		login_account(c, &stored);
		if (c->wait > 0) {
			db_done(&c->q);
			login_wait_answer(req, c);
			return (KORE_RESULT_OK);
		}
		c->phase = PH_FINISH;
		if (c->pwlen > 0) {
			c->pw = password_verify_start(req, c->password,
			    c->pwlen, stored);
			c->phase = PH_PASSWORD;
		}
		db_done(&c->q);
		sodium_memzero(c->password, sizeof(c->password));
		if (c->phase == PH_PASSWORD)
			return (KORE_RESULT_RETRY);
		break;
	case PH_PASSWORD:
		if (!password_done(c->pw))
			return (KORE_RESULT_RETRY);
		if (password_ok(c->pw) && c->has_account &&
		    (c->step = login_totp(c)) > 0) {
			c->ok = 1;
			staff_token_new(c->session);
		}
		password_release(c->pw);
		c->pw = NULL;
		c->phase = PH_FINISH;
		break;
	}

	if (!rt_db_ready(req, login_finish(c, req, c->ok), &ret))
		return (ret);
	if (c->ok && strcmp(db_value(&c->q, 0, 0), "ok") == 0) {
		staff_cookie_set(req, c->session);
		rt_redirect(req, "/review");
	} else {
		login_form(req, c, 401, LOGIN_FAILED);
	}
	db_done(&c->q);
	return (KORE_RESULT_OK);
}

/* POST /review/logout: ends the session (a GET cannot log anyone out). */
int
rt_logout(struct http_request *req)
{
	struct logout_ctx	*c;
	struct formdata		 fd;
	unsigned char		 hash[VAULT_HASHBYTES];
	const char		*v[1];
	int			 l[1] = { VAULT_HASHBYTES }, fm[1] = { 1 };
	int			 ret;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), logout_ctx_free);

	if (c->phase == 0) {
		switch (staff_authenticate(&c->auth, req, 0)) {
		case STAFF_PENDING:
			return (KORE_RESULT_RETRY);
		case STAFF_OK:
			break;
		case STAFF_NONE:
			staff_cookie_clear(req);
			rt_redirect(req, "/review/login");
			return (KORE_RESULT_OK);
		default:
			rt_unavailable(req);
			return (KORE_RESULT_OK);
		}
		if (!staff_form(req, &c->auth.who, &fd))
			return (KORE_RESULT_OK);
		rt_form_done(req, &fd);
		c->phase = 1;
	}
	(void)staff_token_hash(c->auth.who.token, hash);
	v[0] = (const char *)hash;
	if (!rt_db_ready(req, db_run(&c->q, req, "SELECT session_end($1)", 1,
	    v, l, fm), &ret))
		return (ret);
	db_done(&c->q);
	staff_cookie_clear(req);
	rt_redirect(req, "/review/login");
	return (KORE_RESULT_OK);
}
