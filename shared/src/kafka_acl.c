/* kafka_acl.c -- the roles' Kafka ACLs (see kafka_acl.h) and CreateAcls.
 *
 * The reads of a worker are the topics its routes subscribe to
 * (routes.c: its event routes and, with timer routes, cs.timers.v1); its
 * writes are what its outbox can hold: the effect topics its rules emit
 * (apply.c), its own decision topic, and the dead letters of what it
 * reads (runtime.c). The unit tests hold each worker's subscription and
 * the topics table's producers to this table, so a new route that is not
 * granted here fails a test rather than a deployment. */
#include "cs/kafka_acl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "cs/kafka.h"
#include "cs/topics.h"
#include "cs/util.h"

#define ACL_TIMEOUT_MS 15000

static const char *const ovReads[] = {CS_TOPIC_ORDERS,   CS_TOPIC_INVENTORY, CS_TOPIC_AFTERSALES,
                                      CS_TOPIC_CONTACTS, CS_TOPIC_TIMERS,    NULL};
static const char *const ovWrites[] = {CS_TOPIC_VERDICTS, CS_TOPIC_TASKS, CS_TOPIC_NOTIFICATIONS, CS_TOPIC_FINANCE,
                                       NULL};
static const char *const exReads[] = {CS_TOPIC_VERDICTS, CS_TOPIC_ORDERS, CS_TOPIC_AFTERSALES, CS_TOPIC_CONTACTS,
                                      CS_TOPIC_TIMERS,   NULL};
static const char *const exWrites[] = {CS_TOPIC_TASKS, CS_TOPIC_NOTIFICATIONS, CS_TOPIC_FINANCE, CS_TOPIC_SLA, NULL};
static const char *const rfReads[] = {CS_TOPIC_AFTERSALES, CS_TOPIC_TIMERS, NULL};
static const char *const rfWrites[] = {CS_TOPIC_DECISIONS, CS_TOPIC_TASKS, CS_TOPIC_NOTIFICATIONS, CS_TOPIC_FINANCE,
                                       NULL};
static const char *const rvReads[] = {CS_TOPIC_REVIEWS, CS_TOPIC_CONTACTS, CS_TOPIC_TIMERS, NULL};
static const char *const rvWrites[] = {CS_TOPIC_TASKS, CS_TOPIC_NOTIFICATIONS, NULL};
static const char *const ntReads[] = {CS_TOPIC_NOTIFICATIONS, CS_TOPIC_CONTACTS, CS_TOPIC_TIMERS, NULL};
static const char *const ntWrites[] = {CS_TOPIC_NOTIFICATIONS, NULL}; /* RF-8: the SMS of an IM refused for good */
static const char *const none[] = {NULL};
static const char *const tdWrites[] = {CS_TOPIC_TIMERS, NULL};
static const char *const gwWrites[] = {CS_TOPIC_ORDERS, CS_TOPIC_AFTERSALES, CS_TOPIC_REVIEWS, CS_TOPIC_INVENTORY,
                                       CS_TOPIC_CONTACTS, NULL};

static const cs_kafka_grant grantTable[] = {
    {"order-verifier", ovReads, ovWrites, true},
    {"exception-handler", exReads, exWrites, true},
    {"refund-notifier", rfReads, rfWrites, true},
    {"review-scheduler", rvReads, rvWrites, true},
    {"notifier", ntReads, ntWrites, true},
    {"timer-dispatcher", none, tdWrites, false},
    {"gateway", none, gwWrites, false},
};

#define NGRANTS (sizeof grantTable / sizeof grantTable[0])

const cs_kafka_grant *cs_kafka_grants(size_t *n) {
    if (n) *n = NGRANTS;
    return grantTable;
}

const cs_kafka_grant *cs_kafka_grant_of(const char *role) {
    for (size_t i = 0; role && i < NGRANTS; i++)
        if (strcmp(grantTable[i].role, role) == 0) return &grantTable[i];
    return NULL;
}

static bool listed(const char *const *list, const char *topic) {
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], topic) == 0) return true;
    return false;
}

bool cs_kafka_may_read(const char *role, const char *topic) {
    const cs_kafka_grant *g = cs_kafka_grant_of(role);
    return g && listed(g->reads, topic);
}

bool cs_kafka_may_write(const char *role, const char *topic) {
    const cs_kafka_grant *g = cs_kafka_grant_of(role);
    if (!g) return false;
    if (listed(g->writes, topic)) return true;
    size_t n = strlen(topic), sn = strlen(CS_TOPIC_DLQ_SUFFIX);
    if (!g->dead_letters || n <= sn || strcmp(topic + n - sn, CS_TOPIC_DLQ_SUFFIX) != 0) return false;
    for (size_t i = 0; g->reads[i]; i++)
        if (strlen(g->reads[i]) == n - sn && strncmp(g->reads[i], topic, n - sn) == 0) return true;
    return false;
}

/* ---- the bindings ---------------------------------------------------------- */

typedef struct bindings {
    rd_kafka_AclBinding_t **v;
    size_t n, cap;
} bindings;

static int addBinding(bindings *b, rd_kafka_ResourceType_t type, const char *name, rd_kafka_ResourcePatternType_t pattern,
                const char *role, rd_kafka_AclOperation_t op, char *errbuf, size_t errlen) {
    char principal[96], why[256];
    snprintf(principal, sizeof principal, "User:%s", role);
    rd_kafka_AclBinding_t *a = rd_kafka_AclBinding_new(type, name, pattern, principal, "*", op,
                                                       RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, why, sizeof why);
    if (!a) {
        snprintf(errbuf, errlen, "ACL %s on %s: %s", principal, name, why);
        return -1;
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->v = cs_xrealloc(b->v, b->cap * sizeof *b->v);
    }
    b->v[b->n++] = a;
    return 0;
}

static int workerBindings(bindings *b, const cs_kafka_grant *g, char *errbuf, size_t errlen) {
    const rd_kafka_ResourceType_t topic = RD_KAFKA_RESOURCE_TOPIC;
    const rd_kafka_ResourcePatternType_t literal = RD_KAFKA_RESOURCE_PATTERN_LITERAL;
    for (size_t i = 0; g->reads[i]; i++) {
        if (addBinding(b, topic, g->reads[i], literal, g->role, RD_KAFKA_ACL_OPERATION_READ, errbuf, errlen) != 0)
            return -1;
        if (g->dead_letters) {
            char dlq[128];
            snprintf(dlq, sizeof dlq, "%s%s", g->reads[i], CS_TOPIC_DLQ_SUFFIX);
            if (addBinding(b, topic, dlq, literal, g->role, RD_KAFKA_ACL_OPERATION_WRITE, errbuf, errlen) != 0) return -1;
        }
    }
    for (size_t i = 0; g->writes[i]; i++)
        if (addBinding(b, topic, g->writes[i], literal, g->role, RD_KAFKA_ACL_OPERATION_WRITE, errbuf, errlen) != 0)
            return -1;
    if (g->reads[0] && addBinding(b, RD_KAFKA_RESOURCE_GROUP, g->role, RD_KAFKA_RESOURCE_PATTERN_PREFIXED, g->role,
                            RD_KAFKA_ACL_OPERATION_READ, errbuf, errlen) != 0)
        return -1;
    return 0;
}

static int operatorBindings(bindings *b, char *errbuf, size_t errlen) {
    static const rd_kafka_AclOperation_t topicOps[] = {RD_KAFKA_ACL_OPERATION_READ, RD_KAFKA_ACL_OPERATION_WRITE,
                                                       RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS};
    for (size_t i = 0; i < sizeof topicOps / sizeof topicOps[0]; i++)
        if (addBinding(b, RD_KAFKA_RESOURCE_TOPIC, "*", RD_KAFKA_RESOURCE_PATTERN_LITERAL, "operator", topicOps[i], errbuf,
                 errlen) != 0)
            return -1;
    return addBinding(b, RD_KAFKA_RESOURCE_GROUP, "*", RD_KAFKA_RESOURCE_PATTERN_LITERAL, "operator",
                RD_KAFKA_ACL_OPERATION_READ, errbuf, errlen);
}

static void bindingsFree(bindings *b) {
    if (b->n) rd_kafka_AclBinding_destroy_array(b->v, b->n);
    free(b->v);
}

/* Sends the bindings and reads the answer: 0, 1 when the cluster has no
 * authorizer, or -1 with the first refusal. */
static int createAll(rd_kafka_t *rk, bindings *b, char *errbuf, size_t errlen) {
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATEACLS);
    char why[256];
    rd_kafka_AdminOptions_set_request_timeout(opt, ACL_TIMEOUT_MS, why, sizeof why);
    rd_kafka_CreateAcls(rk, b->v, b->n, opt, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ACL_TIMEOUT_MS + 2000);
    int rc = 0;
    if (!ev) {
        snprintf(errbuf, errlen, "CreateAcls: no answer within %d ms", ACL_TIMEOUT_MS);
        rc = -1;
    } else if (rd_kafka_event_error(ev)) {
        rd_kafka_resp_err_t e = rd_kafka_event_error(ev);
        if (e == RD_KAFKA_RESP_ERR_SECURITY_DISABLED)
            rc = 1;
        else {
            snprintf(errbuf, errlen, "CreateAcls: %s", rd_kafka_event_error_string(ev));
            rc = -1;
        }
    } else {
        size_t n = 0;
        const rd_kafka_acl_result_t **res =
            rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
        for (size_t i = 0; i < n && rc == 0; i++) {
            const rd_kafka_error_t *e = rd_kafka_acl_result_error(res[i]);
            if (!e) continue;
            if (rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR_SECURITY_DISABLED) {
                rc = 1;
                break;
            }
            snprintf(errbuf, errlen, "CreateAcls: binding %zu refused: %s", i, rd_kafka_error_string(e));
            rc = -1;
        }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_queue_destroy(q);
    return rc;
}

int cs_kafka_acls_apply(const cs_config *cfg, bool *disabled, char *errbuf, size_t errlen) {
    *disabled = false;
    bindings b = {0};
    for (size_t i = 0; i < NGRANTS; i++)
        if (workerBindings(&b, &grantTable[i], errbuf, errlen) != 0) {
            bindingsFree(&b);
            return -1;
        }
    if (operatorBindings(&b, errbuf, errlen) != 0) {
        bindingsFree(&b);
        return -1;
    }
    const char *const over[] = {"client.id", "cs-acls", "socket.connection.setup.timeout.ms", "3000", NULL};
    rd_kafka_conf_t *conf = cs_kafka_conf(cfg, CS_KAFKA_ADMIN, NULL, over, errbuf, errlen);
    if (!conf) {
        bindingsFree(&b);
        return -1;
    }
    char why[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        bindingsFree(&b);
        snprintf(errbuf, errlen, "Kafka client: %s", why);
        return -1;
    }
    int rc = createAll(rk, &b, errbuf, errlen);
    int count = (int)b.n;
    rd_kafka_destroy(rk);
    bindingsFree(&b);
    if (rc < 0) return -1;
    if (rc == 1) {
        *disabled = true;
        return 0;
    }
    return count;
}
