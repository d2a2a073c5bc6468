/*
 * recourse-keygen DIR: creates the service's keys in DIR when they are
 * missing (master.key for keyed hashes, review.pub and review.sec for the
 * case envelopes, report.pub and report.sec to sign the transparency
 * reports); never overwrites a key.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "report.h"

static int
write_new(const char *dir, const char *name, const unsigned char *p,
    size_t len, mode_t mode)
{
	char	 path[4096];
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)) == -1) {
		fprintf(stderr, "recourse-keygen: could not create %s: %s\n",
		    path, strerror(errno));
		return (0);
	}
	if (write(fd, p, len) != (ssize_t)len || fsync(fd) != 0) {
		fprintf(stderr, "recourse-keygen: could not write %s: %s\n",
		    path, strerror(errno));
		close(fd);
		return (0);
	}
	close(fd);
	return (1);
}

static int
exists(const char *dir, const char *name)
{
	char	 path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return (access(path, F_OK) == 0);
}

int
main(int argc, char *argv[])
{
	unsigned char	 master[32], pk[crypto_box_PUBLICKEYBYTES];
	unsigned char	 sk[crypto_box_SECRETKEYBYTES];
	unsigned char	 rsec[REPORT_SECRET_FILE_BYTES];
	char		 rpub[REPORT_SIGN_TEXT_MAX];
	struct report_signer signer;
	const char	*dir;
	int		 ok = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: recourse-keygen DIR\n");
		return (2);
	}
	dir = argv[1];
	if (sodium_init() < 0 || (mkdir(dir, 0700) == -1 && errno != EEXIST))
		return (1);

	if (!exists(dir, "master.key")) {
		randombytes_buf(master, sizeof(master));
		ok &= write_new(dir, "master.key", master, sizeof(master), 0600);
		sodium_memzero(master, sizeof(master));
		printf("created %s/master.key\n", dir);
	}
	if (!exists(dir, "review.pub") && !exists(dir, "review.sec")) {
		crypto_box_keypair(pk, sk);
		ok &= write_new(dir, "review.sec", sk, sizeof(sk), 0600);
		ok &= write_new(dir, "review.pub", pk, sizeof(pk), 0644);
		sodium_memzero(sk, sizeof(sk));
		printf("created %s/review.pub and review.sec (keep the secret "
		    "key off the intake server in production)\n", dir);
	}
	/* In signify's format, so that anyone can check a report with it. */
	if (!exists(dir, "report.pub") && !exists(dir, "report.sec")) {
		report_sign_keypair(&signer);
		report_signer_secret(&signer, rsec);
		report_sign_public(&signer, "Recourse transparency report", rpub);
		ok &= write_new(dir, "report.sec", rsec, sizeof(rsec), 0600);
		ok &= write_new(dir, "report.pub", (unsigned char *)rpub,
		    strlen(rpub), 0644);
		sodium_memzero(rsec, sizeof(rsec));
		report_signer_wipe(&signer);
		printf("created %s/report.pub and report.sec (the key that "
		    "signs the transparency reports)\n", dir);
	}
	return (ok ? 0 : 1);
}
