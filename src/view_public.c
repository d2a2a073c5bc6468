/*
 * The complainant's pages (home, privacy notice, form, receipt, tracking,
 * messages) rendered from plain structs through the escaping HTML writer.
 */

#include <string.h>

#include "app.h"

static const struct {
	const char	*state;
	const char	*label;
	const char	*explain;
} states[] = {
	{ "received", "Received", "Your report is waiting for a reviewer to "
	    "look at it." },
	{ "triaged", "Being assessed", "A reviewer has read your report and "
	    "decided how to handle it." },
	{ "investigating", "Under investigation", "A reviewer is looking into "
	    "what happened." },
	{ "awaiting_complainant", "Waiting for you", "The reviewer has asked "
	    "you a question. The clock stops until you answer." },
	{ "decided", "Decided", "A decision has been made, with reasons." },
	{ "appealed", "Appeal under review", "A different reviewer is "
	    "looking at your appeal." },
	{ "closed", "Closed", "This report is closed." },
	{ "rejected", "Outside our scope", "We cannot handle this report; "
	    "the reason is given below." },
};

static const struct {
	const char	*kind;
	const char	*label;
} events[] = {
	{ "received", "We received your report." },
	{ "triaged", "A reviewer assessed your report." },
	{ "investigating", "A reviewer started looking into what happened." },
	{ "message", "A reviewer sent you a message." },
	{ "information_requested", "A reviewer asked you a question." },
	{ "complainant_replied", "You replied." },
	{ "rejected", "Your report was found to be outside our scope." },
	{ "decided", "A decision was made." },
	{ "decision_published", "A decision was made." },
	{ "appealed", "You appealed against the decision." },
	{ "consent_withdrawn", "You withdrew a consent." },
	{ "erasure_requested", "You asked for your data to be erased." },
	{ "legal_hold", "We recorded a legal obligation to keep your data." },
	{ "legal_hold_lifted", "The legal obligation to keep your data ended." },
	{ "closed", "The report was closed." },
};

const char *
view_state_label(const char *state)
{
	size_t	 i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(states[i].state, state) == 0)
			return (states[i].label);
	return (state);
}

static const char *
state_explain(const char *state)
{
	size_t	 i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(states[i].state, state) == 0)
			return (states[i].explain);
	return ("");
}

const char *
view_event_label(const char *kind)
{
	size_t	 i;

	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (strcmp(events[i].kind, kind) == 0)
			return (events[i].label);
	return ("The report was updated.");
}

void
view_home(struct sbuf *b)
{
	page_begin(b, "Report a concern about AI-driven marketing");
	html_raw(b,
	    "<h1>Were you targeted or pushed by personalised marketing?</h1>\n"
	    "<p class=\"lead\">Recourse takes reports from people who were "
	    "profiled, targeted or manipulated by marketing that uses "
	    "artificial intelligence, and makes sure each report gets a "
	    "reasoned answer.</p>\n"
	    "<p><a class=\"button\" href=\"/complaints/new\">Report a "
	    "concern</a></p>\n"
	    "<h2>What you can report</h2>\n<ul>\n"
	    "<li>Your data was collected or used without clear consent.</li>\n"
	    "<li>Your personal data was exposed or handled carelessly.</li>\n"
	    "<li>You were targeted, excluded or priced differently because of "
	    "who you are.</li>\n"
	    "<li>Messages used false urgency, pressure or tricks.</li>\n"
	    "<li>Someone in a vulnerable situation, or a child, was "
	    "targeted.</li>\n"
	    "<li>You were not told that AI chose or wrote what you saw.</li>\n"
	    "<li>Your opt-out was missing, hidden or ignored.</li>\n</ul>\n"
	    "<h2>What happens after you report</h2>\n<ol>\n"
	    "<li>You get a case reference and a secret <strong>receipt "
	    "code</strong>. Keep the code: it is the only way to follow your "
	    "report, and we cannot recover it.</li>\n"
	    "<li>A reviewer assesses your report, normally within 2 working "
	    "days, and sooner when a vulnerable person or a child is "
	    "involved.</li>\n"
	    "<li>The reviewer investigates and may ask you questions through "
	    "the tracking page.</li>\n"
	    "<li>You receive a decision with written reasons, and you can "
	    "appeal it.</li>\n</ol>\n"
	    "<p>You do not have to give your name. Anonymous reports are "
	    "handled in the same way.</p>\n"
	    "<h2>Already reported?</h2>\n"
	    "<p><a href=\"/track\">Follow your report with your receipt "
	    "code</a>.</p>\n"
	    "<p>Read <a href=\"/privacy\">how we handle your data</a> "
	    "before you start.</p>\n");
	page_end(b);
}

/*
 * How long personal data is kept, per queue where they differ ('r' is
 * privacy_retention(), NULL when it could not be read), and what erasure
 * destroys and keeps.
 */
static void
privacy_retention(struct sbuf *b, const json_t *r)
{
	const json_t	*q;
	long long	 def, n;
	size_t		 i, other = 0;

	def = r != NULL ? json_integer_value(json_object_get(r, "default")) :
	    0;
	if (def <= 0)
		def = 12;
	sbuf_printf(b, "<p id=\"retention\">We erase the personal data of a "
	    "report %lld %s after it closes", def, def == 1 ? "month" :
	    "months");
	json_array_foreach(json_object_get(r, "queues"), i, q)
		other += json_integer_value(json_object_get(q, "months")) != def;
	if (other > 0) {
		html_raw(b, ", except for reports handled by these teams:</p>"
		    "\n<ul id=\"retention-queues\">\n");
		json_array_foreach(json_object_get(r, "queues"), i, q) {
			if (json_integer_value(json_object_get(q, "months")) ==
			    def)
				continue;
			html_raw(b, "<li>");
			html_texts(b, json_text(q, "name"));
			n = json_integer_value(json_object_get(q, "months"));
			sbuf_printf(b, ": %lld %s</li>\n", n, n == 1 ? "month" :
			    "months");
		}
		html_raw(b, "</ul>\n");
	} else
		html_raw(b, ".</p>\n");
	html_raw(b, "<p>Erasure, after that time or when you ask for it, "
	    "destroys for good what you wrote, the files you attached, your "
	    "contact details and your answers about yourself, the messages between you and the "
	    "reviewers, the reasons for decisions, your appeals and the means "
	    "to read them with your receipt code. We keep, without anything "
	    "that identifies you: the report's reference, concern, channel, "
	    "the brand named, the dates, the answers you chose from lists, "
	    "whether a child or vulnerable person was affected, what happened "
	    "to the report and when, so that our published statistics stay "
	    "true. A legal obligation (a court order, for example) can "
	    "require us to keep a report longer; we tell you which on the "
	    "follow a report page.</p>\n");
}

void
view_privacy(struct sbuf *b, const json_t *retention)
{
	page_begin(b, "Privacy notice");
	html_raw(b,
	    "<h1>How we handle your data</h1>\n"
	    "<p class=\"lead\">We practise what we ask of marketers: we "
	    "collect only what we need, say why, keep it encrypted and delete "
	    "it when it is no longer needed.</p>\n"
	    "<h2>What we collect, and why</h2>\n<dl>\n"
	    "<dt>Your account of what happened</dt><dd>To investigate your "
	    "concern. Stored encrypted.</dd>\n"
	    "<dt>The kind of concern, the channel, the date and the brand"
	    "</dt><dd>To route your report to the right reviewers and to "
	    "publish statistics. These are not personal and are stored "
	    "unencrypted.</dd>\n"
	    "<dt>Whether a vulnerable person or a child was affected</dt>"
	    "<dd>To handle your report sooner.</dd>\n"
	    "<dt>Why you think you were targeted, and whether the message said "
	    "AI was used</dt><dd>Optional. To route your report and to count, "
	    "in our statistics, which ways of targeting people cause concern. "
	    "Stored unencrypted, like the kind of concern.</dd>\n"
	    "<dt>What the platform said about why you saw it, if you copy it "
	    "for us</dt><dd>Optional. To check the platform's explanation. "
	    "Stored encrypted, like your account.</dd>\n"
	    "<dt>Screenshots and documents you attach</dt><dd>Optional. To "
	    "see what you saw. Before we store a picture we remove the hidden "
	    "details it may carry, such as where and with which camera it was "
	    "taken; we keep its type and size unencrypted and the file itself "
	    "encrypted. We never show a file in a web page: reviewers "
	    "download it, and each download is recorded.</dd>\n"
	    "<dt>Your name and e-mail address, if you give them</dt><dd>Your "
	    "name, so that a reviewer knows how to address you; your address "
	    "only to contact you about this report, and only if you allow it. "
	    "Both stored encrypted.</dd>\n"
	    "<dt>Your three consents</dt><dd>To respect your choices about "
	    "contact, publication and statistics. Each is separate, and none "
	    "is ticked for you.</dd>\n</dl>\n"
	    "<h2>What we do not collect</h2>\n"
	    "<p>We do not store your IP address, your browser details or your "
	    "receipt code. We keep only a keyed fingerprint of the code, so "
	    "that we can recognise it when you type it. To slow down people "
	    "who guess codes we count attempts under a pseudonym that changes "
	    "every hour and cannot be turned back into an address.</p>\n"
	    "<p>We set no cookies. Each form carries a code, valid for a day, "
	    "that shows it was opened on this website; it does not identify "
	    "you.</p>\n"
	    "<h2>Who can read it</h2>\n"
	    "<p>Only the reviewers assigned to your report, their supervisors "
	    "and, for technical support, administrators. Your account and "
	    "contact details are encrypted with a key that the public website "
	    "itself does not hold. A second copy, which only your receipt "
	    "code opens, lets you read what you sent on the follow a report "
	    "page. Every time a reviewer opens your personal data it is "
	    "written to a tamper-evident log.</p>\n"
	    "<h2>How long we keep it</h2>\n");
	privacy_retention(b, retention);
	html_raw(b, "<p>To show your receipt code again if your connection "
	    "drops, we keep it encrypted for at most 24 hours after you "
	    "submit.</p>\n"
	    "<h2>What we publish</h2>\n"
	    "<p>Every quarter we publish counts of reports, outcomes and "
	    "response times. Any number below 10 is shown as \"fewer than "
	    "10\" so that nobody can be picked out. We publish your account, "
	    "with identifying details removed, only if you ticked the "
	    "publication consent.</p>\n"
	    "<h2>Your rights</h2>\n<ul>\n"
	    "<li>See what you sent us, the progress of your report, our "
	    "messages and the decision: type your receipt code on the "
	    "<a href=\"/track\">follow a report</a> page.</li>\n"
	    "<li>Withdraw any consent at any time on the same page: we stop "
	    "contacting you at once, leave your account out of the next "
	    "version of our report, or destroy your answers about yourself. "
	    "This does not affect what was done before.</li>\n"
	    "<li>Ask us to erase your data at any time, on the same page. A "
	    "reviewer confirms it within one month, unless a legal "
	    "obligation requires us to keep it, which we then name to you "
	    "there. Erasure closes an open report and cannot be undone: "
	    "your receipt code stops working.</li>\n"
	    "<li>Ask us to correct your data: while your report is open, "
	    "write to the reviewer from that page; once it is closed, send "
	    "a new report that gives its reference.</li>\n"
	    "<li>Complain to your data protection authority.</li>\n</ul>\n");
	page_end(b);
}

static void
text_input(struct sbuf *b, const char *id, const char *type,
    const char *label, const char *hint, const char *value,
    const char *error, const char *extra)
{
	page_field_intro(b, id, label, hint, error, 1);
	html_raw(b, "<input type=\"");
	html_attrs(b, type);
	html_raw(b, "\"");
	page_field_aria(b, id, error);
	html_raw(b, " value=\"");
	html_attrs(b, value);
	html_raw(b, "\"");
	if (extra != NULL)
		html_raw(b, extra);
	html_raw(b, ">\n</div>\n");
}

static void
checkbox(struct sbuf *b, const char *id, const char *label, const char *hint,
    int checked, const char *error)
{
	html_raw(b, "<div class=\"check");
	if (error != NULL)
		html_raw(b, " has-error");
	html_raw(b, "\">\n");
	if (error != NULL) {
		html_raw(b, "<p class=\"error\" id=\"f-");
		html_attrs(b, id);
		html_raw(b, "-error\"><span class=\"visually-hidden\">Error: "
		    "</span>");
		html_texts(b, error);
		html_raw(b, "</p>\n");
	}
	html_raw(b, "<input type=\"checkbox\" value=\"yes\"");
	page_field_aria(b, id, error);
	if (checked)
		html_raw(b, " checked");
	html_raw(b, ">\n<label for=\"f-");
	html_attrs(b, id);
	html_raw(b, "\">");
	html_texts(b, label);
	html_raw(b, "</label>\n<p class=\"hint\" id=\"f-");
	html_attrs(b, id);
	html_raw(b, "-hint\">");
	html_texts(b, hint);
	html_raw(b, "</p>\n</div>\n");
}

static void
error_summary(struct sbuf *b, const struct intake *in)
{
	int	 f;

	html_raw(b, "<div class=\"error-summary\" role=\"alert\" "
	    "aria-labelledby=\"error-summary-title\" tabindex=\"-1\">\n"
	    "<h2 id=\"error-summary-title\">Please correct the following"
	    "</h2>\n<ul>\n");
	for (f = 0; f < IF__MAX; f++) {
		if (in->error[f] == NULL)
			continue;
		html_raw(b, "<li><a href=\"#f-");
		html_attrs(b, intake_field_name[f]);
		/* A group's link goes to its first option. */
		if (f == IF_CATEGORY || f == IF_TARGETING_REASONS ||
		    f == IF_AI_DISCLOSED || f == IF_AGE_BAND ||
		    f == IF_GENDER || f == IF_DISABILITY || f == IF_ORIGIN)
			html_raw(b, "-0");
		html_raw(b, "\">");
		html_texts(b, in->error[f]);
		html_raw(b, "</a></li>\n");
	}
	html_raw(b, "</ul>\n</div>\n");
}

/* One option of a group of radios or checkboxes. */
struct choice {
	const char	*code;
	const char	*label;
	const char	*hint;		/* "" or NULL: none */
	int		 checked;
};

/*
 * A fieldset of radios or checkboxes named 'name', with ids f-<name>-<i>
 * (the error summary links to the first), a hint and an error.
 */
static void
choice_group(struct sbuf *b, const char *type, const char *name,
    const char *legend, const char *hint, int optional,
    const struct choice *opt, size_t n, const char *err)
{
	char	 id[80];
	size_t	 i;

	html_raw(b, "<fieldset class=\"field");
	if (err != NULL)
		html_raw(b, " has-error");
	html_raw(b, "\" aria-describedby=\"f-");
	html_attrs(b, name);
	html_raw(b, "-hint");
	if (err != NULL) {
		html_raw(b, " f-");
		html_attrs(b, name);
		html_raw(b, "-error");
	}
	html_raw(b, "\">\n<legend>");
	html_texts(b, legend);
	if (optional)
		html_raw(b, " <span class=\"optional\">(optional)</span>");
	html_raw(b, "</legend>\n<p class=\"hint\" id=\"f-");
	html_attrs(b, name);
	html_raw(b, "-hint\">");
	html_texts(b, hint);
	html_raw(b, "</p>\n");
	page_field_error(b, name, err);
	for (i = 0; i < n; i++) {
		(void)snprintf(id, sizeof(id), "f-%s-%zu", name, i);
		html_raw(b, "<div class=\"");
		html_raw(b, strcmp(type, "radio") == 0 ? "radio" : "check");
		html_raw(b, "\"><input type=\"");
		html_raw(b, type);
		html_raw(b, "\" name=\"");
		html_attrs(b, name);
		html_raw(b, "\" id=\"");
		html_attrs(b, id);
		html_raw(b, "\" value=\"");
		html_attrs(b, opt[i].code);
		html_raw(b, "\"");
		if (opt[i].checked)
			html_raw(b, " checked");
		if (opt[i].hint != NULL && opt[i].hint[0] != '\0') {
			html_raw(b, " aria-describedby=\"");
			html_attrs(b, id);
			html_raw(b, "-hint\"");
		}
		html_raw(b, "><label for=\"");
		html_attrs(b, id);
		html_raw(b, "\">");
		html_texts(b, opt[i].label);
		html_raw(b, "</label>");
		if (opt[i].hint != NULL && opt[i].hint[0] != '\0') {
			html_raw(b, "<p class=\"hint\" id=\"");
			html_attrs(b, id);
			html_raw(b, "-hint\">");
			html_texts(b, opt[i].hint);
			html_raw(b, "</p>");
		}
		html_raw(b, "</div>\n");
	}
	html_raw(b, "</fieldset>\n");
}

/* Whether 'code' is among the complaint's targeting reasons. */
static int
targeting_chosen(const struct intake *in, const char *code)
{
	size_t	 i;

	for (i = 0; i < in->ntargeting; i++)
		if (strcmp(in->targeting[i], code) == 0)
			return (1);
	return (0);
}

/* A taxonomy list as choices, 'checked' by the complaint's answers. */
static struct choice *
taxa_choices(const struct taxon *t, size_t n, const struct intake *in,
    int targeting)
{
	struct choice	*c;
	size_t		 i;

	c = kore_calloc(n + 1, sizeof(*c));
	for (i = 0; i < n; i++) {
		c[i].code = t[i].code;
		c[i].label = t[i].label;
		c[i].hint = t[i].hint;
		c[i].checked = targeting ? targeting_chosen(in, t[i].code) :
		    in->category != NULL && strcmp(in->category,
		    t[i].code) == 0;
	}
	return (c);
}

static void
category_radios(struct sbuf *b, const struct taxonomy *t,
    const struct intake *in)
{
	struct choice	*c;

	c = taxa_choices(t->category, t->ncategory, in, 0);
	choice_group(b, "radio", "category", "What is your concern about?",
	    "We ask so that the right reviewers see your report. Pick the "
	    "closest; a reviewer can change it.", 0, c, t->ncategory,
	    in->error[IF_CATEGORY]);
	kore_free(c);
}

/*
 * Why the complainant was shown the marketing: what the platform said (or
 * they believe), the platform's own words, and whether AI was disclosed.
 */
static void
targeting_questions(struct sbuf *b, const struct taxonomy *t,
    const struct intake *in)
{
	struct choice	 ai[INTAKE_AI_ANSWERS], *c;
	size_t		 i;

	html_raw(b, "<h2>Why you were shown it</h2>\n<p>Optional. Your "
	    "answers help us find which ways of targeting people cause "
	    "harm; we count them in our quarterly report without naming "
	    "anyone.</p>\n");
	c = taxa_choices(t->targeting, t->ntargeting, in, 1);
	choice_group(b, "checkbox", "targeting_reasons", "Why do you think "
	    "you were targeted?", "Choose all that apply: what the platform "
	    "or the message said, or what you believe.", 1, c, t->ntargeting,
	    in->error[IF_TARGETING_REASONS]);
	kore_free(c);

	page_field_intro(b, "why_shown", "What did the platform say about "
	    "why you saw it?", "Many adverts have a link such as \"Why am I "
	    "seeing this ad?\". Copy its words here if you have them; up to "
	    "5\xc2\xa0" "000 characters. Stored encrypted.",
	    in->error[IF_WHY_SHOWN], 1);
	html_raw(b, "<textarea rows=\"4\" maxlength=\"5000\" dir=\"auto\"");
	page_field_aria(b, "why_shown", in->error[IF_WHY_SHOWN]);
	html_raw(b, ">");
	html_texts(b, in->why_shown);
	html_raw(b, "</textarea>\n</div>\n");

	for (i = 0; i < INTAKE_AI_ANSWERS; i++) {
		ai[i].code = intake_ai_answer[i].code;
		ai[i].label = intake_ai_answer[i].label;
		ai[i].hint = NULL;
		ai[i].checked = in->ai_disclosed != NULL &&
		    strcmp(in->ai_disclosed, ai[i].code) == 0;
	}
	choice_group(b, "radio", "ai_disclosed", "Did the message say it was "
	    "written, chosen or personalised by AI?", "We ask because people "
	    "have a right to know when AI is used to persuade them.", 1, ai,
	    INTAKE_AI_ANSWERS, in->error[IF_AI_DISCLOSED]);
}

static void
channel_select(struct sbuf *b, const struct taxonomy *t,
    const struct intake *in)
{
	const char	*err = in ? in->error[IF_CHANNEL] : NULL;
	const char	*sel = in ? in->channel : NULL;
	size_t		 i;

	page_field_intro(b, "channel", "Where did you meet the marketing?",
	    "We ask to see which channels cause most concern.", err, 0);
	html_raw(b, "<select");
	page_field_aria(b, "channel", err);
	html_raw(b, ">\n<option value=\"\">Choose one</option>\n");
	for (i = 0; i < t->nchannel; i++) {
		html_raw(b, "<option value=\"");
		html_attrs(b, t->channel[i].code);
		html_raw(b, "\"");
		if (sel != NULL && strcmp(sel, t->channel[i].code) == 0)
			html_raw(b, " selected");
		html_raw(b, ">");
		html_texts(b, t->channel[i].label);
		html_raw(b, "</option>\n");
	}
	html_raw(b, "</select>\n</div>\n");
}

/*
 * The optional questions about the complainant, each with its reason and
 * "prefer not to say"; kept only with the consent above them, which the
 * script asks for before it shows them.
 */
static void
demographic_questions(struct sbuf *b, const struct taxonomy *t,
    const struct intake *in)
{
	static const struct { const char *legend, *hint; } q[IQ__MAX] = {
		[IQ_AGE_BAND] = { "Which age group are you in?", "Adverts are "
		    "often aimed at people by age: we count whether some ages "
		    "are affected more." },
		[IQ_GENDER] = { "How would you describe your gender?",
		    "To see whether people are targeted, or their reports "
		    "decided, differently because of their gender." },
		[IQ_DISABILITY] = { "Do you have a disability or a long-term "
		    "health condition?", "Some marketing exploits a person's "
		    "condition: we count how often disabled people report "
		    "it." },
		[IQ_ORIGIN] = { "What is your ethnic group or national origin?",
		    "To find out whether targeting, or our own decisions, "
		    "treat some groups differently." },
	};
	struct choice	*c;
	size_t		 i;
	int		 k, f;

	html_raw(b, "<section class=\"demographics\" id=\"demographics\" "
	    "aria-labelledby=\"demographics-h\">\n<h2 id=\"demographics-h\">"
	    "About you</h2>\n<p>Only if you ticked \"You may use my optional "
	    "answers\" above: otherwise we do not keep these answers. Every "
	    "question is optional. We keep your answers encrypted, the "
	    "reviewers deciding your report do not see them, and we publish "
	    "them only as counts over many reports.</p>\n");
	for (k = 0; k < IQ__MAX; k++) {
		f = intake_question_field[k];
		c = kore_calloc(t->nanswer[k] + 1, sizeof(*c));
		for (i = 0; i < t->nanswer[k]; i++) {
			c[i].code = t->answer[k][i].code;
			c[i].label = t->answer[k][i].label;
			c[i].checked = in->answer[k] != NULL &&
			    strcmp(in->answer[k], c[i].code) == 0;
		}
		choice_group(b, "radio", intake_field_name[f], q[k].legend,
		    q[k].hint, 1, c, t->nanswer[k], in->error[f]);
		kore_free(c);
		if (k == IQ_GENDER)
			text_input(b, "gender_description", "text", "If you "
			    "chose \"In another way\", you may describe it",
			    "In your own words, up to 100 characters.",
			    in->gender_description,
			    in->error[IF_GENDER_DESCRIPTION],
			    " maxlength=\"100\" autocomplete=\"off\" "
			    "dir=\"auto\"");
	}
	html_raw(b, "</section>\n");
}

/*
 * The files: up to five, by their content.  A form that comes back holds
 * none of them (no browser refills a file input), so it says so.
 */
static void
evidence_field(struct sbuf *b, const struct form_view *v)
{
	const char	*err = v->in != NULL ? v->in->error[IF_EVIDENCE] : NULL;

	page_field_intro(b, "evidence", "Screenshots or documents", "Up to 5 "
	    "files, 10\xc2\xa0MB in all: pictures (PNG, JPEG, WebP), PDF or "
	    "plain text. We remove hidden details such as the place and the "
	    "camera from pictures before we store them, encrypted.", err, 1);
	if (v->files_lost > 0 && err == NULL)
		sbuf_printf(b, "<p class=\"notice\" id=\"f-evidence-again\">"
		    "Attach your %s again: a browser never keeps files when a "
		    "form comes back.</p>\n", v->files_lost == 1 ? "file" :
		    "files");
	html_raw(b, "<input type=\"file\" multiple accept=\"image/png,"
	    "image/jpeg,image/webp,application/pdf,text/plain,.png,.jpg,.jpeg,"
	    ".webp,.pdf,.txt\"");
	page_field_aria(b, "evidence", err);
	html_raw(b, ">\n</div>\n");
}

void
view_form(struct sbuf *b, const struct form_view *v)
{
	const struct intake	*in = v->in;
	static const struct intake empty;
	char			 today[11], max[32];

	if (in == NULL)
		in = &empty;
	today_utc(today);
	(void)snprintf(max, sizeof(max), " max=\"%s\"", today);

	page_begin(b, v->notice ? "Not sent: report a concern" :
	    v->errors ? "Error: report a concern" : "Report a concern");
	html_raw(b, "<h1>Report a concern</h1>\n");
	if (v->notice != NULL) {
		html_raw(b, "<div class=\"error-summary\" role=\"alert\" "
		    "aria-labelledby=\"error-summary-title\" tabindex=\"-1\">\n"
		    "<h2 id=\"error-summary-title\">Your report was not sent"
		    "</h2>\n<p>");
		html_texts(b, v->notice);
		html_raw(b, "</p>\n</div>\n");
	} else if (v->errors)
		error_summary(b, in);
	html_raw(b, "<p class=\"lead\">Tell us what happened. You do not "
	    "have to give your name. Fields marked optional can be left "
	    "empty. Read <a href=\"/privacy\">how we handle your data</a>."
	    "</p>\n<form method=\"post\" action=\"/complaints\" "
	    "enctype=\"multipart/form-data\" novalidate "
	    "class=\"complaint\">\n<input type=\"hidden\" name=\"csrf\" "
	    "value=\"");
	html_attrs(b, v->csrf);
	html_raw(b, "\">\n<input type=\"hidden\" name=\"idempotency_token\" "
	    "value=\"");
	html_attrs(b, v->token);
	html_raw(b, "\">\n");

	html_raw(b, "<h2>What happened</h2>\n");
	category_radios(b, v->tax, in);
	channel_select(b, v->tax, in);
	text_input(b, "occurred_on", "date", "When did it happen?",
	    "The day, or your best guess, helps us find the campaign. Not in "
	    "the future.", in->occurred_on, in->error[IF_OCCURRED_ON], max);
	text_input(b, "brand", "text", "Which brand or campaign was it?",
	    "If you know it. We ask to find patterns across reports; up to 200 "
	    "characters.", in->brand, in->error[IF_BRAND],
	    " maxlength=\"200\" autocomplete=\"off\" dir=\"auto\"");

	/* A no-break space keeps "10 000" on one line. */
	page_field_intro(b, "description", "What happened?", "In your own words, "
	    "between 20 and 10\xc2\xa0" "000 characters. This is what the "
	    "reviewer reads; it is stored encrypted.",
	    in->error[IF_DESCRIPTION], 0);
	html_raw(b, "<textarea rows=\"10\" maxlength=\"10000\" dir=\"auto\"");
	page_field_aria(b, "description", in->error[IF_DESCRIPTION]);
	html_raw(b, ">");
	html_texts(b, in->description);
	html_raw(b, "</textarea>\n</div>\n");

	checkbox(b, "vulnerable", "A child or a person in a vulnerable "
	    "situation was affected", "For example someone with an addiction, "
	    "in debt, grieving or unwell. We ask because such reports are "
	    "handled first.", in->vulnerable, in->error[IF_VULNERABLE]);

	targeting_questions(b, v->tax, in);
	evidence_field(b, v);

	html_raw(b, "<h2>Contact details</h2>\n<p>Leave these empty to report "
	    "anonymously. You can still follow your report with your receipt "
	    "code.</p>\n");
	text_input(b, "contact_name", "text", "Your name", "So that a "
	    "reviewer knows how to address you. Stored encrypted.",
	    in->contact_name, in->error[IF_CONTACT_NAME],
	    " maxlength=\"200\" autocomplete=\"name\"");
	text_input(b, "contact_email", "email", "Your e-mail address", "Only "
	    "to tell you about this report, and only if you tick the box "
	    "below. Stored encrypted.", in->contact_email,
	    in->error[IF_CONTACT_EMAIL],
	    " maxlength=\"254\" autocomplete=\"email\" spellcheck=\"false\"");

	html_raw(b, "<fieldset class=\"consents\">\n<legend>Your choices"
	    "</legend>\n<p class=\"hint\">Each is separate and optional. "
	    "Leaving them unticked does not change how we handle your "
	    "report.</p>\n");
	checkbox(b, "consent_contact", "You may contact me about this report",
	    "By e-mail, at the address above.", in->consent_contact,
	    in->error[IF_CONSENT_CONTACT]);
	checkbox(b, "consent_publish", "You may publish my account without "
	    "identifying details", "In our quarterly report, after removing "
	    "names, places and anything else that could identify you.",
	    in->consent_publish, in->error[IF_CONSENT_PUBLISH]);
	checkbox(b, "consent_demographics", "You may use my optional answers "
	    "about myself for fairness statistics", "Only as anonymous "
	    "counts, to see whether some groups are targeted more than "
	    "others.", in->consent_demographics,
	    in->error[IF_CONSENT_DEMOGRAPHICS]);
	html_raw(b, "</fieldset>\n");
	demographic_questions(b, v->tax, in);
	html_raw(b, "<button type=\"submit\" class=\"button\">"
	    "Send my report</button>\n</form>\n");
	page_end(b);
}


/* The files as kept, numbered as reviewers see them, each with its
 * fingerprint. */
static void
evidence_items(struct sbuf *b, const json_t *files)
{
	const json_t	*f;
	size_t		 i;

	html_raw(b, "<ol class=\"evidence\"");
	f = json_array_get(files, 0);
	if (json_integer_value(json_object_get(f, "n")) > 1)
		sbuf_printf(b, " start=\"%lld\"", (long long)
		    json_integer_value(json_object_get(f, "n")));
	html_raw(b, ">\n");
	json_array_foreach(files, i, f) {
		html_raw(b, "<li>");
		html_texts(b, evidence_kind_label(evidence_kind_parse(
		    json_text(f, "kind"))));
		html_raw(b, ", ");
		html_size(b, (long long)json_integer_value(json_object_get(f,
		    "size")));
		html_raw(b, "<br>fingerprint <code class=\"hash\">");
		html_texts(b, json_text(f, "blake2b"));
		html_raw(b, "</code></li>\n");
	}
	html_raw(b, "</ol>\n");
}

/*
 * The files as kept, [{n, kind, size, blake2b}], each with its fingerprint,
 * so that the complainant can show later which file they sent.
 */
void
view_evidence_list(struct sbuf *b, const json_t *files, const char *heading)
{
	if (json_array_size(files) == 0)
		return;
	html_raw(b, "<h3>");
	html_texts(b, heading);
	html_raw(b, "</h3>\n<p>Each file's fingerprint (BLAKE2b-256) is "
	    "computed from the file as we keep it, after removing hidden "
	    "details from pictures: it proves later which file you sent.</p>\n");
	evidence_items(b, files);
}

/* The receipt code, which may wrap only between its groups of four. */
static void
receipt_code(struct sbuf *b, const char *code)
{
	const char	*p;

	while ((p = strchr(code, '-')) != NULL) {
		html_text(b, code, (size_t)(p - code) + 1);
		html_raw(b, "<wbr>");
		code = p + 1;
	}
	html_texts(b, code);
}

void
view_receipt(struct sbuf *b, const char *reference, const char *receipt,
    const struct intake *in, const json_t *files)
{
	page_begin(b, "Report received");
	html_raw(b, "<div class=\"panel\" role=\"status\">\n"
	    "<h1>Your report has been received</h1>\n"
	    "<p>Case reference <strong class=\"reference\">");
	html_texts(b, reference);
	html_raw(b, "</strong></p>\n</div>\n"
	    "<h2>Your receipt code</h2>\n"
	    "<p class=\"receipt\"><code id=\"receipt-code\">");
	receipt_code(b, receipt);
	html_raw(b, "</code></p>\n"
	    "<p><strong>Keep this code safe.</strong> Write it down, or save "
	    "or print this page. It is the only way to follow your report, "
	    "read our questions and the decision, and appeal. We do not store "
	    "the code, so we cannot send it to you again. Do not share it: "
	    "anyone with the code can read what we write to you.</p>\n"
	    "<h2>What happens next</h2>\n<ol>\n"
	    "<li>A reviewer will assess your report, normally within 2 working "
	    "days.</li>\n<li>Check progress at any time on the "
	    "<a href=\"/track\">follow a report</a> page with your receipt "
	    "code.</li>\n<li>You will get a decision with written reasons, "
	    "which you can appeal.</li>\n</ol>\n");
	if (in != NULL && in->description != NULL) {
		html_raw(b, "<h2>What you told us</h2>\n"
		    "<div class=\"narrative\" id=\"description\" dir=\"auto\">");
		html_texts(b, in->description);
		html_raw(b, "</div>\n");
		if (in->brand != NULL) {
			html_raw(b, "<p>Brand or campaign: <bdi id=\"brand\">");
			html_texts(b, in->brand);
			html_raw(b, "</bdi></p>\n");
		}
	}
	view_evidence_list(b, files, "Your files");
	page_end(b);
}

/* A replay after the 24 hours in which the receipt code is kept. */
void
view_receipt_gone(struct sbuf *b, const char *reference, int conflict)
{
	page_begin(b, "Report already sent");
	html_raw(b, "<h1>This form was already sent</h1>\n<p>It was saved as "
	    "case <strong class=\"reference\">");
	html_texts(b, reference);
	html_raw(b, "</strong>.</p>\n");
	if (conflict)
		html_raw(b, "<p>What you sent this time differs from the first "
		    "time, so nothing new was saved. To report something else, "
		    "<a href=\"/complaints/new\">start a new report</a>.</p>\n");
	else
		html_raw(b, "<p>The receipt code was shown when you first sent "
		    "it. For your safety we keep it for at most 24 hours, so we "
		    "cannot show it again.</p>\n");
	page_end(b);
}

void
view_track_form(struct sbuf *b, const char *csrf, const char *typed,
    const char *error)
{
	page_begin(b, error ? "Error: follow a report" : "Follow a report");
	html_raw(b, "<h1>Follow a report</h1>\n");
	if (error != NULL) {
		html_raw(b, "<div class=\"error-summary\" role=\"alert\" "
		    "aria-labelledby=\"error-summary-title\" tabindex=\"-1\">\n"
		    "<h2 id=\"error-summary-title\">There is a problem</h2>\n"
		    "<ul><li><a href=\"#f-receipt_code\">");
		html_texts(b, error);
		html_raw(b, "</a></li></ul>\n</div>\n");
	}
	html_raw(b, "<form method=\"post\" action=\"/track\" "
	    "enctype=\"multipart/form-data\" novalidate>\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_attrs(b, csrf);
	html_raw(b, "\">\n");
	page_field_intro(b, "receipt_code", "Receipt code", "The code you were "
	    "given when you sent your report, like 7KQ2-9XMB-... Capitals, "
	    "spaces and hyphens do not matter.", error, 0);
	html_raw(b, "<input type=\"text\" autocomplete=\"off\" "
	    "spellcheck=\"false\" autocapitalize=\"characters\" "
	    "maxlength=\"64\" class=\"code\"");
	page_field_aria(b, "receipt_code", error);
	/* Kept after a mistake so that 24 characters need not be retyped. */
	if (typed != NULL) {
		html_raw(b, " value=\"");
		html_attrs(b, typed);
		html_raw(b, "\"");
	}
	html_raw(b, ">\n</div>\n<button type=\"submit\" class=\"button\">"
	    "Show my report</button>\n</form>\n"
	    "<p>Lost your code? We cannot recover it, because we do not store "
	    "it. You can <a href=\"/complaints/new\">send a new report</a> "
	    "and mention the old one.</p>\n");
	page_end(b);
}

static const char *const outcome_text[][2] = {
	{ "upheld", "Upheld: your concern was justified." },
	{ "partly_upheld", "Partly upheld: some of your concern was justified." },
	{ "not_upheld", "Not upheld: we did not find that the rules were "
	    "broken." },
	{ "out_of_scope", "Outside our scope." },
	{ "referred", "Referred to another body better placed to act." },
};

static const char *const remedy_text[][2] = {
	{ "campaign_changed", "The campaign was stopped or changed" },
	{ "data_deleted", "Your data was deleted" },
	{ "consent_fixed", "The consent process was fixed" },
	{ "model_changed", "The model or targeting rule was changed" },
	{ "optout_honoured", "Your opt-out is now honoured" },
	{ "apology", "An apology" },
	{ "compensation", "Compensation" },
	{ "staff_guidance", "Guidance to the company's staff" },
	{ "none", "No remedial action" },
};

static const char *
lookup2(const char *const table[][2], size_t n, const char *code)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(table[i][0], code) == 0)
			return (table[i][1]);
	return (code);
}

static void
track_date(struct sbuf *b, const char *at)
{
	html_raw(b, "<time datetime=\"");
	html_attrs(b, at);
	html_raw(b, "\">");
	html_text(b, at, strnlen(at, 10));
	html_raw(b, "</time>");
}

/* One message or appeal: who wrote it, when, and the text as written. */
static void
track_article(struct sbuf *b, const char *who, const json_t *item)
{
	html_raw(b, "<article class=\"message\"><h3>");
	html_raw(b, who);
	html_raw(b, ", ");
	track_date(b, json_text(item, "at"));
	html_raw(b, "</h3>\n<div class=\"prose\" dir=\"auto\">");
	html_texts(b, json_text(item, "text"));
	html_raw(b, "</div>\n");
	if (json_array_size(json_object_get(item, "files")) > 0) {
		html_raw(b, "<p>The files you attached, each with its "
		    "fingerprint (BLAKE2b-256), which proves later which file "
		    "you sent:</p>\n");
		evidence_items(b, json_object_get(item, "files"));
	}
	html_raw(b, "</article>\n");
}

static void
track_messages(struct sbuf *b, const struct track_view *v)
{
	json_t	*m;
	size_t	 i;

	if (json_array_size(v->d.messages) == 0)
		return;
	html_raw(b, "<h2>Messages</h2>\n");
	json_array_foreach(v->d.messages, i, m)
		track_article(b, strcmp(json_text(m, "kind"),
		    "from_complainant") == 0 ? "You wrote" : "From the reviewer",
		    m);
}

static void
track_decisions(struct sbuf *b, const struct track_view *v)
{
	json_t	*d, *r;
	size_t	 i, j;

	json_array_foreach(v->d.decisions, i, d) {
		html_raw(b, "<section class=\"decision\"><h2>");
		html_raw(b, json_is_true(json_object_get(d, "on_appeal")) ?
		    "The decision on your appeal" : "The decision");
		html_raw(b, "</h2>\n<p><strong>");
		html_texts(b, lookup2(outcome_text, sizeof(outcome_text) /
		    sizeof(outcome_text[0]), json_text(d, "outcome")));
		html_raw(b, "</strong> ");
		track_date(b, json_text(d, "at"));
		html_raw(b, "</p>\n<h3>Reasons</h3>\n<div class=\"prose\" "
		    "dir=\"auto\">");
		html_texts(b, json_text(d, "text"));
		html_raw(b, "</div>\n<h3>What happens as a result</h3>\n<ul>\n");
		json_array_foreach(json_object_get(d, "remedies"), j, r) {
			html_raw(b, "<li>");
			html_texts(b, lookup2(remedy_text, sizeof(remedy_text) /
			    sizeof(remedy_text[0]), json_string_value(r) ?
			    json_string_value(r) : ""));
			html_raw(b, "</li>\n");
		}
		html_raw(b, "</ul>\n<p>");
		html_raw(b, json_is_true(json_object_get(d, "automated")) ?
		    "Automated means were used to detect or decide this." :
		    "No automated means were used to detect or decide this.");
		html_raw(b, "</p>\n</section>\n");
	}
}

/*
 * A form of the report's page posting to /track/<verb>: the page's token
 * and the receipt code (the page keeps no session) travel with it.
 */
static void
track_form_open(struct sbuf *b, const struct track_view *v, const char *verb)
{
	html_raw(b, "<form method=\"post\" action=\"/track/");
	html_attrs(b, verb);
	html_raw(b, "\" enctype=\"multipart/form-data\" novalidate>\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_attrs(b, v->csrf);
	html_raw(b, "\">\n<input type=\"hidden\" name=\"receipt_code\" "
	    "value=\"");
	html_attrs(b, v->code);
	html_raw(b, "\">\n");
}

/*
 * The files of a reply: up to five, by their content, as on the complaint
 * form.  A form that comes back holds none of them, so it says so.
 */
static void
track_files_field(struct sbuf *b, const struct track_view *v)
{
	const char	*err = v->file_error;

	page_field_intro(b, "reply-evidence", "Screenshots or documents",
	    "Up to 5 files, 10\xc2\xa0MB in all: pictures (PNG, JPEG, WebP), "
	    "PDF or plain text. We remove hidden details such as the place "
	    "and the camera from pictures before we store them, encrypted.",
	    err, 1);
	if (v->files_lost > 0 && err == NULL)
		sbuf_printf(b, "<p class=\"notice\" id=\"f-reply-evidence-"
		    "again\">Attach your %s again: a browser never keeps files "
		    "when a form comes back.</p>\n", v->files_lost == 1 ?
		    "file" : "files");
	html_raw(b, "<input type=\"file\" multiple accept=\"image/png,"
	    "image/jpeg,image/webp,application/pdf,text/plain,.png,.jpg,.jpeg,"
	    ".webp,.pdf,.txt\"");
	page_field_aria_name(b, "reply-evidence", "evidence", err);
	html_raw(b, ">\n</div>\n");
}

static void
track_text_form(struct sbuf *b, const struct track_view *v, const char *verb,
    const char *title, const char *label, const char *hint,
    const char *button)
{
	const char	*err;
	int		 again;

	/* The text comes back whenever this form had a problem. */
	again = v->error_verb != NULL && strcmp(v->error_verb, verb) == 0;
	err = again ? v->error : NULL;
	html_raw(b, "<section><h2>");
	html_texts(b, title);
	html_raw(b, "</h2>\n");
	track_form_open(b, v, verb);
	page_field_intro(b, verb, label, hint, err, 0);
	html_raw(b, "<textarea rows=\"6\" maxlength=\"10000\" dir=\"auto\"");
	page_field_aria(b, verb, err);
	html_raw(b, ">");
	if (again && v->typed_text != NULL)
		html_texts(b, v->typed_text);
	html_raw(b, "</textarea>\n</div>\n");
	if (strcmp(verb, "reply") == 0)
		track_files_field(b, v);
	html_raw(b, "<button type=\"submit\" class=\"button\">");
	html_texts(b, button);
	html_raw(b, "</button>\n</form>\n</section>\n");
}

/* The complainant's appeals, as they wrote them. */
static void
track_appeals(struct sbuf *b, const struct track_view *v)
{
	json_t	*a;
	size_t	 i;

	json_array_foreach(v->d.appeals, i, a)
		track_article(b, "Your appeal", a);
}

static void
sent_fact(struct sbuf *b, const char *term, const char *value)
{
	html_raw(b, "<dt>");
	html_texts(b, term);
	html_raw(b, "</dt><dd>");
	html_texts(b, value);
	html_raw(b, "</dd>\n");
}

static const char *
yes_no(const json_t *o, const char *key)
{
	return (json_is_true(json_object_get(o, key)) ? "Yes" : "No");
}

/* What the complainant sent, as they sent it, readable with their code. */
/* The targeting reasons and the AI answer, when the complainant gave them. */
static void
sent_reasons(struct sbuf *b, const json_t *s)
{
	const json_t	*list, *x;
	const char	*ai;
	size_t		 i;

	list = json_object_get(s, "targeting_reasons");
	if (json_array_size(list) > 0) {
		html_raw(b, "<dt>Why you think you were targeted</dt>\n<dd>"
		    "<ul id=\"targeting-reasons\">");
		json_array_foreach(list, i, x) {
			html_raw(b, "<li>");
			html_texts(b, json_string_value(x));
			html_raw(b, "</li>");
		}
		html_raw(b, "</ul></dd>\n");
	}
	if ((ai = intake_ai_label(json_text(s, "ai_disclosed"))) != NULL)
		sent_fact(b, "Did it say AI was used?", ai);
	/* The answers themselves are not in the complainant's copy. */
	if (json_is_true(json_object_get(s, "demographics_given")))
		sent_fact(b, "Your answers about yourself", "Kept encrypted, "
		    "for fairness statistics only");
}

static void
track_sent(struct sbuf *b, const struct track_view *v)
{
	const json_t	*s = v->d.sent, *contact;
	const char	*text;

	html_raw(b, "<section id=\"sent\"><h2>What you sent</h2>\n"
	    "<dl class=\"facts\">\n");
	sent_fact(b, "Concern", json_text(s, "category"));
	sent_fact(b, "Where you saw it", json_text(s, "channel"));
	if (*json_text(s, "occurred_on") != '\0')
		sent_fact(b, "When it happened", json_text(s, "occurred_on"));
	if (*json_text(s, "brand") != '\0')
		sent_fact(b, "Brand or campaign", json_text(s, "brand"));
	sent_fact(b, "A child or a person in a vulnerable situation was "
	    "affected", yes_no(s, "vulnerable"));
	sent_fact(b, "You may contact me", yes_no(s, "consent_contact"));
	sent_fact(b, "You may publish my account without my name",
	    yes_no(s, "consent_publish"));
	sent_fact(b, "You may use my optional answers for fairness "
	    "statistics", yes_no(s, "consent_demographics"));
	sent_reasons(b, s);
	if (v->d.copy != NULL) {
		contact = json_object_get(v->d.copy, "contact");
		if ((text = json_text(contact, "name"))[0] != '\0')
			sent_fact(b, "Your name", text);
		if ((text = json_text(contact, "email"))[0] != '\0')
			sent_fact(b, "Your e-mail address", text);
	}
	html_raw(b, "</dl>\n<h3>What you told us</h3>\n");
	if (v->d.copy != NULL) {
		html_raw(b, "<div class=\"narrative\" id=\"description\" "
		    "dir=\"auto\">");
		html_texts(b, json_text(v->d.copy, "description"));
		html_raw(b, "</div>\n");
		if ((text = json_text(v->d.copy, "why_shown"))[0] != '\0') {
			html_raw(b, "<h3>What the platform said about why you "
			    "saw it</h3>\n<div class=\"narrative\" "
			    "id=\"why-shown\" dir=\"auto\">");
			html_texts(b, text);
			html_raw(b, "</div>\n");
		}
		view_evidence_list(b, json_object_get(v->d.copy, "evidence"),
		    "The files you sent");
	} else
		html_raw(b, "<p>We cannot show your description here: this "
		    "report was sent before we kept a copy that only your "
		    "receipt code opens. The reviewers have it.</p>\n");
	html_raw(b, "</section>\n");
}

/*
 * The consents still given, each with a button that takes it back and
 * what that does.  Taking one back is final here: a consent is only given
 * with a report.
 */
static void
track_choices(struct sbuf *b, const struct track_view *v)
{
	static const struct {
		const char *consent, *given, *effect, *button;
	} choice[] = {
		{ "contact", "We may contact you by e-mail about this report.",
		    "If you withdraw it, we stop e-mailing you at once and the "
		    "reviewers no longer see your contact details.",
		    "Do not contact me" },
		{ "publish", "We may publish your account without identifying "
		    "details.", "If you withdraw it, your account is left out "
		    "of the next version of our report.",
		    "Do not publish my account" },
		{ "demographics", "We may use your answers about yourself for "
		    "fairness statistics.", "If you withdraw it, we destroy your "
		    "answers at once.", "Destroy my answers" },
	};
	char	 key[32];
	size_t	 i, n = 0;

	html_raw(b, "<section id=\"choices\" aria-labelledby=\"choices-h\">"
	    "<h2 id=\"choices-h\">Your choices</h2>\n");
	if (v->error_verb != NULL && strcmp(v->error_verb, "withdraw") == 0) {
		html_raw(b, "<p class=\"error\" id=\"withdraw-error\">"
		    "<span class=\"visually-hidden\">Error: </span>");
		html_texts(b, v->error);
		html_raw(b, "</p>\n");
	}
	for (i = 0; i < sizeof(choice) / sizeof(choice[0]); i++) {
		(void)snprintf(key, sizeof(key), "consent_%s",
		    choice[i].consent);
		if (!json_is_true(json_object_get(v->d.sent, key)))
			continue;
		n++;
		track_form_open(b, v, "withdraw");
		html_raw(b, "<input type=\"hidden\" name=\"consent\" "
		    "value=\"");
		html_attrs(b, choice[i].consent);
		html_raw(b, "\">\n<p>");
		html_texts(b, choice[i].given);
		html_raw(b, " ");
		html_texts(b, choice[i].effect);
		html_raw(b, "</p>\n<button type=\"submit\" class=\"button "
		    "secondary\">");
		html_texts(b, choice[i].button);
		html_raw(b, "</button>\n</form>\n");
	}
	if (n == 0)
		html_raw(b, "<p>You have given us no consent to withdraw.</p>\n");
	html_raw(b, "</section>\n");
}

/*
 * Erasure: how long we keep the data, and the request with the
 * consequences to acknowledge; once asked, when it will be done, or the
 * legal obligation that keeps the data for now.
 */
static void
track_erasure(struct sbuf *b, const struct track_view *v)
{
	const json_t	*asked, *hold, *months, *due;
	const char	*err;
	long long	 n;

	asked = json_object_get(v->d.sent, "erasure_requested_at");
	hold = json_object_get(v->d.sent, "legal_hold");
	months = json_object_get(v->d.sent, "retention_months");
	html_raw(b, "<section id=\"erasure\" aria-labelledby=\"erasure-h\">"
	    "<h2 id=\"erasure-h\">Erasing your data</h2>\n");
	if (json_is_string(hold)) {
		html_raw(b, "<p>We must keep your data for now, for this "
		    "reason:</p>\n<div class=\"prose\" id=\"legal-hold\" "
		    "dir=\"auto\">");
		html_texts(b, json_string_value(hold));
		html_raw(b, "</div>\n<p>We will erase it when this obligation "
		    "ends, if you asked us to or once the time we keep data "
		    "has passed.</p>\n");
	}
	if (json_is_string(asked)) {
		html_raw(b, "<p>You asked on ");
		track_date(b, json_string_value(asked));
		html_raw(b, " for your data to be erased.");
		due = json_object_get(v->d.sent, "erasure_due");
		if (!json_is_string(hold) && json_is_string(due)) {
			html_raw(b, " A reviewer will confirm it by ");
			track_date(b, json_string_value(due));
			html_raw(b, ".");
		} else if (!json_is_string(hold))
			html_raw(b, " A reviewer will confirm it within one "
			    "month.");
		if (!json_is_string(hold))
			html_raw(b, " From then on this code will not find your "
			    "report.");
		html_raw(b, "</p>\n</section>\n");
		return;
	}
	n = json_integer_value(months);
	sbuf_printf(b, "<p>We keep what you told us until %lld %s after your "
	    "report is closed, then erase it. You can ask us to erase it "
	    "now: your description, the files you sent, your contact "
	    "details and answers, the messages, the reasons for decisions, "
	    "your appeals and this receipt code are destroyed, and an open "
	    "report is closed. "
	    "Counts that say nothing about you stay in our statistics.</p>\n",
	    n, n == 1 ? "month" : "months");
	err = v->error_verb != NULL && strcmp(v->error_verb, "erase") == 0 ?
	    v->error : NULL;
	track_form_open(b, v, "erase");
	html_raw(b, "<div class=\"field");
	if (err != NULL)
		html_raw(b, " has-error");
	html_raw(b, "\">\n");
	if (err != NULL) {
		html_raw(b, "<p class=\"error\" id=\"erase-error\">"
		    "<span class=\"visually-hidden\">Error: </span>");
		html_texts(b, err);
		html_raw(b, "</p>\n");
	}
	html_raw(b, "<div class=\"check\"><input type=\"checkbox\" "
	    "name=\"confirm\" value=\"yes\" id=\"f-erase\"");
	if (err != NULL)
		html_raw(b, " aria-describedby=\"erase-error\" "
		    "aria-invalid=\"true\"");
	html_raw(b, "><label for=\"f-erase\">I understand that I will not be "
	    "able to read or follow this report any more, and that this "
	    "cannot be undone.</label></div>\n</div>\n<button type=\"submit\" "
	    "class=\"button secondary\">Ask for my data to be erased"
	    "</button>\n</form>\n</section>\n");
}

/*
 * The report as the complainant sees it: where it stands and what has
 * happened first, then what they sent, then what they can do now.
 */
void
view_track_result(struct sbuf *b, const struct track_view *v)
{
	const struct track_result	*r = v->r;
	json_t				*e;
	size_t				 i;
	char				 hint[200];

	page_begin(b, v->error_verb ? "Error: your report" : "Your report");
	html_raw(b, "<h1>Report <span class=\"reference\">");
	html_texts(b, r->reference);
	html_raw(b, "</span></h1>\n");
	if (v->notice != NULL) {
		html_raw(b, "<div class=\"notice\" role=\"status\"><p>");
		html_texts(b, v->notice);
		html_raw(b, "</p></div>\n");
	}
	if (v->error_verb != NULL) {
		const char *ids[2] = { v->error_verb, "reply-evidence" };
		const char *messages[2] = { v->error, v->file_error };

		page_error_summary(b, ids, messages, 2);
	}
	html_raw(b, "<dl class=\"facts\">\n<dt>Status</dt>"
	    "<dd id=\"status\"><strong>");
	html_texts(b, view_state_label(v->d.public_state));
	html_raw(b, "</strong>. ");
	html_texts(b, state_explain(v->d.public_state));
	html_raw(b, "</dd>\n<dt>Received</dt><dd>");
	track_date(b, r->received_at);
	html_raw(b, "</dd>\n<dt>Last updated</dt><dd>");
	track_date(b, r->updated_at);
	html_raw(b, "</dd>\n");
	if (r->next != NULL) {
		html_raw(b, "<dt>What happens next</dt><dd id=\"next\">");
		html_texts(b, r->next);
		html_raw(b, "</dd>\n");
	}
	html_raw(b, "</dl>\n");
	html_raw(b, "<h2>What has happened</h2>\n<ol class=\"timeline\">\n");
	json_array_foreach(r->events, i, e) {
		const char *at = json_string_value(json_object_get(e, "at"));
		const char *kind = json_string_value(json_object_get(e,
		    "kind"));

		if (at == NULL || kind == NULL)
			continue;
		html_raw(b, "<li>");
		track_date(b, at);
		html_raw(b, " ");
		html_texts(b, view_event_label(kind));
		html_raw(b, "</li>\n");
	}
	html_raw(b, "</ol>\n");
	track_decisions(b, v);
	track_messages(b, v);
	track_appeals(b, v);
	track_sent(b, v);
	track_choices(b, v);
	track_erasure(b, v);
	if (v->d.can_appeal) {
		(void)snprintf(hint, sizeof(hint), "A different reviewer will "
		    "look at your report again. You can appeal until %.10s "
		    "(six months after the decision).", v->d.appeal_until);
		track_text_form(b, v, "appeal", "Appeal against the decision",
		    "Why you disagree", hint, "Send my appeal");
	}
	if (v->d.can_reply)
		track_text_form(b, v, "reply", "Write to the reviewer",
		    "Your message", "Answer a question, or add something "
		    "you remembered. Do not include other people's details.",
		    "Send my reply");
	html_raw(b, "<p><a href=\"/track\">Look up another report</a>"
	    "</p>\n");
	page_end(b);
}

void
view_message(struct sbuf *b, const char *title, const char *message)
{
	page_begin(b, title);
	html_raw(b, "<h1>");
	html_texts(b, title);
	html_raw(b, "</h1>\n<p>");
	html_texts(b, message);
	html_raw(b, "</p>\n<p><a href=\"/\">Go to the home page</a></p>\n");
	page_end(b);
}

void
view_unavailable(struct sbuf *b, int filing)
{
	page_begin(b, "Temporarily unavailable");
	if (filing)
		html_raw(b, "<h1>Sorry, we cannot take reports at this "
		    "moment</h1>\n<p><strong>Your report was NOT saved."
		    "</strong> Our database is briefly unreachable. Please try "
		    "again in a minute: go back, and your answers should still "
		    "be in the form.</p>\n");
	else
		html_raw(b, "<h1>Sorry, this page is not available at this "
		    "moment</h1>\n<p>Our database is briefly unreachable. "
		    "Nothing you sent was saved. Please try again in a "
		    "minute.</p>\n");
	html_raw(b, "<p>If this keeps happening, try again later today.</p>\n");
	page_end(b);
}
