/*
 * A member of staff's own account page and password change.  The current
 * password is checked (and throttled like a login) before the new one is
 * hashed; the change ends every session of the account and starts a new
 * one for this browser.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app.h"

enum { PH_AUTH, PH_CURRENT, PH_VERIFY, PH_HASH, PH_SAVE, PH_FAILED,
    PH_TOKENS };

struct account_ctx {
	int			 phase;
	struct staff_auth_ctx	 auth;
	struct db_query		 q;
	struct pwjob		*pw;
	char			 csrf[STAFF_TOKEN_TEXT + 1];
	char			 current[STAFF_PASSWORD_MAX * 4 + 1];
	size_t			 current_len;
	char			 password[STAFF_PASSWORD_MAX * 4 + 1];
	size_t			 password_len;
	unsigned char		 name_hash[VAULT_HASHBYTES];
	char			 session[STAFF_TOKEN_TEXT + 1];
	char			 field[101 * 4];	/* token label or id */
	int			 days;		/* token lifetime */
	char			 code[16];
	unsigned char		 totp_box[STAFF_TOTP_BOX_BYTES];
	size_t			 totp_box_len;
	uint64_t		 step;
	const char		*failed;	/* "password", "code", NULL */
	int			 wait;
	int			 status;	/* of the page listed */
	char			 expires[24];
	char			 message[160];
	struct account_view	 v;
};

static void
account_ctx_free(void *p)
{
	struct account_ctx	*c = p;

	staff_auth_free(&c->auth);
	db_done(&c->q);
	password_release(c->pw);
	json_decref(c->v.tokens);
	sodium_memzero(c, sizeof(*c));
}

static void
account_page(struct http_request *req, struct account_ctx *c, int status)
{
	struct sbuf	 b;

	c->v.who = &c->auth.who;
	c->v.csrf = c->csrf;
	sbuf_init(&b);
	view_account(&b, &c->v);
	rt_send_html(req, status, &b);
	sbuf_free(&b);
}

static enum db_status
tokens_query(struct account_ctx *c, struct http_request *req)
{
	char		 id[24];
	const char	*v[1] = { id };

	(void)snprintf(id, sizeof(id), "%lld", (long long)c->auth.who.id);
	return (db_run(&c->q, req, "SELECT api_token_list($1)", 1, v, NULL,
	    NULL));
}

/*
 * The account page after the token list is read: shared by GET and by
 * the token forms (which show a new token once).
 */
static int
account_with_tokens(struct http_request *req, struct account_ctx *c,
    int status)
{
	int	 ret;

	c->status = status;
	if (!rt_db_ready(req, tokens_query(c, req), &ret))
		return (ret);
	json_decref(c->v.tokens);
	c->v.tokens = json_loads(db_value(&c->q, 0, 0), 0, NULL);
	db_done(&c->q);
	account_page(req, c, status);
	return (KORE_RESULT_OK);
}

/* GET /review/account */
int
rt_account(struct http_request *req)
{
	struct account_ctx	*c;
	int			 ret;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), account_ctx_free);
	if (c->phase == PH_AUTH) {
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		staff_csrf_of(&c->auth.who, c->csrf);
		c->phase = PH_TOKENS;
	}
	return (account_with_tokens(req, c, 200));
}

/*
 * POST /review/account/tokens/revoke (id): the holder (or an admin, in
 * SQL) ends a token.
 */
static int
token_revoke(struct http_request *req, struct account_ctx *c)
{
	struct formdata		 fd;
	const struct formfield	*f;
	char			 id[24];
	const char		*v[2];
	int			 ret;

	if (c->phase == PH_AUTH) {
		if (!staff_form(req, &c->auth.who, &fd))
			return (KORE_RESULT_OK);
		if ((f = formdata_get(&fd, "id")) != NULL)
			(void)kore_strlcpy(c->field, f->value,
			    sizeof(c->field));
		rt_form_done(req, &fd);
		if (c->field[0] == '\0' || strspn(c->field, "0123456789") !=
		    strlen(c->field) || strlen(c->field) > 18) {
			c->v.error_token = "Choose a token.";
			c->phase = PH_TOKENS;
			return (account_with_tokens(req, c, 422));
		}
		c->phase = PH_SAVE;
	}
	if (c->phase == PH_SAVE) {
		(void)snprintf(id, sizeof(id), "%lld",
		    (long long)c->auth.who.id);
		v[0] = id;
		v[1] = c->field;
		if (!rt_db_ready(req, db_run(&c->q, req, "SELECT "
		    "api_token_revoke($1, $2)", 2, v, NULL, NULL), &ret))
			return (ret);
		if (strcmp(db_value(&c->q, 0, 0), "ok") != 0)
			c->v.error_token = "There is no such token of yours.";
		db_done(&c->q);
		c->phase = PH_TOKENS;
	}
	return (account_with_tokens(req, c, c->v.error_token ? 404 : 200));
}

/*
 * Reads the new token's form: 0 when it answered; with the phase moved to
 * PH_TOKENS when the form comes back with errors.
 */
static int
token_read(struct http_request *req, struct account_ctx *c)
{
	struct formdata		 fd;
	const struct formfield	*f;

	if (!staff_form(req, &c->auth.who, &fd))
		return (0);
	if ((f = formdata_get(&fd, "label")) != NULL)
		(void)kore_strlcpy(c->field, f->value, sizeof(c->field));
	if (c->field[0] == '\0' || strlen(c->field) > 100 ||
	    !utf8_valid(c->field, strlen(c->field)))
		c->v.error_label = "Name the token (up to 100 characters), for "
		    "example the program that will use it.";
	f = formdata_get(&fd, "days");
	c->days = f == NULL ? 0 : atoi(f->value);
	if (f == NULL || (strcmp(f->value, "7") != 0 &&
	    strcmp(f->value, "30") != 0 && strcmp(f->value, "90") != 0)) {
		c->days = 0;
		c->v.error_days = "Choose how long the token works: 7, 30 or "
		    "90 days.";
	}
	f = formdata_get(&fd, "token_password");
	if (f == NULL || f->len == 0)
		c->v.error_token_password = "Type your password.";
	else if (staff_password_problem(f->value, f->len) != NULL)
		c->v.error_token_password = "This is not your password.";
	else {
		memcpy(c->current, f->value, f->len);
		c->current_len = f->len;
	}
	f = formdata_get(&fd, "token_code");
	if (f == NULL || f->len == 0)
		c->v.error_token_code = "Type the code your authenticator app "
		    "shows now.";
	else if (f->len < sizeof(c->code))
		(void)kore_strlcpy(c->code, f->value, sizeof(c->code));
	rt_form_done(req, &fd);
	if (c->v.error_label || c->v.error_days ||
	    c->v.error_token_password || c->v.error_token_code) {
		c->v.typed_label = c->field;
		c->v.typed_days = c->days;
		c->phase = PH_TOKENS;
	}
	return (1);
}

/*
 * The TOTP step the typed code matches, whether or not it was used before
 * (api_token_issue tells a reused step from a wrong code), or 0.
 */
static uint64_t
token_totp(struct account_ctx *c)
{
	return (staff_totp_step(&app.keys, c->totp_box, c->totp_box_len,
	    c->code, (uint64_t)time(NULL), 0));
}

/* Keeps what api_token_begin returned; the stored hash, or NULL. */
static const char *
token_account(struct account_ctx *c)
{
	unsigned char	*box;
	size_t		 len;

	c->wait = atoi(db_value(&c->q, 0, 0));
	if (c->wait > 0 || db_isnull(&c->q, 0, 1))
		return (NULL);
	if ((box = db_bytea(&c->q, 0, 2, &len)) != NULL &&
	    len == sizeof(c->totp_box)) {
		memcpy(c->totp_box, box, len);
		c->totp_box_len = len;
	}
	kore_free(box);
	return (db_value(&c->q, 0, 1));
}

static enum db_status
token_issue(struct account_ctx *c, struct http_request *req)
{
	unsigned char	 hash[VAULT_HASHBYTES];
	char		 id[24], step[24], days[8];
	const char	*v[7];
	int		 l[7] = { 0, VAULT_HASHBYTES, 0, 0, VAULT_HASHBYTES,
			    0, 0 };
	int		 f[7] = { 0, 1, 0, 0, 1, 0, 0 };

	(void)snprintf(id, sizeof(id), "%lld", (long long)c->auth.who.id);
	(void)snprintf(step, sizeof(step), "%llu", (unsigned long long)c->step);
	(void)snprintf(days, sizeof(days), "%d", c->days);
	(void)staff_token_hash(c->session, hash);
	v[0] = id;
	v[1] = (const char *)c->name_hash;
	v[2] = c->failed;
	v[3] = c->failed == NULL ? step : NULL;
	v[4] = (const char *)hash;
	v[5] = c->field;
	v[6] = days;
	return (db_run(&c->q, req, "SELECT outcome, to_char(expires_at, "
	    "'YYYY-MM-DD HH24:MI') FROM api_token_issue($1, $2, $3, $4, $5, "
	    "$6, $7)", 7, v, l, f));
}

/* The throttle says wait, or the account can no longer make tokens. */
static int
token_refused(struct http_request *req, struct account_ctx *c)
{
	char	 wait[16];

	if (c->wait > 0) {
		(void)snprintf(wait, sizeof(wait), "%d", c->wait);
		http_response_header(req, "retry-after", wait);
		(void)snprintf(c->message, sizeof(c->message), "Too many wrong "
		    "passwords or codes. Wait %d seconds, then try again.",
		    c->wait);
		c->v.error_token_password = c->message;
	} else
		c->v.error_token_password = "This account cannot make tokens.";
	c->v.typed_label = c->field;
	c->v.typed_days = c->days;
	c->phase = PH_TOKENS;
	return (account_with_tokens(req, c, c->wait > 0 ? 429 : 409));
}

/*
 * POST /review/account/tokens: a new token, made only with the account's
 * password and a TOTP code not used before (throttled like a login), so a
 * stolen session cannot mint a lasting credential.  It is shown once, with
 * its expiry, on the page this answers with; only its hash is stored.
 */
static int
token_create(struct http_request *req, struct account_ctx *c)
{
	const char	*v[2], *stored;
	int		 l[2] = { 0, VAULT_HASHBYTES }, f[2] = { 0, 1 };
	char		 id[24];
	int		 ret;

	switch (c->phase) {
	case PH_AUTH:
		if (!token_read(req, c))
			return (KORE_RESULT_OK);
		if (c->phase == PH_TOKENS)
			return (account_with_tokens(req, c, 422));
		staff_login_hash(&app.keys, c->auth.who.login, c->name_hash);
		c->phase = PH_CURRENT;
		/* FALLTHROUGH */
	case PH_CURRENT:
		(void)snprintf(id, sizeof(id), "%lld",
		    (long long)c->auth.who.id);
		v[0] = id;
		v[1] = (const char *)c->name_hash;
		if (!rt_db_ready(req, db_run(&c->q, req, "SELECT wait_seconds, "
		    "password_hash, totp_box FROM api_token_begin($1, $2)", 2,
		    v, l, f), &ret))
			return (ret);
		stored = token_account(c);
		if (c->wait > 0 || stored == NULL) {
			db_done(&c->q);
			return (token_refused(req, c));
		}
		c->pw = password_verify_start(req, c->current, c->current_len,
		    stored);
		db_done(&c->q);
		sodium_memzero(c->current, sizeof(c->current));
		c->phase = PH_VERIFY;
		return (KORE_RESULT_RETRY);
	case PH_VERIFY:
		if (!password_done(c->pw))
			return (KORE_RESULT_RETRY);
		if (!password_ok(c->pw))
			c->failed = "password";
		else if ((c->step = token_totp(c)) == 0)
			c->failed = "code";
		else
			staff_token_new(c->session);
		password_release(c->pw);
		c->pw = NULL;
		c->phase = PH_SAVE;
		/* FALLTHROUGH */
	case PH_SAVE:
		break;
	}

	if (!rt_db_ready(req, token_issue(c, req), &ret))
		return (ret);
	if (strcmp(db_value(&c->q, 0, 0), "ok") == 0) {
		(void)kore_strlcpy(c->expires, db_value(&c->q, 0, 1),
		    sizeof(c->expires));
		c->v.new_token = c->session;
		c->v.new_token_expires = c->expires;
	} else if (c->failed != NULL && strcmp(c->failed, "password") == 0)
		c->v.error_token_password = "This is not your password.";
	else if (c->failed != NULL)
		c->v.error_token_code = "This code is not right. Type the code "
		    "your authenticator app shows now.";
	else
		c->v.error_token_code = "This code has been used already. Wait "
		    "for the next code in your app, then type it.";
	db_done(&c->q);
	if (c->v.new_token == NULL) {
		c->v.typed_label = c->field;
		c->v.typed_days = c->days;
	}
	c->phase = PH_TOKENS;
	return (account_with_tokens(req, c, c->v.new_token ? 201 : 422));
}

/*
 * POST /review/account/tokens (create) and
 * POST /review/account/tokens/revoke.
 */
int
rt_account_tokens(struct http_request *req)
{
	struct account_ctx	*c;
	int			 ret;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), account_ctx_free);
	if (c->phase == PH_AUTH) {
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		staff_csrf_of(&c->auth.who, c->csrf);
	}
	if (c->phase == PH_TOKENS)
		return (account_with_tokens(req, c, c->status));
	if (strcmp(req->path, "/review/account/tokens/revoke") == 0)
		return (token_revoke(req, c));
	return (token_create(req, c));
}

/* Reads and checks the form; 0 when it answered. */
static int
password_read(struct http_request *req, struct account_ctx *c)
{
	struct formdata		 fd;
	const struct formfield	*f, *n, *k;
	int			 ok;

	if (!staff_form(req, &c->auth.who, &fd))
		return (0);
	f = formdata_get(&fd, "current_password");
	n = formdata_get(&fd, "password");
	k = formdata_get(&fd, "password_confirm");
	if (f == NULL || f->len == 0)
		c->v.error_current = "Type your current password.";
	else if (staff_password_problem(f->value, f->len) != NULL)
		c->v.error_current = "This is not your current password.";
	else {
		memcpy(c->current, f->value, f->len);
		c->current_len = f->len;
	}
	c->v.error_password = staff_password_problem(n ? n->value : "",
	    n ? n->len : 0);
	if (c->v.error_password == NULL) {
		memcpy(c->password, n->value, n->len);
		c->password_len = n->len;
		if (k == NULL || k->len != n->len ||
		    sodium_memcmp(k->value, n->value, n->len) != 0)
			c->v.error_confirm = "The two new passwords are not "
			    "the same.";
	}
	rt_form_done(req, &fd);
	ok = c->v.error_current == NULL && c->v.error_password == NULL &&
	    c->v.error_confirm == NULL;
	if (!ok)
		account_page(req, c, 422);
	return (ok);
}

/* POST /review/account/password */
int
rt_account_password(struct http_request *req)
{
	struct account_ctx	*c;
	unsigned char		 hash[VAULT_HASHBYTES];
	char			 id[24], wait[16], msg[160];
	const char		*v[3];
	int			 l[3] = { 0, VAULT_HASHBYTES, VAULT_HASHBYTES };
	int			 f[3] = { 0, 1, 1 };
	int			 ret;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), account_ctx_free);
	(void)snprintf(id, sizeof(id), "%lld", (long long)c->auth.who.id);
	v[0] = id;
	v[1] = (const char *)c->name_hash;

	switch (c->phase) {
	case PH_AUTH:
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		staff_csrf_of(&c->auth.who, c->csrf);
		if (!password_read(req, c))
			return (KORE_RESULT_OK);
		staff_login_hash(&app.keys, c->auth.who.login, c->name_hash);
		(void)snprintf(id, sizeof(id), "%lld", (long long)c->auth.who.id);
		c->phase = PH_CURRENT;
		/* FALLTHROUGH */
	case PH_CURRENT:
		if (!rt_db_ready(req, db_run(&c->q, req, "SELECT "
		    "wait_seconds, password_hash FROM password_current($1, $2)",
		    2, v, l, f), &ret))
			return (ret);
		ret = db_rows(&c->q) == 1 ? atoi(db_value(&c->q, 0, 0)) : -1;
		if (ret != 0) {
			db_done(&c->q);
			if (ret > 0) {
				(void)snprintf(wait, sizeof(wait), "%d", ret);
				http_response_header(req, "retry-after", wait);
				(void)snprintf(msg, sizeof(msg), "Too many wrong "
				    "passwords. Wait %d seconds, then try "
				    "again.", ret);
			}
			c->v.error_current = ret > 0 ? msg :
			    "This account cannot be changed.";
			account_page(req, c, ret > 0 ? 429 : 409);
			return (KORE_RESULT_OK);
		}
		c->pw = password_verify_start(req, c->current, c->current_len,
		    db_value(&c->q, 0, 1));
		db_done(&c->q);
		sodium_memzero(c->current, sizeof(c->current));
		c->phase = PH_VERIFY;
		return (KORE_RESULT_RETRY);
	case PH_VERIFY:
		if (!password_done(c->pw))
			return (KORE_RESULT_RETRY);
		ret = password_ok(c->pw);
		password_release(c->pw);
		c->pw = NULL;
		if (!ret) {
			c->phase = PH_FAILED;
			return (rt_account_password(req));
		}
		c->pw = password_hash_start(req, c->password, c->password_len);
		sodium_memzero(c->password, sizeof(c->password));
		c->phase = PH_HASH;
		return (KORE_RESULT_RETRY);
	case PH_FAILED:
		/* A wrong current password counts as a failed login. */
		if (!rt_db_ready(req, db_run(&c->q, req, "SELECT "
		    "password_change_failed($1, $2)", 2, v, l, f), &ret))
			return (ret);
		db_done(&c->q);
		c->v.error_current = "This is not your current password.";
		account_page(req, c, 422);
		return (KORE_RESULT_OK);
	case PH_HASH:
		if (!password_done(c->pw))
			return (KORE_RESULT_RETRY);
		if (password_result_hash(c->pw) == NULL) {
			rt_error(req, 500, "Something went wrong",
			    "Your password was not changed.");
			return (KORE_RESULT_OK);
		}
		staff_token_new(c->session);
		c->phase = PH_SAVE;
		/* FALLTHROUGH */
	case PH_SAVE:
		break;
	}

	(void)staff_token_hash(c->session, hash);
	v[1] = password_result_hash(c->pw);
	v[2] = (const char *)hash;
	l[1] = 0;
	f[1] = 0;
	if (!rt_db_ready(req, db_run(&c->q, req, "SELECT password_change($1, "
	    "$2, $3)", 3, v, l, f), &ret))
		return (ret);
	db_done(&c->q);
	staff_cookie_set(req, c->session);
	rt_redirect(req, "/review/account?changed=1");
	return (KORE_RESULT_OK);
}
