/*
 * sla.h: the service-level engine's contract: business calendars, policies
 * and the five clocks of a case, computed from the case's events alone.
 *
 * Pure: no Kore, no libpq.  Time zones come from the system tz database
 * through libical (see shared PLATFORM.md: never ICU, never fixed offsets).
 * docs/SLA.md defines every rule this header names.  Zone offsets are
 * cached per process without locks: call from one thread (a Kore worker),
 * not from kore_task threads.
 */
#ifndef RECOURSE_SLA_H
#define RECOURSE_SLA_H

#include <stddef.h>
#include <stdint.h>

/* Seconds since 1970-01-01T00:00:00Z. */
typedef int64_t sla_time;

/* An instant that never comes: a calendar with no open hour for 400 years. */
#define SLA_NEVER	INT64_MAX

/* Where a definition was refused: a field path and a sentence for people. */
struct sla_error {
	char	field[64];	/* "zone", "week.mon[1]", "holidays[3].date" */
	char	message[200];
};

/* ------------------------------------------------------------------ */
/* Business calendars                                                  */
/* ------------------------------------------------------------------ */

#define SLA_MAX_INTERVALS	8	/* opening intervals per weekday */
#define SLA_MAX_HOLIDAYS	2048	/* dated holidays per calendar */
#define SLA_MAX_YEARLY		64	/* yearly (month-day) holidays */

/* Minutes from local midnight: [start, end), 0 <= start < end <= 1440. */
struct sla_interval {
	int16_t	start;
	int16_t	end;
};

struct sla_calendar {
	char			zone[64];	/* IANA name, e.g. Europe/Madrid */
	void			*tz;		/* icaltimezone *, owned by libical */
	/* week[0] is Monday ... week[6] Sunday (ISO 8601). */
	struct sla_interval	week[7][SLA_MAX_INTERVALS];
	int			nweek[7];
	int32_t			*holidays;	/* sorted local dates, days since
						   1970-01-01 */
	size_t			nholidays;
	struct {
		int8_t		month;		/* 1..12 */
		int8_t		day;		/* 1..31 */
	}			yearly[SLA_MAX_YEARLY];
	size_t			nyearly;
	/* Names for people (iCalendar export), "" when none; owned. */
	char			**holiday_names;	/* [nholidays] */
	char			*yearly_names[SLA_MAX_YEARLY];
};

#define SLA_MAX_NAME		200	/* bytes of UTF-8 in a holiday name */
#define SLA_FIRST_YEAR		1970	/* holidays lie in these years */
#define SLA_LAST_YEAR		2200

/*
 * Parse and validate a calendar definition (JSON, docs/SLA.md): unknown
 * zone, malformed or reversed or overlapping intervals, a week with no
 * open hours, bad dates.  0 on success; -1 with *err filled in, and
 * nothing to free.
 */
int	sla_calendar_parse(struct sla_calendar *, const char *json,
	    struct sla_error *err);
void	sla_calendar_free(struct sla_calendar *);

/* Is the instant inside the calendar's open hours? */
int	sla_calendar_open(const struct sla_calendar *, sla_time);

/* Business seconds in [from, to); 0 when to <= from. */
int64_t	sla_business_seconds(const struct sla_calendar *, sla_time from,
	    sla_time to);

/*
 * The earliest instant t >= from with sla_business_seconds(from, t) >=
 * seconds: a target that ends exactly at closing time is due at closing
 * time, not at the next opening.  SLA_NEVER when the calendar does not
 * open for 400 years (holidays can close every open weekday).
 */
sla_time sla_business_add(const struct sla_calendar *, sla_time from,
	    int64_t seconds);

/* ------------------------------------------------------------------ */
/* Policies                                                            */
/* ------------------------------------------------------------------ */

enum sla_unit {
	SLA_BUSINESS_HOURS,
	SLA_BUSINESS_DAYS,
	SLA_CALENDAR_DAYS,
	SLA_CALENDAR_MONTHS
};

enum sla_clock_kind {
	SLA_ACKNOWLEDGE,	/* human triage */
	SLA_RESPONSE,		/* first substantive response */
	SLA_DECISION,
	SLA_APPEAL,		/* decision on the latest appeal */
	SLA_ERASURE,		/* answer to a request for erasure */
	SLA_NCLOCKS
};

struct sla_target {
	int		n;	/* 0: the policy has no such clock */
	enum sla_unit	unit;
};

struct sla_policy {
	struct sla_target	target[SLA_NCLOCKS];
	int			at_risk_percent;	/* 1..99, default 75 */
	/* One extension of the decision clock (GDPR), n == 0 for none. */
	struct sla_target	extension;
};

/* The erasure clock of a policy that does not name one (GDPR art. 12(3)). */
extern const struct sla_target sla_erasure_default;

/* Parse and validate a policy definition (JSON, docs/SLA.md). */
int	sla_policy_parse(struct sla_policy *, const char *json,
	    struct sla_error *err);

const char	*sla_clock_name(enum sla_clock_kind);	/* "acknowledge" */
const char	*sla_unit_name(enum sla_unit);		/* "business_days" */

/* ------------------------------------------------------------------ */
/* Events and clocks                                                   */
/* ------------------------------------------------------------------ */

/* What a case event means to the clocks (one case event may mean several). */
enum sla_event_kind {
	SLA_EV_RECEIVED		= 1 << 0,	/* starts ack, response, decision */
	SLA_EV_ACKNOWLEDGED	= 1 << 1,	/* meets acknowledge */
	SLA_EV_RESPONDED	= 1 << 2,	/* meets response */
	SLA_EV_DECIDED		= 1 << 3,	/* meets decision, or the appeal
						   clock when an appeal runs */
	SLA_EV_APPEALED		= 1 << 4,	/* starts a new appeal clock */
	SLA_EV_PAUSED		= 1 << 5,	/* a pause with a reason begins */
	SLA_EV_RESUMED		= 1 << 6,	/* that reason's pause ends */
	SLA_EV_EXTENDED		= 1 << 7,	/* the decision clock, once */
	SLA_EV_ERASURE_ASKED	= 1 << 8,	/* starts the erasure clock */
	SLA_EV_ERASURE_ANSWERED	= 1 << 9	/* erased, or a legal hold */
};

/* The meaning of a case_events.kind; 0 when it does not touch the clocks. */
unsigned	sla_event_kinds(const char *case_event_kind);

struct sla_event {
	sla_time	at;
	unsigned	kinds;		/* SLA_EV_* bits */
	char		reason[48];	/* pause reason code, for PAUSED/RESUMED */
};

enum sla_state {
	SLA_NOT_STARTED,	/* no such clock on the policy, or not begun */
	SLA_RUNNING,
	SLA_PAUSED,
	SLA_AT_RISK,
	SLA_BREACHED,
	SLA_MET
};

const char	*sla_state_name(enum sla_state);	/* "at_risk" */

struct sla_transition {
	sla_time	at;
	enum sla_state	state;
};

#define SLA_MAX_TRANSITIONS	64

struct sla_clock {
	enum sla_clock_kind	kind;
	enum sla_state		state;		/* at 'now' */
	sla_time		started_at;
	sla_time		met_at;		/* 0 when not met */
	/*
	 * Due and at-risk instants given the pauses so far; while paused, as
	 * if the pause ended at 'now'.  0 when not started; SLA_NEVER when
	 * the calendar has no open hour for centuries.
	 */
	sla_time		due_at;
	sla_time		at_risk_at;
	sla_time		breached_at;	/* 0 when never; kept once met */
	int64_t			target_seconds;	/* in the clock's measure */
	int64_t			elapsed_seconds;/* measure used, pauses excluded */
	int64_t			paused_seconds;	/* measure spent paused */
	int64_t			paused_wall_seconds;
	int			extended;	/* the extension was taken */
	/* When the state next changes if no event arrives; 0: never. */
	sla_time		next_change;
	struct sla_transition	transitions[SLA_MAX_TRANSITIONS];
	int			ntransitions;
};

/*
 * All five clocks of a case at 'now', from its events in time order.
 * 0 on success, -1 with *err for events that make no sense (out of order).
 */
int	sla_compute(const struct sla_policy *, const struct sla_calendar *,
	    const struct sla_event *events, size_t nevents, sla_time now,
	    struct sla_clock out[SLA_NCLOCKS], struct sla_error *err);

#endif
