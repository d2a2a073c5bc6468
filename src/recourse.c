/*
 * Module entry: reads the configuration and keys once in the parent, pins
 * libsodium, registers the database in each worker, and widens Kore's
 * seccomp sandbox just enough for glibc 2.36 and libpq.
 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kore/seccomp.h>
#include <kore/hooks.h>

#include <sodium.h>

#include "app.h"

/*
 * Kore's allow-list predates glibc 2.36: stat and access calls, rseq for new
 * threads, and clone3 refused with ENOSYS so that glibc falls back to clone.
 */
KORE_SECCOMP_FILTER("recourse",
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_ALLOW(faccessat2),
	KORE_SYSCALL_ALLOW(rseq),
	KORE_SYSCALL_DENY(clone3, ENOSYS),
);

struct app_config app;

static void
read_key(const char *dir, const char *name, unsigned char *out, size_t len)
{
	char	 path[4096];
	ssize_t	 n;
	int	 fd;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		fatal("could not open key %s: %s (run recourse-keygen)", path,
		    errno_s);
	n = read(fd, out, len);
	close(fd);
	if (n != (ssize_t)len)
		fatal("key %s is not %zu bytes long", path, len);
}

static int
env_int(const char *name, int def, int min, int max)
{
	const char	*v;
	char		*end;
	long		 n;

	if ((v = getenv(name)) == NULL || *v == '\0')
		return (def);
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		fatal("%s must be a number from %d to %d", name, min, max);
	return ((int)n);
}

void
kore_parent_configure(int argc, char *argv[])
{
	unsigned char	 master[VAULT_KEYBYTES], review_pk[32];
	const char	*keys, *db, *assets;
	Dl_info		 self;

	/*
	 * A reload (SIGHUP) unloads and reloads modules.  Pin libsodium, and
	 * this module too, so that the configuration, keys and assets read
	 * here survive it (kore_parent_configure is not called again).
	 */
	if (dlopen("libsodium.so.23", RTLD_NOW | RTLD_GLOBAL |
	    RTLD_NODELETE) == NULL)
		fatal("could not pin libsodium: %s", dlerror());
	if (dladdr((void *)kore_parent_configure, &self) == 0 ||
	    dlopen(self.dli_fname, RTLD_NOW | RTLD_NODELETE) == NULL)
		fatal("could not pin the module: %s", dlerror());
	if (!vault_init())
		fatal("could not initialise libsodium");

	if ((db = getenv("RECOURSE_DB")) == NULL || *db == '\0')
		fatal("RECOURSE_DB (a libpq conninfo) is not set");
	if ((keys = getenv("RECOURSE_KEYS")) == NULL || *keys == '\0')
		fatal("RECOURSE_KEYS (the key folder) is not set");
	if ((assets = getenv("RECOURSE_ASSETS")) == NULL || *assets == '\0')
		assets = "assets";

	app.conninfo = kore_strdup(db);
	app.track_limit = env_int("RECOURSE_TRACK_LIMIT", 30, 1, 1000000);
	app.cookie_secure = env_int("RECOURSE_COOKIE_SECURE", 0, 0, 1);
	app.maintenance_seconds = env_int("RECOURSE_MAINTENANCE_SECONDS", 300,
	    1, 3600);

	/* Intake needs only the public review key, never the secret one. */
	read_key(keys, "master.key", master, sizeof(master));
	read_key(keys, "review.pub", review_pk, sizeof(review_pk));
	if (!vault_keys_derive(&app.keys, master, review_pk))
		fatal("could not derive keys");
	sodium_memzero(master, sizeof(master));

	if (!assets_load(assets))
		fatal("could not load assets from %s", assets);
}

void
kore_worker_configure(void)
{
	if (!vault_init())
		fatal("could not initialise libsodium");
	if (!kore_pgsql_register("db", app.conninfo))
		fatal("could not register the database");
	maintenance_start();
}
