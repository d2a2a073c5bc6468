/*
 * sla_internal.h: what the SLA engine's files share and nobody else needs:
 * civil dates, the zone offset cache, and business time restricted to a
 * window of local time.
 */
#ifndef RECOURSE_SLA_INTERNAL_H
#define RECOURSE_SLA_INTERNAL_H

#include "sla.h"

#define SLA_DAY		86400
/* The instants computed on: years 1 to 9999. */
#define SLA_TIME_FIRST	((sla_time)-62135596800LL)
#define SLA_TIME_LIMIT	((sla_time)253402300800LL)
/* No zone's offset reaches 16 hours either side of UTC. */
#define SLA_MAX_OFFSET	(16 * 3600)

/* Fill in *err (field, then a printf-style message) and return -1. */
int	sla_refuse(struct sla_error *err, const char *field, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

/* Floor division, for instants before 1970 and negative offsets. */
int64_t	sla_floordiv(int64_t, int64_t);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t	sla_days_from_civil(int64_t y, int m, int d);
void	sla_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int	sla_days_in_month(int64_t y, int m);
/* ISO weekday of a day number: 0 Monday ... 6 Sunday. */
int	sla_weekday(int64_t days);

/* The libical zone of an IANA name, or NULL when the tz database lacks it. */
void	*sla_zone_find(const char *name);

/*
 * The offset (seconds east of UTC) in force at t, and in *end the first
 * instant after t at which it may change: a piece of constant offset.
 */
int32_t	sla_zone_piece(const void *tz, sla_time t, sla_time *end);
int32_t	sla_zone_offset(const void *tz, sla_time t);

/* Local wall time of t, as seconds since local 1970-01-01 00:00. */
int64_t	sla_zone_local(const void *tz, sla_time t);

/*
 * The earliest instant whose local wall time is at least 'local': a wall
 * time in a spring-forward gap maps to the first instant after the gap, one
 * that happens twice to its first occurrence.
 */
sla_time sla_zone_utc(const void *tz, int64_t local);

/*
 * Business seconds in [from, to) counting only instants whose local wall
 * time lies in [lo, hi); and the earliest t >= from at which 'seconds' of
 * them have passed, or SLA_NEVER.
 */
int64_t	sla_window_seconds(const struct sla_calendar *, sla_time from,
	    sla_time to, int64_t lo, int64_t hi);
sla_time sla_window_add(const struct sla_calendar *, sla_time from,
	    int64_t seconds, int64_t lo, int64_t hi);

/* Open seconds of the local date 'day' (fewer or more on DST days). */
int64_t	sla_day_seconds(const struct sla_calendar *, int64_t day);

/* Is the local date a dated or a yearly holiday? */
int	sla_holiday(const struct sla_calendar *, int64_t day);

#endif
