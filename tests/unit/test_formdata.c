/* Tests that multipart/form-data and urlencoded bodies parse byte-exact, and that malformed, oversized or foreign bodies are refused. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "recourse.h"

#define MP		"multipart/form-data; boundary=XyZ"
#define UE		"application/x-www-form-urlencoded"
#define DISP(n)		"Content-Disposition: form-data; name=\"" n "\"\r\n"
#define PART(n, v)	"--XyZ\r\n" DISP(n) "\r\n" v "\r\n"
#define END		"--XyZ--\r\n"

/* Parses a string literal body, NUL bytes included. */
#define PARSE(fd, ct, lit)	formdata_parse((fd), (ct), (lit), sizeof(lit) - 1)

static void
assert_field(const struct formdata *fd, const char *name, const char *value,
    size_t len)
{
	const struct formfield	*f;

	if ((f = formdata_get(fd, name)) == NULL)
		fail_msg("field %s missing", name);
	assert_int_equal(f->len, len);
	assert_memory_equal(f->value, value, len);
	assert_int_equal(f->value[len], '\0');
}

static void
test_mp_simple(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd, MP, PART("a", "1") PART("b", "hello")
	    END), FORMDATA_OK);
	assert_int_equal(fd.count, 2);
	assert_string_equal(fd.field[0].name, "a");
	assert_string_equal(fd.field[1].name, "b");
	assert_field(&fd, "a", "1", 1);
	assert_field(&fd, "b", "hello", 5);
	assert_null(formdata_get(&fd, "c"));
	formdata_free(&fd);
}

static void
test_mp_empty_value(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd, MP, PART("a", "") END), FORMDATA_OK);
	assert_int_equal(fd.count, 1);
	assert_field(&fd, "a", "", 0);
	formdata_free(&fd);
}

static void
test_mp_crlf_value(void **state)
{
	struct formdata	 fd;
	const char	 v[] = "line one\r\nline two\r\n\r\n--Xy-not\r\n--Xy";

	assert_int_equal(PARSE(&fd, MP, PART("d",
	    "line one\r\nline two\r\n\r\n--Xy-not\r\n--Xy") PART("e", "x")
	    END), FORMDATA_OK);
	assert_int_equal(fd.count, 2);
	assert_field(&fd, "d", v, sizeof(v) - 1);
	assert_field(&fd, "e", "x", 1);
	formdata_free(&fd);
}

static void
test_mp_nul_value(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd, MP, PART("d", "a\0b\0") END),
	    FORMDATA_OK);
	assert_int_equal(fd.count, 1);
	assert_field(&fd, "d", "a\0b\0", 4);
	formdata_free(&fd);
}

static void
test_mp_boundary_forms(void **state)
{
	static const char *const ctypes[] = {
		"multipart/form-data; boundary=XyZ",
		"multipart/form-data; boundary=\"XyZ\"",
		"multipart/form-data;boundary=XyZ",
		"multipart/form-data; boundary=XyZ; charset=utf-8",
		"multipart/form-data; charset=utf-8; boundary=\"XyZ\"",
		"Multipart/Form-Data; BOUNDARY=XyZ",
	};
	struct formdata	 fd;
	size_t		 i;

	for (i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++) {
		if (PARSE(&fd, ctypes[i], PART("a", "1") END) != FORMDATA_OK)
			fail_msg("content type %zu refused", i);
		assert_int_equal(fd.count, 1);
		assert_field(&fd, "a", "1", 1);
		formdata_free(&fd);
	}
}

static void
test_mp_quoted_boundary_specials(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd,
	    "multipart/form-data; boundary=\"a b;c=d\"",
	    "--a b;c=d\r\n" DISP("x") "\r\nvalue\r\n--a b;c=d--\r\n"),
	    FORMDATA_OK);
	assert_int_equal(fd.count, 1);
	assert_field(&fd, "x", "value", 5);
	formdata_free(&fd);
}

static void
test_mp_preamble(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd, MP, "ignored preamble\r\n"
	    PART("a", "1") END "epilogue"), FORMDATA_OK);
	assert_int_equal(fd.count, 1);
	assert_field(&fd, "a", "1", 1);
	formdata_free(&fd);
}

static void
test_mp_boundary_missing(void **state)
{
	static const char *const ctypes[] = {
		"multipart/form-data",
		"multipart/form-data; charset=utf-8",
		"multipart/form-data; boundary=",
		"multipart/form-data; boundary=\"\"",
		"multipart/form-data; boundary=\"XyZ",
	};
	struct formdata	 fd;
	size_t		 i;

	for (i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++) {
		if (PARSE(&fd, ctypes[i], PART("a", "1") END) !=
		    FORMDATA_MALFORMED)
			fail_msg("content type %zu accepted", i);
		assert_int_equal(fd.count, 0);
		formdata_free(&fd);
	}
}

static void
test_mp_boundary_too_long(void **state)
{
	struct formdata	 fd;
	char		 ct[200], body[400];
	char		 b70[71], b71[72];
	int		 n;

	memset(b70, 'b', 70);
	b70[70] = '\0';
	memset(b71, 'b', 71);
	b71[71] = '\0';

	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b70);
	n = snprintf(body, sizeof(body), "--%s\r\n" DISP("a") "\r\n1\r\n"
	    "--%s--\r\n", b70, b70);
	assert_int_equal(formdata_parse(&fd, ct, body, (size_t)n),
	    FORMDATA_OK);
	assert_field(&fd, "a", "1", 1);
	formdata_free(&fd);

	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b71);
	n = snprintf(body, sizeof(body), "--%s\r\n" DISP("a") "\r\n1\r\n"
	    "--%s--\r\n", b71, b71);
	assert_int_equal(formdata_parse(&fd, ct, body, (size_t)n),
	    FORMDATA_MALFORMED);
	formdata_free(&fd);
}

static void
test_mp_truncated(void **state)
{
	static const struct {
		const char	*body;
		size_t		 len;
	} t[] = {
#define T(lit)	{ lit, sizeof(lit) - 1 }
		T(PART("a", "1")),			/* no closing */
		T(PART("a", "1") "--XyZ"),		/* closing cut short */
		T(PART("a", "1") "--XyZ-"),
		T("--XyZ\r\n" DISP("a") "\r\nvalue without end"),
		T("--XyZ\r\n" DISP("a")),		/* headers never end */
		T("--XyZ\r\n"),
		T("--XyZ"),
		T("no delimiter at all"),
		T(""),
		T(PART("a", "1") "--XyZ junk\r\n"),	/* junk after delim */
#undef T
	};
	struct formdata	 fd;
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (formdata_parse(&fd, MP, t[i].body, t[i].len) !=
		    FORMDATA_MALFORMED)
			fail_msg("truncated body %zu accepted", i);
		assert_int_equal(fd.count, 0);
		formdata_free(&fd);
	}
}

static void
test_mp_part_without_name(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd, MP, PART("a", "1")
	    "--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n" END),
	    FORMDATA_MALFORMED);
	assert_int_equal(fd.count, 0);
	formdata_free(&fd);

	assert_int_equal(PARSE(&fd, MP,
	    "--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n" END),
	    FORMDATA_MALFORMED);
	formdata_free(&fd);

	assert_int_equal(PARSE(&fd, MP, PART("", "v") END),
	    FORMDATA_MALFORMED);
	formdata_free(&fd);

	/* 65 bytes of name is more than any field has. */
	assert_int_equal(PARSE(&fd, MP, PART("nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
	    "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "v") END),
	    FORMDATA_MALFORMED);
	formdata_free(&fd);
}

static void
test_mp_file_skipped(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd, MP, PART("a", "1")
	    "--XyZ\r\nContent-Disposition: form-data; name=\"upload\"; "
	    "filename=\"evil.html\"\r\nContent-Type: text/html\r\n\r\n"
	    "<script>alert(1)</script>\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"up2\"; "
	    "filename=\"\"\r\n\r\n\r\n"
	    PART("b", "2") END), FORMDATA_OK);
	assert_int_equal(fd.count, 2);
	assert_null(formdata_get(&fd, "upload"));
	assert_null(formdata_get(&fd, "up2"));
	/* Uploads are kept apart, byte for byte, with their file names;
	 * an empty file input (no name, no bytes) is no upload. */
	assert_non_null(formdata_upload(&fd, "upload"));
	assert_string_equal(formdata_upload(&fd, "upload")->value,
	    "<script>alert(1)</script>");
	assert_string_equal(formdata_upload(&fd, "upload")->filename,
	    "evil.html");
	assert_null(formdata_upload(&fd, "up2"));
	assert_int_equal(fd.nupload, 1);
	assert_null(formdata_upload(&fd, "a"));
	assert_field(&fd, "a", "1", 1);
	assert_field(&fd, "b", "2", 1);
	formdata_free(&fd);
}

/* Several files under one name, in order; more than the parser keeps
 * are counted; a file name over the maximum is kept as none. */
static void
test_mp_several_uploads(void **state)
{
	struct formdata		 fd;
	const struct formupload	*u;
	struct sbuf		 body;
	char			 longname[300];
	int			 i;

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	sbuf_init(&body);
	for (i = 0; i < FORMDATA_MAX_UPLOADS + 2; i++)
		sbuf_printf(&body, "--XyZ\r\nContent-Disposition: form-data; "
		    "name=\"evidence\"; filename=\"%s\"\r\n"
		    "Content-Type: image/png\r\n\r\nfile %d\r\n",
		    i == 1 ? longname : i == 2 ? "../../etc/passwd" : "a.png",
		    i);
	sbuf_adds(&body, "--XyZ--\r\n");
	assert_int_equal(formdata_parse(&fd, MP, body.data, body.len),
	    FORMDATA_OK);
	assert_int_equal(fd.nupload, FORMDATA_MAX_UPLOADS);
	assert_int_equal(fd.uploads_dropped, 2);
	u = formdata_upload(&fd, "evidence");
	assert_string_equal(u->value, "file 0");
	assert_string_equal(u->filename, "a.png");
	u = formdata_upload_next(&fd, "evidence", u);
	assert_string_equal(u->value, "file 1");
	assert_null(u->filename);
	u = formdata_upload_next(&fd, "evidence", u);
	assert_string_equal(u->filename, "../../etc/passwd");
	for (i = 3; i < FORMDATA_MAX_UPLOADS; i++)
		u = formdata_upload_next(&fd, "evidence", u);
	assert_non_null(u);
	assert_null(formdata_upload_next(&fd, "evidence", u));
	formdata_free(&fd);
	sbuf_free(&body);
}

static void
test_mp_other_headers(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd, MP, "--XyZ\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "content-disposition: form-data; name=\"a\"\r\n\r\n1\r\n" END),
	    FORMDATA_OK);
	assert_int_equal(fd.count, 1);
	assert_field(&fd, "a", "1", 1);
	formdata_free(&fd);
}

static void
test_mp_too_many(void **state)
{
	struct formdata	 fd;
	struct sbuf	 body;
	int		 i;

	sbuf_init(&body);
	for (i = 0; i < FORMDATA_MAX_FIELDS; i++)
		sbuf_printf(&body, "--XyZ\r\n" DISP("f%d") "\r\nv%d\r\n", i,
		    i);
	sbuf_adds(&body, END);
	assert_int_equal(formdata_parse(&fd, MP, body.data, body.len),
	    FORMDATA_OK);
	assert_int_equal(fd.count, FORMDATA_MAX_FIELDS);
	assert_field(&fd, "f63", "v63", 3);
	formdata_free(&fd);

	sbuf_reset(&body);
	for (i = 0; i < FORMDATA_MAX_FIELDS + 1; i++)
		sbuf_printf(&body, "--XyZ\r\n" DISP("f%d") "\r\nv%d\r\n", i,
		    i);
	sbuf_adds(&body, END);
	assert_int_equal(formdata_parse(&fd, MP, body.data, body.len),
	    FORMDATA_TOO_MANY);
	assert_int_equal(fd.count, 0);
	formdata_free(&fd);
	sbuf_free(&body);
}

static void
test_mp_first_wins(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd, MP, PART("a", "first") PART("b", "x")
	    PART("a", "second") END), FORMDATA_OK);
	assert_int_equal(fd.count, 3);
	assert_field(&fd, "a", "first", 5);
	formdata_free(&fd);
}

/* Every value of a name sent several times, in order (checkbox groups). */
static void
test_next_values(void **state)
{
	struct formdata		 fd;
	const struct formfield	*f;

	assert_int_equal(PARSE(&fd, UE, "a=1&b=x&a=2&a=&c=y&a=3"),
	    FORMDATA_OK);
	f = formdata_next(&fd, "a", NULL);
	assert_string_equal(f->value, "1");
	f = formdata_next(&fd, "a", f);
	assert_string_equal(f->value, "2");
	f = formdata_next(&fd, "a", f);
	assert_string_equal(f->value, "");
	f = formdata_next(&fd, "a", f);
	assert_string_equal(f->value, "3");
	assert_null(formdata_next(&fd, "a", f));
	assert_null(formdata_next(&fd, "d", NULL));
	f = formdata_next(&fd, "c", NULL);
	assert_string_equal(f->value, "y");
	assert_null(formdata_next(&fd, "c", f));
	formdata_free(&fd);
}

static void
test_ue_decoding(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd, UE,
	    "a=1+2&b=%41%42%c3%A9&first+name=x%2By&c=&d"), FORMDATA_OK);
	assert_int_equal(fd.count, 5);
	assert_field(&fd, "a", "1 2", 3);
	assert_field(&fd, "b", "AB\xc3\xa9", 4);
	assert_field(&fd, "first name", "x+y", 3);
	assert_field(&fd, "c", "", 0);
	assert_field(&fd, "d", "", 0);
	formdata_free(&fd);
}

static void
test_ue_newline_and_nul(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd, UE, "d=one%0Atwo%0D%0Athree&n=a%00b"),
	    FORMDATA_OK);
	assert_int_equal(fd.count, 2);
	assert_field(&fd, "d", "one\ntwo\r\nthree", 14);
	assert_field(&fd, "n", "a\0b", 3);
	formdata_free(&fd);
}

static void
test_ue_malformed(void **state)
{
	static const char *const bad[] = {
		"a=%zz",
		"a=%",
		"a=%4",
		"a=1&b=%g0",
		"a=1&b=2%",
		"%zz=1",
		"=value",
		"a=1&=2",
	};
	struct formdata	 fd;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (formdata_parse(&fd, UE, bad[i], strlen(bad[i])) !=
		    FORMDATA_MALFORMED)
			fail_msg("body %zu (%s) accepted", i, bad[i]);
		assert_int_equal(fd.count, 0);
		formdata_free(&fd);
	}
}

static void
test_ue_empty_pairs(void **state)
{
	struct formdata	 fd;

	assert_int_equal(PARSE(&fd, UE, "&&a=1&&&b=2&"), FORMDATA_OK);
	assert_int_equal(fd.count, 2);
	assert_field(&fd, "a", "1", 1);
	assert_field(&fd, "b", "2", 1);
	formdata_free(&fd);

	assert_int_equal(PARSE(&fd, UE, ""), FORMDATA_OK);
	assert_int_equal(fd.count, 0);
	formdata_free(&fd);
}

static void
test_ue_first_wins_and_too_many(void **state)
{
	struct formdata	 fd;
	struct sbuf	 body;
	int		 i;

	assert_int_equal(PARSE(&fd, UE, "a=first&a=second"), FORMDATA_OK);
	assert_int_equal(fd.count, 2);
	assert_field(&fd, "a", "first", 5);
	formdata_free(&fd);

	sbuf_init(&body);
	for (i = 0; i < FORMDATA_MAX_FIELDS; i++)
		sbuf_printf(&body, "f%d=%d&", i, i);
	assert_int_equal(formdata_parse(&fd, UE, body.data, body.len),
	    FORMDATA_OK);
	assert_int_equal(fd.count, FORMDATA_MAX_FIELDS);
	formdata_free(&fd);
	sbuf_adds(&body, "one=more");
	assert_int_equal(formdata_parse(&fd, UE, body.data, body.len),
	    FORMDATA_TOO_MANY);
	assert_int_equal(fd.count, 0);
	formdata_free(&fd);
	sbuf_free(&body);
}

static void
test_bad_type(void **state)
{
	static const char *const ctypes[] = {
		"text/plain",
		"application/json",
		"multipart/mixed; boundary=XyZ",
		"",
	};
	struct formdata	 fd;
	size_t		 i;

	for (i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++) {
		if (PARSE(&fd, ctypes[i], "a=1") != FORMDATA_BAD_TYPE)
			fail_msg("content type %zu accepted", i);
		assert_int_equal(fd.count, 0);
		formdata_free(&fd);
	}
	assert_int_equal(PARSE(&fd, NULL, "a=1"), FORMDATA_BAD_TYPE);
	assert_int_equal(fd.count, 0);
	formdata_free(&fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mp_simple),
		cmocka_unit_test(test_next_values),
		cmocka_unit_test(test_mp_empty_value),
		cmocka_unit_test(test_mp_crlf_value),
		cmocka_unit_test(test_mp_nul_value),
		cmocka_unit_test(test_mp_boundary_forms),
		cmocka_unit_test(test_mp_quoted_boundary_specials),
		cmocka_unit_test(test_mp_preamble),
		cmocka_unit_test(test_mp_boundary_missing),
		cmocka_unit_test(test_mp_boundary_too_long),
		cmocka_unit_test(test_mp_truncated),
		cmocka_unit_test(test_mp_part_without_name),
		cmocka_unit_test(test_mp_file_skipped),
		cmocka_unit_test(test_mp_several_uploads),
		cmocka_unit_test(test_mp_other_headers),
		cmocka_unit_test(test_mp_too_many),
		cmocka_unit_test(test_mp_first_wins),
		cmocka_unit_test(test_ue_decoding),
		cmocka_unit_test(test_ue_newline_and_nul),
		cmocka_unit_test(test_ue_malformed),
		cmocka_unit_test(test_ue_empty_pairs),
		cmocka_unit_test(test_ue_first_wins_and_too_many),
		cmocka_unit_test(test_bad_type),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
