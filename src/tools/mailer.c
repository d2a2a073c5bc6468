/*
 * recourse-mailer: delivers the outbox over SMTP (libcurl) with retries and
 * exponential backoff, and queues the staff digests, on the back-office
 * host (it opens complainants' addresses with the review key).
 */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "recourse.h"

#define CLAIM_BATCH		10
#define OID_BYTEA		17

/* Everything the environment says, read once at start. */
struct config {
	const char	*db;
	const char	*host;		/* NULL: nothing is sent */
	const char	*port;
	int		 starttls;
	const char	*ca_file;	/* NULL: the system's CAs */
	char		 user[256];
	char		 password[256];
	const char	*from;		/* the From: header as given */
	char		 from_addr[INTAKE_EMAIL_MAX + 1];
	const char	*domain;	/* of from_addr, for Message-IDs */
	const char	*track_url;
	const char	*review_url;
	long long	 digest_ms;
	long long	 lag_ms;
	long long	 backoff_ms;
	long long	 backoff_max_ms;
	int		 max_attempts;
	long long	 lease_ms;
	long		 timeout_s;
	long long	 poll_ms;
	unsigned char	 review_pk[32];
	unsigned char	 review_sk[32];
};

/* One claimed outbox row (outbox_claim's columns). */
enum { R_ID, R_KIND, R_ATTEMPTS, R_MESSAGE_ID, R_DATE, R_EMAIL, R_REFERENCE,
	R_PAYLOAD, R_DATA_KEY, R_SALT, R_CONTACT };

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static long long
env_num(const char *name, long long def, long long min, long long max)
{
	const char	*v = getenv(name);
	char		*end;
	long long	 n;

	if (v == NULL || *v == '\0')
		return (def);
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		errx(2, "%s must be a whole number from %lld to %lld", name,
		    min, max);
	return (n);
}

static const char *
env_str(const char *name, const char *def)
{
	const char	*v = getenv(name);

	return (v != NULL && *v != '\0' ? v : def);
}

static void
read_key(const char *dir, const char *name, unsigned char *out, size_t len)
{
	char	why[4200];

	if (keyfile_read(dir, name, out, len, why, sizeof(why)) == -1)
		errx(2, "%s", why);
}

/*
 * user:password from a file only its owner may read: a password that
 * others could read is refused rather than used.
 */
static void
read_credentials(struct config *c, const char *path)
{
	struct stat	 st;
	char		 line[520], *colon;
	FILE		*f;
	size_t		 n;

	if ((f = fopen(path, "re")) == NULL)
		err(2, "RECOURSE_SMTP_CREDENTIALS_FILE %s", path);
	if (fstat(fileno(f), &st) == -1)
		err(2, "%s", path);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		errx(2, "RECOURSE_SMTP_CREDENTIALS_FILE %s may be read by "
		    "others: chmod 600 it", path);
	if (fgets(line, sizeof(line), f) == NULL)
		errx(2, "RECOURSE_SMTP_CREDENTIALS_FILE %s is empty", path);
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if ((colon = strchr(line, ':')) == NULL || colon == line ||
	    (size_t)(colon - line) >= sizeof(c->user) ||
	    strlen(colon + 1) >= sizeof(c->password))
		errx(2, "RECOURSE_SMTP_CREDENTIALS_FILE must hold one line "
		    "user:password");
	*colon = '\0';
	/* Lengths checked above. */
	memcpy(c->user, line, (size_t)(colon - line) + 1);
	memcpy(c->password, colon + 1, strlen(colon + 1) + 1);
	sodium_memzero(line, sizeof(line));
}

/* The address inside "Name <addr>", or the whole of a bare address. */
static int
from_address(const char *from, char *out, size_t size)
{
	const char	*lt, *gt;
	size_t		 n;

	if (strpbrk(from, "\r\n") != NULL)
		return (0);
	if ((lt = strrchr(from, '<')) != NULL) {
		if ((gt = strchr(lt, '>')) == NULL || gt[1] != '\0')
			return (0);
		n = (size_t)(gt - lt - 1);
		from = lt + 1;
	} else
		n = strlen(from);
	if (n >= size)
		return (0);
	memcpy(out, from, n);
	out[n] = '\0';
	return (intake_email_valid(out));
}

static void
configure(struct config *c)
{
	const char	*keys, *creds, *tls;
	long long	 minutes_ms;

	memset(c, 0, sizeof(*c));
	if ((c->db = getenv("RECOURSE_DB")) == NULL || *c->db == '\0')
		errx(2, "RECOURSE_DB (a libpq conninfo, user=recourse_review) "
		    "is not set");
	if ((keys = getenv("RECOURSE_KEYS")) == NULL || *keys == '\0')
		errx(2, "RECOURSE_KEYS (the key folder) is not set");
	read_key(keys, "review.pub", c->review_pk, sizeof(c->review_pk));
	read_key(keys, "review.sec", c->review_sk, sizeof(c->review_sk));
	(void)sodium_mlock(c->review_sk, sizeof(c->review_sk));

	c->host = env_str("RECOURSE_SMTP_HOST", NULL);
	tls = env_str("RECOURSE_SMTP_STARTTLS", "starttls");
	if (strcmp(tls, "starttls") == 0)
		c->starttls = 1;
	else if (strcmp(tls, "none") != 0)
		errx(2, "RECOURSE_SMTP_STARTTLS must be none or starttls");
	c->port = env_str("RECOURSE_SMTP_PORT", c->starttls ? "587" : "25");
	if (strspn(c->port, "0123456789") != strlen(c->port) ||
	    strlen(c->port) > 5)
		errx(2, "RECOURSE_SMTP_PORT must be a port number");
	if ((creds = env_str("RECOURSE_SMTP_CREDENTIALS_FILE", NULL)) != NULL)
		read_credentials(c, creds);
	/* A missing CA file is a setting to fix now, not a failed send. */
	if ((c->ca_file = env_str("RECOURSE_SMTP_CA_FILE", NULL)) != NULL &&
	    access(c->ca_file, R_OK) == -1)
		err(2, "RECOURSE_SMTP_CA_FILE %s", c->ca_file);
	c->from = env_str("RECOURSE_SMTP_FROM", NULL);
	if (c->host != NULL && (c->from == NULL ||
	    !from_address(c->from, c->from_addr, sizeof(c->from_addr))))
		errx(2, "RECOURSE_SMTP_FROM must be an address, or "
		    "\"Name <address>\", when RECOURSE_SMTP_HOST is set");
	c->domain = c->host != NULL ? strchr(c->from_addr, '@') + 1 :
	    "recourse.invalid";
	c->track_url = env_str("RECOURSE_PUBLIC_BASE_URL",
	    "http://127.0.0.1:8080/track");
	c->review_url = env_str("RECOURSE_REVIEW_BASE_URL",
	    "http://127.0.0.1:8081");
	if (strpbrk(c->track_url, "\r\n") != NULL ||
	    strpbrk(c->review_url, "\r\n") != NULL)
		errx(2, "the base URLs must be one line each");

	/* Minutes for people, milliseconds for the tests. */
	minutes_ms = env_num("RECOURSE_DIGEST_MINUTES", 60, 1, 10080) * 60000;
	c->digest_ms = env_num("RECOURSE_DIGEST_MS", minutes_ms, 100,
	    604800000);
	c->lag_ms = env_num("RECOURSE_DIGEST_LAG_MS", 60000, 0, 3600000);
	c->backoff_ms = env_num("RECOURSE_SMTP_BACKOFF_MS", 30000, 10,
	    86400000);
	c->backoff_max_ms = env_num("RECOURSE_SMTP_BACKOFF_MAX_MS", 21600000,
	    c->backoff_ms, 604800000);
	c->max_attempts = (int)env_num("RECOURSE_SMTP_MAX_ATTEMPTS", 12, 1,
	    100);
	c->timeout_s = (long)env_num("RECOURSE_SMTP_TIMEOUT_SECONDS", 60, 1,
	    3600);
	c->lease_ms = env_num("RECOURSE_SMTP_LEASE_MS", 300000, 1000,
	    86400000);
	/* No other sender may take a row while this one may still send it. */
	if (c->lease_ms <= c->timeout_s * 1000 + 5000)
		errx(2, "RECOURSE_SMTP_LEASE_MS must exceed the SMTP timeout "
		    "by more than 5 seconds");
	c->poll_ms = env_num("RECOURSE_MAILER_POLL_MS", 5000, 10, 600000);
}

static void
logf_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
logf_line(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("mailer: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

/* PostgreSQL's primary message only: detail lines can quote row values. */
static const char *
pg_primary(PGconn *db, const PGresult *res)
{
	const char	*m;

	if (res != NULL && (m = PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY)) != NULL)
		return (m);
	return (PQstatus(db) == CONNECTION_OK ? "query failed" :
	    "no connection to the database");
}

/*
 * The complainant's address, opened with the review key from the
 * contact box; 0 when there is none to use.
 */
static int
complainant_address(const struct config *c, PGresult *res, int row,
    char *out, size_t size)
{
	unsigned char	 dk[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned char	*sealed, *salt, *box;
	size_t		 sealed_len, salt_len, box_len;
	struct sbuf	 contact;
	json_t		*doc;
	const char	*email;
	int		 ok = 0;

	if (PQgetisnull(res, row, R_CONTACT))
		return (0);
	sealed = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row,
	    R_DATA_KEY), &sealed_len);
	salt = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row,
	    R_SALT), &salt_len);
	box = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row,
	    R_CONTACT), &box_len);
	sbuf_init(&contact);
	if (sealed != NULL && salt != NULL && box != NULL &&
	    salt_len == VAULT_SALTBYTES &&
	    sealed_len == crypto_box_SEALBYTES + sizeof(dk) &&
	    crypto_box_seal_open(dk, sealed, sealed_len, c->review_pk,
	    c->review_sk) == 0) {
		if (vault_aead_open(dk, VAULT_AD_CONTACT, salt, box, box_len,
		    &contact) && (doc = json_loadb(contact.data, contact.len,
		    0, NULL)) != NULL) {
			email = json_string_value(json_object_get(doc,
			    "email"));
			if (email != NULL && strlen(email) < size &&
			    intake_email_valid(email)) {
				(void)snprintf(out, size, "%s", email);
				ok = 1;
			}
			json_decref(doc);
		}
		sodium_memzero(dk, sizeof(dk));
	}
	if (contact.data != NULL)
		sodium_memzero(contact.data, contact.len);
	sbuf_free(&contact);
	PQfreemem(sealed);
	PQfreemem(salt);
	PQfreemem(box);
	return (ok);
}

static void
header_block(struct sbuf *m, const struct config *c, const char *to,
    const char *subject, PGresult *res, int row)
{
	sbuf_printf(m, "From: %s\r\nTo: <%s>\r\nSubject: %s\r\n"
	    "Date: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Auto-Submitted: auto-generated\r\n\r\n", c->from, to, subject,
	    PQgetvalue(res, row, R_DATE), PQgetvalue(res, row, R_MESSAGE_ID));
}

/*
 * The note to a complainant: that their case has an update and where to
 * read it, and nothing else (no details, category, brand or names).
 */
static void
compose_note(struct sbuf *m, const struct config *c, const char *to,
    PGresult *res, int row)
{
	const char	*ref = PQgetvalue(res, row, R_REFERENCE);
	char		 subject[96];

	(void)snprintf(subject, sizeof(subject), "Your case %s has an update",
	    ref);
	header_block(m, c, to, subject, res, row);
	sbuf_printf(m, "Your case %s has an update.\r\n\r\n"
	    "Read it with your receipt code at %s\r\n\r\n"
	    "For your privacy this e-mail says nothing more about your "
	    "case.\r\nYou get it because you asked to be told of updates.\r\n",
	    ref, c->track_url);
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char	*v = json_string_value(json_object_get(o, key));

	return (v != NULL ? v : "");
}

static void
case_link(struct sbuf *m, const struct config *c, const char *ref)
{
	sbuf_printf(m, "  %s  %s/review/cases/%s\r\n", ref, c->review_url,
	    ref);
}

/* A clock's name as the engine writes it, or NULL for anything else. */
static const char *
clock_name(json_t *v)
{
	const char	*s = json_string_value(v);

	if (s == NULL || *s == '\0' ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz_") != strlen(s))
		return (NULL);
	return (s);
}

/*
 * The clocks an alert is for: its escalation's "clocks" (0017: one alert
 * for every clock breached in one store), else its "clock" (older rows).
 */
static void
alert_clocks(struct sbuf *b, json_t *payload)
{
	json_t		*all = json_object_get(payload, "clocks");
	const char	*name[5];
	size_t		 i, n = 0;

	for (i = 0; i < json_array_size(all) && n < 5; i++)
		if ((name[n] = clock_name(json_array_get(all, i))) != NULL)
			n++;
	if (n == 0 && (name[0] = clock_name(json_object_get(payload,
	    "clock"))) != NULL)
		n = 1;
	for (i = 0; i < n; i++)
		sbuf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " :
		    ", ", name[i]);
	if (n > 1)
		sbuf_adds(b, " deadlines");
	else if (n == 1)
		sbuf_adds(b, " deadline");
}

static void
compose_alert(struct sbuf *m, const struct config *c, const char *to,
    PGresult *res, int row, json_t *payload)
{
	const char	*ref = PQgetvalue(res, row, R_REFERENCE);
	const char	*event;
	struct sbuf	 clocks;
	char		 subject[160];

	event = json_string_value(json_object_get(payload, "event"));
	sbuf_init(&clocks);
	alert_clocks(&clocks, payload);
	if (event != NULL && strcmp(event, "erasure_requested") == 0)
		(void)snprintf(subject, sizeof(subject), "Recourse: the "
		    "complainant of %s asked for erasure", ref);
	else if (clocks.len == 0 && event != NULL &&
	    strcmp(event, "escalated") == 0)
		(void)snprintf(subject, sizeof(subject), "Recourse: %s was "
		    "escalated", ref);
	else
		(void)snprintf(subject, sizeof(subject), "Recourse: %s "
		    "breached its %s", ref, clocks.len > 0 ? sbuf_cstr(&clocks) :
		    "service-level deadline");
	sbuf_free(&clocks);
	header_block(m, c, to, subject, res, row);
	sbuf_printf(m, "%s\r\n\r\n", subject + strlen("Recourse: "));
	case_link(m, c, ref);
}

static void
compose_digest(struct sbuf *m, const struct config *c, const char *to,
    PGresult *res, int row, json_t *payload)
{
	static const struct {
		const char	*why;
		const char	*heading;
	} groups[] = {
		{ "new", "New cases in your queues" },
		{ "assigned", "Assigned to you" },
		{ "at_risk", "At risk of missing a deadline" },
		{ "breached", "Past a deadline" },
	};
	json_t		*items, *it;
	const char	*clock;
	char		 subject[96];
	size_t		 g, i, n;

	items = json_object_get(payload, "items");
	(void)snprintf(subject, sizeof(subject), "Recourse: your digest "
	    "(%zu item%s)", json_array_size(items),
	    json_array_size(items) == 1 ? "" : "s");
	header_block(m, c, to, subject, res, row);
	sbuf_adds(m, "Since your last digest:\r\n");
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		n = 0;
		json_array_foreach(items, i, it) {
			if (strcmp(jstr(it, "why"), groups[g].why) != 0)
				continue;
			if (n++ == 0)
				sbuf_printf(m, "\r\n%s:\r\n",
				    groups[g].heading);
			clock = json_string_value(json_object_get(it,
			    "clock"));
			case_link(m, c, jstr(it, "reference"));
			if (clock != NULL && strspn(clock,
			    "abcdefghijklmnopqrstuvwxyz_") == strlen(clock))
				sbuf_printf(m, "    (%s clock)\r\n", clock);
		}
	}
}

struct upload {
	const char	*data;
	size_t		 len, off;
};

static size_t
upload_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload	*u = arg;
	size_t		 n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return (n);
}

/* The last command libcurl sent, which the server's last answer is to. */
enum smtp_stage {
	S_CONNECT, S_HELLO, S_STARTTLS, S_AUTH, S_MAIL, S_RCPT, S_DATA
};

/*
 * libcurl's trace of what it sends, read only for the command's verb and
 * never kept: an AUTH line carries the password.  Base64 continuation
 * lines hold no space or colon, so they match no verb.
 */
static int
smtp_trace(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	static const struct {
		const char	*verb;
		enum smtp_stage	 stage;
	} verbs[] = {
		{ "EHLO ", S_HELLO }, { "HELO ", S_HELLO },
		{ "STARTTLS\r\n", S_STARTTLS }, { "AUTH ", S_AUTH },
		{ "MAIL FROM:", S_MAIL }, { "RCPT TO:", S_RCPT },
		{ "DATA\r\n", S_DATA },
	};
	enum smtp_stage	*stage = arg;
	size_t		 i, n;

	(void)h;
	if (type != CURLINFO_HEADER_OUT)
		return (0);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		n = strlen(verbs[i].verb);
		if (size >= n && strncasecmp(data, verbs[i].verb, n) == 0)
			*stage = verbs[i].stage;
	}
	return (0);
}

/*
 * What went wrong, in our own words (a server's text can quote the
 * recipient's address), and whether to try again.  A 5xx answer to the
 * recipient or the message is final for this message: "failed".  Anything
 * before (TLS, AUTH, MAIL FROM) is about the server or our settings, the
 * same for every row, so the row waits for them to be fixed: "retry",
 * until RECOURSE_SMTP_MAX_ATTEMPTS.
 */
static const char *
smtp_outcome(CURLcode rc, long code, enum smtp_stage stage, char *error,
    size_t size)
{
	const char	*what;
	int		 final = 0;

	switch (rc) {
	case CURLE_LOGIN_DENIED:
		what = "authentication failed: the SMTP server refused the "
		    "user name or password";
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		what = "the SMTP server's certificate could not be verified "
		    "(RECOURSE_SMTP_CA_FILE)";
		break;
	case CURLE_USE_SSL_FAILED:
		what = "the SMTP server does not offer STARTTLS";
		break;
	case CURLE_SSL_CONNECT_ERROR:
		what = "the TLS handshake with the SMTP server failed";
		break;
	default:
		final = code >= 500 && code <= 599 &&
		    (stage == S_RCPT || stage == S_DATA);
		if (code < 400)
			what = curl_easy_strerror(rc);
		else if (stage == S_MAIL && code == 530)
			what = "the SMTP server requires STARTTLS or "
			    "authentication first";
		else if (stage == S_MAIL)
			what = "the SMTP server refused the sender";
		else if (stage == S_RCPT)
			what = "the SMTP server refused the recipient";
		else if (stage == S_DATA)
			what = "the SMTP server refused the message";
		else
			what = "the SMTP server refused the session";
	}
	if (code >= 400)
		(void)snprintf(error, size, "%s (SMTP %ld)", what, code);
	else
		(void)snprintf(error, size, "%s", what);
	return (final ? "failed" : "retry");
}

/*
 * One SMTP transaction.  Returns "sent", "failed" (a permanent refusal of
 * this message) or "retry", with the error in 'error' in our own words.
 */
static const char *
smtp_send(const struct config *c, const char *to, struct sbuf *msg,
    char *error, size_t size)
{
	CURL			*h;
	struct curl_slist	*rcpt = NULL;
	struct upload		 u;
	char			 url[300], addr[INTAKE_EMAIL_MAX + 3];
	CURLcode		 rc;
	long			 code = 0;
	enum smtp_stage		 stage = S_CONNECT;

	if ((h = curl_easy_init()) == NULL) {
		(void)snprintf(error, size, "could not start libcurl");
		return ("retry");
	}
	(void)snprintf(url, sizeof(url), "smtp://%s:%s", c->host, c->port);
	(void)snprintf(addr, sizeof(addr), "<%s>", to);
	rcpt = curl_slist_append(rcpt, addr);
	u.data = msg->data;
	u.len = msg->len;
	u.off = 0;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp");
	curl_easy_setopt(h, CURLOPT_USE_SSL, c->starttls ? CURLUSESSL_ALL :
	    CURLUSESSL_NONE);
	/* The defaults, said aloud: there is no setting to turn them off. */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file != NULL) {
		/* Instead of the system's CAs, not beside them. */
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	/* With a trace function nothing is printed: the trace is ours. */
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, smtp_trace);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, &stage);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	if (c->user[0] != '\0') {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
	}
	(void)snprintf(url, sizeof(url), "<%s>", c->from_addr);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, url);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s);
	rc = curl_easy_perform(h);
	(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	if (rc == CURLE_OK)
		return ("sent");
	return (smtp_outcome(rc, code, stage, error, size));
}

static void
record(PGconn *db, const struct config *c, const char *id,
    const char *outcome, const char *error)
{
	char		 base[24], cap[24], max[16];
	const char	*v[6];
	PGresult	*res;

	(void)snprintf(base, sizeof(base), "%lld", c->backoff_ms);
	(void)snprintf(cap, sizeof(cap), "%lld", c->backoff_max_ms);
	(void)snprintf(max, sizeof(max), "%d", c->max_attempts);
	v[0] = id;
	v[1] = outcome;
	v[2] = error[0] != '\0' ? error : NULL;
	v[3] = base;
	v[4] = cap;
	v[5] = max;
	res = PQexecParams(db, "SELECT outbox_done($1, $2, $3, $4, $5, $6)",
	    6, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		logf_line("outbox %s: %s%s%s", id, PQgetvalue(res, 0, 0),
		    error[0] != '\0' ? ": " : "", error);
	else
		/* The lease runs out and the row is tried again. */
		logf_line("outbox %s: could not record %s: %s", id, outcome,
		    pg_primary(db, res));
	PQclear(res);
}

/* Composes and sends one claimed row, then records the outcome. */
static void
deliver(PGconn *db, const struct config *c, PGresult *res, int row)
{
	const char	*id = PQgetvalue(res, row, R_ID);
	const char	*kind = PQgetvalue(res, row, R_KIND);
	const char	*outcome;
	char		 to[INTAKE_EMAIL_MAX + 1], error[200];
	struct sbuf	 msg;
	json_t		*payload;

	error[0] = '\0';
	to[0] = '\0';
	if (strcmp(kind, "complainant_note") == 0) {
		if (!complainant_address(c, res, row, to, sizeof(to))) {
			record(db, c, id, "cancelled", "the contact address "
			    "could not be read");
			return;
		}
	} else if (PQgetisnull(res, row, R_EMAIL) ||
	    strlen(PQgetvalue(res, row, R_EMAIL)) >= sizeof(to) ||
	    !intake_email_valid(PQgetvalue(res, row, R_EMAIL))) {
		record(db, c, id, "cancelled", "no valid staff address");
		return;
	} else
		(void)snprintf(to, sizeof(to), "%s", PQgetvalue(res, row,
		    R_EMAIL));

	payload = json_loads(PQgetvalue(res, row, R_PAYLOAD), 0, NULL);
	sbuf_init(&msg);
	if (strcmp(kind, "complainant_note") == 0)
		compose_note(&msg, c, to, res, row);
	else if (strcmp(kind, "supervisor_alert") == 0)
		compose_alert(&msg, c, to, res, row, payload);
	else
		compose_digest(&msg, c, to, res, row, payload);
	json_decref(payload);
	logf_line("outbox %s (%s): attempt %s", id, kind,
	    PQgetvalue(res, row, R_ATTEMPTS));
	outcome = smtp_send(c, to, &msg, error, sizeof(error));
	sodium_memzero(msg.data, msg.len);
	sbuf_free(&msg);
	sodium_memzero(to, sizeof(to));
	record(db, c, id, outcome, error);
}

/* Claims due rows and delivers them; returns how many were claimed. */
static int
send_due(PGconn *db, const struct config *c)
{
	char		 lease[24], limit[8];
	const char	*v[3] = { lease, limit, c->domain };
	PGresult	*res;
	int		 i, n;

	(void)snprintf(lease, sizeof(lease), "%lld", c->lease_ms);
	(void)snprintf(limit, sizeof(limit), "%d", CLAIM_BATCH);
	res = PQexecParams(db, "SELECT * FROM outbox_claim($1, $2, $3)", 3,
	    NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		logf_line("could not claim: %s", pg_primary(db, res));
		PQclear(res);
		return (-1);
	}
	n = PQntuples(res);
	for (i = 0; i < n && !stopping; i++)
		deliver(db, c, res, i);
	PQclear(res);
	return (n);
}

static void
digest_due(PGconn *db, const struct config *c)
{
	char		 every[24], lag[24];
	const char	*v[2] = { every, lag };
	PGresult	*res;

	(void)snprintf(every, sizeof(every), "%lld", c->digest_ms);
	(void)snprintf(lag, sizeof(lag), "%lld", c->lag_ms);
	res = PQexecParams(db, "SELECT digest_enqueue($1, $2)", 2, NULL, v,
	    NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		logf_line("could not queue digests: %s", pg_primary(db, res));
	else if (!PQgetisnull(res, 0, 0) &&
	    strcmp(PQgetvalue(res, 0, 0), "0") != 0)
		logf_line("digests queued: %s", PQgetvalue(res, 0, 0));
	PQclear(res);
}

static void
pause_ms(long long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	(void)nanosleep(&ts, NULL);
}

int
main(int argc, char *argv[])
{
	struct config		 c;
	struct sigaction	 sa;
	PGconn			*db = NULL;
	int			 n;

	if (argc != 1) {
		fprintf(stderr, "usage: recourse-mailer (configured by the "
		    "environment: see README.md)\n");
		return (2);
	}
	if (sodium_init() < 0)
		errx(2, "could not initialise libsodium");
	configure(&c);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		errx(2, "could not initialise libcurl");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (c.host == NULL)
		logf_line("no RECOURSE_SMTP_HOST: mail stays queued "
		    "(see /admin/outbox)");
	else
		logf_line("sending through %s:%s (%s)", c.host, c.port,
		    c.starttls ? "STARTTLS" : "no TLS");

	while (!stopping) {
		if (db == NULL || PQstatus(db) != CONNECTION_OK) {
			PQfinish(db);
			db = PQconnectdb(c.db);
			if (PQstatus(db) != CONNECTION_OK) {
				logf_line("no connection to the database; "
				    "trying again");
				pause_ms(c.poll_ms < 1000 ? 1000 : c.poll_ms);
				continue;
			}
		}
		digest_due(db, &c);
		n = c.host != NULL ? send_due(db, &c) : 0;
		/* A full batch: there may be more due at once. */
		if (n < CLAIM_BATCH)
			pause_ms(c.poll_ms);
	}
	PQfinish(db);
	curl_global_cleanup();
	sodium_memzero(&c, sizeof(c));
	logf_line("stopped");
	return (0);
}
