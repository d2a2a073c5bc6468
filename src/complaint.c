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
	size_t	 i;

	intake_free(&f->in);
	sbuf_free(&f->canonical);
	sbuf_free(&f->rq.receipt_box);
	vault_sealed_free(&f->rq.sealed);
	free(f->rq.copy_box);
	free(f->rq.evidence_meta);
	db_done(&f->q);
	intake_result_free(&f->result);
	for (i = 0; i < f->nev; i++)
		evidence_file_free(&f->ev[i]);
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
/* The files as the complainant is shown them: number, type, size, hash. */
json_t *
filing_evidence_json(const struct filing *f)
{
	json_t	*a;
	char	 hex[65];
	size_t	 i;

	a = json_array();
	for (i = 0; i < f->nev; i++) {
		vault_hex(f->ev_hash[i], 32, hex);
		json_array_append_new(a, json_pack("{s:I,s:s,s:I,s:s}", "n",
		    (json_int_t)i + 1, "kind", evidence_kind_name(f->ev[i].kind),
		    "size", (json_int_t)f->ev[i].len, "blake2b", hex));
	}
	return (a);
}

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
	if (f->nev > 0)
		json_object_set_new(o, "evidence", filing_evidence_json(f));
	s = json_text_free(o);
	f->rq.copy_box = vault_copy_seal(norm, f->rq.sealed.complainant_salt,
	    s, &f->rq.copy_box_len);
	text_wipe(s);
}

/* The first problem with the files is the one the field shows. */
static int
evidence_refuse(struct filing *f, const char *filename, size_t filename_len,
    const char *what)
{
	if (f->in.error[IF_EVIDENCE] != NULL)
		return (0);
	if (filename != NULL)
		(void)snprintf(f->ev_error, sizeof(f->ev_error), "\"%.*s\" %s",
		    (int)filename_len, filename, what);
	else
		(void)kore_strlcpy(f->ev_error, what, sizeof(f->ev_error));
	f->in.error[IF_EVIDENCE] = f->ev_error;
	return (0);
}

/*
 * One uploaded file as evidence: its name, its content (by its bytes, never
 * its name or declared type) and the limits checked, and a copy without
 * metadata kept with its BLAKE2b-256 hash.  Returns 0, with the message
 * for the field, when it is refused.
 */
int
filing_evidence(struct filing *f, const char *filename, size_t filename_len,
    const unsigned char *data, size_t len)
{
	enum evidence_error	 e;

	if (f->nev == EVIDENCE_MAX_FILES)
		return (evidence_refuse(f, NULL, 0, "Attach at most 5 files."));
	if (filename == NULL || !evidence_name_ok(filename, filename_len))
		return (evidence_refuse(f, NULL, 0, "A file's name cannot be "
		    "used: it is too long, names folders or holds control "
		    "characters. Rename the file and attach it again."));
	if (f->ev_total + len > EVIDENCE_MAX_TOTAL)
		return (evidence_refuse(f, NULL, 0, "Your files come to more "
		    "than 10 MB together. Leave some out, or attach smaller "
		    "pictures."));
	if ((e = evidence_check(data, len, &f->ev[f->nev])) != EVE_OK)
		return (evidence_refuse(f, filename, filename_len,
		    evidence_error_message(e)));
	vault_evidence_hash(f->ev[f->nev].data, f->ev[f->nev].len,
	    f->ev_hash[f->nev]);
	f->ev_total += len;
	f->nev++;
	return (1);
}

/* More files were sent than the form takes. */
void
filing_evidence_dropped(struct filing *f)
{
	(void)evidence_refuse(f, NULL, 0, "Attach at most 5 files.");
}

/* What the database keeps of each file in clear: its type and size. */
static char *
evidence_meta(const struct filing *f)
{
	json_t	*a;
	size_t	 i;

	a = json_array();
	for (i = 0; i < f->nev; i++)
		json_array_append_new(a, json_pack("{s:s,s:I}", "kind",
		    evidence_kind_name(f->ev[i].kind), "size",
		    (json_int_t)f->ev[i].len));
	return (json_text_free(a));
}

/* The files' hashes join the complaint's canonical form: other files,
 * another complaint. */
static void
evidence_canonical(const struct filing *f, struct sbuf *b)
{
	char	 hex[65];
	size_t	 i;

	sbuf_printf(b, "evidence=%zu:", f->nev);
	for (i = 0; i < f->nev; i++) {
		vault_hex(f->ev_hash[i], 32, hex);
		sbuf_printf(b, "%s:%s,", evidence_kind_name(f->ev[i].kind),
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
	if (f->nev > 0)
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
	for (i = 0; i < f->nev; i++) {
		files[i].data = f->ev[i].data;
		files[i].len = f->ev[i].len;
	}
	if (!vault_seal_case(&app.keys, norm, &(struct vault_plain){
	    f->in.description, contact, f->in.why_shown, answers, files,
	    f->nev }, &f->rq.sealed))
		fatal("could not seal a case");
	text_wipe(contact);
	text_wipe(answers);
	seal_copy(f, norm);
	if (f->nev > 0)
		f->rq.evidence_meta = evidence_meta(f);
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
