/*
 * The report's signatures: what report_sign() writes, OpenBSD's signify
 * (Debian's signify-openbsd) verifies, and a flipped byte, another key or
 * a damaged file fails both signify and report_verify().
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "report.h"

static char	 dir[] = "/tmp/report-sign-XXXXXX";

static int
setup(void **state)
{
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return (-1);
	return (0);
}

static int
teardown(void **state)
{
	char	 cmd[128];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return (system(cmd) == 0 ? 0 : -1);
}

static void
write_file(const char *name, const void *p, size_t len)
{
	char	 path[256];
	FILE	*fp;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(p, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* signify-openbsd -V: 1 when it says the signature is good. */
static int
signify_verifies(const char *pub, const char *file)
{
	char	 cmd[512];

	(void)snprintf(cmd, sizeof(cmd), "cd %s && signify-openbsd -V -q -p %s "
	    "-m %s -x %s.sig", dir, pub, file, file);
	return (system(cmd) == 0);
}

static void
test_signify_verifies(void **state)
{
	static const char csv[] = "category,received\r\nprivacy,<10\r\n";
	struct report_signer	 s, other;
	char			 pub[REPORT_SIGN_TEXT_MAX], sig[REPORT_SIGN_TEXT_MAX];
	char			 flipped[sizeof(csv)];

	report_sign_keypair(&s);
	report_sign_public(&s, "Recourse transparency report", pub);
	assert_memory_equal(pub, "untrusted comment: Recourse transparency "
	    "report public key\n", 58);
	report_sign(&s, "recourse-report.pub", csv, sizeof(csv) - 1, sig);
	assert_memory_equal(sig, "untrusted comment: verify with "
	    "recourse-report.pub\n", 51);
	write_file("recourse-report.pub", pub, strlen(pub));
	write_file("received.csv", csv, sizeof(csv) - 1);
	write_file("received.csv.sig", sig, strlen(sig));
	assert_true(signify_verifies("recourse-report.pub", "received.csv"));
	assert_true(report_verify(pub, sig, csv, sizeof(csv) - 1));

	/* One flipped byte in the file: both refuse. */
	memcpy(flipped, csv, sizeof(csv));
	flipped[12] ^= 1;
	write_file("received.csv", flipped, sizeof(csv) - 1);
	assert_false(signify_verifies("recourse-report.pub", "received.csv"));
	assert_false(report_verify(pub, sig, flipped, sizeof(csv) - 1));

	/* Another key: both refuse. */
	report_sign_keypair(&other);
	report_sign_public(&other, "Another", pub);
	write_file("other.pub", pub, strlen(pub));
	write_file("received.csv", csv, sizeof(csv) - 1);
	assert_false(signify_verifies("other.pub", "received.csv"));
	assert_false(report_verify(pub, sig, csv, sizeof(csv) - 1));
	report_signer_wipe(&s);
	report_signer_wipe(&other);
}

/* The secret key file round-trips; a damaged one or signature is refused. */
static void
test_key_file_and_damage(void **state)
{
	struct report_signer	 s, back;
	unsigned char		 file[REPORT_SECRET_FILE_BYTES];
	char			 pub[REPORT_SIGN_TEXT_MAX], sig[REPORT_SIGN_TEXT_MAX];
	char			 again[REPORT_SIGN_TEXT_MAX];

	report_sign_keypair(&s);
	report_signer_secret(&s, file);
	assert_true(report_signer_load(&back, file, sizeof(file)));
	assert_memory_equal(back.pk, s.pk, sizeof(s.pk));
	assert_false(report_signer_load(&back, file, sizeof(file) - 1));
	report_sign_public(&s, "Recourse", pub);
	report_sign(&s, "k.pub", "x", 1, sig);
	/* Ed25519 is deterministic: the same bytes, the same signature. */
	report_sign(&back, "k.pub", "x", 1, again);
	assert_string_equal(sig, again);
	assert_true(report_verify(pub, sig, "x", 1));
	sig[strlen(sig) - 5] ^= 1;
	assert_false(report_verify(pub, sig, "x", 1));
	assert_false(report_verify("untrusted comment: x\nAAAA\n", again,
	    "x", 1));
	assert_false(report_verify(pub, "not a signature", "x", 1));
	sodium_memzero(file, sizeof(file));
	report_signer_wipe(&s);
	report_signer_wipe(&back);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signify_verifies),
		cmocka_unit_test(test_key_file_and_damage),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
