/* Tests the QR code drawn as SVG and the back office's base URL: the path's modules are exactly libqrencode's matrix, the label is escaped, and set-up links are absolute. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <qrencode.h>

#include "recourse.h"

#define URI	"otpauth://totp/Recourse%3Aann?secret=" \
		"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Recourse" \
		"&algorithm=SHA1&digits=6&period=30"

/*
 * Redraws the path's rectangles ("M x y h n v1 h-n z", one row high)
 * into a matrix of size*size modules; fails on anything else.
 */
static unsigned char *
path_modules(const char *svg, int *size)
{
	const char	*p, *end;
	unsigned char	*m;
	int		 x, y, n, n2, used, i;

	assert_int_equal(sscanf(strstr(svg, "viewBox=\"") + 9, "0 0 %d",
	    size), 1);
	m = calloc((size_t)*size * *size, 1);
	assert_non_null(m);
	p = strstr(svg, " d=\"");
	assert_non_null(p);
	p += 4;
	end = strchr(p, '"');
	while (p < end) {
		assert_int_equal(sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &n,
		    &n2, &used), 4);
		assert_int_equal(n, n2);
		assert_true(x >= 0 && y >= 0 && x + n <= *size && y < *size);
		for (i = 0; i < n; i++) {
			assert_int_equal(m[y * *size + x + i], 0);
			m[y * *size + x + i] = 1;
		}
		p += used;
	}
	return (m);
}

static void
test_matrix_is_libqrencodes(void **state)
{
	struct sbuf	 b;
	QRcode		*qr;
	unsigned char	*m;
	int		 size, x, y, quiet, want;

	sbuf_init(&b);
	assert_true(qrsvg_render(&b, URI, "QR code"));
	m = path_modules(sbuf_cstr(&b), &size);
	qr = QRcode_encodeString(URI, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(qr);
	quiet = (size - qr->width) / 2;
	assert_int_equal(quiet, 4);
	for (y = 0; y < size; y++)
		for (x = 0; x < size; x++) {
			want = x >= quiet && y >= quiet && x < quiet + qr->width &&
			    y < quiet + qr->width &&
			    (qr->data[(y - quiet) * qr->width + x - quiet] & 1);
			assert_int_equal(m[y * size + x], want);
		}
	QRcode_free(qr);
	free(m);
	sbuf_free(&b);
}

/* One svg with one path: nothing that could load or run anything. */
static void
test_markup(void **state)
{
	struct sbuf	 b;
	const char	*s, *p;
	int		 tags;

	sbuf_init(&b);
	assert_true(qrsvg_render(&b, URI, "Scan <me> & \"go\""));
	s = sbuf_cstr(&b);
	assert_true(strncmp(s, "<svg ", 5) == 0);
	assert_non_null(strstr(s, " role=\"img\""));
	assert_non_null(strstr(s, " aria-label=\"Scan &lt;me&gt; &amp; "
	    "&quot;go&quot;\""));
	/* Exactly three tags: <svg>, <path/> and </svg>. */
	for (p = s, tags = 0; (p = strchr(p, '<')) != NULL; p++)
		tags++;
	assert_int_equal(tags, 3);
	assert_non_null(strstr(s, "><path fill=\"#000\" d=\"M"));
	assert_null(strstr(s, "href"));
	assert_true(strcmp(s + strlen(s) - 9, "\"/></svg>") == 0);
	sbuf_free(&b);
}

static void
test_base_url(void **state)
{
	char		 out[BASEURL_MAX + 1];
	struct sbuf	 b;

	assert_true(baseurl_parse("https://review.example.org/", out));
	assert_string_equal(out, "https://review.example.org");
	assert_true(baseurl_parse("http://127.0.0.1:8091", out));
	sbuf_init(&b);
	baseurl_setup_link(&b, out, "abc");
	assert_string_equal(sbuf_cstr(&b),
	    "http://127.0.0.1:8091/account/setup?token=abc");
	sbuf_free(&b);
	assert_false(baseurl_parse("", out));
	assert_false(baseurl_parse("/account", out));
	assert_false(baseurl_parse("ftp://x", out));
	assert_false(baseurl_parse("http://", out));
	assert_false(baseurl_parse("http://x/?a=1", out));
	assert_false(baseurl_parse("http://x/#a", out));
	assert_false(baseurl_parse("http://x y", out));
	assert_false(baseurl_parse("http://x\"><script>", out));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_is_libqrencodes),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_base_url),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
