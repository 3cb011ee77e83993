/* clock.h -- the one business clock (CONTRACTS.md "Clock").
 *
 * CS_CLOCK=system: now is the system's real time. CS_CLOCK=redis: now is
 * the integer in Redis key cs:clock:now_ms when set (frozen: it moves only
 * when set or advanced), else system time. Workers read it once per batch,
 * so a batch decides with one consistent "now". Leases, retries and
 * timeouts use cs_real_ms(), never this clock. */
#ifndef CS_CLOCK_H
#define CS_CLOCK_H

#include <stdint.h>
#include <stddef.h>

#define CS_CLOCK_KEY "cs:clock:now_ms"

typedef struct cs_clock cs_clock;

/* mode "system" or "redis"; redis_url used only for "redis". */
cs_clock *cs_clock_new(const char *mode, const char *redis_url, char *errbuf, size_t errlen);
void cs_clock_free(cs_clock *c);
/* Business now in ms. Returns 0 on success; -1 if the redis clock cannot
 * be read (Redis down): the caller must not decide anything then. */
int cs_clock_now(cs_clock *c, int64_t *now_ms);
/* Sets / advances the redis clock (cscli). -1 with errbuf on failure. */
int cs_clock_set(cs_clock *c, int64_t ms, char *errbuf, size_t errlen);
int cs_clock_advance(cs_clock *c, int64_t delta_ms, int64_t *new_ms, char *errbuf, size_t errlen);
/* Real wall time in ms and monotonic time in ms. */
int64_t cs_real_ms(void);
int64_t cs_mono_ms(void);
/* Parses ISO-8601 "2026-11-11T09:30:00" (optional fraction, optional Z or
 * +08:00); with no offset the time is local in zone default_tz. */
struct cs_tz;
int cs_parse_iso8601(const char *s, const struct cs_tz *default_tz, int64_t *ms);
/* Formats ms as ISO-8601 with the zone's offset; buf >= 32. */
void cs_format_iso8601(int64_t ms, const struct cs_tz *tz, char *buf, size_t len);

#endif
