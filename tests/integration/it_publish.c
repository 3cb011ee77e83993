/* it_publish.c -- no record can make publishing fail for ever
 * (docs/architecture.md "Records Kafka refuses"):
 *
 *   - a record just under 1 MiB on shop.orders.v1 (the broker takes it; it
 *     is not an envelope) is dead-lettered by both of the topic's workers
 *     that run here, the order-verifier (raw batch handler) and the
 *     exception-handler (routes): its dead letter reaches shop.orders.v1.dlq
 *     with its value cut to fit and the header truncated=<size>, the whole
 *     bytes stay in dead_letters.payload, the outbox rows go, the next
 *     event is applied and SIGTERM is quick. Before, producing the dead
 *     letter failed with "Message size too large" every few seconds for
 *     ever, the outbox rows stayed and SIGTERM took 15-17 s;
 *   - an outbound record larger than any producer takes (publish-probe, a
 *     test worker on the real runtime) is dead-lettered in PostgreSQL with
 *     its reason and counted in cs_publish_dead_total, while the batch's
 *     other record reaches its topic and the outbox row goes. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "it.h"

#define KIND(k) CS__V1__ORDER_EVENT_KIND__ORDER_EVENT_KIND_##k
#define BIG_LEN 1048400 /* the hostile probe's record: under the broker's 1,048,588 */
#define EX_NAME "exception-handler"
#define PROBE_NAME "it-publish-probe"
#define PROBE_GROUP "it-publish-probe"
#define QUICK_STOP_MS 5000

static void md5hex(const void *p, size_t n, char out[33]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(p, n, md, &len, EVP_md5(), NULL);
    for (unsigned int i = 0; i < len && i < 16; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* SIGTERM; true when the worker exited 0 within QUICK_STOP_MS. */
static bool stopsQuickly(it_worker *w) {
    int64_t t0 = it_now_ms();
    int rc = it_worker_stop(w, SIGTERM, 30000);
    int64_t ms = it_now_ms() - t0;
    it_measure("%s: SIGTERM -> exit %d in %lld ms", w->name, rc, (long long)ms);
    return rc == 0 && ms < QUICK_STOP_MS;
}

static void test_record_just_under_1mib_is_dead_lettered_cut_to_fit_and_nothing_wedges(void) {
    char run[64], key[128], eid[128], sum[33];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:big%s", run);
    /* not an envelope: a varint that never ends, then a pattern */
    uint8_t *big = malloc(BIG_LEN);
    IT_REQUIRE(big != NULL);
    for (size_t i = 0; i < BIG_LEN; i++) big[i] = i < 16 ? 0xFF : (uint8_t)(i * 31 % 251);
    md5hex(big, BIG_LEN, sum);

    it_reader *dlq = it_reader_open(IT_TOPIC_ORDERS_DLQ, false);
    IT_REQUIRE(dlq != NULL);
    it_worker ov, ex;
    IT_REQUIRE(it_worker_start(&ov, "big-ov", NULL) == 0);
    static const char *const exEnv[] = {"CS_GROUP_ID=" IT_GROUP_EXCEPTIONS, NULL};
    IT_REQUIRE(it_worker_start_bin(&ex, EX_NAME, "big-ex", NULL, exEnv) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&ov, 60000) && it_worker_wait_assigned(&ex, 60000));

    it_dr dr = {.offset = -1};
    IT_REQUIRE(it_produce_raw(IT_TOPIC_ORDERS, -1, key, big, BIG_LEN, &dr) == 0);
    IT_REQUIRE(it_flush(30000) == 0 && dr.offset >= 0); /* the broker takes it */
    snprintf(eid, sizeof eid, "%s:%d:%lld", IT_TOPIC_ORDERS, (int)dr.partition, (long long)dr.offset);

    /* each worker dead-letters it once, the whole bytes in PostgreSQL */
    CT_EQ_INT(it_wait_pg(IT_EQ, 2, 30000,
                         "SELECT count(*) FROM dead_letters WHERE event_id = '%s' AND worker IN ('%s', '%s') "
                         "AND reason LIKE 'decode:%%'",
                         eid, IT_WORKER_NAME, EX_NAME),
              2);
    CT_EQ_INT(it_pg_int("SELECT count(*) FROM dead_letters WHERE event_id = '%s' AND octet_length(payload) = %d "
                        "AND md5(payload) = '%s' AND key = '%s'",
                        eid, BIG_LEN, sum, key),
              2);

    /* both dead letters reach Kafka, cut to fit, saying so */
    size_t got = it_reader_collect(dlq, run, 2, 30000);
    CT_EQ_INT(got, 2);
    bool byOv = false, byEx = false;
    for (size_t i = 0; i < got; i++) {
        const it_rec *r = it_reader_get(dlq, i);
        const char *worker = it_rec_header(r, "worker"), *cut = it_rec_header(r, "truncated");
        it_measure("dead letter by %s: %zu value bytes, truncated=%s", worker ? worker : "?", r->len,
                   cut ? cut : "(none)");
        CT_EQ_STR(r->key, key);
        CT_CHECK(cut && atol(cut) == BIG_LEN);
        CT_CHECK(r->len > 900000 && r->len < BIG_LEN); /* as much as fits */
        CT_CHECK(memcmp(r->value, big, r->len) == 0);  /* the first bytes, unchanged */
        CT_EQ_STR(it_rec_header(r, "event-id") ? it_rec_header(r, "event-id") : "", eid);
        CT_CHECK(it_rec_header(r, "error") && strncmp(it_rec_header(r, "error"), "decode:", 7) == 0);
        if (worker && strcmp(worker, IT_WORKER_NAME) == 0) byOv = true;
        if (worker && strcmp(worker, EX_NAME) == 0) byEx = true;
        /* recorded once the flight is done, just after the acknowledgement */
        CT_EQ_INT(it_wait_pg(IT_EQ, (long long)r->len, 10000,
                             "SELECT dlq_value_bytes FROM dead_letters WHERE event_id = '%s' AND worker = '%s'", eid,
                             worker ? worker : ""),
                  (long long)r->len);
    }
    CT_CHECK(byOv);
    CT_CHECK(byEx);

    /* the outbox rows go, nothing is retried */
    CT_EQ_INT(it_wait_pg(IT_EQ, 0, 15000,
                         "SELECT count(*) FROM outbox WHERE worker IN ('%s', '%s') "
                         "AND position(convert_to('%s', 'UTF8') in records) > 0",
                         IT_WORKER_NAME, EX_NAME, run),
              0);
    /* at least: a row left wedged by an older binary is swept and cut too */
    CT_CHECK(it_metric(it_worker_http_port(&ov), "cs_dlq_truncated_total{worker=\"order-verifier\"}") >= 1);
    CT_CHECK(it_metric(it_worker_http_port(&ex), "cs_dlq_truncated_total{worker=\"exception-handler\"}") >= 1);

    /* and the verifier goes on with the next event */
    it_order o;
    char oid[96], evid[128];
    snprintf(oid, sizeof oid, "%s-after", run);
    it_order_init(&o, "tb-demo", oid, "buyer-after", "SKU-BIG-AFTER", NULL, 1);
    snprintf(evid, sizeof evid, "%s-c", oid);
    IT_REQUIRE(it_produce_order_event(&o, KIND(CREATED), evid, o.created_ms, false, NULL) == 0);
    IT_REQUIRE(it_flush(30000) == 0);
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM processed_events WHERE worker = '%s' AND event_id = '%s'",
                         IT_WORKER_NAME, evid),
              1);

    CT_CHECK(stopsQuickly(&ov));
    CT_CHECK(stopsQuickly(&ex));
    it_reader_close(dlq);
    free(big);
}

static void test_outbound_record_kafka_refuses_is_dead_lettered_and_the_batch_goes_on(void) {
    char run[64], key[128], eid[128], okId[160], bigId[160];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:pubprobe-big-%s", run);
    snprintf(eid, sizeof eid, "%s-e", run);
    snprintf(okId, sizeof okId, "%s/ok", eid);
    snprintf(bigId, sizeof bigId, "%s/big", eid);
    IT_REQUIRE(it_group_at_end(PROBE_GROUP));
    it_reader *tasks = it_reader_open("cs.tasks.v1", false);
    IT_REQUIRE(tasks != NULL);
    it_worker w;
    static const char *const env[] = {"CS_GROUP_ID=" PROBE_GROUP, NULL};
    IT_REQUIRE(it_worker_start_bin(&w, "tests/publish-probe", "pub-probe", NULL, env) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&w, 60000));

    it_order o;
    it_order_init(&o, "tb-demo", key + strlen("tb-demo:"), "buyer-probe", "SKU-PROBE", NULL, 1);
    IT_REQUIRE(it_produce_order_event(&o, KIND(CREATED), eid, o.created_ms, false, NULL) == 0);
    IT_REQUIRE(it_flush(30000) == 0);

    /* the refused record: a dead letter in PostgreSQL, with why and its bytes */
    CT_EQ_INT(it_wait_pg(IT_EQ, 1, 30000,
                         "SELECT count(*) FROM dead_letters WHERE worker = '%s' AND event_id = '%s' "
                         "AND topic = 'cs.tasks.v1' AND publish_error LIKE '%%too large%%' "
                         "AND reason = publish_error AND octet_length(payload) > 1100000",
                         PROBE_NAME, bigId),
              1);
    /* the batch's other record is on its topic */
    CT_EQ_INT(it_reader_collect(tasks, run, 1, 20000), 1);
    const it_rec *r = it_reader_count(tasks) ? it_reader_get(tasks, 0) : NULL;
    CT_CHECK(r && r->env && r->env->event_id && strcmp(r->env->event_id, okId) == 0);
    /* the outbox row goes, and is not published again */
    CT_EQ_INT(it_wait_pg(IT_EQ, 0, 15000,
                         "SELECT count(*) FROM outbox WHERE worker = '%s' "
                         "AND position(convert_to('%s', 'UTF8') in records) > 0",
                         PROBE_NAME, run),
              0);
    int port = it_worker_http_port(&w);
    CT_CHECK(it_metric(port, "cs_publish_dead_total{worker=\"" PROBE_NAME "\",error=\"MSG_SIZE_TOO_LARGE\"}") >= 1);
    it_sleep_ms(3000); /* a sweep or two: nothing is retried */
    CT_EQ_INT(it_metric(port, "cs_outbox_publish_retries_total{worker=\"" PROBE_NAME "\"}"), 0);
    CT_EQ_INT(it_reader_collect(tasks, run, 2, 500), 1);
    CT_CHECK(stopsQuickly(&w));
    it_reader_close(tasks);
}

/* A DLQ topic whose max.message.bytes is below what the producer takes
 * (100,000 here): the broker refuses the dead letter the producer made fit,
 * so it is cut again, to 64 KiB, and goes. The topic's configuration is
 * put back whatever the checks said. */
static void test_dead_letter_a_broker_refuses_as_too_large_is_cut_to_64kib(void) {
    char run[64], key[128], eid[128];
    it_run_id(run, sizeof run);
    snprintf(key, sizeof key, "tb-demo:mid%s", run);
    size_t len = 300000;
    uint8_t *mid = malloc(len);
    IT_REQUIRE(mid != NULL);
    for (size_t i = 0; i < len; i++) mid[i] = i < 16 ? 0xFF : (uint8_t)(i * 7 % 253);
    it_reader *dlq = it_reader_open(IT_TOPIC_ORDERS_DLQ, false);
    IT_REQUIRE(dlq != NULL);
    it_worker ov;
    IT_REQUIRE(it_worker_start(&ov, "mid-ov", NULL) == 0);
    IT_REQUIRE(it_worker_wait_assigned(&ov, 60000));
    IT_REQUIRE(it_topic_config(IT_TOPIC_ORDERS_DLQ, "max.message.bytes", "100000") == 0);
    it_sleep_ms(500); /* the broker applies it asynchronously */
    it_dr dr = {.offset = -1};
    bool produced = it_produce_raw(IT_TOPIC_ORDERS, -1, key, mid, len, &dr) == 0 && it_flush(30000) == 0;
    CT_CHECK(produced);
    if (produced) {
        snprintf(eid, sizeof eid, "%s:%d:%lld", IT_TOPIC_ORDERS, (int)dr.partition, (long long)dr.offset);
        CT_EQ_INT(it_reader_collect(dlq, run, 1, 30000), 1);
        const it_rec *r = it_reader_count(dlq) ? it_reader_get(dlq, 0) : NULL;
        CT_CHECK(r && r->len == 65536 && memcmp(r->value, mid, r->len) == 0);
        CT_CHECK(r && it_rec_header(r, "truncated") && atol(it_rec_header(r, "truncated")) == (long)len);
        CT_EQ_INT(it_wait_pg(IT_EQ, 65536, 10000,
                             "SELECT dlq_value_bytes FROM dead_letters WHERE event_id = '%s' AND worker = '%s' "
                             "AND octet_length(payload) = %zu AND publish_error IS NULL",
                             eid, IT_WORKER_NAME, len),
                  65536);
    }
    CT_EQ_INT(it_topic_config(IT_TOPIC_ORDERS_DLQ, NULL, NULL), 0);
    CT_CHECK(stopsQuickly(&ov));
    it_reader_close(dlq);
    free(mid);
}

IT_MAIN(CT_CASE(test_record_just_under_1mib_is_dead_lettered_cut_to_fit_and_nothing_wedges),
        CT_CASE(test_outbound_record_kafka_refuses_is_dead_lettered_and_the_batch_goes_on),
        CT_CASE(test_dead_letter_a_broker_refuses_as_too_large_is_cut_to_64kib))
