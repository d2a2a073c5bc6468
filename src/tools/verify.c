/*
 * recourse-verify KEY DIR: checks a downloaded transparency report folder
 * against the reports' public key (report.pub, from /transparency/key or
 * the README): every file must have its .sig beside it and every signature
 * must be good.  Says which file fails; exits 1 when one does.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "recourse.h"
#include "report.h"

#define FILE_MAX	(64 * 1024 * 1024)

/* A whole file, NUL-terminated; NULL when it cannot be read. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*s;
	long	 n;

	if ((fp = fopen(path, "r")) == NULL)
		return (NULL);
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    n > FILE_MAX || fseek(fp, 0, SEEK_SET) != 0 ||
	    (s = malloc((size_t)n + 1)) == NULL) {
		fclose(fp);
		return (NULL);
	}
	if (fread(s, 1, (size_t)n, fp) != (size_t)n) {
		free(s);
		fclose(fp);
		return (NULL);
	}
	s[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return (s);
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t	 n = strlen(s), k = strlen(suffix);

	return (n > k && strcmp(s + n - k, suffix) == 0);
}

int
main(int argc, char *argv[])
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		*key, *body, *sig, path[4400], sigpath[4400];
	size_t		 key_len, len, sig_len;
	int		 bad = 0, good = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: recourse-verify KEY DIR\n");
		return (2);
	}
	if (sodium_init() < 0)
		errx(2, "libsodium");
	if ((key = slurp(argv[1], &key_len)) == NULL)
		err(2, "%s", argv[1]);
	if ((d = opendir(argv[2])) == NULL)
		err(2, "%s", argv[2]);
	while ((de = readdir(d)) != NULL) {
		(void)snprintf(path, sizeof(path), "%s/%s", argv[2],
		    de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) == -1 ||
		    !S_ISREG(st.st_mode) || strcmp(de->d_name, "report.pub") == 0)
			continue;
		if (has_suffix(de->d_name, ".sig")) {
			/* A signature whose file is missing. */
			(void)snprintf(path, sizeof(path), "%s/%.*s", argv[2],
			    (int)(strlen(de->d_name) - 4), de->d_name);
			if (stat(path, &st) == -1) {
				printf("MISSING %.*s (its signature is here)\n",
				    (int)(strlen(de->d_name) - 4), de->d_name);
				bad++;
			}
			continue;
		}
		body = slurp(path, &len);
		(void)snprintf(sigpath, sizeof(sigpath), "%s/%s.sig", argv[2],
		    de->d_name);
		sig = slurp(sigpath, &sig_len);
		if (body == NULL || sig == NULL) {
			printf("FAILED %s: %s\n", de->d_name, body == NULL ?
			    "cannot be read" : "has no signature beside it");
			bad++;
		} else if (!report_verify(key, sig, body, len)) {
			printf("FAILED %s: the signature does not match\n",
			    de->d_name);
			bad++;
		} else {
			printf("OK %s\n", de->d_name);
			good++;
		}
		free(body);
		free(sig);
	}
	closedir(d);
	free(key);
	if (good == 0 && bad == 0) {
		printf("FAILED: no file to check in %s\n", argv[2]);
		return (1);
	}
	printf("%s: %d file(s) verified, %d failed\n", bad ? "FAILED" : "OK",
	    good, bad);
	return (bad ? 1 : 0);
}
