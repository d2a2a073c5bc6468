/*
 * The complaint form's fields and every rule they must meet, with one plain
 * message per field; shared by the HTML form and the JSON API.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "recourse.h"

const char *const intake_field_name[IF__MAX] = {
	[IF_CATEGORY] = "category",
	[IF_CHANNEL] = "channel",
	[IF_OCCURRED_ON] = "occurred_on",
	[IF_BRAND] = "brand",
	[IF_DESCRIPTION] = "description",
	[IF_VULNERABLE] = "vulnerable",
	[IF_CONTACT_NAME] = "contact_name",
	[IF_CONTACT_EMAIL] = "contact_email",
	[IF_CONSENT_CONTACT] = "consent_contact",
	[IF_CONSENT_PUBLISH] = "consent_publish",
	[IF_CONSENT_DEMOGRAPHICS] = "consent_demographics",
	[IF_TARGETING_REASONS] = "targeting_reasons",
	[IF_AI_DISCLOSED] = "ai_disclosed",
	[IF_WHY_SHOWN] = "why_shown",
	[IF_AGE_BAND] = "age_band",
	[IF_GENDER] = "gender",
	[IF_GENDER_DESCRIPTION] = "gender_description",
	[IF_DISABILITY] = "disability",
	[IF_ORIGIN] = "origin",
	[IF_EVIDENCE] = "evidence",
};

const enum intake_field intake_question_field[IQ__MAX] = {
	[IQ_AGE_BAND] = IF_AGE_BAND,
	[IQ_GENDER] = IF_GENDER,
	[IQ_DISABILITY] = IF_DISABILITY,
	[IQ_ORIGIN] = IF_ORIGIN,
};

const struct intake_choice intake_ai_answer[INTAKE_AI_ANSWERS] = {
	{ "yes", "Yes, it said AI was used" },
	{ "no", "No, it did not say so" },
	{ "not_sure", "I am not sure" },
};

/* The words of an answer to the AI question; NULL when 'code' is none. */
const char *
intake_ai_label(const char *code)
{
	size_t	 i;

	for (i = 0; code != NULL && i < INTAKE_AI_ANSWERS; i++)
		if (strcmp(code, intake_ai_answer[i].code) == 0)
			return (intake_ai_answer[i].label);
	return (NULL);
}

void
intake_init(struct intake *in)
{
	memset(in, 0, sizeof(*in));
}

/* Frees a string after wiping it: it may be someone's account. */
static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
intake_free(struct intake *in)
{
	int	 q;

	free(in->category);
	free(in->channel);
	free(in->occurred_on);
	free(in->brand);
	wipe_free(in->description);
	wipe_free(in->contact_name);
	wipe_free(in->contact_email);
	while (in->ntargeting > 0)
		free(in->targeting[--in->ntargeting]);
	free(in->ai_disclosed);
	wipe_free(in->why_shown);
	for (q = 0; q < IQ__MAX; q++)
		wipe_free(in->answer[q]);
	wipe_free(in->gender_description);
	intake_init(in);
}

/* A copy with surrounding white space removed; NULL when nothing is left. */
static char *
trimmed(const char *v, size_t len)
{
	char	*s;

	while (len > 0 && isspace((unsigned char)*v)) {
		v++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	if (len == 0)
		return (NULL);
	if ((s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, v, len);
	s[len] = '\0';
	return (s);
}

static int
flag_value(const char *v, size_t len, int *out)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "", "no", "off", "false", "0" };
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (len == strlen(yes[i]) && strncmp(v, yes[i], len) == 0) {
			*out = 1;
			return (1);
		}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (len == strlen(no[i]) && strncmp(v, no[i], len) == 0) {
			*out = 0;
			return (1);
		}
	return (0);
}

/*
 * Codes of targeting reasons and demographic answers: a lower-case letter,
 * then lower-case letters, digits and _ (age_25_34), at most 60 bytes.
 */
static int
word_code_valid(const char *s)
{
	size_t	 i;

	if (!islower((unsigned char)s[0]))
		return (0);
	for (i = 1; s[i] != '\0'; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_')
			return (0);
	return (i <= 60);
}

/*
 * Adds a targeting reason in its sorted place, once: the same choices make
 * the same complaint whatever order they came in.  Blank values (an
 * unticked box sent by a script) count as none.
 */
static void
targeting_add(struct intake *in, const char *v, size_t len)
{
	char	*code;
	size_t	 i;
	int	 c = 1;

	if ((code = trimmed(v, len)) == NULL)
		return;
	if (!word_code_valid(code)) {
		free(code);
		in->error[IF_TARGETING_REASONS] = "Choose from the listed "
		    "reasons.";
		return;
	}
	for (i = 0; i < in->ntargeting; i++)
		if ((c = strcmp(code, in->targeting[i])) <= 0)
			break;
	if (c == 0) {
		free(code);
		return;
	}
	if (in->ntargeting == INTAKE_TARGETING_MAX) {
		free(code);
		in->error[IF_TARGETING_REASONS] = "Choose at most 20 reasons.";
		return;
	}
	memmove(&in->targeting[i + 1], &in->targeting[i],
	    (in->ntargeting - i) * sizeof(in->targeting[0]));
	in->targeting[i] = code;
	in->ntargeting++;
}

/* Text kept exactly as typed; blank text counts as none. */
static char *
kept_text(const char *v, size_t len)
{
	char	*s = NULL;
	size_t	 i;

	for (i = 0; i < len; i++)
		if (!isspace((unsigned char)v[i]))
			break;
	if (i < len && (s = strndup(v, len)) == NULL)
		abort();
	return (s);
}

/*
 * Stores one submitted value (for targeting reasons, adds one).  Text
 * fields keep their bytes exactly (the description is never trimmed
 * inside); a NUL byte or malformed UTF-8 is an error that
 * intake_validate() reports on the field.
 */
void
intake_set(struct intake *in, enum intake_field f, const char *v, size_t len)
{
	char	**slot = NULL;
	int	 *flag = NULL;

	switch (f) {
	case IF_CATEGORY: slot = &in->category; break;
	case IF_CHANNEL: slot = &in->channel; break;
	case IF_OCCURRED_ON: slot = &in->occurred_on; break;
	case IF_BRAND: slot = &in->brand; break;
	case IF_CONTACT_NAME: slot = &in->contact_name; break;
	case IF_CONTACT_EMAIL: slot = &in->contact_email; break;
	case IF_DESCRIPTION: slot = &in->description; break;
	case IF_VULNERABLE: flag = &in->vulnerable; break;
	case IF_CONSENT_CONTACT: flag = &in->consent_contact; break;
	case IF_CONSENT_PUBLISH: flag = &in->consent_publish; break;
	case IF_CONSENT_DEMOGRAPHICS: flag = &in->consent_demographics; break;
	case IF_AI_DISCLOSED: slot = &in->ai_disclosed; break;
	case IF_WHY_SHOWN: slot = &in->why_shown; break;
	case IF_AGE_BAND: slot = &in->answer[IQ_AGE_BAND]; break;
	case IF_GENDER: slot = &in->answer[IQ_GENDER]; break;
	case IF_DISABILITY: slot = &in->answer[IQ_DISABILITY]; break;
	case IF_ORIGIN: slot = &in->answer[IQ_ORIGIN]; break;
	case IF_GENDER_DESCRIPTION: slot = &in->gender_description; break;
	case IF_TARGETING_REASONS: break;
	case IF_EVIDENCE:	/* files, read by complaint.c */
	case IF__MAX: return;
	}

	if (memchr(v, '\0', len) != NULL || !utf8_valid(v, len)) {
		in->error[f] = "This contains characters that are not text "
		    "(a NUL byte or invalid UTF-8). Please retype it.";
		return;
	}
	if (flag != NULL) {
		if (!flag_value(v, len, flag))
			in->error[f] = "Answer yes or no.";
		return;
	}
	if (f == IF_TARGETING_REASONS) {
		targeting_add(in, v, len);
		return;
	}
	wipe_free(*slot);
	if (f == IF_DESCRIPTION || f == IF_WHY_SHOWN)
		*slot = kept_text(v, len);
	else
		*slot = trimmed(v, len);
}

/* C0 controls, DEL, and C1 controls (U+0080-U+009F, UTF-8 C2 80-9F). */
static int
has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return (1);
		if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] >= 0x80 &&
		    (unsigned char)s[1] <= 0x9f)
			return (1);
	}
	return (0);
}

/*
 * Characters between the first and last non-space ones, counting a CRLF
 * (how browsers send every line break) as one, as the textarea does.
 */
static size_t
trimmed_count(const char *s)
{
	size_t	 len, i, crlf;

	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	for (crlf = 0, i = 0; i + 1 < len; i++)
		if (s[i] == '\r' && s[i + 1] == '\n')
			crlf++;
	return (utf8_count(s, len) - crlf);
}

static int
leap(int y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

/* A real calendar date written YYYY-MM-DD. */
int
intake_date_valid(const char *s)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	 i, y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return (0);
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return (0);
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return (0);
	return (d <= days[m - 1] + (m == 2 && leap(y)));
}

/*
 * A deliberately plain check: one @, a dot-atom local part of at most 64
 * bytes, a domain of at least two labels of letters, digits and hyphens.
 * It refuses what cannot be delivered, not every exotic valid address.
 */
int
intake_email_valid(const char *s)
{
	const char	*at, *p, *label;
	size_t		 len;

	len = strlen(s);
	if (len < 3 || len > INTAKE_EMAIL_MAX)
		return (0);
	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return (0);
	if (at == s || at - s > 64 || s[0] == '.' || at[-1] == '.')
		return (0);
	for (p = s; p < at; p++) {
		if (isalnum((unsigned char)*p) ||
		    strchr("!#$%&'*+/=?^_`{|}~-", *p) != NULL)
			continue;
		if (*p == '.' && p[1] != '.')
			continue;
		return (0);
	}
	label = at + 1;
	if (strchr(label, '.') == NULL)
		return (0);
	for (p = label; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || label[0] == '-' || p[-1] == '-' ||
			    p - label > 63)
				return (0);
			if (*p == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-')
			return (0);
	}
	/* The top-level label is letters only. */
	for (p = strrchr(at, '.') + 1; *p != '\0'; p++)
		if (!isalpha((unsigned char)*p))
			return (0);
	return (1);
}

/* Taxonomy codes: lower-case words, optionally dotted (privacy.consent). */
int
intake_code_valid(const char *s)
{
	size_t	 i, len;

	len = strlen(s);
	if (len == 0 || len > INTAKE_CODE_MAX || !islower((unsigned char)s[0]))
		return (0);
	for (i = 0; i < len; i++) {
		if (islower((unsigned char)s[i]) || s[i] == '_')
			continue;
		if (s[i] == '.' && i + 1 < len && s[i + 1] != '.')
			continue;
		return (0);
	}
	return (1);
}

/* Whether any demographic question is answered. */
int
intake_has_answers(const struct intake *in)
{
	int	 q;

	for (q = 0; q < IQ__MAX; q++)
		if (in->answer[q] != NULL)
			return (1);
	return (in->gender_description != NULL);
}

/*
 * The demographic answers.  Without the consent to use them they are
 * dropped unread: the form says so, and nothing about a person is kept
 * that they did not agree to.  Whether an answer is offered is the
 * taxonomy's to say (filing_check_answers).
 */
static void
validate_answers(struct intake *in)
{
	int	 q, f;

	if (!in->consent_demographics) {
		for (q = 0; q < IQ__MAX; q++) {
			wipe_free(in->answer[q]);
			in->answer[q] = NULL;
			in->error[intake_question_field[q]] = NULL;
		}
		wipe_free(in->gender_description);
		in->gender_description = NULL;
		in->error[IF_GENDER_DESCRIPTION] = NULL;
		return;
	}
	for (q = 0; q < IQ__MAX; q++) {
		f = intake_question_field[q];
		if (in->error[f] == NULL && in->answer[q] != NULL &&
		    !word_code_valid(in->answer[q]))
			in->error[f] = "Choose one of the listed answers.";
	}
	if (in->error[IF_GENDER_DESCRIPTION] != NULL ||
	    in->gender_description == NULL)
		return;
	if (utf8_count(in->gender_description,
	    strlen(in->gender_description)) > INTAKE_GENDER_DESCRIPTION_MAX)
		in->error[IF_GENDER_DESCRIPTION] = "Keep it to 100 characters "
		    "or fewer.";
	else if (has_control(in->gender_description))
		in->error[IF_GENDER_DESCRIPTION] = "Write it on one line.";
	else if (in->answer[IQ_GENDER] == NULL) {
		/* Describing it is answering "in another way". */
		if ((in->answer[IQ_GENDER] = strdup("self_described")) == NULL)
			abort();
	} else if (strcmp(in->answer[IQ_GENDER], "self_described") != 0)
		in->error[IF_GENDER_DESCRIPTION] = "Choose \"In another way\" "
		    "above to describe your gender, or clear this box.";
}

/*
 * Checks every field and fills in->error[]; returns 1 when the complaint can
 * be accepted.  'today' is YYYY-MM-DD in the service's time zone.  Whether a
 * category or channel exists is the database's to say.
 */
int
intake_validate(struct intake *in, const char *today)
{
	size_t	 n;
	int	 f;

	if (in->error[IF_CATEGORY] == NULL) {
		if (in->category == NULL)
			in->error[IF_CATEGORY] = "Choose the kind of concern "
			    "that fits best.";
		else if (!intake_code_valid(in->category))
			in->error[IF_CATEGORY] = "Choose one of the listed "
			    "kinds of concern.";
	}
	if (in->error[IF_CHANNEL] == NULL) {
		if (in->channel == NULL)
			in->error[IF_CHANNEL] = "Choose where you met the "
			    "marketing.";
		else if (!intake_code_valid(in->channel))
			in->error[IF_CHANNEL] = "Choose one of the listed "
			    "channels.";
	}
	if (in->error[IF_OCCURRED_ON] == NULL && in->occurred_on != NULL) {
		if (!intake_date_valid(in->occurred_on))
			in->error[IF_OCCURRED_ON] = "Enter a real date as "
			    "year-month-day, for example 2026-03-14.";
		else if (strcmp(in->occurred_on, today) > 0)
			in->error[IF_OCCURRED_ON] = "The date cannot be in "
			    "the future.";
	}
	if (in->error[IF_BRAND] == NULL && in->brand != NULL) {
		if (utf8_count(in->brand, strlen(in->brand)) >
		    INTAKE_BRAND_MAX)
			in->error[IF_BRAND] = "Keep the brand or campaign to "
			    "200 characters or fewer.";
		else if (has_control(in->brand))
			in->error[IF_BRAND] = "Write the brand on one line.";
	}
	if (in->error[IF_DESCRIPTION] == NULL) {
		n = in->description == NULL ? 0 :
		    trimmed_count(in->description);
		if (in->description == NULL)
			in->error[IF_DESCRIPTION] = "Tell us what happened.";
		else if (n < INTAKE_DESCRIPTION_MIN)
			in->error[IF_DESCRIPTION] = "Tell us a little more: "
			    "at least 20 characters.";
		else if (n > INTAKE_DESCRIPTION_MAX)
			in->error[IF_DESCRIPTION] = "Keep the description to "
			    "10\xc2\xa0" "000 characters or fewer.";
	}
	if (in->error[IF_CONTACT_NAME] == NULL && in->contact_name != NULL) {
		if (utf8_count(in->contact_name, strlen(in->contact_name)) >
		    INTAKE_NAME_MAX)
			in->error[IF_CONTACT_NAME] = "Keep your name to 200 "
			    "characters or fewer.";
		else if (has_control(in->contact_name))
			in->error[IF_CONTACT_NAME] = "Write your name on one "
			    "line.";
	}
	if (in->error[IF_CONTACT_EMAIL] == NULL) {
		if (in->contact_email != NULL &&
		    !intake_email_valid(in->contact_email))
			in->error[IF_CONTACT_EMAIL] = "Enter an e-mail address "
			    "like name@example.org.";
		else if (in->contact_email == NULL && in->consent_contact)
			in->error[IF_CONTACT_EMAIL] = "Give an e-mail address "
			    "so that we can contact you, or untick \"You may "
			    "contact me\".";
		else if (in->contact_email != NULL && !in->consent_contact)
			in->error[IF_CONTACT_EMAIL] = "You gave an address but "
			    "did not allow us to contact you: tick \"You may "
			    "contact me\" or clear the address.";
	}

	if (in->error[IF_AI_DISCLOSED] == NULL && in->ai_disclosed != NULL &&
	    intake_ai_label(in->ai_disclosed) == NULL)
		in->error[IF_AI_DISCLOSED] = "Answer yes, no or not sure.";
	if (in->error[IF_WHY_SHOWN] == NULL && in->why_shown != NULL &&
	    trimmed_count(in->why_shown) > INTAKE_WHY_SHOWN_MAX)
		in->error[IF_WHY_SHOWN] = "Keep the explanation to "
		    "5\xc2\xa0" "000 characters or fewer.";

	validate_answers(in);

	for (f = 0; f < IF__MAX; f++)
		if (in->error[f] != NULL)
			return (0);
	return (1);
}

static void
canonical_field(struct sbuf *b, enum intake_field f, const char *v)
{
	sbuf_printf(b, "%s=%zu:", intake_field_name[f], v ? strlen(v) : 0);
	if (v != NULL)
		sbuf_adds(b, v);
	sbuf_addc(b, '\n');
}

/* The sorted codes, each length-prefixed, after their count. */
static void
canonical_targeting(struct sbuf *b, const struct intake *in)
{
	size_t	 i;

	sbuf_printf(b, "%s=%zu:", intake_field_name[IF_TARGETING_REASONS],
	    in->ntargeting);
	for (i = 0; i < in->ntargeting; i++)
		sbuf_printf(b, "%zu:%s", strlen(in->targeting[i]),
		    in->targeting[i]);
	sbuf_addc(b, '\n');
}

/*
 * One unambiguous serialisation of an accepted complaint (length-prefixed,
 * fixed order), so that "the same request" means the same content whichever
 * way it was sent.
 */
void
intake_canonical(const struct intake *in, struct sbuf *b)
{
	canonical_field(b, IF_CATEGORY, in->category);
	canonical_field(b, IF_CHANNEL, in->channel);
	canonical_field(b, IF_OCCURRED_ON, in->occurred_on);
	canonical_field(b, IF_BRAND, in->brand);
	canonical_field(b, IF_DESCRIPTION, in->description);
	canonical_field(b, IF_VULNERABLE, in->vulnerable ? "1" : "0");
	canonical_field(b, IF_CONTACT_NAME, in->contact_name);
	canonical_field(b, IF_CONTACT_EMAIL, in->contact_email);
	canonical_field(b, IF_CONSENT_CONTACT, in->consent_contact ? "1" : "0");
	canonical_field(b, IF_CONSENT_PUBLISH, in->consent_publish ? "1" : "0");
	canonical_field(b, IF_CONSENT_DEMOGRAPHICS,
	    in->consent_demographics ? "1" : "0");
	canonical_targeting(b, in);
	canonical_field(b, IF_AI_DISCLOSED, in->ai_disclosed);
	canonical_field(b, IF_WHY_SHOWN, in->why_shown);
	canonical_field(b, IF_AGE_BAND, in->answer[IQ_AGE_BAND]);
	canonical_field(b, IF_GENDER, in->answer[IQ_GENDER]);
	canonical_field(b, IF_GENDER_DESCRIPTION, in->gender_description);
	canonical_field(b, IF_DISABILITY, in->answer[IQ_DISABILITY]);
	canonical_field(b, IF_ORIGIN, in->answer[IQ_ORIGIN]);
}
