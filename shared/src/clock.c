/* clock.c -- the business clock (CONTRACTS.md "Clock") and ISO-8601 times.
 *
 * CS_CLOCK=system reads the machine's real time. CS_CLOCK=redis reads the
 * integer in CS_CLOCK_KEY through one cs_redis connection (redis.c), made lazily and
 * remade after any failure (connect and command timeouts of 1 s each, so a
 * dead Redis costs a caller at most about two seconds, never a hang). A
 * command that fails on a connection made earlier is retried once on a
 * fresh one, which hides a Redis restart from the caller. The key absent
 * means "follow real time": a test stack starts on real time and freezes
 * only when someone sets or advances the clock.
 *
 * cs_clock_advance is one atomic step in Redis (a small Lua script): INCRBY
 * when the key exists, else SET to this machine's real now and INCRBY, so
 * two operators advancing at once both count, and the first advance from
 * "real time" starts from the same now the workers were reading.
 *
 * A cs_clock may be shared by threads: a mutex guards the connection.
 * Failures are logged once per transition (up -> down, down -> up). */
#include "cs/clock.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "cs/log.h"
#include "cs/redis.h"
#include "cs/tz.h"
#include "cs/util.h"

/* KEYS[1] = clock key, ARGV[1] = delta ms, ARGV[2] = real now ms. */
static const char advance_lua[] = "if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[2]) end\n"
                                  "return redis.call('INCRBY', KEYS[1], ARGV[1])\n";

struct cs_clock {
    bool redis;         /* CS_CLOCK=redis, else system */
    cs_redis *r;        /* owned (redis mode): connects lazily, logs up/down */
    pthread_mutex_t mu; /* guards r (one connection, many threads) */
};

int64_t cs_real_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cs_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

cs_clock *cs_clock_new(const char *mode, const char *redis_url, char *errbuf, size_t errlen) {
    bool redis;
    if (!mode || !*mode || strcmp(mode, "system") == 0) {
        redis = false;
    } else if (strcmp(mode, "redis") == 0) {
        redis = true;
    } else {
        snprintf(errbuf, errlen, "clock mode must be system or redis, got '%s'", mode);
        return NULL;
    }
    cs_clock *c = cs_xcalloc(1, sizeof *c);
    c->redis = redis;
    if (redis && !(c->r = cs_redis_new(redis_url, errbuf, errlen))) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void cs_clock_free(cs_clock *c) {
    if (!c) return;
    cs_redis_free(c->r);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* One command on the clock's connection (cs_redis retries once on a fresh
 * connection and logs when Redis goes down and comes back); c->mu held. */
static redisReply *command(cs_clock *c, int argc, const char **argv, char *errbuf, size_t errlen) {
    return cs_redis_command(c->r, argc, argv, errbuf, errlen);
}

static int parse_int64(const char *s, int64_t *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return -1;
    *out = (int64_t)v;
    return 0;
}

int cs_clock_now(cs_clock *c, int64_t *now_ms) {
    if (!c->redis) {
        *now_ms = cs_real_ms();
        return 0;
    }
    char err[256];
    const char *argv[] = {"GET", CS_CLOCK_KEY};
    pthread_mutex_lock(&c->mu);
    redisReply *r = command(c, 2, argv, err, sizeof err);
    pthread_mutex_unlock(&c->mu);
    if (!r) return -1;
    int rc = 0;
    if (r->type == REDIS_REPLY_NIL) {
        *now_ms = cs_real_ms();
    } else if (r->type == REDIS_REPLY_STRING && parse_int64(r->str, now_ms) == 0) {
        /* frozen business time */
    } else if (r->type == REDIS_REPLY_INTEGER) {
        *now_ms = r->integer;
    } else {
        cs_log_error("business clock: %s holds '%s', not integer milliseconds", CS_CLOCK_KEY,
                     r->type == REDIS_REPLY_STRING ? r->str : "?");
        rc = -1;
    }
    freeReplyObject(r);
    return rc;
}

static int need_redis(const cs_clock *c, const char *what, char *errbuf, size_t errlen) {
    if (c->redis) return 0;
    snprintf(errbuf, errlen,
             "cannot %s the system clock (the business clock is settable only "
             "with CS_CLOCK=redis)",
             what);
    return -1;
}

int cs_clock_set(cs_clock *c, int64_t ms, char *errbuf, size_t errlen) {
    if (need_redis(c, "set", errbuf, errlen) != 0) return -1;
    char val[32];
    snprintf(val, sizeof val, "%" PRId64, ms);
    const char *argv[] = {"SET", CS_CLOCK_KEY, val};
    pthread_mutex_lock(&c->mu);
    redisReply *r = command(c, 3, argv, errbuf, errlen);
    pthread_mutex_unlock(&c->mu);
    if (!r) return -1;
    freeReplyObject(r);
    return 0;
}

int cs_clock_advance(cs_clock *c, int64_t delta_ms, int64_t *new_ms, char *errbuf, size_t errlen) {
    if (need_redis(c, "advance", errbuf, errlen) != 0) return -1;
    char delta[32], now[32];
    snprintf(delta, sizeof delta, "%" PRId64, delta_ms);
    snprintf(now, sizeof now, "%" PRId64, cs_real_ms());
    const char *argv[] = {"EVAL", advance_lua, "1", CS_CLOCK_KEY, delta, now};
    pthread_mutex_lock(&c->mu);
    redisReply *r = command(c, 6, argv, errbuf, errlen);
    pthread_mutex_unlock(&c->mu);
    if (!r) return -1;
    int rc = 0;
    if (r->type == REDIS_REPLY_INTEGER) {
        if (new_ms) *new_ms = r->integer;
    } else {
        snprintf(errbuf, errlen, "Redis: unexpected reply type %d to the advance script", r->type);
        rc = -1;
    }
    freeReplyObject(r);
    return rc;
}

/* ---- ISO-8601 ----------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

/* Reads exactly n digits at *p into *out and advances *p. */
static int digits(const char **p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        char ch = (*p)[i];
        if (ch < '0' || ch > '9') return -1;
        v = v * 10 + (ch - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int days_in_month(int y, int m) {
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

int cs_parse_iso8601(const char *s, const struct cs_tz *default_tz, int64_t *ms) {
    if (!s) return -1;
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac_ms = 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d)) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi)) return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec)) return -1;
            if (*p == '.' || *p == ',') {
                p++;
                int nd = 0;
                while (*p >= '0' && *p <= '9') {
                    if (nd < 3) frac_ms = frac_ms * 10 + (*p - '0');
                    nd++;
                    p++;
                }
                if (nd == 0 || nd > 9) return -1;
                for (int i = nd; i < 3; i++) frac_ms *= 10;
            }
        }
        if (h > 23 || mi > 59 || sec > 59) return -1;
    }
    bool has_off = false;
    int off_s = 0;
    if (*p == 'Z' || *p == 'z') {
        has_off = true;
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (digits(&p, 2, &oh)) return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &om)) return -1;
        } else if (*p >= '0' && *p <= '9') {
            if (digits(&p, 2, &om)) return -1;
        }
        if (oh > 18 || om > 59) return -1;
        has_off = true;
        off_s = sign * (oh * 3600 + om * 60);
    }
    if (*p) return -1;

    cs_day day = cs_day_from_ymd(y, mo, d);
    int64_t sub_minute_ms = (int64_t)sec * 1000 + frac_ms;
    if (has_off || !default_tz) {
        int64_t local_ms = ((int64_t)day * 86400 + h * 3600 + mi * 60) * 1000 + sub_minute_ms;
        *ms = local_ms - (int64_t)off_s * 1000;
    } else {
        *ms = cs_tz_instant(default_tz, day, h * 60 + mi) + sub_minute_ms;
    }
    return 0;
}

void cs_format_iso8601(int64_t ms, const struct cs_tz *tz, char *buf, size_t len) {
    int32_t off_s = tz ? cs_tz_offset_s(tz, ms) : 0;
    int64_t local = ms + (int64_t)off_s * 1000;
    int64_t day = floor_div(local, 86400000);
    int64_t in_day = local - day * 86400000;
    int y, mo, d;
    cs_day_to_ymd((cs_day)day, &y, &mo, &d);
    int h = (int)(in_day / 3600000), mi = (int)(in_day / 60000 % 60);
    int s = (int)(in_day / 1000 % 60), f = (int)(in_day % 1000);
    char zone[8];
    if (!tz) {
        cs_strlcpy(zone, "Z", sizeof zone);
    } else {
        int a = off_s < 0 ? -off_s : off_s;
        snprintf(zone, sizeof zone, "%c%02d:%02d", off_s < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60);
    }
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%s", y, mo, d, h, mi, s, f, zone);
}
