/* it_clock.c -- the Redis business clock survives Redis losing it (issue
 * "Hardening", finding 2; CONTRACTS.md "Clock").
 *
 * Every set and advance is recorded in PostgreSQL (clock_record); a reader
 * on CS_CLOCK=redis that finds cs:clock:now_ms gone (FLUSHALL, a restart
 * without persistence) puts it back from the record and reads that, never
 * real time; `cscli timers rebuild` and `cscli clock` do the same. Only
 * `cscli clock reset` goes back to real time. The cases freeze the clock
 * in the past (before this machine's now), so a fall back to real time
 * shows as a jump of years. This binary moves the clock and flushes Redis:
 * it runs alone (RUN_SERIAL) and leaves the clock on real time. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <hiredis/hiredis.h>

#include "cs/clock.h"
#include "cs/redis.h"
#include "it.h"

/* 2024-02-29T10:00:00+08:00: long past, so real time is far from it. */
#define P INT64_C(1709172000000)
#define MIN_MS INT64_C(60000)
#define HOUR_MS INT64_C(3600000)

static cs_redis *redis;

/* One Redis command's integer or string-as-integer reply; -1 for nil, -2
 * on error. */
static long long redisInt(int argc, const char *const *argv) {
    char err[256];
    if (!redis) redis = cs_redis_new(it.redis_url, err, sizeof err);
    redisReply *r = cs_redis_command(redis, argc, argv, err, sizeof err);
    if (!r) {
        fprintf(stderr, "  redis: %s\n", err);
        return -2;
    }
    long long v = r->type == REDIS_REPLY_INTEGER  ? r->integer
                  : r->type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10)
                  : r->type == REDIS_REPLY_NIL    ? -1
                                                  : 0;
    freeReplyObject(r);
    return v;
}

static long long keyNow(void) { return redisInt(2, (const char *[]){"GET", CS_CLOCK_KEY}); }
static void flushAll(void) { CT_CHECK(redisInt(1, (const char *[]){"FLUSHALL"}) != -2); }

/* `cscli clock` as an operator on CS_CLOCK=redis runs it: the reading's
 * ms (-1 on failure) and its source in src. */
static long long cscliClock(char *src, size_t len) {
    int rc;
    cJSON *doc = it_cscli_json(&rc, "clock");
    long long ms = rc == 0 && doc ? it_jint(doc, "now_ms") : -1;
    it_copy(src, len, doc && it_jstr(doc, "source") ? it_jstr(doc, "source") : "");
    if (rc != 0) fprintf(stderr, "  cscli clock: exit %d: %s\n", rc, it_cscli_out);
    cJSON_Delete(doc);
    return ms;
}

static long long recordMs(void) { return it_pg_int("SELECT coalesce(now_ms, -1) FROM clock_record WHERE id = 1"); }

/* The finding: the clock set, Redis flushed, the next reader reads the
 * set time, not real time, and the key is back for everyone else. */
static void test_cscli_clock_after_flushall_reads_the_set_time_and_puts_the_key_back(void) {
    IT_REQUIRE(it_clock_set(P) == 0);
    CT_EQ_INT(recordMs(), P);
    flushAll();
    CT_EQ_INT(keyNow(), -1);
    char src[32];
    CT_EQ_INT(cscliClock(src, sizeof src), P);
    CT_EQ_STR(src, "restored");
    CT_EQ_INT(keyNow(), P);
    /* the next reading is the key's again */
    CT_EQ_INT(cscliClock(src, sizeof src), P);
    CT_EQ_STR(src, "redis");
    /* the human form says where the value came from */
    CT_EQ_INT(redisInt(2, (const char *[]){"DEL", CS_CLOCK_KEY}), 1);
    CT_EQ_INT(it_cscli("clock"), 0);
    CT_CHECK(strstr(it_cscli_out, "restored from PostgreSQL") != NULL);
    CT_CHECK(strstr(it_cscli_out, "2024-02-29T10:00:00.000+08:00") != NULL);
}

/* `cscli timers rebuild` puts the clock back too, whatever CS_CLOCK the
 * operator's shell has. */
static void test_timers_rebuild_puts_the_clock_back(void) {
    IT_REQUIRE(it_clock_set(P + HOUR_MS) == 0);
    flushAll();
    setenv("CS_CLOCK", "system", 1);
    CT_EQ_INT(it_cscli("timers rebuild"), 0);
    setenv("CS_CLOCK", "redis", 1);
    CT_EQ_INT(keyNow(), P + HOUR_MS);
    CT_CHECK(strstr(it_cscli_out, "clock") != NULL);
    flushAll();
    int rc;
    cJSON *doc = it_cscli_json(&rc, "timers rebuild");
    CT_EQ_INT(rc, 0);
    CT_EQ_INT(keyNow(), P + HOUR_MS);
    const cJSON *clk = doc ? cJSON_GetObjectItem(doc, "clock") : NULL;
    CT_EQ_INT(it_jint(clk, "now_ms"), P + HOUR_MS);
    CT_EQ_STR(it_jstr(clk, "source"), "restored");
    cJSON_Delete(doc);
}

/* An advance after the key was lost moves from the recorded time, not
 * from real time. */
static void test_advance_after_flushall_moves_from_the_record(void) {
    IT_REQUIRE(it_clock_set(P) == 0);
    flushAll();
    IT_REQUIRE(it_clock_advance(HOUR_MS) == 0);
    CT_EQ_INT(keyNow(), P + HOUR_MS);
    CT_EQ_INT(recordMs(), P + HOUR_MS);
}

/* A set backwards is recorded as set: the record follows the last
 * operation, not the largest value. */
static void test_set_backwards_is_recorded_as_set(void) {
    IT_REQUIRE(it_clock_set(P + 24 * HOUR_MS) == 0);
    IT_REQUIRE(it_clock_set(P) == 0);
    CT_EQ_INT(recordMs(), P);
    flushAll();
    char src[32];
    CT_EQ_INT(cscliClock(src, sizeof src), P);
}

#define ADVANCERS 6
#define ADVANCES 5

/* Operators advancing at once: every advance counts in Redis, and the
 * record ends at Redis's last value (each advance records its own result
 * under the record's row lock, one after another). */
static void test_concurrent_advances_end_with_the_record_at_the_last_value(void) {
    IT_REQUIRE(it_clock_set(P) == 0);
    char cmd[4096];
    int n = snprintf(cmd, sizeof cmd, "export CS_CLOCK=redis; ");
    for (int i = 0; i < ADVANCERS; i++)
        n += snprintf(cmd + n, sizeof cmd - (size_t)n,
                      "(for k in 1 2 3 4 5; do CS_ROLE=operator '%s/cscli' clock advance 1m >/dev/null || exit 1; done) & ",
                      it.build_dir);
    snprintf(cmd + n, sizeof cmd - (size_t)n, "wait");
    CT_EQ_INT(it_sh("%s", cmd), 0);
    const long long want = P + ADVANCERS * ADVANCES * MIN_MS;
    CT_EQ_INT(keyNow(), want);
    CT_EQ_INT(recordMs(), want);
    flushAll();
    char src[32];
    CT_EQ_INT(cscliClock(src, sizeof src), want);
}

/* `cscli clock reset` is the way back to real time: the key and the record
 * go, and a later flush has nothing to restore. */
static void test_reset_returns_to_real_time_and_a_flush_keeps_it(void) {
    IT_REQUIRE(it_clock_set(P) == 0);
    CT_EQ_INT(it_cscli("clock reset"), 0);
    CT_EQ_INT(keyNow(), -1);
    CT_EQ_INT(recordMs(), -1);
    char src[32];
    long long now = cscliClock(src, sizeof src);
    CT_CHECK(llabs(now - (long long)it_wall_ms()) < 5000);
    CT_EQ_STR(src, "real");
    flushAll();
    now = cscliClock(src, sizeof src);
    CT_CHECK(llabs(now - (long long)it_wall_ms()) < 5000);
    CT_EQ_INT(keyNow(), -1);
}

/* The key gone and the record unreadable: the reader has no answer
 * rather than real time (its caller decides nothing then). */
static void test_key_gone_and_postgres_unreachable_is_no_reading(void) {
    IT_REQUIRE(it_clock_set(P) == 0);
    flushAll();
    char err[256];
    cs_clock *c =
        cs_clock_new("redis", it.redis_url, "host=127.0.0.1 port=1 dbname=cs connect_timeout=1", err, sizeof err);
    IT_REQUIRE(c != NULL);
    int64_t now = 0;
    CT_EQ_INT(cs_clock_now(c, &now), -1);
    CT_EQ_INT(keyNow(), -1);
    cs_clock_free(c);
    /* PostgreSQL back: the same reader restores */
    c = cs_clock_new("redis", it.redis_url, it.pg_dsn, err, sizeof err);
    IT_REQUIRE(c != NULL);
    CT_EQ_INT(cs_clock_now(c, &now), 0);
    CT_EQ_INT(now, P);
    cs_clock_free(c);
}

int main(int argc, char **argv) {
    (void)argc;
    it_init(argv[0]);
    setenv("CS_CLOCK", "redis", 1); /* the operator's shell, for it_cscli */
    static const ct_case cases[] = {
        CT_CASE(test_cscli_clock_after_flushall_reads_the_set_time_and_puts_the_key_back),
        CT_CASE(test_timers_rebuild_puts_the_clock_back),
        CT_CASE(test_advance_after_flushall_moves_from_the_record),
        CT_CASE(test_set_backwards_is_recorded_as_set),
        CT_CASE(test_concurrent_advances_end_with_the_record_at_the_last_value),
        CT_CASE(test_reset_returns_to_real_time_and_a_flush_keeps_it),
        CT_CASE(test_key_gone_and_postgres_unreachable_is_no_reading),
    };
    int rc = it_run_cases(cases, sizeof cases / sizeof cases[0]);
    it_clock_reset();
    cs_redis_free(redis);
    it_shutdown();
    return rc;
}
