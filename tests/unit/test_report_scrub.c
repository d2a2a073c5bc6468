/*
 * The narrative scrubber on a hostile fixture: every e-mail address (also
 * spelled out), phone number, name from the case, web address with an
 * identifier, postcode and long number is flagged, and what identifies no
 * one (a year, a price, a bare site, "doe" the animal) is not.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"

static char	 text[4096];
static size_t	 len;

static int
setup(void **state)
{
	char	 path[512];
	FILE	*fp;

	/* Beside this file, wherever the tests are run from. */
	snprintf(path, sizeof(path), "%.*s/data/narratives/hostile.txt",
	    (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__);
	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	len = fread(text, 1, sizeof(text) - 1, fp);
	text[len] = '\0';
	fclose(fp);
	return (0);
}

/* Where 'needle' is in the fixture. */
static void
span(const char *needle, size_t *a, size_t *b)
{
	const char	*p = strstr(text, needle);

	if (p == NULL)
		fail_msg("the fixture has no \"%s\"", needle);
	*a = (size_t)(p - text);
	*b = *a + strlen(needle);
}

/* Whether 'needle' lies inside a flag of 'kind'. */
static int
flagged(const struct scrub_flags *f, const char *needle, enum scrub_kind kind)
{
	size_t	 a, b, i;

	span(needle, &a, &b);
	for (i = 0; i < f->n; i++)
		if (f->f[i].start <= a && f->f[i].end >= b &&
		    f->f[i].kind == kind)
			return (1);
	return (0);
}

/* Whether any flag touches 'needle'. */
static int
touched(const struct scrub_flags *f, const char *needle)
{
	size_t	 a, b, i;

	span(needle, &a, &b);
	for (i = 0; i < f->n; i++)
		if (f->f[i].start < b && f->f[i].end > a)
			return (1);
	return (0);
}

static void
test_hostile(void **state)
{
	static const char *const known[] = { "Jane Doe", "Jane", "Doe" };
	struct scrub_flags	 f;

	report_scrub(text, len, known, 3, &f);
	assert_false(f.more);
	assert_true(flagged(&f, "privacy@acme-widgets.example", SCRUB_EMAIL));
	assert_true(flagged(&f, "JANE.DOE+ads@Example.co.uk", SCRUB_EMAIL));
	assert_true(flagged(&f, "doe at mailbox dot org", SCRUB_EMAIL));
	assert_true(flagged(&f, "+44 20 7946 0958", SCRUB_PHONE));
	assert_true(flagged(&f, "07700 900123", SCRUB_PHONE));
	assert_true(flagged(&f, "(020) 7946-0958", SCRUB_PHONE));
	assert_true(flagged(&f, "Jane Doe", SCRUB_NAME));
	assert_true(flagged(&f, "123456789", SCRUB_DIGITS));
	assert_true(flagged(&f, "55512345", SCRUB_DIGITS));
	assert_true(flagged(&f, "https://shop.example/track?uid=8f3a9c2e&src=fb",
	    SCRUB_URL));
	assert_true(flagged(&f, "www.example.com/u/jane-doe-1987/profile",
	    SCRUB_URL));
	assert_true(flagged(&f, "SW1A 1AA", SCRUB_POSTCODE));
	assert_true(flagged(&f, "1012 AB", SCRUB_POSTCODE));
	assert_true(flagged(&f, "K1A 0B1", SCRUB_POSTCODE));
	/* What identifies no one is left alone. */
	assert_false(touched(&f, "https://example.com."));
	assert_false(touched(&f, "2024"));
	assert_false(touched(&f, "30 pounds"));
	assert_false(touched(&f, "4242"));
}

/* A name is a whole word: "Doe" flags "doe", not "doesn't". */
static void
test_whole_words(void **state)
{
	static const char	 s[] = "Doesn't matter, said doe.";
	static const char *const known[] = { "Doe" };
	struct scrub_flags	 f;

	report_scrub(s, sizeof(s) - 1, known, 1, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.f[0].start, 21);
	assert_int_equal(f.f[0].end, 24);
	assert_string_equal(report_scrub_kind(f.f[0].kind),
	    "a name from the case");
}

/* Nothing to flag, and text with no end of sentence, are fine. */
static void
test_plain(void **state)
{
	static const char	 s[] = "The advert said I was pre-approved";
	struct scrub_flags	 f;

	report_scrub(s, sizeof(s) - 1, NULL, 0, &f);
	assert_int_equal(f.n, 0);
	report_scrub("", 0, NULL, 0, &f);
	assert_int_equal(f.n, 0);
}

/*
 * The stored form: flags in the order they occur, with codes; the name
 * given is looked for whole and word by word.
 */
static void
test_json(void **state)
{
	const char	*t = "Call 07700 900123, Quill. Or mail a@b.example, Jane.";
	json_t		*j, *f;
	int		 more = -1;

	(void)state;
	j = report_scrub_json(t, strlen(t), "Jane Quill", &more);
	assert_int_equal(more, 0);
	assert_int_equal(json_array_size(j), 4);
	f = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(f, "kind")),
	    "phone");
	assert_int_equal(json_integer_value(json_object_get(f, "start")), 5);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(j, 1), "kind")), "name");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(j, 2), "kind")), "email");
	f = json_array_get(j, 3);
	assert_string_equal(json_string_value(json_object_get(f, "kind")),
	    "name");
	assert_int_equal(json_integer_value(json_object_get(f, "end")),
	    (json_int_t)strlen(t) - 1);
	assert_string_equal(report_scrub_code_words("postcode"), "postcode");
	assert_string_equal(report_scrub_code_words("nothing"), "");
	json_decref(j);
	j = report_scrub_json(t, strlen(t), NULL, &more);
	assert_int_equal(json_array_size(j), 2);
	json_decref(j);
}

/* Findings that overlap become one flag: no two flags share a byte. */
static void
test_no_overlap(void **state)
{
	const char	*texts[] = { "p@q.io at s dot tt@u.io",
	    "mail jo.smith at example dot com or jo.smith@example.com now",
	    "https://x.example/u/12345678?id=998877665544 and 998877665544" };
	struct scrub_flags	 fl;
	size_t			 t, i, j;

	(void)state;
	for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		report_scrub(texts[t], strlen(texts[t]), NULL, 0, &fl);
		assert_true(fl.n >= 1);
		for (i = 0; i < fl.n; i++)
			for (j = 0; j < fl.n; j++)
				assert_true(i == j || fl.f[i].end <=
				    fl.f[j].start || fl.f[j].end <=
				    fl.f[i].start);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_whole_words),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_no_overlap),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
