/*
 * The one-time account set-up link: the new member of staff chooses a
 * password and enrols an authenticator (TOTP) on one page; the link then
 * stops working.
 */

#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app.h"

enum { PH_START, PH_VIEW, PH_HASH, PH_FINISH };

struct setup_ctx {
	int			 phase;
	int			 post;
	struct db_query		 q;
	struct pwjob		*pw;
	char			 csrf[VAULT_TOKEN_TEXT * 2 + 1];
	char			 token[STAFF_TOKEN_TEXT + 1];
	unsigned char		 token_hash[VAULT_HASHBYTES];
	unsigned char		 new_box[STAFF_TOTP_BOX_BYTES];
	int			 csrf_ok;
	char			 password[STAFF_PASSWORD_MAX * 4 + 1];
	size_t			 pwlen;
	int			 confirm_matches;
	const char		*password_problem;
	char			 code[16];
	char			 login[STAFF_LOGIN_MAX + 1];
	unsigned char		 secret[TOTP_SECRET_BYTES];
	uint64_t		 step;
};

static void
setup_ctx_free(void *p)
{
	struct setup_ctx	*c = p;

	db_done(&c->q);
	password_release(c->pw);
	sodium_memzero(c, sizeof(*c));
}

/* The token from ?token=... on the link (GET). */
static void
setup_token_from_query(struct http_request *req, struct setup_ctx *c)
{
	const char	*q = req->query_string;

	if (q != NULL && strncmp(q, "token=", 6) == 0 &&
	    strlen(q + 6) == STAFF_TOKEN_TEXT)
		(void)kore_strlcpy(c->token, q + 6, sizeof(c->token));
}

static int
setup_read_form(struct http_request *req, struct setup_ctx *c)
{
	struct formdata		 fd;
	const struct formfield	*f, *confirm;

	memset(&fd, 0, sizeof(fd));
	if (!rt_form(req, &fd))
		return (0);
	if ((f = formdata_get(&fd, "token")) != NULL &&
	    f->len == STAFF_TOKEN_TEXT)
		(void)kore_strlcpy(c->token, f->value, sizeof(c->token));
	f = formdata_get(&fd, "csrf");
	c->csrf_ok = f != NULL && rt_csrf_valid(req, f->value);
	if ((f = formdata_get(&fd, "code")) != NULL)
		(void)kore_strlcpy(c->code, f->value, sizeof(c->code));
	f = formdata_get(&fd, "password");
	confirm = formdata_get(&fd, "password_confirm");
	c->password_problem = staff_password_problem(f ? f->value : "",
	    f ? f->len : 0);
	if (c->password_problem == NULL) {
		memcpy(c->password, f->value, f->len);
		c->pwlen = f->len;
		c->confirm_matches = confirm != NULL && confirm->len == f->len &&
		    sodium_memcmp(confirm->value, f->value, f->len) == 0;
	}
	rt_form_done(req, &fd);
	return (1);
}

static void
setup_gone(struct http_request *req)
{
	struct sbuf	 b;

	sbuf_init(&b);
	view_setup_gone(&b);
	rt_send_html(req, 404, &b);
	sbuf_free(&b);
}

static void
setup_page(struct http_request *req, struct setup_ctx *c, int status,
    int show_errors)
{
	struct setup_view	 v;
	struct sbuf		 b, uri, qr;
	char			 b32[TOTP_SECRET_TEXT + 1];

	totp_base32(c->secret, sizeof(c->secret), b32, sizeof(b32));
	sbuf_init(&uri);
	totp_uri(&uri, "Recourse", c->login, b32);
	memset(&v, 0, sizeof(v));
	v.csrf = c->csrf;
	v.token = c->token;
	v.login = c->login;
	v.secret = b32;
	v.uri = sbuf_cstr(&uri);
	/* Without it (out of memory) the key and link still do. */
	sbuf_init(&qr);
	if (qrsvg_render(&qr, v.uri, "QR code for your authenticator app"))
		v.qr = sbuf_cstr(&qr);
	if (show_errors) {
		if (!c->csrf_ok)
			v.error_code = "This form had expired. Type a new code "
			    "and send it again.";
		v.error_password = c->password_problem;
		if (c->password_problem == NULL && !c->confirm_matches)
			v.error_confirm = "The two passwords are not the same.";
		if (c->csrf_ok && c->step == 0)
			v.error_code = "This code is not right. Type the code "
			    "your app shows now.";
	}
	sbuf_init(&b);
	view_setup(&b, &v);
	rt_send_html(req, status, &b);
	sbuf_free(&b);
	sbuf_free(&uri);
	sbuf_free(&qr);
	sodium_memzero(b32, sizeof(b32));
}

/* Looks the link up; on first view the offered TOTP secret is stored. */
static enum db_status
setup_lookup(struct setup_ctx *c, struct http_request *req)
{
	const char	*v[2] = { (const char *)c->token_hash,
			    c->post ? NULL : (const char *)c->new_box };
	int		 l[2] = { VAULT_HASHBYTES, STAFF_TOTP_BOX_BYTES };
	int		 f[2] = { 1, 1 };

	return (db_run(&c->q, req, "SELECT account_id, login, totp_box "
	    "FROM setup_view($1, $2)", 2, v, l, f));
}

/* Reads the lookup: 0 when the link is unknown, spent or expired. */
static int
setup_found(struct setup_ctx *c)
{
	unsigned char	*box;
	size_t		 len;
	int		 ok;

	if (db_rows(&c->q) != 1 || db_isnull(&c->q, 0, 0))
		return (0);
	(void)kore_strlcpy(c->login, db_value(&c->q, 0, 1), sizeof(c->login));
	box = db_bytea(&c->q, 0, 2, &len);
	ok = box != NULL && staff_totp_open(&app.keys, box, len, c->secret);
	kore_free(box);
	return (ok);
}

static enum db_status
setup_finish(struct setup_ctx *c, struct http_request *req)
{
	char		 step[24];
	const char	*v[3];
	int		 l[3] = { VAULT_HASHBYTES, 0, 0 }, f[3] = { 1, 0, 0 };

	(void)snprintf(step, sizeof(step), "%llu", (unsigned long long)c->step);
	v[0] = (const char *)c->token_hash;
	v[1] = password_result_hash(c->pw);
	v[2] = step;
	return (db_run(&c->q, req, "SELECT setup_finish($1, $2, $3)", 3, v, l,
	    f));
}

/* GET /account/setup?token=... and POST /account/setup */
int
rt_setup(struct http_request *req)
{
	struct setup_ctx	*c;
	struct sbuf		 b;
	unsigned char		 secret[TOTP_SECRET_BYTES];
	int			 ret;

	if (req->hdlr_extra == NULL &&
	    !rt_method(req, HTTP_METHOD_GET | HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), setup_ctx_free);

	switch (c->phase) {
	case PH_START:
		rt_csrf_issue(req, c->csrf, sizeof(c->csrf));
		c->post = req->method == HTTP_METHOD_POST;
		if (c->post) {
			if (!setup_read_form(req, c))
				return (KORE_RESULT_OK);
		} else {
			setup_token_from_query(req, c);
		}
		if (!staff_token_hash(c->token, c->token_hash)) {
			setup_gone(req);
			return (KORE_RESULT_OK);
		}
		staff_totp_secret_new(secret);
		staff_totp_seal(&app.keys, secret, c->new_box);
		sodium_memzero(secret, sizeof(secret));
		c->phase = PH_VIEW;
		/* FALLTHROUGH */
	case PH_VIEW:
		if (!rt_db_ready(req, setup_lookup(c, req), &ret))
			return (ret);
		ret = setup_found(c);
		db_done(&c->q);
		if (!ret) {
			setup_gone(req);
			return (KORE_RESULT_OK);
		}
		if (!c->post) {
			setup_page(req, c, 200, 0);
			return (KORE_RESULT_OK);
		}
		if (c->csrf_ok)
			c->step = totp_verify(c->secret, sizeof(c->secret),
			    c->code, (uint64_t)time(NULL), 0);
		if (!c->csrf_ok || c->password_problem != NULL ||
		    !c->confirm_matches || c->step == 0) {
			setup_page(req, c, c->csrf_ok ? 422 : 403, 1);
			return (KORE_RESULT_OK);
		}
		c->pw = password_hash_start(req, c->password, c->pwlen);
		sodium_memzero(c->password, sizeof(c->password));
		c->phase = PH_HASH;
		return (KORE_RESULT_RETRY);
	case PH_HASH:
		if (!password_done(c->pw))
			return (KORE_RESULT_RETRY);
		if (password_result_hash(c->pw) == NULL) {
			rt_error(req, 500, "Something went wrong",
			    "Your password was not saved. Please try again.");
			return (KORE_RESULT_OK);
		}
		c->phase = PH_FINISH;
		/* FALLTHROUGH */
	case PH_FINISH:
		break;
	}

	if (!rt_db_ready(req, setup_finish(c, req), &ret))
		return (ret);
	ret = strcmp(db_value(&c->q, 0, 0), "t") == 0;
	db_done(&c->q);
	if (!ret) {
		setup_gone(req);
		return (KORE_RESULT_OK);
	}
	sbuf_init(&b);
	view_setup_done(&b, c->login);
	rt_send_html(req, 200, &b);
	sbuf_free(&b);
	return (KORE_RESULT_OK);
}
