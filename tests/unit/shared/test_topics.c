/* test_topics.c -- topic readiness (shared/src/topics.c) against
 * librdkafka's mock cluster: the topics are ready only once every
 * partition has a leader that answers, a leader that refuses for a while
 * is waited for, and one that never comes is reported by name in time.
 * The real broker's case (a fresh stack) is tests/stack/fresh_stack.sh.
 *
 * The cases share one mock cluster, made by the first and destroyed at
 * exit: librdkafka 2.0.2's mock now and then takes a second to apply one
 * of its set-up calls, and the table has 19 topics. Each case leaves the
 * cluster as it found it, except the last. */
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "ct.h"
#include "cs/clock.h"
#include "cs/topics.h"

#define LIST_OFFSETS 2 /* Kafka ApiKey of ListOffsets */

static char instance[] = "test-topics";

typedef struct mock {
    rd_kafka_t *rk; /* owns the cluster */
    rd_kafka_mock_cluster_t *mc;
    char brokers[256];
    cs_config cfg; /* points at the mock */
} mock;

static mock shared; /* made by the first mockGet() */

static void quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    (void)level;
    (void)fac;
    (void)buf;
}

/* A one-broker mock cluster holding every table topic. */
static int mockStart(mock *m) {
    memset(m, 0, sizeof *m);
    char err[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(c, quiet);
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
    if (!m->rk) {
        rd_kafka_conf_destroy(c);
        return -1;
    }
    m->mc = rd_kafka_mock_cluster_new(m->rk, 1);
    if (!m->mc) return -1;
    snprintf(m->brokers, sizeof m->brokers, "%s", rd_kafka_mock_cluster_bootstraps(m->mc));
    size_t n = 0;
    const cs_topic_info *t = cs_topics(&n);
    for (size_t i = 0; i < n; i++)
        if (rd_kafka_mock_topic_create(m->mc, t[i].name, t[i].partitions, 1)) return -1;
    m->cfg.brokers = m->brokers;
    m->cfg.instance = instance;
    return 0;
}

static void mockStop(void) {
    if (shared.mc) rd_kafka_mock_cluster_destroy(shared.mc);
    if (shared.rk) rd_kafka_destroy(shared.rk);
    memset(&shared, 0, sizeof shared);
}

/* The shared cluster; NULL if it cannot be made. */
static mock *mockGet(void) {
    if (shared.mc) return &shared;
    if (mockStart(&shared) != 0) {
        mockStop();
        return NULL;
    }
    atexit(mockStop);
    return &shared;
}

static void test_topics_with_leaders_everywhere_are_ready(void) {
    mock *m = mockGet();
    CT_CHECK(m != NULL);
    if (!m) return;
    char err[512] = "";
    CT_EQ_INT(cs_topics_wait_ready(&m->cfg, 10000, err, sizeof err), 0);
    CT_EQ_STR(err, "");
}

static void test_partition_without_leader_is_named_when_time_is_up(void) {
    mock *m = mockGet();
    CT_CHECK(m != NULL);
    if (!m) return;
    rd_kafka_mock_partition_set_leader(m->mc, "cs.verdicts.v1", 2, -1);
    char err[512] = "";
    int64_t t0 = cs_mono_ms();
    CT_EQ_INT(cs_topics_wait_ready(&m->cfg, 1000, err, sizeof err), -1);
    int64_t took = cs_mono_ms() - t0;
    CT_CHECK(took >= 1000 && took < 8000);
    CT_CHECK(strstr(err, "topics not ready after 1000 ms") != NULL);
    CT_CHECK(strstr(err, "cs.verdicts.v1[2]: Broker: Leader not available") != NULL);
    if (!strstr(err, "cs.verdicts.v1[2]: ")) fprintf(stderr, "  got: %s\n", err);
    rd_kafka_mock_partition_set_leader(m->mc, "cs.verdicts.v1", 2, 1);
    CT_EQ_INT(cs_topics_wait_ready(&m->cfg, 10000, err, sizeof err), 0); /* and back */
}

/* What a fresh broker does for a moment: metadata names the leader, the
 * leader refuses ListOffsets. Waited for, not reported. */
static void test_leader_refusing_list_offsets_for_a_while_is_waited_for(void) {
    mock *m = mockGet();
    CT_CHECK(m != NULL);
    if (!m) return;
    rd_kafka_mock_push_request_errors(m->mc, LIST_OFFSETS, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                      RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                      RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
    char err[512] = "";
    CT_EQ_INT(cs_topics_wait_ready(&m->cfg, 20000, err, sizeof err), 0);
    if (*err) fprintf(stderr, "  got: %s\n", err);
}

/* Last: the refusals it queues outlive it. */
static void test_leader_refusing_list_offsets_for_good_is_reported(void) {
    mock *m = mockGet();
    CT_CHECK(m != NULL);
    if (!m) return;
    rd_kafka_resp_err_t errs[200];
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) errs[i] = RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION;
    rd_kafka_mock_push_request_errors_array(m->mc, LIST_OFFSETS, sizeof errs / sizeof errs[0], errs);
    char err[512] = "";
    CT_EQ_INT(cs_topics_wait_ready(&m->cfg, 1000, err, sizeof err), -1);
    CT_CHECK(strstr(err, "shop.orders.v1[0]: Broker: Not leader for partition") != NULL);
    if (!strstr(err, "Not leader")) fprintf(stderr, "  got: %s\n", err);
}

CT_MAIN(CT_CASE(test_topics_with_leaders_everywhere_are_ready),
        CT_CASE(test_partition_without_leader_is_named_when_time_is_up),
        CT_CASE(test_leader_refusing_list_offsets_for_a_while_is_waited_for),
        CT_CASE(test_leader_refusing_list_offsets_for_good_is_reported))
