/* Hostile-input tables for the HTML writer: text and attribute escaping, control and malformed-byte replacement, and URL filtering. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "recourse.h"

#define FFFD	"\xef\xbf\xbd"

struct esc_case {
	const char	*in;
	size_t		 inlen;
	const char	*out;
};

#define C(in, out)	{ in, sizeof(in) - 1, out }

/* Runs one writer over a table, comparing the whole output byte by byte. */
static void
check_table(void (*fn)(struct sbuf *, const char *, size_t),
    const struct esc_case *t, size_t n)
{
	struct sbuf	 b;
	size_t		 i;

	for (i = 0; i < n; i++) {
		sbuf_init(&b);
		fn(&b, t[i].in, t[i].inlen);
		if (b.len != strlen(t[i].out) ||
		    memcmp(sbuf_cstr(&b), t[i].out, b.len) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i,
			    sbuf_cstr(&b), t[i].out);
		sbuf_free(&b);
	}
}

static const struct esc_case specials[] = {
	C("<", "&lt;"),
	C(">", "&gt;"),
	C("&", "&amp;"),
	C("\"", "&quot;"),
	C("'", "&#39;"),
	C("<script>alert('x')</script>",
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
	C("a\" onmouseover=\"x", "a&quot; onmouseover=&quot;x"),
	C("&amp;", "&amp;amp;"),
	C("plain text, no change", "plain text, no change"),
	C("", ""),
};

static const struct esc_case controls[] = {
	C("a\0b", "a" FFFD "b"),
	C("\x01", FFFD),
	C("\x08", FFFD),
	C("\x0b", FFFD),
	C("\x0c", FFFD),
	C("\x1b[31m", FFFD "[31m"),
	C("\x1f", FFFD),
	C("\x7f", FFFD),
	C("a\tb", "a\tb"),
	C("a\nb", "a\nb"),
	C("a\r\nb", "a\nb"),
	C("a\rb", "a\nb"),
	C("a\r\r\nb", "a\n\nb"),
	C("a\n\rb", "a\n\nb"),
	C("\r", "\n"),
	/* C1 controls, U+0080 to U+009F, written as valid UTF-8. */
	C("\xc2\x80", FFFD),
	C("\xc2\x85", FFFD),
	C("\xc2\x9b" "31m", FFFD "31m"),
	C("\xc2\x9f", FFFD),
	C("\xc2\xa0", "\xc2\xa0"),	/* U+00A0 is not a control */
};

static const struct esc_case malformed[] = {
	C("\x80", FFFD),
	C("a\xbf" "b", "a" FFFD "b"),
	C("\xc0\x80", FFFD FFFD),		/* overlong NUL */
	C("\xc1\xbf", FFFD FFFD),		/* overlong DEL */
	C("\xe0\x80\xbc", FFFD FFFD FFFD),	/* overlong '<' */
	C("\xed\xa0\x80", FFFD FFFD FFFD),	/* surrogate U+D800 */
	C("\xed\xbf\xbf", FFFD FFFD FFFD),	/* surrogate U+DFFF */
	C("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD),	/* U+110000 */
	C("\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD),
	C("\xff", FFFD),
	C("\xc3", FFFD),			/* truncated at end */
	C("\xe2\x82", FFFD FFFD),
	C("\xf0\x9f\x98", FFFD FFFD FFFD),
	C("\xc3<", FFFD "&lt;"),		/* truncated before '<' */
	C("\xe2\x82<b", FFFD FFFD "&lt;b"),
	C("\xf0\x9f\x98" "a", FFFD FFFD FFFD "a"),
};

static const struct esc_case multibyte[] = {
	C("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"),		/* été */
	C("\xe2\x82\xac" "5", "\xe2\x82\xac" "5"),		/* €5 */
	C("\xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",
	    "\xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd"),
	C("\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7",	/* Arabic */
	    "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7"),
	C("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",		/* Hebrew */
	    "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"),
	C("\xe2\x80\xae" "abc", "\xe2\x80\xae" "abc"),	/* RLO kept */
	C("\xef\xbf\xbd", "\xef\xbf\xbd"),
	C("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"),		/* U+10FFFF */
	C("<\xd7\xa9>", "&lt;\xd7\xa9&gt;"),
};

#define N(t)	(sizeof(t) / sizeof((t)[0]))

static void
test_text_specials(void **state)
{
	check_table(html_text, specials, N(specials));
}

static void
test_attr_specials(void **state)
{
	check_table(html_attr, specials, N(specials));
}

static void
test_text_controls(void **state)
{
	check_table(html_text, controls, N(controls));
}

static void
test_attr_controls(void **state)
{
	check_table(html_attr, controls, N(controls));
}

static void
test_text_malformed(void **state)
{
	check_table(html_text, malformed, N(malformed));
}

static void
test_attr_malformed(void **state)
{
	check_table(html_attr, malformed, N(malformed));
}

static void
test_text_multibyte(void **state)
{
	check_table(html_text, multibyte, N(multibyte));
}

static void
test_attr_multibyte(void **state)
{
	check_table(html_attr, multibyte, N(multibyte));
}

/* The NUL-terminated variants escape the same way and accept NULL. */
static void
test_string_variants(void **state)
{
	struct sbuf	 b;

	sbuf_init(&b);
	html_texts(&b, "<a href='x'>&</a>");
	assert_string_equal(sbuf_cstr(&b),
	    "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
	sbuf_reset(&b);
	html_attrs(&b, "\"\x01\r\n");
	assert_string_equal(sbuf_cstr(&b), "&quot;" FFFD "\n");
	sbuf_reset(&b);
	html_texts(&b, NULL);
	html_attrs(&b, NULL);
	assert_int_equal(b.len, 0);
	html_raw(&b, "<p>");
	assert_string_equal(sbuf_cstr(&b), "<p>");
	sbuf_free(&b);
}

/* Output appends to what the buffer already holds. */
static void
test_appends(void **state)
{
	struct sbuf	 b;

	sbuf_init(&b);
	html_raw(&b, "<p title=\"");
	html_attrs(&b, "a\"b");
	html_raw(&b, "\">");
	html_texts(&b, "1 < 2");
	html_raw(&b, "</p>");
	assert_string_equal(sbuf_cstr(&b),
	    "<p title=\"a&quot;b\">1 &lt; 2</p>");
	sbuf_free(&b);
}

struct url_case {
	const char	*in;
	const char	*out;
};

static void
test_url_rejected(void **state)
{
	static const char *const bad[] = {
		"javascript:alert(1)",
		"JaVaScRiPt:alert(1)",
		" javascript:alert(1)",
		"java\tscript:alert(1)",
		"java\nscript:alert(1)",
		"\x01javascript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"vbscript:msgbox(1)",
		"//evil.example",
		"//evil.example/path",
		"/\\evil.example",
		"\\\\evil.example",
		"/\t/evil.example",
		"/\n/evil.example",
		"HTTPS://example.org",
		"https:evil.example",
		"file:///etc/passwd",
		"",
	};
	struct sbuf	 b;
	size_t		 i;

	for (i = 0; i < N(bad); i++) {
		if (html_url_safe(bad[i]))
			fail_msg("bad url %zu judged safe", i);
		sbuf_init(&b);
		html_url(&b, bad[i]);
		assert_string_equal(sbuf_cstr(&b), "#");
		sbuf_free(&b);
	}
	assert_false(html_url_safe(NULL));
	sbuf_init(&b);
	html_url(&b, NULL);
	assert_string_equal(sbuf_cstr(&b), "#");
	sbuf_free(&b);
}

static void
test_url_written(void **state)
{
	static const struct url_case good[] = {
		{ "/path?a=1&b=2", "/path?a=1&amp;b=2" },
		{ "/", "/" },
		{ "/case/ABCD-1234#top", "/case/ABCD-1234#top" },
		{ "https://x/\"onmouseover", "https://x/%22onmouseover" },
		{ "https://x/'onmouseover", "https://x/%27onmouseover" },
		{ "https://x/<b>", "https://x/%3Cb%3E" },
		{ "http://example.org/a b", "http://example.org/a%20b" },
		{ "https://example.org/\\x`y", "https://example.org/%5Cx%60y" },
		{ "mailto:a@example.org", "mailto:a@example.org" },
		{ "/caf\xc3\xa9", "/caf%C3%A9" },
		{ "/a\x7f", "/a%7F" },
		{ "page?x=1", "page?x=1" },
		{ "a/b:c", "a/b:c" },
		{ "?q=javascript:1", "?q=javascript:1" },
	};
	struct sbuf	 b;
	size_t		 i;

	for (i = 0; i < N(good); i++) {
		if (!html_url_safe(good[i].in))
			fail_msg("good url %zu judged unsafe", i);
		sbuf_init(&b);
		html_url(&b, good[i].in);
		assert_string_equal(sbuf_cstr(&b), good[i].out);
		sbuf_free(&b);
	}
}

static void
test_url_safe_table(void **state)
{
	static const struct {
		const char	*url;
		int		 safe;
	} t[] = {
		{ "/", 1 },
		{ "/a", 1 },
		{ "/a//b", 1 },
		{ "/a/\\b", 1 },
		{ "https://example.org", 1 },
		{ "http://example.org", 1 },
		{ "mailto:x@example.org", 1 },
		{ "relative/page", 1 },
		{ "page#frag", 1 },
		{ "#", 1 },
		{ "?a=b", 1 },
		{ "//", 0 },
		{ "/\\", 0 },
		{ "\\", 0 },
		{ "javascript:", 0 },
		{ "JAVASCRIPT:x", 0 },
		{ "vbscript:x", 0 },
		{ "data:,x", 0 },
		{ "ftp://example.org", 0 },
		{ "https:", 0 },
		{ " /a", 0 },
		{ "a b:c", 0 },
		{ "/a\rb", 0 },
		{ "", 0 },
	};
	size_t	 i;

	for (i = 0; i < N(t); i++) {
		if (!!html_url_safe(t[i].url) != t[i].safe)
			fail_msg("url %zu (%s): want safe=%d", i, t[i].url,
			    t[i].safe);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_specials),
		cmocka_unit_test(test_attr_specials),
		cmocka_unit_test(test_text_controls),
		cmocka_unit_test(test_attr_controls),
		cmocka_unit_test(test_text_malformed),
		cmocka_unit_test(test_attr_malformed),
		cmocka_unit_test(test_text_multibyte),
		cmocka_unit_test(test_attr_multibyte),
		cmocka_unit_test(test_string_variants),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_url_rejected),
		cmocka_unit_test(test_url_written),
		cmocka_unit_test(test_url_safe_table),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
