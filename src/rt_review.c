/*
 * The back office's pages for cases: the work list (GET /review), the case
 * page (GET /review/cases/REF) and every action on it (POST
 * /review/cases/REF/VERB), each action answered by a redirect back to the
 * case or by the case page again with the problem next to the form.
 */

#include <string.h>

#include <sodium.h>

#include "app.h"

enum { PH_AUTH, PH_RUN, PH_LOAD, PH_OPTIONS, PH_LIST, PH_CLOCKS };

struct review_ctx {
	int			 phase;
	struct staff_auth_ctx	 auth;
	struct db_query		 q;
	char			 csrf[STAFF_TOKEN_TEXT + 1];
	char			 reference[24];
	struct worklist_filter	 filter;
	json_t			*options;
	json_t			*c;
	int			 post;
	struct case_action	 action;
	int			 status;	/* of the page shown again */
	const char		*error;		/* why the action was refused */
	int			 clock;		/* an action on the clocks */
	struct clock_action	 clock_action;
	json_t			*panel;		/* case_clock_panel() */
};

static void
review_ctx_free(void *p)
{
	struct review_ctx	*c = p;

	staff_auth_free(&c->auth);
	db_done(&c->q);
	json_decref(c->options);
	json_decref(c->c);
	case_action_free(&c->action);
	clock_action_free(&c->clock_action);
	json_decref(c->panel);
}

static enum db_status
options_query(struct review_ctx *c, struct http_request *req)
{
	char		 actor[24];
	const char	*v[2] = { actor, c->reference };

	(void)snprintf(actor, sizeof(actor), "%lld", (long long)c->auth.who.id);
	return (db_run(&c->q, req, "SELECT case_page_options($1, $2)", 2, v,
	    NULL, NULL));
}

static json_t *
options_read(struct review_ctx *c)
{
	json_t	*j;

	j = db_rows(&c->q) == 1 ? json_loads(db_value(&c->q, 0, 0), 0, NULL) :
	    NULL;
	return (j != NULL ? j : json_object());
}

/* GET /review */
int
rt_review_home(struct http_request *req)
{
	struct review_ctx	*c;
	struct worklist_view	 v;
	struct sbuf		 b;
	char			 next[80];
	int			 ret;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), review_ctx_free);

	switch (c->phase) {
	case PH_AUTH:
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		staff_csrf_of(&c->auth.who, c->csrf);
		c->phase = PH_OPTIONS;
		/* FALLTHROUGH */
	case PH_OPTIONS:
		if (!rt_db_ready(req, options_query(c, req), &ret))
			return (ret);
		c->options = options_read(c);
		db_done(&c->q);
		c->phase = PH_LIST;
		if (!worklist_filter_parse(&c->filter, req->query_string))
			break;
		/* FALLTHROUGH */
	case PH_LIST:
		if (!rt_db_ready(req, worklist_query(&c->q, req, &c->auth.who,
		    &c->filter), &ret))
			return (ret);
		break;
	}

	memset(&v, 0, sizeof(v));
	v.who = &c->auth.who;
	v.csrf = c->csrf;
	v.filter = &c->filter;
	v.options = c->options;
	next[0] = '\0';
	v.rows = c->filter.error_field == NULL ?
	    worklist_rows(&c->q, next, sizeof(next)) : json_array();
	if (c->filter.error_field == NULL)
		worklist_words(&c->q, v.rows);
	v.next = next;
	db_done(&c->q);
	sbuf_init(&b);
	view_worklist(&b, &v);
	rt_send_html(req, c->filter.error_field ? 400 : 200, &b);
	sbuf_free(&b);
	json_decref(v.rows);
	return (KORE_RESULT_OK);
}

/* Reads the action's form; 0 when it answered (400 or CSRF 403). */
static int
action_read(struct review_ctx *c, struct http_request *req)
{
	struct formdata		 fd;
	size_t			 i;

	if (!staff_form(req, &c->auth.who, &fd))
		return (0);
	for (i = 0; i < fd.count; i++)
		if (c->clock ? clock_action_set(&c->clock_action,
		    fd.field[i].name, fd.field[i].value) :
		    case_action_set(&c->action, fd.field[i].name,
		    fd.field[i].value))
			formdata_mark(&fd, fd.field[i].name);
	rt_form_done(req, &fd);
	return (1);
}

static void
case_page(struct http_request *req, struct review_ctx *c, int status)
{
	struct case_view	 v;
	struct sbuf		 b;

	memset(&v, 0, sizeof(v));
	v.who = &c->auth.who;
	v.csrf = c->csrf;
	v.c = c->c;
	v.options = c->options;
	v.clocks = c->panel;
	if (c->post && c->clock) {
		v.clock_typed = &c->clock_action;
		v.error = c->error;
	} else if (c->post) {
		v.typed = &c->action;
		v.error = c->error;
	}
	sbuf_init(&b);
	view_case(&b, &v);
	rt_send_html(req, status, &b);
	sbuf_free(&b);
}

static void
case_not_found(struct http_request *req)
{
	rt_error(req, 404, "Case not found", "There is no case with this "
	    "reference that you can see.");
}

/* GET /review/cases/REF and POST /review/cases/REF/VERB */
int
rt_review_case(struct http_request *req)
{
	struct review_ctx	*c;
	const char		*verb, *msg;
	enum case_verb		 cv;
	enum clock_verb		 kv;
	char			 loc[64];
	int			 ret, built, field = -1;

	c = rt_ctx(req, sizeof(*c), review_ctx_free);

	switch (c->phase) {
	case PH_AUTH:
		if (!case_path_split(req->path, "/review/cases/", c->reference,
		    sizeof(c->reference), &verb)) {
			case_not_found(req);
			return (KORE_RESULT_OK);
		}
		/* The page is GET-only; actions (.../VERB) are POST-only. */
		c->post = *verb == '/';
		verb += c->post;
		if (!rt_method(req, c->post ? HTTP_METHOD_POST :
		    HTTP_METHOD_GET))
			return (KORE_RESULT_OK);
		c->clock = c->post && clock_verb_parse(verb, &kv);
		if (c->post && !c->clock && !case_verb_parse(verb, &cv)) {
			rt_not_found(req);
			return (KORE_RESULT_OK);
		}
		if (!staff_gate(&c->auth, req, 0, &ret))
			return (ret);
		staff_csrf_of(&c->auth.who, c->csrf);
		c->phase = PH_LOAD;
		if (!c->post)
			goto load;
		if (c->clock)
			clock_action_init(&c->clock_action, kv);
		else
			case_action_init(&c->action, cv);
		if (!action_read(c, req))
			return (KORE_RESULT_OK);
		if (c->clock ? !clock_action_validate(&c->clock_action) :
		    !case_action_validate(&c->action)) {
			c->status = 422;
			goto load;
		}
		c->phase = PH_RUN;
		/* FALLTHROUGH */
	case PH_RUN:
		if (!rt_db_ready(req, c->clock ?
		    clock_action_perform(&c->clock_action, &c->q, req,
		    &c->auth.who, c->reference) :
		    case_action_perform(&c->action, &c->q,
		    req, &c->auth.who, c->reference), &ret))
			return (ret);
		if (c->clock) {
			c->status = clock_outcome_status(&c->clock_action,
			    db_value(&c->q, 0, 0), &msg);
			refusal_case_verb(&c->auth.who, clock_verb_name(
			    c->clock_action.verb), c->reference,
			    db_value(&c->q, 0, 0));
		} else {
			c->status = case_outcome_status(db_value(&c->q, 0, 0),
			    &msg);
			field = case_outcome_field(db_value(&c->q, 0, 0));
			refusal_case_action(&c->auth.who, c->action.verb,
			    c->reference, db_value(&c->q, 0, 0));
		}
		db_done(&c->q);
		if (c->status == 200) {
			(void)snprintf(loc, sizeof(loc), "/review/cases/%s",
			    c->reference);
			rt_redirect(req, loc);
			return (KORE_RESULT_OK);
		}
		if (c->status == 404) {
			case_not_found(req);
			return (KORE_RESULT_OK);
		}
		/* A refusal about one field goes next to that field. */
		if (field >= 0) {
			c->action.error[field] = msg;
			c->action.nerrors++;
		} else
			c->error = msg;
		c->phase = PH_LOAD;
		/* FALLTHROUGH */
	case PH_LOAD:
	load:
		if (!rt_db_ready(req, case_file_query(&c->q, req, &c->auth.who,
		    c->reference), &ret))
			return (ret);
		built = case_file_build(&c->q, &c->c);
		db_done(&c->q);
		if (built == 0) {
			refusal_case_read(&c->auth.who, c->reference);
			case_not_found(req);
			return (KORE_RESULT_OK);
		}
		if (built < 0) {
			rt_error(req, 500, "Something went wrong", "This case "
			    "could not be opened.");
			return (KORE_RESULT_OK);
		}
		c->phase = PH_OPTIONS;
		/* FALLTHROUGH */
	case PH_OPTIONS:
		if (!rt_db_ready(req, options_query(c, req), &ret))
			return (ret);
		c->options = options_read(c);
		db_done(&c->q);
		c->phase = PH_CLOCKS;
		/* FALLTHROUGH */
	case PH_CLOCKS:
		if (!rt_db_ready(req, clock_panel_query(&c->q, req,
		    &c->auth.who, c->reference), &ret))
			return (ret);
		c->panel = db_rows(&c->q) == 1 && !db_isnull(&c->q, 0, 0) ?
		    json_loads(db_value(&c->q, 0, 0), 0, NULL) : NULL;
		db_done(&c->q);
		break;
	}
	case_page(req, c, c->status ? c->status : 200);
	return (KORE_RESULT_OK);
}
