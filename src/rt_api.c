/*
 * The JSON API under /api/v1/: filing a complaint with an Idempotency-Key
 * and the taxonomy (tracking is in rt_api_track.c).  Same rules and the
 * same code paths as the HTML pages.
 */

#include <string.h>

#include <sodium.h>

#include "app.h"

enum { PH_START, PH_ANSWERS, PH_QUERY };

void
rt_api_error(struct http_request *req, int status, const char *code,
    const char *message)
{
	json_t	*j;

	j = apijson_error(code, message);
	rt_send_json(req, status, j);
	json_decref(j);
}

/* One field's error in the standard 422 shape. */
void
rt_api_field_error(struct http_request *req, const char *field,
    const char *message)
{
	json_t	*j;

	j = apijson_error("invalid", "Some fields are missing or invalid.");
	json_object_set_new(json_object_get(j, "error"), "fields",
	    json_pack("{s:s}", field, message));
	rt_send_json(req, 422, j);
	json_decref(j);
}

/*
 * Reads a JSON object body.  Answers (413, 415, 400) and returns NULL when
 * there is none.
 */
json_t *
rt_api_read_json(struct http_request *req)
{
	return (rt_api_read_json_max(req, RT_BODY_MAX));
}

/* The same for a document that may carry files (base64). */
json_t *
rt_api_read_json_max(struct http_request *req, size_t max)
{
	struct sbuf	 body;
	const char	*ctype;
	json_t		*doc;
	json_error_t	 err;

	if (!http_request_header(req, "content-type", &ctype) ||
	    strncasecmp(ctype, "application/json", 16) != 0 ||
	    (ctype[16] != '\0' && ctype[16] != ';' && ctype[16] != ' ')) {
		rt_api_error(req, 415, "unsupported_media_type",
		    "Send the body as application/json.");
		return (NULL);
	}
	sbuf_init(&body);
	if (!rt_body_max(req, &body, max)) {
		sbuf_free(&body);
		return (NULL);
	}
	/* NUL is accepted here so that the field, not the body, is blamed. */
	doc = json_loadb(body.data ? body.data : "", body.len,
	    JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	if (body.data != NULL)
		explicit_bzero(body.data, body.len);
	sbuf_free(&body);
	if (doc == NULL || !json_is_object(doc)) {
		json_decref(doc);
		rt_api_error(req, 400, "malformed_json",
		    "The body must be one JSON object.");
		return (NULL);
	}
	return (doc);
}

static int
idempotency_key(struct http_request *req, const char **out)
{
	const char	*k;
	size_t		 i;

	if (!http_request_header(req, "idempotency-key", &k))
		return (0);
	for (i = 0; k[i] != '\0'; i++)
		if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e)
			return (0);
	/* Keys are shared by all clients: a short one could meet another's. */
	if (i < 16 || i > 200)
		return (0);
	*out = k;
	return (1);
}

struct api_ctx {
	int		 phase;
	struct filing	 f;
	struct db_query	 tq;	/* the taxonomy, for demographic answers */
	int		 ready;
};

static void
api_ctx_free(void *p)
{
	struct api_ctx	*c = p;

	if (c->ready) {
		filing_free(&c->f);
		db_done(&c->tq);
	}
}

static void
send_receipt(struct http_request *req, struct api_ctx *c)
{
	json_t	*j;

	j = json_pack("{s:s,s:s,s:s}", "reference", c->f.result.reference,
	    "receipt_code", c->f.receipt, "status", c->f.result.state ?
	    c->f.result.state : "received");
	/* Each file's fingerprint, for the complainant to keep. */
	if (c->f.ev.n > 0)
		json_object_set_new(j, "evidence", evidence_set_json(&c->f.ev,
		    1));
	rt_send_json(req, 201, j);
	json_decref(j);
}

/* Validates the document; answers and returns 0 when it is not a filing. */
static int
complaint_read(struct http_request *req, struct api_ctx *c)
{
	const char	*key, *bad;
	char		 today[11];
	json_t		*doc, *j;

	if (!idempotency_key(req, &key)) {
		rt_api_error(req, 400, "idempotency_key_required", "Send an "
		    "Idempotency-Key header of 16 to 200 printable ASCII "
		    "characters, unique to this complaint (a UUID).");
		return (0);
	}
	if ((doc = rt_api_read_json_max(req, RT_UPLOAD_BODY_MAX)) == NULL)
		return (0);
	if (!apijson_intake(doc, &c->f.in, &bad)) {
		rt_api_field_error(req, bad, strcmp(bad, "consent") == 0 ?
		    "Must be an object with only the members contact, publish "
		    "and demographics (true or false), and cannot be combined "
		    "with the consent_* fields." : "Unknown field.");
		json_decref(doc);
		return (0);
	}
	evidence_set_from_json(&c->f.ev, doc);
	c->f.in.error[IF_EVIDENCE] = c->f.ev.error;
	json_decref(doc);
	today_utc(today);
	if (!intake_validate(&c->f.in, today)) {
		j = apijson_field_errors(&c->f.in);
		rt_send_json(req, 422, j);
		json_decref(j);
		return (0);
	}
	return (1);
}

/* Seals the complaint under its Idempotency-Key (checked before). */
static void
complaint_prepare(struct http_request *req, struct api_ctx *c)
{
	const char	*key;

	if (!idempotency_key(req, &key))
		fatal("the Idempotency-Key went away");
	filing_prepare(&c->f, "api", key);
}

/* POST /api/v1/complaints */
int
rt_api_complaints(struct http_request *req)
{
	struct api_ctx	*c;
	json_t		*j;
	int		 ret, ok;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), api_ctx_free);
	if (!c->ready) {
		filing_init(&c->f);
		db_init(&c->tq);
		c->ready = 1;
	}
	if (c->phase == PH_START) {
		if (!complaint_read(req, c))
			return (KORE_RESULT_OK);
		c->phase = intake_has_answers(&c->f.in) ? PH_ANSWERS :
		    PH_QUERY;
		if (c->phase == PH_QUERY)
			complaint_prepare(req, c);
	}
	/* Demographic answers are checked against the options offered. */
	if (c->phase == PH_ANSWERS) {
		if (!rt_db_ready(req, filing_answers(&c->f, &c->tq, req, &ok),
		    &ret))
			return (ret);
		if (!ok) {
			j = apijson_field_errors(&c->f.in);
			rt_send_json(req, 422, j);
			json_decref(j);
			return (KORE_RESULT_OK);
		}
		complaint_prepare(req, c);
		c->phase = PH_QUERY;
	}

	if (!rt_db_ready(req, db_intake(&c->f.q, req, &c->f.rq), &ret))
		return (ret);
	db_intake_read(&c->f.q, &c->f.result);
	switch (c->f.result.outcome) {
	case INTAKE_CREATED:
		send_receipt(req, c);
		break;
	case INTAKE_REPLAY:
		if (filing_receipt(&c->f)) {
			send_receipt(req, c);
			break;
		}
		j = apijson_error("receipt_expired", "This complaint was "
		    "already accepted; its receipt code is kept for 24 hours "
		    "only and cannot be shown again.");
		json_object_set_new(json_object_get(j, "error"), "reference",
		    json_string(c->f.result.reference));
		rt_send_json(req, 409, j);
		json_decref(j);
		break;
	case INTAKE_CONFLICT:
		rt_api_error(req, 422, "idempotency_key_reused", "This "
		    "Idempotency-Key was used for a different complaint.");
		break;
	case INTAKE_BAD_CATEGORY:
		rt_api_field_error(req, "category", "Unknown category; see "
		    "/api/v1/taxonomy.");
		break;
	case INTAKE_BAD_CHANNEL:
		rt_api_field_error(req, "channel", "Unknown channel; see "
		    "/api/v1/taxonomy.");
		break;
	case INTAKE_BAD_TARGETING:
		rt_api_field_error(req, "targeting_reasons", "Unknown "
		    "targeting reason; see /api/v1/taxonomy.");
		break;
	}
	return (KORE_RESULT_OK);
}

static void
taxonomy_ctx_free(void *p)
{
	db_done(p);
}

static json_t *
taxa_json(const struct taxon *t, size_t n, int hints)
{
	json_t	*a, *o;
	size_t	 i;

	a = json_array();
	for (i = 0; i < n; i++) {
		o = json_pack("{s:s,s:s}", "code", t[i].code, "label",
		    t[i].label);
		if (hints)
			json_object_set_new(o, "hint", json_string(t[i].hint));
		json_array_append_new(a, o);
	}
	return (a);
}

static json_t *
ai_answers_json(void)
{
	json_t	*a;
	size_t	 i;

	a = json_array();
	for (i = 0; i < INTAKE_AI_ANSWERS; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "code",
		    intake_ai_answer[i].code, "label",
		    intake_ai_answer[i].label));
	return (a);
}

/* GET /api/v1/taxonomy */
int
rt_api_taxonomy(struct http_request *req)
{
	struct db_query	*q;
	struct taxonomy	 t;
	json_t		*j, *answers;
	int		 ret, k;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	q = rt_ctx(req, sizeof(*q), taxonomy_ctx_free);
	if (!rt_db_ready(req, db_taxonomy(q, req), &ret))
		return (ret);
	db_taxonomy_read(q, &t);
	answers = json_object();
	for (k = 0; k < IQ__MAX; k++)
		json_object_set_new(answers, intake_field_name[
		    intake_question_field[k]], taxa_json(t.answer[k],
		    t.nanswer[k], 0));
	j = json_pack("{s:o,s:o,s:o,s:o,s:o}", "categories",
	    taxa_json(t.category, t.ncategory, 1), "channels",
	    taxa_json(t.channel, t.nchannel, 0), "targeting_reasons",
	    taxa_json(t.targeting, t.ntargeting, 1), "ai_disclosed",
	    ai_answers_json(), "demographics", answers);
	rt_send_json(req, 200, j);
	json_decref(j);
	taxonomy_free(&t);
	return (KORE_RESULT_OK);
}
