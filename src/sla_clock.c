/*
 * The five clocks of a case, recomputed from its events alone: what each
 * event means, each clock's target, pauses, due and at-risk instants,
 * state at 'now' and the instants its state changed (docs/SLA.md).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sla_internal.h"

/* A target no calendar reaches: no open hour for centuries. */
#define TARGET_NEVER	((int64_t)1 << 52)
#define MAX_REASONS	32

static const struct {
	const char	*kind;
	unsigned	 bits;
} meanings[] = {
	{ "received", SLA_EV_RECEIVED },
	{ "triaged", SLA_EV_ACKNOWLEDGED },
	{ "rejected", SLA_EV_ACKNOWLEDGED | SLA_EV_RESPONDED |
	    SLA_EV_DECIDED },
	{ "message", SLA_EV_RESPONDED },
	{ "information_requested", SLA_EV_RESPONDED },
	{ "decision_published", SLA_EV_RESPONDED | SLA_EV_DECIDED },
	{ "appealed", SLA_EV_APPEALED },
	{ "clock_paused", SLA_EV_PAUSED },
	{ "clock_resumed", SLA_EV_RESUMED },
	{ "clock_extended", SLA_EV_EXTENDED },
	/* Erasing an open case closes it: like a rejection, it ends it. */
	{ "erased", SLA_EV_ACKNOWLEDGED | SLA_EV_RESPONDED |
	    SLA_EV_DECIDED | SLA_EV_ERASURE_ANSWERED },
	{ "erasure_requested", SLA_EV_ERASURE_ASKED },
	/* A hold lifted while a request waits: staff must answer it anew. */
	{ "erasure_resumed", SLA_EV_ERASURE_ASKED },
	/* A legal hold answers the request: why the data stays; one that
	 * stood before the request answers it at once. */
	{ "legal_hold", SLA_EV_ERASURE_ANSWERED },
	{ "erasure_held", SLA_EV_ERASURE_ANSWERED },
};

/* Which event bit starts, and which meets, each clock. */
static const unsigned starts[SLA_NCLOCKS] = {
	SLA_EV_RECEIVED, SLA_EV_RECEIVED, SLA_EV_RECEIVED, SLA_EV_APPEALED,
	SLA_EV_ERASURE_ASKED
};
static const unsigned meets[SLA_NCLOCKS] = {
	SLA_EV_ACKNOWLEDGED, SLA_EV_RESPONDED, SLA_EV_DECIDED, SLA_EV_DECIDED,
	SLA_EV_ERASURE_ANSWERED
};

static const char *const state_names[] = {
	"not_started", "running", "paused", "at_risk", "breached", "met"
};

unsigned
sla_event_kinds(const char *kind)
{
	size_t	i;

	if (kind == NULL)
		return 0;
	for (i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
		if (strcmp(kind, meanings[i].kind) == 0)
			return meanings[i].bits;
	return 0;
}

const char *
sla_state_name(enum sla_state s)
{
	return s >= SLA_NOT_STARTED && s <= SLA_MET ? state_names[s] :
	    "unknown";
}

static int
is_business(enum sla_unit u)
{
	return u == SLA_BUSINESS_HOURS || u == SLA_BUSINESS_DAYS;
}

/*
 * Business days: the same business offset into the n-th business day
 * after the start's, counted from the first open instant at or after S.
 */
static int64_t
business_days_target(const struct sla_calendar *cal, sla_time s, int n)
{
	sla_time	s0, first;
	int64_t		day, d, d0, off, ds;
	int		k;

	if ((s0 = sla_business_add(cal, s, 1)) == SLA_NEVER)
		return TARGET_NEVER;
	s0--;
	day = sla_floordiv(sla_zone_local(cal->tz, s0), SLA_DAY);
	d0 = day * SLA_DAY;
	off = sla_window_seconds(cal, d0 - SLA_MAX_OFFSET, s0, d0,
	    d0 + SLA_DAY);
	ds = 0;
	for (d = day, k = 0; k < n; ) {
		if (++d - day > 400 * 366)
			return TARGET_NEVER;
		if (cal->nweek[sla_weekday(d)] == 0 || sla_holiday(cal, d))
			continue;
		if ((ds = sla_day_seconds(cal, d)) > 0)
			k++;
	}
	d0 = d * SLA_DAY;
	first = sla_window_add(cal, d0 - SLA_MAX_OFFSET, 1, d0,
	    d0 + SLA_DAY) - 1;
	return sla_business_seconds(cal, s, first) + (off < ds ? off : ds);
}

/* Real seconds from s to the same local wall time n days or months on. */
static int64_t
calendar_target(const struct sla_calendar *cal, sla_time s, int n,
    int months)
{
	int64_t	local, day, tod, y, total;
	int	m, d;

	local = sla_zone_local(cal->tz, s);
	day = sla_floordiv(local, SLA_DAY);
	tod = local - day * SLA_DAY;
	if (months) {
		sla_civil_from_days(day, &y, &m, &d);
		total = y * 12 + (m - 1) + n;
		y = sla_floordiv(total, 12);
		m = (int)(total - y * 12) + 1;
		if (d > sla_days_in_month(y, m))
			d = sla_days_in_month(y, m);
		day = sla_days_from_civil(y, m, d);
	} else
		day += n;
	return sla_zone_utc(cal->tz, day * SLA_DAY + tod) - s;
}

/* A target in its clock's measure, counted from s. */
static int64_t
target_from(const struct sla_calendar *cal, const struct sla_target *t,
    sla_time s)
{
	switch (t->unit) {
	case SLA_BUSINESS_HOURS:
		return (int64_t)t->n * 3600;
	case SLA_BUSINESS_DAYS:
		return business_days_target(cal, s, t->n);
	case SLA_CALENDAR_DAYS:
		return calendar_target(cal, s, t->n, 0);
	case SLA_CALENDAR_MONTHS:
		return calendar_target(cal, s, t->n, 1);
	}
	return TARGET_NEVER;
}

/* A span of the case during which some pause reason was open. */
struct pause {
	sla_time	from;
	sla_time	to;		/* 'now' while still open */
	int		open;
};

/* What one clock's computation needs besides its own events. */
struct ctx {
	const struct sla_calendar	*cal;
	int				 business;
	const struct pause		*p;
	size_t				 np;
	sla_time			 now;
};

static int64_t
measure(const struct ctx *c, sla_time a, sla_time b)
{
	if (b <= a)
		return 0;
	return c->business ? sla_business_seconds(c->cal, a, b) : b - a;
}

static sla_time
advance(const struct ctx *c, sla_time a, int64_t s)
{
	if (c->business)
		return sla_business_add(c->cal, a, s);
	return s >= TARGET_NEVER ? SLA_NEVER : a + s;
}

/*
 * The earliest instants at which the elapsed measure since 'start',
 * pauses before 'stop' excluded, reaches r and t; after 'stop' the clock
 * is taken to run on without pause (a pause open at 'now' ends now).
 */
static void
walk(const struct ctx *c, sla_time start, sla_time stop, int64_t r,
    int64_t t, sla_time *risk, sla_time *due)
{
	sla_time	cur = start, a, b;
	int64_t		e = 0, m;
	size_t		i;

	*risk = *due = 0;
	for (i = 0; i < c->np && *due == 0; i++) {
		a = c->p[i].from > start ? c->p[i].from : start;
		b = c->p[i].to < stop ? c->p[i].to : stop;
		if (a >= stop)
			break;
		if (b <= a)
			continue;
		m = measure(c, cur, a);
		if (*risk == 0 && e + m >= r)
			*risk = advance(c, cur, r - e);
		if (e + m >= t)
			*due = advance(c, cur, t - e);
		e += m;
		if (b > cur)
			cur = b;
	}
	if (*risk == 0)
		*risk = advance(c, cur, r - e);
	if (*due == 0)
		*due = advance(c, cur, t - e);
}

/* One clock's inputs and results, for its state at any instant. */
struct run {
	sla_time	start, met, ext_at;
	int		extended;
	sla_time	risk0, due0;	/* with the policy's target */
	sla_time	risk1, due1;	/* with the extension added */
};

static int
paused_at(const struct ctx *c, sla_time t)
{
	size_t	i;

	for (i = 0; i < c->np; i++)
		if (t >= c->p[i].from && (c->p[i].open || t < c->p[i].to))
			return 1;
	return 0;
}

static enum sla_state
state_at(const struct ctx *c, const struct run *r, sla_time t)
{
	int	ext = r->extended && t >= r->ext_at;

	if (t < r->start)
		return SLA_NOT_STARTED;
	if (r->met != 0 && t >= r->met)
		return SLA_MET;
	if (t >= (ext ? r->due1 : r->due0))
		return SLA_BREACHED;
	if (paused_at(c, t))
		return SLA_PAUSED;
	if (t >= (ext ? r->risk1 : r->risk0))
		return SLA_AT_RISK;
	return SLA_RUNNING;
}

static int
cmp_time(const void *a, const void *b)
{
	sla_time	x = *(const sla_time *)a, y = *(const sla_time *)b;

	return (x > y) - (x < y);
}

/* The instants up to 'now' at which the state changed, in order. */
static void
transitions(const struct ctx *c, const struct run *r,
    struct sla_clock *out)
{
	sla_time	 pts[16 + 2 * SLA_MAX_TRANSITIONS], prev_at = 0;
	size_t		 n = 0, i;
	enum sla_state	 s, prev = SLA_NOT_STARTED;

	pts[n++] = r->start;
	pts[n++] = r->risk0;
	pts[n++] = r->due0;
	if (r->met != 0)
		pts[n++] = r->met;
	if (r->extended) {
		pts[n++] = r->ext_at;
		pts[n++] = r->risk1;
		pts[n++] = r->due1;
	}
	for (i = 0; i < c->np && n + 2 <= sizeof(pts) / sizeof(pts[0]);
	    i++) {
		if (c->p[i].to <= r->start)
			continue;
		pts[n++] = c->p[i].from > r->start ? c->p[i].from : r->start;
		if (!c->p[i].open)
			pts[n++] = c->p[i].to;
	}
	qsort(pts, n, sizeof(pts[0]), cmp_time);
	out->ntransitions = 0;
	for (i = 0; i < n && pts[i] <= c->now; i++) {
		if (i > 0 && pts[i] == prev_at)
			continue;
		prev_at = pts[i];
		s = state_at(c, r, pts[i]);
		if (s == prev || out->ntransitions == SLA_MAX_TRANSITIONS)
			continue;
		out->transitions[out->ntransitions].at = pts[i];
		out->transitions[out->ntransitions].state = s;
		out->ntransitions++;
		prev = s;
	}
}

static int64_t
risk_share(int64_t t, int pct)
{
	return (t * pct + 99) / 100;
}

static void
compute_clock(const struct ctx *c0, const struct sla_policy *pol,
    enum sla_clock_kind k, const struct sla_event *ev, size_t nev,
    struct sla_clock *out)
{
	struct ctx		 c = *c0;
	struct run		 r;
	const struct sla_target	*tg = &pol->target[k];
	int64_t			 t0, t1 = 0;
	sla_time		 stop, a, b, due, risk;
	size_t			 i, si = nev;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	out->kind = k;
	out->state = SLA_NOT_STARTED;
	if (tg->n == 0)
		return;
	/* Waiting for the complainant does not delay erasing their data. */
	if (k == SLA_ERASURE)
		c.np = 0;
	/* The first received starts a clock; the latest appeal, and the
	 * latest request for erasure (or its resumption), their own. */
	for (i = 0; i < nev && ev[i].at <= c.now; i++)
		if ((ev[i].kinds & starts[k]) != 0 &&
		    (si == nev || k == SLA_APPEAL || k == SLA_ERASURE))
			si = i;
	if (si == nev)
		return;
	r.start = ev[si].at;
	for (i = si + 1; i < nev && ev[i].at <= c.now; i++)
		if ((ev[i].kinds & meets[k]) != 0) {
			r.met = ev[i].at;
			break;
		}
	c.business = is_business(tg->unit);
	stop = r.met != 0 ? r.met : c.now;
	t0 = target_from(c.cal, tg, r.start);
	walk(&c, r.start, stop, risk_share(t0, pol->at_risk_percent), t0,
	    &r.risk0, &r.due0);
	if (k == SLA_DECISION && pol->extension.n != 0)
		for (i = si + 1; i < nev && ev[i].at <= stop; i++)
			if ((ev[i].kinds & SLA_EV_EXTENDED) != 0) {
				/* Too late once the clock has breached. */
				if (ev[i].at < r.due0 &&
				    (r.met == 0 || ev[i].at < r.met)) {
					r.extended = 1;
					r.ext_at = ev[i].at;
				}
				break;
			}
	if (r.extended) {
		/* The extension runs on from where the target ended. */
		a = c.business ? sla_business_add(c.cal, r.start, t0) :
		    r.start + t0;
		t1 = a == SLA_NEVER ? 0 : target_from(c.cal, &pol->extension,
		    a);
		walk(&c, r.start, stop, risk_share(t0 + t1,
		    pol->at_risk_percent), t0 + t1, &r.risk1, &r.due1);
	}
	due = r.extended ? r.due1 : r.due0;
	risk = r.extended ? r.risk1 : r.risk0;

	out->started_at = r.start;
	out->met_at = r.met;
	out->due_at = due;
	out->at_risk_at = risk;
	out->target_seconds = t0 + t1;
	out->extended = r.extended;
	if (due <= c.now && (r.met == 0 || r.met > due))
		out->breached_at = due;
	for (i = 0; i < c.np; i++) {
		a = c.p[i].from > r.start ? c.p[i].from : r.start;
		b = c.p[i].to < stop ? c.p[i].to : stop;
		if (b <= a)
			continue;
		out->paused_seconds += measure(&c, a, b);
		out->paused_wall_seconds += b - a;
	}
	out->elapsed_seconds = measure(&c, r.start, stop) -
	    out->paused_seconds;
	out->state = state_at(&c, &r, c.now);
	transitions(&c, &r, out);
	/* Without a new event, only at-risk and breach can still come. */
	if (out->state == SLA_RUNNING && risk > c.now && risk != SLA_NEVER &&
	    state_at(&c, &r, risk) != SLA_RUNNING)
		out->next_change = risk;
	else if ((out->state == SLA_RUNNING || out->state == SLA_AT_RISK) &&
	    due > c.now && due != SLA_NEVER)
		out->next_change = due;
}

/* The spans during which at least one pause reason was open. */
static int
collect_pauses(const struct sla_event *ev, size_t nev, sla_time now,
    struct pause *p, size_t *np)
{
	char	 open[MAX_REASONS][sizeof(ev->reason)];
	size_t	 nopen = 0, i, j;

	*np = 0;
	for (i = 0; i < nev && ev[i].at <= now; i++) {
		if ((ev[i].kinds & (SLA_EV_PAUSED | SLA_EV_RESUMED)) == 0)
			continue;
		for (j = 0; j < nopen; j++)
			if (strncmp(open[j], ev[i].reason,
			    sizeof(open[j])) == 0)
				break;
		if ((ev[i].kinds & SLA_EV_PAUSED) != 0 && j == nopen) {
			if (nopen == MAX_REASONS)
				return -1;
			memcpy(open[nopen], ev[i].reason, sizeof(open[0]));
			open[nopen][sizeof(open[0]) - 1] = '\0';
			if (nopen++ == 0) {
				p[*np].from = ev[i].at;
				p[*np].to = now;
				p[*np].open = 1;
			}
		} else if ((ev[i].kinds & SLA_EV_RESUMED) != 0 && j < nopen) {
			memmove(open[j], open[j + 1],
			    (nopen - j - 1) * sizeof(open[0]));
			if (--nopen == 0) {
				p[*np].to = ev[i].at;
				p[*np].open = 0;
				(*np)++;
			}
		}
	}
	if (nopen > 0)
		(*np)++;
	return 0;
}

int
sla_compute(const struct sla_policy *pol, const struct sla_calendar *cal,
    const struct sla_event *events, size_t nevents, sla_time now,
    struct sla_clock out[SLA_NCLOCKS], struct sla_error *err)
{
	struct ctx	 c;
	struct pause	*p;
	char		 field[32];
	size_t		 i;
	int		 k;

	memset(err, 0, sizeof(*err));
	for (i = 1; i < nevents; i++)
		if (events[i].at < events[i - 1].at) {
			snprintf(field, sizeof(field), "events[%zu]", i);
			return sla_refuse(err, field, "Events are out of "
			    "time order.");
		}
	if ((p = calloc(nevents + 1, sizeof(*p))) == NULL)
		return sla_refuse(err, "events", "Out of memory.");
	if (collect_pauses(events, nevents, now, p, &c.np) == -1) {
		free(p);
		return sla_refuse(err, "events", "More than %d pause reasons "
		    "open at once.", MAX_REASONS);
	}
	c.cal = cal;
	c.p = p;
	c.now = now;
	c.business = 0;
	for (k = 0; k < SLA_NCLOCKS; k++)
		compute_clock(&c, pol, (enum sla_clock_kind)k, events, nevents,
		    &out[k]);
	free(p);
	return 0;
}
