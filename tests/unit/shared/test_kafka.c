/* test_kafka.c -- the one Kafka configuration (shared/src/kafka.c): each
 * role's settings read back with rd_kafka_conf_get(), overrides winning,
 * refusals naming key, value and reason. No broker: a conf is only text
 * until a client connects. */
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "ct.h"
#include "cs/kafka.h"

static char brokers[] = "127.0.0.1:1";
static char instance[] = "ov-1";
static char range[] = "range";
static char coop[] = "cooperative-sticky";

/* The settings of a worker started with CS_INSTANCE=ov-1 and defaults. */
static cs_config workerConfig(void) {
    cs_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.brokers = brokers;
    cfg.instance = instance;
    cfg.assignor = range;
    cfg.session_timeout_ms = 10000;
    cfg.queue_kbytes = 2048;
    return cfg;
}

/* conf's value of name, as librdkafka reports it ("" if unknown). */
static const char *get(const rd_kafka_conf_t *conf, const char *name) {
    static char buf[512];
    size_t len = sizeof buf;
    if (rd_kafka_conf_get(conf, name, buf, &len) != RD_KAFKA_CONF_OK) return "";
    return buf;
}

static void test_every_role_gets_the_brokers_and_the_instance_as_client_id(void) {
    cs_config cfg = workerConfig();
    char err[256];
    const cs_kafka_role roles[] = {CS_KAFKA_PRODUCER, CS_KAFKA_CONSUMER, CS_KAFKA_READER, CS_KAFKA_ADMIN};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        bool grouped = roles[i] == CS_KAFKA_CONSUMER || roles[i] == CS_KAFKA_READER;
        rd_kafka_conf_t *c = cs_kafka_conf(&cfg, roles[i], grouped ? "g" : NULL, NULL, err, sizeof err);
        CT_CHECK(c != NULL);
        if (!c) continue;
        CT_EQ_STR(get(c, "bootstrap.servers"), "127.0.0.1:1");
        CT_EQ_STR(get(c, "client.id"), "ov-1");
        rd_kafka_conf_destroy(c);
    }
}

static void test_producer_is_idempotent_with_acks_all(void) {
    cs_config cfg = workerConfig();
    char err[256];
    rd_kafka_conf_t *c = cs_kafka_conf(&cfg, CS_KAFKA_PRODUCER, NULL, NULL, err, sizeof err);
    CT_CHECK(c != NULL);
    if (!c) return;
    CT_EQ_STR(get(c, "enable.idempotence"), "true");
    CT_EQ_STR(get(c, "acks"), "-1"); /* librdkafka's spelling of "all" */
    CT_EQ_STR(get(c, "linger.ms"), "2");
    CT_EQ_STR(get(c, "message.timeout.ms"), "30000");
    CT_EQ_STR(get(c, "group.id"), "");
    rd_kafka_conf_destroy(c);
}

static void test_worker_consumer_commits_by_hand_with_cs_settings(void) {
    cs_config cfg = workerConfig();
    cfg.assignor = coop;
    cfg.session_timeout_ms = 7000;
    cfg.queue_kbytes = 1234;
    char err[256];
    rd_kafka_conf_t *c = cs_kafka_conf(&cfg, CS_KAFKA_CONSUMER, "order-verifier", NULL, err, sizeof err);
    CT_CHECK(c != NULL);
    if (!c) return;
    CT_EQ_STR(get(c, "group.id"), "order-verifier");
    CT_EQ_STR(get(c, "enable.auto.commit"), "false");
    CT_EQ_STR(get(c, "enable.auto.offset.store"), "false");
    CT_EQ_STR(get(c, "auto.offset.reset"), "smallest"); /* "earliest" */
    CT_EQ_STR(get(c, "partition.assignment.strategy"), "cooperative-sticky");
    CT_EQ_STR(get(c, "session.timeout.ms"), "7000");
    CT_EQ_STR(get(c, "heartbeat.interval.ms"), "1000");
    CT_EQ_STR(get(c, "max.poll.interval.ms"), "600000");
    CT_EQ_STR(get(c, "queued.max.messages.kbytes"), "1234");
    CT_EQ_STR(get(c, "fetch.wait.max.ms"), "20");
    rd_kafka_conf_destroy(c);
}

static void test_reader_sets_only_its_group_and_manual_commits(void) {
    cs_config cfg = workerConfig();
    char err[256];
    rd_kafka_conf_t *c = cs_kafka_conf(&cfg, CS_KAFKA_READER, "it-reader-1", NULL, err, sizeof err);
    rd_kafka_conf_t *plain = rd_kafka_conf_new();
    CT_CHECK(c != NULL);
    if (!c) {
        rd_kafka_conf_destroy(plain);
        return;
    }
    CT_EQ_STR(get(c, "group.id"), "it-reader-1");
    CT_EQ_STR(get(c, "enable.auto.commit"), "false");
    /* none of the worker consumer's tuning: librdkafka's defaults */
    static const char *const untouched[] = {"enable.auto.offset.store",      "auto.offset.reset",
                                            "partition.assignment.strategy", "session.timeout.ms",
                                            "queued.max.messages.kbytes",    "fetch.wait.max.ms"};
    for (size_t i = 0; i < sizeof untouched / sizeof untouched[0]; i++) {
        char want[512];
        snprintf(want, sizeof want, "%s", get(plain, untouched[i]));
        CT_EQ_STR(get(c, untouched[i]), want);
    }
    rd_kafka_conf_destroy(plain);
    rd_kafka_conf_destroy(c);
}

static void test_admin_adds_nothing_to_the_shared_settings(void) {
    cs_config cfg = workerConfig();
    char err[256];
    rd_kafka_conf_t *c = cs_kafka_conf(&cfg, CS_KAFKA_ADMIN, NULL, NULL, err, sizeof err);
    CT_CHECK(c != NULL);
    if (!c) return;
    CT_EQ_STR(get(c, "enable.idempotence"), "false");
    CT_EQ_STR(get(c, "group.id"), "");
    rd_kafka_conf_destroy(c);
}

static void test_overrides_are_applied_last_in_order(void) {
    cs_config cfg = workerConfig();
    char err[256];
    const char *const over[] = {"linger.ms", "5",         "client.id", "cs-sample", "queue.buffering.max.messages",
                                "500000",    "linger.ms", "7",         NULL};
    rd_kafka_conf_t *c = cs_kafka_conf(&cfg, CS_KAFKA_PRODUCER, NULL, over, err, sizeof err);
    CT_CHECK(c != NULL);
    if (!c) return;
    CT_EQ_STR(get(c, "linger.ms"), "7");
    CT_EQ_STR(get(c, "client.id"), "cs-sample");
    CT_EQ_STR(get(c, "queue.buffering.max.messages"), "500000");
    CT_EQ_STR(get(c, "acks"), "-1"); /* what is not overridden stays */
    rd_kafka_conf_destroy(c);
}

static void test_refused_value_names_key_value_and_reason(void) {
    cs_config cfg = workerConfig();
    char err[256] = "";
    const char *const over[] = {"linger.ms", "soon", NULL};
    CT_CHECK(cs_kafka_conf(&cfg, CS_KAFKA_PRODUCER, NULL, over, err, sizeof err) == NULL);
    CT_CHECK(strncmp(err, "kafka config linger.ms=soon: ", 29) == 0);
    CT_CHECK(strlen(err) > 29); /* librdkafka's reason follows */
}

static void test_unknown_key_is_refused(void) {
    cs_config cfg = workerConfig();
    char err[256] = "";
    const char *const over[] = {"no.such.setting", "1", NULL};
    CT_CHECK(cs_kafka_conf(&cfg, CS_KAFKA_ADMIN, NULL, over, err, sizeof err) == NULL);
    CT_CHECK(strstr(err, "no.such.setting=1") != NULL);
}

static void test_bad_cs_value_is_refused_with_the_setting_it_feeds(void) {
    cs_config cfg = workerConfig();
    cfg.session_timeout_ms = -5;
    char err[256] = "";
    CT_CHECK(cs_kafka_conf(&cfg, CS_KAFKA_CONSUMER, "g", NULL, err, sizeof err) == NULL);
    CT_CHECK(strncmp(err, "kafka config session.timeout.ms=-5: ", 36) == 0);
}

static void test_consumer_without_group_is_refused(void) {
    cs_config cfg = workerConfig();
    char err[256] = "";
    CT_CHECK(cs_kafka_conf(&cfg, CS_KAFKA_CONSUMER, NULL, NULL, err, sizeof err) == NULL);
    CT_EQ_STR(err, "kafka config: a consumer needs a group.id");
    err[0] = '\0';
    CT_CHECK(cs_kafka_conf(&cfg, CS_KAFKA_READER, "", NULL, err, sizeof err) == NULL);
    CT_EQ_STR(err, "kafka config: a consumer needs a group.id");
}

static void test_group_given_to_a_producer_is_refused(void) {
    cs_config cfg = workerConfig();
    char err[256] = "";
    CT_CHECK(cs_kafka_conf(&cfg, CS_KAFKA_PRODUCER, "g", NULL, err, sizeof err) == NULL);
    CT_EQ_STR(err, "kafka config: group.id 'g' given to a client that is no consumer");
}

/* The clients below have no broker: their "connection refused" is expected. */
static void quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    (void)level;
    (void)fac;
    (void)buf;
}

/* rd_kafka_new() checks settings against each other (idempotence needs
 * acks=all, the heartbeat must be below the session timeout): each role's
 * conf makes a client, with no broker to connect to. */
static void test_each_role_makes_a_client(void) {
    cs_config cfg = workerConfig();
    char err[512];
    struct {
        cs_kafka_role role;
        const char *group;
        rd_kafka_type_t type;
    } cases[] = {
        {CS_KAFKA_PRODUCER, NULL, RD_KAFKA_PRODUCER},
        {CS_KAFKA_CONSUMER, "g", RD_KAFKA_CONSUMER},
        {CS_KAFKA_READER, "g", RD_KAFKA_CONSUMER},
        {CS_KAFKA_ADMIN, NULL, RD_KAFKA_PRODUCER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rd_kafka_conf_t *c = cs_kafka_conf(&cfg, cases[i].role, cases[i].group, NULL, err, sizeof err);
        CT_CHECK(c != NULL);
        if (!c) continue;
        rd_kafka_conf_set_log_cb(c, quiet);
        rd_kafka_t *rk = rd_kafka_new(cases[i].type, c, err, sizeof err);
        if (!rk) {
            fprintf(stderr, "  role %d: %s\n", (int)cases[i].role, err);
            rd_kafka_conf_destroy(c);
            CT_CHECK(rk != NULL);
            continue;
        }
        /* rd_kafka_new() took ownership of the conf object */
        rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    }
}

/* What a record cannot get past by being sent again is permanent (it is
 * dead-lettered, runtime.c); what passes with time is not (retried). */
static void test_record_errors_are_permanent_outages_are_transient(void) {
    const rd_kafka_resp_err_t permanent[] = {
        RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE,
        RD_KAFKA_RESP_ERR_INVALID_RECORD,     RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
        RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION,    RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT,
    };
    const rd_kafka_resp_err_t transient[] = {
        RD_KAFKA_RESP_ERR_NO_ERROR,
        RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR__TRANSPORT,
        RD_KAFKA_RESP_ERR__QUEUE_FULL,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
    };
    for (size_t i = 0; i < sizeof permanent / sizeof permanent[0]; i++) CT_CHECK(cs_kafka_err_permanent(permanent[i]));
    for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++) CT_CHECK(!cs_kafka_err_permanent(transient[i]));
    CT_CHECK(cs_kafka_err_size(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
    CT_CHECK(!cs_kafka_err_size(RD_KAFKA_RESP_ERR_INVALID_RECORD));
}

CT_MAIN(CT_CASE(test_every_role_gets_the_brokers_and_the_instance_as_client_id),
        CT_CASE(test_record_errors_are_permanent_outages_are_transient),
        CT_CASE(test_producer_is_idempotent_with_acks_all),
        CT_CASE(test_worker_consumer_commits_by_hand_with_cs_settings),
        CT_CASE(test_reader_sets_only_its_group_and_manual_commits),
        CT_CASE(test_admin_adds_nothing_to_the_shared_settings), CT_CASE(test_overrides_are_applied_last_in_order),
        CT_CASE(test_refused_value_names_key_value_and_reason), CT_CASE(test_unknown_key_is_refused),
        CT_CASE(test_bad_cs_value_is_refused_with_the_setting_it_feeds),
        CT_CASE(test_consumer_without_group_is_refused), CT_CASE(test_group_given_to_a_producer_is_refused),
        CT_CASE(test_each_role_makes_a_client))
