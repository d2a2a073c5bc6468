/*
 * The complainant's side of the JSON API: POST /api/v1/track answers what
 * the tracking page shows, and /api/v1/track/reply (with files), /appeal,
 * /withdraw and /erase do what its forms do (track_act.c), answering the
 * case as it is after.
 * The receipt code travels in the body and goes through the same throttled
 * lookup as the page.
 */

#include <string.h>

#include <sodium.h>

#include "app.h"

enum { PH_START, PH_TRACK, PH_DETAIL, PH_ACT, PH_ANSWER };

struct api_track_ctx {
	int			 phase;
	int			 acted;
	struct track_act	 a;
	struct db_query		 q;
	struct track_result	 r;
	struct track_detail	 d;
	char			 norm[VAULT_RECEIPT_CHARS + 1];
	unsigned char		 client[VAULT_HASHBYTES];
	unsigned char		 receipt[VAULT_HASHBYTES];
};

static void
api_track_free(void *p)
{
	struct api_track_ctx	*c = p;

	db_done(&c->q);
	track_result_free(&c->r);
	track_detail_free(&c->d);
	track_act_free(&c->a);
	sodium_memzero(c->norm, sizeof(c->norm));
}

/* A new object with the named members of 'src', null for those missing. */
static json_t *
pick(const json_t *src, const char *const *keys)
{
	json_t		*o, *x;
	size_t		 k;

	o = json_object();
	for (k = 0; keys[k] != NULL; k++) {
		x = json_object_get(src, keys[k]);
		json_object_set_new(o, keys[k], x != NULL ? json_deep_copy(x) :
		    json_null());
	}
	return (o);
}

/* A member, or null (borrowed either way). */
static json_t *
or_null(const json_t *o, const char *key)
{
	json_t	*x = json_object_get(o, key);

	return (x != NULL ? x : json_null());
}

/* Each item of a list with the named members, in order. */
static json_t *
items(const json_t *list, const char *const *keys)
{
	json_t		*out, *x;
	size_t		 i;

	out = json_array();
	json_array_foreach(list, i, x)
		json_array_append_new(out, pick(x, keys));
	return (out);
}

/*
 * What the complainant's page shows beyond the timeline: messages, published
 * decisions and appeals (opened with their code's key), what they sent and
 * the consents they can still take back, what they may do now.
 */
static void
add_detail(json_t *j, const struct track_detail *d)
{
	static const char *const message_keys[] = { "kind", "at", "text",
	    "files", NULL };
	static const char *const decision_keys[] = { "outcome", "remedies",
	    "automated", "on_appeal", "at", "text", NULL };
	static const char *const appeal_keys[] = { "at", "text", NULL };
	static const char *const sent_keys[] = { "category", "channel",
	    "occurred_on", "brand", "vulnerable", "targeting_reasons",
	    "ai_disclosed", "demographics_given", NULL };
	static const char *const copy_keys[] = { "description", "why_shown",
	    "contact", "evidence", NULL };
	const json_t	*sent = d->sent;
	json_t		*you;

	json_object_set_new(j, "messages", items(d->messages, message_keys));
	json_object_set_new(j, "decisions", items(d->decisions,
	    decision_keys));
	json_object_set_new(j, "appeals", items(d->appeals, appeal_keys));
	json_object_set_new(j, "can_reply", json_boolean(d->can_reply));
	json_object_set_new(j, "can_appeal", json_boolean(d->can_appeal));
	/* Only while an appeal can be made: track_detail reads it from the
	 * last decision, which may be one not yet published. */
	json_object_set_new(j, "appeal_until", d->can_appeal &&
	    d->appeal_until[0] != '\0' ? json_stringn(d->appeal_until, 10) :
	    json_null());
	json_object_set_new(j, "consents", json_pack("{s:b,s:b,s:b}",
	    "contact", json_is_true(json_object_get(sent, "consent_contact")),
	    "publish", json_is_true(json_object_get(sent, "consent_publish")),
	    "demographics", json_is_true(json_object_get(sent,
	    "consent_demographics"))));
	json_object_set_new(j, "erasure", json_pack("{s:O,s:O,s:O,s:O}",
	    "requested_at", or_null(sent, "erasure_requested_at"),
	    "due_at", or_null(sent, "erasure_due"),
	    "legal_hold", or_null(sent, "legal_hold"),
	    "retention_months", or_null(sent, "retention_months")));
	you = pick(sent, sent_keys);
	/* From the copy only the code opens; absent for the oldest cases. */
	json_object_update_new(you, pick(d->copy, copy_keys));
	json_object_set_new(j, "sent", you);
}

static void
send_track(struct http_request *req, const struct track_result *r,
    const struct track_detail *d)
{
	json_t	*j, *events, *e, *out;
	size_t	 i;

	events = json_array();
	json_array_foreach(r->events, i, e) {
		const char *kind = json_string_value(json_object_get(e,
		    "kind"));

		out = json_pack("{s:O,s:s,s:s}", "at", json_object_get(e,
		    "at"), "kind", kind ? kind : "", "label",
		    view_event_label(kind ? kind : ""));
		json_array_append_new(events, out);
	}
	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "reference",
	    r->reference, "status", r->state, "status_label",
	    view_state_label(r->state), "received_at", r->received_at,
	    "updated_at", r->updated_at, "events", events,
	    "next", r->next != NULL ? json_string(r->next) : json_null());
	add_detail(j, d);
	rt_send_json(req, 200, j);
	json_decref(j);
}

/* The member an act reads besides the code. */
static const char *
act_member(enum track_verb verb)
{
	return (verb == TRACK_WITHDRAW ? "consent" : verb == TRACK_ERASE ?
	    "confirm" : verb == TRACK_LOOK ? NULL : "text");
}

/*
 * Reads {"receipt_code": ..., and the act's member}.  Answers 4xx naming
 * every faulty member and returns 0 when the body is not that.
 */
static int
track_request(struct http_request *req, struct api_track_ctx *c)
{
	const char	*code, *member, *key, *bad;
	json_t		*doc, *fields, *x;
	char		 norm[VAULT_RECEIPT_CHARS + 1];
	int		 ok;

	if ((doc = rt_api_read_json_max(req, c->a.verb == TRACK_REPLY ?
	    RT_UPLOAD_BODY_MAX : RT_BODY_MAX)) == NULL)
		return (0);
	fields = json_object();
	member = act_member(c->a.verb);
	code = json_string_value(json_object_get(doc, "receipt_code"));
	if (code == NULL || strlen(code) > INTAKE_CODE_MAX ||
	    !vault_receipt_normalize(code, norm))
		json_object_set_new(fields, "receipt_code", json_string("A "
		    "receipt code has 24 letters and digits, in groups of "
		    "four."));
	if (member != NULL) {
		x = json_object_get(doc, member);
		bad = c->a.verb == TRACK_ERASE ? track_act_confirm(&c->a,
		    json_is_true(x)) : c->a.verb == TRACK_WITHDRAW ?
		    track_act_consent(&c->a, json_string_value(x)) :
		    !json_is_string(x) ?
		    track_act_text(&c->a, NULL, 0) : track_act_text(&c->a,
		    json_string_value(x), json_string_length(x));
		if (bad != NULL)
			json_object_set_new(fields, member, json_string(bad));
	}
	/* A reply's files, as a complaint's: checked and stripped now. */
	if (c->a.verb == TRACK_REPLY) {
		evidence_set_from_json(&c->a.ev, doc);
		if (c->a.ev.error != NULL)
			json_object_set_new(fields, "evidence",
			    json_string(c->a.ev.error));
	}
	json_object_foreach(doc, key, x)
		if (strcmp(key, "receipt_code") != 0 && (member == NULL ||
		    strcmp(key, member) != 0) && (c->a.verb != TRACK_REPLY ||
		    strcmp(key, "evidence") != 0))
			json_object_set_new(fields, key,
			    json_string("Unknown field."));
	json_decref(doc);
	if ((ok = json_object_size(fields) == 0)) {
		ok = rt_track_keys(req, norm, c->client, c->receipt);
		(void)kore_strlcpy(c->norm, norm, sizeof(c->norm));
	} else {
		doc = apijson_error("invalid", "Some fields are missing or "
		    "invalid.");
		json_object_set(json_object_get(doc, "error"), "fields",
		    fields);
		rt_send_json(req, 422, doc);
		json_decref(doc);
	}
	json_decref(fields);
	sodium_memzero(norm, sizeof(norm));
	return (ok);
}

/* The code of a refused act, as the API documents it. */
static const char *
refusal_code(enum track_act_outcome o)
{
	switch (o) {
	case TRACK_ACT_TOO_LATE:
		return ("too_late");
	case TRACK_ACT_NOT_GIVEN:
		return ("already_withdrawn");
	case TRACK_ACT_ALREADY:
		return ("already_requested");
	case TRACK_ACT_BUSY:
		return ("conflict");
	case TRACK_ACT_FULL:
		return ("too_many_files");
	default:
		return ("not_possible");
	}
}

/*
 * Every route here: the throttled lookup, the case opened with the code,
 * the act if there is one, then the case as it is now.
 */
static int
api_track(struct http_request *req, enum track_verb verb)
{
	struct api_track_ctx	*c;
	enum track_act_outcome	 o;
	int			 ret;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), api_track_free);
	for (;;) switch (c->phase) {
	case PH_START:
		track_act_init(&c->a, verb);
		if (!track_request(req, c))
			return (KORE_RESULT_OK);
		c->phase = PH_TRACK;
		break;
	case PH_TRACK:
		if (!rt_db_ready(req, db_track(&c->q, req, c->client,
		    c->receipt), &ret))
			return (ret);
		track_result_free(&c->r);
		db_track_read(&c->q, &c->r);
		db_done(&c->q);
		if (c->r.outcome == TRACK_UNKNOWN) {
			rt_api_error(req, 404, "not_found", "No case matches "
			    "this receipt code.");
			return (KORE_RESULT_OK);
		}
		if (c->r.outcome == TRACK_LIMITED) {
			http_response_header(req, "retry-after", "3600");
			rt_api_error(req, 429, "too_many_requests", "Too many "
			    "receipt codes were tried from this client; wait "
			    "an hour.");
			return (KORE_RESULT_OK);
		}
		c->phase = PH_DETAIL;
		break;
	case PH_DETAIL:
		if (!rt_db_ready(req, track_detail_query(&c->q, req,
		    c->receipt), &ret))
			return (ret);
		ret = track_detail_read(&c->q, c->norm, &c->d);
		db_done(&c->q);
		if (!ret) {
			rt_api_error(req, 500, "internal", c->acted ? "The case "
			    "could not be opened after the change." : "The case "
			    "could not be opened; nothing was changed.");
			return (KORE_RESULT_OK);
		}
		c->phase = c->acted || verb == TRACK_LOOK ? PH_ANSWER : PH_ACT;
		break;
	case PH_ACT:
		if (!rt_db_ready(req, track_act_query(&c->a, &c->q, req,
		    c->receipt, &c->d), &ret))
			return (ret);
		o = track_act_outcome(&c->q);
		db_done(&c->q);
		if (track_act_retry(&c->a, o)) {
			/* Read the next free file number again. */
			c->phase = PH_DETAIL;
			break;
		}
		c->acted = 1;
		if (o == TRACK_ACT_GONE) {
			rt_api_error(req, 404, "not_found", "No case matches "
			    "this receipt code.");
			return (KORE_RESULT_OK);
		}
		if (o != TRACK_ACT_OK) {
			rt_api_error(req, 409, refusal_code(o),
			    track_act_refusal(o));
			return (KORE_RESULT_OK);
		}
		/* Answer the case as it is now. */
		c->phase = PH_TRACK;
		break;
	case PH_ANSWER:
		send_track(req, &c->r, &c->d);
		return (KORE_RESULT_OK);
	}
}

/* POST /api/v1/track */
int
rt_api_track(struct http_request *req)
{
	return (api_track(req, TRACK_LOOK));
}

/* POST /api/v1/track/reply */
int
rt_api_track_reply(struct http_request *req)
{
	return (api_track(req, TRACK_REPLY));
}

/* POST /api/v1/track/appeal */
int
rt_api_track_appeal(struct http_request *req)
{
	return (api_track(req, TRACK_APPEAL));
}

/* POST /api/v1/track/withdraw: one consent taken back. */
int
rt_api_track_withdraw(struct http_request *req)
{
	return (api_track(req, TRACK_WITHDRAW));
}

/* POST /api/v1/track/erase: the complainant asks for erasure. */
int
rt_api_track_erase(struct http_request *req)
{
	return (api_track(req, TRACK_ERASE));
}
