/* tz.h -- time zones for business time.
 *
 * Rules count days and hours in the shop's zone (RULES.md preamble: day 1
 * is the local date of the triggering event). The C library's localtime()
 * works on one process-wide TZ, so this module reads the compiled zone
 * files (TZif, /usr/share/zoneinfo) itself: each cs_tz is an immutable
 * table of transitions, safe to share between threads, and a lookup is a
 * binary search. Zones with daylight saving are handled by the table. */
#ifndef CS_TZ_H
#define CS_TZ_H

#include <stddef.h>
#include <stdint.h>

typedef struct cs_tz cs_tz;

/* A local calendar date: days since 1970-01-01 (proleptic Gregorian). */
typedef int32_t cs_day;

/* Loads zone `name` ("Asia/Shanghai", "America/New_York", "UTC").
 * Returns NULL with a reason in errbuf if it cannot. */
cs_tz *cs_tz_load(const char *name, char *errbuf, size_t errlen);
void cs_tz_free(cs_tz *tz);
const char *cs_tz_name(const cs_tz *tz);

/* The instants the functions below read: 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999Z. An instant outside is taken as the nearer end
 * (an event may claim any time; its dates must stay computable). */
#define CS_TZ_MIN_MS INT64_C(-62135596800000)
#define CS_TZ_MAX_MS INT64_C(253402300799999)

/* UTC offset in seconds at instant ms. */
int32_t cs_tz_offset_s(const cs_tz *tz, int64_t ms);
/* Local date of instant ms. */
cs_day cs_tz_day(const cs_tz *tz, int64_t ms);
/* Minutes after local midnight of instant ms (0..1439). */
int cs_tz_minute_of_day(const cs_tz *tz, int64_t ms);
/* The instant of local wall time `minute` (minutes after midnight, may be
 * 1440) on local date `day`. A wall time skipped by a DST gap maps to the
 * instant after the gap; an ambiguous one (DST fold) to its first
 * occurrence. */
int64_t cs_tz_instant(const cs_tz *tz, cs_day day, int minute);
/* Day number N of RULES.md: 1 when ms is on the same local date as
 * origin_ms, 2 the next local date, ... (0 or less if ms is earlier). */
int cs_tz_day_number(const cs_tz *tz, int64_t origin_ms, int64_t ms);

/* Calendar helpers for cs_day. */
void cs_day_to_ymd(cs_day d, int *y, int *m, int *dd);
cs_day cs_day_from_ymd(int y, int m, int d);
/* 0 = Sunday .. 6 = Saturday */
int cs_day_weekday(cs_day d);
/* "YYYY-MM-DD" into buf (at least 11 bytes). */
void cs_day_format(cs_day d, char *buf, size_t len);

#endif
