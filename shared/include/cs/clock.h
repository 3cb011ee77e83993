/* clock.h -- the one business clock (CONTRACTS.md "Clock").
 *
 * CS_CLOCK=system: now is the system's real time. CS_CLOCK=redis: now is
 * the integer in Redis key cs:clock:now_ms when set (frozen: it moves only
 * when set or advanced), else real time. Every set, advance and reset is
 * recorded in PostgreSQL (table clock_record), and a reader that finds the
 * key gone (Redis restarted without persistence, FLUSHALL) puts it back
 * from the record: a running system never jumps to real time by itself
 * (clock.c tells how, and how races are settled). Workers read it once per
 * batch, so a batch decides with one consistent "now". Leases, retries and
 * timeouts use cs_real_ms(), never this clock. */
#ifndef CS_CLOCK_H
#define CS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define CS_CLOCK_KEY "cs:clock:now_ms"
/* Present when no clock is set (real time, as the record says): lets a
 * read tell "never set" from "lost" without asking PostgreSQL. */
#define CS_CLOCK_REAL_KEY "cs:clock:real"

typedef struct cs_clock cs_clock;

/* Where a reading came from. */
typedef enum cs_clock_source {
    CS_CLOCK_SYSTEM,   /* CS_CLOCK=system: real time */
    CS_CLOCK_REAL,     /* redis mode with no clock set (no key, no record): real time */
    CS_CLOCK_FROZEN,   /* the value of the Redis key */
    CS_CLOCK_RESTORED, /* the key was gone: this read put it back from the PostgreSQL record */
} cs_clock_source;

/* "system", "real", "redis", "restored". */
const char *cs_clock_source_name(cs_clock_source s);

/* mode "system" or "redis"; redis_url and pg_dsn (the record, required)
 * used only for "redis". Connects to nothing yet. */
cs_clock *cs_clock_new(const char *mode, const char *redis_url, const char *pg_dsn, char *errbuf, size_t errlen);
void cs_clock_free(cs_clock *c); /* accepts NULL */
/* Business now in ms. Returns 0 on success; -1 if the redis clock cannot
 * be read (Redis down; or the key gone and its record unreadable): the
 * caller must not decide anything then. Only a gone key costs a
 * PostgreSQL connection (made and closed here). */
int cs_clock_now(cs_clock *c, int64_t *now_ms);
/* The same with where the reading came from (src may be NULL) and why
 * there is none in errbuf. */
int cs_clock_read(cs_clock *c, int64_t *now_ms, cs_clock_source *src, char *errbuf, size_t errlen);
/* Sets / advances the redis clock and records the value it then has;
 * reset goes back to real time (deletes the key, records "no clock").
 * -1 with errbuf on failure (then nothing moved, unless errbuf says the
 * Redis step was done but not recorded). */
int cs_clock_set(cs_clock *c, int64_t ms, char *errbuf, size_t errlen);
int cs_clock_advance(cs_clock *c, int64_t delta_ms, int64_t *new_ms, char *errbuf, size_t errlen);
int cs_clock_reset(cs_clock *c, char *errbuf, size_t errlen);

/* The record as it is (cscli clock). */
typedef struct cs_clock_record {
    bool set;           /* a clock is recorded (false: real time) */
    int64_t now_ms;     /* its value after the last operation, when set */
    char op[16];        /* the last operation: none, set, advance, reset */
    int64_t updated_ms; /* when it was made (real time) */
} cs_clock_record;
int cs_clock_record_read(cs_clock *c, cs_clock_record *rec, char *errbuf, size_t errlen);

/* Real wall time in ms and monotonic time in ms. */
int64_t cs_real_ms(void);
int64_t cs_mono_ms(void);
int64_t cs_mono_us(void); /* the same clock in microseconds: step timings */
/* Parses ISO-8601 "2026-11-11T09:30:00" (optional fraction, optional Z or
 * +08:00); with no offset the time is local in zone default_tz. */
struct cs_tz;
int cs_parse_iso8601(const char *s, const struct cs_tz *default_tz, int64_t *ms);
/* Formats ms as ISO-8601 with the zone's offset; buf >= 32. */
void cs_format_iso8601(int64_t ms, const struct cs_tz *tz, char *buf, size_t len);

#endif
