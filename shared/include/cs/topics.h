/* topics.h -- every Kafka topic of the project, in one table.
 *
 * The table is the single source for topic names, partition counts, keys,
 * message types and who produces and consumes each topic: cscli topics
 * create/list read it, and docs/topics.md mirrors it. Broker auto-creation
 * is off (CONTRACTS.md "Kafka"), so topics exist only once
 * cs_topics_create() (cscli topics create) has run; it is idempotent and
 * returns once the topics can be used (every partition has its leader). */
#ifndef CS_TOPICS_H
#define CS_TOPICS_H

#include <stddef.h>

#include "cs/config.h"

/* Topic names as constants, so a typo is a compile error. */
#define CS_TOPIC_ORDERS "shop.orders.v1"
#define CS_TOPIC_AFTERSALES "shop.aftersales.v1"
#define CS_TOPIC_REVIEWS "shop.reviews.v1"
#define CS_TOPIC_INVENTORY "shop.inventory.v1"
#define CS_TOPIC_CONTACTS "shop.contacts.v1"
#define CS_TOPIC_VERDICTS "cs.verdicts.v1"
#define CS_TOPIC_TASKS "cs.tasks.v1"
#define CS_TOPIC_NOTIFICATIONS "cs.notifications.v1"
#define CS_TOPIC_FINANCE "cs.finance.v1"
#define CS_TOPIC_TIMERS "cs.timers.v1"
#define CS_TOPIC_SLA "cs.sla.v1"
#define CS_TOPIC_DECISIONS "cs.decisions.v1"
/* A topic's dead-letter topic is its name plus this suffix. */
#define CS_TOPIC_DLQ_SUFFIX ".dlq"

typedef struct cs_topic_info {
    const char *name;      /* "shop.orders.v1" */
    int partitions;        /* partition count it is created with */
    const char *key;       /* record key, e.g. "<shop_id>:<order_id>" */
    const char *message;   /* value type, e.g. "cs.v1.Envelope{order: OrderEvent}" */
    const char *producers; /* comma-separated roles that write it */
    const char *consumers; /* comma-separated roles that read it */
} cs_topic_info;

/* The whole table (static storage; never freed). *n gets its length. */
const cs_topic_info *cs_topics(size_t *n);
/* The row of a topic name, or NULL if it is not a project topic. */
const cs_topic_info *cs_topic_find(const char *name);

/* What cs_topics_create_results() found or did for one topic. */
typedef enum cs_topic_outcome {
    CS_TOPIC_CREATED = 1, /* did not exist; created */
    CS_TOPIC_EXISTED = 2, /* already there (its partition count in actual_partitions) */
} cs_topic_outcome;

typedef struct cs_topic_result {
    const cs_topic_info *topic; /* row of the table */
    cs_topic_outcome outcome;
    int actual_partitions; /* partitions in the cluster after the call */
    bool retention_set;    /* retention.ms set now (created with it, or altered) */
} cs_topic_result;

/* PII retention (docs/security.md): with cfg->pii_topic_days >
 * 0, cs_topics_create_results() gives every inbound topic (name "shop.*",
 * their dead-letter topics included) retention.ms = that many days: a
 * topic it creates is created with it, an existing one whose retention.ms
 * differs is altered (its other topic-level settings kept). True for such
 * a topic name. */
bool cs_topic_holds_pii(const char *name);

/* Creates every topic of the table that is missing, with its partition
 * count and `replication` replicas; a topic that already exists is left
 * alone (idempotent). Then waits, 30 s at most, until every partition of
 * every table topic has a leader that serves it, so the topics can be used
 * as soon as this returns. cfg gives the Kafka settings (cs_kafka_conf).
 * results must hold cs_topics()'s count of entries and is filled in table
 * order. Returns 0, or -1 with errbuf when the cluster cannot be reached
 * within a few seconds, refuses a creation, or a partition has no working
 * leader in time (which one, and why). */
int cs_topics_create_results(const cs_config *cfg, int replication, cs_topic_result *results, char *errbuf,
                             size_t errlen);
/* The same, with one human-readable line per topic written into report
 * ("created shop.orders.v1 (6 partitions)"; truncated to len). */
int cs_topics_create(const cs_config *cfg, int replication, char *report, size_t len, char *errbuf, size_t errlen);
/* Waits, timeout_ms at most, until every partition of every table topic
 * has a leader that serves it: the metadata names a leader, with no error,
 * and that leader answers a ListOffsets for it (cs_topics_create_results()
 * does this with 30 s). Returns 0, or -1 with errbuf naming the first
 * partition not ready and why ("Kafka at B: topics not ready after N ms
 * ...: cs.verdicts.v1[2]: Broker: Not leader for partition"). */
int cs_topics_wait_ready(const cs_config *cfg, int timeout_ms, char *errbuf, size_t errlen);

/* A topic as the cluster has it, next to the table. */
typedef struct cs_topic_state {
    char *name;                /* owned */
    const cs_topic_info *info; /* its row, or NULL if not a project topic */
    int partitions;            /* in the cluster; 0 = does not exist */
    int replication;           /* replicas of its first partition; 0 if missing */
} cs_topic_state;

/* Lists the table's topics (in table order, missing ones with partitions
 * 0), then every other non-internal topic in the cluster (sorted by name).
 * *out is a malloc'd array of *n entries the caller frees with
 * cs_topic_states_free(). Returns 0, or -1 with errbuf when the cluster
 * cannot be reached. */
int cs_topics_list(const cs_config *cfg, cs_topic_state **out, size_t *n, char *errbuf, size_t errlen);
/* Frees a list from cs_topics_list(); accepts NULL. */
void cs_topic_states_free(cs_topic_state *s, size_t n);

#endif
