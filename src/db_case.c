/*
 * The statements of the complainant's side, each beside its parameter list:
 * the taxonomy, filing a complaint, tracking a case, and a readiness ping.
 */


#include <string.h>

#include "app.h"

#define TS_UTC(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char sql_taxonomy[] =
	"SELECT kind, code, label, hint, position FROM taxonomy_active()"
	" ORDER BY 1, 5";

#define INTAKE_PARAMS	25

static const char sql_intake[] =
	"SELECT outcome, reference, state, receipt_box FROM intake_complaint("
	"$1, $2, $3, $4, $5, $6::date, $7, $8::boolean, $9::boolean,"
	" $10::boolean, $11::boolean, $12, $13, $14, $15, $16, $17, $18,"
	" $19::jsonb, $20::text[], $21, $22, $23)";

/* With files: the same, then the files (sql/0023), in one transaction. */
static const char sql_intake_evidence[] =
	"SELECT outcome, reference, state, receipt_box FROM "
	"intake_complaint_evidence("
	"$1, $2, $3, $4, $5, $6::date, $7, $8::boolean, $9::boolean,"
	" $10::boolean, $11::boolean, $12, $13, $14, $15, $16, $17, $18,"
	" $19::jsonb, $20::text[], $21, $22, $23, $24::bytea[], $25::jsonb)";

static const char sql_track[] =
	"SELECT outcome, reference, state, " TS_UTC("received_at") ", "
	TS_UTC("updated_at") ", events, "
	/* What happens next (0015), only for a case found. */
	"CASE WHEN outcome = 'found' THEN track_next($2) END "
	"FROM track_case($1, $2, $3::integer)";

static const char sql_ping[] = "SELECT 1";

enum db_status
db_taxonomy(struct db_query *q, struct http_request *req)
{
	return (db_run(q, req, sql_taxonomy, 0, NULL, NULL, NULL));
}

static char *
dup_value(const struct db_query *q, int row, int col)
{
	return (db_isnull(q, row, col) ? NULL :
	    kore_strdup(db_value(q, row, col)));
}

void
db_taxonomy_read(const struct db_query *q, struct taxonomy *t)
{
	struct taxon	*x;
	const char	*kind;
	int		 i, n, k;

	memset(t, 0, sizeof(*t));
	n = db_rows(q);
	t->category = kore_calloc((size_t)n + 1, sizeof(struct taxon));
	t->channel = kore_calloc((size_t)n + 1, sizeof(struct taxon));
	t->targeting = kore_calloc((size_t)n + 1, sizeof(struct taxon));
	for (k = 0; k < IQ__MAX; k++)
		t->answer[k] = kore_calloc((size_t)n + 1,
		    sizeof(struct taxon));
	for (i = 0; i < n; i++) {
		kind = db_value(q, i, 0);
		x = NULL;
		if (strcmp(kind, "category") == 0)
			x = &t->category[t->ncategory++];
		else if (strcmp(kind, "channel") == 0)
			x = &t->channel[t->nchannel++];
		else if (strcmp(kind, "targeting") == 0)
			x = &t->targeting[t->ntargeting++];
		else if (strncmp(kind, "demographic.", 12) == 0) {
			for (k = 0; k < IQ__MAX; k++)
				if (strcmp(kind + 12, intake_field_name[
				    intake_question_field[k]]) == 0)
					x = &t->answer[k][t->nanswer[k]++];
		}
		/* A kind this build does not know is left out. */
		if (x == NULL)
			continue;
		x->code = dup_value(q, i, 1);
		x->label = dup_value(q, i, 2);
		x->hint = dup_value(q, i, 3);
	}
}

/* Each worker keeps the last taxonomy it read: the form needs it often. */
static struct taxonomy	tax_cache;
static u_int64_t	tax_cached_at;
static int		tax_cache_full;

void
taxonomy_cache_store(const struct db_query *q)
{
	taxonomy_cache_clear();
	db_taxonomy_read(q, &tax_cache);
	tax_cached_at = kore_time_ms();
	tax_cache_full = 1;
}

/* The cached taxonomy if younger than max_age_ms (0: any age), or NULL. */
const struct taxonomy *
taxonomy_cached(u_int64_t max_age_ms)
{
	if (!tax_cache_full)
		return (NULL);
	if (max_age_ms != 0 && kore_time_ms() - tax_cached_at > max_age_ms)
		return (NULL);
	return (&tax_cache);
}

void
taxonomy_cache_clear(void)
{
	if (tax_cache_full)
		taxonomy_free(&tax_cache);
	tax_cache_full = 0;
}

/*
 * A worker that finds its copy out of date (intake refused a category or
 * channel the form offered) drops it and tells the other workers to drop
 * theirs, which are no younger: connections, and so forms, are spread
 * over all of them.
 */
void
taxonomy_cache_stale(void)
{
	taxonomy_cache_clear();
	kore_msg_send(KORE_MSG_WORKER_ALL, MSG_TAXONOMY, NULL, 0);
}

static void
taxonomy_stale_msg(struct kore_msg *msg, const void *data)
{
	taxonomy_cache_clear();
}

void
taxonomy_cache_init(void)
{
	if (!kore_msg_register(MSG_TAXONOMY, taxonomy_stale_msg))
		fatal("could not register the taxonomy message");
}

static void
taxa_free(struct taxon *x, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		kore_free(x[i].code);
		kore_free(x[i].label);
		kore_free(x[i].hint);
	}
	kore_free(x);
}

void
taxonomy_free(struct taxonomy *t)
{
	int	 k;

	taxa_free(t->category, t->ncategory);
	taxa_free(t->channel, t->nchannel);
	taxa_free(t->targeting, t->ntargeting);
	for (k = 0; k < IQ__MAX; k++)
		taxa_free(t->answer[k], t->nanswer[k]);
	memset(t, 0, sizeof(*t));
}

enum db_status
db_intake(struct db_query *q, struct http_request *req,
    const struct intake_request *r)
{
	const struct intake	*in = r->in;
	const char		*v[INTAKE_PARAMS];
	int			 len[INTAKE_PARAMS], fmt[INTAKE_PARAMS];
	int			 i;
	enum db_status		 st;
	struct sbuf		 reasons, files;

	for (i = 0; i < INTAKE_PARAMS; i++) {
		v[i] = NULL;
		len[i] = 0;
		fmt[i] = 0;
	}
#define BIN(i, p, n)	do { v[i] = (const char *)(p); len[i] = (int)(n); \
			    fmt[i] = 1; } while (0)
/*
 * The argument is read once: intake_clocks_now() frees its last answer when
 * the second turns, so a second call could leave v[i] pointing at freed
 * memory (AddressSanitizer caught it in the crash test).
 */
#define TXT(i, s)	do { const char *s_ = (s); v[i] = s_; \
			    len[i] = s_ ? (int)strlen(s_) : 0; } while (0)
	BIN(0, r->token_hash, VAULT_HASHBYTES);
	BIN(1, r->body_hash, VAULT_HASHBYTES);
	BIN(2, r->receipt_box.data, r->receipt_box.len);
	TXT(3, in->category);
	TXT(4, in->channel);
	TXT(5, in->occurred_on);
	TXT(6, in->brand);
	TXT(7, in->vulnerable ? "t" : "f");
	TXT(8, in->consent_contact ? "t" : "f");
	TXT(9, in->consent_publish ? "t" : "f");
	TXT(10, in->consent_demographics ? "t" : "f");
	BIN(11, r->receipt_hash, VAULT_HASHBYTES);
	BIN(12, r->sealed.complainant_pk, sizeof(r->sealed.complainant_pk));
	BIN(13, r->sealed.complainant_salt,
	    sizeof(r->sealed.complainant_salt));
	BIN(14, r->sealed.data_key_sealed, r->sealed.data_key_sealed_len);
	BIN(15, r->sealed.description, r->sealed.description_len);
	if (r->sealed.contact != NULL)
		BIN(16, r->sealed.contact, r->sealed.contact_len);
	BIN(17, r->copy_box, r->copy_box_len);
	/* The clocks, so that no scheduler pass is needed (sql/0016). */
	TXT(18, intake_clocks_now());
	/* Codes are letters, digits and _ (checked at intake): no quoting. */
	sbuf_init(&reasons);
	sbuf_addc(&reasons, '{');
	for (i = 0; i < (int)in->ntargeting; i++) {
		if (i > 0)
			sbuf_addc(&reasons, ',');
		sbuf_adds(&reasons, in->targeting[i]);
	}
	sbuf_adds(&reasons, "}");
	TXT(19, sbuf_cstr(&reasons));
	TXT(20, in->ai_disclosed);
	if (r->sealed.why_shown != NULL)
		BIN(21, r->sealed.why_shown, r->sealed.why_shown_len);
	if (r->sealed.demographics != NULL)
		BIN(22, r->sealed.demographics, r->sealed.demographics_len);
#undef BIN
#undef TXT
	/* A replay of the same token is recognised: safe to run again. */
	q->repeatable = 1;
	/* Without files, the function of before, unchanged. */
	if (r->sealed.nfiles == 0) {
		st = db_run(q, req, sql_intake, INTAKE_PARAMS - 2, v, len, fmt);
		sbuf_free(&reasons);
		return (st);
	}
	sbuf_init(&files);
	pg_bytea_array(&files, r->sealed.files, r->sealed.files_len,
	    r->sealed.nfiles);
	v[23] = files.data;
	len[23] = (int)files.len;
	fmt[23] = 1;
	v[24] = r->evidence_meta;
	len[24] = (int)strlen(r->evidence_meta);
	st = db_run(q, req, sql_intake_evidence, INTAKE_PARAMS, v, len, fmt);
	sbuf_free(&files);
	sbuf_free(&reasons);
	return (st);
}

void
db_intake_read(const struct db_query *q, struct intake_result *r)
{
	static const struct { const char *name; int outcome; } outcomes[] = {
		{ "created", INTAKE_CREATED },
		{ "replay", INTAKE_REPLAY },
		{ "conflict", INTAKE_CONFLICT },
		{ "bad_category", INTAKE_BAD_CATEGORY },
		{ "bad_channel", INTAKE_BAD_CHANNEL },
		{ "bad_targeting", INTAKE_BAD_TARGETING },
	};
	const char	*o;
	size_t		 i;

	memset(r, 0, sizeof(*r));
	r->outcome = INTAKE_CONFLICT;
	if (db_rows(q) != 1)
		return;
	o = db_value(q, 0, 0);
	for (i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (strcmp(o, outcomes[i].name) == 0)
			r->outcome = outcomes[i].outcome;
	r->reference = dup_value(q, 0, 1);
	r->state = dup_value(q, 0, 2);
	r->receipt_box = db_bytea(q, 0, 3, &r->receipt_box_len);
}

void
intake_result_free(struct intake_result *r)
{
	kore_free(r->reference);
	kore_free(r->state);
	kore_free(r->receipt_box);
	memset(r, 0, sizeof(*r));
}

enum db_status
db_track(struct db_query *q, struct http_request *req,
    const unsigned char *client_hash, const unsigned char *receipt_hash)
{
	char		 limit[16];
	const char	*v[3];
	int		 len[3], fmt[3] = { 1, 1, 0 };

	(void)snprintf(limit, sizeof(limit), "%d", app.track_limit);
	v[0] = (const char *)client_hash;
	len[0] = VAULT_HASHBYTES;
	v[1] = (const char *)receipt_hash;
	len[1] = VAULT_HASHBYTES;
	v[2] = limit;
	len[2] = (int)strlen(limit);
	/* At worst a failed lookup counts twice. */
	q->repeatable = 1;
	return (db_run(q, req, sql_track, 3, v, len, fmt));
}

void
db_track_read(const struct db_query *q, struct track_result *r)
{
	const char	*o;

	memset(r, 0, sizeof(*r));
	r->outcome = TRACK_UNKNOWN;
	if (db_rows(q) != 1)
		return;
	o = db_value(q, 0, 0);
	if (strcmp(o, "limited") == 0)
		r->outcome = TRACK_LIMITED;
	if (strcmp(o, "found") != 0)
		return;
	r->outcome = TRACK_FOUND;
	r->reference = dup_value(q, 0, 1);
	r->state = dup_value(q, 0, 2);
	r->received_at = dup_value(q, 0, 3);
	r->updated_at = dup_value(q, 0, 4);
	r->events = json_loads(db_value(q, 0, 5), 0, NULL);
	r->next = track_next_words(db_isnull(q, 0, 6) ? NULL :
	    db_value(q, 0, 6));
	if (r->events == NULL || !json_is_array(r->events)) {
		json_decref(r->events);
		r->events = json_array();
	}
}

void
track_result_free(struct track_result *r)
{
	kore_free(r->reference);
	kore_free(r->state);
	kore_free(r->received_at);
	kore_free(r->updated_at);
	kore_free(r->next);
	json_decref(r->events);
	memset(r, 0, sizeof(*r));
}

enum db_status
db_ping(struct db_query *q, struct http_request *req)
{
	return (db_run(q, req, sql_ping, 0, NULL, NULL, NULL));
}
