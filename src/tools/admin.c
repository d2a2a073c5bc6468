/*
 * recourse-admin: creates staff accounts, issues fresh set-up links and
 * verifies the audit chain, from a shell on a host that reaches the database.
 */

#include <endian.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "recourse.h"
#include "report.h"
#include "caseclocks.h"

/* 0: done.  1: refused, or the audit chain is broken.  2: could not run. */
#define EXIT_REFUSED		1
#define EXIT_TROUBLE		2

/* Where make run serves the back office, which has /account/setup. */
#define BASE_URL_DEFAULT	"http://127.0.0.1:8081"
#define NAME_MAX_CHARS		100	/* staff_accounts.display_name */
#define QUEUE_MAX		32	/* per account; more is surely a typo */
#define QUEUE_NAME_MAX		63

/*
 * Links are fetched this many at a time, so a long chain never sits in
 * memory whole.
 */
#define AUDIT_BATCH		"10000"

/* Built-in type OIDs (pg_type.h, fixed across releases). */
#define OID_BYTEA		17
#define OID_INT8		20
#define OID_TEXT		25

static const char *const role_names[] = { "reviewer", "supervisor", "admin" };

static void __attribute__((noreturn))
usage(int status)
{
	FILE	*f = status == 0 ? stdout : stderr;

	fprintf(f,
	    "usage: recourse-admin create-user LOGIN --name NAME "
	    "--roles ROLE[,ROLE...]\n"
	    "           [--queues QUEUE[,QUEUE...]] [--base-url URL]\n"
	    "       recourse-admin reset-link LOGIN [--base-url URL]\n"
	    "       recourse-admin verify-audit\n"
	    "       recourse-admin sla-verify\n"
	    "\n"
	    "ROLE is reviewer, supervisor or admin.  RECOURSE_DB names the "
	    "database (a libpq\n"
	    "conninfo, as recourse_owner); verify-audit reads master.key "
	    "and review.pub\n"
	    "from RECOURSE_KEYS.\n"
	    "Set-up links start with the back office's address: --base-url, "
	    "else\nRECOURSE_REVIEW_BASE_URL, else " BASE_URL_DEFAULT ".\n"
	    "\n"
	    "sla-verify recomputes the clocks of every open case and names "
	    "each one that\ndiffers from what the scheduler stored.\n"
	    "\n"
	    "Exit status: 0 done; 1 refused, the audit chain is broken or a "
	    "clock differs;\n2 usage,\n"
	    "configuration or database error.\n");
	exit(status);
}

/*
 * PostgreSQL's primary message only: the detail and context lines can
 * quote row values, such as a staff member's name.
 */
static const char *
pg_primary(const PGresult *res)
{
	const char	*m;

	if (res == NULL || (m = PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY)) == NULL)
		return ("unknown error");
	return (m);
}

static int
pg_sqlstate(const PGresult *res, const char *state)
{
	const char	*s;

	s = res == NULL ? NULL : PQresultErrorField(res, PG_DIAG_SQLSTATE);
	return (s != NULL && strcmp(s, state) == 0);
}

/*
 * libpq's messages end in a newline and may run over several lines;
 * err(3) adds its own newline.
 */
static const char *
pg_conn_message(PGconn *db)
{
	static char	 buf[1024];
	size_t		 n;

	(void)snprintf(buf, sizeof(buf), "%s", PQerrorMessage(db));
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (n > 0 ? buf : "unknown error");
}

static PGconn *
db_connect(void)
{
	const char	*keywords[] = { "dbname", "fallback_application_name",
			    NULL };
	const char	*values[] = { NULL, "recourse-admin", NULL };
	PQconninfoOption *opts;
	char		*perr = NULL;
	PGconn		*db;

	values[0] = getenv("RECOURSE_DB");
	if (values[0] == NULL || *values[0] == '\0')
		errx(EXIT_TROUBLE, "RECOURSE_DB is not set (a libpq conninfo, "
		    "e.g. \"host=/srv/recourse/var/pg user=recourse_owner "
		    "dbname=recourse\")");

	/*
	 * libpq's parse errors quote the offending piece of the string, which
	 * may be part of a password: say only that it is malformed.
	 */
	if ((opts = PQconninfoParse(values[0], &perr)) == NULL) {
		PQfreemem(perr);
		errx(EXIT_TROUBLE, "RECOURSE_DB is not a valid libpq conninfo");
	}
	PQconninfoFree(opts);

	if ((db = PQconnectdbParams(keywords, values, 1)) == NULL)
		errx(EXIT_TROUBLE, "out of memory");
	if (PQstatus(db) != CONNECTION_OK)
		errx(EXIT_TROUBLE, "could not connect to the database: %s",
		    pg_conn_message(db));

	/*
	 * The audit hash covers the bytes of each event's text, which the
	 * server converts to the client encoding: pin the one the service's
	 * sealer sees, whatever PGCLIENTENCODING says here.
	 */
	if (PQsetClientEncoding(db, "UTF8") != 0)
		errx(EXIT_TROUBLE, "could not use UTF8 with the database: %s",
		    pg_conn_message(db));
	return (db);
}

/* A command that returns no rows; any failure ends the run. */
static void
db_command(PGconn *db, const char *sql)
{
	PGresult	*res;

	res = PQexec(db, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		errx(EXIT_TROUBLE, "database error: %s", pg_primary(res));
	PQclear(res);
}

static int
read_key(const char *dir, const char *name, unsigned char *out, size_t len)
{
	char	why[4200];

	if (keyfile_read(dir, name, out, len, why, sizeof(why)) == -1) {
		warnx("%s", why);
		return (0);
	}
	return (1);
}

/*
 * The login as the database will hold it: normalised, then held to the
 * same rule as the staff_accounts check, so a bad one is refused here with
 * a message rather than by a constraint.
 */
static int
login_arg(const char *in, char out[STAFF_LOGIN_MAX + 1])
{
	size_t	 i, n;

	if (!staff_login_normalize(in, out, STAFF_LOGIN_MAX + 1))
		goto bad;
	n = strlen(out);
	if (n < 2 || out[0] < 'a' || out[0] > 'z')
		goto bad;
	for (i = 1; i < n; i++) {
		if ((out[i] >= 'a' && out[i] <= 'z') ||
		    (out[i] >= '0' && out[i] <= '9') ||
		    out[i] == '.' || out[i] == '_' || out[i] == '-')
			continue;
		goto bad;
	}
	return (1);
bad:
	warnx("a login is 2 to %d characters: a letter, then letters, digits, "
	    "'.', '_' or '-'", STAFF_LOGIN_MAX);
	return (0);
}

/* 1 to 100 characters of UTF-8, without control characters. */
static int
name_arg(const char *s)
{
	size_t		 i, n, len;
	uint32_t	 cp;
	int		 visible = 0;

	len = strlen(s);
	for (i = 0; i < len; i += n) {
		if ((n = utf8_next(s, len, i, &cp)) == 0) {
			warnx("the name is not valid UTF-8");
			return (0);
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			warnx("the name contains a control character");
			return (0);
		}
		if (cp != ' ')
			visible = 1;
	}
	if (!visible || utf8_count(s, len) > NAME_MAX_CHARS) {
		warnx("the name must be 1 to %d characters", NAME_MAX_CHARS);
		return (0);
	}
	return (1);
}

static int
role_ok(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strcmp(s, role_names[i]) == 0)
			return (1);
	warnx("unknown role \"%s\" (use reviewer, supervisor or admin)", s);
	return (0);
}

/* The queues.code rule; whether the queue exists is the database's call. */
static int
queue_ok(const char *s)
{
	size_t	 i, n;

	n = strlen(s);
	if (n == 0 || n > QUEUE_NAME_MAX || s[0] < 'a' || s[0] > 'z')
		goto bad;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			goto bad;
	return (1);
bad:
	warnx("\"%s\" is not a queue name (lower-case letters and '_')", s);
	return (0);
}

/*
 * A comma-separated list as a PostgreSQL array literal, duplicates dropped
 * (queue_members would refuse a repeated queue).  Every element is quoted:
 * a bare NULL in an array literal is a null, even for a queue called that.
 */
static int
list_arg(const char *in, const char *what, size_t max, int (*ok)(const char *),
    struct sbuf *lit)
{
	char	*copy, *p, *item, *seen[QUEUE_MAX];
	size_t	 i, n = 0;
	int	 good = 0;

	if ((copy = strdup(in)) == NULL)
		err(EXIT_TROUBLE, "strdup");
	sbuf_adds(lit, "{");
	p = copy;
	while ((item = strsep(&p, ",")) != NULL) {
		if (*item == '\0') {
			warnx("an empty name in %s", what);
			goto out;
		}
		if (!ok(item))
			goto out;
		for (i = 0; i < n; i++)
			if (strcmp(seen[i], item) == 0)
				break;
		if (i < n)
			continue;
		if (n == max) {
			warnx("at most %zu %s", max, what);
			goto out;
		}
		seen[n] = item;
		sbuf_printf(lit, "%s\"%s\"", n > 0 ? "," : "", item);
		n++;
	}
	sbuf_adds(lit, "}");
	good = 1;
out:
	free(copy);
	return (good);
}

/*
 * Where the set-up page lives: the back office, configured once for the
 * service and this tool alike (RECOURSE_REVIEW_BASE_URL).
 */
static int
base_url(const char *opt, char out[BASEURL_MAX + 1])
{
	const char	*u, *from;

	if ((u = opt) != NULL)
		from = "--base-url";
	else if ((u = getenv("RECOURSE_REVIEW_BASE_URL")) != NULL &&
	    *u != '\0')
		from = "RECOURSE_REVIEW_BASE_URL";
	else {
		u = BASE_URL_DEFAULT;
		from = "the default base URL";
	}
	if (baseurl_parse(u, out))
		return (1);
	warnx("%s must be an http:// or https:// address without spaces, "
	    "query or fragment", from);
	return (0);
}

/* A fresh set-up token; only its hash goes to the database. */
static void
token_make(char token[STAFF_TOKEN_TEXT + 1],
    unsigned char hash[VAULT_HASHBYTES])
{
	staff_token_new(token);
	if (!staff_token_hash(token, hash))
		errx(EXIT_TROUBLE, "could not hash a new token");
}

static void
print_link(const char *base, char token[STAFF_TOKEN_TEXT + 1])
{
	struct sbuf	 link;

	sbuf_init(&link);
	baseurl_setup_link(&link, base, token);
	printf("one-time set-up link, expires in 72 hours "
	    "(send it to the person only):\n%s\n", sbuf_cstr(&link));
	sodium_memzero(link.data, link.len);
	sbuf_free(&link);
	sodium_memzero(token, STAFF_TOKEN_TEXT + 1);
}

static const struct option create_opts[] = {
	{ "name",	required_argument,	NULL,	'n' },
	{ "roles",	required_argument,	NULL,	'r' },
	{ "queues",	required_argument,	NULL,	'q' },
	{ "base-url",	required_argument,	NULL,	'b' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

static int
cmd_create_user(int argc, char *argv[])
{
	char		 login[STAFF_LOGIN_MAX + 1], base[BASEURL_MAX + 1];
	char		 token[STAFF_TOKEN_TEXT + 1];
	unsigned char	 hash[VAULT_HASHBYTES];
	const char	*login_in = NULL, *name = NULL, *roles_in = NULL;
	const char	*queues_in = NULL, *base_in = NULL;
	const char	*params[5];
	int		 lengths[5], formats[5];
	struct sbuf	 roles, queues;
	PGconn		*db;
	PGresult	*res;
	int		 ch, status, reviewer_only;

	/* A leading '-': LOGIN may come before or after the options. */
	while ((ch = getopt_long(argc, argv, "-h", create_opts, NULL)) != -1) {
		switch (ch) {
		case 1:
			if (login_in != NULL) {
				warnx("unexpected argument \"%s\"", optarg);
				usage(EXIT_TROUBLE);
			}
			login_in = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'r':
			roles_in = optarg;
			break;
		case 'q':
			queues_in = optarg;
			break;
		case 'b':
			base_in = optarg;
			break;
		case 'h':
			usage(0);
		default:
			usage(EXIT_TROUBLE);
		}
	}
	if (login_in == NULL || name == NULL || roles_in == NULL) {
		warnx("create-user needs LOGIN, --name and --roles");
		usage(EXIT_TROUBLE);
	}

	sbuf_init(&roles);
	sbuf_init(&queues);
	if (!login_arg(login_in, login) || !name_arg(name) ||
	    !list_arg(roles_in, "roles", 3, role_ok, &roles) ||
	    (queues_in != NULL && *queues_in != '\0' &&
	    !list_arg(queues_in, "queues", QUEUE_MAX, queue_ok, &queues)) ||
	    !base_url(base_in, base))
		return (EXIT_REFUSED);
	/* The server would accept it, but such a reviewer sees no case. */
	reviewer_only = strcmp(sbuf_cstr(&roles), "{\"reviewer\"}") == 0;
	if (reviewer_only && queues.len == 0)
		warnx("note: a reviewer without --queues sees no cases "
		    "until given a queue");

	token_make(token, hash);
	db = db_connect();

	params[0] = login;
	params[1] = name;
	params[2] = sbuf_cstr(&roles);
	params[3] = queues.len > 0 ? sbuf_cstr(&queues) : NULL;
	params[4] = (const char *)hash;
	memset(lengths, 0, sizeof(lengths));
	memset(formats, 0, sizeof(formats));
	lengths[4] = VAULT_HASHBYTES;
	formats[4] = 1;		/* bytea as raw bytes, no escaping */
	res = PQexecParams(db,
	    "SELECT staff_create('cli', $1::text, $2::text, $3::staff_role[], "
	    "$4::text[], $5::bytea)",
	    5, NULL, params, lengths, formats, 0);
	sodium_memzero(hash, sizeof(hash));

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (pg_sqlstate(res, "23503"))
			/* The detail names the queue as typed; nothing more. */
			warnx("a queue in --queues does not exist: %s%s%s",
			    pg_primary(res),
			    PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) ?
			    ": " : "",
			    PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) ?
			    PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) :
			    "");
		else
			warnx("could not create the account: %s",
			    pg_primary(res));
		sodium_memzero(token, sizeof(token));
		status = EXIT_REFUSED;
	} else if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		warnx("that login is already taken");
		sodium_memzero(token, sizeof(token));
		status = EXIT_REFUSED;
	} else {
		printf("created account %s\n", PQgetvalue(res, 0, 0));
		print_link(base, token);
		status = 0;
	}
	PQclear(res);
	PQfinish(db);
	sbuf_free(&roles);
	sbuf_free(&queues);
	return (status);
}

static const struct option reset_opts[] = {
	{ "base-url",	required_argument,	NULL,	'b' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

static int
cmd_reset_link(int argc, char *argv[])
{
	char		 login[STAFF_LOGIN_MAX + 1], base[BASEURL_MAX + 1];
	char		 token[STAFF_TOKEN_TEXT + 1];
	unsigned char	 hash[VAULT_HASHBYTES];
	const char	*login_in = NULL, *base_in = NULL;
	const char	*params[2];
	int		 lengths[2] = { 0, VAULT_HASHBYTES }, formats[2] = { 0, 1 };
	PGconn		*db;
	PGresult	*res;
	int		 ch, status;

	while ((ch = getopt_long(argc, argv, "-h", reset_opts, NULL)) != -1) {
		switch (ch) {
		case 1:
			if (login_in != NULL) {
				warnx("unexpected argument \"%s\"", optarg);
				usage(EXIT_TROUBLE);
			}
			login_in = optarg;
			break;
		case 'b':
			base_in = optarg;
			break;
		case 'h':
			usage(0);
		default:
			usage(EXIT_TROUBLE);
		}
	}
	if (login_in == NULL) {
		warnx("reset-link needs LOGIN");
		usage(EXIT_TROUBLE);
	}
	if (!login_arg(login_in, login) || !base_url(base_in, base))
		return (EXIT_REFUSED);

	token_make(token, hash);
	db = db_connect();

	/*
	 * Lookup and reset in one statement, so the account cannot change
	 * between them.  A deactivated account gets no link: it could set a
	 * password but never log in, and reactivating it is a separate,
	 * deliberate step.
	 */
	params[0] = login;
	params[1] = (const char *)hash;
	res = PQexecParams(db,
	    "SELECT a.id, a.active, CASE WHEN a.active "
	    "THEN staff_reset('cli', a.id, $2::bytea) END "
	    "FROM staff_accounts a WHERE a.login = $1::text",
	    2, NULL, params, lengths, formats, 0);
	sodium_memzero(hash, sizeof(hash));

	status = EXIT_REFUSED;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		warnx("could not issue a link: %s", pg_primary(res));
	else if (PQntuples(res) != 1)
		warnx("there is no account with that login");
	else if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
		warnx("account %s is deactivated; no link issued",
		    PQgetvalue(res, 0, 0));
	else if (strcmp(PQgetvalue(res, 0, 2), "t") != 0)
		warnx("account %s could not be reset", PQgetvalue(res, 0, 0));
	else {
		printf("account %s: earlier unused set-up links no longer "
		    "work\n", PQgetvalue(res, 0, 0));
		print_link(base, token);
		status = 0;
	}
	sodium_memzero(token, sizeof(token));
	PQclear(res);
	PQfinish(db);
	return (status);
}

/* A bigint column of a binary result: eight bytes, network order. */
static int
get_u64(const PGresult *res, int row, int col, uint64_t *out)
{
	uint64_t	 v;

	if (PQgetisnull(res, row, col) || PQgetlength(res, row, col) != 8)
		return (0);
	memcpy(&v, PQgetvalue(res, row, col), sizeof(v));
	*out = be64toh(v);
	return (1);
}

/*
 * A text column of a binary result: its bytes, which libpq follows with a
 * NUL.  PostgreSQL text holds no NUL, so strlen sees the whole value.
 */
static const char *
get_text(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return (NULL);
	return (PQgetvalue(res, row, col));
}

/*
 * Binary results are decoded by type; refuse a batch whose columns are not
 * the types this walk was written for, rather than misread them.
 */
static int
walk_types_ok(const PGresult *res)
{
	static const Oid	 want[] = { OID_INT8, OID_INT8, OID_BYTEA,
				    OID_TEXT, OID_TEXT, OID_TEXT, OID_TEXT,
				    OID_TEXT };
	int			 i;

	if (PQnfields(res) != (int)(sizeof(want) / sizeof(want[0])))
		return (0);
	for (i = 0; i < PQnfields(res); i++)
		if (PQftype(res, i) != want[i] || PQfformat(res, i) != 1)
			return (0);
	return (1);
}

/*
 * Every published report names the audit chain's head at its snapshot
 * (report.json's "audit": the link's number and hash).  The chain just
 * verified must still hold that link with that hash: a cut tail, or a
 * chain rebuilt after publication, shows here.  Each report.json is first
 * checked against report.pub, so that the head compared is the one
 * published.  Returns NULL, or why the chain fails, with the count in
 * '*checked'.
 */
static const char *
published_heads(PGconn *db, const char *keys, char *why, size_t whylen,
    int *checked)
{
	PGresult	*res;
	char		 path[4096], pub[REPORT_SIGN_TEXT_MAX + 1];
	unsigned char	*body;
	size_t		 len;
	json_t		*doc;
	FILE		*fp;
	size_t		 publen = 0;
	const char	*chain, *hash;
	json_int_t	 seq;
	int		 i;

	*checked = 0;
	(void)snprintf(path, sizeof(path), "%s/report.pub", keys);
	if ((fp = fopen(path, "r")) != NULL) {
		publen = fread(pub, 1, sizeof(pub) - 1, fp);
		fclose(fp);
	}
	pub[publen] = '\0';
	res = PQexec(db, "SELECT r.quarter, r.version, f.body, f.signature, "
	    "(SELECT encode(s.hash, 'hex') FROM audit_seals s WHERE s.seq = "
	    "(convert_from(f.body, 'UTF8')::jsonb->'audit'->>'seq')::bigint) "
	    "FROM reports r JOIN report_files f ON f.report_id = r.id "
	    "AND f.name = 'report.json' WHERE r.state = 'published' "
	    "ORDER BY r.quarter, r.version");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		errx(EXIT_TROUBLE, "could not read the published reports: %s",
		    pg_primary(res));
	for (i = 0; i < PQntuples(res); i++) {
		body = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i,
		    2), &len);
		if (body == NULL)
			errx(EXIT_TROUBLE, "out of memory");
		if (publen > 0 && !report_verify(pub, PQgetvalue(res, i, 3),
		    body, len)) {
			(void)snprintf(why, whylen, "report %s version %s: its "
			    "report.json is not signed by report.pub, so the head "
			    "it names cannot be trusted", PQgetvalue(res, i, 0),
			    PQgetvalue(res, i, 1));
			PQfreemem(body);
			break;
		}
		doc = json_loadb((const char *)body, len, 0, NULL);
		PQfreemem(body);
		seq = json_integer_value(json_object_get(json_object_get(doc,
		    "audit"), "seq"));
		hash = json_string_value(json_object_get(json_object_get(doc,
		    "audit"), "hash"));
		chain = PQgetisnull(res, i, 4) ? NULL : PQgetvalue(res, i, 4);
		if (hash != NULL && chain == NULL)
			(void)snprintf(why, whylen, "report %s version %s "
			    "published link %lld, which the chain no longer "
			    "holds: its tail was cut", PQgetvalue(res, i, 0),
			    PQgetvalue(res, i, 1), (long long)seq);
		else if (hash != NULL && strcmp(hash, chain) != 0)
			(void)snprintf(why, whylen, "report %s version %s "
			    "published link %lld with another hash: the chain "
			    "was rebuilt since", PQgetvalue(res, i, 0),
			    PQgetvalue(res, i, 1), (long long)seq);
		json_decref(doc);
		if (why[0] != '\0')
			break;
		*checked += hash != NULL;
	}
	PQclear(res);
	return (why[0] != '\0' ? why : NULL);
}

static int
cmd_verify_audit(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help",	no_argument,	NULL,	'h' },
		{ NULL,		0,		NULL,	0 }
	};
	struct audit_verifier	 v;
	struct audit_event	 e;
	struct vault_keys	 keys;
	unsigned char		 master[VAULT_KEYBYTES], review_pk[32];
	char			 head[VAULT_HASHBYTES * 2 + 1], why[512] = "";
	const char		*dir, *reason = NULL;
	int			 heads = 0;
	uint64_t		 bad_seq = 0, bad_event = 0;
	PGconn			*db;
	PGresult		*res;
	int			 ch, i, n, ok;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h')
			usage(0);
		usage(EXIT_TROUBLE);
	}
	if (optind != argc) {
		warnx("verify-audit takes no arguments");
		usage(EXIT_TROUBLE);
	}

	if ((dir = getenv("RECOURSE_KEYS")) == NULL || *dir == '\0')
		errx(EXIT_TROUBLE, "RECOURSE_KEYS is not set (the folder with "
		    "master.key and review.pub)");
	ok = read_key(dir, "master.key", master, sizeof(master)) &&
	    read_key(dir, "review.pub", review_pk, sizeof(review_pk)) &&
	    vault_keys_derive(&keys, master, review_pk);
	sodium_memzero(master, sizeof(master));
	if (!ok)
		errx(EXIT_TROUBLE, "could not load the keys");
	audit_verifier_init(&v, keys.audit);
	sodium_memzero(&keys, sizeof(keys));

	db = db_connect();

	/*
	 * One snapshot for the walk and both counts, so that links the sealer
	 * adds meanwhile are neither half seen nor counted twice.  The
	 * service's statement_timeout is meant for requests, not for a scan of
	 * the whole log.
	 */
	db_command(db, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
	db_command(db, "SET LOCAL statement_timeout = 0");
	db_command(db, "DECLARE audit_walk NO SCROLL CURSOR FOR "
	    "SELECT s.seq, s.event_id, s.hash, c.at_text, c.actor, c.action, "
	    "c.object, c.detail_text FROM audit_seals s "
	    "LEFT JOIN audit_canonical c ON c.id = s.event_id ORDER BY s.seq");

	while (reason == NULL) {
		/* Binary results: the hash arrives as its 32 raw bytes. */
		res = PQexecParams(db, "FETCH " AUDIT_BATCH " FROM audit_walk",
		    0, NULL, NULL, NULL, NULL, 1);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			errx(EXIT_TROUBLE, "could not read the audit chain: %s",
			    pg_primary(res));
		if ((n = PQntuples(res)) == 0) {
			PQclear(res);
			break;
		}
		if (!walk_types_ok(res))
			errx(EXIT_TROUBLE, "the audit chain query returned "
			    "unexpected columns");
		for (i = 0; i < n; i++) {
			memset(&e, 0, sizeof(e));
			if (!get_u64(res, i, 0, &e.seq) ||
			    !get_u64(res, i, 1, &e.event_id))
				errx(EXIT_TROUBLE, "a link without seq or event");
			e.at = get_text(res, i, 3);
			e.actor = get_text(res, i, 4);
			e.action = get_text(res, i, 5);
			e.object = get_text(res, i, 6);
			e.detail = get_text(res, i, 7);
			/* All NOT NULL: a null means the event row is gone. */
			if (e.actor == NULL || e.action == NULL ||
			    e.object == NULL || e.detail == NULL)
				e.at = NULL;
			if (audit_verify_next(&v, &e,
			    (const unsigned char *)PQgetvalue(res, i, 2),
			    PQgetisnull(res, i, 2) ? 0 :
			    (size_t)PQgetlength(res, i, 2)))
				continue;
			/*
			 * Name the link in hand: for a gap the verifier keeps
			 * the missing seq, but the event it keeps is this
			 * link's, and its reason says "before this one".
			 */
			reason = v.broken;
			bad_seq = e.seq;
			bad_event = e.event_id;
			break;
		}
		PQclear(res);
	}

	if (reason != NULL) {
		PQfinish(db);
		printf("audit chain BROKEN at link %" PRIu64 " (event %" PRIu64
		    "): %s\n", bad_seq, bad_event, reason);
		return (EXIT_REFUSED);
	}

	if (published_heads(db, dir, why, sizeof(why), &heads) != NULL) {
		PQfinish(db);
		printf("audit chain BROKEN at link %" PRIu64 ": %s\n",
		    v.next_seq, why);
		return (EXIT_REFUSED);
	}

	res = PQexec(db, "SELECT (SELECT count(*) FROM audit_pending), "
	    "min(e.id), count(*) FROM audit_events e "
	    "WHERE NOT EXISTS (SELECT 1 FROM audit_seals s "
	    "WHERE s.event_id = e.id) "
	    "AND NOT EXISTS (SELECT 1 FROM audit_pending p "
	    "WHERE p.event_id = e.id)");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		errx(EXIT_TROUBLE, "could not count unsealed audit events: %s",
		    pg_primary(res));
	db_command(db, "COMMIT");

	/*
	 * An event neither sealed nor waiting for a seal was taken out of the
	 * chain: its seal at the head was deleted, or its queue entry was, so
	 * it will never be sealed.  The chain cannot vouch for it.
	 */
	if (strcmp(PQgetvalue(res, 0, 2), "0") != 0) {
		printf("audit chain BROKEN at link %" PRIu64 " (event %s): "
		    "event %s is in neither the chain nor the queue",
		    v.next_seq, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 1));
		if (strcmp(PQgetvalue(res, 0, 2), "1") != 0)
			printf(" (%s such events)", PQgetvalue(res, 0, 2));
		printf("\n");
		PQclear(res);
		PQfinish(db);
		return (EXIT_REFUSED);
	}

	/* v.prev is the last good link's hash: zeros before the first. */
	sodium_bin2hex(head, sizeof(head), v.prev, sizeof(v.prev));
	printf("audit chain intact: %" PRIu64 " links, head %s, %s events "
	    "awaiting a seal\n", v.verified, head, PQgetvalue(res, 0, 0));
	if (heads > 0)
		printf("published heads: %d reports, each head in the chain\n",
		    heads);
	PQclear(res);
	PQfinish(db);
	return (0);
}

/* An instant as sla-verify prints it: RFC 3339 in UTC, or "none". */
static const char *
sla_instant_text(sla_time t, char *buf, size_t size)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t == 0 || t == INT64_MAX || gmtime_r(&tt, &tm) == NULL)
		return ("none");
	(void)strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return (buf);
}

/*
 * One clock: the recomputation against the stored row (NULL when none).
 * Prints each differing field; returns how many differ.
 */
static int
sla_compare(const char *reference, const struct sla_clock *k,
    json_t *stored)
{
	static const char *const fields[] = { "due_at", "at_risk_at",
	    "met_at", "breached_at" };
	const char	*name, *state;
	char		 a[32], b[32];
	sla_time	 want[4], got;
	json_t		*v;
	int		 i, bad;

	name = sla_clock_name(k->kind);
	if (k->state == SLA_NOT_STARTED) {
		if (stored == NULL)
			return (0);
		printf("%s %s: stored, but the clock has not started\n",
		    reference, name);
		return (1);
	}
	if (stored == NULL) {
		printf("%s %s: started %s, but nothing is stored\n", reference,
		    name, sla_instant_text(k->started_at, a, sizeof(a)));
		return (1);
	}
	bad = 0;
	state = json_string_value(json_object_get(stored, "state"));
	if (state == NULL || strcmp(state, sla_state_name(k->state)) != 0) {
		printf("%s %s: state stored %s, recomputed %s\n", reference,
		    name, state != NULL ? state : "none",
		    sla_state_name(k->state));
		bad++;
	}
	want[0] = k->due_at;
	want[1] = k->at_risk_at;
	want[2] = k->met_at;
	want[3] = k->breached_at;
	for (i = 0; i < 4; i++) {
		/* A paused clock's due instants move with now. */
		if (i < 2 && k->state == SLA_PAUSED)
			continue;
		v = json_object_get(stored, fields[i]);
		got = json_is_integer(v) ? json_integer_value(v) : 0;
		if (want[i] == INT64_MAX)
			want[i] = 0;
		if (got == want[i])
			continue;
		printf("%s %s: %s stored %s, recomputed %s\n", reference, name,
		    fields[i], sla_instant_text(got, a, sizeof(a)),
		    sla_instant_text(want[i], b, sizeof(b)));
		bad++;
	}
	return (bad);
}

/*
 * sla-verify: every open case's clocks recomputed from its events and
 * versions at the database's now (moved by the test clock when
 * RECOURSE_TEST_CLOCK=1, as the scheduler's is) and compared with
 * case_clocks.  A case the scheduler has yet to recompute is counted as
 * behind, not compared.
 */
static int
cmd_sla_verify(int argc, char *argv[])
{
	struct sla_clock	 out[SLA_NCLOCKS];
	struct sla_error	 err;
	struct cc_input		 in;
	struct cc_cache		*cache;
	const char		*test, *ref, *param[1];
	json_t			*stored;
	PGconn			*db;
	PGresult		*res;
	long			 cases = 0, behind = 0, clocks = 0, bad = 0;
	int			 i, j, n;

	if (optind != argc) {
		warnx("sla-verify takes no arguments");
		usage(EXIT_TROUBLE);
	}
	test = getenv("RECOURSE_TEST_CLOCK");
	param[0] = test != NULL && strcmp(test, "1") == 0 ? "true" : "false";
	if ((cache = cc_cache_new()) == NULL)
		errx(EXIT_TROUBLE, "out of memory");
	db = db_connect();
	db_command(db, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
	db_command(db, "SET LOCAL statement_timeout = 0");
	res = PQexecParams(db, "SELECT now_epoch, reference, behind, "
	    "policy_version, policy, calendar_version, calendar, events, "
	    "stored FROM sla_verify_rows($1::boolean)", 1, NULL, param, NULL,
	    NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		errx(EXIT_TROUBLE, "could not read the clocks: %s",
		    pg_primary(res));
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		ref = PQgetvalue(res, i, 1);
		cases++;
		if (*PQgetvalue(res, i, 2) == 't') {
			behind++;
			continue;
		}
		in.policy_version = strtoll(PQgetvalue(res, i, 3), NULL, 10);
		in.policy = PQgetvalue(res, i, 4);
		in.calendar_version = strtoll(PQgetvalue(res, i, 5), NULL, 10);
		in.calendar = PQgetvalue(res, i, 6);
		in.events = PQgetvalue(res, i, 7);
		if (cc_compute(cache, &in, strtoll(PQgetvalue(res, i, 0), NULL,
		    10), out, &err) != 0) {
			printf("%s: cannot recompute: %s: %s\n", ref, err.field,
			    err.message);
			bad++;
			continue;
		}
		stored = json_loads(PQgetvalue(res, i, 8), 0, NULL);
		for (j = 0; j < SLA_NCLOCKS; j++) {
			clocks += out[j].state != SLA_NOT_STARTED;
			bad += sla_compare(ref, &out[j], json_object_get(stored,
			    sla_clock_name(out[j].kind)));
		}
		json_decref(stored);
	}
	PQclear(res);
	db_command(db, "COMMIT");
	PQfinish(db);
	cc_cache_free(cache);
	printf("sla-verify: %ld open cases, %ld clocks compared, %ld cases "
	    "behind the scheduler, %ld differences\n", cases, clocks, behind,
	    bad);
	return (bad > 0 ? EXIT_REFUSED : 0);
}

int
main(int argc, char *argv[])
{
	const char	*cmd;

	if (argc < 2)
		usage(EXIT_TROUBLE);
	/* getopt(3) names the program by argv[0]; err(3) by its short name. */
	argv[0] = program_invocation_short_name;
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0)
		usage(0);
	if (!vault_init())
		errx(EXIT_TROUBLE, "could not initialise libsodium");

	/* The command's own options start after its name. */
	optind = 2;
	if (strcmp(cmd, "create-user") == 0)
		return (cmd_create_user(argc, argv));
	if (strcmp(cmd, "reset-link") == 0)
		return (cmd_reset_link(argc, argv));
	if (strcmp(cmd, "verify-audit") == 0)
		return (cmd_verify_audit(argc, argv));
	if (strcmp(cmd, "sla-verify") == 0)
		return (cmd_sla_verify(argc, argv));
	warnx("unknown command \"%s\"", cmd);
	usage(EXIT_TROUBLE);
}
