/*
 * Response plumbing shared by every route: security headers, HTML and JSON
 * answers, error pages, method and body checks, CSRF cookies, health
 * probes and the catch-all 404.
 */

#include <ctype.h>
#include <string.h>
#include <time.h>

#include "app.h"

#define CSP	"default-src 'none'; script-src 'self'; style-src 'self'; " \
		"img-src 'self'; form-action 'self'; frame-ancestors 'none'; " \
		"base-uri 'none'"

struct rt_ctx_box {
	void	(*free)(void *);
	/* The handler's context follows, suitably aligned. */
	max_align_t	 data[];
};

static void
rt_ctx_onfree(struct http_request *req)
{
	struct rt_ctx_box	*box = req->hdlr_extra;

	if (box == NULL)
		return;
	if (box->free != NULL)
		box->free(box->data);
	kore_free(box);
	req->hdlr_extra = NULL;
}

/*
 * The per-request context of a handler that runs over several wake-ups; it
 * is zeroed on first use and released with the request, even when the
 * client goes away halfway.
 */
void *
rt_ctx(struct http_request *req, size_t size, void (*freefn)(void *))
{
	struct rt_ctx_box	*box;

	if (req->hdlr_extra == NULL) {
		box = kore_calloc(1, sizeof(*box) + size);
		box->free = freefn;
		req->hdlr_extra = box;
		req->onfree = rt_ctx_onfree;
	}
	box = req->hdlr_extra;
	return (box->data);
}

/* Sent on every answer we make, errors included, but a download's CSP. */
static void
rt_common_headers(struct http_request *req)
{
	workers_count_request();
	http_response_header(req, "x-content-type-options", "nosniff");
	/*
	 * same-origin, not no-referrer: nothing leaves for other sites, and
	 * our own forms' POSTs carry a real Origin for the CSRF check.
	 */
	http_response_header(req, "referrer-policy", "same-origin");
	http_response_header(req, "x-frame-options", "DENY");
	http_response_header(req, "cross-origin-opener-policy", "same-origin");
	http_response_header(req, "cross-origin-resource-policy",
	    "same-origin");
	http_response_header(req, "permissions-policy",
	    "camera=(), microphone=(), geolocation=(), interest-cohort=()");
}

void
rt_security_headers(struct http_request *req)
{
	http_response_header(req, "content-security-policy", CSP);
	rt_common_headers(req);
}

/* The same with a policy of the file's own (a signed page's styles). */
void
rt_security_headers_csp(struct http_request *req, const char *csp)
{
	http_response_header(req, "content-security-policy", csp);
	rt_common_headers(req);
}

/*
 * A file someone sent, as a download only: never shown inline, never
 * sniffed, and sandboxed should a browser open it anyway.  'filename' is
 * ours (reference, number, extension), never the sender's.
 */
void
rt_send_download(struct http_request *req, const char *type,
    const char *filename, const void *data, size_t len)
{
	char	 disposition[128];

	http_response_header(req, "content-security-policy", "sandbox; "
	    "default-src 'none'");
	rt_common_headers(req);
	(void)snprintf(disposition, sizeof(disposition),
	    "attachment; filename=\"%s\"", filename);
	http_response_header(req, "content-disposition", disposition);
	http_response_header(req, "content-type", type);
	http_response_header(req, "cache-control", "no-store");
	http_response(req, 200, data, len);
}

static void form_reads_send(struct http_request *);

static void
rt_dynamic_headers(struct http_request *req, const char *type)
{
	rt_security_headers(req);
	form_reads_send(req);
	http_response_header(req, "content-type", type);
	/* Pages may hold receipt codes and personal data: never cache. */
	http_response_header(req, "cache-control", "no-store");
}

void
rt_send_html(struct http_request *req, int status, struct sbuf *b)
{
	rt_dynamic_headers(req, "text/html; charset=utf-8");
	http_response(req, status, b->data, b->len);
}

void
rt_send_json(struct http_request *req, int status, json_t *j)
{
	char	*s;

	rt_dynamic_headers(req, "application/json");
	s = json_dumps(j, JSON_COMPACT);
	if (s == NULL) {
		http_response(req, 500, "{}", 2);
		return;
	}
	http_response(req, status, s, strlen(s));
	free(s);
}

/* 303 See Other to a path of ours (never to anything the request named). */
void
rt_redirect(struct http_request *req, const char *path)
{
	rt_dynamic_headers(req, "text/plain; charset=utf-8");
	http_response_header(req, "location", path);
	http_response(req, 303, NULL, 0);
}

int
rt_is_api(struct http_request *req)
{
	return (strncmp(req->path, "/api/", 5) == 0);
}

static const char *
rt_error_code(int status)
{
	switch (status) {
	case 400: return ("bad_request");
	case 401: return ("unauthenticated");
	case 403: return ("forbidden");
	case 404: return ("not_found");
	case 405: return ("method_not_allowed");
	case 409: return ("conflict");
	case 413: return ("too_large");
	case 415: return ("unsupported_media_type");
	case 429: return ("too_many_requests");
	case 503: return ("unavailable");
	default: return ("internal");
	}
}

/* An error as a page, or as JSON under /api/. */
void
rt_error(struct http_request *req, int status, const char *title,
    const char *message)
{
	struct sbuf	 b;
	json_t		*j;

	if (rt_is_api(req)) {
		j = apijson_error(rt_error_code(status), message);
		rt_send_json(req, status, j);
		json_decref(j);
		return;
	}
	sbuf_init(&b);
	view_message(&b, title, message);
	rt_send_html(req, status, &b);
	sbuf_free(&b);
}

/* PostgreSQL cannot be reached: nothing was saved, try again shortly. */
void
rt_unavailable(struct http_request *req)
{
	struct sbuf	 b;
	json_t		*j;

	http_response_header(req, "retry-after", "5");
	if (rt_is_api(req)) {
		j = apijson_error("unavailable", strcmp(req->path,
		    "/api/v1/complaints") == 0 ? "The service cannot reach its "
		    "database; the complaint was NOT saved. Send the same "
		    "request again, with the same Idempotency-Key, in a few "
		    "seconds: if it was saved after all, you get its receipt." :
		    "The service cannot reach its database. Nothing was saved. "
		    "Try again in a few seconds.");
		rt_send_json(req, 503, j);
		json_decref(j);
		return;
	}
	sbuf_init(&b);
	view_unavailable(&b, strncmp(req->path, "/complaints", 11) == 0);
	rt_send_html(req, 503, &b);
	sbuf_free(&b);
}

/*
 * The common ending of a handler's database step.  Returns 1 when the
 * statement finished; otherwise sets *ret for the handler to return, having
 * answered 503 or 500 where the statement failed.
 */
int
rt_db_ready(struct http_request *req, enum db_status st, int *ret)
{
	*ret = KORE_RESULT_OK;
	switch (st) {
	case DB_OK:
		return (1);
	case DB_PENDING:
		*ret = KORE_RESULT_RETRY;
		break;
	case DB_UNAVAILABLE:
		rt_unavailable(req);
		break;
	case DB_FAILED:
		rt_error(req, 500, "Something went wrong", "Nothing was saved. "
		    "Please try again.");
		break;
	}
	return (0);
}

static void
rt_allow_header(struct http_request *req, int allowed)
{
	struct sbuf	 b;

	sbuf_init(&b);
	if (allowed & HTTP_METHOD_GET)
		sbuf_adds(&b, "GET, HEAD");
	if (allowed & HTTP_METHOD_POST)
		sbuf_adds(&b, b.len ? ", POST" : "POST");
	http_response_header(req, "allow", sbuf_cstr(&b));
	sbuf_free(&b);
}

/* Answers 405 and returns 0 when the method is not one of 'allowed'. */
int
rt_method(struct http_request *req, int allowed)
{
	if (allowed & HTTP_METHOD_GET)
		allowed |= HTTP_METHOD_HEAD;
	if (req->method & allowed)
		return (1);
	rt_allow_header(req, allowed);
	rt_error(req, 405, "Method not allowed",
	    "This address does not accept that kind of request.");
	return (0);
}

/*
 * Reads the whole request body into 'b'.  Answers 413 and returns 0 when it
 * is larger than 'max', the most the handler accepts.
 */
int
rt_body_max(struct http_request *req, struct sbuf *b, size_t max)
{
	char	 chunk[65536];
	ssize_t	 n;

	if (req->http_body_length > max) {
		rt_error(req, 413, "Too large", max == RT_BODY_MAX ?
		    "The request is larger than 192 KiB, the most we accept." :
		    "The request is larger than 15 MiB, the most we accept: "
		    "attach at most 10 MB of files.");
		return (0);
	}
	for (;;) {
		n = http_body_read(req, chunk, sizeof(chunk));
		if (n < 0) {
			rt_error(req, 400, "Bad request",
			    "The request body could not be read.");
			return (0);
		}
		if (n == 0)
			break;
		sbuf_add(b, chunk, (size_t)n);
	}
	explicit_bzero(chunk, sizeof(chunk));
	return (1);
}

/* The same for the forms and documents without files. */
int
rt_body(struct http_request *req, struct sbuf *b)
{
	return (rt_body_max(req, b, RT_BODY_MAX));
}

/*
 * Reads and parses a posted form (multipart or urlencoded).  Answers 400 or
 * 413 and returns 0 when there is none to read; the body is wiped either
 * way, as it may hold someone's account.
 */
int
rt_form_max(struct http_request *req, struct formdata *fd, size_t max)
{
	struct sbuf	 body;
	const char	*ctype;
	int		 ok;

	sbuf_init(&body);
	if (!rt_body_max(req, &body, max)) {
		sbuf_free(&body);
		return (0);
	}
	if (!http_request_header(req, "content-type", &ctype))
		ctype = NULL;
	ok = formdata_parse(fd, ctype, body.data ? body.data : "", body.len) ==
	    FORMDATA_OK;
	if (body.data != NULL)
		explicit_bzero(body.data, body.len);
	sbuf_free(&body);
	if (!ok)
		rt_error(req, 400, "The form could not be read",
		    "Go back, reload the page and send it again. Nothing was "
		    "saved.");
	return (ok);
}

int
rt_form(struct http_request *req, struct formdata *fd)
{
	return (rt_form_max(req, fd, RT_BODY_MAX));
}

/*
 * Under the test configuration, the fields each request's form handler
 * used wait here until the answer goes out (a handler usually releases its
 * form before it answers, and sometimes after).  A few slots, reused in
 * turn, since a client that goes away leaves its slot behind.
 */
#define FORM_READS_SLOTS	16

static struct {
	struct http_request	*req;
	char			*reads;
} form_reads[FORM_READS_SLOTS];
static size_t			 form_reads_next;

static void
form_reads_send(struct http_request *req)
{
	size_t	 i;

	for (i = 0; i < FORM_READS_SLOTS; i++) {
		if (form_reads[i].req != req || form_reads[i].reads == NULL)
			continue;
		http_response_header(req, "x-recourse-form-reads",
		    form_reads[i].reads);
		free(form_reads[i].reads);
		form_reads[i].reads = NULL;
		form_reads[i].req = NULL;
	}
}

/*
 * Releases a form read with rt_form().  Under the test configuration it
 * first keeps the names of the fields the handler used, for a response
 * header, so that a test can check them against the form the page rendered.
 * The names are those our code asked for, never the request's own.
 */
void
rt_form_done(struct http_request *req, struct formdata *fd)
{
	struct sbuf	 b;
	size_t		 i;

	if (fd->log != NULL) {
		sbuf_init(&b);
		formdata_reads(fd, &b);
		i = form_reads_next++ % FORM_READS_SLOTS;
		free(form_reads[i].reads);
		form_reads[i].req = req;
		form_reads[i].reads = strdup(sbuf_cstr(&b));
		sbuf_free(&b);
		/* Already answered: the header can only go now, unsent. */
		if (req->flags & HTTP_REQUEST_COMPLETE)
			form_reads_send(req);
	}
	formdata_free(fd);
}

/* How long a page's form may stay open before its token expires. */
#define FORM_TOKEN_MAX_AGE	(24 * 3600)

/*
 * Fills 'token' with a fresh form token.  No cookie is set: the public side
 * must work for people who refuse cookies, and has none to offer.
 */
int
rt_csrf_issue(struct http_request *req, char *token, size_t size)
{
	if (size < VAULT_FORM_TOKEN_TEXT + 1)
		return (0);
	vault_form_token(&app.keys, (int64_t)time(NULL), token);
	return (1);
}

/*
 * Did the browser say that this POST comes from one of our own pages?
 * Browsers since 2023 send Sec-Fetch-Site, which no page can forge; older
 * ones send Origin on every POST (our Referrer-Policy, same-origin, keeps
 * it from being "null" on our own forms).  A client that sends neither is
 * no browser a forged page could drive, and is held to the token alone.
 */
static int
rt_same_origin(struct http_request *req)
{
	const char	*site, *origin, *host, *authority;

	if (http_request_header(req, "sec-fetch-site", &site))
		return (strcmp(site, "same-origin") == 0 ||
		    strcmp(site, "none") == 0);
	if (!http_request_header(req, "origin", &origin))
		return (1);
	if ((authority = strstr(origin, "://")) == NULL ||
	    !http_request_header(req, "host", &host))
		return (0);
	return (strcasecmp(authority + 3, host) == 0);
}

enum rt_csrf
rt_csrf_check(struct http_request *req, const char *token)
{
	if (!rt_same_origin(req))
		return (RT_CSRF_CROSS_SITE);
	switch (vault_form_token_check(&app.keys, token, (int64_t)time(NULL),
	    FORM_TOKEN_MAX_AGE)) {
	case VAULT_FORM_OK:
		return (RT_CSRF_OK);
	case VAULT_FORM_EXPIRED:
		return (RT_CSRF_EXPIRED);
	default:
		return (RT_CSRF_FORGED);
	}
}

int
rt_csrf_valid(struct http_request *req, const char *token)
{
	return (rt_csrf_check(req, token) == RT_CSRF_OK);
}

/* The catch-all route: anything not routed is not found. */
int
rt_not_found(struct http_request *req)
{
	rt_error(req, 404, "Page not found",
	    "There is nothing at this address. Check it, or start from the "
	    "home page.");
	return (KORE_RESULT_OK);
}

/* GET /healthz: the process answers; the database is not consulted. */
int
rt_healthz(struct http_request *req)
{
	json_t	*j;

	if (!rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	j = json_pack("{s:s}", "status", "ok");
	rt_send_json(req, 200, j);
	json_decref(j);
	return (KORE_RESULT_OK);
}

static void
readyz_free(void *p)
{
	db_done(p);
}

/* GET /readyz: the database answers a trivial query. */
int
rt_readyz(struct http_request *req)
{
	struct db_query	*q;
	json_t		*j;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	q = rt_ctx(req, sizeof(*q), readyz_free);
	switch (db_ping(q, req)) {
	case DB_PENDING:
		return (KORE_RESULT_RETRY);
	case DB_OK:
		j = json_pack("{s:s}", "status", "ready");
		rt_send_json(req, 200, j);
		json_decref(j);
		break;
	default:
		http_response_header(req, "retry-after", "5");
		j = json_pack("{s:s}", "status", "unavailable");
		rt_send_json(req, 503, j);
		json_decref(j);
		break;
	}
	return (KORE_RESULT_OK);
}
