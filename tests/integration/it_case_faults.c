/* it_case_faults.c -- exactly once (CONTRACTS.md) for the two case
 * workers, the refund-notifier and the review-scheduler, and for the
 * review follow-ups the notifier holds and sends, through the failures
 * the runtime promises to survive, counted in PostgreSQL:
 *
 *   - each runtime crash point (after_pg_commit, after_produce,
 *     before_pg_commit, before_commit_hooks) at its 3rd pass, then a
 *     restart without it, and SIGKILL at a random moment mid-stream, then a
 *     restart, on each worker:
 *       refund-notifier: N refund-only cases of real orders (made by the
 *         order-verifier), each REQUESTED, AGREED, REFUNDED: every event
 *         applied once, each case one row at "refunded", exactly one RF-7
 *         finance request per case, its tasks once, its RF-2 timers
 *         cancelled, its RF-8 notices on cs.notifications.v1 (at least
 *         once, one id each);
 *       review-scheduler: N negative reviews, each delivered twice: one
 *         case per review, one RV-2 task per case, its two follow-up SMS
 *         requests (day 2 and day 3, RV-4: asked for when the case opens)
 *         recorded once and on cs.notifications.v1 at least once under one
 *         id each, no (case, day) under two keys (a replay asks under the
 *         same keys, which the notifier's NT-1 makes one), its no-answer
 *         timer (RV-6) pending in PostgreSQL and, after `cscli timers
 *         rebuild`, exactly once in the Redis schedule;
 *     and for all: no dead letters, the outbox drained;
 *   - the notifier crashing while it sends the day-2 follow-ups it held
 *     since day 1 and its release timers bring back (crash points
 *     after_provider_2xx and after_pg_commit, between two batches of
 *     releases), then restarted: exactly one follow-up SMS recorded sent
 *     per case, at the send time, each release applied once; the log
 *     provider's file holds every key, and only a key of the batch cut at
 *     after_provider_2xx twice (resent with the same key, which a real
 *     provider dedupes: docs/notifier.md, NT-1);
 *   - the timer-dispatcher cut after Kafka took a round of day-2 releases,
 *     before it acknowledged them (timer_before_ack): the round fires
 *     again after the lease, the notifier applies each release once, and
 *     each case still gets one follow-up;
 *   - Redis FLUSHALL while follow-ups are pending (held by the notifier,
 *     their release timers in the schedule), once with the dispatcher
 *     running (its reconciliation puts them back) and once with it
 *     stopped, the business clock set back after the flush (the clock key
 *     goes with the data) and the schedule rebuilt with `cscli timers
 *     rebuild`: every follow-up (day 2 and day 3) sent exactly once, at its
 *     send time.
 *
 * Every case uses its own consumer groups, positioned at the end of every
 * topic before its first worker starts, so it reads only what it
 * produces. The follow-up cases run on the Redis clock in a past week
 * (like it_reviews) and delete the clock key at the end. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cs/clock.h"
#include "cs/redis.h"
#include "cs/timer_keys.h"
#include "cs/timer_sync.h"
#include "cs/topics.h"
#include "cs/tz.h"
#include "it.h"

#define KIND(k) CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_##k
#define STAGE(s) CS__V1__CASE_STAGE__CASE_STAGE_##s
#define RF_NAME "refund-notifier"
#define RV_NAME "review-scheduler"
#define NT_NAME "notifier"
#define RF_CASES 300 /* x3 events: requested, agreed, refunded */
#define RF_EVENTS (3 * RF_CASES)
#define RV_REVIEWS 300 /* x2 events: each review delivered twice */
#define RV_EVENTS (2 * RV_REVIEWS)
#define FOLLOW_UPS 12  /* cases whose day-2 follow-up the notifier sends across a crash */
#define FLUSH_CASES 10 /* cases whose follow-ups are pending when Redis is flushed */
#define CRASH_BATCH 4  /* the notifier's batches in the crash cases: several per run */
#define DONE_TIMEOUT_MS 120000
#define MIN_MS 60000LL

/* ---- common ------------------------------------------------------------------------ */

static int64_t shanghai(int y, int m, int d, int hh, int mm) {
    char err[128];
    static cs_tz *tz;
    if (!tz) tz = cs_tz_load("Asia/Shanghai", err, sizeof err);
    return cs_tz_instant(tz, cs_day_from_ymd(y, m, d), hh * 60 + mm);
}

/* Reviews posted on 11-13 (day 1) at 18:30 local; the send time 10:00. */
#define POSTED shanghai(2026, 11, 13, 18, 30)
#define DAY1 (POSTED + MIN_MS)
#define DAY2_SEND shanghai(2026, 11, 14, 10, 0)
#define DAY3_SEND shanghai(2026, 11, 15, 10, 0)

/* Positions group at the end of every project topic (it has no members
 * yet), so its workers read only what this case produces from now on. */
static long long processed(const char *worker, const char *evp) {
    char r[400];
    return it_pg_int("SELECT count(*) FROM processed_events WHERE worker = '%s' AND %s", worker,
                     it_prefix(r, sizeof r, "event_id", evp));
}

static long long deadLetters(const char *worker, const char *evp) {
    char r[400];
    return it_pg_int("SELECT count(*) FROM dead_letters WHERE worker = '%s' AND %s", worker,
                     it_prefix(r, sizeof r, "event_id", evp));
}

/* The outbox rows of crashed batches are swept and produced: none of the
 * run's records is left after a few seconds. */
static long long outboxLeft(const char *run) {
    return it_wait_pg(IT_EQ, 0, 20000,
                      "SELECT count(*) FROM outbox WHERE position(convert_to('%s', 'UTF8') in records) > 0", run);
}

/* Pending timers of `owner` whose id contains `idpart` that are in their
 * shard's due set with their due time as score: the Redis schedule of
 * what PostgreSQL records (docs/timers.md, "Redis layout"); -1 if Redis
 * or PostgreSQL cannot be read. */
static long long scheduledInRedis(const char *owner, const char *idpart) {
    char err[256];
    PGconn *pg = it_pg();
    if (!pg) return -1;
    char q[512];
    snprintf(q, sizeof q,
             "SELECT owner, timer_id, kind, order_key, due_ms, generation, payload FROM timers "
             "WHERE owner = '%s' AND status = 'pending' AND position('%s' in timer_id) > 0",
             owner, idpart);
    PGresult *r = PQexec(pg, q);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "  timers: %s", PQerrorMessage(pg));
        PQclear(r);
        return -1;
    }
    cs_redis *redis = cs_redis_new(it.redis_url, err, sizeof err);
    if (!redis) {
        fprintf(stderr, "  redis: %s\n", err);
        PQclear(r);
        return -1;
    }
    long long n = 0;
    static char member[CS_TIMER_MEMBER_MAX];
    for (int j = 0; j < PQntuples(r) && n >= 0; j++) {
        const char *o = PQgetvalue(r, j, 0), *id = PQgetvalue(r, j, 1), *due = PQgetvalue(r, j, 4);
        char key[CS_TIMER_KEY_LEN];
        cs_timer_due_key(key, sizeof key, cs_timer_shard(o, id));
        if (cs_timer_member_of_row(member, sizeof member, o, id, PQgetvalue(r, j, 5), due, PQgetvalue(r, j, 2),
                                   PQgetvalue(r, j, 3), PQgetvalue(r, j, 6)) != 0) {
            n = -1;
            break;
        }
        redisReply *z = cs_redis_command(redis, 3, (const char *[]){"ZSCORE", key, member}, err, sizeof err);
        if (!z) {
            fprintf(stderr, "  redis: %s\n", err);
            n = -1;
            break;
        }
        if (z->type == REDIS_REPLY_STRING && strtoll(z->str, NULL, 10) == strtoll(due, NULL, 10)) n++;
        freeReplyObject(z);
    }
    cs_redis_free(redis);
    PQclear(r);
    return n;
}

/* `cscli timers rebuild`: the operator's full reconciliation (docs/timers.md). */
static int timersRebuild(void) { return it_sh("CS_ROLE=operator '%s/cscli' timers rebuild >&2", it.build_dir); }

/* A crash run: the worker started with point at its 3rd pass exits 86
 * with part of the stream applied (none for before_pg_commit, whose
 * passes commit nothing). */
static void expectCrash(it_worker *w, const char *point, const char *worker, const char *evp, long long total) {
    int64_t t0 = it_now_ms();
    int rc = it_worker_wait(w, 120000);
    long long at = processed(worker, evp);
    it_measure("%s %s: exit %d after %lld ms with %lld of %lld events applied", worker, point, rc,
               (long long)(it_now_ms() - t0), at, total);
    CT_EQ_INT(rc, 86);
    CT_EQ_INT(it_log_count(w->log, "crash point"), 1);
    CT_CHECK(at < total);
    if (strcmp(point, "before_pg_commit") != 0) CT_CHECK(at > 0);
    if (rc != 86) it_worker_stop(w, SIGKILL, 5000);
}

/* Whether rec's event id contains idpart (NULL: any record). */
static bool idHas(const it_rec *rec, const char *idpart) {
    return !idpart || (rec->env && strstr(rec->env->event_id, idpart));
}

/* Reads r (records whose key contains match) until it holds want
 * distinct event ids containing idpart (NULL: any) or timeout_ms passes:
 * a record may be on a topic twice after a crash, always with its id
 * (CONTRACTS.md). Returns those distinct ids; *records = records of them
 * read, duplicates included. */
static long distinctIdsOf(it_reader *r, const char *match, const char *idpart, long want, int timeout_ms,
                          size_t *records) {
    int64_t end = it_now_ms() + timeout_ms;
    size_t seen = 0, of = 0; /* records already counted; of them, with idpart */
    long ids = 0;
    for (;;) {
        size_t n = it_reader_count(r);
        for (; seen < n; seen++) {
            const it_rec *a = it_reader_get(r, seen);
            if (!idHas(a, idpart)) continue;
            of++;
            bool dup = !a->env;
            for (size_t j = 0; j < seen && !dup; j++) {
                const it_rec *b = it_reader_get(r, j);
                dup = b->env && strcmp(a->env->event_id, b->env->event_id) == 0;
            }
            if (!dup) ids++;
        }
        if (ids >= want || it_now_ms() >= end) break;
        it_reader_collect(r, match, n + (size_t)(want - ids), 1000);
    }
    *records = of;
    return ids;
}

static long distinctIds(it_reader *r, const char *match, long want, int timeout_ms, size_t *records) {
    return distinctIdsOf(r, match, NULL, want, timeout_ms, records);
}

/* ---- the refund-notifier ------------------------------------------------------------- */

typedef struct rfScen {
    char run[32];
    char group[96];           /* CS_GROUP_ID=... */
    char evp[48];             /* case event ids "<run>-e<i>-<stage>" */
    char op[48];              /* order ids "<run>-o<i>" */
    char cp[48];              /* case ids "<run>-c<i>" */
    int64_t amount[RF_CASES]; /* each order's payable: the refund */
    int produced;             /* cases whose three events are produced */
    int64_t t0;               /* the cases' REQUESTED time */
    it_reader *notices;       /* cs.notifications.v1 from before the first case */
} rfScen;

/* One after-sales case event of tb-demo, keyed by its order (as the
 * gateway keys it). */
static int produceCase(const rfScen *s, int i, Cs__V1__CaseStage stage, const char *tag, int64_t event_ms) {
    char order[64], kase[64], eid[96], key[96];
    snprintf(order, sizeof order, "%s%d", s->op, i);
    snprintf(kase, sizeof kase, "%s%d", s->cp, i);
    snprintf(eid, sizeof eid, "%s%d-%s", s->evp, i, tag);
    Cs__V1__AfterSalesCase c = CS__V1__AFTER_SALES_CASE__INIT;
    c.case_id = kase;
    c.order_id = order;
    c.type = CS__V1__CASE_TYPE__CASE_TYPE_REFUND_ONLY;
    c.reason = CS__V1__CASE_REASON__CASE_REASON_CHANGED_MIND;
    c.stage = stage;
    c.amount_fen = s->amount[i];
    c.agent = (char *)"小王";
    Cs__V1__AfterSalesEvent ae = CS__V1__AFTER_SALES_EVENT__INIT;
    ae.body_case = CS__V1__AFTER_SALES_EVENT__BODY_CASE;
    ae.case_ = &c;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.event_id = eid;
    env.shop_id = (char *)"tb-demo";
    env.event_ms = event_ms;
    env.ingest_ms = it_wall_ms();
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_AFTERSALES;
    env.aftersales = &ae;
    snprintf(key, sizeof key, "tb-demo:%s", order);
    return it_produce_env("shop.aftersales.v1", -1, key, &env, NULL);
}

/* Run ids, the group at the end of every topic, and the cases' orders
 * made by the real order-verifier (created and paid, not shipped), so
 * each case is about an order the store knows. */
static bool rfInit(rfScen *s) {
    memset(s, 0, sizeof *s);
    it_run_id(s->run, sizeof s->run);
    snprintf(s->group, sizeof s->group, "CS_GROUP_ID=refund-notifier-case-faults-%s", s->run);
    snprintf(s->evp, sizeof s->evp, "%s-e", s->run);
    snprintf(s->op, sizeof s->op, "%s-o", s->run);
    snprintf(s->cp, sizeof s->cp, "%s-c", s->run);
    if (!it_group_at_end(s->group + strlen("CS_GROUP_ID="))) return false;
    s->notices = it_reader_open("cs.notifications.v1", false);
    if (!s->notices) return false;
    it_worker ov;
    if (it_worker_start(&ov, "rf-orders", NULL) != 0) return false;
    char id[96], eid[128], buyer[96], sku[64];
    snprintf(sku, sizeof sku, "SKU-%s", s->run);
    for (int i = 0; i < RF_CASES; i++) {
        it_order o;
        snprintf(id, sizeof id, "%s%d", s->op, i);
        snprintf(buyer, sizeof buyer, "%s-b%d", s->run, i);
        it_order_init(&o, "tb-demo", id, buyer, sku, NULL, i);
        s->amount[i] = it_order_payable(&o);
        snprintf(eid, sizeof eid, "%s-created", id);
        if (it_produce_order_event(&o, KIND(CREATED), eid, o.created_ms, true, NULL) != 0) return false;
    }
    char r[400];
    bool ok = it_flush(60000) == 0 &&
              it_wait_pg(IT_EQ, RF_CASES, 60000, "SELECT count(*) FROM orders WHERE shop_id = 'tb-demo' AND %s",
                         it_prefix(r, sizeof r, "order_id", s->op)) == RF_CASES;
    int rc = it_worker_stop(&ov, SIGTERM, 30000);
    if (rc != 0) fprintf(stderr, "  order-verifier exited %d\n", rc);
    s->t0 = it_wall_ms();
    return ok && rc == 0;
}

/* Produces the next n cases, each REQUESTED, AGREED, REFUNDED a second
 * apart (one key: in that order on one partition), acknowledged. */
static bool rfProduce(rfScen *s, int n) {
    for (int k = 0; k < n && s->produced < RF_CASES; k++) {
        int i = s->produced++;
        if (produceCase(s, i, STAGE(REQUESTED), "req", s->t0) != 0 ||
            produceCase(s, i, STAGE(AGREED), "agr", s->t0 + 1000) != 0 ||
            produceCase(s, i, STAGE(REFUNDED), "ref", s->t0 + 2000) != 0)
            return false;
    }
    return it_flush(60000) == 0;
}

static int rfStart(it_worker *w, const rfScen *s, const char *name, const char *crash) {
    char cp[64];
    snprintf(cp, sizeof cp, "CS_CRASH_POINT=%s", crash ? crash : "");
    const char *env[] = {s->group, "CS_BATCH_MAX=50", cp, crash ? "CS_CRASH_AFTER=3" : "CS_CRASH_AFTER=1", NULL};
    return it_worker_start_bin(w, RF_NAME, name, NULL, env);
}

/* The exactly-once assertions of the file comment, after a restart. */
static void rfCheck(rfScen *s, const char *what) {
    char r[400], r2[400];
    const long long N = RF_CASES;
    int64_t t0 = it_now_ms();
    long long n = it_wait_pg(IT_EQ, RF_EVENTS, DONE_TIMEOUT_MS,
                             "SELECT count(*) FROM processed_events WHERE worker = '" RF_NAME "' AND %s",
                             it_prefix(r, sizeof r, "event_id", s->evp));
    it_measure("%s: %lld of %d case events applied, %lld ms after the restart", what, n, RF_EVENTS,
               (long long)(it_now_ms() - t0));
    CT_EQ_INT(s->produced, RF_CASES);
    CT_EQ_INT(n, RF_EVENTS);
    /* one case per case id, at the last stage */
    it_prefix(r, sizeof r, "case_id", s->cp);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM cases WHERE shop_id = 'tb-demo' AND kind = 'aftersales' AND %s", r), N);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM cases WHERE shop_id = 'tb-demo' AND kind = 'aftersales' AND %s "
                        "AND stage = 'refunded'",
                        r),
              N);
    /* RF-7: one finance request per refund, of the case's amount */
    it_prefix(r2, sizeof r2, "order_id", s->op);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM finance_requests WHERE shop_id = 'tb-demo' AND %s", r2), N);
    CT_EQ_INT(it_pg_int("SELECT count(DISTINCT order_id) FROM finance_requests WHERE shop_id = 'tb-demo' AND %s "
                        "AND kind = 'refund' AND rule = 'RF-7'",
                        r2),
              N);
    int64_t sum = 0;
    for (int i = 0; i < RF_CASES; i++) sum += s->amount[i];
    CT_EQ_INT(
        it_pg_int("SELECT coalesce(sum(amount_fen), 0) FROM finance_requests WHERE shop_id = 'tb-demo' AND %s", r2),
        sum);
    /* the owner's tasks at REQUESTED: one per case */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE shop_id = 'tb-demo' AND %s", r2), N);
    CT_EQ_INT(it_pg_int("SELECT count(DISTINCT order_id) FROM tasks WHERE shop_id = 'tb-demo' AND %s", r2), N);
    /* RF-2: armed at registration, cancelled by the refund */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner = '" RF_NAME
                        "' AND timer_id LIKE 'rf2.%%@tb-demo:%s%%'",
                        s->cp),
              2 * N);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner = '" RF_NAME
                        "' AND timer_id LIKE 'rf2.%%@tb-demo:%s%%' "
                        "AND status = 'cancelled'",
                        s->cp),
              2 * N);
    CT_EQ_INT(deadLetters(RF_NAME, s->evp), 0);
    CT_EQ_INT(outboxLeft(s->run), 0);
    /* RF-8: refund_agreed and refund_done per case, each id at least once */
    size_t got = 0;
    long ids = distinctIds(s->notices, s->run, 2 * RF_CASES, 60000, &got);
    it_measure("%s: cs.notifications.v1 carries %zu records of the run, %ld distinct ids", what, got, ids);
    CT_EQ_INT(ids, 2 * N);
}

static void rfFree(rfScen *s) { it_reader_close(s->notices); }

static void rfCrashPoint(const char *point) {
    static rfScen s;
    IT_REQUIRE(rfInit(&s));
    IT_REQUIRE(rfProduce(&s, RF_CASES));
    it_worker w;
    IT_REQUIRE(rfStart(&w, &s, "rf-crash", point) == 0);
    expectCrash(&w, point, RF_NAME, s.evp, RF_EVENTS);
    it_worker w2;
    IT_REQUIRE(rfStart(&w2, &s, "rf-restart", NULL) == 0);
    rfCheck(&s, point);
    CT_EQ_INT(it_log_count(w2.log, "crash point"), 0);
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
    rfFree(&s);
}

static void test_rf_crash_after_pg_commit_then_restart_each_case_once(void) { rfCrashPoint("after_pg_commit"); }
static void test_rf_crash_after_produce_then_restart_each_case_once(void) { rfCrashPoint("after_produce"); }
static void test_rf_crash_before_pg_commit_then_restart_each_case_once(void) { rfCrashPoint("before_pg_commit"); }
static void test_rf_crash_before_commit_hooks_then_restart_each_case_once(void) { rfCrashPoint("before_commit_hooks"); }

/* SIGKILL at a random moment while cases are still arriving. */
static void test_rf_sigkill_mid_stream_then_restart_each_case_once(void) {
    static rfScen s;
    IT_REQUIRE(rfInit(&s));
    srand((unsigned)(it_wall_ms() ^ getpid()));
    long long at = 100 + rand() % (RF_EVENTS / 2); /* applied events at the kill */
    IT_REQUIRE(rfProduce(&s, RF_CASES / 3));
    it_worker w;
    IT_REQUIRE(rfStart(&w, &s, "rf-victim", NULL) == 0);
    long long applied = 0;
    int64_t t0 = it_now_ms();
    while ((applied = processed(RF_NAME, s.evp)) < at && it_now_ms() - t0 < 60000) {
        if (s.produced < RF_CASES)
            IT_REQUIRE(rfProduce(&s, 10));
        else
            it_sleep_ms(5);
    }
    int rc = it_worker_stop(&w, SIGKILL, 10000);
    long long after = processed(RF_NAME, s.evp);
    it_measure("refund-notifier SIGKILL at %lld applied events (target %lld, %d cases produced): exit %d; %lld after",
               applied, at, s.produced, rc, after);
    CT_EQ_INT(rc, 128 + SIGKILL);
    CT_CHECK(after >= at && after < RF_EVENTS);
    IT_REQUIRE(rfProduce(&s, RF_CASES));
    it_worker w2;
    IT_REQUIRE(rfStart(&w2, &s, "rf-restart", NULL) == 0);
    rfCheck(&s, "rf sigkill");
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
    rfFree(&s);
}

/* ---- the review-scheduler ------------------------------------------------------------ */

/* A mobile number unique to this process: 139 + 8 digits, k apart. */
static void numberFor(char *out, size_t len, int k) {
    static unsigned base;
    if (!base) base = (unsigned)((getpid() * 7919u + (unsigned)it_wall_ms()) % 90000000u);
    snprintf(out, len, "139%08u", (base + (unsigned)k * 1013u) % 100000000u);
}

typedef struct rvScen {
    char run[32];
    char group[96];      /* CS_GROUP_ID=... */
    char ntGroup[96];    /* the notifier's, CS_GROUP_ID=... (follow-up cases) */
    char evp[48];        /* review event ids "<run>-e<i>-<a|b>" */
    char op[48];         /* order ids "<run>-o<i>" */
    char rp[48];         /* review (= case) ids "<run>-r<i>" */
    char log[1200];      /* the log provider's file (follow-up cases) */
    int produced;        /* reviews produced (twice each) */
    int nbase;           /* first number index (numberFor) */
    int64_t posted;      /* posting time of every review */
    it_reader *requests; /* cs.notifications.v1 from before the first review */
    int64_t since;       /* PostgreSQL's wall ms at rvInit: what the run's workers applied is after it */
} rvScen;

static bool rvInit(rvScen *s, int64_t posted) {
    static int numbers; /* numbers used so far: each review its own */
    memset(s, 0, sizeof *s);
    it_run_id(s->run, sizeof s->run);
    snprintf(s->group, sizeof s->group, "CS_GROUP_ID=review-scheduler-case-faults-%s", s->run);
    snprintf(s->ntGroup, sizeof s->ntGroup, "CS_GROUP_ID=notifier-case-faults-%s", s->run);
    snprintf(s->evp, sizeof s->evp, "%s-e", s->run);
    snprintf(s->op, sizeof s->op, "%s-o", s->run);
    snprintf(s->rp, sizeof s->rp, "%s-r", s->run);
    snprintf(s->log, sizeof s->log, "%s/%s-messages.jsonl", it.log_dir, s->run);
    s->nbase = numbers;
    numbers += RV_REVIEWS;
    s->since = it_pg_int("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint");
    s->posted = posted;
    if (!it_group_at_end(s->group + strlen("CS_GROUP_ID="))) return false;
    s->requests = it_reader_open("cs.notifications.v1", false);
    return s->requests != NULL;
}

static void rvFree(rvScen *s) {
    if (s->requests) it_reader_close(s->requests);
    s->requests = NULL;
}

/* Review i, negative, by its own buyer from its own number, as event
 * "<evp><i>-<tag>". */
static int produceReview(const rvScen *s, int i, const char *tag) {
    char order[64], review[64], buyer[64], phone[32], eid[96], key[96];
    snprintf(order, sizeof order, "%s%d", s->op, i);
    snprintf(review, sizeof review, "%s%d", s->rp, i);
    snprintf(buyer, sizeof buyer, "%s-b%d", s->run, i);
    snprintf(eid, sizeof eid, "%s%d-%s", s->evp, i, tag);
    numberFor(phone, sizeof phone, s->nbase + i);
    Cs__V1__Review r = CS__V1__REVIEW__INIT;
    r.review_id = review;
    r.order_id = order;
    r.buyer_id = buyer;
    r.sku = (char *)"SKU-RV";
    r.rating = CS__V1__REVIEW_RATING__REVIEW_RATING_NEGATIVE;
    r.text = (char *)"物流太慢";
    r.dislike = CS__V1__DISLIKE_KIND__DISLIKE_KIND_SERVICE;
    r.posted_ms = s->posted;
    r.item_price_fen = 2999;
    r.buyer_phone = phone;
    Cs__V1__Envelope env = CS__V1__ENVELOPE__INIT;
    env.event_id = eid;
    env.shop_id = (char *)"tb-demo";
    env.event_ms = s->posted;
    env.ingest_ms = it_wall_ms();
    env.source = (char *)"it";
    env.body_case = CS__V1__ENVELOPE__BODY_REVIEW;
    env.review = &r;
    snprintf(key, sizeof key, "tb-demo:%s", order);
    return it_produce_env("shop.reviews.v1", -1, key, &env, NULL);
}

/* The next n reviews, each delivered twice under two event ids (RV-1:
 * the second opens nothing), acknowledged. */
static bool rvProduce(rvScen *s, int n, int max, bool twice) {
    for (int k = 0; k < n && s->produced < max; k++) {
        int i = s->produced++;
        if (produceReview(s, i, "a") != 0) return false;
        if (twice && produceReview(s, i, "b") != 0) return false;
    }
    return it_flush(60000) == 0;
}

static int rvStart(it_worker *w, const rvScen *s, const char *name, const char *crash, bool redisClock) {
    char cp[64];
    snprintf(cp, sizeof cp, "CS_CRASH_POINT=%s", crash ? crash : "");
    const char *env[] = {s->group,
                         "CS_BATCH_MAX=50",
                         cp,
                         crash ? "CS_CRASH_AFTER=3" : "CS_CRASH_AFTER=1",
                         redisClock ? "CS_CLOCK=redis" : "CS_CLOCK=system",
                         NULL};
    return it_worker_start_bin(w, RV_NAME, name, NULL, env);
}

/* Cancels the run's timers still pending, as closing the cases would: the
 * review-scheduler's no-answer timers, and the follow-ups a notifier still
 * holds (day 3's, when a case stops at day 2), with the sweeps of the
 * scenarios' send times. A later case moves the clock past their due
 * times and must not send them (the sweep finds nothing held of this run;
 * a cancelled sweep's Redis member fires and the take refuses it). */
static void cancelPending(const rvScen *s) {
    if (!s->op[0]) return; /* rvInit never ran: an empty prefix is every order */
    char r[400];
    it_pg_exec("UPDATE timers SET status = 'cancelled' WHERE owner = '" RV_NAME "' AND status = 'pending' AND "
               "timer_id LIKE '%%@tb-demo:%s%%'",
               s->rp);
    it_pg_exec("UPDATE messages SET status = 'cancelled', reason = 'test: scenario ended', release_ms = NULL, "
               "release_bucket = NULL WHERE shop_id = 'tb-demo' AND status = 'held' AND %s",
               it_prefix(r, sizeof r, "order_id", s->op));
    it_pg_exec("UPDATE timers SET status = 'cancelled' WHERE owner = '" NT_NAME "' AND status = 'pending' AND "
               "kind = 'nt.sweep' AND (timer_id LIKE 'nt.sweep@tb-demo:%lld#%%' OR "
               "timer_id LIKE 'nt.sweep@tb-demo:%lld#%%')",
               (long long)DAY2_SEND, (long long)DAY3_SEND);
}

/* RV-4 on cs.notifications.v1: reads the run's requests until want
 * distinct ids are there (a record may be there twice after a crash,
 * with its id), then checks that each is a follow-up naming its case, held
 * until a send time before its expiry, with its event id as NT-1 key, and
 * that no (case, send time) was asked for under two keys: a replayed review
 * asks again under the same keys, which the notifier makes one (NT-1). */
static void checkRequests(rvScen *s, long want, const char *what) {
    size_t got = 0;
    long ids = distinctIds(s->requests, s->run, want, 60000, &got);
    long pairs = 0, odd = 0;
    for (size_t i = 0; i < got; i++) {
        const it_rec *a = it_reader_get(s->requests, i);
        const Cs__V1__NotificationRequest *q =
            a->env && a->env->body_case == CS__V1__ENVELOPE__BODY_NOTIFICATION ? a->env->notification : NULL;
        if (!q || q->class_ != CS__V1__MESSAGE_CLASS__MESSAGE_CLASS_FOLLOW_UP || !q->case_id || !q->case_id[0] ||
            !q->idempotency_key || strcmp(q->idempotency_key, a->env->event_id) != 0 || q->not_before_ms <= 0 ||
            q->expires_ms <= q->not_before_ms) {
            odd++;
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) {
            const it_rec *b = it_reader_get(s->requests, j);
            const Cs__V1__NotificationRequest *p =
                b->env && b->env->body_case == CS__V1__ENVELOPE__BODY_NOTIFICATION ? b->env->notification : NULL;
            dup = p && p->case_id && strcmp(p->case_id, q->case_id) == 0 && p->not_before_ms == q->not_before_ms;
        }
        if (!dup) pairs++;
    }
    it_measure("%s: cs.notifications.v1 carries %zu follow-up requests of the run, %ld ids, %ld (case, day) pairs",
               what, got, ids, pairs);
    CT_EQ_INT(ids, want);
    CT_EQ_INT(pairs, want);
    CT_EQ_INT(odd, 0);
}

/* RV-1, RV-2, RV-4, RV-6 once per review whatever happened to the worker. */
static void rvCheck(rvScen *s, const char *what) {
    char r[400];
    const long long N = RV_REVIEWS;
    int64_t t0 = it_now_ms();
    long long n = it_wait_pg(IT_EQ, RV_EVENTS, DONE_TIMEOUT_MS,
                             "SELECT count(*) FROM processed_events WHERE worker = '" RV_NAME "' AND %s",
                             it_prefix(r, sizeof r, "event_id", s->evp));
    it_measure("%s: %lld of %d review events applied, %lld ms after the restart", what, n, RV_EVENTS,
               (long long)(it_now_ms() - t0));
    CT_EQ_INT(s->produced, RV_REVIEWS);
    CT_EQ_INT(n, RV_EVENTS);
    /* RV-1: one case per review, open */
    it_prefix(r, sizeof r, "case_id", s->rp);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM cases WHERE shop_id = 'tb-demo' AND kind = 'review' AND %s", r), N);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM cases WHERE shop_id = 'tb-demo' AND kind = 'review' AND %s AND stage = 'open'",
                  r),
        N);
    /* RV-2: one day-1 contact task per case (the buyers are offline: a call) */
    it_prefix(r, sizeof r, "order_id", s->op);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM tasks WHERE shop_id = 'tb-demo' AND %s", r), N);
    CT_EQ_INT(it_pg_int("SELECT count(DISTINCT order_id) FROM tasks WHERE shop_id = 'tb-demo' AND %s AND "
                        "rule = 'RV-2' AND kind = 'TASK_KIND_CALL'",
                        r),
              N);
    /* RV-4: the day-2 and day-3 follow-up SMS requested at the opening,
     * two per case and no more (the second delivery opens nothing, a
     * replayed batch asks under the same keys), and each on
     * cs.notifications.v1 */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM notification_requests WHERE shop_id = 'tb-demo' AND %s AND "
                        "template = 'review_follow_up'",
                        r),
              2 * N);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM (SELECT order_id FROM notification_requests WHERE shop_id = 'tb-demo' "
                  "AND %s AND template = 'review_follow_up' AND rule = 'RV-4' AND class = 'MESSAGE_CLASS_FOLLOW_UP' "
                  "GROUP BY order_id HAVING count(*) = 2) c",
                  r),
        N);
    checkRequests(s, 2 * N, what);
    /* RV-6: the no-answer timer per case, the review-scheduler's only one */
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM timers WHERE owner = '" RV_NAME "' AND timer_id LIKE '%%@tb-demo:%s%%'", s->rp),
        N);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner = '" RV_NAME "' AND timer_id LIKE "
                        "'rv6.no_answer@tb-demo:%s%%' AND status = 'pending'",
                        s->rp),
              N);
    CT_EQ_INT(deadLetters(RV_NAME, s->evp), 0);
    CT_EQ_INT(outboxLeft(s->run), 0);
    /* Redis: a batch cut after COMMIT wrote no schedule; the rebuild puts
     * it back, and every timer is then scheduled once, at its time */
    CT_EQ_INT(timersRebuild(), 0);
    CT_EQ_INT(scheduledInRedis(RV_NAME, s->rp), N);
}

/* A review-scheduler case's end, whatever happened (a required step that
 * failed leaves its run early): its no-answer timers cancelled, and the
 * release timers of any notifier that held its requests until tomorrow's
 * send time (real time), its reader closed. */
static void rvEnd(rvScen *s) {
    cancelPending(s);
    rvFree(s);
}

static void rvCrashRun(rvScen *s, const char *point) {
    IT_REQUIRE(rvInit(s, it_wall_ms() - MIN_MS));
    IT_REQUIRE(rvProduce(s, RV_REVIEWS, RV_REVIEWS, true));
    it_worker w;
    IT_REQUIRE(rvStart(&w, s, "rv-crash", point, false) == 0);
    expectCrash(&w, point, RV_NAME, s->evp, RV_EVENTS);
    it_worker w2;
    IT_REQUIRE(rvStart(&w2, s, "rv-restart", NULL, false) == 0);
    rvCheck(s, point);
    CT_EQ_INT(it_log_count(w2.log, "crash point"), 0);
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
}

static void rvCrashPoint(const char *point) {
    static rvScen s;
    rvCrashRun(&s, point);
    rvEnd(&s);
}

static void test_rv_crash_after_pg_commit_then_restart_one_case_per_review(void) { rvCrashPoint("after_pg_commit"); }
static void test_rv_crash_after_produce_then_restart_one_case_per_review(void) { rvCrashPoint("after_produce"); }
static void test_rv_crash_before_pg_commit_then_restart_one_case_per_review(void) { rvCrashPoint("before_pg_commit"); }
static void test_rv_crash_before_commit_hooks_then_restart_one_case_per_review(void) {
    rvCrashPoint("before_commit_hooks");
}

static void rvSigkillRun(rvScen *s) {
    IT_REQUIRE(rvInit(s, it_wall_ms() - MIN_MS));
    srand((unsigned)(it_wall_ms() ^ getpid()));
    long long at = 50 + rand() % (RV_EVENTS / 2);
    IT_REQUIRE(rvProduce(s, RV_REVIEWS / 3, RV_REVIEWS, true));
    it_worker w;
    IT_REQUIRE(rvStart(&w, s, "rv-victim", NULL, false) == 0);
    long long applied = 0;
    int64_t t0 = it_now_ms();
    while ((applied = processed(RV_NAME, s->evp)) < at && it_now_ms() - t0 < 60000) {
        if (s->produced < RV_REVIEWS)
            IT_REQUIRE(rvProduce(s, 10, RV_REVIEWS, true));
        else
            it_sleep_ms(5);
    }
    int rc = it_worker_stop(&w, SIGKILL, 10000);
    long long after = processed(RV_NAME, s->evp);
    it_measure(
        "review-scheduler SIGKILL at %lld applied events (target %lld, %d reviews produced): exit %d; %lld after",
        applied, at, s->produced, rc, after);
    CT_EQ_INT(rc, 128 + SIGKILL);
    CT_CHECK(after >= at && after < RV_EVENTS);
    IT_REQUIRE(rvProduce(s, RV_REVIEWS, RV_REVIEWS, true));
    it_worker w2;
    IT_REQUIRE(rvStart(&w2, s, "rv-restart", NULL, false) == 0);
    rvCheck(s, "rv sigkill");
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
}

static void test_rv_sigkill_mid_stream_then_restart_one_case_per_review(void) {
    static rvScen s;
    rvSigkillRun(&s);
    rvEnd(&s);
}

/* ---- follow-ups on the Redis clock ----------------------------------------------------- */


/* Back to real time: the key and its record (deleting the key alone
 * would have it restored from the record). */
static void clockRelease(void) { it_clock_reset(); }

/* The notifier on the Redis clock with the log provider writing to log. */
static int ntStart(it_worker *w, const char *group, const char *name, const char *log, const char *crash) {
    char tpl[1200], file[1200], cp[64];
    snprintf(tpl, sizeof tpl, "CS_NOTIFIER_TEMPLATES=%s/workers/notifier/templates/zh-CN.json", it.source_dir);
    snprintf(file, sizeof file, "CS_NOTIFIER_LOG_FILE=%s", log);
    snprintf(cp, sizeof cp, "CS_CRASH_POINT=%s", crash ? crash : "");
    char bm[32];
    snprintf(bm, sizeof bm, "CS_BATCH_MAX=%d", CRASH_BATCH);
    const char *env[] = {"CS_CLOCK=redis", group, tpl, file, "CS_SMS_URL=", "CS_IM_URL=", "CS_BATCH_WAIT_MS=5", bm, cp,
                         /* the 2nd batch that passes the point: the 1st one is committed by then */
                         "CS_CRASH_AFTER=2", NULL};
    return it_worker_start_bin(w, NT_NAME, name, NULL, env);
}

/* A follow-up case: reviews posted at POSTED, the notifier's group at the
 * end of every topic, the clock on day 1. */
static bool fuInit(rvScen *s) {
    return rvInit(s, POSTED) && it_group_at_end(s->ntGroup + strlen("CS_GROUP_ID=")) && it_clock_set(DAY1) == 0;
}

/* Its end, whatever happened: nothing of the run left to fire, the clock
 * back to real time. */
static void fuEnd(rvScen *s) {
    rvEnd(s);
    clockRelease();
}

/* Follow-up SMS of the run's orders recorded sent at exactly `at` (all
 * when at < 0). */
static long long followUpsSent(const rvScen *s, int64_t at) {
    char r[400];
    it_prefix(r, sizeof r, "order_id", s->op);
    if (at < 0)
        return it_pg_int("SELECT count(*) FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                         "template = 'review_follow_up' AND status = 'sent'",
                         r);
    return it_pg_int("SELECT count(*) FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                     "template = 'review_follow_up' AND status = 'sent' AND sent_ms = %lld",
                     r, (long long)at);
}

/* Follow-ups of the run the notifier holds until their send time `at`
 * (RV-4). */
static long long followUpsHeld(const rvScen *s, int64_t at) {
    char r[400];
    return it_pg_int("SELECT count(*) FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                     "template = 'review_follow_up' AND status = 'held' AND reason = 'RV-4 SEND_TIME' AND "
                     "release_ms = %lld",
                     it_prefix(r, sizeof r, "order_id", s->op), (long long)at);
}

/* The run's follow-ups held until `due` (or released then: sent at `due`,
 * a released row keeps its bucket) whose sweep timer's status is LIKE
 * status (docs/notifier.md: "nt.sweep@<shop>:<release ms>#b<bucket>",
 * shared by every held message of its shop, time and bucket), waited
 * for up to timeout_ms until it is want (a sweep that released anything
 * is armed again and ends 'fired' when a firing finds nothing). */
static long long releasesWait(const rvScen *s, const char *status, int64_t due, long long want, int timeout_ms) {
    char r[400];
    return it_wait_pg(want < 0 ? IT_GE : IT_EQ, want < 0 ? 0 : want, timeout_ms,
                      "SELECT count(*) FROM messages m JOIN timers t ON t.owner = '" NT_NAME "' AND t.timer_id = "
                      IT_SWEEP_ID("m", "%lld") " WHERE t.kind = 'nt.sweep' AND t.status LIKE '%s' AND "
                      "(m.release_ms = %lld OR m.sent_ms = %lld) AND m.shop_id = 'tb-demo' AND "
                      "m.template = 'review_follow_up' AND %s",
                      (long long)due, status, (long long)due, (long long)due,
                      it_prefix(r, sizeof r, "m.order_id", s->op));
}

static long long releases(const rvScen *s, const char *status, int64_t due) {
    return releasesWait(s, status, due, -1, 0); /* read once */
}

/* The run's follow-ups of `due` whose sweep has a firing the notifier
 * applied since the run began (the dispatcher's event ids
 * "timer/<owner>/<timer id>/<generation>"; earlier runs holding until the
 * same time fired the same sweep ids): those it released. */
static long long releasesApplied(const rvScen *s, int64_t due) {
    char r[400];
    return it_pg_int("SELECT count(*) FROM messages m WHERE (m.release_ms = %lld OR m.sent_ms = %lld) AND "
                     "m.shop_id = 'tb-demo' AND m.template = 'review_follow_up' AND %s AND EXISTS (SELECT 1 "
                     "FROM processed_events p WHERE p.worker = '" NT_NAME "' AND p.event_id LIKE 'timer/" NT_NAME
                     "/' || " IT_SWEEP_ID("m", "%lld") " || '/%%' AND p.processed_at >= to_timestamp(%lld / 1000.0))",
                     (long long)due, (long long)due, it_prefix(r, sizeof r, "m.order_id", s->op), (long long)due,
                     (long long)s->since);
}

/* The sweeps pending for `due` ("nt.sweep@tb-demo:<due>#b<bucket>"). */
static long long sweepsPending(int64_t due) {
    return it_pg_int("SELECT count(*) FROM timers WHERE owner = '" NT_NAME "' AND status = 'pending' AND "
                     "timer_id LIKE 'nt.sweep@tb-demo:%lld#%%'",
                     (long long)due);
}

/* Waits until want follow-ups of the run are recorded sent at `at`. */
static long long waitFollowUps(const rvScen *s, long long want, int64_t at) {
    char r[400];
    return it_wait_pg(IT_EQ, want, 60000,
                      "SELECT count(*) FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                      "template = 'review_follow_up' AND status = 'sent' AND sent_ms = %lld",
                      it_prefix(r, sizeof r, "order_id", s->op), (long long)at);
}

/* Day 1: M reviews produced once each open their cases, whose day-2 and
 * day-3 follow-ups (negative reviews) are requested at once; the running
 * notifier holds each until its send time, in the sweep of its bucket,
 * and sends nothing. */
static bool heldOnDay1(rvScen *s, long long M) {
    char r[400];
    if (!rvProduce(s, (int)M, (int)M, false)) return false;
    int64_t t0 = it_now_ms();
    long long held = it_wait_pg(IT_EQ, 2 * M, 60000,
                                "SELECT count(*) FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                                "template = 'review_follow_up' AND status = 'held'",
                                it_prefix(r, sizeof r, "order_id", s->op));
    it_measure("day 1: %lld of %lld follow-ups held after %lld ms", held, 2 * M, (long long)(it_now_ms() - t0));
    CT_EQ_INT(held, 2 * M);
    CT_EQ_INT(followUpsHeld(s, DAY2_SEND), M);
    CT_EQ_INT(followUpsHeld(s, DAY3_SEND), M);
    CT_EQ_INT(releases(s, "pending", DAY2_SEND), M);
    CT_EQ_INT(releases(s, "pending", DAY3_SEND), M);
    CT_EQ_INT(followUpsSent(s, -1), 0);
    checkRequests(s, 2 * M, "day 1");
    return held == 2 * M;
}

/* The log provider's lines about the run (the file may also hold
 * follow-ups of earlier cases whose timers fire on the same clock): how
 * many, how many distinct keys, and how many keys appear more than once
 * (*twice) or that PostgreSQL does not record sent (*unknown). */
static void logKeys(const char *path, const char *run, long *lines, long *distinct, long *twice, long *unknown) {
    char *text = it_log_read(path);
    *lines = *distinct = *twice = *unknown = 0;
    enum { MAXK = 256 };
    static char keys[MAXK][200];
    static int count[MAXK];
    int nk = 0;
    const char *tag = "\"idempotency_key\":\"";
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        const char *k = strstr(line, tag);
        if (k && strstr(line, run)) {
            (*lines)++;
            k += strlen(tag);
            const char *end = strchr(k, '"');
            char key[200];
            snprintf(key, sizeof key, "%.*s", end ? (int)(end - k) : 0, k);
            int j = 0;
            while (j < nk && strcmp(keys[j], key) != 0) j++;
            if (j == nk && nk < MAXK) {
                snprintf(keys[nk], sizeof keys[nk], "%s", key);
                count[nk++] = 0;
            }
            if (j < MAXK) count[j]++;
        }
        line = nl ? nl + 1 : NULL;
    }
    for (int j = 0; j < nk; j++) {
        (*distinct)++;
        if (count[j] > 1) (*twice)++;
        if (it_pg_int("SELECT count(*) FROM messages WHERE idempotency_key = '%s' AND status = 'sent'", keys[j]) != 1)
            (*unknown)++;
    }
    free(text);
}

/* The exact outcome of M cases' day-2 follow-ups: one per case, sent at
 * the send time by its sweep, fired and applied once; day 3's still held
 * with their sweeps pending; nothing else. */
static void checkDay2(const rvScen *s, long long M) {
    char r[400];
    it_prefix(r, sizeof r, "order_id", s->op);
    CT_EQ_INT(followUpsSent(s, DAY2_SEND), M);
    CT_EQ_INT(followUpsSent(s, -1), M);
    CT_EQ_INT(it_pg_int("SELECT count(DISTINCT order_id) FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                        "template = 'review_follow_up' AND status = 'sent'",
                        r),
              M);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                        "template = 'review_follow_up'",
                        r),
              2 * M);
    CT_EQ_INT(followUpsHeld(s, DAY3_SEND), M);
    /* day 2's sweeps taken, each firing applied once; day 3's wait */
    CT_EQ_INT(followUpsHeld(s, DAY2_SEND), 0);
    CT_EQ_INT(releasesWait(s, "fired", DAY2_SEND, M, 10000), M);
    CT_EQ_INT(releases(s, "pending", DAY3_SEND), M);
    CT_EQ_INT(releasesApplied(s, DAY2_SEND), M);
}

/* The notifier dies while it sends the day-2 follow-ups that its release
 * timers bring back, and is started again without the crash point. Every
 * batch of the notifier that applies something passes after_pg_commit,
 * so the one that holds the follow-ups on day 1 runs without the point
 * and is stopped; the crashing one joins the group at the end of every
 * topic before the clock moves, so its batches are the day-2 releases:
 * after_pg_commit cuts it after its 2nd one committed, after_provider_2xx
 * (passed only by batches that sent something) after the provider took
 * the 2nd one. */
static void notifierCrashRun(rvScen *s, const char *point) {
    const bool resent = strcmp(point, "after_provider_2xx") == 0;
    const long long M = FOLLOW_UPS;
    IT_REQUIRE(fuInit(s));
    it_worker td, rv, nt;
    IT_REQUIRE(it_worker_start_bin(&td, "timer-dispatcher", "td-cf", NULL, (const char *[]){"CS_CLOCK=redis", NULL}) ==
               0);
    IT_REQUIRE(rvStart(&rv, s, "rv-cf", NULL, true) == 0);
    IT_REQUIRE(ntStart(&nt, s->ntGroup, "nt-hold", s->log, NULL) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&rv, 60000) && it_worker_wait_assigned(&nt, 60000));

    /* day 1: the reviews open their cases, the notifier holds their follow-ups */
    IT_REQUIRE(heldOnDay1(s, M));
    CT_EQ_INT(it_worker_stop(&nt, SIGTERM, 30000), 0);
    IT_REQUIRE(it_group_at_end(s->ntGroup));
    IT_REQUIRE(ntStart(&nt, s->ntGroup, "nt-crash", s->log, point) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&nt, 60000));

    /* day 2, the send time: the dispatcher fires the releases */
    IT_REQUIRE(it_clock_set(DAY2_SEND) == 0);
    int64_t t0 = it_now_ms();
    int rc = it_worker_wait(&nt, 60000);
    long long atCrash = followUpsSent(s, -1), fired = releasesApplied(s, DAY2_SEND);
    long lines, distinct, twice, unknown;
    logKeys(s->log, s->run, &lines, &distinct, &twice, &unknown);
    it_measure("notifier %s: exit %d after %lld ms, %lld of %lld follow-ups recorded (%lld by sweeps taken), "
               "%ld lines in the log",
               point, rc, (long long)(it_now_ms() - t0), atCrash, M, fired, lines);
    CT_EQ_INT(rc, 86);
    CT_EQ_INT(it_log_count(nt.log, "crash point"), 1);
    CT_CHECK(atCrash > 0 && atCrash < M); /* cut between two batches of sweeps */
    CT_EQ_INT(fired, atCrash);            /* the cut batch's takes rolled back with its records */
    if (rc != 86) it_worker_stop(&nt, SIGKILL, 5000);

    it_worker nt2;
    IT_REQUIRE(ntStart(&nt2, s->ntGroup, "nt-restart", s->log, NULL) == 0);
    CT_EQ_INT(waitFollowUps(s, M, DAY2_SEND), M);
    it_sleep_ms(2000); /* time for a second send to show */
    checkDay2(s, M);
    CT_EQ_INT(it_log_count(nt2.log, "crash point"), 0);
    logKeys(s->log, s->run, &lines, &distinct, &twice, &unknown);
    it_measure("notifier %s: the log holds %ld lines, %ld keys, %ld of them twice", point, lines, distinct, twice);
    CT_EQ_INT(distinct, M);
    CT_EQ_INT(unknown, 0);
    if (resent) {
        /* the cut batch was handed to the provider and is sent again with
         * the same keys; nothing else is */
        CT_CHECK(twice >= 1 && twice <= M - atCrash);
        CT_EQ_INT(lines, M + twice);
    } else {
        CT_EQ_INT(twice, 0);
        CT_EQ_INT(lines, M);
    }
    CT_EQ_INT(it_worker_stop(&nt2, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&rv, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&td, SIGTERM, 30000), 0);
}

static void test_follow_ups_sent_once_across_notifier_crash_after_provider_2xx(void) {
    static rvScen s;
    notifierCrashRun(&s, "after_provider_2xx");
    fuEnd(&s);
}

static void test_follow_ups_sent_once_across_notifier_crash_after_pg_commit(void) {
    static rvScen s;
    notifierCrashRun(&s, "after_pg_commit");
    fuEnd(&s);
}

/* The dispatcher dies after Kafka took a round of day-2 releases and
 * before it acknowledged them in Redis: after the lease the restarted
 * dispatcher fires them again, same event ids. The notifier is stopped
 * meanwhile (after it held the follow-ups on day 1), so it finds both
 * copies on the topic (had it taken the first one, its commit would have
 * removed the in-flight member and there would be nothing to fire again);
 * it applies each release once (the take only takes a pending
 * generation), and each case gets one follow-up. */
static void dispatcherCrashRun(rvScen *s) {
    const long long M = FOLLOW_UPS;
    IT_REQUIRE(fuInit(s));
    it_reader *firings = it_reader_open("cs.timers.v1", false);
    IT_REQUIRE(firings != NULL);
    it_worker td, rv, nt;
    IT_REQUIRE(it_worker_start_bin(&td, "timer-dispatcher", "td-crash", NULL,
                                   (const char *[]){"CS_CLOCK=redis", "CS_TIMER_LEASE_MS=2000",
                                                    "CS_CRASH_POINT=timer_before_ack", "CS_CRASH_AFTER=1", NULL}) == 0);
    IT_REQUIRE(rvStart(&rv, s, "rv-td", NULL, true) == 0);
    IT_REQUIRE(ntStart(&nt, s->ntGroup, "nt-td", s->log, NULL) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&rv, 60000) && it_worker_wait_assigned(&nt, 60000));
    IT_REQUIRE(heldOnDay1(s, M));
    CT_EQ_INT(it_worker_stop(&nt, SIGTERM, 30000), 0);
    long long sweeps = sweepsPending(DAY2_SEND);
    CT_CHECK(sweeps >= 1 && sweeps <= M);

    IT_REQUIRE(it_clock_set(DAY2_SEND) == 0);
    int rc = it_worker_wait(&td, 30000);
    CT_EQ_INT(rc, 86);
    CT_EQ_INT(it_log_count(td.log, "crash point"), 1);
    if (rc != 86) it_worker_stop(&td, SIGKILL, 5000);
    it_worker td2;
    IT_REQUIRE(it_worker_start_bin(&td2, "timer-dispatcher", "td-restart", NULL,
                                   (const char *[]){"CS_CLOCK=redis", "CS_TIMER_LEASE_MS=2000", NULL}) == 0);
    /* every day-2 sweep (the run's follow-ups are in `sweeps` of them),
     * and the cut round's again after the lease */
    char idpart[64];
    snprintf(idpart, sizeof idpart, "/nt.sweep@tb-demo:%lld#", (long long)DAY2_SEND);
    size_t records = 0;
    long ids = distinctIdsOf(firings, "tb-demo:nt.sweep-", idpart, sweeps, 30000, &records);
    /* 5 s: the lease (2 s) and the restarted dispatcher's round */
    distinctIdsOf(firings, "tb-demo:nt.sweep-", idpart, sweeps + 1, 5000, &records);
    it_measure("dispatcher timer_before_ack: %ld sweeps of the run's send time fired (%lld follow-ups in them), "
               "%zu records on cs.timers.v1",
               ids, sweeps, records);
    CT_EQ_INT(ids, sweeps);
    CT_CHECK(records > (size_t)sweeps);
    CT_EQ_INT(releases(s, "pending", DAY2_SEND), M); /* nobody took them yet */

    it_worker nt2;
    IT_REQUIRE(ntStart(&nt2, s->ntGroup, "nt-td-2", s->log, NULL) == 0);
    CT_EQ_INT(waitFollowUps(s, M, DAY2_SEND), M);
    it_sleep_ms(2000); /* time for a second send to show */
    checkDay2(s, M);   /* with each release applied once: M firings in processed_events */
    long lines, distinct, twice, unknown;
    logKeys(s->log, s->run, &lines, &distinct, &twice, &unknown);
    CT_EQ_INT(lines, M);
    CT_EQ_INT(distinct, M);
    CT_EQ_INT(unknown, 0);
    CT_EQ_INT(it_worker_stop(&nt2, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&rv, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&td2, SIGTERM, 30000), 0);
    it_reader_close(firings);
}

static void test_follow_ups_sent_once_across_dispatcher_crash_before_ack(void) {
    static rvScen s;
    dispatcherCrashRun(&s);
    fuEnd(&s);
}

/* The run's pending timers in the Redis schedule: the notifier's sweeps
 * of the send times (ids "nt.sweep@tb-demo:<send time>#b<bucket>") and the
 * review-scheduler's no-answer timers; -1 if unreadable. */
static long long scheduledRun(const rvScen *s) {
    char d2[64], d3[64];
    snprintf(d2, sizeof d2, "nt.sweep@tb-demo:%lld#", (long long)DAY2_SEND);
    snprintf(d3, sizeof d3, "nt.sweep@tb-demo:%lld#", (long long)DAY3_SEND);
    long long a = scheduledInRedis(NT_NAME, d2), b = scheduledInRedis(NT_NAME, d3),
              c = scheduledInRedis(RV_NAME, s->rp);
    return a < 0 || b < 0 || c < 0 ? -1 : a + b + c;
}

/* Redis loses everything while every case's follow-ups are pending: held
 * by the notifier in the sweeps of day 2 and day 3, and the no-answer
 * timer of each case. */
static void flushRun(rvScen *s) {
    const long long M = FLUSH_CASES;
    IT_REQUIRE(fuInit(s));
    it_worker td, rv, nt;
    IT_REQUIRE(
        it_worker_start_bin(&td, "timer-dispatcher", "td-flush", NULL, (const char *[]){"CS_CLOCK=redis", NULL}) == 0);
    IT_REQUIRE(rvStart(&rv, s, "rv-flush", NULL, true) == 0);
    IT_REQUIRE(ntStart(&nt, s->ntGroup, "nt-flush", s->log, NULL) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&rv, 60000) && it_worker_wait_assigned(&nt, 60000));
    IT_REQUIRE(heldOnDay1(s, M));
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner = '" RV_NAME "' AND status = 'pending' AND "
                        "timer_id LIKE 'rv6.no_answer@tb-demo:%s%%'",
                        s->rp),
              M);
    /* the sweeps of the run's follow-ups: one per bucket and day */
    const long long want = M + sweepsPending(DAY2_SEND) + sweepsPending(DAY3_SEND);
    CT_CHECK(want > M + 1 && want <= 3 * M);
    CT_EQ_INT(scheduledRun(s), want);

    /* 1. with the dispatcher running: the flush and the clock in one
     * transaction (no round may see real time, past every due time), then
     * its reconciliation, forced full by the missing epoch key */
    IT_REQUIRE(it_sh("printf 'MULTI\\nFLUSHALL\\nSET %s %lld\\nEXEC\\n' | redis-cli -u '%s' >/dev/null", CS_CLOCK_KEY,
                     (long long)DAY1, it.redis_url) == 0);
    int64_t t0 = it_now_ms();
    long long back = 0;
    while ((back = scheduledRun(s)) != want && it_now_ms() - t0 < 30000) it_sleep_ms(100);
    it_measure("FLUSHALL, dispatcher running: %lld of %lld timers back in Redis after %lld ms", back, want,
               (long long)(it_now_ms() - t0));
    CT_EQ_INT(back, want);

    /* 2. with the dispatcher stopped: the flush takes the clock key too
     * (issue 12); the operator's rebuild puts it back from its PostgreSQL
     * record (issue "Hardening") -- unless a running worker's read did it
     * first -- and the schedule with it. Nobody sets the clock by hand. */
    CT_EQ_INT(it_worker_stop(&td, SIGTERM, 30000), 0);
    IT_REQUIRE(it_sh("redis-cli -u '%s' FLUSHALL >/dev/null", it.redis_url) == 0);
    CT_EQ_INT(scheduledRun(s), 0);
    CT_EQ_INT(timersRebuild(), 0);
    CT_EQ_INT(it_sh("test \"$(redis-cli -u '%s' GET " CS_CLOCK_KEY ")\" = %lld", it.redis_url, (long long)DAY1), 0);
    CT_EQ_INT(scheduledRun(s), want);
    IT_REQUIRE(it_worker_start_bin(&td, "timer-dispatcher", "td-flush-2", NULL,
                                   (const char *[]){"CS_CLOCK=redis", NULL}) == 0);
    it_sleep_ms(1000); /* nothing is due on day 1: nothing may be sent */
    CT_EQ_INT(followUpsSent(s, -1), 0);
    CT_EQ_INT(followUpsHeld(s, DAY2_SEND) + followUpsHeld(s, DAY3_SEND), 2 * M);

    /* day 2 and day 3 at the send time: one follow-up per case each day */
    IT_REQUIRE(it_clock_set(DAY2_SEND) == 0);
    CT_EQ_INT(waitFollowUps(s, M, DAY2_SEND), M);
    it_sleep_ms(1500);
    checkDay2(s, M);
    IT_REQUIRE(it_clock_set(DAY3_SEND) == 0);
    CT_EQ_INT(waitFollowUps(s, M, DAY3_SEND), M);
    it_sleep_ms(2000); /* time for a second send to show */
    CT_EQ_INT(followUpsSent(s, DAY2_SEND), M);
    CT_EQ_INT(followUpsSent(s, DAY3_SEND), M);
    CT_EQ_INT(followUpsSent(s, -1), 2 * M);
    char r[400];
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM (SELECT order_id FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                        "template = 'review_follow_up' AND status = 'sent' GROUP BY order_id HAVING count(*) = 2) c",
                        it_prefix(r, sizeof r, "order_id", s->op)),
              M);
    CT_EQ_INT(followUpsHeld(s, DAY3_SEND), 0);
    CT_EQ_INT(releasesWait(s, "fired", DAY3_SEND, M, 10000), M); /* every sweep taken, none armed */
    CT_EQ_INT(releasesApplied(s, DAY2_SEND) + releasesApplied(s, DAY3_SEND), 2 * M);
    long lines, distinct, twice, unknown;
    logKeys(s->log, s->run, &lines, &distinct, &twice, &unknown);
    CT_EQ_INT(lines, 2 * M);
    CT_EQ_INT(distinct, 2 * M);
    CT_EQ_INT(unknown, 0);
    CT_EQ_INT(it_worker_stop(&nt, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&rv, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&td, SIGTERM, 30000), 0);
}

static void test_redis_flushall_with_follow_ups_pending_each_sent_once_at_its_time(void) {
    static rvScen s;
    flushRun(&s);
    fuEnd(&s);
}

IT_MAIN(CT_CASE(test_rf_crash_after_pg_commit_then_restart_each_case_once),
        CT_CASE(test_rf_crash_after_produce_then_restart_each_case_once),
        CT_CASE(test_rf_crash_before_pg_commit_then_restart_each_case_once),
        CT_CASE(test_rf_crash_before_commit_hooks_then_restart_each_case_once),
        CT_CASE(test_rf_sigkill_mid_stream_then_restart_each_case_once),
        CT_CASE(test_rv_crash_after_pg_commit_then_restart_one_case_per_review),
        CT_CASE(test_rv_crash_after_produce_then_restart_one_case_per_review),
        CT_CASE(test_rv_crash_before_pg_commit_then_restart_one_case_per_review),
        CT_CASE(test_rv_crash_before_commit_hooks_then_restart_one_case_per_review),
        CT_CASE(test_rv_sigkill_mid_stream_then_restart_one_case_per_review),
        CT_CASE(test_follow_ups_sent_once_across_notifier_crash_after_provider_2xx),
        CT_CASE(test_follow_ups_sent_once_across_notifier_crash_after_pg_commit),
        CT_CASE(test_follow_ups_sent_once_across_dispatcher_crash_before_ack),
        CT_CASE(test_redis_flushall_with_follow_ups_pending_each_sent_once_at_its_time)) /* last four: the clock */
