/*
 * The scrubber a consented narrative passes before a reviewer reads its
 * draft for the report: it flags what could identify someone (e-mail
 * addresses, also written out with "at" and "dot"; phone numbers; names
 * known from the case; web addresses that carry identifiers; postcodes;
 * long runs of digits) so that the reviewer redacts them.  It only flags:
 * a person decides, and approves the redacted text.  Pure.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report.h"

static void
flag(struct scrub_flags *out, size_t start, size_t end,
    enum scrub_kind kind)
{
	size_t	 i, j;

	if (end <= start)
		return;
	/*
	 * One flag a stretch: a finding that overlaps others absorbs them
	 * all (the first keeps its kind), so that no two flags overlap.
	 */
	for (i = 0; i < out->n; i++)
		if (start < out->f[i].end && end > out->f[i].start)
			break;
	if (i < out->n) {
		if (start < out->f[i].start)
			out->f[i].start = start;
		if (end > out->f[i].end)
			out->f[i].end = end;
		for (j = out->n; j-- > 0;) {
			if (j == i || out->f[j].start >= out->f[i].end ||
			    out->f[j].end <= out->f[i].start)
				continue;
			if (out->f[j].start < out->f[i].start)
				out->f[i].start = out->f[j].start;
			if (out->f[j].end > out->f[i].end)
				out->f[i].end = out->f[j].end;
			out->f[j] = out->f[--out->n];
			if (i == out->n)
				i = j;
			j = out->n;	/* the stretch grew: look again */
		}
		return;
	}
	if (out->n == SCRUB_MAX_FLAGS) {
		out->more = 1;
		return;
	}
	out->f[out->n].start = start;
	out->f[out->n].end = end;
	out->f[out->n].kind = kind;
	out->n++;
}

static int
word_char(unsigned char c)
{
	return (isalnum(c) || c == '_' || c == '-' || c == '.' || c == '+' ||
	    c >= 0x80);
}

/* user@host.tld: the whole address. */
static void
emails(const char *s, size_t len, struct scrub_flags *out)
{
	size_t	 i, a, b;

	for (i = 0; i < len; i++) {
		if (s[i] != '@')
			continue;
		for (a = i; a > 0 && word_char((unsigned char)s[a - 1]); a--)
			;
		for (b = i + 1; b < len && word_char((unsigned char)s[b]); b++)
			;
		if (a < i && b > i + 1 && memchr(s + i, '.', b - i) != NULL)
			flag(out, a, b, SCRUB_EMAIL);
	}
}

/* The next word's bounds from 'i' (letters, digits), or 0 at the end. */
static int
next_word(const char *s, size_t len, size_t *i, size_t *ws, size_t *we)
{
	while (*i < len && !isalnum((unsigned char)s[*i]))
		(*i)++;
	if (*i == len)
		return (0);
	*ws = *i;
	while (*i < len && (isalnum((unsigned char)s[*i]) ||
	    (unsigned char)s[*i] >= 0x80))
		(*i)++;
	*we = *i;
	return (1);
}

/* "name at example dot com", "name (at) example [dot] org". */
static void
spelled_emails(const char *s, size_t len, struct scrub_flags *out)
{
	size_t	 i = 0, ws[5], we[5], k;

	for (;;) {
		size_t	 j;

		if (!next_word(s, len, &i, &ws[0], &we[0]))
			return;
		j = i;
		for (k = 1; k < 5 && next_word(s, len, &j, &ws[k], &we[k]); k++)
			;
		if (k == 5 && we[1] - ws[1] == 2 && strncasecmp(s + ws[1], "at",
		    2) == 0 && we[3] - ws[3] == 3 && strncasecmp(s + ws[3],
		    "dot", 3) == 0 && we[4] - ws[4] >= 2 && we[4] - ws[4] <= 6)
			flag(out, ws[0], we[4], SCRUB_EMAIL);
	}
}

static int
separator(char c)
{
	return (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' ||
	    c == '/');
}

/* A digit within two more separators, as in "(020) 7946". */
static int
digit_follows(const char *s, size_t len, size_t i)
{
	size_t	 j;

	for (j = i + 1; j < len && j <= i + 3; j++) {
		if (isdigit((unsigned char)s[j]))
			return (1);
		if (!separator(s[j]))
			return (0);
	}
	return (0);
}

/*
 * Runs of digits, with the separators phone numbers and references use
 * between them: 7 digits or more with a leading + or 0, or a separator,
 * is a phone number; 5 or more otherwise is a long run of digits.
 */
static void
digit_runs(const char *s, size_t len, struct scrub_flags *out)
{
	size_t	 i = 0, a, last, digits;
	int	 plus, seps;

	while (i < len) {
		if (!isdigit((unsigned char)s[i])) {
			i++;
			continue;
		}
		a = i;
		/* An area code in brackets starts the number. */
		if (a > 0 && s[a - 1] == '(')
			a--;
		plus = a > 0 && s[a - 1] == '+';
		digits = seps = 0;
		last = i;
		while (i < len && (isdigit((unsigned char)s[i]) ||
		    (separator(s[i]) && digit_follows(s, len, i)))) {
			if (isdigit((unsigned char)s[i])) {
				digits++;
				last = i + 1;
			} else
				seps++;
			i++;
		}
		if (digits >= 7 && (plus || s[a] == '0' || s[a] == '(' ||
		    seps > 0))
			flag(out, plus ? a - 1 : a, last, SCRUB_PHONE);
		else if (digits >= 5)
			flag(out, a, last, SCRUB_DIGITS);
	}
}

/*
 * Postcodes: the UK's (SW1A 1AA, M1 1AE), the Netherlands' (1234 AB), and
 * Canada's (K1A 0B1); five-digit ones are long digit runs already.
 */
static void
postcodes(const char *s, size_t len, struct scrub_flags *out)
{
	size_t		 i, j, n;
	const unsigned char *u = (const unsigned char *)s;

	for (i = 0; i < len; i++) {
		if (i > 0 && isalnum(u[i - 1]))
			continue;
		/* UK: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA. */
		for (j = i, n = 0; j < len && n < 4 && isalnum(u[j]); j++, n++)
			;
		if (n >= 2 && isalpha(u[i]) && j + 4 <= len && u[j] == ' ' &&
		    isdigit(u[j + 1]) && isalpha(u[j + 2]) && isalpha(u[j + 3]) &&
		    (j + 4 == len || !isalnum(u[j + 4])) &&
		    (isdigit(u[i + 1]) || (n > 2 && isdigit(u[i + 2]))) &&
		    isupper(u[i]) && isupper(u[j + 2]) && isupper(u[j + 3])) {
			flag(out, i, j + 4, SCRUB_POSTCODE);
			continue;
		}
		/* NL: 9999 AA. */
		if (i + 7 <= len && isdigit(u[i]) && isdigit(u[i + 1]) &&
		    isdigit(u[i + 2]) && isdigit(u[i + 3]) && u[i + 4] == ' ' &&
		    isupper(u[i + 5]) && isupper(u[i + 6]) && (i + 7 == len ||
		    !isalnum(u[i + 7])))
			flag(out, i, i + 7, SCRUB_POSTCODE);
		/* CA: A9A 9A9. */
		if (i + 7 <= len && isupper(u[i]) && isdigit(u[i + 1]) &&
		    isupper(u[i + 2]) && u[i + 3] == ' ' && isdigit(u[i + 4]) &&
		    isupper(u[i + 5]) && isdigit(u[i + 6]) && (i + 7 == len ||
		    !isalnum(u[i + 7])))
			flag(out, i, i + 7, SCRUB_POSTCODE);
	}
}

/*
 * Web addresses that carry an identifier: a query string, a fragment, or
 * a path segment with digits or of 16 characters or more.  A bare site
 * name ("example.com") names a company, not a person.
 */
static void
urls(const char *s, size_t len, struct scrub_flags *out)
{
	size_t	 i, a, b, seg, digits;
	int	 id;

	for (i = 0; i + 4 < len; i++) {
		if (strncasecmp(s + i, "http://", 7) != 0 &&
		    strncasecmp(s + i, "https://", 8) != 0 &&
		    strncasecmp(s + i, "www.", 4) != 0)
			continue;
		if (i > 0 && isalnum((unsigned char)s[i - 1]))
			continue;
		a = i;
		for (b = i; b < len && !isspace((unsigned char)s[b]) &&
		    s[b] != '"' && s[b] != '<' && s[b] != '>'; b++)
			;
		/* Trailing punctuation ends the sentence, not the address. */
		while (b > a && strchr(".,;:!?)", s[b - 1]) != NULL)
			b--;
		id = memchr(s + a, '?', b - a) != NULL ||
		    memchr(s + a, '#', b - a) != NULL;
		/* Path segments after the host. */
		for (seg = a; seg < b && s[seg] != '/'; seg++)
			;
		if (seg < b && s[seg] == '/' && seg + 1 < b && s[seg + 1] == '/')
			for (seg += 2; seg < b && s[seg] != '/'; seg++)
				;
		while (!id && seg < b) {
			size_t	 n = 0;

			digits = 0;
			for (seg++; seg < b && s[seg] != '/'; seg++, n++)
				digits += isdigit((unsigned char)s[seg]) != 0;
			id = digits > 0 || n >= 16;
		}
		if (id)
			flag(out, a, b, SCRUB_URL);
		i = b;
	}
}

/* Each name known from the case, as a whole word, any case. */
static void
names(const char *s, size_t len, const char *const *known, size_t nknown,
    struct scrub_flags *out)
{
	size_t	 i, k, n;

	for (k = 0; k < nknown; k++) {
		if (known[k] == NULL || (n = strlen(known[k])) < 2)
			continue;
		for (i = 0; i + n <= len; i++)
			if (strncasecmp(s + i, known[k], n) == 0 &&
			    (i == 0 || !isalnum((unsigned char)s[i - 1])) &&
			    (i + n == len || !isalnum((unsigned char)s[i + n])))
				flag(out, i, i + n, SCRUB_NAME);
	}
}

/*
 * Flags what in the 'len' bytes of 's' could identify someone; 'known'
 * are names from the case (the complainant's name and each word of it,
 * say).  The flags are in no particular order.
 */
void
report_scrub(const char *s, size_t len, const char *const *known,
    size_t nknown, struct scrub_flags *out)
{
	memset(out, 0, sizeof(*out));
	emails(s, len, out);
	spelled_emails(s, len, out);
	urls(s, len, out);
	names(s, len, known, nknown, out);
	postcodes(s, len, out);
	digit_runs(s, len, out);
}

const char *
report_scrub_kind(enum scrub_kind k)
{
	switch (k) {
	case SCRUB_EMAIL:
		return ("e-mail address");
	case SCRUB_PHONE:
		return ("phone number");
	case SCRUB_NAME:
		return ("a name from the case");
	case SCRUB_URL:
		return ("web address with an identifier");
	case SCRUB_POSTCODE:
		return ("postcode");
	case SCRUB_DIGITS:
		return ("long number");
	}
	return ("");
}

/* The flag's kind as a stable code, for JSON. */
const char *
report_scrub_code(enum scrub_kind k)
{
	static const char *const codes[] = { "email", "phone", "name", "url",
	    "postcode", "digits" };

	return ((size_t)k < sizeof(codes) / sizeof(codes[0]) ? codes[k] : "");
}

/* The words for a code of report_scrub_code(); "" for none. */
const char *
report_scrub_code_words(const char *code)
{
	enum scrub_kind	 k;

	for (k = SCRUB_EMAIL; k <= SCRUB_DIGITS; k++)
		if (strcmp(report_scrub_code(k), code) == 0)
			return (report_scrub_kind(k));
	return ("");
}

static int
by_start(const void *a, const void *b)
{
	const size_t	*x = a, *y = b;

	return (*x < *y ? -1 : *x > *y);
}

/*
 * The flags of a text as JSON, in the order they occur: [{start, end,
 * kind}] with byte offsets and report_scrub_code()'s kinds.  'name' is the
 * complainant's name (NULL: none): it and each of its words are looked
 * for.  *more is set when there were more than SCRUB_MAX_FLAGS.
 */
json_t *
report_scrub_json(const char *s, size_t len, const char *name, int *more)
{
	struct scrub_flags	 fl;
	const char		*known[17];
	char			*copy = NULL, *w, *save = NULL;
	size_t			 nknown = 0, i;
	size_t			 order[SCRUB_MAX_FLAGS][2];
	json_t			*out;

	if (name != NULL && *name != '\0') {
		known[nknown++] = name;
		if ((copy = strdup(name)) != NULL)
			for (w = strtok_r(copy, " \t,.", &save);
			    w != NULL && nknown < 17;
			    w = strtok_r(NULL, " \t,.", &save))
				known[nknown++] = w;
	}
	report_scrub(s, len, known, nknown, &fl);
	free(copy);
	for (i = 0; i < fl.n; i++) {
		order[i][0] = fl.f[i].start;
		order[i][1] = i;
	}
	qsort(order, fl.n, sizeof(order[0]), by_start);
	out = json_array();
	for (i = 0; i < fl.n; i++)
		json_array_append_new(out, json_pack("{s:I,s:I,s:s}", "start",
		    (json_int_t)fl.f[order[i][1]].start, "end",
		    (json_int_t)fl.f[order[i][1]].end, "kind",
		    report_scrub_code(fl.f[order[i][1]].kind)));
	*more = fl.more;
	return (out);
}
