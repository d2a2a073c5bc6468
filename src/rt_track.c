/*
 * Following a case with the receipt code (/track): its state and events,
 * what track_detail.c opens with the code, and the forms of the
 * complainant's reply (with files), appeal, consent withdrawal and erasure
 * request (track_act.c).  Every
 * use of a code goes through the same throttled lookup first.
 */

#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app.h"

enum { PH_START, PH_TRACK, PH_DETAIL, PH_ACT };

struct track_ctx {
	int			 phase;
	int			 acted;
	struct track_act	 a;
	struct db_query		 q;
	struct track_result	 r;
	char			 csrf[VAULT_FORM_TOKEN_TEXT + 1];
	unsigned char		 client[VAULT_HASHBYTES];
	unsigned char		 receipt[VAULT_HASHBYTES];
	char			 typed[INTAKE_CODE_MAX + 1];
	char			 norm[VAULT_RECEIPT_CHARS + 1];
	const char		*text_error;
	int			 refused;	/* the form failed its CSRF check */
	const char		*notice;
	struct track_view	 v;
};

static void
track_ctx_free(void *p)
{
	struct track_ctx	*c = p;

	db_done(&c->q);
	track_result_free(&c->r);
	track_detail_free(&c->v.d);
	track_act_free(&c->a);
	sodium_memzero(c->norm, sizeof(c->norm));
}

static void
track_form(struct http_request *req, struct track_ctx *c, int status,
    const char *error)
{
	struct sbuf	 b;

	sbuf_init(&b);
	view_track_form(&b, c->csrf, c->typed[0] ? c->typed : NULL, error);
	rt_send_html(req, status, &b);
	sbuf_free(&b);
}

/*
 * The lookup shared by the page and the API: the client's hourly pseudonym
 * and the code's keyed hash.  The address itself goes no further.  Returns
 * 0 having answered when the client's address cannot be known (400).
 */
static int
track_keys(struct http_request *req, const char *norm,
    unsigned char client[VAULT_HASHBYTES],
    unsigned char receipt[VAULT_HASHBYTES])
{
	struct tm	 tm;
	time_t		 now;
	char		 hour[16];
	const char	*addr;

	if ((addr = rt_client_address(req)) == NULL)
		return (0);
	now = time(NULL);
	gmtime_r(&now, &tm);
	(void)strftime(hour, sizeof(hour), "%Y-%m-%dT%H", &tm);
	vault_client_id(&app.keys, addr, hour, client);
	vault_receipt_hash(&app.keys, norm, receipt);
	return (1);
}

/* The act's own field, as the page's form names it. */
static void
track_read_act(struct track_ctx *c, const struct formdata *fd)
{
	const struct formfield	*ff;

	if (c->a.verb == TRACK_WITHDRAW) {
		ff = formdata_get(fd, "consent");
		c->text_error = track_act_consent(&c->a, ff != NULL ?
		    ff->value : NULL);
		return;
	}
	if (c->a.verb == TRACK_ERASE) {
		ff = formdata_get(fd, "confirm");
		c->text_error = track_act_confirm(&c->a, ff != NULL &&
		    strcmp(ff->value, "yes") == 0);
		return;
	}
	ff = formdata_get(fd, c->a.verb == TRACK_APPEAL ? "appeal" : "reply");
	c->text_error = track_act_text(&c->a, ff != NULL ? ff->value : NULL,
	    ff != NULL ? ff->len : 0);
	/* A reply's files, each checked and stripped of metadata now. */
	if (c->a.verb == TRACK_REPLY)
		evidence_set_from_form(&c->a.ev, fd);
}

/* Reads the posted code (and text); answers and returns 0 when unusable. */
static int
track_read(struct http_request *req, struct track_ctx *c)
{
	const struct formfield	*ff;
	struct formdata		 fd;
	enum rt_csrf		 csrf;
	const char		*msg;
	int			 ok = 0;

	if (!rt_form_max(req, &fd, c->a.verb == TRACK_REPLY ?
	    RT_UPLOAD_BODY_MAX : RT_BODY_MAX))
		return (0);
	ff = formdata_get(&fd, "csrf");
	csrf = rt_csrf_check(req, ff != NULL ? ff->value : NULL);
	ff = formdata_get(&fd, "receipt_code");
	if (ff == NULL || ff->len == 0) {
		track_form(req, c, 422, "Enter your receipt code.");
		goto out;
	}
	if (ff->len <= INTAKE_CODE_MAX && memchr(ff->value, '\0', ff->len) ==
	    NULL && utf8_valid(ff->value, ff->len))
		(void)kore_strlcpy(c->typed, ff->value, sizeof(c->typed));
	if (ff->len > INTAKE_CODE_MAX || memchr(ff->value, '\0', ff->len) ||
	    !vault_receipt_normalize(ff->value, c->norm)) {
		track_form(req, c, 422, "A receipt code has 24 letters and "
		    "digits, in groups of four. Check what you typed.");
		goto out;
	}
	if (c->a.verb != TRACK_LOOK)
		track_read_act(c, &fd);
	/*
	 * A stale or foreign form sends nothing.  A lookup comes back with
	 * the code kept; a reply or appeal shows the report with the text
	 * kept, so that one more press sends it (the page has a new token).
	 */
	if (csrf != RT_CSRF_OK) {
		c->refused = 1;
		msg = csrf == RT_CSRF_EXPIRED ? "Nothing was sent: this page "
		    "was open for more than a day. Press the button again to "
		    "send it now." : "Nothing was sent: for your safety we only "
		    "accept this form from a page of this website. If you meant "
		    "to send it, press the button on this page.";
		if (c->a.verb == TRACK_LOOK) {
			track_form(req, c, 403, msg);
			goto out;
		}
		if (c->text_error == NULL)
			c->text_error = msg;
	}
	ok = track_keys(req, c->norm, c->client, c->receipt);
out:
	rt_form_done(req, &fd);
	return (ok);
}

static void
track_page(struct http_request *req, struct track_ctx *c, int status)
{
	struct sbuf	 b;
	char		 grouped[VAULT_RECEIPT_TEXT + 1];
	size_t		 i, o;

	/* The code goes back into the page's forms, grouped as printed. */
	for (i = 0, o = 0; c->norm[i] != '\0'; i++) {
		if (i > 0 && i % 4 == 0)
			grouped[o++] = '-';
		grouped[o++] = c->norm[i];
	}
	grouped[o] = '\0';
	c->v.r = &c->r;
	c->v.csrf = c->csrf;
	c->v.code = grouped;
	c->v.notice = c->notice;
	c->v.error_verb = c->text_error == NULL && c->a.ev.error == NULL ?
	    NULL : c->a.verb == TRACK_APPEAL ? "appeal" : c->a.verb ==
	    TRACK_WITHDRAW ? "withdraw" : c->a.verb == TRACK_ERASE ? "erase" :
	    "reply";
	c->v.error = c->text_error;
	c->v.file_error = c->a.ev.error;
	/* Files that were fine but not sent are not in the form that comes
	 * back: no browser refills a file input. */
	c->v.files_lost = c->v.error_verb != NULL ? c->a.ev.n : 0;
	c->v.typed_text = c->a.text;
	sbuf_init(&b);
	view_track_result(&b, &c->v);
	rt_send_html(req, status, &b);
	sbuf_free(&b);
	sodium_memzero(grouped, sizeof(grouped));
}

static int
track_handler(struct http_request *req, enum track_verb verb)
{
	struct track_ctx	*c;
	enum track_act_outcome	 o;
	int			 ret, status;

	if (req->hdlr_extra == NULL && !rt_method(req, verb == TRACK_LOOK ?
	    HTTP_METHOD_GET | HTTP_METHOD_POST : HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), track_ctx_free);

	switch (c->phase) {
	case PH_START:
		track_act_init(&c->a, verb);
		rt_csrf_issue(req, c->csrf, sizeof(c->csrf));
		if (req->method != HTTP_METHOD_POST) {
			track_form(req, c, 200, NULL);
			return (KORE_RESULT_OK);
		}
		if (!track_read(req, c))
			return (KORE_RESULT_OK);
		c->phase = PH_TRACK;
		/* FALLTHROUGH */
	case PH_TRACK:
		if (!rt_db_ready(req, db_track(&c->q, req, c->client,
		    c->receipt), &ret))
			return (ret);
		track_result_free(&c->r);
		db_track_read(&c->q, &c->r);
		db_done(&c->q);
		if (c->r.outcome == TRACK_UNKNOWN) {
			track_form(req, c, 404, "No report matches this code. "
			    "Check each group of four and try again.");
			return (KORE_RESULT_OK);
		}
		if (c->r.outcome == TRACK_LIMITED) {
			http_response_header(req, "retry-after", "3600");
			track_form(req, c, 429, "Too many codes were tried from "
			    "your connection. Wait an hour, then try again.");
			return (KORE_RESULT_OK);
		}
		c->phase = PH_DETAIL;
		/* FALLTHROUGH */
	case PH_DETAIL:
		if (!rt_db_ready(req, track_detail_query(&c->q, req,
		    c->receipt), &ret))
			return (ret);
		ret = track_detail_read(&c->q, c->norm, &c->v.d);
		db_done(&c->q);
		if (!ret) {
			rt_error(req, 500, "Something went wrong", "Your report "
			    "could not be opened. Please try again.");
			return (KORE_RESULT_OK);
		}
		if (c->acted || c->refused || !track_act_ready(&c->a))
			break;
		c->phase = PH_ACT;
		/* FALLTHROUGH */
	case PH_ACT:
		if (!rt_db_ready(req, track_act_query(&c->a, &c->q, req,
		    c->receipt, &c->v.d), &ret))
			return (ret);
		o = track_act_outcome(&c->q);
		db_done(&c->q);
		if (track_act_retry(&c->a, o)) {
			/* Read the next free file number again. */
			c->phase = PH_DETAIL;
			return (track_handler(req, verb));
		}
		if (o == TRACK_ACT_OK)
			c->notice = track_act_done(&c->a);
		else if (o == TRACK_ACT_FULL)
			/* About the files: said next to their field. */
			c->a.ev.error = track_act_refusal(o);
		else
			c->text_error = track_act_refusal(o);
		c->acted = 1;
		/* Show the report as it is now. */
		c->phase = PH_TRACK;
		return (track_handler(req, verb));
	}
	status = c->refused ? 403 : c->text_error != NULL ||
	    c->a.ev.error != NULL ? (c->acted ? 409 : 422) : 200;
	track_page(req, c, status);
	return (KORE_RESULT_OK);
}

/* GET and POST /track */
int
rt_track(struct http_request *req)
{
	return (track_handler(req, TRACK_LOOK));
}

/* POST /track/reply */
int
rt_track_reply(struct http_request *req)
{
	return (track_handler(req, TRACK_REPLY));
}

/* POST /track/appeal */
int
rt_track_appeal(struct http_request *req)
{
	return (track_handler(req, TRACK_APPEAL));
}

/* POST /track/withdraw: one consent taken back. */
int
rt_track_withdraw(struct http_request *req)
{
	return (track_handler(req, TRACK_WITHDRAW));
}

/* POST /track/erase: the complainant asks for their data to be erased. */
int
rt_track_erase(struct http_request *req)
{
	return (track_handler(req, TRACK_ERASE));
}

/* The API's way to the same lookup keys from a typed code. */
int
rt_track_keys(struct http_request *req, const char *norm,
    unsigned char *client, unsigned char *receipt)
{
	return (track_keys(req, norm, client, receipt));
}
