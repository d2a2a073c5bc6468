/*
 * recourse-reporter: builds the quarterly transparency reports, on the
 * back-office host (it holds the signing key), never in a Kore worker.
 *
 *   recourse-reporter                        builds each report supervisors
 *                                            ask for (RECOURSE_DB), as drafts
 *   recourse-reporter model FIGURES          the published document
 *   recourse-reporter files FIGURES DIR      every file and its .sig in DIR
 *
 * FIGURES is report_figures()'s JSON ("-": standard input).  The signing
 * key is report.sec in RECOURSE_KEYS; the JSON Schema is read from
 * RECOURSE_REPORT_SCHEMA (default docs/report.schema.json).
 */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "recourse.h"
#include "report.h"

/* The review key pair that opens the answers about oneself, if here. */
struct review_key {
	int		 loaded;
	unsigned char	 pk[32];
	unsigned char	 sk[32];
};

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: recourse-reporter\n"
	    "       recourse-reporter model FIGURES\n"
	    "       recourse-reporter files FIGURES DIR\n");
	exit(2);
}

/* A line of the builder's log: what it did, never a figure or a name. */
static void
say(const char *fmt, ...)
{
	va_list	 ap;
	time_t	 now = time(NULL);
	char	 at[32];

	(void)strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	printf("%s recourse-reporter: ", at);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static json_t *
load_figures(const char *path)
{
	json_error_t	 e;
	json_t		*f;

	f = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &e) :
	    json_load_file(path, 0, &e);
	if (f == NULL || !json_is_object(f))
		errx(1, "%s: not the figures of a report: %s (line %d)", path,
		    e.text, e.line);
	return (f);
}

/* A whole small text file, or exits. */
static char *
slurp(const char *path)
{
	FILE	*fp;
	char	*s;
	long	 n;

	if ((fp = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0)
		err(1, "%s", path);
	if ((s = malloc((size_t)n + 1)) == NULL)
		err(1, NULL);
	if (fread(s, 1, (size_t)n, fp) != (size_t)n)
		err(1, "%s", path);
	s[n] = '\0';
	fclose(fp);
	return (s);
}

static void
load_signer(struct report_signer *s)
{
	unsigned char	 raw[REPORT_SECRET_FILE_BYTES];
	const char	*dir = getenv("RECOURSE_KEYS");
	char		 why[256];

	if (dir == NULL || *dir == '\0')
		dir = "var/keys";
	if (keyfile_read(dir, "report.sec", raw, sizeof(raw), why,
	    sizeof(why)) == -1)
		errx(1, "%s", why);
	if (!report_signer_load(s, raw, sizeof(raw)))
		errx(1, "%s/report.sec is not a signing key", dir);
	sodium_memzero(raw, sizeof(raw));
}

/*
 * The review key pair, for the fairness figures; without review.sec the
 * reports are built without them, and the log says so.
 */
static void
load_review_key(struct review_key *k)
{
	const char	*dir = getenv("RECOURSE_KEYS");
	char		 why[256];

	memset(k, 0, sizeof(*k));
	if (dir == NULL || *dir == '\0')
		dir = "var/keys";
	if (keyfile_read(dir, "review.pub", k->pk, sizeof(k->pk), why,
	    sizeof(why)) == -1 || keyfile_read(dir, "review.sec", k->sk,
	    sizeof(k->sk), why, sizeof(why)) == -1) {
		say("no review key (%s): reports are built without the "
		    "fairness figures", why);
		sodium_memzero(k, sizeof(*k));
		return;
	}
	if (sodium_mlock(k->sk, sizeof(k->sk)) != 0)
		say("could not lock the review key in memory");
	k->loaded = 1;
}

static void
write_file(const char *dir, const char *name, const void *p, size_t len)
{
	char	 path[4096];
	FILE	*fp;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL ||
	    fwrite(p, 1, len, fp) != len || fclose(fp) != 0)
		err(1, "%s", path);
}

/* The reason a statement failed, for the log and the report's row. */
static const char *
failure(PGconn *db, PGresult *res)
{
	const char	*m = res != NULL ? PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY) : NULL;

	return (m != NULL ? m : PQerrorMessage(db));
}

static int
ok(PGresult *res)
{
	return (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK);
}

/*
 * Stores the files of report 'id' with one statement: their names, types,
 * hashes and signatures as JSON, their bytes as a binary bytea[].
 */
static int
store(PGconn *db, const char *id, const struct report_set *set,
    const json_t *audit, const char *narrative_cases,
    const char *narrative_drafts, char *why, size_t whylen)
{
	unsigned char	**bodies;
	size_t		 *lens, i;
	struct sbuf	  arr;
	json_t		 *meta;
	char		 *meta_text, *audit_text, hex[65];
	const char	 *v[6];
	int		  l[6], f[6] = { 0, 0, 1, 0, 0, 0 }, good;
	PGresult	 *res;

	if ((bodies = calloc(set->n, sizeof(*bodies))) == NULL ||
	    (lens = calloc(set->n, sizeof(*lens))) == NULL)
		err(1, NULL);
	meta = json_array();
	for (i = 0; i < set->n; i++) {
		bodies[i] = (unsigned char *)set->file[i].body;
		lens[i] = set->file[i].len;
		sodium_bin2hex(hex, sizeof(hex), set->file[i].sha256, 32);
		json_array_append_new(meta, json_pack("{s:s,s:s,s:s,s:s}",
		    "name", set->file[i].name, "media_type", set->file[i].type,
		    "sha256", hex, "signature", set->file[i].signature));
	}
	sbuf_init(&arr);
	pg_bytea_array(&arr, bodies, lens, set->n);
	meta_text = json_dumps(meta, JSON_COMPACT);
	audit_text = json_dumps(audit != NULL && json_is_object(audit) ?
	    audit : json_object(), JSON_COMPACT | JSON_ENCODE_ANY);
	v[0] = id;
	v[1] = meta_text;
	v[2] = arr.data;
	v[3] = audit_text;
	v[4] = narrative_cases;
	v[5] = narrative_drafts;
	for (i = 0; i < 6; i++)
		l[i] = i == 2 ? (int)arr.len : 0;
	res = PQexecParams(db, "SELECT report_store($1, $2::jsonb, "
	    "$3::bytea[], $4::jsonb, $5::bigint[], $6::integer[])", 6, NULL,
	    v, l, f, 0);
	good = ok(res) && strcmp(PQgetvalue(res, 0, 0), "ok") == 0;
	if (!good)
		(void)snprintf(why, whylen, "could not store the files: %s",
		    ok(res) ? PQgetvalue(res, 0, 0) : failure(db, res));
	PQclear(res);
	free(meta_text);
	free(audit_text);
	json_decref(meta);
	sbuf_free(&arr);
	free(bodies);
	free(lens);
	return (good);
}

/*
 * The rows whose sealed parts the builder opens itself: the consenting
 * complainants' answers (fairness) and the approved narratives.  Read
 * before the figures, and opened while the server computes them.
 */
struct sealed_rows {
	PGresult	*answers;	/* report_fairness_rows */
	PGresult	*narratives;	/* report_narratives */
};

static PGresult *
rows_of(PGconn *db, const char *sql, const char *quarter, const char *at,
    char *why, size_t whylen)
{
	const char	*v[2] = { quarter, at };
	PGresult	*res;

	/* Binary: the sealed boxes as they are, not in hex. */
	res = PQexecParams(db, sql, 2, NULL, v, NULL, NULL, 1);
	if (ok(res))
		return (res);
	(void)snprintf(why, whylen, "could not read the sealed rows: %s",
	    failure(db, res));
	PQclear(res);
	return (NULL);
}

static int
sealed_rows_read(PGconn *db, const char *quarter, const char *at,
    struct sealed_rows *r, char *why, size_t whylen)
{
	r->answers = rows_of(db, "SELECT data_key_sealed, complainant_salt, "
	    "demographics_box, outcome, on_time::text FROM "
	    "report_fairness_rows($1, $2::timestamptz)", quarter, at, why,
	    whylen);
	if (r->answers == NULL)
		return (0);
	r->narratives = rows_of(db, "SELECT case_id::text, draft::text, "
	    "data_key_sealed, complainant_salt, box, category, outcome FROM "
	    "report_narratives($1, $2::timestamptz)", quarter, at, why,
	    whylen);
	return (r->narratives != NULL);
}

static void
sealed_rows_free(struct sealed_rows *r)
{
	PQclear(r->answers);
	PQclear(r->narratives);
	memset(r, 0, sizeof(*r));
}

/*
 * Opens one row's sealed box (binary columns: sealed data key, salt, box)
 * with the review key into 'plain'; the label says which kind it is.
 */
static int
open_row(const PGresult *res, int row, int col, const struct review_key *k,
    const char *label, struct sbuf *plain)
{
	unsigned char	 dk[CASEBOX_KEYBYTES];
	const unsigned char *sealed, *salt, *box;
	int		 good;

	sealed = (const unsigned char *)PQgetvalue(res, row, col);
	salt = (const unsigned char *)PQgetvalue(res, row, col + 1);
	box = (const unsigned char *)PQgetvalue(res, row, col + 2);
	sbuf_reset(plain);
	good = !PQgetisnull(res, row, col) && !PQgetisnull(res, row, col + 2) &&
	    PQgetlength(res, row, col + 1) == VAULT_SALTBYTES &&
	    casebox_key(k->sk, k->pk, sealed, (size_t)PQgetlength(res, row,
	    col), dk) && vault_aead_open(dk, label, salt, box,
	    (size_t)PQgetlength(res, row, col + 2), plain);
	sodium_memzero(dk, sizeof(dk));
	return (good);
}

/*
 * The fairness counts: each consenting complainant's answers opened with
 * the review key and counted in memory (report_fairness.c), the clear
 * answers wiped as soon as they are counted.  NULL, saying why in 'why',
 * when one does not open.
 */
static json_t *
fairness_count(const PGresult *res, const struct review_key *k, char *why,
    size_t whylen)
{
	struct sbuf	 plain;
	json_t		*acc, *answers;
	int		 i, good = 1;

	acc = json_object();
	sbuf_init(&plain);
	for (i = 0; i < PQntuples(res) && good; i++) {
		good = open_row(res, i, 0, k, VAULT_AD_DEMOGRAPHICS, &plain);
		answers = good ? json_loadb(plain.data, plain.len, 0, NULL) :
		    NULL;
		if (plain.data != NULL)
			sodium_memzero(plain.data, plain.len);
		if (answers != NULL)
			report_fairness_count(acc, answers, PQgetvalue(res, i, 3),
			    PQgetisnull(res, i, 4) ? -1 :
			    strcmp(PQgetvalue(res, i, 4), "true") == 0);
		else
			good = 0;
		json_decref(answers);
	}
	sbuf_free(&plain);
	if (good)
		return (acc);
	(void)snprintf(why, whylen, "a case's answers about themselves did "
	    "not open with the review key");
	json_decref(acc);
	return (NULL);
}

/*
 * The consented narratives approved in the quarter, opened with the review
 * key ([{category, outcome, text}]), and the cases and drafts they come
 * from as PostgreSQL array literals in 'cases' and 'drafts' (what
 * report_store records).  NULL, saying why in 'why', when one does not
 * open.
 */
static json_t *
narratives_open(const PGresult *res, const struct review_key *k,
    struct sbuf *cases, struct sbuf *drafts, char *why, size_t whylen)
{
	struct sbuf	 plain;
	json_t		*list, *x;
	int		 i, good = 1;

	list = json_array();
	sbuf_init(&plain);
	sbuf_adds(cases, "{");
	sbuf_adds(drafts, "{");
	for (i = 0; i < PQntuples(res) && good; i++) {
		good = open_row(res, i, 2, k, CASEBOX_NARRATIVE, &plain);
		x = good ? json_pack("{s:s,s:s?,s:s%}", "category",
		    PQgetvalue(res, i, 5), "outcome", PQgetisnull(res, i, 6) ?
		    NULL : PQgetvalue(res, i, 6), "text", plain.data != NULL ?
		    plain.data : "", plain.len) : NULL;
		if (plain.data != NULL)
			sodium_memzero(plain.data, plain.len);
		if (x != NULL) {
			json_array_append_new(list, x);
			sbuf_printf(cases, "%s%s", i > 0 ? "," : "",
			    PQgetvalue(res, i, 0));
			sbuf_printf(drafts, "%s%s", i > 0 ? "," : "",
			    PQgetvalue(res, i, 1));
		} else
			good = 0;
	}
	sbuf_addc(cases, '}');
	sbuf_addc(drafts, '}');
	sbuf_free(&plain);
	if (good)
		return (list);
	(void)snprintf(why, whylen, "a narrative did not open with the review "
	    "key");
	json_decref(list);
	return (NULL);
}

/* The last result of the statement sent, once the server has answered. */
static PGresult *
answer_of(PGconn *db)
{
	PGresult	*res, *last = NULL;

	while ((res = PQgetResult(db)) != NULL) {
		PQclear(last);
		last = res;
	}
	return (last);
}

/* Seconds since t0 on the monotonic clock: how long a build took. */
static double
seconds_since(const struct timespec *t0)
{
	struct timespec	 t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return ((double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9);
}

/*
 * Builds one requested report, if there is one: its figures as at its
 * snapshot, its files signed, stored as a draft; a failure is recorded
 * on the report for the supervisors to see.  Returns 1 when it built (or
 * failed) one, 0 when none was waiting.
 */
static int
build_one(PGconn *db, PGconn *aux, const char *schema,
    const struct report_signer *signer, const struct review_key *k)
{
	struct report_set	 set = { NULL, 0 };
	PGresult		*claim, *res = NULL;
	json_t			*about, *figures = NULL, *doc;
	const char		*v[2];
	char			 id[32], quarter[16], why[512] = "";
	struct sbuf		 cases, drafts;
	struct timespec		 t0;
	struct sealed_rows	 sealed = { NULL, NULL };
	json_t			*acc = NULL, *told = NULL;

	sbuf_init(&cases);
	sbuf_init(&drafts);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	claim = PQexec(db, "SELECT id, quarter, snapshot_at, about, corrected "
	    "FROM report_claim()");
	if (!ok(claim) || PQntuples(claim) == 0) {
		if (!ok(claim))
			say("could not look for requested reports: %s",
			    failure(db, claim));
		PQclear(claim);
		sbuf_free(&cases);
		sbuf_free(&drafts);
		return (0);
	}
	(void)snprintf(id, sizeof(id), "%s", PQgetvalue(claim, 0, 0));
	(void)snprintf(quarter, sizeof(quarter), "%s", PQgetvalue(claim, 0,
	    1));
	about = json_loads(PQgetvalue(claim, 0, 3), 0, NULL);
	v[0] = quarter;
	v[1] = PQgetvalue(claim, 0, 2);
	/*
	 * The figures are asked for first; while the server computes them,
	 * the second connection reads the sealed rows and the review key
	 * opens them here: the build costs about what the figures cost.
	 * Each statement reads the figures as at the snapshot, whichever
	 * runs first; a consent withdrawn since is caught when the files are
	 * stored (report_store), as at publication.
	 */
	if (!PQsendQueryParams(db, "SELECT report_figures($1, "
	    "$2::timestamptz)", 2, NULL, v, NULL, NULL, 0)) {
		(void)snprintf(why, sizeof(why), "could not ask for the "
		    "figures: %s", PQerrorMessage(db));
		goto done;
	}
	if (k->loaded && !sealed_rows_read(aux, quarter, v[1], &sealed, why,
	    sizeof(why))) {
		PQclear(answer_of(db));
		goto done;
	}
	if (k->loaded && ((acc = fairness_count(sealed.answers, k, why,
	    sizeof(why))) == NULL || (told = narratives_open(sealed.narratives,
	    k, &cases, &drafts, why, sizeof(why))) == NULL)) {
		PQclear(answer_of(db));
		goto done;
	}
	res = answer_of(db);
	if (!ok(res))
		(void)snprintf(why, sizeof(why), "could not read the "
		    "figures: %s", failure(db, res));
	else if ((figures = json_loads(PQgetvalue(res, 0, 0), 0,
	    NULL)) == NULL)
		(void)snprintf(why, sizeof(why), "the figures are not JSON");
	else {
		if (acc != NULL)
			json_object_set_new(figures, "fairness",
			    report_fairness_figures(acc, json_object_get(
			    json_object_get(figures, "labels"),
			    "demographic")));
		if (told != NULL) {
			json_object_set_new(figures, "narratives", told);
			told = NULL;
		}
		if (!PQgetisnull(claim, 0, 4))
			json_object_set_new(figures, "corrected", json_loads(
			    PQgetvalue(claim, 0, 4), 0, NULL));
		doc = report_files(figures, about, schema, signer, &set);
		json_decref(doc);
		if (store(db, id, &set, json_object_get(figures, "audit"),
		    cases.len > 0 ? sbuf_cstr(&cases) : "{}", drafts.len > 0 ?
		    sbuf_cstr(&drafts) : "{}", why, sizeof(why)))
			say("report %s (%s): draft built, %zu files in %.3f s",
			    id, quarter, set.n, seconds_since(&t0));
	}
done:
	if (why[0] != '\0') {
		say("report %s (%s): %s", id, quarter, why);
		PQclear(res);
		res = PQexecParams(db, "SELECT report_fail($1, $2)", 2, NULL,
		    (const char *[]){ id, why }, NULL, NULL, 0);
	}
	PQclear(res);
	PQclear(claim);
	report_set_free(&set);
	sealed_rows_free(&sealed);
	json_decref(acc);
	json_decref(told);
	sbuf_free(&cases);
	sbuf_free(&drafts);
	json_decref(figures);
	json_decref(about);
	return (1);
}

static void
pause_ms(long long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	(void)nanosleep(&ts, NULL);
}

/*
 * Whether *db is connected, connecting it again if need be.  The
 * services' connection string limits a statement to seconds, for
 * requests; a quarter's figures over a million cases take longer, and
 * nobody waits on them.
 */
static int
connected(PGconn **db, const char *conninfo)
{
	if (*db != NULL && PQstatus(*db) == CONNECTION_OK)
		return (1);
	PQfinish(*db);
	*db = PQconnectdb(conninfo);
	if (PQstatus(*db) != CONNECTION_OK)
		return (0);
	PQclear(PQexec(*db, "SET statement_timeout = '15min'"));
	return (1);
}

/* Waits for requested reports and builds each, until SIGTERM. */
static int
serve(const char *schema)
{
	struct report_signer	 signer;
	struct review_key	 review;
	struct sigaction	 sa;
	PGconn			*db = NULL, *aux = NULL;
	const char		*conninfo = getenv("RECOURSE_DB");
	const char		*poll = getenv("RECOURSE_REPORTER_POLL_MS");
	long long		 poll_ms = poll != NULL ? atoll(poll) : 2000;

	if (conninfo == NULL)
		errx(2, "set RECOURSE_DB to the back office's connection");
	if (poll_ms < 50 || poll_ms > 600000)
		poll_ms = 2000;
	load_signer(&signer);
	load_review_key(&review);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	say("waiting for reports to build");
	while (!stopping) {
		if (!connected(&db, conninfo) || !connected(&aux, conninfo)) {
			say("no connection to the database; trying again");
			pause_ms(poll_ms < 1000 ? 1000 : poll_ms);
			continue;
		}
		if (!build_one(db, aux, schema, &signer, &review))
			pause_ms(poll_ms);
	}
	PQfinish(aux);
	PQfinish(db);
	report_signer_wipe(&signer);
	sodium_memzero(&review, sizeof(review));
	say("stopped");
	return (0);
}

int
main(int argc, char *argv[])
{
	struct report_signer	 signer;
	struct report_set	 set = { NULL, 0 };
	json_t			*figures, *doc;
	const char		*schema_path;
	char			*schema, sig_name[128];
	size_t			 i;

	if (sodium_init() < 0)
		errx(1, "libsodium");
	if (argc == 3 && strcmp(argv[1], "model") == 0) {
		figures = load_figures(argv[2]);
		doc = report_model(figures, NULL);
		if (json_dumpf(doc, stdout, JSON_INDENT(1) |
		    JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) != 0)
			err(1, "stdout");
		putchar('\n');
		json_decref(doc);
		json_decref(figures);
		return (0);
	}
	if ((schema_path = getenv("RECOURSE_REPORT_SCHEMA")) == NULL)
		schema_path = "docs/report.schema.json";
	if (argc == 1) {
		schema = slurp(schema_path);
		return (serve(schema));
	}
	if (argc != 4 || strcmp(argv[1], "files") != 0)
		usage();
	figures = load_figures(argv[2]);
	schema = slurp(schema_path);
	load_signer(&signer);
	if (mkdir(argv[3], 0755) == -1 && errno != EEXIST)
		err(1, "%s", argv[3]);
	doc = report_files(figures, NULL, schema, &signer, &set);
	for (i = 0; i < set.n; i++) {
		write_file(argv[3], set.file[i].name, set.file[i].body,
		    set.file[i].len);
		(void)snprintf(sig_name, sizeof(sig_name), "%s.sig",
		    set.file[i].name);
		write_file(argv[3], sig_name, set.file[i].signature,
		    strlen(set.file[i].signature));
	}
	report_set_free(&set);
	report_signer_wipe(&signer);
	json_decref(doc);
	json_decref(figures);
	free(schema);
	return (0);
}
