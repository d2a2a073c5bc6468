/*
 * The complainant's pages: home, privacy notice, the complaint form and its
 * submission, and the receipt.  Tracking is in rt_track.c.
 */

#include <string.h>

#include "app.h"

/* Handlers that run over several wake-ups move through these phases. */
enum { PH_START, PH_ANSWERS, PH_INSERT, PH_TAXONOMY };

int
rt_home(struct http_request *req)
{
	struct sbuf	 b;

	if (strcmp(req->path, "/") != 0)
		return (rt_not_found(req));
	if (!rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	sbuf_init(&b);
	view_home(&b);
	rt_send_html(req, 200, &b);
	sbuf_free(&b);
	return (KORE_RESULT_OK);
}

static void
privacy_ctx_free(void *p)
{
	db_done(p);
}

/*
 * GET /privacy, with each queue's retention period from the database; if
 * it cannot be read the notice still answers, with the default period.
 */
int
rt_privacy(struct http_request *req)
{
	struct db_query	*q;
	struct sbuf	 b;
	enum db_status	 st;
	json_t		*retention = NULL;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	q = rt_ctx(req, sizeof(*q), privacy_ctx_free);
	/* Each instance's database role runs a function of its own. */
	st = db_run(q, req, app.review ? "SELECT staff_privacy_retention()" :
	    "SELECT privacy_retention()", 0, NULL, NULL, NULL);
	if (st == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (st == DB_OK && db_rows(q) == 1)
		retention = json_loads(db_value(q, 0, 0), 0, NULL);
	sbuf_init(&b);
	view_privacy(&b, retention);
	rt_send_html(req, 200, &b);
	sbuf_free(&b);
	json_decref(retention);
	return (KORE_RESULT_OK);
}

struct form_ctx {
	int		 phase;
	struct filing	 f;
	struct db_query	 tq;
	char		 csrf[VAULT_FORM_TOKEN_TEXT + 1];
	int		 filing_ready;
	int		 status;	/* of the re-rendered form */
	const char	*notice;	/* shown above the form, or NULL */
};

/* Why a form comes back without being saved, above the fields. */
static const char notice_expired[] = "Nothing was saved: this form was "
    "open for more than a day, and for your safety we only accept a recent "
    "one. Your answers are below; check them and press \"Send my report\" "
    "again.";
static const char notice_foreign[] = "Nothing was saved: for your safety we "
    "only accept this form when it was opened on this website, and this "
    "one came from somewhere else. If you meant to send it, check your "
    "answers below and press \"Send my report\" on this page.";
static const char notice_unavailable[] = "Your report was NOT saved: our "
    "database is briefly unreachable. Your answers are below; please press "
    "\"Send my report\" again in a minute.";

static void
form_ctx_free(void *p)
{
	struct form_ctx	*c = p;

	if (c->filing_ready)
		filing_free(&c->f);
	db_done(&c->tq);
}

static struct form_ctx *
form_ctx(struct http_request *req)
{
	struct form_ctx	*c;

	c = rt_ctx(req, sizeof(*c), form_ctx_free);
	if (!c->filing_ready) {
		filing_init(&c->f);
		db_init(&c->tq);
		c->filing_ready = 1;
	}
	return (c);
}

/*
 * Renders the form, empty or with the user's input, errors and a notice.
 * The taxonomy comes from the worker's cache when it is fresh, from the
 * database otherwise; while the database is down a stale copy still lets
 * the complainant keep their answers.  Returns KORE_RESULT_RETRY while the
 * query runs.
 */
static int
form_render(struct http_request *req, struct form_ctx *c, int status,
    const struct intake *in, const char *notice)
{
	/* The files it had are not in the form that comes back. */
	size_t			 lost = in != NULL ? c->f.ev.n : 0;
	const struct taxonomy	*tax;
	struct form_view	 v;
	struct sbuf		 b;
	enum db_status		 st;
	int			 ret;

	if ((tax = taxonomy_cached(TAXONOMY_FRESH_MS)) == NULL) {
		st = db_taxonomy(&c->tq, req);
		if (st == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (st == DB_OK)
			taxonomy_cache_store(&c->tq);
		if ((tax = taxonomy_cached(0)) == NULL) {
			(void)rt_db_ready(req, st, &ret);
			return (ret);
		}
	}
	if (status == 503)
		http_response_header(req, "retry-after", "5");
	memset(&v, 0, sizeof(v));
	v.tax = tax;
	v.in = in;
	v.csrf = c->csrf;
	v.token = c->f.token;
	v.errors = in != NULL && notice == NULL;
	v.notice = notice;
	v.files_lost = lost;
	sbuf_init(&b);
	view_form(&b, &v);
	rt_send_html(req, status, &b);
	sbuf_free(&b);
	return (KORE_RESULT_OK);
}

/* GET /complaints/new */
int
rt_complaint_form(struct http_request *req)
{
	struct form_ctx	*c;

	if (req->hdlr_extra == NULL) {
		if (!rt_method(req, HTTP_METHOD_GET))
			return (KORE_RESULT_OK);
		c = form_ctx(req);
		rt_csrf_issue(req, c->csrf, sizeof(c->csrf));
		vault_token_new(c->f.token);
	}
	c = form_ctx(req);
	return (form_render(req, c, 200, NULL, NULL));
}

static int
is_form_token(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return (0);
	return (i == VAULT_TOKEN_TEXT);
}

/*
 * Reads the posted form into c->f.in.  Answers (400, 403, 413) and returns
 * 0 when the request cannot be a submission of our form.
 */
static int
complaint_read(struct http_request *req, struct form_ctx *c)
{
	const struct formfield	*ff;
	struct formdata		 fd;
	int			 f, ok = 0;
	enum rt_csrf		 csrf;

	if (!rt_form_max(req, &fd, RT_UPLOAD_BODY_MAX))
		return (0);
	ff = formdata_get(&fd, "idempotency_token");
	if (ff == NULL || !is_form_token(ff->value)) {
		rt_error(req, 400, "The form is incomplete",
		    "Go back, reload the form and send it again. Nothing was "
		    "saved.");
		goto out;
	}
	(void)kore_strlcpy(c->f.token, ff->value, sizeof(c->f.token));
	for (f = 0; f < IF__MAX; f++) {
		if (f == IF_TARGETING_REASONS)
			continue;
		if ((ff = formdata_get(&fd, intake_field_name[f])) != NULL)
			intake_set(&c->f.in, f, ff->value, ff->len);
	}
	/* Every value: the targeting reasons are checkboxes. */
	for (ff = NULL; (ff = formdata_next(&fd, "targeting_reasons", ff)) !=
	    NULL; )
		intake_set(&c->f.in, IF_TARGETING_REASONS, ff->value, ff->len);
	/* The files, each checked and stripped of metadata now. */
	evidence_set_from_form(&c->f.ev, &fd);
	c->f.in.error[IF_EVIDENCE] = c->f.ev.error;
	/* A stale or foreign form comes back filled in, never saved. */
	ff = formdata_get(&fd, "csrf");
	csrf = rt_csrf_check(req, ff != NULL ? ff->value : NULL);
	if (csrf != RT_CSRF_OK) {
		c->status = 403;
		c->notice = csrf == RT_CSRF_EXPIRED ? notice_expired :
		    notice_foreign;
		/*
		 * The posted token may be a forger's: if it stayed, the forger
		 * could replay it later and be shown this person's receipt.
		 * Nothing was saved under it, so a new one loses nothing.
		 */
		vault_token_new(c->f.token);
	}
	ok = 1;
out:
	rt_form_done(req, &fd);
	return (ok);
}

static void
receipt_page(struct http_request *req, struct form_ctx *c, int status)
{
	struct sbuf	 b;
	json_t		*files;

	sbuf_init(&b);
	files = evidence_set_json(&c->f.ev, 1);
	view_receipt(&b, c->f.result.reference, c->f.receipt, &c->f.in, files);
	json_decref(files);
	rt_send_html(req, status, &b);
	sbuf_free(&b);
}

/* POST /complaints */
int
rt_complaint_post(struct http_request *req)
{
	struct form_ctx	*c;
	struct sbuf	 b;
	int		 ret, ok;
	char		 today[11];

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_POST))
		return (KORE_RESULT_OK);
	c = form_ctx(req);

	if (c->phase == PH_START) {
		if (!complaint_read(req, c))
			return (KORE_RESULT_OK);
		rt_csrf_issue(req, c->csrf, sizeof(c->csrf));
		today_utc(today);
		if (c->notice != NULL) {
			c->phase = PH_TAXONOMY;
		} else if (!intake_validate(&c->f.in, today)) {
			c->status = 422;
			c->phase = PH_TAXONOMY;
		} else
			c->phase = intake_has_answers(&c->f.in) ? PH_ANSWERS :
			    PH_INSERT;
		if (c->phase == PH_INSERT)
			filing_prepare(&c->f, "form", c->f.token);
	}

	/* Demographic answers are checked against the options offered. */
	if (c->phase == PH_ANSWERS) {
		switch (filing_answers(&c->f, &c->tq, req, &ok)) {
		case DB_PENDING:
			return (KORE_RESULT_RETRY);
		case DB_UNAVAILABLE:
		case DB_FAILED:
			c->status = 503;
			c->notice = notice_unavailable;
			c->phase = PH_TAXONOMY;
			return (form_render(req, c, c->status, &c->f.in,
			    c->notice));
		case DB_OK:
			break;
		}
		if (!ok) {
			c->status = 422;
			c->phase = PH_TAXONOMY;
		} else {
			filing_prepare(&c->f, "form", c->f.token);
			c->phase = PH_INSERT;
		}
	}

	if (c->phase == PH_INSERT) {
		switch (db_intake(&c->f.q, req, &c->f.rq)) {
		case DB_PENDING:
			return (KORE_RESULT_RETRY);
		case DB_UNAVAILABLE:
			/* Not saved: give the answers back to send again. */
			c->status = 503;
			c->notice = notice_unavailable;
			c->phase = PH_TAXONOMY;
			return (form_render(req, c, c->status, &c->f.in,
			    c->notice));
		case DB_FAILED:
			(void)rt_db_ready(req, DB_FAILED, &ret);
			return (ret);
		case DB_OK:
			break;
		}
		db_intake_read(&c->f.q, &c->f.result);
		switch (c->f.result.outcome) {
		case INTAKE_CREATED:
			receipt_page(req, c, 201);
			return (KORE_RESULT_OK);
		case INTAKE_REPLAY:
			if (filing_receipt(&c->f)) {
				receipt_page(req, c, 201);
				return (KORE_RESULT_OK);
			}
			/* FALLTHROUGH */
		case INTAKE_CONFLICT:
			sbuf_init(&b);
			view_receipt_gone(&b, c->f.result.reference,
			    c->f.result.outcome == INTAKE_CONFLICT);
			rt_send_html(req, c->f.result.outcome ==
			    INTAKE_CONFLICT ? 409 : 200, &b);
			sbuf_free(&b);
			return (KORE_RESULT_OK);
		case INTAKE_BAD_CATEGORY:
			c->f.in.error[IF_CATEGORY] = "Choose one of the listed "
			    "kinds of concern.";
			/* The cached list may be out of date. */
			taxonomy_cache_stale();
			break;
		case INTAKE_BAD_CHANNEL:
			c->f.in.error[IF_CHANNEL] = "Choose one of the listed "
			    "channels.";
			taxonomy_cache_stale();
			break;
		case INTAKE_BAD_TARGETING:
			c->f.in.error[IF_TARGETING_REASONS] = "Choose from the "
			    "listed reasons: one you chose is no longer "
			    "offered.";
			taxonomy_cache_stale();
			break;
		}
		c->status = 422;
		c->phase = PH_TAXONOMY;
	}

	return (form_render(req, c, c->status, &c->f.in, c->notice));
}
