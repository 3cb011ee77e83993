/* it_timers.c -- durable timers end to end on the real stack: the library
 * (shared/src/timers.c) called in transactions of a standalone batch, the
 * real timer-dispatcher binary, Redis and cs.timers.v1.
 *
 * The cases move the Redis clock and flush Redis, so they live in this one
 * serial binary (RUN_SERIAL). Each case freezes the clock at a time of its
 * own far from the others, and the test leaves the clock reset (real
 * time: no key, no record) at the end. The owner of every timer is
 * "it-timers"; keys carry the run id, so only this run's records are
 * counted. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>
#include <hiredis/hiredis.h>

#include "it.h"
#include "cs/clock.h"
#include "cs/redis.h"
#include "cs/runtime.h"
#include "cs/timer_keys.h"
#include "cs/timer_sync.h"
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
    if (!r) {
        fprintf(stderr, "  redis: %s\n", err);
        return -1;
    }
    long long v = r->type == REDIS_REPLY_INTEGER  ? r->integer
                  : r->type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10)
                                                  : -2;
    freeReplyObject(r);
    return v;
}

/* The member of generation gen of a timer, with the fields its row has
 * now (kind, order key, due time, payload); "" when there is no row. */
static void memberOfRow(char *m, size_t len, const char *owner, const char *timer_id, int64_t gen) {
    char sgen[24];
    snprintf(sgen, sizeof sgen, "%" PRId64, gen);
    m[0] = 0;
    PGresult *r = PQexecParams(it_pg(),
                               "SELECT due_ms, kind, order_key, payload FROM timers "
                               "WHERE owner = $1 AND timer_id = $2",
                               2, NULL, (const char *[]){owner, timer_id}, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
        cs_timer_member_of_row(m, len, owner, timer_id, sgen, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1),
                               PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3)) != 0)
        m[0] = 0;
    PQclear(r);
}

/* Where member m of (owner, timer_id) is: 1 = due set (score in *score),
 * 2 = inflight (lease in *score), 0 = neither. */
static int memberWhereM(const char *owner, const char *timer_id, const char *m, int64_t *score) {
    char due[CS_TIMER_KEY_LEN], inf[CS_TIMER_KEY_LEN], err[256];
    int s = cs_timer_shard(owner, timer_id);
    cs_timer_due_key(due, sizeof due, s);
    cs_timer_inflight_key(inf, sizeof inf, s);
    int where = 0;
    for (int k = 0; k < 2 && !where; k++) {
        redisReply *r = cs_redis_command(rds(), 3, (const char *[]){"ZSCORE", k ? inf : due, m}, err, sizeof err);
        if (r && r->type == REDIS_REPLY_STRING) {
            where = k + 1;
            if (score) *score = strtoll(r->str, NULL, 10);
        }
        if (r) freeReplyObject(r);
    }
    return where;
}

/* Where generation gen of a timer is (memberWhereM), its fields as its
 * row has them now. */
static int memberWhereOf(const char *owner, const char *timer_id, int64_t gen, int64_t *score) {
    char m[CS_TIMER_MEMBER_MAX];
    memberOfRow(m, sizeof m, owner, timer_id, gen);
    return m[0] ? memberWhereM(owner, timer_id, m, score) : 0;
}

/* Where an earlier generation is, given the fields it had. */
static int memberWhereWas(const char *timer_id, const char *kind, const char *order_key, int64_t gen, int64_t due,
                          const char *payload) {
    char m[CS_TIMER_MEMBER_MAX];
    cs_timer_fields f = {OWNER, timer_id, kind, order_key, gen, due, payload, payload ? strlen(payload) : 0};
    if (cs_timer_member(m, sizeof m, &f) != 0) return -1;
    return memberWhereM(OWNER, timer_id, m, NULL);
}

/* A fired member waits in inflight under the long lease (CS_TIMER_UNTAKEN_S,
 * 1800 s by default) until its owner processed the record: true if so. */
static bool memberAwaitsOwner(const char *owner, const char *timer_id, int64_t gen) {
    int64_t lease = 0;
    return memberWhereOf(owner, timer_id, gen, &lease) == 2 && lease > it_wall_ms() + 600000;
}

static int memberWhere(const char *timer_id, int64_t gen, int64_t *score) {
    return memberWhereOf(OWNER, timer_id, gen, score);
}

/* ---- the owner's side: one transaction per call ------------------------ */

typedef enum { OP_SCHEDULE, OP_CANCEL, OP_TAKE } txnOp;

/* Runs one library call in its own transaction as OWNER; returns the
 * call's result (take: 1/0) or -1. */
static int ownerTxn(txnOp op, const cs_timer_spec *spec, const char *timer_id, const Cs__V1__TimerFired *f) {
    PGconn *pg = it_pg();
    if (!pg) return -1;
    char err[512];
    cs_batch *b = cs_batch_new(pg, OWNER, it_wall_ms(), rds());
    PQclear(PQexec(pg, "BEGIN"));
    int rc = op == OP_SCHEDULE ? cs_timer_schedule(b, spec, err, sizeof err)
             : op == OP_CANCEL ? cs_timer_cancel(b, timer_id, err, sizeof err)
                               : cs_timer_take_fired(b, f, err, sizeof err);
    if (op == OP_TAKE) cs_timer_fired_done(b, f); /* as the runtime does for every firing */
    if (rc >= 0 && cs_batch_flush(b, err, sizeof err) != 0) rc = -1;
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

static int schedule(const char *timer_id, const char *kind, const char *order_key, int64_t due, const char *payload) {
    cs_timer_spec s = {.kind = kind,
                       .order_key = order_key,
                       .timer_id = timer_id,
                       .due_ms = due,
                       .payload = payload,
                       .payload_len = payload ? strlen(payload) : 0};
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
    int64_t due = INT64_C(4102444800000); /* 2100-01-01: never due here */

    IT_REQUIRE(schedule(id, "it.remind", key, due, "p1") == 0);
    CT_EQ_INT(it_pg_int("SELECT generation FROM timers WHERE owner='" OWNER "' AND timer_id='%s' "
                        "AND status='pending' AND payload='p1'::bytea",
                        id),
              1);
    int64_t score = 0;
    CT_EQ_INT(memberWhere(id, 1, &score), 1);
    CT_EQ_INT(score, due);

    CT_EQ_INT(schedule(id, "it.remind", key, due + 60000, "p2"), 0);
    CT_EQ_INT(it_pg_int("SELECT generation FROM timers WHERE owner='" OWNER "' AND timer_id='%s' "
                        "AND due_ms=%" PRId64 " AND payload='p2'::bytea",
                        id, due + 60000),
              2);
    CT_EQ_INT(memberWhereWas(id, "it.remind", key, 1, due, "p1"), 0);
    CT_EQ_INT(memberWhere(id, 2, &score), 1);
    CT_EQ_INT(score, due + 60000);

    /* a default id is "<kind>@<order_key>" */
    cs_timer_spec s = {.kind = "it.other", .order_key = key, .due_ms = due};
    CT_EQ_INT(ownerTxn(OP_SCHEDULE, &s, NULL, NULL), 0);
    CT_EQ_INT(memberWhere(id2, 1, NULL), 1);

    /* take_fired: old generation no, current yes (once), then no more */
    CT_EQ_INT(takeFired(id, 1), 0);
    CT_EQ_INT(takeFired(id, 2), 1);
    CT_EQ_INT(takeFired(id, 2), 0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner='" OWNER "' AND timer_id='%s' "
                        "AND status='fired'",
                        id),
              1);

    /* cancel: final, and the member goes */
    CT_EQ_INT(cancelTimer(id2), 0);
    CT_EQ_INT(memberWhere(id2, 1, NULL), 0);
    CT_EQ_INT(takeFired(id2, 1), 0);
    CT_EQ_INT(cancelTimer(id2), 0); /* again: a no-op */

    /* another owner's record is never taken */
    Cs__V1__TimerFired f = CS__V1__TIMER_FIRED__INIT;
    f.owner = (char *)"someone-else";
    f.timer_id = id;
    f.generation = 2;
    CT_EQ_INT(ownerTxn(OP_TAKE, NULL, NULL, &f), 0);

    /* refused input: no order key shape, no due time, a payload too big to
     * travel in Redis */
    CT_EQ_INT(schedule("x", "it.remind", "noshop", due, NULL), -1);
    CT_EQ_INT(schedule("x", "it.remind", key, 0, NULL), -1);
    char big[CS_TIMER_PAYLOAD_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CT_EQ_INT(schedule("x", "it.remind", key, due, big), -1);
}

/* The calls of one batch are applied in call order even though they are
 * written together: schedule, cancel and schedule again of one timer in
 * one transaction leave it pending at generation 2 with only that member
 * in Redis; take_fired sees the calls made before it; ids and payloads
 * with quotes, backslashes, braces and NUL bytes survive the array
 * statements. */
static void test_library_batch_applies_calls_in_order(void) {
    char run[64], key[96], x[160], y[160], odd[200], err[512];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:%s-o9", run);
    snprintf(x, sizeof x, "it.x@%s", key);
    snprintf(y, sizeof y, "it.y@%s", key);
    snprintf(odd, sizeof odd, "it.odd \"q\" \\ {a,b} %s", run);
    int64_t due = INT64_C(4102444800000);
    static const uint8_t bin[] = {0x00, 0x5c, 0x22, 0x7b, 0xff};
    PGconn *pg = it_pg();
    IT_REQUIRE(pg != NULL);
    cs_batch *b = cs_batch_new(pg, OWNER, it_wall_ms(), rds());
    PQclear(PQexec(pg, "BEGIN"));
    cs_timer_spec sx = {.kind = "it.x", .order_key = key, .timer_id = x, .due_ms = due};
    cs_timer_spec sy = {.kind = "it.y", .order_key = key, .timer_id = y, .due_ms = due};
    cs_timer_spec so = {
        .kind = "it.odd", .order_key = key, .timer_id = odd, .due_ms = due, .payload = bin, .payload_len = sizeof bin};
    CT_EQ_INT(cs_timer_schedule(b, &sx, err, sizeof err), 0);
    CT_EQ_INT(cs_timer_schedule(b, &so, err, sizeof err), 0);
    CT_EQ_INT(cs_timer_cancel(b, x, err, sizeof err), 0);
    CT_EQ_INT(cs_timer_schedule(b, &sx, err, sizeof err), 0);
    CT_EQ_INT(cs_timer_schedule(b, &sy, err, sizeof err), 0);
    Cs__V1__TimerFired f = CS__V1__TIMER_FIRED__INIT;
    f.owner = (char *)OWNER;
    f.timer_id = y;
    f.generation = 1;
    CT_EQ_INT(cs_timer_take_fired(b, &f, err, sizeof err), 1); /* sees the schedule before it */
    CT_EQ_INT(cs_batch_flush(b, err, sizeof err), 0);
    PQclear(PQexec(pg, "COMMIT"));
    cs_batch_committed(b);
    cs_batch_free(b);

    /* x: scheduled, cancelled, scheduled again in one batch: pending, and
     * in Redis once. The calls apply as if one by one, but in one
     * statement per kind of call: the first schedule, cancelled after,
     * is never written, so the row is the first generation. */
    CT_EQ_INT(it_pg_int("SELECT generation FROM timers WHERE owner='" OWNER "' AND timer_id='%s' "
                        "AND status='pending'",
                        x),
              1);
    CT_EQ_INT(memberWhere(x, 1, NULL), 1);
    CT_EQ_INT(memberWhere(x, 2, NULL), 0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner='" OWNER "' AND timer_id='%s' "
                        "AND status='fired'",
                        y),
              1);
    PGresult *r = PQexecParams(pg, "SELECT payload FROM timers WHERE owner = $1 AND timer_id = $2", 2, NULL,
                               (const char *[]){OWNER, odd}, NULL, NULL, 1);
    CT_CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1);
    if (PQntuples(r) == 1) {
        CT_EQ_INT(PQgetlength(r, 0, 0), (int)sizeof bin);
        CT_CHECK(memcmp(PQgetvalue(r, 0, 0), bin, sizeof bin) == 0);
    }
    PQclear(r);
    CT_EQ_INT(memberWhere(odd, 1, NULL), 1);
}

/* Cancel by subject (effects.h scheme "<kind>@<shop>:<subject>"): every
 * pending timer of the subject, whatever its kind, in call order with the
 * batch's other calls (a schedule after it stands), and nothing of another
 * subject; their members leave Redis. keep_pending schedules are not
 * cancels (a regression: a field order mix-up once made them one). */
static void test_library_cancel_every_timer_of_a_subject(void) {
    char run[64], key[96], subj[96], other[96], a[200], bb[200], c[200], d2[200], k[200], err[512];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:%s-o10", run);
    snprintf(subj, sizeof subj, "tb-demo:%s-case1", run);
    snprintf(other, sizeof other, "tb-demo:%s-case2", run);
    snprintf(a, sizeof a, "rf.ship_return@%s", subj);
    snprintf(bb, sizeof bb, "rf.escalate@%s", subj);
    snprintf(c, sizeof c, "rf.escalate@%s", other);
    snprintf(d2, sizeof d2, "rf.evidence@%s", subj);
    snprintf(k, sizeof k, "rf.keep@%s", other);
    int64_t due = INT64_C(4102444800000);
    PGconn *pg = it_pg();
    IT_REQUIRE(pg != NULL);
    cs_batch *b = cs_batch_new(pg, OWNER, it_wall_ms(), rds());
    PQclear(PQexec(pg, "BEGIN"));
    cs_timer_spec sa = {.kind = "rf.ship_return", .order_key = key, .timer_id = a, .due_ms = due};
    cs_timer_spec sb = {.kind = "rf.escalate", .order_key = key, .timer_id = bb, .due_ms = due};
    cs_timer_spec sc = {.kind = "rf.escalate", .order_key = key, .timer_id = c, .due_ms = due};
    cs_timer_spec sd = {.kind = "rf.evidence", .order_key = key, .timer_id = d2, .due_ms = due};
    cs_timer_spec sk = {.kind = "rf.keep", .order_key = key, .timer_id = k, .due_ms = due, .keep_pending = true};
    CT_EQ_INT(cs_timer_schedule(b, &sa, err, sizeof err), 0);
    CT_EQ_INT(cs_timer_schedule(b, &sb, err, sizeof err), 0);
    CT_EQ_INT(cs_timer_schedule(b, &sc, err, sizeof err), 0);
    CT_EQ_INT(cs_timer_schedule(b, &sk, err, sizeof err), 0);
    CT_EQ_INT(cs_batch_flush(b, err, sizeof err), 0);
    PQclear(PQexec(pg, "COMMIT"));
    cs_batch_committed(b);
    cs_batch_free(b);
    CT_EQ_INT(memberWhere(a, 1, NULL), 1);
    CT_EQ_INT(memberWhere(k, 1, NULL), 1);

    /* with the worker's timer kinds (as a worker with timer routes has):
     * by primary key; "rf.evidence" is scheduled after the cancel */
    static const char *const kinds[] = {"rf.ship_return", "rf.escalate", "rf.evidence", "rf.keep", NULL};
    b = cs_batch_new(pg, OWNER, it_wall_ms(), rds());
    cs_batch_set_timer_kinds(b, kinds);
    PQclear(PQexec(pg, "BEGIN"));
    CT_EQ_INT(cs_timer_cancel_subject(b, subj, err, sizeof err), 0);
    CT_EQ_INT(cs_timer_schedule(b, &sd, err, sizeof err), 0); /* after the cancel: stands */
    CT_EQ_INT(cs_timer_cancel_subject(b, "no-colon", err, sizeof err), -1);
    CT_EQ_INT(cs_batch_flush(b, err, sizeof err), 0);
    PQclear(PQexec(pg, "COMMIT"));
    cs_batch_committed(b);
    cs_batch_free(b);
    const char *q = "SELECT status FROM timers WHERE owner='" OWNER "' AND timer_id='%s'";
    char st[32];
    it_pg_text(st, sizeof st, q, a);
    CT_EQ_STR(st, "cancelled");
    it_pg_text(st, sizeof st, q, bb);
    CT_EQ_STR(st, "cancelled");
    it_pg_text(st, sizeof st, q, d2);
    CT_EQ_STR(st, "pending");
    it_pg_text(st, sizeof st, q, c);
    CT_EQ_STR(st, "pending"); /* another subject */
    it_pg_text(st, sizeof st, q, k);
    CT_EQ_STR(st, "pending");
    CT_EQ_INT(memberWhere(a, 1, NULL), 0);
    CT_EQ_INT(memberWhere(bb, 1, NULL), 0);
    CT_EQ_INT(memberWhere(c, 1, NULL), 1);
    CT_EQ_INT(memberWhere(d2, 1, NULL), 1);

    /* without kinds (a worker with no timer routes): by the ids' subject part */
    b = cs_batch_new(pg, OWNER, it_wall_ms(), rds());
    PQclear(PQexec(pg, "BEGIN"));
    CT_EQ_INT(cs_timer_cancel_subject(b, other, err, sizeof err), 0);
    CT_EQ_INT(cs_batch_flush(b, err, sizeof err), 0);
    PQclear(PQexec(pg, "COMMIT"));
    cs_batch_committed(b);
    cs_batch_free(b);
    it_pg_text(st, sizeof st, q, c);
    CT_EQ_STR(st, "cancelled");
    it_pg_text(st, sizeof st, q, k);
    CT_EQ_STR(st, "cancelled");
    it_pg_text(st, sizeof st, q, d2);
    CT_EQ_STR(st, "pending"); /* the first subject's, scheduled after its cancel */
    CT_EQ_INT(memberWhere(c, 1, NULL), 0);
    CT_EQ_INT(memberWhere(k, 1, NULL), 0);
}

static int cmpStr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* ---- the dispatcher's side ---------------------------------------------- */

/* 2030-01-01T00:00:00Z plus a day per case: each case its own time. */
static int64_t caseBase(int day) { return INT64_C(1893456000000) + (int64_t)day * 86400000; }

/* Starts the dispatcher on the Redis clock, plus extra "NAME=value"
 * settings (NULL-terminated, may be NULL); waits for its start line. */
static int dispatcherStart(it_worker *w, const char *name, const char *const *extra) {
    const char *env[12] = {"CS_CLOCK=redis"};
    int n = 1;
    for (int i = 0; extra && extra[i] && n < 11; i++) env[n++] = extra[i];
    env[n] = NULL;
    if (it_worker_start_bin(w, "timer-dispatcher", name, NULL, env) != 0) return -1;
    return it_worker_wait_log(w, "\"started\"", 15000) ? 0 : -1;
}

/* Records held by r whose event id contains needle. */
static size_t recCount(const it_reader *r, const char *needle) {
    size_t k = 0;
    for (size_t i = 0; i < it_reader_count(r); i++) {
        const it_rec *x = it_reader_get(r, i);
        if (x->env && x->env->event_id && strstr(x->env->event_id, needle)) k++;
    }
    return k;
}

static const it_rec *recFind(const it_reader *r, const char *needle) {
    for (size_t i = 0; i < it_reader_count(r); i++) {
        const it_rec *x = it_reader_get(r, i);
        if (x->env && x->env->event_id && strstr(x->env->event_id, needle)) return x;
    }
    return NULL;
}

/* Reads r until `want` records with needle in their event id are held or
 * timeout_ms passes; returns how many are held. */
static size_t recWait(it_reader *r, const char *run, const char *needle, size_t want, int timeout_ms) {
    int64_t end = it_now_ms() + timeout_ms;
    while (recCount(r, needle) < want && it_now_ms() < end) it_reader_collect(r, run, it_reader_count(r) + 1, 50);
    return recCount(r, needle);
}

/* Scheduled ahead, a timer fires within 1 s of the clock move that makes
 * it due, as one record carrying the row (kind, key, payload, generation),
 * keyed by the order key, with the derived event id; the owner takes it
 * once. */
/* Migration 0008 carries the notifier's pending release timers from the old
 * id scheme ("nt.release@<shop>/<key>") to "<kind>@<shop>:<subject>": the
 * old member still in Redis fires and its owner ignores it, the renamed row
 * is put in Redis by reconciliation and fires once: none lost, none acted
 * on twice. The migration is idempotent, so the test runs it again. */
static int notifierTake(const char *timer_id) {
    PGconn *pg = it_pg();
    char err[512];
    cs_batch *b = cs_batch_new(pg, "notifier", it_wall_ms(), rds());
    PQclear(PQexec(pg, "BEGIN"));
    Cs__V1__TimerFired f = CS__V1__TIMER_FIRED__INIT;
    f.owner = (char *)"notifier";
    f.timer_id = (char *)timer_id;
    f.generation = 1;
    int rc = cs_timer_take_fired(b, &f, err, sizeof err);
    PQclear(PQexec(pg, rc < 0 ? "ROLLBACK" : "COMMIT"));
    cs_batch_free(b);
    return rc;
}

static void test_migration_0008_carries_old_release_timers_over_once(void) {
    char run[64], key[96], old[200], neu[200], msg[96], err[512], eid[300];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:%s-o", run);
    snprintf(msg, sizeof msg, "%s-msg", run);
    snprintf(old, sizeof old, "nt.release@tb-demo/%s", msg);
    snprintf(neu, sizeof neu, "nt.release@tb-demo:%s", msg);
    int64_t base = caseBase(40);
    IT_REQUIRE(it_clock_set(base) == 0);
    PGconn *pg = it_pg();
    IT_REQUIRE(pg != NULL);
    cs_batch *b = cs_batch_new(pg, "notifier", it_wall_ms(), rds());
    PQclear(PQexec(pg, "BEGIN"));
    cs_timer_spec s = {.kind = "nt.release",
                       .order_key = key,
                       .timer_id = old,
                       .due_ms = base + 3600000,
                       .payload = msg,
                       .payload_len = strlen(msg)};
    CT_EQ_INT(cs_timer_schedule(b, &s, err, sizeof err), 0);
    CT_EQ_INT(cs_batch_flush(b, err, sizeof err), 0);
    PQclear(PQexec(pg, "COMMIT"));
    cs_batch_committed(b);
    cs_batch_free(b);
    CT_EQ_INT(memberWhereOf("notifier", old, 1, NULL), 1);

    CT_EQ_INT(it_sh("psql -X -q -v ON_ERROR_STOP=1 '%s' -f '%s/deploy/sql/migrations/0008_timer_subjects.sql' "
                    ">/dev/null",
                    it.pg_dsn, it.source_dir),
              0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner='notifier' AND timer_id='%s'", old), 0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner='notifier' AND timer_id='%s' AND status='pending' "
                        "AND generation=1 AND due_ms=%" PRId64,
                        neu, base + 3600000),
              1);

    it_reader *rd = it_reader_open(TOPIC_TIMERS, false);
    IT_REQUIRE(rd != NULL);
    it_worker w;
    IT_REQUIRE(dispatcherStart(&w, "td-migrate", NULL) == 0);
    int64_t t0 = it_now_ms();
    while (memberWhereOf("notifier", neu, 1, NULL) != 1 && it_now_ms() - t0 < 15000) it_sleep_ms(200);
    CT_EQ_INT(memberWhereOf("notifier", neu, 1, NULL), 1); /* reconciliation put it in Redis */
    IT_REQUIRE(it_clock_advance(2 * 3600000) == 0);
    CT_EQ_INT(recWait(rd, run, msg, 2, 10000), 2); /* the old member and the new one fire */
    snprintf(eid, sizeof eid, "timer/notifier/%s/1", old);
    CT_CHECK(recFind(rd, eid) != NULL);
    snprintf(eid, sizeof eid, "timer/notifier/%s/1", neu);
    CT_CHECK(recFind(rd, eid) != NULL);
    CT_EQ_INT(notifierTake(old), 0); /* no pending row of the old id: no effect */
    CT_EQ_INT(notifierTake(neu), 1); /* the one effect */
    CT_EQ_INT(notifierTake(neu), 0);
    it_reader_close(rd);
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);
}

static void test_fires_within_1s_of_clock_advance(void) {
    char run[64], key[96], id[160], eid[256];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:%s-o1", run);
    snprintf(id, sizeof id, "it.remind@%s", key);
    int64_t base = caseBase(1);
    IT_REQUIRE(it_clock_set(base) == 0);
    it_reader *rd = it_reader_open(TOPIC_TIMERS, false);
    IT_REQUIRE(rd != NULL);
    it_worker w;
    IT_REQUIRE(dispatcherStart(&w, "td-fire", NULL) == 0);
    IT_REQUIRE(schedule(id, "it.remind", key, base + 3600000, "payload-1") == 0);

    /* not due yet: nothing */
    CT_EQ_INT(recWait(rd, run, run, 1, 1000), 0);
    CT_EQ_INT(memberWhere(id, 1, NULL), 1);

    IT_REQUIRE(it_clock_advance(3600000) == 0);
    int64_t t0 = it_now_ms();
    CT_EQ_INT(recWait(rd, run, run, 1, 5000), 1);
    int64_t took = it_now_ms() - t0;
    it_measure("fired %lld ms after the clock advance", (long long)took);
    CT_CHECK(took <= 1000);

    const it_rec *x = recFind(rd, run);
    IT_REQUIRE(x && x->env && x->env->timer);
    snprintf(eid, sizeof eid, "timer/" OWNER "/%s/1", id);
    CT_EQ_STR(x->env->event_id, eid);
    CT_EQ_STR(x->key, key);
    CT_EQ_STR(x->env->shop_id, "tb-demo");
    CT_EQ_STR(it_rec_header(x, "event-id"), eid);
    const Cs__V1__TimerFired *f = x->env->timer;
    CT_EQ_STR(f->owner, OWNER);
    CT_EQ_STR(f->timer_id, id);
    CT_EQ_STR(f->kind, "it.remind");
    CT_EQ_STR(f->order_key, key);
    CT_EQ_INT(f->due_ms, base + 3600000);
    CT_EQ_INT(f->generation, 1);
    CT_CHECK(f->payload.len == 9 && memcmp(f->payload.data, "payload-1", 9) == 0);
    CT_EQ_INT(x->partition, it_partition_of(TOPIC_TIMERS, key));

    /* acknowledged: in flight under the long lease until the owner has
     * processed it; then gone */
    int64_t t1 = it_now_ms();
    while (!memberAwaitsOwner(OWNER, id, 1) && it_now_ms() - t1 < 3000) it_sleep_ms(50);
    CT_CHECK(memberAwaitsOwner(OWNER, id, 1));
    /* the owner acts once */
    CT_EQ_INT(ownerTxn(OP_TAKE, NULL, NULL, f), 1);
    CT_EQ_INT(memberWhere(id, 1, NULL), 0);
    CT_EQ_INT(ownerTxn(OP_TAKE, NULL, NULL, f), 0);
    /* and nothing fires twice */
    CT_EQ_INT(recWait(rd, run, run, 2, 1500), 1);
    it_reader_close(rd);
}

/* A cancelled timer never has an effect, even when its member comes back
 * (a lost ZREM): the dispatcher fires from the member alone, and the
 * owner's take_fired refuses the record; processing it removes the member.
 * Cancelled after its record went out, the same. */
static void test_cancel_never_fires_even_after_claim(void) {
    char run[64], key[96], idA[160], idB[160], idC[160], m[CS_TIMER_MEMBER_MAX], due[CS_TIMER_KEY_LEN];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:%s-o2", run);
    snprintf(idA, sizeof idA, "it.a@%s", key);
    snprintf(idB, sizeof idB, "it.b@%s", key);
    snprintf(idC, sizeof idC, "it.c@%s", key);
    int64_t base = caseBase(2);
    IT_REQUIRE(it_clock_set(base) == 0);
    it_reader *rd = it_reader_open(TOPIC_TIMERS, false);
    IT_REQUIRE(rd != NULL);
    IT_REQUIRE(schedule(idA, "it.a", key, base + 3600000, NULL) == 0);
    IT_REQUIRE(schedule(idB, "it.b", key, base + 3600000, NULL) == 0);
    CT_EQ_INT(cancelTimer(idA), 0);
    CT_EQ_INT(memberWhere(idA, 1, NULL), 0);
    /* the member back in the due set, as if the cancel's ZREM was lost */
    memberOfRow(m, sizeof m, OWNER, idA, 1);
    cs_timer_due_key(due, sizeof due, cs_timer_shard(OWNER, idA));
    CT_EQ_INT(redisInt((const char *[]){"ZADD", due, "1", m}, 4), 1);

    it_worker w;
    IT_REQUIRE(dispatcherStart(&w, "td-cancel", NULL) == 0);
    IT_REQUIRE(it_clock_advance(2 * 3600000) == 0);
    CT_EQ_INT(recWait(rd, run, "/it.b@", 1, 5000), 1);
    CT_EQ_INT(recWait(rd, run, "/it.a@", 1, 5000), 1);
    const it_rec *xa = recFind(rd, "/it.a@");
    IT_REQUIRE(xa && xa->env && xa->env->timer);
    CT_EQ_INT(ownerTxn(OP_TAKE, NULL, NULL, xa->env->timer), 0); /* no effect */
    CT_EQ_INT(memberWhere(idA, 1, NULL), 0);                     /* and gone from Redis */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner='" OWNER "' AND timer_id='%s' "
                        "AND status='cancelled'",
                        idA),
              1);

    /* cancelled after the claim: its record is out, the owner ignores it */
    IT_REQUIRE(schedule(idC, "it.c", key, base + 2 * 3600000, NULL) == 0); /* due now */
    CT_EQ_INT(recWait(rd, run, "/it.c@", 1, 5000), 1);
    CT_EQ_INT(cancelTimer(idC), 0);
    const it_rec *x = recFind(rd, "/it.c@");
    IT_REQUIRE(x && x->env && x->env->timer);
    CT_EQ_INT(ownerTxn(OP_TAKE, NULL, NULL, x->env->timer), 0);
    CT_EQ_INT(memberWhere(idC, 1, NULL), 0);
    it_reader_close(rd);
}

/* A rescheduled timer acts only as its new generation: the old one, even
 * if its member is still in Redis and fires, is refused by the owner. */
static void test_reschedule_only_new_generation_acts(void) {
    char run[64], key[96], id[160], m[CS_TIMER_MEMBER_MAX], due[CS_TIMER_KEY_LEN], eid[256];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tm-demo:%s-o3", run);
    snprintf(id, sizeof id, "it.r@%s", key);
    int64_t base = caseBase(3);
    IT_REQUIRE(it_clock_set(base) == 0);
    it_reader *rd = it_reader_open(TOPIC_TIMERS, false);
    IT_REQUIRE(rd != NULL);
    IT_REQUIRE(schedule(id, "it.r", key, base + 3600000, "v1") == 0);
    IT_REQUIRE(schedule(id, "it.r", key, base + 3 * 3600000, "v2") == 0);
    CT_EQ_INT(memberWhereWas(id, "it.r", key, 1, base + 3600000, "v1"), 0);
    CT_EQ_INT(memberWhere(id, 2, NULL), 1);
    /* generation 1 back in Redis, as if its removal was lost */
    cs_timer_fields f1 = {OWNER, id, "it.r", key, 1, base + 3600000, "v1", 2};
    IT_REQUIRE(cs_timer_member(m, sizeof m, &f1) == 0);
    cs_timer_due_key(due, sizeof due, cs_timer_shard(OWNER, id));
    char score[24];
    snprintf(score, sizeof score, "%" PRId64, base + 3600000);
    CT_EQ_INT(redisInt((const char *[]){"ZADD", due, score, m}, 4), 1);

    it_worker w;
    IT_REQUIRE(dispatcherStart(&w, "td-resched", NULL) == 0);
    IT_REQUIRE(it_clock_advance(2 * 3600000) == 0); /* generation 1's time */
    CT_EQ_INT(recWait(rd, run, run, 1, 5000), 1);
    const it_rec *old = recFind(rd, run);
    IT_REQUIRE(old && old->env && old->env->timer);
    CT_EQ_INT(old->env->timer->generation, 1);
    CT_EQ_INT(ownerTxn(OP_TAKE, NULL, NULL, old->env->timer), 0); /* refused */
    CT_EQ_INT(memberWhereWas(id, "it.r", key, 1, base + 3600000, "v1"), 0);
    CT_EQ_INT(memberWhere(id, 2, NULL), 1);
    IT_REQUIRE(it_clock_advance(2 * 3600000) == 0); /* generation 2's */
    CT_EQ_INT(recWait(rd, run, run, 2, 5000), 2);
    const it_rec *x = it_reader_get(rd, 1);
    IT_REQUIRE(x && x->env && x->env->timer);
    snprintf(eid, sizeof eid, "timer/" OWNER "/%s/2", id);
    CT_EQ_STR(x->env->event_id, eid);
    CT_EQ_INT(x->env->timer->generation, 2);
    CT_CHECK(x->env->timer->payload.len == 2 && memcmp(x->env->timer->payload.data, "v2", 2) == 0);
    CT_EQ_INT(ownerTxn(OP_TAKE, NULL, NULL, x->env->timer), 1);
    CT_EQ_INT(ownerTxn(OP_TAKE, NULL, NULL, x->env->timer), 0);
    it_reader_close(rd);
}

#define FLUSH_TIMERS 50

/* Redis loses everything (FLUSHALL): the dispatcher's reconciliation puts
 * every pending timer back within 10 s, and all of them fire. */
static void test_flushall_reconciliation_restores_within_10s(void) {
    char run[64], key[96], id[160];
    it_run_id(run, sizeof run);
    int64_t base = caseBase(4);
    IT_REQUIRE(it_clock_set(base) == 0);
    it_reader *rd = it_reader_open(TOPIC_TIMERS, false);
    IT_REQUIRE(rd != NULL);
    it_worker w;
    IT_REQUIRE(dispatcherStart(&w, "td-flush", NULL) == 0);
    for (int i = 0; i < FLUSH_TIMERS; i++) {
        snprintf(key, sizeof key, "tb-demo:%s-o%d", run, i);
        snprintf(id, sizeof id, "it.f@%s", key);
        IT_REQUIRE(schedule(id, "it.f", key, base + 3600000 + i * 1000, NULL) == 0);
    }
    CT_CHECK(redisInt((const char *[]){"FLUSHALL"}, 1) != -1); /* a status reply */
    int64_t t0 = it_now_ms();
    IT_REQUIRE(it_clock_set(base) == 0); /* the clock went with the flush */
    int back = 0;
    while (it_now_ms() - t0 < 12000) {
        back = 0;
        for (int i = 0; i < FLUSH_TIMERS; i++) {
            snprintf(key, sizeof key, "tb-demo:%s-o%d", run, i);
            snprintf(id, sizeof id, "it.f@%s", key);
            back += memberWhere(id, 1, NULL) == 1;
        }
        if (back == FLUSH_TIMERS) break;
        it_sleep_ms(200);
    }
    int64_t took = it_now_ms() - t0;
    it_measure("%d of %d timers back in Redis %lld ms after FLUSHALL", back, FLUSH_TIMERS, (long long)took);
    CT_EQ_INT(back, FLUSH_TIMERS);
    CT_CHECK(took <= 10000);
    CT_CHECK(it_worker_wait_log(&w, "reconciliation (full)", 1000));

    IT_REQUIRE(it_clock_advance(2 * 3600000) == 0);
    CT_EQ_INT(recWait(rd, run, run, FLUSH_TIMERS, 10000), FLUSH_TIMERS);
    /* each exactly once */
    CT_EQ_INT(recWait(rd, run, run, FLUSH_TIMERS + 1, 1000), FLUSH_TIMERS);
    it_reader_close(rd);
}

/* Redis loses everything, the business clock too, while the dispatcher
 * runs on a clock frozen in the past (issue "Hardening", finding 2): it
 * must not go on at real time -- years later, where every pending timer is
 * due -- but put the recorded clock back and keep it. Nothing fires until
 * the clock is advanced past the due time. */
static void test_flushall_dispatcher_keeps_the_recorded_clock_not_real_time(void) {
    char run[64], key[96], id[160];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:%s-o1", run);
    snprintf(id, sizeof id, "it.past@%s", key);
    const int64_t base = INT64_C(1709172000000); /* 2024-02-29T02:00:00Z: before real now */
    IT_REQUIRE(it_clock_set(base) == 0);
    it_reader *rd = it_reader_open(TOPIC_TIMERS, false);
    IT_REQUIRE(rd != NULL);
    it_worker w;
    IT_REQUIRE(dispatcherStart(&w, "td-clock", NULL) == 0);
    IT_REQUIRE(schedule(id, "it.past", key, base + 3600000, NULL) == 0);
    CT_CHECK(redisInt((const char *[]){"FLUSHALL"}, 1) != -1);
    /* the dispatcher reads the clock every tick: the key comes back */
    int64_t t0 = it_now_ms();
    long long clk = -1;
    while (it_now_ms() - t0 < 10000 && (clk = redisInt((const char *[]){"GET", CS_CLOCK_KEY}, 2)) != base)
        it_sleep_ms(100);
    CT_EQ_INT(clk, base);
    /* the timer back by reconciliation, and not due at the recorded time */
    t0 = it_now_ms();
    while (memberWhere(id, 1, NULL) != 1 && it_now_ms() - t0 < 12000) it_sleep_ms(200);
    CT_EQ_INT(recWait(rd, run, run, 1, 2000), 0);
    IT_REQUIRE(it_clock_advance(3600000) == 0);
    CT_EQ_INT(recWait(rd, run, run, 1, 5000), 1);
    it_reader_close(rd);
}

/* The dispatcher dies after its record went out but before it
 * acknowledged the claim: once the lease expires, the next dispatcher
 * fires it again with the same event id, and take_fired makes the effect
 * once. */
static void test_killed_before_ack_refires_after_lease(void) {
    char run[64], key[96], id[160], eid[256];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:%s-o5", run);
    snprintf(id, sizeof id, "it.k@%s", key);
    int64_t base = caseBase(5);
    IT_REQUIRE(it_clock_set(base) == 0);
    it_reader *rd = it_reader_open(TOPIC_TIMERS, false);
    IT_REQUIRE(rd != NULL);
    IT_REQUIRE(schedule(id, "it.k", key, base - 1000, "k") == 0); /* already due */

    it_worker a;
    IT_REQUIRE(dispatcherStart(&a, "td-crash",
                               (const char *[]){"CS_CRASH_POINT=timer_before_ack", "CS_TIMER_LEASE_MS=2000", NULL}) ==
               0);
    CT_EQ_INT(it_worker_wait(&a, 10000), 86);
    CT_EQ_INT(recWait(rd, run, run, 1, 3000), 1);
    CT_EQ_INT(memberWhere(id, 1, NULL), 2); /* still claimed: in flight */

    int64_t t0 = it_now_ms();
    it_worker b;
    IT_REQUIRE(dispatcherStart(&b, "td-after", (const char *[]){"CS_TIMER_LEASE_MS=2000", NULL}) == 0);
    CT_EQ_INT(recWait(rd, run, run, 2, 10000), 2);
    it_measure("re-fired %lld ms after the restart (lease 2000 ms)", (long long)(it_now_ms() - t0));
    snprintf(eid, sizeof eid, "timer/" OWNER "/%s/1", id);
    CT_EQ_STR(it_reader_get(rd, 0)->env->event_id, eid);
    CT_EQ_STR(it_reader_get(rd, 1)->env->event_id, eid);
    int64_t t1 = it_now_ms();
    while (!memberAwaitsOwner(OWNER, id, 1) && it_now_ms() - t1 < 3000) it_sleep_ms(50);
    CT_CHECK(memberAwaitsOwner(OWNER, id, 1)); /* acknowledged this time */
    /* the owner's effect: once */
    CT_EQ_INT(ownerTxn(OP_TAKE, NULL, NULL, it_reader_get(rd, 0)->env->timer), 1);
    CT_EQ_INT(ownerTxn(OP_TAKE, NULL, NULL, it_reader_get(rd, 1)->env->timer), 0);
    CT_EQ_INT(memberWhere(id, 1, NULL), 0);
    it_reader_close(rd);
}

/* Figures for docs/timers.md: Redis bytes per pending timer (realistic
 * members in one sorted set, as a shard holds them) and the cost of
 * scheduling in a batch transaction. */
static void test_figures_redis_bytes_and_schedule_cost(void) {
    char run[64], key[96], m[CS_TIMER_MEMBER_MAX], scratch[96], score[24];
    it_run_id(run, sizeof run);
    snprintf(scratch, sizeof scratch, "it:timers:bytes:%s", run);
    const int n = 10000;
    cs_redis_pipe *p = cs_redis_pipe_new();
    for (int i = 0; i < n; i++) {
        char id[128];
        snprintf(id, sizeof id, "tb-demo:T%d", 1000000 + i);
        cs_timer_fields f = {
            "exception-handler", NULL, "ex6.escalate", id, 1, caseBase(6) + (int64_t)i * 7919, NULL, 0};
        cs_timer_member(m, sizeof m, &f);
        snprintf(score, sizeof score, "%" PRId64, caseBase(6) + (int64_t)i * 7919);
        cs_redis_pipe_add(p, 4, (const char *[]){"ZADD", scratch, score, m});
    }
    char err[256];
    CT_EQ_INT(cs_redis_pipe_run(rds(), p, err, sizeof err), 0);
    cs_redis_pipe_free(p);
    long long bytes = redisInt((const char *[]){"MEMORY", "USAGE", scratch, "SAMPLES", "0"}, 5);
    CT_CHECK(bytes > 0);
    it_measure("Redis: %lld bytes for %d timers = %.0f bytes per timer (member '%s', %zu bytes)", bytes, n,
               (double)bytes / n, m, strlen(m));
    CT_CHECK(bytes / n < 200);
    redisInt((const char *[]){"DEL", scratch}, 2);

    /* 1000 schedules in one transaction, as one batch would */
    PGconn *pg = it_pg();
    IT_REQUIRE(pg != NULL);
    cs_batch *b = cs_batch_new(pg, OWNER, it_wall_ms(), rds());
    int64_t t0 = it_now_ms();
    PQclear(PQexec(pg, "BEGIN"));
    int ok = 0;
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "tb-demo:%s-o%d", run, i);
        cs_timer_spec s = {.kind = "it.cost", .order_key = key, .due_ms = INT64_C(4102444800000)};
        ok += cs_timer_schedule(b, &s, err, sizeof err) == 0;
    }
    CT_EQ_INT(cs_batch_flush(b, err, sizeof err), 0);
    PQclear(PQexec(pg, "COMMIT"));
    int64_t t1 = it_now_ms();
    cs_batch_committed(b);
    int64_t t2 = it_now_ms();
    cs_batch_free(b);
    CT_EQ_INT(ok, 1000);
    it_measure("1000 schedules in one transaction: %lld ms in PostgreSQL, %lld ms for the Redis pipeline",
               (long long)(t1 - t0), (long long)(t2 - t1));
    /* (due in 2100; finish() removes them from PostgreSQL and Redis) */
}

/* The "redis" field of the only timer `cscli timers list --order key`
 * shows, into out ("" if not exactly one). */
static void cscliWhere(const char *key, char *out, size_t len) {
    char args[256];
    int rc = -1;
    snprintf(args, sizeof args, "timers list --order %s", key);
    cJSON *doc = it_cscli_json(&rc, "%s", args);
    cJSON *arr = doc ? cJSON_GetObjectItem(doc, "timers") : NULL;
    cJSON *t = arr && cJSON_GetArraySize(arr) == 1 ? cJSON_GetArrayItem(arr, 0) : NULL;
    cJSON *w = t ? cJSON_GetObjectItem(t, "redis") : NULL;
    it_copy(out, len, rc == 0 && cJSON_IsString(w) ? w->valuestring : "");
    cJSON_Delete(doc);
}

/* cscli timers: list shows where Redis has a timer; rebuild puts back a
 * member Redis lost; --due follows the business clock. */
static void test_cscli_timers_list_and_rebuild(void) {
    char run[64], key[96], id[160], where[32], m[CS_TIMER_MEMBER_MAX], due[CS_TIMER_KEY_LEN], args[256];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:%s-o7", run);
    snprintf(id, sizeof id, "it.l@%s", key);
    int64_t base = caseBase(7);
    IT_REQUIRE(it_clock_set(base) == 0);
    IT_REQUIRE(schedule(id, "it.l", key, base + 60000, NULL) == 0);
    cscliWhere(key, where, sizeof where);
    CT_EQ_STR(where, "due");

    memberOfRow(m, sizeof m, OWNER, id, 1);
    cs_timer_due_key(due, sizeof due, cs_timer_shard(OWNER, id));
    CT_EQ_INT(redisInt((const char *[]){"ZREM", due, m}, 3), 1);
    cscliWhere(key, where, sizeof where);
    CT_EQ_STR(where, "missing");

    int rc = -1;
    cJSON *doc = it_cscli_json(&rc, "timers rebuild");
    CT_EQ_INT(rc, 0);
    cJSON *restored = doc ? cJSON_GetObjectItem(doc, "restored") : NULL;
    CT_CHECK(cJSON_IsNumber(restored) && restored->valuedouble >= 1);
    cJSON_Delete(doc);
    cscliWhere(key, where, sizeof where);
    CT_EQ_STR(where, "due");

    /* --due: not yet; after the clock passes it, listed */
    setenv("CS_CLOCK", "redis", 1);
    snprintf(args, sizeof args, "timers list --due --owner " OWNER " --order %s", key);
    doc = it_cscli_json(&rc, "%s", args);
    CT_EQ_INT(rc, 0);
    CT_EQ_INT(doc ? cJSON_GetArraySize(cJSON_GetObjectItem(doc, "timers")) : -1, 0);
    cJSON_Delete(doc);
    IT_REQUIRE(it_clock_advance(120000) == 0);
    doc = it_cscli_json(&rc, "%s", args);
    CT_EQ_INT(rc, 0);
    CT_EQ_INT(doc ? cJSON_GetArraySize(cJSON_GetObjectItem(doc, "timers")) : -1, 1);
    cJSON_Delete(doc);
    unsetenv("CS_CLOCK");
}

#define BACKLOG 2000

/* Two dispatchers on one backlog: every timer fires exactly once (the
 * claim is atomic), and the backlog drains at the dispatchers' rate. */
static void test_two_dispatchers_fire_each_timer_once(void) {
    char run[64], key[96], err[512];
    it_run_id(run, sizeof run);
    int64_t base = caseBase(9);
    IT_REQUIRE(it_clock_set(base) == 0);
    it_reader *rd = it_reader_open(TOPIC_TIMERS, false);
    IT_REQUIRE(rd != NULL);
    PGconn *pg = it_pg();
    IT_REQUIRE(pg != NULL);
    cs_batch *b = cs_batch_new(pg, OWNER, it_wall_ms(), rds());
    PQclear(PQexec(pg, "BEGIN"));
    for (int i = 0; i < BACKLOG; i++) {
        snprintf(key, sizeof key, "tb-demo:%s-o%d", run, i);
        cs_timer_spec s = {.kind = "it.two", .order_key = key, .due_ms = base + 60000 + i};
        IT_REQUIRE(cs_timer_schedule(b, &s, err, sizeof err) == 0);
    }
    IT_REQUIRE(cs_batch_flush(b, err, sizeof err) == 0);
    PQclear(PQexec(pg, "COMMIT"));
    cs_batch_committed(b);
    cs_batch_free(b);

    it_worker d1, d2;
    IT_REQUIRE(dispatcherStart(&d1, "td-one", NULL) == 0);
    IT_REQUIRE(dispatcherStart(&d2, "td-two", NULL) == 0);
    IT_REQUIRE(it_clock_advance(3600000) == 0);
    int64_t t0 = it_now_ms();
    size_t got = recWait(rd, run, "/it.two@", BACKLOG, 30000);
    int64_t took = it_now_ms() - t0;
    CT_EQ_INT(got, BACKLOG);
    it_measure("%d due timers fired by 2 dispatchers in %lld ms (%.0f/s)", BACKLOG, (long long)took,
               took > 0 ? 1000.0 * BACKLOG / (double)took : 0.0);
    /* no duplicates: nothing more comes, and the ids are distinct */
    CT_EQ_INT(recWait(rd, run, "/it.two@", BACKLOG + 1, 1500), BACKLOG);
    size_t n = it_reader_count(rd);
    char **ids = calloc(n, sizeof *ids);
    for (size_t i = 0; i < n; i++) ids[i] = it_reader_get(rd, i)->env->event_id;
    qsort(ids, n, sizeof *ids, cmpStr);
    size_t dup = 0;
    for (size_t i = 1; i < n; i++) dup += strcmp(ids[i], ids[i - 1]) == 0;
    free(ids);
    CT_EQ_INT(dup, 0);
    it_reader_close(rd);
}

#define PROBE IT_GROUP_TIMER_PROBE

/* A worker on the real runtime (tests/integration/probes/timer_probe.c)
 * schedules from its batch handler and takes the firing from its own
 * batch: the runtime's before-commit hook writes the rows, its after-commit
 * hook the members; a cancel in a later batch is final. */
static void test_worker_runtime_schedules_and_takes_through_hooks(void) {
    char run[64], oid[128], oid2[128], key[160], key2[160], id[200], id2[200], buyer[96], eid[160];
    it_run_id(run, sizeof run);
    snprintf(oid, sizeof oid, "%s-tprobe1", run);
    snprintf(oid2, sizeof oid2, "%s-tprobe-cancel2", run);
    snprintf(key, sizeof key, "tb-demo:%s", oid);
    snprintf(key2, sizeof key2, "tb-demo:%s", oid2);
    snprintf(id, sizeof id, "probe.remind@%s", key);
    snprintf(id2, sizeof id2, "probe.remind@%s", key2);
    snprintf(buyer, sizeof buyer, "%s-b", run);
    int64_t base = caseBase(8);
    IT_REQUIRE(it_clock_set(base) == 0);
    it_worker d, p;
    IT_REQUIRE(dispatcherStart(&d, "td-probe", NULL) == 0);
    IT_REQUIRE(it_worker_start_bin(&p, "tests/timer-probe", "probe", NULL,
                                   (const char *[]){"CS_CLOCK=redis", "CS_GROUP_ID=" PROBE, NULL}) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&p, 30000));

    it_order o, o2;
    it_order_init(&o, "tb-demo", oid, buyer, "SKU-PROBE", NULL, 1);
    it_order_init(&o2, "tb-demo", oid2, buyer, "SKU-PROBE", NULL, 2);
    snprintf(eid, sizeof eid, "%s-c1", run);
    CT_EQ_INT(it_produce_order_event(&o, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, eid, base, false, NULL),
              0);
    snprintf(eid, sizeof eid, "%s-c2", run);
    CT_EQ_INT(it_produce_order_event(&o2, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, eid, base, false, NULL),
              0);
    snprintf(eid, sizeof eid, "%s-p2", run);
    CT_EQ_INT(
        it_produce_order_event(&o2, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_PAID, eid, base + 1000, false, NULL), 0);
    CT_EQ_INT(it_flush(10000), 0);

    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM timers WHERE owner='" PROBE "' "
                         "AND timer_id='%s' AND status='pending' AND due_ms=%" PRId64,
                         id, base + 3600000),
              1);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM timers WHERE owner='" PROBE "' "
                         "AND timer_id='%s' AND status='cancelled'",
                         id2),
              1);
    CT_EQ_INT(memberWhereOf(PROBE, id, 1, NULL), 1);  /* after-commit hook wrote it */
    CT_EQ_INT(memberWhereOf(PROBE, id2, 1, NULL), 0); /* the cancel removed it */

    IT_REQUIRE(it_clock_advance(2 * 3600000) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 15000,
                         "SELECT count(*) FROM timers WHERE owner='" PROBE "' "
                         "AND timer_id='%s' AND status='fired'",
                         id),
              1);
    char needle[256];
    snprintf(needle, sizeof needle, "probe took %s", id);
    CT_CHECK(it_worker_wait_log(&p, needle, 5000));
    /* the runtime removed the firing's member after that batch committed */
    int64_t t1 = it_now_ms();
    while (memberWhereOf(PROBE, id, 1, NULL) != 0 && it_now_ms() - t1 < 5000) it_sleep_ms(50);
    CT_EQ_INT(memberWhereOf(PROBE, id, 1, NULL), 0);
    snprintf(needle, sizeof needle, "probe took %s", id2);
    CT_EQ_INT(it_log_count(p.log, needle), 0);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner='" PROBE "' AND timer_id='%s' "
                        "AND status='cancelled'",
                        id2),
              1);
}

/* ---- health ------------------------------------------------------------------ */

/* Polls the dispatcher until /healthz answers status and
 * cs_timer_backends_up reads gauge; the milliseconds it took, or -1 if not
 * within timeout_ms. */
static long long waitHealth(int port, int status, double gauge, int timeout_ms) {
    int64_t t0 = it_now_ms();
    for (;;) {
        int st = it_http_status(port, "/healthz");
        double up = it_metric(port, "cs_timer_backends_up{worker=\"timer-dispatcher\"}");
        if (st == status && up == gauge) return it_now_ms() - t0;
        if (it_now_ms() - t0 >= timeout_ms) {
            fprintf(stderr, "  /healthz %d, cs_timer_backends_up %.0f after %d ms (want %d, %.0f)\n", st, up,
                    timeout_ms, status, gauge);
            return -1;
        }
        it_sleep_ms(100);
    }
}

/* docs/operations.md: cs_timer_backends_up is 1 only while Redis and
 * PostgreSQL answer. With PostgreSQL stopped, /healthz is 503 and the gauge
 * 0 within seconds; both come back by themselves when it returns. The
 * server is started again whatever the checks said. */
static void test_healthz_503_and_backends_gauge_0_while_postgres_is_down(void) {
    it_worker td;
    IT_REQUIRE(dispatcherStart(&td, "td-health", NULL) == 0);
    int port = it_worker_http_port(&td);
    IT_REQUIRE(port > 0);
    CT_CHECK(waitHealth(port, 200, 1, 10000) >= 0);
    int stopped = it_sh("bash '%s/deploy/local/stack.sh' stop-pg", it.source_dir);
    CT_EQ_INT(stopped, 0);
    if (stopped == 0) {
        long long ms = waitHealth(port, 503, 0, 10000);
        it_measure("postgres stopped: /healthz 503 and cs_timer_backends_up 0 after %lld ms", ms);
        CT_CHECK(ms >= 0);
        CT_CHECK(it_worker_alive(&td));
    }
    int started = it_sh("bash '%s/deploy/local/stack.sh' start-pg", it.source_dir);
    CT_EQ_INT(started, 0);
    it_wait_pg(IT_EQ, 1, 15000, "SELECT 1"); /* the harness's own connection too, for the cases after */
    long long ms = waitHealth(port, 200, 1, 15000);
    it_measure("postgres started: /healthz 200 and cs_timer_backends_up 1 after %lld ms", ms);
    CT_CHECK(ms >= 0);
    CT_CHECK(it_worker_wait_log(&td, "postgres reachable", 1000));
    CT_EQ_INT(it_worker_stop(&td, SIGTERM, 15000), 0);
}

/* A crash right after the PostgreSQL commit, before the after-commit hook
 * wrote Redis: the timer is in the record only. The dispatcher's
 * reconciliation puts it back, it fires, and the owner takes it once. */
static void test_crash_after_commit_before_redis_fires_once(void) {
    char run[64], oid[128], key[160], id[200], buyer[96], eid[160], needle[256];
    it_run_id(run, sizeof run);
    snprintf(oid, sizeof oid, "%s-tprobe-crash", run);
    snprintf(key, sizeof key, "tb-demo:%s", oid);
    snprintf(id, sizeof id, "probe.remind@%s", key);
    snprintf(buyer, sizeof buyer, "%s-b", run);
    int64_t base = caseBase(10);
    IT_REQUIRE(it_clock_set(base) == 0);
    it_worker p, p2, d;
    /* The probe dies at its first commit, so that must be the one with this
     * case's timer: first a plain probe takes whatever earlier runs left
     * for the group (its offsets committed at SIGTERM), then the event. */
    IT_REQUIRE(it_worker_start_bin(&p, "tests/timer-probe", "probe-drain", NULL,
                                   (const char *[]){"CS_CLOCK=redis", "CS_GROUP_ID=" PROBE, NULL}) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&p, 30000));
    /* drained when its committed offsets reach the end of the topic (other
     * suites leave thousands of orders behind) */
    int64_t td = it_now_ms();
    while (it_group_lag(PROBE, "shop.orders.v1") != 0 && it_now_ms() - td < 120000) it_sleep_ms(500);
    CT_EQ_INT(it_group_lag(PROBE, "shop.orders.v1"), 0);
    CT_EQ_INT(it_worker_stop(&p, SIGTERM, 30000), 0);
    it_order o;
    it_order_init(&o, "tb-demo", oid, buyer, "SKU-PROBE", NULL, 1);
    snprintf(eid, sizeof eid, "%s-c", run);
    CT_EQ_INT(it_produce_order_event(&o, CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_CREATED, eid, base, false, NULL),
              0);
    CT_EQ_INT(it_flush(10000), 0);
    IT_REQUIRE(it_worker_start_bin(&p, "tests/timer-probe", "probe-crash", NULL,
                                   (const char *[]){"CS_CLOCK=redis", "CS_GROUP_ID=" PROBE,
                                                    "CS_CRASH_POINT=before_commit_hooks", NULL}) == 0);
    CT_EQ_INT(it_worker_wait(&p, 30000), 86);
    /* committed in PostgreSQL, absent from Redis */
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM timers WHERE owner='" PROBE "' AND timer_id='%s' AND status='pending'", id), 1);
    CT_EQ_INT(memberWhereOf(PROBE, id, 1, NULL), 0);
    IT_REQUIRE(it_worker_start_bin(&p2, "tests/timer-probe", "probe-crash-2", NULL,
                                   (const char *[]){"CS_CLOCK=redis", "CS_GROUP_ID=" PROBE, NULL}) == 0);
    IT_REQUIRE(dispatcherStart(&d, "td-crash", NULL) == 0);
    IT_REQUIRE(it_clock_advance(2 * 3600000) == 0);
    int64_t t0 = it_now_ms();
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 20000,
                         "SELECT count(*) FROM timers WHERE owner='" PROBE "' "
                         "AND timer_id='%s' AND status='fired'",
                         id),
              1);
    it_measure("timer lost to a crash before its Redis write: restored and fired %lld ms after the advance",
               (long long)(it_now_ms() - t0));
    snprintf(needle, sizeof needle, "probe took %s", id);
    CT_CHECK(it_worker_wait_log(&p2, needle, 10000));
    it_sleep_ms(1000);
    CT_EQ_INT(it_log_count(p2.log, needle), 1);
}

/* Leaves no timer of this test's owner behind, in PostgreSQL or Redis, and
 * the clock on real time. */
static void finish(void) {
    /* every member of this test's owners, whatever its generation */
    cs_redis_pipe *p = cs_redis_pipe_new();
    for (int sh = 0; sh < CS_TIMER_SHARDS; sh++) {
        char keys[2][CS_TIMER_KEY_LEN], err[256];
        cs_timer_due_key(keys[0], sizeof keys[0], sh);
        cs_timer_inflight_key(keys[1], sizeof keys[1], sh);
        for (int k = 0; k < 2; k++) {
            redisReply *r = cs_redis_command(rds(), 4, (const char *[]){"ZRANGE", keys[k], "0", "-1"}, err, sizeof err);
            for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
                const char *m = r->element[i]->str;
                if (strncmp(m, OWNER "|", strlen(OWNER) + 1) == 0 || strncmp(m, PROBE "|", strlen(PROBE) + 1) == 0)
                    cs_redis_pipe_add(p, 3, (const char *[]){"ZREM", keys[k], m});
            }
            if (r) freeReplyObject(r);
        }
    }
    char err[256];
    if (cs_redis_pipe_count(p)) cs_redis_pipe_run(rds(), p, err, sizeof err);
    cs_redis_pipe_free(p);
    it_pg_exec("DELETE FROM timers WHERE owner IN ('" OWNER "', '" PROBE "')");
    it_clock_reset(); /* real time again: the key and its record */
    cs_redis_free(redis);
    redis = NULL;
}

int main(int argc, char **argv) {
    (void)argc;
    it_init(argv[0]);
    static const ct_case cases[] = {
        CT_CASE(test_library_schedule_reschedule_cancel_take),
        CT_CASE(test_library_batch_applies_calls_in_order),
        CT_CASE(test_library_cancel_every_timer_of_a_subject),
        CT_CASE(test_crash_after_commit_before_redis_fires_once),
        CT_CASE(test_fires_within_1s_of_clock_advance),
        CT_CASE(test_cancel_never_fires_even_after_claim),
        CT_CASE(test_reschedule_only_new_generation_acts),
        CT_CASE(test_flushall_reconciliation_restores_within_10s),
        CT_CASE(test_flushall_dispatcher_keeps_the_recorded_clock_not_real_time),
        CT_CASE(test_killed_before_ack_refires_after_lease),
        CT_CASE(test_figures_redis_bytes_and_schedule_cost),
        CT_CASE(test_cscli_timers_list_and_rebuild),
        CT_CASE(test_worker_runtime_schedules_and_takes_through_hooks),
        CT_CASE(test_two_dispatchers_fire_each_timer_once),
        CT_CASE(test_migration_0008_carries_old_release_timers_over_once),
        CT_CASE(test_healthz_503_and_backends_gauge_0_while_postgres_is_down),
    };
    int rc = it_run_cases(cases, sizeof cases / sizeof cases[0]);
    finish();
    it_shutdown();
    return rc;
}
