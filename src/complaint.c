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
	free(f->rq.copy_box);
	free(f->rq.evidence_meta);
	db_done(&f->q);
	intake_result_free(&f->result);
	evidence_set_free(&f->ev);
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

static json_t *
contact_object(const struct intake *in)
{
	json_t	*o;

	if (in->contact_name == NULL && in->contact_email == NULL)
		return (NULL);
	o = json_object();
	if (in->contact_name != NULL)
		json_object_set_new(o, "name", json_string(in->contact_name));
	if (in->contact_email != NULL)
		json_object_set_new(o, "email",
		    json_string(in->contact_email));
	return (o);
}

/* The demographic answers as sealed: {"age_band": code, ...}; NULL: none. */
static json_t *
answers_object(const struct intake *in)
{
	json_t	*o;
	int	 q;

	if (!intake_has_answers(in))
		return (NULL);
	o = json_object();
	for (q = 0; q < IQ__MAX; q++)
		if (in->answer[q] != NULL)
			json_object_set_new(o, intake_field_name[
			    intake_question_field[q]],
			    json_string(in->answer[q]));
	if (in->gender_description != NULL)
		json_object_set_new(o, "gender_description",
		    json_string(in->gender_description));
	return (o);
}

/*
 * Whether each demographic answer is one the taxonomy offers for its
 * question; sets the field's error and returns 0 when one is not.
 */
static int
check_answers(struct intake *in, const struct taxonomy *t)
{
	size_t	 i;
	int	 q, ok = 1;

	for (q = 0; q < IQ__MAX; q++) {
		if (in->answer[q] == NULL)
			continue;
		for (i = 0; i < t->nanswer[q]; i++)
			if (strcmp(t->answer[q][i].code, in->answer[q]) == 0)
				break;
		if (i == t->nanswer[q]) {
			in->error[intake_question_field[q]] = "Choose one of "
			    "the listed answers.";
			ok = 0;
		}
	}
	return (ok);
}

/*
 * Checks the demographic answers against the options the database offers:
 * the worker's taxonomy when fresh, else read with 'q' (and kept).  DB_OK
 * with *ok set (0: an error is on the field), DB_PENDING while the query
 * runs, otherwise the database's failure.
 */
enum db_status
filing_answers(struct filing *f, struct db_query *q, struct http_request *req,
    int *ok)
{
	const struct taxonomy	*tax;
	enum db_status		 st;

	*ok = 0;
	if ((tax = taxonomy_cached(TAXONOMY_FRESH_MS)) == NULL) {
		st = db_taxonomy(q, req);
		if (st != DB_OK)
			return (st);
		taxonomy_cache_store(q);
		tax = taxonomy_cached(0);
	}
	*ok = check_answers(&f->in, tax);
	return (DB_OK);
}

static char *
json_text_free(json_t *o)
{
	char	*s;

	if (o == NULL)
		return (NULL);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return (s);
}

static void
text_wipe(char *s)
{
	if (s != NULL) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

/*
 * The complainant's own copy of what they wrote, which /track shows them
 * again: sealed under a key only their receipt code derives.
 */
static void
seal_copy(struct filing *f, const char *norm)
{
	json_t	*o, *contact;
	char	*s;

	o = json_object();
	json_object_set_new(o, "description", json_string(f->in.description));
	if ((contact = contact_object(&f->in)) != NULL)
		json_object_set_new(o, "contact", contact);
	if (f->in.why_shown != NULL)
		json_object_set_new(o, "why_shown",
		    json_string(f->in.why_shown));
	if (f->ev.n > 0)
		json_object_set_new(o, "evidence", evidence_set_json(&f->ev, 1));
	s = json_text_free(o);
	f->rq.copy_box = vault_copy_seal(norm, f->rq.sealed.complainant_salt,
	    s, &f->rq.copy_box_len);
	text_wipe(s);
}

/* The files' hashes join the complaint's canonical form: other files,
 * another complaint. */
static void
evidence_canonical(const struct filing *f, struct sbuf *b)
{
	char	 hex[65];
	size_t	 i;

	sbuf_printf(b, "evidence=%zu:", f->ev.n);
	for (i = 0; i < f->ev.n; i++) {
		vault_hex(f->ev.hash[i], 32, hex);
		sbuf_printf(b, "%s:%s,", evidence_kind_name(f->ev.file[i].kind),
		    hex);
	}
	sbuf_addc(b, '\n');
}

/*
 * Prepares everything db_intake() sends; 'scope' separates form and API,
 * 'token' (which may be f->token itself) is the form token or API key.
 */
void
filing_prepare(struct filing *f, const char *scope, const char *token)
{
	char			 norm[VAULT_RECEIPT_CHARS + 1];
	char			*contact, *answers;
	struct vault_file	 files[EVIDENCE_MAX_FILES];
	size_t			 i;

	/* The form's token is already in place. */
	if (token != f->token)
		(void)kore_strlcpy(f->token, token, sizeof(f->token));
	intake_canonical(&f->in, &f->canonical);
	if (f->ev.n > 0)
		evidence_canonical(f, &f->canonical);
	vault_request_hash(&app.keys, scope, f->token, f->canonical.data,
	    f->canonical.len, f->rq.token_hash, f->rq.body_hash);

	vault_receipt_new(f->receipt);
	if (!vault_receipt_normalize(f->receipt, norm))
		fatal("receipt code does not normalise");
	vault_receipt_hash(&app.keys, norm, f->rq.receipt_hash);
	vault_receipt_box(&app.keys, f->token, f->canonical.data,
	    f->canonical.len, f->receipt, &f->rq.receipt_box);

	contact = json_text_free(contact_object(&f->in));
	answers = json_text_free(answers_object(&f->in));
	for (i = 0; i < f->ev.n; i++) {
		files[i].data = f->ev.file[i].data;
		files[i].len = f->ev.file[i].len;
	}
	if (!vault_seal_case(&app.keys, norm, &(struct vault_plain){
	    f->in.description, contact, f->in.why_shown, answers, files,
	    f->ev.n }, &f->rq.sealed))
		fatal("could not seal a case");
	text_wipe(contact);
	text_wipe(answers);
	seal_copy(f, norm);
	if (f->ev.n > 0)
		f->rq.evidence_meta = evidence_set_meta(&f->ev);
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
