/*
 * GET /metrics on both instances: the shared request counters and the
 * database's gauges (metrics_public() or metrics_review(), cached by each
 * worker for RECOURSE_METRICS_CACHE_MS), in the Prometheus text format.
 */

#include <string.h>

#include "app.h"

#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define FAMILIES_MAX	64	/* distinct gauges the database may send */

/*
 * This worker's copy of the database's gauges, already in text form (a
 * zeroed sbuf is an empty one).
 */
static struct {
	struct sbuf	 text;
	u_int64_t	 at;		/* kore_time_ms() when read */
	int		 valid;		/* read (or tried) at least once */
	int		 up;		/* the last read worked */
} gauges;

struct metrics_ctx {
	struct db_query	 q;
	int		 querying;
};

static void
metrics_ctx_free(void *p)
{
	struct metrics_ctx	*c = p;

	db_done(&c->q);
}

static int
name_valid(const char *s, int label)
{
	size_t	 i;

	if (*s == '\0' || (*s >= '0' && *s <= '9'))
		return (0);
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    (!label && s[i] == ':')))
			return (0);
	return (!label || strncmp(s, "__", 2) != 0);
}

/* HELP text and label values: backslash, newline (and, quoted, '"'). */
static void
escaped(struct sbuf *b, const char *s, int quoted)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			sbuf_adds(b, "\\\\");
		else if (*s == '\n')
			sbuf_adds(b, "\\n");
		else if (quoted && *s == '"')
			sbuf_adds(b, "\\\"");
		else
			sbuf_addc(b, *s);
	}
}

/* {"state": "received"} as {state="received"}; 0 when not all codes. */
static int
labels_text(struct sbuf *b, const char *jsontext)
{
	json_t		*j, *v;
	const char	*key;
	int		 ok = 1, first = 1;

	if ((j = json_loads(jsontext, 0, NULL)) == NULL || !json_is_object(j)) {
		json_decref(j);
		return (0);
	}
	if (json_object_size(j) > 0) {
		sbuf_addc(b, '{');
		json_object_foreach(j, key, v) {
			if (!name_valid(key, 1) || !json_is_string(v)) {
				ok = 0;
				break;
			}
			sbuf_printf(b, "%s%s=\"", first ? "" : ",", key);
			escaped(b, json_string_value(v), 1);
			sbuf_addc(b, '"');
			first = 0;
		}
		sbuf_addc(b, '}');
	}
	json_decref(j);
	return (ok);
}

/* PostgreSQL's float8 text as the format's: Infinity is +Inf. */
static const char *
value_text(const char *v)
{
	if (strcmp(v, "Infinity") == 0)
		return ("+Inf");
	if (strcmp(v, "-Infinity") == 0)
		return ("-Inf");
	return (v);
}

/*
 * metrics_gauges()'s rows into the cache's text: HELP and TYPE once per
 * metric; a row with a name not ours, labels that are not all strings, or
 * a metric that came back after another began, is left out (and logged:
 * it is a mistake in the SQL function).
 */
static void
gauges_store(const struct db_query *q)
{
	const char	*seen[FAMILIES_MAX], *name, *last = NULL;
	struct sbuf	 line;
	int		 row, nseen = 0, i, dup;

	sbuf_reset(&gauges.text);
	sbuf_init(&line);
	for (row = 0; row < db_rows(q); row++) {
		name = db_value(q, row, 0);
		if (last == NULL || strcmp(name, last) != 0) {
			for (i = dup = 0; i < nseen; i++)
				dup |= strcmp(seen[i], name) == 0;
			if (dup || nseen == FAMILIES_MAX ||
			    strncmp(name, "recourse_", 9) != 0 ||
			    !name_valid(name, 0)) {
				kore_log(LOG_NOTICE, "metrics_gauges: a row of "
				    "%s left out", name);
				continue;
			}
			seen[nseen++] = last = name;
			sbuf_printf(&gauges.text, "# HELP %s ", name);
			escaped(&gauges.text, db_value(q, row, 1), 0);
			sbuf_printf(&gauges.text, "\n# TYPE %s gauge\n", name);
		}
		sbuf_reset(&line);
		sbuf_adds(&line, name);
		if (!labels_text(&line, db_value(q, row, 2)) ||
		    db_isnull(q, row, 3)) {
			kore_log(LOG_NOTICE, "metrics_gauges: a row of %s "
			    "left out", name);
			continue;
		}
		sbuf_printf(&line, " %s\n", value_text(db_value(q, row, 3)));
		sbuf_add(&gauges.text, line.data, line.len);
	}
	sbuf_free(&line);
}

static void
metrics_answer(struct http_request *req)
{
	struct sbuf	 b;
	u_int64_t	 age;

	sbuf_init(&b);
	metrics_write_http(&b);
	if (gauges.up)
		sbuf_add(&b, gauges.text.data, gauges.text.len);
	age = kore_time_ms() - gauges.at;
	sbuf_printf(&b, "# HELP recourse_metrics_database_up Whether the "
	    "last read of the database's gauges worked.\n"
	    "# TYPE recourse_metrics_database_up gauge\n"
	    "recourse_metrics_database_up %d\n"
	    "# HELP recourse_metrics_database_age_seconds How old this "
	    "worker's copy of the database's gauges is.\n"
	    "# TYPE recourse_metrics_database_age_seconds gauge\n"
	    "recourse_metrics_database_age_seconds %llu.%03llu\n", gauges.up,
	    (unsigned long long)(age / 1000), (unsigned long long)(age % 1000));
	rt_security_headers(req);
	http_response_header(req, "content-type", METRICS_TYPE);
	http_response_header(req, "cache-control", "no-store");
	http_response(req, 200, b.data, b.len);
	sbuf_free(&b);
}

/* GET /metrics */
int
rt_metrics(struct http_request *req)
{
	struct metrics_ctx	*c;
	enum db_status		 st;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), metrics_ctx_free);
	if (!c->querying) {
		if (gauges.valid && kore_time_ms() - gauges.at <
		    (u_int64_t)app.metrics_cache_ms) {
			metrics_answer(req);
			return (KORE_RESULT_OK);
		}
		c->querying = 1;
	}
	st = db_run(&c->q, req, app.review ?
	    "SELECT metric, help, labels::text, value FROM metrics_review()" :
	    "SELECT metric, help, labels::text, value FROM metrics_public()",
	    0, NULL, NULL, NULL);
	if (st == DB_PENDING)
		return (KORE_RESULT_RETRY);
	/*
	 * The request counters are worth having while the database is down:
	 * answer 200 without its gauges, and say so.
	 */
	gauges.up = st == DB_OK;
	if (gauges.up)
		gauges_store(&c->q);
	gauges.at = kore_time_ms();
	gauges.valid = 1;
	db_done(&c->q);
	metrics_answer(req);
	return (KORE_RESULT_OK);
}
