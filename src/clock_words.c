/*
 * The clocks' words for the pages and the API (sla_words.c): each
 * calendar version parsed once per worker, the work list's rows given
 * their nearest clock in words, and the complainant's "what happens next".
 */

#include <string.h>
#include <time.h>

#include "app.h"
#include "sla_words.h"

/* Calendar versions are few (one per admin change). */
#define CAL_SLOTS	16

static struct {
	int64_t			version;
	struct sla_calendar	cal;
}				cals[CAL_SLOTS];
static size_t			ncals, next_evict;

/*
 * The calendar of a version from its definition, parsed at first use and
 * kept; NULL when it does not parse (a broken version shows no words).
 */
const struct sla_calendar *
clock_calendar(int64_t version, const char *definition)
{
	struct sla_error	err;
	size_t			i;

	if (definition == NULL)
		return (NULL);
	for (i = 0; i < ncals; i++)
		if (cals[i].version == version)
			return (&cals[i].cal);
	if (ncals < CAL_SLOTS)
		i = ncals++;
	else {
		i = next_evict;
		next_evict = (next_evict + 1) % CAL_SLOTS;
		sla_calendar_free(&cals[i].cal);
	}
	if (sla_calendar_parse(&cals[i].cal, definition, &err) != 0) {
		memset(&cals[i], 0, sizeof(cals[i]));
		cals[i].version = -1;
		return (NULL);
	}
	cals[i].version = version;
	return (&cals[i].cal);
}

/* Whether a policy's unit ("business_days") counts business time. */
int
clock_unit_business(const char *unit)
{
	enum sla_unit	 u;

	return (sla_words_unit(unit, &u) == 0 && (u == SLA_BUSINESS_HOURS ||
	    u == SLA_BUSINESS_DAYS));
}

/*
 * Gives each work-list row (worklist_rows) "sla_words", its nearest
 * clock in words, from the query's columns 15-20 (worklist_query).
 */
void
worklist_words(const struct db_query *q, json_t *rows)
{
	const struct sla_calendar	*cal;
	json_t				*r;
	char				 w[SLA_WORDS_MAX];
	size_t				 i;
	sla_time			 now = time(NULL);

	json_array_foreach(rows, i, r) {
		if (db_isnull(q, (int)i, 15) || db_isnull(q, (int)i, 17))
			continue;
		cal = clock_calendar(strtoll(db_value(q, (int)i, 19), NULL, 10),
		    db_value(q, (int)i, 20));
		if (cal == NULL)
			continue;
		sla_words_clock(w, sizeof(w), cal,
		    clock_unit_business(db_value(q, (int)i, 16)),
		    json_text(r, "sla_state"),
		    strtoll(db_value(q, (int)i, 17), NULL, 10),
		    db_isnull(q, (int)i, 18) ? 0 :
		    strtoll(db_value(q, (int)i, 18), NULL, 10), 0, now);
		json_object_set_new(r, "sla_words", json_string(w));
	}
}

/*
 * The complainant's line from track_next()'s JSON (0015): "We aim to
 * reply by 14 March", or that we wait for them; NULL when nothing is due
 * from us.  Allocated with kore_strdup.
 */
char *
track_next_words(const char *track_next)
{
	json_t		*j;
	char		 w[SLA_WORDS_MAX];
	const char	*kind;
	int		 ok;

	if (track_next == NULL ||
	    (j = json_loads(track_next, 0, NULL)) == NULL)
		return (NULL);
	kind = json_text(j, "kind");
	if (strcmp(kind, "waiting") == 0) {
		(void)snprintf(w, sizeof(w), "Paused: we are waiting for your "
		    "reply");
		ok = 1;
	} else
		ok = sla_words_promise(w, sizeof(w), json_text(j, "zone"), kind,
		    (sla_time)json_integer_value(json_object_get(j, "due_at")),
		    json_is_true(json_object_get(j, "late")), time(NULL)) == 0;
	json_decref(j);
	return (ok ? kore_strdup(w) : NULL);
}
