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
 * gettid and sched_getaffinity (read-only) are what the sanitizer runtime
 * calls when a task thread starts, so the ASan build runs under the same
 * sandbox as production.
 */
KORE_SECCOMP_FILTER("recourse",
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_ALLOW(faccessat2),
	KORE_SYSCALL_ALLOW(rseq),
	KORE_SYSCALL_ALLOW(gettid),
	KORE_SYSCALL_ALLOW(sched_getaffinity),
	/* realloc() of a large buffer (a body with files) moves its mapping. */
	KORE_SYSCALL_ALLOW(mremap),
	KORE_SYSCALL_DENY(clone3, ENOSYS),
);

struct app_config app;

static void
read_key(const char *dir, const char *name, unsigned char *out, size_t len)
{
	char	why[4200];

	if (keyfile_read(dir, name, out, len, why, sizeof(why)) == -1)
		fatal("%s", why);
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

/* RECOURSE_SURFACE: "public" (the default) or "review" (the back office). */
static int
surface_is_review(void)
{
	const char	*v;

	if ((v = getenv("RECOURSE_SURFACE")) == NULL || *v == '\0' ||
	    strcmp(v, "public") == 0)
		return (0);
	if (strcmp(v, "review") == 0)
		return (1);
	fatal("RECOURSE_SURFACE must be public or review");
	return (0);
}

/*
 * A hash of a random password, checked against when a login names no
 * account, so that unknown names cost the same Argon2id run as known ones.
 */
static void
dummy_hash_make(void)
{
	char	 pw[33];

	vault_token_new(pw);
	if (crypto_pwhash_str(app.dummy_hash, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		fatal("could not make the dummy password hash");
	sodium_memzero(pw, sizeof(pw));
}

/*
 * RECOURSE_REVIEW_BASE_URL: where people reach the back office, for the
 * absolute links it gives out.  The default is make run's address, as
 * recourse-admin's is.
 */
static void
review_base_url(void)
{
	const char	*v;

	if ((v = getenv("RECOURSE_REVIEW_BASE_URL")) == NULL || *v == '\0') {
		v = "http://127.0.0.1:8081";
		kore_log(LOG_NOTICE, "RECOURSE_REVIEW_BASE_URL is not set; "
		    "links given out start %s", v);
	}
	if (!baseurl_parse(v, app.review_base_url))
		fatal("RECOURSE_REVIEW_BASE_URL must be an http:// or https:// "
		    "address without spaces, query or fragment");
}

void
kore_parent_configure(int argc, char *argv[])
{
	unsigned char	 master[VAULT_KEYBYTES], review_pk[32];
	const char	*keys, *db, *assets, *docs;
	Dl_info		 self;
	size_t		 n;

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
	if ((docs = getenv("RECOURSE_DOCS")) == NULL || *docs == '\0')
		docs = "docs";

	/*
	 * The audit chain hashes text as PostgreSQL sends it: always UTF-8,
	 * whatever the environment or the conninfo would choose.
	 */
	n = strlen(db) + sizeof(" client_encoding=UTF8");
	app.conninfo = kore_malloc(n);
	(void)snprintf(app.conninfo, n, "%s client_encoding=UTF8", db);
	app.track_limit = env_int("RECOURSE_TRACK_LIMIT", 30, 1, 1000000);
	/* Tests only: name the fields each form handler used (rt_form_done). */
	formdata_log_reads = env_int("RECOURSE_TEST_FORM_READS", 0, 0, 1);
	app.maintenance_seconds = env_int("RECOURSE_MAINTENANCE_SECONDS", 300,
	    1, 3600);
	/* None by default: X-Real-IP is believed only from a named proxy. */
	if (!ipnet_list_parse(getenv("RECOURSE_TRUSTED_PROXIES"),
	    &app.trusted_proxies))
		fatal("RECOURSE_TRUSTED_PROXIES must be a comma-separated list "
		    "of at most %d addresses or CIDR ranges", IPADDR_LIST_MAX);

	/*
	 * The public surface (intake, tracking) needs only the public review
	 * key; the back office, a separate Kore instance, alone loads the
	 * secret one that opens cases.
	 */
	app.review = surface_is_review();
	read_key(keys, "master.key", master, sizeof(master));
	read_key(keys, "review.pub", review_pk, sizeof(review_pk));
	if (!vault_keys_derive(&app.keys, master, review_pk))
		fatal("could not derive keys");
	sodium_memzero(master, sizeof(master));
	if (app.review) {
		read_key(keys, "review.sec", app.review_sk,
		    sizeof(app.review_sk));
		if (sodium_mlock(app.review_sk, sizeof(app.review_sk)) != 0)
			kore_log(LOG_NOTICE, "could not lock the review key "
			    "in memory");
		dummy_hash_make();
		app.audit_seal_ms = env_int("RECOURSE_AUDIT_SEAL_MS", 1000,
		    50, 60000);
		/* 0: this node leaves the clocks to the other nodes. */
		app.sla_tick_ms = env_int("RECOURSE_SLA_TICK_MS", 1000, 0,
		    60000);
		if (app.sla_tick_ms > 0 && app.sla_tick_ms < 50)
			fatal("RECOURSE_SLA_TICK_MS must be 0 or 50 to 60000");
		/* 0: this node leaves retention to the other nodes. */
		app.retention_ms = env_int("RECOURSE_RETENTION_MS", 60000, 0,
		    3600000);
		if (app.retention_ms > 0 && app.retention_ms < 50)
			fatal("RECOURSE_RETENTION_MS must be 0 or 50 to "
			    "3600000");
		/* The SLA test clock's offset is read only when this is on. */
		app.test_clock = env_int("RECOURSE_TEST_CLOCK", 0, 0, 1);
		if (app.test_clock)
			kore_log(LOG_NOTICE, "RECOURSE_TEST_CLOCK is on: "
			    "for tests only, never in production");
		review_base_url();
	}

	if (!assets_load(assets))
		fatal("could not load assets from %s", assets);
	if (!assets_load_openapi(docs))
		fatal("could not load openapi.yaml from %s", docs);
	assets_load_report_key(keys);
	workers_init();
	/* GET /metrics: the database's gauges, kept this long per worker. */
	app.metrics_cache_ms = env_int("RECOURSE_METRICS_CACHE_MS", 5000, 0,
	    3600000);
	metrics_init();
}

void
kore_worker_configure(void)
{
	if (!vault_init())
		fatal("could not initialise libsodium");
	if (!kore_pgsql_register("db", app.conninfo))
		fatal("could not register the database");
	workers_start();
	metrics_start();
	taxonomy_cache_init();
	if (!app.review)
		intake_clocks_start();
	maintenance_start();
}
