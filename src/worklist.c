/*
 * The work list: filters read from a query string and checked, the keyset
 * page fetched through worklist() in SQL, and the rows as JSON for the
 * page and the API alike.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"

static const char *const states[] = { "received", "triaged",
    "investigating", "awaiting_complainant", "decided", "appealed",
    "closed", "rejected", NULL };

static int
in_list(const char *const *list, const char *v)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, v) == 0)
			return (1);
	return (0);
}

static int
all_digits(const char *v, size_t max)
{
	size_t	 n;

	n = strlen(v);
	return (n > 0 && n <= max && strspn(v, "0123456789") == n);
}

static void
copy_field(const struct formdata *fd, const char *name, char *out,
    size_t size, int *too_long)
{
	const struct formfield	*f;

	out[0] = '\0';
	if ((f = formdata_get(fd, name)) == NULL || f->len == 0)
		return;
	if (f->len >= size) {
		*too_long = 1;
		return;
	}
	memcpy(out, f->value, f->len + 1);
}

/* "2026-12-01T10:00:00.000000Z": a real instant, so PostgreSQL takes it. */
static int
instant_valid(const char *s)
{
	struct tm	 tm, back;
	time_t		 t;
	int		 us;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6dZ", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &us) != 7 ||
	    strspn(s, "0123456789-T:.Z") != 27)
		return (0);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	if ((t = timegm(&tm)) == (time_t)-1 || gmtime_r(&t, &tm) == NULL)
		return (0);
	return (tm.tm_year == back.tm_year && tm.tm_mon == back.tm_mon &&
	    tm.tm_mday == back.tm_mday && tm.tm_hour == back.tm_hour &&
	    tm.tm_min == back.tm_min && tm.tm_sec == back.tm_sec);
}

/*
 * The page key "1~2026-12-01T10:00:00.000000Z~3~42": the last row's risk
 * rank, nearest due instant ("infinity" when it has none), priority and
 * id.
 */
static int
after_parse(struct worklist_filter *w, const char *key)
{
	const char	*d, *p, *q;
	size_t		 n;

	if (key[0] < '0' || key[0] > '4' || key[1] != '~')
		return (0);
	w->after_rank[0] = key[0];
	w->after_rank[1] = '\0';
	d = key + 2;
	if ((p = strchr(d, '~')) == NULL || (q = strchr(p + 1, '~')) == NULL)
		return (0);
	n = (size_t)(p - d);
	if (n == 8 && strncmp(d, "infinity", 8) == 0)
		(void)kore_strlcpy(w->after_due, "infinity",
		    sizeof(w->after_due));
	else {
		if (n != 27 || d[4] != '-' || d[10] != 'T' || d[26] != 'Z')
			return (0);
		memcpy(w->after_due, d, 27);
		w->after_due[27] = '\0';
		if (!instant_valid(w->after_due))
			return (0);
	}
	if (q - p != 2 || p[1] < '1' || p[1] > '4')
		return (0);
	w->after_prio[0] = p[1];
	w->after_prio[1] = '\0';
	if (!all_digits(q + 1, 18))
		return (0);
	(void)kore_strlcpy(w->after_id, q + 1, sizeof(w->after_id));
	return (1);
}

/* Names one more filter that is not valid (error_field: the first). */
static void
bad(struct worklist_filter *w, const char *name)
{
	if (w->error_field == NULL)
		w->error_field = name;
	if (w->nbad < WORKLIST_FILTERS)
		w->bad[w->nbad++] = name;
}

/* Reads and checks the filters; names every bad one, returns 0. */
int
worklist_filter_parse(struct worklist_filter *w, const char *query)
{
	struct formdata	 fd;
	char		 after[64];
	int		 too_long;

	memset(w, 0, sizeof(*w));
	if (query == NULL || *query == '\0')
		return (1);
	if (formdata_parse(&fd, "application/x-www-form-urlencoded", query,
	    strlen(query)) != FORMDATA_OK) {
		bad(w, "filters");
		return (0);
	}
	too_long = 0;
	copy_field(&fd, "state", w->state, sizeof(w->state), &too_long);
	copy_field(&fd, "category", w->category, sizeof(w->category),
	    &too_long);
	copy_field(&fd, "priority", w->priority, sizeof(w->priority),
	    &too_long);
	copy_field(&fd, "assignee", w->assignee, sizeof(w->assignee),
	    &too_long);
	copy_field(&fd, "brand", w->brand, sizeof(w->brand), &too_long);
	copy_field(&fd, "queue", w->queue, sizeof(w->queue), &too_long);
	copy_field(&fd, "after", after, sizeof(after), &too_long);
	formdata_free(&fd);

	if (too_long) {
		bad(w, "filters");
		return (0);
	}
	if (w->state[0] && !in_list(states, w->state))
		bad(w, "state");
	if (w->priority[0] && (w->priority[0] < '1' || w->priority[0] > '4'))
		bad(w, "priority");
	if (w->assignee[0] && strcmp(w->assignee, "me") != 0 &&
	    strcmp(w->assignee, "none") != 0 && !all_digits(w->assignee, 18))
		bad(w, "assignee");
	if (w->brand[0] && !utf8_valid(w->brand, strlen(w->brand)))
		bad(w, "brand");
	if (after[0] && !after_parse(w, after))
		bad(w, "after");
	return (w->error_field == NULL);
}

#define NUL_IF_EMPTY(s)	((s)[0] ? (s) : NULL)

enum db_status
worklist_query(struct db_query *q, struct http_request *req,
    const struct staff *who, const struct worklist_filter *w)
{
	char		 actor[24], limit[8];
	const char	*v[12];

	(void)snprintf(actor, sizeof(actor), "%lld", (long long)who->id);
	(void)snprintf(limit, sizeof(limit), "%d", WORKLIST_PAGE + 1);
	v[0] = actor;
	v[1] = NUL_IF_EMPTY(w->state);
	v[2] = NUL_IF_EMPTY(w->category);
	v[3] = NUL_IF_EMPTY(w->priority);
	v[4] = NUL_IF_EMPTY(w->assignee);
	v[5] = NUL_IF_EMPTY(w->brand);
	v[6] = NUL_IF_EMPTY(w->queue);
	v[7] = NUL_IF_EMPTY(w->after_rank);
	v[8] = NUL_IF_EMPTY(w->after_due);
	v[9] = NUL_IF_EMPTY(w->after_prio);
	v[10] = NUL_IF_EMPTY(w->after_id);
	v[11] = limit;
	return (db_run(q, req, "SELECT w.reference, w.state, w.category, "
	    "w.channel, w.brand, w.queue, w.priority, w.vulnerable, "
	    "utc_text(w.sla_due), "
	    "w.assignee, w.assignee_name, w.appeal, w.id, w.sla_rank, "
	    /* The page key keeps the microseconds the order depends on. */
	    "coalesce(to_char(w.sla_due AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'infinity'), "
	    /* The nearest clock's words (worklist_words, from 15 on). */
	    "x.clock, x.unit, x.due_at, x.paused_since, x.calendar_version, "
	    "x.calendar "
	    "FROM worklist($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
	    "WITH ORDINALITY w "
	    "LEFT JOIN LATERAL worklist_clock($1, w.id) x ON true "
	    "ORDER BY w.ordinality",
	    12, v, NULL, NULL));
}

/* The work list's risk rank (cases.sla_rank) as the API names it. */
static const char *
rank_state(const char *rank)
{
	static const char *const names[] = { "breached", "at_risk",
	    "running", "paused", "none" };
	int	 r;

	r = atoi(rank);
	return (r >= 0 && r <= 4 ? names[r] : "none");
}

/*
 * The rows as a JSON array, and in *next the key of the following page
 * (empty when this is the last).
 */
json_t *
worklist_rows(const struct db_query *q, char *next, size_t nextsize)
{
	json_t	*rows, *r;
	int	 i, n;

	rows = json_array();
	next[0] = '\0';
	n = db_rows(q);
	for (i = 0; i < n && i < WORKLIST_PAGE; i++) {
		r = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:i,s:b,s:s,s:o,s:o,"
		    "s:o,s:b}",
		    "reference", db_value(q, i, 0),
		    "state", db_value(q, i, 1),
		    "category", db_value(q, i, 2),
		    "channel", db_value(q, i, 3),
		    "brand", db_isnull(q, i, 4) ? json_null() :
		    json_string(db_value(q, i, 4)),
		    "queue", db_value(q, i, 5),
		    "priority", atoi(db_value(q, i, 6)),
		    "vulnerable", *db_value(q, i, 7) == 't',
		    "sla_state", rank_state(db_value(q, i, 13)),
		    "sla_due", db_isnull(q, i, 8) ? json_null() :
		    json_string(db_value(q, i, 8)),
		    "assignee", db_isnull(q, i, 9) ? json_null() :
		    json_integer(strtoll(db_value(q, i, 9), NULL, 10)),
		    "assignee_name", db_isnull(q, i, 10) ? json_null() :
		    json_string(db_value(q, i, 10)),
		    "appeal", *db_value(q, i, 11) == 't');
		json_array_append_new(rows, r);
	}
	if (n > WORKLIST_PAGE)
		(void)snprintf(next, nextsize, "%s~%s~%s~%s",
		    db_value(q, WORKLIST_PAGE - 1, 13),
		    db_value(q, WORKLIST_PAGE - 1, 14),
		    db_value(q, WORKLIST_PAGE - 1, 6),
		    db_value(q, WORKLIST_PAGE - 1, 12));
	return (rows);
}
