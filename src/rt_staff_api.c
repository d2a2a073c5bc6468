/*
 * The staff JSON API (bearer token): the work list, a case, and every
 * action on it, through the same checks, SQL functions and encryption as
 * the back-office pages.
 */

#include <string.h>

#include "app.h"

enum { PH_AUTH, PH_RUN, PH_LOAD, PH_LIST };

struct staff_api_ctx {
	int			 phase;
	struct staff_auth_ctx	 auth;
	struct db_query		 q;
	char			 reference[24];
	struct worklist_filter	 filter;
	int			 action_ready;
	struct case_action	 action;
};

static void
staff_api_ctx_free(void *p)
{
	struct staff_api_ctx	*c = p;

	staff_auth_free(&c->auth);
	db_done(&c->q);
	if (c->action_ready)
		case_action_free(&c->action);
}

/* 422 naming every filter that is not valid. */
static void
filter_errors(struct http_request *req, const struct worklist_filter *w)
{
	json_t	*j, *fields;
	int	 i;

	fields = json_object();
	for (i = 0; i < w->nbad; i++)
		json_object_set_new(fields, w->bad[i],
		    json_string("This filter value is not valid."));
	j = apijson_error("invalid", "Some fields are missing or invalid.");
	json_object_set_new(json_object_get(j, "error"), "fields", fields);
	rt_send_json(req, 422, j);
	json_decref(j);
}

/* GET /api/v1/cases */
int
rt_api_cases(struct http_request *req)
{
	struct staff_api_ctx	*c;
	json_t			*j;
	char			 next[80];
	int			 ret;

	if (req->hdlr_extra == NULL && !rt_method(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	c = rt_ctx(req, sizeof(*c), staff_api_ctx_free);
	if (c->phase == PH_AUTH) {
		if (!staff_gate(&c->auth, req, 1, &ret))
			return (ret);
		if (!worklist_filter_parse(&c->filter, req->query_string)) {
			filter_errors(req, &c->filter);
			return (KORE_RESULT_OK);
		}
		c->phase = PH_LIST;
	}
	if (!rt_db_ready(req, worklist_query(&c->q, req, &c->auth.who,
	    &c->filter), &ret))
		return (ret);
	j = json_object();
	json_object_set_new(j, "cases", worklist_rows(&c->q, next,
	    sizeof(next)));
	json_object_set_new(j, "next", next[0] ? json_string(next) :
	    json_null());
	db_done(&c->q);
	rt_send_json(req, 200, j);
	json_decref(j);
	return (KORE_RESULT_OK);
}

/*
 * The JSON body into the action: strings as given, priority and "to" as
 * integers, remedies as an array of strings, automated as a boolean.  An
 * unknown member or one of the wrong type is named in 'fields'.
 */
static void
api_action_read(struct case_action *a, json_t *doc, json_t *fields)
{
	const char	*key;
	json_t		*v, *r;
	size_t		 i;
	char		 num[24];
	int		 ok;

	json_object_foreach(doc, key, v) {
		ok = 1;
		if (strcmp(key, "priority") == 0 || strcmp(key, "to") == 0 ||
		    strcmp(key, "draft") == 0) {
			if ((ok = json_is_integer(v))) {
				(void)snprintf(num, sizeof(num), "%lld",
				    (long long)json_integer_value(v));
				(void)case_action_set(a, key, num);
			}
		} else if (strcmp(key, "remedies") == 0) {
			ok = json_is_array(v);
			json_array_foreach(v, i, r)
				if (!json_is_string(r))
					ok = 0;
			json_array_foreach(v, i, r)
				if (ok)
					(void)case_action_set(a, key,
					    json_string_value(r));
		} else if (strcmp(key, "automated") == 0 ||
		    strcmp(key, "checked") == 0) {
			if ((ok = json_is_boolean(v)))
				(void)case_action_set(a, key,
				    json_is_true(v) ? "yes" : "no");
		} else if (json_is_string(v)) {
			ok = memchr(json_string_value(v), '\0',
			    json_string_length(v)) == NULL &&
			    case_action_set(a, key, json_string_value(v));
		} else
			ok = json_is_null(v) && strcmp(key, "queue") == 0;
		if (!ok)
			json_object_set_new(fields, key, json_string("Unknown "
			    "field, or a value of the wrong type; see "
			    "docs/openapi.yaml."));
	}
}

/*
 * Reads and checks the action; 0 having answered 422 with every faulty
 * member named (a type problem before a missing value of the same name).
 */
static int
api_action_check(struct http_request *req, struct case_action *a,
    json_t *doc)
{
	json_t	*fields, *j;
	int	 f;

	fields = json_object();
	api_action_read(a, doc, fields);
	(void)case_action_validate(a);
	for (f = 0; f < CF__MAX; f++)
		if (a->error[f] != NULL &&
		    json_object_get(fields, case_field_names[f]) == NULL)
			json_object_set_new(fields, case_field_names[f],
			    json_string(a->error[f]));
	if (json_object_size(fields) == 0) {
		json_decref(fields);
		return (1);
	}
	j = apijson_error("invalid", "Some fields are missing or invalid.");
	json_object_set_new(json_object_get(j, "error"), "fields", fields);
	rt_send_json(req, 422, j);
	json_decref(j);
	return (0);
}

static int
api_case_answer(struct http_request *req, struct staff_api_ctx *c)
{
	json_t	*cf;
	int	 built;

	built = case_file_build(&c->q, &cf);
	db_done(&c->q);
	if (built == 0) {
		refusal_case_read(&c->auth.who, c->reference);
		rt_error(req, 404, "Case not found", "There is no case with "
		    "this reference that you can see.");
	} else if (built < 0)
		rt_error(req, 500, "Something went wrong", "The case could not "
		    "be opened.");
	else {
		rt_send_json(req, 200, cf);
		json_decref(cf);
	}
	return (KORE_RESULT_OK);
}

/* GET /api/v1/cases/REF and POST /api/v1/cases/REF/actions/VERB */
int
rt_api_case(struct http_request *req)
{
	struct staff_api_ctx	*c;
	const char		*verb, *msg;
	enum case_verb		 cv;
	json_t			*doc, *j;
	int			 ret, status, post, f;

	c = rt_ctx(req, sizeof(*c), staff_api_ctx_free);

	switch (c->phase) {
	case PH_AUTH:
		/* ".../REF" or ".../REF/actions/VERB" */
		if (!case_path_split(req->path, "/api/v1/cases/", c->reference,
		    sizeof(c->reference), &verb) || (*verb != '\0' &&
		    strncmp(verb, "/actions/", 9) != 0)) {
			rt_not_found(req);
			return (KORE_RESULT_OK);
		}
		post = *verb != '\0';
		verb += post ? 9 : 0;
		if (!rt_method(req, post ? HTTP_METHOD_POST : HTTP_METHOD_GET))
			return (KORE_RESULT_OK);
		if (post && !case_verb_parse(verb, &cv)) {
			rt_not_found(req);
			return (KORE_RESULT_OK);
		}
		if (!staff_gate(&c->auth, req, 1, &ret))
			return (ret);
		if (!post) {
			c->phase = PH_LOAD;
			goto load;
		}
		case_action_init(&c->action, cv);
		c->action_ready = 1;
		if ((doc = rt_api_read_json(req)) == NULL)
			return (KORE_RESULT_OK);
		ret = api_action_check(req, &c->action, doc);
		json_decref(doc);
		if (!ret)
			return (KORE_RESULT_OK);
		c->phase = PH_RUN;
		/* FALLTHROUGH */
	case PH_RUN:
		if (!rt_db_ready(req, case_action_perform(&c->action, &c->q,
		    req, &c->auth.who, c->reference), &ret))
			return (ret);
		status = case_outcome_status(db_value(&c->q, 0, 0), &msg);
		refusal_case_action(&c->auth.who, c->action.verb, c->reference,
		    db_value(&c->q, 0, 0));
		j = status == 200 ? json_pack("{s:s,s:s}", "outcome", "ok",
		    "reference", c->reference) : apijson_error(db_value(&c->q,
		    0, 0), msg);
		/* A refusal about one field names it, as a 422 does. */
		if ((f = case_outcome_field(db_value(&c->q, 0, 0))) >= 0)
			json_object_set_new(json_object_get(j, "error"),
			    "fields", json_pack("{s:s}", case_field_names[f],
			    msg));
		db_done(&c->q);
		rt_send_json(req, status, j);
		json_decref(j);
		return (KORE_RESULT_OK);
	case PH_LOAD:
	load:
		if (!rt_db_ready(req, case_file_query(&c->q, req, &c->auth.who,
		    c->reference), &ret))
			return (ret);
		return (api_case_answer(req, c));
	}
	return (KORE_RESULT_OK);
}
