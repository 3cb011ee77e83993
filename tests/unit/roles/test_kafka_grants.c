/* test_kafka_grants.c -- the roles' Kafka ACLs (shared/src/kafka_acl.c)
 * against what the workers really do: every topic a worker subscribes to
 * is one it may read, and the dead letters of each; every producer the
 * topics table names may write the topic. Linked with every worker, so a
 * new subscription that is not granted fails here, not in a deployment
 * whose broker refuses it. */
#include <string.h>

#include "ct.h"
#include "cs/kafka_acl.h"
#include "cs/routes.h"
#include "cs/topics.h"

#include "exception-handler/exceptions.h"
#include "notifier/notifier.h"
#include "order-verifier/verifier.h"
#include "refund-notifier/refunds.h"
#include "review-scheduler/reviews.h"

static void checkSubscriptions(const char *role, const cs_worker_def *def) {
    const char *topics[32];
    size_t n = cs_routes_topics(def, topics, 32);
    CT_CHECK(n > 0);
    for (size_t i = 0; i < n; i++) {
        char dlq[128];
        snprintf(dlq, sizeof dlq, "%s%s", topics[i], CS_TOPIC_DLQ_SUFFIX);
        if (!cs_kafka_may_read(role, topics[i])) fprintf(stderr, "  %s may not read %s\n", role, topics[i]);
        CT_CHECK(cs_kafka_may_read(role, topics[i]));
        CT_CHECK(cs_kafka_may_write(role, dlq));
        CT_CHECK(cs_topic_find(dlq) != NULL); /* the dead-letter topic exists */
    }
    /* and nothing more is read than it subscribes to */
    const cs_kafka_grant *g = cs_kafka_grant_of(role);
    CT_CHECK(g != NULL);
    size_t reads = 0;
    while (g && g->reads[reads]) reads++;
    CT_EQ_INT((int)reads, (int)n);
}

static void test_each_worker_reads_what_it_subscribes_to_and_no_more(void) {
    checkSubscriptions("order-verifier", ov_worker_def());
    checkSubscriptions("exception-handler", ex_worker_def());
    checkSubscriptions("refund-notifier", rf_worker_def());
    checkSubscriptions("review-scheduler", rv_worker_def());
    checkSubscriptions("notifier", nt_worker_def());
}

/* True if the table's comma-separated list names role as a whole word
 * ("notifier" is not named by "refund-notifier"; "timer dispatcher" is the
 * timer-dispatcher). */
static bool names(const char *list, const char *role) {
    const char *want = strcmp(role, "timer-dispatcher") == 0 ? "timer dispatcher" : role;
    size_t n = strlen(want);
    for (const char *p = list; (p = strstr(p, want)) != NULL; p += n) {
        bool starts = p == list || p[-1] == ' ';
        bool ends = p[n] == '\0' || p[n] == ',' || p[n] == ' ';
        if (starts && ends) return true;
    }
    return false;
}

static void test_the_topics_table_names_the_same_readers_and_writers(void) {
    size_t n, ng;
    const cs_topic_info *t = cs_topics(&n);
    const cs_kafka_grant *g = cs_kafka_grants(&ng);
    for (size_t i = 0; i < n; i++) {
        if (strstr(t[i].name, CS_TOPIC_DLQ_SUFFIX)) continue;
        for (size_t k = 0; k < ng; k++) {
            bool w = names(t[i].producers, g[k].role), r = names(t[i].consumers, g[k].role);
            if (w != cs_kafka_may_write(g[k].role, t[i].name) || r != cs_kafka_may_read(g[k].role, t[i].name))
                fprintf(stderr, "  %s / %s: the table says write %d read %d\n", g[k].role, t[i].name, w, r);
            CT_EQ_INT(cs_kafka_may_write(g[k].role, t[i].name), w);
            CT_EQ_INT(cs_kafka_may_read(g[k].role, t[i].name), r);
        }
    }
}

static void test_dead_letters_only_of_what_a_role_reads(void) {
    CT_CHECK(cs_kafka_may_write("order-verifier", "shop.orders.v1.dlq"));
    CT_CHECK(!cs_kafka_may_write("order-verifier", "shop.reviews.v1.dlq"));
    CT_CHECK(!cs_kafka_may_write("order-verifier", "shop.orders.v1"));
    CT_CHECK(!cs_kafka_may_write("gateway", "shop.orders.v1.dlq"));
    CT_CHECK(!cs_kafka_may_read("gateway", "shop.orders.v1"));
    CT_CHECK(cs_kafka_may_write("notifier", "cs.notifications.v1")); /* RF-8's SMS fallback */
    CT_CHECK(!cs_kafka_may_write("notifier", "cs.tasks.v1"));
    CT_CHECK(cs_kafka_may_write("timer-dispatcher", "cs.timers.v1"));
    CT_CHECK(cs_kafka_grant_of("admin") == NULL);
    CT_CHECK(cs_kafka_grant_of("operator") == NULL);
}

CT_MAIN(CT_CASE(test_each_worker_reads_what_it_subscribes_to_and_no_more),
        CT_CASE(test_the_topics_table_names_the_same_readers_and_writers),
        CT_CASE(test_dead_letters_only_of_what_a_role_reads))
