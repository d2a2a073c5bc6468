/*
 * The published transparency reports on the public side: /transparency
 * (every report), /transparency/QUARTER (the newest version) and
 * /transparency/QUARTER/vN/ (one version), their files and signatures under
 * /transparency/QUARTER/vN/NAME(.sig), the signing key, and
 * /api/v1/reports.  Published files never change, so they are served with
 * their SHA-256 as ETag and a year's cache.
 */

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "report.h"

#define QUARTER_LEN	7	/* 2026-Q3 */

struct transparency_ctx {
	struct db_query	 q;
	char		 quarter[QUARTER_LEN + 1];
	char		 version[8];	/* "" for the newest */
	char		 name[96];	/* the file, "" for the page */
	int		 sig;		/* the file's signature is asked for */
};

static void
transparency_ctx_free(void *p)
{
	struct transparency_ctx	*c = p;

	db_done(&c->q);
}

/*
 * /transparency/QUARTER[/vN[/[NAME]]]: which report and which file; 0 when
 * the path names none (the route's pattern already checked the form).
 */
static int
parse_path(const char *path, struct transparency_ctx *c)
{
	const char	*p = path + strlen("/transparency/"), *slash;
	size_t		 n;

	if (strlen(p) < QUARTER_LEN)
		return (0);
	memcpy(c->quarter, p, QUARTER_LEN);
	c->quarter[QUARTER_LEN] = '\0';
	p += QUARTER_LEN;
	if (*p == '\0')
		return (1);
	if (strncmp(p, "/v", 2) != 0)
		return (0);
	p += 2;
	slash = strchr(p, '/');
	n = slash != NULL ? (size_t)(slash - p) : strlen(p);
	if (n == 0 || n >= sizeof(c->version) || *p == '0')
		return (0);
	memcpy(c->version, p, n);
	c->version[n] = '\0';
	if (slash == NULL || slash[1] == '\0')
		return (1);
	if (kore_strlcpy(c->name, slash + 1, sizeof(c->name)) >=
	    sizeof(c->name))
		return (0);
	n = strlen(c->name);
	if (n > 4 && strcmp(c->name + n - 4, ".sig") == 0) {
		c->name[n - 4] = '\0';
		c->sig = 1;
	}
	return (1);
}

/* A file that never changes: its hash is its ETag, kept for a year. */
static void
send_file(struct http_request *req, const struct transparency_ctx *c)
{
	unsigned char	*body, *sha;
	size_t		 len, sha_len;
	char		 etag[80], hex[65];
	const char	*inm, *sig;

	sha = db_bytea(&c->q, 0, 3, &sha_len);
	vault_hex(sha, sha_len == 32 ? 32 : 0, hex);
	kore_free(sha);
	(void)snprintf(etag, sizeof(etag), "\"%s%s\"", hex, c->sig ? "-sig" :
	    "");
	/* A signed page carries its own styles, and nothing else runs. */
	if (!c->sig && strncmp(db_value(&c->q, 0, 1), "text/html", 9) == 0)
		rt_security_headers_csp(req, "default-src 'none'; style-src "
		    "'unsafe-inline'; base-uri 'none'; form-action 'none'; "
		    "frame-ancestors 'none'");
	else
		rt_security_headers(req);
	http_response_header(req, "etag", etag);
	http_response_header(req, "cache-control", "public, max-age=31536000, "
	    "immutable");
	if (http_request_header(req, "if-none-match", &inm) &&
	    strcmp(inm, etag) == 0) {
		http_response(req, 304, NULL, 0);
		return;
	}
	if (c->sig) {
		sig = db_value(&c->q, 0, 4);
		http_response_header(req, "content-type",
		    "text/plain; charset=utf-8");
		http_response(req, 200, sig, strlen(sig));
		return;
	}
	body = db_bytea(&c->q, 0, 2, &len);
	http_response_header(req, "content-type", db_value(&c->q, 0, 1));
	http_response(req, 200, body, len);
	kore_free(body);
}

/* The page of one version, from its report.json. */
static void
send_page(struct http_request *req, const struct transparency_ctx *c)
{
	json_t		*versions, *doc, *info = NULL, *v;
	unsigned char	*body;
	size_t		 len, i;
	struct sbuf	 b;
	char		 base[64];

	versions = json_loads(db_value(&c->q, 0, 0), 0, NULL);
	body = db_bytea(&c->q, 0, 2, &len);
	doc = body != NULL ? json_loadb((const char *)body, len, 0, NULL) :
	    NULL;
	kore_free(body);
	json_array_foreach(versions, i, v)
		if (json_integer_value(json_object_get(json_object_get(doc,
		    "report"), "version")) == json_integer_value(
		    json_object_get(v, "version")))
			info = v;
	if (doc == NULL || info == NULL) {
		json_decref(versions);
		json_decref(doc);
		rt_error(req, 500, "Something went wrong", "This report could "
		    "not be read. Please try again later.");
		return;
	}
	(void)snprintf(base, sizeof(base), "/transparency/%s/v%lld/",
	    c->quarter, (long long)json_integer_value(json_object_get(info,
	    "version")));
	sbuf_init(&b);
	view_report(&b, doc, info, base, versions);
	rt_send_html(req, 200, &b);
	sbuf_free(&b);
	json_decref(versions);
	json_decref(doc);
}

/* GET /transparency/QUARTER[/vN[/[NAME[.sig]]]] */
int
rt_transparency_report(struct http_request *req)
{
	struct transparency_ctx	*c;
	const char		*v[3];
	int			 ret;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET |
	    HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), transparency_ctx_free);
	if (c->quarter[0] == '\0' && !parse_path(req->path, c))
		return (rt_not_found(req));
	v[0] = c->quarter;
	v[1] = c->version[0] != '\0' ? c->version : NULL;
	v[2] = c->name[0] != '\0' ? c->name : "report.json";
	if (!rt_db_ready(req, db_run(&c->q, req, "SELECT (SELECT "
	    "coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.version), '[]') "
	    "FROM report_published() p WHERE p.quarter = $1), f.media_type, "
	    "f.body, f.sha256, f.signature FROM (SELECT 1) one "
	    "LEFT JOIN report_published_file($1, $2::integer, $3) f ON true",
	    3, v, NULL, NULL), &ret))
		return (ret);
	if (db_rows(&c->q) != 1 || db_isnull(&c->q, 0, 2))
		return (rt_not_found(req));
	if (c->name[0] != '\0')
		send_file(req, c);
	else
		send_page(req, c);
	return (KORE_RESULT_OK);
}

static void
transparency_list_free(void *p)
{
	db_done(p);
}

/* GET /transparency and GET /api/v1/reports: every published version. */
static int
listing(struct http_request *req, int api)
{
	struct db_query	*q;
	json_t		*reports, *r, *f, *out;
	struct sbuf	 b;
	size_t		 i, j;
	int		 ret;
	char		 url[160];

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET |
	    HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	q = rt_ctx(req, sizeof(*q), transparency_list_free);
	if (!rt_db_ready(req, db_run(q, req, "SELECT coalesce(jsonb_agg("
	    "to_jsonb(p) ORDER BY p.quarter DESC, p.version DESC), '[]') "
	    "FROM report_published() p", 0, NULL, NULL, NULL), &ret))
		return (ret);
	reports = json_loads(db_rows(q) == 1 ? db_value(q, 0, 0) : "[]", 0,
	    NULL);
	if (!api) {
		sbuf_init(&b);
		view_transparency(&b, reports);
		rt_send_html(req, 200, &b);
		sbuf_free(&b);
		json_decref(reports);
		return (KORE_RESULT_OK);
	}
	/* The API gives each file's address and its signature's. */
	json_array_foreach(reports, i, r) {
		(void)snprintf(url, sizeof(url), "/transparency/%s/v%lld/",
		    json_string_value(json_object_get(r, "quarter")),
		    (long long)json_integer_value(json_object_get(r,
		    "version")));
		json_object_set_new(r, "url", json_string(url));
		json_array_foreach(json_object_get(r, "files"), j, f) {
			char	 furl[256];

			const char *name = json_string_value(
			    json_object_get(f, "name"));

			(void)snprintf(furl, sizeof(furl), "%s%s", url, name);
			json_object_set_new(f, "url", json_string(furl));
			(void)snprintf(furl, sizeof(furl), "%s%s.sig", url,
			    name);
			json_object_set_new(f, "signature_url",
			    json_string(furl));
		}
	}
	out = json_pack("{s:o,s:s}", "reports", reports, "key_url",
	    "/transparency/key");
	rt_send_json(req, 200, out);
	json_decref(out);
	return (KORE_RESULT_OK);
}

int
rt_transparency(struct http_request *req)
{
	return (listing(req, 0));
}

int
rt_api_reports(struct http_request *req)
{
	return (listing(req, 1));
}
