/* Tests every rule of the complaint form's validation, checking that each error lands on its own field and nowhere else, and that the canonical form is unambiguous. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "recourse.h"

#define TODAY	"2026-03-14"
#define DESC	"They kept e-mailing me after I unsubscribed."
#define NONE	0u
#define BIT(f)	(1u << (f))

static void
set(struct intake *in, enum intake_field f, const char *v)
{
	intake_set(in, f, v, strlen(v));
}

/* The smallest complaint that passes: the three required fields. */
static void
fill_valid(struct intake *in)
{
	intake_init(in);
	set(in, IF_CATEGORY, "privacy.consent");
	set(in, IF_CHANNEL, "email");
	set(in, IF_DESCRIPTION, DESC);
}

/*
 * Validates and checks that exactly the fields in 'want' carry an error,
 * and that the result agrees.
 */
static void
expect_errors(struct intake *in, unsigned int want, const char *what)
{
	int	 ok, f;

	ok = intake_validate(in, TODAY);
	for (f = 0; f < IF__MAX; f++) {
		if ((want & BIT(f)) && in->error[f] == NULL)
			fail_msg("%s: no error on %s", what,
			    intake_field_name[f]);
		if (!(want & BIT(f)) && in->error[f] != NULL)
			fail_msg("%s: unexpected error on %s: %s", what,
			    intake_field_name[f], in->error[f]);
	}
	if (ok != (want == NONE))
		fail_msg("%s: intake_validate returned %d", what, ok);
}

/* Fills a valid complaint, sets one field to v, expects 'want'. */
static void
check_one(enum intake_field f, const char *v, size_t len, unsigned int want)
{
	struct intake	 in;

	fill_valid(&in);
	intake_set(&in, f, v, len);
	expect_errors(&in, want, v);
	intake_free(&in);
}

#define CHECK(f, v, want)	check_one((f), (v), strlen(v), (want))

/* A string of n copies of the UTF-8 sequence u; the caller frees it. */
static char *
repeat(const char *u, size_t n)
{
	size_t	 ulen = strlen(u), i;
	char	*s;

	if ((s = malloc(ulen * n + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++)
		memcpy(s + i * ulen, u, ulen);
	s[ulen * n] = '\0';
	return (s);
}

/* Builds n lines of 'per' letters each, joined by 'sep'; caller frees. */
static char *
lines(size_t n, size_t per, const char *sep)
{
	char	*s, *p;
	size_t	 i;

	if ((s = malloc(n * (per + strlen(sep)) + 1)) == NULL)
		abort();
	for (p = s, i = 0; i < n; i++) {
		if (i > 0) {
			memcpy(p, sep, strlen(sep));
			p += strlen(sep);
		}
		memset(p, 'a', per);
		p += per;
	}
	*p = '\0';
	return (s);
}

/* Browsers send line breaks as CRLF; each counts as one character. */
static void
test_description_crlf_counts_once(void **state)
{
	char	*s;

	/* 100 lines of 99 letters, 99 CRLF: 9 999 characters, 10 098 bytes. */
	s = lines(100, 99, "\r\n");
	CHECK(IF_DESCRIPTION, s, NONE);
	free(s);
	/* 100 lines of 100 letters: 10 099 characters, too long. */
	s = lines(100, 100, "\r\n");
	CHECK(IF_DESCRIPTION, s, BIT(IF_DESCRIPTION));
	free(s);
	/* A lone CR or LF is one character as well. */
	s = lines(100, 99, "\n");
	CHECK(IF_DESCRIPTION, s, NONE);
	free(s);
	s = lines(101, 99, "\r");
	CHECK(IF_DESCRIPTION, s, BIT(IF_DESCRIPTION));
	free(s);
}

static void
test_minimal_valid(void **state)
{
	struct intake	 in;

	fill_valid(&in);
	expect_errors(&in, NONE, "minimal");
	assert_string_equal(in.category, "privacy.consent");
	assert_string_equal(in.channel, "email");
	assert_null(in.occurred_on);
	assert_null(in.brand);
	assert_null(in.contact_email);
	intake_free(&in);
}

static void
test_full_valid(void **state)
{
	struct intake	 in;

	fill_valid(&in);
	set(&in, IF_OCCURRED_ON, "2026-03-01");
	set(&in, IF_BRAND, "Acme \xe2\x80\x94 spring sale");
	set(&in, IF_VULNERABLE, "yes");
	set(&in, IF_CONTACT_NAME, "Ann O'Neill");
	set(&in, IF_CONTACT_EMAIL, "ann@example.org");
	set(&in, IF_CONSENT_CONTACT, "on");
	set(&in, IF_CONSENT_PUBLISH, "true");
	set(&in, IF_CONSENT_DEMOGRAPHICS, "1");
	expect_errors(&in, NONE, "full");
	assert_int_equal(in.vulnerable, 1);
	assert_int_equal(in.consent_contact, 1);
	assert_int_equal(in.consent_publish, 1);
	assert_int_equal(in.consent_demographics, 1);
	intake_free(&in);
}

static void
check_code_field(enum intake_field f)
{
	static const char *const bad[] = {
		"Privacy.consent", "PRIVACY", "privacy consent", " a b ",
		"a..b", "a.", ".a", "a-b", "a/b", "priv\xc3\xa6" "cy",
		"_a",
	};
	static const char *const good[] = {
		"privacy.consent", "email", "a", "a.b.c", "door_to_door",
		"  email\t",		/* surrounding space is trimmed */
	};
	struct intake	 in;
	char		*s;
	size_t		 i;

	/* Missing: never set, set empty, set blank. */
	intake_init(&in);
	set(&in, IF_DESCRIPTION, DESC);
	set(&in, f == IF_CATEGORY ? IF_CHANNEL : IF_CATEGORY, "email");
	expect_errors(&in, BIT(f), "missing");
	intake_free(&in);
	CHECK(f, "", BIT(f));
	CHECK(f, "   ", BIT(f));

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(f, bad[i], BIT(f));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(f, good[i], NONE);

	s = repeat("a", INTAKE_CODE_MAX);
	CHECK(f, s, NONE);
	free(s);
	s = repeat("a", INTAKE_CODE_MAX + 1);
	CHECK(f, s, BIT(f));
	free(s);

	/* A NUL byte is caught by intake_set, on this field only. */
	check_one(f, "email\0x", 7, BIT(f));
}

static void
test_category(void **state)
{
	check_code_field(IF_CATEGORY);
}

static void
test_channel(void **state)
{
	check_code_field(IF_CHANNEL);
}

static void
test_date_valid_table(void **state)
{
	static const struct {
		const char	*date;
		int		 valid;
	} t[] = {
		{ "2026-03-14", 1 },
		{ "2024-02-29", 1 },
		{ "2000-02-29", 1 },
		{ "2026-12-31", 1 },
		{ "2026-01-31", 1 },
		{ "2026-02-28", 1 },
		{ "2026-02-30", 0 },
		{ "2025-02-29", 0 },
		{ "1900-02-29", 0 },
		{ "2026-04-31", 0 },
		{ "2026-13-01", 0 },
		{ "2026-00-10", 0 },
		{ "2026-01-00", 0 },
		{ "2026-01-32", 0 },
		{ "2026-1-01", 0 },
		{ "2026-01-1", 0 },
		{ "26-01-01", 0 },
		{ "2026/01/01", 0 },
		{ "2026-01-01T00:00", 0 },
		{ "2026-0a-01", 0 },
		{ "+202-01-01", 0 },
		{ "yesterday", 0 },
		{ "", 0 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!!intake_date_valid(t[i].date) != t[i].valid)
			fail_msg("%s: want valid=%d", t[i].date, t[i].valid);
}

static void
test_occurred_on(void **state)
{
	static const char *const bad[] = {
		"2026-02-30", "2025-02-29", "2026-13-01", "2026-1-01",
		"yesterday", "14/03/2026",
	};
	size_t	 i;

	/* Optional: fill_valid leaves it unset, and blank means unset. */
	CHECK(IF_OCCURRED_ON, "", NONE);
	CHECK(IF_OCCURRED_ON, "  ", NONE);
	CHECK(IF_OCCURRED_ON, "2024-02-29", NONE);
	CHECK(IF_OCCURRED_ON, "2026-03-13", NONE);
	CHECK(IF_OCCURRED_ON, TODAY, NONE);
	CHECK(IF_OCCURRED_ON, " " TODAY " ", NONE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(IF_OCCURRED_ON, bad[i], BIT(IF_OCCURRED_ON));
	/* The future is judged against the 'today' given, not the clock. */
	CHECK(IF_OCCURRED_ON, "2026-03-15", BIT(IF_OCCURRED_ON));
	CHECK(IF_OCCURRED_ON, "2026-04-01", BIT(IF_OCCURRED_ON));
	CHECK(IF_OCCURRED_ON, "2027-01-01", BIT(IF_OCCURRED_ON));
}

static void
test_occurred_on_future_message(void **state)
{
	struct intake	 in;
	const char	*future, *invalid;

	fill_valid(&in);
	set(&in, IF_OCCURRED_ON, "2026-03-15");
	assert_false(intake_validate(&in, TODAY));
	future = in.error[IF_OCCURRED_ON];
	intake_free(&in);
	fill_valid(&in);
	set(&in, IF_OCCURRED_ON, "2026-02-30");
	assert_false(intake_validate(&in, TODAY));
	invalid = in.error[IF_OCCURRED_ON];
	intake_free(&in);
	assert_non_null(future);
	assert_non_null(invalid);
	assert_string_not_equal(future, invalid);

	/* The same date passes when 'today' is later. */
	fill_valid(&in);
	set(&in, IF_OCCURRED_ON, "2026-03-15");
	assert_true(intake_validate(&in, "2026-03-15"));
	intake_free(&in);
}

static void
test_brand(void **state)
{
	char	*s;

	/* 200 code points of a 3-byte character: 600 bytes, accepted. */
	s = repeat("\xe2\x82\xac", INTAKE_BRAND_MAX);
	CHECK(IF_BRAND, s, NONE);
	free(s);
	s = repeat("\xe2\x82\xac", INTAKE_BRAND_MAX + 1);
	CHECK(IF_BRAND, s, BIT(IF_BRAND));
	free(s);
	s = repeat("b", INTAKE_BRAND_MAX + 1);
	CHECK(IF_BRAND, s, BIT(IF_BRAND));
	free(s);
	CHECK(IF_BRAND, "Acme\nCorp", BIT(IF_BRAND));
	CHECK(IF_BRAND, "Acme\r\nCorp", BIT(IF_BRAND));
	CHECK(IF_BRAND, "Acme\x1b[2JCorp", BIT(IF_BRAND));
	CHECK(IF_BRAND, "Acme Corp\n", NONE);	/* trailing newline trimmed */
	CHECK(IF_BRAND, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", NONE);
	check_one(IF_BRAND, "Ac\0me", 5, BIT(IF_BRAND));
	check_one(IF_BRAND, "Ac\xc0\x80me", 6, BIT(IF_BRAND));
}

static void
test_contact_name(void **state)
{
	char	*s;

	s = repeat("\xc3\xa9", INTAKE_NAME_MAX);
	CHECK(IF_CONTACT_NAME, s, NONE);
	free(s);
	s = repeat("\xc3\xa9", INTAKE_NAME_MAX + 1);
	CHECK(IF_CONTACT_NAME, s, BIT(IF_CONTACT_NAME));
	free(s);
	CHECK(IF_CONTACT_NAME, "Ann\nO'Neill", BIT(IF_CONTACT_NAME));
}

static void
test_description_missing(void **state)
{
	struct intake	 in;

	intake_init(&in);
	set(&in, IF_CATEGORY, "privacy.consent");
	set(&in, IF_CHANNEL, "email");
	expect_errors(&in, BIT(IF_DESCRIPTION), "unset");
	intake_free(&in);

	CHECK(IF_DESCRIPTION, "", BIT(IF_DESCRIPTION));
	CHECK(IF_DESCRIPTION, " \t\r\n  \n ", BIT(IF_DESCRIPTION));
}

static void
test_description_length(void **state)
{
	char	*s;

	CHECK(IF_DESCRIPTION, "1234567890123456789", BIT(IF_DESCRIPTION));
	CHECK(IF_DESCRIPTION, "12345678901234567890", NONE);
	/* Code points, not bytes: 19 emoji are 76 bytes and too few. */
	s = repeat("\xf0\x9f\x98\xa1", INTAKE_DESCRIPTION_MIN - 1);
	CHECK(IF_DESCRIPTION, s, BIT(IF_DESCRIPTION));
	free(s);
	s = repeat("\xf0\x9f\x98\xa1", INTAKE_DESCRIPTION_MIN);
	CHECK(IF_DESCRIPTION, s, NONE);
	free(s);
	s = repeat("x", INTAKE_DESCRIPTION_MAX);
	CHECK(IF_DESCRIPTION, s, NONE);
	free(s);
	s = repeat("x", INTAKE_DESCRIPTION_MAX + 1);
	CHECK(IF_DESCRIPTION, s, BIT(IF_DESCRIPTION));
	free(s);
	s = repeat("\xd7\xa9", INTAKE_DESCRIPTION_MAX);
	CHECK(IF_DESCRIPTION, s, NONE);
	free(s);
}

static void
test_description_byte_exact(void **state)
{
	static const char v[] = "   Indented first line\n\n\tthen a tab,"
	    "\r\nCRLF, emoji \xf0\x9f\x98\xa1 and RTL \xd7\xa9\xd7\x9c\xd7\x95"
	    "\xd7\x9d  \n";
	struct intake	 in;

	fill_valid(&in);
	intake_set(&in, IF_DESCRIPTION, v, sizeof(v) - 1);
	expect_errors(&in, NONE, "byte exact");
	assert_non_null(in.description);
	assert_int_equal(strlen(in.description), sizeof(v) - 1);
	assert_memory_equal(in.description, v, sizeof(v));
	intake_free(&in);
}

static void
test_description_not_text(void **state)
{
	static const struct {
		const char	*v;
		size_t		 len;
	} t[] = {
#define T(lit)	{ lit, sizeof(lit) - 1 }
		T("Twenty-odd characters\0 then a NUL byte"),
		T("\0Twenty-odd characters of text here"),
		T("Twenty-odd characters \xff of text here"),
		T("Twenty-odd characters \xc0\x80 overlong"),
		T("Twenty-odd characters \xed\xa0\x80 surrogate"),
		T("Twenty-odd characters truncated \xe2\x82"),
#undef T
	};
	struct intake	 in;
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		check_one(IF_DESCRIPTION, t[i].v, t[i].len,
		    BIT(IF_DESCRIPTION));
		intake_init(&in);
		intake_set(&in, IF_DESCRIPTION, t[i].v, t[i].len);
		assert_null(in.description);
		assert_non_null(in.error[IF_DESCRIPTION]);
		intake_free(&in);
	}
}

static const char *const emails_good[] = {
	"a@example.org",
	"first.last+tag@sub.example.co.uk",
	"o'brien@example.ie",
	"x_y-z@a-b.example",
	"1234@example.com",
	"a@b.co",
};

static const char *const emails_bad[] = {
	"example.org",			/* no @ */
	"a@b@example.org",		/* two @ */
	"@example.org",
	"a@",
	".a@example.org",		/* leading dot */
	"a.@example.org",
	"a..b@example.org",		/* double dot */
	"a@example..org",
	"a@.example.org",
	"a@example.org.",
	"a@localhost",			/* no dot in domain */
	"a@example.123",		/* numeric TLD */
	"a@example.c0m",
	"a@-example.org",		/* hyphen-edged labels */
	"a@example-.org",
	"a@example.-org",
	"a b@example.org",
	"a@exa mple.org",
	"a@exa_mple.org",
	"a\"b@example.org",
	"a@",
	"",
};

/* Local part 'loc' bytes, domain making the whole address 'total' long. */
static char *
long_email(size_t loc, size_t total)
{
	char	*s;
	size_t	 i, o, label;

	if ((s = malloc(total + 1)) == NULL)
		abort();
	memset(s, 'a', loc);
	o = loc;
	s[o++] = '@';
	/* Labels of up to 63 letters, ending in ".com". */
	for (label = 0, i = o; i < total - 4; i++) {
		if (label == 63) {
			s[i] = '.';
			label = 0;
		} else {
			s[i] = 'b';
			label++;
		}
	}
	memcpy(s + total - 4, ".com", 4);
	s[total] = '\0';
	return (s);
}

static void
check_email(const char *e, int valid)
{
	struct intake	 in;

	if (!!intake_email_valid(e) != valid)
		fail_msg("intake_email_valid(%s) != %d", e, valid);
	fill_valid(&in);
	set(&in, IF_CONSENT_CONTACT, "yes");
	set(&in, IF_CONTACT_EMAIL, e);
	/* A blank address counts as none, which consent then requires. */
	expect_errors(&in, valid && *e != '\0' ? NONE :
	    BIT(IF_CONTACT_EMAIL), e);
	intake_free(&in);
}

static void
test_email_table(void **state)
{
	char	*s;
	size_t	 i;

	for (i = 0; i < sizeof(emails_good) / sizeof(emails_good[0]); i++)
		check_email(emails_good[i], 1);
	for (i = 0; i < sizeof(emails_bad) / sizeof(emails_bad[0]); i++)
		check_email(emails_bad[i], 0);

	s = long_email(64, 80);		/* 64-byte local part: fine */
	check_email(s, 1);
	free(s);
	s = long_email(65, 80);		/* 65 bytes: too long */
	check_email(s, 0);
	free(s);
	s = long_email(64, INTAKE_EMAIL_MAX);
	assert_int_equal(strlen(s), 254);
	check_email(s, 1);
	free(s);
	s = long_email(64, INTAKE_EMAIL_MAX + 1);
	assert_int_equal(strlen(s), 255);
	check_email(s, 0);
	free(s);
}

static void
test_consent_contact(void **state)
{
	struct intake	 in;

	/* Ticked without an address: the address is what is missing. */
	fill_valid(&in);
	set(&in, IF_CONSENT_CONTACT, "yes");
	expect_errors(&in, BIT(IF_CONTACT_EMAIL), "consent, no email");
	intake_free(&in);

	/* An address without consent: also reported on the address. */
	fill_valid(&in);
	set(&in, IF_CONTACT_EMAIL, "ann@example.org");
	expect_errors(&in, BIT(IF_CONTACT_EMAIL), "email, no consent");
	intake_free(&in);

	fill_valid(&in);
	set(&in, IF_CONTACT_EMAIL, "ann@example.org");
	set(&in, IF_CONSENT_CONTACT, "no");
	expect_errors(&in, BIT(IF_CONTACT_EMAIL), "email, consent no");
	intake_free(&in);

	fill_valid(&in);
	set(&in, IF_CONTACT_EMAIL, "ann@example.org");
	set(&in, IF_CONSENT_CONTACT, "yes");
	expect_errors(&in, NONE, "email and consent");
	intake_free(&in);

	/* A name alone needs no consent. */
	fill_valid(&in);
	set(&in, IF_CONTACT_NAME, "Ann");
	expect_errors(&in, NONE, "name only");
	intake_free(&in);
}

static void
test_checkboxes(void **state)
{
	static const enum intake_field flags[] = {
		IF_VULNERABLE, IF_CONSENT_CONTACT, IF_CONSENT_PUBLISH,
		IF_CONSENT_DEMOGRAPHICS,
	};
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "", "no", "off", "false", "0" };
	static const char *const bad[] = { "maybe", "2", "yes ", "nope",
	    "-1" };
	struct intake	 in;
	int		*slot;
	size_t		 i, j;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		for (j = 0; j < sizeof(yes) / sizeof(yes[0]); j++) {
			fill_valid(&in);
			switch (flags[i]) {
			case IF_VULNERABLE: slot = &in.vulnerable; break;
			case IF_CONSENT_CONTACT: slot = &in.consent_contact;
				set(&in, IF_CONTACT_EMAIL, "a@example.org");
				break;
			case IF_CONSENT_PUBLISH: slot = &in.consent_publish;
				break;
			default: slot = &in.consent_demographics; break;
			}
			set(&in, flags[i], yes[j]);
			assert_int_equal(*slot, 1);
			expect_errors(&in, NONE, yes[j]);
			intake_free(&in);
		}
		for (j = 0; j < sizeof(no) / sizeof(no[0]); j++) {
			fill_valid(&in);
			/* Start ticked, so that "no" must clear it. */
			in.vulnerable = in.consent_publish = 1;
			in.consent_demographics = 1;
			set(&in, flags[i], no[j]);
			switch (flags[i]) {
			case IF_VULNERABLE: slot = &in.vulnerable; break;
			case IF_CONSENT_CONTACT: slot = &in.consent_contact;
				in.consent_contact = 1;
				set(&in, flags[i], no[j]);
				break;
			case IF_CONSENT_PUBLISH: slot = &in.consent_publish;
				break;
			default: slot = &in.consent_demographics; break;
			}
			assert_int_equal(*slot, 0);
			expect_errors(&in, NONE, no[j]);
			intake_free(&in);
		}
		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++)
			CHECK(flags[i], bad[j], BIT(flags[i]));
	}
}

/* A complaint with every field set; field 'vary' gets another value. */
static void
build(struct intake *in, int vary)
{
	static const char *const base[IF__MAX] = {
		[IF_CATEGORY] = "privacy.consent",
		[IF_CHANNEL] = "email",
		[IF_OCCURRED_ON] = "2026-03-01",
		[IF_BRAND] = "Acme",
		[IF_DESCRIPTION] = DESC,
		[IF_VULNERABLE] = "no",
		[IF_CONTACT_NAME] = "Ann",
		[IF_CONTACT_EMAIL] = "ann@example.org",
		[IF_CONSENT_CONTACT] = "yes",
		[IF_CONSENT_PUBLISH] = "no",
		[IF_CONSENT_DEMOGRAPHICS] = "no",
		[IF_TARGETING_REASONS] = "age",
		[IF_AI_DISCLOSED] = "yes",
		[IF_WHY_SHOWN] = "Because you are 30.",
		[IF_AGE_BAND] = "age_25_34",
		[IF_GENDER] = "self_described",
		[IF_GENDER_DESCRIPTION] = "Agender",
		[IF_DISABILITY] = "no",
		[IF_ORIGIN] = "white",
	};
	static const char *const other[IF__MAX] = {
		[IF_CATEGORY] = "privacy.other",
		[IF_CHANNEL] = "sms",
		[IF_OCCURRED_ON] = "2026-03-02",
		[IF_BRAND] = "Acme!",
		[IF_DESCRIPTION] = DESC "!",
		[IF_VULNERABLE] = "yes",
		[IF_CONTACT_NAME] = "Bob",
		[IF_CONTACT_EMAIL] = "bob@example.org",
		[IF_CONSENT_CONTACT] = "no",
		[IF_CONSENT_PUBLISH] = "yes",
		[IF_CONSENT_DEMOGRAPHICS] = "yes",
		[IF_TARGETING_REASONS] = "location",
		[IF_AI_DISCLOSED] = "not_sure",
		[IF_WHY_SHOWN] = "Because you are 31.",
		[IF_AGE_BAND] = "age_35_44",
		[IF_GENDER] = "woman",
		[IF_GENDER_DESCRIPTION] = "Bigender",
		[IF_DISABILITY] = "yes",
		[IF_ORIGIN] = "asian",
	};
	int	 f;

	intake_init(in);
	/* Files are no text field: complaint.c adds them to the form. */
	for (f = 0; f < IF__MAX; f++)
		if (f != IF_EVIDENCE)
			set(in, (enum intake_field)f, f == vary ? other[f] :
			    base[f]);
	for (f = 0; f < IF__MAX; f++)
		assert_null(in->error[f]);
}

static int
canon_equal(const struct intake *a, const struct intake *b)
{
	struct sbuf	 sa, sb;
	int		 eq;

	sbuf_init(&sa);
	sbuf_init(&sb);
	intake_canonical(a, &sa);
	intake_canonical(b, &sb);
	assert_true(sa.len > 0);
	eq = sa.len == sb.len && memcmp(sa.data, sb.data, sa.len) == 0;
	sbuf_free(&sa);
	sbuf_free(&sb);
	return (eq);
}

static void
test_canonical_equal(void **state)
{
	struct intake	 a, b;

	build(&a, -1);
	build(&b, -1);
	assert_true(canon_equal(&a, &b));
	/* Surrounding space on short fields does not change the content. */
	intake_free(&b);
	build(&b, -1);
	set(&b, IF_BRAND, "  Acme ");
	assert_true(canon_equal(&a, &b));
	intake_free(&a);
	intake_free(&b);
}

static void
test_canonical_differs(void **state)
{
	struct intake	 a, b;
	int		 f;

	build(&a, -1);
	for (f = 0; f < IF__MAX; f++) {
		if (f == IF_EVIDENCE)
			continue;
		build(&b, f);
		if (canon_equal(&a, &b))
			fail_msg("changing %s leaves the canonical form "
			    "unchanged", intake_field_name[f]);
		intake_free(&b);
	}
	/* An unset optional field differs from a set one. */
	intake_init(&b);
	build(&b, -1);
	free(b.brand);
	b.brand = NULL;
	assert_false(canon_equal(&a, &b));
	intake_free(&b);
	intake_free(&a);
}

static void
test_canonical_exact(void **state)
{
	struct intake	 in;
	struct sbuf	 s;

	fill_valid(&in);
	set(&in, IF_BRAND, "a\nb");
	sbuf_init(&s);
	intake_canonical(&in, &s);
	assert_string_equal(sbuf_cstr(&s),
	    "category=15:privacy.consent\n"
	    "channel=5:email\n"
	    "occurred_on=0:\n"
	    "brand=3:a\nb\n"
	    "description=44:" DESC "\n"
	    "vulnerable=1:0\n"
	    "contact_name=0:\n"
	    "contact_email=0:\n"
	    "consent_contact=1:0\n"
	    "consent_publish=1:0\n"
	    "consent_demographics=1:0\n"
	    "targeting_reasons=0:\n"
	    "ai_disclosed=0:\n"
	    "why_shown=0:\n"
	    "age_band=0:\n"
	    "gender=0:\n"
	    "gender_description=0:\n"
	    "disability=0:\n"
	    "origin=0:\n");
	sbuf_free(&s);
	intake_free(&in);
}

/*
 * Under a naive "name=value\n" format these two would serialise the same:
 * one brand smuggles a field line, the other description carries it.
 */
static void
test_canonical_unambiguous(void **state)
{
	struct intake	 a, b;

	fill_valid(&a);
	set(&a, IF_BRAND, "a\ndescription=" DESC);
	set(&a, IF_DESCRIPTION, DESC);
	fill_valid(&b);
	set(&b, IF_BRAND, "a");
	set(&b, IF_DESCRIPTION, DESC "\ndescription=" DESC);
	assert_false(canon_equal(&a, &b));
	intake_free(&a);
	intake_free(&b);

	fill_valid(&a);
	set(&a, IF_BRAND, "a\ncategory=privacy.other");
	fill_valid(&b);
	set(&b, IF_BRAND, "a");
	set(&b, IF_CATEGORY, "privacy.other");
	assert_false(canon_equal(&a, &b));
	intake_free(&a);
	intake_free(&b);

	/* Moving text from one field into the next is seen. */
	fill_valid(&a);
	set(&a, IF_CONTACT_NAME, "Ann");
	set(&a, IF_CONTACT_EMAIL, "b@example.org");
	fill_valid(&b);
	set(&b, IF_CONTACT_NAME, "An");
	set(&b, IF_CONTACT_EMAIL, "nb@example.org");
	assert_false(canon_equal(&a, &b));
	intake_free(&a);
	intake_free(&b);
}

/* Reasons are kept sorted and once; the order sent does not matter. */
static void
test_targeting_reasons(void **state)
{
	struct intake	 a, b;
	struct sbuf	 s;
	char		 code[32];
	int		 i;

	fill_valid(&a);
	set(&a, IF_TARGETING_REASONS, "retargeting");
	set(&a, IF_TARGETING_REASONS, " age ");
	set(&a, IF_TARGETING_REASONS, "retargeting");
	set(&a, IF_TARGETING_REASONS, "");
	set(&a, IF_TARGETING_REASONS, "location");
	expect_errors(&a, NONE, "three reasons, one twice, one blank");
	assert_int_equal(a.ntargeting, 3);
	assert_string_equal(a.targeting[0], "age");
	assert_string_equal(a.targeting[1], "location");
	assert_string_equal(a.targeting[2], "retargeting");
	fill_valid(&b);
	set(&b, IF_TARGETING_REASONS, "location");
	set(&b, IF_TARGETING_REASONS, "age");
	set(&b, IF_TARGETING_REASONS, "retargeting");
	assert_true(canon_equal(&a, &b));
	sbuf_init(&s);
	intake_canonical(&b, &s);
	assert_non_null(strstr(sbuf_cstr(&s), "\ntargeting_reasons=3:"
	    "3:age8:location11:retargeting\n"));
	sbuf_free(&s);
	intake_free(&b);
	/* One reason fewer is another complaint. */
	fill_valid(&b);
	set(&b, IF_TARGETING_REASONS, "age");
	set(&b, IF_TARGETING_REASONS, "location");
	assert_false(canon_equal(&a, &b));
	intake_free(&a);
	intake_free(&b);

	/* Not a code, and more than 20: each an error on the field. */
	fill_valid(&a);
	set(&a, IF_TARGETING_REASONS, "Age");
	expect_errors(&a, BIT(IF_TARGETING_REASONS), "Age");
	intake_free(&a);
	fill_valid(&a);
	set(&a, IF_TARGETING_REASONS, "a.b");
	expect_errors(&a, BIT(IF_TARGETING_REASONS), "dotted");
	intake_free(&a);
	fill_valid(&a);
	for (i = 0; i < INTAKE_TARGETING_MAX; i++) {
		(void)snprintf(code, sizeof(code), "reason_%c", 'a' + i);
		set(&a, IF_TARGETING_REASONS, code);
	}
	expect_errors(&a, NONE, "20 reasons");
	set(&a, IF_TARGETING_REASONS, "reason_z");
	expect_errors(&a, BIT(IF_TARGETING_REASONS), "21 reasons");
	assert_int_equal(a.ntargeting, INTAKE_TARGETING_MAX);
	intake_free(&a);
	assert_int_equal(a.ntargeting, 0);
}

static void
test_ai_disclosed_and_why_shown(void **state)
{
	char		*s;
	struct intake	 in;

	CHECK(IF_AI_DISCLOSED, "yes", NONE);
	CHECK(IF_AI_DISCLOSED, "no", NONE);
	CHECK(IF_AI_DISCLOSED, "not_sure", NONE);
	CHECK(IF_AI_DISCLOSED, "", NONE);
	CHECK(IF_AI_DISCLOSED, "maybe", BIT(IF_AI_DISCLOSED));
	CHECK(IF_AI_DISCLOSED, "YES", BIT(IF_AI_DISCLOSED));
	s = repeat("\xc3\xa9", INTAKE_WHY_SHOWN_MAX);
	CHECK(IF_WHY_SHOWN, s, NONE);
	free(s);
	s = repeat("w", INTAKE_WHY_SHOWN_MAX + 1);
	CHECK(IF_WHY_SHOWN, s, BIT(IF_WHY_SHOWN));
	free(s);
	CHECK(IF_WHY_SHOWN, "bad \x80 byte", BIT(IF_WHY_SHOWN));
	/* Kept exactly as typed; blank is none. */
	fill_valid(&in);
	set(&in, IF_WHY_SHOWN, "  Line one\r\nLine two  ");
	assert_string_equal(in.why_shown, "  Line one\r\nLine two  ");
	set(&in, IF_WHY_SHOWN, " \r\n ");
	assert_null(in.why_shown);
	intake_free(&in);
}

/* Demographic answers: kept only with consent, and checked when kept. */
static void
test_demographic_answers(void **state)
{
	struct intake	 in;
	struct sbuf	 with, without;
	int		 q;

	/* Without consent every answer, even a malformed one, is dropped. */
	fill_valid(&in);
	set(&in, IF_AGE_BAND, "age_25_34");
	set(&in, IF_ORIGIN, "Not A Code");
	set(&in, IF_GENDER_DESCRIPTION, "line\none");
	assert_true(intake_has_answers(&in));
	expect_errors(&in, NONE, "answers without consent");
	assert_false(intake_has_answers(&in));
	for (q = 0; q < IQ__MAX; q++)
		assert_null(in.answer[q]);
	assert_null(in.gender_description);
	sbuf_init(&without);
	intake_canonical(&in, &without);
	intake_free(&in);

	fill_valid(&in);
	set(&in, IF_CONSENT_DEMOGRAPHICS, "yes");
	set(&in, IF_AGE_BAND, "age_25_34");
	set(&in, IF_DISABILITY, "prefer_not_to_say");
	expect_errors(&in, NONE, "two answers with consent");
	assert_string_equal(in.answer[IQ_AGE_BAND], "age_25_34");
	sbuf_init(&with);
	intake_canonical(&in, &with);
	assert_non_null(strstr(sbuf_cstr(&with), "\nage_band=9:age_25_34\n"));
	assert_null(strstr(sbuf_cstr(&without), "age_25_34"));
	sbuf_free(&with);
	sbuf_free(&without);
	intake_free(&in);

	/* Malformed codes, per field. */
	fill_valid(&in);
	set(&in, IF_CONSENT_DEMOGRAPHICS, "yes");
	set(&in, IF_ORIGIN, "Not A Code");
	set(&in, IF_GENDER, "a.b");
	expect_errors(&in, BIT(IF_ORIGIN) | BIT(IF_GENDER), "bad codes");
	intake_free(&in);

	/* A description alone answers "in another way"; with another
	 * answer it is refused; it is one line of at most 100 characters. */
	fill_valid(&in);
	set(&in, IF_CONSENT_DEMOGRAPHICS, "yes");
	set(&in, IF_GENDER_DESCRIPTION, "  Genderqueer ");
	expect_errors(&in, NONE, "description alone");
	assert_string_equal(in.answer[IQ_GENDER], "self_described");
	assert_string_equal(in.gender_description, "Genderqueer");
	intake_free(&in);
	fill_valid(&in);
	set(&in, IF_CONSENT_DEMOGRAPHICS, "yes");
	set(&in, IF_GENDER, "man");
	set(&in, IF_GENDER_DESCRIPTION, "Also a poet");
	expect_errors(&in, BIT(IF_GENDER_DESCRIPTION), "man and description");
	intake_free(&in);
	fill_valid(&in);
	set(&in, IF_CONSENT_DEMOGRAPHICS, "yes");
	set(&in, IF_GENDER_DESCRIPTION, "tab\there");
	expect_errors(&in, BIT(IF_GENDER_DESCRIPTION), "control character");
	intake_free(&in);
	fill_valid(&in);
	set(&in, IF_CONSENT_DEMOGRAPHICS, "yes");
	in.gender_description = repeat("\xc3\xa9", 100);
	expect_errors(&in, NONE, "100 characters");
	intake_free(&in);
	fill_valid(&in);
	set(&in, IF_CONSENT_DEMOGRAPHICS, "yes");
	in.gender_description = repeat("g", 101);
	expect_errors(&in, BIT(IF_GENDER_DESCRIPTION), "101 characters");
	intake_free(&in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_valid),
		cmocka_unit_test(test_full_valid),
		cmocka_unit_test(test_category),
		cmocka_unit_test(test_channel),
		cmocka_unit_test(test_date_valid_table),
		cmocka_unit_test(test_occurred_on),
		cmocka_unit_test(test_occurred_on_future_message),
		cmocka_unit_test(test_brand),
		cmocka_unit_test(test_contact_name),
		cmocka_unit_test(test_description_missing),
		cmocka_unit_test(test_description_length),
		cmocka_unit_test(test_description_crlf_counts_once),
		cmocka_unit_test(test_description_byte_exact),
		cmocka_unit_test(test_description_not_text),
		cmocka_unit_test(test_email_table),
		cmocka_unit_test(test_consent_contact),
		cmocka_unit_test(test_checkboxes),
		cmocka_unit_test(test_canonical_equal),
		cmocka_unit_test(test_canonical_differs),
		cmocka_unit_test(test_canonical_exact),
		cmocka_unit_test(test_canonical_unambiguous),
		cmocka_unit_test(test_targeting_reasons),
		cmocka_unit_test(test_ai_disclosed_and_why_shown),
		cmocka_unit_test(test_demographic_answers),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
