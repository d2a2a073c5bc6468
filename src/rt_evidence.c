/*
 * GET /review/cases/REF/evidence/N: a file the complainant sent, opened
 * with the review key for a reader who may see the case (the read is
 * audited by the database) and sent only as a download.
 */

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"

enum { PH_AUTH, PH_READ };

struct evidence_ctx {
	int			 phase;
	struct staff_auth_ctx	 auth;
	struct db_query		 q;
	char			 reference[24];
	unsigned		 n;
};

static void
evidence_ctx_free(void *p)
{
	struct evidence_ctx	*c = p;

	staff_auth_free(&c->auth);
	db_done(&c->q);
}

/* "RC-...": the reference, and N after "/evidence/"; 0 when malformed. */
static int
evidence_path(const char *path, char *ref, size_t size, unsigned *n)
{
	const char	*rest;
	char		*end;
	unsigned long	 v;

	if (!case_path_split(path, "/review/cases/", ref, size, &rest) ||
	    strncmp(rest, "/evidence/", 10) != 0)
		return (0);
	v = strtoul(rest + 10, &end, 10);
	if (*end != '\0' || v < 1 || v > 50 || rest[10] == '0')
		return (0);
	*n = (unsigned)v;
	return (1);
}

/*
 * Opens the file of the row case_evidence_read() gave, with the sealed key
 * that came with it (the case's, or a reply's file's own); 0 when it won't.
 */
static int
evidence_open(const struct db_query *q, unsigned n, struct sbuf *out)
{
	unsigned char	 dk[CASEBOX_KEYBYTES], *sealed, *salt, *box;
	size_t		 sealed_len, salt_len, box_len;
	int		 ok;

	sealed = db_bytea(q, 0, 2, &sealed_len);
	salt = db_bytea(q, 0, 3, &salt_len);
	box = db_bytea(q, 0, 1, &box_len);
	ok = sealed != NULL && salt != NULL && box != NULL &&
	    salt_len == VAULT_SALTBYTES && casebox_key(app.review_sk,
	    app.keys.review_pk, sealed, sealed_len, dk) &&
	    vault_evidence_open(dk, salt, n, box, box_len, out);
	sodium_memzero(dk, sizeof(dk));
	kore_free(sealed);
	kore_free(salt);
	kore_free(box);
	return (ok);
}

int
rt_review_evidence(struct http_request *req)
{
	struct evidence_ctx	*c;
	struct sbuf		 file;
	enum evidence_kind	 kind;
	char			 actor[24], num[8], name[64];
	const char		*v[3];
	int			 ret;

	c = rt_ctx(req, sizeof(*c), evidence_ctx_free);
	switch (c->phase) {
	case PH_AUTH:
		if (!rt_method(req, HTTP_METHOD_GET))
			return (KORE_RESULT_OK);
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		if (!evidence_path(req->path, c->reference,
		    sizeof(c->reference), &c->n)) {
			rt_not_found(req);
			return (KORE_RESULT_OK);
		}
		c->phase = PH_READ;
		/* FALLTHROUGH */
	case PH_READ:
		(void)snprintf(actor, sizeof(actor), "%lld",
		    (long long)c->auth.who.id);
		(void)snprintf(num, sizeof(num), "%u", c->n);
		v[0] = actor;
		v[1] = c->reference;
		v[2] = num;
		if (!rt_db_ready(req, db_run(&c->q, req, "SELECT kind, box, "
		    "key_sealed, complainant_salt FROM "
		    "case_evidence_read($1, $2, $3::integer)", 3, v, NULL,
		    NULL), &ret))
			return (ret);
		break;
	}
	if (db_rows(&c->q) != 1) {
		refusal_case_read(&c->auth.who, c->reference);
		rt_error(req, 404, "File not found", "There is no such file on "
		    "a case you can see.");
		return (KORE_RESULT_OK);
	}
	kind = evidence_kind_parse(db_value(&c->q, 0, 0));
	sbuf_init(&file);
	if (kind == EV_NONE || !evidence_open(&c->q, c->n, &file)) {
		sbuf_free(&file);
		rt_error(req, 500, "Something went wrong", "The file could not "
		    "be opened.");
		return (KORE_RESULT_OK);
	}
	(void)snprintf(name, sizeof(name), "%s-evidence-%u.%s", c->reference,
	    c->n, evidence_kind_ext(kind));
	rt_send_download(req, evidence_kind_mime(kind), name, file.data,
	    file.len);
	if (file.data != NULL)
		sodium_memzero(file.data, file.len);
	sbuf_free(&file);
	return (KORE_RESULT_OK);
}
