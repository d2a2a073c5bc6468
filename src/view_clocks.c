/*
 * The service-level clocks as reviewers see them: risk in words as well
 * as colour, and the case page's panel that explains each clock (target,
 * calendar, pauses, due instant, why due then) with the forms to pause,
 * resume and extend.
 */

#include <string.h>
#include <time.h>

#include "app.h"
#include "sla_words.h"

/* A clock's or a row's state in words; the colour only repeats it. */
void
view_clock_risk(struct sbuf *b, const char *state)
{
	if (strcmp(state, "breached") == 0)
		html_raw(b, "<strong class=\"tag late\">Breached</strong>");
	else if (strcmp(state, "at_risk") == 0)
		html_raw(b, "<strong class=\"tag risk\">At risk</strong>");
	else if (strcmp(state, "running") == 0)
		html_raw(b, "<span class=\"tag ok\">On track</span>");
	else if (strcmp(state, "paused") == 0)
		html_raw(b, "<span class=\"tag paused\">Paused</span>");
	else if (strcmp(state, "met") == 0)
		html_raw(b, "<span class=\"tag\">Met</span>");
	else
		html_raw(b, "<span class=\"tag\">No clock running</span>");
}

static sla_time
jtime(json_t *o, const char *k)
{
	return ((sla_time)json_integer_value(json_object_get(o, k)));
}

static void
dt(struct sbuf *b, const char *term)
{
	html_raw(b, "<dt>");
	html_texts(b, term);
	html_raw(b, "</dt><dd>");
}

/* The policy's target of a clock ("2 business days"); 0 when none. */
static int
target_words(json_t *target, char *out, size_t size, int *business)
{
	enum sla_unit	 u;
	int		 n;

	n = (int)json_integer_value(json_object_get(target, "n"));
	if (n <= 0 || sla_words_unit(json_text(target, "unit"), &u) != 0)
		return (0);
	sla_words_target(out, size, n, u);
	*business = u == SLA_BUSINESS_HOURS || u == SLA_BUSINESS_DAYS;
	return (1);
}

/* The labels of the pauses that overlap [from, to), for "why due then". */
static void
pause_labels(struct sbuf *out, json_t *pauses, sla_time from, sla_time to)
{
	json_t	*p;
	size_t	 i, n = 0;

	json_array_foreach(pauses, i, p) {
		if (jtime(p, "from") >= to || (json_is_integer(json_object_get(
		    p, "to")) && jtime(p, "to") <= from))
			continue;
		sbuf_adds(out, n++ ? ", " : " (");
		sbuf_adds(out, json_text(p, "label"));
	}
	if (n > 0)
		sbuf_addc(out, ')');
}

/*
 * One line on why the clock is due when it is: its target from its
 * start, the time paused and why, the extension, the holidays closed.
 */
static void
why_due(struct sbuf *b, const struct sla_calendar *cal, json_t *k,
    json_t *panel, const char *target, int business, sla_time now)
{
	struct sbuf	 w;
	char		 s[SLA_WORDS_MAX];
	sla_time	 start = jtime(k, "started_at"), due = jtime(k, "due_at");
	sla_time	 end;
	json_t		*ext;
	int		 eb;

	sbuf_init(&w);
	sla_words_instant(s, sizeof(s), cal, start, now);
	sbuf_printf(&w, "%s from %s", target, s);
	if (json_integer_value(json_object_get(k, "paused_seconds")) > 0) {
		sla_words_span(s, sizeof(s), json_integer_value(
		    json_object_get(k, "paused_seconds")), business);
		sbuf_printf(&w, "; paused %s", s);
		end = json_is_integer(json_object_get(k, "met_at")) ?
		    jtime(k, "met_at") : now;
		pause_labels(&w, json_object_get(panel, "pauses"), start, end);
	}
	ext = json_object_get(json_object_get(json_object_get(panel,
	    "policy"), "definition"), "extension");
	if (json_is_true(json_object_get(k, "extended")) &&
	    target_words(ext, s, sizeof(s), &eb))
		sbuf_printf(&w, "; extended by %s", s);
	if (due > start) {
		sla_words_closed(s, sizeof(s), cal, start, due);
		if (s[0] != '\0')
			sbuf_printf(&w, "; %s", s);
	}
	html_texts(b, sbuf_cstr(&w));
	sbuf_free(&w);
}

static void
one_clock(struct sbuf *b, const struct sla_calendar *cal, json_t *k,
    json_t *panel, sla_time now)
{
	json_t		*def;
	const char	*name = json_text(k, "clock"), *state;
	char		 target[SLA_WORDS_MAX], s[SLA_WORDS_MAX];
	int		 business = 0;

	def = json_object_get(json_object_get(panel, "policy"), "definition");
	if (!target_words(json_object_get(def, name), target, sizeof(target),
	    &business))
		(void)snprintf(target, sizeof(target), "none");
	state = json_text(k, "state");
	html_raw(b, "<article class=\"clock\" id=\"clock-");
	html_attrs(b, name);
	html_raw(b, "\"><h3>");
	html_texts(b, view_clock_label(name));
	html_raw(b, " ");
	view_clock_risk(b, state);
	html_raw(b, "</h3>\n<dl class=\"summary\">\n");
	dt(b, "Target");
	html_texts(b, target);
	if (json_is_true(json_object_get(k, "extended")))
		html_raw(b, ", extended once");
	html_raw(b, "</dd>\n");
	dt(b, "Started");
	sla_words_instant(s, sizeof(s), cal, jtime(k, "started_at"), now);
	html_texts(b, s);
	html_raw(b, "</dd>\n");
	dt(b, strcmp(state, "met") == 0 ? "Met" : "Due");
	sla_words_clock(s, sizeof(s), cal, business, state,
	    jtime(k, "due_at"), 0, jtime(k, "met_at"), now);
	html_texts(b, s);
	html_raw(b, "</dd>\n");
	dt(b, "Breach recorded");
	if (json_is_integer(json_object_get(k, "breached_at"))) {
		sla_words_instant(s, sizeof(s), cal, jtime(k, "breached_at"),
		    now);
		html_raw(b, "Yes, ");
		html_texts(b, s);
		if (strcmp(state, "met") == 0)
			html_raw(b, " (kept on the record although met "
			    "later)");
	} else
		html_raw(b, "No");
	html_raw(b, "</dd>\n");
	if (strcmp(state, "met") != 0 && json_is_integer(json_object_get(k,
	    "due_at"))) {
		dt(b, "Why due then");
		why_due(b, cal, k, panel, target, business, now);
		html_raw(b, "</dd>\n");
	}
	html_raw(b, "</dl>\n</article>\n");
}

static void
pauses_table(struct sbuf *b, const struct sla_calendar *cal, json_t *panel,
    sla_time now)
{
	json_t		*p;
	size_t		 i;
	char		 s[SLA_WORDS_MAX];
	sla_time	 to;

	if (json_array_size(json_object_get(panel, "pauses")) == 0)
		return;
	html_raw(b, "<div class=\"table-wrap\" role=\"region\" "
	    "aria-labelledby=\"pauses-cap\" tabindex=\"0\">\n"
	    "<table class=\"pauses\"><caption id=\"pauses-cap\">Pauses of the "
	    "clocks</caption>\n<thead><tr><th scope=\"col\">Why</th>"
	    "<th scope=\"col\">By</th><th scope=\"col\">From</th>"
	    "<th scope=\"col\">To</th><th scope=\"col\">Business time "
	    "paused</th></tr></thead>\n<tbody>\n");
	json_array_foreach(json_object_get(panel, "pauses"), i, p) {
		html_raw(b, "<tr><td>");
		html_texts(b, json_text(p, "label"));
		html_raw(b, "</td><td>");
		html_texts(b, json_is_string(json_object_get(p, "by_name")) ?
		    json_text(p, "by_name") : strcmp(json_text(p, "by"),
		    "system") == 0 ? "Recorded by the system" :
		    json_text(p, "by"));
		html_raw(b, "</td><td>");
		sla_words_instant(s, sizeof(s), cal, jtime(p, "from"), now);
		html_texts(b, s);
		html_raw(b, "</td><td>");
		if (json_is_integer(json_object_get(p, "to"))) {
			to = jtime(p, "to");
			sla_words_instant(s, sizeof(s), cal, to, now);
			html_texts(b, s);
		} else {
			to = now;
			html_raw(b, "Still paused");
		}
		html_raw(b, "</td><td>");
		sla_words_span(s, sizeof(s), sla_business_seconds(cal,
		    jtime(p, "from"), to), 1);
		html_texts(b, s);
		html_raw(b, "</td></tr>\n");
	}
	html_raw(b, "</tbody>\n</table>\n</div>\n");
}

/* The clock action just posted for this verb, else NULL. */
static const struct clock_action *
typed(const struct case_view *v, enum clock_verb verb)
{
	return (v->clock_typed != NULL && v->clock_typed->verb == verb ?
	    v->clock_typed : NULL);
}

static void
field_id(char *id, size_t size, enum clock_verb verb, enum clock_field f)
{
	(void)snprintf(id, size, "%s-%s", clock_verb_name(verb),
	    clock_field_names[f]);
}

static void
form_open(struct sbuf *b, const struct case_view *v, enum clock_verb verb,
    const char *title)
{
	view_case_form_open(b, v, clock_verb_name(verb), title);
	if (v->error != NULL && typed(v, verb) != NULL) {
		html_raw(b, "<p class=\"error\" role=\"alert\">");
		html_texts(b, v->error);
		html_raw(b, "</p>\n");
	}
}

/* A select of reasons (code, label); 'only' limits it to those codes. */
static void
reason_select(struct sbuf *b, const struct case_view *v,
    enum clock_verb verb, const char *label, const char *hint, json_t *only)
{
	const struct clock_action	*t = typed(v, verb);
	json_t				*r, *o;
	size_t				 i, j;
	char				 id[48];
	const char			*e = t ? t->error[KF_REASON] : NULL;
	int				 ok;

	field_id(id, sizeof(id), verb, KF_REASON);
	page_field_intro(b, id, label, hint, e, 0);
	html_raw(b, "<select");
	page_field_aria_name(b, id, "reason", e);
	html_raw(b, ">\n<option value=\"\">Choose</option>\n");
	json_array_foreach(json_object_get(v->clocks, "reasons"), i, r) {
		ok = only == NULL;
		json_array_foreach(only, j, o)
			ok |= strcmp(json_string_value(o) ?
			    json_string_value(o) : "", json_text(r, "code")) == 0;
		if (!ok)
			continue;
		html_raw(b, "<option value=\"");
		html_attrs(b, json_text(r, "code"));
		html_raw(b, "\"");
		/* The choice made, or the only pause there is to end. */
		if ((t != NULL && t->reason != NULL &&
		    strcmp(t->reason, json_text(r, "code")) == 0) ||
		    (t == NULL && json_array_size(only) == 1))
			html_raw(b, " selected");
		html_raw(b, ">");
		html_texts(b, json_text(r, "label"));
		html_raw(b, "</option>\n");
	}
	html_raw(b, "</select>\n</div>\n");
}

static void
text_field(struct sbuf *b, const struct case_view *v, enum clock_verb verb,
    const char *label, const char *hint, int optional)
{
	const struct clock_action	*t = typed(v, verb);
	char				 id[48];
	const char			*e = t ? t->error[KF_TEXT] : NULL;

	field_id(id, sizeof(id), verb, KF_TEXT);
	page_field_intro(b, id, label, hint, e, optional);
	html_raw(b, "<textarea rows=\"3\" maxlength=\"10000\" dir=\"auto\"");
	page_field_aria_name(b, id, "text", e);
	html_raw(b, ">");
	if (t != NULL && t->text != NULL)
		html_texts(b, t->text);
	html_raw(b, "</textarea>\n</div>\n");
}

static void
button(struct sbuf *b, const char *label)
{
	html_raw(b, "<button type=\"submit\" class=\"button\">");
	html_texts(b, label);
	html_raw(b, "</button>\n</form>\n");
}

/* Offered now, or just refused: then it comes back with its errors. */
static int
may(const struct case_view *v, enum clock_verb verb)
{
	return (typed(v, verb) != NULL || json_is_true(json_object_get(
	    json_object_get(v->clocks, "actions"), clock_verb_name(verb))));
}

static void
clock_forms(struct sbuf *b, const struct case_view *v)
{
	json_t	*ext;
	char	 s[SLA_WORDS_MAX], hint[SLA_WORDS_MAX + 120];
	int	 eb;

	if (may(v, CK_PAUSE) && json_array_size(json_object_get(v->clocks,
	    "reasons")) > 0) {
		form_open(b, v, CK_PAUSE, "Pause the clocks");
		reason_select(b, v, CK_PAUSE, "Why", "The reasons an "
		    "administrator allows. The due times move by the time "
		    "paused.", NULL);
		text_field(b, v, CK_PAUSE, "Note", "Only staff see it.", 1);
		button(b, "Pause the clocks");
	}
	if (may(v, CK_RESUME)) {
		form_open(b, v, CK_RESUME, "Resume the clocks");
		reason_select(b, v, CK_RESUME, "Pause to end", "The clocks run "
		    "again once no pause is left open.",
		    json_object_get(v->clocks, "open"));
		button(b, "Resume the clocks");
	}
	ext = json_object_get(json_object_get(json_object_get(v->clocks,
	    "policy"), "definition"), "extension");
	if (may(v, CK_EXTEND) && target_words(ext, s, sizeof(s), &eb)) {
		form_open(b, v, CK_EXTEND, "Extend the decision clock");
		(void)snprintf(hint, sizeof(hint), "The decision becomes due "
		    "%s later. This can be done once; tell the complainant "
		    "why.", s);
		text_field(b, v, CK_EXTEND, "Reason for the extension", hint,
		    0);
		button(b, "Extend once");
	}
}

/* The case page's panel: every started clock explained, and its forms. */
void
view_clock_panel(struct sbuf *b, const struct case_view *v)
{
	const struct sla_calendar	*cal;
	json_t				*k, *calj;
	size_t				 i;
	sla_time			 now = time(NULL);

	if (v->clocks == NULL)
		return;
	calj = json_object_get(v->clocks, "calendar");
	cal = clock_calendar(json_integer_value(json_object_get(calj,
	    "version")), json_text(calj, "definition"));
	html_raw(b, "<section aria-labelledby=\"clocks-h\" class=\"clocks\">"
	    "\n<h2 id=\"clocks-h\">Service-level clocks</h2>\n");
	if (cal == NULL) {
		html_raw(b, "<p>The calendar of this case cannot be read; "
		    "ask an administrator.</p>\n</section>\n");
		return;
	}
	html_raw(b, "<p>Policy: ");
	html_texts(b, json_text(json_object_get(v->clocks, "policy"),
	    "name"));
	html_raw(b, ". Calendar: ");
	html_texts(b, json_text(calj, "name"));
	html_raw(b, " (");
	html_texts(b, cal->zone);
	html_raw(b, "); business time counts its open hours only.</p>\n");
	if (json_array_size(json_object_get(v->clocks, "clocks")) == 0)
		html_raw(b, "<p>No clock has started yet.</p>\n");
	json_array_foreach(json_object_get(v->clocks, "clocks"), i, k)
		one_clock(b, cal, k, v->clocks, now);
	pauses_table(b, cal, v->clocks, now);
	clock_forms(b, v);
	html_raw(b, "</section>\n");
}

int
view_clock_failed(const struct case_view *v)
{
	return (v->clock_typed != NULL && (v->error != NULL ||
	    v->clock_typed->nerrors > 0));
}

/* The problems of the clock action just posted, each linking to its place. */
void
view_clock_errors(struct sbuf *b, const struct case_view *v)
{
	char		 ids[KF__MAX + 1][48];
	const char	*idp[KF__MAX + 1], *msg[KF__MAX + 1];
	int		 f;

	if (!view_clock_failed(v))
		return;
	(void)snprintf(ids[0], sizeof(ids[0]), "%s",
	    clock_verb_name(v->clock_typed->verb));
	/* page_error_summary links "#f-ID": the form's own id is act-VERB. */
	idp[0] = NULL;
	msg[0] = v->error;
	for (f = 0; f < KF__MAX; f++) {
		field_id(ids[f + 1], sizeof(ids[f + 1]), v->clock_typed->verb,
		    f);
		idp[f + 1] = ids[f + 1];
		msg[f + 1] = v->clock_typed->error[f];
	}
	page_error_summary(b, idp, msg, KF__MAX + 1);
}
