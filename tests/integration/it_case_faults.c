/* it_case_faults.c -- exactly once (CONTRACTS.md) for the two case
 * workers, the refund-notifier and the review-scheduler, through the
 * failures the runtime promises to survive, counted in PostgreSQL:
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
 *         case per review, one RV-2 task per case, its three follow-up
 *         timers pending in PostgreSQL and, after `cscli timers rebuild`,
 *         each exactly once in the Redis schedule;
 *     and for all: no dead letters, the outbox drained;
 *   - the notifier crashing while it sends the day-2 follow-ups (crash
 *     points after_provider_2xx and after_pg_commit), then restarted:
 *     exactly one follow-up SMS recorded sent per case, at the send time;
 *     the log provider's file holds every key, and only a key of the
 *     batch cut at after_provider_2xx twice (resent with the same key,
 *     which a real provider dedupes: docs/notifier.md, NT-1);
 *   - the timer-dispatcher cut after Kafka took a round of day-2 firings,
 *     before it acknowledged them (timer_before_ack): the round fires
 *     again after the lease, and each case still gets one follow-up;
 *   - Redis FLUSHALL while follow-ups are pending, once with the
 *     dispatcher running (its reconciliation puts them back) and once with
 *     it stopped, the business clock set back after the flush (the clock
 *     key goes with the data) and the schedule rebuilt with
 *     `cscli timers rebuild`: every follow-up (day 2 and day 3) sent
 *     exactly once, at its send time.
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

/* Reads r (records whose key contains match) until it holds want
 * distinct event ids or timeout_ms passes: a record may be on a topic
 * twice after a crash, always with its id (CONTRACTS.md). Returns the
 * distinct ids; *records = records read, duplicates included. */
static long distinctIds(it_reader *r, const char *match, long want, int timeout_ms, size_t *records) {
    int64_t end = it_now_ms() + timeout_ms;
    size_t seen = 0; /* records already counted */
    long ids = 0;
    for (;;) {
        size_t n = it_reader_count(r);
        for (; seen < n; seen++) {
            const it_rec *a = it_reader_get(r, seen);
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
    *records = seen;
    return ids;
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
    char group[96]; /* CS_GROUP_ID=... */
    char evp[48];   /* review event ids "<run>-e<i>-<a|b>" */
    char op[48];    /* order ids "<run>-o<i>" */
    char rp[48];    /* review (= case) ids "<run>-r<i>" */
    int produced;   /* reviews produced (twice each) */
    int nbase;      /* first number index (numberFor) */
    int64_t posted; /* posting time of every review */
} rvScen;

static bool rvInit(rvScen *s, int64_t posted) {
    static int numbers; /* numbers used so far: each review its own */
    memset(s, 0, sizeof *s);
    it_run_id(s->run, sizeof s->run);
    snprintf(s->group, sizeof s->group, "CS_GROUP_ID=review-scheduler-case-faults-%s", s->run);
    snprintf(s->evp, sizeof s->evp, "%s-e", s->run);
    snprintf(s->op, sizeof s->op, "%s-o", s->run);
    snprintf(s->rp, sizeof s->rp, "%s-r", s->run);
    s->nbase = numbers;
    numbers += RV_REVIEWS;
    s->posted = posted;
    return it_group_at_end(s->group + strlen("CS_GROUP_ID="));
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

/* Cancels the run's follow-up timers still pending, as closing the cases
 * would: a later case moves the clock past their due times and must not
 * send them (their Redis members fire and take_fired refuses them). */
static void cancelPending(const rvScen *s) {
    it_pg_exec("UPDATE timers SET status = 'cancelled' WHERE owner = '" RV_NAME "' AND status = 'pending' AND "
               "timer_id LIKE '%%@tb-demo:%s%%'",
               s->rp);
}

/* RV-1, RV-2, RV-4 once per review whatever happened to the worker. */
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
    /* RV-4 / RV-6: day-2 and day-3 SMS and the no-answer timer per case */
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM timers WHERE owner = '" RV_NAME "' AND timer_id LIKE '%%@tb-demo:%s%%'", s->rp),
        3 * N);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner = '" RV_NAME "' AND timer_id LIKE '%%@tb-demo:%s%%' "
                        "AND status = 'pending'",
                        s->rp),
              3 * N);
    CT_EQ_INT(deadLetters(RV_NAME, s->evp), 0);
    CT_EQ_INT(outboxLeft(s->run), 0);
    /* Redis: a batch cut after COMMIT wrote no schedule; the rebuild puts
     * it back, and every timer is then scheduled once, at its time */
    CT_EQ_INT(timersRebuild(), 0);
    CT_EQ_INT(scheduledInRedis(RV_NAME, s->rp), 3 * N);
}

static void rvCrashPoint(const char *point) {
    rvScen s;
    IT_REQUIRE(rvInit(&s, it_wall_ms() - MIN_MS));
    IT_REQUIRE(rvProduce(&s, RV_REVIEWS, RV_REVIEWS, true));
    it_worker w;
    IT_REQUIRE(rvStart(&w, &s, "rv-crash", point, false) == 0);
    expectCrash(&w, point, RV_NAME, s.evp, RV_EVENTS);
    it_worker w2;
    IT_REQUIRE(rvStart(&w2, &s, "rv-restart", NULL, false) == 0);
    rvCheck(&s, point);
    CT_EQ_INT(it_log_count(w2.log, "crash point"), 0);
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
    cancelPending(&s);
}

static void test_rv_crash_after_pg_commit_then_restart_one_case_per_review(void) { rvCrashPoint("after_pg_commit"); }
static void test_rv_crash_after_produce_then_restart_one_case_per_review(void) { rvCrashPoint("after_produce"); }
static void test_rv_crash_before_pg_commit_then_restart_one_case_per_review(void) { rvCrashPoint("before_pg_commit"); }
static void test_rv_crash_before_commit_hooks_then_restart_one_case_per_review(void) {
    rvCrashPoint("before_commit_hooks");
}

static void test_rv_sigkill_mid_stream_then_restart_one_case_per_review(void) {
    rvScen s;
    IT_REQUIRE(rvInit(&s, it_wall_ms() - MIN_MS));
    srand((unsigned)(it_wall_ms() ^ getpid()));
    long long at = 50 + rand() % (RV_EVENTS / 2);
    IT_REQUIRE(rvProduce(&s, RV_REVIEWS / 3, RV_REVIEWS, true));
    it_worker w;
    IT_REQUIRE(rvStart(&w, &s, "rv-victim", NULL, false) == 0);
    long long applied = 0;
    int64_t t0 = it_now_ms();
    while ((applied = processed(RV_NAME, s.evp)) < at && it_now_ms() - t0 < 60000) {
        if (s.produced < RV_REVIEWS)
            IT_REQUIRE(rvProduce(&s, 10, RV_REVIEWS, true));
        else
            it_sleep_ms(5);
    }
    int rc = it_worker_stop(&w, SIGKILL, 10000);
    long long after = processed(RV_NAME, s.evp);
    it_measure(
        "review-scheduler SIGKILL at %lld applied events (target %lld, %d reviews produced): exit %d; %lld after",
        applied, at, s.produced, rc, after);
    CT_EQ_INT(rc, 128 + SIGKILL);
    CT_CHECK(after >= at && after < RV_EVENTS);
    IT_REQUIRE(rvProduce(&s, RV_REVIEWS, RV_REVIEWS, true));
    it_worker w2;
    IT_REQUIRE(rvStart(&w2, &s, "rv-restart", NULL, false) == 0);
    rvCheck(&s, "rv sigkill");
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
    cancelPending(&s);
}

/* ---- follow-ups on the Redis clock ----------------------------------------------------- */

static int64_t shanghai(int y, int m, int d, int hh, int mm) {
    char err[128];
    static cs_tz *tz;
    if (!tz) tz = cs_tz_load("Asia/Shanghai", err, sizeof err);
    return cs_tz_instant(tz, cs_day_from_ymd(y, m, d), hh * 60 + mm);
}

/* Reviews posted on 11-13 (day 1) at 18:30 local; the send time 10:00. */
#define POSTED shanghai(2026, 11, 13, 18, 30)
#define DAY2_SEND shanghai(2026, 11, 14, 10, 0)
#define DAY3_SEND shanghai(2026, 11, 15, 10, 0)

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
                         /* the 2nd batch that sends: the 1st one is committed by then */
                         "CS_CRASH_AFTER=2", NULL};
    return it_worker_start_bin(w, NT_NAME, name, NULL, env);
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

/* Waits until want follow-ups of the run are recorded sent at `at`. */
static long long waitFollowUps(const rvScen *s, long long want, int64_t at) {
    char r[400];
    return it_wait_pg(IT_EQ, want, 60000,
                      "SELECT count(*) FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                      "template = 'review_follow_up' AND status = 'sent' AND sent_ms = %lld",
                      it_prefix(r, sizeof r, "order_id", s->op), (long long)at);
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
 * the send time, nothing else. */
static void checkDay2(const rvScen *s, long long M) {
    char r[400];
    it_prefix(r, sizeof r, "order_id", s->op);
    CT_EQ_INT(followUpsSent(s, DAY2_SEND), M);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                        "template = 'review_follow_up'",
                        r),
              M);
    CT_EQ_INT(it_pg_int("SELECT count(DISTINCT order_id) FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                        "template = 'review_follow_up'",
                        r),
              M);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM timers WHERE owner = '" RV_NAME "' AND status = 'fired' AND "
                        "timer_id LIKE 'rv4.sms.d2@tb-demo:%s%%'",
                        s->rp),
              M);
}

/* The notifier dies while it sends the day-2 follow-ups and is started
 * again without the crash point. after_provider_2xx: it runs from the
 * start (only batches that sent something pass the point, so the 2nd
 * such batch is cut after the provider took it). after_pg_commit: it is
 * started once the requests are on cs.notifications.v1, its group past
 * the timer records, so its 2nd batch is one of follow-ups. */
static void followUpsAcrossNotifierCrash(const char *point) {
    const bool early = strcmp(point, "after_provider_2xx") == 0;
    const long long M = FOLLOW_UPS;
    rvScen s;
    IT_REQUIRE(rvInit(&s, POSTED));
    char ntGroup[96], log[1200];
    snprintf(ntGroup, sizeof ntGroup, "CS_GROUP_ID=notifier-case-faults-%s", s.run);
    snprintf(log, sizeof log, "%s/%s-messages.jsonl", it.log_dir, s.run);
    IT_REQUIRE(it_group_at_end(ntGroup + strlen("CS_GROUP_ID=")));
    IT_REQUIRE(it_clock_set(POSTED + MIN_MS) == 0);
    it_reader *requests = it_reader_open("cs.notifications.v1", false);
    IT_REQUIRE(requests != NULL);
    it_worker td, rv, nt;
    IT_REQUIRE(it_worker_start_bin(&td, "timer-dispatcher", "td-cf", NULL, (const char *[]){"CS_CLOCK=redis", NULL}) ==
               0);
    IT_REQUIRE(rvStart(&rv, &s, "rv-cf", NULL, true) == 0);
    if (early) IT_REQUIRE(ntStart(&nt, ntGroup, "nt-crash", log, point) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&rv, 60000));
    if (early) IT_REQUIRE(it_worker_wait_assigned(&nt, 60000));

    /* day 1: the reviews open their cases and arm their timers */
    IT_REQUIRE(rvProduce(&s, FOLLOW_UPS, FOLLOW_UPS, false));
    CT_EQ_INT(it_wait_pg(IT_EQ, M, 60000,
                         "SELECT count(*) FROM timers WHERE owner = '" RV_NAME "' AND status = 'pending' AND "
                         "timer_id LIKE 'rv4.sms.d2@tb-demo:%s%%'",
                         s.rp),
              M);

    /* day 2, the send time */
    IT_REQUIRE(it_clock_set(DAY2_SEND) == 0);
    if (!early) {
        CT_EQ_INT((long long)it_reader_collect(requests, s.run, FOLLOW_UPS, 60000), M);
        IT_REQUIRE(it_group_commit_end(ntGroup + strlen("CS_GROUP_ID="), "cs.timers.v1") == 0);
        IT_REQUIRE(ntStart(&nt, ntGroup, "nt-crash", log, point) == 0);
    }
    int64_t t0 = it_now_ms();
    int rc = it_worker_wait(&nt, 60000);
    long long atCrash = followUpsSent(&s, -1);
    long lines, distinct, twice, unknown;
    logKeys(log, s.run, &lines, &distinct, &twice, &unknown);
    it_measure("notifier %s: exit %d after %lld ms, %lld of %lld follow-ups recorded, %ld lines in the log", point, rc,
               (long long)(it_now_ms() - t0), atCrash, M, lines);
    CT_EQ_INT(rc, 86);
    CT_EQ_INT(it_log_count(nt.log, "crash point"), 1);
    CT_CHECK(atCrash > 0 && atCrash < M); /* cut between two batches of follow-ups */
    if (rc != 86) it_worker_stop(&nt, SIGKILL, 5000);

    it_worker nt2;
    IT_REQUIRE(ntStart(&nt2, ntGroup, "nt-restart", log, NULL) == 0);
    CT_EQ_INT(waitFollowUps(&s, M, DAY2_SEND), M);
    it_sleep_ms(2000); /* time for a second send to show */
    checkDay2(&s, M);
    logKeys(log, s.run, &lines, &distinct, &twice, &unknown);
    it_measure("notifier %s: the log holds %ld lines, %ld keys, %ld of them twice", point, lines, distinct, twice);
    CT_EQ_INT(distinct, M);
    CT_EQ_INT(unknown, 0);
    if (early) {
        /* the cut batch was handed to the provider and is sent again with
         * the same keys; nothing else is */
        CT_CHECK(twice >= 1 && twice <= CRASH_BATCH);
        CT_EQ_INT(lines, M + twice);
    } else {
        CT_EQ_INT(twice, 0);
        CT_EQ_INT(lines, M);
    }
    CT_EQ_INT(it_worker_stop(&nt2, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&rv, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&td, SIGTERM, 30000), 0);
    it_reader_close(requests);
    cancelPending(&s);
    clockRelease();
}

static void test_follow_ups_sent_once_across_notifier_crash_after_provider_2xx(void) {
    followUpsAcrossNotifierCrash("after_provider_2xx");
}

static void test_follow_ups_sent_once_across_notifier_crash_after_pg_commit(void) {
    followUpsAcrossNotifierCrash("after_pg_commit");
}

/* The dispatcher dies after Kafka took a round of day-2 firings and
 * before it acknowledged them in Redis: after the lease the restarted
 * dispatcher fires them again, same event ids. The review-scheduler is
 * stopped meanwhile, so it finds both copies on the topic (had it taken
 * the first one, it would have removed the in-flight member and there
 * would be nothing to fire again); it applies each firing once, and each
 * case gets one follow-up. */
static void test_follow_ups_sent_once_across_dispatcher_crash_before_ack(void) {
    const long long M = FOLLOW_UPS;
    rvScen s;
    IT_REQUIRE(rvInit(&s, POSTED));
    char ntGroup[96], log[1200];
    snprintf(ntGroup, sizeof ntGroup, "CS_GROUP_ID=notifier-case-faults-%s", s.run);
    snprintf(log, sizeof log, "%s/%s-messages.jsonl", it.log_dir, s.run);
    IT_REQUIRE(it_group_at_end(ntGroup + strlen("CS_GROUP_ID=")));
    IT_REQUIRE(it_clock_set(POSTED + MIN_MS) == 0);
    it_reader *firings = it_reader_open("cs.timers.v1", false);
    IT_REQUIRE(firings != NULL);
    it_worker td, rv, nt;
    IT_REQUIRE(it_worker_start_bin(&td, "timer-dispatcher", "td-crash", NULL,
                                   (const char *[]){"CS_CLOCK=redis", "CS_TIMER_LEASE_MS=2000",
                                                    "CS_CRASH_POINT=timer_before_ack", "CS_CRASH_AFTER=1", NULL}) == 0);
    IT_REQUIRE(rvStart(&rv, &s, "rv-td", NULL, true) == 0);
    IT_REQUIRE(ntStart(&nt, ntGroup, "nt-td", log, NULL) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&rv, 60000) && it_worker_wait_assigned(&nt, 60000));
    IT_REQUIRE(rvProduce(&s, FOLLOW_UPS, FOLLOW_UPS, false));
    CT_EQ_INT(it_wait_pg(IT_EQ, M, 60000,
                         "SELECT count(*) FROM timers WHERE owner = '" RV_NAME "' AND status = 'pending' AND "
                         "timer_id LIKE 'rv4.sms.d2@tb-demo:%s%%'",
                         s.rp),
              M);
    CT_EQ_INT(it_worker_stop(&rv, SIGTERM, 30000), 0);

    IT_REQUIRE(it_clock_set(DAY2_SEND) == 0);
    int rc = it_worker_wait(&td, 30000);
    CT_EQ_INT(rc, 86);
    CT_EQ_INT(it_log_count(td.log, "crash point"), 1);
    if (rc != 86) it_worker_stop(&td, SIGKILL, 5000);
    it_worker td2;
    IT_REQUIRE(it_worker_start_bin(&td2, "timer-dispatcher", "td-restart", NULL,
                                   (const char *[]){"CS_CLOCK=redis", "CS_TIMER_LEASE_MS=2000", NULL}) == 0);
    /* every day-2 firing, and the cut round's again after the lease */
    size_t records = 0;
    long ids = distinctIds(firings, s.run, M, 30000, &records);
    size_t again = it_reader_collect(firings, s.run, 2 * (size_t)M, 10000);
    it_measure("dispatcher timer_before_ack: %ld firings of the run, %zu records on cs.timers.v1", ids, again);
    CT_EQ_INT(ids, M);
    CT_CHECK(again > (size_t)M);

    it_worker rv2;
    IT_REQUIRE(rvStart(&rv2, &s, "rv-td-2", NULL, true) == 0);
    CT_EQ_INT(waitFollowUps(&s, M, DAY2_SEND), M);
    it_sleep_ms(2000); /* time for a second send to show */
    checkDay2(&s, M);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM processed_events WHERE worker = '" RV_NAME "' AND "
                        "event_id LIKE 'timer/" RV_NAME "/rv4.sms.d2@tb-demo:%s%%'",
                        s.rp),
              M);
    long lines, distinct, twice, unknown;
    logKeys(log, s.run, &lines, &distinct, &twice, &unknown);
    CT_EQ_INT(lines, M);
    CT_EQ_INT(distinct, M);
    CT_EQ_INT(unknown, 0);
    CT_EQ_INT(it_worker_stop(&rv2, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&nt, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&td2, SIGTERM, 30000), 0);
    it_reader_close(firings);
    cancelPending(&s);
    clockRelease();
}

/* Redis loses everything while every case's follow-ups are pending. */
static void test_redis_flushall_with_follow_ups_pending_each_sent_once_at_its_time(void) {
    const long long M = FLUSH_CASES;
    rvScen s;
    IT_REQUIRE(rvInit(&s, POSTED));
    char ntGroup[96], log[1200];
    snprintf(ntGroup, sizeof ntGroup, "CS_GROUP_ID=notifier-case-faults-%s", s.run);
    snprintf(log, sizeof log, "%s/%s-messages.jsonl", it.log_dir, s.run);
    IT_REQUIRE(it_group_at_end(ntGroup + strlen("CS_GROUP_ID=")));
    const int64_t day1 = POSTED + MIN_MS;
    IT_REQUIRE(it_clock_set(day1) == 0);
    it_worker td, rv, nt;
    IT_REQUIRE(
        it_worker_start_bin(&td, "timer-dispatcher", "td-flush", NULL, (const char *[]){"CS_CLOCK=redis", NULL}) == 0);
    IT_REQUIRE(rvStart(&rv, &s, "rv-flush", NULL, true) == 0);
    IT_REQUIRE(ntStart(&nt, ntGroup, "nt-flush", log, NULL) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&rv, 60000) && it_worker_wait_assigned(&nt, 60000));
    IT_REQUIRE(rvProduce(&s, FLUSH_CASES, FLUSH_CASES, false));
    CT_EQ_INT(it_wait_pg(IT_EQ, 3 * M, 60000,
                         "SELECT count(*) FROM timers WHERE owner = '" RV_NAME "' AND status = 'pending' AND "
                         "timer_id LIKE '%%@tb-demo:%s%%'",
                         s.rp),
              3 * M);
    CT_EQ_INT(scheduledInRedis(RV_NAME, s.rp), 3 * M);

    /* 1. with the dispatcher running: the flush and the clock in one
     * transaction (no round may see real time, past every due time), then
     * its reconciliation, forced full by the missing epoch key */
    IT_REQUIRE(it_sh("printf 'MULTI\\nFLUSHALL\\nSET %s %lld\\nEXEC\\n' | redis-cli -u '%s' >/dev/null", CS_CLOCK_KEY,
                     (long long)day1, it.redis_url) == 0);
    int64_t t0 = it_now_ms();
    long long back = 0;
    while ((back = scheduledInRedis(RV_NAME, s.rp)) != 3 * M && it_now_ms() - t0 < 30000) it_sleep_ms(100);
    it_measure("FLUSHALL, dispatcher running: %lld of %lld timers back in Redis after %lld ms", back, 3 * M,
               (long long)(it_now_ms() - t0));
    CT_EQ_INT(back, 3 * M);

    /* 2. with the dispatcher stopped: the flush takes the clock key too
     * (issue 12); the operator's rebuild puts it back from its PostgreSQL
     * record (issue "Hardening") -- unless a running worker's read did it
     * first -- and the schedule with it. Nobody sets the clock by hand. */
    CT_EQ_INT(it_worker_stop(&td, SIGTERM, 30000), 0);
    IT_REQUIRE(it_sh("redis-cli -u '%s' FLUSHALL >/dev/null", it.redis_url) == 0);
    CT_EQ_INT(scheduledInRedis(RV_NAME, s.rp), 0);
    CT_EQ_INT(timersRebuild(), 0);
    CT_EQ_INT(it_sh("test \"$(redis-cli -u '%s' GET " CS_CLOCK_KEY ")\" = %lld", it.redis_url, (long long)day1), 0);
    CT_EQ_INT(scheduledInRedis(RV_NAME, s.rp), 3 * M);
    IT_REQUIRE(it_worker_start_bin(&td, "timer-dispatcher", "td-flush-2", NULL,
                                   (const char *[]){"CS_CLOCK=redis", NULL}) == 0);
    it_sleep_ms(1000); /* nothing is due on day 1: nothing may be sent */
    CT_EQ_INT(followUpsSent(&s, -1), 0);

    /* day 2 and day 3 at the send time: one follow-up per case each day */
    IT_REQUIRE(it_clock_set(DAY2_SEND) == 0);
    CT_EQ_INT(waitFollowUps(&s, M, DAY2_SEND), M);
    it_sleep_ms(1500);
    checkDay2(&s, M);
    IT_REQUIRE(it_clock_set(DAY3_SEND) == 0);
    CT_EQ_INT(waitFollowUps(&s, M, DAY3_SEND), M);
    it_sleep_ms(2000); /* time for a second send to show */
    CT_EQ_INT(followUpsSent(&s, DAY2_SEND), M);
    CT_EQ_INT(followUpsSent(&s, DAY3_SEND), M);
    CT_EQ_INT(followUpsSent(&s, -1), 2 * M);
    char r[400];
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM (SELECT order_id FROM messages WHERE shop_id = 'tb-demo' AND %s AND "
                        "template = 'review_follow_up' GROUP BY order_id HAVING count(*) = 2) c",
                        it_prefix(r, sizeof r, "order_id", s.op)),
              M);
    long lines, distinct, twice, unknown;
    logKeys(log, s.run, &lines, &distinct, &twice, &unknown);
    CT_EQ_INT(lines, 2 * M);
    CT_EQ_INT(distinct, 2 * M);
    CT_EQ_INT(unknown, 0);
    CT_EQ_INT(it_worker_stop(&nt, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&rv, SIGTERM, 30000), 0);
    CT_EQ_INT(it_worker_stop(&td, SIGTERM, 30000), 0);
    clockRelease();
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
