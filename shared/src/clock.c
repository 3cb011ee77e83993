/* clock.c -- the business clock (CONTRACTS.md "Clock") and ISO-8601 times.
 *
 * CS_CLOCK=system reads the machine's real time. CS_CLOCK=redis reads the
 * integer in CS_CLOCK_KEY through one cs_redis connection (redis.c), made
 * lazily and remade after any failure (connect and command timeouts of 1 s
 * each, so a dead Redis costs a caller at most about two seconds, never a
 * hang). A command that fails on a connection made earlier is retried once
 * on a fresh one, which hides a Redis restart from the caller.
 *
 * The record. Redis alone is not a safe home for the clock: a restart
 * without persistence or a FLUSHALL takes the key, and every worker would
 * then read real time -- years away from a frozen test clock, where every
 * pending timer is due -- without anyone asking for it. So every set,
 * advance and reset is also written to PostgreSQL, in the one row of
 * clock_record (migration 0020): now_ms is the clock's value after the
 * operation, NULL after a reset (real time). A reader that finds the key
 * gone puts it back from that row. Only readers that find the key gone
 * touch PostgreSQL, and they make a connection for it and close it: the
 * path is taken once per lost key, not per batch.
 *
 * Telling "gone" from "never set". On a stack that runs on real time the
 * key is absent in normal operation, and asking PostgreSQL on every read
 * would put a query on every batch. So the state "no clock set" is held in
 * Redis too, as the marker key CS_CLOCK_REAL_KEY, set by a reset and by
 * the first reader that found no record; a set or advance deletes it in
 * the same script that writes the key. A read is one MGET of both keys:
 * the clock key wins; the marker alone means real time; neither means
 * Redis lost them, and only then is PostgreSQL read. A FLUSHALL takes the
 * marker too, so a lost clock is never mistaken for real time; a key
 * deleted by hand (the old way back to real time) is restored as well:
 * `cscli clock reset` is the way back now.
 *
 * Races. Every writer (set, advance, reset) holds the record's row lock
 * (SELECT ... FOR UPDATE) from before its Redis step until its record is
 * committed; a reader restoring holds FOR SHARE over its read and its
 * SET NX. So writers and restorers take turns: two advancers both count in
 * Redis (INCRBY) and the second one, which saw the first's result, records
 * last -- the record ends at Redis's value, with no GREATEST() that would
 * refuse a set backwards; a restorer never writes an old value over a set
 * made meanwhile (SET NX, and the setter waits for it or it for the
 * setter). The lock is held for one Redis round trip; readers wait at most
 * lock_timeout (2 s) and then have no reading, which their callers treat
 * like Redis being down. A writer whose Redis step succeeded but whose
 * record did not commit says so: the clock moved without a record.
 *
 * cs_clock_advance from "real time" (no key, no record) starts from this
 * machine's real now, so the first advance starts from the same now the
 * workers were reading; with a record and no key, from the record.
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
#include <libpq-fe.h>

#include "cs/log.h"
#include "cs/pg.h"
#include "cs/redis.h"
#include "cs/tz.h"
#include "cs/util.h"

/* The Redis steps, each one atomic. KEYS[1] = clock key, KEYS[2] = the
 * real-time marker. */

/* set: ARGV[1] = ms. */
static const char set_lua[] = "redis.call('SET', KEYS[1], ARGV[1])\n"
                              "redis.call('DEL', KEYS[2])\n"
                              "return redis.call('GET', KEYS[1])\n";
/* advance: ARGV[1] = delta ms, ARGV[2] = where an absent key starts (the
 * record, else real now). */
static const char advance_lua[] = "if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[2]) end\n"
                                  "redis.call('DEL', KEYS[2])\n"
                                  "return redis.call('INCRBY', KEYS[1], ARGV[1])\n";
/* reset: back to real time. */
static const char reset_lua[] = "redis.call('DEL', KEYS[1])\n"
                                "redis.call('SET', KEYS[2], '1')\n"
                                "return 0\n";
/* restore: ARGV[1] = the record's ms, or "" for no record. Returns
 * {value or false, 1 if this call wrote the key}. A key set meanwhile
 * wins (NX). */
static const char restore_lua[] = "local v = redis.call('GET', KEYS[1])\n"
                                  "if v then return {v, 0} end\n"
                                  "if ARGV[1] == '' then redis.call('SET', KEYS[2], '1') return {false, 0} end\n"
                                  "redis.call('SET', KEYS[1], ARGV[1])\n"
                                  "redis.call('DEL', KEYS[2])\n"
                                  "return {ARGV[1], 1}\n";

/* How long a reader or writer waits for the record's row lock. */
#define RECORD_LOCK_TIMEOUT "2s"

struct cs_clock {
    bool redis;         /* CS_CLOCK=redis, else system */
    cs_redis *r;        /* owned (redis mode): connects lazily, logs up/down */
    char *pg_dsn;       /* owned (redis mode): where clock_record is */
    bool record_failed; /* the last restore could not read the record (logged once) */
    pthread_mutex_t mu; /* guards r and record_failed (one connection, many threads) */
};

int64_t cs_real_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cs_mono_ms(void) { return cs_mono_us() / 1000; }

int64_t cs_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *cs_clock_source_name(cs_clock_source s) {
    switch (s) {
        case CS_CLOCK_SYSTEM: return "system";
        case CS_CLOCK_REAL: return "real";
        case CS_CLOCK_FROZEN: return "redis";
        case CS_CLOCK_RESTORED: return "restored";
    }
    return "?";
}

cs_clock *cs_clock_new(const char *mode, const char *redis_url, const char *pg_dsn, char *errbuf, size_t errlen) {
    bool redis;
    if (!mode || !*mode || strcmp(mode, "system") == 0) {
        redis = false;
    } else if (strcmp(mode, "redis") == 0) {
        redis = true;
    } else {
        snprintf(errbuf, errlen, "clock mode must be system or redis, got '%s'", mode);
        return NULL;
    }
    if (redis && (!pg_dsn || !*pg_dsn)) {
        snprintf(errbuf, errlen, "the redis clock needs PostgreSQL (CS_PG_DSN) for its record");
        return NULL;
    }
    cs_clock *c = cs_xcalloc(1, sizeof *c);
    c->redis = redis;
    if (redis && !(c->r = cs_redis_new(redis_url, errbuf, errlen))) {
        free(c);
        return NULL;
    }
    if (redis) c->pg_dsn = cs_xstrdup(pg_dsn);
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void cs_clock_free(cs_clock *c) {
    if (!c) return;
    cs_redis_free(c->r);
    free(c->pg_dsn);
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

/* A clock value from a reply: an integer, or a string holding one. */
static int reply_ms(const redisReply *r, int64_t *ms) {
    if (r->type == REDIS_REPLY_INTEGER) {
        *ms = r->integer;
        return 0;
    }
    return r->type == REDIS_REPLY_STRING ? parse_int64(r->str, ms) : -1;
}

/* ---- the record (PostgreSQL) ---------------------------------------------- */

/* A connection for one operation on the record (closed by the caller):
 * 2 s to connect unless the DSN says otherwise. */
static PGconn *record_connect(const cs_clock *c, char *errbuf, size_t errlen) {
    PGconn *pg = cs_pg_open(c->pg_dsn, "2", "cs-clock");
    if (PQstatus(pg) != CONNECTION_OK) {
        snprintf(errbuf, errlen, "PostgreSQL: %s", PQerrorMessage(pg));
        size_t n = strlen(errbuf);
        while (n && (errbuf[n - 1] == '\n' || errbuf[n - 1] == ' ')) errbuf[--n] = 0;
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

/* Opens the transaction and locks the record's row (lock "UPDATE" for a
 * writer, "SHARE" for a restorer); *set false when it holds no clock (NULL,
 * real time), else *ms is its value. */
static int record_lock(PGconn *pg, const char *lock, bool *set, int64_t *ms, char *errbuf, size_t errlen) {
    char sql[128];
    if (cs_pg_exec(pg, "BEGIN", 0, NULL, NULL, errbuf, errlen) != 0 ||
        cs_pg_exec(pg, "SET LOCAL lock_timeout = '" RECORD_LOCK_TIMEOUT "'", 0, NULL, NULL, errbuf, errlen) != 0)
        return -1;
    snprintf(sql, sizeof sql, "SELECT now_ms FROM clock_record WHERE id = 1 FOR %s", lock);
    PGresult *r = NULL;
    if (cs_pg_exec(pg, sql, 0, NULL, &r, errbuf, errlen) != 0) return -1;
    int rc = 0;
    if (PQntuples(r) != 1) {
        snprintf(errbuf, errlen, "clock_record has no row (migration 0020 not applied?)");
        rc = -1;
    } else {
        *set = !PQgetisnull(r, 0, 0);
        if (*set && parse_int64(PQgetvalue(r, 0, 0), ms) != 0) {
            snprintf(errbuf, errlen, "clock_record holds '%s', not milliseconds", PQgetvalue(r, 0, 0));
            rc = -1;
        }
    }
    PQclear(r);
    return rc;
}

/* Writes the operation's outcome into the locked row and commits. */
static int record_commit(PGconn *pg, const char *op, const int64_t *ms, char *errbuf, size_t errlen) {
    char v[32];
    if (ms) snprintf(v, sizeof v, "%" PRId64, *ms);
    const char *p[] = {ms ? v : NULL, op};
    if (cs_pg_exec(pg, "UPDATE clock_record SET now_ms = $1::bigint, op = $2, updated_at = now() WHERE id = 1", 2, p,
                   NULL, errbuf, errlen) != 0)
        return -1;
    return cs_pg_exec(pg, "COMMIT", 0, NULL, NULL, errbuf, errlen);
}

int cs_clock_record_read(cs_clock *c, cs_clock_record *rec, char *errbuf, size_t errlen) {
    memset(rec, 0, sizeof *rec);
    if (!c->redis) {
        snprintf(errbuf, errlen, "the system clock has no record");
        return -1;
    }
    PGconn *pg = record_connect(c, errbuf, errlen);
    if (!pg) return -1;
    PGresult *r = NULL;
    int rc = cs_pg_exec(pg,
                        "SELECT now_ms, op, (extract(epoch FROM updated_at) * 1000)::bigint FROM clock_record "
                        "WHERE id = 1",
                        0, NULL, &r, errbuf, errlen);
    if (rc == 0 && PQntuples(r) != 1) {
        snprintf(errbuf, errlen, "clock_record has no row (migration 0020 not applied?)");
        rc = -1;
    }
    if (rc == 0) {
        rec->set = !PQgetisnull(r, 0, 0);
        if (rec->set) parse_int64(PQgetvalue(r, 0, 0), &rec->now_ms);
        cs_strlcpy(rec->op, PQgetvalue(r, 0, 1), sizeof rec->op);
        parse_int64(PQgetvalue(r, 0, 2), &rec->updated_ms);
    }
    PQclear(r);
    PQfinish(pg);
    return rc;
}

/* ---- reading -------------------------------------------------------------- */

/* The key and the marker were both gone: the record says what the clock
 * is; put it back (or the marker, when there is no clock) and read it.
 * c->mu held. */
static int restore(cs_clock *c, int64_t *now_ms, cs_clock_source *src, char *errbuf, size_t errlen) {
    PGconn *pg = record_connect(c, errbuf, errlen);
    if (!pg) return -1;
    bool set = false;
    int64_t rec = 0;
    int rc = -1;
    redisReply *r = NULL;
    if (record_lock(pg, "SHARE", &set, &rec, errbuf, errlen) != 0) goto out;
    char v[32] = "";
    if (set) snprintf(v, sizeof v, "%" PRId64, rec);
    const char *argv[] = {"EVAL", restore_lua, "2", CS_CLOCK_KEY, CS_CLOCK_REAL_KEY, v};
    if (!(r = command(c, 6, argv, errbuf, errlen))) goto out;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
        snprintf(errbuf, errlen, "Redis: unexpected reply type %d to the restore script", r->type);
        goto out;
    }
    const redisReply *val = r->element[0];
    if (val->type == REDIS_REPLY_NIL) {
        *now_ms = cs_real_ms(); /* no clock was ever set, or it was reset */
        *src = CS_CLOCK_REAL;
    } else if (reply_ms(val, now_ms) == 0) {
        bool mine = r->element[1]->type == REDIS_REPLY_INTEGER && r->element[1]->integer == 1;
        *src = mine ? CS_CLOCK_RESTORED : CS_CLOCK_FROZEN;
        if (mine)
            cs_log_warn("business clock: %s was gone from Redis; put back %" PRId64 " from PostgreSQL (clock_record)",
                        CS_CLOCK_KEY, *now_ms);
    } else {
        snprintf(errbuf, errlen, "%s holds '%s', not integer milliseconds", CS_CLOCK_KEY,
                 val->type == REDIS_REPLY_STRING ? val->str : "?");
        goto out;
    }
    rc = cs_pg_exec(pg, "COMMIT", 0, NULL, NULL, errbuf, errlen);
out:
    if (r) freeReplyObject(r);
    PQfinish(pg);
    return rc;
}

int cs_clock_read(cs_clock *c, int64_t *now_ms, cs_clock_source *src, char *errbuf, size_t errlen) {
    cs_clock_source ignored;
    if (!src) src = &ignored;
    if (!c->redis) {
        *now_ms = cs_real_ms();
        *src = CS_CLOCK_SYSTEM;
        return 0;
    }
    /* the hot path: one round trip, both keys */
    const char *argv[] = {"MGET", CS_CLOCK_KEY, CS_CLOCK_REAL_KEY};
    pthread_mutex_lock(&c->mu);
    int rc = 0;
    redisReply *r = command(c, 3, argv, errbuf, errlen);
    if (!r) {
        rc = -1;
    } else if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
        snprintf(errbuf, errlen, "Redis: unexpected reply type %d to MGET", r->type);
        rc = -1;
    } else if (r->element[0]->type != REDIS_REPLY_NIL) {
        if (reply_ms(r->element[0], now_ms) == 0) {
            *src = CS_CLOCK_FROZEN;
        } else {
            snprintf(errbuf, errlen, "%s holds '%s', not integer milliseconds", CS_CLOCK_KEY,
                     r->element[0]->type == REDIS_REPLY_STRING ? r->element[0]->str : "?");
            rc = -1;
            cs_log_error("business clock: %s", errbuf);
        }
    } else if (r->element[1]->type != REDIS_REPLY_NIL) {
        *now_ms = cs_real_ms(); /* no clock set: real time, as recorded */
        *src = CS_CLOCK_REAL;
    } else {
        /* Redis lost the clock (or never had it): the record decides */
        rc = restore(c, now_ms, src, errbuf, errlen);
        if (rc != 0 && !c->record_failed)
            cs_log_error("business clock: %s is gone from Redis and its record cannot be read (%s); no reading "
                         "until it can",
                         CS_CLOCK_KEY, errbuf);
        else if (rc == 0 && c->record_failed)
            cs_log_info("business clock: its record is readable again");
        c->record_failed = rc != 0;
    }
    pthread_mutex_unlock(&c->mu);
    if (r) freeReplyObject(r);
    return rc;
}

int cs_clock_now(cs_clock *c, int64_t *now_ms) {
    char err[512];
    int rc = cs_clock_read(c, now_ms, NULL, err, sizeof err);
    if (rc != 0) cs_log_debug("business clock: no reading: %s", err);
    return rc;
}

/* ---- writing -------------------------------------------------------------- */

static int need_redis(const cs_clock *c, const char *what, char *errbuf, size_t errlen) {
    if (c->redis) return 0;
    snprintf(errbuf, errlen,
             "cannot %s the system clock (the business clock is settable only "
             "with CS_CLOCK=redis)",
             what);
    return -1;
}

typedef enum { OP_SET, OP_ADVANCE, OP_RESET } clockOp;

/* One operation: the record's row locked, the Redis step, the record
 * written with the step's outcome, committed (see the top of the file).
 * arg is the time (set) or the delta (advance); *new_ms the value after. */
static int record_op(cs_clock *c, clockOp op, int64_t arg, int64_t *new_ms, char *errbuf, size_t errlen) {
    static const char *const names[] = {"set", "advance", "reset"};
    PGconn *pg = record_connect(c, errbuf, errlen);
    if (!pg) return -1;
    pthread_mutex_lock(&c->mu);
    bool set = false;
    int64_t rec = 0, after = 0;
    int rc = -1;
    redisReply *r = NULL;
    if (record_lock(pg, "UPDATE", &set, &rec, errbuf, errlen) != 0) goto out;
    char a[32], b[32];
    snprintf(a, sizeof a, "%" PRId64, arg);
    snprintf(b, sizeof b, "%" PRId64, set ? rec : cs_real_ms());
    const char *argv[7] = {"EVAL", NULL, "2", CS_CLOCK_KEY, CS_CLOCK_REAL_KEY, a, b};
    int argc = 6;
    if (op == OP_SET) {
        argv[1] = set_lua;
    } else if (op == OP_ADVANCE) {
        argv[1] = advance_lua;
        argc = 7;
    } else {
        argv[1] = reset_lua;
        argc = 5;
    }
    if (!(r = command(c, argc, argv, errbuf, errlen))) goto out;
    if (op != OP_RESET && reply_ms(r, &after) != 0) {
        snprintf(errbuf, errlen, "Redis: unexpected reply type %d to the %s script", r->type, names[op]);
        goto out;
    }
    if (record_commit(pg, names[op], op == OP_RESET ? NULL : &after, errbuf, errlen) != 0) {
        /* Redis has moved: say so, the operator has to repeat it */
        char why[256];
        cs_strlcpy(why, errbuf, sizeof why);
        if (op == OP_RESET)
            snprintf(errbuf, errlen, "reset in Redis but not recorded in PostgreSQL (%s): run it again", why);
        else
            snprintf(errbuf, errlen,
                     "%s to %" PRId64 " in Redis but not recorded in PostgreSQL (%s): set it again to that value",
                     names[op], after, why);
        goto out;
    }
    if (new_ms) *new_ms = op == OP_RESET ? cs_real_ms() : after;
    rc = 0;
out:
    pthread_mutex_unlock(&c->mu);
    if (r) freeReplyObject(r);
    PQfinish(pg); /* an open transaction rolls back */
    return rc;
}

int cs_clock_set(cs_clock *c, int64_t ms, char *errbuf, size_t errlen) {
    if (need_redis(c, "set", errbuf, errlen) != 0) return -1;
    return record_op(c, OP_SET, ms, NULL, errbuf, errlen);
}

int cs_clock_advance(cs_clock *c, int64_t delta_ms, int64_t *new_ms, char *errbuf, size_t errlen) {
    if (need_redis(c, "advance", errbuf, errlen) != 0) return -1;
    return record_op(c, OP_ADVANCE, delta_ms, new_ms, errbuf, errlen);
}

int cs_clock_reset(cs_clock *c, char *errbuf, size_t errlen) {
    if (need_redis(c, "reset", errbuf, errlen) != 0) return -1;
    return record_op(c, OP_RESET, 0, NULL, errbuf, errlen);
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
