/*
 * caseclocks.h: the five clocks of one case computed from the database's
 * JSON (definitions and events, as sla_claim() and sla_verify_rows() give
 * them) and written back as the JSON sla_store() takes.  Pure: shared by
 * the back office's scheduler and recourse-admin sla-verify.
 */
#ifndef RECOURSE_CASECLOCKS_H
#define RECOURSE_CASECLOCKS_H

#include <jansson.h>

#include "sla.h"

/* Policy and calendar definitions, each parsed once per version. */
struct cc_cache;

struct cc_cache	*cc_cache_new(void);
void		 cc_cache_free(struct cc_cache *);

/* What sla_claim() (or sla_verify_rows()) returns for one case. */
struct cc_input {
	int64_t		 policy_version;	/* 0: do not cache */
	const char	*policy;		/* JSON definition */
	int64_t		 calendar_version;
	const char	*calendar;
	const char	*events;	/* [{"at": s, "kind": k, "reason": r}] */
};

/* All five clocks at 'now'; 0, or -1 with *err filled in. */
int	 cc_compute(struct cc_cache *, const struct cc_input *, sla_time now,
	    struct sla_clock out[SLA_NCLOCKS], struct sla_error *err);

/* The started clocks as sla_store() reads them (a JSON array). */
json_t	*cc_clocks_json(const struct sla_clock out[SLA_NCLOCKS]);

/* The earliest state change without a new event; 0: none. */
sla_time cc_next_change(const struct sla_clock out[SLA_NCLOCKS]);

#endif
