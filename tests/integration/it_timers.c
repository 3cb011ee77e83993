/* it_timers.c -- durable timers end to end on the real stack: the library
 * (shared/src/timers.c) called in transactions of a standalone batch, the
 * real timer-dispatcher binary, Redis and cs.timers.v1.
 *
 * The cases move the Redis clock and flush Redis, so they live in this one
 * serial binary (RUN_SERIAL). Each case freezes the clock at a time of its
 * own far from the others, and the test leaves the clock key deleted (real
 * time) at the end. The owner of every timer is "it-timers"; keys carry the
 * run id, so only this run's records are counted. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "it.h"
#include "cs/clock.h"
#include "cs/redis.h"
#include "cs/runtime.h"
#include "cs/timer_keys.h"
#include "cs/timers.h"

#define OWNER "it-timers"
#define TOPIC_TIMERS "cs.timers.v1"

static cs_redis *redis;

static cs_redis *rds(void) {
    char err[256];
    if (!redis) redis = cs_redis_new(it.redis_url, err, sizeof err);
    return redis;
}

static long long redisInt(const char *const *argv, int argc) {
    char err[256];
    redisReply *r = cs_redis_command(rds(), argc, argv, err, sizeof err);
    if (!r) { fprintf(stderr, "  redis: %s\n", err); return -1; }
    long long v = r->type == REDIS_REPLY_INTEGER ? r->integer
                : r->type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10) : -2;
    freeReplyObject(r);
    return v;
}

/* Where a timer's member is: 1 = due set (score in *score), 2 = inflight,
 * 0 = neither. */
static int memberWhere(const char *timer_id, int64_t gen, int64_t *score) {
    char m[CS_TIMER_MEMBER_MAX], due[CS_TIMER_KEY_LEN], inf[CS_TIMER_KEY_LEN], err[256];
    cs_timer_member(m, sizeof m, OWNER, timer_id, gen);
    int s = cs_timer_shard(OWNER, timer_id);
    cs_timer_due_key(due, sizeof due, s);
    cs_timer_inflight_key(inf, sizeof inf, s);
    redisReply *r = cs_redis_command(rds(), 3, (const char *[]){"ZSCORE", due, m}, err, sizeof err);
    int where = 0;
    if (r && r->type == REDIS_REPLY_STRING) { where = 1; if (score) *score = strtoll(r->str, NULL, 10); }
    if (r) freeReplyObject(r);
    if (where) return where;
    r = cs_redis_command(rds(), 3, (const char *[]){"ZSCORE", inf, m}, err, sizeof err);
    if (r && r->type == REDIS_REPLY_STRING) where = 2;
    if (r) freeReplyObject(r);
    return where;
}

/* ---- the owner's side: one transaction per call ------------------------ */

typedef enum { OP_SCHEDULE, OP_CANCEL, OP_TAKE } txnOp;

/* Runs one library call in its own transaction as OWNER; returns the
 * call's result (take: 1/0) or -1. */
static int ownerTxn(txnOp op, const cs_timer_spec *spec, const char *timer_id,
                    const Cs__V1__TimerFired *f) {
    PGconn *pg = it_pg();
    if (!pg) return -1;
    char err[512];
    cs_batch *b = cs_batch_new(pg, OWNER, it_wall_ms(), rds());
    PQclear(PQexec(pg, "BEGIN"));
    int rc = op == OP_SCHEDULE ? cs_timer_schedule(b, spec, err, sizeof err)
           : op == OP_CANCEL ? cs_timer_cancel(b, timer_id, err, sizeof err)
           : cs_timer_take_fired(b, f, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "  timer call: %s\n", err);
        PQclear(PQexec(pg, "ROLLBACK"));
    } else {
        PGresult *r = PQexec(pg, "COMMIT");
        if (PQresultStatus(r) != PGRES_COMMAND_OK) rc = -1;
        PQclear(r);
        if (rc >= 0) cs_batch_committed(b);
    }
    cs_batch_free(b);
    return rc;
}

static int schedule(const char *timer_id, const char *kind, const char *order_key, int64_t due,
                    const char *payload) {
    cs_timer_spec s = { .kind = kind, .order_key = order_key, .timer_id = timer_id, .due_ms = due,
                        .payload = payload, .payload_len = payload ? strlen(payload) : 0 };
    return ownerTxn(OP_SCHEDULE, &s, NULL, NULL);
}

static int cancelTimer(const char *timer_id) { return ownerTxn(OP_CANCEL, NULL, timer_id, NULL); }

static int takeFired(const char *timer_id, int64_t gen) {
    Cs__V1__TimerFired f = CS__V1__TIMER_FIRED__INIT;
    f.owner = (char *)OWNER;
    f.timer_id = (char *)timer_id;
    f.generation = gen;
    return ownerTxn(OP_TAKE, NULL, NULL, &f);
}

/* The library alone: a schedule writes the row and, after the commit, the
 * member; a reschedule bumps the generation and moves the member; a cancel
 * removes it; take_fired acts once, for the current generation only, and
 * never for another owner's timer. */
static void test_library_schedule_reschedule_cancel_take(void) {
    char run[64], key[96], id[160], id2[160];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:%s-o1", run);
    snprintf(id, sizeof id, "it.remind@%s", key);
    snprintf(id2, sizeof id2, "it.other@%s", key);
    int64_t due = INT64_C(4102444800000);   /* 2100-01-01: never due here */

    IT_REQUIRE(schedule(id, "it.remind", key, due, "p1") == 0);
    CT_EQ_INT(it_pg_int("SELECT generation FROM timers WHERE owner='" OWNER "' AND timer_id='%s' "
                        "AND status='pending' AND payload='p1'::bytea", id), 1);
    int64_t score = 0;
    CT_EQ_INT(memberWhere(id, 1, &score), 1);
    CT_EQ_INT(score, due);

    CT_EQ_INT(schedule(id, "it.remind", key, due + 60000, "p2"), 0);
    CT_EQ_INT(it_pg_int("SELECT generation FROM timers WHERE owner='" OWNER "' AND timer_id='%s' "
                        "AND due_ms=%" PRId64 " AND payload='p2'::bytea", id, due + 60000), 2);
    CT_EQ_INT(memberWhere(id, 1, NULL), 0);
    CT_EQ_INT(memberWhere(id, 2, &score), 1);
    CT_EQ_INT(score, due + 60000);

    /* a default id is "<kind>@<order_key>" */
    cs_timer_spec s = { .kind = "it.other", .order_key = key, .due_ms = due };
    CT_EQ_INT(ownerTxn(OP_SCHEDULE, &s, NULL, NULL), 0);
    CT_EQ_INT(memberWhere(id2, 1, NULL), 1);

    /* take_fired: old generation no, current yes (once), then no more */
    CT_EQ_INT(takeFired(id, 1), 0);
    CT_EQ_INT(takeFired(id, 2), 1);
    CT_EQ_INT(takeFired(id, 2), 0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner='" OWNER "' AND timer_id='%s' "
                        "AND status='fired'", id), 1);

    /* cancel: final, and the member goes */
    CT_EQ_INT(cancelTimer(id2), 0);
    CT_EQ_INT(memberWhere(id2, 1, NULL), 0);
    CT_EQ_INT(takeFired(id2, 1), 0);
    CT_EQ_INT(cancelTimer(id2), 0);   /* again: a no-op */

    /* another owner's record is never taken */
    Cs__V1__TimerFired f = CS__V1__TIMER_FIRED__INIT;
    f.owner = (char *)"someone-else";
    f.timer_id = id;
    f.generation = 2;
    CT_EQ_INT(ownerTxn(OP_TAKE, NULL, NULL, &f), 0);

    /* refused input: no order key shape, no due time */
    CT_EQ_INT(schedule("x", "it.remind", "noshop", due, NULL), -1);
    CT_EQ_INT(schedule("x", "it.remind", key, 0, NULL), -1);
}

static void finish(void) {
    const char *argv[] = {"DEL", CS_CLOCK_KEY};
    redisInt(argv, 2);
    cs_redis_free(redis);
    redis = NULL;
}

int main(int argc, char **argv) {
    (void)argc;
    it_init(argv[0]);
    static const ct_case cases[] = {
        CT_CASE(test_library_schedule_reschedule_cancel_take),
    };
    int rc = it_run_cases(cases, sizeof cases / sizeof cases[0]);
    finish();
    it_shutdown();
    return rc;
}
