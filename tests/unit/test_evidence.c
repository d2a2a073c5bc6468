/*
 * Evidence files: every accepted type known by its content whatever its
 * name, truncated and damaged files, polyglots, huge declared pictures,
 * file names, and metadata (Exif with GPS, XMP, comments, IPTC, text
 * chunks) gone from pictures whose drawing data is kept byte for byte.
 * Fixtures: tests/unit/data/evidence (made by make.mjs there).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "recourse.h"

static unsigned char *
fixture(const char *name, size_t *len)
{
	char		 path[512];
	unsigned char	*buf;
	FILE		*f;
	long		 n;

	snprintf(path, sizeof(path), "%.*s/data/evidence/%s",
	    (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__, name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static enum evidence_error
check(const char *name, struct evidence_file *out)
{
	unsigned char		*in;
	size_t			 len;
	enum evidence_error	 e;

	in = fixture(name, &len);
	e = evidence_check(in, len, out);
	free(in);
	return e;
}

static int
contains(const unsigned char *p, size_t n, const char *s)
{
	size_t	 m = strlen(s), i;

	for (i = 0; i + m <= n; i++)
		if (memcmp(p + i, s, m) == 0)
			return 1;
	return 0;
}

static void
test_accepted_types(void **state)
{
	static const struct {
		const char		*file;
		enum evidence_kind	 kind;
		unsigned		 w, h;
	} t[] = {
		{ "clean.png", EV_PNG, 64, 48 },
		{ "clean.jpg", EV_JPEG, 64, 48 },
		{ "clean.webp", EV_WEBP, 64, 48 },
		{ "sample.pdf", EV_PDF, 0, 0 },
		{ "note.txt", EV_TEXT, 0, 0 },
	};
	struct evidence_file	 f;
	unsigned char		*in;
	size_t			 i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		in = fixture(t[i].file, &len);
		assert_int_equal(evidence_check(in, len, &f), EVE_OK);
		assert_int_equal(f.kind, t[i].kind);
		assert_int_equal(f.width, t[i].w);
		assert_int_equal(f.height, t[i].h);
		/* Chromium writes no metadata: a clean file is kept as is. */
		assert_int_equal(f.len, len);
		assert_memory_equal(f.data, in, len);
		evidence_file_free(&f);
		free(in);
	}
	assert_string_equal(evidence_kind_name(EV_WEBP), "webp");
	assert_int_equal(evidence_kind_parse("jpeg"), EV_JPEG);
	assert_int_equal(evidence_kind_parse("exe"), EV_NONE);
	assert_string_equal(evidence_kind_ext(EV_JPEG), "jpg");
}

/* The name and declared type play no part: the bytes alone decide. */
static void
test_content_not_name(void **state)
{
	struct evidence_file	 f;
	unsigned char		*png;
	size_t			 len;

	png = fixture("clean.png", &len);
	assert_int_equal(evidence_check(png, len, &f), EVE_OK);
	assert_int_equal(f.kind, EV_PNG);
	evidence_file_free(&f);
	/* A PNG with its first byte changed is no picture, nor text. */
	png[0] = 'P';
	assert_int_equal(evidence_check(png, len, &f), EVE_TYPE);
	assert_null(f.data);
	free(png);
	assert_int_equal(check("binary.bin", &f), EVE_TYPE);
	assert_int_equal(evidence_check((const unsigned char *)"", 0, &f),
	    EVE_EMPTY);
}

static void
test_truncated_and_damaged(void **state)
{
	static const char *const files[] = { "truncated.png", "badcrc.png",
	    "truncated.jpg", "truncated.webp", "truncated.pdf" };
	struct evidence_file	 f;
	size_t			 i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (check(files[i], &f) != EVE_TRUNCATED)
			fail_msg("%s: not refused as truncated", files[i]);
		assert_null(f.data);
	}
}

static void
test_polyglots(void **state)
{
	static const char *const files[] = { "polyglot-html.png",
	    "polyglot-pdf.png", "trailing.png", "polyglot-html.jpg",
	    "html.txt" };
	struct evidence_file	 f;
	size_t			 i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (check(files[i], &f) != EVE_POLYGLOT)
			fail_msg("%s: not refused as a polyglot", files[i]);
}

static void
test_huge_declared_pictures(void **state)
{
	static const char *const files[] = { "bomb.png", "bomb.jpg",
	    "bomb.webp" };
	struct evidence_file	 f;
	size_t			 i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (check(files[i], &f) != EVE_DIMENSIONS)
			fail_msg("%s: a huge picture was accepted", files[i]);
}

/*
 * Planted metadata is gone and every byte that draws the picture stays:
 * the stripped file is the clean one the metadata was planted into.
 */
static void
test_metadata_stripped(void **state)
{
	static const struct {
		const char	*meta, *clean;
	} t[] = {
		{ "gps.jpg", "clean.jpg" },
		{ "meta.png", "clean.png" },
	};
	static const char *const marks[] = { "RCMARK", "Exif", "GPS",
	    "xmpmeta", "Photoshop" };
	struct evidence_file	 f;
	unsigned char		*in, *clean;
	size_t			 i, k, len, clen;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		in = fixture(t[i].meta, &len);
		clean = fixture(t[i].clean, &clen);
		assert_true(contains(in, len, "RCMARK"));
		assert_int_equal(evidence_check(in, len, &f), EVE_OK);
		for (k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
			if (contains(f.data, f.len, marks[k]))
				fail_msg("%s: \"%s\" survived", t[i].meta,
				    marks[k]);
		assert_int_equal(f.len, clen);
		assert_memory_equal(f.data, clean, clen);
		evidence_file_free(&f);
		free(in);
		free(clean);
	}
}

/* WebP: Exif and XMP chunks gone, their flags cleared, sizes right. */
static void
test_webp_metadata_stripped(void **state)
{
	struct evidence_file	 f;
	unsigned char		*in, *clean;
	size_t			 len, clen;

	in = fixture("meta.webp", &len);
	clean = fixture("clean.webp", &clen);
	assert_int_equal(evidence_check(in, len, &f), EVE_OK);
	assert_int_equal(f.width, 64);
	assert_false(contains(f.data, f.len, "RCMARK"));
	assert_false(contains(f.data, f.len, "EXIF"));
	assert_false(contains(f.data, f.len, "XMP "));
	assert_int_equal(f.data[20] & 0x0c, 0);
	/* RIFF header, VP8X (18 bytes), then the clean file's image. */
	assert_int_equal(f.len, clen + 18);
	assert_int_equal(f.data[4] | f.data[5] << 8 | f.data[6] << 16 |
	    (unsigned)f.data[7] << 24, f.len - 8);
	assert_memory_equal(f.data + 30, clean + 12, clen - 12);
	/* What comes out is accepted again, unchanged. */
	{
		struct evidence_file	 g;

		assert_int_equal(evidence_check(f.data, f.len, &g), EVE_OK);
		assert_int_equal(g.len, f.len);
		assert_memory_equal(g.data, f.data, f.len);
		evidence_file_free(&g);
	}
	evidence_file_free(&f);
	free(in);
	free(clean);
}

/*
 * JPEG keeps only what draws the picture: a JPGn segment (F7) carrying
 * data goes like APP1 does, and a file without any scan is no picture.
 */
static void
test_jpeg_allowlist(void **state)
{
	static const unsigned char seg[] = { 0xff, 0xf7, 0x00, 0x0e, 'R', 'C',
	    'M', 'A', 'R', 'K', 'J', 'P', 'G', 'G', 'P', 'S' };
	struct evidence_file	 f;
	unsigned char		*clean, *with, noscan[64];
	size_t			 len, p, n;

	clean = fixture("clean.jpg", &len);
	with = malloc(len + sizeof(seg));
	assert_non_null(with);
	memcpy(with, clean, 2);
	memcpy(with + 2, seg, sizeof(seg));
	memcpy(with + 2 + sizeof(seg), clean + 2, len - 2);
	assert_int_equal(evidence_check(with, len + sizeof(seg), &f), EVE_OK);
	assert_int_equal(f.len, len);
	assert_memory_equal(f.data, clean, len);
	evidence_file_free(&f);
	/* SOI, the frame header alone, EOI. */
	for (p = 2; p < len && clean[p + 1] != 0xc0; p += 2 + n)
		n = (size_t)clean[p + 2] << 8 | clean[p + 3];
	n = (size_t)clean[p + 2] << 8 | clean[p + 3];
	assert_true(n + 6 <= sizeof(noscan));
	memcpy(noscan, clean, 2);
	memcpy(noscan + 2, clean + p, n + 2);
	noscan[n + 4] = 0xff;
	noscan[n + 5] = 0xd9;
	assert_int_equal(evidence_check(noscan, n + 6, &f), EVE_TRUNCATED);
	free(with);
	free(clean);
}

static void
test_names(void **state)
{
	static const char *const good[] = { "screenshot.png", "Captura de "
	    "pantalla 2026-03-01 a las 10.00.00.png", "ad (1).jpg",
	    "\xc3\xa9t\xc3\xa9.txt", ".hidden" };
	static const char *const bad[] = { "../../etc/passwd", "..",
	    "a/b.png", "a\\b.png", "C:evil.png", "x\ny.png", "a..b", "",
	    "\xff\xfe.png" };
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!evidence_name_ok(good[i], strlen(good[i])))
			fail_msg("refused: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (evidence_name_ok(bad[i], strlen(bad[i])))
			fail_msg("accepted: %s", bad[i]);
	{
		char	 long_name[300];

		memset(long_name, 'a', sizeof(long_name) - 1);
		long_name[sizeof(long_name) - 1] = '\0';
		assert_false(evidence_name_ok(long_name, strlen(long_name)));
	}
	assert_non_null(evidence_error_message(EVE_POLYGLOT));
	assert_null(evidence_error_message(EVE_OK));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_types),
		cmocka_unit_test(test_content_not_name),
		cmocka_unit_test(test_truncated_and_damaged),
		cmocka_unit_test(test_polyglots),
		cmocka_unit_test(test_huge_declared_pictures),
		cmocka_unit_test(test_metadata_stripped),
		cmocka_unit_test(test_webp_metadata_stripped),
		cmocka_unit_test(test_jpeg_allowlist),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
