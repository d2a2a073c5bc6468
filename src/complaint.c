/*
 * Turns a validated complaint into what the database stores: the request's
 * idempotency hashes, a new receipt code and its hash, the receipt kept for
 * replays, and the sealed personal fields.  Shared by the form and the API.
 */

#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app.h"

void
filing_init(struct filing *f)
{
	memset(f, 0, sizeof(*f));
	intake_init(&f->in);
	sbuf_init(&f->canonical);
	sbuf_init(&f->rq.receipt_box);
	db_init(&f->q);
}

void
filing_free(struct filing *f)
{
	intake_free(&f->in);
	sbuf_free(&f->canonical);
	sbuf_free(&f->rq.receipt_box);
	vault_sealed_free(&f->rq.sealed);
	db_done(&f->q);
	intake_result_free(&f->result);
	sodium_memzero(f->receipt, sizeof(f->receipt));
	sodium_memzero(f->token, sizeof(f->token));
}

/*
 * "Today" for the rule that a date cannot be in the future: the date at the
 * easternmost time zone (UTC+14), so that nobody's local today is refused.
 */
void
today_utc(char out[11])
{
	struct tm	 tm;
	time_t		 now;

	now = time(NULL) + 14 * 3600;
	gmtime_r(&now, &tm);
	(void)strftime(out, 11, "%Y-%m-%d", &tm);
}

static char *
contact_json(const struct intake *in)
{
	json_t	*o;
	char	*s;

	if (in->contact_name == NULL && in->contact_email == NULL)
		return (NULL);
	o = json_object();
	if (in->contact_name != NULL)
		json_object_set_new(o, "name", json_string(in->contact_name));
	if (in->contact_email != NULL)
		json_object_set_new(o, "email",
		    json_string(in->contact_email));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return (s);
}

/* Prepares everything db_intake() sends; 'scope' separates form and API. */
void
filing_prepare(struct filing *f, const char *scope, const char *token)
{
	char	 norm[VAULT_RECEIPT_CHARS + 1];
	char	*contact;

	(void)kore_strlcpy(f->token, token, sizeof(f->token));
	intake_canonical(&f->in, &f->canonical);
	vault_request_hash(&app.keys, scope, f->token, f->canonical.data,
	    f->canonical.len, f->rq.token_hash, f->rq.body_hash);

	vault_receipt_new(f->receipt);
	if (!vault_receipt_normalize(f->receipt, norm))
		fatal("receipt code does not normalise");
	vault_receipt_hash(&app.keys, norm, f->rq.receipt_hash);
	vault_receipt_box(&app.keys, f->token, f->canonical.data,
	    f->canonical.len, f->receipt, &f->rq.receipt_box);

	contact = contact_json(&f->in);
	if (!vault_seal_case(&app.keys, norm, f->in.description, contact,
	    &f->rq.sealed))
		fatal("could not seal a case");
	if (contact != NULL) {
		sodium_memzero(contact, strlen(contact));
		free(contact);
	}
	sodium_memzero(norm, sizeof(norm));
	f->rq.in = &f->in;
	f->prepared = 1;
}

/*
 * After a replay: recovers the receipt code the first request was given.
 * Returns 0 when it is no longer kept (older than 24 hours).
 */
int
filing_receipt(struct filing *f)
{
	if (f->result.receipt_box == NULL)
		return (0);
	return (vault_receipt_unbox(&app.keys, f->token, f->canonical.data,
	    f->canonical.len, f->result.receipt_box, f->result.receipt_box_len,
	    f->receipt));
}
