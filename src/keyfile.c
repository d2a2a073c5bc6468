/*
 * keyfile.c: reads one fixed-size key from the keys folder, for the module,
 * recourse-admin and recourse-mailer alike, each reporting a failure its
 * own way.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "recourse.h"

int
keyfile_read(const char *dir, const char *name, unsigned char *out,
    size_t len, char *why, size_t whylen)
{
	char	 path[4096];
	ssize_t	 n;
	int	 fd;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		(void)snprintf(why, whylen, "could not open key %s: %s (run "
		    "recourse-keygen)", path, strerror(errno));
		return (-1);
	}
	n = read(fd, out, len);
	close(fd);
	if (n != (ssize_t)len) {
		(void)snprintf(why, whylen, "key %s is not %zu bytes long",
		    path, len);
		return (-1);
	}
	return (0);
}
