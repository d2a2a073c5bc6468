/*
 * Seals the audit log: on a timer in the back office's first worker, reads
 * the events not yet in the chain and appends a link for each (keyed
 * BLAKE2b over the previous link and the event, see audit.c).  Events are
 * written by the statements that do what they record; sealing them here
 * keeps the hash out of every request's path.
 */

#include <sodium.h>

#include "app.h"

#define SEAL_BATCH	500

static struct bg_statement	fetch = { .name = "audit sealer (read)" };
static struct bg_statement	seal = { .name = "audit sealer (seal)" };
static struct sbuf		ids, hashes;
static char			head[24];
static int			pending;	/* links computed, not stored */
static int			full;		/* the batch was full: go on */

static void	sealer_tick(void *, u_int64_t);

static void
fetch_done(struct bg_statement *bg, struct kore_pgsql *sql)
{
	unsigned char		 prev[VAULT_HASHBYTES], link[VAULT_HASHBYTES];
	char			 hex[VAULT_HASHBYTES * 2 + 1];
	struct audit_event	 e;
	uint64_t		 seq;
	int			 i, n;

	pending = 0;
	if (sql == NULL || (n = kore_pgsql_ntuples(sql)) == 0)
		return;
	memset(prev, 0, sizeof(prev));
	seq = 0;
	if (*kore_pgsql_getvalue(sql, 0, 0) != '\0') {
		seq = strtoull(kore_pgsql_getvalue(sql, 0, 0), NULL, 10);
		if (sodium_hex2bin(prev, sizeof(prev),
		    kore_pgsql_getvalue(sql, 0, 1), VAULT_HASHBYTES * 2, NULL,
		    NULL, NULL) != 0)
			return;
	}
	(void)snprintf(head, sizeof(head), "%llu", (unsigned long long)seq);
	sbuf_reset(&ids);
	sbuf_reset(&hashes);
	sbuf_addc(&ids, '{');
	for (i = 0; i < n; i++) {
		e.seq = ++seq;
		e.event_id = strtoull(kore_pgsql_getvalue(sql, i, 2), NULL, 10);
		e.at = kore_pgsql_getvalue(sql, i, 3);
		e.actor = kore_pgsql_getvalue(sql, i, 4);
		e.action = kore_pgsql_getvalue(sql, i, 5);
		e.object = kore_pgsql_getvalue(sql, i, 6);
		e.detail = kore_pgsql_getvalue(sql, i, 7);
		audit_link_hash(app.keys.audit, prev, &e, link);
		memcpy(prev, link, sizeof(prev));
		vault_hex(link, sizeof(link), hex);
		sbuf_printf(&ids, "%s%llu", i ? "," : "",
		    (unsigned long long)e.event_id);
		sbuf_adds(&hashes, hex);
	}
	sbuf_addc(&ids, '}');
	pending = 1;
	full = n == SEAL_BATCH;
}

static void
seal_done(struct bg_statement *bg, struct kore_pgsql *sql)
{
	if (sql != NULL && kore_pgsql_ntuples(sql) == 1 &&
	    strcmp(kore_pgsql_getvalue(sql, 0, 0), "sealed") != 0)
		full = 0;	/* another sealer moved the head: next tick */
	else if (sql == NULL)
		full = 0;
}

/* Once the read's connection is back: store the links it computed. */
static void
seal_start(struct bg_statement *bg)
{
	const char	*v[3];

	if (!pending)
		return;
	pending = 0;
	v[0] = strcmp(head, "0") == 0 ? NULL : head;
	v[1] = sbuf_cstr(&ids);
	v[2] = sbuf_cstr(&hashes);
	(void)bg_run(&seal, "SELECT audit_seal($1::bigint, $2::bigint[], "
	    "ARRAY(SELECT decode(substr($3, (g - 1) * 64 + 1, 64), 'hex') "
	    "FROM generate_series(1, length($3) / 64) g ORDER BY g))", 3, v,
	    NULL, NULL);
}

/* After a full batch, go on at once rather than at the next tick. */
static void
seal_next(struct bg_statement *bg)
{
	if (full) {
		full = 0;
		sealer_tick(NULL, 0);
	}
}

static void
sealer_tick(void *arg, u_int64_t now)
{
	char	 limit[16];
	const char *v[1] = { limit };

	if (bg_busy(&fetch) || bg_busy(&seal))
		return;
	(void)snprintf(limit, sizeof(limit), "%d", SEAL_BATCH);
	(void)bg_run(&fetch, "SELECT head_seq, encode(head_hash, 'hex'), "
	    "event_id, at_text, actor, action, object, detail_text "
	    "FROM audit_unsealed($1)", 1, v, NULL, NULL);
}

void
audit_sealer_start(void)
{
	sbuf_init(&ids);
	sbuf_init(&hashes);
	fetch.done = fetch_done;
	fetch.next = seal_start;
	seal.done = seal_done;
	seal.next = seal_next;
	kore_timer_add(sealer_tick, (u_int64_t)app.audit_seal_ms, NULL, 0);
}
