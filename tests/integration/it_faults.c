/* it_faults.c -- exactly once in effect (CONTRACTS.md), counted in
 * PostgreSQL, through every failure the runtime promises to survive:
 *
 *   - each named crash point (after_pg_commit, after_produce,
 *     before_pg_commit) at its 3rd pass with 100-event batches, then a
 *     restart without it;
 *   - SIGKILL at a random moment mid-stream, then a restart;
 *   - PostgreSQL stopped and restarted mid-stream (the worker lives on);
 *   - Kafka stopped and restarted mid-stream (the worker lives on);
 *   - SIGTERM: exit 0 with the offsets of everything applied committed.
 *
 * After each: every event of the run applied exactly once
 * (processed_events = N), one verdict per order version and no version
 * beyond the events' (nothing doubled), stock taken once per order, no
 * dead letters, the run's outbox rows gone within seconds, and every
 * verdict on cs.verdicts.v1 at least once with its id. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "it.h"

#define KIND(k) CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_##k
#define FAULT_ORDERS 1000 /* x2 events (created, paid) */
#define FAULT_EVENTS (2 * FAULT_ORDERS)
#define STOCK_START 1000000
#define DONE_TIMEOUT_MS 180000

typedef struct scen {
    char run[64];
    char sku[96];
    char evp[128];    /* event id prefix "<run>-o" */
    it_order *orders; /* FAULT_ORDERS */
    it_dr *dr;        /* 2 per order: created, paid */
    int produced;     /* orders produced so far */
    it_reader *topic; /* cs.verdicts.v1 from before the first record */
    int64_t t0;
} scen;

static long long processed(const scen *s) {
    char r[400];
    return it_pg_int("SELECT count(*) FROM processed_events WHERE worker = '%s' AND %s", IT_WORKER_NAME,
                     it_prefix(r, sizeof r, "event_id", s->evp));
}

static const char *envBatch[] = {"CS_BATCH_MAX=100", NULL};

/* Run id, reader, and the SKU's stock applied by a short-lived worker
 * (so no order batch can run before its stock level). */
static bool scenInit(scen *s) {
    memset(s, 0, sizeof *s);
    it_run_id(s->run, sizeof s->run);
    snprintf(s->sku, sizeof s->sku, "SKU-%s-A", s->run);
    snprintf(s->evp, sizeof s->evp, "%s-o", s->run);
    s->orders = calloc(FAULT_ORDERS, sizeof *s->orders);
    s->dr = calloc(2 * FAULT_ORDERS, sizeof *s->dr);
    if (!s->orders || !s->dr) abort();
    s->topic = it_reader_open(IT_TOPIC_VERDICTS, false);
    if (!s->topic) return false;
    it_worker w;
    if (it_worker_start(&w, "stock", NULL) != 0) return false;
    char id[160];
    snprintf(id, sizeof id, "%s-inv", s->run);
    if (it_produce_inventory("tb-demo", s->sku, STOCK_START, it_wall_ms(), id, NULL) != 0 || it_flush(30000) != 0)
        return false;
    bool ok =
        it_wait_pg(IT_EQ, 1, 60000, "SELECT count(*) FROM stock WHERE shop_id = 'tb-demo' AND sku = '%s'", s->sku) == 1;
    int rc = it_worker_stop(&w, SIGTERM, 30000);
    if (rc != 0) fprintf(stderr, "  stock worker exited %d\n", rc);
    return ok && rc == 0;
}

static void scenFree(scen *s) {
    it_reader_close(s->topic);
    free(s->orders);
    free(s->dr);
}

/* Produces the next n orders (created, then paid), acknowledged. */
static bool produceNext(scen *s, int n) {
    char id[200], buyer[160];
    if (s->produced == 0) s->t0 = it_now_ms();
    for (int k = 0; k < n && s->produced < FAULT_ORDERS; k++) {
        int i = s->produced++;
        it_order *o = &s->orders[i];
        snprintf(id, sizeof id, "%s%d", s->evp, i);
        snprintf(buyer, sizeof buyer, "%s-b%d", s->run, i);
        it_order_init(o, "tb-demo", id, buyer, s->sku, NULL, i);
        snprintf(id, sizeof id, "%s-c", o->order_id);
        if (it_produce_order_event(o, KIND(CREATED), id, o->created_ms, false, &s->dr[2 * i]) != 0) return false;
        snprintf(id, sizeof id, "%s-p", o->order_id);
        if (it_produce_order_event(o, KIND(PAID), id, o->paid_ms, false, &s->dr[2 * i + 1]) != 0) return false;
    }
    return it_flush(60000) == 0;
}

/* Waits until every produced event is applied; true if so. */
static bool waitDone(const scen *s, const char *what) {
    char r[400];
    int64_t t0 = it_now_ms();
    long long n = it_wait_pg(IT_EQ, 2LL * s->produced, DONE_TIMEOUT_MS,
                             "SELECT count(*) FROM processed_events WHERE worker = '%s' AND %s", IT_WORKER_NAME,
                             it_prefix(r, sizeof r, "event_id", s->evp));
    it_measure("%s: %lld of %d events applied, %lld ms after the restart/recovery", what, n, 2 * s->produced,
               (long long)(it_now_ms() - t0));
    return n == 2LL * s->produced;
}

/* The exactly-once assertions of the file comment. */
static void checkExactlyOnce(scen *s, const char *what) {
    char r[400];
    const int N = s->produced;
    CT_EQ_INT(N, FAULT_ORDERS);
    it_measure("%s: all %d events applied %lld ms after the first was produced", what, 2 * N,
               (long long)(it_now_ms() - s->t0));
    /* each input event once */
    CT_EQ_INT(processed(s), 2 * N);
    /* one verdict per order version, versions 1 (created) and 2 (paid) only */
    CT_EQ_INT(it_wait_pg(IT_EQ, 2 * N, 30000, "SELECT count(*) FROM verdicts WHERE shop_id = 'tb-demo' AND %s",
                         it_prefix(r, sizeof r, "order_id", s->evp)),
              2 * N);
    CT_EQ_INT(
        it_pg_int(
            "SELECT count(*) FROM (SELECT DISTINCT order_id, version FROM verdicts WHERE shop_id = 'tb-demo' AND %s) v",
            it_prefix(r, sizeof r, "order_id", s->evp)),
        2 * N);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM verdicts WHERE shop_id = 'tb-demo' AND %s AND version NOT IN (1, 2)",
                        it_prefix(r, sizeof r, "order_id", s->evp)),
              0);
    CT_EQ_INT(
        it_pg_int("SELECT count(*) FROM orders WHERE shop_id = 'tb-demo' AND %s AND version = 2 AND state = 'VERIFIED'",
                  it_prefix(r, sizeof r, "order_id", s->evp)),
        N);
    /* stock taken once per order: 2 units each */
    CT_EQ_INT(it_pg_int("SELECT available FROM stock WHERE shop_id = 'tb-demo' AND sku = '%s'", s->sku),
              STOCK_START - 2 * N);
    CT_EQ_INT(
        it_pg_int("SELECT coalesce(sum(quantity), 0) FROM stock_reservations WHERE shop_id = 'tb-demo' AND sku = '%s'",
                  s->sku),
        2 * N);
    /* an outage is not poison */
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM dead_letters WHERE worker = '%s' AND %s", IT_WORKER_NAME,
                        it_prefix(r, sizeof r, "event_id", s->evp)),
              0);
    /* the outbox drains: rows of crashed batches are swept */
    int64_t t0 = it_now_ms();
    long long left = it_wait_pg(
        IT_EQ, 0, 20000, "SELECT count(*) FROM outbox WHERE position(convert_to('%s', 'UTF8') in records) > 0", s->run);
    CT_EQ_INT(left, 0);
    it_measure("%s: outbox rows of the run: %lld left after %lld ms", what, left, (long long)(it_now_ms() - t0));
    /* every verdict on the topic at least once, same id */
    long missing, mismatch, records;
    t0 = it_now_ms();
    long rows = it_verdicts_on_topic(s->topic, s->run, 60000, &missing, &mismatch, &records);
    CT_EQ_INT(rows, 2 * N);
    CT_EQ_INT(missing, 0);
    CT_EQ_INT(mismatch, 0);
    CT_CHECK(records >= rows);
    it_measure(
        "%s: cs.verdicts.v1 carries %ld records for %ld verdicts (%ld duplicates), %ld missing (read in %lld ms)", what,
        records, rows, records - rows, missing, (long long)(it_now_ms() - t0));
}

/* ---- crash points ------------------------------------------------------------------ */

static void crashPoint(const char *point) {
    scen s;
    IT_REQUIRE(scenInit(&s));
    IT_REQUIRE(produceNext(&s, FAULT_ORDERS));
    char cp[64];
    snprintf(cp, sizeof cp, "CS_CRASH_POINT=%s", point);
    const char *env[] = {"CS_BATCH_MAX=100", cp, "CS_CRASH_AFTER=3", NULL};
    it_worker w;
    IT_REQUIRE(it_worker_start(&w, point, env) == 0);
    int64_t t0 = it_now_ms();
    int rc = it_worker_wait(&w, 120000);
    long long at_crash = processed(&s);
    it_measure("%s: exit %d after %lld ms with %lld of %d events applied", point, rc, (long long)(it_now_ms() - t0),
               at_crash, FAULT_EVENTS);
    CT_EQ_INT(rc, 86);
    CT_CHECK(it_log_count(w.log, "crash point") == 1);
    CT_CHECK(at_crash < FAULT_EVENTS);
    if (strcmp(point, "before_pg_commit") != 0) CT_CHECK(at_crash > 0);
    if (rc != 86) it_worker_stop(&w, SIGKILL, 5000);

    it_worker w2;
    IT_REQUIRE(it_worker_start(&w2, "restart", envBatch) == 0);
    CT_CHECK(waitDone(&s, point));
    checkExactlyOnce(&s, point);
    CT_EQ_INT(it_log_count(w2.log, "crash point"), 0);
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
    scenFree(&s);
}

static void test_crash_after_pg_commit_then_restart_applies_each_event_once(void) { crashPoint("after_pg_commit"); }
static void test_crash_after_produce_then_restart_applies_each_event_once(void) { crashPoint("after_produce"); }
static void test_crash_before_pg_commit_then_restart_applies_each_event_once(void) { crashPoint("before_pg_commit"); }

/* ---- SIGKILL ------------------------------------------------------------------------ */

/* SIGKILL at a random moment while events are still arriving. */
static void test_sigkill_mid_stream_then_restart_applies_each_event_once(void) {
    scen s;
    IT_REQUIRE(scenInit(&s));
    srand((unsigned)(it_wall_ms() ^ getpid()));
    long long at = 200 + rand() % 1000; /* applied events at the kill */
    IT_REQUIRE(produceNext(&s, 300));
    it_worker w;
    IT_REQUIRE(it_worker_start(&w, "victim", envBatch) == 0);
    long long applied = 0;
    int64_t t0 = it_now_ms();
    while ((applied = processed(&s)) < at && it_now_ms() - t0 < 60000) {
        if (s.produced < FAULT_ORDERS)
            IT_REQUIRE(produceNext(&s, 25));
        else
            it_sleep_ms(5);
    }
    int rc = it_worker_stop(&w, SIGKILL, 10000);
    long long after = processed(&s);
    it_measure(
        "SIGKILL at %lld applied events (target %lld, %d orders produced so far): exit %d; %lld applied after it",
        applied, at, s.produced, rc, after);
    CT_EQ_INT(rc, 128 + SIGKILL);
    CT_CHECK(after < FAULT_EVENTS);
    IT_REQUIRE(produceNext(&s, FAULT_ORDERS));
    it_worker w2;
    IT_REQUIRE(it_worker_start(&w2, "restart", envBatch) == 0);
    CT_CHECK(waitDone(&s, "sigkill"));
    checkExactlyOnce(&s, "sigkill");
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
    scenFree(&s);
}

/* ---- outages ------------------------------------------------------------------------- */

static int stack(const char *cmd) {
    int64_t t0 = it_now_ms();
    int rc = it_sh("bash '%s/deploy/local/stack.sh' %s", it.source_dir, cmd);
    it_measure("stack.sh %s: exit %d in %lld ms", cmd, rc, (long long)(it_now_ms() - t0));
    return rc;
}

/* PostgreSQL stopped while the worker applies a stream and started again:
 * the worker retries, lives on, loses and doubles nothing. */
static void test_postgres_restart_mid_stream_nothing_lost_nothing_doubled(void) {
    scen s;
    IT_REQUIRE(scenInit(&s));
    IT_REQUIRE(produceNext(&s, 300));
    it_worker w;
    IT_REQUIRE(it_worker_start(&w, "pg-outage", envBatch) == 0);
    IT_REQUIRE(it_wait_pg(IT_GE, 100, 60000,
                          "SELECT count(*) FROM processed_events WHERE worker = '%s' AND event_id LIKE '%s%%'",
                          IT_WORKER_NAME, s.evp) >= 100);
    long long before = processed(&s);
    int stopped = stack("stop-pg");
    CT_EQ_INT(stopped, 0);
    /* events keep arriving while the database is away */
    CT_CHECK(produceNext(&s, 400));
    it_sleep_ms(3000);
    CT_CHECK(it_worker_alive(&w));
    int started = stack("start-pg");
    CT_EQ_INT(started, 0);
    IT_REQUIRE(started == 0);
    int64_t up = it_now_ms();
    CT_CHECK(produceNext(&s, FAULT_ORDERS));
    it_measure("postgres stopped with %lld of %d produced events applied", before, 2 * 300);
    CT_CHECK(waitDone(&s, "postgres restart"));
    it_measure("postgres restart: stream done %lld ms after the server came back", (long long)(it_now_ms() - up));
    CT_CHECK(it_worker_alive(&w));
    checkExactlyOnce(&s, "postgres restart");
    CT_CHECK(it_log_count(w.log, "postgres connected") >= 2); /* it reconnected */
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);
    scenFree(&s);
}

/* Kafka stopped while the worker applies a stream and started again: the
 * worker lives on and resumes; nothing lost, nothing doubled. */
static void test_kafka_restart_mid_stream_worker_survives_and_resumes(void) {
    scen s;
    IT_REQUIRE(scenInit(&s));
    IT_REQUIRE(produceNext(&s, 300));
    it_worker w;
    IT_REQUIRE(it_worker_start(&w, "kafka-outage", envBatch) == 0);
    IT_REQUIRE(it_wait_pg(IT_GE, 100, 60000,
                          "SELECT count(*) FROM processed_events WHERE worker = '%s' AND event_id LIKE '%s%%'",
                          IT_WORKER_NAME, s.evp) >= 100);
    long long before = processed(&s);
    int stopped = stack("stop-kafka");
    CT_EQ_INT(stopped, 0);
    long long during = processed(&s);
    it_sleep_ms(3000);
    CT_CHECK(it_worker_alive(&w));
    int started = stack("start-kafka");
    CT_EQ_INT(started, 0);
    IT_REQUIRE(started == 0);
    int64_t up = it_now_ms();
    CT_CHECK(produceNext(&s, FAULT_ORDERS));
    it_measure("kafka stopped with %lld (then %lld) of %d produced events applied", before, during, 2 * 300);
    CT_CHECK(waitDone(&s, "kafka restart"));
    it_measure("kafka restart: stream done %lld ms after the broker came back", (long long)(it_now_ms() - up));
    CT_CHECK(it_worker_alive(&w));
    checkExactlyOnce(&s, "kafka restart");
    CT_EQ_INT(it_worker_stop(&w, SIGTERM, 30000), 0);
    scenFree(&s);
}

/* ---- SIGTERM ------------------------------------------------------------------------- */

/* SIGTERM mid-stream and at the end: exit 0, and the group's committed
 * offsets cover everything applied: after the final SIGTERM they are past
 * every record the test produced, so a restart re-reads none of them. */
static void test_sigterm_exits_0_with_offsets_committed(void) {
    scen s;
    IT_REQUIRE(scenInit(&s));
    IT_REQUIRE(produceNext(&s, FAULT_ORDERS));
    it_worker w;
    IT_REQUIRE(it_worker_start(&w, "term-1", envBatch) == 0);
    it_wait_pg(IT_GE, 400, 60000, "SELECT count(*) FROM processed_events WHERE worker = '%s' AND event_id LIKE '%s%%'",
               IT_WORKER_NAME, s.evp);
    int64_t t0 = it_now_ms();
    int rc = it_worker_stop(&w, SIGTERM, 30000);
    long long applied = processed(&s);
    it_measure("SIGTERM mid-stream: exit %d in %lld ms with %lld of %d events applied", rc,
               (long long)(it_now_ms() - t0), applied, FAULT_EVENTS);
    CT_EQ_INT(rc, 0);
    CT_EQ_INT(it_log_count(w.log, "\"msg\":\"stopped\""), 1); /* a clean stop, not an abort */
    /* every record below the committed offset was applied */
    int64_t committed[6];
    long long below = 0;
    for (int p = 0; p < 6; p++) committed[p] = it_committed(IT_GROUP, IT_TOPIC_ORDERS, p);
    for (int i = 0; i < FAULT_EVENTS; i++) {
        CT_CHECK(s.dr[i].offset >= 0);
        if (s.dr[i].offset < committed[s.dr[i].partition]) below++;
    }
    CT_EQ_INT(below, applied);
    it_measure("mid-stream: %lld of the run's records lie below the committed offsets, %lld applied", below, applied);

    it_worker w2;
    IT_REQUIRE(it_worker_start(&w2, "term-2", envBatch) == 0);
    CT_CHECK(waitDone(&s, "sigterm"));
    checkExactlyOnce(&s, "sigterm");
    t0 = it_now_ms();
    CT_EQ_INT(it_worker_stop(&w2, SIGTERM, 30000), 0);
    it_measure("SIGTERM when idle: exit in %lld ms", (long long)(it_now_ms() - t0));
    int64_t last[6];
    for (int p = 0; p < 6; p++) last[p] = -1;
    for (int i = 0; i < FAULT_EVENTS; i++)
        if (s.dr[i].offset > last[s.dr[i].partition]) last[s.dr[i].partition] = s.dr[i].offset;
    for (int p = 0; p < 6; p++) {
        int64_t c = it_committed(IT_GROUP, IT_TOPIC_ORDERS, p);
        fprintf(stderr, "  %s[%d]: last record of the run at %lld, committed %lld\n", IT_TOPIC_ORDERS, p,
                (long long)last[p], (long long)c);
        if (last[p] >= 0) CT_CHECK(c >= last[p] + 1);
    }
    /* a restart reads none of them again: nothing of the run changes */
    long long versions = it_pg_int(
        "SELECT coalesce(sum(version), 0) FROM orders WHERE shop_id = 'tb-demo' AND order_id LIKE '%s%%'", s.evp);
    it_worker w3;
    IT_REQUIRE(it_worker_start(&w3, "term-3", envBatch) == 0);
    CT_CHECK(it_worker_wait_assigned(&w3, 30000));
    int port = it_worker_http_port(&w3);
    it_sleep_ms(2000);
    double dup = it_metric(port, "cs_events_total{worker=\"order-verifier\",result=\"duplicate\"}");
    it_measure("restart after SIGTERM: duplicate counter %.0f (metrics port %d)", dup, port);
    CT_EQ_INT(processed(&s), FAULT_EVENTS);
    CT_EQ_INT(
        it_pg_int("SELECT coalesce(sum(version), 0) FROM orders WHERE shop_id = 'tb-demo' AND order_id LIKE '%s%%'",
                  s.evp),
        versions);
    CT_EQ_INT(it_worker_stop(&w3, SIGTERM, 30000), 0);
    scenFree(&s);
}

IT_MAIN(CT_CASE(test_crash_after_pg_commit_then_restart_applies_each_event_once),
        CT_CASE(test_crash_after_produce_then_restart_applies_each_event_once),
        CT_CASE(test_crash_before_pg_commit_then_restart_applies_each_event_once),
        CT_CASE(test_sigkill_mid_stream_then_restart_applies_each_event_once),
        CT_CASE(test_sigterm_exits_0_with_offsets_committed),
        CT_CASE(test_postgres_restart_mid_stream_nothing_lost_nothing_doubled),
        CT_CASE(test_kafka_restart_mid_stream_worker_survives_and_resumes))
